// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers_proc.c: the system-wide /proc samplers: meminfo,
 * vmstat and memory PSI (/proc/pressure/memory).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common/err.h"
#include "experiments/procfs.h"
#include "experiments/sampler.h"

/* A "key value" file under env->proc, some of whose keys are sampled. */
struct proc_kv_source {
	const char *file;
	int (*parse)(const char *buf, size_t len, procfs_kv_fn fn, void *arg);
	const char *prefix, *suffix;
	const char *const *keys;
};

struct proc_kv_priv {
	const struct proc_kv_source *src;
	char text[SAMPLER_TEXT_LEN];
};

/* SecPageTables exists since 6.0; a key this kernel lacks is just absent. */
static const char *const meminfo_keys[] = {
	"SecPageTables", "PageTables", "KernelStack", "Slab", "SReclaimable",
	"SUnreclaim", "MemFree", "MemAvailable", NULL,
};

static const struct proc_kv_source meminfo_source = {
	.file = "meminfo",
	.parse = procfs_parse_meminfo,
	.prefix = "meminfo.",
	.suffix = "_kb",
	.keys = meminfo_keys,
};

/* Cumulative counts, as read. */
static const char *const vmstat_keys[] = {
	"pgscan*", "pgsteal*", "allocstall*", "workingset_refault*",
	"slabs_scanned", "oom_kill", "pgmajfault", NULL,
};

static const struct proc_kv_source vmstat_source = {
	.file = "vmstat",
	.parse = procfs_parse_keyval,
	.prefix = "vmstat.",
	.suffix = "",
	.keys = vmstat_keys,
};

static int proc_kv_read(struct sampler *s, struct sampler_kv *kv)
{
	struct proc_kv_priv *p = s->priv;
	struct sampler_kv dry = { .keys = kv->keys };
	ssize_t len;
	int ret;

	len = procfs_read(p->text, sizeof(p->text), "%s/%s", s->env->proc,
			  p->src->file);
	if (len < 0)
		return len;
	/* all of it or nothing: check the text before adding any of it */
	ret = p->src->parse(p->text, len, sampler_kv_add, &dry);
	if (!ret && kv->out)
		ret = p->src->parse(p->text, len, sampler_kv_add, kv);
	if (ret == -EINVAL)
		return err_wrap(ret, "%s/%s", s->env->proc, p->src->file);
	kv->seen = dry.seen;
	return ret;
}

/* Read once to see that the file is there and parses; note what is not. */
static int proc_kv_open(struct sampler *s, const struct proc_kv_source *src)
{
	struct sampler_kv kv = { .keys = src->keys };
	struct proc_kv_priv *p;
	int i, ret;

	p = malloc(sizeof(*p));
	if (!p)
		return err_sys(ENOMEM, "%s sampler", src->file);
	p->src = src;
	s->priv = p;
	ret = proc_kv_read(s, &kv);
	if (ret) {
		free(p);
		s->priv = NULL;
		return ret;
	}
	for (i = 0; src->keys[i] && i < 64; i++)
		if (!(kv.seen & (1ull << i)))
			sampler_note(s, "no %s in %s/%s on this kernel", src->keys[i],
				     s->env->proc, src->file);
	return 0;
}

static int proc_kv_sample(struct sampler *s, uint64_t t_ns)
{
	struct proc_kv_priv *p = s->priv;
	struct sampler_kv kv = {
		.out = s->out, .t_ns = t_ns, .prefix = p->src->prefix,
		.suffix = p->src->suffix, .keys = p->src->keys,
	};

	return proc_kv_read(s, &kv);
}

static void proc_kv_close(struct sampler *s)
{
	free(s->priv);
}

static int meminfo_open(struct sampler *s)
{
	return proc_kv_open(s, &meminfo_source);
}

static int vmstat_open(struct sampler *s)
{
	return proc_kv_open(s, &vmstat_source);
}

const struct sampler_ops sampler_meminfo_ops = {
	.name = "meminfo",
	.open = meminfo_open,
	.sample = proc_kv_sample,
	.close = proc_kv_close,
};

const struct sampler_ops sampler_vmstat_ops = {
	.name = "vmstat",
	.open = vmstat_open,
	.sample = proc_kv_sample,
	.close = proc_kv_close,
};

struct psi_priv {
	char text[4096];
};

static int psi_read(struct sampler *s, struct sampler_psi *psi)
{
	struct sampler_psi dry = { 0 };
	struct psi_priv *p = s->priv;
	ssize_t len;
	int ret;

	len = procfs_read(p->text, sizeof(p->text), "%s/pressure/memory",
			  s->env->proc);
	if (len == -EOPNOTSUPP)
		return err_set(EOPNOTSUPP, "PSI is disabled (psi=0 on the kernel command line)");
	if (len < 0)
		return len;
	/* all of it or nothing, as for the key/value files */
	ret = procfs_parse_psi(p->text, len, sampler_psi_add, &dry);
	if (!ret && psi->out)
		ret = procfs_parse_psi(p->text, len, sampler_psi_add, psi);
	psi->nr_added = dry.nr_added;
	if (ret == -EINVAL)
		return err_wrap(ret, "%s/pressure/memory", s->env->proc);
	return ret;
}

static int psi_open(struct sampler *s)
{
	struct sampler_psi psi = { 0 };
	char dir[PATH_MAX];
	struct stat st;
	int ret;

	snprintf(dir, sizeof(dir), "%s/pressure", s->env->proc);
	if (stat(dir, &st) && errno == ENOENT)
		return err_set(ENOENT, "no %s (kernel without CONFIG_PSI, or booted with psi=0)",
			       dir);
	s->priv = malloc(sizeof(struct psi_priv));
	if (!s->priv)
		return err_sys(ENOMEM, "psi sampler");
	ret = psi_read(s, &psi);
	if (!ret && psi.nr_added != 4)
		ret = err_set(EINVAL, "%s/memory: no \"some\" and \"full\" lines", dir);
	if (ret) {
		free(s->priv);
		s->priv = NULL;
	}
	return ret;
}

static int psi_sample(struct sampler *s, uint64_t t_ns)
{
	struct sampler_psi psi = {
		.out = s->out, .t_ns = t_ns, .prefix = "psi.memory.",
	};

	return psi_read(s, &psi);
}

static void psi_close(struct sampler *s)
{
	free(s->priv);
}

const struct sampler_ops sampler_psi_ops = {
	.name = "psi",
	.open = psi_open,
	.sample = psi_sample,
	.close = psi_close,
};
