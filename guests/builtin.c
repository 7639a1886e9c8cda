// SPDX-License-Identifier: GPL-2.0
/*
 * guests/builtin.c: the table of built-in guests. Their ELF images are
 * embedded in the binary (the build generates one .incbin each).
 */
#include <errno.h>
#include <string.h>

#include "guests/builtin.h"
#include "vmm/err.h"
#include "vmm/vm.h"

#define GUEST_ELF(name)						\
	extern const uint8_t guest_elf_##name[], guest_elf_##name##_end[]

GUEST_ELF(touch);
GUEST_ELF(workingset);
GUEST_ELF(alias);
GUEST_ELF(churn);
GUEST_ELF(idle);
GUEST_ELF(nop);

/* Read by the runtime (guests/rt/rt.c), so every built-in guest takes them. */
const struct guest_param_spec runtime_params[] = {
	{ "cpl", "3", "privilege level of guest_main: 3, or 0 (kvm_pvm emulates CPL0)" },
	{ NULL, NULL, NULL },
};

static const struct guest_param_spec touch_params[] = {
	{ "size", "share", "bytes per vCPU (default: its share of free RAM)" },
	{ "timing", "1", "1: time every first write with rdtsc; 0: do not; 2: alternate 2M chunks of both" },
	{ "stride", "4096", "bytes between writes" },
	{ "verify", "0", "1: vCPU 0 checks afterwards that every page was written once" },
	{ NULL, NULL, NULL },
};

static const struct guest_param_spec workingset_params[] = {
	{ "size", "share", "working-set bytes per vCPU" },
	{ "cold", "0", "bytes (a page per 2M) touched once before the working set" },
	{ "pattern", "seq", "seq or random" },
	{ "duration", "0", "seconds of steady access; 0: until stopped" },
	{ "threshold_ns", "10000", "an access slower than this is slow" },
	{ "write", "1", "1: write each access (dirties file pages)" },
	{ NULL, NULL, NULL },
};

static const struct guest_param_spec alias_params[] = {
	{ "spaces", "8", "address spaces (CR3s) mapping the same window" },
	{ "size", "min(share/2, 64M)", "window bytes per vCPU" },
	{ "passes", "4", "passes over all spaces" },
	{ NULL, NULL, NULL },
};

static const struct guest_param_spec churn_params[] = {
	{ "size", "min(share/4, 16M)", "window bytes per vCPU" },
	{ "iterations", "1000", "page-table rewrites" },
	{ "duration", "0", "seconds; 0: use iterations" },
	{ NULL, NULL, NULL },
};

static const struct guest_param_spec idle_params[] = {
	{ "touch", "2M", "bytes per vCPU to touch before halting" },
	{ NULL, NULL, NULL },
};

static const struct guest_param_spec nop_params[] = {
	{ "code", "0", "exit code to return at once" },
	{ NULL, NULL, NULL },
};

#define BUILTIN(n, sum, min_free, until_stopped)			\
	{ .name = #n, .summary = sum, .elf = guest_elf_##n,		\
	  .elf_end = guest_elf_##n##_end, .min_free_per_vcpu = min_free,\
	  .runs_until_stopped = until_stopped, .params = n##_params }

const struct builtin_guest builtin_guests[] = {
	BUILTIN(touch, "first touch of every page, each fault timed", 4096, false),
	BUILTIN(workingset, "steady access over a working set until stopped", 4096, true),
	BUILTIN(alias, "many address spaces mapping the same memory", 1 << 20, false),
	BUILTIN(churn, "rewrites its page tables and reloads CR3", 1 << 20, false),
	BUILTIN(idle, "touches a little, then halts until stopped", 2 << 20, true),
	BUILTIN(nop, "exits at once (cold start, exit codes)", 0, false),
};

const size_t nr_builtin_guests = sizeof(builtin_guests) / sizeof(builtin_guests[0]);

const struct builtin_guest *builtin_guest_find(const char *name)
{
	size_t i;

	for (i = 0; i < nr_builtin_guests; i++)
		if (!strcmp(builtin_guests[i].name, name))
			return &builtin_guests[i];
	return NULL;
}

const struct guest_param_spec *builtin_guest_param(const struct builtin_guest *g,
						   const char *key)
{
	const struct guest_param_spec *p;

	for (p = g->params; p->key; p++)
		if (!strcmp(p->key, key))
			return p;
	for (p = runtime_params; p->key; p++)
		if (!strcmp(p->key, key))
			return p;
	return NULL;
}

int builtin_guest_configure(struct vm_config *cfg, const char *name,
			    const struct builtin_guest **guest)
{
	const struct builtin_guest *g = builtin_guest_find(name);
	int i;

	if (!g)
		return err_set(ENOENT, "unknown guest '%s' (built-in: touch, workingset, alias, churn, idle, nop; or give a path to an ELF file)",
			       name);
	for (i = 0; i < cfg->nr_params; i++)
		if (!builtin_guest_param(g, cfg->params[i].key))
			return err_set(EINVAL, "guest %s has no parameter '%s' (see kvmsqueeze vm --list-guests)",
				       g->name, cfg->params[i].key);
	cfg->guest_name = g->name;
	cfg->elf = g->elf;
	cfg->elf_bytes = (size_t)(g->elf_end - g->elf);
	cfg->min_free_bytes = g->min_free_per_vcpu * (uint64_t)cfg->nr_vcpus;
	if (guest)
		*guest = g;
	return 0;
}
