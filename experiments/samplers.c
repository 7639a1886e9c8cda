// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers.c: the table of samplers and their life cycle
 * (open, sample, close, unavailable with a reason). It calls every
 * sampler; the helpers the samplers call are in sampler_util.c.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
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
	uint64_t cpu0;
	int i, ret;

	for (i = 0; i < nr_sampler_ops; i++) {
		if (!s[i].available || !s[i].is_open)
			continue;
		err_clear();
		cpu0 = thread_cpu_ns();
		ret = s[i].ops->sample(&s[i], t_ns);
		s[i].cpu_ns += thread_cpu_ns() - cpu0;
		s[i].samples++;
		if (ret)
			sampler_fail(&s[i], t_ns);
	}
}

void samplers_finish(struct sampler *s)
{
	int i;

	for (i = 0; i < nr_sampler_ops; i++)
		if (s[i].is_open && s[i].ops->finish)
			s[i].ops->finish(&s[i]);
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
