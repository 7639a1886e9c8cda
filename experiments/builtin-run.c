// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/builtin-run.c: `kvmsqueeze run`: load a spec (a file or a
 * catalog name), clean up after crashed runs, run the repetitions and say
 * where the results are. Options and exit statuses live here; the work is
 * in run.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/command.h"
#include "common/err.h"
#include "common/metrics.h"
#include "common/util.h"
#include "experiments/arm.h"
#include "experiments/catalog.h"
#include "experiments/run.h"
#include "experiments/signals.h"
#include "experiments/text.h"

static const char run_usage[] =
"usage: kvmsqueeze run SPEC.json|NAME [options]\n"
"       kvmsqueeze run --list\n"
"       kvmsqueeze run --primaries SPEC.json|NAME\n"
"\n"
"Run an experiment: VMs in a memory cgroup, squeezed as the spec says,\n"
"sampled all along; one result file per repetition (rep-<n>.json).\n"
"NAME is an experiment of the built-in catalog (see --list).\n"
"\n"
"  -o, --out DIR             results directory (default results/<date>-<name>);\n"
"                            one run at a time (a lock file, .lock), and it\n"
"                            must not hold results already (rep-*.json)\n"
"      --overwrite           remove what earlier runs wrote in DIR (rep-*) first\n"
"  -r, --reps N              repetitions (default 1)\n"
"  -t, --tag TEXT            recorded in every result\n"
"  -b, --block N             the block (from 1) of a blocked A/B plan these\n"
"                            runs belong to, recorded as run.block (in the lab:\n"
"                            kvmsqueeze.block=N on the kernel command line)\n"
"  -d, --duration SECONDS    stretch the spec's times to a run this long\n"
"                            (at most 1000000 s; 10, 2.5s, 500ms, 2m)\n"
"  -s, --scale FACTOR        multiply every size in the spec (RAM, limits,\n"
"                            size parameters, hog); above 0, at most 1024\n"
"      --allow-global-pressure\n"
"                            allow a hog outside the lab: it squeezes this\n"
"                            whole machine\n"
"      --partial-period SECONDS\n"
"                            rewrite rep-<n>.json with what is known so far\n"
"                            this often while it runs (default 5; 0: never;\n"
"                            the lab passes 0 unless LAB_STALL, as each\n"
"                            write is instructions on the clock it measures)\n"
"      --arm FILE            the kernel arm's description, recorded whole as\n"
"                            \"arm\" in every result: a JSON object of name,\n"
"                            base, kernel_version, series, series_patches,\n"
"                            series_hash, config, config_hash, params, image,\n"
"                            release (experiments/RESULT.md; the lab passes\n"
"                            its lab-arm.json); compare refuses to put arms\n"
"                            of different bases side by side\n"
"      --kvm PATH            KVM device (default /dev/kvm)\n"
"      --selftests DIR       where the KVM selftests a spec names are\n"
"                            (patched-kernel/selftests.sh builds them); the\n"
"                            default is selftests/ beside this kvmsqueeze\n"
"                            binary, and /bin in the lab\n"
"  -l, --list                list the built-in experiments and their question\n"
"      --primaries           check the spec and print its primary metric ids,\n"
"                            one per line (nothing if it names none); runs\n"
"                            nothing\n"
"  -h, --help                this text\n"
"\n"
"Specs, and the metric ids a spec's \"primary\" names, are described in\n"
"experiments/SPEC.md; results in experiments/RESULT.md (in the source\n"
"tree, and installed in " KVMSQ_DATADIR ").\n"
"Exit status: 0 every repetition ran properly (run.status \"ok\"); 1 setup\n"
"failed (no result for that repetition; the rest are not run); 2 usage;\n"
"3 every repetition has its result but at least one did not run properly\n"
"(run.status \"failed\": a VM did not end ok, a pressure or limit never took\n"
"effect; run.problems says what); 130 interrupted by a signal (INT, TERM,\n"
"HUP, PIPE, ...; the partial result is kept, with \"complete\": false).\n";

enum { OPT_ALLOW_GLOBAL = 256, OPT_KVM, OPT_PRIMARIES, OPT_OVERWRITE, OPT_ARM, OPT_SELFTESTS,
       OPT_PARTIAL };

/* Every repetition has its result, but one did not run properly. */
#define RUN_EXIT_FAILED	3

static const struct option run_options[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
	{ "reps", required_argument, NULL, 'r' },
	{ "tag", required_argument, NULL, 't' },
	{ "block", required_argument, NULL, 'b' },
	{ "duration", required_argument, NULL, 'd' },
	{ "scale", required_argument, NULL, 's' },
	{ "allow-global-pressure", no_argument, NULL, OPT_ALLOW_GLOBAL },
	{ "partial-period", required_argument, NULL, OPT_PARTIAL },
	{ "arm", required_argument, NULL, OPT_ARM },
	{ "kvm", required_argument, NULL, OPT_KVM },
	{ "selftests", required_argument, NULL, OPT_SELFTESTS },
	{ "list", no_argument, NULL, 'l' },
	{ "primaries", no_argument, NULL, OPT_PRIMARIES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static volatile int run_interrupts;
static volatile int run_interrupt_signal;	/* the first that stopped the run */

static void run_on_signal(int sig)
{
	if (!run_interrupt_signal)
		run_interrupt_signal = sig;
	run_interrupts++;
}

static void list_catalog(void)
{
	const struct catalog_entry *e;
	struct spec s;

	for (e = catalog_entries; e->name; e++) {
		if (spec_parse(&s, e->json, e->name)) {
			printf("%-16s (does not parse)\n", e->name);
			continue;
		}
		printf("%-16s %.0f s: %s\n", e->name, s.duration_s, s.question);
		spec_free(&s);
	}
}

static int usage_error(const char *fmt, const char *arg)
{
	char quoted[128];

	fprintf(stderr, "kvmsqueeze: run: ");
	fprintf(stderr, fmt, text_quote(quoted, sizeof(quoted), arg));
	fprintf(stderr, " (see kvmsqueeze run --help)\n");
	return EXIT_USAGE;
}

/*
 * A decimal integer from @min to @max (parse_u64: digits only, so no
 * sign, no octal "010" = 8, no hex, nothing after them).
 */
static int parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *val)
{
	uint64_t v;

	if (parse_u64(s, &v))
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*val = v;
	return 0;
}

/*
 * A decimal number, "2", "0.25", "1e-3": no sign, no hex, no nan or inf
 * (strtod takes all of those); *@end is where it stopped.
 */
static int parse_decimal(const char *s, double *v, const char **end)
{
	const char *c = s;
	size_t digits = 0;

	while (*c >= '0' && *c <= '9')
		c++, digits++;
	if (*c == '.')
		for (c++; *c >= '0' && *c <= '9'; c++)
			digits++;
	if (!digits)
		return -EINVAL;
	if (*c == 'e' || *c == 'E') {
		c++;
		if (*c == '+' || *c == '-')
			c++;
		if (*c < '0' || *c > '9')
			return -EINVAL;
		while (*c >= '0' && *c <= '9')
			c++;
	}
	errno = 0;
	*v = strtod(s, NULL);
	*end = c;
	return errno || !isfinite(*v) ? -ERANGE : 0;
}

/* --duration: "10", "2.5s", "500ms", "2m", "1min" (parse_seconds); above 0, at most SPEC_MAX_S. */
static int parse_duration(const char *s, double *seconds)
{
	double v;

	if (parse_seconds(s, &v))
		return -EINVAL;
	if (!(v > 0 && v <= SPEC_MAX_S))
		return -ERANGE;
	*seconds = v;
	return 0;
}

/* --scale: a decimal factor above 0, at most SPEC_MAX_SCALE. */
static int parse_scale(const char *s, double *scale)
{
	const char *end;
	double v;

	if (parse_decimal(s, &v, &end) || *end || !(v > 0 && v <= SPEC_MAX_SCALE))
		return -EINVAL;
	*scale = v;
	return 0;
}

/*
 * A runner started with stderr (or stdin, stdout) closed would hand that
 * number to the first file it opens, the lock file or a result, and then
 * write its progress into it: /dev/null takes the place instead.
 */
static void std_fds_open(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", O_RDWR) < 0)
			return;
}

/* The CLI's one line of error: whatever the message quotes, escaped. */
static void err_print(void)
{
	char line[4 * ERR_MSG_LEN];

	fprintf(stderr, "kvmsqueeze: %s\n", text_quote(line, sizeof(line), err_msg()));
}

/* Text recorded in every result: UTF-8, one line. */
static bool text_ok(const char *s)
{
	const char *why;

	return text_check(s, strlen(s), &why) == strlen(s);
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

/* The command line for the result: each argument escaped (text_escape). */
static void join_argv(int argc, char **argv, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "kvmsqueeze");
	int i;

	for (i = 0; i < argc && used + 9 < len; i++) {
		buf[used++] = ' ';
		text_escape(buf + used, len - used, argv[i], strlen(argv[i]));
		used += strlen(buf + used);
	}
}

struct run_cli {
	struct run_opts o;
	const char *out;
	const char *what;
	const char *arm_file;		/* --arm */
	bool primaries;
	bool overwrite;
	int lock_fd;			/* holds the results directory */
	uint64_t reps;
	uint64_t block;			/* --block; 0: not given */
	char run_id[RUN_ID_LEN];
	char out_dir[PATH_MAX];
	char cmdline[2048];
	char arm[64];
	char accel[16];
	char clock[16];
	char shift[8];
	char selftests_dir[PATH_MAX];
};

/*
 * Where the spec's selftests are: --selftests, else /bin in the lab (lab.sh
 * copies them there), else selftests/ beside the running binary. The spec
 * names a program of the table only, never a path; each must be there
 * before anything starts.
 */
static int selftests_find(struct run_cli *c, const struct spec *s)
{
	char exe[PATH_MAX], path[PATH_MAX], *slash;
	ssize_t n;
	int i, ret;

	if (!s->nr_selftests)
		return 0;
	if (!c->o.selftests_dir && c->o.in_lab) {
		c->o.selftests_dir = "/bin";
	} else if (!c->o.selftests_dir) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return err_sys(errno, "finding the selftests: /proc/self/exe (give --selftests DIR)");
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(c->selftests_dir, sizeof(c->selftests_dir), "%.*s/selftests",
			 (int)sizeof(c->selftests_dir) - 11, exe);
		c->o.selftests_dir = c->selftests_dir;
	}
	for (i = 0; i < s->nr_selftests; i++) {
		ret = selftest_path(path, sizeof(path), c->o.selftests_dir, s->selftests[i].prog);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The block of a blocked plan: --block, else the lab's kvmsqueeze.block=;
 * a value the lab got wrong stops the run before it starts.
 */
static int run_block(struct run_cli *c)
{
	char text[32], quoted[128];
	uint64_t block;

	if (c->block) {
		c->o.block = (int)c->block;
		return 0;
	}
	if (!cmdline_value("block", text, sizeof(text)))
		return 0;
	if (parse_count(text, 1, RUN_BLOCK_MAX, &block))
		return err_set(EINVAL, "kvmsqueeze.block='%s' on the kernel command line is not a block number, 1 or more (fix the lab's command line)",
			       text_quote(quoted, sizeof(quoted), text));
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
			if (!*optarg || !text_ok(optarg))
				return -usage_error("--out '%s': expected a directory whose name is UTF-8 text (results record it)",
						    optarg);
			c->out = optarg;
			break;
		case OPT_OVERWRITE:
			c->overwrite = true;
			break;
		case 'r':
			if (parse_count(optarg, 1, 1000, &c->reps))
				return -usage_error("--reps '%s': expected 1 to 1000", optarg);
			break;
		case 't':
			if (!text_ok(optarg) || strlen(optarg) > 256)
				return -usage_error("--tag '%s': expected one line of UTF-8 text, at most 256 bytes",
						    optarg);
			c->o.tag = optarg;
			break;
		case 'b':
			if (parse_count(optarg, 1, RUN_BLOCK_MAX, &c->block))
				return -usage_error("--block '%s': expected a block number, 1 or more", optarg);
			break;
		case 'd':
			if (parse_duration(optarg, &c->o.duration_override))
				return -usage_error("--duration '%s': expected seconds above 0, at most 1000000 (10, 2.5s, 500ms, 2m)",
						    optarg);
			break;
		case 's':
			if (parse_scale(optarg, &c->o.scale))
				return -usage_error("--scale '%s': expected a decimal factor above 0, at most 1024",
						    optarg);
			break;
		case OPT_ALLOW_GLOBAL:
			c->o.allow_global = true;
			break;
		case OPT_PARTIAL:
			if (parse_seconds(optarg, &c->o.partial_period_s) ||
			    !(c->o.partial_period_s >= 0 && c->o.partial_period_s <= SPEC_MAX_S))
				return -usage_error("--partial-period '%s': expected seconds, 0 (never) to 1000000 (5, 500ms, 1m)",
						    optarg);
			break;
		case OPT_KVM:
			c->o.kvm_path = optarg;
			break;
		case OPT_ARM:
			c->arm_file = optarg;
			break;
		case OPT_SELFTESTS:
			if (!*optarg || !text_ok(optarg) || strlen(optarg) >= PATH_MAX - 64)
				return -usage_error("--selftests '%s': expected a directory whose name is UTF-8 text",
						    optarg);
			c->o.selftests_dir = optarg;
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

/* A result: rep-<n>.json, what report and compare read as a set. */
static bool is_result(const char *name)
{
	size_t len = strlen(name);

	return !strncmp(name, "rep-", 4) && len > 9 && !strcmp(name + len - 5, ".json");
}

/* Anything a run writes: results, VM logs (rep-<n>-vm<k>.log), .rep-... */
static bool is_run_file(const char *name)
{
	return !strncmp(name, "rep-", 4) || !strncmp(name, ".rep-", 5);
}

/*
 * Results left by earlier runs: refused (their rep-2 beside our rep-1
 * would read as one set), or, with --overwrite, removed with everything
 * else those runs wrote. A VM log without its result is no result: a
 * new run writes its own over it.
 */
static int out_dir_clear(const struct run_cli *c, const char *quoted)
{
	struct dirent *de;
	int ret = 0;
	DIR *d = opendir(c->out_dir);

	if (!d)
		return err_sys(errno, "results directory %s", quoted);
	while (!ret && (de = readdir(d))) {
		char name[64];

		if (c->overwrite ? !is_run_file(de->d_name) : !is_result(de->d_name))
			continue;
		if (!c->overwrite)
			ret = err_set(EEXIST, "results directory %s already holds results (%s) (give an empty --out, or --overwrite to remove them first)",
				      quoted, text_quote(name, sizeof(name), de->d_name));
		else if (unlinkat(dirfd(d), de->d_name, 0) && errno != ENOENT)
			ret = err_sys(errno, "results directory %s: removing %s", quoted,
				      text_quote(name, sizeof(name), de->d_name));
	}
	closedir(d);
	return ret;
}

/*
 * One run per results directory at a time: an exclusive flock on
 * DIR/.lock, held until the runner exits (a killed runner's lock goes
 * with it). The file says which pid holds it, for the message.
 */
static int out_dir_take(struct run_cli *c)
{
	char path[PATH_MAX + 8], quoted[256], holder[32] = "";
	ssize_t got;
	int ret;

	text_quote(quoted, sizeof(quoted), c->out_dir);
	ret = mkdir_p(c->out_dir);
	if (ret)
		return err_set(-ret, "results directory %s: cannot create it: %s (give a directory you can write as --out)",
			       quoted, strerror(-ret));
	snprintf(path, sizeof(path), "%s/.lock", c->out_dir);
	c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (c->lock_fd < 0)
		return err_sys(errno, "results directory %s: creating its lock file (give a writable directory as --out)",
			       quoted);
	if (flock(c->lock_fd, LOCK_EX | LOCK_NB)) {
		ret = errno;
		got = pread(c->lock_fd, holder, sizeof(holder) - 1, 0);
		holder[got > 0 ? got : 0] = '\0';
		holder[strspn(holder, "0123456789")] = '\0';
		if (ret == EWOULDBLOCK)
			return err_set(EBUSY, "results directory %s is in use by another run%s%s%s (wait for it to end, or give another --out)",
				       quoted, holder[0] ? " (pid " : "", holder, holder[0] ? ")" : "");
		return err_sys(ret, "results directory %s: locking it", quoted);
	}
	if (ftruncate(c->lock_fd, 0) == 0)
		dprintf(c->lock_fd, "%d\n", (int)getpid());
	return out_dir_clear(c, quoted);
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

/*
 * Every repetition; one that did not run properly (RUN_FAILED) does not
 * stop the rest, but the first such message is kept for the end. An
 * interruption or a failed setup stops them.
 */
static int run_all(struct run_cli *c, const struct spec *s, char *failed, size_t len)
{
	int rep, ret = 0, nr_failed = 0;

	c->o.interrupted = &run_interrupts;
	c->o.interrupt_signal = &run_interrupt_signal;
	for (rep = 1; rep <= (int)c->reps; rep++) {
		c->o.rep = rep;
		ret = run_once(s, &c->o);
		if (ret == RUN_FAILED) {
			if (!nr_failed++)
				snprintf(failed, len, "%s", err_msg());
			ret = 0;
		}
		if (ret)
			return ret;
	}
	return nr_failed;
}

/*
 * The run, once the options are known. @arm gets --arm's description,
 * which cmd_run() puts whatever the way out.
 */
static int run_main(int argc, char **argv, struct json_object **arm)
{
	struct run_cli c = {
		.o = {
			.kvm_path = "/dev/kvm", .proc = "/proc", .debugfs = "/sys/kernel/debug",
			.tracefs = "/sys/kernel/tracing", .partial_period_s = RUN_PARTIAL_S,
		},
		.reps = 1,
		.lock_fd = -1,
	};
	char stamp[32], failed[ERR_MSG_LEN];
	time_t now = time(NULL);
	struct tm tm;
	struct spec s;
	int ret;

	std_fds_open();
	ret = opt_parse(&c, argc, argv);
	if (ret)
		return ret > 0 ? EXIT_OK : -ret;
	/* before anything is written: a bad description leaves no trace */
	if (c.arm_file) {
		ret = arm_load_file(c.arm_file, arm);
		if (ret)
			goto fail;
		c.o.arm_desc = *arm;
	}
	/*
	 * From here a HUP, a PIPE (stderr read by `| head -1`), a TERM...
	 * stops the run in order instead of killing the runner mid-way; one
	 * that comes before the first repetition starts stops it at once.
	 */
	run_signals_catch(run_on_signal);
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
	if (!ret) {
		c.o.in_lab = pressure_in_lab(c.o.proc);
		ret = selftests_find(&c, &s);
	}
	if (ret)
		goto fail_spec;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	run_id_make(c.run_id, sizeof(c.run_id), stamp);
	if (c.out)
		snprintf(c.out_dir, sizeof(c.out_dir), "%s", c.out);
	else
		snprintf(c.out_dir, sizeof(c.out_dir), "results/%s-%s", stamp, s.name);
	ret = out_dir_take(&c);
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
	ret = run_all(&c, &s, failed, sizeof(failed));
	spec_free(&s);
	if (ret == -EINTR) {
		err_print();
		return EXIT_INTERRUPTED;
	}
	if (ret < 0)
		goto fail;
	if (ret > 0) {
		err_set(EPROTO, "%s: %d of %d repetition%s did not run properly: %s (see run.problems in %s/rep-*.json)",
			c.what, ret, (int)c.reps, c.reps == 1 ? "" : "s", failed, c.out_dir);
		err_print();
		return RUN_EXIT_FAILED;
	}
	fprintf(stderr, "kvmsqueeze: %d result file%s in %s\n", (int)c.reps,
		c.reps == 1 ? "" : "s", c.out_dir);
	return EXIT_OK;
fail_spec:
	spec_free(&s);
fail:
	err_print();
	return EXIT_FAILURE_SETUP;
}

int cmd_run(int argc, char **argv)
{
	struct json_object *arm = NULL;
	int ret = run_main(argc, argv, &arm);

	json_object_put(arm);
	return ret;
}
