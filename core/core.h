/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the region core share among themselves and nobody else.
 */
#ifndef _VMASHADOW_CORE_H
#define _VMASHADOW_CORE_H

#include "../vmashadow.h"

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE		0x08
#endif
/* x86's MAP_ABOVE4G (6.12); 6.1 ignores the bit like any unknown one */
#define VMS_MAP_ABOVE4G		0x80

static inline unsigned long vms_pages(const struct vms_region *r)
{
	return (r->end - r->start) >> PAGE_SHIFT;
}

/*
 * is_data_mapping(): private, writable and not a stack, what RLIMIT_DATA
 * bounds (VM_STACK is VM_GROWSDOWN on x86).
 */
static inline bool vms_is_data_mapping(unsigned long flags)
{
	return (flags & (VMASHADOW_VM_WRITE | VMASHADOW_VM_SHARED |
			 VMASHADOW_VM_GROWSDOWN)) == VMASHADOW_VM_WRITE;
}

static inline bool vms_rules_6_12(const struct vms_mm *mm)
{
	return mm->params.rules >= VMASHADOW_RULES_6_12;
}

/*
 * vma_is_anonymous(): no vm_ops.  No file, or /dev/zero mapped privately
 * (or through a read-only open), which mmap_zero() makes anonymous.
 */
static inline bool vms_is_anonymous(const struct vms_region *r)
{
	const struct vms_file *file = vms_file_of(r);

	if (file)
		return (file->mode & VMS_FMODE_ZERO) &&
		       !(r->flags & VMASHADOW_VM_SHARED);
	return !(r->flags & VMS_KIND_SPECIAL);
}

/* can_modify_vma(): 6.12's mseal(2) forbids changing a sealed region. */
static inline bool vms_sealed(const struct vms_region *r)
{
	return r->flags & VMASHADOW_VM_SEALED;
}

/* The pages @file has for a fault to find, ULONG_MAX where not known. */
static inline unsigned long vms_file_size(const struct vms_file *file)
{
	if (file->ops->size)
		return file->ops->size(file);
	return file->pages ? file->pages : ULONG_MAX;
}

/* list_is_singular(&vma->anon_vma_chain): faulted and not inherited. */
static inline bool vms_chain_singular(const struct vms_region *r)
{
	return vms_anon_of(r) && !(r->flags & VMS_ANON_FORKED);
}

/* region.c */
void vms_region_discard(struct vms_region *r);
void vms_reserve_drain(struct vms_mm *mm);
void vms_region_dup(struct vms_region *new, const struct vms_region *r);
void vms_unlink(struct vms_mm *mm, struct vms_region *r);
void vms_adjust(struct vms_mm *mm, struct vms_region *r,
		unsigned long start, unsigned long end, unsigned long pgoff);
void vms_set_flags(struct vms_mm *mm, struct vms_region *r,
		   unsigned long flags);
unsigned long vms_start_gap(const struct vms_region *r);
unsigned long vms_highest_end(const struct vms_mm *mm);
unsigned long vms_unmapped_area_topdown(struct vms_mm *mm,
					unsigned long length,
					unsigned long low_limit,
					unsigned long high_limit);
unsigned long vms_unmapped_area(struct vms_mm *mm, unsigned long length,
				unsigned long low_limit,
				unsigned long high_limit);

/* can_do_mlock(): a limit of 0 forbids locking, unless CAP_IPC_LOCK */
static inline bool vms_can_do_mlock(const struct vms_mm *mm)
{
	return mm->params.rlimit_memlock != 0;
}

/* ops.c: what mlock.c shares of the address-space calls */
#define VMS_PREALLOC_SPLITS	2
int vms_prealloc(struct vms_mm *mm, unsigned int regions);
void vms_explain_begin(struct vms_mm *mm, u32 op, unsigned long start,
		       unsigned long end);
int vms_modify_flags(struct vms_mm *mm, struct vms_region *area,
		     struct vms_region **pprev, unsigned long start,
		     unsigned long end, unsigned long newflags);
int vms_modify_flags_pgoff(struct vms_mm *mm, struct vms_region *area,
			   struct vms_region **pprev, unsigned long start,
			   unsigned long end, unsigned long newflags,
			   unsigned long pgoff);
int vms_populate_vma_range(struct vms_mm *mm, struct vms_region *r,
			   unsigned long start, unsigned long end);
int vms_mm_populate(struct vms_mm *mm, unsigned long start,
		    unsigned long end, bool ignore_errors);

/* uffd.c: what fork and mremap do to registrations */
void vms_uffd_dup(struct vms_mm *dst, const struct vms_mm *src, bool fork);
void vms_uffd_forked(struct vms_mm *dst, const struct vms_mm *src,
		     struct vms_region *r);
void vms_uffd_moved(struct vms_mm *mm, struct vms_region *r);

/* mlock.c */
bool vms_mlock_future_ok(struct vms_mm *mm, unsigned long flags,
			 unsigned long len);

/* merge.c */
bool vms_anon_mergeable(const struct vms_anon *anon1,
			const struct vms_anon *anon2,
			const struct vms_region *r);
void vms_adopt_anon(struct vms_region *dst, const struct vms_region *src);

#endif /* _VMASHADOW_CORE_H */
