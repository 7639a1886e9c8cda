// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/samplers_kvm.c: the KVM binary statistics of one VM process,
 * read through the stats fds it sent the runner (experiments/vmproc.c):
 * kvm.vm<i>.<stat>, the vCPU statistics summed over the VM's vCPUs
 * (kvm.vm<i>.vcpus.<stat>), and a few of them per vCPU. Not in the
 * sampler table: its sources come and go with each VM process, after
 * setup, and the results list no source for it.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "experiments/sampler.h"
#include "experiments/vmproc.h"

/*
 * vCPU statistics also kept per vCPU (kvm.vm<i>.vcpu<j>.<stat>), not only
 * summed over the VM: the idle MMU cache level, whose spread over vCPUs
 * and time a sum hides (experiments/RESULT.md, "series").
 */
static const char *const kvm_per_vcpu_stats[] = { "mmu_cache_pages" };

static bool per_vcpu_stat(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kvm_per_vcpu_stats); i++)
		if (!strcmp(kvm_per_vcpu_stats[i], name))
			return true;
	return false;
}

static void kvm_vm_sample(struct series_set *out, struct vmproc *p, uint64_t t_ns)
{
	const struct kvm_stats *st = &p->vm_stats;
	uint32_t i;

	for (i = 0; i < st->nr; i++)
		if (st->stat[i].size == 1)
			series_addf(out, t_ns, (double)p->values[st->stat[i].index],
				    "kvm.vm%d.%s", p->index, st->stat[i].name);
}

/*
 * vCPU @v's snapshot into @sum, and its series for the per-vCPU few; @st
 * (vCPU 0's descriptors) names the values of every vCPU alike.
 */
static int kvm_vcpu_sample(struct series_set *out, struct vmproc *p, int v,
			   const struct kvm_stats *st, double *sum, uint64_t t_ns)
{
	uint32_t i;

	if (kvm_stats_read(&p->vcpu_stats[v], p->values))
		return -1;
	for (i = 0; i < st->nr; i++) {
		double val = (double)p->values[st->stat[i].index];

		sum[i] += val;
		if (st->stat[i].size == 1 && per_vcpu_stat(st->stat[i].name))
			series_addf(out, t_ns, val, "kvm.vm%d.vcpu%d.%s", p->index, v,
				    st->stat[i].name);
	}
	return 0;
}

void samplers_kvm_sample(struct series_set *out, struct vmproc *p, uint64_t t_ns)
{
	/* the vCPUs' descriptors are alike: vCPU 0's name the sums */
	const struct kvm_stats *st = &p->vcpu_stats[0];
	double *sum;
	uint32_t i;
	int v;

	if (!p->stats_ready || kvm_stats_read(&p->vm_stats, p->values))
		return;
	kvm_vm_sample(out, p, t_ns);
	sum = calloc(st->nr ? st->nr : 1, sizeof(*sum));
	if (!sum)
		return;		/* a missed sample, like a failed read */
	for (v = 0; v < p->nr_vcpus; v++)
		if (kvm_vcpu_sample(out, p, v, st, sum, t_ns))
			goto out;
	for (i = 0; i < st->nr; i++)
		if (st->stat[i].size == 1)
			series_addf(out, t_ns, sum[i], "kvm.vm%d.vcpus.%s", p->index,
				    st->stat[i].name);
out:
	free(sum);
}
