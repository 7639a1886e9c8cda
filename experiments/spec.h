/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/spec.h: an experiment spec (experiments/SPEC.md), parsed
 * from JSON and checked: the VMs, the cgroup limit and its schedule, the
 * pressure sources, how the run ends and the sample period.
 */
#ifndef KVMSQ_SPEC_H
#define KVMSQ_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "abi/abi.h"
#include "experiments/cgroup.h"
#include "experiments/selftest.h"
#include "vmm/mem.h"

#define SPEC_NAME_LEN		64
#define SPEC_TEXT_LEN		512
#define SPEC_MAX_VMS		8	/* VM groups; each has a count */
#define SPEC_MAX_STEPS		256
#define SPEC_MAX_PRESSURE	8
/*
 * VMs in all (the sum of the groups' counts), one process each. The
 * runner holds 2 + vCPUs file descriptors per VM (run.c raises
 * RLIMIT_NOFILE to fit, or refuses), polls one socket per VM and keeps
 * about 60 KVM statistics series per VM; 1024 one-vCPU VMs were run on
 * a host and as many as fit in the lab (experiments/SPEC.md, "Top level").
 */
#define SPEC_MAX_VM_PROCS	1024
#define SPEC_MAX_PRIMARY	4	/* primary metrics */
#define SPEC_MAX_SELFTESTS	NR_SELFTEST_PROGS	/* each program once */
#define SPEC_MAX_S		1e6	/* any time: about 11.6 days */
#define SPEC_MAX_BYTES		(1ull << 60)	/* any size: 1 EiB */
#define SPEC_MAX_SCALE		1024
#define SPEC_MAX_NR_TO_SCAN	(1ull << 31)
/* the spec's name names files and directories: no '/', no leading '.' */
#define SPEC_NAME_CHARS	\
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

struct spec_vm {
	int count;
	int vcpus;
	uint64_t mem_bytes;
	enum mem_backing backing;	/* MEM_FILE: a file in the run directory */
	uint64_t page_bytes;
	uint64_t nr_mmu_pages;		/* 0: KVM's own cap */
	unsigned int memslot_churn_ms;	/* 0: no memslot churn */
	char guest[SPEC_NAME_LEN];
	int nr_params;
	char param_keys[KVMSQ_MAX_PARAMS][KVMSQ_PARAM_KEY_LEN];
	char param_values[KVMSQ_MAX_PARAMS][KVMSQ_PARAM_VALUE_LEN];
	double timeout_s;
};

enum spec_schedule {
	SCHED_NONE,	/* no limit: the cgroup only accounts */
	SCHED_STATIC,
	SCHED_STEPS,
	SCHED_RAMP,
};

struct spec_step {
	double at_s;
	uint64_t bytes;		/* UINT64_MAX: no limit */
};

struct spec_cgroup {
	enum cg_knob knob;
	enum spec_schedule schedule;
	/* every schedule as steps; a ramp is expanded every step_s */
	int nr_steps;
	struct spec_step steps[SPEC_MAX_STEPS];
};

enum spec_pressure_kind {
	PRESSURE_RECLAIM,	/* memory.reclaim of the VMs' cgroup (v2) */
	PRESSURE_HOG,		/* global: anon memory in a sibling cgroup */
	PRESSURE_DROP_CACHES,	/* echo 2 > /proc/sys/vm/drop_caches */
	PRESSURE_SHRINKER_SCAN,	/* debugfs shrinker/x86-mmu-*\/scan */
	PRESSURE_NX_HUGE_PAGES,	/* toggle kvm.nx_huge_pages: kvm_lock, then slots_lock */
};

struct spec_pressure {
	enum spec_pressure_kind kind;
	double start_s;
	double period_s;	/* 0: once */
	uint64_t bytes;		/* reclaim, hog */
	uint64_t nr_to_scan;	/* shrinker_scan */
};

struct metric;

struct spec {
	char name[SPEC_NAME_LEN];
	char question[SPEC_TEXT_LEN];
	/* the metrics (common/metrics.c) that decide the question */
	int nr_primary;
	const struct metric *primary[SPEC_MAX_PRIMARY];
	int nr_vms;			/* 0 only with selftests */
	struct spec_vm vms[SPEC_MAX_VMS];
	int nr_selftests;
	struct spec_selftest selftests[SPEC_MAX_SELFTESTS];
	struct spec_cgroup cg;
	int nr_pressure;
	struct spec_pressure pressure[SPEC_MAX_PRESSURE];
	double duration_s;
	char end_phase[KVMSQ_NAME_LEN];	/* "": run to duration or all exited */
	double sample_period_s;
	struct json_object *json;	/* the spec as given, for the result */
};

/*
 * Parse @text (@len bytes, from @origin, for messages) into @s; one-line
 * errors. Every string in it must be UTF-8 without control characters,
 * and the text must hold no NUL byte.
 */
int spec_parse_len(struct spec *s, const char *text, size_t len, const char *origin);
int spec_parse(struct spec *s, const char *text, const char *origin);
/* A regular file of at most 1 MiB (a FIFO or a device is refused, not read). */
int spec_load_file(struct spec *s, const char *path);
/*
 * --duration and --scale: stretch every time in the spec to a run of
 * @duration_s (0: keep) and multiply every size by @scale (0: keep).
 */
int spec_override(struct spec *s, double duration_s, double scale);
/*
 * What cannot be checked while parsing: guests and their parameters,
 * memory for the guest, limits below what the VMs need to start; and,
 * after spec_override(), that every time is finite and at most
 * SPEC_MAX_S and every size at most SPEC_MAX_BYTES.
 */
int spec_check(const struct spec *s);
struct vm_config;
/* The VMM's config for one VM of @vm (no serial, no callbacks). */
int spec_vm_config(const struct spec_vm *vm, struct vm_config *cfg);
/* The limit in force @t_s into the run (UINT64_MAX: none). */
uint64_t spec_limit_at(const struct spec *s, double t_s);
/* Smallest memory the cgroup must allow for the VMs to start. */
uint64_t spec_start_bytes(const struct spec *s);
int spec_nr_vm_procs(const struct spec *s);
const char *spec_pressure_name(enum spec_pressure_kind kind);
void spec_free(struct spec *s);

#endif
