// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/kvm.c: the KVM system file descriptor, the capabilities kvmsqueeze
 * cannot do without (checked up front, by name), VMs and memory slots.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "vmm/kvm.h"

struct kvm_cap_need {
	long cap;
	const char *name;
	const char *why;
};

static const struct kvm_cap_need kvm_caps_needed[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "64-bit guests need a CPUID" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "stopping vCPUs" },
	{ KVM_CAP_GET_TSC_KHZ, "KVM_CAP_GET_TSC_KHZ", "latency in ns" },
	{ KVM_CAP_BINARY_STATS_FD, "KVM_CAP_BINARY_STATS_FD", "KVM statistics" },
};

int kvm_sys_check(const struct kvm_sys *sys, long cap)
{
	int ret = ioctl(sys->fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? 0 : ret;
}

static int kvm_sys_get_cpuid(struct kvm_sys *sys)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 64;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return err_sys(ENOMEM, "KVM_GET_SUPPORTED_CPUID");
		cpuid->nent = nent;
		if (!ioctl(sys->fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			break;
		free(cpuid);
		if (errno != E2BIG || nent >= 4096)
			return err_sys(errno, "KVM_GET_SUPPORTED_CPUID");
		nent *= 2;
	}
	sys->cpuid = cpuid;
	return 0;
}

int kvm_sys_open(struct kvm_sys *sys, const char *path)
{
	unsigned int i;
	int ret, api;

	memset(sys, 0, sizeof(*sys));
	sys->fd = open(path, O_RDWR | O_CLOEXEC);
	if (sys->fd < 0) {
		ret = errno;
		if (ret == ENOENT)
			return err_set(ret, "%s: no such device (load kvm_intel or kvm_amd, or run on a host with KVM)", path);
		if (ret == EACCES || ret == EPERM)
			return err_set(ret, "%s: permission denied (add yourself to group kvm or run as root)", path);
		return err_sys(ret, "%s", path);
	}
	api = ioctl(sys->fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		ret = err_set(EINVAL, "%s: KVM API version %d, need %d", path, api, KVM_API_VERSION);
		goto out_close;
	}
	for (i = 0; i < ARRAY_SIZE(kvm_caps_needed); i++) {
		if (kvm_sys_check(sys, kvm_caps_needed[i].cap) <= 0) {
			ret = err_set(ENOTSUP, "KVM lacks %s (needed for %s; use a newer kernel)",
				      kvm_caps_needed[i].name, kvm_caps_needed[i].why);
			goto out_close;
		}
	}
	sys->run_mmap_bytes = ioctl(sys->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sys->run_mmap_bytes < (int)sizeof(struct kvm_run)) {
		ret = err_sys(errno, "KVM_GET_VCPU_MMAP_SIZE");
		goto out_close;
	}
	sys->max_vcpus = kvm_sys_check(sys, KVM_CAP_MAX_VCPUS);
	if (sys->max_vcpus <= 0)
		sys->max_vcpus = kvm_sys_check(sys, KVM_CAP_NR_VCPUS);
	sys->max_vcpu_id = kvm_sys_check(sys, KVM_CAP_MAX_VCPU_ID);
	if (sys->max_vcpu_id <= 0)
		sys->max_vcpu_id = sys->max_vcpus;
	ret = kvm_sys_get_cpuid(sys);
	if (ret)
		goto out_close;
	return 0;

out_close:
	close(sys->fd);
	sys->fd = -1;
	return ret;
}

void kvm_sys_close(struct kvm_sys *sys)
{
	free(sys->cpuid);
	sys->cpuid = NULL;
	if (sys->fd >= 0)
		close(sys->fd);
	sys->fd = -1;
}

int kvm_vm_create(const struct kvm_sys *sys, int *vm_fd)
{
	int fd;

	do {
		fd = ioctl(sys->fd, KVM_CREATE_VM, 0);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return err_sys(errno, "KVM_CREATE_VM");
	*vm_fd = fd;
	return 0;
}

int kvm_vm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa,
		      uint64_t bytes, void *host)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = bytes,
		.userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region))
		return err_sys(errno, "KVM_SET_USER_MEMORY_REGION (slot %u, %llu bytes)",
			       slot, (unsigned long long)bytes);
	return 0;
}

/*
 * The cap on the VM's shadow-MMU pages. KVM's own is one page per 50
 * pages of memslots (KVM_MEMSLOT_PAGES_TO_MMU_PAGES_RATIO), at least 64;
 * above it a fault first zaps the oldest shadow pages (mmu_recycled).
 * TDP MMU pages are not counted against it.
 */
int kvm_vm_set_nr_mmu_pages(const struct kvm_sys *sys, int vm_fd, uint64_t pages)
{
	if (!kvm_sys_check(sys, KVM_CAP_MMU_SHADOW_CACHE_CONTROL))
		return err_set(ENOTSUP, "nr_mmu_pages: this KVM has no KVM_CAP_MMU_SHADOW_CACHE_CONTROL");
	if (ioctl(vm_fd, KVM_SET_NR_MMU_PAGES, (unsigned long)pages))
		return err_sys(errno, "KVM_SET_NR_MMU_PAGES %llu", (unsigned long long)pages);
	return 0;
}

int kvm_vcpu_create(int vm_fd, int id, int *vcpu_fd)
{
	int fd = ioctl(vm_fd, KVM_CREATE_VCPU, id);

	if (fd < 0)
		return err_sys(errno, "KVM_CREATE_VCPU %d", id);
	*vcpu_fd = fd;
	return 0;
}
