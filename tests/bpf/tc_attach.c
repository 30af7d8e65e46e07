// SPDX-License-Identifier: GPL-2.0
/*
 * tc_attach: load one BPF object's tc program and attach it to an
 * interface's ingress (a clsact qdisc is made if there is none). The
 * filter stays when this exits; `tc qdisc del dev IF clsact` removes it.
 *
 *   tc_attach IF OBJECT PROGRAM
 *
 * Exit status: 0 attached; 4 the kernel would not load the program (a
 * kernel without what it calls: the kselftest SKIP code); 2 otherwise.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	unsigned int ifindex;
	int err;

	if (argc != 4) {
		fprintf(stderr, "usage: tc_attach IF OBJECT PROGRAM\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "tc_attach: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	obj = bpf_object__open_file(argv[2], NULL);
	if (!obj) {
		fprintf(stderr, "tc_attach: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "tc_attach: loading %s: %s\n", argv[2],
			strerror(-err));
		return 4;
	}
	prog = bpf_object__find_program_by_name(obj, argv[3]);
	if (!prog) {
		fprintf(stderr, "tc_attach: no program %s in %s\n", argv[3],
			argv[2]);
		return 2;
	}
	{
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts,
			    .prog_fd = bpf_program__fd(prog));

		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST) {
			fprintf(stderr, "tc_attach: clsact on %s: %s\n",
				argv[1], strerror(-err));
			return 2;
		}
		err = bpf_tc_attach(&hook, &opts);
		if (err) {
			fprintf(stderr, "tc_attach: attaching to %s: %s\n",
				argv[1], strerror(-err));
			return 2;
		}
	}
	bpf_object__close(obj);
	return 0;
}
