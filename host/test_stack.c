// SPDX-License-Identifier: GPL-2.0
/*
 * Stack growth in the core, under both rule sets: a write fault (TOUCH)
 * below a region that grows down moves its start down to the fault's page
 * (expand_downwards()), unless mmap_min_addr, the stack guard gap,
 * RLIMIT_STACK, RLIMIT_AS, the memlock limit or the commit charge forbid
 * it; the anon_vma comes first, so a refusal by a limit leaves one.  Each
 * test fails if the rule it names goes from the core.  selftests/stack.c
 * checks the same against the real kernel where a test process can.
 */
#include "test_util.h"

#define DOWN	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN)
#define GUARD	(VMS_STACK_GUARD_GAP >> PAGE_SHIFT)

static long map_down(struct vms_mm *mm, unsigned long pg, unsigned long npg,
		     int prot)
{
	return do_map(mm, PG(pg), PGS(npg), prot, DOWN, NULL, 0, NULL);
}

/* The region holding page @pg, which must exist. */
static struct vms_region *at(struct vms_mm *mm, unsigned long pg)
{
	return vms_find(mm, PG(pg));
}

/* A fault below moves the start and the page offset down together. */
TEST(grow_moves_start_and_pgoff)
{
	struct vms_mm *mm = mm_new();
	unsigned long pgoff;

	ASSERT_EQ(0, map_down(mm, 20, 2, RW));
	pgoff = at(mm, 20)->pgoff;
	ASSERT_EQ(0, vms_touch(mm, PG(15) + 123));
	LAYOUT(mm, "15-22:rw-p");
	EXPECT_EQ(pgoff - 5, at(mm, 15)->pgoff);
	EXPECT_EQ(7, mm->total_vm);
	EXPECT_EQ(0, mm->data_vm);	/* a stack is not data */
	EXPECT_NE(NULL, vms_anon_of(at(mm, 15)));
	mm_free(mm);
}

/* Below a region that does not grow down a fault is only SIGSEGV. */
TEST(only_growsdown)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 20, 2, RW));
	ASSERT_EQ(-EFAULT, vms_touch(mm, PG(19)));
	LAYOUT(mm, "20-22:rw-p");
	EXPECT_EQ(NULL, vms_anon_of(at(mm, 20)));
	mm_free(mm);
}

/*
 * The guard gap above an accessible region below that does not grow
 * down; none above PROT_NONE or a region that grows down.
 */
TEST(guard_gap)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 1, R));
	ASSERT_EQ(0, map_down(mm, GUARD + 10, 1, RW));
	ASSERT_EQ(-EFAULT, vms_touch(mm, PG(GUARD)));
	/* refused before the anon_vma */
	EXPECT_EQ(NULL, vms_anon_of(at(mm, GUARD + 10)));
	ASSERT_EQ(0, vms_touch(mm, PG(GUARD + 1)));
	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(1), N));
	ASSERT_EQ(0, vms_touch(mm, PG(1)));
	LAYOUT(mm, "0-1:---p 1-267:rw-p");

	ASSERT_EQ(0, map_down(mm, 300, 1, RW));
	ASSERT_EQ(0, map_down(mm, 302, 1, RW));
	ASSERT_EQ(0, vms_touch(mm, PG(301)));
	LAYOUT(mm, "0-1:---p 1-267:rw-p 300-301:rw-p 301-303:rw-p");
	mm_free(mm);
}

/* Under mmap_min_addr: -EPERM inside, SIGSEGV outside. */
TEST(mmap_min_addr)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, map_down(mm, 20, 2, RW));
	mm->params.mmap_min_addr = PG(18);
	ASSERT_EQ(-EFAULT, vms_touch(mm, PG(17)));
	ASSERT_EQ(0, vms_touch(mm, PG(18)));
	LAYOUT(mm, "18-22:rw-p");
	mm_free(mm);
}

/*
 * RLIMIT_STACK bounds the whole region; the anon_vma is prepared before
 * the limit refuses, and stays.
 */
TEST(rlimit_stack_after_anon_vma)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, map_down(mm, 20, 2, RW));
	mm->params.rlimit_stack = PGS(8);
	ASSERT_EQ(-EFAULT, vms_touch(mm, PG(13)));
	LAYOUT(mm, "20-22:rw-p");
	EXPECT_NE(NULL, vms_anon_of(at(mm, 20)));
	ASSERT_EQ(0, vms_touch(mm, PG(14)));
	LAYOUT(mm, "14-22:rw-p");
	mm_free(mm);
}

/* RLIMIT_AS counts the growth. */
TEST(rlimit_as)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, map_down(mm, 20, 2, RW));
	mm->params.rlimit_as = PGS(5);
	ASSERT_EQ(-EFAULT, vms_touch(mm, PG(16)));
	ASSERT_EQ(0, vms_touch(mm, PG(17)));
	LAYOUT(mm, "17-22:rw-p");
	mm_free(mm);
}

/* A locked region grows only within RLIMIT_MEMLOCK. */
TEST(memlock)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, do_map(mm, PG(20), PGS(2), RW, DOWN | MAP_LOCKED, NULL,
			    0, NULL));
	mm->params.rlimit_memlock = PGS(3);
	ASSERT_EQ(-EFAULT, vms_touch(mm, PG(18)));
	ASSERT_EQ(0, vms_touch(mm, PG(19)));
	LAYOUT(mm, "19-22:rw-p");
	EXPECT_EQ(3, vms_locked_pages(mm));
	mm_free(mm);
}

/*
 * Strict overcommit charges the growth, last: 2 pages charged already,
 * 3 more reach the limit of 5, 2 stay under it.
 */
TEST(commit_charge)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, map_down(mm, 20, 2, RW));
	mm->params.overcommit_memory = 2;
	mm->params.commit_limit = 5;
	mm->params.commit_other = 0;
	mm->params.commit_admin_reserve = 0;
	mm->params.commit_user_reserve = 0;
	ASSERT_EQ(-EFAULT, vms_touch(mm, PG(17)));
	ASSERT_EQ(0, vms_touch(mm, PG(18)));
	LAYOUT(mm, "18-22:rw-p");
	mm_free(mm);
}

/*
 * The page offset may not go below 0: a region moved up from low memory
 * keeps its small offset, and cannot grow down by more pages than it.
 */
TEST(pgoff_floor)
{
	struct vms_mm *mm = mm_new();
	struct vms_region *r;

	ASSERT_EQ(0, map_down(mm, 20, 2, RW));
	r = at(mm, 20);
	r->pgoff = 3;		/* as a move from page 3 would leave it */
	ASSERT_EQ(-EFAULT, vms_touch(mm, PG(16)));
	ASSERT_EQ(0, vms_touch(mm, PG(17)));
	EXPECT_EQ(0, at(mm, 17)->pgoff);
	mm_free(mm);
}

/*
 * A region that may not be written grows, then the write fails
 * (access_error() comes after the growth).
 */
TEST(grow_then_refuse)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, map_down(mm, 20, 2, R));
	ASSERT_EQ(-EFAULT, vms_touch(mm, PG(19)));
	LAYOUT(mm, "19-22:r--p");
	mm_free(mm);
}

TEST_HARNESS_MAIN
