// SPDX-License-Identifier: GPL-2.0
/*
 * dryrun: VMASHADOW_OPF_DRY_RUN on each operation.  The shadow's read()
 * output is the same byte for byte before and after; the ioctl returns the
 * errno the operation would give, and on success its out fields say the
 * map_count after it and how many merges, splits, truncations and
 * removals it would do.  Then the same operation done for real (on both
 * sides) must agree with the prediction.
 */
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)

static char before[VMS_MAPS_SIZE];

/* The op described by its fields, as a dry run. */
static struct vmashadow_op dop(unsigned long addr, unsigned long len,
			       int prot, int flags)
{
	struct vmashadow_op op;

	memset(&op, 0, sizeof(op));
	op.size = sizeof(op);
	op.addr = addr;
	op.len = len;
	op.prot = prot;
	op.flags = flags;
	op.fd = -1;
	op.op_flags = VMASHADOW_OPF_DRY_RUN;
	return op;
}

/*
 * Dry-runs @op with @cmd: the shadow does not change, the ioctl returns
 * @expect; on success the predicted counts are checked.
 */
#define DRY(cmd, o, expect, count, m, s, t, r) do {			\
	long __ret;							\
	ASSERT_LE(0, vms_read_shadow_maps(vms_fd));			\
	strcpy(before, vms_shadow_maps);				\
	__ret = vms_ioctl(vms_fd, cmd, &(o));				\
	EXPECT_EQ((long)(expect), __ret);				\
	ASSERT_LE(0, vms_read_shadow_maps(vms_fd));			\
	ASSERT_STREQ(before, vms_shadow_maps);				\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
	if (!__ret) {							\
		EXPECT_EQ(count, (o).map_count);			\
		EXPECT_EQ(m, (o).merges);				\
		EXPECT_EQ(s, (o).splits);				\
		EXPECT_EQ(t, (o).truncations);				\
		EXPECT_EQ(r, (o).removals);				\
	}								\
} while (0)

/*
 * The same op for real on the shadow: it must report what the dry run
 * predicted.  The real side of it is the caller's.
 */
#define APPLY(cmd, o) do {						\
	struct vmashadow_op __o = (o);					\
	__o.op_flags &= ~VMASHADOW_OPF_DRY_RUN;				\
	__o.op = 0;							\
	__o.result = __o.map_count = 0;					\
	__o.merges = __o.splits = __o.truncations = __o.removals = 0;	\
	ASSERT_EQ(0, vms_ioctl(vms_fd, cmd, &__o));			\
	EXPECT_EQ((o).result, __o.result);				\
	EXPECT_EQ((o).map_count, __o.map_count);			\
	EXPECT_EQ((o).merges, __o.merges);				\
	EXPECT_EQ((o).splits, __o.splits);				\
	EXPECT_EQ((o).truncations, __o.truncations);			\
	EXPECT_EQ((o).removals, __o.removals);				\
} while (0)

static long shadow_regions(void)
{
	return vms_shadow_map_count(vms_fd);
}

/* EXPLAIN_LAST describes the last operation, a dry run included. */
static unsigned int last_op(void)
{
	struct vmashadow_explain e;

	if (vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &e))
		return 0;
	return e.op;
}

/*
 *   0123456789
 *    AAAAAA        mprotect 3-5: two splits, three regions
 *    AAAAAA        back: two merges
 *    AA  AA        munmap 3-5: a split (and the middle piece goes)
 *    AAAAAA        map 3-5 rw- (fixed): merges with both
 *                  munmap all: one removal
 * Each dry run's prediction equals what the op then reports when done.
 */
TEST(predicts)
{
	struct vmashadow_op o;
	long n0;

	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	n0 = shadow_regions();

	o = dop(PG(3), PGS(2), R, 0);
	DRY(VMASHADOW_IOC_PROTECT, o, 0, n0 + 2, 0, 2, 0, 0);
	EXPECT_EQ(VMASHADOW_OP_PROTECT, last_op());
	APPLY(VMASHADOW_IOC_PROTECT, o);
	ASSERT_EQ(0, vms_real_protect(PG(3), PGS(2), R));
	CHECK_LAYOUT("1-3:rw-p 3-5:r--p 5-7:rw-p");
	EXPECT_EQ(n0 + 2, shadow_regions());

	o = dop(PG(3), PGS(2), RW, 0);
	DRY(VMASHADOW_IOC_PROTECT, o, 0, n0, 2, 0, 0, 0);
	APPLY(VMASHADOW_IOC_PROTECT, o);
	ASSERT_EQ(0, vms_real_protect(PG(3), PGS(2), RW));
	CHECK_LAYOUT("1-7:rw-p");

	/* Counted by the module as one split (truncations, removals: log). */
	o = dop(PG(3), PGS(2), 0, 0);
	DRY(VMASHADOW_IOC_UNMAP, o, 0, n0 + 1, 0, o.splits, o.truncations,
	    o.removals);
	EXPECT_LE(1, o.splits);
	TH_LOG("munmap of a middle: splits %u truncations %u removals %u",
	       o.splits, o.truncations, o.removals);
	APPLY(VMASHADOW_IOC_UNMAP, o);
	ASSERT_EQ(0, vms_real_unmap(PG(3), PGS(2)));
	CHECK_LAYOUT("1-3:rw-p 5-7:rw-p");
	EXPECT_EQ(n0 + 1, shadow_regions());

	o = dop(PG(3), PGS(2), RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	DRY(VMASHADOW_IOC_MAP, o, 0, n0, 2, 0, 0, 0);
	EXPECT_EQ(PG(3), o.result);
	EXPECT_EQ(VMASHADOW_OP_MAP, last_op());
	APPLY(VMASHADOW_IOC_MAP, o);
	ASSERT_EQ(0, vms_real_map(PG(3), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	CHECK_LAYOUT("1-7:rw-p");
	EXPECT_EQ(n0, shadow_regions());

	o = dop(PG(1), PGS(6), 0, 0);
	DRY(VMASHADOW_IOC_UNMAP, o, 0, n0 - 1, 0, 0, 0, 1);
	APPLY(VMASHADOW_IOC_UNMAP, o);
	ASSERT_EQ(0, vms_real_unmap(PG(1), PGS(6)));
	CHECK_LAYOUT("");
}

/* REMAP, MADVISE and TOUCH as dry runs. */
TEST(other_ops)
{
	struct vmashadow_op o;
	long n0;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	n0 = shadow_regions();

	/* Grow 1-3 up to 5-7: absorbs it. */
	o = dop(PG(1), PGS(2), 0, 0);
	o.new_len = PGS(4);
	DRY(VMASHADOW_IOC_REMAP, o, 0, n0 - 1, o.merges, 0, 0, 0);
	EXPECT_EQ(PG(1), o.result);
	EXPECT_EQ(VMASHADOW_OP_REMAP, last_op());
	REMAP(0, 1, 2, 4, 0, -1, 1);
	CHECK_LAYOUT("1-7:rw-p");
	EXPECT_EQ(n0 - 1, shadow_regions());

	o = dop(PG(3), PGS(1), 0, MADV_DONTFORK);
	DRY(VMASHADOW_IOC_MADVISE, o, 0, n0 + 1, 0, 2, 0, 0);
	EXPECT_EQ(VMASHADOW_OP_MADVISE, last_op());
	MADVISE(0, 3, 1, MADV_DONTFORK);
	CHECK_LAYOUT("1-3:rw-p 3-4:rw-p 4-7:rw-p");
	EXPECT_EQ(0, FLAGS(1) & VMASHADOW_VM_DONTCOPY);

	/* A dry touch creates no anon_vma. */
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.addr = PG(1);
	o.op_flags = VMASHADOW_OPF_DRY_RUN;
	DRY(VMASHADOW_IOC_TOUCH, o, 0, n0 + 1, 0, 0, 0, 0);
	EXPECT_EQ(0, vms_region_at(1).anon_id);
	/* A dry touch of a hole: -EFAULT like the fault would be. */
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.addr = PG(9);
	o.op_flags = VMASHADOW_OPF_DRY_RUN;
	DRY(VMASHADOW_IOC_TOUCH, o, -EFAULT, 0, 0, 0, 0, 0);
}

/* Failing operations: the dry run's errno is the real call's. */
TEST(errors)
{
	struct vmashadow_op o;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);

	/* mprotect over a hole: the real one changes 1-3, then -ENOMEM. */
	o = dop(PG(1), PGS(6), R, 0);
	DRY(VMASHADOW_IOC_PROTECT, o, -ENOMEM, 0, 0, 0, 0, 0);
	/*
	 * A failed dry run still reports its outcome: the region count after
	 * the partial change (1-3 made read-only in place, no split).
	 */
	EXPECT_EQ(2, o.map_count);
	EXPECT_EQ(0, o.splits);
	EXPECT_EQ(0, o.merges);
	PROTECT(-ENOMEM, 1, 6, R);
	CHECK_LAYOUT("1-3:r--p 5-7:rw-p");

	o = dop(PG(1) + 1, PGS(1), 0, 0);
	DRY(VMASHADOW_IOC_UNMAP, o, -EINVAL, 0, 0, 0, 0, 0);
	VMS_CHECK_RES(-EINVAL, vms_both_unmap(PG(1) + 1, PGS(1)));

	o = dop(PG(3), PGS(1), 0, 0);
	o.new_len = PGS(2);
	DRY(VMASHADOW_IOC_REMAP, o, -EFAULT, 0, 0, 0, 0, 0);
	REMAP(-EFAULT, 3, 1, 2, 0, -1, -1);

	o = dop(PG(1), PGS(2), RW, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_FIXED_NOREPLACE);
	DRY(VMASHADOW_IOC_MAP, o, -EEXIST, 0, 0, 0, 0, 0);
	MAP(-EEXIST, 1, 2, RW, MAP_FIXED_NOREPLACE);

	o = dop(PG(1), PGS(2), 0, 12345);
	DRY(VMASHADOW_IOC_MADVISE, o, -EINVAL, 0, 0, 0, 0, 0);
	MADVISE(-EINVAL, 1, 2, 12345);
	CHECK_LAYOUT("1-3:r--p 5-7:rw-p");
}

/* ---- at the map-count limit ------------------------------------------------ */

FIXTURE(dry_limit) {
	long saved;
};

FIXTURE_SETUP(dry_limit)
{
	self->saved = vms_mmc_read();
	ASSERT_LT(0, self->saved);
	VMS_SETUP();
}

FIXTURE_TEARDOWN(dry_limit)
{
	if (self->saved > 0)
		EXPECT_EQ(0, vms_mmc_write(self->saved));
}

/*
 *   012345678
 *    AAAAAA      count == limit
 *      xx        mprotect the middle: the dry run says -ENOMEM, so does
 *                the real call; madvise: -EAGAIN; mmap elsewhere works
 *                (refused only above the limit) and the dry run says so
 */
TEST_F(dry_limit, predicts_limit)
{
	struct vmashadow_op o;
	long n;

	MAP(0, 1, 6, RW, 0);
	VMS_AT_DISTANCE(0);
	n = shadow_regions();
	o = dop(PG(3), PGS(2), R, 0);
	DRY(VMASHADOW_IOC_PROTECT, o, -ENOMEM, 0, 0, 0, 0, 0);
	PROTECT(-ENOMEM, 3, 2, R);
	o = dop(PG(3), PGS(2), 0, MADV_DONTDUMP);
	DRY(VMASHADOW_IOC_MADVISE, o, -EAGAIN, 0, 0, 0, 0, 0);
	MADVISE(-EAGAIN, 3, 2, MADV_DONTDUMP);
	o = dop(PG(9), PGS(1), R, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	DRY(VMASHADOW_IOC_MAP, o, 0, n + 1, 0, 0, 0, 0);
	MAP(0, 9, 1, R, 0);
	EXPECT_EQ(n + 1, shadow_regions());
	/* Now above the limit: a map is refused, dry or not. */
	o = dop(PG(11), PGS(1), R, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	DRY(VMASHADOW_IOC_MAP, o, -ENOMEM, 0, 0, 0, 0, 0);
	MAP(-ENOMEM, 11, 1, R, 0);
	CHECK_LAYOUT("1-7:rw-p 9-10:r--p");
}

TEST_HARNESS_MAIN
