/*
 * bench_extract_main.c - bench_extract's set-up, per-corpus report and
 * checks, and main. The program (bench_extract_*.c, bench_util.c)
 * measures the throughput of text extraction (nlp_extract_run) and of
 * each of its stages, next to two baselines measured in the same run on
 * the same bytes (`make bench`, tests/bench/run.sh).
 *
 * Set-up, each timed once: nlp_rules_load of rules/ (one load, files from
 * the page cache), then nlp_extract_new (the term and trigger automata and
 * the identifier regexes), then the bench's own copies of what the
 * extractor builds (rows "dictionary" and "regex" below).
 *
 * Corpora (argv: [synthetic MB, default 50] [MAUDE tsv]):
 *   maude      the foi_text column of ../shared/eval/maude/
 *              maude_uniform_sample_1k.tsv read with eng_tsv (1,000
 *              upper-case narratives, ~0.48 MB), timed over as many passes
 *              as make ~10 MB; skipped, with a message, when absent
 *   synthetic  ~1 KB clinical notes generated from a fixed seed
 *              (splitmix64): section headings, device and adverse-event
 *              phrases (a curated list, and terms drawn from the rule
 *              set's own lexicon), negations and other ConText cues,
 *              model, lot and serial numbers, dates, GS1 and HIBCC UDIs
 *              with valid check characters, de-identification tokens, and
 *              plain sentences between them: a few mentions per note
 *              (about 8 per KB with the dates, near MAUDE's 7), not
 *              packed; one pass per timed repeat
 *
 * Rows, each over every note of the corpus, one note at a time:
 *   memchr        baseline: memchr() for '.' over the note, counting them;
 *                 the cost of reading the bytes once
 *   PCRE2 naive   baseline: every identifier pattern of the rule set
 *                 compiled alone (caseless, JIT) and run one after another
 *                 over the note, every match of each; no validation
 *   dictionary    nlp_ac_scan with an automaton built here from
 *                 nlp_rules_terms() (no accessor for the extractor's, which
 *                 also holds the context triggers: nlp_extract_run finds
 *                 terms and triggers in one pass): every hit, overlapping
 *                 ones included; no selection, no mentions
 *   dictionary 5k the same with 5,000 of the terms (every k-th in rule-file
 *                 order): the lexicon size of the target
 *   regex         nlp_regex_scan, joined mode as the extractor runs it,
 *                 with a regex built here as nlp_extract_new builds its
 *                 own: scan and validation
 *   udi           nlp_udi_find + nlp_udi_parse over the note
 *   split         nlp_doc_split (tokens, sentences, sections)
 *   context       what nlp_extract_run does once the mentions are found:
 *                 the trigger hits of its one dictionary pass (taken from
 *                 the untimed run below: the dictionary row above scans
 *                 terms only, so it understates that pass a little),
 *                 trigger hits and mentions turned into token ranges,
 *                 section headings matched to the rule set's, and
 *                 nlp_context_apply. Not the split. Its input (the split
 *                 note and the mentions) comes from an untimed
 *                 nlp_extract_run of the same note just before, so the
 *                 note is in cache; the flags must equal that run's
 *   full          nlp_extract_run: split, dictionary, udi, regex and
 *                 context as above, plus leftmost-longest selection, the
 *                 de-identification and ambiguity filters, building and
 *                 sorting the mentions
 * Each row first makes one untimed pass over every note of the corpus
 * (the warm-up: buffers grown to the largest note, caches and branch
 * predictors trained), then BX_REPS timed repeats of its passes, and shows
 * the fastest (other load on a shared machine only ever slows a repeat
 * down). memchr is timed as one wall-clock loop; every other row note by
 * note with a clock_gettime pair (its cost is printed), its seconds being
 * the sum of the per-note times, so p50/p99 are per note (from the
 * fastest repeat). One thread: MB/s and notes/s are per core. MB are
 * note-text bytes (10^6). out/note is what the row finds per note; %full
 * is the row's seconds over the full pipeline's; allocs are ds_alloc calls
 * during all timed repeats.
 *
 * Checked (exit 1 when a check fails, or when anything fails to load or
 * run): no ds_alloc call during the full pipeline's timed passes (the
 * "0 allocations per note after warm-up" requirement); each corpus gives
 * mentions; the context row's flags equal nlp_extract_run's; every UDI the
 * generator wrote parses and the synthetic corpus gives UDI mentions.
 * Speed is printed next to the targets (full >= 50 MB/s on MAUDE,
 * dictionary >= 250 MB/s with 5,000 terms, rules loaded < 1 s), never
 * enforced.
 *
 * Not here: several threads, the engine around the extractor (decode,
 * store: bench_stages_*.c), accuracy (tests/eval), other lexicons
 * (bench_ac.c) and other regex layouts (bench_regex.c).
 */
#include "bench_extract.h"
#include "bench_util.h"

#define S_DEFAULT_MB 50
#define S_MAUDE_MB   10.0 /* timed bytes of a MAUDE row, in passes */
#define S_SUBSET     5000
#define S_RULES_DIR  "rules"
#define S_MAUDE_TSV  "../shared/eval/maude/maude_uniform_sample_1k.tsv"

/* Targets of the issue, printed, never enforced. */
#define S_T_FULL_MBS 50.0
#define S_T_DICT_MBS 250.0
#define S_T_LOAD_S   1.0

/* An automaton of keep of the n terms (every k-th; all when keep >= n),
 * added as nlp_extract_new adds them (id = term index). */
static int s_build_terms(nlp_ac_t **out, const struct nlp_term *t, size_t n,
                         size_t keep, double *ms)
{
    struct ds_diag diag;
    uint64_t t0 = bench_now_ns();
    nlp_ac_builder_t *b = nlp_ac_builder_new();
    int rc = b ? 0 : DS_ENOMEM;
    keep = keep < n ? keep : n;
    ds_diag_clear(&diag);
    for (size_t k = 0; rc == 0 && k < keep; k++) {
        size_t i = keep == n ? k : k * n / keep;
        rc = nlp_ac_builder_add(
            b, (struct ds_span){t[i].term, t[i].len}, (uint32_t)i,
            t[i].boundary == NLP_BOUNDARY_NONE ? NLP_AC_NOBOUND : 0, &diag);
    }
    if (rc == 0)
        rc = nlp_ac_build(out, &b, &diag);
    nlp_ac_builder_destroy(&b);
    *ms = (double)(bench_now_ns() - t0) / 1e6;
    return rc ? bench_fail("dictionary", "%s: %s", ds_strerror(rc), diag.msg)
              : 0;
}

static void s_print_ac(const char *what, const nlp_ac_t *ac, size_t terms,
                       double ms)
{
    struct nlp_ac_info info;
    nlp_ac_info(ac, &info);
    printf("%-12s %6zu terms (%zu stored), %zu states (%zu dense rows x "
           "%zu classes, %zu-byte entries; %zu sparse), %.1f MB; built in "
           "%.0f ms\n",
           what, terms, info.terms, info.states, info.dense, info.classes,
           info.entry_bytes, info.states - info.dense, (double)info.bytes / 1e6,
           ms);
}

static int s_load(struct bx_setup *su)
{
    struct ds_diag diag;
    ds_diag_clear(&diag);
    uint64_t t0 = bench_now_ns();
    int rc = nlp_rules_load(&su->rules, S_RULES_DIR, &diag);
    uint64_t t1 = bench_now_ns();
    if (rc != 0)
        return bench_fail("rules", "%s:%d: %s", diag.file, diag.line, diag.msg);
    rc = nlp_extract_new(&su->x, su->rules, &diag);
    uint64_t t2 = bench_now_ns();
    if (rc != 0)
        return bench_fail("nlp_extract_new", "%s:%d: %s", diag.file, diag.line,
                          diag.msg);
    su->load_s = (double)(t1 - t0) / 1e9;
    su->new_s = (double)(t2 - t1) / 1e9;
    return 0;
}

static int s_setup(struct bx_setup *su)
{
    size_t nt, ntrig, nsec, npat;
    double ms_all, ms_sub, ms_re, ms_naive;
    struct ds_diag diag;
    int rc = s_load(su);
    if (rc != 0)
        return rc;
    const struct nlp_term *t = nlp_rules_terms(su->rules, &nt);
    nlp_rules_triggers(su->rules, &ntrig);
    nlp_rules_sections(su->rules, &nsec);
    nlp_rules_patterns(su->rules, &npat);
    su->nterms = nt;
    su->nsubset = nt < S_SUBSET ? nt : S_SUBSET;
    rc = s_build_terms(&su->terms, t, nt, nt, &ms_all);
    if (rc == 0)
        rc = s_build_terms(&su->subset, t, nt, S_SUBSET, &ms_sub);
    uint64_t t0 = bench_now_ns();
    ds_diag_clear(&diag);
    if (rc == 0 && nlp_regex_new(&su->re, su->rules, 0, &diag) != 0)
        rc = bench_fail("regex", "%s:%d: %s", diag.file, diag.line, diag.msg);
    ms_re = (double)(bench_now_ns() - t0) / 1e6;
    t0 = bench_now_ns();
    if (rc == 0)
        rc = bx_naive_open(&su->naive, su->rules);
    ms_naive = (double)(bench_now_ns() - t0) / 1e6;
    if (rc != 0)
        return rc;
    double total = su->load_s + su->new_s;
    printf("rules      %s, sha256 %.16s..., %zu terms, %zu triggers, %zu "
           "section headings, %zu identifier patterns\n",
           nlp_rules_version(su->rules), nlp_rules_sha256(su->rules), nt, ntrig,
           nsec, npat);
    printf("load       nlp_rules_load %.0f ms + nlp_extract_new %.0f ms = "
           "%.0f ms (target < %.0f s: %s)\n",
           su->load_s * 1e3, su->new_s * 1e3, total * 1e3, S_T_LOAD_S,
           total < S_T_LOAD_S ? "met" : "missed");
    printf("lexicon    %zu terms, %.1fx the target's 5,000; the bench's own "
           "automata (the extractor has no accessor for its term "
           "automaton):\n",
           nt, (double)nt / S_SUBSET);
    s_print_ac("  all terms", su->terms, nt, ms_all);
    s_print_ac("  5k subset", su->subset, su->nsubset, ms_sub);
    printf("regex      nlp_regex_new %.0f ms: %zu patterns in %zu passes, "
           "JIT %s; PCRE2 naive baseline: %zu regexes compiled in %.0f ms, "
           "JIT %s\n",
           ms_re, nlp_regex_count(su->re), nlp_regex_passes(su->re),
           nlp_regex_jit(su->re) ? "on" : "OFF (interpreter)", su->naive.n,
           ms_naive, su->naive.jit ? "on" : "OFF (interpreter)");
    return 0;
}

static void s_setup_free(struct bx_setup *su)
{
    bx_naive_close(&su->naive);
    nlp_regex_destroy(&su->re);
    nlp_ac_destroy(&su->terms);
    nlp_ac_destroy(&su->subset);
    nlp_extract_destroy(&su->x);
    nlp_rules_destroy(&su->rules);
}
static void s_print_mentions(const struct bx_full *f, size_t notes)
{
    double n = notes ? (double)notes : 1;
    double m = f->mentions ? (double)f->mentions : 1;
    printf("mentions   %.2f per note:", (double)f->mentions / n);
    for (unsigned k = 0; k < BX_NKIND; k++)
        printf(" %s %.2f%s", nlp_mention_kind_name((enum nlp_mention_kind)k),
               (double)f->kind[k] / n, k + 1 < BX_NKIND ? "," : "");
    printf("\n           context flags (share of mentions):");
    for (unsigned k = 0; k < NLP_CTX_NCAT; k++)
        printf(" %s %.1f%%%s", nlp_ctx_flag_name(k),
               100.0 * (double)f->flag[k] / m, k + 1 < NLP_CTX_NCAT ? "," : "");
    printf("\n");
}

/* Lines under the table, and the checks; -1 when one fails. */
static int s_report(struct bx_table *tb, const struct bx_corpus *c,
                    const struct bx_rows *w)
{
    const struct bx_row *full = bx_find(tb, "full");
    double sum = 0;
    static const char *const parts[] = {"dictionary (all", "regex", "udi",
                                        "split", "context"};
    int rc = 0;
    for (size_t i = 0; i < BX_N(parts); i++)
        sum += bx_find(tb, parts[i])->secs;
    s_print_mentions(&w->full, full->notes);
    printf("accounting dictionary (all terms) + regex + udi + split + "
           "context rows = %.3f s, %.0f%% of full's %.3f s; the rest (by "
           "subtraction, so approximate) is selection, filters, mention "
           "building, sorting, and stages sharing the caches\n",
           sum, 100.0 * sum / (full->secs > 0 ? full->secs : 1e-9), full->secs);
    printf("allocs     per note after warm-up, full pipeline: %.4f (%lld "
           "ds_alloc calls in %zu timed notes, all repeats; required 0: "
           "%s)\n",
           (double)full->allocs / (double)full->alloc_notes, full->allocs,
           full->alloc_notes, full->allocs == 0 ? "met" : "FAILED");
    if (full->allocs != 0)
        rc =
            bench_fail(c->name, "%lld allocations after warm-up", full->allocs);
    if (w->full.mentions == 0)
        rc = bench_fail(c->name, "no mentions found");
    if (w->ctx.mismatches != 0)
        rc = bench_fail(c->name,
                        "context row: %llu mentions' flags differ from "
                        "nlp_extract_run's",
                        (unsigned long long)w->ctx.mismatches);
    return rc;
}

static int s_corpus_rows(struct bx_bench *b, const struct bx_corpus *c,
                         struct bx_setup *su, bool maude)
{
    struct bx_table tb = {.n = 0};
    struct bx_rows w;
    int rc = bx_rows_init(&w, su);
    if (rc == 0)
        rc = bx_run_rows(b, &tb, c, su, &w);
    if (rc == 0) {
        struct bx_row *full = bx_find(&tb, "full");
        bx_target(bx_find(&tb, "dictionary (5000"), S_T_DICT_MBS);
        if (maude)
            bx_target(full, S_T_FULL_MBS);
        else
            snprintf(full->target, sizeof full->target,
                     "(MAUDE text: >= %.0f MB/s)", S_T_FULL_MBS);
        bx_print_table(&tb, full);
        rc = s_report(&tb, c, &w);
    }
    bx_rows_free(&w);
    if (rc == 0 && !maude && w.full.kind[NLP_MENTION_UDI] == 0)
        rc = bench_fail(c->name, "no UDI mentions, though UDIs were generated");
    printf("\n");
    return rc;
}

/* ---- main ---- */

static void s_print_corpus(const struct bx_corpus *c, const char *what)
{
    printf("== %s: %zu notes, %.2f MB, %zu-%zu bytes (mean %.0f); %s\n",
           c->name, c->count, (double)c->len / 1e6, c->min_n, c->max_n,
           (double)c->len / (double)c->count, what);
    printf("   per row: one untimed warm-up pass over every note, then %d "
           "timed repeats of %zu pass%s (%.1f MB, %zu notes); the fastest "
           "repeat is shown, p50/p99 from it\n",
           BX_REPS, c->passes, c->passes == 1 ? "" : "es",
           (double)c->len * (double)c->passes / 1e6, c->passes * c->count);
}

static int s_synthetic(struct bx_corpus *c, const struct bx_setup *su,
                       double mb)
{
    struct bx_gen g;
    char what[512];
    bx_gen_init(&g, su->rules);
    uint64_t t0 = bench_now_ns();
    bx_gen_corpus(c, &g, mb);
    double s = (double)(bench_now_ns() - t0) / 1e9;
    double n = (double)c->count;
    c->passes = 1;
    snprintf(what, sizeof what,
             "seed %#x, FNV-1a %016llx, generated in %.1f s; per note: "
             "%.2f device and %.2f "
             "event phrases (%.0f%% drawn from the rule set's lexicon), "
             "%.2f components, %.2f model, %.2f lot, %.2f serial numbers, "
             "%.2f dates, %.2f UDIs, %.2f de-identification tokens",
             BX_SEED, (unsigned long long)bx_fnv(c), s,
             (double)g.slots['D'] / n, (double)g.slots['E'] / n,
             100.0 * (double)g.lexicon_drawn /
                 (double)(g.slots['D'] + g.slots['E']),
             (double)g.slots['C'] / n, (double)g.slots['M'] / n,
             (double)g.slots['L'] / n, (double)g.slots['S'] / n,
             (double)(g.slots['T'] + g.slots['Y']) / n,
             (double)g.slots['U'] / n, (double)g.slots['N'] / n);
    s_print_corpus(c, what);
    free(g.dev);
    free(g.ev);
    if (g.udi_bad)
        return bench_fail("synthetic", "%zu generated UDIs do not parse",
                          g.udi_bad);
    return 0;
}

static int s_parse_args(int argc, char **argv, double *mb, const char **tsv)
{
    char *end;
    if (argc > 1) {
        errno = 0;
        *mb = strtod(argv[1], &end);
        if (errno || *end || *mb < 1 || *mb > 2000)
            argc = 99;
    }
    if (argc > 2)
        *tsv = argv[2];
    if (argc > 3) {
        fprintf(stderr,
                "usage: bench_extract [SYNTHETIC_MB (1..2000, "
                "default %d)] [MAUDE_TSV]\n",
                S_DEFAULT_MB);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    double mb = S_DEFAULT_MB;
    const char *tsv = S_MAUDE_TSV;
    struct bx_setup su;
    struct bx_corpus maude = {.name = "maude"}, syn = {.name = "synthetic"};
    struct bx_bench b = {.lat = NULL, .spare = NULL};
    bench_init("bench_extract", false);
    if (s_parse_args(argc, argv, &mb, &tsv) != 0)
        return 64;
    memset(&su, 0, sizeof su);
    uint64_t t0 = bench_now_ns();
    printf("devsurv extraction bench: one thread (MB/s and notes/s are per "
           "core), no network\n");
    int rc = s_setup(&su);
    if (rc == 0)
        rc = bx_load_maude(&maude, tsv);
    if (rc == 0 && maude.count) {
        size_t p = (size_t)(S_MAUDE_MB * 1e6 / (double)maude.len + 0.5);
        maude.passes = p ? p : 1;
    }
    b.timer_ns = bench_timer_ns();
    printf("timer      clock_gettime pair %.0f ns, inside every per-note "
           "time\n\n",
           b.timer_ns);
    if (rc == 0 && maude.count) {
        s_print_corpus(&maude, "foi_text of the MAUDE sample, upper case");
        b.lat =
            bench_xrealloc(NULL, maude.passes * maude.count * sizeof *b.lat);
        b.spare =
            bench_xrealloc(NULL, maude.passes * maude.count * sizeof *b.lat);
        rc = s_corpus_rows(&b, &maude, &su, true);
    }
    if (rc == 0)
        rc = s_synthetic(&syn, &su, mb);
    if (rc == 0) {
        b.lat = bench_xrealloc(b.lat, syn.count * sizeof *b.lat);
        b.spare = bench_xrealloc(b.spare, syn.count * sizeof *b.lat);
        rc = s_corpus_rows(&b, &syn, &su, false);
    }
    if (rc == 0)
        printf("out/note   memchr: '.' bytes; PCRE2 naive: raw matches; "
               "dictionary: raw hits (overlaps included); regex: accepted "
               "values; udi: valid UDIs; split: sentences; context and "
               "full: mentions\n"
               "context    = trigger hits (of the extractor's pass) and "
               "mentions to "
               "token ranges + section headings to rules + "
               "nlp_context_apply; not the split; its input is an untimed "
               "nlp_extract_run of the same note\n"
               "dictionary = nlp_ac_scan only, terms only (the extractor "
               "scans terms and triggers in one pass)\n"
               "bench_extract: %.1f s in all\n",
               (double)(bench_now_ns() - t0) / 1e9);
    free(b.lat);
    free(b.spare);
    bx_corpus_free(&maude);
    bx_corpus_free(&syn);
    s_setup_free(&su);
    return rc != 0;
}
