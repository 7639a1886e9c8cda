// SPDX-License-Identifier: GPL-2.0
/*
 * common/install.c: the version the build embedded and where kvmsqueeze
 * finds its data directory (common/install.h): a source tree, an
 * install under some prefix, or $KVMSQ_DATADIR.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/install.h"
#include "kvmsq_version.h"

const char kvmsq_version[] = KVMSQ_GIT_VERSION;

/* The directory of the running binary, into @buf. */
static int self_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n < 0)
		return err_sys(errno, "/proc/self/exe");
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return 0;
}

static int path_in(char *buf, size_t len, const char *dir, const char *rel)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, rel) >= len)
		return err_set(ENAMETOOLONG, "%s/%s: path too long", dir, rel);
	return 0;
}

/* Does @dir hold the scripts (patched-kernel/ab.sh, executable)? */
static int has_scripts(const char *dir)
{
	char p[PATH_MAX];

	return !path_in(p, sizeof(p), dir, "patched-kernel/ab.sh") && !access(p, X_OK);
}

/* A source tree has its Makefile; an installed share/kvmsqueeze has none. */
static bool is_source_tree(const char *dir)
{
	char p[PATH_MAX];

	return !path_in(p, sizeof(p), dir, "Makefile") && !access(p, F_OK);
}

/* The directory @path is in ("/a/b" for "/a/b/c"); -ENOENT at the root. */
static int dirname_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return -ENOENT;
	if ((size_t)(slash - path) >= len)
		return err_set(ENAMETOOLONG, "%s: path too long", path);
	memcpy(buf, path, (size_t)(slash - path));
	buf[slash - path] = '\0';
	return 0;
}

static int take(char *buf, size_t len, const char *dir)
{
	if ((size_t)snprintf(buf, len, "%s", dir) >= len)
		return err_set(ENAMETOOLONG, "%s: path too long", dir);
	return 0;
}

int kvmsq_datadir(char *buf, size_t len)
{
	const char *env = getenv("KVMSQ_DATADIR");
	char self[PATH_MAX], rel[PATH_MAX], up[PATH_MAX];
	int ret;

	if (env && *env) {
		if (!has_scripts(env))
			return err_set(ENOENT, "KVMSQ_DATADIR=%s: no patched-kernel/ab.sh there (name an installed share/kvmsqueeze or a source tree, or unset it)",
				       env);
		return take(buf, len, env);
	}
	ret = self_dir(self, sizeof(self));
	if (ret)
		return ret;
	if (has_scripts(self))
		return take(buf, len, self);
	/* a build directory of a source tree: build-san/, build-static/ */
	if (!dirname_of(self, up, sizeof(up)) && has_scripts(up) && is_source_tree(up))
		return take(buf, len, up);
	ret = path_in(rel, sizeof(rel), self, "../share/kvmsqueeze");
	if (ret)
		return ret;
	if (has_scripts(rel))
		return take(buf, len, rel);
	if (has_scripts(KVMSQ_DATADIR))
		return take(buf, len, KVMSQ_DATADIR);
	return err_set(ENOENT, "patched-kernel/ab.sh is not in %s, %s or %s (make install, or set KVMSQ_DATADIR to a source tree)",
		       self, rel, KVMSQ_DATADIR);
}

int kvmsq_script_env(const char *datadir)
{
	char self[PATH_MAX], p[PATH_MAX];
	ssize_t n;
	int ret;

	ret = path_in(p, sizeof(p), datadir, "Makefile");
	if (ret)
		return ret;
	if (!access(p, F_OK))
		return 0;	/* a source tree: its scripts build what they run */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return err_sys(errno, "/proc/self/exe");
	self[n] = '\0';
	if (setenv("KVMSQUEEZE", self, 0))
		return err_sys(errno, "setenv KVMSQUEEZE");
	/* the static binary beside this one's prefix, else where make install put it */
	ret = self_dir(self, sizeof(self));
	if (!ret)
		ret = path_in(p, sizeof(p), self, "../libexec/kvmsqueeze/kvmsqueeze-static");
	if (ret)
		return ret;
	if (access(p, X_OK))
		snprintf(p, sizeof(p), "%s", KVMSQ_LIBEXECDIR "/kvmsqueeze-static");
	if (setenv("KVMSQ_STATIC", p, 0))
		return err_sys(errno, "setenv KVMSQ_STATIC");
	return 0;
}
