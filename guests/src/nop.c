// SPDX-License-Identifier: GPL-2.0
/*
 * guests/src/nop.c: exit at once with --param code. Measures
 * the VMM's cold start, and the path of a guest's exit code.
 */
#include "rt.h"

int guest_main(struct kvmsq_boot_info *bi, uint32_t vcpu)
{
	(void)vcpu;
	return (int)rt_param_num(bi, "code");
}
