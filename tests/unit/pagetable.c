// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/pagetable.c: build identity maps with every page size and
 * walk them back: every page maps where it should, with the right size,
 * nothing past the end is mapped, and the size estimate was enough.
 */
#include <string.h>
#include <sys/mman.h>

#include "unit.h"
#include "abi/x86_pt.h"
#include "common/util.h"

#define RAM_BYTES	(64 * MiB)
#define PT_START	(4 * MiB)

static uint8_t *ram_map(uint64_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

#define SMALL_RAM	(32 * MiB)

/* Fresh zeroed RAM for one small test; the previous test's is unmapped. */
static uint8_t *small_ram(void)
{
	static uint8_t *ram;

	if (ram)
		munmap(ram, SMALL_RAM);
	ram = ram_map(SMALL_RAM);
	CHECK(ram, "mmap");
	return ram;
}

static void check_identity(uint64_t map_bytes, uint64_t page_bytes)
{
	uint64_t table_bytes = x86_pt_table_bytes(map_bytes, page_bytes);
	uint64_t ram_bytes = PT_START + table_bytes;
	uint8_t *ram = ram_map(ram_bytes);
	uint64_t va, pa, size, bad = 0;
	struct x86_pt pt;
	int ret;

	CHECK(ram, "mmap");
	if (!ram)
		return;
	ret = x86_pt_init(&pt, (uintptr_t)ram, PT_START, PT_START + table_bytes);
	CHECK(!ret, "init: %d", ret);
	ret = x86_pt_map(&pt, 0, 0, map_bytes, page_bytes, X86_PTE_WRITE);
	CHECK(!ret, "map %llu bytes with %llu pages: %d (estimate %llu too small?)",
	      (unsigned long long)map_bytes, (unsigned long long)page_bytes, ret,
	      (unsigned long long)table_bytes);
	CHECK(pt.next <= pt.end, "allocator overran");
	for (va = 0; va < map_bytes; va += page_bytes) {
		ret = x86_pt_translate(&pt, va + page_bytes / 2 + 8, &pa, &size);
		if (ret || pa != va + page_bytes / 2 + 8 || size != page_bytes)
			bad++;
	}
	CHECK(!bad, "%llu of %llu pages map wrongly", (unsigned long long)bad,
	      (unsigned long long)(map_bytes / page_bytes));
	CHECK(x86_pt_translate(&pt, map_bytes, &pa, &size) == -X86_PT_ENOENT,
	      "address past the end is mapped");
	CHECK((*x86_pt_entry(&pt, pt.root, 0) & (X86_PTE_PRESENT | X86_PTE_WRITE)) ==
	      (X86_PTE_PRESENT | X86_PTE_WRITE), "root entry not present and writable");
	munmap(ram, ram_bytes);
}

static void identity_4k(void)
{
	check_identity(RAM_BYTES, X86_PAGE_4K);
}

static void identity_4k_odd_size(void)
{
	check_identity(RAM_BYTES + 3 * X86_PAGE_4K, X86_PAGE_4K);
}

static void identity_2m(void)
{
	check_identity(1 * GiB + 2 * MiB, X86_PAGE_2M);
}

static void identity_1g(void)
{
	check_identity(64 * GiB, X86_PAGE_1G);
}

/* Tables for 64 GiB of 4K pages: 2 MiB per GiB, plus upper levels. */
static void estimate_64g_4k(void)
{
	uint64_t bytes = x86_pt_table_bytes(64 * GiB, X86_PAGE_4K);

	CHECK(bytes == (64 * 512 + 64 + 1 + 1) * 4096ull, "got %llu",
	      (unsigned long long)bytes);
}

static void rejects_unaligned(void)
{
	uint8_t *ram = small_ram();
	struct x86_pt pt;

	if (!ram)
		return;
	x86_pt_init(&pt, (uintptr_t)ram, PT_START, 16 * MiB);
	CHECK(x86_pt_map(&pt, 4096, 0, X86_PAGE_2M, X86_PAGE_2M, 0) == -X86_PT_EINVAL,
	      "unaligned 2M mapping accepted");
	CHECK(x86_pt_map(&pt, 0, 0, 4096, 8192, 0) == -X86_PT_EINVAL,
	      "8K page size accepted");
}

static void runs_out_of_tables(void)
{
	uint8_t *ram = small_ram();
	struct x86_pt pt;

	if (!ram)
		return;
	x86_pt_init(&pt, (uintptr_t)ram, PT_START, PT_START + 3 * 4096);
	CHECK(x86_pt_map(&pt, 0, 0, 4 * MiB, X86_PAGE_4K, 0) == -X86_PT_ENOMEM,
	      "no error with 3 table pages for 4 MiB of 4K pages");
}

/* A 4K mapping under an existing 2M page must not split it silently. */
static void refuses_to_split_large(void)
{
	uint8_t *ram = small_ram();
	struct x86_pt pt;

	if (!ram)
		return;
	x86_pt_init(&pt, (uintptr_t)ram, PT_START, 16 * MiB);
	CHECK(!x86_pt_map(&pt, 0, 0, X86_PAGE_2M, X86_PAGE_2M, 0), "2M map");
	CHECK(x86_pt_map(&pt, 4096, 4096, 4096, X86_PAGE_4K, 0) == -X86_PT_EEXIST,
	      "4K page mapped inside a 2M page");
}

/* Two roots over the same data, as the alias guest builds them. */
static void private_spaces(void)
{
	uint8_t *ram = small_ram();
	struct x86_pt a, b;
	uint64_t pa, size;

	if (!ram)
		return;
	x86_pt_init(&a, (uintptr_t)ram, PT_START, 8 * MiB);
	x86_pt_init(&b, (uintptr_t)ram, 8 * MiB, 12 * MiB);
	CHECK(!x86_pt_map(&a, 512 * GiB, 16 * MiB, MiB, X86_PAGE_4K, X86_PTE_WRITE), "map a");
	CHECK(!x86_pt_map(&b, 512 * GiB, 16 * MiB, MiB, X86_PAGE_4K, X86_PTE_WRITE), "map b");
	CHECK(!x86_pt_translate(&a, 512 * GiB + 5 * 4096, &pa, &size) &&
	      pa == 16 * MiB + 5 * 4096, "a");
	CHECK(!x86_pt_translate(&b, 512 * GiB + 5 * 4096, &pa, &size) &&
	      pa == 16 * MiB + 5 * 4096, "b");
	CHECK(a.root != b.root && a.next <= 8 * MiB && b.next > 8 * MiB,
	      "spaces share tables");
}

UNIT_MAIN(T(identity_4k), T(identity_4k_odd_size), T(identity_2m), T(identity_1g),
	  T(estimate_64g_4k), T(rejects_unaligned), T(runs_out_of_tables),
	  T(refuses_to_split_large), T(private_spaces))
