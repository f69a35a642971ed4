/*
 * fmt.c - canonical layout of policy files (see fmt.h).
 *
 * Works on lines, not on the syntax tree, because comments are not in the
 * tree and an officer's comments must survive formatting.  A table is a
 * run of lines starting with `|`, blank lines between them included (they
 * stay); its cells are split on `|` outside strings and padded to the
 * widest cell of their column in the whole table.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include "lang/fmt.h"
#include "base/utf8.h"

static const char *const top_keywords[] = {
    "policy", "model", "tests", "jurisdiction", "source", "assumption", "covers", "use", "enum", "entity",
    "extend", "parameter", "let", "output", "table", "assert", "refuse", "warn", "test", "}", NULL
};

static int starts_word(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n >= k && memcmp(s, w, k) == 0 && (n == k || !(s[k] == '_' || (s[k] >= 'a' && s[k] <= 'z') ||
                                                           (s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= '0' && s[k] <= '9')));
}

static int is_top(const char *s, size_t n)
{
    for (int i = 0; top_keywords[i]; i++)
        if (starts_word(s, n, top_keywords[i])) return 1;
    return 0;
}

typedef struct line { const char *s; size_t n; } line;

/* Splits a table row into trimmed cells; the text after the last `|`
 * (a label, a comment) is returned separately. */
static size_t split_cells(line l, line *cells, size_t max, line *tail)
{
    size_t n = 0, start = 1;
    int in_str = 0;
    for (size_t i = 1; i <= l.n; i++) {
        char c = i < l.n ? l.s[i] : '|';
        if (in_str) { if (c == '\\') i++; else if (c == '"') in_str = 0; continue; }
        if (c == '"') { in_str = 1; continue; }
        if (c == '#') break;
        if (c == '|' && i < l.n) {
            line cell = {l.s + start, i - start};
            while (cell.n && (cell.s[0] == ' ' || cell.s[0] == '\t')) { cell.s++; cell.n--; }
            while (cell.n && (cell.s[cell.n - 1] == ' ' || cell.s[cell.n - 1] == '\t')) cell.n--;
            if (n < max) cells[n++] = cell;
            start = i + 1;
        }
    }
    tail->s = l.s + start;
    tail->n = l.n - start;
    while (tail->n && (tail->s[0] == ' ' || tail->s[0] == '\t')) { tail->s++; tail->n--; }
    return n;
}

/* 32 input columns, 8 results (parser.y), a label and a spare */
#define MAX_COLS 42

static void emit_table(line *rows, size_t nrows, buf *out)
{
    size_t width[MAX_COLS] = {0};
    line cells[MAX_COLS], tail;
    for (size_t r = 0; r < nrows; r++) {
        if (rows[r].n == 0) continue;
        size_t n = split_cells(rows[r], cells, MAX_COLS, &tail);
        for (size_t c = 0; c < n; c++) {
            size_t w = utf8_display_width(cells[c].s, cells[c].n);
            if (w > width[c]) width[c] = w;
        }
    }
    for (size_t r = 0; r < nrows; r++) {
        if (rows[r].n == 0) { buf_addc(out, '\n'); continue; }
        size_t n = split_cells(rows[r], cells, MAX_COLS, &tail);
        buf_adds(out, "  |");
        for (size_t c = 0; c < n; c++) {
            buf_addc(out, ' ');
            buf_add(out, cells[c].s, cells[c].n);
            for (size_t w = utf8_display_width(cells[c].s, cells[c].n); w < width[c]; w++) buf_addc(out, ' ');
            buf_adds(out, " |");
        }
        if (tail.n) { buf_addc(out, ' '); buf_add(out, tail.s, tail.n); }
        buf_addc(out, '\n');
    }
}

/* Net count of ( [ { opened minus closed on a line, outside strings and
 * comments. */
static int bracket_delta(line l)
{
    int d = 0, in_str = 0;
    for (size_t i = 0; i < l.n; i++) {
        char c = l.s[i];
        if (in_str) { if (c == '\\') i++; else if (c == '"') in_str = 0; continue; }
        if (c == '"') in_str = 1;
        else if (c == '#') break;
        else if (c == '(' || c == '[' || c == '{') d++;
        else if (c == ')' || c == ']' || c == '}') d--;
    }
    return d;
}

void fmt_policy(const char *text, size_t len, buf *out)
{
    int blank = 0, started = 0, in_block = 0, depth = 0;
    int after_warn = 0;     /* a `warn when`'s citation may still follow */
    size_t held = 0;        /* blank lines inside brackets, written when a line follows */
    line table[4096];
    size_t ntable = 0;
    for (size_t i = 0; i <= len;) {
        size_t e = i;
        while (e < len && text[e] != '\n') e++;
        line l = {text + i, e - i};
        i = e + 1;
        if (depth > 0) {
            /* inside an open ( [ {: an officer's own alignment is kept,
             * blank lines too, except at the end of a text that stops
             * inside the brackets (it ends with one newline, as any) */
            line raw = l;
            while (raw.n && (raw.s[raw.n - 1] == ' ' || raw.s[raw.n - 1] == '\t' || raw.s[raw.n - 1] == '\r')) raw.n--;
            if (raw.n == 0) {
                held++;
                if (e >= len) break;
                continue;
            }
            for (; held; held--) buf_addc(out, '\n');
            buf_add(out, raw.s, raw.n);
            buf_addc(out, '\n');
            depth += bracket_delta(raw);
            if (e >= len) break;
            continue;
        }
        int indented = l.n && (l.s[0] == ' ' || l.s[0] == '\t');
        while (l.n && (l.s[0] == ' ' || l.s[0] == '\t')) { l.s++; l.n--; }
        while (l.n && (l.s[l.n - 1] == ' ' || l.s[l.n - 1] == '\t' || l.s[l.n - 1] == '\r')) l.n--;
        if (l.n && l.s[0] == '|' && ntable < 4095) {
            /* a blank line between rows stays, and the table stays one table */
            if (blank && ntable) table[ntable++] = (line){l.s, 0};
            else if (blank) buf_addc(out, '\n');
            blank = 0;
            table[ntable++] = l;
            if (e >= len) break;
            continue;
        }
        if (l.n == 0 && ntable) {   /* held: the next line may be a row of this table */
            blank = 1;
            if (e >= len) break;
            continue;
        }
        if (ntable) { emit_table(table, ntable, out); ntable = 0; started = 1; }
        if (e >= len && l.n == 0) break;
        if (l.n == 0) { blank = started; continue; }
        if (blank) { buf_addc(out, '\n'); blank = 0; }
        started = 1;
        int top = is_top(l.s, l.n);
        int comment = l.s[0] == '#';
        /* `source`/`assumption` after a warning's text is its citation
         * (the grammar reads it so), so it is indented under it */
        int cites = starts_word(l.s, l.n, "source") || starts_word(l.s, l.n, "assumption");
        if (!comment && top && cites && after_warn) top = 0;
        if (!comment && (top || cites)) after_warn = starts_word(l.s, l.n, "warn");
        if (l.s[0] == '}') in_block = 0;
        /* comments keep their level; everything else is placed by kind */
        if (comment ? (indented || in_block) : (!top || (in_block && l.s[0] != '}')))
            buf_adds(out, "  ");
        buf_add(out, l.s, l.n);
        buf_addc(out, '\n');
        int opens_block = (starts_word(l.s, l.n, "entity") || starts_word(l.s, l.n, "enum") ||
                           starts_word(l.s, l.n, "extend")) && l.s[l.n - 1] == '{';
        if (!comment && !in_block && !opens_block) depth += bracket_delta(l);
        if (depth < 0) depth = 0;
        if (opens_block) in_block = 1;
        if (e >= len) break;
    }
    if (ntable) emit_table(table, ntable, out);
}
