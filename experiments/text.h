/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/text.h: text that came from outside (a spec, a guest's
 * console, a command line) made safe to quote: UTF-8 checks, and one
 * printable line for messages, events and result files.
 */
#ifndef KVMSQ_TEXT_H
#define KVMSQ_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The offset of the first byte of @s (@len bytes) that is not valid
 * UTF-8 or starts a control character (U+0000-U+001F, U+007F-U+009F), or
 * @len when there is none; *@why says which ("invalid UTF-8", "a
 * control character").
 */
size_t text_check(const char *s, size_t len, const char **why);

/*
 * @s (@len bytes) as one line in @buf (@size bytes, at least 8): valid
 * UTF-8 that is not a control character is kept, every other byte becomes
 * "\xNN"; cut with "..." when it does not fit. Returns @buf.
 */
const char *text_escape(char *buf, size_t size, const char *s, size_t len);

/* text_escape() of a NUL-terminated string. */
const char *text_quote(char *buf, size_t size, const char *s);

/* True if @s (NUL-terminated) has only bytes in @charset. */
bool text_in_charset(const char *s, const char *charset);

#endif
