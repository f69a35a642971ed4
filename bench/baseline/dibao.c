/*
 * dibao.c - the hand-written C baseline for tianjin.dibao and
 * tianjin.tekun_care, over the same households eligo evaluates.
 *
 * Reads JSON lines of {"household": {"members": [...]}} (the fields it
 * needs: monthly_income, assistance_category, self_care) with a minimal
 * scanner, then times the decision alone: eligibility, benefit and
 * per-capita income of 低保 (860.00 per person per month) and the 特困
 * care subsidy (800/400/0) with its amount per member (tekun_care's
 * by_member map: member id -> amount), in fen, in plain C.  Prints
 * `baseline: N decisions/s (X ns/decision, checksum C)` for both
 * programmes together, then `baseline-dibao: ...` for 低保 alone (the
 * measuring stick of `eligo bench tianjin.dibao`).
 * It is a measuring stick, not production code.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_HH 100000
#define MAX_M 64

typedef struct member { int64_t income_fen; int tekun; int care; const char *id; } member;
typedef struct household { int n; member m[MAX_M]; } household;

static household *hh;
static int nhh;

static int64_t parse_fen(const char *p)
{
    while (*p == '"' || *p == ' ') p++;
    int64_t yuan = 0, fen = 0;
    while (*p >= '0' && *p <= '9') yuan = yuan * 10 + (*p++ - '0');
    if (*p == '.') {
        p++;
        if (*p >= '0' && *p <= '9') fen = (*p++ - '0') * 10;
        if (*p >= '0' && *p <= '9') fen += *p - '0';
    }
    return yuan * 100 + fen;
}

static void parse_line(char *line, household *h)
{
    h->n = 0;
    for (char *p = strstr(line, "{\"id\""); p && h->n < MAX_M; p = strstr(p + 1, "{\"id\"")) {
        member *m = &h->m[h->n++];
        char id[64] = "";
        sscanf(p, "{\"id\":\"%63[^\"]", id);
        m->id = strdup(id);       /* the map holds a pointer to it, as eligo's a text cell */
        char *end = strchr(p, '}');
        char save = end ? *end : 0;
        if (end) *end = 0;
        char *q = strstr(p, "\"monthly_income\":");
        m->income_fen = q ? parse_fen(q + 17) : 0;
        m->tekun = strstr(p, "\"tekun\"") != NULL;
        m->care = strstr(p, "\"self_care\": \"none\"") || strstr(p, "\"self_care\":\"none\"") ? 2
                : strstr(p, "\"partial\"") ? 1 : 0;
        if (end) *end = save;
    }
}

typedef struct decision { int eligible, nby; int64_t benefit, per_capita, care; } decision;

/* tekun_care's by_member output, as its program keeps it: one pair per
 * 特困 member, in a buffer reused by every decision. */
typedef struct pair { const char *id; int64_t amount; } pair;
pair by_member[MAX_M];

/* 低保 alone: eligibility, benefit and per-capita income. */
static decision decide_dibao(const household *h)
{
    decision d;
    int64_t total = 0;
    for (int i = 0; i < h->n; i++)
        total += h->m[i].income_fen;
    int64_t threshold = 86000 * h->n;
    d.eligible = total < threshold;
    d.benefit = d.eligible ? threshold - total : 0;
    d.per_capita = (2 * total + h->n) / (2 * h->n);      /* half up, non-negative */
    d.care = 0;
    d.nby = 0;
    return d;
}

static decision decide(const household *h)
{
    decision d;
    int64_t total = 0, care = 0;
    int nby = 0;
    for (int i = 0; i < h->n; i++) {
        total += h->m[i].income_fen;
        if (h->m[i].tekun) {
            int64_t amount = h->m[i].care == 2 ? 80000 : h->m[i].care == 1 ? 40000 : 0;
            care += amount;
            by_member[nby].id = h->m[i].id;
            by_member[nby++].amount = amount;
        }
    }
    d.nby = nby;
    int64_t threshold = 86000 * h->n;
    d.eligible = total < threshold;
    d.benefit = d.eligible ? threshold - total : 0;
    d.per_capita = (2 * total + h->n) / (2 * h->n);      /* half up, non-negative */
    d.care = care;
    return d;
}

/* Decisions per second of `decide_one` over every household, cycled for
 * `seconds`; the checksum of every output keeps the work from being
 * optimised away.  Always inlined, so that the decision is inlined into
 * the loop as it would be in hand-written code, not called through the
 * pointer. */
static inline __attribute__((always_inline)) void measure(const char *label,
                                                          decision (*decide_one)(const household *), double seconds)
{
    struct timespec a, b;
    uint64_t n = 0;
    int64_t check = 0;
    double el;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        for (int k = 0; k < nhh; k++) {
            decision d = decide_one(&hh[k]);
            check += d.benefit + d.per_capita + d.care + d.eligible + (d.nby ? by_member[d.nby - 1].amount : 0);
        }
        n += (uint64_t)nhh;
        clock_gettime(CLOCK_MONOTONIC, &b);
        el = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    } while (el < seconds);
    printf("%s: %.0f decisions/s (%.1f ns/decision, checksum %lld)\n", label, (double)n / el, el * 1e9 / (double)n,
           (long long)check);
}

int main(int argc, char **argv)
{
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
    if (!f) { fprintf(stderr, "usage: dibao HOUSEHOLDS.jsonl [SECONDS]\n"); return 2; }
    hh = calloc(MAX_HH, sizeof *hh);
    static char line[1 << 16];
    while (hh && nhh < MAX_HH && fgets(line, sizeof line, f))
        parse_line(line, &hh[nhh++]);
    fclose(f);
    if (!nhh) return 2;
    measure("baseline", decide, seconds);
    measure("baseline-dibao", decide_dibao, seconds);
    return 0;
}
