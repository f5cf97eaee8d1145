/*
 * eng_cmd_check_plans.c - `devsurv check-plans [--rules DIR] [PLANDIR]`:
 * load a plan directory the way the engine will (eng_plan_set_load, with
 * the concepts of the rule tree) and print what it holds and its SHA-256.
 *
 * Output is deterministic: one line per plan in load order,
 *     <id> <method> <comparator> devices <n> events <m> covers <k> <file>
 * (devices: entries of the device lists; covers: IMDRF codes the events
 * reach through the hierarchy), then "plans <sha256> <N> files" last. An
 * invalid plan prints "devsurv check-plans: file:line: why" on stderr and
 * exits 65 (EX_DATAERR). PLANDIR defaults to <rules>/plans, the rule tree
 * being resolved as for every command (eng_cmd_rules_dir).
 *
 * Not here: the format and its checks (eng_plan.c, eng_plan_set.c).
 */
#include "devsurv/eng_cmd.h"
#include "devsurv/ds_err.h"
#include "devsurv/eng_plan.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static void s_help(void)
{
    printf("usage: devsurv check-plans [--rules DIR] [PLANDIR]\n\n"
           "Load every *.plan of PLANDIR (default: <rules>/plans) with the\n"
           "checks the engine applies: known keys, values, method\n"
           "parameters, product codes and IMDRF codes present in the rule\n"
           "tree's concepts, unique ids. Print one line per plan (id,\n"
           "method, comparator, device list entries, event codes, IMDRF\n"
           "codes covered) and last \"plans <sha256> <N> files\".\n\n"
           "  --rules DIR  rule tree (default: $DEVSURV_RULES, ./rules, or\n"
           "               the installed tree)\n\n"
           "exit: 0 valid, 64 usage, 65 invalid (file:line: message on\n"
           "stderr), 66 no such directory, 71 out of memory, 74 read "
           "error\n");
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

static void s_report(const eng_plan_set_t *set)
{
    size_t n = eng_plan_set_count(set);
    for (size_t i = 0; i < n; i++) {
        const struct eng_plan *p = eng_plan_set_get(set, i);
        size_t dev = p->n_product_codes + p->n_regulations + p->n_brands +
                     p->n_models + p->n_udi_di;
        printf("%s %s %s devices %zu events %zu covers %zu %s\n", p->id,
               eng_plan_method_name(p->method),
               eng_plan_comparator_name(p->comparator), dev, p->n_events,
               eng_plan_cover_count(set, p), p->file);
    }
    printf("plans %s %zu files\n", eng_plan_set_sha256(set), n);
}

int eng_cmd_check_plans(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rules", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *rules = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': rules = optarg; break;
        case 'h': s_help(); return EX_OK;
        default: return EX_USAGE;
        }
    }
    if (optind + 1 < argc) {
        fprintf(stderr, "usage: devsurv check-plans [--rules DIR] [PLANDIR]\n");
        return EX_USAGE;
    }
    char dir[4096], buf[DS_DIAG_FILE_MAX + DS_DIAG_MSG_MAX + 16];
    rules = eng_cmd_rules_dir(rules);
    snprintf(dir, sizeof dir, "%s", optind < argc ? argv[optind] : rules);
    if (optind == argc)
        strncat(dir, "/plans", sizeof dir - strlen(dir) - 1);
    struct ds_diag diag;
    eng_plan_set_t *set = NULL;
    int rc = eng_plan_set_load(&set, dir, rules, &diag);
    if (rc != 0) {
        fprintf(stderr, "devsurv check-plans: %s\n",
                ds_diag_format(&diag, buf, sizeof buf));
        return s_exit_code(rc);
    }
    s_report(set);
    eng_plan_set_destroy(&set);
    return EX_OK;
}
