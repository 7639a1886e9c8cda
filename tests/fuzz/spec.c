// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz/spec.c: a bounded, seeded fuzzer of experiment specs. It
 * mutates the catalog's specs, the lab checks' and the findings' (byte
 * flips, spans cut and copied, type swaps, huge, NaN and negative
 * numbers, deep nesting, long strings, bad UTF-8, control characters,
 * duplicate keys, trailing bytes, NUL bytes...) and feeds each to
 * spec_parse_len(), spec_check() and spec_override() with a random
 * --duration and --scale, in this process. It checks that nothing
 * crashes (run it in the sanitizer build for undefined behaviour too),
 * that every refusal is one line without control characters, and that
 * every spec accepted holds what the runner relies on.
 *
 * usage: spec SECONDS SEED [CASE]
 * Prints "ok fuzz_spec: N cases (seed S)" or "not ok fuzz_spec: seed S
 * case N: ..."; with CASE, runs that case alone and prints its input.
 * Every case draws from its own generator, seeded by SEED and its number,
 * so one case can be rerun without the ones before it.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "abi/abi.h"
#include "abi/x86_pt.h"
#include "common/err.h"
#include "common/metrics.h"
#include "common/util.h"
#include "experiments/catalog.h"
#include "experiments/spec.h"
#include "experiments/text.h"
#include "tests/fuzz/rng.h"
#include "vmm/vm.h"

#define MAX_SEEDS	256
#define MAX_TEXT	(256 * 1024)	/* a case's text; specs are at most 1 MiB */
#define MAX_NODES	4096

static bool chance(struct rng *r, unsigned int percent)
{
	return rng_below(r, 100) < percent;
}

#define PICK(r, arr)	((arr)[rng_below((r), ARRAY_SIZE(arr))])

/* --- the seeds --- */

struct seed {
	char *text;
	size_t len;
};

static struct seed seeds[MAX_SEEDS];
static int nr_seeds;

static void seed_add(const char *text, size_t len)
{
	if (nr_seeds == MAX_SEEDS || len > MAX_TEXT / 2)
		return;
	seeds[nr_seeds].text = malloc(len + 1);
	if (!seeds[nr_seeds].text)
		return;
	memcpy(seeds[nr_seeds].text, text, len);
	seeds[nr_seeds].text[len] = '\0';
	seeds[nr_seeds].len = len;
	nr_seeds++;
}

static void seeds_from_dir(const char *dir)
{
	char path[512], *buf;
	struct dirent *de;
	DIR *d = opendir(dir);
	FILE *f;
	size_t len;

	if (!d)
		return;
	buf = malloc(MAX_TEXT);
	while (buf && (de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		len = fread(buf, 1, MAX_TEXT, f);
		fclose(f);
		seed_add(buf, len);
	}
	free(buf);
	closedir(d);
}

static void seeds_load(void)
{
	const struct catalog_entry *e;

	for (e = catalog_entries; e->name; e++)
		seed_add(e->json, strlen(e->json));
	seeds_from_dir("patched-kernel/checks");
	seeds_from_dir("docs/findings/specs");
}

/* --- values that break things --- */

static const char *const raw_numbers[] = {
	"1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1e-400", "0x10", "01", "1.",
	".5", "+1", "-0", "18446744073709551616", "99999999999999999999999999", "1e11",
	"4.9e-324", "1.7976931348623157e308", "-9223372036854775809", "2147483648",
	"3e9", "1000000.0000001", "0.009", "1E6", "nan", "-", "1e", "--1",
};

static const char *const strings[] = {
	"64M", "0", "4096", "1E", "1024P", "1025P", "16E", "17179869184G", "max", "4k", "2m",
	"1g", "4K", "abc", "", " ", "1.5G", "-1M", "64MiB", "64MB", "64Mx", "18446744073709551615",
	"../../x", ".x", "..", "/etc/passwd", "a/b", "touch", "workingset", "alias", "churn",
	"idle", "nop", "tuoch", "reclaim", "hog", "drop_caches", "shrinker_scan", "nx_huge_pages", "earthquake",
	"high", "low", "anon", "thp", "hugetlb", "memfd", "file", "file:/tmp/x", "1G", "2M",
	"3k", "random", "seq", "populate", "steady", "Touch", "touch-1", "size", "spaces",
	"cpl", "fault_mean_ns", "oom_killed_vms", "run_s", "faults_after_pressure",
};

/* Byte strings json-c keeps as they are: bad UTF-8, controls, NULs. */
static const struct {
	const char *bytes;
	size_t len;
} raw_strings[] = {
	{ "a\nb", 3 }, { "\t", 1 }, { "x\0y", 3 }, { "\0", 1 }, { "\xff", 1 },
	{ "q\xc0\xaf", 3 }, { "\xed\xa0\x80", 3 }, { "\xe2\x82", 2 }, { "\xc2\x85", 2 },
	{ "\x7f", 1 }, { "caf\xc3\xa9", 5 }, { "\xf4\x90\x80\x80", 4 }, { "\x1b[31m", 5 },
	{ "\xf0\x9f\x98\x80", 4 }, { "64M\n", 4 }, { "nop\xff", 4 },
};

static const char *const known_keys[] = {
	"name", "question", "primary", "vms", "cgroup", "pressure", "duration_s",
	"end_phase", "sample_period_ms", "count", "vcpus", "mem", "backing",
	"guest_page", "guest", "params", "timeout_s", "nr_mmu_pages", "memslot_churn_ms", "knob",
	"limit", "steps", "ramp", "from", "to", "start_s", "end_s", "step_s", "at_s",
	"kind", "period_s", "bytes", "nr_to_scan", "size", "pattern", "touch", "cpl",
	"", "n\xc3\xa4me", "na\nme", "Name", "name ",
};

static struct json_object *gen_value(struct rng *r, int depth);

static struct json_object *gen_string(struct rng *r)
{
	char buf[4096];
	size_t i, n;

	switch (rng_below(r, 5)) {
	case 0: {
		int k = (int)rng_below(r, ARRAY_SIZE(raw_strings));

		return json_object_new_string_len(raw_strings[k].bytes, (int)raw_strings[k].len);
	}
	case 1:		/* long, or just over a limit (63, 511, 23 bytes) */
		n = PICK(r, ((const size_t[]){ 23, 24, 31, 32, 63, 64, 511, 512, 4000 }));
		for (i = 0; i < n; i++)
			buf[i] = (char)('a' + rng_below(r, 26));
		return json_object_new_string_len(buf, (int)n);
	case 2:		/* random bytes */
		n = rng_below(r, 16);
		for (i = 0; i < n; i++)
			buf[i] = (char)rng_next(r);
		return json_object_new_string_len(buf, (int)n);
	case 3:
		return json_object_new_string(metrics[rng_below(r, nr_metrics)].name);
	default:
		return json_object_new_string(PICK(r, strings));
	}
}

static struct json_object *gen_number(struct rng *r)
{
	static const int64_t ints[] = {
		0, 1, -1, 2, 3, 7, 8, 9, 16, 17, 63, 64, 65, 128, 255, 256, 257, 3328, 3329,
		4096, 60000, 60001, 1000000, 1000001, 2147483647, 2147483648ll, 4294967296ll,
		INT64_MAX, INT64_MIN, 67108864, 1ll << 60, (1ll << 60) + 1,
	};
	static const double doubles[] = {
		0.0, -0.0, 0.001, 0.0099, 0.01, 0.5, 1.5, 2.5, 1e-300, 1e300, 1e6, 1e6 + 1,
		1e11, 3e9, -1.5, 5e-324,
	};

	switch (rng_below(r, 5)) {
	case 0:
		return json_object_new_int64(PICK(r, ints));
	case 1:
		return json_object_new_uint64(UINT64_MAX - rng_below(r, 3));
	case 2:
		return json_object_new_double(PICK(r, doubles));
	case 3:		/* text json-c writes as it is */
		return json_object_new_double_s(0, PICK(r, raw_numbers));
	default:
		return json_object_new_int64((int64_t)rng_below(r, 1000) - 10);
	}
}

/* Arrays or objects nested @n deep around @inner. */
static struct json_object *nest(struct rng *r, struct json_object *inner, int n)
{
	while (n-- > 0) {
		struct json_object *o;

		if (chance(r, 50)) {
			o = json_object_new_array();
			json_object_array_add(o, inner);
		} else {
			o = json_object_new_object();
			json_object_object_add(o, PICK(r, known_keys), inner);
		}
		inner = o;
	}
	return inner;
}

static struct json_object *gen_value(struct rng *r, int depth)
{
	struct json_object *o;
	size_t i, n;

	switch (rng_below(r, depth > 3 ? 5 : 8)) {
	case 0:
		return json_object_new_boolean(chance(r, 50));
	case 1:
		return NULL;	/* null */
	case 2:
	case 3:
		return gen_string(r);
	case 4:
		return gen_number(r);
	case 5:
		o = json_object_new_array();
		n = rng_below(r, 5);
		for (i = 0; i < n; i++)
			json_object_array_add(o, gen_value(r, depth + 1));
		return o;
	case 6:
		o = json_object_new_object();
		n = rng_below(r, 5);
		for (i = 0; i < n; i++)
			json_object_object_add(o, PICK(r, known_keys), gen_value(r, depth + 1));
		return o;
	default:
		return nest(r, gen_value(r, depth + 1), (int)rng_below(r, 40));
	}
}

/* --- mutations of the tree --- */

struct node {
	struct json_object *parent;	/* NULL: the root */
	const char *key;		/* in an object */
	size_t idx;			/* in an array */
	struct json_object *self;
};

static int collect(struct json_object *o, struct json_object *parent, const char *key,
		   size_t idx, struct node *nodes, int n)
{
	size_t i;

	if (n == MAX_NODES)
		return n;
	nodes[n++] = (struct node){ parent, key, idx, o };
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
			n = collect(v, o, k, 0, nodes, n);
	} else if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			n = collect(json_object_array_get_idx(o, i), o, NULL, i, nodes, n);
	}
	return n;
}

/* Put @v where @nd is (the old value is freed); the root cannot move. */
static void node_set(struct node *nd, struct json_object *v)
{
	if (!nd->parent) {
		json_object_put(v);
		return;
	}
	if (nd->key) {
		char key[256];

		snprintf(key, sizeof(key), "%s", nd->key);	/* freed with the old value */
		json_object_object_add(nd->parent, key, v);
	} else {
		json_object_array_put_idx(nd->parent, nd->idx, v);
	}
}

static struct json_object *copy(struct json_object *o)
{
	struct json_object *c = NULL;

	if (!o || json_object_deep_copy(o, &c, NULL))
		return NULL;
	return c;
}

/* One change at a random place; the tree is changed where it stands. */
static void mutate_tree(struct rng *r, struct json_object *root, struct json_object *other)
{
	static struct node nodes[MAX_NODES], others[MAX_NODES];
	int n = collect(root, NULL, NULL, 0, nodes, 0), m;
	struct node *nd = &nodes[rng_below(r, (size_t)n)];
	struct json_object *o = nd->self;

	switch (rng_below(r, 9)) {
	case 0:		/* a value of another type, or a bad one of the same */
	case 1:
		node_set(nd, gen_value(r, 0));
		break;
	case 2:		/* drop a key */
		if (nd->parent && nd->key) {
			char key[256];

			snprintf(key, sizeof(key), "%s", nd->key);
			json_object_object_del(nd->parent, key);
		}
		break;
	case 3:		/* add a key, known or not */
		if (json_object_is_type(o, json_type_object))
			json_object_object_add(o, PICK(r, known_keys), gen_value(r, 1));
		break;
	case 4:		/* grow an array: copies of an element, or new ones */
		if (json_object_is_type(o, json_type_array)) {
			size_t i, len = json_object_array_length(o), k = rng_below(r, 70);

			for (i = 0; i < k; i++)
				json_object_array_add(o, len && chance(r, 70) ?
						      copy(json_object_array_get_idx(o, rng_below(r, len))) :
						      gen_value(r, 2));
		}
		break;
	case 5:		/* a subtree of another seed here */
		m = collect(other, NULL, NULL, 0, others, 0);
		node_set(nd, copy(others[rng_below(r, (size_t)m)].self));
		break;
	case 6:		/* nest it deep */
		node_set(nd, nest(r, copy(o), (int)rng_below(r, 300)));
		break;
	case 7:		/* a number nearby, or a scaled one */
		if (json_object_is_type(o, json_type_int))
			node_set(nd, json_object_new_int64((int64_t)((uint64_t)json_object_get_int64(o) +
								     rng_below(r, 5) - 2)));
		else if (json_object_is_type(o, json_type_double))
			node_set(nd, json_object_new_double(json_object_get_double(o) *
							    PICK(r, ((const double[]){ -1, 0, 1e-9, 1e9, 1e300 }))));
		else
			node_set(nd, gen_number(r));
		break;
	default:	/* a string changed */
		node_set(nd, gen_string(r));
		break;
	}
}

/* --- mutations of the text --- */

struct text {
	char buf[MAX_TEXT];
	size_t len;
};

static void text_insert(struct text *t, size_t at, const char *s, size_t n)
{
	if (t->len + n > MAX_TEXT || at > t->len)
		return;
	memmove(t->buf + at + n, t->buf + at, t->len - at);
	memcpy(t->buf + at, s, n);
	t->len += n;
}

static void mutate_text(struct rng *r, struct text *t, const struct seed *other)
{
	static const char interesting[] = { 0, '"', '\\', '{', '}', '[', ']', ',', ':', '\n',
					    (char)0xff, (char)0x80, (char)0xc3, '0', '-', 'e' };
	size_t at = rng_below(r, t->len + 1), n, k;

	switch (rng_below(r, 9)) {
	case 0:		/* flip bits */
		for (k = rng_below(r, 8) + 1; t->len && k--;)
			t->buf[rng_below(r, t->len)] ^= (char)(1u << rng_below(r, 8));
		break;
	case 1:		/* a byte that matters to a parser */
		if (t->len)
			t->buf[rng_below(r, t->len)] = PICK(r, interesting);
		break;
	case 2:		/* cut a span */
		n = rng_below(r, t->len - at + 1);
		memmove(t->buf + at, t->buf + at + n, t->len - at - n);
		t->len -= n;
		break;
	case 3:		/* copy a span of another seed in */
		n = rng_below(r, 200);
		k = rng_below(r, other->len + 1);
		if (k + n > other->len)
			n = other->len - k;
		text_insert(t, at, other->text + k, n);
		break;
	case 4:		/* cut it short */
		t->len = at;
		break;
	case 5:		/* text after the value, a NUL first or not */
		if (chance(r, 50))
			text_insert(t, t->len, "\0", 1);
		text_insert(t, t->len, PICK(r, ((const char *const[]){ "x", " {}", "\n\n", "]", " 1" })), 2);
		break;
	case 6: {	/* a duplicate key right after a '{' */
		char *brace = memchr(t->buf + at, '{', t->len - at);
		const char *dup = PICK(r, ((const char *const[]){
			"\"name\":\"dup\",", "\"vms\":[],", "\"duration_s\":-1,", "\"count\":99,",
			"\"mem\":\"1T\",", "\"limit\":\"1\",", "\"kind\":\"hog\"," }));

		if (brace)
			text_insert(t, (size_t)(brace - t->buf) + 1, dup, strlen(dup));
		break;
	}
	case 7:		/* deep brackets */
		n = rng_below(r, 2000);
		for (k = 0; k < n && t->len < MAX_TEXT; k++)
			text_insert(t, at, "[", 1);
		break;
	default: {	/* an interesting number in place of digits */
		const char *num = PICK(r, raw_numbers);
		char *d = t->buf + at;

		while (d < t->buf + t->len && (*d < '0' || *d > '9'))
			d++;
		if (d < t->buf + t->len)
			text_insert(t, (size_t)(d - t->buf), num, strlen(num));
		break;
	}
	}
}

/* --- one case --- */

static uint64_t fuzz_seed;
static unsigned long fuzz_case;

static void __attribute__((noreturn, format(printf, 1, 2))) failed(const char *fmt, ...)
{
	va_list ap;

	printf("not ok fuzz_spec: seed %llu case %lu: ", (unsigned long long)fuzz_seed, fuzz_case);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (rerun: $BUILD/tests/fuzz/spec 1 %llu %lu)\n", (unsigned long long)fuzz_seed,
	       fuzz_case);
	fflush(stdout);
	exit(1);
}

/* A refusal: one line, no control character, valid UTF-8, not empty. */
static void refusal_check(const char *what)
{
	const char *msg = err_msg(), *why;
	size_t len = strlen(msg);
	char quoted[600];

	if (!len || !strcmp(msg, "unknown error"))
		failed("%s refused without a message", what);
	if (text_check(msg, len, &why) != len)
		failed("%s refused with %s in its message: %s", what, why,
		       text_quote(quoted, sizeof(quoted), msg));
}

static bool seconds_ok(double t)
{
	return t >= 0 && t <= SPEC_MAX_S;	/* false for NaN */
}

/* Every string and key of the spec copied into results: UTF-8, one line. */
static const char *json_text_bad(struct json_object *o)
{
	const char *why, *bad;
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_string:
		n = (size_t)json_object_get_string_len(o);
		return text_check(json_object_get_string(o), n, &why) == n ? NULL :
		       json_object_get_string(o);
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++)
			if ((bad = json_text_bad(json_object_array_get_idx(o, i))))
				return bad;
		return NULL;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			if (text_check(k, strlen(k), &why) != strlen(k))
				return k;
			if ((bad = json_text_bad(v)))
				return bad;
		}
		return NULL;
	}
	default:
		return NULL;
	}
}

/* What the runner relies on in a spec that spec_check() accepted. */
static void invariants_check(const struct spec *s, const char *when)
{
	uint64_t need = spec_start_bytes(s);
	char quoted[128];
	const char *bad, *why;
	int i, j, procs = 0;

	if (!s->name[0] || s->name[0] == '.' || !text_in_charset(s->name, SPEC_NAME_CHARS))
		failed("%s: name '%s' can leave the results directory", when,
		       text_quote(quoted, sizeof(quoted), s->name));
	if (text_check(s->question, strlen(s->question), &why) != strlen(s->question))
		failed("%s: question has %s", when, why);
	if ((bad = json_text_bad(s->json)))
		failed("%s: the spec's JSON keeps '%s'", when, text_quote(quoted, sizeof(quoted), bad));
	if (!seconds_ok(s->duration_s) || !(s->duration_s > 0))
		failed("%s: duration_s %g", when, s->duration_s);
	if (!(s->sample_period_s >= 0.001 && s->sample_period_s <= 60))
		failed("%s: sample period %g s", when, s->sample_period_s);
	if (strlen(s->end_phase) >= KVMSQ_NAME_LEN ||
	    !text_in_charset(s->end_phase, "abcdefghijklmnopqrstuvwxyz0123456789_"))
		failed("%s: end_phase '%s'", when, text_quote(quoted, sizeof(quoted), s->end_phase));
	if (s->nr_primary < 0 || s->nr_primary > SPEC_MAX_PRIMARY)
		failed("%s: %d primaries", when, s->nr_primary);
	for (i = 0; i < s->nr_primary; i++)
		if (!s->primary[i])
			failed("%s: primary[%d] is NULL", when, i);
	if (s->nr_vms < 1 || s->nr_vms > SPEC_MAX_VMS)
		failed("%s: %d VM groups", when, s->nr_vms);
	for (i = 0; i < s->nr_vms; i++) {
		const struct spec_vm *vm = &s->vms[i];

		if (vm->count < 1 || vm->count > SPEC_MAX_VM_PROCS)
			failed("%s: vms[%d].count %d", when, i, vm->count);
		if (vm->vcpus < 1 || vm->vcpus > (int)KVMSQ_MAX_VCPUS)
			failed("%s: vms[%d].vcpus %d", when, i, vm->vcpus);
		if (vm->mem_bytes < 6 * MiB || vm->mem_bytes > SPEC_MAX_BYTES)
			failed("%s: vms[%d].mem %llu bytes", when, i, (unsigned long long)vm->mem_bytes);
		if (!seconds_ok(vm->timeout_s) || vm->timeout_s * 1e9 >= 0x1p63)
			failed("%s: vms[%d].timeout_s %g", when, i, vm->timeout_s);
		if (vm->page_bytes != X86_PAGE_4K && vm->page_bytes != 2 * MiB &&
		    vm->page_bytes != GiB)
			failed("%s: vms[%d] guest page %llu", when, i, (unsigned long long)vm->page_bytes);
		if (vm->nr_mmu_pages && (vm->nr_mmu_pages < VM_MIN_MMU_PAGES ||
					 vm->nr_mmu_pages > VM_MAX_MMU_PAGES))
			failed("%s: vms[%d].nr_mmu_pages %llu", when, i,
			       (unsigned long long)vm->nr_mmu_pages);
		if (vm->memslot_churn_ms > VM_CHURN_MAX_MS)
			failed("%s: vms[%d].memslot_churn_ms %u", when, i, vm->memslot_churn_ms);
		if (!vm->guest[0] || !text_in_charset(vm->guest, "abcdefghijklmnopqrstuvwxyz0123456789_-"))
			failed("%s: vms[%d].guest '%s'", when, i,
			       text_quote(quoted, sizeof(quoted), vm->guest));
		if (vm->nr_params < 0 || vm->nr_params > KVMSQ_MAX_PARAMS)
			failed("%s: vms[%d]: %d params", when, i, vm->nr_params);
		for (j = 0; j < vm->nr_params; j++) {
			const char *v = vm->param_values[j], *c;

			for (c = v; *c; c++)
				if (*c < 0x20 || *c > 0x7e)
					failed("%s: vms[%d] param value '%s'", when, i,
					       text_quote(quoted, sizeof(quoted), v));
		}
		procs += vm->count;
	}
	if (procs > SPEC_MAX_VM_PROCS || procs != spec_nr_vm_procs(s))
		failed("%s: %d VMs in all", when, procs);
	if (s->cg.nr_steps < 0 || s->cg.nr_steps > SPEC_MAX_STEPS ||
	    (s->cg.schedule == SCHED_NONE) != !s->cg.nr_steps)
		failed("%s: %d steps, schedule %d", when, s->cg.nr_steps, s->cg.schedule);
	for (i = 0; i < s->cg.nr_steps; i++) {
		const struct spec_step *st = &s->cg.steps[i];

		if (!seconds_ok(st->at_s) || (i && st->at_s < s->cg.steps[i - 1].at_s))
			failed("%s: step %d at %g s", when, i, st->at_s);
		if (st->bytes != UINT64_MAX && (st->bytes > SPEC_MAX_BYTES || st->bytes < need))
			failed("%s: step %d limit %llu bytes (the VMs need %llu)", when, i,
			       (unsigned long long)st->bytes, (unsigned long long)need);
	}
	if (s->nr_pressure < 0 || s->nr_pressure > SPEC_MAX_PRESSURE)
		failed("%s: %d pressure sources", when, s->nr_pressure);
	for (i = 0; i < s->nr_pressure; i++) {
		const struct spec_pressure *p = &s->pressure[i];

		if (p->kind > PRESSURE_NX_HUGE_PAGES)
			failed("%s: pressure[%d] kind %d", when, i, p->kind);
		if (!seconds_ok(p->start_s) || !seconds_ok(p->period_s) ||
		    (p->period_s && p->period_s < 0.01))
			failed("%s: pressure[%d] at %g s every %g s", when, i, p->start_s, p->period_s);
		if (p->bytes > SPEC_MAX_BYTES ||
		    (!p->bytes && (p->kind == PRESSURE_RECLAIM || p->kind == PRESSURE_HOG)))
			failed("%s: pressure[%d] %llu bytes", when, i, (unsigned long long)p->bytes);
		if (p->nr_to_scan < 1 || p->nr_to_scan > SPEC_MAX_NR_TO_SCAN)
			failed("%s: pressure[%d] nr_to_scan %llu", when, i,
			       (unsigned long long)p->nr_to_scan);
	}
}

static double pick_duration(struct rng *r)
{
	static const double d[] = {
		0, 0, 1e-300, 0.001, 1, 2.5, 10, 1e6, 1e6 + 1, 1e7, -1, NAN, INFINITY, 5e-324,
	};

	return chance(r, 30) ? (double)rng_below(r, 100000) / 100 : PICK(r, d);
}

static double pick_scale(struct rng *r)
{
	static const double s[] = {
		0, 0, 1, 0.25, 1e-300, 1e-6, 1024, 1025, -1, NAN, INFINITY, 5e-324, 0.5, 2,
	};

	return chance(r, 30) ? (double)(rng_below(r, 102400) + 1) / 100 : PICK(r, s);
}

/* The case's input: a seed, mutated as a tree, then as text. */
static void case_make(struct rng *r, struct text *t)
{
	const struct seed *base = &seeds[rng_below(r, (size_t)nr_seeds)];
	const struct seed *other = &seeds[rng_below(r, (size_t)nr_seeds)];
	struct json_object *root = NULL, *oroot;
	const char *out;
	size_t k;

	if (chance(r, 75))
		root = json_tokener_parse(base->text);
	if (root) {
		oroot = json_tokener_parse(other->text);
		for (k = rng_below(r, 4) + (chance(r, 90) ? 1 : 0); k--;)
			mutate_tree(r, root, oroot ? oroot : root);
		json_object_put(oroot);
		out = json_object_to_json_string_ext(root, chance(r, 50) ? JSON_C_TO_STRING_PLAIN :
						     JSON_C_TO_STRING_PRETTY);
		t->len = strlen(out);
		if (t->len > MAX_TEXT)
			t->len = MAX_TEXT;
		memcpy(t->buf, out, t->len);
		json_object_put(root);
	} else {
		memcpy(t->buf, base->text, base->len);
		t->len = base->len;
	}
	for (k = chance(r, 40) ? rng_below(r, 4) + 1 : 0; k--;)
		mutate_text(r, t, other);
}

/* What became of the case, for a rerun of one: the last refusal or "accepted". */
static char outcome[ERR_MSG_LEN];

static void case_run(const struct text *t, struct rng *r)
{
	struct spec s;
	int ret;

	ret = spec_parse_len(&s, t->buf, t->len, "fuzz.json");
	if (ret) {
		refusal_check("spec_parse");
		snprintf(outcome, sizeof(outcome), "refused: %s", err_msg());
		return;
	}
	snprintf(outcome, sizeof(outcome), "accepted");
	ret = spec_check(&s);
	if (ret) {
		refusal_check("spec_check");
		snprintf(outcome, sizeof(outcome), "refused by the check: %s", err_msg());
	} else {
		invariants_check(&s, "accepted as given");
	}
	ret = spec_override(&s, pick_duration(r), pick_scale(r));
	if (ret) {
		refusal_check("spec_override");
	} else if (spec_check(&s)) {
		refusal_check("spec_check after spec_override");
	} else {
		invariants_check(&s, "accepted after spec_override");
		spec_limit_at(&s, (double)rng_below(r, 1000));
	}
	spec_free(&s);
}

static struct text the_text;

static void one_case(unsigned long n, bool print)
{
	struct rng r = { fuzz_seed * 0x100000001b3ull ^ (n * 0x9e3779b97f4a7c15ull) };
	char quoted[1024];

	fuzz_case = n;
	case_make(&r, &the_text);
	if (print)
		fprintf(stderr, "case %lu: %zu bytes: %s\n", n, the_text.len,
			text_escape(quoted, sizeof(quoted), the_text.buf, the_text.len));
	case_run(&the_text, &r);
}

/* A sanitizer's report ends the process: name the case first. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void on_death(void)
{
	printf("not ok fuzz_spec: seed %llu case %lu: a sanitizer report (above); rerun: $BUILD/tests/fuzz/spec 1 %llu %lu\n",
	       (unsigned long long)fuzz_seed, fuzz_case, (unsigned long long)fuzz_seed, fuzz_case);
	fflush(stdout);
}

static void on_fault(int sig)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "not ok fuzz_spec: seed %llu case %lu: signal %d\n",
			 (unsigned long long)fuzz_seed, fuzz_case, sig);

	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

int main(int argc, char **argv)
{
	double seconds;
	uint64_t start;
	unsigned long n;
	char *end;
	int i;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s SECONDS SEED [CASE]\n", argv[0]);
		return 2;
	}
	seconds = strtod(argv[1], &end);
	if (*end || !(seconds >= 0))
		return 2;
	fuzz_seed = strtoull(argv[2], &end, 10);
	if (*end)
		return 2;
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(on_death);
	else {
		signal(SIGSEGV, on_fault);
		signal(SIGBUS, on_fault);
		signal(SIGFPE, on_fault);
		signal(SIGABRT, on_fault);
	}
	seeds_load();
	if (!nr_seeds) {
		printf("not ok fuzz_spec: seed %llu case 0: no seed specs\n",
		       (unsigned long long)fuzz_seed);
		return 1;
	}
	if (argc == 4) {
		one_case(strtoul(argv[3], NULL, 10), true);
		printf("ok fuzz_spec: case %s (seed %llu): %s\n", argv[3],
		       (unsigned long long)fuzz_seed, outcome);
		return 0;
	}
	start = now_ns();
	for (n = 0; n == 0 || (double)(now_ns() - start) < seconds * 1e9; n++)
		one_case(n, false);
	printf("ok fuzz_spec: %lu cases (seed %llu)\n", n, (unsigned long long)fuzz_seed);
	for (i = 0; i < nr_seeds; i++)
		free(seeds[i].text);
	return 0;
}
