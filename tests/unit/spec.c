// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/spec.c: experiment specs: a good one read back field by
 * field, one test per kind of bad input (primary metrics included),
 * --duration and --scale, and every spec of the catalog, the lab checks
 * and the findings, each with its primary metrics.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "common/err.h"
#include "common/metrics.h"
#include "common/util.h"
#include "experiments/spec.h"
#include "experiments/text.h"

#define GOOD_VMS \
	"\"vms\": [ { \"count\": 2, \"vcpus\": 3, \"mem\": \"256M\", \"backing\": \"file\"," \
	"  \"guest_page\": \"2m\", \"guest\": \"workingset\"," \
	"  \"params\": { \"size\": \"64M\", \"pattern\": \"random\", \"threshold_ns\": 5000 } } ]"

static const char good[] =
	"{\n"
	"  \"name\": \"t\", \"question\": \"q?\", \"duration_s\": 10,\n"
	"  " GOOD_VMS ",\n"
	"  \"cgroup\": { \"knob\": \"high\", \"ramp\": { \"from\": \"512M\", \"to\": \"256M\",\n"
	"              \"start_s\": 2, \"end_s\": 6, \"step_s\": 1 } },\n"
	"  \"pressure\": [ { \"kind\": \"drop_caches\", \"period_s\": 0.5 },\n"
	"                { \"kind\": \"reclaim\", \"bytes\": \"16M\", \"start_s\": 1 } ],\n"
	"  \"end_phase\": \"touch\", \"sample_period_ms\": 50\n"
	"}\n";

/* Parse @text; expect failure with @want in the message. */
static void expect_error(const char *text, const char *want)
{
	struct spec s;
	int ret = spec_parse(&s, text, "x.json");

	if (!ret) {
		ret = spec_check(&s);
		spec_free(&s);
	}
	CHECK(ret < 0, "accepted, wanted an error with '%s'", want);
	CHECK(ret >= 0 || strstr(err_msg(), want), "message '%s' lacks '%s'", err_msg(), want);
}

static void good_spec(void)
{
	struct spec s;
	int ret = spec_parse(&s, good, "good.json");

	CHECK(!ret, "%s", err_msg());
	if (ret)
		return;
	CHECK(!spec_check(&s), "%s", err_msg());
	CHECK(!strcmp(s.name, "t") && s.duration_s == 10 && s.sample_period_s == 0.05,
	      "top level");
	CHECK(!strcmp(s.end_phase, "touch"), "end_phase");
	CHECK(s.nr_vms == 1 && s.vms[0].count == 2 && s.vms[0].vcpus == 3, "vms");
	CHECK(s.vms[0].mem_bytes == 256 * MiB && s.vms[0].backing == MEM_FILE &&
	      s.vms[0].page_bytes == 2 * MiB, "vm sizes");
	CHECK(s.vms[0].nr_params == 3 && !strcmp(s.vms[0].param_values[2], "5000"),
	      "params: %d", s.vms[0].nr_params);
	CHECK(s.cg.knob == CG_KNOB_HIGH && s.cg.schedule == SCHED_RAMP && s.cg.nr_steps == 5,
	      "ramp: %d steps", s.cg.nr_steps);
	CHECK(s.cg.steps[0].bytes == 512 * MiB && s.cg.steps[4].bytes == 256 * MiB &&
	      s.cg.steps[2].bytes == 384 * MiB, "ramp values");
	CHECK(spec_limit_at(&s, 0) == UINT64_MAX && spec_limit_at(&s, 2.5) == 512 * MiB &&
	      spec_limit_at(&s, 100) == 256 * MiB, "limit_at");
	CHECK(s.nr_pressure == 2 && s.pressure[0].kind == PRESSURE_DROP_CACHES &&
	      s.pressure[0].period_s == 0.5 && s.pressure[1].bytes == 16 * MiB, "pressure");
	CHECK(spec_nr_vm_procs(&s) == 2, "procs");
	spec_free(&s);
}

/* A ramp whose span is not a multiple of its step still ends at `to`. */
static void ramp_reaches_end(void)
{
	static const char text[] =
		"{ \"name\": \"r\", \"question\": \"q\", \"duration_s\": 2, " GOOD_VMS ", "
		"\"cgroup\": { \"ramp\": { \"from\": \"1000M\", \"to\": \"100M\", "
		"\"start_s\": 0, \"end_s\": 1, \"step_s\": 0.3 } } }";
	struct spec s;

	if (spec_parse(&s, text, "ramp.json")) {
		CHECK(0, "%s", err_msg());
		return;
	}
	CHECK(s.cg.nr_steps == 5, "%d steps", s.cg.nr_steps);
	CHECK(s.cg.steps[3].bytes == 190 * MiB && s.cg.steps[4].at_s == 1 &&
	      s.cg.steps[4].bytes == 100 * MiB, "last steps: %llu at %g",
	      (unsigned long long)s.cg.steps[4].bytes, s.cg.steps[4].at_s);
	CHECK(spec_limit_at(&s, 5) == 100 * MiB, "limit after the ramp");
	spec_free(&s);
}

static void override(void)
{
	struct spec s;

	if (spec_parse(&s, good, "good.json")) {
		CHECK(0, "%s", err_msg());
		return;
	}
	CHECK(!spec_override(&s, 20, 2), "%s", err_msg());
	CHECK(s.duration_s == 20 && s.cg.steps[0].at_s == 4 && s.pressure[1].start_s == 2,
	      "times stretched: %g %g", s.duration_s, s.cg.steps[0].at_s);
	CHECK(s.vms[0].mem_bytes == 512 * MiB && s.cg.steps[0].bytes == GiB &&
	      s.pressure[1].bytes == 32 * MiB, "sizes scaled");
	CHECK(!strcmp(s.vms[0].param_values[0], "134217728") &&
	      !strcmp(s.vms[0].param_values[2], "5000"),
	      "size params scale, plain numbers do not: %s %s",
	      s.vms[0].param_values[0], s.vms[0].param_values[2]);
	spec_free(&s);
}

static void unreadable(void)
{
	struct spec s;
	int ret = spec_load_file(&s, "/nonexistent/spec.json");

	CHECK(ret == -ENOENT && strstr(err_msg(), "/nonexistent/spec.json") &&
	      strstr(err_msg(), "No such file"), "%d %s", ret, err_msg());
}

static void invalid_json(void)
{
	expect_error("{\n  \"name\": \"t\",\n  \"vms\": [ 1, ]\n}\n", "line 3, column");
	expect_error("{ \"name\": \"t\"", "unexpected end of file");
	expect_error("{ \"name\": \"t\" } x", "line 1, column 17");
	expect_error("[]", "expected an object at the top");
}

static void unknown_key(void)
{
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, \"vm\": [] }",
		     "unknown key 'vm'");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, "
		     "\"vms\": [ { \"mem\": \"64M\", \"guest\": \"touch\", \"vcpu\": 2 } ] }",
		     "vms[0]: unknown key 'vcpu'");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS ", "
		     "\"cgroup\": { \"limt\": \"1G\" } }", "cgroup: unknown key 'limt'");
}

static void wrong_type(void)
{
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, "
		     "\"vms\": [ { \"mem\": \"64M\", \"guest\": \"touch\", \"vcpus\": \"2\" } ] }",
		     "vms[0].vcpus: expected an integer, got string");
	expect_error("{ \"name\": 7, \"question\": \"q\", \"duration_s\": 1 }",
		     "spec.name: expected a string, got int");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, "
		     "\"vms\": [ { \"mem\": \"lots\", \"guest\": \"touch\" } ] }",
		     "'lots' is not a size");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": \"1\" }",
		     "spec.duration_s: expected a number, got string");
}

static void missing_or_bad_values(void)
{
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1 }",
		     "spec.vms: missing");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS ", "
		     "\"pressure\": [ { \"kind\": \"earthquake\" } ] }", "kind 'earthquake'");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS ", "
		     "\"cgroup\": { \"knob\": \"low\" } }", "'low': use high or max");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, "
		     "\"vms\": [ { \"mem\": \"64M\", \"guest\": \"touch\", \"nr_mmu_pages\": 10 } ] }",
		     "vms[0]: nr_mmu_pages: KVM takes 64 to 2^31 pages");
}

static void limit_too_low(void)
{
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS ", "
		     "\"cgroup\": { \"limit\": \"16M\" } }",
		     "cgroup limit 16 MiB at 0.0 s is below the");
}

static void bad_guest(void)
{
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, "
		     "\"vms\": [ { \"mem\": \"64M\", \"guest\": \"tuoch\" } ] }",
		     "unknown guest 'tuoch'");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, "
		     "\"vms\": [ { \"mem\": \"64M\", \"guest\": \"touch\", \"params\": { \"sise\": 1 } } ] }",
		     "has no parameter 'sise'");
}

#define PRIMARY_SPEC(primary) \
	"{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS ", " \
	"\"primary\": " primary " }"

static void primary_good(void)
{
	struct spec s;

	if (spec_parse(&s, PRIMARY_SPEC("[ \"fault_mean_ns\", \"faults_after_pressure\" ]"),
		       "p.json")) {
		CHECK(0, "%s", err_msg());
		return;
	}
	CHECK(s.nr_primary == 2 && s.primary[0] == metric_find("fault_mean_ns") &&
	      s.primary[1] == metric_find("faults_after_pressure"), "%d primaries", s.nr_primary);
	spec_free(&s);
	if (spec_parse(&s, good, "good.json")) {
		CHECK(0, "%s", err_msg());
		return;
	}
	CHECK(s.nr_primary == 0, "absent: %d primaries", s.nr_primary);
	spec_free(&s);
}

/* One test per kind of bad "primary"; each error names what is wrong. */
static void primary_not_array(void)
{
	expect_error(PRIMARY_SPEC("\"fault_mean_ns\""),
		     "spec x.json: primary: expected an array of metric ids, got string");
	expect_error(PRIMARY_SPEC("null"), "primary: expected an array of metric ids, got null");
}

static void primary_empty(void)
{
	expect_error(PRIMARY_SPEC("[]"), "primary: 0 metric ids, name 1 to 4");
}

static void primary_too_many(void)
{
	expect_error(PRIMARY_SPEC("[ \"fault_p50_ns\", \"fault_p99_ns\", \"fault_p999_ns\", "
				  "\"fault_max_ns\", \"fault_mean_ns\" ]"),
		     "primary: 5 metric ids, name 1 to 4");
}

static void primary_duplicate(void)
{
	expect_error(PRIMARY_SPEC("[ \"run_s\", \"fault_p50_ns\", \"run_s\" ]"),
		     "primary: metric 'run_s' given twice");
}

static void primary_not_string(void)
{
	expect_error(PRIMARY_SPEC("[ \"run_s\", 7 ]"),
		     "primary[1]: expected a metric id (a string), got int");
	expect_error(PRIMARY_SPEC("[ { \"id\": \"run_s\" } ]"),
		     "primary[0]: expected a metric id (a string), got object");
}

static void primary_unknown(void)
{
	expect_error(PRIMARY_SPEC("[ \"fault_p5_ns\" ]"),
		     "spec x.json: primary: unknown metric 'fault_p5_ns' (the metric ids are listed in experiments/SPEC.md)");
	/* the error stays on one line whatever the string holds */
	expect_error(PRIMARY_SPEC("[ \"a\\nb\" ]"),
		     "spec.primary[0]: a control character at byte 1 of the string 'a\\x0ab'");
	/* a metric id is exact: no case folding, no label */
	expect_error(PRIMARY_SPEC("[ \"Fault_mean_ns\" ]"), "unknown metric 'Fault_mean_ns'");
	expect_error(PRIMARY_SPEC("[ \"fault mean\" ]"), "unknown metric 'fault mean'");
}

#define VM_SPEC(vm) \
	"{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, \"vms\": [ " vm " ] }"

/* One line, no control character: what every refusal must look like. */
static bool one_line(const char *msg)
{
	const unsigned char *c;

	for (c = (const unsigned char *)msg; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return false;
	return true;
}

/* Numbers are range-checked before any conversion (UBSan sees a bad cast). */
static void numbers_out_of_range(void)
{
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"nop\", \"count\": 3000000000 }"),
		     "vms[0].count: must be 1 to 1024");
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"nop\", \"vcpus\": 2147483648 }"),
		     "vms[0].vcpus: must be 1 to 3328");
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"nop\", \"count\": 18446744073709551615 }"),
		     "vms[0].count: must be 1 to 1024");
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"nop\", \"timeout_s\": 1e11 }"),
		     "vms[0].timeout_s: must be 0 to 1000000");
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"nop\", \"timeout_s\": 1e400 }"),
		     "timeout_s");
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"nop\", \"nr_mmu_pages\": 9223372036854775807 }"),
		     "nr_mmu_pages: KVM takes 64 to 2^31 pages");
	expect_error(VM_SPEC("{ \"mem\": \"1025P\", \"guest\": \"nop\" }"), "more than 1 EiB");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 2e6, " GOOD_VMS " }",
		     "spec.duration_s: must be 0 to 1000000");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS ", "
		     "\"pressure\": [ { \"kind\": \"shrinker_scan\", \"nr_to_scan\": 0 } ] }",
		     "pressure[0].nr_to_scan: must be 1 to 2147483648");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS ", "
		     "\"pressure\": [ { \"kind\": \"reclaim\", \"bytes\": 0 } ] }",
		     "bytes must be above 0 for reclaim");
}

/* --scale and --duration: NaN, huge, and sizes that would overflow. */
static void override_bad(void)
{
	static const char big[] = VM_SPEC("{ \"mem\": \"1024P\", \"guest\": \"nop\" }");
	struct spec s;

	if (spec_parse(&s, good, "good.json")) {
		CHECK(0, "%s", err_msg());
		return;
	}
	CHECK(spec_override(&s, 0, NAN) < 0 && strstr(err_msg(), "--scale"), "NaN scale");
	CHECK(spec_override(&s, NAN, 0) < 0 && strstr(err_msg(), "--duration"), "NaN duration");
	CHECK(spec_override(&s, 0, 2000) < 0, "scale 2000");
	CHECK(spec_override(&s, 1e7, 0) < 0, "duration 1e7");
	CHECK(spec_override(&s, 0, -1) < 0, "scale -1");
	spec_free(&s);
	if (spec_parse(&s, big, "big.json")) {
		CHECK(0, "%s", err_msg());
		return;
	}
	CHECK(spec_override(&s, 0, 2) < 0 && strstr(err_msg(), "more than 1 EiB"),
	      "1 EiB x 2: %s", err_msg());
	spec_free(&s);
	if (spec_parse(&s, VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"touch\", "
				   "\"params\": { \"size\": \"1024P\" } }"), "param.json")) {
		CHECK(0, "%s", err_msg());
		return;
	}
	CHECK(spec_override(&s, 0, 1024) < 0 && strstr(err_msg(), "more than 1 EiB"),
	      "a size parameter x 1024: %s", err_msg());
	spec_free(&s);
	/* a stretch that pushes a step past the bound is refused by the check */
	if (spec_parse(&s, "{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 0.001, "
		       GOOD_VMS ", \"cgroup\": { \"steps\": [ { \"at_s\": 900000, \"limit\": \"1G\" } ] } }",
		       "stretch.json")) {
		CHECK(0, "%s", err_msg());
		return;
	}
	CHECK(!spec_override(&s, 10, 0), "%s", err_msg());
	CHECK(spec_check(&s) < 0 && strstr(err_msg(), "times must be 0 to 1000000 s"),
	      "stretched: %s", err_msg());
	spec_free(&s);
}

/* The name names the results directory: no way out of it. */
static void bad_name(void)
{
	expect_error("{ \"name\": \"../../x\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS " }",
		     "spec.name: '../../x': use A-Z");
	expect_error("{ \"name\": \".hidden\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS " }",
		     "not starting with '.'");
	expect_error("{ \"name\": \"\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS " }",
		     "spec.name");
	expect_error("{ \"name\": \"a b\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS " }",
		     "spec.name: 'a b'");
}

/* A NUL byte, text after the value, bad UTF-8, control characters. */
static void bad_bytes(void)
{
	static const char nul[] = "{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, "
		GOOD_VMS " }\0garbage";
	static const char bad_utf8[] = "{ \"name\": \"t\", \"question\": \"q\xff\", \"duration_s\": 1, "
		GOOD_VMS " }";
	static const char overlong[] = "{ \"name\": \"t\", \"question\": \"q\xc0\xaf\", \"duration_s\": 1, "
		GOOD_VMS " }";
	struct spec s;
	int ret;

	ret = spec_parse_len(&s, nul, sizeof(nul) - 1, "nul.json");
	CHECK(ret < 0 && strstr(err_msg(), "a NUL byte"), "NUL: %d %s", ret, err_msg());
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS " } {}",
		     "line 1, column");
	expect_error(bad_utf8, "spec.question: invalid UTF-8 at byte 1 of the string 'q\\xff'");
	expect_error(overlong, "invalid UTF-8");
	expect_error("{ \"name\": \"t\", \"question\": \"q\\u0000x\", \"duration_s\": 1, " GOOD_VMS " }",
		     "a control character at byte 1");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS ", "
		     "\"k\\ney\": 1 }", "a control character at byte 1 of the key 'k\\x0aey'");
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"nop\\u0085\" }"), "a control character");
	/* valid UTF-8 is fine in the question */
	ret = spec_parse(&s, "{ \"name\": \"t\", \"question\": \"caf\xc3\xa9 \xe2\x82\xac\", "
			 "\"duration_s\": 1, " GOOD_VMS " }", "utf8.json");
	CHECK(!ret, "%s", err_msg());
	if (!ret)
		spec_free(&s);
	/* every one of these errors was one line */
	CHECK(one_line(err_msg()), "%s", err_msg());
	/* a long path is cut at a character's edge, not inside one (found by the fuzzer) */
	expect_error("{ \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\": "
		     "{ \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\": "
		     "{ \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\": "
		     "{ \"a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\": "
		     "{ \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\": "
		     "{ \"k\\ny\": 1 } } } } } }",
		     "...: a control character");
	{
		const char *why;

		CHECK(text_check(err_msg(), strlen(err_msg()), &why) == strlen(err_msg()),
		      "%s in '%s'", why, err_msg());
	}
}

/* Strings that reach the guest or the VMM: names and printable values. */
static void bad_strings(void)
{
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"../touch\" }"),
		     "guest '../touch' is not a built-in guest's name");
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"touch\", \"params\": { \"a-b\": 1 } }"),
		     "parameter name 'a-b' is not 1 to 31 of");
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"touch\", \"params\": { \"size\": "
			     "\"1234567890123456789012345678901234567890123456789012345678901234\" } }"),
		     "parameter 'size': value longer than 63 bytes");
	expect_error(VM_SPEC("{ \"mem\": \"64M\", \"guest\": \"touch\", \"params\": { \"size\": \"1\xc3\xa9M\" } }"),
		     "parameter 'size': the value must be printable ASCII");
	expect_error("{ \"name\": \"t\", \"question\": \"q\", \"duration_s\": 1, " GOOD_VMS ", "
		     "\"end_phase\": \"Touch\" }", "spec.end_phase: 'Touch' is not a phase name");
}

static void on_alarm(int sig)
{
	(void)sig;
	printf("not ok %zu %s: spec_load_file blocked on a FIFO\n", unit_number, unit_current);
	fflush(stdout);
	_exit(1);
}

/* A FIFO, a directory, a device: refused at once, never read. */
static void not_regular(void)
{
	char dir[] = "/tmp/kvmsq-spec-fifo-XXXXXX", fifo[64];
	struct spec s;
	int ret;

	if (!mkdtemp(dir))
		SKIP("no temporary directory");
	snprintf(fifo, sizeof(fifo), "%s/f", dir);
	if (mkfifo(fifo, 0600))
		SKIP("mkfifo failed");
	signal(SIGALRM, on_alarm);
	alarm(5);
	ret = spec_load_file(&s, fifo);
	alarm(0);
	CHECK(ret < 0 && strstr(err_msg(), "not a regular file"), "FIFO: %d %s", ret, err_msg());
	unlink(fifo);
	ret = spec_load_file(&s, dir);
	CHECK(ret < 0 && strstr(err_msg(), "not a regular file"), "directory: %s", err_msg());
	rmdir(dir);
	ret = spec_load_file(&s, "/dev/zero");
	CHECK(ret < 0 && strstr(err_msg(), "not a regular file"), "device: %s", err_msg());
	ret = spec_load_file(&s, "/tmp/no\nsuch");
	CHECK(ret < 0 && one_line(err_msg()) && strstr(err_msg(), "no\\x0asuch"),
	      "name with a newline: %s", err_msg());
}

/* Every spec of @dir parses, checks, asks a question and names 1 to 4 primaries. */
static int specs_in(const char *dir, bool name_is_file)
{
	char path[512];
	struct dirent *de;
	struct spec s;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		CHECK(!spec_load_file(&s, path), "%s", err_msg());
		if (unit_failed_now)
			break;
		CHECK(!spec_check(&s), "%s", err_msg());
		CHECK(strlen(s.question) > 20, "%s: no question", path);
		CHECK(s.nr_primary >= 1 && s.nr_primary <= SPEC_MAX_PRIMARY,
		      "%s: %d primary metrics, want 1 to 4", path, s.nr_primary);
		CHECK(!name_is_file || (!strncmp(de->d_name, s.name, strlen(s.name)) &&
					de->d_name[strlen(s.name)] == '.'),
		      "%s: name '%s' differs from the file name", path, s.name);
		spec_free(&s);
		n++;
	}
	closedir(d);
	return n;
}

static void catalog(void)
{
	int n = specs_in("experiments/catalog", true);

	if (n < 0)
		SKIP("experiments/catalog not found (run from the repository root)");
	CHECK(n >= 6, "only %d catalog specs", n);
}

static void checks_and_findings(void)
{
	int checks = specs_in("patched-kernel/checks", true);
	int findings = specs_in("docs/findings/specs", true);

	if (checks < 0 || findings < 0)
		SKIP("patched-kernel/checks or docs/findings/specs not found");
	CHECK(checks >= 2 && findings >= 20, "%d checks, %d findings specs", checks, findings);
}

/*
 * SPEC_MAX_VM_PROCS VMs in all, whatever the groups: exactly that many
 * are taken (the runner copes with them), one more is refused in one line
 * that says the cap.
 */
static void vm_cap(void)
{
	struct spec s;
	int ret;

	CHECK(SPEC_MAX_VM_PROCS == 1024, "the cap is %d: update SPEC.md and this test",
	      SPEC_MAX_VM_PROCS);
	ret = spec_parse(&s, VM_SPEC("{ \"mem\": \"16M\", \"guest\": \"nop\", \"count\": 1000 },"
				     "{ \"mem\": \"16M\", \"guest\": \"nop\", \"count\": 24 }"),
			 "cap.json");
	CHECK(!ret, "1024 VMs in two groups refused: %s", err_msg());
	if (!ret) {
		CHECK(spec_nr_vm_procs(&s) == 1024, "%d VMs", spec_nr_vm_procs(&s));
		CHECK(!spec_check(&s), "%s", err_msg());
		spec_free(&s);
	}
	expect_error(VM_SPEC("{ \"mem\": \"16M\", \"guest\": \"nop\", \"count\": 1000 },"
			     "{ \"mem\": \"16M\", \"guest\": \"nop\", \"count\": 25 }"),
		     "spec x.json: spec.vms: 1025 VMs in all; at most 1024 (SPEC_MAX_VM_PROCS)");
	expect_error(VM_SPEC("{ \"mem\": \"16M\", \"guest\": \"nop\", \"count\": 1025 }"),
		     "vms[0].count: must be 1 to 1024");
	CHECK(one_line(err_msg()), "not one line: %s", err_msg());
}

/* experiments/SPEC.md is where the error sends people: every id is there. */
static void spec_md_lists_metrics(void)
{
	static char text[256 * 1024];
	char want[80];
	FILE *f = fopen("experiments/SPEC.md", "r");
	size_t i, len;

	if (!f)
		SKIP("experiments/SPEC.md not found (run from the repository root)");
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	for (i = 0; i < nr_metrics; i++) {
		snprintf(want, sizeof(want), "| `%s` |", metrics[i].name);
		CHECK(strstr(text, want), "SPEC.md has no row for metric %s", metrics[i].name);
	}
}

UNIT_MAIN(T(good_spec), T(ramp_reaches_end), T(override), T(unreadable), T(invalid_json), T(unknown_key),
	  T(wrong_type), T(missing_or_bad_values), T(limit_too_low), T(bad_guest),
	  T(primary_good), T(primary_not_array), T(primary_empty), T(primary_too_many),
	  T(primary_duplicate), T(primary_not_string), T(primary_unknown),
	  T(numbers_out_of_range), T(vm_cap), T(override_bad), T(bad_name), T(bad_bytes), T(bad_strings),
	  T(not_regular),
	  T(catalog), T(checks_and_findings), T(spec_md_lists_metrics))
