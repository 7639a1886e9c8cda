// SPDX-License-Identifier: GPL-2.0
/*
 * tests/fuzz/vm_input.c: a bounded, seeded fuzzer of what a guest hands
 * the VMM: guest ELF images and mailbox messages.
 *
 *   vm_input SECONDS SEED        cases 0, 1, ... until SECONDS have passed
 *   vm_input SECONDS SEED CASE   that one case (to reproduce a failure)
 *
 * Prints one line: "ok fuzz_vm_input: N cases (seed S)" or "not ok
 * fuzz_vm_input: seed S case N: what went wrong"; exit 0 or 1. Case N is
 * made from (SEED, N) alone. Cases run in a forked worker, so a crash or
 * a sanitizer report is caught and named, and a case that runs too long
 * is a hang. By N:
 *  - most cases: a few to 80 fuzzed mailbox messages through the decoder
 *    (mailbox_handle()) in-process, on a fake VM whose RAM is a buffer
 *    ending at a guard page, or a memfd with holes; every answer and
 *    every stored result is checked, and so is the results JSON;
 *  - every 8th: a mutated guest ELF through the loader, in-process;
 *  - every 128th, when /dev/kvm is usable: a whole VM, alternately a
 *    built-in guest with a few mutated bytes and the fuzz_mailbox guest
 *    playing a fuzzed script of port I/O and mailbox messages.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "abi/abi.h"
#include "abi/x86_pt.h"
#include "common/err.h"
#include "common/util.h"
#include "tests/guests/fuzz_script.h"
#include "vmm/guest_elf.h"
#include "vmm/guests.h"
#include "vmm/hist.h"
#include "vmm/host.h"
#include "vmm/kvm.h"
#include "vmm/vm.h"
#include "vmm/vm_report.h"

#define NAME			"fuzz_vm_input"
#define ELF_EVERY		8
#define VM_EVERY		128
#define CASE_LIMIT_NS		((uint64_t)10 * 1000000000)	/* in-process */
#define VM_CASE_LIMIT_NS	((uint64_t)60 * 1000000000)	/* a whole VM, loaded host */
#define RAM_CAP			(1 * MiB)	/* fake guest RAM for the decoder */
#define ELF_RAM			(KVMSQ_IMAGE_LIMIT + 64 * KiB)
#define ELF_FILE_MAX		(256 * KiB)
#define MAX_MSGS		80

/* --- shared with the parent: which case runs, and why it failed --- */

enum fuzz_stat {
	ST_MSG_OK, ST_MSG_REFUSED, ST_MSG_EXIT, ST_ELF_OK, ST_ELF_REFUSED,
	ST_VM_CREATE_FAILED, ST_VM_HOST_ERROR, ST_VM_RESULTS, ST_VM_OK,	/* + vm_outcome */
	ST_NR = ST_VM_OK + VM_INTERRUPTED + 1,
};

static const char *const stat_names[ST_NR] = {
	"messages accepted", "messages refused", "exits", "ELF loaded",
	"ELF refused", "VM create failed", "VM host error", "VM results stored",
	"VM ok", "VM guest exit code", "VM guest error", "VM timeout", "VM interrupted",
};

struct fuzz_shared {
	volatile uint64_t nr_case;	/* the case running, or the next one */
	volatile uint64_t case_start_ns;	/* 0 between cases */
	volatile uint64_t case_limit_ns;
	volatile int failed;
	char why[512];
	uint64_t stats[ST_NR];		/* FUZZ_VERBOSE=1 prints them */
};

static struct fuzz_shared *shared;

/* A check failed: say why (first failure only) and end the worker. */
static void __attribute__((noreturn, format(printf, 1, 2))) fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	vsnprintf(shared->why, sizeof(shared->why), fmt, ap);
	va_end(ap);
	for (p = shared->why; *p; p++)
		if (*p == '\n')
			*p = ' ';
	shared->failed = 1;
	_exit(1);
}

#define EXPECT(cond, ...)	do { if (!(cond)) fuzz_fail(__VA_ARGS__); } while (0)

/* --- deterministic randomness: case N of seed S --- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool one_in(uint64_t n)
{
	return below(n) == 0;
}

/*
 * How hostile this case is: the chance in 1024 that each choice goes
 * wrong. Mostly low, so message sequences run deep (to the per-vCPU
 * limits) before the one that lies.
 */
static unsigned int bad_per_1024;

static bool bad(void)
{
	return below(1024) < bad_per_1024;
}

static void hostility_pick(void)
{
	static const unsigned int rates[] = { 0, 4, 16, 64, 256, 1024 };

	bad_per_1024 = rates[below(ARRAY_SIZE(rates))];
}

/* Values that sit on edges: around 0, powers of two, the ends of RAM. */
static uint64_t interesting(uint64_t near)
{
	static const uint64_t fixed[] = {
		0, 1, 2, 7, 8, 23, 24, 31, 32, 63, 64, 4095, 4096, 0x2000,
		0x100000, 0x3fffff, 0x400000, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ull, 1ull << 34, 1ull << 63, UINT64_MAX - 1, UINT64_MAX,
	};

	switch (below(4)) {
	case 0:
		return fixed[below(ARRAY_SIZE(fixed))];
	case 1:
		return near + below(9) - 4;
	case 2:
		return 1ull << below(64);
	default:
		return rnd();
	}
}

/* --- checks shared by the cases --- */

/* An error must be one line of text that says something. */
static void check_error(int ret, const char *where)
{
	const char *msg = err_msg();

	EXPECT(ret < 0, "%s: returned %d, neither a result nor -errno", where, ret);
	EXPECT(strcmp(msg, "unknown error") && msg[0], "%s: error %d without a message", where, ret);
	EXPECT(!strchr(msg, '\n'), "%s: message of several lines: %s", where, msg);
	EXPECT(strlen(msg) < ERR_MSG_LEN, "%s: message not terminated", where);
}

static bool name_ok(const char *name)
{
	size_t i, n = strnlen(name, KVMSQ_NAME_LEN);

	if (n == 0 || n == KVMSQ_NAME_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '_' || name[i] == '-'))
			return false;
	return true;
}

/*
 * A histogram the VMM stored, checked independently of hist_check():
 * buckets add up to count, the mean lies in [min, max], and percentiles
 * are ordered inside [min, max].
 */
static void check_stored_hist(const struct kvmsq_hist *h, const char *name)
{
	static const double qs[] = { 0.5, 0.9, 0.99, 0.999, 1.0 };
	unsigned __int128 total = 0;
	uint64_t prev = 0, v;
	unsigned int i;

	for (i = 0; i < KVMSQ_HIST_BUCKETS; i++)
		total += h->buckets[i];
	EXPECT(total == h->count, "histogram %s stored with buckets not adding up to its count", name);
	if (!h->count) {
		EXPECT(!h->sum, "empty histogram %s stored with a sum", name);
		return;
	}
	EXPECT(h->min <= h->max, "histogram %s stored with min %" PRIu64 " > max %" PRIu64,
	       name, h->min, h->max);
	EXPECT((unsigned __int128)h->count * h->min <= h->sum &&
	       h->sum <= (unsigned __int128)h->count * h->max,
	       "histogram %s stored with its mean outside [min, max]: sum %" PRIu64 " of %" PRIu64 " values from %" PRIu64 " to %" PRIu64,
	       name, h->sum, h->count, h->min, h->max);
	for (i = 0; i < ARRAY_SIZE(qs); i++) {
		v = hist_quantile(h, qs[i]);
		EXPECT(v >= h->min && v <= h->max && v >= prev,
		       "histogram %s: q%.3f = %" PRIu64 " outside [%" PRIu64 ", %" PRIu64 "] or below the one before",
		       name, qs[i], v, h->min, h->max);
		prev = v;
	}
}

/* Everything a vCPU holds after messages the decoder accepted. */
static void check_vcpu_state(const struct vcpu *vcpu)
{
	char key[KVMSQ_NAME_LEN + 8];
	int i;

	EXPECT(vcpu->nr_phases >= 0 && vcpu->nr_phases <= VCPU_MAX_PHASES, "%d phases", vcpu->nr_phases);
	EXPECT(vcpu->nr_counters >= 0 && vcpu->nr_counters <= VCPU_MAX_COUNTERS, "%d counters",
	       vcpu->nr_counters);
	EXPECT(vcpu->nr_hists >= 0 && vcpu->nr_hists <= VCPU_MAX_HISTS, "%d histograms", vcpu->nr_hists);
	for (i = 0; i < vcpu->nr_phases; i++) {
		EXPECT(name_ok(vcpu->phases[i].name), "phase %d stored with a bad name", i);
		EXPECT(vcpu->phases[i].edge <= KVMSQ_PHASE_END, "phase %d: edge %u", i,
		       vcpu->phases[i].edge);
	}
	for (i = 0; i < vcpu->nr_counters; i++)
		EXPECT(name_ok(vcpu->counters[i].name), "counter %d stored with a bad name", i);
	for (i = 0; i < vcpu->nr_hists; i++) {
		EXPECT(name_ok(vcpu->hists[i].name), "histogram %d stored with a bad name", i);
		snprintf(key, sizeof(key), "%s_ns", vcpu->hists[i].name);
		EXPECT(!vm_report_vcpu_key_taken(key), "histogram '%s' takes the VMM's key %s",
		       vcpu->hists[i].name, key);
		check_stored_hist(vcpu->hists[i].hist, vcpu->hists[i].name);
	}
}

/* The results JSON keeps the VMM's own keys and every guest result. */
static void check_report(const struct vm *vm, const struct host_info *host)
{
	struct json_object *o = vm_report_json(vm, host), *vcpus, *v, *x, *c;
	char key[KVMSQ_NAME_LEN + 8];
	int i, k;

	EXPECT(o, "vm_report_json returned nothing");
	EXPECT(json_object_to_json_string(o), "the results do not serialize");
	EXPECT(json_object_object_get_ex(o, "vcpus", &vcpus) &&
	       json_object_array_length(vcpus) == (size_t)vm->cfg.nr_vcpus,
	       "results: vcpus[] is not one per vCPU");
	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		const struct vcpu *vcpu = &vm->vcpus[i];

		v = json_object_array_get_idx(vcpus, i);
		EXPECT(json_object_object_get_ex(v, "run_ns", &x) && json_object_is_type(x, json_type_int) &&
		       json_object_get_uint64(x) == vcpu->end_ns - vcpu->start_ns,
		       "results: vcpus[%d].run_ns is not the VMM's", i);
		EXPECT(json_object_object_get_ex(v, "id", &x) && json_object_get_int(x) == vcpu->id,
		       "results: vcpus[%d].id is not the VMM's", i);
		EXPECT(json_object_object_get_ex(v, "counters", &c) &&
		       json_object_object_length(c) == vcpu->nr_counters,
		       "results: vcpus[%d].counters has %d, the VMM %d", i,
		       c ? json_object_object_length(c) : -1, vcpu->nr_counters);
		for (k = 0; k < vcpu->nr_hists; k++) {
			snprintf(key, sizeof(key), "%s_ns", vcpu->hists[k].name);
			EXPECT(json_object_object_get_ex(v, key, &x) &&
			       json_object_object_get_ex(x, "count", &c) &&
			       json_object_get_uint64(c) == vcpu->hists[k].hist->count,
			       "results: vcpus[%d].%s lost its count", i, key);
		}
	}
	json_object_put(o);
}

/* --- mailbox messages, in guest RAM --- */

static const char *const bad_names[] = {
	"run", "id", "end", "error", "exits", "seconds", "counters", "phases",
	"abcdefghijklmnopqrstuvwx", "Caps", "sp ace", "", "tab\t", "dot.", "a/b",
};

/*
 * A name in a field of @field bytes: usually one of 48 good ones (so the
 * 32-counter and 8-histogram limits are reached and names repeat),
 * sometimes a reserved, too long or badly spelled one, or random bytes.
 */
static void make_name(char *dst, size_t field)
{
	size_t i, n;

	memset(dst, 0, field);
	if (!bad()) {
		n = (size_t)snprintf(dst, field, "%s%u", below(2) ? "n" : "fault_latency-",
				     (unsigned int)below(48));
		if (n >= field)
			dst[field - 1] = '\0';
		return;
	}
	if (!one_in(3)) {
		/* "run" (its run_ns is the VMM's) a third of the time */
		const char *name = bad_names[one_in(2) ? 0 : below(ARRAY_SIZE(bad_names))];

		n = strlen(name);
		memcpy(dst, name, n < field ? n : field);
		return;
	}
	n = below(field + 1);
	for (i = 0; i < n; i++)
		dst[i] = one_in(2) ? (char)rnd() : "abcdefghijklmnopqrstuvwxyz0123456789_-"[below(38)];
}

static void make_hist(struct kvmsq_hist *h)
{
	unsigned int i, n = (unsigned int)below(40);
	uint64_t v;

	kvmsq_hist_init(h);
	for (i = 0; i < n; i++) {
		switch (below(4)) {
		case 0: v = below(64); break;
		case 1: v = below(1000000); break;
		case 2: v = below(1ull << 40); break;
		default: v = interesting(0); break;
		}
		kvmsq_hist_add(h, v);
	}
	/* then, maybe, a lie */
	if (!bad())
		return;
	switch (below(8)) {
	case 0: h->count = interesting(h->count); break;
	case 1: h->sum = interesting(h->sum); break;
	case 2: h->min = interesting(h->min); break;
	case 3: h->max = interesting(h->max); break;
	case 4: h->buckets[below(KVMSQ_HIST_BUCKETS)] = interesting(1); break;
	case 5:
		h->buckets[below(KVMSQ_HIST_BUCKETS)]++;
		h->count++;
		break;
	case 6:
		/* consistent but enormous */
		kvmsq_hist_init(h);
		v = interesting(0);
		h->buckets[kvmsq_hist_index(v)] = interesting(UINT64_MAX);
		h->count = h->buckets[kvmsq_hist_index(v)];
		h->min = h->max = v;
		h->sum = v * h->count;
		break;
	default:
		break;
	}
}

/* Build one result block (counter or histogram) at @dst, @room bytes. */
static uint64_t make_result(uint8_t *dst, uint64_t room)
{
	struct kvmsq_hist_block blk;
	struct kvmsq_counter c;
	void *src;
	uint64_t len;

	if (one_in(2)) {
		memset(&c, 0, sizeof(c));
		c.hdr.kind = KVMSQ_RESULT_COUNTER;
		c.hdr.size = sizeof(c);
		make_name(c.hdr.name, sizeof(c.hdr.name));
		c.value = interesting(0);
		src = &c;
		len = sizeof(c);
	} else {
		memset(&blk.hdr, 0, sizeof(blk.hdr));
		blk.hdr.kind = KVMSQ_RESULT_HIST;
		blk.hdr.size = sizeof(blk);
		make_name(blk.hdr.name, sizeof(blk.hdr.name));
		make_hist(&blk.hist);
		src = &blk;
		len = sizeof(blk);
	}
	if (bad())	/* the header lies */
		((struct kvmsq_result_hdr *)src)->kind = (uint32_t)interesting(2);
	if (bad())
		((struct kvmsq_result_hdr *)src)->size = (uint32_t)interesting(len);
	if (len > room)
		len = room;
	memcpy(dst, src, len);
	return len;
}

/* Where the fuzzer writes messages: [base, base + bytes) of guest RAM. */
struct fake_ram {
	uint8_t *host;		/* the region, as the fuzzer sees it */
	uint64_t base;		/* its GPA */
	uint64_t bytes;
	uint64_t ram_bytes;	/* all of guest RAM, for the edges */
};

/* An offset in the region for @len bytes, or past its end (nothing written). */
static uint64_t pick_offset(const struct fake_ram *ram, uint64_t len)
{
	uint64_t last = ram->bytes - (len < ram->bytes ? len : 0);

	if (bad())
		return last + below(3);
	return below(last + 1);
}

/* The GPA of a payload: in the region, or often on (or past) an edge. */
static uint64_t to_gpa(const struct fake_ram *ram, uint64_t off, uint64_t len)
{
	if (bad())
		return interesting(ram->ram_bytes - (len < ram->ram_bytes ? len : 0));
	return ram->base + off;
}

/*
 * Write a message and its payload into RAM; return the GPA to hand the
 * mailbox port (a uint32_t, like the guest's outl).
 */
static uint32_t make_message(const struct fake_ram *ram)
{
	struct kvmsq_msg msg;
	uint64_t off, len = 0, room;

	memset(&msg, 0, sizeof(msg));
	if (bad())
		msg.cmd = (uint32_t)interesting(3);
	else
		msg.cmd = one_in(40) ? KVMSQ_MSG_EXIT : one_in(2) ? KVMSQ_MSG_PHASE : KVMSQ_MSG_RESULT;
	msg.tsc = rnd();
	switch (msg.cmd) {
	case KVMSQ_MSG_PHASE: {
		char name[32];

		make_name(name, bad() ? sizeof(name) : KVMSQ_NAME_LEN);
		msg.arg = (uint32_t)(bad() ? interesting(1) : below(2));
		len = bad() ? interesting(10) : strnlen(name, sizeof(name));
		off = pick_offset(ram, len);
		if (off < ram->bytes) {
			room = ram->bytes - off;
			memcpy(ram->host + off, name, room < sizeof(name) ? room : sizeof(name));
		}
		msg.addr = to_gpa(ram, off, len);
		break;
	}
	case KVMSQ_MSG_RESULT:
		off = pick_offset(ram, sizeof(struct kvmsq_hist_block));
		if (off < ram->bytes)
			len = make_result(ram->host + off, ram->bytes - off);
		if (bad())
			len = interesting(len);
		msg.addr = to_gpa(ram, off, len);
		break;
	case KVMSQ_MSG_EXIT:
		msg.arg = (uint32_t)interesting(0);
		msg.addr = interesting(0);
		break;
	default:
		msg.addr = interesting(0);
		len = interesting(0);
		break;
	}
	msg.len = len;
	off = pick_offset(ram, sizeof(msg));
	if (off < ram->bytes) {
		room = ram->bytes - off;
		memcpy(ram->host + off, &msg, room < sizeof(msg) ? room : sizeof(msg));
	}
	return (uint32_t)to_gpa(ram, off, sizeof(msg));
}

/* A few random bytes anywhere in RAM: messages that overlap and lie. */
static void scribble(const struct fake_ram *ram)
{
	int i, n = bad() ? (int)below(8) : 0;

	for (i = 0; i < n; i++)
		ram->host[below(ram->bytes)] = (uint8_t)rnd();
}

/* --- in-process: the mailbox decoder on a fake VM --- */

struct decoder_rig {
	uint8_t *buf;		/* RAM_CAP bytes, then a PROT_NONE page */
	int memfd;
	uint8_t *memfd_map;	/* RAM_CAP bytes of the memfd */
	struct host_info host;
};

static struct decoder_rig rig;

static void rig_init(void)
{
	long page = sysconf(_SC_PAGESIZE);

	rig.buf = mmap(NULL, RAM_CAP + page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(rig.buf != MAP_FAILED, "mmap: %s", strerror(errno));
	EXPECT(!mprotect(rig.buf + RAM_CAP, page, PROT_NONE), "mprotect: %s", strerror(errno));
	rig.memfd = memfd_create("fuzz-guest-ram", MFD_CLOEXEC);
	EXPECT(rig.memfd >= 0 && !ftruncate(rig.memfd, RAM_CAP), "memfd: %s", strerror(errno));
	rig.memfd_map = mmap(NULL, RAM_CAP, PROT_READ | PROT_WRITE, MAP_SHARED, rig.memfd, 0);
	EXPECT(rig.memfd_map != MAP_FAILED, "mmap memfd: %s", strerror(errno));
	memset(&rig.host, 0, sizeof(rig.host));
	snprintf(rig.host.mmu, sizeof(rig.host.mmu), "tdp");
}

static void on_phase_check(void *arg, int vcpu, const struct vcpu_phase *phase)
{
	(void)arg;
	EXPECT(vcpu == 0 && name_ok(phase->name), "on_phase called with a bad phase");
}

static void case_mailbox(void)
{
	static const uint64_t sizes[] = { 4096, 8192, 12 * KiB + 512, 64 * KiB, RAM_CAP };
	struct fake_ram ram;
	struct vcpu vcpu;
	struct vm vm;
	uint32_t gpa;
	int i, n, ret, hists_before;
	bool memfd = one_in(4);

	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	ram.bytes = sizes[below(ARRAY_SIZE(sizes))];
	if (ram.bytes % 4096 == 0 && !one_in(3))
		ram.bytes -= below(64);	/* RAM need not end on a page here */
	if (memfd) {
		/* a memfd with holes: the decoder reads it with pread */
		fallocate(rig.memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, RAM_CAP);
		ram.host = rig.memfd_map;
		vm.mem.fd = rig.memfd;
		vm.mem.backing = MEM_MEMFD;
	} else {
		/* RAM ends at the guard page: any read past it faults */
		ram.host = rig.buf + RAM_CAP - ram.bytes;
		memset(ram.host, one_in(2) ? 0 : (int)rnd(), ram.bytes);
		vm.mem.fd = -1;
		vm.mem.backing = MEM_ANON;
	}
	ram.base = 0;
	ram.ram_bytes = ram.bytes;
	vm.mem.host = ram.host;
	vm.mem.bytes = ram.bytes;
	vm.cfg.mem_bytes = ram.bytes;
	vm.cfg.nr_vcpus = 1;
	vm.cfg.guest_name = "fuzz";
	vm.cfg.on_phase = on_phase_check;
	vm.vcpus = &vcpu;
	vcpu.vm = &vm;
	vcpu.fd = -1;
	vcpu.stats.fd = -1;

	n = 1 + (int)below(one_in(2) ? MAX_MSGS : 8);
	for (i = 0; i < n; i++) {
		gpa = make_message(&ram);
		scribble(&ram);
		hists_before = vcpu.nr_hists;
		err_clear();
		ret = mailbox_handle(&vcpu, gpa);
		shared->stats[ret == VCPU_CONTINUE ? ST_MSG_OK : ret == VCPU_DONE ? ST_MSG_EXIT :
			      ST_MSG_REFUSED]++;
		if (ret == VCPU_CONTINUE) {
			check_vcpu_state(&vcpu);
			continue;
		}
		if (ret == VCPU_DONE) {
			EXPECT(vcpu.end == VCPU_EXITED, "message %d: done, but the vCPU did not exit", i);
			break;
		}
		check_error(ret, "mailbox_handle");
		EXPECT(vcpu.nr_hists == hists_before || vcpu.nr_hists == hists_before + 1,
		       "a refused message changed the histograms");
		check_vcpu_state(&vcpu);
		break;	/* the VMM stops the VM at the first bad message */
	}
	if (one_in(4))
		check_report(&vm, &rig.host);
	for (i = 0; i < vcpu.nr_hists; i++)
		free(vcpu.hists[i].hist);
}

/* --- in-process: the ELF loader --- */

struct elf_base {
	const uint8_t *elf;
	size_t bytes;
};

static struct elf_base elf_bases[16];
static int nr_elf_bases;
static uint8_t *fuzz_guest_elf;
static size_t fuzz_guest_bytes;
static uint8_t *elf_ram;	/* ELF_RAM bytes, then a PROT_NONE page */

static void elf_bases_init(void)
{
	size_t i;

	for (i = 0; guest_images[i].name && nr_elf_bases < (int)ARRAY_SIZE(elf_bases); i++) {
		const struct guest_image *img = &guest_images[i];

		elf_bases[nr_elf_bases].elf = img->start;
		elf_bases[nr_elf_bases].bytes = (size_t)(img->end - img->start);
		nr_elf_bases++;
	}
	if (fuzz_guest_elf) {
		elf_bases[nr_elf_bases].elf = fuzz_guest_elf;
		elf_bases[nr_elf_bases].bytes = fuzz_guest_bytes;
		nr_elf_bases++;
	}
	elf_ram = mmap(NULL, ELF_RAM + 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(elf_ram != MAP_FAILED, "mmap: %s", strerror(errno));
	EXPECT(!mprotect(elf_ram + ELF_RAM, 4096, PROT_NONE), "mprotect: %s", strerror(errno));
	memset(elf_ram, 0xa5, ELF_RAM);
}

static void put_field(uint8_t *buf, size_t len, size_t off, size_t width, uint64_t v)
{
	if (off <= len && width <= len - off)
		memcpy(buf + off, &v, width);
}

static bool fits(size_t len, size_t off, size_t width)
{
	return off <= len && width <= len - off;
}

/* Mutate a copy of a guest ELF: fields on edges, bytes, length. */
static size_t elf_mutate(uint8_t *buf, size_t len, size_t cap, int rounds)
{
	Elf64_Ehdr eh;
	size_t ph, off;
	int r;

	for (r = 0; r < rounds; r++) {
		memset(&eh, 0, sizeof(eh));
		memcpy(&eh, buf, len < sizeof(eh) ? len : sizeof(eh));
		ph = eh.e_phoff + below(eh.e_phnum ? eh.e_phnum : 1) * sizeof(Elf64_Phdr);
		switch (below(10)) {
		case 0:	/* a header field */
			off = below(sizeof(Elf64_Ehdr) / 2) * 2;
			put_field(buf, len, off, 1 << below(4), interesting(0));
			break;
		case 1:	/* phoff, phnum, entry */
			switch (below(3)) {
			case 0: put_field(buf, len, offsetof(Elf64_Ehdr, e_phoff), 8, interesting(eh.e_phoff)); break;
			case 1: put_field(buf, len, offsetof(Elf64_Ehdr, e_phnum), 2, interesting(eh.e_phnum)); break;
			default: put_field(buf, len, offsetof(Elf64_Ehdr, e_entry), 8, interesting(eh.e_entry)); break;
			}
			break;
		case 2: case 3: case 4: {	/* a program header field */
			static const size_t fields[] = {
				offsetof(Elf64_Phdr, p_offset), offsetof(Elf64_Phdr, p_vaddr),
				offsetof(Elf64_Phdr, p_paddr), offsetof(Elf64_Phdr, p_filesz),
				offsetof(Elf64_Phdr, p_memsz),
			};
			uint64_t cur = 0;

			off = ph + fields[below(ARRAY_SIZE(fields))];
			if (fits(len, off, 8))
				memcpy(&cur, buf + off, 8);
			put_field(buf, len, off, 8, one_in(2) ? interesting(cur) : cur + below(0x2000));
			if (one_in(4))
				put_field(buf, len, ph, 4, one_in(2) ? PT_LOAD : interesting(1));
			if (one_in(4))
				put_field(buf, len, ph + 4, 4, rnd() & 7);
			break;
		}
		case 5:	/* one program header over another */
			if (eh.e_phnum > 1 && fits(len, ph, sizeof(Elf64_Phdr)) &&
			    fits(len, eh.e_phoff, sizeof(Elf64_Phdr)))
				memmove(buf + ph, buf + eh.e_phoff, sizeof(Elf64_Phdr));
			break;
		case 6:	/* cut */
			len = below(len + 1);
			break;
		case 7:	/* grow with junk */
			while (len < cap && !one_in(64))
				buf[len++] = (uint8_t)rnd();
			break;
		default:	/* bytes */
			off = below(len ? len : 1);
			if (off < len)
				buf[off] ^= (uint8_t)(1 + below(255));
			break;
		}
	}
	return len;
}

/* Independently of the loader: what an accepted image must satisfy. */
static void check_accepted_elf(const uint8_t *buf, size_t len, uint64_t ram_bytes,
			       const struct elf_image *img)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i;

	EXPECT(img->start >= KVMSQ_IMAGE_BASE && img->start < img->end &&
	       img->end <= KVMSQ_IMAGE_LIMIT && img->end <= ram_bytes,
	       "accepted image 0x%" PRIx64 "-0x%" PRIx64 " outside the image area or RAM",
	       img->start, img->end);
	EXPECT(img->entry >= img->start && img->entry < img->end, "accepted entry 0x%" PRIx64
	       " outside the image", img->entry);
	memcpy(&eh, buf, sizeof(eh));
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		EXPECT(ph.p_vaddr == ph.p_paddr, "accepted a segment with vaddr 0x%" PRIx64
		       " != paddr 0x%" PRIx64, ph.p_vaddr, ph.p_paddr);
		EXPECT(ph.p_filesz <= ph.p_memsz && ph.p_offset <= len &&
		       ph.p_filesz <= len - ph.p_offset, "accepted a segment past the file");
		EXPECT(ph.p_paddr >= img->start && ph.p_memsz <= img->end - ph.p_paddr,
		       "a segment outside the image the loader reported");
		EXPECT(!memcmp(elf_ram + ph.p_paddr, buf + ph.p_offset, ph.p_filesz),
		       "segment at 0x%" PRIx64 " not copied", ph.p_paddr);
	}
}

/* Still the 0xa5 the RAM was filled with? */
static bool untouched(const uint8_t *p, uint64_t n)
{
	return !n || (p[0] == 0xa5 && !memcmp(p, p + 1, n - 1));
}

static void case_elf(void)
{
	static uint8_t buf[ELF_FILE_MAX];
	const struct elf_base *base = &elf_bases[below((uint64_t)nr_elf_bases)];
	uint64_t ram_bytes = one_in(4) ? KVMSQ_IMAGE_BASE + below(ELF_RAM - KVMSQ_IMAGE_BASE) : ELF_RAM;
	uint8_t *ram = elf_ram + ELF_RAM - ram_bytes;	/* ends at the guard page */
	struct elf_image img;
	size_t len = base->bytes < sizeof(buf) ? base->bytes : sizeof(buf);
	int ret;

	memcpy(buf, base->elf, len);
	len = elf_mutate(buf, len, sizeof(buf), 1 + (int)below(4));
	err_clear();
	ret = elf_load(buf, len, ram, ram_bytes, KVMSQ_IMAGE_BASE, KVMSQ_IMAGE_LIMIT, &img);
	shared->stats[ret ? ST_ELF_REFUSED : ST_ELF_OK]++;
	if (ret) {
		check_error(ret, "elf_load");
		EXPECT(untouched(ram, ram_bytes), "a refused image wrote guest RAM");
		return;
	}
	/* check against the RAM as the loader saw it: GPA 0 at @ram */
	if (ram != elf_ram)
		memmove(elf_ram, ram, ram_bytes);
	check_accepted_elf(buf, len, ram_bytes, &img);
	EXPECT(untouched(elf_ram, img.start) &&
	       untouched(elf_ram + img.end, ram_bytes - img.end),
	       "the loader wrote guest RAM outside its image 0x%" PRIx64 "-0x%" PRIx64,
	       img.start, img.end);
	memset(elf_ram, 0xa5, ELF_RAM);
}

/* --- whole VMs --- */

static struct kvm_sys kvm;
static bool have_kvm;

static void vm_case_check(struct vm *vm, int ret, const char *what)
{
	int i;

	if (ret) {
		shared->stats[ST_VM_HOST_ERROR]++;
		check_error(ret, what);
		return;
	}
	EXPECT(vm->outcome <= VM_INTERRUPTED, "%s: outcome %d", what, vm->outcome);
	shared->stats[ST_VM_OK + vm->outcome]++;
	if (vm->outcome == VM_GUEST_ERROR) {
		EXPECT(vm->error[0] && !strchr(vm->error, '\n'), "%s: guest error without a one-line message",
		       what);
	}
	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		EXPECT(vm->vcpus[i].end != VCPU_RUNNING, "%s: vCPU %d still running", what, i);
		check_vcpu_state(&vm->vcpus[i]);
		shared->stats[ST_VM_RESULTS] += vm->vcpus[i].nr_phases +
			vm->vcpus[i].nr_counters + vm->vcpus[i].nr_hists;
	}
	check_report(vm, &rig.host);
}

/* One op of the fuzz_mailbox guest's script: mostly messages. */
static void script_op(struct fuzz_op *op, const struct fake_ram *ram)
{
	static const uint16_t ports[] = {
		KVMSQ_PORT_SERIAL, KVMSQ_PORT_SERIAL_LSR, KVMSQ_PORT_MAILBOX, 0x80,
	};
	uint64_t k = below(20);

	op->size = (uint8_t)(one_in(8) ? rnd() : 1u << below(3));
	op->port = KVMSQ_PORT_SERIAL;
	if (k < 12) {
		op->kind = FUZZ_OP_MAILBOX;
		op->value = make_message(ram);
	} else if (k < 15) {
		op->kind = FUZZ_OP_OUT;
		op->size = 1;
		op->value = 'a' + (uint32_t)below(26);
	} else {
		op->kind = (uint8_t)(one_in(4) ? rnd() : 1 + below(FUZZ_OP_KINDS - 1));
		op->port = (uint16_t)(one_in(2) ? interesting(0x3f8) : ports[below(ARRAY_SIZE(ports))]);
		op->value = (uint32_t)interesting(0);
	}
}

static void case_vm(uint64_t nr)
{
	static uint8_t buf[ELF_FILE_MAX];
	bool script = (nr / VM_EVERY) % 2 && fuzz_guest_elf;
	struct vm_config cfg;
	struct vm vm;
	size_t len;
	int ret, i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.guest_name = "fuzz";
	cfg.mem_bytes = 16 * MiB;
	cfg.backing = one_in(3) ? MEM_MEMFD : MEM_ANON;
	cfg.page_bytes = one_in(4) ? X86_PAGE_2M : X86_PAGE_4K;
	cfg.nr_vcpus = 1 + (int)below(2);
	cfg.min_free_bytes = 64 * KiB;
	cfg.duration_s = 0.05;
	cfg.timeout_s = 0.2;
	if (script) {
		runtime_params_configure(&cfg);		/* the defaults it runs with */
		memcpy(buf, fuzz_guest_elf, fuzz_guest_bytes);
		len = fuzz_guest_bytes;
	} else {
		const struct guest_image *g = &guest_images[below(nr_builtin_guests)];

		builtin_guest_configure(&cfg, g->name, NULL);
		len = (size_t)(g->end - g->start);
		memcpy(buf, g->start, len);
		/* few mutations: the image still loads and runs, badly */
		for (i = (int)below(4); i > 0; i--)
			buf[below(len)] ^= (uint8_t)(1 + below(255));
	}
	cfg.elf = buf;
	cfg.elf_bytes = len;
	err_clear();
	ret = vm_create(&vm, &kvm, &cfg);
	if (ret) {
		shared->stats[ST_VM_CREATE_FAILED]++;
		check_error(ret, "vm_create");
		return;
	}
	if (script) {
		/* the script at free_start, its messages in the 256 KiB after it */
		struct fuzz_script *s = (void *)(vm.mem.host + vm.layout.free_start);
		uint64_t base = vm.layout.free_start + ALIGN_UP(sizeof(*s), 4096);
		struct fake_ram ram = {
			.host = vm.mem.host + base,
			.base = base,
			.bytes = 256 * KiB,
			.ram_bytes = vm.cfg.mem_bytes,
		};

		memset(s, 0, sizeof(*s));
		s->magic = one_in(32) ? (uint32_t)rnd() : FUZZ_SCRIPT_MAGIC;
		s->nr_ops = (uint32_t)(one_in(16) ? interesting(8) : below(FUZZ_SCRIPT_MAX_OPS));
		s->exit_code = (uint32_t)(one_in(4) ? interesting(0) : 0);
		for (i = 0; i < FUZZ_SCRIPT_MAX_OPS; i++)
			script_op(&s->ops[i], &ram);
		if (one_in(8))
			scribble(&ram);
	}
	ret = vm_run(&vm, NULL);
	vm_case_check(&vm, ret, script ? "VM with the fuzz_mailbox guest" : "VM with a mutated guest");
	vm_destroy(&vm);
}

/* --- the worker and the parent --- */

static uint64_t fuzz_seed;

static void case_run(uint64_t nr)
{
	rng_state = fuzz_seed * 0x2545f4914f6cdd1dull ^ nr * 0x9e3779b97f4a7c15ull;
	rnd();
	hostility_pick();
	if (nr % VM_EVERY == VM_EVERY - 1 && have_kvm)
		case_vm(nr);
	else if (nr % ELF_EVERY == ELF_EVERY - 1 || nr % VM_EVERY == VM_EVERY - 1)
		case_elf();
	else
		case_mailbox();
}

/* The fuzz_mailbox guest, built beside the fuzzer: BUILD/tests/guests/. */
static void fuzz_guest_load(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 32], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;
	int fd;

	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/../guests/fuzz_mailbox.elf", exe);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!fstat(fd, &st) && st.st_size > 0 && st.st_size <= (off_t)ELF_FILE_MAX) {
		fuzz_guest_elf = malloc((size_t)st.st_size);
		if (fuzz_guest_elf && read(fd, fuzz_guest_elf, (size_t)st.st_size) == st.st_size) {
			fuzz_guest_bytes = (size_t)st.st_size;
		} else {
			free(fuzz_guest_elf);
			fuzz_guest_elf = NULL;
		}
	}
	close(fd);
}

static void worker(uint64_t first, uint64_t last, uint64_t deadline_ns)
{
	uint64_t nr;

	rig_init();
	elf_bases_init();
	have_kvm = !kvm_sys_open(&kvm, "/dev/kvm");
	for (nr = first; nr <= last && now_ns() < deadline_ns; nr++) {
		shared->nr_case = nr;
		shared->case_limit_ns = nr % VM_EVERY == VM_EVERY - 1 ? VM_CASE_LIMIT_NS : CASE_LIMIT_NS;
		shared->case_start_ns = now_ns();
		case_run(nr);
		shared->case_start_ns = 0;
	}
	shared->nr_case = nr;
	if (have_kvm)
		kvm_sys_close(&kvm);
	free(fuzz_guest_elf);
	exit(0);	/* through exit(): the leak checker looks */
}

static int fuzz_report_failure(uint64_t seed, const char *why)
{
	printf("not ok " NAME ": seed %" PRIu64 " case %" PRIu64 ": %s (rerun: vm_input 0 %" PRIu64 " %" PRIu64 ")\n",
	       seed, shared->nr_case, why, seed, shared->nr_case);
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t seconds, seed, first = 0, last = UINT64_MAX, deadline, start;
	char why[600];
	int status;
	pid_t pid;

	if (argc < 3 || argc > 4 || parse_u64(argv[1], &seconds) || parse_u64(argv[2], &seed) ||
	    (argc == 4 && parse_u64(argv[3], &first))) {
		fprintf(stderr, "usage: vm_input SECONDS SEED [CASE]\n");
		printf("not ok " NAME ": bad arguments\n");
		return 1;
	}
	if (argc == 4)
		last = first;
	fuzz_seed = seed;
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		printf("not ok " NAME ": seed %" PRIu64 " case 0: mmap: %s\n", seed, strerror(errno));
		return 1;
	}
	memset(shared, 0, sizeof(*shared));
	shared->nr_case = first;
	fuzz_guest_load();
	if (!fuzz_guest_elf) {
		printf("not ok " NAME ": seed %" PRIu64 " case 0: tests/guests/fuzz_mailbox.elf not found beside the fuzzer (make test-bins)\n",
		       seed);
		return 1;
	}
	start = now_ns();
	deadline = argc == 4 ? UINT64_MAX : start + seconds * 1000000000ull;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		printf("not ok " NAME ": seed %" PRIu64 " case 0: fork: %s\n", seed, strerror(errno));
		return 1;
	}
	if (pid == 0)
		worker(first, last, deadline);

	for (;;) {
		uint64_t started = shared->case_start_ns;

		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (started && now_ns() - started > shared->case_limit_ns) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, sizeof(why), "hang: still running after %" PRIu64 " s",
				 shared->case_limit_ns / 1000000000);
			return fuzz_report_failure(seed, why);
		}
		usleep(20000);
	}
	if (getenv("FUZZ_VERBOSE")) {
		int i;

		for (i = 0; i < ST_NR; i++)
			fprintf(stderr, "  %-20s %" PRIu64 "\n", stat_names[i], shared->stats[i]);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok " NAME ": %" PRIu64 " cases (seed %" PRIu64 ")\n", shared->nr_case - first, seed);
		return 0;
	}
	if (shared->failed)
		return fuzz_report_failure(seed, shared->why);
	if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "crashed: %s", strsignal(WTERMSIG(status)));
	else
		snprintf(why, sizeof(why), "exited with status %d (a sanitizer report above?)",
			 WEXITSTATUS(status));
	return fuzz_report_failure(seed, why);
}
