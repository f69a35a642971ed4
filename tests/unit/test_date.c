/*
 * test_date.c - cmocka tests for src/eval/date.c.
 *
 * Dates decide whether a rule is in force and how old an applicant is, so
 * these tests pin the calendar itself (every day of the accepted range
 * round-trips), the leap-year rules, strict parsing, and the clamping of
 * month and year arithmetic at month ends.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "eval/date.h"

/* The day number of "YYYY-MM-DD" text that must parse. */
static int64_t T(const char *s)
{
    int64_t d = 0;
    if (date_parse(s, strlen(s), &d) != 0)
        fail_msg("date_parse(\"%s\") failed", s);
    return d;
}

static int parses(const char *s)
{
    int64_t d;
    return date_parse(s, strlen(s), &d) == 0;
}

static void assert_date(int64_t d, const char *want)
{
    char out[11];
    date_format(d, out);
    assert_string_equal(out, want);
}

/* ---- conversions ---------------------------------------------------------- */

static void epoch_and_known_days(void **state)
{
    (void)state;
    assert_int_equal(date_from_ymd(1970, 1, 1), 0);
    assert_int_equal(date_from_ymd(1970, 1, 2), 1);
    assert_int_equal(date_from_ymd(1969, 12, 31), -1);
    assert_int_equal(date_from_ymd(2000, 2, 29), 11016);
    assert_int_equal(date_from_ymd(2000, 3, 1), 11017);
    assert_int_equal(date_from_ymd(2017, 4, 1), 17257);
    assert_int_equal(date_from_ymd(2019, 1, 1), 17897);
    assert_int_equal(date_from_ymd(1900, 1, 1), -25567);
    assert_int_equal(date_from_ymd(2199, 12, 31), 84005);
}

static void ymd_round_trip_whole_range(void **state)
{
    (void)state;
    int y0, m0, d0;
    date_to_ymd(date_min(), &y0, &m0, &d0);
    assert_int_equal(y0, 1900);
    assert_int_equal(m0, 1);
    assert_int_equal(d0, 1);
    /* Every day is the previous day plus one: the month and year roll
     * over exactly at the calendar's month ends. */
    for (int64_t d = date_min() + 1; d <= date_max(); d++) {
        int y, m, dd;
        date_to_ymd(d, &y, &m, &dd);
        assert_int_equal(date_from_ymd(y, m, dd), d);
        if (dd == 1) {
            assert_true(m == m0 + 1 || (m == 1 && m0 == 12 && y == y0 + 1));
        } else {
            assert_int_equal(dd, d0 + 1);
            assert_int_equal(m, m0);
            assert_int_equal(y, y0);
        }
        y0 = y, m0 = m, d0 = dd;
    }
    assert_int_equal(y0, 2199);
    assert_int_equal(m0, 12);
    assert_int_equal(d0, 31);
}

static void ymd_outside_range(void **state)
{
    (void)state;
    /* No range check in the raw conversions: they work for any era. */
    int y, m, d;
    date_to_ymd(date_from_ymd(1, 1, 1), &y, &m, &d);
    assert_int_equal(y, 1);
    date_to_ymd(date_from_ymd(-44, 3, 15), &y, &m, &d);
    assert_int_equal(y, -44);
    assert_int_equal(m, 3);
    assert_int_equal(d, 15);
    date_to_ymd(date_from_ymd(9999, 12, 31), &y, &m, &d);
    assert_int_equal(y, 9999);
    assert_int_equal(date_from_ymd(2400, 3, 1) - date_from_ymd(2000, 3, 1), 146097);
}

/* ---- leap years ---------------------------------------------------------------- */

static void leap_years(void **state)
{
    (void)state;
    assert_true(parses("2000-02-29"));     /* divisible by 400 */
    assert_false(parses("1900-02-29"));    /* by 100, not 400 */
    assert_false(parses("2100-02-29"));
    assert_true(parses("2016-02-29"));
    assert_true(parses("2020-02-29"));
    assert_true(parses("1904-02-29"));
    assert_true(parses("2196-02-29"));
    assert_false(parses("2019-02-29"));
    assert_false(parses("2017-02-29"));
    assert_false(parses("2016-02-30"));
    assert_int_equal(T("2016-03-01") - T("2016-02-28"), 2);
    assert_int_equal(T("2019-03-01") - T("2019-02-28"), 1);
    assert_int_equal(T("2001-01-01") - T("2000-01-01"), 366);
    assert_int_equal(T("1901-01-01") - T("1900-01-01"), 365);
    assert_int_equal(T("2101-01-01") - T("2100-01-01"), 365);
}

/* ---- parsing ------------------------------------------------------------------------ */

static void parse_accepts(void **state)
{
    (void)state;
    assert_int_equal(T("1970-01-01"), 0);
    assert_int_equal(T("2019-01-01"), 17897);
    assert_int_equal(T("1900-01-01"), date_min());
    assert_int_equal(T("2199-12-31"), date_max());
    assert_int_equal(T("2017-04-30"), date_from_ymd(2017, 4, 30));
    assert_int_equal(T("2017-12-31"), date_from_ymd(2017, 12, 31));
}

static void parse_rejects_impossible_days(void **state)
{
    (void)state;
    static const char *bad[] = {
        "2019-02-29", "2019-13-01", "2019-00-10", "2019-01-00", "2019-01-32",
        "2019-04-31", "2019-06-31", "2019-09-31", "2019-11-31", "2019-99-99",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parses(bad[i]))
            fail_msg("\"%s\" was accepted", bad[i]);
}

static void parse_rejects_out_of_range_years(void **state)
{
    (void)state;
    assert_false(parses("1899-12-31"));
    assert_false(parses("2200-01-01"));
    assert_false(parses("0000-01-01"));
    assert_false(parses("9999-12-31"));
    assert_false(parses("1000-06-15"));
}

static void parse_rejects_bad_shapes(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "2019", "2019-1-01", "2019-01-1", "19-01-01", "2019-01-011",
        "2019-001-01", "2019/01/01", "2019.01.01", "20190101", "20190101xx",
        "+019-01-01", "-019-01-01", "2019-01-0a", " 2019-01-1", "2019-01-1 ",
        "2019--1-01", "2019-0x-01", "2019-01-01T00:00", "2019\345\271\2641-1",   /* 2019年1-1 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parses(bad[i]))
            fail_msg("\"%s\" was accepted", bad[i]);
}

static void parse_honours_length(void **state)
{
    (void)state;
    int64_t d = 42;
    assert_int_equal(date_parse("2019-01-01T00:00", 10, &d), 0);
    assert_int_equal(d, 17897);
    d = 42;
    assert_int_equal(date_parse("2019-01-01", 9, &d), -1);
    assert_int_equal(date_parse("2019-01-01", 0, &d), -1);
    assert_int_equal(date_parse(NULL, 0, &d), -1);
    assert_int_equal(d, 42);   /* untouched on failure */
}

/* ---- formatting ------------------------------------------------------------------------- */

static void format_dates(void **state)
{
    (void)state;
    assert_date(0, "1970-01-01");
    assert_date(-1, "1969-12-31");
    assert_date(date_min(), "1900-01-01");
    assert_date(date_max(), "2199-12-31");
    assert_date(17897, "2019-01-01");
    assert_date(11016, "2000-02-29");
}

static void format_parse_round_trip(void **state)
{
    (void)state;
    for (int64_t d = date_min(); d <= date_max(); d += 37) {
        char out[11];
        int64_t back = 0;
        date_format(d, out);
        assert_int_equal(strlen(out), 10);
        assert_int_equal(date_parse(out, 10, &back), 0);
        assert_int_equal(back, d);
    }
}

/* ---- arithmetic -------------------------------------------------------------------------------- */

static void add_days(void **state)
{
    (void)state;
    int64_t r = 0;
    assert_int_equal(date_add_days(T("2019-02-28"), 1, &r), 0);
    assert_date(r, "2019-03-01");
    assert_int_equal(date_add_days(T("2020-02-28"), 1, &r), 0);
    assert_date(r, "2020-02-29");
    assert_int_equal(date_add_days(T("2019-12-31"), 1, &r), 0);
    assert_date(r, "2020-01-01");
    assert_int_equal(date_add_days(T("2020-01-01"), -1, &r), 0);
    assert_date(r, "2019-12-31");
    assert_int_equal(date_add_days(T("2017-04-01"), 0, &r), 0);
    assert_date(r, "2017-04-01");
    assert_int_equal(date_add_days(T("2017-04-01"), 365, &r), 0);
    assert_date(r, "2018-04-01");
}

static void add_days_range(void **state)
{
    (void)state;
    int64_t r = 42;
    assert_int_equal(date_add_days(date_max(), 1, &r), -1);
    assert_int_equal(date_add_days(date_min(), -1, &r), -1);
    assert_int_equal(date_add_days(T("2019-01-01"), INT64_MAX, &r), -1);
    assert_int_equal(date_add_days(T("1969-01-01"), INT64_MIN, &r), -1);
    assert_int_equal(date_add_days(INT64_MAX, 1, &r), -1);
    /* a start outside the range is refused even when the end is inside */
    assert_int_equal(date_add_days(date_min() - 1, 1, &r), -1);
    assert_int_equal(date_add_days(INT64_MIN, INT64_MAX, &r), -1);
    assert_int_equal(r, 42);
    assert_int_equal(date_add_days(date_min(), date_max() - date_min(), &r), 0);
    assert_int_equal(r, date_max());
}

static void add_years(void **state)
{
    (void)state;
    int64_t r = 0;
    assert_int_equal(date_add_years(T("2017-03-01"), 2, &r), 0);
    assert_date(r, "2019-03-01");
    assert_int_equal(date_add_years(T("2016-02-29"), 1, &r), 0);
    assert_date(r, "2017-02-28");
    assert_int_equal(date_add_years(T("2016-02-29"), 4, &r), 0);
    assert_date(r, "2020-02-29");
    assert_int_equal(date_add_years(T("2016-02-29"), -1, &r), 0);
    assert_date(r, "2015-02-28");
    assert_int_equal(date_add_years(T("2000-02-29"), 100, &r), 0);
    assert_date(r, "2100-02-28");
    assert_int_equal(date_add_years(T("2019-12-31"), 0, &r), 0);
    assert_date(r, "2019-12-31");
    assert_int_equal(date_add_years(T("2019-06-15"), -60, &r), 0);
    assert_date(r, "1959-06-15");
}

static void add_months(void **state)
{
    (void)state;
    static const struct { const char *from; int64_t n; const char *want; } t[] = {
        {"2017-01-31", 1, "2017-02-28"},
        {"2016-01-31", 1, "2016-02-29"},
        {"2017-03-31", -1, "2017-02-28"},
        {"2017-03-31", 1, "2017-04-30"},
        {"2017-12-15", 1, "2018-01-15"},
        {"2018-01-15", -1, "2017-12-15"},
        {"2017-01-31", 13, "2018-02-28"},
        {"2017-05-31", 24, "2019-05-31"},
        {"2017-05-31", 0, "2017-05-31"},
        {"2017-01-31", 2, "2017-03-31"},
        {"2017-01-01", -1, "2016-12-01"},
        {"2017-01-01", -12, "2016-01-01"},
        {"2017-01-01", -13, "2015-12-01"},
        {"2017-08-31", 6, "2018-02-28"},
        {"1900-01-31", 1, "1900-02-28"},
        {"2199-11-30", 1, "2199-12-30"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t r = 0;
        char got[11];
        assert_int_equal(date_add_months(T(t[i].from), t[i].n, &r), 0);
        date_format(r, got);
        if (strcmp(got, t[i].want) != 0)
            fail_msg("%s + %lld months = %s, want %s", t[i].from, (long long)t[i].n, got,
                     t[i].want);
    }
}

static void clamping_does_not_carry(void **state)
{
    (void)state;
    /* +1 month twice is not +2 months: the clamp to the 28th sticks. */
    int64_t r = 0, r2 = 0;
    assert_int_equal(date_add_months(T("2017-01-31"), 1, &r), 0);
    assert_int_equal(date_add_months(r, 1, &r2), 0);
    assert_date(r2, "2017-03-28");
    assert_int_equal(date_add_months(T("2017-01-31"), 2, &r), 0);
    assert_date(r, "2017-03-31");
    /* 12 months and one year agree, clamping included */
    assert_int_equal(date_add_months(T("2016-02-29"), 12, &r), 0);
    assert_int_equal(date_add_years(T("2016-02-29"), 1, &r2), 0);
    assert_int_equal(r, r2);
}

static void months_years_range(void **state)
{
    (void)state;
    int64_t r = 42;
    assert_int_equal(date_add_months(T("2199-12-01"), 1, &r), -1);
    assert_int_equal(date_add_months(T("1900-01-31"), -1, &r), -1);
    assert_int_equal(date_add_years(T("2199-01-01"), 1, &r), -1);
    assert_int_equal(date_add_years(T("1900-12-31"), -1, &r), -1);
    assert_int_equal(date_add_months(T("2019-01-01"), INT64_MAX, &r), -1);
    assert_int_equal(date_add_months(T("2019-01-01"), INT64_MIN, &r), -1);
    assert_int_equal(date_add_years(T("2019-01-01"), INT64_MAX / 2, &r), -1);
    assert_int_equal(date_add_years(T("2019-01-01"), INT64_MIN, &r), -1);
    assert_int_equal(date_add_years(T("2019-01-01"), 1000, &r), -1);
    assert_int_equal(date_add_months(INT64_MAX, 0, &r), -1);
    assert_int_equal(date_add_months(INT64_MIN, 0, &r), -1);
    assert_int_equal(date_add_months(date_min() - 1, 1, &r), -1);
    assert_int_equal(date_add_years(date_max() + 1, -1, &r), -1);
    assert_int_equal(r, 42);
    assert_int_equal(date_add_years(T("1900-01-01"), 299, &r), 0);
    assert_date(r, "2199-01-01");
    assert_int_equal(date_add_months(T("2199-12-31"), -3599, &r), 0);
    assert_date(r, "1900-01-31");
}

/* An age test as a policy writes it: 18 on the day before the birthday? */
static void age_by_adding_years(void **state)
{
    (void)state;
    int64_t eighteenth = 0;
    assert_int_equal(date_add_years(T("2001-06-15"), 18, &eighteenth), 0);
    assert_true(T("2019-06-14") < eighteenth);
    assert_true(T("2019-06-15") >= eighteenth);
    /* born on a leap day: of age on 28 Feb in a common year */
    assert_int_equal(date_add_years(T("2000-02-29"), 18, &eighteenth), 0);
    assert_date(eighteenth, "2018-02-28");
}

/* months_between and the age in full years (周岁) built on it. */
static void months_between_cases(void **state)
{
    (void)state;
    assert_int_equal(date_months_between(T("2016-01-31"), T("2016-02-29")), 1);   /* as + 1 month gives */
    assert_int_equal(date_months_between(T("2016-01-31"), T("2016-02-28")), 0);
    assert_int_equal(date_months_between(T("2017-03-15"), T("2017-03-15")), 0);
    assert_int_equal(date_months_between(T("2017-03-15"), T("2017-04-14")), 0);
    assert_int_equal(date_months_between(T("2017-03-15"), T("2017-04-15")), 1);
    assert_int_equal(date_months_between(T("2017-04-15"), T("2017-03-15")), -1);
    assert_int_equal(date_months_between(T("1900-01-01"), T("2199-12-31")), 3599);
    /* born on 29 February: a year older on 28 February in a common year,
     * on 29 February in a leap year (date.h) */
    assert_int_equal(date_months_between(T("1944-02-29"), T("2021-02-27")) / 12, 76);
    assert_int_equal(date_months_between(T("1944-02-29"), T("2021-02-28")) / 12, 77);
    assert_int_equal(date_months_between(T("1944-02-29"), T("2024-02-28")) / 12, 79);
    assert_int_equal(date_months_between(T("1944-02-29"), T("2024-02-29")) / 12, 80);
    assert_int_equal(date_months_between(T("1940-03-01"), T("2020-02-29")) / 12, 79);
    assert_int_equal(date_months_between(T("1940-03-01"), T("2020-03-01")) / 12, 80);
}

/* The definition itself, for every start day of 2015-2016 (a leap year
 * and month ends included) and ends up to five years later: the largest
 * n with a + n months <= b. */
static void months_between_is_the_largest_n(void **state)
{
    (void)state;
    for (int64_t a = T("2015-01-01"); a <= T("2016-12-31"); a++)
        for (int64_t b = a; b < a + 5 * 366; b += 13) {
            int64_t n = date_months_between(a, b), r, next;
            assert_int_equal(date_add_months(a, n, &r), 0);
            assert_true(r <= b);
            assert_int_equal(date_add_months(a, n + 1, &next), 0);
            assert_true(next > b);
            assert_int_equal(date_months_between(b, a), -n);
        }
}

static void range_helpers(void **state)
{
    (void)state;
    assert_int_equal(date_min(), -25567);
    assert_int_equal(date_max(), 84005);
    assert_true(date_in_range(date_min()));
    assert_true(date_in_range(date_max()));
    assert_true(date_in_range(0));
    assert_false(date_in_range(date_min() - 1));
    assert_false(date_in_range(date_max() + 1));
    assert_false(date_in_range(INT64_MIN));
    assert_false(date_in_range(INT64_MAX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(epoch_and_known_days),
        cmocka_unit_test(ymd_round_trip_whole_range),
        cmocka_unit_test(ymd_outside_range),
        cmocka_unit_test(leap_years),
        cmocka_unit_test(parse_accepts),
        cmocka_unit_test(parse_rejects_impossible_days),
        cmocka_unit_test(parse_rejects_out_of_range_years),
        cmocka_unit_test(parse_rejects_bad_shapes),
        cmocka_unit_test(parse_honours_length),
        cmocka_unit_test(format_dates),
        cmocka_unit_test(months_between_cases),
        cmocka_unit_test(months_between_is_the_largest_n),
        cmocka_unit_test(format_parse_round_trip),
        cmocka_unit_test(add_days),
        cmocka_unit_test(add_days_range),
        cmocka_unit_test(add_years),
        cmocka_unit_test(add_months),
        cmocka_unit_test(clamping_does_not_carry),
        cmocka_unit_test(months_years_range),
        cmocka_unit_test(age_by_adding_years),
        cmocka_unit_test(range_helpers),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
