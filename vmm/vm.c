// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/vm.c: a VM from guest RAM to vCPU threads: the guest-physical
 * layout, the identity map, the boot-info page, the memslot churn,
 * running to the end (duration, timeout, signals) and tearing down in
 * reverse order. Each vCPU is vcpu.c's; how the VM stops is vm_stop.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "vmm/vm.h"
#include "vmm/x86.h"
#include "abi/x86_pt.h"
#include "vmm/guest_elf.h"
#include "vmm/vm_config.h"

#define VCPU_THREAD_STACK	(1024 * 1024)
#define VM_MAX_BYTES		(1ull << 40)	/* 1 TiB */
/*
 * The identity map is built before the guest starts: 4K pages cost
 * 1/512 of guest RAM in tables (2 GiB and 5 s for 1 TiB). At most the
 * tables of 128 GiB of 4K pages (256.5 MiB): well under a second.
 */
#define VM_MAX_4K_MAP_BYTES	(128 * GiB)
#define VM_WAIT_SLICE_NS	50000000ull	/* how often vm_run looks up */
#define VM_WAIT_MIN_NS		1000000ull

static int vm_layout(struct vm *vm)
{
	const struct vm_config *cfg = &vm->cfg;
	struct vm_layout *l = &vm->layout;
	uint64_t map_bytes = ALIGN_UP(cfg->mem_bytes, cfg->page_bytes);
	char have[32], need[32];

	l->pt_start = KVMSQ_PT_BASE;
	l->pt_end = l->pt_start + x86_pt_table_bytes(map_bytes, cfg->page_bytes);
	if (l->pt_end - l->pt_start > x86_pt_table_bytes(VM_MAX_4K_MAP_BYTES, X86_PAGE_4K)) {
		format_size(cfg->mem_bytes, have, sizeof(have));
		format_size(l->pt_end - l->pt_start, need, sizeof(need));
		return err_set(EINVAL, "--mem %s with %s guest pages: the identity map needs %s of page tables, built before the guest starts (at most those of %" PRIu64 " GiB of 4K pages; use --guest-page 2m or less --mem)",
			       have, vm_config_page_name(cfg->page_bytes), need,
			       VM_MAX_4K_MAP_BYTES / GiB);
	}
	l->stack_start = l->pt_end;
	l->stack_end = l->stack_start + (uint64_t)cfg->nr_vcpus * KVMSQ_STACK_BYTES;
	l->free_start = ALIGN_UP(l->stack_end, 2 * MiB);
	l->free_end = cfg->mem_bytes & ~(uint64_t)(4 * KiB - 1);
	if (l->stack_end > 4 * GiB)
		return err_set(EINVAL, "guest layout: page tables and stacks end above 4 GiB (0x%" PRIx64 "; use fewer vCPUs or larger --guest-page)",
			       l->stack_end);
	if (l->free_end < l->free_start ||
	    l->free_end - l->free_start < cfg->min_free_bytes) {
		format_size(cfg->mem_bytes, have, sizeof(have));
		format_size(l->free_start + cfg->min_free_bytes, need, sizeof(need));
		return err_set(EINVAL, "--mem %s is too small for guest '%s' with %d vCPU%s (needs at least %s: %" PRIu64 " KiB reserved for image, page tables and stacks)",
			       have, cfg->guest_name, cfg->nr_vcpus, cfg->nr_vcpus == 1 ? "" : "s", need,
			       l->free_start / KiB);
	}
	return 0;
}

static int vm_check_config(struct vm *vm)
{
	const struct vm_config *cfg = &vm->cfg;
	unsigned int phys_bits = x86_cpuid_phys_bits(vm->sys->cpuid);
	char have[32];

	format_size(cfg->mem_bytes, have, sizeof(have));
	if (cfg->nr_vcpus < 1 || cfg->nr_vcpus > vm->sys->max_vcpus)
		return err_set(EINVAL, "%d vCPU%s: this KVM allows 1 to %d (KVM_CAP_MAX_VCPUS)",
			       cfg->nr_vcpus, cfg->nr_vcpus == 1 ? "" : "s", vm->sys->max_vcpus);
	if (cfg->nr_vcpus > (int)KVMSQ_MAX_VCPUS)
		return err_set(EINVAL, "%d vCPUs: the boot-info area holds %d",
			       cfg->nr_vcpus, (int)KVMSQ_MAX_VCPUS);
	if (cfg->mem_bytes < KVMSQ_PT_BASE || cfg->mem_bytes % (4 * KiB))
		return err_set(EINVAL, "--mem %s: need a multiple of 4 KiB of at least 4 MiB", have);
	if (cfg->mem_bytes > VM_MAX_BYTES || cfg->mem_bytes > (1ull << phys_bits))
		return err_set(EINVAL, "--mem %s: above what the guest can address (%u physical address bits, at most 1 TiB)",
			       have, phys_bits);
	if (!(cfg->duration_s >= 0 && cfg->duration_s <= PARSE_SECONDS_MAX) ||
	    !(cfg->timeout_s >= 0 && cfg->timeout_s <= PARSE_SECONDS_MAX))
		return err_set(ERANGE, "duration %g s, timeout %g s: each must be 0 (none) to %.0f s",
			       cfg->duration_s, cfg->timeout_s, PARSE_SECONDS_MAX);
	if (cfg->nr_mmu_pages && (cfg->nr_mmu_pages < VM_MIN_MMU_PAGES ||
				  cfg->nr_mmu_pages > VM_MAX_MMU_PAGES))
		return err_set(EINVAL, "nr_mmu_pages %llu: KVM takes %u to %u (2^31)",
			       (unsigned long long)cfg->nr_mmu_pages, VM_MIN_MMU_PAGES,
			       VM_MAX_MMU_PAGES);
	if (cfg->memslot_churn_ms > VM_CHURN_MAX_MS)
		return err_set(EINVAL, "memslot churn every %u ms: 1 to %u ms (0: none)",
			       cfg->memslot_churn_ms, VM_CHURN_MAX_MS);
	/* above guest RAM and its identity map, which may reach a 1G page further */
	vm->churn.gpa = ALIGN_UP(ALIGN_UP(cfg->mem_bytes, cfg->page_bytes), GiB);
	if (cfg->memslot_churn_ms && vm->churn.gpa + VM_CHURN_BYTES > (1ull << phys_bits))
		return err_set(EINVAL, "--mem %s: no guest-physical room above guest RAM for the churned memslot (%u physical address bits)",
			       have, phys_bits);
	if (cfg->page_bytes == X86_PAGE_1G && !x86_cpuid_has_1g_pages(vm->sys->cpuid))
		return err_set(ENOTSUP, "--guest-page 1g: this KVM offers no 1 GiB pages (CPUID pdpe1gb; use 2m)");
	return vm_layout(vm);
}

static int vm_params_check(const struct vm_config *cfg)
{
	int i;

	if (cfg->nr_params < 0 || cfg->nr_params > KVMSQ_MAX_PARAMS)
		return err_set(EINVAL, "more than %d --param", KVMSQ_MAX_PARAMS);
	if (cfg->nr_defaults < 0 || cfg->nr_defaults > KVMSQ_MAX_PARAMS - cfg->nr_params)
		return err_set(E2BIG, "guest %s: %d parameters given and %d defaults: a guest gets at most %d (give each parameter once)",
			       cfg->guest_name, cfg->nr_params, cfg->nr_defaults, KVMSQ_MAX_PARAMS);
	for (i = 0; i < cfg->nr_params + cfg->nr_defaults; i++) {
		const struct kvmsq_param *p = i < cfg->nr_params ? &cfg->params[i] :
					      &cfg->defaults[i - cfg->nr_params];

		if (!memchr(p->key, 0, sizeof(p->key)) || !memchr(p->value, 0, sizeof(p->value)))
			return err_set(EINVAL, "--param %d: key or value too long", i);
	}
	return 0;
}

static void vm_boot_info_write(struct vm *vm, uint64_t cr3)
{
	struct kvmsq_boot_info *bi = (void *)(vm->mem.host + KVMSQ_BOOT_INFO_GPA);
	struct kvmsq_vcpu_info *vi = (void *)(vm->mem.host + KVMSQ_VCPU_INFO_GPA);
	const struct vm_layout *l = &vm->layout;
	int i;

	memset(bi, 0, sizeof(*bi));
	bi->magic = KVMSQ_BOOT_MAGIC;
	bi->abi_version = KVMSQ_ABI_VERSION;
	bi->nr_vcpus = vm->cfg.nr_vcpus;
	bi->tsc_khz = vm->tsc_khz;
	bi->mem_bytes = vm->cfg.mem_bytes;
	bi->page_bytes = vm->cfg.page_bytes;
	bi->cr3 = cr3;
	bi->image_start = l->image_start;
	bi->image_end = l->image_end;
	bi->pt_start = l->pt_start;
	bi->pt_end = l->pt_end;
	bi->stack_start = l->stack_start;
	bi->stack_end = l->stack_end;
	bi->free_start = l->free_start;
	bi->free_end = l->free_end;
	/* as given, then the defaults (vm_params_check: they fit) */
	bi->nr_params = vm->cfg.nr_params + vm->cfg.nr_defaults;
	memcpy(bi->params, vm->cfg.params, sizeof(bi->params[0]) * vm->cfg.nr_params);
	memcpy(bi->params + vm->cfg.nr_params, vm->cfg.defaults,
	       sizeof(bi->params[0]) * vm->cfg.nr_defaults);
	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		vi[i].id = i;
		vi[i].stack_top = l->stack_start + (uint64_t)(i + 1) * KVMSQ_STACK_BYTES;
	}
	/*
	 * Stacks start zeroed (ABI.md): the runtime keeps its TSS and I/O
	 * bitmap there, and on hosts that emulate CPL0 code one instruction
	 * at a time (kvm_pvm) clearing 8 KiB in the guest costs ~50 ms.
	 */
	memset(vm->mem.host + l->stack_start, 0, l->stack_end - l->stack_start);
	vm->boot_info = bi;
}

/*
 * Allocate, in a file or memfd backing, every page the VMM writes itself
 * (GDT, boot info, vCPU info, the image, the page tables and the stacks)
 * before it writes them: on a full filesystem that is an error here, not
 * a SIGBUS in the middle of setting up.
 */
static int vm_reserve_setup(struct vm *vm, const struct elf_image *img)
{
	const struct vm_layout *l = &vm->layout;
	uint64_t img_start = img->start & ~(uint64_t)(4 * KiB - 1);
	uint64_t img_end = ALIGN_UP(img->end, 4 * KiB);
	const char *what = "the boot info, image, page tables and stacks";
	int ret;

	ret = guest_mem_reserve(&vm->mem, 0, KVMSQ_VCPU_INFO_END, what);
	if (!ret)
		ret = guest_mem_reserve(&vm->mem, img_start, img_end - img_start, what);
	if (!ret)
		ret = guest_mem_reserve(&vm->mem, l->pt_start, l->stack_end - l->pt_start, what);
	return ret;
}

static int vm_guest_setup(struct vm *vm, uint64_t *cr3)
{
	struct vm_layout *l = &vm->layout;
	struct elf_image img;
	struct x86_pt pt;
	int ret;

	ret = elf_check(vm->cfg.elf, vm->cfg.elf_bytes, vm->cfg.mem_bytes,
			KVMSQ_IMAGE_BASE, KVMSQ_IMAGE_LIMIT, &img);
	if (ret)
		return err_wrap(ret, "guest '%s'", vm->cfg.guest_name);
	ret = vm_reserve_setup(vm, &img);
	if (ret)
		return ret;
	elf_load(vm->cfg.elf, vm->cfg.elf_bytes, vm->mem.host, vm->cfg.mem_bytes,
		 KVMSQ_IMAGE_BASE, KVMSQ_IMAGE_LIMIT, &img);	/* checked above */
	l->image_start = img.start;
	l->image_end = img.end;
	l->entry = img.entry;

	/*
	 * User-accessible, so guests can run their workloads at CPL3: some
	 * hosts (kvm_pvm) emulate CPL0 guest code and never shadow it.
	 */
	ret = x86_pt_init(&pt, (uintptr_t)vm->mem.host, l->pt_start, l->pt_end);
	if (!ret)
		ret = x86_pt_map(&pt, 0, 0, ALIGN_UP(vm->cfg.mem_bytes, vm->cfg.page_bytes),
				 vm->cfg.page_bytes, X86_PTE_WRITE | X86_PTE_USER);
	if (ret)
		return err_set(EINVAL, "building the identity map: error %d", ret);
	x86_gdt_write(vm->mem.host);
	*cr3 = pt.root;
	return 0;
}

static int vm_vcpus_create(struct vm *vm)
{
	uint64_t cr3 = 0;
	int i, ret, khz;

	ret = vm_guest_setup(vm, &cr3);
	if (ret)
		return ret;
	vm->vcpus = calloc(vm->cfg.nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return err_sys(ENOMEM, "%d vCPU%s", vm->cfg.nr_vcpus,
				       vm->cfg.nr_vcpus == 1 ? "" : "s");
	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		vm->nr_vcpus_created = i + 1;
		ret = vcpu_create(vm, &vm->vcpus[i], i, cr3);
		if (ret)
			return ret;
	}
	khz = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0)
		return err_sys(errno, "KVM_GET_TSC_KHZ");
	vm->tsc_khz = (uint64_t)khz;
	vm_boot_info_write(vm, cr3);
	return 0;
}

/* --- memslot churn: slot updates (slots_lock) while the vCPUs run --- */

static void vm_churn_init(struct vm_churn *c)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&c->lock, NULL);
}

/* One update: add the slot if it is absent, delete it if present. */
static void vm_churn_step(struct vm *vm)
{
	struct vm_churn *c = &vm->churn;
	int ret;

	if (!c->present)
		ret = kvm_vm_set_memory(vm->fd, VM_CHURN_SLOT, c->gpa, VM_CHURN_BYTES, c->host);
	else
		ret = kvm_vm_set_memory(vm->fd, VM_CHURN_SLOT, c->gpa, 0, c->host);
	pthread_mutex_lock(&c->lock);
	if (ret) {
		c->failures++;
		if (!c->first_error[0])
			snprintf(c->first_error, sizeof(c->first_error), "%s %s: %s",
				 c->present ? "deleting" : "creating", "the churned memslot", err_msg());
	} else if (c->present) {
		c->deletes++;
		c->present = false;
	} else {
		c->creates++;
		c->present = true;
	}
	pthread_mutex_unlock(&c->lock);
}

static void *vm_churn_thread(void *arg)
{
	struct vm *vm = arg;
	struct vm_churn *c = &vm->churn;
	uint64_t period = (uint64_t)vm->cfg.memslot_churn_ms * 1000000ull;
	uint64_t next = now_ns() + period;
	struct timespec ts;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		ts.tv_sec = (time_t)(next / 1000000000ull);
		ts.tv_nsec = (long)(next % 1000000000ull);
		if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) != ETIMEDOUT && now_ns() < next)
			continue;
		if (c->stop)
			break;
		pthread_mutex_unlock(&c->lock);
		vm_churn_step(vm);
		next += period;
		if (next < now_ns())	/* fell behind: no burst */
			next = now_ns() + period;
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void vm_churn_start(struct vm *vm)
{
	struct vm_churn *c = &vm->churn;
	int ret;

	if (!vm->cfg.memslot_churn_ms || !c->host)
		return;
	ret = pthread_create(&c->thread, NULL, vm_churn_thread, vm);
	if (ret) {
		c->failures++;
		snprintf(c->first_error, sizeof(c->first_error),
			 "starting the memslot churn thread: %s", strerror(ret));
		return;
	}
	c->thread_started = true;
}

/* Stop the churn and leave the slot deleted (two tries: a failure is counted). */
static void vm_churn_stop(struct vm *vm)
{
	struct vm_churn *c = &vm->churn;

	if (c->thread_started) {
		pthread_mutex_lock(&c->lock);
		c->stop = true;
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->thread, NULL);
		c->thread_started = false;
	}
	if (c->present)
		vm_churn_step(vm);
	if (c->present)
		vm_churn_step(vm);
}

int vm_create(struct vm *vm, const struct kvm_sys *sys,
	      const struct vm_config *cfg)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	vm->sys = sys;
	vm->fd = -1;
	vm->stats.fd = -1;
	vm->mem.fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->cond, NULL);
	pthread_mutex_init(&vm->serial_lock, NULL);
	vm_churn_init(&vm->churn);

	ret = vm_params_check(cfg);
	if (!ret)
		ret = vm_check_config(vm);
	if (!ret)
		ret = kvm_vm_create(sys, &vm->fd);
	if (!ret)
		ret = guest_mem_map(&vm->mem, cfg->backing, cfg->backing_path,
				    cfg->mem_bytes);
	if (!ret)
		ret = kvm_vm_set_memory(vm->fd, 0, 0, cfg->mem_bytes, vm->mem.host);
	if (!ret && cfg->nr_mmu_pages)
		ret = kvm_vm_set_nr_mmu_pages(sys, vm->fd, cfg->nr_mmu_pages);
	if (!ret && cfg->memslot_churn_ms) {
		/* mapped once; KVM pins nothing of it until a vCPU would fault there */
		vm->churn.host = mmap(NULL, VM_CHURN_BYTES, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (vm->churn.host == MAP_FAILED) {
			vm->churn.host = NULL;
			ret = err_sys(errno, "mmap of the churned memslot's %llu MiB",
				      VM_CHURN_BYTES >> 20);
		}
	}
	if (!ret)
		ret = vm_vcpus_create(vm);
	if (!ret)
		ret = kvm_stats_open(vm->fd, &vm->stats);
	if (!ret) {
		vm->stats_start = calloc(vm->stats.nr_values + 1, sizeof(uint64_t));
		vm->stats_end = calloc(vm->stats.nr_values + 1, sizeof(uint64_t));
		if (!vm->stats_start || !vm->stats_end)
			ret = err_sys(ENOMEM, "VM stats");
	}
	if (ret)
		vm_destroy(vm);
	return ret;
}

void vm_destroy(struct vm *vm)
{
	int i;

	free(vm->stats_start);
	free(vm->stats_end);
	vm->stats_start = vm->stats_end = NULL;
	if (vm->stats.fd >= 0)
		kvm_stats_close(&vm->stats);
	for (i = vm->nr_vcpus_created - 1; i >= 0; i--)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus_created = 0;
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	guest_mem_unmap(&vm->mem);
	if (vm->churn.host)
		munmap(vm->churn.host, VM_CHURN_BYTES);
	vm->churn.host = NULL;
	pthread_cond_destroy(&vm->churn.cond);
	pthread_mutex_destroy(&vm->churn.lock);
	pthread_mutex_destroy(&vm->serial_lock);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
}

/* --- running --- */

static void vcpu_kick_signal(int sig)
{
	(void)sig;	/* only to make KVM_RUN return EINTR */
}

static void vm_stats_snapshot(struct vm *vm, bool end)
{
	int i;

	/* a failed read leaves zeros and is reported with the stats */
	kvm_stats_read(&vm->stats, end ? vm->stats_end : vm->stats_start);
	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		kvm_stats_read(&vcpu->stats, end ? vcpu->stats_end : vcpu->stats_start);
	}
}

static int vm_threads_start(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_signal };
	pthread_attr_t attr;
	int i, ret = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: KVM_RUN must return */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_THREAD_STACK);
	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		ret = pthread_create(&vcpu->thread, &attr, vcpu_thread, vcpu);
		if (ret) {
			ret = err_sys(ret, "starting vCPU thread %d", i);
			snprintf(vm->error, sizeof(vm->error), "%s", err_msg());
			vm_abort_locked(vm, VCPU_STOPPED);
			break;
		}
		vcpu->thread_started = true;
		vm->nr_running++;
	}
	pthread_mutex_unlock(&vm->lock);
	pthread_attr_destroy(&attr);
	return ret;
}

/* @seconds after @start, saturated: never wraps around to "now". */
static uint64_t deadline_ns(uint64_t start, double seconds)
{
	double ns = seconds * 1e9;

	if (!(ns > 0) || ns >= (double)(UINT64_MAX - start))
		return UINT64_MAX;
	return start + (uint64_t)ns;
}

/* Wait for the vCPUs, asking them to stop or killing them on time. */
static void vm_wait(struct vm *vm, volatile int *interrupt)
{
	uint64_t stop_at = deadline_ns(vm->start_ns, vm->cfg.duration_s);
	uint64_t kill_at = deadline_ns(vm->start_ns, vm->cfg.timeout_s);
	int seen_interrupts = 0;
	struct timespec ts;
	uint64_t now, wake;

	pthread_mutex_lock(&vm->lock);
	while (vm->nr_running > 0) {
		now = now_ns();
		if (now >= stop_at && !vm->stop)
			vm_request_stop_locked(vm);
		if (now >= kill_at)
			vm_abort_locked(vm, VCPU_TIMEOUT);
		if (interrupt && *interrupt > seen_interrupts) {
			/* first signal: ask the guests; second: stop them */
			seen_interrupts = *interrupt;
			if (!vm->stop)
				vm_request_stop_locked(vm);
			else
				vm_abort_locked(vm, VCPU_INTERRUPTED);
		}
		wake = now + VM_WAIT_SLICE_NS;
		if (!vm->stop && stop_at < wake)
			wake = stop_at;
		if (kill_at < wake)
			wake = kill_at;
		if (wake <= now)	/* the kill is on: wait for the vCPUs to leave */
			wake = now + VM_WAIT_MIN_NS;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)(wake - now);
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&vm->cond, &vm->lock, &ts);
	}
	pthread_mutex_unlock(&vm->lock);
}

static enum vm_outcome vm_outcome_of(const struct vm *vm)
{
	enum vm_outcome outcome = VM_OK;
	int i;

	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		const struct vcpu *vcpu = &vm->vcpus[i];

		switch (vcpu->end) {
		case VCPU_FAILED:
			return VM_GUEST_ERROR;
		case VCPU_TIMEOUT:
			outcome = VM_TIMEOUT;
			break;
		case VCPU_INTERRUPTED:
			if (outcome == VM_OK || outcome == VM_GUEST_EXIT)
				outcome = VM_INTERRUPTED;
			break;
		case VCPU_EXITED:
			if (vcpu->exit_code && outcome == VM_OK)
				outcome = VM_GUEST_EXIT;
			break;
		default:
			if (vm->error[0])
				return VM_GUEST_ERROR;
			break;
		}
	}
	return outcome;
}

int vm_run(struct vm *vm, volatile int *interrupt)
{
	int i, ret;

	vm_stats_snapshot(vm, false);
	vm->start_ns = now_ns();
	ret = vm_threads_start(vm);
	if (!ret)
		vm_churn_start(vm);
	vm_wait(vm, interrupt);
	vm_churn_stop(vm);
	for (i = 0; i < vm->cfg.nr_vcpus; i++)
		if (vm->vcpus[i].thread_started)
			pthread_join(vm->vcpus[i].thread, NULL);
	vm->end_ns = now_ns();
	vm_stats_snapshot(vm, true);
	if (ret)
		return ret;
	if (vm->host_errno)
		return err_set(vm->host_errno, "%s", vm->host_error);
	vm->outcome = vm_outcome_of(vm);
	return 0;
}

const char *vcpu_end_name(enum vcpu_end end)
{
	static const char *const names[] = {
		[VCPU_RUNNING] = "running",
		[VCPU_EXITED] = "exited",
		[VCPU_FAILED] = "failed",
		[VCPU_TIMEOUT] = "timeout",
		[VCPU_STOPPED] = "stopped",
		[VCPU_INTERRUPTED] = "interrupted",
	};

	return names[end];
}

const char *vm_outcome_name(enum vm_outcome outcome)
{
	static const char *const names[] = {
		[VM_OK] = "ok",
		[VM_GUEST_EXIT] = "guest-exit-code",
		[VM_GUEST_ERROR] = "guest-error",
		[VM_TIMEOUT] = "timeout",
		[VM_INTERRUPTED] = "interrupted",
	};

	return names[outcome];
}
