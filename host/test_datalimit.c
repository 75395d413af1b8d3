// SPDX-License-Identifier: GPL-2.0
/*
 * RLIMIT_DATA in the core, under both rule sets: may_expand_vm() for the
 * data mappings (private, writable, not a stack) that mmap(), brk(),
 * mremap() and mprotect() add, Valgrind's soft limit of 0, the
 * ignore_rlimit_data boot option, brk()'s check_data_rlimit() over the
 * heap and the data segment, and VmData (mm->data_vm) through splits,
 * merges, unmaps, changes of protection, moves and fork.  Each test fails
 * if the rule it names goes from the core.
 */
#include "test_util.h"

#define X	PROT_EXEC
#define PRIV	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define INF	VMASHADOW_RLIM_INFINITY

/* VmData counted again from the regions, without the core's helpers. */
static unsigned long recount_data(struct vms_mm *mm)
{
	struct vms_region *r;
	unsigned long pages = 0;

	for (r = vms_first(mm); r; r = vms_next(r)) {
		if (!(r->flags & VMASHADOW_VM_WRITE))
			continue;
		if (r->flags & (VMASHADOW_VM_SHARED | VMASHADOW_VM_GROWSDOWN))
			continue;
		pages += (r->end - r->start) / PAGE_SIZE;
	}
	return pages;
}

/* mm->data_vm is @n pages, and so is the recount */
#define DATA(mm, n) do {						\
	ASSERT_EQ((unsigned long)(n), (mm)->data_vm);			\
	ASSERT_EQ((unsigned long)(n), recount_data(mm));		\
} while (0)

static void set_data_limit(struct vms_mm *mm, unsigned long cur,
			   unsigned long max)
{
	mm->params.rlimit_data = cur;
	mm->params.rlimit_data_max = max;
}

/* A heap at page 100, its break @pages above, and a data segment. */
static void set_heap(struct vms_mm *mm, unsigned long seg)
{
	mm->params.start_brk = mm->params.brk = PG(100);
	mm->params.start_data = PG(90);
	mm->params.end_data = PG(90) + seg;
}

/*
 * Only data mappings meet the limit: private writable ones are refused
 * past it (MAP_FIXED, placed, a private file mapping too), read-only,
 * shared and MAP_GROWSDOWN ones are not.  The limit is in bytes, rounded
 * down to pages.
 */
TEST(mmap_data_only)
{
	struct vms_mm *mm = mm_new();
	struct tfile f;
	unsigned long a;

	tfile_init(&f, "/data", VMS_FMODE_READ | VMS_FMODE_WRITE);
	set_data_limit(mm, PGS(5) - 1, INF);	/* 4 pages */
	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	DATA(mm, 4);
	ASSERT_EQ(-ENOMEM, MAPA(mm, 10, 1, RW));
	ASSERT_EQ(-ENOMEM, MAPA(mm, 10, 1, RW | X));
	ASSERT_EQ(-ENOMEM, do_map(mm, 0, PGS(1), RW,
				  MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, &a));
	ASSERT_EQ(-ENOMEM, do_map(mm, PG(10), PGS(1), RW, MAP_PRIVATE |
				  MAP_FIXED, &f.vf, 0, NULL));
	LAYOUT(mm, "0-4:rw-p");
	/* none of these is data */
	ASSERT_EQ(0, MAPA(mm, 10, 8, R));
	ASSERT_EQ(0, MAPA(mm, 20, 8, R | X));
	ASSERT_EQ(0, do_map(mm, PG(30), PGS(8), RW, MAP_SHARED |
			    MAP_ANONYMOUS | MAP_FIXED, NULL, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(40), PGS(8), RW, MAP_SHARED | MAP_FIXED,
			    &f.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(50), PGS(8), RW, PRIV | MAP_GROWSDOWN,
			    NULL, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(70), PGS(8), R, MAP_PRIVATE | MAP_FIXED,
			    &f.vf, 0, NULL));
	DATA(mm, 4);
	ASSERT_EQ(52, mm->total_vm);
	/* the limit is not reached but passed: up to it is allowed */
	ASSERT_EQ(0, vms_unmap(mm, PG(0), PGS(1)));
	ASSERT_EQ(0, MAPA(mm, 4, 1, RW));
	DATA(mm, 4);
	ASSERT_EQ(-ENOMEM, MAPA(mm, 5, 1, RW));
	mm_free(mm);
}

/*
 * MAP_FIXED asks for its length less every page it replaces, whatever
 * their kind: over its own data it needs nothing, half over it half the
 * pages, and over read-only pages it needs nothing either, though VmData
 * grows past the limit by them.
 *
 *   0123456789
 *   DDDD          4 data pages, the limit
 *   DDDD          again over itself: allowed
 *     DDDD        2 new pages: refused (6.12 has cut at 2 already)
 *   DD  RRRR      limit 4: the R pages replaced by data, VmData 6
 */
TEST(mmap_fixed_counts_replaced)
{
	struct vms_mm *mm = mm_new();

	set_data_limit(mm, PGS(4), INF);
	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	DATA(mm, 4);
	ASSERT_EQ(-ENOMEM, MAPA(mm, 2, 4, RW));
	if (k612())
		LAYOUT(mm, "0-2:rw-p 2-4:rw-p");	/* the gather's cut */
	else
		LAYOUT(mm, "0-4:rw-p");
	DATA(mm, 4);
	/* read-only over data lowers VmData, not the other way round */
	ASSERT_EQ(0, MAPA(mm, 2, 4, R));
	LAYOUT(mm, "0-2:rw-p 2-6:r--p");
	DATA(mm, 2);
	ASSERT_EQ(0, MAPA(mm, 2, 4, RW));
	DATA(mm, 6);
	ASSERT_EQ(6, mm->total_vm);
	/* 5 pages over 2: 3 more, 9 > 4 */
	ASSERT_EQ(-ENOMEM, MAPA(mm, 4, 5, RW));
	/* a shared mapping over data frees data for a smaller one */
	ASSERT_EQ(0, do_map(mm, PG(0), PGS(6), RW, MAP_SHARED |
			    MAP_ANONYMOUS | MAP_FIXED, NULL, 0, NULL));
	DATA(mm, 0);
	ASSERT_EQ(0, MAPA(mm, 10, 4, RW));
	DATA(mm, 4);
	mm_free(mm);
}

/*
 * 6.12 gathers the range before it asks: a sealed region in it refuses
 * with -EPERM before RLIMIT_DATA can; 6.1 asks first, -ENOMEM (and has
 * no mseal).
 */
TEST(mmap_fixed_order)
{
	struct vms_mm *mm = mm_new();

	set_data_limit(mm, PGS(2), INF);
	ASSERT_EQ(0, MAPA(mm, 0, 2, R));
	if (k612())
		ASSERT_EQ(0, vms_seal(mm, PG(0), PGS(2), 0));
	ASSERT_EQ(k612() ? -EPERM : -ENOMEM, MAPA(mm, 0, 6, RW));
	LAYOUT(mm, "0-2:r--p");
	/* over the same two pages alone there is nothing more to ask */
	if (!k612())
		ASSERT_EQ(0, MAPA(mm, 0, 2, RW));
	mm_free(mm);
}

/*
 * brk() grows data: may_expand_vm() refuses a heap that would pass the
 * limit beside other data, where check_data_rlimit() (heap and data
 * segment, in bytes, unrounded) would have let it through.
 */
TEST(brk_may_expand)
{
	struct vms_mm *mm = mm_new();
	unsigned long heap = PG(100);

	set_heap(mm, 0);
	set_data_limit(mm, PGS(4), INF);
	ASSERT_EQ(0, MAPA(mm, 0, 3, RW));
	ASSERT_EQ(heap, vms_brk(mm, heap + PGS(2)));
	ASSERT_EQ(heap, mm->params.brk);
	DATA(mm, 3);
	ASSERT_EQ(heap + PGS(1), vms_brk(mm, heap + PGS(1)));
	DATA(mm, 4);
	/* shared or read-only memory leaves room for the heap */
	ASSERT_EQ(0, MAPA(mm, 0, 3, R));
	ASSERT_EQ(heap + PGS(4), vms_brk(mm, heap + PGS(4)));
	DATA(mm, 4);
	LAYOUT(mm, "0-3:r--p 100-104:rw-p");
	mm_free(mm);
}

/*
 * check_data_rlimit(): the break's distance from start_brk plus the data
 * segment, against the soft limit in bytes, before anything else: a
 * growth fails that may_expand_vm() would allow, an unaligned break fails
 * by a byte, and even a shrink fails while the break stays above the
 * limit.  Infinity turns the check off.
 */
TEST(brk_check_data_rlimit)
{
	struct vms_mm *mm = mm_new();
	unsigned long heap = PG(100);

	set_heap(mm, PGS(1));
	set_data_limit(mm, PGS(4), INF);
	ASSERT_EQ(heap, vms_brk(mm, heap + PGS(4)));
	DATA(mm, 0);
	ASSERT_EQ(heap, vms_brk(mm, heap + PGS(3) + 1));
	ASSERT_EQ(heap + PGS(3), vms_brk(mm, heap + PGS(3)));
	DATA(mm, 3);
	/* the same page, unaligned: the bytes count, not the pages */
	ASSERT_EQ(heap + PGS(3) - 5, vms_brk(mm, heap + PGS(3) - 5));
	ASSERT_EQ(heap + PGS(3), vms_brk(mm, heap + PGS(3)));

	/* the limit lowered under the heap: no shrink but to below it */
	set_data_limit(mm, PGS(2), INF);
	ASSERT_EQ(heap + PGS(3), vms_brk(mm, heap + PGS(2)));
	LAYOUT(mm, "100-103:rw-p");
	ASSERT_EQ(heap + PGS(1), vms_brk(mm, heap + PGS(1)));
	LAYOUT(mm, "100-101:rw-p");
	DATA(mm, 1);
	/* a data segment larger than the limit: not even start_brk */
	mm->params.end_data = PG(93);
	ASSERT_EQ(heap + PGS(1), vms_brk(mm, heap));
	ASSERT_EQ(heap + PGS(1), mm->params.brk);

	set_data_limit(mm, INF, INF);
	ASSERT_EQ(heap + PGS(20), vms_brk(mm, heap + PGS(20)));
	DATA(mm, 20);
	mm_free(mm);
}

/*
 * mremap() growing data asks for the growth, in place or moved; the
 * region's own flags decide whether it is data.
 */
TEST(mremap_grow)
{
	struct vms_mm *mm = mm_new();
	long a;

	set_data_limit(mm, PGS(4), INF);
	ASSERT_EQ(0, MAPA(mm, 0, 3, RW));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(0), PGS(3), PGS(5), 0, 0));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(0), PGS(3), PGS(5),
				     MREMAP_MAYMOVE, 0));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(0), PGS(3), PGS(5),
				     MREMAP_MAYMOVE | MREMAP_FIXED, PG(20)));
	LAYOUT(mm, "0-3:rw-p");
	ASSERT_EQ((long)PG(0), vms_remap(mm, PG(0), PGS(3), PGS(4), 0, 0));
	DATA(mm, 4);
	/* a shrink and a move of the same size ask nothing */
	ASSERT_EQ((long)PG(0), vms_remap(mm, PG(0), PGS(4), PGS(3), 0, 0));
	DATA(mm, 3);
	ASSERT_EQ((long)PG(20), vms_remap(mm, PG(0), PGS(3), PGS(3),
					  MREMAP_MAYMOVE | MREMAP_FIXED,
					  PG(20)));
	DATA(mm, 3);
	/* read-only and shared memory grows freely */
	ASSERT_EQ(0, MAPA(mm, 40, 2, R));
	ASSERT_EQ((long)PG(40), vms_remap(mm, PG(40), PGS(2), PGS(10), 0, 0));
	ASSERT_EQ(0, do_map(mm, PG(60), PGS(2), RW, MAP_SHARED |
			    MAP_ANONYMOUS | MAP_FIXED, NULL, 0, NULL));
	a = vms_remap(mm, PG(60), PGS(2), PGS(10), MREMAP_MAYMOVE, 0);
	ASSERT_FALSE(IS_ERR_VALUE(a));
	DATA(mm, 3);
	/* nor is a stack data */
	ASSERT_EQ(0, do_map(mm, PG(80), PGS(2), RW, PRIV | MAP_GROWSDOWN,
			    NULL, 0, NULL));
	ASSERT_EQ((long)PG(80), vms_remap(mm, PG(80), PGS(2), PGS(6), 0, 0));
	DATA(mm, 3);
	mm_free(mm);
}

/*
 * MREMAP_DONTUNMAP keeps the old range: the copy is old_len new pages,
 * data if the region is.
 */
TEST(mremap_dontunmap)
{
	struct vms_mm *mm = mm_new();
	long a;

	set_data_limit(mm, PGS(6), INF);
	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(0), PGS(4), PGS(4),
				     MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
				     PG(20)));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(0), PGS(4), PGS(4),
				     MREMAP_MAYMOVE | MREMAP_DONTUNMAP |
				     MREMAP_FIXED, PG(20)));
	LAYOUT(mm, "0-4:rw-p");
	DATA(mm, 4);
	/* two pages fit */
	a = vms_remap(mm, PG(0), PGS(2), PGS(2),
		      MREMAP_MAYMOVE | MREMAP_DONTUNMAP, PG(20));
	ASSERT_EQ((long)PG(20), a);
	DATA(mm, 6);
	/* read-only memory is no data */
	ASSERT_EQ(0, MAPA(mm, 40, 4, R));
	a = vms_remap(mm, PG(40), PGS(4), PGS(4),
		      MREMAP_MAYMOVE | MREMAP_DONTUNMAP, PG(50));
	ASSERT_EQ((long)PG(50), a);
	DATA(mm, 6);
	/* the kept range is data still: two more pages need 8 */
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(0), PGS(2), PGS(2),
				     MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
				     PG(60)));
	set_data_limit(mm, PGS(8), INF);
	a = vms_remap(mm, PG(0), PGS(2), PGS(2),
		      MREMAP_MAYMOVE | MREMAP_DONTUNMAP, PG(60));
	ASSERT_EQ((long)PG(60), a);
	DATA(mm, 8);
	mm_free(mm);
}

/*
 * mprotect() making memory data asks for its pages: refused past the
 * limit, nothing changed.  Memory that is data already may change freely
 * (both flags are refused alike), and so may shared memory and stacks.
 */
TEST(mprotect_becomes_data)
{
	struct vms_mm *mm = mm_new();

	set_data_limit(mm, PGS(4), INF);
	ASSERT_EQ(0, MAPA(mm, 0, 6, R));
	ASSERT_EQ(-ENOMEM, vms_protect(mm, PG(0), PGS(6), RW));
	LAYOUT(mm, "0-6:r--p");
	DATA(mm, 0);
	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(4), RW));
	LAYOUT(mm, "0-4:rw-p 4-6:r--p");
	DATA(mm, 4);
	ASSERT_EQ(-ENOMEM, vms_protect(mm, PG(4), PGS(1), RW));
	ASSERT_EQ(-ENOMEM, vms_protect(mm, PG(4), PGS(1), RW | X));
	/* already data: rw to rwx and back */
	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(4), RW | X));
	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(2), RW));
	DATA(mm, 4);
	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(6), R));
	/* 6.1 keeps VM_ACCOUNT on 0-4, 6.12 drops it (no anon_vma) */
	LAYOUT(mm, k612() ? "0-6:r--p" : "0-4:r--p 4-6:r--p");
	DATA(mm, 0);

	ASSERT_EQ(0, do_map(mm, PG(10), PGS(8), R, MAP_SHARED |
			    MAP_ANONYMOUS | MAP_FIXED, NULL, 0, NULL));
	ASSERT_EQ(0, vms_protect(mm, PG(10), PGS(8), RW));
	ASSERT_EQ(0, do_map(mm, PG(30), PGS(8), R, PRIV | MAP_GROWSDOWN,
			    NULL, 0, NULL));
	ASSERT_EQ(0, vms_protect(mm, PG(30), PGS(8), RW));
	DATA(mm, 0);
	mm_free(mm);
}

/*
 * The check is per region, in the loop: the first region becomes data and
 * stays so when the second is refused.
 *
 *   0123456789
 *   RRRNNN        mprotect 0-6 rw, limit 4: 0-3 done, 3-6 -ENOMEM
 */
TEST(mprotect_partial)
{
	struct vms_mm *mm = mm_new();

	set_data_limit(mm, PGS(4), INF);
	ASSERT_EQ(0, MAPA(mm, 0, 3, R));
	ASSERT_EQ(0, MAPA(mm, 3, 3, N));
	ASSERT_EQ(-ENOMEM, vms_protect(mm, PG(0), PGS(6), RW));
	LAYOUT(mm, "0-3:rw-p 3-6:---p");
	DATA(mm, 3);
	/* the rest, one page of it */
	ASSERT_EQ(0, vms_protect(mm, PG(3), PGS(1), RW));
	LAYOUT(mm, "0-4:rw-p 4-6:---p");
	DATA(mm, 4);
	mm_free(mm);
}

/*
 * mprotect() asks may_expand_vm() with both flags; RLIMIT_AS refusing
 * both lets the change through, past RLIMIT_DATA.
 */
TEST(mprotect_as_refuses_both)
{
	struct vms_mm *mm = mm_new();

	set_data_limit(mm, PGS(2), INF);
	mm->params.rlimit_as = PGS(6);
	ASSERT_EQ(0, MAPA(mm, 0, 6, R));
	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(6), RW));
	DATA(mm, 6);
	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(6), R));
	/* room under RLIMIT_AS: RLIMIT_DATA holds again */
	mm->params.rlimit_as = PGS(12);
	ASSERT_EQ(-ENOMEM, vms_protect(mm, PG(0), PGS(6), RW));
	DATA(mm, 0);
	mm_free(mm);
}

/*
 * A soft limit of 0 falls back on the hard one (Valgrind's); any other
 * soft limit does not.  brk() meets the soft 0 in check_data_rlimit().
 */
TEST(valgrind_soft_zero)
{
	struct vms_mm *mm = mm_new();
	unsigned long heap = PG(100);

	set_heap(mm, 0);
	set_data_limit(mm, 0, PGS(4));
	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	DATA(mm, 4);
	ASSERT_EQ(-ENOMEM, MAPA(mm, 10, 1, RW));
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(0), PGS(4), PGS(5), 0, 0));
	ASSERT_EQ(0, MAPA(mm, 10, 1, R));
	ASSERT_EQ(-ENOMEM, vms_protect(mm, PG(10), PGS(1), RW));
	DATA(mm, 4);
	set_data_limit(mm, 0, INF);
	ASSERT_EQ(0, MAPA(mm, 10, 20, RW));
	DATA(mm, 24);
	/* the heap: the soft limit, 0, even with an empty data segment */
	ASSERT_EQ(heap, vms_brk(mm, heap + PGS(1)));
	ASSERT_EQ(heap, vms_brk(mm, heap));
	/* a soft limit of a page does not fall back */
	ASSERT_EQ(0, vms_unmap(mm, PG(0), PGS(40)));
	set_data_limit(mm, PGS(1), PGS(8));
	ASSERT_EQ(-ENOMEM, MAPA(mm, 0, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 0, 1, RW));
	mm_free(mm);
}

/*
 * ignore_rlimit_data: may_expand_vm() only warns, so mmap(), mprotect()
 * and mremap() pass the limit; RLIMIT_AS still holds, and so does brk()'s
 * own check_data_rlimit().
 */
TEST(ignore_rlimit_data)
{
	struct vms_mm *mm = mm_new();
	unsigned long heap = PG(100);

	set_heap(mm, PGS(1));
	set_data_limit(mm, PGS(2), INF);
	mm->params.ignore_rlimit_data = true;
	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	ASSERT_EQ(0, MAPA(mm, 10, 4, R));
	ASSERT_EQ(0, vms_protect(mm, PG(10), PGS(4), RW));
	ASSERT_EQ((long)PG(0), vms_remap(mm, PG(0), PGS(4), PGS(6), 0, 0));
	ASSERT_EQ((long)PG(30), vms_remap(mm, PG(10), PGS(4), PGS(4),
					  MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
					  PG(30)));
	DATA(mm, 14);
	/* within the limit, heap and segment: one page */
	ASSERT_EQ(heap + PGS(1), vms_brk(mm, heap + PGS(1)));
	DATA(mm, 15);
	ASSERT_EQ(heap + PGS(1), vms_brk(mm, heap + PGS(2)));
	/* Valgrind's hard limit is ignored as well */
	set_data_limit(mm, 0, PGS(1));
	ASSERT_EQ(0, MAPA(mm, 40, 2, RW));
	DATA(mm, 17);
	/* RLIMIT_AS is not ignored */
	mm->params.rlimit_as = PGS(mm->total_vm + 1);
	ASSERT_EQ(-ENOMEM, MAPA(mm, 50, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 50, 1, RW));
	mm_free(mm);
}

/*
 * VmData follows every change: splits, merges, unmaps, changes of
 * protection, MAP_FIXED replacing, mremap in place and moved, brk both
 * ways, a stack and shared memory beside, and a fork leaving DONTFORK
 * memory behind.
 */
TEST(data_vm_accounting)
{
	struct vms_mm *mm = mm_new(), *child = mm_new();
	unsigned long heap = PG(100);
	long a;

	set_heap(mm, 0);
	ASSERT_EQ(0, MAPA(mm, 0, 8, RW));
	DATA(mm, 8);
	ASSERT_EQ(0, vms_unmap(mm, PG(2), PGS(2)));
	DATA(mm, 6);
	ASSERT_EQ(0, vms_protect(mm, PG(4), PGS(2), R));
	LAYOUT(mm, "0-2:rw-p 4-6:r--p 6-8:rw-p");
	DATA(mm, 4);
	ASSERT_EQ(0, vms_protect(mm, PG(4), PGS(2), RW));
	LAYOUT(mm, "0-2:rw-p 4-8:rw-p");
	DATA(mm, 6);
	ASSERT_EQ(0, MAPA(mm, 2, 2, RW));
	LAYOUT(mm, "0-8:rw-p");
	DATA(mm, 8);
	ASSERT_EQ(0, vms_protect(mm, PG(1), PGS(1), R));
	ASSERT_EQ(0, vms_protect(mm, PG(1), PGS(1), RW | X));
	LAYOUT(mm, "0-1:rw-p 1-2:rwxp 2-8:rw-p");
	DATA(mm, 8);
	ASSERT_EQ(0, MAPA(mm, 0, 4, R));
	DATA(mm, 4);
	ASSERT_EQ(0, do_map(mm, PG(10), PGS(4), RW, MAP_SHARED |
			    MAP_ANONYMOUS | MAP_FIXED, NULL, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(20), PGS(4), RW, PRIV | MAP_GROWSDOWN,
			    NULL, 0, NULL));
	DATA(mm, 4);
	ASSERT_EQ((long)PG(4), vms_remap(mm, PG(4), PGS(4), PGS(6), 0, 0));
	DATA(mm, 6);
	a = vms_remap(mm, PG(4), PGS(6), PGS(7), MREMAP_MAYMOVE |
		      MREMAP_FIXED, PG(40));
	ASSERT_EQ((long)PG(40), a);
	DATA(mm, 7);
	ASSERT_EQ((long)PG(40), vms_remap(mm, PG(40), PGS(7), PGS(3), 0, 0));
	DATA(mm, 3);
	ASSERT_EQ(heap + PGS(5), vms_brk(mm, heap + PGS(5)));
	DATA(mm, 8);
	ASSERT_EQ(heap + PGS(2), vms_brk(mm, heap + PGS(2)));
	DATA(mm, 5);
	ASSERT_EQ(0, vms_mlock(mm, PG(41), PGS(1), 0));
	DATA(mm, 5);
	ASSERT_EQ(0, vms_madvise(mm, PG(40), PGS(1), MADV_DONTFORK));
	DATA(mm, 5);
	ASSERT_EQ(0, vms_mm_dup(child, mm, true));
	DATA(child, 4);
	ASSERT_EQ(0, vms_unmap(mm, 0, PG(200)));
	DATA(mm, 0);
	ASSERT_EQ(0, mm->total_vm);
	mm_free(child);
	mm_free(mm);
}

TEST_HARNESS_MAIN
