// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/kallsyms.c: <proc>/kallsyms read in one pass into a buffer
 * that grows (the file's size is 0 to stat(), and a read from the start
 * again would walk every symbol again), parsed by libtraceevent
 * (tep_parse_kallsyms) into a handle of its own, looked up with
 * tep_find_function().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>

#include "common/err.h"
#include "experiments/kallsyms.h"

#define KALLSYMS_MAX		(64 << 20)

/*
 * kptr_restrict shows every address as 0: no names then, only wrong ones.
 * A zero address alone says nothing: SMP kernels list their per-CPU
 * symbols first, at offsets from 0 (6.12: "0000000000000000 A
 * fixed_percpu_data").
 */
static bool kallsyms_has_addresses(const char *text)
{
	const char *line;

	for (line = text; *line; line = strchr(line, '\n') + 1) {
		if (strncmp(line, "0000000000000000 ", 17))
			return true;
		if (!strchr(line, '\n'))
			break;
	}
	return false;
}

/* The whole file, NUL-terminated, in *@text; its length or -errno. */
static ssize_t kallsyms_slurp(int fd, char **text)
{
	size_t cap = 0, len = 0;
	ssize_t n;
	char *p;

	for (;;) {
		if (cap - len < 2) {
			if (cap >= KALLSYMS_MAX)
				return -EFBIG;
			cap = cap ? 2 * cap : 1 << 20;
			p = realloc(*text, cap);
			if (!p)
				return -ENOMEM;
			*text = p;
		}
		n = read(fd, *text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		len += (size_t)n;
	}
	(*text)[len] = '\0';
	return (ssize_t)len;
}

int kallsyms_load(struct kallsyms *k, const char *proc)
{
	char path[4096], *text = NULL;
	ssize_t len;
	int fd, ret = 0;

	k->tep = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/kallsyms", proc) >= sizeof(path))
		return err_set(ENAMETOOLONG, "%s/kallsyms: path too long", proc);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(errno, "%s", path);
	len = kallsyms_slurp(fd, &text);
	close(fd);
	if (len < 0)
		ret = err_sys((int)-len, "reading %s", path);
	else if (!len)
		ret = err_set(ENOENT, "%s is empty", path);
	else if (!kallsyms_has_addresses(text))
		ret = err_set(ENOENT, "%s shows every address as 0 (kptr_restrict)", path);
	if (!ret) {
		k->tep = tep_alloc();
		if (!k->tep || tep_parse_kallsyms(k->tep, text))
			ret = err_sys(ENOMEM, "parsing %s", path);
	}
	free(text);
	if (ret)
		kallsyms_free(k);
	return ret;
}

void kallsyms_name(const struct kallsyms *k, uint64_t addr, char *name, size_t len)
{
	const char *fn = k->tep ? tep_find_function(k->tep, addr) : NULL;
	size_t n = 0;

	if (!fn) {
		snprintf(name, len, "0x%llx", (unsigned long long)addr);
		return;
	}
	/* "foo.isra.0", "foo.cold": the function is foo */
	while (fn[n] && fn[n] != '.' && n + 1 < len) {
		name[n] = fn[n];
		n++;
	}
	name[n] = '\0';
}

void kallsyms_free(struct kallsyms *k)
{
	if (k->tep)
		tep_free(k->tep);
	k->tep = NULL;
}
