/*
 * date.h - civil dates as day numbers.
 *
 * A date is an int64_t counting days from 1970-01-01 (proleptic
 * Gregorian), so comparisons and "in force on" lookups are integer
 * comparisons.  The accepted range is DATE_MIN..DATE_MAX (1900-01-01 to
 * 2199-12-31); anything else is refused at parse time.
 *
 * Adding months or years keeps the day of month and clamps it to the end
 * of a shorter month: 2016-02-29 + 1 year = 2017-02-28; 2017-01-31 + 1
 * month = 2017-02-28.  (Documented in docs/language.md.)
 *
 * Ownership: plain values; nothing here allocates.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_DATE_H
#define ELIGO_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2199

int64_t date_from_ymd(int y, int m, int d);      /* no range check */
void date_to_ymd(int64_t days, int *y, int *m, int *d);
/* Strict "YYYY-MM-DD" of exactly 10 bytes, a real calendar day, in range.
 * Returns 0 on success, -1 otherwise. */
int date_parse(const char *s, size_t n, int64_t *out);
/* Writes "YYYY-MM-DD" and a NUL; out needs 11 bytes. */
void date_format(int64_t days, char *out);
/* Returns 0, or -1 when the result leaves the accepted range. */
int date_add_days(int64_t d, int64_t n, int64_t *r);
int date_add_months(int64_t d, int64_t n, int64_t *r);
int date_add_years(int64_t d, int64_t n, int64_t *r);
/* Whole months from a to b: the largest n with a + n months <= b when
 * a <= b (so 2016-01-31 to 2016-02-29 is one month, as + 1 month gives),
 * minus the whole months from b to a when b < a.  Whole years are whole
 * months / 12: for one born on 2016-02-29 a year is complete on
 * 2017-02-28, the day `+ 1 year` gives.  Both dates in range. */
int64_t date_months_between(int64_t a, int64_t b);
int date_in_range(int64_t d);
int64_t date_min(void);
int64_t date_max(void);

#endif
