/*
 * decimal.c - exact fixed-point arithmetic on int64 millionths.
 *
 * Every money figure, rate and ratio a policy computes goes through here,
 * both when the compiler turns literal text into constants (lower.c) and
 * when the evaluator adds up a household's income (eval.c).  A value is an
 * int64_t counting 10^-6 (see decimal.h); products and quotients are formed
 * in __int128 so that no intermediate can wrap, and every result is checked
 * to fit back into int64 before it is returned.
 *
 * All rounding, whether of a value to a quantum or of a quotient, goes
 * through one routine, round_quotient(), which looks at the exact integer
 * quotient and remainder.  Half-fen cases are therefore decided by an
 * integer comparison and never by a float that happens to land near 0.5.
 *
 * Parsing rules (dec_parse): an optional '-', at least one digit, and an
 * optional '.' followed by one to six digits.  Anything else ("+1", ".5",
 * "5.", "1e3", " 1", "") is DEC_E_SYNTAX.  Seven or more fractional digits
 * are DEC_E_PRECISION even when the extra ones are zeros ("1.0000000"):
 * text that states a precision eligo cannot hold is refused as a whole
 * rather than judged digit by digit.  Too large a magnitude is DEC_E_RANGE.
 * Syntax is checked before precision, and precision before range.
 *
 * Caller mistakes get a status too, never a wrong number: a quantum of 0
 * is DEC_E_DIVZERO, a negative quantum DEC_E_RANGE, and a rounding mode
 * outside the enum DEC_E_SYNTAX.
 *
 * Not here: units and periods (the checker, lang/check_types.c and
 * check_expr.c, checks those at compile time) and
 * the choice of rounding mode (the policy states it; lower.c passes it).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "eval/decimal.h"

#include <string.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

/* Narrows a 128-bit result, reporting DEC_E_RANGE instead of truncating. */
static dec_status narrow(i128 v, int64_t *r)
{
    if (v > INT64_MAX || v < INT64_MIN)
        return DEC_E_RANGE;
    *r = (int64_t)v;
    return DEC_OK;
}

/* |v| without negating the most negative value, and without relying on
 * unsigned wrap-around (so stricter integer sanitizers stay quiet). */
static u128 abs128(i128 v)
{
    return v < 0 ? (u128)(-(v + 1)) + 1 : (u128)v;
}

/* Should the truncated quotient move one step away from zero?  `twice_rem`
 * compared with `den` (both magnitudes) says whether the discarded part is
 * below, at or above one half; `odd` is the parity of the truncated
 * quotient, for banker's rounding; `neg` is the sign of the exact quotient. */
static int round_away(dec_round_mode m, int cmp_half, int odd, int neg)
{
    switch (m) {
    case ROUND_HALF_UP:   return cmp_half >= 0;
    case ROUND_HALF_DOWN: return cmp_half > 0;
    case ROUND_HALF_EVEN: return cmp_half > 0 || (cmp_half == 0 && odd);
    case ROUND_UP:        return 1;
    case ROUND_DOWN:      return 0;
    case ROUND_CEILING:   return !neg;
    default:              return neg;   /* ROUND_FLOOR: round_quotient() refused any other m */
    }
}

/* q = num / den rounded by m, from the exact truncated quotient and
 * remainder.  den != 0.  Returns -1 for a mode that is not in the enum,
 * whether or not this particular quotient needed rounding, so that a bad
 * mode fails every time instead of only on inexact inputs. */
static int round_quotient(i128 num, i128 den, dec_round_mode m, i128 *q)
{
    if ((unsigned)m > (unsigned)ROUND_FLOOR)
        return -1;
    i128 q0, rem;
    if (num == (int64_t)num && den == (int64_t)den && !(num == INT64_MIN && den == -1)) {
        /* the common case: 64-bit division is several times faster */
        int64_t n64 = (int64_t)num, d64 = (int64_t)den;
        q0 = n64 / d64;
        rem = n64 % d64;
    } else {
        q0 = num / den;
        rem = num % den;
    }
    if (rem == 0) {
        *q = q0;
        return 0;
    }
    /* The remainder is nonzero, so the exact quotient is not an integer
     * and its sign is the sign of num/den even when q0 is 0. */
    int neg = (num < 0) != (den < 0);
    u128 twice = abs128(rem) * 2;    /* |rem| < |den| <= 2^126: no wrap */
    u128 d = abs128(den);
    int cmp_half = twice < d ? -1 : twice > d ? 1 : 0;
    int away = round_away(m, cmp_half, (int)(q0 & 1), neg);
    *q = away ? q0 + (neg ? -1 : 1) : q0;
    return 0;
}

/* ---- parsing ---------------------------------------------------------- */

/* Splits "-123.45" into sign, integer digits and fraction digits, or says
 * why it can't.  Only the shape is checked here. */
typedef struct dec_text {
    int neg;
    const char *ip;  size_t ilen;
    const char *fp;  size_t flen;
} dec_text;

static size_t count_digits(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

static dec_status dec_split(const char *s, size_t n, dec_text *t)
{
    size_t i = 0;
    memset(t, 0, sizeof *t);
    if (s == NULL || n == 0)
        return DEC_E_SYNTAX;
    if (s[0] == '-') {
        t->neg = 1;
        i = 1;
    }
    t->ip = s + i;
    t->ilen = count_digits(s + i, n - i);
    if (t->ilen == 0)
        return DEC_E_SYNTAX;              /* "", "-", ".5", "+1" */
    i += t->ilen;
    if (i == n)
        return DEC_OK;
    if (s[i] != '.')
        return DEC_E_SYNTAX;              /* "1e3", "1 ", "1,5" */
    i++;
    t->fp = s + i;
    t->flen = count_digits(s + i, n - i);
    if (t->flen == 0 || i + t->flen != n)
        return DEC_E_SYNTAX;              /* "5.", "1.2.3", "1.5e2" */
    return t->flen > DEC_PLACES ? DEC_E_PRECISION : DEC_OK;
}

dec_status dec_parse(const char *s, size_t n, int64_t *out)
{
    dec_text t;
    dec_status st = dec_split(s, n, &t);
    if (st != DEC_OK)
        return st;
    /* Accumulate the magnitude in millionths as unsigned 64-bit: it must
     * reach 2^63 to admit INT64_MIN ("-9223372036854.775808"). */
    uint64_t mag = 0;
    for (size_t i = 0; i < t.ilen; i++) {
        if (__builtin_mul_overflow(mag, 10, &mag) ||
            __builtin_add_overflow(mag, (uint64_t)(t.ip[i] - '0'), &mag))
            return DEC_E_RANGE;
    }
    if (__builtin_mul_overflow(mag, (uint64_t)DEC_SCALE, &mag))
        return DEC_E_RANGE;
    uint64_t frac = 0;
    for (size_t i = 0; i < DEC_PLACES; i++)
        frac = frac * 10 + (i < t.flen ? (uint64_t)(t.fp[i] - '0') : 0);
    if (__builtin_add_overflow(mag, frac, &mag))
        return DEC_E_RANGE;
    return narrow(t.neg ? -(i128)mag : (i128)mag, out);
}

/* ---- arithmetic ------------------------------------------------------- */

/* dec_from_int, dec_add and dec_sub are inline in decimal.h. */

/* The product of two int64 always fits in 127 bits; dividing by the scale
 * truncates toward zero, which is the documented cut for * (C's / does
 * exactly that on signed operands). */
dec_status dec_mul(int64_t a, int64_t b, int64_t *r)
{
    int64_t p64;
    if (!__builtin_mul_overflow(a, b, &p64)) {
        *r = p64 / DEC_SCALE;          /* fits: no 128-bit division */
        return DEC_OK;
    }
    i128 p = (i128)a * b;
    return narrow(p / DEC_SCALE, r);
}

dec_status dec_div(int64_t a, int64_t b, int64_t *r)
{
    if (b == 0)
        return DEC_E_DIVZERO;
    int64_t n64;
    /* n64 / b cannot overflow: n64 is a multiple of 10^6, which INT64_MIN
     * (-2^63) is not, so INT64_MIN / -1 never happens here */
    if (!__builtin_mul_overflow(a, DEC_SCALE, &n64)) {
        *r = n64 / b;
        return DEC_OK;
    }
    return narrow((i128)a * DEC_SCALE / b, r);
}

/* A quantum of 0 would be a division by zero; a negative one is a caller
 * bug that we refuse rather than silently take the absolute value of. */
static dec_status check_quantum(int64_t quantum)
{
    if (quantum == 0)
        return DEC_E_DIVZERO;
    return quantum < 0 ? DEC_E_RANGE : DEC_OK;
}

dec_status dec_round(int64_t a, int64_t quantum, dec_round_mode m, int64_t *r)
{
    dec_status st = check_quantum(quantum);
    if (st != DEC_OK)
        return st;
    i128 n;
    if (round_quotient(a, quantum, m, &n) < 0)
        return DEC_E_SYNTAX;
    return narrow(n * quantum, r);
}

/* round(a / b, quantum): the exact quotient in millionths is a*10^6 / b,
 * so the number of quanta is a*10^6 / (b*quantum).  Both products fit in
 * an int128 (at most 2^83 and 2^126), so the remainder is exact. */
dec_status dec_div_round_wide(int64_t a, int64_t b, int64_t quantum, dec_round_mode m, int64_t *r)
{
    if (b == 0)
        return DEC_E_DIVZERO;
    dec_status st = check_quantum(quantum);
    if (st != DEC_OK)
        return st;
    i128 n;
    if (round_quotient((i128)a * DEC_SCALE, (i128)b * quantum, m, &n) < 0)
        return DEC_E_SYNTAX;
    return narrow(n * quantum, r);
}

dec_status int_div_round(int64_t a, int64_t b, dec_round_mode m, int64_t *r)
{
    if (b == 0)
        return DEC_E_DIVZERO;
    i128 n;
    if (round_quotient(a, b, m, &n) < 0)
        return DEC_E_SYNTAX;
    return narrow(n, r);   /* INT64_MIN / -1 lands here as DEC_E_RANGE */
}

/* ---- text out --------------------------------------------------------- */

/* "00" to "99": digits are written two a step, a decision prints a
 * dozen amounts and dec_format was a third of writing its answer. */
static const char two_digits[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes the last `places` digits of v into out[0..places), leading
 * zeros included. */
static void put_digits(uint64_t v, size_t places, char *out)
{
    while (places >= 2) {
        places -= 2;
        memcpy(out + places, two_digits + 2 * (v % 100), 2);
        v /= 100;
    }
    if (places)
        out[0] = (char)('0' + v % 10);
}

/* Writes the decimal digits of v (no sign) and returns how many: up to
 * four digits (most yuan amounts and ints of an answer) directly, else
 * counted first, then written from the end (decisions print a dozen
 * amounts). */
static size_t put_uint(uint64_t v, char *out)
{
    if (v < 100) {
        if (v < 10) { out[0] = (char)('0' + v); return 1; }
        memcpy(out, two_digits + 2 * v, 2);
        return 2;
    }
    if (v < 10000) {
        size_t k = v >= 1000;
        if (k) memcpy(out, two_digits + 2 * (v / 100), 2);
        else out[0] = (char)('0' + v / 100);
        memcpy(out + 1 + k, two_digits + 2 * (v % 100), 2);
        return 3 + k;
    }
    size_t n = 1;
    uint64_t t = v;
    for (; t >= 100; t /= 100)
        n += 2;
    n += t >= 10;
    put_digits(v, n, out);
    return n;
}

size_t int_format(int64_t v, char *out)
{
    size_t n = 0;
    if (v < 0)
        out[n++] = '-';
    n += put_uint(v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v, out + n);
    out[n] = '\0';
    return n;
}

/* Whole fen under 10,000 yuan ("0.00" to "9999.99", most money of an
 * answer) as one 8-byte word: the four yuan digits, the point, the two
 * fen digits and the NUL, little-endian so that the first character is
 * the lowest byte; the yuan's leading zeros are shifted out, which
 * brings the NUL along, and the word is stored whole.
 * Every byte of the 8 may be written (out has 32).  No digit count, no
 * loop and no call: dec_format came to 52 instructions a call on the
 * bench households' amounts, against 81 by put_uint. */
static size_t fen_word(uint64_t fen, char *out)
{
    uint64_t yuan = fen / 100, f = fen - yuan * 100;
    uint64_t hi = yuan / 100, lo = yuan - hi * 100;
    uint16_t dh, dl, df;
    memcpy(&dh, two_digits + 2 * hi, 2);
    memcpy(&dl, two_digits + 2 * lo, 2);
    memcpy(&df, two_digits + 2 * f, 2);
    uint32_t digits = dh | (uint32_t)dl << 16;
    /* the leading '0' bytes are the lowest zero bytes of the digits less
     * '0' each (no borrow: every byte is a digit); the last one stays */
    unsigned zbits = (unsigned)__builtin_ctz((digits - 0x30303030u) | 1u << 24) & ~7u;
    uint64_t w = digits | (uint64_t)'.' << 32 | (uint64_t)df << 40;
    w >>= zbits;
    memcpy(out, &w, 8);
    return 7 - zbits / 8;
}

/* Everything but fen_word's amounts; apart so that dec_format's short
 * way saves no registers for it (a tail call). */
static __attribute__((noinline)) size_t format_general(int64_t a, int min_places, char *out)
{
    /* Money in whole fen that fen_word does not take (10,000 yuan and
     * more, or a big-endian machine): the yuan, the point and the two
     * fen digits, which is what the general way below comes to (some 60
     * instructions an amount fewer). */
    if (min_places == 2 && a >= 0 && a % 10000 == 0) {
        uint64_t fen = (uint64_t)a / 10000;
        size_t n = put_uint(fen / 100, out);
        out[n] = '.';
        memcpy(out + n + 1, two_digits + 2 * (fen % 100), 2);
        out[n + 3] = '\0';
        return n + 3;
    }
    if (min_places < 0)
        min_places = 0;
    if (min_places > DEC_PLACES)
        min_places = DEC_PLACES;
    /* The magnitude as unsigned, so INT64_MIN formats too. */
    uint64_t mag = a < 0 ? (uint64_t)(-(a + 1)) + 1 : (uint64_t)a;
    uint64_t ipart = mag / DEC_SCALE, frac = mag % DEC_SCALE;
    size_t n = 0;
    if (a < 0)
        out[n++] = '-';
    n += put_uint(ipart, out + n);
    /* trailing zeros dropped down to min_places, two a step; a whole
     * amount (most money) at once */
    int places = frac ? DEC_PLACES : min_places;
    while (places - 2 >= min_places && frac % 100 == 0) {
        frac /= 100;
        places -= 2;
    }
    if (places > min_places && frac % 10 == 0) {
        frac /= 10;
        places--;
    }
    if (places > 0) {
        out[n++] = '.';
        put_digits(frac, (size_t)places, out + n);
        n += (size_t)places;
    }
    out[n] = '\0';
    return n;
}

size_t dec_format(int64_t a, int min_places, char *out)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (min_places == 2 && (uint64_t)a < 10000 * (uint64_t)DEC_SCALE) {
        uint64_t fen = (uint64_t)a / 10000;
        if (fen * 10000 == (uint64_t)a)
            return fen_word(fen, out);
    }
#endif
    return format_general(a, min_places, out);
}

size_t dec_format_wide(dec_wide a, int min_places, char *out)
{
    if (a >= INT64_MIN && a <= INT64_MAX)
        return dec_format((int64_t)a, min_places, out);
    /* beyond 64 bits (never on the decision path): the digits of the
     * magnitude, the point DEC_PLACES from the end, trailing zeros cut
     * down to min_places */
    u128 mag = a < 0 ? -(u128)a : (u128)a;
    char tmp[48];
    size_t n = 0, k = 0;
    do {
        tmp[k++] = (char)('0' + (int)(mag % 10));
        mag /= 10;
    } while (mag != 0);                      /* more than DEC_PLACES digits here */
    if (a < 0)
        out[n++] = '-';
    while (k > DEC_PLACES)
        out[n++] = tmp[--k];
    size_t places = DEC_PLACES, keep = min_places < 0 ? 0 : (size_t)min_places;
    while (places > keep && tmp[DEC_PLACES - places] == '0')
        places--;
    if (places > 0)
        out[n++] = '.';
    for (size_t i = 0; i < places; i++)
        out[n++] = tmp[DEC_PLACES - 1 - i];
    out[n] = '\0';
    return n;
}

/* dec_fits_places is inline in decimal.h. */

/* ---- rounding-mode names --------------------------------------------- */

/* Indexed by dec_round_mode; these are the words a policy writes after
 * `round(..., 0.01, ...)`. */
static const char *const mode_names[] = {
    [ROUND_HALF_UP] = "half_up",
    [ROUND_HALF_DOWN] = "half_down",
    [ROUND_HALF_EVEN] = "half_even",
    [ROUND_UP] = "up",
    [ROUND_DOWN] = "down",
    [ROUND_CEILING] = "ceiling",
    [ROUND_FLOOR] = "floor",
};
#define NMODES ((int)(sizeof mode_names / sizeof mode_names[0]))

int dec_round_mode_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < NMODES; i++)
        if (strcmp(name, mode_names[i]) == 0)
            return i;
    return -1;
}

const char *dec_round_mode_name(dec_round_mode m)
{
    return (int)m >= 0 && (int)m < NMODES ? mode_names[m] : "?";
}
