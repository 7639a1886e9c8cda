// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/vmproc.c: one VM in its own process, and the runner's view
 * of it. The socket between them is SOCK_SEQPACKET: one message per stats
 * fd (passed with SCM_RIGHTS) and one per phase marker.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/command.h"
#include "common/err.h"
#include "common/util.h"
#include "experiments/signals.h"
#include "experiments/text.h"
#include "experiments/vmproc.h"
#include "vmm/host.h"
#include "vmm/kvm.h"
#include "vmm/vm_report.h"

enum vmproc_msg_type {
	MSG_STATS_FD = 1,	/* vcpu -1: the VM's; else that vCPU's */
	MSG_PHASE = 2,
};

struct vmproc_msg {
	uint32_t type;
	int32_t vcpu;
	uint32_t edge;
	uint32_t pad;
	uint64_t host_ns;
	char name[KVMSQ_NAME_LEN];
};

/* --- the VM process --- */

static volatile int child_interrupts;
static pid_t child_runner;		/* the runner's pid, from before the fork */
static volatile sig_atomic_t child_outside_signal;

/*
 * SIGINT from the runner asks the guests to finish (a second one stops
 * them). The same from anyone else does too, but the VM process then
 * ends by that signal (child_main), so the run records it as killed
 * from outside, not as a VM that ran to its end.
 */
static void child_on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si->si_pid != child_runner)
		child_outside_signal = sig;
	child_interrupts++;
}

static int child_send(int sock, const struct vmproc_msg *m, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == sizeof(*m) ? 0 : -errno;
}

static void child_on_phase(void *arg, int vcpu, const struct vcpu_phase *ph)
{
	struct vmproc_msg m = {
		.type = MSG_PHASE, .vcpu = vcpu, .edge = ph->edge, .host_ns = ph->host_ns,
	};

	memcpy(m.name, ph->name, sizeof(m.name));
	child_send(*(int *)arg, &m, -1);	/* the runner gone: nothing to tell */
}

static int child_send_stats(int sock, const struct vm *vm)
{
	struct vmproc_msg m = { .type = MSG_STATS_FD, .vcpu = -1 };
	int i, ret;

	ret = child_send(sock, &m, vm->stats.fd);
	for (i = 0; !ret && i < vm->cfg.nr_vcpus; i++) {
		m.vcpu = i;
		ret = child_send(sock, &m, vm->vcpus[i].stats.fd);
	}
	return ret ? err_sys(-ret, "sending stats fds to the runner") : 0;
}

static const int outcome_status[] = {
	[VM_OK] = EXIT_OK,
	[VM_GUEST_EXIT] = EXIT_GUEST_CODE,
	[VM_GUEST_ERROR] = EXIT_GUEST_ERROR,
	[VM_TIMEOUT] = EXIT_TIMEOUT,
	[VM_INTERRUPTED] = EXIT_INTERRUPTED,
};

static int child_run(int sock, struct vm_config *cfg, const char *kvm_path,
		     const char *result_path)
{
	struct sigaction sa = { .sa_sigaction = child_on_signal, .sa_flags = SA_SIGINFO };
	struct json_object *json;
	struct host_info host;
	struct kvm_sys sys;
	struct vm vm;
	char go;
	int ret, status;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (read(sock, &go, 1) != 1)
		return err_set(EPIPE, "the runner went away before the VM started");
	cfg->on_phase = child_on_phase;
	cfg->on_phase_arg = &sock;
	ret = kvm_sys_open(&sys, kvm_path);
	if (ret)
		return ret;
	ret = vm_create(&vm, &sys, cfg);
	if (ret)
		goto out_sys;
	ret = child_send_stats(sock, &vm);
	if (!ret)
		ret = vm_run(&vm, &child_interrupts);
	if (ret)
		goto out_vm;
	host_info_read(&host);
	json = vm_report_json(&vm, &host);
	ret = json_write_file(json, result_path);
	json_object_put(json);
	if (!ret && vm.error[0])
		fprintf(stderr, "kvmsqueeze: guest %s: %s\n", cfg->guest_name, vm.error);
	status = outcome_status[vm.outcome];
out_vm:
	vm_destroy(&vm);
out_sys:
	kvm_sys_close(&sys);
	return ret ? ret : status;
}

/*
 * Close what the VM process inherited from the runner but @keep and
 * stdio: the sockets of the VMs forked before it and the samplers' files.
 * With N VMs they would otherwise hold O(N^2) descriptors, whose tables
 * are charged to the VMs' cgroup as kernel memory, and each VM's socket
 * would stay open in every later VM.
 */
static void child_close_fds(int keep)
{
	struct rlimit rl;
	long fd, max = 65536;

#ifdef SYS_close_range
	if ((keep <= 3 || !syscall(SYS_close_range, 3U, (unsigned int)keep - 1, 0U)) &&
	    !syscall(SYS_close_range, (unsigned int)keep + 1, ~0U, 0U))
		return;
#endif
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)max)
		max = (long)rl.rlim_cur;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close((int)fd);
}

static void child_main(int sock, const struct vm_config *cfg_in, const char *kvm_path,
		       const char *result_path, const char *log_path)
{
	struct vm_config cfg = *cfg_in;
	int fd, ret;

	if (!run_child_init(child_runner))
		_exit(EXIT_FAILURE_SETUP);	/* the runner is gone: nothing to run for */
	child_close_fds(sock);
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	cfg.serial = stderr;
	ret = child_run(sock, &cfg, kvm_path, result_path);
	if (ret < 0) {
		fprintf(stderr, "kvmsqueeze: %s\n", err_msg());
		ret = EXIT_FAILURE_SETUP;
	}
	fflush(NULL);
	if (child_outside_signal) {
		/* its result is written: now end as that signal says */
		signal(child_outside_signal, SIG_DFL);
		raise(child_outside_signal);
	}
	_exit(ret);
}

/* --- the runner's side --- */

int vmproc_start(struct vmproc *p, const struct vm_config *cfg, const char *kvm_path,
		 const char *result_path, const char *log_path)
{
	int sv[2];

	child_runner = getpid();
	p->nr_vcpus = cfg->nr_vcpus;
	p->sock = -1;
	p->pid = -1;
	p->vm_stats.fd = -1;
	snprintf(p->result_path, sizeof(p->result_path), "%s", result_path);
	snprintf(p->log_path, sizeof(p->log_path), "%s", log_path);
	p->vcpu_stats = calloc((size_t)cfg->nr_vcpus, sizeof(*p->vcpu_stats));
	if (!p->vcpu_stats)
		return err_sys(ENOMEM, "VM %d", p->index);
	for (int i = 0; i < cfg->nr_vcpus; i++)
		p->vcpu_stats[i].fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return err_sys(errno, "VM %d: socketpair", p->index);
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return err_sys(errno, "VM %d: fork", p->index);
	}
	if (p->pid == 0) {
		close(sv[0]);
		child_main(sv[1], cfg, kvm_path, result_path, log_path);
	}
	close(sv[1]);
	p->sock = sv[0];
	p->state = VMPROC_NEW;
	return 0;
}

int vmproc_go(struct vmproc *p)
{
	char go = 'g';

	if (write(p->sock, &go, 1) != 1)
		return err_sys(errno, "VM %d: starting it", p->index);
	p->state = VMPROC_RUNNING;
	p->start_ns = now_ns();
	return 0;
}

static int take_fd(struct msghdr *mh)
{
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);
	int fd = -1;

	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static int on_stats_fd(struct vmproc *p, const struct vmproc_msg *m, int fd)
{
	struct kvm_stats *st;
	int i, ret;

	if (fd < 0 || m->vcpu < -1 || m->vcpu >= p->nr_vcpus)
		return err_set(EPROTO, "VM %d: bad stats message", p->index);
	st = m->vcpu < 0 ? &p->vm_stats : &p->vcpu_stats[m->vcpu];
	ret = kvm_stats_open_fd(fd, st);
	if (ret)
		return ret;
	if (m->vcpu != p->nr_vcpus - 1)
		return 0;
	p->values = calloc(p->vm_stats.nr_values + 1, sizeof(uint64_t));
	for (i = 0; p->values && i < p->nr_vcpus; i++)
		if (p->vcpu_stats[i].nr_values > p->vm_stats.nr_values) {
			free(p->values);
			p->values = calloc(p->vcpu_stats[i].nr_values, sizeof(uint64_t));
		}
	if (!p->values)
		return err_sys(ENOMEM, "VM %d: stats", p->index);
	p->stats_ready = true;
	return 0;
}

static int on_phase(struct vmproc *p, const struct vmproc_msg *m)
{
	struct vmproc_phase *ph;

	if (p->nr_phases == p->cap_phases) {
		int cap = p->cap_phases ? p->cap_phases * 2 : 64;
		struct vmproc_phase *grown = realloc(p->phases, (size_t)cap * sizeof(*grown));

		if (!grown)
			return err_sys(ENOMEM, "VM %d: phases", p->index);
		p->phases = grown;
		p->cap_phases = cap;
	}
	ph = &p->phases[p->nr_phases++];
	ph->vcpu = m->vcpu;
	ph->edge = m->edge;
	ph->host_ns = m->host_ns;
	memcpy(ph->name, m->name, sizeof(ph->name));
	ph->name[sizeof(ph->name) - 1] = '\0';
	return 0;
}

int vmproc_poll(struct vmproc *p)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct vmproc_msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh;
	ssize_t got;
	int fd, ret;

	while (p->sock >= 0) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		got = recvmsg(p->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (got < 0)
			return errno == EAGAIN ? 0 : err_sys(errno, "VM %d: socket", p->index);
		if (got == 0) {
			p->sock_closed = true;	/* the VM process is ending */
			return 0;
		}
		fd = take_fd(&mh);
		if (got != sizeof(m)) {
			if (fd >= 0)
				close(fd);
			return err_set(EPROTO, "VM %d: short message", p->index);
		}
		if (m.type == MSG_STATS_FD)
			ret = on_stats_fd(p, &m, fd);
		else if (m.type == MSG_PHASE && fd < 0)
			ret = on_phase(p, &m);
		else
			ret = err_set(EPROTO, "VM %d: unknown message %u", p->index, m.type);
		if (ret)
			return ret;
	}
	return 0;
}

void vmproc_stop(struct vmproc *p)
{
	if (p->state != VMPROC_ENDED && p->pid > 0)
		kill(p->pid, SIGINT);
}

void vmproc_kill(struct vmproc *p)
{
	if (p->state != VMPROC_ENDED && p->pid > 0)
		kill(p->pid, SIGKILL);
}

/* The VM is gone: its stats fds must not keep its struct kvm alive. */
static void stats_close(struct vmproc *p)
{
	int i;

	if (p->vm_stats.fd >= 0)
		kvm_stats_close(&p->vm_stats);
	for (i = 0; p->vcpu_stats && i < p->nr_vcpus; i++)
		if (p->vcpu_stats[i].fd >= 0)
			kvm_stats_close(&p->vcpu_stats[i]);
	p->stats_ready = false;
}

bool vmproc_reap(struct vmproc *p, bool block)
{
	pid_t got;

	if (p->state == VMPROC_ENDED || p->pid <= 0)
		return true;
	do {
		got = waitpid(p->pid, &p->wait_status, block ? 0 : WNOHANG);
	} while (got < 0 && errno == EINTR);
	if (got == 0)
		return false;
	vmproc_poll(p);		/* phases sent just before the end */
	p->state = VMPROC_ENDED;
	p->end_ns = now_ns();
	stats_close(p);
	return true;
}

bool vmproc_phase_ended(const struct vmproc *p, const char *name)
{
	int i, ended = 0;
	uint64_t seen = 0;	/* a bit per vCPU, for up to 64 */

	for (i = 0; i < p->nr_phases; i++) {
		const struct vmproc_phase *ph = &p->phases[i];

		if (ph->edge != KVMSQ_PHASE_END || strcmp(ph->name, name))
			continue;
		if (ph->vcpu < 64 && !(seen & (1ull << ph->vcpu))) {
			seen |= 1ull << ph->vcpu;
			ended++;
		} else if (ph->vcpu >= 64) {
			ended++;
		}
	}
	return ended >= p->nr_vcpus;
}

void vmproc_end_text(const struct vmproc *p, char *buf, size_t len)
{
	if (p->state != VMPROC_ENDED)
		snprintf(buf, len, "running");
	else
		wait_status_text(p->wait_status, buf, len);
}

/* How a VM process ended: one classification, named two ways below. */
enum vm_end {
	VM_END_RUNNING, VM_END_OOM, VM_END_CRASHED, VM_END_KILLED, VM_END_OK,
	VM_END_EXIT_CODE, VM_END_GUEST_ERROR, VM_END_TIMEOUT, VM_END_INTERRUPTED,
	VM_END_SETUP_FAILED,
};

static enum vm_end vm_end(const struct vmproc *p)
{
	int st = p->wait_status;

	if (p->state != VMPROC_ENDED)
		return VM_END_RUNNING;
	if (p->oom_killed)
		return VM_END_OOM;
	if (WIFSIGNALED(st))
		return signal_is_fault(WTERMSIG(st)) && !p->killed_by_runner ? VM_END_CRASHED :
			VM_END_KILLED;
	if (!WIFEXITED(st))
		return VM_END_KILLED;
	switch (WEXITSTATUS(st)) {
	case EXIT_OK:
		return VM_END_OK;
	case EXIT_GUEST_CODE:
		return VM_END_EXIT_CODE;
	case EXIT_GUEST_ERROR:
		return VM_END_GUEST_ERROR;
	case EXIT_TIMEOUT:
		return VM_END_TIMEOUT;
	case EXIT_INTERRUPTED:
		return VM_END_INTERRUPTED;
	default:
		return VM_END_SETUP_FAILED;
	}
}

const char *vmproc_status(const struct vmproc *p)
{
	static const char *const names[] = {
		[VM_END_RUNNING] = "running", [VM_END_OOM] = "oom-killed",
		[VM_END_CRASHED] = "crashed", [VM_END_KILLED] = "killed", [VM_END_OK] = "ok",
		[VM_END_EXIT_CODE] = "exit-code", [VM_END_GUEST_ERROR] = "guest-error",
		[VM_END_TIMEOUT] = "timeout",
		/* stopped twice: only someone else does that */
		[VM_END_INTERRUPTED] = "killed", [VM_END_SETUP_FAILED] = "setup-failed",
	};

	return names[vm_end(p)];
}

const char *vmproc_end_kind(const struct vmproc *p)
{
	static const char *const names[] = {
		[VM_END_RUNNING] = "running", [VM_END_OOM] = "oom-killed",
		[VM_END_CRASHED] = "killed", [VM_END_KILLED] = "killed", [VM_END_OK] = "ok",
		[VM_END_EXIT_CODE] = "guest-exit-code", [VM_END_GUEST_ERROR] = "guest-error",
		[VM_END_TIMEOUT] = "timeout", [VM_END_INTERRUPTED] = "interrupted",
		[VM_END_SETUP_FAILED] = "setup-failed",
	};

	return names[vm_end(p)];
}

void vmproc_problem(const struct vmproc *p, char *buf, size_t len)
{
	const char *status = vmproc_status(p), *who = "";
	char end[64], why[384];

	vmproc_end_text(p, end, sizeof(end));
	vmproc_last_error(p, why, sizeof(why));
	if (!strcmp(status, "killed"))
		who = p->killed_by_runner ? " by the runner: it did not finish within 5 s of the stop" :
		      " from outside the run";
	if (!why[0] && (!strcmp(status, "crashed") || !strcmp(status, "setup-failed")))
		snprintf(why, sizeof(why), "its log has no error line");
	snprintf(buf, len, "vm%d: %s: %s%s%s%s", p->index, status, end, who, why[0] ? ": " : "", why);
}

void vmproc_last_error(const struct vmproc *p, char *buf, size_t len)
{
	char line[512];
	size_t n;
	FILE *f = fopen(p->log_path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "kvmsqueeze: ", 12)) {
			n = strcspn(line, "\n");
			text_escape(buf, len, line + 12, n - 12);
		}
	fclose(f);
}

void vmproc_release(struct vmproc *p)
{
	stats_close(p);
	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
	free(p->vcpu_stats);
	free(p->values);
	free(p->phases);
	p->vcpu_stats = NULL;
	p->values = NULL;
	p->phases = NULL;
}
