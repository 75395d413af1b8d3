// SPDX-License-Identifier: GPL-2.0
/*
 * The region tree of a shadow address space: an rbtree ordered by address,
 * augmented with the largest free gap of each subtree (as mm/mmap.c kept
 * rb_subtree_gap from Linux 3.8 to 6.0), fronted by a small lookup cache
 * (as the vmacache fronted find_vma() until 6.1).
 */
#include "core.h"

static struct kmem_cache *vms_region_cachep;
static struct kmem_cache *vms_anon_cachep;

static_assert(sizeof(struct vms_region) == 9 * sizeof(long),
	      "make bench wants 80 bytes a region at most, the slab's share in");

/* File identities are unique across all shadows: fork shares files. */
static atomic64_t vms_last_file_id = ATOMIC64_INIT(0);

u64 vms_file_new_id(void)
{
	return atomic64_inc_return(&vms_last_file_id);
}

int vms_core_init(void)
{
	vms_region_cachep = kmem_cache_create("vmashadow_region",
					      sizeof(struct vms_region), 0,
					      SLAB_ACCOUNT, NULL);
	if (!vms_region_cachep)
		return -ENOMEM;
	/* 24 bytes, where kmalloc() would take 32 */
	vms_anon_cachep = kmem_cache_create("vmashadow_anon",
					    sizeof(struct vms_anon), 0,
					    SLAB_ACCOUNT, NULL);
	if (!vms_anon_cachep) {
		kmem_cache_destroy(vms_region_cachep);
		return -ENOMEM;
	}
	return 0;
}

void vms_core_exit(void)
{
	kmem_cache_destroy(vms_anon_cachep);
	kmem_cache_destroy(vms_region_cachep);
}

void vms_mm_init(struct vms_mm *mm, unsigned int rules)
{
	memset(mm, 0, sizeof(*mm));
	mm->root = RB_ROOT;
	mm->next_anon_id = 1;
	mm->next_shmem_ino = 1;
	mm->params.rules = rules;
	mm->params.max_map_count = VMS_DEFAULT_MAP_COUNT;
	mm->params.rlimit_memlock = VMASHADOW_MEMLOCK_UNLIMITED;
	mm->params.rlimit_data = VMASHADOW_RLIM_INFINITY;
	mm->params.rlimit_data_max = VMASHADOW_RLIM_INFINITY;
	mm->params.rlimit_stack = VMASHADOW_RLIM_INFINITY;
	mm->params.mems_allowed = 1;		/* node 0 */
	mm->params.nodes_online = 1;
	mm->params.mmap_min_addr = 65536;
	mm->params.mmap_base = VMS_TASK_SIZE - SZ_128M;
}

/* ---- region lifetime ---------------------------------------------------- */

struct vms_region *vms_region_alloc(void)
{
	return kmem_cache_zalloc(vms_region_cachep, GFP_KERNEL_ACCOUNT);
}

void vms_file_put(struct vms_file *file)
{
	if (file && refcount_dec_and_test(&file->ref))
		file->ops->release(file);
}

/*
 * A new anon_vma identity of @mm, held once, for regions that map @file
 * (NULL: none).  NULL on -ENOMEM.
 */
struct vms_anon *vms_anon_new(struct vms_mm *mm, struct vms_file *file)
{
	struct vms_anon *anon = kmem_cache_zalloc(vms_anon_cachep,
						  GFP_KERNEL_ACCOUNT);

	if (!anon)
		return NULL;
	anon->refs = 1;
	anon->id = mm->next_anon_id++;
	anon->file = file;
	mm->count.anon_vmas++;
	return anon;
}

void vms_anon_put(struct vms_mm *mm, struct vms_anon *anon)
{
	if (anon && !--anon->refs) {
		mm->count.anon_vmas--;
		kmem_cache_free(vms_anon_cachep, anon);
	}
}

/*
 * regions[@n] of an array of at most @max new regions that import and
 * fork fill in order: the slab hands them out VMS_REGION_BULK at a time,
 * and *@filled counts the slots that hold one.  NULL on -ENOMEM, or when
 * all @max are taken.  vms_region_bulk_end() gives back the unused.
 */
struct vms_region *vms_region_bulk_next(struct vms_region **regions,
					unsigned long n, unsigned long *filled,
					unsigned long max)
{
	if (n == *filled) {
		unsigned long more = min_t(unsigned long, max - n,
					   VMS_REGION_BULK);

		if (!more ||
		    !kmem_cache_alloc_bulk(vms_region_cachep,
					   GFP_KERNEL_ACCOUNT | __GFP_ZERO,
					   more, (void **)(regions + n)))
			return NULL;
		*filled += more;
	}
	return regions[n];
}

/* Free regions[@used..@filled), which were never used. */
void vms_region_bulk_end(struct vms_region **regions, unsigned long used,
			 unsigned long filled)
{
	if (filled > used)
		kmem_cache_free_bulk(vms_region_cachep, filled - used,
				     (void **)(regions + used));
}

/* Free a region that never held anything (an unused preallocation). */
void vms_region_discard(struct vms_region *r)
{
	kmem_cache_free(vms_region_cachep, r);
}

/* Give the regions of @mm's reserve back to the slab. */
void vms_reserve_drain(struct vms_mm *mm)
{
	while (mm->reserve.nr)
		vms_region_discard(mm->reserve.region[--mm->reserve.nr]);
}

/*
 * Free a region that is no longer in the tree (vms_unlink() took it out of
 * the lookup cache too).  While the reserve has room the region goes
 * there, cleared, instead of back to the slab: a merge frees what the
 * next split will want.
 */
void vms_region_free(struct vms_mm *mm, struct vms_region *r)
{
	/* the file first: the anon_vma names it, and may go with the region */
	vms_file_put(vms_file_of(r));
	vms_anon_put(mm, vms_anon_of(r));
	if (mm->reserve.nr < VMS_RESERVE_MAX) {
		memset(r, 0, sizeof(*r));
		mm->reserve.region[mm->reserve.nr++] = r;
		return;
	}
	kmem_cache_free(vms_region_cachep, r);
}

/*
 * A copy of @r that shares its file and anon_vma, as vm_area_dup() and
 * anon_vma_clone() give __split_vma() its new piece.
 */
void vms_region_dup(struct vms_region *new, const struct vms_region *r)
{
	new->start = r->start;
	new->end = r->end;
	new->pgoff = r->pgoff;
	new->flags = r->flags;
	new->backing = r->backing;
	if (vms_file_of(new))
		refcount_inc(&vms_file_of(new)->ref);
	if (vms_anon_of(new))
		vms_anon_of(new)->refs++;
}

/* ---- the augmented tree -------------------------------------------------- */

static inline struct vms_region *rb_region(const struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct vms_region, rb) : NULL;
}

struct vms_region *vms_first(const struct vms_mm *mm)
{
	return rb_region(rb_first(&mm->root));
}

struct vms_region *vms_next(const struct vms_region *r)
{
	return rb_region(rb_next(&r->rb));
}

struct vms_region *vms_prev(const struct vms_region *r)
{
	return rb_region(rb_prev(&r->rb));
}

/* Where a region begins once its stack guard gap is counted: vm_start_gap() */
unsigned long vms_start_gap(const struct vms_region *r)
{
	unsigned long start = r->start;

	if (r->flags & VMASHADOW_VM_GROWSDOWN) {
		start -= VMS_STACK_GUARD_GAP;
		if (start > r->start)
			start = 0;
	}
	return start;
}

/*
 * The free space below @r, from the end of the region before it: the
 * maple tree's empty range.  A stack's guard gap is not taken off here:
 * the searches ask for it once they have found a range (as 6.1's do).
 */
static unsigned long vms_compute_gap(const struct vms_region *r)
{
	const struct vms_region *prev = vms_prev(r);

	return r->start - (prev ? prev->end : 0);
}

/*
 * A gap as the tree keeps it: in pages, in 32 bits.  Every gap under
 * 16 TiB keeps its exact size; larger ones all read VMS_GAP_HUGE.  A
 * 47-bit address space holds at most eight of those, and a search for
 * less than 16 TiB takes any of them without asking how large it is, so
 * the rare question is answered by a walk to the predecessor (in
 * vms_gap_start()), and every region is eight bytes smaller.
 */
static u32 vms_gap_pages(unsigned long gap)
{
	gap >>= PAGE_SHIFT;
	return gap < VMS_GAP_HUGE ? gap : VMS_GAP_HUGE;
}

/* A ->gap or ->subtree_gap under VMS_GAP_HUGE in bytes. */
static unsigned long vms_gap_bytes(u32 pages)
{
	return (unsigned long)pages << PAGE_SHIFT;
}

/* May @pages (a ->gap or ->subtree_gap) hold @length bytes? */
static bool vms_gap_may_fit(u32 pages, unsigned long length)
{
	return pages == VMS_GAP_HUGE || vms_gap_bytes(pages) >= length;
}

static inline u32 vms_region_gap(const struct vms_region *r)
{
	return r->gap;
}

RB_DECLARE_CALLBACKS_MAX(static, vms_gap_callbacks, struct vms_region, rb,
			 u32, subtree_gap, vms_region_gap)

/*
 * The lookup cache holds only regions in the tree: one that leaves the
 * tree leaves the cache, and every other region stays valid through the
 * changes around it (the cache reads the bounds and the gap from the
 * region).
 */
static void vms_cache_forget(struct vms_mm *mm, const struct vms_region *r)
{
	unsigned int i;

	for (i = 0; i < VMS_CACHE_SLOTS; i++)
		if (mm->cache[i] == r)
			mm->cache[i] = NULL;
}

/*
 * The end of the region before @r, read off @r's gap: where the free space
 * below @r begins.  ->gap is kept so that this needs no walk to the
 * predecessor, here and in the searches, but for a gap of 16 TiB or more.
 */
static unsigned long vms_gap_start(const struct vms_region *r)
{
	const struct vms_region *prev;

	if (likely(r->gap != VMS_GAP_HUGE))
		return r->start - vms_gap_bytes(r->gap);
	prev = vms_prev(r);
	return prev ? prev->end : 0;
}

/*
 * The region before @r now ends at @prev_end (0: there is none): set
 * @r's gap and carry the change up towards the root, as far as it goes.
 * A hole that opens or closes changes the largest gap of every subtree
 * above it, 10 to 20 levels of them, so the two directions are told
 * apart, and a gap that did not change goes nowhere:
 *
 *   larger:  it is the largest of each subtree up to the first that
 *            holds one at least as large: one load a level, no sibling;
 *   smaller: only if it was @r's subtree's largest, each level's
 *            largest is worked out again from its children until one
 *            comes out unchanged (the callbacks' propagate).
 *
 * Both stop early on the strength of the invariant, which must hold
 * exactly on entry and holds after: every node's ->subtree_gap is the
 * largest of its own ->gap and its children's ->subtree_gap.
 */
static void vms_set_gap(struct vms_region *r, unsigned long prev_end)
{
	u32 old = r->gap, gap = vms_gap_pages(r->start - prev_end);
	struct rb_node *rb;

	r->gap = gap;
	if (gap > old) {
		for (rb = &r->rb; rb; rb = rb_parent(rb)) {
			struct vms_region *above = rb_region(rb);

			if (above->subtree_gap >= gap)
				break;
			above->subtree_gap = gap;
		}
	} else if (gap < old && old == r->subtree_gap) {
		vms_gap_callbacks_propagate(&r->rb, NULL);
	}
}

/*
 * vm_stat_account(): the pages a region holds count towards total_vm
 * (RLIMIT_AS) and, when it is a data mapping, data_vm (RLIMIT_DATA).  The
 * tree's own changes call it, so the counts follow every link, unlink,
 * resize and change of flags.  The policy table counts here too, so that
 * mbind() may take back a slot that no region holds.
 */
static void vms_stat_account(struct vms_mm *mm, unsigned long flags,
			     long pages)
{
	mm->total_vm += pages;
	if (vms_is_data_mapping(flags))
		mm->data_vm += pages;
	if (flags & VMS_POLICY_MASK)
		mm->policies[vms_policy_of(flags)].pages += pages;
}

/*
 * Insert @r, whose range must be free.  The gap below @r and the one below
 * its successor both change.  The descent passes both neighbours: the
 * predecessor is the last node it leaves to the right, the successor the
 * last it leaves to the left.
 *
 *        prev         next              prev     r     next
 *   ...--[    ]  gap  [    ]--   =>  ...--[    ] g1 [  ] g2 [    ]--
 */
void vms_link(struct vms_mm *mm, struct vms_region *r)
{
	struct rb_node **link = &mm->root.rb_node, *parent = NULL;
	struct vms_region *next = NULL;
	unsigned long prev_end = 0;

	while (*link) {
		struct vms_region *p = rb_region(*link);

		parent = *link;
		if (r->start < p->start) {
			next = p;
			link = &parent->rb_left;
		} else {
			prev_end = p->end;
			link = &parent->rb_right;
		}
	}
	rb_link_node(&r->rb, parent, link);
	/* a leaf with no gap yet: vms_set_gap() raises both */
	r->gap = 0;
	r->subtree_gap = 0;
	vms_set_gap(r, prev_end);
	rb_insert_augmented(&r->rb, &mm->root, &vms_gap_callbacks);
	if (next)
		vms_set_gap(next, r->end);

	mm->map_count++;
	vms_stat_account(mm, r->flags, vms_pages(r));
	if (mm->map_count > mm->count.peak_regions)
		mm->count.peak_regions = mm->map_count;
}

/*
 * Take @r out of the tree and the lookup cache; the caller frees it or
 * links it again.  Its successor's gap grows down to where @r's began.
 */
void vms_unlink(struct vms_mm *mm, struct vms_region *r)
{
	struct vms_region *next = vms_next(r);
	unsigned long prev_end = vms_gap_start(r);

	rb_erase_augmented(&r->rb, &mm->root, &vms_gap_callbacks);
	RB_CLEAR_NODE(&r->rb);
	vms_cache_forget(mm, r);
	if (next)
		vms_set_gap(next, prev_end);
	mm->map_count--;
	vms_stat_account(mm, r->flags, -(long)vms_pages(r));
}

/*
 * Move the bounds of a linked region.  The new range must not overlap a
 * neighbour, so the region keeps its place in the tree (and the cache may
 * keep it: it reads the bounds from the region).
 */
void vms_adjust(struct vms_mm *mm, struct vms_region *r,
		unsigned long start, unsigned long end, unsigned long pgoff)
{
	unsigned long prev_end = vms_gap_start(r);
	struct vms_region *next;

	vms_stat_account(mm, r->flags, ((end - start) >> PAGE_SHIFT) -
					 vms_pages(r));
	r->start = start;
	r->end = end;
	r->pgoff = pgoff;
	vms_set_gap(r, prev_end);
	next = vms_next(r);
	if (next)
		vms_set_gap(next, end);
}

/* Give the linked region @r new @flags, its pages counted again under them. */
void vms_set_flags(struct vms_mm *mm, struct vms_region *r,
		   unsigned long flags)
{
	vms_stat_account(mm, r->flags, -(long)vms_pages(r));
	r->flags = flags;
	vms_stat_account(mm, r->flags, vms_pages(r));
}

/* ---- free-gap search ----------------------------------------------------- */

/* The end of the highest region: the space above it is one more gap. */
unsigned long vms_highest_end(const struct vms_mm *mm)
{
	struct rb_node *last = rb_last(&mm->root);

	return last ? rb_region(last)->end : 0;
}

static bool vms_gap_fits(unsigned long gap_start, unsigned long gap_end,
			 unsigned long length, unsigned long high_limit)
{
	return gap_start <= high_limit && gap_end > gap_start &&
	       gap_end - gap_start >= length;
}

/*
 * The highest free range of @length bytes below @high_limit and above
 * @low_limit, by the search of Linux 3.8-6.0's unmapped_area_topdown():
 * descend right while the right subtree has a big enough gap, then try the
 * node's own gap, then the left subtree, then climb.  O(log n).  Returns
 * the start of the range, or -ENOMEM.
 */
static unsigned long vms_highest_gap(struct vms_mm *mm, unsigned long length,
				     unsigned long low_limit,
				     unsigned long high_limit)
{
	unsigned long gap_start, gap_end, limit, top = high_limit;
	struct vms_region *r;

	if (high_limit < length)
		return -ENOMEM;
	limit = high_limit - length;
	if (low_limit > limit)
		return -ENOMEM;
	low_limit += length;

	gap_start = vms_highest_end(mm);
	if (gap_start <= limit) {
		gap_end = top;
		goto found;
	}
	if (RB_EMPTY_ROOT(&mm->root))
		return -ENOMEM;
	r = rb_region(mm->root.rb_node);
	if (!vms_gap_may_fit(r->subtree_gap, length))
		return -ENOMEM;

	for (;;) {
		struct vms_region *child;

		gap_start = vms_gap_start(r);
		child = rb_region(r->rb.rb_right);
		if (gap_start <= limit && child &&
		    vms_gap_may_fit(child->subtree_gap, length)) {
			r = child;
			continue;
		}
check_current:
		gap_end = r->start;
		if (gap_end < low_limit)
			return -ENOMEM;
		if (vms_gap_fits(gap_start, gap_end, length, limit))
			break;
		child = rb_region(r->rb.rb_left);
		if (child && vms_gap_may_fit(child->subtree_gap, length)) {
			r = child;
			continue;
		}
		for (;;) {
			struct rb_node *prev = &r->rb;

			if (!rb_parent(prev))
				return -ENOMEM;
			r = rb_region(rb_parent(prev));
			if (prev == r->rb.rb_right) {
				gap_start = vms_gap_start(r);
				goto check_current;
			}
		}
	}
	if (gap_end > top)
		gap_end = top;
found:
	return gap_end - length;
}

/*
 * The lowest free range of @length bytes at or above @low_limit and ending
 * at or below @high_limit, as unmapped_area() found it: the mirror image.
 */
static unsigned long vms_lowest_gap(struct vms_mm *mm, unsigned long length,
				    unsigned long low_limit,
				    unsigned long high_limit)
{
	unsigned long gap_start, gap_end, limit, bottom = low_limit;
	struct vms_region *r;

	if (high_limit < length)
		return -ENOMEM;
	limit = high_limit - length;
	if (low_limit > limit)
		return -ENOMEM;
	low_limit += length;

	if (RB_EMPTY_ROOT(&mm->root))
		goto check_highest;
	r = rb_region(mm->root.rb_node);
	if (!vms_gap_may_fit(r->subtree_gap, length))
		goto check_highest;

	for (;;) {
		struct vms_region *child;

		gap_end = r->start;
		child = rb_region(r->rb.rb_left);
		if (gap_end >= low_limit && child &&
		    vms_gap_may_fit(child->subtree_gap, length)) {
			r = child;
			continue;
		}
		gap_start = vms_gap_start(r);
check_current:
		if (gap_start > limit)
			return -ENOMEM;
		if (gap_end >= low_limit && gap_end > gap_start &&
		    gap_end - gap_start >= length)
			goto found;
		child = rb_region(r->rb.rb_right);
		if (child && vms_gap_may_fit(child->subtree_gap, length)) {
			r = child;
			continue;
		}
		for (;;) {
			struct rb_node *prev = &r->rb;

			if (!rb_parent(prev))
				goto check_highest;
			r = rb_region(rb_parent(prev));
			if (prev == r->rb.rb_left) {
				gap_start = vms_gap_start(r);
				gap_end = r->start;
				goto check_current;
			}
		}
	}
check_highest:
	gap_start = vms_highest_end(mm);
	if (gap_start > limit)
		return -ENOMEM;
found:
	return gap_start < bottom ? bottom : gap_start;
}

static struct vms_region *vms_tree_find(const struct vms_mm *mm,
					unsigned long addr);

/*
 * The region above [@addr, @addr + @length) when it grows down and its
 * guard gap reaches into the range: the searches must look elsewhere.
 */
static struct vms_region *vms_guard_over(const struct vms_mm *mm,
					 unsigned long addr,
					 unsigned long length)
{
	struct vms_region *next = vms_tree_find(mm, addr);

	if (next && (next->flags & VMASHADOW_VM_GROWSDOWN) &&
	    vms_start_gap(next) < addr + length)
		return next;
	return NULL;
}

/*
 * unmapped_area_topdown() of 6.1 and 6.12: the highest free range; if the
 * region above it grows down and its guard gap reaches into the range,
 * search again below the guard (high_limit = vm_start_gap()), which passes
 * over every range above that.  A guard reaching down to 0 makes the
 * kernel's high_limit - 1 wrap round: the whole space is searched and the
 * address that comes back lies above TASK_SIZE (get_unmapped_area() then
 * says -ENOMEM, with no bottom-up search).
 */
unsigned long vms_unmapped_area_topdown(struct vms_mm *mm,
					unsigned long length,
					unsigned long low_limit,
					unsigned long high_limit)
{
	struct vms_region *guard;
	unsigned long addr;

	for (;;) {
		addr = vms_highest_gap(mm, length, low_limit, high_limit);
		if (IS_ERR_VALUE(addr))
			return addr;
		guard = vms_guard_over(mm, addr, length);
		if (!guard)
			return addr;
		high_limit = vms_start_gap(guard);
		if (!high_limit)
			return -length;
	}
}

/*
 * unmapped_area(): the lowest free range; if the region above it grows
 * down and its guard gap reaches into the range, search again above that
 * region.
 */
unsigned long vms_unmapped_area(struct vms_mm *mm, unsigned long length,
				unsigned long low_limit,
				unsigned long high_limit)
{
	struct vms_region *guard;
	unsigned long addr;

	for (;;) {
		addr = vms_lowest_gap(mm, length, low_limit, high_limit);
		if (IS_ERR_VALUE(addr))
			return addr;
		guard = vms_guard_over(mm, addr, length);
		if (!guard)
			return addr;
		low_limit = guard->end;
	}
}

/* ---- lookups ------------------------------------------------------------- */

static unsigned int vms_cache_slot(unsigned long addr)
{
	return (addr >> PAGE_SHIFT) & (VMS_CACHE_SLOTS - 1);
}

/*
 * Is @r find_vma()'s answer for @addr?  Below a gap of 16 TiB or more the
 * cache does not answer for the hole: the tree does, so that the walk to
 * the predecessor stays out of this loop.
 */
static bool vms_cache_covers(const struct vms_region *r, unsigned long addr)
{
	if (addr >= r->end)
		return false;
	if (addr >= r->start)
		return true;
	return r->gap != VMS_GAP_HUGE && r->start - vms_gap_bytes(r->gap) <= addr;
}

/*
 * The lookup cache, checked before the tree as vmacache_find() was.  A
 * region in it is in the tree (vms_unlink() takes it out) and its bounds
 * and gap are current, so it is find_vma()'s answer for every address
 * from the end of the region before it to its own end: the free range
 * below it (under 16 TiB) as well as itself.  The vmacache answered only
 * for addresses inside a VMA, and a sequence number emptied it at every
 * change; this one answers for holes too (mmap(MAP_FIXED) into a hole
 * looks there five times) and keeps its other regions through a change,
 * since the mutations that follow a lookup come back to the same
 * neighbourhood.
 */
static struct vms_region *vms_cache_find(struct vms_mm *mm,
					 unsigned long addr)
{
	unsigned int i;

	mm->count.lookups++;
	for (i = 0; i < VMS_CACHE_SLOTS; i++) {
		struct vms_region *r = mm->cache[i];

		if (r && vms_cache_covers(r, addr)) {
			mm->count.cache_hits++;
			return r;
		}
	}
	mm->count.cache_misses++;
	return NULL;
}

/* The first region ending above @addr, from the tree. */
static struct vms_region *vms_tree_find(const struct vms_mm *mm,
					unsigned long addr)
{
	struct rb_node *node = mm->root.rb_node;
	struct vms_region *found = NULL;

	while (node) {
		struct vms_region *r = rb_region(node);

		if (r->end > addr) {
			found = r;
			if (r->start <= addr)
				break;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return found;
}

/* find_vma(): the region holding @addr, else the first one above it. */
struct vms_region *vms_find(struct vms_mm *mm, unsigned long addr)
{
	struct vms_region *r = vms_cache_find(mm, addr);

	if (r)
		return r;
	r = vms_tree_find(mm, addr);
	if (r)
		mm->cache[vms_cache_slot(addr)] = r;
	return r;
}

/* find_vma_prev(): as vms_find(), and the region below that. */
struct vms_region *vms_find_prev(struct vms_mm *mm, unsigned long addr,
				 struct vms_region **prev)
{
	struct vms_region *r = vms_find(mm, addr);

	if (r) {
		*prev = vms_prev(r);
	} else {
		struct rb_node *last = rb_last(&mm->root);

		*prev = rb_region(last);
	}
	return r;
}

/* find_vma_intersection(): the first region meeting [start, end). */
struct vms_region *vms_find_intersection(struct vms_mm *mm,
					 unsigned long start,
					 unsigned long end)
{
	struct vms_region *r = vms_find(mm, start);

	return r && r->start < end ? r : NULL;
}

/* vma_lookup(): only a region that holds @addr. */
struct vms_region *vms_lookup(struct vms_mm *mm, unsigned long addr)
{
	struct vms_region *r = vms_find(mm, addr);

	return r && r->start <= addr ? r : NULL;
}

/* ---- reporting ----------------------------------------------------------- */

unsigned int vms_tree_height(const struct vms_mm *mm)
{
	unsigned int height = 0;
	struct rb_node *node;

	for (node = rb_first(&mm->root); node; node = rb_next(node)) {
		unsigned int depth = 0;
		struct rb_node *up;

		if (node->rb_left || node->rb_right)
			continue;	/* the deepest nodes are leaves */
		for (up = node; up; up = rb_parent(up))
			depth++;
		if (depth > height)
			height = depth;
	}
	return height;
}

void vms_export(const struct vms_region *r, struct vmashadow_region *out)
{
	const struct vms_file *file = vms_file_of(r);
	const struct vms_anon *anon = vms_anon_of(r);

	memset(out, 0, sizeof(*out));
	out->start = r->start;
	out->end = r->end;
	out->pgoff = r->pgoff;
	out->vm_flags = r->flags & ~(VMS_INTERNAL_FLAGS | VMS_POLICY_MASK |
				     VMS_UFFD_MASK);
	out->anon_id = anon ? anon->id : 0;
	if (r->flags & VMS_ANON_FORKED)
		out->state |= VMASHADOW_STATE_ANON_FORKED;
	if (r->flags & VMS_POLICY_MASK)
		out->state |= VMASHADOW_STATE_POLICY;
	out->state |= vms_uffd_of(r->flags) << VMASHADOW_STATE_UFFD_SHIFT;
	if (file) {
		out->file_id = file->id;
		out->ino = file->ino;
		out->dev_major = file->dev_major;
		out->dev_minor = file->dev_minor;
		out->kind = file->kind;
	} else if (r->flags & VMS_KIND_VDSO) {
		out->kind = VMASHADOW_KIND_VDSO;
	} else if (r->flags & VMS_KIND_VVAR) {
		out->kind = VMASHADOW_KIND_VVAR;
	} else if (r->flags & VMS_KIND_VCLOCK) {
		out->kind = VMASHADOW_KIND_VCLOCK;
	} else if (r->flags & VMS_KIND_UPROBES) {
		out->kind = VMASHADOW_KIND_UPROBES;
	} else {
		out->kind = VMASHADOW_KIND_ANON;
	}
}

/* ---- validation ---------------------------------------------------------- */

/* Red-black rules below @node; returns its black height, or -1. */
static int vms_check_rb(const struct rb_node *node)
{
	int left, right;

	if (!node)
		return 1;
	if (rb_is_red(node) &&
	    ((node->rb_left && rb_is_red(node->rb_left)) ||
	     (node->rb_right && rb_is_red(node->rb_right))))
		return -1;
	if ((node->rb_left && rb_parent(node->rb_left) != node) ||
	    (node->rb_right && rb_parent(node->rb_right) != node))
		return -1;
	left = vms_check_rb(node->rb_left);
	right = vms_check_rb(node->rb_right);
	if (left < 0 || left != right)
		return -1;
	return left + !rb_is_red(node);
}

static bool vms_subtree_gap_ok(const struct vms_region *r)
{
	u32 max = r->gap;
	const struct vms_region *child;

	child = rb_region(r->rb.rb_left);
	if (child && child->subtree_gap > max)
		max = child->subtree_gap;
	child = rb_region(r->rb.rb_right);
	if (child && child->subtree_gap > max)
		max = child->subtree_gap;
	return r->subtree_gap == max;
}

/*
 * Every anon_vma's count must equal the regions that point to it.  Count
 * each region off its anon_vma, check that all reached zero, then put the
 * counts back: O(n) without a second structure.
 */
static int vms_check_anon(struct vms_mm *mm, unsigned long *where)
{
	struct vms_region *r;
	int bad = 0;

	for (r = vms_first(mm); r; r = vms_next(r))
		if (vms_anon_of(r))
			vms_anon_of(r)->refs--;
	for (r = vms_first(mm); r; r = vms_next(r)) {
		if (vms_anon_of(r) && vms_anon_of(r)->refs && !bad) {
			bad = VMASHADOW_BAD_ANON;
			*where = r->start;
		}
	}
	for (r = vms_first(mm); r; r = vms_next(r))
		if (vms_anon_of(r))
			vms_anon_of(r)->refs++;
	return bad;
}

static int vms_check_cache(struct vms_mm *mm, unsigned long *where)
{
	unsigned int i;

	for (i = 0; i < VMS_CACHE_SLOTS; i++) {
		struct vms_region *r = mm->cache[i];

		/* the answer for the hole below it as for itself */
		if (r && vms_tree_find(mm, vms_gap_start(r)) != r) {
			*where = r->start;
			return VMASHADOW_BAD_CACHE;
		}
	}
	return 0;
}

/* Take @r's pages off its policy's count (@sign -1) or put them back. */
static void vms_policy_recount(struct vms_mm *mm, int sign)
{
	struct vms_region *r;

	for (r = vms_first(mm); r; r = vms_next(r))
		if (r->flags & VMS_POLICY_MASK)
			mm->policies[vms_policy_of(r->flags)].pages +=
				sign * (long)vms_pages(r);
}

/*
 * Every region's policy is in the table, and each slot counts the pages
 * under it: take every region's pages off its slot, see that nothing is
 * left, and put them back.
 */
static int vms_check_policies(struct vms_mm *mm, unsigned long *where)
{
	struct vms_region *r;
	unsigned int i;
	int bad = 0;

	for (r = vms_first(mm); r; r = vms_next(r)) {
		if (!(r->flags & VMS_POLICY_MASK))
			continue;
		if (!mm->policies || !mm->policies[vms_policy_of(r->flags)].mode) {
			*where = r->start;
			return VMASHADOW_BAD_COUNT;
		}
	}
	if (!mm->policies)
		return 0;
	vms_policy_recount(mm, -1);
	for (i = 0; i < VMS_POLICY_SLOTS; i++)
		if (mm->policies[i].pages)
			bad = VMASHADOW_BAD_COUNT;
	vms_policy_recount(mm, 1);
	return bad;
}

/*
 * A userfaultfd context if and only if a mode, as the kernel's BUG_ON()s
 * in userfaultfd_register() have it, and the context open.
 */
static bool vms_uffd_ok(const struct vms_mm *mm, const struct vms_region *r)
{
	unsigned int ctx = vms_uffd_of(r->flags);

	if (!ctx != !(r->flags & VMS_UFFD_MODES))
		return false;
	return !ctx || (mm->uffd[ctx] & VMS_UFFD_OPEN);
}

/*
 * Check every invariant of the shadow; returns 0 or the first violation
 * (VMASHADOW_BAD_*) with the start of the offending region in @where.
 */
int vms_validate(struct vms_mm *mm, unsigned long *where)
{
	struct vms_region *r, *prev = NULL;
	unsigned long count = 0, pages = 0, data = 0;

	*where = 0;
	if (vms_check_rb(mm->root.rb_node) < 0)
		return VMASHADOW_BAD_RBTREE;
	for (r = vms_first(mm); r; prev = r, r = vms_next(r)) {
		*where = r->start;
		if (r->start >= r->end)
			return VMASHADOW_BAD_EMPTY;
		if ((r->start | r->end) & ~PAGE_MASK)
			return VMASHADOW_BAD_ALIGN;
		if (prev && prev->start >= r->start)
			return VMASHADOW_BAD_ORDER;
		if (prev && prev->end > r->start)
			return VMASHADOW_BAD_OVERLAP;
		if (r->gap != vms_gap_pages(vms_compute_gap(r)) ||
		    !vms_subtree_gap_ok(r))
			return VMASHADOW_BAD_GAP;
		if (!vms_uffd_ok(mm, r))
			return VMASHADOW_BAD_UFFD;
		count++;
		pages += vms_pages(r);
		if (vms_is_data_mapping(r->flags))
			data += vms_pages(r);
		if (!(count & 1023))
			cond_resched();
	}
	*where = 0;
	if (count != mm->map_count || pages != mm->total_vm ||
	    data != mm->data_vm)
		return VMASHADOW_BAD_COUNT;
	if (vms_check_policies(mm, where))
		return VMASHADOW_BAD_COUNT;
	if (vms_check_cache(mm, where))
		return VMASHADOW_BAD_CACHE;
	return vms_check_anon(mm, where);
}

/* Free every region and the reserve: the shadow goes with its fd. */
void vms_mm_destroy(struct vms_mm *mm)
{
	struct vms_region *r, *tmp;
	unsigned long n = 0;

	rbtree_postorder_for_each_entry_safe(r, tmp, &mm->root, rb) {
		vms_region_free(mm, r);
		if (!(++n & 1023))
			cond_resched();
	}
	mm->root = RB_ROOT;
	memset(mm->cache, 0, sizeof(mm->cache));
	mm->map_count = 0;
	mm->total_vm = 0;
	mm->data_vm = 0;
	vms_reserve_drain(mm);
	vms_policies_free(mm);
}

/* What vms_mm_build() carries down its recursion. */
struct vms_build {
	struct vms_region	**regions;	/* sorted, disjoint */
	unsigned int		red_depth;	/* the deepest, partial level */
	struct vms_mm		*mm;		/* counts the pages linked */
};

/*
 * Link regions[lo..hi] below @parent as a balanced subtree and return its
 * root; nodes at the red depth are red, all others black, so that every
 * path from the root meets the same number of black nodes.  Each region
 * is visited once: its gap comes from the region before it in the array,
 * its subtree_gap from its children, built first.
 */
static struct rb_node *vms_build_subtree(struct vms_build *b, long lo,
					 long hi, struct rb_node *parent,
					 unsigned int depth)
{
	long mid = lo + (hi - lo) / 2;
	struct rb_node *left, *right;
	struct vms_region *r;

	if (lo > hi)
		return NULL;
	r = b->regions[mid];
	rb_set_parent_color(&r->rb, parent,
			    depth == b->red_depth ? RB_RED : RB_BLACK);
	left = vms_build_subtree(b, lo, mid - 1, &r->rb, depth + 1);
	right = vms_build_subtree(b, mid + 1, hi, &r->rb, depth + 1);
	r->rb.rb_left = left;
	r->rb.rb_right = right;
	r->gap = vms_gap_pages(r->start -
			      (mid ? b->regions[mid - 1]->end : 0));
	r->subtree_gap = r->gap;
	if (left)
		r->subtree_gap = max(r->subtree_gap, rb_region(left)->subtree_gap);
	if (right)
		r->subtree_gap = max(r->subtree_gap,
				     rb_region(right)->subtree_gap);
	vms_stat_account(b->mm, r->flags, vms_pages(r));
	return &r->rb;
}

/*
 * Link @n sorted, disjoint regions into the empty @mm at once, as a
 * perfectly balanced tree: O(n), where inserting them one by one costs
 * O(n log n) and, in address order, leaves a tree up to twice as tall.
 * Import and fork hand over whole address spaces in order.
 */
void vms_mm_build(struct vms_mm *mm, struct vms_region **regions,
		  unsigned long n)
{
	struct vms_build b = { .regions = regions, .mm = mm };

	if (!n)
		return;
	/* the deepest level, where the tree may be incomplete */
	while ((2UL << b.red_depth) - 1 < n)
		b.red_depth++;
	if (!b.red_depth)
		b.red_depth = UINT_MAX;
	mm->root.rb_node = vms_build_subtree(&b, 0, n - 1, NULL, 0);
	mm->map_count = n;
	if (n > mm->count.peak_regions)
		mm->count.peak_regions = n;
}

/*
 * Copy @src's regions into the empty @dst.
 *
 * With @fork, as dup_mmap() gives a child its address space: VM_DONTCOPY
 * regions stay behind, neither VM_LOCKED nor mlockall(MCL_FUTURE) is
 * inherited, and every region that has an anon_vma gets a new one of its
 * own whose chain also holds the parent's, so it is no longer singular
 * (VM_WIPEONFORK regions start with none).  Without @fork, an exact copy
 * sharing @src's anon_vmas, for a dry run that is thrown away under the
 * same lock.
 *
 * All or nothing: on -ENOMEM @dst is left empty.
 */
int vms_mm_dup(struct vms_mm *dst, struct vms_mm *src, bool fork)
{
	struct vms_region **regions, *r, *n;
	unsigned long count = 0, filled = 0;

	dst->params = src->params;
	/* mm_init(): of def_flags only VM_NOHUGEPAGE is inherited */
	if (fork)
		dst->params.def_flags = 0;
	dst->may_map_low = src->may_map_low;
	dst->may_move_all = src->may_move_all;
	dst->may_ptrace = src->may_ptrace;
	vms_uffd_dup(dst, src, fork);
	dst->next_anon_id = src->next_anon_id;
	dst->next_shmem_ino = src->next_shmem_ino;
	if (!fork)
		dst->count = src->count;
	if (!src->map_count)
		return 0;
	if (vms_policies_dup(dst, src))
		return -ENOMEM;
	regions = kvmalloc_array(src->map_count, sizeof(*regions), GFP_KERNEL);
	if (!regions) {
		vms_policies_free(dst);
		return -ENOMEM;
	}

	for (r = vms_first(src); r; r = vms_next(r)) {
		if (fork && (r->flags & VMASHADOW_VM_DONTCOPY))
			continue;
		n = vms_region_bulk_next(regions, count, &filled,
					 src->map_count);
		if (!n)
			goto nomem;
		n->start = r->start;
		n->end = r->end;
		n->pgoff = r->pgoff;
		n->flags = r->flags;
		vms_set_file(n, vms_file_of(r));
		if (vms_file_of(n))
			refcount_inc(&vms_file_of(n)->ref);
		count++;
		if (!fork) {
			vms_set_anon(n, vms_anon_of(r));
			if (vms_anon_of(n))
				vms_anon_of(n)->refs++;
		} else {
			n->flags &= ~(VMASHADOW_VM_LOCKED |
				      VMASHADOW_VM_LOCKONFAULT |
				      VMS_ANON_FORKED);
			vms_uffd_forked(dst, src, n);
			/* the child's own anon_vma: anon_vma_fork() */
			if (vms_anon_of(r) &&
			    !(r->flags & VMASHADOW_VM_WIPEONFORK)) {
				struct vms_anon *anon;

				anon = vms_anon_new(dst, vms_file_of(n));
				if (!anon)
					goto nomem;
				vms_set_anon(n, anon);
				n->flags |= VMS_ANON_FORKED;
			}
		}
		if (!(count & 1023))
			cond_resched();
	}
	vms_region_bulk_end(regions, count, filled);
	vms_mm_build(dst, regions, count);
	kvfree(regions);
	if (fork)
		src->next_anon_id = dst->next_anon_id;
	return 0;
nomem:
	vms_region_bulk_end(regions, count, filled);
	while (count)
		vms_region_free(dst, regions[--count]);
	vms_reserve_drain(dst);		/* where vms_region_free() kept some */
	vms_policies_free(dst);
	kvfree(regions);
	return -ENOMEM;
}
