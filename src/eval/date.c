/*
 * date.c - civil dates as day numbers since 1970-01-01.
 *
 * Policies compare dates constantly ("in force from 2017-04-01", "born
 * before", "as of"), so a date is a plain integer and those comparisons
 * are integer comparisons.  The conversions are Howard Hinnant's
 * days_from_civil / civil_from_days, which are exact for the proleptic
 * Gregorian calendar and need no tables or loops.
 *
 * Month and year arithmetic keeps the day of month and clamps it to the
 * last day of a shorter month (2017-01-31 + 1 month = 2017-02-28), which
 * is how 民政 rules count "满 N 个月" and ages.  Every operation that can
 * leave 1900-01-01..2199-12-31 says so instead of returning a date that
 * date_parse() would have refused.
 *
 * Not here: time zones, times of day, or weekdays; none of them occur in
 * the rules eligo evaluates.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "eval/date.h"

#include <stdio.h>

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* Hinnant: years start in March, so the leap day is the last day of the
 * year and the day-of-year formula needs no leap test. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                              /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;     /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t date_from_ymd(int y, int m, int d)
{
    return days_from_civil(y, m, d);
}

void date_to_ymd(int64_t days, int *y, int *m, int *d)
{
    int64_t yy;
    civil_from_days(days, &yy, m, d);
    *y = (int)yy;
}

int64_t date_min(void)
{
    return days_from_civil(DATE_MIN_YEAR, 1, 1);
}

int64_t date_max(void)
{
    return days_from_civil(DATE_MAX_YEAR, 12, 31);
}

int date_in_range(int64_t d)
{
    return d >= date_min() && d <= date_max();
}

/* Reads n ASCII digits; -1 if any is not a digit. */
static int read_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int date_parse(const char *s, size_t n, int64_t *out)
{
    if (s == NULL || n != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int y = read_digits(s, 4), m = read_digits(s + 5, 2), d = read_digits(s + 8, 2);
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR || m < 1 || m > 12)
        return -1;
    if (d < 1 || d > days_in_month(y, m))
        return -1;
    *out = days_from_civil(y, m, d);
    return 0;
}

/* Every date eligo accepts has a four-digit year; one outside 0..9999
 * would be cut short by snprintf rather than overrun `out`. */
void date_format(int64_t days, char *out)
{
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
        return;
    }
    /* by hand: every decision writes its as_of, and printf costs more
     * than the rest of the date */
    const int v[3] = { y, m, d }, w[3] = { 4, 2, 2 };
    char *o = out;
    for (int k = 0; k < 3; k++) {
        if (k) *o++ = '-';
        for (int i = w[k] - 1, x = v[k]; i >= 0; i--, x /= 10)
            o[i] = (char)('0' + x % 10);
        o += w[k];
    }
    *o = '\0';
}

/* The add functions refuse a start date outside the range as well: no
 * parsed date is one, and the refusal keeps the day-number arithmetic
 * below far from int64 overflow. */
int date_add_days(int64_t d, int64_t n, int64_t *r)
{
    int64_t v;
    if (!date_in_range(d) || __builtin_add_overflow(d, n, &v) || !date_in_range(v))
        return -1;
    *r = v;
    return 0;
}

/* Works on a month count (year * 12 + month - 1) so that a negative n or
 * one spanning years needs no special case; the range test comes before
 * anything is narrowed to int. */
int date_add_months(int64_t d, int64_t n, int64_t *r)
{
    int64_t y, months;
    int m, day;
    if (!date_in_range(d))
        return -1;
    civil_from_days(d, &y, &m, &day);
    if (__builtin_add_overflow(y * 12 + (m - 1), n, &months))
        return -1;
    int64_t ny = months >= 0 ? months / 12 : (months - 11) / 12;
    int nm = (int)(months - ny * 12) + 1;
    if (ny < DATE_MIN_YEAR || ny > DATE_MAX_YEAR)
        return -1;
    int dim = days_in_month(ny, nm);
    *r = days_from_civil(ny, nm, day > dim ? dim : day);
    return 0;
}

int64_t date_months_between(int64_t a, int64_t b)
{
    if (b < a)
        return -date_months_between(b, a);
    int ya, ma, da, yb, mb, db;
    date_to_ymd(a, &ya, &ma, &da);
    date_to_ymd(b, &yb, &mb, &db);
    int64_t n = (int64_t)(yb - ya) * 12 + (mb - ma), r;
    /* a + n months lands in b's month; past b only when a's day (clamped
     * to that month) is later than b's, and then a + (n - 1) is not */
    if (n > 0 && (date_add_months(a, n, &r) || r > b))
        n--;
    return n;
}

int date_add_years(int64_t d, int64_t n, int64_t *r)
{
    int64_t months;
    if (__builtin_mul_overflow(n, 12, &months))
        return -1;
    return date_add_months(d, months, r);
}
