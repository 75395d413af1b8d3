// SPDX-License-Identifier: GPL-2.0
/*
 * The address-space calls on a shadow: mmap, munmap, mprotect and a write
 * fault, each following the kernel it models step by step (6.1's
 * mm/mmap.c and mm/mprotect.c; 6.12's mm/vma.c where they differ), down
 * to the order of its checks, so that it fails with the same errno.
 *
 * Every call first allocates all it may need; an allocation failure
 * therefore leaves the shadow exactly as it was.  Once the tree is touched
 * a call can only fail where the real one fails half-way too (mprotect
 * over a hole, a split refused by a special mapping), and then it leaves
 * the same partial work behind.
 */
#include "core.h"

/* ---- allocation up front -------------------------------------------------- */

#define VMS_PREALLOC_MAP	3

/*
 * Make sure @mm's reserve holds @regions unused regions before the call
 * touches the tree.  What a call does not use stays in the reserve for the
 * next one: most calls split nothing, and a slab round trip for each
 * region they might have needed cost them more than their tree work.
 */
int vms_prealloc(struct vms_mm *mm, unsigned int regions)
{
	struct vms_reserve *res = &mm->reserve;

	while (res->nr < regions) {
		struct vms_region *r = vms_region_alloc();

		if (!r)
			return -ENOMEM;	/* what was added stays for later */
		res->region[res->nr++] = r;
	}
	return 0;
}

/* One of the regions vms_prealloc() made sure of. */
static struct vms_region *vms_take_region(struct vms_mm *mm)
{
	struct vms_reserve *res = &mm->reserve;

	if (WARN_ON_ONCE(!res->nr))
		return NULL;
	return res->region[--res->nr];
}

/* Start what EXPLAIN_LAST will report of this operation. */
void vms_explain_begin(struct vms_mm *mm, u32 op, unsigned long start,
		       unsigned long end)
{
	memset(&mm->last, 0, sizeof(mm->last));
	mm->last.mode = VMASHADOW_EXPLAIN_LAST;
	mm->last.op = op;
	mm->last.addr = start;
	mm->last.end = end;
}

/*
 * The pages this shadow has charged: its VM_ACCOUNT regions and its shared
 * anonymous memory (counted by what is still mapped, where the kernel
 * keeps the whole object charged until its last mapping goes).  A walk,
 * paid only under overcommit 2.
 */
unsigned long vms_committed_pages(const struct vms_mm *mm)
{
	const struct vms_region *r;
	unsigned long pages = 0;

	for (r = vms_first(mm); r; r = vms_next(r)) {
		const struct vms_file *file = vms_file_of(r);

		if ((r->flags & VMASHADOW_VM_ACCOUNT) ||
		    (file && file->kind == VMASHADOW_KIND_SHMEM &&
		     !(r->flags & VMASHADOW_VM_NORESERVE)))
			pages += vms_pages(r);
	}
	return pages;
}

/*
 * __vm_enough_memory(): may @pages more be charged?
 *
 *   0 (heuristic)  one charge may not exceed RAM and swap
 *   1 (always)     yes
 *   2 (never)      everything charged, this charge included, must stay
 *                  below the commit limit less the admin reserve (not for
 *                  CAP_SYS_ADMIN) and min(total_vm / 32, user reserve)
 *
 * The kernel reads its global count without the per-CPU deltas
 * (percpu_counter_read_positive()), so near the limit it may decide
 * either way within vm_committed_as_batch pages per CPU; the shadow
 * counts exactly.
 */
static bool vms_enough_memory(const struct vms_mm *mm, unsigned long pages)
{
	const struct vms_params *p = &mm->params;
	unsigned long committed, reserve;

	switch (p->overcommit_memory) {
	case 0:
		return !p->ram_pages || pages <= p->ram_pages;
	case 1:
		return true;
	}
	if (!p->commit_limit)
		return true;
	committed = p->commit_other + vms_committed_pages(mm) + pages;
	reserve = p->commit_admin_reserve +
		  min(mm->total_vm / 32, p->commit_user_reserve);
	return reserve < p->commit_limit && committed < p->commit_limit - reserve;
}

/*
 * map_deny_write_exec(): under 6.12's PR_SET_MDWE no mapping may become
 * writable and executable, nor executable when it was not.
 */
static bool vms_deny_write_exec(const struct vms_mm *mm, unsigned long old,
				unsigned long new)
{
	if (!mm->params.mdwe || !vms_rules_6_12(mm) ||
	    !(new & VMASHADOW_VM_EXEC))
		return false;
	return (new & VMASHADOW_VM_WRITE) || !(old & VMASHADOW_VM_EXEC);
}

/*
 * may_expand_vm(): RLIMIT_AS bounds the pages a process may map, and
 * RLIMIT_DATA those of its data mappings.  A soft data limit of 0 is
 * taken as the hard one (Valgrind sets it so), and the ignore_rlimit_data
 * boot option turns the data limit into a warning.  The pages are those
 * the call adds whatever their kind: a MAP_FIXED that replaces read-only
 * pages with data lowers its request by them all, as the kernel's does.
 */
static bool vms_may_expand(const struct vms_mm *mm, unsigned long flags,
			   unsigned long pages)
{
	const struct vms_params *p = &mm->params;

	if (p->rlimit_as && mm->total_vm + pages > p->rlimit_as >> PAGE_SHIFT)
		return false;
	if (!vms_is_data_mapping(flags) ||
	    mm->data_vm + pages <= p->rlimit_data >> PAGE_SHIFT)
		return true;
	if (!p->rlimit_data &&
	    mm->data_vm + pages <= p->rlimit_data_max >> PAGE_SHIFT)
		return true;
	return p->ignore_rlimit_data;
}

/* ---- split and remove ------------------------------------------------------ */

/*
 * __split_vma(): cut @r at @addr.  The new piece takes the lower part when
 * @new_below, else the upper; it shares @r's file and anon_vma, and the
 * upper part's page offset advances by the distance from @r's start.
 *
 *	before:	RRRRRRRR
 *	after:	RRRRNNNN	(new_below false)
 *		NNNNRRRR	(new_below true)
 */
static int vms_split(struct vms_mm *mm, struct vms_region *r,
		     unsigned long addr, bool new_below)
{
	unsigned long delta = (addr - r->start) >> PAGE_SHIFT;
	struct vms_region *new;

	/* special_mapping_split(): [vdso] and [vvar] refuse */
	if (r->flags & VMS_KIND_SPECIAL)
		return -EINVAL;
	new = vms_take_region(mm);
	if (!new)
		return -ENOMEM;
	vms_region_dup(new, r);
	if (new_below) {
		new->end = addr;
		vms_adjust(mm, r, addr, r->end, r->pgoff + delta);
	} else {
		new->start = addr;
		new->pgoff += delta;
		vms_adjust(mm, r, r->start, addr, r->pgoff);
	}
	vms_link(mm, new);
	return 0;
}

/* split_vma(): the same, refused once the map count reaches the limit. */
static int vms_split_checked(struct vms_mm *mm, struct vms_region *r,
			     unsigned long addr, bool new_below)
{
	int err;

	if (mm->map_count >= mm->params.max_map_count)
		return -ENOMEM;
	err = vms_split(mm, r, addr, new_below);
	if (!err)
		mm->count.splits++;
	return err;
}

static void vms_remove(struct vms_mm *mm, struct vms_region *r)
{
	vms_unlink(mm, r);
	vms_region_free(mm, r);
}

/*
 * do_mas_align_munmap(): unmap the page-aligned [start, end).  The first
 * and last regions it meets may be cut; every region between goes.
 *
 *	   start        end
 *	AAAAA|AAA BBB CC|CCC
 *	AAAAA           CCC	(A truncated, B removed, C truncated)
 *
 * Only a punch inside one region checks the limit: it is the one case
 * that leaves one region more than before.
 */
/*
 * An unmap in two halves, as 6.12's vms_gather_munmap_vmas() and
 * vms_complete_munmap_vmas() carry a struct vma_munmap_struct between
 * them: mmap_region() looks at what it is about to replace in between.
 */
struct vms_munmap {
	unsigned long		start;
	unsigned long		end;
	struct vms_region	*first;		/* inside [start, end), once cut */
	unsigned long		nr_pages;	/* mapped in [start, end) */
	unsigned long		nr_accounted;	/* of those, VM_ACCOUNT */
	bool			punch;		/* inside one region */
};

/*
 * The first half: cut the regions at both edges of [start, end), so that
 * the range holds only whole regions, count them, and refuse (6.12) if
 * one of them is sealed.
 */
static int vms_unmap_gather(struct vms_mm *mm, struct vms_munmap *vmu)
{
	unsigned long start = vmu->start, end = vmu->end;
	struct vms_region *r = vms_find(mm, start), *last;
	int err;

	vmu->first = NULL;
	vmu->punch = false;
	vmu->nr_pages = 0;
	vmu->nr_accounted = 0;
	if (!r || r->start >= end)
		return 0;
	if (start > r->start) {
		vmu->punch = end < r->end;
		if (vmu->punch && mm->map_count >= mm->params.max_map_count)
			return -ENOMEM;
		/* 6.12 does not split what it may not unmap */
		if (vms_sealed(r))
			return -EPERM;
		err = vms_split(mm, r, start, false);
		if (err)
			return err;
		if (vmu->punch)
			mm->count.splits++;
		else
			mm->count.truncations++;
		r = vms_next(r);
	}
	/*
	 * 6.12 gathers every region before it removes any: a sealed one
	 * fails the call with the first split already made.
	 */
	for (last = r; ; last = vms_next(last)) {
		unsigned long pages = (min(last->end, end) - last->start) >>
				      PAGE_SHIFT;

		if (vms_sealed(last))
			return -EPERM;
		vmu->nr_pages += pages;
		if (last->flags & VMASHADOW_VM_ACCOUNT)
			vmu->nr_accounted += pages;
		if (!vms_next(last) || vms_next(last)->start >= end)
			break;
	}
	vmu->first = r;
	if (last->end > end) {
		/* the last region keeps its tail; what it gives up is new */
		err = vms_split(mm, last, end, true);
		if (err)
			return err;
		if (!vmu->punch)
			mm->count.truncations++;
		if (last == r)
			vmu->first = vms_prev(last);
	}
	return 0;
}

/* Pages mapped in [start, end), as they are. */
static unsigned long vms_pages_in(struct vms_mm *mm, unsigned long start,
				  unsigned long end)
{
	struct vms_region *r;
	unsigned long pages = 0;

	for (r = vms_find(mm, start); r && r->start < end; r = vms_next(r))
		pages += (min(r->end, end) - max(r->start, start)) >> PAGE_SHIFT;
	return pages;
}

/* The second half: every region gathered goes. */
static void vms_unmap_remove(struct vms_mm *mm, const struct vms_munmap *vmu)
{
	struct vms_region *r, *next;
	unsigned long n = 0;

	for (r = vmu->first; r && r->start < vmu->end; r = next) {
		next = vms_next(r);
		vms_remove(mm, r);
		if (!vmu->punch)
			mm->count.removals++;
		if (!(++n & 1023))
			cond_resched();
	}
}

static int vms_do_unmap(struct vms_mm *mm, unsigned long start,
			unsigned long end)
{
	struct vms_munmap vmu = { .start = start, .end = end };
	int err;

	/* do_mas_munmap() of nothing: mremap's old_len 0 ends up here */
	if (start >= end)
		return -EINVAL;
	err = vms_unmap_gather(mm, &vmu);
	if (!err)
		vms_unmap_remove(mm, &vmu);
	return err;
}

/* ---- munmap ------------------------------------------------------------------ */

/*
 * do_mas_munmap(): munmap(2)'s checks, then the unmap.  mremap's own
 * unmaps come through here too, and fail the same way.
 */
static int vms_munmap_checked(struct vms_mm *mm, unsigned long start,
			      unsigned long len)
{
	unsigned long end;

	if ((start & ~PAGE_MASK) || start > VMS_TASK_SIZE ||
	    len > VMS_TASK_SIZE - start)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end == start)
		return -EINVAL;
	return vms_do_unmap(mm, start, end);
}

int vms_unmap(struct vms_mm *mm, unsigned long start, unsigned long len)
{
	int err;

	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;
	vms_explain_begin(mm, VMASHADOW_OP_UNMAP, start, start + len);
	return vms_munmap_checked(mm, start, len);
}

/* ---- mmap -------------------------------------------------------------------- */

/* round_hint_to_min(): a hint below mmap_min_addr becomes mmap_min_addr. */
static unsigned long vms_round_hint(const struct vms_mm *mm, unsigned long hint)
{
	hint &= PAGE_MASK;
	if (hint && hint < mm->params.mmap_min_addr)
		return PAGE_ALIGN(mm->params.mmap_min_addr);
	return hint;
}

/*
 * x86_64's arch_get_unmapped_area_topdown(): a hint if the range fits below
 * the next region's guard gap, else the highest gap below mmap_base, else
 * the lowest above TASK_UNMAPPED_BASE.  MAP_32BIT takes a hint below 2 GiB,
 * else searches bottom-up in the second GiB (not randomised: the shadow
 * has no ASLR).
 */
static unsigned long vms_arch_area(struct vms_mm *mm, unsigned long addr,
				   unsigned long len, unsigned long flags)
{
	unsigned long low_limit = PAGE_SIZE;

	if (len > VMS_TASK_SIZE)
		return -ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	if (flags & MAP_32BIT) {
		/* arch_get_unmapped_area(): a hint first, below 2 GiB */
		if (len > SZ_2G)
			return -ENOMEM;
		if (addr) {
			struct vms_region *next;

			addr = PAGE_ALIGN(addr);
			next = vms_find(mm, addr);
			if (SZ_2G - len >= addr &&
			    (!next || addr + len <= vms_start_gap(next)))
				return addr;
		}
		return vms_unmapped_area(mm, len, SZ_1G, SZ_2G);
	}
	if (addr) {
		addr &= PAGE_MASK;
		if (VMS_TASK_SIZE - len >= addr) {
			struct vms_region *next = vms_find(mm, addr);

			if (!next || addr + len <= vms_start_gap(next))
				return addr;
		}
	}
	if (vms_rules_6_12(mm)) {
		/* 6.12 keeps the search above mmap_min_addr, or 4 GiB */
		low_limit = max(low_limit, mm->params.mmap_min_addr);
		if (flags & VMS_MAP_ABOVE4G)
			low_limit = SZ_4G;
	}
	addr = vms_unmapped_area_topdown(mm, len, low_limit,
					 mm->params.mmap_base);
	if (!IS_ERR_VALUE(addr))
		return addr;
	return vms_unmapped_area(mm, len, PAGE_ALIGN(VMS_TASK_SIZE / 3),
				 VMS_TASK_SIZE);
}

/*
 * __thp_get_unmapped_area(): ask for 2 MiB more than needed, then place the
 * range where its file offset meets a 2 MiB boundary.  When the padded
 * range is already aligned, 6.12 moves up by 2 MiB so that the range ends
 * at the top of the gap, where 6.1 leaves a 2 MiB hole above it (row 6).
 * Returns 0 when the padding does not fit.
 */
static unsigned long vms_thp_area(struct vms_mm *mm, unsigned long addr,
				  unsigned long len, unsigned long long off,
				  unsigned long flags)
{
	unsigned long long off_end = off + len;
	unsigned long long off_align = round_up(off, (unsigned long long)SZ_2M);
	unsigned long len_pad, ret, off_sub;

	if (off_end <= off_align || off_end - off_align < SZ_2M)
		return 0;
	len_pad = len + SZ_2M;
	if (len_pad < len || off + len_pad < off)
		return 0;
	ret = vms_arch_area(mm, addr, len_pad, flags);
	if (IS_ERR_VALUE(ret))
		return 0;
	if (ret == addr)
		return addr;
	off_sub = (off - ret) & (SZ_2M - 1);
	if (vms_rules_6_12(mm) && !off_sub)
		return ret + SZ_2M;
	return ret + off_sub;
}

/*
 * get_unmapped_area(): where a mapping of @len bytes goes.  Files whose
 * filesystem asks for it (ext4, xfs...) are placed for huge pages, and so,
 * on 6.12, is a multiple of 2 MiB given no hint (row 5) of anonymous
 * private memory or of a file with no ->get_unmapped_area of its own (a
 * block device): 6.12's __get_unmapped_area() falls back to
 * thp_get_unmapped_area_vmflags() for both.  Then the checks every
 * placement passes.
 */
static bool vms_thp_fallback(const struct vms_mm *mm,
			     const struct vms_file *file, unsigned long addr,
			     unsigned long len, unsigned long flags)
{
	if (!vms_rules_6_12(mm) || addr || !IS_ALIGNED(len, SZ_2M))
		return false;
	return file ? file->mode & VMS_FMODE_NOAREA : !(flags & MAP_SHARED);
}

static unsigned long vms_get_unmapped_area(struct vms_mm *mm,
					   const struct vms_file *file,
					   unsigned long addr,
					   unsigned long len,
					   unsigned long pgoff,
					   unsigned long flags)
{
	unsigned long found = 0;

	if (len > VMS_TASK_SIZE)
		return -ENOMEM;
	if ((file && (file->mode & VMS_FMODE_THP)) ||
	    vms_thp_fallback(mm, file, addr, len, flags))
		found = vms_thp_area(mm, addr, len,
				     file ? (unsigned long long)pgoff << PAGE_SHIFT : 0,
				     flags);
	addr = found ? found : vms_arch_area(mm, addr, len, flags);
	if (IS_ERR_VALUE(addr))
		return addr;

	if (addr > VMS_TASK_SIZE - len)
		return -ENOMEM;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	/* security_mmap_addr(): below mmap_min_addr needs CAP_SYS_RAWIO */
	if (addr < mm->params.mmap_min_addr && !mm->may_map_low)
		return -EPERM;
	return addr;
}

/* The flags do_mmap() gives a mapping before it looks at the backing. */
static unsigned long vms_mmap_flags(const struct vms_mm *mm,
				    unsigned long prot, unsigned long flags)
{
	unsigned long vm_flags = VMASHADOW_VM_MAYREAD | VMASHADOW_VM_MAYWRITE |
				 VMASHADOW_VM_MAYEXEC;

	if (prot & PROT_READ)
		vm_flags |= VMASHADOW_VM_READ;
	if (prot & PROT_WRITE)
		vm_flags |= VMASHADOW_VM_WRITE;
	if (prot & PROT_EXEC)
		vm_flags |= VMASHADOW_VM_EXEC;
	if (flags & MAP_GROWSDOWN)
		vm_flags |= VMASHADOW_VM_GROWSDOWN;
	if (flags & MAP_LOCKED)
		vm_flags |= VMASHADOW_VM_LOCKED;
	/* mlockall(MCL_FUTURE) */
	vm_flags |= mm->params.def_flags;
	/* 6.12: thread stacks get no huge pages (row 4) */
	if ((flags & MAP_STACK) && vms_rules_6_12(mm))
		vm_flags |= VMASHADOW_VM_NOHUGEPAGE;
	return vm_flags;
}

/* The mmap flags every file accepts (LEGACY_MAP_MASK). */
#define VMS_LEGACY_MAP_MASK	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | \
				 MAP_ANONYMOUS | MAP_DENYWRITE | \
				 MAP_EXECUTABLE | MAP_UNINITIALIZED | \
				 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | \
				 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | \
				 MAP_HUGETLB)

/*
 * file_mmap_ok(): every byte mapped must be at an offset the file can
 * have: below 2^63 (MAX_LFS_FILESIZE) in a regular file, a block device
 * or a socket, below 2^64 in other files, anywhere in the few devices
 * that take unsigned offsets (/dev/mem).
 */
static bool vms_file_mmap_ok(const struct vms_file *file, unsigned long pgoff,
			     unsigned long len)
{
	unsigned long maxsize;

	if (file->mode & VMS_FMODE_UNSIGNED)
		return true;
	maxsize = file->mode & VMS_FMODE_LFS ? LLONG_MAX : ULONG_MAX;
	if (len > maxsize)
		return false;
	return pgoff <= (maxsize - len) >> PAGE_SHIFT;
}

/* A memfd with F_SEAL_WRITE or F_SEAL_FUTURE_WRITE: is_write_sealed() */
static bool vms_write_sealed(const struct vms_file *file)
{
	return file && (file->mode & (VMS_FMODE_SEAL_WRITE |
				      VMS_FMODE_SEAL_FUTURE_WRITE));
}

/*
 * A new shared writable mapping of a write-sealed memfd is -EPERM.  6.12
 * asks in do_mmap() (memfd_check_seals_mmap()); 6.1 asks F_SEAL_WRITE
 * first thing in mmap_region() (mapping_map_writable()), and
 * F_SEAL_FUTURE_WRITE in shmem_mmap(), which only a mapping that did not
 * expand a neighbour gets to, after the old range is unmapped.
 */
static bool vms_sealed_writable(const struct vms_file *file,
				unsigned long vm_flags)
{
	return vms_write_sealed(file) && (vm_flags & VMASHADOW_VM_SHARED) &&
	       (vm_flags & VMASHADOW_VM_WRITE);
}

/* do_mmap()'s checks of a file mapping against the opened file. */
static int vms_mmap_file_flags(const struct vms_mm *mm,
			       const struct vms_file *file, unsigned long prot,
			       unsigned long flags, unsigned long *vm_flags)
{
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		flags &= VMS_LEGACY_MAP_MASK;
		fallthrough;
	case MAP_SHARED_VALIDATE:
		if (flags & ~VMS_LEGACY_MAP_MASK)
			return -EOPNOTSUPP;
		if ((prot & PROT_WRITE) && !(file->mode & VMS_FMODE_WRITE))
			return -EACCES;
		if ((file->mode & VMS_FMODE_APPEND) &&
		    (file->mode & VMS_FMODE_WRITE))
			return -EACCES;
		*vm_flags |= VMASHADOW_VM_SHARED | VMASHADOW_VM_MAYSHARE;
		if (!(file->mode & VMS_FMODE_WRITE))
			*vm_flags &= ~(VMASHADOW_VM_MAYWRITE |
				       VMASHADOW_VM_SHARED);
		else if (vms_write_sealed(file) &&
			 !(*vm_flags & VMASHADOW_VM_WRITE))
			/* read-only for good: mprotect may not undo it */
			*vm_flags &= ~VMASHADOW_VM_MAYWRITE;
		fallthrough;
	case MAP_PRIVATE:
		if (!(file->mode & VMS_FMODE_READ))
			return -EACCES;
		if (file->mode & VMS_FMODE_NOEXEC) {
			if (*vm_flags & VMASHADOW_VM_EXEC)
				return -EPERM;
			*vm_flags &= ~VMASHADOW_VM_MAYEXEC;
		}
		if (file->mode & VMS_FMODE_NOMMAP)
			return -ENODEV;
		if (*vm_flags & VMASHADOW_VM_GROWSDOWN)
			return -EINVAL;
		if (vms_rules_6_12(mm) && vms_sealed_writable(file, *vm_flags))
			return -EPERM;
		return 0;
	default:
		return -EINVAL;
	}
}

/* The flags the kernel gives its [vdso] and [vvar] special mappings. */
static unsigned long vms_special_flags(unsigned int op_flags)
{
	if (op_flags & VMASHADOW_OPF_VVAR)
		return VMASHADOW_VM_READ | VMASHADOW_VM_MAYREAD |
		       VMASHADOW_VM_IO | VMASHADOW_VM_DONTDUMP |
		       VMASHADOW_VM_PFNMAP | VMASHADOW_VM_DONTEXPAND |
		       VMASHADOW_VM_CLOSE_OP | VMS_KIND_VVAR;
	return VMASHADOW_VM_READ | VMASHADOW_VM_EXEC | VMASHADOW_VM_MAYREAD |
	       VMASHADOW_VM_MAYWRITE | VMASHADOW_VM_MAYEXEC |
	       VMASHADOW_VM_DONTEXPAND | VMASHADOW_VM_CLOSE_OP | VMS_KIND_VDSO;
}

static void vms_shmem_release(struct vms_file *file)
{
	kfree(file);
}

static int vms_shmem_name(const struct vms_file *file, char *buf, size_t size)
{
	return scnprintf(buf, size, "/dev/zero (deleted)");
}

static const struct vms_file_ops vms_shmem_ops = {
	.release	= vms_shmem_release,
	.name		= vms_shmem_name,
};

/* shmem_zero_setup(): a shared anonymous mapping is a file of its own. */
static struct vms_file *vms_shmem_alloc(struct vms_mm *mm,
					unsigned long pages)
{
	struct vms_file *file = kzalloc(sizeof(*file), GFP_KERNEL_ACCOUNT);

	if (!file)
		return NULL;
	refcount_set(&file->ref, 1);
	file->id = vms_file_new_id();
	file->ino = mm->next_shmem_ino++;
	file->dev_minor = 1;
	file->mode = VMS_FMODE_READ | VMS_FMODE_WRITE;
	file->kind = VMASHADOW_KIND_SHMEM;
	file->pages = pages;
	file->ops = &vms_shmem_ops;
	return file;
}

/* What mmap_region() is asked to map once do_mmap() has checked it. */
struct vms_new_range {
	unsigned long		start;
	unsigned long		end;
	unsigned long		flags;
	unsigned long		pgoff;
	struct vms_file		*file;
	bool			new_shmem;	/* shmem_zero_setup() made file */
};

/*
 * Grow @r over [start, end) with page offset @pgoff, removing @next when
 * it is swallowed whole: vma_expand().
 */
static void vms_expand(struct vms_mm *mm, struct vms_region *r,
		       unsigned long start, unsigned long end,
		       unsigned long pgoff, struct vms_region *next)
{
	if (next && next != r && end == next->end) {
		vms_adopt_anon(r, next);
		vms_remove(mm, next);
		mm->count.merges++;
	}
	vms_adjust(mm, r, start, end, pgoff);
	mm->count.merges++;
}

/*
 * Which neighbours a new range joins, by 6.1's mmap_region(): next is
 * tried first, with no anon_vma; prev is then asked to take the range with
 * next's anon_vma, if next said yes.
 *
 *	PPPP....NNNN		the new range fills the dots
 *	PPPPAAAANNNN		both agree: one region
 *	PPPPAAAAAAAA		unfaulted P, faulted N: P | A+N
 */
static struct vms_region *vms_merge_new_6_1(struct vms_mm *mm,
					    struct vms_new_range *nr,
					    struct vms_region *prev,
					    struct vms_region *next)
{
	unsigned long pglen = (nr->end - nr->start) >> PAGE_SHIFT;
	struct vmashadow_explain *ex = &mm->last;
	unsigned long start = nr->start, end = nr->end, pgoff = nr->pgoff;
	struct vms_region *r = NULL;

	if (next && next->start == nr->end &&
	    vms_can_merge_before(mm, next, nr->flags, NULL, nr->file,
				 nr->pgoff, pglen, &ex->next)) {
		end = next->end;
		r = next;
		pgoff = next->pgoff - pglen;
	}
	if (prev && prev->end == nr->start &&
	    vms_can_merge_after(mm, prev, nr->flags, r ? vms_anon_of(r) : NULL,
				nr->file, nr->pgoff, &ex->prev)) {
		start = prev->start;
		r = prev;
		pgoff = prev->pgoff;
	}
	if (r)
		vms_expand(mm, r, start, end, pgoff, next);
	return r;
}

/*
 * The same by 6.12's vma_merge_new_range(): prev first, then next, and
 * both only if prev's and next's anon_vmas are compatible with each other;
 * a next with ->close is not deleted but left in place.
 */
static struct vms_region *vms_merge_new_anon_6_12(struct vms_mm *mm,
						  struct vms_new_range *nr,
						  struct vms_region *prev,
						  struct vms_region *next,
						  const struct vms_anon *anon)
{
	unsigned long pglen = (nr->end - nr->start) >> PAGE_SHIFT;
	struct vmashadow_explain *ex = &mm->last;
	unsigned long start = nr->start, end = nr->end, pgoff = nr->pgoff;
	struct vms_region *r = NULL;
	bool left, right;

	left = prev && prev->end == nr->start &&
	       vms_can_merge_after(mm, prev, nr->flags, anon, nr->file,
				   nr->pgoff, &ex->prev);
	right = next && next->start == nr->end &&
		vms_can_merge_before(mm, next, nr->flags, anon, nr->file,
				     nr->pgoff, pglen, &ex->next);
	if (left && right &&
	    !vms_anon_mergeable(vms_anon_of(prev), vms_anon_of(next), NULL)) {
		right = false;
		ex->next.verdict = VMASHADOW_VERDICT_REFUSED;
		ex->next.why = VMASHADOW_WHY_PREV_NEXT;
	}
	if (right) {
		end = next->end;
		r = next;
		pgoff = next->pgoff - pglen;
	}
	if (left) {
		start = prev->start;
		r = prev;
		pgoff = prev->pgoff;
		if (right && (next->flags & VMASHADOW_VM_CLOSE_OP)) {
			end = nr->end;
			ex->next.verdict = VMASHADOW_VERDICT_REFUSED;
			ex->next.why = VMASHADOW_WHY_CLOSE_OP;
		}
	}
	if (r)
		vms_expand(mm, r, start, end, pgoff, next);
	return r;
}

static struct vms_region *vms_merge_new_6_12(struct vms_mm *mm,
					     struct vms_new_range *nr,
					     struct vms_region *prev,
					     struct vms_region *next)
{
	return vms_merge_new_anon_6_12(mm, nr, prev, next, NULL);
}

/*
 * Neighbours that do not touch the range are no candidates at all.  Asked
 * before the merge: a merge moves the bounds and may free next.
 */
static void vms_explain_touching(struct vmashadow_explain *ex,
				 const struct vms_region *prev,
				 const struct vms_region *next,
				 unsigned long start, unsigned long end)
{
	if (!prev || prev->end != start)
		ex->prev.verdict = U32_MAX;
	if (!next || next->start != end)
		ex->next.verdict = U32_MAX;
}

/* Forget the sides marked by vms_explain_touching(). */
static void vms_explain_finish(struct vmashadow_explain *ex)
{
	if (ex->prev.verdict == U32_MAX)
		memset(&ex->prev, 0, sizeof(ex->prev));
	if (ex->next.verdict == U32_MAX)
		memset(&ex->next, 0, sizeof(ex->next));
	if (ex->prev.verdict == VMASHADOW_VERDICT_MERGED &&
	    ex->next.verdict == VMASHADOW_VERDICT_MERGED)
		ex->merge_case = 1;
	else if (ex->prev.verdict == VMASHADOW_VERDICT_MERGED)
		ex->merge_case = 2;
	else if (ex->next.verdict == VMASHADOW_VERDICT_MERGED)
		ex->merge_case = 3;
}

/* A special mapping merges with nothing: say so of the neighbours it touches. */
static void vms_explain_special(struct vmashadow_explain *ex,
				const struct vms_region *prev,
				const struct vms_region *next)
{
	if (ex->prev.verdict != U32_MAX) {
		ex->prev.start = prev->start;
		ex->prev.end = prev->end;
		ex->prev.verdict = VMASHADOW_VERDICT_REFUSED;
		ex->prev.why = VMASHADOW_WHY_SPECIAL;
	}
	if (ex->next.verdict != U32_MAX) {
		ex->next.start = next->start;
		ex->next.end = next->end;
		ex->next.verdict = VMASHADOW_VERDICT_REFUSED;
		ex->next.why = VMASHADOW_WHY_SPECIAL;
	}
}

/*
 * mmap_region(): clear [start, end), then extend a neighbour over it or
 * link @new there.
 */
static int vms_mmap_region(struct vms_mm *mm, struct vms_new_range *nr)
{
	unsigned long pages = (nr->end - nr->start) >> PAGE_SHIFT, charge;
	struct vms_region *prev, *next, *r = NULL;
	int err;

	/* 6.1's mapping_map_writable(): F_SEAL_WRITE denies writers */
	if (!vms_rules_6_12(mm) && nr->file &&
	    (nr->file->mode & VMS_FMODE_SEAL_WRITE) &&
	    (nr->flags & VMASHADOW_VM_SHARED) &&
	    (nr->flags & VMASHADOW_VM_MAYWRITE))
		return -EPERM;
	if (vms_deny_write_exec(mm, nr->flags, nr->flags))
		return -EACCES;
	if (!vms_rules_6_12(mm)) {
		/* 6.1 asks before it unmaps anything: row 11 */
		if (!vms_may_expand(mm, nr->flags, pages) &&
		    !vms_may_expand(mm, nr->flags,
				    pages - vms_pages_in(mm, nr->start,
							 nr->end)))
			return -ENOMEM;
		/*
		 * Any failure of the unmap is -ENOMEM, even a [vdso]
		 * refusing the cut (-EINVAL on 6.12).
		 */
		if (vms_do_unmap(mm, nr->start, nr->end))
			return -ENOMEM;
		/* the charge comes after the unmap, which stays: row 12 */
		if ((nr->flags & VMASHADOW_VM_ACCOUNT) &&
		    !vms_enough_memory(mm, pages))
			return -ENOMEM;
	} else {
		struct vms_munmap vmu = { .start = nr->start, .end = nr->end };

		/* 6.12 cuts first and fails with the cuts made: row 11 */
		err = vms_unmap_gather(mm, &vmu);
		if (err)
			return err;
		if (!vms_may_expand(mm, nr->flags, pages - vmu.nr_pages))
			return -ENOMEM;
		/* what it replaces was charged already; the cuts stay: row 12 */
		charge = pages - vmu.nr_accounted;
		if ((nr->flags & VMASHADOW_VM_ACCOUNT) && charge &&
		    !vms_enough_memory(mm, charge))
			return -ENOMEM;
		/* vms_clean_up_area(): from here on a failure leaves a gap */
		vms_unmap_remove(mm, &vmu);
	}
	/*
	 * shmem_zero_setup() charges a new shared anonymous object whole, on
	 * both kernels after the old range is gone for good.
	 */
	if (nr->new_shmem && !(nr->flags & VMASHADOW_VM_NORESERVE) &&
	    !vms_enough_memory(mm, pages))
		return -ENOMEM;

	next = vms_find_prev(mm, nr->start, &prev);
	vms_explain_begin(mm, VMASHADOW_OP_MAP, nr->start, nr->end);
	vms_explain_touching(&mm->last, prev, next, nr->start, nr->end);
	if (nr->flags & VMS_SPECIAL_FLAGS)
		vms_explain_special(&mm->last, prev, next);
	else if (vms_rules_6_12(mm))
		r = vms_merge_new_6_12(mm, nr, prev, next);
	else
		r = vms_merge_new_6_1(mm, nr, prev, next);
	vms_explain_finish(&mm->last);
	if (r)
		return 0;
	/* 6.1's shmem_mmap(): the old range stays unmapped */
	if (!vms_rules_6_12(mm) && vms_sealed_writable(nr->file, nr->flags))
		return -EPERM;

	r = vms_take_region(mm);
	if (!r)
		return -ENOMEM;
	r->start = nr->start;
	r->end = nr->end;
	r->flags = nr->flags;
	r->pgoff = nr->pgoff;
	vms_set_file(r, nr->file);
	if (nr->file)
		refcount_inc(&nr->file->ref);
	vms_link(mm, r);
	return 0;
}

/*
 * mmap(2) on the shadow: do_mmap() and mmap_region() of the kernel the
 * shadow follows.  The syscall's own check of the offset comes first.
 */
int vms_map(struct vms_mm *mm, const struct vms_map_req *req,
	    unsigned long *addr_out)
{
	struct vms_file *file = req->file, *shmem = NULL;
	unsigned long addr = req->addr, len = req->len;
	unsigned long flags = req->flags, prot = req->prot;
	struct vms_new_range nr = { };
	int err;

	if (req->offset & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED))
		addr = vms_round_hint(mm, addr);
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	nr.pgoff = req->offset >> PAGE_SHIFT;
	if (nr.pgoff + (len >> PAGE_SHIFT) < nr.pgoff)
		return -EOVERFLOW;
	if (mm->map_count > mm->params.max_map_count)
		return -ENOMEM;

	addr = vms_get_unmapped_area(mm, file, addr, len, nr.pgoff, flags);
	if (IS_ERR_VALUE(addr))
		return (int)addr;
	if ((flags & MAP_FIXED_NOREPLACE) &&
	    vms_find_intersection(mm, addr, addr + len))
		return -EEXIST;

	nr.flags = vms_mmap_flags(mm, prot, flags);
	if ((flags & MAP_LOCKED) && !vms_can_do_mlock(mm))
		return -EPERM;
	if (!vms_mlock_future_ok(mm, nr.flags, len))
		return -EAGAIN;
	if (file) {
		if (!vms_file_mmap_ok(file, nr.pgoff, len))
			return -EOVERFLOW;
		err = vms_mmap_file_flags(mm, file, prot, flags, &nr.flags);
		if (err)
			return err;
	} else {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			if (nr.flags & VMASHADOW_VM_GROWSDOWN)
				return -EINVAL;
			nr.pgoff = 0;
			nr.flags |= VMASHADOW_VM_SHARED | VMASHADOW_VM_MAYSHARE;
			break;
		case MAP_DROPPABLE:
			/* 6.12: memory the kernel may drop; 6.1 knows it not */
			if (!vms_rules_6_12(mm))
				return -EINVAL;
			if (flags & (MAP_LOCKED | MAP_HUGETLB))
				return -EINVAL;
			if (nr.flags & VMASHADOW_VM_GROWSDOWN)
				return -EINVAL;
			nr.flags |= VMASHADOW_VM_DROPPABLE |
				    VMASHADOW_VM_NORESERVE |
				    VMASHADOW_VM_WIPEONFORK |
				    VMASHADOW_VM_DONTDUMP;
			fallthrough;
		case MAP_PRIVATE:
			nr.pgoff = addr >> PAGE_SHIFT;
			break;
		default:
			return -EINVAL;
		}
	}
	if ((flags & MAP_NORESERVE) && mm->params.overcommit_memory != 2)
		nr.flags |= VMASHADOW_VM_NORESERVE;
	/* accountable_mapping(): private writable memory is charged */
	if ((nr.flags & (VMASHADOW_VM_NORESERVE | VMASHADOW_VM_SHARED |
			 VMASHADOW_VM_WRITE)) == VMASHADOW_VM_WRITE)
		nr.flags |= VMASHADOW_VM_ACCOUNT;
	if (req->op_flags & VMASHADOW_OPF_CLOSE_OP)
		nr.flags |= VMASHADOW_VM_CLOSE_OP;
	if (req->op_flags & (VMASHADOW_OPF_VDSO | VMASHADOW_OPF_VVAR)) {
		if (file)
			return -EINVAL;
		nr.flags = vms_special_flags(req->op_flags);
		nr.pgoff = 0;
	}

	err = vms_prealloc(mm, VMS_PREALLOC_MAP);
	if (err)
		return err;
	/*
	 * mmap_zero(): a shared mapping of /dev/zero is shared anonymous
	 * memory (shmem_zero_setup()), at the offset asked; through a
	 * read-only open it is not VM_SHARED, and stays /dev/zero's.
	 */
	if (file && (file->mode & VMS_FMODE_ZERO) &&
	    (nr.flags & VMASHADOW_VM_SHARED))
		file = NULL;
	if (!file && (nr.flags & VMASHADOW_VM_SHARED)) {
		shmem = vms_shmem_alloc(mm, len >> PAGE_SHIFT);
		if (!shmem)
			return -ENOMEM;
		file = shmem;
	}
	nr.start = addr;
	nr.end = addr + len;
	nr.file = file;
	nr.new_shmem = shmem;
	err = vms_mmap_region(mm, &nr);
	vms_file_put(shmem);
	if (err)
		return err;
	/* do_mmap() asks mm_populate() for locked or MAP_POPULATE memory */
	if ((nr.flags & VMASHADOW_VM_LOCKED) ||
	    (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE)
		vms_mm_populate(mm, addr, addr + len, true);
	*addr_out = addr;
	return 0;
}

/* ---- the vdso ------------------------------------------------------------------ */

/* map_vdso_once(): is a [vdso] or [vvar] mapped already? */
static bool vms_has_vdso(const struct vms_mm *mm)
{
	const struct vms_region *r;

	for (r = vms_first(mm); r; r = vms_next(r))
		if (r->flags & (VMS_KIND_VDSO | VMS_KIND_VVAR))
			return true;
	return false;
}

/*
 * 6.1's vdso_addr(): a page in the PMD above the stack, picked at random
 * by prandom_u32_max(); @page is that draw, counted in pages from
 * start_stack rounded up to a page, and must be one the kernel could
 * make.  6.12 removed it: exec asks for any place (row 7).
 *
 * The kernel draws from the start_stack that setup_arg_pages() set, which
 * is mm->arg_start.  create_elf_tables() then moves the stack pointer
 * down, by arch_align_stack()'s random up to 8 KiB and by the auxiliary
 * vector and the argv and envp pointers, and sets the start_stack that
 * IMPORT reads: up to a few pages lower, or in the same page.  So the
 * draws run from arg_start rounded up to a page, A, to the last place in
 * the PMD above it where the pair still fits:
 *
 *	S       A                                B: a PMD boundary
 *	|-------|======= the draws =======|<- T ->|
 *	page 0  first                      last: B - T, T the pair's size
 *
 * Counted from start_stack rounded up, S, they would end a PMD early where
 * a boundary lies between the two (S + T <= B < A + T).  Without
 * arg_start (0: not known, as in a shadow that was not imported) any
 * start from S up to the top of the stack region holding start_stack,
 * which only ever grows down, may have been the kernel's: a draw is
 * refused only if none could give it.  A process that moved arg_start
 * since exec (prctl(PR_SET_MM_ARG_START) or PR_SET_MM_MAP, as CRIU's
 * restore does) has its real draw refused.
 */
static unsigned long vms_vdso_draw_end(unsigned long start, unsigned long len)
{
	unsigned long end = (start + len + SZ_2M - 1) & ~(SZ_2M - 1UL);

	end = min(end, VMS_TASK_SIZE) - len;
	return max(end, start);
}

static int vms_vdso_exec_hint(struct vms_mm *mm, unsigned long len,
			      unsigned long page, unsigned long *hint)
{
	unsigned long base = PAGE_ALIGN(mm->params.start_stack), first, last;

	if (vms_rules_6_12(mm)) {
		*hint = 0;
		return page ? -EINVAL : 0;
	}
	if (mm->params.arg_start) {
		first = PAGE_ALIGN(mm->params.arg_start);
		last = vms_vdso_draw_end(first, len);
	} else {
		struct vms_region *stack = vms_lookup(mm, mm->params.start_stack);

		first = base;
		last = stack && (stack->flags & VMASHADOW_VM_GROWSDOWN) ?
		       max(base, stack->end) : base;
		last = vms_vdso_draw_end(last, len);
	}
	if (last < base || page > (last - base) >> PAGE_SHIFT ||
	    base + (page << PAGE_SHIFT) < first)
		return -EINVAL;
	*hint = base + (page << PAGE_SHIFT);
	return 0;
}

/* _install_special_mapping(): link a region that merges with nothing. */
static void vms_install_special(struct vms_mm *mm, unsigned long start,
				unsigned long len, unsigned int op_flags)
{
	struct vms_region *r = vms_take_region(mm), *prev, *next;

	next = vms_find_prev(mm, start, &prev);
	vms_explain_touching(&mm->last, prev, next, start, start + len);
	vms_explain_special(&mm->last, prev, next);
	vms_explain_finish(&mm->last);
	r->start = start;
	r->end = start + len;
	r->flags = vms_special_flags(op_flags);
	r->pgoff = 0;
	vms_link(mm, r);
}

/*
 * map_vdso(): [vvar] (@vvar_len bytes) and right above it [vdso] (@len),
 * where get_unmapped_area(NULL, hint, ...) puts the pair.  Without
 * @at_exec it is arch_prctl(ARCH_MAP_VDSO_64, @addr), refused while either
 * is mapped; with it, arch_setup_additional_pages() at exec, whose hint
 * is the kernel's own (@page: 6.1's random draw, see vdso_addr()).
 *
 *	6.1, exec:   [stack] .. [vvar][vdso]	a random page in the PMD above
 *	6.12, exec:  [vvar][vdso] <- mmap_base	first fit, top down
 *
 * A special mapping is inserted, not mapped: no max_map_count check, no
 * merge.  Returns the [vdso]'s address in @out.
 */
int vms_map_vdso(struct vms_mm *mm, unsigned long addr, unsigned long len,
		 unsigned long vvar_len, unsigned long page, bool at_exec,
		 unsigned long *out)
{
	unsigned long total = vvar_len + len;
	int err;

	if (!len || !vvar_len || ((len | vvar_len) & ~PAGE_MASK) ||
	    total < len || total > VMS_TASK_SIZE)
		return -EINVAL;
	if (at_exec) {
		err = vms_vdso_exec_hint(mm, total, page, &addr);
		if (err)
			return err;
	} else if (page) {
		return -EINVAL;
	}
	if (vms_has_vdso(mm))
		return -EEXIST;
	addr = vms_get_unmapped_area(mm, NULL, addr, total, 0, 0);
	if (IS_ERR_VALUE(addr))
		return addr;
	err = vms_prealloc(mm, 2);
	if (err)
		return err;
	vms_explain_begin(mm, VMASHADOW_OP_MAP_VDSO, addr, addr + total);
	vms_install_special(mm, addr + vvar_len, len, VMASHADOW_OPF_VDSO);
	vms_install_special(mm, addr, vvar_len, VMASHADOW_OPF_VVAR);
	*out = addr + vvar_len;
	return 0;
}

/* ---- mprotect ------------------------------------------------------------------ */

/*
 * The change mprotect_fixup() asks of vma_merge(): give [start, end) of
 * @area (or all of it) the flags @flags, keeping @area's file, anon_vma and
 * page offset.
 */
struct vms_change {
	struct vms_region	*prev;	/* region before start, or @area */
	struct vms_region	*area;	/* the region holding start */
	unsigned long		start;
	unsigned long		end;
	unsigned long		flags;
	unsigned long		pgoff;	/* of start */
};

/* Record a region taken out by a merge and free it. */
static void vms_merge_remove(struct vms_mm *mm, struct vms_region *keep,
			     struct vms_region *gone)
{
	vms_adopt_anon(keep, gone);
	vms_remove(mm, gone);
}

/*
 * 6.1's vma_merge() for a range that is already mapped.  The cases of the
 * diagram in mm/mmap.c, where AAAA is the range, PPPP the region before,
 * NNNN the one holding or following the range, XXXX the one after that:
 *
 *     AAAA             AAAA                   AAAA
 *    PPPPPPNNNNNN    PPPPPPNNNNNN       PPPPPPNNNNNN
 *    cannot merge    might become       might become
 *                    PPNNNNNNNNNN       PPPPPPPPPPNN
 *    mmap, brk or    case 4 below       case 5 below
 *    mremap move:
 *                        AAAA               AAAA
 *                    PPPP    NNNN       PPPPNNNNXXXX
 *                    might become       might become
 *                    PPPPPPPPPPPP 1 or  PPPPPPPPPPPP 6 or
 *                    PPPPPPPPNNNN 2 or  PPPPPPPPXXXX 7 or
 *                    PPPPNNNNNNNN 3     PPPPXXXXXXXX 8
 */
static struct vms_region *vms_merge_6_1(struct vms_mm *mm,
					struct vms_change *c)
{
	unsigned long pglen = (c->end - c->start) >> PAGE_SHIFT;
	struct vmashadow_explain *ex = &mm->last;
	struct vms_region *prev = c->prev, *mid, *next;
	const struct vms_anon *anon = vms_anon_of(c->area);
	const struct vms_file *file = vms_file_of(c->area);
	bool merge_prev = false, merge_next = false;

	if (c->flags & VMS_SPECIAL_FLAGS)
		return NULL;

	next = prev ? vms_find(mm, prev->end) : vms_first(mm);
	mid = next;
	if (next && next->end == c->end)		/* cases 6, 7, 8 */
		next = vms_next(next);

	if (prev && prev->end == c->start)
		merge_prev = vms_can_merge_after(mm, prev, c->flags, anon,
						 file, c->pgoff, &ex->prev);
	if (next && c->end == next->start)
		merge_next = vms_can_merge_before(mm, next, c->flags, anon,
						  file, c->pgoff, pglen,
						  &ex->next);

	if (merge_prev && merge_next &&
	    !vms_anon_mergeable(vms_anon_of(prev), vms_anon_of(next), NULL)) {
		merge_next = false;
		ex->next.verdict = VMASHADOW_VERDICT_REFUSED;
		ex->next.why = VMASHADOW_WHY_PREV_NEXT;
	}

	if (merge_prev && merge_next) {			/* cases 1, 6 */
		unsigned long end = next->end;

		ex->merge_case = mid == next ? 1 : 6;
		if (mid != next)
			vms_merge_remove(mm, prev, mid);
		vms_merge_remove(mm, prev, next);
		vms_adjust(mm, prev, prev->start, end, prev->pgoff);
		mm->count.merges += 2;
		return prev;
	}
	if (merge_prev) {				/* cases 2, 5, 7 */
		if (mid && mid->start < c->end && mid->end == c->end) {
			ex->merge_case = 7;
			vms_merge_remove(mm, prev, mid);
		} else if (mid && mid->start < c->end) {
			ex->merge_case = 5;
			vms_adopt_anon(prev, mid);
			vms_adjust(mm, mid, c->end, mid->end,
				   mid->pgoff + pglen);
		} else {
			ex->merge_case = 2;
		}
		vms_adjust(mm, prev, prev->start, c->end, prev->pgoff);
		mm->count.merges++;
		return prev;
	}
	if (merge_next) {
		if (prev && c->start < prev->end) {	/* case 4 */
			ex->merge_case = 4;
			vms_adjust(mm, prev, prev->start, c->start, prev->pgoff);
			vms_adopt_anon(next, prev);
		} else {				/* cases 3, 8 */
			ex->merge_case = mid == next ? 3 : 8;
			if (mid != next)
				vms_merge_remove(mm, next, mid);
		}
		vms_adjust(mm, next, c->start, next->end, next->pgoff - pglen);
		mm->count.merges++;
		return next;
	}
	return NULL;
}

/*
 * 6.12's vma_merge_existing_range(): the same outcomes, reached from the
 * range's side.  It merges only a range that touches an end of @area, asks
 * prev and next for their anon_vmas' mutual consent before joining both,
 * and never deletes a region with ->close.
 */
static struct vms_region *vms_merge_6_12(struct vms_mm *mm,
					 struct vms_change *c)
{
	unsigned long pglen = (c->end - c->start) >> PAGE_SHIFT;
	struct vmashadow_explain *ex = &mm->last;
	struct vms_region *area = c->area, *prev = c->prev, *next = NULL;
	const struct vms_anon *anon = vms_anon_of(area);
	const struct vms_file *file = vms_file_of(area);
	bool left_side = c->start == area->start;
	bool right_side = c->end == area->end;
	bool merge_left = false, merge_right = false, delete_area;

	if ((c->flags & VMS_SPECIAL_FLAGS) || (!left_side && !right_side))
		return NULL;

	if (left_side && prev && prev != area && prev->end == c->start)
		merge_left = vms_can_merge_after(mm, prev, c->flags, anon,
						 file, c->pgoff, &ex->prev);
	if (right_side) {
		next = vms_next(area);
		if (next && next->start == c->end)
			merge_right = vms_can_merge_before(mm, next, c->flags,
							   anon, file, c->pgoff,
							   pglen, &ex->next);
		if (merge_left && merge_right &&
		    !vms_anon_mergeable(vms_anon_of(prev), vms_anon_of(next), NULL)) {
			merge_right = false;
			ex->next.verdict = VMASHADOW_VERDICT_REFUSED;
			ex->next.why = VMASHADOW_WHY_PREV_NEXT;
		}
	}
	if (!merge_left && !merge_right)
		return NULL;

	delete_area = left_side && right_side;
	if (delete_area && (area->flags & VMASHADOW_VM_CLOSE_OP)) {
		if (merge_left)
			ex->prev.verdict = VMASHADOW_VERDICT_REFUSED;
		if (merge_right)
			ex->next.verdict = VMASHADOW_VERDICT_REFUSED;
		ex->prev.why = merge_left ? VMASHADOW_WHY_CLOSE_OP : ex->prev.why;
		ex->next.why = merge_right ? VMASHADOW_WHY_CLOSE_OP : ex->next.why;
		return NULL;
	}
	if (merge_left && merge_right &&
	    (next->flags & VMASHADOW_VM_CLOSE_OP)) {
		merge_right = false;
		ex->next.verdict = VMASHADOW_VERDICT_REFUSED;
		ex->next.why = VMASHADOW_WHY_CLOSE_OP;
	}

	if (merge_left && merge_right) {	/* PPPP AAAA NNNN -> one */
		unsigned long end = next->end;

		ex->merge_case = 6;
		vms_merge_remove(mm, prev, area);
		vms_merge_remove(mm, prev, next);
		vms_adjust(mm, prev, prev->start, end, prev->pgoff);
		mm->count.merges += 2;
		return prev;
	}
	if (merge_left) {			/* PPPP gets [start, end) */
		if (delete_area) {
			ex->merge_case = 7;
			vms_merge_remove(mm, prev, area);
		} else {
			ex->merge_case = 5;
			vms_adopt_anon(prev, area);
			vms_adjust(mm, area, c->end, area->end, area->pgoff + pglen);
		}
		vms_adjust(mm, prev, prev->start, c->end, prev->pgoff);
		mm->count.merges++;
		return prev;
	}
	if (delete_area) {			/* NNNN gets [start, end) */
		ex->merge_case = 8;
		vms_merge_remove(mm, next, area);
	} else {
		ex->merge_case = 4;
		vms_adopt_anon(next, area);
		vms_adjust(mm, area, area->start, c->start, area->pgoff);
	}
	vms_adjust(mm, next, c->start, next->end, next->pgoff - pglen);
	mm->count.merges++;
	return next;
}

/* The flags mprotect gives a region: new rwx, the rest kept. */
static unsigned long vms_mprotect_flags(unsigned long old, unsigned long prot)
{
	unsigned long flags = old & ~VMS_ACCESS_FLAGS;

	if (prot & PROT_READ)
		flags |= VMASHADOW_VM_READ;
	if (prot & PROT_WRITE)
		flags |= VMASHADOW_VM_WRITE;
	if (prot & PROT_EXEC)
		flags |= VMASHADOW_VM_EXEC;
	return flags;
}

/*
 * Give [start, end) of @area the flags @newflags: join a neighbour where
 * vma_merge() allows, asked with the page offset @pgoff, else split @area
 * at the edges (split_vma(), limit checked).  *@pprev becomes the region
 * now holding the range.
 */
int vms_modify_flags_pgoff(struct vms_mm *mm, struct vms_region *area,
			   struct vms_region **pprev, unsigned long start,
			   unsigned long end, unsigned long newflags,
			   unsigned long pgoff)
{
	struct vms_change c = {
		.prev	= *pprev,
		.area	= area,
		.start	= start,
		.end	= end,
		.flags	= newflags,
		.pgoff	= pgoff,
	};
	struct vms_region *r;
	int err;

	r = vms_rules_6_12(mm) ? vms_merge_6_12(mm, &c) : vms_merge_6_1(mm, &c);
	if (r) {
		*pprev = r;
		vms_set_flags(mm, r, newflags | (r->flags & VMS_INTERNAL_FLAGS));
		return 0;
	}

	*pprev = area;
	if (start != area->start) {
		err = vms_split_checked(mm, area, start, true);
		if (err)
			return err;
	}
	if (end != area->end) {
		err = vms_split_checked(mm, area, end, false);
		if (err)
			return err;
	}
	vms_set_flags(mm, area, newflags | (area->flags & VMS_INTERNAL_FLAGS));
	return 0;
}

/*
 * vms_modify_flags_pgoff() with the range's own page offset: the tail of
 * mprotect_fixup() and madvise_update_vma(), which differ only before.
 */
int vms_modify_flags(struct vms_mm *mm, struct vms_region *area,
		     struct vms_region **pprev, unsigned long start,
		     unsigned long end, unsigned long newflags)
{
	return vms_modify_flags_pgoff(mm, area, pprev, start, end, newflags,
				      area->pgoff +
				      ((start - area->start) >> PAGE_SHIFT));
}

/*
 * mprotect_fixup(): the accounting of a protection change, then the
 * change.  Nothing happens, not even a merge, when the flags stay.
 */
static int vms_mprotect_fixup(struct vms_mm *mm, struct vms_region *area,
			      struct vms_region **pprev, unsigned long start,
			      unsigned long end, unsigned long newflags)
{
	unsigned long oldflags = area->flags;
	unsigned long pages = (end - start) >> PAGE_SHIFT;
	int err;

	if (vms_sealed(area))
		return -EPERM;
	if (newflags == oldflags) {
		*pprev = area;
		return 0;
	}
	if (newflags & VMASHADOW_VM_WRITE) {
		/* only a region that becomes data meets RLIMIT_DATA here */
		if (!vms_may_expand(mm, newflags, pages) &&
		    vms_may_expand(mm, oldflags, pages))
			return -ENOMEM;
		if (!(oldflags & (VMASHADOW_VM_ACCOUNT | VMASHADOW_VM_WRITE |
				  VMASHADOW_VM_HUGETLB | VMASHADOW_VM_SHARED |
				  VMASHADOW_VM_NORESERVE))) {
			if (!vms_enough_memory(mm, pages))
				return -ENOMEM;
			newflags |= VMASHADOW_VM_ACCOUNT;
		}
	} else if (vms_rules_6_12(mm) && (oldflags & VMASHADOW_VM_ACCOUNT) &&
		   vms_is_anonymous(area) && !vms_anon_of(area)) {
		/* 6.12: unfaulted anonymous memory is no longer charged */
		newflags &= ~VMASHADOW_VM_ACCOUNT;
	}
	err = vms_modify_flags(mm, area, pprev, start, end, newflags);
	/* locked memory made writable is faulted in for writing */
	if (!err && (oldflags & (VMASHADOW_VM_WRITE | VMASHADOW_VM_SHARED |
				 VMASHADOW_VM_LOCKED)) == VMASHADOW_VM_LOCKED &&
	    (newflags & VMASHADOW_VM_WRITE))
		vms_populate_vma_range(mm, *pprev, start, end);
	return err;
}

/* do_mprotect_pkey() without keys. */
int vms_protect(struct vms_mm *mm, unsigned long start, unsigned long len,
		unsigned long prot)
{
	const unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	unsigned long end, nstart, tmp, reqprot;
	struct vms_region *r, *prev;
	int err;

	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	/* arch_validate_prot(): nothing but rwx and PROT_SEM */
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;
	reqprot = prot;

	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;

	vms_explain_begin(mm, VMASHADOW_OP_PROTECT, start, end);
	err = -ENOMEM;
	r = vms_find(mm, start);
	if (!r)
		goto out;
	if (grows & PROT_GROWSDOWN) {
		if (r->start >= end)
			goto out;
		start = r->start;
		err = -EINVAL;
		if (!(r->flags & VMASHADOW_VM_GROWSDOWN))
			goto out;
	} else {
		if (r->start > start)
			goto out;
		if (grows & PROT_GROWSUP) {
			err = -EINVAL;	/* x86 has no VM_GROWSUP */
			goto out;
		}
	}
	prev = start > r->start ? r : vms_prev(r);

	for (nstart = start; ; ) {
		unsigned long newflags = vms_mprotect_flags(r->flags, prot);

		/* a permission the region may never have: VM_MAY* */
		if ((newflags & ~(newflags >> 4)) & VMS_ACCESS_FLAGS) {
			err = -EACCES;
			break;
		}
		if (vms_deny_write_exec(mm, r->flags, newflags)) {
			err = -EACCES;
			break;
		}
		tmp = min(r->end, end);
		err = vms_mprotect_fixup(mm, r, &prev, nstart, tmp, newflags);
		if (err)
			break;
		nstart = tmp;
		if (nstart < prev->end)
			nstart = prev->end;
		if (nstart >= end)
			break;
		r = vms_find(mm, prev->end);
		if (!r || r->start != nstart) {
			err = -ENOMEM;
			break;
		}
		prot = reqprot;
		cond_resched();
	}
out:
	return err;
}

/* ---- write faults --------------------------------------------------------------- */

/*
 * reusable_anon_vma() with anon_vma_compatible(): @old's anon_vma may serve
 * its neighbour when they touch, share the file, differ at most in rwx and
 * their page offsets run on, and @old's chain is singular.  The
 * userfaultfd context is not asked (its modes are, as flags).
 */
static struct vms_anon *vms_reusable_anon(const struct vms_region *old,
					  const struct vms_region *a,
					  const struct vms_region *b)
{
	if (a->end == b->start && vms_file_of(a) == vms_file_of(b) &&
	    !((a->flags ^ b->flags) & ~(VMS_ACCESS_FLAGS | VMS_INTERNAL_FLAGS |
					VMS_UFFD_MASK |
					VMASHADOW_VM_CLOSE_OP)) &&
	    b->pgoff == a->pgoff + ((b->start - a->start) >> PAGE_SHIFT) &&
	    vms_chain_singular(old))
		return vms_anon_of(old);
	return NULL;
}

/*
 * A write fault at @addr: anon_vma_prepare() gives a private region its
 * anon_vma, reusing next's, then prev's (find_mergeable_anon_vma()), else
 * a new one.  Shared regions get none; a region that is not writable would
 * fault for real, so the call fails with -EFAULT.
 */
static int vms_anon_prepare(struct vms_mm *mm, struct vms_region *r)
{
	struct vms_region *next = vms_next(r), *prev = vms_prev(r);
	struct vms_anon *anon = NULL;

	if (next)
		anon = vms_reusable_anon(next, r, next);
	if (!anon && prev)
		anon = vms_reusable_anon(prev, prev, r);
	if (anon) {
		anon->refs++;
	} else {
		anon = vms_anon_new(mm, vms_file_of(r));
		if (!anon)
			return -ENOMEM;
	}
	vms_set_anon(r, anon);
	r->flags &= ~VMS_ANON_FORKED;
	return 0;
}

/* A write fault in @r, which may write: private memory gets an anon_vma. */
static int vms_write_fault(struct vms_mm *mm, struct vms_region *r)
{
	if (vms_anon_of(r) || (r->flags & VMASHADOW_VM_MAYSHARE))
		return 0;
	return vms_anon_prepare(mm, r);
}

/*
 * expand_downwards(): a fault in the hole below a region that grows down
 * moves the region's start down to the fault's page, as far as the stack
 * guard gap above an accessible region below, RLIMIT_STACK (the region's
 * whole size), RLIMIT_AS, the memlock limit and the commit charge allow.
 * The anon_vma is prepared before the limits are asked, so a growth they
 * refuse leaves one all the same.
 *
 *      prev                       r                prev          r
 *   --[    ]   guard gap   .    [GG]--   =>   --[    ]         [GGGGGG]--
 *                          ^ the fault, no nearer prev than the gap
 */
static int vms_expand_downwards(struct vms_mm *mm, struct vms_region *r,
				unsigned long addr)
{
	struct vms_region *prev = vms_prev(r);
	unsigned long grow;
	int err;

	addr &= PAGE_MASK;
	if (addr < mm->params.mmap_min_addr)
		return -EPERM;
	if (prev && !(prev->flags & VMASHADOW_VM_GROWSDOWN) &&
	    (prev->flags & VMS_ACCESS_FLAGS) &&
	    addr - prev->end < VMS_STACK_GUARD_GAP)
		return -ENOMEM;
	if (!vms_anon_of(r)) {
		err = vms_anon_prepare(mm, r);
		if (err)
			return err;
	}
	grow = (r->start - addr) >> PAGE_SHIFT;
	/*
	 * acct_stack_growth(), once the page offset cannot wrap; the commit
	 * charge last, as the kernel asks it.
	 */
	if (grow > r->pgoff || !vms_may_expand(mm, r->flags, grow) ||
	    r->end - addr > mm->params.rlimit_stack ||
	    !vms_mlock_future_ok(mm, r->flags, grow << PAGE_SHIFT) ||
	    !vms_enough_memory(mm, grow))
		return -ENOMEM;
	vms_adjust(mm, r, addr, r->end, r->pgoff - grow);
	return 0;
}

/*
 * A write fault at @addr (lock_mm_and_find_vma(), then access_error()):
 * below a region that grows down the region is stretched first, so a
 * region that may not be written has grown when the fault fails.  A
 * failed fault is SIGSEGV: -EFAULT.
 */
int vms_touch(struct vms_mm *mm, unsigned long addr)
{
	struct vms_region *r = vms_find(mm, addr);

	if (r && r->start > addr &&
	    (!(r->flags & VMASHADOW_VM_GROWSDOWN) ||
	     vms_expand_downwards(mm, r, addr)))
		return -EFAULT;
	if (!r || !(r->flags & VMASHADOW_VM_WRITE))
		return -EFAULT;
	return vms_write_fault(mm, r);
}

/*
 * Fault in the pages of [start, end) in @r, for writing or reading.  A
 * write fault in private memory gives the region its anon_vma, as
 * vms_touch() does, even where the page it is for turns out to lie past
 * the end of its file: do_cow_fault() prepares the anon_vma before it
 * reads the page.  A read fault maps the zero page or the page cache and
 * gives none.  A page past the end of the file is SIGBUS, -EFAULT (the
 * shadow's own shared anonymous objects can be mapped beyond their size
 * by mremap(), and a real file's size is read as the fault reads it).
 */
static int vms_fault_in(struct vms_mm *mm, struct vms_region *r,
			unsigned long start, unsigned long end, bool write)
{
	unsigned long pgoff = r->pgoff + ((start - r->start) >> PAGE_SHIFT);
	const struct vms_file *file = vms_file_of(r);
	unsigned long size = file ? vms_file_size(file) : ULONG_MAX;
	int err;

	if (write) {
		err = vms_write_fault(mm, r);
		if (err)
			return err;
	}
	return pgoff + ((end - start) >> PAGE_SHIFT) > size ? -EFAULT : 0;
}

/*
 * populate_vma_page_range(): the pages of [start, end) in @r, as mlock,
 * MAP_POPULATE, MAP_LOCKED and mprotect of locked memory fault them in.
 * Private writable memory is written, to break COW, so it gets its
 * anon_vma at once; the rest is read (FOLL_FORCE: even memory that may
 * only be written or executed).  Memory locked on fault is left alone,
 * and PROT_NONE memory is never faulted in: -EFAULT.
 */
int vms_populate_vma_range(struct vms_mm *mm, struct vms_region *r,
			   unsigned long start, unsigned long end)
{
	if (r->flags & VMASHADOW_VM_LOCKONFAULT)
		return 0;
	if (!(r->flags & VMS_ACCESS_FLAGS) ||
	    (r->flags & (VMASHADOW_VM_IO | VMASHADOW_VM_PFNMAP)))
		return -EFAULT;
	return vms_fault_in(mm, r, start, end,
			    (r->flags & (VMASHADOW_VM_WRITE |
					 VMASHADOW_VM_SHARED)) ==
			    VMASHADOW_VM_WRITE);
}

/*
 * __mm_populate(): every region meeting [start, end) but VM_IO and
 * VM_PFNMAP ones, in address order, stopping at the first failure unless
 * @ignore_errors (mm_populate() after mmap, brk and mremap, where nobody
 * hears of it).  Holes are stepped over.
 */
int vms_mm_populate(struct vms_mm *mm, unsigned long start,
		    unsigned long end, bool ignore_errors)
{
	struct vms_region *r;
	int err;

	if (start >= end)
		return 0;	/* mlock() of nothing faults nothing in */
	for (r = vms_find_intersection(mm, start, end); r && r->start < end;
	     r = vms_next(r)) {
		if (r->flags & (VMASHADOW_VM_IO | VMASHADOW_VM_PFNMAP))
			continue;
		err = vms_populate_vma_range(mm, r, max(start, r->start),
					     min(end, r->end));
		if (err && !ignore_errors)
			return err;
	}
	return 0;
}

/* ---- madvise ---------------------------------------------------------------------- */

/* Advice that only looks at the pages: no region changes. */
static bool vms_advice_is_pages_only(int advice)
{
	switch (advice) {
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
	case MADV_REMOVE:
	case MADV_COLD:
	case MADV_PAGEOUT:
		return true;
	}
	return false;
}

/* is_madv_discard(): advice that may throw away a sealed region's data */
static bool vms_advice_discards(int advice)
{
	switch (advice) {
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_WIPEONFORK:
		return true;
	}
	return false;
}

static bool vms_advice_populates(int advice)
{
	return advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE;
}

static bool vms_advice_valid(int advice)
{
	switch (advice) {
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
		return true;
	}
	return vms_advice_is_pages_only(advice);
}

/*
 * The flags madvise_vma_behavior() computes for @r, or -EINVAL where the
 * advice does not apply to it.
 */
static long vms_madvise_flags(const struct vms_region *r, int advice,
			      unsigned long *flags)
{
	unsigned long f = r->flags;

	switch (advice) {
	case MADV_NORMAL:
		f &= ~(VMASHADOW_VM_RAND_READ | VMASHADOW_VM_SEQ_READ);
		break;
	case MADV_SEQUENTIAL:
		f = (f & ~VMASHADOW_VM_RAND_READ) | VMASHADOW_VM_SEQ_READ;
		break;
	case MADV_RANDOM:
		f = (f & ~VMASHADOW_VM_SEQ_READ) | VMASHADOW_VM_RAND_READ;
		break;
	case MADV_DONTFORK:
		f |= VMASHADOW_VM_DONTCOPY;
		break;
	case MADV_DOFORK:
		if (f & VMASHADOW_VM_IO)
			return -EINVAL;
		f &= ~VMASHADOW_VM_DONTCOPY;
		break;
	case MADV_WIPEONFORK:
		/* no file, not shared: [vdso] and [vvar] may take it */
		if (vms_file_of(r) || (f & VMASHADOW_VM_SHARED))
			return -EINVAL;
		f |= VMASHADOW_VM_WIPEONFORK;
		break;
	case MADV_KEEPONFORK:
		/* 6.12: droppable memory stays wiped on fork */
		if (f & VMASHADOW_VM_DROPPABLE)
			return -EINVAL;
		f &= ~VMASHADOW_VM_WIPEONFORK;
		break;
	case MADV_DONTDUMP:
		f |= VMASHADOW_VM_DONTDUMP;
		break;
	case MADV_DODUMP:
		if (!(f & VMASHADOW_VM_HUGETLB) && (f & VMS_SPECIAL_FLAGS))
			return -EINVAL;
		if (f & VMASHADOW_VM_DROPPABLE)
			return -EINVAL;
		f &= ~VMASHADOW_VM_DONTDUMP;
		break;
	case MADV_MERGEABLE:
		/* ksm_madvise(): some regions simply stay as they are */
		if (!(f & (VMASHADOW_VM_MERGEABLE | VMASHADOW_VM_SHARED |
			   VMASHADOW_VM_MAYSHARE | VMASHADOW_VM_PFNMAP |
			   VMASHADOW_VM_IO | VMASHADOW_VM_DONTEXPAND |
			   VMASHADOW_VM_HUGETLB | VMASHADOW_VM_MIXEDMAP |
			   VMASHADOW_VM_DROPPABLE)))
			f |= VMASHADOW_VM_MERGEABLE;
		break;
	case MADV_UNMERGEABLE:
		f &= ~VMASHADOW_VM_MERGEABLE;
		break;
	case MADV_HUGEPAGE:
		f = (f & ~VMASHADOW_VM_NOHUGEPAGE) | VMASHADOW_VM_HUGEPAGE;
		break;
	case MADV_NOHUGEPAGE:
		f = (f & ~VMASHADOW_VM_HUGEPAGE) | VMASHADOW_VM_NOHUGEPAGE;
		break;
	}
	*flags = f;
	return 0;
}

/*
 * madvise_remove(): a hole punched with vfs_fallocate() in the file of a
 * shared mapping that may write.  Whether the filesystem can punch holes
 * is known only as far as it has an ->fallocate at all.  (vfs_fallocate()'s
 * -EBADF and -EPERM cannot come: mmap() gives VM_MAYWRITE to a shared
 * mapping only of a file open for writing, and none of an append-only one.)
 */
static int vms_madvise_remove(const struct vms_region *r)
{
	const unsigned long shared_maywrite = VMASHADOW_VM_SHARED |
					      VMASHADOW_VM_MAYWRITE;

	const struct vms_file *file = vms_file_of(r);

	if ((r->flags & VMASHADOW_VM_LOCKED) || !file)
		return -EINVAL;
	if ((r->flags & shared_maywrite) != shared_maywrite)
		return -EACCES;
	return file->mode & VMS_FMODE_NOPUNCH ? -EOPNOTSUPP : 0;
}

/*
 * The advice that only looks at pages changes no region, but refuses some:
 * madvise_dontneed_free_valid_vma(), madvise_free_single_vma() (anonymous
 * memory only) and can_madv_lru_vma().
 */
static int vms_madvise_pages(const struct vms_region *r, int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
		return r->flags & (VMASHADOW_VM_LOCKED | VMASHADOW_VM_PFNMAP) ?
		       -EINVAL : 0;
	case MADV_DONTNEED_LOCKED:
		return r->flags & VMASHADOW_VM_PFNMAP ? -EINVAL : 0;
	case MADV_REMOVE:
		return vms_madvise_remove(r);
	case MADV_FREE:
		if (r->flags & (VMASHADOW_VM_LOCKED | VMASHADOW_VM_PFNMAP))
			return -EINVAL;
		return vms_is_anonymous(r) &&
		       !(r->flags & VMASHADOW_VM_SHARED) ? 0 : -EINVAL;
	case MADV_COLD:
	case MADV_PAGEOUT:
		return r->flags & (VMASHADOW_VM_LOCKED | VMASHADOW_VM_PFNMAP |
				   VMASHADOW_VM_HUGETLB) ? -EINVAL : 0;
	}
	return 0;
}

/*
 * MADV_POPULATE_(READ|WRITE) of [start, end) in region @r:
 * faultin_vma_page_range() first asks check_vma_flags() without
 * FOLL_FORCE, and turns a refusal into -EINVAL; then it faults each page
 * in (vms_fault_in()).  The shadow does not know memfd_secret() memory
 * (-EINVAL).
 */
static int vms_populate_region(struct vms_mm *mm, struct vms_region *r,
			       unsigned long start, unsigned long end,
			       int advice)
{
	const bool write = advice == MADV_POPULATE_WRITE;

	if (r->flags & (VMASHADOW_VM_IO | VMASHADOW_VM_PFNMAP))
		return -EINVAL;
	if (!(r->flags & (write ? VMASHADOW_VM_WRITE : VMASHADOW_VM_READ)))
		return -EINVAL;
	return vms_fault_in(mm, r, start, end, write);
}

/*
 * 6.12's madvise_populate(): one walk over [start, end) that stops at the
 * first hole with -ENOMEM, where 6.1 (through madvise_walk_vmas()) steps
 * over holes and reports them at the end.
 */
static int vms_populate_range(struct vms_mm *mm, unsigned long start,
			      unsigned long end, int advice)
{
	while (start < end) {
		struct vms_region *r = vms_lookup(mm, start);
		int err;

		if (!r)
			return -ENOMEM;
		err = vms_populate_region(mm, r, start, min(end, r->end),
					  advice);
		if (err)
			return err;
		start = r->end;
	}
	return 0;
}

/* madvise_vma_behavior() for one region; -ENOMEM is reported as -EAGAIN. */
static int vms_madvise_region(struct vms_mm *mm, struct vms_region *r,
			      struct vms_region **pprev, unsigned long start,
			      unsigned long end, int advice)
{
	unsigned long flags;
	int err;

	/*
	 * can_modify_vma_madv(): no discarding sealed read-only memory
	 * without a file (is_ro_anon(): a [vdso] too)
	 */
	if (vms_sealed(r) && vms_advice_discards(advice) &&
	    !vms_file_of(r) && !(r->flags & VMASHADOW_VM_SHARED) &&
	    !(r->flags & VMASHADOW_VM_WRITE))
		return -EPERM;
	if (vms_advice_is_pages_only(advice)) {
		*pprev = r;
		return vms_madvise_pages(r, advice);
	}
	if (vms_advice_populates(advice)) {
		*pprev = r;
		return vms_populate_region(mm, r, start, end, advice);
	}
	err = vms_madvise_flags(r, advice, &flags);
	if (err)
		return err;
	if (flags == r->flags) {
		*pprev = r;
		return 0;
	}
	err = vms_modify_flags(mm, r, pprev, start, end, flags);
	return err == -ENOMEM ? -EAGAIN : err;
}

/*
 * madvise(2): advice that changes flags splits and merges like mprotect;
 * unlike mprotect it steps over holes and reports -ENOMEM at the end.
 */
int vms_madvise(struct vms_mm *mm, unsigned long start, unsigned long len,
		int advice)
{
	struct vms_region *r, *prev;
	int err = 0, unmapped = 0;
	unsigned long end, tmp;

	if (!vms_advice_valid(advice))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	end = PAGE_ALIGN(len);
	if (len && !end)
		return -EINVAL;
	end += start;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;
	vms_explain_begin(mm, VMASHADOW_OP_MADVISE, start, end);
	if (vms_advice_populates(advice) && vms_rules_6_12(mm))
		return vms_populate_range(mm, start, end, advice);
	r = vms_find_prev(mm, start, &prev);
	if (r && start > r->start)
		prev = r;
	for (;;) {
		if (!r) {
			err = -ENOMEM;
			break;
		}
		if (start < r->start) {
			unmapped = -ENOMEM;
			start = r->start;
			if (start >= end)
				break;
		}
		tmp = min(r->end, end);
		err = vms_madvise_region(mm, r, &prev, start, tmp, advice);
		if (err)
			break;
		start = tmp;
		if (prev && start < prev->end)
			start = prev->end;
		if (start >= end)
			break;
		r = vms_find(mm, prev ? prev->end : start);
		cond_resched();
	}
	return err ? err : unmapped;
}

/* ---- brk -------------------------------------------------------------------------- */

/*
 * do_brk_flags(): extend the region ending at the old break if it takes
 * an unfaulted anonymous range after it (never next), else make a new one.
 */
static int vms_do_brk(struct vms_mm *mm, unsigned long addr,
		      unsigned long len)
{
	unsigned long flags = VMASHADOW_VM_READ | VMASHADOW_VM_WRITE |
			      VMASHADOW_VM_MAYREAD | VMASHADOW_VM_MAYWRITE |
			      VMASHADOW_VM_MAYEXEC | VMASHADOW_VM_ACCOUNT |
			      mm->params.def_flags;
	struct vms_region *r, *prev;

	if (!vms_may_expand(mm, flags, len >> PAGE_SHIFT))
		return -ENOMEM;
	if (mm->map_count > mm->params.max_map_count)
		return -ENOMEM;
	if (!vms_enough_memory(mm, len >> PAGE_SHIFT))
		return -ENOMEM;

	vms_find_prev(mm, addr, &prev);
	/* mas_prev() stops at start_brk: prev must end above it */
	if (prev && prev->end <= mm->params.start_brk)
		prev = NULL;
	vms_explain_begin(mm, VMASHADOW_OP_BRK, addr, addr + len);
	if (prev && prev->end == addr &&
	    vms_can_merge_after(mm, prev, flags, NULL, NULL,
				addr >> PAGE_SHIFT, &mm->last.prev)) {
		vms_adjust(mm, prev, prev->start, addr + len, prev->pgoff);
		mm->count.merges++;
		mm->last.merge_case = 2;
		return 0;
	}
	if (!prev || prev->end != addr)
		memset(&mm->last.prev, 0, sizeof(mm->last.prev));

	r = vms_take_region(mm);
	if (!r)
		return -ENOMEM;
	r->start = addr;
	r->end = addr + len;
	r->pgoff = addr >> PAGE_SHIFT;
	r->flags = flags;
	vms_link(mm, r);
	return 0;
}

/*
 * brk(2): returns the new break, or the old one when the call fails, as
 * the system call does.  The heap's [start_brk, brk) are the shadow's
 * params.
 */
unsigned long vms_brk(struct vms_mm *mm, unsigned long brk)
{
	struct vms_params *p = &mm->params;
	unsigned long newbrk, oldbrk, origbrk = p->brk;
	struct vms_region *next;

	if (brk < p->start_brk || brk > VMS_TASK_SIZE)
		return origbrk;
	/*
	 * check_data_rlimit(): the heap and the data segment together, before
	 * anything else, so that even a shrink fails above the limit.
	 */
	if (p->rlimit_data != VMASHADOW_RLIM_INFINITY &&
	    (brk - p->start_brk) + (p->end_data - p->start_data) >
	    p->rlimit_data)
		return origbrk;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(p->brk);
	if (oldbrk == newbrk) {
		p->brk = brk;
		return brk;
	}
	if (vms_prealloc(mm, VMS_PREALLOC_SPLITS))
		return origbrk;

	if (brk <= p->brk) {
		struct vms_region *r = vms_find(mm, newbrk);

		/* only the heap's own region may be cut back */
		if (!r || r->start >= oldbrk)
			goto fail;
		p->brk = brk;
		if (vms_do_unmap(mm, newbrk, oldbrk)) {
			p->brk = origbrk;
			goto fail;
		}
		goto done;
	}

	/* check_brk_limits(): get_unmapped_area(MAP_FIXED), then the lock */
	if (newbrk - oldbrk > VMS_TASK_SIZE ||
	    oldbrk > VMS_TASK_SIZE - (newbrk - oldbrk))
		goto fail;
	if (!vms_mlock_future_ok(mm, p->def_flags, newbrk - oldbrk))
		goto fail;
	/* leave a page, and the guard gap of a stack, below the next region */
	next = vms_find(mm, oldbrk);
	if (next && newbrk + PAGE_SIZE > vms_start_gap(next))
		goto fail;
	if (vms_do_brk(mm, oldbrk, newbrk - oldbrk))
		goto fail;
	p->brk = brk;
	/* after mlockall(MCL_FUTURE) the new heap is faulted in */
	if (p->def_flags & VMASHADOW_VM_LOCKED)
		vms_mm_populate(mm, oldbrk, newbrk, true);
done:
	return brk;
fail:
	return origbrk;
}

/* ---- mremap ------------------------------------------------------------------------- */

/* vma_to_resize(): the region at @addr, if it may become @new_len long. */
static struct vms_region *vms_remap_target(struct vms_mm *mm,
					   unsigned long addr,
					   unsigned long old_len,
					   unsigned long new_len,
					   unsigned long flags)
{
	struct vms_region *r = vms_lookup(mm, addr);
	unsigned long pgoff;

	if (!r)
		return ERR_PTR(-EFAULT);
	/* old_len 0 duplicates a mapping: shared ones only */
	if (!old_len && !(r->flags & (VMASHADOW_VM_SHARED | VMASHADOW_VM_MAYSHARE)))
		return ERR_PTR(-EINVAL);
	if ((flags & MREMAP_DONTUNMAP) &&
	    (r->flags & (VMASHADOW_VM_DONTEXPAND | VMASHADOW_VM_PFNMAP)))
		return ERR_PTR(-EINVAL);
	if (old_len > r->end - addr)
		return ERR_PTR(-EFAULT);
	if (new_len == old_len)
		return r;
	pgoff = r->pgoff + ((addr - r->start) >> PAGE_SHIFT);
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return ERR_PTR(-EINVAL);
	if (r->flags & (VMASHADOW_VM_DONTEXPAND | VMASHADOW_VM_PFNMAP))
		return ERR_PTR(-EFAULT);
	if (!vms_mlock_future_ok(mm, r->flags, new_len - old_len))
		return ERR_PTR(-EAGAIN);
	if (!vms_may_expand(mm, r->flags, (new_len - old_len) >> PAGE_SHIFT))
		return ERR_PTR(-ENOMEM);
	return r;
}

/*
 * copy_vma(): the destination region of a move, merged into a neighbour
 * where the rules allow.  An unfaulted anonymous region takes the page
 * offset of its new address, so that it can merge there.  With
 * @keep_source (DONTUNMAP) the source itself is no candidate: 6.1 then
 * merges with nothing beside it, 6.12 with the other side.
 */
static struct vms_region *vms_copy_region(struct vms_mm *mm,
					  struct vms_region **srcp,
					  unsigned long addr, unsigned long len,
					  unsigned long pgoff, bool keep_source)
{
	struct vms_region *src = *srcp, *prev, *next, *r = NULL;
	unsigned long src_start = src->start;
	struct vms_new_range nr = {
		.start	= addr,
		.end	= addr + len,
		.flags	= src->flags & ~VMS_INTERNAL_FLAGS,
		.file	= vms_file_of(src),
	};
	bool unfaulted = vms_is_anonymous(src) && !vms_anon_of(src);

	if (unfaulted)
		pgoff = addr >> PAGE_SHIFT;
	nr.pgoff = pgoff;
	next = vms_find_prev(mm, addr, &prev);
	vms_explain_begin(mm, VMASHADOW_OP_REMAP, addr, addr + len);
	vms_explain_touching(&mm->last, prev, next, addr, addr + len);

	if (unfaulted && keep_source && !vms_rules_6_12(mm) &&
	    (addr == src->end || src->start == addr + len)) {
		/* 6.1 skips vma_merge() beside the source */
		mm->last.prev.why = VMASHADOW_WHY_SELF;
		mm->last.next.why = VMASHADOW_WHY_SELF;
	} else if (vms_rules_6_12(mm)) {
		if (unfaulted && keep_source) {
			if (prev == src)
				prev = NULL;
			if (next == src)
				next = NULL;
		}
		r = vms_merge_new_anon_6_12(mm, &nr, prev, next,
					    vms_anon_of(src));
	} else if (!(nr.flags & VMS_SPECIAL_FLAGS)) {
		struct vms_change c = {
			.prev = prev, .area = src, .start = addr,
			.end = addr + len, .flags = nr.flags, .pgoff = pgoff,
		};

		r = vms_merge_6_1(mm, &c);
	}
	vms_explain_finish(&mm->last);
	if (r) {
		/* the source may have been swallowed by the merge */
		if (src_start >= r->start && src_start < r->end)
			*srcp = r;
		return r;
	}

	r = vms_take_region(mm);
	if (!r)
		return NULL;
	vms_region_dup(r, src);
	r->start = addr;
	r->end = addr + len;
	r->pgoff = pgoff;
	vms_link(mm, r);
	return r;
}

/*
 * move_vma(): copy [old_addr, old_addr + old_len) of @r to @new_addr as
 * @new_len bytes, then unmap the old range unless DONTUNMAP keeps it (an
 * unfaulted anonymous source kept whole forgets its anon_vma and takes a
 * fresh page offset).
 */
static long vms_move(struct vms_mm *mm, struct vms_region *r,
		     unsigned long old_addr, unsigned long old_len,
		     unsigned long new_len, unsigned long new_addr,
		     unsigned long flags)
{
	bool split_before = r->start != old_addr;
	bool split_after = r->end != old_addr + old_len;
	struct vms_region *moved;
	unsigned long pgoff;
	int err;

	/* ints in the kernel: below 3 every move is refused */
	if ((long)mm->map_count >= (long)mm->params.max_map_count - 3)
		return -ENOMEM;
	if ((r->flags & VMS_KIND_SPECIAL) &&
	    (split_before || split_after))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (r->flags & VMASHADOW_VM_LOCKED)) {
		if (split_before) {
			err = vms_split_checked(mm, r, old_addr, true);
			if (err)
				return err;
		}
		if (split_after) {
			err = vms_split_checked(mm, r, old_addr + old_len,
						false);
			if (err)
				return err;
		}
	}

	/* the move charges what it adds (DONTUNMAP: all of it) */
	if ((r->flags & VMASHADOW_VM_ACCOUNT) &&
	    !vms_enough_memory(mm, ((flags & MREMAP_DONTUNMAP) ? new_len :
				    new_len - old_len) >> PAGE_SHIFT))
		return -ENOMEM;
	pgoff = r->pgoff + ((old_addr - r->start) >> PAGE_SHIFT);
	moved = vms_copy_region(mm, &r, new_addr, new_len, pgoff,
				flags & MREMAP_DONTUNMAP);
	if (!moved)
		return -ENOMEM;
	vms_uffd_moved(mm, moved);

	if (flags & MREMAP_DONTUNMAP) {
		r->flags &= ~(VMASHADOW_VM_LOCKED | VMASHADOW_VM_LOCKONFAULT);
		if (r->start == old_addr && r->end == old_addr + old_len) {
			struct vms_anon *anon = vms_anon_of(r);

			if (anon) {
				vms_set_anon(r, NULL);
				r->flags &= ~VMS_ANON_FORKED;
				vms_anon_put(mm, anon);
			}
			if (vms_is_anonymous(r))
				r->pgoff = r->start >> PAGE_SHIFT;
		}
		return new_addr;
	}
	/* a failure here leaves both copies, as do_munmap() failing does */
	vms_munmap_checked(mm, old_addr, old_len);
	return new_addr;
}

/* mremap_to(): a move to a given address (FIXED) or with DONTUNMAP. */
static long vms_remap_to(struct vms_mm *mm, unsigned long addr,
			 unsigned long old_len, unsigned long new_addr,
			 unsigned long new_len, unsigned long flags)
{
	unsigned long map_flags = 0;
	struct vms_region *r;
	long ret;

	if (new_addr & ~PAGE_MASK)
		return -EINVAL;
	if (new_len > VMS_TASK_SIZE || new_addr > VMS_TASK_SIZE - new_len)
		return -EINVAL;
	if (addr + old_len > new_addr && new_addr + new_len > addr)
		return -EINVAL;
	if ((long)mm->map_count + 2 >= (long)mm->params.max_map_count - 3)
		return -ENOMEM;
	if (flags & MREMAP_FIXED) {
		ret = vms_munmap_checked(mm, new_addr, new_len);
		if (ret)
			return ret;
	}
	if (old_len > new_len) {
		ret = vms_munmap_checked(mm, addr + new_len, old_len - new_len);
		if (ret)
			return ret;
		old_len = new_len;
	}
	r = vms_remap_target(mm, addr, old_len, new_len, flags);
	if (IS_ERR(r))
		return PTR_ERR(r);
	if ((flags & MREMAP_DONTUNMAP) &&
	    !vms_may_expand(mm, r->flags, old_len >> PAGE_SHIFT))
		return -ENOMEM;
	if (flags & MREMAP_FIXED)
		map_flags |= MAP_FIXED;
	if (r->flags & VMASHADOW_VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	ret = vms_get_unmapped_area(mm, vms_file_of(r), new_addr, new_len,
				    r->pgoff + ((addr - r->start) >> PAGE_SHIFT),
				    map_flags);
	if (IS_ERR_VALUE(ret))
		return ret;
	if (!(flags & MREMAP_FIXED))
		new_addr = ret;
	return vms_move(mm, r, addr, old_len, new_len, new_addr, flags);
}

/*
 * vma_expandable(): nothing mapped in the way and still below TASK_SIZE.
 * (The stack guard gap is not asked for.)
 */
static bool vms_expandable(struct vms_mm *mm, struct vms_region *r,
			   unsigned long delta)
{
	unsigned long end = r->end + delta;

	if (end < r->end)
		return false;
	if (vms_find_intersection(mm, r->end, end))
		return false;
	return end - r->start <= VMS_TASK_SIZE &&
	       r->start <= VMS_TASK_SIZE - (end - r->start);
}

/*
 * Grow @r in place by [r->end, r->end + delta): vma_merge() with @r as
 * prev in 6.1 (which may also take next: case 1), vma_merge_extend() in
 * 6.12.  6.1 grows a region with ->close without merging.
 */
static int vms_grow(struct vms_mm *mm, struct vms_region *r,
		    unsigned long delta)
{
	unsigned long ext = r->end, pgoff;
	struct vms_region *next = vms_next(r), *merged = r;
	struct vms_new_range nr = {
		.start	= ext,
		.end	= ext + delta,
		.flags	= r->flags & ~VMS_INTERNAL_FLAGS,
		.file	= vms_file_of(r),
	};

	pgoff = r->pgoff + ((ext - r->start) >> PAGE_SHIFT);
	nr.pgoff = pgoff;
	vms_explain_begin(mm, VMASHADOW_OP_REMAP, ext, ext + delta);
	vms_explain_touching(&mm->last, r, next, ext, ext + delta);
	if (vms_rules_6_12(mm)) {
		merged = vms_merge_new_anon_6_12(mm, &nr, r, next,
						 vms_anon_of(r));
	} else if (r->flags & VMASHADOW_VM_CLOSE_OP) {
		vms_adjust(mm, r, r->start, ext + delta, r->pgoff);
	} else {
		struct vms_change c = {
			.prev = r, .area = r, .start = ext, .end = ext + delta,
			.flags = nr.flags, .pgoff = pgoff,
		};

		merged = vms_merge_6_1(mm, &c);
	}
	vms_explain_finish(&mm->last);
	return merged ? 0 : -ENOMEM;
}

/* mremap(2); returns the new address or -errno. */
long vms_remap(struct vms_mm *mm, unsigned long addr, unsigned long old_len,
	       unsigned long new_len, unsigned long flags,
	       unsigned long new_addr)
{
	struct vms_region *r;
	bool locked;
	long ret;

	if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len)
		return -EINVAL;
	r = vms_lookup(mm, addr);
	if (!r)
		return -EFAULT;
	if (vms_sealed(r))
		return -EPERM;
	locked = r->flags & VMASHADOW_VM_LOCKED;

	ret = vms_prealloc(mm, VMS_RESERVE_MAX);
	if (ret)
		return ret;
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		ret = vms_remap_to(mm, addr, old_len, new_addr, new_len, flags);
		goto out;
	}
	if (old_len >= new_len) {
		ret = addr;
		if (old_len != new_len) {
			int err = vms_munmap_checked(mm, addr + new_len,
						     old_len - new_len);
			if (err)
				ret = err;
		}
		goto out;
	}
	r = vms_remap_target(mm, addr, old_len, new_len, flags);
	if (IS_ERR(r)) {
		ret = PTR_ERR(r);
		goto out;
	}
	if (old_len == r->end - addr &&
	    vms_expandable(mm, r, new_len - old_len)) {
		ret = -ENOMEM;
		if ((r->flags & VMASHADOW_VM_ACCOUNT) &&
		    !vms_enough_memory(mm, (new_len - old_len) >> PAGE_SHIFT))
			goto out;
		ret = vms_grow(mm, r, new_len - old_len);
		if (!ret)
			ret = addr;
		goto out;
	}
	ret = -ENOMEM;
	if (flags & MREMAP_MAYMOVE) {
		unsigned long map_flags = 0;

		if (r->flags & VMASHADOW_VM_MAYSHARE)
			map_flags |= MAP_SHARED;
		new_addr = vms_get_unmapped_area(mm, vms_file_of(r), 0, new_len,
						 r->pgoff +
						 ((addr - r->start) >> PAGE_SHIFT),
						 map_flags);
		if (IS_ERR_VALUE(new_addr)) {
			ret = new_addr;
			goto out;
		}
		ret = vms_move(mm, r, addr, old_len, new_len, new_addr, flags);
	}
out:
	/* what locked memory grew by is faulted in */
	if (!IS_ERR_VALUE(ret) && locked && new_len > old_len)
		vms_mm_populate(mm, ret + old_len, ret + new_len, true);
	return ret;
}

/* ---- mseal --------------------------------------------------------------------------- */

/*
 * mseal(2), which only 6.12 has: after checking that [start, end) has no
 * hole, seal every region in it, merging and splitting as mprotect does
 * (VM_SEALED is a flag like any other to a merge).
 */
int vms_seal(struct vms_mm *mm, unsigned long start, unsigned long len,
	     unsigned long flags)
{
	struct vms_region *r, *prev;
	unsigned long end, nstart, tmp;
	int err;

	/* 6.1 has no such system call: the errno is the real one's */
	if (!vms_rules_6_12(mm))
		return -ENOSYS;
	if (flags)
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	end = PAGE_ALIGN(len);
	if (len && !end)
		return -EINVAL;
	end += start;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	/* check_mm_seal(): the whole range must be mapped */
	nstart = start;
	for (r = vms_find(mm, start); ; r = vms_next(r)) {
		if (!r || r->start > nstart)
			return -ENOMEM;
		if (r->end >= end)
			break;
		nstart = r->end;
	}

	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;
	vms_explain_begin(mm, VMASHADOW_OP_SEAL, start, end);
	r = vms_find_prev(mm, start, &prev);
	if (start > r->start)
		prev = r;
	for (nstart = start; r && r->start < end; ) {
		tmp = min(r->end, end);
		if (!vms_sealed(r)) {
			err = vms_modify_flags(mm, r, &prev, nstart, tmp,
					       r->flags | VMASHADOW_VM_SEALED);
			if (err)
				break;
		} else {
			prev = r;
		}
		nstart = max(tmp, prev->end);
		if (nstart >= end)
			break;
		r = vms_find(mm, nstart);
	}
	return err;
}
