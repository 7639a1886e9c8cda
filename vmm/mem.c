// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/mem.c: guest RAM. Everything is mapped MAP_NORESERVE (but hugetlb,
 * whose pages are counted up front instead) so tens of GiB of address
 * space cost nothing until the guest touches them. A file or memfd page
 * that cannot be allocated (full filesystem) is SIGBUS to whoever touches
 * it through the mapping: the VMM reserves what it writes itself and
 * reads the rest through the file, never through the mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "vmm/mem.h"

static const char *const mem_backing_names[] = {
	[MEM_ANON] = "anon",
	[MEM_THP] = "thp",
	[MEM_HUGETLB] = "hugetlb",
	[MEM_MEMFD] = "memfd",
	[MEM_FILE] = "file",
};

const char *mem_backing_name(enum mem_backing backing)
{
	return mem_backing_names[backing];
}

/* "anon", "thp", "hugetlb", "memfd", "file:DIR". */
int mem_backing_parse(const char *s, enum mem_backing *backing,
		      const char **path)
{
	unsigned int i;

	*path = NULL;
	if (!strncmp(s, "file:", 5) && s[5]) {
		*backing = MEM_FILE;
		*path = s + 5;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(mem_backing_names); i++) {
		if (i != MEM_FILE && !strcmp(s, mem_backing_names[i])) {
			*backing = i;
			return 0;
		}
	}
	return err_set(EINVAL, "unknown backing '%s' (use anon, thp, hugetlb, memfd or file:DIR)", s);
}

static uint64_t read_sys_u64(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static uint64_t hugetlb_default_bytes(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 2 * MiB;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb ? kb * KiB : 2 * MiB;
}

static int hugetlb_check(uint64_t bytes, uint64_t *page_bytes)
{
	uint64_t huge = hugetlb_default_bytes(), need, free_pages;
	char path[128];

	*page_bytes = huge;
	if (bytes % huge)
		return err_set(EINVAL, "hugetlb: guest RAM must be a multiple of the huge page size (%" PRIu64 " KiB)",
			       huge / KiB);
	need = bytes / huge;
	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/free_hugepages", huge / KiB);
	free_pages = read_sys_u64(path);
	if (free_pages < need)
		return err_set(ENOMEM, "hugetlb: need %" PRIu64 " free %" PRIu64 " KiB huge pages, %" PRIu64 " are free (echo %" PRIu64 " > /proc/sys/vm/nr_hugepages)",
			       need, huge / KiB, free_pages, need);
	return 0;
}

/*
 * file:DIR: guest RAM is an unnamed file in DIR (O_TMPFILE). Nothing is
 * left behind however the VMM ends, nobody can truncate guest RAM under
 * it, and an existing file is never touched: anything but a directory is
 * refused and no path is created.
 */
static int file_open(struct guest_mem *mem)
{
	char name[PATH_MAX];
	int dir, fd, err;

	dir = open(mem->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		err = errno;
		if (err == ENOTDIR)
			return err_set(EEXIST, "file backing: %s is not a directory (guest RAM goes into an unnamed file in a directory; kvmsqueeze never writes over a file)",
				       mem->path);
		return err_set(err, "file backing: %s: %s (give an existing directory for an unnamed file)",
			       mem->path, strerror(err));
	}
	fd = openat(dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* no O_TMPFILE here: a named file, unlinked at once */
		snprintf(name, sizeof(name), "%s/.kvmsqueeze-guest-XXXXXX", mem->path);
		fd = mkostemp(name, O_CLOEXEC);
		if (fd >= 0)
			unlink(name);
	}
	err = errno;
	close(dir);
	if (fd < 0)
		return err_set(err, "file backing: an unnamed file in %s: %s (is the directory writable?)",
			       mem->path, strerror(err));
	if (ftruncate(fd, (off_t)mem->bytes)) {
		err = err_sys(errno, "file backing: sizing the file in %s to %" PRIu64 " bytes",
			      mem->path, mem->bytes);
		close(fd);
		return err;
	}
	mem->fd = fd;
	return 0;
}

static int mem_map(struct guest_mem *mem, uint64_t align, int flags)
{
	mem->map_bytes = mem->bytes + (align > 4096 ? align : 0);
	mem->map = mmap(NULL, mem->map_bytes, PROT_READ | PROT_WRITE, flags,
			mem->fd, 0);
	if (mem->map == MAP_FAILED) {
		mem->map = NULL;
		return err_sys(errno, "mmap of %" PRIu64 " MiB guest RAM (%s)",
			       mem->bytes / MiB, mem_backing_name(mem->backing));
	}
	mem->host = (uint8_t *)ALIGN_UP((uintptr_t)mem->map, align);
	return 0;
}

int guest_mem_map(struct guest_mem *mem, enum mem_backing backing,
		  const char *path, uint64_t bytes)
{
	const int priv = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	uint64_t huge;
	int ret;

	memset(mem, 0, sizeof(*mem));
	mem->backing = backing;
	mem->path = path;
	mem->bytes = bytes;
	mem->fd = -1;

	switch (backing) {
	case MEM_ANON:
		ret = mem_map(mem, 4096, priv);
		if (!ret)
			madvise(mem->host, bytes, MADV_NOHUGEPAGE);
		return ret;
	case MEM_THP:
		ret = mem_map(mem, 2 * MiB, priv);
		if (!ret && madvise(mem->host, bytes, MADV_HUGEPAGE))
			ret = err_sys(errno, "madvise(MADV_HUGEPAGE) (is THP compiled in?)");
		break;
	case MEM_HUGETLB:
		ret = hugetlb_check(bytes, &huge);
		if (ret)
			return ret;
		mem->map_bytes = bytes;
		mem->map = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (mem->map == MAP_FAILED) {
			mem->map = NULL;
			return err_sys(errno, "hugetlb: mmap of %" PRIu64 " MiB (free huge pages taken meanwhile?)",
				       bytes / MiB);
		}
		mem->host = mem->map;
		return 0;
	case MEM_MEMFD:
		mem->fd = memfd_create("kvmsqueeze-guest", MFD_CLOEXEC);
		if (mem->fd < 0)
			return err_sys(errno, "memfd_create");
		if (ftruncate(mem->fd, (off_t)bytes)) {
			ret = err_sys(errno, "memfd: ftruncate to %" PRIu64 " bytes", bytes);
			break;
		}
		ret = mem_map(mem, 4096, MAP_SHARED | MAP_NORESERVE);
		break;
	case MEM_FILE:
		ret = file_open(mem);
		if (ret)
			return ret;
		ret = mem_map(mem, 4096, MAP_SHARED | MAP_NORESERVE);
		break;
	default:
		return err_set(EINVAL, "unknown backing %d", backing);
	}
	if (ret)
		guest_mem_unmap(mem);
	return ret;
}

void guest_mem_unmap(struct guest_mem *mem)
{
	if (mem->map)
		munmap(mem->map, mem->map_bytes);
	mem->map = NULL;
	mem->host = NULL;
	if (mem->fd >= 0)
		close(mem->fd);
	mem->fd = -1;
}

/* Where a file or memfd backing takes its space from, for messages. */
static const char *mem_space_name(const struct guest_mem *mem)
{
	return mem->backing == MEM_FILE ? mem->path : "memfd (shmem)";
}

/* Free bytes on the filesystem of an fd backing, or UINT64_MAX. */
static uint64_t mem_space_free(const struct guest_mem *mem)
{
	struct statvfs st;

	if (mem->fd < 0 || fstatvfs(mem->fd, &st))
		return UINT64_MAX;
	return (uint64_t)st.f_bavail * st.f_frsize;
}

/* Where fallocate() is not offered: allocate by writing zeros; 0 or errno. */
static int mem_write_zeros(int fd, uint64_t offset, uint64_t bytes)
{
	static const uint8_t zeros[64 * 1024];
	ssize_t done;
	size_t n;

	while (bytes) {
		n = bytes < sizeof(zeros) ? (size_t)bytes : sizeof(zeros);
		done = pwrite(fd, zeros, n, (off_t)offset);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return done ? errno : ENOSPC;
		offset += (uint64_t)done;
		bytes -= (uint64_t)done;
	}
	return 0;
}

int guest_mem_reserve(struct guest_mem *mem, uint64_t offset, uint64_t bytes,
		      const char *what)
{
	char size[32], left[32];
	int err;

	if (mem->fd < 0 || !bytes)
		return 0;
	if (offset > mem->bytes || bytes > mem->bytes - offset)
		return err_set(EINVAL, "reserving guest RAM 0x%" PRIx64 "+0x%" PRIx64 " past its end",
			       offset, bytes);
	do {
		err = fallocate(mem->fd, 0, (off_t)offset, (off_t)bytes) ? errno : 0;
	} while (err == EINTR);
	if (err == EOPNOTSUPP)
		err = mem_write_zeros(mem->fd, offset, bytes);
	if (!err)
		return 0;
	format_size(bytes, size, sizeof(size));
	format_size(mem_space_free(mem), left, sizeof(left));
	if (err == ENOSPC || err == EDQUOT)
		return err_set(ENOSPC, "no space for guest RAM: %s for %s do not fit in %s (%s free; free space there, or use less --mem, a larger --guest-page or another --backing)",
			       size, what, mem_space_name(mem), left);
	return err_set(err, "reserving %s of guest RAM for %s in %s: %s",
		       size, what, mem_space_name(mem), strerror(err));
}

bool guest_mem_range_ok(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	return len <= mem->bytes && gpa <= mem->bytes - len;
}

int guest_mem_read(const struct guest_mem *mem, void *dst, uint64_t offset,
		   uint64_t len)
{
	uint8_t *p = dst;
	ssize_t got;

	if (offset > mem->bytes || len > mem->bytes - offset)
		return err_set(EFAULT, "guest RAM 0x%" PRIx64 "+0x%" PRIx64 " past its end",
			       offset, len);
	if (mem->fd < 0) {
		memcpy(dst, mem->host + offset, len);
		return 0;
	}
	/* a hole reads as zeros, without allocating (or faulting) a page */
	while (len) {
		got = pread(mem->fd, p, len, (off_t)offset);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return err_set(got ? errno : EFAULT, "reading guest RAM at 0x%" PRIx64 " from its %s file: %s",
				       offset, mem_backing_name(mem->backing),
				       got ? strerror(errno) : "file cut short");
		p += got;
		offset += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return 0;
}

/* Below this much free space a failed page allocation means "full". */
#define MEM_SPACE_FULL_BYTES	(2 * MiB)

bool guest_mem_space_short(const struct guest_mem *mem, char *why, size_t len)
{
	uint64_t free_bytes = mem_space_free(mem);
	char left[32];

	if (free_bytes >= MEM_SPACE_FULL_BYTES)
		return false;
	format_size(free_bytes, left, sizeof(left));
	snprintf(why, len, "%s has %s free", mem_space_name(mem), left);
	return true;
}
