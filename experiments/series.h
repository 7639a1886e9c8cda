/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/series.h: named time series, the samplers' output. A name
 * says the source, the metric and its unit: "meminfo.SecPageTables_kb",
 * "vmstat.pgscan_kswapd", "memcg.current_bytes".
 */
#ifndef KVMSQ_SERIES_H
#define KVMSQ_SERIES_H

#include <stddef.h>
#include <stdint.h>

#define SERIES_NAME_LEN	96

struct series {
	char name[SERIES_NAME_LEN];
	size_t n, cap;
	uint64_t *t_ns;		/* since the run started */
	double *v;
};

struct series_set {
	struct series *s;
	size_t n, cap;
	size_t hint;		/* where the next lookup likely hits */
	/* names to indexes: open addressing, index + 1 (0: empty) */
	size_t *index;
	size_t index_cap;	/* a power of two, at least twice n; 0: none yet */
};

/* Append one point to the series @name, creating it; 0 or -ENOMEM. */
int series_add(struct series_set *set, const char *name, uint64_t t_ns, double v);
/* printf-style name; the same as series_add() otherwise. */
int series_addf(struct series_set *set, uint64_t t_ns, double v,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct series *series_find(struct series_set *set, const char *name);
void series_set_free(struct series_set *set);

#endif
