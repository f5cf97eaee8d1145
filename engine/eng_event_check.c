/*
 * eng_event_check.c - byte-level checks behind the event decoder
 * (eng_event_check.h): content type, FDA product codes, IMDRF codes,
 * control characters, and escaping of untrusted bytes for diagnostics.
 *
 * Codes are checked for syntax only: an FDA product code is three letters
 * (FDA product classification database, eval/fda/foiclass.txt), an IMDRF
 * adverse-event code is an annex letter A-G and 1 to 4 two-digit levels
 * (IMDRF/AE WG/N43, eval/imdrf/). Whether a code exists is a rules
 * question, not a decoding one, so there is deliberately no code table.
 */
#include "devsurv/eng_event_check.h"
#include "devsurv/eng_event.h"

#include <stdio.h>

static bool s_is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool s_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char s_lower(char c)
{
    return s_is_upper(c) ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive match of s[*i..] against lower-case word; advances. */
static bool s_eat_word(struct ds_span s, size_t *i, const char *word)
{
    size_t n = strlen(word);
    if (s.n - *i < n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (s_lower(s.p[*i + k]) != word[k])
            return false;
    *i += n;
    return true;
}

static void s_eat_blanks(struct ds_span s, size_t *i)
{
    while (*i < s.n && (s.p[*i] == ' ' || s.p[*i] == '\t'))
        (*i)++;
}

bool eng_event_check_ctype(struct ds_span ctype)
{
    return eng_event_check_ctype_as(ctype, ENG_CTYPE_EVENT_JSON);
}

bool eng_event_check_ctype_as(struct ds_span ctype, const char *type)
{
    size_t base = strlen(type), i = base;
    if (ctype.n < base || memcmp(ctype.p, type, base) != 0)
        return false;
    if (i == ctype.n)
        return true;
    s_eat_blanks(ctype, &i);
    if (i == ctype.n || ctype.p[i++] != ';')
        return false;
    s_eat_blanks(ctype, &i);
    if (!s_eat_word(ctype, &i, "charset=utf-8"))
        return false;
    s_eat_blanks(ctype, &i);
    return i == ctype.n;
}

bool eng_event_check_product_code(struct ds_span s)
{
    return s.n == 3 && s_is_upper(s.p[0]) && s_is_upper(s.p[1]) &&
           s_is_upper(s.p[2]);
}

bool eng_event_check_imdrf(struct ds_span s)
{
    if (s.n < 3 || s.n > 9 || s.n % 2 == 0 || s.p[0] < 'A' || s.p[0] > 'G')
        return false;
    for (size_t i = 1; i < s.n; i++)
        if (!s_is_digit(s.p[i]))
            return false;
    return true;
}

bool eng_event_check_no_controls(struct ds_span s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 || c == 0x7F)
            return false;
        unsigned char next = i + 1 < s.n ? (unsigned char)s.p[i + 1] : 0;
        if (c == 0xC2 && next >= 0x80 && next <= 0x9F)
            return false;
    }
    return true;
}

/* Bytes needed to show c: 1, 2 for an escaped quote, 4 for "\xNN". */
static size_t s_escaped_len(unsigned char c, char q)
{
    if (c < 0x20 || c > 0x7E)
        return 4;
    return q && (c == (unsigned char)q || c == '\\') ? 2 : 1;
}

const char *eng_event_check_escape(char *buf, size_t cap, struct ds_span s,
                                   size_t max, char q)
{
    size_t o = 0, i = 0;
    for (; i < s.n && i < max; i++) {
        unsigned char c = (unsigned char)s.p[i];
        size_t need = s_escaped_len(c, q);
        if (o + need + 4 > cap) /* keep room for "..." and the NUL */
            break;
        if (need == 4)
            snprintf(buf + o, cap - o, "\\x%02X", c);
        else if (need == 2)
            buf[o] = '\\', buf[o + 1] = (char)c;
        else
            buf[o] = (char)c;
        o += need;
    }
    if (i < s.n)
        memcpy(buf + o, "...", 3), o += 3;
    buf[o] = '\0';
    return buf;
}

/* What a kind needs beyond the common fields (eng_event.h "kind rules"). */
int eng_event_check_kind_rules(const struct eng_event *ev, struct ds_diag *diag)
{
    const char *k = eng_event_kind_name(ev->kind);
    bool textual = ev->kind == ENG_EV_NOTE || ev->kind == ENG_EV_REPORT;
    if (textual && ev->text.n == 0)
        return ds_diag_set(diag, NULL, 0, "text: required for kind %s", k);
    if (!textual && ev->product_code.n == 0)
        return ds_diag_set(diag, NULL, 0,
                           "device.product_code: required for kind %s", k);
    if (ev->kind == ENG_EV_OUTCOME && ev->event_code.n == 0)
        return ds_diag_set(diag, NULL, 0, "event.code: required for kind %s",
                           k);
    return 0;
}
