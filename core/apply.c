// SPDX-License-Identifier: GPL-2.0
/*
 * A struct vmashadow_op applied to a shadow: the checks of the structure,
 * the dispatch to the calls of ops.c, the counts of what happened, and
 * dry runs.  Everything that drives the core (the device's ioctls and
 * batches, the host build's tests) goes through here, so that it checks
 * and counts the same way.
 */
#include "core.h"

/*
 * The in fields an operation does not use must be zero (->fd is read only
 * by MAP of a file; the out fields are overwritten, so they may hold
 * anything, and a batch can be submitted again as it came back).  The
 * system call's own checks come later, in the call.
 */
/* The op_flags an operation takes. */
static u32 vms_op_flags_of(u32 op)
{
	switch (op) {
	case VMASHADOW_OP_MAP:
		return VMASHADOW_OPF_CLOSE_OP | VMASHADOW_OPF_VDSO |
		       VMASHADOW_OPF_VVAR | VMASHADOW_OPF_DRY_RUN;
	case VMASHADOW_OP_MAP_VDSO:
		return VMASHADOW_OPF_EXEC | VMASHADOW_OPF_DRY_RUN;
	case VMASHADOW_OP_MBIND:
		return VMASHADOW_OPF_NODEMASK | VMASHADOW_OPF_DRY_RUN;
	}
	return VMASHADOW_OPF_DRY_RUN;
}

int vms_op_check(const struct vmashadow_op *op, u32 want)
{
	if (op->op && op->op != want)
		return -EINVAL;
	if (op->op_flags & ~vms_op_flags_of(want))
		return -EINVAL;
	if ((op->op_flags & VMASHADOW_OPF_VDSO) &&
	    (op->op_flags & VMASHADOW_OPF_VVAR))
		return -EINVAL;
	if (op->new_addr && want != VMASHADOW_OP_REMAP)
		return -EINVAL;
	if (op->new_len && want != VMASHADOW_OP_REMAP &&
	    want != VMASHADOW_OP_MAP_VDSO && want != VMASHADOW_OP_MBIND)
		return -EINVAL;
	switch (want) {
	case VMASHADOW_OP_MAP:
		return 0;
	case VMASHADOW_OP_MAP_VDSO:
		return op->prot || op->flags ? -EINVAL : 0;
	case VMASHADOW_OP_PROTECT:
		return op->flags || op->offset ? -EINVAL : 0;
	case VMASHADOW_OP_REMAP:
	case VMASHADOW_OP_MADVISE:
	case VMASHADOW_OP_SEAL:
		return op->prot || op->offset ? -EINVAL : 0;
	case VMASHADOW_OP_UNMAP:
	case VMASHADOW_OP_MUNLOCK:
		return op->prot || op->flags || op->offset ? -EINVAL : 0;
	case VMASHADOW_OP_MLOCK:
		return op->prot || op->offset ? -EINVAL : 0;
	case VMASHADOW_OP_MBIND:
		return 0;
	case VMASHADOW_OP_HOME_NODE:
		return op->prot ? -EINVAL : 0;
	case VMASHADOW_OP_MLOCKALL:
		return op->addr || op->len || op->prot || op->offset ?
		       -EINVAL : 0;
	case VMASHADOW_OP_UFFD_API:
		return op->addr || op->len || op->prot ? -EINVAL : 0;
	case VMASHADOW_OP_UFFD_REGISTER:
		return op->prot ? -EINVAL : 0;
	case VMASHADOW_OP_UFFD_UNREGISTER:
		return op->prot || op->flags ? -EINVAL : 0;
	case VMASHADOW_OP_UFFD_CLOSE:
		return op->addr || op->len || op->prot || op->flags ?
		       -EINVAL : 0;
	case VMASHADOW_OP_MUNLOCKALL:
		return op->addr || op->len || op->prot || op->flags ||
		       op->offset ? -EINVAL : 0;
	case VMASHADOW_OP_TOUCH:
	case VMASHADOW_OP_BRK:
		return op->len || op->prot || op->flags || op->offset ?
		       -EINVAL : 0;
	}
	return -EINVAL;
}

static int vms_apply_map(struct vms_mm *mm, struct vmashadow_op *op,
			 struct vms_file *file)
{
	struct vms_map_req req = {
		.addr		= op->addr,
		.len		= op->len,
		.prot		= op->prot,
		.flags		= op->flags,
		.offset		= op->offset,
		.file		= file,
		.op_flags	= op->op_flags,
	};
	unsigned long addr;
	int err = vms_map(mm, &req, &addr);

	if (!err)
		op->result = addr;
	return err;
}

static int vms_apply_map_vdso(struct vms_mm *mm, struct vmashadow_op *op)
{
	unsigned long addr;
	int err = vms_map_vdso(mm, op->addr, op->len, op->new_len, op->offset,
			       op->op_flags & VMASHADOW_OPF_EXEC, &addr);

	if (!err)
		op->result = addr;
	return err;
}

/*
 * The node mask is given when it names a node, or with OPF_NODEMASK even
 * when it names none: a NULL mask and an empty one differ in mbind() only
 * in the errors of maxnode.
 */
static int vms_apply_mbind(struct vms_mm *mm, const struct vmashadow_op *op)
{
	bool given = op->offset || (op->op_flags & VMASHADOW_OPF_NODEMASK);
	u64 nodes = op->offset;

	return vms_mbind_mask(mm, op->addr, op->len, op->prot,
			      given ? &nodes : NULL, op->new_len, op->flags);
}

/* A userfaultfd context's number; one out of range names none (-EBADF). */
static unsigned int vms_uffd_number(const struct vmashadow_op *op)
{
	return op->offset <= VMASHADOW_UFFD_MAX ? op->offset : 0;
}

/* Carry out @op on @mm; @file is the file a MAP of a file maps. */
static int vms_apply_op(struct vms_mm *mm, struct vmashadow_op *op,
			struct vms_file *file)
{
	long ret;

	switch (op->op) {
	case VMASHADOW_OP_MAP:
		return vms_apply_map(mm, op, file);
	case VMASHADOW_OP_UNMAP:
		return vms_unmap(mm, op->addr, op->len);
	case VMASHADOW_OP_PROTECT:
		return vms_protect(mm, op->addr, op->len, op->prot);
	case VMASHADOW_OP_TOUCH:
		return vms_touch(mm, op->addr);
	case VMASHADOW_OP_MADVISE:
		return vms_madvise(mm, op->addr, op->len, op->flags);
	case VMASHADOW_OP_SEAL:
		return vms_seal(mm, op->addr, op->len, op->flags);
	case VMASHADOW_OP_MAP_VDSO:
		return vms_apply_map_vdso(mm, op);
	case VMASHADOW_OP_MLOCK:
		return vms_mlock(mm, op->addr, op->len, op->flags);
	case VMASHADOW_OP_MUNLOCK:
		return vms_munlock(mm, op->addr, op->len);
	case VMASHADOW_OP_MLOCKALL:
		return vms_mlockall(mm, op->flags);
	case VMASHADOW_OP_MUNLOCKALL:
		return vms_munlockall(mm);
	case VMASHADOW_OP_MBIND:
		return vms_apply_mbind(mm, op);
	case VMASHADOW_OP_HOME_NODE:
		return vms_set_home_node(mm, op->addr, op->len, op->offset,
					 op->flags);
	case VMASHADOW_OP_UFFD_API:
		return vms_uffd_api(mm, vms_uffd_number(op), op->flags);
	case VMASHADOW_OP_UFFD_REGISTER:
		return vms_uffd_register(mm, op->addr, op->len,
					 vms_uffd_number(op), op->flags);
	case VMASHADOW_OP_UFFD_UNREGISTER:
		return vms_uffd_unregister(mm, op->addr, op->len,
					   vms_uffd_number(op));
	case VMASHADOW_OP_UFFD_CLOSE:
		return vms_uffd_close(mm, vms_uffd_number(op));
	case VMASHADOW_OP_BRK:
		op->result = vms_brk(mm, op->addr);
		return 0;
	case VMASHADOW_OP_REMAP:
		ret = vms_remap(mm, op->addr, op->len, op->new_len, op->flags,
				op->new_addr);
		if (IS_ERR_VALUE(ret))
			return ret;
		op->result = ret;
		return 0;
	}
	return -EINVAL;
}

/*
 * Run @op, checked by vms_op_check(), and count what it did into its out
 * fields.  A dry run applies it to a copy of the shadow and keeps only
 * what EXPLAIN will say of it.
 */
int vms_run_op(struct vms_mm *mm, struct vmashadow_op *op,
	       struct vms_file *file)
{
	struct vms_mm *target = mm, *copy = NULL;
	struct vms_counters before;
	int err;

	op->result = 0;
	if (op->op_flags & VMASHADOW_OPF_DRY_RUN) {
		copy = kmalloc(sizeof(*copy), GFP_KERNEL);
		if (!copy)
			return -ENOMEM;
		vms_mm_init(copy, mm->params.rules);
		err = vms_mm_dup(copy, mm, false);
		if (err) {
			kfree(copy);
			return err;
		}
		target = copy;
	}
	before = target->count;
	err = vms_apply_op(target, op, file);
	op->map_count = target->map_count;
	op->merges = target->count.merges - before.merges;
	op->splits = target->count.splits - before.splits;
	op->truncations = target->count.truncations - before.truncations;
	op->removals = target->count.removals - before.removals;
	if (copy) {
		mm->last = copy->last;
		vms_mm_destroy(copy);
		kfree(copy);
	}
	return err;
}

/*
 * The region FIND asks for (VMASHADOW_FIND_*), and for FIND_PREV the one
 * below it in *@prev; NULL when there is none, ERR_PTR(-EINVAL) for an
 * unknown mode.
 */
struct vms_region *vms_find_mode(struct vms_mm *mm, u32 mode,
				 unsigned long addr, unsigned long end,
				 struct vms_region **prev)
{
	struct vms_region *r;

	*prev = NULL;
	switch (mode) {
	case VMASHADOW_FIND_VMA:
		return vms_find(mm, addr);
	case VMASHADOW_FIND_PREV:
		return vms_find_prev(mm, addr, prev);
	case VMASHADOW_FIND_INTERSECT:
		return end > addr ? vms_find_intersection(mm, addr, end) : NULL;
	case VMASHADOW_FIND_LOOKUP:
		return vms_lookup(mm, addr);
	case VMASHADOW_FIND_EXACT:
		r = vms_lookup(mm, addr);
		return r && r->start == addr && r->end == end ? r : NULL;
	}
	return ERR_PTR(-EINVAL);
}
