// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/spec.c: experiment specs from JSON (json-c). Every object's
 * keys are checked against a list, every value's type against what the
 * key takes; errors name the file, the path to the value and what was
 * expected.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/metrics.h"
#include "experiments/spec.h"
#include "guests/builtin.h"
#include "vmm/vm.h"
#include "vmm/err.h"
#include "vmm/util.h"
#include "vmm/vm_config.h"
#include "vmm/x86_pt.h"

#define SPEC_FILE_MAX		(1 << 20)
#define DEFAULT_SAMPLE_MS	100
#define VM_START_OVERHEAD	(24 * MiB)	/* VMM process, KVM, boot memory */

struct parse {
	const char *origin;
	struct spec *s;
};

static int bad(const struct parse *p, const char *path, const char *fmt, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, what);
	return err_set(EINVAL, "spec %s: %s: %s", p->origin, path, msg);
}

/* Refuse keys not in @known (NULL-terminated). */
static int keys_check(const struct parse *p, const char *path, struct json_object *o,
		      const char *const *known)
{
	char list[256] = "";
	const char *const *k;

	json_object_object_foreach(o, key, val) {
		(void)val;
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (*k)
			continue;
		for (k = known; *k; k++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 k == known ? "" : ", ", *k);
		return err_set(EINVAL, "spec %s: %s: unknown key '%s' (known: %s)",
			       p->origin, path, key, list);
	}
	return 0;
}

static const char *type_name(struct json_object *v)
{
	return json_type_to_name(json_object_get_type(v));
}

static int get_string(const struct parse *p, const char *path, struct json_object *o,
		      const char *key, char *dst, size_t len, bool required)
{
	struct json_object *v;
	char where[128];

	snprintf(where, sizeof(where), "%s.%s", path, key);
	if (!json_object_object_get_ex(o, key, &v))
		return required ? bad(p, where, "missing (%s)", "a string is required") : 1;
	if (!json_object_is_type(v, json_type_string))
		return bad(p, where, "expected a string, got %s", type_name(v));
	if ((size_t)json_object_get_string_len(v) >= len)
		return bad(p, where, "longer than %s bytes", len == SPEC_NAME_LEN ? "63" : "the limit");
	snprintf(dst, len, "%s", json_object_get_string(v));
	return 0;
}

/* A number; integers only when @integer. Returns 1 if absent. */
static int get_number(const struct parse *p, const char *path, struct json_object *o,
		      const char *key, double *dst, bool integer, bool required)
{
	struct json_object *v;
	char where[128];

	snprintf(where, sizeof(where), "%s.%s", path, key);
	if (!json_object_object_get_ex(o, key, &v))
		return required ? bad(p, where, "missing (%s)", integer ? "an integer is required" :
				      "a number is required") : 1;
	if (json_object_is_type(v, json_type_int)) {
		*dst = (double)json_object_get_int64(v);
	} else if (!integer && json_object_is_type(v, json_type_double)) {
		*dst = json_object_get_double(v);
	} else {
		return bad(p, where, integer ? "expected an integer, got %s" :
			   "expected a number, got %s", type_name(v));
	}
	if (!isfinite(*dst))
		return bad(p, where, "must be a finite number%s", "");
	if (*dst < 0)
		return bad(p, where, "must not be negative%s", "");
	return 0;
}

/* A size: "256M", "4G", an integer of bytes; "max" or null when @unlimited. */
static int size_value(const struct parse *p, const char *where, struct json_object *v,
		      uint64_t *dst, bool unlimited)
{
	if (unlimited && (!v || (json_object_is_type(v, json_type_string) &&
				 !strcmp(json_object_get_string(v), "max")))) {
		*dst = UINT64_MAX;
		return 0;
	}
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		*dst = (uint64_t)json_object_get_int64(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return bad(p, where, "expected a size such as \"256M\", got %s", type_name(v));
	if (parse_size(json_object_get_string(v), dst))
		return bad(p, where, "'%s' is not a size (e.g. 4096, 64K, 256M, 4G)",
			   json_object_get_string(v));
	return 0;
}

static int get_size(const struct parse *p, const char *path, struct json_object *o,
		    const char *key, uint64_t *dst, bool required)
{
	struct json_object *v;
	char where[128];

	snprintf(where, sizeof(where), "%s.%s", path, key);
	if (!json_object_object_get_ex(o, key, &v))
		return required ? bad(p, where, "missing (%s)", "a size is required") : 1;
	return size_value(p, where, v, dst, false);
}

static int get_object(const struct parse *p, const char *path, struct json_object *o,
		      const char *key, enum json_type type, struct json_object **dst)
{
	char where[128];

	snprintf(where, sizeof(where), "%s.%s", path, key);
	if (!json_object_object_get_ex(o, key, dst))
		return 1;
	if (!json_object_is_type(*dst, type))
		return bad(p, where, type == json_type_array ? "expected an array, got %s" :
			   "expected an object, got %s", type_name(*dst));
	return 0;
}

static int vm_params_parse(const struct parse *p, const char *path,
			   struct json_object *o, struct spec_vm *vm)
{
	char value[64];

	json_object_object_foreach(o, key, v) {
		if (vm->nr_params == KVMSQ_MAX_PARAMS)
			return bad(p, path, "more than %s parameters", "16");
		if (strlen(key) >= KVMSQ_PARAM_KEY_LEN)
			return bad(p, path, "parameter name '%s' is too long", key);
		if (json_object_is_type(v, json_type_string))
			snprintf(value, sizeof(value), "%s", json_object_get_string(v));
		else if (json_object_is_type(v, json_type_int))
			snprintf(value, sizeof(value), "%lld", (long long)json_object_get_int64(v));
		else
			return bad(p, path, "parameter '%s' must be a string or an integer", key);
		snprintf(vm->param_keys[vm->nr_params], KVMSQ_PARAM_KEY_LEN, "%s", key);
		snprintf(vm->param_values[vm->nr_params], KVMSQ_PARAM_VALUE_LEN, "%s", value);
		vm->nr_params++;
	}
	return 0;
}

static const char *const vm_keys[] = {
	"count", "vcpus", "mem", "backing", "guest_page", "guest", "params",
	"timeout_s", "nr_mmu_pages", NULL,
};

static int vm_parse(const struct parse *p, const char *path, struct json_object *o,
		    struct spec_vm *vm)
{
	char backing[32] = "anon", page[8] = "4k";
	struct json_object *params;
	double n;
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return bad(p, path, "expected an object, got %s", type_name(o));
	ret = keys_check(p, path, o, vm_keys);
	if (ret)
		return ret;
	vm->count = 1;
	vm->vcpus = 1;
	vm->page_bytes = X86_PAGE_4K;
	vm->timeout_s = 0;
	if ((ret = get_number(p, path, o, "count", &n, true, false)) < 0)
		return ret;
	if (!ret)
		vm->count = (int)n;
	if ((ret = get_number(p, path, o, "vcpus", &n, true, false)) < 0)
		return ret;
	if (!ret)
		vm->vcpus = (int)n;
	if (vm->count < 1 || vm->count > SPEC_MAX_VM_PROCS || vm->vcpus < 1 ||
	    vm->vcpus > (int)KVMSQ_MAX_VCPUS)
		return err_set(EINVAL, "spec %s: %s: count must be 1 to %d and vcpus 1 to %d",
			       p->origin, path, SPEC_MAX_VM_PROCS, (int)KVMSQ_MAX_VCPUS);
	if ((ret = get_size(p, path, o, "mem", &vm->mem_bytes, true)) < 0)
		return ret;
	if ((ret = get_string(p, path, o, "guest", vm->guest, sizeof(vm->guest), true)) < 0)
		return ret;
	if ((ret = get_string(p, path, o, "backing", backing, sizeof(backing), false)) < 0)
		return ret;
	if (!strcmp(backing, "file")) {
		vm->backing = MEM_FILE;
	} else {
		const char *unused;

		if (mem_backing_parse(backing, &vm->backing, &unused) || vm->backing == MEM_FILE)
			return bad(p, path, "backing '%s': use anon, thp, hugetlb, memfd or file", backing);
	}
	if ((ret = get_string(p, path, o, "guest_page", page, sizeof(page), false)) < 0)
		return ret;
	if (vm_config_page_parse(page, &vm->page_bytes))
		return bad(p, path, "guest_page '%s': use 4k, 2m or 1g", page);
	if ((ret = get_number(p, path, o, "timeout_s", &vm->timeout_s, false, false)) < 0)
		return ret;
	if ((ret = get_number(p, path, o, "nr_mmu_pages", &n, true, false)) < 0)
		return ret;
	vm->nr_mmu_pages = ret ? 0 : (uint64_t)n;
	if (!ret && (n < VM_MIN_MMU_PAGES || n > VM_MAX_MMU_PAGES))
		return bad(p, path, "nr_mmu_pages: %s", "KVM takes 64 to 2^31 pages");
	ret = get_object(p, path, o, "params", json_type_object, &params);
	if (ret < 0)
		return ret;
	if (!ret) {
		char where[96];

		snprintf(where, sizeof(where), "%s.params", path);
		return vm_params_parse(p, where, params, vm);
	}
	return 0;
}

static int vms_parse(const struct parse *p, struct json_object *root)
{
	struct json_object *vms;
	char path[32];
	size_t i, n;
	int ret;

	ret = get_object(p, "spec", root, "vms", json_type_array, &vms);
	if (ret)
		return ret < 0 ? ret : bad(p, "spec.vms", "missing (%s)", "an array of VMs is required");
	n = json_object_array_length(vms);
	if (n < 1 || n > SPEC_MAX_VMS)
		return bad(p, "spec.vms", "needs 1 to %s entries", "8");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "vms[%zu]", i);
		ret = vm_parse(p, path, json_object_array_get_idx(vms, i), &p->s->vms[i]);
		if (ret)
			return ret;
		p->s->nr_vms++;
	}
	if (spec_nr_vm_procs(p->s) > SPEC_MAX_VM_PROCS)
		return bad(p, "spec.vms", "more than %s VMs in all", "64");
	return 0;
}

static int steps_parse(const struct parse *p, struct json_object *arr, struct spec_cgroup *cg)
{
	static const char *const step_keys[] = { "at_s", "limit", NULL };
	char path[48];
	size_t i, n = json_object_array_length(arr);
	int ret;

	if (n < 1 || n > SPEC_MAX_STEPS)
		return bad(p, "cgroup.steps", "needs 1 to %s steps", "256");
	for (i = 0; i < n; i++) {
		struct json_object *st = json_object_array_get_idx(arr, i), *lim = NULL;
		struct spec_step *step = &cg->steps[i];

		snprintf(path, sizeof(path), "cgroup.steps[%zu]", i);
		if (!json_object_is_type(st, json_type_object))
			return bad(p, path, "expected an object, got %s", type_name(st));
		ret = keys_check(p, path, st, step_keys);
		if (!ret)
			ret = get_number(p, path, st, "at_s", &step->at_s, false, true);
		if (ret)
			return ret;
		if (!json_object_object_get_ex(st, "limit", &lim))
			return bad(p, path, "missing limit (%s)", "a size, \"max\" or null");
		ret = size_value(p, path, lim, &step->bytes, true);
		if (ret)
			return ret;
		if (i && step->at_s < cg->steps[i - 1].at_s)
			return bad(p, path, "at_s goes back in %s", "time");
		cg->nr_steps++;
	}
	return 0;
}

static int ramp_parse(const struct parse *p, struct json_object *o, struct spec_cgroup *cg)
{
	static const char *const ramp_keys[] = { "from", "to", "start_s", "end_s", "step_s", NULL };
	const char *path = "cgroup.ramp";
	uint64_t from, to;
	double start, end, step, t;
	int ret;

	ret = keys_check(p, path, o, ramp_keys);
	if (!ret)
		ret = get_size(p, path, o, "from", &from, true);
	if (!ret)
		ret = get_size(p, path, o, "to", &to, true);
	if (!ret)
		ret = get_number(p, path, o, "start_s", &start, false, true);
	if (!ret)
		ret = get_number(p, path, o, "end_s", &end, false, true);
	if (!ret)
		ret = get_number(p, path, o, "step_s", &step, false, true);
	if (ret)
		return ret;
	if (end <= start || step <= 0 || (end - start) / step + 1 > SPEC_MAX_STEPS)
		return bad(p, path, "need start_s < end_s and at most 256 steps of step_s%s", "");
	/* every step_s from start_s, and always `to` at end_s itself */
	for (t = start; t < end - step / 1000 && cg->nr_steps < SPEC_MAX_STEPS - 1; t += step) {
		double f = (t - start) / (end - start);

		cg->steps[cg->nr_steps].at_s = t;
		cg->steps[cg->nr_steps].bytes = (uint64_t)((double)from + ((double)to - (double)from) * f);
		cg->nr_steps++;
	}
	cg->steps[cg->nr_steps].at_s = end;
	cg->steps[cg->nr_steps].bytes = to;
	cg->nr_steps++;
	return 0;
}

static int cgroup_parse(const struct parse *p, struct json_object *root)
{
	static const char *const cg_keys[] = { "knob", "limit", "steps", "ramp", NULL };
	struct spec_cgroup *cg = &p->s->cg;
	struct json_object *o, *v;
	char knob[8] = "max";
	int ret, kinds = 0;

	cg->knob = CG_KNOB_MAX;
	cg->schedule = SCHED_NONE;
	ret = get_object(p, "spec", root, "cgroup", json_type_object, &o);
	if (ret)
		return ret < 0 ? ret : 0;
	ret = keys_check(p, "cgroup", o, cg_keys);
	if (!ret)
		ret = get_string(p, "cgroup", o, "knob", knob, sizeof(knob), false);
	if (ret < 0)
		return ret;
	if (!strcmp(knob, "high"))
		cg->knob = CG_KNOB_HIGH;
	else if (strcmp(knob, "max"))
		return bad(p, "cgroup.knob", "'%s': use high or max", knob);

	if (json_object_object_get_ex(o, "limit", &v)) {
		kinds++;
		cg->schedule = SCHED_STATIC;
		cg->nr_steps = 1;
		cg->steps[0].at_s = 0;
		ret = size_value(p, "cgroup.limit", v, &cg->steps[0].bytes, true);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(o, "steps", &v)) {
		kinds++;
		cg->schedule = SCHED_STEPS;
		if (!json_object_is_type(v, json_type_array))
			return bad(p, "cgroup.steps", "expected an array, got %s", type_name(v));
		ret = steps_parse(p, v, cg);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(o, "ramp", &v)) {
		kinds++;
		cg->schedule = SCHED_RAMP;
		if (!json_object_is_type(v, json_type_object))
			return bad(p, "cgroup.ramp", "expected an object, got %s", type_name(v));
		ret = ramp_parse(p, v, cg);
		if (ret)
			return ret;
	}
	if (kinds > 1)
		return bad(p, "cgroup", "give one of limit, steps and ramp, not %s", "several");
	return 0;
}

static const char *const pressure_names[] = {
	[PRESSURE_RECLAIM] = "reclaim",
	[PRESSURE_HOG] = "hog",
	[PRESSURE_DROP_CACHES] = "drop_caches",
	[PRESSURE_SHRINKER_SCAN] = "shrinker_scan",
};

const char *spec_pressure_name(enum spec_pressure_kind kind)
{
	return pressure_names[kind];
}

static int pressure_one(const struct parse *p, const char *path, struct json_object *o,
			struct spec_pressure *pr)
{
	static const char *const keys[] = {
		"kind", "start_s", "period_s", "bytes", "nr_to_scan", NULL,
	};
	char kind[32];
	double n;
	unsigned int i;
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return bad(p, path, "expected an object, got %s", type_name(o));
	ret = keys_check(p, path, o, keys);
	if (!ret)
		ret = get_string(p, path, o, "kind", kind, sizeof(kind), true);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(pressure_names); i++)
		if (!strcmp(kind, pressure_names[i]))
			break;
	if (i == ARRAY_SIZE(pressure_names))
		return bad(p, path, "kind '%s': use reclaim, hog, drop_caches or shrinker_scan", kind);
	pr->kind = i;
	pr->nr_to_scan = 128;
	if ((ret = get_number(p, path, o, "start_s", &pr->start_s, false, false)) < 0 ||
	    (ret = get_number(p, path, o, "period_s", &pr->period_s, false, false)) < 0)
		return ret;
	ret = get_size(p, path, o, "bytes", &pr->bytes,
		       pr->kind == PRESSURE_RECLAIM || pr->kind == PRESSURE_HOG);
	if (ret < 0)
		return ret;
	if ((ret = get_number(p, path, o, "nr_to_scan", &n, true, false)) < 0)
		return ret;
	if (!ret)
		pr->nr_to_scan = (uint64_t)n;
	if (pr->period_s && pr->period_s < 0.01)
		return bad(p, path, "period_s below %s s", "0.01");
	return 0;
}

static int pressure_parse(const struct parse *p, struct json_object *root)
{
	struct json_object *arr;
	char path[32];
	size_t i, n;
	int ret;

	ret = get_object(p, "spec", root, "pressure", json_type_array, &arr);
	if (ret)
		return ret < 0 ? ret : 0;
	n = json_object_array_length(arr);
	if (n > SPEC_MAX_PRESSURE)
		return bad(p, "pressure", "more than %s sources", "8");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "pressure[%zu]", i);
		ret = pressure_one(p, path, json_object_array_get_idx(arr, i),
				   &p->s->pressure[i]);
		if (ret)
			return ret;
		p->s->nr_pressure++;
	}
	return 0;
}

/* A string from the spec, printable and cut short, for a one-line error. */
static const char *id_text(const char *id, char *buf, size_t len)
{
	size_t i;

	for (i = 0; id[i] && i + 1 < len; i++)
		buf[i] = id[i] >= 0x20 && id[i] < 0x7f ? id[i] : '?';
	buf[i] = '\0';
	return buf;
}

static int primary_one(const struct parse *p, size_t i, struct json_object *v)
{
	struct spec *s = p->s;
	const struct metric *m;
	char where[32], id[48];
	int j;

	snprintf(where, sizeof(where), "primary[%zu]", i);
	if (!json_object_is_type(v, json_type_string))
		return bad(p, where, "expected a metric id (a string), got %s", type_name(v));
	id_text(json_object_get_string(v), id, sizeof(id));
	m = metric_find(json_object_get_string(v));
	if (!m)
		return err_set(EINVAL, "spec %s: primary: unknown metric '%s' (the metric ids are listed in experiments/SPEC.md)",
			       p->origin, id);
	for (j = 0; j < s->nr_primary; j++)
		if (s->primary[j] == m)
			return err_set(EINVAL, "spec %s: primary: metric '%s' given twice (name each once)",
				       p->origin, id);
	s->primary[s->nr_primary++] = m;
	return 0;
}

/* "primary": 1 to 4 metric ids; absent: none named. */
static int primary_parse(const struct parse *p, struct json_object *root)
{
	struct json_object *arr;
	size_t i, n;
	int ret;

	if (!json_object_object_get_ex(root, "primary", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return bad(p, "primary", "expected an array of metric ids, got %s", type_name(arr));
	n = json_object_array_length(arr);
	if (n < 1 || n > SPEC_MAX_PRIMARY)
		return err_set(EINVAL, "spec %s: primary: %zu metric ids, name 1 to %d (or leave the key out)",
			       p->origin, n, SPEC_MAX_PRIMARY);
	for (i = 0; i < n; i++) {
		ret = primary_one(p, i, json_object_array_get_idx(arr, i));
		if (ret)
			return ret;
	}
	return 0;
}

static const char *const top_keys[] = {
	"name", "question", "primary", "vms", "cgroup", "pressure", "duration_s",
	"end_phase", "sample_period_ms", NULL,
};

static int top_parse(const struct parse *p, struct json_object *root)
{
	struct spec *s = p->s;
	double ms = DEFAULT_SAMPLE_MS;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return bad(p, "spec", "expected an object at the top, got %s", type_name(root));
	ret = keys_check(p, "spec", root, top_keys);
	if (!ret)
		ret = get_string(p, "spec", root, "name", s->name, sizeof(s->name), true);
	if (!ret)
		ret = get_string(p, "spec", root, "question", s->question, sizeof(s->question), true);
	if (!ret)
		ret = get_number(p, "spec", root, "duration_s", &s->duration_s, false, true);
	if (ret)
		return ret;
	ret = get_string(p, "spec", root, "end_phase", s->end_phase, sizeof(s->end_phase), false);
	if (ret < 0)
		return ret;
	ret = get_number(p, "spec", root, "sample_period_ms", &ms, false, false);
	if (ret < 0)
		return ret;
	if (ms < 1 || ms > 60000)
		return bad(p, "spec.sample_period_ms", "must be 1 to 60000, not %s", "that");
	s->sample_period_s = ms / 1000;
	if (s->duration_s <= 0)
		return bad(p, "spec.duration_s", "must be above %s", "0");
	ret = primary_parse(p, root);
	if (!ret)
		ret = vms_parse(p, root);
	if (!ret)
		ret = cgroup_parse(p, root);
	if (!ret)
		ret = pressure_parse(p, root);
	return ret;
}

/* json-c reports a byte offset; people want a line and a column. */
static void offset_to_line(const char *text, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int spec_parse(struct spec *s, const char *text, const char *origin)
{
	struct parse p = { .origin = origin, .s = s };
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	int line, col, ret;
	size_t len = strlen(text);

	memset(s, 0, sizeof(*s));
	tok = json_tokener_new();
	if (!tok)
		return err_sys(ENOMEM, "spec %s", origin);
	/* plain JSON: no comments, no trailing commas (the question says why) */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!root || jerr != json_tokener_success ||
	    json_tokener_get_parse_end(tok) < len) {
		size_t end = json_tokener_get_parse_end(tok);

		/* trailing bytes after the value are fine only if blank */
		if (root && jerr == json_tokener_success &&
		    strspn(text + end, " \t\r\n") == len - end)
			goto parsed;
		offset_to_line(text, end, &line, &col);
		ret = err_set(EINVAL, "spec %s: line %d, column %d: %s", origin, line, col,
			      jerr == json_tokener_success ? "text after the JSON value" :
			      jerr == json_tokener_continue ? "unexpected end of file" :
			      json_tokener_error_desc(jerr));
		json_object_put(root);
		json_tokener_free(tok);
		return ret;
	}
parsed:
	json_tokener_free(tok);
	s->json = root;
	ret = top_parse(&p, root);
	if (ret)
		spec_free(s);
	return ret;
}

int spec_load_file(struct spec *s, const char *path)
{
	struct stat st;
	char *text;
	ssize_t got;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(errno, "spec %s", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > SPEC_FILE_MAX) {
		close(fd);
		return err_set(EINVAL, "spec %s: not a regular file of at most 1 MiB", path);
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return err_sys(ENOMEM, "spec %s", path);
	}
	got = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (got != st.st_size) {
		free(text);
		return err_sys(got < 0 ? errno : EIO, "spec %s: reading", path);
	}
	text[got] = '\0';
	ret = spec_parse(s, text, path);
	free(text);
	return ret;
}

/* A guest parameter that reads as a size with a unit scales with --scale. */
static void param_scale(char *value, double scale)
{
	uint64_t bytes;
	size_t n = strlen(value);

	if (!n || value[n - 1] < 'A' || parse_size(value, &bytes))
		return;
	snprintf(value, KVMSQ_PARAM_VALUE_LEN, "%llu",
		 (unsigned long long)((double)bytes * scale) & ~4095ull);
}

static uint64_t scale_bytes(uint64_t bytes, double scale)
{
	if (bytes == UINT64_MAX)
		return bytes;
	return (uint64_t)((double)bytes * scale) & ~4095ull;
}

int spec_override(struct spec *s, double duration_s, double scale)
{
	double stretch = duration_s > 0 ? duration_s / s->duration_s : 1;
	int i, j;

	if (duration_s < 0 || scale < 0)
		return err_set(EINVAL, "--duration and --scale must be positive");
	for (i = 0; i < s->cg.nr_steps; i++)
		s->cg.steps[i].at_s *= stretch;
	for (i = 0; i < s->nr_pressure; i++)
		s->pressure[i].start_s *= stretch;
	if (duration_s > 0)
		s->duration_s = duration_s;
	if (scale <= 0 || scale == 1)
		return 0;
	for (i = 0; i < s->nr_vms; i++) {
		struct spec_vm *vm = &s->vms[i];

		vm->mem_bytes = scale_bytes(vm->mem_bytes, scale);
		for (j = 0; j < vm->nr_params; j++)
			param_scale(vm->param_values[j], scale);
	}
	for (i = 0; i < s->cg.nr_steps; i++)
		s->cg.steps[i].bytes = scale_bytes(s->cg.steps[i].bytes, scale);
	for (i = 0; i < s->nr_pressure; i++)
		s->pressure[i].bytes = scale_bytes(s->pressure[i].bytes, scale);
	return 0;
}

uint64_t spec_limit_at(const struct spec *s, double t_s)
{
	uint64_t bytes = UINT64_MAX;
	int i;

	for (i = 0; i < s->cg.nr_steps && s->cg.steps[i].at_s <= t_s; i++)
		bytes = s->cg.steps[i].bytes;
	return bytes;
}

int spec_nr_vm_procs(const struct spec *s)
{
	int i, n = 0;

	for (i = 0; i < s->nr_vms; i++)
		n += s->vms[i].count;
	return n;
}

/*
 * Per VM: the VMM process, KVM's own allocations and the guest's boot
 * memory (image, identity tables, stacks). A limit below this kills VMs
 * before they can run, which measures nothing.
 */
uint64_t spec_start_bytes(const struct spec *s)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < s->nr_vms; i++) {
		const struct spec_vm *vm = &s->vms[i];
		uint64_t boot = KVMSQ_PT_BASE + (uint64_t)vm->vcpus * KVMSQ_STACK_BYTES;

		total += (uint64_t)vm->count * (VM_START_OVERHEAD + boot);
	}
	return total;
}

/* A VM as the VMM will run it, from one spec entry (guest, params, sizes). */
int spec_vm_config(const struct spec_vm *vm, struct vm_config *cfg)
{
	int i, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_bytes = vm->mem_bytes;
	cfg->backing = vm->backing;
	cfg->page_bytes = vm->page_bytes;
	cfg->nr_mmu_pages = vm->nr_mmu_pages;
	cfg->nr_vcpus = vm->vcpus;
	cfg->timeout_s = vm->timeout_s;
	for (i = 0; i < vm->nr_params; i++) {
		ret = vm_config_add_param(cfg, vm->param_keys[i], vm->param_values[i]);
		if (ret)
			return ret;
	}
	return builtin_guest_configure(cfg, vm->guest, NULL);
}

static void size_text(uint64_t bytes, char *buf, size_t len)
{
	if (bytes == UINT64_MAX)
		snprintf(buf, len, "max");
	else
		format_size(bytes, buf, len);
}

int spec_check(const struct spec *s)
{
	uint64_t need = spec_start_bytes(s);
	char a[32], b[32];
	struct vm_config cfg;
	int i, ret;

	for (i = 0; i < s->nr_vms; i++) {
		ret = spec_vm_config(&s->vms[i], &cfg);
		if (ret)
			return err_wrap(ret, "spec %s: vms[%d]", s->name, i);
		/* the VMM's own check (vm.c) allows 2 MiB more for tables and stacks */
		if (s->vms[i].mem_bytes < cfg.min_free_bytes + KVMSQ_PT_BASE + 2 * MiB)
			return err_set(EINVAL, "spec %s: vms[%d]: mem is too small for guest %s with %d vCPUs",
				       s->name, i, s->vms[i].guest, s->vms[i].vcpus);
	}
	for (i = 0; i < s->cg.nr_steps; i++) {
		if (s->cg.steps[i].bytes >= need)
			continue;
		size_text(s->cg.steps[i].bytes, a, sizeof(a));
		size_text(need, b, sizeof(b));
		return err_set(EINVAL, "spec %s: cgroup limit %s at %.1f s is below the %s the VMs need to start (%d VMs: VMM process, KVM and guest boot memory; raise the limit)",
			       s->name, a, s->cg.steps[i].at_s, b, spec_nr_vm_procs(s));
	}
	if (s->end_phase[0] && strspn(s->end_phase, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
	    strlen(s->end_phase))
		return err_set(EINVAL, "spec %s: end_phase '%s' is not a phase name ([a-z0-9_])",
			       s->name, s->end_phase);
	return 0;
}

void spec_free(struct spec *s)
{
	json_object_put(s->json);
	s->json = NULL;
}
