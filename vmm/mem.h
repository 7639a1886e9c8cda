/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/mem.h: guest RAM and its backings (anon, thp, hugetlb, memfd, file). */
#ifndef KVMSQ_MEM_H
#define KVMSQ_MEM_H

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

#endif
