// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/x86.c: CPUID, GDT and system registers for a vCPU that starts in
 * 64-bit mode at CPL0 with paging on. The CPUID goes in before the sregs:
 * KVM refuses EFER.LME for a vCPU whose CPUID lacks long mode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "abi/abi.h"
#include "common/err.h"
#include "x86.h"

#define X86_CR0_PE	(1ull << 0)
#define X86_CR0_MP	(1ull << 1)
#define X86_CR0_ET	(1ull << 4)
#define X86_CR0_NE	(1ull << 5)
#define X86_CR0_WP	(1ull << 16)
#define X86_CR0_PG	(1ull << 31)
#define X86_CR4_PAE	(1ull << 5)
#define X86_CR4_OSFXSR	(1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_EFER_LME	(1ull << 8)
#define X86_EFER_LMA	(1ull << 10)

#define GDT_SEL_CODE	KVMSQ_SEL_CODE0
#define GDT_SEL_DATA	KVMSQ_SEL_DATA0

static const uint64_t gdt[] = {
	0,
	0x00af9b000000ffffull,	/* 0x08: 64-bit code, DPL0 */
	0x00cf93000000ffffull,	/* 0x10: flat data, DPL0 */
	0x00affb000000ffffull,	/* 0x18: 64-bit code, DPL3 */
	0x00cff3000000ffffull,	/* 0x20: flat data, DPL3 */
};

void x86_gdt_write(uint8_t *ram)
{
	memcpy(ram + KVMSQ_GDT_GPA, gdt, sizeof(gdt));
}

static const struct kvm_cpuid_entry2 *cpuid_find(const struct kvm_cpuid2 *cpuid,
						 uint32_t function)
{
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == function)
			return &cpuid->entries[i];
	return NULL;
}

bool x86_cpuid_has_1g_pages(const struct kvm_cpuid2 *cpuid)
{
	const struct kvm_cpuid_entry2 *e = cpuid_find(cpuid, 0x80000001);

	return e && (e->edx & (1u << 26));
}

unsigned int x86_cpuid_phys_bits(const struct kvm_cpuid2 *cpuid)
{
	const struct kvm_cpuid_entry2 *e = cpuid_find(cpuid, 0x80000008);

	return e ? (e->eax & 0xff) : 36;
}

/* The supported CPUID, with this vCPU's APIC id filled in. */
static int x86_vcpu_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *cpuid, int id)
{
	size_t bytes = sizeof(*cpuid) + cpuid->nent * sizeof(cpuid->entries[0]);
	struct kvm_cpuid2 *mine = malloc(bytes);
	uint32_t i;
	int ret = 0;

	if (!mine)
		return err_sys(ENOMEM, "KVM_SET_CPUID2");
	memcpy(mine, cpuid, bytes);
	for (i = 0; i < mine->nent; i++) {
		struct kvm_cpuid_entry2 *e = &mine->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | ((uint32_t)id << 24);
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = (uint32_t)id;
	}
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, mine))
		ret = err_sys(errno, "KVM_SET_CPUID2 (vCPU %d)", id);
	free(mine);
	return ret;
}

static void seg_flat(struct kvm_segment *seg, uint16_t sel, uint8_t type, bool code)
{
	memset(seg, 0, sizeof(*seg));
	seg->base = 0;
	seg->limit = 0xffffffff;
	seg->selector = sel;
	seg->type = type;
	seg->present = 1;
	seg->s = 1;
	seg->g = 1;
	seg->l = code;
	seg->db = !code;
}

int x86_vcpu_init(int vcpu_fd, const struct kvm_cpuid2 *cpuid, int id,
		  const struct x86_entry *entry)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

	ret = x86_vcpu_set_cpuid(vcpu_fd, cpuid, id);
	if (ret)
		return ret;
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs))
		return err_sys(errno, "KVM_GET_SREGS (vCPU %d)", id);
	seg_flat(&sregs.cs, GDT_SEL_CODE, 0xb, true);
	seg_flat(&sregs.ds, GDT_SEL_DATA, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = KVMSQ_GDT_GPA;
	sregs.gdt.limit = sizeof(gdt) - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;	/* no IDT: any exception is a triple fault */
	sregs.cr3 = entry->cr3;
	sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		    X86_CR0_WP | X86_CR0_PG;
	sregs.efer = X86_EFER_LME | X86_EFER_LMA;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs))
		return err_sys(errno, "KVM_SET_SREGS: long mode (vCPU %d)", id);

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = entry->rip;
	regs.rsp = entry->rsp;
	regs.rdi = entry->rdi;
	regs.rsi = entry->rsi;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs))
		return err_sys(errno, "KVM_SET_REGS (vCPU %d)", id);
	return 0;
}
