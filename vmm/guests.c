// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/guests.c: the table of built-in guests and the values their
 * parameters take. Their ELF images are embedded in the binary: the
 * build generates guest_images[] from guests/src/NAME.c, found here by name
 * (tests/unit/vmm_io.c checks that both tables name the same guests).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "vmm/guests.h"
#include "vmm/vm.h"
#include "vmm/vm_config.h"

#define NUM(lo, hi)	.min = (lo), .max = (hi)
#define ANY_NUM		NUM(0, UINT64_MAX)
#define ONE_OF(list)	.choices = (list)
#define SECONDS		NUM(0, 10000000)	/* PARSE_SECONDS_MAX */

/*
 * Every parameter's default is here and only here: the VMM passes each
 * parameter not given with its default (cfg->defaults), so the guests
 * carry none. A default of a size may be a share of free RAM, which only
 * the guest knows per vCPU: "share" (the vCPU's share, rt_share()),
 * "share/N" (page-aligned down) or "min(share/N, SIZE)"; guests/rt/rt.c
 * works those out (abi/ABI.md, "Parameter defaults").
 */

/* Read by the runtime (guests/rt/rt.c), so every guest takes them. */
const struct guest_param_spec runtime_params[] = {
	{ "cpl", "3", "privilege level of guest_main: 3, or 0 (kvm_pvm emulates CPL0)",
	  ONE_OF("0|3") },
	{ .key = NULL },
};

static const struct guest_param_spec touch_params[] = {
	{ "size", "share", "bytes per vCPU (default: its share of free RAM)", ANY_NUM },
	{ "timing", "1", "1: time every first write with rdtsc; 0: do not; 2: alternate 2M chunks of both",
	  ONE_OF("0|1|2") },
	{ "stride", "4096", "bytes between writes", NUM(8, UINT64_MAX) },
	{ "verify", "0", "1: vCPU 0 checks afterwards that every page was written once",
	  ONE_OF("0|1") },
	{ .key = NULL },
};

static const struct guest_param_spec workingset_params[] = {
	{ "size", "share", "working-set bytes per vCPU", NUM(4096, UINT64_MAX) },
	{ "cold", "0", "bytes (a page per 2M) touched once before the working set", ANY_NUM },
	{ "pattern", "seq", "seq or random", ONE_OF("seq|random") },
	{ "duration", "0", "seconds of steady access; 0: until stopped", SECONDS },
	{ "threshold_ns", "10000", "an access slower than this is slow",
	  NUM(0, 1000000000000ull) },
	{ "write", "1", "1: write each access (dirties file pages)", ONE_OF("0|1") },
	{ .key = NULL },
};

static const struct guest_param_spec alias_params[] = {
	{ "spaces", "8", "address spaces (CR3s) mapping the same window", NUM(1, 4096) },
	{ "size", "min(share/2, 64M)", "window bytes per vCPU", NUM(4096, UINT64_MAX) },
	{ "passes", "4", "passes over all spaces", ANY_NUM },
	{ .key = NULL },
};

static const struct guest_param_spec churn_params[] = {
	{ "size", "min(share/4, 16M)", "window bytes per vCPU", NUM(4096, 1ull << 30) },
	{ "iterations", "1000", "page-table rewrites", ANY_NUM },
	{ "duration", "0", "seconds; 0: use iterations", SECONDS },
	{ .key = NULL },
};

static const struct guest_param_spec idle_params[] = {
	{ "touch", "2M", "bytes per vCPU to touch before halting", ANY_NUM },
	{ .key = NULL },
};

static const struct guest_param_spec nop_params[] = {
	{ "code", "0", "exit code to return at once", NUM(0, 255) },
	{ .key = NULL },
};

#define BUILTIN(n, sum, min_free, until_stopped)				\
	{ .name = #n, .summary = sum, .min_free_per_vcpu = min_free,		\
	  .runs_until_stopped = until_stopped, .params = n##_params }

const struct builtin_guest builtin_guests[] = {
	BUILTIN(touch, "first touch of every page, each fault timed", 4096, false),
	BUILTIN(workingset, "steady access over a working set until stopped", 4096, true),
	BUILTIN(alias, "many address spaces mapping the same memory", 1 << 20, false),
	BUILTIN(churn, "rewrites its page tables and reloads CR3", 1 << 20, false),
	BUILTIN(idle, "touches a little, then halts until stopped", 2 << 20, true),
	BUILTIN(nop, "exits at once (cold start, exit codes)", 0, false),
};

const size_t nr_builtin_guests = sizeof(builtin_guests) / sizeof(builtin_guests[0]);

const struct guest_image *guest_image_find(const char *name)
{
	const struct guest_image *img;

	for (img = guest_images; img->name; img++)
		if (!strcmp(img->name, name))
			return img;
	return NULL;
}

const struct builtin_guest *builtin_guest_find(const char *name)
{
	size_t i;

	for (i = 0; i < nr_builtin_guests; i++)
		if (!strcmp(builtin_guests[i].name, name))
			return &builtin_guests[i];
	return NULL;
}

static const struct guest_param_spec *param_find(const struct guest_param_spec *specs,
						 const char *key)
{
	const struct guest_param_spec *p;

	for (p = specs; p->key; p++)
		if (!strcmp(p->key, key))
			return p;
	return NULL;
}

const struct guest_param_spec *builtin_guest_param(const struct builtin_guest *g,
						   const char *key)
{
	const struct guest_param_spec *p = param_find(g->params, key);

	return p ? p : param_find(runtime_params, key);
}

static bool param_is_choice(const char *choices, const char *value)
{
	size_t n = strlen(value);
	const char *c;

	for (c = choices; c; c = strchr(c, '|') ? strchr(c, '|') + 1 : NULL)
		if (!strncmp(c, value, n) && (c[n] == '|' || !c[n]))
			return true;
	return false;
}

/* @value for a message: at most 32 bytes, anything unprintable as '?'. */
static const char *param_printable(const char *value, char *buf, size_t len)
{
	size_t i;

	for (i = 0; value[i] && i + 1 < len && i < 32; i++)
		buf[i] = value[i] >= 0x20 && value[i] < 0x7f ? value[i] : '?';
	buf[i] = '\0';
	return buf;
}

void guest_param_takes(const struct guest_param_spec *spec, char *buf, size_t len)
{
	const char *c, *sep;
	size_t n = 0;

	if (!spec->choices) {
		if (spec->max == UINT64_MAX && !spec->min)
			snprintf(buf, len, "a number or size");
		else if (spec->max == UINT64_MAX)
			snprintf(buf, len, "a number or size of at least %" PRIu64, spec->min);
		else
			snprintf(buf, len, "a number from %" PRIu64 " to %" PRIu64,
				 spec->min, spec->max);
		return;
	}
	/* "0|1|2" as "0, 1 or 2" */
	for (c = spec->choices; *c && n + 5 < len; c++) {
		if (*c != '|') {
			buf[n++] = *c;
			continue;
		}
		sep = strchr(c + 1, '|') ? ", " : " or ";
		memcpy(buf + n, sep, strlen(sep));
		n += strlen(sep);
	}
	buf[n] = '\0';
}

static int param_check(const char *guest, const struct guest_param_spec *spec,
		       const struct kvmsq_param *p)
{
	char value[40], takes[80];

	if (spec->choices ? param_is_choice(spec->choices, p->value) :
	    p->has_num && p->num >= spec->min && p->num <= spec->max)
		return 0;
	guest_param_takes(spec, takes, sizeof(takes));
	return err_set(EINVAL, "guest %s: parameter %s=%s: expected %s%s (see kvmsqueeze vm --list-guests)",
		       guest, p->key, param_printable(p->value, value, sizeof(value)), takes,
		       !spec->choices && spec->max == UINT64_MAX ? ", e.g. 4096 or 64M" : "");
}

static bool param_given(const struct vm_config *cfg, const char *key)
{
	int i;

	for (i = 0; i < cfg->nr_params; i++)
		if (!strcmp(cfg->params[i].key, key))
			return true;
	return false;
}

/* The defaults of @specs not given in @cfg, into cfg->defaults. */
static int defaults_add(struct vm_config *cfg, const struct guest_param_spec *specs)
{
	const struct guest_param_spec *p;
	int ret;

	for (p = specs; p->key; p++) {
		if (param_given(cfg, p->key))
			continue;
		if (cfg->nr_params + cfg->nr_defaults == KVMSQ_MAX_PARAMS)
			return err_set(E2BIG, "guest %s: %d parameters given leave no room for the default of %s (a guest gets at most %d; give each parameter once)",
				       cfg->guest_name, cfg->nr_params, p->key, KVMSQ_MAX_PARAMS);
		ret = vm_config_add_default(cfg, p->key, p->def);
		if (ret)
			return ret;
	}
	return 0;
}

int runtime_params_configure(struct vm_config *cfg)
{
	const struct guest_param_spec *spec;
	int i, ret;

	for (i = 0; i < cfg->nr_params; i++) {
		spec = param_find(runtime_params, cfg->params[i].key);
		if (spec && (ret = param_check(cfg->guest_name, spec, &cfg->params[i])))
			return ret;
	}
	cfg->nr_defaults = 0;
	return defaults_add(cfg, runtime_params);
}

/* "touch, workingset, ..." in the table's order. */
static const char *builtin_guest_names(char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < nr_builtin_guests && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "", builtin_guests[i].name);
	return buf;
}

int builtin_guest_configure(struct vm_config *cfg, const char *name,
			    const struct builtin_guest **guest)
{
	const struct builtin_guest *g = builtin_guest_find(name);
	const struct guest_image *img;
	char names[256];
	int i, ret;

	if (!g)
		return err_set(ENOENT, "unknown guest '%s' (built-in: %s; or give a path to an ELF file)",
			       name, builtin_guest_names(names, sizeof(names)));
	img = guest_image_find(g->name);
	if (!img)
		return err_set(ENOENT, "guest %s: no image of it in this kvmsqueeze (guests/src/%s.c was not built)",
			       g->name, g->name);
	for (i = 0; i < cfg->nr_params; i++) {
		const struct guest_param_spec *spec = builtin_guest_param(g, cfg->params[i].key);

		if (!spec)
			return err_set(EINVAL, "guest %s has no parameter '%s' (see kvmsqueeze vm --list-guests)",
				       g->name, cfg->params[i].key);
		ret = param_check(g->name, spec, &cfg->params[i]);
		if (ret)
			return ret;
	}
	cfg->guest_name = g->name;
	cfg->nr_defaults = 0;
	ret = defaults_add(cfg, g->params);
	if (!ret)
		ret = defaults_add(cfg, runtime_params);
	if (ret)
		return ret;
	cfg->elf = img->start;
	cfg->elf_bytes = (size_t)(img->end - img->start);
	cfg->min_free_bytes = g->min_free_per_vcpu * (uint64_t)cfg->nr_vcpus;
	if (guest)
		*guest = g;
	return 0;
}
