// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the rule code that neither the shared scenarios nor
 * the fuzzer reach: do_mmap()'s checks of the opened file and of its
 * arguments, MAP_32BIT, the edges of huge-page placement, ->close in
 * 6.12's merges, prev and next refusing each other, strict overcommit,
 * the argument checks of mprotect, madvise, mseal, mremap and brk, what
 * VALIDATE detects, the export and the labels of every kind of region,
 * struct vmashadow_op's checks, dry runs that cannot copy, a shadow of
 * more than a thousand regions, map_vdso().  Every expectation is the
 * kernel's (6.1's mm/mmap.c, 6.12's mm/vma.c and their neighbours), under
 * the rules VMS_HOST_RULES picks.
 */
#include "test_util.h"

#define RX		(PROT_READ | PROT_EXEC)
#define ANON_FIXED	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#ifndef MAP_SYNC
#define MAP_SYNC	0x80000
#endif
#ifndef PROT_GROWSUP
#define PROT_GROWSUP	0x02000000
#endif

static struct vms_region *at(struct vms_mm *mm, unsigned long pg)
{
	return vms_lookup(mm, PG(pg));
}

/*
 * do_mmap()'s checks of the file against the way it was opened:
 * MAP_SHARED_VALIDATE refuses flags the file does not support (plain
 * MAP_SHARED drops them), a write-only file cannot be mapped at all, an
 * append-only one not shared, a read-only one not shared and writable (and
 * never becomes so: no VM_MAYWRITE); on a noexec mount no PROT_EXEC and no
 * VM_MAYEXEC; a file without ->mmap is -ENODEV; a file does not grow down;
 * a mapping type other than shared or private is -EINVAL.
 */
TEST(file_checks)
{
	struct vms_mm *mm = mm_new();
	struct tfile rw, ro, wo, app, appro, noexec, nommap;
	unsigned long a;

	tfile_init(&rw, "/rw", VMS_FMODE_READ | VMS_FMODE_WRITE);
	tfile_init(&ro, "/ro", VMS_FMODE_READ);
	tfile_init(&wo, "/wo", VMS_FMODE_WRITE);
	tfile_init(&app, "/app", VMS_FMODE_READ | VMS_FMODE_WRITE |
		   VMS_FMODE_APPEND);
	tfile_init(&appro, "/app-ro", VMS_FMODE_READ | VMS_FMODE_APPEND);
	tfile_init(&noexec, "/noexec", VMS_FMODE_READ | VMS_FMODE_NOEXEC);
	tfile_init(&nommap, "/nommap", VMS_FMODE_READ | VMS_FMODE_NOMMAP);

	ASSERT_EQ(-EOPNOTSUPP, do_map(mm, PG(1), PGS(1), R, MAP_SHARED_VALIDATE |
				      MAP_FIXED | MAP_SYNC, &rw.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(1), PGS(1), R, MAP_SHARED | MAP_FIXED |
			    MAP_SYNC, &rw.vf, 0, NULL));
	ASSERT_EQ(-EACCES, do_map(mm, PG(3), PGS(1), R, MAP_PRIVATE | MAP_FIXED,
				  &wo.vf, 0, NULL));
	ASSERT_EQ(-EACCES, do_map(mm, PG(3), PGS(1), R, MAP_SHARED | MAP_FIXED,
				  &app.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(3), PGS(1), R, MAP_PRIVATE | MAP_FIXED,
			    &app.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(3), PGS(1), R, MAP_SHARED | MAP_FIXED,
			    &appro.vf, 0, NULL));
	ASSERT_EQ(-EACCES, do_map(mm, PG(5), PGS(1), RW, MAP_SHARED | MAP_FIXED,
				  &ro.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(5), PGS(1), R, MAP_SHARED | MAP_FIXED,
			    &ro.vf, 0, NULL));
	ASSERT_EQ(VMASHADOW_VM_MAYSHARE, at(mm, 5)->flags &
		  (VMASHADOW_VM_SHARED | VMASHADOW_VM_MAYSHARE |
		   VMASHADOW_VM_MAYWRITE));
	ASSERT_EQ(-EACCES, vms_protect(mm, PG(5), PGS(1), RW));
	ASSERT_EQ(-EPERM, do_map(mm, PG(7), PGS(1), RX, MAP_PRIVATE | MAP_FIXED,
				 &noexec.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(7), PGS(1), R, MAP_PRIVATE | MAP_FIXED,
			    &noexec.vf, 0, NULL));
	ASSERT_EQ(0, at(mm, 7)->flags & VMASHADOW_VM_MAYEXEC);
	ASSERT_EQ(-EACCES, vms_protect(mm, PG(7), PGS(1), RX));
	ASSERT_EQ(-ENODEV, do_map(mm, PG(9), PGS(1), R, MAP_PRIVATE | MAP_FIXED,
				  &nommap.vf, 0, NULL));
	ASSERT_EQ(-EINVAL, do_map(mm, PG(9), PGS(1), R, MAP_PRIVATE | MAP_FIXED |
				  MAP_GROWSDOWN, &rw.vf, 0, NULL));
	ASSERT_EQ(-EINVAL, do_map(mm, PG(9), PGS(1), R, MAP_FIXED, &rw.vf, 0,
				  NULL));
	/* the shadow's special mappings have no file */
	ASSERT_EQ(-EINVAL, do_map(mm, PG(9), PGS(1), R, MAP_PRIVATE | MAP_FIXED,
				  &rw.vf, VMASHADOW_OPF_VDSO, &a));
	LAYOUT(mm, "1-2:r--s 3-4:r--s 5-6:r--s 7-8:r--p");
	mm_free(mm);
}

/*
 * mmap's own arguments: an offset not page aligned, a length of 0 (-EINVAL)
 * or one that rounds up to 0 (-ENOMEM), more than TASK_SIZE, more than
 * any gap holds (-ENOMEM from both searches), MAP_FIXED running past
 * TASK_SIZE (-ENOMEM); below mmap_min_addr only with CAP_SYS_RAWIO.
 */
TEST(mmap_arguments)
{
	struct vms_mm *mm = mm_new();
	struct vms_map_req req = {
		.addr = PG(1), .len = PGS(1), .prot = R, .offset = 100,
		.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
	};
	unsigned long a;

	ASSERT_EQ(-EINVAL, vms_map(mm, &req, &a));
	ASSERT_EQ(-EINVAL, do_map(mm, PG(1), 0, R, ANON_FIXED, NULL, 0, &a));
	ASSERT_EQ(-ENOMEM, do_map(mm, PG(1), ~0UL, R, ANON_FIXED, NULL, 0, &a));
	ASSERT_EQ(-ENOMEM, do_map(mm, 0, VMS_TASK_SIZE + PAGE_SIZE, R,
				  MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, &a));
	ASSERT_EQ(-ENOMEM, do_map(mm, 0, VMS_TASK_SIZE - SZ_16M, R,
				  MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, &a));
	ASSERT_EQ(-ENOMEM, do_map(mm, VMS_TASK_SIZE - PAGE_SIZE, PGS(2), R,
				  ANON_FIXED, NULL, 0, &a));
	ASSERT_EQ(-EPERM, do_map(mm, PAGE_SIZE, PGS(1), R, ANON_FIXED, NULL, 0,
				 &a));
	/* a hint the range cannot fit above: the search instead */
	ASSERT_EQ(0, do_map(mm, VMS_TASK_SIZE - PAGE_SIZE, PGS(2), R,
			    MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, &a));
	ASSERT_EQ(mm->params.mmap_base - PGS(2), a);
	ASSERT_EQ(0, vms_unmap(mm, a, PGS(2)));
	mm->may_map_low = true;
	ASSERT_EQ(0, do_map(mm, PAGE_SIZE, PGS(1), R, ANON_FIXED, NULL, 0, &a));
	ASSERT_EQ(PAGE_SIZE, vms_first(mm)->start);
	mm_free(mm);
}

/*
 * MAP_32BIT: x86's bottom-up search in [1 GiB, 2 GiB), lowest first; a
 * length that does not fit there is -ENOMEM, with no other search after.
 */
TEST(map_32bit)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	ASSERT_EQ(0, do_map(mm, 0, PGS(2), RW, MAP_PRIVATE | MAP_ANONYMOUS |
			    MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(SZ_1G, a);
	ASSERT_EQ(0, do_map(mm, 0, PGS(2), R, MAP_PRIVATE | MAP_ANONYMOUS |
			    MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(SZ_1G + PGS(2), a);
	ASSERT_EQ(-ENOMEM, do_map(mm, 0, SZ_1G + PAGE_SIZE, R, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(-ENOMEM, do_map(mm, 0, SZ_2G + PAGE_SIZE, R, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_32BIT, NULL, 0, &a));
	/* all but the last page of the window taken, regions above it too */
	ASSERT_EQ(0, do_map(mm, SZ_1G + PGS(4), SZ_1G - PGS(5), R, ANON_FIXED,
			    NULL, 0, &a));
	ASSERT_EQ(-ENOMEM, do_map(mm, 0, PGS(2), R, MAP_PRIVATE | MAP_ANONYMOUS |
				  MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(0, MAPA(mm, 1, 1, R));
	ASSERT_EQ(0, MAPA(mm, 3, 1, R));
	ASSERT_EQ(-ENOMEM, do_map(mm, 0, PGS(2), R, MAP_PRIVATE | MAP_ANONYMOUS |
				  MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(0, do_map(mm, 0, PGS(1), R, MAP_PRIVATE | MAP_ANONYMOUS |
			    MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(SZ_2G - PAGE_SIZE, a);
	mm_free(mm);
}

/*
 * The bottom-up search (unmapped_area()) meets a stack: the lowest range
 * that fits, [1 GiB, 1 GiB + 2 MiB), lies partly in the guard gap of the
 * grows-down region above it, so the search starts again above that
 * region, as the kernel's retry does.
 *
 *   1G         +1M        +2M  +2M+2p
 *   ..........[guard......]SSSS.......     S grows down
 *                               NNNN...    MAP_32BIT of 1.5 MiB: above S
 */
TEST(map_32bit_beside_a_stack)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	ASSERT_EQ(0, do_map(mm, SZ_1G + SZ_2M, PGS(2), RW, ANON_FIXED |
			    MAP_GROWSDOWN, NULL, 0, &a));
	ASSERT_EQ(0, do_map(mm, 0, SZ_1M + SZ_1M / 2, R, MAP_PRIVATE |
			    MAP_ANONYMOUS | MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(SZ_1G + SZ_2M + PGS(2), a);
	/* small enough to end below the guard: the range at 1 GiB */
	ASSERT_EQ(0, do_map(mm, 0, PGS(4), R, MAP_PRIVATE | MAP_ANONYMOUS |
			    MAP_32BIT, NULL, 0, &a));
	ASSERT_EQ(SZ_1G, a);
	mm_free(mm);
}

/*
 * PR_SET_MDWE under 6.12's rules: no mapping writable and executable, no
 * gain of exec; 6.1 has no MDWE and ignores the parameter.
 */
TEST(mdwe)
{
	struct vms_mm *mm = mm_new();
	const long refused = k612() ? -EACCES : 0;

	mm->params.mdwe = true;
	ASSERT_EQ(refused, MAPA(mm, 1, 2, RW | PROT_EXEC));
	ASSERT_EQ(0, MAPA(mm, 1, 2, R | PROT_EXEC));
	ASSERT_EQ(0, MAPA(mm, 4, 2, RW));
	ASSERT_EQ(refused, vms_protect(mm, PG(4), PGS(2), R | PROT_EXEC));
	ASSERT_EQ(0, vms_protect(mm, PG(1), PGS(2), R));
	ASSERT_EQ(refused, vms_protect(mm, PG(1), PGS(2), R | PROT_EXEC));
	mm_free(mm);
}

/*
 * MADV_REMOVE: a shared mapping of a file that can punch holes, else
 * -EOPNOTSUPP; -EACCES for a private one, -EINVAL without a file.
 */
TEST(madv_remove)
{
	struct vms_mm *mm = mm_new();
	struct tfile f, nopunch;

	tfile_init(&f, "/f", VMS_FMODE_READ | VMS_FMODE_WRITE);
	tfile_init(&nopunch, "/np", VMS_FMODE_READ | VMS_FMODE_WRITE |
		   VMS_FMODE_NOPUNCH);
	ASSERT_EQ(0, do_map(mm, PG(1), PGS(2), RW, MAP_SHARED | MAP_FIXED,
			    &f.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(4), PGS(2), RW, MAP_SHARED | MAP_FIXED,
			    &nopunch.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(7), PGS(2), RW, MAP_PRIVATE | MAP_FIXED,
			    &f.vf, 0, NULL));
	ASSERT_EQ(0, MAPA(mm, 10, 2, RW));
	ASSERT_EQ(0, vms_madvise(mm, PG(1), PGS(2), MADV_REMOVE));
	ASSERT_EQ(-EOPNOTSUPP, vms_madvise(mm, PG(4), PGS(2), MADV_REMOVE));
	ASSERT_EQ(-EACCES, vms_madvise(mm, PG(7), PGS(2), MADV_REMOVE));
	ASSERT_EQ(-EINVAL, vms_madvise(mm, PG(10), PGS(2), MADV_REMOVE));
	mm_free(mm);
}

/*
 * __thp_get_unmapped_area() at its edges, for a file placed for huge
 * pages: a hint that fits with the padding is taken as it is; when the
 * padding fits nowhere, the plain search places the file; a length whose
 * padding passes TASK_SIZE fails like any other.
 */
TEST(thp_file_edges)
{
	struct vms_mm *mm = mm_new();
	unsigned long a, len;
	struct tfile f;

	tfile_init(&f, "/ext4", VMS_FMODE_READ | VMS_FMODE_WRITE |
		   VMS_FMODE_THP);
	ASSERT_EQ(0, do_map(mm, PG(3), SZ_2M, R, MAP_PRIVATE, &f.vf, 0, &a));
	ASSERT_EQ(PG(3), a);
	ASSERT_EQ(0, vms_unmap(mm, a, SZ_2M));
	/* the 2 MiB of padding fit neither below mmap_base nor above 1/3 */
	len = mm->params.mmap_base - PAGE_SIZE - SZ_1M;
	ASSERT_EQ(0, do_map(mm, 0, len, R, MAP_PRIVATE, &f.vf, 0, &a));
	ASSERT_EQ(mm->params.mmap_base - len, a);
	ASSERT_EQ(0, vms_unmap(mm, a, len));
	ASSERT_EQ(-ENOMEM, do_map(mm, 0, VMS_TASK_SIZE - SZ_1M, R, MAP_PRIVATE,
				  &f.vf, 0, &a));
	LAYOUT(mm, "");
	mm_free(mm);
	vms_file_put(&f.vf);
}

/*
 * ->close in a merge: 6.1 merges no region that has one; 6.12 never
 * deletes one, but may grow it or merge around it.
 *
 *   0123456789
 *    CC  CC       C: a file whose mappings have ->close, offsets running on
 *      CC         filling the hole: 6.1 three regions; 6.12 prev grows
 *                 over it and next stays
 */
TEST(close_op_fills_hole)
{
	struct vms_mm *mm = mm_new();
	struct vms_map_req req = {
		.len = PGS(2), .prot = RW, .flags = MAP_SHARED | MAP_FIXED,
		.op_flags = VMASHADOW_OPF_CLOSE_OP,
	};
	struct tfile f;
	unsigned long a;

	tfile_init(&f, "/shm", VMS_FMODE_READ | VMS_FMODE_WRITE);
	req.file = &f.vf;
	req.addr = PG(1);
	ASSERT_EQ(0, vms_map(mm, &req, &a));
	req.addr = PG(5);
	req.offset = PGS(4);
	ASSERT_EQ(0, vms_map(mm, &req, &a));
	req.addr = PG(3);
	req.offset = PGS(2);
	ASSERT_EQ(0, vms_map(mm, &req, &a));
	if (k612())
		LAYOUT(mm, "1-5:rw-s 5-7:rw-s");
	else
		LAYOUT(mm, "1-3:rw-s 3-5:rw-s 5-7:rw-s");
	mm_free(mm);
	vms_file_put(&f.vf);
}

/*
 * mprotect making a region like both neighbours, the next one with ->close
 * (the shadow gives ->close per mapping): prev takes the region, next is
 * not deleted (6.12) or not merged at all (6.1).
 *
 *   0123456789
 *    PPAANN       one file, offsets running on; A read-only, N has ->close
 *      ++         A made rw: PPPP NN on both
 */
TEST(close_op_next_kept)
{
	struct vms_mm *mm = mm_new();
	struct vms_map_req req = {
		.len = PGS(2), .prot = RW, .flags = MAP_SHARED | MAP_FIXED,
	};
	struct tfile f;
	unsigned long a;

	tfile_init(&f, "/shm", VMS_FMODE_READ | VMS_FMODE_WRITE);
	req.file = &f.vf;
	req.addr = PG(1);
	ASSERT_EQ(0, vms_map(mm, &req, &a));
	req.addr = PG(3);
	req.offset = PGS(2);
	req.prot = R;
	ASSERT_EQ(0, vms_map(mm, &req, &a));
	req.addr = PG(5);
	req.offset = PGS(4);
	req.prot = RW;
	req.op_flags = VMASHADOW_OPF_CLOSE_OP;
	ASSERT_EQ(0, vms_map(mm, &req, &a));
	LAYOUT(mm, "1-3:rw-s 3-5:r--s 5-7:rw-s");
	ASSERT_EQ(0, vms_protect(mm, PG(3), PGS(2), RW));
	LAYOUT(mm, "1-5:rw-s 5-7:rw-s");
	mm_free(mm);
	vms_file_put(&f.vf);
}

/*
 * Prev and next could each take the range but not each other: different
 * anon_vmas.  vma_merge() (6.1) and vma_merge_existing_range() (6.12)
 * then join prev alone.
 *
 *   0123456789
 *    PPAANN       P and N faulted (two anon_vmas), A read-only unfaulted
 *      ++         A made rw: PPPP NN
 */
TEST(prev_next_incompatible)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 1, 2, RW));
	ASSERT_EQ(0, vms_touch(mm, PG(1)));
	ASSERT_EQ(0, MAPA(mm, 3, 2, R));
	ASSERT_EQ(0, MAPA(mm, 5, 2, RW));
	ASSERT_EQ(0, vms_touch(mm, PG(5)));
	ASSERT_NE(vms_anon_of(at(mm, 1)), vms_anon_of(at(mm, 5)));
	ASSERT_EQ(0, vms_protect(mm, PG(3), PGS(2), RW));
	LAYOUT(mm, "1-5:rw-p 5-7:rw-p");
	ASSERT_EQ(vms_anon_of(at(mm, 1)), vms_anon_of(at(mm, 4)));
	mm_free(mm);
}

/*
 * Strict overcommit (mode 2): every charge, this one included, must stay
 * below the commit limit.  Private writable memory is charged, shared
 * anonymous memory too (shmem_zero_setup()), MAP_NORESERVE is not honoured,
 * making memory writable charges it.
 */
TEST(overcommit_strict)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	mm->params.overcommit_memory = 2;
	mm->params.commit_limit = 64;
	ASSERT_EQ(0, MAPA(mm, 1, 40, RW));
	ASSERT_EQ(-ENOMEM, MAPA(mm, 100, 30, RW));
	ASSERT_EQ(0, do_map(mm, PG(100), PGS(20), RW, MAP_SHARED | MAP_ANONYMOUS |
			    MAP_FIXED, NULL, 0, &a));
	ASSERT_EQ(-ENOMEM, do_map(mm, PG(200), PGS(10), RW, MAP_SHARED |
				  MAP_ANONYMOUS | MAP_FIXED, NULL, 0, &a));
	ASSERT_EQ(-ENOMEM, do_map(mm, PG(200), PGS(10), RW, ANON_FIXED |
				  MAP_NORESERVE, NULL, 0, &a));
	ASSERT_EQ(0, MAPA(mm, 300, 8, R));
	ASSERT_EQ(-ENOMEM, vms_protect(mm, PG(300), PGS(8), RW));
	ASSERT_EQ(0, vms_protect(mm, PG(300), PGS(3), RW));
	LAYOUT(mm, "1-41:rw-p 100-120:rw-s 300-303:rw-p 303-308:r--p");
	/* the reserves come off the limit */
	mm->params.commit_admin_reserve = 64;
	ASSERT_EQ(-ENOMEM, MAPA(mm, 400, 1, RW));
	mm->params.commit_admin_reserve = 0;
	mm->params.commit_user_reserve = 4;
	ASSERT_EQ(-ENOMEM, MAPA(mm, 400, 1, RW));
	mm->params.commit_user_reserve = 0;
	mm_free(mm);

	/* shared anonymous memory mapped NORESERVE was never charged */
	mm = mm_new();
	ASSERT_EQ(0, do_map(mm, PG(100), PGS(60), RW, MAP_SHARED | MAP_ANONYMOUS |
			    MAP_FIXED | MAP_NORESERVE, NULL, 0, &a));
	mm->params.overcommit_memory = 2;
	mm->params.commit_limit = 64;
	ASSERT_EQ(0, MAPA(mm, 1, 40, RW));
	mm_free(mm);
}

/* The argument checks of mprotect, madvise and mremap that no test makes. */
TEST(argument_checks)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 1, 2, RW));
	/* x86 has no VM_GROWSUP */
	ASSERT_EQ(-EINVAL, vms_protect(mm, PG(1), PGS(1), R | PROT_GROWSUP));
	/* a length that rounds up to 0, a range that wraps */
	ASSERT_EQ(-EINVAL, vms_madvise(mm, PG(1), -100UL, MADV_DONTFORK));
	ASSERT_EQ(-EINVAL, vms_madvise(mm, PG(1), -PG(0), MADV_DONTFORK));
	/* mremap_to(): the destination must end below TASK_SIZE */
	ASSERT_EQ(-EINVAL, vms_remap(mm, PG(1), PGS(2), PGS(2),
				     MREMAP_MAYMOVE | MREMAP_FIXED,
				     VMS_TASK_SIZE - PAGE_SIZE));
	ASSERT_EQ(-EINVAL, vms_remap(mm, PG(1), PGS(2), VMS_TASK_SIZE + PAGE_SIZE,
				     MREMAP_MAYMOVE | MREMAP_FIXED, PG(100)));
	/* a growth whose end wraps round: not in place, nowhere else either */
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(1), PGS(2), PAGE_MASK, 0, 0));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(1), PGS(2), PAGE_MASK,
				     MREMAP_MAYMOVE, 0));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(1), PGS(2), VMS_TASK_SIZE + PGS(2),
				     0, 0));
	/* nor past TASK_SIZE: vma_expandable() asks get_unmapped_area() */
	ASSERT_EQ(0, do_map(mm, VMS_TASK_SIZE - PGS(2), PGS(1), R, ANON_FIXED,
			    NULL, 0, NULL));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, VMS_TASK_SIZE - PGS(2), PGS(1), PGS(3),
				     0, 0));
	/* brk above TASK_SIZE: the old break comes back */
	mm->params.start_brk = mm->params.brk = PG(50);
	ASSERT_EQ(PG(50), vms_brk(mm, VMS_TASK_SIZE + PAGE_SIZE));
	ASSERT_EQ(2, mm->map_count);
	ASSERT_EQ(VMS_TASK_SIZE - PGS(1), vms_highest_end(mm));
	mm_free(mm);
}

/* mseal(2)'s arguments (6.12); 6.1 has no such call. */
TEST(mseal_arguments)
{
	struct vms_mm *mm = mm_new();
	int want = k612() ? -EINVAL : -ENOSYS;

	ASSERT_EQ(0, MAPA(mm, 1, 2, RW));
	ASSERT_EQ(want, vms_seal(mm, PG(1), PGS(1), 1));
	ASSERT_EQ(want, vms_seal(mm, PG(1) + 1, PGS(1), 0));
	ASSERT_EQ(want, vms_seal(mm, PG(1), -100UL, 0));
	ASSERT_EQ(want, vms_seal(mm, PG(1), -PG(0), 0));
	ASSERT_EQ(k612() ? 0 : -ENOSYS, vms_seal(mm, PG(1), 0, 0));
	LAYOUT(mm, "1-3:rw-p");
	mm_free(mm);
}

/* What VALIDATE finds when each invariant is broken in turn. */
TEST(validate_detects)
{
	struct vms_mm *mm = mm_new();
	struct vms_region *r, fake = { .start = PG(9), .end = PG(10) };
	unsigned long where, save;
	struct rb_node *kid;

	ASSERT_EQ(0, MAPA(mm, 1, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 4, 2, R));
	ASSERT_EQ(0, MAPA(mm, 7, 2, RW));
	ASSERT_EQ(0, vms_touch(mm, PG(7)));
	ASSERT_EQ(0, vms_validate(mm, &where));
	r = at(mm, 7);

	save = r->end;
	r->end = r->start;
	ASSERT_EQ(VMASHADOW_BAD_EMPTY, vms_validate(mm, &where));
	ASSERT_EQ(PG(7), where);
	r->end = save + 1;
	ASSERT_EQ(VMASHADOW_BAD_ALIGN, vms_validate(mm, &where));
	r->end = save;
	save = r->start;
	r->start = PG(4);
	ASSERT_EQ(VMASHADOW_BAD_ORDER, vms_validate(mm, &where));
	r->start = PG(5);
	ASSERT_EQ(VMASHADOW_BAD_OVERLAP, vms_validate(mm, &where));
	r->start = save;
	r->gap += PAGE_SIZE;
	ASSERT_EQ(VMASHADOW_BAD_GAP, vms_validate(mm, &where));
	r->gap -= PAGE_SIZE;
	mm->map_count++;
	ASSERT_EQ(VMASHADOW_BAD_COUNT, vms_validate(mm, &where));
	mm->map_count--;
	vms_anon_of(r)->refs++;
	ASSERT_EQ(VMASHADOW_BAD_ANON, vms_validate(mm, &where));
	vms_anon_of(r)->refs--;
	memset(mm->cache, 0, sizeof(mm->cache));
	mm->cache[0] = &fake;
	ASSERT_EQ(VMASHADOW_BAD_CACHE, vms_validate(mm, &where));
	mm->cache[0] = NULL;

	/* the red-black rules: a red root's red child, a lost parent */
	kid = mm->root.rb_node->rb_left;
	ASSERT_NE(NULL, kid);
	rb_set_parent_color(mm->root.rb_node, NULL, RB_RED);
	ASSERT_EQ(VMASHADOW_BAD_RBTREE, vms_validate(mm, &where));
	rb_set_parent_color(mm->root.rb_node, NULL, RB_BLACK);
	ASSERT_EQ(0, vms_validate(mm, &where));
	rb_set_parent_color(kid, kid, rb_color(kid));
	ASSERT_EQ(VMASHADOW_BAD_RBTREE, vms_validate(mm, &where));
	rb_set_parent_color(kid, mm->root.rb_node, RB_BLACK);
	ASSERT_EQ(VMASHADOW_BAD_RBTREE, vms_validate(mm, &where));
	rb_set_parent_color(kid, mm->root.rb_node, RB_RED);
	ASSERT_EQ(0, vms_validate(mm, &where));
	mm_free(mm);
}

static int bad_name(const struct vms_file *vf, char *buf, size_t size)
{
	return -ENAMETOOLONG;
}

/*
 * The export of each kind of region and its label in the maps: [vdso],
 * [vvar], [vvar_vclock] and [uprobes] (the last two only IMPORT makes: set
 * here by hand), an inherited anon_vma, no [heap] without a heap, a name
 * the file cannot give, a buffer too small for a line.
 */
TEST(export_and_labels)
{
	struct vms_mm *mm = mm_new(), *child = mm_new();
	static const struct vms_file_ops bad_ops = {
		.release = tfile_release, .name = bad_name,
	};
	struct vmashadow_region out;
	char buf[128], scratch[64];
	struct tfile f;

	ASSERT_EQ(0, MAPA(mm, 1, 1, RW));
	ASSERT_EQ(0, vms_touch(mm, PG(1)));
	ASSERT_EQ(0, do_map(mm, PG(3), PGS(1), R, ANON_FIXED, NULL,
			    VMASHADOW_OPF_VDSO, NULL));
	ASSERT_EQ(0, do_map(mm, PG(5), PGS(1), R, ANON_FIXED, NULL,
			    VMASHADOW_OPF_VVAR, NULL));
	ASSERT_EQ(0, MAPA(mm, 7, 1, R));
	ASSERT_EQ(0, MAPA(mm, 9, 1, R));
	at(mm, 7)->flags |= VMS_KIND_VCLOCK;
	at(mm, 9)->flags |= VMS_KIND_UPROBES;
	vms_export(at(mm, 3), &out);
	ASSERT_EQ(VMASHADOW_KIND_VDSO, out.kind);
	vms_export(at(mm, 5), &out);
	ASSERT_EQ(VMASHADOW_KIND_VVAR, out.kind);
	vms_export(at(mm, 7), &out);
	ASSERT_EQ(VMASHADOW_KIND_VCLOCK, out.kind);
	ASSERT_STREQ("[vvar_vclock]", vms_region_label(mm, at(mm, 7), scratch,
						       sizeof(scratch)));
	vms_export(at(mm, 9), &out);
	ASSERT_EQ(VMASHADOW_KIND_UPROBES, out.kind);
	ASSERT_STREQ("[uprobes]", vms_region_label(mm, at(mm, 9), scratch,
						   sizeof(scratch)));
	at(mm, 7)->flags &= ~VMS_KIND_VCLOCK;
	at(mm, 9)->flags &= ~VMS_KIND_UPROBES;
	ASSERT_EQ(NULL, vms_region_label(mm, at(mm, 1), scratch,
					 sizeof(scratch)));

	ASSERT_EQ(0, vms_mm_dup(child, mm, true));
	vms_export(vms_lookup(child, PG(1)), &out);
	ASSERT_EQ(VMASHADOW_STATE_ANON_FORKED, out.state);
	ASSERT_NE(0, out.anon_id);

	tfile_init(&f, "/a-long-line", VMS_FMODE_READ);
	f.vf.dev_major = 0xfffff;
	f.vf.dev_minor = 0xfffff;
	f.vf.ino = ~0ULL;
	{
		struct vms_map_req req = {
			.addr = PG(13), .len = PGS(1), .prot = R,
			.flags = MAP_PRIVATE | MAP_FIXED, .file = &f.vf,
			.offset = 0xfffffffff000UL,
		};
		unsigned long a;
		int len;

		ASSERT_EQ(0, vms_map(mm, &req, &a));
		len = vms_show_region(mm, at(mm, 13), buf, sizeof(buf), scratch,
				      sizeof(scratch));
		/* seq_pad() past the column: no padding, one space more */
		ASSERT_STREQ("20000000d000-20000000e000 r--p fffffffff000 "
			     "fffff:fffff 18446744073709551615  /a-long-line\n",
			     buf);
		ASSERT_EQ((int)strlen(buf), len);
		ASSERT_EQ(0, vms_unmap(mm, PG(13), PGS(1)));
	}
	ASSERT_EQ(0, f.released);	/* ours is the last reference */
	tfile_init(&f, "/bad", VMS_FMODE_READ);
	f.vf.ops = &bad_ops;
	ASSERT_EQ(0, do_map(mm, PG(11), PGS(1), R, MAP_PRIVATE | MAP_FIXED,
			    &f.vf, 0, NULL));
	ASSERT_EQ(-ENAMETOOLONG, vms_show_region(mm, at(mm, 11), buf, sizeof(buf),
						 scratch, sizeof(scratch)));
	ASSERT_EQ(-ENAMETOOLONG, vms_show_region(mm, at(mm, 1), buf, 20,
						 scratch, sizeof(scratch)));
	mm_free(child);
	mm_free(mm);
	vms_file_put(&f.vf);
}

/*
 * struct vmashadow_op: fields an operation does not take must be zero,
 * the op must be the one asked for; an unknown op or FIND mode is -EINVAL.
 */
TEST(op_checks)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_op op;
	struct vms_region *prev;

	memset(&op, 0, sizeof(op));
	op.op = VMASHADOW_OP_UNMAP;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_MAP));
	op.op = 0;
	op.op_flags = 0x80000000;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_MAP));
	op.op_flags = VMASHADOW_OPF_VDSO | VMASHADOW_OPF_VVAR;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_MAP));
	op.op_flags = VMASHADOW_OPF_CLOSE_OP;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_UNMAP));
	op.op_flags = 0;
	op.new_addr = PG(1);
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_MAP));
	op.new_addr = 0;
	op.new_len = PGS(1);
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_PROTECT));
	op.new_len = 0;
	op.flags = 1;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_PROTECT));
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_UNMAP));
	op.flags = 0;
	op.prot = R;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_REMAP));
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_TOUCH));
	op.prot = 0;
	op.offset = PGS(1);
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_PROTECT));
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_REMAP));
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_UNMAP));
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_TOUCH));
	op.offset = 0;
	op.flags = 1;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_TOUCH));
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_MAP_VDSO));
	ASSERT_EQ(0, vms_op_check(&op, VMASHADOW_OP_MADVISE));
	op.flags = 0;
	op.prot = R;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_UNMAP));
	op.prot = 0;
	op.op = VMASHADOW_OP_MAP;
	ASSERT_EQ(0, vms_op_check(&op, VMASHADOW_OP_MAP));
	op.op = 0;
	op.len = PGS(1);
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_BRK));
	ASSERT_EQ(-EINVAL, vms_op_check(&op, 999));
	op.op = 999;
	ASSERT_EQ(-EINVAL, vms_run_op(mm, &op, NULL));
	ASSERT_EQ(ERR_PTR(-EINVAL), vms_find_mode(mm, 999, PG(1), 0, &prev));
	ASSERT_EQ(NULL, vms_find_mode(mm, VMASHADOW_FIND_INTERSECT, PG(2), PG(1),
				      &prev));
	mm_free(mm);
}

/* A dry run that cannot make its copy fails with -ENOMEM, changing nothing. */
TEST(dry_run_enomem)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_op op;

	ASSERT_EQ(0, MAPA(mm, 1, 6, RW));
	memset(&op, 0, sizeof(op));
	op.op = VMASHADOW_OP_PROTECT;
	op.op_flags = VMASHADOW_OPF_DRY_RUN;
	op.addr = PG(3);
	op.len = PGS(1);
	op.prot = R;
	vms_host_fail_alloc = 1;	/* the copy */
	ASSERT_EQ(-ENOMEM, vms_run_op(mm, &op, NULL));
	vms_host_fail_alloc = 2;	/* the copy's region array */
	ASSERT_EQ(-ENOMEM, vms_run_op(mm, &op, NULL));
	vms_host_fail_alloc = 0;
	ASSERT_EQ(0, vms_run_op(mm, &op, NULL));
	ASSERT_EQ(3, op.map_count);
	LAYOUT(mm, "1-7:rw-p");
	mm_free(mm);
}

/*
 * More than a thousand regions: a fork, a validation, an unmap of them
 * all and the destruction each yield to the scheduler on the way.
 */
TEST(thousands)
{
	struct vms_mm *mm = mm_new(), *child = mm_new();
	unsigned long where, i;

	for (i = 0; i < 1100; i++)
		ASSERT_EQ(0, MAPA(mm, 2 * i, 1, i & 1 ? R : RW));
	ASSERT_EQ(1100, mm->map_count);
	ASSERT_EQ(0, vms_mm_dup(child, mm, true));
	ASSERT_EQ(0, vms_validate(child, &where));
	ASSERT_EQ(0, vms_validate(mm, &where));
	ASSERT_EQ(0, vms_unmap(mm, PG(0), PGS(2200)));
	ASSERT_EQ(0, mm->map_count);
	mm_free(child);
	mm_free(mm);
}

/* EXPLAIN at an address where no two regions meet says nothing. */
TEST(explain_nothing)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_explain e;

	ASSERT_EQ(0, MAPA(mm, 1, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 4, 2, R));
	vms_explain_at(mm, PG(10), &e);		/* no region */
	ASSERT_EQ(PG(10), e.addr);
	vms_explain_at(mm, PG(1), &e);		/* no prev */
	ASSERT_EQ(PG(1), e.end);
	vms_explain_at(mm, PG(4), &e);		/* prev not touching */
	ASSERT_EQ(PG(4), e.addr);
	ASSERT_EQ(0, e.prev.verdict);
	ASSERT_EQ(0, e.next.verdict);
	mm_free(mm);
}

/*
 * map_vdso(): [vvar] and right above it [vdso], where get_unmapped_area()
 * puts the pair: at exec, 6.12 asks for any place (first fit below
 * mmap_base), 6.1 for a page vdso_addr() drew at random in the PMD above
 * the stack; arch_prctl(ARCH_MAP_VDSO_64) gives a hint and is refused once
 * either is mapped.  Inserted, not mapped: no max_map_count, no merge.
 */
TEST(map_vdso)
{
	struct vms_mm *mm = mm_new();
	unsigned long a;

	mm->params.max_map_count = 0;
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, 0, PGS(4), 0, true, &a));
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(2), 100, 0, true, &a));
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(2), VMS_TASK_SIZE, 0, true,
					&a));
	ASSERT_EQ(-EINVAL, vms_map_vdso(mm, PG(50), PGS(2), PGS(4), 1, false,
					&a));
	ASSERT_EQ(-ENOMEM, vms_map_vdso(mm, 0, PGS(2), VMS_TASK_SIZE - SZ_16M,
					0, false, &a));
	mm->params.start_stack = PG(1000) + 123;
	if (k612()) {
		/* no draw to make: any page asked for is not the kernel's */
		ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(2), PGS(4), 5, true,
						&a));
		ASSERT_EQ(0, vms_map_vdso(mm, 0, PGS(2), PGS(4), 0, true, &a));
		ASSERT_EQ(mm->params.mmap_base - PGS(2), a);
	} else {
		/* the stack's page and the pair end on a PMD: draw 0 only */
		mm->params.start_stack = PG(1018);
		ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(2), PGS(4), 1, true,
						&a));
		mm->params.start_stack = PG(1000) + 123;
		/* the PMD above the stack ends at page 1024: draws 0..17 */
		ASSERT_EQ(-EINVAL, vms_map_vdso(mm, 0, PGS(2), PGS(4), 18, true,
						&a));
		ASSERT_EQ(0, vms_map_vdso(mm, 0, PGS(2), PGS(4), 5, true, &a));
		ASSERT_EQ(PG(1010), a);
		LAYOUT(mm, "1006-1010:r--p 1010-1012:r-xp");
	}
	ASSERT_EQ(VMS_KIND_VVAR, vms_lookup(mm, a - PAGE_SIZE)->flags &
		  VMS_KIND_SPECIAL);
	ASSERT_EQ(-EEXIST, vms_map_vdso(mm, PG(50), PGS(2), PGS(4), 0, false,
					&a));
	mm_free(mm);

	/* arch_prctl(ARCH_MAP_VDSO_64, addr) beside memory it would merge with */
	mm = mm_new();
	ASSERT_EQ(0, MAPA(mm, 48, 2, R));
	vms_reserve_drain(mm);
	vms_host_fail_alloc = 2;	/* nothing without its two regions */
	ASSERT_EQ(-ENOMEM, vms_map_vdso(mm, PG(50), PGS(2), PGS(4), 0, false,
					&a));
	vms_host_fail_alloc = 0;
	LAYOUT(mm, "48-50:r--p");
	ASSERT_EQ(0, vms_map_vdso(mm, PG(50), PGS(2), PGS(4), 0, false, &a));
	ASSERT_EQ(PG(54), a);
	LAYOUT(mm, "48-50:r--p 50-54:r--p 54-56:r-xp");
	mm_free(mm);
}

/* The same as an operation: its own checks, and a dry run. */
TEST(map_vdso_op)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_op op;

	memset(&op, 0, sizeof(op));
	op.addr = PG(50);
	op.len = PGS(2);
	op.new_len = PGS(4);
	op.prot = R;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_MAP_VDSO));
	op.prot = 0;
	op.op_flags = VMASHADOW_OPF_EXEC | VMASHADOW_OPF_DRY_RUN;
	ASSERT_EQ(0, vms_op_check(&op, VMASHADOW_OP_MAP_VDSO));
	op.op = VMASHADOW_OP_MAP_VDSO;
	op.op_flags = VMASHADOW_OPF_DRY_RUN;
	ASSERT_EQ(0, vms_run_op(mm, &op, NULL));
	ASSERT_EQ(PG(54), op.result);
	ASSERT_EQ(2, op.map_count);
	LAYOUT(mm, "");
	op.op_flags = 0;
	ASSERT_EQ(0, vms_run_op(mm, &op, NULL));
	LAYOUT(mm, "50-54:r--p 54-56:r-xp");
	mm_free(mm);
}

/* The module's exit and a new start, which may fail. */
TEST(core_exit)
{
	vms_core_exit();
	vms_host_fail_alloc = 1;
	ASSERT_EQ(-ENOMEM, vms_core_init());
	ASSERT_EQ(0, vms_core_init());
}

TEST_HARNESS_MAIN
