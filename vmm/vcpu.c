// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/vcpu.c: a vCPU from creation (its fd, kvm_run, registers and
 * stats) to destruction, its thread and the KVM_RUN exit loop. One
 * handler per exit reason, found in a table; a handler either lets the
 * vCPU run on, ends it (the guest sent EXIT) or fails it, which stops the
 * whole VM (vm_stop.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "vmm/vm.h"
#include "vmm/x86.h"

int vcpu_create(struct vm *vm, struct vcpu *vcpu, int id, uint64_t cr3)
{
	const struct vm_layout *l = &vm->layout;
	struct x86_entry entry = {
		.cr3 = cr3,
		.rip = l->entry,
		.rsp = l->stack_start + (uint64_t)(id + 1) * KVMSQ_STACK_BYTES,
		.rdi = KVMSQ_BOOT_INFO_GPA,
		.rsi = (uint64_t)id,
	};
	int ret;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = -1;
	vcpu->stats.fd = -1;
	ret = kvm_vcpu_create(vm->fd, id, &vcpu->fd);
	if (ret)
		return ret;
	vcpu->run = mmap(NULL, vm->sys->run_mmap_bytes, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		return err_sys(errno, "mmap of kvm_run (vCPU %d)", id);
	}
	ret = x86_vcpu_init(vcpu->fd, vm->sys->cpuid, id, &entry);
	if (ret)
		return ret;
	ret = kvm_stats_open(vcpu->fd, &vcpu->stats);
	if (ret)
		return err_wrap(ret, "vCPU %d", id);
	vcpu->stats_start = calloc(vcpu->stats.nr_values + 1, sizeof(uint64_t));
	vcpu->stats_end = calloc(vcpu->stats.nr_values + 1, sizeof(uint64_t));
	if (!vcpu->stats_start || !vcpu->stats_end)
		return err_sys(ENOMEM, "vCPU %d stats", id);
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	int i;

	for (i = 0; i < vcpu->nr_hists; i++)
		free(vcpu->hists[i].hist);
	free(vcpu->stats_start);
	free(vcpu->stats_end);
	kvm_stats_close(&vcpu->stats);
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->sys->run_mmap_bytes);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
}

struct port_handler {
	uint16_t port;
	uint8_t size;		/* bytes per access */
	uint8_t direction;	/* KVM_EXIT_IO_IN / _OUT */
	int (*handle)(struct vcpu *vcpu, uint8_t *data, uint32_t count);
	const char *name;
};

static int port_serial_out(struct vcpu *vcpu, uint8_t *data, uint32_t count)
{
	vcpu_serial_write(vcpu, data, count);
	return VCPU_CONTINUE;
}

static int port_serial_lsr(struct vcpu *vcpu, uint8_t *data, uint32_t count)
{
	memset(data, 0x60, count);	/* THR empty, transmitter idle */
	return VCPU_CONTINUE;
}

static int port_mailbox(struct vcpu *vcpu, uint8_t *data, uint32_t count)
{
	uint32_t gpa;

	if (count != 1)
		return err_set(EINVAL, "mailbox: string I/O (rep outsl) is not accepted");
	memcpy(&gpa, data, sizeof(gpa));
	return mailbox_handle(vcpu, gpa);
}

static const struct port_handler port_handlers[] = {
	{ KVMSQ_PORT_SERIAL, 1, KVM_EXIT_IO_OUT, port_serial_out, "serial" },
	{ KVMSQ_PORT_SERIAL_LSR, 1, KVM_EXIT_IO_IN, port_serial_lsr, "serial LSR" },
	{ KVMSQ_PORT_MAILBOX, 4, KVM_EXIT_IO_OUT, port_mailbox, "mailbox" },
};

static int vcpu_exit_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	const char *dir = run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in";
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;
	unsigned int i;

	if (run->io.data_offset > (uint64_t)vcpu->vm->sys->run_mmap_bytes ||
	    bytes > vcpu->vm->sys->run_mmap_bytes - run->io.data_offset)
		return err_set(EINVAL, "port I/O data outside kvm_run");
	for (i = 0; i < ARRAY_SIZE(port_handlers); i++) {
		const struct port_handler *h = &port_handlers[i];

		if (h->port != run->io.port || h->direction != run->io.direction)
			continue;
		if (h->size != run->io.size)
			return err_set(EINVAL, "%s port 0x%x: %u-byte %s, only %u-byte accesses are accepted",
				       h->name, h->port, run->io.size, dir, h->size);
		return h->handle(vcpu, (uint8_t *)run + run->io.data_offset,
				 run->io.count);
	}
	return err_set(EINVAL, "unknown I/O port 0x%x (%u-byte %s)",
		       run->io.port, run->io.size, dir);
}

static int vcpu_exit_hlt(struct vcpu *vcpu)
{
	if (vcpu->vm->stop && vcpu->halted_after_stop)
		return err_set(EINVAL, "halted again after the stop request without sending EXIT");
	if (!vcpu_wait_while_halted(vcpu))
		return VCPU_DONE;	/* aborted: the loop sees vm->abort */
	vcpu->halted_after_stop = vcpu->vm->stop;
	return VCPU_CONTINUE;
}

static int vcpu_exit_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		regs.rip = 0;
	return err_set(EFAULT, "%u-byte %s of unbacked guest-physical address 0x%llx (RIP 0x%llx; RAM ends at 0x%" PRIx64 ")",
		       run->mmio.len, run->mmio.is_write ? "write" : "read",
		       (unsigned long long)run->mmio.phys_addr,
		       (unsigned long long)regs.rip, vcpu->vm->cfg.mem_bytes);
}

static int vcpu_exit_shutdown(struct vcpu *vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs r;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) || ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		return err_set(EFAULT, "triple fault (registers unreadable)");
	return err_set(EFAULT, "triple fault (an exception with no IDT) at RIP 0x%llx: RSP 0x%llx RAX 0x%llx RBX 0x%llx RCX 0x%llx RDX 0x%llx RSI 0x%llx RDI 0x%llx RFLAGS 0x%llx CR0 0x%llx CR2 0x%llx CR3 0x%llx CR4 0x%llx",
		       r.rip, r.rsp, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi,
		       r.rflags, sregs.cr0, sregs.cr2, sregs.cr3, sregs.cr4);
}

static const char *const internal_suberrors[] = {
	[KVM_INTERNAL_ERROR_EMULATION] = "instruction emulation failed",
	[KVM_INTERNAL_ERROR_SIMUL_EX] = "exception during exception delivery",
	[KVM_INTERNAL_ERROR_DELIVERY_EV] = "event delivery failed",
	[KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON] = "unexpected exit reason",
};

static int vcpu_exit_internal_error(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t sub = run->internal.suberror, i, n = run->internal.ndata;
	const char *what = sub < ARRAY_SIZE(internal_suberrors) && internal_suberrors[sub] ?
			   internal_suberrors[sub] : "unknown suberror";
	char data[160] = "";
	size_t len = 0;

	if (n > ARRAY_SIZE(run->internal.data))
		n = ARRAY_SIZE(run->internal.data);
	for (i = 0; i < n && len < sizeof(data); i++)
		len += snprintf(data + len, sizeof(data) - len, " 0x%llx",
				(unsigned long long)run->internal.data[i]);
	return err_set(EIO, "KVM internal error %u (%s), data:%s", sub, what,
		       n ? data : " none");
}

static int vcpu_exit_fail_entry(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	return err_set(EIO, "VM entry failed: hardware reason 0x%llx on CPU %u",
		       (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		       run->fail_entry.cpu);
}

static int vcpu_exit_intr(struct vcpu *vcpu)
{
	return VCPU_CONTINUE;	/* a kick; the loop checks why */
}

struct exit_handler {
	const char *name;
	int (*handle)(struct vcpu *vcpu);
};

static const struct exit_handler exit_handlers[] = {
	[KVM_EXIT_IO] = { "io", vcpu_exit_io },
	[KVM_EXIT_HLT] = { "hlt", vcpu_exit_hlt },
	[KVM_EXIT_MMIO] = { "mmio", vcpu_exit_mmio },
	[KVM_EXIT_SHUTDOWN] = { "shutdown", vcpu_exit_shutdown },
	[KVM_EXIT_INTERNAL_ERROR] = { "internal_error", vcpu_exit_internal_error },
	[KVM_EXIT_FAIL_ENTRY] = { "fail_entry", vcpu_exit_fail_entry },
	[KVM_EXIT_INTR] = { "intr", vcpu_exit_intr },
};

const char *kvm_exit_name(uint32_t reason)
{
	if (reason < ARRAY_SIZE(exit_handlers) && exit_handlers[reason].name)
		return exit_handlers[reason].name;
	return NULL;
}

static int vcpu_dispatch(struct vcpu *vcpu)
{
	uint32_t reason = vcpu->run->exit_reason;

	if (reason < VCPU_EXIT_REASONS)
		vcpu->exits[reason]++;
	if (reason >= ARRAY_SIZE(exit_handlers) || !exit_handlers[reason].handle)
		return err_set(EIO, "unexpected KVM exit reason %u", reason);
	return exit_handlers[reason].handle(vcpu);
}

/*
 * KVM_RUN itself failed: the host could not run the guest, which is not
 * the guest's doing. EFAULT is a page of guest RAM the host could not
 * provide, on a full filesystem "no space for guest RAM".
 */
static void vcpu_fail_host(struct vcpu *vcpu, int errnum)
{
	struct vm *vm = vcpu->vm;
	char why[256];
	int ret;

	if (errnum == EFAULT && guest_mem_space_short(&vm->mem, why, sizeof(why)))
		ret = err_set(ENOSPC, "no space for guest RAM: vCPU %d touched a page that could not be allocated: %s (free space there, or use less --mem or another --backing)",
			      vcpu->id, why);
	else
		ret = err_sys(errnum, "KVM_RUN on vCPU %d", vcpu->id);
	vcpu->end = VCPU_FAILED;
	snprintf(vcpu->error, sizeof(vcpu->error), "%s", err_msg());
	vm_fail_host(vm, -ret, vcpu->error);
}

static void vcpu_loop(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	int ret;

	for (;;) {
		if (__atomic_load_n(&vm->abort, __ATOMIC_ACQUIRE)) {
			vcpu->end = vm->abort_end;
			return;
		}
		ret = ioctl(vcpu->fd, KVM_RUN, NULL);
		if (ret < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vcpu_fail_host(vcpu, errno);
			return;
		}
		ret = vcpu_dispatch(vcpu);
		if (ret == VCPU_CONTINUE)
			continue;
		if (ret == VCPU_DONE) {
			if (vcpu->end == VCPU_RUNNING)
				vcpu->end = vm->abort_end;
			return;
		}
		vcpu->end = VCPU_FAILED;
		snprintf(vcpu->error, sizeof(vcpu->error), "%s", err_msg());
		vm_fail(vm, vcpu, vcpu->error);
		return;
	}
}

void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;

	vcpu->start_ns = now_ns();
	vcpu_loop(vcpu);
	vcpu->end_ns = now_ns();
	if (vcpu->serial_len)
		vcpu_serial_write(vcpu, (const uint8_t *)"\n", 1);

	pthread_mutex_lock(&vm->lock);
	vm->nr_running--;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}
