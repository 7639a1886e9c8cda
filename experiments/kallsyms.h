/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/kallsyms.h: the kernel's function names for the addresses
 * trace records carry, from <proc>/kallsyms. The file is ~5 MiB and
 * ~120,000 lines: reading and parsing it takes ~0.08 s of CPU and ~20 MiB
 * on a 6.x host and seconds in the TCG lab, where any work beside the
 * guests is counted in their times (the lab's clock counts the
 * instructions of every CPU). So it is read once, after the VMs have
 * stopped (experiments/shrink_tally.c names its counts then).
 */
#ifndef KVMSQ_KALLSYMS_H
#define KVMSQ_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

struct tep_handle;

struct kallsyms {
	struct tep_handle *tep;		/* its functions; NULL: not loaded */
};

/*
 * Read and parse <@proc>/kallsyms: 0, or -errno with err_msg() saying
 * why (unreadable; -ENOENT when every address is 0, as kptr_restrict
 * shows them). Names are then addresses.
 */
int kallsyms_load(struct kallsyms *k, const char *proc);
/*
 * The function at @addr as %pS names it, cut at the offset or compiler
 * suffix ("mmu_shrink_scan", not "foo.isra.0"), or "0x<addr>" as %pS
 * prints one it cannot name (@k not loaded, or no symbol holds @addr).
 */
void kallsyms_name(const struct kallsyms *k, uint64_t addr, char *name, size_t len);
void kallsyms_free(struct kallsyms *k);

#endif
