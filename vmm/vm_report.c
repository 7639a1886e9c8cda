// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/vm_report.c: the summary of one VM run, as text for a terminal and
 * as JSON (json-c) for the runner and the analysis.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/command.h"
#include "common/err.h"
#include "common/json.h"
#include "common/util.h"
#include "vmm/hist.h"
#include "vmm/vm_report.h"

static const struct kvmsq_hist *vcpu_hist(const struct vcpu *vcpu, const char *name)
{
	int i;

	for (i = 0; i < vcpu->nr_hists; i++)
		if (!name || !strcmp(vcpu->hists[i].name, name))
			return vcpu->hists[i].hist;
	return NULL;
}

static const uint64_t *vcpu_counter(const struct vcpu *vcpu, const char *name)
{
	int i;

	for (i = 0; i < vcpu->nr_counters; i++)
		if (!strcmp(vcpu->counters[i].name, name))
			return &vcpu->counters[i].value;
	return NULL;
}

/* Host ns from this vCPU's first BEGIN of @name to its last END, or 0. */
static uint64_t vcpu_phase_ns(const struct vcpu *vcpu, const char *name,
			      uint64_t *begin, uint64_t *end)
{
	int i;

	*begin = *end = 0;
	for (i = 0; i < vcpu->nr_phases; i++) {
		const struct vcpu_phase *p = &vcpu->phases[i];

		if (strcmp(p->name, name))
			continue;
		if (p->edge == KVMSQ_PHASE_BEGIN && !*begin)
			*begin = p->host_ns;
		else if (p->edge == KVMSQ_PHASE_END)
			*end = p->host_ns;
	}
	return *begin && *end > *begin ? *end - *begin : 0;
}

static double vcpu_seconds(const struct vcpu *vcpu)
{
	uint64_t b, e, ns = 0;

	if (vcpu->nr_phases)
		ns = vcpu_phase_ns(vcpu, vcpu->phases[0].name, &b, &e);
	if (!ns)
		ns = vcpu->end_ns - vcpu->start_ns;
	return ns / 1e9;
}

static void report_vcpu_line(const struct vm *vm, const struct vcpu *vcpu, FILE *out)
{
	const struct kvmsq_hist *h = vcpu_hist(vcpu, NULL);
	const uint64_t *pages = vcpu_counter(vcpu, "pages_touched");
	double secs = vcpu_seconds(vcpu);
	uint64_t khz = vm->tsc_khz;

	fprintf(out, "%5d %-9s %10" PRIu64 " %8.3f %10.0f", vcpu->id,
		vcpu->end == VCPU_EXITED && vcpu->exit_code ? "exit!=0" : vcpu_end_name(vcpu->end),
		pages ? *pages : 0, secs, pages && secs > 0 ? *pages / secs : 0);
	if (h && h->count)
		fprintf(out, " %8.0f %8.0f %8.0f %10.0f",
			cycles_to_ns(hist_quantile(h, 0.50), khz),
			cycles_to_ns(hist_quantile(h, 0.99), khz),
			cycles_to_ns(hist_quantile(h, 0.999), khz),
			cycles_to_ns(h->max, khz));
	fputc('\n', out);
}

/* The KVM statistics worth a glance at, summed over vCPUs where per vCPU. */
static const char *const stats_highlight[] = {
	"pages_4k", "pages_2m", "pages_1g", "mmu_shadow_zapped", "mmu_pte_write",
	"mmu_flooded", "mmu_recycled", "mmu_cache_miss", "mmu_unsync",
	"remote_tlb_flush", "pf_fixed", "pf_taken", "pf_guest", "exits",
	"io_exits", "halt_exits", "invlpg", "tlb_flush",
};

static int64_t stat_delta(const struct kvm_stats *st, const uint64_t *start,
			  const uint64_t *end, const char *name, bool *found)
{
	const struct kvm_stat *s = kvm_stats_find(st, name);

	if (!s || s->size != 1)
		return 0;
	*found = true;
	return (int64_t)(end[s->index] - start[s->index]);
}

static void report_stats(const struct vm *vm, FILE *out)
{
	unsigned int i;
	int col = 0, v;

	fprintf(out, "kvm stats (end - start):");
	for (i = 0; i < ARRAY_SIZE(stats_highlight); i++) {
		const char *name = stats_highlight[i];
		bool found = false;
		int64_t d = stat_delta(&vm->stats, vm->stats_start, vm->stats_end, name, &found);

		for (v = 0; v < vm->cfg.nr_vcpus; v++) {
			const struct vcpu *vcpu = &vm->vcpus[v];

			d += stat_delta(&vcpu->stats, vcpu->stats_start, vcpu->stats_end,
					name, &found);
		}
		if (!found || !d)
			continue;
		if (col % 3 == 0)
			fprintf(out, "\n ");
		fprintf(out, " %-18s %10" PRId64, name, d);
		col++;
	}
	fputc('\n', out);
}

void vm_report_text(const struct vm *vm, const struct host_info *host, FILE *out)
{
	char mem[32];
	int i;

	format_size(vm->cfg.mem_bytes, mem, sizeof(mem));
	fprintf(out, "guest %s: %d vCPU%s, %s %s, %" PRIu64 "K guest pages, mmu %s (%s), %.3f s\n",
		vm->cfg.guest_name, vm->cfg.nr_vcpus, vm->cfg.nr_vcpus == 1 ? "" : "s", mem,
		mem_backing_name(vm->cfg.backing), vm->cfg.page_bytes / KiB,
		host->mmu, host->mmu_reason[0] ? host->mmu_reason : "no vendor module seen",
		(vm->end_ns - vm->start_ns) / 1e9);
	fprintf(out, " vcpu end            pages  seconds    pages/s  p50(ns)  p99(ns) p999(ns)    max(ns)\n");
	for (i = 0; i < vm->cfg.nr_vcpus; i++)
		report_vcpu_line(vm, &vm->vcpus[i], out);
	if (vm->cfg.memslot_churn_ms)
		fprintf(out, "memslot churn every %u ms: %" PRIu64 " creates, %" PRIu64 " deletes, %" PRIu64 " failures%s%s\n",
			vm->cfg.memslot_churn_ms, vm->churn.creates, vm->churn.deletes,
			vm->churn.failures, vm->churn.first_error[0] ? ": " : "",
			vm->churn.first_error);
	report_stats(vm, out);
}

/* --- JSON --- */

static struct json_object *json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static struct json_object *hist_json(const struct kvmsq_hist *h, uint64_t khz)
{
	struct json_object *o = json_object_new_object();
	struct json_object *b = json_object_new_array();
	static const struct { const char *name; double q; } qs[] = {
		{ "p50", 0.50 }, { "p90", 0.90 }, { "p99", 0.99 }, { "p999", 0.999 },
	};
	unsigned int i;

	json_object_object_add(o, "count", json_u64(h->count));
	for (i = 0; i < ARRAY_SIZE(qs); i++)
		json_object_object_add(o, qs[i].name, json_object_new_double(
			cycles_to_ns(hist_quantile(h, qs[i].q), khz)));
	json_object_object_add(o, "min", json_object_new_double(
		h->count ? cycles_to_ns(h->min, khz) : 0));
	json_object_object_add(o, "max", json_object_new_double(cycles_to_ns(h->max, khz)));
	json_object_object_add(o, "mean", json_object_new_double(
		h->count ? cycles_to_ns(h->sum, khz) / (double)h->count : 0));
	/* the exact total: means over vCPUs and VMs without bucket error */
	json_object_object_add(o, "sum_cycles", json_u64(h->sum));
	/* exact cycles, so histograms can be merged across vCPUs and runs */
	json_object_object_add(o, "bucket_unit", json_object_new_string("tsc_cycles"));
	for (i = 0; i < KVMSQ_HIST_BUCKETS; i++) {
		struct json_object *row;

		if (!h->buckets[i])
			continue;
		row = json_object_new_array();
		json_object_array_add(row, json_u64(kvmsq_hist_lower(i)));
		json_object_array_add(row, json_u64(kvmsq_hist_width(i)));
		json_object_array_add(row, json_u64(h->buckets[i]));
		json_object_array_add(b, row);
	}
	json_object_object_add(o, "buckets", b);
	return o;
}

static struct json_object *stats_json(const struct kvm_stats *st, const uint64_t *values)
{
	struct json_object *o = json_object_new_object();
	uint32_t i, j;

	for (i = 0; i < st->nr; i++) {
		const struct kvm_stat *s = &st->stat[i];

		if (s->size == 1) {
			json_object_object_add(o, s->name, json_u64(values[s->index]));
			continue;
		}
		struct json_object *a = json_object_new_array();

		for (j = 0; j < s->size; j++)
			json_object_array_add(a, json_u64(values[s->index + j]));
		json_object_object_add(o, s->name, a);
	}
	return o;
}

static struct json_object *stats_pair_json(const struct kvm_stats *st,
					   const uint64_t *start, const uint64_t *end)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "start", stats_json(st, start));
	json_object_object_add(o, "end", stats_json(st, end));
	return o;
}

/*
 * The keys vcpu_json() writes itself. The guests' histograms go beside
 * them as "<name>_ns", so the mailbox refuses names that would collide.
 */
static const char *const vcpu_keys[] = {
	"id", "end", "exit_code", "error", "run_ns", "seconds", "pages_touched",
	"counters", "phases", "exits",
};

bool vm_report_vcpu_key_taken(const char *key)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vcpu_keys); i++)
		if (!strcmp(vcpu_keys[i], key))
			return true;
	return false;
}

static struct json_object *vcpu_json(const struct vm *vm, const struct vcpu *vcpu)
{
	struct json_object *o = json_object_new_object();
	struct json_object *counters = json_object_new_object();
	struct json_object *phases = json_object_new_array();
	struct json_object *exits = json_object_new_object();
	const uint64_t *pages = vcpu_counter(vcpu, "pages_touched");
	char key[KVMSQ_NAME_LEN + 8];
	int i;

	json_object_object_add(o, "id", json_object_new_int(vcpu->id));
	json_object_object_add(o, "end", json_object_new_string(vcpu_end_name(vcpu->end)));
	if (vcpu->end == VCPU_EXITED)
		json_object_object_add(o, "exit_code", json_object_new_int(vcpu->exit_code));
	if (vcpu->error[0])
		json_object_object_add(o, "error", json_object_new_string(vcpu->error));
	json_object_object_add(o, "run_ns", json_u64(vcpu->end_ns - vcpu->start_ns));
	json_object_object_add(o, "seconds", json_object_new_double(vcpu_seconds(vcpu)));
	if (pages)
		json_object_object_add(o, "pages_touched", json_u64(*pages));
	for (i = 0; i < vcpu->nr_counters; i++)
		json_object_object_add(counters, vcpu->counters[i].name,
				       json_u64(vcpu->counters[i].value));
	json_object_object_add(o, "counters", counters);
	for (i = 0; i < vcpu->nr_hists; i++) {
		snprintf(key, sizeof(key), "%s_ns", vcpu->hists[i].name);
		json_object_object_add(o, key, hist_json(vcpu->hists[i].hist, vm->tsc_khz));
	}
	for (i = 0; i < vcpu->nr_phases; i++) {
		const struct vcpu_phase *p = &vcpu->phases[i];
		struct json_object *ph = json_object_new_object();

		json_object_object_add(ph, "name", json_object_new_string(p->name));
		json_object_object_add(ph, "edge", json_object_new_string(
			p->edge == KVMSQ_PHASE_BEGIN ? "begin" : "end"));
		json_object_object_add(ph, "tsc", json_u64(p->tsc));
		json_object_object_add(ph, "host_ns", json_u64(p->host_ns - vm->start_ns));
		json_object_array_add(phases, ph);
	}
	json_object_object_add(o, "phases", phases);
	for (i = 0; i < VCPU_EXIT_REASONS; i++) {
		const char *name = kvm_exit_name(i);

		if (vcpu->exits[i] && name)
			json_object_object_add(exits, name, json_u64(vcpu->exits[i]));
	}
	json_object_object_add(o, "exits", exits);
	return o;
}

/* Distinct phase names over all vCPUs, in order of first mention. */
static int phase_names(const struct vm *vm, const char **names, int max)
{
	int i, j, k, n = 0;

	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		for (j = 0; j < vm->vcpus[i].nr_phases; j++) {
			const char *name = vm->vcpus[i].phases[j].name;

			for (k = 0; k < n && strcmp(names[k], name); k++)
				;
			if (k == n && n < max)
				names[n++] = name;
		}
	}
	return n;
}

/* Each phase across vCPUs: first BEGIN to last END, host clock. */
static struct json_object *phases_json(const struct vm *vm)
{
	struct json_object *a = json_object_new_array();
	const char *names[VCPU_MAX_PHASES];
	int i, k, n = phase_names(vm, names, VCPU_MAX_PHASES);

	for (i = 0; i < n; i++) {
		uint64_t first = UINT64_MAX, last = 0, b, e;
		struct json_object *o;
		int nr = 0;

		for (k = 0; k < vm->cfg.nr_vcpus; k++) {
			if (!vcpu_phase_ns(&vm->vcpus[k], names[i], &b, &e))
				continue;
			nr++;
			if (b < first)
				first = b;
			if (e > last)
				last = e;
		}
		if (!nr)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(names[i]));
		json_object_object_add(o, "begin_ns", json_u64(first - vm->start_ns));
		json_object_object_add(o, "end_ns", json_u64(last - vm->start_ns));
		json_object_object_add(o, "duration_ns", json_u64(last - first));
		json_object_object_add(o, "vcpus", json_object_new_int(nr));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *host_info_json(const struct host_info *host)
{
	struct json_object *o = json_object_new_object();
	struct json_object *params = json_object_new_object();
	char key[128];
	int i;

	json_object_object_add(o, "kernel_release", jstr(host->kernel_release));
	json_object_object_add(o, "kernel_version", jstr(host->kernel_version));
	json_object_object_add(o, "cpu_model", jstr(host->cpu_model));
	json_object_object_add(o, "kvm_module", jstr(host->kvm_module));
	json_object_object_add(o, "mmu", jstr(host->mmu));
	json_object_object_add(o, "mmu_reason", jstr(host->mmu_reason));
	for (i = 0; i < host->nr_params; i++) {
		snprintf(key, sizeof(key), "%s.%s", host->params[i].module, host->params[i].name);
		json_object_object_add(params, key, jstr(host->params[i].value));
	}
	json_object_object_add(o, "kvm_params", params);
	return o;
}

static struct json_object *layout_json(const struct vm *vm)
{
	const struct vm_layout *l = &vm->layout;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "image_start", json_u64(l->image_start));
	json_object_object_add(o, "image_end", json_u64(l->image_end));
	json_object_object_add(o, "pt_start", json_u64(l->pt_start));
	json_object_object_add(o, "pt_end", json_u64(l->pt_end));
	json_object_object_add(o, "stack_start", json_u64(l->stack_start));
	json_object_object_add(o, "stack_end", json_u64(l->stack_end));
	json_object_object_add(o, "free_start", json_u64(l->free_start));
	json_object_object_add(o, "free_end", json_u64(l->free_end));
	return o;
}

/* The memslot churn's counts (read after the churn thread was joined). */
static struct json_object *churn_json(const struct vm *vm)
{
	const struct vm_churn *c = &vm->churn;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "period_ms", json_object_new_int((int)vm->cfg.memslot_churn_ms));
	json_object_object_add(o, "slot", json_object_new_int((int)VM_CHURN_SLOT));
	json_object_object_add(o, "gpa", json_u64(c->gpa));
	json_object_object_add(o, "bytes", json_u64(VM_CHURN_BYTES));
	json_object_object_add(o, "creates", json_u64(c->creates));
	json_object_object_add(o, "deletes", json_u64(c->deletes));
	json_object_object_add(o, "failures", json_u64(c->failures));
	json_object_object_add(o, "left_present", json_object_new_boolean(c->present));
	json_object_object_add(o, "error", c->first_error[0] ?
			       json_object_new_string(c->first_error) : NULL);
	return o;
}

struct json_object *vm_report_json(const struct vm *vm, const struct host_info *host)
{
	struct json_object *o = json_object_new_object();
	struct json_object *params = json_object_new_object();
	struct json_object *vcpus = json_object_new_array();
	struct json_object *kstats = json_object_new_object();
	struct json_object *kvcpus = json_object_new_array();
	struct json_object *tool = json_object_new_object();
	int i;

	json_object_object_add(tool, "name", json_object_new_string("kvmsqueeze"));
	json_object_object_add(tool, "version", json_object_new_string(KVMSQ_VERSION));
	json_object_object_add(o, "tool", tool);
	json_object_object_add(o, "guest", json_object_new_string(vm->cfg.guest_name));
	json_object_object_add(o, "mem_bytes", json_u64(vm->cfg.mem_bytes));
	json_object_object_add(o, "backing", json_object_new_string(mem_backing_name(vm->cfg.backing)));
	json_object_object_add(o, "guest_page_bytes", json_u64(vm->cfg.page_bytes));
	json_object_object_add(o, "nr_vcpus", json_object_new_int(vm->cfg.nr_vcpus));
	if (vm->cfg.nr_mmu_pages)
		json_object_object_add(o, "nr_mmu_pages", json_u64(vm->cfg.nr_mmu_pages));
	for (i = 0; i < vm->cfg.nr_params; i++)
		json_object_object_add(params, vm->cfg.params[i].key,
				       json_object_new_string(vm->cfg.params[i].value));
	json_object_object_add(o, "params", params);
	if (vm->cfg.memslot_churn_ms)
		json_object_object_add(o, "memslot_churn", churn_json(vm));
	json_object_object_add(o, "outcome", json_object_new_string(vm_outcome_name(vm->outcome)));
	if (vm->error[0])
		json_object_object_add(o, "error", json_object_new_string(vm->error));
	json_object_object_add(o, "run_ns", json_u64(vm->end_ns - vm->start_ns));
	json_object_object_add(o, "tsc_khz", json_u64(vm->tsc_khz));
	json_object_object_add(o, "layout", layout_json(vm));
	json_object_object_add(o, "phases", phases_json(vm));
	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		const struct vcpu *vcpu = &vm->vcpus[i];

		json_object_array_add(vcpus, vcpu_json(vm, vcpu));
		json_object_array_add(kvcpus, stats_pair_json(&vcpu->stats,
				      vcpu->stats_start, vcpu->stats_end));
	}
	json_object_object_add(o, "vcpus", vcpus);
	json_object_object_add(kstats, "vm", stats_pair_json(&vm->stats, vm->stats_start,
							     vm->stats_end));
	json_object_object_add(kstats, "vcpus", kvcpus);
	json_object_object_add(o, "kvm_stats", kstats);
	json_object_object_add(o, "host", host_info_json(host));
	return o;
}

/* All of @len, or an errno: a short write (a full disk) is retried until write() says why. */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int json_write_file(struct json_object *obj, const char *path)
{
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	char *tmp, *dir, *slash;
	int fd, dfd, err;

	if (!text)
		return err_set(ENOMEM, "writing %s: out of memory for its text", path);
	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
		return err_set(ENOMEM, "writing %s: out of memory", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* left by a process that had our pid and died */
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		err = errno;
		free(tmp);
		return err_set(err, "writing %s: %s", path, strerror(err));
	}
	err = write_all(fd, text, strlen(text));
	if (!err)
		err = write_all(fd, "\n", 1);
	if (!err && fsync(fd))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		unlink(tmp);
		free(tmp);
		return err_set(err, "writing %s: %s (%s)", path, strerror(err),
			       err == ENOSPC || err == EDQUOT ? "not written; free space there" :
			       "not written");
	}
	/* the rename itself reaches the disk with the directory */
	dir = tmp;
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(tmp);
	return 0;
}
