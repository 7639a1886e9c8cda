// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/host.c: provenance for results. The MMU mode comes from the vendor
 * module's parameters: kvm_intel.ept / kvm_amd.npt say whether two-
 * dimensional paging is on; kvm_pvm always shadows. A kernel with both
 * vendor modules built in has both in /sys/module: the CPU's flag (vmx,
 * svm) says which one runs.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/util.h"
#include "vmm/host.h"

struct mmu_rule {
	const char *module;
	const char *param;	/* Y/1 means TDP; NULL: always shadow */
	const char *cpu_flag;	/* the module runs only on such a CPU; NULL: any */
};

static const struct mmu_rule mmu_rules[] = {
	{ "kvm_intel", "ept", "vmx" },
	{ "kvm_amd", "npt", "svm" },
	{ "kvm_pvm", NULL, NULL },
};

static bool cpu_has_flag(const char *flag)
{
	char line[4096], word[40];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return false;
	snprintf(word, sizeof(word), " %s ", flag);
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		line[strcspn(line, "\n")] = ' ';
		found = strstr(line, word) != NULL;
		break;
	}
	fclose(f);
	return found;
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void host_read_params(struct host_info *host, const char *module)
{
	char dir[128], path[512];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", module);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && host->nr_params < HOST_MAX_PARAMS) {
		struct host_kvm_param *p = &host->params[host->nr_params];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(p->module, sizeof(p->module), "%s", module);
		snprintf(p->name, sizeof(p->name), "%.63s", de->d_name);
		read_line(path, p->value, sizeof(p->value));
		host->nr_params++;
	}
	closedir(d);
}

const char *host_kvm_param(const struct host_info *host, const char *module,
			   const char *name)
{
	int i;

	for (i = 0; i < host->nr_params; i++)
		if (!strcmp(host->params[i].module, module) &&
		    !strcmp(host->params[i].name, name))
			return host->params[i].value;
	return NULL;
}

static void host_read_cpu(struct host_info *host)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(host->cpu_model, sizeof(host->cpu_model), "%s", colon + 2);
			host->cpu_model[strcspn(host->cpu_model, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

void host_info_read(struct host_info *host)
{
	struct utsname u;
	unsigned int i;
	char path[128];

	memset(host, 0, sizeof(*host));
	if (!uname(&u)) {
		snprintf(host->kernel_release, sizeof(host->kernel_release), "%s", u.release);
		snprintf(host->kernel_version, sizeof(host->kernel_version), "%s", u.version);
	}
	host_read_cpu(host);
	host_read_params(host, "kvm");
	snprintf(host->mmu, sizeof(host->mmu), "unknown");
	for (i = 0; i < ARRAY_SIZE(mmu_rules); i++) {
		const struct mmu_rule *r = &mmu_rules[i];
		const char *v;

		snprintf(path, sizeof(path), "/sys/module/%s", r->module);
		if (access(path, 0) || (r->cpu_flag && !cpu_has_flag(r->cpu_flag)))
			continue;
		snprintf(host->kvm_module, sizeof(host->kvm_module), "%s", r->module);
		host_read_params(host, r->module);
		if (!r->param) {
			snprintf(host->mmu, sizeof(host->mmu), "shadow");
			snprintf(host->mmu_reason, sizeof(host->mmu_reason),
				 "%s always uses shadow paging", r->module);
			break;
		}
		v = host_kvm_param(host, r->module, r->param);
		if (!v)
			continue;
		snprintf(host->mmu, sizeof(host->mmu), "%s",
			 (v[0] == 'Y' || v[0] == '1') ? "tdp" : "shadow");
		snprintf(host->mmu_reason, sizeof(host->mmu_reason), "%s.%s=%s",
			 r->module, r->param, v);
		break;
	}
}
