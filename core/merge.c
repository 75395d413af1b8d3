// SPDX-License-Identifier: GPL-2.0
/*
 * When may two regions be one?  The predicates of mm/mmap.c (6.1) and
 * mm/vma.c (6.12), each of which also says which rule refused, so that
 * vmashadow can explain a merge that did not happen.
 */
#include "core.h"

/*
 * is_mergeable_anon_vma(): @anon1 may join @anon2's region @r when they
 * are the same anon_vma, or when one side has none yet and @r's chain is
 * singular (faulted, not inherited by fork).  @r may be NULL: prev and
 * next compared with each other.
 */
bool vms_anon_mergeable(const struct vms_anon *anon1,
			const struct vms_anon *anon2,
			const struct vms_region *r)
{
	if ((!anon1 || !anon2) && (!r || vms_chain_singular(r)))
		return true;
	return anon1 == anon2;
}

/* Which anon_vma rule refused; called only after vms_anon_mergeable(). */
static u32 vms_anon_why(const struct vms_anon *anon, const struct vms_region *r)
{
	if (anon && vms_anon_of(r))
		return VMASHADOW_WHY_ANON_VMA;
	if (!anon)
		return VMASHADOW_WHY_ANON_FORKED;
	return VMASHADOW_WHY_ANON_UNFAULTED;
}

/*
 * The merged region keeps whichever anon_vma the two had (they are equal,
 * or one side had none), as vma_expand() and dup_anon_vma() do.
 */
void vms_adopt_anon(struct vms_region *dst, const struct vms_region *src)
{
	struct vms_anon *anon = vms_anon_of(src);

	if (vms_anon_of(dst) || !anon)
		return;
	anon->refs++;
	vms_set_anon(dst, anon);
	dst->flags |= src->flags & VMS_ANON_FORKED;
}

/*
 * Flags that count in a merge: all but the shadow's bookkeeping, the
 * policy, which is compared first and on its own, and the userfaultfd
 * context, compared after the file.
 */
static unsigned long vms_merge_flags(unsigned long flags)
{
	return flags & ~(VMS_INTERNAL_FLAGS | VMS_POLICY_MASK |
			 VMS_UFFD_MASK | VMASHADOW_VM_CLOSE_OP);
}

/*
 * is_mergeable_vma() plus is_mergeable_anon_vma(): may a range with these
 * attributes join @r?  The page offset is the caller's business.  The
 * policy (in @flags) is vma_merge()'s mpol_equal(), which 6.1 asks before
 * the rest and 6.12 first of is_mergeable_vma()'s questions.
 */
static bool vms_mergeable(struct vms_mm *mm, const struct vms_region *r,
			  unsigned long flags, const struct vms_anon *anon,
			  const struct vms_file *file,
			  struct vmashadow_explain_side *why)
{
	unsigned long diff = vms_merge_flags(r->flags ^ flags);

	why->start = r->start;
	why->end = r->end;
	why->verdict = VMASHADOW_VERDICT_REFUSED;
	if (flags & VMS_SPECIAL_FLAGS) {
		why->why = VMASHADOW_WHY_SPECIAL;
		return false;
	}
	if ((r->flags ^ flags) & VMS_POLICY_MASK) {
		why->why = VMASHADOW_WHY_POLICY;
		return false;
	}
	if (diff) {
		why->why = VMASHADOW_WHY_FLAGS;
		why->flags_diff = diff;
		return false;
	}
	if (vms_file_of(r) != file) {
		why->why = VMASHADOW_WHY_FILE;
		return false;
	}
	/* 6.1 refuses any ->close; 6.12 only refuses to delete one. */
	if (!vms_rules_6_12(mm) && (r->flags & VMASHADOW_VM_CLOSE_OP)) {
		why->why = VMASHADOW_WHY_CLOSE_OP;
		return false;
	}
	/* only reached when the modes agree: a context has a mode */
	if ((r->flags ^ flags) & VMS_UFFD_MASK) {
		why->why = VMASHADOW_WHY_UFFD;
		return false;
	}
	if (!vms_anon_mergeable(anon, vms_anon_of(r), r)) {
		why->why = vms_anon_why(anon, r);
		return false;
	}
	return true;
}

static bool vms_merge_ok(struct vmashadow_explain_side *why)
{
	why->verdict = VMASHADOW_VERDICT_MERGED;
	why->why = VMASHADOW_WHY_NONE;
	return true;
}

/*
 * can_vma_merge_after(): may [.., pgoff) with these attributes follow
 * @prev as one region?
 */
bool vms_can_merge_after(struct vms_mm *mm, const struct vms_region *prev,
			 unsigned long flags, const struct vms_anon *anon,
			 const struct vms_file *file, unsigned long pgoff,
			 struct vmashadow_explain_side *why)
{
	if (!vms_mergeable(mm, prev, flags, anon, file, why))
		return false;
	if (prev->pgoff + vms_pages(prev) != pgoff) {
		why->why = VMASHADOW_WHY_PGOFF;
		return false;
	}
	return vms_merge_ok(why);
}

/*
 * can_vma_merge_before(): may a range of @pglen pages at @pgoff precede
 * @next as one region?
 */
bool vms_can_merge_before(struct vms_mm *mm, const struct vms_region *next,
			  unsigned long flags, const struct vms_anon *anon,
			  const struct vms_file *file, unsigned long pgoff,
			  unsigned long pglen,
			  struct vmashadow_explain_side *why)
{
	if (!vms_mergeable(mm, next, flags, anon, file, why))
		return false;
	if (next->pgoff != pgoff + pglen) {
		why->why = VMASHADOW_WHY_PGOFF;
		return false;
	}
	return vms_merge_ok(why);
}

/*
 * Could the two regions that meet at @addr be one?  Ask as mprotect would
 * if it made the upper one like the lower: with the upper region's
 * anon_vma, can it follow the lower one?
 */
void vms_explain_at(struct vms_mm *mm, unsigned long addr,
		    struct vmashadow_explain *out)
{
	struct vms_region *next = vms_lookup(mm, addr);
	struct vms_region *prev = next ? vms_prev(next) : NULL;

	memset(&out->prev, 0, sizeof(out->prev));
	memset(&out->next, 0, sizeof(out->next));
	out->op = 0;
	out->merge_case = 0;
	if (!next || next->start != addr || !prev || prev->end != addr) {
		out->addr = addr;
		out->end = addr;
		return;
	}
	out->addr = prev->start;
	out->end = next->end;
	out->next.start = next->start;
	out->next.end = next->end;
	vms_can_merge_after(mm, prev, next->flags, vms_anon_of(next),
			    vms_file_of(next), next->pgoff, &out->prev);
	/* and the other way round: could the lower join the upper? */
	vms_can_merge_before(mm, next, prev->flags, vms_anon_of(prev),
			     vms_file_of(prev), prev->pgoff, vms_pages(prev),
			     &out->next);
}
