// SPDX-License-Identifier: GPL-2.0
/*
 * mapflags: the mmap flags whose meaning differs between 6.1 and 6.12 or
 * that move a mapping's placement: MAP_DROPPABLE (row 14: a map type of
 * 6.12's, -EINVAL on 6.1), MAP_ABOVE4G (row 16: 6.12's search floor,
 * an unknown bit 6.1 ignores) and MAP_32BIT (the second GiB); and the
 * file offsets mmap refuses with -EOVERFLOW.
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include "vms_test.h"

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif
#ifndef MAP_ABOVE4G
#define MAP_ABOVE4G	0x80
#endif

#define RW	(PROT_READ | PROT_WRITE)
#define GB	(1UL << 30)

static int vms_is_6_12(void)
{
	return vms_rules_of_kernel() == VMASHADOW_RULES_6_12;
}

/*
 *   012345678
 *    AA          plain private anonymous
 *      DD        MAP_DROPPABLE beside it: never merges (6.12);
 *                -EINVAL on 6.1, where the map type does not exist
 */
TEST(droppable)
{
	struct vmashadow_region r;
	long expect = vms_is_6_12() ? 0 : -EINVAL;

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	VMS_CHECK_RES(expect, vms_both_map(PG(3), PGS(2), RW,
					   MAP_DROPPABLE | MAP_ANONYMOUS |
					   MAP_FIXED, -1, 0));
	if (expect) {
		CHECK_LAYOUT("1-3:rw-p");
		return;
	}
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p");
	r = vms_region_at(3);
	EXPECT_TRUE(r.vm_flags & VMASHADOW_VM_DROPPABLE);
	EXPECT_TRUE(r.vm_flags & VMASHADOW_VM_WIPEONFORK);
	EXPECT_TRUE(r.vm_flags & VMASHADOW_VM_DONTDUMP);
	EXPECT_TRUE(r.vm_flags & VMASHADOW_VM_NORESERVE);
	/* locked droppable memory makes no sense: -EINVAL on both sides */
	VMS_CHECK_RES(-EINVAL, vms_both_map(PG(6), PGS(1), RW,
					    MAP_DROPPABLE | MAP_ANONYMOUS |
					    MAP_FIXED | MAP_LOCKED, -1, 0));
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p");
}

/*
 * MAP_ABOVE4G without a hint: the top-down search lands under mmap_base
 * on both kernels, so the address is the same whether the floor is 4 GiB
 * or a page; the shadow must agree and accept the bit on both.
 */
TEST(above4g)
{
	unsigned long n = 0;
	struct vms_res p;

	VMS_SETUP();
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
	p = vms_both_map_res(0, PGS(3), RW,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_ABOVE4G, -1, 0);
	VMS_CHECK_ADDR(0, p, 0);
	EXPECT_LE(4 * GB, p.raddr);
	CHECK_RANGE(p.raddr - PGS(16), p.raddr + PGS(16));
}

/*
 * MAP_32BIT: placed bottom-up in the second GiB.  The real kernel
 * randomises the start of that window when ASLR is on, which the shadow
 * does not model, so only the window is compared.
 */
TEST(map_32bit)
{
	unsigned long n = 0;
	struct vms_res p;

	VMS_SETUP();
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
	p = vms_both_map_res(0, PGS(2), RW,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ASSERT_EQ(0, p.real);
	ASSERT_EQ(0, p.shadow);
	EXPECT_LE(GB, p.raddr);
	EXPECT_GT(2 * GB, p.raddr + PGS(2));
	EXPECT_LE(GB, p.saddr);
	EXPECT_GT(2 * GB, p.saddr + PGS(2));
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));
}

/* VmSize of /proc/self/status, in bytes: the kernel's total_vm. */
static unsigned long vms_vm_size(void)
{
	long kb = vms_status_kb("VmSize");

	return kb < 0 ? 0 : kb * 1024;
}

/*
 * Row 11: MAP_FIXED over a region, failing on RLIMIT_AS.  The limit
 * leaves room for 2 more pages; the new mapping needs 3 more than the 4 it
 * replaces.  6.1 checks before it unmaps anything; 6.12 cuts A first and
 * fails with the cut made.
 *
 *   0123456789
 *    AAAAAA        A at 1-7
 *      XXXXXXX     MAP_FIXED at 3-10: -ENOMEM
 *    AAAAAA        6.1
 *    AA|AAAA       6.12
 */
TEST(rlimit_as)
{
	struct rlimit rl;
	unsigned long n = 0;

	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	rl.rlim_cur = rl.rlim_max = vms_vm_size() + PGS(2);
	ASSERT_EQ(0, setrlimit(RLIMIT_AS, &rl));
	/* the shadow learns the limit and every mapped page from the import */
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
	MAP(-ENOMEM, 3, 7, RW, 0);
	if (vms_is_6_12())
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
	else
		CHECK_LAYOUT("1-7:rw-p");
	/* within the limit it works, on both */
	MAP(0, 3, 6, RW, 0);
}

/*
 * Row 12: MAP_FIXED of private writable memory larger than RAM and swap,
 * over a region, fails the overcommit heuristic (vm.overcommit_memory 0).
 * 6.1 charges after it has unmapped the old range, which stays unmapped;
 * 6.12 checks before, restores the region and keeps its cut.
 *
 *   0123456789
 *    AAAAAA        A at 1-7
 *      XXXXXXXX... MAP_FIXED at 3, 2 GiB more than the VM's RAM: -ENOMEM
 *    AA            6.1
 *    AA|AAAA       6.12
 */
TEST(overcommit)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	VMS_CHECK_RES(-ENOMEM, vms_both_map(PG(3), 1UL << 40, RW,
					    MAP_PRIVATE | MAP_ANONYMOUS |
					    MAP_FIXED, -1, 0));
	if (vms_is_6_12())
		CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
	else
		CHECK_LAYOUT("1-3:rw-p");
}

#ifndef PR_SET_MDWE
#define PR_SET_MDWE			65
#define PR_MDWE_REFUSE_EXEC_GAIN	1
#endif

/*
 * Row 16: prctl(PR_SET_MDWE) (6.12; 6.1 has no such prctl).  IMPORT takes
 * it from the process; then no mapping may become writable and
 * executable, nor executable when it was not, with -EACCES and nothing
 * changed.
 *
 *   0123456789
 *    AA BB CC      A r-x (allowed: it was executable from the start),
 *                  B rw- then r-x: -EACCES; C r-- with A: -EACCES at C
 */
TEST(mdwe)
{
	struct vmashadow_params p;
	unsigned long n;

	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0))
		SKIP(return, "no PR_SET_MDWE here: %s", strerror(errno));
	VMS_SETUP();
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	ASSERT_EQ(1, p.mdwe);
	MAP(-EACCES, 1, 2, RW | PROT_EXEC, 0);
	MAP(0, 1, 2, PROT_READ | PROT_EXEC, 0);
	MAP(0, 4, 2, RW, 0);
	PROTECT(-EACCES, 4, 2, PROT_READ | PROT_EXEC);
	PROTECT(-EACCES, 1, 2, RW | PROT_EXEC);
	MAP(0, 7, 2, PROT_READ, 0);
	PROTECT(0, 1, 2, PROT_READ);
	PROTECT(-EACCES, 1, 2, PROT_READ | PROT_EXEC);
	CHECK_LAYOUT("1-3:r--p 4-6:rw-p 7-9:r--p");
}

/* EXPLAIN_LAST names an unmap as what it describes. */
TEST(explain_unmap)
{
	struct vmashadow_explain e;

	VMS_SETUP();
	MAP(0, 1, 4, RW, 0);
	UNMAP(0, 2, 1);
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &e));
	EXPECT_EQ(VMASHADOW_OP_UNMAP, e.op);
	EXPECT_EQ(PG(2), e.addr);
	EXPECT_EQ(PG(3), e.end);
}

/*
 * file_mmap_ok(): in a regular file the last byte mapped must sit below
 * 2^63 (MAX_LFS_FILESIZE), else -EOVERFLOW, checked after the placement
 * (MAP_FIXED_NOREPLACE's -EEXIST comes first).  do_mmap()'s own check
 * is that the page offset does not wrap.
 */
TEST(file_offset_overflow)
{
	const unsigned long top = 1UL << 63;
	char path[64];
	int f;

	VMS_SETUP();
	ASSERT_LE(0, f = vms_make_file(path, sizeof(path), "off", 4));
	unlink(path);
	VMS_CHECK_RES(-EOVERFLOW, vms_both_map(PG(1), PGS(1), PROT_READ,
			MAP_PRIVATE | MAP_FIXED, f, top));
	VMS_CHECK_RES(-EOVERFLOW, vms_both_map(PG(1), PGS(1), PROT_READ,
			MAP_SHARED | MAP_FIXED, f, top - PGS(1)));
	VMS_CHECK_RES(-EOVERFLOW, vms_both_map(PG(1), PGS(2), PROT_READ,
			MAP_PRIVATE | MAP_FIXED, f, top - PGS(2)));
	VMS_CHECK_RES(-EOVERFLOW, vms_both_map(PG(1), PGS(1), PROT_READ,
			MAP_PRIVATE | MAP_FIXED, f, -PGS(1)));
	VMS_CHECK_RES(0, vms_both_map(PG(1), PGS(1), PROT_READ,
			MAP_PRIVATE | MAP_FIXED, f, top - PGS(2)));
	VMS_CHECK_RES(-EEXIST, vms_both_map(PG(1), PGS(1), PROT_READ,
			MAP_PRIVATE | MAP_FIXED_NOREPLACE, f, top));
	CHECK_LAYOUT("1-2:r--p");
	close(f);
}

TEST_HARNESS_MAIN
