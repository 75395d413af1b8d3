// SPDX-License-Identifier: GPL-2.0
/*
 * cases: every case of the diagram above vma_merge() in Linux 6.1's
 * mm/mmap.c.  Cases 4-8 are mprotect(2) over a whole or partial region;
 * cases 1-3 (a range in a hole) are reached by mmap(2), whose 6.1
 * mmap_region() merges the same way without calling vma_merge().
 *
 * Only never-writable prots (r--, ---, r-x) are used, so that VM_ACCOUNT
 * (differences row 3) plays no part: every case ends the same on 6.12.
 */
#include "vms_test.h"

#define R	PROT_READ
#define N	PROT_NONE
#define RX	(PROT_READ | PROT_EXEC)

/*
 *   012345678
 *    PP  NN      r--, r--
 *    PPAANN      mmap A r-- into the hole
 *    PPPPPP      case 1: P + A + N
 */
TEST(case1_mmap)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 5, 2, R, 0);
	MAP(0, 3, 2, R, 0);
	CHECK_LAYOUT("1-7:r--p");
	CHECK_CASE(1);
}

/*
 *   012345678
 *    PP  NN      r--, ---
 *    PPAANN      mmap A r--
 *    PPPPNN      case 2: P extends
 */
TEST(case2_mmap)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 5, 2, N, 0);
	MAP(0, 3, 2, R, 0);
	CHECK_LAYOUT("1-5:r--p 5-7:---p");
	CHECK_CASE(2);
}

/*
 *   012345678
 *    PP  NN      ---, r--
 *    PPAANN      mmap A r--
 *    PPNNNN      case 3: N extends down
 */
TEST(case3_mmap)
{
	VMS_SETUP();
	MAP(0, 1, 2, N, 0);
	MAP(0, 5, 2, R, 0);
	MAP(0, 3, 2, R, 0);
	CHECK_LAYOUT("1-3:---p 3-7:r--p");
	CHECK_CASE(3);
}

/*
 *   012345678
 *    PPPNNN      r--, ---
 *      A         mprotect the last page of P to ---
 *    PPNNNN      case 4: the tail of P goes to N
 */
TEST(case4_mprotect)
{
	VMS_SETUP();
	MAP(0, 1, 3, R, 0);
	MAP(0, 4, 3, N, 0);
	PROTECT(0, 3, 1, N);
	CHECK_LAYOUT("1-3:r--p 3-7:---p");
	CHECK_CASE(4);
}

/*
 *   012345678
 *    PPPNNN      r--, ---
 *       A        mprotect the first page of N to r--
 *    PPPPNN      case 5: the head of N goes to P
 */
TEST(case5_mprotect)
{
	VMS_SETUP();
	MAP(0, 1, 3, R, 0);
	MAP(0, 4, 3, N, 0);
	PROTECT(0, 4, 1, R);
	CHECK_LAYOUT("1-5:r--p 5-7:---p");
	CHECK_CASE(5);
}

/*
 *   012345678
 *    PPNNXX      r--, ---, r--
 *      AA        mprotect all of N to r--
 *    PPPPPP      case 6: P, N and X join
 */
TEST(case6_mprotect)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 3, 2, N, 0);
	MAP(0, 5, 2, R, 0);
	CHECK_LAYOUT("1-3:r--p 3-5:---p 5-7:r--p");
	PROTECT(0, 3, 2, R);
	CHECK_LAYOUT("1-7:r--p");
	CHECK_CASE(6);
}

/*
 *   012345678
 *    PPNNXX      r--, ---, r-x
 *      AA        mprotect all of N to r--
 *    PPPPXX      case 7: P absorbs N
 */
TEST(case7_mprotect)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 3, 2, N, 0);
	MAP(0, 5, 2, RX, 0);
	PROTECT(0, 3, 2, R);
	CHECK_LAYOUT("1-5:r--p 5-7:r-xp");
	CHECK_CASE(7);
}

/*
 *   012345678
 *    PPNNXX      r--, ---, r-x
 *      AA        mprotect all of N to r-x
 *    PPXXXX      case 8: X extends down over N
 */
TEST(case8_mprotect)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 3, 2, N, 0);
	MAP(0, 5, 2, RX, 0);
	PROTECT(0, 3, 2, RX);
	CHECK_LAYOUT("1-3:r--p 3-7:r-xp");
	CHECK_CASE(8);
}

/*
 *   012345678
 *    AAAAAA      r--
 *      BB        mprotect the middle to ---: no merge, two splits
 *    AABBCC
 *      BB        and back to r--: case 6 joins all three again
 */
TEST(middle_and_back)
{
	VMS_SETUP();
	MAP(0, 1, 6, R, 0);
	PROTECT(0, 3, 2, N);
	CHECK_LAYOUT("1-3:r--p 3-5:---p 5-7:r--p");
	CHECK_CASE(0);
	PROTECT(0, 3, 2, R);
	CHECK_LAYOUT("1-7:r--p");
	CHECK_CASE(6);
}

/*
 *   012345678
 *    PPNNNN      r--, ---
 *      AA        mprotect the head of N to r-x: nothing fits, one split
 *    PPAANN
 */
TEST(head_no_merge)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 3, 4, N, 0);
	PROTECT(0, 3, 2, RX);
	CHECK_LAYOUT("1-3:r--p 3-5:r-xp 5-7:---p");
	CHECK_CASE(0);
}

TEST_HARNESS_MAIN
