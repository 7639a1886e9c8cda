// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/selftest.c: a KVM selftest run as a workload, in its own
 * process. The runner forks it, moves it into the VMs' cgroup before it
 * allocates anything, then lets it go: it execs the program (found in
 * the directory the user chose, never a path from the spec) with the
 * spec's checked arguments, no shell, its stdout and stderr in a log.
 * The runner ends it at the run's end: SIGTERM to its process group,
 * then SIGKILL after the stop's grace.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/selftest.h"
#include "experiments/signals.h"

/* KSFT_SKIP (tools/testing/selftests/kselftest.h): the test could not run here. */
#define KSFT_SKIP	4

int selftest_path(char *buf, size_t len, const char *dir, enum selftest_prog prog)
{
	const char *name = selftest_progs[prog].program;
	struct stat st;

	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		return err_set(ENAMETOOLONG, "selftest %s: --selftests %s: path too long", name, dir);
	if (stat(buf, &st))
		return err_set(errno, "selftest %s: %s: %s (build it with patched-kernel/selftests.sh TREE DIR, then --selftests DIR)",
			       name, buf, strerror(errno));
	if (!S_ISREG(st.st_mode) || access(buf, X_OK))
		return err_set(EACCES, "selftest %s: %s is not an executable file", name, buf);
	return 0;
}

/* --- the child --- */

static pid_t child_runner;

/*
 * What it inherited from the runner (the VMs' sockets, the samplers'
 * files) must not reach the selftest: closed at exec, or now.
 */
static void child_close_fds(int keep_a, int keep_b)
{
	long fd, max = sysconf(_SC_OPEN_MAX);

#if defined(SYS_close_range) && defined(CLOSE_RANGE_CLOEXEC)
	if (!syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC))
		return;
#endif
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep_a && fd != keep_b)
			close((int)fd);
}

static void child_say(int fd, const char *what, int e)
{
	dprintf(fd, "kvmsqueeze: selftest: %s: %s\n", what, strerror(e));
}

/*
 * Wait for the go (the runner moved us into the cgroup), then exec. An
 * exec that fails writes its errno to @status_fd; one that works closes
 * it (O_CLOEXEC), which the runner reads as success.
 */
static void child_main(const char *path, const struct spec_selftest *st, const char *log_path,
		       int go_fd, int status_fd)
{
	char *argv[SELFTEST_MAX_ARGS + 2];
	int fd, e, i;
	char go;

	if (!run_child_init(child_runner))
		_exit(127);
	child_close_fds(go_fd, status_fd);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	e = fd < 0 ? errno : 0;
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	/* the go, even to fail: the runner's write must find a reader */
	if (read(go_fd, &go, 1) != 1)
		_exit(127);	/* the runner went away */
	close(go_fd);
	if (e) {
		(void)!write(status_fd, &e, sizeof(e));
		_exit(127);
	}
	/* the selftests load their own ELF from argv[0] (kvm_vm_elf_load()) */
	argv[0] = (char *)path;
	for (i = 0; i < st->nr_args; i++)
		argv[i + 1] = (char *)st->args[i];
	argv[i + 1] = NULL;
	execv(path, argv);
	e = errno;
	child_say(STDERR_FILENO, path, e);
	(void)!write(status_fd, &e, sizeof(e));
	_exit(127);
}

/* --- the runner's side --- */

int selftest_start(struct selftest_proc *p, const struct spec_selftest *st, const char *dir,
		   const char *log_path)
{
	int go[2], status[2], ret;

	p->st = st;
	p->pid = -1;
	p->go_fd = -1;
	p->pidfd = -1;
	snprintf(p->log_path, sizeof(p->log_path), "%s", log_path);
	ret = selftest_path(p->path, sizeof(p->path), dir, st->prog);
	if (ret)
		return ret;
	if (pipe2(go, O_CLOEXEC))
		return err_sys(errno, "selftest %d: pipe", p->index);
	if (pipe2(status, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return err_sys(errno, "selftest %d: pipe", p->index);
	}
	child_runner = getpid();
	fflush(NULL);
	p->pid = fork();
	if (p->pid == 0) {
		close(go[1]);
		close(status[0]);
		child_main(p->path, st, log_path, go[0], status[1]);
	}
	close(go[0]);
	close(status[1]);
	if (p->pid < 0) {
		close(go[1]);
		close(status[0]);
		return err_sys(errno, "selftest %d: fork", p->index);
	}
	p->go_fd = go[1];
	p->status_fd = status[0];
	p->state = SELFTEST_NEW;
#ifdef SYS_pidfd_open
	/*
	 * Its end wakes the runner through this (Linux 5.3), rather than a
	 * look every SELFTEST_WATCH_S: in the lab each wakeup is instructions
	 * on the clock the selftest's phases are timed by.
	 */
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (p->pidfd >= 0)
		(void)fcntl(p->pidfd, F_SETFD, FD_CLOEXEC);
#endif
	return 0;
}

int selftest_go(struct selftest_proc *p)
{
	char go = 'g';
	ssize_t got;
	int e = 0;

	if (write(p->go_fd, &go, 1) != 1)
		return err_sys(errno, "selftest %s: starting it",
			       selftest_progs[p->st->prog].program);
	close(p->go_fd);
	p->go_fd = -1;
	p->state = SELFTEST_RUNNING;
	p->start_ns = now_ns();
	/* EOF: exec worked (or the child died before it: its status says so) */
	do {
		got = read(p->status_fd, &e, sizeof(e));
	} while (got < 0 && errno == EINTR);
	close(p->status_fd);
	p->status_fd = -1;
	if (got == sizeof(e) && e) {
		p->exec_errno = e;
		return err_set(e, "selftest %s: exec %s: %s", selftest_progs[p->st->prog].program,
			       p->path, strerror(e));
	}
	return 0;
}

void selftest_term(struct selftest_proc *p)
{
	if (p->state == SELFTEST_ENDED || p->pid <= 0 || p->term_sent)
		return;
	p->term_sent = true;
	kill(-p->pid, SIGTERM);
	kill(p->pid, SIGTERM);	/* before its setpgid, the group may not be its own yet */
}

void selftest_kill(struct selftest_proc *p)
{
	if (p->state == SELFTEST_ENDED || p->pid <= 0)
		return;
	p->killed_by_runner = true;
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
}

bool selftest_reap(struct selftest_proc *p, bool block)
{
	siginfo_t si;
	pid_t got;
	int ret;

	if (p->state == SELFTEST_ENDED || p->pid <= 0)
		return true;
	/*
	 * Ended? Look without reaping: while it is a zombie its pid (its
	 * group's id) cannot be reused, so what it forked can be killed
	 * through its group, and nothing is left in the cgroup.
	 */
	do {
		memset(&si, 0, sizeof(si));
		ret = waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
	} while (ret < 0 && errno == EINTR);
	if (!ret && !si.si_pid)
		return false;
	kill(-p->pid, SIGKILL);
	do {
		got = waitpid(p->pid, &p->wait_status, 0);
	} while (got < 0 && errno == EINTR);
	if (p->go_fd >= 0)
		close(p->go_fd);
	if (p->status_fd >= 0)
		close(p->status_fd);
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->go_fd = p->status_fd = p->pidfd = -1;
	p->state = SELFTEST_ENDED;
	p->end_ns = now_ns();
	return true;
}

void selftest_end_text(const struct selftest_proc *p, char *buf, size_t len)
{
	if (p->state != SELFTEST_ENDED)
		snprintf(buf, len, "running");
	else
		wait_status_text(p->wait_status, buf, len);
}

const char *selftest_status(const struct selftest_proc *p)
{
	int st = p->wait_status;

	if (p->exec_errno)
		return "exec-failed";
	if (p->state != SELFTEST_ENDED)
		return p->pid > 0 ? "running" : "setup-failed";
	if (p->oom_killed)
		return "oom-killed";
	if (p->term_sent)
		return "stopped";
	if (WIFSIGNALED(st))
		return signal_is_fault(WTERMSIG(st)) ? "crashed" : "killed";
	if (!WIFEXITED(st))
		return "killed";
	if (WEXITSTATUS(st) == 0)
		return "ok";
	return WEXITSTATUS(st) == KSFT_SKIP ? "skipped" : "exit-code";
}

void selftest_problem(const struct selftest_proc *p, char *buf, size_t len)
{
	const char *name = selftest_progs[p->st->prog].program;
	const char *status = selftest_status(p);
	char end[64];

	selftest_end_text(p, end, sizeof(end));
	if (!strcmp(status, "oom-killed"))
		snprintf(buf, len, "selftest %s: killed by the OOM killer (see %s)", name,
			 p->log_path);
	else if (!strcmp(status, "stopped"))
		snprintf(buf, len, "selftest %s: still running at the run's end, stopped (%s%s): its output is cut short",
			 name, p->killed_by_runner ? "SIGKILL after SIGTERM, " : "SIGTERM, ", end);
	else if (!strcmp(status, "exec-failed"))
		snprintf(buf, len, "selftest %s: exec %s: %s", name, p->path,
			 strerror(p->exec_errno));
	else if (!strcmp(status, "skipped"))
		snprintf(buf, len, "selftest %s: skipped itself (exit 4, KSFT_SKIP: see %s)", name,
			 p->log_path);
	else
		snprintf(buf, len, "selftest %s: %s (%s; see %s)", name, status, end, p->log_path);
}
