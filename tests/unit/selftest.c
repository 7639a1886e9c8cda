// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/selftest.c: the KVM selftests' output parser
 * (experiments/selftest_out.c) on the shapes Linux 6.12 and 6.1 print
 * (tests/fixtures/selftests/), on hostile lines (any length, garbage,
 * huge numbers, NaN, repeats), and the spec's checks of a selftest entry.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "unit.h"
#include "common/err.h"
#include "experiments/selftest.h"
#include "experiments/spec.h"

#define FIX	"tests/fixtures/selftests/"

static struct selftest_out *parse_file(enum selftest_prog prog, const char *path)
{
	struct selftest_out *o = malloc(sizeof(*o));

	if (!o)
		abort();
	selftest_out_init(o, prog);
	if (selftest_out_file(o, path)) {
		free(o);
		return NULL;
	}
	return o;
}

static struct selftest_out *parse_text(enum selftest_prog prog, const char *text)
{
	struct selftest_out *o = malloc(sizeof(*o));

	if (!o)
		abort();
	selftest_out_init(o, prog);
	selftest_out_text(o, text, strlen(text));
	return o;
}

static double val(const struct selftest_out *o, const char *name)
{
	const struct selftest_value *v = selftest_out_find(o, name);

	return v ? v->value : NAN;
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-12;
}

static void dirty_log_612(void)
{
	struct selftest_out *o = parse_file(SELFTEST_DIRTY_LOG, FIX "dirty_log_perf_test-6.12.txt");

	if (!o)
		SKIP(FIX " not readable (run from the repository root)");
	CHECK(near(val(o, "populate_s"), 1.874507597), "%.9f", val(o, "populate_s"));
	CHECK(near(val(o, "enable_dirty_logging_s"), 0.000154848), "enable");
	CHECK(near(val(o, "dirty_memory_iter1_s"), 0.951749484), "iter1");
	CHECK(near(val(o, "dirty_memory_iter2_s"), 1.527932563), "iter2");
	CHECK(near(val(o, "get_dirty_log_iter2_s"), 0.000006608), "get iter2");
	CHECK(near(val(o, "clear_dirty_log_iter1_s"), 0.000039439), "clear iter1");
	CHECK(near(val(o, "disable_dirty_logging_s"), 0.000043448), "disable");
	CHECK(near(val(o, "get_dirty_log_total_s"), 0.000015095), "get total");
	CHECK(near(val(o, "get_dirty_log_avg_s"), 0.000007547), "get avg");
	CHECK(near(val(o, "clear_dirty_log_total_s"), 0.000092777), "clear total");
	CHECK(near(val(o, "clear_dirty_log_avg_s"), 0.000046388), "clear avg");
	CHECK(o->nr_values == 13, "%d values", o->nr_values);
	CHECK(o->unparsed == 0, "%llu unparsed", (unsigned long long)o->unparsed);
	CHECK(o->lines == 17, "%llu lines", (unsigned long long)o->lines);
	free(o);
}

static void dirty_log_61_summary(void)
{
	struct selftest_out *o = parse_file(SELFTEST_DIRTY_LOG, FIX "dirty_log_perf_test-6.1.txt");
	struct json_object *s;
	struct json_object *v;

	if (!o)
		SKIP(FIX " not readable (run from the repository root)");
	CHECK(o->unparsed == 0, "%llu unparsed", (unsigned long long)o->unparsed);
	CHECK(o->nr_values == 16, "%d values", o->nr_values);
	s = selftest_out_summary(o);
	CHECK(json_object_object_get_ex(s, "dirty_memory_later_mean_s", &v) &&
	      near(json_object_get_double(v), 0.6), "the mean of iterations 2 and 3: %s",
	      json_object_to_json_string(s));
	CHECK(json_object_object_get_ex(s, "populate_s", &v) &&
	      near(json_object_get_double(v), 1.254081220), "populate");
	CHECK(json_object_object_get_ex(s, "clear_dirty_log_total_s", &v) &&
	      near(json_object_get_double(v), 0.001198237), "clear total");
	json_object_put(s);
	free(o);
}

static void demand_paging_both(void)
{
	struct selftest_out *a, *b;

	a = parse_file(SELFTEST_DEMAND_PAGING, FIX "demand_paging_test-6.12.txt");
	b = parse_file(SELFTEST_DEMAND_PAGING, FIX "demand_paging_test-6.1.txt");

	if (!a || !b) {
		free(a);
		free(b);
		SKIP(FIX " not readable (run from the repository root)");
	}
	/* 6.12 has a tab after the colon and a per-vCPU rate; 6.1 a space */
	CHECK(near(val(a, "guest_execution_s"), 0.351036238), "6.12 time");
	CHECK(near(val(a, "rate_pages_per_s"), 46673.244031), "6.12 rate");
	CHECK(near(val(a, "per_vcpu_rate_pages_per_s"), 46673.244031), "6.12 per vCPU");
	CHECK(a->unparsed == 0, "6.12: %llu unparsed", (unsigned long long)a->unparsed);
	CHECK(near(val(b, "guest_execution_s"), 0.410553879), "6.1 time");
	CHECK(near(val(b, "rate_pages_per_s"), 39906.345121), "6.1 rate");
	CHECK(b->unparsed == 0, "6.1: %llu unparsed", (unsigned long long)b->unparsed);
	CHECK(!strcmp(selftest_out_find(b, "rate_pages_per_s")->unit, "pages/s"), "unit");
	free(a);
	free(b);
}

static void access_tracking_phases(void)
{
	struct selftest_out *o = parse_file(SELFTEST_ACCESS_TRACKING,
					    FIX "access_tracking_perf_test-6.12.txt");

	if (!o)
		SKIP(FIX " not readable (run from the repository root)");
	CHECK(near(val(o, "populate_s"), 0.120000001), "populate");
	CHECK(near(val(o, "write_populated_s"), 0.030000002), "write populated");
	CHECK(near(val(o, "read_populated_s"), 0.020000003), "read populated");
	CHECK(near(val(o, "mark_idle_1_s"), 1.500000004), "first mark idle");
	CHECK(near(val(o, "write_idle_s"), 0.090000005), "write idle");
	CHECK(near(val(o, "mark_idle_2_s"), 1.400000006), "second mark idle");
	CHECK(near(val(o, "read_idle_s"), 0.080000007), "read idle");
	CHECK(o->unparsed == 0, "%llu unparsed", (unsigned long long)o->unparsed);
	free(o);
}

/* A line of another program's shape is not this one's value. */
static void no_misattribution(void)
{
	struct selftest_out *o = parse_text(SELFTEST_DEMAND_PAGING,
					    "Populate memory time: 1.000000000s\n"
					    "Populating memory             : 2.000000000s\n");

	CHECK(o->nr_values == 0 && o->unparsed == 2, "%d values, %llu unparsed", o->nr_values,
	      (unsigned long long)o->unparsed);
	free(o);
	o = parse_text(SELFTEST_DIRTY_LOG, "Iteration 2 dirty memory time: 0.5s\n"
			"xIteration 3 dirty memory time: 0.500000000s\n"
			"Iteration 4 dirty memory time: 0.500000000s trailing\n"
			"Iteration 0 dirty memory time: 0.500000000s\n"
			"Iteration 1000000 dirty memory time: 0.500000000s\n"
			"Iteration -1 dirty memory time: 0.500000000s\n");
	CHECK(o->nr_values == 1 && near(val(o, "dirty_memory_iter2_s"), 0.5), "%d values",
	      o->nr_values);
	CHECK(o->unparsed == 5, "%llu unparsed", (unsigned long long)o->unparsed);
	free(o);
}

static void hostile_numbers(void)
{
	struct selftest_out *o = parse_text(SELFTEST_DIRTY_LOG,
		"Populate memory time: nan s\n"
		"Populate memory time: -nans\n"
		"Populate memory time: infs\n"
		"Populate memory time: 1e308s\n"
		"Populate memory time: 99999999999999999999999.000000000s\n"
		"Populate memory time: 1.0000000000s\n"
		"Populate memory time: .5s\n"
		"Populate memory time: 5.s\n"
		"Populate memory time: -1.000000000s\n"
		"Populate memory time: 0x1.000000000s\n");
	struct selftest_out *d = parse_text(SELFTEST_DEMAND_PAGING,
		"Overall demand paging rate: inf pgs/sec\n"
		"Overall demand paging rate: -nan pgs/sec\n"
		"Overall demand paging rate: 1234567890123456.000000 pgs/sec\n");

	CHECK(o->nr_values == 0 && o->unparsed == 10, "%d values, %llu unparsed", o->nr_values,
	      (unsigned long long)o->unparsed);
	CHECK(d->nr_values == 0 && d->unparsed == 3, "%d values, %llu unparsed", d->nr_values,
	      (unsigned long long)d->unparsed);
	free(o);
	free(d);
}

/* The first value of a name stays; a second line of it is unparsed, not taken. */
static void repeats_kept_once(void)
{
	struct selftest_out *o = parse_text(SELFTEST_DIRTY_LOG,
					    "Populate memory time: 1.000000000s\n"
					    "Populate memory time: 9.000000000s\n");

	CHECK(near(val(o, "populate_s"), 1) && o->nr_values == 1 && o->unparsed == 1,
	      "%f, %d values", val(o, "populate_s"), o->nr_values);
	free(o);
}

/* Each guest mode's values apart; the summary reads the first. */
static void guest_modes_apart(void)
{
	struct selftest_out *o = parse_text(SELFTEST_DIRTY_LOG,
		"Testing guest mode: PA-bits:ANY, VA-bits:48,  4K pages\n"
		"Populate memory time: 1.000000000s\n"
		"Testing guest mode: PA-bits:ANY, VA-bits:57,  4K pages\n"
		"Populate memory time: 2.000000000s\n");

	CHECK(o->mode == 2 && o->nr_values == 2 && o->unparsed == 0, "mode %d, %d values",
	      o->mode, o->nr_values);
	CHECK(near(val(o, "populate_s"), 1), "the first mode's: %f", val(o, "populate_s"));
	CHECK(o->values[1].mode == 2, "the second is mode %d", o->values[1].mode);
	free(o);
}

static void long_lines_and_garbage(void)
{
	static const char tail[] = "Populate memory time: 1.000000000s\r\n"
				   "Disabling dirty logging time: 2.0\0s\n"
				   "Disabling dirty logging time: 3.000000000s";
	size_t n = 1 << 20, i;
	char *big = malloc(n + 64);
	struct selftest_out *o = malloc(sizeof(*o));

	if (!big || !o)
		abort();
	/* a valid line padded past the limit is not read */
	strcpy(big, "Populate memory time: 1.000000000s");
	memset(big + strlen(big), ' ', n);
	big[n] = '\n';
	for (i = 0; i < 256; i++)
		big[n + 1 + i % 32] = (char)(i * 37);	/* any bytes, NULs too */
	selftest_out_init(o, SELFTEST_DIRTY_LOG);
	selftest_out_text(o, big, n + 33);
	CHECK(o->nr_values == 0, "%d values from a line past the limit", o->nr_values);
	CHECK(o->unparsed >= 1, "%llu unparsed", (unsigned long long)o->unparsed);
	/* no newline at the end, CR, and NUL inside a line */
	selftest_out_init(o, SELFTEST_DIRTY_LOG);
	selftest_out_text(o, tail, sizeof(tail) - 1);
	CHECK(near(val(o, "populate_s"), 1) && near(val(o, "disable_dirty_logging_s"), 3),
	      "%d values", o->nr_values);
	CHECK(o->unparsed == 1, "%llu unparsed", (unsigned long long)o->unparsed);
	free(big);
	free(o);
}

static void values_capped(void)
{
	struct selftest_out *o = malloc(sizeof(*o));
	char line[96];
	int i;

	if (!o)
		abort();
	selftest_out_init(o, SELFTEST_DIRTY_LOG);
	for (i = 1; i <= 300; i++) {
		snprintf(line, sizeof(line), "Iteration %d dirty memory time: 0.000000001s", i);
		selftest_out_line(o, line, strlen(line));
	}
	CHECK(o->nr_values == SELFTEST_MAX_VALUES && o->dropped == 300 - SELFTEST_MAX_VALUES,
	      "%d values, %llu dropped", o->nr_values, (unsigned long long)o->dropped);
	free(o);
}

static void json_shape(void)
{
	struct selftest_out *o = parse_text(SELFTEST_DEMAND_PAGING,
					    "Total guest execution time:\t0.5s\n"
					    "garbage\n"
					    "Total guest execution time:\t0.500000000s\n");
	struct json_object *j = selftest_out_json(o), *v;

	CHECK(json_object_object_get_ex(j, "unparsed_lines", &v) && json_object_get_int(v) == 2,
	      "%s", json_object_to_json_string(j));
	CHECK(json_object_object_get_ex(j, "values", &v) && json_object_array_length(v) == 1,
	      "%s", json_object_to_json_string(j));
	json_object_put(j);
	free(o);
}

static int spec_try(const char *selftests)
{
	char text[1024];
	struct spec *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		abort();
	snprintf(text, sizeof(text), "{\"name\": \"t\", \"question\": \"q\", \"duration_s\": 10, "
		 "\"selftests\": %s}", selftests);
	ret = spec_parse(s, text, "test");
	spec_free(s);
	free(s);
	return ret;
}

static void spec_entries(void)
{
	CHECK(!spec_try("[{\"program\": \"dirty_log_perf_test\", \"args\": [\"-v\", \"2\", \"-b\", \"256M\", \"-i\", \"3\"]}]"),
	      "%s", err_msg());
	CHECK(!spec_try("[{\"program\": \"demand_paging_test\"}, {\"program\": \"access_tracking_perf_test\"}]"),
	      "%s", err_msg());
	CHECK(spec_try("[{\"program\": \"/bin/sh\"}]") && strstr(err_msg(), "is not one of"),
	      "%s", err_msg());
	CHECK(spec_try("[{\"program\": \"../dirty_log_perf_test\"}]"), "a path");
	CHECK(spec_try("[{\"program\": \"dirty_log_perf_test\", \"args\": [\"; rm -rf /\"]}]") &&
	      strstr(err_msg(), "args[0]"), "%s", err_msg());
	CHECK(spec_try("[{\"program\": \"dirty_log_perf_test\", \"args\": [\"/etc/passwd\"]}]"),
	      "a path argument");
	CHECK(spec_try("[{\"program\": \"dirty_log_perf_test\", \"args\": [\"\"]}]"), "empty");
	CHECK(spec_try("[{\"program\": \"dirty_log_perf_test\", \"args\": [2]}]"), "a number");
	CHECK(spec_try("[{\"program\": \"dirty_log_perf_test\", \"args\": [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}]"),
	      "64 bytes");
	CHECK(spec_try("[{\"program\": \"dirty_log_perf_test\", \"args\": [\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}]"),
	      "33 arguments");
	CHECK(spec_try("[{\"program\": \"dirty_log_perf_test\"}, {\"program\": \"dirty_log_perf_test\"}]") &&
	      strstr(err_msg(), "twice"), "%s", err_msg());
	CHECK(spec_try("[{\"program\": \"dirty_log_perf_test\", \"shell\": \"x\"}]"), "unknown key");
	CHECK(spec_try("[]"), "empty array");
	CHECK(spec_try("{}"), "not an array");
	CHECK(!strchr(err_msg(), '\n'), "one line: %s", err_msg());
}

UNIT_MAIN(T(dirty_log_612), T(dirty_log_61_summary), T(demand_paging_both),
	  T(access_tracking_phases), T(no_misattribution), T(hostile_numbers),
	  T(repeats_kept_once), T(guest_modes_apart), T(long_lines_and_garbage),
	  T(values_capped), T(json_shape), T(spec_entries))
