// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/serial.c: the guest console. What the guest writes to the serial
 * port, a line at a time per vCPU, into vm_config.serial; with more than
 * one vCPU each line says whose it is.
 */
#include <pthread.h>
#include <stdio.h>

#include "vmm/vm.h"

static void serial_flush(struct vcpu *vcpu)
{
	FILE *out = vcpu->vm->cfg.serial;

	if (out && vcpu->serial_len) {
		pthread_mutex_lock(&vcpu->vm->serial_lock);
		if (vcpu->vm->cfg.nr_vcpus > 1)
			fprintf(out, "[vcpu %d] ", vcpu->id);
		fwrite(vcpu->serial_line, 1, vcpu->serial_len, out);
		fflush(out);
		pthread_mutex_unlock(&vcpu->vm->serial_lock);
	}
	vcpu->serial_len = 0;
}

/* Guest text, a line at a time so vCPUs do not interleave mid-line. */
void vcpu_serial_write(struct vcpu *vcpu, const uint8_t *bytes, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = bytes[i];

		if (c == '\r')
			continue;
		if (c != '\n' && c != '\t' && (c < 0x20 || c > 0x7e))
			c = '?';	/* the guest does not drive our terminal */
		vcpu->serial_line[vcpu->serial_len++] = (char)c;
		if (c == '\n' || vcpu->serial_len == sizeof(vcpu->serial_line) - 1) {
			if (c != '\n')
				vcpu->serial_line[vcpu->serial_len++] = '\n';
			serial_flush(vcpu);
		}
	}
}
