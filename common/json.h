/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common/json.h: the two json-c constructors every writer of result and
 * report files needs: a number that is null when it is not finite, and a
 * string that is null when there is none.
 */
#ifndef KVMSQ_COMMON_JSON_H
#define KVMSQ_COMMON_JSON_H

struct json_object;

/* A JSON number, or NULL (JSON null) for NaN and the infinities. */
struct json_object *jnum(double v);

/* A JSON string, or NULL (JSON null) for a NULL @s. */
struct json_object *jstr(const char *s);

#endif
