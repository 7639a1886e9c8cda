/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/guests.h: the guests built into kvmsqueeze, and their params. */
#ifndef KVMSQ_VMM_GUESTS_H
#define KVMSQ_VMM_GUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A guest parameter and the values it takes: one of @choices ("0|3"),
 * or, without choices, a number or size (--param size=64M) from @min to
 * @max. The VMM refuses anything else before the guest starts.
 */
struct guest_param_spec {
	const char *key;
	const char *def;	/* default: what the VMM passes when not given */
	const char *help;
	const char *choices;	/* "a|b|c", or NULL for a number */
	uint64_t min, max;
};

/*
 * The guests' ELF images, one per guests/src/NAME.c: the build generates
 * this table (guests/embed.S, a rule of the Makefile); a NULL name ends it.
 */
struct guest_image {
	const char *name;
	const uint8_t *start, *end;
};
extern const struct guest_image guest_images[];

const struct guest_image *guest_image_find(const char *name);

/* What the build cannot know of a built-in guest; its image is found by name. */
struct builtin_guest {
	const char *name;
	const char *summary;
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

/* What @spec takes, for people: "0, 1 or 2", "a number from 0 to 255". */
void guest_param_takes(const struct guest_param_spec *spec, char *buf, size_t len);

struct vm_config;
/*
 * The runtime's own parameters in @cfg (cpl) have values it takes, and
 * the defaults of those not given go to cfg->defaults; for guests given
 * as ELF files, which may take any other parameter (with no defaults).
 */
int runtime_params_configure(struct vm_config *cfg);
/*
 * Point @cfg at built-in guest @name: its ELF image and the free RAM it
 * needs for cfg->nr_vcpus; every parameter already in @cfg must be one the
 * guest takes, with a value it takes, and the defaults of the guest's and
 * the runtime's parameters not given go to cfg->defaults. @guest
 * (optional) gets its descriptor.
 */
int builtin_guest_configure(struct vm_config *cfg, const char *name,
			    const struct builtin_guest **guest);

#endif
