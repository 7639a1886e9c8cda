/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis/cli.h: what the report and compare subcommands share: their
 * common options (--format, --plots, --seed, --force, --primary, --drift,
 * --help) and the parsing loop around a builtin's own, the command line
 * kept as given, loading the results, the output in text, CSV or JSON,
 * the plots' line, index.html next to the plots, and the error line with
 * its --force hint.
 */
#ifndef KVMSQ_ANALYSIS_CLI_H
#define KVMSQ_ANALYSIS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "analysis/compare.h"
#include "analysis/results.h"
#include "analysis/text.h"

/* How report and compare print: people, or machines. */
enum out_format { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON };

/* What --drift looks at. */
enum drift_choice { DRIFT_NONE, DRIFT_PRIMARY, DRIFT_ALL };

/*
 * The shared options as entries of a builtin's getopt table: each builtin
 * lists them in its own order (the order getopt names the candidates of
 * an ambiguous abbreviation in), then its own options from CLI_OPT_OWN.
 */
enum { CLI_OPT_FORCE = 256, CLI_OPT_PRIMARY, CLI_OPT_DRIFT, CLI_OPT_OWN };

#define CLI_SHORT_OPTS		"f:p:s:h"
#define CLI_OPTION_FORMAT	{ "format", required_argument, NULL, 'f' }
#define CLI_OPTION_PLOTS	{ "plots", required_argument, NULL, 'p' }
#define CLI_OPTION_SEED		{ "seed", required_argument, NULL, 's' }
#define CLI_OPTION_FORCE	{ "force", no_argument, NULL, CLI_OPT_FORCE }
#define CLI_OPTION_PRIMARY	{ "primary", required_argument, NULL, CLI_OPT_PRIMARY }
#define CLI_OPTION_DRIFT	{ "drift", optional_argument, NULL, CLI_OPT_DRIFT }
#define CLI_OPTION_HELP		{ "help", no_argument, NULL, 'h' }

/* The shared options' values, the operands, and the command line as given. */
struct cli {
	const char *cmd;		/* "report" or "compare" */
	enum out_format format;
	const char *plots_dir;		/* --plots DIR, or NULL */
	bool force;
	struct metric_list primary;	/* --primary */
	enum drift_choice drift;
	struct cmp_opts cmp;		/* --seed, and the defaults */
	char **paths;			/* the result files and directories */
	int nr_paths;
	int argc;
	char **given;			/* argv before getopt reordered it */
};

/* A builtin: its help, its options, and what it says without operands. */
struct cli_spec {
	const char *cmd;		/* its name in messages */
	const char *usage;		/* --help */
	const char *short_opts;		/* CLI_SHORT_OPTS and the builtin's own */
	const struct option *options;	/* the CLI_OPTION_* and the builtin's own */
	const char *no_paths;		/* the usage error when no operand is given */
	/*
	 * One of the builtin's own options (NULL: none): 0, or -EXIT_USAGE
	 * after cli_usage_error(); any other option is -EXIT_USAGE.
	 */
	int (*own_option)(void *data, int opt, const char *arg);
	void *data;
};

/*
 * Keep the command line and parse it into @c. false: return *@status at
 * once (0 after --help, EXIT_USAGE after its one line, or out of memory),
 * with nothing left to free; true: go on, and end with cli_end().
 */
bool cli_start(struct cli *c, const struct cli_spec *s, int argc, char **argv, int *status);

/*
 * Free what cli_start() took and turn @ret into the exit status: 0, or
 * the error line of cli_error_line() with @refused_hint and 1.
 */
int cli_end(struct cli *c, int ret, const char *refused_hint);

/* results_load() of @paths, --force taken, warnings as cli_warn_line(). */
int cli_load(const struct cli *c, struct result_db *db, char *const *paths, int nr_paths);

/*
 * The tables on stdout in --format, with a drift table each (--drift):
 * @to holds what only the builtin knows (its floors, what --force took),
 * @one draws a table as text.
 */
int cli_output(const struct cli *c, struct cmp_table *const *list, size_t n,
	       const struct text_opts *to,
	       int (*one)(FILE *out, const struct cmp_table *t, const struct text_opts *o));

/* --plots: the images of @list in @dir, and how many on stderr. */
int cli_plots(const char *dir, struct cmp_table *const *list, size_t n);

/*
 * --plots: index.html in c->plots_dir, of the tables @list as the text
 * shows them, with the plots there. @plots_ret is what drawing them
 * returned: its message goes on the page, and it is returned (the page is
 * still written); else the page's own error.
 */
int cli_html(const struct cli *c, struct cmp_table *const *list, size_t n,
	     const struct text_opts *to,
	     int (*one)(FILE *out, const struct cmp_table *t, const struct text_opts *o),
	     int plots_ret);

/* "kvmsqueeze: CMD: <fmt with arg> (see kvmsqueeze CMD --help)"; EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/* A warning line from the result loader, on stderr, on one line. */
void cli_warn_line(const char *line, void *arg);
/*
 * "kvmsqueeze: CMD: <err_msg()><hint>" on stderr, on one line (a name
 * from a result may hold a newline); the hint only when @ret is
 * -ERR_REFUSED (common/err.h), a refusal that --force overrides.
 */
void cli_error_line(const char *cmd, int ret, const char *refused_hint);

/* "text", "csv" or "json"; -EINVAL otherwise. */
int out_format_parse(const char *name, enum out_format *format);
/* --drift's argument: none (the primaries), "primary" or "all"; -EINVAL. */
int drift_choice_parse(const char *arg, enum drift_choice *choice);

#endif
