/*
 * standalone.c - run a libFuzzer target over saved inputs without libFuzzer.
 *
 * Links with one tests/fuzz/fuzz_<name>.c so `make test` (gcc, any
 * sanitizer setting) replays tests/fuzz/corpus/<name>/ as a regression test;
 * `make fuzz` builds the same target with clang -fsanitize=fuzzer to search
 * for new inputs. With no arguments it reads the corpus directory named after
 * the program. Prints "ok - fuzz_<name>: N inputs" when every input ran.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int s_run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (!buf)
        return -1;
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int s_run_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n < 0 || (size_t)n >= sizeof path || s_run_file(path) != 0) {
            closedir(d);
            return -1;
        }
        (*count)++;
    }
    closedir(d);
    return 0;
}

int main(int argc, char **argv)
{
    const char *name =
        strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char dflt[4096];
    int count = 0;
    snprintf(dflt, sizeof dflt, "tests/fuzz/corpus/%s", name);
    for (int i = 1; i <= (argc > 1 ? argc - 1 : 1); i++) {
        const char *p = argc > 1 ? argv[i] : dflt;
        struct stat st;
        int rc = stat(p, &st) != 0     ? -1
                 : S_ISDIR(st.st_mode) ? s_run_dir(p, &count)
                                       : (count++, s_run_file(p));
        if (rc != 0) {
            printf("FAIL - %s: cannot read %s\n", name, p);
            return 1;
        }
    }
    if (count == 0) {
        printf("FAIL - %s: no inputs in corpus\n", name);
        return 1;
    }
    printf("ok - %s: %d inputs\n", name, count);
    return 0;
}
