/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/x86.h: a vCPU put straight into 64-bit long mode. */
#ifndef KVMSQ_X86_H
#define KVMSQ_X86_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

struct x86_entry {
	uint64_t cr3;
	uint64_t rip;
	uint64_t rsp;
	uint64_t rdi;		/* boot-info GPA */
	uint64_t rsi;		/* vCPU id */
};

void x86_gdt_write(uint8_t *ram);
int x86_vcpu_init(int vcpu_fd, const struct kvm_cpuid2 *cpuid, int id,
		  const struct x86_entry *entry);
bool x86_cpuid_has_1g_pages(const struct kvm_cpuid2 *cpuid);
unsigned int x86_cpuid_phys_bits(const struct kvm_cpuid2 *cpuid);

#endif
