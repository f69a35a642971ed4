/*
 * scoreboard.c - the shared counters and worker slots (scoreboard.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "service/scoreboard.h"

scoreboard *sb;

const double sb_bucket_ms[SB_NBUCKETS - 1] = {1, 2.5, 5, 10, 25, 50, 100, 250, 1000};

int scoreboard_init_main(uint32_t nslots)
{
    size_t size = sizeof(scoreboard) + sizeof(sb_slot) * nslots;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    sb = p;                  /* zero-filled by the kernel: every slot SB_FREE */
    sb->nslots = nslots;
    sb->start_time_s = (int64_t)time(NULL);
    return 0;
}

static const int codes[] = {
#define X(c) c,
    SB_STATUSES(X)
#undef X
};

int sb_status_index(int status)
{
    for (int i = 0; i < (int)(sizeof codes / sizeof codes[0]); i++)
        if (codes[i] == status) return i;
    return SB_NSTATUS - 1;
}

int sb_status_code(int index)
{
    return index >= 0 && index < (int)(sizeof codes / sizeof codes[0]) ? codes[index] : 0;
}

void sb_count_request(int route, int status, int64_t micros)
{
    if (!sb) return;
    int r = route < 0 || route >= SB_NROUTES ? SB_NROUTES : route;
    __atomic_fetch_add(&sb->requests[r][sb_status_index(status)], 1, __ATOMIC_RELAXED);
    int b = 0;
    while (b < SB_NBUCKETS - 1 && (double)micros / 1000.0 > sb_bucket_ms[b]) b++;
    __atomic_fetch_add(&sb->latency[r][b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&sb->latency_sum_us[r], (uint64_t)(micros > 0 ? micros : 0), __ATOMIC_RELAXED);
}

/* Registry index -> counter row, in each process: the master fills it
 * before forking the workers of a generation, which inherit their copy. */
static uint8_t row_of[SB_MAX_POLICIES];
enum { ROW_NONE = 0xff };

int sb_bind_policy(uint32_t index, const char *name)
{
    if (!sb || index >= SB_MAX_POLICIES) return -1;
    uint32_t n = sb->npolicy_names, row = 0;
    while (row < n && strcmp(sb->policy_names[row], name) != 0) row++;
    if (row == n) {
        if (n == SB_MAX_POLICIES || strlen(name) >= SB_POLICY_NAME) {
            row_of[index] = ROW_NONE;
            return -1;
        }
        memcpy(sb->policy_names[n], name, strlen(name) + 1);
        __atomic_store_n(&sb->npolicy_names, n + 1, __ATOMIC_RELEASE);   /* the name first */
    }
    row_of[index] = (uint8_t)row;
    return 0;
}

void sb_count_decision(uint32_t index)
{
    if (!sb || index >= SB_MAX_POLICIES || row_of[index] == ROW_NONE) return;
    __atomic_fetch_add(&sb->decisions[row_of[index]], 1, __ATOMIC_RELAXED);
}

void sb_count_batch(int kind, uint64_t n)
{
    if (!sb || kind < 0 || kind >= SB_NBATCH_KINDS) return;
    int k = 0;
    while (k < SB_NBATCH - 1 && n > (1ull << k)) k++;
    __atomic_fetch_add(&sb->batches[kind][k], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&sb->batch_rows[kind], n, __ATOMIC_RELAXED);
}

void sb_set_commit_queue(uint32_t n)
{
    if (sb) __atomic_store_n(&sb->commit_queue, n, __ATOMIC_RELAXED);
}

void sb_count_access_log_failure(void)
{
    if (sb) __atomic_fetch_add(&sb->access_log_failures, 1, __ATOMIC_RELAXED);
}

uint64_t sb_decisions_total(void)
{
    uint64_t n = 0;
    for (int i = 0; sb && i < SB_MAX_POLICIES; i++) n += __atomic_load_n(&sb->decisions[i], __ATOMIC_RELAXED);
    return n;
}

int64_t sb_db_down_until(void)
{
    return sb ? __atomic_load_n(&sb->db_down_until_ms, __ATOMIC_RELAXED) : 0;
}

void sb_db_down_raise(int64_t until_ms)
{
    if (!sb) return;
    int64_t cur = __atomic_load_n(&sb->db_down_until_ms, __ATOMIC_RELAXED);
    while (until_ms > cur &&
           !__atomic_compare_exchange_n(&sb->db_down_until_ms, &cur, until_ms, 0, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
    }
}

int64_t sb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
