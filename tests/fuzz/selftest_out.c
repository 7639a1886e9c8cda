// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz/selftest_out.c: the KVM selftests' output parser
 * (experiments/selftest_out.c) on mutated real output (the files of
 * tests/fixtures/selftests): bytes flipped, inserted and cut, digit runs
 * and NaNs spliced in, lines repeated, run together or taken from another
 * program. Each case, parsed as each of the three programs, must end
 * without a crash or a sanitizer report; every value must be finite, at
 * least 0, below 1e16, and named as that program names its values (never
 * another's); the counts must add up; the JSON must serialize.
 *
 * Usage: selftest_out SECONDS SEED [CASE]: cases until SECONDS have passed,
 * each from SEED and its number; with CASE that case alone. One line:
 * "ok fuzz_selftest_out: N cases (seed S)" or "not ok fuzz_selftest_out:
 * seed S case N: what".
 */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "experiments/selftest.h"
#include "tests/fuzz/rng.h"

#define DIR		"tests/fixtures/selftests/"
#define MAX_TEXT	(1 << 16)

static const char *const fixtures[] = {
	DIR "dirty_log_perf_test-6.12.txt", DIR "dirty_log_perf_test-6.1.txt",
	DIR "demand_paging_test-6.12.txt", DIR "demand_paging_test-6.1.txt",
	DIR "access_tracking_perf_test-6.12.txt",
};
#define NR_FIXTURES	(sizeof(fixtures) / sizeof(fixtures[0]))

/* The names each program's values may have (fnmatch patterns). */
static const char *const names[NR_SELFTEST_PROGS][12] = {
	[SELFTEST_DIRTY_LOG] = { "populate_s", "enable_dirty_logging_s",
		"dirty_memory_iter[1-9]*_s", "get_dirty_log_iter[1-9]*_s",
		"clear_dirty_log_iter[1-9]*_s", "disable_dirty_logging_s",
		"get_dirty_log_total_s", "get_dirty_log_avg_s", "clear_dirty_log_total_s",
		"clear_dirty_log_avg_s", NULL },
	[SELFTEST_DEMAND_PAGING] = { "guest_execution_s", "per_vcpu_rate_pages_per_s",
		"rate_pages_per_s", NULL },
	[SELFTEST_ACCESS_TRACKING] = { "populate_s", "write_populated_s", "read_populated_s",
		"mark_idle_[1-9]*_s", "write_idle_s", "read_idle_s", NULL },
};

static char *texts[NR_FIXTURES];
static size_t lens[NR_FIXTURES];

static void unload(void)
{
	size_t i;

	for (i = 0; i < NR_FIXTURES; i++)
		free(texts[i]);
}

static int load(void)
{
	size_t i;

	for (i = 0; i < NR_FIXTURES; i++) {
		FILE *f = fopen(fixtures[i], "r");

		if (!f)
			return -1;
		texts[i] = malloc(MAX_TEXT);
		lens[i] = texts[i] ? fread(texts[i], 1, MAX_TEXT, f) : 0;
		fclose(f);
		if (!lens[i])
			return -1;
	}
	return 0;
}

static const char *const splices[] = {
	"nan", "-nan", "inf", "99999999999999999999", "0.", ".0", "\t", " ", "\n", "\r", "%",
	"Iteration 999999 ", "Testing guest mode: x\n", "Mark memory idle", "s", ".",
	"9999999999.999999999", "\xff\xfe", "-", ": ",
};

/* Mutate @buf (@len bytes of @cap) in place; its new length. */
static size_t mutate(struct rng *r, char *buf, size_t len, size_t cap)
{
	size_t n = 1 + rng_below(r, 8), k, at, sl;
	const char *s;

	for (k = 0; k < n && len; k++) {
		at = rng_below(r, len);
		switch (rng_below(r, 6)) {
		case 0:		/* flip a byte */
			buf[at] = (char)rng_next(r);
			break;
		case 1:		/* a digit */
			buf[at] = (char)('0' + rng_below(r, 10));
			break;
		case 2:		/* cut */
			sl = rng_below(r, len - at);
			memmove(buf + at, buf + at + sl, len - at - sl);
			len -= sl;
			break;
		case 3:		/* splice a token */
			s = splices[rng_below(r, sizeof(splices) / sizeof(splices[0]))];
			sl = strlen(s);
			if (len + sl > cap)
				break;
			memmove(buf + at + sl, buf + at, len - at);
			memcpy(buf + at, s, sl);
			len += sl;
			break;
		case 4:		/* repeat a stretch */
			sl = rng_below(r, len - at);
			if (len + sl > cap)
				break;
			memmove(buf + at + sl, buf + at, len - at);
			memcpy(buf + at, buf + at + sl, sl);
			len += sl;
			break;
		default:	/* a long run of one byte */
			sl = rng_below(r, 3000);
			if (len + sl > cap)
				break;
			memmove(buf + at + sl, buf + at, len - at);
			memset(buf + at, rng_below(r, 2) ? '9' : 'x', sl);
			len += sl;
			break;
		}
	}
	return len;
}

static const char *check(const struct selftest_out *o)
{
	static char why[160];
	const char *const *p;
	int i;

	if (o->nr_values < 0 || o->nr_values > SELFTEST_MAX_VALUES)
		return "nr_values out of range";
	if (o->unparsed > o->lines)
		return "more unparsed lines than lines";
	for (i = 0; i < o->nr_values; i++) {
		const struct selftest_value *v = &o->values[i];

		if (!isfinite(v->value) || v->value < 0 || v->value >= 1e16) {
			snprintf(why, sizeof(why), "%s = %g", v->name, v->value);
			return why;
		}
		for (p = names[o->prog]; *p; p++)
			if (!fnmatch(*p, v->name, 0))
				break;
		if (!*p) {
			snprintf(why, sizeof(why), "%s is not a name of %s", v->name,
				 selftest_progs[o->prog].program);
			return why;
		}
		if (v->mode < 1 || v->mode > o->mode)
			return "a value's mode out of range";
	}
	return NULL;
}

static const char *one_case(uint64_t seed, size_t nr, struct selftest_out *o, char *buf)
{
	struct rng r = { seed * 0x100000001b3ull ^ nr };
	size_t len = 0, k, pieces = 1 + rng_below(&r, 3), f, cap = 4 * MAX_TEXT;
	struct json_object *j;
	const char *why;
	int prog;

	for (k = 0; k < pieces; k++) {
		f = rng_below(&r, NR_FIXTURES);
		if (len + lens[f] > cap / 2)
			break;
		memcpy(buf + len, texts[f], lens[f]);
		len += lens[f];
	}
	len = mutate(&r, buf, len, cap);
	for (prog = 0; prog < NR_SELFTEST_PROGS; prog++) {
		selftest_out_init(o, (enum selftest_prog)prog);
		selftest_out_text(o, buf, len);
		why = check(o);
		if (why)
			return why;
		j = selftest_out_json(o);
		if (!json_object_to_json_string(j))
			return "the output's JSON does not serialize";
		json_object_put(j);
		j = selftest_out_summary(o);
		if (!json_object_to_json_string(j))
			return "the summary's JSON does not serialize";
		json_object_put(j);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct selftest_out *o = malloc(sizeof(*o));
	char *buf = malloc(4 * MAX_TEXT);
	double secs = argc > 1 ? atof(argv[1]) : 10;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	time_t end = time(NULL) + (time_t)secs;
	const char *why;
	size_t nr = 0;

	if (!o || !buf || load()) {
		printf("not ok fuzz_selftest_out: %s not readable (run from the repository root)\n",
		       DIR);
		why = "";
		goto out;
	}
	if (argc > 3) {
		nr = strtoull(argv[3], NULL, 0);
		why = one_case(seed, nr, o, buf);
		printf("%s fuzz_selftest_out%s%s\n", why ? "not ok" : "ok", why ? ": " : "",
		       why ? why : "");
		goto out;
	}
	do {
		why = one_case(seed, nr, o, buf);
		if (why) {
			printf("not ok fuzz_selftest_out: seed %llu case %zu: %s\n",
			       (unsigned long long)seed, nr, why);
			goto out;
		}
		nr++;
	} while (time(NULL) < end);
	printf("ok fuzz_selftest_out: %zu cases (seed %llu)\n", nr, (unsigned long long)seed);
out:
	fflush(stdout);
	unload();
	free(o);
	free(buf);
	return why ? 1 : 0;
}
