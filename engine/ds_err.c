/*
 * ds_err.c - text for devsurv error codes (see ds_err.h).
 */
#include "devsurv/ds_err.h"

const char *ds_strerror(int code)
{
    switch (code) {
    case DS_OK: return "success";
    case DS_ENOMEM: return "out of memory";
    case DS_EINVAL: return "invalid value";
    case DS_EPARSE: return "parse error";
    case DS_EIO: return "input/output error";
    case DS_ESTORE: return "store error";
    case DS_ENOTFOUND: return "not found";
    case DS_ERANGE: return "value out of range";
    case DS_ETOOBIG: return "too big";
    case DS_EUNSUPP: return "not supported";
    case DS_ENET: return "messaging error";
    case DS_ECONFIG: return "configuration error";
    case DS_EDUP: return "duplicate";
    default: return "unknown error";
    }
}
