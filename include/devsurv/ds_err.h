/*
 * ds_err.h - devsurv error codes.
 *
 * Every fallible devsurv function returns an int: 0 on success or a negative
 * DS_E* code. Constructors return NULL instead and, where the caller needs
 * the reason, fill a struct ds_diag. Codes are stable: they appear in logs
 * and in the quarantine table, so append, never renumber.
 */
#ifndef DEVSURV_DS_ERR_H
#define DEVSURV_DS_ERR_H

enum {
    DS_OK = 0,
    DS_ENOMEM = -1,    /* an allocation failed */
    DS_EINVAL = -2,    /* invalid argument or input value */
    DS_EPARSE = -3,    /* input could not be parsed (syntax) */
    DS_EIO = -4,       /* read/write/open failed; errno may say more */
    DS_ESTORE = -5,    /* the SQLite store reported an error */
    DS_ENOTFOUND = -6, /* the named thing does not exist */
    DS_ERANGE = -7,    /* a value is outside its allowed range */
    DS_ETOOBIG = -8,   /* input exceeds a configured size limit */
    DS_EUNSUPP = -9,   /* recognised but not supported (content type...) */
    DS_ENET = -10,     /* a ZeroMQ call failed */
    DS_ECONFIG = -11,  /* configuration is invalid */
    DS_EDUP = -12      /* already present (idempotent no-op) */
};

/* Return a static, human-readable description of code (never NULL). */
const char *ds_strerror(int code);

#endif
