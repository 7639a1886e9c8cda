/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/signals.h: the signals that stop a run instead of killing
 * the runner, and what every process the runner forks does first.
 */
#ifndef KVMSQ_SIGNALS_H
#define KVMSQ_SIGNALS_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Every catchable signal whose default would end the runner without a
 * result and with its VMs and cgroup tree left: HUP, INT, QUIT, PIPE,
 * TERM, ALRM, USR1, USR2, ... (not the faults: SEGV, BUS, ILL, FPE, ABRT).
 */
extern const int run_stop_signals[];
extern const int nr_run_stop_signals;

/*
 * Catch them all with @handler (no SA_RESTART: a blocking call returns
 * so the loop sees the stop).
 */
void run_signals_catch(void (*handler)(int));

/*
 * In a process just forked by the runner (pid @runner): the default
 * action for every signal the runner catches, a process group of its own
 * (so a terminal's Ctrl-C reaches the runner alone, which then stops it
 * in order) and SIGKILL when the runner dies, however it dies. Returns
 * false if the runner is already gone.
 */
bool run_child_init(pid_t runner);

#endif
