// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers_trace.c: the shrink_trace sampler: shrinker calls
 * and objects freed per scan function, from the vmscan tracepoints
 * mm_shrink_slab_start/_end in a private trace instance, so that other
 * tracing on the host is left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experiments/procfs.h"
#include "experiments/sampler.h"
#include "vmm/err.h"
#include "vmm/util.h"

#define TRACE_INSTANCE_PREFIX	"kvmsqueeze-"
#define TRACE_LINE_MAX		4096
/* Bounds one sample's work when the shrinkers run flat out. */
#define TRACE_READS_PER_SAMPLE	2048

static const char *const shrink_events[] = {
	"vmscan/mm_shrink_slab_start",
	"vmscan/mm_shrink_slab_end",
};

/* Always emitted: zero is a true count while the tracepoints are live. */
#define SHRINK_KVM_SCAN_FN	"mmu_shrink_scan"

struct shrink_count {
	char scan_fn[PROCFS_KEY_LEN];
	uint64_t calls, freed;
};

struct shrink_trace_priv {
	char instance[PATH_MAX];
	int pipe_fd;
	struct shrink_count all;
	struct shrink_count *fns;
	size_t nr_fns, cap_fns;
	uint64_t lost_events;
	size_t carry_len;			/* a line cut by read() */
	char carry[TRACE_LINE_MAX];
	char chunk[SAMPLER_TEXT_LEN];
};

static struct shrink_count *shrink_count_get(struct shrink_trace_priv *p,
					     const char *scan_fn)
{
	struct shrink_count *c;
	size_t i;

	for (i = 0; i < p->nr_fns; i++)
		if (!strcmp(p->fns[i].scan_fn, scan_fn))
			return &p->fns[i];
	if (p->nr_fns == p->cap_fns) {
		size_t cap = p->cap_fns ? 2 * p->cap_fns : 32;

		c = realloc(p->fns, cap * sizeof(*c));
		if (!c)
			return NULL;
		p->fns = c;
		p->cap_fns = cap;
	}
	c = &p->fns[p->nr_fns++];
	memset(c, 0, sizeof(*c));
	snprintf(c->scan_fn, sizeof(c->scan_fn), "%s", scan_fn);
	return c;
}

static int trace_account(struct shrink_trace_priv *p, const char *line, size_t len)
{
	struct shrink_trace_rec rec;
	struct shrink_count *c;
	int ret;

	ret = procfs_parse_shrink_trace(line, len, &rec);
	if (ret)
		return err_wrap(ret, "%s/trace_pipe", p->instance);
	if (rec.kind == SHRINK_TRACE_LOST)
		p->lost_events += rec.lost;
	if (rec.kind != SHRINK_TRACE_START && rec.kind != SHRINK_TRACE_END)
		return 0;
	c = shrink_count_get(p, rec.scan_fn);
	if (!c)
		return err_sys(ENOMEM, "shrink_trace: counting %s", rec.scan_fn);
	if (rec.kind == SHRINK_TRACE_START) {
		c->calls++;
		p->all.calls++;
	} else if (rec.retval >= 0) {
		c->freed += rec.retval;
		p->all.freed += rec.retval;
	}
	return 0;
}

static int trace_carry(struct shrink_trace_priv *p, const char *piece, size_t len)
{
	if (len > sizeof(p->carry) - p->carry_len)
		return err_set(EINVAL, "%s/trace_pipe: a line longer than %zu bytes",
			       p->instance, sizeof(p->carry));
	memcpy(p->carry + p->carry_len, piece, len);
	p->carry_len += len;
	return 0;
}

/* One whole line: @piece ends it, what was carried starts it. */
static int trace_line(struct shrink_trace_priv *p, const char *piece, size_t len)
{
	int ret;

	if (p->carry_len) {
		ret = trace_carry(p, piece, len);
		if (ret)
			return ret;
		piece = p->carry;
		len = p->carry_len;
		p->carry_len = 0;
	}
	return trace_account(p, piece, len);
}

static int trace_feed(struct shrink_trace_priv *p, const char *buf, size_t len)
{
	const char *end = buf + len, *nl;
	int ret;

	while ((nl = memchr(buf, '\n', end - buf))) {
		ret = trace_line(p, buf, nl - buf);
		if (ret)
			return ret;
		buf = nl + 1;
	}
	return trace_carry(p, buf, end - buf);
}

/* Read what trace_pipe holds now; it never blocks (O_NONBLOCK). */
static int trace_drain(struct shrink_trace_priv *p)
{
	ssize_t n;
	int i, ret;

	for (i = 0; i < TRACE_READS_PER_SAMPLE; i++) {
		n = read(p->pipe_fd, p->chunk, sizeof(p->chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return err_sys(errno, "reading %s/trace_pipe", p->instance);
		if (!n)
			return 0;
		ret = trace_feed(p, p->chunk, n);
		if (ret)
			return ret;
	}
	return 0;
}

static int shrink_count_emit(struct sampler *s, const struct shrink_count *c,
			     uint64_t t_ns)
{
	if (series_addf(s->out, t_ns, (double)c->calls, "shrink.%s.calls", c->scan_fn) ||
	    series_addf(s->out, t_ns, (double)c->freed, "shrink.%s.freed", c->scan_fn))
		return err_sys(ENOMEM, "series shrink.%s", c->scan_fn);
	return 0;
}

static int shrink_trace_sample(struct sampler *s, uint64_t t_ns)
{
	struct shrink_trace_priv *p = s->priv;
	size_t i;
	int ret;

	ret = trace_drain(p);
	if (!ret)
		ret = shrink_count_emit(s, &p->all, t_ns);
	for (i = 0; !ret && i < p->nr_fns; i++)
		ret = shrink_count_emit(s, &p->fns[i], t_ns);
	if (!ret && series_add(s->out, "shrink.lost_events", t_ns, (double)p->lost_events))
		ret = err_sys(ENOMEM, "series shrink.lost_events");
	return ret;
}

static int trace_write(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

static void trace_event_path(const struct shrink_trace_priv *p, size_t i,
			     char *path, size_t len)
{
	snprintf(path, len, "%s/events/%s/enable", p->instance, shrink_events[i]);
}

static int trace_events_on(struct shrink_trace_priv *p)
{
	char path[PATH_MAX + 64];
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(shrink_events); i++) {
		trace_event_path(p, i, path, sizeof(path));
		err = trace_write(path, "1");
		if (err == -ENOENT)
			return err_set(ENOENT, "no tracepoint %s in this kernel (%s)",
				       shrink_events[i], path);
		if (err)
			return err_sys(-err, "enabling %s", path);
	}
	return 0;
}

/* Quietly: it runs on error paths, whose message must stay. */
static void trace_events_off(struct shrink_trace_priv *p)
{
	char path[PATH_MAX + 64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(shrink_events); i++) {
		trace_event_path(p, i, path, sizeof(path));
		trace_write(path, "0");
	}
}

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

static int trace_instance_create(const struct sampler_env *env,
				 struct shrink_trace_priv *p)
{
	char instances[PATH_MAX], pid[24];
	const char *run_id = env->run_id;
	struct stat st;
	int n;

	snprintf(instances, sizeof(instances), "%s/instances", env->tracefs);
	if (stat(instances, &st) && (errno == EACCES || errno == EPERM))
		return err_sys(errno, "tracefs at %s (run as root)", env->tracefs);
	if (stat(instances, &st) || !S_ISDIR(st.st_mode))
		return err_set(ENOENT, "tracefs is not mounted at %s (mount -t tracefs nodev %s)",
			       env->tracefs, env->tracefs);
	if (!run_id) {
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		run_id = pid;
	}
	if (!*run_id || strchr(run_id, '/'))
		return err_set(EINVAL, "run id '%s' cannot name a trace instance", run_id);
	n = snprintf(p->instance, sizeof(p->instance), "%s/" TRACE_INSTANCE_PREFIX "%s",
		     instances, run_id);
	if (n < 0 || (size_t)n >= sizeof(p->instance))
		return err_set(ENAMETOOLONG, "trace instance path too long under %s", instances);
	if (mkdir(p->instance, 0750))
		return trace_mkdir_fail(env->tracefs, p->instance);
	return 0;
}

static int shrink_trace_open(struct sampler *s)
{
	char pipe[PATH_MAX + 16];
	struct shrink_trace_priv *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return err_sys(ENOMEM, "shrink_trace sampler");
	p->pipe_fd = -1;
	snprintf(p->all.scan_fn, sizeof(p->all.scan_fn), "all");
	ret = trace_instance_create(s->env, p);
	if (ret)
		goto fail_free;
	ret = trace_events_on(p);
	if (ret)
		goto fail_events;
	snprintf(pipe, sizeof(pipe), "%s/trace_pipe", p->instance);
	p->pipe_fd = open(pipe, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (p->pipe_fd < 0) {
		ret = err_sys(errno, "%s", pipe);
		goto fail_events;
	}
	if (!shrink_count_get(p, SHRINK_KVM_SCAN_FN)) {
		ret = err_sys(ENOMEM, "shrink_trace sampler");
		goto fail_pipe;
	}
	s->priv = p;
	return 0;
fail_pipe:
	close(p->pipe_fd);
fail_events:
	trace_events_off(p);
	rmdir(p->instance);
fail_free:
	free(p);
	return ret;
}

static void shrink_trace_close(struct sampler *s)
{
	struct shrink_trace_priv *p = s->priv;

	close(p->pipe_fd);
	trace_events_off(p);
	if (rmdir(p->instance))
		sampler_note(s, "trace instance %s left behind: %s", p->instance,
			     strerror(errno));
	free(p->fns);
	free(p);
}

const struct sampler_ops sampler_shrink_trace_ops = {
	.name = "shrink_trace",
	.open = shrink_trace_open,
	.sample = shrink_trace_sample,
	.close = shrink_trace_close,
};
