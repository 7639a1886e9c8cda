// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/kallsyms.c: <proc>/kallsyms read in one pass
 * (procfs_read_alloc()), parsed by libtraceevent
 * (tep_parse_kallsyms) into a handle of its own, looked up with
 * tep_find_function().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "common/err.h"
#include "experiments/kallsyms.h"
#include "experiments/procfs.h"

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

int kallsyms_load(struct kallsyms *k, const char *proc)
{
	char path[4096], *text = NULL;
	ssize_t len;
	int ret = 0;

	k->tep = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/kallsyms", proc) >= sizeof(path))
		return err_set(ENAMETOOLONG, "%s/kallsyms: path too long", proc);
	len = procfs_read_alloc(path, KALLSYMS_MAX, &text);
	if (len < 0)
		ret = (int)len;
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
