// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/builtin-ab.c: `kvmsqueeze ab`, the main job, the same as
 * `make ab`: patched-kernel/ab.sh builds the arms, runs the experiments
 * on each in the QEMU lab and compares them. This only finds the script
 * next to the binary and hands it the options as its environment.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/builtin.h"

static const char ab_usage[] =
"usage: kvmsqueeze ab [options]\n"
"\n"
"The main job: build the kernel arms that are missing (cached), run each\n"
"experiment on each arm in the QEMU lab REPS times in a shuffled order,\n"
"then write results/<date>-ab/report.txt (72 columns, for email),\n"
"report.csv and plots, and print the report. The same as `make ab`.\n"
"\n"
"  -a, --arms \"A B ...\"     arms, first the baseline\n"
"                           (default \"legacy cache-shrinker no-shrinker inverted\")\n"
"  -e, --exps \"E F ...\"     experiments (default \"idle-caches memcg-squeeze\n"
"                           shrinker-storm\")\n"
"  -m, --mmu tdp|shadow     MMU mode inside the lab (default shadow)\n"
"  -r, --reps N             repetitions per arm and experiment (default 5)\n"
"  -s, --seed N             seed of the shuffled order (default 1)\n"
"  -o, --out DIR            results directory (default results/<date>-ab)\n"
"  -h, --help               this text\n";

static const struct option ab_options[] = {
	{ "arms", required_argument, NULL, 'a' },
	{ "exps", required_argument, NULL, 'e' },
	{ "mmu", required_argument, NULL, 'm' },
	{ "reps", required_argument, NULL, 'r' },
	{ "seed", required_argument, NULL, 's' },
	{ "out", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Each option becomes the variable ab.sh reads. */
static const struct {
	int opt;
	const char *env;
} ab_env[] = {
	{ 'a', "ARMS" }, { 'e', "EXPS" }, { 'm', "MMU" }, { 'r', "REPS" },
	{ 's', "SEED" }, { 'o', "AB_OUT" },
};

int cmd_ab(int argc, char **argv)
{
	char exe[PATH_MAX], script[PATH_MAX + 32];
	ssize_t len;
	unsigned int i;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "a:e:m:r:s:o:h", ab_options, NULL)) != -1) {
		if (opt == 'h') {
			fputs(ab_usage, stdout);
			return EXIT_OK;
		}
		for (i = 0; i < sizeof(ab_env) / sizeof(ab_env[0]); i++)
			if (ab_env[i].opt == opt)
				break;
		if (i == sizeof(ab_env) / sizeof(ab_env[0]))
			return EXIT_USAGE;
		setenv(ab_env[i].env, optarg, 1);
	}
	if (optind < argc) {
		fprintf(stderr, "kvmsqueeze: ab: unexpected argument '%s' (see kvmsqueeze ab --help)\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len < 0) {
		fprintf(stderr, "kvmsqueeze: ab: /proc/self/exe: %s\n", strerror(errno));
		return EXIT_FAILURE_SETUP;
	}
	exe[len] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(script, sizeof(script), "%s/patched-kernel/ab.sh", exe);
	execl(script, script, (char *)NULL);
	fprintf(stderr, "kvmsqueeze: ab: %s: %s (run kvmsqueeze ab from the source tree's ./kvmsqueeze)\n",
		script, strerror(errno));
	return EXIT_FAILURE_SETUP;
}
