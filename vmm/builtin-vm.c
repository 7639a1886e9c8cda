// SPDX-License-Identifier: GPL-2.0
/*
 * vmm/builtin-vm.c: `kvmsqueeze vm`: run one VM with a guest, print what it
 * saw and write it as JSON. Option parsing and exit statuses live here;
 * everything else is the VMM library.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/x86_pt.h"
#include "common/command.h"
#include "common/err.h"
#include "common/util.h"
#include "vmm/guests.h"
#include "vmm/host.h"
#include "vmm/vm.h"
#include "vmm/vm_config.h"
#include "vmm/vm_report.h"

#define GUEST_FILE_MAX		(16 * MiB)
#define DEFAULT_MEM		"256M"
#define DEFAULT_TIMEOUT_S	300.0
#define DEFAULT_DURATION_S	5.0	/* for guests that run until stopped */

struct vm_opts {
	const char *guest;
	const char *kvm_path;
	const char *json_path;
	const char *serial_path;
	bool quiet;
	bool duration_set;
	struct vm_config cfg;
	uint8_t *elf_file;	/* --guest PATH, read in full */
};

static const char vm_usage[] =
"usage: kvmsqueeze vm [options]\n"
"\n"
"Run one VM with a toy guest, print per-vCPU results, write them as JSON.\n"
"\n"
"  -g, --guest NAME|PATH   built-in guest or an ELF file (default touch)\n"
"  -m, --mem SIZE          guest RAM, e.g. 256M, 4G (default " DEFAULT_MEM ")\n"
"  -c, --vcpus N           vCPUs, one thread each (default 1; decimal)\n"
"  -b, --backing KIND      anon, thp, hugetlb, memfd or file:DIR (default anon);\n"
"                          file:DIR: an unnamed file in directory DIR, gone\n"
"                          when the VM ends\n"
"  -p, --guest-page SIZE   page size of the guest's identity map: 4k, 2m, 1g\n"
"                          (default 4k, which makes shadow paging work hardest;\n"
"                          4k maps at most 128G)\n"
"  -P, --param KEY=VALUE   guest parameter (repeat; see --list-guests)\n"
"      --nr-mmu-pages N    cap on the VM's shadow-MMU pages (KVM_SET_NR_MMU_PAGES;\n"
"                          default KVM's own: a page per 50 of guest RAM)\n"
"      --memslot-churn MS  while the vCPUs run, add a 4 MiB memslot above guest\n"
"                          RAM and delete it again, one update every MS ms\n"
"                          (1 to 60000; counted in the JSON's memslot_churn)\n"
"  -d, --duration SECONDS  then ask the guest to finish (default: none, or\n"
"                          5 s for guests that run until stopped)\n"
"  -t, --timeout SECONDS   then stop vCPUs still running (default 300; 0: never)\n"
"                          SECONDS: decimal, s, ms or m, at most 1e7 s\n"
"  -s, --serial FILE       guest console output (default stderr; - = stdout)\n"
"  -j, --json FILE         write the results as JSON (atomically)\n"
"  -q, --quiet             no summary on stdout\n"
"      --kvm PATH          KVM device (default /dev/kvm)\n"
"  -l, --list-guests       list built-in guests and their parameters\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 ok, 1 host error (setup failed, no space for guest RAM...),\n"
"2 usage (also an unknown guest or parameter, or a value it does not take),\n"
"3 guest exit code not 0, 4 guest error (the VMM stopped the VM), 5 timeout,\n"
"130 interrupted.\n";

static const struct option vm_options[] = {
	{ "guest", required_argument, NULL, 'g' },
	{ "mem", required_argument, NULL, 'm' },
	{ "vcpus", required_argument, NULL, 'c' },
	{ "backing", required_argument, NULL, 'b' },
	{ "guest-page", required_argument, NULL, 'p' },
	{ "param", required_argument, NULL, 'P' },
	{ "duration", required_argument, NULL, 'd' },
	{ "timeout", required_argument, NULL, 't' },
	{ "serial", required_argument, NULL, 's' },
	{ "json", required_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "kvm", required_argument, NULL, 'K' },
	{ "nr-mmu-pages", required_argument, NULL, 'N' },
	{ "memslot-churn", required_argument, NULL, 'M' },
	{ "list-guests", no_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void list_param(const struct guest_param_spec *p)
{
	char takes[80];

	guest_param_takes(p, takes, sizeof(takes));
	printf("  %-14s %-18s %s\n  %-14s %-18s takes %s\n", p->key, p->def, p->help,
	       "", "", takes);
}

static void list_guests(void)
{
	const struct guest_param_spec *p;
	size_t i;

	for (i = 0; i < nr_builtin_guests; i++) {
		const struct builtin_guest *g = &builtin_guests[i];

		printf("%-11s %s\n", g->name, g->summary);
		for (p = g->params; p->key; p++)
			list_param(p);
	}
	printf("every guest (its runtime)\n");
	for (p = runtime_params; p->key; p++)
		list_param(p);
}

static int fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "kvmsqueeze: vm: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see kvmsqueeze vm --help)\n");
	return -EXIT_USAGE;
}

static int opt_param(struct vm_config *cfg, char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return fail_usage("--param '%s': expected KEY=VALUE", arg);
	*eq = '\0';
	if (vm_config_add_param(cfg, arg, eq + 1)) {
		*eq = '=';
		return fail_usage("--param: %s", err_msg());
	}
	return 0;
}

static int opt_parse(struct vm_opts *o, int argc, char **argv)
{
	struct vm_config *cfg = &o->cfg;
	uint64_t n;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "g:m:c:b:p:P:d:t:s:j:qlh", vm_options, NULL)) != -1) {
		ret = 0;
		switch (c) {
		case 'g':
			o->guest = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &cfg->mem_bytes))
				ret = fail_usage("--mem: %s", err_msg());
			break;
		case 'c':
			if (parse_u64(optarg, &n) || n < 1 || n > 4096)
				ret = fail_usage("--vcpus '%s': expected a decimal number from 1 to 4096", optarg);
			cfg->nr_vcpus = (int)n;
			break;
		case 'b':
			if (mem_backing_parse(optarg, &cfg->backing, &cfg->backing_path))
				ret = fail_usage("--backing: %s", err_msg());
			break;
		case 'p':
			if (vm_config_page_parse(optarg, &cfg->page_bytes))
				ret = fail_usage("--guest-page '%s': use 4k, 2m or 1g", optarg);
			break;
		case 'P':
			ret = opt_param(cfg, optarg);
			break;
		case 'd':
			if (parse_seconds(optarg, &cfg->duration_s))
				ret = fail_usage("--duration: %s", err_msg());
			o->duration_set = true;
			break;
		case 't':
			if (parse_seconds(optarg, &cfg->timeout_s))
				ret = fail_usage("--timeout: %s", err_msg());
			break;
		case 's':
			o->serial_path = optarg;
			break;
		case 'j':
			o->json_path = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'K':
			o->kvm_path = optarg;
			break;
		case 'N':
			if (parse_u64(optarg, &cfg->nr_mmu_pages) || !cfg->nr_mmu_pages)
				ret = fail_usage("--nr-mmu-pages '%s': expected a decimal number of pages from 64", optarg);
			break;
		case 'M':
			if (parse_u64(optarg, &n) || n < 1 || n > VM_CHURN_MAX_MS)
				ret = fail_usage("--memslot-churn '%s': expected a decimal number of ms from 1 to 60000", optarg);
			cfg->memslot_churn_ms = (unsigned int)n;
			break;
		case 'l':
			list_guests();
			return 1;
		case 'h':
			fputs(vm_usage, stdout);
			return 1;
		default:
			return -EXIT_USAGE;
		}
		if (ret)
			return ret;
	}
	if (optind < argc)
		return fail_usage("unexpected argument '%s'", argv[optind]);
	return 0;
}

static int guest_read_file(struct vm_opts *o)
{
	struct stat st;
	ssize_t got;
	int fd, ret = 0;

	fd = open(o->guest, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(errno, "guest '%s'", o->guest);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)GUEST_FILE_MAX) {
		ret = err_set(EINVAL, "guest '%s': not a regular file of at most 16 MiB", o->guest);
		goto out;
	}
	o->elf_file = malloc(st.st_size ? st.st_size : 1);
	if (!o->elf_file) {
		ret = err_sys(ENOMEM, "guest '%s'", o->guest);
		goto out;
	}
	got = read(fd, o->elf_file, st.st_size);
	if (got != st.st_size)
		ret = err_sys(got < 0 ? errno : EIO, "reading guest '%s'", o->guest);
	o->cfg.elf = o->elf_file;
	o->cfg.elf_bytes = (size_t)st.st_size;
out:
	close(fd);
	return ret;
}

/*
 * A built-in guest by name, or an ELF file by path (anything with a '/').
 * An unknown guest or parameter, or a value it does not take, is a usage
 * error: *@usage says so.
 */
static int guest_resolve(struct vm_opts *o, bool *usage)
{
	struct vm_config *cfg = &o->cfg;
	const struct builtin_guest *g;
	int ret;

	cfg->guest_name = o->guest;
	*usage = true;
	if (strchr(o->guest, '/')) {
		ret = runtime_params_configure(cfg);
		if (ret)
			return ret;
		*usage = false;
		return guest_read_file(o);
	}
	ret = builtin_guest_configure(cfg, o->guest, &g);
	if (ret)
		return ret;
	*usage = false;
	if (g->runs_until_stopped && !o->duration_set)
		cfg->duration_s = DEFAULT_DURATION_S;
	return 0;
}

/* --json is written after the VM ran: find out now if it cannot be. */
static int json_path_check(const char *path)
{
	char *copy = strdup(path);
	const char *dir;
	struct stat st;
	int ret = 0;

	if (!copy)
		return err_sys(ENOMEM, "--json %s", path);
	dir = dirname(copy);
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		ret = err_set(EISDIR, "--json %s is a directory (give a file name)", path);
	else if (access(dir, W_OK | X_OK))
		ret = err_sys(errno, "--json %s: directory %s", path, dir);
	free(copy);
	return ret;
}

static volatile int vm_interrupts;

static void vm_on_signal(int sig)
{
	(void)sig;
	vm_interrupts++;
}

static int vm_exit_status(const struct vm *vm)
{
	static const int status[] = {
		[VM_OK] = EXIT_OK,
		[VM_GUEST_EXIT] = EXIT_GUEST_CODE,
		[VM_GUEST_ERROR] = EXIT_GUEST_ERROR,
		[VM_TIMEOUT] = EXIT_TIMEOUT,
		[VM_INTERRUPTED] = EXIT_INTERRUPTED,
	};

	return status[vm->outcome];
}

/* Why the VM ended badly, in one line, or NULL. */
static const char *vm_end_message(const struct vm *vm, char *buf, size_t len)
{
	int i;

	if (vm->error[0])
		return vm->error;
	for (i = 0; i < vm->cfg.nr_vcpus; i++) {
		const struct vcpu *v = &vm->vcpus[i];

		if (v->end == VCPU_TIMEOUT) {
			snprintf(buf, len, "vCPU %d still running after --timeout %.1f s (stopped it; raise --timeout if it was making progress)",
				 v->id, vm->cfg.timeout_s);
			return buf;
		}
		if (v->end == VCPU_EXITED && v->exit_code) {
			snprintf(buf, len, "vCPU %d exited with code %d (see the guest's console output)",
				 v->id, v->exit_code);
			return buf;
		}
		if (v->end == VCPU_INTERRUPTED) {
			snprintf(buf, len, "interrupted");
			return buf;
		}
	}
	return NULL;
}

static int vm_run_and_report(struct vm_opts *o, const struct kvm_sys *sys)
{
	struct sigaction sa = { .sa_handler = vm_on_signal };
	struct json_object *json = NULL;
	struct host_info host;
	const char *why;
	char buf[ERR_MSG_LEN];
	struct vm vm;
	int ret, status;

	ret = vm_create(&vm, sys, &o->cfg);
	if (ret)
		return ret;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = vm_run(&vm, &vm_interrupts);
	if (ret) {
		vm_destroy(&vm);
		return ret;
	}
	host_info_read(&host);
	if (!o->quiet)
		vm_report_text(&vm, &host, stdout);
	status = vm_exit_status(&vm);
	if (o->json_path) {
		json = vm_report_json(&vm, &host);
		ret = json_write_file(json, o->json_path);
		json_object_put(json);
		if (ret) {
			fprintf(stderr, "kvmsqueeze: %s\n", err_msg());
			status = status ? status : EXIT_FAILURE_SETUP;
		}
	}
	why = vm_end_message(&vm, buf, sizeof(buf));
	if (why)
		fprintf(stderr, "kvmsqueeze: guest %s: %s\n", o->cfg.guest_name, why);
	vm_destroy(&vm);
	return status;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_opts o = {
		.guest = "touch",
		.kvm_path = "/dev/kvm",
		.cfg = {
			.nr_vcpus = 1,
			.backing = MEM_ANON,
			.page_bytes = X86_PAGE_4K,
			.timeout_s = DEFAULT_TIMEOUT_S,
			.serial = stderr,
		},
	};
	struct kvm_sys sys;
	FILE *serial = NULL;
	bool usage;
	int ret;

	parse_size(DEFAULT_MEM, &o.cfg.mem_bytes);
	ret = opt_parse(&o, argc, argv);
	if (ret)
		return ret > 0 ? EXIT_OK : -ret;
	ret = guest_resolve(&o, &usage);
	if (ret && usage) {
		fprintf(stderr, "kvmsqueeze: vm: %s\n", err_msg());
		free(o.elf_file);
		return EXIT_USAGE;
	}
	if (ret)
		goto fail;
	if (o.json_path) {
		ret = json_path_check(o.json_path);
		if (ret)
			goto fail;
	}
	if (o.serial_path) {
		serial = strcmp(o.serial_path, "-") ? fopen(o.serial_path, "we") : stdout;
		if (!serial) {
			ret = err_sys(errno, "--serial %s", o.serial_path);
			goto fail;
		}
		o.cfg.serial = serial;
	}
	ret = kvm_sys_open(&sys, o.kvm_path);
	if (ret)
		goto fail;
	ret = vm_run_and_report(&o, &sys);
	kvm_sys_close(&sys);
	if (ret < 0)
		goto fail;
	if (serial && serial != stdout)
		fclose(serial);
	free(o.elf_file);
	return ret;
fail:
	fprintf(stderr, "kvmsqueeze: %s\n", err_msg());
	if (serial && serial != stdout)
		fclose(serial);
	free(o.elf_file);
	return EXIT_FAILURE_SETUP;
}
