/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/selftest.h: the KVM selftests a spec may run as a workload
 * (experiments/SPEC.md, "selftests"): the table of programs a spec may
 * name, the checks on their arguments, the parser of their output
 * (selftest_out.c) and the process that runs one in the VMs' cgroup
 * (selftest.c).
 */
#ifndef KVMSQ_SELFTEST_H
#define KVMSQ_SELFTEST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#define SELFTEST_MAX_ARGS	32
#define SELFTEST_ARG_LEN	64	/* 63 bytes and the NUL */
/*
 * What an argument may hold: options and their values (-v 2, -b 256M,
 * -s anonymous_hugetlb_2mb, -m 0) and nothing a path or a shell needs.
 */
#define SELFTEST_ARG_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.,:=+"
#define SELFTEST_LINE_MAX	1024	/* a longer line is unparsed */
#define SELFTEST_READ_MAX	(64u << 20)	/* of a log; the rest is not read */
#define SELFTEST_MAX_VALUES	256
#define SELFTEST_MAX_ITER	100000	/* "Iteration N": above it, unparsed */
#define SELFTEST_NAME_LEN	48

enum selftest_prog {
	SELFTEST_DIRTY_LOG,
	SELFTEST_DEMAND_PAGING,
	SELFTEST_ACCESS_TRACKING,
	NR_SELFTEST_PROGS,
};

struct selftest_prog_info {
	const char *program;	/* its file name: the spec's "program" */
	const char *key;	/* under summary.selftest: "dirty_log" */
};

extern const struct selftest_prog_info selftest_progs[NR_SELFTEST_PROGS];

/* The program @name, or -1 if the table has none. */
int selftest_prog_find(const char *name);

/* NULL if @arg may be passed; else why not, for a one-line message. */
const char *selftest_arg_check(const char *arg);

/* One selftest of a spec. */
struct spec_selftest {
	enum selftest_prog prog;
	int nr_args;
	char args[SELFTEST_MAX_ARGS][SELFTEST_ARG_LEN];
};

/* --- its output --- */

struct selftest_value {
	char name[SELFTEST_NAME_LEN];	/* "populate_s", "dirty_memory_iter2_s" */
	double value;
	const char *unit;		/* "s", "pages/s", "iterations" */
	int mode;			/* the guest mode it ran in, from 1 */
};

struct selftest_out {
	enum selftest_prog prog;
	int mode;			/* "Testing guest mode" lines seen (at least 1) */
	bool mode_seen;
	int mark_idle;			/* access tracking's "Mark memory idle" so far */
	uint64_t lines, unparsed;
	uint64_t dropped;		/* values past SELFTEST_MAX_VALUES */
	bool truncated;			/* the log is longer than SELFTEST_READ_MAX */
	int nr_values;
	struct selftest_value values[SELFTEST_MAX_VALUES];
};

void selftest_out_init(struct selftest_out *o, enum selftest_prog prog);
/* One line of output, without its newline; any bytes, any length. */
void selftest_out_line(struct selftest_out *o, const char *line, size_t len);
/* Every line of @text (@len bytes). */
void selftest_out_text(struct selftest_out *o, const char *text, size_t len);
/* Every line of the file at @path (at most SELFTEST_READ_MAX bytes). */
int selftest_out_file(struct selftest_out *o, const char *path);
/* The value @name of the first guest mode, or NULL. */
const struct selftest_value *selftest_out_find(const struct selftest_out *o, const char *name);
/*
 * The summary's values of program @o->prog (summary.selftest.<key>):
 * one number or null per key of the summary table under it.
 */
struct json_object *selftest_out_summary(const struct selftest_out *o);
/* {values: [{name, value, unit, mode}], lines, unparsed_lines, ...} */
struct json_object *selftest_out_json(const struct selftest_out *o);

/* --- the process --- */

enum selftest_state {
	SELFTEST_NEW,		/* forked, waiting to be let go */
	SELFTEST_RUNNING,
	SELFTEST_ENDED,		/* reaped */
};

struct selftest_proc {
	int index;			/* in the spec's "selftests" */
	const struct spec_selftest *st;
	pid_t pid;
	int go_fd;			/* the runner's end of the start pipe */
	int status_fd;			/* exec's errno, or EOF when it worked */
	int pidfd;			/* readable once it ended; -1: none, watch by polling */
	int exec_errno;
	enum selftest_state state;
	uint64_t start_ns, end_ns;
	int wait_status;
	bool term_sent;			/* the runner asked it to stop (SIGTERM) */
	bool killed_by_runner;		/* and then killed it (SIGKILL) */
	bool oom_killed;		/* the cgroup's oom_kill count rose as it died */
	char path[PATH_MAX];
	char log_path[PATH_MAX];
};

/*
 * The file of @prog in @dir, checked to be an executable regular file;
 * one-line errors saying how to build it.
 */
int selftest_path(char *buf, size_t len, const char *dir, enum selftest_prog prog);
/*
 * Fork the selftest @st from @dir with its output in @log_path; it waits
 * for selftest_go() (after the caller moved it into the cgroup), then
 * execs (no shell).
 */
int selftest_start(struct selftest_proc *p, const struct spec_selftest *st, const char *dir,
		   const char *log_path);
int selftest_go(struct selftest_proc *p);
/* SIGTERM to its process group, once. */
void selftest_term(struct selftest_proc *p);
/* SIGKILL to its process group. */
void selftest_kill(struct selftest_proc *p);
/* Reap if it ended (or wait for it when @block); true once ended. */
bool selftest_reap(struct selftest_proc *p, bool block);
/* "ok", "exit-code", "timeout", "oom-killed", "killed", "setup-failed"; "running" before. */
const char *selftest_status(const struct selftest_proc *p);
/* One line for run.problems when the status is not "ok". */
void selftest_problem(const struct selftest_proc *p, char *buf, size_t len);
/* "exited 0", "exited 1", "killed by SIGKILL" ... */
void selftest_end_text(const struct selftest_proc *p, char *buf, size_t len);

#endif
