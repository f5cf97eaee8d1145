#!/usr/bin/env bash
# replay_cli.sh - `devsurv replay` and the CLI contract: the same input
# gives the same rows (two fresh databases compare equal table by table), a
# second replay into the same database is a no-op, stdin works, and errors
# use sysexits codes with messages that say where (config file:line).
. "$(dirname "$0")/../lib.sh"
STREAM=fixtures/streams/demo.jsonl
NLINES=$(wc -l <"$STREAM")
R="$DEVSURV replay -c contrib/demo.conf"

$R --db "$T/a.db" "$STREAM" >"$T/a.out" 2>"$T/a.err"
check "replay_exit_0" test $? -eq 0
check "replay_summary_line" grep -q \
    "^replay: $STREAM: $NLINES lines, $((NLINES - 2)) events, 2 quarantined, 0 duplicates, 2 signals" \
    "$T/a.out"
# one from the [maxsprt] coded-outcome path, one from closure-haematoma
check "replay_prints_signal" grep -q "^signal #[0-9]* MGB x E0505" "$T/a.out"
check "replay_prints_plan_signal" grep -q \
    "^signal #[0-9]* plan closure-haematoma: Acme SealRight x E0505" "$T/a.out"
check "quarantine_logged_with_reason" grep -q \
    "quarantined replay/1/[0-9]*: device.product_code" "$T/a.err"

cat "$STREAM" | $R --db "$T/b.db" - >"$T/b.out" 2>/dev/null
check "replay_from_stdin" test $? -eq 0
same=1
for t in sources events quarantine exposures cells signals; do
    [ "$(sql "$T/a.db" "select * from $t")" = \
      "$(sql "$T/b.db" "select * from $t")" ] || { same=0; echo "# differs: $t"; }
done
check "same_input_same_rows" test $same = 1

before=$(sql "$T/a.db" "select count(*) from events; select count(*) from signals")
$R --db "$T/a.db" "$STREAM" >"$T/a2.out" 2>/dev/null
check "second_replay_all_duplicates" grep -q \
    "0 events, 0 quarantined, $NLINES duplicates, 0 signals" "$T/a2.out"
check "second_replay_no_new_rows" test "$before" = \
    "$(sql "$T/a.db" "select count(*) from events; select count(*) from signals")"
check "schema_version_set" test "$(sql "$T/a.db" "pragma user_version")" -ge 1

"$DEVSURV" replay --db "$T/c.db" "$T/missing.jsonl" 2>"$T/e1"
check "missing_file_exit_66" test $? -eq 66
printf '[store]\nbatch_ms = 5\nbogus = 1\n' >"$T/bad.conf"
"$DEVSURV" replay -c "$T/bad.conf" --db "$T/c.db" "$STREAM" 2>"$T/e2"
check "unknown_key_exit_78" test $? -eq 78
check "unknown_key_names_file_line" grep -q "bad.conf:3:" "$T/e2"
"$DEVSURV" replay --set maxsprt.alpha=abc --db "$T/c.db" "$STREAM" 2>"$T/e3"
check "bad_set_value_exit_78" test $? -eq 78
"$DEVSURV" signals --db "$T/nope.db" 2>/dev/null
check "signals_missing_db_exit_66" test $? -eq 66
"$DEVSURV" signals --db "$T/a.db" >"$T/sig.txt"
check "signals_text_lists_both" test "$(grep -c ' E0505 ' "$T/sig.txt")" = 2

"$DEVSURV" --help >"$T/help"
ok_cmds=1
for c in serve replay signals config; do grep -q "^  $c " "$T/help" || ok_cmds=0; done
check "help_lists_subcommands" test $ok_cmds = 1
check "version_on_stdout" sh -c "'$DEVSURV' --version | grep -q '^devsurv [0-9]'"
"$DEVSURV" frobnicate 2>/dev/null
check "unknown_command_exit_64" test $? -eq 64
documented=1
for c in serve replay signals config; do
    "$DEVSURV" "$c" --help >"$T/h.$c" 2>/dev/null &&
        grep -q "^usage: devsurv $c" "$T/h.$c" || documented=0
done
check "subcommands_document_themselves" test $documented = 1
check "config_help_lists_keys" sh -c \
    "'$DEVSURV' config --help | grep -q 'baseline_rate'"
"$DEVSURV" config -c contrib/devsurv.conf.example --check
check "example_config_valid" test $? -eq 0
"$DEVSURV" config -c contrib/demo.conf >"$T/eff.conf"
check "effective_config_reparses" "$DEVSURV" config -c "$T/eff.conf" --check
"$DEVSURV" serve --db "$T/s.db" --set "ingest.endpoint=ipc://$T/x.ipc" \
    2>"$T/e4" </dev/null
check "serve_refuses_insecure_by_default" test $? -eq 78
check "serve_says_why" grep -q "ingest.insecure" "$T/e4"
finish
