// SPDX-License-Identifier: GPL-2.0
/*
 * tests/tools/stats_cli.c: analysis/stats.c as a filter, for the scipy
 * oracle (tests/stats_oracle.sh, tests/checks/stats_oracle.py). One
 * request a line on stdin, one answer a line on stdout, every number
 * with 17 significant digits (a double read back is the same double):
 *
 *   median X...                     -> median
 *   quantile Q X...                 -> the Q quantile
 *   boot SEED LEVEL RESAMPLES X...  -> lo hi
 *   perm SEED NA X...               -> p exact   (the first NA values are a)
 *   minp NA NB                      -> p
 *   choose N K                      -> C(N, K), saturated
 *   holm P...                       -> the adjusted p, in order
 *   spearman SEED N X*N Y*N [S*N]   -> rho p     (S: strata ids)
 *
 * A function that refuses answers "error ERRNO"; a malformed request is
 * "bad LINE" and exit status 1 at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"

#define MAX_VALUES	4096

struct request {
	char *verb;
	double v[MAX_VALUES];
	size_t n;
};

/* Split @line into a verb and numbers; -1 on a word that is not a number. */
static int request_parse(char *line, struct request *r)
{
	char *save = NULL, *tok, *end;

	r->n = 0;
	r->verb = strtok_r(line, " \t\n", &save);
	if (!r->verb)
		return -1;
	while ((tok = strtok_r(NULL, " \t\n", &save))) {
		if (r->n == MAX_VALUES)
			return -1;
		r->v[r->n] = strtod(tok, &end);
		if (*end || end == tok)
			return -1;
		r->n++;
	}
	return 0;
}

static void print_error(int ret)
{
	printf("error %d\n", -ret);
}

/* A count or size given as a number: a whole one from 0 to @max. */
static int whole(double x, size_t max, size_t *out)
{
	if (!(x >= 0 && x <= (double)max) || x != floor(x))
		return -1;
	*out = (size_t)x;
	return 0;
}

static int do_boot(const struct request *r)
{
	double lo, hi;
	size_t resamples;
	int ret;

	if (r->n < 3 || whole(r->v[2], 10000000, &resamples))
		return -1;
	ret = stats_bootstrap_median_ci(r->v + 3, r->n - 3, r->v[1], (unsigned int)resamples,
					(uint64_t)r->v[0], &lo, &hi);
	if (ret)
		print_error(ret);
	else
		printf("%.17g %.17g\n", lo, hi);
	return 0;
}

static int do_perm(const struct request *r)
{
	size_t na;
	double p;
	int exact, ret;

	if (r->n < 2 || whole(r->v[1], r->n - 2, &na))
		return -1;
	ret = stats_perm_test_median(r->v + 2, na, r->v + 2 + na, r->n - 2 - na,
				     (uint64_t)r->v[0], &p, &exact);
	if (ret)
		print_error(ret);
	else
		printf("%.17g %d\n", p, exact);
	return 0;
}

static int do_holm(const struct request *r)
{
	double adj[MAX_VALUES];
	size_t i;
	int ret = stats_holm(r->v, r->n, adj);

	if (ret) {
		print_error(ret);
		return 0;
	}
	for (i = 0; i < r->n; i++)
		printf("%s%.17g", i ? " " : "", adj[i]);
	putchar('\n');
	return 0;
}

static int do_spearman(const struct request *r)
{
	size_t strata[MAX_VALUES], n, i;
	double rho, p;
	int ret;

	if (r->n < 2 || whole(r->v[1], MAX_VALUES / 3, &n))
		return -1;
	if (r->n != 2 + 2 * n && r->n != 2 + 3 * n)
		return -1;
	for (i = 0; r->n == 2 + 3 * n && i < n; i++)
		if (whole(r->v[2 + 2 * n + i], MAX_VALUES, &strata[i]))
			return -1;
	ret = stats_spearman_test(r->v + 2, r->v + 2 + n, r->n == 2 + 3 * n ? strata : NULL,
				  n, (uint64_t)r->v[0], &rho, &p);
	if (ret)
		print_error(ret);
	else
		printf("%.17g %.17g\n", rho, p);
	return 0;
}

/* Answer one request; -1: malformed. */
static int answer(const struct request *r)
{
	size_t a, b;

	if (!strcmp(r->verb, "median")) {
		printf("%.17g\n", stats_median(r->v, r->n));
	} else if (!strcmp(r->verb, "quantile") && r->n >= 1) {
		printf("%.17g\n", stats_quantile(r->v + 1, r->n - 1, r->v[0]));
	} else if (!strcmp(r->verb, "boot")) {
		return do_boot(r);
	} else if (!strcmp(r->verb, "perm")) {
		return do_perm(r);
	} else if (!strcmp(r->verb, "minp") && r->n == 2 && !whole(r->v[0], MAX_VALUES, &a) &&
		   !whole(r->v[1], MAX_VALUES, &b)) {
		printf("%.17g\n", stats_perm_min_p(a, b));
	} else if (!strcmp(r->verb, "choose") && r->n == 2 && !whole(r->v[0], 1000, &a) &&
		   !whole(r->v[1], 1000, &b)) {
		printf("%" PRIu64 "\n", stats_choose((unsigned int)a, (unsigned int)b));
	} else if (!strcmp(r->verb, "holm")) {
		return do_holm(r);
	} else if (!strcmp(r->verb, "spearman")) {
		return do_spearman(r);
	} else {
		return -1;
	}
	return 0;
}

int main(void)
{
	static struct request r;
	char *line = NULL, *copy;
	size_t cap = 0;
	int status = 0;

	while (getline(&line, &cap, stdin) > 0) {
		copy = strdup(line);
		if (!copy || request_parse(line, &r) || answer(&r)) {
			printf("bad %s", copy ? copy : "(out of memory)\n");
			status = 1;
		}
		free(copy);
		fflush(stdout);
	}
	free(line);
	return status;
}
