// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/procfs.c: parsers for the kernel's text files that the
 * samplers read, strict enough to reject anything else, and the one
 * function here that does I/O, procfs_read().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/procfs.h"

/* A buffer walked line by line. */
struct text {
	const char *p, *end;
	int lineno;
};

/* A cursor inside one line. */
struct cur {
	const char *p, *end;
};

static bool text_next(struct text *t, struct cur *line)
{
	const char *nl;

	if (t->p >= t->end)
		return false;
	nl = memchr(t->p, '\n', t->end - t->p);
	line->p = t->p;
	line->end = nl ? nl : t->end;
	t->p = nl ? nl + 1 : t->end;
	t->lineno++;
	return true;
}

static int malformed(const struct text *t, const char *expected)
{
	return err_set(EINVAL, "line %d: malformed (expected \"%s\")",
		       t->lineno, expected);
}

static bool cur_eol(const struct cur *c)
{
	return c->p == c->end;
}

static bool cur_char(struct cur *c, char ch)
{
	if (c->p == c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static bool cur_word(struct cur *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n))
		return false;
	c->p += n;
	return true;
}

static size_t cur_spaces(struct cur *c)
{
	size_t n = 0;

	while (cur_char(c, ' '))
		n++;
	return n;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_ident(char ch)
{
	return is_digit(ch) || ch == '_' ||
	       (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* meminfo keys also have parentheses: "Active(anon)". */
static bool is_meminfo_key(char ch)
{
	return is_ident(ch) || ch == '(' || ch == ')';
}

/* A key of 1 to PROCFS_KEY_LEN - 1 characters, copied NUL-terminated. */
static bool cur_key(struct cur *c, char *key, bool (*ok)(char))
{
	size_t n = 0;

	while (c->p + n < c->end && ok(c->p[n])) {
		if (n == PROCFS_KEY_LEN - 1)
			return false;
		key[n] = c->p[n];
		n++;
	}
	if (!n)
		return false;
	key[n] = '\0';
	c->p += n;
	return true;
}

static bool cur_u64(struct cur *c, uint64_t *val)
{
	uint64_t v = 0;

	if (c->p == c->end || !is_digit(*c->p))
		return false;
	for (; c->p < c->end && is_digit(*c->p); c->p++) {
		unsigned int d = *c->p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*val = v;
	return true;
}

/* "12" or "1.52", as PSI prints them. */
static bool cur_decimal(struct cur *c, double *val)
{
	double scale = 0.1, frac = 0;
	uint64_t whole;

	if (!cur_u64(c, &whole))
		return false;
	*val = (double)whole;
	if (!cur_char(c, '.'))
		return true;
	if (c->p == c->end || !is_digit(*c->p))
		return false;
	for (; c->p < c->end && is_digit(*c->p); c->p++, scale /= 10)
		frac += (*c->p - '0') * scale;
	*val += frac;
	return true;
}

static int meminfo_line(struct cur *c, char *key, uint64_t *val)
{
	if (!cur_key(c, key, is_meminfo_key) || !cur_char(c, ':'))
		return -EINVAL;
	cur_spaces(c);
	if (!cur_u64(c, val))
		return -EINVAL;
	if (!cur_eol(c) && !cur_word(c, " kB"))
		return -EINVAL;
	return cur_eol(c) ? 0 : -EINVAL;
}

/* One "key value" line: a name, spaces, a number, nothing more. */
static int keyval_line(struct cur *c, char *key, uint64_t *val)
{
	if (!cur_key(c, key, is_ident) || !cur_spaces(c) || !cur_u64(c, val) || !cur_eol(c))
		return -EINVAL;
	return 0;
}

/* Every line of @buf through @line, each key and value to @fn. */
static int parse_kv_lines(const char *buf, size_t len,
			  int (*line)(struct cur *c, char *key, uint64_t *val),
			  const char *format, procfs_kv_fn fn, void *arg)
{
	struct text t = { buf, buf + len, 0 };
	char key[PROCFS_KEY_LEN];
	struct cur c;
	uint64_t val;
	int ret;

	while (text_next(&t, &c)) {
		if (line(&c, key, &val))
			return malformed(&t, format);
		ret = fn(key, val, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int procfs_parse_meminfo(const char *buf, size_t len, procfs_kv_fn fn, void *arg)
{
	return parse_kv_lines(buf, len, meminfo_line, "Key: value [kB]", fn, arg);
}

int procfs_parse_keyval(const char *buf, size_t len, procfs_kv_fn fn, void *arg)
{
	return parse_kv_lines(buf, len, keyval_line, "key value", fn, arg);
}

/* One " name=value" field of a PSI line; @key is "<kind>_<name>". */
static bool psi_field(struct cur *c, const char *kind, char *key, size_t key_len,
		      double *val)
{
	char name[PROCFS_KEY_LEN];

	if (!cur_spaces(c) || !cur_key(c, name, is_ident) || !cur_char(c, '=') ||
	    !cur_decimal(c, val))
		return false;
	snprintf(key, key_len, "%s_%s", kind, name);
	return true;
}

int procfs_parse_psi(const char *buf, size_t len, procfs_psi_fn fn, void *arg)
{
	static const char *const kinds[] = { "some", "full" };
	static const char expected[] = "some|full avg10=N.NN ... total=N";
	struct text t = { buf, buf + len, 0 };
	char key[2 * PROCFS_KEY_LEN];
	const char *kind;
	struct cur c;
	double val;
	int ret;

	while (text_next(&t, &c)) {
		kind = cur_word(&c, kinds[0]) ? kinds[0] :
		       cur_word(&c, kinds[1]) ? kinds[1] : NULL;
		if (!kind || cur_eol(&c))
			return malformed(&t, expected);
		while (!cur_eol(&c)) {
			if (!psi_field(&c, kind, key, sizeof(key), &val))
				return malformed(&t, expected);
			ret = fn(key, val, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int procfs_parse_u64(const char *buf, size_t len, uint64_t *val)
{
	struct text t = { buf, buf + len, 0 };
	struct cur c;

	if (!text_next(&t, &c) || !cur_u64(&c, val) || !cur_eol(&c))
		return malformed(&t, "N");
	if (text_next(&t, &c))
		return malformed(&t, "nothing after the number");
	return 0;
}

static int shrinker_count_line(struct cur *c, uint64_t *total)
{
	uint64_t ino, count;
	int nodes = 0;

	if (!cur_u64(c, &ino))
		return -EINVAL;
	while (cur_char(c, ' ')) {
		if (!cur_u64(c, &count) || count > UINT64_MAX - *total)
			return -EINVAL;
		*total += count;
		nodes++;
	}
	return nodes && cur_eol(c) ? 0 : -EINVAL;
}

int procfs_parse_shrinker_count(const char *buf, size_t len, uint64_t *total)
{
	struct text t = { buf, buf + len, 0 };
	struct cur c;

	*total = 0;
	while (text_next(&t, &c))
		if (shrinker_count_line(&c, total))
			return malformed(&t, "<memcg inode> <count per node>...");
	return 0;
}

int procfs_key_match(const char *key, const char *const *patterns)
{
	size_t n;
	int i;

	for (i = 0; patterns[i]; i++) {
		n = strlen(patterns[i]);
		if (n && patterns[i][n - 1] == '*') {
			if (!strncmp(key, patterns[i], n - 1))
				return i;
		} else if (!strcmp(key, patterns[i])) {
			return i;
		}
	}
	return -1;
}

/* read(2) again after a signal; -errno on error. */
static ssize_t read_retry(int fd, char *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static ssize_t read_fd_whole(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	char more;

	while (got < len - 1) {
		n = read_retry(fd, buf + got, len - 1 - got);
		if (n < 0)
			return n;
		if (!n)
			break;
		got += n;
	}
	buf[got] = '\0';
	if (got == len - 1 && read(fd, &more, 1) > 0)
		return -EFBIG;
	return got;
}

ssize_t procfs_read(char *buf, size_t len, const char *fmt, ...)
{
	char path[PATH_MAX];
	ssize_t ret;
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return err_set(ENAMETOOLONG, "path too long: %s...", path);
	if (len < 2)
		return err_set(EINVAL, "%s: no room to read into", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(errno, "%s", path);
	ret = read_fd_whole(fd, buf, len);
	close(fd);
	if (ret == -EFBIG)
		return err_set(EFBIG, "%s: larger than %zu bytes", path, len - 1);
	if (ret < 0)
		return err_sys(-ret, "reading %s", path);
	return ret;
}

static ssize_t read_fd_grow(int fd, size_t max, char **text)
{
	size_t cap = 0, len = 0;
	ssize_t n;
	char *p;

	for (;;) {
		if (cap - len < 2) {
			if (cap >= max)
				return -EFBIG;
			cap = cap ? 2 * cap : 64 * 1024;
			cap = cap < max ? cap : max;
			p = realloc(*text, cap);
			if (!p)
				return -ENOMEM;
			*text = p;
		}
		n = read_retry(fd, *text + len, cap - len - 1);
		if (n < 0)
			return n;
		if (!n)
			break;
		len += (size_t)n;
	}
	(*text)[len] = '\0';
	return (ssize_t)len;
}

ssize_t procfs_read_alloc(const char *path, size_t max, char **text)
{
	ssize_t ret;
	int fd;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(errno, "%s", path);
	ret = read_fd_grow(fd, max, text);
	close(fd);
	if (ret >= 0)
		return ret;
	free(*text);
	*text = NULL;
	if (ret == -EFBIG)
		return err_set(EFBIG, "%s: larger than %zu bytes", path, max - 1);
	return err_sys((int)-ret, "reading %s", path);
}
