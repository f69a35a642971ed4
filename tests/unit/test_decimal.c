/*
 * test_decimal.c - cmocka tests for src/eval/decimal.c.
 *
 * Money is where a wrong last digit becomes a wrong benefit, so these
 * tests pin every rounding mode on every half-fen tie, in both signs, and
 * every overflow edge of int64 millionths.  Expected values are written
 * as decimal text and parsed, so each table row reads like the policy
 * figure it stands for.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "eval/decimal.h"

/* The value of decimal text that must parse. */
static int64_t D(const char *s)
{
    int64_t v = 0;
    dec_status st = dec_parse(s, strlen(s), &v);
    if (st != DEC_OK)
        fail_msg("dec_parse(\"%s\") = %d", s, (int)st);
    return v;
}

static dec_status parse(const char *s, int64_t *v)
{
    return dec_parse(s, strlen(s), v);
}

/* Formats with min_places and compares to the expected text. */
static void assert_fmt(int64_t v, int min_places, const char *want)
{
    char out[32];
    size_t n = dec_format(v, min_places, out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static const dec_round_mode all_modes[7] = {
    ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_UP,
    ROUND_DOWN, ROUND_CEILING, ROUND_FLOOR,
};

/* One value, one quantum, and the result under each mode in the order
 * of all_modes: half_up, half_down, half_even, up, down, ceiling, floor. */
typedef struct round_case {
    const char *value, *quantum;
    const char *want[7];
} round_case;

static void check_round_table(const round_case *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (int m = 0; m < 7; m++) {
            int64_t r = 0;
            dec_status st = dec_round(D(t[i].value), D(t[i].quantum), all_modes[m], &r);
            if (st != DEC_OK || r != D(t[i].want[m])) {
                char got[32];
                dec_format(r, 0, got);
                fail_msg("round(%s, %s, %s) = %s (status %d), want %s", t[i].value,
                         t[i].quantum, dec_round_mode_name(all_modes[m]), got, (int)st,
                         t[i].want[m]);
            }
        }
    }
}

/* ---- parsing ---------------------------------------------------------- */

static void parse_accepts_plain_numbers(void **state)
{
    (void)state;
    assert_int_equal(D("0"), 0);
    assert_int_equal(D("860"), 860000000);
    assert_int_equal(D("-12.5"), -12500000);
    assert_int_equal(D("1000.10"), 1000100000);
    assert_int_equal(D("0.000001"), 1);
    assert_int_equal(D("-0.000001"), -1);
    assert_int_equal(D("0.85"), 850000);
    assert_int_equal(D("123456.123456"), 123456123456LL);
    assert_int_equal(D("1348.916666"), 1348916666LL);
}

static void parse_accepts_zero_forms(void **state)
{
    (void)state;
    assert_int_equal(D("-0"), 0);
    assert_int_equal(D("0.0"), 0);
    assert_int_equal(D("-0.000000"), 0);
    assert_int_equal(D("000"), 0);
    assert_int_equal(D("007.50"), 7500000);
}

static void parse_int64_edges(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(D("9223372036854.775807"), INT64_MAX);
    assert_int_equal(D("-9223372036854.775808"), INT64_MIN);
    assert_int_equal(D("9223372036854"), 9223372036854000000LL);
    assert_int_equal(parse("9223372036854.775808", &v), DEC_E_RANGE);
    assert_int_equal(parse("-9223372036854.775809", &v), DEC_E_RANGE);
    assert_int_equal(parse("9223372036855", &v), DEC_E_RANGE);
    assert_int_equal(parse("-9223372036855", &v), DEC_E_RANGE);
    assert_int_equal(parse("18446744073709.551616", &v), DEC_E_RANGE);
    assert_int_equal(parse("99999999999999999999999999", &v), DEC_E_RANGE);
    /* the integer part alone past 2^64 - 1 by its last digit (10 x
     * 1844674407370955161 fits, + 6 does not), and one whose millionths
     * pass 2^64 */
    assert_int_equal(parse("18446744073709551616", &v), DEC_E_RANGE);
    assert_int_equal(parse("18446744073710", &v), DEC_E_RANGE);
    assert_int_equal(parse("-99999999999999999999999999.5", &v), DEC_E_RANGE);
}

static void parse_rejects_bad_syntax(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "-", "+1", "+0.5", ".5", "-.5", "5.", "-5.", "1e3", "1E3",
        "1.5e2", "1e-2", " 1", "1 ", "1,5", "1.2.3", "abc", "--1", "-+1",
        "0x10", "1_000", "NaN", "inf", "-inf", "1.-5", "1..5", "\xef\xbc\x91",
        "12 yuan", "1.5 ", "\t1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 42;
        if (parse(bad[i], &v) != DEC_E_SYNTAX)
            fail_msg("\"%s\" was not DEC_E_SYNTAX", bad[i]);
        assert_int_equal(v, 42);   /* untouched on error */
    }
}

static void parse_rejects_seven_places(void **state)
{
    (void)state;
    int64_t v = 42;
    assert_int_equal(parse("0.0000001", &v), DEC_E_PRECISION);
    assert_int_equal(parse("1.1234567", &v), DEC_E_PRECISION);
    assert_int_equal(parse("-0.0000005", &v), DEC_E_PRECISION);
    /* Trailing zeros still state a precision we can't hold: refused. */
    assert_int_equal(parse("1.0000000", &v), DEC_E_PRECISION);
    assert_int_equal(parse("0.00000000000", &v), DEC_E_PRECISION);
    assert_int_equal(v, 42);
}

static void parse_error_precedence(void **state)
{
    (void)state;
    int64_t v;
    /* syntax beats precision, precision beats range */
    assert_int_equal(parse("1.1234567x", &v), DEC_E_SYNTAX);
    assert_int_equal(parse("99999999999999999999x", &v), DEC_E_SYNTAX);
    assert_int_equal(parse("99999999999999999999.1234567", &v), DEC_E_PRECISION);
}

static void parse_honours_length(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(dec_parse("12.5xyz", 4, &v), DEC_OK);
    assert_int_equal(v, 12500000);
    assert_int_equal(dec_parse("860,", 3, &v), DEC_OK);
    assert_int_equal(v, 860000000);
    assert_int_equal(dec_parse("12.5", 3, &v), DEC_E_SYNTAX);   /* "12." */
    assert_int_equal(dec_parse("860", 0, &v), DEC_E_SYNTAX);
    assert_int_equal(dec_parse(NULL, 0, &v), DEC_E_SYNTAX);
}

/* ---- + - * / ----------------------------------------------------------- */

static void add_is_exact(void **state)
{
    (void)state;
    int64_t r = 0;
    assert_int_equal(dec_add(D("0.1"), D("0.2"), &r), DEC_OK);
    assert_int_equal(r, D("0.3"));
    int64_t sum = 0;
    for (int i = 0; i < 10; i++)
        assert_int_equal(dec_add(sum, D("0.1"), &sum), DEC_OK);
    assert_int_equal(sum, D("1"));
    assert_int_equal(dec_add(D("860"), D("-860.01"), &r), DEC_OK);
    assert_int_equal(r, D("-0.01"));
}

static void add_sub_overflow(void **state)
{
    (void)state;
    int64_t r = 7;
    assert_int_equal(dec_add(INT64_MAX, 1, &r), DEC_E_RANGE);
    assert_int_equal(dec_add(INT64_MIN, -1, &r), DEC_E_RANGE);
    assert_int_equal(dec_add(INT64_MAX, INT64_MAX, &r), DEC_E_RANGE);
    assert_int_equal(dec_add(INT64_MAX, INT64_MIN, &r), DEC_OK);
    assert_int_equal(r, -1);
    assert_int_equal(dec_add(INT64_MAX - 1, 1, &r), DEC_OK);
    assert_int_equal(r, INT64_MAX);
    assert_int_equal(dec_sub(INT64_MIN, 1, &r), DEC_E_RANGE);
    assert_int_equal(dec_sub(0, INT64_MIN, &r), DEC_E_RANGE);
    assert_int_equal(dec_sub(INT64_MAX, -1, &r), DEC_E_RANGE);
    assert_int_equal(dec_sub(-1, INT64_MAX, &r), DEC_OK);
    assert_int_equal(r, INT64_MIN);
    assert_int_equal(dec_sub(D("0.3"), D("0.1"), &r), DEC_OK);
    assert_int_equal(r, D("0.2"));
}

static void from_int_edges(void **state)
{
    (void)state;
    int64_t r = 0;
    assert_int_equal(dec_from_int(860, &r), DEC_OK);
    assert_int_equal(r, 860000000);
    assert_int_equal(dec_from_int(-3, &r), DEC_OK);
    assert_int_equal(r, -3000000);
    assert_int_equal(dec_from_int(9223372036854LL, &r), DEC_OK);
    assert_int_equal(dec_from_int(-9223372036854LL, &r), DEC_OK);
    assert_int_equal(dec_from_int(9223372036855LL, &r), DEC_E_RANGE);
    assert_int_equal(dec_from_int(-9223372036855LL, &r), DEC_E_RANGE);
    assert_int_equal(dec_from_int(INT64_MIN, &r), DEC_E_RANGE);
}

static void mul_exact_and_cut(void **state)
{
    (void)state;
    static const struct { const char *a, *b, *want; } t[] = {
        {"860", "12", "10320"},
        {"0.85", "860", "731"},
        {"1.5", "-2", "-3"},
        {"-1.5", "-2", "3"},
        {"0.333333", "3", "0.999999"},
        {"1.234567", "1.1", "1.358023"},      /* 1.3580237 cut toward zero */
        {"-1.234567", "1.1", "-1.358023"},    /* toward zero, not floor */
        {"0.000001", "0.000001", "0"},
        {"-0.000001", "0.5", "0"},
        {"0.000001", "0.999999", "0"},
        {"0.000002", "0.5", "0.000001"},
        {"0", "-9223372036854.775808", "0"},
        {"9223372036854.775807", "1", "9223372036854.775807"},
        {"-9223372036854.775808", "1", "-9223372036854.775808"},
        {"3000000", "3000000", "9000000000000"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t r = 0;
        assert_int_equal(dec_mul(D(t[i].a), D(t[i].b), &r), DEC_OK);
        if (r != D(t[i].want))
            fail_msg("%s * %s = %lld, want %s", t[i].a, t[i].b, (long long)r, t[i].want);
    }
}

static void mul_overflow(void **state)
{
    (void)state;
    int64_t r = 7;
    assert_int_equal(dec_mul(D("9223372036854"), D("2"), &r), DEC_E_RANGE);
    assert_int_equal(dec_mul(D("3100000"), D("3100000"), &r), DEC_E_RANGE);
    assert_int_equal(dec_mul(D("100000000"), D("-100000000"), &r), DEC_E_RANGE);
    assert_int_equal(dec_mul(INT64_MIN, D("-1"), &r), DEC_E_RANGE);
    assert_int_equal(dec_mul(INT64_MAX, INT64_MAX, &r), DEC_E_RANGE);
    assert_int_equal(dec_mul(INT64_MIN, INT64_MIN, &r), DEC_E_RANGE);
    assert_int_equal(r, 7);
    /* Raw int64 would wrap here; the 128-bit product does not. */
    assert_int_equal(dec_mul(INT64_MAX, D("0.5"), &r), DEC_OK);
    assert_int_equal(r, INT64_MAX / 2);
}

static void div_truncates(void **state)
{
    (void)state;
    static const struct { const char *a, *b, *want; } t[] = {
        {"2580", "3", "860"},
        {"860", "3", "286.666666"},
        {"-860", "3", "-286.666666"},
        {"860", "-3", "-286.666666"},
        {"10", "4", "2.5"},
        {"1", "0.000001", "1000000"},
        {"16187", "12", "1348.916666"},
        {"0", "7", "0"},
        {"0.000001", "2", "0"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t r = 0;
        assert_int_equal(dec_div(D(t[i].a), D(t[i].b), &r), DEC_OK);
        if (r != D(t[i].want))
            fail_msg("%s / %s = %lld, want %s", t[i].a, t[i].b, (long long)r, t[i].want);
    }
}

static void div_errors(void **state)
{
    (void)state;
    int64_t r = 7;
    assert_int_equal(dec_div(D("1"), 0, &r), DEC_E_DIVZERO);
    assert_int_equal(dec_div(0, 0, &r), DEC_E_DIVZERO);
    assert_int_equal(dec_div(INT64_MIN, 0, &r), DEC_E_DIVZERO);
    assert_int_equal(dec_div(INT64_MIN, 1, &r), DEC_E_RANGE);       /* / 0.000001 */
    assert_int_equal(dec_div(INT64_MIN, D("-1"), &r), DEC_E_RANGE);
    assert_int_equal(dec_div(D("9223372036854"), D("0.5"), &r), DEC_E_RANGE);
    assert_int_equal(r, 7);
    assert_int_equal(dec_div(INT64_MIN, D("1"), &r), DEC_OK);
    assert_int_equal(r, INT64_MIN);
}

/* ---- rounding ------------------------------------------------------------ */

static void round_half_fen(void **state)
{
    (void)state;
    static const round_case t[] = {
        /*  value       q        half_up   half_down half_even up      down     ceiling  floor */
        {"0.005",    "0.01", {"0.01",  "0",     "0",     "0.01",  "0",     "0.01",  "0"}},
        {"-0.005",   "0.01", {"-0.01", "0",     "0",     "-0.01", "0",     "0",     "-0.01"}},
        {"0.015",    "0.01", {"0.02",  "0.01",  "0.02",  "0.02",  "0.01",  "0.02",  "0.01"}},
        {"-0.015",   "0.01", {"-0.02", "-0.01", "-0.02", "-0.02", "-0.01", "-0.01", "-0.02"}},
        {"0.025",    "0.01", {"0.03",  "0.02",  "0.02",  "0.03",  "0.02",  "0.03",  "0.02"}},
        {"-0.025",   "0.01", {"-0.03", "-0.02", "-0.02", "-0.03", "-0.02", "-0.02", "-0.03"}},
        {"2.675",    "0.01", {"2.68",  "2.67",  "2.68",  "2.68",  "2.67",  "2.68",  "2.67"}},
        {"-2.675",   "0.01", {"-2.68", "-2.67", "-2.68", "-2.68", "-2.67", "-2.67", "-2.68"}},
        {"1000.125", "0.01", {"1000.13", "1000.12", "1000.12", "1000.13", "1000.12", "1000.13", "1000.12"}},
    };
    check_round_table(t, sizeof t / sizeof t[0]);
}

static void round_near_half(void **state)
{
    (void)state;
    static const round_case t[] = {
        {"0.004999",  "0.01", {"0",     "0",     "0",     "0.01",  "0",    "0.01", "0"}},
        {"0.005001",  "0.01", {"0.01",  "0.01",  "0.01",  "0.01",  "0",    "0.01", "0"}},
        {"-0.004999", "0.01", {"0",     "0",     "0",     "-0.01", "0",    "0",    "-0.01"}},
        {"-0.005001", "0.01", {"-0.01", "-0.01", "-0.01", "-0.01", "0",    "0",    "-0.01"}},
        {"1348.916666", "0.01", {"1348.92", "1348.92", "1348.92", "1348.92", "1348.91", "1348.92", "1348.91"}},
        {"-1348.916666", "0.01", {"-1348.92", "-1348.92", "-1348.92", "-1348.92", "-1348.91", "-1348.91", "-1348.92"}},
    };
    check_round_table(t, sizeof t / sizeof t[0]);
}

static void round_exact_values_unchanged(void **state)
{
    (void)state;
    static const round_case t[] = {
        {"1",       "0.01",     {"1", "1", "1", "1", "1", "1", "1"}},
        {"-2.5",    "0.01",     {"-2.5", "-2.5", "-2.5", "-2.5", "-2.5", "-2.5", "-2.5"}},
        {"0",       "1",        {"0", "0", "0", "0", "0", "0", "0"}},
        {"860.123456", "0.000001", {"860.123456", "860.123456", "860.123456", "860.123456",
                                    "860.123456", "860.123456", "860.123456"}},
    };
    check_round_table(t, sizeof t / sizeof t[0]);
}

static void round_to_whole_yuan(void **state)
{
    (void)state;
    static const round_case t[] = {
        {"0.5",       "1", {"1",  "0",  "0",  "1",  "0",  "1",  "0"}},
        {"1.5",       "1", {"2",  "1",  "2",  "2",  "1",  "2",  "1"}},
        {"2.5",       "1", {"3",  "2",  "2",  "3",  "2",  "3",  "2"}},
        {"-0.5",      "1", {"-1", "0",  "0",  "-1", "0",  "0",  "-1"}},
        {"-1.5",      "1", {"-2", "-1", "-2", "-2", "-1", "-1", "-2"}},
        {"-2.5",      "1", {"-3", "-2", "-2", "-3", "-2", "-2", "-3"}},
        {"0.000001",  "1", {"0",  "0",  "0",  "1",  "0",  "1",  "0"}},
        {"-0.000001", "1", {"0",  "0",  "0",  "-1", "0",  "0",  "-1"}},
        {"0.999999",  "1", {"1",  "1",  "1",  "1",  "0",  "1",  "0"}},
    };
    check_round_table(t, sizeof t / sizeof t[0]);
}

static void round_other_quanta(void **state)
{
    (void)state;
    static const round_case t[] = {
        /* 角 */
        {"0.05",  "0.1",  {"0.1",  "0",    "0",    "0.1",  "0",    "0.1",  "0"}},
        {"0.15",  "0.1",  {"0.2",  "0.1",  "0.2",  "0.2",  "0.1",  "0.2",  "0.1"}},
        /* ten yuan */
        {"15",    "10",   {"20",   "10",   "20",   "20",   "10",   "20",   "10"}},
        {"25",    "10",   {"30",   "20",   "20",   "30",   "20",   "30",   "20"}},
        {"-15",   "10",   {"-20",  "-10",  "-20",  "-20",  "-10",  "-10",  "-20"}},
        /* half-even counts quanta: 0.075 is 1.5 nickels, 0.125 is 2.5 */
        {"0.075", "0.05", {"0.1",  "0.05", "0.1",  "0.1",  "0.05", "0.1",  "0.05"}},
        {"0.125", "0.05", {"0.15", "0.1",  "0.1",  "0.15", "0.1",  "0.15", "0.1"}},
        /* a quantum that is not a power of ten */
        {"7",     "3",    {"6",    "6",    "6",    "9",    "6",    "9",    "6"}},
        {"-7.5",  "3",    {"-9",   "-6",   "-6",   "-9",   "-6",   "-6",   "-9"}},
    };
    check_round_table(t, sizeof t / sizeof t[0]);
}

static void round_errors(void **state)
{
    (void)state;
    int64_t r = 7;
    assert_int_equal(dec_round(D("1"), 0, ROUND_HALF_UP, &r), DEC_E_DIVZERO);
    assert_int_equal(dec_round(D("1"), D("-0.01"), ROUND_HALF_UP, &r), DEC_E_RANGE);
    assert_int_equal(dec_round(D("1.005"), D("0.01"), (dec_round_mode)42, &r), DEC_E_SYNTAX);
    /* a bad mode fails even when no rounding is needed */
    assert_int_equal(dec_round(D("1"), D("0.01"), (dec_round_mode)42, &r), DEC_E_SYNTAX);
    assert_int_equal(dec_round(D("1"), D("0.01"), (dec_round_mode)-1, &r), DEC_E_SYNTAX);
    /* rounding up past the int64 edge */
    assert_int_equal(dec_round(INT64_MAX, D("1"), ROUND_HALF_UP, &r), DEC_E_RANGE);
    assert_int_equal(dec_round(INT64_MAX, D("0.01"), ROUND_UP, &r), DEC_E_RANGE);
    assert_int_equal(dec_round(INT64_MIN, D("1"), ROUND_FLOOR, &r), DEC_E_RANGE);
    assert_int_equal(r, 7);
    assert_int_equal(dec_round(INT64_MAX, D("1"), ROUND_DOWN, &r), DEC_OK);
    assert_int_equal(r, D("9223372036854"));
    assert_int_equal(dec_round(INT64_MIN, D("1"), ROUND_CEILING, &r), DEC_OK);
    assert_int_equal(r, D("-9223372036854"));
}

/* ---- division with rounding ---------------------------------------------- */

typedef struct div_case {
    const char *a, *b, *quantum;
    const char *want[7];
} div_case;

static void check_div_table(const div_case *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (int m = 0; m < 7; m++) {
            int64_t r = 0;
            dec_status st = dec_div_round(D(t[i].a), D(t[i].b), D(t[i].quantum), all_modes[m], &r);
            if (st != DEC_OK || r != D(t[i].want[m])) {
                char got[32];
                dec_format(r, 0, got);
                fail_msg("round(%s / %s, %s, %s) = %s (status %d), want %s", t[i].a, t[i].b,
                         t[i].quantum, dec_round_mode_name(all_modes[m]), got, (int)st,
                         t[i].want[m]);
            }
        }
    }
}

static void div_round_monthly_amounts(void **state)
{
    (void)state;
    static const div_case t[] = {
        /*  a        b      q       half_up     half_down   half_even   up          down        ceiling     floor */
        {"16187",  "12",  "0.01", {"1348.92",  "1348.92",  "1348.92",  "1348.92",  "1348.91",  "1348.92",  "1348.91"}},
        {"-16187", "12",  "0.01", {"-1348.92", "-1348.92", "-1348.92", "-1348.92", "-1348.91", "-1348.91", "-1348.92"}},
        {"16187",  "-12", "0.01", {"-1348.92", "-1348.92", "-1348.92", "-1348.92", "-1348.91", "-1348.91", "-1348.92"}},
        {"-16187", "-12", "0.01", {"1348.92",  "1348.92",  "1348.92",  "1348.92",  "1348.91",  "1348.92",  "1348.91"}},
        {"2580",   "3",   "0.01", {"860",      "860",      "860",      "860",      "860",      "860",      "860"}},
        {"2581",   "3",   "0.01", {"860.33",   "860.33",   "860.33",   "860.34",   "860.33",   "860.34",   "860.33"}},
        {"2582",   "3",   "0.01", {"860.67",   "860.67",   "860.67",   "860.67",   "860.66",   "860.67",   "860.66"}},
        {"10320",  "12",  "0.01", {"860",      "860",      "860",      "860",      "860",      "860",      "860"}},
        {"1",      "3",   "0.000001", {"0.333333", "0.333333", "0.333333", "0.333334", "0.333333", "0.333334", "0.333333"}},
        {"2",      "3",   "0.000001", {"0.666667", "0.666667", "0.666667", "0.666667", "0.666666", "0.666667", "0.666666"}},
    };
    check_div_table(t, sizeof t / sizeof t[0]);
}

static void div_round_exact_ties(void **state)
{
    (void)state;
    static const div_case t[] = {
        /* 1/8 = 0.125 and 3/8 = 0.375: ties produced by the division */
        {"1",  "8",  "0.01", {"0.13",  "0.12",  "0.12",  "0.13",  "0.12",  "0.13",  "0.12"}},
        {"3",  "8",  "0.01", {"0.38",  "0.37",  "0.38",  "0.38",  "0.37",  "0.38",  "0.37"}},
        {"-1", "8",  "0.01", {"-0.13", "-0.12", "-0.12", "-0.13", "-0.12", "-0.12", "-0.13"}},
        {"5",  "2",  "1",    {"3",     "2",     "2",     "3",     "2",     "3",     "2"}},
        {"0.01", "2", "0.01", {"0.01", "0",     "0",     "0.01",  "0",     "0.01",  "0"}},
    };
    check_div_table(t, sizeof t / sizeof t[0]);
}

/* The point of dec_div_round: rounding the six-place cut of a quotient
 * can differ from rounding the quotient itself. */
static void div_round_uses_exact_quotient(void **state)
{
    (void)state;
    int64_t cut = 0, r = 0;
    /* 0.015001 / 3 = 0.005000333...: the cut is a false tie at 0.005000 */
    assert_int_equal(dec_div(D("0.015001"), D("3"), &cut), DEC_OK);
    assert_int_equal(cut, D("0.005"));
    assert_int_equal(dec_round(cut, D("0.01"), ROUND_HALF_DOWN, &r), DEC_OK);
    assert_int_equal(r, 0);
    assert_int_equal(dec_div_round(D("0.015001"), D("3"), D("0.01"), ROUND_HALF_DOWN, &r), DEC_OK);
    assert_int_equal(r, D("0.01"));
    assert_int_equal(dec_div_round(D("0.015001"), D("3"), D("0.01"), ROUND_HALF_EVEN, &r), DEC_OK);
    assert_int_equal(r, D("0.01"));
    /* 3.000001 / 3 = 1.000000333...: the cut looks exact at 1.000000 */
    assert_int_equal(dec_div(D("3.000001"), D("3"), &cut), DEC_OK);
    assert_int_equal(dec_round(cut, D("0.01"), ROUND_CEILING, &r), DEC_OK);
    assert_int_equal(r, D("1"));
    assert_int_equal(dec_div_round(D("3.000001"), D("3"), D("0.01"), ROUND_CEILING, &r), DEC_OK);
    assert_int_equal(r, D("1.01"));
    assert_int_equal(dec_div_round(D("3.000001"), D("3"), D("0.01"), ROUND_UP, &r), DEC_OK);
    assert_int_equal(r, D("1.01"));
    assert_int_equal(dec_div_round(D("-3.000001"), D("3"), D("0.01"), ROUND_FLOOR, &r), DEC_OK);
    assert_int_equal(r, D("-1.01"));
}

static void div_round_errors(void **state)
{
    (void)state;
    int64_t r = 7;
    assert_int_equal(dec_div_round(D("1"), 0, D("0.01"), ROUND_HALF_UP, &r), DEC_E_DIVZERO);
    assert_int_equal(dec_div_round(D("1"), D("3"), 0, ROUND_HALF_UP, &r), DEC_E_DIVZERO);
    assert_int_equal(dec_div_round(D("1"), D("3"), D("-0.01"), ROUND_HALF_UP, &r), DEC_E_RANGE);
    assert_int_equal(dec_div_round(D("1"), D("3"), D("0.01"), (dec_round_mode)7, &r), DEC_E_SYNTAX);
    assert_int_equal(dec_div_round(INT64_MAX, 1, 1, ROUND_HALF_UP, &r), DEC_E_RANGE);
    assert_int_equal(dec_div_round(INT64_MIN, D("-1"), 1, ROUND_DOWN, &r), DEC_E_RANGE);
    assert_int_equal(dec_div_round(INT64_MAX, D("1"), D("1"), ROUND_UP, &r), DEC_E_RANGE);
    assert_int_equal(r, 7);
    /* extreme operands that do fit */
    assert_int_equal(dec_div_round(INT64_MAX, INT64_MAX, D("0.01"), ROUND_HALF_UP, &r), DEC_OK);
    assert_int_equal(r, D("1"));
    assert_int_equal(dec_div_round(INT64_MIN, INT64_MAX, D("0.000001"), ROUND_FLOOR, &r), DEC_OK);
    assert_int_equal(r, D("-1.000001"));
    assert_int_equal(dec_div_round(1, INT64_MAX, D("0.01"), ROUND_UP, &r), DEC_OK);
    assert_int_equal(r, D("0.01"));
}

/* ---- integer division ----------------------------------------------------- */

static void int_div_round_modes(void **state)
{
    (void)state;
    static const struct { int64_t a, b, want[7]; } t[] = {
        /* a    b     half_up half_down half_even up  down ceiling floor */
        {7,    2,   {4,  3,  4,  4,  3,  4,  3}},
        {5,    2,   {3,  2,  2,  3,  2,  3,  2}},
        {-7,   2,   {-4, -3, -4, -4, -3, -3, -4}},
        {7,    -2,  {-4, -3, -4, -4, -3, -3, -4}},
        {-7,   -2,  {4,  3,  4,  4,  3,  4,  3}},
        {-5,   2,   {-3, -2, -2, -3, -2, -2, -3}},
        {10,   3,   {3,  3,  3,  4,  3,  4,  3}},
        {-10,  3,   {-3, -3, -3, -4, -3, -3, -4}},
        {11,   3,   {4,  4,  4,  4,  3,  4,  3}},
        {6,    3,   {2,  2,  2,  2,  2,  2,  2}},
        {0,    5,   {0,  0,  0,  0,  0,  0,  0}},
        {1,    2,   {1,  0,  0,  1,  0,  1,  0}},
        {-1,   2,   {-1, 0,  0,  -1, 0,  0,  -1}},
        {INT64_MAX, 2, {INT64_MAX / 2 + 1, INT64_MAX / 2, INT64_MAX / 2 + 1, INT64_MAX / 2 + 1,
                        INT64_MAX / 2, INT64_MAX / 2 + 1, INT64_MAX / 2}},
        {INT64_MIN, 1, {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN}},
        {INT64_MIN, INT64_MAX, {-1, -1, -1, -2, -1, -1, -2}},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        for (int m = 0; m < 7; m++) {
            int64_t r = 0;
            assert_int_equal(int_div_round(t[i].a, t[i].b, all_modes[m], &r), DEC_OK);
            if (r != t[i].want[m])
                fail_msg("int_div_round(%lld, %lld, %s) = %lld, want %lld", (long long)t[i].a,
                         (long long)t[i].b, dec_round_mode_name(all_modes[m]), (long long)r,
                         (long long)t[i].want[m]);
        }
    }
}

static void int_div_round_errors(void **state)
{
    (void)state;
    int64_t r = 7;
    for (int m = 0; m < 7; m++) {
        assert_int_equal(int_div_round(1, 0, all_modes[m], &r), DEC_E_DIVZERO);
        assert_int_equal(int_div_round(INT64_MIN, -1, all_modes[m], &r), DEC_E_RANGE);
    }
    assert_int_equal(int_div_round(3, 2, (dec_round_mode)9, &r), DEC_E_SYNTAX);
    assert_int_equal(r, 7);
}

/* ---- formatting ------------------------------------------------------------ */

static void format_min_places(void **state)
{
    (void)state;
    assert_fmt(1348916666LL, 2, "1348.916666");
    assert_fmt(860000000LL, 2, "860.00");
    assert_fmt(850000, 0, "0.85");
    assert_fmt(12000000, 0, "12");
    assert_fmt(1000100000LL, 2, "1000.10");
    assert_fmt(1000100000LL, 0, "1000.1");
    assert_fmt(1348920000LL, 2, "1348.92");
    assert_fmt(12000000, 6, "12.000000");
    assert_fmt(12000000, 3, "12.000");
    assert_fmt(12345600, 1, "12.3456");
    assert_fmt(1, 0, "0.000001");
    assert_fmt(1, 2, "0.000001");
}

static void format_zero_and_negatives(void **state)
{
    (void)state;
    assert_fmt(0, 0, "0");
    assert_fmt(0, 2, "0.00");
    assert_fmt(-500000, 2, "-0.50");
    assert_fmt(-500000, 0, "-0.5");
    assert_fmt(-1, 0, "-0.000001");
    assert_fmt(-860000000LL, 2, "-860.00");
    assert_fmt(-12000000, 0, "-12");
}

static void format_edges(void **state)
{
    (void)state;
    assert_fmt(INT64_MAX, 0, "9223372036854.775807");
    assert_fmt(INT64_MIN, 0, "-9223372036854.775808");
    assert_fmt(INT64_MIN, 6, "-9223372036854.775808");
    /* out-of-range place counts are clamped */
    assert_fmt(12000000, 9, "12.000000");
    assert_fmt(12000000, -3, "12");
}

static void format_parse_round_trip(void **state)
{
    (void)state;
    static const int64_t vals[] = {0, 1, -1, 999999, 1000000, -1000001, 860000000LL,
                                   1348916666LL, 123456789012345LL, INT64_MAX, INT64_MIN,
                                   INT64_MAX - 999999, INT64_MIN + 1000000};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        for (int places = 0; places <= 6; places++) {
            char out[32];
            int64_t back = 0;
            size_t n = dec_format(vals[i], places, out);
            assert_int_equal(dec_parse(out, n, &back), DEC_OK);
            assert_int_equal(back, vals[i]);
        }
    }
}

/* ---- small helpers ---------------------------------------------------------- */

static void fits_places(void **state)
{
    (void)state;
    assert_true(dec_fits_places(D("860"), 2));
    assert_true(dec_fits_places(D("860"), 0));
    assert_true(dec_fits_places(D("0.01"), 2));
    assert_true(dec_fits_places(D("-0.01"), 2));
    assert_false(dec_fits_places(D("0.005"), 2));
    assert_false(dec_fits_places(D("1348.916666"), 2));
    assert_false(dec_fits_places(D("12.5"), 0));
    assert_true(dec_fits_places(D("12.5"), 1));
    assert_false(dec_fits_places(1, 5));
    assert_true(dec_fits_places(1, 6));
    assert_true(dec_fits_places(1, 7));
    assert_true(dec_fits_places(0, 0));
    assert_false(dec_fits_places(D("0.5"), -1));     /* negative counts as 0 */
    assert_true(dec_fits_places(INT64_MIN, 6));
    assert_false(dec_fits_places(INT64_MIN, 0));
}

static void mode_names(void **state)
{
    (void)state;
    static const char *names[7] = {"half_up", "half_down", "half_even", "up",
                                   "down", "ceiling", "floor"};
    for (int m = 0; m < 7; m++) {
        assert_string_equal(dec_round_mode_name(all_modes[m]), names[m]);
        assert_int_equal(dec_round_mode_from_name(names[m]), (int)all_modes[m]);
    }
    assert_int_equal(ROUND_HALF_UP, 0);   /* the default is the zero value */
    assert_int_equal(dec_round_mode_from_name("HALF_UP"), -1);
    assert_int_equal(dec_round_mode_from_name("half-up"), -1);
    assert_int_equal(dec_round_mode_from_name(""), -1);
    assert_int_equal(dec_round_mode_from_name("half_up "), -1);
    assert_int_equal(dec_round_mode_from_name(NULL), -1);
    assert_string_equal(dec_round_mode_name((dec_round_mode)99), "?");
    assert_string_equal(dec_round_mode_name((dec_round_mode)-1), "?");
}

/* dec_format against the same figure spelled by printf ("%llu.%06llu",
 * trailing zeros then cut to the places asked for), for values of every
 * digit count with every trailing-zero count: the digits two a step and
 * the zeros dropped two a step meet at each odd and even boundary, and
 * whole fen (10000, 90000, 990000 millionths) take money's short way. */
static void format_digit_pairs(void **state)
{
    (void)state;
    uint64_t v = 1;
    for (int digits = 1; digits <= 19; digits++, v *= 10) {
        const uint64_t tails[] = {0, 1, 7, 10, 50, 100, 990, 1000, 10000, 12000, 90000,
                                 100000, 990000, 999999};
        for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++)
            for (int places = 0; places <= 6; places++)
                for (int neg = 0; neg < 2; neg++) {
                    uint64_t mag = v * 3 / 2 / DEC_SCALE * DEC_SCALE + tails[k];
                    if (mag > (uint64_t)INT64_MAX || (neg && !mag)) continue;    /* no "-0" */
                    char want[40], out[40];
                    int n = snprintf(want, sizeof want, "%s%llu.%06llu", neg ? "-" : "",
                                     (unsigned long long)(mag / DEC_SCALE), (unsigned long long)(mag % DEC_SCALE));
                    int keep = 6;
                    while (keep > places && want[n - 1] == '0') { n--; keep--; }
                    if (keep == 0) n--;       /* the point too */
                    want[n] = '\0';
                    int64_t a = neg ? -(int64_t)mag : (int64_t)mag;
                    assert_int_equal(dec_format(a, places, out), strlen(want));
                    assert_string_equal(out, want);
                }
    }
}

/* Money's word-at-a-time way (whole fen under 10,000 yuan) against
 * printf's "%lld.%02lld": every yuan from 0 to 10,001 with fen at both
 * ends and between, so each count of leading zeros shifted out (3 to
 * 0) and the edge at 10,000 yuan (the general way from there) are met;
 * a half fen, a negative amount and the ends of int64 go the general
 * way and must read the same. */
static void format_fen_word(void **state)
{
    (void)state;
    const int64_t fens[] = {0, 1, 9, 10, 50, 99};
    char want[40], out[40];
    for (int64_t yuan = 0; yuan <= 10001; yuan++)
        for (size_t k = 0; k < sizeof fens / sizeof fens[0]; k++)
            for (int neg = 0; neg < 2; neg++) {
                int64_t a = (yuan * 100 + fens[k]) * 10000 * (neg ? -1 : 1);
                if (neg && a == 0) continue;     /* no "-0.00" */
                snprintf(want, sizeof want, "%s%lld.%02lld", neg ? "-" : "", (long long)yuan, (long long)fens[k]);
                memset(out, 'x', sizeof out);
                assert_int_equal(dec_format(a, 2, out), strlen(want));
                assert_string_equal(out, want);
            }
    assert_fmt(99999995000LL, 2, "99999.995");     /* half a fen: not whole fen */
    assert_fmt(9999995000LL, 2, "9999.995");
    assert_fmt(9999990000LL, 2, "9999.99");
    assert_fmt(10000000000LL, 2, "10000.00");
    assert_fmt(INT64_MAX, 2, "9223372036854.775807");
    assert_fmt(INT64_MIN, 2, "-9223372036854.775808");
    assert_fmt(INT64_MAX / 10000 * 10000, 2, "9223372036854.77");
}

/* int_format writes what printf's "%lld" writes, at both ends too, and
 * for every value from -10001 to 10001 (up to four digits are written
 * directly, five the general way: both sides of the edge). */
static void format_int(void **state)
{
    (void)state;
    const int64_t vals[] = { 0, 7, -7, 10, 1234567890, -1000, INT64_MAX, INT64_MIN };
    char want[32], out[32];
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        snprintf(want, sizeof want, "%lld", (long long)vals[i]);
        assert_int_equal(int_format(vals[i], out), strlen(want));
        assert_string_equal(out, want);
    }
    for (int64_t v = -10001; v <= 10001; v++) {
        snprintf(want, sizeof want, "%lld", (long long)v);
        assert_int_equal(int_format(v, out), strlen(want));
        assert_string_equal(out, want);
    }
}

/* Sums past 64 bits (impact's totals): the digits of the 128-bit value,
 * formatted as dec_format would; within 64 bits exactly dec_format. */
static void format_wide(void **state)
{
    (void)state;
    char out[48];
    dec_wide two_max = (dec_wide)INT64_MAX + INT64_MAX;
    assert_int_equal(dec_format_wide(two_max, 2, out), strlen("18446744073709.551614"));
    assert_string_equal(out, "18446744073709.551614");
    dec_format_wide(-two_max - 2, 2, out);
    assert_string_equal(out, "-18446744073709.551616");
    dec_format_wide((dec_wide)9223372036854775 * DEC_SCALE + 230000, 2, out);
    assert_string_equal(out, "9223372036854775.23");
    dec_format_wide((dec_wide)-860 * DEC_SCALE, 2, out);
    assert_string_equal(out, "-860.00");
    dec_format_wide((dec_wide)INT64_MIN, 0, out);
    assert_string_equal(out, "-9223372036854.775808");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_accepts_plain_numbers),
        cmocka_unit_test(parse_accepts_zero_forms),
        cmocka_unit_test(parse_int64_edges),
        cmocka_unit_test(parse_rejects_bad_syntax),
        cmocka_unit_test(parse_rejects_seven_places),
        cmocka_unit_test(parse_error_precedence),
        cmocka_unit_test(parse_honours_length),
        cmocka_unit_test(add_is_exact),
        cmocka_unit_test(add_sub_overflow),
        cmocka_unit_test(from_int_edges),
        cmocka_unit_test(mul_exact_and_cut),
        cmocka_unit_test(mul_overflow),
        cmocka_unit_test(div_truncates),
        cmocka_unit_test(div_errors),
        cmocka_unit_test(round_half_fen),
        cmocka_unit_test(round_near_half),
        cmocka_unit_test(round_exact_values_unchanged),
        cmocka_unit_test(round_to_whole_yuan),
        cmocka_unit_test(round_other_quanta),
        cmocka_unit_test(round_errors),
        cmocka_unit_test(div_round_monthly_amounts),
        cmocka_unit_test(div_round_exact_ties),
        cmocka_unit_test(div_round_uses_exact_quotient),
        cmocka_unit_test(div_round_errors),
        cmocka_unit_test(int_div_round_modes),
        cmocka_unit_test(int_div_round_errors),
        cmocka_unit_test(format_min_places),
        cmocka_unit_test(format_zero_and_negatives),
        cmocka_unit_test(format_edges),
        cmocka_unit_test(format_parse_round_trip),
        cmocka_unit_test(fits_places),
        cmocka_unit_test(mode_names),
        cmocka_unit_test(format_wide),
        cmocka_unit_test(format_fen_word),
        cmocka_unit_test(format_int),
        cmocka_unit_test(format_digit_pairs),
    };
    return cmocka_run_group_tests_name("decimal", tests, NULL, NULL);
}
