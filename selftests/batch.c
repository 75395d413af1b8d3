// SPDX-License-Identifier: GPL-2.0
/*
 * batch: VMASHADOW_IOC_BATCH applies operations in order and stops at the
 * first failure: ->done counts the applied ones, ->error is the failing
 * one's errno, the ioctl returns 0, and each applied operation's results
 * are written back into its entry.  The real side does the same calls one
 * by one, stopping where the batch stopped.
 */
#include "vms_test.h"

#define RW	(PROT_READ | PROT_WRITE)
#define R	PROT_READ

static struct vmashadow_op ops[4200];

static void op_map(struct vmashadow_op *op, unsigned long pg,
		   unsigned long npg, int prot)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->op = VMASHADOW_OP_MAP;
	op->addr = PG(pg);
	op->len = PGS(npg);
	op->prot = prot;
	op->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	op->fd = -1;
}

static void op_protect(struct vmashadow_op *op, unsigned long addr,
		       unsigned long npg, int prot)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->op = VMASHADOW_OP_PROTECT;
	op->addr = addr;
	op->len = PGS(npg);
	op->prot = prot;
	op->fd = -1;
}

static long batch(int fd, struct vmashadow_op *o, unsigned int count,
		  unsigned int op_size, struct vmashadow_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->op_size = op_size;
	b->ops = (unsigned long)o;
	b->count = count;
	return vms_ioctl(fd, VMASHADOW_IOC_BATCH, b);
}

/*
 *   0123456789
 *    AA           op 0: map
 *        BB       op 1: map
 *    A            op 2: mprotect an unaligned address: -EINVAL, stop
 *          CC     op 3: never applied
 */
TEST(stops_at_failure)
{
	struct vmashadow_batch b;

	VMS_SETUP();
	op_map(&ops[0], 1, 2, RW);
	op_map(&ops[1], 5, 2, R);
	op_protect(&ops[2], PG(1) + 1, 1, R);
	op_map(&ops[3], 8, 2, RW);
	ASSERT_EQ(0, batch(vms_fd, ops, 4, sizeof(ops[0]), &b));
	EXPECT_EQ(2, b.done);
	EXPECT_EQ(-EINVAL, b.error);
	/* Results written back into the applied entries. */
	EXPECT_EQ(PG(1), ops[0].result);
	EXPECT_EQ(1, ops[0].map_count);
	EXPECT_EQ(PG(5), ops[1].result);
	EXPECT_EQ(2, ops[1].map_count);
	EXPECT_EQ(0, ops[3].result);
	/* The real side, one by one. */
	ASSERT_EQ(0, vms_real_map(PG(1), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_map(PG(5), PGS(2), R, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	EXPECT_EQ(-EINVAL, vms_real_protect(PG(1) + 1, PGS(1), R));
	CHECK_LAYOUT("1-3:rw-p 5-7:r--p");
}

/*
 * A failure the system call itself gives (not a bad op): mprotect over a
 * hole changes what it met first, then -ENOMEM; the batch stops there.
 *
 *   0123456789
 *    AA  BB       map, map
 *    rrrr         mprotect 1-5 r--: A changed, the hole: -ENOMEM
 */
TEST(syscall_failure)
{
	struct vmashadow_batch b;

	VMS_SETUP();
	op_map(&ops[0], 1, 2, RW);
	op_map(&ops[1], 5, 2, RW);
	op_protect(&ops[2], PG(1), 6, R);
	op_map(&ops[3], 8, 2, RW);
	ASSERT_EQ(0, batch(vms_fd, ops, 4, sizeof(ops[0]), &b));
	EXPECT_EQ(2, b.done);
	EXPECT_EQ(-ENOMEM, b.error);
	ASSERT_EQ(0, vms_real_map(PG(1), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_map(PG(5), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	EXPECT_EQ(-ENOMEM, vms_real_protect(PG(1), PGS(6), R));
	CHECK_LAYOUT("1-3:r--p 5-7:rw-p");
}

/* All of a batch applied: done == count, error 0; an empty batch is fine. */
TEST(all_applied)
{
	struct vmashadow_batch b;
	unsigned int i;

	VMS_SETUP();
	/* Every other page: 100 regions, more than one chunk (64) of the module. */
	for (i = 0; i < 100; i++)
		op_map(&ops[i], 2 * i, 1, RW);
	ASSERT_EQ(0, batch(vms_fd, ops, 100, sizeof(ops[0]), &b));
	EXPECT_EQ(100, b.done);
	EXPECT_EQ(0, b.error);
	EXPECT_EQ(100, ops[99].map_count);
	EXPECT_EQ(PG(198), ops[99].result);
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, vms_real_map(PG(2 * i), PGS(1), RW, MAP_PRIVATE |
					  MAP_ANONYMOUS | MAP_FIXED, -1, 0,
					  NULL));
	ASSERT_EQ(0, vms_snapshot());
	ASSERT_STREQ(vms_real_win, vms_shadow_win);
	ASSERT_EQ(0, batch(vms_fd, ops, 0, sizeof(ops[0]), &b));
	EXPECT_EQ(0, b.done);
	EXPECT_EQ(0, b.error);
}

/* The batch itself is wrong: nothing is applied. */
TEST(bad_batch)
{
	struct vmashadow_batch b;

	VMS_SETUP();
	op_map(&ops[0], 1, 2, RW);
	/* More than max_batch (4096). */
	EXPECT_EQ(-E2BIG, batch(vms_fd, ops, 4097, sizeof(ops[0]), &b));
	/* op_size not the structure's. */
	EXPECT_EQ(-EINVAL, batch(vms_fd, ops, 1, sizeof(ops[0]) - 8, &b));
	EXPECT_EQ(-EINVAL, batch(vms_fd, ops, 1, sizeof(ops[0]) + 8, &b));
	EXPECT_EQ(-EINVAL, batch(vms_fd, ops, 1, 0, &b));
	/* Out fields set on entry. */
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.op_size = sizeof(ops[0]);
	b.ops = (unsigned long)ops;
	b.count = 1;
	b.done = 1;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BATCH, &b));
	/* A bad pointer. */
	EXPECT_EQ(-EFAULT, batch(vms_fd, (struct vmashadow_op *)8, 1,
				 sizeof(ops[0]), &b));
	CHECK_LAYOUT("");
	/* A bad op inside: an unknown op number. */
	op_map(&ops[1], 4, 1, RW);
	ops[1].op = 99;
	ASSERT_EQ(0, batch(vms_fd, ops, 2, sizeof(ops[0]), &b));
	EXPECT_EQ(1, b.done);
	EXPECT_EQ(-EINVAL, b.error);
	/*
	 * The out fields are the module's: whatever they hold is overwritten,
	 * so a batch can be submitted again as it came back.
	 */
	op_map(&ops[0], 4, 1, RW);
	ops[0].result = 1;
	ops[0].merges = 7;
	ASSERT_EQ(0, batch(vms_fd, ops, 1, sizeof(ops[0]), &b));
	EXPECT_EQ(1, b.done);
	EXPECT_EQ(0, b.error);
	EXPECT_EQ(PG(4), ops[0].result);
	EXPECT_EQ(0, ops[0].merges);
	ASSERT_EQ(0, vms_real_map(PG(1), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_map(PG(4), PGS(1), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	CHECK_LAYOUT("1-3:rw-p 4-5:rw-p");
}

TEST_HARNESS_MAIN
