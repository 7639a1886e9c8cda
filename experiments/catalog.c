// SPDX-License-Identifier: GPL-2.0
/* experiments/catalog.c: finding a built-in experiment by name. */
#include <string.h>

#include "experiments/catalog.h"

const struct catalog_entry *catalog_find(const char *name)
{
	const struct catalog_entry *e;

	for (e = catalog_entries; e->name; e++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}
