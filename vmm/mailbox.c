// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/mailbox.c: the mailbox decoder, the one place where guest-supplied
 * addresses, lengths, names and result blocks are checked. Everything is
 * copied out of guest RAM once and checked in the copy, so a guest that
 * rewrites a message while we read it cannot get past the checks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/util.h"
#include "vmm/hist.h"
#include "vmm/vm.h"
#include "vmm/vm_report.h"

static int guest_copy(struct vcpu *vcpu, void *dst, uint64_t gpa, uint64_t len,
		      const char *what)
{
	struct vm *vm = vcpu->vm;

	if (!guest_mem_range_ok(&vm->mem, gpa, len))
		return err_set(EFAULT, "mailbox: %s at GPA 0x%" PRIx64 " length %" PRIu64 " is outside guest RAM (0x%" PRIx64 " bytes)",
			       what, gpa, len, vm->cfg.mem_bytes);
	/* not a plain load: a page the guest never touched may have no space */
	if (guest_mem_read(&vm->mem, dst, gpa, len))
		return err_wrap(-EIO, "mailbox: %s at GPA 0x%" PRIx64, what, gpa);
	return 0;
}

/* Names are [a-z0-9_-], 1 to KVMSQ_NAME_LEN - 1 bytes. */
static int name_check(const char *name, size_t len, const char *what)
{
	size_t i;

	if (len == 0 || len >= KVMSQ_NAME_LEN)
		return err_set(EINVAL, "mailbox: %s name is %zu bytes (1 to %d)",
			       what, len, KVMSQ_NAME_LEN - 1);
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return err_set(EINVAL, "mailbox: %s name has byte 0x%02x at %zu (only a-z 0-9 _ -)",
				       what, (unsigned char)c, i);
	}
	return 0;
}

static int mailbox_phase(struct vcpu *vcpu, const struct kvmsq_msg *msg)
{
	struct vcpu_phase *p;
	int ret;

	if (msg->arg != KVMSQ_PHASE_BEGIN && msg->arg != KVMSQ_PHASE_END)
		return err_set(EINVAL, "mailbox: phase edge %u (0 begin, 1 end)", msg->arg);
	if (msg->len == 0 || msg->len >= KVMSQ_NAME_LEN)
		return err_set(EINVAL, "mailbox: phase name length %" PRIu64 " (1 to %d)",
			       msg->len, KVMSQ_NAME_LEN - 1);
	if (vcpu->nr_phases == VCPU_MAX_PHASES)
		return err_set(ENOSPC, "mailbox: more than %d phase markers", VCPU_MAX_PHASES);
	p = &vcpu->phases[vcpu->nr_phases];
	memset(p->name, 0, sizeof(p->name));
	ret = guest_copy(vcpu, p->name, msg->addr, msg->len, "phase name");
	if (!ret)
		ret = name_check(p->name, msg->len, "phase");
	if (ret)
		return ret;
	p->edge = msg->arg;
	p->tsc = msg->tsc;
	p->host_ns = now_ns();
	vcpu->nr_phases++;
	if (vcpu->vm->cfg.on_phase)
		vcpu->vm->cfg.on_phase(vcpu->vm->cfg.on_phase_arg, vcpu->id, p);
	return VCPU_CONTINUE;
}

static int result_counter(struct vcpu *vcpu, const struct kvmsq_counter *block)
{
	int i;

	for (i = 0; i < vcpu->nr_counters; i++)
		if (!strcmp(vcpu->counters[i].name, block->hdr.name))
			break;
	if (i == VCPU_MAX_COUNTERS)
		return err_set(ENOSPC, "mailbox: more than %d counters", VCPU_MAX_COUNTERS);
	memcpy(vcpu->counters[i].name, block->hdr.name, KVMSQ_NAME_LEN);
	vcpu->counters[i].value = block->value;
	if (i == vcpu->nr_counters)
		vcpu->nr_counters++;
	return VCPU_CONTINUE;
}

/*
 * A histogram @name goes into the results as "<name>@suffix" beside the
 * VMM's own keys of a vCPU: it must not be one of them.
 */
static int result_key_check(const char *name, const char *suffix)
{
	char key[KVMSQ_NAME_LEN + 8];

	snprintf(key, sizeof(key), "%s%s", name, suffix);
	if (vm_report_vcpu_key_taken(key))
		return err_set(EINVAL, "mailbox: histogram name '%s' is reserved (%s is the VMM's own key in a vCPU's results)",
			       name, key);
	return 0;
}

static int result_hist(struct vcpu *vcpu, struct kvmsq_hist_block *block)
{
	struct vcpu_hist *vh;
	int i, ret;

	ret = hist_check(&block->hist);
	if (ret)
		return err_wrap(ret, "mailbox: histogram '%s'", block->hdr.name);
	ret = result_key_check(block->hdr.name, "_ns");
	if (ret)
		return ret;
	for (i = 0; i < vcpu->nr_hists; i++)
		if (!strcmp(vcpu->hists[i].name, block->hdr.name))
			break;
	if (i == VCPU_MAX_HISTS)
		return err_set(ENOSPC, "mailbox: more than %d histograms", VCPU_MAX_HISTS);
	vh = &vcpu->hists[i];
	if (!vh->hist) {
		vh->hist = malloc(sizeof(*vh->hist));
		if (!vh->hist)
			return err_sys(ENOMEM, "mailbox: histogram");
		vcpu->nr_hists++;
	}
	memcpy(vh->name, block->hdr.name, KVMSQ_NAME_LEN);
	memcpy(vh->hist, &block->hist, sizeof(*vh->hist));
	return VCPU_CONTINUE;
}

static const uint32_t result_sizes[] = {
	[KVMSQ_RESULT_COUNTER] = sizeof(struct kvmsq_counter),
	[KVMSQ_RESULT_HIST] = sizeof(struct kvmsq_hist_block),
};

static int mailbox_result(struct vcpu *vcpu, const struct kvmsq_msg *msg)
{
	struct kvmsq_result_hdr hdr;
	void *block;
	int ret;

	if (msg->len < sizeof(hdr))
		return err_set(EINVAL, "mailbox: result block of %" PRIu64 " bytes is shorter than its header",
			       msg->len);
	ret = guest_copy(vcpu, &hdr, msg->addr, sizeof(hdr), "result header");
	if (ret)
		return ret;
	if (hdr.kind >= ARRAY_SIZE(result_sizes) || !result_sizes[hdr.kind])
		return err_set(EINVAL, "mailbox: unknown result kind %u", hdr.kind);
	if (hdr.size != result_sizes[hdr.kind] || msg->len != hdr.size)
		return err_set(EINVAL, "mailbox: result block size %u, length %" PRIu64 " (kind %u is %u bytes)",
			       hdr.size, msg->len, hdr.kind, result_sizes[hdr.kind]);
	ret = name_check(hdr.name, strnlen(hdr.name, KVMSQ_NAME_LEN), "result");
	if (ret)
		return ret;

	block = malloc(hdr.size);
	if (!block)
		return err_sys(ENOMEM, "mailbox: result block");
	ret = guest_copy(vcpu, block, msg->addr, hdr.size, "result block");
	if (!ret) {
		/* check the copy: the guest may have changed the header */
		memcpy(block, &hdr, sizeof(hdr));
		if (hdr.kind == KVMSQ_RESULT_COUNTER)
			ret = result_counter(vcpu, block);
		else
			ret = result_hist(vcpu, block);
	}
	free(block);
	return ret;
}

static int mailbox_exit(struct vcpu *vcpu, const struct kvmsq_msg *msg)
{
	vcpu->exit_code = (int)msg->arg;
	vcpu->end = VCPU_EXITED;
	return VCPU_DONE;
}

static int (*const mailbox_cmds[])(struct vcpu *, const struct kvmsq_msg *) = {
	[KVMSQ_MSG_PHASE] = mailbox_phase,
	[KVMSQ_MSG_RESULT] = mailbox_result,
	[KVMSQ_MSG_EXIT] = mailbox_exit,
};

int mailbox_handle(struct vcpu *vcpu, uint32_t gpa)
{
	struct kvmsq_msg msg;
	int ret;

	ret = guest_copy(vcpu, &msg, gpa, sizeof(msg), "message");
	if (ret)
		return ret;
	if (msg.cmd >= ARRAY_SIZE(mailbox_cmds) || !mailbox_cmds[msg.cmd])
		return err_set(EINVAL, "mailbox: unknown command %u", msg.cmd);
	return mailbox_cmds[msg.cmd](vcpu, &msg);
}
