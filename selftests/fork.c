// SPDX-License-Identifier: GPL-2.0
/*
 * fork: VMASHADOW_IOC_FORK against a real child.  The parent sets up the
 * window, then forks the shadow (FORK) and itself (a raw fork system
 * call, so that nothing else maps); the child compares its own maps with
 * the child shadow, does the same operations on both and reports through
 * its exit status.
 *
 * What fork does to regions: each faulted region gets its own new
 * anon_vma whose chain also links the parent's (not singular: "forked"),
 * so pieces that were one region in the parent no longer merge in the
 * child; unfaulted regions merge as before; VM_DONTCOPY regions are not
 * copied at all.
 */
#include "vms_test.h"

#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)

#define ANON(pg)	(vms_region_at(pg).anon_id)
#define STATE(pg)	(vms_region_at(pg).state)

/*
 *   parent:
 *   0123456789abcdef
 *    AAxx              A touched, then 3-5 rwx: one anon_vma, two regions
 *          BBxx        B unfaulted, 9-11 rwx
 *                CC    C DONTFORK
 *   child:
 *    AAxx  BBxx        C absent; A's pieces have their own anon_vmas
 *    AAAA  BBBB        3-5 and 9-11 back to rw-: A stays apart, B merges
 *    AAAA..BBBB        a map at 5-7 joins B only (A is forked)
 *   parent, afterwards:
 *    AAAA  BBBB        the same mprotects merge both
 */
TEST(child_merges)
{
	__u64 a;
	long cfd;
	pid_t pid;

	VMS_SETUP();
	MAP(0, 1, 4, RW, 0);
	TOUCH(1);
	a = ANON(1);
	PROTECT(0, 3, 2, RWX);
	MAP(0, 7, 4, RW, 0);
	PROTECT(0, 9, 2, RWX);
	MAP(0, 13, 2, RW, 0);
	MADVISE(0, 13, 2, MADV_DONTFORK);
	CHECK_LAYOUT("1-3:rw-p 3-5:rwxp 7-9:rw-p 9-11:rwxp 13-15:rw-p");
	EXPECT_EQ(a, ANON(3));

	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		vms_fd = cfd;
		CHECK_LAYOUT("1-3:rw-p 3-5:rwxp 7-9:rw-p 9-11:rwxp");
		EXPECT_NE(0, ANON(1));
		EXPECT_NE(0, ANON(3));
		EXPECT_NE(ANON(1), ANON(3));
		EXPECT_NE(a, ANON(1));
		EXPECT_EQ(VMASHADOW_STATE_ANON_FORKED, STATE(1));
		EXPECT_EQ(VMASHADOW_STATE_ANON_FORKED, STATE(3));
		EXPECT_EQ(0, ANON(7));
		EXPECT_EQ(0, STATE(7));
		PROTECT(0, 3, 2, RW);
		CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 7-9:rw-p 9-11:rwxp");
		PROTECT(0, 9, 2, RW);
		CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 7-11:rw-p");
		MAP(0, 5, 2, RW, 0);
		CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-11:rw-p");
		/* C's range is free in the child. */
		MAP(0, 13, 1, RWX, 0);
		CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-11:rw-p 13-14:rwxp");
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
	close(cfd);
	/* The parent's chains stay singular: its pieces merge again. */
	EXPECT_EQ(0, STATE(1));
	PROTECT(0, 3, 2, RW);
	PROTECT(0, 9, 2, RW);
	CHECK_LAYOUT("1-5:rw-p 7-11:rw-p 13-15:rw-p");
}

/*
 * Within one inherited faulted region, a split and its undoing still
 * merge: both pieces share the child's one anon_vma.  A region that was
 * unfaulted at fork and is touched in the child gets a fresh anon_vma
 * that is not forked.
 *
 *   child:
 *   0123456789
 *    AAAA        inherited, faulted
 *      xx        rwx and back: one region again
 *         UU     inherited unfaulted, touched: state 0
 */
TEST(child_split_and_back)
{
	long cfd;
	pid_t pid;

	VMS_SETUP();
	MAP(0, 1, 4, RW, 0);
	TOUCH(2);
	MAP(0, 8, 2, RW, 0);
	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		vms_fd = cfd;
		CHECK_LAYOUT("1-5:rw-p 8-10:rw-p");
		PROTECT(0, 3, 2, RWX);
		CHECK_LAYOUT("1-3:rw-p 3-5:rwxp 8-10:rw-p");
		PROTECT(0, 3, 2, RW);
		CHECK_LAYOUT("1-5:rw-p 8-10:rw-p");
		EXPECT_EQ(VMASHADOW_STATE_ANON_FORKED, STATE(1));
		TOUCH(8);
		EXPECT_NE(0, ANON(8));
		EXPECT_EQ(0, STATE(8));
		/* An unfaulted neighbour cannot join the forked region. */
		MAP(0, 5, 1, RW, 0);
		CHECK_LAYOUT("1-5:rw-p 5-6:rw-p 8-10:rw-p");
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
	close(cfd);
	CHECK_LAYOUT("1-5:rw-p 8-10:rw-p");
}

/*
 * The child's shadow is a copy: changing it leaves the parent's alone,
 * and the other way round.  MAP_LOCKED is dropped in the child.
 */
TEST(shadow_copy_independent)
{
	struct vmashadow_region r;
	unsigned long out;
	long cfd;
	int saved;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(5), PGS(1), RW, MAP_PRIVATE |
				    MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED,
				    -1, 0, &out));
	ASSERT_NE(0, FLAGS(5) & VMASHADOW_VM_LOCKED);
	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	saved = vms_fd;
	vms_fd = cfd;
	r = vms_region_at(5);
	EXPECT_EQ(PG(5), r.start);
	EXPECT_EQ(0, r.vm_flags & VMASHADOW_VM_LOCKED);
	ASSERT_EQ(0, vms_shadow_unmap(cfd, PG(1), PGS(2)));
	vms_fd = saved;
	EXPECT_EQ(PG(1), vms_region_at(1).start);
	ASSERT_EQ(0, vms_shadow_unmap(vms_fd, PG(5), PGS(1)));
	vms_fd = cfd;
	EXPECT_EQ(PG(5), vms_region_at(5).start);
	EXPECT_EQ(0, vms_region_at(1).start);
	vms_fd = saved;
	close(cfd);
	/* Bad arguments. */
	{
		struct vmashadow_fork f;

		memset(&f, 0, sizeof(f));
		f.size = sizeof(f);
		f.flags = 1;
		EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_FORK, &f));
	}
	UNMAP(0, 1, 2);
}

TEST_HARNESS_MAIN
