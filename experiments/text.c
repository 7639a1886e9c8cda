// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/text.c: UTF-8 checks and one-line escapes for text from
 * outside, so that an error quoting it stays one line and a result file
 * holding it stays valid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "experiments/text.h"

/*
 * The length of the well-formed UTF-8 sequence at @s (RFC 3629: no
 * overlong forms, no surrogates, at most U+10FFFF), 0 if there is none;
 * the code point in *@cp.
 */
static size_t utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		*cp = c & 0x0f;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		*cp = c & 0x07;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return n;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

size_t text_check(const char *s, size_t len, const char **why)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t off = 0, n;
	uint32_t cp;

	while (off < len) {
		n = utf8_seq(u + off, len - off, &cp);
		if (!n) {
			*why = "invalid UTF-8";
			return off;
		}
		if (is_control(cp)) {
			*why = "a control character";
			return off;
		}
		off += n;
	}
	*why = NULL;
	return len;
}

const char *text_escape(char *buf, size_t size, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t in = 0, out = 0, n, room = size - 4;	/* "..." and the NUL */
	uint32_t cp;

	while (in < len) {
		n = utf8_seq(u + in, len - in, &cp);
		if (n && !is_control(cp)) {
			if (out + n > room)
				break;
			memcpy(buf + out, s + in, n);
			out += n;
			in += n;
			continue;
		}
		if (out + 4 > room)
			break;
		snprintf(buf + out, 5, "\\x%02x", u[in]);
		out += 4;
		in++;
	}
	if (in < len) {
		memcpy(buf + out, "...", 3);
		out += 3;
	}
	buf[out] = '\0';
	return buf;
}

const char *text_quote(char *buf, size_t size, const char *s)
{
	return text_escape(buf, size, s, strlen(s));
}

bool text_in_charset(const char *s, const char *charset)
{
	return strspn(s, charset) == strlen(s);
}
