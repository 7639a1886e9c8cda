// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/builtin-run.c: `kvmsqueeze run`: load a spec (a file or a
 * catalog name), clean up after crashed runs, run the repetitions and say
 * where the results are. Options and exit statuses live here; the work is
 * in run.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/metrics.h"
#include "experiments/catalog.h"
#include "experiments/run.h"
#include "vmm/builtin.h"
#include "vmm/err.h"
#include "vmm/util.h"

static const char run_usage[] =
"usage: kvmsqueeze run SPEC.json|NAME [options]\n"
"       kvmsqueeze run --list\n"
"       kvmsqueeze run --primaries SPEC.json|NAME\n"
"\n"
"Run an experiment: VMs in a memory cgroup, squeezed as the spec says,\n"
"sampled all along; one result file per repetition (rep-<n>.json).\n"
"NAME is an experiment of the built-in catalog (see --list).\n"
"\n"
"  -o, --out DIR             results directory (default results/<date>-<name>)\n"
"  -r, --reps N              repetitions (default 1)\n"
"  -t, --tag TEXT            recorded in every result\n"
"  -b, --block N             the block (from 1) of a blocked A/B plan these\n"
"                            runs belong to, recorded as run.block (in the lab:\n"
"                            kvmsqueeze.block=N on the kernel command line)\n"
"  -d, --duration SECONDS    stretch the spec's times to a run this long\n"
"  -s, --scale FACTOR        multiply every size in the spec (RAM, limits,\n"
"                            size parameters, hog)\n"
"      --allow-global-pressure\n"
"                            allow a hog outside the lab: it squeezes this\n"
"                            whole machine\n"
"      --kvm PATH            KVM device (default /dev/kvm)\n"
"  -l, --list                list the built-in experiments and their question\n"
"      --primaries           check the spec and print its primary metric ids,\n"
"                            one per line (nothing if it names none); runs\n"
"                            nothing\n"
"  -h, --help                this text\n"
"\n"
"Specs, and the metric ids a spec's \"primary\" names, are described in\n"
"experiments/SPEC.md; results in experiments/RESULT.md.\n"
"Exit status: 0 every repetition complete, 1 setup failed, 2 usage,\n"
"130 interrupted (the partial result is kept, with \"complete\": false).\n";

enum { OPT_ALLOW_GLOBAL = 256, OPT_KVM, OPT_PRIMARIES };

static const struct option run_options[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "reps", required_argument, NULL, 'r' },
	{ "tag", required_argument, NULL, 't' },
	{ "block", required_argument, NULL, 'b' },
	{ "duration", required_argument, NULL, 'd' },
	{ "scale", required_argument, NULL, 's' },
	{ "allow-global-pressure", no_argument, NULL, OPT_ALLOW_GLOBAL },
	{ "kvm", required_argument, NULL, OPT_KVM },
	{ "list", no_argument, NULL, 'l' },
	{ "primaries", no_argument, NULL, OPT_PRIMARIES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static volatile int run_interrupts;

static void run_on_signal(int sig)
{
	(void)sig;
	run_interrupts++;
}

static void list_catalog(void)
{
	const struct catalog_entry *e;
	struct spec s;

	for (e = catalog_entries; e->name; e++) {
		if (spec_parse(&s, e->json, e->name)) {
			printf("%-16s (does not parse: %s)\n", e->name, err_msg());
			continue;
		}
		printf("%-16s %.0f s: %s\n", e->name, s.duration_s, s.question);
		spec_free(&s);
	}
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "kvmsqueeze: run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see kvmsqueeze run --help)\n");
	return EXIT_USAGE;
}

/* A path (has a '/' or ends in .json) or a catalog name. */
static int spec_load(struct spec *s, const char *what)
{
	const struct catalog_entry *e;
	size_t len = strlen(what);

	if (strchr(what, '/') || (len > 5 && !strcmp(what + len - 5, ".json")))
		return spec_load_file(s, what);
	e = catalog_find(what);
	if (!e)
		return err_set(ENOENT, "no experiment '%s' in the catalog (see kvmsqueeze run --list, or give a spec file)",
			       what);
	return spec_parse(s, e->json, what);
}

/* "kvmsqueeze.<key>=<value>" from the kernel command line (the lab's). */
static const char *cmdline_value(const char *key, char *buf, size_t len)
{
	char line[4096], want[64];
	char *p;
	FILE *f = fopen("/proc/cmdline", "re");

	if (!f)
		return NULL;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	snprintf(want, sizeof(want), "kvmsqueeze.%s=", key);
	if (!p || !(p = strstr(line, want)))
		return NULL;
	p += strlen(want);
	snprintf(buf, len, "%.*s", (int)strcspn(p, " \n"), p);
	return buf;
}

/*
 * Which clock the guests' and the kernel's time stamps follow: the lab's
 * QEMU instruction counter (-icount, a fixed number of guest instructions
 * per ns) when the lab says so, else this machine's own.
 */
static void run_clock(struct run_opts *o, const char *clock, const char *shift)
{
	char *end;
	long v;

	o->clock = "host";
	o->icount_shift = -1;
	if (!clock || strcmp(clock, "icount") || !shift)
		return;
	errno = 0;
	v = strtol(shift, &end, 10);
	if (errno || *end || end == shift || v < 0 || v > 10)
		return;
	o->clock = "icount";
	o->icount_shift = (int)v;
}

/*
 * "<YYYYmmdd-HHMMSS>-<8 hex>-<pid>": the random part keeps two runners
 * apart that started in the same second with the same pid (every lab
 * boots to the same pids); the pid stays last, where the cleanup of a
 * dead run's cgroups and trace instances looks for it.
 */
static void run_id_make(char *id, size_t len, const char *stamp)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)now_ns() ^ ((uint32_t)getpid() << 16);
	snprintf(id, len, "%s-%08x-%d", stamp, r, (int)getpid());
}

static void report_leftover(const char *name, void *arg)
{
	(void)arg;
	fprintf(stderr, "kvmsqueeze: removed cgroup tree %s left by a run that is gone\n", name);
}

static int cleanup_leftovers(void)
{
	struct cg_host host;
	int ret = cg_host_detect(&host);

	if (!ret)
		ret = cg_cleanup_leftovers(&host, report_leftover, NULL);
	return ret < 0 ? ret : 0;
}

static void join_argv(int argc, char **argv, char *buf, size_t len)
{
	size_t used = snprintf(buf, len, "kvmsqueeze");
	int i;

	for (i = 0; i < argc && used < len; i++)
		used += snprintf(buf + used, len - used, " %s", argv[i]);
}

struct run_cli {
	struct run_opts o;
	const char *out;
	const char *what;
	bool primaries;
	uint64_t reps;
	uint64_t block;			/* --block; 0: not given */
	char run_id[RUN_ID_LEN];
	char out_dir[PATH_MAX];
	char cmdline[2048];
	char arm[64];
	char accel[16];
	char clock[16];
	char shift[8];
};

/*
 * The block of a blocked plan: --block, else the lab's kvmsqueeze.block=;
 * a value the lab got wrong stops the run before it starts.
 */
static int run_block(struct run_cli *c)
{
	char text[32];
	uint64_t block;

	if (c->block) {
		c->o.block = (int)c->block;
		return 0;
	}
	if (!cmdline_value("block", text, sizeof(text)))
		return 0;
	if (parse_u64(text, &block) || block < 1 || block > RUN_BLOCK_MAX)
		return err_set(EINVAL, "kvmsqueeze.block='%s' on the kernel command line is not a block number, 1 or more (fix the lab's command line)",
			       text);
	c->o.block = (int)block;
	return 0;
}

static int opt_parse(struct run_cli *c, int argc, char **argv)
{
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:r:t:b:d:s:lh", run_options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			c->out = optarg;
			break;
		case 'r':
			if (parse_u64(optarg, &c->reps) || c->reps < 1 || c->reps > 1000)
				return -usage_error("--reps '%s': expected 1 to 1000", optarg);
			break;
		case 't':
			c->o.tag = optarg;
			break;
		case 'b':
			if (parse_u64(optarg, &c->block) || c->block < 1 || c->block > RUN_BLOCK_MAX)
				return -usage_error("--block '%s': expected a block number, 1 or more", optarg);
			break;
		case 'd':
			if (parse_seconds(optarg, &c->o.duration_override) || c->o.duration_override <= 0)
				return -usage_error("--duration '%s': expected seconds above 0", optarg);
			break;
		case 's':
			c->o.scale = strtod(optarg, NULL);
			if (c->o.scale <= 0 || c->o.scale > 1024)
				return -usage_error("--scale '%s': expected a factor above 0", optarg);
			break;
		case OPT_ALLOW_GLOBAL:
			c->o.allow_global = true;
			break;
		case OPT_KVM:
			c->o.kvm_path = optarg;
			break;
		case OPT_PRIMARIES:
			c->primaries = true;
			break;
		case 'l':
			list_catalog();
			return 1;
		case 'h':
			fputs(run_usage, stdout);
			return 1;
		default:
			return -EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return -usage_error("%s", optind >= argc ? "give a spec file or a catalog name" :
				    "give one spec, not several");
	c->what = argv[optind];
	return 0;
}

/* --primaries: the spec as it would run, its primary metrics on stdout. */
static int primaries_print(struct spec *s)
{
	int i, ret = spec_check(s);

	for (i = 0; !ret && i < s->nr_primary; i++)
		printf("%s\n", s->primary[i]->name);
	spec_free(s);
	return ret;
}

static int run_all(struct run_cli *c, const struct spec *s)
{
	struct sigaction sa = { .sa_handler = run_on_signal };
	int rep, ret = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	c->o.interrupted = &run_interrupts;
	for (rep = 1; rep <= (int)c->reps && !ret; rep++) {
		c->o.rep = rep;
		ret = run_once(s, &c->o);
	}
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_cli c = {
		.o = {
			.kvm_path = "/dev/kvm", .proc = "/proc", .debugfs = "/sys/kernel/debug",
			.tracefs = "/sys/kernel/tracing",
		},
		.reps = 1,
	};
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	struct spec s;
	int ret;

	ret = opt_parse(&c, argc, argv);
	if (ret)
		return ret > 0 ? EXIT_OK : -ret;
	ret = spec_load(&s, c.what);
	if (ret)
		goto fail;
	if (c.primaries) {
		ret = primaries_print(&s);
		if (ret)
			goto fail;
		return EXIT_OK;
	}
	ret = spec_override(&s, c.o.duration_override, c.o.scale);
	if (!ret)
		ret = spec_check(&s);
	if (!ret)
		ret = run_block(&c);
	if (ret)
		goto fail_spec;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	run_id_make(c.run_id, sizeof(c.run_id), stamp);
	if (c.out)
		snprintf(c.out_dir, sizeof(c.out_dir), "%s", c.out);
	else
		snprintf(c.out_dir, sizeof(c.out_dir), "results/%s-%s", stamp, s.name);
	ret = mkdir_p(c.out_dir);
	if (!ret)
		ret = cleanup_leftovers();
	if (ret)
		goto fail_spec;
	join_argv(argc, argv, c.cmdline, sizeof(c.cmdline));
	c.o.out_dir = c.out_dir;
	c.o.run_id = c.run_id;
	c.o.nr_reps = (int)c.reps;
	c.o.cmdline = c.cmdline;
	c.o.in_lab = pressure_in_lab(c.o.proc);
	c.o.arm = cmdline_value("arm", c.arm, sizeof(c.arm));
	c.o.accel = cmdline_value("accel", c.accel, sizeof(c.accel));
	run_clock(&c.o, cmdline_value("clock", c.clock, sizeof(c.clock)),
		  cmdline_value("icount_shift", c.shift, sizeof(c.shift)));
	/* the lab's console is a terminal nobody watches live */
	c.o.live = isatty(STDERR_FILENO) && !c.o.in_lab;
	ret = run_all(&c, &s);
	spec_free(&s);
	if (ret == -EINTR) {
		fprintf(stderr, "kvmsqueeze: %s\n", err_msg());
		return EXIT_INTERRUPTED;
	}
	if (ret)
		goto fail;
	fprintf(stderr, "kvmsqueeze: %d result file%s in %s\n", (int)c.reps,
		c.reps == 1 ? "" : "s", c.out_dir);
	return EXIT_OK;
fail_spec:
	spec_free(&s);
fail:
	fprintf(stderr, "kvmsqueeze: %s\n", err_msg());
	return EXIT_FAILURE_SETUP;
}
