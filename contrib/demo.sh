#!/usr/bin/env bash
# contrib/demo.sh - `make demo`: the first stream end to end, on your screen.
#
# Starts `devsurv serve` on a fresh SQLite database in a temp directory,
# publishes fixtures/streams/demo.jsonl with ds-publish (which returns once
# the engine has committed everything), shows the signals as the engine
# prints them, stops the engine cleanly, lists the stored signals, and says
# where the database is. Expected: one signal for MGB (vascular closure
# devices) x E0505 (haematoma), none for LZG (insulin pumps) x E1205.
set -eu
BUILD=${BUILD:-build/release}
DIR=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/devsurv-demo.XXXXXX")}
DB=$DIR/devsurv.db
EP="ipc://$DIR/ingest.ipc"
STREAM=fixtures/streams/demo.jsonl

echo "== devsurv demo: engine on $DB"
"$BUILD/devsurv" serve -c contrib/demo.conf --set "ingest.endpoint=$EP" \
    --db "$DB" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT

echo "== publishing $STREAM ($(wc -l <"$STREAM") events) as source hospA"
"$BUILD/ds-publish" --endpoint "$EP" --source hospA --insecure \
    --journal "$DIR/ds-publish-hospA.db" "$STREAM"

echo "== stopping the engine (SIGTERM: commit, ACK, exit)"
kill -TERM $SERVE
wait $SERVE
trap - EXIT

echo "== signals in the store"
"$BUILD/devsurv" signals --db "$DB"
echo
echo "== cells (device x event): observed vs expected under H0"
sqlite3 -readonly -header -column "$DB" \
    "select product_code as device, event_code as event, observed,
            printf('%.2f', expected) as expected, printf('%.3f', llr) as llr,
            status from cells order by 1, 2"
echo
echo "== quarantined messages (kept with the reason, never dropped)"
sqlite3 -readonly "$DB" \
    "select '  ' || source || '/' || epoch || '/' || seq || ': ' || reason from quarantine"
echo
echo "== audit chain (every row above is covered by a hash-chained entry)"
"$BUILD/devsurv" verify --db "$DB"
echo
echo "The database is $DB. Look inside with, for example:"
echo "  $BUILD/devsurv signals --db $DB --json"
echo "  sqlite3 $DB 'select * from cells'"
