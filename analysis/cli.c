// SPDX-License-Identifier: GPL-2.0
/*
 * analysis/cli.c: the command-line side report and compare share: the
 * parsing of their common options around each builtin's own, the command
 * line as given (for the output's head), the output format switch, the
 * plots' line, index.html next to the plots, and the one-line errors and
 * warnings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/cli.h"
#include "analysis/drift.h"
#include "analysis/export.h"
#include "analysis/html.h"
#include "analysis/plot.h"
#include "analysis/stats.h"
#include "common/command.h"
#include "common/err.h"
#include "common/util.h"

#define usage_error(c, fmt, arg)	cli_usage_error((c)->cmd, fmt, arg)

/* One of the shared options; 1: not one of them (the builtin's own). */
static int common_option(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case 'f':
		if (out_format_parse(arg, &c->format))
			return -usage_error(c, "--format '%s': use text, csv or json", arg);
		return 0;
	case 'p':
		c->plots_dir = arg;
		return 0;
	case 's':
		if (parse_u64(arg, &c->cmp.seed))
			return -usage_error(c, "--seed '%s': expected a whole number", arg);
		return 0;
	case CLI_OPT_FORCE:
		c->force = true;
		return 0;
	case CLI_OPT_PRIMARY:
		metric_list_free(&c->primary);
		if (metric_list_parse(&c->primary, arg))
			return -usage_error(c, "--primary: %s", err_msg());
		return 0;
	case CLI_OPT_DRIFT:
		if (drift_choice_parse(arg, &c->drift))
			return -usage_error(c, "--drift='%s': use --drift, --drift=primary or --drift=all",
					    arg);
		return 0;
	}
	return 1;
}

/* 0: go on; 1: --help printed; -EXIT_USAGE: a usage error said so. */
static int opt_parse(struct cli *c, const struct cli_spec *s, int argc, char **argv)
{
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, s->short_opts, s->options, NULL)) != -1) {
		if (opt == 'h') {
			fputs(s->usage, stdout);
			return 1;
		}
		ret = common_option(c, opt, optarg);
		/* not a shared option: the builtin's, or '?' (getopt said why) */
		if (ret == 1)
			ret = s->own_option ? s->own_option(s->data, opt, optarg) : -EXIT_USAGE;
		if (ret)
			return ret;
	}
	if (c->drift && c->format == FORMAT_CSV)
		return -usage_error(c, "%s", "--drift: the CSV has one line per metric and arm; use --format text or json");
	if (optind >= argc)
		return -usage_error(c, "%s", s->no_paths);
	c->paths = argv + optind;
	c->nr_paths = argc - optind;
	return 0;
}

bool cli_start(struct cli *c, const struct cli_spec *s, int argc, char **argv, int *status)
{
	int ret;

	*c = (struct cli){
		.cmd = s->cmd, .argc = argc,
		.cmp = { .seed = STATS_DEFAULT_SEED, .resamples = STATS_BOOT_RESAMPLES,
			 .alpha = CMP_ALPHA, .level = CMP_LEVEL },
	};
	/* getopt reorders argv: keep the command line as given for the output */
	c->given = calloc((size_t)argc + 1, sizeof(*c->given));
	if (!c->given) {
		fprintf(stderr, "kvmsqueeze: %s: out of memory\n", argv[0]);
		*status = EXIT_FAILURE_SETUP;
		return false;
	}
	memcpy(c->given, argv, (size_t)argc * sizeof(*c->given));
	ret = opt_parse(c, s, argc, argv);
	if (!ret)
		return true;
	metric_list_free(&c->primary);
	free(c->given);
	c->given = NULL;
	*status = ret > 0 ? EXIT_OK : -ret;
	return false;
}

int cli_end(struct cli *c, int ret, const char *refused_hint)
{
	metric_list_free(&c->primary);
	free(c->given);
	c->given = NULL;
	if (!ret)
		return EXIT_OK;
	cli_error_line(c->cmd, ret, refused_hint);
	return EXIT_FAILURE_SETUP;
}

int cli_load(const struct cli *c, struct result_db *db, char *const *paths, int nr_paths)
{
	return results_load(db, paths, nr_paths, c->force ? RESULTS_FORCE : 0, cli_warn_line,
			    NULL);
}

int cli_output(const struct cli *c, struct cmp_table *const *list, size_t n,
	       const struct text_opts *to,
	       int (*one)(FILE *out, const struct cmp_table *t, const struct text_opts *o))
{
	struct export_head h = {
		.command = c->cmd, .argc = c->argc, .argv = c->given, .cmp = &c->cmp,
		.floors_from = to->floors_from, .forced = to->forced,
		.forced_runs = to->forced_runs,
	};
	struct text_opts t = *to;
	struct drift *drifts = NULL;
	int ret = 0;

	t.cmp = &c->cmp;
	if (c->drift)
		ret = drifts_measure(&drifts, list, n, c->drift == DRIFT_ALL, &c->cmp);
	if (ret)
		return ret;
	h.drifts = drifts;
	switch (c->format) {
	case FORMAT_CSV:
		export_csv(stdout, list, n);
		break;
	case FORMAT_JSON:
		ret = export_json(stdout, list, n, &h);
		break;
	case FORMAT_TEXT:
		ret = text_tables(stdout, c->cmd, list, n, &t, one, drifts, c->drift == DRIFT_ALL,
				  c->argc, c->given);
		break;
	}
	drifts_free(drifts, n);
	return ret;
}

int cli_plots(const char *dir, struct cmp_table *const *list, size_t n)
{
	int written = 0, ret;

	ret = plot_tables(dir, list, n, &written);
	if (!ret)
		fprintf(stderr, "kvmsqueeze: %d plot images in %s\n", written, dir);
	return ret;
}

int cli_html(const struct cli *c, struct cmp_table *const *list, size_t n,
	     const struct text_opts *to,
	     int (*one)(FILE *out, const struct cmp_table *t, const struct text_opts *o),
	     int plots_ret)
{
	struct text_opts t = *to;
	struct html_page p = {
		.cmd = c->cmd, .argc = c->argc, .argv = c->given, .list = list, .n = n,
		.to = &t, .one = one, .drift_all = c->drift == DRIFT_ALL,
	};
	struct drift *drifts = NULL;
	char *note = NULL;
	int ret = 0;

	t.cmp = &c->cmp;
	/* the page says why the plots are missing; the command still fails */
	if (plots_ret) {
		note = strdup(err_msg());
		p.plots_note = note ? note : "the plots failed";
	}
	if (c->drift)
		ret = drifts_measure(&drifts, list, n, c->drift == DRIFT_ALL, &c->cmp);
	p.drifts = drifts;
	if (!ret)
		ret = html_write(c->plots_dir, &p);
	drifts_free(drifts, n);
	if (plots_ret) {
		if (note)
			err_set(EIO, "%s", note);	/* the plots' message again */
		ret = plots_ret;
	}
	free(note);
	return ret;
}

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "kvmsqueeze: %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see kvmsqueeze %s --help)\n", cmd);
	return EXIT_USAGE;
}

/* @s with control characters as '?', so that a line stays one line. */
static void fputs_one_line(const char *s, FILE *out)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

void cli_warn_line(const char *line, void *arg)
{
	(void)arg;
	fputs("kvmsqueeze: warning: ", stderr);
	fputs_one_line(line, stderr);
	fputc('\n', stderr);
}

void cli_error_line(const char *cmd, int ret, const char *refused_hint)
{
	fprintf(stderr, "kvmsqueeze: %s: ", cmd);
	fputs_one_line(err_msg(), stderr);
	if (ret == -ERR_REFUSED)
		fputs(refused_hint, stderr);
	fputc('\n', stderr);
}

int out_format_parse(const char *name, enum out_format *format)
{
	static const char *const names[] = {
		[FORMAT_TEXT] = "text", [FORMAT_CSV] = "csv", [FORMAT_JSON] = "json",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			*format = (enum out_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

int drift_choice_parse(const char *arg, enum drift_choice *choice)
{
	if (!arg || !strcmp(arg, "primary"))
		*choice = DRIFT_PRIMARY;
	else if (!strcmp(arg, "all"))
		*choice = DRIFT_ALL;
	else
		return -EINVAL;
	return 0;
}
