/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm/vm.h: one VM: guest RAM, the identity map, the guest image, vCPU
 * threads and what the guest reported. vm_create() sets it up, vm_run()
 * runs it to the end, vm_destroy() releases it.
 */
#ifndef KVMSQ_VM_H
#define KVMSQ_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "abi/abi.h"
#include "common/err.h"
#include "vmm/kvm.h"
#include "vmm/mem.h"
#include "vmm/stats.h"

/* memslot churn: every 1 ms to 60 s, a slot of 4 MiB the guest never uses */
#define VM_CHURN_MAX_MS		60000u
#define VM_CHURN_SLOT		1u	/* guest RAM is slot 0 */
#define VM_CHURN_BYTES		(4ull << 20)

/* what KVM_SET_NR_MMU_PAGES takes (KVM_MIN_ALLOC_MMU_PAGES up; ours at 2^31) */
#define VM_MIN_MMU_PAGES	64u
#define VM_MAX_MMU_PAGES	(1u << 31)

#define VCPU_MAX_PHASES		64
#define VCPU_MAX_COUNTERS	32
#define VCPU_MAX_HISTS		8
#define VCPU_EXIT_REASONS	64	/* counted by exit_reason below this */

struct vcpu_phase;

struct vm_config {
	const char *guest_name;		/* for messages and results */
	const uint8_t *elf;
	size_t elf_bytes;
	uint64_t min_free_bytes;	/* the guest needs this much free RAM */
	uint64_t mem_bytes;
	enum mem_backing backing;
	const char *backing_path;	/* MEM_FILE: a directory */
	uint64_t page_bytes;		/* identity map: 4K, 2M or 1G */
	uint64_t nr_mmu_pages;		/* KVM_SET_NR_MMU_PAGES; 0: KVM's own */
	/*
	 * While the vCPUs run, create and delete an extra memslot every
	 * this many ms (0: never): memslot updates under slots_lock.
	 */
	unsigned int memslot_churn_ms;
	int nr_vcpus;
	struct kvmsq_param params[KVMSQ_MAX_PARAMS];	/* as given */
	int nr_params;
	/*
	 * The defaults of the parameters not given (vmm/guests.c): the guest
	 * gets them after @params, so a built-in guest gets every one it takes.
	 */
	struct kvmsq_param defaults[KVMSQ_MAX_PARAMS];
	int nr_defaults;
	double duration_s;		/* then set bi->stop; 0 = never */
	double timeout_s;		/* then kill what still runs; 0 = never */
	FILE *serial;			/* console output; NULL = discard */
	/* called in the vCPU's thread at every phase marker (may be NULL) */
	void (*on_phase)(void *arg, int vcpu, const struct vcpu_phase *phase);
	void *on_phase_arg;
};

struct vm_layout {
	uint64_t image_start, image_end, entry;
	uint64_t pt_start, pt_end;
	uint64_t stack_start, stack_end;
	uint64_t free_start, free_end;
};

enum vcpu_end {
	VCPU_RUNNING = 0,
	VCPU_EXITED,		/* the guest sent EXIT */
	VCPU_FAILED,		/* this vCPU stopped the VM with an error */
	VCPU_TIMEOUT,		/* still running at the timeout */
	VCPU_STOPPED,		/* stopped because another vCPU failed */
	VCPU_INTERRUPTED,	/* stopped on a signal to the VMM */
};

struct vcpu_phase {
	char name[KVMSQ_NAME_LEN];
	uint32_t edge;		/* KVMSQ_PHASE_BEGIN / END */
	uint64_t tsc;		/* guest's stamp */
	uint64_t host_ns;	/* VMM's CLOCK_MONOTONIC at arrival */
};

struct vcpu_counter {
	char name[KVMSQ_NAME_LEN];
	uint64_t value;
};

struct vcpu_hist {
	char name[KVMSQ_NAME_LEN];
	struct kvmsq_hist *hist;	/* cycles */
};

struct vm;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	struct kvm_stats stats;
	uint64_t *stats_start, *stats_end;

	enum vcpu_end end;
	int exit_code;
	char error[ERR_MSG_LEN];
	uint64_t start_ns, end_ns;
	uint64_t exits[VCPU_EXIT_REASONS];
	bool halted_after_stop;

	int nr_phases, nr_counters, nr_hists;
	struct vcpu_phase phases[VCPU_MAX_PHASES];
	struct vcpu_counter counters[VCPU_MAX_COUNTERS];
	struct vcpu_hist hists[VCPU_MAX_HISTS];

	char serial_line[256];
	size_t serial_len;
};

/*
 * The memslot churn (vm_config.memslot_churn_ms): a thread that adds
 * slot VM_CHURN_SLOT at gpa (above everything else the VMM maps) and
 * deletes it again, one step every period, while the vCPUs run.
 */
struct vm_churn {
	uint64_t gpa;
	void *host;			/* VM_CHURN_BYTES, mapped once */
	pthread_t thread;
	bool thread_started;
	bool present;			/* the slot exists now */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	uint64_t creates, deletes, failures;
	char first_error[ERR_MSG_LEN];
};

enum vm_outcome {
	VM_OK = 0,		/* every vCPU sent EXIT 0 */
	VM_GUEST_EXIT,		/* a guest exit code was not 0 */
	VM_GUEST_ERROR,		/* the guest did something the VMM refuses */
	VM_TIMEOUT,
	VM_INTERRUPTED,
};

struct vm {
	struct vm_config cfg;
	const struct kvm_sys *sys;
	int fd;
	struct guest_mem mem;
	struct vm_layout layout;
	struct kvmsq_boot_info *boot_info;	/* in guest RAM */
	uint64_t tsc_khz;
	struct kvm_stats stats;
	uint64_t *stats_start, *stats_end;
	struct vcpu *vcpus;
	int nr_vcpus_created;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	int nr_running;
	bool stop;		/* guests were asked to finish */
	bool abort;		/* vCPUs must leave KVM_RUN for good */
	enum vcpu_end abort_end;	/* what aborted vCPUs become */
	char error[ERR_MSG_LEN];	/* the first vCPU error */
	int host_errno;			/* the host failed the VM: vm_run's error */
	char host_error[ERR_MSG_LEN];

	struct vm_churn churn;

	pthread_mutex_t serial_lock;
	uint64_t start_ns, end_ns;
	enum vm_outcome outcome;
};

int vm_create(struct vm *vm, const struct kvm_sys *sys,
	      const struct vm_config *cfg);
/*
 * 0 when the VM ran to an outcome (vm->outcome, guest errors included);
 * -errno with err_msg() when the host failed it, e.g. no space for
 * guest RAM.
 */
int vm_run(struct vm *vm, volatile int *interrupt);
void vm_destroy(struct vm *vm);

/* vcpu.c: one vCPU, made by vm_create() (entry at the image's, stack @id's). */
int vcpu_create(struct vm *vm, struct vcpu *vcpu, int id, uint64_t cr3);
void vcpu_destroy(struct vcpu *vcpu);
void *vcpu_thread(void *arg);

/* vm_stop.c: from the vCPU threads and vm_run(). */
void vm_fail(struct vm *vm, struct vcpu *vcpu, const char *msg);
/* The host, not the guest, cannot go on (no space for guest RAM...). */
void vm_fail_host(struct vm *vm, int errnum, const char *msg);
/* A halted vCPU waits for the stop request; false if it must not run on. */
bool vcpu_wait_while_halted(struct vcpu *vcpu);
/* With vm->lock held: every vCPU out of KVM_RUN for good, as @end. */
void vm_abort_locked(struct vm *vm, enum vcpu_end end);
void vm_request_stop_locked(struct vm *vm);

/* serial.c: guest console text, a line at a time. */
void vcpu_serial_write(struct vcpu *vcpu, const uint8_t *bytes, size_t len);
/* mailbox.c */
int mailbox_handle(struct vcpu *vcpu, uint32_t gpa);

/* Return values of exit handlers, besides -errno with err_msg() set. */
#define VCPU_CONTINUE	0
#define VCPU_DONE	1

const char *vcpu_end_name(enum vcpu_end end);
const char *vm_outcome_name(enum vm_outcome outcome);
const char *kvm_exit_name(uint32_t reason);

#endif
