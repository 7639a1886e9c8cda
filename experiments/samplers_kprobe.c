// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers_kprobe.c: the shrink_kprobe sampler: every call of
 * the KVM MMU shrinker's scan callback, mmu_shrink_scan(), and what it
 * returned, from a kretprobe event (trace.c) whose "ret" field is read
 * from the binary records of a private trace instance. Unlike the vmscan
 * tracepoints it sees each call, those of do_shrink_slab() and those of
 * the shrinker debugfs scan file alike.
 * A kernel without the function (no MMU shrinker: 6.13 and later, the
 * no-shrinker arm) has no such source, which is never a count of 0.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/procfs.h"
#include "experiments/sampler.h"
#include "experiments/trace.h"

#define KPROBE_FN		"mmu_shrink_scan"
#define KPROBE_SERIES		"kprobe." KPROBE_FN "."
/* include/linux/shrinker.h: the scan made no progress and freed nothing */
#define SHRINK_STOP		UINT64_MAX

struct shrink_kprobe_priv {
	struct trace_inst inst;
	struct tracefs_dynevent *kp;
	struct tep_event *ev;
	struct tep_format_field *ret;
	char event[64];			/* mmu_shrink_scan_<pid>: unique */
	char group_event[96];		/* kvmsqueeze/mmu_shrink_scan_<pid> */
	bool profiled;			/* kprobe_profile has it: misses */
	uint64_t calls, freed, stops;
};

static int kprobe_account(void *arg, struct tep_event *ev, const void *data, int size)
{
	struct shrink_kprobe_priv *p = arg;
	uint64_t retval;
	int ret;

	if (ev != p->ev)
		return 0;
	ret = trace_field_u64(p->ret, data, size, &retval);
	if (ret)
		return err_wrap(ret, "%s", p->inst.path);
	p->calls++;
	if (retval == SHRINK_STOP)
		p->stops++;
	else
		p->freed += retval;
	return 0;
}

static int shrink_kprobe_sample(struct sampler *s, uint64_t t_ns)
{
	static const char *const names[] = { "calls", "freed", "stops" };
	struct shrink_kprobe_priv *p = s->priv;
	uint64_t hits, misses;
	double v[3];
	size_t i;
	int ret;

	ret = trace_inst_drain(&p->inst, kprobe_account, p);
	if (ret)
		return ret;
	v[0] = (double)p->calls;
	v[1] = (double)p->freed;
	v[2] = (double)p->stops;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (series_addf(s->out, t_ns, v[i], KPROBE_SERIES "%s", names[i]))
			return err_sys(ENOMEM, "series " KPROBE_SERIES "%s", names[i]);
	if (series_add(s->out, "kprobe.lost_events", t_ns, (double)p->inst.lost))
		return err_sys(ENOMEM, "series kprobe.lost_events");
	if (!p->profiled)
		return 0;
	ret = trace_kprobe_profile(s->env->tracefs, p->event, &hits, &misses);
	if (ret)
		return err_sys(-ret, "%s/kprobe_profile: %s", s->env->tracefs, p->event);
	if (series_add(s->out, KPROBE_SERIES "missed", t_ns, (double)misses))
		return err_sys(ENOMEM, "series " KPROBE_SERIES "missed");
	return 0;
}

/* The kretprobe, with a name of its own: several runs may probe at once. */
static int kprobe_add(struct sampler *s, struct shrink_kprobe_priv *p)
{
	int ret;

	snprintf(p->event, sizeof(p->event), KPROBE_FN "_%d", (int)getpid());
	snprintf(p->group_event, sizeof(p->group_event), TRACE_PREFIX "/%s", p->event);
	ret = trace_kretprobe_add(s->env->tracefs, p->event, KPROBE_FN, "ret=$retval:u64", &p->kp);
	if (ret == -ENOENT)
		return err_set(ENOENT, "no such function: " KPROBE_FN " is not in this kernel (its KVM has no MMU shrinker, as since 6.13; or KVM is not loaded)");
	return ret;
}

static int shrink_kprobe_open(struct sampler *s)
{
	struct shrink_kprobe_priv *p;
	uint64_t hits, misses;
	char name[32];
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return err_sys(ENOMEM, "shrink_kprobe sampler");
	trace_cleanup_leftovers(s->env->tracefs);
	snprintf(name, sizeof(name), "kprobe-%d", (int)getpid());
	ret = trace_inst_create(&p->inst, s->env->tracefs, name);
	if (ret)
		goto fail_free;
	ret = kprobe_add(s, p);
	if (ret)
		goto fail_inst;
	ret = trace_inst_open_raw(&p->inst, (const char *const[]){ p->group_event, NULL });
	if (!ret)
		ret = trace_inst_field(&p->inst, p->group_event, "ret", &p->ev, &p->ret);
	if (ret)
		goto fail_inst;
	ret = trace_inst_event(&p->inst, p->group_event, 1);
	if (ret)
		goto fail_inst;
	p->profiled = !trace_kprobe_profile(s->env->tracefs, p->event, &hits, &misses);
	if (!p->profiled)
		sampler_note(s, "no %s in %s/kprobe_profile: missed calls not counted",
			     p->event, s->env->tracefs);
	s->priv = p;
	return 0;
fail_inst:
	/* the instance first: the event cannot go while it is on there */
	trace_inst_destroy(&p->inst);
	trace_kprobe_del(p->kp);	/* none yet: nothing to do */
fail_free:
	free(p);
	return ret;
}

static void shrink_kprobe_close(struct sampler *s)
{
	struct shrink_kprobe_priv *p = s->priv;
	int err;

	/* the instance first: the event cannot go while it is on there */
	err = trace_inst_destroy(&p->inst);
	if (err)
		sampler_note(s, "trace instance %s left behind: %s", p->inst.path, strerror(-err));
	err = trace_kprobe_del(p->kp);
	if (err)
		sampler_note(s, "kprobe event %s left behind: %s (echo '-:%s' >> %s/kprobe_events)",
			     p->group_event, strerror(-err), p->group_event, s->env->tracefs);
	free(p);
}

const struct sampler_ops sampler_shrink_kprobe_ops = {
	.name = "shrink_kprobe",
	.open = shrink_kprobe_open,
	.sample = shrink_kprobe_sample,
	.close = shrink_kprobe_close,
};
