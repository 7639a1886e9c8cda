// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/trace.c: the tracefs helpers (experiments/trace.c) on a
 * directory laid out as tracefs: kprobe events appended, never the
 * host's others dropped; kprobe_profile; trace_pipe read line by line
 * across reads; what runs that are gone left, removed, and only that.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "common/err.h"
#include "experiments/procfs.h"
#include "experiments/trace.h"

static char dir[64];
static char text[64 * 1024];

static void fake_tracefs(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/kvmsq-trace-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/instances", dir);
	mkdir(path, 0755);
}

static void put(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "a");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static const char *get(const char *name)
{
	ssize_t len = procfs_read(text, sizeof(text), "%s/%s", dir, name);

	return len < 0 ? "" : text;
}

static void rm_fake(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", dir);
}

/* A pid that ran and is gone. */
static pid_t gone_pid(void)
{
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* kprobe_events opened with O_TRUNC drops every probe of the host. */
static void kprobe_appends(void)
{
	fake_tracefs();
	CHECK(trace_kprobe_add(dir, "r:x/y f", "f") == -EOPNOTSUPP &&
	      strstr(err_msg(), "CONFIG_KPROBE_EVENTS"), "no kprobe_events: %s", err_msg());
	put("kprobe_events", "p:perf/open do_sys_open\n");
	CHECK(!trace_kprobe_add(dir, "r:kvmsqueeze/f_1 f ret=$retval:u64", "f"), "%s", err_msg());
	CHECK(!trace_kprobe_del(dir, "kvmsqueeze/f_1"), "del");
	CHECK(!strcmp(get("kprobe_events"), "p:perf/open do_sys_open\n"
		      "r:kvmsqueeze/f_1 f ret=$retval:u64-:kvmsqueeze/f_1"),
	      "kprobe_events: '%s'", text);
	rm_fake();
}

/* 6.12 refuses an unknown symbol with EINVAL; error_log says which. */
static void kprobe_refused(void)
{
	static const char def[] = "r:kvmsqueeze/mmu_shrink_scan_83 mmu_shrink_scan ret=$retval:u64";
	char why[128];

	fake_tracefs();
	trace_kprobe_error(dir, def, why, sizeof(why));
	CHECK(!why[0], "no error_log: '%s'", why);
	put("error_log",
	    "[   30.100000] trace_kprobe: error: Invalid probed address or symbol\n"
	    "  Command: r:kvmsqueeze/mmu_shrink_scan_83 mmu_shrink_scan ret=$retval:u64\n"
	    "                                          ^\n"
	    "[   31.200000] trace_kprobe: error: Maxactive is not for kprobe\n"
	    "  Command: r8:other/x foo\n"
	    "           ^\n");
	trace_kprobe_error(dir, def, why, sizeof(why));
	CHECK(!strcmp(why, "Invalid probed address or symbol"), "'%s'", why);
	trace_kprobe_error(dir, "r:kvmsqueeze/f_1 f", why, sizeof(why));
	CHECK(!why[0], "another command's error: '%s'", why);
	rm_fake();
}

static void profile(void)
{
	uint64_t hits = 0, misses = 0;

	fake_tracefs();
	put("kprobe_profile",
	    "  open                                                       12               0\n"
	    "  mmu_shrink_scan_4242                                       57               3\n");
	CHECK(!trace_kprobe_profile(dir, "mmu_shrink_scan_4242", &hits, &misses) &&
	      hits == 57 && misses == 3, "%llu hits, %llu misses", (unsigned long long)hits,
	      (unsigned long long)misses);
	CHECK(trace_kprobe_profile(dir, "mmu_shrink_scan_1", &hits, &misses) == -ENOENT,
	      "another event found");
	rm_fake();
}

struct lines {
	int n;
	char last[TRACE_LINE_MAX + 1];
};

static int line_seen(void *arg, const char *line, size_t len)
{
	struct lines *l = arg;

	l->n++;
	snprintf(l->last, sizeof(l->last), "%.*s", (int)len, line);
	return 0;
}

/* Whole lines only: one cut by the end of what is there waits for its end. */
static void drain_lines(void)
{
	struct trace_inst t;
	struct lines l = { 0 };
	char *big;

	fake_tracefs();
	CHECK(!trace_inst_create(&t, dir, "unit-drain"), "%s", err_msg());
	put("instances/kvmsqueeze-unit-drain/trace_pipe", "one\ntwo\nthr");
	CHECK(!trace_inst_open_pipe(&t), "%s", err_msg());
	CHECK(!trace_inst_drain(&t, line_seen, &l) && l.n == 2 && !strcmp(l.last, "two"),
	      "%d lines, last '%s'", l.n, l.last);
	put("instances/kvmsqueeze-unit-drain/trace_pipe", "ee\nfour\n");
	CHECK(!trace_inst_drain(&t, line_seen, &l) && l.n == 4 && !strcmp(l.last, "four"),
	      "%d lines, last '%s'", l.n, l.last);
	big = malloc(TRACE_LINE_MAX + 2);
	memset(big, 'x', TRACE_LINE_MAX + 1);
	big[TRACE_LINE_MAX + 1] = '\0';
	put("instances/kvmsqueeze-unit-drain/trace_pipe", big);
	free(big);
	CHECK(trace_inst_drain(&t, line_seen, &l) == -EINVAL && strstr(err_msg(), "longer than"),
	      "a line too long: %s", err_msg());
	CHECK(trace_inst_destroy(&t) == -ENOTEMPTY, "a real instance holds no files");
	rm_fake();
}

static void create_errors(void)
{
	struct trace_inst t, again;

	CHECK(trace_inst_create(&t, "/nonexistent", "x") == -ENOENT &&
	      strstr(err_msg(), "tracefs is not mounted at /nonexistent"), "%s", err_msg());
	fake_tracefs();
	CHECK(trace_inst_create(&t, dir, "a/b") == -EINVAL, "a slash in the name");
	CHECK(!trace_inst_create(&t, dir, "unit-twice"), "%s", err_msg());
	CHECK(trace_inst_create(&again, dir, "unit-twice") == -EEXIST &&
	      strstr(err_msg(), "already exists"), "%s", err_msg());
	CHECK(!trace_inst_destroy(&t), "destroy");
	rm_fake();
}

/* Only what names a pid that is gone, and only ours. */
static void leftovers(void)
{
	char line[512], path[256];
	pid_t dead = gone_pid(), me = getpid();
	struct stat st;

	fake_tracefs();
	put("kprobe_events", "");
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-20250101-000000-%d", dir, (int)dead);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-kprobe-%d", dir, (int)me);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-unit-samplers", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/instances/other-%d", dir, (int)dead);
	mkdir(path, 0755);
	snprintf(line, sizeof(line),
		 "r16:kvmsqueeze/mmu_shrink_scan_%d mmu_shrink_scan ret=$retval:u64\n"
		 "r16:kvmsqueeze/mmu_shrink_scan_%d mmu_shrink_scan ret=$retval:u64\n"
		 "p:perf/open_%d do_sys_open\n", (int)dead, (int)me, (int)dead);
	put("kprobe_events", line);
	CHECK(trace_cleanup_leftovers(dir) == 2, "removed something else");
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-20250101-000000-%d", dir, (int)dead);
	CHECK(stat(path, &st), "the gone run's instance is still there");
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-kprobe-%d", dir, (int)me);
	CHECK(!stat(path, &st), "our own instance was removed");
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-unit-samplers", dir);
	CHECK(!stat(path, &st), "an instance without a pid was removed");
	snprintf(path, sizeof(path), "%s/instances/other-%d", dir, (int)dead);
	CHECK(!stat(path, &st), "another tool's instance was removed");
	snprintf(line, sizeof(line), "ret=$retval:u64\np:perf/open_%d do_sys_open\n"
		 "-:kvmsqueeze/mmu_shrink_scan_%d", (int)dead, (int)dead);
	CHECK(strstr(get("kprobe_events"), line), "kprobe_events: '%s'", text);
	rm_fake();
}

UNIT_MAIN(T(kprobe_appends), T(kprobe_refused), T(profile), T(drain_lines), T(create_errors), T(leftovers))
