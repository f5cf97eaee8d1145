/*
 * eng_maxsprt.c - continuous Poisson MaxSPRT statistic and stopping rule
 * (Kulldorff et al. 2011; see eng_maxsprt.h and reference/stats.md 1.1).
 */
#include "devsurv/eng_maxsprt.h"

#include <math.h>

double eng_maxsprt_llr(double c, double mu)
{
    if (!(mu > 0) || !(c > mu))
        return 0.0;
    return (mu - c) + c * log(c / mu);
}

enum eng_maxsprt_verdict eng_maxsprt_test(const struct eng_maxsprt_params *p,
                                          int64_t c, double mu, double *llr)
{
    *llr = 0.0;
    if (!(mu > 0))
        return ENG_MAXSPRT_UNDEFINED;
    if (mu > p->max_expected)
        return ENG_MAXSPRT_ENDED;
    *llr = eng_maxsprt_llr((double)c, mu);
    if (mu >= p->delay && c >= p->min_events && *llr >= p->cv)
        return ENG_MAXSPRT_SIGNAL;
    return ENG_MAXSPRT_CONTINUE;
}

const char *eng_maxsprt_verdict_name(enum eng_maxsprt_verdict v)
{
    switch (v) {
    case ENG_MAXSPRT_CONTINUE: return "continue";
    case ENG_MAXSPRT_SIGNAL: return "signal";
    case ENG_MAXSPRT_ENDED: return "ended";
    case ENG_MAXSPRT_UNDEFINED: return "undefined";
    }
    return "?";
}
