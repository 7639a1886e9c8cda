/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/kvm.h: /dev/kvm, capabilities, VMs and memory slots, raw ioctls. */
#ifndef KVMSQ_KVM_H
#define KVMSQ_KVM_H

#include <linux/kvm.h>
#include <stdint.h>

struct kvm_sys {
	int fd;			/* /dev/kvm */
	int run_mmap_bytes;	/* KVM_GET_VCPU_MMAP_SIZE */
	int max_vcpus;		/* KVM_CAP_MAX_VCPUS */
	int max_vcpu_id;	/* KVM_CAP_MAX_VCPU_ID */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID */
};

int kvm_sys_open(struct kvm_sys *sys, const char *path);
void kvm_sys_close(struct kvm_sys *sys);
int kvm_sys_check(const struct kvm_sys *sys, long cap);

int kvm_vm_create(const struct kvm_sys *sys, int *vm_fd);
int kvm_vm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa,
		      uint64_t bytes, void *host);
int kvm_vm_set_nr_mmu_pages(const struct kvm_sys *sys, int vm_fd, uint64_t pages);
int kvm_vcpu_create(int vm_fd, int id, int *vcpu_fd);

#endif
