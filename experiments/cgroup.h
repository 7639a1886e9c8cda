/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/cgroup.h: the run's memory cgroup tree, through libcgroup
 * only. One tree per run, "kvmsqueeze-<run id>" under the memory
 * controller's root, with one child per role ("vms", "hog"). cgroup v2 and
 * v1 memory controllers both; the knobs are named by what they do and
 * mapped to each version's files here.
 */
#ifndef KVMSQ_CGROUP_H
#define KVMSQ_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CG_PREFIX	"kvmsqueeze-"
#define CG_NAME_LEN	128
#define CG_PATH_LEN	512
#define CG_MAX_CHILDREN	4

enum cg_version {
	CG_NONE = 0,
	CG_V1 = 1,
	CG_V2 = 2,
};

enum cg_knob {
	CG_KNOB_MAX,	/* v2 memory.max; v1 memory.limit_in_bytes */
	CG_KNOB_HIGH,	/* v2 memory.high; v1: memory.limit_in_bytes (no equivalent) */
};

/* What the host offers: version, mount point of the memory controller. */
struct cg_host {
	enum cg_version version;
	char mount[CG_PATH_LEN];	/* e.g. /sys/fs/cgroup or /sys/fs/cgroup/memory */
};

struct cg_tree {
	struct cg_host host;
	char name[CG_NAME_LEN];		/* "kvmsqueeze-<run id>", relative to the mount */
	int nr_children;
	char children[CG_MAX_CHILDREN][32];
	bool created;
};

/*
 * Initialise libcgroup and find the memory controller. -ENOENT with
 * err_msg() set when there is none (say which mount was looked for).
 */
int cg_host_detect(struct cg_host *host);
const char *cg_version_name(enum cg_version v);	/* "v1", "v2", "none" */
/* The file that a knob is written to on this host, e.g. "memory.high". */
const char *cg_knob_file(const struct cg_host *host, enum cg_knob knob);

/*
 * Create "kvmsqueeze-<run_id>" and its @nr children (names like "vms");
 * the memory controller enabled for the children on v2. On failure
 * nothing is left behind; -EACCES/-EPERM say "no permission to create
 * cgroups under <mount>".
 */
int cg_tree_create(struct cg_tree *t, const struct cg_host *host,
		   const char *run_id, const char *const *children, int nr);
/* Move @pid into child @child. */
int cg_tree_attach(const struct cg_tree *t, const char *child, pid_t pid);
int cg_tree_set_limit(const struct cg_tree *t, const char *child,
		      enum cg_knob knob, uint64_t bytes);	/* UINT64_MAX: no limit */
int cg_tree_get_limit(const struct cg_tree *t, const char *child,
		      enum cg_knob knob, uint64_t *bytes);	/* UINT64_MAX: no limit */
/*
 * Start @child's memory high-water mark afresh: v1 resets
 * memory.max_usage_in_bytes by a write; a v2 cgroup's memory.peak counts
 * from its creation, so a fresh tree needs nothing.
 */
int cg_tree_reset_peak(const struct cg_tree *t, const char *child);
/* Proactive reclaim (v2 memory.reclaim); -EOPNOTSUPP on v1. */
int cg_tree_reclaim(const struct cg_tree *t, const char *child, uint64_t bytes);
/*
 * Read a control file of @child (NULL: the tree's top) whole into @buf,
 * NUL-terminated; the number of bytes or -errno (-ENOENT: no such file
 * on this host).
 */
ssize_t cg_tree_read(const struct cg_tree *t, const char *child,
		     const char *file, char *buf, size_t len);
/* OOM kills in @child so far (v2 memory.events, v1 memory.oom_control). */
int cg_tree_oom_kills(const struct cg_tree *t, const char *child, uint64_t *kills);
/* Pids in @child (NULL: the whole tree); returns the count, at most @max. */
int cg_tree_pids(const struct cg_tree *t, const char *child, pid_t *pids, int max);
/*
 * Kill every task left in the tree (SIGKILL), wait until they are gone
 * (bounded), remove the children and the top. Safe to call twice and on
 * a tree that was never created.
 */
int cg_tree_destroy(struct cg_tree *t);

/*
 * Remove trees "kvmsqueeze-<run id>" whose run is gone (the run id ends in
 * "-<pid>" of its runner and that pid no longer runs). Calls @report for
 * each tree removed; returns how many were removed or -errno.
 */
int cg_cleanup_leftovers(const struct cg_host *host,
			 void (*report)(const char *name, void *arg), void *arg);

#endif
