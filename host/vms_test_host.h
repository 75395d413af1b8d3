/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' helpers (selftests/vms_test.h) for the host build: the
 * same names and macros, with the shadow run on the core linked into the
 * test program (host/glue.c) and no real side.  The expectations written
 * in the tests (the diagrams of CHECK_LAYOUT, the errnos of MAP/PROTECT/...,
 * CHECK_CASE) are verified against the real kernel in the VM; here they
 * are checked against the core alone, under the rules picked by
 * VMS_HOST_RULES (61 or 612), which vms_kernel() reports.
 *
 * Passed with -include: it takes vms_test.h's include guard, so the
 * test's own #include "vms_test.h" is a no-op.  Where a test compares
 * "real" with shadow, the real side is the shadow itself.
 */
#ifndef _VMS_TEST_H
#define _VMS_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "ioctl.h"
#include "glue.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define VMS_PS		4096UL
#define VMS_WIN		0x200000000000UL
#define VMS_WIN_PAGES	1024UL
#define PG(n)		(VMS_WIN + (unsigned long)(n) * VMS_PS)
#define PGS(n)		((unsigned long)(n) * VMS_PS)

#define VMS_MAPS_SIZE	(256 * 1024)

static char vms_real_maps[VMS_MAPS_SIZE];
static char vms_shadow_maps[VMS_MAPS_SIZE];
static char vms_real_win[VMS_MAPS_SIZE];
static char vms_shadow_win[VMS_MAPS_SIZE];
static char vms_real_layout[16384];
static char vms_shadow_layout[16384];

static int vms_fd = -1;

/* The rules under test: VMS_HOST_RULES=61|612 (default 61). */
static inline int vms_kernel(void)
{
	const char *s = getenv("VMS_HOST_RULES");

	return s && !strcmp(s, "612") ? 612 : 61;
}

static inline int vms_rules_of_kernel(void)
{
	return vms_kernel() == 612 ? VMASHADOW_RULES_6_12 : VMASHADOW_RULES_6_1;
}

static inline int vms_open(void)
{
	vms_host_set_rules(vms_rules_of_kernel());
	vms_fd = vms_host_open();
	return vms_fd;
}

static inline long vms_ioctl(int fd, unsigned long cmd, void *arg)
{
	return vms_host_ioctl(fd, cmd, arg);
}

#include "../selftests/vms_shadow.h"

struct vms_res {
	long real;
	long shadow;
	unsigned long raddr;
	unsigned long saddr;
};

/* No real side: it mirrors the shadow. */
static inline struct vms_res vms_mirror(long ret, unsigned long addr)
{
	struct vms_res r = { ret, ret, addr, addr };

	return r;
}

static inline struct vms_res vms_both_map(unsigned long addr, unsigned long len,
					  int prot, int flags, int file,
					  unsigned long off)
{
	unsigned long out = 0;
	long ret = vms_shadow_map(vms_fd, addr, len, prot, flags, file, off, &out);

	return vms_mirror(ret, out);
}

static inline struct vms_res vms_both_unmap(unsigned long addr, unsigned long len)
{
	return vms_mirror(vms_shadow_unmap(vms_fd, addr, len), 0);
}

static inline struct vms_res vms_both_protect(unsigned long addr,
					      unsigned long len, int prot)
{
	return vms_mirror(vms_shadow_protect(vms_fd, addr, len, prot), 0);
}

static inline struct vms_res vms_both_touch(unsigned long addr)
{
	return vms_mirror(vms_shadow_touch(vms_fd, addr), 0);
}

static inline long vms_read_shadow_maps(int fd)
{
	return vms_host_read_maps(fd, vms_shadow_maps, sizeof(vms_shadow_maps));
}

/* The lines of @maps whose start lies in [lo, hi). */
static inline void vms_filter(const char *maps, unsigned long lo,
			      unsigned long hi, char *out, size_t size)
{
	const char *line = maps;
	size_t n = 0;

	out[0] = '\0';
	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *p = line;
		size_t len = eol ? (size_t)(eol - line + 1) : strlen(line);
		unsigned long start = vms_hex(&p);

		if (start >= lo && start < hi && n + len + 1 < size) {
			memcpy(out + n, line, len);
			n += len;
			out[n] = '\0';
		}
		if (!eol)
			break;
		line = eol + 1;
	}
}

static inline long vms_snapshot(void)
{
	long ret = vms_read_shadow_maps(vms_fd);

	if (ret < 0)
		return ret;
	vms_filter(vms_shadow_maps, VMS_WIN, PG(VMS_WIN_PAGES), vms_shadow_win,
		   sizeof(vms_shadow_win));
	vms_layout(vms_shadow_win, vms_shadow_layout, sizeof(vms_shadow_layout));
	strcpy(vms_real_maps, vms_shadow_maps);
	strcpy(vms_real_win, vms_shadow_win);
	strcpy(vms_real_layout, vms_shadow_layout);
	return 0;
}

#define VMS_CHECK_RES(expect, r) do {					\
	struct vms_res __r = (r);					\
	ASSERT_EQ((long)(expect), __r.shadow)				\
		TH_LOG("shadow gave %ld, expected %ld",			\
		       __r.shadow, (long)(expect));			\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

#define MAP(expect, pg, npg, prot, flags)				\
	VMS_CHECK_RES(expect, vms_both_map(PG(pg), PGS(npg), prot,	\
			(flags) | MAP_PRIVATE | MAP_ANONYMOUS |		\
			((flags) & MAP_FIXED_NOREPLACE ? 0 : MAP_FIXED), -1, 0))
#define MAPS(expect, pg, npg, prot)				\
	VMS_CHECK_RES(expect, vms_both_map(PG(pg), PGS(npg), prot,	\
			MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0))
#define MAPF(expect, pg, npg, prot, flags, file, offpg)		\
	VMS_CHECK_RES(expect, vms_both_map(PG(pg), PGS(npg), prot,	\
			(flags) | MAP_FIXED, file, PGS(offpg)))
#define UNMAP(expect, pg, npg)						\
	VMS_CHECK_RES(expect, vms_both_unmap(PG(pg), PGS(npg)))
#define PROTECT(expect, pg, npg, prot)					\
	VMS_CHECK_RES(expect, vms_both_protect(PG(pg), PGS(npg), prot))
#define TOUCH(pg) VMS_CHECK_RES(0, vms_both_touch(PG(pg)))

#define CHECK_LAYOUT(want) do {						\
	ASSERT_EQ(0, vms_snapshot());					\
	ASSERT_STREQ(want, vms_shadow_layout)				\
		TH_LOG("shadow:\n%s", vms_shadow_win);			\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

#define VMS_SETUP() do {						\
	ASSERT_LE(0, vms_open());					\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
	CHECK_LAYOUT("");						\
} while (0)

#define CHECK_CASE(n) do {						\
	struct vmashadow_explain __e;					\
	struct vmashadow_params __p;					\
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &__e)); \
	ASSERT_EQ(0, vms_get_params(vms_fd, &__p));			\
	if (__p.rules == VMASHADOW_RULES_6_1) {				\
		EXPECT_EQ(n, __e.merge_case);				\
	} else if (__e.merge_case != (n)) {				\
		TH_LOG("6.12 rules: merge_case %u (6.1 numbering: %d)", \
		       __e.merge_case, n);				\
	}								\
} while (0)

/* ==========================================================================
 * The helpers vms_test.h adds for remap, madvise, regress...: the same
 * names, the real side mirroring the shadow; IMPORT brings nothing and
 * vm.max_map_count is the shadow's alone.
 * ========================================================================== */
#include <sys/wait.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

static inline struct vms_res vms_both_remap(unsigned long addr,
					    unsigned long old_len,
					    unsigned long new_len,
					    unsigned int flags,
					    unsigned long new_addr)
{
	unsigned long out = 0;
	long ret = vms_shadow_remap(vms_fd, addr, old_len, new_len, flags,
				    new_addr, &out);

	return vms_mirror(ret, out);
}

static inline struct vms_res vms_both_map_res(unsigned long addr,
					      unsigned long len, int prot,
					      int flags, int file,
					      unsigned long off)
{
	return vms_both_map(addr, len, prot, flags, file, off);
}

static inline struct vms_res vms_both_madvise(unsigned long addr,
					      unsigned long len, int advice)
{
	return vms_mirror(vms_shadow_madvise(vms_fd, addr, len, advice), 0);
}

/* A forked child carries its own copy of the host's shadows. */
static inline pid_t vms_raw_fork(void)
{
	return fork();
}

#define VMS_CHILD_EXIT() _exit(_metadata->passed ? 0 : 1)

#define VMS_WAIT_CHILD(pid) do {					\
	int __st = 0;							\
	ASSERT_EQ((pid), waitpid((pid), &__st, 0));			\
	ASSERT_TRUE(WIFEXITED(__st))					\
		TH_LOG("child died: status 0x%x", __st);		\
	ASSERT_EQ(0, WEXITSTATUS(__st))					\
		TH_LOG("the child's checks failed (see above)");	\
} while (0)

/*
 * IMPORT brings the real process's regions in, so that both sides place
 * alike.  Without a real side there is nothing to bring: the shadow's own
 * placement is what the test's expectations are checked against.
 */
static inline long vms_import(int fd, int pid, unsigned long start,
			      unsigned long end, unsigned long *regions)
{
	if (regions)
		*regions = 1;
	return 0;
}

static char vms_real_rng[VMS_MAPS_SIZE];
static char vms_shadow_rng[VMS_MAPS_SIZE];

static inline long vms_snapshot_range(unsigned long lo, unsigned long hi)
{
	long ret = vms_read_shadow_maps(vms_fd);

	if (ret < 0)
		return ret;
	vms_filter(vms_shadow_maps, lo, hi, vms_shadow_rng,
		   sizeof(vms_shadow_rng));
	strcpy(vms_real_rng, vms_shadow_rng);
	return 0;
}

#define CHECK_RANGE(lo, hi) do {					\
	ASSERT_EQ(0, vms_snapshot_range(lo, hi));			\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

#define VMS_CHECK_ADDR(expect, r, want_addr) do {			\
	struct vms_res __a = (r);					\
	ASSERT_EQ((long)(expect), __a.shadow)				\
		TH_LOG("shadow gave %ld, expected %ld",			\
		       __a.shadow, (long)(expect));			\
	if (!__a.shadow && (unsigned long)(want_addr))			\
		ASSERT_EQ((unsigned long)(want_addr), __a.saddr);	\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

#define REMAP(expect, pg, npg, newnpg, flags, newpg, res_pg)		\
	VMS_CHECK_ADDR(expect, vms_both_remap(PG(pg), PGS(npg), PGS(newnpg), \
			flags, (newpg) < 0 ? 0 : PG(newpg)),		\
			(res_pg) < 0 ? 0 : PG(res_pg))
#define MADVISE(expect, pg, npg, advice)				\
	VMS_CHECK_RES(expect, vms_both_madvise(PG(pg), PGS(npg), advice))

#define FLAGS(pg)	(vms_region_at(pg).vm_flags)

/* The real side's own calls: nothing to do. */
static inline long vms_real_map(unsigned long addr, unsigned long len, int prot,
				int flags, int file, unsigned long off,
				unsigned long *out)
{
	if (out)
		*out = addr;
	return 0;
}

static inline long vms_real_unmap(unsigned long addr, unsigned long len)
{
	return 0;
}

static inline long vms_real_protect(unsigned long addr, unsigned long len,
				    int prot)
{
	return 0;
}

static inline void vms_real_touch(unsigned long addr)
{
}

/* vm.max_map_count: the host's is never touched; the "real" one is a copy. */
static long vms_host_mmc = 65530;

static inline long vms_mmc_read(void)
{
	return vms_host_mmc;
}

static inline int vms_mmc_write(long v)
{
	vms_host_mmc = v;
	return 0;
}

static inline long vms_real_map_count(void)
{
	return vms_shadow_map_count(vms_fd);
}

#define VMS_AT_DISTANCE(dist) do {					\
	long __s = vms_shadow_map_count(vms_fd);			\
	ASSERT_LE(0, __s);						\
	ASSERT_EQ(0, vms_set_max_map_count(vms_fd, __s + (dist)));	\
	ASSERT_EQ(0, vms_mmc_write(__s + (dist)));			\
} while (0)

#endif /* _VMS_TEST_H */
