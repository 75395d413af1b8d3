// SPDX-License-Identifier: GPL-2.0
/*
 * anon: anon_vma state and merging (the is_mergeable_anon_vma table of the
 * rules document), anon_vma reuse on the first write fault
 * (find_mergeable_anon_vma), and differences rows 1 and 2.
 *
 * rw- and rwx are used as the two "different" prots: both carry
 * VM_ACCOUNT, so VM_ACCOUNT (row 3) never decides anything here.
 * Regions are a few pages, never 2 MiB aligned and sized: no THP faults.
 */
#include "vms_test.h"

#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)

#define ANON(pg)	(vms_region_at(pg).anon_id)

/*
 *   012345678
 *    AA          unfaulted
 *      BB        unfaulted: merges
 */
TEST(unfaulted_unfaulted)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-5:rw-p");
	EXPECT_EQ(0, ANON(1));
}

/*
 *   012345678
 *    FF          touched
 *      UU        map unfaulted next to it: merges, shares the anon_vma
 *          FF    touched
 *        UU      map unfaulted before it: merges
 */
TEST(unfaulted_next_to_faulted)
{
	__u64 a, b;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	TOUCH(1);
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-5:rw-p");
	a = ANON(1);
	EXPECT_NE(0, a);
	EXPECT_EQ(a, ANON(4));

	MAP(0, 8, 2, RW, 0);
	TOUCH(8);
	b = ANON(8);
	EXPECT_NE(0, b);
	EXPECT_NE(a, b);
	MAP(0, 6, 2, RW, 0);
	CHECK_LAYOUT("1-5:rw-p 6-10:rw-p");
	EXPECT_EQ(b, ANON(6));
}

/*
 * A faulted range does not merge into an unfaulted neighbour.
 *
 *   012345678
 *    UUUU        rw-
 *      FF        rwx, then touched (a new anon_vma: U has none)
 *      FF        back to rw-: refused (faulted range, unfaulted prev)
 *    UUFF
 *    UU          touch U: it reuses F's anon_vma (adjacent, compatible)
 *    UU          rwx and back to rw-: now merges
 *    AAAA
 */
TEST(faulted_next_to_unfaulted)
{
	__u64 f;

	VMS_SETUP();
	MAP(0, 1, 4, RW, 0);
	PROTECT(0, 3, 2, RWX);
	TOUCH(3);
	f = ANON(3);
	EXPECT_NE(0, f);
	EXPECT_EQ(0, ANON(1));
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p");

	TOUCH(1);
	EXPECT_EQ(f, ANON(1));
	/* Same flags already: mprotect does nothing, they stay apart. */
	PROTECT(0, 1, 2, RW);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p");
	PROTECT(0, 1, 2, RWX);
	CHECK_LAYOUT("1-3:rwxp 3-5:rw-p");
	PROTECT(0, 1, 2, RW);
	CHECK_LAYOUT("1-5:rw-p");
	EXPECT_EQ(f, ANON(4));
}

/*
 * Split pieces share the anon_vma and merge back.
 *
 *   012345678
 *    FFFFFF      touched
 *      XX        rwx: three pieces, one anon_vma
 *      XX        rw- again: one region
 */
TEST(split_shares_anon_vma)
{
	__u64 a;

	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	TOUCH(2);
	a = ANON(1);
	EXPECT_NE(0, a);
	PROTECT(0, 3, 2, RWX);
	CHECK_LAYOUT("1-3:rw-p 3-5:rwxp 5-7:rw-p");
	EXPECT_EQ(a, ANON(1));
	EXPECT_EQ(a, ANON(3));
	EXPECT_EQ(a, ANON(5));
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-7:rw-p");
	EXPECT_EQ(a, ANON(6));
	/* munmap splits share it too. */
	UNMAP(0, 3, 1);
	CHECK_LAYOUT("1-3:rw-p 4-7:rw-p");
	EXPECT_EQ(a, ANON(1));
	EXPECT_EQ(a, ANON(4));
}

/*
 * The first write fault reuses an adjacent compatible neighbour's anon_vma
 * (find_mergeable_anon_vma: flags may differ in rwx only).
 *
 *   012345678
 *    AABB        A rw-, B rwx
 *    AA          touched: anon_vma a
 *      BB        touched: reuses a
 *    AAAA        B back to rw-: same anon_vma, merges
 */
TEST(fault_reuses_neighbour)
{
	__u64 a;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, RWX, 0);
	CHECK_LAYOUT("1-3:rw-p 3-5:rwxp");
	TOUCH(1);
	a = ANON(1);
	EXPECT_NE(0, a);
	EXPECT_EQ(0, ANON(3));
	TOUCH(3);
	EXPECT_EQ(a, ANON(3));
	/* Same anon_vma: rw- again merges them. */
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-5:rw-p");
	EXPECT_EQ(a, ANON(1));
}

/*
 * Two separately faulted regions never merge.
 *
 *   0123456789
 *    AA BB       touched separately (not adjacent): a != b
 */
TEST(faulted_different_stay_apart)
{
	__u64 a, b;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	TOUCH(1);
	MAP(0, 4, 2, RWX, 0);
	TOUCH(4);
	a = ANON(1);
	b = ANON(4);
	EXPECT_NE(0, a);
	EXPECT_NE(0, b);
	EXPECT_NE(a, b);
	/*
	 *   0123456789
	 *    AA BB       fill 3 with rwx: joins B (unfaulted next to faulted)
	 *    AABBB
	 *      BBB       rw-: refused, the anon_vmas differ
	 */
	MAP(0, 3, 1, RWX, 0);
	CHECK_LAYOUT("1-3:rw-p 3-6:rwxp");
	PROTECT(0, 3, 3, RW);
	CHECK_LAYOUT("1-3:rw-p 3-6:rw-p");
	EXPECT_EQ(b, ANON(3));
}

/*
 * Row 1: fill a hole between an unfaulted P and a faulted N.
 *
 *   012345678
 *    PP  NN      N touched
 *    PPAANN      map A
 *    PPAAAA      6.1: next only (prev's empty chain is not singular)
 *    AAAAAA      6.12: all three
 */
TEST(row1_fill_unfaulted_faulted)
{
	int k = vms_kernel();
	__u64 n;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	TOUCH(5);
	n = ANON(5);
	MAP(0, 3, 2, RW, 0);
	if (k == 61) {
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
		EXPECT_EQ(0, ANON(1));
	} else if (k == 612) {
		CHECK_LAYOUT("1-7:rw-p");
	} else {
		SKIP(return, "unknown kernel");
	}
	EXPECT_EQ(n, ANON(3));
}

/*
 * Row 2: fill a hole between two differently faulted regions.
 *
 *   012345678
 *    PP  NN      both touched: p != n
 *    PPAANN      map A
 *    PPAAAA      6.1: joins next
 *    AAAANN      6.12: joins prev
 */
TEST(row2_fill_faulted_faulted)
{
	int k = vms_kernel();
	__u64 p, n;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	TOUCH(1);
	MAP(0, 5, 2, RW, 0);
	TOUCH(5);
	p = ANON(1);
	n = ANON(5);
	EXPECT_NE(p, n);
	MAP(0, 3, 2, RW, 0);
	if (k == 61) {
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
		EXPECT_EQ(n, ANON(3));
	} else if (k == 612) {
		CHECK_LAYOUT("1-5:rw-p 5-7:rw-p");
		EXPECT_EQ(p, ANON(3));
	} else {
		SKIP(return, "unknown kernel");
	}
}

/*
 * Fill a hole between a faulted P and an unfaulted N: all three join on
 * both kernels.
 *
 *   012345678
 *    PP  NN      P touched
 *    AAAAAA
 */
TEST(fill_faulted_unfaulted)
{
	__u64 p;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	TOUCH(1);
	p = ANON(1);
	MAP(0, 5, 2, RW, 0);
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-7:rw-p");
	EXPECT_EQ(p, ANON(6));
}

/* STATS counts the live anon_vmas. */
TEST(stats_anon_vmas)
{
	struct vmashadow_stats st;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 4, 2, RW, 0);
	ASSERT_EQ(0, vms_stats(vms_fd, &st));
	EXPECT_EQ(0, st.anon_vmas);
	TOUCH(1);
	TOUCH(4);
	ASSERT_EQ(0, vms_stats(vms_fd, &st));
	EXPECT_EQ(2, st.anon_vmas);
	UNMAP(0, 0, 4);
	ASSERT_EQ(0, vms_stats(vms_fd, &st));
	EXPECT_EQ(1, st.anon_vmas);
	CHECK_LAYOUT("4-6:rw-p");
}

TEST_HARNESS_MAIN
