// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/shrink_tally.c: shrinker passes per scan function address,
 * snapshotted at each sample and named at the end (shrink_tally.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "experiments/kallsyms.h"
#include "experiments/procfs.h"
#include "experiments/series.h"
#include "experiments/shrink_tally.h"

/* Room for @n items of @size in *@arr (capacity *@cap). */
static int grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? 2 * *cap : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*(void **)arr, want * size);
	if (!p)
		return -ENOMEM;
	*(void **)arr = p;
	*cap = want;
	return 0;
}

/* The counts of the function at @addr in *@f, added when new. */
static int fn_get(struct shrink_tally *t, uint64_t addr, struct shrink_fn **f)
{
	size_t i;

	for (i = t->nr_fns; i-- > 0;)
		if (t->fns[i].addr == addr) {
			*f = &t->fns[i];
			return 0;
		}
	if (t->nr_fns == SHRINK_TALLY_MAX_FNS)
		return err_set(E2BIG, "shrink_trace: more than %d scan functions",
			       SHRINK_TALLY_MAX_FNS);
	if (grow(&t->fns, &t->cap_fns, t->nr_fns, sizeof(*t->fns)))
		return err_sys(ENOMEM, "shrink_trace: counting");
	*f = &t->fns[t->nr_fns++];
	memset(*f, 0, sizeof(**f));
	(*f)->addr = addr;
	return 0;
}

int shrink_tally_pass(struct shrink_tally *t, uint64_t addr)
{
	struct shrink_fn *f;
	int ret = fn_get(t, addr, &f);

	if (ret)
		return ret;
	f->passes++;
	t->passes++;
	return 0;
}

int shrink_tally_freed(struct shrink_tally *t, uint64_t addr, int64_t freed)
{
	struct shrink_fn *f;
	int ret = fn_get(t, addr, &f);

	if (ret)
		return ret;
	if (freed > 0) {
		f->freed += (uint64_t)freed;
		t->freed += (uint64_t)freed;
	}
	return 0;
}

int shrink_tally_snap(struct shrink_tally *t, uint64_t t_ns)
{
	struct shrink_snap *s;
	size_t i;

	if (grow(&t->snaps, &t->cap_snaps, t->nr_snaps, sizeof(*t->snaps)))
		return err_sys(ENOMEM, "shrink_trace: samples");
	while (t->cap_hist - t->nr_hist < t->nr_fns)
		if (grow(&t->hist, &t->cap_hist, t->cap_hist, sizeof(*t->hist)))
			return err_sys(ENOMEM, "shrink_trace: samples");
	s = &t->snaps[t->nr_snaps++];
	s->t_ns = t_ns;
	s->at = t->nr_hist;
	s->nr = t->nr_fns;
	for (i = 0; i < t->nr_fns; i++) {
		t->hist[t->nr_hist].passes = t->fns[i].passes;
		t->hist[t->nr_hist++].freed = t->fns[i].freed;
	}
	return 0;
}

/* The series of every address named @name (none: zeros). */
static int emit_one(const struct shrink_tally *t, char (*names)[PROCFS_KEY_LEN],
		    const char *name, struct series_set *out)
{
	struct shrink_count sum;
	size_t k, i;

	for (k = 0; k < t->nr_snaps; k++) {
		const struct shrink_snap *s = &t->snaps[k];

		sum.passes = sum.freed = 0;
		for (i = 0; i < s->nr; i++)
			if (!strcmp(names[i], name)) {
				sum.passes += t->hist[s->at + i].passes;
				sum.freed += t->hist[s->at + i].freed;
			}
		if (series_addf(out, s->t_ns, (double)sum.passes, "shrink.%s.count_passes", name) ||
		    series_addf(out, s->t_ns, (double)sum.freed, "shrink.%s.pass_freed", name))
			return err_sys(ENOMEM, "series shrink.%s", name);
	}
	return 0;
}

static bool named_before(char (*names)[PROCFS_KEY_LEN], size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(names[j], names[i]))
			return true;
	return false;
}

int shrink_tally_emit(const struct shrink_tally *t, const struct kallsyms *k,
		      const char *const *always, struct series_set *out)
{
	char (*names)[PROCFS_KEY_LEN];
	size_t i;
	int ret = 0;

	names = calloc(t->nr_fns + 1, sizeof(*names));
	if (!names)
		return err_sys(ENOMEM, "shrink_trace: names");
	for (i = 0; i < t->nr_fns; i++)
		kallsyms_name(k, t->fns[i].addr, names[i], sizeof(names[i]));
	for (i = 0; !ret && i < t->nr_fns; i++)
		if (!named_before(names, i))
			ret = emit_one(t, names, names[i], out);
	for (; !ret && always && *always; always++) {
		for (i = 0; i < t->nr_fns && strcmp(names[i], *always); i++)
			;
		if (i == t->nr_fns)
			ret = emit_one(t, names, *always, out);
	}
	free(names);
	return ret;
}

void shrink_tally_free(struct shrink_tally *t)
{
	free(t->fns);
	free(t->snaps);
	free(t->hist);
	memset(t, 0, sizeof(*t));
}
