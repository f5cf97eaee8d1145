/*
 * bench_stages_pcre2.c - bench_stages' row "PCRE2 alone": one JIT-compiled
 * caseless alternation of 20 device terms over the note and report texts.
 */
#include "bench_stages.h"
#include "bench_util.h"

/* ---- PCRE2 alone ---- */

/* 20 device terms, as a dictionary pass over notes would look for them. */
static const char s_re_terms[] =
    "\\b(?:pacemakers?|defibrillators?|insulin pumps?|infusion pumps?"
    "|closure devices?|drug-eluting stents?|stents?|catheters?"
    "|hip prosthes[ie]s|knee prosthes[ie]s|leads?|ventilators?"
    "|dialy[sz]ers?|glucose monitors?|cochlear implants?|breast implants?"
    "|heart valves?|surgical mesh|shunts?|neurostimulators?)\\b";

struct s_re {
    const struct bsg_stream *st;
    size_t *idx; /* items that have a text */
    pcre2_code *re;
    pcre2_match_data *md;
    bool jit;
    uint64_t mentions;
};

static int s_re_item(void *self, size_t i, bool warm)
{
    struct s_re *r = self;
    const struct bsg_item *it = &r->st->items[r->idx[i]];
    PCRE2_SPTR s = (PCRE2_SPTR)(r->st->buf + it->text_off);
    size_t off = 0;
    while (off <= it->text_n) {
        int rc =
            r->jit ? pcre2_jit_match(r->re, s, it->text_n, off, 0, r->md, NULL)
                   : pcre2_match(r->re, s, it->text_n, off, 0, r->md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            return bench_fail("PCRE2 alone", "match error %d", rc);
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
        r->mentions += !warm;
        off = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
    }
    return 0;
}

static int s_re_open(struct s_re *r, struct bsg_ctx *c)
{
    int err;
    PCRE2_SIZE at;
    r->idx = malloc((c->st.ntext ? c->st.ntext : 1) * sizeof *r->idx);
    if (!r->idx)
        return bench_fail("PCRE2 alone", "out of memory");
    for (size_t i = 0, k = 0; i < c->st.count; i++)
        if (c->st.items[i].text_n)
            r->idx[k++] = i;
    r->re = pcre2_compile((PCRE2_SPTR)s_re_terms, PCRE2_ZERO_TERMINATED,
                          PCRE2_CASELESS | PCRE2_UTF, &err, &at, NULL);
    if (!r->re)
        return bench_fail("PCRE2 alone", "compile error %d at %zu", err,
                          (size_t)at);
    r->jit = pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE) == 0;
    r->md = pcre2_match_data_create_from_pattern(r->re, NULL);
    return r->md ? 0 : bench_fail("PCRE2 alone", "out of memory");
}

int bsg_run_pcre2(struct bsg_ctx *c)
{
    static const struct bsg_bench b = {.what = "baseline",
                                       .name = "PCRE2 alone (JIT, 20 terms)",
                                       .item = s_re_item};
    struct s_re r = {.st = &c->st};
    int rc = s_re_open(&r, c);
    if (rc == 0)
        rc = bsg_drive(c, &b, &r, c->st.ntext, (double)c->st.text_bytes);
    if (rc == 0)
        bsg_note(c,
                 "PCRE2 alone: items are note/report texts (%zu, %.1f MB); "
                 "%llu device mentions found; JIT %s.\n",
                 c->st.ntext, (double)c->st.text_bytes / 1e6,
                 (unsigned long long)r.mentions,
                 r.jit ? "on" : "UNAVAILABLE (interpreter used)");
    pcre2_match_data_free(r.md);
    pcre2_code_free(r.re);
    free(r.idx);
    return rc;
}
