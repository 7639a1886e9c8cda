// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/cgroup.c: the run's memory cgroup tree on this host's real
 * controller (v1 or v2): create, limits, attach, read, reclaim, destroy
 * and leftover cleanup. Skips where no memory controller is writable.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/magic.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "common/err.h"
#include "common/util.h"
#include "experiments/cgroup.h"

static const char *const children[] = { "vms", "hog" };
static struct cg_host host;
static char skip_why[ERR_MSG_LEN + 64];

/* The host's memory controller, or NULL with skip_why set. */
static const struct cg_host *host_get(void)
{
	int ret = cg_host_detect(&host);

	if (ret) {
		snprintf(skip_why, sizeof(skip_why), "no memory cgroup controller: %s",
			 err_msg());
		return NULL;
	}
	if (access(host.mount, W_OK)) {
		snprintf(skip_why, sizeof(skip_why), "memory cgroup controller at %s not writable: %s",
			 host.mount, strerror(errno));
		return NULL;
	}
	return &host;
}

/*
 * A tree "kvmsqueeze-unit-<tag>-<owner>" with children vms and hog.
 * 1 with skip_why set when cgroups cannot be created here.
 */
static int tree_make(struct cg_tree *t, const char *tag, pid_t owner)
{
	char run_id[64];
	int ret;

	snprintf(run_id, sizeof(run_id), "unit-%s-%d", tag, (int)owner);
	ret = cg_tree_create(t, &host, run_id, children, 2);
	if (ret == -EACCES || ret == -EPERM || ret == -EROFS) {
		snprintf(skip_why, sizeof(skip_why), "cannot create cgroups: %s", err_msg());
		return 1;
	}
	CHECK(!ret, "cg_tree_create(%s): %d %s", run_id, ret, err_msg());
	return ret;
}

static bool exists(const struct cg_tree *t, const char *child, const char *file)
{
	char path[CG_PATH_LEN * 2];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s%s%s%s%s", t->host.mount, t->name,
		 child ? "/" : "", child ? child : "", file ? "/" : "", file ? file : "");
	return !stat(path, &st);
}

/* A child that sleeps until killed, and dies with us. */
static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

static void *thread_sleep(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Same, with @nr extra threads (v1 moves a process thread by thread). */
static pid_t sleeper_threads(int nr, int ready_fd)
{
	pid_t pid = fork();
	pthread_t th;
	int i;

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (i = 0; i < nr; i++)
			if (pthread_create(&th, NULL, thread_sleep, NULL))
				_exit(1);
		if (write(ready_fd, "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	return pid;
}

/* Threads of @pid whose /proc/<pid>/task/<tid>/cgroup names @needle. */
static int threads_in(pid_t pid, const char *needle, int *nr_threads)
{
	char path[320], line[512];
	struct dirent *de;
	int in = 0;
	DIR *dir;
	FILE *f;

	*nr_threads = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		(*nr_threads)++;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/cgroup", (int)pid, de->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, needle)) {
				in++;
				break;
			}
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return in;
}

/* Kill (if still there) and reap; the wait status. */
static int reap(pid_t pid)
{
	int status = 0;

	if (pid <= 0)
		return 0;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* A pid that is not running: a child that exited and was reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid;
}

static bool pid_listed(const pid_t *pids, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static void detect(void)
{
	struct statfs sfs;
	struct stat st;
	char file[CG_PATH_LEN + 64];

	if (cg_host_detect(&host))
		SKIP("no memory cgroup controller on this host");
	CHECK(host.version == CG_V1 || host.version == CG_V2, "version %d", host.version);
	CHECK(!stat(host.mount, &st) && S_ISDIR(st.st_mode), "mount %s", host.mount);
	CHECK(!statfs(host.mount, &sfs) &&
	      sfs.f_type == (host.version == CG_V2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC),
	      "%s is not a cgroup %s file system", host.mount, cg_version_name(host.version));
	CHECK(!strcmp(cg_version_name(host.version), host.version == CG_V2 ? "v2" : "v1"),
	      "name %s", cg_version_name(host.version));
	CHECK(!strcmp(cg_version_name(CG_NONE), "none"), "none");
	if (host.version == CG_V2) {
		CHECK(!strcmp(cg_knob_file(&host, CG_KNOB_MAX), "memory.max"), "v2 max");
		CHECK(!strcmp(cg_knob_file(&host, CG_KNOB_HIGH), "memory.high"), "v2 high");
		snprintf(file, sizeof(file), "%s/cgroup.subtree_control", host.mount);
	} else {
		CHECK(!strcmp(cg_knob_file(&host, CG_KNOB_MAX), "memory.limit_in_bytes"), "v1 max");
		CHECK(!strcmp(cg_knob_file(&host, CG_KNOB_HIGH), "memory.limit_in_bytes"),
		      "v1 high");
		/* the v1 memory hierarchy's root has the controller's files */
		snprintf(file, sizeof(file), "%s/memory.usage_in_bytes", host.mount);
	}
	CHECK(!stat(file, &st), "%s missing", file);
}

static void create(void)
{
	const char *const bad[] = { "vms", "a/b" };
	struct cg_tree t, again, broken;
	const char *knob;

	if (!host_get())
		SKIP(skip_why);
	if (tree_make(&t, "create", getpid()))
		SKIP(skip_why);
	knob = cg_knob_file(&host, CG_KNOB_MAX);
	CHECK(t.created && t.nr_children == 2, "created %d, %d children", t.created,
	      t.nr_children);
	CHECK(exists(&t, NULL, NULL), "top %s missing", t.name);
	CHECK(exists(&t, "vms", knob) && exists(&t, "hog", knob),
	      "children of %s lack %s", t.name, knob);
	CHECK(cg_tree_create(&again, &host, t.name + strlen(CG_PREFIX), children, 2) == -EEXIST,
	      "made %s twice: %s", t.name, err_msg());
	CHECK(exists(&t, "vms", NULL), "second create removed the first");
	CHECK(cg_tree_create(&broken, &host, "unit-broken-1", bad, 2) == -EINVAL &&
	      !exists(&broken, NULL, NULL), "bad child name: %s", err_msg());
	CHECK(cg_tree_create(&broken, &host, "a/b", children, 2) == -EINVAL, "run id a/b");
	CHECK(!cg_tree_destroy(&t), "destroy: %s", err_msg());
}

static void limits(void)
{
	static const uint64_t set_bytes[] = { 256 * MiB, 128 * MiB, UINT64_MAX };
	char raw[64];
	uint64_t bytes;
	struct cg_tree t;
	size_t i;
	int ret;

	if (!host_get())
		SKIP(skip_why);
	if (tree_make(&t, "limits", getpid()))
		SKIP(skip_why);
	for (i = 0; i < ARRAY_SIZE(set_bytes); i++) {
		ret = cg_tree_set_limit(&t, "vms", CG_KNOB_MAX, set_bytes[i]);
		CHECK(!ret, "set max %llu: %s", (unsigned long long)set_bytes[i], err_msg());
		bytes = 0;
		ret = cg_tree_get_limit(&t, "vms", CG_KNOB_MAX, &bytes);
		CHECK(!ret && bytes == set_bytes[i], "max: set %llu, read %llu (%d %s)",
		      (unsigned long long)set_bytes[i], (unsigned long long)bytes, ret,
		      err_msg());
		ret = cg_tree_set_limit(&t, "hog", CG_KNOB_HIGH, set_bytes[i]);
		CHECK(!ret, "set high %llu: %s", (unsigned long long)set_bytes[i], err_msg());
		bytes = 0;
		ret = cg_tree_get_limit(&t, "hog", CG_KNOB_HIGH, &bytes);
		CHECK(!ret && bytes == set_bytes[i], "high: set %llu, read %llu (%d %s)",
		      (unsigned long long)set_bytes[i], (unsigned long long)bytes, ret,
		      err_msg());
	}
	/* v1 has no memory.high: HIGH lands on the hard limit, as cg_knob_file says */
	ret = cg_tree_set_limit(&t, "hog", CG_KNOB_HIGH, 64 * MiB);
	bytes = 0;
	CHECK(!ret && !cg_tree_get_limit(&t, "hog", CG_KNOB_MAX, &bytes) &&
	      (host.version == CG_V1 ? bytes == 64 * MiB : bytes == UINT64_MAX),
	      "after high 64M, max reads %llu", (unsigned long long)bytes);
	ret = cg_tree_set_limit(&t, NULL, CG_KNOB_MAX, 512 * MiB);
	CHECK(!ret && !cg_tree_get_limit(&t, NULL, CG_KNOB_MAX, &bytes) && bytes == 512 * MiB,
	      "top: %llu %s", (unsigned long long)bytes, err_msg());
	/* "no limit" as the kernel writes it back */
	ret = cg_tree_set_limit(&t, "vms", CG_KNOB_MAX, UINT64_MAX);
	CHECK(!ret && cg_tree_read(&t, "vms", cg_knob_file(&host, CG_KNOB_MAX), raw,
				   sizeof(raw)) > 0 &&
	      (host.version == CG_V2 ? !strcmp(raw, "max\n") :
	       strtoull(raw, NULL, 10) >= (uint64_t)1 << 62),
	      "no limit reads \"%s\"", raw);
	CHECK(cg_tree_set_limit(&t, "nosuch", CG_KNOB_MAX, MiB) == -ENOENT, "child nosuch");
	CHECK(cg_tree_set_limit(&t, "vms", (enum cg_knob)7, MiB) == -EINVAL, "knob 7");
	CHECK(!cg_tree_destroy(&t), "destroy: %s", err_msg());
}

static void attach(void)
{
	char path[64], line[512];
	pid_t pid, gone, pids[16];
	bool in_proc = false;
	struct cg_tree t;
	FILE *f;
	int n;

	if (!host_get())
		SKIP(skip_why);
	if (tree_make(&t, "attach", getpid()))
		SKIP(skip_why);
	pid = sleeper();
	CHECK(pid > 0, "fork");
	CHECK(!cg_tree_attach(&t, "vms", pid), "attach %d: %s", (int)pid, err_msg());
	n = cg_tree_pids(&t, "vms", pids, 16);
	CHECK(n == 1 && pids[0] == pid, "vms holds %d pids, first %d, want %d", n,
	      n > 0 ? (int)pids[0] : 0, (int)pid);
	n = cg_tree_pids(&t, NULL, pids, 16);
	CHECK(n >= 1 && pid_listed(pids, n, pid), "tree: %d pids, %d not among them", n,
	      (int)pid);
	CHECK(cg_tree_pids(&t, "hog", pids, 16) == 0, "hog is not empty");
	/* the kernel agrees: /proc/<pid>/cgroup names the child */
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, t.name) && strstr(line, "/vms\n"))
			in_proc = true;
	if (f)
		fclose(f);
	CHECK(in_proc, "%s does not name %s/vms", path, t.name);
	gone = dead_pid();
	CHECK(cg_tree_attach(&t, "vms", gone) == -ESRCH, "attaching dead pid %d: %s",
	      (int)gone, err_msg());
	CHECK(cg_tree_attach(&t, NULL, pid) == -EINVAL, "attach to the top");
	CHECK(!cg_tree_destroy(&t), "destroy: %s", err_msg());
	reap(pid);
}

static void attach_threads(void)
{
	char needle[CG_NAME_LEN + 8], ready;
	int fds[2] = { -1, -1 }, nr, in;
	struct cg_tree t;
	pid_t pid;

	if (!host_get())
		SKIP(skip_why);
	if (tree_make(&t, "threads", getpid()))
		SKIP(skip_why);
	CHECK(!pipe(fds), "pipe: %s", strerror(errno));
	pid = sleeper_threads(3, fds[1]);
	CHECK(pid > 0 && read(fds[0], &ready, 1) == 1, "threaded sleeper did not start");
	CHECK(!cg_tree_attach(&t, "vms", pid), "attach %d: %s", (int)pid, err_msg());
	snprintf(needle, sizeof(needle), "%s/vms\n", t.name);
	in = threads_in(pid, needle, &nr);
	CHECK(nr == 4 && in == nr, "%d of %d threads in %s", in, nr, t.name);
	CHECK(!cg_tree_destroy(&t), "destroy: %s", err_msg());
	reap(pid);
	close(fds[0]);
	close(fds[1]);
}

static void memory_stat(void)
{
	char buf[8192], small[16];
	const char *key;
	struct cg_tree t;
	ssize_t len;

	if (!host_get())
		SKIP(skip_why);
	key = host.version == CG_V2 ? "\nanon " : "\nhierarchical_memory_limit 67108864\n";
	if (tree_make(&t, "stat", getpid()))
		SKIP(skip_why);
	CHECK(!cg_tree_set_limit(&t, "vms", CG_KNOB_MAX, 64 * MiB), "limit: %s", err_msg());
	len = cg_tree_read(&t, "vms", "memory.stat", buf + 1, sizeof(buf) - 1);
	buf[0] = '\n';	/* so every key, the first too, follows a newline */
	CHECK(len > 0 && (size_t)len == strlen(buf + 1), "read %zd, strlen %zu: %s", len,
	      strlen(buf + 1), err_msg());
	CHECK(len > 0 && strstr(buf, key), "memory.stat has no \"%s\"", key + 1);
	CHECK(len > 0 && strstr(buf, "\npgfault "), "memory.stat has no pgfault");
	CHECK(cg_tree_read(&t, "vms", "memory.stat", small, sizeof(small)) == -ENOSPC,
	      "16 bytes held memory.stat");
	CHECK(cg_tree_read(&t, "vms", "memory.nosuch", buf, sizeof(buf)) == -ENOENT,
	      "memory.nosuch: %s", err_msg());
	CHECK(cg_tree_read(&t, NULL, "memory.stat", buf, sizeof(buf)) > 0, "top: %s",
	      err_msg());
	CHECK(!cg_tree_destroy(&t), "destroy: %s", err_msg());
}

static uint64_t cg_u64(const struct cg_tree *t, const char *file)
{
	char buf[64];

	if (cg_tree_read(t, "vms", file, buf, sizeof(buf)) <= 0)
		return UINT64_MAX;
	return strtoull(buf, NULL, 10);
}

/*
 * The kernel's high-water mark holds a spike that has gone by the time
 * anyone samples memory.current; on v1 a reset starts it afresh.
 */
static void peak_kept(void)
{
	const char *peak_file;
	struct cg_tree t;
	int go[2], done[2];
	uint64_t peak;
	char c = 0;
	pid_t pid;

	if (!host_get())
		SKIP(skip_why);
	peak_file = host.version == CG_V2 ? "memory.peak" : "memory.max_usage_in_bytes";
	if (tree_make(&t, "peak", getpid()))
		SKIP(skip_why);
	if (cg_u64(&t, peak_file) == UINT64_MAX) {
		cg_tree_destroy(&t);
		SKIP("no memory.peak here (Linux before 5.19)");
	}
	CHECK(!cg_tree_reset_peak(&t, "vms"), "reset: %s", err_msg());
	if (pipe(go) || pipe(done)) {
		cg_tree_destroy(&t);
		CHECK(0, "pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		size_t len = 16 * MiB;
		char *mem;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (read(go[0], &c, 1) != 1)	/* attached */
			_exit(1);
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(1);
		memset(mem, 1, len);
		munmap(mem, len);
		if (write(done[1], "d", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	CHECK(pid > 0 && !cg_tree_attach(&t, "vms", pid), "attach: %s", err_msg());
	CHECK(write(go[1], "a", 1) == 1, "go");
	CHECK(read(done[0], &c, 1) == 1 && c == 'd', "the child did not touch its memory");
	peak = cg_u64(&t, peak_file);
	CHECK(peak >= 16 * MiB && peak != UINT64_MAX, "high-water mark %llu below the 16 MiB touched",
	      (unsigned long long)peak);
	CHECK(!cg_tree_reset_peak(&t, "vms"), "reset: %s", err_msg());
	if (host.version == CG_V1)
		CHECK(cg_u64(&t, peak_file) < 8 * MiB, "v1 reset left %llu",
		      (unsigned long long)cg_u64(&t, peak_file));
	else
		CHECK(cg_u64(&t, peak_file) >= peak, "v2 peak fell without a reset");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	CHECK(!cg_tree_destroy(&t), "destroy: %s", err_msg());
}

static void reclaim(void)
{
	struct cg_tree t;
	int ret;

	if (!host_get())
		SKIP(skip_why);
	if (tree_make(&t, "reclaim", getpid()))
		SKIP(skip_why);
	ret = cg_tree_reclaim(&t, "vms", MiB);
	if (host.version == CG_V2)	/* an empty group may give back less: EAGAIN */
		CHECK(ret == 0 || ret == -EAGAIN, "v2 reclaim: %d %s", ret, err_msg());
	else
		CHECK(ret == -EOPNOTSUPP && strstr(err_msg(), "memory.reclaim"),
		      "v1 reclaim: %d %s", ret, err_msg());
	CHECK(!cg_tree_destroy(&t), "destroy: %s", err_msg());
}

static void destroy(void)
{
	struct cg_tree t, never;
	uint64_t t0_ns;
	pid_t pid;
	int status;

	if (!host_get())
		SKIP(skip_why);
	if (tree_make(&t, "destroy", getpid()))
		SKIP(skip_why);
	pid = sleeper();
	CHECK(pid > 0 && !cg_tree_attach(&t, "hog", pid), "attach: %s", err_msg());
	t0_ns = now_ns();
	CHECK(!cg_tree_destroy(&t), "destroy: %s", err_msg());
	CHECK(now_ns() - t0_ns < 5000000000ull, "destroy took %llu ms",
	      (unsigned long long)((now_ns() - t0_ns) / 1000000));
	status = reap(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "sleeper not killed: status %#x", status);
	CHECK(!exists(&t, NULL, NULL) && !exists(&t, "vms", NULL) && !exists(&t, "hog", NULL),
	      "%s/%s still there", t.host.mount, t.name);
	CHECK(!t.created, "still marked created");
	CHECK(!cg_tree_destroy(&t), "second destroy: %s", err_msg());
	memset(&never, 0, sizeof(never));
	CHECK(!cg_tree_destroy(&never), "destroy of a tree never made: %s", err_msg());
	CHECK(cg_tree_pids(&t, NULL, NULL, 0) == -ENOENT, "pids of a destroyed tree");
}

struct reported {
	int nr;
	bool saw_dead;
	const char *dead_name;
};

static void report_removed(const char *name, void *arg)
{
	struct reported *r = arg;

	r->nr++;
	if (!strcmp(name, r->dead_name))
		r->saw_dead = true;
}

static void leftovers(void)
{
	struct cg_tree dead = { 0 }, alive = { 0 };
	struct reported r = { 0 };
	pid_t gone, pid = 0;
	int status, ret;

	if (!host_get())
		SKIP(skip_why);
	gone = dead_pid();
	CHECK(gone > 0, "fork");
	if (tree_make(&dead, "left", gone))
		SKIP(skip_why);
	if (tree_make(&alive, "left", getpid()))
		goto out;
	/* a leftover VM still running in the dead run's tree */
	pid = sleeper();
	CHECK(pid > 0 && !cg_tree_attach(&dead, "vms", pid), "attach: %s", err_msg());
	r.dead_name = dead.name;
	ret = cg_cleanup_leftovers(&host, report_removed, &r);
	CHECK(ret >= 1 && ret == r.nr, "removed %d, reported %d: %s", ret, r.nr,
	      ret < 0 ? err_msg() : "");
	CHECK(r.saw_dead, "%s not reported", dead.name);
	CHECK(!exists(&dead, NULL, NULL), "%s still there", dead.name);
	CHECK(exists(&alive, "vms", NULL), "%s (pid %d is alive) was removed", alive.name,
	      (int)getpid());
	status = reap(pid);
	pid = 0;
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "leftover's task not killed: status %#x", status);
out:
	CHECK(!cg_tree_destroy(&alive), "destroy alive: %s", err_msg());
	CHECK(!cg_tree_destroy(&dead), "destroy dead: %s", err_msg());
	reap(pid);
}

UNIT_MAIN(T(detect), T(create), T(limits), T(attach), T(attach_threads),
	  T(memory_stat), T(peak_kept), T(reclaim), T(destroy), T(leftovers))
