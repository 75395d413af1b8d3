// SPDX-License-Identifier: GPL-2.0
/*
 * explain: EXPLAIN_LAST names the rule that refused a merge after a MAP or
 * PROTECT (flags with flags_diff, file, pgoff, anon_vma); EXPLAIN_AT asks
 * about the boundary between two regions.
 */
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)

static struct vmashadow_explain last(struct __test_metadata *_metadata)
{
	struct vmashadow_explain e;

	EXPECT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &e));
	return e;
}

/*
 *   01234567
 *    PPAA        P rw-, A r--: refused by flags (WRITE and ACCOUNT)
 */
TEST(flags)
{
	struct vmashadow_explain e;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, R, 0);
	CHECK_LAYOUT("1-3:rw-p 3-5:r--p");
	e = last(_metadata);
	EXPECT_EQ(VMASHADOW_OP_MAP, e.op);
	EXPECT_EQ(PG(1), e.prev.start);
	EXPECT_EQ(PG(3), e.prev.end);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_WHY_FLAGS, e.prev.why);
	EXPECT_EQ(VMASHADOW_VM_WRITE | VMASHADOW_VM_ACCOUNT, e.prev.flags_diff);
	EXPECT_EQ(VMASHADOW_VERDICT_NONE, e.next.verdict);
	EXPECT_EQ(0, e.merge_case);
}

/* NORESERVE: the hidden flags differ, nothing else. */
TEST(flags_noreserve)
{
	struct vmashadow_explain e;

	VMS_SETUP();
	MAP(0, 3, 2, RW, 0);
	MAP(0, 1, 2, RW, MAP_NORESERVE);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p");
	e = last(_metadata);
	EXPECT_EQ(VMASHADOW_VERDICT_NONE, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.next.verdict);
	EXPECT_EQ(VMASHADOW_WHY_FLAGS, e.next.why);
	EXPECT_EQ(VMASHADOW_VM_NORESERVE | VMASHADOW_VM_ACCOUNT, e.next.flags_diff);
}

TEST(merged)
{
	struct vmashadow_explain e;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-7:rw-p");
	e = last(_metadata);
	TH_LOG("case %u prev %llx-%llx %u/%u next %llx-%llx %u/%u", e.merge_case,
	       e.prev.start, e.prev.end, e.prev.verdict, e.prev.why,
	       e.next.start, e.next.end, e.next.verdict, e.next.why);
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, e.next.verdict);
	EXPECT_EQ(VMASHADOW_WHY_NONE, e.prev.why);
}

/* Two opens of one file: refused by FILE. */
TEST(file)
{
	struct vmashadow_explain e;
	char path[64];
	int f1, f2;

	VMS_SETUP();
	ASSERT_LE(0, f1 = vms_make_file(path, sizeof(path), "xf", 8));
	ASSERT_LE(0, f2 = open(path, O_RDONLY));
	MAPF(0, 1, 2, R, MAP_PRIVATE, f1, 0);
	MAPF(0, 3, 2, R, MAP_PRIVATE, f2, 2);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p");
	e = last(_metadata);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_WHY_FILE, e.prev.why);
	/* Same fd, offset not contiguous: PGOFF. */
	MAPF(0, 5, 2, R, MAP_PRIVATE, f2, 0);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p 5-7:r--p");
	e = last(_metadata);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_WHY_PGOFF, e.prev.why);
	close(f1);
	close(f2);
	unlink(path);
}

/* Two differently faulted regions: ANON_VMA. */
TEST(anon_vma)
{
	struct vmashadow_explain e;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	TOUCH(1);
	MAP(0, 4, 2, RWX, 0);
	TOUCH(4);
	MAP(0, 3, 1, RWX, 0);
	CHECK_LAYOUT("1-3:rw-p 3-6:rwxp");
	PROTECT(0, 3, 3, RW);
	CHECK_LAYOUT("1-3:rw-p 3-6:rw-p");
	e = last(_metadata);
	EXPECT_EQ(VMASHADOW_OP_PROTECT, e.op);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_WHY_ANON_VMA, e.prev.why);

	/* The same boundary, asked directly. */
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_AT, PG(3), &e));
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED,
		  e.prev.verdict == VMASHADOW_VERDICT_REFUSED ?
		  e.prev.verdict : e.next.verdict);
	EXPECT_EQ(VMASHADOW_WHY_ANON_VMA,
		  e.prev.why ? e.prev.why : e.next.why);
}

/* A faulted range next to an unfaulted region: ANON_UNFAULTED. */
TEST(anon_unfaulted)
{
	struct vmashadow_explain e;

	VMS_SETUP();
	MAP(0, 1, 4, RW, 0);
	PROTECT(0, 3, 2, RWX);
	TOUCH(3);
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p");
	e = last(_metadata);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_WHY_ANON_UNFAULTED, e.prev.why);
}

/* EXPLAIN_AT on a boundary between a rw- and a r-- region. */
TEST(at_boundary)
{
	struct vmashadow_explain e;
	const struct vmashadow_explain_side *s;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, R, 0);
	CHECK_LAYOUT("1-3:rw-p 3-5:r--p");
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_AT, PG(3), &e));
	s = e.prev.verdict == VMASHADOW_VERDICT_REFUSED ? &e.prev : &e.next;
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, s->verdict);
	EXPECT_EQ(VMASHADOW_WHY_FLAGS, s->why);
	EXPECT_EQ(VMASHADOW_VM_WRITE | VMASHADOW_VM_ACCOUNT, s->flags_diff);
	EXPECT_EQ(PG(1), e.prev.start);
	EXPECT_EQ(PG(3), e.prev.end);
	EXPECT_EQ(PG(3), e.next.start);
	EXPECT_EQ(PG(5), e.next.end);
	/*
	 * Not a boundary between two regions: ioctl.h does not say what to
	 * answer; whatever it is, nothing may claim a merge verdict there.
	 */
	if (!vms_explain(vms_fd, VMASHADOW_EXPLAIN_AT, PG(2), &e)) {
		EXPECT_NE(VMASHADOW_VERDICT_MERGED, e.prev.verdict);
		EXPECT_NE(VMASHADOW_VERDICT_MERGED, e.next.verdict);
		TH_LOG("EXPLAIN_AT inside a region: prev %u/%u next %u/%u",
		       e.prev.verdict, e.prev.why, e.next.verdict, e.next.why);
	}
}

TEST_HARNESS_MAIN
