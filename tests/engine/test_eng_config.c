/*
 * test_eng_config.c - unit tests for the configuration table and reader.
 *
 * Written as usage examples: build a struct eng_config from defaults, a
 * file and --set overrides, and check what the diagnostics say when an
 * input is wrong (file, line and wording, since operators read them).
 * The defaults are checked against the values written out below by hand,
 * not against the table, so a typo in the table fails here.
 *
 * Not here: the `devsurv config` subcommand (tests/integration) and random
 * inputs (tests/fuzz/fuzz_config.c).
 */
#include "devsurv/ds_alloc.h"
#include "devsurv/ds_diag.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_config.h"
#include "../test.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define EXAMPLE "contrib/devsurv.conf.example"

static struct ds_diag diag;

/* Defaults, then text as file "t.conf". */
static int s_parse(struct eng_config *cfg, const char *text)
{
    eng_config_defaults(cfg);
    return eng_config_parse(cfg, text, strlen(text), "t.conf", &diag);
}

/* Field-by-field equality, independent of the key table. */
static int s_equal(const struct eng_config *a, const struct eng_config *b)
{
    return strcmp(a->log.level, b->log.level) == 0 &&
           strcmp(a->ingest.endpoint, b->ingest.endpoint) == 0 &&
           a->ingest.insecure == b->ingest.insecure &&
           a->ingest.max_msg_size == b->ingest.max_msg_size &&
           a->ingest.credit == b->ingest.credit &&
           strcmp(a->store.path, b->store.path) == 0 &&
           a->store.batch_ms == b->store.batch_ms &&
           a->store.batch_events == b->store.batch_events &&
           a->maxsprt.alpha == b->maxsprt.alpha &&
           a->maxsprt.delay == b->maxsprt.delay &&
           a->maxsprt.min_events == b->maxsprt.min_events &&
           a->maxsprt.baseline_rate == b->maxsprt.baseline_rate &&
           a->maxsprt.max_expected == b->maxsprt.max_expected;
}

/* Write text to a new temporary file; returns its path (static). */
static const char *s_tmpfile(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/test_eng_config.XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    ssize_t w = write(fd, text, strlen(text));
    close(fd);
    return w == (ssize_t)strlen(text) ? path : NULL;
}

TEST(table_has_every_key_once)
{
    size_t n;
    const struct eng_config_key *k = eng_config_keys(&n);
    CHECK_INT(n, 28);
    for (size_t i = 0; i < n; i++) {
        CHECK(k[i].desc && k[i].desc[0]);
        CHECK(strspn(k[i].key, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
              strlen(k[i].key));
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(k[i].section, k[j].section) != 0 ||
                  strcmp(k[i].key, k[j].key) != 0);
    }
    CHECK_STR(k[0].key, "level");
    CHECK_INT(k[0].max, sizeof((struct eng_config *)0)->log.level - 1);
    CHECK_INT(k[1].max, ENG_CONFIG_STR_MAX - 1);
}

TEST(defaults_match_the_spec)
{
    struct eng_config c;
    eng_config_defaults(&c);
    CHECK_STR(c.log.level, "info");
    CHECK_STR(c.ingest.endpoint, "ipc:///tmp/devsurv-ingest.ipc");
    CHECK(!c.ingest.insecure);
    CHECK_INT(c.ingest.max_msg_size, 1048576);
    CHECK_INT(c.ingest.credit, 4000);
    CHECK_STR(c.store.path, "devsurv.db");
    CHECK_INT(c.store.batch_ms, 5);
    CHECK_INT(c.store.batch_events, 1000);
    CHECK_NEAR(c.maxsprt.alpha, 0.05, 0);
    CHECK_NEAR(c.maxsprt.delay, 0, 0);
    CHECK_INT(c.maxsprt.min_events, 1);
    CHECK_NEAR(c.maxsprt.baseline_rate, 0.01, 0);
    CHECK_NEAR(c.maxsprt.max_expected, 20, 0);
    CHECK_INT(eng_config_validate(&c, &diag), 0);
}

/* Every table default, written as --set, gives the eng_config_defaults()
 * struct: the table and the setter agree on every key. */
TEST(table_defaults_parse_through_set)
{
    struct eng_config want, got;
    char set[700];
    size_t n;
    const struct eng_config_key *k = eng_config_keys(&n);
    eng_config_defaults(&want);
    memset(&got, 0x5a, sizeof got);
    for (size_t i = 0; i < n; i++) {
        snprintf(set, sizeof set, "%s.%s=%s", k[i].section, k[i].key, k[i].def);
        CHECK_INT(eng_config_set(&got, set, &diag), 0);
    }
    CHECK(s_equal(&got, &want));
}

TEST(good_file_with_comments_quotes_and_crlf)
{
    struct eng_config c;
    const char *text = "# devsurv test config\r\n"
                       "   ; indented comment\n"
                       "\n"
                       "[log]\r\n"
                       "level=debug\r\n"
                       "[ingest]\n"
                       "  endpoint = \"tcp://*:5555 \"  \n"
                       "insecure = yes\n"
                       "max_msg_size = +2048\n"
                       "credit = 1\n"
                       "[store]\n"
                       "path = \"a \\\"b\\\" \\\\c\"\n"
                       "batch_ms = 0\n"
                       "[maxsprt]\n"
                       "alpha = 2.5e-2\n"
                       "baseline_rate = 1e-12\n"
                       "[log]\n"
                       "[store]\n"
                       "batch_events = 1000000"; /* no final newline */
    ds_diag_set(&diag, "old", 1, "stale");
    CHECK_INT(s_parse(&c, text), 0);
    CHECK_STR(c.log.level, "debug");
    CHECK_STR(c.ingest.endpoint, "tcp://*:5555 ");
    CHECK(c.ingest.insecure);
    CHECK_INT(c.ingest.max_msg_size, 2048);
    CHECK_INT(c.ingest.credit, 1);
    CHECK_STR(c.store.path, "a \"b\" \\c");
    CHECK_INT(c.store.batch_ms, 0);
    CHECK_INT(c.store.batch_events, 1000000);
    CHECK_NEAR(c.maxsprt.alpha, 0.025, 0);
    CHECK_NEAR(c.maxsprt.baseline_rate, 1e-12, 0);
    CHECK_NEAR(c.maxsprt.max_expected, 20, 0); /* untouched default */
    CHECK_STR(diag.msg, "");
}

TEST(booleans_take_every_spelling)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    struct eng_config c;
    char set[64];
    eng_config_defaults(&c);
    for (int i = 0; i < 4; i++) {
        snprintf(set, sizeof set, "ingest.insecure=%s", yes[i]);
        CHECK_INT(eng_config_set(&c, set, &diag), 0);
        CHECK(c.ingest.insecure);
        snprintf(set, sizeof set, "ingest.insecure=%s", no[i]);
        CHECK_INT(eng_config_set(&c, set, &diag), 0);
        CHECK(!c.ingest.insecure);
    }
}

TEST(unknown_key_names_file_line_and_section)
{
    struct eng_config c;
    char buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    CHECK_INT(s_parse(&c, "[log]\n# level\nlevle = debug\n"), DS_ECONFIG);
    CHECK_STR(diag.file, "t.conf");
    CHECK_INT(diag.line, 3);
    CHECK_STR(diag.msg, "unknown key 'levle' in section [log]");
    CHECK_STR(ds_diag_format(&diag, buf, sizeof buf),
              "t.conf:3: unknown key 'levle' in section [log]");
}

TEST(unknown_section)
{
    struct eng_config c;
    CHECK_INT(s_parse(&c, "[log]\nlevel = info\n\n[logging]\n"), DS_ECONFIG);
    CHECK_INT(diag.line, 4);
    CHECK_STR(diag.msg, "unknown section [logging]");
}

TEST(key_outside_section)
{
    struct eng_config c;
    CHECK_INT(s_parse(&c, "# top\ncredit = 5\n[ingest]\n"), DS_ECONFIG);
    CHECK_INT(diag.line, 2);
    CHECK_STR(diag.msg, "key 'credit' outside any [section]");
}

TEST(duplicate_key_names_both_lines)
{
    struct eng_config c;
    const char *text = "[store]\nbatch_ms = 1\n[log]\n[store]\nbatch_ms = 2\n";
    CHECK_INT(s_parse(&c, text), DS_ECONFIG);
    CHECK_INT(diag.line, 5);
    CHECK_HAS(diag.msg, "duplicate key 'batch_ms' in section [store]");
    CHECK_HAS(diag.msg, "first set on line 2");
}

/* text must fail with DS_ECONFIG on line 2 with a message holding want. */
#define CHECK_BAD_VALUE(text, want)                                            \
    do {                                                                       \
        struct eng_config c_;                                                  \
        CHECK_INT(s_parse(&c_, text), DS_ECONFIG);                             \
        CHECK_INT(diag.line, 2);                                               \
        CHECK_HAS(diag.msg, want);                                             \
    } while (0)

TEST(bad_values_say_what_is_allowed)
{
    CHECK_BAD_VALUE("[ingest]\ninsecure = maybe\n",
                    "ingest.insecure: 'maybe' is not true/false, yes/no, "
                    "on/off or 1/0");
    CHECK_BAD_VALUE("[ingest]\ncredit = 12x\n",
                    "ingest.credit: '12x' is not a decimal integer");
    CHECK_BAD_VALUE("[ingest]\ncredit = 0x10\n", "not a decimal integer");
    CHECK_BAD_VALUE("[ingest]\ncredit =\n", "'' is not a decimal integer");
    CHECK_BAD_VALUE("[ingest]\ncredit = 99999999999999999999\n",
                    "ingest.credit: 99999999999999999999 is out of range "
                    "1..1000000");
    CHECK_BAD_VALUE("[ingest]\ncredit = -99999999999999999999\n",
                    "out of range");
    CHECK_BAD_VALUE("[ingest]\ncredit = 0\n",
                    "ingest.credit: 0 is out of range 1..1000000");
    CHECK_BAD_VALUE("[ingest]\nmax_msg_size = 67108865\n",
                    "67108865 is out of range 1024..67108864");
    CHECK_BAD_VALUE("[maxsprt]\nalpha = nan\n",
                    "maxsprt.alpha: 'nan' is not a finite decimal number");
    CHECK_BAD_VALUE("[maxsprt]\nalpha = inf\n", "'inf' is not a finite");
    CHECK_BAD_VALUE("[maxsprt]\nalpha = 1e999\n", "1e999 is out of range");
    CHECK_BAD_VALUE("[maxsprt]\nalpha = 1.5.2\n", "not a finite decimal");
    CHECK_BAD_VALUE("[maxsprt]\nalpha = 0.75\n",
                    "maxsprt.alpha: 0.75 is out of range 1e-07..0.5");
    CHECK_BAD_VALUE("[maxsprt]\nbaseline_rate = 0\n",
                    "0 is out of range 1e-12..1e+06");
    CHECK_BAD_VALUE("[log]\nlevel = verbose\n",
                    "log.level: 'verbose' is not one of "
                    "error|warn|info|debug");
    CHECK_BAD_VALUE("[log]\nlevel = INFO\n", "'INFO' is not one of");
}

TEST(malformed_lines_are_parse_errors)
{
    struct eng_config c;
    CHECK_INT(s_parse(&c, "[log]\nlevel debug\n"), DS_EPARSE);
    CHECK_INT(diag.line, 2);
    CHECK_HAS(diag.msg, "expected [section], key = value or a comment");
    CHECK_INT(s_parse(&c, "[log]\nLevel = debug\n"), DS_EPARSE);
    CHECK_INT(s_parse(&c, "[log]\n= debug\n"), DS_EPARSE);
    CHECK_INT(s_parse(&c, "[log]x]\n"), DS_EPARSE);
    CHECK_INT(s_parse(&c, "[log] # trailing comment\n"), DS_EPARSE);
    CHECK_HAS(diag.msg, "malformed section header");
    CHECK_INT(s_parse(&c, "[ log ]\n"), DS_EPARSE);
    CHECK_INT(s_parse(&c, "[]\n"), DS_EPARSE);
    CHECK_INT(s_parse(&c, "[store]\n\npath = \"x\n"), DS_EPARSE);
    CHECK_INT(diag.line, 3);
    CHECK_STR(diag.msg, "unterminated quoted value");
    CHECK_INT(s_parse(&c, "[store]\npath = \"x\" y\n"), DS_EPARSE);
    CHECK_STR(diag.msg, "unexpected text after closing quote");
    CHECK_INT(s_parse(&c, "[store]\npath = \"a\\nb\"\n"), DS_EPARSE);
    CHECK_HAS(diag.msg, "bad escape");
}

/* "[store]\npath = " and a value of n 'x' between quotes q. */
static const char *s_long_path(char *buf, const char *q, size_t n)
{
    size_t at = (size_t)sprintf(buf, "[store]\npath = %s", q);
    memset(buf + at, 'x', n);
    sprintf(buf + at + n, "%s\n", q);
    return buf;
}

TEST(strings_must_fit_their_field)
{
    struct eng_config c;
    char text[ENG_CONFIG_STR_MAX + 200];
    CHECK_INT(s_parse(&c, s_long_path(text, "", 511)), 0);
    CHECK_INT(strlen(c.store.path), ENG_CONFIG_STR_MAX - 1);
    CHECK_INT(s_parse(&c, s_long_path(text, "\"", 511)), 0);
    CHECK_INT(s_parse(&c, s_long_path(text, "", 512)), DS_ECONFIG);
    CHECK_STR(diag.msg, "store.path: value too long (max 511 bytes)");
    CHECK_INT(s_parse(&c, s_long_path(text, "\"", 512)), DS_ECONFIG);
    CHECK_STR(diag.msg, "store.path: value too long (max 511 bytes)");
    CHECK_INT(s_parse(&c, s_long_path(text, "\"", 600)), DS_ECONFIG);
    CHECK_STR(diag.msg, "store.path: value too long (max 511 bytes)");
    CHECK_INT(s_parse(&c, "[log]\nlevel = \"debug\"\n"), 0);
    CHECK_INT(s_parse(&c, "[log]\nlevel = debugdebugdebugdebug\n"), DS_ECONFIG);
    CHECK_INT(s_parse(&c, "[store]\npath = a\x01z\n"), DS_ECONFIG);
    CHECK_STR(diag.msg, "store.path: control character in value");
}

TEST(set_overrides_one_key)
{
    struct eng_config c;
    eng_config_defaults(&c);
    CHECK_INT(eng_config_set(&c, "log.level=debug", &diag), 0);
    CHECK_INT(eng_config_set(&c, "maxsprt.alpha=0.01", &diag), 0);
    CHECK_INT(eng_config_set(&c, "ingest.endpoint=tcp://*:5555", &diag), 0);
    CHECK_INT(eng_config_set(&c, "store.path=", &diag), 0);
    CHECK_INT(eng_config_set(&c, "store.batch_ms= 7", &diag), DS_ECONFIG);
    CHECK_INT(eng_config_set(&c, "store.path= a=b ", &diag), 0);
    CHECK_STR(c.log.level, "debug");
    CHECK_NEAR(c.maxsprt.alpha, 0.01, 0);
    CHECK_STR(c.ingest.endpoint, "tcp://*:5555");
    CHECK_STR(c.store.path, " a=b ");
    CHECK_INT(c.store.batch_ms, 5);
}

TEST(set_rejects_bad_assignments)
{
    struct eng_config c;
    eng_config_defaults(&c);
    CHECK_INT(eng_config_set(&c, "loglevel=debug", &diag), DS_EPARSE);
    CHECK_STR(diag.file, "--set");
    CHECK_INT(diag.line, 0);
    CHECK_STR(diag.msg, "expected section.key=value, got 'loglevel=debug'");
    CHECK_INT(eng_config_set(&c, "log.level", &diag), DS_EPARSE);
    CHECK_INT(eng_config_set(&c, "log.level.x=1", &diag), DS_EPARSE);
    CHECK_INT(eng_config_set(&c, "=1", &diag), DS_EPARSE);
    CHECK_INT(eng_config_set(&c, "log.colour=red", &diag), DS_ECONFIG);
    CHECK_STR(diag.msg, "unknown key 'colour' in section [log]");
    CHECK_INT(eng_config_set(&c, "ingest.endpoint=a\nb", &diag), DS_ECONFIG);
    CHECK_INT(eng_config_set(&c, "logs.level=debug", &diag), DS_ECONFIG);
    CHECK_STR(diag.msg, "unknown section [logs]");
    CHECK_INT(eng_config_set(&c, "ingest.credit=", &diag), DS_ECONFIG);
    CHECK_INT(eng_config_set(&c, "ingest.insecure=", &diag), DS_ECONFIG);
    CHECK_STR(c.log.level, "info");
}

/* cfg printed, then parsed over zeroes into *back. */
static int s_print_parse(const struct eng_config *cfg, struct eng_config *back)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    if (!f)
        return DS_EIO;
    eng_config_print(cfg, f);
    fclose(f);
    memset(back, 0, sizeof *back);
    int rc = eng_config_parse(back, out, n, "printed", &diag);
    free(out);
    return rc;
}

TEST(print_parses_back_to_an_equal_struct)
{
    static const char *const paths[] = {"", "plain", "\"lead", "trail\"",
                                        " \"q\" \\ and\ttab\t"};
    struct eng_config a, b;
    eng_config_defaults(&a);
    strcpy(a.log.level, "warn");
    a.ingest.insecure = true;
    a.ingest.max_msg_size = 67108864;
    a.maxsprt.alpha = 0.1 + 0.2 / 3; /* needs all 17 digits */
    a.maxsprt.baseline_rate = 1e-12;
    a.maxsprt.max_expected = 1234.56789;
    a.maxsprt.delay = 0.1 + 0.7;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        strcpy(a.store.path, paths[i]);
        CHECK_INT(s_print_parse(&a, &b), 0);
        CHECK_STR(b.store.path, a.store.path);
        CHECK(s_equal(&a, &b));
    }
}

TEST(delay_beyond_surveillance_length_is_refused)
{
    struct eng_config c;
    struct ds_diag why;
    ds_diag_clear(&why);
    eng_config_defaults(&c);
    CHECK_INT(eng_config_set(&c, "maxsprt.delay=25", &why), 0);
    CHECK_INT(eng_config_validate(&c, &why), DS_ECONFIG);
    CHECK_HAS(why.msg, "maxsprt.delay (D = 25) must not exceed");
    CHECK_INT(eng_config_set(&c, "maxsprt.max_expected=25", &why), 0);
    CHECK_INT(eng_config_validate(&c, &why), 0);
}

TEST(help_lists_every_key_with_its_kind)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    CHECK(f != NULL);
    eng_config_print_help(f);
    fclose(f);
    int ok = strncmp(out,
                     "[log]\n  level = info  (string, one of "
                     "error|warn|info|debug)\n      ",
                     strlen("[log]\n  level = info  (string, one of "
                            "error|warn|info|debug)\n      ")) == 0 &&
             strstr(out, "\n[ingest]\n") &&
             strstr(out, "  insecure = false  (boolean)\n") &&
             strstr(out, "  max_msg_size = 1048576  (integer, "
                         "1024..67108864)\n") &&
             strstr(out, "  path = devsurv.db  (string, up to 511 bytes)") &&
             strstr(out, "  alpha = 0.05  (number, 1e-07..0.5)\n") &&
             strstr(out, "      expected outcomes per exposure under H0\n");
    free(out);
    CHECK(ok);
}

TEST(load_reads_a_file)
{
    struct eng_config c;
    struct ds_alloc_stats before, after;
    const char *path = s_tmpfile("[store]\npath = /var/lib/devsurv.db\n"
                                 "[ingest]\ncredit = 9000\n");
    CHECK(path != NULL);
    eng_config_defaults(&c);
    ds_alloc_stats(&before);
    int rc = eng_config_load(&c, path, &diag);
    ds_alloc_stats(&after);
    unlink(path);
    CHECK_INT(rc, 0);
    CHECK_INT(after.allocs - before.allocs, 1); /* one buffer, freed */
    CHECK_INT(after.frees - before.frees, 1);
    CHECK_STR(c.store.path, "/var/lib/devsurv.db");
    CHECK_INT(c.ingest.credit, 9000);
}

TEST(load_error_names_the_path_and_line)
{
    struct eng_config c;
    const char *path = s_tmpfile("[store]\n\nbatch_ms = -1\n");
    CHECK(path != NULL);
    eng_config_defaults(&c);
    int rc = eng_config_load(&c, path, &diag);
    unlink(path);
    CHECK_INT(rc, DS_ECONFIG);
    CHECK_STR(diag.file, path);
    CHECK_INT(diag.line, 3);
    CHECK_STR(diag.msg, "store.batch_ms: -1 is out of range 0..60000");
}

TEST(load_missing_file_is_eio)
{
    struct eng_config c;
    eng_config_defaults(&c);
    CHECK_INT(eng_config_load(&c, "/nonexistent/devsurv.conf", &diag), DS_EIO);
    CHECK_STR(diag.file, "/nonexistent/devsurv.conf");
    CHECK_INT(diag.line, 0);
    CHECK_STR(diag.msg, strerror(ENOENT));
    CHECK_INT(eng_config_load(&c, "/tmp", &diag), DS_EIO);
    CHECK_STR(diag.msg, strerror(EISDIR));
}

/* A 1 MiB file of comments loads; one byte more is not a config file. */
TEST(load_refuses_files_over_1_mib)
{
    struct eng_config c;
    size_t mib = 1 << 20;
    char *text = malloc(mib + 2);
    CHECK(text != NULL);
    memset(text, '#', mib + 1);
    text[mib] = '\0';
    const char *path = s_tmpfile(text);
    int rc1 = path ? eng_config_load(&c, path, &diag) : -100;
    if (path)
        unlink(path);
    strcpy(text + mib, "#");
    path = s_tmpfile(text);
    free(text);
    CHECK(path != NULL);
    int rc2 = eng_config_load(&c, path, &diag);
    unlink(path);
    CHECK_INT(rc1, 0);
    CHECK_INT(rc2, DS_ETOOBIG);
    CHECK_HAS(diag.msg, "not a config file");
}

TEST(load_survives_allocation_failure)
{
    struct eng_config c;
    struct ds_alloc_stats before, after;
    const char *path = s_tmpfile("[log]\nlevel = warn\n");
    CHECK(path != NULL);
    eng_config_defaults(&c);
    ds_alloc_stats(&before);
    ds_alloc_fail_at(1);
    int rc = eng_config_load(&c, path, &diag);
    int fired = ds_alloc_fail_fired();
    ds_alloc_fail_at(0);
    ds_alloc_stats(&after);
    unlink(path);
    CHECK_INT(rc, DS_ENOMEM);
    CHECK(fired);
    CHECK_STR(diag.msg, "out of memory");
    CHECK_INT(after.allocs - after.frees, before.allocs - before.frees);
    CHECK_STR(c.log.level, "info");
}

TEST(validate_rechecks_fields_set_by_code)
{
    struct eng_config c;
    eng_config_defaults(&c);
    c.store.batch_events = 0;
    CHECK_INT(eng_config_validate(&c, &diag), DS_ECONFIG);
    CHECK_STR(diag.msg, "store.batch_events: 0 is out of range 1..1000000");
    eng_config_defaults(&c);
    memset(c.log.level, 'x', sizeof c.log.level); /* no NUL */
    CHECK_INT(eng_config_validate(&c, &diag), DS_ECONFIG);
    CHECK_HAS(diag.msg, "log.level: ");
}

TEST(example_config_parses)
{
    struct eng_config c, d;
    eng_config_defaults(&c);
    eng_config_defaults(&d);
    CHECK_INT(eng_config_load(&c, EXAMPLE, &diag), 0);
    CHECK(s_equal(&c, &d)); /* the example documents the defaults */
}

int main(void)
{
    RUN(table_has_every_key_once);
    RUN(defaults_match_the_spec);
    RUN(table_defaults_parse_through_set);
    RUN(good_file_with_comments_quotes_and_crlf);
    RUN(booleans_take_every_spelling);
    RUN(unknown_key_names_file_line_and_section);
    RUN(unknown_section);
    RUN(key_outside_section);
    RUN(duplicate_key_names_both_lines);
    RUN(bad_values_say_what_is_allowed);
    RUN(malformed_lines_are_parse_errors);
    RUN(strings_must_fit_their_field);
    RUN(set_overrides_one_key);
    RUN(set_rejects_bad_assignments);
    RUN(print_parses_back_to_an_equal_struct);
    RUN(delay_beyond_surveillance_length_is_refused);
    RUN(help_lists_every_key_with_its_kind);
    RUN(load_reads_a_file);
    RUN(load_error_names_the_path_and_line);
    RUN(load_missing_file_is_eio);
    RUN(load_refuses_files_over_1_mib);
    RUN(load_survives_allocation_failure);
    RUN(validate_rechecks_fields_set_by_code);
    if (access(EXAMPLE, R_OK) == 0)
        RUN(example_config_parses);
    else
        printf("skip - example_config_parses: run from the repo root\n");
    return test_report();
}
