/*
 * eng_cmd_eval_maude_impl.h - private to eng_cmd_eval_maude*.c: the
 * foiclass table (eng_cmd_eval_maude_foi.c), the tallies `devsurv
 * eval-maude` collects over a MAUDE file and the two report writers (plain
 * text, one JSON object; eng_cmd_eval_maude_report.c). Not installed.
 */
#ifndef DEVSURV_ENG_CMD_EVAL_MAUDE_IMPL_H
#define DEVSURV_ENG_CMD_EVAL_MAUDE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ENG_EVM_TOP     10 /* disagreement pairs reported */
#define ENG_EVM_KEY_MAX 32 /* bytes of a pair side, NUL included */

/* One foiclass record; strings point into the eng_evm_foi buffers. */
struct eng_evm_class {
    const char *key; /* eng_evm_key() of DEVICENAME, not NUL-terminated */
    size_t nkey;
    const char *code; /* PRODUCTCODE, "LZG" */
    const char *reg;  /* REGULATIONNUMBER, "880.5725" or "" */
    bool seen;        /* the caller's mark (a DEVICE value had this key) */
};

/* The table: zero-initialise, eng_evm_foi_load(), eng_evm_foi_clear(). */
struct eng_evm_foi {
    char *buf;  /* the file; fields NUL-terminated in place */
    char *keys; /* the match keys, 2 bytes per file byte at most */
    size_t nkeys;
    struct eng_evm_class *v; /* sorted by key, then code */
    size_t n, cap;
};

/* Load the foiclass file at path into f. 0, or an exit code (EX_NOINPUT,
 * EX_DATAERR, EX_IOERR, EX_OSERR) after a "file:line: why" on stderr. */
int eng_evm_foi_load(struct eng_evm_foi *f, const char *path);

/* Free what f holds and zero it. */
void eng_evm_foi_clear(struct eng_evm_foi *f);

/* The classes whose key is key[0..nk): *nc of them, from the one returned
 * (borrowed from f; the caller may set their seen marks). */
struct eng_evm_class *eng_evm_foi_find(struct eng_evm_foi *f, const char *key,
                                       size_t nk, size_t *nc);

/* The match key of the UTF-8 name in[0..n) into out (which may be in):
 * upper case (ASCII, and Latin-1 letters written as UTF-8), whitespace runs
 * as one space, none at the ends or next to a comma ("Stabilizer, Heart"
 * and "STABILIZER,HEART" -> "STABILIZER,HEART"). Returns its length, never
 * more than n. */
size_t eng_evm_key(const char *in, size_t n, char *out);

/* "devsurv eval-maude: file:line: why" on stderr ("file: why" when line is
 * 0); returns code. */
int eng_evm_bad(int code, const char *file, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Grow *v (elements of sz bytes) to hold need, doubling; 0 or DS_ENOMEM. */
int eng_evm_grow(void **v, size_t *cap, size_t need, size_t sz);

/* How many product codes a DEVICE value maps to. */
enum { ENG_EVM_NONE, ENG_EVM_ONE, ENG_EVM_SEVERAL, ENG_EVM_NMAP };

/* EVENT_TYPE groups: IN/IL/IJ/D, M, everything else (O, *, blank). */
enum { ENG_EVM_HARM, ENG_EVM_MALF, ENG_EVM_OTHER, ENG_EVM_NGROUPS };

/* Narratives of one EVENT_TYPE group. */
struct eng_evm_group {
    long n;        /* narratives */
    long eff_aff;  /* with >= 1 affirmed imdrf-e mention */
    long eff_neg;  /* with >= 1 negated imdrf-e mention */
    long imp_aff;  /* with >= 1 affirmed imdrf-f mention */
    long imp_m;    /* imdrf-f mentions */
    long imp_maff; /* of which affirmed */
};

/* A disagreement: the report's codes ("LZG", "OFC/OFD") and the first
 * mentioned device code, with the narratives that have it. */
struct eng_evm_pair {
    char report[ENG_EVM_KEY_MAX];
    char mentioned[ENG_EVM_KEY_MAX];
    long count;
};

struct eng_evm_tally {
    const char *input;    /* MAUDE file name (borrowed) */
    const char *foiclass; /* foiclass file name, NULL when not given */
    const char *rules_version, *rules_sha;
    size_t nclasses;             /* product codes read from foiclass */
    long records;                /* narratives scored */
    long map[ENG_EVM_NMAP];      /* records by codes their DEVICE maps to */
    long distinct[ENG_EVM_NMAP]; /* distinct DEVICE values likewise */
    long dev_any, dev_aff;       /* narratives with a device mention */
    long agree_n;                /* ... that also have a mapped DEVICE */
    long agree_any;   /* some mentioned code is one of the report's */
    long agree_first; /* the first mentioned code is */
    long agree_reg;   /* some mentioned class has the report's regulation */
    struct eng_evm_group group[ENG_EVM_NGROUPS];
    struct eng_evm_pair *pairs; /* the top pairs once scoring is done */
    size_t npairs, cappairs;
    size_t ndistinct_pairs; /* distinct disagreement pairs */
};

/* Print the aligned plain-text report on out. */
void eng_evm_print_text(FILE *out, const struct eng_evm_tally *t);

/* Print the report as one JSON object and a newline on out. 0, or
 * DS_ENOMEM. */
int eng_evm_print_json(FILE *out, const struct eng_evm_tally *t);

#endif
