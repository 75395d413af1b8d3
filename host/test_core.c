// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the rules the selftests cannot reach without a real
 * kernel beside them (mremap, brk, madvise, fork, placement, the limits,
 * the maps lines byte for byte, rows 8 and 9), on the core's API directly.
 * The expectations are those the VM selftests and the rules documents
 * (/work/shared/research) establish; diagrams in the selftests' notation.
 * VMS_HOST_RULES=61|612 picks the rule set, as for the shared scenarios.
 */
#include "test_util.h"

/*
 * max_map_count (rules document, "the same on both"): mmap refused only
 * when map_count > max; a split needs map_count < max (madvise: EAGAIN);
 * a munmap punch needs < max, a head-only munmap is allowed at the limit.
 */
TEST(max_map_count)
{
	struct vms_mm *mm = mm_new();

	mm->params.max_map_count = 2;
	ASSERT_EQ(0, MAPA(mm, 1, 6, RW));
	ASSERT_EQ(0, MAPA(mm, 10, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 14, 1, R));		/* 2 == max: allowed */
	ASSERT_EQ(-ENOMEM, MAPA(mm, 20, 1, R));		/* 3 > max */
	LAYOUT(mm, "1-7:rw-p 10-12:rw-p 14-15:r--p");
	ASSERT_EQ(-ENOMEM, vms_unmap(mm, PG(3), PGS(1)));	/* punch */
	ASSERT_EQ(0, vms_unmap(mm, PG(1), PGS(1)));		/* head only */
	LAYOUT(mm, "2-7:rw-p 10-12:rw-p 14-15:r--p");
	ASSERT_EQ(-ENOMEM, vms_protect(mm, PG(3), PGS(1), R));
	ASSERT_EQ(-EAGAIN, vms_madvise(mm, PG(3), PGS(1), MADV_DONTFORK));
	LAYOUT(mm, "2-7:rw-p 10-12:rw-p 14-15:r--p");
	mm_free(mm);
}

/* mremap: shrink, grow in place, grow by moving, MREMAP_FIXED. */
TEST(mremap_paths)
{
	struct vms_mm *mm = mm_new();
	long ret;

	ASSERT_EQ(0, MAPA(mm, 1, 4, RW));
	ASSERT_EQ(PG(1), vms_remap(mm, PG(1), PGS(4), PGS(2), 0, 0));
	LAYOUT(mm, "1-3:rw-p");
	ASSERT_EQ(PG(1), vms_remap(mm, PG(1), PGS(2), PGS(3), 0, 0));
	LAYOUT(mm, "1-4:rw-p");
	ASSERT_EQ(0, MAPA(mm, 4, 1, R));
	/* blocked: no MAYMOVE, -ENOMEM */
	ASSERT_EQ(-ENOMEM, vms_remap(mm, PG(1), PGS(3), PGS(5), 0, 0));
	/* MREMAP_FIXED to page 10 */
	ret = vms_remap(mm, PG(1), PGS(3), PGS(3), MREMAP_MAYMOVE | MREMAP_FIXED,
			PG(10));
	ASSERT_EQ(PG(10), ret);
	LAYOUT(mm, "4-5:r--p 10-13:rw-p");
	/* MAYMOVE: goes where get_unmapped_area puts it, top-down */
	ASSERT_EQ(0, MAPA(mm, 13, 1, R));
	ret = vms_remap(mm, PG(10), PGS(3), PGS(8), MREMAP_MAYMOVE, 0);
	ASSERT_EQ(mm->params.mmap_base - PGS(8), ret);
	ASSERT_EQ(NULL, vms_lookup(mm, PG(10)));
	/* errors */
	ASSERT_EQ(-EFAULT, vms_remap(mm, PG(30), PGS(1), PGS(2), 0, 0));
	ASSERT_EQ(-EINVAL, vms_remap(mm, PG(4), PGS(1), PGS(2), MREMAP_FIXED, PG(40)));
	ASSERT_EQ(-EINVAL, vms_remap(mm, PG(4) + 1, PGS(1), PGS(2), 0, 0));
	mm_free(mm);
}

/*
 * Row 10: MREMAP_DONTUNMAP of an unfaulted region next to its source:
 * 6.1 merges with nothing, 6.12 with the other neighbour.
 */
TEST(mremap_dontunmap_row10)
{
	struct vms_mm *mm = mm_new();
	long ret;

	ASSERT_EQ(0, MAPA(mm, 1, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 5, 2, RW));
	ASSERT_EQ(0, vms_unmap(mm, PG(5), PGS(2)));
	ASSERT_EQ(0, MAPA(mm, 5, 2, RW));
	ret = vms_remap(mm, PG(1), PGS(2), PGS(2),
			MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, PG(3));
	ASSERT_EQ(PG(3), ret);
	if (k612())
		LAYOUT(mm, "1-3:rw-p 3-7:rw-p");
	else
		LAYOUT(mm, "1-3:rw-p 3-5:rw-p 5-7:rw-p");
	mm_free(mm);
}

/* brk: grow, merge, shrink, and row 8 ([heap] when only touching). */
TEST(brk_and_heap_row8)
{
	struct vms_mm *mm = mm_new();
	char scratch[64];
	const char *label;

	mm->params.start_brk = mm->params.brk = PG(100);
	ASSERT_EQ(PG(102), vms_brk(mm, PG(102)));
	ASSERT_EQ(PG(104), vms_brk(mm, PG(104)));
	LAYOUT(mm, "100-104:rw-p");
	ASSERT_EQ(PG(101) + 5, vms_brk(mm, PG(101) + 5));
	LAYOUT(mm, "100-102:rw-p");
	/* below start_brk: refused, the old break comes back */
	ASSERT_EQ(PG(101) + 5, vms_brk(mm, PG(99)));
	/* the next region's page must stay free */
	ASSERT_EQ(0, MAPA(mm, 105, 1, R));
	ASSERT_EQ(PG(101) + 5, vms_brk(mm, PG(105)));
	label = vms_region_label(mm, vms_lookup(mm, PG(100)), scratch, sizeof(scratch));
	ASSERT_STREQ("[heap]", label);
	/* row 8: a region ending at start_brk */
	ASSERT_EQ(0, MAPA(mm, 98, 2, R));
	label = vms_region_label(mm, vms_lookup(mm, PG(98)), scratch, sizeof(scratch));
	if (k612()) {
		ASSERT_EQ(NULL, label);
	} else {
		ASSERT_STREQ("[heap]", label);
	}
	mm_free(mm);
}

/* madvise: flag advice splits and merges back, steps over holes. */
TEST(madvise_flags)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 1, 6, RW));
	ASSERT_EQ(0, vms_madvise(mm, PG(3), PGS(2), MADV_DONTFORK));
	LAYOUT(mm, "1-3:rw-p 3-5:rw-p 5-7:rw-p");
	ASSERT_TRUE(vms_lookup(mm, PG(3))->flags & VMASHADOW_VM_DONTCOPY);
	ASSERT_EQ(0, vms_madvise(mm, PG(3), PGS(2), MADV_DOFORK));
	LAYOUT(mm, "1-7:rw-p");
	ASSERT_EQ(0, MAPA(mm, 9, 2, RW));
	ASSERT_EQ(-ENOMEM, vms_madvise(mm, PG(1), PGS(10), MADV_DONTDUMP));
	LAYOUT(mm, "1-7:rw-p 9-11:rw-p");
	ASSERT_TRUE(vms_lookup(mm, PG(9))->flags & VMASHADOW_VM_DONTDUMP);
	ASSERT_EQ(0, vms_madvise(mm, PG(1), PGS(2), MADV_DONTNEED));
	ASSERT_EQ(-EINVAL, vms_madvise(mm, PG(1), PGS(2), 12345));
	mm_free(mm);
}

/*
 * fork: DONTCOPY stays behind, each anon_vma becomes the child's own and
 * inherited, and an inherited faulted region does not merge.
 */
TEST(fork_child)
{
	struct vms_mm *mm = mm_new(), *child = mm_new();
	struct vms_region *p, *c;

	ASSERT_EQ(0, MAPA(mm, 1, 2, RW));
	ASSERT_EQ(0, vms_touch(mm, PG(1)));
	ASSERT_EQ(0, MAPA(mm, 4, 2, RW));
	ASSERT_EQ(0, vms_madvise(mm, PG(4), PGS(2), MADV_DONTFORK));
	ASSERT_EQ(0, MAPA(mm, 7, 2, R));
	ASSERT_EQ(0, vms_mm_dup(child, mm, true));
	LAYOUT(child, "1-3:rw-p 7-9:r--p");
	p = vms_lookup(mm, PG(1));
	c = vms_lookup(child, PG(1));
	ASSERT_NE(NULL, vms_anon_of(c));
	ASSERT_NE(vms_anon_of(p)->id, vms_anon_of(c)->id);
	ASSERT_TRUE(c->flags & VMS_ANON_FORKED);
	ASSERT_EQ(0, MAPA(child, 3, 1, RW));
	LAYOUT(child, "1-3:rw-p 3-4:rw-p 7-9:r--p");
	/* the parent's anon_vmas are untouched */
	LAYOUT(mm, "1-3:rw-p 4-6:rw-p 7-9:r--p");
	mm_free(child);
	mm_free(mm);
}

/* Placement without MAP_FIXED: top-down below mmap_base, hints, min addr. */
TEST(placement)
{
	struct vms_mm *mm = mm_new();
	unsigned long a, b, base = mm->params.mmap_base;

	ASSERT_EQ(0, do_map(mm, 0, PGS(4), RW, MAP_PRIVATE | MAP_ANONYMOUS,
			    NULL, 0, &a));
	ASSERT_EQ(base - PGS(4), a);
	ASSERT_EQ(0, do_map(mm, 0, PGS(2), R, MAP_PRIVATE | MAP_ANONYMOUS,
			    NULL, 0, &b));
	ASSERT_EQ(a - PGS(2), b);
	/* a free hint is taken */
	ASSERT_EQ(0, do_map(mm, PG(50), PGS(2), R, MAP_PRIVATE | MAP_ANONYMOUS,
			    NULL, 0, &a));
	ASSERT_EQ(PG(50), a);
	/* a taken one is not */
	ASSERT_EQ(0, do_map(mm, PG(50), PGS(2), R, MAP_PRIVATE | MAP_ANONYMOUS,
			    NULL, 0, &a));
	ASSERT_NE(PG(50), a);
	/* below mmap_min_addr: rounded up to it */
	ASSERT_EQ(0, do_map(mm, 4096, PGS(1), R, MAP_PRIVATE | MAP_ANONYMOUS,
			    NULL, 0, &a));
	ASSERT_EQ(mm->params.mmap_min_addr, a);
	ASSERT_EQ(-EPERM, do_map(mm, 4096, PGS(1), R,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0, &a));
	mm_free(mm);
}

/* The maps lines, byte for byte: anon, [heap], a file, shmem, escapes. */
TEST(maps_lines)
{
	struct vms_mm *mm = mm_new();
	char buf[512], scratch[256];
	struct tfile f, nl;
	int len;

	mm->params.start_brk = mm->params.brk = PG(100);
	ASSERT_EQ(0, MAPA(mm, 1, 2, RW));
	len = vms_show_region(mm, vms_lookup(mm, PG(1)), buf, sizeof(buf),
			      scratch, sizeof(scratch));
	ASSERT_STREQ("200000001000-200000003000 rw-p 00000000 00:00 0 \n", buf);
	ASSERT_EQ((int)strlen(buf), len);

	ASSERT_EQ(PG(101), vms_brk(mm, PG(101)));
	vms_show_region(mm, vms_lookup(mm, PG(100)), buf, sizeof(buf),
			scratch, sizeof(scratch));
	ASSERT_STREQ("200000064000-200000065000 rw-p 00000000 00:00 0"
		     "                          [heap]\n", buf);

	tfile_init(&f, "/tmp/some file", VMS_FMODE_READ);
	ASSERT_EQ(0, do_map(mm, PG(10), PGS(2), R, MAP_PRIVATE | MAP_FIXED,
			    &f.vf, 0, NULL));
	vms_lookup(mm, PG(10));
	{
		struct vms_map_req req = { .addr = PG(20), .len = PGS(1),
			.prot = R, .flags = MAP_PRIVATE | MAP_FIXED,
			.offset = PGS(0x12), .file = &f.vf };
		unsigned long a;

		ASSERT_EQ(0, vms_map(mm, &req, &a));
	}
	vms_show_region(mm, vms_lookup(mm, PG(20)), buf, sizeof(buf),
			scratch, sizeof(scratch));
	ASSERT_STREQ("200000014000-200000015000 r--p 00012000 08:01 4242"
		     "                       /tmp/some file\n", buf);

	ASSERT_EQ(0, do_map(mm, PG(30), PGS(1), RW,
			    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, NULL, 0, NULL));
	vms_show_region(mm, vms_lookup(mm, PG(30)), buf, sizeof(buf),
			scratch, sizeof(scratch));
	ASSERT_STREQ("20000001e000-20000001f000 rw-s 00000000 00:01 1"
		     "                          /dev/zero (deleted)\n", buf);

	tfile_init(&nl, "a\nb", VMS_FMODE_READ);
	ASSERT_EQ(0, do_map(mm, PG(40), PGS(1), R, MAP_PRIVATE | MAP_FIXED,
			    &nl.vf, 0, NULL));
	vms_show_region(mm, vms_lookup(mm, PG(40)), buf, sizeof(buf),
			scratch, sizeof(scratch));
	ASSERT_NE(NULL, strstr(buf, " a\\012b\n"));
	/* too small a buffer */
	ASSERT_EQ(-ENAMETOOLONG, vms_show_region(mm, vms_lookup(mm, PG(40)),
						 buf, 60, scratch, sizeof(scratch)));
	/* the files go when the last region does */
	vms_mm_destroy(mm);
	vms_file_put(&f.vf);
	vms_file_put(&nl.vf);
	ASSERT_EQ(1, f.released);
	ASSERT_EQ(1, nl.released);
	free(mm);
}

/*
 * Row 9 with a ->close file region (the selftest's SysV shm may be
 * missing on the host): 6.1 never merges, 6.12 grows or shrinks it but
 * never removes it.
 */
TEST(close_op_row9)
{
	struct vms_mm *mm = mm_new();
	struct tfile f;

	tfile_init(&f, "/shm", VMS_FMODE_READ | VMS_FMODE_WRITE);
	ASSERT_EQ(0, do_map(mm, PG(1), PGS(4), RW, MAP_SHARED | MAP_FIXED,
			    &f.vf, VMASHADOW_OPF_CLOSE_OP, NULL));
	ASSERT_EQ(0, vms_protect(mm, PG(3), PGS(2), R));
	LAYOUT(mm, "1-3:rw-s 3-5:r--s");
	ASSERT_EQ(0, vms_protect(mm, PG(3), PGS(1), RW));
	if (k612())
		LAYOUT(mm, "1-4:rw-s 4-5:r--s");
	else
		LAYOUT(mm, "1-3:rw-s 3-4:rw-s 4-5:r--s");
	ASSERT_EQ(0, vms_protect(mm, PG(4), PGS(1), RW));
	if (k612())
		LAYOUT(mm, "1-4:rw-s 4-5:rw-s");
	else
		LAYOUT(mm, "1-3:rw-s 3-4:rw-s 4-5:rw-s");
	mm_free(mm);
	vms_file_put(&f.vf);
}

/* [vdso] refuses to be split; a [vvar] never merges. */
TEST(special_mappings)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, do_map(mm, PG(1), PGS(2), R | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
			    VMASHADOW_OPF_VDSO, NULL));
	ASSERT_EQ(-EINVAL, vms_unmap(mm, PG(2), PGS(1)));
	ASSERT_EQ(0, do_map(mm, PG(3), PGS(1), R,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
			    VMASHADOW_OPF_VVAR, NULL));
	ASSERT_EQ(0, do_map(mm, PG(4), PGS(1), R,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
			    VMASHADOW_OPF_VVAR, NULL));
	LAYOUT(mm, "1-3:r-xp 3-4:r--p 4-5:r--p");
	mm_free(mm);
}

/* An allocation failure leaves the shadow as it was. */
TEST(enomem_changes_nothing)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 1, 6, RW));
	vms_reserve_drain(mm);
	vms_host_fail_alloc = 1;
	ASSERT_EQ(-ENOMEM, vms_protect(mm, PG(3), PGS(2), R));
	vms_host_fail_alloc = 1;
	ASSERT_EQ(-ENOMEM, MAPA(mm, 10, 1, R));
	vms_host_fail_alloc = 1;
	ASSERT_EQ(-ENOMEM, vms_touch(mm, PG(1)));
	vms_host_fail_alloc = 0;
	LAYOUT(mm, "1-7:rw-p");
	mm_free(mm);
}

/*
 * What a call allocated and did not use stays in the reserve for the next:
 * a split then needs no allocation, and one that needs more than the
 * reserve holds fails as before, keeping what it got.
 */
TEST(reserve_carries_over)
{
	struct vms_mm *mm = mm_new();
	unsigned long allocs;

	ASSERT_EQ(0, MAPA(mm, 1, 6, RW));	/* took one of three */
	ASSERT_EQ(2, mm->reserve.nr);
	allocs = vms_host_allocs;
	vms_host_fail_alloc = 1;
	ASSERT_EQ(0, vms_protect(mm, PG(3), PGS(2), R));	/* two splits */
	ASSERT_EQ(allocs, vms_host_allocs);
	ASSERT_EQ(0, mm->reserve.nr);
	ASSERT_EQ(-ENOMEM, MAPA(mm, 10, 1, R));
	vms_host_fail_alloc = 0;
	LAYOUT(mm, "1-3:rw-p 3-5:r--p 5-7:rw-p");
	ASSERT_EQ(0, mm->reserve.nr);
	vms_host_fail_alloc = 3;		/* the third of three fails */
	ASSERT_EQ(-ENOMEM, MAPA(mm, 10, 1, R));
	ASSERT_EQ(2, mm->reserve.nr);
	LAYOUT(mm, "1-3:rw-p 3-5:r--p 5-7:rw-p");
	ASSERT_EQ(0, MAPA(mm, 10, 1, R));
	ASSERT_GE(VMS_RESERVE_MAX, mm->reserve.nr);
	mm_free(mm);	/* ASan: the reserve is freed with the shadow */
}

/*
 * The lookup cache forgets a region when it leaves the tree, and only
 * that one: a change elsewhere leaves the others cached.  A cached region
 * answers for the hole below it too.
 */
TEST(cache_forgets_only_the_unlinked)
{
	struct vms_mm *mm = mm_new();
	unsigned long where, hits;

	ASSERT_EQ(0, MAPA(mm, 1, 1, R));	/* cache slot 1 */
	ASSERT_EQ(0, MAPA(mm, 6, 1, RW));	/* slot 2 */
	ASSERT_EQ(0, MAPA(mm, 11, 1, N));	/* slot 3 */
	ASSERT_EQ(PG(1), vms_find(mm, PG(1))->start);
	ASSERT_EQ(PG(6), vms_find(mm, PG(6))->start);
	ASSERT_EQ(PG(11), vms_find(mm, PG(11))->start);
	ASSERT_EQ(0, vms_unmap(mm, PG(6), PGS(1)));
	ASSERT_EQ(0, vms_validate(mm, &where));
	ASSERT_EQ(NULL, mm->cache[2]);
	hits = mm->count.cache_hits;
	/* not the freed one: 11-12, whose gap now reaches down to 2 */
	ASSERT_EQ(PG(11), vms_find(mm, PG(6))->start);
	ASSERT_EQ(PG(11), vms_find(mm, PG(2))->start);
	ASSERT_EQ(PG(1), vms_find(mm, PG(1))->start);
	ASSERT_EQ(hits + 3, mm->count.cache_hits);
	ASSERT_EQ(NULL, vms_find(mm, PG(12)));	/* above the last: no answer */
	ASSERT_EQ(hits + 3, mm->count.cache_hits);
	/* a split moves a cached region's bounds: it stays, still right */
	ASSERT_EQ(0, MAPA(mm, 11, 3, N));
	ASSERT_EQ(0, vms_protect(mm, PG(12), PGS(1), R));
	ASSERT_EQ(0, vms_validate(mm, &where));
	ASSERT_EQ(PG(12), vms_find(mm, PG(12))->start);
	mm_free(mm);
}

/*
 * A copy that runs out of memory half-way leaves its target empty, its
 * reserve too: a dry run frees its copy with kfree() after a failed
 * vms_mm_dup(), and vms_region_free() had kept six of the regions it
 * freed.  With more than VMS_REGION_BULK regions the second bulk
 * allocation fails after the first batch was filled in.
 */
TEST(dup_enomem_leaves_nothing)
{
	struct vms_mm *mm = mm_new(), *copy = mm_new();
	unsigned long i;

	for (i = 0; i < 2 * VMS_REGION_BULK; i++)
		ASSERT_EQ(0, MAPA(mm, 1 + 2 * i, 1, RW));
	vms_host_fail_alloc = 3;	/* the array, a first bulk, the second */
	ASSERT_EQ(-ENOMEM, vms_mm_dup(copy, mm, false));
	ASSERT_EQ(0, vms_host_fail_alloc);
	ASSERT_EQ(0, copy->map_count);
	ASSERT_EQ(0, copy->reserve.nr);
	ASSERT_EQ(2 * VMS_REGION_BULK, mm->map_count);
	mm_free(copy);
	mm_free(mm);
}

/*
 * Gaps of 16 TiB and more, which the tree keeps as VMS_GAP_HUGE: random
 * layouts with gaps just under, at and over that size, searched top-down
 * and bottom-up for lengths on both sides of it, against every gap
 * measured exactly; and find_vma() in and below them, twice, so that
 * the lookup cache answers the second time.
 */
struct hg_layout {
	unsigned long	start[48], end[48];
	unsigned int	n;
};

static unsigned long hg_rand(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	return *seed >> 17;
}

/* A gap's size in pages: small, or around the largest size kept exactly. */
static unsigned long hg_pages(unsigned long *seed)
{
	switch (hg_rand(seed) % 4) {
	case 0:
		return 1 + hg_rand(seed) % 1000;
	case 1:
		return 0xffffffffUL - 2 + hg_rand(seed) % 5;
	default:
		return 0xffffffffUL + hg_rand(seed) % 0x40000000UL;
	}
}

/* Gap @i of @l (below region i; i == n: above the last), within [low, high). */
static void hg_gap(const struct hg_layout *l, unsigned int i, unsigned long low,
		   unsigned long high, unsigned long *s, unsigned long *e)
{
	*s = i ? l->end[i - 1] : 0;
	*e = i < l->n ? l->start[i] : ~0UL;
	if (*e > high)
		*e = high;
	if (*s < low)
		*s = low;
}

static unsigned long hg_topdown(const struct hg_layout *l, unsigned long len,
				unsigned long low, unsigned long high)
{
	unsigned int i = l->n + 1;
	unsigned long s, e;

	while (i--) {
		hg_gap(l, i, low, high, &s, &e);
		if (e >= len && e - len >= s)
			return e - len;
	}
	return -ENOMEM;
}

static unsigned long hg_bottomup(const struct hg_layout *l, unsigned long len,
				 unsigned long low, unsigned long high)
{
	unsigned long s, e;
	unsigned int i;

	for (i = 0; i <= l->n; i++) {
		hg_gap(l, i, low, high, &s, &e);
		if (s <= e && e - s >= len)
			return s;
	}
	return -ENOMEM;
}

static unsigned long hg_find(const struct hg_layout *l, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (addr < l->end[i])
			return l->start[i];
	return 0;
}

static unsigned long hg_len(unsigned long *seed)
{
	return hg_pages(seed) << PAGE_SHIFT;
}

TEST(huge_gaps)
{
	unsigned long seed = 1, where;
	unsigned int iter, q, huge = 0;

	for (iter = 0; iter < 300; iter++) {
		struct vms_mm *mm = mm_new();
		struct hg_layout l = { .n = 0 };
		unsigned long addr = 0;

		while (l.n < 48) {
			unsigned long gap = hg_pages(&seed) << PAGE_SHIFT;
			unsigned long size = (1 + hg_rand(&seed) % 4) << PAGE_SHIFT;

			if (addr + gap + size > VMS_TASK_SIZE)
				break;
			addr += gap;
			if (gap >= (0xffffffffUL << PAGE_SHIFT))
				huge++;
			ASSERT_EQ(0, do_map(mm, addr, size, l.n & 1 ? N : R,
					    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					    NULL, 0, NULL));
			l.start[l.n] = addr;
			l.end[l.n++] = addr + size;
			addr += size;
		}
		ASSERT_EQ(0, vms_validate(mm, &where));
		for (q = 0; q < 200; q++) {
			unsigned long len = hg_len(&seed);
			unsigned long a = hg_rand(&seed) % VMS_TASK_SIZE & PAGE_MASK;
			unsigned long b = hg_rand(&seed) % VMS_TASK_SIZE & PAGE_MASK;
			unsigned long low = a < b ? a : b, high = a < b ? b : a;

			if (q & 1) {	/* the whole space */
				low = 0;
				high = VMS_TASK_SIZE;
			}
			ASSERT_EQ(hg_topdown(&l, len, low, high),
				  vms_unmapped_area_topdown(mm, len, low, high));
			ASSERT_EQ(hg_bottomup(&l, len, low, high),
				  vms_unmapped_area(mm, len, low, high));
		}
		for (q = 0; q < 400; q++) {
			unsigned long a = hg_rand(&seed) % VMS_TASK_SIZE;
			struct vms_region *r;

			if (q & 1)	/* next to a region: a gap's edges */
				a = l.start[hg_rand(&seed) % l.n] -
				    hg_rand(&seed) % 3 * PAGE_SIZE;
			r = vms_find(mm, a);
			ASSERT_EQ(hg_find(&l, a), r ? r->start : 0);
			r = vms_find(mm, a);
			ASSERT_EQ(hg_find(&l, a), r ? r->start : 0);
		}
		mm_free(mm);
	}
	ASSERT_LT(1000, huge);	/* the case was made often */
}

TEST_HARNESS_MAIN
