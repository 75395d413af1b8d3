// SPDX-License-Identifier: GPL-2.0
/*
 * protect: mprotect(2) splits, its no-change shortcut, partial success over
 * a hole, VM_ACCOUNT (differences row 3), -EACCES from a read-only file,
 * argument checks, and vm_ops->close regions (row 9).
 */
#include <sys/ipc.h>
#include <sys/shm.h>
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define N	PROT_NONE
#define RX	(PROT_READ | PROT_EXEC)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)

/*
 *   012345678
 *    AAAAAA      r--
 *    BB          head to ---: one split
 *    BBAAAA
 *          CC    tail to r-x: one split
 *    BBAACC
 */
TEST(split_edges)
{
	VMS_SETUP();
	MAP(0, 1, 6, R, 0);
	PROTECT(0, 1, 2, N);
	CHECK_LAYOUT("1-3:---p 3-7:r--p");
	PROTECT(0, 5, 2, RX);
	CHECK_LAYOUT("1-3:---p 3-5:r--p 5-7:r-xp");
}

/*
 * mprotect to the flags a region already has does nothing, not even a
 * merge that would be possible.  On 6.1 the hole-filling of row 1 leaves
 * two neighbours that could merge (P unfaulted, A+N faulted):
 *
 *   012345678
 *    PP  NN      N touched
 *    PPAANN      map A: 6.1 joins next only  -> PP|AAAA
 *    PP          mprotect P to its own prot: still two regions
 *
 * On 6.12 the same steps give one region; the no-op is then checked on it.
 */
TEST(no_change_no_merge)
{
	struct vmashadow_stats before, after;
	int k = vms_kernel();

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	TOUCH(5);
	MAP(0, 3, 2, RW, 0);
	if (k == 61)
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
	else
		CHECK_LAYOUT("1-7:rw-p");
	ASSERT_EQ(0, vms_stats(vms_fd, &before));
	PROTECT(0, 1, 2, RW);
	PROTECT(0, 1, 6, RW);
	if (k == 61)
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
	else
		CHECK_LAYOUT("1-7:rw-p");
	ASSERT_EQ(0, vms_stats(vms_fd, &after));
	EXPECT_EQ(before.merges, after.merges);
	EXPECT_EQ(before.splits, after.splits);
	EXPECT_EQ(before.regions, after.regions);
}

/*
 *   0123456789
 *    AA  BB      r--, r--
 *    xxxxxx      mprotect 1..7 to ---: A changes, then -ENOMEM at the hole
 *    aa  BB
 */
TEST(over_hole)
{
	VMS_SETUP();
	MAP(0, 1, 2, R, 0);
	MAP(0, 5, 2, R, 0);
	PROTECT(-ENOMEM, 1, 6, N);
	CHECK_LAYOUT("1-3:---p 5-7:r--p");
	/* Starting in a hole: -ENOMEM before anything changes. */
	PROTECT(-ENOMEM, 3, 4, RX);
	CHECK_LAYOUT("1-3:---p 5-7:r--p");
	/* Starting inside B, ending past everything: B's part changes. */
	PROTECT(-ENOMEM, 6, 4, RX);
	CHECK_LAYOUT("1-3:---p 5-6:r--p 6-7:r-xp");
}

/*
 * Row 3.  Making a private anonymous range writable adds VM_ACCOUNT;
 * dropping write again keeps it on 6.1, so the two r--p halves refuse to
 * merge.  6.12 clears VM_ACCOUNT on an anonymous region without anon_vma.
 *
 *   012345678
 *    AAAA        r-- (no VM_ACCOUNT)
 *      BB        rw-: split, B gets VM_ACCOUNT
 *      BB        r-- again
 *    AABB        6.1: two r--p
 *    AAAA        6.12: one
 */
TEST(account_row3)
{
	struct vmashadow_region b;
	int k = vms_kernel();

	VMS_SETUP();
	MAP(0, 1, 4, R, 0);
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-3:r--p 3-5:rw-p");
	b = vms_region_at(3);
	EXPECT_TRUE(b.vm_flags & VMASHADOW_VM_ACCOUNT);
	EXPECT_FALSE(vms_region_at(1).vm_flags & VMASHADOW_VM_ACCOUNT);
	PROTECT(0, 3, 2, R);
	if (k == 61) {
		CHECK_LAYOUT("1-3:r--p 3-5:r--p");
		b = vms_region_at(3);
		EXPECT_TRUE(b.vm_flags & VMASHADOW_VM_ACCOUNT);
	} else if (k == 612) {
		CHECK_LAYOUT("1-5:r--p");
		EXPECT_FALSE(vms_region_at(3).vm_flags & VMASHADOW_VM_ACCOUNT);
	} else {
		SKIP(return, "unknown kernel");
	}
}

/*
 * Row 3 does not apply once the region has an anon_vma: both kernels keep
 * VM_ACCOUNT on a faulted region.
 *
 *   012345678
 *    AAAA        r--
 *      BB        rw-, touched, r-- again: two r--p on both kernels
 */
TEST(account_faulted)
{
	VMS_SETUP();
	MAP(0, 1, 4, R, 0);
	PROTECT(0, 3, 2, RW);
	TOUCH(3);
	PROTECT(0, 3, 2, R);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p");
	EXPECT_TRUE(vms_region_at(3).vm_flags & VMASHADOW_VM_ACCOUNT);
}

/* A private mapping born writable has VM_ACCOUNT; NORESERVE does not. */
TEST(account_from_mmap)
{
	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 4, 2, RW, MAP_NORESERVE);
	MAP(0, 7, 2, R, 0);
	CHECK_LAYOUT("1-3:rw-p 4-6:rw-p 7-9:r--p");
	EXPECT_TRUE(vms_region_at(1).vm_flags & VMASHADOW_VM_ACCOUNT);
	EXPECT_FALSE(vms_region_at(4).vm_flags & VMASHADOW_VM_ACCOUNT);
	EXPECT_TRUE(vms_region_at(4).vm_flags & VMASHADOW_VM_NORESERVE);
	EXPECT_FALSE(vms_region_at(7).vm_flags & VMASHADOW_VM_ACCOUNT);
	/* mprotect rw on NORESERVE adds no VM_ACCOUNT: it merges with 6..7 */
	PROTECT(0, 7, 2, RW);
	CHECK_LAYOUT("1-3:rw-p 4-6:rw-p 7-9:rw-p");
	EXPECT_TRUE(vms_region_at(7).vm_flags & VMASHADOW_VM_ACCOUNT);
}

/*
 * A MAP_SHARED mapping of a file opened O_RDONLY has no VM_MAYWRITE:
 * PROT_WRITE gives -EACCES.  A private one may become writable.
 *
 *   012345678
 *    SS PP       r--s, r--p
 */
TEST(eacces_readonly_file)
{
	char path[64];
	int f, ro;

	VMS_SETUP();
	ASSERT_LE(0, f = vms_make_file(path, sizeof(path), "ro", 8));
	ASSERT_LE(0, ro = open(path, O_RDONLY));
	/* Shared writable mapping of an O_RDONLY file: -EACCES at mmap. */
	MAPF(-EACCES, 1, 2, RW, MAP_SHARED, ro, 0);
	MAPF(0, 1, 2, R, MAP_SHARED, ro, 0);
	MAPF(0, 4, 2, R, MAP_PRIVATE, ro, 3);
	CHECK_LAYOUT("1-3:r--s 4-6:r--p");
	PROTECT(-EACCES, 1, 2, RW);
	PROTECT(-EACCES, 1, 1, RWX);
	CHECK_LAYOUT("1-3:r--s 4-6:r--p");
	PROTECT(0, 4, 2, RW);
	CHECK_LAYOUT("1-3:r--s 4-6:rw-p");
	/* An error in the second region after the first changed. */
	PROTECT(0, 1, 2, N);
	CHECK_LAYOUT("1-3:---s 4-6:rw-p");
	close(ro);
	close(f);
	unlink(path);
}

TEST(bad_arguments)
{
	VMS_SETUP();
	MAP(0, 1, 4, R, 0);
	/* Unaligned start. */
	VMS_CHECK_RES(-EINVAL, vms_both_protect(PG(1) + 1, VMS_PS, N));
	/* Length 0: success, nothing happens (even unmapped). */
	VMS_CHECK_RES(0, vms_both_protect(PG(1), 0, N));
	VMS_CHECK_RES(0, vms_both_protect(PG(20), 0, N));
	/* Wrapping range. */
	VMS_CHECK_RES(-ENOMEM, vms_both_protect(PG(1), -PG(1), N));
	/* Unknown prot bits. */
	VMS_CHECK_RES(-EINVAL, vms_both_protect(PG(1), VMS_PS, 0x10));
	/* Both GROWSDOWN and GROWSUP. */
	VMS_CHECK_RES(-EINVAL, vms_both_protect(PG(1), VMS_PS,
		      R | PROT_GROWSDOWN | PROT_GROWSUP));
	/* GROWSDOWN on a region that does not grow. */
	VMS_CHECK_RES(-EINVAL, vms_both_protect(PG(2), VMS_PS,
		      R | PROT_GROWSDOWN));
	/* Nothing mapped at all there. */
	VMS_CHECK_RES(-ENOMEM, vms_both_protect(PG(20), VMS_PS, R));
	/* A length that is not a page multiple rounds up. */
	VMS_CHECK_RES(0, vms_both_protect(PG(1), 1, N));
	CHECK_LAYOUT("1-2:---p 2-5:r--p");
}

/*
 * Row 9: a region whose vm_ops has ->close (SysV shm here) never merges on
 * 6.1; 6.12 lets it merge as long as it is only grown or shrunk.
 * The shadow maps a tmpfs file with VMASHADOW_OPF_CLOSE_OP for it, so the
 * names differ and only the layouts are compared.
 *
 *   012345678
 *    SSSS        shm, rw-s
 *      RR        r--s: split
 *      W         the first page back to rw-s:
 *    SSSWR       6.1: nothing merges
 *    SSSSR       6.12: S grows, R shrinks
 */
TEST(close_op_row9)
{
	struct vmashadow_op op;
	char path[64];
	int id, f, k = vms_kernel();
	void *p;

	VMS_SETUP();
	ASSERT_LE(0, f = vms_make_file(path, sizeof(path), "shm", 4));
	id = shmget(IPC_PRIVATE, PGS(4), IPC_CREAT | 0600);
	if (id < 0)
		SKIP(return, "no SysV shm: %s", strerror(errno));
	p = shmat(id, (void *)PG(1), 0);
	shmctl(id, IPC_RMID, NULL);
	ASSERT_EQ((void *)PG(1), p);
	memset(&op, 0, sizeof(op));
	op.addr = PG(1);
	op.len = PGS(4);
	op.prot = RW;
	op.flags = MAP_SHARED | MAP_FIXED;
	op.fd = f;
	op.op_flags = VMASHADOW_OPF_CLOSE_OP;
	ASSERT_EQ(0, vms_op(vms_fd, VMASHADOW_IOC_MAP, &op));

	ASSERT_EQ(0, vms_snapshot());
	ASSERT_STREQ("1-5:rw-s", vms_real_layout);
	ASSERT_STREQ(vms_real_layout, vms_shadow_layout);

	VMS_CHECK_RES(0, vms_both_protect(PG(3), PGS(2), R));
	ASSERT_EQ(0, vms_snapshot());
	ASSERT_STREQ("1-3:rw-s 3-5:r--s", vms_real_layout);
	ASSERT_STREQ(vms_real_layout, vms_shadow_layout);

	VMS_CHECK_RES(0, vms_both_protect(PG(3), PGS(1), RW));
	ASSERT_EQ(0, vms_snapshot());
	if (k == 61) {
		EXPECT_STREQ("1-3:rw-s 3-4:rw-s 4-5:r--s", vms_real_layout);
	} else if (k == 612) {
		EXPECT_STREQ("1-4:rw-s 4-5:r--s", vms_real_layout);
	}
	ASSERT_STREQ(vms_real_layout, vms_shadow_layout);

	/* Removing the close-region would be needed: never merges. */
	VMS_CHECK_RES(0, vms_both_protect(PG(4), PGS(1), RW));
	ASSERT_EQ(0, vms_snapshot());
	if (k == 61) {
		EXPECT_STREQ("1-3:rw-s 3-4:rw-s 4-5:rw-s", vms_real_layout);
	}
	ASSERT_STREQ(vms_real_layout, vms_shadow_layout);
	shmdt(p);
	close(f);
	unlink(path);
}

/*
 * rw- and rwx differ only in VM_EXEC: both carry VM_ACCOUNT, so flipping
 * exec back and forth splits and re-merges on both kernels.
 */
TEST(exec_flip)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	PROTECT(0, 3, 2, RWX);
	CHECK_LAYOUT("1-3:rw-p 3-5:rwxp 5-7:rw-p");
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-7:rw-p");
}

TEST_HARNESS_MAIN
