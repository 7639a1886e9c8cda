// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/arm.c: experiments/arm.c, the kernel arm's description of
 * `kvmsqueeze run --arm FILE`: lab.sh's shape is taken whole; what is not
 * JSON, not an object, a key it does not know, a value of another type,
 * length or characters, a base that is none of the known kinds, and a
 * file too big, not regular or with a NUL byte are refused with one line
 * naming the key, and nothing is handed back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/err.h"
#include "experiments/arm.h"
#include "unit.h"

#define GOOD	"{\"name\": \"eager-off\", \"base\": \"debian-6.12\", " \
		"\"kernel_version\": \"6.12.57\", " \
		"\"series\": \"patched-kernel/patches/legacy (0 patches)\", " \
		"\"series_patches\": 0, \"series_hash\": \"1a2b3c4d\", " \
		"\"config\": \"lab.config hugetlb.config\", \"config_hash\": \"5e6f7a8b\", " \
		"\"params\": \"kvm.eager_page_split=N\", \"image\": \"legacy\", " \
		"\"release\": \"6.12.57-kvmsq-legacy-1a2b3c4d\"}\n"

/* arm_parse() of @text: 0 or its error, the message in err_msg(). */
static int parse(const char *text, size_t len, struct json_object **arm)
{
	*arm = NULL;
	err_clear();
	return arm_parse(text, len, "lab-arm.json", arm);
}

/* @text is refused, with a message holding @want, on one line. */
static void refused(const char *text, size_t len, const char *want)
{
	struct json_object *arm;
	int ret = parse(text, len, &arm);

	CHECK(ret == -EINVAL, "%d for %.60s", ret, text);
	CHECK(!arm, "an object for %.60s", text);
	CHECK(strstr(err_msg(), want), "'%s' lacks '%s'", err_msg(), want);
	CHECK(!strchr(err_msg(), '\n'), "not one line: %s", err_msg());
	CHECK(!strncmp(err_msg(), "--arm lab-arm.json: ", 20), "%s", err_msg());
}

static void refused_str(const char *text, const char *want)
{
	refused(text, strlen(text), want);
}

static void test_lab_shape(void)
{
	struct json_object *arm, *v;
	int ret = parse(GOOD, strlen(GOOD), &arm);

	CHECK(!ret, "%s", err_msg());
	if (ret)
		return;
	CHECK(json_object_object_length(arm) == 11, "%d keys",
	      json_object_object_length(arm));
	CHECK(json_object_object_get_ex(arm, "params", &v) &&
	      !strcmp(json_object_get_string(v), "kvm.eager_page_split=N"), "params");
	CHECK(json_object_object_get_ex(arm, "series_patches", &v) &&
	      json_object_is_type(v, json_type_int) && json_object_get_int(v) == 0,
	      "series_patches");
	json_object_put(arm);
}

/* name and base are enough; empty strings say "none" (no parameters). */
static void test_minimal(void)
{
	static const char *const ok[] = {
		"{\"name\": \"legacy\", \"base\": \"debian-6.1\"}",
		"{\"name\": \"a\", \"base\": \"debian-6.12\", \"params\": \"\", \"series\": \"\"}",
		"{\"name\": \"tip\", \"base\": \"git:https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git@v6.13\"}",
		"{\"name\": \"t\", \"base\": \"git:ssh://me@host/linux@0123abcd\"}",
		" {\"name\": \"v2.0+x_y\", \"base\": \"debian-6.12\", \"series_patches\": 100000}\n\n",
	};
	struct json_object *arm;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK(!parse(ok[i], strlen(ok[i]), &arm), "%s: %s", ok[i], err_msg());
		json_object_put(arm);
	}
}

static void test_not_an_object(void)
{
	refused_str("nope", "not JSON");
	refused_str("", "not JSON: it ends too soon");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\"", "it ends too soon");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\"} {}", "not JSON");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\",}", "not JSON");
	refused_str("[\"name\", \"base\"]", "not a JSON object (array)");
	refused_str("\"debian-6.12\"", "not a JSON object (string)");
	refused_str("null", "not a JSON object (null)");
	refused("{\"name\": \"a\",\0 \"base\": \"debian-6.12\"}", 40, "a NUL byte at byte 13");
}

static void test_unknown_key(void)
{
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"cmdline\": \"x\"}",
		    "unknown key \"cmdline\" (the keys: name, base,");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"Name\": \"a\"}",
		    "unknown key \"Name\"");
	/* a key that would break the line is shown escaped */
	refused_str("{\"na\\nme\": \"a\"}", "unknown key \"na\\x0ame\"");
}

static void test_wrong_type(void)
{
	refused_str("{\"name\": 5, \"base\": \"debian-6.12\"}", "\"name\" is 5, not a string");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"series_hash\": 5}",
		    "\"series_hash\" is 5, not a string");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"params\": null}",
		    "\"params\" is null, not a string");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"params\": [\"x\"]}",
		    "\"params\" is [\"x\"], not a string");
	refused_str("{\"name\": \"a\", \"base\": {\"debian\": 6}}", "\"base\" is {\"debian\":6}");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"series_patches\": \"3\"}",
		    "\"series_patches\" is \"3\", not a whole number from 0 to 100000");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"series_patches\": 3.0}",
		    "\"series_patches\" is 3.0, not a whole number");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"series_patches\": -1}",
		    "\"series_patches\" is -1");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"series_patches\": 100001}",
		    "\"series_patches\" is 100001");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"series_patches\": 99999999999999999999999}",
		    "\"series_patches\" is");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"series_patches\": true}",
		    "\"series_patches\" is true");
}

static void test_values(void)
{
	char text[4096];

	snprintf(text, sizeof(text), "{\"name\": \"a\", \"base\": \"debian-6.12\", \"params\": \"%2049s\"}",
		 "x");
	refused_str(text, "\"params\" is 2049 bytes long, at most 2048");
	snprintf(text, sizeof(text), "{\"name\": \"%65s\", \"base\": \"debian-6.12\"}", "x");
	refused_str(text, "\"name\" is 65 bytes long, at most 64");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"params\": \"a\\nb\"}",
		    "\"params\": a byte that is not printable ASCII at byte 1 of \"a\\nb\"");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"params\": \"a\\u0000b\"}",
		    "\"params\": a byte that is not printable ASCII at byte 1");
	refused_str("{\"name\": \"a\", \"base\": \"debian-6.12\", \"config\": \"caf\\u00e9\"}",
		    "\"config\": a byte that is not printable ASCII at byte 3");
	refused_str("{\"name\": \"a b\", \"base\": \"debian-6.12\"}",
		    "\"name\" is \"a b\": use letters, digits and -_.+");
	refused_str("{\"name\": \"$(reboot)\", \"base\": \"debian-6.12\"}", "\"name\" is");
	refused_str("{\"name\": \"\", \"base\": \"debian-6.12\"}", "\"name\" is empty");
	refused_str("{\"name\": \"a\"}", "no \"base\" (name and base are required)");
	refused_str("{\"base\": \"debian-6.12\"}", "no \"name\"");
}

static void test_bases(void)
{
	static const char *const bad[] = {
		"debian", "debian-", "debian-6", "debian-6.", "debian-.12", "debian-6.12.1",
		"debian-6.12 ", "Debian-6.12", "upstream-6.12", "git:", "git:linux", "git:@abc",
		"git:linux@", "git:my linux@abc", "6.12.57",
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "{\"name\": \"a\", \"base\": \"%s\"}", bad[i]);
		refused_str(text, "not debian-<version> or git:<tree>@<commit>");
	}
}

/* Too big, or not a regular file: refused without reading on for ever. */
static void test_files(void)
{
	char dir[] = "/tmp/kvmsq-arm-XXXXXX", path[64], big[ARM_FILE_MAX + 64];
	struct json_object *arm = NULL;
	FILE *f;

	if (!mkdtemp(dir))
		SKIP("no temporary directory");
	snprintf(path, sizeof(path), "%s/lab-arm.json", dir);
	f = fopen(path, "w");
	CHECK(f && fputs(GOOD, f) >= 0 && !fclose(f), "writing %s", path);
	CHECK(!arm_load_file(path, &arm) && arm, "%s", err_msg());
	json_object_put(arm);
	arm = NULL;

	/* a value of 16 KiB: bigger than any description, refused by size */
	memset(big, 'x', sizeof(big));
	memcpy(big, "{\"name\": \"a\", \"params\": \"", 25);
	memcpy(big + sizeof(big) - 3, "\"}", 3);
	f = fopen(path, "w");
	CHECK(f && fputs(big, f) >= 0 && !fclose(f), "writing %s", path);
	CHECK(arm_load_file(path, &arm) == -EINVAL && !arm, "a big file taken");
	CHECK(strstr(err_msg(), "not a regular file of at most 16384 bytes"), "%s", err_msg());
	CHECK(arm_parse(big, strlen(big), "big", &arm) == -EINVAL && !arm, "big text taken");
	CHECK(strstr(err_msg(), "more than 16384 bytes"), "%s", err_msg());
	unlink(path);

	CHECK(!mkfifo(path, 0600), "mkfifo");
	CHECK(arm_load_file(path, &arm) == -EINVAL && !arm, "a FIFO taken");
	CHECK(strstr(err_msg(), "not a regular file"), "%s", err_msg());
	unlink(path);
	CHECK(arm_load_file(dir, &arm) == -EINVAL && !arm, "a directory taken");
	CHECK(arm_load_file(path, &arm) == -ENOENT && !arm, "a missing file: %s", err_msg());
	rmdir(dir);
}

UNIT_MAIN(T(test_lab_shape), T(test_minimal), T(test_not_an_object), T(test_unknown_key),
	  T(test_wrong_type), T(test_values), T(test_bases), T(test_files))
