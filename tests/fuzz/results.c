// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz/results.c: report and compare, in process, on mutated real
 * results (the .json files of tests/fixtures/analysis): results_load, the
 * tables of report and compare, noise floors, text, CSV, JSON, drift and
 * the gnuplot scripts (plot_scripts(), without gnuplot), in directories
 * and a plots directory with hostile names. Each case must end without a
 * crash or a sanitizer report, with errors and warnings on one line, text
 * of at most 72 columns of ASCII, JSON that parses, CSV without control
 * characters, and scripts and data files in which nothing from a result
 * stands outside single quotes or a comment, or holds a quote, a
 * backquote, a backslash or a control character.
 *
 * Usage: results SECONDS SEED [CASE]: cases until SECONDS have passed,
 * each from SEED and its number; with CASE that case alone, its files
 * kept (the path is printed). One line: "ok fuzz_results: N cases (seed
 * S)" or "not ok fuzz_results: seed S case N: what". FUZZ_VERBOSE=1 also
 * prints on stderr why cases were refused, slow cases, the text that broke
 * a check and what the cases reached.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "analysis/compare.h"
#include "analysis/drift.h"
#include "analysis/export.h"
#include "analysis/plot.h"
#include "analysis/results.h"
#include "analysis/stats.h"
#include "analysis/text.h"
#include "common/err.h"
#include "common/util.h"
#include "tests/fuzz/rng.h"

#define CORPUS_DIR	"tests/fixtures/analysis"
#define MAX_BASES	16
#define MAX_SETS	3
#define MAX_FILES	3

static uint64_t fuzz_seed;
static volatile size_t fuzz_case_nr;
static char fuzz_top[112];

static void rm_tree(const char *path, int depth);

/* True one time in @n. */
static bool rng_one_in(struct rng *r, size_t n)
{
	return rng_below(r, n) == 0;
}

/* --- failing --- */

static void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	printf("not ok fuzz_results: seed %llu case %zu: ", (unsigned long long)fuzz_seed,
	       fuzz_case_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (rerun: results 1 %llu %zu)\n", (unsigned long long)fuzz_seed, fuzz_case_nr);
	fflush(stdout);
	rm_tree(fuzz_top, 0);
	exit(1);
}

/* A crash, a json-c assertion or a sanitizer's report: name the case. */
static void fuzz_death_line(int sig)
{
	char line[160];
	int n = snprintf(line, sizeof(line),
			 "not ok fuzz_results: seed %llu case %zu: %s %d (rerun: results 1 %llu %zu)\n",
			 (unsigned long long)fuzz_seed, fuzz_case_nr,
			 sig ? "signal" : "sanitizer report", sig, (unsigned long long)fuzz_seed,
			 fuzz_case_nr);

	if (n > 0 && write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(2);
}

static void fuzz_on_signal(int sig)
{
	fuzz_death_line(sig);
	_exit(1);
}

static void fuzz_on_sanitizer_death(void)
{
	fuzz_death_line(0);
}

/* Present in ASan and UBSan builds only. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void fuzz_catch_deaths(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	size_t i;

	if (__sanitizer_set_death_callback) {
		__sanitizer_set_death_callback(fuzz_on_sanitizer_death);
		return;		/* the sanitizers handle the signals */
	}
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], fuzz_on_signal);
}

/* --- the corpus --- */

static struct json_object *bases[MAX_BASES];
static size_t nr_bases;

/*
 * A base without what the analysis never reads, so that a case is quick:
 * of the series those the plots draw and a few more, no KVM statistics,
 * no events.
 */
static void base_slim(struct json_object *root)
{
	static const char *const keep[] = {
		"meminfo.SecPageTables_kb", "memcg.kernel_bytes", "memcg.stat.kernel",
		"cgroup.limit_bytes", "meminfo.MemFree_kb", "memcg.current_bytes",
	};
	struct json_object *series = json_path(root, "series"), *slim, *v, *vms;
	size_t i;

	if (json_object_is_type(series, json_type_object)) {
		slim = json_object_new_object();
		for (i = 0; i < ARRAY_SIZE(keep); i++)
			if (json_object_object_get_ex(series, keep[i], &v))
				json_object_object_add(slim, keep[i], json_object_get(v));
		json_object_object_add(root, "series", slim);
	}
	json_object_object_add(root, "events", json_object_new_array());
	vms = json_path(root, "vms");
	for (i = 0; i < result_array_len(vms); i++) {
		v = json_path(json_object_array_get_idx(vms, i), "result");
		if (json_object_is_type(v, json_type_object))
			json_object_object_del(v, "kvm_stats");
	}
}

static void corpus_load(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(CORPUS_DIR);
	size_t len;

	if (!d) {
		printf("not ok fuzz_results: no %s here (run from the top of the tree)\n", CORPUS_DIR);
		exit(1);
	}
	while ((de = readdir(d)) && nr_bases < MAX_BASES) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, de->d_name);
		bases[nr_bases] = json_object_from_file(path);
		if (bases[nr_bases])
			base_slim(bases[nr_bases++]);
	}
	closedir(d);
	if (!nr_bases) {
		printf("not ok fuzz_results: no result in %s\n", CORPUS_DIR);
		exit(1);
	}
}

/* --- hostile values --- */

static const char *const hostile_strings[] = {
	"", "x\n`touch fuzz-pwned`", "`touch fuzz-pwned`", "'", "\"", "\\", "a\\", "@x",
	"$(touch fuzz-pwned)", "x\r\ny", "\t", "\x7f", "\xc3\xa9t\xc3\xa9", "\xff\xfe", "%s%n%s",
	"a'; system('touch fuzz-pwned'); '", "\" . system(\"touch fuzz-pwned\") . \"",
	"../../x", "NaN", "-1", "1e400", "#", "x\\\n", "ok", "failed", "interrupted", "tdp",
	"shadow", "icount", "host", "begin", "end", "fault_p50_ns", "run_s", "touch",
	"2026-01-01T00:00:00Z", "legacy", "baseline",
};

static struct json_object *hostile_string(struct rng *r)
{
	char buf[400];
	size_t n;

	if (rng_one_in(r, 12)) {	/* long, no spaces: a word wider than a line */
		n = 80 + rng_below(r, sizeof(buf) - 81);
		memset(buf, 'a' + (int)rng_below(r, 26), n);
		buf[n] = '\0';
		if (rng_one_in(r, 2))
			buf[rng_below(r, n)] = (char)(1 + rng_below(r, 255));
		return json_object_new_string(buf);
	}
	if (rng_one_in(r, 16))		/* a NUL byte inside */
		return json_object_new_string_len("a\0b", 3);
	return json_object_new_string(hostile_strings[rng_below(r, ARRAY_SIZE(hostile_strings))]);
}

static struct json_object *hostile_number(struct rng *r)
{
	static const double doubles[] = {
		0, -0.0, -1, 1, 0.5, 1.7e308, -1.7e308, 4.9e-324, 1e15, 9.3e18, 1e-300, 2.5,
		1e9, NAN, INFINITY, -INFINITY, 100, 1024,
	};
	static const int64_t ints[] = {
		0, 1, -1, 2, 3, INT64_MAX, INT64_MIN, 2147483648ll, -2147483649ll, 4096, 1000000,
	};

	if (rng_one_in(r, 2))
		return json_object_new_int64(ints[rng_below(r, ARRAY_SIZE(ints))]);
	return json_object_new_double(doubles[rng_below(r, ARRAY_SIZE(doubles))]);
}

static struct json_object *hostile_value(struct rng *r)
{
	struct json_object *o;
	size_t i, n;

	switch (rng_below(r, 8)) {
	case 0:
	case 1:
		return hostile_string(r);
	case 2:
	case 3:
	case 4:
		return hostile_number(r);
	case 5:
		return rng_one_in(r, 3) ? NULL : json_object_new_boolean(rng_one_in(r, 2));
	case 6:
		o = json_object_new_array();
		for (i = 0, n = rng_below(r, 4); i < n; i++)
			json_object_array_add(o, rng_one_in(r, 2) ? hostile_string(r) : hostile_number(r));
		return o;
	default:
		o = json_object_new_object();
		if (rng_one_in(r, 2))
			json_object_object_add(o, "t_s", json_object_new_array());
		return o;
	}
}

/* --- mutations --- */

/* One node of a tree and where it hangs, to replace or delete it. */
struct node {
	struct json_object *parent, *o;
	char key[128];			/* in an object */
	size_t idx;			/* in an array */
};

/* A node of the tree, each about equally likely (reservoir sampling). */
static void node_pick(struct rng *r, struct json_object *parent, struct json_object *o,
		      const char *key, size_t idx, struct node *picked, size_t *seen, int depth)
{
	size_t i, n;

	if (parent && rng_below(r, ++*seen) == 0) {
		picked->parent = parent;
		picked->o = o;
		snprintf(picked->key, sizeof(picked->key), "%s", key ? key : "");
		picked->idx = idx;
	}
	if (depth > 12)
		return;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
			node_pick(r, o, v, k, 0, picked, seen, depth + 1);
	} else if (json_object_is_type(o, json_type_array)) {
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			node_pick(r, o, json_object_array_get_idx(o, i), NULL, i, picked, seen,
				  depth + 1);
	}
}

static void node_set(struct node *n, struct json_object *v)
{
	if (json_object_is_type(n->parent, json_type_object))
		json_object_object_add(n->parent, n->key, v);
	else
		json_object_array_put_idx(n->parent, n->idx, v);
}

static void node_delete(struct node *n)
{
	if (json_object_is_type(n->parent, json_type_object))
		json_object_object_del(n->parent, n->key);
	else
		json_object_array_del_idx(n->parent, n->idx, 1);
}

/*
 * Where the analysis looks: set one of these to something hostile. The
 * loader refuses most values of the first ones, so they are picked less
 * often, and most cases get to the tables and the plots.
 */
static const char *const strict_paths[] = {
	"schema", "complete", "run.id", "run.rep", "run.block", "run.experiment",
	"run.started_at", "run.status", "run.problems", "host.clock", "summary",
	"summary.pressure_applied",
};
static const char *const target_paths[] = {
	"run.run_s", "run.end_reason", "host.arm", "host.arm", "host.arm", "host.icount_shift",
	"host.mmu", "host.accel", "host.kernel_release", "spec.primary", "spec.name",
	"summary.fault_latency_ns.p50", "summary.run_s", "summary.memcg",
	"summary.reclaim.pgsteal", "series", "phases", "vms", "sources",
	"series.meminfo.SecPageTables_kb", "series.memcg.kernel_bytes",
	"series.cgroup.limit_bytes", "run.status", "summary.pressure_applied",
};

static void mutate_target(struct rng *r, struct json_object *root)
{
	const char *path = rng_one_in(r, 4) ?
		strict_paths[rng_below(r, ARRAY_SIZE(strict_paths))] :
		target_paths[rng_below(r, ARRAY_SIZE(target_paths))];
	const char *dot = strrchr(path, '.');
	struct json_object *parent = root, *v;
	char head[128];

	if (dot) {
		snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
		parent = json_path(root, head);
		path = dot + 1;
	}
	if (!json_object_is_type(parent, json_type_object))
		return;
	if (rng_one_in(r, 5)) {
		json_object_object_del(parent, path);
		return;
	}
	if (!strcmp(path, "status") && rng_one_in(r, 2)) {
		static const char *const status[] = { "ok", "failed", "interrupted", "" };

		v = json_object_new_string(status[rng_below(r, ARRAY_SIZE(status))]);
	} else if (!strcmp(path, "pressure_applied") && rng_one_in(r, 2)) {
		v = json_object_new_boolean(rng_one_in(r, 2));
	} else {
		v = hostile_value(r);
	}
	json_object_object_add(parent, path, v);
}

/*
 * Deep places the analysis reads, "[]" a random element of an array: the
 * last step is set to something hostile.
 */
static const char *const item_paths[] = {
	"phases.[].name", "phases.[].name", "phases.[].edge", "phases.[].t_s", "phases.[]",
	"sources.[].available", "sources.[].why", "sources.[].name", "sources.[]",
	"vms.[].result", "vms.[].status", "vms.[].result.tsc_khz", "vms.[].result.vcpus",
	"vms.[].result.vcpus.[].fault_latency_ns",
	"vms.[].result.vcpus.[].fault_latency_ns.buckets",
	"vms.[].result.vcpus.[].fault_latency_ns.buckets.[]",
	"vms.[].result.vcpus.[].fault_latency_ns.buckets.[].[]",
	"vms.[].result.vcpus.[].fault_latency_ns.buckets.[].[]",
	"series.meminfo.SecPageTables_kb.t_s.[]", "series.meminfo.SecPageTables_kb.v.[]",
	"series.memcg.kernel_bytes.v.[]", "series.cgroup.limit_bytes.v", "run.problems.[]",
	"spec.primary.[]", "spec.primary.[]",
};

static void mutate_item(struct rng *r, struct json_object *root)
{
	const char *path = item_paths[rng_below(r, ARRAY_SIZE(item_paths))];
	struct json_object *cur = root, *next;
	char step[64];
	size_t len, n, idx = 0;

	for (;;) {
		len = strcspn(path, ".");
		snprintf(step, sizeof(step), "%.*s", (int)len, path);
		/* series names hold dots: take the longest key that is there */
		while (path[len] == '.' && json_object_is_type(cur, json_type_object) &&
		       !json_object_object_get_ex(cur, step, NULL) && len < sizeof(step) - 1) {
			len += 1 + strcspn(path + len + 1, ".");
			snprintf(step, sizeof(step), "%.*s", (int)len, path);
		}
		if (!strcmp(step, "[]")) {
			n = result_array_len(cur);
			if (!n)
				return;
			idx = rng_below(r, n);
			next = json_object_array_get_idx(cur, idx);
		} else if (!json_object_is_type(cur, json_type_object) ||
			   !json_object_object_get_ex(cur, step, &next)) {
			next = NULL;
		}
		if (!path[len])
			break;
		if (!next)
			return;
		cur = next;
		path += len + 1;
	}
	if (!strcmp(step, "[]"))
		json_object_array_put_idx(cur, idx, hostile_value(r));
	else if (json_object_is_type(cur, json_type_object))
		json_object_object_add(cur, step, rng_one_in(r, 3) ? hostile_string(r) :
								 hostile_value(r));
}

/* Anywhere in the tree: deleted, cut short, scaled or replaced. */
static void mutate_deep(struct rng *r, struct json_object *root)
{
	struct node n = { 0 };
	size_t seen = 0, len, i;

	node_pick(r, NULL, root, NULL, 0, &n, &seen, 0);
	if (!n.parent)
		return;
	switch (rng_below(r, 6)) {
	case 0:
		node_delete(&n);
		break;
	case 1:			/* an array cut short, or its first element again */
		len = result_array_len(n.o);
		if (len && rng_one_in(r, 2)) {
			i = rng_below(r, len);
			json_object_array_del_idx(n.o, i, len - i);
			break;
		}
		if (len) {
			for (i = rng_below(r, 3); i < 3; i++)
				json_object_array_add(n.o,
						      json_object_get(json_object_array_get_idx(n.o, 0)));
			break;
		}
		/* fall through */
	case 2:
		if (json_object_is_type(n.o, json_type_double) ||
		    json_object_is_type(n.o, json_type_int)) {
			static const double factors[] = { 1e300, -1, 0, 1e-300, 1.0001, 3 };

			node_set(&n, json_object_new_double(json_object_get_double(n.o) *
							    factors[rng_below(r, ARRAY_SIZE(factors))]));
			break;
		}
		/* fall through */
	default:
		node_set(&n, hostile_value(r));
		break;
	}
}

static void mutate(struct rng *r, struct json_object *root)
{
	switch (rng_below(r, 3)) {
	case 0:
		mutate_target(r, root);
		break;
	case 1:
		mutate_item(r, root);
		break;
	default:
		mutate_deep(r, root);
		break;
	}
}

/* --- files --- */

static void rm_tree(const char *path, int depth)
{
	char child[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(path);

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		if (depth < 4 && de->d_type == DT_DIR)
			rm_tree(child, depth + 1);
		else
			unlink(child);
	}
	closedir(d);
	rmdir(path);
}

/* A set's directory name: mostly plain, sometimes hostile. */
static bool set_name(struct rng *r, char *buf, size_t len, size_t set)
{
	static const char *const names[] = {
		"a'`touch fuzz-pwned`'", "b\n`touch fuzz-pwned`", "c\"q\"", "d\\", "e@x", "f$(x)",
		"g h", "\xc3\xa9", "-x", ".hidden-not", "rep-1.json",
	};
	const char *name;

	if (!rng_one_in(r, 4)) {
		snprintf(buf, len, "set-%zu", set);
		return true;
	}
	name = names[rng_below(r, ARRAY_SIZE(names))];
	snprintf(buf, len, "%s%zu", name, set);
	for (; *name; name++)
		if ((unsigned char)*name < 0x20 || (unsigned char)*name > 0x7e)
			return false;
	return true;
}

/* Write @o, or (1 in 50) a copy of its text cut short or with a byte changed. */
static void result_write(struct rng *r, const char *path, struct json_object *o)
{
	const char *text;
	size_t len;
	char *copy;
	FILE *f;

	if (!rng_one_in(r, 50)) {
		if (json_object_to_file_ext(path, o, JSON_C_TO_STRING_PLAIN))
			fuzz_fail("writing %s: %s", path, json_util_get_last_err());
		return;
	}
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	copy = strdup(text);
	if (!copy)
		fuzz_fail("out of memory");
	if (rng_one_in(r, 2))
		len = rng_below(r, len + 1);
	else if (len)
		copy[rng_below(r, len)] = (char)rng_below(r, 256);
	f = fopen(path, "w");
	if (!f || fwrite(copy, 1, len, f) != len || fclose(f))
		fuzz_fail("writing %s", path);
	free(copy);
}

/* --- checks --- */

static bool names_clean;

/* What the cases reached, for the summary line. */
static size_t nr_loaded, nr_refused, nr_tables, nr_scripts;

static void check_line(const char *what, const char *s)
{
	const char *p;

	if (!*s)
		fuzz_fail("%s: empty", what);
	if (!names_clean)
		return;		/* a directory's name may hold anything; the CLI prints it safe */
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fuzz_fail("%s not on one line: control character 0x%02x in \"%s\"", what,
				  (unsigned char)*p, s);
}

static void on_warning(const char *line, void *arg)
{
	(void)arg;
	check_line("a warning", line);
}

static void check_error(const char *what)
{
	char msg[ERR_MSG_LEN + 64];

	snprintf(msg, sizeof(msg), "the error of %s", what);
	check_line(msg, err_msg());
}

/* Text for email: ASCII, at most TEXT_WIDTH columns. */
static void check_text(const char *what, const char *text)
{
	size_t col = 0;
	const char *p;

	for (p = text; *p; p++) {
		if (*p == '\n') {
			col = 0;
			continue;
		}
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			fuzz_fail("%s: byte 0x%02x at offset %zu", what, (unsigned char)*p,
				  (size_t)(p - text));
		if (++col > TEXT_WIDTH) {
			if (getenv("FUZZ_VERBOSE"))
				fprintf(stderr, "%s\n", text);
			fuzz_fail("%s: a line over %d columns at offset %zu", what, TEXT_WIDTH,
				  (size_t)(p - text));
		}
	}
}

static void check_no_controls(const char *what, const char *text)
{
	const char *p;

	for (p = text; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
			fuzz_fail("%s: control character 0x%02x at offset %zu", what,
				  (unsigned char)*p, (size_t)(p - text));
}

static bool safe_char(int c)
{
	return result_char_safe(c);
}

/*
 * A line of a gnuplot script: outside single quotes only the script's own
 * syntax (no backquote, no double quote but the "\n" of a title, a
 * backslash only to continue the line); inside them, and in a comment,
 * safe characters only (a comment may hold an apostrophe: it is ours).
 */
static void check_script_line(const char *file, size_t nr, const char *line)
{
	bool quoted = false;
	const char *p;

	for (p = line; *p; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t')
			fuzz_fail("%s:%zu: control character 0x%02x", file, nr, (unsigned char)*p);
		if (*p == '`' || (unsigned char)*p > 0x7e)
			fuzz_fail("%s:%zu: byte '%c' (0x%02x): %s", file, nr, *p, (unsigned char)*p, line);
		if (quoted) {
			if (*p == '\'')
				quoted = false;
			else if (!safe_char((unsigned char)*p))
				fuzz_fail("%s:%zu: '%c' in a string: %s", file, nr, *p, line);
			continue;
		}
		if (*p == '\'') {
			quoted = true;
		} else if (*p == '#' ) {
			for (p++; *p; p++)
				if (!safe_char((unsigned char)*p) && *p != '\'' && *p != '\t')
					fuzz_fail("%s:%zu: '%c' in a comment: %s", file, nr, *p, line);
			break;
		} else if (*p == '"') {
			if (strncmp(p, "\"\\n\"", 4))
				fuzz_fail("%s:%zu: a double quote: %s", file, nr, line);
			p += 3;
		} else if (*p == '\\' && p[1]) {
			fuzz_fail("%s:%zu: a backslash inside a line: %s", file, nr, line);
		} else if (*p == '@' || *p == '$') {
			if (*p == '$' && p[1] >= '1' && p[1] <= '9')
				continue;	/* a column: $2 */
			fuzz_fail("%s:%zu: '%c' outside a string: %s", file, nr, *p, line);
		}
	}
	if (quoted)
		fuzz_fail("%s:%zu: a string not closed: %s", file, nr, line);
}

/* A line of a data file: a comment of safe characters, or numbers. */
static void check_data_line(const char *file, size_t nr, const char *line)
{
	const char *p = line;
	char *end;

	if (*p == '#') {
		for (p++; *p; p++)
			if (!safe_char((unsigned char)*p) && *p != '\'')
				fuzz_fail("%s:%zu: '%c' in a comment: %s", file, nr, *p, line);
		if (p > line && p[-1] == '\\')
			fuzz_fail("%s:%zu: a comment ending in a backslash", file, nr);
		return;
	}
	while (*p) {
		if (*p == ' ') {
			p++;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (!safe_char((unsigned char)*p))
					fuzz_fail("%s:%zu: '%c' in a label: %s", file, nr, *p, line);
			if (*p++ != '"')
				fuzz_fail("%s:%zu: a label not closed: %s", file, nr, line);
		} else if (!strncmp(p, "NaN", 3)) {
			p += 3;
		} else {
			strtod(p, &end);
			if (end == p || !isfinite(strtod(p, NULL)))
				fuzz_fail("%s:%zu: not a number at \"%s\"", file, nr, p);
			p = end;
		}
	}
}

static void check_plot_file(const char *dir, const char *name)
{
	char path[640], line[8192];
	bool script = strlen(name) > 3 && !strcmp(name + strlen(name) - 3, ".gp");
	size_t nr = 0, len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		fuzz_fail("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		nr++;
		len = strcspn(line, "\n");
		if (!line[len] && !feof(f))
			fuzz_fail("%s:%zu: a line longer than %zu bytes", name, nr, sizeof(line));
		line[len] = '\0';
		if (len && line[len - 1] == '\\' && !script)
			fuzz_fail("%s:%zu: ends in a backslash", name, nr);
		if (script)
			check_script_line(name, nr, line);
		else
			check_data_line(name, nr, line);
	}
	fclose(f);
}

static void check_plots(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t len;

	if (!d)
		return;		/* a failure before anything was written */
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len > 3 && (!strcmp(de->d_name + len - 3, ".gp") ||
				!strcmp(de->d_name + len - 4, ".dat")))
			check_plot_file(dir, de->d_name);
		else if (de->d_name[0] != '.')
			fuzz_fail("plots: an unexpected file %s", de->d_name);
	}
	closedir(d);
}

/* --- one case --- */

static const struct cmp_opts fuzz_opts = {
	.seed = 1, .resamples = 20, .alpha = CMP_ALPHA, .level = CMP_LEVEL,
};

typedef int (*text_fn)(FILE *out, const struct cmp_table *t, const struct text_opts *o);

/* Every output of a computed table, checked. */
static void outputs_check(struct rng *r, struct cmp_table *t, text_fn text, const char *what)
{
	struct text_opts to = { .cmp = &fuzz_opts, .default_floor = -1,
				.forced = rng_one_in(r, 4), .forced_runs = rng_below(r, 3) };
	struct export_head h = { .command = what, .cmp = &fuzz_opts };
	struct cmp_table *list[1] = { t };
	struct json_object *parsed;
	struct drift d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &len);
	if (!f)
		fuzz_fail("open_memstream");
	ret = text(f, t, &to);
	if (!ret && rng_one_in(r, 3)) {
		ret = drift_measure(&d, t, rng_one_in(r, 6), &fuzz_opts);
		if (!ret)
			ret = text_drift(f, &d, false, CMP_ALPHA);
		if (!ret)
			drift_free(&d);
	}
	fclose(f);
	if (ret)
		check_error(what);
	else
		check_text(what, buf);
	free(buf);

	f = open_memstream(&buf, &len);
	if (!f)
		fuzz_fail("open_memstream");
	export_csv(f, list, 1);
	fclose(f);
	check_no_controls("CSV", buf);
	free(buf);

	f = open_memstream(&buf, &len);
	if (!f)
		fuzz_fail("open_memstream");
	ret = export_json(f, list, 1, &h);
	fclose(f);
	if (ret) {
		check_error("JSON output");
	} else {
		parsed = json_tokener_parse(buf);
		if (!parsed)
			fuzz_fail("the JSON output does not parse");
		json_object_put(parsed);
	}
	free(buf);
}

/*
 * A table of @sets, computed; false (its error checked) when refused.
 * With @noise, sometimes its floors measured from the sets themselves, as
 * --noise would from A/A sets.
 */
static bool table_build(struct rng *r, struct cmp_table *t, struct result_set **sets, size_t n,
			const struct result_db *noise)
{
	struct noise_floors nf = { 0 };
	bool measured = false;
	int ret = cmp_table_from_sets(t, sets, n);

	if (ret) {
		check_error("a table");
		return false;
	}
	if (noise && rng_one_in(r, 3)) {
		measured = !noise_floors_measure(&nf, noise);
		if (!measured)
			check_error("noise floors");
	}
	if (n > 1)
		cmp_table_set_floors(t, measured ? &nf : NULL, rng_one_in(r, 4) ? 0.02 : -1);
	noise_floors_free(&nf);
	ret = cmp_table_choose_primary(t, NULL);
	if (!ret)
		ret = cmp_table_compute(t, &fuzz_opts);
	if (ret) {
		check_error("a table's numbers");
		cmp_table_free(t);
		return false;
	}
	return true;
}

static void case_analyse(struct rng *r, struct result_db *db, const char *case_dir,
			 const char *plot_name)
{
	struct cmp_table tables[MAX_SETS * MAX_FILES + 1], *list[MAX_SETS * MAX_FILES + 1];
	struct result_set *sets[MAX_SETS * MAX_FILES], *one;
	char plots[320];
	size_t k, n = 0;
	int ret;

	/* report: a table per set */
	for (k = 0; k < db->nr_sets; k++) {
		one = &db->sets[k];
		sets[k] = one;
		results_check_sets(&one, 1);
		if (table_build(r, &tables[n], &one, 1, NULL)) {
			outputs_check(r, &tables[n], text_report, "report");
			list[n] = &tables[n];
			n++;
		}
	}
	/* compare: every set in one table, as --force would */
	if (db->nr_sets > 1) {
		if (results_check_sets(sets, db->nr_sets))
			check_error("results_check_sets");
		if (table_build(r, &tables[n], sets, db->nr_sets, db)) {
			outputs_check(r, &tables[n], text_compare, "compare");
			list[n] = &tables[n];
			n++;
		}
	}
	snprintf(plots, sizeof(plots), "%s/%s", case_dir, plot_name);
	ret = plot_scripts(plots, list, n);
	if (ret)
		check_error("plots");
	nr_tables += n;
	nr_scripts += !ret && n;
	check_plots(plots);
	for (k = 0; k < n; k++)
		cmp_table_free(&tables[k]);
}

static void fuzz_case(uint64_t seed, size_t nr, const char *top, bool keep)
{
	char case_dir[128], dirs[MAX_SETS][224], file[264], name[64];
	char *paths[MAX_SETS];
	struct rng r = { seed ^ (nr * 0xd1342543de82ef95ull) };
	struct json_object *o;
	struct result_db db;
	size_t nr_sets, s, i, nr_files, m, base;
	bool hostile_plots;
	int ret;

	fuzz_case_nr = nr;
	rng_next(&r);
	snprintf(case_dir, sizeof(case_dir), "%s/case-%zu", top, nr);
	if (mkdir(case_dir, 0755))
		fuzz_fail("mkdir %s: %s", case_dir, strerror(errno));
	names_clean = true;
	nr_sets = 1 + rng_below(&r, MAX_SETS);
	for (s = 0; s < nr_sets; s++) {
		names_clean &= set_name(&r, name, sizeof(name), s);
		snprintf(dirs[s], sizeof(dirs[s]), "%s/%s", case_dir, name);
		paths[s] = dirs[s];
		if (mkdir(dirs[s], 0755))
			fuzz_fail("mkdir %s: %s", dirs[s], strerror(errno));
		nr_files = 1 + rng_below(&r, MAX_FILES);
		base = rng_below(&r, nr_bases);
		for (i = 0; i < nr_files; i++) {
			o = NULL;
			if (json_object_deep_copy(bases[rng_one_in(&r, 5) ? rng_below(&r, nr_bases) : base],
						  &o, NULL))
				fuzz_fail("json_object_deep_copy");
			/* each run its own: a copy would be refused as the same run */
			json_object_object_add(json_path(o, "run"), "id",
					       json_object_new_string(case_dir + strlen(top)));
			json_object_object_add(json_path(o, "run"), "rep",
					       json_object_new_int((int)(s * MAX_FILES + i + 1)));
			for (m = rng_below(&r, 4); m > 0; m--)
				mutate(&r, o);
			snprintf(file, sizeof(file), "%.223s/rep-%zu.json", dirs[s], i + 1);
			result_write(&r, file, o);
			json_object_put(o);
		}
	}
	ret = results_load(&db, paths, (int)nr_sets, rng_one_in(&r, 3) ? RESULTS_FORCE : 0,
			   on_warning, NULL);
	if (ret) {
		check_error("results_load");
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "# case %zu: %s\n", nr, err_msg());
		nr_refused++;
	} else {
		nr_loaded++;
		/* the --plots directory: its name must never reach a script */
		hostile_plots = rng_one_in(&r, 3);
		names_clean &= !hostile_plots;
		case_analyse(&r, &db, case_dir,
			     hostile_plots ? "plots 'q\"`touch fuzz-pwned`\n" : "plots");
		results_free(&db);
	}
	if (keep)
		printf("# case %zu: %s\n", nr, case_dir);
	else
		rm_tree(case_dir, 0);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char *top = fuzz_top, *end;
	double seconds, start;
	size_t nr = 0, i;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: results SECONDS SEED [CASE]\n");
		return 2;
	}
	seconds = strtod(argv[1], &end);
	fuzz_seed = strtoull(argv[2], NULL, 10);
	if (*end || !(seconds >= 0)) {
		fprintf(stderr, "usage: results SECONDS SEED [CASE]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fuzz_catch_deaths();
	corpus_load();
	/* in memory when there is /dev/shm: thousands of small files */
	snprintf(fuzz_top, sizeof(fuzz_top), "%.80s/kvmsq-fuzz-results-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : !access("/dev/shm", W_OK) ? "/dev/shm" : "/tmp");
	if (!mkdtemp(top)) {
		printf("not ok fuzz_results: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	if (argc == 4) {
		fuzz_case(fuzz_seed, strtoul(argv[3], NULL, 10), top, true);
		printf("ok fuzz_results: case %s (seed %llu), its files in %s\n", argv[3],
		       (unsigned long long)fuzz_seed, top);
		return 0;
	}
	start = now_s();
	do {
		double t0 = now_s();

		fuzz_case(fuzz_seed, nr++, top, false);
		if (getenv("FUZZ_VERBOSE") && now_s() - t0 > 0.2)
			fprintf(stderr, "# case %zu took %.2f s\n", nr - 1, now_s() - t0);
	} while (now_s() - start < seconds);
	rm_tree(top, 0);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "# %zu cases loaded (%zu refused), %zu tables, %zu sets of plot scripts\n",
			nr_loaded, nr_refused, nr_tables, nr_scripts);
	for (i = 0; i < nr_bases; i++)
		json_object_put(bases[i]);
	printf("ok fuzz_results: %zu cases (seed %llu)\n", nr, (unsigned long long)fuzz_seed);
	return 0;
}
