/*
 * fuzz_values.c - libFuzzer target: the narrow value parsers alone.
 *
 * The money/date text parsers are where jq's bugs lived, so they get a
 * target of their own with oracles, not just "does not crash":
 *   - dec_parse() agrees with a slow reference parser written here on
 *     both the status and the value; whatever it accepts formats back
 *     (dec_format, every min_places) to text that parses to the same value;
 *   - date_parse() agrees with a reference on which texts are dates, and
 *     date_format() gives back the exact text; day numbers in range go
 *     through ymd and text and back;
 *   - dec_round() in every mode either reports overflow or returns a
 *     multiple of the quantum with |result - x| < quantum, on the side the
 *     mode promises (and within half a quantum for the half modes);
 *     dec_div_round() and int_div_round() likewise against the exact
 *     quotient; dec_add/sub/mul/div report overflow instead of wrapping;
 *   - date_add_days/months/years stay in range or refuse.
 * The whole input is the text for the parsers; its first bytes, read as
 * little-endian integers, are the operands of the arithmetic checks.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "eval/date.h"
#include "eval/decimal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef __int128 i128;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "fuzz_values.c:%d: check failed: %s\n", __LINE__, #cond);   \
            abort();                                                                    \
        }                                                                               \
    } while (0)

static const dec_round_mode modes[] = {ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_UP,
                                       ROUND_DOWN,    ROUND_CEILING,   ROUND_FLOOR};

static i128 abs128(i128 v) { return v < 0 ? -v : v; }

/* ---- decimal text ------------------------------------------------------ */

/* The grammar of decimal.h said slowly: -?[0-9]+(\.[0-9]{1,6})? */
static dec_status ref_dec_parse(const char *s, size_t n, int64_t *out)
{
    size_t i = 0, ilen = 0, flen = 0;
    int neg = 0;
    if (n > 0 && s[0] == '-') neg = 1, i = 1;
    const char *ip = s + i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, ilen++;
    if (ilen == 0) return DEC_E_SYNTAX;
    const char *fp = NULL;
    if (i < n) {
        if (s[i] != '.') return DEC_E_SYNTAX;
        fp = s + ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, flen++;
        if (flen == 0 || i != n) return DEC_E_SYNTAX;
        if (flen > DEC_PLACES) return DEC_E_PRECISION;
    }
    while (ilen > 1 && *ip == '0') ip++, ilen--;
    if (ilen > 14) return DEC_E_RANGE;   /* >= 10^14 yuan > 2^63 millionths */
    i128 v = 0;
    for (size_t k = 0; k < ilen; k++) v = v * 10 + (ip[k] - '0');
    for (size_t k = 0; k < DEC_PLACES; k++) v = v * 10 + (k < flen ? fp[k] - '0' : 0);
    if (neg) v = -v;
    if (v > INT64_MAX || v < INT64_MIN) return DEC_E_RANGE;
    *out = (int64_t)v;
    return DEC_OK;
}

static void check_dec_text(const char *s, size_t n)
{
    int64_t v = 0x5a5a5a5a, ref = 0x5a5a5a5a;
    dec_status st = dec_parse(s, n, &v);
    dec_status rst = ref_dec_parse(s, n, &ref);
    CHECK(st == rst);
    if (st != DEC_OK) return;
    CHECK(v == ref);
    for (int places = -1; places <= DEC_PLACES + 1; places++) {
        char out[32 + 8];
        memset(out, 'x', sizeof out);
        size_t len = dec_format(v, places, out);
        CHECK(len < 32 && out[len] == 0 && strlen(out) == len);
        int64_t back;
        CHECK(dec_parse(out, len, &back) == DEC_OK && back == v);
        const char *dot = strchr(out, '.');
        int want = places < 0 ? 0 : places > DEC_PLACES ? DEC_PLACES : places;
        CHECK(dot ? (int)(len - (size_t)(dot + 1 - out)) >= want : want == 0);
        CHECK(dec_fits_places(v, DEC_PLACES));
    }
}

/* ---- date text --------------------------------------------------------- */

static int ref_date_parse(const char *s, size_t n, int *y, int *m, int *d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 10) return -1;
    for (size_t i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-') return -1;
        } else if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
    }
    *y = atoi(s);
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    if (*y < DATE_MIN_YEAR || *y > DATE_MAX_YEAR || *m < 1 || *m > 12 || *d < 1) return -1;
    int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    return *d > mdays[*m - 1] + (*m == 2 && leap) ? -1 : 0;
}

static void check_date_text(const char *s, size_t n)
{
    int64_t days;
    int ry, rm, rd;
    int rc = date_parse(s, n, &days);
    CHECK(rc == ref_date_parse(s, n, &ry, &rm, &rd));
    if (rc) return;
    CHECK(date_in_range(days));
    char out[11 + 5];
    memset(out, 'x', sizeof out);
    date_format(days, out);
    CHECK(out[10] == 0 && memcmp(out, s, 10) == 0);
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    CHECK(y == ry && m == rm && d == rd && date_from_ymd(y, m, d) == days);
}

/* Every day number in range survives text and ymd; the neighbours of the
 * range are refused by date_in_range. */
static void check_day(int64_t days)
{
    if (!date_in_range(days)) return;
    char out[11];
    date_format(days, out);
    int64_t back;
    CHECK(date_parse(out, 10, &back) == 0 && back == days);
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    CHECK(date_from_ymd(y, m, d) == days);
    CHECK(!date_in_range(date_min() - 1) && !date_in_range(date_max() + 1));
}

static void check_date_add(int64_t days, int64_t n)
{
    int64_t r;
    if (date_add_days(days, n, &r) == 0) {
        CHECK(date_in_range(days) && date_in_range(r) && r - days == n);
        int64_t back;
        CHECK(date_add_days(r, -n, &back) == 0 && back == days);
    }
    int y0, m0, d0, y, m, d;
    if (date_add_months(days, n, &r) == 0) {
        CHECK(date_in_range(days) && date_in_range(r));
        date_to_ymd(days, &y0, &m0, &d0);
        date_to_ymd(r, &y, &m, &d);
        CHECK((i128)y * 12 + m - ((i128)y0 * 12 + m0) == n);
        CHECK(d == d0 || (d < d0 && d >= 28));   /* clamped to the month's end */
    }
    if (date_add_years(days, n, &r) == 0) {
        CHECK(date_in_range(days) && date_in_range(r));
        date_to_ymd(days, &y0, &m0, &d0);
        date_to_ymd(r, &y, &m, &d);
        CHECK(y - y0 == n && m == m0 && (d == d0 || (m == 2 && d0 == 29 && d == 28)));
    }
}

/* ---- rounding and arithmetic ------------------------------------------ */

/* q is the integer that mode m chose for the exact quotient num/den:
 * diff = q*den - num must be smaller than den, on the side the mode
 * promises, at most half of den for the half modes, and ties must go the
 * way the mode says. */
static void check_rounded(i128 num, i128 den, i128 q, dec_round_mode m)
{
    if (den < 0) num = -num, den = -den;
    i128 diff = q * den - num;
    CHECK(abs128(diff) < den);
    switch (m) {
    case ROUND_HALF_UP:
    case ROUND_HALF_DOWN:
    case ROUND_HALF_EVEN: CHECK(abs128(diff) * 2 <= den); break;
    case ROUND_UP: CHECK(diff == 0 || (num > 0) == (diff > 0)); break;
    case ROUND_DOWN: CHECK(diff == 0 || (num > 0) == (diff < 0)); break;
    case ROUND_CEILING: CHECK(diff >= 0); break;
    case ROUND_FLOOR: CHECK(diff <= 0); break;
    }
    if ((m == ROUND_HALF_UP || m == ROUND_HALF_DOWN || m == ROUND_HALF_EVEN) && abs128(diff) * 2 == den) {
        int away = (num > 0) == (diff > 0);
        if (m == ROUND_HALF_UP) CHECK(away);
        if (m == ROUND_HALF_DOWN) CHECK(!away);
        if (m == ROUND_HALF_EVEN) CHECK(q % 2 == 0);
    }
}

static void check_round(int64_t a, int64_t quantum)
{
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        int64_t r = 0x5a5a;
        dec_status st = dec_round(a, quantum, modes[i], &r);
        if (quantum == 0) { CHECK(st == DEC_E_DIVZERO); continue; }
        if (quantum < 0) { CHECK(st == DEC_E_RANGE); continue; }
        if (st != DEC_OK) { CHECK(st == DEC_E_RANGE); continue; }
        CHECK(r % quantum == 0);
        CHECK(abs128((i128)r - a) < quantum);
        check_rounded(a, quantum, r / quantum, modes[i]);
    }
    CHECK(dec_round(a, quantum, (dec_round_mode)7, &(int64_t){0}) != DEC_OK);
}

static void check_div_round(int64_t a, int64_t b, int64_t quantum)
{
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        int64_t r = 0x5a5a;
        dec_status st = dec_div_round(a, b, quantum, modes[i], &r);
        if (b == 0) { CHECK(st == DEC_E_DIVZERO); }
        else if (quantum <= 0) { CHECK(st != DEC_OK); }
        else if (st != DEC_OK) { CHECK(st == DEC_E_RANGE); }
        else {
            CHECK(r % quantum == 0);
            /* a/b in millionths is a*10^6/b; in quanta it is a*10^6/(b*quantum) */
            check_rounded((i128)a * DEC_SCALE, (i128)b * quantum, r / quantum, modes[i]);
        }
        st = int_div_round(a, b, modes[i], &r);
        if (b == 0) { CHECK(st == DEC_E_DIVZERO); }
        else if (st != DEC_OK) { CHECK(st == DEC_E_RANGE && a == INT64_MIN && b == -1); }
        else check_rounded(a, b, r, modes[i]);
    }
}

static void check_arith(int64_t a, int64_t b)
{
    int64_t r;
    dec_status st = dec_add(a, b, &r);
    CHECK(st == DEC_OK ? (i128)r == (i128)a + b : st == DEC_E_RANGE);
    st = dec_sub(a, b, &r);
    CHECK(st == DEC_OK ? (i128)r == (i128)a - b : st == DEC_E_RANGE);
    st = dec_mul(a, b, &r);
    i128 p = (i128)a * b / DEC_SCALE;
    CHECK(st == DEC_OK ? (i128)r == p : (st == DEC_E_RANGE && (p > INT64_MAX || p < INT64_MIN)));
    st = dec_div(a, b, &r);
    if (b == 0) {
        CHECK(st == DEC_E_DIVZERO);
    } else {
        i128 q = (i128)a * DEC_SCALE / b;
        CHECK(st == DEC_OK ? (i128)r == q : (st == DEC_E_RANGE && (q > INT64_MAX || q < INT64_MIN)));
    }
    st = dec_from_int(a, &r);
    CHECK(st == DEC_OK ? (i128)r == (i128)a * DEC_SCALE : st == DEC_E_RANGE);
}

static int64_t read_i64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return (int64_t)v;
}

/* A quantum a policy would write (10^-6 .. 10^12 yuan, or 5s) more often
 * than a random one. */
static int64_t pick_quantum(uint8_t sel, int64_t raw)
{
    static const int64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                    100000000, 1000000000, 10000000000, 100000000000,
                                    1000000000000, 10000000000000, 100000000000000,
                                    1000000000000000, 10000000000000000, 100000000000000000,
                                    1000000000000000000};
    switch (sel & 3) {
    case 0: return pow10[(sel >> 2) % 19];
    case 1: return pow10[(sel >> 2) % 18] * 5;
    default: return raw;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_dec_text(s, size);
    check_date_text(s, size);
    /* the text without its first byte too: a sign or a selector byte in
     * front of an accepted number gives a second accepted number */
    if (size > 1) {
        check_dec_text(s + 1, size - 1);
        check_date_text(s + 1, size - 1);
    }
    if (size >= 17) {
        int64_t a = read_i64(data), b = read_i64(data + 8);
        int64_t quantum = pick_quantum(data[16], b);
        check_round(a, quantum);
        check_div_round(a, b, quantum);
        check_arith(a, b);
        /* small values too: rounding of figures a policy meets */
        check_round(a % 100000000000, quantum);
        check_div_round(a % 100000000000, b % 1000000000 + (b % 1000000000 == 0), quantum);
        int64_t lo = date_min(), span = date_max() - lo + 1;
        int64_t day = lo - 2 + (int64_t)((uint64_t)a % (uint64_t)(span + 4));
        check_day(day);
        check_date_add(day, b % 4 == 0 ? b : b % 200000);
    }
    return 0;
}
