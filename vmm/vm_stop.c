// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/vm_stop.c: how a running VM stops: the stop request to the guests,
 * the abort that takes every vCPU out of KVM_RUN for good, a vCPU's or
 * the host's failure, and a halted vCPU's wait for the stop. Called by
 * vm.c (which runs the VM) and by the vCPU threads (vcpu.c); calls
 * neither.
 */
#include <signal.h>
#include <stdio.h>

#include "vmm/vm.h"

/* Make every vCPU leave KVM_RUN for good; call with vm->lock held. */
void vm_abort_locked(struct vm *vm, enum vcpu_end end)
{
	int i;

	if (vm->abort)
		return;
	vm->abort_end = end;
	__atomic_store_n(&vm->abort, true, __ATOMIC_RELEASE);
	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		vcpu->run->immediate_exit = 1;
		if (vcpu->thread_started)
			pthread_kill(vcpu->thread, SIGUSR1);
	}
	pthread_cond_broadcast(&vm->cond);
}

void vm_fail(struct vm *vm, struct vcpu *vcpu, const char *msg)
{
	pthread_mutex_lock(&vm->lock);
	if (!vm->error[0])
		snprintf(vm->error, sizeof(vm->error), "vCPU %d: %s", vcpu->id, msg);
	vm_abort_locked(vm, VCPU_STOPPED);
	pthread_mutex_unlock(&vm->lock);
}

void vm_fail_host(struct vm *vm, int errnum, const char *msg)
{
	pthread_mutex_lock(&vm->lock);
	if (!vm->host_errno) {
		vm->host_errno = errnum;
		snprintf(vm->host_error, sizeof(vm->host_error), "%s", msg);
	}
	vm_abort_locked(vm, VCPU_STOPPED);
	pthread_mutex_unlock(&vm->lock);
}

/* A halted vCPU waits for the stop request; false if it must not run on. */
bool vcpu_wait_while_halted(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	bool run_on;

	pthread_mutex_lock(&vm->lock);
	while (!vm->stop && !vm->abort)
		pthread_cond_wait(&vm->cond, &vm->lock);
	run_on = !vm->abort;
	pthread_mutex_unlock(&vm->lock);
	return run_on;
}

/* Ask the guests to finish (boot info's stop); call with vm->lock held. */
void vm_request_stop_locked(struct vm *vm)
{
	vm->stop = true;
	vm->boot_info->stop = 1;
	pthread_cond_broadcast(&vm->cond);
}
