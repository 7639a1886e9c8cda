/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/kallsyms.h: the kernel's function names for the addresses
 * trace records carry, read from <proc>/kallsyms once, by a thread of
 * its own that a sampler starts when it opens. The file is ~5 MiB and
 * ~120,000 lines; reading and parsing it takes 0.3 s of CPU on a host
 * and seconds in the TCG lab, time the VMs' start must not wait for.
 * Names are needed only when the first records arrive: kallsyms_name()
 * waits for the thread then, and only then.
 */
#ifndef KVMSQ_KALLSYMS_H
#define KVMSQ_KALLSYMS_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tep_handle;

struct kallsyms {
	char path[PATH_MAX];		/* <proc>/kallsyms */
	pthread_t thread;
	bool started;			/* the thread runs or ran: a join is due */
	bool joined;
	int tid;			/* the thread's, for setpriority() */
	/* The thread's result, read after the join: */
	int ret;			/* 0: named; -errno; -ENOENT: no addresses */
	char *text;			/* the file, while it is read */
	struct tep_handle *tep;		/* its functions, for tep_find_function() */
};

/*
 * Start reading <@proc>/kallsyms, at the lowest CPU priority (nice 19):
 * returns at once. 0, or -errno with err_msg() when no thread could be
 * started (names are then addresses).
 */
int kallsyms_start(struct kallsyms *k, const char *proc);
/*
 * Wait for the read (the thread's priority back to the caller's first,
 * when allowed): 0 when names are there, else -errno, with err_msg()
 * saying why (unreadable; every address 0, as kptr_restrict shows them).
 * Later calls return the same at once.
 */
int kallsyms_wait(struct kallsyms *k);
/*
 * The function at @addr as %pS names it, cut at the offset or compiler
 * suffix ("mmu_shrink_scan", not "foo.isra.0"), or "0x<addr>" as %pS
 * prints one it cannot name. Waits for the read on its first call.
 */
void kallsyms_name(struct kallsyms *k, uint64_t addr, char *name, size_t len);
/* Stop a read still under way (a blocked read() too) and free it all. */
void kallsyms_free(struct kallsyms *k);

#endif
