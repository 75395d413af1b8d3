// SPDX-License-Identifier: GPL-2.0
/*
 * datalimit: RLIMIT_DATA, against the real kernel.
 *
 * Each test limits its own process (the harness runs every test in a
 * child of its own) to the data it holds now plus a few pages, then
 * IMPORTs the whole process: the shadow takes the limits, the data
 * segment and the heap from it, and its data_pages must be the real
 * VmData.  Then the same calls on both sides in the window, with the
 * window compared line for line and VmData against data_pages:
 *
 *   may_expand_vm()      a data mapping (private, writable, not a stack)
 *                        may not take VmData above the limit: mmap, brk,
 *                        mremap's growth and MREMAP_DONTUNMAP: -ENOMEM.
 *                        A MAP_FIXED asks only for the pages it adds to
 *                        what it replaces, of whatever kind.
 *   mprotect_fixup()     a region that becomes data: -ENOMEM, the regions
 *                        before it in the range keeping their change
 *   check_data_rlimit()  brk(): heap plus data segment above the limit
 *                        fails, even a shrink
 *   a soft limit of 0    may_expand_vm() takes the hard one (for Valgrind)
 *
 * Nothing between the checks may allocate: no stdio, no malloc.
 */
#include <sys/resource.h>
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)

/* VmData in pages when the test set its limit: the data outside the window */
static long data_base;

static int set_data_limit(unsigned long soft, unsigned long hard)
{
	struct rlimit rl = { soft, hard };

	return setrlimit(RLIMIT_DATA, &rl) ? -errno : 0;
}

/* VmData of both sides, in pages. */
#define CHECK_DATA() do {						\
	struct vmashadow_stats __st;					\
	long __vmdata = vms_status_pages("VmData");			\
	ASSERT_LT(0, __vmdata);						\
	ASSERT_EQ(0, vms_stats(vms_fd, &__st));				\
	ASSERT_EQ(__vmdata, (long)__st.data_pages)			\
		TH_LOG("VmData %ld pages, shadow %llu", __vmdata,	\
		       (unsigned long long)__st.data_pages);		\
} while (0)

/* A new shadow of the whole process, limits and heap included. */
#define IMPORT_SELF() do {						\
	if (vms_fd >= 0)						\
		close(vms_fd);						\
	ASSERT_LE(0, vms_open());					\
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));		\
	CHECK_DATA();							\
} while (0)

/*
 * Room for @soft pages of data in the window (@hard for the hard limit):
 * the rest of the process keeps what it has.  -1 for @soft: a soft limit
 * of 0.
 */
#define DATA_LIMIT(soft, hard) do {					\
	data_base = vms_status_pages("VmData");			\
	ASSERT_LT(0, data_base);					\
	ASSERT_EQ(0, set_data_limit((soft) < 0 ? 0 :			\
				    PGS(data_base + (soft)),		\
				    PGS(data_base + (hard))));		\
	IMPORT_SELF();							\
} while (0)

/* The window holds @pages of data. */
#define CHECK_WINDOW_DATA(pages) do {					\
	CHECK_DATA();							\
	EXPECT_EQ(data_base + (pages), vms_status_pages("VmData"));	\
} while (0)

/*
 * The shadow takes the limits from its opener and, on IMPORT, the
 * limits and the data segment from the process; only private writable
 * memory counts as data.
 */
TEST(limits_and_segment)
{
	struct vmashadow_params p;

	DATA_LIMIT(5, 9);
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(PGS(data_base + 5), p.rlimit_data);
	EXPECT_EQ(PGS(data_base + 9), p.rlimit_data_max);
	EXPECT_EQ(0, p.ignore_rlimit_data);
	EXPECT_EQ(vms_stat_field(45), p.start_data);
	EXPECT_EQ(vms_stat_field(46), p.end_data);
	EXPECT_LT(p.start_data, p.end_data);
	/* a new descriptor starts with its opener's limits */
	close(vms_fd);
	ASSERT_LE(0, vms_open());
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(PGS(data_base + 5), p.rlimit_data);
	EXPECT_EQ(PGS(data_base + 9), p.rlimit_data_max);
	/* and IMPORT reads them again from the process */
	ASSERT_EQ(0, set_data_limit(PGS(data_base + 4), PGS(data_base + 8)));
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(PGS(data_base + 4), p.rlimit_data);
	EXPECT_EQ(PGS(data_base + 8), p.rlimit_data_max);
	ASSERT_EQ(0, set_data_limit(PGS(data_base + 5), PGS(data_base + 8)));

	IMPORT_SELF();
	MAP(0, 0, 3, RW, 0);
	MAP(0, 10, 2, R, 0);
	MAPS(0, 20, 2, RW);
	MAP(0, 30, 2, RW, MAP_GROWSDOWN);
	MAP(0, 40, 2, RWX, 0);
	CHECK_WINDOW_DATA(5);
	CHECK_LAYOUT("0-3:rw-p 10-12:r--p 20-22:rw-s 30-32:rw-p 40-42:rwxp");
}

/*
 * Room for 8 pages:
 *
 *   0         1         2         3         4         5         6
 *   DDDDDD    RRR       SSSS      GG        DD
 *             +++                                 the 3rd: 6 + 3 > 8
 *   ...                                            read-only, shared and
 *                                                  stack-like: no data
 *                                             +   the 9th: -ENOMEM
 *             DDD                                 MAP_FIXED over RRR asks
 *                                                  for 3 - 3 replaced: 11
 *   DDDDDD                                        but at 11 even data over
 *                                                  data asks too much
 */
TEST(mmap_against_limit)
{
	DATA_LIMIT(8, 8);
	CHECK_LAYOUT("");
	MAP(0, 0, 6, RW, 0);
	MAP(-ENOMEM, 10, 3, RW, 0);
	CHECK_WINDOW_DATA(6);
	MAP(0, 10, 3, R, 0);
	MAPS(0, 20, 4, RW);
	MAP(0, 30, 2, RW, MAP_GROWSDOWN);
	MAP(0, 40, 2, RW, 0);
	CHECK_WINDOW_DATA(8);
	MAP(-ENOMEM, 50, 1, RW, 0);
	MAP(-ENOMEM, 50, 1, RW, MAP_POPULATE);
	CHECK_LAYOUT("0-6:rw-p 10-13:r--p 20-24:rw-s 30-32:rw-p 40-42:rw-p");
	/* may_expand_vm(len - every page replaced): 8 + 0 <= 8 */
	MAP(0, 10, 3, RW, 0);
	CHECK_WINDOW_DATA(11);
	MAP(-ENOMEM, 50, 1, RW, 0);
	/*
	 * Above the limit now, even replacing data with data is refused:
	 * data_vm + 0 pages is still more than it allows.
	 */
	MAP(-ENOMEM, 0, 6, RW, 0);
	CHECK_WINDOW_DATA(11);
	CHECK_LAYOUT("0-6:rw-p 10-13:rw-p 20-24:rw-s 30-32:rw-p 40-42:rw-p");
	/* freeing data makes room again */
	UNMAP(0, 0, 4);
	MAP(0, 50, 1, RW, 0);
	CHECK_WINDOW_DATA(8);
}

/*
 * Room for 4 pages: mprotect() may not make more data than that, and in a
 * range of several regions the ones before the refusal keep their change.
 *
 *   0         1         2
 *   DDDD      RRRR      SSRR      D data, R read-only, S shared
 *   RRDD                          the first two made read-only: 2
 *   DDDD                          and writable again: 4, merged back
 *             ++                  -ENOMEM: 4 + 2 > 4
 *                       SSRR      writable: the shared pair changes,
 *                       ww        the private pair is refused
 */
TEST(mprotect_into_data)
{
	DATA_LIMIT(4, 4);
	MAP(0, 0, 4, RW, 0);
	MAP(0, 10, 4, R, 0);
	MAPS(0, 20, 2, R);
	MAP(0, 22, 2, R, 0);
	PROTECT(0, 0, 2, R);
	CHECK_WINDOW_DATA(2);
	CHECK_LAYOUT("0-2:r--p 2-4:rw-p 10-14:r--p 20-22:r--s 22-24:r--p");
	PROTECT(0, 0, 2, RW);
	CHECK_WINDOW_DATA(4);
	PROTECT(-ENOMEM, 10, 2, RW);
	PROTECT(-ENOMEM, 20, 4, RW);
	CHECK_WINDOW_DATA(4);
	CHECK_LAYOUT("0-4:rw-p 10-14:r--p 20-22:rw-s 22-24:r--p");
	/* what is data already may change: rw- to rwx stays data */
	PROTECT(0, 0, 4, RWX);
	CHECK_WINDOW_DATA(4);
	CHECK_LAYOUT("0-4:rwxp 10-14:r--p 20-22:rw-s 22-24:r--p");
}

/*
 * A limit lowered below what the process holds: data may stay data
 * (may_expand_vm() refuses both the new and the old flags, which is no
 * refusal), but nothing may become data.
 */
TEST(below_limit_already)
{
	DATA_LIMIT(8, 8);
	MAP(0, 0, 6, RW, 0);
	ASSERT_EQ(0, set_data_limit(PGS(data_base + 2), PGS(data_base + 2)));
	IMPORT_SELF();
	PROTECT(0, 0, 6, RWX);
	PROTECT(0, 0, 2, R);
	PROTECT(-ENOMEM, 0, 2, RW);
	MAP(-ENOMEM, 10, 1, RW, 0);
	/* a move that does not grow asks nothing; growth is refused */
	REMAP(0, 2, 4, 4, MREMAP_MAYMOVE | MREMAP_FIXED, 20, 20);
	REMAP(-ENOMEM, 20, 4, 5, 0, -1, -1);
	CHECK_WINDOW_DATA(4);
	CHECK_LAYOUT("0-2:r--p 20-24:rwxp");
}

/*
 * Room for 8 pages: a mapping may grow in place, move, or be duplicated
 * by MREMAP_DONTUNMAP only as far as the limit goes; read-only memory
 * grows freely.
 */
TEST(mremap_against_limit)
{
	const int dontunmap = MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP;

	DATA_LIMIT(8, 8);
	MAP(0, 0, 4, RW, 0);
	REMAP(-ENOMEM, 0, 4, 9, 0, -1, -1);
	REMAP(0, 0, 4, 8, 0, -1, 0);
	CHECK_WINDOW_DATA(8);
	MAP(0, 20, 2, R, 0);
	REMAP(0, 20, 2, 12, 0, -1, 20);
	UNMAP(0, 4, 4);
	CHECK_WINDOW_DATA(4);
	/* the old range stays: DONTUNMAP adds old_len */
	REMAP(0, 0, 4, 4, dontunmap, 40, 40);
	CHECK_WINDOW_DATA(8);
	REMAP(-ENOMEM, 0, 4, 4, dontunmap, 50, -1);
	/* a move to a new place adds only the growth */
	REMAP(-ENOMEM, 40, 4, 5, MREMAP_MAYMOVE | MREMAP_FIXED, 60, -1);
	REMAP(0, 40, 4, 4, MREMAP_MAYMOVE | MREMAP_FIXED, 60, 60);
	CHECK_WINDOW_DATA(8);
	CHECK_LAYOUT("0-4:rw-p 20-32:r--p 60-64:rw-p");
}

/*
 * The heap: growth meets may_expand_vm() like any data, and before that
 * check_data_rlimit() counts the heap and the data segment against the
 * limit, which refuses even a shrink while they stay above it.  Every
 * break stays above the one the test began with: the static binary keeps
 * its TLS in the heap.
 */
TEST(brk_against_limit)
{
	unsigned long b = vms_real_brk(0), seg;
	struct vmashadow_params p;

	IMPORT_SELF();
	BRK(b + PGS(2), b + PGS(2));
	CHECK_DATA();

	DATA_LIMIT(3, 3);
	BRK(b + PGS(5), b + PGS(5));
	BRK(b + PGS(6), b + PGS(5));
	CHECK_WINDOW_DATA(3);

	/* heap plus data segment one page above the limit */
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	seg = p.end_data - p.start_data;
	ASSERT_EQ(0, set_data_limit(b + PGS(5) - p.start_brk + seg - PGS(1),
				    PGS(data_base + 3)));
	IMPORT_SELF();
	/* a shrink that stays above it, even within the page: refused */
	BRK(b + PGS(5) - 100, b + PGS(5));
	BRK(b + PGS(4) + 100, b + PGS(5));
	/* one that goes below it: done */
	BRK(b + PGS(4) - 100, b + PGS(4) - 100);
	BRK(b + PGS(3), b + PGS(3));
	CHECK_DATA();
	CHECK_RANGE(p.start_brk, p.start_brk + (1UL << 30));
}

/*
 * A soft limit of 0 is what Valgrind leaves its guest: may_expand_vm()
 * then holds data to the hard limit, but brk()'s own check sees 0 and
 * refuses every call.
 */
TEST(soft_limit_zero)
{
	unsigned long b = vms_real_brk(0);
	struct vmashadow_params p;

	DATA_LIMIT(-1, 4);
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(0, p.rlimit_data);
	EXPECT_EQ(PGS(data_base + 4), p.rlimit_data_max);
	BRK(b + PGS(1), b);
	MAP(0, 0, 3, RW, 0);
	MAP(-ENOMEM, 10, 2, RW, 0);
	MAP(0, 10, 1, RW, 0);
	MAP(-ENOMEM, 20, 1, RW, 0);
	CHECK_WINDOW_DATA(4);
	CHECK_LAYOUT("0-3:rw-p 10-11:rw-p");
}

TEST_HARNESS_MAIN
