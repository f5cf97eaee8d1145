/*
 * test_eng_audit.c - the audit trail end to end at the library level:
 * canonical bytes (eng_audit_canon), the hash chain (eng_audit), the
 * triggers of migration 3, signed checkpoints and anchors
 * (eng_checkpoint, eng_audit_sth, eng_audit_key) and verify
 * (eng_audit_verify), including the tampering it must catch.
 *
 * Oracles: the canonical bytes of one entry are written out by hand from
 * the format in eng_audit_canon.h; entry hashes are recomputed here with
 * libsodium directly. Each test uses its own files in a temp dir.
 */
#include "devsurv/eng_audit.h"
#include "devsurv/eng_audit_key.h"
#include "devsurv/eng_audit_sth.h"
#include "devsurv/eng_audit_verify.h"
#include "devsurv/eng_checkpoint.h"
#include "devsurv/ds_err.h"
#include "../test.h"

#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir[] = "/tmp/devsurv-test-audit-XXXXXX";

static const char *s_path(const char *name)
{
    static char p[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", s_dir, name);
    return p[i];
}

TEST(canonical_bytes_are_the_documented_layout)
{
    struct eng_audit_buf b = {0};
    const uint8_t pl[2] = {0xab, 0xcd};
    struct eng_audit_entry e = {.seq = 1,
                                .kind = ENG_AUDIT_CONFIG_LOADED,
                                .ts = -2,
                                .subject = ds_span_str("s"),
                                .payload = pl,
                                .npayload = 2};
    static const uint8_t want[] = {
        0,    0,   0,   16,  'd', 'e', 'v',  's',  'u',  'r',  'v',  '.',  'a',
        'u',  'd', 'i', 't', '.', 'v', '1',  0,    0,    0,    0,    0,    0,
        0,    1,   0,   0,   0,   13,  'c',  'o',  'n',  'f',  'i',  'g',  '_',
        'l',  'o', 'a', 'd', 'e', 'd', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xfe, 0,   0,   0,   1,   's', 0,    0,    0,    2,    0xab, 0xcd};
    CHECK_INT(eng_audit_canon_encode(&b, &e), 0);
    CHECK_INT(b.n, sizeof want);
    CHECK(memcmp(b.p, want, sizeof want) == 0);
    struct eng_audit_entry d;
    CHECK_INT(eng_audit_canon_decode(b.p, b.n, &d), 0);
    CHECK_INT(d.seq, 1);
    CHECK_INT(d.ts, -2);
    CHECK_INT(d.kind, ENG_AUDIT_CONFIG_LOADED);
    CHECK(ds_span_eq(d.subject, "s"));
    CHECK_INT(d.npayload, 2);
    /* every truncation and one extra byte are refused */
    for (size_t n = 0; n < b.n; n++)
        CHECK_INT(eng_audit_canon_decode(b.p, n, &d), DS_EPARSE);
    uint8_t more[sizeof want + 1];
    memcpy(more, want, sizeof want);
    CHECK_INT(eng_audit_canon_decode(more, sizeof more, &d), DS_EPARSE);
    eng_audit_buf_clear(&b);
}

TEST(doubles_are_encoded_by_their_bits)
{
    struct eng_audit_buf b = {0};
    eng_audit_buf_f64(&b, 1.0); /* 0x3ff0000000000000 */
    eng_audit_buf_f64(&b, -0.0);
    static const uint8_t want[] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0,
                                   0x80, 0,    0, 0, 0, 0, 0, 0};
    CHECK_INT(b.n, 16);
    CHECK(memcmp(b.p, want, 16) == 0);
    eng_audit_buf_clear(&b);
}

struct s_fix {
    eng_store_t *st;
    eng_audit_t *a;
    eng_checkpoint_t *cp;
    struct eng_config cfg;
};

static int s_open(struct s_fix *f, const char *db)
{
    f->st = eng_store_open(s_path(db), false, NULL);
    f->a = f->st ? eng_audit_new(f->st, NULL) : NULL;
    f->cp = f->a ? eng_checkpoint_new(f->st, f->a, &f->cfg, NULL) : NULL;
    return f->cp ? 0 : -1;
}

static void s_close(struct s_fix *f)
{
    eng_checkpoint_destroy(&f->cp);
    eng_audit_destroy(&f->a);
    eng_store_destroy(&f->st);
}

/* Append n entries (kind rules_loaded, ts = seq * 1000) and commit. */
static int s_add(struct s_fix *f, int n)
{
    int rc = eng_store_begin(f->st);
    for (int i = 0; rc == 0 && i < n; i++) {
        char subj[32];
        int64_t seq = eng_audit_seq(f->a) + 1;
        snprintf(subj, sizeof subj, "t/1/%lld", (long long)seq);
        rc = eng_audit_append(f->a, ENG_AUDIT_RULES_LOADED, seq * 1000,
                              ds_span_str(subj), (const uint8_t *)"x", 1);
    }
    if (rc == 0)
        rc = eng_store_commit(f->st);
    if (rc == 0)
        eng_audit_committed(f->a);
    return rc;
}

static int s_exec(struct s_fix *f, const char *sql)
{
    return sqlite3_exec(eng_store_db(f->st), sql, NULL, NULL, NULL);
}

static int s_verify(struct s_fix *f, const char *anchors, const uint8_t *pub,
                    struct eng_audit_verify_report *r)
{
    struct eng_audit_verify_opts o = {anchors, pub};
    return eng_audit_verify(eng_store_db(f->st), &o, r, NULL);
}

TEST(chain_links_each_entry_to_the_previous)
{
    struct s_fix f;
    eng_config_defaults(&f.cfg);
    CHECK_INT(s_open(&f, "chain.db"), 0);
    CHECK_INT(eng_audit_seq(f.a), 0);
    CHECK_INT(s_add(&f, 3), 0);
    CHECK_INT(eng_audit_seq(f.a), 3);
    /* recompute entry 1..3 from the rows with libsodium directly */
    sqlite3_stmt *st;
    uint8_t prev[32] = {0}, h[32];
    CHECK_INT(sqlite3_prepare_v2(eng_store_db(f.st),
                                 "SELECT canonical, prev_hash, entry_hash "
                                 "FROM audit ORDER BY seq",
                                 -1, &st, NULL),
              SQLITE_OK);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        crypto_hash_sha256_state s;
        crypto_hash_sha256_init(&s);
        crypto_hash_sha256_update(&s, sqlite3_column_blob(st, 0),
                                  (size_t)sqlite3_column_bytes(st, 0));
        crypto_hash_sha256_update(&s, prev, 32);
        crypto_hash_sha256_final(&s, h);
        CHECK(memcmp(sqlite3_column_blob(st, 1), prev, 32) == 0);
        CHECK(memcmp(sqlite3_column_blob(st, 2), h, 32) == 0);
        memcpy(prev, h, 32);
        rows++;
    }
    sqlite3_finalize(st);
    CHECK_INT(rows, 3);
    CHECK(memcmp(eng_audit_head(f.a), h, 32) == 0);
    /* a reopened chain resumes at the same head */
    eng_checkpoint_destroy(&f.cp);
    eng_audit_destroy(&f.a);
    f.a = eng_audit_new(f.st, NULL);
    CHECK(f.a != NULL);
    CHECK_INT(eng_audit_seq(f.a), 3);
    CHECK(memcmp(eng_audit_head(f.a), h, 32) == 0);
    s_close(&f);
}

TEST(rollback_restores_the_committed_head)
{
    struct s_fix f;
    eng_config_defaults(&f.cfg);
    CHECK_INT(s_open(&f, "rollback.db"), 0);
    CHECK_INT(s_add(&f, 2), 0);
    uint8_t head[32];
    memcpy(head, eng_audit_head(f.a), 32);
    CHECK_INT(eng_store_begin(f.st), 0);
    CHECK_INT(eng_audit_append(f.a, ENG_AUDIT_RULES_LOADED, 5, ds_span_str("x"),
                               NULL, 0),
              0);
    CHECK_INT(eng_audit_seq(f.a), 3);
    eng_store_rollback(f.st);
    eng_audit_rollback(f.a);
    CHECK_INT(eng_audit_seq(f.a), 2);
    CHECK(memcmp(eng_audit_head(f.a), head, 32) == 0);
    CHECK_INT(s_add(&f, 1), 0); /* seq 3 again, chained to seq 2 */
    struct eng_audit_verify_report r;
    CHECK_INT(s_verify(&f, NULL, NULL, &r), 0);
    CHECK_INT(r.entries, 3);
    s_close(&f);
}

TEST(triggers_refuse_update_and_delete)
{
    struct s_fix f;
    eng_config_defaults(&f.cfg);
    CHECK_INT(s_open(&f, "triggers.db"), 0);
    CHECK_INT(s_add(&f, 2), 0);
    CHECK_INT(eng_checkpoint_make(f.cp, NULL, NULL), 0);
    CHECK(s_exec(&f, "UPDATE audit SET ts = 0 WHERE seq = 1") != SQLITE_OK);
    CHECK(s_exec(&f, "DELETE FROM audit WHERE seq = 3") != SQLITE_OK);
    CHECK(s_exec(&f, "UPDATE checkpoints SET ts = 0") != SQLITE_OK);
    CHECK(s_exec(&f, "DELETE FROM checkpoints") != SQLITE_OK);
    struct eng_audit_verify_report r;
    CHECK_INT(s_verify(&f, NULL, NULL, &r), 0);
    CHECK_INT(r.entries, 3);
    CHECK_INT(r.checkpoints, 1);
    /* a row slipped in past the end leaves a gap that verify names */
    CHECK_INT(s_exec(&f, "INSERT INTO audit VALUES(9, 'x', 0, 's', x'00', "
                         "zeroblob(32), zeroblob(32))"),
              SQLITE_OK);
    CHECK_INT(s_verify(&f, NULL, NULL, &r), DS_EINVAL);
    CHECK_INT(r.bad_seq, 4);
    CHECK_HAS(r.what, "entry 4 is missing");
    s_close(&f);
}

/* A signed, anchored log of 3 checkpoints: 10 entries, cp, 10, cp, 5, cp. */
static int s_signed_log(struct s_fix *f, const char *db, const char *prefix,
                        struct eng_audit_key *k)
{
    eng_config_defaults(&f->cfg);
    if (eng_audit_key_create(s_path(prefix), k, NULL) != 0)
        return -1;
    snprintf(f->cfg.audit.signing_key, sizeof f->cfg.audit.signing_key,
             "%s.sign.key", s_path(prefix));
    snprintf(f->cfg.audit.anchors, sizeof f->cfg.audit.anchors, "%s",
             s_path("anchors.txt"));
    unlink(f->cfg.audit.anchors);
    f->cfg.audit.checkpoint_every = 10;
    struct eng_audit_sth s;
    int rc = s_open(f, db);
    for (int i = 0; rc == 0 && i < 3; i++)
        rc = s_add(f, i == 2 ? 5 : 10) ||
             eng_checkpoint_make(f->cp, &s, NULL) || !eng_audit_sth_check(&s);
    return rc ? -1 : 0;
}

TEST(signed_checkpoints_verify_and_edits_are_caught)
{
    struct s_fix f;
    struct eng_audit_key k;
    struct eng_audit_verify_report r;
    CHECK_INT(s_signed_log(&f, "signed.db", "k1", &k), 0);
    CHECK_INT(eng_checkpoint_pending(f.cp), 0);
    CHECK_INT(s_verify(&f, f.cfg.audit.anchors, k.pub, &r), 0);
    CHECK_INT(r.entries, 28);
    CHECK_INT(r.checkpoints, 3);
    CHECK_INT(r.anchors, 3);
    CHECK_INT(r.unsigned_cp, 0);
    /* another key is refused */
    struct eng_audit_key other;
    CHECK_INT(eng_audit_key_create(s_path("k2"), &other, NULL), 0);
    CHECK_INT(s_verify(&f, NULL, other.pub, &r), DS_EINVAL);
    CHECK_HAS(r.what, "another key");
    /* edit one entry's canonical bytes, as an attacker would */
    CHECK_INT(s_exec(&f, "DROP TRIGGER audit_no_update"), SQLITE_OK);
    CHECK_INT(s_exec(&f, "UPDATE audit SET canonical = "
                         "substr(canonical, 1, length(canonical) - 1) || "
                         "x'79' WHERE seq = 7"),
              SQLITE_OK);
    CHECK_INT(s_verify(&f, NULL, NULL, &r), DS_EINVAL);
    CHECK_INT(r.bad_seq, 7);
    CHECK_HAS(r.what, "entry edited");
    s_close(&f);
}

TEST(truncation_and_deleted_checkpoints_are_caught)
{
    struct s_fix f;
    struct eng_audit_key k;
    struct eng_audit_verify_report r;
    CHECK_INT(s_signed_log(&f, "trunc.db", "k3", &k), 0);
    CHECK_INT(s_exec(&f, "DROP TRIGGER audit_no_delete;"
                         "DROP TRIGGER checkpoints_no_delete"),
              SQLITE_OK);
    /* the last checkpoint's own entry */
    CHECK_INT(s_exec(&f, "DELETE FROM audit WHERE seq = 28"), SQLITE_OK);
    CHECK_INT(s_verify(&f, NULL, NULL, &r), DS_EINVAL);
    CHECK_HAS(r.what, "truncated");
    /* the tail and its checkpoint: only the anchors still know */
    CHECK_INT(s_exec(&f, "DELETE FROM audit WHERE seq > 22;"
                         "DELETE FROM checkpoints WHERE n = 27"),
              SQLITE_OK);
    CHECK_INT(s_verify(&f, NULL, NULL, &r), 0);
    CHECK_INT(s_verify(&f, f.cfg.audit.anchors, k.pub, &r), DS_EINVAL);
    CHECK_INT(r.bad_seq, 27);
    CHECK_HAS(r.what, "tail truncated");
    /* a checkpoint row deleted in the middle: its chain entry says so */
    CHECK_INT(s_exec(&f, "DELETE FROM checkpoints WHERE n = 10"), SQLITE_OK);
    CHECK_INT(s_verify(&f, NULL, NULL, &r), DS_EINVAL);
    CHECK_INT(r.bad_seq, 11);
    CHECK_HAS(r.what, "checkpoint 10 is missing");
    s_close(&f);
}

TEST(unsigned_checkpoints_are_reported_and_still_anchored)
{
    struct s_fix f;
    struct eng_audit_verify_report r;
    eng_config_defaults(&f.cfg);
    snprintf(f.cfg.audit.anchors, sizeof f.cfg.audit.anchors, "%s",
             s_path("unsigned.txt"));
    CHECK_INT(s_open(&f, "unsigned.db"), 0);
    CHECK_INT(s_add(&f, 4), 0);
    struct eng_audit_sth s;
    CHECK_INT(eng_checkpoint_make(f.cp, &s, NULL), 0);
    CHECK_INT(s.n, 4);
    CHECK(!s.is_signed);
    CHECK_INT(eng_checkpoint_make(f.cp, &s, NULL), 0); /* nothing pending */
    CHECK_INT(s.n, 0);
    CHECK_INT(s_verify(&f, f.cfg.audit.anchors, NULL, &r), 0);
    CHECK_INT(r.unsigned_cp, 1);
    CHECK_INT(r.anchors, 1);
    uint8_t pub[32] = {1};
    CHECK_INT(s_verify(&f, NULL, pub, &r), DS_EINVAL); /* key demanded */
    CHECK_HAS(r.what, "unsigned");
    s_close(&f);
}

TEST(anchor_lines_round_trip_and_reject_junk)
{
    struct eng_audit_sth s = {.n = 42, .ts = -5}, t;
    struct eng_audit_key k;
    char line[ENG_AUDIT_STH_LINE_MAX];
    memset(s.root, 0xaa, 32);
    memset(s.head, 0x01, 32);
    CHECK_INT(eng_audit_key_create(s_path("k4"), &k, NULL), 0);
    eng_audit_sth_format(&s, line);
    CHECK_INT(eng_audit_sth_parse(ds_span_str(line), &t), 0);
    CHECK(!t.is_signed);
    CHECK_INT(t.n, 42);
    CHECK_INT(t.ts, -5);
    CHECK_INT(eng_audit_sth_sign(&s, &k), 0);
    eng_audit_sth_format(&s, line);
    CHECK_INT(eng_audit_sth_parse(ds_span_str(line), &t), 0);
    CHECK(t.is_signed && eng_audit_sth_check(&t));
    CHECK(memcmp(&s, &t, sizeof s) == 0);
    t.ts++; /* the signature covers ts */
    CHECK(!eng_audit_sth_check(&t));
    static const char *const bad[] = {
        "",
        "1",
        "0 " /* n >= 1 */,
        "1 aa bb 0 - -",
        "01 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0 - "
        "-",
        "1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0 - ",
        "1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
        "AAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0 - "
        "-",
        "1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0 - "
        "- ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (eng_audit_sth_parse(ds_span_str(bad[i]), &t) != DS_EPARSE)
            TEST_FAIL_("accepted bad line %zu", i);
    CHECK_INT(eng_audit_sth_parse(
                  ds_span_str("1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                              "aaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaaa"
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0 - -"),
                  &t),
              0);
}

TEST(key_files_are_checked)
{
    struct eng_audit_key k, l;
    CHECK_INT(eng_audit_key_create(s_path("k5"), &k, NULL), 0);
    CHECK_INT(eng_audit_key_create(s_path("k5"), NULL, NULL), DS_EIO);
    char p[600];
    snprintf(p, sizeof p, "%s.sign.key", s_path("k5"));
    CHECK_INT(eng_audit_key_load(&l, p, NULL), 0);
    CHECK(l.has_sec && memcmp(l.pub, k.pub, 32) == 0);
    chmod(p, 0644);
    CHECK_INT(eng_audit_key_load(&l, p, NULL), DS_ECONFIG);
    snprintf(p, sizeof p, "%s.sign.pub", s_path("k5"));
    CHECK_INT(eng_audit_key_load(&l, p, NULL), 0);
    CHECK(!l.has_sec && memcmp(l.pub, k.pub, 32) == 0);
    /* a secret that does not match the public key */
    struct eng_audit_key m;
    CHECK_INT(eng_audit_key_create(s_path("k6"), &m, NULL), 0);
    char sec[129], pub[65], text[400];
    snprintf(text, sizeof text, "public-key = %s\nsecret-key = %s\n",
             eng_audit_hex(k.pub, 32, pub), eng_audit_hex(m.sec, 64, sec));
    snprintf(p, sizeof p, "%s", s_path("mismatch.key"));
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
    chmod(p, 0600);
    struct ds_diag d;
    CHECK_INT(eng_audit_key_load(&l, p, &d), DS_ECONFIG);
    CHECK_HAS(d.msg, "does not match");
}

int main(void)
{
    if (!mkdtemp(s_dir))
        return 1;
    RUN(canonical_bytes_are_the_documented_layout);
    RUN(doubles_are_encoded_by_their_bits);
    RUN(chain_links_each_entry_to_the_previous);
    RUN(rollback_restores_the_committed_head);
    RUN(triggers_refuse_update_and_delete);
    RUN(signed_checkpoints_verify_and_edits_are_caught);
    RUN(truncation_and_deleted_checkpoints_are_caught);
    RUN(unsigned_checkpoints_are_reported_and_still_anchored);
    RUN(anchor_lines_round_trip_and_reject_junk);
    RUN(key_files_are_checked);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    if (system(cmd) != 0)
        return 1;
    return test_report();
}
