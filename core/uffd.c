// SPDX-License-Identifier: GPL-2.0
/*
 * userfaultfd(2) as the regions see it: UFFDIO_REGISTER and
 * UFFDIO_UNREGISTER split and merge like mprotect, the last close
 * unregisters a context everywhere, and fork and mremap drop or keep
 * registrations by the context's features.  fs/userfaultfd.c of 6.1 and
 * mm/userfaultfd.c of 6.12, which differ in three places: a range with no
 * region at all (-ENOMEM, -EINVAL), the page offset 6.1 asks a merge with
 * (below), and what 6.12 refuses (VM_SPECIAL; WP_ASYNC's exception).
 *
 * Faults, the events and UFFDIO_COPY are not modelled: nothing they do
 * changes a region but the anon_vma a fault gives (VMASHADOW_OP_TOUCH).
 */
#include "core.h"

/* include/uapi/linux/userfaultfd.h, 6.12's, whatever the build's headers */
#define VMS_UFFD_FEATURE_EVENT_FORK	BIT(1)
#define VMS_UFFD_FEATURE_EVENT_REMAP	BIT(2)
#define VMS_UFFD_FEATURE_WP_UNPOPULATED	BIT(13)
#define VMS_UFFD_FEATURE_WP_ASYNC	BIT(15)
#define VMS_UFFD_FEATURES_6_1		GENMASK(12, 0)
#define VMS_UFFD_FEATURES_6_12		GENMASK(16, 0)
#define VMS_UFFD_MODE_MISSING		BIT(0)
#define VMS_UFFD_MODE_WP		BIT(1)
#define VMS_UFFD_MODE_MINOR		BIT(2)

static bool vms_uffd_is_open(const struct vms_mm *mm, unsigned int ctx)
{
	return ctx && ctx <= VMASHADOW_UFFD_MAX &&
	       (mm->uffd[ctx] & VMS_UFFD_OPEN);
}

static bool vms_uffd_wants(const struct vms_mm *mm, unsigned int ctx,
			   u32 feature)
{
	return mm->uffd[ctx] & feature;
}

/*
 * userfaultfd() and UFFDIO_API in one: the features are checked as the
 * handshake checks them, and a context is set up once.
 */
int vms_uffd_api(struct vms_mm *mm, unsigned int ctx, unsigned long features)
{
	unsigned long known = vms_rules_6_12(mm) ? VMS_UFFD_FEATURES_6_12 :
						   VMS_UFFD_FEATURES_6_1;

	if (!ctx || ctx > VMASHADOW_UFFD_MAX)
		return -EBADF;
	if ((features & VMS_UFFD_FEATURE_EVENT_FORK) && !mm->may_ptrace)
		return -EPERM;
	if (vms_rules_6_12(mm) && (features & VMS_UFFD_FEATURE_WP_ASYNC))
		features |= VMS_UFFD_FEATURE_WP_UNPOPULATED;
	if (features & ~known)
		return -EINVAL;
	/* the handshake is once: its cmpxchg() comes after the checks */
	if (mm->uffd[ctx] & VMS_UFFD_OPEN)
		return -EINVAL;
	mm->uffd[ctx] = VMS_UFFD_OPEN | features;
	return 0;
}

/* GET_UFFD: the features of an open context. */
int vms_uffd_features(const struct vms_mm *mm, unsigned int ctx, u64 *features)
{
	if (!ctx || ctx > VMASHADOW_UFFD_MAX)
		return -EINVAL;
	if (!vms_uffd_is_open(mm, ctx))
		return -EBADF;
	*features = mm->uffd[ctx] & ~VMS_UFFD_OPEN;
	return 0;
}

/*
 * vma_is_shmem(): tmpfs behind it, shared anonymous memory included, but
 * not SysV shm, whose vm_ops are shm's own (and have ->close).
 */
static bool vms_is_shmem(const struct vms_region *r)
{
	const struct vms_file *file = vms_file_of(r);

	return file && !(r->flags & VMASHADOW_VM_CLOSE_OP) &&
	       (file->kind == VMASHADOW_KIND_SHMEM ||
		(file->mode & VMS_FMODE_SHMEM));
}

/* vma_can_userfault(): may @r carry the modes @modes? */
static bool vms_uffd_capable(const struct vms_mm *mm,
			     const struct vms_region *r, unsigned long modes,
			     bool wp_async)
{
	if (vms_rules_6_12(mm) && (r->flags & VMS_SPECIAL_FLAGS))
		return false;
	if ((modes & VMASHADOW_VM_UFFD_MINOR) && !vms_is_shmem(r))
		return false;
	if (vms_rules_6_12(mm) && wp_async && modes == VMASHADOW_VM_UFFD_WP)
		return true;
	return vms_is_anonymous(r) || vms_is_shmem(r);
}

/* validate_range(): mmap_min_addr is not asked */
static int vms_uffd_range(unsigned long start, unsigned long len)
{
	if ((start & ~PAGE_MASK) || (len & ~PAGE_MASK) || !len)
		return -EINVAL;
	if (start >= VMS_TASK_SIZE || len > VMS_TASK_SIZE - start)
		return -EINVAL;
	return 0;
}

/*
 * The first region the range meets.  6.1 looks for any region ending above
 * @start and fails with -ENOMEM when there is none, 6.12 asks only for
 * one meeting the range.
 */
static struct vms_region *vms_uffd_first(struct vms_mm *mm,
					 unsigned long start,
					 unsigned long end, int *err)
{
	struct vms_region *r = vms_find(mm, start);

	*err = 0;
	if (!r)
		*err = vms_rules_6_12(mm) ? -EINVAL : -ENOMEM;
	else if (r->start >= end)
		*err = -EINVAL;
	return *err ? NULL : r;
}

static struct vms_region *vms_uffd_next(struct vms_region *r,
					unsigned long end)
{
	r = vms_next(r);
	return r && r->start < end ? r : NULL;
}

/*
 * Give [start, end) of @r the userfaultfd state in @newflags.  6.1 asks
 * vma_merge() with @r's own page offset, not the range's, so that a range
 * ending @r joins the next region only when the offsets happen to fit;
 * 6.12's vma_modify() asks with the range's.
 */
static int vms_uffd_modify(struct vms_mm *mm, struct vms_region *r,
			   struct vms_region **pprev, unsigned long start,
			   unsigned long end, unsigned long newflags)
{
	if (vms_rules_6_12(mm))
		return vms_modify_flags(mm, r, pprev, start, end, newflags);
	return vms_modify_flags_pgoff(mm, r, pprev, start, end, newflags,
				      r->pgoff);
}

/*
 * Give every region of [start, end) the context @ctx with the modes
 * @modes, or with @ctx 0 and no modes unregister them: the loop of
 * userfaultfd_register() and of userfaultfd_unregister().  A region that
 * has the context and all the modes already is passed over, not even
 * merged (for unregistering: one without a context).  A refused split
 * ends the walk; what it did before stays done.
 */
static int vms_uffd_apply(struct vms_mm *mm, unsigned long start,
			  unsigned long end, unsigned int ctx,
			  unsigned long modes)
{
	unsigned long newflags, tmp;
	struct vms_region *r, *prev;
	int err;

	r = vms_find_prev(mm, start, &prev);
	if (r->start < start)
		prev = r;
	do {
		if (vms_uffd_of(r->flags) != ctx ||
		    (r->flags & modes) != modes) {
			start = max(start, r->start);
			tmp = min(end, r->end);
			newflags = vms_uffd_cleared(r->flags) | modes |
				   ((unsigned long)ctx << VMS_UFFD_SHIFT);
			err = vms_uffd_modify(mm, r, &prev, start, tmp,
					      newflags);
			if (err)
				return err;
			r = prev;
		}
		prev = r;
		start = r->end;
		r = vms_uffd_next(r, end);
		cond_resched();
	} while (r);
	return 0;
}

/*
 * Every region the range meets must take the modes, be writable in
 * principle (VM_MAYWRITE: UFFDIO_COPY fills even a read-only mapping) and
 * belong to no other context.  Holes are allowed.
 */
static int vms_uffd_register_check(struct vms_mm *mm, struct vms_region *r,
				   unsigned long end, unsigned int ctx,
				   unsigned long modes)
{
	bool wp_async = vms_uffd_wants(mm, ctx, VMS_UFFD_FEATURE_WP_ASYNC);
	unsigned int owner;

	for (; r; r = vms_uffd_next(r, end)) {
		if (!vms_uffd_capable(mm, r, modes, wp_async))
			return -EINVAL;
		if (!(r->flags & VMASHADOW_VM_MAYWRITE))
			return -EPERM;
		owner = vms_uffd_of(r->flags);
		if (owner && owner != ctx)
			return -EBUSY;
	}
	return 0;
}

/*
 * UFFDIO_REGISTER.  The modes asked replace a region's (WP after MISSING
 * leaves WP alone), except where the region already has them all with
 * this context: that one is passed over, not even merged.  A split
 * refused at max_map_count ends the call with -ENOMEM, and what was done
 * before it stays done, as in the kernel.
 *
 *     register [start, end) of      gives (6.12; 6.1 the same but that
 *     one region:                   it keeps the tail apart from NNNN):
 *
 *          start     end
 *     PPPPAAAAAAAAAAAANNNN          PPPPAAAARRRRAAAANNNN   (middle)
 *     PPPPAAAAAAAAAAAANNNN          PPPPRRRRAAAAAAAANNNN   (head)
 *     PPPPAAAAAAAAAAAANNNN          PPPPAAAARRRRRRRRRRRR   (tail, NNNN
 *                                   registered alike)
 */
int vms_uffd_register(struct vms_mm *mm, unsigned long start,
		      unsigned long len, unsigned int ctx, unsigned long mode)
{
	unsigned long end = start + len, modes = 0;
	struct vms_region *r;
	int err;

	if (!vms_uffd_is_open(mm, ctx))
		return -EBADF;
	if (!mode || (mode & ~(VMS_UFFD_MODE_MISSING | VMS_UFFD_MODE_WP |
			       VMS_UFFD_MODE_MINOR)))
		return -EINVAL;
	if (mode & VMS_UFFD_MODE_MISSING)
		modes |= VMASHADOW_VM_UFFD_MISSING;
	if (mode & VMS_UFFD_MODE_WP)
		modes |= VMASHADOW_VM_UFFD_WP;
	if (mode & VMS_UFFD_MODE_MINOR)
		modes |= VMASHADOW_VM_UFFD_MINOR;
	err = vms_uffd_range(start, len);
	if (err)
		return err;
	r = vms_uffd_first(mm, start, end, &err);
	if (!r)
		return err;
	err = vms_uffd_register_check(mm, r, end, ctx, modes);
	if (err)
		return err;
	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;

	vms_explain_begin(mm, VMASHADOW_OP_UFFD_REGISTER, start, end);
	return vms_uffd_apply(mm, start, end, ctx, modes);
}

/*
 * UFFDIO_UNREGISTER: any context's registrations in the range go, not only
 * the caller's (the kernel asks no owner).  Every region met must be one
 * the caller's context could register with the modes it has: an
 * unregistered file mapping in the range fails the call.
 */
int vms_uffd_unregister(struct vms_mm *mm, unsigned long start,
			unsigned long len, unsigned int ctx)
{
	bool wp_async = vms_uffd_wants(mm, ctx, VMS_UFFD_FEATURE_WP_ASYNC);
	unsigned long end = start + len;
	struct vms_region *r, *first;
	int err;

	if (!vms_uffd_is_open(mm, ctx))
		return -EBADF;
	err = vms_uffd_range(start, len);
	if (err)
		return err;
	first = vms_uffd_first(mm, start, end, &err);
	if (!first)
		return err;
	for (r = first; r; r = vms_uffd_next(r, end))
		if (!vms_uffd_capable(mm, r, r->flags & VMS_UFFD_MODES,
				      wp_async))
			return -EINVAL;
	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;
	vms_explain_begin(mm, VMASHADOW_OP_UFFD_UNREGISTER, start, end);
	return vms_uffd_apply(mm, start, end, 0, 0);
}

/*
 * userfaultfd_release(): the context's regions, whole, lose it and merge
 * with what they now match.  No split, so nothing can fail.
 */
int vms_uffd_close(struct vms_mm *mm, unsigned int ctx)
{
	struct vms_region *r, *prev = NULL;
	int err;

	if (!vms_uffd_is_open(mm, ctx))
		return -EBADF;
	vms_explain_begin(mm, VMASHADOW_OP_UFFD_CLOSE, 0, 0);
	for (r = vms_first(mm); r; r = vms_next(prev)) {
		if (vms_uffd_of(r->flags) != ctx) {
			prev = r;
			continue;
		}
		/* *prev becomes the region now holding r, merged or not */
		err = vms_modify_flags(mm, r, &prev, r->start, r->end,
				       vms_uffd_cleared(r->flags));
		WARN_ON_ONCE(err);
		cond_resched();
	}
	mm->uffd[ctx] = 0;
	return 0;
}

/*
 * The contexts of a copy of @src: all of them for a dry run's copy, none
 * yet for a child, which vms_uffd_forked() gives its own one by one.
 */
void vms_uffd_dup(struct vms_mm *dst, const struct vms_mm *src, bool fork)
{
	if (!fork)
		memcpy(dst->uffd, src->uffd, sizeof(dst->uffd));
}

/*
 * dup_userfaultfd() for the child's copy @r of a region of @src: a context
 * with UFFD_FEATURE_EVENT_FORK gets a child context, one for all the
 * regions that had it (the fork event hands it over; the shadow keeps its
 * number); any other is cleared.  A context no copied region holds makes
 * none: in the child its descriptor still acts on the parent.
 */
void vms_uffd_forked(struct vms_mm *dst, const struct vms_mm *src,
		     struct vms_region *r)
{
	unsigned int ctx = vms_uffd_of(r->flags);

	if (!ctx)
		return;
	if (vms_uffd_wants(src, ctx, VMS_UFFD_FEATURE_EVENT_FORK))
		dst->uffd[ctx] = src->uffd[ctx];
	else
		r->flags = vms_uffd_cleared(r->flags);
}

/*
 * mremap_userfaultfd_prep(): without UFFD_FEATURE_EVENT_REMAP the region a
 * move made loses its registration, after copy_vma() merged it with what
 * matched it while registered, so a neighbour it joined loses it too.
 */
void vms_uffd_moved(struct vms_mm *mm, struct vms_region *r)
{
	unsigned int ctx = vms_uffd_of(r->flags);

	if (ctx && !vms_uffd_wants(mm, ctx, VMS_UFFD_FEATURE_EVENT_REMAP))
		vms_set_flags(mm, r, vms_uffd_cleared(r->flags));
}
