// SPDX-License-Identifier: GPL-2.0
/*
 * guests/rt/rt.c: the guests' runtime. rt_start() makes this vCPU's GDT
 * and TSS (at the bottom of its own stack) and the shared IDT, then runs
 * guest_main() at CPL3 unless --param cpl=0 asks for CPL0. Also the
 * console, the mailbox calls, parameters (with the shares of free RAM
 * their defaults may name), the free-RAM split and a barrier.
 */
#include <stdarg.h>

#include "rt.h"

#define KERNEL_STACK_BYTES	(16 * 1024)
#define SEL_TSS			0x28

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/*
 * Per vCPU, at the bottom of its stack: GDT (5 + TSS), TSS and an I/O
 * bitmap that allows every port. IOPL 3 should make the bitmap moot, but
 * kvm_pvm checks it for CPL3 port I/O.
 */
struct vcpu_tables {
	uint64_t gdt[KVMSQ_GDT_ENTRIES + 2];
	struct tss64 tss;
	uint8_t iomap[65536 / 8 + 1];	/* + the terminating 0xff byte */
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));

void rt_enter_user(struct kvmsq_boot_info *bi, uint32_t vcpu,
		   void (*fn)(struct kvmsq_boot_info *, uint32_t), uint64_t rsp)
	__attribute__((noreturn));
void rt_start(struct kvmsq_boot_info *bi, uint32_t vcpu) __attribute__((noreturn));
uint64_t rt_gate(uint64_t call, uint64_t arg);
void rt_exception(uint64_t vec, uint64_t err, uint64_t rip, uint64_t cr2)
	__attribute__((noreturn));

#define EXC(n) void rt_exc_##n(void)
EXC(0); EXC(1); EXC(2); EXC(3); EXC(4); EXC(5); EXC(6); EXC(7); EXC(8);
EXC(10); EXC(11); EXC(12); EXC(13); EXC(14); EXC(16); EXC(17); EXC(18); EXC(19);

static void (*const exc_entries[20])(void) = {
	rt_exc_0, rt_exc_1, rt_exc_2, rt_exc_3, rt_exc_4, rt_exc_5, rt_exc_6,
	rt_exc_7, rt_exc_8, 0, rt_exc_10, rt_exc_11, rt_exc_12, rt_exc_13,
	rt_exc_14, 0, rt_exc_16, rt_exc_17, rt_exc_18, rt_exc_19,
};

static void idt_set(int vec, void (*fn)(void), int dpl)
{
	uint64_t off = (uint64_t)fn;

	idt[vec].off_lo = (uint16_t)off;
	idt[vec].sel = KVMSQ_SEL_CODE0;
	idt[vec].ist = 0;
	idt[vec].type = (uint8_t)(0x8e | (dpl << 5));	/* interrupt gate */
	idt[vec].off_mid = (uint16_t)(off >> 16);
	idt[vec].off_hi = (uint32_t)(off >> 32);
	idt[vec].reserved = 0;
}

static void cpu_tables_load(struct vcpu_tables *t, uint64_t kernel_rsp)
{
	const uint64_t *vmm_gdt = (const uint64_t *)KVMSQ_GDT_GPA;
	uint64_t base = (uint64_t)&t->tss;
	struct desc_ptr gdtr, idtr;
	unsigned int i;

	/* the VMM zeroed the stack these live in: only set what is not 0 */
	for (i = 0; i < KVMSQ_GDT_ENTRIES; i++)
		t->gdt[i] = vmm_gdt[i];
	t->iomap[sizeof(t->iomap) - 1] = 0xff;
	t->tss.rsp0 = kernel_rsp;
	t->tss.iomap_base = sizeof(t->tss);
	/* 64-bit available TSS, 16 bytes */
	t->gdt[KVMSQ_GDT_ENTRIES] = (sizeof(t->tss) + sizeof(t->iomap) - 1) |
				    ((base & 0xffffff) << 16) |
				    (0x89ull << 40) | ((base >> 24 & 0xff) << 56);
	t->gdt[KVMSQ_GDT_ENTRIES + 1] = base >> 32;

	/* every vCPU writes the same IDT: identical bytes, no harm */
	for (i = 0; i < sizeof(exc_entries) / sizeof(exc_entries[0]); i++)
		if (exc_entries[i])
			idt_set(i, exc_entries[i], 0);

	gdtr.limit = sizeof(t->gdt) - 1;
	gdtr.base = (uint64_t)t->gdt;
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)idt;
	__asm__ volatile("lgdt %0; lidt %1; ltr %w2"
			 : : "m"(gdtr), "m"(idtr), "r"(SEL_TSS) : "memory");
}

static void rt_user_entry(struct kvmsq_boot_info *bi, uint32_t vcpu)
	__attribute__((noreturn));

static void rt_user_entry(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	rt_exit(guest_main(bi, vcpu));
}

void rt_start(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	const struct kvmsq_vcpu_info *vi = (const void *)KVMSQ_VCPU_INFO_GPA;
	uint64_t top = vi[vcpu].stack_top;
	struct vcpu_tables *t = (void *)(top - KVMSQ_STACK_BYTES);

	cpu_tables_load(t, top);
	if (rt_param_num(bi, "cpl") == 0)
		rt_exit(guest_main(bi, vcpu));
	rt_enter_user(bi, vcpu, rt_user_entry, top - KERNEL_STACK_BYTES);
}

uint64_t rt_gate(uint64_t call, uint64_t arg)
{
	switch (call) {
	case RT_CALL_WRITE_CR3:
		__asm__ volatile("mov %0, %%cr3" : : "r"(arg) : "memory");
		return 0;
	case RT_CALL_HLT:
		__asm__ volatile("hlt" : : : "memory");
		return 0;
	case RT_CALL_INVLPG:
		__asm__ volatile("invlpg (%0)" : : "r"(arg) : "memory");
		return 0;
	}
	return (uint64_t)-1;
}

static const char *const exc_names[20] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?",
	"#TS", "#NP", "#SS", "#GP", "#PF", "?", "#MF", "#AC", "#MC", "#XM",
};

void rt_exception(uint64_t vec, uint64_t err, uint64_t rip, uint64_t cr2)
{
	rt_printf("guest exception %s (vector %lu) error 0x%lx at RIP 0x%lx, CR2 0x%lx\n",
		  vec < 20 ? exc_names[vec] : "?", vec, err, rip, cr2);
	rt_exit(128 + (int)vec);
}

/* --- libc bits --- */

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* --- console --- */

void rt_puts(const char *s)
{
	while (*s)
		rt_outb(KVMSQ_PORT_SERIAL, (uint8_t)*s++);
}

static void put_num(uint64_t v, unsigned int base, int neg)
{
	char buf[24];
	int i = 0;

	if (neg)
		rt_outb(KVMSQ_PORT_SERIAL, '-');
	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i--)
		rt_outb(KVMSQ_PORT_SERIAL, (uint8_t)buf[i]);
}

/* %s %c %d %u %x with optional l/ll, and %%: all a guest needs. */
void rt_printf(const char *fmt, ...)
{
	va_list ap;
	int longs;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			rt_outb(KVMSQ_PORT_SERIAL, (uint8_t)*fmt);
			continue;
		}
		for (longs = 0; fmt[1] == 'l'; fmt++)
			longs++;
		switch (*++fmt) {
		case 's':
			rt_puts(va_arg(ap, const char *));
			break;
		case 'c':
			rt_outb(KVMSQ_PORT_SERIAL, (uint8_t)va_arg(ap, int));
			break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);

			put_num(v < 0 ? (uint64_t)-v : (uint64_t)v, 10, v < 0);
			break;
		}
		case 'u':
			put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 10, 0);
			break;
		case 'x':
			put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int), 16, 0);
			break;
		case '%':
			rt_outb(KVMSQ_PORT_SERIAL, '%');
			break;
		default:
			fmt--;
			break;
		}
	}
	va_end(ap);
}

/* --- mailbox --- */

static void mailbox_send(uint32_t cmd, uint32_t arg, const void *addr, uint64_t len)
{
	struct kvmsq_msg msg = {
		.cmd = cmd,
		.arg = arg,
		.addr = (uint64_t)addr,
		.len = len,
	};

	msg.tsc = rt_rdtsc();
	rt_outl(KVMSQ_PORT_MAILBOX, (uint32_t)(uint64_t)&msg);
}

void rt_phase_begin(const char *name)
{
	mailbox_send(KVMSQ_MSG_PHASE, KVMSQ_PHASE_BEGIN, name, strlen(name));
}

void rt_phase_end(const char *name)
{
	mailbox_send(KVMSQ_MSG_PHASE, KVMSQ_PHASE_END, name, strlen(name));
}

static void result_hdr(struct kvmsq_result_hdr *hdr, uint32_t kind, uint32_t size,
		       const char *name)
{
	size_t n = strlen(name);

	memset(hdr, 0, sizeof(*hdr));
	hdr->kind = kind;
	hdr->size = size;
	memcpy(hdr->name, name, n < KVMSQ_NAME_LEN - 1 ? n : KVMSQ_NAME_LEN - 1);
}

void rt_report_counter(const char *name, uint64_t value)
{
	struct kvmsq_counter c;

	result_hdr(&c.hdr, KVMSQ_RESULT_COUNTER, sizeof(c), name);
	c.value = value;
	mailbox_send(KVMSQ_MSG_RESULT, 0, &c, sizeof(c));
}

void rt_report_hist(const char *name, struct kvmsq_hist_block *blk)
{
	result_hdr(&blk->hdr, KVMSQ_RESULT_HIST, sizeof(*blk), name);
	mailbox_send(KVMSQ_MSG_RESULT, 0, blk, sizeof(*blk));
}

void rt_exit(int code)
{
	mailbox_send(KVMSQ_MSG_EXIT, (uint32_t)code, 0, 0);
	for (;;)
		rt_pause();	/* the VMM never runs this vCPU again */
}

/* --- parameters --- */

const struct kvmsq_param *rt_param_find(const struct kvmsq_boot_info *bi,
					const char *key)
{
	uint32_t i;

	for (i = 0; i < bi->nr_params && i < KVMSQ_MAX_PARAMS; i++)
		if (!strcmp(bi->params[i].key, key))
			return &bi->params[i];
	return 0;
}

uint64_t rt_param(const struct kvmsq_boot_info *bi, const char *key, uint64_t def)
{
	const struct kvmsq_param *p = rt_param_find(bi, key);

	if (!p)
		return def;
	return p->has_num ? p->num : RT_PARAM_BAD;
}

const char *rt_param_str(const struct kvmsq_boot_info *bi, const char *key,
			 const char *def)
{
	const struct kvmsq_param *p = rt_param_find(bi, key);

	return p ? p->value : def;
}

/* The VMM passes every parameter: one missing is its bug, or an old VMM. */
static const struct kvmsq_param *rt_param_need(const struct kvmsq_boot_info *bi,
					       const char *key)
{
	const struct kvmsq_param *p = rt_param_find(bi, key);

	if (!p) {
		rt_printf("guest: parameter %s missing: the VMM passes every parameter of a built-in guest\n",
			  key);
		rt_exit(1);
	}
	return p;
}

uint64_t rt_param_num(const struct kvmsq_boot_info *bi, const char *key)
{
	const struct kvmsq_param *p = rt_param_need(bi, key);

	return p->has_num ? p->num : RT_PARAM_BAD;
}

const char *rt_param_text(const struct kvmsq_boot_info *bi, const char *key)
{
	return rt_param_need(bi, key)->value;
}

/* Decimal digits, then K, M or G (binary), if @unit. NULL: none there. */
static const char *scan_u64(const char *s, uint64_t *v, int unit)
{
	int shift;

	if (*s < '0' || *s > '9')
		return 0;
	for (*v = 0; *s >= '0' && *s <= '9'; s++) {
		if (*v > (RT_PARAM_BAD - 9) / 10)
			return 0;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	if (!unit)
		return s;
	switch (*s | 0x20) {	/* either case */
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	default:
		return s;
	}
	if (*v >> (64 - shift))
		return 0;
	*v <<= shift;
	return s + 1;
}

static int starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

/* "share", "share/N" or "min(<one of those>, SIZE)" of @share bytes. */
static const char *scan_share(const char *s, uint64_t share, uint64_t *v)
{
	uint64_t n, cap;

	if (starts_with(s, "min(")) {
		s = scan_share(s + 4, share, v);
		if (!s || *s++ != ',')
			return 0;
		while (*s == ' ')
			s++;
		s = scan_u64(s, &cap, 1);
		if (!s || *s++ != ')')
			return 0;
		if (cap < *v)
			*v = cap;
		return s;
	}
	if (!starts_with(s, "share"))
		return 0;
	s += 5;
	*v = share;
	if (*s != '/')
		return s;
	s = scan_u64(s + 1, &n, 0);
	if (!s || !n)
		return 0;
	*v = share / n & ~(RT_PAGE - 1);
	return s;
}

uint64_t rt_param_bytes(const struct kvmsq_boot_info *bi, uint32_t vcpu, const char *key)
{
	const struct kvmsq_param *p = rt_param_need(bi, key);
	uint64_t start, end, v;
	const char *s;

	if (p->has_num)
		return p->num;
	rt_share(bi, vcpu, &start, &end);
	s = scan_share(p->value, end - start, &v);
	return s && !*s ? v : RT_PARAM_BAD;
}

/* --- memory and sync --- */

static uint64_t share_bytes(const struct kvmsq_boot_info *bi)
{
	return ((bi->free_end - bi->free_start) / bi->nr_vcpus) & ~(RT_PAGE - 1);
}

void rt_share(const struct kvmsq_boot_info *bi, uint32_t vcpu,
	      uint64_t *start, uint64_t *end)
{
	uint64_t bytes = share_bytes(bi);

	*start = bi->free_start + bytes * vcpu;
	*end = vcpu + 1 == bi->nr_vcpus ? (bi->free_end & ~(RT_PAGE - 1)) : *start + bytes;
}

uint32_t rt_share_owner(const struct kvmsq_boot_info *bi, uint64_t addr)
{
	uint64_t bytes = share_bytes(bi);
	uint64_t owner = bytes ? (addr - bi->free_start) / bytes : 0;

	return owner >= bi->nr_vcpus ? bi->nr_vcpus - 1 : (uint32_t)owner;
}

static volatile uint32_t barrier_count;
static volatile uint32_t barrier_generation;

void rt_barrier(const struct kvmsq_boot_info *bi)
{
	uint32_t gen = barrier_generation;

	if (__atomic_add_fetch(&barrier_count, 1, __ATOMIC_ACQ_REL) == bi->nr_vcpus) {
		barrier_count = 0;
		__atomic_store_n(&barrier_generation, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&barrier_generation, __ATOMIC_ACQUIRE) == gen)
		rt_pause();
}

/* --- address spaces --- */

int rt_space_init(const struct kvmsq_boot_info *bi, struct x86_pt *pt,
		  uint64_t pool_start, uint64_t pool_end)
{
	int ret = x86_pt_init(pt, 0, pool_start, pool_end);
	int i;

	if (ret)
		return ret;
	for (i = 0; i < 255; i++)
		*x86_pt_entry(pt, pt->root, i) = *x86_pt_entry(pt, bi->cr3, i);
	return 0;
}
