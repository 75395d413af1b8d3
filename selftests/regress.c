// SPDX-License-Identifier: GPL-2.0
/*
 * regress: one deterministic test per mismatch that the differential
 * tester (conform.c) found, each the minimized reproducer it printed,
 * drawn as a diagram.  The expected results are the real kernel's: every
 * operation is done on both sides and compared, as everywhere else.
 */
#include "vms_test.h"

#define RW	(PROT_READ | PROT_WRITE)
#define RO	PROT_READ
#define FIXED	(MREMAP_MAYMOVE | MREMAP_FIXED)

#define ANON(pg)	(vms_region_at(pg).anon_id)

/*
 * conform seeds 4, 14, 23 (6.1 and 6.12): mremap with old_len 0 makes a
 * second mapping of a shared mapping's pages; move_vma()'s closing munmap
 * of 0 bytes does nothing, so the source is not split.
 *
 *   0123456789
 *    SSSS         shared file mapping, file pages 0-3
 *       ^         mremap(page 3, old_len 0, 1 page, MAYMOVE|FIXED, page 8)
 *    SSSS    D    the source stays one region; D maps file page 3
 */
TEST(remap_dup_leaves_source_whole)
{
	char path[64];
	int fd;

	VMS_SETUP();
	fd = vms_make_file(path, sizeof(path), "dup", 16);
	ASSERT_LE(0, fd);
	MAPF(0, 1, 4, RO, MAP_SHARED, fd, 0);
	REMAP(0, 3, 0, 1, FIXED, 8, 8);
	CHECK_LAYOUT("1-5:r--s 8-9:r--s");
	unlink(path);
}

/*
 * The same with shared anonymous memory (old_len 0 is for shared
 * mappings of any kind).
 *
 *   0123456789
 *    SSSS         shared anonymous
 *      ^          mremap(page 2, 0, 2 pages, MAYMOVE|FIXED, page 7)
 *    SSSS   DD
 */
TEST(remap_dup_shmem_leaves_source_whole)
{
	VMS_SETUP();
	MAPS(0, 1, 4, RW);
	REMAP(0, 2, 0, 2, FIXED, 7, 7);
	CHECK_LAYOUT("1-5:rw-s 7-9:rw-s");
}

/*
 * conform seed 8 (6.1 and 6.12): MAP_POPULATE of writable private
 * anonymous memory faults every page in at once: the region has an
 * anon_vma right after mmap, as after a write fault.  Two populated
 * regions thus hold different anon_vmas, and filling the hole between
 * them is row 2 of the 6.1/6.12 table (6.1 joins next, 6.12 prev), not
 * the three-way merge of unfaulted neighbours.
 *
 *   0123456789
 *    PPP PPP      both MAP_POPULATE (faulted, two anon_vmas)
 *    PPPnPPP      fill page 4: never one region
 *    PPPPPPP      6.1: 1-4 4-8; 6.12: 1-5 5-8
 */
TEST(populate_faults_private_anon)
{
	int k = vms_kernel();

	VMS_SETUP();
	MAP(0, 1, 3, RW, MAP_POPULATE);
	MAP(0, 5, 3, RW, MAP_POPULATE);
	EXPECT_NE(0, ANON(1));
	EXPECT_NE(0, ANON(5));
	EXPECT_NE(ANON(1), ANON(5));
	MAP(0, 4, 1, RW, 0);
	if (k == 61)
		CHECK_LAYOUT("1-4:rw-p 4-8:rw-p");
	else if (k == 612)
		CHECK_LAYOUT("1-5:rw-p 5-8:rw-p");
	else
		SKIP(return, "unknown kernel");
}

/*
 * The minimized reproducer itself: a populated region, a fork, and a map
 * beside it in the child, where the forked anon_vma refuses the merge.
 *
 *   0123456789
 *    PPP          MAP_POPULATE, rw- private anonymous
 *   child:
 *    PPPNNN       apart: P's anon_vma chain is not singular
 */
TEST(populate_then_fork)
{
	long cfd;
	pid_t pid;

	VMS_SETUP();
	MAP(0, 1, 3, RW, MAP_POPULATE);
	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		vms_fd = cfd;
		MAP(0, 4, 3, RW, 0);
		CHECK_LAYOUT("1-4:rw-p 4-7:rw-p");
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

/*
 * conform seeds 9, 16, 17, 28, 31, 33, 36 (6.1), 3, 16, 28, 30, 40 (6.12):
 * MADV_FREE applies to private anonymous memory only
 * (madvise_free_single_vma(): !vma_is_anonymous() is -EINVAL), and that
 * -EINVAL comes before the -ENOMEM of a hole at the end.
 *
 *   0123456789
 *    FF SS PP     F shared file, S shared anonymous, P private file
 *    ^^           MADV_FREE: -EINVAL on each, and over F and the hole
 *    AA           private anonymous: 0
 */
TEST(madv_free_only_private_anon)
{
	char path[64];
	int fd;

	VMS_SETUP();
	fd = vms_make_file(path, sizeof(path), "free", 16);
	ASSERT_LE(0, fd);
	MAPF(0, 1, 2, RW, MAP_SHARED, fd, 0);
	MAPS(0, 4, 2, RW);
	MAPF(0, 7, 2, RO | PROT_EXEC, MAP_PRIVATE, fd, 4);
	MADVISE(-EINVAL, 1, 2, MADV_FREE);
	MADVISE(-EINVAL, 1, 3, MADV_FREE);
	MADVISE(-EINVAL, 4, 2, MADV_FREE);
	MADVISE(-EINVAL, 7, 2, MADV_FREE);
	/* DONTNEED has no such rule */
	MADVISE(0, 1, 2, MADV_DONTNEED);
	MADVISE(0, 4, 2, MADV_DONTNEED);
	CHECK_LAYOUT("1-3:rw-s 4-6:rw-s 7-9:r-xp");
	UNMAP(0, 1, 8);
	MAP(0, 1, 2, RW, 0);
	MADVISE(0, 1, 2, MADV_FREE);
	MADVISE(-ENOMEM, 1, 3, MADV_FREE);
	CHECK_LAYOUT("1-3:rw-p");
	unlink(path);
}

TEST_HARNESS_MAIN
