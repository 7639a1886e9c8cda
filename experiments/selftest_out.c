// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/selftest_out.c: the KVM selftests a spec may name, and the
 * parser of what they print: each timed phase, in the formats the
 * selftests of Linux 6.12 and 6.1 print (tools/testing/selftests/kvm:
 * "%ld.%.9lds" times, "%f" rates). Their output is hostile input: a line
 * of any length or bytes either matches a whole pattern, with numbers of
 * bounded digits, or is counted as unparsed; a value already seen in the
 * same guest mode is never overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/json.h"
#include "common/summary_table.h"
#include "common/util.h"
#include "experiments/selftest.h"

const struct selftest_prog_info selftest_progs[NR_SELFTEST_PROGS] = {
	[SELFTEST_DIRTY_LOG] = { "dirty_log_perf_test", "dirty_log" },
	[SELFTEST_DEMAND_PAGING] = { "demand_paging_test", "demand_paging" },
	[SELFTEST_ACCESS_TRACKING] = { "access_tracking_perf_test", "access_tracking" },
};

int selftest_prog_find(const char *name)
{
	int i;

	for (i = 0; i < NR_SELFTEST_PROGS; i++)
		if (!strcmp(selftest_progs[i].program, name))
			return i;
	return -1;
}

const char *selftest_arg_check(const char *arg)
{
	size_t len = strlen(arg);

	if (!len)
		return "is empty";
	if (len >= SELFTEST_ARG_LEN)
		return "is longer than 63 bytes";
	if (strspn(arg, SELFTEST_ARG_CHARS) != len)
		return "holds a byte outside A-Z a-z 0-9 - _ . , : = +";
	return NULL;
}

/*
 * A pattern is matched against a whole line. Its conversions:
 *   %t  a time as "%ld.%.9lds": 1-12 digits, '.', 1-9 digits, 's'
 *   %f  a rate as "%f": 1-15 digits, '.', 1-9 digits
 *   %n  an iteration count: 1-6 digits, 1 to SELFTEST_MAX_ITER
 *   %w  one space or tab (6.12 prints a tab where 6.1 has a space)
 *   %p  padding: any number of spaces ("%-30s")
 * Every other byte is itself.
 */
#define MAX_CAPTURES	3

struct capture {
	double num[MAX_CAPTURES];	/* %t and %f, in order */
	int nr_num;
	long iter;			/* the first %n; 0: none */
};

static const char *digits(const char *s, const char *end, size_t min, size_t max)
{
	size_t n = 0;

	while (s + n < end && s[n] >= '0' && s[n] <= '9')
		n++;
	return n >= min && n <= max ? s + n : NULL;
}

/* A decimal "D+.D+" at @s; its end, or NULL. */
static const char *decimal(const char *s, const char *end, size_t int_max, double *v)
{
	char buf[32];
	const char *p = digits(s, end, 1, int_max);

	if (!p || p >= end || *p != '.')
		return NULL;
	p = digits(p + 1, end, 1, 9);
	if (!p || (size_t)(p - s) >= sizeof(buf))
		return NULL;
	memcpy(buf, s, (size_t)(p - s));
	buf[p - s] = '\0';
	*v = strtod(buf, NULL);
	return isfinite(*v) ? p : NULL;
}

static bool match(const char *pat, const char *s, const char *end, struct capture *c)
{
	const char *p;

	memset(c, 0, sizeof(*c));
	while (*pat) {
		if (*pat != '%') {
			if (s >= end || *s != *pat)
				return false;
			s++;
			pat++;
			continue;
		}
		switch (pat[1]) {
		case 't':
		case 'f':
			if (c->nr_num == MAX_CAPTURES)
				return false;
			p = decimal(s, end, pat[1] == 't' ? 12 : 15, &c->num[c->nr_num]);
			if (!p || (pat[1] == 't' && (p >= end || *p++ != 's')))
				return false;
			c->nr_num++;
			s = p;
			break;
		case 'n':
			p = digits(s, end, 1, 6);
			if (!p)
				return false;
			if (!c->iter) {
				c->iter = strtol(s, NULL, 10);
				if (c->iter < 1 || c->iter > SELFTEST_MAX_ITER)
					return false;
			}
			s = p;
			break;
		case 'w':
			if (s >= end || (*s != ' ' && *s != '\t'))
				return false;
			s++;
			break;
		case 'p':
			while (s < end && *s == ' ')
				s++;
			break;
		default:
			return false;
		}
		pat += 2;
	}
	return s == end;
}

enum rule_index {
	IDX_NONE,	/* names hold no %d */
	IDX_ITER,	/* %d: the line's iteration */
	IDX_COUNT,	/* %d: how many times the line came in this mode */
};

struct rule {
	const char *pattern;
	const char *names[MAX_CAPTURES];	/* one per %t or %f, NULL: not kept */
	const char *unit;
	enum rule_index index;
};

static const struct rule dirty_log_rules[] = {
	{ "Test iterations: %n", { NULL }, NULL, IDX_NONE },
	{ "Populate memory time: %t", { "populate_s" }, "s", IDX_NONE },
	{ "Enabling dirty logging time: %t", { "enable_dirty_logging_s" }, "s", IDX_NONE },
	{ "Iteration %n dirty memory time: %t", { "dirty_memory_iter%d_s" }, "s", IDX_ITER },
	{ "Iteration %n get dirty log time: %t", { "get_dirty_log_iter%d_s" }, "s", IDX_ITER },
	{ "Iteration %n clear dirty log time: %t", { "clear_dirty_log_iter%d_s" }, "s", IDX_ITER },
	{ "Disabling dirty logging time: %t", { "disable_dirty_logging_s" }, "s", IDX_NONE },
	{ "Get dirty log over %n iterations took %t. (Avg %t/iteration)",
	  { "get_dirty_log_total_s", "get_dirty_log_avg_s" }, "s", IDX_NONE },
	{ "Clear dirty log over %n iterations took %t. (Avg %t/iteration)",
	  { "clear_dirty_log_total_s", "clear_dirty_log_avg_s" }, "s", IDX_NONE },
	{ .pattern = NULL },
};

static const struct rule demand_paging_rules[] = {
	{ "Total guest execution time:%w%t", { "guest_execution_s" }, "s", IDX_NONE },
	{ "Per-vcpu demand paging rate:%w%f pgs/sec/vcpu", { "per_vcpu_rate_pages_per_s" },
	  "pages/s", IDX_NONE },
	{ "Overall demand paging rate:%w%f pgs/sec", { "rate_pages_per_s" }, "pages/s",
	  IDX_NONE },
	{ .pattern = NULL },
};

static const struct rule access_tracking_rules[] = {
	{ "Populating memory%p: %t", { "populate_s" }, "s", IDX_NONE },
	{ "Writing to populated memory%p: %t", { "write_populated_s" }, "s", IDX_NONE },
	{ "Reading from populated memory%p: %t", { "read_populated_s" }, "s", IDX_NONE },
	{ "Mark memory idle%p: %t", { "mark_idle_%d_s" }, "s", IDX_COUNT },
	{ "Writing to idle memory%p: %t", { "write_idle_s" }, "s", IDX_NONE },
	{ "Reading from idle memory%p: %t", { "read_idle_s" }, "s", IDX_NONE },
	{ .pattern = NULL },
};

static const struct rule *const prog_rules[NR_SELFTEST_PROGS] = {
	[SELFTEST_DIRTY_LOG] = dirty_log_rules,
	[SELFTEST_DEMAND_PAGING] = demand_paging_rules,
	[SELFTEST_ACCESS_TRACKING] = access_tracking_rules,
};

/* Lines every one of them prints that hold no value: neither parsed nor unparsed. */
static const char *const info_prefixes[] = {
	"Random seed: ", "Testing guest mode: ", "guest physical test memory",
	"Finished creating vCPUs", "Started all vCPUs", "All vCPU threads joined",
	"Test iterations: ", NULL,
};

#define MODE_LINE	"Testing guest mode: "

void selftest_out_init(struct selftest_out *o, enum selftest_prog prog)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->mode = 1;
}

static struct selftest_value *value_in_mode(const struct selftest_out *o, const char *name,
					    int mode)
{
	int i;

	for (i = 0; i < o->nr_values; i++)
		if (o->values[i].mode == mode && !strcmp(o->values[i].name, name))
			return (struct selftest_value *)&o->values[i];
	return NULL;
}

const struct selftest_value *selftest_out_find(const struct selftest_out *o, const char *name)
{
	return value_in_mode(o, name, 1);
}

/* The names the line gives; false if one is already there (the line is unparsed). */
static bool rule_names(const struct selftest_out *o, const struct rule *r, long idx,
		       const struct capture *c, char names[][SELFTEST_NAME_LEN])
{
	int i;

	for (i = 0; i < c->nr_num; i++) {
		names[i][0] = '\0';
		if (!r->names[i])
			continue;
		if (r->index == IDX_NONE)
			snprintf(names[i], SELFTEST_NAME_LEN, "%s", r->names[i]);
		else
			snprintf(names[i], SELFTEST_NAME_LEN, r->names[i], (int)idx);
		if (value_in_mode(o, names[i], o->mode))
			return false;
	}
	return true;
}

static bool rule_apply(struct selftest_out *o, const struct rule *r, const struct capture *c)
{
	char names[MAX_CAPTURES][SELFTEST_NAME_LEN];
	long idx = r->index == IDX_ITER ? c->iter : r->index == IDX_COUNT ? o->mark_idle + 1 : 0;
	int i;

	if (!rule_names(o, r, idx, c, names))
		return false;
	if (r->index == IDX_COUNT)
		o->mark_idle++;
	for (i = 0; i < c->nr_num; i++) {
		struct selftest_value *v;

		if (!names[i][0])
			continue;
		if (o->nr_values == SELFTEST_MAX_VALUES) {
			o->dropped++;
			continue;
		}
		v = &o->values[o->nr_values++];
		memcpy(v->name, names[i], sizeof(v->name));
		v->value = c->num[i];
		v->unit = r->unit;
		v->mode = o->mode;
	}
	return true;
}

void selftest_out_line(struct selftest_out *o, const char *line, size_t len)
{
	const char *end = line + len;
	const struct rule *r;
	struct capture c;
	size_t i;

	o->lines++;
	if (len > SELFTEST_LINE_MAX) {
		o->unparsed++;
		return;
	}
	while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (end == line)
		return;		/* blank */
	len = (size_t)(end - line);
	if (len >= strlen(MODE_LINE) && !memcmp(line, MODE_LINE, strlen(MODE_LINE))) {
		if (o->mode_seen)
			o->mode++;
		o->mode_seen = true;
		o->mark_idle = 0;
		return;
	}
	for (r = prog_rules[o->prog]; r->pattern; r++) {
		if (!match(r->pattern, line, end, &c))
			continue;
		if (!rule_apply(o, r, &c))
			break;
		return;
	}
	if (!r->pattern) {
		for (i = 0; info_prefixes[i]; i++)
			if (len >= strlen(info_prefixes[i]) &&
			    !memcmp(line, info_prefixes[i], strlen(info_prefixes[i])))
				return;
	}
	o->unparsed++;
}

void selftest_out_text(struct selftest_out *o, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		selftest_out_line(o, p, (size_t)(nl - p));
		p = nl + 1;
	}
}

int selftest_out_file(struct selftest_out *o, const char *path)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap), *grown;
	ssize_t got;
	int fd;

	if (!buf)
		return err_sys(ENOMEM, "%s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		free(buf);
		return err_sys(errno, "%s", path);
	}
	for (;;) {
		if (len == cap) {
			if (cap >= SELFTEST_READ_MAX) {
				o->truncated = true;
				break;
			}
			grown = realloc(buf, cap * 2);
			if (!grown)
				break;	/* parse what we have */
			buf = grown;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	selftest_out_text(o, buf, len);
	free(buf);
	return 0;
}

/* The mean of "dirty_memory_iter<N>_s" over N >= 2: the passes after the first. */
static struct json_object *later_mean(const struct selftest_out *o)
{
	double sum = 0;
	int i, n = 0;
	long it;

	for (i = 0; i < o->nr_values; i++) {
		const struct selftest_value *v = &o->values[i];

		if (v->mode != 1 || sscanf(v->name, "dirty_memory_iter%ld_s", &it) != 1 || it < 2)
			continue;
		sum += v->value;
		n++;
	}
	return n ? jnum(sum / n) : NULL;
}

struct json_object *selftest_out_summary(const struct selftest_out *o)
{
	struct json_object *obj = json_object_new_object();
	const struct summary_entry *parent, *e;
	const struct selftest_value *v;
	char key[64];
	size_t i;

	snprintf(key, sizeof(key), "selftest.%s", selftest_progs[o->prog].key);
	parent = summary_entry_find(key);
	for (i = 0; parent && i < nr_summary_entries; i++) {
		e = &summary_entries[i];
		if (!summary_entry_under(e, parent))
			continue;
		if (!strcmp(summary_entry_name(e), "dirty_memory_later_mean_s")) {
			json_object_object_add(obj, summary_entry_name(e), later_mean(o));
			continue;
		}
		v = selftest_out_find(o, summary_entry_name(e));
		json_object_object_add(obj, summary_entry_name(e), v ? jnum(v->value) : NULL);
	}
	return obj;
}

struct json_object *selftest_out_json(const struct selftest_out *o)
{
	struct json_object *obj = json_object_new_object(), *arr = json_object_new_array();
	int i;

	for (i = 0; i < o->nr_values; i++) {
		struct json_object *v = json_object_new_object();

		json_object_object_add(v, "name", jstr(o->values[i].name));
		json_object_object_add(v, "value", jnum(o->values[i].value));
		json_object_object_add(v, "unit", jstr(o->values[i].unit));
		json_object_object_add(v, "mode", json_object_new_int(o->values[i].mode));
		json_object_array_add(arr, v);
	}
	json_object_object_add(obj, "values", arr);
	json_object_object_add(obj, "lines", json_object_new_int64((int64_t)o->lines));
	json_object_object_add(obj, "unparsed_lines", json_object_new_int64((int64_t)o->unparsed));
	json_object_object_add(obj, "values_dropped", json_object_new_int64((int64_t)o->dropped));
	json_object_object_add(obj, "guest_modes", json_object_new_int(o->mode));
	json_object_object_add(obj, "truncated", json_object_new_boolean(o->truncated));
	return obj;
}
