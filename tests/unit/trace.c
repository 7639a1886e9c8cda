// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/trace.c: the tracefs helpers (experiments/trace.c) on a
 * directory laid out as tracefs, with the event formats of
 * tests/fixtures/tracefs/events and ring-buffer pages written here as
 * the kernel lays them out (include/linux/ring_buffer.h,
 * kernel/trace/ring_buffer.c): records decoded by field, the events the
 * kernel dropped counted, another run's probe ignored; functions named
 * from kallsyms as %pS names them; kprobe events added and removed
 * without dropping the host's others; kprobe_profile; what runs that are
 * gone left, removed, and only that.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event-parse.h>

#include "unit.h"
#include "common/err.h"
#include "experiments/kallsyms.h"
#include "experiments/procfs.h"
#include "experiments/series.h"
#include "experiments/shrink_tally.h"
#include "experiments/trace.h"

#define FIX		"tests/fixtures/tracefs"
#define PAGE		4096		/* events/header_page: data at 16, 4080 bytes */
/* the IDs in the fixtures' format files */
#define ID_START	631
#define ID_END		630
#define ID_KRET		2042		/* kvmsqueeze/mmu_shrink_scan_4242 */
#define ID_KRET_OTHER	2043		/* kvmsqueeze/mmu_shrink_scan_777 */

/* Addresses of the fake kallsyms below. */
#define A_SUPER		0xffffffff81200000ull
#define A_SHADOW	0xffffffff81200400ull
#define A_MMU		0xffffffffc0a1b000ull

static char dir[64];
static char text[64 * 1024];

static void fake_tracefs(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/kvmsq-trace-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/instances", dir);
	mkdir(path, 0755);
}

/* A fake tracefs with the fixtures' event formats. */
static void fake_tracefs_events(void)
{
	char cmd[256];

	fake_tracefs();
	snprintf(cmd, sizeof(cmd), "cp -r " FIX "/events '%s/'", dir);
	if (system(cmd))
		fprintf(stderr, "# could not copy " FIX "/events\n");
}

static void put(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "a");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static const char *get(const char *name)
{
	ssize_t len = procfs_read(text, sizeof(text), "%s/%s", dir, name);

	return len < 0 ? "" : text;
}

static void mkdirs(const char *rel)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", dir, rel);
	if (system(cmd))
		fprintf(stderr, "# could not make %s/%s\n", dir, rel);
}

/* A CPU's ring buffer of instance @inst, empty. */
static void mkcpu(const char *inst, int cpu)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "instances/%s/per_cpu/cpu%d", inst, cpu);
	mkdirs(rel);
	snprintf(rel, sizeof(rel), "instances/%s/per_cpu/cpu%d/trace_pipe_raw", inst, cpu);
	put(rel, "");
}

static void rm_fake(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", dir);
}

/* A pid that ran and is gone. */
static pid_t gone_pid(void)
{
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

/* --- ring-buffer pages --- */

struct page {
	unsigned char b[PAGE];
	size_t len;			/* of the events, after the 16-byte header */
};

/* One event: a 4-byte header (type_len = words of data, no time delta). */
static void page_event(struct page *p, const void *data, size_t n)
{
	size_t words = (n + 3) / 4;
	uint32_t hdr = (uint32_t)words;

	if (16 + p->len + 4 + 4 * words + 8 > PAGE || words > 28)
		return;
	memcpy(p->b + 16 + p->len, &hdr, 4);
	memcpy(p->b + 16 + p->len + 4, data, n);
	p->len += 4 + 4 * words;
}

/*
 * Append @p to <instance>/per_cpu/cpu<cpu>/trace_pipe_raw. @missed: the
 * events dropped before it, -1 when the page cannot say how many.
 */
static void page_write(const char *inst, int cpu, struct page *p, long long missed)
{
	uint64_t ts = 1000, commit = p->len;
	char path[256];
	FILE *f;

	if (missed)
		commit |= 1ull << 31;
	if (missed > 0) {
		commit |= 1ull << 30;
		memcpy(p->b + 16 + p->len, &missed, 8);
	}
	memcpy(p->b, &ts, 8);
	memcpy(p->b + 8, &commit, 8);
	snprintf(path, sizeof(path), "%s/instances/%s/per_cpu/cpu%d/trace_pipe_raw", dir, inst,
		 cpu);
	f = fopen(path, "a");
	if (f) {
		fwrite(p->b, 1, PAGE, f);
		fclose(f);
	}
	memset(p, 0, sizeof(*p));
}

/* mm_shrink_slab_start: shrink at 16; 76 bytes */
static void ev_start(struct page *p, uint64_t fn)
{
	unsigned char e[76] = { 0 };
	uint16_t id = ID_START;

	memcpy(e, &id, 2);
	memcpy(e + 16, &fn, 8);
	page_event(p, e, sizeof(e));
}

/* mm_shrink_slab_end: shrink at 24, int retval at 48; 64 bytes */
static void ev_end(struct page *p, uint64_t fn, int32_t retval)
{
	unsigned char e[64] = { 0 };
	uint16_t id = ID_END;

	memcpy(e, &id, 2);
	memcpy(e + 24, &fn, 8);
	memcpy(e + 48, &retval, 4);
	page_event(p, e, sizeof(e));
}

/* a kretprobe: u64 ret at 24; 32 bytes */
static void ev_kret(struct page *p, uint16_t id, uint64_t ret)
{
	unsigned char e[32] = { 0 };

	memcpy(e, &id, 2);
	memcpy(e + 24, &ret, 8);
	page_event(p, e, sizeof(e));
}

/* --- the shrink_trace sampler's view of the records --- */

struct shrink_seen_tally {
	struct trace_inst *t;
	struct kallsyms syms;
	struct tep_event *start, *end;
	struct tep_format_field *start_fn, *end_fn, *end_ret;
	uint64_t passes[3], freed[3], other;
};

static const char *const tally_fns[] = {
	"mmu_shrink_scan", "super_cache_scan", "scan_shadow_nodes",
};

static int shrink_seen(void *arg, struct tep_event *ev, const void *data, int size)
{
	struct shrink_seen_tally *y = arg;
	char name[64];
	uint64_t fn, ret = 0;
	size_t i;

	if (ev != y->start && ev != y->end)
		return 0;
	if (trace_field_u64(ev == y->start ? y->start_fn : y->end_fn, data, size, &fn) ||
	    (ev == y->end && trace_field_u64(y->end_ret, data, size, &ret)))
		return -EINVAL;
	kallsyms_name(&y->syms, fn, name, sizeof(name));
	for (i = 0; i < 3 && strcmp(name, tally_fns[i]); i++)
		;
	if (i == 3) {
		y->other++;
		return 0;
	}
	y->passes[i] += ev == y->start;
	y->freed[i] += ev == y->end && (int32_t)ret > 0 ? (int32_t)ret : 0;
	return 0;
}

/* As 6.12 on SMP lists them: the per-CPU symbols first, from address 0. */
static void put_kallsyms(void)
{
	put("kallsyms",
	    "0000000000000000 A fixed_percpu_data\n"
	    "0000000000001000 A cpu_debug_store\n"
	    "ffffffff81000000 T _stext\n"
	    "ffffffff81200000 T super_cache_scan\n"
	    "ffffffff81200400 t scan_shadow_nodes.isra.0\n"
	    "ffffffff81200800 T other_function\n"
	    "ffffffffc0a1b000 t mmu_shrink_scan\t[kvm]\n"
	    "ffffffffc0a1c000 t kvm_mmu_other\t[kvm]\n");
}

static int shrink_fields(struct trace_inst *t, struct shrink_seen_tally *y)
{
	struct tep_event *ev;

	y->t = t;
	return trace_inst_field(t, "vmscan/mm_shrink_slab_start", "shrink", &y->start,
				&y->start_fn) ||
	       trace_inst_field(t, "vmscan/mm_shrink_slab_end", "shrink", &y->end, &y->end_fn) ||
	       trace_inst_field(t, "vmscan/mm_shrink_slab_end", "retval", &ev, &y->end_ret);
}

/*
 * Passes and objects freed per scan function, from two CPUs' pages; the
 * drops the pages report; nothing twice; what comes later, read later.
 */
static void shrink_records(void)
{
	static const char *const systems[] = {
		"vmscan/mm_shrink_slab_start", "vmscan/mm_shrink_slab_end", NULL,
	};
	static const char inst[] = "kvmsqueeze-unit-raw";
	struct shrink_seen_tally y = { 0 };
	struct trace_inst t;
	struct page p = { 0 };

	fake_tracefs_events();
	put_kallsyms();
	CHECK(!trace_inst_create(&t, dir, "unit-raw"), "%s", err_msg());
	mkcpu("kvmsqueeze-unit-raw", 0);
	mkcpu("kvmsqueeze-unit-raw", 1);
	ev_start(&p, A_MMU);
	ev_end(&p, A_MMU, 172);
	ev_start(&p, A_SUPER);
	ev_end(&p, A_SUPER + 0x10, 1398);	/* %pS: super_cache_scan+0x10 */
	page_write(inst, 0, &p, 0);
	ev_start(&p, A_MMU);
	ev_end(&p, A_MMU, 9);
	ev_end(&p, A_MMU, -1);			/* a negative return frees nothing */
	page_write(inst, 1, &p, 4);
	ev_start(&p, A_SHADOW);
	ev_end(&p, A_SHADOW, 0);
	page_write(inst, 1, &p, -1);		/* dropped, no count: one at least */
	CHECK(!trace_inst_open_raw(&t, systems), "%s", err_msg());
	CHECK(t.nr_cpus == 2, "%d CPUs", t.nr_cpus);
	CHECK(!shrink_fields(&t, &y), "%s", err_msg());
	CHECK(!kallsyms_load(&y.syms, dir), "kallsyms: %s", err_msg());
	CHECK(!trace_inst_drain(&t, shrink_seen, &y), "%s", err_msg());
	CHECK(y.passes[0] == 2 && y.freed[0] == 181, "mmu_shrink_scan %llu %llu",
	      (unsigned long long)y.passes[0], (unsigned long long)y.freed[0]);
	CHECK(y.passes[1] == 1 && y.freed[1] == 1398, "super_cache_scan");
	CHECK(y.passes[2] == 1 && y.freed[2] == 0, "scan_shadow_nodes");
	CHECK(!y.other, "%llu records of another function", (unsigned long long)y.other);
	CHECK(t.lost == 5, "lost %llu", (unsigned long long)t.lost);
	CHECK(!trace_inst_drain(&t, shrink_seen, &y) && y.passes[0] == 2, "read twice");
	ev_start(&p, A_MMU);
	page_write(inst, 0, &p, 0);
	CHECK(!trace_inst_drain(&t, shrink_seen, &y) && y.passes[0] == 3, "a later page");
	CHECK(trace_inst_destroy(&t) == -ENOTEMPTY, "a real instance holds no files");
	kallsyms_free(&y.syms);
	rm_fake();
}

struct kret_tally {
	struct tep_event *ev;
	struct tep_format_field *ret;
	uint64_t calls, freed, stops;
};

static int kret_seen(void *arg, struct tep_event *ev, const void *data, int size)
{
	struct kret_tally *k = arg;
	uint64_t ret;

	if (ev != k->ev)
		return 0;
	if (trace_field_u64(k->ret, data, size, &ret))
		return -EINVAL;
	k->calls++;
	if (ret == UINT64_MAX)
		k->stops++;
	else
		k->freed += ret;
	return 0;
}

/* Every return of our probe, a SHRINK_STOP among them; not another run's. */
static void kretprobe_records(void)
{
	static const char *const systems[] = { TRACE_PREFIX "/mmu_shrink_scan_4242", NULL };
	static const char inst[] = "kvmsqueeze-unit-kret";
	struct kret_tally k = { 0 };
	struct trace_inst t;
	struct page p = { 0 };

	fake_tracefs_events();
	CHECK(!trace_inst_create(&t, dir, "unit-kret"), "%s", err_msg());
	mkcpu("kvmsqueeze-unit-kret", 0);
	ev_kret(&p, ID_KRET, 172);
	ev_kret(&p, ID_KRET, 16);
	ev_kret(&p, ID_KRET, UINT64_MAX);
	ev_kret(&p, ID_KRET_OTHER, 5);
	ev_kret(&p, ID_KRET, 9);
	ev_kret(&p, ID_KRET, 0);
	page_write(inst, 0, &p, 3);
	CHECK(!trace_inst_open_raw(&t, systems), "%s", err_msg());
	CHECK(!trace_inst_field(&t, TRACE_PREFIX "/mmu_shrink_scan_4242", "ret", &k.ev, &k.ret),
	      "%s", err_msg());
	CHECK(!trace_inst_drain(&t, kret_seen, &k), "%s", err_msg());
	CHECK(k.calls == 5 && k.stops == 1 && k.freed == 172 + 16 + 9 && t.lost == 3,
	      "calls %llu, stops %llu, freed %llu, lost %llu", (unsigned long long)k.calls,
	      (unsigned long long)k.stops, (unsigned long long)k.freed,
	      (unsigned long long)t.lost);
	trace_inst_destroy(&t);
	rm_fake();
}

/* What the formats or the pages do not hold is said, never guessed. */
static void raw_refused(void)
{
	static const char *const systems[] = {
		"vmscan/mm_shrink_slab_start", "vmscan/mm_shrink_slab_end", NULL,
	};
	static const char inst[] = "kvmsqueeze-unit-bad";
	struct shrink_seen_tally y = { 0 };
	struct tep_format_field *f;
	struct tep_event *ev;
	struct trace_inst t;
	struct page p = { 0 };
	uint64_t val;

	fake_tracefs_events();
	CHECK(!trace_inst_create(&t, dir, "unit-bad"), "%s", err_msg());
	CHECK(trace_inst_open_raw(&t, systems) == -ENOENT && strstr(err_msg(), "per_cpu"),
	      "no per_cpu: %s", err_msg());
	trace_inst_destroy(&t);
	CHECK(!trace_inst_create(&t, dir, "unit-bad"), "%s", err_msg());
	CHECK(trace_inst_open_raw(&t, (const char *const[]){ "vmscan/mm_no_such", NULL }) ==
	      -ENOENT && strstr(err_msg(), "no format for trace event vmscan/mm_no_such"),
	      "no format: %s", err_msg());
	trace_inst_destroy(&t);
	CHECK(!trace_inst_create(&t, dir, "unit-bad"), "%s", err_msg());
	mkcpu("kvmsqueeze-unit-bad", 0);
	CHECK(!trace_inst_open_raw(&t, systems), "%s", err_msg());
	CHECK(trace_inst_field(&t, "vmscan/mm_shrink_slab_end", "no_such", &ev, &f) == -ENOENT &&
	      strstr(err_msg(), "no integer field no_such"), "%s", err_msg());
	CHECK(trace_inst_field(&t, "vmscan/mm_vmscan_kswapd_wake", "nid", &ev, &f) == -ENOENT &&
	      strstr(err_msg(), "not loaded"), "%s", err_msg());
	CHECK(!trace_inst_field(&t, "vmscan/mm_shrink_slab_end", "retval", &ev, &f), "%s",
	      err_msg());
	CHECK(trace_field_u64(f, text, 50, &val) == -EINVAL, "a record too short");
	CHECK(!shrink_fields(&t, &y), "%s", err_msg());
	ev_start(&p, A_MMU);
	p.len = 5000;				/* more than a page holds */
	page_write(inst, 0, &p, 0);
	CHECK(trace_inst_drain(&t, shrink_seen, &y) == -EINVAL && strstr(err_msg(), "5016 bytes"),
	      "a page too long: %s", err_msg());
	trace_inst_destroy(&t);
	rm_fake();
}

/* %pS names: the symbol holding the address, cut at a compiler suffix. */
static void func_names(void)
{
	struct kallsyms k = { 0 };
	char name[64];

	fake_tracefs();
	put_kallsyms();
	kallsyms_name(&k, A_MMU, name, sizeof(name));
	CHECK(!strcmp(name, "0xffffffffc0a1b000"), "not loaded: %s", name);
	CHECK(!kallsyms_load(&k, dir), "%s", err_msg());
	kallsyms_name(&k, A_MMU, name, sizeof(name));
	CHECK(!strcmp(name, "mmu_shrink_scan"), "a module's: %s", name);
	kallsyms_name(&k, A_SHADOW + 8, name, sizeof(name));
	CHECK(!strcmp(name, "scan_shadow_nodes"), "suffix: %s", name);
	kallsyms_name(&k, 0x1000, name, sizeof(name));
	CHECK(!strcmp(name, "0x1000"), "below every symbol: %s", name);
	kallsyms_name(&k, A_SUPER, name, 6);
	CHECK(!strcmp(name, "super"), "cut to fit: %s", name);
	kallsyms_free(&k);
	rm_fake();

	/* kptr_restrict: every address 0, so no names rather than wrong ones */
	fake_tracefs();
	put("kallsyms", "0000000000000000 T _stext\n0000000000000000 t mmu_shrink_scan\t[kvm]\n");
	CHECK(kallsyms_load(&k, dir) == -ENOENT && strstr(err_msg(), "kptr_restrict"),
	      "zeros loaded: %s", err_msg());
	kallsyms_name(&k, A_MMU, name, sizeof(name));
	CHECK(!strcmp(name, "0xffffffffc0a1b000"), "%s", name);
	rm_fake();

	/* empty, or none at all: said, and named by address */
	fake_tracefs();
	put("kallsyms", "");
	CHECK(kallsyms_load(&k, dir) == -ENOENT && strstr(err_msg(), "empty"), "%s", err_msg());
	rm_fake();
	fake_tracefs();
	CHECK(kallsyms_load(&k, dir) == -ENOENT && strstr(err_msg(), "/kallsyms"), "%s", err_msg());
	kallsyms_name(&k, A_MMU, name, sizeof(name));
	CHECK(!strcmp(name, "0xffffffffc0a1b000"), "%s", name);
	rm_fake();
}

/* One pass into a buffer that grows: whole, or refused past its bound. */
static void read_alloc(void)
{
	char path[128], *big, *got = NULL;
	size_t n = 200 * 1024, i;

	fake_tracefs();
	big = malloc(n + 1);
	CHECK(big, "malloc");
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	put("big", big);
	snprintf(path, sizeof(path), "%s/big", dir);
	CHECK(procfs_read_alloc(path, 1 << 20, &got) == (ssize_t)n && got && !strcmp(got, big),
	      "200 KiB read whole");
	free(got);
	CHECK(procfs_read_alloc(path, 100 * 1024, &got) == -EFBIG && !got &&
	      strstr(err_msg(), "larger than 102399 bytes"), "%s", err_msg());
	snprintf(path, sizeof(path), "%s/none", dir);
	CHECK(procfs_read_alloc(path, 1 << 20, &got) == -ENOENT && strstr(err_msg(), "/none"),
	      "%s", err_msg());
	free(big);
	rm_fake();
}

/* The value of series @name at sample @i, or -1. */
static double point(struct series_set *out, const char *name, size_t i)
{
	struct series *s = series_find(out, name);

	return s && i < s->n ? s->v[i] : -1;
}

/*
 * Counts kept by address at each sample and named only at the end: the
 * values at each sample time as they were then, a function first seen
 * late zero before, two addresses of one function ("foo", "foo.isra.0")
 * summed, mmu_shrink_scan all zero when no address was it, a function
 * kallsyms cannot name kept under its address.
 */
static void tally_named_at_end(void)
{
	static const char *const always[] = { "mmu_shrink_scan", NULL };
	struct shrink_tally t = { 0 };
	struct series_set out = { 0 };
	struct kallsyms k = { 0 };
	struct series *s;

	fake_tracefs();
	put_kallsyms();
	CHECK(!shrink_tally_pass(&t, A_SUPER) && !shrink_tally_freed(&t, A_SUPER, 10), "count");
	CHECK(!shrink_tally_snap(&t, 100), "snap");
	CHECK(!shrink_tally_pass(&t, A_SHADOW) && !shrink_tally_freed(&t, A_SHADOW, -1) &&
	      !shrink_tally_pass(&t, A_SHADOW + 8) && !shrink_tally_freed(&t, A_SHADOW + 8, 5) &&
	      !shrink_tally_pass(&t, 0x42), "count");
	CHECK(!shrink_tally_snap(&t, 200), "snap");
	CHECK(!shrink_tally_pass(&t, A_SUPER), "count");
	CHECK(!shrink_tally_snap(&t, 300), "snap");
	CHECK(t.passes == 5 && t.freed == 15, "all: %llu %llu", (unsigned long long)t.passes,
	      (unsigned long long)t.freed);
	CHECK(!kallsyms_load(&k, dir), "%s", err_msg());
	CHECK(!shrink_tally_emit(&t, &k, always, &out), "%s", err_msg());
	s = series_find(&out, "shrink.super_cache_scan.count_passes");
	CHECK(s && s->n == 3 && s->t_ns[0] == 100 && s->t_ns[2] == 300, "times");
	CHECK(point(&out, "shrink.super_cache_scan.count_passes", 0) == 1 &&
	      point(&out, "shrink.super_cache_scan.count_passes", 2) == 2, "super passes");
	CHECK(point(&out, "shrink.super_cache_scan.pass_freed", 2) == 10, "super freed");
	CHECK(point(&out, "shrink.scan_shadow_nodes.count_passes", 0) == 0 &&
	      point(&out, "shrink.scan_shadow_nodes.count_passes", 1) == 2 &&
	      point(&out, "shrink.scan_shadow_nodes.pass_freed", 2) == 5, "shadow, summed");
	CHECK(point(&out, "shrink.mmu_shrink_scan.count_passes", 2) == 0 &&
	      series_find(&out, "shrink.mmu_shrink_scan.count_passes")->n == 3, "kvm zeros");
	CHECK(point(&out, "shrink.0x42.count_passes", 1) == 1, "unnamed by address");
	CHECK(out.n == 8, "%zu series", out.n);
	kallsyms_free(&k);
	series_set_free(&out);
	shrink_tally_free(&t);
	rm_fake();
}

static void events_switched(void)
{
	struct trace_inst t;

	fake_tracefs_events();
	CHECK(!trace_inst_create(&t, dir, "unit-ev"), "%s", err_msg());
	CHECK(trace_inst_event(&t, "vmscan/mm_shrink_slab_start", 1) == -ENOENT &&
	      strstr(err_msg(), "no trace event vmscan/mm_shrink_slab_start"), "%s", err_msg());
	mkdirs("instances/kvmsqueeze-unit-ev/events/vmscan/mm_shrink_slab_start");
	put("instances/kvmsqueeze-unit-ev/events/vmscan/mm_shrink_slab_start/enable", "0");
	CHECK(!trace_inst_event(&t, "vmscan/mm_shrink_slab_start", 1), "%s", err_msg());
	CHECK(!strcmp(get("instances/kvmsqueeze-unit-ev/events/vmscan/mm_shrink_slab_start/enable"),
		      "1"), "enable: '%s'", text);
	CHECK(trace_inst_event(&t, "vmscan/mm_no_such", 1) == -ENOENT, "%s", err_msg());
	CHECK(trace_inst_event(&t, "no_slash", 1) == -EINVAL, "%s", err_msg());
	trace_inst_destroy(&t);
	rm_fake();
}

/*
 * libtracefs writes probes to dynamic_events when the host's tracefs has
 * one, else to kprobe_events (both take the same commands): the fake
 * tree has both, and this says which one changed from @was.
 */
static const char *probe_file(const char *was)
{
	static char other[sizeof(text)];

	snprintf(other, sizeof(other), "%s", get("dynamic_events"));
	return strcmp(get("kprobe_events"), was) ? "kprobe_events" :
	       strcmp(other, was) ? "dynamic_events" : NULL;
}

/*
 * kprobe_events opened with O_TRUNC drops every probe of the host: on a
 * plain file, what is written lands over the start of what was there,
 * which stays as long as it was.
 */
static void kprobe_no_trunc(void)
{
	static const char host[] =
		"p:perf/open_with_a_long_name do_sys_openat2 dfd=%di filename=+0(%si):string\n";
	static const char ours[] = "r:kvmsqueeze/f_1 f ret=$retval:u64\n";
	struct tracefs_dynevent *kp;
	const char *file;

	fake_tracefs();
	CHECK(trace_kretprobe_add(dir, "f_1", "f", "ret=$retval:u64", &kp) == -EOPNOTSUPP &&
	      strstr(err_msg(), "CONFIG_KPROBE_EVENTS"), "no kprobe_events: %s", err_msg());
	put("kprobe_events", host);
	put("dynamic_events", host);
	CHECK(!trace_kretprobe_add(dir, "f_1", "f", "ret=$retval:u64", &kp), "%s", err_msg());
	file = probe_file(host);
	CHECK(file, "no probe written");
	if (!file)
		goto out;
	get(file);
	CHECK(!strncmp(text, ours, strlen(ours)) && strlen(text) == strlen(host),
	      "%s: '%s'", file, text);
	CHECK(!trace_kprobe_del(kp), "del");
	get(file);
	CHECK(!strncmp(text, "-:kvmsqueeze/f_1", 16) && strlen(text) == strlen(host),
	      "%s: '%s'", file, text);
out:
	rm_fake();
}

/* 6.12 refuses an unknown symbol with EINVAL; error_log says which. */
static void kprobe_refused(void)
{
	static const char def[] = "r:kvmsqueeze/mmu_shrink_scan_83 mmu_shrink_scan ret=$retval:u64";
	char why[128];

	fake_tracefs();
	trace_kprobe_error(dir, def, why, sizeof(why));
	CHECK(!why[0], "no error_log: '%s'", why);
	put("error_log",
	    "[   30.100000] trace_kprobe: error: Invalid probed address or symbol\n"
	    "  Command: r:kvmsqueeze/mmu_shrink_scan_83 mmu_shrink_scan ret=$retval:u64\n"
	    "                                          ^\n"
	    "[   31.200000] trace_kprobe: error: Maxactive is not for kprobe\n"
	    "  Command: r8:other/x foo\n"
	    "           ^\n");
	trace_kprobe_error(dir, def, why, sizeof(why));
	CHECK(!strcmp(why, "Invalid probed address or symbol"), "'%s'", why);
	trace_kprobe_error(dir, "r:kvmsqueeze/f_1 f", why, sizeof(why));
	CHECK(!why[0], "another command's error: '%s'", why);
	rm_fake();
}

static void profile(void)
{
	uint64_t hits = 0, misses = 0;

	fake_tracefs();
	put("kprobe_profile",
	    "  open                                                       12               0\n"
	    "  mmu_shrink_scan_4242                                       57               3\n");
	CHECK(!trace_kprobe_profile(dir, "mmu_shrink_scan_4242", &hits, &misses) &&
	      hits == 57 && misses == 3, "%llu hits, %llu misses", (unsigned long long)hits,
	      (unsigned long long)misses);
	CHECK(trace_kprobe_profile(dir, "mmu_shrink_scan_1", &hits, &misses) == -ENOENT,
	      "another event found");
	rm_fake();
}

static void create_errors(void)
{
	struct trace_inst t, again;

	CHECK(trace_inst_create(&t, "/nonexistent", "x") == -ENOENT &&
	      strstr(err_msg(), "tracefs is not mounted at /nonexistent"), "%s", err_msg());
	fake_tracefs();
	CHECK(trace_inst_create(&t, dir, "a/b") == -EINVAL, "a slash in the name");
	CHECK(!trace_inst_create(&t, dir, "unit-twice"), "%s", err_msg());
	CHECK(trace_inst_create(&again, dir, "unit-twice") == -EEXIST &&
	      strstr(err_msg(), "already exists"), "%s", err_msg());
	CHECK(!trace_inst_destroy(&t), "destroy");
	rm_fake();
}

/* Only what names a pid that is gone, and only ours. */
static void leftovers(void)
{
	char line[512], path[256];
	pid_t dead = gone_pid(), me = getpid();
	struct stat st;

	fake_tracefs();
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-20250101-000000-%d", dir, (int)dead);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-kprobe-%d", dir, (int)me);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-unit-samplers", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/instances/other-%d", dir, (int)dead);
	mkdir(path, 0755);
	snprintf(line, sizeof(line),
		 "r16:kvmsqueeze/mmu_shrink_scan_%d mmu_shrink_scan ret=$retval:u64\n"
		 "r16:kvmsqueeze/mmu_shrink_scan_%d mmu_shrink_scan ret=$retval:u64\n"
		 "p:perf/open_%d do_sys_open\n", (int)me, (int)dead, (int)dead);
	put("kprobe_events", line);
	put("dynamic_events", line);
	CHECK(trace_cleanup_leftovers(dir) == 2, "removed something else");
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-20250101-000000-%d", dir, (int)dead);
	CHECK(stat(path, &st), "the gone run's instance is still there");
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-kprobe-%d", dir, (int)me);
	CHECK(!stat(path, &st), "our own instance was removed");
	snprintf(path, sizeof(path), "%s/instances/kvmsqueeze-unit-samplers", dir);
	CHECK(!stat(path, &st), "an instance without a pid was removed");
	snprintf(path, sizeof(path), "%s/instances/other-%d", dir, (int)dead);
	CHECK(!stat(path, &st), "another tool's instance was removed");
	/* the one removal, written over the start of the plain file */
	snprintf(line, sizeof(line), "-:kvmsqueeze/mmu_shrink_scan_%d", (int)dead);
	CHECK(!strncmp(get("kprobe_events"), line, strlen(line)) ||
	      !strncmp(get("dynamic_events"), line, strlen(line)), "kprobe_events: '%s'", text);
	CHECK(trace_cleanup_leftovers("/nonexistent") == 0, "no tracefs");
	rm_fake();
}

UNIT_MAIN(T(shrink_records), T(kretprobe_records), T(raw_refused), T(func_names),
	  T(read_alloc), T(tally_named_at_end),
	  T(events_switched), T(kprobe_no_trunc), T(kprobe_refused), T(profile),
	  T(create_errors), T(leftovers))
