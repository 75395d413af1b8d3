// SPDX-License-Identifier: GPL-2.0
/*
 * mbind(2): memory policies, as mm/mempolicy.c gives them to ranges of an
 * address space.  A policy decides where pages come from, which the shadow
 * does not model; what it models is what a policy does to the regions.
 * Setting one splits a region at the range's edges and merges it with a
 * neighbour that has the same policy, and afterwards a region's policy is
 * hidden state that stops merges: an mmap() beside it, or an mprotect()
 * that makes it like its neighbour, leaves two regions where /proc/PID/maps
 * shows no reason for them.
 *
 * The checks follow kernel_mbind() and do_mbind() of 6.1 and 6.12, which
 * differ only in the modes they know (6.12 adds MPOL_WEIGHTED_INTERLEAVE)
 * and in MPOL_F_NUMA_BALANCING (6.12 also takes it with
 * MPOL_PREFERRED_MANY).  mbind_range() is the same loop in both, over
 * vma_merge() (6.1) or vma_modify_policy() (6.12): vms_modify_flags().
 * set_mempolicy_home_node(2), the same in both, runs that loop too, with
 * each region's own policy given a home node.
 */
#include "core.h"

#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE	6	/* 6.12 */
#endif

#define VMS_NO_NODE	(-1)

/* MPOL_MAX of the kernel whose rules the shadow follows. */
static unsigned int vms_mpol_max(const struct vms_mm *mm)
{
	return vms_rules_6_12(mm) ? MPOL_WEIGHTED_INTERLEAVE + 1 :
				    MPOL_PREFERRED_MANY + 1;
}

/* sanitize_mpol_flags(): split the mode from its flags and check both. */
static int vms_mpol_mode(const struct vms_mm *mm, unsigned long arg,
			 u16 *mode, u16 *flags)
{
	int lmode = arg;	/* kernel_mbind() narrows it so */

	*flags = lmode & MPOL_MODE_FLAGS;
	lmode &= ~MPOL_MODE_FLAGS;
	if ((unsigned int)lmode >= vms_mpol_max(mm))
		return -EINVAL;
	*mode = lmode;
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if (*flags & MPOL_F_NUMA_BALANCING) {
		if (*mode != MPOL_BIND &&
		    !(vms_rules_6_12(mm) && *mode == MPOL_PREFERRED_MANY))
			return -EINVAL;
		*flags |= MPOL_F_MOF | MPOL_F_MORON;
	}
	return 0;
}

/*
 * get_nodes(): maxnode counts one more than the bits it covers, and more
 * than a page of bits is refused, but only when there is a mask: maxnode
 * 0 wraps, so a mask given with it is refused too, even one of no nodes.
 * The mask names nodes 0-63; the bits of higher nodes, which the kernel
 * would read from the caller, are zero.
 */
static int vms_get_nodes(const u64 *nmask, unsigned long maxnode, u64 *nodes)
{
	*nodes = 0;
	maxnode--;
	if (!maxnode || !nmask)
		return 0;
	if (maxnode > PAGE_SIZE * 8)
		return -EINVAL;
	*nodes = maxnode < 64 ? *nmask & ((1ULL << maxnode) - 1) : *nmask;
	return 0;
}

/*
 * mpol_new(): the checks of the mode against the nodes.  MPOL_DEFAULT is
 * no policy at all (mode 0, slot 0), and MPOL_PREFERRED of no node is
 * MPOL_LOCAL.
 */
static int vms_mpol_new(u16 mode, u16 flags, u64 nodes,
			struct vms_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->home_node = VMS_NO_NODE;
	if (mode == MPOL_DEFAULT)
		return nodes ? -EINVAL : 0;
	if (mode == MPOL_PREFERRED) {
		if (!nodes) {
			if (flags & (MPOL_F_STATIC_NODES |
				     MPOL_F_RELATIVE_NODES))
				return -EINVAL;
			mode = MPOL_LOCAL;
		}
	} else if (mode == MPOL_LOCAL) {
		if (nodes || (flags & (MPOL_F_STATIC_NODES |
				       MPOL_F_RELATIVE_NODES)))
			return -EINVAL;
	} else if (!nodes) {
		return -EINVAL;
	}
	pol->mode = mode;
	pol->flags = flags;
	return 0;
}

/* The @n-th set bit of @mask (from 0), or 64 if it has fewer. */
static unsigned int vms_nth_node(u64 mask, unsigned int n)
{
	unsigned int bit;

	for (bit = 0; bit < 64; bit++)
		if ((mask & (1ULL << bit)) && !n--)
			return bit;
	return 64;
}

/*
 * mpol_relative_nodemask(): nodes_fold() then nodes_onto(): node i of
 * @orig becomes the (i mod w)-th node of @rel, which has w nodes.
 */
static u64 vms_relative_nodes(u64 orig, u64 rel)
{
	unsigned int weight = 0, bit;
	u64 out = 0;

	for (bit = 0; bit < 64; bit++)
		weight += !!(rel & (1ULL << bit));
	if (!weight)
		return 0;
	for (bit = 0; bit < 64; bit++)
		if (orig & (1ULL << bit))
			out |= 1ULL << vms_nth_node(rel, bit % weight);
	return out;
}

/*
 * mpol_set_nodemask() and the mode's ->create(): the nodes asked for,
 * less those the process may not use (or, with MPOL_F_RELATIVE_NODES,
 * mapped onto those it may), must leave one; MPOL_PREFERRED keeps only
 * the first.
 */
static int vms_mpol_set_nodemask(const struct vms_mm *mm,
				 struct vms_policy *pol, u64 nodes)
{
	u64 allowed = mm->params.mems_allowed, mask;

	if (!pol->mode || pol->mode == MPOL_LOCAL)
		return 0;
	if (pol->flags & MPOL_F_RELATIVE_NODES)
		mask = vms_relative_nodes(nodes, allowed);
	else
		mask = nodes & allowed;
	/* mpol_store_user_nodemask() */
	if (pol->flags & MPOL_MODE_FLAGS)
		pol->user_nodes = nodes;
	if (!mask)
		return -EINVAL;
	if (pol->mode == MPOL_PREFERRED)
		mask &= -mask;		/* first_node() */
	pol->nodes = mask;
	return 0;
}

/* __mpol_equal(), for two policies that are not the default. */
static bool vms_policy_equal(const struct vms_policy *a,
			     const struct vms_policy *b)
{
	if (a->mode != b->mode || a->flags != b->flags ||
	    a->home_node != b->home_node)
		return false;
	if ((a->flags & MPOL_MODE_FLAGS) && a->user_nodes != b->user_nodes)
		return false;
	return a->mode == MPOL_LOCAL || a->nodes == b->nodes;
}

/*
 * The slot holding @pol, which is taken into the table if it is not there
 * yet: an empty slot, or with @reuse one that no region holds any more.
 * Import passes false, because the regions it has read are counted only
 * when they are linked.  -ENOMEM when the table cannot be allocated, or
 * holds VMS_POLICY_SLOTS - 1 policies already.
 */
int vms_policy_intern(struct vms_mm *mm, const struct vms_policy *pol,
		      bool reuse)
{
	struct vms_policy *p, *empty = NULL, *unused = NULL;
	unsigned int i;

	if (!mm->policies) {
		mm->policies = kcalloc(VMS_POLICY_SLOTS, sizeof(*p),
				       GFP_KERNEL_ACCOUNT);
		if (!mm->policies)
			return -ENOMEM;
	}
	for (i = 1; i < VMS_POLICY_SLOTS; i++) {
		p = &mm->policies[i];
		if (!p->mode) {
			if (!empty)
				empty = p;
		} else if (vms_policy_equal(p, pol)) {
			return i;
		} else if (reuse && !p->pages && !unused) {
			unused = p;
		}
	}
	p = empty ? empty : unused;
	if (!p)
		return -ENOMEM;
	*p = *pol;
	p->pages = 0;
	return p - mm->policies;
}

/* A copy of @src's table for @dst, whose regions will count themselves in. */
int vms_policies_dup(struct vms_mm *dst, const struct vms_mm *src)
{
	unsigned int i;

	if (!src->policies)
		return 0;
	dst->policies = kmalloc_array(VMS_POLICY_SLOTS,
				      sizeof(*dst->policies),
				      GFP_KERNEL_ACCOUNT);
	if (!dst->policies)
		return -ENOMEM;
	memcpy(dst->policies, src->policies,
	       VMS_POLICY_SLOTS * sizeof(*dst->policies));
	for (i = 0; i < VMS_POLICY_SLOTS; i++)
		dst->policies[i].pages = 0;
	return 0;
}

void vms_policies_free(struct vms_mm *mm)
{
	kfree(mm->policies);
	mm->policies = NULL;
}

/*
 * get_mempolicy(MPOL_F_ADDR) of the region holding @addr, and what that
 * leaves out: the nodes in force and as given, the home node.  -EFAULT
 * where no region holds it, as vma_lookup() finds none.
 */
int vms_get_policy(struct vms_mm *mm, unsigned long addr,
		   struct vmashadow_policy *out)
{
	struct vms_region *r = vms_lookup(mm, addr);
	const struct vms_policy *pol;
	unsigned int slot;

	if (!r)
		return -EFAULT;
	out->mode = MPOL_DEFAULT;
	out->mode_flags = 0;
	out->nodes = 0;
	out->user_nodes = 0;
	out->home_node = VMS_NO_NODE;
	out->__reserved = 0;
	slot = vms_policy_of(r->flags);
	if (!slot)
		return 0;
	pol = &mm->policies[slot];
	out->mode = pol->mode;
	/* MPOL_F_MOF and MPOL_F_MORON follow from MPOL_F_NUMA_BALANCING */
	out->mode_flags = pol->flags & MPOL_MODE_FLAGS;
	out->nodes = pol->nodes;
	out->user_nodes = pol->user_nodes;
	out->home_node = pol->home_node;
	return 0;
}

/*
 * queue_pages_range()'s range check: the regions must cover [start, end)
 * without a hole, or, for the default policy, at least one must meet it;
 * else -EFAULT, before anything changes.
 */
static int vms_mbind_check_range(struct vms_mm *mm, unsigned long start,
				 unsigned long end, bool discontig_ok)
{
	struct vms_region *r = vms_find_intersection(mm, start, end);
	unsigned long covered = start;

	if (!r)
		return -EFAULT;
	if (discontig_ok)
		return 0;
	for (; r && r->start < end; r = vms_next(r)) {
		if (r->start > covered)
			return -EFAULT;
		covered = r->end;
	}
	return covered < end ? -EFAULT : 0;
}

/*
 * mbind_range(): give [start, end) of @area the policy of @slot.  A region
 * that has it already is left alone, not even merged; else vma_merge()
 * or a split at each edge, as for any change of attributes.
 */
static int vms_mbind_range(struct vms_mm *mm, struct vms_region *area,
			   struct vms_region **pprev, unsigned long start,
			   unsigned long end, unsigned int slot)
{
	unsigned long newflags = (area->flags & ~VMS_POLICY_MASK) |
				 ((unsigned long)slot << VMS_POLICY_SHIFT);

	if (start > area->start)
		*pprev = area;
	start = max(start, area->start);
	end = min(end, area->end);
	if (vms_policy_of(area->flags) == slot) {
		*pprev = area;
		return 0;
	}
	return vms_modify_flags(mm, area, pprev, start, end, newflags);
}

/*
 * The range of mbind() and set_mempolicy_home_node(), checked alike: an
 * unaligned start or a range that wraps is -EINVAL; [start, *end) may be
 * empty, which both take as done.
 */
static int vms_policy_range(unsigned long start, unsigned long len,
			    unsigned long *end)
{
	if (start & ~PAGE_MASK)
		return -EINVAL;
	*end = start + PAGE_ALIGN(len);
	return *end < start ? -EINVAL : 0;
}

/*
 * kernel_mbind() and do_mbind(), the pages left out.  @nmask is NULL where
 * mbind() was given no mask.
 */
int vms_mbind_mask(struct vms_mm *mm, unsigned long start, unsigned long len,
		   unsigned long mode, const u64 *nmask, unsigned long maxnode,
		   unsigned long flags)
{
	struct vms_region *r, *prev;
	struct vms_policy new;
	u16 pmode, pflags;
	unsigned long end;
	u64 nodes;
	int err, slot = 0;

	err = vms_mpol_mode(mm, mode, &pmode, &pflags);
	if (err)
		return err;
	err = vms_get_nodes(nmask, maxnode, &nodes);
	if (err)
		return err;
	if (flags & ~(unsigned long)MPOL_MF_VALID)
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) && !mm->may_move_all)
		return -EPERM;
	err = vms_policy_range(start, len, &end);
	if (err || end == start)
		return err;
	err = vms_mpol_new(pmode, pflags, nodes, &new);
	if (err)
		return err;
	err = vms_mpol_set_nodemask(mm, &new, nodes);
	if (err)
		return err;
	err = vms_mbind_check_range(mm, start, end, !new.mode);
	if (err)
		return err;
	if (new.mode) {
		slot = vms_policy_intern(mm, &new, true);
		if (slot < 0)
			return slot;
	}
	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;

	vms_explain_begin(mm, VMASHADOW_OP_MBIND, start, end);
	r = vms_find(mm, start);
	prev = vms_prev(r);
	while (r && r->start < end) {
		err = vms_mbind_range(mm, r, &prev, start, end, slot);
		if (err)
			break;
		r = vms_find(mm, prev->end);
		cond_resched();
	}
	return err;
}

/*
 * set_mempolicy_home_node() may need a new policy for every distinct
 * policy of MPOL_BIND or MPOL_PREFERRED_MANY it meets before it stops:
 * room for them all in the table, checked before anything changes, so
 * that the table's limit (not the kernel's) never leaves the call half
 * done.  Counted as if no slot came free on the way: a policy counts as
 * there only if a region holds it, and every slot no region holds may be
 * taken.
 */
static int vms_home_node_room(struct vms_mm *mm, unsigned long start,
			      unsigned long end, int home_node)
{
	DECLARE_BITMAP(seen, VMS_POLICY_SLOTS);
	unsigned int slot, i, held = 0, needed = 0;
	struct vms_region *r;
	struct vms_policy new;

	if (!mm->policies)
		return 0;		/* no region has a policy */
	bitmap_zero(seen, VMS_POLICY_SLOTS);
	for (r = vms_find(mm, start); r && r->start < end; r = vms_next(r)) {
		slot = vms_policy_of(r->flags);
		if (!slot)
			continue;
		new = mm->policies[slot];
		if (new.mode != MPOL_BIND && new.mode != MPOL_PREFERRED_MANY)
			break;
		if (__test_and_set_bit(slot, seen))
			continue;
		new.home_node = home_node;
		for (i = 1; i < VMS_POLICY_SLOTS; i++)
			if (mm->policies[i].pages &&
			    vms_policy_equal(&mm->policies[i], &new))
				break;
		needed += i == VMS_POLICY_SLOTS;
	}
	for (i = 1; i < VMS_POLICY_SLOTS; i++)
		held += !!mm->policies[i].pages;
	return held + needed < VMS_POLICY_SLOTS ? 0 : -ENOMEM;
}

/*
 * set_mempolicy_home_node(): the home node of every policy in [start,
 * start + len).  A region without a policy is passed over; the first with
 * a policy that is neither MPOL_BIND nor MPOL_PREFERRED_MANY stops the
 * call with -EOPNOTSUPP, and the regions before it keep their new policy
 * ("We don't reset the home node for vmas we already updated before"),
 * as they do before a split that max_map_count refuses (-ENOMEM, as in
 * mbind()).  When no region of the range had a policy, -ENOENT.
 *
 *        start                          end
 *          v                             v
 *   | bind:0  |  none  | bind:0 | interleave | bind:0 |
 * becomes
 *   |b:0|b:0,h1|  none | b:0,h1 | interleave | bind:0 |  -EOPNOTSUPP
 */
int vms_set_home_node(struct vms_mm *mm, unsigned long start,
		      unsigned long len, unsigned long home_node,
		      unsigned long flags)
{
	struct vms_region *r, *prev;
	struct vms_policy new;
	unsigned long end;
	int err, slot;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (flags)
		return -EINVAL;		/* none defined yet */
	/* MAX_NUMNODES and node_online(); the mask ends at node 63 */
	if (home_node >= 64 || !(mm->params.nodes_online & BIT_ULL(home_node)))
		return -EINVAL;
	err = vms_policy_range(start, len, &end);
	if (err || end == start)
		return err;
	err = vms_home_node_room(mm, start, end, home_node);
	if (err)
		return err;
	err = vms_prealloc(mm, VMS_PREALLOC_SPLITS);
	if (err)
		return err;

	vms_explain_begin(mm, VMASHADOW_OP_HOME_NODE, start, end);
	err = -ENOENT;
	r = vms_find(mm, start);
	prev = r ? vms_prev(r) : NULL;
	while (r && r->start < end) {
		slot = vms_policy_of(r->flags);
		if (!slot) {
			prev = r;
			r = vms_next(r);
			continue;
		}
		new = mm->policies[slot];
		if (new.mode != MPOL_BIND && new.mode != MPOL_PREFERRED_MANY)
			return -EOPNOTSUPP;
		new.home_node = home_node;
		slot = vms_policy_intern(mm, &new, true);
		if (WARN_ON_ONCE(slot < 0))	/* vms_home_node_room() */
			return slot;
		err = vms_mbind_range(mm, r, &prev, start, end, slot);
		if (err)
			return err;
		r = vms_find(mm, prev->end);
		cond_resched();
	}
	return err;
}
