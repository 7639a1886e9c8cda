// SPDX-License-Identifier: GPL-2.0
/*
 * experiments/kallsyms.c: <proc>/kallsyms read once, in a thread that
 * starts when a sampler opens and runs at nice 19, parsed by
 * libtraceevent (tep_parse_kallsyms) into a handle of its own; the
 * sampler looks names up there (tep_find_function) once the thread is
 * joined. The thread touches nothing but its struct kallsyms until then,
 * uses no stdio (the VM processes fork while it runs, and flush every
 * FILE) and takes no signal.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <event-parse.h>

#include "common/err.h"
#include "experiments/kallsyms.h"

#define KALLSYMS_MAX		(64 << 20)
#define KALLSYMS_HIDDEN		ENODATA		/* the thread's: every address 0 */

/*
 * kptr_restrict shows every address as 0: no names then, only wrong ones.
 * A zero address alone says nothing: SMP kernels list their per-CPU
 * symbols first, at offsets from 0 (6.12: "0000000000000000 A
 * fixed_percpu_data").
 */
static bool kallsyms_has_addresses(const char *text)
{
	const char *line;

	for (line = text; *line; line = strchr(line, '\n') + 1) {
		if (strncmp(line, "0000000000000000 ", 17))
			return true;
		if (!strchr(line, '\n'))
			break;
	}
	return false;
}

/* The whole file into k->text; the read() is where a cancel lands. */
static int kallsyms_slurp(struct kallsyms *k, int fd)
{
	size_t cap = 0, len = 0;
	ssize_t n;
	char *p;

	for (;;) {
		if (cap - len < 2) {
			if (cap >= KALLSYMS_MAX)
				return -EFBIG;
			cap = cap ? 2 * cap : 1 << 20;
			p = realloc(k->text, cap);
			if (!p)
				return -ENOMEM;
			k->text = p;
		}
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		n = read(fd, k->text + len, cap - len - 1);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		len += (size_t)n;
	}
	k->text[len] = '\0';
	return len ? 0 : -ENOENT;
}

static void close_fd(void *fd)
{
	close((int)(long)fd);
}

static void *kallsyms_thread(void *arg)
{
	struct kallsyms *k = arg;
	int fd, ret;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	__atomic_store_n(&k->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	setpriority(PRIO_PROCESS, (id_t)k->tid, 19);
	fd = open(k->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		k->ret = -errno;
		return NULL;
	}
	pthread_cleanup_push(close_fd, (void *)(long)fd);
	ret = kallsyms_slurp(k, fd);
	pthread_cleanup_pop(1);
	if (!ret && !kallsyms_has_addresses(k->text))
		ret = -KALLSYMS_HIDDEN;
	if (!ret) {
		k->tep = tep_alloc();
		ret = k->tep ? 0 : -ENOMEM;
	}
	if (!ret && tep_parse_kallsyms(k->tep, k->text))
		ret = -ENOMEM;
	/* the first lookup sorts the functions: here, not in a sample */
	if (!ret)
		tep_find_function(k->tep, 0);
	free(k->text);
	k->text = NULL;
	k->ret = ret;
	return NULL;
}

int kallsyms_start(struct kallsyms *k, const char *proc)
{
	sigset_t all, old;
	int ret;

	memset(k, 0, sizeof(*k));
	k->ret = -ENOENT;
	if ((size_t)snprintf(k->path, sizeof(k->path), "%s/kallsyms", proc) >= sizeof(k->path))
		return err_set(ENAMETOOLONG, "%s/kallsyms: path too long", proc);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&k->thread, NULL, kallsyms_thread, k);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return err_sys(ret, "reading %s: no thread", k->path);
	k->started = true;
	return 0;
}

int kallsyms_wait(struct kallsyms *k)
{
	int tid, nice;

	if (!k->started)
		return err_set(ENOENT, "kallsyms not read");
	if (!k->joined) {
		/* needed now: at the caller's priority, when it may raise it */
		tid = __atomic_load_n(&k->tid, __ATOMIC_ACQUIRE);
		errno = 0;
		nice = getpriority(PRIO_PROCESS, 0);
		if (tid > 0 && !errno)
			setpriority(PRIO_PROCESS, (id_t)tid, nice);
		pthread_join(k->thread, NULL);
		k->joined = true;
	}
	if (k->ret == -KALLSYMS_HIDDEN)
		return err_set(ENOENT, "%s shows every address as 0 (kptr_restrict)", k->path);
	if (k->ret)
		return err_sys(-k->ret, "reading %s", k->path);
	return 0;
}

void kallsyms_name(struct kallsyms *k, uint64_t addr, char *name, size_t len)
{
	const char *fn = k->started && !kallsyms_wait(k) ? tep_find_function(k->tep, addr) : NULL;
	size_t n = 0;

	if (!fn) {
		snprintf(name, len, "0x%llx", (unsigned long long)addr);
		return;
	}
	/* "foo.isra.0", "foo.cold": the function is foo */
	while (fn[n] && fn[n] != '.' && n + 1 < len) {
		name[n] = fn[n];
		n++;
	}
	name[n] = '\0';
}

void kallsyms_free(struct kallsyms *k)
{
	if (k->started && !k->joined) {
		pthread_cancel(k->thread);
		pthread_join(k->thread, NULL);
		k->joined = true;
	}
	free(k->text);
	k->text = NULL;
	if (k->tep)
		tep_free(k->tep);
	k->tep = NULL;
}
