/*
 * test_eng_tsv.c - reading quoted TSV (eng_tsv.h) as the MAUDE reader of
 * `devsurv extract --format maude` does: find columns by header name,
 * unescape "" inside quoted fields, keep TABs and newlines inside quotes,
 * report faults with the line, read a FILE* across buffer refills, and
 * allocate nothing per record after warm-up.
 *
 * Oracle: a character-at-a-time reference parser written from RFC 4180
 * (s_ref below), compared with both readers on random inputs over the
 * bytes that matter (a, ", TAB, CR, LF). The real MAUDE sample is read
 * when ../shared is present (1,001 records of 19 fields, as Python's csv
 * module reads it).
 */
#include "devsurv/eng_tsv.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <stdint.h>
#include <stdlib.h>

#define MAUDE "../shared/eval/maude/maude_uniform_sample_1k.tsv"

/* All records of s as "f1|f2;f1|f2;" (or "ERR@line"), buffer reader. */
static const char *s_dump(eng_tsv_t *t)
{
    static char out[1 << 16];
    const struct ds_span *f;
    size_t nf, k = 0;
    int rc;
    struct ds_diag diag;
    out[0] = '\0';
    while ((rc = eng_tsv_next(t, &f, &nf, &diag)) == 1) {
        for (size_t i = 0; i < nf; i++) {
            int w = snprintf(out + k, sizeof out - k, "%s%.*s", i ? "|" : "",
                             (int)f[i].n, f[i].p);
            k += (size_t)w < sizeof out - k ? (size_t)w : 0;
        }
        k += (size_t)snprintf(out + k, sizeof out - k, ";");
    }
    if (rc < 0)
        snprintf(out + k, sizeof out - k, "ERR@%d", diag.line);
    return out;
}

static const char *s_read(const char *s)
{
    eng_tsv_t *t = eng_tsv_new_buffer("t.tsv", s, strlen(s));
    const char *r = s_dump(t);
    eng_tsv_destroy(&t);
    return r;
}

TEST(columns_by_header_name)
{
    static const char in[] = "MDR_TEXT_KEY\tEVENT_TYPE\tfoi_text\n"
                             "123\tM\tPUMP ALARMED.\n"
                             "456\tIN\t\"SAID \"\"NO\"\"\tTWICE\"\n";
    eng_tsv_t *t = eng_tsv_new_buffer("m.tsv", in, sizeof in - 1);
    const struct ds_span *f;
    size_t nf;
    CHECK_INT(eng_tsv_next(t, &f, &nf, NULL), 1);
    long id = eng_tsv_find(f, nf, "MDR_TEXT_KEY");
    long text = eng_tsv_find(f, nf, "foi_text");
    CHECK_INT(id, 0);
    CHECK_INT(text, 2);
    CHECK_INT(eng_tsv_find(f, nf, "foi"), -1);
    CHECK_INT(eng_tsv_next(t, &f, &nf, NULL), 1);
    CHECK(ds_span_eq(f[text], "PUMP ALARMED."));
    CHECK_INT(eng_tsv_next(t, &f, &nf, NULL), 1);
    CHECK_INT(nf, 3);
    CHECK(ds_span_eq(f[id], "456"));
    CHECK(ds_span_eq(f[text], "SAID \"NO\"\tTWICE"));
    CHECK_INT(eng_tsv_line(t), 3);
    CHECK_INT(eng_tsv_next(t, &f, &nf, NULL), 0);
    CHECK_INT(eng_tsv_next(t, &f, &nf, NULL), 0);
    eng_tsv_destroy(&t);
    CHECK(t == NULL);
    eng_tsv_destroy(&t);
}

TEST(record_shapes)
{
    CHECK_STR(s_read(""), "");
    CHECK_STR(s_read("a"), "a;");
    CHECK_STR(s_read("a\tb\r\nc\td\r\n"), "a|b;c|d;");
    CHECK_STR(s_read("\n\n"), ";;");
    CHECK_STR(s_read("a\t\n\tb"), "a|;|b;");
    CHECK_STR(s_read("\"\"\t\"\"\"\"\n"), "|\";");
    CHECK_STR(s_read("x\"y\"\tz"), "x\"y\"|z;");
    CHECK_STR(s_read("\"a\r\nb\"\r\n"), "a\r\nb;");
    CHECK_STR(s_read("a\rb\tc\r"), "a\rb|c;");
}

TEST(quoted_newlines_count_lines)
{
    static const char in[] = "h\n\"one\ntwo\nthree\"\tx\nnext\n";
    eng_tsv_t *t = eng_tsv_new_buffer("q.tsv", in, sizeof in - 1);
    const struct ds_span *f;
    size_t nf;
    CHECK_INT(eng_tsv_next(t, &f, &nf, NULL), 1);
    CHECK_INT(eng_tsv_next(t, &f, &nf, NULL), 1);
    CHECK_INT(eng_tsv_line(t), 2);
    CHECK(ds_span_eq(f[0], "one\ntwo\nthree"));
    CHECK_INT(eng_tsv_next(t, &f, &nf, NULL), 1);
    CHECK_INT(eng_tsv_line(t), 5);
    eng_tsv_destroy(&t);
}

TEST(errors_name_the_line_and_stick)
{
    static const char junk[] = "a\tb\nc\t\"d\"e\tf\n";
    struct ds_diag diag;
    const struct ds_span *f;
    size_t nf;
    eng_tsv_t *t = eng_tsv_new_buffer("bad.tsv", junk, sizeof junk - 1);
    CHECK_INT(eng_tsv_next(t, &f, &nf, &diag), 1);
    CHECK_INT(eng_tsv_next(t, &f, &nf, &diag), DS_EPARSE);
    CHECK_STR(diag.file, "bad.tsv");
    CHECK_INT(diag.line, 2);
    CHECK_HAS(diag.msg, "after a closing quote");
    ds_diag_clear(&diag);
    CHECK_INT(eng_tsv_next(t, &f, &nf, &diag), DS_EPARSE);
    CHECK_INT(diag.line, 2);
    eng_tsv_destroy(&t);
    CHECK_STR(s_read("ok\n\n\"never\nclosed\n"), "ok;;ERR@3");
}

/* Reference parser: RFC 4180 with TAB, one byte at a time. */
enum { R_START, R_PLAIN, R_QUOTED, R_AFTER };

struct s_refst {
    char *out;
    size_t k, cap, nfields, rec; /* rec: where the open record began */
    char cur[4096];
    size_t ncur;
};

static void s_ref_put(struct s_refst *r, const char *p, size_t n)
{
    if (r->k + n < r->cap) {
        memcpy(r->out + r->k, p, n);
        r->k += n;
    }
}

static void s_ref_field(struct s_refst *r, int strip_cr)
{
    if (strip_cr && r->ncur && r->cur[r->ncur - 1] == '\r')
        r->ncur--;
    s_ref_put(r, "|", r->nfields++ ? 1 : 0);
    s_ref_put(r, r->cur, r->ncur);
    r->ncur = 0;
}

static void s_ref_record(struct s_refst *r, int strip_cr)
{
    s_ref_field(r, strip_cr);
    s_ref_put(r, ";", 1);
    r->nfields = 0;
    r->rec = r->k;
}

static void s_ref(const char *s, size_t n, char *out, size_t cap)
{
    struct s_refst r = {.out = out, .cap = cap};
    int st = R_START, line = 1, qline = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (st == R_START && c == '"') {
            st = R_QUOTED, qline = line;
            continue;
        }
        if (st == R_START)
            st = R_PLAIN;
        if (st == R_QUOTED && c == '"' && i + 1 < n && s[i + 1] == '"') {
            r.cur[r.ncur++] = '"', i++;
        } else if (st == R_QUOTED && c == '"') {
            st = R_AFTER;
        } else if (st == R_QUOTED ||
                   (st == R_PLAIN && c != '\t' && c != '\n')) {
            line += c == '\n';
            r.cur[r.ncur++] = c;
        } else if (c == '\t') {
            s_ref_field(&r, 0), st = R_START;
        } else if (c == '\n') {
            s_ref_record(&r, st == R_PLAIN), st = R_START, line++;
        } else if (c == '\r' && (i + 1 == n || s[i + 1] == '\n')) {
            s_ref_record(&r, 0), st = R_START, line += i + 1 < n, i++;
        } else {
            snprintf(out + r.rec, cap - r.rec, "ERR@%d", line);
            return;
        }
    }
    if (st == R_QUOTED)
        r.k =
            r.rec + (size_t)snprintf(out + r.rec, cap - r.rec, "ERR@%d", qline);
    else if (st != R_START || r.nfields)
        s_ref_record(&r, st == R_PLAIN);
    out[r.k < cap ? r.k : cap - 1] = '\0';
}

TEST(random_inputs_match_reference)
{
    static const char alphabet[] = "a\"\t\r\n";
    char in[64], want[1 << 12];
    srand(42);
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(rand() % 24);
        for (size_t i = 0; i < n; i++)
            in[i] = alphabet[rand() % 5];
        s_ref(in, n, want, sizeof want);
        eng_tsv_t *t = eng_tsv_new_buffer("r", in, n);
        const char *got = s_dump(t);
        eng_tsv_destroy(&t);
        if (strcmp(got, want) != 0)
            TEST_FAIL_("round %d [%.*s]: got \"%.200s\", reference \"%.200s\"",
                       round, (int)n, in, got, want);
        FILE *f = fmemopen(in, n ? n : 1, "r");
        t = eng_tsv_new_file("r", f);
        got = n ? s_dump(t) : "";
        eng_tsv_destroy(&t);
        fclose(f);
        if (strcmp(got, want) != 0)
            TEST_FAIL_("round %d (FILE*): got \"%.200s\", reference \"%.200s\"",
                       round, got, want);
    }
}

TEST(refill_boundary_at_every_offset_of_a_quote)
{
    static const char tail[] = "\t\"p\"\"q\"\r\nlast\n";
    static char in[65600];
    for (size_t m = 65526; m < 65540; m++) {
        memset(in, 'x', m);
        memcpy(in + m, tail, sizeof tail);
        FILE *f = fmemopen(in, m + sizeof tail - 1, "r");
        eng_tsv_t *t = eng_tsv_new_file("b", f);
        const struct ds_span *fs;
        size_t nf;
        if (eng_tsv_next(t, &fs, &nf, NULL) != 1 || nf != 2 || fs[0].n != m ||
            !ds_span_eq(fs[1], "p\"q") ||
            eng_tsv_next(t, &fs, &nf, NULL) != 1 ||
            !ds_span_eq(fs[0], "last") || eng_tsv_line(t) != 2 ||
            eng_tsv_next(t, &fs, &nf, NULL) != 0)
            TEST_FAIL_("first record %zu bytes", m);
        eng_tsv_destroy(&t);
        fclose(f);
    }
}

/* A file whose quoted fields straddle the 64 KiB refills. */
static char *s_big(size_t nrec, size_t len, size_t *n)
{
    char *b = malloc(nrec * (len + 16) + 1);
    size_t k = 0;
    for (size_t r = 0; b && r < nrec; r++) {
        k += (size_t)sprintf(b + k, "%zu\t\"", r);
        for (size_t i = 0; i < len; i++)
            b[k++] = "ABC\n"[i % 4];
        k += (size_t)sprintf(b + k, "\"\"x\"\n");
    }
    *n = k;
    return b;
}

TEST(file_reader_across_refills_allocation_free)
{
    size_t n, nf;
    char *big = s_big(400, 1500, &n);
    CHECK(big && n > 4 * 65536);
    FILE *f = fmemopen(big, n, "r");
    eng_tsv_t *t = eng_tsv_new_file("big.tsv", f);
    const struct ds_span *fs;
    struct ds_alloc_stats a, b;
    for (int r = 0; r < 400; r++) {
        if (r == 50)
            ds_alloc_stats(&a);
        if (eng_tsv_next(t, &fs, &nf, NULL) != 1 || nf != 2 ||
            fs[1].n != 1502 || fs[1].p[1501] != 'x' || fs[1].p[1500] != '"')
            TEST_FAIL_("record %d", r);
    }
    ds_alloc_stats(&b);
    CHECK_INT(eng_tsv_next(t, &fs, &nf, NULL), 0);
    CHECK_INT(eng_tsv_line(t), 1 + 399 * 376);
    CHECK_INT(b.allocs, a.allocs);
    eng_tsv_destroy(&t);
    fclose(f);
    free(big);
}

TEST(record_limit_from_file)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    static char chunk[1 << 16];
    memset(chunk, 'x', sizeof chunk);
    for (unsigned i = 0; i <= ENG_TSV_RECORD_MAX / sizeof chunk; i++)
        fwrite(chunk, 1, sizeof chunk, f);
    rewind(f);
    eng_tsv_t *t = eng_tsv_new_file("huge.tsv", f);
    const struct ds_span *fs;
    size_t nf;
    struct ds_diag diag;
    CHECK_INT(eng_tsv_next(t, &fs, &nf, &diag), DS_ETOOBIG);
    CHECK_INT(diag.line, 1);
    eng_tsv_destroy(&t);
    fclose(f);
}

TEST(maude_sample)
{
    FILE *f = fopen(MAUDE, "rb");
    if (!f)
        return; /* ../shared absent: reported by main() */
    eng_tsv_t *t = eng_tsv_new_file(MAUDE, f);
    const struct ds_span *fs;
    size_t nf, rows = 0, quotes = 0;
    struct ds_diag diag;
    int rc;
    long text = -1;
    while ((rc = eng_tsv_next(t, &fs, &nf, &diag)) == 1) {
        if (rows++ == 0)
            text = eng_tsv_find(fs, nf, "foi_text");
        else if (nf != 19)
            TEST_FAIL_("line %zu: %zu fields", eng_tsv_line(t), nf);
        else
            quotes += memchr(fs[text].p, '"', fs[text].n) != NULL;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(rows, 1001);
    CHECK_INT(text, 13);
    CHECK_INT(quotes, 75); /* Python csv: 75 narratives hold a '"' */
    eng_tsv_destroy(&t);
    fclose(f);
}

int main(void)
{
    RUN(columns_by_header_name);
    RUN(record_shapes);
    RUN(quoted_newlines_count_lines);
    RUN(errors_name_the_line_and_stick);
    RUN(random_inputs_match_reference);
    RUN(refill_boundary_at_every_offset_of_a_quote);
    RUN(file_reader_across_refills_allocation_free);
    RUN(record_limit_from_file);
    FILE *f = fopen(MAUDE, "rb");
    if (f) {
        fclose(f);
        RUN(maude_sample);
    } else {
        printf("skip - maude_sample: %s not found\n", MAUDE);
    }
    return test_report();
}
