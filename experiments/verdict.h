/* SPDX-License-Identifier: GPL-2.0 */
/* experiments/verdict.h: did a run do what its spec asked (verdict.c). */
#ifndef KVMSQ_VERDICT_H
#define KVMSQ_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "experiments/run.h"

/*
 * What went wrong, one line each (run.problems); empty when the run is
 * "ok". @complete: the final file.
 */
struct json_object *run_problems(const struct run *r, bool complete);
/*
 * Did every limit and pressure source the spec asked for take effect?
 * 1 yes, 0 no (a line for each one that did not is added to @problems,
 * if given), -1 the spec asked for none.
 */
int run_pressure_applied(const struct run *r, struct json_object *problems);
/* The run.problems line for the limit being refused now. */
void run_limit_problem(const struct run *r, char *buf, size_t len, const char *verdict);

#endif
