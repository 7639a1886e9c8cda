// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers_memcg.c: the memcg sampler: the run's child cgroup
 * (env->cg_child) through cg_tree_read(), with one table of files per
 * cgroup version mapping each to the same series names where they agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/summary_table.h"
#include "common/util.h"
#include "experiments/cgroup.h"
#include "experiments/procfs.h"
#include "experiments/sampler.h"

enum memcg_format {
	MEMCG_U64,	/* one number: @series is its name */
	MEMCG_KEYVAL,	/* "key value": "<@series><key>" for @keys */
	MEMCG_PSI,	/* PSI: "<@series>some_avg10", ... */
};

struct memcg_file {
	const char *file;
	enum memcg_format format;
	const char *series;
	const char *const *keys;
	bool optional;	/* may be missing on this host: noted, not fatal */
};

/* The cgroup's kernel memory: memcg_kernel_series() names it for the summary and plots. */
static const char *const memcg_v2_stat_keys[] = {
	"anon", "file", MEMCG_V2_KERNEL_STAT_KEY, "kernel_stack", "pagetables",
	"sec_pagetables", "slab", "slab_reclaimable", "slab_unreclaimable",
	"workingset_refault_anon", "workingset_refault_file", "pgscan",
	"pgsteal", "pgmajfault", NULL,
};

static const char *const memcg_v2_events_keys[] = {
	"low", "high", "max", "oom", "oom_kill", NULL,
};

/*
 * The peak is the kernel's own high-water mark, kept beside the sampled
 * series: a maximum of samples misses what happens between two of them.
 */
static const struct memcg_file memcg_v2_files[] = {
	{ "memory.current", MEMCG_U64, "memcg.current_bytes", NULL, false },
	/* since 5.19; counts from the cgroup's creation (a run's is fresh) */
	{ "memory.peak", MEMCG_U64, "memcg.peak_bytes", NULL, true },
	{ "memory.stat", MEMCG_KEYVAL, MEMCG_STAT_PREFIX, memcg_v2_stat_keys, false },
	{ "memory.events", MEMCG_KEYVAL, "memcg.events.", memcg_v2_events_keys, false },
	/* psi=0 hides it */
	{ "memory.pressure", MEMCG_PSI, "memcg.pressure.", NULL, true },
};

static const char *const memcg_v1_stat_keys[] = {
	"rss", "cache", "mapped_file", "pgpgin", "pgpgout", "pgfault",
	"pgmajfault", NULL,
};

static const char *const memcg_v1_oom_keys[] = { "oom_kill", NULL };

/* v1 has no memory.pressure: the psi sampler covers it system-wide. */
static const struct memcg_file memcg_v1_files[] = {
	{ "memory.usage_in_bytes", MEMCG_U64, "memcg.current_bytes", NULL, false },
	/* reset by the run when it starts (cg_tree_reset_peak) */
	{ "memory.max_usage_in_bytes", MEMCG_U64, "memcg.peak_bytes", NULL, false },
	{ "memory.kmem.usage_in_bytes", MEMCG_U64, MEMCG_V1_KERNEL_SERIES, NULL, true },
	{ "memory.stat", MEMCG_KEYVAL, "memcg.stat.", memcg_v1_stat_keys, false },
	{ "memory.failcnt", MEMCG_U64, "memcg.events.max", NULL, false },
	{ "memory.oom_control", MEMCG_KEYVAL, "memcg.events.", memcg_v1_oom_keys, false },
};

#define MEMCG_MAX_FILES	8
_Static_assert(ARRAY_SIZE(memcg_v2_files) <= MEMCG_MAX_FILES &&
	       ARRAY_SIZE(memcg_v1_files) <= MEMCG_MAX_FILES, "memcg file tables");

struct memcg_priv {
	const struct memcg_file *files;
	int nr_files;
	bool absent[MEMCG_MAX_FILES];
	uint64_t seen;		/* keys of the last key/value file parsed */
	char text[SAMPLER_TEXT_LEN];
};

/* The text of @f to series in @out (NULL: only check it). */
static int memcg_parse_into(struct sampler *s, const struct memcg_file *f,
			    size_t len, struct series_set *out, uint64_t t_ns)
{
	struct memcg_priv *p = s->priv;
	struct sampler_kv kv = {
		.out = out, .t_ns = t_ns, .prefix = f->series, .suffix = "",
		.keys = f->keys,
	};
	struct sampler_psi psi = { .out = out, .t_ns = t_ns, .prefix = f->series };
	uint64_t val;
	int ret;

	switch (f->format) {
	case MEMCG_U64:
		ret = procfs_parse_u64(p->text, len, &val);
		if (!ret && out && series_add(out, f->series, t_ns, (double)val))
			ret = err_sys(ENOMEM, "series %s", f->series);
		return ret;
	case MEMCG_KEYVAL:
		ret = procfs_parse_keyval(p->text, len, sampler_kv_add, &kv);
		p->seen = kv.seen;
		return ret;
	case MEMCG_PSI:
		return procfs_parse_psi(p->text, len, sampler_psi_add, &psi);
	}
	return err_set(EINVAL, "memcg %s: no parser", f->file);
}

/* All of a file or nothing: check the text before adding any of it. */
static int memcg_parse(struct sampler *s, const struct memcg_file *f, size_t len,
		       struct series_set *out, uint64_t t_ns)
{
	int ret;

	ret = memcg_parse_into(s, f, len, NULL, 0);
	if (!ret && out)
		ret = memcg_parse_into(s, f, len, out, t_ns);
	if (ret == -EINVAL)
		return err_wrap(ret, "memcg %s", f->file);
	return ret;
}

/* Read and parse one file; -ENOENT without a message for an optional
 * file that is not there. */
static int memcg_read(struct sampler *s, const struct memcg_file *f,
		      struct series_set *out, uint64_t t_ns)
{
	struct memcg_priv *p = s->priv;
	ssize_t len;

	len = cg_tree_read(s->env->cg, s->env->cg_child, f->file, p->text,
			   sizeof(p->text));
	if (f->optional && (len == -ENOENT || len == -EOPNOTSUPP))
		return -ENOENT;
	if (len < 0)
		return (int)len;
	return memcg_parse(s, f, len, out, t_ns);
}

/* Keys of @f that this kernel does not have: absent, noted. */
static void memcg_note_keys(struct sampler *s, const struct memcg_file *f)
{
	struct memcg_priv *p = s->priv;
	int i;

	for (i = 0; f->format == MEMCG_KEYVAL && f->keys[i] && i < 64; i++)
		if (!(p->seen & (1ull << i)))
			sampler_note(s, "no %s in %s on this kernel", f->keys[i], f->file);
}

static int memcg_check_files(struct sampler *s)
{
	struct memcg_priv *p = s->priv;
	int i, ret;

	for (i = 0; i < p->nr_files; i++) {
		ret = memcg_read(s, &p->files[i], NULL, 0);
		if (ret == -ENOENT && p->files[i].optional) {
			p->absent[i] = true;
			sampler_note(s, "no %s on this host", p->files[i].file);
			continue;
		}
		if (ret)
			return ret;
		memcg_note_keys(s, &p->files[i]);
	}
	return 0;
}

static int memcg_open(struct sampler *s)
{
	const struct cg_tree *cg = s->env->cg;
	struct memcg_priv *p;
	int ret;

	if (!cg)
		return err_set(ENOENT, "no memory cgroup in this run");
	if (cg->host.version != CG_V1 && cg->host.version != CG_V2)
		return err_set(ENOENT, "no memory controller on this host");
	p = calloc(1, sizeof(*p));
	if (!p)
		return err_sys(ENOMEM, "memcg sampler");
	p->files = cg->host.version == CG_V2 ? memcg_v2_files : memcg_v1_files;
	p->nr_files = cg->host.version == CG_V2 ? ARRAY_SIZE(memcg_v2_files) :
						  ARRAY_SIZE(memcg_v1_files);
	s->priv = p;
	if (cg->host.version == CG_V1)
		sampler_note(s, "no memory.pressure on cgroup v1 (the psi sampler has it system-wide)");
	ret = memcg_check_files(s);
	if (ret) {
		free(p);
		s->priv = NULL;
	}
	return ret;
}

static int memcg_sample(struct sampler *s, uint64_t t_ns)
{
	struct memcg_priv *p = s->priv;
	int i, ret;

	for (i = 0; i < p->nr_files; i++) {
		if (p->absent[i])
			continue;
		ret = memcg_read(s, &p->files[i], s->out, t_ns);
		if (ret == -ENOENT && p->files[i].optional)
			return err_set(ENOENT, "memcg %s: gone", p->files[i].file);
		if (ret)
			return ret;
	}
	return 0;
}

static void memcg_close(struct sampler *s)
{
	free(s->priv);
}

const struct sampler_ops sampler_memcg_ops = {
	.name = "memcg",
	.open = memcg_open,
	.sample = memcg_sample,
	.close = memcg_close,
};
