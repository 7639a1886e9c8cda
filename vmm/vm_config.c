// SPDX-License-Identifier: GPL-2.0
/* vmm/vm_config.c: guest parameters and page sizes from text. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "abi/x86_pt.h"
#include "common/err.h"
#include "common/util.h"
#include "vmm/vm_config.h"

static const struct {
	const char *name;
	uint64_t bytes;
} page_sizes[] = {
	{ "4k", X86_PAGE_4K }, { "2m", X86_PAGE_2M }, { "1g", X86_PAGE_1G },
};

/* @key=@value into @params[*@nr]. */
static int param_add(struct kvmsq_param *params, int *nr, const char *key, const char *value)
{
	struct kvmsq_param *p;
	uint64_t num;

	if (!key[0])
		return err_set(EINVAL, "guest parameter with an empty name");
	if (*nr == KVMSQ_MAX_PARAMS)
		return err_set(E2BIG, "guest parameter '%s': more than %d parameters",
			       key, KVMSQ_MAX_PARAMS);
	if (strlen(key) >= KVMSQ_PARAM_KEY_LEN || strlen(value) >= KVMSQ_PARAM_VALUE_LEN)
		return err_set(ENAMETOOLONG, "guest parameter '%s': name over %d or value over %d bytes",
			       key, KVMSQ_PARAM_KEY_LEN - 1, KVMSQ_PARAM_VALUE_LEN - 1);
	p = &params[(*nr)++];
	memset(p, 0, sizeof(*p));
	strcpy(p->key, key);
	strcpy(p->value, value);
	if (!parse_size(p->value, &num)) {
		p->num = num;
		p->has_num = 1;
	}
	err_clear();
	return 0;
}

int vm_config_add_param(struct vm_config *cfg, const char *key, const char *value)
{
	return param_add(cfg->params, &cfg->nr_params, key, value);
}

int vm_config_add_default(struct vm_config *cfg, const char *key, const char *value)
{
	return param_add(cfg->defaults, &cfg->nr_defaults, key, value);
}

int vm_config_page_parse(const char *name, uint64_t *bytes)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(page_sizes); i++) {
		if (!strcasecmp(name, page_sizes[i].name)) {
			*bytes = page_sizes[i].bytes;
			return 0;
		}
	}
	return err_set(EINVAL, "guest page size '%s': use 4k, 2m or 1g", name);
}

const char *vm_config_page_name(uint64_t bytes)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(page_sizes); i++)
		if (page_sizes[i].bytes == bytes)
			return page_sizes[i].name;
	return "?";
}
