/*
 * diag.c - compiler diagnostics, collected and printed one way.
 *
 * Every compile stage appends to one diag_list (diag_add); nothing in
 * lang/ writes to stderr.  The CLI prints the list with diag_print, the
 * daemon logs it on a failed reload.  A diagnostic prints as
 *
 *   tests/lang/errors/x.policy:3:14: error: unexpected `=`, expected `then`
 *       3 | output 收入 = a = b
 *         |              ^
 *   hint: ...
 *
 * Line and column are 1-based, the column counted in code points (see
 * source.c).  The caret line is aligned by display width instead: East
 * Asian wide characters take two terminal cells, so a caret under text
 * after a Chinese label must be padded by two spaces per character.
 * Tabs are expanded to the next multiple of 8 cells in both the quoted
 * line and the caret line, so the two always agree.  Bytes that are not
 * UTF-8 print as U+FFFD and other control characters as a space, so a
 * diagnostic about a broken file is itself clean text.  A line longer
 * than CLIP_LINE bytes is shown as a window around the caret.
 *
 * Not done here: deciding what is an error (the stages do that) or
 * colouring output (the CLI may add that later around diag_print_one).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/diag.h"
#include "base/utf8.h"

#define TAB_WIDTH 8
#define CLIP_LINE 400       /* bytes; longer source lines are cut */
#define CLIP_BEFORE 160     /* bytes kept before the caret */
#define CLIP_WINDOW 320     /* bytes shown in all */

void diag_list_init(diag_list *dl)
{
    memset(dl, 0, sizeof *dl);
}

void diag_keep_source(diag_list *dl, source *src)
{
    if (!src)
        return;
    source **k = realloc(dl->kept, sizeof(source *) * (dl->nkept + 1));
    if (!k) {
        /* cannot keep it: drop the diagnostics' references rather than dangle */
        for (size_t i = 0; i < dl->n; i++)
            if (dl->items[i].src == src)
                dl->items[i].src = NULL;
        source_free(src);
        return;
    }
    dl->kept = k;
    dl->kept[dl->nkept++] = src;
}

void diag_list_free(diag_list *dl)
{
    size_t i;

    for (i = 0; i < dl->n; i++) {
        free(dl->items[i].message);
        free(dl->items[i].hint);
    }
    free(dl->items);
    for (i = 0; i < dl->nkept; i++)
        source_free(dl->kept[i]);
    free(dl->kept);
    dl->kept = NULL;
    dl->nkept = 0;
    dl->items = NULL;
    dl->n = dl->cap = 0;
    dl->nerrors = dl->nwarnings = 0;
    dl->truncated = 0;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list aq;
    char *s;
    int n;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0 || !(s = malloc((size_t)n + 1)))
        return NULL;
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void diag_add(diag_list *dl, diag_level level, const source *src, src_loc loc,
              const char *hint, const char *fmt, ...)
{
    size_t max = dl->max_errors ? dl->max_errors : 100;
    va_list ap;
    diag *d;

    if (level == DIAG_ERROR && dl->nerrors >= max) {
        dl->truncated = 1;
        return;
    }
    if (dl->n == dl->cap) {
        size_t cap = dl->cap ? dl->cap * 2 : 16;
        diag *p = realloc(dl->items, cap * sizeof *p);
        if (!p) {
            /* Keep the count right even when the text is lost. */
            if (level == DIAG_ERROR)
                dl->nerrors++, dl->truncated = 1;
            return;
        }
        dl->items = p;
        dl->cap = cap;
    }
    d = &dl->items[dl->n++];
    d->level = level;
    d->src = src;
    d->loc = loc;
    va_start(ap, fmt);
    d->message = vformat(fmt, ap);
    va_end(ap);
    d->hint = hint ? strdup(hint) : NULL;
    if (level == DIAG_ERROR)
        dl->nerrors++;
    else if (level == DIAG_WARNING)
        dl->nwarnings++;
}

void diag_hint(diag_list *dl, const char *fmt, ...)
{
    diag *d;
    va_list ap;

    if (dl->n == 0)
        return;
    d = &dl->items[dl->n - 1];
    /* After the error limit, the diag_add this hint belongs to was
     * dropped: the last recorded error is someone else's. */
    if (dl->truncated && d->level == DIAG_ERROR)
        return;
    free(d->hint);
    va_start(ap, fmt);
    d->hint = vformat(fmt, ap);
    va_end(ap);
}

/* Walks one character of a quoted line: returns its byte length, sets
 * the cells it occupies at display column `col` (0-based), and when
 * `out` is given prints it as it appears in the quoted line. */
static size_t show_char(const unsigned char *p, size_t n, size_t col, size_t *cells, FILE *out)
{
    unsigned cp;
    size_t len = utf8_decode(p, n, &cp);

    if (len == 0) {
        *cells = 1;
        if (out)
            fputs("\xEF\xBF\xBD", out);
        return 1;
    }
    if (cp == '\t') {
        *cells = TAB_WIDTH - col % TAB_WIDTH;
        if (out)
            fprintf(out, "%*s", (int)*cells, "");
    } else if (cp < 0x20 || cp == 0x7F) {
        *cells = 1;
        if (out)
            fputc(' ', out);
    } else {
        *cells = (size_t)utf8_cp_width(cp);
        if (out)
            fwrite(p, 1, len, out);
    }
    return len;
}

static const char *level_name(diag_level l)
{
    switch (l) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    case DIAG_NOTE: return "note";
    }
    return "error";
}

void diag_print_one(const diag *d, FILE *out)
{
    const unsigned char *text, *p, *end, *caret, *stop;
    uint32_t line, col, start;
    size_t len, cells, pos, i;
    int lead = 0, trail = 0;

    if (!d->src) {
        fprintf(out, "%s: %s\n", level_name(d->level), d->message ? d->message : "");
        if (d->hint)
            fprintf(out, "hint: %s\n", d->hint);
        return;
    }
    start = d->loc.start;
    if (start > d->src->len)
        start = (uint32_t)d->src->len;
    source_linecol(d->src, start, &line, &col);
    fprintf(out, "%s:%u:%u: %s: %s\n", d->src->name, line, col, level_name(d->level),
            d->message ? d->message : "(out of memory)");

    text = (const unsigned char *)source_line(d->src, line, &len);
    end = text + len;
    caret = (const unsigned char *)d->src->text + start;
    if (caret > end)
        caret = end;
    stop = (const unsigned char *)d->src->text + (d->loc.end > start ? d->loc.end : start);
    if (stop > end)
        stop = end;

    /* A very long line (generated, or a fuzzer's) is shown as a window
     * around the caret, with "..." where it was cut. */
    if (len > CLIP_LINE) {
        const unsigned char *ws = caret - text > CLIP_BEFORE ? caret - CLIP_BEFORE : text;
        const unsigned char *we;
        while (ws < caret && (*ws & 0xC0) == 0x80)
            ws++;
        we = end - ws > CLIP_WINDOW ? ws + CLIP_WINDOW : end;
        while (we > caret && we < end && (*we & 0xC0) == 0x80)
            we--;
        lead = ws > text;
        trail = we < end;
        text = ws;
        end = we;
        if (stop > end)
            stop = end;
    }

    /* The quoted line. */
    fprintf(out, "%5u | %s", line, lead ? "..." : "");
    for (p = text, pos = lead ? 3 : 0; p < end; pos += cells)
        p += show_char(p, (size_t)(end - p), pos, &cells, out);
    fprintf(out, "%s\n", trail ? "..." : "");

    /* The caret line: pad to the start, then ^ and ~ over the span as far
     * as this line goes. */
    fprintf(out, "%5s | %s", "", lead ? "   " : "");
    for (p = text, pos = lead ? 3 : 0; p < caret; pos += cells) {
        p += show_char(p, (size_t)(end - p), pos, &cells, NULL);
        for (i = 0; i < cells; i++)
            fputc(' ', out);
    }
    fputc('^', out);
    if (p < stop) {
        p += show_char(p, (size_t)(end - p), pos, &cells, NULL);
        pos += cells;
        for (i = 1; i < cells; i++)
            fputc('~', out);
        while (p < stop) {
            p += show_char(p, (size_t)(end - p), pos, &cells, NULL);
            pos += cells;
            for (i = 0; i < cells; i++)
                fputc('~', out);
        }
    }
    fputc('\n', out);
    if (d->hint)
        fprintf(out, "hint: %s\n", d->hint);
}

char *diag_text(const diag_list *dl)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m) return NULL;
    diag_print(dl, m);
    if (fclose(m)) {
        free(text);
        return NULL;
    }
    return text;
}

void diag_print(const diag_list *dl, FILE *out)
{
    size_t i;

    for (i = 0; i < dl->n; i++)
        diag_print_one(&dl->items[i], out);
    if (dl->truncated)
        fprintf(out, "note: too many errors; only the first %zu are shown\n",
                dl->max_errors ? dl->max_errors : (size_t)100);
}
