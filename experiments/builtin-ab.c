// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/builtin-ab.c: `kvmsqueeze ab`, the main job, the same as
 * `make ab`: patched-kernel/ab.sh builds the arms, runs the experiments
 * on each in the QEMU lab and compares them. This only finds the script
 * (in the source tree or the install's data directory) and hands it the
 * options as its environment, with KVMSQ_AB_OPTIONS naming the variables
 * the options set: ab.sh validates them, and names the option in a
 * refusal of a value that came from one.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/command.h"
#include "common/err.h"

static const char ab_usage[] =
"usage: kvmsqueeze ab [options]\n"
"\n"
"The main job: check that the plan can decide, build the kernel arms that\n"
"are missing (cached), run each experiment on each arm in the QEMU lab in\n"
"blocks (block b holds one run of every arm and experiment, in an order\n"
"seeded by the seed and b), several labs at once, then write\n"
"results/<date>-ab/report.txt (72 columns, for email), report.csv and\n"
"plots, and print the report. The same as `make ab`.\n"
"\n"
"  -a, --arms \"A B ...\"     arms, first the baseline; an arm named twice is\n"
"                           an A/A set (default \"legacy cache-shrinker-v2\n"
"                           no-shrinker inverted\")\n"
"  -e, --exps \"E F ...\"     experiments, names or spec files (default\n"
"                           \"idle-caches memcg-squeeze shrinker-storm\")\n"
"  -m, --mmu tdp|shadow     MMU mode inside the lab (default shadow)\n"
"  -r, --reps N             runs per arm and experiment, one per block\n"
"                           (default: the fewest with which every\n"
"                           experiment's primary metrics can reach p <=\n"
"                           0.05/4 after Holm: 5 for one primary, 6 for 2-4);\n"
"                           fewer than can reach 0.05 is refused\n"
"  -j, --jobs N             labs at once (default: the cores, as far as the\n"
"                           memory holds them)\n"
"  -c, --clock icount|host  the labs' clock (default icount: QEMU counts\n"
"                           instructions, the same on a loaded machine)\n"
"  -s, --seed N             seed of the order in the blocks (default 1)\n"
"  -o, --out DIR            results directory (default results/<date>-ab)\n"
"  -n, --plan-only          print the plan and an estimate of its time only\n"
"      --resume             with the same --out and options, keep the runs an\n"
"                           interrupted or failed ab finished, run the rest\n"
"      --executor local|slurm  where the lab runs run: this machine, --jobs\n"
"                           at once (default), or one Slurm job array\n"
"      --partition P        with --executor slurm: the Slurm partition\n"
"                           (default: the cluster's default partition)\n"
"      --kernels local|slurm  with --executor slurm: build the missing\n"
"                           kernels here (default) or as Slurm jobs\n"
"  -h, --help               this text\n";

static const struct option ab_options[] = {
	{ "arms", required_argument, NULL, 'a' },
	{ "exps", required_argument, NULL, 'e' },
	{ "mmu", required_argument, NULL, 'm' },
	{ "reps", required_argument, NULL, 'r' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "clock", required_argument, NULL, 'c' },
	{ "seed", required_argument, NULL, 's' },
	{ "out", required_argument, NULL, 'o' },
	{ "plan-only", no_argument, NULL, 'n' },
	{ "resume", no_argument, NULL, 'R' },
	{ "executor", required_argument, NULL, 'X' },
	{ "partition", required_argument, NULL, 'P' },
	{ "kernels", required_argument, NULL, 'K' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Each option becomes the variable ab.sh reads; a flag sets it to 1. The
 * variables set are listed, once each, in KVMSQ_AB_OPTIONS.
 */
static const struct {
	int opt;
	const char *env;
} ab_env[] = {
	{ 'a', "ARMS" }, { 'e', "EXPS" }, { 'm', "MMU" }, { 'r', "REPS" },
	{ 'j', "JOBS" }, { 'c', "LAB_CLOCK" }, { 's', "SEED" }, { 'o', "AB_OUT" },
	{ 'n', "PLAN_ONLY" }, { 'R', "RESUME" }, { 'X', "EXECUTOR" },
	{ 'P', "SLURM_PARTITION" }, { 'K', "KERNELS" },
};

#define AB_NENV (sizeof(ab_env) / sizeof(ab_env[0]))

/* KVMSQ_AB_OPTIONS: "REPS JOBS", the variables whose bit is in @set */
static int ab_export_options(unsigned int set)
{
	char list[128] = "";
	size_t used = 0;
	unsigned int i;

	for (i = 0; i < AB_NENV; i++) {
		if (!(set & (1u << i)))
			continue;
		used += snprintf(list + used, sizeof(list) - used, "%s%s", used ? " " : "",
				 ab_env[i].env);
		if (used >= sizeof(list)) {
			errno = E2BIG;
			return -1;
		}
	}
	return setenv("KVMSQ_AB_OPTIONS", list, 1);
}

int cmd_ab(int argc, char **argv)
{
	char dir[PATH_MAX], script[PATH_MAX + 32];
	unsigned int i, set = 0;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "a:e:m:r:j:c:s:o:nh", ab_options, NULL)) != -1) {
		if (opt == 'h') {
			fputs(ab_usage, stdout);
			return EXIT_OK;
		}
		for (i = 0; i < AB_NENV; i++)
			if (ab_env[i].opt == opt)
				break;
		if (i == AB_NENV)
			return EXIT_USAGE;
		setenv(ab_env[i].env, optarg ? optarg : "1", 1);
		set |= 1u << i;
	}
	if (optind < argc) {
		fprintf(stderr, "kvmsqueeze: ab: unexpected argument '%s' (see kvmsqueeze ab --help)\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (ab_export_options(set)) {
		fprintf(stderr, "kvmsqueeze: ab: KVMSQ_AB_OPTIONS: %s\n", strerror(errno));
		return EXIT_FAILURE_SETUP;
	}
	/* the source tree, or an install's share/kvmsqueeze (common/install.h) */
	if (kvmsq_datadir(dir, sizeof(dir)) || kvmsq_script_env(dir)) {
		fprintf(stderr, "kvmsqueeze: ab: %s\n", err_msg());
		return EXIT_FAILURE_SETUP;
	}
	snprintf(script, sizeof(script), "%s/patched-kernel/ab.sh", dir);
	execl(script, script, (char *)NULL);
	fprintf(stderr, "kvmsqueeze: ab: %s: %s\n", script, strerror(errno));
	return EXIT_FAILURE_SETUP;
}
