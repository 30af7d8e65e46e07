// SPDX-License-Identifier: GPL-2.0
/*
 * load: `modprobe mxlock`, as mxlock.service does first; when the module
 * does not load, say why and what fixes it. mxlock fails open, so a
 * module that is not there means every sender gets in, and modprobe's
 * own "Key was rejected by service" leaves the admin to guess. The
 * common cause is a kernel that loads only modules signed by a key it
 * trusts (Secure Boot, whose lockdown and IMA arch policy make Debian's
 * kernels enforce module signatures, or module.sig_enforce=1) and a
 * module DKMS signed with its own key, which is not enrolled yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mxlockctl.h"

extern char **environ;

/* DKMS's own key pair on Debian 12 and 13 (dkms 3.0 and 3.2). */
#define DKMS_MOK_CERT	"/var/lib/dkms/mok.pub"

/*
 * run ARGV; with out, its first line of output goes there (cut to len)
 * and its errors nowhere (modinfo's "not found" is ours to explain).
 * Its exit status, or -1.
 */
static int run(char *const argv[], char *out, size_t len)
{
	posix_spawn_file_actions_t fa;
	int fd[2] = { -1, -1 }, status, err;
	pid_t pid;

	if (out && pipe(fd))
		return -1;
	posix_spawn_file_actions_init(&fa);
	if (out) {
		posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
		posix_spawn_file_actions_addclose(&fa, fd[0]);
		posix_spawn_file_actions_addclose(&fa, fd[1]);
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
						 "/dev/null", O_WRONLY, 0);
	}
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (out) {
		size_t got = 0;
		ssize_t n;

		close(fd[1]);
		while (!err && (n = read(fd[0], out + got, len - 1 - got)) > 0)
			got += n;
		close(fd[0]);
		out[got] = '\0';
		out[strcspn(out, "\n")] = '\0';
	}
	if (err) {
		fprintf(stderr, "mxlockctl: load: cannot run %s: %s\n",
			argv[0], strerror(err));
		return -1;
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The first line of FILE, or "" (it may not exist). */
static void read_line(const char *file, char *buf, size_t len)
{
	FILE *f = fopen(file, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* EFI's SecureBoot variable: 4 bytes of attributes, then 1 = on. */
static bool secure_boot(void)
{
	unsigned char v[5];
	FILE *f = fopen("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e98c5d2c2e0f",
			"re");
	bool on;

	if (!f)
		return false;
	on = fread(v, 1, sizeof(v), f) == sizeof(v) && v[4] == 1;
	fclose(f);
	return on;
}

/*
 * Why the kernel wants signed modules, or NULL if it does not: then an
 * unsigned module loads (tainting the kernel) and the cause is elsewhere.
 */
static const char *why_signed(char *buf, size_t len)
{
	char line[128], *lb, *rb;

	if (secure_boot())
		return "Secure Boot is on";
	read_line("/sys/module/module/parameters/sig_enforce", line,
		  sizeof(line));
	if (line[0] == 'Y')
		return "module signatures are enforced (module.sig_enforce=1)";
	/* "none [integrity] confidentiality": the bracketed one is in force. */
	read_line("/sys/kernel/security/lockdown", line, sizeof(line));
	lb = strchr(line, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (rb && strncmp(lb, "[none]", 6)) {
		*rb = '\0';
		snprintf(buf, len, "the kernel is locked down (%s)", lb + 1);
		return buf;
	}
	return NULL;
}

int cmd_load(const struct cmd *cmd, int argc, char **argv)
{
	char *modprobe[] = { "modprobe", "mxlock", NULL };
	char *modinfo_n[] = { "modinfo", "-n", "mxlock", NULL };
	char *modinfo_s[] = { "modinfo", "-F", "signer", "mxlock", NULL };
	char file[512], signer[256], why[128];
	const char *reason;
	struct utsname u;
	int rc;

	(void)argv;
	if (argc)
		return usage_error(cmd, "no arguments");
	rc = run(modprobe, NULL, 0);
	if (!rc)
		return EXIT_OK;
	uname(&u);
	fprintf(stderr, "mxlockctl: load: modprobe mxlock failed: NOTHING IS LOCKED, mail from every sender gets in\n");
	if (run(modinfo_n, file, sizeof(file)) || !file[0]) {
		fprintf(stderr,
			"mxlockctl: load: no mxlock module for the running kernel %s: DKMS builds one when the kernel's headers are installed (apt install linux-headers-%s; dkms status)\n",
			u.release, u.release);
		return EXIT_ERR;
	}
	reason = why_signed(why, sizeof(why));
	if (!reason) {
		fprintf(stderr, "mxlockctl: load: %s did not load; modprobe's message above and the kernel log (journalctl -k) say why\n",
			file);
		return EXIT_ERR;
	}
	if (run(modinfo_s, signer, sizeof(signer)) || !signer[0]) {
		fprintf(stderr,
			"mxlockctl: load: %s, so the kernel loads only signed modules, and %s is not signed. DKMS signs what it builds (the mxlock-dkms package); a module from `make install` must be signed with a key the kernel trusts: see mxlockctl(8), SECURE BOOT\n",
			reason, file);
		return EXIT_ERR;
	}
	fprintf(stderr,
		"mxlockctl: load: %s, so the kernel loads only modules signed by a key it trusts, and %s is signed by '%s', which it does not trust. If that is DKMS's key, enroll it: mokutil --import %s, reboot, and confirm the enrollment in MokManager on the console; see mxlockctl(8), SECURE BOOT\n",
		reason, file, signer, DKMS_MOK_CERT);
	return EXIT_ERR;
}
