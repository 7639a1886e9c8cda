// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers_trace.c: the shrink_trace sampler: do_shrink_slab()
 * passes and the objects freed in them, per scan function, from the
 * vmscan tracepoints mm_shrink_slab_start/_end in a private trace
 * instance (trace.c), read as binary records: the scan function is the
 * events' "shrink" field; the objects freed, mm_shrink_slab_end's
 * "retval". "shrink.all.*" is written at every sample; the per-function
 * series ("shrink.<function>.*", named from kallsyms as %pS would name
 * them) are kept by address (shrink_tally.c) and written whole once the
 * VMs have stopped (the finish op), or when the sampler is closed. A pass is not a call of
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
#include "experiments/sampler.h"
#include "experiments/shrink_tally.h"
#include "experiments/trace.h"

#define SHRINK_START		"vmscan/mm_shrink_slab_start"
#define SHRINK_END		"vmscan/mm_shrink_slab_end"

static const char *const shrink_events[] = { SHRINK_START, SHRINK_END, NULL };

/* Always emitted: zero is a true count while the tracepoints are live. */
static const char *const shrink_always[] = { "mmu_shrink_scan", NULL };

struct shrink_trace_priv {
	struct trace_inst inst;
	struct tep_event *start, *end;
	struct tep_format_field *start_fn, *end_fn, *end_ret;
	struct shrink_tally tally;
	bool named;			/* the per-function series are out */
};

/* One record of either event: a pass starts, or ends having freed retval. */
static int trace_account(void *arg, struct tep_event *ev, const void *data, int size)
{
	struct shrink_trace_priv *p = arg;
	uint64_t addr, ret;
	int err;

	if (ev != p->start && ev != p->end)
		return 0;
	err = trace_field_u64(ev == p->start ? p->start_fn : p->end_fn, data, size, &addr);
	if (!err && ev == p->end)
		err = trace_field_u64(p->end_ret, data, size, &ret);
	if (err)
		return err_wrap(err, "%s", p->inst.path);
	if (ev == p->start)
		return shrink_tally_pass(&p->tally, addr);
	/* an int: the scan function's long, cut */
	return shrink_tally_freed(&p->tally, addr, (int32_t)ret);
}

static int shrink_trace_sample(struct sampler *s, uint64_t t_ns)
{
	struct shrink_trace_priv *p = s->priv;
	int ret;

	ret = trace_inst_drain(&p->inst, trace_account, p);
	if (!ret)
		ret = shrink_tally_snap(&p->tally, t_ns);
	if (!ret && (series_add(s->out, "shrink.all.count_passes", t_ns, (double)p->tally.passes) ||
		     series_add(s->out, "shrink.all.pass_freed", t_ns, (double)p->tally.freed) ||
		     series_add(s->out, "shrink.lost_events", t_ns, (double)p->inst.lost)))
		ret = err_sys(ENOMEM, "series shrink.all");
	return ret;
}

/*
 * The per-function series, named from kallsyms now that nothing beside
 * the guests is to be timed (or, after a failure, now that they are all
 * there is).
 */
static void shrink_trace_name(struct sampler *s)
{
	struct shrink_trace_priv *p = s->priv;
	struct kallsyms syms;

	if (p->named)
		return;
	p->named = true;
	if (kallsyms_load(&syms, s->env->proc))
		sampler_note(s, "scan functions named by address: %s", err_msg());
	if (shrink_tally_emit(&p->tally, &syms, shrink_always, s->out))
		sampler_note(s, "per-function series incomplete: %s", err_msg());
	kallsyms_free(&syms);
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
	if (ret)
		goto fail_inst;
	s->priv = p;
	return 0;
fail_inst:
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
	shrink_trace_name(s);
	shrink_tally_free(&p->tally);
	free(p);
}

const struct sampler_ops sampler_shrink_trace_ops = {
	.name = "shrink_trace",
	.open = shrink_trace_open,
	.sample = shrink_trace_sample,
	.finish = shrink_trace_name,
	.close = shrink_trace_close,
};
