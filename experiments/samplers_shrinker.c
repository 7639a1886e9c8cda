// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers_shrinker.c: the shrinker sampler: the object count
 * of the KVM MMU shrinkers ("x86-mmu-<id>") from the shrinker debugfs
 * (CONFIG_SHRINKER_DEBUG), summed over memcgs and NUMA nodes.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "experiments/procfs.h"
#include "experiments/sampler.h"

#define SHRINKER_PREFIX	"x86-mmu"
#define SHRINKER_MAX	16

struct shrinker_priv {
	int nr;
	char names[SHRINKER_MAX][NAME_MAX + 1];	/* "x86-mmu-12", sorted */
	char text[SAMPLER_TEXT_LEN];
};

/* A real debugfs is never empty; an empty directory is a mount point. */
static int debugfs_check(const char *path)
{
	struct dirent *d;
	bool found = false;
	DIR *dir;

	dir = opendir(path);
	if (!dir && (errno == EACCES || errno == EPERM))
		return err_sys(errno, "%s (debugfs is for root only)", path);
	if (dir) {
		while (!found && (d = readdir(dir)))
			found = strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
		closedir(dir);
	}
	if (!found)
		return err_set(ENOENT, "debugfs is not mounted at %s (mount -t debugfs none %s)",
			       path, path);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int shrinker_find(struct sampler *s, struct shrinker_priv *p,
			 const char *path)
{
	struct dirent *d;
	DIR *dir;

	dir = opendir(path);
	if (!dir && errno == ENOENT)
		return err_set(ENOENT, "no %s (kernel without CONFIG_SHRINKER_DEBUG, as Debian's)",
			       path);
	if (!dir)
		return err_sys(errno, "%s", path);
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, SHRINKER_PREFIX, strlen(SHRINKER_PREFIX)))
			continue;
		if (p->nr == SHRINKER_MAX) {
			sampler_note(s, "more than %d x86-mmu shrinkers: %s and later not sampled",
				     SHRINKER_MAX, d->d_name);
			break;
		}
		snprintf(p->names[p->nr++], sizeof(p->names[0]), "%s", d->d_name);
	}
	closedir(dir);
	if (!p->nr)
		return err_set(ENOENT, "no x86-mmu shrinker registered in %s (kvm not loaded, or a kernel since 6.13)",
			       path);
	qsort(p->names, p->nr, sizeof(p->names[0]), name_cmp);
	return 0;
}

/* One shrinker's count to its series (@out NULL: only check it). */
static int shrinker_read(struct sampler *s, int i, struct series_set *out,
			 uint64_t t_ns)
{
	struct shrinker_priv *p = s->priv;
	uint64_t count;
	ssize_t len;
	int ret;

	len = procfs_read(p->text, sizeof(p->text), "%s/shrinker/%s/count",
			  s->env->debugfs, p->names[i]);
	if (len < 0)
		return len;
	ret = procfs_parse_shrinker_count(p->text, len, &count);
	if (ret)
		return err_wrap(ret, "%s/shrinker/%s/count", s->env->debugfs, p->names[i]);
	if (out && series_addf(out, t_ns, (double)count, "shrinker.%s.count", p->names[i]))
		return err_sys(ENOMEM, "series shrinker.%s.count", p->names[i]);
	return 0;
}

static int shrinker_open(struct sampler *s)
{
	const char *debugfs = s->env->debugfs;
	char path[PATH_MAX];
	struct shrinker_priv *p;
	int i, ret;

	ret = debugfs_check(debugfs);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/shrinker", debugfs);
	p = calloc(1, sizeof(*p));
	if (!p)
		return err_sys(ENOMEM, "shrinker sampler");
	s->priv = p;
	ret = shrinker_find(s, p, path);
	for (i = 0; !ret && i < p->nr; i++)
		ret = shrinker_read(s, i, NULL, 0);
	if (ret) {
		free(p);
		s->priv = NULL;
	}
	return ret;
}

static int shrinker_sample(struct sampler *s, uint64_t t_ns)
{
	struct shrinker_priv *p = s->priv;
	int i, ret;

	for (i = 0; i < p->nr; i++) {
		ret = shrinker_read(s, i, s->out, t_ns);
		if (ret)
			return ret;
	}
	return 0;
}

static void shrinker_close(struct sampler *s)
{
	free(s->priv);
}

const struct sampler_ops sampler_shrinker_ops = {
	.name = "shrinker",
	.open = shrinker_open,
	.sample = shrinker_sample,
	.close = shrinker_close,
};
