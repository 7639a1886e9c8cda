/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/guest_elf.h: load a static ELF64 x86-64 guest image into guest RAM. */
#ifndef KVMSQ_GUEST_ELF_H
#define KVMSQ_GUEST_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS	32

struct elf_image {
	uint64_t entry;
	uint64_t start;		/* lowest loaded GPA */
	uint64_t end;		/* one past the highest */
};

/*
 * Check @buf as an ELF64 x86-64 ET_EXEC whose PT_LOAD segments lie in
 * [@lo, @hi) and in RAM at a virtual address equal to their physical one
 * (the identity map), do not overlap, and hold the entry point; fill
 * @img. Writes nothing.
 */
int elf_check(const uint8_t *buf, size_t len, uint64_t ram_bytes,
	      uint64_t lo, uint64_t hi, struct elf_image *img);
/* elf_check(), then copy the segments into @ram (zeroing .bss). */
int elf_load(const uint8_t *buf, size_t len, uint8_t *ram, uint64_t ram_bytes,
	     uint64_t lo, uint64_t hi, struct elf_image *img);

#endif
