#!/usr/bin/env bash
# tests/eval/maude.sh - the extractor on the 1,000 real MAUDE narratives
# (../shared/eval/maude/README.md; reference/nlp.md 5) against the reports'
# own fields: runs `devsurv eval-maude` with FDA's foiclass.txt
# (../shared/eval/fda/README.md) and prints its report: how DEVICE maps to
# product codes, narratives with a device mention, exact product-code and
# same-regulation agreement with DEVICE plus the commonest disagreements,
# and affirmed / negated health effects and affirmed health impacts by
# EVENT_TYPE (injury or death, malfunction, other). MAUDE has no gold
# spans: these are agreement rates with weak report-level labels.
#
# Run from the repository root:  BUILD=build/release tests/eval/maude.sh
# Prints a skip message and exits 0 when ../shared (MAUDE_DIR, FDA_DIR) is
# absent; exits non-zero when the command fails. JSON: set JSON=FILE.
set -u
BUILD=${BUILD:-build/release}
TSV=${MAUDE_DIR:-../shared/eval/maude}/maude_uniform_sample_1k.tsv
FOI=${FDA_DIR:-../shared/eval/fda}/foiclass.txt

if [ ! -f "$TSV" ]; then
    echo "maude: skipped: $TSV not found (the shared evaluation data is" \
        "not next to the repository)"
    exit 0
fi
if [ ! -x "$BUILD/devsurv" ]; then
    echo "maude: $BUILD/devsurv not built (run make first)" >&2
    exit 1
fi
opts=(--rules rules)
if [ -f "$FOI" ]; then
    opts+=(--foiclass "$FOI")
else
    echo "maude: $FOI not found: DEVICE agreement not scored"
fi

commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
echo "== devsurv eval-maude on $TSV (rules: rules/, commit $commit," \
    "$(date -u +%Y-%m-%d))"
"$BUILD/devsurv" eval-maude "${opts[@]}" "$TSV"
rc=$?
if [ "$rc" -ne 0 ]; then
    echo "maude: devsurv eval-maude exited $rc" >&2
    exit "$rc"
fi
if [ -n "${JSON:-}" ]; then
    "$BUILD/devsurv" eval-maude --json "${opts[@]}" "$TSV" >"$JSON" || exit
fi
