// SPDX-License-Identifier: GPL-2.0
/*
 * unmap: munmap(2) truncating, splitting and removing regions, and its
 * argument checks (do_mas_align_munmap / do_mas_munmap in 6.1).
 */
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define N	PROT_NONE
#define RX	(PROT_READ | PROT_EXEC)

/*
 *   012345678
 *    AAAAAA
 *    xx          unmap the head
 *      AAAA
 */
TEST(truncate_start)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	UNMAP(0, 1, 2);
	CHECK_LAYOUT("3-7:rw-p");
}

/*
 *   012345678
 *    AAAAAA
 *        xx      unmap the tail
 *    AAAA
 */
TEST(truncate_end)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	UNMAP(0, 5, 2);
	CHECK_LAYOUT("1-5:rw-p");
}

/*
 *   012345678
 *    AAAAAA
 *      xx        punch a hole: two regions
 *    AA  AA
 *      AA        map it again: the pgoffs still fit, one region
 */
TEST(split_middle)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	UNMAP(0, 3, 2);
	CHECK_LAYOUT("1-3:rw-p 5-7:rw-p");
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-7:rw-p");
}

/*
 *   0123456789
 *    PPQQRRSS    four regions
 *     xxxxxx     unmap 2..8: P and S cut, Q and R removed
 *    P      S
 */
TEST(span_several)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 3, 2, N, 0);
	MAP(0, 5, 2, RX, 0);
	MAP(0, 7, 2, RW, 0);
	CHECK_LAYOUT("1-3:r--p 3-5:---p 5-7:r-xp 7-9:rw-p");
	UNMAP(0, 2, 6);
	CHECK_LAYOUT("1-2:r--p 8-9:rw-p");
	/* Everything, holes included. */
	UNMAP(0, 0, 10);
	CHECK_LAYOUT("");
}

/*
 *   0123456789
 *    PP QQ RR
 *    xxxxxx      unmap whole P and Q and the holes between
 *          RR
 */
TEST(whole_regions_and_holes)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 4, 2, R, 0);
	MAP(0, 7, 2, R, 0);
	UNMAP(0, 0, 7);
	CHECK_LAYOUT("7-9:r--p");
}

TEST(nothing_mapped)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	UNMAP(0, 10, 20);
	UNMAP(0, 3, 1);
	CHECK_LAYOUT("1-3:rw-p");
}

/* A length that is not a page multiple rounds up. */
TEST(length_rounds_up)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	VMS_CHECK_RES(0, vms_both_unmap(PG(1), 1));
	CHECK_LAYOUT("2-7:rw-p");
	VMS_CHECK_RES(0, vms_both_unmap(PG(5), VMS_PS + 1));
	CHECK_LAYOUT("2-5:rw-p");
}

TEST(bad_arguments)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	/* Unaligned start. */
	VMS_CHECK_RES(-EINVAL, vms_both_unmap(PG(2) + 1, VMS_PS));
	/* Length 0. */
	VMS_CHECK_RES(-EINVAL, vms_both_unmap(PG(2), 0));
	/* A range that wraps around the top of the address space. */
	VMS_CHECK_RES(-EINVAL, vms_both_unmap(PG(2), -PG(1)));
	VMS_CHECK_RES(-EINVAL, vms_both_unmap(PG(2), ~0UL));
	/* Beyond TASK_SIZE. */
	VMS_CHECK_RES(-EINVAL, vms_both_unmap(0x800000000000UL, VMS_PS));
	CHECK_LAYOUT("1-7:rw-p");
}

TEST_HARNESS_MAIN
