// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/results.c: find and load result files (experiments/RESULT.md),
 * skip incomplete ones, refuse a run loaded twice, group them into sets by
 * directory, arm and experiment, and refuse to put side by side runs of
 * different specs, MMU modes, accels or clocks, or of kernels built on
 * different bases (arm.base, arm.kernel_version).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>

#include "analysis/results.h"
#include "common/err.h"
#include "common/metrics.h"
#include "common/util.h"

#define RESULT_SCHEMA	1

/* "rep-<n>.json", and nothing else (not the .tmp.<pid> or .rep-* files). */
static bool rep_file_name(const char *name, long *rep)
{
	const char *p = name + 4;
	char *end;

	if (strncmp(name, "rep-", 4) || *p < '0' || *p > '9')
		return false;
	*rep = strtol(p, &end, 10);
	return !strcmp(end, ".json");
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

const char *result_str(const struct result_file *f, const char *path)
{
	struct json_object *o = json_path(f->root, path);

	return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

const char *result_clock(const struct result_file *f)
{
	const char *clock = result_str(f, "host.clock");

	return clock ? clock : "host";
}

static void warnf(results_warn_fn warn, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warnf(results_warn_fn warn, void *arg, const char *fmt, ...)
{
	char line[ERR_MSG_LEN];
	va_list ap;

	if (!warn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	warn(line, arg);
}

/* "YYYY-MM-DDTHH:MM:SSZ" in seconds since the epoch, or NAN. */
static double utc_seconds(const char *s)
{
	struct tm tm = { 0 };
	const char *end;

	if (!s)
		return NAN;
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return NAN;
	return (double)timegm(&tm);
}

/* @dir/@name into @buf: -ENAMETOOLONG rather than a path cut short. */
static int path_join(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		return err_set(ENAMETOOLONG, "%s/%s: path too long", dir, name);
	return 0;
}

/* --- names shown --- */

bool result_char_safe(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr(" -_.,:;+=/()[]{}<>#%&*!?~^|", c));
}

char *result_safe_dup(const char *s, size_t *replaced)
{
	char *copy = strdup(s), *p;

	*replaced = 0;
	for (p = copy; p && *p; p++) {
		if (!result_char_safe((unsigned char)*p)) {
			*p = '?';
			(*replaced)++;
		}
	}
	return copy;
}

size_t result_array_len(struct json_object *o)
{
	return json_object_is_type(o, json_type_array) ? json_object_array_length(o) : 0;
}

/* At most @len - 1 bytes of @s on one line: control characters as '?'. */
static const char *one_line(char *buf, size_t len, const char *s)
{
	char *p;

	if (buf != s)
		snprintf(buf, len, "%s", s);
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return buf;
}

/* A JSON value as it is written, on one line, cut to about 40 bytes. */
static void json_text(struct json_object *o, bool absent, char *buf, size_t len)
{
	const char *s;

	if (absent) {
		snprintf(buf, len, "absent");
		return;
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (strlen(s) > 40)
		snprintf(buf, len, "%.37s...", s);
	else
		snprintf(buf, len, "%s", s);
	one_line(buf, len, buf);
}

/* --- loading --- */

/*
 * The fields read here and what they must be when present (null counts as
 * absent; experiments/RESULT.md). "schema" and "complete" are checked
 * first, so that a partial file is skipped before its summary is asked for.
 */
enum field_kind {
	FIELD_NAME,		/* a string, not empty, no NUL byte */
	FIELD_STRING,		/* a string without a NUL byte */
	FIELD_COUNT,		/* an integer from 1 to INT_MAX */
	FIELD_BOOL,
	FIELD_OBJECT,
	FIELD_STRINGS,		/* an array of strings */
};

static const struct result_field {
	const char *path;
	enum field_kind kind;
	bool required;
} result_fields[] = {
	{ "run.experiment", FIELD_NAME, true },
	{ "summary", FIELD_OBJECT, true },
	{ "run.id", FIELD_NAME, false },
	{ "run.rep", FIELD_COUNT, false },
	{ "run.block", FIELD_COUNT, false },
	{ "run.started_at", FIELD_STRING, false },
	{ "host.arm", FIELD_NAME, false },
	{ "host.clock", FIELD_NAME, false },
	{ "run.status", FIELD_NAME, false },
	{ "run.problems", FIELD_STRINGS, false },
	{ "summary.pressure_applied", FIELD_BOOL, false },
	{ "arm", FIELD_OBJECT, false },
	{ "arm.name", FIELD_NAME, false },
	{ "arm.base", FIELD_NAME, false },
	{ "arm.kernel_version", FIELD_STRING, false },
	{ "arm.series_hash", FIELD_STRING, false },
	{ "arm.params", FIELD_STRING, false },
};

static const char *const field_kind_names[] = {
	[FIELD_NAME] = "a non-empty string without NUL", [FIELD_STRING] = "a string without NUL",
	[FIELD_COUNT] = "a whole number from 1", [FIELD_BOOL] = "true or false",
	[FIELD_OBJECT] = "an object", [FIELD_STRINGS] = "an array of strings",
};

static bool json_string_ok(struct json_object *o, bool empty_ok)
{
	int len = json_object_get_string_len(o);

	return json_object_is_type(o, json_type_string) && (empty_ok || len > 0) &&
	       strlen(json_object_get_string(o)) == (size_t)len;
}

static bool field_ok(struct json_object *o, enum field_kind kind)
{
	size_t i, n;

	switch (kind) {
	case FIELD_NAME:
		return json_string_ok(o, false);
	case FIELD_STRING:
		return json_string_ok(o, true);
	case FIELD_COUNT:
		return json_object_is_type(o, json_type_int) && json_object_get_int64(o) >= 1 &&
		       json_object_get_int64(o) <= INT_MAX;
	case FIELD_BOOL:
		return json_object_is_type(o, json_type_boolean);
	case FIELD_OBJECT:
		return json_object_is_type(o, json_type_object);
	case FIELD_STRINGS:
		if (!json_object_is_type(o, json_type_array))
			return false;
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (!json_string_ok(json_object_array_get_idx(o, i), true))
				return false;
		return true;
	}
	return false;
}

static int fields_check(struct json_object *root, const char *path)
{
	const struct result_field *rf;
	struct json_object *o;
	char text[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(result_fields); i++) {
		rf = &result_fields[i];
		o = json_path(root, rf->path);
		if (!o && rf->required)
			return err_set(EINVAL, "%s: no %s (not a result kvmsqueeze run finished)",
				       path, rf->path);
		if (!o || field_ok(o, rf->kind))
			continue;
		json_text(o, false, text, sizeof(text));
		return err_set(EINVAL, "%s: %s is %s, not %s", path, rf->path, text,
			       field_kind_names[rf->kind]);
	}
	return 0;
}

/* "schema": the integer 1; "complete": true or false. */
static int format_check(struct json_object *root, const char *path, bool *complete)
{
	struct json_object *schema = json_path(root, "schema"), *o;
	char text[64];

	if (!json_object_is_type(schema, json_type_int)) {
		json_text(schema, false, text, sizeof(text));
		return err_set(EINVAL, "%s: \"schema\" is %s, not the integer %d", path, text,
			       RESULT_SCHEMA);
	}
	if (json_object_get_int64(schema) != RESULT_SCHEMA)
		return err_set(EINVAL, "%s: result schema %lld, this kvmsqueeze reads schema %d",
			       path, (long long)json_object_get_int64(schema), RESULT_SCHEMA);
	o = json_path(root, "complete");
	if (!json_object_is_type(o, json_type_boolean)) {
		json_text(o, !o, text, sizeof(text));
		return err_set(EINVAL, "%s: \"complete\" is %s, not true or false", path, text);
	}
	*complete = json_object_get_boolean(o);
	return 0;
}

static int db_add(struct result_db *db, struct json_object *root, const char *path,
		  const char *dir)
{
	struct result_file *files, *f;
	struct json_object *o;
	const char *arm;
	struct stat st;
	size_t replaced;

	files = realloc(db->files, (db->nr_files + 1) * sizeof(*files));
	if (!files)
		return err_set(ENOMEM, "loading %s: out of memory", path);
	db->files = files;
	f = &files[db->nr_files];
	memset(f, 0, sizeof(*f));
	f->root = root;
	arm = result_str(f, "host.arm");
	f->path = strdup(path);
	f->dir = strdup(dir);
	f->experiment = result_safe_dup(result_str(f, "run.experiment"), &replaced);
	f->arm = arm ? result_safe_dup(arm, &replaced) : NULL;
	if (!f->path || !f->dir || !f->experiment || (arm && !f->arm)) {
		free(f->arm);
		free(f->experiment);
		free(f->path);
		free(f->dir);
		return err_set(ENOMEM, "loading %s: out of memory", path);
	}
	f->run_id = result_str(f, "run.id");
	o = json_path(root, "run.rep");
	f->rep = o ? json_object_get_int(o) : 0;
	o = json_path(root, "run.block");
	f->block = o ? (long)json_object_get_int64(o) : 0;
	f->started_s = utc_seconds(result_str(f, "run.started_at"));
	if (!stat(path, &st)) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	db->nr_files++;
	return 0;
}

/*
 * Why a run must not be counted: it did not end well (run.status there and
 * not "ok", with its first problem or its first VM that was not ok), or
 * its pressure was never applied. Empty when it may be.
 */
static void run_refusal(struct json_object *root, char *why, size_t len)
{
	struct json_object *status = json_path(root, "run.status");
	struct json_object *problems = json_path(root, "run.problems");
	struct json_object *vms = json_path(root, "vms"), *vm_status;
	const char *problem = NULL;
	char text[160];
	size_t i;

	why[0] = '\0';
	if (status && strcmp(json_object_get_string(status), "ok")) {
		if (result_array_len(problems))
			problem = json_object_get_string(json_object_array_get_idx(problems, 0));
		for (i = 0; !problem && i < result_array_len(vms); i++) {
			vm_status = json_path(json_object_array_get_idx(vms, i), "status");
			if (json_object_is_type(vm_status, json_type_string) &&
			    strcmp(json_object_get_string(vm_status), "ok")) {
				snprintf(text, sizeof(text), "vms[%zu].status is \"%.64s\"", i,
					 json_object_get_string(vm_status));
				problem = text;
			}
		}
		snprintf(why, len, "the run did not end well (run.status \"%.32s\")%s%.200s",
			 json_object_get_string(status), problem ? ": " : "",
			 problem ? problem : "");
		one_line(why, len, why);
		return;
	}
	status = json_path(root, "summary.pressure_applied");
	if (status && !json_object_get_boolean(status))
		snprintf(why, len, "pressure that was never applied (summary.pressure_applied false)");
}

static int load_file(struct result_db *db, const char *path, const char *dir,
		     unsigned int flags, results_warn_fn warn, void *arg)
{
	struct json_object *root, *o;
	char line[256];
	struct stat st;
	const char *why;
	bool complete = false;
	int ret;

	/* not a FIFO, which would never end, nor a directory */
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return err_set(EINVAL, "%s: not a regular file", path);
	root = json_object_from_file(path);
	if (!root) {
		/* json-c says "continue" of a document that ends too soon */
		why = json_util_get_last_err();
		if (why && strstr(why, ": continue"))
			why = "it ends too soon";
		return err_set(EINVAL, "%s: not a JSON document (truncated or corrupt): %.*s", path,
			       why ? (int)strcspn(why, "\n") : 0, why ? why : "");
	}
	if (!json_object_is_type(root, json_type_object) || !json_path(root, "schema") ||
	    !json_object_is_type(json_path(root, "run.experiment"), json_type_string)) {
		json_object_put(root);
		return err_set(EINVAL, "%s: not a kvmsqueeze result (no schema or run.experiment)",
			       path);
	}
	ret = format_check(root, path, &complete);
	if (!ret && !complete) {
		o = json_path(root, "run.end_reason");
		warnf(warn, arg, "skipping %s: incomplete result (\"complete\": false, %s)", path,
		      one_line(line, sizeof(line), json_object_is_type(o, json_type_string) ?
			       json_object_get_string(o) : "no end reason"));
		json_object_put(root);
		return 0;
	}
	if (!ret)
		ret = fields_check(root, path);
	if (!ret) {
		run_refusal(root, line, sizeof(line));
		if (line[0] && !(flags & RESULTS_FORCE))
			ret = err_set(ERR_REFUSED, "refusing %s: %s", path, line);
		else if (line[0])
			warnf(warn, arg, "%s: %s; counted anyway (--force)", path, line);
	}
	if (!ret)
		ret = db_add(db, root, path, dir);
	if (ret) {
		json_object_put(root);
		return ret;
	}
	if (line[0]) {
		db->files[db->nr_files - 1].forced = true;
		db->nr_forced++;
	}
	return 0;
}

struct rep_entry {
	long rep;
	char name[NAME_MAX + 1];
};

static int cmp_rep(const void *a, const void *b)
{
	const struct rep_entry *x = a, *y = b;

	return x->rep < y->rep ? -1 : x->rep > y->rep;
}

static int cmp_name(const void *a, const void *b)
{
	const struct rep_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/*
 * The rep-<n>.json files of @dir in @reps (sorted by n) and, when
 * @subdirs, its subdirectories in @subs (sorted by name).
 */
static int dir_list(const char *dir, struct rep_entry **reps, size_t *nr_reps,
		    struct rep_entry **subs, size_t *nr_subs)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	struct rep_entry *e, **list;
	size_t *nr;
	long rep;
	DIR *d = opendir(dir);

	*reps = *subs = NULL;
	*nr_reps = *nr_subs = 0;
	if (!d)
		return err_sys(errno, "%s", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (path_join(path, sizeof(path), dir, de->d_name))
			continue;	/* too long to be reached: not ours */
		if (rep_file_name(de->d_name, &rep)) {
			list = reps;
			nr = nr_reps;
		} else if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			list = subs;
			nr = nr_subs;
			rep = 0;
		} else {
			continue;
		}
		e = realloc(*list, (*nr + 1) * sizeof(*e));
		if (!e) {
			closedir(d);
			return err_set(ENOMEM, "listing %s: out of memory", dir);
		}
		*list = e;
		e[*nr].rep = rep;
		snprintf(e[*nr].name, sizeof(e[*nr].name), "%s", de->d_name);
		(*nr)++;
	}
	closedir(d);
	if (*nr_reps)
		qsort(*reps, *nr_reps, sizeof(**reps), cmp_rep);
	if (*nr_subs)
		qsort(*subs, *nr_subs, sizeof(**subs), cmp_name);
	return 0;
}

static int load_dir(struct result_db *db, const char *dir, int depth, unsigned int flags,
		    results_warn_fn warn, void *arg)
{
	struct rep_entry *reps, *subs;
	size_t nr_reps, nr_subs, i, before = db->nr_files;
	char path[PATH_MAX];
	int ret;

	ret = dir_list(dir, &reps, &nr_reps, &subs, &nr_subs);
	for (i = 0; !ret && i < nr_reps; i++) {
		ret = path_join(path, sizeof(path), dir, reps[i].name);
		if (!ret)
			ret = load_file(db, path, dir, flags, warn, arg);
	}
	/* a directory of result directories: one level down */
	for (i = 0; !ret && !nr_reps && depth == 0 && i < nr_subs; i++) {
		ret = path_join(path, sizeof(path), dir, subs[i].name);
		if (!ret)
			ret = load_dir(db, path, depth + 1, flags, warn, arg);
		if (ret == -ENOENT)	/* a subdirectory without results */
			ret = 0;
	}
	if (!ret && db->nr_files == before && !nr_reps && depth == 0)
		ret = err_set(ENOENT, "%s: no rep-<n>.json result files here (give a directory written by kvmsqueeze run --out)",
			      dir);
	else if (!ret && !nr_reps && depth)
		ret = -ENOENT;
	free(subs);
	free(reps);
	return ret;
}

/* Strip trailing slashes so the directory's name is its last component. */
static void clean_path(const char *in, char *out, size_t len)
{
	size_t n;

	snprintf(out, len, "%s", in);
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
}

static int load_path(struct result_db *db, const char *arg_path, unsigned int flags,
		     results_warn_fn warn, void *arg)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	char *slash;

	clean_path(arg_path, path, sizeof(path));
	if (stat(path, &st))
		return err_sys(errno, "%s", path);
	if (S_ISDIR(st.st_mode))
		return load_dir(db, path, 0, flags, warn, arg);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
	return load_file(db, path, dir, flags, warn, arg);
}

/* --- grouping --- */

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static struct result_set *set_find(struct result_db *db, const struct result_file *f)
{
	size_t i;

	for (i = 0; i < db->nr_sets; i++) {
		struct result_set *s = &db->sets[i];
		const struct result_file *first = s->files[0];

		if (!strcmp(first->dir, f->dir) && same_str(first->arm, f->arm) &&
		    !strcmp(s->experiment, f->experiment))
			return s;
	}
	return NULL;
}

static int set_add_file(struct result_set *s, struct result_file *f)
{
	struct result_file **files = realloc(s->files, (s->nr_files + 1) * sizeof(*files));

	if (!files)
		return err_set(ENOMEM, "grouping results: out of memory");
	s->files = files;
	files[s->nr_files++] = f;
	return 0;
}

static int set_relabel(struct result_set *s, const char *suffix)
{
	char *raw, *safe;
	size_t replaced;

	if (asprintf(&raw, "%s%s", s->label_raw, suffix) < 0)
		return err_set(ENOMEM, "grouping results: out of memory");
	safe = result_safe_dup(raw, &replaced);
	if (!safe) {
		free(raw);
		return err_set(ENOMEM, "grouping results: out of memory");
	}
	free(s->label_raw);
	free(s->label);
	s->label_raw = raw;
	s->label = safe;
	return 0;
}

/* A character shown as '?', for people: "newline", "byte 0xc3". */
static void char_name(char *buf, size_t len, unsigned char c)
{
	static const struct {
		unsigned char c;
		const char *name;
	} names[] = {
		{ '\n', "newline" }, { '\r', "carriage return" }, { '\t', "tab" },
		{ '\'', "quote" }, { '"', "double quote" }, { '`', "backquote" },
		{ '\\', "backslash" }, { '@', "at sign" }, { '$', "dollar sign" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (names[i].c == c) {
			snprintf(buf, len, "%s", names[i].name);
			return;
		}
	}
	snprintf(buf, len, "byte 0x%02x", c);
}

/*
 * The set's label_note from its label before it was made safe: how many
 * characters show as '?' and which, each once, in the order they come.
 */
static void set_label_note(struct result_set *s)
{
	bool seen[256] = { false }, first = true;
	char name[32];
	size_t used;
	const unsigned char *p;

	s->label_replaced = 0;
	s->label_note[0] = '\0';
	for (p = (const unsigned char *)s->label_raw; *p; p++)
		s->label_replaced += !result_char_safe(*p);
	if (!s->label_replaced)
		return;
	used = (size_t)snprintf(s->label_note, sizeof(s->label_note), "%zu character%s shown as ?:",
				s->label_replaced, s->label_replaced == 1 ? "" : "s");
	for (p = (const unsigned char *)s->label_raw; *p && used < sizeof(s->label_note); p++) {
		if (result_char_safe(*p) || seen[*p])
			continue;
		seen[*p] = true;
		char_name(name, sizeof(name), *p);
		used += (size_t)snprintf(s->label_note + used, sizeof(s->label_note) - used, "%s %s",
					 first ? "" : ",", name);
		first = false;
	}
}

/* Whether another set of the same experiment has the same label. */
static bool label_clash(const struct result_db *db, size_t i)
{
	const struct result_set *a = &db->sets[i];
	size_t j;

	for (j = 0; j < db->nr_sets; j++)
		if (j != i && !strcmp(a->experiment, db->sets[j].experiment) &&
		    !strcmp(a->label, db->sets[j].label))
			return true;
	return false;
}

/*
 * Two sets of one experiment must not share a label: add the directory's
 * name to an arm's name, then the set's number.
 */
static int labels_unique(struct result_db *db)
{
	char suffix[NAME_MAX + 16];
	size_t i, pass;
	bool *clash;
	int ret = 0;

	clash = calloc(db->nr_sets, sizeof(*clash));
	if (!clash)
		return err_set(ENOMEM, "grouping results: out of memory");
	for (pass = 0; pass < 2 && !ret; pass++) {
		for (i = 0; i < db->nr_sets; i++)
			clash[i] = label_clash(db, i);
		for (i = 0; i < db->nr_sets && !ret; i++) {
			struct result_set *s = &db->sets[i];

			if (!clash[i])
				continue;
			if (pass == 0 && s->files[0]->arm)
				snprintf(suffix, sizeof(suffix), ":%s", base_name(s->dir));
			else
				snprintf(suffix, sizeof(suffix), "#%zu", i + 1);
			ret = set_relabel(s, suffix);
		}
	}
	free(clash);
	return ret;
}

int results_label(struct result_db *db, const char *const *labels, size_t n)
{
	size_t i, replaced, used = 0;
	char *raw, *safe, names[256] = "";

	for (i = 0; n > db->nr_sets && i < db->nr_sets && used < sizeof(names); i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
					 db->sets[i].label);
	if (n > db->nr_sets)
		return err_set(EINVAL, "--label: %zu names for %zu set%s (in order: %s)", n,
			       db->nr_sets, db->nr_sets == 1 ? "" : "s", names);
	for (i = 0; i < n; i++) {
		if (!*labels[i])
			return err_set(EINVAL, "--label: the name of set %zu is empty", i + 1);
		raw = strdup(labels[i]);
		safe = raw ? result_safe_dup(raw, &replaced) : NULL;
		if (!safe) {
			free(raw);
			return err_set(ENOMEM, "--label: out of memory");
		}
		free(db->sets[i].label_raw);
		free(db->sets[i].label);
		db->sets[i].label_raw = raw;
		db->sets[i].label = safe;
		set_label_note(&db->sets[i]);
	}
	for (i = 0; i < db->nr_sets; i++)
		if (label_clash(db, i))
			return err_set(EINVAL, "--label: two sets of experiment %s are named %s",
				       db->sets[i].experiment, db->sets[i].label);
	return 0;
}

static int results_group(struct result_db *db)
{
	struct result_set *sets, *s;
	size_t i, n;
	int ret;

	for (i = 0; i < db->nr_files; i++) {
		struct result_file *f = &db->files[i];

		s = set_find(db, f);
		if (!s) {
			sets = realloc(db->sets, (db->nr_sets + 1) * sizeof(*sets));
			if (!sets)
				return err_set(ENOMEM, "grouping results: out of memory");
			db->sets = sets;
			s = &sets[db->nr_sets++];
			memset(s, 0, sizeof(*s));
			s->experiment = f->experiment;
			s->dir = f->dir;
			s->label_raw = strdup(f->arm ? result_str(f, "host.arm") : base_name(f->dir));
			s->label = s->label_raw ? result_safe_dup(s->label_raw, &n) : NULL;
			if (!s->label)
				return err_set(ENOMEM, "grouping results: out of memory");
		}
		ret = set_add_file(s, f);
		if (ret)
			return ret;
	}
	ret = labels_unique(db);
	for (i = 0; !ret && i < db->nr_sets; i++)
		set_label_note(&db->sets[i]);
	return ret;
}

/* --- each run once --- */

static bool same_inode(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The same directory or file given twice (symlinks, "./", trailing "/"). */
static int paths_unique(char *const *paths, int nr_paths)
{
	struct stat st;
	int i, j;

	for (i = 0; i < nr_paths; i++) {
		for (j = 0; j < i; j++) {
			if (!same_inode(paths[j], paths[i]))
				continue;
			return err_set(EINVAL, "%s and %s are the same %s: its runs would count twice (give each once)",
				       paths[j], paths[i],
				       !stat(paths[i], &st) && S_ISDIR(st.st_mode) ? "directory" : "file");
		}
	}
	return 0;
}

/*
 * Two files of one run: the same file reached through two arguments (a
 * directory and a file in it, a hard link), or a copy: the same run.id,
 * run.rep and host.arm, and not two different blocks of a plan.
 */
static int runs_unique(const struct result_db *db)
{
	const struct result_file *a, *b;
	char id[80];
	size_t i, j;

	for (i = 0; i < db->nr_files; i++) {
		b = &db->files[i];
		for (j = 0; j < i; j++) {
			a = &db->files[j];
			if (a->ino && a->dev == b->dev && a->ino == b->ino)
				return err_set(EINVAL, "%s and %s are the same file: its run would count twice (give each result once)",
					       a->path, b->path);
			if (!a->run_id || !b->run_id || strcmp(a->run_id, b->run_id) ||
			    a->rep != b->rep || !same_str(a->arm, b->arm) ||
			    (a->block && b->block && a->block != b->block))
				continue;
			return err_set(EINVAL, "%s and %s are the same run (run.id %s, run.rep %d): a copy counts it twice (give each run once)",
				       a->path, b->path, one_line(id, sizeof(id), a->run_id), a->rep);
		}
	}
	return 0;
}

int results_load(struct result_db *db, char *const *paths, int nr_paths, unsigned int flags,
		 results_warn_fn warn, void *arg)
{
	int i, ret;

	memset(db, 0, sizeof(*db));
	ret = paths_unique(paths, nr_paths);
	for (i = 0; !ret && i < nr_paths; i++)
		ret = load_path(db, paths[i], flags, warn, arg);
	if (!ret && !db->nr_files)
		ret = err_set(ENOENT, "no complete result among the files given");
	if (!ret)
		ret = runs_unique(db);
	if (!ret)
		ret = results_group(db);
	if (ret)
		results_free(db);
	return ret;
}

void results_free(struct result_db *db)
{
	size_t i;

	for (i = 0; i < db->nr_sets; i++) {
		free(db->sets[i].files);
		free(db->sets[i].label_raw);
		free(db->sets[i].label);
	}
	free(db->sets);
	for (i = 0; i < db->nr_files; i++) {
		json_object_put(db->files[i].root);
		free(db->files[i].arm);
		free(db->files[i].experiment);
		free(db->files[i].path);
		free(db->files[i].dir);
	}
	free(db->files);
	memset(db, 0, sizeof(*db));
}

/* --- may these runs be compared? --- */

struct json_diff {
	char path[256];
	struct json_object *a, *b;
	bool a_absent, b_absent;
};

static bool json_diff_at(struct json_object *a, struct json_object *b, struct json_diff *d);

static void path_key(struct json_diff *d, size_t at, const char *key)
{
	snprintf(d->path + at, sizeof(d->path) - at, ".%s", key);
}

static void path_index(struct json_diff *d, size_t at, size_t idx)
{
	snprintf(d->path + at, sizeof(d->path) - at, "[%zu]", idx);
}

static bool object_diff(struct json_object *a, struct json_object *b, struct json_diff *d)
{
	size_t at = strlen(d->path);
	struct json_object *other;

	json_object_object_foreach(a, key, val) {
		path_key(d, at, key);
		if (!json_object_object_get_ex(b, key, &other)) {
			d->a = val;
			d->b_absent = true;
			return true;
		}
		if (json_diff_at(val, other, d))
			return true;
	}
	json_object_object_foreach(b, bkey, bval) {
		if (!json_object_object_get_ex(a, bkey, &other)) {
			path_key(d, at, bkey);
			d->a_absent = true;
			d->b = bval;
			return true;
		}
	}
	d->path[at] = '\0';
	return false;
}

static bool array_diff(struct json_object *a, struct json_object *b, struct json_diff *d)
{
	size_t at = strlen(d->path), n = json_object_array_length(a), i;

	if (n != json_object_array_length(b)) {
		d->a = a;
		d->b = b;
		return true;
	}
	for (i = 0; i < n; i++) {
		path_index(d, at, i);
		if (json_diff_at(json_object_array_get_idx(a, i),
				 json_object_array_get_idx(b, i), d))
			return true;
	}
	d->path[at] = '\0';
	return false;
}

static bool is_number(struct json_object *o)
{
	return json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double);
}

/* The first place where @a and @b differ, into @d; numbers by value. */
static bool json_diff_at(struct json_object *a, struct json_object *b, struct json_diff *d)
{
	bool differs;

	d->a = a;
	d->b = b;
	if (!a || !b)
		return a != b;
	if (is_number(a) && is_number(b))
		return json_object_get_double(a) != json_object_get_double(b);
	if (json_object_get_type(a) != json_object_get_type(b))
		return true;
	switch (json_object_get_type(a)) {
	case json_type_object:
		differs = object_diff(a, b, d);
		break;
	case json_type_array:
		differs = array_diff(a, b, d);
		break;
	case json_type_string:
		differs = strcmp(json_object_get_string(a), json_object_get_string(b)) != 0;
		break;
	case json_type_boolean:
		differs = json_object_get_boolean(a) != json_object_get_boolean(b);
		break;
	default:
		differs = false;
		break;
	}
	return differs;
}

/*
 * The fields that must be equal, in the order they are checked, and what
 * an absent one means (results older than the field).
 */
static const struct same_field {
	const char *path;
	const char *absent;		/* a string it stands for, or NULL */
} same_fields[] = {
	{ "spec", NULL },
	{ "run.duration_s", NULL },
	{ "run.scale", NULL },
	{ "host.mmu", NULL },
	{ "host.accel", NULL },
	{ "host.clock", "host" },
	{ "host.icount_shift", NULL },
};

static int files_differ(const struct result_file *a, const struct result_file *b)
{
	struct json_object *absent = NULL, *va_o, *vb_o;
	char va[64], vb[64];
	struct json_diff d;
	size_t i;
	bool differs;

	for (i = 0; i < ARRAY_SIZE(same_fields); i++) {
		const struct same_field *sf = &same_fields[i];

		memset(&d, 0, sizeof(d));
		snprintf(d.path, sizeof(d.path), "%s", sf->path);
		va_o = json_path(a->root, sf->path);
		vb_o = json_path(b->root, sf->path);
		if (sf->absent && (!va_o || !vb_o)) {
			absent = json_object_new_string(sf->absent);
			va_o = va_o ? va_o : absent;
			vb_o = vb_o ? vb_o : absent;
		}
		differs = json_diff_at(va_o, vb_o, &d);
		if (differs) {
			json_text(d.a, d.a_absent, va, sizeof(va));
			json_text(d.b, d.b_absent, vb, sizeof(vb));
		}
		json_object_put(absent);
		absent = NULL;
		if (differs)
			return err_set(ERR_REFUSED, "%s differs: %s in %s, %s in %s",
				       d.path, va, a->path, vb, b->path);
	}
	return 0;
}

/* The fields of the kernel arms (arm) that must be equal, in this order. */
static const char *const arm_same_fields[] = { "arm.base", "arm.kernel_version" };

const char *result_set_arm(const struct result_set *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->nr_files; i++)
		if (result_str(s->files[i], "arm.base"))
			return result_str(s->files[i], path);
	return NULL;
}

/*
 * Runs that say which base their kernel was built on (arm.base) are
 * compared with the first of them; a run that does not say (an older
 * result, a run off the lab) is compared with none.
 */
bool results_arms_differ(struct result_set *const *sets, size_t n, struct arm_diff *d)
{
	const struct result_file *f;
	const char *va, *vb;
	size_t i, j, k;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < n; i++) {
		for (j = 0; j < sets[i]->nr_files; j++) {
			f = sets[i]->files[j];
			if (!result_str(f, "arm.base"))
				continue;
			if (!d->a) {
				d->a = f;
				d->set_a = sets[i];
				continue;
			}
			for (k = 0; k < ARRAY_SIZE(arm_same_fields); k++) {
				va = result_str(d->a, arm_same_fields[k]);
				vb = result_str(f, arm_same_fields[k]);
				if (!va || !vb || !strcmp(va, vb))
					continue;
				d->field = arm_same_fields[k];
				d->b = f;
				d->set_b = sets[i];
				return true;
			}
		}
	}
	return false;
}

size_t results_arms_missing(struct result_set *const *sets, size_t n, char *buf, size_t len)
{
	size_t i, j, with = 0, without = 0, used = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < n; i++) {
		for (j = 0; j < sets[i]->nr_files; j++)
			if (result_str(sets[i]->files[j], "arm.base"))
				with++;
		for (j = 0; j < sets[i]->nr_files; j++)
			if (!result_str(sets[i]->files[j], "arm.base"))
				break;
		if (j == sets[i]->nr_files)
			continue;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", without ? ", " : "",
						 sets[i]->label);
		without++;
	}
	if (!with && len)
		buf[0] = '\0';
	return with ? without : 0;
}

int results_check_arms(struct result_set *const *sets, size_t n)
{
	char va[64], vb[64];
	struct arm_diff d;

	if (!results_arms_differ(sets, n, &d))
		return 0;
	json_text(json_path(d.a->root, d.field), false, va, sizeof(va));
	json_text(json_path(d.b->root, d.field), false, vb, sizeof(vb));
	return err_set(ERR_REFUSED, "%s differs: %s in set %s (%s), %s in set %s (%s): a change would be the bases' as much as the arms'",
		       d.field, va, d.set_a->label, d.a->path, vb, d.set_b->label, d.b->path);
}

int results_check_sets(struct result_set *const *sets, size_t n)
{
	size_t i, j;
	int ret;

	/* different kernels under the arms first: nothing else compares then */
	ret = results_check_arms(sets, n);
	if (ret)
		return ret;

	for (i = 0; i < n; i++) {
		for (j = 0; j < sets[i]->nr_files; j++) {
			ret = files_differ(sets[0]->files[0], sets[i]->files[j]);
			if (ret)
				return ret;
		}
	}
	return 0;
}
