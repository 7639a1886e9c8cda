/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/stats.h: KVM binary statistics (KVM_GET_STATS_FD), read by name. */
#ifndef KVMSQ_STATS_H
#define KVMSQ_STATS_H

#include <stdint.h>
#include <sys/types.h>

struct kvm_stat {
	char name[64];
	uint32_t flags;		/* KVM_STATS_TYPE_* | UNIT | BASE */
	uint32_t size;		/* number of u64 values */
	uint32_t index;		/* first value in a snapshot */
};

struct kvm_stats {
	int fd;
	uint32_t nr;
	struct kvm_stat *stat;
	uint32_t nr_values;	/* u64s in one snapshot */
	off_t data_offset;
};

int kvm_stats_open(int kvm_obj_fd, struct kvm_stats *stats);
/* From a stats fd already made (e.g. passed by another process); takes it. */
int kvm_stats_open_fd(int stats_fd, struct kvm_stats *stats);
void kvm_stats_close(struct kvm_stats *stats);
/* Read every statistic into @values (stats->nr_values u64s). */
int kvm_stats_read(const struct kvm_stats *stats, uint64_t *values);
const struct kvm_stat *kvm_stats_find(const struct kvm_stats *stats,
				      const char *name);

#endif
