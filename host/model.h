/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's reference model: an address space as a sorted array of
 * regions, and the system calls written again from the kernel sources
 * (6.1's mm/mmap.c, mm/mremap.c, mm/mprotect.c, mm/madvise.c; 6.12's
 * mm/vma.c, mm/mseal.c and the same files), with none of the core's code:
 * no tree, no preallocation, no case numbers.  Every call is a loop over
 * the array that splits, removes, inserts and widens entries; a merge is
 * the outcome the kernel's function produces, decided by the same
 * predicates (is_mergeable_vma, is_mergeable_anon_vma, the page offsets).
 *
 * The state is all the core keeps that decides anything: bounds, flags,
 * the page offset (anonymous ones too), the file, the anon_vma identity
 * and whether its chain is singular (not inherited by fork), special
 * mappings ([vdso], [vvar]), the limits (max_map_count, RLIMIT_AS,
 * RLIMIT_MEMLOCK with mlockall()'s def_flags, RLIMIT_DATA soft and hard
 * with the ignore_rlimit_data boot option and the data segment brk()
 * counts, the overcommit heuristic), mmap_base and mmap_min_addr, the
 * heap, and the growth of a region that grows down on a fault below it
 * (the guard gap and the limits; RLIMIT_STACK is left unlimited, the
 * unit tests take it).  The counts the kernel keeps (total_vm, locked_vm, data_vm) are
 * not kept here but counted again from the array whenever asked.  The
 * fuzzer compares all of it after every step, up to a renaming of files
 * and anon_vmas.
 *
 * Memory policies (mbind(2), 6.1's and 6.12's mm/mempolicy.c) are a field
 * of each region, compared as __mpol_equal() compares them wherever the
 * kernel calls mpol_equal(): every merge, and anon_vma_compatible().  The
 * shadow's own limit of 255 distinct policies in use is stated too.
 *
 * Not modelled: mode 2 of vm.overcommit_memory (allowed everything: the
 * fuzzer leaves the core's commit limit unset), userfaultfd, the pages a
 * policy places (MPOL_MF_STRICT's -EIO, moves), cpuset rebinding,
 * hugetlb, CONFIG_COMPAT_BRK's end_data floor for brk(), the
 * anon_vma reuse of anon_vma_clone() once the parent's regions are gone
 * (a fork keeps its parent alive here), where 6.1 puts the vdso at exec.
 */
#ifndef _VMASHADOW_HOST_MODEL_H
#define _VMASHADOW_HOST_MODEL_H

#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>

#define M_MAX		400		/* regions */
#define M_FILES		256		/* file identities */
#define M_PG		4096UL
#define M_TASK		0x7ffffffff000UL
#define M_GUARD		(256 * M_PG)	/* stack_guard_gap */
#define M_2M		(2UL << 20)
#define M_1G		(1UL << 30)
#define M_2G		(2UL << 30)
#define M_4G		(4UL << 30)

#define M_ALIGN(x)	(((x) + M_PG - 1) & ~(M_PG - 1))

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#define M_MAP_DROPPABLE		0x08
#define M_MAP_ABOVE4G		0x80

/* vm_flags, with the values of the module's interface */
#define MF_READ		0x00000001UL
#define MF_WRITE	0x00000002UL
#define MF_EXEC		0x00000004UL
#define MF_SHARED	0x00000008UL
#define MF_MAYREAD	0x00000010UL
#define MF_MAYWRITE	0x00000020UL
#define MF_MAYEXEC	0x00000040UL
#define MF_MAYSHARE	0x00000080UL
#define MF_GROWSDOWN	0x00000100UL
#define MF_PFNMAP	0x00000400UL
#define MF_LOCKED	0x00002000UL
#define MF_IO		0x00004000UL
#define MF_SEQ_READ	0x00008000UL
#define MF_RAND_READ	0x00010000UL
#define MF_DONTCOPY	0x00020000UL
#define MF_DONTEXPAND	0x00040000UL
#define MF_LOCKONFAULT	0x00080000UL
#define MF_ACCOUNT	0x00100000UL
#define MF_NORESERVE	0x00200000UL
#define MF_HUGETLB	0x00400000UL
#define MF_WIPEONFORK	0x02000000UL
#define MF_DONTDUMP	0x04000000UL
#define MF_MIXEDMAP	0x10000000UL
#define MF_HUGEPAGE	0x20000000UL
#define MF_NOHUGEPAGE	0x40000000UL
#define MF_MERGEABLE	0x80000000UL
#define MF_SEALED	0x10000000000UL
#define MF_DROPPABLE	0x20000000000UL
#define MF_CLOSE	0x1000000000000UL	/* vm_ops->close: not a flag */

#define MF_ACCESS	(MF_READ | MF_WRITE | MF_EXEC)
#define MF_SPECIAL	(MF_IO | MF_DONTEXPAND | MF_PFNMAP | MF_MIXEDMAP)

/* what an opened file allows */
#define MM_READ		0x1
#define MM_WRITE	0x2
#define MM_THP		0x20

enum { MK_NONE, MK_VDSO, MK_VVAR };

/*
 * A memory policy, the fields __mpol_equal() reads: mode 0 is the default
 * policy, the kernel's NULL.  @nodes is what mpol_set_nodemask() leaves
 * (unused by MPOL_LOCAL, kept 0), @user the caller's mask, kept only when
 * a mode flag asks mpol_store_user_nodemask() to (else 0), @home the home
 * node (counted from 1, so that a zeroed policy has none).
 */
struct mpol {
	unsigned short mode, flags;
	unsigned long long nodes, user;
	int home;	/* set_mempolicy_home_node()'s node + 1; 0: none */
};

struct mreg {
	unsigned long start, end, pgoff, flags;
	struct mpol pol;	/* vma_policy() */
	int file;		/* 0: anonymous */
	int anon;		/* 0: no anon_vma yet */
	bool forked;		/* anon_vma chain inherited: not singular */
	int kind;		/* MK_* */
};

struct mfile {
	unsigned int mode;	/* MM_* */
	bool close;		/* its mappings have ->close */
	unsigned long pages;	/* size, for shmem objects only; else 0 */
};

struct model {
	struct mreg r[M_MAX];
	int n;
	bool v612;		/* 6.12's rules, else 6.1's */
	unsigned long max_map_count, as_pages, ram_pages, overcommit;
	unsigned long mmap_base, mmap_min_addr, start_brk, brk, start_stack;
	/*
	 * Injected failure: the populate_fails-th populate that needs a new
	 * anon_vma gets none (0: none fails), as the kernel's populate
	 * fails silently.
	 */
	int populate_fails;
	unsigned long def_flags;	/* mlockall(MCL_FUTURE) */
	unsigned long memlock;		/* RLIMIT_MEMLOCK, bytes; ~0: none */
	/* RLIMIT_DATA, bytes, soft (rlimit) and hard (rlimit_max); ~0: none */
	unsigned long data_cur, data_max;
	bool ignore_data;		/* boot option ignore_rlimit_data */
	unsigned long start_data, end_data;	/* the program's data segment */
	/* cpuset_current_mems_allowed & N_MEMORY: nodes 0-63 */
	unsigned long long mems;
	unsigned long long online;	/* node_states[N_ONLINE]: nodes 0-63 */
	bool move_all;			/* CAP_SYS_NICE: MPOL_MF_MOVE_ALL */
	int next_anon, next_file;
	struct mfile files[M_FILES];
};

static inline void model_init(struct model *m, bool v612)
{
	memset(m, 0, sizeof(*m));
	m->v612 = v612;
	m->max_map_count = 65530;
	m->mmap_min_addr = 65536;
	m->mmap_base = M_TASK - (128UL << 20);
	m->memlock = ~0UL;
	m->data_cur = m->data_max = ~0UL;
	m->mems = 1;			/* node 0 */
	m->next_anon = 1;
	m->next_file = 1;
}

/* A file of the test's own; returns its number. */
static inline int model_new_file(struct model *m, unsigned int mode, bool close)
{
	int f = m->next_file++;

	if (f >= M_FILES)
		return 0;
	m->files[f].mode = mode;
	m->files[f].close = close;
	m->files[f].pages = 0;
	return f;
}

/* ---- the array ------------------------------------------------------------ */

static inline unsigned long mpages(const struct mreg *r)
{
	return (r->end - r->start) / M_PG;
}

/* find_vma(): the first region ending above @addr, or m->n */
static inline int mfind(const struct model *m, unsigned long addr)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (m->r[i].end > addr)
			break;
	return i;
}

/* vma_lookup(): the region holding @addr, or -1 */
static inline int mlookup(const struct model *m, unsigned long addr)
{
	int i = mfind(m, addr);

	return i < m->n && m->r[i].start <= addr ? i : -1;
}

static inline void mdel(struct model *m, int i)
{
	memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(m->r[0]));
	m->n--;
}

static inline void mins(struct model *m, int i, const struct mreg *r)
{
	memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(m->r[0]));
	m->r[i] = *r;
	m->n++;
}

/* Cut region @i at @addr: both halves keep everything, the upper page offset moves. */
static inline void mcut(struct model *m, int i, unsigned long addr)
{
	struct mreg up = m->r[i];

	up.start = addr;
	up.pgoff += (addr - m->r[i].start) / M_PG;
	m->r[i].end = addr;
	mins(m, i + 1, &up);
}

static inline unsigned long mtotal(const struct model *m)
{
	unsigned long p = 0;
	int i;

	for (i = 0; i < m->n; i++)
		p += mpages(&m->r[i]);
	return p;
}

static inline unsigned long mpages_in(const struct model *m, unsigned long s,
				      unsigned long e, bool accounted)
{
	unsigned long p = 0, a, b;
	int i;

	for (i = 0; i < m->n; i++) {
		a = m->r[i].start > s ? m->r[i].start : s;
		b = m->r[i].end < e ? m->r[i].end : e;
		if (a < b && (!accounted || (m->r[i].flags & MF_ACCOUNT)))
			p += (b - a) / M_PG;
	}
	return p;
}

/*
 * is_data_mapping(): what VmData counts and RLIMIT_DATA bounds is memory
 * that is writable and private, stacks (VM_STACK: VM_GROWSDOWN) apart.
 */
static inline bool m_is_data(unsigned long flags)
{
	if (!(flags & MF_WRITE))
		return false;
	if (flags & MF_SHARED)
		return false;
	return !(flags & MF_GROWSDOWN);
}

/* mm->data_vm, counted again: the pages of the data mappings */
static inline unsigned long m_data(const struct model *m)
{
	unsigned long p = 0;
	int i;

	for (i = 0; i < m->n; i++)
		if (m_is_data(m->r[i].flags))
			p += mpages(&m->r[i]);
	return p;
}

/*
 * may_expand_vm(): may @pages pages with @flags be added?  RLIMIT_AS for
 * every mapping; then RLIMIT_DATA for data mappings, over which a soft
 * limit of 0 falls back on the hard one (the kernel's workaround for
 * Valgrind), and past which the boot option ignore_rlimit_data still
 * lets the call through (the kernel only warns).
 */
static inline bool m_may_expand(const struct model *m, unsigned long flags,
				long pages)
{
	unsigned long want;

	if (m->as_pages && (long)mtotal(m) + pages > (long)m->as_pages)
		return false;
	if (!m_is_data(flags))
		return true;
	want = m_data(m) + pages;
	if (want <= m->data_cur / M_PG)
		return true;
	if (m->data_cur == 0 && want <= m->data_max / M_PG)
		return true;
	return m->ignore_data;
}

/*
 * sysctl_max_map_count - @k, an int in the kernel: below 3 the limit of
 * move_vma() and mremap_to() refuses every move.
 */
static inline long m_mmc_minus(const struct model *m, unsigned int k)
{
	return (long)m->max_map_count - k;
}

/* __vm_enough_memory(): mode 0 compares one charge with RAM + swap */
static inline bool m_enough(const struct model *m, unsigned long pages)
{
	return m->overcommit || !m->ram_pages || pages <= m->ram_pages;
}

static inline unsigned long m_start_gap(const struct mreg *r)
{
	if (!(r->flags & MF_GROWSDOWN))
		return r->start;
	return r->start > M_GUARD ? r->start - M_GUARD : 0;
}

static inline bool m_anon_vma(const struct mreg *r)
{
	return !r->file && r->kind == MK_NONE;	/* vma_is_anonymous() */
}

/* ---- merge predicates -------------------------------------------------------- */

/* MPOL_* and MPOL_F_* of include/uapi/linux/mempolicy.h, numbered here */
#define M_MPOL_DEFAULT		0
#define M_MPOL_PREFERRED	1
#define M_MPOL_BIND		2
#define M_MPOL_INTERLEAVE	3
#define M_MPOL_LOCAL		4
#define M_MPOL_PREFERRED_MANY	5
#define M_MPOL_WEIGHTED_INTERLEAVE 6	/* 6.12 */
#define M_MPOL_F_STATIC		(1 << 15)
#define M_MPOL_F_RELATIVE	(1 << 14)
#define M_MPOL_F_NUMA_BALANCING	(1 << 13)
#define M_MPOL_MODE_FLAGS	(M_MPOL_F_STATIC | M_MPOL_F_RELATIVE | \
				 M_MPOL_F_NUMA_BALANCING)
#define M_MPOL_F_MOF		(1 << 3)
#define M_MPOL_F_MORON		(1 << 4)
#define M_MPOL_MF_STRICT	(1 << 0)
#define M_MPOL_MF_MOVE		(1 << 1)
#define M_MPOL_MF_MOVE_ALL	(1 << 2)

/*
 * mpol_equal(): the same pointer (two defaults) or __mpol_equal(): mode,
 * flags and home node (never set here), the user's mask when it is kept,
 * then the nodes for every mode but MPOL_LOCAL.
 */
static inline bool m_pol_eq(const struct mpol *a, const struct mpol *b)
{
	if (!a->mode || !b->mode)
		return !a->mode && !b->mode;
	if (a->mode != b->mode || a->flags != b->flags || a->home != b->home)
		return false;
	if ((a->flags & M_MPOL_MODE_FLAGS) && a->user != b->user)
		return false;
	return a->mode == M_MPOL_LOCAL || a->nodes == b->nodes;
}

static const struct mpol m_no_pol;	/* the default policy: NULL */

/* is_mergeable_anon_vma(): @r NULL when prev and next are compared */
static inline bool m_anon_ok(int a1, int a2, const struct mreg *r)
{
	if ((!a1 || !a2) && (!r || (r->anon && !r->forked)))
		return true;
	return a1 == a2;
}

/*
 * is_mergeable_vma() and the anon_vma rule: may a range join @r?  With
 * vma_merge()'s mpol_equal(), which both kernels ask first.
 */
static inline bool m_joins(const struct model *m, const struct mreg *r,
			   unsigned long flags, const struct mpol *pol,
			   int file, int anon)
{
	if (!m_pol_eq(&r->pol, pol))
		return false;
	if ((r->flags ^ flags) & ~MF_CLOSE)
		return false;
	if (r->file != file)
		return false;
	if (!m->v612 && (r->flags & MF_CLOSE))
		return false;
	return m_anon_ok(anon, r->anon, r);
}

static inline bool m_after(const struct model *m, const struct mreg *prev,
			   unsigned long flags, const struct mpol *pol,
			   int file, int anon, unsigned long pgoff)
{
	return m_joins(m, prev, flags, pol, file, anon) &&
	       prev->pgoff + mpages(prev) == pgoff;
}

static inline bool m_before(const struct model *m, const struct mreg *next,
			    unsigned long flags, const struct mpol *pol,
			    int file, int anon, unsigned long pgoff,
			    unsigned long pglen)
{
	return m_joins(m, next, flags, pol, file, anon) &&
	       next->pgoff == pgoff + pglen;
}

/* A merge keeps the survivor's anon_vma, else takes the other's chain. */
static inline void m_absorb(struct mreg *dst, const struct mreg *src)
{
	if (!dst->anon && src->anon) {
		dst->anon = src->anon;
		dst->forked = src->forked;
	}
}

/* ---- a new range joining its neighbours -------------------------------------- */

enum {
	M_NEW_MMAP61,	/* 6.1 mmap_region(): next first, prev with next's anon_vma */
	M_NEW_MERGE61,	/* 6.1 vma_merge() over a hole: prev first */
	M_NEW_612,	/* 6.12 vma_merge_new_range() */
};

/*
 * The free range @nr (file, flags, pgoff, anon_vma set; bounds [start,
 * end)) joins the regions beside it if the rules say so.  Returns the index
 * of the region now holding it, or -1 when nothing merged.
 */
static inline int m_merge_new(struct model *m, const struct mreg *nr, int style)
{
	unsigned long pglen = (nr->end - nr->start) / M_PG;
	int ni = mfind(m, nr->start), pi = ni - 1;
	struct mreg *prev = pi >= 0 ? &m->r[pi] : NULL;
	struct mreg *next = ni < m->n ? &m->r[ni] : NULL;
	bool left = false, right = false, keep_next = false;

	if (nr->flags & MF_SPECIAL)
		return -1;
	if (prev && prev->end != nr->start)
		prev = NULL;
	if (next && next->start != nr->end)
		next = NULL;
	switch (style) {
	case M_NEW_MMAP61:
		right = next && m_before(m, next, nr->flags, &nr->pol,
					 nr->file, 0, nr->pgoff, pglen);
		left = prev && m_after(m, prev, nr->flags, &nr->pol, nr->file,
				       right ? next->anon : 0, nr->pgoff);
		break;
	default:
		left = prev && m_after(m, prev, nr->flags, &nr->pol, nr->file,
				       nr->anon, nr->pgoff);
		right = next && m_before(m, next, nr->flags, &nr->pol,
					 nr->file, nr->anon, nr->pgoff, pglen);
		if (left && right && !m_anon_ok(prev->anon, next->anon, NULL))
			right = false;
		/* 6.12 never deletes a region with ->close: prev grows alone */
		if (style == M_NEW_612 && left && right &&
		    (next->flags & MF_CLOSE))
			keep_next = true;
		break;
	}
	if (left && right && !keep_next) {
		prev->end = next->end;
		m_absorb(prev, next);
		mdel(m, ni);
		return pi;
	}
	if (left) {
		prev->end = nr->end;
		return pi;
	}
	if (right) {
		next->start = nr->start;
		next->pgoff -= pglen;
		return ni;
	}
	return -1;
}

/* ---- changing the flags of part of a region --------------------------------- */

/*
 * vma_merge() (6.1) or vma_modify() (6.12) giving [start, end) of region
 * @ai the flags @flags and the policy @pol: join prev (the range starts
 * the region) and/or next (it ends the region), else split with the limit
 * checked.  Returns the index of the region holding the range, or -errno.
 */
static inline int m_modify_pol(struct model *m, int ai, unsigned long start,
			       unsigned long end, unsigned long flags,
			       const struct mpol *pol)
{
	struct mreg *a = &m->r[ai];
	unsigned long pglen = (end - start) / M_PG;
	unsigned long pgoff = a->pgoff + (start - a->start) / M_PG;
	bool ls = start == a->start, rs = end == a->end, ml = false, mr = false;
	struct mreg *prev = ai > 0 ? &m->r[ai - 1] : NULL;
	struct mreg *next = ai + 1 < m->n ? &m->r[ai + 1] : NULL;

	if (!(flags & MF_SPECIAL)) {
		ml = ls && prev && prev->end == start &&
		     m_after(m, prev, flags, pol, a->file, a->anon, pgoff);
		mr = rs && next && next->start == end &&
		     m_before(m, next, flags, pol, a->file, a->anon, pgoff,
			      pglen);
		if (ml && mr && !m_anon_ok(prev->anon, next->anon, NULL))
			mr = false;
		if (m->v612 && (ml || mr)) {
			if (ls && rs && (a->flags & MF_CLOSE))
				ml = mr = false;	/* would delete it */
			else if (ml && mr && (next->flags & MF_CLOSE))
				mr = false;
		}
	}
	if (ml && mr) {
		prev->end = next->end;
		m_absorb(prev, a);
		m_absorb(prev, next);
		mdel(m, ai + 1);
		mdel(m, ai);
		return ai - 1;
	}
	if (ml) {
		prev->end = end;
		m_absorb(prev, a);
		if (rs) {
			mdel(m, ai);
		} else {
			a->start = end;
			a->pgoff += pglen;
		}
		return ai - 1;
	}
	if (mr) {
		next->start = start;
		next->pgoff -= pglen;
		m_absorb(next, a);
		if (ls) {
			mdel(m, ai);
			return ai;
		}
		a->end = start;
		return ai + 1;
	}
	if (!ls) {
		if ((unsigned long)m->n >= m->max_map_count)
			return -ENOMEM;
		if (a->kind != MK_NONE)
			return -EINVAL;		/* special_mapping_split() */
		mcut(m, ai, start);
		ai++;
	}
	if (!rs) {
		if ((unsigned long)m->n >= m->max_map_count)
			return -ENOMEM;
		if (m->r[ai].kind != MK_NONE)
			return -EINVAL;
		mcut(m, ai, end);
	}
	m->r[ai].flags = flags;
	m->r[ai].pol = *pol;
	return ai;
}

/* The same, the policy kept: mprotect, madvise, mlock, mseal. */
static inline int m_modify(struct model *m, int ai, unsigned long start,
			   unsigned long end, unsigned long flags)
{
	/* a copy: the array moves under m_modify_pol() */
	struct mpol pol = m->r[ai].pol;

	return m_modify_pol(m, ai, start, end, flags, &pol);
}

/* ---- write faults ------------------------------------------------------------- */

/* anon_vma_compatible(), mpol_equal() included */
static inline bool m_anon_compatible(const struct mreg *a, const struct mreg *b)
{
	return a->end == b->start && m_pol_eq(&a->pol, &b->pol) &&
	       a->file == b->file &&
	       !((a->flags ^ b->flags) & ~(MF_ACCESS | MF_CLOSE)) &&
	       b->pgoff == a->pgoff + mpages(a);
}

/*
 * anon_vma_prepare(): next's anon_vma, then prev's, else a new one (which
 * a populate with an injected failure does not get).
 */
static inline void m_anon_prepare(struct model *m, int i, bool populate)
{
	struct mreg *r = &m->r[i];
	int anon = 0;

	if (i + 1 < m->n && m_anon_compatible(r, &m->r[i + 1]) &&
	    m->r[i + 1].anon && !m->r[i + 1].forked)
		anon = m->r[i + 1].anon;
	if (!anon && i > 0 && m_anon_compatible(&m->r[i - 1], r) &&
	    m->r[i - 1].anon && !m->r[i - 1].forked)
		anon = m->r[i - 1].anon;
	if (!anon && populate && m->populate_fails &&
	    !--m->populate_fails)
		return;
	r->anon = anon ? anon : m->next_anon++;
	r->forked = false;
}

/*
 * populate_vma_page_range() of [start, end) in region @i: private
 * writable memory is written to, the rest read; memory locked on fault
 * is left alone, PROT_NONE memory refused.
 */
static inline int m_populate_range(struct model *m, int i,
				   unsigned long start, unsigned long end)
{
	struct mreg *r = &m->r[i];
	unsigned long size = r->file ? m->files[r->file].pages : 0;
	unsigned long last = r->pgoff + (end - r->start) / M_PG - 1;

	if (r->flags & MF_LOCKONFAULT)
		return 0;
	if (!(r->flags & MF_ACCESS) || (r->flags & (MF_IO | MF_PFNMAP)))
		return -EFAULT;
	/* do_cow_fault(): the anon_vma before the page, which may be SIGBUS */
	if ((r->flags & (MF_WRITE | MF_SHARED)) == MF_WRITE && !r->anon &&
	    !(r->flags & MF_MAYSHARE)) {
		m_anon_prepare(m, i, true);
		if (!r->anon)
			return -ENOMEM;
	}
	return size && last >= size ? -EFAULT : 0;
}

/* __mm_populate(): VM_IO and VM_PFNMAP regions are stepped over */
static inline int m_mm_populate(struct model *m, unsigned long start,
				unsigned long end, bool ignore_errors)
{
	int i, err;

	if (start >= end)
		return 0;
	for (i = mfind(m, start); i < m->n && m->r[i].start < end; i++) {
		struct mreg *r = &m->r[i];

		if (r->flags & (MF_IO | MF_PFNMAP))
			continue;
		err = m_populate_range(m, i, r->start > start ? r->start : start,
				       r->end < end ? r->end : end);
		if (err && !ignore_errors)
			return err;
	}
	return 0;
}

/* MAP_POPULATE, MAP_LOCKED: the region at @addr, failures ignored */
static inline void m_populate(struct model *m, unsigned long addr)
{
	int i = mlookup(m, addr);

	if (i >= 0)
		m_populate_range(m, i, addr, m->r[i].end);
}

/* the pages of the VM_LOCKED regions: mm->locked_vm */
static inline unsigned long m_locked(const struct model *m)
{
	unsigned long pages = 0;
	int i;

	for (i = 0; i < m->n; i++)
		if (m->r[i].flags & MF_LOCKED)
			pages += mpages(&m->r[i]);
	return pages;
}

/* mlock_future_ok() */
static inline bool m_lock_ok(const struct model *m, unsigned long flags,
			     unsigned long len)
{
	return !(flags & MF_LOCKED) || m->memlock == ~0UL ||
	       len / M_PG + m_locked(m) <= m->memlock / M_PG;
}

/*
 * expand_downwards() for region @i, which grows down, to the page of
 * @addr below it: not under mmap_min_addr, not within the guard gap of an
 * accessible region below unless that one grows down too; the anon_vma
 * is made before the limits (RLIMIT_AS, the memlock limit, the commit
 * heuristic; RLIMIT_STACK is not drawn here) are asked.
 */
static inline int m_expand_down(struct model *m, int i, unsigned long addr)
{
	struct mreg *r = &m->r[i], *below = i ? &m->r[i - 1] : NULL;
	unsigned long page = addr & ~(M_PG - 1), grow = (r->start - page) / M_PG;

	if (page < m->mmap_min_addr)
		return -EPERM;
	if (below && !(below->flags & MF_GROWSDOWN) &&
	    (below->flags & MF_ACCESS) && page - below->end < M_GUARD)
		return -ENOMEM;
	if (!r->anon)
		m_anon_prepare(m, i, false);
	if (grow > r->pgoff || !m_may_expand(m, r->flags, grow) ||
	    !m_lock_ok(m, r->flags, grow * M_PG) || !m_enough(m, grow))
		return -ENOMEM;
	r->start = page;
	r->pgoff -= grow;
	return 0;
}

/*
 * A write fault: below a region that grows down the region stretches
 * first, and only then is the write checked against its protection.
 */
static inline int model_touch(struct model *m, unsigned long addr)
{
	int i = mfind(m, addr);

	if (i < m->n && m->r[i].start > addr &&
	    (!(m->r[i].flags & MF_GROWSDOWN) || m_expand_down(m, i, addr)))
		return -EFAULT;
	if (i == m->n || !(m->r[i].flags & MF_WRITE))
		return -EFAULT;
	if (m->r[i].anon || (m->r[i].flags & MF_MAYSHARE))
		return 0;
	m_anon_prepare(m, i, false);
	return 0;
}

/* ---- munmap --------------------------------------------------------------------- */

/*
 * do_mas_align_munmap() / vms_gather_munmap_vmas(): cut at both ends,
 * then drop everything inside.  Only a punch inside one region checks the
 * limit; [vdso]/[vvar] refuse a cut; 6.12 refuses a sealed region (and
 * keeps a cut already made).  @gather_only leaves the range in place
 * (6.12's mmap_region removes it later).
 */
static inline int m_unmap_range(struct model *m, unsigned long start,
				unsigned long end, bool gather_only)
{
	int i = mfind(m, start), j;

	if (i >= m->n || m->r[i].start >= end)
		return 0;
	if (start > m->r[i].start) {
		if (end < m->r[i].end &&
		    (unsigned long)m->n >= m->max_map_count)
			return -ENOMEM;
		if (m->v612 && (m->r[i].flags & MF_SEALED))
			return -EPERM;
		if (m->r[i].kind != MK_NONE)
			return -EINVAL;
		mcut(m, i, start);
		i++;
	}
	for (j = i; j < m->n && m->r[j].start < end; j++) {
		if (m->v612 && (m->r[j].flags & MF_SEALED))
			return -EPERM;
		if (m->r[j].end > end) {
			if (m->r[j].kind != MK_NONE)
				return -EINVAL;
			mcut(m, j, end);
		}
	}
	if (!gather_only)
		while (i < m->n && m->r[i].start < end)
			mdel(m, i);
	return 0;
}

static inline int model_munmap(struct model *m, unsigned long start,
			       unsigned long len)
{
	if ((start & (M_PG - 1)) || start > M_TASK || len > M_TASK - start)
		return -EINVAL;
	if (!M_ALIGN(len))
		return -EINVAL;
	return m_unmap_range(m, start, start + M_ALIGN(len), false);
}

/* ---- placement ------------------------------------------------------------------ */

/*
 * unmapped_area_topdown() of 6.1 and 6.12 (the maple tree): the highest
 * free range [a, a + len) in [low, high); if the region above it grows down
 * and its guard gap reaches into the range, search again below the guard
 * (high_limit = vm_start_gap(), which at 0 wraps round in high_limit - 1:
 * the whole space is searched and an address above TASK_SIZE comes back).
 */
static inline unsigned long m_topdown(const struct model *m, unsigned long len,
				      unsigned long low, unsigned long high)
{
	int i;

	for (;;) {
		if (high < len || high - len < low)
			return -ENOMEM;
		for (i = m->n; i >= 0; i--) {
			unsigned long gs = i ? m->r[i - 1].end : 0;
			unsigned long ge = i < m->n ? m->r[i].start : ~0UL;

			if (gs < low)
				gs = low;
			if (ge > high)
				ge = high;
			if (ge >= gs && ge - gs >= len)
				break;
		}
		if (i < 0)
			return -ENOMEM;
		if (i < m->n && (m->r[i].flags & MF_GROWSDOWN) &&
		    m_start_gap(&m->r[i]) < (high < m->r[i].start ? high :
					     m->r[i].start)) {
			high = m_start_gap(&m->r[i]);
			if (!high)
				return 0UL - len;	/* the wrap */
			continue;
		}
		return (high < (i < m->n ? m->r[i].start : ~0UL) ? high :
			m->r[i].start) - len;
	}
}

/* unmapped_area(): the lowest fit at or above @low, ending at or below @high */
static inline unsigned long m_bottomup(const struct model *m, unsigned long len,
				       unsigned long low, unsigned long high)
{
	int i;

	if (high < len || high - len < low)
		return -ENOMEM;
	for (i = 0; i <= m->n; i++) {
		unsigned long gs = i ? m->r[i - 1].end : 0;
		unsigned long ge = i < m->n ? m_start_gap(&m->r[i]) : ~0UL;

		if (gs < low)
			gs = low;
		if (ge > high)
			ge = high;
		if (gs > high - len)
			return -ENOMEM;
		if (ge >= gs + len)
			return gs;
	}
	return -ENOMEM;
}

/* x86's arch_get_unmapped_area_topdown() (the shadow has no ASLR) */
static inline unsigned long m_arch_area(const struct model *m,
					unsigned long addr, unsigned long len,
					unsigned long flags)
{
	unsigned long low = M_PG, a;

	if (len > M_TASK)
		return -ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	if (flags & MAP_32BIT) {
		/*
		 * arch_get_unmapped_area() in [1 GiB, 2 GiB) (no ASLR here),
		 * a hint first.
		 */
		if (len > M_2G)
			return -ENOMEM;
		if (addr) {
			int i;

			addr = M_ALIGN(addr);
			i = mfind(m, addr);
			if (M_2G - len >= addr &&
			    (i == m->n || addr + len <= m_start_gap(&m->r[i])))
				return addr;
		}
		return m_bottomup(m, len, M_1G, M_2G);
	}
	if (addr) {
		int i;

		addr &= ~(M_PG - 1);
		i = mfind(m, addr);
		if (M_TASK - len >= addr &&
		    (i == m->n || addr + len <= m_start_gap(&m->r[i])))
			return addr;
	}
	if (m->v612) {
		if (low < m->mmap_min_addr)
			low = m->mmap_min_addr;
		if (flags & M_MAP_ABOVE4G)
			low = M_4G;
	}
	a = m_topdown(m, len, low, m->mmap_base);
	if (a != (unsigned long)-ENOMEM)
		return a;
	return m_bottomup(m, len, M_ALIGN(M_TASK / 3), M_TASK);
}

/*
 * __thp_get_unmapped_area(): ask for 2 MiB more, put the file offset on a
 * 2 MiB boundary.  6.12 takes the top of the padded range when it is
 * aligned already; 6.1 leaves the padding above.  0: not applicable.
 */
static inline unsigned long m_thp_area(const struct model *m, unsigned long addr,
				       unsigned long len, unsigned long off,
				       unsigned long flags)
{
	unsigned long off_align = (off + M_2M - 1) & ~(M_2M - 1), ret, sub;

	if (off + len <= off_align || off + len - off_align < M_2M)
		return 0;
	ret = m_arch_area(m, addr, len + M_2M, flags);
	if (ret >= (unsigned long)-4095)
		return 0;
	if (ret == addr)
		return addr;
	sub = (off - ret) & (M_2M - 1);
	if (m->v612 && !sub)
		return ret + M_2M;
	return ret + sub;
}

/* get_unmapped_area() and its checks */
static inline unsigned long m_get_area(const struct model *m, int file,
				       unsigned long addr, unsigned long len,
				       unsigned long pgoff, unsigned long flags)
{
	unsigned long a = 0;

	if (len > M_TASK)
		return -ENOMEM;
	if (file && (m->files[file].mode & MM_THP))
		a = m_thp_area(m, addr, len, pgoff * M_PG, flags);
	else if (!file && !(flags & MAP_SHARED) && m->v612 && !addr &&
		 !(len & (M_2M - 1)))
		a = m_thp_area(m, addr, len, 0, flags);
	if (!a)
		a = m_arch_area(m, addr, len, flags);
	if (a >= (unsigned long)-4095)
		return a;
	if (a > M_TASK - len)
		return -ENOMEM;
	if (a & (M_PG - 1))
		return -EINVAL;
	if (a < m->mmap_min_addr)
		return -EPERM;
	return a;
}

/* ---- mmap ------------------------------------------------------------------------ */

struct mmap_req {
	unsigned long addr, len, prot, flags, off;
	int file;		/* 0: anonymous */
	int special;		/* MK_VDSO, MK_VVAR: the shadow's special maps */
};

/* mmap_region() of the kernel that applies: clear, charge, merge or insert */
static inline int m_mmap_region(struct model *m, struct mreg *nr,
				bool new_shmem)
{
	unsigned long pages = (nr->end - nr->start) / M_PG;
	int err, i;

	if (!m->v612) {
		/*
		 * 6.1 asks for the whole length first, then less all the pages
		 * the range holds, data or not (count_vma_pages_range())
		 */
		if (!m_may_expand(m, nr->flags, pages) &&
		    !m_may_expand(m, nr->flags,
				  pages - mpages_in(m, nr->start, nr->end, false)))
			return -ENOMEM;
		/* any failure of the unmap is -ENOMEM ([vdso] refusing a cut) */
		err = m_unmap_range(m, nr->start, nr->end, false);
		if (err)
			return -ENOMEM;
		if ((nr->flags & MF_ACCOUNT) && !m_enough(m, pages))
			return -ENOMEM;
		i = m_merge_new(m, nr, M_NEW_MMAP61);
	} else {
		unsigned long charged;

		err = m_unmap_range(m, nr->start, nr->end, true);
		if (err)
			return err;
		/* the range is gathered, still counted: less all its pages */
		if (!m_may_expand(m, nr->flags,
				  pages - mpages_in(m, nr->start, nr->end, false)))
			return -ENOMEM;
		charged = pages - mpages_in(m, nr->start, nr->end, true);
		if ((nr->flags & MF_ACCOUNT) && charged && !m_enough(m, charged))
			return -ENOMEM;
		m_unmap_range(m, nr->start, nr->end, false);
		i = m_merge_new(m, nr, M_NEW_612);
	}
	if (i >= 0)
		return 0;
	/* shmem_zero_setup() charges the new object whole: the range is gone */
	if (new_shmem && !(nr->flags & MF_NORESERVE) && !m_enough(m, pages))
		return -ENOMEM;
	mins(m, mfind(m, nr->start), nr);
	return 0;
}

static inline int model_mmap(struct model *m, const struct mmap_req *q,
			     unsigned long *out)
{
	unsigned long addr = q->addr, len, flags = q->flags, pgoff, vmf;
	struct mreg nr = { 0 };
	int err;

	if (q->off & (M_PG - 1))
		return -EINVAL;
	if (!q->len)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED)) {		/* round_hint_to_min() */
		addr &= ~(M_PG - 1);
		if (addr && addr < m->mmap_min_addr)
			addr = M_ALIGN(m->mmap_min_addr);
	}
	len = M_ALIGN(q->len);
	if (!len)
		return -ENOMEM;
	pgoff = q->off / M_PG;
	if (pgoff + len / M_PG < pgoff)
		return -EOVERFLOW;
	if ((unsigned long)m->n > m->max_map_count)
		return -ENOMEM;
	addr = m_get_area(m, q->file, addr, len, pgoff, flags);
	if (addr >= (unsigned long)-4095)
		return (long)addr;
	if (flags & MAP_FIXED_NOREPLACE) {
		int i = mfind(m, addr);

		if (i < m->n && m->r[i].start < addr + len)
			return -EEXIST;
	}

	vmf = MF_MAYREAD | MF_MAYWRITE | MF_MAYEXEC;
	vmf |= (q->prot & PROT_READ ? MF_READ : 0) |
	       (q->prot & PROT_WRITE ? MF_WRITE : 0) |
	       (q->prot & PROT_EXEC ? MF_EXEC : 0);
	if (flags & MAP_GROWSDOWN)
		vmf |= MF_GROWSDOWN;
	if (flags & MAP_LOCKED)
		vmf |= MF_LOCKED;
	vmf |= m->def_flags;
	if ((flags & MAP_STACK) && m->v612)
		vmf |= MF_NOHUGEPAGE;
	if ((flags & MAP_LOCKED) && !m->memlock)
		return -EPERM;
	if (!m_lock_ok(m, vmf, len))
		return -EAGAIN;

	if (q->file) {
		unsigned int mode = m->files[q->file].mode;

		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
		case MAP_SHARED_VALIDATE:
			if ((q->prot & PROT_WRITE) && !(mode & MM_WRITE))
				return -EACCES;
			vmf |= MF_SHARED | MF_MAYSHARE;
			if (!(mode & MM_WRITE))
				vmf &= ~(MF_MAYWRITE | MF_SHARED);
			/* fall through */
		case MAP_PRIVATE:
			if (!(mode & MM_READ))
				return -EACCES;
			if (vmf & MF_GROWSDOWN)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	} else {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			if (vmf & MF_GROWSDOWN)
				return -EINVAL;
			pgoff = 0;
			vmf |= MF_SHARED | MF_MAYSHARE;
			break;
		case M_MAP_DROPPABLE:
			if (!m->v612)
				return -EINVAL;
			if ((flags & MAP_LOCKED) || (vmf & MF_GROWSDOWN))
				return -EINVAL;
			vmf |= MF_DROPPABLE | MF_NORESERVE | MF_WIPEONFORK |
			       MF_DONTDUMP;
			pgoff = addr / M_PG;
			break;
		case MAP_PRIVATE:
			pgoff = addr / M_PG;
			break;
		default:
			return -EINVAL;
		}
	}
	if ((flags & MAP_NORESERVE) && m->overcommit != 2)
		vmf |= MF_NORESERVE;
	if ((vmf & (MF_NORESERVE | MF_SHARED | MF_WRITE)) == MF_WRITE)
		vmf |= MF_ACCOUNT;		/* accountable_mapping() */
	nr.file = q->file;
	if (q->file && m->files[q->file].close)
		vmf |= MF_CLOSE;
	if (q->special) {
		if (q->file)
			return -EINVAL;
		vmf = q->special == MK_VVAR ?
		      MF_READ | MF_MAYREAD | MF_IO | MF_DONTDUMP | MF_PFNMAP |
		      MF_DONTEXPAND | MF_CLOSE :
		      MF_READ | MF_EXEC | MF_MAYREAD | MF_MAYWRITE |
		      MF_MAYEXEC | MF_DONTEXPAND | MF_CLOSE;
		pgoff = 0;
		nr.kind = q->special;
	}
	if (!q->file && (vmf & MF_SHARED)) {	/* shmem_zero_setup() */
		nr.file = model_new_file(m, MM_READ | MM_WRITE, false);
		if (!nr.file)
			return -ENOSPC;
		m->files[nr.file].pages = len / M_PG;
	}
	nr.start = addr;
	nr.end = addr + len;
	nr.flags = vmf;
	nr.pgoff = pgoff;
	err = m_mmap_region(m, &nr, !q->file && (vmf & MF_SHARED));
	if (err)
		return err;
	if ((vmf & MF_LOCKED) ||
	    (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE)
		m_populate(m, addr);
	*out = addr;
	return 0;
}

/* ---- mprotect --------------------------------------------------------------------- */

static inline int model_mprotect(struct model *m, unsigned long start,
				 unsigned long len, unsigned long prot)
{
	unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	unsigned long end, nstart, tmp;
	int i, p;

	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & (M_PG - 1))
		return -EINVAL;
	if (!len)
		return 0;
	len = M_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | 0x8))
		return -EINVAL;
	i = mfind(m, start);
	if (i == m->n)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN) {
		if (m->r[i].start >= end)
			return -ENOMEM;
		start = m->r[i].start;
		if (!(m->r[i].flags & MF_GROWSDOWN))
			return -EINVAL;
	} else {
		if (m->r[i].start > start)
			return -ENOMEM;
		if (grows & PROT_GROWSUP)
			return -EINVAL;
	}
	for (nstart = start; ; ) {
		struct mreg *r = &m->r[i];
		unsigned long old = r->flags, nf;

		nf = (old & ~MF_ACCESS) | (prot & PROT_READ ? MF_READ : 0) |
		     (prot & PROT_WRITE ? MF_WRITE : 0) |
		     (prot & PROT_EXEC ? MF_EXEC : 0);
		if ((nf & ~(nf >> 4)) & MF_ACCESS)
			return -EACCES;
		tmp = r->end < end ? r->end : end;
		/* mprotect_fixup() */
		if (m->v612 && (old & MF_SEALED))
			return -EPERM;
		if (nf == old) {
			p = i;
		} else {
			if (nf & MF_WRITE) {
				unsigned long np = (tmp - nstart) / M_PG;

				/*
				 * memory turning into data meets RLIMIT_DATA:
				 * refused if the new flags may not have the
				 * pages but the old ones might (RLIMIT_AS
				 * refusing both lets it through)
				 */
				if (!m_may_expand(m, nf, np) &&
				    m_may_expand(m, old, np))
					return -ENOMEM;
				if (!(old & (MF_ACCOUNT | MF_WRITE | MF_HUGETLB |
					     MF_SHARED | MF_NORESERVE))) {
					if (!m_enough(m, (tmp - nstart) / M_PG))
						return -ENOMEM;
					nf |= MF_ACCOUNT;
				}
			} else if (m->v612 && (old & MF_ACCOUNT) &&
				   m_anon_vma(r) && !r->anon) {
				nf &= ~MF_ACCOUNT;
			}
			p = m_modify(m, i, nstart, tmp, nf);
			if (p < 0)
				return p;
			if ((old & (MF_WRITE | MF_SHARED | MF_LOCKED)) ==
			    MF_LOCKED && (nf & MF_WRITE))
				m_populate(m, nstart);
			p = mlookup(m, nstart);
		}
		nstart = tmp;
		if (nstart < m->r[p].end)
			nstart = m->r[p].end;
		if (nstart >= end)
			return 0;
		i = p + 1;
		if (i >= m->n || m->r[i].start != nstart)
			return -ENOMEM;
	}
}

/* ---- madvise ------------------------------------------------------------------------ */

static inline bool m_madv_valid(int adv)
{
	switch (adv) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL:
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_FREE:
	case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK: case 20: case 21:
	case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
		return true;
	}
	return false;
}

/*
 * MADV_POPULATE_(READ|WRITE) of region @i: check_vma_flags() without
 * FOLL_FORCE (-EINVAL), then the faults; a write into private memory is
 * a write fault, whose anon_vma can fail to come (-ENOMEM).
 */
static inline int m_madv_populate(struct model *m, int i, unsigned long start,
				  unsigned long end, int adv)
{
	struct mreg *r = &m->r[i];
	bool write = adv == MADV_POPULATE_WRITE;
	unsigned long size = r->file ? m->files[r->file].pages : 0;
	unsigned long last = r->pgoff + (end - r->start) / M_PG - 1;

	if (r->flags & (MF_IO | MF_PFNMAP))
		return -EINVAL;
	if (!(r->flags & (write ? MF_WRITE : MF_READ)))
		return -EINVAL;
	if (write && !r->anon && !(r->flags & MF_MAYSHARE)) {
		m_anon_prepare(m, i, true);
		if (!r->anon)
			return -ENOMEM;
	}
	/* SIGBUS past the end of a shmem object: -EFAULT */
	return size && last >= size ? -EFAULT : 0;
}

/* madvise_vma_behavior() for [start, end) of region @i; *@p the result */
static inline int m_madv_one(struct model *m, int i, int *p,
			     unsigned long start, unsigned long end, int adv)
{
	struct mreg *r = &m->r[i];
	unsigned long f = r->flags;
	int q;

	*p = i;
	/*
	 * 6.12 can_modify_vma_madv(): no discarding sealed read-only memory
	 * without a file ([vdso] and [vvar] too).
	 */
	if (m->v612 && (f & MF_SEALED) && !r->file && !(f & MF_SHARED) &&
	    !(f & MF_WRITE) &&
	    (adv == MADV_FREE || adv == MADV_DONTNEED ||
	     adv == MADV_DONTFORK || adv == MADV_WIPEONFORK))
		return -EPERM;
	switch (adv) {
	case MADV_WILLNEED:
		return 0;
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		return m_madv_populate(m, i, start, end, adv);
	case MADV_DONTNEED:
		return f & (MF_LOCKED | MF_PFNMAP) ? -EINVAL : 0;
	case MADV_FREE:
		if (f & (MF_LOCKED | MF_PFNMAP))
			return -EINVAL;
		return m_anon_vma(r) && !(f & MF_SHARED) ? 0 : -EINVAL;
	case 20: case 21:	/* MADV_COLD, MADV_PAGEOUT */
		return f & (MF_LOCKED | MF_PFNMAP | MF_HUGETLB) ? -EINVAL : 0;
	case MADV_REMOVE:
		return -EINVAL;	/* not offered by the fuzzer */
	case MADV_NORMAL:
		f &= ~(MF_RAND_READ | MF_SEQ_READ);
		break;
	case MADV_SEQUENTIAL:
		f = (f & ~MF_RAND_READ) | MF_SEQ_READ;
		break;
	case MADV_RANDOM:
		f = (f & ~MF_SEQ_READ) | MF_RAND_READ;
		break;
	case MADV_DONTFORK:
		f |= MF_DONTCOPY;
		break;
	case MADV_DOFORK:
		if (f & MF_IO)
			return -EINVAL;
		f &= ~MF_DONTCOPY;
		break;
	case MADV_WIPEONFORK:
		/* no file, not shared: [vdso] and [vvar] may take it */
		if (r->file || (f & MF_SHARED))
			return -EINVAL;
		f |= MF_WIPEONFORK;
		break;
	case MADV_KEEPONFORK:
		/* 6.12: droppable memory stays wiped on fork */
		if (m->v612 && (f & MF_DROPPABLE))
			return -EINVAL;
		f &= ~MF_WIPEONFORK;
		break;
	case MADV_DONTDUMP:
		f |= MF_DONTDUMP;
		break;
	case MADV_DODUMP:
		if (!(f & MF_HUGETLB) && (f & MF_SPECIAL))
			return -EINVAL;
		if (m->v612 && (f & MF_DROPPABLE))
			return -EINVAL;		/* 6.12: nor dumped */
		f &= ~MF_DONTDUMP;
		break;
	case MADV_MERGEABLE:
		/* 6.12's vma_ksm_compatible() leaves droppable memory out */
		if (!(f & (MF_MERGEABLE | MF_SHARED | MF_MAYSHARE | MF_PFNMAP |
			   MF_IO | MF_DONTEXPAND | MF_HUGETLB | MF_MIXEDMAP)) &&
		    !(m->v612 && (f & MF_DROPPABLE)))
			f |= MF_MERGEABLE;
		break;
	case MADV_UNMERGEABLE:
		f &= ~MF_MERGEABLE;
		break;
	case MADV_HUGEPAGE:
		f = (f & ~MF_NOHUGEPAGE) | MF_HUGEPAGE;
		break;
	case MADV_NOHUGEPAGE:
		f = (f & ~MF_HUGEPAGE) | MF_NOHUGEPAGE;
		break;
	}
	if (f == r->flags)
		return 0;
	q = m_modify(m, i, start, end, f);
	if (q < 0)
		return q == -ENOMEM ? -EAGAIN : q;
	*p = q;
	return 0;
}

static inline int model_madvise(struct model *m, unsigned long start,
				unsigned long len, int adv)
{
	unsigned long end, tmp;
	int i, p = -1, err, unmapped = 0;

	if (!m_madv_valid(adv))
		return -EINVAL;
	if (start & (M_PG - 1))
		return -EINVAL;
	end = M_ALIGN(len);
	if (len && !end)
		return -EINVAL;
	end += start;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* 6.12's madvise_populate() stops at the first hole */
	if (m->v612 && (adv == MADV_POPULATE_READ ||
			adv == MADV_POPULATE_WRITE)) {
		for (; start < end; start = m->r[i].end) {
			i = mlookup(m, start);
			if (i < 0)
				return -ENOMEM;
			err = m_madv_populate(m, i, start,
					      m->r[i].end < end ? m->r[i].end : end,
					      adv);
			if (err)
				return err;
		}
		return 0;
	}
	i = mfind(m, start);
	for (;;) {
		if (i >= m->n)
			return -ENOMEM;
		if (start < m->r[i].start) {
			unmapped = -ENOMEM;
			start = m->r[i].start;
			if (start >= end)
				break;
		}
		tmp = m->r[i].end < end ? m->r[i].end : end;
		err = m_madv_one(m, i, &p, start, tmp, adv);
		if (err)
			return err;
		start = tmp;
		if (start < m->r[p].end)
			start = m->r[p].end;
		if (start >= end)
			break;
		i = mfind(m, m->r[p].end);
	}
	return unmapped;
}

/* ---- mseal (6.12) ---------------------------------------------------------------------- */

static inline int model_mseal(struct model *m, unsigned long start,
			      unsigned long len, unsigned long flags)
{
	unsigned long end, nstart;
	int i;

	if (!m->v612)
		return -ENOSYS;
	if (flags)
		return -EINVAL;
	if (start & (M_PG - 1))
		return -EINVAL;
	end = M_ALIGN(len);
	if (len && !end)
		return -EINVAL;
	end += start;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* check_mm_seal(): no hole */
	nstart = start;
	for (i = mfind(m, start); ; i++) {
		if (i >= m->n || m->r[i].start > nstart)
			return -ENOMEM;
		if (m->r[i].end >= end)
			break;
		nstart = m->r[i].end;
	}
	nstart = start;
	i = mfind(m, start);
	while (i < m->n && m->r[i].start < end) {
		unsigned long tmp = m->r[i].end < end ? m->r[i].end : end;
		int p = i;

		if (!(m->r[i].flags & MF_SEALED)) {
			p = m_modify(m, i, nstart, tmp, m->r[i].flags | MF_SEALED);
			if (p < 0)
				return p;
		}
		nstart = m->r[p].end;
		if (nstart >= end)
			break;
		i = p + 1;
	}
	return 0;
}

/* ---- brk ------------------------------------------------------------------------------ */

static inline unsigned long model_brk(struct model *m, unsigned long brk)
{
	unsigned long newbrk, oldbrk, orig = m->brk, len;
	unsigned long flags = MF_READ | MF_WRITE | MF_MAYREAD | MF_MAYWRITE |
			      MF_MAYEXEC | MF_ACCOUNT | m->def_flags;
	int i, pi;

	if (brk < m->start_brk)
		return orig;
	/*
	 * check_data_rlimit(): the unrounded break's heap and the data
	 * segment against the soft limit in bytes, first, so a break above
	 * the limit cannot even come down
	 */
	if (m->data_cur != ~0UL &&
	    (brk - m->start_brk) + (m->end_data - m->start_data) > m->data_cur)
		return orig;
	newbrk = M_ALIGN(brk);
	oldbrk = M_ALIGN(m->brk);
	if (oldbrk == newbrk) {
		m->brk = brk;
		return brk;
	}
	if (brk <= m->brk) {
		/* always allowed, as a munmap of [newbrk, oldbrk) */
		i = mfind(m, newbrk);
		if (i >= m->n || m->r[i].start >= oldbrk)
			return orig;
		if (m_unmap_range(m, newbrk, oldbrk, false))
			return orig;
		m->brk = brk;
		return brk;
	}
	len = newbrk - oldbrk;
	/* check_brk_limits(): get_unmapped_area(MAP_FIXED) */
	if (len > M_TASK || oldbrk > M_TASK - len)
		return orig;
	if (oldbrk < m->mmap_min_addr)
		return orig;
	if (!m_lock_ok(m, m->def_flags, len))
		return orig;
	i = mfind(m, oldbrk);
	if (i < m->n && newbrk + M_PG > m_start_gap(&m->r[i]))
		return orig;
	/* do_brk_flags() */
	if (!m_may_expand(m, flags, len / M_PG))
		return orig;
	if ((unsigned long)m->n > m->max_map_count)
		return orig;
	if (!m_enough(m, len / M_PG))
		return orig;
	/*
	 * mas_prev(start_brk): the region before, if it ends above start_brk,
	 * wherever it starts.
	 */
	pi = i - 1;
	if (pi >= 0 && m->r[pi].end > m->start_brk &&
	    m->r[pi].end == oldbrk &&
	    m_after(m, &m->r[pi], flags, &m_no_pol, 0, 0, oldbrk / M_PG)) {
		m->r[pi].end = newbrk;
	} else {
		struct mreg nr = {
			.start = oldbrk, .end = newbrk, .flags = flags,
			.pgoff = oldbrk / M_PG,
		};

		mins(m, i, &nr);
	}
	m->brk = brk;
	if (m->def_flags & MF_LOCKED)
		m_mm_populate(m, oldbrk, newbrk, true);
	return brk;
}

/* ---- mremap ----------------------------------------------------------------------------- */

/* vma_to_resize() */
static inline int m_to_resize(struct model *m, unsigned long addr,
			      unsigned long old_len, unsigned long new_len,
			      unsigned long flags)
{
	int i = mlookup(m, addr);
	struct mreg *r;

	if (i < 0)
		return -EFAULT;
	r = &m->r[i];
	if (!old_len && !(r->flags & (MF_SHARED | MF_MAYSHARE)))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (r->flags & (MF_DONTEXPAND | MF_PFNMAP)))
		return -EINVAL;
	if (old_len > r->end - addr)
		return -EFAULT;
	if (new_len == old_len)
		return i;
	if (r->pgoff + (addr - r->start) / M_PG + new_len / M_PG <
	    r->pgoff + (addr - r->start) / M_PG)
		return -EINVAL;
	if (r->flags & (MF_DONTEXPAND | MF_PFNMAP))
		return -EFAULT;
	if (!m_lock_ok(m, r->flags, new_len - old_len))
		return -EAGAIN;
	if (!m_may_expand(m, r->flags, (new_len - old_len) / M_PG))
		return -ENOMEM;
	return i;
}

/* move_vma() with copy_vma(): returns the new address or -errno */
static inline long m_move(struct model *m, int i, unsigned long old_addr,
			  unsigned long old_len, unsigned long new_len,
			  unsigned long new_addr, unsigned long flags)
{
	struct mreg src = m->r[i], nr;
	bool before = src.start != old_addr;
	bool after = src.end != old_addr + old_len;
	bool keep = flags & MREMAP_DONTUNMAP, unfaulted;
	unsigned long pgoff;
	int k;

	if ((long)m->n >= m_mmc_minus(m, 3))
		return -ENOMEM;
	if (src.kind != MK_NONE && (before || after))
		return -EINVAL;
	if (keep && (src.flags & MF_LOCKED)) {
		/* split_vma() ahead, for the mlock accounting: no merge */
		if (before) {
			if ((unsigned long)m->n >= m->max_map_count)
				return -ENOMEM;
			mcut(m, i, old_addr);
			i++;
		}
		if (after) {
			if ((unsigned long)m->n >= m->max_map_count)
				return -ENOMEM;
			mcut(m, i, old_addr + old_len);
		}
		src = m->r[i];
	}
	if ((src.flags & MF_ACCOUNT) &&
	    !m_enough(m, (keep ? new_len : new_len - old_len) / M_PG))
		return -ENOMEM;
	pgoff = src.pgoff + (old_addr - src.start) / M_PG;

	/* copy_vma() */
	unfaulted = m_anon_vma(&src) && !src.anon;
	if (unfaulted)
		pgoff = new_addr / M_PG;
	nr = src;
	nr.start = new_addr;
	nr.end = new_addr + new_len;
	nr.pgoff = pgoff;
	if (unfaulted && keep &&
	    (new_addr == src.end || src.start == new_addr + new_len)) {
		if (!m->v612) {
			k = -1;		/* 6.1 skips vma_merge() */
		} else {
			/* 6.12: the source is no candidate, the other side is */
			struct mreg hide = m->r[i];
			int hi = i;

			mdel(m, hi);
			k = m_merge_new(m, &nr, M_NEW_612);
			hi = mfind(m, hide.start);
			mins(m, hi, &hide);
			if (k >= hi)
				k++;
		}
	} else {
		k = m_merge_new(m, &nr, m->v612 ? M_NEW_612 : M_NEW_MERGE61);
	}
	if (k < 0)
		mins(m, mfind(m, nr.start), &nr);

	if (keep) {
		i = mlookup(m, old_addr);
		m->r[i].flags &= ~(MF_LOCKED | MF_LOCKONFAULT);
		if (m->r[i].start == old_addr &&
		    m->r[i].end == old_addr + old_len) {
			m->r[i].anon = 0;
			m->r[i].forked = false;
			if (m_anon_vma(&m->r[i]))
				m->r[i].pgoff = old_addr / M_PG;
		}
		return new_addr;
	}
	/* do_munmap() of the old range; a failure leaves both copies */
	model_munmap(m, old_addr, old_len);
	return new_addr;
}

/* mremap_to(): MREMAP_FIXED, or DONTUNMAP with new_addr a hint */
static inline long m_remap_to(struct model *m, unsigned long addr,
			      unsigned long old_len, unsigned long new_addr,
			      unsigned long new_len, unsigned long flags)
{
	unsigned long mf = 0, a;
	long ret;
	int i;

	if (new_addr & (M_PG - 1))
		return -EINVAL;
	if (new_len > M_TASK || new_addr > M_TASK - new_len)
		return -EINVAL;
	if (addr + old_len > new_addr && new_addr + new_len > addr)
		return -EINVAL;
	if ((long)m->n + 2 >= m_mmc_minus(m, 3))
		return -ENOMEM;
	if (flags & MREMAP_FIXED) {
		ret = model_munmap(m, new_addr, new_len);
		if (ret)
			return ret;
	}
	if (old_len > new_len) {
		ret = model_munmap(m, addr + new_len, old_len - new_len);
		if (ret)
			return ret;
		old_len = new_len;
	}
	i = m_to_resize(m, addr, old_len, new_len, flags);
	if (i < 0)
		return i;
	/* the copy DONTUNMAP leaves is counted as new, with the old flags */
	if ((flags & MREMAP_DONTUNMAP) &&
	    !m_may_expand(m, m->r[i].flags, old_len / M_PG))
		return -ENOMEM;
	if (flags & MREMAP_FIXED)
		mf |= MAP_FIXED;
	if (m->r[i].flags & MF_MAYSHARE)
		mf |= MAP_SHARED;
	a = m_get_area(m, m->r[i].file, new_addr, new_len,
		       m->r[i].pgoff + (addr - m->r[i].start) / M_PG, mf);
	if (a >= (unsigned long)-4095)
		return (long)a;
	if (!(flags & MREMAP_FIXED))
		new_addr = a;
	return m_move(m, i, addr, old_len, new_len, new_addr, flags);
}

static inline long m_mremap(struct model *m, unsigned long addr,
			    unsigned long old_len, unsigned long new_len,
			    unsigned long flags, unsigned long new_addr)
{
	int i, k;

	if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (addr & (M_PG - 1))
		return -EINVAL;
	old_len = M_ALIGN(old_len);
	new_len = M_ALIGN(new_len);
	if (!new_len)
		return -EINVAL;
	i = mlookup(m, addr);
	if (i < 0)
		return -EFAULT;
	if (m->v612 && (m->r[i].flags & MF_SEALED))
		return -EPERM;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
		return m_remap_to(m, addr, old_len, new_addr, new_len, flags);
	if (old_len >= new_len) {
		if (old_len != new_len) {
			int err = model_munmap(m, addr + new_len,
					       old_len - new_len);
			if (err)
				return err;
		}
		return addr;
	}
	i = m_to_resize(m, addr, old_len, new_len, flags);
	if (i < 0)
		return i;
	if (old_len == m->r[i].end - addr) {
		struct mreg *r = &m->r[i];
		unsigned long delta = new_len - old_len, e = r->end + delta;
		int j = mfind(m, r->end);
		bool ok = e >= r->end &&
			  !(j < m->n && m->r[j].start < e) &&
			  e - r->start <= M_TASK && r->start <= M_TASK - (e - r->start) &&
			  r->start >= m->mmap_min_addr;

		if (ok) {
			struct mreg ext = *r;

			if ((r->flags & MF_ACCOUNT) && !m_enough(m, delta / M_PG))
				return -ENOMEM;
			ext.start = r->end;
			ext.end = e;
			ext.pgoff = r->pgoff + mpages(r);
			if (!m->v612 && (r->flags & MF_CLOSE)) {
				r->end = e;	/* vma_adjust(), no merge */
				return addr;
			}
			k = m_merge_new(m, &ext, m->v612 ? M_NEW_612 :
					M_NEW_MERGE61);
			return k < 0 ? -ENOMEM : (long)addr;
		}
	}
	if (flags & MREMAP_MAYMOVE) {
		unsigned long a;

		a = m_get_area(m, m->r[i].file, 0, new_len,
			       m->r[i].pgoff + (addr - m->r[i].start) / M_PG,
			       m->r[i].flags & MF_MAYSHARE ? MAP_SHARED : 0);
		if (a >= (unsigned long)-4095)
			return (long)a;
		return m_move(m, i, addr, old_len, new_len, a, flags);
	}
	return -ENOMEM;
}

/* mremap(2): what locked memory grows by is faulted in afterwards. */
static inline long model_mremap(struct model *m, unsigned long addr,
				unsigned long old_len, unsigned long new_len,
				unsigned long flags, unsigned long new_addr)
{
	int i = mlookup(m, addr);
	bool locked = i >= 0 && (m->r[i].flags & MF_LOCKED);
	long ret = m_mremap(m, addr, old_len, new_len, flags, new_addr);

	old_len = M_ALIGN(old_len);
	new_len = M_ALIGN(new_len);
	if (ret >= 0 && locked && new_len > old_len)
		m_mm_populate(m, ret + old_len, ret + new_len, true);
	return ret;
}

/* ---- mbind ------------------------------------------------------------------------------ */

/* bitmap_weight() of a 64-node mask */
static inline int m_weight(unsigned long long mask)
{
	int w = 0;

	for (; mask; mask &= mask - 1)
		w++;
	return w;
}

/*
 * mpol_relative_nodemask(): nodes_fold() of @orig into as many bits as
 * @rel has nodes, then nodes_onto() @rel: bitmap_onto() walks the set bits
 * n of @rel, the m-th of them taking bit m of the folded mask.
 */
static inline unsigned long long m_relative(unsigned long long orig,
					    unsigned long long rel)
{
	unsigned long long tmp = 0, out = 0;
	int sz = m_weight(rel), bit, n, k = 0;

	if (!sz)
		return 0;	/* never in the kernel: N_MEMORY has a node */
	for (bit = 0; bit < 64; bit++)		/* bitmap_fold() */
		if (orig >> bit & 1)
			tmp |= 1ULL << (bit % sz);
	for (n = 0; n < 64; n++) {		/* bitmap_onto() */
		if (!(rel >> n & 1))
			continue;
		if (tmp >> k & 1)
			out |= 1ULL << n;
		k++;
	}
	return out;
}

/*
 * The distinct policies the regions hold: the shadow keeps each once in a
 * table of 255, so a new one beyond that is refused with -ENOMEM (its own
 * limit; the kernel has none).
 */
static inline bool m_pol_room(const struct model *m, const struct mpol *pol)
{
	int i, j, distinct = 0;

	for (i = 0; i < m->n; i++) {
		if (!m->r[i].pol.mode)
			continue;
		if (m_pol_eq(&m->r[i].pol, pol))
			return true;
		for (j = 0; j < i; j++)
			if (m_pol_eq(&m->r[j].pol, &m->r[i].pol))
				break;
		distinct += j == i;
	}
	return distinct < 255;
}

/*
 * One step of mbind_range()'s walk over [start, end): the region at or
 * after @addr, and in [*vmstart, *vmend) its part of the range; -1 when
 * none is left.  Each step finds the region again where the last one's
 * part ended, so that one merged beyond it is passed over.
 */
static inline int m_range_step(const struct model *m, unsigned long addr,
			       unsigned long start, unsigned long end,
			       unsigned long *vmstart, unsigned long *vmend)
{
	int i = mfind(m, addr);

	if (i >= m->n || m->r[i].start >= end)
		return -1;
	*vmstart = m->r[i].start > start ? m->r[i].start : start;
	*vmend = m->r[i].end < end ? m->r[i].end : end;
	return i;
}

/*
 * The range of mbind() and set_mempolicy_home_node(): aligned, not
 * wrapping; empty is done.
 */
static inline int m_policy_range(unsigned long start, unsigned long len,
				 unsigned long *end)
{
	if (start & (M_PG - 1))
		return -EINVAL;
	*end = start + M_ALIGN(len);
	return *end < start ? -EINVAL : 0;
}

/*
 * mbind(2): kernel_mbind() (sanitize_mpol_flags(), get_nodes()), then
 * do_mbind(): mpol_new(), mpol_set_nodemask(), queue_pages_range()'s hole
 * checks, and mbind_range() over every region the range meets.  @nmask is
 * the first word of the caller's mask, every later word zero; a mask of 0
 * is a NULL pointer unless @given.
 */
static inline int model_mbind(struct model *m, unsigned long start,
			      unsigned long len, unsigned long mode,
			      unsigned long long nmask, bool given,
			      unsigned long maxnode, unsigned long flags)
{
	int lmode = (int)mode, i, p;
	unsigned short mflags;
	unsigned long end, bits, addr, vmstart, vmend;
	unsigned long long nodes = 0, mask;
	struct mpol pol = { 0 };
	bool discontig_ok;

	/* sanitize_mpol_flags() */
	mflags = lmode & M_MPOL_MODE_FLAGS;
	lmode &= ~M_MPOL_MODE_FLAGS;
	if ((unsigned int)lmode >= (m->v612 ? 7u : 6u))	/* MPOL_MAX */
		return -EINVAL;
	if ((mflags & M_MPOL_F_STATIC) && (mflags & M_MPOL_F_RELATIVE))
		return -EINVAL;
	if (mflags & M_MPOL_F_NUMA_BALANCING) {
		if (lmode != M_MPOL_BIND &&
		    !(m->v612 && lmode == M_MPOL_PREFERRED_MANY))
			return -EINVAL;
		mflags |= M_MPOL_F_MOF | M_MPOL_F_MORON;
	}
	/* get_nodes(): MAX_NUMNODES is far above 63, where the mask ends */
	--maxnode;
	if (maxnode && (nmask || given)) {
		if (maxnode > 4096 * 8)
			return -EINVAL;
		bits = maxnode > 1024 ? 1024 : maxnode;
		nodes = bits >= 64 ? nmask : nmask & ((1ULL << bits) - 1);
	}
	/* do_mbind() */
	if (flags & ~(unsigned long)(M_MPOL_MF_STRICT | M_MPOL_MF_MOVE |
				     M_MPOL_MF_MOVE_ALL))
		return -EINVAL;
	if ((flags & M_MPOL_MF_MOVE_ALL) && !m->move_all)
		return -EPERM;
	p = m_policy_range(start, len, &end);
	if (p || end == start)
		return p;
	/* mpol_new() */
	if (lmode == M_MPOL_DEFAULT) {
		if (nodes)
			return -EINVAL;
	} else if (lmode == M_MPOL_PREFERRED && !nodes) {
		if (mflags & (M_MPOL_F_STATIC | M_MPOL_F_RELATIVE))
			return -EINVAL;
		lmode = M_MPOL_LOCAL;
	} else if (lmode == M_MPOL_LOCAL) {
		if (nodes || (mflags & (M_MPOL_F_STATIC | M_MPOL_F_RELATIVE)))
			return -EINVAL;
	} else if (!nodes) {
		return -EINVAL;
	}
	if (lmode != M_MPOL_DEFAULT) {
		pol.mode = lmode;
		pol.flags = mflags;
	}
	/* mpol_set_nodemask() and ->create() */
	if (pol.mode && pol.mode != M_MPOL_LOCAL) {
		mask = mflags & M_MPOL_F_RELATIVE ? m_relative(nodes, m->mems) :
						    nodes & m->mems;
		if (mflags & M_MPOL_MODE_FLAGS)
			pol.user = nodes;
		if (!mask)
			return -EINVAL;
		if (pol.mode == M_MPOL_PREFERRED)	/* first_node() */
			mask = 1ULL << __builtin_ctzll(mask);
		pol.nodes = mask;
	}
	/* queue_pages_range(): the default policy may skip holes */
	discontig_ok = !pol.mode;
	i = mfind(m, start);
	if (i >= m->n || m->r[i].start >= end)
		return -EFAULT;			/* whole range in hole */
	if (!discontig_ok) {
		if (start < m->r[i].start)
			return -EFAULT;		/* hole at head */
		for (; i < m->n && m->r[i].start < end; i++)
			if (m->r[i].end < end &&
			    (i + 1 == m->n || m->r[i].end < m->r[i + 1].start))
				return -EFAULT;	/* in the middle or tail */
	}
	if (pol.mode && !m_pol_room(m, &pol))
		return -ENOMEM;
	/*
	 * mbind_range() over the regions, each found again where the last
	 * one's part of the range ended (a region that merged beyond it has
	 * the policy already, and is passed over)
	 */
	for (addr = start; addr < end; addr = vmend) {
		i = m_range_step(m, addr, start, end, &vmstart, &vmend);
		if (i < 0)
			break;
		if (m_pol_eq(&m->r[i].pol, &pol))
			continue;
		p = m_modify_pol(m, i, vmstart, vmend, m->r[i].flags, &pol);
		if (p < 0)
			return p;
	}
	return 0;
}

/*
 * The new policies set_mempolicy_home_node() will make before it stops,
 * each counted once unless a region holds it already: the shadow checks
 * for room for them all in its table of 255 before it changes anything.
 */
static inline bool m_home_room(const struct model *m, unsigned long start,
			       unsigned long end, int home)
{
	int i, j, k, held = 0, needed = 0;
	struct mpol pol, other;

	for (i = 0; i < m->n; i++) {
		if (!m->r[i].pol.mode)
			continue;
		for (j = 0; j < i; j++)
			if (m_pol_eq(&m->r[j].pol, &m->r[i].pol))
				break;
		held += j == i;
	}
	for (i = mfind(m, start); i < m->n && m->r[i].start < end; i++) {
		pol = m->r[i].pol;
		if (!pol.mode)
			continue;
		if (pol.mode != M_MPOL_BIND && pol.mode != M_MPOL_PREFERRED_MANY)
			break;
		pol.home = home;
		for (j = 0; j < m->n; j++)
			if (m_pol_eq(&m->r[j].pol, &pol))
				break;
		if (j < m->n)
			continue;
		/* counted already for an earlier region of the range? */
		for (k = mfind(m, start); k < i; k++) {
			other = m->r[k].pol;
			other.home = home;
			if (m->r[k].pol.mode && m_pol_eq(&other, &pol))
				break;
		}
		needed += k == i;
	}
	return held + needed <= 255;
}

/*
 * set_mempolicy_home_node(2), the same in 6.1 and 6.12: every region of
 * the range with a policy of MPOL_BIND or MPOL_PREFERRED_MANY gets it
 * with the home node, through mbind_range(); a region without a policy is
 * passed over, the first with another mode stops the call (-EOPNOTSUPP,
 * what was done stays done), and a range without a policy is -ENOENT.
 */
static inline int model_home_node(struct model *m, unsigned long start,
				  unsigned long len, unsigned long long node,
				  unsigned long flags)
{
	unsigned long end, addr, vmstart, vmend;
	struct mpol pol;
	int i, p, err = -ENOENT;

	if (start & (M_PG - 1))
		return -EINVAL;
	if (flags)
		return -EINVAL;
	if (node >= 64 || !(m->online >> node & 1))	/* node_online() */
		return -EINVAL;
	p = m_policy_range(start, len, &end);
	if (p || end == start)
		return p;
	if (!m_home_room(m, start, end, (int)node + 1))
		return -ENOMEM;
	for (addr = start; addr < end; addr = vmend) {
		i = m_range_step(m, addr, start, end, &vmstart, &vmend);
		if (i < 0)
			break;
		pol = m->r[i].pol;
		if (!pol.mode)
			continue;
		if (pol.mode != M_MPOL_BIND && pol.mode != M_MPOL_PREFERRED_MANY)
			return -EOPNOTSUPP;
		pol.home = (int)node + 1;
		err = 0;
		if (m_pol_eq(&m->r[i].pol, &pol))
			continue;
		p = m_modify_pol(m, i, vmstart, vmend, m->r[i].flags, &pol);
		if (p < 0)
			return p;
	}
	return err;
}

/* ---- fork ------------------------------------------------------------------------------- */

/*
 * dup_mmap(): @c gets the child of @m.  DONTCOPY regions stay behind,
 * VM_LOCKED is not inherited, each region with an anon_vma gets one of its
 * own whose chain also holds the parent's (not singular); WIPEONFORK
 * regions start with none.
 */
/* ---- mlock ------------------------------------------------------------------------------ */

#define MF_LOCKED_MASK	(MF_LOCKED | MF_LOCKONFAULT)

/* mlock_fixup(): the region holding [start, end) after, or -errno */
static inline int m_mlock_fixup(struct model *m, int i, unsigned long start,
				unsigned long end, unsigned long nf)
{
	unsigned long old = m->r[i].flags;
	int p;

	if (nf == old || (old & (MF_SPECIAL | MF_HUGETLB)) ||
	    (m->v612 && (old & MF_DROPPABLE)))
		return i;
	p = m_modify(m, i, start, end, nf);
	return p < 0 ? p : mlookup(m, start);
}

/* apply_vma_lock_flags() */
static inline int m_apply_lock(struct model *m, unsigned long start,
			       unsigned long len, unsigned long lf)
{
	unsigned long end = start + len, nstart, tmp;
	int i, p;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	i = mlookup(m, start);
	if (i < 0)
		return -ENOMEM;
	for (nstart = start; ; ) {
		struct mreg *r = &m->r[i];

		tmp = r->end < end ? r->end : end;
		p = m_mlock_fixup(m, i, nstart, tmp,
				  (r->flags & ~MF_LOCKED_MASK) | lf);
		if (p < 0)
			return p;
		nstart = tmp;
		if (nstart < m->r[p].end)
			nstart = m->r[p].end;
		if (nstart >= end)
			return 0;
		i = p + 1;
		if (i >= m->n || m->r[i].start != nstart)
			return -ENOMEM;
	}
}

/* mlock2(2) */
static inline int model_mlock(struct model *m, unsigned long start,
			      unsigned long len, unsigned long flags)
{
	unsigned long lf = MF_LOCKED, locked, limit = m->memlock / M_PG;
	int err, i;

	if (flags & ~1UL)		/* MLOCK_ONFAULT */
		return -EINVAL;
	if (flags)
		lf |= MF_LOCKONFAULT;
	if (!m->memlock)
		return -EPERM;
	len = M_ALIGN(len + (start & (M_PG - 1)));
	start &= ~(M_PG - 1);
	if (m->memlock != ~0UL) {
		locked = len / M_PG + m_locked(m);
		if (locked > limit) {
			unsigned long end = ~0UL - len < start ? ~0UL : start + len;

			for (i = mfind(m, start); i < m->n && m->r[i].start < end; i++) {
				struct mreg *r = &m->r[i];
				unsigned long s0 = r->start > start ? r->start : start;
				unsigned long e0 = r->end < end ? r->end : end;

				if (r->flags & MF_LOCKED)
					locked -= (e0 - s0) / M_PG;
			}
		}
		if (locked > limit)
			return -ENOMEM;
	}
	err = m_apply_lock(m, start, len, lf);
	if (err)
		return err;
	err = m_mm_populate(m, start, start + len, false);
	return err == -EFAULT ? -ENOMEM : err == -ENOMEM ? -EAGAIN : err;
}

static inline int model_munlock(struct model *m, unsigned long start,
				unsigned long len)
{
	len = M_ALIGN(len + (start & (M_PG - 1)));
	start &= ~(M_PG - 1);
	return m_apply_lock(m, start, len, 0);
}

/* apply_mlockall_flags(): every region whole, merging as it goes */
static inline void m_apply_lockall(struct model *m, unsigned long flags)
{
	unsigned long add = 0, next;
	int i;

	m->def_flags = 0;
	if (flags & MCL_FUTURE) {
		m->def_flags = MF_LOCKED |
			       (flags & MCL_ONFAULT ? MF_LOCKONFAULT : 0);
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT)
		add = MF_LOCKED | (flags & MCL_ONFAULT ? MF_LOCKONFAULT : 0);
	for (i = 0; i < m->n; i = mfind(m, next)) {
		next = m->r[i].end;
		m_mlock_fixup(m, i, m->r[i].start, m->r[i].end,
			      (m->r[i].flags & ~MF_LOCKED_MASK) | add);
	}
}

static inline int model_mlockall(struct model *m, unsigned long flags)
{
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!m->memlock)
		return -EPERM;
	if ((flags & MCL_CURRENT) && m->memlock != ~0UL &&
	    mtotal(m) > m->memlock / M_PG)
		return -ENOMEM;
	m_apply_lockall(m, flags);
	if (flags & MCL_CURRENT)
		m_mm_populate(m, 0, M_TASK, true);
	return 0;
}

static inline int model_munlockall(struct model *m)
{
	m_apply_lockall(m, 0);
	return 0;
}

static inline void model_fork(const struct model *m, struct model *c)
{
	int i;

	*c = *m;
	c->n = 0;
	c->def_flags = 0;	/* mm_init(): no MCL_FUTURE in a child */
	for (i = 0; i < m->n; i++) {
		struct mreg r = m->r[i];

		if (r.flags & MF_DONTCOPY)
			continue;
		r.flags &= ~(MF_LOCKED | MF_LOCKONFAULT);
		if (r.flags & MF_WIPEONFORK) {
			r.anon = 0;
			r.forked = false;
		} else if (r.anon) {
			r.anon = c->next_anon++;
			r.forked = true;
		}
		c->r[c->n++] = r;
	}
}

/* ---- labels ----------------------------------------------------------------------------- */

/* 1: [heap], 2: [stack], 0: none (anonymous regions without a file) */
static inline int model_label(const struct model *m, const struct mreg *r)
{
	if (r->file || r->kind)
		return -1;
	if (m->start_brk || m->brk) {
		if (m->v612 ? r->start < m->brk && r->end > m->start_brk :
			      r->start <= m->brk && r->end >= m->start_brk)
			return 1;
	}
	if (m->start_stack && r->start <= m->start_stack &&
	    r->end >= m->start_stack)
		return 2;
	return 0;
}

#endif
