/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/guests/fuzz_script.h: what tests/fuzz/vm_input.c writes at the
 * start of free RAM for the fuzz_mailbox guest to play: port I/O and
 * mailbox messages, in order, on every vCPU. Freestanding.
 */
#ifndef KVMSQ_FUZZ_SCRIPT_H
#define KVMSQ_FUZZ_SCRIPT_H

#include <stdint.h>

#define FUZZ_SCRIPT_MAGIC	0x7a7a7566u	/* "fuzz" */
#define FUZZ_SCRIPT_MAX_OPS	64

enum fuzz_op_kind {
	FUZZ_OP_MAILBOX,	/* 32-bit out of @value (a GPA) to the mailbox port */
	FUZZ_OP_OUT,		/* @size-byte out of @value to @port */
	FUZZ_OP_IN,		/* @size-byte in from @port */
	FUZZ_OP_OUTS,		/* rep outs, @size bytes x (@value & 7) + 1, from free RAM */
	FUZZ_OP_HLT,		/* halt (through the runtime's gate) */
	FUZZ_OP_KINDS,
};

struct fuzz_op {
	uint8_t kind;		/* modulo FUZZ_OP_KINDS */
	uint8_t size;		/* 1, 2 or 4 (anything else: 4) */
	uint16_t port;
	uint32_t value;
};

struct fuzz_script {
	uint32_t magic;
	uint32_t nr_ops;	/* at most FUZZ_SCRIPT_MAX_OPS are played */
	uint32_t exit_code;	/* returned after the last op */
	uint32_t pad;
	struct fuzz_op ops[FUZZ_SCRIPT_MAX_OPS];
};

#endif
