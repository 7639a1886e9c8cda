/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/pressure.h: pressure sources besides the cgroup limit:
 * proactive reclaim, a memory hog in a sibling cgroup (global pressure),
 * drop_caches and the KVM MMU shrinker's debugfs scan file. Each fires at
 * its start time and then every period.
 */
#ifndef KVMSQ_PRESSURE_H
#define KVMSQ_PRESSURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "experiments/cgroup.h"
#include "experiments/spec.h"

#define PRESSURE_WHY_LEN	256
#define PRESSURE_MAX_SCAN	8

struct pressure_env {
	const struct cg_tree *cg;
	const char *vms_child;		/* reclaim target */
	const char *hog_child;		/* where the hog runs */
	const char *proc;		/* "/proc" */
	const char *debugfs;		/* "/sys/kernel/debug" */
	const char *nx_huge_pages;	/* /sys/module/kvm/parameters/nx_huge_pages */
	bool allow_global;		/* --allow-global-pressure or in the lab */
};

struct pressure_src {
	struct spec_pressure sp;
	const struct pressure_env *env;
	bool available;
	bool absent;		/* unavailable: nothing here to act on (no KVM MMU shrinker) */
	bool hog_failed;	/* the hog ended before it held its memory */
	char why[PRESSURE_WHY_LEN];
	double next_s;
	uint64_t fired, failed;
	pid_t hog_pid;
	int nr_scan;
	char scan_files[PRESSURE_MAX_SCAN][256];
	/* nx_huge_pages: the value found (restored at the end) and the value now */
	bool nx_original, nx_now;
	int nx_restored;	/* -1: may differ now; 0: the restore failed; 1: as found */
	char nx_restore_error[PRESSURE_WHY_LEN];
};

/*
 * Get @p ready. Refusals that must stop the run (global pressure outside
 * the lab) return -errno; a source the host lacks is kept unavailable
 * with the reason and returns 0.
 */
int pressure_open(struct pressure_src *p, const struct spec_pressure *sp,
		  const struct pressure_env *env);
/*
 * Fire if due at @t_s. Returns 1 and a one-line description in @what when
 * it acted, 0 when not due, -errno (err_msg()) when the action failed.
 */
int pressure_tick(struct pressure_src *p, double t_s, char *what, size_t len);
/*
 * Did a hog end by itself (OOM-killed, or it could not map)? Returns 1
 * with a one-line description in @what once, 0 otherwise.
 */
int pressure_poll(struct pressure_src *p, char *what, size_t len);
/* Seconds until it is next due (HUGE_VAL: never). */
double pressure_next(const struct pressure_src *p, double t_s);
/*
 * The run's loop is over: put back what a source changed on the host
 * (nx_huge_pages' original value). Idempotent; pressure_close() calls it
 * too, so setup errors and interrupted runs restore as well.
 */
void pressure_finish(struct pressure_src *p);
void pressure_close(struct pressure_src *p);
/* Where nx_huge_pages is, unless KVMSQ_NX_HUGE_PAGES (for tests) names another file. */
#define PRESSURE_NX_PATH	"/sys/module/kvm/parameters/nx_huge_pages"
/* True if this host is a kvmsqueeze lab (kvmsqueeze.lab=1 on the kernel command line). */
bool pressure_in_lab(const char *proc);

#endif
