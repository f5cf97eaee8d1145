/*
 * eng_cmd_config.c - `devsurv config`: the key table (--help), or the
 * validated effective configuration from -c / --set.
 */
#include "devsurv/eng_cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

static void s_help(void)
{
    printf("usage: devsurv config --help\n"
           "       devsurv config [-c FILE] [--set section.key=value]... "
           "[--check]\n\n"
           "With -c/--set: validate and print the effective configuration\n"
           "(every key, defaults filled) as a file `serve -c` accepts;\n"
           "--check prints nothing and only sets the exit code (0 valid,\n"
           "78 invalid, 66 unreadable). Errors name file:line.\n"
           "Precedence: defaults < -c FILE < --set (in order) < --db.\n\n"
           "Keys:\n\n");
    eng_config_print_help(stdout);
}

int eng_cmd_config(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"set", required_argument, NULL, ENG_OPT_SET},
        {"check", no_argument, NULL, ENG_OPT_CHECK},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct eng_cmd_cfg o = {0};
    struct eng_config cfg;
    int c, rc, check = 0;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.file = optarg; break;
        case ENG_OPT_SET:
            if ((rc = eng_cmd_cfg_add_set(&o, optarg)) != 0)
                return rc;
            break;
        case ENG_OPT_CHECK: check = 1; break;
        case 'h': s_help(); return EX_OK;
        default: return EX_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "devsurv config: unexpected argument '%s'\n",
                argv[optind]);
        return EX_USAGE;
    }
    if ((rc = eng_cmd_cfg_build(&o, &cfg)) != 0)
        return rc;
    if (!check)
        eng_config_print(&cfg, stdout);
    return EX_OK;
}
