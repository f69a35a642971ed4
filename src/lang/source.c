/*
 * source.c - a policy file's bytes and its line map.
 *
 * Every location in eligo is a [start, end) byte offset into one source.
 * This file owns the text of a source and turns an offset into the
 * 1-based line and the 1-based column that diagnostics print.  Columns
 * count Unicode code points, not bytes, because policies are full of
 * Chinese labels: `let 收入 = x` puts `=` in column 8, not 12.
 *
 * The line map is an array of line-start offsets built once, so a lookup
 * is a binary search plus a walk along one line.  A line ends at "\n";
 * a "\r" before it belongs to no line (CRLF files print cleanly).
 *
 * A UTF-8 byte order mark at the start (editors on Windows save one) is
 * dropped here, before anything sees the text: offsets, columns, the
 * text stored with decisions and its hash are those of the file without
 * it, so the same policy saved with and without a BOM is one policy.
 *
 * Not done here: reading UTF-8 strictly.  The lexer reports invalid
 * UTF-8; here every byte that does not start a well-formed sequence
 * counts as one column, so carets still land on the offending byte.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/source.h"
#include "base/utf8.h"

/* An invalid byte counts as one column. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned cp;
    size_t k = utf8_decode(s, n, &cp);
    return k ? k : 1;
}

source *source_new(const char *name, const char *text, size_t len)
{
    source *s = calloc(1, sizeof *s);
    size_t i, n = 1;

    if (!s)
        return NULL;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    s->name = strdup(name ? name : "<input>");
    s->text = malloc(len + 1);
    if (!s->name || !s->text)
        goto fail;
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->len = len;

    for (i = 0; i < len; i++)
        if (text[i] == '\n')
            n++;
    s->line_start = malloc(n * sizeof *s->line_start);
    if (!s->line_start)
        goto fail;
    s->line_start[0] = 0;
    s->nlines = 1;
    for (i = 0; i < len; i++)
        if (text[i] == '\n')
            s->line_start[s->nlines++] = (uint32_t)(i + 1);
    return s;

fail:
    source_free(s);
    errno = ENOMEM;
    return NULL;
}

source *source_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL, *p;
    size_t len = 0, cap = 0, got;
    source *s;
    int saved;

    if (!f)
        return NULL;
    for (;;) {
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 65536;
            p = realloc(data, cap);
            if (!p) {
                saved = ENOMEM;
                goto fail;
            }
            data = p;
        }
        got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                saved = errno ? errno : EIO;
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    s = source_new(path, data ? data : "", len);
    saved = errno;
    free(data);
    errno = saved;
    return s;

fail:
    fclose(f);
    free(data);
    errno = saved;
    return NULL;
}

void source_free(source *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->text);
    free(s->line_start);
    free(s);
}

void source_linecol(const source *s, uint32_t off, uint32_t *line, uint32_t *col)
{
    uint32_t lo = 0, hi = s->nlines - 1, c = 1;
    const unsigned char *p, *end;

    if (off > s->len)
        off = (uint32_t)s->len;
    /* The last line whose start is <= off. */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (s->line_start[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    p = (const unsigned char *)s->text + s->line_start[lo];
    end = (const unsigned char *)s->text + off;
    while (p < end) {
        p += utf8_len(p, (size_t)(end - p));
        c++;
    }
    *line = lo + 1;
    *col = c;
}

const char *source_line(const source *s, uint32_t line, size_t *len)
{
    size_t start, stop;

    if (line < 1 || line > s->nlines) {
        *len = 0;
        return "";
    }
    start = s->line_start[line - 1];
    stop = line < s->nlines ? s->line_start[line] - 1 : s->len;
    if (stop > start && s->text[stop - 1] == '\r')
        stop--;
    *len = stop - start;
    return s->text + start;
}
