// SPDX-License-Identifier: GPL-2.0
/*
 * Differences between the core and the kernel it models that the fuzzer's
 * reference model (host/model.h) found, fixed in the core since: one
 * minimal reproducer each, with the kernel's result as the expectation.
 * The VM's selftests/regress.c checks the same against the real kernels.
 */
#include "test_util.h"

#define ANON_FIXED	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct vms_region *at(struct vms_mm *mm, unsigned long pg)
{
	return vms_lookup(mm, PG(pg));
}

/*
 * 1: move_vma() refuses when map_count >= sysctl_max_map_count - 3 and
 * mremap_to() when map_count + 2 >= max - 3, in int: below 3 every move
 * is refused.  The core computes max - 3 in unsigned int, which wraps.
 */
TEST(bug1_max_map_count_below_3)
{
	struct vms_mm *mm = mm_new();

	mm->params.max_map_count = 2;
	ASSERT_EQ(0, MAPA(mm, 1, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 3, 1, R));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(1), PGS(2), PGS(2),
				     MREMAP_MAYMOVE | MREMAP_FIXED, PG(10)));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(1), PGS(2), PGS(4),
				     MREMAP_MAYMOVE, 0));
	LAYOUT(mm, "1-3:rw-p 3-4:r--p");
	mm_free(mm);
}

/*
 * 2: 6.1's mmap_region() turns any failure of its munmap into -ENOMEM:
 * MAP_FIXED over part of a [vdso] (special_mapping_split() refuses the
 * cut with -EINVAL) is -ENOMEM there; 6.12 passes the -EINVAL on.
 */
TEST(bug2_fixed_over_vdso_61)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, do_map(mm, PG(1), PGS(2), PROT_READ | PROT_EXEC,
			    ANON_FIXED, NULL, VMASHADOW_OPF_VDSO, NULL));
	ASSERT_EQ(k612() ? -EINVAL : -ENOMEM, MAPA(mm, 2, 2, RW));
	LAYOUT(mm, "1-3:r-xp");
	mm_free(mm);
}

/*
 * 3: MADV_WIPEONFORK refuses only a file or VM_SHARED; [vdso] and [vvar]
 * have neither and take it when advised whole (a part would need a split
 * they refuse).
 */
TEST(bug3_wipeonfork_special)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, do_map(mm, PG(1), PGS(2), PROT_READ | PROT_EXEC,
			    ANON_FIXED, NULL, VMASHADOW_OPF_VDSO, NULL));
	ASSERT_EQ(0, do_map(mm, PG(4), PGS(1), R, ANON_FIXED, NULL,
			    VMASHADOW_OPF_VVAR, NULL));
	ASSERT_EQ(-EINVAL, vms_madvise(mm, PG(1), PGS(1), MADV_WIPEONFORK));
	ASSERT_EQ(0, vms_madvise(mm, PG(1), PGS(2), MADV_WIPEONFORK));
	ASSERT_EQ(0, vms_madvise(mm, PG(4), PGS(1), MADV_WIPEONFORK));
	ASSERT_TRUE(at(mm, 1)->flags & VMASHADOW_VM_WIPEONFORK);
	ASSERT_TRUE(at(mm, 4)->flags & VMASHADOW_VM_WIPEONFORK);
	mm_free(mm);
}

/*
 * 4: 6.12's ksm_madvise() ignores MADV_MERGEABLE on droppable memory
 * (vma_ksm_compatible()); the core sets VM_MERGEABLE.
 */
TEST(bug4_mergeable_droppable_612)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	if (!k612()) {
		ASSERT_EQ(-EINVAL, do_map(mm, PG(1), PGS(2), RW, MAP_DROPPABLE |
					  MAP_ANONYMOUS | MAP_FIXED, NULL, 0, &a));
		mm_free(mm);
		return;
	}
	ASSERT_EQ(0, do_map(mm, PG(1), PGS(2), RW, MAP_DROPPABLE | MAP_ANONYMOUS |
			    MAP_FIXED, NULL, 0, &a));
	ASSERT_EQ(0, vms_madvise(mm, PG(1), PGS(2), MADV_MERGEABLE));
	ASSERT_EQ(0, at(mm, 1)->flags & VMASHADOW_VM_MERGEABLE);
	mm_free(mm);
}

/*
 * 5: 6.1's and 6.12's unmapped_area_topdown() (the maple tree) take the
 * highest gap that fits; if the region above it grows down and its guard
 * gap reaches into the candidate, they search again below the guard
 * (high_limit = vm_start_gap()).  When the guard reaches below the region
 * before the gap, everything between is passed over.  The core searches
 * as 3.8-6.0 did, gap by gap, and maps inside the guard.
 *
 *   0 ...  44 ...    200  210 ......... 300 ......... 400 = mmap_base
 *                    AAAA                GGGGGGGGGGGGG   G grows down,
 *          |<--------- G's guard (256 pages) ---------|  from 44 up
 *   kernel: 50 pages ending at 44; core: ending at 200
 */
TEST(bug5_topdown_guard_below_prev)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	mm->params.mmap_base = PG(400);
	ASSERT_EQ(0, do_map(mm, PG(300), PGS(100), RW, ANON_FIXED |
			    MAP_GROWSDOWN, NULL, 0, &a));
	ASSERT_EQ(0, MAPA(mm, 200, 10, R));
	ASSERT_EQ(0, do_map(mm, 0, PGS(50), R, MAP_PRIVATE | MAP_ANONYMOUS,
			    NULL, 0, &a));
	ASSERT_EQ(PG(44) - PGS(50), a);
	mm_free(mm);
}

/*
 * 6: 6.12 refuses MADV_KEEPONFORK and MADV_DODUMP on droppable memory
 * (madvise_vma_behavior()): it must stay wiped on fork and out of dumps.
 */
TEST(bug6_droppable_keeps_wipe_612)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	if (!k612()) {
		mm_free(mm);
		return;
	}
	ASSERT_EQ(0, do_map(mm, PG(1), PGS(2), RW, MAP_DROPPABLE | MAP_ANONYMOUS |
			    MAP_FIXED, NULL, 0, &a));
	ASSERT_EQ(-EINVAL, vms_madvise(mm, PG(1), PGS(2), MADV_KEEPONFORK));
	ASSERT_EQ(-EINVAL, vms_madvise(mm, PG(1), PGS(2), MADV_DODUMP));
	ASSERT_TRUE(at(mm, 1)->flags & VMASHADOW_VM_WIPEONFORK);
	ASSERT_TRUE(at(mm, 1)->flags & VMASHADOW_VM_DONTDUMP);
	mm_free(mm);
}

/*
 * 7: 6.12's can_modify_vma_madv() refuses discarding advice on sealed
 * read-only memory without a file (is_ro_anon() asks for no vm_file and
 * no VM_SHARED, not for vma_is_anonymous()): a sealed [vdso] too.
 */
TEST(bug7_sealed_vdso_dontneed_612)
{
	struct vms_mm *mm = mm_new();

	if (!k612()) {
		mm_free(mm);
		return;
	}
	ASSERT_EQ(0, do_map(mm, PG(1), PGS(2), PROT_READ | PROT_EXEC,
			    ANON_FIXED, NULL, VMASHADOW_OPF_VDSO, NULL));
	ASSERT_EQ(0, vms_seal(mm, PG(1), PGS(2), 0));
	ASSERT_EQ(-EPERM, vms_madvise(mm, PG(1), PGS(2), MADV_DONTNEED));
	mm_free(mm);
}

/*
 * 8: brk() extends the region before the old break when mas_prev(...,
 * start_brk) finds it, i.e. when it ends above start_brk, wherever it
 * starts.  A heap that a mapping below it merged with still grows in
 * place; the core makes a second region.
 *
 *   98 100 102 104
 *      HHHH          the heap, start_brk at 100
 *   AAHHHH           rw anonymous below it: one region (it merges)
 *   AAHHHHHH         brk(104): one region
 */
TEST(bug8_brk_heap_merged_below)
{
	struct vms_mm *mm = mm_new();

	mm->params.start_brk = mm->params.brk = PG(100);
	ASSERT_EQ(PG(102), vms_brk(mm, PG(102)));
	ASSERT_EQ(0, MAPA(mm, 98, 2, RW));
	LAYOUT(mm, "98-102:rw-p");
	ASSERT_EQ(PG(104), vms_brk(mm, PG(104)));
	LAYOUT(mm, "98-104:rw-p");
	mm_free(mm);
}

/*
 * 9: MAP_32BIT goes to x86's arch_get_unmapped_area(), which takes a free
 * hint below 2 GiB before it searches [1 GiB, 2 GiB); the core ignores the
 * hint.
 */
TEST(bug9_map_32bit_hint)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	ASSERT_EQ(0, do_map(mm, SZ_512M, PGS(2), RW, MAP_PRIVATE | MAP_ANONYMOUS |
			    MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(SZ_512M, a);
	ASSERT_EQ(0, do_map(mm, SZ_4G, PGS(2), RW, MAP_PRIVATE | MAP_ANONYMOUS |
			    MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(SZ_1G, a);
	mm_free(mm);
}

/*
 * 10 (found by selftests/uffd.c): a memfd sealed against writing, mapped
 * shared and read-only through a writable open, loses VM_MAYWRITE
 * (is_readonly_sealed(), check_write_seal()); a shared writable mapping is
 * -EPERM.  6.12 refuses in do_mmap(), 6.1 for F_SEAL_FUTURE_WRITE only
 * after MAP_FIXED has unmapped the old range.  A private mapping keeps
 * VM_MAYWRITE: copy-on-write is no write to the file.
 */
TEST(bug10_write_sealed_memfd)
{
	struct vms_mm *mm = mm_new();
	struct tfile fw, ff;

	tfile_init(&fw, "/memfd:w (deleted)", VMS_FMODE_READ | VMS_FMODE_WRITE |
		   VMS_FMODE_SHMEM | VMS_FMODE_SEAL_WRITE);
	tfile_init(&ff, "/memfd:f (deleted)", VMS_FMODE_READ | VMS_FMODE_WRITE |
		   VMS_FMODE_SHMEM | VMS_FMODE_SEAL_FUTURE_WRITE);
	ASSERT_EQ(0, do_map(mm, PG(0), PGS(2), R, MAP_SHARED | MAP_FIXED,
			    &fw.vf, 0, NULL));
	ASSERT_FALSE(at(mm, 0)->flags & VMASHADOW_VM_MAYWRITE);
	ASSERT_EQ(-EACCES, vms_protect(mm, PG(0), PGS(2), RW));
	ASSERT_EQ(0, do_map(mm, PG(4), PGS(2), R, MAP_PRIVATE | MAP_FIXED,
			    &fw.vf, 0, NULL));
	ASSERT_TRUE(at(mm, 4)->flags & VMASHADOW_VM_MAYWRITE);
	ASSERT_EQ(-EPERM, do_map(mm, PG(8), PGS(2), RW, MAP_SHARED | MAP_FIXED,
				 &fw.vf, 0, NULL));
	/* over a mapping: 6.1 unmaps it before shmem_mmap() refuses */
	ASSERT_EQ(0, MAPA(mm, 8, 2, RW));
	ASSERT_EQ(-EPERM, do_map(mm, PG(8), PGS(2), RW, MAP_SHARED | MAP_FIXED,
				 &ff.vf, 0, NULL));
	ASSERT_EQ(k612(), at(mm, 8) != NULL);
	mm_free(mm);
}

/*
 * 11 (found by selftests/uffd.c): a shared mapping of /dev/zero is shared
 * anonymous memory, "/dev/zero (deleted)", at the page offset asked
 * (mmap_zero(), shmem_zero_setup()); through a read-only open MAP_SHARED
 * is not VM_SHARED and the region keeps /dev/zero itself.
 */
TEST(bug11_dev_zero_shared)
{
	struct vms_mm *mm = mm_new();
	struct tfile zw, zr;
	struct vms_region *r;

	tfile_init(&zw, "/dev/zero", VMS_FMODE_READ | VMS_FMODE_WRITE |
		   VMS_FMODE_ZERO);
	tfile_init(&zr, "/dev/zero", VMS_FMODE_READ | VMS_FMODE_ZERO);
	ASSERT_EQ(0, do_map(mm, PG(0), PGS(2), RW, MAP_SHARED | MAP_FIXED,
			    &zw.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(2), PGS(2), RW, MAP_SHARED | MAP_FIXED,
			    &zw.vf, 0, NULL));
	r = at(mm, 0);
	ASSERT_NE(&zw.vf, vms_file_of(r));
	ASSERT_EQ(VMASHADOW_KIND_SHMEM, vms_file_of(r)->kind);
	ASSERT_NE(vms_file_of(r), vms_file_of(at(mm, 2)));	/* an object each */
	LAYOUT(mm, "0-2:rw-s 2-4:rw-s");
	mm_free(mm);

	mm = mm_new();
	{
		struct vms_map_req req = {
			.addr = PG(0), .len = PGS(2), .prot = R,
			.flags = MAP_SHARED | MAP_FIXED, .offset = PGS(3),
			.file = &zw.vf,
		};
		unsigned long a;

		ASSERT_EQ(0, vms_map(mm, &req, &a));
		ASSERT_EQ(3, at(mm, 0)->pgoff);
		req.addr = PG(4);
		req.file = &zr.vf;
		ASSERT_EQ(0, vms_map(mm, &req, &a));
	}
	r = at(mm, 4);
	ASSERT_EQ(&zr.vf, vms_file_of(r));
	ASSERT_FALSE(r->flags & VMASHADOW_VM_SHARED);
	ASSERT_TRUE(r->flags & VMASHADOW_VM_MAYSHARE);
	mm_free(mm);
}

/*
 * 12: 6.1's vdso_addr() draws from the start_stack that setup_arg_pages()
 * set; the one a shadow imports is create_elf_tables()'s, pages lower.
 * When the pair fits below a PMD boundary from the lower start and not
 * from the higher, the core refused draws the kernel makes (found by
 * selftests/vdso.c on the debug lane; rare, as it needs a PMD boundary
 * in the page or two between the two starts).  Here the pair is 5
 * pages, start_stack lies in page 1018, so the draws count from page
 * 1019, and the PMD ends at 1024: from page 1019 they end at once, from
 * 1020 or 1021 (the stack region ends at 1022) they run to page 1531,
 * draw 512.  A region that does not grow down is no stack.
 */
TEST(bug12_vdso_draw_above_learned_stack_61)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	if (k612()) {
		mm_free(mm);
		SKIP(return, "6.1's vdso_addr()");
	}
	ASSERT_EQ(0, do_map(mm, PG(990), PGS(32), RW, ANON_FIXED | MAP_GROWSDOWN,
			    NULL, 0, NULL));
	mm->params.start_stack = PG(1018) + 0x6c0;
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 513, true, &a));
	ASSERT_EQ(0, vms_map_vdso(mm, 0, PGS(1), PGS(4), 512, true, &a));
	ASSERT_EQ(PG(1019 + 512 + 4), a);
	ASSERT_EQ(0, vms_unmap(mm, PG(1019 + 512), PGS(5)));
	ASSERT_EQ(0, vms_map_vdso(mm, 0, PGS(1), PGS(4), 300, true, &a));
	ASSERT_EQ(PG(1019 + 300 + 4), a);
	LAYOUT(mm, "990-1022:rw-p 1319-1323:r--p 1323-1324:r-xp");
	mm_free(mm);

	mm = mm_new();
	ASSERT_EQ(0, MAPA(mm, 990, 32, RW));
	mm->params.start_stack = PG(1018) + 0x6c0;
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 1, true, &a));
	mm_free(mm);

	/* the stack region no higher than start_stack's page: draw 0 only */
	mm = mm_new();
	ASSERT_EQ(0, do_map(mm, PG(990), PGS(29), RW, ANON_FIXED | MAP_GROWSDOWN,
			    NULL, 0, NULL));
	mm->params.start_stack = PG(1018) + 0x6c0;
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 1, true, &a));
	ASSERT_EQ(0, vms_map_vdso(mm, 0, PGS(1), PGS(4), 0, true, &a));
	ASSERT_EQ(PG(1019 + 4), a);
	mm_free(mm);
}

/*
 * 12, exact: with arg_start known (IMPORT reads it), the draws run from
 * arg_start rounded up to a page, not from any start bug12 had to allow.  The stack region is
 * 990-1021 and start_stack in page 1018, so draws count from page 1019;
 * arg_start in page 1020 makes the first draw page 1021, draw 2, and the
 * last page 1531, draw 512.  With arg_start in page 1018 and the stack
 * region up to 1022, the pair fits below the PMD boundary from page
 * 1019: draw 0 is the only one, where bug12's rule allowed up to 512.
 * It lands on the stack, as the kernel's often do (the stack region
 * holds arg_start), and the placement looks elsewhere.  Last, a stack
 * just below TASK_SIZE: the PMD above runs past it, and vdso_addr() ends
 * the draws where the pair ends at TASK_SIZE, draw 4 here.
 */
TEST(bug12_vdso_draw_from_arg_start_61)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	if (k612()) {
		mm_free(mm);
		SKIP(return, "6.1's vdso_addr()");
	}
	ASSERT_EQ(0, do_map(mm, PG(990), PGS(31), RW, ANON_FIXED | MAP_GROWSDOWN,
			    NULL, 0, NULL));
	mm->params.start_stack = PG(1018) + 0x6c0;
	mm->params.arg_start = PG(1020) + 0x10;
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 0, true, &a));
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 1, true, &a));
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 513, true, &a));
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), ~0UL, true, &a));
	ASSERT_EQ(0, vms_map_vdso(mm, 0, PGS(1), PGS(4), 2, true, &a));
	ASSERT_EQ(PG(1021 + 4), a);
	ASSERT_EQ(0, vms_unmap(mm, PG(1021), PGS(5)));
	ASSERT_EQ(0, vms_map_vdso(mm, 0, PGS(1), PGS(4), 512, true, &a));
	ASSERT_EQ(PG(1019 + 512 + 4), a);
	mm_free(mm);

	mm = mm_new();
	ASSERT_EQ(0, do_map(mm, PG(990), PGS(32), RW, ANON_FIXED | MAP_GROWSDOWN,
			    NULL, 0, NULL));
	mm->params.start_stack = PG(1018) + 0x6c0;
	mm->params.arg_start = PG(1018) + 0x800;
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 1, true, &a));
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 512, true, &a));
	ASSERT_EQ(0, vms_map_vdso(mm, 0, PGS(1), PGS(4), 0, true, &a));
	ASSERT_NE(PG(1019 + 4), a);
	mm_free(mm);

	mm = mm_new();
	ASSERT_EQ(0, do_map(mm, VMS_TASK_SIZE - PGS(64), PGS(56), RW,
			    ANON_FIXED | MAP_GROWSDOWN, NULL, 0, NULL));
	mm->params.start_stack = VMS_TASK_SIZE - PGS(10) + 0x10;
	mm->params.arg_start = VMS_TASK_SIZE - PGS(9) + 0x10;
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 0, true, &a));
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(1), PGS(4), 5, true, &a));
	ASSERT_EQ(0, vms_map_vdso(mm, 0, PGS(1), PGS(4), 4, true, &a));
	ASSERT_EQ(VMS_TASK_SIZE - PGS(1), a);
	mm_free(mm);
}

TEST_HARNESS_MAIN
