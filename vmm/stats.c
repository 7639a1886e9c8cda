// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/stats.c: KVM binary statistics. The descriptors are read once; a
 * snapshot is then one pread() of the data block.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "common/err.h"
#include "vmm/stats.h"

static int stats_read_descs(struct kvm_stats *stats,
			    const struct kvm_stats_header *hdr)
{
	size_t desc_bytes = sizeof(struct kvm_stats_desc) + hdr->name_size;
	struct kvm_stats_desc *d;
	uint8_t *buf;
	uint32_t i, values = 0;
	ssize_t got;

	if (hdr->num_desc > 4096 || hdr->name_size > 1024)
		return err_set(EINVAL, "KVM stats: implausible header (%u descriptors)",
			       hdr->num_desc);
	buf = malloc(desc_bytes * hdr->num_desc);
	stats->stat = calloc(hdr->num_desc ? hdr->num_desc : 1, sizeof(*stats->stat));
	if (!buf || !stats->stat) {
		free(buf);
		return err_sys(ENOMEM, "KVM stats descriptors");
	}
	got = pread(stats->fd, buf, desc_bytes * hdr->num_desc, hdr->desc_offset);
	if (got != (ssize_t)(desc_bytes * hdr->num_desc)) {
		free(buf);
		return err_sys(got < 0 ? errno : EIO, "KVM stats: reading descriptors");
	}
	for (i = 0; i < hdr->num_desc; i++) {
		struct kvm_stat *s = &stats->stat[i];

		d = (struct kvm_stats_desc *)(buf + i * desc_bytes);
		snprintf(s->name, sizeof(s->name), "%.*s", (int)hdr->name_size, d->name);
		s->flags = d->flags;
		s->size = d->size;
		if (d->offset % sizeof(uint64_t)) {
			free(buf);
			return err_set(EINVAL, "KVM stats: %s at odd offset", s->name);
		}
		s->index = d->offset / sizeof(uint64_t);
		if (s->index + s->size > values)
			values = s->index + s->size;
	}
	free(buf);
	stats->nr = hdr->num_desc;
	stats->nr_values = values;
	return 0;
}

int kvm_stats_open(int kvm_obj_fd, struct kvm_stats *stats)
{
	int fd = ioctl(kvm_obj_fd, KVM_GET_STATS_FD, NULL);

	if (fd < 0) {
		memset(stats, 0, sizeof(*stats));
		stats->fd = -1;
		return err_sys(errno, "KVM_GET_STATS_FD");
	}
	return kvm_stats_open_fd(fd, stats);
}

int kvm_stats_open_fd(int stats_fd, struct kvm_stats *stats)
{
	struct kvm_stats_header hdr;
	int ret;

	memset(stats, 0, sizeof(*stats));
	stats->fd = stats_fd;
	if (pread(stats->fd, &hdr, sizeof(hdr), 0) != sizeof(hdr)) {
		ret = err_sys(errno ? errno : EIO, "KVM stats: reading header");
		goto fail;
	}
	stats->data_offset = hdr.data_offset;
	ret = stats_read_descs(stats, &hdr);
	if (ret)
		goto fail;
	return 0;
fail:
	kvm_stats_close(stats);
	return ret;
}

void kvm_stats_close(struct kvm_stats *stats)
{
	free(stats->stat);
	stats->stat = NULL;
	if (stats->fd >= 0)
		close(stats->fd);
	stats->fd = -1;
}

int kvm_stats_read(const struct kvm_stats *stats, uint64_t *values)
{
	size_t bytes = stats->nr_values * sizeof(uint64_t);
	ssize_t got = pread(stats->fd, values, bytes, stats->data_offset);

	if (got != (ssize_t)bytes)
		return err_sys(got < 0 ? errno : EIO, "KVM stats: reading data");
	return 0;
}

const struct kvm_stat *kvm_stats_find(const struct kvm_stats *stats,
				      const char *name)
{
	uint32_t i;

	for (i = 0; i < stats->nr; i++)
		if (!strcmp(stats->stat[i].name, name))
			return &stats->stat[i];
	return NULL;
}
