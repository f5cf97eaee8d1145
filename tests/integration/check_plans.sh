#!/usr/bin/env bash
# check_plans.sh - `devsurv check-plans`: the shipped plans (rules/plans)
# are valid against the shipped rule tree, one line per plan and the set
# hash last; the hash does not depend on where the directory lives; a
# broken copy exits 65 (EX_DATAERR) with "DIR/file:line: message" on
# stderr; a duplicate id and an unknown IMDRF code are refused the same
# way; usage errors exit 64 and a missing directory 66. Run from the
# repository root.
. "$(dirname "$0")/../lib.sh"

"$DEVSURV" check-plans --rules rules >"$T/ok.out" 2>"$T/ok.err"
check "shipped_plans_exit_0" test $? -eq 0
check "nothing_on_stderr" test ! -s "$T/ok.err"
check "last_line_is_hash_and_count" grep -Eq '^plans [0-9a-f]{64} 4 files$' \
    <(tail -n 1 "$T/ok.out")
check "closure_line" grep -Eq \
    '^closure-haematoma maxsprt-poisson baseline devices 7 events 4 covers [0-9]+ plans/closure-haematoma.plan$' \
    "$T/ok.out"
check "icd_line" grep -Eq \
    '^icd-lead-fracture maxsprt-binomial family devices 4 events 6 ' "$T/ok.out"
check "insulin_line" grep -Eq \
    '^insulin-pump-dka cusum-bernoulli baseline devices 6 events 1 covers 2 ' \
    "$T/ok.out"
check "hip_line" grep -Eq '^hip-revision disproportionality baseline ' \
    "$T/ok.out"
HASH=$(tail -n 1 "$T/ok.out" | cut -d' ' -f2)

# default PLANDIR is <rules>/plans; DEVSURV_RULES names the rule tree
DEVSURV_RULES=rules "$DEVSURV" check-plans >"$T/def.out" 2>&1
check "default_dir_same_output" cmp -s "$T/ok.out" "$T/def.out"

mkdir -p "$T/copy"
cp rules/plans/*.plan "$T/copy/"
echo "# notes" >"$T/copy/README.md"
"$DEVSURV" check-plans --rules rules "$T/copy" >"$T/copy.out"
check "copy_same_hash" test "$(tail -n 1 "$T/copy.out" | cut -d' ' -f2)" = "$HASH"

# a broken copy: a bad alpha names its file and line
cp -R "$T/copy" "$T/bad"
f="$T/bad/icd-lead-fracture.plan"
line=$(grep -n -m1 '^alpha = ' "$f" | cut -d: -f1)
sed -i "${line}s/.*/alpha = 2/" "$f"
"$DEVSURV" check-plans --rules rules "$T/bad" >"$T/bad.out" 2>"$T/bad.err"
check "broken_exit_65" test $? -eq 65
check "broken_names_file_line" grep -qF \
    "devsurv check-plans: $f:$line: bad value '2' for alpha" "$T/bad.err"
check "broken_prints_no_hash" test ! -s "$T/bad.out"

# an IMDRF code the rule tree does not have
cp -R "$T/copy" "$T/unknown"
f="$T/unknown/insulin-pump-dka.plan"
line=$(grep -n -m1 '^events = ' "$f" | cut -d: -f1)
sed -i "${line}s/.*/events = E1205 E9999/" "$f"
"$DEVSURV" check-plans --rules rules "$T/unknown" 2>"$T/unknown.err"
check "unknown_code_exit_65" test $? -eq 65
check "unknown_code_line" grep -qF "$f:$line: IMDRF code 'E9999'" \
    "$T/unknown.err"

# the same id twice
cp -R "$T/copy" "$T/dup"
sed 's/^id = .*/id = closure-haematoma/' rules/plans/hip-revision.plan \
    >"$T/dup/zz-copy.plan"
"$DEVSURV" check-plans --rules rules "$T/dup" 2>"$T/dup.err"
check "duplicate_id_exit_65" test $? -eq 65
check "duplicate_id_message" grep -qF \
    "already used by plans/closure-haematoma.plan" "$T/dup.err"

mkdir "$T/empty"
"$DEVSURV" check-plans --rules rules "$T/empty" >"$T/empty.out"
check "empty_dir_ok" grep -qx \
    'plans e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 files' \
    "$T/empty.out"

"$DEVSURV" check-plans --rules rules "$T/nope" 2>/dev/null
check "missing_dir_exit_66" test $? -eq 66
"$DEVSURV" check-plans a b 2>/dev/null
check "usage_exit_64" test $? -eq 64
"$DEVSURV" check-plans --help | grep -q '^usage: devsurv check-plans'
check "help_on_stdout" test $? -eq 0
finish
