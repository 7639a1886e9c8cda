// SPDX-License-Identifier: GPL-2.0
/*
 * tests/tools/fake_selftest.c: a stand-in for the KVM selftests a spec
 * runs as a workload (tests/selftests.sh). Installed under each of their
 * names, it prints the output of the one it is named after in the shape
 * Linux 6.12 prints (tools/testing/selftests/kvm), or misbehaves:
 *
 *   fake_selftest [-t FACTOR] [-x MODE]
 *     -t FACTOR  every time it prints is multiplied by this (default 1,
 *                or FAKE_SELFTEST_FACTOR from the environment: two arms
 *                of one spec that differ)
 *     -x MODE    ok (default); garbage: long lines, bytes, NaN, repeats,
 *                then exit 0; exit3: print, exit 3; hang: sleep until a
 *                signal; ignore_term: ignore SIGTERM and sleep (SIGKILL ends
 *                it); child: fork a child that sleeps, then hang; oom:
 *                allocate and touch memory until the OOM killer comes;
 *                slow: print, sleep 2 s, exit 0
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double factor = 1;

static void t(const char *fmt, double s)
{
	double v = s * factor;
	long sec = (long)v;
	long ns = (long)((v - (double)sec) * 1e9 + 0.5);

	printf(fmt, sec, ns);
}

static void dirty_log(void)
{
	int i;

	printf("Test iterations: 3\nTesting guest mode: PA-bits:ANY, VA-bits:48,  4K pages\n");
	printf("guest physical test memory: [0xfffffbfff000, 0xfffffffff000)\n");
	t("Populate memory time: %ld.%.9lds\n", 0.5);
	t("Enabling dirty logging time: %ld.%.9lds\n\n", 0.001);
	for (i = 1; i <= 3; i++) {
		printf("Iteration %d ", i);
		t("dirty memory time: %ld.%.9lds\n", i == 1 ? 0.4 : 0.2);
		printf("Iteration %d ", i);
		t("get dirty log time: %ld.%.9lds\n", 0.00001);
		printf("Iteration %d ", i);
		t("clear dirty log time: %ld.%.9lds\n", 0.00004);
	}
	t("Disabling dirty logging time: %ld.%.9lds\n", 0.00003);
	printf("Get dirty log over 3 iterations took ");
	t("%ld.%.9lds. ", 0.00003);
	t("(Avg %ld.%.9lds/iteration)\n", 0.00001);
	printf("Clear dirty log over 3 iterations took ");
	t("%ld.%.9lds. ", 0.00012);
	t("(Avg %ld.%.9lds/iteration)\n", 0.00004);
}

static void demand_paging(void)
{
	printf("Testing guest mode: PA-bits:ANY, VA-bits:48,  4K pages\n");
	printf("Finished creating vCPUs and starting uffd threads\nStarted all vCPUs\n");
	printf("All vCPU threads joined\n");
	t("Total guest execution time:\t%ld.%.9lds\n", 0.35);
	printf("Per-vcpu demand paging rate:\t%f pgs/sec/vcpu\n", 46000 / factor);
	printf("Overall demand paging rate:\t%f pgs/sec\n", 46000 / factor);
}

static void access_tracking(void)
{
	static const char *const phases[] = {
		"Populating memory", "Writing to populated memory", "Reading from populated memory",
		"Mark memory idle", "Writing to idle memory", "Mark memory idle",
		"Reading from idle memory",
	};
	char fmt[64];
	size_t i;

	printf("Testing guest mode: PA-bits:ANY, VA-bits:48,  4K pages\n\n");
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		snprintf(fmt, sizeof(fmt), "%-30s: %%ld.%%09lds\n", phases[i]);
		t(fmt, 0.1 * (double)(i + 1));
	}
}

static void garbage(void)
{
	int i;

	for (i = 0; i < 100000; i++)
		putchar('x');
	printf("Populate memory time: 1.000000000s\n");	/* the end of a long line */
	printf("\x01\xff\xfe garbage\tline\n");
	printf("Populate memory time: nan s\nPopulate memory time: -nans\n");
	printf("Populate memory time: 99999999999999999999999.000000000s\n");
	printf("Iteration 99999999999 dirty memory time: 0.100000000s\n");
	printf("Populate memory time: 0.250000000s\nPopulate memory time: 7.000000000s\n");
	fwrite("a\0b\n", 1, 4, stdout);
}

/* Kept reachable, so the compiler cannot drop the allocations. */
static void *volatile oom_list;

static void oom(void)
{
	size_t chunk = 16 << 20;
	char *p;

	for (;;) {
		p = malloc(chunk);
		if (!p)
			continue;
		memset(p, 1, chunk);
		*(void **)p = oom_list;
		oom_list = p;
	}
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *mode = "ok";
	int opt;

	while ((opt = getopt(argc, argv, "t:x:")) != -1) {	/* -t over the environment */
		if (opt == 't')
			factor = atof(optarg);
		else if (opt == 'x')
			mode = optarg;
		else
			return 2;
	}
	if (getenv("FAKE_SELFTEST_FACTOR"))
		factor = atof(getenv("FAKE_SELFTEST_FACTOR"));
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "garbage")) {
		garbage();
		return 0;
	}
	if (!strcmp(mode, "oom"))
		oom();
	if (!strcmp(name, "demand_paging_test"))
		demand_paging();
	else if (!strcmp(name, "access_tracking_perf_test"))
		access_tracking();
	else
		dirty_log();
	if (!strcmp(mode, "exit3"))
		return 3;
	if (!strcmp(mode, "slow")) {
		sleep(2);
		return 0;
	}
	if (!strcmp(mode, "ignore_term"))
		signal(SIGTERM, SIG_IGN);
	if (!strcmp(mode, "child") && fork() == 0)
		for (;;)
			pause();
	if (strcmp(mode, "ok"))
		for (;;)
			pause();
	return 0;
}
