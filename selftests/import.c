// SPDX-License-Identifier: GPL-2.0
/*
 * import: VMASHADOW_IOC_IMPORT replaces the shadow with a real address
 * space (flags, backing, pgoff and anon_vma identities included), so the
 * shadow's read() must equal the real maps line for line, and real
 * operations mirrored on it afterwards must keep matching: an imported
 * faulted region refuses an unfaulted neighbour exactly as the real one.
 */
#include "vms_test.h"

#define RW	(PROT_READ | PROT_WRITE)
#define RWX	(PROT_READ | PROT_WRITE | PROT_EXEC)

#define ANON(pg)	(vms_region_at(pg).anon_id)

/* Lines of @s. */
static long lines(const char *s)
{
	long n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/*
 * The whole address space: every line equal, as many regions as the real
 * map_count, params taken from the process.
 */
TEST(self_whole)
{
	unsigned long n = 0;
	struct vmashadow_params p;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
	CHECK_RANGE(0, ~0UL);
	EXPECT_EQ(lines(vms_real_rng), n);
	EXPECT_EQ(vms_real_map_count(), n);
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ((unsigned long)syscall(SYS_brk, 0), p.brk);
	EXPECT_NE(0, p.start_brk);
	EXPECT_NE(0, p.start_stack);
	/* /proc/self/stat's 48th field; argv lies above the stack pointer */
	EXPECT_EQ(vms_stat_field(48), p.arg_start);
	EXPECT_LT(p.start_stack, p.arg_start);
	EXPECT_NE(0, p.mmap_base);
}

/*
 * Import, then mirrored operations keep matching in the window.
 *
 *   0123456789
 *    AA  BB        A touched, B unfaulted, before the import
 *    AAAAAA        fill: all three join (faulted prev, unfaulted next)
 *     x x          mprotect a page and back, unmap one: still equal
 */
TEST(self_then_mirror)
{
	__u64 a;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	TOUCH(1);
	MAP(0, 5, 2, RW, 0);
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	CHECK_LAYOUT("1-3:rw-p 5-7:rw-p");
	a = ANON(1);
	EXPECT_NE(0, a);
	EXPECT_EQ(0, ANON(5));
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT("1-7:rw-p");
	EXPECT_EQ(a, ANON(6));
	PROTECT(0, 2, 1, RWX);
	PROTECT(0, 2, 1, RW);
	UNMAP(0, 4, 1);
	CHECK_RANGE(0, ~0UL);
}

/*
 * Imported pieces of one anon_vma share it: a split before the import
 * merges back after it.
 *
 *   0123456789
 *    AAxxAA        one touched region, 3-5 rwx: three regions, one anon
 *    AAAAAA        rw- again after the import: one region
 */
TEST(self_pieces_share_anon)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	TOUCH(1);
	PROTECT(0, 3, 2, RWX);
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	EXPECT_EQ(ANON(1), ANON(3));
	EXPECT_EQ(ANON(1), ANON(5));
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-7:rw-p");
}

/*
 * Shared anonymous memory imported is what MAP makes of it: KIND_SHMEM
 * (which strict overcommit charges as such), not a file.
 */
TEST(self_shared_anon)
{
	struct vmashadow_find f;
	int mapped;

	VMS_SETUP();
	MAPS(0, 1, 2, RW);
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, PG(1), 0, &f));
	mapped = f.region.kind;
	EXPECT_EQ(VMASHADOW_KIND_SHMEM, mapped);
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(1), PG(3), NULL));
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, PG(1), 0, &f));
	EXPECT_EQ(mapped, f.region.kind);
	CHECK_LAYOUT("1-3:rw-s");
}

/* start/end restrict the import to the regions meeting [start, end). */
TEST(self_range)
{
	unsigned long n = 0;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RWX, 0);
	MAP(0, 9, 2, RW, 0);
	/* [page 2, page 6): meets the first two only. */
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(2), PG(6), &n));
	EXPECT_EQ(2, n);
	ASSERT_LE(0, vms_read_shadow_maps(vms_fd));
	EXPECT_EQ(2, lines(vms_shadow_maps))
		TH_LOG("shadow:\n%s", vms_shadow_maps);
	ASSERT_EQ(0, vms_snapshot());
	EXPECT_STREQ("1-3:rw-p 5-7:rwxp", vms_shadow_layout);
	/* The window alone, then everything in it matches. */
	ASSERT_EQ(0, vms_import(vms_fd, 0, VMS_WIN, PG(VMS_WIN_PAGES), &n));
	EXPECT_EQ(3, n);
	CHECK_LAYOUT("1-3:rw-p 5-7:rwxp 9-11:rw-p");
	/* start >= end, or regions not zero: -EINVAL */
	{
		struct vmashadow_import im;

		EXPECT_EQ(-EINVAL, vms_import(vms_fd, 0, PG(6), PG(2), NULL));
		memset(&im, 0, sizeof(im));
		im.size = sizeof(im);
		im.regions = 1;
		EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_IMPORT, &im));
		EXPECT_EQ(-EINVAL, vms_import(vms_fd, -1, 0, 0, NULL));
	}
	CHECK_LAYOUT("1-3:rw-p 5-7:rwxp 9-11:rw-p");
}

/*
 * Another process: a child maps its own window and waits; the parent
 * imports the child's pid and compares with /proc/PID/maps.
 */
TEST(child_pid)
{
	static char child_maps[VMS_MAPS_SIZE], child_win[VMS_MAPS_SIZE];
	static char shadow_win[VMS_MAPS_SIZE];
	int ready[2], done[2];
	char path[32], c;
	unsigned long n = 0;
	pid_t pid;
	int fd;

	VMS_SETUP();
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Touched at 1, unfaulted rwx at 3, shared at 8. */
		mmap((void *)PG(1), PGS(2), RW, MAP_PRIVATE | MAP_ANONYMOUS |
		     MAP_FIXED, -1, 0);
		*(volatile char *)PG(1) = 1;
		mmap((void *)PG(3), PGS(3), RWX, MAP_PRIVATE | MAP_ANONYMOUS |
		     MAP_FIXED, -1, 0);
		mmap((void *)PG(8), PGS(1), RW, MAP_SHARED | MAP_ANONYMOUS |
		     MAP_FIXED, -1, 0);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		if (read(done[0], &c, 1) != 1)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, vms_import(vms_fd, pid, 0, 0, &n));
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, vms_read_all(fd, child_maps, sizeof(child_maps)));
	close(fd);
	ASSERT_LE(0, vms_read_shadow_maps(vms_fd));
	EXPECT_EQ(lines(child_maps) - !!strstr(child_maps, "[vsyscall]"), n);
	vms_filter(child_maps, 0, ~0UL, child_win, sizeof(child_win));
	vms_filter(vms_shadow_maps, 0, ~0UL, shadow_win, sizeof(shadow_win));
	EXPECT_STREQ(child_win, shadow_win);
	vms_filter(child_maps, VMS_WIN, PG(VMS_WIN_PAGES), shadow_win,
		   sizeof(shadow_win));
	vms_layout(shadow_win, child_win, sizeof(child_win));
	EXPECT_STREQ("1-3:rw-p 3-6:rwxp 8-9:rw-s", child_win);
	EXPECT_EQ(1, write(done[1], "d", 1));
	VMS_WAIT_CHILD(pid);
	/* The parent's own maps did not come into it. */
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));
}

/*
 * -ESRCH: no such pid; a zombie (no mm any more); a reaped child.  The
 * shadow is unchanged by a failed import.
 */
TEST(esrch)
{
	pid_t pid;
	int st;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	EXPECT_EQ(-ESRCH, vms_import(vms_fd, 0x3ffffff0, 0, 0, NULL));
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	/* Wait until it is a zombie, without reaping it. */
	{
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	}
	EXPECT_EQ(-ESRCH, vms_import(vms_fd, pid, 0, 0, NULL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(-ESRCH, vms_import(vms_fd, pid, 0, 0, NULL));
	CHECK_LAYOUT("1-3:rw-p");
}

TEST_HARNESS_MAIN
