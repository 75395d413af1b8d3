// SPDX-License-Identifier: GPL-2.0
/*
 * madvise: the advice that changes vm_flags splits the region around the
 * range and merges it back when undone; the flag is invisible in maps, so
 * FIND's vm_flags shows it.  The advice that only acts on pages checks
 * the range and changes no region.  Errors: -EINVAL (bad advice, unaligned
 * start, WIPEONFORK on a shared or file mapping), -ENOMEM for a hole (after
 * doing the rest), -EAGAIN when a split would pass vm.max_map_count.
 * MADV_POPULATE_(READ|WRITE) fault pages in: a write gives private memory
 * its anon_vma, seen in the merges that follow.
 */
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)

#ifndef MADV_COLD
#define MADV_COLD	20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

FIXTURE(adv) {
};

/* One pair of advice: @set adds @flag, @undo takes it away again. */
FIXTURE_VARIANT(adv) {
	int set;
	int undo;
	__u64 flag;
	__u64 undo_flag;	/* what @undo leaves instead (NOHUGEPAGE) */
};

FIXTURE_VARIANT_ADD(adv, dontfork) {
	.set = MADV_DONTFORK, .undo = MADV_DOFORK,
	.flag = VMASHADOW_VM_DONTCOPY,
};
FIXTURE_VARIANT_ADD(adv, dontdump) {
	.set = MADV_DONTDUMP, .undo = MADV_DODUMP,
	.flag = VMASHADOW_VM_DONTDUMP,
};
FIXTURE_VARIANT_ADD(adv, wipeonfork) {
	.set = MADV_WIPEONFORK, .undo = MADV_KEEPONFORK,
	.flag = VMASHADOW_VM_WIPEONFORK,
};
FIXTURE_VARIANT_ADD(adv, mergeable) {
	.set = MADV_MERGEABLE, .undo = MADV_UNMERGEABLE,
	.flag = VMASHADOW_VM_MERGEABLE,
};
FIXTURE_VARIANT_ADD(adv, sequential) {
	.set = MADV_SEQUENTIAL, .undo = MADV_NORMAL,
	.flag = VMASHADOW_VM_SEQ_READ,
};
FIXTURE_VARIANT_ADD(adv, random) {
	.set = MADV_RANDOM, .undo = MADV_NORMAL,
	.flag = VMASHADOW_VM_RAND_READ,
};
/* There is no advice back to neither: NOHUGEPAGE replaces HUGEPAGE. */
FIXTURE_VARIANT_ADD(adv, hugepage) {
	.set = MADV_HUGEPAGE, .undo = MADV_NOHUGEPAGE,
	.flag = VMASHADOW_VM_HUGEPAGE, .undo_flag = VMASHADOW_VM_NOHUGEPAGE,
};
FIXTURE_VARIANT_ADD(adv, nohugepage) {
	.set = MADV_NOHUGEPAGE, .undo = MADV_HUGEPAGE,
	.flag = VMASHADOW_VM_NOHUGEPAGE, .undo_flag = VMASHADOW_VM_HUGEPAGE,
};

FIXTURE_SETUP(adv)
{
	VMS_SETUP();
}

FIXTURE_TEARDOWN(adv)
{
}

/*
 *   0123456789
 *    AAAAAA        unfaulted, then faulted (the same must hold for both)
 *      ++          advice: three regions, the flag in the middle only
 *      --          undone: one region again (for the HUGEPAGE pair:
 *                  the whole range gets the other flag, one region)
 *      ++          on an exact region: no split, no merge needed
 */
static void split_and_merge(struct __test_metadata *_metadata,
			    const FIXTURE_VARIANT(adv) *variant, bool touch)
{
	MAP(0, 1, 6, RW, 0);
	if (touch)
		TOUCH(1);
	MADVISE(0, 3, 2, variant->set);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p");
	EXPECT_EQ(0, FLAGS(1) & variant->flag);
	EXPECT_EQ(variant->flag, FLAGS(3) & variant->flag);
	EXPECT_EQ(0, FLAGS(5) & variant->flag);
	/* The same advice again changes nothing. */
	MADVISE(0, 3, 2, variant->set);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p");
	if (!variant->undo_flag) {
		MADVISE(0, 3, 2, variant->undo);
		CHECK_LAYOUT("1-7:rw-p");
		EXPECT_EQ(0, FLAGS(3) & variant->flag);
	} else {
		/*
		 * No advice takes the middle back to its neighbours:
		 * they come to it instead.
		 */
		MADVISE(0, 1, 2, variant->set);
		CHECK_LAYOUT("1-5:rw-p 5-7:rw-p");
		MADVISE(0, 5, 2, variant->set);
		CHECK_LAYOUT("1-7:rw-p");
		EXPECT_EQ(variant->flag, FLAGS(6) & variant->flag);
		MADVISE(0, 1, 6, variant->undo);
		CHECK_LAYOUT("1-7:rw-p");
		EXPECT_EQ(variant->undo_flag, FLAGS(3) &
			  (variant->flag | variant->undo_flag));
	}
	/* A whole region: no split. */
	MADVISE(0, 1, 6, variant->set);
	CHECK_LAYOUT("1-7:rw-p");
	EXPECT_EQ(variant->flag, FLAGS(4) & variant->flag);
	/*
	 * A range over two regions: only what changes splits.
	 *
	 *   0123456789ab
	 *    AAAAAARRRR    A has the flag, R r-- has not
	 *        ++++      R's head gets it
	 *      ----        undone over A's tail and R's head: R's pieces
	 *                  merge again (unless undo sets another flag)
	 */
	MAP(0, 7, 4, R, 0);
	MADVISE(0, 5, 4, variant->set);
	CHECK_LAYOUT("1-7:rw-p 7-9:r--p 9-11:r--p");
	MADVISE(0, 3, 6, variant->undo);
	if (!variant->undo_flag)
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p 7-11:r--p");
	else
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p 7-9:r--p 9-11:r--p");
}

TEST_F(adv, unfaulted)
{
	split_and_merge(_metadata, variant, false);
}

TEST_F(adv, faulted)
{
	split_and_merge(_metadata, variant, true);
}

/*
 * Advice that acts on pages changes no region, even over part of one.
 *
 *   0123456789
 *    AAAAAA
 *      ..      WILLNEED, DONTNEED, FREE, COLD, PAGEOUT: still one region
 */
TEST(page_advice)
{
	static const int advice[] = {
		MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_PAGEOUT,
	};
	unsigned int i;

	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	TOUCH(3);
	for (i = 0; i < sizeof(advice) / sizeof(advice[0]); i++) {
		MADVISE(0, 3, 2, advice[i]);
		CHECK_LAYOUT("1-7:rw-p");
	}
	/* Over a hole: -ENOMEM, still nothing split. */
	MAP(0, 9, 2, RW, 0);
	for (i = 0; i < sizeof(advice) / sizeof(advice[0]); i++) {
		MADVISE(-ENOMEM, 5, 5, advice[i]);
		CHECK_LAYOUT("1-7:rw-p 9-11:rw-p");
	}
}

/*
 * A hole in the range: the regions around it are changed all the same,
 * then -ENOMEM.
 *
 *   0123456789ab
 *    AA   BBBB
 *     ++++++        DONTFORK over the hole: both split, -ENOMEM
 */
TEST(hole_enomem)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 4, RW, 0);
	MADVISE(-ENOMEM, 2, 5, MADV_DONTFORK);
	CHECK_LAYOUT("1-2:rw-p 2-3:rw-p 5-7:rw-p 7-9:rw-p");
	EXPECT_NE(0, FLAGS(2) & VMASHADOW_VM_DONTCOPY);
	EXPECT_NE(0, FLAGS(6) & VMASHADOW_VM_DONTCOPY);
	EXPECT_EQ(0, FLAGS(7) & VMASHADOW_VM_DONTCOPY);
	/* Nothing mapped at all: -ENOMEM too. */
	MADVISE(-ENOMEM, 12, 2, MADV_DONTFORK);
	MADVISE(-ENOMEM, 12, 2, MADV_WILLNEED);
	CHECK_LAYOUT("1-2:rw-p 2-3:rw-p 5-7:rw-p 7-9:rw-p");
}

/*
 * -EINVAL: unknown advice, unaligned start, WIPEONFORK on a shared
 * anonymous mapping or a file.  len 0 is a success that does nothing.
 */
TEST(errors)
{
	char path[64];
	int file;

	VMS_SETUP();
	file = vms_make_file(path, sizeof(path), "madv", 4);
	ASSERT_LE(0, file);
	unlink(path);
	MAP(0, 1, 2, RW, 0);
	MAPS(0, 4, 2, RW);
	MAPF(0, 7, 2, RW, MAP_PRIVATE, file, 0);
	MADVISE(-EINVAL, 1, 2, 12345);
	VMS_CHECK_RES(-EINVAL, vms_both_madvise(PG(1) + 1, PGS(1),
						MADV_DONTFORK));
	MADVISE(-EINVAL, 4, 2, MADV_WIPEONFORK);
	MADVISE(-EINVAL, 7, 2, MADV_WIPEONFORK);
	MADVISE(0, 1, 0, MADV_DONTFORK);
	CHECK_LAYOUT("1-3:rw-p 4-6:rw-s 7-9:rw-p");
	/* KEEPONFORK is fine anywhere, DONTFORK on the file splits it. */
	MADVISE(0, 7, 2, MADV_KEEPONFORK);
	MADVISE(0, 8, 1, MADV_DONTFORK);
	CHECK_LAYOUT("1-3:rw-p 4-6:rw-s 7-8:rw-p 8-9:rw-p");
	close(file);
}

#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif

/*
 * MADV_DONTNEED_LOCKED is DONTNEED that takes locked memory too; MADV_REMOVE
 * punches a hole in the file of a shared mapping that may write: -EINVAL
 * without a file or on locked memory, -EACCES on a private mapping or a
 * shared one that may not write.  Neither changes a region.
 *
 *   0123456789ab
 *    LL SS PP RR    L locked anon, S shared anon, P private file,
 *                   R shared file opened read-only
 */
TEST(discard_advice)
{
	char path[64];
	int file, ro;

	VMS_SETUP();
	file = vms_make_file(path, sizeof(path), "madvrm", 4);
	ASSERT_LE(0, file);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, ro);
	unlink(path);
	MAP(0, 1, 2, RW, MAP_LOCKED);
	MAPS(0, 4, 2, RW);
	MAPF(0, 7, 2, RW, MAP_PRIVATE, file, 0);
	MAPF(0, 10, 2, PROT_READ, MAP_SHARED, ro, 0);
	MADVISE(-EINVAL, 1, 2, MADV_DONTNEED);
	MADVISE(0, 1, 2, MADV_DONTNEED_LOCKED);
	MADVISE(-EINVAL, 1, 2, MADV_REMOVE);
	MADVISE(0, 4, 2, MADV_REMOVE);
	MADVISE(-EACCES, 7, 2, MADV_REMOVE);
	MADVISE(-EACCES, 10, 2, MADV_REMOVE);
	MAPF(0, 7, 2, RW, MAP_SHARED, file, 0);
	MADVISE(0, 7, 1, MADV_REMOVE);
	CHECK_LAYOUT("1-3:rw-p 4-6:rw-s 7-9:rw-s 10-12:r--s");
	close(ro);
	close(file);
}

/* ---- MADV_POPULATE_(READ|WRITE) --------------------------------------- */

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

/*
 * POPULATE_WRITE faults private memory in for writing, which gives each
 * region an anon_vma; POPULATE_READ maps the zero page and gives none.
 * The anon_vmas show in the next merge: a region mapped into the hole
 * between two populated ones merges with both only if they have none
 * (two anon_vmas made apart differ), and otherwise with one of them:
 * 6.1's mmap_region() tries next first, 6.12's vma_merge_new_range()
 * prev.
 *
 *   0123456789
 *    A+B  C+D      + mapped last: READ 1-4; WRITE 6-7 7-9 (6.1),
 *                  6-8 8-9 (6.12)
 */
TEST(populate)
{
	int k = vms_kernel();

	VMS_SETUP();
	if (k != 61 && k != 612)
		SKIP(return, "the outcome is known for 6.1 and 6.12 only");
	MAP(0, 1, 1, RW, 0);
	MAP(0, 3, 1, RW, 0);
	MADVISE(0, 1, 1, MADV_POPULATE_READ);
	MADVISE(0, 3, 1, MADV_POPULATE_READ);
	MAP(0, 2, 1, RW, 0);
	MAP(0, 6, 1, RW, 0);
	MAP(0, 8, 1, RW, 0);
	MADVISE(0, 6, 1, MADV_POPULATE_WRITE);
	MADVISE(0, 8, 1, MADV_POPULATE_WRITE);
	MAP(0, 7, 1, RW, 0);
	CHECK_LAYOUT(k == 61 ? "1-4:rw-p 6-7:rw-p 7-9:rw-p" :
			       "1-4:rw-p 6-8:rw-p 8-9:rw-p");
}

/*
 * check_vma_flags() without FOLL_FORCE: -EINVAL for a read of memory
 * without VM_READ (PROT_NONE, or PROT_WRITE alone) and a write of memory
 * without VM_WRITE.  Shared memory takes a write without an anon_vma.
 *
 *   0123456789
 *    NN WW RR SS   N none, W write-only, R read-only, S shared
 */
TEST(populate_errors)
{
	VMS_SETUP();
	MAP(0, 1, 2, PROT_NONE, 0);
	MAP(0, 4, 2, PROT_WRITE, 0);
	MAP(0, 7, 2, R, 0);
	MAPS(0, 10, 2, RW);
	MADVISE(-EINVAL, 1, 2, MADV_POPULATE_READ);
	MADVISE(-EINVAL, 1, 2, MADV_POPULATE_WRITE);
	MADVISE(-EINVAL, 4, 2, MADV_POPULATE_READ);
	MADVISE(0, 4, 2, MADV_POPULATE_WRITE);
	MADVISE(0, 7, 2, MADV_POPULATE_READ);
	MADVISE(-EINVAL, 7, 2, MADV_POPULATE_WRITE);
	MADVISE(0, 10, 2, MADV_POPULATE_WRITE);
	/* R first: -EINVAL before the hole at 9 */
	MADVISE(-EINVAL, 8, 3, MADV_POPULATE_WRITE);
	CHECK_LAYOUT("1-3:---p 4-6:-w-p 7-9:r--p 10-12:rw-s");
}

/*
 * A shared anonymous object keeps the size it was made with, and mremap()
 * can map past it: a fault there is SIGBUS, which populate reports as
 * -EFAULT (found by selftests/conform).
 *
 *   0123456
 *    SS          shared anonymous, 2 pages
 *    SSSS        grown in place to 4: pages 3-4 are past the object
 */
TEST(populate_past_shmem)
{
	VMS_SETUP();
	MAPS(0, 1, 2, RW);
	REMAP(0, 1, 2, 4, 0, -1, 1);
	MADVISE(0, 1, 2, MADV_POPULATE_WRITE);
	MADVISE(0, 2, 1, MADV_POPULATE_READ);
	MADVISE(-EFAULT, 2, 2, MADV_POPULATE_READ);
	MADVISE(-EFAULT, 3, 2, MADV_POPULATE_WRITE);
	CHECK_LAYOUT("1-5:rw-s");
}

/*
 * A file has the size it has when the fault comes: a page at or past it is
 * SIGBUS, -EFAULT, for reads and writes, private or shared.  A write
 * fault in a private mapping prepares the anon_vma before it reads the
 * page (do_cow_fault()), so even a page past the end leaves one, which
 * the next neighbour to fault in then shares, and a merge shows it.
 *
 *   0123456789abcdef
 *    AABB     SSSS     file of 1 page; A rw- at page 2 of it, B rwx at
 *                      page 4, both past its end; S shared, offset 0
 *    AA                POPULATE_WRITE: -EFAULT, A has an anon_vma now
 *      BB              POPULATE_WRITE: -EFAULT, B takes A's anon_vma
 *      ++              mprotect B rw-: one anon_vma, A and B merge
 *             SSSS     page 0 fine, pages 1-3 past the end; the file
 *                      grows to 4 pages: all of them fine
 */
TEST(populate_past_eof)
{
	char path[64];
	int file;

	VMS_SETUP();
	file = vms_make_file(path, sizeof(path), "madveof", 1);
	ASSERT_LE(0, file);
	unlink(path);
	MAPF(0, 1, 2, RW, MAP_PRIVATE, file, 2);
	MAPF(0, 3, 2, RW | PROT_EXEC, MAP_PRIVATE, file, 4);
	MAPF(0, 10, 4, RW, MAP_SHARED, file, 0);
	MADVISE(-EFAULT, 1, 2, MADV_POPULATE_READ);
	MADVISE(-EFAULT, 1, 2, MADV_POPULATE_WRITE);
	MADVISE(-EFAULT, 3, 2, MADV_POPULATE_WRITE);
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-5:rw-p 10-14:rw-s");
	MADVISE(0, 10, 1, MADV_POPULATE_WRITE);
	MADVISE(-EFAULT, 10, 2, MADV_POPULATE_READ);
	MADVISE(-EFAULT, 11, 3, MADV_POPULATE_WRITE);
	ASSERT_EQ(0, ftruncate(file, PGS(4)));
	MADVISE(0, 10, 4, MADV_POPULATE_READ);
	MADVISE(0, 10, 4, MADV_POPULATE_WRITE);
	CHECK_LAYOUT("1-5:rw-p 10-14:rw-s");
	close(file);
}

/*
 * A hole first: 6.1 walks the range as for any advice, populating what
 * is mapped and saying -ENOMEM at the end; 6.12's madvise_populate()
 * stops at the hole at once.  Which it did shows in the next merge.
 *
 *   01234567
 *   .A   B.      POPULATE_WRITE of 0-7: 6.1 gives A and B anon_vmas
 *     +++        mapped between: 6.1 1-2 2-6 (with B, as above), 6.12
 *                1-6 (neither has one)
 */
TEST(populate_hole)
{
	int k = vms_kernel();

	VMS_SETUP();
	if (k != 61 && k != 612)
		SKIP(return, "the outcome is known for 6.1 and 6.12 only");
	MAP(0, 1, 1, RW, 0);
	MAP(0, 5, 1, RW, 0);
	MADVISE(-ENOMEM, 0, 7, MADV_POPULATE_WRITE);
	MAP(0, 2, 3, RW, 0);
	CHECK_LAYOUT(k == 61 ? "1-2:rw-p 2-6:rw-p" : "1-6:rw-p");
}

/* ---- the map-count limit --------------------------------------------- */

FIXTURE(madv_limit) {
	long saved;
};

FIXTURE_SETUP(madv_limit)
{
	self->saved = vms_mmc_read();
	ASSERT_LT(0, self->saved);
	VMS_SETUP();
}

FIXTURE_TEARDOWN(madv_limit)
{
	if (self->saved > 0)
		EXPECT_EQ(0, vms_mmc_write(self->saved));
}

/*
 * A split needs map_count < max; madvise turns split_vma's -ENOMEM into
 * -EAGAIN.
 *
 *   012345678
 *    AAAAAA      count == limit
 *      ++        -EAGAIN (head, middle and tail alike)
 *    ++++++      the whole region: no split, works
 */
TEST_F(madv_limit, eagain)
{
	MAP(0, 1, 6, RW, 0);
	VMS_AT_DISTANCE(0);
	MADVISE(-EAGAIN, 3, 2, MADV_DONTFORK);
	MADVISE(-EAGAIN, 1, 2, MADV_DONTFORK);
	MADVISE(-EAGAIN, 5, 2, MADV_DONTDUMP);
	CHECK_LAYOUT("1-7:rw-p");
	MADVISE(0, 1, 6, MADV_DONTFORK);
	CHECK_LAYOUT("1-7:rw-p");
	/*
	 * One below: the first split of a middle range works and reaches
	 * the limit, the second fails; the first stays done.
	 *
	 *    AA|AAAA     -EAGAIN, flags unchanged
	 */
	VMS_AT_DISTANCE(1);
	MADVISE(-EAGAIN, 3, 2, MADV_DOFORK);
	CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
	EXPECT_NE(0, FLAGS(3) & VMASHADOW_VM_DONTCOPY);
	/* One below again: only the split at page 5 is left to do. */
	VMS_AT_DISTANCE(1);
	MADVISE(0, 3, 2, MADV_DOFORK);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p");
	/* Page advice needs no split: fine at the limit. */
	MADVISE(0, 2, 1, MADV_DONTNEED);
}

TEST_HARNESS_MAIN
