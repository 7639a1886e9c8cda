// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/sampler_util.c: what the samplers share: a note on a
 * sampler whose source is partly missing, and the key/value and PSI
 * callbacks that turn a parsed file into series. Called by the samplers
 * (experiments/samplers_*.c); calls none of them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/procfs.h"
#include "experiments/sampler.h"

void sampler_note(struct sampler *s, const char *fmt, ...)
{
	size_t len = strlen(s->note);
	va_list ap;

	if (len && len < sizeof(s->note) - 2) {
		memcpy(s->note + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(s->note + len, sizeof(s->note) - len, fmt, ap);
	va_end(ap);
}

int sampler_kv_add(const char *key, uint64_t val, void *arg)
{
	struct sampler_kv *kv = arg;
	int i = procfs_key_match(key, kv->keys);

	if (i < 0)
		return 0;
	if (i < 64)
		kv->seen |= 1ull << i;
	if (kv->out && series_addf(kv->out, kv->t_ns, (double)val, "%s%s%s",
			kv->prefix, key, kv->suffix))
		return err_sys(ENOMEM, "series %s%s%s", kv->prefix, key, kv->suffix);
	return 0;
}

int sampler_psi_add(const char *key, double val, void *arg)
{
	static const char *const fields[][2] = {
		{ "some_avg10", "some_avg10" },
		{ "some_total", "some_total_us" },
		{ "full_avg10", "full_avg10" },
		{ "full_total", "full_total_us" },
	};
	struct sampler_psi *psi = arg;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (strcmp(key, fields[i][0]))
			continue;
		psi->nr_added++;
		if (psi->out && series_addf(psi->out, psi->t_ns, val, "%s%s",
				psi->prefix, fields[i][1]))
			return err_sys(ENOMEM, "series %s%s", psi->prefix, fields[i][1]);
		return 0;
	}
	return 0;
}
