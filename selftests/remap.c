// SPDX-License-Identifier: GPL-2.0
/*
 * remap: mremap(2) on the shadow against the real kernel.  Shrinking,
 * growing in place (and absorbing the next region), moving (the hidden
 * pgoff of unfaulted and faulted anonymous regions), MREMAP_FIXED over
 * existing regions, MREMAP_DONTUNMAP (row 10), every errno and the
 * map-count limits of move_vma() and mremap_to().
 *
 * Moves inside the window use MREMAP_FIXED.  A move whose destination the
 * kernel chooses lands near mmap_base: those tests import the whole
 * address space first, so that the shadow's search sees every real region,
 * and compare the lines around the destination.
 */
#include "vms_test.h"

#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)
#define MAYMOVE	MREMAP_MAYMOVE
#define FIXED	(MREMAP_MAYMOVE | MREMAP_FIXED)
#define DONTUNMAP (MREMAP_MAYMOVE | MREMAP_DONTUNMAP)

#define ANON(pg)	(vms_region_at(pg).anon_id)

/*
 *   012345678
 *    AAAAAA      shrink to 2 pages: the tail is unmapped
 *    AA
 *
 *   012345678
 *    BBBBBB      old_len 2 at page 3, new_len 1: page 4 goes, a split
 *    BBB CC
 */
TEST(shrink)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	REMAP(0, 1, 6, 2, 0, -1, 1);
	CHECK_LAYOUT("1-3:rw-p");
	UNMAP(0, 1, 2);

	MAP(0, 1, 6, RW, 0);
	REMAP(0, 3, 2, 1, 0, -1, 3);
	CHECK_LAYOUT("1-4:rw-p 5-7:rw-p");
}

/*
 * A shrink is a munmap of the tail: old_len may run past the region and
 * over holes (no -EFAULT, unlike a growth).
 *
 *   012345678
 *    AA BB       shrink page 1 from 5 pages to 1: pages 2-5 unmapped
 *    A
 */
TEST(shrink_across_regions)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 4, 2, RWX, 0);
	REMAP(0, 1, 5, 1, 0, -1, 1);
	CHECK_LAYOUT("1-2:rw-p");
}

/*
 *   0123456789
 *    AA          grow to 4 pages in place
 *    AAAA  NN    N unfaulted, same flags: growing to 6 pages makes A
 *    AAAAAAAA    meet N, and vma_merge absorbs it (case 1)
 */
TEST(grow_in_place)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	REMAP(0, 1, 2, 4, 0, -1, 1);
	CHECK_LAYOUT("1-5:rw-p");
	MAP(0, 7, 2, RW, 0);
	CHECK_LAYOUT("1-5:rw-p 7-9:rw-p");
	REMAP(0, 1, 4, 6, 0, -1, 1);
	CHECK_LAYOUT("1-9:rw-p");
	CHECK_CASE(1);
}

/*
 * Growing an unfaulted region up to a faulted next: the unfaulted range
 * may join a faulted (not forked) neighbour, so N is absorbed too.
 *
 *   0123456789
 *    AA  NN      N touched
 *    AAAANN      grow A by 2
 */
TEST(grow_into_faulted_next)
{
	__u64 n;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	TOUCH(5);
	n = ANON(5);
	REMAP(0, 1, 2, 4, 0, -1, 1);
	CHECK_LAYOUT("1-7:rw-p");
	EXPECT_EQ(n, ANON(1));
}

/*
 * A faulted region growing up to an unfaulted next: the faulted range may
 * not join an unfaulted neighbour; the growth itself still happens.
 *
 *   0123456789
 *    AA  NN      A touched
 *    AAAANN      grow A by 2: two regions
 */
TEST(grow_faulted_next_unfaulted)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	TOUCH(1);
	MAP(0, 5, 2, RW, 0);
	REMAP(0, 1, 2, 4, 0, -1, 1);
	CHECK_LAYOUT("1-5:rw-p 5-7:rw-p");
}

/*
 * Growth in place refused: no MAYMOVE gives -ENOMEM and nothing changes.
 *
 *   0123456789
 *    AABB        B rwx right after A: A cannot grow
 *    CCCC        old_len not up to the region's end: no growth in place
 */
TEST(grow_refused)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, RWX, 0);
	REMAP(-ENOMEM, 1, 2, 4, 0, -1, -1);
	CHECK_LAYOUT("1-3:rw-p 3-5:rwxp");
	UNMAP(0, 1, 4);

	MAP(0, 1, 6, RW, 0);
	REMAP(-ENOMEM, 1, 2, 3, 0, -1, -1);
	CHECK_LAYOUT("1-7:rw-p");
}

/*
 * Moving an unfaulted anonymous region gives it a fresh pgoff (its new
 * address), so it merges at the destination.
 *
 *   0123456789abc
 *       AAAA         unfaulted
 *       AA    BB     move the tail to page 10
 *     BBAA           move it back below A: fresh pgoff, merges
 */
TEST(move_unfaulted_merges)
{
	VMS_SETUP();
	MAP(0, 4, 4, RW, 0);
	REMAP(0, 6, 2, 2, FIXED, 10, 10);
	CHECK_LAYOUT("4-6:rw-p 10-12:rw-p");
	REMAP(0, 10, 2, 2, FIXED, 2, 2);
	CHECK_LAYOUT("2-6:rw-p");
}

/*
 * A faulted region keeps its pgoff (and anon_vma) when moved: it merges
 * only where its pgoff fits again.
 *
 *   0123456789abc
 *       AAAA         touched
 *       AA    BB     move the tail to page 10 (pgoff of page 6)
 *     BBAA           below A: pgoff does not fit, no merge
 *       AABB         back to page 6: fits, merges
 */
TEST(move_faulted_keeps_pgoff)
{
	__u64 a;

	VMS_SETUP();
	MAP(0, 4, 4, RW, 0);
	TOUCH(4);
	a = ANON(4);
	REMAP(0, 6, 2, 2, FIXED, 10, 10);
	CHECK_LAYOUT("4-6:rw-p 10-12:rw-p");
	EXPECT_EQ(a, ANON(10));
	REMAP(0, 10, 2, 2, FIXED, 2, 2);
	CHECK_LAYOUT("2-4:rw-p 4-6:rw-p");
	REMAP(0, 2, 2, 2, FIXED, 6, 6);
	CHECK_LAYOUT("4-8:rw-p");
	EXPECT_EQ(a, ANON(7));
}

/*
 * MREMAP_FIXED unmaps whatever lies at the destination first.
 *
 *   0123456789abcdef
 *    AA     XXXXXX      X rwx, three pages of it replaced
 *           XAAAXX      A moved (and grown) over its middle
 *    BB        ...X     B over A's tail, X and the hole, grown to 6:
 *           XAAAAAAAA   unfaulted both: B's fresh pgoff joins A
 */
TEST(fixed_over_regions)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 7, 6, RWX, 0);
	REMAP(0, 1, 2, 3, FIXED, 8, 8);
	CHECK_LAYOUT("7-8:rwxp 8-11:rw-p 11-13:rwxp");
	/* And over two regions and a hole at once. */
	MAP(0, 1, 2, RW, 0);
	MAP(0, 14, 1, RWX, 0);
	REMAP(0, 1, 2, 6, FIXED, 10, 10);
	CHECK_LAYOUT("7-8:rwxp 8-16:rw-p");
}

/*
 * MREMAP_DONTUNMAP: the source stays mapped and, moved whole, loses its
 * anon_vma (it is unfaulted again, so it merges like one).
 *
 *   0123456789abc
 *    AA              touched
 *    AA       AA     moved to 10 with DONTUNMAP: the source stays, empty
 *    AAAA            a map beside the source merges with it
 */
TEST(dontunmap)
{
	__u64 a;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	TOUCH(1);
	a = ANON(1);
	EXPECT_NE(0, a);
	REMAP(0, 1, 2, 2, DONTUNMAP | MREMAP_FIXED, 10, 10);
	CHECK_LAYOUT("1-3:rw-p 10-12:rw-p");
	EXPECT_EQ(0, ANON(1));
	EXPECT_EQ(a, ANON(10));
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-5:rw-p 10-12:rw-p");
}

/*
 * DONTUNMAP of a part keeps the source's anon_vma (it still maps pages).
 *
 *   0123456789abc
 *    AAAA            touched
 *      ^^     AA     the tail moved with DONTUNMAP: the split source
 *    AAAA            merges back (same anon_vma, pgoff unchanged)
 */
TEST(dontunmap_part)
{
	__u64 a;

	VMS_SETUP();
	MAP(0, 1, 4, RW, 0);
	TOUCH(1);
	a = ANON(1);
	REMAP(0, 3, 2, 2, DONTUNMAP | MREMAP_FIXED, 10, 10);
	CHECK_LAYOUT("1-5:rw-p 10-12:rw-p");
	EXPECT_EQ(a, ANON(1));
	EXPECT_EQ(a, ANON(10));
}

/*
 * Row 10: DONTUNMAP of an unfaulted region to the hole right after it.
 *
 *   012345678
 *    SS  NN      S the source, N unfaulted
 *    SSDDNN      D = the copy, fresh pgoff: fits both neighbours
 *    SSDDNN      6.1: copy_vma does not merge at all
 *    SSDDDD      6.12: merges with N (a self-merge with S is refused)
 */
TEST(row10_dontunmap_beside_source)
{
	int k = vms_kernel();

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	REMAP(0, 1, 2, 2, DONTUNMAP | MREMAP_FIXED, 3, 3);
	if (k == 61)
		CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p");
	else if (k == 612)
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
	else
		SKIP(return, "unknown kernel");
}

/* Every errno of mremap(2); nothing changes on any of them. */
TEST(errors)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, RWX, 0);
	/* unknown flag */
	REMAP(-EINVAL, 1, 2, 2, 8, -1, -1);
	/* FIXED without MAYMOVE */
	REMAP(-EINVAL, 1, 2, 2, MREMAP_FIXED, 10, -1);
	/* DONTUNMAP without MAYMOVE, and with different lengths */
	REMAP(-EINVAL, 1, 2, 2, MREMAP_DONTUNMAP, -1, -1);
	REMAP(-EINVAL, 1, 2, 3, DONTUNMAP, -1, -1);
	/* unaligned addr */
	VMS_CHECK_ADDR(-EINVAL, vms_both_remap(PG(1) + 1, PGS(1), PGS(2), 0, 0), 0);
	/* new_len 0 */
	REMAP(-EINVAL, 1, 2, 0, 0, -1, -1);
	REMAP(-EINVAL, 1, 2, 0, MAYMOVE, -1, -1);
	/* no region at addr: growing, shrinking, moving */
	REMAP(-EFAULT, 6, 1, 2, 0, -1, -1);
	REMAP(-EFAULT, 6, 2, 1, 0, -1, -1);
	REMAP(-EFAULT, 6, 1, 1, FIXED, 10, -1);
	/* old_len beyond the region when growing or moving */
	REMAP(-EFAULT, 1, 3, 4, MAYMOVE, -1, -1);
	REMAP(-EFAULT, 1, 3, 3, FIXED, 10, -1);
	/* old_len 0 of a private mapping */
	REMAP(-EINVAL, 1, 0, 1, MAYMOVE, -1, -1);
	/* FIXED: unaligned new_addr, overlapping ranges */
	VMS_CHECK_ADDR(-EINVAL, vms_both_remap(PG(1), PGS(2), PGS(2), FIXED,
					       PG(10) + 1), 0);
	REMAP(-EINVAL, 1, 2, 2, FIXED, 2, -1);
	REMAP(-EINVAL, 3, 2, 2, FIXED, 2, -1);
	REMAP(-EINVAL, 1, 2, 4, FIXED, 0, -1);
	CHECK_LAYOUT("1-3:rw-p 3-5:rwxp");
	/* Same length, no flags: nothing to do, returns addr. */
	REMAP(0, 1, 2, 2, 0, -1, 1);
	CHECK_LAYOUT("1-3:rw-p 3-5:rwxp");
}

/* ---- moves whose destination the kernel chooses -------------------------- */

/* The whole real address space into the shadow. */
#define IMPORT_SELF() do {						\
	unsigned long __n = 0;						\
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &__n));		\
	ASSERT_LT(0, __n);						\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

/* The lines within 1 MiB of [addr, addr + len) on both sides. */
#define CHECK_AROUND(addr, len)						\
	CHECK_RANGE((addr) - (1UL << 20), (addr) + (len) + (1UL << 20))

/*
 * Growth that cannot happen in place moves with MAYMOVE, to where a
 * top-down search puts it (near mmap_base).  A region of the test mapped
 * there first shows the moved one merging under it (unfaulted: a fresh
 * pgoff) or staying apart (faulted: its old pgoff).
 *
 *   window:   AABB        A rw-, B rwx: A cannot grow
 *   top:      ....TT      T mapped by the kernel's choice
 *             AAAATT      A grown to 4 pages, moved right below T
 */
static void move_maymove(struct __test_metadata *_metadata, bool touch)
{
	struct vms_res r;
	unsigned long t;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, RWX, 0);
	if (touch)
		TOUCH(1);
	IMPORT_SELF();
	r = vms_both_map_res(0, PGS(2), RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VMS_CHECK_ADDR(0, r, 0);
	t = r.raddr;
	r = vms_both_remap(PG(1), PGS(2), PGS(4), MAYMOVE, 0);
	VMS_CHECK_ADDR(0, r, t - PGS(4));
	CHECK_AROUND(t - PGS(4), PGS(6));
	CHECK_LAYOUT("3-5:rwxp");
	/* Leaves the lines of [t - 4 pages, t + 2 pages) in vms_real_rng. */
	ASSERT_EQ(0, vms_snapshot_range(t - PGS(4), t + PGS(2)));
}

TEST(move_maymove_unfaulted)
{
	move_maymove(_metadata, false);
	/* One line: the moved region merged with T. */
	EXPECT_EQ(NULL, strchr(strchr(vms_real_rng, '\n') + 1, '\n'))
		TH_LOG("expected one region:\n%s", vms_real_rng);
}

TEST(move_maymove_faulted)
{
	move_maymove(_metadata, true);
	/* Two lines: the moved region keeps its pgoff and stays apart. */
	EXPECT_NE(NULL, strchr(strchr(vms_real_rng, '\n') + 1, '\n'))
		TH_LOG("expected two regions:\n%s", vms_real_rng);
}

/* ---- the map-count limits --------------------------------------------- */

FIXTURE(remap_limit) {
	long saved;
};

FIXTURE_SETUP(remap_limit)
{
	self->saved = vms_mmc_read();
	ASSERT_LT(0, self->saved);
	VMS_SETUP();
}

FIXTURE_TEARDOWN(remap_limit)
{
	if (self->saved > 0)
		EXPECT_EQ(0, vms_mmc_write(self->saved));
}

/*
 * mremap_to() (MREMAP_FIXED) wants map_count + 2 < max - 3: it fails five
 * below the limit and works six below.
 *
 *   0123456789abc
 *    AA               moved to page 10
 */
TEST_F(remap_limit, fixed)
{
	MAP(0, 1, 2, RW, 0);
	VMS_AT_DISTANCE(5);
	REMAP(-ENOMEM, 1, 2, 2, FIXED, 10, -1);
	CHECK_LAYOUT("1-3:rw-p");
	VMS_AT_DISTANCE(6);
	REMAP(0, 1, 2, 2, FIXED, 10, 10);
	CHECK_LAYOUT("10-12:rw-p");
}

/*
 * move_vma() wants map_count < max - 3: a MAYMOVE growth that must move
 * fails three below the limit and works four below.  Imported first so
 * that the moved region lands at the same place on both sides.
 */
TEST_F(remap_limit, move)
{
	struct vms_res r;

	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, RWX, 0);
	IMPORT_SELF();
	VMS_AT_DISTANCE(3);
	REMAP(-ENOMEM, 1, 2, 4, MAYMOVE, -1, -1);
	CHECK_LAYOUT("1-3:rw-p 3-5:rwxp");
	VMS_AT_DISTANCE(4);
	r = vms_both_remap(PG(1), PGS(2), PGS(4), MAYMOVE, 0);
	VMS_CHECK_ADDR(0, r, 0);
	CHECK_AROUND(r.raddr, PGS(4));
	CHECK_LAYOUT("3-5:rwxp");
}

TEST_HARNESS_MAIN
