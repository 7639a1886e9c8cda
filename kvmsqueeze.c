// SPDX-License-Identifier: GPL-2.0
/* kvmsqueeze.c: the command, dispatching to one builtin per subcommand. */
#include <stdio.h>
#include <string.h>

#include "common/command.h"
#include "common/util.h"

static const struct builtin_cmd commands[] = {
	{ "vm", cmd_vm, "run one VM with a toy guest and report what it saw" },
	{ "run", cmd_run, "run an experiment: VMs in a cgroup, squeezed and sampled" },
	{ "report", cmd_report, "median and confidence interval of each metric over runs" },
	{ "ab", cmd_ab, "the main job: every arm in the lab, compared (make ab)" },
	{ "compare", cmd_compare, "compare arms side by side, with significance tests" },
};

static void usage(FILE *out)
{
	unsigned int i;

	fprintf(out, "usage: kvmsqueeze <command> [options]\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'kvmsqueeze <command> --help' describes one command;\n"
		"'kvmsqueeze --version' prints the version.\n");
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	unsigned int i;

	if (!name || !strcmp(name, "--help") || !strcmp(name, "-h") ||
	    !strcmp(name, "help")) {
		if (name && argc > 2 && strcmp(name, "help") == 0) {
			char *help_argv[] = { argv[2], "--help", NULL };

			for (i = 0; i < ARRAY_SIZE(commands); i++)
				if (!strcmp(commands[i].name, argv[2]))
					return commands[i].run(2, help_argv);
		}
		usage(name ? stdout : stderr);
		return name ? 0 : 2;
	}
	if (!strcmp(name, "--version")) {
		printf("kvmsqueeze %s\n", KVMSQ_VERSION);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "kvmsqueeze: '%s' is not a command (see kvmsqueeze --help)\n", name);
	return 2;
}
