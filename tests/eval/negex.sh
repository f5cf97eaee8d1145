#!/usr/bin/env bash
# tests/eval/negex.sh - devsurv's context rules on the development half of
# the NegEx test set (Chapman et al. 2001; reference/nlp.md 1.1-1.3,
# ../shared/eval/negex/README.md): runs `devsurv context` on
# negex_dev.tsv with the annotator notes and prints its summary (negation
# P/R/F1/accuracy with negated = positive, overall and on the rows without
# a note; historical and hypothetical P/R/F1; experiencer counts), then
# genConText's figures computed from genConText_output_dev.tsv the same
# way, for comparison.
#
# Run from the repository root:  BUILD=build/release tests/eval/negex.sh
# Prints a skip message and exits 0 when ../shared (NEGEX_DIR) is absent;
# exits non-zero when the command fails. Per-row output: set ROWS=FILE.
set -u
BUILD=${BUILD:-build/release}
NEGEX=${NEGEX_DIR:-../shared/eval/negex}
DEV=$NEGEX/negex_dev.tsv
NOTES=$NEGEX/negex_dev.with-notes.tsv
REF=$NEGEX/genConText_output_dev.tsv

if [ ! -f "$DEV" ] || [ ! -f "$NOTES" ]; then
    echo "negex: skipped: $DEV not found (the shared evaluation data is" \
        "not next to the repository)"
    exit 0
fi
if [ ! -x "$BUILD/devsurv" ]; then
    echo "negex: $BUILD/devsurv not built (run make first)" >&2
    exit 1
fi

echo "== devsurv context on $DEV (rules: rules/)"
"$BUILD/devsurv" context --rules rules --negex-tsv "$DEV" --notes "$NOTES" \
    2>&1 >"${ROWS:-/dev/null}"
rc=$?
[ "$rc" -eq 0 ] || { echo "negex: devsurv context exited $rc" >&2; exit "$rc"; }

# genConText's own output: columns 5-7 gold, 8-10 genConText (lower case)
[ -f "$REF" ] || exit 0
echo "== genConText (reference/nlp.md 1.2), same rows, same scoring"
awk -F'\t' '
function prf(name, tp, fp, fn, tn, acc,   p, r, f) {
    p = tp + fp ? tp / (tp + fp) : 0
    r = tp + fn ? tp / (tp + fn) : 0
    f = p + r ? 2 * p * r / (p + r) : 0
    printf "%s: n %d TP %d FP %d FN %d TN %d P %.4f R %.4f F1 %.4f", name,
        tp + fp + fn + tn, tp, fp, fn, tn, p, r, f
    if (acc) printf " acc %.4f", (tp + tn) / (tp + fp + fn + tn)
    printf "\n"
}
function count(k, g, p) {
    tp[k] += g && p; fp[k] += !g && p; fn[k] += g && !p; tn[k] += !g && !p
}
{
    g = tolower($5) == "negated"; p = $8 == "negated"
    count("neg", g, p)
    if ($2 ~ /^[ \t]*$/) count("clean", g, p)
    count("hist", tolower($6) == "historical", $9 == "historical")
    count("hyp", tolower($6) == "not particular",
        $9 == "not particular" || $9 == "hypothetical")
}
END {
    prf("negation all", tp["neg"], fp["neg"], fn["neg"], tn["neg"], 1)
    prf("negation without-note", tp["clean"], fp["clean"], fn["clean"],
        tn["clean"], 1)
    prf("historical all", tp["hist"], fp["hist"], fn["hist"], tn["hist"], 0)
    prf("hypothetical all", tp["hyp"], fp["hyp"], fn["hyp"], tn["hyp"], 0)
}' "$REF"
