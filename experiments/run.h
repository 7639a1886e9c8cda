/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/run.h: one repetition of an experiment: its cgroup tree,
 * VM processes, samplers, pressure sources and events, from start to the
 * result file (result.c writes it).
 */
#ifndef KVMSQ_RUN_H
#define KVMSQ_RUN_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "experiments/cgroup.h"
#include "experiments/pressure.h"
#include "experiments/sampler.h"
#include "experiments/selftest.h"
#include "experiments/series.h"
#include "experiments/spec.h"
#include "experiments/vmproc.h"
#include "vmm/host.h"

#define RUN_ID_LEN	64
#define RUN_PARTIAL_S	5.0	/* a partial result file this often (--partial-period) */
#define RUN_STOP_GRACE_S 5.0	/* guests get this long to finish */
#define RUN_BLOCK_MAX	1000000

struct run_opts {
	const char *out_dir;
	const char *run_id;		/* one per invocation; names the cgroup tree */
	int rep, nr_reps;
	const char *tag;
	int block;			/* of a blocked A/B plan, from 1; 0: none */
	const char *cmdline;
	const char *kvm_path;
	const char *selftests_dir;	/* where the spec's selftests are (--selftests) */
	const char *proc, *debugfs, *tracefs;
	double duration_override, scale;	/* as given, for the record */
	double partial_period_s;	/* a partial result this often; 0: never */
	bool allow_global;
	bool in_lab;
	const char *arm;		/* kernel arm, from the lab; NULL on the host */
	struct json_object *arm_desc;	/* --arm: the arm's description; NULL: none */
	const char *accel;		/* the lab's QEMU accel (kvm, tcg); NULL on the host */
	const char *clock;		/* "icount" (QEMU's instruction clock) or "host" */
	int icount_shift;		/* with "icount": ns per instruction is 2^shift */
	volatile int *interrupted;	/* set by the CLI's signal handler */
	volatile int *interrupt_signal;	/* and which signal it was */
	bool live;			/* stderr is a terminal: a live line */
};

struct run {
	const struct spec *s;
	const struct run_opts *o;
	uint64_t t0_ns;
	char started_at[32];		/* UTC, ISO 8601 */
	char result_path[PATH_MAX];
	struct host_info host;

	struct cg_host cg_host;
	struct cg_tree tree;
	uint64_t limit_bytes;		/* in force now; UINT64_MAX: none */
	/* a limit the schedule wants and the kernel refuses, retried every loop */
	uint64_t limit_want;
	uint64_t limit_refusals;	/* of limit_want so far; 0: none pending */
	double limit_want_s;		/* its first refusal */
	char limit_why[256];		/* the last refusal's error */
	/* limits that never took effect before the schedule moved on */
	struct json_object *limit_missed;

	struct series_set series;
	struct sampler_env env;
	struct sampler *samplers;

	int nr_vms;
	struct vmproc *vms;
	uint64_t next_sweep_ns;		/* vms_watch looks at every VM then */

	int nr_selftests;		/* started */
	struct selftest_proc selftests[SPEC_MAX_SELFTESTS];

	struct pressure_env penv;
	int nr_press;
	struct pressure_src press[SPEC_MAX_PRESSURE];

	uint64_t oom_kills;		/* the cgroup's count when last looked */
	struct json_object *events;
	const char *end_reason;
	double loop_end_s;		/* the loop's last iteration: what was due by then */
	bool interrupted;
	double interrupt_s;		/* when the loop saw the signal */
	uint64_t end_ns;
	/* the runner's own CPU time (getrusage), over the main loop */
	double loop_cpu_s, loop_s;
	uint64_t loop_wakeups;		/* times run_loop went round */
};

/*
 * Run @s once as repetition o->rep and write <out_dir>/rep-<rep>.json.
 * 0 when it ran properly (run.status "ok"); RUN_FAILED when it ran to
 * its end but not properly (run.status "failed": a VM did not end ok, a
 * pressure was not applied; err_msg() says the first problem); -EINTR
 * when it was interrupted (it still writes its file, with "complete":
 * false); another -errno when it could not start (no file).
 */
#define RUN_FAILED	1
int run_once(const struct spec *s, const struct run_opts *o);

/* result.c: the result file, and its JSON for the tests */
struct json_object *result_build(struct run *r, bool complete);
int result_write(struct run *r, bool complete);

/* Seconds from the run's start to @ns (CLOCK_MONOTONIC); 0 before it. */
static inline double run_seconds(const struct run *r, uint64_t ns)
{
	return ns > r->t0_ns ? (double)(ns - r->t0_ns) / 1e9 : 0;
}
void run_event(struct run *r, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
