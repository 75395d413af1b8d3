// SPDX-License-Identifier: GPL-2.0
/*
 * memlock: RLIMIT_MEMLOCK, which binds a process without CAP_IPC_LOCK.
 *
 * Each test drops CAP_IPC_LOCK from its own process (the harness runs
 * every test in a child of its own) and sets the limit, then opens the
 * shadow, which takes both from its opener.  The window is all the
 * process has locked, so the real VmLck is the shadow's locked_pages:
 *
 *   can_do_mlock()       a limit of 0: mlock, mlockall, MAP_LOCKED -EPERM
 *   do_mlock()           locked + range - already locked in range > limit:
 *                        -ENOMEM, nothing changed
 *   mlock_future_ok()    MAP_LOCKED, mlockall(MCL_FUTURE)'s later maps and
 *                        mremap growing locked memory: -EAGAIN
 *   mlockall()           MCL_CURRENT with total_vm above it: -ENOMEM
 */
#include <stdlib.h>
#include <sys/resource.h>
#include "vms_test.h"

#define R	PROT_READ
#define LOCKED	MAP_LOCKED

/* RLIMIT_MEMLOCK of @pages, without CAP_IPC_LOCK. */
static int memlock_to(unsigned long pages)
{
	struct rlimit rl = { pages * VMS_PS, pages * VMS_PS };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return -errno;
	return vms_drop_cap(CAP_IPC_LOCK);
}

static long shadow_locked_pages(void)
{
	struct vmashadow_stats st;

	return vms_stats(vms_fd, &st) ? -1 : (long)st.locked_pages;
}

#define CHECK_LOCKED(pages) do {					\
	ASSERT_EQ(pages, vms_status_pages("VmLck"));			\
	ASSERT_EQ(pages, shadow_locked_pages());			\
} while (0)

/* The opener's limit is the shadow's; with CAP_IPC_LOCK there is none. */
TEST(limit_from_opener)
{
	struct vmashadow_params p;

	VMS_SETUP();
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(VMASHADOW_MEMLOCK_UNLIMITED, p.rlimit_memlock);
	close(vms_fd);
	ASSERT_EQ(0, memlock_to(8));
	VMS_SETUP();
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(PGS(8), p.rlimit_memlock);
	/* IMPORT takes them from the process it reads */
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(PGS(8), p.rlimit_memlock);
}

/*
 * A limit of 8 pages:
 *
 *   0         1
 *   0123456789012
 *   LLLLLL------    mlock 0-6: 6 locked
 *         ++++      mlock 6-10: 10 > 8, -ENOMEM
 *     ++++++++      mlock 2-10: 6 + 8 - 4 = 10, -ENOMEM
 *   LLLLLLLL----    mlock 4-8: 6 + 4 - 2 = 8, allowed
 */
TEST(mlock_against_limit)
{
	ASSERT_EQ(0, memlock_to(8));
	VMS_SETUP();
	MAP(0, 0, 12, R, 0);
	MLOCK(0, 0, 6);
	CHECK_LAYOUT("0-6:r--p 6-12:r--p");
	CHECK_LOCKED(6);
	MLOCK(-ENOMEM, 6, 4);
	MLOCK(-ENOMEM, 2, 8);
	CHECK_LAYOUT("0-6:r--p 6-12:r--p");
	MLOCK(0, 4, 4);
	CHECK_LAYOUT("0-8:r--p 8-12:r--p");
	CHECK_LOCKED(8);
	/* MAP_LOCKED and a locked region's growth: -EAGAIN */
	MAP(-EAGAIN, 20, 1, R, LOCKED);
	VMS_CHECK_RES(-EAGAIN, vms_both_remap(PG(0), PGS(8), PGS(9),
					      MREMAP_MAYMOVE, 0));
	MUNLOCK(0, 0, 2);
	CHECK_LOCKED(6);
	MAP(0, 20, 2, R, LOCKED);
	CHECK_LOCKED(8);
	CHECK_LAYOUT("0-2:r--p 2-8:r--p 8-12:r--p 20-22:r--p");
}

/* mlockall(): MCL_CURRENT counts everything mapped; the future is free. */
TEST(mlockall_against_limit)
{
	ASSERT_EQ(0, memlock_to(8));
	VMS_SETUP();
	MAP(0, 0, 12, R, 0);
	VMS_CHECK_RES(-ENOMEM, vms_both_mlockall(MCL_CURRENT));
	VMS_CHECK_RES(-ENOMEM, vms_both_mlockall(MCL_CURRENT | MCL_FUTURE));
	CHECK_LOCKED(0);
	VMS_CHECK_RES(0, vms_both_mlockall(MCL_FUTURE));
	MAP(0, 20, 8, R, 0);
	CHECK_LOCKED(8);
	MAP(-EAGAIN, 30, 1, R, 0);
	VMS_CHECK_RES(0, vms_both_munlockall());
	MAP(0, 30, 1, R, 0);
	CHECK_LOCKED(0);
	CHECK_LAYOUT("0-12:r--p 20-28:r--p 30-31:r--p");
}

/* A limit of 0: no locking at all, but unlocking is always allowed. */
TEST(limit_zero)
{
	ASSERT_EQ(0, memlock_to(0));
	VMS_SETUP();
	MAP(0, 0, 4, R, 0);
	MLOCK(-EPERM, 0, 1);
	VMS_CHECK_RES(-EPERM, vms_both_mlockall(MCL_FUTURE));
	MAP(-EPERM, 8, 1, R, LOCKED);
	MUNLOCK(0, 0, 4);
	VMS_CHECK_RES(0, vms_both_munlockall());
	CHECK_LAYOUT("0-4:r--p");
}

TEST_HARNESS_MAIN
