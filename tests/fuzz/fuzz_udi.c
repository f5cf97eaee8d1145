/*
 * fuzz_udi.c - libFuzzer target for nlp_udi_parse() and nlp_udi_find().
 *
 * Any bytes must parse to 0, DS_EINVAL or DS_EPARSE with a one-line
 * diagnostic on error. Whenever a check digit or character was read (on
 * error too), check_ok must agree with it recomputed over the spans.
 * Whatever parses must hold together: every span lies inside the input,
 * check_ok is true, fields fit their agency, and dates are real calendar
 * dates. The finder must return ordered, non-empty spans inside the text,
 * make progress on every call and leave its outputs alone when it finds
 * nothing; every candidate obeys the same parse invariants. Any breach
 * abort()s.
 *
 * Not here: whether the accepted strings are the right ones (the unit
 * tests compare against worked examples and a second check method).
 */
#include "devsurv/ds_diag.h"
#include "devsurv/ds_err.h"
#include "devsurv/nlp_udi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_need(int cond)
{
    if (!cond)
        abort();
}

/* sp is empty or lies inside s. */
static void s_inside(struct ds_span s, struct ds_span sp)
{
    if (sp.n == 0)
        return;
    s_need(sp.p >= s.p && sp.p + sp.n <= s.p + s.n);
}

static void s_valid_date(int32_t ymd)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    if (ymd == 0)
        return;
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    s_need(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1);
    s_need(d <= days[m - 1] && (m != 2 || d <= 28 || leap));
}

/* When a check digit or character was read, check_ok must say whether
 * it is right, on success and on error alike. */
static void s_check_consistent(struct ds_span s, const struct nlp_udi *u)
{
    if (u->check.n == 0) {
        s_need(!u->check_ok);
        return;
    }
    s_inside(s, u->check);
    s_inside(s, u->di);
    s_need(u->check.n == 1 && u->check.p > u->di.p);
    if (u->agency == NLP_UDI_GS1) {
        s_need(u->di.n == 14 && u->check.p == u->di.p + 13);
        int want = nlp_gs1_check_digit(u->di.p, 13);
        s_need(u->check_ok == (want == u->di.p[13] - '0'));
        return;
    }
    s_need(u->agency == NLP_UDI_HIBCC && u->di.p > s.p);
    const char *plus = u->di.p - 1;
    char c = u->check.p[0] == '_' ? ' ' : u->check.p[0];
    s_need(plus[0] == '+');
    int want = nlp_hibcc_check_char(plus, (size_t)(u->check.p - plus));
    s_need(u->check_ok == (want == c));
}

static void s_gs1(const struct nlp_udi *u)
{
    s_need(u->labeler.n == 0 && u->product.n == 0);
    s_need(u->unit_of_measure == -1 && u->quantity == -1);
    s_need(u->lot.n <= NLP_UDI_GS1_LOT_MAX);
    s_need(u->serial.n <= NLP_UDI_GS1_LOT_MAX);
}

static void s_hibcc(const struct nlp_udi *u)
{
    s_need(u->labeler.p == u->di.p && u->labeler.n == 4);
    s_need(u->product.n >= 1 && u->product.n <= NLP_UDI_HIBC_PCN_MAX);
    s_need(u->di.n == 4 + u->product.n + 1);
    s_need(u->unit_of_measure == u->di.p[u->di.n - 1] - '0');
    s_need(u->unit_of_measure >= 0 && u->unit_of_measure <= 9);
    s_need(u->lot.n <= NLP_UDI_HIBC_LOT_MAX);
    s_need(u->serial.n <= NLP_UDI_HIBC_LOT_MAX);
}

/* Parse s and check the invariants above. */
static void s_parse(struct ds_span s)
{
    struct nlp_udi u;
    struct ds_diag d;
    ds_diag_clear(&d);
    int rc = nlp_udi_parse(s, &u, &d);
    s_check_consistent(s, &u);
    if (rc != 0) {
        s_need(rc == DS_EINVAL || rc == DS_EPARSE);
        s_need(d.msg[0] != '\0' && strchr(d.msg, '\n') == NULL);
        s_need(rc != DS_EPARSE || u.agency == NLP_UDI_NONE);
        return;
    }
    s_need(u.check_ok && d.msg[0] == '\0');
    struct ds_span all[] = {u.di,     u.labeler, u.product,    u.lot,
                            u.serial, u.check,   u.unsupported};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        s_inside(s, all[i]);
    s_valid_date(u.expiry_yyyymmdd);
    s_valid_date(u.production_yyyymmdd);
    s_need((u.n_unsupported == 0) == (u.unsupported.n == 0));
    if (u.agency == NLP_UDI_GS1) {
        s_gs1(&u);
    } else {
        s_need(u.agency == NLP_UDI_HIBCC);
        s_hibcc(&u);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ds_span s = {(const char *)data, size};
    size_t at = 0, b = SIZE_MAX, e = SIZE_MAX, calls = 0;
    s_parse(s);
    while (nlp_udi_find(s, at, &b, &e)) {
        s_need(b >= at && b < e && e <= size && ++calls <= size);
        s_parse((struct ds_span){s.p + b, e - b});
        at = e;
        b = e = SIZE_MAX;
    }
    s_need(b == SIZE_MAX && e == SIZE_MAX);
    return 0;
}
