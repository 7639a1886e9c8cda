/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/vmproc.h: one VM in its own process. The runner forks it,
 * moves it into the cgroup, then lets it go; the VM process sends its KVM
 * stats fds (so the runner samples them) and every phase marker as it
 * happens over a socket, and writes its results as JSON when it ends. An
 * OOM kill takes that process, not the runner.
 */
#ifndef KVMSQ_VMPROC_H
#define KVMSQ_VMPROC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "abi/abi.h"
#include "vmm/stats.h"
#include "vmm/vm.h"

enum vmproc_state {
	VMPROC_NEW,		/* forked, waiting to be let go */
	VMPROC_RUNNING,
	VMPROC_ENDED,		/* reaped */
};

struct vmproc_phase {
	int vcpu;
	uint32_t edge;
	uint64_t host_ns;
	char name[KVMSQ_NAME_LEN];
};

struct vmproc {
	int index;		/* in the run */
	int group;		/* spec.vms[] entry */
	int nr_vcpus;
	pid_t pid;
	int sock;		/* the runner's end */
	bool sock_closed;	/* the VM process closed its end: it is ending */
	bool sock_ready;	/* the runner's poll() saw a message or the end */
	enum vmproc_state state;
	uint64_t start_ns, end_ns;

	/* the VM's and its vCPUs' stats, from fds the VM process sent */
	bool stats_ready;
	struct kvm_stats vm_stats;
	struct kvm_stats *vcpu_stats;
	uint64_t *values;	/* scratch for one snapshot */

	/* phase markers as they arrived */
	int nr_phases, cap_phases;
	struct vmproc_phase *phases;

	/* how it ended */
	int wait_status;
	bool oom_killed;	/* the runner saw the cgroup's oom_kill count rise */
	bool killed_by_runner;	/* its SIGKILL: the stop's grace ran out, or teardown */
	char result_path[PATH_MAX];
	char log_path[PATH_MAX];
};

/*
 * Fork the VM process for @cfg; it writes its console and errors to
 * @log_path and its results to @result_path, and waits for vmproc_go().
 */
int vmproc_start(struct vmproc *p, const struct vm_config *cfg, const char *kvm_path,
		 const char *result_path, const char *log_path);
int vmproc_go(struct vmproc *p);
/* Take what the VM process sent since the last call; never blocks. */
int vmproc_poll(struct vmproc *p);
/* Ask the guests to finish (first call) or stop them (second). */
void vmproc_stop(struct vmproc *p);
void vmproc_kill(struct vmproc *p);
/* Reap if it ended (or wait for it when @block); true once ended. */
bool vmproc_reap(struct vmproc *p, bool block);
/* Every vCPU ended phase @name at least once. */
bool vmproc_phase_ended(const struct vmproc *p, const char *name);
/* "exited 0", "exit 3 (guest exit code)", "killed by SIGKILL", ... */
void vmproc_end_text(const struct vmproc *p, char *buf, size_t len);
/*
 * Did the VM run properly (experiments/RESULT.md, vms[].status): "ok",
 * "setup-failed", "exit-code", "guest-error", "timeout", "oom-killed",
 * "killed", "crashed"; "running" before it ended.
 */
const char *vmproc_status(const struct vmproc *p);
/*
 * The same end in vms[].end's words (experiments/RESULT.md): "ok",
 * "setup-failed", "guest-exit-code", "guest-error", "timeout",
 * "oom-killed", "killed", "interrupted"; "running" before it ended.
 */
const char *vmproc_end_kind(const struct vmproc *p);
/* One line for run.problems when the status is not "ok": what and why. */
void vmproc_problem(const struct vmproc *p, char *buf, size_t len);
/*
 * The last "kvmsqueeze: " line of its log (its error) without that
 * prefix, escaped to one printable line; "" if none.
 */
void vmproc_last_error(const struct vmproc *p, char *buf, size_t len);
void vmproc_release(struct vmproc *p);

#endif
