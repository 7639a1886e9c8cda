/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/trace.h: tracefs for the samplers, through libtracefs and
 * libtraceevent: a private trace instance (so other tracing on the host
 * is left alone) whose events are switched on and whose per-CPU ring
 * buffers (trace_pipe_raw) are read as binary records, their fields
 * found by the events' format files; and kretprobe events, which
 * tracefs keeps in one list for the whole host. Everything a run
 * creates carries its runner's pid in its name, so what a crashed run
 * left is found and removed by the next.
 */
#ifndef KVMSQ_TRACE_H
#define KVMSQ_TRACE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_PREFIX		"kvmsqueeze"	/* instances and the kprobe group */
/* Bounds one drain's work per CPU when the events fire flat out. */
#define TRACE_PAGES_PER_DRAIN	2048

struct tep_event;
struct tep_format_field;
struct tep_handle;
struct tracefs_dynevent;
struct tracefs_instance;
struct trace_cpu;

struct trace_inst {
	char path[PATH_MAX];		/* <tracefs>/instances/kvmsqueeze-<name> */
	struct tracefs_instance *inst;
	struct tep_handle *tep;		/* the formats of the events read */
	struct trace_cpu *cpus;		/* one trace_pipe_raw each */
	int nr_cpus;
	int page_size;			/* of a ring-buffer page (subbuffer) */
	void *page;
	uint64_t lost;			/* events the ring buffer dropped */
};

/*
 * Create instance "kvmsqueeze-<name>" under @tracefs (@name: the run id,
 * or a kind and the run id; its last "-<digits>" is the runner's pid).
 * One-line errors say what to do: mount tracefs, run as root.
 */
int trace_inst_create(struct trace_inst *t, const char *tracefs, const char *name);
/* Switch event "<system>/<event>" on (1) or off (0) in the instance. */
int trace_inst_event(struct trace_inst *t, const char *event, int on);
/*
 * Load the formats of @events ("<system>/<event>", NULL-terminated) and
 * open every CPU's trace_pipe_raw of the instance. Records of any other
 * event are skipped.
 */
int trace_inst_open_raw(struct trace_inst *t, const char *const *events);
/*
 * Loaded event "<system>/<event>" and its field @field (an integer of
 * at most 8 bytes); -ENOENT naming what is missing.
 */
int trace_inst_field(struct trace_inst *t, const char *event, const char *field,
		     struct tep_event **ev, struct tep_format_field **f);
/* The value of integer field @f in a record of @size bytes at @data. */
int trace_field_u64(const struct tep_format_field *f, const void *data, int size,
		    uint64_t *val);
/*
 * Feed every record the ring buffers hold now to @fn, whose event is one
 * of those loaded; it never blocks. Adds what the kernel dropped to
 * t->lost. Non-zero from @fn stops and is returned.
 */
int trace_inst_drain(struct trace_inst *t,
		     int (*fn)(void *arg, struct tep_event *ev, const void *data, int size),
		     void *arg);
/*
 * Close the ring buffers and remove the instance (the kernel switches
 * its events off). Quiet: 0 or -errno of the rmdir, for the caller's note.
 */
int trace_inst_destroy(struct trace_inst *t);

/*
 * Add kretprobe event "kvmsqueeze/@event" on @symbol, with fetch
 * arguments @fetch ("ret=$retval:u64"). -ENOENT: no such symbol in this
 * kernel (err_msg() says so; 6.12 refuses one with EINVAL and "Invalid
 * probed address or symbol" in error_log); -EOPNOTSUPP: no kprobe_events
 * (CONFIG_KPROBE_EVENTS).
 */
int trace_kretprobe_add(const char *tracefs, const char *event, const char *symbol,
			const char *fetch, struct tracefs_dynevent **kp);
/*
 * Why tracefs refused the probe definition @def, from error_log
 * (kernel/trace/trace.c: "<loc>: error: <text>" then "  Command: <cmd>"):
 * the text of the last error logged for it, or "".
 */
void trace_kprobe_error(const char *tracefs, const char *def, char *why, size_t len);
/* Remove the kprobe event and free @kp; quiet, 0 or -errno. */
int trace_kprobe_del(struct tracefs_dynevent *kp);
/*
 * The kprobe's hits and misses from kprobe_profile (@event without its
 * group); -ENOENT when it is not there.
 */
int trace_kprobe_profile(const char *tracefs, const char *event, uint64_t *hits,
			 uint64_t *misses);
/*
 * Remove what runs that are gone left behind: instances
 * "kvmsqueeze-<...>-<pid>" and kprobe events "kvmsqueeze/<event>_<pid>"
 * of a pid that no longer runs. Quiet; how many were removed.
 */
int trace_cleanup_leftovers(const char *tracefs);

#endif
