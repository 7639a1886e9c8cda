/* SPDX-License-Identifier: GPL-2.0 */
/* common/command.h: subcommands of kvmsqueeze, their exit statuses, the version. */
#ifndef KVMSQ_COMMON_COMMAND_H
#define KVMSQ_COMMON_COMMAND_H

#include "common/install.h"

/* The build's version (common/install.c); results record it as tool.version. */
#define KVMSQ_VERSION	kvmsq_version

struct builtin_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

enum kvmsq_exit {
	EXIT_OK = 0,
	EXIT_FAILURE_SETUP = 1,	/* could not set up or run at all */
	EXIT_USAGE = 2,
	EXIT_GUEST_CODE = 3,	/* a guest exited with a non-zero code */
	EXIT_GUEST_ERROR = 4,	/* the VMM stopped the VM: guest misbehaved */
	EXIT_TIMEOUT = 5,
	EXIT_INTERRUPTED = 130,
};

int cmd_vm(int argc, char **argv);
int cmd_run(int argc, char **argv);	/* experiments/builtin-run.c */
int cmd_ab(int argc, char **argv);	/* experiments/builtin-ab.c */
int cmd_report(int argc, char **argv);	/* analysis/builtin-report.c */
int cmd_compare(int argc, char **argv);	/* analysis/builtin-compare.c */

#endif
