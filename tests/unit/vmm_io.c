// SPDX-License-Identifier: GPL-2.0
/*
 * tests/unit/vmm_io.c: the VMM library where it meets the host: file
 * backings never touch an existing file or leave one behind, guest RAM
 * is read without faulting holes in, a results file is written whole or
 * not at all, and vm_create() refuses limits from any caller (the runner
 * builds configs without the command line's parser).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "abi/x86_pt.h"
#include "common/err.h"
#include "common/util.h"
#include "vmm/guests.h"
#include "vmm/mem.h"
#include "vmm/vm.h"
#include "vmm/vm_config.h"
#include "vmm/vm_report.h"

static char dir[] = "/tmp/kvmsq-vmm-io-XXXXXX";

static int dir_entries(void)
{
	char cmd[128];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", dir);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static void file_backing_refuses_files(void)
{
	char path[128], text[] = "precious";
	struct guest_mem mem;
	struct stat st;
	char back[16] = "";
	int fd;

	snprintf(path, sizeof(path), "%s/victim", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, text, sizeof(text)) == sizeof(text), "victim");
	close(fd);
	CHECK(guest_mem_map(&mem, MEM_FILE, path, 8 * MiB) == -EEXIST,
	      "an existing file accepted: %s", err_msg());
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && read(fd, back, sizeof(back)) == sizeof(text) && !strcmp(back, text) &&
	      !fstat(fd, &st) && st.st_size == sizeof(text), "the existing file was changed");
	close(fd);
	unlink(path);

	snprintf(path, sizeof(path), "%s/new", dir);
	CHECK(guest_mem_map(&mem, MEM_FILE, path, 8 * MiB) == -ENOENT,
	      "a new path accepted: %s", err_msg());
	CHECK(access(path, F_OK) && errno == ENOENT, "%s was created", path);
	CHECK(dir_entries() == 0, "the directory is not empty");
}

static void file_backing_leaves_nothing(void)
{
	struct guest_mem mem;
	int ret = guest_mem_map(&mem, MEM_FILE, dir, 8 * MiB);

	CHECK(!ret, "file:%s: %s", dir, err_msg());
	if (ret)
		return;
	mem.host[4 * MiB] = 1;
	CHECK(dir_entries() == 0, "a named file in the directory while mapped");
	guest_mem_unmap(&mem);
	CHECK(dir_entries() == 0, "a file left in the directory");
}

/* Holes read as zeros through the fd; nothing past the end is read. */
static void read_without_faulting(void)
{
	struct guest_mem mem;
	uint8_t buf[64];
	int ret = guest_mem_map(&mem, MEM_MEMFD, NULL, 4 * MiB);

	CHECK(!ret, "memfd: %s", err_msg());
	if (ret)
		return;
	memset(buf, 0xff, sizeof(buf));
	CHECK(!guest_mem_read(&mem, buf, 2 * MiB, sizeof(buf)) && !buf[0] && !buf[63],
	      "a hole does not read as zeros");
	memcpy(mem.host + 3 * MiB, "guest", 6);
	CHECK(!guest_mem_read(&mem, buf, 3 * MiB, 6) && !strcmp((char *)buf, "guest"),
	      "what the guest wrote does not read back");
	CHECK(guest_mem_read(&mem, buf, 4 * MiB - 8, 16) == -EFAULT, "read past the end");
	CHECK(guest_mem_read(&mem, buf, UINT64_MAX - 4, 16) == -EFAULT, "read wrapping around");
	CHECK(!guest_mem_reserve(&mem, 0, MiB, "a test"), "reserve: %s", err_msg());
	CHECK(guest_mem_reserve(&mem, 4 * MiB - 4096, 8192, "a test") < 0, "reserve past the end");
	guest_mem_unmap(&mem);
}

/*
 * A write cut short (here by RLIMIT_FSIZE, as a full disk cuts it) is an
 * error with its real cause, and leaves neither the file nor a temp file.
 */
static void results_whole_or_not_at_all(void)
{
	struct json_object *o = json_object_new_object();
	struct rlimit old, small = { .rlim_cur = 4096, .rlim_max = RLIM_INFINITY };
	char path[128], big[8192];
	int ret;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_object_object_add(o, "big", json_object_new_string(big));
	snprintf(path, sizeof(path), "%s/out.json", dir);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	small.rlim_max = old.rlim_max;
	setrlimit(RLIMIT_FSIZE, &small);
	ret = json_write_file(o, path);
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK(ret == -EFBIG && strstr(err_msg(), "File too large"),
	      "a write cut short: %d, %s", ret, err_msg());
	CHECK(dir_entries() == 0, "a partial file left behind");
	CHECK(!json_write_file(o, path) && dir_entries() == 1, "a good write: %s", err_msg());
	unlink(path);
	json_object_put(o);
}

/* Limits vm_create() keeps whoever built the config. */
static void config_limits(void)
{
	const struct guest_image *g = guest_image_find("nop");
	struct kvm_sys sys;
	struct vm_config cfg = {
		.guest_name = "nop",
		.mem_bytes = 16 * MiB,
		.backing = MEM_ANON,
		.page_bytes = X86_PAGE_4K,
		.nr_vcpus = 1,
	};
	struct vm vm;

	if (kvm_sys_open(&sys, "/dev/kvm"))
		SKIP("no usable /dev/kvm");
	cfg.elf = g->start;
	cfg.elf_bytes = (size_t)(g->end - g->start);
	cfg.timeout_s = 1e11;	/* its ns overflowed 64 bits and acted as 0 */
	CHECK(vm_create(&vm, &sys, &cfg) == -ERANGE, "timeout 1e11 s: %s", err_msg());
	cfg.timeout_s = NAN;
	CHECK(vm_create(&vm, &sys, &cfg) == -ERANGE, "timeout NaN: %s", err_msg());
	cfg.timeout_s = 0;
	cfg.duration_s = -1;
	CHECK(vm_create(&vm, &sys, &cfg) == -ERANGE, "duration -1: %s", err_msg());
	cfg.duration_s = 0;
	cfg.mem_bytes = 1024 * GiB;	/* 2 GiB of 4K page tables */
	CHECK(vm_create(&vm, &sys, &cfg) == -EINVAL && strstr(err_msg(), "page tables"),
	      "1 TiB of 4K pages: %s", err_msg());
	cfg.mem_bytes = 16 * MiB;
	cfg.timeout_s = PARSE_SECONDS_MAX;
	CHECK(!vm_create(&vm, &sys, &cfg), "the longest timeout: %s", err_msg());
	vm_destroy(&vm);
	kvm_sys_close(&sys);
}

static void params_checked_for_any_caller(void)
{
	struct vm_config cfg = { .nr_vcpus = 1 };

	CHECK(!vm_config_add_param(&cfg, "cpl", "7"), "add");
	CHECK(builtin_guest_configure(&cfg, "nop", NULL) == -EINVAL, "cpl=7 accepted");
	cfg.nr_params = 0;
	CHECK(!vm_config_add_param(&cfg, "code", "abc"), "add");
	CHECK(builtin_guest_configure(&cfg, "nop", NULL) == -EINVAL, "code=abc accepted");
	cfg.nr_params = 0;
	CHECK(!vm_config_add_param(&cfg, "code", "255") && !vm_config_add_param(&cfg, "cpl", "0"),
	      "add");
	CHECK(!builtin_guest_configure(&cfg, "nop", NULL), "code=255 cpl=0: %s", err_msg());
}

/*
 * The build embeds one image per guests/src/NAME.c, the table in
 * vmm/guests.c says what the build cannot know: each needs the other.
 */
static void guest_tables_agree(void)
{
	const struct guest_image *img;
	size_t i, nr_images = 0;

	for (img = guest_images; img->name; img++) {
		nr_images++;
		CHECK(builtin_guest_find(img->name), "image %s has no entry in builtin_guests[]",
		      img->name);
		CHECK(img->end > img->start, "image %s is empty", img->name);
	}
	for (i = 0; i < nr_builtin_guests; i++)
		CHECK(guest_image_find(builtin_guests[i].name),
		      "builtin_guests[] entry %s has no image (no guests/src/%s.c)",
		      builtin_guests[i].name, builtin_guests[i].name);
	CHECK(nr_images == nr_builtin_guests, "%zu images, %zu table entries", nr_images,
	      nr_builtin_guests);
}

/*
 * A built-in guest gets every parameter it and the runtime take: those
 * given as given, the rest with the table's default, which is a value
 * the parameter takes or a share of free RAM the runtime works out.
 */
static void defaults_passed(void)
{
	const struct guest_param_spec *p;
	struct vm_config cfg;
	size_t i;
	int nr, d;

	for (i = 0; i < nr_builtin_guests; i++) {
		const struct builtin_guest *g = &builtin_guests[i];

		memset(&cfg, 0, sizeof(cfg));
		cfg.nr_vcpus = 1;
		CHECK(!builtin_guest_configure(&cfg, g->name, NULL), "%s: %s", g->name, err_msg());
		for (nr = 0, p = g->params; p->key; p++, nr++) {
			for (d = 0; d < cfg.nr_defaults; d++)
				if (!strcmp(cfg.defaults[d].key, p->key))
					break;
			CHECK(d < cfg.nr_defaults && !strcmp(cfg.defaults[d].value, p->def),
			      "%s: no default %s=%s", g->name, p->key, p->def);
			if (p->choices)
				CHECK(strstr(p->choices, p->def), "%s: %s=%s is none of %s",
				      g->name, p->key, p->def, p->choices);
			else if (cfg.defaults[d].has_num)
				CHECK(cfg.defaults[d].num >= p->min && cfg.defaults[d].num <= p->max,
				      "%s: %s=%s out of range", g->name, p->key, p->def);
			else
				CHECK(!strncmp(p->def, "share", 5) ||
				      !strncmp(p->def, "min(share/", 10),
				      "%s: %s=%s is neither a number nor a share", g->name,
				      p->key, p->def);
		}
		CHECK(cfg.nr_defaults == nr + 1, "%s: %d defaults for %d parameters and cpl",
		      g->name, cfg.nr_defaults, nr);
	}
	/* given: no default; a guest given as a file gets the runtime's */
	memset(&cfg, 0, sizeof(cfg));
	cfg.nr_vcpus = 1;
	CHECK(!vm_config_add_param(&cfg, "code", "7"), "add");
	CHECK(!builtin_guest_configure(&cfg, "nop", NULL) && cfg.nr_defaults == 1 &&
	      !strcmp(cfg.defaults[0].key, "cpl"), "nop code=7: %d defaults", cfg.nr_defaults);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(!runtime_params_configure(&cfg) && cfg.nr_defaults == 1 &&
	      !strcmp(cfg.defaults[0].value, "3"), "file guest: %d defaults", cfg.nr_defaults);
	/* given twice over: no room left for a default is refused, not cut */
	memset(&cfg, 0, sizeof(cfg));
	cfg.nr_vcpus = 1;
	for (d = 0; d < KVMSQ_MAX_PARAMS; d++)
		vm_config_add_param(&cfg, "code", "1");
	CHECK(builtin_guest_configure(&cfg, "nop", NULL) == -E2BIG, "16 x code=1: %s", err_msg());
}

int main(void)
{
	static const struct unit_test tests[] = {
		T(file_backing_refuses_files), T(file_backing_leaves_nothing),
		T(read_without_faulting), T(results_whole_or_not_at_all),
		T(config_limits), T(params_checked_for_any_caller),
		T(guest_tables_agree), T(defaults_passed),
	};
	int ret;

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	ret = unit_main(tests, sizeof(tests) / sizeof(tests[0]));
	rmdir(dir);
	return ret;
}
