/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiments/arm.h: the kernel arm's description `kvmsqueeze run --arm
 * FILE` records in every result as "arm" (the lab's lab-arm.json: base,
 * kernel version, patch series, config, boot parameters, image), read as
 * untrusted input: a bounded regular file holding one JSON object of the
 * known keys, each of its type and length.
 */
#ifndef KVMSQ_ARM_H
#define KVMSQ_ARM_H

#include <stddef.h>

struct json_object;

/* An --arm file is at most this long: the keys' limits add up to less. */
#define ARM_FILE_MAX	16384

/*
 * Parse and check @len bytes of @text from @origin (for messages): 0 and
 * the object in *@arm (the caller puts it), or -EINVAL with one line
 * naming the key in err_msg(), *@arm untouched.
 */
int arm_parse(const char *text, size_t len, const char *origin, struct json_object **arm);

/* arm_parse() of the file @path: a regular file of at most ARM_FILE_MAX bytes. */
int arm_load_file(const char *path, struct json_object **arm);

#endif
