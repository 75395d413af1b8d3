// SPDX-License-Identifier: GPL-2.0
/*
 * merge: what mmap(2) merges.  Linux 6.1's mmap_region() does not call
 * vma_merge(): it tries the next region first, then the previous one, and
 * expands whichever fits.  All these cases end the same on 6.1 and 6.12
 * except MAP_STACK (differences row 4).
 *
 * Diagrams: one column per page of the window, '.' or ' ' is a hole.
 */
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define RX	(PROT_READ | PROT_EXEC)

/*
 *   01234567
 *    PP          map P at 1
 *    PPNN        map N at 3: joins P
 *    AAAA        one region
 */
TEST(next_to_prev)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	CHECK_LAYOUT("1-3:rw-p");
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-5:rw-p");
}

/*
 *   01234567
 *      NN        map N at 3
 *    PPNN        map P at 1: N extends down
 *    AAAA
 */
TEST(prev_to_next)
{
	VMS_SETUP();
	MAP(0, 3, 2, RW, 0);
	MAP(0, 1, 2, RW, 0);
	CHECK_LAYOUT("1-5:rw-p");
}

/*
 *   012345678
 *    PP  NN      P and N with a hole between
 *    PPAANN      map A into the hole
 *    AAAAAA      all three join
 */
TEST(fill_hole)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	CHECK_LAYOUT("1-3:rw-p 5-7:rw-p");
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-7:rw-p");
}

/*
 *   01234567
 *    PPNN        rw- next to r-- (and r-x): no merge
 */
TEST(different_prot)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, R, 0);
	MAP(0, 5, 2, RX, 0);
	CHECK_LAYOUT("1-3:rw-p 3-5:r--p 5-7:r-xp");
}

/*
 *   01234567
 *    PPNN        N is MAP_NORESERVE: VM_NORESERVE and no VM_ACCOUNT
 */
TEST(noreserve)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, RW, MAP_NORESERVE);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p");
	/* Two NORESERVE neighbours do merge. */
	MAP(0, 5, 2, RW, MAP_NORESERVE);
	CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
}

/*
 * A read-only private mapping has no VM_ACCOUNT: it merges with another
 * read-only one, but the NORESERVE flag alone still separates them.
 */
TEST(noreserve_readonly)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 3, 2, R, MAP_NORESERVE);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p");
}

/*
 *   0123456789
 *    PPSSTT      private, shared, shared: nothing merges (each shared
 *                anonymous mapping is its own shmem file)
 */
TEST(shared_vs_private)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAPS(0, 3, 2, RW);
	MAPS(0, 5, 2, RW);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-s 5-7:rw-s");
	/* Nor on the other side. */
	MAP(0, 7, 2, RW, 0);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-s 5-7:rw-s 7-9:rw-p");
}

/*
 *   01234567
 *    AABB        A from one open of the file (offset 0), B from a second
 *                open (offset 2): contiguous, but never merge
 */
TEST(two_opens_of_one_file)
{
	char path[64];
	int f1, f2;

	VMS_SETUP();
	ASSERT_LE(0, f1 = vms_make_file(path, sizeof(path), "two", 8));
	ASSERT_LE(0, f2 = open(path, O_RDWR));
	MAPF(0, 1, 2, R, MAP_PRIVATE, f1, 0);
	MAPF(0, 3, 2, R, MAP_PRIVATE, f2, 2);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p");
	/* Shared mappings of the two opens: the same. */
	MAPF(0, 6, 2, RW, MAP_SHARED, f1, 5);
	MAPF(0, 8, 2, RW, MAP_SHARED, f2, 7);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p 6-8:rw-s 8-10:rw-s");
	/* Closing the fds changes nothing: the mappings hold the files. */
	close(f1);
	close(f2);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p 6-8:rw-s 8-10:rw-s");
	unlink(path);
}

/*
 *   01234567
 *    AABB        one fd, offsets 0 and 2: contiguous, merge
 *        CC DD   offsets 5 and 3 (C at 5, D at 8): not contiguous
 */
TEST(same_fd_offsets)
{
	char path[64];
	int f;

	VMS_SETUP();
	ASSERT_LE(0, f = vms_make_file(path, sizeof(path), "same", 16));
	MAPF(0, 1, 2, R, MAP_PRIVATE, f, 0);
	MAPF(0, 3, 2, R, MAP_PRIVATE, f, 2);
	CHECK_LAYOUT("1-5:r--p");
	/* Next to it, but offset 5 does not follow 0..3. */
	MAPF(0, 5, 2, R, MAP_PRIVATE, f, 5);
	CHECK_LAYOUT("1-5:r--p 5-7:r--p");
	/* Before it at offset 3: contiguous with the next (5 == 3 + 2). */
	MAPF(0, 9, 2, R, MAP_PRIVATE, f, 9);
	MAPF(0, 7, 2, R, MAP_PRIVATE, f, 7);
	CHECK_LAYOUT("1-5:r--p 5-11:r--p");
	close(f);
	unlink(path);
}

/*
 *   0123456789
 *    PPQQRR      three regions of different prot
 *     AAAA       MAP_FIXED rw over 2..6: replaces, then merges both sides
 *    AAAAAA      one region
 */
TEST(fixed_replaces)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, R, 0);
	MAP(0, 5, 2, RW, 0);
	CHECK_LAYOUT("1-3:rw-p 3-5:r--p 5-7:rw-p");
	MAP(0, 2, 4, RW, 0);
	CHECK_LAYOUT("1-7:rw-p");
}

/*
 *   0123456789
 *    AAAAAA      rw
 *      BB        MAP_FIXED r-- in the middle: three regions
 */
TEST(fixed_splits)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	MAP(0, 3, 2, R, 0);
	CHECK_LAYOUT("1-3:rw-p 3-5:r--p 5-7:rw-p");
	/* And back: the hidden anonymous pgoffs still line up. */
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-7:rw-p");
}

/*
 *   01234567
 *    AA          MAP_FIXED_NOREPLACE over 2..4: -EEXIST, nothing changes
 *    AABB        MAP_FIXED_NOREPLACE in the free 3..5: maps and merges
 */
TEST(fixed_noreplace)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(-EEXIST, 2, 2, RW, MAP_FIXED_NOREPLACE);
	CHECK_LAYOUT("1-3:rw-p");
	MAP(-EEXIST, 0, 8, R, MAP_FIXED_NOREPLACE);
	CHECK_LAYOUT("1-3:rw-p");
	MAP(0, 3, 2, RW, MAP_FIXED_NOREPLACE);
	CHECK_LAYOUT("1-5:rw-p");
}

/*
 * Row 4 of the differences: 6.12 turns MAP_STACK into VM_NOHUGEPAGE, so a
 * MAP_STACK region stays apart from plain anonymous memory; 6.1 merges.
 *
 *   01234567
 *    PPSS        P plain, S MAP_STACK
 *    AAAA        6.1
 *    PPSS        6.12
 */
TEST(map_stack)
{
	int k = vms_kernel();

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, RW, MAP_STACK);
	if (k == 61)
		CHECK_LAYOUT("1-5:rw-p");
	else if (k == 612)
		CHECK_LAYOUT("1-3:rw-p 3-5:rw-p");
	else
		SKIP(return, "unknown kernel: no expectation for MAP_STACK");
}

/* A failed MAP changes nothing on either side. */
TEST(map_errors)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	/* Length 0. */
	VMS_CHECK_RES(-EINVAL, vms_both_map(PG(4), 0, RW,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	/* MAP_FIXED at an unaligned address. */
	VMS_CHECK_RES(-EINVAL, vms_both_map(PG(4) + 8, PGS(1), RW,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	/* Neither shared nor private. */
	VMS_CHECK_RES(-EINVAL, vms_both_map(PG(4), PGS(1), RW,
		      MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	/* A bad fd for a file mapping. */
	VMS_CHECK_RES(-EBADF, vms_both_map(PG(4), PGS(1), R,
		      MAP_PRIVATE | MAP_FIXED, 9999, 0));
	CHECK_LAYOUT("1-3:rw-p");
}

TEST_HARNESS_MAIN
