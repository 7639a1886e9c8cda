/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/unit/unit.h: a tiny unit-test harness speaking TAP (KTAP, as the
 * kernel's selftests do), so tests/run.sh and `prove` read it: "TAP version
 * 13", the plan "1..N" for the N tests of UNIT_MAIN, then one numbered line
 * per test: "ok 3 NAME", "not ok 4 NAME: why" or "ok 5 NAME # SKIP reason".
 */
#ifndef KVMSQ_UNIT_H
#define KVMSQ_UNIT_H

#include <stdio.h>
#include <stdlib.h>

struct unit_test {
	const char *name;
	void (*run)(void);
};

static int unit_failed_now;
static const char *unit_skip_reason;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond) && !unit_failed_now) {			\
			unit_failed_now = 1;				\
			printf("not ok %zu %s: %s:%d: %s: ",		\
			       unit_number, unit_current,		\
			       __FILE__, __LINE__, #cond);		\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

#define SKIP(reason)	do { unit_skip_reason = (reason); return; } while (0)

static const char *unit_current;
static size_t unit_number;

static inline int unit_main(const struct unit_test *tests, size_t n)
{
	int failures = 0;
	size_t i;

	/* the plan first: a binary that dies early has printed fewer results */
	printf("TAP version 13\n1..%zu\n", n);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		unit_number = i + 1;
		unit_current = tests[i].name;
		unit_failed_now = 0;
		unit_skip_reason = NULL;
		tests[i].run();
		if (unit_failed_now)
			failures++;
		else if (unit_skip_reason)
			printf("ok %zu %s # SKIP %s\n", unit_number, tests[i].name,
			       unit_skip_reason);
		else
			printf("ok %zu %s\n", unit_number, tests[i].name);
		fflush(stdout);
	}
	return failures ? 1 : 0;
}

#define UNIT_MAIN(...)							\
	int main(void)							\
	{								\
		static const struct unit_test tests[] = { __VA_ARGS__ };\
		return unit_main(tests, sizeof(tests) / sizeof(tests[0]));\
	}

#define T(fn)	{ #fn, fn }

#endif
