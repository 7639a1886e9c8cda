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

#include "abi/x86_pt.h"
#include "common/err.h"
#include "common/metrics.h"
#include "common/summary_table.h"
#include "common/util.h"
#include "experiments/spec.h"
#include "experiments/text.h"
#include "vmm/guests.h"
#include "vmm/vm.h"
#include "vmm/vm_config.h"

#define SPEC_FILE_MAX		(1 << 20)
#define DEFAULT_SAMPLE_MS	100
#define VM_START_OVERHEAD	(24 * MiB)	/* VMM process, KVM, boot memory */
#define QUOTE_LEN		64	/* spec text quoted in a message */
#define PARAM_KEY_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
#define GUEST_CHARS	"abcdefghijklmnopqrstuvwxyz0123456789_-"
#define PHASE_CHARS	"abcdefghijklmnopqrstuvwxyz0123456789_"

struct parse {
	char origin[128];	/* escaped: a file name may hold anything */
	struct spec *s;
};

/* @what is spec text: escaped, so the message stays one line. */
static int bad(const struct parse *p, const char *path, const char *fmt, const char *what)
{
	char msg[256], quoted[QUOTE_LEN];

	snprintf(msg, sizeof(msg), fmt, text_quote(quoted, sizeof(quoted), what));
	return err_set(EINVAL, "spec %s: %s: %s", p->origin, path, msg);
}

/* Refuse keys not in @known (NULL-terminated). */
static int keys_check(const struct parse *p, const char *path, struct json_object *o,
		      const char *const *known)
{
	char list[256] = "";
	char quoted[QUOTE_LEN];
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
			       p->origin, path, text_quote(quoted, sizeof(quoted), key), list);
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

/* What a number may be: its range, and whether only integers. */
struct num_range {
	double min, max;
	bool integer;
};

#define SECONDS		((struct num_range){ 0, SPEC_MAX_S, false })

/*
 * A number within @r, checked before it is converted to anything (an int
 * cast of 3e9 is undefined). Returns 1 if absent.
 */
static int get_number(const struct parse *p, const char *path, struct json_object *o,
		      const char *key, double *dst, struct num_range r, bool required)
{
	struct json_object *v;
	char where[128], range[64];

	snprintf(where, sizeof(where), "%s.%s", path, key);
	if (!json_object_object_get_ex(o, key, &v))
		return required ? bad(p, where, "missing (%s)", r.integer ? "an integer is required" :
				      "a number is required") : 1;
	if (json_object_is_type(v, json_type_int)) {
		*dst = (double)json_object_get_int64(v);
	} else if (!r.integer && json_object_is_type(v, json_type_double)) {
		*dst = json_object_get_double(v);
	} else {
		return bad(p, where, r.integer ? "expected an integer, got %s" :
			   "expected a number, got %s", type_name(v));
	}
	if (!isfinite(*dst))
		return bad(p, where, "must be a finite number%s", "");
	if (*dst < 0 && r.min >= 0)
		return bad(p, where, "must not be negative%s", "");
	if (*dst < r.min || *dst > r.max) {
		snprintf(range, sizeof(range), "%.15g to %.15g", r.min, r.max);
		return bad(p, where, "must be %s", range);
	}
	return 0;
}

/*
 * A size: "256M", "4G", an integer of bytes, at most SPEC_MAX_BYTES;
 * "max" or null when @unlimited.
 */
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
	} else if (!json_object_is_type(v, json_type_string)) {
		return bad(p, where, "expected a size such as \"256M\", got %s", type_name(v));
	} else if (parse_size(json_object_get_string(v), dst)) {
		return bad(p, where, "'%s' is not a size (e.g. 4096, 64K, 256M, 4G)",
			   json_object_get_string(v));
	}
	if (*dst > SPEC_MAX_BYTES)
		return bad(p, where, "more than %s", "1 EiB (2^60 bytes)");
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

/*
 * Keys are names ([A-Za-z0-9_]) and values printable ASCII: both reach
 * the guest and the VMM's messages as they are.
 */
static int vm_params_parse(const struct parse *p, const char *path,
			   struct json_object *o, struct spec_vm *vm)
{
	char value[KVMSQ_PARAM_VALUE_LEN];
	const char *c;

	json_object_object_foreach(o, key, v) {
		if (vm->nr_params == KVMSQ_MAX_PARAMS)
			return bad(p, path, "more than %s parameters", "16");
		if (!key[0] || strlen(key) >= KVMSQ_PARAM_KEY_LEN ||
		    !text_in_charset(key, PARAM_KEY_CHARS))
			return bad(p, path, "parameter name '%s' is not 1 to 31 of A-Z, a-z, 0-9 and _",
				   key);
		if (json_object_is_type(v, json_type_string)) {
			if (json_object_get_string_len(v) >= KVMSQ_PARAM_VALUE_LEN)
				return bad(p, path, "parameter '%s': value longer than 63 bytes", key);
			snprintf(value, sizeof(value), "%s", json_object_get_string(v));
		} else if (json_object_is_type(v, json_type_int)) {
			snprintf(value, sizeof(value), "%lld", (long long)json_object_get_int64(v));
		} else {
			return bad(p, path, "parameter '%s' must be a string or an integer", key);
		}
		for (c = value; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				return bad(p, path, "parameter '%s': the value must be printable ASCII",
					   key);
		snprintf(vm->param_keys[vm->nr_params], KVMSQ_PARAM_KEY_LEN, "%s", key);
		memcpy(vm->param_values[vm->nr_params], value, KVMSQ_PARAM_VALUE_LEN);
		vm->nr_params++;
	}
	return 0;
}

static const char *const vm_keys[] = {
	"count", "vcpus", "mem", "backing", "guest_page", "guest", "params",
	"timeout_s", "nr_mmu_pages", "memslot_churn_ms", NULL,
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
	if ((ret = get_number(p, path, o, "count", &n,
			      (struct num_range){ 1, SPEC_MAX_VM_PROCS, true }, false)) < 0)
		return ret;
	if (!ret)
		vm->count = (int)n;
	if ((ret = get_number(p, path, o, "vcpus", &n,
			      (struct num_range){ 1, KVMSQ_MAX_VCPUS, true }, false)) < 0)
		return ret;
	if (!ret)
		vm->vcpus = (int)n;
	if ((ret = get_size(p, path, o, "mem", &vm->mem_bytes, true)) < 0)
		return ret;
	if ((ret = get_string(p, path, o, "guest", vm->guest, sizeof(vm->guest), true)) < 0)
		return ret;
	if (!vm->guest[0] || !text_in_charset(vm->guest, GUEST_CHARS))
		return bad(p, path, "guest '%s' is not a built-in guest's name (see kvmsqueeze vm --list-guests)",
			   vm->guest);
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
	if ((ret = get_number(p, path, o, "timeout_s", &vm->timeout_s, SECONDS, false)) < 0)
		return ret;
	if ((ret = get_number(p, path, o, "nr_mmu_pages", &n,
			      (struct num_range){ 0, (double)UINT64_MAX, true }, false)) < 0)
		return ret;
	if (!ret && (n < VM_MIN_MMU_PAGES || n > VM_MAX_MMU_PAGES))
		return bad(p, path, "nr_mmu_pages: %s", "KVM takes 64 to 2^31 pages");
	vm->nr_mmu_pages = ret ? 0 : (uint64_t)n;
	if ((ret = get_number(p, path, o, "memslot_churn_ms", &n,
			      (struct num_range){ 1, VM_CHURN_MAX_MS, true }, false)) < 0)
		return ret;
	vm->memslot_churn_ms = ret ? 0 : (unsigned int)n;
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
	if (ret > 0 && json_object_object_get_ex(root, "selftests", NULL))
		return 0;	/* the selftests are the workload */
	if (ret)
		return ret < 0 ? ret : bad(p, "spec.vms", "missing (%s)", "an array of VMs is required, or selftests");
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
	if (spec_nr_vm_procs(p->s) > SPEC_MAX_VM_PROCS) {
		char total[32], msg[96];

		snprintf(total, sizeof(total), "%d", spec_nr_vm_procs(p->s));
		snprintf(msg, sizeof(msg), "%%s VMs in all; at most %d (SPEC_MAX_VM_PROCS)",
			 SPEC_MAX_VM_PROCS);
		return bad(p, "spec.vms", msg, total);
	}
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
			ret = get_number(p, path, st, "at_s", &step->at_s, SECONDS, true);
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
		ret = get_number(p, path, o, "start_s", &start, SECONDS, true);
	if (!ret)
		ret = get_number(p, path, o, "end_s", &end, SECONDS, true);
	if (!ret)
		ret = get_number(p, path, o, "step_s", &step, SECONDS, true);
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
	[PRESSURE_NX_HUGE_PAGES] = "nx_huge_pages",
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
		return bad(p, path, "kind '%s': use reclaim, hog, drop_caches, shrinker_scan or nx_huge_pages", kind);
	pr->kind = i;
	pr->nr_to_scan = 128;
	if ((ret = get_number(p, path, o, "start_s", &pr->start_s, SECONDS, false)) < 0 ||
	    (ret = get_number(p, path, o, "period_s", &pr->period_s, SECONDS, false)) < 0)
		return ret;
	ret = get_size(p, path, o, "bytes", &pr->bytes,
		       pr->kind == PRESSURE_RECLAIM || pr->kind == PRESSURE_HOG);
	if (ret < 0)
		return ret;
	if (!ret && !pr->bytes && (pr->kind == PRESSURE_RECLAIM || pr->kind == PRESSURE_HOG))
		return bad(p, path, "bytes must be above 0 for %s", kind);
	if ((ret = get_number(p, path, o, "nr_to_scan", &n,
			      (struct num_range){ 1, SPEC_MAX_NR_TO_SCAN, true }, false)) < 0)
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

static int primary_one(const struct parse *p, size_t i, struct json_object *v)
{
	struct spec *s = p->s;
	const struct metric *m;
	char where[32], id[QUOTE_LEN];
	int j;

	snprintf(where, sizeof(where), "primary[%zu]", i);
	if (!json_object_is_type(v, json_type_string))
		return bad(p, where, "expected a metric id (a string), got %s", type_name(v));
	text_quote(id, sizeof(id), json_object_get_string(v));
	m = metric_find(json_object_get_string(v));
	if (!m)
		return err_set(EINVAL, "spec %s: primary: unknown metric '%s' (the metric ids are listed in experiments/SPEC.md)",
			       p->origin, id);
	/* the summary table says which numbers may decide an experiment */
	if (!metric_can_be_primary(m))
		return err_set(EINVAL, "spec %s: primary: metric '%s' cannot be primary, only reported (experiments/SPEC.md)",
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

static int selftest_args_parse(const struct parse *p, const char *path, struct json_object *o,
			       struct spec_selftest *st)
{
	struct json_object *args, *v;
	char where[64];
	const char *why;
	size_t i, n;
	int ret;

	ret = get_object(p, path, o, "args", json_type_array, &args);
	if (ret)
		return ret < 0 ? ret : 0;
	n = json_object_array_length(args);
	if (n > SELFTEST_MAX_ARGS)
		return bad(p, path, "args: at most %s arguments", "32");
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(args, i);
		snprintf(where, sizeof(where), "%s.args[%zu]", path, i);
		if (!json_object_is_type(v, json_type_string))
			return bad(p, where, "expected a string, got %s", type_name(v));
		why = json_object_get_string_len(v) >= SELFTEST_ARG_LEN ? "is longer than 63 bytes" :
		      selftest_arg_check(json_object_get_string(v));
		if (why) {
			char msg[128];

			snprintf(msg, sizeof(msg), "'%%s' %s", why);
			return bad(p, where, msg, json_object_get_string(v));
		}
		snprintf(st->args[i], sizeof(st->args[i]), "%s", json_object_get_string(v));
		st->nr_args++;
	}
	return 0;
}

static int selftest_parse(const struct parse *p, const char *path, struct json_object *o,
			  struct spec_selftest *st)
{
	static const char *const keys[] = { "program", "args", NULL };
	char program[SPEC_NAME_LEN], list[128] = "";
	int prog, i, ret;

	if (!json_object_is_type(o, json_type_object))
		return bad(p, path, "expected an object, got %s", type_name(o));
	ret = keys_check(p, path, o, keys);
	if (!ret)
		ret = get_string(p, path, o, "program", program, sizeof(program), true);
	if (ret)
		return ret;
	prog = selftest_prog_find(program);
	if (prog < 0) {
		char msg[192];

		for (i = 0; i < NR_SELFTEST_PROGS; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", selftest_progs[i].program);
		snprintf(msg, sizeof(msg), "program '%%s' is not one of %s", list);
		return bad(p, path, msg, program);
	}
	st->prog = (enum selftest_prog)prog;
	return selftest_args_parse(p, path, o, st);
}

static int selftests_parse(const struct parse *p, struct json_object *root)
{
	struct json_object *arr;
	char path[32];
	size_t i, n;
	int j, ret;

	ret = get_object(p, "spec", root, "selftests", json_type_array, &arr);
	if (ret)
		return ret < 0 ? ret : 0;
	n = json_object_array_length(arr);
	if (n < 1 || n > SPEC_MAX_SELFTESTS)
		return bad(p, "spec.selftests", "needs 1 to %s entries", "3");
	for (i = 0; i < n; i++) {
		struct spec_selftest *st = &p->s->selftests[i];

		snprintf(path, sizeof(path), "selftests[%zu]", i);
		ret = selftest_parse(p, path, json_object_array_get_idx(arr, i), st);
		if (ret)
			return ret;
		for (j = 0; j < (int)i; j++)
			if (p->s->selftests[j].prog == st->prog)
				return bad(p, path, "program '%s' is named twice (each at most once)",
					   selftest_progs[st->prog].program);
		p->s->nr_selftests++;
	}
	return 0;
}

static const char *const top_keys[] = {
	"name", "question", "primary", "vms", "selftests", "cgroup", "pressure", "duration_s",
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
		ret = get_number(p, "spec", root, "duration_s", &s->duration_s, SECONDS, true);
	if (ret)
		return ret;
	/* it names the results directory and its files */
	if (!s->name[0] || s->name[0] == '.' || !text_in_charset(s->name, SPEC_NAME_CHARS))
		return bad(p, "spec.name", "'%s': use A-Z, a-z, 0-9, '.', '_' and '-', not starting with '.'",
			   s->name);
	ret = get_string(p, "spec", root, "end_phase", s->end_phase, sizeof(s->end_phase), false);
	if (ret < 0)
		return ret;
	if (!text_in_charset(s->end_phase, PHASE_CHARS))
		return bad(p, "spec.end_phase", "'%s' is not a phase name ([a-z0-9_])", s->end_phase);
	ret = get_number(p, "spec", root, "sample_period_ms", &ms,
			 (struct num_range){ 1, 60000, false }, false);
	if (ret < 0)
		return ret;
	s->sample_period_s = ms / 1000;
	if (s->duration_s <= 0)
		return bad(p, "spec.duration_s", "must be above %s", "0");
	ret = primary_parse(p, root);
	if (!ret)
		ret = vms_parse(p, root);
	if (!ret)
		ret = selftests_parse(p, root);
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

/*
 * "<path>.<key>" in @buf, the key escaped; a path too long for @buf is
 * cut with "..." at a character's edge, never inside one.
 */
static void path_join(char *buf, size_t size, const char *path, const char *key)
{
	size_t n = (size_t)snprintf(buf, size, "%s.", path);

	if (n + 8 <= size)
		text_escape(buf + n, size - n, key, strlen(key));
	else
		text_escape(buf, size, path, strlen(path));
}

/*
 * Every key and string of the spec must be UTF-8 without control
 * characters: they are quoted in messages, copied into results (which
 * must stay valid JSON for any reader) and printed by --list. json-c
 * caps nesting (JSON_TOKENER_DEFAULT_DEPTH), so the recursion is bounded.
 */
static int strings_check(const struct parse *p, struct json_object *v, const char *path)
{
	char where[96], quoted[QUOTE_LEN];
	const char *why;
	size_t i, n, off;
	int ret;

	switch (json_object_get_type(v)) {
	case json_type_string:
		n = (size_t)json_object_get_string_len(v);
		off = text_check(json_object_get_string(v), n, &why);
		if (off == n)
			return 0;
		return err_set(EINVAL, "spec %s: %s: %s at byte %zu of the string '%s' (use UTF-8 text on one line)",
			       p->origin, path, why, off,
			       text_escape(quoted, sizeof(quoted), json_object_get_string(v), n));
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			snprintf(where, sizeof(where), "%s[%zu]", path, i);
			ret = strings_check(p, json_object_array_get_idx(v, i), where);
			if (ret)
				return ret;
		}
		return 0;
	case json_type_object: {
		json_object_object_foreach(v, key, val) {
			n = strlen(key);
			off = text_check(key, n, &why);
			if (off != n)
				return err_set(EINVAL, "spec %s: %s: %s at byte %zu of the key '%s' (use UTF-8 text on one line)",
					       p->origin, path, why, off,
					       text_quote(quoted, sizeof(quoted), key));
			path_join(where, sizeof(where), path, key);
			ret = strings_check(p, val, where);
			if (ret)
				return ret;
		}
		return 0;
	}
	default:
		return 0;
	}
}

/* Blanks at @text, at most @len bytes of it (@text need not end in a NUL). */
static size_t blank_len(const char *text, size_t len)
{
	size_t n = 0;

	while (n < len && strchr(" \t\r\n", text[n]) && text[n])
		n++;
	return n;
}

int spec_parse_len(struct spec *s, const char *text, size_t len, const char *origin)
{
	struct parse p = { .s = s };
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	const char *nul;
	int line, col, ret;
	size_t end;

	memset(s, 0, sizeof(*s));
	text_quote(p.origin, sizeof(p.origin), origin);
	if (len > SPEC_FILE_MAX)
		return err_set(EFBIG, "spec %s: more than 1 MiB", p.origin);
	/* json-c would stop at a NUL and take what came before it */
	nul = memchr(text, '\0', len);
	if (nul) {
		offset_to_line(text, (size_t)(nul - text), &line, &col);
		return err_set(EINVAL, "spec %s: line %d, column %d: a NUL byte (a spec is text)",
			       p.origin, line, col);
	}
	tok = json_tokener_new();
	if (!tok)
		return err_sys(ENOMEM, "spec %s", p.origin);
	/* plain JSON: no comments, no trailing commas (the question says why) */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	/* after the value only blanks may follow */
	if (!root || jerr != json_tokener_success || blank_len(text + end, len - end) < len - end) {
		if (root && jerr == json_tokener_success)
			end += blank_len(text + end, len - end);
		offset_to_line(text, end, &line, &col);
		ret = err_set(EINVAL, "spec %s: line %d, column %d: %s", p.origin, line, col,
			      jerr == json_tokener_success ? "text after the JSON value" :
			      jerr == json_tokener_continue ? "unexpected end of file" :
			      json_tokener_error_desc(jerr));
		json_object_put(root);
		json_tokener_free(tok);
		return ret;
	}
	json_tokener_free(tok);
	s->json = root;
	ret = strings_check(&p, root, "spec");
	if (!ret)
		ret = top_parse(&p, root);
	if (ret)
		spec_free(s);
	return ret;
}

int spec_parse(struct spec *s, const char *text, const char *origin)
{
	return spec_parse_len(s, text, strlen(text), origin);
}

/*
 * O_NONBLOCK: a FIFO would block the open until a writer came; it is
 * refused instead, as is anything else that is not a regular file.
 */
int spec_load_file(struct spec *s, const char *path)
{
	char quoted[128], *text;
	struct stat st;
	ssize_t got;
	size_t len = 0;
	int fd, ret;

	memset(s, 0, sizeof(*s));
	text_quote(quoted, sizeof(quoted), path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return err_sys(errno, "spec %s", quoted);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > SPEC_FILE_MAX) {
		close(fd);
		return err_set(EINVAL, "spec %s: not a regular file of at most 1 MiB", quoted);
	}
	/* one more byte than allowed: a file that grew is seen to be too big */
	text = malloc(SPEC_FILE_MAX + 1);
	if (!text) {
		close(fd);
		return err_sys(ENOMEM, "spec %s", quoted);
	}
	do {
		got = read(fd, text + len, SPEC_FILE_MAX + 1 - len);
		if (got > 0)
			len += (size_t)got;
	} while ((got > 0 && len <= SPEC_FILE_MAX) || (got < 0 && errno == EINTR));
	ret = got < 0 ? -errno : 0;
	close(fd);
	if (ret) {
		free(text);
		return err_sys(-ret, "spec %s: reading", quoted);
	}
	ret = spec_parse_len(s, text, len, path);
	free(text);
	return ret;
}

/*
 * @bytes x @scale, rounded down to pages; -ERANGE when it would pass
 * SPEC_MAX_BYTES (checked in double: a cast of 2^64 or more is undefined).
 */
static int scale_bytes(uint64_t *bytes, double scale)
{
	double v;

	if (*bytes == UINT64_MAX)	/* no limit */
		return 0;
	v = (double)*bytes * scale;
	if (!(v <= (double)SPEC_MAX_BYTES))
		return -ERANGE;
	*bytes = (uint64_t)v & ~4095ull;
	return 0;
}

/* A guest parameter that reads as a size with a unit scales with --scale. */
static int param_scale(char *value, double scale)
{
	uint64_t bytes;
	size_t n = strlen(value);
	int ret;

	if (!n || value[n - 1] < 'A' || parse_size(value, &bytes))
		return 0;
	ret = scale_bytes(&bytes, scale);
	if (!ret)
		snprintf(value, KVMSQ_PARAM_VALUE_LEN, "%llu", (unsigned long long)bytes);
	return ret;
}

static int too_big(const struct spec *s, const char *what, int i, double scale)
{
	return err_set(ERANGE, "spec %s: --scale %g makes %s[%d] more than 1 EiB (use a smaller scale)",
		       s->name, scale, what, i);
}

int spec_override(struct spec *s, double duration_s, double scale)
{
	double stretch;
	int i, j;

	/* written so that NaN fails every test */
	if (!(duration_s >= 0 && duration_s <= SPEC_MAX_S))
		return err_set(EINVAL, "--duration must be above 0 and at most %.0f s", SPEC_MAX_S);
	if (!(scale >= 0 && scale <= SPEC_MAX_SCALE))
		return err_set(EINVAL, "--scale must be above 0 and at most %d", SPEC_MAX_SCALE);
	stretch = duration_s > 0 ? duration_s / s->duration_s : 1;
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

		if (scale_bytes(&vm->mem_bytes, scale))
			return too_big(s, "vms", i, scale);
		for (j = 0; j < vm->nr_params; j++)
			if (param_scale(vm->param_values[j], scale))
				return too_big(s, "vms", i, scale);
	}
	for (i = 0; i < s->cg.nr_steps; i++)
		if (scale_bytes(&s->cg.steps[i].bytes, scale))
			return too_big(s, "cgroup.steps", i, scale);
	for (i = 0; i < s->nr_pressure; i++)
		if (scale_bytes(&s->pressure[i].bytes, scale))
			return too_big(s, "pressure", i, scale);
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
	cfg->memslot_churn_ms = vm->memslot_churn_ms;
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

static bool seconds_ok(double t)
{
	return t >= 0 && t <= SPEC_MAX_S;	/* false for NaN */
}

/*
 * What the runner relies on, after --duration and --scale: times finite
 * and bounded (ns conversions cannot overflow), sizes within 1 EiB, and a
 * reclaim or a hog of at least a page.
 */
static int bounds_check(const struct spec *s)
{
	int i;

	if (!seconds_ok(s->duration_s) || !(s->duration_s > 0))
		return err_set(EINVAL, "spec %s: duration_s %g: must be above 0 and at most %.0f s",
			       s->name, s->duration_s, SPEC_MAX_S);
	for (i = 0; i < s->cg.nr_steps; i++)
		if (!seconds_ok(s->cg.steps[i].at_s))
			return err_set(EINVAL, "spec %s: cgroup step %d at %g s: times must be 0 to %.0f s (after --duration too)",
				       s->name, i, s->cg.steps[i].at_s, SPEC_MAX_S);
	for (i = 0; i < s->nr_pressure; i++) {
		const struct spec_pressure *pr = &s->pressure[i];

		if (!seconds_ok(pr->start_s) || !seconds_ok(pr->period_s))
			return err_set(EINVAL, "spec %s: pressure[%d]: times must be 0 to %.0f s (after --duration too)",
				       s->name, i, SPEC_MAX_S);
		if ((pr->kind == PRESSURE_RECLAIM || pr->kind == PRESSURE_HOG) && !pr->bytes)
			return err_set(EINVAL, "spec %s: pressure[%d]: %s of 0 bytes after --scale (use a larger scale)",
				       s->name, i, spec_pressure_name(pr->kind));
		if (pr->bytes > SPEC_MAX_BYTES)
			return err_set(EINVAL, "spec %s: pressure[%d]: more than 1 EiB", s->name, i);
	}
	for (i = 0; i < s->nr_vms; i++)
		if (!seconds_ok(s->vms[i].timeout_s) || s->vms[i].mem_bytes > SPEC_MAX_BYTES)
			return err_set(EINVAL, "spec %s: vms[%d]: timeout_s must be 0 to %.0f s and mem at most 1 EiB",
				       s->name, i, SPEC_MAX_S);
	return 0;
}

int spec_check(const struct spec *s)
{
	uint64_t need = spec_start_bytes(s);
	char a[32], b[32], quoted[QUOTE_LEN];
	struct vm_config cfg;
	int i, ret;

	ret = bounds_check(s);
	if (ret)
		return ret;
	for (i = 0; i < s->nr_vms; i++) {
		ret = spec_vm_config(&s->vms[i], &cfg);
		if (ret)
			return err_wrap(ret, "spec %s: vms[%d]", s->name, i);
		/* the VMM's own check (vm.c) allows 2 MiB more for tables and stacks */
		if (s->vms[i].mem_bytes < cfg.min_free_bytes + KVMSQ_PT_BASE + 2 * MiB)
			return err_set(EINVAL, "spec %s: vms[%d]: mem is too small for guest %s with %d vCPU%s",
				       s->name, i, s->vms[i].guest, s->vms[i].vcpus,
				       s->vms[i].vcpus == 1 ? "" : "s");
	}
	for (i = 0; i < s->cg.nr_steps; i++) {
		if (s->cg.steps[i].bytes >= need)
			continue;
		size_text(s->cg.steps[i].bytes, a, sizeof(a));
		size_text(need, b, sizeof(b));
		return err_set(EINVAL, "spec %s: cgroup limit %s at %.1f s is below the %s the VMs need to start (%d VM%s: VMM process, KVM and guest boot memory; raise the limit)",
			       s->name, a, s->cg.steps[i].at_s, b, spec_nr_vm_procs(s),
			       spec_nr_vm_procs(s) == 1 ? "" : "s");
	}
	if (!text_in_charset(s->end_phase, PHASE_CHARS))
		return err_set(EINVAL, "spec %s: end_phase '%s' is not a phase name ([a-z0-9_])",
			       s->name, text_quote(quoted, sizeof(quoted), s->end_phase));
	return 0;
}

void spec_free(struct spec *s)
{
	json_object_put(s->json);
	s->json = NULL;
}
