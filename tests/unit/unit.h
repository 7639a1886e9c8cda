/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/unit/unit.h: a tiny unit-test harness. Each test prints one line,
 * "ok NAME", "not ok NAME: why" or "skip NAME: reason", which tests/run.sh
 * counts.
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
			printf("not ok %s: %s:%d: %s: ", unit_current,	\
			       __FILE__, __LINE__, #cond);		\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

#define SKIP(reason)	do { unit_skip_reason = (reason); return; } while (0)

static const char *unit_current;

static inline int unit_main(const struct unit_test *tests, size_t n)
{
	int failures = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unit_current = tests[i].name;
		unit_failed_now = 0;
		unit_skip_reason = NULL;
		tests[i].run();
		if (unit_failed_now)
			failures++;
		else if (unit_skip_reason)
			printf("skip %s: %s\n", tests[i].name, unit_skip_reason);
		else
			printf("ok %s\n", tests[i].name);
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
