/*
 * test_eng_link.c - which plan cells an event counts in (eng_link.h), on
 * real extraction: the shipped rule tree (rules/, tests run from the repo
 * root) finds the mentions of short notes, and a plan set loaded from a
 * temp dir of small .plan files says which devices and events count.
 *
 * Plans (file-name order = index):
 *   0 a-close  maxsprt-poisson, MGB x E0505, window 30 days
 *   1 b-lead   maxsprt-binomial, DTB x A04 (covers A040101 Fracture),
 *              comparator family: the other codes of 870.3680 (LDF, NHW)
 * Link order checked: structured device, patient exposure within its
 * window, same sentence, same note. Also here: implant statements
 * (eng_link_implants).
 */
#include "devsurv/eng_link.h"
#include "devsurv/ds_err.h"
#include "devsurv/ds_log.h"
#include "devsurv/nlp_rules.h"
#include "../test.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#define T0     1772446500000LL /* 2026-03-02T10:15:00Z */
#define DAY_MS 86400000LL

static char s_dir[] = "/tmp/devsurv-test-link-XXXXXX";
static nlp_rules_t *s_rules;
static nlp_extract_t *s_x;
static eng_plan_set_t *s_set;
static struct nlp_result s_res;
static struct eng_links s_links;

static const char s_close[] = "id = a-close\n"
                              "devices.product_codes = MGB\n"
                              "events = E0505\n"
                              "comparator = baseline\n"
                              "window_days = 30\n"
                              "method = maxsprt-poisson\n"
                              "baseline_rate = 0.02\n";
static const char s_lead[] = "id = b-lead\n"
                             "devices.product_codes = DTB\n"
                             "events = A04\n"
                             "comparator = family\n"
                             "window_days = 1825\n"
                             "method = maxsprt-binomial\n";

static int s_write(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", s_dir, name);
    FILE *f = fopen(p, "w");
    if (!f)
        return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) != 0 ? -1 : rc;
}

/* A note of patient p at ts with text (and a structured product code). */
static struct eng_event s_note(const char *text, const char *product,
                               int64_t ts)
{
    struct eng_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = ENG_EV_NOTE;
    ev.time_ms = ts;
    ev.patient = ds_span_str("p1");
    ev.text = ds_span_str(text);
    if (product)
        ev.product_code = ds_span_str(product);
    return ev;
}

/* Extract ev's text and link it with exposures expo[0..n); links count. */
static long s_link(const struct eng_event *ev,
                   const struct eng_link_exposure *expo, size_t n)
{
    if (nlp_extract_run(s_x, ev->text, 0, &s_res) != 0)
        return -1;
    if (eng_link_event(s_set, ev, &s_res, expo, n, &s_links) != 0)
        return -1;
    return (long)s_links.n;
}

static long s_link_text(const char *text, const char *product)
{
    struct eng_event ev = s_note(text, product, T0);
    return s_link(&ev, NULL, 0);
}

static bool s_is(const struct eng_link *l, const char *dev, const char *ev)
{
    return l->device.n == strlen(dev) &&
           memcmp(l->device.p, dev, l->device.n) == 0 &&
           strcmp(l->event, ev) == 0;
}

/* The text of mention i of the last extraction. */
static const char *s_mention_text(int64_t i)
{
    static char buf[128];
    const struct nlp_mention *m = &s_res.m[i];
    snprintf(buf, sizeof buf, "%.*s", (int)(m->end - m->begin),
             s_res.doc.text.p + m->begin);
    return buf;
}

TEST(plan_set_loads_from_a_temp_dir)
{
    CHECK_INT(eng_plan_set_count(s_set), 2);
    CHECK_STR(eng_plan_set_get(s_set, 0)->id, "a-close");
    CHECK_STR(eng_plan_set_get(s_set, 1)->id, "b-lead");
    CHECK_STR(eng_plan_regulation(s_set, ds_span_str("LDF")), "870.3680");
}

/* udi_di of the structured device of an event carrying udi. */
static struct ds_span s_udi_di(const char *udi)
{
    struct eng_event ev = s_note("", "MGB", T0);
    struct eng_plan_device d;
    ev.udi = ds_span_str(udi);
    eng_link_event_device(&ev, &d);
    return d.udi_di;
}

TEST(structured_udi_gives_its_gtin)
{
    /* a GS1 carrier: the GTIN of AI (01), not the whole string */
    CHECK(ds_span_eq(s_udi_di("(01)00614141000029(21)SN1"), "00614141000029"));
    CHECK(ds_span_eq(s_udi_di("0100614141000029"), "00614141000029"));
    CHECK(ds_span_eq(s_udi_di("00614141000029"), "00614141000029"));
    /* wrong check digit, too short, HIBCC, nothing: no UDI-DI */
    CHECK_INT(s_udi_di("(01)00614141000028(21)SN1").n, 0);
    CHECK_INT(s_udi_di("00614141000028").n, 0);
    CHECK_INT(s_udi_di("0061414100002").n, 0);
    CHECK_INT(s_udi_di("+H123PARTNO1234567890120/$$52001510X3").n, 0);
    CHECK_INT(s_udi_di("").n, 0);
}

TEST(affirmed_mention_links_through_the_structured_device)
{
    CHECK_INT(s_link_text("Groin haematoma at the access site.", "MGB"), 1);
    const struct eng_link *l = &s_links.v[0];
    CHECK_INT(l->plan, 0);
    CHECK(s_is(l, "MGB", "E0505"));
    CHECK(!l->comparator);
    CHECK_INT(l->how, ENG_LINK_STRUCTURED);
    CHECK_STR(eng_link_how_name(l->how), "structured");
    CHECK(l->mention >= 0);
    CHECK_STR(s_mention_text(l->mention), "haematoma");
    CHECK_INT(l->anchor, T0);
}

TEST(negated_hypothetical_historical_family_never_link)
{
    static const char *const texts[] = {
        "No haematoma at the access site.",
        "Return if a haematoma develops.",
        "History of haematoma.",
        "Mother had a haematoma.",
    };
    static const unsigned flags[] = {NLP_F_NEGATED, NLP_F_HYPOTHETICAL,
                                     NLP_F_HISTORICAL, NLP_F_FAMILY};
    struct eng_link_exposure x = {{ds_span_str("MGB"), {0}, {0}, {0}},
                                  T0 - DAY_MS};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct eng_event ev = s_note(texts[i], "MGB", T0);
        CHECK_INT(s_link(&ev, &x, 1), 0);
        /* the mention is there, with its context flag: only not linked */
        CHECK_INT(s_res.n, 1);
        CHECK(s_res.m[0].flags & flags[i]);
        CHECK(!eng_link_affirmed(&s_res.m[0]));
    }
}

TEST(possible_links)
{
    CHECK_INT(s_link_text("Possible haematoma at the groin.", "MGB"), 1);
    CHECK(s_res.m[s_links.v[0].mention].flags & NLP_F_POSSIBLE);
    CHECK(eng_link_affirmed(&s_res.m[s_links.v[0].mention]));
}

TEST(structured_device_wins_over_mentions_and_exposures)
{
    CHECK_INT(
        s_link_text("Vascular closure device removed with haematoma.", "MGB"),
        1);
    CHECK_INT(s_links.v[0].how, ENG_LINK_STRUCTURED);
    /* and over the patient's exposures */
    struct eng_link_exposure x = {{ds_span_str("MGB"), {0}, {0}, {0}},
                                  T0 - DAY_MS};
    struct eng_event en = s_note("Groin haematoma.", "MGB", T0);
    CHECK_INT(s_link(&en, &x, 1), 1);
    CHECK_INT(s_links.v[0].how, ENG_LINK_STRUCTURED);
    CHECK_INT(s_links.v[0].anchor, T0);
    /* a report's own device is "report-device" */
    struct eng_event ev = s_note("Haematoma at the access site.", "MGB", T0);
    ev.kind = ENG_EV_REPORT;
    CHECK_INT(s_link(&ev, NULL, 0), 1);
    CHECK_INT(s_links.v[0].how, ENG_LINK_REPORT_DEVICE);
}

TEST(same_sentence_wins_over_same_note)
{
    CHECK_INT(s_link_text("Vascular closure device removed with haematoma. "
                          "Another vascular closure device was used later.",
                          NULL),
              1);
    CHECK_INT(s_links.v[0].how, ENG_LINK_SENTENCE);
    CHECK(s_is(&s_links.v[0], "MGB", "E0505"));
    CHECK_INT(s_link_text("Vascular closure device used. "
                          "Groin haematoma today.",
                          NULL),
              1);
    CHECK_INT(s_links.v[0].how, ENG_LINK_NOTE);
    CHECK_STR(eng_link_how_name(ENG_LINK_NOTE), "note");
}

TEST(patient_exposure_wins_over_mentions)
{
    /* a recorded implant names the device better than a class in text */
    struct eng_link_exposure x = {{ds_span_str("MGB"), {0}, {0}, {0}},
                                  T0 - DAY_MS};
    struct eng_event ev = s_note("Vascular closure device removed with "
                                 "haematoma.",
                                 NULL, T0);
    CHECK_INT(s_link(&ev, &x, 1), 1);
    CHECK_INT(s_links.v[0].how, ENG_LINK_EXPOSURE);
    CHECK_INT(s_links.v[0].anchor, T0 - DAY_MS); /* the exposure's time */
    /* outside the window the mention links, at the event's own time */
    x.ts = T0 - 31 * DAY_MS;
    CHECK_INT(s_link(&ev, &x, 1), 1);
    CHECK_INT(s_links.v[0].how, ENG_LINK_SENTENCE);
    CHECK_INT(s_links.v[0].anchor, T0);
}

TEST(negated_device_mention_does_not_link)
{
    CHECK_INT(s_link_text("No vascular closure device was used. "
                          "Groin haematoma.",
                          NULL),
              0);
}

TEST(patient_exposure_only_within_its_window)
{
    struct eng_link_exposure x = {{ds_span_str("MGB"), {0}, {0}, {0}}, T0};
    static const struct {
        int64_t dt;
        long n;
    } at[] = {
        {0, 1},               /* at the exposure itself */
        {10 * DAY_MS, 1},     /* inside */
        {30 * DAY_MS, 1},     /* the window's last instant */
        {30 * DAY_MS + 1, 0}, /* just after */
        {-1, 0},              /* before the exposure */
        {-30 * DAY_MS, 0},    /* long before */
    };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        struct eng_event ev =
            s_note("Groin haematoma at the access site.", NULL, T0 + at[i].dt);
        CHECK_INT(s_link(&ev, &x, 1), at[i].n);
        if (at[i].n) {
            CHECK_INT(s_links.v[0].how, ENG_LINK_EXPOSURE);
            CHECK_STR(eng_link_how_name(s_links.v[0].how), "patient-exposure");
            CHECK_INT(s_links.v[0].anchor, T0); /* the exposure's time */
            CHECK(s_is(&s_links.v[0], "MGB", "E0505"));
        }
    }
}

TEST(exposure_of_another_device_does_not_link)
{
    struct eng_link_exposure x[] = {
        {{ds_span_str("NVY"), {0}, {0}, {0}}, T0 - DAY_MS},
        {{ds_span_str("LZG"), {0}, {0}, {0}}, T0 - DAY_MS},
    };
    struct eng_event ev = s_note("Groin haematoma.", NULL, T0);
    CHECK_INT(s_link(&ev, x, 2), 0);
    /* with the right one among them: exactly that one */
    struct eng_link_exposure y[] = {
        x[0], {{ds_span_str("MGB"), {0}, {0}, {0}}, T0 - 2 * DAY_MS}, x[1]};
    CHECK_INT(s_link(&ev, y, 3), 1);
    CHECK_INT(s_links.v[0].anchor, T0 - 2 * DAY_MS);
}

TEST(comparator_device_is_flagged_comparator)
{
    CHECK_INT(
        s_link_text("Temporary pacemaker electrode with lead fracture.", NULL),
        1);
    const struct eng_link *l = &s_links.v[0];
    CHECK_INT(l->plan, 1);
    CHECK(s_is(l, "LDF", "A04"));
    CHECK(l->comparator);
    CHECK_INT(l->how, ENG_LINK_SENTENCE);
    /* the group's own device is not a comparator */
    CHECK_INT(s_link_text("Pacemaker lead fracture.", NULL), 1);
    CHECK(s_is(&s_links.v[0], "DTB", "A04"));
    CHECK(!s_links.v[0].comparator);
    /* NVY: no regulation, not in the group: neither */
    CHECK_INT(s_link_text("ICD lead fracture.", NULL), 0);
    struct eng_plan_device d = {ds_span_str("NHW"), {0}, {0}, {0}};
    CHECK(eng_plan_device_comparator(s_set, eng_plan_set_get(s_set, 1), &d));
    CHECK(!eng_plan_device_comparator(s_set, eng_plan_set_get(s_set, 0), &d));
}

TEST(plan_event_covers_descendants)
{
    CHECK_INT(s_link_text("Pacemaker lead fracture.", NULL), 1);
    const struct eng_link *l = &s_links.v[0];
    CHECK_STR(s_res.m[l->mention].code.p[0] == 'A' ? "A" : "?", "A");
    CHECK_INT(s_res.m[l->mention].code.n, 7); /* A040101 */
    CHECK(memcmp(s_res.m[l->mention].code.p, "A040101", 7) == 0);
    /* the cell's event is the plan's code, a pointer into the plan */
    CHECK_STR(l->event, "A04");
    CHECK(l->event == eng_plan_set_get(s_set, 1)->events[0]);
    /* a coded event of a descendant counts too */
    struct eng_event ev = s_note("", "DTB", T0);
    ev.text = (struct ds_span){NULL, 0};
    ev.event_code = ds_span_str("A040101");
    CHECK_INT(eng_link_event(s_set, &ev, NULL, NULL, 0, &s_links), 0);
    CHECK_INT(s_links.n, 1);
    CHECK_STR(s_links.v[0].event, "A04");
    CHECK_INT(s_links.v[0].mention, -1);
    /* but not a code outside the plan's events */
    ev.event_code = ds_span_str("E0505");
    CHECK_INT(eng_link_event(s_set, &ev, NULL, NULL, 0, &s_links), 0);
    CHECK_INT(s_links.n, 0);
}

TEST(plan_device_event_counts_once_per_event)
{
    /* two fracture mentions, two lead mentions, a coded fracture too */
    struct eng_event ev = s_note("Pacemaker lead fracture. The pacemaker lead "
                                 "fracture was confirmed.",
                                 "DTB", T0);
    ev.event_code = ds_span_str("A040101");
    CHECK_INT(s_link(&ev, NULL, 0), 1);
    CHECK(s_is(&s_links.v[0], "DTB", "A04"));
    CHECK_INT(s_links.v[0].mention, -1); /* the coded event came first */
    /* two plans' events in one note: one link each */
    ev = s_note("Pacemaker lead fracture with groin haematoma. "
                "Vascular closure device used.",
                NULL, T0);
    CHECK_INT(s_link(&ev, NULL, 0), 2);
    CHECK_INT(s_links.v[0].plan, 0);
    CHECK_INT(s_links.v[0].how, ENG_LINK_NOTE);
    CHECK_INT(s_links.v[1].plan, 1);
    CHECK_INT(s_links.v[1].how, ENG_LINK_SENTENCE);
}

TEST(links_are_replaced_on_each_call)
{
    CHECK_INT(s_link_text("Groin haematoma.", "MGB"), 1);
    CHECK_INT(s_link_text("Uneventful recovery.", "MGB"), 0);
}

static size_t s_implants(const char *text, struct ds_span *out, size_t cap)
{
    if (nlp_extract_run(s_x, ds_span_str(text), 0, &s_res) != 0)
        return (size_t)-1;
    return eng_link_implants(&s_res, out, cap);
}

static bool s_span_is(struct ds_span s, const char *str)
{
    return s.n == strlen(str) && memcmp(s.p, str, s.n) == 0;
}

TEST(implant_statements_are_found)
{
    struct ds_span c[4];
    CHECK_INT(s_implants("ICD lead implanted on the left.", c, 4), 1);
    CHECK(s_span_is(c[0], "NVY"));
    CHECK_INT(
        s_implants("Vascular closure device deployed at the groin.", c, 4), 1);
    CHECK(s_span_is(c[0], "MGB"));
    CHECK_INT(s_implants("PLACEMENT OF A PACEMAKER LEAD.", c, 4), 1);
    CHECK(s_span_is(c[0], "DTB"));
    /* two devices, the same one twice: each code once */
    CHECK_INT(s_implants("ICD lead implanted; a second ICD lead inserted and "
                         "a vascular closure device deployed.",
                         c, 4),
              2);
    CHECK(s_span_is(c[0], "NVY"));
    CHECK(s_span_is(c[1], "MGB"));
    CHECK_INT(s_implants("ICD lead implanted; vascular closure device "
                         "deployed.",
                         c, 1),
              1); /* cap respected */
}

TEST(negated_or_distant_implant_statements_are_not)
{
    struct ds_span c[4];
    CHECK_INT(s_implants("No ICD lead implanted.", c, 4), 0);
    /* the verb in another sentence */
    CHECK_INT(s_implants("ICD lead checked. Implanted yesterday.", c, 4), 0);
    /* a device without any implant word */
    CHECK_INT(s_implants("Vascular closure device removed.", c, 4), 0);
    /* an implant word without a device */
    CHECK_INT(s_implants("Implanted last year, doing well.", c, 4), 0);
}

static int s_setup(void)
{
    struct ds_diag diag;
    memset(&diag, 0, sizeof diag);
    if (!mkdtemp(s_dir) || s_write("a-close.plan", s_close) != 0 ||
        s_write("b-lead.plan", s_lead) != 0) {
        printf("FAIL - setup: cannot write plans in %s\n", s_dir);
        return -1;
    }
    if (nlp_rules_load(&s_rules, "rules", &diag) != 0 ||
        nlp_extract_new(&s_x, s_rules, &diag) != 0 ||
        eng_plan_set_load(&s_set, s_dir, "rules", &diag) != 0) {
        printf("FAIL - setup: %s\n", diag.msg);
        return -1;
    }
    nlp_result_init(&s_res);
    eng_links_init(&s_links);
    return 0;
}

int main(void)
{
    ds_log_set_level(DS_LOG_ERROR);
    int rc = s_setup();
    if (rc == 0) {
        RUN(plan_set_loads_from_a_temp_dir);
        RUN(structured_udi_gives_its_gtin);
        RUN(affirmed_mention_links_through_the_structured_device);
        RUN(negated_hypothetical_historical_family_never_link);
        RUN(possible_links);
        RUN(structured_device_wins_over_mentions_and_exposures);
        RUN(same_sentence_wins_over_same_note);
        RUN(patient_exposure_wins_over_mentions);
        RUN(negated_device_mention_does_not_link);
        RUN(patient_exposure_only_within_its_window);
        RUN(exposure_of_another_device_does_not_link);
        RUN(comparator_device_is_flagged_comparator);
        RUN(plan_event_covers_descendants);
        RUN(plan_device_event_counts_once_per_event);
        RUN(links_are_replaced_on_each_call);
        RUN(implant_statements_are_found);
        RUN(negated_or_distant_implant_statements_are_not);
    }
    eng_links_clear(&s_links);
    nlp_result_clear(&s_res);
    eng_plan_set_destroy(&s_set);
    nlp_extract_destroy(&s_x);
    nlp_rules_destroy(&s_rules);
    test_rmdir(s_dir);
    return rc != 0 ? 1 : test_report();
}
