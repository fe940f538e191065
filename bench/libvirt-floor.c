// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The least any program pays to ask libvirt one thing: load libvirt's
 * client library with dlopen() (as check-host does) and open and close one
 * read-only connection to URI (default qemu:///system). bench/run times it
 * beside check-host when a libvirt daemon is running: check-host's libvirt
 * checks cannot cost less than this. Exit 0 when the connection opened.
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *h = dlopen("libvirt.so.0", RTLD_NOW | RTLD_NODELETE);
	void *(*open_ro)(const char *);
	int (*close_conn)(void *);
	void *c;

	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 2;
	}
	*(void **)&open_ro = dlsym(h, "virConnectOpenReadOnly");
	*(void **)&close_conn = dlsym(h, "virConnectClose");
	if (!open_ro || !close_conn)
		return 2;
	c = open_ro(argc > 1 ? argv[1] : "qemu:///system");
	if (!c)
		return 1;
	close_conn(c);
	return 0;
}
