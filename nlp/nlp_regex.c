/*
 * nlp_regex.c - compile a rule set's identifier patterns with PCRE2: each
 * pattern alone (checked, JIT-compiled, kept for one-at-a-time scans),
 * then patterns joined on their first byte (nlp_regex.h has the contract
 * and the measurements behind the choice).
 *
 * The join key comes from PCRE2 itself (pcre2_pattern_info): a literal
 * first code unit (FIRSTCODETYPE 1; the JIT finds it with a vector
 * search), else the start bitmap (joined only with an identical bitmap),
 * else "any start". The wrapper "(?:p_a)|(?:p_b)" scopes inline options
 * such as (?-i) to their branch; group numbers shift, so a pattern that
 * refers to a group, uses verbs, \Q or extended mode is never joined, and
 * a joined regex must compile with one group per member or its members
 * run alone. Group names may repeat across members (PCRE2_DUPNAMES).
 *
 * PCRE2 10.42, pcre2api(3): pcre2_compile, pcre2_jit_compile (returns
 * PCRE2_ERROR_NOMEMORY when executable memory is refused),
 * pcre2_pattern_info (CAPTURECOUNT, FIRSTCODETYPE, FIRSTCODEUNIT,
 * FIRSTBITMAP).
 *
 * Not here: the scan (nlp_regex_scan.c), validators (nlp_regex_valid.c).
 */
#include "nlp_regex_impl.h"

#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"

#include <stdio.h>
#include <string.h>

#define S_OPTIONS                                                              \
    (PCRE2_CASELESS | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP |                      \
     PCRE2_USE_OFFSET_LIMIT)

#define S_KEY_BITMAP 256u       /* joined: PCRE2 has a first-byte set */
#define S_KEY_ANY    257u       /* joined: any byte may start a match */
#define S_KEY_ALONE  UINT32_MAX /* never joined */

static void *s_malloc(PCRE2_SIZE n, void *data)
{
    (void)data;
    return ds_malloc(n);
}

static void s_free(void *p, void *data)
{
    (void)data;
    ds_free(p);
}

pcre2_general_context *nlp_regex_gctx(void)
{
    return pcre2_general_context_create(s_malloc, s_free, NULL);
}

void nlp_regex_destroy(nlp_regex_t **self_p)
{
    nlp_regex_t *x = self_p ? *self_p : NULL;
    if (!x)
        return;
    for (size_t i = 0; i < x->npass; i++)
        if (x->pass[i].n > 1)
            pcre2_code_free(x->pass[i].code);
    for (size_t i = 0; x->single && i < x->npat; i++)
        pcre2_code_free(x->single[i]);
    ds_free(x->pass);
    ds_free(x->key);
    ds_free(x->member);
    ds_free(x->single);
    ds_free(x->single_jit);
    pcre2_general_context_free(x->gctx);
    ds_free(x);
    *self_p = NULL;
}

/* JIT-compile code when wanted; record the first failure. */
static bool s_jit(nlp_regex_t *x, pcre2_code *code)
{
    if (!x->want_jit)
        return false;
    int rc = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    if (rc != 0 && x->jit_rc == 0)
        x->jit_rc = rc;
    return rc == 0;
}

/* Did pcre2_compile() fail for want of memory? */
static bool s_oom(int err)
{
    return err == PCRE2_ERROR_HEAP_FAILED || err == PCRE2_ERROR_NOMEMORY;
}

static pcre2_code *s_compile(const nlp_regex_t *x, const char *src, size_t len,
                             uint32_t extra, int *err, PCRE2_SIZE *at)
{
    pcre2_compile_context *cc = pcre2_compile_context_create(x->gctx);
    if (!cc) {
        *err = PCRE2_ERROR_NOMEMORY;
        return NULL;
    }
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)src, len, S_OPTIONS | extra, err, at, cc);
    pcre2_compile_context_free(cc);
    return code;
}

static int s_pattern_fail(const nlp_rules_t *rules, const struct nlp_pattern *p,
                          struct ds_diag *diag, const char *why, size_t at)
{
    size_t nf;
    const struct nlp_rules_file *f = nlp_rules_files(rules, &nf);
    return ds_diag_set_code(
        diag, DS_EPARSE, f[p->origin.file].path, (int)p->origin.line,
        "pattern '%s' does not compile: %s at offset "
        "%zu%s%.16s%s",
        p->id, why, at, at < p->len ? " (near '" : "",
        at < p->len ? p->pattern + at : "", at < p->len ? "')" : " (the end)");
}

/* Compile pattern i alone; it must have exactly one capture group. */
static int s_single(nlp_regex_t *x, const nlp_rules_t *rules, size_t i,
                    struct ds_diag *diag)
{
    const struct nlp_pattern *p = &x->pat[i];
    int err;
    PCRE2_SIZE at;
    uint32_t groups = 0;
    char msg[256];
    x->single[i] = s_compile(x, p->pattern, p->len, 0, &err, &at);
    if (!x->single[i] && s_oom(err))
        return DS_ENOMEM;
    if (!x->single[i]) {
        pcre2_get_error_message(err, (PCRE2_UCHAR *)msg, sizeof msg);
        return s_pattern_fail(rules, p, diag, msg, at);
    }
    pcre2_pattern_info(x->single[i], PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups != 1) {
        size_t nf;
        const struct nlp_rules_file *f = nlp_rules_files(rules, &nf);
        return ds_diag_set_code(diag, DS_EPARSE, f[p->origin.file].path,
                                (int)p->origin.line,
                                "pattern '%s' has %u capture groups; "
                                "exactly one (the value) is required",
                                p->id, groups);
    }
    x->single_jit[i] = s_jit(x, x->single[i]);
    return 0;
}

/* Can the pattern text be one branch of an alternation and keep its
 * meaning? Not with verbs ("(*" acts on the other branches), \Q or
 * extended mode (could swallow the closing parenthesis), comments, or
 * references to groups by number or name, conditions included (the
 * numbers shift). */
static bool s_joinable(const struct nlp_pattern *p)
{
    static const char *const bad[] = {"(*",  "\\Q", "(?#", "\\g", "\\k",
                                      "(?P", "(?&", "(?R", "(?+", "(?("};
    const char *s = p->pattern;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strstr(s, bad[i]))
            return false;
    for (const char *q = strchr(s, '\\'); q && q[1]; q = strchr(q + 2, '\\'))
        if (q[1] >= '1' && q[1] <= '9')
            return false;
    for (const char *q = strstr(s, "(?"); q; q = strstr(q + 2, "(?")) {
        const char *o = q + 2 + (q[2] == '-');
        if (*o >= '0' && *o <= '9')
            return false; /* (?1) (?-1) subroutine call */
        for (; *o && strchr("imnsxJU-^", *o); o++)
            if (*o == 'x')
                return false; /* extended mode: '#' starts a comment */
    }
    return true;
}

/* What pattern i is joined on: its first byte when PCRE2 knows it (the
 * JIT then skips to it with a vector search, and a join of patterns with
 * the same first byte keeps that), S_KEY_BITMAP when PCRE2 has only a
 * set of possible first bytes (joined only with the same set: a union
 * would make every pattern try where any one could start), S_KEY_ANY
 * when it has neither. */
static uint32_t s_key(const nlp_regex_t *x, size_t i)
{
    uint32_t type = 0, unit = 0;
    const uint8_t *bitmap = NULL;
    if (!s_joinable(&x->pat[i]))
        return S_KEY_ALONE;
    pcre2_pattern_info(x->single[i], PCRE2_INFO_FIRSTCODETYPE, &type);
    pcre2_pattern_info(x->single[i], PCRE2_INFO_FIRSTBITMAP, &bitmap);
    if (type == 1) {
        pcre2_pattern_info(x->single[i], PCRE2_INFO_FIRSTCODEUNIT, &unit);
        return unit >= 'a' && unit <= 'z' ? unit - 'a' + 'A' : unit & 0xFF;
    }
    return type == 2 ? S_KEY_ALONE : bitmap ? S_KEY_BITMAP : S_KEY_ANY;
}

/* Do patterns i and j go into one pass? */
static bool s_same_key(const nlp_regex_t *x, size_t i, size_t j)
{
    const uint8_t *a = NULL, *b = NULL;
    if (x->key[i] == S_KEY_ALONE || x->key[i] != x->key[j])
        return false;
    if (x->key[i] != S_KEY_BITMAP)
        return true;
    pcre2_pattern_info(x->single[i], PCRE2_INFO_FIRSTBITMAP, &a);
    pcre2_pattern_info(x->single[j], PCRE2_INFO_FIRSTBITMAP, &b);
    return memcmp(a, b, 32) == 0;
}

/* "(?:p_a)|(?:p_b)|..." over members m[0..n), in ds_malloc'd memory. */
static char *s_join_source(const nlp_regex_t *x, const uint32_t *m, uint32_t n,
                           size_t *len)
{
    size_t cap = 1;
    for (uint32_t k = 0; k < n; k++)
        cap += x->pat[m[k]].len + 5;
    char *src = ds_malloc(cap);
    size_t used = 0;
    for (uint32_t k = 0; src && k < n; k++)
        used += (size_t)snprintf(src + used, cap - used, "%s(?:%s)",
                                 k ? "|" : "", x->pat[m[k]].pattern);
    *len = used;
    return src;
}

/* The joined regex of m[0..n), or NULL (with *rc DS_ENOMEM when out of
 * memory) when it does not compile as n groups: then run them alone. */
static pcre2_code *s_join(nlp_regex_t *x, const uint32_t *m, uint32_t n,
                          int *rc)
{
    size_t len;
    int err = 0;
    PCRE2_SIZE at;
    uint32_t groups = 0;
    char *src = s_join_source(x, m, n, &len);
    pcre2_code *code =
        src ? s_compile(x, src, len, PCRE2_DUPNAMES, &err, &at) : NULL;
    ds_free(src);
    *rc = !src || s_oom(err) ? DS_ENOMEM : 0;
    if (code)
        pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (code && groups != n) {
        pcre2_code_free(code);
        code = NULL;
    }
    return code;
}

/* The largest digit reach of members m[0..n), or -1 when one has none. */
static int32_t s_reach(const nlp_regex_t *x, const uint32_t *m, uint32_t n)
{
    int32_t reach = 0;
    for (uint32_t k = 0; k < n && reach >= 0; k++) {
        int32_t r =
            nlp_regex_digit_reach(x->pat[m[k]].pattern, x->pat[m[k]].len);
        reach = r < 0 ? -1 : r > reach ? r : reach;
    }
    return reach;
}

static void s_add_pass(nlp_regex_t *x, pcre2_code *code, const uint32_t *m,
                       uint32_t n, bool jit)
{
    int32_t reach = s_reach(x, m, n);
    x->pass[x->npass++] = (struct nlp_regex_pass){code, m, n, jit, reach};
    x->gated = x->gated || reach >= 0;
    if (n + 1 > x->ovec_pairs)
        x->ovec_pairs = n + 1;
}

/* Pattern i and every later pattern with its key, as one pass when they
 * join, else one pass each. Members are written at *used onwards. */
static int s_group(nlp_regex_t *x, size_t i, bool *taken, size_t *used)
{
    uint32_t *m = x->member + *used, n = 0;
    for (size_t j = i; j < x->npat; j++)
        if (!taken[j] && (j == i || s_same_key(x, i, j))) {
            taken[j] = true;
            m[n++] = (uint32_t)j;
        }
    *used += n;
    int rc = 0;
    pcre2_code *code = n > 1 ? s_join(x, m, n, &rc) : NULL;
    if (code)
        s_add_pass(x, code, m, n, s_jit(x, code));
    for (uint32_t k = 0; !code && k < n; k++)
        s_add_pass(x, x->single[m[k]], &m[k], 1, x->single_jit[m[k]]);
    return rc;
}

static int s_passes(nlp_regex_t *x)
{
    bool *taken = ds_calloc(x->npat ? x->npat : 1, sizeof *taken);
    size_t used = 0;
    int rc = taken ? 0 : DS_ENOMEM;
    for (size_t i = 0; rc == 0 && i < x->npat; i++)
        x->key[i] = s_key(x, i);
    for (size_t i = 0; rc == 0 && i < x->npat; i++)
        if (!taken[i])
            rc = s_group(x, i, taken, &used);
    ds_free(taken);
    return rc;
}

static int s_build(nlp_regex_t *x, const nlp_rules_t *rules,
                   struct ds_diag *diag)
{
    size_t n = x->npat ? x->npat : 1;
    x->gctx = nlp_regex_gctx();
    x->single = ds_calloc(n, sizeof *x->single);
    x->single_jit = ds_calloc(n, sizeof *x->single_jit);
    x->key = ds_calloc(n, sizeof *x->key);
    x->member = ds_calloc(n, sizeof *x->member);
    x->pass = ds_calloc(n, sizeof *x->pass); /* never more than patterns */
    if (!x->gctx || !x->single || !x->single_jit || !x->key || !x->member ||
        !x->pass)
        return DS_ENOMEM;
    int rc = 0;
    x->ovec_pairs = 2;
    for (size_t i = 0; rc == 0 && i < x->npat; i++)
        rc = s_single(x, rules, i, diag);
    if (rc == 0)
        rc = s_passes(x);
    x->jit_all = x->want_jit;
    for (size_t i = 0; i < x->npat; i++)
        x->jit_all = x->jit_all && x->single_jit[i];
    for (size_t i = 0; i < x->npass; i++)
        x->jit_all = x->jit_all && x->pass[i].jit;
    return rc;
}

int nlp_regex_new(nlp_regex_t **out, const nlp_rules_t *rules, unsigned flags,
                  struct ds_diag *diag)
{
    nlp_regex_t *x = ds_calloc(1, sizeof *x);
    *out = NULL;
    if (!x)
        return DS_ENOMEM;
    x->pat = nlp_rules_patterns(rules, &x->npat);
    x->want_jit = !(flags & NLP_REGEX_NO_JIT);
    int rc = s_build(x, rules, diag);
    if (rc == DS_ENOMEM)
        ds_diag_set_code(diag, rc, "", 0, "out of memory compiling patterns");
    if (rc != 0) {
        nlp_regex_destroy(&x);
        return rc;
    }
    *out = x;
    return 0;
}

bool nlp_regex_jit(const nlp_regex_t *self)
{
    return self->jit_all;
}

int nlp_regex_jit_rc(const nlp_regex_t *self)
{
    return self->jit_rc;
}

size_t nlp_regex_count(const nlp_regex_t *self)
{
    return self->npat;
}

size_t nlp_regex_passes(const nlp_regex_t *self)
{
    return self->npass;
}
