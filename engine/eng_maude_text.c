/*
 * eng_maude_text.c - the text rows of one MAUDE report joined into the
 * envelope's text (eng_maude_impl.h).
 *
 * FDA text types (eval/fda/maude_enums.csv, text_type_code): D description
 * of event or problem (MEDWATCH B5), N additional manufacturer narrative
 * (H10), E manufacturer evaluation summary (H3). The event description
 * comes first because it is what happened; the label in front of each part
 * keeps its provenance readable. Not here: which rows belong together
 * (eng_maude.c).
 */
#include "eng_maude_impl.h"
#include "devsurv/ds_err.h"

#include <string.h>

static const char *const s_label[] = {
    "EVENT DESCRIPTION: ", "MANUFACTURER NARRATIVE: ",
    "MANUFACTURER EVALUATION: "};

static int s_rank(const char *type)
{
    if (type[0] && !type[1]) {
        const char *at = strchr("DNE", type[0]);
        if (at)
            return (int)(at - "DNE");
    }
    return 3;
}

static bool s_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static struct ds_span s_trim(const char *p, size_t n)
{
    while (n > 0 && s_space(p[0]))
        p++, n--;
    while (n > 0 && s_space(p[n - 1]))
        n--;
    return (struct ds_span){p, n};
}

/* "TEXT (X): " for another type X (printable ASCII only), "TEXT: ". */
static int s_other_label(const char *type, char **buf, size_t *cap, size_t *len)
{
    char l[ENG_MAUDE_TYPE_MAX + 16];
    size_t k = 0;
    for (const char *t = type; *t; t++)
        if (*t > ' ' && *t < 0x7F)
            l[k++] = *t;
    struct ds_span s = {l, 0};
    if (k == 0) {
        s.p = "TEXT: ";
        s.n = 6;
    } else {
        memmove(l + 6, l, k);
        memcpy(l, "TEXT (", 6);
        memcpy(l + 6 + k, "): ", 3);
        s.n = k + 9;
    }
    return eng_maude_utf8(s, s.n, buf, cap, len);
}

static int s_part(const struct eng_maude_part *p, int rank, struct ds_span t,
                  char **buf, size_t *cap, size_t *len)
{
    int rc = 0;
    if (*len > 0)
        rc = eng_maude_utf8(ds_span_str("\n\n"), 2, buf, cap, len);
    if (rc == 0 && rank < 3)
        rc =
            eng_maude_utf8(ds_span_str(s_label[rank]), SIZE_MAX, buf, cap, len);
    else if (rc == 0)
        rc = s_other_label(p->type, buf, cap, len);
    return rc ? rc : eng_maude_utf8(t, SIZE_MAX, buf, cap, len);
}

int eng_maude_join(const struct eng_maude_part *parts, size_t n,
                   const char *raw, char **buf, size_t *cap, size_t *len)
{
    *len = 0;
    int rc = eng_maude_utf8((struct ds_span){"", 0}, 0, buf, cap, len);
    for (int rank = 0; rc == 0 && rank < 4; rank++) {
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (parts[i].len == 0 || s_rank(parts[i].type) != rank)
                continue;
            struct ds_span t = s_trim(raw + parts[i].off, parts[i].len);
            if (t.n > 0)
                rc = s_part(&parts[i], rank, t, buf, cap, len);
        }
    }
    return rc;
}
