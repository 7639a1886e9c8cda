/* SPDX-License-Identifier: GPL-2.0 */
/* guests/builtin.h: the guests built into kvmsqueeze, and their params. */
#ifndef KVMSQ_BUILTIN_H
#define KVMSQ_BUILTIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_param_spec {
	const char *key;
	const char *def;	/* default, as the guest applies it */
	const char *help;
};

struct builtin_guest {
	const char *name;
	const char *summary;
	const uint8_t *elf;
	const uint8_t *elf_end;
	uint64_t min_free_per_vcpu;	/* free RAM each vCPU needs */
	bool runs_until_stopped;	/* `vm` gives it a default --duration */
	const struct guest_param_spec *params;
};

extern const struct builtin_guest builtin_guests[];
extern const struct guest_param_spec runtime_params[];
extern const size_t nr_builtin_guests;

const struct builtin_guest *builtin_guest_find(const char *name);
const struct guest_param_spec *builtin_guest_param(const struct builtin_guest *g,
						   const char *key);

struct vm_config;
/*
 * Point @cfg at built-in guest @name: its ELF image and the free RAM it
 * needs for cfg->nr_vcpus; every parameter already in @cfg must be one the
 * guest takes. @guest (optional) gets its descriptor.
 */
int builtin_guest_configure(struct vm_config *cfg, const char *name,
			    const struct builtin_guest **guest);

#endif
