#!/usr/bin/env bash
# check_rules.sh - `devsurv check-rules`: the repository's rule tree is
# valid and hashes to 64 hex digits, the hash does not depend on where the
# tree lives, -q prints the hash alone, and a broken copy exits 65 (EX_DATAERR)
# with "DIR/file:line: message" on stderr (a pattern PCRE2 cannot compile
# included); usage errors exit 64 and a missing directory 66. Run from the
# repository root.
. "$(dirname "$0")/../lib.sh"

copy_tree() { # copy_tree DST: VERSION and the loaded subdirectories
    mkdir -p "$1" && cp -R rules/VERSION rules/concepts rules/context \
        rules/terms rules/identifiers "$1/"
}

"$DEVSURV" check-rules rules >"$T/ok.out" 2>"$T/ok.err"
check "valid_tree_exit_0" test $? -eq 0
check "last_line_is_sha256" grep -Eq '^sha256 [0-9a-f]{64}$' \
    <(tail -n 1 "$T/ok.out")
check "counts_per_file" grep -Eq \
    '^  concepts/device_class.tsv +concepts device_class +6530 rows' "$T/ok.out"
check "nothing_on_stderr" test ! -s "$T/ok.err"
HASH=$(tail -n 1 "$T/ok.out" | cut -d' ' -f2)

"$DEVSURV" check-rules -q rules >"$T/q.out"
check "quiet_prints_hash_alone" test "$(cat "$T/q.out")" = "$HASH"

copy_tree "$T/copy"
check "copy_same_hash" test "$("$DEVSURV" check-rules -q "$T/copy")" = "$HASH"
echo "# local notes are not rules" >"$T/copy/README.md"
check "readme_not_hashed" \
    test "$("$DEVSURV" check-rules -q "$T/copy")" = "$HASH"

copy_tree "$T/bad"
f="$T/bad/terms/health_effect_curated.tsv"
line=$(grep -n -m1 $'\tactive\t' "$f" | cut -d: -f1)
sed -i "${line}s/\tactive\t/\tmaybe\t/" "$f"
"$DEVSURV" check-rules "$T/bad" >"$T/bad.out" 2>"$T/bad.err"
check "broken_tree_exit_65" test $? -eq 65
want="$T/bad/terms/health_effect_curated.tsv:$line: status 'maybe'"
check "broken_names_file_line" grep -qF "devsurv check-rules: $want" \
    "$T/bad.err"
check "broken_prints_no_hash" test ! -s "$T/bad.out"

copy_tree "$T/bad2"
printf 'zz.1\tE9999\tnot a code\tword\tactive\tproject\tproject-own\n' \
    >>"$T/bad2/terms/health_effect_curated.tsv"
n=$(wc -l <"$T/bad2/terms/health_effect_curated.tsv")
"$DEVSURV" check-rules "$T/bad2" 2>"$T/bad2.err" >/dev/null
check "unknown_code_exit_65" test $? -eq 65
check "unknown_code_line" grep -q \
    "health_effect_curated.tsv:$n: unknown code 'E9999'" "$T/bad2.err"

copy_tree "$T/bad3"
printf 'pat.zz.1\tmodel\t\\bMODEL\\s([0-9]+\tnone\tproject\tproject-own\n' \
    >>"$T/bad3/identifiers/patterns.tsv"
n=$(wc -l <"$T/bad3/identifiers/patterns.tsv")
"$DEVSURV" check-rules "$T/bad3" 2>"$T/bad3.err" >/dev/null
check "bad_pattern_exit_65" test $? -eq 65
want="identifiers/patterns.tsv:$n: pattern 'pat.zz.1' does not compile:"
want="$want missing closing parenthesis at offset 16"
check "bad_pattern_pcre2_message" grep -qF "$want" "$T/bad3.err"
check "jit_status_reported" grep -Eq \
    '^patterns: [0-9]+ compiled, .*PCRE2 JIT (on|off)' "$T/ok.out"

"$DEVSURV" check-rules "$T/missing" 2>/dev/null
check "missing_dir_exit_66" test $? -eq 66
"$DEVSURV" check-rules 2>/dev/null
check "no_dir_exit_64" test $? -eq 64
"$DEVSURV" check-rules --help >"$T/help.out"
check "help_on_stdout" grep -q "^usage: devsurv check-rules" "$T/help.out"
finish
