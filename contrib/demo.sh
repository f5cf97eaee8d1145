#!/usr/bin/env bash
# contrib/demo.sh - `make demo`: the whole story on your screen.
#
# Generates a six-month synthetic stream with ds-scenario
# (fixtures/scenarios/demo.scn: implant records, follow-up notes with
# complications, negated and historical mentions), starts `devsurv serve`
# on a fresh SQLite database with the dashboard on DEMO_HTTP (default
# 127.0.0.1:8080) and prints its URL, then publishes the stream with
# ds-publish at DEMO_RATE events/s (default 300) so signals appear live on
# the dashboard. The engine extracts mentions from the notes, links them to
# the patients' devices and runs the shipped surveillance plans
# (rules/plans). Expected: the elevated vascular closure device (brand
# "Fictiva PlugSure", FDA MGB) signals for access-site haematoma; the other
# devices do not.
#
# In a terminal the engine keeps serving the dashboard until Ctrl-C;
# without one (CI, DEMO_HOLD=0) it stops after the stream. Then it lists
# the signals, explains the first one and verifies the audit chain.
set -eu
BUILD=${BUILD:-build/release}
DIR=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/devsurv-demo.XXXXXX")}
DB=$DIR/devsurv.db
EP="ipc://$DIR/ingest.ipc"
HTTP=${DEMO_HTTP:-127.0.0.1:8080}
RATE=${DEMO_RATE:-300}
if [ -t 0 ] && [ -t 1 ]; then HOLD=${DEMO_HOLD:-1}; else HOLD=${DEMO_HOLD:-0}; fi
STREAM=$DIR/demo.jsonl

"$BUILD/ds-scenario" --truth "$DIR/truth.tsv" fixtures/scenarios/demo.scn \
    >"$STREAM"
echo "== generated $(wc -l <"$STREAM") events from fixtures/scenarios/demo.scn"
echo "== devsurv engine on $DB"
"$BUILD/devsurv" serve -c contrib/demo.conf --set "ingest.endpoint=$EP" \
    --set "http.listen=$HTTP" --db "$DB" 2>"$DIR/serve.log" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 100); do # the log line appears once the port is bound
    grep -q "dashboard: http" "$DIR/serve.log" 2>/dev/null && break
    kill -0 $SERVE 2>/dev/null || { cat "$DIR/serve.log"; exit 1; }
    sleep 0.1
done
URL=$(grep -o "dashboard: http[^ ]*" "$DIR/serve.log" | head -1 | cut -d' ' -f2)
echo
echo "   Dashboard: ${URL:-(not started: see $DIR/serve.log)}"
echo "   Open it now: signals appear as the stream arrives."
echo

echo "== publishing as source hospA at $RATE events/s"
"$BUILD/ds-publish" --endpoint "$EP" --source hospA --insecure \
    --rate "$RATE" --journal "$DIR/ds-publish-hospA.db" "$STREAM"
grep -h "signal #" "$DIR/serve.log" | sed 's/^.*\(signal #\)/\1/' || true

if [ "$HOLD" = 1 ]; then
    echo
    echo "== all events committed; the dashboard stays up at $URL"
    echo "   (press Ctrl-C to stop the engine and see the summary)"
    trap 'echo' INT
    wait $SERVE 2>/dev/null || true
    trap - INT
fi
echo "== stopping the engine (SIGTERM: commit, ACK, checkpoint, exit)"
kill -TERM $SERVE 2>/dev/null || true
wait $SERVE 2>/dev/null || true
trap - EXIT

echo "== signals in the store"
"$BUILD/devsurv" signals --db "$DB"
echo
echo "== plan cells that signalled"
sqlite3 -readonly -header -column "$DB" \
    "select plan, device, event, observed, printf('%.2f', expected)
            as expected, printf('%.3f', statistic) as statistic,
            printf('%.3f', threshold) as boundary, status
       from plan_cells where status = 'signalled' order by 1, 2, 3"
echo
FIRST=$(sqlite3 -readonly "$DB" "select min(id) from signals where plan <> ''")
if [ -n "$FIRST" ]; then
    echo "== why signal #$FIRST exists (devsurv explain $FIRST, first lines)"
    "$BUILD/devsurv" explain "$FIRST" --db "$DB" | head -40
    echo "   ..."
    echo
fi
echo "== audit chain (every row above is covered by a hash-chained entry)"
"$BUILD/devsurv" verify --db "$DB"
echo
echo "The database is $DB. Look inside with, for example:"
echo "  $BUILD/devsurv signals --db $DB --json"
echo "  $BUILD/devsurv explain ${FIRST:-1} --db $DB --json"
echo "  $BUILD/devsurv alert list --db $DB"
echo "  $BUILD/devsurv serve -c contrib/demo.conf --db $DB --set http.listen=$HTTP"
