// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/trace.c: tracefs for the samplers: private trace instances
 * read line by line through trace_pipe, kprobe events, and the cleanup
 * of what crashed runs left there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "experiments/procfs.h"
#include "experiments/trace.h"

static int trace_write(const char *path, const char *val, int flags)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

/* --- instances --- */

static int trace_mkdir_fail(const char *tracefs, const char *instance)
{
	int err = errno;

	if (err == EACCES || err == EPERM || err == EROFS)
		return err_sys(err, "tracefs at %s is not writable (run as root)", tracefs);
	if (err == EEXIST)
		return err_set(err, "trace instance %s already exists (another run with this id? rmdir it)",
			       instance);
	return err_sys(err, "creating trace instance %s", instance);
}

int trace_inst_create(struct trace_inst *t, const char *tracefs, const char *name)
{
	char instances[PATH_MAX];
	struct stat st;
	int n;

	memset(t, 0, sizeof(*t));
	t->pipe_fd = -1;
	snprintf(instances, sizeof(instances), "%s/instances", tracefs);
	if (stat(instances, &st) && (errno == EACCES || errno == EPERM))
		return err_sys(errno, "tracefs at %s (run as root)", tracefs);
	if (stat(instances, &st) || !S_ISDIR(st.st_mode))
		return err_set(ENOENT, "tracefs is not mounted at %s (mount -t tracefs nodev %s)",
			       tracefs, tracefs);
	if (!*name || strchr(name, '/'))
		return err_set(EINVAL, "'%s' cannot name a trace instance", name);
	n = snprintf(t->path, sizeof(t->path), "%s/" TRACE_PREFIX "-%s", instances, name);
	if (n < 0 || (size_t)n >= sizeof(t->path))
		return err_set(ENAMETOOLONG, "trace instance path too long under %s", instances);
	t->chunk = malloc(TRACE_CHUNK);
	if (!t->chunk)
		return err_sys(ENOMEM, "trace instance %s", t->path);
	if (mkdir(t->path, 0750)) {
		free(t->chunk);
		t->chunk = NULL;
		return trace_mkdir_fail(tracefs, t->path);
	}
	return 0;
}

int trace_inst_event(struct trace_inst *t, const char *event, int on)
{
	char path[PATH_MAX + 128];
	int err;

	snprintf(path, sizeof(path), "%s/events/%s/enable", t->path, event);
	err = trace_write(path, on ? "1" : "0", 0);
	if (err == -ENOENT)
		return err_set(ENOENT, "no trace event %s in this kernel (%s)", event, path);
	if (err)
		return err_sys(-err, "%s %s", on ? "enabling" : "disabling", path);
	return 0;
}

int trace_inst_open_pipe(struct trace_inst *t)
{
	char pipe[PATH_MAX + 16];

	snprintf(pipe, sizeof(pipe), "%s/trace_pipe", t->path);
	t->pipe_fd = open(pipe, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (t->pipe_fd < 0)
		return err_sys(errno, "%s", pipe);
	return 0;
}

static int trace_carry(struct trace_inst *t, const char *piece, size_t len)
{
	if (len > sizeof(t->carry) - t->carry_len)
		return err_set(EINVAL, "%s/trace_pipe: a line longer than %zu bytes",
			       t->path, sizeof(t->carry));
	memcpy(t->carry + t->carry_len, piece, len);
	t->carry_len += len;
	return 0;
}

struct trace_feed {
	struct trace_inst *t;
	int (*line)(void *arg, const char *text, size_t len);
	void *arg;
};

/* One whole line: @piece ends it, what was carried starts it. */
static int trace_line(struct trace_feed *f, const char *piece, size_t len)
{
	struct trace_inst *t = f->t;
	int ret;

	if (t->carry_len) {
		ret = trace_carry(t, piece, len);
		if (ret)
			return ret;
		piece = t->carry;
		len = t->carry_len;
		t->carry_len = 0;
	}
	return f->line(f->arg, piece, len);
}

static int trace_feed(struct trace_feed *f, const char *buf, size_t len)
{
	const char *end = buf + len, *nl;
	int ret;

	while ((nl = memchr(buf, '\n', end - buf))) {
		ret = trace_line(f, buf, nl - buf);
		if (ret)
			return ret;
		buf = nl + 1;
	}
	return trace_carry(f->t, buf, end - buf);
}

int trace_inst_drain(struct trace_inst *t,
		     int (*line)(void *arg, const char *text, size_t len), void *arg)
{
	struct trace_feed f = { .t = t, .line = line, .arg = arg };
	ssize_t n;
	int i, ret;

	for (i = 0; i < TRACE_READS_PER_DRAIN; i++) {
		n = read(t->pipe_fd, t->chunk, TRACE_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return err_sys(errno, "reading %s/trace_pipe", t->path);
		if (!n)
			return 0;
		ret = trace_feed(&f, t->chunk, n);
		if (ret)
			return ret;
	}
	return 0;
}

int trace_inst_destroy(struct trace_inst *t)
{
	int ret = 0;

	if (t->pipe_fd >= 0)
		close(t->pipe_fd);
	t->pipe_fd = -1;
	if (t->path[0] && rmdir(t->path))
		ret = -errno;
	free(t->chunk);
	t->chunk = NULL;
	return ret;
}

/* --- kprobe events --- */

void trace_kprobe_error(const char *tracefs, const char *def, char *why, size_t len)
{
	const char *at = NULL, *err = NULL, *next, *end;
	char *text;
	ssize_t n;

	why[0] = '\0';
	text = malloc(TRACE_CHUNK);
	if (!text)
		return;
	n = procfs_read(text, TRACE_CHUNK, "%s/error_log", tracefs);
	/* the last mention of @def, and the last error line before it */
	for (next = text; n > 0 && (next = strstr(next, def)); next++)
		at = next;
	for (next = text; at && (next = strstr(next, "error: ")) && next < at; next++)
		err = next;
	if (err) {
		err += strlen("error: ");
		end = strchr(err, '\n');
		if (end)
			snprintf(why, len, "%.*s", (int)(end - err), err);
	}
	free(text);
}

int trace_kprobe_add(const char *tracefs, const char *def, const char *symbol)
{
	char why[128];
	char path[PATH_MAX];
	struct stat st;
	int err;

	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	if (stat(path, &st))
		return err_set(EOPNOTSUPP, "no %s (a kernel without CONFIG_KPROBE_EVENTS, or tracefs is not mounted at %s)",
			       path, tracefs);
	/* O_APPEND: opened with O_TRUNC the file drops every kprobe of the host */
	err = trace_write(path, def, O_APPEND);
	if (!err)
		return 0;
	/* 6.12 refuses an unknown symbol with EINVAL and says so in error_log */
	trace_kprobe_error(tracefs, def, why, sizeof(why));
	if (err == -ENOENT || !strcmp(why, "Invalid probed address or symbol"))
		return err_set(ENOENT, "no such function: %s is not in this kernel", symbol);
	if (why[0])
		return err_set(-err, "adding kprobe \"%s\" to %s: %s", def, path, why);
	return err_sys(-err, "adding kprobe \"%s\" to %s", def, path);
}

int trace_kprobe_del(const char *tracefs, const char *group_event)
{
	char path[PATH_MAX], def[256];

	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	snprintf(def, sizeof(def), "-:%s", group_event);
	return trace_write(path, def, O_APPEND);
}

int trace_kprobe_profile(const char *tracefs, const char *event, uint64_t *hits,
			 uint64_t *misses)
{
	char *text, name[256];
	unsigned long long h, m;
	const char *line;
	ssize_t len;
	int ret = -ENOENT;

	text = malloc(TRACE_CHUNK);
	if (!text)
		return -ENOMEM;
	len = procfs_read(text, TRACE_CHUNK, "%s/kprobe_profile", tracefs);
	for (line = text; len > 0 && line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (sscanf(line, " %255s %llu %llu", name, &h, &m) == 3 && !strcmp(name, event)) {
			*hits = h;
			*misses = m;
			ret = 0;
			break;
		}
	}
	free(text);
	return len < 0 ? (int)len : ret;
}

/* --- what crashed runs left --- */

/* Does @name end in @sep and the pid of a process that is gone? */
static bool name_of_gone_run(const char *name, char sep)
{
	const char *at = strrchr(name, sep);
	char *end;
	long pid;

	if (!at || !at[1])
		return false;
	errno = 0;
	pid = strtol(at + 1, &end, 10);
	if (*end || errno || pid <= 0 || pid == getpid())
		return false;
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

static int instances_cleanup(const char *tracefs)
{
	char path[PATH_MAX * 2];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/instances", tracefs);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		if (strncmp(de->d_name, TRACE_PREFIX "-", strlen(TRACE_PREFIX) + 1) ||
		    !name_of_gone_run(de->d_name, '-'))
			continue;
		snprintf(path, sizeof(path), "%s/instances/%s", tracefs, de->d_name);
		n += !rmdir(path);
	}
	if (dir)
		closedir(dir);
	return n;
}

/* Lines "r16:kvmsqueeze/mmu_shrink_scan_1234 mmu_shrink_scan ret=..." */
static int kprobes_cleanup(const char *tracefs)
{
	char *text, group_event[256];
	const char *line, *colon;
	ssize_t len;
	int n = 0;

	text = malloc(TRACE_CHUNK);
	if (!text)
		return 0;
	len = procfs_read(text, TRACE_CHUNK, "%s/kprobe_events", tracefs);
	for (line = text; len > 0 && line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		colon = strchr(line, ':');
		if (!colon || sscanf(colon + 1, "%255s", group_event) != 1 ||
		    strncmp(group_event, TRACE_PREFIX "/", strlen(TRACE_PREFIX) + 1) ||
		    !name_of_gone_run(group_event, '_'))
			continue;
		n += !trace_kprobe_del(tracefs, group_event);
	}
	free(text);
	return n;
}

int trace_cleanup_leftovers(const char *tracefs)
{
	/* the instances first: an event still on in one cannot go */
	int n = instances_cleanup(tracefs);

	return n + kprobes_cleanup(tracefs);
}
