/*
 * decimal.h - exact fixed-point decimals for money, rates and ratios.
 *
 * A decimal is an int64_t counting millionths (DEC_SCALE = 10^6): 860.00
 * yuan is 860000000.  Six fractional digits hold every figure a policy
 * states (fen, percentages, 1/12 of a yearly amount to the 0.000001) and
 * leave range for 9.2 * 10^12 yuan.  No binary floating point is used
 * anywhere: parsing reads the decimal text digit by digit.
 *
 * + - are exact.  * is exact when the product fits in six places and is
 * otherwise cut toward zero (documented in docs/language.md); / cuts the
 * quotient toward zero at six places, and dec_div_round() computes
 * round(a / b, q) exactly from the unrounded quotient.  Every operation
 * reports overflow instead of wrapping.
 *
 * Ownership: plain values; nothing here allocates.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_DECIMAL_H
#define ELIGO_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#define DEC_SCALE 1000000LL
#define DEC_PLACES 6

typedef enum dec_status {
    DEC_OK = 0,
    DEC_E_SYNTAX,      /* not a decimal number */
    DEC_E_RANGE,       /* overflow */
    DEC_E_PRECISION,   /* more than six fractional digits in the text */
    DEC_E_DIVZERO
} dec_status;

/* Rounding modes, by the names a policy uses. */
typedef enum dec_round_mode {
    ROUND_HALF_UP,     /* default: ties away from zero (四舍五入) */
    ROUND_HALF_DOWN,   /* ties toward zero */
    ROUND_HALF_EVEN,   /* banker's rounding */
    ROUND_UP,          /* away from zero */
    ROUND_DOWN,        /* toward zero (truncate) */
    ROUND_CEILING,     /* toward +infinity */
    ROUND_FLOOR        /* toward -infinity */
} dec_round_mode;

/* Parses "-12.5", "860", "1000.10" (optional sign, digits, optional
 * fraction of at most six digits; no exponent, no spaces).  A JSON number
 * text with an exponent is DEC_E_SYNTAX: money never passes a double. */
dec_status dec_parse(const char *s, size_t n, int64_t *out);

/* The operations the evaluator runs per decision are inline: a call
 * costs as much as the operation itself. */
static inline dec_status dec_from_int(int64_t i, int64_t *out)
{
    return __builtin_mul_overflow(i, DEC_SCALE, out) ? DEC_E_RANGE : DEC_OK;
}

static inline dec_status dec_add(int64_t a, int64_t b, int64_t *r)
{
    return __builtin_add_overflow(a, b, r) ? DEC_E_RANGE : DEC_OK;
}

static inline dec_status dec_sub(int64_t a, int64_t b, int64_t *r)
{
    return __builtin_sub_overflow(a, b, r) ? DEC_E_RANGE : DEC_OK;
}

dec_status dec_mul(int64_t a, int64_t b, int64_t *r);
dec_status dec_div(int64_t a, int64_t b, int64_t *r);
/* r = a rounded to a multiple of quantum (quantum > 0, a decimal). */
dec_status dec_round(int64_t a, int64_t quantum, dec_round_mode m, int64_t *r);
/* round(a / b, quantum) in 128 bits: every case (see dec_div_round). */
dec_status dec_div_round_wide(int64_t a, int64_t b, int64_t quantum, dec_round_mode m, int64_t *r);

/* r = round(a / b, quantum) with the exact quotient.  The common case
 * (half up, a >= 0, b > 0, and a * 10^6 and b * quantum within 64 bits,
 * as for a per-capita income) is one 64-bit division here; the rest goes
 * through dec_div_round_wide, which gives the same result for it. */
static inline dec_status dec_div_round(int64_t a, int64_t b, int64_t quantum, dec_round_mode m, int64_t *r)
{
    int64_t num, den;
    if (m == ROUND_HALF_UP && a >= 0 && b > 0 && quantum > 0 &&
        !__builtin_mul_overflow(a, DEC_SCALE, &num) && !__builtin_mul_overflow(b, quantum, &den)) {
        int64_t q = num / den, rem = num % den;
        if (rem >= den - rem)      /* the remainder is at least half: away from zero */
            q++;
        return __builtin_mul_overflow(q, quantum, r) ? DEC_E_RANGE : DEC_OK;
    }
    return dec_div_round_wide(a, b, quantum, m, r);
}

/* Integer division of two ints rounded to an integer, exactly. */
dec_status int_div_round(int64_t a, int64_t b, dec_round_mode m, int64_t *r);
/* Writes the value with at least min_places fractional digits and no
 * trailing zeros beyond them ("860.00" for 2, "0.85" for 0, "12" for 0).
 * out needs 32 bytes, any of which may be written (money's short way
 * stores 8 at once).  Returns the length. */
size_t dec_format(int64_t a, int min_places, char *out);
/* Writes an integer (not scaled) in decimal, as printf's "%lld" would,
 * without printf's cost on the decision path.  out needs 21 bytes. */
size_t int_format(int64_t v, char *out);
/* Sums over many decisions (impact's totals) are kept in 128 bits, which
 * 2^64 amounts of 64 bits cannot overflow; formatted like dec_format,
 * out needs 48 bytes. */
typedef __int128 dec_wide;
size_t dec_format_wide(dec_wide a, int min_places, char *out);
/* True when a has no digits below 10^-places. */
static inline int dec_fits_places(int64_t a, int places)
{
    static const int64_t unit[DEC_PLACES] = {1000000, 100000, 10000, 1000, 100, 10};
    return places >= DEC_PLACES || a % unit[places < 0 ? 0 : places] == 0;
}
/* Name <-> mode ("half_up", ...); returns -1 for an unknown name. */
int dec_round_mode_from_name(const char *name);
const char *dec_round_mode_name(dec_round_mode m);

#endif
