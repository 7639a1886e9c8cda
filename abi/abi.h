/* SPDX-License-Identifier: GPL-2.0 */
/*
 * abi/abi.h: the contract between the VMM and its guests (ABI.md
 * explains it). Freestanding: included by the VMM and by the guests.
 */
#ifndef KVMSQ_ABI_H
#define KVMSQ_ABI_H

#include <stdint.h>

#define KVMSQ_ABI_VERSION	1
#define KVMSQ_BOOT_MAGIC	0x6b76737155454545ull	/* "kvmsqEEE" */

/* Guest-physical layout; all RAM is identity mapped from GPA 0. */
#define KVMSQ_GDT_GPA		0x1000ull	/* 5 descriptors, below */
#define KVMSQ_BOOT_INFO_GPA	0x2000ull	/* struct kvmsq_boot_info */
#define KVMSQ_VCPU_INFO_GPA	0x3000ull	/* struct kvmsq_vcpu_info[] */
#define KVMSQ_VCPU_INFO_END	0x10000ull
#define KVMSQ_IMAGE_BASE	0x100000ull	/* ELF segments go here... */
#define KVMSQ_IMAGE_LIMIT	0x400000ull	/* ...and end below this */
#define KVMSQ_PT_BASE		0x400000ull	/* VMM's identity page tables */
#define KVMSQ_STACK_BYTES	0x10000ull	/* per vCPU, after the tables */

/* Selectors of the VMM's GDT. All RAM is mapped user-accessible. */
#define KVMSQ_SEL_CODE0		0x08	/* 64-bit code, DPL0 (entry) */
#define KVMSQ_SEL_DATA0		0x10
#define KVMSQ_SEL_CODE3		0x1b	/* 64-bit code, DPL3, RPL3 */
#define KVMSQ_SEL_DATA3		0x23
#define KVMSQ_GDT_ENTRIES	5

#define KVMSQ_MAX_VCPUS \
	((KVMSQ_VCPU_INFO_END - KVMSQ_VCPU_INFO_GPA) / sizeof(struct kvmsq_vcpu_info))

/* Ports. Anything else stops the VM. */
#define KVMSQ_PORT_SERIAL	0x3f8	/* outb: one byte of console text */
#define KVMSQ_PORT_SERIAL_LSR	0x3fd	/* inb: always "transmitter empty" */
#define KVMSQ_PORT_MAILBOX	0x5a00	/* outl: GPA of a struct kvmsq_msg */

#define KVMSQ_MAX_PARAMS	16
#define KVMSQ_PARAM_KEY_LEN	32
#define KVMSQ_PARAM_VALUE_LEN	64

struct kvmsq_param {
	char key[KVMSQ_PARAM_KEY_LEN];		/* NUL-terminated */
	char value[KVMSQ_PARAM_VALUE_LEN];	/* NUL-terminated, as given */
	uint64_t num;		/* value as a number or size, if has_num */
	uint32_t has_num;
	uint32_t pad;
};

struct kvmsq_boot_info {
	uint64_t magic;			/* KVMSQ_BOOT_MAGIC */
	uint32_t abi_version;		/* KVMSQ_ABI_VERSION */
	uint32_t nr_vcpus;
	uint64_t tsc_khz;
	uint64_t mem_bytes;		/* guest RAM: [0, mem_bytes) */
	uint64_t page_bytes;		/* page size of the identity map */
	uint64_t cr3;			/* root of the identity map */
	uint64_t image_start, image_end;
	uint64_t pt_start, pt_end;	/* identity map's tables */
	uint64_t stack_start, stack_end;
	uint64_t free_start, free_end;	/* RAM nothing else uses */
	volatile uint32_t stop;		/* VMM sets it: finish and report */
	uint32_t nr_params;
	struct kvmsq_param params[KVMSQ_MAX_PARAMS];
};

struct kvmsq_vcpu_info {
	uint32_t id;
	uint32_t pad;
	uint64_t stack_top;
};

/*
 * Mailbox: the guest fills a struct kvmsq_msg in its RAM (below 4 GiB) and
 * writes its GPA with a 32-bit OUT to KVMSQ_PORT_MAILBOX.
 */
enum kvmsq_msg_cmd {
	KVMSQ_MSG_PHASE = 1,	/* arg: KVMSQ_PHASE_*; addr/len: name */
	KVMSQ_MSG_RESULT = 2,	/* addr/len: one result block */
	KVMSQ_MSG_EXIT = 3,	/* arg: exit code; the vCPU stops */
};

enum kvmsq_phase_edge {
	KVMSQ_PHASE_BEGIN = 0,
	KVMSQ_PHASE_END = 1,
};

struct kvmsq_msg {
	uint32_t cmd;
	uint32_t arg;
	uint64_t tsc;		/* guest rdtsc when it sent the message */
	uint64_t addr;		/* GPA of the payload */
	uint64_t len;		/* payload bytes */
};

#define KVMSQ_NAME_LEN		24	/* phase and result names, with NUL */

enum kvmsq_result_kind {
	KVMSQ_RESULT_COUNTER = 1,	/* struct kvmsq_counter */
	KVMSQ_RESULT_HIST = 2,		/* struct kvmsq_hist_block */
};

struct kvmsq_result_hdr {
	uint32_t kind;
	uint32_t size;			/* whole block, header included */
	char name[KVMSQ_NAME_LEN];	/* [a-z0-9_], NUL-terminated */
};

struct kvmsq_counter {
	struct kvmsq_result_hdr hdr;
	uint64_t value;
};

#include "abi/hist.h"

struct kvmsq_hist_block {
	struct kvmsq_result_hdr hdr;
	struct kvmsq_hist hist;		/* values in TSC cycles */
};

#endif
