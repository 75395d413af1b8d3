// SPDX-License-Identifier: GPL-2.0
/*
 * mlock(2) and its relatives in the core, under both rule sets: the
 * splits and merges, what populating leaves behind (an anon_vma, or none),
 * mlockall()'s def_flags in later mmap() and brk(), fork, and
 * RLIMIT_MEMLOCK.  The selftests (selftests/mlock.c) hold the same calls
 * against the real kernel; these pin the core's own reasons.
 */
#include "test_util.h"

#define LO	VMASHADOW_VM_LOCKED
#define OF	VMASHADOW_VM_LOCKONFAULT

/* The lock bits of the region holding page @pg, or -1 for none. */
static long lock_at(struct vms_mm *mm, long pg)
{
	struct vms_region *r = vms_lookup(mm, PG(pg));

	return r ? (long)(r->flags & (LO | OF)) : -1;
}

static bool faulted(struct vms_mm *mm, long pg)
{
	struct vms_region *r = vms_lookup(mm, PG(pg));

	return r && vms_anon_of(r);
}

/*
 *   0123456789
 *   AAAAAAAAA     one r region
 *     ***         mlock: split twice, the middle locked
 *     ***         munlock: case 1, one region again
 *
 *   BBBBBBBBB     one rw region
 *     ***         mlock: the middle is faulted in, gets an anon_vma
 *     ***         munlock: the unfaulted neighbours refuse it, three stay
 */
TEST(mlock_splits_munlock_merges)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_explain ex;

	ASSERT_EQ(0, MAPA(mm, 0, 9, R));
	ASSERT_EQ(0, vms_mlock(mm, PG(2), PGS(3), 0));
	LAYOUT(mm, "0-2:r--p 2-5:r--p 5-9:r--p");
	ASSERT_EQ(LO, lock_at(mm, 3));
	ASSERT_EQ(0, lock_at(mm, 0));
	ASSERT_FALSE(faulted(mm, 3));
	ASSERT_EQ(3, vms_locked_pages(mm));
	ASSERT_EQ(0, vms_munlock(mm, PG(2), PGS(3)));
	LAYOUT(mm, "0-9:r--p");
	ASSERT_EQ(0, vms_locked_pages(mm));

	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(9), RW));
	ASSERT_EQ(0, vms_mlock(mm, PG(2), PGS(3), 0));
	ASSERT_TRUE(faulted(mm, 3));
	ASSERT_FALSE(faulted(mm, 0));
	ASSERT_EQ(0, vms_munlock(mm, PG(2), PGS(3)));
	LAYOUT(mm, "0-2:rw-p 2-5:rw-p 5-9:rw-p");
	vms_explain_at(mm, PG(2), &ex);
	ASSERT_EQ(VMASHADOW_VERDICT_REFUSED, ex.prev.verdict);
	ASSERT_EQ(VMASHADOW_WHY_ANON_UNFAULTED, ex.prev.why);
	mm_free(mm);
}

/* The range is rounded as the kernel rounds it: start down, length up. */
TEST(mlock_rounds_range)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 9, R));
	ASSERT_EQ(0, vms_mlock(mm, PG(2) + 100, PGS(2), 0));
	LAYOUT(mm, "0-2:r--p 2-5:r--p 5-9:r--p");
	ASSERT_EQ(0, vms_mlock(mm, PG(6), 0, 0));
	ASSERT_EQ(0, vms_munlock(mm, PG(7), 1));
	/* nothing to lock is nothing to fault in: no -ENOMEM, no anon_vma */
	ASSERT_EQ(0, MAPA(mm, 10, 2, N));
	ASSERT_EQ(0, MAPA(mm, 12, 2, RW));
	ASSERT_EQ(0, vms_mlock(mm, PG(11), 0, 0));
	ASSERT_EQ(0, vms_mlock(mm, PG(12), 0, 0));
	ASSERT_EQ(0, vms_mlock(mm, PG(13), ~0UL, 0));
	ASSERT_FALSE(faulted(mm, 12));
	LAYOUT(mm, "0-2:r--p 2-5:r--p 5-9:r--p 10-12:---p 12-14:rw-p");
	ASSERT_EQ(-EINVAL, vms_mlock(mm, PG(2), -PG(1), 0));
	mm_free(mm);
}

/*
 *   0123456789
 *   AA BBB        a hole at 2
 *    ******       mlock: -ENOMEM at the hole, page 1 locked already
 *     *           mlock from the hole itself: -ENOMEM, nothing changed
 */
TEST(mlock_hole_partial)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 2, R));
	ASSERT_EQ(0, MAPA(mm, 3, 3, R));
	ASSERT_EQ(-ENOMEM, vms_mlock(mm, PG(1), PGS(5), 0));
	LAYOUT(mm, "0-1:r--p 1-2:r--p 3-6:r--p");
	ASSERT_EQ(LO, lock_at(mm, 1));
	ASSERT_EQ(0, lock_at(mm, 3));
	ASSERT_EQ(-ENOMEM, vms_mlock(mm, PG(2), PGS(2), 0));
	ASSERT_EQ(-ENOMEM, vms_munlock(mm, PG(2), PGS(1)));
	ASSERT_EQ(0, lock_at(mm, 3));
	mm_free(mm);
}

/*
 * PROT_NONE memory is locked but cannot be faulted in: -ENOMEM after the
 * fact.  The populate stops there, so the rw region after it stays
 * unfaulted, and an mremap() growing it faults its new pages in later.
 *
 *   0123456789
 *   NNRR          mlock 0-4: -ENOMEM, both locked, R not faulted
 *   NNRRRR        mremap R to 4 pages in place: faulted now
 */
TEST(mlock_prot_none_stops_populate)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 2, N));
	ASSERT_EQ(0, MAPA(mm, 2, 2, RW));
	ASSERT_EQ(-ENOMEM, vms_mlock(mm, PG(0), PGS(4), 0));
	ASSERT_EQ(LO, lock_at(mm, 0));
	ASSERT_EQ(LO, lock_at(mm, 2));
	ASSERT_FALSE(faulted(mm, 2));
	ASSERT_EQ(4, vms_locked_pages(mm));
	ASSERT_EQ((long)PG(2), vms_remap(mm, PG(2), PGS(2), PGS(4), 0, 0));
	LAYOUT(mm, "0-2:---p 2-6:rw-p");
	ASSERT_TRUE(faulted(mm, 2));
	mm_free(mm);
}

/*
 * MLOCK_ONFAULT faults nothing in; neither does making such memory
 * writable later, where locked memory is populated.
 */
TEST(mlock_onfault_populates_nothing)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 4, 2, R));
	ASSERT_EQ(0, MAPA(mm, 8, 2, R));
	ASSERT_EQ(-EINVAL, vms_mlock(mm, PG(0), PGS(2), 2));
	ASSERT_EQ(0, vms_mlock(mm, PG(0), PGS(2), MLOCK_ONFAULT));
	ASSERT_EQ(LO | OF, lock_at(mm, 0));
	ASSERT_FALSE(faulted(mm, 0));
	ASSERT_EQ(0, vms_mlock(mm, PG(4), PGS(2), MLOCK_ONFAULT));
	ASSERT_EQ(0, vms_protect(mm, PG(4), PGS(2), RW));
	ASSERT_FALSE(faulted(mm, 4));
	/* locked without ONFAULT, the same mprotect faults it in */
	ASSERT_EQ(0, vms_mlock(mm, PG(8), PGS(2), 0));
	ASSERT_FALSE(faulted(mm, 8));
	ASSERT_EQ(0, vms_protect(mm, PG(8), PGS(2), RW));
	ASSERT_TRUE(faulted(mm, 8));
	/* munlock clears ONFAULT too */
	ASSERT_EQ(0, vms_munlock(mm, PG(0), PGS(2)));
	ASSERT_EQ(0, vms_munlock(mm, PG(4), PGS(2)));
	ASSERT_EQ(0, lock_at(mm, 0));
	ASSERT_EQ(0, lock_at(mm, 4));
	mm_free(mm);
}

/* A special mapping takes no lock and is not counted; mlock goes past it. */
TEST(mlock_skips_special)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, do_map(mm, PG(0), PGS(2), R | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
			    VMASHADOW_OPF_VDSO, NULL));
	ASSERT_EQ(0, MAPA(mm, 2, 2, R));
	ASSERT_EQ(0, vms_mlock(mm, PG(0), PGS(4), 0));
	ASSERT_EQ(0, lock_at(mm, 0));
	ASSERT_EQ(LO, lock_at(mm, 2));
	ASSERT_EQ(2, vms_locked_pages(mm));
	ASSERT_EQ(0, vms_mlockall(mm, MCL_CURRENT));
	ASSERT_EQ(0, lock_at(mm, 0));
	mm_free(mm);
}

TEST(mlockall_flags)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(-EINVAL, vms_mlockall(mm, 0));
	ASSERT_EQ(-EINVAL, vms_mlockall(mm, MCL_ONFAULT));
	ASSERT_EQ(-EINVAL, vms_mlockall(mm, MCL_CURRENT | 8));
	ASSERT_EQ(0, mm->params.def_flags);
	ASSERT_EQ(0, vms_mlockall(mm, MCL_FUTURE | MCL_ONFAULT));
	ASSERT_EQ(LO | OF, mm->params.def_flags);
	/* a second call replaces, it does not add */
	ASSERT_EQ(0, vms_mlockall(mm, MCL_CURRENT));
	ASSERT_EQ(0, mm->params.def_flags);
	mm_free(mm);
}

/*
 * mlockall(MCL_CURRENT) locks every region whole, and the walk carries
 * prev: regions that differed only in VM_LOCKED become one.
 *
 *   0123456789
 *   AABBCC        B locked before: mlockall gives AAAAAA
 *   AAAAAA        munlockall: still one region
 */
TEST(mlockall_merges)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 6, R));
	ASSERT_EQ(0, vms_mlock(mm, PG(2), PGS(2), 0));
	LAYOUT(mm, "0-2:r--p 2-4:r--p 4-6:r--p");
	ASSERT_EQ(0, vms_mlockall(mm, MCL_CURRENT));
	LAYOUT(mm, "0-6:r--p");
	ASSERT_EQ(LO, lock_at(mm, 0));
	ASSERT_EQ(0, vms_mlock(mm, PG(2), PGS(2), MLOCK_ONFAULT));
	LAYOUT(mm, "0-2:r--p 2-4:r--p 4-6:r--p");
	ASSERT_EQ(0, vms_munlockall(mm));
	LAYOUT(mm, "0-6:r--p");
	ASSERT_EQ(0, lock_at(mm, 0));
	mm_free(mm);
}

/*
 * MCL_FUTURE: later maps and brk() are locked and faulted in, unless
 * MCL_ONFAULT; a locked map does not merge with an unlocked neighbour;
 * a fork child inherits none of it.
 */
TEST(mlockall_future)
{
	struct vms_mm *mm = mm_new(), *child = mm_new();
	unsigned long heap = PG(100);

	ASSERT_EQ(0, MAPA(mm, 0, 2, RW));
	mm->params.start_brk = mm->params.brk = heap;
	ASSERT_EQ(0, vms_mlockall(mm, MCL_FUTURE));
	ASSERT_EQ(0, lock_at(mm, 0));
	ASSERT_EQ(0, MAPA(mm, 2, 2, RW));
	LAYOUT(mm, "0-2:rw-p 2-4:rw-p");
	ASSERT_EQ(LO, lock_at(mm, 2));
	ASSERT_TRUE(faulted(mm, 2));
	ASSERT_FALSE(faulted(mm, 0));
	ASSERT_EQ(heap + PGS(2), vms_brk(mm, heap + PGS(2)));
	ASSERT_EQ(LO, lock_at(mm, 100));
	ASSERT_TRUE(faulted(mm, 100));

	ASSERT_EQ(0, vms_mm_dup(child, mm, true));
	ASSERT_EQ(0, child->params.def_flags);
	ASSERT_EQ(0, lock_at(child, 2));
	ASSERT_EQ(0, MAPA(child, 6, 2, RW));
	ASSERT_EQ(0, lock_at(child, 6));

	ASSERT_EQ(0, vms_mlockall(mm, MCL_FUTURE | MCL_ONFAULT));
	ASSERT_EQ(0, MAPA(mm, 6, 2, RW));
	ASSERT_EQ(LO | OF, lock_at(mm, 6));
	ASSERT_FALSE(faulted(mm, 6));
	ASSERT_EQ(0, vms_munlockall(mm));
	ASSERT_EQ(0, mm->params.def_flags);
	ASSERT_EQ(0, vms_locked_pages(mm));
	mm_free(child);
	mm_free(mm);
}

/*
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK: 0 forbids locking (-EPERM), a
 * limit is checked against what is locked already, not counting twice
 * what the range holds locked, before anything changes.
 */
TEST(memlock_limit)
{
	struct vms_mm *mm = mm_new();
	unsigned long heap = PG(100);

	ASSERT_EQ(0, MAPA(mm, 0, 8, R));
	mm->params.start_brk = mm->params.brk = heap;
	mm->params.rlimit_memlock = 0;
	ASSERT_EQ(-EPERM, vms_mlock(mm, PG(0), PGS(1), 0));
	ASSERT_EQ(-EPERM, vms_mlockall(mm, MCL_FUTURE));
	ASSERT_EQ(-EPERM, do_map(mm, PG(20), PGS(1), R, MAP_PRIVATE |
				 MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED,
				 NULL, 0, NULL));
	ASSERT_EQ(0, vms_munlock(mm, PG(0), PGS(1)));

	mm->params.rlimit_memlock = PGS(4);
	ASSERT_EQ(0, vms_mlock(mm, PG(0), PGS(3), 0));
	ASSERT_EQ(-ENOMEM, vms_mlock(mm, PG(4), PGS(2), 0));
	LAYOUT(mm, "0-3:r--p 3-8:r--p");
	/* pages 0-2 are counted once: 4 in all */
	ASSERT_EQ(0, vms_mlock(mm, PG(0), PGS(4), 0));
	ASSERT_EQ(4, vms_locked_pages(mm));
	ASSERT_EQ(-EAGAIN, do_map(mm, PG(20), PGS(1), R, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED,
				  NULL, 0, NULL));
	ASSERT_EQ(-ENOMEM, vms_mlockall(mm, MCL_CURRENT));
	/* the future alone is not checked; the brk it locks is */
	ASSERT_EQ(0, vms_mlockall(mm, MCL_FUTURE));
	ASSERT_EQ(LO, lock_at(mm, 0));
	ASSERT_EQ(heap, vms_brk(mm, heap + PGS(1)));
	ASSERT_EQ(-EAGAIN, MAPA(mm, 30, 1, R));
	/* a locked region may not grow past the limit either */
	ASSERT_EQ(-EAGAIN, vms_remap(mm, PG(0), PGS(4), PGS(5), 0, 0));
	/* with two pages unlocked, one more fits: moved, it is still locked */
	ASSERT_EQ(0, vms_munlock(mm, PG(0), PGS(2)));
	heap = vms_remap(mm, PG(2), PGS(2), PGS(3), MREMAP_MAYMOVE, 0);
	ASSERT_FALSE(IS_ERR_VALUE(heap));
	ASSERT_EQ(LO, lock_at(mm, (long)(heap - VMS_WIN) / (long)PAGE_SIZE));
	ASSERT_EQ(3, vms_locked_pages(mm));
	mm_free(mm);
}

TEST_HARNESS_MAIN
