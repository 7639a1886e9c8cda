// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers.c: the table of samplers and their life cycle
 * (open, sample, close, unavailable with a reason), plus the key/value
 * and PSI to series helpers the samplers share.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/procfs.h"
#include "experiments/sampler.h"

const struct sampler_ops *const sampler_ops_table[] = {
	&sampler_meminfo_ops,
	&sampler_vmstat_ops,
	&sampler_memcg_ops,
	&sampler_psi_ops,
	&sampler_shrinker_ops,
	&sampler_shrink_trace_ops,
	&sampler_shrink_kprobe_ops,
};
const int nr_sampler_ops = ARRAY_SIZE(sampler_ops_table);

static void sampler_open(struct sampler *s, const struct sampler_ops *ops,
			 const struct sampler_env *env, struct series_set *out)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->env = env;
	s->out = out;
	err_clear();
	if (ops->open(s)) {
		snprintf(s->why, sizeof(s->why), "%s", err_msg());
		return;
	}
	s->available = true;
	s->is_open = true;
}

void samplers_open(struct sampler *s, const struct sampler_env *env,
		   struct series_set *out)
{
	int i;

	for (i = 0; i < nr_sampler_ops; i++)
		sampler_open(&s[i], sampler_ops_table[i], env, out);
}

static void sampler_fail(struct sampler *s, uint64_t t_ns)
{
	snprintf(s->why, sizeof(s->why), "failed at %.3f s: %s",
		 (double)t_ns / 1e9, err_msg());
	s->failed_ns = t_ns ? t_ns : 1;
	s->available = false;
	s->ops->close(s);
	s->is_open = false;
	s->priv = NULL;
}

void samplers_sample(struct sampler *s, uint64_t t_ns)
{
	int i;

	for (i = 0; i < nr_sampler_ops; i++) {
		if (!s[i].available || !s[i].is_open)
			continue;
		err_clear();
		if (s[i].ops->sample(&s[i], t_ns))
			sampler_fail(&s[i], t_ns);
	}
}

/* Availability and reasons stay for the results; only resources go. */
void samplers_close(struct sampler *s)
{
	int i;

	for (i = nr_sampler_ops; i-- > 0;) {
		if (!s[i].is_open)
			continue;
		s[i].ops->close(&s[i]);
		s[i].is_open = false;
		s[i].priv = NULL;
	}
}

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
