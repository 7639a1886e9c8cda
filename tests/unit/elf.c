// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/elf.c: the guest ELF loader on well-formed and hostile files:
 * truncated, wrong class, wrong machine, overlapping segments, segments
 * outside the image area or RAM. A refused file writes nothing.
 */
#include <elf.h>
#include <string.h>

#include "unit.h"
#include "abi/abi.h"
#include "common/util.h"
#include "vmm/guest_elf.h"

#define RAM_BYTES	(8 * MiB)
#define BASE		KVMSQ_IMAGE_BASE

struct fake_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	uint8_t code[64];
} __attribute__((packed));

static uint8_t ram[RAM_BYTES];

/* Text at BASE (code, with the entry), .bss of 8 KiB at BASE + 64K. */
static void fake_build(struct fake_elf *f)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->eh.e_ident, ELFMAG, SELFMAG);
	f->eh.e_ident[EI_CLASS] = ELFCLASS64;
	f->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	f->eh.e_ident[EI_VERSION] = EV_CURRENT;
	f->eh.e_type = ET_EXEC;
	f->eh.e_machine = EM_X86_64;
	f->eh.e_version = EV_CURRENT;
	f->eh.e_entry = BASE + 4;
	f->eh.e_phoff = offsetof(struct fake_elf, ph);
	f->eh.e_ehsize = sizeof(Elf64_Ehdr);
	f->eh.e_phentsize = sizeof(Elf64_Phdr);
	f->eh.e_phnum = 2;
	f->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = offsetof(struct fake_elf, code), .p_vaddr = BASE,
		.p_paddr = BASE, .p_filesz = 64, .p_memsz = 64 };
	f->ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = 0, .p_vaddr = BASE + 0x10000, .p_paddr = BASE + 0x10000,
		.p_filesz = 0, .p_memsz = 8192 };
	memset(f->code, 0x90, sizeof(f->code));
}

static int fake_load(const struct fake_elf *f, size_t len, struct elf_image *img)
{
	memset(ram, 0xaa, sizeof(ram));
	return elf_load((const uint8_t *)f, len, ram, RAM_BYTES, BASE,
			KVMSQ_IMAGE_LIMIT, img);
}

static int untouched(void)
{
	size_t i;

	for (i = 0; i < sizeof(ram); i++)
		if (ram[i] != 0xaa)
			return 0;
	return 1;
}

static void loads_good_file(void)
{
	struct fake_elf f;
	struct elf_image img;
	int ret;

	fake_build(&f);
	ret = fake_load(&f, sizeof(f), &img);
	CHECK(!ret, "refused: %d", ret);
	CHECK(img.entry == BASE + 4 && img.start == BASE && img.end == BASE + 0x10000 + 8192,
	      "entry %llx start %llx end %llx", (unsigned long long)img.entry,
	      (unsigned long long)img.start, (unsigned long long)img.end);
	CHECK(ram[BASE] == 0x90 && ram[BASE + 63] == 0x90, "text not copied");
	CHECK(ram[BASE + 0x10000] == 0 && ram[BASE + 0x10000 + 8191] == 0, "bss not zeroed");
}

static void expect_refused(struct fake_elf *f, size_t len, const char *what)
{
	struct elf_image img;
	int ret = fake_load(f, len, &img);

	CHECK(ret < 0, "%s: accepted", what);
	CHECK(untouched(), "%s: RAM written although refused", what);
}

static void truncated(void)
{
	struct fake_elf f;

	fake_build(&f);
	expect_refused(&f, 0, "empty");
	expect_refused(&f, 10, "10 bytes");
	expect_refused(&f, sizeof(Elf64_Ehdr) - 1, "short header");
	expect_refused(&f, sizeof(Elf64_Ehdr) + 8, "program headers cut");
	expect_refused(&f, offsetof(struct fake_elf, code) + 10, "text cut");
	fake_build(&f);
	f.eh.e_phoff = ~0ull - 8;
	expect_refused(&f, sizeof(f), "phoff overflows");
	fake_build(&f);
	f.ph[0].p_offset = ~0ull - 16;
	expect_refused(&f, sizeof(f), "segment offset overflows");
}

static void wrong_class(void)
{
	struct fake_elf f;

	fake_build(&f);
	f.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_refused(&f, sizeof(f), "ELF32");
	fake_build(&f);
	f.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	expect_refused(&f, sizeof(f), "big endian");
	fake_build(&f);
	f.eh.e_ident[1] = 'X';
	expect_refused(&f, sizeof(f), "bad magic");
}

static void wrong_machine(void)
{
	struct fake_elf f;

	fake_build(&f);
	f.eh.e_machine = EM_AARCH64;
	expect_refused(&f, sizeof(f), "aarch64");
	fake_build(&f);
	f.eh.e_machine = EM_386;
	expect_refused(&f, sizeof(f), "i386");
	fake_build(&f);
	f.eh.e_type = ET_DYN;
	expect_refused(&f, sizeof(f), "PIE");
}

static void overlapping_segments(void)
{
	struct fake_elf f;

	fake_build(&f);
	f.ph[1].p_paddr = BASE + 32;
	expect_refused(&f, sizeof(f), "bss over text");
	fake_build(&f);
	f.eh.e_phnum = 3;
	f.ph[2] = f.ph[0];
	expect_refused(&f, sizeof(f), "the same segment twice");
}

static void outside_image_or_ram(void)
{
	struct fake_elf f;
	struct elf_image img;

	fake_build(&f);
	f.ph[1].p_paddr = 0x1000;
	expect_refused(&f, sizeof(f), "segment over the boot-info page");
	fake_build(&f);
	f.ph[1].p_memsz = KVMSQ_IMAGE_LIMIT;
	expect_refused(&f, sizeof(f), "segment past the image limit");
	fake_build(&f);
	f.ph[1].p_memsz = ~0ull - 4096;
	expect_refused(&f, sizeof(f), "segment size overflows");
	fake_build(&f);
	memset(ram, 0xaa, sizeof(ram));
	CHECK(elf_load((const uint8_t *)&f, sizeof(f), ram, BASE + 0x8000, BASE,
		       KVMSQ_IMAGE_LIMIT, &img) < 0, "bss past the end of RAM accepted");
}

/* The guest runs identity mapped: p_vaddr must be p_paddr (ABI.md). */
static void vaddr_not_paddr(void)
{
	struct fake_elf f;

	fake_build(&f);
	f.ph[0].p_vaddr = 0x2000;
	expect_refused(&f, sizeof(f), "text at vaddr 0x2000 (over the boot info)");
	fake_build(&f);
	f.ph[1].p_vaddr = 0xffffffff80000000ull + BASE + 0x10000;
	expect_refused(&f, sizeof(f), "bss at a higher-half vaddr");
	fake_build(&f);
	f.ph[1].p_vaddr++;
	expect_refused(&f, sizeof(f), "vaddr one byte off");
}

static void bad_segments(void)
{
	struct fake_elf f;

	fake_build(&f);
	f.ph[0].p_filesz = 128;
	expect_refused(&f, sizeof(f), "filesz > memsz");
	fake_build(&f);
	f.eh.e_entry = BASE + 0x10000;
	expect_refused(&f, sizeof(f), "entry in a data segment");
	fake_build(&f);
	f.eh.e_phnum = 0;
	expect_refused(&f, sizeof(f), "no program headers");
}

UNIT_MAIN(T(loads_good_file), T(truncated), T(wrong_class), T(wrong_machine),
	  T(overlapping_segments), T(outside_image_or_ram), T(vaddr_not_paddr),
	  T(bad_segments))
