// SPDX-License-Identifier: GPL-2.0
/*
 * common/util.c: parsing of counts, sizes ("256M", "4G") and durations,
 * strictly: decimal only (no octal "010", no hex "0x2"), no sign, no
 * trailing characters; mkdir -p.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/err.h"
#include "common/util.h"

/* A count: decimal digits only, "010" is ten; 0 or -EINVAL. */
int parse_u64(const char *s, uint64_t *val)
{
	uint64_t v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) ||
		    __builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return -EINVAL;
	}
	*val = v;
	return 0;
}

/* "4096", "4k", "4K", "4KiB", "2m", "1G", "1T": binary units. */
int parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "kmgtp";
	uint64_t val, mult = 1;
	const char *u;
	char *end;
	int i;

	if (!s || !isdigit((unsigned char)s[0]))
		return err_set(EINVAL, "'%s' is not a size (use e.g. 4096, 256M, 4G)",
			       s ? s : "");
	for (end = (char *)s, val = 0; isdigit((unsigned char)*end); end++)
		if (__builtin_mul_overflow(val, 10, &val) ||
		    __builtin_add_overflow(val, (uint64_t)(*end - '0'), &val))
			return err_set(EINVAL, "size '%s' is out of range", s);
	if (*end) {
		u = end;
		for (i = 0; units[i]; i++) {
			mult <<= 10;
			if (tolower((unsigned char)*u) == units[i])
				break;
		}
		if (!units[i])
			return err_set(EINVAL, "size '%s' has an unknown unit (use K, M, G, T)", s);
		u++;
		if (*u == 'i' || *u == 'I')
			u++;
		if (*u == 'b' || *u == 'B')
			u++;
		if (*u)
			return err_set(EINVAL, "size '%s' has trailing characters", s);
	}
	if (val > UINT64_MAX / mult)
		return err_set(EINVAL, "size '%s' is out of range", s);
	*bytes = val * mult;
	return 0;
}

/*
 * "5", "2.5", "1e3", "500ms", "10s", "2m": decimal (strtod alone would
 * take "0x10" and "inf"), 0 to PARSE_SECONDS_MAX.
 */
int parse_seconds(const char *s, double *seconds)
{
	size_t digits;
	char *end;
	double v;

	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return err_set(EINVAL, "'%s' is not a duration (use e.g. 10, 2.5s, 500ms)",
			       s ? s : "");
	digits = strspn(s, "0123456789.eE+-");
	if (s[digits] == 'x' || s[digits] == 'X' || s[digits] == 'p' || s[digits] == 'P')
		return err_set(EINVAL, "duration '%s' is not decimal (use e.g. 10, 2.5s, 500ms)", s);
	errno = 0;
	v = strtod(s, &end);
	if (end > s + digits)
		return err_set(EINVAL, "duration '%s' is not decimal (use e.g. 10, 2.5s, 500ms)", s);
	if (errno || !isfinite(v) || v < 0)
		return err_set(EINVAL, "duration '%s' is out of range", s);
	if (!*end || !strcmp(end, "s"))
		;
	else if (!strcmp(end, "ms"))
		v /= 1e3;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		v *= 60;
	else
		return err_set(EINVAL, "duration '%s' has an unknown unit (use s, ms, m)", s);
	if (v > PARSE_SECONDS_MAX)
		return err_set(ERANGE, "duration '%s' is above %.0f s (about %.0f days)",
			       s, PARSE_SECONDS_MAX, PARSE_SECONDS_MAX / 86400);
	*seconds = v;
	return 0;
}

void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int i = 0;
	double v = (double)bytes;

	while (v >= 1024 && i + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		i++;
	}
	if (v == (uint64_t)v)
		snprintf(buf, len, "%" PRIu64 " %s", (uint64_t)v, units[i]);
	else
		snprintf(buf, len, "%.1f %s", v, units[i]);
}

void format_limit(uint64_t bytes, char *buf, size_t len)
{
	if (bytes == UINT64_MAX)
		snprintf(buf, len, "max");
	else
		format_size(bytes, buf, len);
}

int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return err_sys(errno, "creating %s", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return err_sys(errno, "creating %s", buf);
	return 0;
}

void wait_status_text(int st, char *buf, size_t len)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		snprintf(buf, len, "exited 0");
	else if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(st)) ?
			 sigabbrev_np(WTERMSIG(st)) : "?");
	else
		snprintf(buf, len, "ended (status 0x%x)", st);
}

bool signal_is_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
	       sig == SIGABRT || sig == SIGSYS || sig == SIGTRAP;
}
