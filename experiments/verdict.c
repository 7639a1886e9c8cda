// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/verdict.c: did a run do what its spec asked? Each VM ended
 * as it should, every cgroup limit took effect and every pressure source
 * acted when due: otherwise a line for run.problems saying which and why.
 * Read by the loop (run.c), the result writer (result.c) and the summary
 * (summary.c); it calls none of them.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/metrics.h"
#include "common/util.h"
#include "experiments/verdict.h"

void run_limit_problem(const struct run *r, char *buf, size_t len, const char *verdict)
{
	char size[32];

	format_limit(r->limit_want, size, sizeof(size));
	snprintf(buf, len, "cgroup limit %s (from %.1f s) %s: the kernel refused all %llu writes (%s)",
		 size, r->limit_want_s, verdict, (unsigned long long)r->limit_refusals,
		 r->limit_why);
}

/*
 * A spec whose primary metrics include oom_killed_vms measures OOM kills:
 * a VM the OOM killer took is then an outcome, not a failure.
 */
static bool spec_measures_oom(const struct spec *s)
{
	int i;

	for (i = 0; i < s->nr_primary; i++)
		if (!strcmp(s->primary[i]->name, "oom_killed_vms"))
			return true;
	return false;
}

static void problem_add(struct json_object *arr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem_add(struct json_object *arr, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_object_array_add(arr, json_object_new_string(line));
}

struct json_object *run_problems(const struct run *r, bool complete)
{
	struct json_object *arr = json_object_new_array();
	char line[512];
	int i, sig;

	if (r->interrupted) {
		sig = r->o->interrupt_signal ? *r->o->interrupt_signal : 0;
		problem_add(arr, "interrupted by SIG%s at %.1f s: the run did not go to its end",
			    sig && sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", r->interrupt_s);
	} else if (!complete) {
		problem_add(arr, "partial file, written while the run went on (if it is the last, the runner died)");
	}
	for (i = 0; i < r->nr_vms; i++) {
		const struct vmproc *p = &r->vms[i];
		const char *status = vmproc_status(p);

		if (!strcmp(status, "ok") || !strcmp(status, "running") ||
		    (!strcmp(status, "oom-killed") && spec_measures_oom(r->s)))
			continue;
		vmproc_problem(p, line, sizeof(line));
		problem_add(arr, "%s", line);
	}
	for (i = 0; i < r->nr_selftests; i++) {
		const struct selftest_proc *p = &r->selftests[i];
		const char *status = selftest_status(p);

		if (!strcmp(status, "ok") || !strcmp(status, "running") ||
		    (!strcmp(status, "oom-killed") && spec_measures_oom(r->s)))
			continue;
		selftest_problem(p, line, sizeof(line));
		problem_add(arr, "%s", line);
	}
	run_pressure_applied(r, arr);
	return arr;
}

/* A source that was due before the loop ended (or, in a partial file, by now). */
static bool pressure_due(const struct run *r, const struct pressure_src *p)
{
	double by = r->end_reason ? r->loop_end_s : run_seconds(r, now_ns());

	return p->sp.start_s <= by;
}

int run_pressure_applied(const struct run *r, struct json_object *problems)
{
	char line[512];
	int i, asked = 0, applied = 1;

	if (r->s->cg.schedule != SCHED_NONE) {
		asked = 1;
		if (json_object_array_length(r->limit_missed)) {
			applied = 0;
			for (i = 0; problems && i < (int)json_object_array_length(r->limit_missed); i++)
				json_object_array_add(problems, json_object_get(
					json_object_array_get_idx(r->limit_missed, i)));
		}
		if (r->limit_refusals) {
			applied = 0;
			run_limit_problem(r, line, sizeof(line), r->end_reason ?
					  "never took effect" : "has not taken effect yet");
			if (problems)
				problem_add(problems, "%s", line);
		}
	}
	for (i = 0; i < r->nr_press; i++) {
		const struct pressure_src *p = &r->press[i];
		const char *name = spec_pressure_name(p->sp.kind);

		asked = 1;
		/* the host is left changed: a problem, though the pressure was applied */
		if (p->sp.kind == PRESSURE_NX_HUGE_PAGES && p->available && !p->nx_restored &&
		    problems)
			problem_add(problems, "pressure[%d] %s: the original value %s was not put back: %s",
				    i, name, p->nx_original ? "Y" : "N", p->nx_restore_error);
		if (!pressure_due(r, p) || p->absent)
			continue;
		if (!p->available)
			snprintf(line, sizeof(line), "pressure[%d] %s never acted: unavailable: %s", i,
				 name, p->why);
		else if (p->hog_failed)
			snprintf(line, sizeof(line), "pressure[%d] %s never held its memory (see the pressure_end event)",
				 i, name);
		else if (!p->fired)
			snprintf(line, sizeof(line), "pressure[%d] %s never acted: %llu firings, all failed (see the pressure_error events)",
				 i, name, (unsigned long long)p->failed);
		else
			continue;
		applied = 0;
		if (problems)
			problem_add(problems, "%s", line);
	}
	return asked ? applied : -1;
}

