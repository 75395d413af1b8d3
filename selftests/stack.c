// SPDX-License-Identifier: GPL-2.0
/*
 * stack: a write fault below a region that grows down stretches it down
 * to the fault's page (expand_downwards()), against the real kernel.
 *
 * The window's regions are mapped with MAP_GROWSDOWN.  A real write below
 * one either grows it or raises SIGSEGV, caught here; TOUCH on the shadow
 * must give the same (0 or -EFAULT) and the same maps:
 *
 *   the guard gap    an accessible region below that does not grow down
 *                    must stay stack_guard_gap (256 pages) away
 *   RLIMIT_STACK     bounds the region's whole size after the growth
 *   access_error()   a region that may not be written grows all the
 *                    same, and then the fault fails
 *   no merge         a region grown up to its neighbour stays apart
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include "vms_test.h"

#define R		PROT_READ
#define RW		(PROT_READ | PROT_WRITE)
#define DOWN		MAP_GROWSDOWN
#define GUARD_PAGES	256	/* stack_guard_gap's default */

static sigjmp_buf segv_jmp;

static void on_segv(int sig)
{
	siglongjmp(segv_jmp, 1);
}

/* A real write at @addr: 0, or -EFAULT for the SIGSEGV it raised. */
static long real_write(unsigned long addr)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	long ret = 0;

	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(segv_jmp, 1))
		ret = -EFAULT;
	else
		*(volatile char *)addr = 1;
	sigaction(SIGSEGV, &old, NULL);
	return ret;
}

/* A write fault at page @pg of the window, both sides. */
#define WRITE(expect, pg) do {						\
	long __r = real_write(PG(pg));					\
	long __s = vms_shadow_touch(vms_fd, PG(pg));			\
	ASSERT_EQ((long)(expect), __r)					\
		TH_LOG("real write at page %d: %ld", (int)(pg), __r);	\
	ASSERT_EQ(__r, __s)						\
		TH_LOG("shadow TOUCH at page %d: %ld, real %ld",	\
		       (int)(pg), __s, __r);				\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

/*
 *   0         1         2
 *                       GG       a region that grows down
 *                      gGG       a write just below: one page more
 *             ggggggggggGG       far below: all the way down
 */
TEST(grow)
{
	VMS_SETUP();
	MAP(0, 20, 2, RW, DOWN);
	WRITE(0, 19);
	CHECK_LAYOUT("19-22:rw-p");
	WRITE(0, 10);
	WRITE(0, 15);
	CHECK_LAYOUT("10-22:rw-p");
}

/*
 * The guard gap counts from an accessible region below that does not
 * grow down:
 *
 *   0 1       256       600
 *   R                   GG       a write 255 pages above R: SIGSEGV
 *   R          ggggggggggGG      256 pages above: grown
 *   N ggggggggggggggggggggGG     R made PROT_NONE: no gap kept at all
 */
TEST(guard_gap)
{
	VMS_SETUP();
	MAP(0, 0, 1, R, 0);
	MAP(0, 600, 2, RW, DOWN);
	WRITE(-EFAULT, 1 + GUARD_PAGES - 1);
	CHECK_LAYOUT("0-1:r--p 600-602:rw-p");
	WRITE(0, 1 + GUARD_PAGES);
	CHECK_LAYOUT("0-1:r--p 257-602:rw-p");
	PROTECT(0, 0, 1, PROT_NONE);
	WRITE(0, 1);
	CHECK_LAYOUT("0-1:---p 1-602:rw-p");
}

/*
 * Below a region that grows down itself no gap is kept, and the region
 * grown up to it does not merge with it: expand_downwards() only moves
 * the start.
 */
TEST(grow_to_a_neighbour)
{
	VMS_SETUP();
	MAP(0, 10, 1, RW, DOWN);
	MAP(0, 12, 2, RW, DOWN);
	WRITE(0, 10);
	WRITE(0, 11);
	CHECK_LAYOUT("10-11:rw-p 11-14:rw-p");
}

/*
 * RLIMIT_STACK of 64 pages (the test's own stack is smaller): the region
 * may grow to 64 pages, not 65.  The shadow takes the limit from its
 * opener, and IMPORT from the process.
 */
TEST(rlimit_stack)
{
	struct rlimit rl;
	struct vmashadow_params p;

	ASSERT_EQ(0, getrlimit(RLIMIT_STACK, &rl));
	rl.rlim_cur = PGS(64);
	ASSERT_EQ(0, setrlimit(RLIMIT_STACK, &rl));
	VMS_SETUP();
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(PGS(64), p.rlimit_stack);
	MAP(0, 500, 2, RW, DOWN);
	WRITE(0, 502 - 64);
	WRITE(-EFAULT, 502 - 65);
	CHECK_LAYOUT("438-502:rw-p");

	rl.rlim_cur = PGS(66);
	ASSERT_EQ(0, setrlimit(RLIMIT_STACK, &rl));
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(0), PG(VMS_WIN_PAGES), NULL));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(PGS(66), p.rlimit_stack);
	WRITE(0, 502 - 65);
	CHECK_LAYOUT("437-502:rw-p");
}

/*
 * A write below a read-only region that grows down: the region grows
 * first (lock_mm_and_find_vma()), then the write is refused
 * (access_error()), and the growth stays.
 */
TEST(grow_then_refuse)
{
	VMS_SETUP();
	MAP(0, 30, 2, R, DOWN);
	WRITE(-EFAULT, 29);
	CHECK_LAYOUT("29-32:r--p");
	/* and a region that does not grow down is no help at all */
	MAP(0, 40, 2, RW, 0);
	WRITE(-EFAULT, 39);
	CHECK_LAYOUT("29-32:r--p 40-42:rw-p");
}

TEST_HARNESS_MAIN
