// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's guest (tests/fuzz/vm_input.c): play the script the fuzzer
 * wrote at free_start (fuzz_script.h) on every vCPU, then exit with its
 * code. Whatever the script does, the VMM must end the VM cleanly.
 */
#include "rt.h"
#include "fuzz_script.h"

static void op_out(uint16_t port, uint8_t size, uint32_t v)
{
	if (size == 1)
		__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port) : "memory");
	else if (size == 2)
		__asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port) : "memory");
	else
		__asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port) : "memory");
}

static void op_in(uint16_t port, uint8_t size)
{
	uint32_t v;

	if (size == 1)
		__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port) : "memory");
	else if (size == 2)
		__asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port) : "memory");
	else
		__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
}

static void op_outs(uint16_t port, uint8_t size, uint64_t src, uint64_t count)
{
	if (size == 1)
		__asm__ volatile("rep outsb" : "+S"(src), "+c"(count) : "d"(port) : "memory");
	else if (size == 2)
		__asm__ volatile("rep outsw" : "+S"(src), "+c"(count) : "d"(port) : "memory");
	else
		__asm__ volatile("rep outsl" : "+S"(src), "+c"(count) : "d"(port) : "memory");
}

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	const volatile struct fuzz_script *s = (const void *)bi->free_start;
	uint32_t i, n = s->nr_ops;

	(void)vcpu;
	if (s->magic != FUZZ_SCRIPT_MAGIC)
		return 99;
	if (n > FUZZ_SCRIPT_MAX_OPS)
		n = FUZZ_SCRIPT_MAX_OPS;
	for (i = 0; i < n; i++) {
		const volatile struct fuzz_op *op = &s->ops[i];

		switch (op->kind % FUZZ_OP_KINDS) {
		case FUZZ_OP_MAILBOX:
			rt_outl(KVMSQ_PORT_MAILBOX, op->value);
			break;
		case FUZZ_OP_OUT:
			op_out(op->port, op->size, op->value);
			break;
		case FUZZ_OP_IN:
			op_in(op->port, op->size);
			break;
		case FUZZ_OP_OUTS:
			op_outs(op->port, op->size, bi->free_start + sizeof(*s),
				(op->value & 7) + 1);
			break;
		case FUZZ_OP_HLT:
			rt_hlt();
			break;
		}
	}
	return (int)s->exit_code;
}
