/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/host.h: what the host is: kernel, CPU, KVM module and MMU mode. */
#ifndef KVMSQ_HOST_H
#define KVMSQ_HOST_H

#include <stddef.h>

#define HOST_MAX_PARAMS	128

struct host_kvm_param {
	char module[32];
	char name[64];
	char value[64];
};

struct host_info {
	char kernel_release[128];
	char kernel_version[256];
	char cpu_model[128];
	char kvm_module[32];	/* kvm_intel, kvm_amd, kvm_pvm, ... */
	char mmu[16];		/* "tdp" or "shadow" */
	char mmu_reason[96];	/* which parameter said so */
	int nr_params;
	struct host_kvm_param params[HOST_MAX_PARAMS];
};

void host_info_read(struct host_info *host);
const char *host_kvm_param(const struct host_info *host, const char *module,
			   const char *name);

#endif
