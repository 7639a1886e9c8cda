// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/samplers.c: the text parsers on real and hand-written kernel
 * files (tests/fixtures/) and on garbage, the samplers against a fixture
 * tree, and, where this host allows, the memcg and shrink_trace samplers
 * live. Run from the top of the tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "common/err.h"
#include "common/util.h"
#include "experiments/cgroup.h"
#include "experiments/procfs.h"
#include "experiments/sampler.h"
#include "experiments/series.h"

#define FIX	"tests/fixtures"

static char text[SAMPLER_TEXT_LEN];
static char skip_why[ERR_MSG_LEN + 64];

/* Key/value pairs a parser reported, in order. */
struct kv_list {
	int n;
	char key[512][PROCFS_KEY_LEN];
	double val[512];
};

static struct kv_list got;

static int kv_collect(const char *key, uint64_t val, void *arg)
{
	struct kv_list *l = arg;

	if (l->n == 512)
		return -ENOSPC;
	snprintf(l->key[l->n], sizeof(l->key[0]), "%s", key);
	l->val[l->n++] = (double)val;
	return 0;
}

static int psi_collect(const char *key, double val, void *arg)
{
	struct kv_list *l = arg;

	if (l->n == 512)
		return -ENOSPC;
	snprintf(l->key[l->n], sizeof(l->key[0]), "%s", key);
	l->val[l->n++] = val;
	return 0;
}

/* Was @key reported with @val? */
static bool kv_has(const struct kv_list *l, const char *key, double val)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->key[i], key))
			return l->val[i] == val;
	return false;
}

static ssize_t fixture(const char *rel)
{
	memset(&got, 0, sizeof(got));
	return procfs_read(text, sizeof(text), FIX "/%s", rel);
}

static void meminfo_fixture(void)
{
	ssize_t len = fixture("proc/meminfo");
	int ret;

	CHECK(len > 0, "%s", err_msg());
	ret = procfs_parse_meminfo(text, len, kv_collect, &got);
	CHECK(!ret, "%d: %s", ret, err_msg());
	CHECK(got.n == 54, "%d keys", got.n);
	CHECK(!strcmp(got.key[0], "MemTotal") && got.val[0] == 24683652, "first key");
	CHECK(kv_has(&got, "MemFree", 21981380), "MemFree");
	CHECK(kv_has(&got, "MemAvailable", 24089728), "MemAvailable");
	CHECK(kv_has(&got, "SecPageTables", 0), "SecPageTables");
	CHECK(kv_has(&got, "PageTables", 2528), "PageTables");
	CHECK(kv_has(&got, "SUnreclaim", 41208), "SUnreclaim");
	CHECK(kv_has(&got, "Active(anon)", 1516), "Active(anon)");
	CHECK(kv_has(&got, "HugePages_Total", 0), "a line without kB");
	CHECK(kv_has(&got, "DirectMap1G", 25165824), "last key");
}

static void vmstat_fixture(void)
{
	ssize_t len = fixture("proc/vmstat");
	int ret;

	CHECK(len > 0, "%s", err_msg());
	ret = procfs_parse_keyval(text, len, kv_collect, &got);
	CHECK(!ret, "%d: %s", ret, err_msg());
	CHECK(got.n == 192, "%d keys", got.n);
	CHECK(kv_has(&got, "nr_free_pages", 1313508), "nr_free_pages");
	CHECK(kv_has(&got, "workingset_refault_file", 205390), "workingset_refault_file");
	CHECK(kv_has(&got, "pgmajfault", 1697), "pgmajfault");
	CHECK(kv_has(&got, "slabs_scanned", 297), "slabs_scanned");
	CHECK(kv_has(&got, "pgscan_kswapd", 0), "pgscan_kswapd");
}

static void psi_fixtures(void)
{
	ssize_t len = fixture("proc/pressure/memory");
	int ret;

	CHECK(len > 0, "%s", err_msg());
	ret = procfs_parse_psi(text, len, psi_collect, &got);
	CHECK(!ret && got.n == 8, "%d, %d fields: %s", ret, got.n, err_msg());
	CHECK(kv_has(&got, "some_avg10", 0) && kv_has(&got, "full_total", 0), "zeros");

	len = fixture("cgroup/v2/memory.pressure");
	ret = procfs_parse_psi(text, len, psi_collect, &got);
	CHECK(!ret && got.n == 8, "%d, %d fields: %s", ret, got.n, err_msg());
	CHECK(!strcmp(got.key[0], "some_avg10") && got.val[0] == 1.52, "%s %f",
	      got.key[0], got.val[0]);
	CHECK(kv_has(&got, "some_avg300", 0.08), "some_avg300");
	CHECK(kv_has(&got, "some_total", 1234567), "some_total");
	CHECK(kv_has(&got, "full_avg10", 0.97), "full_avg10");
	CHECK(kv_has(&got, "full_total", 876543), "full_total");
}

static void memcg_v1_fixtures(void)
{
	uint64_t val;
	ssize_t len;
	int ret;

	len = fixture("cgroup/v1/memory.stat");
	ret = procfs_parse_keyval(text, len, kv_collect, &got);
	CHECK(!ret && got.n == 42, "%d, %d keys: %s", ret, got.n, err_msg());
	CHECK(kv_has(&got, "cache", 11972608), "cache");
	CHECK(kv_has(&got, "rss", 4472832), "rss");
	CHECK(kv_has(&got, "mapped_file", 7671808), "mapped_file");
	CHECK(kv_has(&got, "pgfault", 40152), "pgfault");
	CHECK(kv_has(&got, "total_pgmajfault", 1697), "total_pgmajfault");
	CHECK(!strcmp(got.key[20], "hierarchical_memory_limit") &&
	      got.val[20] == 9223372036854771712.0, "the largest value");

	len = fixture("cgroup/v1/memory.oom_control");
	ret = procfs_parse_keyval(text, len, kv_collect, &got);
	CHECK(!ret && got.n == 3 && kv_has(&got, "oom_kill", 0), "oom_control");

	len = fixture("cgroup/v1/memory.usage_in_bytes");
	CHECK(!procfs_parse_u64(text, len, &val) && val == 2200580096, "usage_in_bytes");
	len = fixture("cgroup/v1/memory.kmem.usage_in_bytes");
	CHECK(!procfs_parse_u64(text, len, &val) && val == 270831616, "kmem");
	len = fixture("cgroup/v1/memory.failcnt");
	CHECK(!procfs_parse_u64(text, len, &val) && val == 0, "failcnt");
}

static void memcg_v2_fixtures(void)
{
	uint64_t val;
	ssize_t len;
	int ret;

	len = fixture("cgroup/v2/memory.stat");
	ret = procfs_parse_keyval(text, len, kv_collect, &got);
	CHECK(!ret && got.n == 65, "%d, %d keys: %s", ret, got.n, err_msg());
	CHECK(kv_has(&got, "kernel", 9916416), "kernel");
	CHECK(kv_has(&got, "sec_pagetables", 2105344), "sec_pagetables");
	CHECK(kv_has(&got, "slab", 5111808), "slab");
	CHECK(kv_has(&got, "pgscan", 24576) && kv_has(&got, "pgsteal", 20480), "pgscan");
	CHECK(kv_has(&got, "numa_hint_faults", 0), "last key");

	len = fixture("cgroup/v2/memory.events");
	ret = procfs_parse_keyval(text, len, kv_collect, &got);
	CHECK(!ret && got.n == 6, "%d, %d keys", ret, got.n);
	CHECK(kv_has(&got, "high", 17) && kv_has(&got, "max", 3) &&
	      kv_has(&got, "oom_kill", 1), "events");

	len = fixture("cgroup/v2/memory.current");
	CHECK(!procfs_parse_u64(text, len, &val) && val == 336859136, "current");
}

static void shrinker_count_fixtures(void)
{
	static const struct { const char *file; uint64_t total; } cases[] = {
		{ "debugfs/shrinker/x86-mmu-3/count", 210 },
		{ "debugfs/shrinker/sb-tmpfs-7/count", 55 },
		{ "debugfs/shrinker/thp-deferred_split-11/count", 0 },
	};
	uint64_t total = 1;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ssize_t len = fixture(cases[i].file);

		CHECK(len >= 0 && !procfs_parse_shrinker_count(text, len, &total) &&
		      total == cases[i].total, "%s: %llu", cases[i].file,
		      (unsigned long long)total);
	}
}

enum parser {
	P_MEMINFO, P_KEYVAL, P_PSI, P_U64, P_SHRINKER, NR_PARSERS
};

static int parse_one(enum parser which, const char *buf, size_t len)
{
	uint64_t val;

	got.n = 0;
	switch (which) {
	case P_MEMINFO:
		return procfs_parse_meminfo(buf, len, kv_collect, &got);
	case P_KEYVAL:
		return procfs_parse_keyval(buf, len, kv_collect, &got);
	case P_PSI:
		return procfs_parse_psi(buf, len, psi_collect, &got);
	case P_U64:
		return procfs_parse_u64(buf, len, &val);
	default:
		return procfs_parse_shrinker_count(buf, len, &val);
	}
}

static void malformed(void)
{
	static const struct { enum parser p; const char *text; } bad[] = {
		{ P_MEMINFO, "\n" }, { P_MEMINFO, "MemFree: 1 kB\n\nSlab: 2 kB\n" },
		{ P_MEMINFO, "MemFree 123 kB" }, { P_MEMINFO, "MemFree: kB" },
		{ P_MEMINFO, "MemFree: 12 MB" }, { P_MEMINFO, ": 12 kB" },
		{ P_MEMINFO, "MemFree: -1 kB" }, { P_MEMINFO, "MemFree: 12 kB " },
		{ P_MEMINFO, "MemFree: 18446744073709551616 kB" },
		{ P_KEYVAL, "pgscan" }, { P_KEYVAL, "pgscan " }, { P_KEYVAL, "pgscan x" },
		{ P_KEYVAL, "pgscan 1 2" }, { P_KEYVAL, " pgscan 1" },
		{ P_KEYVAL, "pg-scan 1" }, { P_KEYVAL, "pgscan -1" },
		{ P_KEYVAL, "pgscan 1\r\n" }, { P_KEYVAL, "pgscan 99999999999999999999" },
		{ P_KEYVAL, "MemFree: 1 kB" }, { P_KEYVAL, "a 1\n\nb 2\n" },
		{ P_KEYVAL,
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1" },
		{ P_PSI, "some" }, { P_PSI, "some avg10" }, { P_PSI, "some avg10=" },
		{ P_PSI, "some avg10=1." }, { P_PSI, "sometimes avg10=1.00" },
		{ P_PSI, "full avg10=abc" }, { P_PSI, "partial avg10=1.00" },
		{ P_PSI, "some avg10=1.00 total=1 " }, { P_PSI, "some  =1" },
		{ P_U64, "" }, { P_U64, "abc" }, { P_U64, "12 13" }, { P_U64, "12\n13\n" },
		{ P_U64, "-1" }, { P_U64, "max" },
		{ P_SHRINKER, "1" }, { P_SHRINKER, "1 " }, { P_SHRINKER, "x 1" },
		{ P_SHRINKER, "1 2 x" }, { P_SHRINKER, "1  2" },
		{ P_SHRINKER, "1 18446744073709551615 1" },
	};
	enum parser p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(parse_one(bad[i].p, bad[i].text, strlen(bad[i].text)) == -EINVAL,
		      "parser %d accepted '%s'", bad[i].p, bad[i].text);
	for (p = 0; p < NR_PARSERS; p++)
		CHECK(parse_one(p, "pgscan 1\0 2\n", 12) == -EINVAL, "parser %d: a NUL", p);
	CHECK(parse_one(P_KEYVAL, "a 1\nb x\n", 8) == -EINVAL &&
	      strstr(err_msg(), "line 2"), "which line: %s", err_msg());
}

/* Random bytes and fixture text with random damage, in exact-size heap
 * buffers so that a sanitizer build sees any read past the end. */
static void garbage(void)
{
	static const char *const seeds[] = {
		"proc/meminfo", "proc/vmstat", "cgroup/v2/memory.pressure",
		"debugfs/shrinker/sb-tmpfs-7/count",
	};
	static const char alphabet[] = "0123456789 :\n.=-+kBsomefull_avgtotal\0\xff";
	unsigned int seed = 12345;
	int round, ret = 0;
	enum parser p;

	for (round = 0; round < 20000 && (!ret || ret == -EINVAL); round++) {
		ssize_t len = fixture(seeds[round % ARRAY_SIZE(seeds)]);
		size_t n = rand_r(&seed) % (len > 0 ? len : 1), i;
		char *buf = malloc(n ? n : 1);

		if (!buf)
			break;
		memcpy(buf, text, n);
		for (i = 0; i < n && round % 3; i += 1 + rand_r(&seed) % 64)
			buf[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		for (i = 0; i < n && !(round % 3); i++)
			buf[i] = (char)rand_r(&seed);
		for (p = 0; p < NR_PARSERS && (!ret || ret == -EINVAL); p++)
			ret = parse_one(p, buf, n);
		free(buf);
	}
	if (ret == -EINVAL)
		ret = 0;
	CHECK(!ret, "round %d: %d", round, ret);
}

/* The last value of series @name, or NAN-free false when there is none. */
static bool series_last(struct series_set *set, const char *name, double *v)
{
	struct series *s = series_find(set, name);

	if (!s || !s->n)
		return false;
	*v = s->v[s->n - 1];
	return true;
}

static size_t series_count(const struct series_set *set, const char *prefix)
{
	size_t i, n = 0;

	for (i = 0; i < set->n; i++)
		n += !strncmp(set->s[i].name, prefix, strlen(prefix));
	return n;
}

static struct sampler *sampler_by_name(struct sampler *s, const char *name)
{
	int i;

	for (i = 0; i < nr_sampler_ops; i++)
		if (!strcmp(s[i].ops->name, name))
			return &s[i];
	return NULL;
}

static bool unavailable_because(struct sampler *s, const char *name,
				 const char *reason)
{
	struct sampler *one = sampler_by_name(s, name);

	return one && !one->available && strstr(one->why, reason);
}

static const char *const fixture_vmstat_series[] = {
	"workingset_refault_anon", "workingset_refault_file", "allocstall_dma",
	"allocstall_dma32", "allocstall_normal", "allocstall_movable",
	"allocstall_device", "pgmajfault", "pgsteal_kswapd", "pgsteal_direct",
	"pgsteal_khugepaged", "pgsteal_proactive", "pgscan_kswapd",
	"pgscan_direct", "pgscan_khugepaged", "pgscan_proactive",
	"pgscan_direct_throttle", "pgscan_anon", "pgscan_file", "pgsteal_anon",
	"pgsteal_file", "slabs_scanned", "oom_kill",
};

static void fixture_tree_series(struct series_set *out)
{
	char name[SERIES_NAME_LEN];
	double v = -1;
	size_t i;

	CHECK(series_count(out, "meminfo.") == 8, "%zu", series_count(out, "meminfo."));
	CHECK(series_last(out, "meminfo.MemFree_kb", &v) && v == 21981380, "MemFree");
	CHECK(series_last(out, "meminfo.SecPageTables_kb", &v) && v == 0, "SecPageTables");
	CHECK(series_last(out, "meminfo.SUnreclaim_kb", &v) && v == 41208, "SUnreclaim");
	CHECK(series_count(out, "vmstat.") == ARRAY_SIZE(fixture_vmstat_series),
	      "%zu vmstat series", series_count(out, "vmstat."));
	for (i = 0; i < ARRAY_SIZE(fixture_vmstat_series); i++) {
		snprintf(name, sizeof(name), "vmstat.%s", fixture_vmstat_series[i]);
		CHECK(series_find(out, name), "no %s", name);
	}
	CHECK(series_last(out, "vmstat.workingset_refault_file", &v) && v == 205390, "refault");
	CHECK(series_last(out, "vmstat.slabs_scanned", &v) && v == 297, "slabs_scanned");
	CHECK(series_count(out, "psi.memory.") == 4, "psi");
	CHECK(series_last(out, "psi.memory.some_total_us", &v) && v == 0, "psi total");
	CHECK(series_find(out, "psi.memory.full_avg10"), "psi full_avg10");
	CHECK(series_count(out, "shrinker.") == 1, "shrinkers");
	CHECK(series_last(out, "shrinker.x86-mmu-3.count", &v) && v == 210, "x86-mmu-3");
	CHECK(!series_count(out, "memcg.") && !series_count(out, "shrink.") &&
	      !series_count(out, "kprobe."), "series from an unavailable sampler");
}

static void fixture_tree(void)
{
	struct sampler_env env = {
		.proc = FIX "/proc", .debugfs = FIX "/debugfs",
		.tracefs = FIX "/no-tracefs", .run_id = "unit-samplers",
	};
	struct sampler s[16];
	struct series_set out = { 0 };
	struct series *one;

	CHECK(nr_sampler_ops == 7, "%d samplers", nr_sampler_ops);
	samplers_open(s, &env, &out);
	CHECK(sampler_by_name(s, "meminfo")->available, "%s", sampler_by_name(s, "meminfo")->why);
	CHECK(!sampler_by_name(s, "meminfo")->note[0], "%s", sampler_by_name(s, "meminfo")->note);
	CHECK(sampler_by_name(s, "vmstat")->available, "%s", sampler_by_name(s, "vmstat")->why);
	CHECK(sampler_by_name(s, "psi")->available, "%s", sampler_by_name(s, "psi")->why);
	CHECK(sampler_by_name(s, "shrinker")->available, "%s",
	      sampler_by_name(s, "shrinker")->why);
	CHECK(unavailable_because(s, "memcg", "no memory cgroup"), "%s",
	      sampler_by_name(s, "memcg")->why);
	CHECK(unavailable_because(s, "shrink_trace", "tracefs is not mounted"), "%s",
	      sampler_by_name(s, "shrink_trace")->why);
	CHECK(unavailable_because(s, "shrink_kprobe", "tracefs is not mounted"), "%s",
	      sampler_by_name(s, "shrink_kprobe")->why);
	CHECK(!out.n, "series at open");
	samplers_sample(s, 1000000);
	samplers_sample(s, 2000000);
	fixture_tree_series(&out);
	one = series_find(&out, "meminfo.PageTables_kb");
	CHECK(one && one->n == 2 && one->t_ns[1] == 2000000 && one->v[1] == 2528,
	      "two samples");
	samplers_close(s);
	samplers_close(s);
	series_set_free(&out);
}

static int write_file(const char *path, const char *content, size_t len)
{
	FILE *f = fopen(path, "w");
	size_t n;

	if (!f)
		return -errno;
	n = fwrite(content, 1, len, f);
	return fclose(f) || n != len ? -EIO : 0;
}

/* A proc tree in @dir: the fixture meminfo without SecPageTables, no
 * pressure/. */
static int old_proc_make(char *dir)
{
	char path[PATH_MAX], *sec, *eol;
	ssize_t len = fixture("proc/meminfo");

	if (len < 0 || !mkdtemp(dir))
		return -1;
	sec = strstr(text, "SecPageTables:");
	eol = sec ? strchr(sec, '\n') : NULL;
	if (!eol)
		return -1;
	memmove(sec, eol + 1, text + len - eol);
	len -= eol + 1 - sec;
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	if (write_file(path, text, len))
		return -1;
	len = fixture("proc/vmstat");
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	return len < 0 ? -1 : write_file(path, text, len);
}

static void old_proc_remove(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/meminfo", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	unlink(path);
	rmdir(dir);
}

/* An older kernel: no SecPageTables, no PSI, no debugfs. */
static void missing_sources(void)
{
	char proc[] = "/tmp/kvmsqueeze-unit-proc-XXXXXX";
	struct sampler_env env = {
		.proc = proc, .debugfs = proc, .tracefs = proc, .run_id = "unit",
	};
	struct sampler s[16], *mi;
	struct series_set out = { 0 };

	if (old_proc_make(proc)) {
		CHECK(0, "cannot make a proc tree in %s", proc);
		return;
	}
	samplers_open(s, &env, &out);
	mi = sampler_by_name(s, "meminfo");
	CHECK(mi->available && strstr(mi->note, "no SecPageTables"), "note: %s", mi->note);
	CHECK(unavailable_because(s, "psi", "CONFIG_PSI"), "%s", sampler_by_name(s, "psi")->why);
	CHECK(unavailable_because(s, "shrinker", "CONFIG_SHRINKER_DEBUG"), "%s",
	      sampler_by_name(s, "shrinker")->why);
	samplers_sample(s, 1000);
	CHECK(series_count(&out, "meminfo.") == 7, "%zu", series_count(&out, "meminfo."));
	CHECK(!series_find(&out, "meminfo.SecPageTables_kb"), "a zero for a missing key");
	CHECK(!series_count(&out, "psi.") && !series_count(&out, "shrinker."),
	      "series from an unavailable sampler");
	samplers_close(s);
	series_set_free(&out);
	old_proc_remove(proc);
}

static void shrinker_reasons(void)
{
	char empty[] = "/tmp/kvmsqueeze-unit-debugfs-XXXXXX";
	struct sampler_env env = { .proc = FIX "/proc", .run_id = "unit" };
	struct sampler one = { .ops = &sampler_shrinker_ops, .env = &env };

	CHECK(mkdtemp(empty), "mkdtemp");
	env.debugfs = empty;
	CHECK(one.ops->open(&one) && strstr(err_msg(), "debugfs is not mounted"), "%s",
	      err_msg());
	rmdir(empty);
	env.debugfs = FIX "/no-such-dir";
	CHECK(one.ops->open(&one) && strstr(err_msg(), "debugfs is not mounted"), "%s",
	      err_msg());
	env.debugfs = FIX "/debugfs-nokvm";
	CHECK(one.ops->open(&one) == -ENOENT &&
	      strstr(err_msg(), "no x86-mmu shrinker registered"), "%s", err_msg());
}

/* A source that goes away mid-run: closed, unavailable, with the time. */
static void failing_midrun(void)
{
	char proc[] = "/tmp/kvmsqueeze-unit-proc-XXXXXX";
	char path[PATH_MAX + 16];
	struct sampler_env env = {
		.proc = proc, .debugfs = proc, .tracefs = proc, .run_id = "unit",
	};
	struct sampler s[16], *vm;
	struct series_set out = { 0 };

	if (old_proc_make(proc)) {
		CHECK(0, "cannot make a proc tree in %s", proc);
		return;
	}
	samplers_open(s, &env, &out);
	samplers_sample(s, 1000000000);
	snprintf(path, sizeof(path), "%s/vmstat", proc);
	write_file(path, "pgscan_kswapd 1\ngarbage\n", 24);
	samplers_sample(s, 2500000000ull);
	vm = sampler_by_name(s, "vmstat");
	CHECK(!vm->available && !vm->is_open && vm->failed_ns == 2500000000ull &&
	      strstr(vm->why, "failed at 2.500 s") && strstr(vm->why, "line 2"),
	      "%s", vm->why);
	CHECK(series_find(&out, "vmstat.pgscan_kswapd") &&
	      series_find(&out, "vmstat.pgscan_kswapd")->n == 1, "a point from the bad sample");
	CHECK(sampler_by_name(s, "meminfo")->available, "meminfo went down too");
	samplers_sample(s, 3000000000ull);
	CHECK(series_find(&out, "meminfo.MemFree_kb") &&
	      series_find(&out, "meminfo.MemFree_kb")->n == 3, "meminfo stopped");
	samplers_close(s);
	series_set_free(&out);
	old_proc_remove(proc);
}

/* The memcg sampler on a real tree of this host's controller. */
static void memcg_live(void)
{
	static const char *const children[] = { "vms" };
	static const char *const expect[][2] = {
		{ "memcg.current_bytes", "memcg.current_bytes" },
		{ "memcg.stat.rss", "memcg.stat.anon" },
		{ "memcg.stat.pgmajfault", "memcg.stat.pgmajfault" },
		{ "memcg.events.max", "memcg.events.max" },
		{ "memcg.events.oom_kill", "memcg.events.oom_kill" },
		{ "memcg.kernel_bytes", "memcg.pressure.some_avg10" },
		/* the kernel's high-water mark (v2: since 5.19, every lab kernel) */
		{ "memcg.peak_bytes", "memcg.peak_bytes" },
	};
	struct sampler_env env = { .cg_child = "vms" };
	struct sampler one = { .ops = &sampler_memcg_ops, .env = &env };
	struct series_set out = { 0 };
	struct cg_tree tree = { 0 };
	struct cg_host host;
	char run_id[64];
	int ret, v2;
	size_t i;

	if (cg_host_detect(&host))
		SKIP("no memory cgroup controller on this host");
	snprintf(run_id, sizeof(run_id), "unit-samplers-%d", (int)getpid());
	ret = cg_tree_create(&tree, &host, run_id, children, 1);
	if (ret) {
		snprintf(skip_why, sizeof(skip_why), "cannot create a cgroup: %s", err_msg());
		SKIP(skip_why);
	}
	v2 = tree.host.version == CG_V2;
	env.cg = &tree;
	one.out = &out;
	ret = one.ops->open(&one);
	CHECK(!ret, "%s", err_msg());
	CHECK(v2 || strstr(one.note, "no memory.pressure"), "v1 note: %s", one.note);
	if (!ret) {
		CHECK(!one.ops->sample(&one, 1), "%s", err_msg());
		one.ops->close(&one);
	}
	for (i = 0; i < ARRAY_SIZE(expect); i++)
		CHECK(series_find(&out, expect[i][v2]), "no %s (%s)", expect[i][v2],
		      cg_version_name(tree.host.version));
	CHECK(v2 || !series_count(&out, "memcg.pressure."), "v1 pressure");
	cg_tree_destroy(&tree);
	printf("# memcg_live (%s): note \"%s\"; series:", cg_version_name(tree.host.version),
	       one.note);
	for (i = 0; i < out.n; i++)
		printf(" %s", out.s[i].name);
	printf("\n");
	series_set_free(&out);
}

static bool dir_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* drop_caches calls shrink_slab(): the tracepoints must see it. */
static void shrink_trace_live(void)
{
	struct sampler_env env = {
		.proc = "/proc", .debugfs = "/sys/kernel/debug",
		.tracefs = "/sys/kernel/tracing",
	};
	struct sampler one = { .ops = &sampler_shrink_trace_ops, .env = &env };
	struct series_set out = { 0 };
	char run_id[64], instance[PATH_MAX];
	double calls = 0, freed = -1, mmu = -1;
	struct series *one_series;
	size_t i;

	snprintf(run_id, sizeof(run_id), "unit-%d", (int)getpid());
	env.run_id = run_id;
	snprintf(instance, sizeof(instance), "%s/instances/kvmsqueeze-%s", env.tracefs,
		 run_id);
	one.out = &out;
	if (one.ops->open(&one)) {
		snprintf(skip_why, sizeof(skip_why), "%s", err_msg());
		SKIP(skip_why);
	}
	CHECK(dir_exists(instance), "no %s", instance);
	CHECK(!one.ops->sample(&one, 1), "%s", err_msg());
	if (write_file("/proc/sys/vm/drop_caches", "2", 1)) {
		one.ops->close(&one);
		series_set_free(&out);
		SKIP("cannot write /proc/sys/vm/drop_caches");
	}
	CHECK(!one.ops->sample(&one, 2), "%s", err_msg());
	CHECK(!series_find(&out, "shrink.mmu_shrink_scan.count_passes"),
	      "per-function series before the finish");
	one.ops->finish(&one);
	CHECK(series_last(&out, "shrink.all.count_passes", &calls) && calls > 0, "%g passes",
	      calls);
	CHECK(series_last(&out, "shrink.all.pass_freed", &freed) && freed >= 0, "freed");
	CHECK(series_last(&out, "shrink.mmu_shrink_scan.count_passes", &mmu),
	      "no mmu_shrink_scan");
	one_series = series_find(&out, "shrink.all.count_passes");
	CHECK(one_series && one_series->n == 2, "two samples");
	one.ops->close(&one);
	CHECK(!dir_exists(instance), "%s left behind", instance);
	printf("# shrink_trace_live: %g count passes, %g objects freed; series:", calls,
	       freed);
	for (i = 0; i < out.n; i++)
		printf(" %s", out.s[i].name);
	printf("\n");
	series_set_free(&out);
}

/* Is "kvmsqueeze/<event>" among the host's kprobe events? */
static bool kprobe_listed(const char *tracefs, const char *event)
{
	static char events[64 * 1024];
	char want[128];

	if (procfs_read(events, sizeof(events), "%s/kprobe_events", tracefs) < 0)
		return false;
	snprintf(want, sizeof(want), "kvmsqueeze/%s ", event);
	return strstr(events, want);
}

/*
 * The kretprobe on the KVM scan callback: there and counting the debugfs
 * scan file's calls, or unavailable saying why; never left behind.
 */
static void shrink_kprobe_live(void)
{
	struct sampler_env env = {
		.proc = "/proc", .debugfs = "/sys/kernel/debug",
		.tracefs = "/sys/kernel/tracing", .run_id = "unit",
	};
	struct sampler one = { .ops = &sampler_shrink_kprobe_ops, .env = &env };
	struct series_set out = { 0 };
	char event[64], instance[PATH_MAX];
	double calls = -1;
	int ret;

	snprintf(event, sizeof(event), "mmu_shrink_scan_%d", (int)getpid());
	snprintf(instance, sizeof(instance), "%s/instances/kvmsqueeze-kprobe-%d", env.tracefs,
		 (int)getpid());
	one.out = &out;
	ret = one.ops->open(&one);
	if (ret && !strstr(err_msg(), "no such function")) {
		snprintf(skip_why, sizeof(skip_why), "%s", err_msg());
		SKIP(skip_why);
	}
	if (ret) {	/* no KVM MMU shrinker here: said, and nothing left */
		CHECK(strstr(err_msg(), "mmu_shrink_scan is not in this kernel"), "%s", err_msg());
		CHECK(!kprobe_listed(env.tracefs, event) && !dir_exists(instance),
		      "a failed open left %s behind", event);
		printf("# shrink_kprobe_live: %s\n", err_msg());
		return;
	}
	CHECK(kprobe_listed(env.tracefs, event), "no kprobe %s", event);
	CHECK(!one.ops->sample(&one, 1), "%s", err_msg());
	CHECK(!one.ops->sample(&one, 2), "%s", err_msg());
	CHECK(series_last(&out, "kprobe.mmu_shrink_scan.calls", &calls) && calls >= 0,
	      "no calls series");
	one.ops->close(&one);
	CHECK(!kprobe_listed(env.tracefs, event), "kprobe %s left behind", event);
	CHECK(!dir_exists(instance), "%s left behind", instance);
	printf("# shrink_kprobe_live: %g calls of mmu_shrink_scan\n", calls);
	series_set_free(&out);
}

UNIT_MAIN(T(meminfo_fixture), T(vmstat_fixture), T(psi_fixtures),
	  T(memcg_v1_fixtures), T(memcg_v2_fixtures), T(shrinker_count_fixtures),
	  T(malformed), T(garbage),
	  T(fixture_tree), T(missing_sources), T(shrinker_reasons),
	  T(failing_midrun), T(memcg_live), T(shrink_trace_live), T(shrink_kprobe_live))
