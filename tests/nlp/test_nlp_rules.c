/*
 * test_nlp_rules.c - unit tests for the rule-set loader.
 *
 * Written as usage examples. The first half loads the real rules/ tree of
 * the repository (run from the repository root) and checks what an
 * extractor relies on: counts, known concepts and terms, UK and US
 * spellings mapping to one code, lookups that do not allocate, and a
 * SHA-256 that is stable across loads and copies and changes with one
 * byte. The load time of the full tree is printed, not asserted.
 *
 * The second half writes a small valid tree into a temp dir, breaks one
 * file at a time and checks that the diagnostic names the file and line an
 * editor should jump to. An allocation-failure loop proves every failure
 * path returns DS_ENOMEM cleanly (run the DEBUG=1 build for leaks).
 *
 * Not here: the check-rules CLI (tests/integration/check_rules.sh), random
 * bytes (tests/fuzz/fuzz_rules.c), the generator (rules/tools).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_diag.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_rules.h"
#include "../test.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RULES "rules"

static struct ds_diag diag;
static char s_tmp[64];

/* ---- helpers ---- */

static double s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int s_write(const char *dir, const char *rel, const char *text, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(text, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

static int s_put(const char *dir, const char *rel, const char *text)
{
    return s_write(dir, rel, text, strlen(text));
}

/* Read the file at path into a malloc'd buffer; *n its length. */
static char *s_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    *n = buf ? fread(buf, 1, (size_t)len, f) : 0;
    fclose(f);
    return buf;
}

/* Copy the loadable files of src (VERSION, four subdirs) to dst. */
static int s_copy_tree(const char *src, const char *dst)
{
    static const char *const subs[] = {"concepts", "context", "terms",
                                       "identifiers"};
    char path[512], rel[512];
    size_t n;
    char *buf = s_slurp(RULES "/VERSION", &n);
    int rc = buf ? s_write(dst, "VERSION", buf, n) : -1;
    free(buf);
    for (int i = 0; rc == 0 && i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dst, subs[i]);
        mkdir(path, 0700);
        snprintf(path, sizeof path, "%s/%s", src, subs[i]);
        DIR *d = opendir(path);
        struct dirent *e;
        while (rc == 0 && d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(rel, sizeof rel, "%s/%s/%s", src, subs[i], e->d_name);
            buf = s_slurp(rel, &n);
            snprintf(rel, sizeof rel, "%s/%s", subs[i], e->d_name);
            rc = buf ? s_write(dst, rel, buf, n) : -1;
            free(buf);
        }
        if (d)
            closedir(d);
    }
    return rc;
}

/* A new temp dir name in s_tmp. */
static const char *s_mkdtemp(void)
{
    snprintf(s_tmp, sizeof s_tmp, "/tmp/test_nlp_rules.XXXXXX");
    return mkdtemp(s_tmp);
}

static const struct nlp_term *s_term(const nlp_rules_t *r, const char *text,
                                     enum nlp_axis axis)
{
    size_t n;
    const struct nlp_term *t = nlp_rules_terms(r, &n);
    for (size_t i = 0; i < n; i++)
        if (t[i].axis == axis && strcmp(t[i].term, text) == 0)
            return &t[i];
    return NULL;
}

static const struct nlp_trigger *s_trigger(const nlp_rules_t *r,
                                           const char *phrase)
{
    size_t n;
    const struct nlp_trigger *t = nlp_rules_triggers(r, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].phrase, phrase) == 0)
            return &t[i];
    return NULL;
}

static size_t s_rows(const nlp_rules_t *r, const char *path)
{
    size_t n;
    const struct nlp_rules_file *f = nlp_rules_files(r, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].path, path) == 0)
            return f[i].rows;
    return 0;
}

static const struct nlp_concept *s_code(const nlp_rules_t *r,
                                        enum nlp_axis axis, const char *code)
{
    return nlp_rules_concept(r, axis, ds_span_str(code));
}

/* ---- the real tree ---- */

static nlp_rules_t *s_real;

TEST(load_real_tree)
{
    double t0 = s_now_ms();
    int rc = nlp_rules_load(&s_real, RULES, &diag);
    double ms = s_now_ms() - t0;
    char buf[1024];
    if (rc != 0)
        TEST_FAIL_("load: %s", ds_diag_format(&diag, buf, sizeof buf));
    size_t nterms;
    nlp_rules_terms(s_real, &nterms);
    printf("# full rule tree: %zu terms, loaded in %.1f ms\n", nterms, ms);
    CHECK(strncmp(nlp_rules_version(s_real), "devsurv-rules ", 14) == 0);
}

TEST(real_tree_counts)
{
    size_t n;
    CHECK(s_real);
    CHECK_INT(s_rows(s_real, "concepts/device_class.tsv"), 6530);
    CHECK_INT(s_rows(s_real, "concepts/device_component.tsv"), 300);
    CHECK_INT(s_rows(s_real, "concepts/device_problem.tsv"), 482);
    CHECK_INT(s_rows(s_real, "concepts/health_effect.tsv"), 719);
    CHECK_INT(s_rows(s_real, "concepts/health_impact.tsv"), 67);
    nlp_rules_concepts(s_real, &n);
    CHECK_INT(n, 6530 + 300 + 482 + 719 + 67);
    nlp_rules_terms(s_real, &n);
    CHECK(n > 20000);
    nlp_rules_triggers(s_real, &n);
    CHECK(n > 300);
    nlp_rules_sections(s_real, &n);
    CHECK(n > 40);
    nlp_rules_files(s_real, &n);
    CHECK(n >= 18);
}

TEST(known_concepts)
{
    CHECK(s_real);
    const struct nlp_concept *c = s_code(s_real, NLP_AXIS_DEVICE_CLASS, "DXY");
    CHECK(c);
    char label[256];
    snprintf(label, sizeof label, "%s", c->label);
    for (char *p = label; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    CHECK_HAS(label, "pacemaker");
    CHECK(c->implant);
    CHECK_INT(c->device_class, '3');
    CHECK_STR(c->regulation, "870.3610");

    c = s_code(s_real, NLP_AXIS_HEALTH_EFFECT, "E0505");
    CHECK(c);
    CHECK_STR(c->label, "Hematoma");
    CHECK_INT(c->nparents, 1);
    size_t n;
    const struct nlp_concept *all = nlp_rules_concepts(s_real, &n);
    CHECK_STR(all[c->parents[0]].code, "E05");

    c = s_code(s_real, NLP_AXIS_HEALTH_EFFECT, "E0102"); /* polyhierarchy */
    CHECK(c && c->nparents == 2);
    CHECK_STR(all[c->parents[0]].code, "E01");
    CHECK_STR(all[c->parents[1]].code, "E20");
    CHECK_INT(s_code(s_real, NLP_AXIS_HEALTH_EFFECT, "E01")->status,
              NLP_CONCEPT_GROUPING);
    CHECK_INT(s_code(s_real, NLP_AXIS_DEVICE_PROBLEM, "A071205")->status,
              NLP_CONCEPT_RETIRED);
    CHECK(s_code(s_real, NLP_AXIS_DEVICE_COMPONENT, "G0200401"));
    CHECK_STR(s_code(s_real, NLP_AXIS_HEALTH_IMPACT, "F02")->label, "Death");
}

TEST(lookup_edges)
{
    CHECK(s_real);
    CHECK(!s_code(s_real, NLP_AXIS_DEVICE_CLASS, "ZZZ"));
    CHECK(!s_code(s_real, NLP_AXIS_DEVICE_CLASS, "E0505")); /* wrong axis */
    CHECK(!s_code(s_real, NLP_AXIS_HEALTH_EFFECT, "E050"));
    CHECK(!s_code(s_real, NLP_AXIS_HEALTH_EFFECT, ""));
    CHECK(!nlp_rules_concept(s_real, NLP_AXIS_COUNT, ds_span_str("DXY")));
    struct ds_span sp = {"DXYZ", 3}; /* not NUL-terminated at 3 */
    CHECK(nlp_rules_concept(s_real, NLP_AXIS_DEVICE_CLASS, sp));
}

TEST(known_terms)
{
    CHECK(s_real);
    enum nlp_axis he = NLP_AXIS_HEALTH_EFFECT;
    const struct nlp_term *us = s_term(s_real, "hematoma", he);
    const struct nlp_term *uk = s_term(s_real, "haematoma", he);
    CHECK(us && uk);
    CHECK_STR(us->code, "E0505");
    CHECK_STR(uk->code, us->code);
    CHECK_INT(uk->concept, us->concept);
    us = s_term(s_real, "hemorrhage", NLP_AXIS_HEALTH_EFFECT);
    uk = s_term(s_real, "haemorrhage", NLP_AXIS_HEALTH_EFFECT);
    CHECK(us && uk);
    CHECK_STR(uk->code, us->code);
    CHECK(s_term(s_real, "oedema", NLP_AXIS_HEALTH_EFFECT));

    const struct nlp_term *t =
        s_term(s_real, "insulin pump", NLP_AXIS_DEVICE_CLASS);
    CHECK(t);
    CHECK_STR(t->code, "LZG");
    CHECK_INT(t->status, NLP_TERM_ACTIVE);
    t = s_term(s_real, "insulin infusion pump", NLP_AXIS_DEVICE_CLASS);
    CHECK(t && strcmp(t->code, "LZG") == 0);
    t = s_term(s_real, "lead", NLP_AXIS_DEVICE_COMPONENT);
    CHECK(t && t->status == NLP_TERM_AMBIGUOUS);
    t = s_term(s_real, "icd-10", NLP_AXIS_DEVICE_CLASS);
    CHECK(t && t->status == NLP_TERM_STOP);
    t = s_term(s_real, "crt-d", NLP_AXIS_DEVICE_CLASS);
    CHECK(t && strcmp(t->code, "NIK") == 0);
    t = s_term(s_real, "lead fracture", NLP_AXIS_DEVICE_PROBLEM);
    CHECK(t && t->code[0] == 'A');
    CHECK(!s_term(s_real, "device", NLP_AXIS_DEVICE_CLASS)); /* stop list */
}

TEST(known_triggers_and_sections)
{
    CHECK(s_real);
    const struct nlp_trigger *g = s_trigger(s_real, "no");
    CHECK(g && g->category == NLP_CTX_NEGATED &&
          g->direction == NLP_DIR_FORWARD);
    g = s_trigger(s_real, "but");
    CHECK(g && g->category == NLP_CTX_TERMINATE &&
          g->direction == NLP_DIR_NONE);
    g = s_trigger(s_real, "no patient injury");
    CHECK(g && g->category == NLP_CTX_NEGATED);
    g = s_trigger(s_real, "allegedly");
    CHECK(g && g->category == NLP_CTX_POSSIBLE);
    g = s_trigger(s_real, "supplemental report will be submitted");
    CHECK(g && g->category == NLP_CTX_HYPOTHETICAL);
    g = s_trigger(s_real, "mother");
    CHECK(g && g->category == NLP_CTX_FAMILY);
    size_t n;
    const struct nlp_section *s = nlp_rules_sections(s_real, &n);
    int family = 0;
    for (size_t i = 0; i < n; i++)
        family += strcmp(s[i].heading, "FAMILY HISTORY") == 0 &&
                  s[i].category == NLP_CTX_FAMILY;
    CHECK_INT(family, 1);
}

TEST(no_allocation_after_load)
{
    CHECK(s_real);
    struct ds_alloc_stats a, b;
    size_t n;
    ds_alloc_stats(&a);
    for (int i = 0; i < 1000; i++) {
        CHECK(s_code(s_real, NLP_AXIS_DEVICE_CLASS, "LZG"));
        nlp_rules_terms(s_real, &n);
        nlp_rules_sha256(s_real);
    }
    ds_alloc_stats(&b);
    CHECK_INT(b.allocs, a.allocs);
}

TEST(hash_stable_and_sensitive)
{
    CHECK(s_real);
    const char *h = nlp_rules_sha256(s_real);
    CHECK_INT(strlen(h), 64);
    CHECK(strspn(h, "0123456789abcdef") == 64);
    nlp_rules_t *again = NULL;
    CHECK_INT(nlp_rules_load(&again, RULES, &diag), 0);
    CHECK_STR(nlp_rules_sha256(again), h);
    nlp_rules_destroy(&again);

    CHECK(s_mkdtemp());
    CHECK_INT(s_copy_tree(RULES, s_tmp), 0);
    int rc = nlp_rules_load(&again, s_tmp, &diag);
    CHECK_INT(rc, 0);
    CHECK_STR(nlp_rules_sha256(again), h); /* location-independent */
    nlp_rules_destroy(&again);

    char path[512];
    size_t n;
    snprintf(path, sizeof path, "%s/context/sections.tsv", s_tmp);
    char *buf = s_slurp(path, &n);
    CHECK(buf && n > 10 && buf[2] == 'd'); /* "# devsurv ..." */
    buf[2] = 'D';                          /* one byte of a comment */
    CHECK_INT(s_write(s_tmp, "context/sections.tsv", buf, n), 0);
    free(buf);
    CHECK_INT(nlp_rules_load(&again, s_tmp, &diag), 0);
    CHECK(strcmp(nlp_rules_sha256(again), h) != 0);
    nlp_rules_destroy(&again);
    test_rmdir(s_tmp);
}

/* ---- small trees and their errors ---- */

#define PROV "# source: test\n# licence: project-own\n"
#define IMDRF_HDR                                                              \
    PROV "id\tcode\tlabel\tparents\tlevel\tstatus\tsource\tlicence\n"
#define TERMS_HDR PROV "id\tcode\tterm\tboundary\tstatus\tsource\tlicence\n"
#define TRIG_HDR                                                               \
    PROV "id\tphrase\tcategory\tdirection\tmax_scope\tsource\tlicence\n"
#define T_ROW "\ttest\tproject-own\n"

static const char *const s_min[][2] = {
    {"VERSION", "test-rules 0\n"},
    {"concepts/device_class.tsv",
     PROV "id\tcode\tlabel\tregulation\tdevice_class\tpanel\timplant\t"
          "life_sustaining\tsource\tlicence\n"
          "dc.DXY\tDXY\tImplantable Pacemaker Pulse-Generator\t870.3610\t3\t"
          "CV\tY\tN" T_ROW},
    {"concepts/device_component.tsv",
     IMDRF_HDR "cm.G02\tG02\tElectrical\t\t1\tgrouping" T_ROW
               "cm.G02002\tG02002\tBattery\tG02\t2\tactive" T_ROW},
    {"concepts/device_problem.tsv",
     IMDRF_HDR "dp.A04\tA04\tMaterial Integrity Problem\t\t1\tactive" T_ROW
               "dp.A0401\tA0401\tBreak\tA04\t2\tactive" T_ROW},
    {"concepts/health_effect.tsv",
     IMDRF_HDR "he.E05\tE05\tVascular System\t\t1\tgrouping" T_ROW
               "he.E20\tE20\tInjury\t\t1\tgrouping" T_ROW
               "he.E0505\tE0505\tHematoma\tE05;E20\t2\tactive" T_ROW},
    {"concepts/health_impact.tsv",
     IMDRF_HDR "hi.F02\tF02\tDeath\t\t1\tactive" T_ROW},
    {"context/triggers.tsv", TRIG_HDR "neg.001\tno\tnegated\tforward\t0" T_ROW
                                      "ter.001\tbut\tterminate\tnone\t0" T_ROW},
    {"context/sections.tsv", PROV "id\theading\tcategory\tsource\tlicence\n"
                                  "sec.001\tFAMILY HISTORY\tfamily" T_ROW},
    {"terms/health_effect.tsv",
     TERMS_HDR "he.t1\tE0505\thematoma\tword\tactive" T_ROW
               "he.t2\tE0505\thaematoma\tword\tactive" T_ROW},
};
#define S_NMIN (sizeof s_min / sizeof s_min[0])

/* Write the minimal valid tree into a new temp dir (s_tmp). */
static int s_min_tree(void)
{
    if (!s_mkdtemp())
        return -1;
    char path[512];
    static const char *const subs[] = {"concepts", "context", "terms"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", s_tmp, subs[i]);
        if (mkdir(path, 0700) != 0)
            return -1;
    }
    for (size_t i = 0; i < S_NMIN; i++)
        if (s_put(s_tmp, s_min[i][0], s_min[i][1]) != 0)
            return -1;
    return 0;
}

/* Minimal tree with rel replaced by text (NULL: removed); load it and
 * expect DS_EPARSE at want_file:want_line with want_msg in the message. */
static const char *s_expect(const char *rel, const char *text, size_t n,
                            const char *want_file, int want_line,
                            const char *want_msg)
{
    static char why[2560];
    char buf[1024], path[512];
    nlp_rules_t *r = NULL;
    if (s_min_tree() != 0)
        return "cannot write the temp tree";
    snprintf(path, sizeof path, "%s/%s", s_tmp, rel);
    if (text ? s_write(s_tmp, rel, text, n) : unlink(path))
        return "cannot write the broken file";
    int rc = nlp_rules_load(&r, s_tmp, &diag);
    ds_diag_format(&diag, buf, sizeof buf);
    test_rmdir(s_tmp);
    if (rc != DS_EPARSE || r)
        snprintf(why, sizeof why, "rc %d (%s), want DS_EPARSE", rc, buf);
    else if (strcmp(diag.file, want_file) != 0 || diag.line != want_line ||
             !strstr(diag.msg, want_msg))
        snprintf(why, sizeof why, "got \"%s\", want %s:%d: ...%s...", buf,
                 want_file, want_line, want_msg);
    else
        return NULL;
    return why;
}

#define EXPECT_ERR(rel, text, file, line, msg)                                 \
    do {                                                                       \
        const char *why_ =                                                     \
            s_expect(rel, text, sizeof text - 1, file, line, msg);             \
        if (why_)                                                              \
            TEST_FAIL_("%s", why_);                                            \
    } while (0)

#define HE "terms/health_effect.tsv"

TEST(min_tree_loads)
{
    nlp_rules_t *r = NULL;
    char buf[1024];
    CHECK_INT(s_min_tree(), 0);
    int rc = nlp_rules_load(&r, s_tmp, &diag);
    test_rmdir(s_tmp);
    if (rc != 0)
        TEST_FAIL_("%s", ds_diag_format(&diag, buf, sizeof buf));
    size_t n;
    nlp_rules_terms(r, &n);
    CHECK_INT(n, 2);
    CHECK_STR(nlp_rules_version(r), "test-rules 0");
    const struct nlp_concept *c = s_code(r, NLP_AXIS_HEALTH_EFFECT, "E0505");
    CHECK(c && c->nparents == 2);
    nlp_rules_destroy(&r);
    CHECK(!r);
    nlp_rules_destroy(&r); /* safe twice */
    nlp_rules_destroy(NULL);
}

TEST(error_bad_header)
{
    EXPECT_ERR(HE, PROV "id\tcod\tterm\tboundary\tstatus\tsource\tlicence\n",
               HE, 3, "header column 2 is 'cod', expected 'code'");
    EXPECT_ERR(HE, PROV "id\tcode\tterm\n", HE, 3,
               "header has 3 columns, expected 7");
}

TEST(error_no_provenance)
{
    EXPECT_ERR(HE, "# licence: project-own\nid\tcode\tterm\n", HE, 2,
               "no '# source:' provenance line");
    EXPECT_ERR(HE, "# only a comment\n", HE, 2, "no header row");
}

TEST(error_duplicate_id)
{
    EXPECT_ERR(HE,
               TERMS_HDR "he.t1\tE0505\thematoma\tword\tactive" T_ROW
                         "# a comment line counts as a line\n"
                         "he.t1\tE0505\thaematoma\tword\tactive" T_ROW,
               HE, 6, "duplicate id 'he.t1' (first at " HE ":4)");
    /* unique across files, not only within one */
    EXPECT_ERR(HE, TERMS_HDR "neg.001\tE0505\thematoma\tword\tactive" T_ROW, HE,
               4, "duplicate id 'neg.001' (first at context/triggers");
}

TEST(error_unknown_code)
{
    EXPECT_ERR(HE,
               TERMS_HDR "he.t1\tE0505\thematoma\tword\tactive" T_ROW
                         "he.t2\tE9999\tbruise\tword\tactive" T_ROW,
               HE, 5, "unknown code 'E9999': not in concepts/health_effect");
    EXPECT_ERR(HE, TERMS_HDR "he.t1\tDXY\thematoma\tword\tactive" T_ROW, HE, 4,
               "code 'DXY' is not a health_effect code");
    EXPECT_ERR(HE, TERMS_HDR "he.t1\tE05\tvascular\tword\tactive" T_ROW, HE, 4,
               "code 'E05' is grouping");
}

TEST(error_bad_enum)
{
    EXPECT_ERR(HE, TERMS_HDR "he.t1\tE0505\thematoma\tword\tmaybe" T_ROW, HE, 4,
               "status 'maybe' is not one of active|ambiguous|stop");
    EXPECT_ERR("context/triggers.tsv",
               TRIG_HDR "neg.001\tno\tnegated\tsideways\t0" T_ROW,
               "context/triggers.tsv", 4, "direction 'sideways'");
    EXPECT_ERR("context/triggers.tsv",
               TRIG_HDR "neg.001\tno\tpseudo\tforward\t0" T_ROW,
               "context/triggers.tsv", 4,
               "a pseudo trigger needs direction none");
    EXPECT_ERR("context/triggers.tsv",
               TRIG_HDR "neg.001\tno\tnegated\tforward\t-1" T_ROW,
               "context/triggers.tsv", 4, "max_scope '-1' is not an integer");
}

TEST(error_bad_licence)
{
    EXPECT_ERR(HE,
               TERMS_HDR "he.t1\tE0505\thematoma\tword\tactive\t"
                         "test\tGPL-3.0\n",
               HE, 4, "licence 'GPL-3.0' is not on the allow-list");
}

TEST(error_bad_utf8)
{
    EXPECT_ERR(HE,
               TERMS_HDR "he.t1\tE0505\th\xC3\x28matoma\tword\tactive" T_ROW,
               HE, 4, "invalid UTF-8 at column 14");
    EXPECT_ERR(HE,
               TERMS_HDR "he.t1\tE0505\th\xC0\xAFmatoma\tword\tactive" T_ROW,
               HE, 4, "invalid UTF-8"); /* overlong '/' */
    EXPECT_ERR(HE, "\xEF\xBB\xBF" TERMS_HDR, HE, 1, "byte-order mark");
}

TEST(error_control_characters)
{
    EXPECT_ERR(HE, TERMS_HDR "he.t1\tE0505\thema\x01toma\tword\tactive" T_ROW,
               HE, 4, "control character (U+0001) at column 17");
    EXPECT_ERR(HE, "# source: x\r\n", HE, 1, "carriage return");
    EXPECT_ERR(HE,
               TERMS_HDR "he.t1\tE0505\thema\xC2\x85toma\tword\tactive" T_ROW,
               HE, 4, "control character (U+0085)");
}

TEST(error_fields)
{
    EXPECT_ERR(HE, TERMS_HDR "he.t1\tE0505\thematoma\tword" T_ROW, HE, 4,
               "too few fields");
    EXPECT_ERR(HE, TERMS_HDR "he.t1\tE0505\t\tword\tactive" T_ROW, HE, 4,
               "empty 'term'");
    EXPECT_ERR(HE, TERMS_HDR "he.t1\tE0505\tHematoma\tword\tactive" T_ROW, HE,
               4, "term 'Hematoma' is not in lower case");
    EXPECT_ERR(HE, TERMS_HDR "he.t1\tE0505\t hematoma\tword\tactive" T_ROW, HE,
               4, "leading or trailing space");
    EXPECT_ERR(HE, TERMS_HDR "he t1\tE0505\thematoma\tword\tactive" T_ROW, HE,
               4, "id 'he t1' is not");
    EXPECT_ERR(HE,
               TERMS_HDR "he.t1\tE0505\thematoma\tword\tactive" T_ROW
                         "he.t2\tE0505\thematoma\tword\tambiguous" T_ROW,
               HE, 5, "duplicate term 'hematoma' for code E0505");
}

TEST(error_concepts)
{
    const char *he = "concepts/health_effect.tsv";
    EXPECT_ERR("concepts/health_effect.tsv",
               IMDRF_HDR "he.E05\tE05\tVascular\t\t1\tgrouping" T_ROW
                         "he.E0505\tE0505\tHematoma\tE07\t2\tactive" T_ROW,
               he, 5, "unknown parent 'E07' of health_effect E0505");
    EXPECT_ERR("concepts/health_effect.tsv",
               IMDRF_HDR "he.E05\tE05\tVascular\t\t1\tgrouping" T_ROW
                         "he.E0505\tE0505\tHematoma\tE05;E05\t2\tactive" T_ROW,
               he, 5, "repeated parent 'E05'");
    EXPECT_ERR("concepts/health_effect.tsv",
               IMDRF_HDR "he.E05\tE05\tVascular\tE0505\t2\tactive" T_ROW
                         "he.E0505\tE0505\tHematoma\tE05\t2\tactive" T_ROW,
               he, 4, "parent cycle");
    EXPECT_ERR("concepts/health_effect.tsv",
               IMDRF_HDR "he.E05\tE05\tVascular\t\t1\tgrouping" T_ROW
                         "he.E05b\tE05\tVascular again\t\t1\tgrouping" T_ROW,
               he, 5, "duplicate code 'E05'");
    EXPECT_ERR("concepts/health_effect.tsv",
               IMDRF_HDR "he.E05\tE05\tVascular\t\t2\tgrouping" T_ROW, he, 4,
               "level 2 with no parents");
    EXPECT_ERR("concepts/device_class.tsv",
               PROV "id\tcode\tlabel\tregulation\tdevice_class\tpanel\t"
                    "implant\tlife_sustaining\tsource\tlicence\n"
                    "dc.DXY\tDXY\tPacemaker\t\t4\t\tY\tN" T_ROW,
               "concepts/device_class.tsv", 4,
               "device_class '4' is not one of 1|2|3|N|U|f");
}

TEST(error_files)
{
    EXPECT_ERR("context/sections.tsv", NULL, "context/sections.tsv", 0,
               "missing required rule file");
    EXPECT_ERR("terms/health_affect.tsv", TERMS_HDR, "terms/health_affect.tsv",
               0, "not a known rule file name");
    EXPECT_ERR("VERSION", "a\nb\n", "VERSION", 2, "more than one line");
    EXPECT_ERR("VERSION", "\n", "VERSION", 1, "empty first line");
}

TEST(missing_directory)
{
    nlp_rules_t *r = (nlp_rules_t *)&diag; /* must be overwritten */
    CHECK_INT(nlp_rules_load(&r, "/nonexistent/rules", &diag), DS_ENOTFOUND);
    CHECK(!r);
    CHECK_STR(diag.file, "/nonexistent/rules");
}

TEST(parse_buffer)
{
    size_t rows = 0;
    const char ok[] = TERMS_HDR "he.t1\tE9999\tx\tword\tactive" T_ROW;
    CHECK_INT(nlp_rules_parse_buffer(HE, ok, sizeof ok - 1, &rows, &diag), 0);
    CHECK_INT(rows, 1); /* codes are not checked without concept files */
    const char bad[] = TERMS_HDR "\n\nhe.t1\tE0505\tx\tword\tmaybe" T_ROW;
    CHECK_INT(nlp_rules_parse_buffer(HE, bad, sizeof bad - 1, NULL, &diag),
              DS_EPARSE);
    CHECK_INT(diag.line, 6);
    CHECK_INT(nlp_rules_parse_buffer("terms/x.tsv", ok, 3, NULL, &diag),
              DS_EINVAL);
    CHECK_INT(nlp_rules_parse_buffer(HE, "", 0, NULL, &diag), DS_EPARSE);
    CHECK_INT(diag.line, 1);
}

TEST(names)
{
    CHECK_STR(nlp_axis_name(NLP_AXIS_HEALTH_EFFECT), "health_effect");
    CHECK_STR(nlp_axis_name(NLP_AXIS_COUNT), "?");
    CHECK_STR(nlp_term_status_name(NLP_TERM_AMBIGUOUS), "ambiguous");
    CHECK_STR(nlp_ctx_category_name(NLP_CTX_HYPOTHETICAL), "hypothetical");
    CHECK_STR(nlp_ctx_direction_name(NLP_DIR_BIDIRECTIONAL), "bidirectional");
    CHECK_STR(nlp_concept_status_name(NLP_CONCEPT_RETIRED), "retired");
}

/* Fail allocation 1, 2, ... until a load succeeds without an injected
 * failure: every failure must be a clean DS_ENOMEM. */
TEST(allocation_failures)
{
    CHECK_INT(s_min_tree(), 0);
    int rc = DS_ENOMEM;
    uint64_t k;
    for (k = 1; k < 10000; k++) {
        nlp_rules_t *r = NULL;
        ds_alloc_fail_at(k);
        rc = nlp_rules_load(&r, s_tmp, &diag);
        int fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        nlp_rules_destroy(&r);
        if (!fired)
            break;
        if (rc != DS_ENOMEM)
            break;
    }
    test_rmdir(s_tmp);
    CHECK_INT(rc, 0);
    printf("# allocation failures: %llu injected, all DS_ENOMEM\n",
           (unsigned long long)(k - 1));
}

int main(void)
{
    RUN(load_real_tree);
    RUN(real_tree_counts);
    RUN(known_concepts);
    RUN(lookup_edges);
    RUN(known_terms);
    RUN(known_triggers_and_sections);
    RUN(no_allocation_after_load);
    RUN(hash_stable_and_sensitive);
    RUN(min_tree_loads);
    RUN(error_bad_header);
    RUN(error_no_provenance);
    RUN(error_duplicate_id);
    RUN(error_unknown_code);
    RUN(error_bad_enum);
    RUN(error_bad_licence);
    RUN(error_bad_utf8);
    RUN(error_control_characters);
    RUN(error_fields);
    RUN(error_concepts);
    RUN(error_files);
    RUN(missing_directory);
    RUN(parse_buffer);
    RUN(names);
    RUN(allocation_failures);
    nlp_rules_destroy(&s_real);
    return test_report();
}
