/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis/results.h: result files loaded with json-c and grouped into
 * sets, one per (directory, arm, experiment), each run loaded once, and
 * the check that sets may be compared at all (same kernel base, spec, MMU
 * mode, accel and clock). A result is untrusted input: the fields read here are
 * type-checked, and the names shown anywhere are made safe here.
 */
#ifndef KVMSQ_ANALYSIS_RESULTS_H
#define KVMSQ_ANALYSIS_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

struct result_file {
	char *path;
	char *dir;			/* the directory that holds it */
	struct json_object *root;	/* owned */
	char *experiment;		/* run.experiment made safe (result_safe_dup) */
	char *arm;			/* host.arm made safe, or NULL off the lab */
	const char *run_id;		/* run.id, or NULL */
	bool forced;			/* refused (run.status, pressure) but --force */
	int rep;			/* run.rep */
	long block;			/* run.block of a blocked plan, 0: none */
	double started_s;		/* run.started_at, s since the epoch; NAN: none */
	unsigned long long dev, ino;	/* the file, however it was reached */
};

/* The runs of one arm and one experiment: one column of a table. */
struct result_set {
	char *label;			/* host.arm, else the directory's name, made safe */
	char *label_raw;		/* the same before it was made safe */
	size_t label_replaced;		/* characters of it shown as '?' */
	/* which: "2 characters shown as ?: newline, backquote", or "" */
	char label_note[160];
	const char *experiment;
	const char *dir;
	struct result_file **files;
	size_t nr_files;
};

struct result_db {
	struct result_file *files;
	size_t nr_files;
	struct result_set *sets;	/* in the order their first file was given */
	size_t nr_sets;
	size_t nr_forced;		/* runs taken only because of RESULTS_FORCE */
};

/* One line for people ("skipping FILE: ..."), without a newline. */
typedef void (*results_warn_fn)(const char *line, void *arg);

/* Take runs that failed or never applied their pressure, with a warning. */
#define RESULTS_FORCE	0x1

/*
 * Load result files: each path is a rep-<n>.json file, a directory of
 * them, or a directory of such directories (one level). Incomplete
 * results are skipped with a warning; a file that is not a result, or
 * whose fields have the wrong type ("schema" not the integer 1,
 * "complete" not true or false, no summary, ...), is an error, and so is
 * a run loaded twice: the same path (after symlinks) or file given twice,
 * or two files of the same run (run.id, run.rep and host.arm equal,
 * run.block not different). A run whose run.status is there and not "ok",
 * or whose summary.pressure_applied is false, is refused ("refusing FILE:
 * ...") unless @flags has RESULTS_FORCE. Then group them into sets.
 */
int results_load(struct result_db *db, char *const *paths, int nr_paths, unsigned int flags,
		 results_warn_fn warn, void *arg);
void results_free(struct result_db *db);

/*
 * --label: name the first @n sets (in the order of db->sets: the order of
 * the operands) @labels[i] in place of their arm or directory, made safe
 * as any name. -EINVAL for more names than sets, an empty name, or two
 * sets of one experiment that would share a name.
 */
int results_label(struct result_db *db, const char *const *labels, size_t n);

/*
 * Whether the runs of these sets may be compared: kernels of the same
 * base (arm.base and arm.kernel_version, where both runs have an arm),
 * the same spec (and run.duration_s and run.scale, which --duration and
 * --scale changed), the same host.mmu, host.accel, host.clock (absent:
 * "host") and host.icount_shift. 0, or -ERR_REFUSED with the first field
 * that differs and two files (and their sets) where it does in err_msg().
 */
int results_check_sets(struct result_set *const *sets, size_t n);

/* Two runs whose kernel arms differ in base: which field, which runs. */
struct arm_diff {
	const char *field;		/* "arm.base" or "arm.kernel_version" */
	const struct result_file *a, *b;
	const struct result_set *set_a, *set_b;
};

/*
 * Whether two runs of these sets that both have arm.base name different
 * bases or kernel versions of it (the first pair in *@d). Runs without an
 * arm (older results, runs off the lab) differ from none.
 */
bool results_arms_differ(struct result_set *const *sets, size_t n, struct arm_diff *d);
/*
 * results_check_sets() of the kernel arms alone: 0, or -ERR_REFUSED with
 * the first two runs of different bases (results_arms_differ()).
 */
int results_check_arms(struct result_set *const *sets, size_t n);
/*
 * When some runs of these sets have arm.base and some have not: how many
 * sets have a run without, their labels in @buf ("a, b"); else 0.
 */
size_t results_arms_missing(struct result_set *const *sets, size_t n, char *buf, size_t len);
/* A string of the kernel arm (@path "arm.params") of @s's first run with one, or NULL. */
const char *result_set_arm(const struct result_set *s, const char *path);

/* A string field of a result ("host.kernel_release"), or NULL. */
const char *result_str(const struct result_file *f, const char *path);
/* host.clock: "icount", "host" (also when absent: older results). */
const char *result_clock(const struct result_file *f);

/*
 * The characters a name from a result (an arm, a directory, an
 * experiment, a phase) may show with, in tables and in gnuplot scripts:
 * letters, digits, space and -_.,:;+=/()[]{}<>#%&*!?~^|. Not quotes, '`',
 * '\', '@', '$', control characters or bytes outside ASCII.
 */
bool result_char_safe(int c);
/* A copy of @s with every other character as '?'; *replaced counts them. */
char *result_safe_dup(const char *s, size_t *replaced);
/* The length of a JSON array, 0 for anything else (json-c asserts). */
size_t result_array_len(struct json_object *o);

#endif
