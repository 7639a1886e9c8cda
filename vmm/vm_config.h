/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm/vm_config.h: filling a struct vm_config from text, shared by
 * `kvmsqueeze vm` (options) and the runner (spec files).
 */
#ifndef KVMSQ_VM_CONFIG_H
#define KVMSQ_VM_CONFIG_H

#include <stdint.h>

#include "vmm/vm.h"

/* Add a guest parameter; a value that parses as a size also gets num. */
int vm_config_add_param(struct vm_config *cfg, const char *key, const char *value);
/* The same for a parameter's default (cfg->defaults). */
int vm_config_add_default(struct vm_config *cfg, const char *key, const char *value);
/* "4k", "2m" or "1g" (any case) to bytes. */
int vm_config_page_parse(const char *name, uint64_t *bytes);
const char *vm_config_page_name(uint64_t bytes);

#endif
