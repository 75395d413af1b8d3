// SPDX-License-Identifier: GPL-2.0
/*
 * userfaultfd in the core, under both rule sets: registration's splits and
 * merges (and 6.1's page offset that keeps a tail apart), the modes
 * replaced or kept, unregistering any context's regions, the last close,
 * fork and mremap by the context's features, the errors in the kernel's
 * order, and a split refused half way.  selftests/uffd.c holds the same
 * calls against the real kernel.
 */
#include "test_util.h"

#define UM	VMASHADOW_VM_UFFD_MISSING
#define UW	VMASHADOW_VM_UFFD_WP
#define UI	VMASHADOW_VM_UFFD_MINOR
#define MODE_MISSING	1
#define MODE_WP		2
#define MODE_MINOR	4
#define EVENT_FORK	(1 << 1)
#define EVENT_REMAP	(1 << 2)
#define WP_ASYNC	(1 << 15)

/* The context of the region holding page @pg, -1 for none. */
static long ctx_at(struct vms_mm *mm, long pg)
{
	struct vms_region *r = vms_lookup(mm, PG(pg));

	return r ? (long)vms_uffd_of(r->flags) : -1;
}

static long modes_at(struct vms_mm *mm, long pg)
{
	struct vms_region *r = vms_lookup(mm, PG(pg));

	return r ? (long)(r->flags & VMS_UFFD_MODES) : -1;
}

static struct vms_mm *mm_uffd(void)
{
	struct vms_mm *mm = mm_new();

	mm->may_ptrace = true;
	return mm;
}

static int reg(struct vms_mm *mm, long pg, long npg, unsigned int ctx,
	       unsigned long mode)
{
	return vms_uffd_register(mm, PG(pg), PGS(npg), ctx, mode);
}

static int unreg(struct vms_mm *mm, long pg, long npg, unsigned int ctx)
{
	return vms_uffd_unregister(mm, PG(pg), PGS(npg), ctx);
}

/*
 *   0123456789
 *   AAAAAAAAA     one rw region
 *     ***         register: split twice, the middle registered
 *     ***         unregister: case 1, one region again
 */
TEST(register_middle_then_unregister)
{
	struct vms_mm *mm = mm_uffd();

	ASSERT_EQ(0, MAPA(mm, 0, 9, RW));
	ASSERT_EQ(0, vms_uffd_api(mm, 3, 0));
	ASSERT_EQ(0, reg(mm, 2, 3, 3, MODE_MISSING));
	LAYOUT(mm, "0-2:rw-p 2-5:rw-p 5-9:rw-p");
	ASSERT_EQ(3, ctx_at(mm, 2));
	ASSERT_EQ(UM, modes_at(mm, 4));
	ASSERT_EQ(0, ctx_at(mm, 5));
	ASSERT_EQ(0, unreg(mm, 2, 3, 3));
	LAYOUT(mm, "0-9:rw-p");
	ASSERT_EQ(0, modes_at(mm, 4));
	mm_free(mm);
}

/*
 *   0123456789
 *   AAAABBBB      two regions (B mapped apart: its own page offset)
 *       ****      B registered
 *     **          the tail of A registered: 6.12 gives it to B; 6.1 asks
 *                 the merge with A's page offset, which does not fit B
 */
TEST(register_tail_joins_next_on_6_12_only)
{
	struct vms_mm *mm = mm_uffd();

	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	ASSERT_EQ(0, MAPA(mm, 4, 4, R));
	ASSERT_EQ(0, vms_protect(mm, PG(4), PGS(4), RW));
	LAYOUT(mm, "0-8:rw-p");
	ASSERT_EQ(0, vms_unmap(mm, PG(4), PGS(4)));
	ASSERT_EQ(0, MAPA(mm, 4, 4, RW));	/* merges back: linear pgoff */
	LAYOUT(mm, "0-8:rw-p");
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(0, reg(mm, 4, 4, 1, MODE_MISSING));
	LAYOUT(mm, "0-4:rw-p 4-8:rw-p");
	ASSERT_EQ(0, reg(mm, 2, 2, 1, MODE_MISSING));
	if (k612())
		LAYOUT(mm, "0-2:rw-p 2-8:rw-p");
	else
		LAYOUT(mm, "0-2:rw-p 2-4:rw-p 4-8:rw-p");
	ASSERT_EQ(1, ctx_at(mm, 3));
	/* the head of a region is asked with the right offset in both */
	ASSERT_EQ(0, unreg(mm, 2, 6, 1));
	LAYOUT(mm, "0-8:rw-p");
	mm_free(mm);
}

/* Modes asked replace the region's, unless it has them all already. */
TEST(register_replaces_modes_or_skips)
{
	struct vms_mm *mm = mm_uffd();

	ASSERT_EQ(0, MAPA(mm, 0, 8, RW));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(0, reg(mm, 0, 8, 1, MODE_MISSING));
	/* the same mode: passed over, not split */
	ASSERT_EQ(0, reg(mm, 2, 2, 1, MODE_MISSING));
	LAYOUT(mm, "0-8:rw-p");
	/* another mode: it replaces, in the range only */
	ASSERT_EQ(0, reg(mm, 2, 2, 1, MODE_WP));
	LAYOUT(mm, "0-2:rw-p 2-4:rw-p 4-8:rw-p");
	ASSERT_EQ(UW, modes_at(mm, 3));
	ASSERT_EQ(UM, modes_at(mm, 0));
	/* both: replaced; then a subset of them is passed over */
	ASSERT_EQ(0, reg(mm, 4, 4, 1, MODE_MISSING | MODE_WP));
	ASSERT_EQ(0, reg(mm, 5, 1, 1, MODE_WP));
	LAYOUT(mm, "0-2:rw-p 2-4:rw-p 4-8:rw-p");
	ASSERT_EQ(UM | UW, modes_at(mm, 5));
	mm_free(mm);
}

TEST(register_errors_in_the_kernels_order)
{
	struct vms_mm *mm = mm_uffd();
	struct tfile ext, shm;

	tfile_init(&ext, "/data/f", VMS_FMODE_READ | VMS_FMODE_WRITE);
	tfile_init(&shm, "/dev/shm/f", VMS_FMODE_READ | VMS_FMODE_SHMEM);
	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	ASSERT_EQ(0, do_map(mm, PG(4), PGS(2), R, MAP_PRIVATE | MAP_FIXED,
			    &ext.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(6), PGS(2), R, MAP_SHARED | MAP_FIXED,
			    &shm.vf, 0, NULL));
	ASSERT_EQ(0, MAPA(mm, 10, 2, RW));

	ASSERT_EQ(-EBADF, reg(mm, 0, 1, 1, MODE_MISSING));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(-EINVAL, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(0, vms_uffd_api(mm, 2, 0));
	ASSERT_EQ(-EINVAL, reg(mm, 0, 1, 1, 0));
	ASSERT_EQ(-EINVAL, reg(mm, 0, 1, 1, 8));
	ASSERT_EQ(-EINVAL, vms_uffd_register(mm, PG(0) + 1, PGS(1), 1, 1));
	ASSERT_EQ(-EINVAL, vms_uffd_register(mm, PG(0), 100, 1, 1));
	ASSERT_EQ(-EINVAL, vms_uffd_register(mm, PG(0), 0, 1, 1));
	/* nothing at or above start: 6.1 says no memory, 6.12 invalid */
	ASSERT_EQ(k612() ? -EINVAL : -ENOMEM, reg(mm, 20, 2, 1, 1));
	/* the first region starts at the end */
	ASSERT_EQ(-EINVAL, reg(mm, 8, 2, 1, 1));
	/* a file that is not tmpfs; minor faults without tmpfs */
	ASSERT_EQ(-EINVAL, reg(mm, 0, 6, 1, MODE_MISSING));
	ASSERT_EQ(-EINVAL, reg(mm, 0, 2, 1, MODE_MINOR));
	/* tmpfs, shared, opened read-only: no VM_MAYWRITE */
	ASSERT_EQ(-EPERM, reg(mm, 6, 2, 1, MODE_MINOR));
	/* another context's region, found after a hole */
	ASSERT_EQ(0, reg(mm, 10, 1, 2, MODE_MISSING));
	ASSERT_EQ(-EBUSY, reg(mm, 8, 4, 1, MODE_MISSING));
	LAYOUT(mm, "0-4:rw-p 4-6:r--p 6-8:r--s 10-11:rw-p 11-12:rw-p");
	mm_free(mm);
}

TEST(api_features_by_rules)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(-EBADF, vms_uffd_api(mm, 0, 0));
	ASSERT_EQ(-EBADF, vms_uffd_api(mm, VMASHADOW_UFFD_MAX + 1, 0));
	ASSERT_EQ(-EPERM, vms_uffd_api(mm, 1, EVENT_FORK));
	mm->may_ptrace = true;
	ASSERT_EQ(0, vms_uffd_api(mm, 1, EVENT_FORK | EVENT_REMAP));
	ASSERT_EQ(k612() ? 0 : -EINVAL, vms_uffd_api(mm, 2, WP_ASYNC));
	ASSERT_EQ(-EINVAL, vms_uffd_api(mm, 3, 1u << 20));
	mm_free(mm);
}

/*
 * Unregister clears any context in the range; a region the caller's
 * context could not hold in the range fails it, registered or not.
 */
TEST(unregister_any_context)
{
	struct vms_mm *mm = mm_uffd();
	struct tfile ext;

	tfile_init(&ext, "/data/f", VMS_FMODE_READ);
	ASSERT_EQ(0, MAPA(mm, 0, 8, RW));
	ASSERT_EQ(0, do_map(mm, PG(8), PGS(2), R, MAP_PRIVATE | MAP_FIXED,
			    &ext.vf, 0, NULL));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(0, vms_uffd_api(mm, 2, 0));
	ASSERT_EQ(0, reg(mm, 2, 2, 1, MODE_MISSING));
	ASSERT_EQ(0, reg(mm, 4, 2, 2, MODE_MISSING));
	LAYOUT(mm, "0-2:rw-p 2-4:rw-p 4-6:rw-p 6-8:rw-p 8-10:r--p");
	ASSERT_EQ(-EINVAL, unreg(mm, 0, 10, 1));
	ASSERT_EQ(2, ctx_at(mm, 4));
	ASSERT_EQ(0, unreg(mm, 0, 8, 1));
	LAYOUT(mm, "0-8:rw-p 8-10:r--p");
	mm_free(mm);
}

/*
 *   0123456789
 *   AAbbAAccAA    b registered with context 1, c with 2
 *                 close(1): b joins its neighbours; c stays
 */
TEST(close_unregisters_and_merges)
{
	struct vms_mm *mm = mm_uffd();
	struct vmashadow_explain ex;

	ASSERT_EQ(0, MAPA(mm, 0, 10, RW));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(0, vms_uffd_api(mm, 2, 0));
	ASSERT_EQ(0, reg(mm, 2, 2, 1, MODE_WP));
	ASSERT_EQ(0, reg(mm, 6, 2, 2, MODE_WP));
	vms_explain_at(mm, PG(4), &ex);
	ASSERT_EQ(VMASHADOW_WHY_FLAGS, ex.prev.why);
	ASSERT_EQ(UW, ex.prev.flags_diff);
	ASSERT_EQ(0, vms_uffd_close(mm, 1));
	LAYOUT(mm, "0-6:rw-p 6-8:rw-p 8-10:rw-p");
	ASSERT_EQ(-EBADF, vms_uffd_close(mm, 1));
	ASSERT_EQ(-EBADF, reg(mm, 0, 1, 1, MODE_WP));
	ASSERT_EQ(2, ctx_at(mm, 6));
	mm_free(mm);
}

/* Two contexts with the same mode: the context alone keeps them apart. */
TEST(contexts_differ)
{
	struct vms_mm *mm = mm_uffd();
	struct vmashadow_explain ex;

	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(0, vms_uffd_api(mm, 2, 0));
	ASSERT_EQ(0, reg(mm, 0, 2, 1, MODE_MISSING));
	ASSERT_EQ(0, reg(mm, 2, 2, 2, MODE_MISSING));
	LAYOUT(mm, "0-2:rw-p 2-4:rw-p");
	vms_explain_at(mm, PG(2), &ex);
	ASSERT_EQ(VMASHADOW_WHY_UFFD, ex.prev.why);
	/* a new mapping does not join a registered region */
	ASSERT_EQ(0, MAPA(mm, 4, 2, RW));
	LAYOUT(mm, "0-2:rw-p 2-4:rw-p 4-6:rw-p");
	ASSERT_EQ(VMASHADOW_WHY_FLAGS, mm->last.prev.why);
	/* mprotect keeps the registration of both pieces */
	ASSERT_EQ(0, vms_protect(mm, PG(0), PGS(1), R));
	ASSERT_EQ(1, ctx_at(mm, 0));
	ASSERT_EQ(1, ctx_at(mm, 1));
	ASSERT_EQ(UM, modes_at(mm, 0));
	mm_free(mm);
}

/* fork keeps registrations only for contexts with EVENT_FORK. */
TEST(fork_by_feature)
{
	struct vms_mm *mm = mm_uffd(), *child = mm_new();

	ASSERT_EQ(0, MAPA(mm, 0, 8, RW));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(0, vms_uffd_api(mm, 2, EVENT_FORK));
	ASSERT_EQ(0, vms_uffd_api(mm, 3, EVENT_FORK));
	ASSERT_EQ(0, reg(mm, 2, 2, 1, MODE_MISSING));
	ASSERT_EQ(0, reg(mm, 5, 2, 2, MODE_MISSING));
	ASSERT_EQ(0, vms_mm_dup(child, mm, true));
	/* a context no copied region holds gives the child none */
	ASSERT_EQ(-EBADF, vms_uffd_close(child, 3));
	/* no merge in the child: the cleared region stays apart */
	LAYOUT(child, "0-2:rw-p 2-4:rw-p 4-5:rw-p 5-7:rw-p 7-8:rw-p");
	ASSERT_EQ(0, ctx_at(child, 2));
	ASSERT_EQ(0, modes_at(child, 2));
	ASSERT_EQ(2, ctx_at(child, 5));
	ASSERT_EQ(-EBADF, vms_uffd_close(child, 1));
	ASSERT_EQ(0, vms_uffd_api(child, 1, 0));	/* a new one */
	ASSERT_EQ(0, vms_uffd_close(child, 2));
	ASSERT_EQ(1, ctx_at(mm, 2));
	mm_free(child);
	mm_free(mm);
}

/*
 * mremap without EVENT_REMAP: copy_vma() merges while still registered,
 * then the region it made loses the registration, neighbour and all.
 *
 *   0123456789
 *   AA  BB        A and B registered alike
 *   --  AABB      A moved beside B: joined, then both unregistered
 */
TEST(remap_drops_registration_of_what_it_joined)
{
	struct vms_mm *mm = mm_uffd();

	ASSERT_EQ(0, MAPA(mm, 0, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 6, 2, RW));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(0, vms_uffd_api(mm, 2, EVENT_REMAP));
	ASSERT_EQ(0, reg(mm, 0, 2, 1, MODE_MISSING));
	ASSERT_EQ(0, reg(mm, 6, 2, 1, MODE_MISSING));
	ASSERT_EQ((long)PG(4), vms_remap(mm, PG(0), PGS(2), PGS(2),
					 MREMAP_MAYMOVE | MREMAP_FIXED,
					 PG(4)));
	LAYOUT(mm, "4-8:rw-p");
	ASSERT_EQ(0, ctx_at(mm, 7));
	ASSERT_EQ(0, modes_at(mm, 7));

	/* with EVENT_REMAP the moved region keeps it */
	ASSERT_EQ(0, MAPA(mm, 0, 2, RW));
	ASSERT_EQ(0, reg(mm, 0, 2, 2, MODE_WP));
	ASSERT_EQ((long)PG(10), vms_remap(mm, PG(0), PGS(2), PGS(2),
					  MREMAP_MAYMOVE | MREMAP_FIXED,
					  PG(10)));
	ASSERT_EQ(2, ctx_at(mm, 10));
	ASSERT_EQ(UW, modes_at(mm, 11));
	mm_free(mm);
}

/*
 * A split refused at max_map_count: -ENOMEM, and what the call did before
 * stays done; a middle registration keeps the split it made at start,
 * both pieces in their old state.
 */
TEST(split_refused_half_way)
{
	struct vms_mm *mm = mm_uffd();

	ASSERT_EQ(0, MAPA(mm, 0, 2, RW));
	ASSERT_EQ(0, MAPA(mm, 3, 6, RW));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	mm->params.max_map_count = 2;
	ASSERT_EQ(-ENOMEM, reg(mm, 0, 6, 1, MODE_MISSING));
	LAYOUT(mm, "0-2:rw-p 3-9:rw-p");
	ASSERT_EQ(1, ctx_at(mm, 0));
	ASSERT_EQ(0, ctx_at(mm, 3));

	mm->params.max_map_count = 3;
	ASSERT_EQ(-ENOMEM, reg(mm, 4, 1, 1, MODE_MISSING));
	LAYOUT(mm, "0-2:rw-p 3-4:rw-p 4-9:rw-p");
	ASSERT_EQ(0, ctx_at(mm, 3));
	ASSERT_EQ(0, ctx_at(mm, 4));
	mm_free(mm);
}

/*
 * /dev/zero mapped privately is anonymous (mmap_zero()'s
 * vma_set_anonymous()): it registers for missing pages, not for minor
 * faults.  Shared, it is shmem: minor faults too.
 */
TEST(dev_zero)
{
	struct vms_mm *mm = mm_uffd();
	struct tfile z;

	tfile_init(&z, "/dev/zero", VMS_FMODE_READ | VMS_FMODE_WRITE |
		   VMS_FMODE_ZERO);
	ASSERT_EQ(0, do_map(mm, PG(0), PGS(2), RW, MAP_PRIVATE | MAP_FIXED,
			    &z.vf, 0, NULL));
	ASSERT_EQ(0, do_map(mm, PG(4), PGS(2), RW, MAP_SHARED | MAP_FIXED,
			    &z.vf, 0, NULL));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(-EINVAL, reg(mm, 0, 2, 1, MODE_MINOR));
	ASSERT_EQ(0, reg(mm, 0, 2, 1, MODE_MISSING));
	ASSERT_EQ(0, reg(mm, 4, 2, 1, MODE_MINOR));
	mm_free(mm);
}

/* A second handshake is refused after the feature checks, as the kernel's. */
TEST(second_api_checks_features_first)
{
	struct vms_mm *mm = mm_new();

	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(-EPERM, vms_uffd_api(mm, 1, EVENT_FORK));
	ASSERT_EQ(-EINVAL, vms_uffd_api(mm, 1, 1u << 20));
	ASSERT_EQ(-EINVAL, vms_uffd_api(mm, 1, 0));
	mm_free(mm);
}

/* Through the op: the checks of the structure, then the call. */
TEST(op_checks)
{
	struct vms_mm *mm = mm_uffd();
	struct vmashadow_op op = {
		.size = sizeof(op), .op = VMASHADOW_OP_UFFD_API, .offset = 1,
	};

	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	ASSERT_EQ(0, vms_op_check(&op, VMASHADOW_OP_UFFD_API));
	ASSERT_EQ(0, vms_run_op(mm, &op, NULL));
	op.op = VMASHADOW_OP_UFFD_REGISTER;
	op.addr = PG(1);
	op.len = PGS(2);
	op.flags = MODE_MISSING;
	op.prot = 1;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_UFFD_REGISTER));
	op.prot = 0;
	ASSERT_EQ(0, vms_op_check(&op, VMASHADOW_OP_UFFD_REGISTER));
	op.op_flags = VMASHADOW_OPF_DRY_RUN;
	ASSERT_EQ(0, vms_run_op(mm, &op, NULL));
	ASSERT_EQ(2, op.splits);
	LAYOUT(mm, "0-4:rw-p");
	op.op_flags = 0;
	ASSERT_EQ(0, vms_run_op(mm, &op, NULL));
	LAYOUT(mm, "0-1:rw-p 1-3:rw-p 3-4:rw-p");
	op.offset = 1000;
	ASSERT_EQ(-EBADF, vms_run_op(mm, &op, NULL));
	op.op = VMASHADOW_OP_UFFD_UNREGISTER;
	op.offset = 1;
	op.flags = 1;
	ASSERT_EQ(-EINVAL, vms_op_check(&op, VMASHADOW_OP_UFFD_UNREGISTER));
	mm_free(mm);
}

/* VALIDATE knows the invariant: a context if and only if a mode. */
TEST(validate_catches_a_lone_context)
{
	struct vms_mm *mm = mm_uffd();
	struct vms_region *r;
	unsigned long where;

	ASSERT_EQ(0, MAPA(mm, 0, 4, RW));
	ASSERT_EQ(0, vms_uffd_api(mm, 1, 0));
	ASSERT_EQ(0, reg(mm, 1, 1, 1, MODE_WP));
	ASSERT_EQ(0, vms_validate(mm, &where));
	r = vms_lookup(mm, PG(1));
	r->flags &= ~UW;
	ASSERT_EQ(VMASHADOW_BAD_UFFD, vms_validate(mm, &where));
	ASSERT_EQ(PG(1), where);
	r->flags |= UW;
	mm->uffd[1] = 0;
	ASSERT_EQ(VMASHADOW_BAD_UFFD, vms_validate(mm, &where));
	mm->uffd[1] = VMS_UFFD_OPEN;
	r->flags &= ~VMS_UFFD_MASK;
	ASSERT_EQ(VMASHADOW_BAD_UFFD, vms_validate(mm, &where));
	r->flags |= 1UL << VMS_UFFD_SHIFT;
	ASSERT_EQ(0, vms_validate(mm, &where));
	mm_free(mm);
}

TEST_HARNESS_MAIN
