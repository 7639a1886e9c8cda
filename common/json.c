// SPDX-License-Identifier: GPL-2.0
/*
 * common/json.c: see common/json.h.
 */
#include <math.h>

#include <json-c/json.h>

#include "common/json.h"

struct json_object *jnum(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}
