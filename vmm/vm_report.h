/* SPDX-License-Identifier: GPL-2.0 */
/* vmm/vm_report.h: what a VM run saw, for people and as JSON. */
#ifndef KVMSQ_VM_REPORT_H
#define KVMSQ_VM_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "vmm/host.h"
#include "vmm/vm.h"

void vm_report_text(const struct vm *vm, const struct host_info *host, FILE *out);
struct json_object *vm_report_json(const struct vm *vm, const struct host_info *host);
/* The host's kernel, CPU, KVM module, MMU and KVM parameters: a "host" object. */
struct json_object *host_info_json(const struct host_info *host);
/* Is @key one vm_report_json() writes itself in each vCPU's object? */
bool vm_report_vcpu_key_taken(const char *key);
/*
 * Write @obj to @path atomically: a temp file beside it, fsync, rename.
 * On failure @path is as it was and no temp file is left.
 */
int json_write_file(struct json_object *obj, const char *path);

#endif
