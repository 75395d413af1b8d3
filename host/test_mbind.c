// SPDX-License-Identifier: GPL-2.0
/*
 * mbind(2) in the core, under both rule sets: kernel_mbind() and
 * do_mbind() of 6.1 and 6.12 (mm/mempolicy.c), their errno in the order
 * the kernel asks, the nodes mpol_set_nodemask() leaves, the splits and
 * merges of mbind_range(), and afterwards the policy as hidden state that
 * __mpol_equal() compares wherever vma_merge() or anon_vma_compatible()
 * asks: mmap, brk, mprotect, mremap, a write fault.  Fork keeps every
 * policy, and the shadow's table of policies (255 at most) gives back a
 * slot that no region holds.  set_mempolicy_home_node() runs the same
 * loop with each region's own policy given a home node.  Each test fails
 * if the rule it names goes from the core.
 */
#include "test_util.h"

#define X		PROT_EXEC
#define ALL_NODES	(~0ULL)

#ifndef MPOL_WEIGHTED_INTERLEAVE
/* 6.12's; the uapi header of the build machine may be older */
#define MPOL_WEIGHTED_INTERLEAVE	6
#endif

/* mbind() with the nodes in @nmask, 0 standing for a NULL mask */
static int vms_mbind(struct vms_mm *mm, unsigned long start, unsigned long len,
		     unsigned long mode, u64 nmask, unsigned long maxnode,
		     unsigned long flags)
{
	return vms_mbind_mask(mm, start, len, mode, nmask ? &nmask : NULL,
			      maxnode, flags);
}

/* mbind() of pages [pg, pg + npg) with a mask of all 64 nodes, no MPOL_MF_* */
static int mb(struct vms_mm *mm, unsigned long pg, unsigned long npg,
	      unsigned long mode, u64 nodes)
{
	return vms_mbind(mm, PG(pg), PGS(npg), mode, nodes, 65, 0);
}

/* The same as an operation, through vms_run_op(), which counts it. */
static int mb_op(struct vms_mm *mm, struct vmashadow_op *op, unsigned long pg,
		 unsigned long npg, u32 mode, u64 nodes, u32 op_flags)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->addr = PG(pg);
	op->len = PGS(npg);
	op->prot = mode;
	op->offset = nodes;
	op->new_len = 65;
	op->fd = -1;
	op->op_flags = op_flags;
	/* the checks the ioctl makes first: maxnode is an MBIND field */
	if (vms_op_check(op, VMASHADOW_OP_MBIND))
		return -EBADMSG;
	op->op = VMASHADOW_OP_MBIND;
	return vms_run_op(mm, op, NULL);
}

/* The region holding page @pg, which must exist. */
static struct vms_region *at(struct vms_mm *mm, unsigned long pg)
{
	return vms_lookup(mm, PG(pg));
}

/* The policy of the region holding page @pg: NULL for the default. */
static const struct vms_policy *pol_at(struct vms_mm *mm, unsigned long pg)
{
	unsigned int slot = vms_policy_of(at(mm, pg)->flags);

	return slot ? &mm->policies[slot] : NULL;
}

/* The nodes of the policy at @pg, as mpol_set_nodemask() left them. */
static u64 nodes_at(struct vms_mm *mm, unsigned long pg)
{
	const struct vms_policy *p = pol_at(mm, pg);

	return p ? p->nodes : 0;
}

/*
 * The layout, each region with a policy marked /<mode><flags><nodes>,
 * then h<node> if it has a home node:
 * P(referred) B(ind) I(nterleave) L(ocal) M (preferred many) W(eighted
 * interleave), s(tatic) r(elative) n(uma balancing), the nodes in hex
 * (none for L).
 */
static const char *pol_layout(struct vms_mm *mm)
{
	static char buf[8192];
	struct vms_region *r;
	size_t n = 0;
	char p[5];

	buf[0] = '\0';
	for (r = vms_first(mm); r && n < sizeof(buf) - 64; r = vms_next(r)) {
		unsigned int slot = vms_policy_of(r->flags);
		const struct vms_policy *pol;

		n += snprintf(buf + n, sizeof(buf) - n, "%s%ld-%ld:%s",
			      n ? " " : "",
			      (long)(r->start - VMS_WIN) / (long)PAGE_SIZE,
			      (long)(r->end - VMS_WIN) / (long)PAGE_SIZE,
			      vms_perm(r->flags, p));
		if (!slot)
			continue;
		if (!mm->policies || slot >= VMS_POLICY_SLOTS) {
			n += snprintf(buf + n, sizeof(buf) - n, "/?");
			continue;
		}
		pol = &mm->policies[slot];
		n += snprintf(buf + n, sizeof(buf) - n, "/%c%s%s%s",
			      "?PBILMW?"[pol->mode & 7],
			      pol->flags & MPOL_F_STATIC_NODES ? "s" : "",
			      pol->flags & MPOL_F_RELATIVE_NODES ? "r" : "",
			      pol->flags & MPOL_F_NUMA_BALANCING ? "n" : "");
		if (pol->mode != MPOL_LOCAL)
			n += snprintf(buf + n, sizeof(buf) - n, "%llx",
				      (unsigned long long)pol->nodes);
		if (pol->home_node != -1)
			n += snprintf(buf + n, sizeof(buf) - n, "h%d",
				      pol->home_node);
	}
	return buf;
}

/* the layout with policies is @want, and every invariant holds */
#define PLAYOUT(mm, want) do {						\
	unsigned long __w;						\
	ASSERT_STREQ(want, pol_layout(mm));				\
	ASSERT_EQ(0, vms_validate(mm, &__w));				\
} while (0)

/* ---- splits and merges --------------------------------------------------- */

/*
 * A policy in the middle of a region cuts it in three; the default policy
 * over the same range joins the three again (mbind_range() over
 * vma_merge() or vma_modify_policy()), as the op's counts say.
 */
TEST(split_in_three_and_back)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_op op;

	ASSERT_EQ(0, MAPA(mm, 0, 9, RW));
	ASSERT_EQ(0, mb_op(mm, &op, 3, 3, MPOL_BIND, 1, 0));
	PLAYOUT(mm, "0-3:rw-p 3-6:rw-p/B1 6-9:rw-p");
	EXPECT_EQ(2, op.splits);
	EXPECT_EQ(0, op.merges);
	EXPECT_EQ(3, op.map_count);
	EXPECT_EQ(VMASHADOW_OP_MBIND, mm->last.op);
	EXPECT_EQ(3, pol_at(mm, 3)->pages);

	ASSERT_EQ(0, mb_op(mm, &op, 3, 3, MPOL_DEFAULT, 0, 0));
	PLAYOUT(mm, "0-9:rw-p");
	EXPECT_EQ(0, op.splits);
	EXPECT_EQ(2, op.merges);
	EXPECT_EQ(1, op.map_count);
	/* the slot stays in the table, held by nothing */
	EXPECT_EQ(0, mm->policies[1].pages);
	EXPECT_EQ(MPOL_BIND, mm->policies[1].mode);
	mm_free(mm);
}

/* A region that has the policy already is left alone: no split at all. */
TEST(same_policy_changes_nothing)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_op op;

	ASSERT_EQ(0, MAPA(mm, 0, 9, RW));
	ASSERT_EQ(0, mb(mm, 0, 9, MPOL_INTERLEAVE, 1));
	ASSERT_EQ(0, mb_op(mm, &op, 3, 3, MPOL_INTERLEAVE, 1, 0));
	PLAYOUT(mm, "0-9:rw-p/I1");
	EXPECT_EQ(0, op.splits);
	EXPECT_EQ(0, op.merges);
	/* the default over the default: nothing either */
	ASSERT_EQ(0, MAPA(mm, 20, 3, RW));
	ASSERT_EQ(0, mb_op(mm, &op, 20, 1, MPOL_DEFAULT, 0, 0));
	EXPECT_EQ(0, op.splits);
	PLAYOUT(mm, "0-9:rw-p/I1 20-23:rw-p");
	mm_free(mm);
}

/*
 * vma_merge()'s cases with neighbours of an equal policy: the head of a
 * region joins prev, its tail joins next, a whole region joins both, and
 * a neighbour of another policy is refused.
 */
TEST(merge_with_equal_neighbours)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_op op;

	ASSERT_EQ(0, MAPA(mm, 0, 9, RW));
	ASSERT_EQ(0, mb(mm, 0, 3, MPOL_BIND, 1));
	PLAYOUT(mm, "0-3:rw-p/B1 3-9:rw-p");
	/* the head of 3-9 joins prev */
	ASSERT_EQ(0, mb_op(mm, &op, 3, 2, MPOL_BIND, 1, 0));
	PLAYOUT(mm, "0-5:rw-p/B1 5-9:rw-p");
	EXPECT_EQ(1, op.merges);
	EXPECT_EQ(0, op.splits);
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, mm->last.prev.verdict);

	/* the tail of 5-9 joins next */
	ASSERT_EQ(0, MAPA(mm, 9, 3, RW));
	ASSERT_EQ(0, mb(mm, 9, 3, MPOL_PREFERRED, 1));
	PLAYOUT(mm, "0-5:rw-p/B1 5-9:rw-p 9-12:rw-p/P1");
	ASSERT_EQ(0, mb_op(mm, &op, 7, 2, MPOL_PREFERRED, 1, 0));
	PLAYOUT(mm, "0-5:rw-p/B1 5-7:rw-p 7-12:rw-p/P1");
	EXPECT_EQ(1, op.merges);
	EXPECT_EQ(0, op.splits);
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, mm->last.next.verdict);

	/* the whole of 5-7 between two of its policy: one region */
	ASSERT_EQ(0, mb(mm, 7, 5, MPOL_BIND, 1));
	PLAYOUT(mm, "0-5:rw-p/B1 5-7:rw-p 7-12:rw-p/B1");
	ASSERT_EQ(0, mb_op(mm, &op, 5, 2, MPOL_BIND, 1, 0));
	PLAYOUT(mm, "0-12:rw-p/B1");
	EXPECT_EQ(2, op.merges);
	EXPECT_EQ(1, op.map_count);

	/* prev of the same policy, next of another: prev alone */
	ASSERT_EQ(0, mb(mm, 3, 3, MPOL_DEFAULT, 0));
	ASSERT_EQ(0, mb(mm, 6, 6, MPOL_INTERLEAVE, 1));
	PLAYOUT(mm, "0-3:rw-p/B1 3-6:rw-p 6-12:rw-p/I1");
	ASSERT_EQ(0, mb_op(mm, &op, 3, 3, MPOL_BIND, 1, 0));
	PLAYOUT(mm, "0-6:rw-p/B1 6-12:rw-p/I1");
	EXPECT_EQ(1, op.merges);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, mm->last.next.verdict);
	EXPECT_EQ(VMASHADOW_WHY_POLICY, mm->last.next.why);
	mm_free(mm);
}

/* One call over several regions: each given the policy, joined as it goes. */
TEST(range_over_many_regions)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_op op;

	ASSERT_EQ(0, MAPA(mm, 0, 3, RW));
	ASSERT_EQ(0, MAPA(mm, 3, 3, R));
	ASSERT_EQ(0, MAPA(mm, 6, 3, RW));
	ASSERT_EQ(0, mb(mm, 4, 1, MPOL_BIND, 1));
	PLAYOUT(mm, "0-3:rw-p 3-4:r--p 4-5:r--p/B1 5-6:r--p 6-9:rw-p");
	ASSERT_EQ(0, mb_op(mm, &op, 1, 7, MPOL_BIND, 1, 0));
	/* 3-4 joins 4-5, which 5-6 joins: the flags keep the rest apart */
	PLAYOUT(mm, "0-1:rw-p 1-3:rw-p/B1 3-6:r--p/B1 6-8:rw-p/B1 8-9:rw-p");
	EXPECT_EQ(2, op.merges);
	EXPECT_EQ(2, op.splits);
	ASSERT_EQ(0, mb(mm, 0, 9, MPOL_DEFAULT, 0));
	PLAYOUT(mm, "0-3:rw-p 3-6:r--p 6-9:rw-p");
	mm_free(mm);
}

/*
 * A split refused by max_map_count stops the walk: what was changed
 * before stays changed, as mbind_range()'s loop leaves it.
 */
TEST(split_limit_partial)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 3, RW));
	ASSERT_EQ(0, MAPA(mm, 3, 3, R));
	mm->params.max_map_count = 3;
	ASSERT_EQ(-ENOMEM, mb(mm, 1, 4, MPOL_BIND, 1));
	PLAYOUT(mm, "0-1:rw-p 1-3:rw-p/B1 3-6:r--p");
	mm_free(mm);
}

/* ---- what __mpol_equal() calls equal ------------------------------------- */

/*
 * Policy @a over pages 0-3 and @b over 3-6 of one region: one region
 * again when they are equal, else two refused for the policy.
 */
static int pair(struct vms_mm *mm, u32 ma, u64 na, u32 mb_, u64 nb)
{
	struct vmashadow_explain ex;

	if (vms_unmap(mm, PG(0), PGS(6)) || MAPA(mm, 0, 6, RW))
		return -1;
	if (mb(mm, 0, 3, ma, na) || mb(mm, 3, 3, mb_, nb))
		return -2;
	if (mm->map_count == 1)
		return 1;
	vms_explain_at(mm, PG(3), &ex);
	if (ex.prev.verdict != VMASHADOW_VERDICT_REFUSED ||
	    ex.prev.why != VMASHADOW_WHY_POLICY ||
	    ex.next.why != VMASHADOW_WHY_POLICY)
		return -3;
	return 0;
}

/*
 * The nodes compared are those mpol_set_nodemask() left, the caller's own
 * only when a mode flag keeps them; the mode and every flag count.
 */
TEST(mpol_equal)
{
	struct vms_mm *mm = mm_new();
	const u32 S = MPOL_F_STATIC_NODES, R_ = MPOL_F_RELATIVE_NODES;

	/* node 1 is not allowed: both are bound to node 0 */
	ASSERT_EQ(1, pair(mm, MPOL_BIND, 0x3, MPOL_BIND, 0x1));
	ASSERT_EQ(1, pair(mm, MPOL_PREFERRED, 0x3, MPOL_PREFERRED, 0x1));
	ASSERT_EQ(1, pair(mm, MPOL_INTERLEAVE, 0x1, MPOL_INTERLEAVE, 0x1));
	/* MPOL_PREFERRED of no node is MPOL_LOCAL */
	ASSERT_EQ(1, pair(mm, MPOL_PREFERRED, 0, MPOL_LOCAL, 0));
	/* the caller's nodes kept by a flag, and compared */
	ASSERT_EQ(0, pair(mm, MPOL_BIND | S, 0x3, MPOL_BIND | S, 0x1));
	ASSERT_EQ(1, pair(mm, MPOL_BIND | S, 0x3, MPOL_BIND | S, 0x3));
	/* modes and flags */
	ASSERT_EQ(0, pair(mm, MPOL_BIND | S, 0x1, MPOL_BIND, 0x1));
	ASSERT_EQ(0, pair(mm, MPOL_BIND, 0x1, MPOL_INTERLEAVE, 0x1));
	ASSERT_EQ(0, pair(mm, MPOL_BIND, 0x1, MPOL_PREFERRED_MANY, 0x1));
	ASSERT_EQ(0, pair(mm, MPOL_BIND | MPOL_F_NUMA_BALANCING, 0x1,
			  MPOL_BIND, 0x1));
	ASSERT_EQ(0, pair(mm, MPOL_LOCAL, 0, MPOL_PREFERRED, 0x1));
	/* relative {0} and {2} both land on node 1 of 1 and 3 */
	mm->params.mems_allowed = 0xa;
	ASSERT_EQ(0, pair(mm, MPOL_BIND | R_, 0x1, MPOL_BIND | R_, 0x4));
	ASSERT_EQ(0x2, nodes_at(mm, 0));
	ASSERT_EQ(0x2, nodes_at(mm, 3));
	ASSERT_EQ(1, pair(mm, MPOL_BIND | R_, 0x4, MPOL_BIND | R_, 0x4));
	/* without a flag the caller's nodes are forgotten */
	ASSERT_EQ(1, pair(mm, MPOL_BIND, 0x2, MPOL_BIND, 0x3));
	if (k612())
		ASSERT_EQ(0, pair(mm, MPOL_WEIGHTED_INTERLEAVE, 0x2,
				  MPOL_INTERLEAVE, 0x2));
	PLAYOUT(mm, k612() ? "0-3:rw-p/W2 3-6:rw-p/I2" : "0-6:rw-p/B2");
	mm_free(mm);
}

/*
 * EXPLAIN names the policy before the flags, as vma_merge() asks
 * mpol_equal() first; with equal policies the flags are what is left.
 */
TEST(explain_policy_first)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_explain ex;

	ASSERT_EQ(0, MAPA(mm, 0, 3, RW));
	ASSERT_EQ(0, MAPA(mm, 3, 3, R));
	ASSERT_EQ(0, mb(mm, 0, 3, MPOL_BIND, 1));
	vms_explain_at(mm, PG(3), &ex);
	EXPECT_EQ(VMASHADOW_WHY_POLICY, ex.prev.why);
	EXPECT_EQ(VMASHADOW_WHY_POLICY, ex.next.why);
	ASSERT_EQ(0, mb(mm, 3, 3, MPOL_BIND, 1));
	vms_explain_at(mm, PG(3), &ex);
	EXPECT_EQ(VMASHADOW_WHY_FLAGS, ex.prev.why);
	EXPECT_EQ(VMASHADOW_VM_WRITE | VMASHADOW_VM_ACCOUNT,
		  ex.prev.flags_diff);
	/* the same protection: they merge */
	ASSERT_EQ(0, vms_protect(mm, PG(3), PGS(3), RW));
	PLAYOUT(mm, "0-6:rw-p/B1");
	mm_free(mm);
}

/* ---- the policy as hidden state ------------------------------------------ */

/*
 * Exported regions say that they have a policy, in ->state, and never
 * show its slot among their flags.
 */
TEST(export_state)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_region a, b;

	ASSERT_EQ(0, MAPA(mm, 0, 6, RW));
	ASSERT_EQ(0, mb(mm, 3, 3, MPOL_BIND, 1));
	vms_export(at(mm, 0), &a);
	vms_export(at(mm, 3), &b);
	EXPECT_EQ(0, a.state & VMASHADOW_STATE_POLICY);
	EXPECT_EQ(VMASHADOW_STATE_POLICY, b.state & VMASHADOW_STATE_POLICY);
	EXPECT_EQ(a.vm_flags, b.vm_flags);
	EXPECT_EQ(0, b.vm_flags & VMS_POLICY_MASK);
	mm_free(mm);
}

/*
 * A new mapping has no policy (mmap_region()'s vma_merge() passes NULL):
 * it does not join a neighbour that has one, and EXPLAIN says why.
 */
TEST(mmap_beside_policy)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 3, RW));
	ASSERT_EQ(0, MAPA(mm, 6, 3, RW));
	ASSERT_EQ(0, mb(mm, 0, 3, MPOL_BIND, 1));
	ASSERT_EQ(0, MAPA(mm, 3, 3, RW));
	PLAYOUT(mm, "0-3:rw-p/B1 3-9:rw-p");
	EXPECT_EQ(VMASHADOW_OP_MAP, mm->last.op);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, mm->last.prev.verdict);
	EXPECT_EQ(VMASHADOW_WHY_POLICY, mm->last.prev.why);
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, mm->last.next.verdict);
	/* mapped over, the policy goes with the old region */
	ASSERT_EQ(0, MAPA(mm, 0, 3, RW));
	PLAYOUT(mm, "0-9:rw-p");
	mm_free(mm);
}

/* brk() extends the heap only when it has no policy (do_brk_flags()). */
TEST(brk_beside_policy)
{
	struct vms_mm *mm = mm_new();
	unsigned long heap = PG(100);

	mm->params.start_brk = mm->params.brk = heap;
	ASSERT_EQ(heap + PGS(2), vms_brk(mm, heap + PGS(2)));
	ASSERT_EQ(heap + PGS(4), vms_brk(mm, heap + PGS(4)));
	PLAYOUT(mm, "100-104:rw-p");
	ASSERT_EQ(0, mb(mm, 100, 4, MPOL_LOCAL, 0));
	ASSERT_EQ(heap + PGS(6), vms_brk(mm, heap + PGS(6)));
	PLAYOUT(mm, "100-104:rw-p/L 104-106:rw-p");
	mm_free(mm);
}

/*
 * mprotect keeps each piece's policy, and does not join neighbours whose
 * protection it makes alike when their policies differ.
 */
TEST(mprotect_keeps_policy)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 9, RW));
	ASSERT_EQ(0, mb(mm, 0, 6, MPOL_BIND, 1));
	ASSERT_EQ(0, vms_protect(mm, PG(2), PGS(2), R));
	PLAYOUT(mm, "0-2:rw-p/B1 2-4:r--p/B1 4-6:rw-p/B1 6-9:rw-p");
	ASSERT_EQ(0, vms_protect(mm, PG(2), PGS(2), RW));
	PLAYOUT(mm, "0-6:rw-p/B1 6-9:rw-p");
	ASSERT_EQ(0, vms_protect(mm, PG(3), PGS(6), R));
	ASSERT_EQ(0, vms_protect(mm, PG(3), PGS(6), RW));
	PLAYOUT(mm, "0-6:rw-p/B1 6-9:rw-p");
	EXPECT_EQ(VMASHADOW_WHY_POLICY, mm->last.prev.why);
	/* madvise and mlock too */
	ASSERT_EQ(0, vms_madvise(mm, PG(1), PGS(1), MADV_DONTFORK));
	ASSERT_EQ(0, vms_mlock(mm, PG(5), PGS(2), MLOCK_ONFAULT));
	PLAYOUT(mm, "0-1:rw-p/B1 1-2:rw-p/B1 2-5:rw-p/B1 5-6:rw-p/B1 "
		"6-7:rw-p 7-9:rw-p");
	mm_free(mm);
}

/*
 * anon_vma_compatible() asks mpol_equal() too: a write fault does not
 * take a neighbour's anon_vma across a policy, so the two can never
 * merge afterwards, policy or not.
 */
TEST(anon_vma_compatible)
{
	struct vms_mm *mm = mm_new();

	/* the control: differing in exec only, the second fault shares */
	ASSERT_EQ(0, MAPA(mm, 0, 3, RW | X));
	ASSERT_EQ(0, MAPA(mm, 3, 3, RW));
	ASSERT_EQ(0, vms_touch(mm, PG(3)));
	ASSERT_EQ(0, vms_touch(mm, PG(0)));
	ASSERT_EQ(vms_anon_of(at(mm, 0)), vms_anon_of(at(mm, 3)));
	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(3), RW));
	PLAYOUT(mm, "0-6:rw-p");

	ASSERT_EQ(0, MAPA(mm, 10, 3, RW | X));
	ASSERT_EQ(0, MAPA(mm, 13, 3, RW));
	ASSERT_EQ(0, mb(mm, 10, 3, MPOL_BIND, 1));
	ASSERT_EQ(0, vms_touch(mm, PG(13)));
	ASSERT_EQ(0, vms_touch(mm, PG(10)));
	ASSERT_NE(vms_anon_of(at(mm, 10)), vms_anon_of(at(mm, 13)));
	ASSERT_EQ(0, mb(mm, 10, 3, MPOL_DEFAULT, 0));
	ASSERT_EQ(0, vms_protect(mm, PG(10), PGS(3), RW));
	PLAYOUT(mm, "0-6:rw-p 10-13:rw-p 13-16:rw-p");
	EXPECT_EQ(VMASHADOW_WHY_ANON_VMA, mm->last.next.why);
	mm_free(mm);
}

/*
 * mremap keeps the policy where it moves the range (copy_vma() with
 * vma_dup_policy()) and merges there, or when it grows in place, only
 * with neighbours of an equal policy.
 */
TEST(mremap_keeps_policy)
{
	struct vms_mm *mm = mm_new();
	long a;

	ASSERT_EQ(0, MAPA(mm, 0, 3, RW));
	ASSERT_EQ(0, mb(mm, 0, 3, MPOL_BIND, 1));
	ASSERT_EQ(0, MAPA(mm, 20, 3, RW));
	ASSERT_EQ(0, mb(mm, 20, 3, MPOL_BIND, 1));
	ASSERT_EQ(0, MAPA(mm, 30, 3, RW));
	ASSERT_EQ(0, mb(mm, 30, 3, MPOL_INTERLEAVE, 1));
	a = vms_remap(mm, PG(0), PGS(3), PGS(3), MREMAP_MAYMOVE | MREMAP_FIXED,
		      PG(10));
	ASSERT_EQ((long)PG(10), a);
	PLAYOUT(mm, "10-13:rw-p/B1 20-23:rw-p/B1 30-33:rw-p/I1");
	/* beside its equal: one region; beside another policy: two */
	a = vms_remap(mm, PG(10), PGS(3), PGS(3), MREMAP_MAYMOVE | MREMAP_FIXED,
		      PG(17));
	ASSERT_EQ((long)PG(17), a);
	PLAYOUT(mm, "17-23:rw-p/B1 30-33:rw-p/I1");
	a = vms_remap(mm, PG(17), PGS(3), PGS(3), MREMAP_MAYMOVE | MREMAP_FIXED,
		      PG(27));
	ASSERT_EQ((long)PG(27), a);
	PLAYOUT(mm, "20-23:rw-p/B1 27-30:rw-p/B1 30-33:rw-p/I1");
	/* grown in place up to 30: no join across policies */
	ASSERT_EQ(0, vms_unmap(mm, PG(27), PGS(3)));
	ASSERT_EQ(0, MAPA(mm, 24, 3, RW));
	ASSERT_EQ(0, mb(mm, 24, 3, MPOL_BIND, 1));
	PLAYOUT(mm, "20-23:rw-p/B1 24-27:rw-p/B1 30-33:rw-p/I1");
	a = vms_remap(mm, PG(24), PGS(3), PGS(6), 0, 0);
	ASSERT_EQ((long)PG(24), a);
	PLAYOUT(mm, "20-23:rw-p/B1 24-30:rw-p/B1 30-33:rw-p/I1");
	/* up to 24 from 20: joins 24-30, of its policy */
	a = vms_remap(mm, PG(20), PGS(3), PGS(4), 0, 0);
	ASSERT_EQ((long)PG(20), a);
	PLAYOUT(mm, "20-30:rw-p/B1 30-33:rw-p/I1");
	/* DONTUNMAP leaves the policy on both */
	a = vms_remap(mm, PG(30), PGS(3), PGS(3),
		      MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED, PG(40));
	ASSERT_EQ((long)PG(40), a);
	PLAYOUT(mm, "20-30:rw-p/B1 30-33:rw-p/I1 40-43:rw-p/I1");
	mm_free(mm);
}

/*
 * A fork keeps every copied region's policy (vma_dup_policy()); the
 * child's table is its own, and a region left behind holds nothing in it.
 */
TEST(fork_keeps_policies)
{
	struct vms_mm *mm = mm_new(), *child = mm_new();
	unsigned int slot;

	ASSERT_EQ(0, MAPA(mm, 0, 9, RW));
	ASSERT_EQ(0, mb(mm, 3, 3, MPOL_BIND, 1));
	ASSERT_EQ(0, MAPA(mm, 20, 3, RW));
	ASSERT_EQ(0, mb(mm, 20, 3, MPOL_INTERLEAVE, 1));
	ASSERT_EQ(0, vms_madvise(mm, PG(20), PGS(3), MADV_DONTFORK));
	slot = vms_policy_of(at(mm, 20)->flags);
	ASSERT_EQ(0, vms_mm_dup(child, mm, true));
	PLAYOUT(child, "0-3:rw-p 3-6:rw-p/B1 6-9:rw-p");
	ASSERT_NE(mm->policies, child->policies);
	EXPECT_EQ(0, child->policies[slot].pages);
	EXPECT_EQ(3, child->policies[vms_policy_of(at(child, 3)->flags)].pages);
	/* what the child does is its own */
	ASSERT_EQ(0, mb(child, 0, 9, MPOL_DEFAULT, 0));
	PLAYOUT(child, "0-9:rw-p");
	PLAYOUT(mm, "0-3:rw-p 3-6:rw-p/B1 6-9:rw-p 20-23:rw-p/I1");
	mm_free(child);
	mm_free(mm);
}

/* A dry run says what the call would do and leaves even the table alone. */
TEST(dry_run)
{
	struct vms_mm *mm = mm_new();
	struct vmashadow_op op;

	ASSERT_EQ(0, MAPA(mm, 0, 9, RW));
	ASSERT_EQ(0, mb_op(mm, &op, 3, 3, MPOL_BIND, 1, VMASHADOW_OPF_DRY_RUN));
	EXPECT_EQ(2, op.splits);
	EXPECT_EQ(3, op.map_count);
	PLAYOUT(mm, "0-9:rw-p");
	EXPECT_EQ(NULL, mm->policies);
	EXPECT_EQ(VMASHADOW_OP_MBIND, mm->last.op);

	ASSERT_EQ(0, mb(mm, 3, 3, MPOL_BIND, 1));
	ASSERT_EQ(0, mb_op(mm, &op, 3, 3, MPOL_DEFAULT, 0,
			   VMASHADOW_OPF_DRY_RUN));
	EXPECT_EQ(2, op.merges);
	EXPECT_EQ(1, op.map_count);
	PLAYOUT(mm, "0-3:rw-p 3-6:rw-p/B1 6-9:rw-p");
	/* a failure is predicted as well */
	ASSERT_EQ(-EFAULT, mb_op(mm, &op, 8, 3, MPOL_BIND, 1,
				 VMASHADOW_OPF_DRY_RUN));
	EXPECT_EQ(3, op.map_count);
	ASSERT_EQ(-EINVAL, mb_op(mm, &op, 0, 3, MPOL_BIND, 2,
				 VMASHADOW_OPF_DRY_RUN));
	PLAYOUT(mm, "0-3:rw-p 3-6:rw-p/B1 6-9:rw-p");
	mm_free(mm);
}

/* ---- the errno of every refusal, in the kernel's order ------------------- */

/* Each of @mm's calls below must leave this layout. */
#define UNCHANGED	"0-9:rw-p 12-15:rw-p"

static struct vms_mm *err_mm(void)
{
	struct vms_mm *mm = mm_new();

	if (MAPA(mm, 0, 9, RW) || MAPA(mm, 12, 3, RW))
		abort();
	return mm;
}

/*
 * sanitize_mpol_flags(): MPOL_MAX is 6 for 6.1 and 7 for 6.12
 * (MPOL_WEIGHTED_INTERLEAVE); the mode flags are not part of the mode,
 * and kernel_mbind() takes the mode as an int.
 */
TEST(mode_range)
{
	struct vms_mm *mm = err_mm();
	u32 m;

	for (m = MPOL_DEFAULT; m <= MPOL_PREFERRED_MANY; m++)
		ASSERT_EQ(0, mb(mm, 0, 1, m,
				m == MPOL_DEFAULT || m == MPOL_LOCAL ? 0 : 1));
	ASSERT_EQ(k612() ? 0 : -EINVAL,
		  mb(mm, 0, 1, MPOL_WEIGHTED_INTERLEAVE, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, 7, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_BIND | 0x800, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_BIND | 0x10000, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, 0x80000000 | MPOL_BIND, 1));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1),
				     (1UL << 32) | MPOL_BIND | 0x800, 1, 65,
				     0));
	/* bits above the int are dropped: mode 2 */
	ASSERT_EQ(0, vms_mbind(mm, PG(0), PGS(1), (1UL << 32) | MPOL_BIND, 1,
			       65, 0));
	ASSERT_EQ(0, mb(mm, 0, 1, MPOL_DEFAULT, 0));
	PLAYOUT(mm, UNCHANGED);
	mm_free(mm);
}

/*
 * The mode flags: never STATIC and RELATIVE together; NUMA_BALANCING only
 * with MPOL_BIND, or on 6.12 MPOL_PREFERRED_MANY, and then with the
 * kernel's own MPOL_F_MOF and MPOL_F_MORON.
 */
TEST(mode_flags)
{
	struct vms_mm *mm = err_mm();
	const u32 NB = MPOL_F_NUMA_BALANCING;
	u32 m;

	for (m = MPOL_DEFAULT; m <= MPOL_PREFERRED_MANY; m++)
		ASSERT_EQ(-EINVAL, mb(mm, 0, 1, m | MPOL_F_STATIC_NODES |
				      MPOL_F_RELATIVE_NODES, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_DEFAULT | MPOL_F_STATIC_NODES |
			      MPOL_F_RELATIVE_NODES, 0));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_DEFAULT | NB, 0));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_PREFERRED | NB, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_INTERLEAVE | NB, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_LOCAL | NB, 0));
	if (k612())
		ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_WEIGHTED_INTERLEAVE | NB,
				      1));
	ASSERT_EQ(k612() ? 0 : -EINVAL,
		  mb(mm, 6, 1, MPOL_PREFERRED_MANY | NB, 1));
	ASSERT_EQ(0, mb(mm, 3, 1, MPOL_BIND | NB, 1));
	EXPECT_EQ(NB | MPOL_F_MOF | MPOL_F_MORON, pol_at(mm, 3)->flags);
	EXPECT_EQ(1, pol_at(mm, 3)->user_nodes);
	/* the default with a mode flag is still the default */
	ASSERT_EQ(0, mb(mm, 0, 9, MPOL_DEFAULT | MPOL_F_STATIC_NODES, 0));
	PLAYOUT(mm, UNCHANGED);
	mm_free(mm);
}

/* do_mbind()'s own flags: MPOL_MF_STRICT, _MOVE, _MOVE_ALL and no other. */
TEST(mf_flags)
{
	struct vms_mm *mm = err_mm();

	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1, 65,
				     MPOL_MF_LAZY));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1, 65,
				     MPOL_MF_INTERNAL));
	/* only CAP_SYS_NICE moves every page */
	ASSERT_EQ(-EPERM, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1, 65,
				    MPOL_MF_MOVE_ALL));
	PLAYOUT(mm, UNCHANGED);
	/* the pages are not modelled: STRICT never finds one misplaced */
	ASSERT_EQ(0, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1, 65,
			       MPOL_MF_STRICT | MPOL_MF_MOVE));
	ASSERT_EQ(0, vms_touch(mm, PG(1)));
	ASSERT_EQ(0, vms_mbind(mm, PG(1), PGS(1), MPOL_INTERLEAVE, 1, 65,
			       MPOL_MF_STRICT));
	mm->may_move_all = true;
	ASSERT_EQ(0, vms_mbind(mm, PG(2), PGS(1), MPOL_PREFERRED, 1, 65,
			       MPOL_MF_MOVE_ALL));
	PLAYOUT(mm, "0-1:rw-p/B1 1-2:rw-p/I1 2-3:rw-p/P1 3-9:rw-p 12-15:rw-p");
	mm_free(mm);
}

/*
 * The range: an unaligned start is refused, a length is rounded up, a
 * range that wraps is refused, and an empty one (a length of 0, or one
 * that PAGE_ALIGN() wraps to 0) is done at once, whatever the policy.
 */
TEST(range_checks)
{
	struct vms_mm *mm = err_mm();

	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0) + 8, PGS(1), MPOL_BIND, 1, 65,
				     0));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(5), -PGS(4), MPOL_BIND, 1, 65, 0));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(5), -PGS(5) - 1, MPOL_BIND, 1, 65,
				     0));
	ASSERT_EQ(0, vms_mbind(mm, PG(5), 0, MPOL_BIND, 1, 65, 0));
	ASSERT_EQ(0, vms_mbind(mm, PG(5), ULONG_MAX, MPOL_BIND, 1, 65, 0));
	ASSERT_EQ(0, vms_mbind(mm, PG(5), ULONG_MAX - 100, MPOL_BIND, 1, 65,
			       0));
	/* nothing to do comes before mpol_new() and the range check */
	ASSERT_EQ(0, vms_mbind(mm, PG(50), 0, MPOL_DEFAULT, 1, 65, 0));
	ASSERT_EQ(0, vms_mbind(mm, PG(50), 0, MPOL_BIND, 0, 65, 0));
	ASSERT_EQ(0, vms_mbind(mm, PG(50), 0, MPOL_BIND, 2, 65, 0));
	/* but after the mode, the flags and the start */
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(50), 0, 7, 0, 65, 0));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(50), 0, MPOL_BIND, 1, 65,
				     MPOL_MF_LAZY));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(50) + 1, 0, MPOL_BIND, 1, 65, 0));
	PLAYOUT(mm, UNCHANGED);
	/* one byte is a page */
	ASSERT_EQ(0, vms_mbind(mm, PG(3), 1, MPOL_BIND, 1, 65, 0));
	PLAYOUT(mm, "0-3:rw-p 3-4:rw-p/B1 4-9:rw-p 12-15:rw-p");
	mm_free(mm);
}

/*
 * mpol_new(): the default and MPOL_LOCAL take no nodes, every other mode
 * needs some, MPOL_PREFERRED of none is MPOL_LOCAL unless a flag wants
 * nodes to keep.
 */
TEST(mpol_new_nodes)
{
	struct vms_mm *mm = err_mm();
	const u32 S = MPOL_F_STATIC_NODES, R_ = MPOL_F_RELATIVE_NODES;

	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_DEFAULT, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_LOCAL, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_LOCAL | S, 0));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_LOCAL | R_, 0));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_PREFERRED | S, 0));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_PREFERRED | R_, 0));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_BIND, 0));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_INTERLEAVE, 0));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_PREFERRED_MANY, 0));
	if (k612())
		ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_WEIGHTED_INTERLEAVE, 0));
	/* checked before the range: over a hole too */
	ASSERT_EQ(-EINVAL, mb(mm, 20, 1, MPOL_DEFAULT, 1));
	ASSERT_EQ(-EINVAL, mb(mm, 20, 1, MPOL_BIND, 0));
	PLAYOUT(mm, UNCHANGED);
	ASSERT_EQ(0, mb(mm, 0, 1, MPOL_PREFERRED, 0));
	ASSERT_EQ(0, mb(mm, 1, 1, MPOL_LOCAL, 0));
	PLAYOUT(mm, "0-2:rw-p/L 2-9:rw-p 12-15:rw-p");
	mm_free(mm);
}

/*
 * mpol_set_nodemask(): the nodes less those the process may not use must
 * leave one (MPOL_F_STATIC_NODES too); MPOL_F_RELATIVE_NODES maps them
 * onto the allowed ones instead, which always leaves one.  Checked after
 * mpol_new(), before the range.
 */
TEST(nodes_allowed)
{
	struct vms_mm *mm = err_mm();

	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_BIND, 0x2));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_PREFERRED, 0x6));
	ASSERT_EQ(-EINVAL, mb(mm, 0, 1, MPOL_INTERLEAVE | MPOL_F_STATIC_NODES,
			      0x2));
	ASSERT_EQ(-EINVAL, mb(mm, 20, 1, MPOL_BIND, 0x2));
	PLAYOUT(mm, UNCHANGED);
	ASSERT_EQ(0, mb(mm, 0, 1, MPOL_BIND | MPOL_F_RELATIVE_NODES, 0x2));
	EXPECT_EQ(0x1, nodes_at(mm, 0));
	EXPECT_EQ(0x2, pol_at(mm, 0)->user_nodes);
	ASSERT_EQ(0, mb(mm, 1, 1, MPOL_BIND | MPOL_F_STATIC_NODES, 0x3));
	EXPECT_EQ(0x1, nodes_at(mm, 1));
	EXPECT_EQ(0x3, pol_at(mm, 1)->user_nodes);
	/* without a flag the caller's mask is not kept */
	ASSERT_EQ(0, mb(mm, 2, 1, MPOL_BIND, 0x7));
	EXPECT_EQ(0x1, nodes_at(mm, 2));
	EXPECT_EQ(0, pol_at(mm, 2)->user_nodes);
	mm->params.mems_allowed = 0xa;
	ASSERT_EQ(-EINVAL, mb(mm, 3, 1, MPOL_BIND, 0x5));
	ASSERT_EQ(0, mb(mm, 3, 1, MPOL_BIND, 0xf));
	EXPECT_EQ(0xa, nodes_at(mm, 3));
	/* MPOL_PREFERRED keeps the first node that is left */
	ASSERT_EQ(0, mb(mm, 4, 1, MPOL_PREFERRED, 0xc));
	EXPECT_EQ(0x8, nodes_at(mm, 4));
	mm_free(mm);
}

/*
 * MPOL_F_RELATIVE_NODES: nodes_fold() the caller's mask to as many nodes
 * as are allowed, then nodes_onto() them: relative node i is the (i mod
 * w)-th allowed node.  With nodes 1 and 3 allowed, relative node 0 is
 * node 1, node 1 is node 3, node 2 is node 1 again.
 */
TEST(relative_nodes)
{
	struct vms_mm *mm = mm_new();
	const u32 BR = MPOL_BIND | MPOL_F_RELATIVE_NODES;
	const struct { u64 allowed, in, out; u32 mode; } t[] = {
		{ 0xa, 0x1, 0x2, BR },
		{ 0xa, 0x2, 0x8, BR },
		{ 0xa, 0x4, 0x2, BR },
		{ 0xa, 0x3, 0xa, BR },
		{ 0xa, 1ULL << 63, 0x8, BR },
		{ 0xa, 0x2, 0x8, MPOL_PREFERRED | MPOL_F_RELATIVE_NODES },
		{ 0xa, 0x3, 0x2, MPOL_PREFERRED | MPOL_F_RELATIVE_NODES },
		{ 0x16, 0x8, 0x2, BR },		/* 3 mod 3: the first */
		{ 0x16, 0x20, 0x10, BR },	/* 5 mod 3: the third */
		{ 0x16, 0x11, 0x6, BR },	/* 0 and 4: nodes 1 and 2 */
		{ 0x16, 0x7, 0x16, MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES },
		{ ALL_NODES, 0x5, 0x5, BR },
	};
	unsigned int i;

	ASSERT_EQ(0, MAPA(mm, 0, ARRAY_SIZE(t), RW));
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		mm->params.mems_allowed = t[i].allowed;
		ASSERT_EQ(0, mb(mm, i, 1, t[i].mode, t[i].in));
		EXPECT_EQ(t[i].out, nodes_at(mm, i)) {
			TH_LOG("case %u", i);
		}
		EXPECT_EQ(t[i].in, pol_at(mm, i)->user_nodes);
	}
	/* the mapping as a merge sees it: {0} with {0}, not with {2} */
	ASSERT_EQ(0, MAPA(mm, 20, 6, RW));
	mm->params.mems_allowed = 0xa;
	ASSERT_EQ(0, mb(mm, 20, 2, BR, 0x1));
	ASSERT_EQ(0, mb(mm, 22, 2, BR, 0x1));
	ASSERT_EQ(0, mb(mm, 24, 2, BR, 0x4));
	ASSERT_EQ(0x2, nodes_at(mm, 24));
	ASSERT_EQ(vms_policy_of(at(mm, 20)->flags),
		  vms_policy_of(at(mm, 23)->flags));
	ASSERT_EQ(at(mm, 20), at(mm, 23));
	ASSERT_NE(at(mm, 20), at(mm, 24));
	mm_free(mm);
}

/*
 * get_nodes(): maxnode counts one more than the bits it reads, 1 (or a
 * NULL mask) reads none, 0 wraps to more than a page of bits and is
 * refused unless the mask is NULL, and PAGE_SIZE * 8 + 1 is the most.
 */
TEST(maxnode)
{
	struct vms_mm *mm = err_mm();

	mm->params.mems_allowed = ALL_NODES;
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1, 0, 0));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1,
				     PAGE_SIZE * 8 + 2, 0));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1, 1, 0));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 2, 2, 0));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1ULL << 63,
				     64, 0));
	/* a huge maxnode is refused even where nothing is to be done */
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), 0, MPOL_BIND, 1,
				     PAGE_SIZE * 8 + 2, 0));
	PLAYOUT(mm, UNCHANGED);
	/* read no nodes: the default and MPOL_LOCAL are content */
	ASSERT_EQ(0, vms_mbind(mm, PG(0), PGS(1), MPOL_DEFAULT, 1, 1, 0));
	ASSERT_EQ(0, vms_mbind(mm, PG(0), PGS(1), MPOL_DEFAULT, 0, 0, 0));
	ASSERT_EQ(0, vms_mbind(mm, PG(0), PGS(1), MPOL_LOCAL, 0xff, 1, 0));
	ASSERT_EQ(0, vms_mbind(mm, PG(1), PGS(1), MPOL_BIND, 0x3, 2, 0));
	EXPECT_EQ(0x1, nodes_at(mm, 1));
	ASSERT_EQ(0, vms_mbind(mm, PG(2), PGS(1), MPOL_BIND, 0x7, 3, 0));
	EXPECT_EQ(0x3, nodes_at(mm, 2));
	ASSERT_EQ(0, vms_mbind(mm, PG(3), PGS(1), MPOL_BIND, ALL_NODES, 64, 0));
	EXPECT_EQ(ALL_NODES >> 1, nodes_at(mm, 3));
	ASSERT_EQ(0, vms_mbind(mm, PG(4), PGS(1), MPOL_BIND, 1ULL << 63, 65,
			       0));
	EXPECT_EQ(1ULL << 63, nodes_at(mm, 4));
	ASSERT_EQ(0, vms_mbind(mm, PG(5), PGS(1), MPOL_BIND, 0x5,
			       PAGE_SIZE * 8 + 1, 0));
	EXPECT_EQ(0x5, nodes_at(mm, 5));
	PLAYOUT(mm, "0-1:rw-p/L 1-2:rw-p/B1 2-3:rw-p/B3 "
		"3-4:rw-p/B7fffffffffffffff 4-5:rw-p/B8000000000000000 "
		"5-6:rw-p/B5 6-9:rw-p 12-15:rw-p");
	mm_free(mm);
}

/*
 * A mask given that names no node is not a NULL one: get_nodes() refuses
 * it with maxnode 0 (which wraps) and with more than a page of bits, and
 * reads it as no nodes otherwise.  Through the ioctl, OPF_NODEMASK says
 * that ->offset of 0 was given (interface 1.9).
 */
TEST(empty_mask_given)
{
	struct vms_mm *mm = err_mm();
	struct vmashadow_op op;
	const u64 none = 0;

	ASSERT_EQ(-EINVAL, vms_mbind_mask(mm, PG(0), PGS(1), MPOL_DEFAULT,
					  &none, 0, 0));
	ASSERT_EQ(-EINVAL, vms_mbind_mask(mm, PG(0), 0, MPOL_DEFAULT, &none,
					  PAGE_SIZE * 8 + 2, 0));
	/* NULL: any maxnode */
	ASSERT_EQ(0, vms_mbind_mask(mm, PG(0), PGS(1), MPOL_DEFAULT, NULL, 0,
				    0));
	ASSERT_EQ(0, vms_mbind_mask(mm, PG(0), PGS(1), MPOL_DEFAULT, NULL,
				    PAGE_SIZE * 8 + 2, 0));
	/* given, with a maxnode get_nodes() reads: no nodes */
	ASSERT_EQ(0, vms_mbind_mask(mm, PG(0), PGS(1), MPOL_DEFAULT, &none,
				    PAGE_SIZE * 8 + 1, 0));
	ASSERT_EQ(-EINVAL, vms_mbind_mask(mm, PG(0), PGS(1), MPOL_BIND, &none,
					  65, 0));
	PLAYOUT(mm, UNCHANGED);

	/* the ioctl's operation: the flag makes the mask given */
	memset(&op, 0, sizeof(op));
	op.size = sizeof(op);
	op.addr = PG(0);
	op.len = PGS(1);
	op.prot = MPOL_DEFAULT;
	op.fd = -1;
	op.op_flags = VMASHADOW_OPF_NODEMASK;
	ASSERT_EQ(0, vms_op_check(&op, VMASHADOW_OP_MBIND));
	op.op = VMASHADOW_OP_MBIND;
	EXPECT_EQ(-EINVAL, vms_run_op(mm, &op, NULL));
	op.op_flags = 0;
	EXPECT_EQ(0, vms_run_op(mm, &op, NULL));
	op.op_flags = VMASHADOW_OPF_NODEMASK;
	op.new_len = 1;
	EXPECT_EQ(0, vms_run_op(mm, &op, NULL));
	PLAYOUT(mm, UNCHANGED);
	/* the flag is MBIND's only */
	op.op = 0;
	op.new_len = 0;
	op.op_flags = 0;
	EXPECT_EQ(0, vms_op_check(&op, VMASHADOW_OP_PROTECT));
	op.op_flags = VMASHADOW_OPF_NODEMASK;
	EXPECT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_PROTECT));
	mm_free(mm);
}

/*
 * queue_pages_range(): a policy needs the range mapped without a hole at
 * its head, in its middle or at its tail; the default policy only needs
 * one region in it, and gives the default to every region it meets.
 */
TEST(holes)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, MAPA(mm, 10, 3, RW));
	ASSERT_EQ(0, MAPA(mm, 16, 3, RW));
	ASSERT_EQ(-EFAULT, mb(mm, 9, 4, MPOL_BIND, 1));		/* head */
	ASSERT_EQ(-EFAULT, mb(mm, 10, 9, MPOL_BIND, 1));	/* middle */
	ASSERT_EQ(-EFAULT, mb(mm, 16, 4, MPOL_BIND, 1));	/* tail */
	ASSERT_EQ(-EFAULT, mb(mm, 13, 3, MPOL_BIND, 1));	/* all of it */
	ASSERT_EQ(-EFAULT, mb(mm, 30, 3, MPOL_LOCAL, 0));	/* past all */
	ASSERT_EQ(-EFAULT, mb(mm, 13, 3, MPOL_DEFAULT, 0));
	ASSERT_EQ(-EFAULT, mb(mm, 0, 10, MPOL_DEFAULT, 0));
	PLAYOUT(mm, "10-13:rw-p 16-19:rw-p");
	ASSERT_EQ(0, mb(mm, 10, 3, MPOL_BIND, 1));
	ASSERT_EQ(0, mb(mm, 16, 3, MPOL_INTERLEAVE, 1));
	ASSERT_EQ(0, mb(mm, 11, 6, MPOL_DEFAULT, 0));
	PLAYOUT(mm, "10-11:rw-p/B1 11-13:rw-p 16-17:rw-p 17-19:rw-p/I1");
	ASSERT_EQ(0, mb(mm, 0, 40, MPOL_DEFAULT, 0));
	PLAYOUT(mm, "10-13:rw-p 16-19:rw-p");
	mm_free(mm);
}

/*
 * The kernel's order: the mode, the node mask, the MPOL_MF_* flags,
 * CAP_SYS_NICE, the start, the range's end, mpol_new(), the allowed
 * nodes, the holes.
 */
TEST(errno_order)
{
	struct vms_mm *mm = err_mm();

	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), 7, 1, 65,
				     MPOL_MF_MOVE_ALL));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1, 0,
				     MPOL_MF_MOVE_ALL));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(0), PGS(1), MPOL_BIND, 1, 65,
				     MPOL_MF_MOVE_ALL | MPOL_MF_LAZY));
	ASSERT_EQ(-EPERM, vms_mbind(mm, PG(0) + 1, PGS(1), MPOL_BIND, 1, 65,
				    MPOL_MF_MOVE_ALL));
	ASSERT_EQ(-EPERM, vms_mbind(mm, PG(0), -PGS(1), MPOL_DEFAULT, 1, 65,
				    MPOL_MF_MOVE_ALL));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(20) + 1, PGS(1), MPOL_DEFAULT, 1,
				     65, 0));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(20), -PGS(30), MPOL_BIND, 0, 65,
				     0));
	ASSERT_EQ(-EINVAL, vms_mbind(mm, PG(20), PGS(1), MPOL_BIND, 0x2, 65,
				     0));
	ASSERT_EQ(-EFAULT, vms_mbind(mm, PG(20), PGS(1), MPOL_BIND, 0x3, 65,
				     0));
	PLAYOUT(mm, UNCHANGED);
	mm_free(mm);
}

/* ---- the table ----------------------------------------------------------- */

/*
 * 255 distinct policies in use fill the table: a 256th is refused with
 * -ENOMEM, after the range is found mapped, with nothing changed; one
 * already in the table is found.  A slot that no region holds any more
 * (its region given the default, or unmapped) is found while it waits,
 * and taken for a new policy once the table is full.
 */
TEST(slot_table)
{
	struct vms_mm *mm = mm_new();
	unsigned int i, slot1;
	struct vmashadow_op op;
	unsigned long where;

	mm->params.mems_allowed = ALL_NODES;
	ASSERT_EQ(0, MAPA(mm, 0, 300, RW));
	for (i = 0; i < VMS_POLICY_SLOTS - 1; i++)
		ASSERT_EQ(0, mb(mm, i, 1, MPOL_BIND, i + 1));
	ASSERT_EQ(VMS_POLICY_SLOTS, mm->map_count);
	slot1 = vms_policy_of(at(mm, 0)->flags);
	ASSERT_EQ(-ENOMEM, mb(mm, 260, 1, MPOL_BIND, 1000));
	ASSERT_EQ(-ENOMEM, mb_op(mm, &op, 260, 1, MPOL_INTERLEAVE, 1,
				 VMASHADOW_OPF_DRY_RUN));
	ASSERT_EQ(-EFAULT, mb(mm, 299, 2, MPOL_BIND, 1000));
	ASSERT_EQ(VMS_POLICY_SLOTS, mm->map_count);
	ASSERT_EQ(0, vms_policy_of(at(mm, 260)->flags));
	/* one in use is found, however full */
	ASSERT_EQ(0, mb(mm, 260, 1, MPOL_BIND, 1));
	ASSERT_EQ(slot1, vms_policy_of(at(mm, 260)->flags));
	ASSERT_EQ(2, mm->policies[slot1].pages);
	/* page 0 let go: slot1 is still held by page 260 */
	ASSERT_EQ(0, mb(mm, 0, 1, MPOL_DEFAULT, 0));
	ASSERT_EQ(-ENOMEM, mb(mm, 270, 1, MPOL_BIND, 1000));
	/* unmapped, nothing holds it: waiting, it is found again ... */
	ASSERT_EQ(0, vms_unmap(mm, PG(260), PGS(1)));
	ASSERT_EQ(0, mm->policies[slot1].pages);
	ASSERT_EQ(0, mb(mm, 280, 1, MPOL_BIND, 1));
	ASSERT_EQ(slot1, vms_policy_of(at(mm, 280)->flags));
	ASSERT_EQ(0, mb(mm, 280, 1, MPOL_DEFAULT, 0));
	/* ... and taken by a new policy */
	ASSERT_EQ(0, mb(mm, 270, 1, MPOL_BIND, 1000));
	ASSERT_EQ(slot1, vms_policy_of(at(mm, 270)->flags));
	ASSERT_EQ(1000, mm->policies[slot1].nodes);
	ASSERT_EQ(-ENOMEM, mb(mm, 271, 1, MPOL_BIND, 1));
	ASSERT_EQ(0, vms_validate(mm, &where));
	mm_free(mm);
}

/*
 * A region's pages count for its slot through every change of size:
 * splits, merges, a stack that grows, a partial unmap, mremap.
 */
TEST(slot_pages)
{
	struct vms_mm *mm = mm_new();
	const struct vms_policy *p;

	ASSERT_EQ(0, do_map(mm, PG(20), PGS(2), RW, MAP_PRIVATE |
			    MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0,
			    NULL));
	ASSERT_EQ(0, mb(mm, 20, 2, MPOL_INTERLEAVE, 1));
	p = pol_at(mm, 20);
	ASSERT_EQ(0, vms_touch(mm, PG(15)));
	PLAYOUT(mm, "15-22:rw-p/I1");
	EXPECT_EQ(7, p->pages);
	ASSERT_EQ(0, vms_unmap(mm, PG(16), PGS(2)));
	EXPECT_EQ(5, p->pages);
	ASSERT_EQ((long)PG(40), vms_remap(mm, PG(18), PGS(4), PGS(6),
					  MREMAP_MAYMOVE | MREMAP_FIXED,
					  PG(40)));
	PLAYOUT(mm, "15-16:rw-p/I1 40-46:rw-p/I1");
	EXPECT_EQ(7, p->pages);
	ASSERT_EQ(0, vms_unmap(mm, PG(0), PGS(100)));
	EXPECT_EQ(0, p->pages);
	PLAYOUT(mm, "");
	mm_free(mm);
}

/* ---- set_mempolicy_home_node ------------------------------------------- */

/* set_mempolicy_home_node() of pages [pg, pg + npg), no flags */
static int hn(struct vms_mm *mm, unsigned long pg, unsigned long npg,
	      unsigned long node)
{
	return vms_set_home_node(mm, PG(pg), PGS(npg), node, 0);
}

/* The same as an operation, through the ioctl's checks and vms_run_op(). */
static int hn_op(struct vms_mm *mm, struct vmashadow_op *op,
		 unsigned long pg, unsigned long npg, u64 node, u32 op_flags)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->addr = PG(pg);
	op->len = PGS(npg);
	op->offset = node;
	op->fd = -1;
	op->op_flags = op_flags;
	if (vms_op_check(op, VMASHADOW_OP_HOME_NODE))
		return -EBADMSG;
	op->op = VMASHADOW_OP_HOME_NODE;
	return vms_run_op(mm, op, NULL);
}

/* Two nodes online and allowed, and a region of nine pages bound to 0. */
static struct vms_mm *home_mm(void)
{
	struct vms_mm *mm = mm_new();

	mm->params.mems_allowed = 0x3;
	mm->params.nodes_online = 0x3;
	if (MAPA(mm, 0, 9, RW) || mb(mm, 0, 9, MPOL_BIND, 1))
		abort();
	return mm;
}

/*
 * A home node for the middle of a bound region cuts it in three, as
 * mbind_range() does; the same node for the rest joins them again, and a
 * second call with the node it has already changes nothing.
 */
TEST(home_node_split_and_merge)
{
	struct vms_mm *mm = home_mm();
	struct vmashadow_op op;

	ASSERT_EQ(0, hn_op(mm, &op, 3, 3, 1, 0));
	PLAYOUT(mm, "0-3:rw-p/B1 3-6:rw-p/B1h1 6-9:rw-p/B1");
	EXPECT_EQ(2, op.splits);
	EXPECT_EQ(VMASHADOW_OP_HOME_NODE, mm->last.op);
	/* a range inside one region tries no merge: EXPLAIN LAST has none */
	EXPECT_EQ(VMASHADOW_VERDICT_NONE, mm->last.prev.verdict);
	EXPECT_EQ(VMASHADOW_VERDICT_NONE, mm->last.next.verdict);
	ASSERT_EQ(0, hn_op(mm, &op, 3, 3, 1, 0));
	EXPECT_EQ(0, op.splits + op.merges);
	ASSERT_EQ(0, hn(mm, 0, 3, 1));
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, mm->last.next.verdict);
	ASSERT_EQ(0, hn(mm, 6, 3, 1));
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, mm->last.prev.verdict);
	PLAYOUT(mm, "0-9:rw-p/B1h1");
	/* another node is another policy: __mpol_equal() reads home_node */
	ASSERT_EQ(0, hn(mm, 8, 1, 0));
	PLAYOUT(mm, "0-8:rw-p/B1h1 8-9:rw-p/B1h0");
	mm_free(mm);
}

/*
 * A region with a home node does not merge with one bound to the same
 * nodes without it: mmap beside it, and mbind() of the neighbour.
 */
TEST(home_node_stops_merges)
{
	struct vms_mm *mm = home_mm();

	ASSERT_EQ(0, hn(mm, 0, 9, 1));
	ASSERT_EQ(0, MAPA(mm, 9, 2, RW));
	ASSERT_EQ(0, mb(mm, 9, 2, MPOL_BIND, 1));
	EXPECT_EQ(VMASHADOW_WHY_POLICY, mm->last.prev.why);
	PLAYOUT(mm, "0-9:rw-p/B1h1 9-11:rw-p/B1");
	ASSERT_EQ(0, hn(mm, 9, 2, 1));
	PLAYOUT(mm, "0-11:rw-p/B1h1");
	/* mbind() gives a new policy, without a home node */
	ASSERT_EQ(0, mb(mm, 0, 11, MPOL_BIND, 1));
	PLAYOUT(mm, "0-11:rw-p/B1");
	mm_free(mm);
}

/*
 * Regions without a policy and holes are passed over; with no policy in
 * the range at all the call is -ENOENT, and changes nothing.
 */
TEST(home_node_skips)
{
	struct vms_mm *mm = home_mm();

	ASSERT_EQ(0, MAPA(mm, 12, 3, PROT_READ | X));
	ASSERT_EQ(0, MAPA(mm, 17, 3, RW));
	ASSERT_EQ(0, mb(mm, 17, 3, MPOL_PREFERRED_MANY, 3));
	ASSERT_EQ(-ENOENT, hn(mm, 12, 3, 1));
	ASSERT_EQ(-ENOENT, hn(mm, 10, 2, 1));	/* a hole */
	ASSERT_EQ(-ENOENT, hn(mm, 100, 2, 1));	/* past the last region */
	PLAYOUT(mm, "0-9:rw-p/B1 12-15:r-xp 17-20:rw-p/M3");
	ASSERT_EQ(0, hn(mm, 8, 10, 1));
	PLAYOUT(mm, "0-8:rw-p/B1 8-9:rw-p/B1h1 12-15:r-xp 17-18:rw-p/M3h1 "
		    "18-20:rw-p/M3");
	/* the last region met without a policy: still 0 */
	ASSERT_EQ(0, hn(mm, 17, 10, 1));
	mm_free(mm);
}

/*
 * The first policy that is neither MPOL_BIND nor MPOL_PREFERRED_MANY
 * stops the call with -EOPNOTSUPP; what was done before it stays done.
 */
TEST(home_node_eopnotsupp_keeps_done)
{
	struct vms_mm *mm = home_mm();
	struct vmashadow_op op;

	ASSERT_EQ(0, mb(mm, 3, 2, MPOL_DEFAULT, 0));
	ASSERT_EQ(0, mb(mm, 6, 1, MPOL_INTERLEAVE, 3));
	PLAYOUT(mm, "0-3:rw-p/B1 3-5:rw-p 5-6:rw-p/B1 6-7:rw-p/I3 "
		    "7-9:rw-p/B1");
	ASSERT_EQ(-EOPNOTSUPP, hn_op(mm, &op, 1, 8, 1, 0));
	PLAYOUT(mm, "0-1:rw-p/B1 1-3:rw-p/B1h1 3-5:rw-p 5-6:rw-p/B1h1 "
		    "6-7:rw-p/I3 7-9:rw-p/B1");
	EXPECT_EQ(1, op.splits);
	/* the first policy met is the wrong mode: nothing at all */
	ASSERT_EQ(-EOPNOTSUPP, hn(mm, 6, 3, 0));
	ASSERT_EQ(0, mb(mm, 7, 1, MPOL_PREFERRED, 1));
	ASSERT_EQ(0, mb(mm, 8, 1, MPOL_LOCAL, 0));
	ASSERT_EQ(-EOPNOTSUPP, hn(mm, 7, 1, 0));
	ASSERT_EQ(-EOPNOTSUPP, hn(mm, 8, 1, 0));
	PLAYOUT(mm, "0-1:rw-p/B1 1-3:rw-p/B1h1 3-5:rw-p 5-6:rw-p/B1h1 "
		    "6-7:rw-p/I3 7-8:rw-p/P1 8-9:rw-p/L");
	mm_free(mm);
}

/* The argument checks, in the kernel's order, each changing nothing. */
TEST(home_node_checks)
{
	struct vms_mm *mm = home_mm();
	struct vmashadow_op op;

	EXPECT_EQ(-EINVAL, vms_set_home_node(mm, PG(0) + 1, PGS(1), 5, 1));
	EXPECT_EQ(-EINVAL, vms_set_home_node(mm, PG(0), PGS(1), 5, 1));
	EXPECT_EQ(-EINVAL, vms_set_home_node(mm, PG(0), PGS(1), 1, 1));
	EXPECT_EQ(-EINVAL, hn(mm, 0, 1, 2));		/* not online */
	EXPECT_EQ(-EINVAL, hn(mm, 0, 1, 64));
	EXPECT_EQ(-EINVAL, hn(mm, 0, 1, 1UL << 32));
	EXPECT_EQ(-EINVAL, hn(mm, 0, 1, -1UL));
	/* the length: a wrap is -EINVAL, nothing is 0, before the node */
	EXPECT_EQ(-EINVAL, vms_set_home_node(mm, PG(1), -PAGE_SIZE * 2, 1, 0));
	EXPECT_EQ(0, vms_set_home_node(mm, PG(1), 0, 1, 0));
	EXPECT_EQ(0, vms_set_home_node(mm, PG(1), -PAGE_SIZE + 1, 1, 0));
	PLAYOUT(mm, "0-9:rw-p/B1");
	/* online is nodes_online, not the nodes allowed */
	mm->params.mems_allowed = 0x1;
	mm->params.nodes_online = 0x4;
	EXPECT_EQ(-EINVAL, hn(mm, 0, 1, 1));
	EXPECT_EQ(0, hn(mm, 0, 1, 2));
	PLAYOUT(mm, "0-1:rw-p/B1h2 1-9:rw-p/B1");
	/* the operation's own fields: no mode, no maxnode */
	memset(&op, 0, sizeof(op));
	op.prot = 1;
	EXPECT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_HOME_NODE));
	op.prot = 0;
	op.new_len = 1;
	EXPECT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_HOME_NODE));
	mm_free(mm);
}

/* A dry run says what it would do and does nothing. */
TEST(home_node_dry_run)
{
	struct vms_mm *mm = home_mm();
	struct vmashadow_op op;

	ASSERT_EQ(0, hn_op(mm, &op, 3, 3, 1, VMASHADOW_OPF_DRY_RUN));
	EXPECT_EQ(2, op.splits);
	EXPECT_EQ(3, op.map_count);
	PLAYOUT(mm, "0-9:rw-p/B1");
	ASSERT_EQ(-ENOENT, hn_op(mm, &op, 20, 3, 1, VMASHADOW_OPF_DRY_RUN));
	mm_free(mm);
}

/*
 * Room in the policy table for every new policy is checked before the
 * first change: a full table is -ENOMEM with nothing done, even where
 * the first regions' policies would have fitted.
 */
TEST(home_node_table_full)
{
	static const char want[] = "0-1:rw-p/B1h1 1-2:rw-p/B3e8 2-3:rw-p/B2 ";
	struct vms_mm *mm = mm_new();
	unsigned int i;

	mm->params.mems_allowed = ALL_NODES;
	mm->params.nodes_online = 0x3;
	ASSERT_EQ(0, MAPA(mm, 0, 2 * VMS_POLICY_SLOTS, RW));
	for (i = 0; i < VMS_POLICY_SLOTS - 2; i++)
		ASSERT_EQ(0, mb(mm, 2 * i, 1, MPOL_BIND, i + 1));
	/* 254 held: two new ones do not fit, one does */
	ASSERT_EQ(-ENOMEM, hn(mm, 0, 3, 1));
	EXPECT_EQ(-1, pol_at(mm, 0)->home_node);
	EXPECT_EQ(-1, pol_at(mm, 2)->home_node);
	ASSERT_EQ(0, hn(mm, 0, 1, 1));
	EXPECT_EQ(1, pol_at(mm, 0)->home_node);
	/* 255 held: none fits, but one held already needs no room */
	ASSERT_EQ(0, mb(mm, 1, 1, MPOL_BIND, 1000));
	ASSERT_EQ(-ENOMEM, hn(mm, 2, 1, 1));
	ASSERT_EQ(0, hn(mm, 0, 1, 1));
	ASSERT_EQ(0, strncmp(want, pol_layout(mm), strlen(want)));
	mm_free(mm);
}

/*
 * GET_POLICY reads what get_mempolicy(MPOL_F_ADDR) does and what it
 * hides: the nodes in force and as given, the home node; not the flags
 * MPOL_F_NUMA_BALANCING brings along.  A hole is -EFAULT.
 */
TEST(get_policy)
{
	struct vms_mm *mm = home_mm();
	struct vmashadow_policy p;

	mm->params.mems_allowed = 0x5;
	ASSERT_EQ(0, mb(mm, 3, 1, MPOL_INTERLEAVE | MPOL_F_STATIC_NODES, 0x7));
	ASSERT_EQ(0, mb(mm, 4, 1, MPOL_BIND | MPOL_F_NUMA_BALANCING, 0x4));
	ASSERT_EQ(0, mb(mm, 5, 1, MPOL_LOCAL, 0));
	ASSERT_EQ(0, mb(mm, 6, 1, MPOL_DEFAULT, 0));
	ASSERT_EQ(0, hn(mm, 0, 1, 1));

	memset(&p, 0xff, sizeof(p));
	ASSERT_EQ(0, vms_get_policy(mm, PG(0) + 5, &p));
	EXPECT_EQ(MPOL_BIND, p.mode);
	EXPECT_EQ(0, p.mode_flags);
	EXPECT_EQ(1, p.nodes);
	EXPECT_EQ(0, p.user_nodes);
	EXPECT_EQ(1, p.home_node);
	EXPECT_EQ(0, p.__reserved);
	ASSERT_EQ(0, vms_get_policy(mm, PG(2), &p));
	EXPECT_EQ(-1, p.home_node);
	ASSERT_EQ(0, vms_get_policy(mm, PG(3), &p));
	EXPECT_EQ(MPOL_INTERLEAVE, p.mode);
	EXPECT_EQ(MPOL_F_STATIC_NODES, p.mode_flags);
	EXPECT_EQ(0x5, p.nodes);
	EXPECT_EQ(0x7, p.user_nodes);
	ASSERT_EQ(0, vms_get_policy(mm, PG(4), &p));
	EXPECT_EQ(MPOL_BIND, p.mode);
	EXPECT_EQ(MPOL_F_NUMA_BALANCING, p.mode_flags);
	EXPECT_EQ(0x4, p.nodes);
	EXPECT_EQ(0x4, p.user_nodes);	/* any mode flag keeps them */
	ASSERT_EQ(0, vms_get_policy(mm, PG(5), &p));
	EXPECT_EQ(MPOL_LOCAL, p.mode);
	EXPECT_EQ(0, p.nodes);
	memset(&p, 0xff, sizeof(p));
	ASSERT_EQ(0, vms_get_policy(mm, PG(6), &p));
	EXPECT_EQ(MPOL_DEFAULT, p.mode);
	EXPECT_EQ(0, p.mode_flags);
	EXPECT_EQ(0, p.nodes);
	EXPECT_EQ(0, p.user_nodes);
	EXPECT_EQ(-1, p.home_node);
	EXPECT_EQ(-EFAULT, vms_get_policy(mm, PG(9), &p));
	EXPECT_EQ(-EFAULT, vms_get_policy(mm, PG(0) - 1, &p));
	mm_free(mm);
}

/* ---- running out of memory ----------------------------------------------- */

/*
 * An allocation that fails before anything changed leaves the shadow as
 * it was: the table on the first policy, the reserve's regions, the copy
 * of a dry run, a fork's table and regions.
 */
TEST(enomem_changes_nothing)
{
	struct vms_mm *mm = mm_new(), *child = mm_new();
	struct vmashadow_op op;

	ASSERT_EQ(0, MAPA(mm, 0, 9, RW));
	vms_reserve_drain(mm);
	vms_host_fail_alloc = 1;		/* the table */
	ASSERT_EQ(-ENOMEM, mb(mm, 3, 3, MPOL_BIND, 1));
	ASSERT_EQ(0, vms_host_fail_alloc);
	EXPECT_EQ(NULL, mm->policies);
	PLAYOUT(mm, "0-9:rw-p");
	vms_host_fail_alloc = 2;		/* the first region */
	ASSERT_EQ(-ENOMEM, mb(mm, 3, 3, MPOL_BIND, 1));
	PLAYOUT(mm, "0-9:rw-p");
	vms_reserve_drain(mm);
	vms_host_fail_alloc = 2;		/* the second */
	ASSERT_EQ(-ENOMEM, mb(mm, 3, 3, MPOL_INTERLEAVE, 1));
	PLAYOUT(mm, "0-9:rw-p");
	vms_reserve_drain(mm);
	ASSERT_EQ(0, mb(mm, 3, 3, MPOL_BIND, 1));
	PLAYOUT(mm, "0-3:rw-p 3-6:rw-p/B1 6-9:rw-p");

	/* a dry run's copy, then the copy's table */
	vms_host_fail_alloc = 1;
	ASSERT_EQ(-ENOMEM, mb_op(mm, &op, 0, 9, MPOL_DEFAULT, 0,
				 VMASHADOW_OPF_DRY_RUN));
	vms_host_fail_alloc = 2;
	ASSERT_EQ(-ENOMEM, mb_op(mm, &op, 0, 9, MPOL_DEFAULT, 0,
				 VMASHADOW_OPF_DRY_RUN));
	ASSERT_EQ(0, vms_host_fail_alloc);
	PLAYOUT(mm, "0-3:rw-p 3-6:rw-p/B1 6-9:rw-p");

	/* a fork's table, then its regions */
	vms_host_fail_alloc = 1;
	ASSERT_EQ(-ENOMEM, vms_mm_dup(child, mm, true));
	EXPECT_EQ(NULL, child->policies);
	EXPECT_EQ(0, child->map_count);
	vms_host_fail_alloc = 2;
	ASSERT_EQ(-ENOMEM, vms_mm_dup(child, mm, true));
	EXPECT_EQ(NULL, child->policies);
	vms_host_fail_alloc = 3;
	ASSERT_EQ(-ENOMEM, vms_mm_dup(child, mm, true));
	EXPECT_EQ(NULL, child->policies);
	EXPECT_EQ(0, child->map_count);
	vms_host_fail_alloc = 0;
	PLAYOUT(mm, "0-3:rw-p 3-6:rw-p/B1 6-9:rw-p");
	ASSERT_EQ(0, vms_mm_dup(child, mm, true));
	PLAYOUT(child, "0-3:rw-p 3-6:rw-p/B1 6-9:rw-p");
	mm_free(child);
	mm_free(mm);
}

TEST_HARNESS_MAIN
