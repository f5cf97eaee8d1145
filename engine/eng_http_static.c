/*
 * eng_http_static.c - the dashboard files: "/" and "/index.html" are
 * <static_dir>/index.html, "/static/<rel>" is <static_dir>/<rel> or, when
 * that does not exist, <static_dir>/static/<rel> (either layout of the
 * dashboard directory works).
 *
 * Only regular files are served (a directory is 404: no listing); names
 * are checked by eng_http_static_rel() after decoding, so "..", hidden
 * files, backslashes and control bytes never reach open(). Symbolic links
 * inside the directory are followed (a packaged dashboard may link to
 * shared libraries). Content-Type by extension; nosniff; no-cache so a
 * new dashboard is picked up on reload.
 */
#include "eng_http_impl.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open dir/sub/rel as a regular file; fd or -1. */
static int s_open(const char *dir, const char *sub, const char *rel,
                  struct stat *sb)
{
    char path[ENG_HTTP_PATH_MAX * 2];
    int n = snprintf(path, sizeof path, "%s/%s%s", dir, sub, rel);
    if (n < 0 || (size_t)n >= sizeof path)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

int eng_http_static(struct eng_http_req *r, const char *path,
                    struct MHD_Response **resp)
{
    char rel[ENG_HTTP_PATH_MAX];
    struct stat sb;
    *resp = NULL;
    if (eng_http_static_rel(path, rel, sizeof rel) != 0)
        return 404;
    int fd = s_open(r->h->static_dir, "", rel, &sb);
    if (fd < 0 && strncmp(path, "/static/", 8) == 0)
        fd = s_open(r->h->static_dir, "static/", rel, &sb);
    if (fd < 0)
        return 404;
    *resp = MHD_create_response_from_fd((size_t)sb.st_size, fd);
    if (!*resp) {
        close(fd);
        return 500;
    }
    MHD_add_response_header(*resp, "Content-Type", eng_http_mime(rel));
    MHD_add_response_header(*resp, "Cache-Control", "no-cache");
    return 200;
}
