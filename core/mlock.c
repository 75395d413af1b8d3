// SPDX-License-Identifier: GPL-2.0
/*
 * mlock(2), mlock2(2), munlock(2), mlockall(2) and munlockall(2) on a
 * shadow, after mm/mlock.c (6.1 and 6.12 differ only in leaving 6.12's
 * droppable memory alone).
 *
 * To the regions, locking is a flag change like mprotect's: the range is
 * split off at its edges, and joined to neighbours that now agree, by
 * vms_modify_flags().
 *
 *   mlock(B, C - B):                     munlock(B, C - B):
 *
 *   A                        D           A        B        C        D
 *   +------------------------+           +--------+--------+--------+
 *   |           rw           |           |   rw   | rw lo  |   rw   |
 *   +------------------------+           +--------+--------+--------+
 *               |                                     |
 *               | split at B and at C                 | vma_merge() case 1:
 *               v                                     v prev, range, next
 *   A        B        C      D           A                          D
 *   +--------+--------+------+           +--------------------------+
 *   |   rw   | rw lo  |  rw  |           |            rw            |
 *   +--------+--------+------+           +--------------------------+
 *
 * What else decides later merges is modelled too: VM_LOCKONFAULT, the
 * anon_vma that faulting locked private writable memory in gives it, and
 * mlockall(MCL_FUTURE)'s def_flags, which every later mmap() and brk()
 * takes.  The kernel's mm->locked_vm is always the pages of its VM_LOCKED
 * regions (every path that locks or unlocks memory changes both), so the
 * shadow counts them where it needs the figure: against RLIMIT_MEMLOCK,
 * which only binds a process without CAP_IPC_LOCK.
 */
#include "core.h"

#define VMS_LOCKED_MASK	(VMASHADOW_VM_LOCKED | VMASHADOW_VM_LOCKONFAULT)

/* mm->locked_vm: the pages of the VM_LOCKED regions. */
unsigned long vms_locked_pages(const struct vms_mm *mm)
{
	const struct vms_region *r;
	unsigned long pages = 0;

	for (r = vms_first(mm); r; r = vms_next(r))
		if (r->flags & VMASHADOW_VM_LOCKED)
			pages += vms_pages(r);
	return pages;
}

static bool vms_memlock_unlimited(const struct vms_mm *mm)
{
	return mm->params.rlimit_memlock == VMASHADOW_MEMLOCK_UNLIMITED;
}

/*
 * mlock_future_ok(): may @len more bytes be locked, if @flags lock them?
 * mmap() and brk() ask it for their new memory (-EAGAIN), mremap() for
 * what a locked region grows by.
 */
bool vms_mlock_future_ok(struct vms_mm *mm, unsigned long flags,
			 unsigned long len)
{
	if (!(flags & VMASHADOW_VM_LOCKED) || vms_memlock_unlimited(mm))
		return true;
	return (len >> PAGE_SHIFT) + vms_locked_pages(mm) <=
	       mm->params.rlimit_memlock >> PAGE_SHIFT;
}

/* count_mm_mlocked_page_nr(): the pages of [start, start + len) locked. */
static unsigned long vms_locked_in(struct vms_mm *mm, unsigned long start,
				   unsigned long len)
{
	unsigned long end = ULONG_MAX - len < start ? ULONG_MAX : start + len;
	unsigned long pages = 0;
	struct vms_region *r;

	for (r = vms_find(mm, start); r && r->start < end; r = vms_next(r))
		if (r->flags & VMASHADOW_VM_LOCKED)
			pages += (min(end, r->end) - max(start, r->start)) >>
				 PAGE_SHIFT;
	return pages;
}

/*
 * mlock_fixup(): give [start, end) of @r the lock bits of @newflags.
 * Special mappings and hugetlb memory (and 6.12's droppable memory) never
 * take them: they are left as they are, not even merged.
 */
static int vms_mlock_fixup(struct vms_mm *mm, struct vms_region *r,
			   struct vms_region **pprev, unsigned long start,
			   unsigned long end, unsigned long newflags)
{
	if (newflags == r->flags ||
	    (r->flags & (VMS_SPECIAL_FLAGS | VMASHADOW_VM_HUGETLB)) ||
	    (vms_rules_6_12(mm) && (r->flags & VMASHADOW_VM_DROPPABLE))) {
		*pprev = r;
		return 0;
	}
	return vms_modify_flags(mm, r, pprev, start, end, newflags);
}

/*
 * apply_vma_lock_flags(): set the lock bits of [start, start + len) to
 * @flags, region by region.  A hole ends it with -ENOMEM, the regions
 * before it changed, as mprotect() over a hole leaves them.
 */
static int vms_apply_lock_flags(struct vms_mm *mm, unsigned long start,
				unsigned long len, unsigned long flags)
{
	unsigned long end = start + len, nstart, tmp;
	struct vms_region *r, *prev;
	int err;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	r = vms_lookup(mm, start);
	if (!r)
		return -ENOMEM;
	prev = start > r->start ? r : vms_prev(r);

	for (nstart = start; ; ) {
		tmp = min(r->end, end);
		err = vms_mlock_fixup(mm, r, &prev, nstart, tmp,
				      (r->flags & ~VMS_LOCKED_MASK) | flags);
		if (err)
			return err;
		nstart = tmp;
		if (nstart < prev->end)
			nstart = prev->end;
		if (nstart >= end)
			return 0;
		r = vms_find(mm, prev->end);
		if (!r || r->start != nstart)
			return -ENOMEM;
		cond_resched();
	}
}

/* __mlock_posix_error_return(): what POSIX has mlock() say */
static int vms_mlock_posix_error(int err)
{
	if (err == -EFAULT)
		return -ENOMEM;
	if (err == -ENOMEM)
		return -EAGAIN;
	return err;
}

/*
 * The page-rounded range of mlock() and munlock(): @start down, the
 * length up from there.  The sum may wrap, and then the range is empty or
 * fails, as in the kernel.
 */
static void vms_lock_range(unsigned long *start, unsigned long *len)
{
	*len = PAGE_ALIGN(*len + (*start & ~PAGE_MASK));
	*start &= PAGE_MASK;
}

/*
 * do_mlock(): lock the range, then fault it in (__mm_populate()), which
 * fails at PROT_NONE memory: -ENOMEM, with the range locked all the same.
 * Over RLIMIT_MEMLOCK it is -ENOMEM before anything changes, pages already
 * locked in the range not counted twice.
 */
static int vms_do_mlock(struct vms_mm *mm, unsigned long start,
			unsigned long len, unsigned long flags)
{
	unsigned long limit = mm->params.rlimit_memlock >> PAGE_SHIFT;
	unsigned long locked;
	int err;

	if (!vms_can_do_mlock(mm))
		return -EPERM;
	vms_lock_range(&start, &len);
	if (!vms_memlock_unlimited(mm)) {
		locked = (len >> PAGE_SHIFT) + vms_locked_pages(mm);
		if (locked > limit)
			locked -= vms_locked_in(mm, start, len);
		if (locked > limit)
			return -ENOMEM;
	}
	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;
	vms_explain_begin(mm, VMASHADOW_OP_MLOCK, start, start + len);
	err = vms_apply_lock_flags(mm, start, len, flags);
	if (err)
		return err;
	return vms_mlock_posix_error(vms_mm_populate(mm, start, start + len,
						     false));
}

/* mlock2(2); mlock(2) is mlock2() with @flags 0. */
int vms_mlock(struct vms_mm *mm, unsigned long start, unsigned long len,
	      unsigned long flags)
{
	unsigned long vm_flags = VMASHADOW_VM_LOCKED;

	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	if (flags & MLOCK_ONFAULT)
		vm_flags |= VMASHADOW_VM_LOCKONFAULT;
	return vms_do_mlock(mm, start, len, vm_flags);
}

/* munlock(2): no limit and no permission to ask. */
int vms_munlock(struct vms_mm *mm, unsigned long start, unsigned long len)
{
	int err;

	vms_lock_range(&start, &len);
	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;
	vms_explain_begin(mm, VMASHADOW_OP_MUNLOCK, start, start + len);
	return vms_apply_lock_flags(mm, start, len, 0);
}

/*
 * apply_mlockall_flags(): MCL_FUTURE sets def_flags, MCL_CURRENT (or
 * munlockall(), @flags 0) sets the lock bits of every region, each whole,
 * so regions only merge: nothing is allocated and nothing fails.  A
 * region swallowed with its neighbours is met again, as the kernel's walk
 * meets it, and left alone.
 */
static void vms_apply_mlockall_flags(struct vms_mm *mm, unsigned long flags)
{
	struct vms_region *r, *prev = NULL;
	unsigned long to_add = 0, next;

	mm->params.def_flags &= ~VMS_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->params.def_flags |= VMASHADOW_VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->params.def_flags |= VMASHADOW_VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT) {
		to_add |= VMASHADOW_VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= VMASHADOW_VM_LOCKONFAULT;
	}
	for (r = vms_first(mm); r; r = vms_find(mm, next)) {
		next = r->end;
		vms_mlock_fixup(mm, r, &prev, r->start, r->end,
				(r->flags & ~VMS_LOCKED_MASK) | to_add);
		cond_resched();
	}
}

/*
 * mlockall(2).  MCL_CURRENT faults everything in afterwards, ignoring
 * what fails; over RLIMIT_MEMLOCK, the whole address space counted, it is
 * -ENOMEM before anything changes.
 */
int vms_mlockall(struct vms_mm *mm, unsigned long flags)
{
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!vms_can_do_mlock(mm))
		return -EPERM;
	if ((flags & MCL_CURRENT) && !vms_memlock_unlimited(mm) &&
	    mm->total_vm > mm->params.rlimit_memlock >> PAGE_SHIFT)
		return -ENOMEM;
	vms_explain_begin(mm, VMASHADOW_OP_MLOCKALL, 0, VMS_TASK_SIZE);
	vms_apply_mlockall_flags(mm, flags);
	if (flags & MCL_CURRENT)
		vms_mm_populate(mm, 0, VMS_TASK_SIZE, true);
	return 0;
}

/* munlockall(2): def_flags and every region unlocked. */
int vms_munlockall(struct vms_mm *mm)
{
	vms_explain_begin(mm, VMASHADOW_OP_MUNLOCKALL, 0, VMS_TASK_SIZE);
	vms_apply_mlockall_flags(mm, 0);
	return 0;
}
