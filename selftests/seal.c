// SPDX-License-Identifier: GPL-2.0
/*
 * seal: mseal(2), which only 6.12 has (row 13 of the 6.12 differences).
 * Sealing splits and merges like any change of flags, VM_SEALED is a flag
 * a merge compares, and a sealed region refuses munmap, mprotect, mremap
 * and MAP_FIXED with -EPERM.  On 6.1 the call does not exist: -ENOSYS on
 * both sides.
 */
#include "vms_test.h"

#ifndef __NR_mseal
#define __NR_mseal	462
#endif

#define RW	(PROT_READ | PROT_WRITE)

static long vms_real_seal(unsigned long addr, unsigned long len)
{
	long ret = syscall(__NR_mseal, addr, len, 0);

	return ret < 0 ? -errno : ret;
}

static long vms_shadow_seal(int fd, unsigned long addr, unsigned long len)
{
	struct vmashadow_op op = {
		.size = sizeof(op), .addr = addr, .len = len,
	};

	return vms_op(fd, VMASHADOW_IOC_SEAL, &op);
}

static struct vms_res vms_both_seal(unsigned long addr, unsigned long len)
{
	struct vms_res r = { 0 };

	r.real = vms_real_seal(addr, len);
	r.shadow = vms_shadow_seal(vms_fd, addr, len);
	return r;
}

#define SEAL(expect, pg, npg) VMS_CHECK_RES(expect, vms_both_seal(PG(pg), PGS(npg)))

static int vms_has_mseal(void)
{
	return vms_rules_of_kernel() == VMASHADOW_RULES_6_12;
}

/*
 *   012345678
 *    AAAAAA
 *      ss        seal the middle: three regions, the same in maps
 *    AASSAA
 */
TEST(seal_splits)
{
	VMS_SETUP();
	MAP(0, 1, 6, RW, 0);
	if (!vms_has_mseal()) {
		SEAL(-ENOSYS, 3, 2);
		CHECK_LAYOUT("1-7:rw-p");
		return;
	}
	SEAL(0, 3, 2);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p");
	ASSERT_TRUE(vms_region_at(3).vm_flags & VMASHADOW_VM_SEALED);
	ASSERT_FALSE(vms_region_at(1).vm_flags & VMASHADOW_VM_SEALED);
}

/*
 *   012345678
 *    AAAAAA
 *    ss          seal the head
 *      ss        then the next pages: the sealed pieces merge
 *    SSSSAA
 */
TEST(seal_merges)
{
	VMS_SETUP();
	if (!vms_has_mseal())
		SKIP(return, "mseal is 6.12's");
	MAP(0, 1, 6, RW, 0);
	SEAL(0, 1, 2);
	CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
	SEAL(0, 3, 2);
	CHECK_LAYOUT("1-5:rw-p 5-7:rw-p");
}

/*
 *   012345678
 *    AASSBB      a sealed region between two others
 *      x         mprotect of the sealed region: -EPERM, nothing changes
 *    xxxxxx      mprotect over all three: A changes, then -EPERM at S
 *    rrSSBB
 *     xxxx       munmap from inside A: A is split first, then -EPERM
 *    rrSSBB      (A in two pieces)
 *      x         MAP_FIXED over S, mremap of S: -EPERM
 */
TEST(sealed_refuses)
{
	VMS_SETUP();
	if (!vms_has_mseal())
		SKIP(return, "mseal is 6.12's");
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, PROT_READ, 0);
	MAP(0, 5, 2, RW, 0);
	SEAL(0, 3, 2);
	PROTECT(-EPERM, 3, 1, RW);
	CHECK_LAYOUT("1-3:rw-p 3-5:r--p 5-7:rw-p");
	PROTECT(-EPERM, 1, 6, PROT_READ);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p 5-7:rw-p");
	UNMAP(-EPERM, 2, 4);
	CHECK_LAYOUT("1-2:r--p 2-3:r--p 3-5:r--p 5-7:rw-p");
	MAP(-EPERM, 3, 1, RW, 0);
	VMS_CHECK_RES(-EPERM, vms_both_remap(PG(3), PGS(2), PGS(4),
					    MREMAP_MAYMOVE, 0));
	CHECK_LAYOUT("1-2:r--p 2-3:r--p 3-5:r--p 5-7:rw-p");
}

/*
 *   012345678
 *    AA  BB      a hole in the range: -ENOMEM, nothing sealed
 */
TEST(seal_hole)
{
	VMS_SETUP();
	if (!vms_has_mseal())
		SKIP(return, "mseal is 6.12's");
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	SEAL(-ENOMEM, 1, 6);
	UNMAP(0, 1, 2);
	CHECK_LAYOUT("5-7:rw-p");
}

TEST_HARNESS_MAIN
