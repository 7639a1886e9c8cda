/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/mem.h: guest RAM and its backings (anon, thp, hugetlb, memfd, file). */
#ifndef KVMSQ_MEM_H
#define KVMSQ_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mem_backing {
	MEM_ANON,	/* private anonymous, 4K pages (THP off) */
	MEM_THP,	/* private anonymous, MADV_HUGEPAGE */
	MEM_HUGETLB,	/* MAP_HUGETLB, default huge page size */
	MEM_MEMFD,	/* shared memfd (shmem) */
	MEM_FILE,	/* shared mapping of an unnamed file in a directory:
			 * the page cache writes back */
};

struct guest_mem {
	enum mem_backing backing;
	const char *path;	/* MEM_FILE: the directory */
	uint64_t bytes;
	uint8_t *host;		/* guest RAM as the VMM sees it */
	uint64_t map_bytes;	/* what was mmap()ed (alignment slack) */
	uint8_t *map;
	int fd;
};

int mem_backing_parse(const char *s, enum mem_backing *backing,
		      const char **path);
const char *mem_backing_name(enum mem_backing backing);
int guest_mem_map(struct guest_mem *mem, enum mem_backing backing,
		  const char *path, uint64_t bytes);
void guest_mem_unmap(struct guest_mem *mem);
/*
 * Allocate [@offset, +@bytes) of a file or memfd backing now (a no-op for
 * the others), so that writing it through the mapping cannot SIGBUS on a
 * full filesystem; @what names it in the error ("no space for guest RAM").
 */
int guest_mem_reserve(struct guest_mem *mem, uint64_t offset, uint64_t bytes,
		      const char *what);
/* Is [@gpa, +@len) inside guest RAM? */
bool guest_mem_range_ok(const struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* Copy guest RAM out without touching unallocated pages (holes read as 0). */
int guest_mem_read(const struct guest_mem *mem, void *dst, uint64_t offset,
		   uint64_t len);
/* Is the filesystem of a file or memfd backing full? Then @why says so. */
bool guest_mem_space_short(const struct guest_mem *mem, char *why, size_t len);

#endif
