// SPDX-License-Identifier: GPL-2.0
/*
 * limits: vm.max_map_count.  mmap is refused only when map_count > max (a
 * process can reach max + 1); a split by mprotect or a two-sided munmap
 * needs map_count < max; a munmap that cuts one end only is allowed at the
 * limit.  Row 3a: at the limit, dropping write from a part of an unfaulted
 * region fails on 6.1 (a split is needed) and works on 6.12 (a merge).
 *
 * The sysctl is global: the fixture puts the real process at the same
 * distance from it as the shadow from its own limit, and restores it in the
 * teardown, also after a failed assertion.
 */
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define N	PROT_NONE

/* The real map_count: the lines of /proc/self/maps ([vsyscall] is no VMA). */
static long real_map_count(void)
{
	long n = 0;
	char *p;

	if (vms_read_real_maps() < 0)
		return -1;
	for (p = vms_real_maps; *p; p++)
		if (*p == '\n')
			n++;
	if (strstr(vms_real_maps, "[vsyscall]"))
		n--;
	return n;
}

static long shadow_map_count(void)
{
	struct vmashadow_stats st;

	if (vms_stats(vms_fd, &st))
		return -1;
	return st.regions;
}

VMS_MMC_FIXTURE(limit)

/*
 * Puts both sides @dist regions below their limits: limit = count + dist.
 * Nothing may map or unmap between the count and the write.
 */
#define AT_DISTANCE(dist) do {						\
	long __s = shadow_map_count(), __r = real_map_count();		\
	ASSERT_LE(0, __s);						\
	ASSERT_LT(0, __r);						\
	ASSERT_EQ(0, vms_set_max_map_count(vms_fd, __s + (dist)));	\
	ASSERT_EQ(0, vms_mmc_write(__r + (dist)));			\
} while (0)

/*
 *   0123456789
 *    A B C D     separate regions; limit = 2 regions
 *    A B         count 2 == limit: mmap still works (C), count 3
 *                count 3 > limit: D fails, and so does a merging map
 */
TEST_F(limit, mmap_above_limit)
{
	AT_DISTANCE(2);
	MAP(0, 1, 1, R, 0);
	MAP(0, 3, 1, R, 0);
	MAP(0, 5, 1, R, 0);
	CHECK_LAYOUT("1-2:r--p 3-4:r--p 5-6:r--p");
	MAP(-ENOMEM, 7, 1, R, 0);
	MAP(-ENOMEM, 2, 1, R, 0);
	CHECK_LAYOUT("1-2:r--p 3-4:r--p 5-6:r--p");
	/* Unmapping one brings the count to the limit: mmap works again. */
	UNMAP(0, 5, 1);
	MAP(0, 7, 1, R, 0);
	CHECK_LAYOUT("1-2:r--p 3-4:r--p 7-8:r--p");
}

/*
 *   012345678
 *    AAAAAA      count == limit
 *      xx        munmap the middle: -ENOMEM
 *      NN        mprotect the middle, the head or the tail: -ENOMEM
 *    xx          munmap the head: works (one split, unchecked)
 *        xx      munmap the tail: works
 */
TEST_F(limit, split_at_limit)
{
	MAP(0, 1, 6, RW, 0);
	AT_DISTANCE(0);
	UNMAP(-ENOMEM, 3, 2);
	PROTECT(-ENOMEM, 3, 2, R);
	PROTECT(-ENOMEM, 1, 2, R);
	PROTECT(-ENOMEM, 5, 2, R);
	CHECK_LAYOUT("1-7:rw-p");
	/* The whole region needs no split. */
	PROTECT(0, 1, 6, N);
	CHECK_LAYOUT("1-7:---p");
	UNMAP(0, 1, 2);
	CHECK_LAYOUT("3-7:---p");
	UNMAP(0, 5, 2);
	CHECK_LAYOUT("3-5:---p");
}

/* One below the limit: a middle split (count + 2) still works. */
TEST_F(limit, split_below_limit)
{
	MAP(0, 1, 6, RW, 0);
	AT_DISTANCE(1);
	UNMAP(0, 3, 2);
	CHECK_LAYOUT("1-3:rw-p 5-7:rw-p");
	/* Now count == limit: any split fails. */
	PROTECT(-ENOMEM, 1, 1, R);
	CHECK_LAYOUT("1-3:rw-p 5-7:rw-p");
}

/*
 * Row 3a.
 *
 *   012345678
 *    PPNN        P r-- (no VM_ACCOUNT), N rw- (VM_ACCOUNT); count == limit
 *      A         mprotect the first page of N to r--
 *                6.1: VM_ACCOUNT stays, no merge, a split: -ENOMEM
 *    PPPN        6.12: VM_ACCOUNT cleared, P grows: no split needed
 */
TEST_F(limit, row3a)
{
	int k = vms_kernel();

	MAP(0, 1, 2, R, 0);
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-3:r--p 3-5:rw-p");
	AT_DISTANCE(0);
	if (k == 61) {
		PROTECT(-ENOMEM, 3, 1, R);
		CHECK_LAYOUT("1-3:r--p 3-5:rw-p");
	} else if (k == 612) {
		PROTECT(0, 3, 1, R);
		CHECK_LAYOUT("1-4:r--p 4-5:rw-p");
	} else {
		SKIP(return, "unknown kernel");
	}
}

TEST_HARNESS_MAIN
