/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/trace.h: tracefs for the samplers: a private trace instance
 * (so other tracing on the host is left alone) whose events are switched
 * on and whose trace_pipe is read line by line, and kprobe events, which
 * tracefs keeps in one file for the whole host. Everything a run creates
 * carries its runner's pid in its name, so what a crashed run left is
 * found and removed by the next.
 */
#ifndef KVMSQ_TRACE_H
#define KVMSQ_TRACE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_PREFIX		"kvmsqueeze"	/* instances and the kprobe group */
#define TRACE_LINE_MAX		4096
#define TRACE_CHUNK		(64 * 1024)
/* Bounds one drain's work when the events fire flat out. */
#define TRACE_READS_PER_DRAIN	2048

struct trace_inst {
	char path[PATH_MAX];		/* <tracefs>/instances/kvmsqueeze-<name> */
	int pipe_fd;
	size_t carry_len;		/* a line cut by read() */
	char carry[TRACE_LINE_MAX];
	char *chunk;
};

/*
 * Create instance "kvmsqueeze-<name>" under @tracefs (@name: the run id,
 * or a kind and the run id; its last "-<digits>" is the runner's pid).
 * One-line errors say what to do: mount tracefs, run as root.
 */
int trace_inst_create(struct trace_inst *t, const char *tracefs, const char *name);
/* Switch event "<system>/<event>" on (1) or off (0) in the instance. */
int trace_inst_event(struct trace_inst *t, const char *event, int on);
int trace_inst_open_pipe(struct trace_inst *t);
/*
 * Feed every whole line trace_pipe holds now to @line (without its
 * newline); it never blocks. Non-zero from @line stops and is returned.
 */
int trace_inst_drain(struct trace_inst *t,
		     int (*line)(void *arg, const char *text, size_t len), void *arg);
/*
 * Close the pipe and remove the instance (the kernel switches its events
 * off). Quiet: 0 or -errno of the rmdir, for the caller's note.
 */
int trace_inst_destroy(struct trace_inst *t);

/*
 * Add a kprobe event: @def as kprobe_events takes it ("r:GROUP/EVENT
 * SYMBOL ARGS"). -ENOENT: no such symbol in this kernel (err_msg() says
 * so; 6.12 refuses one with EINVAL and "Invalid probed address or
 * symbol" in error_log); -EOPNOTSUPP: no kprobe_events
 * (CONFIG_KPROBE_EVENTS).
 */
int trace_kprobe_add(const char *tracefs, const char *def, const char *symbol);
/*
 * Why kprobe_events refused @def, from error_log (kernel/trace/trace.c:
 * "<loc>: error: <text>" then "  Command: <cmd>"): the text of the last
 * error logged for it, or "".
 */
void trace_kprobe_error(const char *tracefs, const char *def, char *why, size_t len);
/* Remove kprobe event "GROUP/EVENT"; quiet, 0 or -errno. */
int trace_kprobe_del(const char *tracefs, const char *group_event);
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
