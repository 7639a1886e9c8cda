/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/err.h: errors as values. A failing function records one line of
 * context ("<what failed>: <why> (<what to do>)") and returns -errno; only
 * the CLI prints it and decides to exit.
 */
#ifndef KVMSQ_ERR_H
#define KVMSQ_ERR_H

#define ERR_MSG_LEN	512

/*
 * Not an errno: the input was refused because it would mislead (runs of
 * different specs or clocks, a run that did not end well), and --force
 * would take it anyway. Returned as -ERR_REFUSED; the CLI adds the hint.
 */
#define ERR_REFUSED	4096

/* Record the message and return -@errnum (errnum > 0). */
int err_set(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, with ": strerror(errnum)" appended. */
int err_sys(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefix the recorded message with more context; returns @ret. */
int err_wrap(int ret, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *err_msg(void);
void err_clear(void);

#endif
