/* SPDX-License-Identifier: GPL-2.0 */
/*
 * abi/x86_pt.h: x86-64 4-level page tables, built by a walk with the
 * level in a loop. Freestanding: the VMM builds the identity map with it
 * and the guests build their own address spaces with the same code.
 */
#ifndef KVMSQ_X86_PT_H
#define KVMSQ_X86_PT_H

#include <stdint.h>

#define X86_PAGE_4K		0x1000ull
#define X86_PAGE_2M		0x200000ull
#define X86_PAGE_1G		0x40000000ull

#define X86_PTE_PRESENT		(1ull << 0)
#define X86_PTE_WRITE		(1ull << 1)
#define X86_PTE_USER		(1ull << 2)
#define X86_PTE_ACCESSED	(1ull << 5)
#define X86_PTE_DIRTY		(1ull << 6)
#define X86_PTE_LARGE		(1ull << 7)
#define X86_PTE_ADDR_MASK	0x000ffffffffff000ull

/*
 * Page-table pages come from a bump allocator over guest-physical
 * [next, end). @host_base is where GPA 0 is mapped in the caller's address
 * space: the VMM's guest RAM mapping, or 0 in a guest (identity map).
 */
struct x86_pt {
	uintptr_t host_base;
	uint64_t root;		/* GPA of the PML4: the CR3 value */
	uint64_t next;
	uint64_t end;
};

int x86_pt_init(struct x86_pt *pt, uintptr_t host_base,
		uint64_t alloc_start, uint64_t alloc_end);
int x86_pt_map(struct x86_pt *pt, uint64_t va, uint64_t pa, uint64_t bytes,
	       uint64_t page_bytes, uint64_t flags);
int x86_pt_translate(const struct x86_pt *pt, uint64_t va, uint64_t *pa,
		     uint64_t *page_bytes);
uint64_t *x86_pt_entry(const struct x86_pt *pt, uint64_t table, int index);
uint64_t x86_pt_table_bytes(uint64_t bytes, uint64_t page_bytes);

/* Return codes (negative): */
#define X86_PT_ENOMEM	1	/* allocator exhausted */
#define X86_PT_EINVAL	2	/* unaligned or unsupported page size */
#define X86_PT_EEXIST	3	/* a larger page already maps part of it */
#define X86_PT_ENOENT	4	/* translate: not mapped */

#endif
