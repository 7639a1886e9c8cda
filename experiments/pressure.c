// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/pressure.c: the pressure sources, a table of open/fire
 * operations by kind. Global sources (the hog) are refused outside the
 * lab unless asked for: they squeeze the whole machine.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/pressure.h"
#include "experiments/signals.h"

static int write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t put;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	put = write(fd, text, len);
	if (put < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return put == (ssize_t)len ? 0 : -EIO;
}

bool pressure_in_lab(const char *proc)
{
	char path[256], line[4096];
	FILE *f;
	bool lab = false;

	snprintf(path, sizeof(path), "%s/cmdline", proc);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f))
		lab = strstr(line, "kvmsqueeze.lab=1") != NULL;
	fclose(f);
	return lab;
}

/* --- proactive reclaim --- */

static int reclaim_open(struct pressure_src *p)
{
	if (p->env->cg->host.version != CG_V2)
		return err_set(EOPNOTSUPP, "memory.reclaim needs cgroup v2 (this host's memory controller is %s)",
			       cg_version_name(p->env->cg->host.version));
	return 0;
}

static int reclaim_fire(struct pressure_src *p, char *what, size_t len)
{
	char size[32];
	int ret = cg_tree_reclaim(p->env->cg, p->env->vms_child, p->sp.bytes);

	format_size(p->sp.bytes, size, sizeof(size));
	if (ret == -EAGAIN) {
		snprintf(what, len, "memory.reclaim %s: reclaimed less than asked", size);
		return 0;
	}
	snprintf(what, len, "memory.reclaim %s", size);
	return ret;
}

/* --- the hog: anon memory in a sibling cgroup, held until the end --- */

#define HOG_EXIT_START	3	/* the runner never said go */
#define HOG_EXIT_MMAP	4
#define HOG_CHUNK	(2ull << 20)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

static void hog_main(int go_fd, uint64_t bytes, pid_t runner)
{
	uint8_t *mem;
	uint64_t off;
	char go;

	if (!run_child_init(runner) || read(go_fd, &go, 1) != 1)
		_exit(HOG_EXIT_START);
	/* no reserve: a hog bigger than the machine must squeeze it, not fail */
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		_exit(HOG_EXIT_MMAP);
	/*
	 * MADV_POPULATE_WRITE (5.14) faults a chunk in without a trip to user
	 * space per page: several times faster in the TCG lab, where every
	 * exception is emulated. The pages and the pressure are the same.
	 */
	for (off = 0; off < bytes; off += HOG_CHUNK) {
		uint64_t n = bytes - off < HOG_CHUNK ? bytes - off : HOG_CHUNK;
		uint64_t o;

		if (madvise(mem + off, n, MADV_POPULATE_WRITE))
			for (o = 0; o < n; o += 4096)
				mem[off + o] = 1;
	}
	for (;;)
		pause();
}

static int hog_open(struct pressure_src *p)
{
	if (!p->env->allow_global)
		return err_set(EPERM, "pressure hog squeezes this whole machine: refused outside the lab (run it with make lab, or pass --allow-global-pressure)");
	return 0;
}

static int hog_fire(struct pressure_src *p, char *what, size_t len)
{
	char size[32];
	int pipefd[2], ret;
	pid_t pid, runner = getpid();

	format_size(p->sp.bytes, size, sizeof(size));
	if (p->hog_pid > 0) {
		snprintf(what, len, "hog of %s already running", size);
		return 0;
	}
	if (pipe2(pipefd, O_CLOEXEC))
		return err_sys(errno, "hog: pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = err_sys(errno, "hog: fork");
		goto out;
	}
	if (pid == 0) {
		close(pipefd[1]);
		hog_main(pipefd[0], p->sp.bytes, runner);
	}
	p->hog_pid = pid;
	ret = cg_tree_attach(p->env->cg, p->env->hog_child, pid);
	if (ret) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		p->hog_pid = 0;
		goto out;
	}
	ret = write(pipefd[1], "g", 1) == 1 ? 0 : err_sys(errno, "hog: start");
	snprintf(what, len, "hog started: %s of anon memory in cgroup %s/%s (pid %d)",
		 size, p->env->cg->name, p->env->hog_child, (int)pid);
out:
	close(pipefd[0]);
	close(pipefd[1]);
	return ret;
}

/* --- drop_caches: slab only --- */

static int drop_caches_open(struct pressure_src *p)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/sys/vm/drop_caches", p->env->proc);
	if (access(path, W_OK))
		return err_sys(errno, "%s", path);
	return 0;
}

static int drop_caches_fire(struct pressure_src *p, char *what, size_t len)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), "%s/sys/vm/drop_caches", p->env->proc);
	snprintf(what, len, "drop_caches 2 (slab)");
	ret = write_text(path, "2");
	return ret ? err_sys(-ret, "%s", path) : 0;
}

/* --- the KVM MMU shrinker's debugfs scan file (CONFIG_SHRINKER_DEBUG) --- */

static int shrinker_scan_open(struct pressure_src *p)
{
	char dir[200];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/shrinker", p->env->debugfs);
	d = opendir(dir);
	if (!d)
		return err_sys(errno, "%s (needs debugfs and CONFIG_SHRINKER_DEBUG, which Debian's kernels leave off; the lab kernels have it)",
			       dir);
	while ((de = readdir(d)) && p->nr_scan < PRESSURE_MAX_SCAN) {
		if (strncmp(de->d_name, "x86-mmu", 7) || strlen(de->d_name) > 40)
			continue;
		snprintf(p->scan_files[p->nr_scan++], sizeof(p->scan_files[0]), "%s/%.40s/scan",
			 dir, de->d_name);
	}
	closedir(d);
	if (!p->nr_scan) {
		p->absent = true;	/* 6.13 on: a scan would have nothing to act on */
		return err_set(ENOENT, "%s: no x86-mmu shrinker registered (a kernel without KVM's MMU shrinker)",
			       dir);
	}
	return 0;
}

static int shrinker_scan_fire(struct pressure_src *p, char *what, size_t len)
{
	char req[64];
	int i, ret;

	/* "<memcg inode> <node> <nr_to_scan>"; 0: not memcg-aware */
	snprintf(req, sizeof(req), "0 0 %llu", (unsigned long long)p->sp.nr_to_scan);
	snprintf(what, len, "shrinker scan %llu on %d x86-mmu shrinker(s)",
		 (unsigned long long)p->sp.nr_to_scan, p->nr_scan);
	for (i = 0; i < p->nr_scan; i++) {
		ret = write_text(p->scan_files[i], req);
		if (ret)
			return err_sys(-ret, "%s", p->scan_files[i]);
	}
	return 0;
}

/*
 * --- kvm.nx_huge_pages: each write of a value that differs from the
 * current one makes 6.12's set_nx_huge_pages() take kvm_lock and then
 * every VM's slots_lock (arch/x86/kvm/mmu/mmu.c). It takes off, force,
 * auto, never and kstrtobool() values and reads back Y, N or never; we
 * write Y and N and put the original back at the end.
 */

static int nx_read(const char *path, bool *val)
{
	char buf[16] = "";
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(errno, "%s (is the kvm module loaded?)", path);
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0)
		return err_sys(errno, "reading %s", path);
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!strcmp(buf, "Y") || !strcmp(buf, "N")) {
		*val = buf[0] == 'Y';
		return 0;
	}
	if (!strcmp(buf, "never"))
		return err_set(EPERM, "%s is 'never': the mitigation is hard-disabled and the kernel refuses every write",
			       path);
	return err_set(EINVAL, "%s holds '%.15s', not Y or N", path, buf);
}

static int nx_write(const char *path, bool val)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return err_sys(errno, "%s", path);
	errno = 0;
	if (write(fd, val ? "Y" : "N", 1) != 1)
		ret = err_sys(errno ? errno : EIO, "writing %s to %s", val ? "Y" : "N", path);
	if (close(fd) && !ret)
		ret = err_sys(errno, "writing %s to %s", val ? "Y" : "N", path);
	return ret;
}

static int nx_open(struct pressure_src *p)
{
	const char *path = p->env->nx_huge_pages;
	int ret;

	ret = nx_read(path, &p->nx_original);
	if (ret)
		return ret;
	/* the value it has: the kernel takes no lock for it, but it proves we may write */
	ret = nx_write(path, p->nx_original);
	if (ret)
		return err_wrap(ret, "nx_huge_pages is not writable here (it needs root)");
	p->nx_now = p->nx_original;
	p->nx_restored = 1;	/* nothing to put back yet */
	return 0;
}

static int nx_fire(struct pressure_src *p, char *what, size_t len)
{
	bool val = !p->nx_now;
	int ret;

	snprintf(what, len, "nx_huge_pages %s (was %s)", val ? "Y" : "N", p->nx_now ? "Y" : "N");
	p->nx_restored = -1;	/* from here it may differ */
	ret = nx_write(p->env->nx_huge_pages, val);
	if (!ret)
		p->nx_now = val;
	return ret;
}

static void nx_finish(struct pressure_src *p)
{
	int ret;

	if (p->nx_restored != -1)
		return;
	ret = nx_write(p->env->nx_huge_pages, p->nx_original);
	if (!ret) {
		p->nx_now = p->nx_original;
		p->nx_restored = 1;
		return;
	}
	p->nx_restored = 0;
	snprintf(p->nx_restore_error, sizeof(p->nx_restore_error), "%s", err_msg());
	fprintf(stderr, "kvmsqueeze: could not put nx_huge_pages back to %s: %s\n",
		p->nx_original ? "Y" : "N", err_msg());
}

static const struct {
	int (*open)(struct pressure_src *p);
	int (*fire)(struct pressure_src *p, char *what, size_t len);
	bool must_have;		/* not available: refuse the run */
} pressure_ops[] = {
	[PRESSURE_RECLAIM] = { reclaim_open, reclaim_fire, false },
	[PRESSURE_HOG] = { hog_open, hog_fire, true },
	[PRESSURE_DROP_CACHES] = { drop_caches_open, drop_caches_fire, false },
	[PRESSURE_SHRINKER_SCAN] = { shrinker_scan_open, shrinker_scan_fire, false },
	[PRESSURE_NX_HUGE_PAGES] = { nx_open, nx_fire, true },
};

int pressure_open(struct pressure_src *p, const struct spec_pressure *sp,
		  const struct pressure_env *env)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->sp = *sp;
	p->env = env;
	p->next_s = sp->start_s;
	ret = pressure_ops[sp->kind].open(p);
	if (ret && pressure_ops[sp->kind].must_have)
		return ret;
	p->available = !ret;
	if (ret)
		snprintf(p->why, sizeof(p->why), "%s", err_msg());
	return 0;
}

int pressure_tick(struct pressure_src *p, double t_s, char *what, size_t len)
{
	int ret;

	if (!p->available || t_s < p->next_s)
		return 0;
	p->next_s = p->sp.period_s > 0 ? p->next_s + p->sp.period_s : HUGE_VAL;
	if (p->next_s < t_s)	/* we fell behind: do not fire in a burst */
		p->next_s = t_s + p->sp.period_s;
	ret = pressure_ops[p->sp.kind].fire(p, what, len);
	if (ret) {
		p->failed++;
		return ret;
	}
	p->fired++;
	return 1;
}

int pressure_poll(struct pressure_src *p, char *what, size_t len)
{
	char size[32];
	int status;
	pid_t got;

	if (p->hog_pid <= 0)
		return 0;
	got = waitpid(p->hog_pid, &status, WNOHANG);
	if (got == 0 || (got < 0 && errno == EINTR))
		return 0;
	format_size(p->sp.bytes, size, sizeof(size));
	if (got < 0)
		snprintf(what, len, "hog (pid %d) lost: %s", (int)p->hog_pid, strerror(errno));
	else if (WIFSIGNALED(status))
		snprintf(what, len, "hog of %s (pid %d) killed by signal %d%s", size,
			 (int)p->hog_pid, WTERMSIG(status),
			 WTERMSIG(status) == SIGKILL ? " (the OOM killer: nobody else kills it)" : "");
	else
		snprintf(what, len, "hog of %s (pid %d) exited %d%s", size, (int)p->hog_pid,
			 WEXITSTATUS(status),
			 WEXITSTATUS(status) == HOG_EXIT_MMAP ? ": its mmap failed" : "");
	/* it never held its memory: the pressure was never applied */
	if (got < 0 || (WIFEXITED(status) && (WEXITSTATUS(status) == HOG_EXIT_MMAP ||
					      WEXITSTATUS(status) == HOG_EXIT_START)))
		p->hog_failed = true;
	p->hog_pid = 0;
	return 1;
}

double pressure_next(const struct pressure_src *p, double t_s)
{
	if (!p->available || p->next_s == HUGE_VAL)
		return HUGE_VAL;
	return p->next_s > t_s ? p->next_s - t_s : 0;
}

void pressure_finish(struct pressure_src *p)
{
	if (p->sp.kind == PRESSURE_NX_HUGE_PAGES && p->available)
		nx_finish(p);
}

void pressure_close(struct pressure_src *p)
{
	pressure_finish(p);
	if (p->hog_pid > 0) {
		kill(p->hog_pid, SIGKILL);
		waitpid(p->hog_pid, NULL, 0);
		p->hog_pid = 0;
	}
}
