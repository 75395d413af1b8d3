/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host unit tests (test_core.c, test_rules.c, test_bugs.c) share:
 * a shadow under the rules VMS_HOST_RULES picks, mmap in a line, the
 * layout in the selftests' diagram notation, and files of their own.
 */
#ifndef _VMASHADOW_HOST_TEST_UTIL_H
#define _VMASHADOW_HOST_TEST_UTIL_H

#include "../core/core.h"
#include "layout.h"
#include "glue.h"
#include "kselftest_harness.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define N	PROT_NONE

static inline int k612(void)
{
	const char *s = getenv("VMS_HOST_RULES");

	return s && !strcmp(s, "612");
}

static inline struct vms_mm *mm_new(void)
{
	static bool up;
	struct vms_mm *mm = calloc(1, sizeof(*mm));

	if (!up) {
		if (vms_core_init())
			abort();
		up = true;
	}
	vms_mm_init(mm, k612() ? VMASHADOW_RULES_6_12 : VMASHADOW_RULES_6_1);
	return mm;
}

static inline void mm_free(struct vms_mm *mm)
{
	vms_mm_destroy(mm);
	free(mm);
}

static inline long do_map(struct vms_mm *mm, unsigned long addr, unsigned long len,
		   int prot, int flags, struct vms_file *f, unsigned int opf,
		   unsigned long *out)
{
	struct vms_map_req req = {
		.addr = addr, .len = len, .prot = prot, .flags = flags,
		.file = f, .op_flags = opf,
	};
	unsigned long a = 0;
	int err = vms_map(mm, &req, &a);

	if (out)
		*out = a;
	return err;
}

#define MAPA(mm, pg, npg, prot) \
	do_map(mm, PG(pg), PGS(npg), prot, \
	       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0, NULL)

static char lay[4096];
#define LAYOUT(mm, want) do {						\
	unsigned long __w;						\
	ASSERT_STREQ(want, vms_layout_of(mm, lay, sizeof(lay)));	\
	ASSERT_EQ(0, vms_validate(mm, &__w));				\
} while (0)

/* A file of our own making: name, mode, no real file behind it. */
struct tfile {
	struct vms_file vf;
	const char *name;
	int released;
};

static inline void tfile_release(struct vms_file *vf)
{
	container_of(vf, struct tfile, vf)->released = 1;
}

static inline int tfile_name(const struct vms_file *vf, char *buf, size_t size)
{
	return scnprintf(buf, size, "%s", container_of(vf, struct tfile, vf)->name);
}

static const struct vms_file_ops tfile_ops = {
	.release = tfile_release, .name = tfile_name,
};

static inline void tfile_init(struct tfile *t, const char *name, unsigned int mode)
{
	memset(t, 0, sizeof(*t));
	refcount_set(&t->vf.ref, 1);
	t->vf.id = vms_file_new_id();
	t->vf.ino = 4242;
	t->vf.dev_major = 8;
	t->vf.dev_minor = 1;
	t->vf.mode = mode;
	t->vf.kind = VMASHADOW_KIND_FILE;
	t->vf.ops = &tfile_ops;
	t->name = name;
}

#endif
