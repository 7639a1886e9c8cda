// SPDX-License-Identifier: GPL-2.0
/*
 * abi/x86_pt.c: build and walk x86-64 4-level page tables.
 * Freestanding (no libc): also linked into the guests.
 */
#include "abi/x86_pt.h"

#define PT_ENTRIES	512
#define PT_LEVELS	4	/* PML4, PDPT, PD, PT */

static int level_shift(int level)	/* level 4 = PML4 ... 1 = PT */
{
	return 12 + 9 * (level - 1);
}

static int level_index(uint64_t va, int level)
{
	return (int)((va >> level_shift(level)) & (PT_ENTRIES - 1));
}

uint64_t *x86_pt_entry(const struct x86_pt *pt, uint64_t table, int index)
{
	return (uint64_t *)(pt->host_base + table) + index;
}

static int table_alloc(struct x86_pt *pt, uint64_t *gpa)
{
	volatile uint64_t *p;
	int i;

	if (pt->end - pt->next < X86_PAGE_4K)
		return -X86_PT_ENOMEM;
	*gpa = pt->next;
	pt->next += X86_PAGE_4K;
	/* volatile: no memset() call in a freestanding guest */
	p = x86_pt_entry(pt, *gpa, 0);
	for (i = 0; i < PT_ENTRIES; i++)
		p[i] = 0;
	return 0;
}

int x86_pt_init(struct x86_pt *pt, uintptr_t host_base,
		uint64_t alloc_start, uint64_t alloc_end)
{
	pt->host_base = host_base;
	pt->next = (alloc_start + X86_PAGE_4K - 1) & ~(X86_PAGE_4K - 1);
	pt->end = alloc_end;
	if (pt->next > pt->end)
		pt->next = pt->end;
	return table_alloc(pt, &pt->root);
}

static int leaf_level(uint64_t page_bytes)
{
	switch (page_bytes) {
	case X86_PAGE_4K:
		return 1;
	case X86_PAGE_2M:
		return 2;
	case X86_PAGE_1G:
		return 3;
	}
	return 0;
}

/* Map one page of @page_bytes at @va to @pa, creating tables on the way. */
static int map_one(struct x86_pt *pt, uint64_t va, uint64_t pa,
		   int leaf, uint64_t flags)
{
	uint64_t table = pt->root;
	uint64_t *pte;
	int level, ret;

	for (level = PT_LEVELS; level > leaf; level--) {
		pte = x86_pt_entry(pt, table, level_index(va, level));
		if (!(*pte & X86_PTE_PRESENT)) {
			uint64_t next;

			ret = table_alloc(pt, &next);
			if (ret)
				return ret;
			*pte = next | X86_PTE_PRESENT | X86_PTE_WRITE |
			       (flags & X86_PTE_USER);
		} else if (*pte & X86_PTE_LARGE) {
			return -X86_PT_EEXIST;
		}
		table = *pte & X86_PTE_ADDR_MASK;
	}
	pte = x86_pt_entry(pt, table, level_index(va, leaf));
	*pte = pa | flags | X86_PTE_PRESENT | (leaf > 1 ? X86_PTE_LARGE : 0);
	return 0;
}

int x86_pt_map(struct x86_pt *pt, uint64_t va, uint64_t pa, uint64_t bytes,
	       uint64_t page_bytes, uint64_t flags)
{
	int leaf = leaf_level(page_bytes);
	uint64_t off;
	int ret;

	if (!leaf || (va | pa | bytes) & (page_bytes - 1))
		return -X86_PT_EINVAL;
	for (off = 0; off < bytes; off += page_bytes) {
		ret = map_one(pt, va + off, pa + off, leaf, flags);
		if (ret)
			return ret;
	}
	return 0;
}

int x86_pt_translate(const struct x86_pt *pt, uint64_t va, uint64_t *pa,
		     uint64_t *page_bytes)
{
	uint64_t table = pt->root, pte, size;
	int level;

	for (level = PT_LEVELS; level >= 1; level--) {
		pte = *x86_pt_entry(pt, table, level_index(va, level));
		if (!(pte & X86_PTE_PRESENT))
			return -X86_PT_ENOENT;
		if (level == 1 || (pte & X86_PTE_LARGE)) {
			size = 1ull << level_shift(level);
			*pa = (pte & X86_PTE_ADDR_MASK & ~(size - 1)) |
			      (va & (size - 1));
			*page_bytes = size;
			return 0;
		}
		table = pte & X86_PTE_ADDR_MASK;
	}
	return -X86_PT_ENOENT;
}

/* Upper bound on the table bytes x86_pt_map() needs for @bytes from 0. */
uint64_t x86_pt_table_bytes(uint64_t bytes, uint64_t page_bytes)
{
	uint64_t pages = X86_PAGE_4K;	/* the root */
	uint64_t span;
	int level;

	for (level = leaf_level(page_bytes); level < PT_LEVELS; level++) {
		span = 1ull << level_shift(level + 1);
		pages += ((bytes + span - 1) / span) * X86_PAGE_4K;
	}
	return pages;
}
