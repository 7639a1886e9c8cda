// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/trace.c: tracefs for the samplers: private trace instances
 * (libtracefs) whose per-CPU ring buffers are read page by page and
 * decoded with libtraceevent's kbuffer and the events' format files;
 * kretprobe events; and the cleanup of what crashed runs left there.
 * kprobe_profile has no library reader and is parsed here.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event-parse.h>
#include <kbuffer.h>
#include <tracefs.h>

#include "common/err.h"
#include "experiments/procfs.h"
#include "experiments/trace.h"

#define TRACE_TEXT_MAX		(64 * 1024)	/* kprobe_profile */
/* include/linux/ring_buffer.h: the commit word of a ring-buffer page */
#define RB_COMMIT_MASK		((1u << 27) - 1)
#define RB_MISSED_EVENTS	(1ul << 31)
#define RB_MISSED_STORED	(1ul << 30)

struct trace_cpu {
	int cpu;
	struct tracefs_cpu *tcpu;
	struct kbuffer *kbuf;
};

/*
 * Point libtracefs at @tracefs: it then never looks for (or mounts) one
 * of its own, and its warnings, which would reach the user's terminal,
 * stay quiet (the errors here say what went wrong).
 */
static int trace_use(const char *tracefs)
{
	tracefs_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	if (tracefs_set_tracing_dir((char *)tracefs))
		return err_sys(ENOMEM, "tracefs %s", tracefs);
	return 0;
}

/* "<system>/<event>" split; the system copied into @sys. */
static const char *trace_event_split(const char *event, char *sys, size_t len)
{
	const char *slash = strchr(event, '/');

	if (!slash || slash == event || !slash[1] || (size_t)(slash - event) >= len) {
		err_set(EINVAL, "trace event '%s' is not system/event", event);
		return NULL;
	}
	snprintf(sys, len, "%.*s", (int)(slash - event), event);
	return slash + 1;
}

/* --- instances --- */

static int trace_mkdir_fail(const char *tracefs, const char *instance, int err)
{
	if (err == EACCES || err == EPERM || err == EROFS)
		return err_sys(err, "tracefs at %s is not writable (run as root)", tracefs);
	if (err == EEXIST)
		return err_set(err, "trace instance %s already exists (another run with this id? rmdir it)",
			       instance);
	return err_sys(err, "creating trace instance %s", instance);
}

static int trace_tracefs_check(const char *tracefs)
{
	char instances[PATH_MAX];
	struct stat st;

	snprintf(instances, sizeof(instances), "%s/instances", tracefs);
	if (stat(instances, &st) && (errno == EACCES || errno == EPERM))
		return err_sys(errno, "tracefs at %s (run as root)", tracefs);
	if (stat(instances, &st) || !S_ISDIR(st.st_mode))
		return err_set(ENOENT, "tracefs is not mounted at %s (mount -t tracefs nodev %s)",
			       tracefs, tracefs);
	return 0;
}

int trace_inst_create(struct trace_inst *t, const char *tracefs, const char *name)
{
	char inst_name[NAME_MAX + 1];
	int n, ret;

	memset(t, 0, sizeof(*t));
	ret = trace_tracefs_check(tracefs);
	if (ret)
		return ret;
	if (!*name || strchr(name, '/'))
		return err_set(EINVAL, "'%s' cannot name a trace instance", name);
	n = snprintf(inst_name, sizeof(inst_name), TRACE_PREFIX "-%s", name);
	if (n < 0 || (size_t)n >= sizeof(inst_name))
		return err_set(ENAMETOOLONG, "trace instance name too long: %s", name);
	snprintf(t->path, sizeof(t->path), "%s/instances/%s", tracefs, inst_name);
	ret = trace_use(tracefs);
	if (ret)
		return ret;
	errno = 0;
	t->inst = tracefs_instance_create(inst_name);
	if (!t->inst)
		return trace_mkdir_fail(tracefs, t->path, errno ? errno : ENOMEM);
	/* libtracefs hands back one that is there: it is another run's */
	if (!tracefs_instance_is_new(t->inst)) {
		tracefs_instance_free(t->inst);
		t->inst = NULL;
		return trace_mkdir_fail(tracefs, t->path, EEXIST);
	}
	return 0;
}

int trace_inst_event(struct trace_inst *t, const char *event, int on)
{
	char sys[NAME_MAX + 1];
	const char *name = trace_event_split(event, sys, sizeof(sys));
	int ret;

	if (!name)
		return -EINVAL;
	/* libtracefs leaves errno alone when no event matched */
	errno = 0;
	ret = on ? tracefs_event_enable(t->inst, sys, name) :
		   tracefs_event_disable(t->inst, sys, name);
	if (!ret)
		return 0;
	if (!errno || errno == ENOENT)
		return err_set(ENOENT, "no trace event %s in this kernel (%s/events/%s)",
			       event, t->path, event);
	return err_sys(errno, "%s %s/events/%s", on ? "enabling" : "disabling", t->path, event);
}

/* The CPUs the instance has a ring buffer for: per_cpu/cpu<N>. */
static int trace_cpus_open(struct trace_inst *t)
{
	char path[PATH_MAX + 16];
	struct trace_cpu *c;
	struct dirent *de;
	DIR *dir;
	int cpu, ret = 0;

	snprintf(path, sizeof(path), "%s/per_cpu", t->path);
	dir = opendir(path);
	if (!dir)
		return err_sys(errno, "%s", path);
	while (!ret && (de = readdir(dir))) {
		if (sscanf(de->d_name, "cpu%d", &cpu) != 1)
			continue;
		c = realloc(t->cpus, (t->nr_cpus + 1) * sizeof(*c));
		if (!c) {
			ret = err_sys(ENOMEM, "%s", path);
			break;
		}
		t->cpus = c;
		c += t->nr_cpus;
		memset(c, 0, sizeof(*c));
		c->cpu = cpu;
		c->tcpu = tracefs_cpu_open(t->inst, cpu, true);
		if (!c->tcpu)
			ret = err_sys(errno ? errno : EIO, "%s/cpu%d/trace_pipe_raw", path, cpu);
		else
			t->nr_cpus++;
	}
	closedir(dir);
	if (!ret && !t->nr_cpus)
		ret = err_set(ENOENT, "%s: no per-CPU buffers", path);
	return ret;
}

static int trace_kbufs_alloc(struct trace_inst *t)
{
	enum kbuffer_endian endian = tep_is_file_bigendian(t->tep) ? KBUFFER_ENDIAN_BIG :
								     KBUFFER_ENDIAN_LITTLE;
	enum kbuffer_long_size lsize = tep_get_header_page_size(t->tep) == 8 ? KBUFFER_LSIZE_8 :
									       KBUFFER_LSIZE_4;
	int i;

	t->page_size = tracefs_cpu_read_size(t->cpus[0].tcpu);
	if (t->page_size <= 0)
		return err_set(EINVAL, "%s/events/header_page: no page size", t->path);
	t->page = malloc(t->page_size);
	if (!t->page)
		return err_sys(ENOMEM, "%s: a ring-buffer page", t->path);
	for (i = 0; i < t->nr_cpus; i++) {
		t->cpus[i].kbuf = kbuffer_alloc(lsize, endian);
		if (!t->cpus[i].kbuf)
			return err_sys(ENOMEM, "%s: kbuffer", t->path);
	}
	return 0;
}

/* The page layout, then each event's format, from the top events/. */
static int trace_formats_load(struct trace_inst *t, const char *tracefs,
			      const char *const *events)
{
	char sys[NAME_MAX + 1], *buf;
	const char *name;
	int i, len, ret;

	buf = tracefs_instance_file_read(NULL, "events/header_page", &len);
	ret = buf ? tep_parse_header_page(t->tep, buf, len, sizeof(long)) : -1;
	free(buf);
	if (ret)
		return err_set(buf ? EINVAL : ENOENT, "%s/events/header_page: %s", tracefs,
			       buf ? "not a ring-buffer page layout" : "cannot read it");
	tep_set_long_size(t->tep, tep_get_header_page_size(t->tep));
	for (i = 0; events[i]; i++) {
		name = trace_event_split(events[i], sys, sizeof(sys));
		if (!name)
			return -EINVAL;
		buf = tracefs_event_file_read(NULL, sys, name, "format", &len);
		if (!buf)
			return err_set(ENOENT, "no format for trace event %s (%s/events/%s/format)",
				       events[i], tracefs, events[i]);
		ret = tep_parse_event(t->tep, buf, len, sys);
		free(buf);
		if (ret)
			return err_set(EINVAL, "%s/events/%s/format: libtraceevent cannot parse it",
				       tracefs, events[i]);
	}
	return 0;
}

int trace_inst_open_raw(struct trace_inst *t, const char *const *events)
{
	const char *tracefs = tracefs_instance_get_trace_dir(t->inst);
	int ret;

	t->tep = tep_alloc();
	if (!t->tep)
		return err_sys(ENOMEM, "%s: event formats", t->path);
	/* formats read here describe this host's ring buffer */
	tep_set_file_bigendian(t->tep, tep_is_bigendian() ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	ret = trace_formats_load(t, tracefs, events);
	if (!ret)
		ret = trace_cpus_open(t);
	if (!ret)
		ret = trace_kbufs_alloc(t);
	return ret;
}

int trace_inst_field(struct trace_inst *t, const char *event, const char *field,
		     struct tep_event **ev, struct tep_format_field **f)
{
	char sys[NAME_MAX + 1];
	const char *name = trace_event_split(event, sys, sizeof(sys));

	if (!name)
		return -EINVAL;
	*ev = tep_find_event_by_name(t->tep, sys, name);
	if (!*ev)
		return err_set(ENOENT, "trace event %s: its format is not loaded", event);
	*f = tep_find_field(*ev, field);
	if (!*f || (*f)->size < 1 || (*f)->size > 8 || ((*f)->flags & TEP_FIELD_IS_ARRAY))
		return err_set(ENOENT, "trace event %s has no integer field %s", event, field);
	return 0;
}

int trace_field_u64(const struct tep_format_field *f, const void *data, int size,
		    uint64_t *val)
{
	unsigned long long v;

	if (f->offset < 0 || f->offset + f->size > size)
		return err_set(EINVAL, "trace record of %s: %d bytes, field %s past its end",
			       f->event->name, size, f->name);
	if (tep_read_number_field((struct tep_format_field *)f, data, &v))
		return err_set(EINVAL, "trace record of %s: field %s unreadable",
			       f->event->name, f->name);
	*val = v;
	return 0;
}

/*
 * The commit word says how much of the page holds events and whether
 * the kernel dropped some before them (how many, when it had room to
 * say). Checked before kbuffer reads the page: it trusts the word.
 */
static int trace_page_check(struct trace_inst *t, struct trace_cpu *c, int len)
{
	int hdr = tep_get_header_page_size(t->tep) == 8 ? 16 : 12;
	unsigned long commit = 0;
	unsigned long need;

	if (len < hdr)
		return err_set(EINVAL, "%s/per_cpu/cpu%d: a page of %d bytes", t->path, c->cpu,
			       len);
	memcpy(&commit, (char *)t->page + 8, hdr - 8);
	need = hdr + (commit & RB_COMMIT_MASK);
	if ((commit & RB_MISSED_EVENTS) && (commit & RB_MISSED_STORED))
		need += hdr - 8;
	if (need > (unsigned long)len)
		return err_set(EINVAL, "%s/per_cpu/cpu%d: a page says %lu bytes, %d read",
			       t->path, c->cpu, need, len);
	return 0;
}

static int trace_page(struct trace_inst *t, struct trace_cpu *c, int len,
		      int (*fn)(void *arg, struct tep_event *ev, const void *data, int size),
		      void *arg)
{
	struct tep_record rec = { .cpu = c->cpu };
	struct tep_event *ev;
	int missed, ret;

	ret = trace_page_check(t, c, len);
	if (ret)
		return ret;
	if (kbuffer_load_subbuffer(c->kbuf, t->page))
		return err_set(EINVAL, "%s/per_cpu/cpu%d: a page kbuffer refused", t->path, c->cpu);
	/* -1: some were dropped, the page had no room to say how many */
	missed = kbuffer_missed_events(c->kbuf);
	t->lost += missed < 0 ? 1 : missed;
	for (rec.data = kbuffer_read_event(c->kbuf, NULL); rec.data;
	     rec.data = kbuffer_next_event(c->kbuf, NULL)) {
		rec.size = kbuffer_event_size(c->kbuf);
		if (rec.size < 2)
			continue;
		ev = tep_find_event(t->tep, tep_data_type(t->tep, &rec));
		if (!ev)
			continue;	/* an event of a system not loaded */
		ret = fn(arg, ev, rec.data, rec.size);
		if (ret)
			return ret;
	}
	return 0;
}

static int trace_cpu_drain(struct trace_inst *t, struct trace_cpu *c,
			   int (*fn)(void *arg, struct tep_event *ev, const void *data, int size),
			   void *arg)
{
	int i, n, ret;

	for (i = 0; i < TRACE_PAGES_PER_DRAIN; i++) {
		/* non-blocking: 0 when the buffer is empty; partial pages too */
		n = tracefs_cpu_read(c->tcpu, t->page, true);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(errno, "reading %s/per_cpu/cpu%d/trace_pipe_raw", t->path,
				       c->cpu);
		if (!n)
			return 0;
		ret = trace_page(t, c, n, fn, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int trace_inst_drain(struct trace_inst *t,
		     int (*fn)(void *arg, struct tep_event *ev, const void *data, int size),
		     void *arg)
{
	int i, ret;

	for (i = 0; i < t->nr_cpus; i++) {
		ret = trace_cpu_drain(t, &t->cpus[i], fn, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int trace_inst_destroy(struct trace_inst *t)
{
	int i, ret = 0;

	for (i = 0; i < t->nr_cpus; i++) {
		kbuffer_free(t->cpus[i].kbuf);
		tracefs_cpu_close(t->cpus[i].tcpu);
	}
	free(t->cpus);
	t->cpus = NULL;
	t->nr_cpus = 0;
	free(t->page);
	t->page = NULL;
	if (t->tep)
		tep_free(t->tep);
	t->tep = NULL;
	if (t->inst && tracefs_instance_destroy(t->inst))
		ret = -errno;
	tracefs_instance_free(t->inst);
	t->inst = NULL;
	return ret;
}

/* --- kprobe events --- */

void trace_kprobe_error(const char *tracefs, const char *def, char *why, size_t len)
{
	const char *at = NULL, *err = NULL, *next, *end;
	char *text;

	why[0] = '\0';
	if (trace_use(tracefs))
		return;
	text = tracefs_error_all(NULL);
	/* the last mention of @def, and the last error line before it */
	for (next = text; text && (next = strstr(next, def)); next++)
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

/* What the kernel was given for @kp, as error_log repeats it. */
static void trace_kprobe_def(struct tracefs_dynevent *kp, char *def, size_t len)
{
	char *sys = NULL, *ev = NULL, *prefix = NULL, *addr = NULL, *fmt = NULL;

	tracefs_dynevent_info(kp, &sys, &ev, &prefix, &addr, &fmt);
	snprintf(def, len, "%s:%s/%s %s %s", prefix ? prefix : "r", sys ? sys : "",
		 ev ? ev : "", addr ? addr : "", fmt ? fmt : "");
	free(sys);
	free(ev);
	free(prefix);
	free(addr);
	free(fmt);
}

static int trace_kretprobe_fail(const char *tracefs, struct tracefs_dynevent *kp,
				const char *symbol, int err)
{
	char why[128], def[256];

	trace_kprobe_def(kp, def, sizeof(def));
	/* 6.12 refuses an unknown symbol with EINVAL and says so in error_log */
	trace_kprobe_error(tracefs, def, why, sizeof(why));
	if (err == ENOENT || !strcmp(why, "Invalid probed address or symbol"))
		return err_set(ENOENT, "no such function: %s is not in this kernel", symbol);
	if (why[0])
		return err_set(err, "adding kprobe \"%s\" in %s: %s", def, tracefs, why);
	return err_sys(err, "adding kprobe \"%s\" in %s", def, tracefs);
}

int trace_kretprobe_add(const char *tracefs, const char *event, const char *symbol,
			const char *fetch, struct tracefs_dynevent **kp)
{
	char path[PATH_MAX];
	struct stat st;
	int ret;

	*kp = NULL;
	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	if (stat(path, &st))
		return err_set(EOPNOTSUPP, "no %s (a kernel without CONFIG_KPROBE_EVENTS, or tracefs is not mounted at %s)",
			       path, tracefs);
	ret = trace_use(tracefs);
	if (ret)
		return ret;
	*kp = tracefs_kretprobe_alloc(TRACE_PREFIX, event, symbol, fetch, 0);
	if (!*kp)
		return err_sys(errno ? errno : ENOMEM, "kretprobe %s", event);
	/* appended: the host's other probes stay */
	errno = 0;
	if (!tracefs_dynevent_create(*kp))
		return 0;
	ret = trace_kretprobe_fail(tracefs, *kp, symbol, errno ? errno : EIO);
	tracefs_dynevent_free(*kp);
	*kp = NULL;
	return ret;
}

int trace_kprobe_del(struct tracefs_dynevent *kp)
{
	int ret = 0;

	if (!kp)
		return 0;
	errno = 0;
	if (tracefs_dynevent_destroy(kp, false))
		ret = errno ? -errno : -EIO;
	tracefs_dynevent_free(kp);
	return ret;
}

int trace_kprobe_profile(const char *tracefs, const char *event, uint64_t *hits,
			 uint64_t *misses)
{
	char *text, name[256];
	unsigned long long h, m;
	const char *line;
	ssize_t len;
	int ret = -ENOENT;

	text = malloc(TRACE_TEXT_MAX);
	if (!text)
		return -ENOMEM;
	len = procfs_read(text, TRACE_TEXT_MAX, "%s/kprobe_profile", tracefs);
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

struct instances_walk {
	const char *tracefs;
	int removed;
};

static int instance_left(const char *name, void *arg)
{
	struct instances_walk *w = arg;
	struct tracefs_instance *inst;

	if (strncmp(name, TRACE_PREFIX "-", strlen(TRACE_PREFIX) + 1) ||
	    !name_of_gone_run(name, '-'))
		return 0;
	inst = tracefs_instance_alloc(w->tracefs, name);
	if (inst && !tracefs_instance_destroy(inst))
		w->removed++;
	tracefs_instance_free(inst);
	return 0;
}

/* Events "kvmsqueeze/mmu_shrink_scan_1234" */
static int kprobes_cleanup(void)
{
	struct tracefs_dynevent **all;
	char *event;
	int i, n = 0;

	all = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_KPROBE | TRACEFS_DYNEVENT_KRETPROBE,
				       TRACE_PREFIX);
	for (i = 0; all && all[i]; i++) {
		event = NULL;
		tracefs_dynevent_info(all[i], NULL, &event, NULL, NULL, NULL);
		if (event && name_of_gone_run(event, '_'))
			n += !tracefs_dynevent_destroy(all[i], false);
		free(event);
	}
	tracefs_dynevent_list_free(all);
	return n;
}

int trace_cleanup_leftovers(const char *tracefs)
{
	struct instances_walk w = { .tracefs = tracefs };

	if (trace_tracefs_check(tracefs) || trace_use(tracefs))
		return 0;
	/* the instances first: an event still on in one cannot go */
	tracefs_instances_walk(instance_left, &w);
	return w.removed + kprobes_cleanup();
}
