// SPDX-License-Identifier: GPL-2.0
/* tests/unit/parse.c: sizes, numbers and durations from the command line. */
#include <string.h>

#include "unit.h"
#include "common/util.h"
#include "vmm/mem.h"

static void sizes_good(void)
{
	static const struct { const char *s; uint64_t bytes; } cases[] = {
		{ "0", 0 }, { "4096", 4096 }, { "4k", 4096 }, { "4K", 4096 },
		{ "4KiB", 4096 }, { "256M", 256 * MiB }, { "2MB", 2 * MiB },
		{ "4G", 4 * GiB }, { "64G", 64 * GiB }, { "1T", 1024 * GiB },
		{ "1g", GiB }, { "010", 10 }, { "18446744073709551615", UINT64_MAX },
	};
	uint64_t b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = parse_size(cases[i].s, &b);

		CHECK(!ret && b == cases[i].bytes, "'%s' -> %d, %llu", cases[i].s, ret,
		      (unsigned long long)b);
	}
}

static void sizes_bad(void)
{
	static const char *const cases[] = {
		"", "abc", "-1", "4X", "4GG", "4 G", "G", "1.5G",
		"99999999999999999999", "17179869184G", "4Gx", "0x10", "+4K", " 4K",
	};
	uint64_t b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(parse_size(cases[i], &b) < 0, "'%s' accepted as %llu", cases[i],
		      (unsigned long long)b);
}

static void seconds(void)
{
	double s;

	CHECK(!parse_seconds("2.5", &s) && s == 2.5, "2.5");
	CHECK(!parse_seconds("500ms", &s) && s == 0.5, "500ms");
	CHECK(!parse_seconds("2m", &s) && s == 120, "2m");
	CHECK(!parse_seconds("10s", &s) && s == 10, "10s");
	CHECK(parse_seconds("-1", &s) < 0, "-1 accepted");
	CHECK(parse_seconds("5h", &s) < 0, "5h accepted");
	CHECK(parse_seconds("nan", &s) < 0, "nan accepted");
	CHECK(!parse_seconds("1e3", &s) && s == 1000, "1e3");
	CHECK(!parse_seconds("10000000", &s) && s == 1e7, "the maximum");
	CHECK(parse_seconds("10000001", &s) < 0, "above the maximum accepted");
	CHECK(parse_seconds("1e11", &s) < 0, "1e11 accepted (its ns overflow 64 bits)");
	CHECK(parse_seconds("0x10", &s) < 0, "hex accepted");
	CHECK(parse_seconds("1p3", &s) < 0, "1p3 accepted");
	CHECK(parse_seconds("inf", &s) < 0, "inf accepted");
	CHECK(parse_seconds("1e400", &s) < 0, "1e400 accepted");
	CHECK(parse_seconds("5-3", &s) < 0, "5-3 accepted");
}

static void counts(void)
{
	uint64_t v;

	CHECK(!parse_u64("0", &v) && v == 0, "0");
	CHECK(!parse_u64("010", &v) && v == 10, "010 is not ten: %llu", (unsigned long long)v);
	CHECK(!parse_u64("18446744073709551615", &v) && v == UINT64_MAX, "2^64-1");
	CHECK(parse_u64("18446744073709551616", &v) < 0, "2^64 accepted");
	CHECK(parse_u64("0x2", &v) < 0, "hex accepted");
	CHECK(parse_u64("+2", &v) < 0, "+2 accepted");
	CHECK(parse_u64("-2", &v) < 0, "-2 accepted");
	CHECK(parse_u64(" 2", &v) < 0, "leading space accepted");
	CHECK(parse_u64("2 ", &v) < 0, "trailing space accepted");
	CHECK(parse_u64("", &v) < 0, "empty accepted");
}

static void backings(void)
{
	enum mem_backing b;
	const char *path;

	CHECK(!mem_backing_parse("anon", &b, &path) && b == MEM_ANON && !path, "anon");
	CHECK(!mem_backing_parse("hugetlb", &b, &path) && b == MEM_HUGETLB, "hugetlb");
	CHECK(!mem_backing_parse("file:/tmp/x", &b, &path) && b == MEM_FILE &&
	      !strcmp(path, "/tmp/x"), "file:/tmp/x");
	CHECK(mem_backing_parse("file", &b, &path) < 0, "file without a path");
	CHECK(mem_backing_parse("file:", &b, &path) < 0, "file: with an empty path");
	CHECK(mem_backing_parse("shm", &b, &path) < 0, "shm accepted");
}

UNIT_MAIN(T(sizes_good), T(sizes_bad), T(seconds), T(counts), T(backings))
