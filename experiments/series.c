// SPDX-License-Identifier: GPL-2.0
/* experiments/series.c: named time series, appended to and looked up. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/series.h"

/* FNV-1a */
static size_t name_hash(const char *name)
{
	uint64_t h = 14695981039346656037ull;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	return (size_t)h;
}

static void index_put(struct series_set *set, size_t i)
{
	size_t mask = set->index_cap - 1, slot = name_hash(set->s[i].name) & mask;

	while (set->index[slot])
		slot = (slot + 1) & mask;
	set->index[slot] = i + 1;
}

/* Keep the index at least twice as large as the set; -ENOMEM. */
static int index_grow(struct series_set *set, size_t n)
{
	size_t cap = set->index_cap ? set->index_cap : 256, i;
	size_t *index;

	if (n * 2 <= set->index_cap)
		return 0;
	while (n * 2 > cap)
		cap *= 2;
	index = calloc(cap, sizeof(*index));
	if (!index)
		return -ENOMEM;
	free(set->index);
	set->index = index;
	set->index_cap = cap;
	for (i = 0; i < set->n; i++)
		index_put(set, i);
	return 0;
}

/*
 * Samplers add their series in the same order at every tick, so the one
 * after the last found is almost always the one asked for: a lookup is
 * one strcmp. Otherwise (a VM whose series began later than the next
 * VM's, thousands of series apart) the hash index finds it.
 */
struct series *series_find(struct series_set *set, const char *name)
{
	size_t mask, slot, i;

	if (set->hint < set->n && !strcmp(set->s[set->hint].name, name))
		return &set->s[set->hint++];
	if (!set->index_cap)
		return NULL;
	mask = set->index_cap - 1;
	for (slot = name_hash(name) & mask; set->index[slot]; slot = (slot + 1) & mask) {
		i = set->index[slot] - 1;
		if (!strcmp(set->s[i].name, name)) {
			set->hint = i + 1;
			return &set->s[i];
		}
	}
	return NULL;
}

static struct series *series_new(struct series_set *set, const char *name)
{
	struct series *s;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct series *grown = realloc(set->s, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		set->s = grown;
		set->cap = cap;
	}
	if (index_grow(set, set->n + 1))
		return NULL;
	s = &set->s[set->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	index_put(set, set->n - 1);
	return s;
}

int series_add(struct series_set *set, const char *name, uint64_t t_ns, double v)
{
	struct series *s = series_find(set, name);

	if (!s && !(s = series_new(set, name)))
		return -ENOMEM;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint64_t *t = realloc(s->t_ns, cap * sizeof(*t));
		double *v2;

		if (!t)
			return -ENOMEM;
		s->t_ns = t;
		v2 = realloc(s->v, cap * sizeof(*v2));
		if (!v2)
			return -ENOMEM;
		s->v = v2;
		s->cap = cap;
	}
	s->t_ns[s->n] = t_ns;
	s->v[s->n] = v;
	s->n++;
	return 0;
}

int series_addf(struct series_set *set, uint64_t t_ns, double v, const char *fmt, ...)
{
	char name[SERIES_NAME_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return series_add(set, name, t_ns, v);
}

void series_set_free(struct series_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->s[i].t_ns);
		free(set->s[i].v);
	}
	free(set->s);
	free(set->index);
	memset(set, 0, sizeof(*set));
}
