// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/run.c: one repetition, start to end. Setup in order (cgroup
 * tree, samplers, pressure sources, VM processes), one loop that samples,
 * follows the limit schedule, fires pressure and watches the VMs, then
 * teardown in reverse order on every path, interrupted or not.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/run.h"
#include "experiments/verdict.h"

static const char *const cg_children[] = { "vms", "hog" };

static double run_now_s(const struct run *r)
{
	return run_seconds(r, now_ns());
}

static void run_event_va(struct run *r, double t_s, const char *type, const char *fmt,
			 va_list ap)
{
	struct json_object *e = json_object_new_object();
	char detail[512];

	vsnprintf(detail, sizeof(detail), fmt, ap);
	json_object_object_add(e, "t_s", json_object_new_double(t_s));
	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_object_add(e, "detail", json_object_new_string(detail));
	json_object_array_add(r->events, e);
}

void run_event(struct run *r, const char *type, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run_event_va(r, run_now_s(r), type, fmt, ap);
	va_end(ap);
}

/* An event stamped when it began (a pressure action may take seconds). */
static void run_event_at(struct run *r, double t_s, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void run_event_at(struct run *r, double t_s, const char *type, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run_event_va(r, t_s, type, fmt, ap);
	va_end(ap);
}

/* One line per step on stderr; the live line (a terminal) is redrawn. */
static void progress(const struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void progress(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s[%s rep %d/%d %6.2f s] ", r->o->live ? "\r\033[K" : "",
		r->s->name, r->o->rep, r->o->nr_reps, run_now_s(r));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void progress_live(struct run *r)
{
	const struct series *pt = series_find(&r->series, "meminfo.SecPageTables_kb");
	char limit[32] = "none";
	int i, running = 0;

	if (!r->o->live)
		return;
	for (i = 0; i < r->nr_vms; i++)
		running += r->vms[i].state == VMPROC_RUNNING;
	if (r->limit_bytes != UINT64_MAX)
		format_size(r->limit_bytes, limit, sizeof(limit));
	fprintf(stderr, "\r\033[K[%s rep %d/%d] %5.1f/%.0f s  VMs running %d/%d  limit %s  SecPageTables %.0f kB",
		r->s->name, r->o->rep, r->o->nr_reps, run_now_s(r), r->s->duration_s,
		running, r->nr_vms, limit, pt && pt->n ? pt->v[pt->n - 1] : 0.0);
	for (i = running = 0; i < r->nr_selftests; i++)
		running += r->selftests[i].state == SELFTEST_RUNNING;
	if (r->nr_selftests)
		fprintf(stderr, "  selftests running %d/%d", running, r->nr_selftests);
}

/* --- the cgroup limit and its schedule --- */

#define LIMIT_MISSED_MAX	8	/* lines in run.problems; then a count */

static int limit_apply(struct run *r, uint64_t bytes)
{
	const char *file = cg_knob_file(&r->cg_host, r->s->cg.knob);
	char size[32];
	int ret;

	ret = cg_tree_set_limit(&r->tree, "vms", r->s->cg.knob, bytes);
	if (ret)
		return ret;
	format_limit(bytes, size, sizeof(size));
	r->limit_bytes = bytes;
	if (r->limit_refusals)
		run_event(r, "limit", "%s = %s (after %llu refused writes from %.1f s)", file, size,
			  (unsigned long long)r->limit_refusals, r->limit_want_s);
	else
		run_event(r, "limit", "%s = %s", file, size);
	series_add(&r->series, "cgroup.limit_bytes", now_ns() - r->t0_ns,
		   bytes == UINT64_MAX ? -1 : (double)bytes);
	return 0;
}

/* The schedule moved on from a limit the kernel never took: say so once. */
static void limit_missed(struct run *r)
{
	char line[512];
	size_t n = json_object_array_length(r->limit_missed);

	if (n < LIMIT_MISSED_MAX) {
		run_limit_problem(r, line, sizeof(line), "never took effect before the schedule moved on");
		json_object_array_add(r->limit_missed, json_object_new_string(line));
	} else if (n == LIMIT_MISSED_MAX) {
		json_object_array_add(r->limit_missed, json_object_new_string(
			"more cgroup limits never took effect (see the limit_error events)"));
	}
	r->limit_refusals = 0;
}

/*
 * Write the limit the schedule wants now, unless it is in force. A write
 * the kernel refuses (v1: EBUSY, usage above it and nothing to reclaim)
 * is retried at every call, one limit_error event per distinct refusal
 * (value and error), not one per retry.
 */
static int limit_follow(struct run *r, double t_s)
{
	uint64_t want = spec_limit_at(r->s, t_s);
	char size[32];
	int ret;

	if (r->s->cg.schedule == SCHED_NONE)
		return 0;
	if (r->limit_refusals && want != r->limit_want)
		limit_missed(r);
	if (want == r->limit_bytes)
		return 0;
	ret = limit_apply(r, want);
	if (!ret) {
		r->limit_refusals = 0;
		return 0;
	}
	if (!r->limit_refusals) {
		r->limit_want = want;
		r->limit_want_s = t_s;
		r->limit_why[0] = '\0';
	}
	r->limit_refusals++;
	if (strcmp(r->limit_why, err_msg())) {
		snprintf(r->limit_why, sizeof(r->limit_why), "%s", err_msg());
		format_limit(want, size, sizeof(size));
		run_event(r, "limit_error", "%s = %s refused: %s (retried at every loop iteration)",
			  cg_knob_file(&r->cg_host, r->s->cg.knob), size, r->limit_why);
	}
	return ret;
}

static void sample_all(struct run *r)
{
	uint64_t t_ns = now_ns() - r->t0_ns;
	int i;

	samplers_sample(r->samplers, t_ns);
	for (i = 0; i < r->nr_vms; i++)
		samplers_kvm_sample(&r->series, &r->vms[i], t_ns);
}

/* --- selftests --- */

/* Forked and in the cgroup, waiting for selftests_go(). */
static int selftests_start(struct run *r)
{
	char log[PATH_MAX];
	int i, ret;

	for (i = 0; i < r->s->nr_selftests; i++) {
		struct selftest_proc *p = &r->selftests[i];

		p->index = i;
		snprintf(log, sizeof(log), "%s/rep-%d-selftest-%s.log", r->o->out_dir, r->o->rep,
			 selftest_progs[r->s->selftests[i].prog].program);
		ret = selftest_start(p, &r->s->selftests[i], r->o->selftests_dir, log);
		if (p->pid > 0)
			r->nr_selftests++;
		if (ret)
			return ret;
		ret = cg_tree_attach(&r->tree, "vms", p->pid);
		if (ret)
			return ret;
	}
	return 0;
}

static int selftests_go(struct run *r)
{
	int i, ret;

	for (i = 0; i < r->nr_selftests; i++) {
		ret = selftest_go(&r->selftests[i]);
		if (ret)
			return ret;
		run_event(r, "selftest", "%s (pid %d) started in %s/vms",
			  selftest_progs[r->selftests[i].st->prog].program,
			  (int)r->selftests[i].pid, r->tree.name);
	}
	return 0;
}

/*
 * A process of the "vms" cgroup that ended with wait status @st was
 * OOM-killed: SIGKILL, not from the runner, while the cgroup's oom_kill
 * count rose past those already explained.
 */
static bool oom_kill_explained(struct run *r, int st, bool killed_by_runner)
{
	uint64_t kills;

	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL || killed_by_runner)
		return false;
	if (cg_tree_oom_kills(&r->tree, "vms", &kills) || kills <= r->oom_kills)
		return false;
	r->oom_kills++;
	return true;
}

/* As vm_oom_killed(), for a selftest in the same cgroup. */
static bool selftest_oom_killed(struct run *r, const struct selftest_proc *p)
{
	return oom_kill_explained(r, p->wait_status, p->killed_by_runner);
}

static void selftest_ended(struct run *r, struct selftest_proc *p)
{
	const char *name = selftest_progs[p->st->prog].program;
	char end[64];

	if (selftest_oom_killed(r, p)) {
		p->oom_killed = true;
		/* not an oom_kill event: summary.oom_killed_vms counts those */
		run_event(r, "selftest_oom_kill", "%s (pid %d) killed by the OOM killer", name,
			  (int)p->pid);
		progress(r, "selftest %s: OOM-killed", name);
		return;
	}
	selftest_end_text(p, end, sizeof(end));
	run_event(r, "selftest_end", "%s: %s", name, end);
	progress(r, "selftest %s: %s", name, end);
}

/* Reap those that ended; how many still run. */
static int selftests_watch(struct run *r)
{
	int i, running = 0;

	for (i = 0; i < r->nr_selftests; i++) {
		struct selftest_proc *p = &r->selftests[i];

		if (p->state == SELFTEST_ENDED)
			continue;
		if (selftest_reap(p, false))
			selftest_ended(r, p);
		else
			running++;
	}
	return running;
}

/* --- VM processes --- */

static int vms_start(struct run *r)
{
	char result[PATH_MAX], log[PATH_MAX];
	struct vm_config cfg;
	int g, k, ret;

	r->vms = calloc((size_t)spec_nr_vm_procs(r->s), sizeof(*r->vms));
	if (!r->vms)
		return err_sys(ENOMEM, "VMs");
	for (g = 0; g < r->s->nr_vms; g++) {
		ret = spec_vm_config(&r->s->vms[g], &cfg);
		if (ret)
			return ret;
		if (cfg.backing == MEM_FILE)
			cfg.backing_path = r->o->out_dir;	/* an unnamed file there */
		cfg.guest_name = r->s->vms[g].guest;
		for (k = 0; k < r->s->vms[g].count; k++) {
			struct vmproc *p = &r->vms[r->nr_vms];

			p->index = r->nr_vms;
			p->group = g;
			snprintf(result, sizeof(result), "%s/.rep-%d-vm%d.json", r->o->out_dir,
				 r->o->rep, p->index);
			snprintf(log, sizeof(log), "%s/rep-%d-vm%d.log", r->o->out_dir,
				 r->o->rep, p->index);
			ret = vmproc_start(p, &cfg, r->o->kvm_path, result, log);
			r->nr_vms++;
			if (ret)
				return ret;
			ret = cg_tree_attach(&r->tree, "vms", p->pid);
			if (ret)
				return ret;
		}
	}
	ret = selftests_start(r);
	if (ret)
		return ret;
	/* all attached before any allocates, so the first touch is charged too */
	for (k = 0; k < r->nr_vms; k++) {
		ret = vmproc_go(&r->vms[k]);
		if (ret)
			return ret;
	}
	if (r->nr_vms)
		run_event(r, "vms", "%d VM process%s started in %s/vms", r->nr_vms,
			  r->nr_vms == 1 ? "" : "es", r->tree.name);
	return selftests_go(r);
}

static void vm_phase_progress(struct run *r, struct vmproc *p, int from)
{
	int i;

	for (i = from; i < p->nr_phases; i++) {
		const struct vmproc_phase *ph = &p->phases[i];

		if (ph->vcpu != 0)
			continue;
		progress(r, "vm%d: phase %s %s", p->index, ph->name,
			 ph->edge == KVMSQ_PHASE_BEGIN ? "begins" : "ends");
	}
}

/*
 * Killed by SIGKILL, not by us, while the cgroup's oom_kill count rose:
 * the OOM killer. One count per VM it explains, so two VMs killed
 * between two looks are both told apart from a stray kill -9.
 */
static bool vm_oom_killed(struct run *r, struct vmproc *p)
{
	return oom_kill_explained(r, p->wait_status, p->killed_by_runner);
}

static void vm_ended(struct run *r, struct vmproc *p)
{
	char end[64], why[512];

	vmproc_end_text(p, end, sizeof(end));
	vmproc_last_error(p, why, sizeof(why));
	if (vm_oom_killed(r, p)) {
		p->oom_killed = true;
		run_event(r, "oom_kill", "vm%d (pid %d) killed by the OOM killer", p->index,
			  (int)p->pid);
		progress(r, "vm%d: OOM-killed", p->index);
		return;
	}
	run_event(r, "vm_end", "vm%d: %s%s%s", p->index, end, why[0] ? ": " : "", why);
	progress(r, "vm%d: %s%s%s", p->index, end, why[0] ? ": " : "", why);
}

/*
 * Take what the VMs sent and reap those that ended; returns how many
 * still run. Only the VMs whose socket run_wait() saw ready are read, and
 * only those whose socket closed (a VM process holds the only other end:
 * it closes when the process ends) are asked for their exit, so a loop
 * over hundreds of idle VMs makes no system call; every
 * RUN_SWEEP_S all of them are, in case.
 */
#define RUN_SWEEP_S	1.0
#define SELFTEST_WATCH_S	0.05

static int vms_watch(struct run *r)
{
	int i, before, running = 0;
	bool sweep = now_ns() >= r->next_sweep_ns;

	if (sweep)
		r->next_sweep_ns = now_ns() + (uint64_t)(RUN_SWEEP_S * 1e9);
	for (i = 0; i < r->nr_vms; i++) {
		struct vmproc *p = &r->vms[i];

		if (p->state == VMPROC_ENDED)
			continue;
		if (sweep || p->sock_ready || p->sock_closed || p->sock < 0) {
			p->sock_ready = false;
			before = p->nr_phases;
			if (vmproc_poll(p))
				run_event(r, "error", "vm%d: %s", i, err_msg());
			vm_phase_progress(r, p, before);
		}
		if ((sweep || p->sock_closed || p->sock < 0) && vmproc_reap(p, false))
			vm_ended(r, p);
		else
			running++;
	}
	return running;
}

static void run_wait(struct run *r, double wait_s);

static bool vms_phase_done(const struct run *r)
{
	int i;

	/* without VMs (selftests alone) no vCPU ends a phase */
	if (!r->s->end_phase[0] || !r->nr_vms)
		return false;
	for (i = 0; i < r->nr_vms; i++)
		if (!vmproc_phase_ended(&r->vms[i], r->s->end_phase))
			return false;
	return true;
}

/* Ask, wait a grace period (sampling on), then kill what is left. */
static void vms_stop(struct run *r)
{
	uint64_t deadline, next_sample, period_ns = (uint64_t)(r->s->sample_period_s * 1e9);
	int i;

	for (i = 0; i < r->nr_vms; i++)
		vmproc_stop(&r->vms[i]);
	for (i = 0; i < r->nr_selftests; i++) {
		if (r->selftests[i].state == SELFTEST_ENDED)
			continue;
		run_event(r, "selftest_stop", "%s still running at the run's end: SIGTERM",
			  selftest_progs[r->selftests[i].st->prog].program);
		selftest_term(&r->selftests[i]);
	}
	deadline = now_ns() + (uint64_t)(RUN_STOP_GRACE_S * 1e9);
	next_sample = now_ns() + period_ns;
	while (vms_watch(r) + selftests_watch(r) && now_ns() < deadline) {
		if (now_ns() >= next_sample) {
			sample_all(r);
			next_sample += period_ns;
		}
		run_wait(r, 0.01);
	}
	for (i = 0; i < r->nr_vms; i++) {
		struct vmproc *p = &r->vms[i];

		if (p->state == VMPROC_ENDED)
			continue;
		p->killed_by_runner = true;
		run_event(r, "vm_kill", "vm%d did not finish within %.0f s of the stop: killed",
			  i, RUN_STOP_GRACE_S);
		vmproc_kill(p);
		vmproc_reap(p, true);
		vm_ended(r, p);
	}
	for (i = 0; i < r->nr_selftests; i++) {
		struct selftest_proc *p = &r->selftests[i];

		if (p->state == SELFTEST_ENDED)
			continue;
		run_event(r, "selftest_kill", "%s did not end within %.0f s of SIGTERM: killed",
			  selftest_progs[p->st->prog].program, RUN_STOP_GRACE_S);
		selftest_kill(p);
		selftest_reap(p, true);
		selftest_ended(r, p);
	}
}

/* --- pressure --- */

static int pressure_start(struct run *r)
{
	int i, ret;

	r->penv.cg = &r->tree;
	r->penv.vms_child = "vms";
	r->penv.hog_child = "hog";
	r->penv.proc = r->o->proc;
	r->penv.debugfs = r->o->debugfs;
	r->penv.nx_huge_pages = getenv("KVMSQ_NX_HUGE_PAGES") ? getenv("KVMSQ_NX_HUGE_PAGES") :
				PRESSURE_NX_PATH;
	r->penv.allow_global = r->o->allow_global || r->o->in_lab;
	for (i = 0; i < r->s->nr_pressure; i++) {
		ret = pressure_open(&r->press[i], &r->s->pressure[i], &r->penv);
		if (ret)
			return err_wrap(ret, "pressure[%d] %s", i,
					spec_pressure_name(r->s->pressure[i].kind));
		r->nr_press++;
		if (!r->press[i].available)
			run_event(r, "unavailable", "pressure %s: %s",
				  spec_pressure_name(r->s->pressure[i].kind), r->press[i].why);
	}
	return 0;
}

static void pressure_fire(struct run *r, double t_s)
{
	char what[256];
	int i, ret;

	for (i = 0; i < r->nr_press; i++) {
		double began = run_now_s(r);

		if (pressure_poll(&r->press[i], what, sizeof(what)))
			run_event(r, "pressure_end", "%s", what);
		ret = pressure_tick(&r->press[i], t_s, what, sizeof(what));
		if (ret < 0)
			run_event(r, "pressure_error", "%s: %s",
				  spec_pressure_name(r->press[i].sp.kind), err_msg());
		else if (ret > 0 && (r->press[i].fired == 1 || r->press[i].sp.period_s >= 1))
			run_event_at(r, began, "pressure", "%s", what);	/* not every 100 ms */
	}
}

/* --- the loop --- */

static double next_wakeup(const struct run *r, double t_s, double next_sample_s,
			  double next_partial_s)
{
	double wait = fmin(next_sample_s - t_s, 1.0);	/* the live line: 1 s */

	wait = fmin(wait, fmin(next_partial_s, r->s->duration_s) - t_s);
	int i;

	for (i = 0; i < r->nr_press; i++)
		wait = fmin(wait, pressure_next(&r->press[i], t_s));
	if (!r->s->cg.nr_steps)
		return fmax(wait, 0);
	for (i = 0; i < r->s->cg.nr_steps; i++)
		if (r->s->cg.steps[i].at_s > t_s)
			return fmax(fmin(wait, r->s->cg.steps[i].at_s - t_s), 0);
	return fmax(wait, 0);
}

/*
 * Sleep until something is due or a VM process says something: a phase
 * marker arrives on its socket, and its end closes the socket.
 */
static void run_wait(struct run *r, double wait_s)
{
	struct pollfd fds[SPEC_MAX_VM_PROCS + SPEC_MAX_SELFTESTS];
	int who[SPEC_MAX_VM_PROCS];
	int i, n = 0, nvm;

	for (i = 0; i < r->nr_vms && n < SPEC_MAX_VM_PROCS; i++) {
		if (r->vms[i].state != VMPROC_RUNNING || r->vms[i].sock < 0)
			continue;
		if (r->vms[i].sock_closed) {
			wait_s = fmin(wait_s, 0.002);	/* ending: reap it soon */
			continue;
		}
		fds[n].fd = r->vms[i].sock;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		who[n] = i;
		n++;
	}
	nvm = n;
	/*
	 * A selftest's end wakes the poll through its pidfd; without one
	 * (before Linux 5.3) it is seen within SELFTEST_WATCH_S.
	 */
	for (i = 0; i < r->nr_selftests; i++) {
		if (r->selftests[i].state != SELFTEST_RUNNING)
			continue;
		if (r->selftests[i].pidfd < 0) {
			wait_s = fmin(wait_s, SELFTEST_WATCH_S);
			continue;
		}
		fds[n].fd = r->selftests[i].pidfd;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		n++;
	}
	if (poll(fds, (nfds_t)n, (int)ceil(wait_s * 1000)) <= 0)
		return;
	for (i = 0; i < nvm; i++)
		if (fds[i].revents)
			r->vms[who[i]].sock_ready = true;
}

static double cpu_self_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void run_loop(struct run *r)
{
	double partial_s = r->o->partial_period_s > 0 ? r->o->partial_period_s : INFINITY;
	double t_s, next_sample = 0, next_partial = partial_s, next_live = 0;
	double cpu0 = cpu_self_s(), loop0 = run_now_s(r);
	int running;

	for (;;) {
		t_s = run_now_s(r);
		r->loop_wakeups++;
		running = vms_watch(r) + selftests_watch(r);
		limit_follow(r, t_s);	/* a refusal is an event and is retried */
		pressure_fire(r, t_s);
		if (t_s >= next_sample) {
			sample_all(r);
			next_sample += r->s->sample_period_s;
			if (next_sample < t_s)	/* fell behind: skip, do not burst */
				next_sample = t_s + r->s->sample_period_s;
		}
		if (t_s >= next_partial) {
			result_write(r, false);
			next_partial += partial_s;
		}
		if (t_s >= next_live) {
			progress_live(r);
			next_live = t_s + 1;
		}
		if (*r->o->interrupted) {
			r->interrupted = true;
			r->interrupt_s = t_s;
			r->end_reason = "interrupted";
		} else if (!running) {
			r->end_reason = r->nr_selftests ? "every workload ended" : "every VM ended";
		} else if (vms_phase_done(r)) {
			r->end_reason = "every vCPU ended the end phase";
		} else if (t_s >= r->s->duration_s) {
			r->end_reason = "duration reached";
		}
		if (r->end_reason) {
			r->loop_end_s = t_s;
			break;
		}
		run_wait(r, next_wakeup(r, run_now_s(r), next_sample, next_partial));
	}
	r->loop_cpu_s = cpu_self_s() - cpu0;
	r->loop_s = run_now_s(r) - loop0;
}

/* --- setup and teardown --- */

/*
 * The runner holds, per VM, its socket and the stats fds of the VM and
 * of every vCPU: with hundreds of VMs that passes the usual soft limit of
 * 1024 descriptors. Raise the soft limit (and the hard one where we may)
 * to fit, or refuse before anything is created.
 */
#define RUN_FDS_SPARE	128	/* samplers, pressure sources, files, stdio */

static int fds_enough(const struct run *r)
{
	struct rlimit rl;
	rlim_t need = RUN_FDS_SPARE;
	int g;

	for (g = 0; g < r->s->nr_vms; g++)
		need += (rlim_t)r->s->vms[g].count * (rlim_t)(2 + r->s->vms[g].vcpus);
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return err_sys(errno, "getrlimit(RLIMIT_NOFILE)");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		struct rlimit up = { need, need };

		if (!setrlimit(RLIMIT_NOFILE, &up))	/* root: CAP_SYS_RESOURCE */
			return 0;
		return err_set(EMFILE, "%d VM%s need%s %llu file descriptors in the runner "
			       "(2 + vCPUs per VM, and %d more), and RLIMIT_NOFILE allows "
			       "%llu (raise it: ulimit -n %llu)", spec_nr_vm_procs(r->s),
			       spec_nr_vm_procs(r->s) == 1 ? "" : "s",
			       spec_nr_vm_procs(r->s) == 1 ? "s" : "",
			       (unsigned long long)need, RUN_FDS_SPARE,
			       (unsigned long long)rl.rlim_max, (unsigned long long)need);
	}
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return err_sys(errno, "setrlimit(RLIMIT_NOFILE, %llu)", (unsigned long long)need);
	return 0;
}

static int run_setup(struct run *r)
{
	time_t now = time(NULL);
	struct tm tm;
	int ret;

	ret = fds_enough(r);
	if (ret)
		return ret;

	gmtime_r(&now, &tm);
	strftime(r->started_at, sizeof(r->started_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(r->result_path, sizeof(r->result_path), "%s/rep-%d.json", r->o->out_dir,
		 r->o->rep);
	host_info_read(&r->host);
	r->events = json_object_new_array();
	r->limit_bytes = UINT64_MAX;
	r->limit_missed = json_object_new_array();
	r->t0_ns = now_ns();

	ret = cg_host_detect(&r->cg_host);
	if (ret)
		return ret;
	ret = cg_tree_create(&r->tree, &r->cg_host, r->o->run_id, cg_children,
			     (int)ARRAY_SIZE(cg_children));
	if (ret)
		return ret;
	run_event(r, "cgroup", "created %s under %s (%s)", r->tree.name, r->cg_host.mount,
		  cg_version_name(r->cg_host.version));
	ret = cg_tree_reset_peak(&r->tree, "vms");
	if (ret)
		return ret;
	if (cg_tree_oom_kills(&r->tree, "vms", &r->oom_kills))
		run_event(r, "unavailable", "OOM kills cannot be told from other kills: %s", err_msg());

	r->env.proc = r->o->proc;
	r->env.debugfs = r->o->debugfs;
	r->env.tracefs = r->o->tracefs;
	r->env.cg = &r->tree;
	r->env.cg_child = "vms";
	r->env.run_id = r->o->run_id;
	r->samplers = calloc((size_t)nr_sampler_ops, sizeof(*r->samplers));
	if (!r->samplers)
		return err_sys(ENOMEM, "samplers");
	samplers_open(r->samplers, &r->env, &r->series);

	ret = pressure_start(r);
	if (ret)
		return ret;
	/* the limit in force at 0 s is there before the VMs allocate */
	ret = limit_follow(r, 0);
	if (ret)
		return ret;
	sample_all(r);
	return vms_start(r);
}

static void run_teardown(struct run *r)
{
	int i;

	for (i = 0; i < r->nr_vms; i++) {
		if (r->vms[i].state != VMPROC_ENDED && r->vms[i].pid > 0) {
			r->vms[i].killed_by_runner = true;
			vmproc_kill(&r->vms[i]);
			vmproc_reap(&r->vms[i], true);
		}
	}
	for (i = 0; i < r->nr_selftests; i++) {
		if (r->selftests[i].state != SELFTEST_ENDED && r->selftests[i].pid > 0) {
			selftest_kill(&r->selftests[i]);
			selftest_reap(&r->selftests[i], true);
		}
	}
	for (i = r->nr_press; i-- > 0;)
		pressure_close(&r->press[i]);
	if (r->samplers)
		samplers_close(r->samplers);
	if (cg_tree_destroy(&r->tree))
		fprintf(stderr, "kvmsqueeze: %s\n", err_msg());
	for (i = 0; i < r->nr_vms; i++) {
		unlink(r->vms[i].result_path);
		vmproc_release(&r->vms[i]);
	}
	free(r->vms);
	free(r->samplers);
	series_set_free(&r->series);
	json_object_put(r->events);
	json_object_put(r->limit_missed);
}

/* RUN_FAILED, with the first of run.problems in err_msg(), or 0. */
static int run_verdict(struct run *r)
{
	struct json_object *problems = run_problems(r, true);
	size_t n = json_object_array_length(problems);
	int ret = 0;

	if (n) {
		progress(r, "did not run properly: %s%s", json_object_get_string(
			 json_object_array_get_idx(problems, 0)), n > 1 ? " (and more)" : "");
		err_set(EPROTO, "rep %d: %s%s", r->o->rep,
			json_object_get_string(json_object_array_get_idx(problems, 0)),
			n > 1 ? " (and more)" : "");
		ret = RUN_FAILED;
	}
	json_object_put(problems);
	return ret;
}

int run_once(const struct spec *s, const struct run_opts *o)
{
	struct run r = { .s = s, .o = o };
	int ret;

	ret = run_setup(&r);
	if (ret) {
		ret = err_wrap(ret, "%s rep %d", s->name, o->rep);
		run_teardown(&r);
		return ret;
	}
	progress(&r, "started: %d VM%s%s, %s", r.nr_vms, r.nr_vms == 1 ? "" : "s",
		 r.nr_selftests ? " and selftests" : "", r.tree.name);
	run_loop(&r);
	for (int i = 0; i < r.nr_press; i++)
		pressure_finish(&r.press[i]);	/* nx_huge_pages back, before the result */
	if (o->live)
		fputc('\n', stderr);
	progress(&r, "ending: %s", r.end_reason);
	run_event(&r, "end", "%s", r.end_reason);
	vms_stop(&r);
	sample_all(&r);
	r.end_ns = now_ns();
	samplers_finish(r.samplers);	/* after the end: not the run's time */
	ret = result_write(&r, !r.interrupted);
	if (!ret)
		progress(&r, "wrote %s%s", r.result_path, r.interrupted ? " (incomplete)" : "");
	else
		ret = err_wrap(ret, "%s rep %d", s->name, o->rep);
	if (!ret && r.interrupted)
		ret = err_set(EINTR, "%s rep %d: interrupted (the partial result is in %s)",
			      s->name, o->rep, r.result_path);
	else if (!ret)
		ret = run_verdict(&r);
	run_teardown(&r);
	return ret;
}
