// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/guest_elf.c: the guest ELF loader. The file is untrusted input: every
 * offset and size is checked, with overflow in mind, before anything is
 * copied into guest RAM.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "common/err.h"
#include "vmm/guest_elf.h"

static int elf_check_header(const uint8_t *buf, size_t len)
{
	Elf64_Ehdr eh_copy, *eh = &eh_copy;

	if (len < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG))
		return err_set(ENOEXEC, "not an ELF file");
	if (buf[EI_CLASS] != ELFCLASS64)
		return err_set(ENOEXEC, "not ELF64 (class %u; build the guest for x86-64)",
			       buf[EI_CLASS]);
	if (len < sizeof(*eh))
		return err_set(ENOEXEC, "truncated ELF header (%zu bytes)", len);
	memcpy(eh, buf, sizeof(*eh));
	if (buf[EI_DATA] != ELFDATA2LSB || buf[EI_VERSION] != EV_CURRENT)
		return err_set(ENOEXEC, "not a little-endian ELF version 1 file");
	if (eh->e_machine != EM_X86_64)
		return err_set(ENOEXEC, "machine %u is not x86-64 (%u)",
			       eh->e_machine, EM_X86_64);
	if (eh->e_type != ET_EXEC)
		return err_set(ENOEXEC, "not a static executable (e_type %u; link with -static -no-pie)",
			       eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return err_set(ENOEXEC, "bad program header size %u", eh->e_phentsize);
	if (eh->e_phnum == 0 || eh->e_phnum > 64)
		return err_set(ENOEXEC, "%u program headers (1 to 64 accepted)", eh->e_phnum);
	if (eh->e_phoff > len || (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return err_set(ENOEXEC, "truncated: program headers run past the end of the file");
	return 0;
}

static int elf_check_segment(const Elf64_Phdr *ph, size_t len, uint64_t lo,
			     uint64_t hi, uint64_t ram_bytes)
{
	if (ph->p_filesz > ph->p_memsz)
		return err_set(ENOEXEC, "segment at 0x%" PRIx64 ": file size exceeds memory size",
			       ph->p_paddr);
	if (ph->p_offset > len || len - ph->p_offset < ph->p_filesz)
		return err_set(ENOEXEC, "truncated: segment at 0x%" PRIx64 " runs past the end of the file",
			       ph->p_paddr);
	if (ph->p_vaddr != ph->p_paddr)
		return err_set(ENOEXEC, "segment at 0x%" PRIx64 " has virtual address 0x%" PRIx64 " (the guest runs identity mapped: link it with its virtual address equal to its physical one)",
			       ph->p_paddr, ph->p_vaddr);
	if (ph->p_paddr < lo || ph->p_paddr > hi || hi - ph->p_paddr < ph->p_memsz)
		return err_set(ENOEXEC, "segment 0x%" PRIx64 "-0x%" PRIx64 " outside the image area 0x%" PRIx64 "-0x%" PRIx64 " (link the guest there)",
			       ph->p_paddr, ph->p_paddr + ph->p_memsz, lo, hi);
	if (ph->p_paddr + ph->p_memsz > ram_bytes)
		return err_set(ENOEXEC, "segment 0x%" PRIx64 "-0x%" PRIx64 " does not fit in %" PRIu64 " KiB of guest RAM (give more --mem)",
			       ph->p_paddr, ph->p_paddr + ph->p_memsz, ram_bytes >> 10);
	return 0;
}

static int elf_collect(const uint8_t *buf, size_t len, uint64_t lo, uint64_t hi,
		       uint64_t ram_bytes, Elf64_Phdr *load, int *nr_load)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i, j, n = 0, ret;

	memcpy(&eh, buf, sizeof(eh));	/* the file need not be aligned */
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		ret = elf_check_segment(&ph, len, lo, hi, ram_bytes);
		if (ret)
			return ret;
		for (j = 0; j < n; j++) {
			if (ph.p_paddr < load[j].p_paddr + load[j].p_memsz &&
			    load[j].p_paddr < ph.p_paddr + ph.p_memsz)
				return err_set(ENOEXEC, "segments at 0x%" PRIx64 " and 0x%" PRIx64 " overlap",
					       load[j].p_paddr, ph.p_paddr);
		}
		if (n == ELF_MAX_SEGMENTS)
			return err_set(ENOEXEC, "more than %d loadable segments", ELF_MAX_SEGMENTS);
		load[n++] = ph;
	}
	if (!n)
		return err_set(ENOEXEC, "no loadable segment");
	*nr_load = n;
	return 0;
}

int elf_check(const uint8_t *buf, size_t len, uint64_t ram_bytes,
	      uint64_t lo, uint64_t hi, struct elf_image *img)
{
	Elf64_Phdr load[ELF_MAX_SEGMENTS];
	Elf64_Ehdr eh;
	int i, n = 0, ret, entry_ok = 0;

	ret = elf_check_header(buf, len);
	if (ret)
		return ret;
	memcpy(&eh, buf, sizeof(eh));
	ret = elf_collect(buf, len, lo, hi, ram_bytes, load, &n);
	if (ret)
		return ret;
	img->start = UINT64_MAX;
	img->end = 0;
	for (i = 0; i < n; i++) {
		const Elf64_Phdr *ph = &load[i];

		if (ph->p_paddr < img->start)
			img->start = ph->p_paddr;
		if (ph->p_paddr + ph->p_memsz > img->end)
			img->end = ph->p_paddr + ph->p_memsz;
		if ((ph->p_flags & PF_X) && eh.e_entry >= ph->p_paddr &&
		    eh.e_entry < ph->p_paddr + ph->p_memsz)
			entry_ok = 1;
	}
	if (!entry_ok)
		return err_set(ENOEXEC, "entry point 0x%" PRIx64 " is not in an executable segment",
			       (uint64_t)eh.e_entry);
	img->entry = eh.e_entry;
	return 0;
}

int elf_load(const uint8_t *buf, size_t len, uint8_t *ram, uint64_t ram_bytes,
	     uint64_t lo, uint64_t hi, struct elf_image *img)
{
	Elf64_Phdr load[ELF_MAX_SEGMENTS];
	int i, n = 0, ret;

	ret = elf_check(buf, len, ram_bytes, lo, hi, img);
	if (ret)
		return ret;
	elf_collect(buf, len, lo, hi, ram_bytes, load, &n);	/* checked above */
	for (i = 0; i < n; i++) {
		const Elf64_Phdr *ph = &load[i];

		memcpy(ram + ph->p_paddr, buf + ph->p_offset, ph->p_filesz);
		memset(ram + ph->p_paddr + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	}
	return 0;
}
