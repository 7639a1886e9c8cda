// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers_trace.c: the shrink_trace sampler: do_shrink_slab()
 * passes and the objects freed in them, per scan function, from the
 * vmscan tracepoints mm_shrink_slab_start/_end in a private trace
 * instance (trace.c), read as binary records: the scan function is the
 * events' "shrink" field, named from kallsyms as %pS would print it
 * (kallsyms.c: read by a thread from open on, waited for at the first
 * record); the objects freed, mm_shrink_slab_end's "retval". A pass is not a call of
 * the scan function: it may make several or none, and the debugfs scan
 * file makes calls without one (experiments/RESULT.md, "Shrinker counts").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/kallsyms.h"
#include "experiments/procfs.h"
#include "experiments/sampler.h"
#include "experiments/trace.h"

#define SHRINK_START		"vmscan/mm_shrink_slab_start"
#define SHRINK_END		"vmscan/mm_shrink_slab_end"

static const char *const shrink_events[] = { SHRINK_START, SHRINK_END, NULL };

/* Always emitted: zero is a true count while the tracepoints are live. */
#define SHRINK_KVM_SCAN_FN	"mmu_shrink_scan"

struct shrink_count {
	char scan_fn[PROCFS_KEY_LEN];
	uint64_t passes;		/* mm_shrink_slab_start */
	uint64_t freed;			/* mm_shrink_slab_end: freed in the pass */
};

struct shrink_trace_priv {
	struct sampler *s;
	struct trace_inst inst;
	struct kallsyms syms;
	bool syms_waited;
	struct tep_event *start, *end;
	struct tep_format_field *start_fn, *end_fn, *end_ret;
	struct shrink_count all;
	struct shrink_count *fns;
	size_t nr_fns, cap_fns;
};

static struct shrink_count *shrink_count_get(struct shrink_trace_priv *p,
					     const char *scan_fn)
{
	struct shrink_count *c;
	size_t i;

	for (i = 0; i < p->nr_fns; i++)
		if (!strcmp(p->fns[i].scan_fn, scan_fn))
			return &p->fns[i];
	if (p->nr_fns == p->cap_fns) {
		size_t cap = p->cap_fns ? 2 * p->cap_fns : 32;

		c = realloc(p->fns, cap * sizeof(*c));
		if (!c)
			return NULL;
		p->fns = c;
		p->cap_fns = cap;
	}
	c = &p->fns[p->nr_fns++];
	memset(c, 0, sizeof(*c));
	snprintf(c->scan_fn, sizeof(c->scan_fn), "%s", scan_fn);
	return c;
}

/* One record of either event: a pass starts, or ends having freed retval. */
static int trace_account(void *arg, struct tep_event *ev, const void *data, int size)
{
	struct shrink_trace_priv *p = arg;
	char scan_fn[PROCFS_KEY_LEN];
	struct shrink_count *c;
	uint64_t addr, ret;
	int err;

	if (ev != p->start && ev != p->end)
		return 0;
	err = trace_field_u64(ev == p->start ? p->start_fn : p->end_fn, data, size, &addr);
	if (!err && ev == p->end)
		err = trace_field_u64(p->end_ret, data, size, &ret);
	if (err)
		return err_wrap(err, "%s", p->inst.path);
	if (!p->syms_waited && kallsyms_wait(&p->syms))
		sampler_note(p->s, "scan functions named by address: %s", err_msg());
	p->syms_waited = true;
	kallsyms_name(&p->syms, addr, scan_fn, sizeof(scan_fn));
	c = shrink_count_get(p, scan_fn);
	if (!c)
		return err_sys(ENOMEM, "shrink_trace: counting %s", scan_fn);
	if (ev == p->start) {
		c->passes++;
		p->all.passes++;
	} else if ((int32_t)ret >= 0) {	/* an int: the scan function's long, cut */
		c->freed += (int32_t)ret;
		p->all.freed += (int32_t)ret;
	}
	return 0;
}

static int shrink_count_emit(struct sampler *s, const struct shrink_count *c,
			     uint64_t t_ns)
{
	if (series_addf(s->out, t_ns, (double)c->passes, "shrink.%s.count_passes", c->scan_fn) ||
	    series_addf(s->out, t_ns, (double)c->freed, "shrink.%s.pass_freed", c->scan_fn))
		return err_sys(ENOMEM, "series shrink.%s", c->scan_fn);
	return 0;
}

static int shrink_trace_sample(struct sampler *s, uint64_t t_ns)
{
	struct shrink_trace_priv *p = s->priv;
	size_t i;
	int ret;

	ret = trace_inst_drain(&p->inst, trace_account, p);
	if (!ret)
		ret = shrink_count_emit(s, &p->all, t_ns);
	for (i = 0; !ret && i < p->nr_fns; i++)
		ret = shrink_count_emit(s, &p->fns[i], t_ns);
	if (!ret && series_add(s->out, "shrink.lost_events", t_ns, (double)p->inst.lost))
		ret = err_sys(ENOMEM, "series shrink.lost_events");
	return ret;
}

static int trace_events_on(struct shrink_trace_priv *p)
{
	size_t i;
	int ret;

	for (i = 0; shrink_events[i]; i++) {
		ret = trace_inst_event(&p->inst, shrink_events[i], 1);
		if (ret)
			return ret;
	}
	return 0;
}

/* The fields counted, as this kernel's format files lay them out. */
static int trace_fields(struct shrink_trace_priv *p)
{
	struct tep_event *ev;
	int ret;

	ret = trace_inst_field(&p->inst, SHRINK_START, "shrink", &p->start, &p->start_fn);
	if (!ret)
		ret = trace_inst_field(&p->inst, SHRINK_END, "shrink", &p->end, &p->end_fn);
	if (!ret)
		ret = trace_inst_field(&p->inst, SHRINK_END, "retval", &ev, &p->end_ret);
	return ret;
}

static int shrink_trace_open(struct sampler *s)
{
	struct shrink_trace_priv *p;
	char pid[24];
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return err_sys(ENOMEM, "shrink_trace sampler");
	p->s = s;
	snprintf(p->all.scan_fn, sizeof(p->all.scan_fn), "all");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	trace_cleanup_leftovers(s->env->tracefs);
	ret = trace_inst_create(&p->inst, s->env->tracefs, s->env->run_id ? s->env->run_id : pid);
	if (ret)
		goto fail_free;
	ret = trace_inst_open_raw(&p->inst, shrink_events);
	if (!ret)
		ret = trace_fields(p);
	if (!ret)
		ret = trace_events_on(p);
	if (!ret && kallsyms_start(&p->syms, s->env->proc)) {
		sampler_note(s, "scan functions named by address: %s", err_msg());
		p->syms_waited = true;
	}
	if (!ret && !shrink_count_get(p, SHRINK_KVM_SCAN_FN))
		ret = err_sys(ENOMEM, "shrink_trace sampler");
	if (ret)
		goto fail_inst;
	s->priv = p;
	return 0;
fail_inst:
	kallsyms_free(&p->syms);
	trace_inst_destroy(&p->inst);
fail_free:
	free(p);
	return ret;
}

static void shrink_trace_close(struct sampler *s)
{
	struct shrink_trace_priv *p = s->priv;
	int err = trace_inst_destroy(&p->inst);

	if (err)
		sampler_note(s, "trace instance %s left behind: %s", p->inst.path, strerror(-err));
	kallsyms_free(&p->syms);
	free(p->fns);
	free(p);
}

const struct sampler_ops sampler_shrink_trace_ops = {
	.name = "shrink_trace",
	.open = shrink_trace_open,
	.sample = shrink_trace_sample,
	.close = shrink_trace_close,
};
