/*
 * eng_cmd_extract.c - `devsurv extract`: device and adverse-event mentions
 * from text, one JSON line per input record (eng_cmd_extract_json.c), and
 * `devsurv extract --check FILE.cases...`, the golden cases of
 * fixtures/nlp/ run by the binary itself (eng_cases.h).
 *
 * Inputs: plain text (one record per line, id = line number), native
 * envelopes one per line (the "text" member; jansson), or the MAUDE TSV
 * of eval/maude (columns found by header name; eng_tsv.h). A bad jsonl or
 * MAUDE record is named on stderr with file:line, skipped, counted, and
 * turns the exit status into 65 at the end; a broken TSV quote stops the
 * run (no resynchronising is trustworthy).
 *
 * The rule tree: --rules, else $DEVSURV_RULES, else ./rules when it is a
 * directory, else DS_RULES_DIR (where `make install` should put rules/).
 *
 * Not here: storing mentions (the pipeline), linking devices to events.
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_cases.h"
#include "devsurv/eng_tsv.h"
#include "eng_cmd_extract_impl.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#ifndef DS_RULES_DIR
#define DS_RULES_DIR "/usr/local/share/devsurv/rules"
#endif

#define S_CASES_MAX (64u << 20) /* largest .cases file read */
#define S_ME        "devsurv extract"

enum s_format { S_TEXT, S_JSONL, S_MAUDE };

struct s_opts {
    enum s_format format;
    const char *rules;
    bool check;
    char **files; /* positional arguments */
    int nfiles;
};

/* What one run shares. */
struct s_run {
    nlp_rules_t *rules;
    nlp_extract_t *x;
    struct nlp_result r;
    const char *name; /* input name for messages */
    size_t records, skipped;
};

static void s_help(void)
{
    printf(
        "usage: devsurv extract [--format text|jsonl|maude] [--rules DIR] "
        "[FILE|-]\n"
        "       devsurv extract [--rules DIR] --check FILE.cases...\n\n"
        "Find device, component, event and UDI mentions in text with the\n"
        "rule tree DIR and print one JSON object per input record:\n"
        "  {\"id\":..., \"rules\":\"<rule-set sha256>\", "
        "\"mentions\":[{\"kind\",\n"
        "   \"begin\", \"end\" (byte offsets into the record's text), "
        "\"text\",\n"
        "   \"code\", \"system\", \"label\", \"rule\":\"<file>:<id>\", "
        "\"negated\",\n"
        "   \"possible\", \"hypothetical\", \"historical\", \"family\",\n"
        "   \"why\":{\"<flag>\":{\"trigger\"|\"section\":\"<rule id>\",\n"
        "   \"text\":\"<as written>\"}}}]}\n\n"
        "  --format text   one record per line, id = line number (default)\n"
        "  --format jsonl  native envelopes, one per line: \"text\" member,\n"
        "                  id = \"id\" member (else the line number)\n"
        "  --format maude  MAUDE TSV with a header row (eval/maude): id =\n"
        "                  MDR_TEXT_KEY, text = foi_text\n"
        "  --rules DIR     default: $DEVSURV_RULES, else ./rules, else\n"
        "                  " DS_RULES_DIR "\n"
        "  FILE            input (default and - : stdin)\n\n"
        "--check runs golden cases and prints \"ok - FILE:LINE\",\n"
        "\"FAIL - FILE:LINE: expected [...], got [...]\" or \"skip - "
        "FILE:LINE:\n"
        "known gap: <why>\" per case. A .cases file, line by line:\n"
        "  # comment\n"
        "  known-gap: <why>     optional first line: a known extractor "
        "error\n"
        "  note: <text>         one line; escapes \\n \\r \\t \\\\ \\\" "
        "\\xHH\n"
        "  expect: <kind> <code> \"<text>\" [<flag>[=<rule id>]]...\n"
        "  expect: none\n"
        "A blank line ends a case. kind: device component event udi; flags:\n"
        "negated possible hypothetical historical family, optionally pinned\n"
        "to the trigger or section id that set them (negated=neg.061). A "
        "case\n"
        "passes when the mentions equal the expected ones exactly (kind, "
        "code,\n"
        "text, flags), whatever their order.\n\n"
        "exit: 0 done, 1 a case failed, 64 usage, 65 bad input record(s),\n"
        "bad .cases file or invalid rules, 66 no such file or rules "
        "directory,\n"
        "71 out of memory, 74 read error\n");
}

static int s_parse(int argc, char **argv, struct s_opts *o)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"rules", required_argument, NULL, 'r'},
        {"check", no_argument, NULL, ENG_OPT_CHECK},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const names[] = {"text", "jsonl", "maude"};
    int c, fmt = -1;
    while ((c = getopt_long(argc, argv, "f:r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            for (fmt = 2; fmt >= 0 && strcmp(optarg, names[fmt]) != 0;)
                fmt--;
            if (fmt < 0) {
                fprintf(stderr, S_ME ": --format is text, jsonl or maude\n");
                return EX_USAGE;
            }
            o->format = (enum s_format)fmt;
            break;
        case 'r': o->rules = optarg; break;
        case ENG_OPT_CHECK: o->check = true; break;
        case 'h': s_help(); return -1;
        default: return EX_USAGE;
        }
    }
    o->files = argv + optind;
    o->nfiles = argc - optind;
    if (o->check ? o->nfiles < 1 || fmt >= 0 : o->nfiles > 1) {
        fprintf(stderr, "usage: devsurv extract [--format F] [--rules DIR] "
                        "[FILE|-] | [--rules DIR] --check FILE.cases...\n");
        return EX_USAGE;
    }
    return 0;
}

static int s_exit_code(int rc)
{
    switch (rc) {
    case DS_ENOTFOUND: return EX_NOINPUT;
    case DS_ENOMEM: return EX_OSERR;
    case DS_EIO: return EX_IOERR;
    default: return EX_DATAERR;
    }
}

static int s_load(struct s_run *run, const char *dir)
{
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    ds_diag_clear(&diag);
    int rc = nlp_rules_load(&run->rules, dir, &diag);
    if (rc == 0)
        rc = nlp_extract_new(&run->x, run->rules, &diag);
    if (rc != 0)
        fprintf(stderr, S_ME ": rules %s: %s\n", dir,
                ds_diag_format(&diag, buf, sizeof buf));
    return rc == 0 ? 0 : s_exit_code(rc);
}

/* Extract from one record and print its line; 0 or DS_E*. */
static int s_emit(struct s_run *run, const struct eng_x_id *id,
                  struct ds_span text, size_t line)
{
    int rc = nlp_extract_run(run->x, text, 0, &run->r);
    if (rc != 0) {
        fprintf(stderr, S_ME ": %s:%zu: %s\n", run->name, line,
                ds_strerror(rc));
        run->skipped++;
        return rc == DS_ENOMEM ? rc : 0;
    }
    eng_x_json_record(stdout, id, run->rules, text, &run->r);
    run->records++;
    return 0;
}

/* One line of f without its LF (and a CR before it); -1 at the end. */
static ssize_t s_line(FILE *f, char **line, size_t *cap)
{
    ssize_t n = getline(line, cap, f);
    if (n > 0 && (*line)[n - 1] == '\n')
        n--;
    if (n > 0 && (*line)[n - 1] == '\r')
        n--;
    return n;
}

static int s_text(struct s_run *run, FILE *f)
{
    char *line = NULL;
    size_t cap = 0, no = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = s_line(f, &line, &cap)) >= 0) {
        struct eng_x_id id = {.is_num = true, .num = (long long)++no};
        rc = s_emit(run, &id, (struct ds_span){line, (size_t)n}, no);
    }
    free(line);
    return rc;
}

static void s_skip(struct s_run *run, size_t line, const char *why)
{
    fprintf(stderr, S_ME ": %s:%zu: %s; record skipped\n", run->name, line,
            why);
    run->skipped++;
}

/* One envelope line: decode, find "text" and "id", extract. */
static int s_envelope(struct s_run *run, const char *p, size_t n, size_t no)
{
    json_error_t err;
    char why[256];
    json_t *root = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
    json_t *text = json_object_get(root, "text");
    json_t *jid = json_object_get(root, "id");
    int rc = 0;
    if (!root) {
        snprintf(why, sizeof why, "not JSON: %s (column %d)", err.text,
                 err.column);
        s_skip(run, no, why);
    } else if (!json_is_object(root) || !json_is_string(text)) {
        s_skip(run, no,
               json_is_object(root) ? "no string \"text\" member"
                                    : "not a JSON object");
    } else {
        struct eng_x_id id = {.is_num = true, .num = (long long)no};
        if (json_is_string(jid))
            id = (struct eng_x_id){
                false, 0, {json_string_value(jid), json_string_length(jid)}};
        else if (json_is_integer(jid))
            id.num = (long long)json_integer_value(jid);
        rc = s_emit(
            run, &id,
            (struct ds_span){json_string_value(text), json_string_length(text)},
            no);
    }
    json_decref(root);
    return rc;
}

static int s_jsonl(struct s_run *run, FILE *f)
{
    char *line = NULL;
    size_t cap = 0, no = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = s_line(f, &line, &cap)) >= 0) {
        no++;
        if (strspn(line, " \t") < (size_t)n)
            rc = s_envelope(run, line, (size_t)n, no);
    }
    free(line);
    return rc;
}

/* The MAUDE header: the columns of MDR_TEXT_KEY and foi_text. */
static int s_maude_header(struct s_run *run, eng_tsv_t *t, long *id, long *text)
{
    const struct ds_span *f;
    size_t nf;
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    int rc = eng_tsv_next(t, &f, &nf, &diag);
    if (rc < 0) {
        fprintf(stderr, S_ME ": %s\n", ds_diag_format(&diag, buf, sizeof buf));
        return rc;
    }
    *id = rc ? eng_tsv_find(f, nf, "MDR_TEXT_KEY") : -1;
    *text = rc ? eng_tsv_find(f, nf, "foi_text") : -1;
    if (rc && (*id < 0 || *text < 0)) {
        fprintf(stderr, S_ME ": %s:1: no %s column in the header\n", run->name,
                *id < 0 ? "MDR_TEXT_KEY" : "foi_text");
        return DS_EPARSE;
    }
    return rc ? 0 : 1; /* 1: empty input */
}

static int s_maude_rows(struct s_run *run, eng_tsv_t *t, long id, long text)
{
    const struct ds_span *f;
    size_t nf;
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    int rc;
    size_t need = (size_t)(id > text ? id : text) + 1;
    while ((rc = eng_tsv_next(t, &f, &nf, &diag)) == 1) {
        size_t line = eng_tsv_line(t);
        if (nf == 1 && f[0].n == 0)
            continue; /* a blank line */
        if (nf < need) {
            snprintf(buf, sizeof buf, "%zu fields, foi_text is field %ld", nf,
                     text + 1);
            s_skip(run, line, buf);
            continue;
        }
        struct eng_x_id xid = {.str = f[id]};
        if ((rc = s_emit(run, &xid, f[text], line)) != 0)
            return rc;
    }
    if (rc < 0)
        fprintf(stderr, S_ME ": %s\n", ds_diag_format(&diag, buf, sizeof buf));
    return rc;
}

static int s_maude(struct s_run *run, FILE *f)
{
    long id, text;
    eng_tsv_t *t = eng_tsv_new_file(run->name, f);
    int rc = t ? s_maude_header(run, t, &id, &text) : DS_ENOMEM;
    if (rc == 0)
        rc = s_maude_rows(run, t, id, text);
    eng_tsv_destroy(&t);
    return rc == 1 ? 0 : rc;
}

static int s_extract(struct s_run *run, const struct s_opts *o, FILE *f)
{
    static int (*const reader[])(struct s_run *, FILE *) = {s_text, s_jsonl,
                                                            s_maude};
    int rc = reader[o->format](run, f);
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, S_ME ": %s: read error\n", run->name);
        rc = DS_EIO;
    }
    if (rc == DS_ENOMEM)
        fprintf(stderr, S_ME ": out of memory\n");
    if (fflush(stdout) != 0 && rc == 0) {
        fprintf(stderr, S_ME ": stdout: %s\n", strerror(errno));
        return EX_IOERR;
    }
    if (rc != 0)
        return s_exit_code(rc);
    if (run->skipped)
        fprintf(stderr, S_ME ": %s: %zu record(s) skipped, %zu extracted\n",
                run->name, run->skipped, run->records);
    return run->skipped ? EX_DATAERR : EX_OK;
}

/* ---- --check ---- */

struct s_tally {
    size_t ok, fail, gap;
};

/* All of path into *buf (caller frees with ds_free); an exit code. */
static int s_slurp(const char *path, char **buf, size_t *n)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 0, got;
    *buf = NULL;
    *n = 0;
    if (!f) {
        fprintf(stderr, S_ME ": %s: %s\n", path, strerror(errno));
        return EX_NOINPUT;
    }
    do {
        if (*n == cap) {
            size_t c = cap ? cap * 2 : 65536;
            char *p = c <= S_CASES_MAX ? ds_realloc(*buf, c) : NULL;
            if (!p)
                break;
            *buf = p;
            cap = c;
        }
        got = fread(*buf + *n, 1, cap - *n, f);
        *n += got;
    } while (got > 0);
    int bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad)
        fprintf(stderr, S_ME ": %s: cannot read (over %u bytes?)\n", path,
                S_CASES_MAX);
    return bad ? EX_IOERR : 0;
}

/* Parse the whole file once first, so a malformed one runs no case. */
static int s_validate(const char *path, struct ds_span text)
{
    struct eng_cases p;
    struct eng_case c;
    struct ds_diag diag;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    int rc;
    eng_cases_init(&p, path, text);
    while ((rc = eng_cases_next(&p, &c, &diag)) == 1)
        continue;
    eng_cases_clear(&p);
    if (rc < 0)
        fprintf(stderr, S_ME ": %s\n", ds_diag_format(&diag, buf, sizeof buf));
    return rc < 0 ? s_exit_code(rc) : 0;
}

static int s_case(struct s_run *run, const char *path, const struct eng_case *c,
                  struct s_tally *t)
{
    int rc = nlp_extract_run(run->x, c->note, 0, &run->r);
    bool eq = rc == 0 && eng_case_equal(c, run->rules, &run->r);
    if (rc != 0) {
        printf("FAIL - %s:%d: extractor: %s\n", path, c->line, ds_strerror(rc));
        t->fail++;
    } else if (c->gap.n) {
        printf("skip - %s:%d: known gap: %.*s%s\n", path, c->line,
               (int)c->gap.n, c->gap.p,
               eq ? " (passes now: remove the known-gap: line)" : "");
        t->gap++;
    } else if (eq) {
        printf("ok - %s:%d\n", path, c->line);
        t->ok++;
    } else {
        printf("FAIL - %s:%d: ", path, c->line);
        eng_case_print_diff(stdout, c, run->rules, &run->r);
        putchar('\n');
        t->fail++;
    }
    return rc == DS_ENOMEM ? EX_OSERR : 0;
}

static int s_check_file(struct s_run *run, const char *path, struct s_tally *t)
{
    char *buf;
    size_t n;
    struct eng_cases p;
    struct eng_case c;
    int rc = s_slurp(path, &buf, &n);
    struct ds_span text = {buf, n};
    if (rc == 0)
        rc = s_validate(path, text);
    eng_cases_init(&p, path, text);
    while (rc == 0 && eng_cases_next(&p, &c, NULL) == 1)
        rc = s_case(run, path, &c, t);
    eng_cases_clear(&p);
    ds_free(buf);
    return rc;
}

static int s_check(struct s_run *run, const struct s_opts *o)
{
    struct s_tally t = {0};
    int rc = 0;
    for (int i = 0; rc == 0 && i < o->nfiles; i++)
        rc = s_check_file(run, o->files[i], &t);
    printf("# %zu ok, %zu failed, %zu known gaps\n", t.ok, t.fail, t.gap);
    fflush(stdout);
    return rc ? rc : t.fail ? 1 : EX_OK;
}

int eng_cmd_extract(int argc, char **argv)
{
    struct s_opts o = {.format = S_TEXT};
    int rc = s_parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? EX_OK : rc;
    const char *file = o.nfiles ? o.files[0] : "-";
    bool in = strcmp(file, "-") == 0;
    FILE *f = o.check ? NULL : in ? stdin : fopen(file, "rb");
    if (!o.check && !f) {
        fprintf(stderr, S_ME ": %s: %s\n", file, strerror(errno));
        return EX_NOINPUT;
    }
    struct s_run run = {.name = in ? "stdin" : file};
    nlp_result_init(&run.r);
    rc = s_load(&run, eng_cmd_rules_dir(o.rules));
    if (rc == 0)
        rc = o.check ? s_check(&run, &o) : s_extract(&run, &o, f);
    if (f && f != stdin)
        fclose(f);
    nlp_result_clear(&run.r);
    nlp_extract_destroy(&run.x);
    nlp_rules_destroy(&run.rules);
    return rc;
}
