// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/arm.c: read the kernel arm's description (`kvmsqueeze run
 * --arm FILE`, experiments/RESULT.md "arm"): a regular file of at most
 * ARM_FILE_MAX bytes, one JSON object, only the known keys, each of its
 * type, length and characters. Whatever the file holds, the answer is the
 * object or one line naming what is wrong; the object goes into results
 * as it is, so what compare later reads there is what was checked here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/err.h"
#include "common/util.h"
#include "experiments/arm.h"
#include "experiments/text.h"

/* A kernel arm's name: what patched-kernel/ names its arms with. */
#define ARM_NAME_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+"
#define ARM_PATCHES_MAX	100000

enum arm_kind { ARM_NAME, ARM_BASE, ARM_TEXT, ARM_COUNT };

static const struct arm_key {
	const char *key;
	enum arm_kind kind;
	bool required;
	size_t max;			/* bytes of a string; the largest count */
} arm_keys[] = {
	{ "name", ARM_NAME, true, 64 },
	{ "base", ARM_BASE, true, 256 },
	{ "kernel_version", ARM_TEXT, false, 64 },
	{ "series", ARM_TEXT, false, 512 },
	{ "series_patches", ARM_COUNT, false, ARM_PATCHES_MAX },
	{ "series_hash", ARM_TEXT, false, 64 },
	{ "config", ARM_TEXT, false, 1024 },
	{ "config_hash", ARM_TEXT, false, 64 },
	{ "params", ARM_TEXT, false, 2048 },
	{ "image", ARM_TEXT, false, 64 },
	{ "release", ARM_TEXT, false, 64 },
};

#define ARM_KEYS_TEXT	"name, base, kernel_version, series, series_patches, series_hash, " \
			"config, config_hash, params, image, release"

static const struct arm_key *arm_key_find(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(arm_keys); i++)
		if (!strcmp(arm_keys[i].key, key))
			return &arm_keys[i];
	return NULL;
}

/* A value as the file has it, on one line and cut short, for a message. */
static const char *value_text(char *buf, size_t len, struct json_object *v)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	return text_quote(buf, len, s ? s : "?");
}

/* Printable ASCII: what a result, a table and a shell line all show as it is. */
static size_t printable_len(const char *s)
{
	size_t n = 0;

	while (s[n] >= 0x20 && s[n] <= 0x7e)
		n++;
	return n;
}

/*
 * "debian-<major>.<minor>" (the Debian linux-source package it was
 * built from) or "git:<tree>@<commit>" (a tree and what was checked out;
 * the tree may be a URL with an '@' of its own), without spaces.
 */
static bool base_ok(const char *s)
{
	const char *at;

	if (!strncmp(s, "debian-", 7)) {
		s += 7;
		if (!strspn(s, "0123456789"))
			return false;
		s += strspn(s, "0123456789");
		if (*s++ != '.' || !*s)
			return false;
		return strspn(s, "0123456789") == strlen(s);
	}
	if (strncmp(s, "git:", 4) || strchr(s, ' '))
		return false;
	/* an '@' with a tree before it and a commit after it */
	for (at = s + 4; *at; at++)
		if (*at == '@' && at > s + 4 && at[1])
			return true;
	return false;
}

static int key_check(const char *origin, const struct arm_key *k, struct json_object *v)
{
	char text[64];
	const char *s;
	int64_t n;
	size_t len;

	if (k->kind == ARM_COUNT) {
		n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
		if (n < 0 || n > (int64_t)k->max)
			return err_set(EINVAL, "--arm %s: \"%s\" is %s, not a whole number from 0 to %zu",
				       origin, k->key, value_text(text, sizeof(text), v), k->max);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return err_set(EINVAL, "--arm %s: \"%s\" is %s, not a string", origin, k->key,
			       value_text(text, sizeof(text), v));
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len > k->max)
		return err_set(EINVAL, "--arm %s: \"%s\" is %zu bytes long, at most %zu", origin,
			       k->key, len, k->max);
	if (printable_len(s) != len)
		return err_set(EINVAL, "--arm %s: \"%s\": a byte that is not printable ASCII at byte %zu of %s",
			       origin, k->key, printable_len(s), value_text(text, sizeof(text), v));
	if (k->kind != ARM_TEXT && !len)
		return err_set(EINVAL, "--arm %s: \"%s\" is empty", origin, k->key);
	if (k->kind == ARM_NAME && strspn(s, ARM_NAME_CHARS) != len)
		return err_set(EINVAL, "--arm %s: \"name\" is %s: use letters, digits and -_.+",
			       origin, value_text(text, sizeof(text), v));
	if (k->kind == ARM_BASE && !base_ok(s))
		return err_set(EINVAL, "--arm %s: \"base\" is %s, not debian-<version> or git:<tree>@<commit>",
			       origin, value_text(text, sizeof(text), v));
	return 0;
}

static int object_check(const char *origin, struct json_object *root)
{
	const struct arm_key *k;
	char quoted[80];
	size_t i;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return err_set(EINVAL, "--arm %s: not a JSON object (%s): the arm's description is {\"name\": ..., \"base\": ..., ...}",
			       origin, json_type_to_name(json_object_get_type(root)));
	json_object_object_foreach(root, key, val) {
		k = arm_key_find(key);
		if (!k)
			return err_set(EINVAL, "--arm %s: unknown key \"%s\" (the keys: " ARM_KEYS_TEXT ")",
				       origin, text_quote(quoted, sizeof(quoted), key));
		ret = key_check(origin, k, val);
		if (ret)
			return ret;
	}
	for (i = 0; i < ARRAY_SIZE(arm_keys); i++)
		if (arm_keys[i].required && !json_object_object_get_ex(root, arm_keys[i].key, NULL))
			return err_set(EINVAL, "--arm %s: no \"%s\" (name and base are required)",
				       origin, arm_keys[i].key);
	return 0;
}

int arm_parse(const char *text, size_t len, const char *origin, struct json_object **arm)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	struct json_object *root;
	size_t end;
	int ret;

	if (len > ARM_FILE_MAX)
		return err_set(EINVAL, "--arm %s: more than %d bytes", origin, ARM_FILE_MAX);
	/* json-c would stop at a NUL and take what came before it */
	if (memchr(text, '\0', len))
		return err_set(EINVAL, "--arm %s: a NUL byte at byte %zu (the file is JSON text)",
			       origin, (size_t)((const char *)memchr(text, '\0', len) - text));
	tok = json_tokener_new();
	if (!tok)
		return err_set(ENOMEM, "--arm %s: out of memory", origin);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	/* a bare number or null at the very end waits for more: end it */
	if (!root && jerr == json_tokener_continue && end == len) {
		root = json_tokener_parse_ex(tok, " ", 1);
		jerr = json_tokener_get_error(tok);
	}
	json_tokener_free(tok);
	while (root && end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (jerr == json_tokener_success && end == len && !root)
		return err_set(EINVAL, "--arm %s: not a JSON object (null): the arm's description is {\"name\": ..., \"base\": ..., ...}",
			       origin);
	if (!root || jerr != json_tokener_success || end < len) {
		json_object_put(root);
		return err_set(EINVAL, "--arm %s: not JSON: %s at byte %zu", origin,
			       jerr == json_tokener_success ? "text after the JSON value" :
			       jerr == json_tokener_continue ? "it ends too soon" :
			       json_tokener_error_desc(jerr), end);
	}
	ret = object_check(origin, root);
	if (ret) {
		json_object_put(root);
		return ret;
	}
	*arm = root;
	return 0;
}

/*
 * O_NONBLOCK: a FIFO would block the open until a writer came; it is
 * refused instead, as is anything else that is not a regular file.
 */
int arm_load_file(const char *path, struct json_object **arm)
{
	char origin[128], *text;
	struct stat st;
	size_t len = 0;
	ssize_t got;
	int fd, ret;

	text_quote(origin, sizeof(origin), path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return err_sys(errno, "--arm %s", origin);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > ARM_FILE_MAX) {
		close(fd);
		return err_set(EINVAL, "--arm %s: not a regular file of at most %d bytes", origin,
			       ARM_FILE_MAX);
	}
	/* one more byte than allowed: a file that grew is seen to be too big */
	text = malloc(ARM_FILE_MAX + 1);
	if (!text) {
		close(fd);
		return err_set(ENOMEM, "--arm %s: out of memory", origin);
	}
	do {
		got = read(fd, text + len, ARM_FILE_MAX + 1 - len);
		if (got > 0)
			len += (size_t)got;
	} while ((got > 0 && len <= ARM_FILE_MAX) || (got < 0 && errno == EINTR));
	ret = got < 0 ? -errno : 0;
	close(fd);
	if (!ret)
		ret = arm_parse(text, len, origin, arm);
	else
		ret = err_sys(-ret, "--arm %s: reading", origin);
	free(text);
	return ret;
}
