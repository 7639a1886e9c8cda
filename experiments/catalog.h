/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/catalog.h: the canned experiments of experiments/catalog/,
 * built into the binary (the build generates the table) so that
 * `kvmsqueeze run NAME` works wherever the binary is, the lab included.
 */
#ifndef KVMSQ_CATALOG_H
#define KVMSQ_CATALOG_H

struct catalog_entry {
	const char *name;	/* the file name without .json */
	const char *json;	/* its text, NUL-terminated */
};

/* Ends with an entry whose name is NULL. */
extern const struct catalog_entry catalog_entries[];

const struct catalog_entry *catalog_find(const char *name);

#endif
