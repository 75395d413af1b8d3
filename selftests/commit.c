// SPDX-License-Identifier: GPL-2.0
/*
 * commit: what the kernel charges against the commit limit and what it does
 * when a charge fails, under the heuristic (vm.overcommit_memory 0) and
 * under strict accounting (2), where every process's charges count: row 12
 * of the README's table.
 *
 * The strict fixture sets vm.overcommit_kbytes so that the system has
 * HEADROOM left below its CommitLimit, then opens the shadow (which reads
 * the limit and the reserves) and imports the test process (which counts
 * what it has charged as the shadow's own and the rest as other
 * processes').  The kernel reads its count without the per-CPU deltas,
 * up to 2 MiB per CPU off here, so every charge is at least SLACK away
 * from the limit.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include "vms_test.h"
#include "vms_snap.h"

#define RW		(PROT_READ | PROT_WRITE)
#define MB		(1UL << 20)
#define HEADROOM	(256 * MB)
#define SLACK		(32 * MB)
#define VM_SYSCTL	"/proc/sys/vm/"

static int vms_is_6_12(void)
{
	return vms_rules_of_kernel() == VMASHADOW_RULES_6_12;
}

/* A "Key:  N kB" line of /proc/meminfo, in kB; -1 if not there. */
static long meminfo_kb(const char *key)
{
	static char buf[8192];
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static int write_long(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", v);
	return vms_write_file(path, buf);
}

/* The window's layout after @s: "s-e:perm" with e - s = @pages. */
static const char *span(unsigned long s, unsigned long pages, char *buf)
{
	snprintf(buf, 64, "%lu-%lu:rw-p", s, s + pages);
	return buf;
}

/* ---- vm.overcommit_memory 0 ------------------------------------------------- */

/*
 * shmem_zero_setup() charges a new shared anonymous object whole, and the
 * heuristic refuses one larger than RAM and swap.  Unlike the charge of
 * private memory (row 12), it fails on both kernels after the old range
 * is gone: 6.12 too leaves a gap, having cleared the old page tables.
 *
 *   0123456789
 *    AAAAAA        A at 1-7, private
 *      SSSSSSS...  MAP_FIXED|MAP_SHARED at 3, 1 TiB: -ENOMEM
 *    AA            6.1 and 6.12
 */
TEST(heuristic_shared_anon)
{
	if (vms_read_long(VM_SYSCTL "overcommit_memory") != 0)
		SKIP(return, "vm.overcommit_memory is not 0");
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	VMS_CHECK_RES(-ENOMEM, vms_both_map(PG(3), 1UL << 40, RW,
					    MAP_SHARED | MAP_ANONYMOUS |
					    MAP_FIXED, -1, 0));
	CHECK_LAYOUT("1-3:rw-p");
	/* MAP_NORESERVE: nothing is charged, so it maps */
	VMS_CHECK_RES(0, vms_both_map(PG(8), 1UL << 40, RW,
				      MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED |
				      MAP_NORESERVE, -1, 0));
	UNMAP(0, 8, (1UL << 40) / VMS_PS);
}

/* ---- vm.overcommit_memory 2 ------------------------------------------------- */

FIXTURE(strict)
{
	long mode, ratio, kbytes, admin;
};

FIXTURE_SETUP(strict)
{
	long committed = meminfo_kb("Committed_AS:");
	long swap = meminfo_kb("SwapTotal:");
	unsigned long n;

	self->mode = vms_read_long(VM_SYSCTL "overcommit_memory");
	self->ratio = vms_read_long(VM_SYSCTL "overcommit_ratio");
	self->kbytes = vms_read_long(VM_SYSCTL "overcommit_kbytes");
	self->admin = vms_read_long(VM_SYSCTL "admin_reserve_kbytes");
	ASSERT_LE(0, committed);
	ASSERT_LE(0, swap);
	ASSERT_LE(0, self->kbytes);
	/* CommitLimit = overcommit_kbytes + swap */
	ASSERT_EQ(0, write_long(VM_SYSCTL "overcommit_kbytes",
				committed + HEADROOM / 1024 - swap));
	ASSERT_EQ(0, write_long(VM_SYSCTL "overcommit_memory", 2));
	VMS_SETUP();
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
}

FIXTURE_TEARDOWN(strict)
{
	write_long(VM_SYSCTL "overcommit_memory", self->mode);
	write_long(VM_SYSCTL "admin_reserve_kbytes", self->admin);
	/* each of the two clears the other */
	if (self->kbytes)
		write_long(VM_SYSCTL "overcommit_kbytes", self->kbytes);
	else
		write_long(VM_SYSCTL "overcommit_ratio", self->ratio);
}

/*
 * Row 12: MAP_FIXED of private writable memory over a region, past the
 * limit.
 *
 *   0123456789
 *    AAAAAA        A at 1-7
 *      XXXXXXX...  MAP_FIXED at 3, HEADROOM + SLACK: -ENOMEM
 *    AA            6.1: charged after the unmap, which stays
 *    AA|AAAA       6.12: A restored, its cut kept
 *    AAAAAA        then the same within the limit maps and merges
 */
TEST_F(strict, map_fixed_over_region)
{
	MAP(0, 1, 6, RW, 0);
	VMS_CHECK_RES(-ENOMEM, vms_both_map(PG(3), HEADROOM + SLACK, RW,
					    MAP_PRIVATE | MAP_ANONYMOUS |
					    MAP_FIXED, -1, 0));
	if (vms_is_6_12())
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
	else
		CHECK_LAYOUT("1-3:rw-p");
	MAP(0, 3, 4, RW, 0);
	CHECK_LAYOUT("1-7:rw-p");
}

/*
 * What the shadow has charged counts: after a first charge of HEADROOM -
 * 4 SLACK, a second of 5 SLACK fails (MAP_NORESERVE is no way round it in
 * this mode) and fits once the first is unmapped.  Read-only private
 * memory is not charged at all.
 */
TEST_F(strict, own_charges_count)
{
	unsigned long big = (HEADROOM - 4 * SLACK) / VMS_PS;
	unsigned long more = 5 * SLACK / VMS_PS;
	char want[64];

	MAP(0, 0, big, RW, 0);
	CHECK_LAYOUT(span(0, big, want));
	MAP(-ENOMEM, big + 1, more, RW, 0);
	MAP(-ENOMEM, big + 1, more, RW, MAP_NORESERVE);
	MAP(0, big + 1, more, PROT_READ, 0);
	UNMAP(0, big + 1, more);
	UNMAP(0, 0, big);
	MAP(0, 0, more, RW, 0);
	CHECK_LAYOUT(span(0, more, want));
}

/*
 * mprotect() charges private memory that becomes writable: all of it
 * fails, a part of it splits and is charged.
 */
TEST_F(strict, protect_charges)
{
	unsigned long big = (HEADROOM + SLACK) / VMS_PS;
	unsigned long part = 16;	/* the window shows both pieces */
	char want[128];

	MAP(0, 0, big, PROT_READ, 0);
	PROTECT(-ENOMEM, 0, big, RW);
	PROTECT(0, 0, part, RW);
	snprintf(want, sizeof(want), "0-%lu:rw-p %lu-%lu:r--p", part, part,
		 big);
	CHECK_LAYOUT(want);
	ASSERT_NE(0, FLAGS(0) & VMASHADOW_VM_ACCOUNT);
}

/* A new shared anonymous object is charged whole, when it is made. */
TEST_F(strict, shared_anon)
{
	char want[64];

	VMS_CHECK_RES(-ENOMEM, vms_both_map(PG(0), HEADROOM + SLACK, RW,
					    MAP_SHARED | MAP_ANONYMOUS |
					    MAP_FIXED, -1, 0));
	VMS_CHECK_RES(0, vms_both_map(PG(0), SLACK, RW,
				      MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
				      -1, 0));
	snprintf(want, sizeof(want), "0-%lu:rw-s", SLACK / VMS_PS);
	CHECK_LAYOUT(want);
}

/* mremap() growth is charged: in place past the limit, -ENOMEM. */
TEST_F(strict, remap_grow)
{
	unsigned long pages = SLACK / VMS_PS;
	char want[64];

	MAP(0, 0, pages, RW, 0);
	REMAP(-ENOMEM, 0, pages, (HEADROOM + 2 * SLACK) / VMS_PS, 0, -1, -1);
	CHECK_LAYOUT(span(0, pages, want));
	REMAP(0, 0, pages, 2 * pages, 0, -1, 0);
	CHECK_LAYOUT(span(0, 2 * pages, want));
}

/*
 * The admin reserve is kept back from everyone but CAP_SYS_ADMIN, as the
 * opener of the shadow has it or not: a charge HEADROOM - 3 SLACK fits for
 * root and fails without the capability once the reserve is 4 SLACK.
 */
TEST_F(strict, admin_reserve)
{
	unsigned long big = (HEADROOM - 3 * SLACK) / VMS_PS;
	int status;
	pid_t pid;

	ASSERT_EQ(0, write_long(VM_SYSCTL "admin_reserve_kbytes",
				4 * SLACK / 1024));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned long n;
		struct vms_res r;

		close(vms_fd);
		if (vms_drop_cap(CAP_SYS_ADMIN) || vms_open() < 0 ||
		    vms_import(vms_fd, 0, 0, 0, &n))
			_exit(2);
		r = vms_both_map(PG(0), PGS(big), RW,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		_exit(r.real == -ENOMEM && r.shadow == -ENOMEM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("without CAP_SYS_ADMIN the charge should fail on both");
	/* the fixture's shadow was opened by root: no admin reserve */
	MAP(0, 0, big, RW, 0);
}

TEST_HARNESS_MAIN
