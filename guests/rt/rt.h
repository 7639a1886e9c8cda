/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guests/rt/rt.h: the guests' tiny runtime: CPU helpers, the mailbox,
 * console, parameters, the free-RAM split, a barrier and a PRNG.
 * A guest defines guest_main(); its return value is its exit code.
 */
#ifndef KVMSQ_RT_H
#define KVMSQ_RT_H

#include <stddef.h>
#include <stdint.h>

#include "abi/abi.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu);

/* --- CPU --- */
static inline uint64_t rt_rdtsc(void)
{
	uint32_t lo, hi;

	/* lfence: the read is not hoisted above earlier loads and stores */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void rt_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void rt_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void rt_pause(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* Privileged work, from any CPL, through the gate in start.S. */
enum rt_call {
	RT_CALL_WRITE_CR3 = 1,
	RT_CALL_HLT = 2,
	RT_CALL_INVLPG = 3,
};

static inline uint64_t rt_call(enum rt_call call, uint64_t arg)
{
	uint64_t ret = call;

	__asm__ volatile("call rt_gate_trap" : "+a"(ret) : "D"(arg) : "memory");
	return ret;
}

static inline void rt_write_cr3(uint64_t cr3)
{
	rt_call(RT_CALL_WRITE_CR3, cr3);
}

static inline void rt_hlt(void)
{
	rt_call(RT_CALL_HLT, 0);
}

/* --- libc bits the compiler may call --- */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* --- console (serial) --- */
void rt_puts(const char *s);
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- mailbox --- */
void rt_phase_begin(const char *name);
void rt_phase_end(const char *name);
void rt_report_counter(const char *name, uint64_t value);
/* @blk->hist holds the values; the header is filled in here */
void rt_report_hist(const char *name, struct kvmsq_hist_block *blk);
void rt_exit(int code) __attribute__((noreturn));

/*
 * --- parameters ---
 * The VMM passes every parameter of a built-in guest and of the runtime,
 * defaults filled in from its table (vmm/guests.c), so they carry none
 * here: rt_param_num(), _text() and _bytes() say a missing one is missing
 * on the console and exit 1. rt_param() and rt_param_str() take a default,
 * for a guest given as a file and its own parameters, which the VMM knows
 * nothing of.
 */
#define RT_PARAM_BAD	((uint64_t)-1)
const struct kvmsq_param *rt_param_find(const struct kvmsq_boot_info *bi,
					const char *key);
/* The number @key holds; RT_PARAM_BAD if it is not a number. */
uint64_t rt_param_num(const struct kvmsq_boot_info *bi, const char *key);
const char *rt_param_text(const struct kvmsq_boot_info *bi, const char *key);
/*
 * Bytes: a number, or a share of vCPU @vcpu's free RAM (rt_share()):
 * "share", "share/N" (page-aligned down) or "min(share/N, SIZE)" with
 * SIZE a number with an optional K, M or G. RT_PARAM_BAD otherwise.
 */
uint64_t rt_param_bytes(const struct kvmsq_boot_info *bi, uint32_t vcpu, const char *key);
/* The numeric value of @key, @def if absent; RT_PARAM_BAD if not a number. */
uint64_t rt_param(const struct kvmsq_boot_info *bi, const char *key, uint64_t def);
const char *rt_param_str(const struct kvmsq_boot_info *bi, const char *key,
			 const char *def);

/* --- memory, time, sync --- */
/* This vCPU's share of [free_start, free_end): 4 KiB aligned, disjoint. */
void rt_share(const struct kvmsq_boot_info *bi, uint32_t vcpu,
	      uint64_t *start, uint64_t *end);
uint32_t rt_share_owner(const struct kvmsq_boot_info *bi, uint64_t addr);
static inline uint64_t rt_ns_to_cycles(const struct kvmsq_boot_info *bi, uint64_t ns)
{
	return ns * bi->tsc_khz / 1000000;
}
/* All vCPUs wait here until every one has arrived. */
void rt_barrier(const struct kvmsq_boot_info *bi);
static inline int rt_stop_requested(const struct kvmsq_boot_info *bi)
{
	return *(volatile const uint32_t *)&bi->stop;
}
/* xorshift64*: good enough to scatter accesses. */
static inline uint64_t rt_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

#define RT_PAGE		4096ull

/* --- address spaces --- */
#include "abi/x86_pt.h"
/* PML4 slot 255: a window the identity map never uses. */
#define RT_WINDOW_VA	0x7f8000000000ull
/*
 * A new root whose lower half is the identity map (code, stacks and boot
 * info stay mapped); tables come from [pool_start, pool_end).
 */
int rt_space_init(const struct kvmsq_boot_info *bi, struct x86_pt *pt,
		  uint64_t pool_start, uint64_t pool_end);

#endif
