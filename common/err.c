// SPDX-License-Identifier: GPL-2.0
/* common/err.c: the per-thread last error message behind err.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

static __thread char err_buf[ERR_MSG_LEN];

int err_set(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	return -errnum;
}

int err_sys(int errnum, const char *fmt, ...)
{
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	len = strlen(err_buf);
	snprintf(err_buf + len, sizeof(err_buf) - len, ": %s", strerror(errnum));
	return -errnum;
}

int err_wrap(int ret, const char *fmt, ...)
{
	char both[2 * ERR_MSG_LEN + 2];
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	len = (size_t)vsnprintf(both, ERR_MSG_LEN, fmt, ap);
	va_end(ap);
	if (len >= ERR_MSG_LEN)
		len = ERR_MSG_LEN - 1;
	memcpy(both + len, ": ", 2);
	memcpy(both + len + 2, err_buf, ERR_MSG_LEN);	/* NUL-terminated */
	memcpy(err_buf, both, ERR_MSG_LEN - 1);
	err_buf[ERR_MSG_LEN - 1] = '\0';
	return ret;
}

const char *err_msg(void)
{
	return err_buf[0] ? err_buf : "unknown error";
}

void err_clear(void)
{
	err_buf[0] = '\0';
}
