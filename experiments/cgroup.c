// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/cgroup.c: the run's memory cgroup tree through libcgroup:
 * find the controller, create the tree, limit, attach, kill and remove.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <libcgroup.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/cgroup.h"
#include "experiments/procfs.h"

#define CG_CONTROLLER		"memory"
/* v1 reads "no limit" back as PAGE_COUNTER_MAX pages: 2^63 - 4096 bytes */
#define CG_UNLIMITED_MIN	((uint64_t)1 << 62)
#define CG_DESTROY_TIMEOUT_NS	(5 * 1000000000ull)
#define CG_POLL_NS		10000000L
#define CG_PIDS_BATCH		1024

/* The file each knob is written to, by version. */
static const char *const cg_knob_files[][2] = {
	[CG_V1] = {
		[CG_KNOB_MAX]	= "memory.limit_in_bytes",
		/* v1 has no memory.high: the hard limit stands in for it */
		[CG_KNOB_HIGH]	= "memory.limit_in_bytes",
	},
	[CG_V2] = {
		[CG_KNOB_MAX]	= "memory.max",
		[CG_KNOB_HIGH]	= "memory.high",
	},
};

/* libcgroup's ECG* codes as errno values; ECGOTHER carries its own. */
static const struct {
	int ecg;
	int errnum;
} cg_errnos[] = {
	{ ECGROUPNOTMOUNTED,		ENOENT },
	{ ECGROUPSUBSYSNOTMOUNTED,	ENOENT },
	{ ECGROUPNOTEXIST,		ENOENT },
	{ ECGROUPVALUENOTEXIST,		ENOENT },
	{ ECGROUPNOTOWNER,		EPERM },
	{ ECGROUPNOTALLOWED,		EACCES },
	{ ECGNONEMPTY,			EBUSY },
	{ ECGINVAL,			EINVAL },
	{ ECGROUPNOTINITIALIZED,	EINVAL },
	{ ECGROUPUNSUPP,		EOPNOTSUPP },
	{ ECGMAXVALUESEXCEEDED,		E2BIG },
	{ ECGEOF,			ENODATA },
};

/* What a failed write most likely means, by errno. */
static const struct {
	int errnum;
	const char *hint;
} cg_write_hints[] = {
	{ EBUSY,	"usage is above the new limit and could not be reclaimed" },
	{ EAGAIN,	"the kernel reclaimed less than asked" },
	{ EINVAL,	"the kernel refused the value" },
	{ ENOENT,	"no such group or file on this host" },
};

/* Directories of one tree (paths relative to the mount), parents first. */
struct cg_dirs {
	int nr;
	int cap;
	char (*path)[CG_PATH_LEN];
};

static int cg_errno(int ecg)
{
	size_t i;

	if (ecg == ECGOTHER)
		return cgroup_get_last_errno() ? cgroup_get_last_errno() : EIO;
	for (i = 0; i < ARRAY_SIZE(cg_errnos); i++)
		if (cg_errnos[i].ecg == ecg)
			return cg_errnos[i].errnum;
	return EIO;
}

/*
 * Record "<what>: <why> (<hint>)" for a libcgroup failure and return
 * -errno. A missing permission always names the mount point.
 */
static int __attribute__((format(printf, 4, 5)))
cg_fail(const struct cg_host *host, int ecg, const char *hint,
	const char *fmt, ...)
{
	int errnum = cg_errno(ecg);
	char what[ERR_MSG_LEN];
	const char *why;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	why = ecg == ECGOTHER ? strerror(errnum) : cgroup_strerror(ecg);
	if (errnum == EACCES || errnum == EPERM)
		return err_set(errnum, "%s: %s: no permission to change cgroups under %s (run as root, or delegate %s to this user)",
			       what, why, host->mount, host->mount);
	if (hint)
		return err_set(errnum, "%s: %s (%s)", what, why, hint);
	return err_set(errnum, "%s: %s", what, why);
}

/* libcgroup prints to stdout by default; our errors go up as values. */
static void cg_log_quiet(void *userdata, int level, const char *fmt, va_list ap)
{
	(void)userdata;
	(void)level;
	(void)fmt;
	(void)ap;
}

static int cg_init_ret;

static void cg_init_once(void)
{
	cgroup_set_logger(cg_log_quiet, CGROUP_LOG_ERROR, NULL);
	cg_init_ret = cgroup_init();
}

static int cg_lib_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, cg_init_once);
	return cg_init_ret;
}

const char *cg_version_name(enum cg_version v)
{
	switch (v) {
	case CG_V1:
		return "v1";
	case CG_V2:
		return "v2";
	default:
		return "none";
	}
}

const char *cg_knob_file(const struct cg_host *host, enum cg_knob knob)
{
	if ((host->version != CG_V1 && host->version != CG_V2) ||
	    (knob != CG_KNOB_MAX && knob != CG_KNOB_HIGH))
		return NULL;
	return cg_knob_files[host->version][knob];
}

/* The mount's file system says which version libcgroup found it under. */
static int cg_mount_version(const char *mount, enum cg_version *v)
{
	struct statfs sfs;

	if (statfs(mount, &sfs))
		return err_sys(errno, "memory cgroup mount %s", mount);
	if (sfs.f_type == CGROUP2_SUPER_MAGIC)
		*v = CG_V2;
	else if (sfs.f_type == CGROUP_SUPER_MAGIC)
		*v = CG_V1;
	else
		return err_set(ENODEV, "memory cgroup mount %s: not a cgroup file system (f_type %#lx)",
			       mount, (unsigned long)sfs.f_type);
	return 0;
}

int cg_host_detect(struct cg_host *host)
{
	char *mount = NULL;
	int ret;

	memset(host, 0, sizeof(*host));
	ret = cg_lib_init();
	if (ret == ECGROUPNOTMOUNTED)
		return err_set(ENOENT, "no cgroup controller mounted (mount cgroup2 on /sys/fs/cgroup, or a cgroup v1 hierarchy with -o memory)");
	if (ret)
		return cg_fail(host, ret, NULL, "initialising libcgroup");
	ret = cgroup_get_subsys_mount_point(CG_CONTROLLER, &mount);
	if (ret == ECGROUPNOTEXIST)
		return err_set(ENOENT, "no memory cgroup controller: looked for a cgroup v1 mount with -o memory and for \"memory\" in a cgroup2 root's cgroup.controllers (enable CONFIG_MEMCG, or boot with cgroup_enable=memory)");
	if (ret)
		return cg_fail(host, ret, NULL, "finding the memory cgroup controller");
	if (snprintf(host->mount, sizeof(host->mount), "%s", mount) >=
	    (int)sizeof(host->mount))
		ret = err_set(ENAMETOOLONG, "memory cgroup mount %s: path too long", mount);
	free(mount);
	if (!ret)
		ret = cg_mount_version(host->mount, &host->version);
	if (ret)
		memset(host, 0, sizeof(*host));
	return ret;
}

/* One path component we create: no slashes, no dot names. */
static bool cg_name_ok(const char *name, size_t len)
{
	return name && name[0] && strlen(name) < len && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

static bool cg_child_known(const struct cg_tree *t, const char *child)
{
	int i;

	for (i = 0; i < t->nr_children; i++)
		if (!strcmp(t->children[i], child))
			return true;
	return false;
}

/* "<tree>" or "<tree>/<child>", relative to the mount. */
static int cg_rel_path(const struct cg_tree *t, const char *child, char *path,
		       size_t len)
{
	if (!child) {
		if (snprintf(path, len, "%s", t->name) >= (int)len)
			return err_set(ENAMETOOLONG, "cgroup %s: name too long", t->name);
		return 0;
	}
	if (!cg_child_known(t, child))
		return err_set(ENOENT, "cgroup %s has no child \"%s\" (children are named at cg_tree_create())",
			       t->name, child);
	if (snprintf(path, len, "%s/%s", t->name, child) >= (int)len)
		return err_set(ENAMETOOLONG, "cgroup %s/%s: name too long", t->name, child);
	return 0;
}

/* Same, for a tree that must exist. */
static int cg_tree_path(const struct cg_tree *t, const char *child, char *path,
			size_t len)
{
	if (!t || !t->created)
		return err_set(ENOENT, "cgroup tree %s not created (call cg_tree_create() first)",
			       t ? t->name : "(null)");
	return cg_rel_path(t, child, path, len);
}

/* A libcgroup handle on the memory controller's group at @path. */
static struct cgroup *cg_open(const char *path, struct cgroup_controller **ctrl)
{
	struct cgroup_controller *c;
	struct cgroup *cg;

	cg = cgroup_new_cgroup(path);
	if (!cg)
		return NULL;
	c = cgroup_add_controller(cg, CG_CONTROLLER);
	if (!c) {
		cgroup_free(&cg);
		return NULL;
	}
	if (ctrl)
		*ctrl = c;
	return cg;
}

static const char *cg_write_hint(int ecg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cg_write_hints); i++)
		if (cg_write_hints[i].errnum == cg_errno(ecg))
			return cg_write_hints[i].hint;
	return NULL;
}

static int cg_write(const struct cg_host *host, const char *path,
		    const char *file, const char *value)
{
	struct cgroup_controller *ctrl;
	struct cgroup *cg;
	int ret;

	cg = cg_open(path, &ctrl);
	if (!cg)
		return err_set(ENOMEM, "writing %s/%s/%s: out of memory", host->mount, path, file);
	ret = cgroup_set_value_string(ctrl, file, value);
	if (!ret)
		ret = cgroup_modify_cgroup(cg);
	cgroup_free(&cg);
	if (ret)
		return cg_fail(host, ret, cg_write_hint(ret), "writing \"%s\" to %s/%s/%s", value,
			       host->mount, path, file);
	return 0;
}

/*
 * Read @file of the group at @path whole into @buf, NUL-terminated.
 * libcgroup hands it over a line (or a buffer's worth) at a time.
 */
static ssize_t cg_read(const struct cg_host *host, const char *path,
		       const char *file, char *buf, size_t len)
{
	char dir[CG_PATH_LEN], name[CG_NAME_LEN], more[2];
	void *handle = NULL;
	size_t off = 0;
	int ret;

	if (len < 2 || len > INT_MAX)
		return err_set(EINVAL, "reading %s/%s/%s: buffer of %zu bytes", host->mount,
			       path, file, len);
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    snprintf(name, sizeof(name), "%s", file) >= (int)sizeof(name))
		return err_set(ENAMETOOLONG, "reading %s/%s: name too long", path, file);
	buf[0] = '\0';
	ret = cgroup_read_value_begin(CG_CONTROLLER, dir, name, &handle, buf, (int)len);
	while (!ret) {
		off += strlen(buf + off);
		if (off + 1 >= len)
			break;
		ret = cgroup_read_value_next(&handle, buf + off, (int)(len - off));
	}
	if (!ret && cgroup_read_value_next(&handle, more, sizeof(more)) != ECGEOF)
		ret = err_set(ENOSPC, "reading %s/%s/%s: more than %zu bytes", host->mount,
			      path, file, len - 1);
	else if (ret == ECGEOF)
		ret = 0;
	else if (ret > 0)
		ret = cg_fail(host, ret, cg_errno(ret) == ENOENT ? "no such file on this host" : NULL,
			      "reading %s/%s/%s", host->mount, path, file);
	if (handle)
		cgroup_read_value_end(&handle);
	buf[off] = '\0';
	return ret ? ret : (ssize_t)off;
}

/*
 * Pids listed in cgroup.procs of the group at @path, stored from @pids[nr]
 * up to @max; returns how many it saw (also those beyond @max).
 * libcgroup's task iterator reads "tasks", which cgroup v2 does not have.
 */
static int cg_read_pids(const struct cg_host *host, const char *path,
			pid_t *pids, int nr, int max)
{
	char dir[CG_PATH_LEN], name[] = "cgroup.procs", line[32];
	void *handle = NULL;
	int ret, seen = 0;
	char *end;
	long pid;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return err_set(ENAMETOOLONG, "cgroup %s: name too long", path);
	ret = cgroup_read_value_begin(CG_CONTROLLER, dir, name, &handle, line,
				      sizeof(line));
	while (!ret) {
		pid = strtol(line, &end, 10);
		if (end != line && pid > 0 && pid <= INT_MAX) {
			if (nr + seen < max)
				pids[nr + seen] = (pid_t)pid;
			seen++;
		}
		ret = cgroup_read_value_next(&handle, line, sizeof(line));
	}
	if (handle)
		cgroup_read_value_end(&handle);
	if (ret != ECGEOF)
		return cg_fail(host, ret, NULL, "listing the tasks of %s/%s", host->mount, path);
	return seen;
}

static int cg_dirs_add(struct cg_dirs *d, const char *path)
{
	if (d->nr == d->cap) {
		int cap = d->cap ? d->cap * 2 : 8;
		char (*grown)[CG_PATH_LEN] = realloc(d->path, (size_t)cap * sizeof(*grown));

		if (!grown)
			return err_set(ENOMEM, "listing cgroups: out of memory");
		d->path = grown;
		d->cap = cap;
	}
	if (snprintf(d->path[d->nr], CG_PATH_LEN, "%s", path) >= CG_PATH_LEN)
		return err_set(ENAMETOOLONG, "cgroup %s: name too long", path);
	d->nr++;
	return 0;
}

static void cg_dirs_free(struct cg_dirs *d)
{
	free(d->path);
	memset(d, 0, sizeof(*d));
}

/* @full_path relative to the mount, without leading or trailing slashes. */
static int cg_dirs_add_full(const struct cg_host *host, struct cg_dirs *d,
			    const char *full_path)
{
	size_t mlen = strlen(host->mount);
	char rel[CG_PATH_LEN];
	size_t len;

	if (strncmp(full_path, host->mount, mlen))
		return err_set(EIO, "cgroup walk left %s: found %s", host->mount, full_path);
	full_path += mlen;
	while (*full_path == '/')
		full_path++;
	len = strlen(full_path);
	while (len && full_path[len - 1] == '/')
		len--;
	if (len >= sizeof(rel))
		return err_set(ENAMETOOLONG, "cgroup %s: name too long", full_path);
	memcpy(rel, full_path, len);
	rel[len] = '\0';
	return cg_dirs_add(d, rel);
}

/*
 * The groups at and below @top (depth 0: all, else down to @depth levels
 * below @top), parents first. A @top that does not exist has none.
 * Note: cgroup_walk_tree_end() must not see the handle of a failed begin.
 */
static int cg_dirs_walk(const struct cg_host *host, const char *top, int depth,
			int min_depth, struct cg_dirs *d)
{
	struct cgroup_file_info info;
	char base[CG_PATH_LEN];
	void *handle = NULL;
	int ecg, ret = 0, level;

	if (snprintf(base, sizeof(base), "%s", top) >= (int)sizeof(base))
		return err_set(ENAMETOOLONG, "cgroup %s: name too long", top);
	ecg = cgroup_walk_tree_begin(CG_CONTROLLER, base, depth, &handle, &info, &level);
	while (!ecg && !ret) {
		if (info.type == CGROUP_FILE_TYPE_DIR && info.depth >= min_depth)
			ret = cg_dirs_add_full(host, d, info.full_path);
		ecg = cgroup_walk_tree_next(depth, &handle, &info, level);
	}
	if (handle)
		cgroup_walk_tree_end(&handle);
	if (!ret && ecg != ECGEOF)
		ret = cg_fail(host, ecg, NULL, "walking cgroup %s/%s", host->mount, top);
	if (ret)
		cg_dirs_free(d);
	return ret;
}

/* Remove one empty group; 0 if it is gone (or never was). */
static int cg_remove_quiet(const char *path)
{
	struct cgroup *cg = cg_open(path, NULL);
	int ecg;

	if (!cg)
		return ECGOTHER;
	ecg = cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_EMPTY_ONLY);
	cgroup_free(&cg);
	return ecg;
}

static int cg_group_create(const struct cg_tree *t, const char *child)
{
	struct cgroup_controller *ctrl;
	char path[CG_PATH_LEN];
	struct cgroup *cg;
	int ecg = 0, ret;

	ret = cg_rel_path(t, child, path, sizeof(path));
	if (ret)
		return ret;
	cg = cg_open(path, &ctrl);
	if (!cg)
		return err_set(ENOMEM, "creating cgroup %s: out of memory", path);
	/* v2: the top's children get memory.* files only if it enables them */
	if (!child && t->host.version == CG_V2)
		ecg = cgroup_add_value_string(ctrl, "cgroup.subtree_control", "+" CG_CONTROLLER);
	if (!ecg)
		ecg = cgroup_create_cgroup(cg, 1);
	if (ecg) {
		ret = cg_errno(ecg);
		if (ret == EACCES || ret == EPERM)
			ret = err_set(ret, "creating cgroup %s/%s: no permission to create cgroups under %s (run as root, or delegate %s to this user)",
				      t->host.mount, path, t->host.mount, t->host.mount);
		else
			ret = cg_fail(&t->host, ecg, ret == EBUSY && t->host.version == CG_V2 ?
				      "a cgroup v2 parent with processes in it cannot enable memory for its children" : NULL,
				      "creating cgroup %s/%s", t->host.mount, path);
		/* the directory may exist when a later step failed */
		cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_EMPTY_ONLY);
	}
	cgroup_free(&cg);
	return ret;
}

static int cg_tree_setup(struct cg_tree *t, const struct cg_host *host,
			 const char *run_id, const char *const *children, int nr)
{
	int i;

	memset(t, 0, sizeof(*t));
	if (host->version != CG_V1 && host->version != CG_V2)
		return err_set(ENOENT, "creating cgroups: no memory controller (call cg_host_detect() first)");
	t->host = *host;
	if (!cg_name_ok(run_id, CG_NAME_LEN) ||
	    snprintf(t->name, sizeof(t->name), CG_PREFIX "%s", run_id) >= (int)sizeof(t->name))
		return err_set(EINVAL, "cgroup for run id \"%s\": empty, too long or has a '/'",
			       run_id ? run_id : "(null)");
	if (nr < 0 || nr > CG_MAX_CHILDREN)
		return err_set(EINVAL, "cgroup %s: %d children (at most %d)", t->name, nr,
			       CG_MAX_CHILDREN);
	for (i = 0; i < nr; i++) {
		if (!cg_name_ok(children[i], sizeof(t->children[i])) ||
		    cg_child_known(t, children[i]))
			return err_set(EINVAL, "cgroup %s: bad or repeated child name \"%s\"",
				       t->name, children[i] ? children[i] : "(null)");
		strcpy(t->children[i], children[i]);
		t->nr_children++;
	}
	return 0;
}

/* Say why we cannot create the top, before libcgroup half-tries. */
static int cg_tree_check(const struct cg_tree *t)
{
	char top[CG_PATH_LEN * 2];
	struct stat st;
	int errnum;

	snprintf(top, sizeof(top), "%s/%s", t->host.mount, t->name);
	if (!stat(top, &st))
		return err_set(EEXIST, "creating cgroup %s: already exists (another run with this id? cg_cleanup_leftovers() removes dead runs' trees)",
			       top);
	if (!access(t->host.mount, W_OK))
		return 0;
	errnum = errno;
	if (errnum == EROFS)
		return err_set(EROFS, "creating cgroup %s: %s is mounted read-only (remount it read-write)",
			       top, t->host.mount);
	return err_set(errnum, "creating cgroup %s: no permission to create cgroups under %s: %s (run as root, or delegate %s to this user)",
		       top, t->host.mount, strerror(errnum), t->host.mount);
}

int cg_tree_create(struct cg_tree *t, const struct cg_host *host,
		   const char *run_id, const char *const *children, int nr)
{
	char path[CG_PATH_LEN];
	int ret, i;

	ret = cg_tree_setup(t, host, run_id, children, nr);
	if (!ret)
		ret = cg_tree_check(t);
	if (!ret)
		ret = cg_group_create(t, NULL);
	if (ret)
		return ret;
	for (i = 0; i < t->nr_children; i++) {
		ret = cg_group_create(t, t->children[i]);
		if (ret)
			goto remove;
	}
	t->created = true;
	return 0;

remove:
	while (i-- > 0)
		if (!cg_rel_path(t, t->children[i], path, sizeof(path)))
			cg_remove_quiet(path);
	cg_remove_quiet(t->name);
	return ret;
}

static int cg_attach_threads(const struct cg_tree *t, struct cgroup *cg,
			     const char *path, pid_t pid)
{
	char task_dir[64];
	struct dirent *de;
	int ecg, ret = 0;
	DIR *dir;
	long tid;

	snprintf(task_dir, sizeof(task_dir), "/proc/%d/task", (int)pid);
	dir = opendir(task_dir);
	if (!dir)
		return err_sys(errno == ENOENT ? ESRCH : errno, "moving pid %d into %s/%s: %s",
			       (int)pid, t->host.mount, path, task_dir);
	while (!ret && (de = readdir(dir))) {
		tid = strtol(de->d_name, NULL, 10);
		if (tid <= 0 || tid == pid)
			continue;
		ecg = cgroup_attach_task_pid(cg, (pid_t)tid);
		if (ecg && cg_errno(ecg) != ESRCH)	/* ESRCH: it exited meanwhile */
			ret = cg_fail(&t->host, ecg, NULL, "moving thread %ld of pid %d into %s/%s",
				      tid, (int)pid, t->host.mount, path);
	}
	closedir(dir);
	return ret;
}

/*
 * v2 moves the whole process; v1 writes "tasks", which moves one thread,
 * so the process's other threads follow one by one.
 */
int cg_tree_attach(const struct cg_tree *t, const char *child, pid_t pid)
{
	char path[CG_PATH_LEN];
	struct cgroup *cg;
	int ecg, ret;

	if (!child)
		return err_set(EINVAL, "moving pid %d: tasks go into a child of the tree, not its top",
			       (int)pid);
	ret = cg_tree_path(t, child, path, sizeof(path));
	if (ret)
		return ret;
	if (pid <= 0)
		return err_set(EINVAL, "moving pid %d into %s: not a pid", (int)pid, path);
	cg = cg_open(path, NULL);
	if (!cg)
		return err_set(ENOMEM, "moving pid %d into %s: out of memory", (int)pid, path);
	ecg = cgroup_attach_task_pid(cg, pid);
	if (ecg)
		ret = cg_fail(&t->host, ecg, NULL, "moving pid %d into %s/%s", (int)pid,
			      t->host.mount, path);
	else if (t->host.version == CG_V1)
		ret = cg_attach_threads(t, cg, path, pid);
	cgroup_free(&cg);
	return ret;
}

/* The cgroup directory of @child and the file of @knob there. */
static int cg_knob_path(const struct cg_tree *t, const char *child, enum cg_knob knob,
			char path[CG_PATH_LEN], const char **file)
{
	int ret = cg_tree_path(t, child, path, CG_PATH_LEN);

	if (ret)
		return ret;
	*file = cg_knob_file(&t->host, knob);
	if (!*file)
		return err_set(EINVAL, "cgroup %s: unknown knob %d", path, (int)knob);
	return 0;
}

int cg_tree_set_limit(const struct cg_tree *t, const char *child,
		      enum cg_knob knob, uint64_t bytes)
{
	const char *file;
	char path[CG_PATH_LEN], value[32];
	int ret;

	ret = cg_knob_path(t, child, knob, path, &file);
	if (ret)
		return ret;
	if (bytes == UINT64_MAX)
		snprintf(value, sizeof(value), "%s", t->host.version == CG_V2 ? "max" : "-1");
	else
		snprintf(value, sizeof(value), "%llu", (unsigned long long)bytes);
	return cg_write(&t->host, path, file, value);
}

static int cg_parse_limit(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	char *end;

	if (!strcmp(s, "max\n") || !strcmp(s, "max")) {
		*bytes = UINT64_MAX;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || (*end && strcmp(end, "\n")))
		return -EINVAL;
	*bytes = v >= CG_UNLIMITED_MIN ? UINT64_MAX : v;
	return 0;
}

int cg_tree_get_limit(const struct cg_tree *t, const char *child,
		      enum cg_knob knob, uint64_t *bytes)
{
	char path[CG_PATH_LEN], value[64];
	const char *file;
	ssize_t len;
	int ret;

	ret = cg_knob_path(t, child, knob, path, &file);
	if (ret)
		return ret;
	len = cg_read(&t->host, path, file, value, sizeof(value));
	if (len < 0)
		return (int)len;
	if (cg_parse_limit(value, bytes))
		return err_set(EIO, "reading %s/%s/%s: \"%s\" is not a limit", t->host.mount,
			       path, file, value);
	return 0;
}

int cg_tree_reset_peak(const struct cg_tree *t, const char *child)
{
	char path[CG_PATH_LEN];
	int ret;

	if (t->host.version != CG_V1)
		return 0;
	ret = cg_tree_path(t, child, path, sizeof(path));
	if (ret)
		return ret;
	return cg_write(&t->host, path, "memory.max_usage_in_bytes", "0");
}

int cg_tree_reclaim(const struct cg_tree *t, const char *child, uint64_t bytes)
{
	char path[CG_PATH_LEN], value[32];
	int ret;

	ret = cg_tree_path(t, child, path, sizeof(path));
	if (ret)
		return ret;
	if (t->host.version != CG_V2)
		return err_set(EOPNOTSUPP, "proactive reclaim of %s: cgroup v1 has no memory.reclaim (use a cgroup v2 host, or squeeze with a limit)",
			       path);
	snprintf(value, sizeof(value), "%llu", (unsigned long long)bytes);
	ret = cg_write(&t->host, path, "memory.reclaim", value);
	if (ret == -ENOENT)
		return err_set(EOPNOTSUPP, "proactive reclaim of %s/%s: no memory.reclaim (needs Linux 5.19 or later)",
			       t->host.mount, path);
	return ret;
}

ssize_t cg_tree_read(const struct cg_tree *t, const char *child,
		     const char *file, char *buf, size_t len)
{
	char path[CG_PATH_LEN];
	int ret;

	ret = cg_tree_path(t, child, path, sizeof(path));
	if (ret)
		return ret;
	if (!cg_name_ok(file, CG_NAME_LEN))
		return err_set(EINVAL, "reading cgroup %s: bad file name \"%s\"", path,
			       file ? file : "(null)");
	return cg_read(&t->host, path, file, buf, len);
}

int cg_tree_pids(const struct cg_tree *t, const char *child, pid_t *pids, int max)
{
	struct cg_dirs d = { 0 };
	char path[CG_PATH_LEN];
	int ret, i, seen = 0;

	ret = cg_tree_path(t, child, path, sizeof(path));
	if (ret)
		return ret;
	if (child) {
		ret = cg_read_pids(&t->host, path, pids, 0, max);
		return ret < 0 ? ret : (ret < max ? ret : max);
	}
	ret = cg_dirs_walk(&t->host, t->name, 0, 0, &d);
	for (i = 0; !ret && i < d.nr; i++) {
		ret = cg_read_pids(&t->host, d.path[i], pids, seen, max);
		if (ret >= 0) {
			seen += ret;
			ret = 0;
		}
	}
	cg_dirs_free(&d);
	return ret ? ret : (seen < max ? seen : max);
}

static void cg_nap(void)
{
	struct timespec ts = { 0, CG_POLL_NS };

	nanosleep(&ts, NULL);
}

/* SIGKILL what the groups in @d hold; how many tasks were there. */
static int cg_kill_dirs(const struct cg_host *host, const struct cg_dirs *d)
{
	pid_t pids[CG_PIDS_BATCH];
	int i, j, n, seen = 0;

	for (i = 0; i < d->nr; i++) {
		n = cg_read_pids(host, d->path[i], pids, 0, CG_PIDS_BATCH);
		if (n == -ENOENT)	/* removed under us */
			continue;
		if (n < 0)
			return n;
		for (j = 0; j < n && j < CG_PIDS_BATCH; j++) {
			if (pids[j] == getpid())
				return err_set(EBUSY, "killing the tasks of %s/%s: this process (%d) is one of them (move it out first)",
					       host->mount, d->path[i], (int)pids[j]);
			if (kill(pids[j], SIGKILL) && errno != ESRCH)
				return err_sys(errno, "killing pid %d in %s/%s", (int)pids[j],
					       host->mount, d->path[i]);
		}
		seen += n;
	}
	return seen;
}

/* Kill until every group of the tree is empty, then remove them, deepest first. */
static int cg_destroy(const struct cg_host *host, const char *top)
{
	uint64_t deadline_ns = now_ns() + CG_DESTROY_TIMEOUT_NS;
	struct cg_dirs d = { 0 };
	int ret, i, ecg = 0;

	for (;;) {
		ret = cg_dirs_walk(host, top, 0, 0, &d);
		if (!ret)
			ret = cg_kill_dirs(host, &d);
		if (ret <= 0 || now_ns() > deadline_ns)
			break;
		cg_dirs_free(&d);
		cg_nap();
	}
	if (ret > 0)
		ret = err_set(EBUSY, "destroying cgroup %s/%s: %d tasks still there after %llu s of SIGKILL (stuck in D state?)",
			      host->mount, top, ret,
			      (unsigned long long)(CG_DESTROY_TIMEOUT_NS / 1000000000ull));
	/* an exiting task can keep its group busy a moment after it is unlisted */
	for (i = d.nr - 1; !ret && i >= 0; i--) {
		while ((ecg = cg_remove_quiet(d.path[i])) == ECGNONEMPTY &&
		       now_ns() < deadline_ns)
			cg_nap();
		if (ecg)
			ret = cg_fail(host, ecg, "a task or group appeared in it meanwhile?",
				      "removing cgroup %s/%s", host->mount, d.path[i]);
	}
	cg_dirs_free(&d);
	return ret;
}

int cg_tree_destroy(struct cg_tree *t)
{
	int ret;

	if (!t || !t->created)
		return 0;
	ret = cg_destroy(&t->host, t->name);
	if (!ret)
		t->created = false;
	return ret;
}

/* "kvmsqueeze-<run id>" whose run id ends in "-<pid>" of a runner gone. */
static bool cg_run_gone(const char *name)
{
	const char *dash = strrchr(name, '-');
	char *end;
	long pid;

	if (strncmp(name, CG_PREFIX, strlen(CG_PREFIX)) ||
	    dash < name + strlen(CG_PREFIX) || !isdigit((unsigned char)dash[1]))
		return false;
	errno = 0;
	pid = strtol(dash + 1, &end, 10);
	if (errno || *end || pid <= 0 || pid > INT_MAX)
		return false;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

int cg_cleanup_leftovers(const struct cg_host *host,
			 void (*report)(const char *name, void *arg), void *arg)
{
	struct cg_dirs tops = { 0 };
	int ret, err, i, removed = 0;

	if (host->version != CG_V1 && host->version != CG_V2)
		return err_set(ENOENT, "removing leftover cgroups: no memory controller (call cg_host_detect() first)");
	ret = cg_dirs_walk(host, "/", 1, 1, &tops);
	if (ret)
		return ret;
	for (i = 0; i < tops.nr; i++) {
		if (!cg_run_gone(tops.path[i]))
			continue;
		/* keep going past a stuck tree; the last failure is reported */
		err = cg_destroy(host, tops.path[i]);
		if (err) {
			ret = err;
			continue;
		}
		removed++;
		if (report)
			report(tops.path[i], arg);
	}
	cg_dirs_free(&tops);
	return ret ? ret : removed;
}

static int oom_kill_key(const char *key, uint64_t val, void *arg)
{
	if (!strcmp(key, "oom_kill"))
		*(uint64_t *)arg = val;
	return 0;
}

int cg_tree_oom_kills(const struct cg_tree *t, const char *child, uint64_t *kills)
{
	const char *file = t->host.version == CG_V2 ? "memory.events" : "memory.oom_control";
	char buf[1024];
	ssize_t len = cg_tree_read(t, child, file, buf, sizeof(buf));
	int ret;

	*kills = UINT64_MAX;
	if (len < 0)
		return (int)len;
	ret = procfs_parse_keyval(buf, (size_t)len, oom_kill_key, kills);
	if (ret)
		return err_set(EINVAL, "%s/%s/%s: cannot parse", t->name, child, file);
	if (*kills == UINT64_MAX)
		return err_set(ENOENT, "%s/%s/%s has no oom_kill count (kernel older than 4.13)",
			       t->name, child, file);
	return 0;
}
