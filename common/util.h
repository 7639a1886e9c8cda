/* SPDX-License-Identifier: GPL-2.0 */
/* common/util.h: counts, sizes, durations, clocks and wait statuses. */
#ifndef KVMSQ_UTIL_H
#define KVMSQ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define KiB	((uint64_t)1 << 10)
#define MiB	((uint64_t)1 << 20)
#define GiB	((uint64_t)1 << 30)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((uint64_t)(a) - 1))

/* The longest duration or timeout anything takes: 10^7 s, about 116 days. */
#define PARSE_SECONDS_MAX	1e7

/* Decimal only; 0 or -EINVAL (parse_size and parse_seconds set err_msg()). */
int parse_size(const char *s, uint64_t *bytes);
int parse_u64(const char *s, uint64_t *val);
int parse_seconds(const char *s, double *seconds);
void format_size(uint64_t bytes, char *buf, size_t len);
/* A cgroup limit: format_size(), or "max" for UINT64_MAX (none). */
void format_limit(uint64_t bytes, char *buf, size_t len);
/* mkdir -p: @path and its missing parents; 0 or -errno with err_msg(). */
int mkdir_p(const char *path);
/*
 * How a child ended, from its wait(2) status @st: "exited 0", "exit 3",
 * "killed by SIGKILL", or "ended (status 0x...)".
 */
void wait_status_text(int st, char *buf, size_t len);
/* A signal that says the process itself failed, not that it was stopped. */
bool signal_is_fault(int sig);

/* @clock's time now, in ns. */
static inline uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* The CPU time of the calling thread (user + system), in ns. */
static inline uint64_t thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

#endif
