#!/usr/bin/env bash
# alert_cli.sh - `devsurv alert` on a real database: the demo replay opens
# one alert per signal; list, ack, close, the refused transitions and
# their exit codes, alert_log and audit rows, `devsurv verify` still ok
# after the CLI appended to the chain, a later engine run checkpointing
# over those entries, and what tampering is and is not caught: an edited
# alerts/alert_log row is not (those tables are not chained; the audit
# entry keeps the original), an edited audit row is.
. "$(dirname "$0")/../lib.sh"
DB=$T/a.db
$DEVSURV replay --db "$DB" fixtures/streams/demo.jsonl >/dev/null 2>&1
check "replay_ok" test $? -eq 0
NSIG=$(sql "$DB" "select count(*) from signals")
check "replay_opened_one_alert_per_signal" test "$NSIG" -ge 2 -a \
    "$(sql "$DB" "select count(*) from alerts where status = 'new'")" = "$NSIG"

run_cmd list0 $DEVSURV alert list --db "$DB"
check "list_exit_0" test "$RC" -eq 0
check "list_shows_new_alerts" test "$(grep -c ' new ' "$T/list0.out")" -eq "$NSIG"

A0=$(sql "$DB" "select count(*) from audit")
run_cmd ack1 $DEVSURV alert ack 1 --db "$DB" --by alice --reason "looking into it"
check "ack_exit_0" test "$RC" -eq 0
check "ack_says_what" grep -q '^alert 1: new -> acknowledged by alice$' "$T/ack1.out"
check "ack_updates_row" test "$(sql "$DB" "select status || '|' || by || '|' ||
    reason from alerts where id = 1")" = "acknowledged|alice|looking into it"
check "ack_logs_n1" test "$(sql "$DB" "select n || from_status || to_status
    from alert_log where alert_id = 1")" = "1newacknowledged"
check "ack_appends_audit" test "$(sql "$DB" "select count(*) from audit")" -eq $((A0 + 1))
check "ack_audit_entry" test "$(sql "$DB" "select kind || ' ' || subject from audit
    order by seq desc limit 1")" = "alert_transition alert/1"

run_cmd ack1b $DEVSURV alert ack 1 --db "$DB" --by alice --reason again
check "ack_twice_exit_65" test "$RC" -eq 65
check "ack_twice_says_why" grep -q 'alert 1 is acknowledged; cannot move it to acknowledged' "$T/ack1b.err"
run_cmd close1 $DEVSURV alert close 1 --db "$DB" --by bob --reason "not device related"
check "close_after_ack_exit_0" test "$RC" -eq 0
run_cmd ack1c $DEVSURV alert ack 1 --db "$DB" --by alice --reason "reopen?"
check "ack_closed_exit_65" test "$RC" -eq 65
check "closed_is_final" grep -q 'closed is final' "$T/ack1c.err"
run_cmd close1b $DEVSURV alert close 1 --db "$DB" --by bob --reason twice
check "close_closed_exit_65" test "$RC" -eq 65
run_cmd close2 $DEVSURV alert close 2 --db "$DB" --by carol --reason "duplicate of 1"
check "close_new_exit_0" test "$RC" -eq 0
check "log_dense" test "$(sql "$DB" "select group_concat(alert_id || ':' || n, ',')
    from (select * from alert_log order by alert_id, n)")" = "1:1,1:2,2:1"
check "three_transitions_audited" test "$(sql "$DB" "select count(*) from audit
    where kind = 'alert_transition'")" -eq 3

run_cmd nobody $DEVSURV alert ack 3 --db "$DB" --reason x
check "missing_by_exit_64" test "$RC" -eq 64
run_cmd empty $DEVSURV alert ack 3 --db "$DB" --by alice --reason ""
check "empty_reason_exit_65" test "$RC" -eq 65
check "empty_reason_says_why" grep -q 'reason is required' "$T/empty.err"
run_cmd noalert $DEVSURV alert ack 99 --db "$DB" --by a --reason b
check "no_such_alert_exit_66" test "$RC" -eq 66
run_cmd badid $DEVSURV alert close x1 --db "$DB" --by a --reason b
check "bad_id_exit_65" test "$RC" -eq 65
run_cmd badstatus $DEVSURV alert list --db "$DB" --status open
check "bad_status_exit_65" test "$RC" -eq 65
run_cmd nodb $DEVSURV alert ack 1 --db "$T/none.db" --by a --reason b
check "no_db_exit_66" test "$RC" -eq 66
check "no_db_not_created" test ! -e "$T/none.db"
check "nothing_more_audited" test "$(sql "$DB" "select count(*) from audit
    where kind = 'alert_transition'")" -eq 3

run_cmd listc $DEVSURV alert list --db "$DB" --status closed --json
check "list_json_exit_0" test "$RC" -eq 0
check "list_json_closed_only" test "$(grep -c '"status": "closed"' "$T/listc.out")" -eq 2 -a \
    "$(grep -c '"status":' "$T/listc.out")" -eq 2
check "list_json_by" grep -q '"by": "carol"' "$T/listc.out"

run_cmd v1 $DEVSURV verify --db "$DB"
N=$(sql "$DB" "select count(*) from audit")
check "verify_ok_after_cli" grep -q "^ok $N entries" "$T/v1.out"

# a later engine run checkpoints over the CLI's entries
$DEVSURV replay --db "$DB" --source second fixtures/streams/demo.jsonl >/dev/null 2>&1
check "second_replay_ok" test $? -eq 0
run_cmd v2 $DEVSURV verify --db "$DB"
N2=$(sql "$DB" "select count(*) from audit")
check "verify_ok_after_engine" grep -q "^ok $N2 entries" "$T/v2.out"
check "checkpoint_covers_cli_entries" test "$(sql "$DB" "select max(n) from checkpoints")" -ge "$N"

# tampering: alerts / alert_log are not chained, the audit entry is
cp "$DB" "$T/t.db"
sqlite3 "$T/t.db" "update alert_log set reason = 'edited' where alert_id = 2;
  update alerts set reason = 'edited' where id = 2"
run_cmd v3 $DEVSURV verify --db "$T/t.db"
check "edited_alert_rows_not_caught_by_verify" test "$RC" -eq 0
check "audit_keeps_the_original_reason" test "$(sql "$T/t.db" "select count(*)
    from audit where subject = 'alert/2' and instr(canonical, 'duplicate of 1') > 0")" -eq 1
S=$(sql "$T/t.db" "select seq from audit where subject = 'alert/2'")
# the reason is the entry's last field: "duplicate of 1" -> "duplicate of 9"
sqlite3 "$T/t.db" "drop trigger audit_no_update; update audit set canonical =
  substr(canonical, 1, length(canonical) - 1) || '9' where seq = $S"
run_cmd v4 $DEVSURV verify --db "$T/t.db"
check "edited_audit_entry_exit_65" test "$RC" -eq 65
check "edited_audit_entry_named" grep -q "^FAIL at seq $S: " "$T/v4.out"
finish
