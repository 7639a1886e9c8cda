// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/signals.c: the signals that stop a run (caught, so the run
 * ends in order, writes its result and removes its cgroup tree) and the
 * setup of every process the runner forks, so none outlives it.
 */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/util.h"
#include "experiments/signals.h"

const int run_stop_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGALRM, SIGUSR1, SIGUSR2,
	SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGSTKFLT,
};
const int nr_run_stop_signals = (int)ARRAY_SIZE(run_stop_signals);

void run_signals_catch(void (*handler)(int))
{
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < nr_run_stop_signals; i++)
		sigaddset(&sa.sa_mask, run_stop_signals[i]);
	for (i = 0; i < nr_run_stop_signals; i++)
		sigaction(run_stop_signals[i], &sa, NULL);
}

bool run_child_init(pid_t runner)
{
	int i;

	for (i = 0; i < nr_run_stop_signals; i++)
		signal(run_stop_signals[i], SIG_DFL);
	setpgid(0, 0);
	/* the runner may have died between fork() and here: ask after */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	return getppid() == runner;
}
