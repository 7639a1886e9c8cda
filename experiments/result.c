// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/result.c: a run as JSON (experiments/RESULT.md): provenance
 * (with --arm, the kernel arm's description), sources and why some are
 * missing, every time series, phases, events, each VM's own results, and
 * the summary (summary.c). Written atomically; a partial file while the
 * run goes on.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/command.h"
#include "common/err.h"
#include "common/json.h"
#include "common/metrics.h"
#include "common/util.h"
#include "experiments/run.h"
#include "experiments/summary.h"
#include "experiments/verdict.h"
#include "vmm/vm_report.h"

#define RESULT_SCHEMA	1

/* --- provenance --- */

/* The host as the VMM reports it (vm_report.c), and what only the runner knows. */
static struct json_object *host_json(const struct run *r)
{
	struct json_object *o = host_info_json(&r->host);

	json_object_object_add(o, "nr_cpus", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(o, "mem_total_bytes", json_object_new_int64(
		(int64_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE)));
	json_object_object_add(o, "lab", json_object_new_boolean(r->o->in_lab));
	json_object_object_add(o, "arm", jstr(r->o->arm));
	json_object_object_add(o, "accel", jstr(r->o->accel));
	json_object_object_add(o, "clock", jstr(r->o->clock ? r->o->clock : "host"));
	json_object_object_add(o, "icount_shift", r->o->clock && !strcmp(r->o->clock, "icount") ?
			       json_object_new_int(r->o->icount_shift) : NULL);
	return o;
}

static const char *run_status(const struct run *r, bool complete, struct json_object *problems)
{
	if (r->interrupted)
		return "interrupted";
	return complete && !json_object_array_length(problems) ? "ok" : "failed";
}

static struct json_object *run_json(const struct run *r, bool complete)
{
	struct json_object *o = json_object_new_object();
	struct json_object *problems = run_problems(r, complete);
	uint64_t end = r->end_ns ? r->end_ns : now_ns();

	json_object_object_add(o, "id", jstr(r->o->run_id));
	json_object_object_add(o, "experiment", jstr(r->s->name));
	json_object_object_add(o, "rep", json_object_new_int(r->o->rep));
	json_object_object_add(o, "reps", json_object_new_int(r->o->nr_reps));
	json_object_object_add(o, "tag", jstr(r->o->tag));
	json_object_object_add(o, "block", r->o->block ? json_object_new_int(r->o->block) : NULL);
	json_object_object_add(o, "started_at", jstr(r->started_at));
	json_object_object_add(o, "command_line", jstr(r->o->cmdline));
	json_object_object_add(o, "duration_s", jnum(r->s->duration_s));
	json_object_object_add(o, "duration_override_s", r->o->duration_override > 0 ?
			       jnum(r->o->duration_override) : NULL);
	json_object_object_add(o, "scale", jnum(r->o->scale > 0 ? r->o->scale : 1));
	json_object_object_add(o, "sample_period_ms", jnum(r->s->sample_period_s * 1000));
	json_object_object_add(o, "run_s", jnum(run_seconds(r, end)));
	json_object_object_add(o, "loop_s", r->loop_s > 0 ? jnum(r->loop_s) : NULL);
	json_object_object_add(o, "loop_cpu_s", r->loop_s > 0 ? jnum(r->loop_cpu_s) : NULL);
	json_object_object_add(o, "loop_wakeups", r->loop_s > 0 ?
			       json_object_new_int64((int64_t)r->loop_wakeups) : NULL);
	json_object_object_add(o, "end_reason", complete || r->end_reason ?
			       jstr(r->end_reason) : jstr("still running (partial file)"));
	json_object_object_add(o, "status", jstr(run_status(r, complete, problems)));
	json_object_object_add(o, "problems", problems);
	return o;
}

static struct json_object *cgroup_json(const struct run *r)
{
	struct json_object *o = json_object_new_object();
	const char *knob = r->s->cg.knob == CG_KNOB_HIGH ? "high" : "max";

	json_object_object_add(o, "version", jstr(cg_version_name(r->cg_host.version)));
	json_object_object_add(o, "mount", jstr(r->cg_host.mount));
	json_object_object_add(o, "tree", jstr(r->tree.name));
	json_object_object_add(o, "knob", jstr(knob));
	json_object_object_add(o, "knob_file", jstr(cg_knob_file(&r->cg_host, r->s->cg.knob)));
	if (r->cg_host.version == CG_V1 && r->s->cg.knob == CG_KNOB_HIGH &&
	    r->s->cg.schedule != SCHED_NONE)
		json_object_object_add(o, "note", jstr("cgroup v1 has no memory.high: the limit was applied as memory.limit_in_bytes, a hard limit"));
	return o;
}

static struct json_object *sources_json(const struct run *r)
{
	struct json_object *arr = json_object_new_array();
	int i;

	for (i = 0; r->samplers && i < nr_sampler_ops; i++) {
		const struct sampler *s = &r->samplers[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", jstr(s->ops->name));
		json_object_object_add(o, "kind", jstr("sampler"));
		json_object_object_add(o, "available", json_object_new_boolean(s->available));
		if (!s->available)
			json_object_object_add(o, "why", jstr(s->why));
		if (s->note[0])
			json_object_object_add(o, "note", jstr(s->note));
		json_object_object_add(o, "samples", json_object_new_int64((int64_t)s->samples));
		json_object_object_add(o, "cpu_s", jnum((double)s->cpu_ns / 1e9));
		json_object_array_add(arr, o);
	}
	for (i = 0; i < r->nr_press; i++) {
		const struct pressure_src *p = &r->press[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", jstr(spec_pressure_name(p->sp.kind)));
		json_object_object_add(o, "kind", jstr("pressure"));
		json_object_object_add(o, "available", json_object_new_boolean(p->available));
		if (!p->available)
			json_object_object_add(o, "why", jstr(p->why));
		json_object_object_add(o, "fired", json_object_new_int64((int64_t)p->fired));
		json_object_object_add(o, "failed", json_object_new_int64((int64_t)p->failed));
		if (p->sp.kind == PRESSURE_NX_HUGE_PAGES && p->available) {
			json_object_object_add(o, "original", jstr(p->nx_original ? "Y" : "N"));
			json_object_object_add(o, "restored", p->nx_restored < 0 ? NULL :
					       json_object_new_boolean(p->nx_restored));
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

/*
 * Series are most of a result file and formatting doubles is most of the
 * cost of writing one: times are whole milliseconds and most values are
 * counts, so both are written through integer formatting.
 */
static struct json_object *time_json(uint64_t t_ns)
{
	uint64_t ms = (t_ns + 500000) / 1000000;
	char text[32];

	snprintf(text, sizeof(text), "%llu.%03u", (unsigned long long)(ms / 1000),
		 (unsigned int)(ms % 1000));
	return json_object_new_double_s((double)ms / 1e3, text);
}

static struct json_object *value_json(double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_object_new_int64((int64_t)v);
	return json_object_new_double(v);
}

static struct json_object *series_json(const struct series_set *set)
{
	struct json_object *o = json_object_new_object();
	size_t i, j;

	for (i = 0; i < set->n; i++) {
		const struct series *s = &set->s[i];
		struct json_object *one = json_object_new_object();
		struct json_object *t = json_object_new_array_ext((int)s->n);
		struct json_object *v = json_object_new_array_ext((int)s->n);

		for (j = 0; j < s->n; j++) {
			json_object_array_add(t, time_json(s->t_ns[j]));
			json_object_array_add(v, value_json(s->v[j]));
		}
		json_object_object_add(one, "t_s", t);
		json_object_object_add(one, "v", v);
		json_object_object_add(o, s->name, one);
	}
	return o;
}

static struct json_object *phases_json(const struct run *r)
{
	struct json_object *arr = json_object_new_array();
	int i, j;

	for (i = 0; i < r->nr_vms; i++) {
		for (j = 0; j < r->vms[i].nr_phases; j++) {
			const struct vmproc_phase *ph = &r->vms[i].phases[j];
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "vm", json_object_new_int(i));
			json_object_object_add(o, "vcpu", json_object_new_int(ph->vcpu));
			json_object_object_add(o, "name", jstr(ph->name));
			json_object_object_add(o, "edge", jstr(ph->edge == KVMSQ_PHASE_BEGIN ?
							       "begin" : "end"));
			json_object_object_add(o, "t_s", jnum(run_seconds(r, ph->host_ns)));
			json_object_array_add(arr, o);
		}
	}
	return arr;
}

/* --- each VM --- */

static struct json_object *vm_json(const struct run *r, const struct vmproc *p)
{
	const struct spec_vm *sv = &r->s->vms[p->group];
	struct json_object *o = json_object_new_object(), *res = NULL;
	char end[64], why[512];

	vmproc_end_text(p, end, sizeof(end));
	vmproc_last_error(p, why, sizeof(why));
	json_object_object_add(o, "index", json_object_new_int(p->index));
	json_object_object_add(o, "group", json_object_new_int(p->group));
	json_object_object_add(o, "guest", jstr(sv->guest));
	json_object_object_add(o, "vcpus", json_object_new_int(sv->vcpus));
	json_object_object_add(o, "mem_bytes", json_object_new_int64((int64_t)sv->mem_bytes));
	json_object_object_add(o, "backing", jstr(mem_backing_name(sv->backing)));
	json_object_object_add(o, "pid", json_object_new_int(p->pid));
	json_object_object_add(o, "status", jstr(vmproc_status(p)));
	json_object_object_add(o, "end", jstr(vmproc_end_kind(p)));
	json_object_object_add(o, "end_detail", jstr(end));
	json_object_object_add(o, "error", why[0] ? jstr(why) : NULL);
	json_object_object_add(o, "start_s", p->start_ns ? jnum(run_seconds(r, p->start_ns)) : NULL);
	json_object_object_add(o, "end_s", p->end_ns ? jnum(run_seconds(r, p->end_ns)) : NULL);
	if (p->state == VMPROC_ENDED && access(p->result_path, R_OK) == 0)
		res = json_object_from_file(p->result_path);
	json_object_object_add(o, "result", res);
	json_object_object_add(o, "log", jstr(p->log_path));
	return o;
}

static struct json_object *vms_json(const struct run *r)
{
	struct json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < r->nr_vms; i++)
		json_object_array_add(arr, vm_json(r, &r->vms[i]));
	return arr;
}

/* --- each selftest --- */

static struct json_object *selftest_json(const struct run *r, const struct selftest_proc *p)
{
	struct json_object *o = json_object_new_object(), *args = json_object_new_array();
	const struct spec_selftest *st = p->st;
	struct selftest_out *out = malloc(sizeof(*out));
	int i, ws = p->wait_status;
	bool ended = p->state == SELFTEST_ENDED;
	char end[64];

	selftest_end_text(p, end, sizeof(end));
	for (i = 0; i < st->nr_args; i++)
		json_object_array_add(args, jstr(st->args[i]));
	json_object_object_add(o, "index", json_object_new_int(p->index));
	json_object_object_add(o, "program", jstr(selftest_progs[st->prog].program));
	json_object_object_add(o, "args", args);
	json_object_object_add(o, "path", jstr(p->path));
	json_object_object_add(o, "pid", json_object_new_int(p->pid));
	json_object_object_add(o, "status", jstr(selftest_status(p)));
	json_object_object_add(o, "end_detail", jstr(end));
	json_object_object_add(o, "exit", ended && WIFEXITED(ws) ?
			       json_object_new_int(WEXITSTATUS(ws)) : NULL);
	json_object_object_add(o, "signal", ended && WIFSIGNALED(ws) && sigabbrev_np(WTERMSIG(ws)) ?
			       jstr(sigabbrev_np(WTERMSIG(ws))) : NULL);
	json_object_object_add(o, "start_s", p->start_ns ? jnum(run_seconds(r, p->start_ns)) : NULL);
	json_object_object_add(o, "end_s", p->end_ns ? jnum(run_seconds(r, p->end_ns)) : NULL);
	json_object_object_add(o, "log", jstr(p->log_path));
	if (out) {
		selftest_out_init(out, st->prog);
		/* no log (it never started): null, not an empty output */
		json_object_object_add(o, "output", selftest_out_file(out, p->log_path) ? NULL :
				       selftest_out_json(out));
		free(out);
	}
	return o;
}

static struct json_object *selftests_json(const struct run *r)
{
	struct json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < r->nr_selftests; i++)
		json_object_array_add(arr, selftest_json(r, &r->selftests[i]));
	return arr;
}

static struct json_object *notes_json(const struct run *r)
{
	struct json_object *arr = json_object_new_array();
	struct agg sec = series_agg(&r->series, "meminfo.SecPageTables_kb");

	if (!strcmp(r->host.kvm_module, "kvm_pvm"))
		json_object_array_add(arr, jstr("kvm_pvm: this KVM always uses shadow paging and runs guests without hardware virtualization"));
	if (sec.found && sec.peak == sec.first && !strcmp(r->host.mmu, "shadow"))
		json_object_array_add(arr, jstr("SecPageTables never moved during the run: this KVM does not count its shadow pages there; page-table memory shows only in kernel memory charged to the cgroup"));
	return arr;
}

struct json_object *result_build(struct run *r, bool complete)
{
	struct json_object *o = json_object_new_object(), *vms = vms_json(r);

	json_object_object_add(o, "schema", json_object_new_int(RESULT_SCHEMA));
	json_object_object_add(o, "complete", json_object_new_boolean(complete));
	json_object_object_add(o, "tool", json_object_new_object());
	json_object_object_add(json_object_object_get(o, "tool"), "name", jstr("kvmsqueeze"));
	json_object_object_add(json_object_object_get(o, "tool"), "version", jstr(KVMSQ_VERSION));
	json_object_object_add(o, "run", run_json(r, complete));
	json_object_object_add(o, "host", host_json(r));
	/* as --arm gave it (arm.c checked every key); absent without --arm */
	if (r->o->arm_desc)
		json_object_object_add(o, "arm", json_object_get(r->o->arm_desc));
	json_object_object_add(o, "cgroup", cgroup_json(r));
	json_object_object_add(o, "spec", json_object_get(r->s->json));
	json_object_object_add(o, "notes", notes_json(r));
	json_object_object_add(o, "sources", sources_json(r));
	json_object_object_add(o, "summary", summary_json(r, vms));
	json_object_object_add(o, "events", json_object_get(r->events));
	json_object_object_add(o, "phases", phases_json(r));
	json_object_object_add(o, "vms", vms);
	if (r->s->nr_selftests)
		json_object_object_add(o, "selftests", selftests_json(r));
	json_object_object_add(o, "series", series_json(&r->series));
	return o;
}

int result_write(struct run *r, bool complete)
{
	struct json_object *o = result_build(r, complete);
	int ret = json_write_file(o, r->result_path);

	json_object_put(o);
	return ret;
}
