#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/tools/make_elfs.py DIR: ELF files that are not guests, for
tests/vm_errors.sh: DIR/elf32 (ELF32), DIR/arm64 (an aarch64 executable),
DIR/far (x86-64, its segment at 8 MiB, outside the image area), DIR/cut
(its program header cut short) and DIR/vaddr (loaded at 0x100000 but
linked to run at 0x2000, over the boot info).
"""
import struct
import sys

EM_AARCH64, EM_X86_64 = 183, 62


def ehdr64(machine, entry):
    """An ELF64 little-endian executable's header, one program header."""
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack(
        "<HHIQQQIHHHHHH", 2, machine, 1, entry, 64, 0, 0, 64, 56, 1, 0, 0, 0)


def load_phdr(vaddr, paddr):
    """A PT_LOAD of 120 bytes, r-x, at VADDR (virtual) and PADDR."""
    return struct.pack("<IIQQQQQQ", 1, 5, 0, vaddr, paddr, 120, 120, 4096)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main(d):
    write(d + "/elf32", b"\x7fELF\x01\x01\x01" + bytes(9) + struct.pack("<HHI", 2, 3, 1) +
          bytes(36))
    write(d + "/arm64", ehdr64(EM_AARCH64, 0x100000) + load_phdr(0x100000, 0x100000))
    write(d + "/far", ehdr64(EM_X86_64, 0x800000) + load_phdr(0x800000, 0x800000))
    write(d + "/cut", ehdr64(EM_X86_64, 0x800000) + bytes(20))
    write(d + "/vaddr", ehdr64(EM_X86_64, 0x2000) + load_phdr(0x2000, 0x100000))


if __name__ == "__main__":
    main(sys.argv[1])
