/*
 * test_nlp_regex_rules.c - identifier patterns from the rule file's side:
 * what the loader accepts in identifiers/patterns.tsv, how a pattern PCRE2
 * cannot compile is reported, and what the extractor makes of the hits.
 *
 * A small tree in a temp dir checks the loader: the file is optional,
 * kinds and validators are enumerations that must fit each other, ids are
 * unique across the tree, a (kind, pattern) pair appears once, and a
 * pattern PCRE2 cannot compile (or with other than one capture group)
 * fails nlp_regex_new() and nlp_extract_new() with the row's file:line,
 * PCRE2's message and the offset, while the loader itself (free of PCRE2)
 * accepts it. On the real tree (run from the repository root), extractor
 * mentions of kinds model, lot, date and udi carry the pattern's id, file
 * and line, are in text order, get context flags like any mention, and a
 * UDI the finder already reported is not repeated.
 *
 * Not here: the patterns themselves and the scan (test_nlp_regex.c).
 */
#include "devsurv/ds_err.h"
#include "devsurv/nlp_extract.h"
#include "devsurv/nlp_regex.h"
#include "devsurv/nlp_rules.h"
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct ds_diag diag;

/* ---- a small tree: the loader and compile errors ---- */

#define PROV "# source: test\n# licence: project-own\n"
#define IMDRF_HDR                                                              \
    PROV "id\tcode\tlabel\tparents\tlevel\tstatus\tsource\tlicence\n"
#define T_ROW   "\ttest\tproject-own\n"
#define PAT_HDR PROV "id\tkind\tpattern\tvalidator\tsource\tlicence\n"

static const char *const s_min[][2] = {
    {"VERSION", "test-rules 0\n"},
    {"concepts/device_class.tsv",
     PROV "id\tcode\tlabel\tregulation\tdevice_class\tpanel\timplant\t"
          "life_sustaining\tsource\tlicence\n"
          "dc.DXY\tDXY\tPacemaker\t870.3610\t3\tCV\tY\tN" T_ROW},
    {"concepts/device_component.tsv",
     IMDRF_HDR "cm.G02\tG02\tElectrical\t\t1\tactive" T_ROW},
    {"concepts/device_problem.tsv",
     IMDRF_HDR "dp.A04\tA04\tMaterial Problem\t\t1\tactive" T_ROW},
    {"concepts/health_effect.tsv",
     IMDRF_HDR "he.E05\tE05\tVascular\t\t1\tactive" T_ROW},
    {"concepts/health_impact.tsv",
     IMDRF_HDR "hi.F02\tF02\tDeath\t\t1\tactive" T_ROW},
    {"context/triggers.tsv",
     PROV "id\tphrase\tcategory\tdirection\tmax_scope\tsource\tlicence\n"
          "neg.001\tno\tnegated\tforward\t0" T_ROW},
    {"context/sections.tsv", PROV "id\theading\tcategory\tsource\tlicence\n"
                                  "sec.001\tFAMILY HISTORY\tfamily" T_ROW},
};

static char s_tmp[64];

static int s_put(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", s_tmp, rel);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(text), w = fwrite(text, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static int s_min_tree(void)
{
    static const char *const subs[] = {"concepts", "context", "terms"};
    char path[256];
    snprintf(s_tmp, sizeof s_tmp, "/tmp/test_nlp_regex.XXXXXX");
    if (!mkdtemp(s_tmp))
        return -1;
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", s_tmp, subs[i]);
        if (mkdir(path, 0700) != 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof s_min / sizeof s_min[0]; i++)
        if (s_put(s_min[i][0], s_min[i][1]) != 0)
            return -1;
    return 0;
}

static void s_rm_tree(void)
{
    static const char *const files[] = {
        "VERSION",
        "concepts/device_class.tsv",
        "concepts/device_component.tsv",
        "concepts/device_problem.tsv",
        "concepts/health_effect.tsv",
        "concepts/health_impact.tsv",
        "context/triggers.tsv",
        "context/sections.tsv",
        "identifiers/patterns.tsv",
        "concepts",
        "context",
        "terms",
        "identifiers",
        "",
    };
    char path[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", s_tmp, files[i]);
        if (remove(path) != 0)
            rmdir(path);
    }
}

/* Load the temp tree with patterns (NULL: no identifiers/ at all); on
 * success also compile; returns the first error code. */
static int s_try(const char *patterns, size_t *npat)
{
    char path[256];
    nlp_rules_t *r = NULL;
    nlp_regex_t *re = NULL;
    snprintf(path, sizeof path, "%s/identifiers", s_tmp);
    if (patterns &&
        (mkdir(path, 0700), s_put("identifiers/patterns.tsv", patterns) != 0))
        return -100;
    int rc = nlp_rules_load(&r, s_tmp, &diag);
    if (rc == 0 && npat)
        nlp_rules_patterns(r, npat);
    if (rc == 0)
        rc = nlp_regex_new(&re, r, 0, &diag);
    nlp_regex_destroy(&re);
    nlp_rules_destroy(&r);
    return rc;
}

TEST(patterns_file_is_optional_and_checked)
{
    size_t n = 99;
    CHECK_INT(s_min_tree(), 0);
    CHECK_INT(s_try(NULL, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(s_try(PAT_HDR "p.1\tlot\t\\bLOT\\s([0-9]{2,9})\tnone" T_ROW, &n),
              0);
    CHECK_INT(n, 1);

    CHECK_INT(s_try(PAT_HDR "p.1\tbrand\tx(y)\tnone" T_ROW, NULL), DS_EPARSE);
    CHECK_STR(diag.file, "identifiers/patterns.tsv");
    CHECK_INT(diag.line, 4);
    CHECK_HAS(diag.msg, "kind 'brand' is not one of model|catalog|lot");

    CHECK_INT(s_try(PAT_HDR "p.1\tudi\t(\\+[A-Z0-9]{5,})\tnone" T_ROW, NULL),
              DS_EPARSE);
    CHECK_HAS(diag.msg, "validator 'none' does not fit kind 'udi'");
    CHECK_INT(s_try(PAT_HDR "p.1\tlot\t(x)\tgs1" T_ROW, NULL), DS_EPARSE);
    CHECK_HAS(diag.msg, "(want none)");

    CHECK_INT(s_try(PAT_HDR "neg.001\tlot\t(x)\tnone" T_ROW, NULL), DS_EPARSE);
    CHECK_HAS(diag.msg, "duplicate id 'neg.001'");
    CHECK_INT(s_try(PAT_HDR "p.1\tlot\t(x)\tnone" T_ROW
                            "p.2\tlot\t(x)\tnone" T_ROW,
                    NULL),
              DS_EPARSE);
    CHECK_INT(diag.line, 5);
    CHECK_HAS(diag.msg, "duplicate pattern '(x)'");
    CHECK_INT(s_try(PAT_HDR "p.1\tlot\tLOT\\s[0-9]+\tnone" T_ROW, NULL),
              DS_EPARSE);
    CHECK_HAS(diag.msg, "pattern 'p.1' has 0 capture groups; exactly one");
    s_rm_tree();
}

/* Hits of text as "value/pattern " into out. */
static void s_hits(const nlp_regex_t *re, const char *text, unsigned opts,
                   char *out, size_t cap)
{
    size_t n, used = 0;
    nlp_regex_scratch_t *s = nlp_regex_scratch_new();
    out[0] = '\0';
    if (!s || nlp_regex_scan(re, ds_span_str(text), opts, s) != 0)
        return;
    const struct nlp_regex_hit *h = nlp_regex_hits(s, &n);
    for (size_t i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%.*s/%u ",
                                 (int)(h[i].end - h[i].begin),
                                 text + h[i].begin, h[i].pattern);
    nlp_regex_scratch_destroy(&s);
}

TEST(joined_where_safe_alone_where_not)
{
    /* p.0 and p.2 start on 'L' and join; p.1 refers to its group (\1),
     * which would name p.0's group once joined, so it runs alone. */
    static const char rows[] =
        PAT_HDR "p.0\tlot\t\\bLOT\\s([0-9]{2,9})\tnone" T_ROW
                "p.1\tlot\t\\bLOT#([0-9]{2,9})-\\1\\b\tnone" T_ROW
                "p.2\tserial\t\\bLOTSER:(?<v>[A-Z]{3})\tnone" T_ROW;
    static const char text[] = "LOT 123, LOT#45-45, LOT#45-46, LOTSER:ABC";
    char joined[256], naive[256];
    nlp_rules_t *r = NULL;
    nlp_regex_t *re = NULL;
    CHECK_INT(s_min_tree(), 0);
    CHECK_INT(mkdir(strcat(strcpy(joined, s_tmp), "/identifiers"), 0700), 0);
    CHECK_INT(s_put("identifiers/patterns.tsv", rows), 0);
    CHECK_INT(nlp_rules_load(&r, s_tmp, &diag), 0);
    CHECK_INT(nlp_regex_new(&re, r, 0, &diag), 0);
    CHECK_INT(nlp_regex_passes(re), 2);
    s_hits(re, text, 0, joined, sizeof joined);
    s_hits(re, text, NLP_REGEX_NAIVE, naive, sizeof naive);
    nlp_regex_destroy(&re);
    nlp_rules_destroy(&r);
    s_rm_tree();
    CHECK_STR(joined, "123/0 45/1 ABC/2 ");
    CHECK_STR(naive, joined);
}

TEST(bad_pattern_names_file_line_and_offset)
{
    static const char bad[] =
        PAT_HDR "# a comment line\n"
                "p.1\tlot\t\\bLOT\\s([0-9]{2,9})\tnone" T_ROW
                "p.2\tmodel\t\\bMODEL\\s([0-9]+\tnone" T_ROW;
    char buf[1024];
    CHECK_INT(s_min_tree(), 0);
    CHECK_INT(s_try(bad, NULL), DS_EPARSE);
    ds_diag_format(&diag, buf, sizeof buf);
    printf("# %s\n", buf);
    CHECK_STR(diag.file, "identifiers/patterns.tsv");
    CHECK_INT(diag.line, 6);
    CHECK_HAS(diag.msg, "pattern 'p.2' does not compile: missing closing "
                        "parenthesis at offset 16 (the end)");

    nlp_rules_t *r = NULL;
    nlp_extract_t *x = NULL;
    CHECK_INT(nlp_rules_load(&r, s_tmp, &diag), 0); /* loader: no PCRE2 */
    ds_diag_clear(&diag);
    CHECK_INT(nlp_extract_new(&x, r, &diag), DS_EPARSE);
    CHECK(x == NULL);
    CHECK_INT(diag.line, 6);
    CHECK_HAS(diag.msg, "missing closing parenthesis");
    nlp_rules_destroy(&r);
    s_rm_tree();
}

TEST(mentions_name_their_pattern)
{
    static const char note[] =
        "THE PUMP MODEL# MMT-522 WAS RETURNED ON 03/02/2026. THERE WAS NO "
        "LOT NUMBER 4012345 ON THE LABEL (01)00614141999996(21)SN1; UDI: "
        "010061414199999617261231. SERIAL# [**12345**].";
    struct nlp_result r;
    nlp_rules_t *rules = NULL;
    nlp_extract_t *x = NULL;
    CHECK_INT(nlp_rules_load(&rules, "rules", &diag), 0);
    CHECK_INT(nlp_extract_new(&x, rules, &diag), 0);
    nlp_result_init(&r);
    CHECK_INT(nlp_extract_run(x, ds_span_str(note), 0, &r), 0);
    const char *want[][2] = {
        {"model", "MMT-522"},
        {"date", "03/02/2026"},
        {"lot", "4012345"},
        {"udi", "00614141999996"},
        {"udi", "010061414199999617261231"},
    };
    size_t k = 0;
    for (size_t i = 0; i < r.n && k < 5; i++) {
        const struct nlp_mention *m = &r.m[i];
        if (m->kind == NLP_MENTION_DEVICE || m->kind == NLP_MENTION_EVENT ||
            m->kind == NLP_MENTION_COMPONENT)
            continue;
        CHECK_STR(nlp_mention_kind_name(m->kind), want[k][0]);
        CHECK(ds_span_eq(m->code, want[k][1]));
        CHECK(i == 0 || r.m[i - 1].begin <= m->begin); /* text order */
        k++;
    }
    CHECK_INT(k, 5);
    size_t model = 0;
    while (model < r.n && r.m[model].kind != NLP_MENTION_MODEL)
        model++;
    CHECK(model < r.n);
    CHECK_STR(r.m[model].system, "pattern");
    CHECK_STR(r.m[model].label, "model");
    CHECK_STR(r.m[model].rule_file, "identifiers/patterns.tsv");
    CHECK(strncmp(r.m[model].rule_id, "pat.model.", 10) == 0);
    CHECK(r.m[model].rule_line > 20);
    for (size_t i = 0; i < r.n; i++) {
        if (r.m[i].kind == NLP_MENTION_LOT) /* "THERE WAS NO LOT ..." */
            CHECK_INT(r.m[i].flags, NLP_F_NEGATED);
        if (r.m[i].kind == NLP_MENTION_UDI && r.m[i].begin < 120)
            CHECK_STR(r.m[i].rule_id, "udi.gs1"); /* the finder's, once */
        CHECK(r.m[i].kind != NLP_MENTION_SERIAL); /* value is de-identified */
    }
    nlp_result_clear(&r);
    nlp_extract_destroy(&x);
    nlp_rules_destroy(&rules);
}

int main(void)
{
    RUN(patterns_file_is_optional_and_checked);
    RUN(joined_where_safe_alone_where_not);
    RUN(bad_pattern_names_file_line_and_offset);
    RUN(mentions_name_their_pattern);
    return test_report();
}
