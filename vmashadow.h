/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmashadow: the region core's interface.
 *
 * A struct vms_mm is one shadow address space: non-overlapping regions in
 * an augmented rbtree, ordered by address.  The functions declared here
 * (core/ *.c) apply the kernel's rules for mmap, munmap, mprotect and write
 * faults to it.  They know nothing of devices, files or user memory: the
 * device glue (vmashadow.c) turns ioctls into these calls, and the host
 * build (issue 10) links the same sources into a userspace program.  The
 * facilities the core borrows from the kernel come from core/internal.h,
 * which is the seam a userspace build replaces.
 *
 * Locking: every function taking a struct vms_mm expects the caller to hold
 * the shadow's lock (the glue's per-descriptor mutex).
 */
#ifndef _VMASHADOW_H
#define _VMASHADOW_H

#include "core/internal.h"
#include "ioctl.h"

#define VMS_VERSION		"0.1.0"

/* x86_64 with 4-level paging, as qemu64 and most machines run it. */
#define VMS_TASK_SIZE		0x7ffffffff000UL
#define VMS_STACK_GUARD_GAP	(256UL << PAGE_SHIFT)
#define VMS_DEFAULT_MAP_COUNT	65530

/*
 * Region flags.  The VMASHADOW_VM_* bits of ioctl.h are stored as they are;
 * the bits below them are the shadow's own bookkeeping and never count
 * when deciding a merge by flags.
 */
#define VMS_ANON_FORKED		BIT(56)	/* anon_vma chain not singular */
#define VMS_KIND_VDSO		BIT(57)	/* [vdso] special mapping */
#define VMS_KIND_VVAR		BIT(58)	/* [vvar] special mapping */
#define VMS_KIND_VCLOCK		BIT(59)	/* [vvar_vclock] (6.12) */
#define VMS_KIND_UPROBES	BIT(60)	/* [uprobes] */
#define VMS_KIND_SPECIAL	(VMS_KIND_VDSO | VMS_KIND_VVAR | \
				 VMS_KIND_VCLOCK | VMS_KIND_UPROBES)
#define VMS_INTERNAL_FLAGS	(VMS_ANON_FORKED | VMS_KIND_SPECIAL)

/*
 * A region's memory policy (mbind(2)) lives in its shadow's policy table,
 * each distinct policy once, and the region names its slot in bits 32-39
 * of ->flags, as page->flags names a page's node.  So mpol_equal() is a
 * compare of those bits, and every copy of a region (split, mremap, fork)
 * keeps its policy as vma_dup_policy() does, at no cost to the region.
 * Slot 0 is the default policy, the kernel's NULL.  The bits are neither
 * VM_* flags nor bookkeeping: a merge compares them on their own, and
 * userspace never sees them as flags.
 */
#define VMS_POLICY_SHIFT	32
#define VMS_POLICY_SLOTS	256
#define VMS_POLICY_MASK		((unsigned long)(VMS_POLICY_SLOTS - 1) << \
				 VMS_POLICY_SHIFT)

static inline unsigned int vms_policy_of(unsigned long flags)
{
	return (flags & VMS_POLICY_MASK) >> VMS_POLICY_SHIFT;
}

/*
 * A region registered with a userfaultfd names its context in bits 49-55
 * of ->flags, the number userfaultfd ops give it (1-127; 0: none), and
 * carries the mode bits VMASHADOW_VM_UFFD_* beside it, so the kernel's
 * invariant holds: a context if and only if a mode.  Like the policy the
 * context is compared on its own in a merge (is_mergeable_vm_userfaultfd_ctx()).
 */
#define VMS_UFFD_SHIFT		49
#define VMS_UFFD_SLOTS		(VMASHADOW_UFFD_MAX + 1)
#define VMS_UFFD_MASK		((unsigned long)VMASHADOW_UFFD_MAX << \
				 VMS_UFFD_SHIFT)
#define VMS_UFFD_MODES		(VMASHADOW_VM_UFFD_MISSING | \
				 VMASHADOW_VM_UFFD_WP | \
				 VMASHADOW_VM_UFFD_MINOR)
/* vms_mm.uffd[]: the context is open (UFFD_FEATURE_INITIALIZED's place) */
#define VMS_UFFD_OPEN		BIT(31)

static inline unsigned int vms_uffd_of(unsigned long flags)
{
	return (flags & VMS_UFFD_MASK) >> VMS_UFFD_SHIFT;
}

/* @flags without a userfaultfd registration: no context, no mode */
static inline unsigned long vms_uffd_cleared(unsigned long flags)
{
	return flags & ~(VMS_UFFD_MODES | VMS_UFFD_MASK);
}

#define VMS_ACCESS_FLAGS	(VMASHADOW_VM_READ | VMASHADOW_VM_WRITE | \
				 VMASHADOW_VM_EXEC)
#define VMS_SPECIAL_FLAGS	(VMASHADOW_VM_IO | VMASHADOW_VM_DONTEXPAND | \
				 VMASHADOW_VM_PFNMAP | VMASHADOW_VM_MIXEDMAP)

/* vms_file.mode: what the opened file allows, as do_mmap() asks it. */
#define VMS_FMODE_READ		0x1
#define VMS_FMODE_WRITE		0x2
#define VMS_FMODE_NOEXEC	0x4	/* on a noexec mount */
#define VMS_FMODE_APPEND	0x8	/* append-only inode */
#define VMS_FMODE_NOMMAP	0x10	/* no ->mmap: mmap gives -ENODEV */
#define VMS_FMODE_THP		0x20	/* placed for huge pages (ext4, xfs) */
#define VMS_FMODE_NOAREA	0x40	/* no ->get_unmapped_area of its own */
#define VMS_FMODE_NOPUNCH	0x80	/* no ->fallocate: MADV_REMOVE fails */
/* file_mmap_size_max(): regular, block device or socket, offsets < 2^63 */
#define VMS_FMODE_LFS		0x100
#define VMS_FMODE_UNSIGNED	0x200	/* FMODE_UNSIGNED_OFFSET: any offset */
/* on tmpfs (memfd, /dev/shm, shared anonymous): vma_is_shmem() */
#define VMS_FMODE_SHMEM		0x400
/* memfd seals, F_SEAL_WRITE and F_SEAL_FUTURE_WRITE, once added for good */
#define VMS_FMODE_SEAL_WRITE	0x800
#define VMS_FMODE_SEAL_FUTURE_WRITE 0x1000
#define VMS_FMODE_ZERO		0x2000	/* /dev/zero: mmap_zero() */

struct vms_file;

struct vms_file_ops {
	/* Called when the last region lets go of the file. */
	void (*release)(struct vms_file *file);
	/* The name /proc/pid/maps shows; returns its length or -errno. */
	int (*name)(const struct vms_file *file, char *buf, size_t size);
	/*
	 * Optional: its size in pages now, as a page fault reads it (a page
	 * at or past it is SIGBUS); ULONG_MAX where there is no such end.
	 * Without it, ->pages is the size.
	 */
	unsigned long (*size)(const struct vms_file *file);
};

/*
 * An opened file, as the regions mapping it see it.  Two opens of one file
 * are two vms_files: like two struct files, they never merge.
 */
struct vms_file {
	refcount_t		ref;
	u64			id;		/* identity shown to userspace */
	u64			ino;
	u32			dev_major;
	u32			dev_minor;
	unsigned int		mode;		/* VMS_FMODE_* */
	unsigned int		kind;		/* VMASHADOW_KIND_FILE or _SHMEM */
	/*
	 * Its size in pages where it is the shadow's own (its shared
	 * anonymous objects, which never change size), else 0; a real file
	 * has ->size instead, which reads the size of the moment.
	 */
	unsigned long		pages;
	const struct vms_file_ops *ops;
};

/*
 * An anon_vma identity.  Regions split from one another share it; a merge
 * keeps it.  It lives inside one shadow (fork gives the child new ones), so
 * the shadow's lock protects the count.  Every region that shares it maps
 * one file, or none: anon_vma_compatible() asks for that, and a split, a
 * merge, a move and fork keep a region's file with its anon_vma.  So the
 * file is kept here, and the region has one word for both (->backing).
 * The regions hold the file's references, not this.
 */
struct vms_anon {
	unsigned long		refs;
	u64			id;
	struct vms_file		*file;
};

/*
 * One region: [start, end) with the state that decides merges.  72 bytes;
 * every byte here is paid once per region.  The fields a lookup reads
 * come first (the links, the bounds, the gap the cache checks).
 */
struct vms_region {
	struct rb_node		rb;
	unsigned long		start;
	unsigned long		end;
	/*
	 * The free space below this region, as unmapped_area() measures it,
	 * and the largest in the subtree: in pages, and VMS_GAP_HUGE for
	 * 16 TiB or more, whose size vms_gap_start() works out.
	 */
	u32			gap;
	u32			subtree_gap;
	unsigned long		pgoff;		/* in pages; hidden for anon */
	/*
	 * VMASHADOW_VM_* | VMS_*.  Once the region is linked, VM_WRITE,
	 * VM_SHARED and VM_GROWSDOWN change only through vms_set_flags(),
	 * which keeps data_vm.
	 */
	unsigned long		flags;
	/*
	 * The file mapped and the anon_vma: the vms_anon with
	 * VMS_BACKING_ANON set when there is one (it names the file), else
	 * the vms_file or 0.  Read through vms_file_of() and vms_anon_of().
	 */
	unsigned long		backing;
};

#define VMS_GAP_HUGE		U32_MAX
#define VMS_BACKING_ANON	1UL

static inline struct vms_anon *vms_anon_of(const struct vms_region *r)
{
	if (!(r->backing & VMS_BACKING_ANON))
		return NULL;
	return (struct vms_anon *)(r->backing & ~VMS_BACKING_ANON);
}

static inline struct vms_file *vms_file_of(const struct vms_region *r)
{
	struct vms_anon *anon = vms_anon_of(r);

	return anon ? anon->file : (struct vms_file *)r->backing;
}

/* Give @r @anon, or none (NULL); @anon maps @r's file. */
static inline void vms_set_anon(struct vms_region *r, struct vms_anon *anon)
{
	struct vms_file *file = vms_file_of(r);

	WARN_ON_ONCE(anon && anon->file != file);
	r->backing = anon ? (unsigned long)anon | VMS_BACKING_ANON :
			    (unsigned long)file;
}

/* Give @r, which has no anon_vma, @file (not counted here). */
static inline void vms_set_file(struct vms_region *r, struct vms_file *file)
{
	WARN_ON_ONCE(vms_anon_of(r));
	r->backing = (unsigned long)file;
}

#define VMS_CACHE_SLOTS		4

/*
 * The most regions one call creates: a munmap punch makes two, so mmap over
 * a punch makes three, and mremap can punch at its destination, cut the
 * old range's tail, copy and punch the source: six.
 */
#define VMS_RESERVE_MAX		6

/*
 * Regions allocated ahead of need, unused and zeroed.  Every call tops the
 * reserve up to the most it may need before it touches the tree, so that
 * running out of memory changes nothing (the maple tree's
 * mas_preallocate() gives the kernel the same guarantee).  What a call
 * leaves, and what its merges free, waits here for the next one.
 */
struct vms_reserve {
	struct vms_region	*region[VMS_RESERVE_MAX];
	unsigned int		nr;
};

struct vms_params {
	unsigned int		rules;		/* VMASHADOW_RULES_* */
	unsigned int		max_map_count;
	unsigned long		start_brk;
	unsigned long		brk;
	unsigned long		start_stack;
	/* where exec put argv, 6.1's [vdso] draws from it; 0: not known */
	unsigned long		arg_start;
	unsigned long		mmap_base;
	unsigned long		mmap_min_addr;
	unsigned int		overcommit_memory;
	unsigned long		rlimit_as;	/* bytes; 0: unlimited */
	unsigned long		ram_pages;	/* RAM + swap, for overcommit */
	/* overcommit 2, in pages; commit_limit 0: not known, no limit */
	unsigned long		commit_limit;	/* vm_commit_limit() */
	unsigned long		commit_other;	/* charged outside the shadow */
	unsigned long		commit_admin_reserve; /* 0 for CAP_SYS_ADMIN */
	unsigned long		commit_user_reserve;
	bool			mdwe;		/* PR_SET_MDWE (6.12 rules) */
	/* mm->def_flags: VMASHADOW_VM_LOCKED[ONFAULT] after MCL_FUTURE */
	unsigned long		def_flags;
	/* RLIMIT_MEMLOCK, bytes; VMASHADOW_MEMLOCK_UNLIMITED: none */
	unsigned long		rlimit_memlock;
	/* RLIMIT_DATA, bytes, soft and hard; RLIM_INFINITY: none */
	unsigned long		rlimit_data;
	unsigned long		rlimit_data_max;
	bool			ignore_rlimit_data;	/* the boot option */
	/* the program's data segment, which brk() counts against the limit */
	unsigned long		start_data;
	unsigned long		end_data;
	unsigned long		rlimit_stack;	/* bytes; RLIM_INFINITY: none */
	u64			mems_allowed;	/* nodes a policy may name */
	u64			nodes_online;	/* home nodes a policy may have */
};

/*
 * One slot of the policy table: a struct mempolicy as __mpol_equal()
 * compares it.  Node masks cover nodes 0-63.
 */
struct vms_policy {
	u16			mode;		/* MPOL_*; 0: the slot is empty */
	u16			flags;		/* MPOL_F_*, internal ones too */
	int			home_node;	/* -1: none */
	u64			nodes;
	/* as the caller gave them, kept when the mode flags ask for it */
	u64			user_nodes;
	unsigned long		pages;		/* mapped under it */
};

struct vms_counters {
	u64			peak_regions;
	u64			merges;
	u64			splits;
	u64			truncations;
	u64			removals;
	u64			lookups;
	u64			cache_hits;
	u64			cache_misses;
	u64			anon_vmas;
};

/* One shadow address space. */
struct vms_mm {
	struct rb_root		root;
	unsigned long		map_count;
	unsigned long		total_vm;	/* pages mapped, for RLIMIT_AS */
	unsigned long		data_vm;	/* private writable: RLIMIT_DATA */
	/* the lookup cache: regions in the tree, by page number */
	struct vms_region	*cache[VMS_CACHE_SLOTS];
	struct vms_reserve	reserve;
	u64			next_anon_id;
	u64			next_shmem_ino;
	bool			may_map_low;	/* CAP_SYS_RAWIO: below mmap_min_addr */
	bool			may_move_all;	/* CAP_SYS_NICE: MPOL_MF_MOVE_ALL */
	bool			may_ptrace;	/* CAP_SYS_PTRACE: UFFD_FEATURE_EVENT_FORK */
	/* VMS_POLICY_SLOTS policies, NULL until the first one */
	struct vms_policy	*policies;
	/* userfaultfd contexts by number: VMS_UFFD_OPEN | UFFD_FEATURE_* */
	u32			uffd[VMS_UFFD_SLOTS];
	struct vms_params	params;
	struct vms_counters	count;
	struct vmashadow_explain last;	/* what the last map/protect decided */
};

/*
 * A mapping request, as do_mmap() receives it once the glue has looked up
 * the file.  The core takes its own reference on @file if it maps it.
 */
struct vms_map_req {
	unsigned long		addr;
	unsigned long		len;
	unsigned long		prot;
	unsigned long		flags;		/* MAP_* */
	unsigned long		offset;		/* bytes */
	struct vms_file		*file;
	unsigned int		op_flags;	/* VMASHADOW_OPF_* */
};

/* core/region.c: the tree, lookups, the cache, the region lifetime */
struct vms_region *vms_region_alloc(void);
/* regions from the slab in one call, for import and fork */
#define VMS_REGION_BULK		64
struct vms_region *vms_region_bulk_next(struct vms_region **regions,
					unsigned long n, unsigned long *filled,
					unsigned long max);
void vms_region_bulk_end(struct vms_region **regions, unsigned long used,
			 unsigned long filled);
void vms_region_free(struct vms_mm *mm, struct vms_region *r);
void vms_link(struct vms_mm *mm, struct vms_region *r);
int vms_core_init(void);
void vms_core_exit(void);
void vms_mm_init(struct vms_mm *mm, unsigned int rules);
void vms_mm_destroy(struct vms_mm *mm);
int vms_mm_dup(struct vms_mm *dst, struct vms_mm *src, bool fork);
void vms_mm_build(struct vms_mm *mm, struct vms_region **regions,
		  unsigned long n);
struct vms_region *vms_find(struct vms_mm *mm, unsigned long addr);
struct vms_region *vms_find_prev(struct vms_mm *mm, unsigned long addr,
				 struct vms_region **prev);
struct vms_region *vms_find_intersection(struct vms_mm *mm,
					 unsigned long start,
					 unsigned long end);
struct vms_region *vms_lookup(struct vms_mm *mm, unsigned long addr);
unsigned long vms_committed_pages(const struct vms_mm *mm);
struct vms_region *vms_first(const struct vms_mm *mm);
struct vms_region *vms_next(const struct vms_region *r);
struct vms_region *vms_prev(const struct vms_region *r);
unsigned int vms_tree_height(const struct vms_mm *mm);
int vms_validate(struct vms_mm *mm, unsigned long *where);
void vms_export(const struct vms_region *r, struct vmashadow_region *out);
void vms_file_put(struct vms_file *file);
struct vms_anon *vms_anon_new(struct vms_mm *mm, struct vms_file *file);
void vms_anon_put(struct vms_mm *mm, struct vms_anon *anon);
u64 vms_file_new_id(void);

/* core/merge.c: when two regions may be one */
bool vms_can_merge_after(struct vms_mm *mm, const struct vms_region *prev,
			 unsigned long flags, const struct vms_anon *anon,
			 const struct vms_file *file, unsigned long pgoff,
			 struct vmashadow_explain_side *why);
bool vms_can_merge_before(struct vms_mm *mm, const struct vms_region *next,
			  unsigned long flags, const struct vms_anon *anon,
			  const struct vms_file *file, unsigned long pgoff,
			  unsigned long pglen,
			  struct vmashadow_explain_side *why);
void vms_explain_at(struct vms_mm *mm, unsigned long addr,
		    struct vmashadow_explain *out);

/* core/ops.c: the address-space calls */
int vms_map(struct vms_mm *mm, const struct vms_map_req *req,
	    unsigned long *addr);
int vms_unmap(struct vms_mm *mm, unsigned long start, unsigned long len);
int vms_protect(struct vms_mm *mm, unsigned long start, unsigned long len,
		unsigned long prot);
int vms_touch(struct vms_mm *mm, unsigned long addr);
long vms_remap(struct vms_mm *mm, unsigned long addr, unsigned long old_len,
	       unsigned long new_len, unsigned long flags,
	       unsigned long new_addr);
unsigned long vms_brk(struct vms_mm *mm, unsigned long brk);
int vms_madvise(struct vms_mm *mm, unsigned long start, unsigned long len,
		int advice);
int vms_seal(struct vms_mm *mm, unsigned long start, unsigned long len,
	     unsigned long flags);
int vms_map_vdso(struct vms_mm *mm, unsigned long addr, unsigned long len,
		 unsigned long vvar_len, unsigned long page, bool at_exec,
		 unsigned long *out);

/* core/policy.c: mbind(2), set_mempolicy_home_node(2) */
int vms_mbind_mask(struct vms_mm *mm, unsigned long start, unsigned long len,
		   unsigned long mode, const u64 *nmask, unsigned long maxnode,
		   unsigned long flags);
int vms_set_home_node(struct vms_mm *mm, unsigned long start,
		      unsigned long len, unsigned long home_node,
		      unsigned long flags);
int vms_get_policy(struct vms_mm *mm, unsigned long addr,
		   struct vmashadow_policy *out);
int vms_policy_intern(struct vms_mm *mm, const struct vms_policy *pol,
		      bool reuse);
int vms_policies_dup(struct vms_mm *dst, const struct vms_mm *src);
void vms_policies_free(struct vms_mm *mm);

/* core/uffd.c: userfaultfd(2) and its ioctls */
int vms_uffd_api(struct vms_mm *mm, unsigned int ctx, unsigned long features);
int vms_uffd_register(struct vms_mm *mm, unsigned long start,
		      unsigned long len, unsigned int ctx, unsigned long mode);
int vms_uffd_unregister(struct vms_mm *mm, unsigned long start,
			unsigned long len, unsigned int ctx);
int vms_uffd_close(struct vms_mm *mm, unsigned int ctx);
int vms_uffd_features(const struct vms_mm *mm, unsigned int ctx, u64 *features);

/* core/mlock.c: mlock(2) and its relatives */
int vms_mlock(struct vms_mm *mm, unsigned long start, unsigned long len,
	      unsigned long flags);
int vms_munlock(struct vms_mm *mm, unsigned long start, unsigned long len);
int vms_mlockall(struct vms_mm *mm, unsigned long flags);
int vms_munlockall(struct vms_mm *mm);
unsigned long vms_locked_pages(const struct vms_mm *mm);

/* core/apply.c: a struct vmashadow_op on a shadow */
int vms_op_check(const struct vmashadow_op *op, u32 want);
int vms_run_op(struct vms_mm *mm, struct vmashadow_op *op,
	       struct vms_file *file);
struct vms_region *vms_find_mode(struct vms_mm *mm, u32 mode,
				 unsigned long addr, unsigned long end,
				 struct vms_region **prev);

/* core/maps.c: /proc/pid/maps lines */
const char *vms_region_label(const struct vms_mm *mm,
			     const struct vms_region *r,
			     char *scratch, size_t scratch_size);
int vms_show_region(const struct vms_mm *mm, const struct vms_region *r,
		    char *buf, size_t size, char *scratch, size_t scratch_size);

#endif /* _VMASHADOW_H */
