/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/sampler.h: samplers, each a small module that reads one
 * source at the run's sample period and appends to named series. A source
 * that is not there is reported as unavailable with the reason; it never
 * produces zeros.
 */
#ifndef KVMSQ_SAMPLER_H
#define KVMSQ_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/cgroup.h"
#include "experiments/series.h"

#define SAMPLER_WHY_LEN	256

/* Where the samplers look; tests point the paths at fixtures. */
struct sampler_env {
	const char *proc;		/* "/proc" */
	const char *debugfs;		/* "/sys/kernel/debug" */
	const char *tracefs;		/* "/sys/kernel/tracing" */
	const struct cg_tree *cg;	/* the run's tree; NULL: no cgroup samplers */
	const char *cg_child;		/* the child sampled, e.g. "vms" */
	const char *run_id;		/* names the shrink_trace instance */
};

struct sampler;

struct sampler_ops {
	/* "meminfo", "vmstat", "memcg", "psi", "shrinker", "shrink_trace", "shrink_kprobe" */
	const char *name;
	/* 0 if it can sample here; else -errno with err_msg() saying why */
	int (*open)(struct sampler *s);
	/* one sample at @t_ns: append to s->out */
	int (*sample)(struct sampler *s, uint64_t t_ns);
	/*
	 * Optional: once the VMs have stopped and the last sample is taken,
	 * before the result: work that must not run beside the guests (in
	 * the lab every instruction anywhere counts in their times).
	 */
	void (*finish)(struct sampler *s);
	void (*close)(struct sampler *s);
};

struct sampler {
	const struct sampler_ops *ops;
	const struct sampler_env *env;
	struct series_set *out;
	void *priv;
	bool available;
	char why[SAMPLER_WHY_LEN];	/* why not available */
	/* Available, but part of the source is not here: what and why. */
	char note[SAMPLER_WHY_LEN];
	bool is_open;			/* close() is still due */
	uint64_t failed_ns;		/* when sample() failed (t 0 reads 1); 0: it did not */
	/*
	 * What observing cost: the samples taken and the runner's CPU time
	 * in them. In the lab every CPU shares one instruction clock, so
	 * this time is also in every guest time measured beside it.
	 */
	uint64_t samples;
	uint64_t cpu_ns;
};

extern const struct sampler_ops *const sampler_ops_table[];
extern const int nr_sampler_ops;

/*
 * Open every sampler of the table into @s (nr_sampler_ops entries); one
 * that cannot open is kept with available = false and its reason.
 */
void samplers_open(struct sampler *s, const struct sampler_env *env,
		   struct series_set *out);
/* Sample every available sampler; a sampler that fails is closed and
 * marked unavailable with the reason (and the time it failed). */
void samplers_sample(struct sampler *s, uint64_t t_ns);
/* The finish op of every sampler still open. */
void samplers_finish(struct sampler *s);
void samplers_close(struct sampler *s);

/*
 * The KVM statistics of VM process @p at @t_ns, through the stats fds it
 * sent, into @out (experiments/samplers_kvm.c). Not in the table: those
 * sources arrive with each VM process after setup, and are no source of
 * their own in the results. A read that fails is a sample missed.
 */
struct vmproc;
void samplers_kvm_sample(struct series_set *out, struct vmproc *p, uint64_t t_ns);

/*
 * The rest is for the samplers themselves (experiments/samplers_*.c): their
 * ops, listed by the table in experiments/samplers.c, and the helpers they
 * share, in experiments/sampler_util.c.
 */
extern const struct sampler_ops sampler_meminfo_ops, sampler_vmstat_ops,
	sampler_memcg_ops, sampler_psi_ops, sampler_shrinker_ops,
	sampler_shrink_trace_ops, sampler_shrink_kprobe_ops;

/* Room for the text of one file a sampler reads (vmstat is ~6 KiB). */
#define SAMPLER_TEXT_LEN	(64 * 1024)

/*
 * Keys of a "key value" file to series "<prefix><key><suffix>": pass
 * sampler_kv_add() and this to procfs_parse_meminfo()/_keyval(). Keys
 * not in @keys (patterns for procfs_key_match(), at most 64) are skipped;
 * @seen gets bit i set when keys[i] matched. @out NULL: only @seen.
 */
struct sampler_kv {
	struct series_set *out;
	uint64_t t_ns;
	const char *prefix;		/* "vmstat." */
	const char *suffix;		/* "_kb", or "" */
	const char *const *keys;
	uint64_t seen;
};
int sampler_kv_add(const char *key, uint64_t val, void *arg);

/*
 * A PSI file to "<prefix>some_avg10", "<prefix>some_total_us" and the same
 * for full: pass sampler_psi_add() and this to procfs_parse_psi(). @out
 * NULL: only count them.
 */
struct sampler_psi {
	struct series_set *out;
	uint64_t t_ns;
	const char *prefix;		/* "psi.memory." */
	unsigned int nr_added;
};
int sampler_psi_add(const char *key, double val, void *arg);

/* Add one printf-style part to s->note, "; "-separated. */
void sampler_note(struct sampler *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
