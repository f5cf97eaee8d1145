/*
 * test_eng_plan_set.c - plan sets and matching (eng_plan.h) against the
 * repository's rule tree (run from the repository root, as make test
 * does): a directory loads sorted by name, ids are unique, the hash
 * follows every byte, concepts are checked with the line at fault; a
 * device is in a group by product code, regulation, brand, model or
 * UDI-DI; the comparator family is the group's regulations minus the
 * group; an event code is covered through one or several parents.
 *
 * Not here: the line syntax (test_eng_plan.c), the CLI
 * (tests/integration/check_plans.sh).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_plan.h"
#include "../test.h"

#include <stdlib.h>
#include <unistd.h>

#define S_RULES "rules"

static char s_dir[64];

static void s_mkdir(void)
{
    snprintf(s_dir, sizeof s_dir, "/tmp/test-eng-plan.XXXXXX");
    if (!mkdtemp(s_dir))
        abort();
}

static void s_write(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
}

static void s_rmdir(void)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    if (system(cmd) != 0)
        abort();
}

static int s_load(eng_plan_set_t **set, struct ds_diag *d)
{
    return eng_plan_set_load(set, s_dir, S_RULES, d);
}

static struct ds_span S(const char *s) {
    return ds_span_str(s);
}

TEST(shipped_plans_load)
{
    eng_plan_set_t *set = NULL;
    struct ds_diag d;
    CHECK_INT(eng_plan_set_load(&set, S_RULES "/plans", S_RULES, &d), 0);
    CHECK_INT(eng_plan_set_count(set), 4);
    CHECK_STR(eng_plan_set_get(set, 0)->id, "closure-haematoma");
    CHECK_STR(eng_plan_set_get(set, 1)->id, "hip-revision");
    CHECK_STR(eng_plan_set_get(set, 2)->id, "icd-lead-fracture");
    CHECK_STR(eng_plan_set_get(set, 3)->id, "insulin-pump-dka");
    CHECK_STR(eng_plan_set_files(set), "closure-haematoma.plan "
                                       "hip-revision.plan "
                                       "icd-lead-fracture.plan "
                                       "insulin-pump-dka.plan");
    CHECK(eng_plan_set_get(set, 4) == NULL);
    eng_plan_set_destroy(&set);
    CHECK(set == NULL);
}

TEST(sorted_by_name_with_files_and_hash)
{
    eng_plan_set_t *set = NULL;
    struct ds_diag d;
    s_mkdir();
    s_write("b.plan", "id = bbb\nmethod = disproportionality\na_min = 3\n");
    s_write("a.plan", "id = aaa\nmethod = disproportionality\na_min = 3\n");
    s_write("notes.txt", "not a plan");
    s_write(".hidden.plan", "not loaded");
    CHECK_INT(s_load(&set, &d), 0);
    CHECK_INT(eng_plan_set_count(set), 2);
    CHECK_STR(eng_plan_set_get(set, 0)->id, "aaa");
    CHECK_STR(eng_plan_set_get(set, 0)->file, "plans/a.plan");
    CHECK_STR(eng_plan_set_get(set, 1)->id, "bbb");
    CHECK_STR(eng_plan_set_files(set), "a.plan b.plan");
    char h1[65];
    snprintf(h1, sizeof h1, "%s", eng_plan_set_sha256(set));
    CHECK_INT(strlen(h1), 64);
    eng_plan_set_destroy(&set);

    /* one byte changes the hash; restoring it restores the hash */
    s_write("b.plan", "id = bbb\nmethod = disproportionality\na_min = 4\n");
    CHECK_INT(s_load(&set, &d), 0);
    CHECK(strcmp(eng_plan_set_sha256(set), h1) != 0);
    eng_plan_set_destroy(&set);
    s_write("b.plan", "id = bbb\nmethod = disproportionality\na_min = 3\n");
    CHECK_INT(s_load(&set, &d), 0);
    CHECK_STR(eng_plan_set_sha256(set), h1);
    eng_plan_set_destroy(&set);
    s_rmdir();
}

TEST(duplicate_id_refused)
{
    eng_plan_set_t *set = NULL;
    struct ds_diag d;
    char want[128];
    s_mkdir();
    s_write("a.plan", "id = same\nmethod = disproportionality\na_min = 3\n");
    s_write("b.plan", "# b\nid = same\nmethod = disproportionality\n"
                      "a_min = 3\n");
    CHECK_INT(s_load(&set, &d), DS_ECONFIG);
    CHECK(set == NULL);
    snprintf(want, sizeof want, "%s/b.plan", s_dir);
    CHECK_STR(d.file, want);
    CHECK_INT(d.line, 2);
    CHECK_HAS(d.msg, "id 'same' already used by plans/a.plan");
    s_rmdir();
}

TEST(empty_and_missing_directory)
{
    eng_plan_set_t *set = NULL;
    struct ds_diag d;
    s_mkdir();
    CHECK_INT(s_load(&set, &d), 0);
    CHECK_INT(eng_plan_set_count(set), 0);
    CHECK_STR(eng_plan_set_files(set), "");
    /* SHA-256 of nothing */
    CHECK_STR(eng_plan_set_sha256(set), "e3b0c44298fc1c149afbf4c8996fb924"
                                        "27ae41e4649b934ca495991b7852b855");
    eng_plan_set_destroy(&set);
    s_rmdir();
    CHECK_INT(s_load(&set, &d), DS_ENOTFOUND);
    CHECK(set == NULL);
}

/* Each plan refused by the set, with its line and message. */
TEST(concept_checks_name_the_line)
{
    static const struct {
        const char *text;
        int line;
        const char *why;
    } bad[] = {
        {"id = a\nmethod = disproportionality\na_min = 3\n"
         "devices.product_codes = MGB ZZZ\n",
         4, "product code 'ZZZ' is not in concepts/device_class.tsv"},
        {"id = a\nmethod = disproportionality\na_min = 3\n"
         "devices.regulations = 999.9999\n",
         4, "regulation '999.9999' names no product code"},
        {"id = a\nevents = A04 A0499\nmethod = disproportionality\n"
         "a_min = 3\n",
         2, "IMDRF code 'A0499' is not in concepts/"},
        {"id = a\ndevices.product_codes = NVY\ncomparator = family\n"
         "method = maxsprt-binomial\n",
         3, "comparator family: no regulation number"},
        {"id = a\nmethod = disproportionality\na_min = 3\n"
         "alpha = 7\n",
         4, "bad value '7' for alpha"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        eng_plan_set_t *set = NULL;
        struct ds_diag d;
        s_mkdir();
        s_write("x.plan", bad[i].text);
        int rc = s_load(&set, &d);
        s_rmdir();
        if (rc != DS_ECONFIG || d.line != bad[i].line ||
            !strstr(d.msg, bad[i].why) || !strstr(d.file, "/x.plan"))
            TEST_FAIL_("case %zu: rc %d, %s:%d: %s", i, rc, d.file, d.line,
                       d.msg);
    }
}

/* A set with the plans the match tests use. */
static eng_plan_set_t *s_match_set(void)
{
    eng_plan_set_t *set = NULL;
    struct ds_diag d;
    s_mkdir();
    s_write("leads.plan",
            "id = leads\nmethod = maxsprt-binomial\ncomparator = family\n"
            "devices.product_codes = DTB\ndevices.brands = Sprint_Fidelis\n"
            "devices.models = 6949\ndevices.udi_di = 0643169007222\n"
            "events = A04 A0722\ngroup_by = model\n");
    s_write("pumps.plan",
            "id = pumps\nmethod = cusum-bernoulli\nbaseline_rate = 0.005\n"
            "h = 2.7\ndevices.regulations = 880.5725\nevents = E12\n");
    s_write("pumps2.plan",
            "id = pumps2\nmethod = cusum-bernoulli\nbaseline_rate = 0.005\n"
            "h = 2.7\ndevices.product_codes = LZG\nevents = E22 E12\n");
    int rc = s_load(&set, &d);
    s_rmdir();
    if (rc)
        fprintf(stderr, "%s:%d: %s\n", d.file, d.line, d.msg);
    return set;
}

static bool s_in(eng_plan_set_t *set, size_t i, const char *pc,
                 const char *brand, const char *model, const char *udi)
{
    struct eng_plan_device dev = {S(pc), S(brand), S(model), S(udi)};
    return eng_plan_device_in(set, eng_plan_set_get(set, i), &dev);
}

static bool s_comp(eng_plan_set_t *set, size_t i, const char *pc)
{
    struct eng_plan_device dev = {S(pc), S(""), S(""), S("")};
    return eng_plan_device_comparator(set, eng_plan_set_get(set, i), &dev);
}

TEST(device_group)
{
    eng_plan_set_t *set = s_match_set();
    CHECK(set != NULL);
    CHECK(s_in(set, 0, "DTB", "", "", ""));            /* product code */
    CHECK(s_in(set, 0, "dtb", "", "", ""));            /* any case */
    CHECK(!s_in(set, 0, "LDF", "", "", ""));           /* same regulation: no */
    CHECK(s_in(set, 0, "", "SPRINT fidelis", "", "")); /* brand */
    CHECK(!s_in(set, 0, "", "Sprint", "", ""));
    CHECK(s_in(set, 0, "", "", "6949", ""));           /* model */
    CHECK(s_in(set, 0, "", "", "", "00643169007222")); /* UDI-DI, GTIN-14 */
    CHECK(s_in(set, 0, "", "", "", "0643169007222"));  /* GTIN-13 */
    CHECK(!s_in(set, 0, "", "", "", "00643169007239"));
    CHECK(!s_in(set, 0, "", "", "", ""));
    CHECK(s_in(set, 1, "LZG", "", "", "")); /* regulation 880.5725 */
    CHECK(s_in(set, 1, "MEB", "", "", ""));
    CHECK(!s_in(set, 1, "QFG", "", "", "")); /* 880.5730 */
    CHECK(!s_in(set, 1, "XXX", "", "", ""));
    eng_plan_set_destroy(&set);
}

TEST(comparator_family_excludes_group)
{
    eng_plan_set_t *set = s_match_set();
    CHECK(set != NULL);
    CHECK(s_comp(set, 0, "LDF")); /* 870.3680, not in the group */
    CHECK(s_comp(set, 0, "NHW"));
    CHECK(!s_comp(set, 0, "DTB")); /* in the group */
    CHECK(!s_comp(set, 0, "DXY")); /* 870.3610: another family */
    CHECK(!s_comp(set, 0, "NVY")); /* no regulation */
    CHECK(!s_comp(set, 0, ""));
    struct eng_plan_device brand_in = {S("LDF"), S("Sprint Fidelis"), S(""),
                                       S("")};
    CHECK(!eng_plan_device_comparator(set, eng_plan_set_get(set, 0),
                                      &brand_in)); /* in by brand */
    CHECK(!s_comp(set, 1, "MEB")); /* comparator baseline: never */
    eng_plan_set_destroy(&set);
}

TEST(device_key_and_regulation)
{
    eng_plan_set_t *set = s_match_set();
    CHECK(set != NULL);
    struct eng_plan_device dev = {S("DTB"), S("Sprint Fidelis"), S("6949"),
                                  S("")};
    struct ds_span k = eng_plan_device_key(eng_plan_set_get(set, 0), &dev);
    CHECK(ds_span_eq(k, "6949"));
    k = eng_plan_device_key(eng_plan_set_get(set, 1), &dev);
    CHECK(ds_span_eq(k, "DTB"));
    CHECK_STR(eng_plan_regulation(set, S("DTB")), "870.3680");
    CHECK_STR(eng_plan_regulation(set, S("lzg")), "880.5725");
    CHECK_STR(eng_plan_regulation(set, S("MGB")), ""); /* PMA, none */
    CHECK_STR(eng_plan_regulation(set, S("QQQQ")), "");
    eng_plan_set_destroy(&set);
}

static const char *s_cover(eng_plan_set_t *set, size_t i, const char *code)
{
    return eng_plan_event_cover(set, eng_plan_set_get(set, i), S(code));
}

TEST(event_cover_through_parents)
{
    eng_plan_set_t *set = s_match_set();
    CHECK(set != NULL);
    /* one parent per level: A04 > A0401 > A040101 */
    CHECK_STR(s_cover(set, 0, "A04"), "A04");
    CHECK_STR(s_cover(set, 0, "A0401"), "A04");
    CHECK_STR(s_cover(set, 0, "A040101"), "A04");
    CHECK_STR(s_cover(set, 0, "A072201"), "A0722");
    CHECK(s_cover(set, 0, "A0701") == NULL); /* a sibling of A0722 */
    CHECK(s_cover(set, 0, "A07") == NULL);   /* an ancestor is not covered */
    CHECK(s_cover(set, 0, "E0505") == NULL);
    CHECK(s_cover(set, 0, "Z99") == NULL);
    CHECK(s_cover(set, 0, "") == NULL);
    /* several parents: E1205 is under E12 and E22 */
    CHECK_STR(s_cover(set, 1, "E1205"), "E12");
    CHECK_STR(s_cover(set, 1, "E120501"), "E12");
    CHECK(s_cover(set, 1, "E2206") == NULL);
    CHECK_STR(s_cover(set, 2, "E2206"), "E22");
    CHECK_STR(s_cover(set, 2, "E120501"), "E22"); /* both: first listed */
    CHECK_STR(s_cover(set, 2, "E1201"), "E12");
    /* covered codes: A04's subtree and A0722's */
    CHECK(eng_plan_cover_count(set, eng_plan_set_get(set, 0)) > 40);
    eng_plan_set_destroy(&set);
}

TEST(plan_outside_the_set_walks_the_hierarchy)
{
    eng_plan_set_t *set = s_match_set();
    struct eng_plan p;
    struct ds_diag d;
    static const char text[] = "id = lone\nmethod = disproportionality\n"
                               "a_min = 3\nevents = E22\n"
                               "devices.product_codes = DTB\n"
                               "comparator = family\n";
    CHECK(set != NULL);
    CHECK_INT(eng_plan_parse(&p, text, strlen(text), "lone.plan", &d), 0);
    CHECK_STR(eng_plan_event_cover(set, &p, S("E120501")), "E22");
    CHECK(eng_plan_event_cover(set, &p, S("E1201")) == NULL);
    struct eng_plan_device ldf = {S("LDF"), S(""), S(""), S("")};
    CHECK(eng_plan_device_comparator(set, &p, &ldf));
    CHECK_INT(eng_plan_cover_count(set, &p), 0);
    /* without a set: the code itself only */
    CHECK_STR(eng_plan_event_cover(NULL, &p, S("E22")), "E22");
    CHECK(eng_plan_event_cover(NULL, &p, S("E2206")) == NULL);
    eng_plan_set_destroy(&set);
}

/* Every allocation of a load fails in turn: each attempt either succeeds
 * or returns DS_ENOMEM with no set (ASan reports any leak). */
TEST(allocation_failures)
{
    int done = 0;
    for (uint64_t nth = 1; !done && nth < 10000; nth++) {
        eng_plan_set_t *set = NULL;
        struct ds_diag d;
        ds_alloc_fail_at(nth);
        int rc = eng_plan_set_load(&set, S_RULES "/plans", S_RULES, &d);
        int fired = ds_alloc_fail_fired();
        ds_alloc_fail_at(0);
        if (rc != 0 && rc != DS_ENOMEM)
            TEST_FAIL_("nth %llu: rc %d: %s", (unsigned long long)nth, rc,
                       d.msg);
        if ((rc == 0) != (set != NULL))
            TEST_FAIL_("nth %llu: rc %d with set %p", (unsigned long long)nth,
                       rc, (void *)set);
        done = !fired;
        CHECK(done ? rc == 0 : 1);
        eng_plan_set_destroy(&set);
    }
    CHECK(done);
}

int main(void)
{
    RUN(shipped_plans_load);
    RUN(sorted_by_name_with_files_and_hash);
    RUN(duplicate_id_refused);
    RUN(empty_and_missing_directory);
    RUN(concept_checks_name_the_line);
    RUN(device_group);
    RUN(comparator_family_excludes_group);
    RUN(device_key_and_regulation);
    RUN(event_cover_through_parents);
    RUN(plan_outside_the_set_walks_the_hierarchy);
    RUN(allocation_failures);
    return test_report();
}
