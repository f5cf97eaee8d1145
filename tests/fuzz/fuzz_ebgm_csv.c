/*
 * fuzz_ebgm_csv.c - libFuzzer target for eng_ebgm_csv_parse(), and the
 * EBGM fit and scoring on whatever it accepts.
 *
 * Any bytes must give 0, DS_EPARSE, DS_ETOOBIG or DS_ENOMEM; an error
 * names a line that exists (or 0); every cell kept has a whole n >= 0 and
 * a finite e > 0. The cells of small accepted tables (up to 64) with
 * n <= 1e6 are scored with the default prior: EBGM finite and >= 0, EB05
 * <= EB95. Tables of up to 32 cells are also fitted when the input length
 * is a multiple of 4 (a fit costs ~1000 parses): 0 or DS_EINVAL, a valid
 * prior with p <= 0.5, a negLL that is not NaN, and the same scoring
 * checks under the fitted prior (which may drive a shape to its bound, so
 * that a geometric mean underflows to 0). Not here: checking values against
 * references (tests/engine/test_eng_ebgm.c does that).
 */
#include "devsurv/ds_err.h"
#include "devsurv/eng_ebgm.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_check_parse(const char *text, size_t size, int rc,
                          const struct eng_ebgm_table *t,
                          const struct ds_diag *d)
{
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    if (rc != 0 && rc != DS_EPARSE && rc != DS_ETOOBIG && rc != DS_ENOMEM)
        abort();
    if (rc != 0 &&
        (d->msg[0] == '\0' || d->line < 0 || (size_t)d->line > lines))
        abort();
    for (size_t i = 0; i < t->count; i++)
        if (!(t->n[i] >= 0) || t->n[i] != floor(t->n[i]) || !(t->e[i] > 0) ||
            isinf(t->e[i]))
            abort();
}

static void s_check_scores(const struct eng_ebgm_prior *th,
                           const struct eng_ebgm_table *t)
{
    for (size_t i = 0; i < t->count; i++) {
        struct eng_ebgm_score s;
        if (t->n[i] > 1e6)
            continue;
        if (eng_ebgm_score(th, t->n[i], t->e[i], &s) != 0 || !(s.ebgm >= 0) ||
            isinf(s.ebgm) || !(s.eb05 <= s.eb95))
            abort();
    }
}

static void s_check_fit(const struct eng_ebgm_table *t)
{
    struct eng_ebgm_fit f;
    int rc = eng_ebgm_fit(t, &f);
    if (rc == DS_EINVAL)
        return;
    if (rc != 0 || !eng_ebgm_prior_valid(&f.theta) || f.theta.p > 0.5 ||
        isnan(f.neg_log_lik))
        abort();
    s_check_scores(&f.theta, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct eng_ebgm_prior dflt = ENG_EBGM_PRIOR_DEFAULT;
    struct eng_ebgm_table t;
    struct ds_diag d;
    eng_ebgm_table_init(&t);
    int rc = eng_ebgm_csv_parse((const char *)data, size, "fuzz", &t, &d);
    s_check_parse((const char *)data, size, rc, &t, &d);
    if (rc == 0 && t.count <= 64)
        s_check_scores(&dflt, &t);
    if (rc == 0 && t.count <= 32 && size % 4 == 0)
        s_check_fit(&t); /* a fit takes ~1000 times a parse: 1 input in 4 */
    eng_ebgm_table_clear(&t);
    return 0;
}
