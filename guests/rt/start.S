/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guests/rt/start.S: entry, the CPL3 drop and the CPL0 gate.
 *
 * The VMM enters at _start at CPL0 with RDI = boot info, RSI = vCPU id and
 * RSP = this vCPU's stack top. rt_start() sets up this vCPU's GDT, TSS and
 * the IDT, then rt_enter_user() continues at CPL3 with IOPL 3 (so port
 * I/O works): some hosts emulate CPL0 code and would never shadow it.
 * Privileged work (CR3 loads, HLT) comes back to CPL0 through a trap:
 * the ud2 at rt_gate_trap. Not `int $0x80`: kvm_pvm raises #UD for a
 * software interrupt from CPL3, while exception delivery works everywhere.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	cld
	call	rt_start		/* never returns */
1:	cli
	hlt
	jmp	1b

	.text
/*
 * void rt_enter_user(bi, id, void (*fn)(bi, id), uint64_t user_rsp):
 * continue in fn(bi, id) at CPL3; RDI and RSI pass through iretq.
 */
	.globl rt_enter_user
rt_enter_user:
	pushq	$0x23			/* SS: KVMSQ_SEL_DATA3 */
	pushq	%rcx			/* RSP */
	pushq	$0x3002			/* RFLAGS: IOPL 3, IF 0 */
	pushq	$0x1b			/* CS: KVMSQ_SEL_CODE3 */
	pushq	%rdx			/* RIP */
	iretq

/*
 * rt_gate_trap: RAX = call, RDI = argument; returns in RAX, every other
 * register kept. Called from C (rt_call() in rt.h); its ud2 raises #UD,
 * and rt_exc_6 tells the gate from a real #UD by the faulting RIP.
 */
	.globl rt_gate_trap
rt_gate_trap:
	ud2
	ret

/* #UD: the gate if it came from rt_gate_trap, otherwise a guest bug. */
	.globl rt_exc_6
rt_exc_6:
	pushq	%rax
	leaq	rt_gate_trap(%rip), %rax
	cmpq	%rax, 8(%rsp)		/* the RIP the CPU pushed */
	popq	%rax
	jne	rt_ud_real
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbp			/* 16-byte alignment for the call */
	movq	%rdi, %rsi		/* rt_gate(call, arg) */
	movq	%rax, %rdi
	call	rt_gate
	popq	%rbp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
	addq	$2, (%rsp)		/* past the ud2, to the ret */
	iretq
rt_ud_real:
	pushq	$0
	movq	$6, %rdi
	movq	(%rsp), %rsi
	movq	8(%rsp), %rdx
	movq	%cr2, %rcx
	call	rt_exception		/* never returns */

/* Any exception: report vector, error code and RIP, then stop. */
	.macro	EXC vec, has_err
	.globl	rt_exc_\vec
rt_exc_\vec:
	.if	\has_err == 0
	pushq	$0
	.endif
	movq	$\vec, %rdi
	movq	(%rsp), %rsi		/* error code */
	movq	8(%rsp), %rdx		/* RIP */
	movq	%cr2, %rcx
	call	rt_exception		/* never returns */
	.endm

	EXC 0, 0
	EXC 1, 0
	EXC 2, 0
	EXC 3, 0
	EXC 4, 0
	EXC 5, 0
	EXC 7, 0
	EXC 8, 1
	EXC 10, 1
	EXC 11, 1
	EXC 12, 1
	EXC 13, 1
	EXC 14, 1
	EXC 16, 0
	EXC 17, 1
	EXC 18, 0
	EXC 19, 0

	.section .note.GNU-stack, "", @progbits
