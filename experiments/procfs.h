/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/procfs.h: the kernel's text files as the samplers read them
 * (/proc, memory cgroup files, shrinker debugfs): parsers on
 * text buffers that do no I/O, and a whole-file reader.
 *
 * Parsers take a buffer and its length (no NUL needed; a NUL inside is
 * malformed), accept a missing newline at the end and an empty buffer,
 * and return 0, -EINVAL with err_msg() naming the line for malformed
 * text, or the first non-zero value a callback returned.
 */
#ifndef KVMSQ_PROCFS_H
#define KVMSQ_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROCFS_KEY_LEN	64	/* longest key + 1; a longer one is malformed */

/* One key and its value; non-zero stops the parse and is returned. */
typedef int (*procfs_kv_fn)(const char *key, uint64_t val, void *arg);
/* One PSI field: key "some_avg10", "full_total", ...; value as written. */
typedef int (*procfs_psi_fn)(const char *key, double val, void *arg);

/* /proc/meminfo: "MemFree:   123 kB" or "HugePages_Total:   0"; the
 * value as written (kB when the line says so). */
int procfs_parse_meminfo(const char *buf, size_t len, procfs_kv_fn fn, void *arg);
/* "key value" lines: /proc/vmstat, memory.stat (v1, v2), memory.events,
 * v1 memory.oom_control. */
int procfs_parse_keyval(const char *buf, size_t len, procfs_kv_fn fn, void *arg);
/* PSI: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and "full ...";
 * total is in microseconds. */
int procfs_parse_psi(const char *buf, size_t len, procfs_psi_fn fn, void *arg);
/* A file holding one number: memory.current, v1 memory.failcnt, ... */
int procfs_parse_u64(const char *buf, size_t len, uint64_t *val);
/* Shrinker debugfs "count": lines "<memcg inode> <count per node>...";
 * @total is the sum of every count of every line. */
int procfs_parse_shrinker_count(const char *buf, size_t len, uint64_t *total);

/* The index of the first of @patterns (NULL-terminated) that @key matches,
 * or -1. A pattern ending in '*' matches every key that starts with what
 * precedes it. */
int procfs_key_match(const char *key, const char *const *patterns);

/*
 * Read the file at the printf-style path whole into @buf, NUL-terminated;
 * the number of bytes or -errno (-EFBIG when it does not fit in @len - 1).
 */
ssize_t procfs_read(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Read the file at @path whole, in one pass, into a buffer that grows (a
 * /proc file's size is 0 to stat(), and reading it again from the start
 * would make the kernel walk it again: kallsyms is ~5 MiB), up to @max
 * bytes; *@text (malloc'd, NUL-terminated) for the caller to free. The
 * number of bytes or -errno, with err_msg() naming the file.
 */
ssize_t procfs_read_alloc(const char *path, size_t max, char **text);

#endif
