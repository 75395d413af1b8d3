// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: every way a caller can be wrong (issue 8).  Unaligned, empty,
 * wrapping ranges and addresses above TASK_SIZE; every unknown flag bit;
 * non-zero reserved and unused fields; structure sizes too small and too
 * large (with non-zero tails); NULL, unmapped, kernel-space and
 * non-canonical pointers; structures and batch arrays that run into
 * unmapped memory; counts past the caps; unknown commands.  Each call gets
 * its errno (the system call's own where there is a real counterpart, and
 * then it is checked against the real call) and leaves the shadow exactly
 * as it was: read() dump, LIST records, params and counters, and VALIDATE.
 */
#include <stddef.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <linux/mempolicy.h>
#include "vms_snap.h"

#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define TASK_SZ		0x7ffffffff000UL	/* qemu64: 47 bits */
#define KPTR		0xffffffff81000000UL	/* the kernel's text */
#define KPTR_DIRECT	0xffff888000000000UL	/* the direct map */
#define NONCANON	0x0000800000000000UL
#define PSZ		4096UL

static struct vms_snap before;
static char file_path[64];

/*
 * A shadow worth changing: anonymous, faulted, read-only and locked, and
 * file-backed regions in the window.
 */
#define HOSTILE_SETUP() do {						\
	int __f;							\
	VMS_SETUP();							\
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(0), PGS(4), RW,	\
		  ANON | MAP_FIXED, -1, 0, NULL));			\
	ASSERT_EQ(0, vms_shadow_touch(vms_fd, PG(1)));			\
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(8), PGS(2), PROT_READ,	\
		  ANON | MAP_FIXED, -1, 0, NULL));			\
	ASSERT_EQ(0, vms_shadow_lock(vms_fd, VMASHADOW_IOC_MLOCK,	\
				     PG(8), PGS(2), 0));			\
	__f = vms_make_file(file_path, sizeof(file_path), "hostile", 4); \
	ASSERT_LE(0, __f);						\
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(12), PGS(2), PROT_READ,	\
		  MAP_SHARED | MAP_FIXED, __f, PGS(1), NULL));		\
	close(__f);							\
	unlink(file_path);						\
	ASSERT_EQ(0, vms_snap_take(vms_fd, &before));			\
	ASSERT_EQ(3, before.n);						\
} while (0)

/* The call gives @expect and the shadow is as it was. */
#define HOSTILE(expect, cmd, arg) do {					\
	long __ret = vms_ioctl(vms_fd, cmd, arg);			\
	ASSERT_EQ((long)(expect), __ret)				\
		TH_LOG("line %d: %s gave %ld, expected %ld", __LINE__,	\
		       #cmd, __ret, (long)(expect));			\
	VMS_UNCHANGED(vms_fd, &before, #cmd);				\
} while (0)

/* A page of memory followed by an unmapped page (a guard). */
static char *edge_page(void)
{
	char *p = mmap(NULL, 2 * PSZ, RW, ANON, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p + PSZ, PSZ);
	memset(p, 0, PSZ);
	return p;
}

/* An address that was mapped and is not any more. */
static void *unmapped_addr(void)
{
	void *p = mmap(NULL, PSZ, RW, ANON, -1, 0);

	munmap(p, PSZ);
	return p;
}

static void op_init(struct vmashadow_op *op, unsigned int which)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->op = which;
	op->fd = -1;
}

/* Every ioctl command with its structure's size. */
static const struct {
	unsigned long cmd;
	unsigned int size;
	const char *name;
} cmds[] = {
	{ VMASHADOW_IOC_VERSION, sizeof(struct vmashadow_version), "VERSION" },
	{ VMASHADOW_IOC_GET_PARAMS, sizeof(struct vmashadow_params), "GET_PARAMS" },
	{ VMASHADOW_IOC_SET_PARAMS, sizeof(struct vmashadow_params), "SET_PARAMS" },
	{ VMASHADOW_IOC_MAP, sizeof(struct vmashadow_op), "MAP" },
	{ VMASHADOW_IOC_UNMAP, sizeof(struct vmashadow_op), "UNMAP" },
	{ VMASHADOW_IOC_PROTECT, sizeof(struct vmashadow_op), "PROTECT" },
	{ VMASHADOW_IOC_TOUCH, sizeof(struct vmashadow_op), "TOUCH" },
	{ VMASHADOW_IOC_REMAP, sizeof(struct vmashadow_op), "REMAP" },
	{ VMASHADOW_IOC_BRK, sizeof(struct vmashadow_op), "BRK" },
	{ VMASHADOW_IOC_MADVISE, sizeof(struct vmashadow_op), "MADVISE" },
	{ VMASHADOW_IOC_SEAL, sizeof(struct vmashadow_op), "SEAL" },
	{ VMASHADOW_IOC_MAP_VDSO, sizeof(struct vmashadow_op), "MAP_VDSO" },
	{ VMASHADOW_IOC_MLOCK, sizeof(struct vmashadow_op), "MLOCK" },
	{ VMASHADOW_IOC_MUNLOCK, sizeof(struct vmashadow_op), "MUNLOCK" },
	{ VMASHADOW_IOC_MLOCKALL, sizeof(struct vmashadow_op), "MLOCKALL" },
	{ VMASHADOW_IOC_MUNLOCKALL, sizeof(struct vmashadow_op), "MUNLOCKALL" },
	{ VMASHADOW_IOC_MBIND, sizeof(struct vmashadow_op), "MBIND" },
	{ VMASHADOW_IOC_HOME_NODE, sizeof(struct vmashadow_op), "HOME_NODE" },
	{ VMASHADOW_IOC_UFFD_API, sizeof(struct vmashadow_op), "UFFD_API" },
	{ VMASHADOW_IOC_UFFD_REGISTER, sizeof(struct vmashadow_op), "UFFD_REGISTER" },
	{ VMASHADOW_IOC_UFFD_UNREGISTER, sizeof(struct vmashadow_op), "UFFD_UNREGISTER" },
	{ VMASHADOW_IOC_UFFD_CLOSE, sizeof(struct vmashadow_op), "UFFD_CLOSE" },
	{ VMASHADOW_IOC_BATCH, sizeof(struct vmashadow_batch), "BATCH" },
	{ VMASHADOW_IOC_FORK, sizeof(struct vmashadow_fork), "FORK" },
	{ VMASHADOW_IOC_IMPORT, sizeof(struct vmashadow_import), "IMPORT" },
	{ VMASHADOW_IOC_FIND, sizeof(struct vmashadow_find), "FIND" },
	{ VMASHADOW_IOC_LIST, sizeof(struct vmashadow_list), "LIST" },
	{ VMASHADOW_IOC_STATS, sizeof(struct vmashadow_stats), "STATS" },
	{ VMASHADOW_IOC_VALIDATE, sizeof(struct vmashadow_validate), "VALIDATE" },
	{ VMASHADOW_IOC_EXPLAIN, sizeof(struct vmashadow_explain), "EXPLAIN" },
	{ VMASHADOW_IOC_GET_POLICY, sizeof(struct vmashadow_policy), "GET_POLICY" },
	{ VMASHADOW_IOC_GET_UFFD, sizeof(struct vmashadow_uffd), "GET_UFFD" },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const unsigned long op_cmds[] = {
	VMASHADOW_IOC_MAP, VMASHADOW_IOC_UNMAP, VMASHADOW_IOC_PROTECT,
	VMASHADOW_IOC_TOUCH, VMASHADOW_IOC_REMAP, VMASHADOW_IOC_BRK,
	VMASHADOW_IOC_MADVISE, VMASHADOW_IOC_SEAL, VMASHADOW_IOC_MAP_VDSO,
	VMASHADOW_IOC_MLOCK, VMASHADOW_IOC_MUNLOCK, VMASHADOW_IOC_MLOCKALL,
	VMASHADOW_IOC_MUNLOCKALL, VMASHADOW_IOC_MBIND, VMASHADOW_IOC_HOME_NODE,
	VMASHADOW_IOC_UFFD_API, VMASHADOW_IOC_UFFD_REGISTER,
	VMASHADOW_IOC_UFFD_UNREGISTER, VMASHADOW_IOC_UFFD_CLOSE,
};
static const unsigned int op_nums[] = {
	VMASHADOW_OP_MAP, VMASHADOW_OP_UNMAP, VMASHADOW_OP_PROTECT,
	VMASHADOW_OP_TOUCH, VMASHADOW_OP_REMAP, VMASHADOW_OP_BRK,
	VMASHADOW_OP_MADVISE, VMASHADOW_OP_SEAL, VMASHADOW_OP_MAP_VDSO,
	VMASHADOW_OP_MLOCK, VMASHADOW_OP_MUNLOCK, VMASHADOW_OP_MLOCKALL,
	VMASHADOW_OP_MUNLOCKALL, VMASHADOW_OP_MBIND, VMASHADOW_OP_HOME_NODE,
	VMASHADOW_OP_UFFD_API, VMASHADOW_OP_UFFD_REGISTER,
	VMASHADOW_OP_UFFD_UNREGISTER, VMASHADOW_OP_UFFD_CLOSE,
};
#define NOPS	19

/* A valid op for each command, that would change the shadow if applied. */
static void valid_op(struct vmashadow_op *op, unsigned int i)
{
	op_init(op, 0);
	switch (op_nums[i]) {
	case VMASHADOW_OP_MAP:
		op->addr = PG(20);
		op->len = PGS(1);
		op->prot = RW;
		op->flags = ANON | MAP_FIXED;
		break;
	case VMASHADOW_OP_UNMAP:
		op->addr = PG(0);
		op->len = PGS(1);
		break;
	case VMASHADOW_OP_PROTECT:
		op->addr = PG(0);
		op->len = PGS(1);
		op->prot = PROT_READ;
		break;
	case VMASHADOW_OP_TOUCH:
		op->addr = PG(2);
		break;
	case VMASHADOW_OP_REMAP:
		op->addr = PG(0);
		op->len = PGS(4);
		op->new_len = PGS(2);
		break;
	case VMASHADOW_OP_BRK:
		op->addr = 0;
		break;
	case VMASHADOW_OP_MADVISE:
		op->addr = PG(0);
		op->len = PGS(1);
		op->flags = MADV_DONTFORK;
		break;
	case VMASHADOW_OP_SEAL:
		op->addr = PG(8);
		op->len = PGS(2);
		break;
	case VMASHADOW_OP_MAP_VDSO:
		op->addr = PG(40);
		op->len = PGS(2);
		op->new_len = PGS(4);
		break;
	case VMASHADOW_OP_MLOCK:
		op->addr = PG(0);
		op->len = PGS(1);
		op->flags = MLOCK_ONFAULT;
		break;
	case VMASHADOW_OP_MUNLOCK:
		op->addr = PG(8);
		op->len = PGS(1);
		break;
	case VMASHADOW_OP_MLOCKALL:
		op->flags = MCL_CURRENT;
		break;
	case VMASHADOW_OP_MUNLOCKALL:
		break;
	case VMASHADOW_OP_MBIND:
		op->addr = PG(0);
		op->len = PGS(1);
		op->prot = MPOL_BIND;
		op->offset = 1;		/* node 0 */
		op->new_len = 65;	/* maxnode: nodes 0-63 */
		break;
	case VMASHADOW_OP_HOME_NODE:	/* no policy there: -ENOENT */
		op->addr = PG(0);
		op->len = PGS(1);
		op->offset = 0;		/* node 0 */
		break;
	case VMASHADOW_OP_UFFD_API:
	case VMASHADOW_OP_UFFD_CLOSE:
		op->offset = 1;		/* the context */
		break;
	case VMASHADOW_OP_UFFD_REGISTER:
		op->flags = 1;		/* UFFDIO_REGISTER_MODE_MISSING */
		/* fall through */
	case VMASHADOW_OP_UFFD_UNREGISTER:
		op->addr = PG(0);
		op->len = PGS(1);
		op->offset = 1;
		break;
	}
}

static bool is_uffd_op(unsigned int op)
{
	return op >= VMASHADOW_OP_UFFD_API && op <= VMASHADOW_OP_UFFD_CLOSE;
}

/* ---- sizes ------------------------------------------------------------------ */

/*
 * Too small: 0, 1, 4, one byte short, eight short.  The module refuses any
 * size below a structure's first version with -EINVAL.  Every structure is
 * at its first version but struct vmashadow_params, whose first version
 * (VMASHADOW_PARAMS_SIZE_VER0) is far shorter than today's, and struct
 * vmashadow_stats (VMASHADOW_STATS_SIZE_VER0, 8 short): any size from
 * there on is zero-extended and accepted, as openat2() accepts an older
 * one.
 */
TEST(size_too_small)
{
	static char buf[8192];
	unsigned int i, k;
	const unsigned int less[] = { 0, 1, 4, 8 };

	HOSTILE_SETUP();
	for (i = 0; i < NCMDS; i++) {
		for (k = 0; k < 5; k++) {
			__u32 sz = k < 4 ? less[k] : cmds[i].size - 1;

			if (k == 3)
				sz = cmds[i].size - 8;
			memset(buf, 0, sizeof(buf));
			*(__u32 *)buf = sz;
			if (cmds[i].cmd == VMASHADOW_IOC_SET_PARAMS ||
			    cmds[i].cmd == VMASHADOW_IOC_GET_PARAMS) {
				/* from the older version on: zero-extended */
				if (sz >= VMASHADOW_PARAMS_SIZE_VER0)
					continue;
			}
			if (cmds[i].cmd == VMASHADOW_IOC_STATS &&
			    sz >= VMASHADOW_STATS_SIZE_VER0)
				continue;
			HOSTILE(-EINVAL, cmds[i].cmd, buf);
		}
	}
}

/*
 * Too large: with a non-zero byte anywhere in the tail, -E2BIG; beyond a
 * page, -E2BIG whatever the tail; and a size that runs into unmapped memory
 * is -EFAULT (the tail cannot be read to be checked).
 */
TEST(size_too_large)
{
	static char buf[3 * 4096];
	unsigned int i, t;
	char *edge;

	HOSTILE_SETUP();
	edge = edge_page();
	ASSERT_NE(NULL, edge);
	for (i = 0; i < NCMDS; i++) {
		unsigned int sz = cmds[i].size;

		/* each tail byte in turn, up to 64 bytes past the struct */
		for (t = 0; t < 64; t += 7) {
			memset(buf, 0, sizeof(buf));
			*(__u32 *)buf = sz + 64;
			buf[sz + t] = 0x5a;
			HOSTILE(-E2BIG, cmds[i].cmd, buf);
		}
		/* the last byte of a page-sized structure */
		memset(buf, 0, sizeof(buf));
		*(__u32 *)buf = 4096;
		buf[4095] = 1;
		HOSTILE(-E2BIG, cmds[i].cmd, buf);
		/* larger than a page */
		memset(buf, 0, sizeof(buf));
		*(__u32 *)buf = 4097;
		HOSTILE(-E2BIG, cmds[i].cmd, buf);
		*(__u32 *)buf = 0xffffffffu;
		HOSTILE(-E2BIG, cmds[i].cmd, buf);
		*(__u32 *)buf = 0x80000000u;
		HOSTILE(-E2BIG, cmds[i].cmd, buf);
		/* a zero tail that runs off the end of mapped memory */
		{
			char *p = edge + PSZ - sz - 8;

			memset(edge, 0, PSZ);
			*(__u32 *)p = sz + 64;
			HOSTILE(-EFAULT, cmds[i].cmd, p);
		}
	}
}

/* ---- pointers ------------------------------------------------------------- */

TEST(bad_arg_pointers)
{
	void *bad[5];
	unsigned int i, k;
	char *edge;

	HOSTILE_SETUP();
	edge = edge_page();
	ASSERT_NE(NULL, edge);
	bad[0] = NULL;
	bad[1] = unmapped_addr();
	bad[2] = (void *)KPTR;
	bad[3] = (void *)KPTR_DIRECT;
	bad[4] = (void *)NONCANON;
	for (i = 0; i < NCMDS; i++) {
		for (k = 0; k < 5; k++)
			HOSTILE(-EFAULT, cmds[i].cmd, bad[k]);
		/* the size field itself straddles into the guard */
		HOSTILE(-EFAULT, cmds[i].cmd, edge + PSZ - 2);
		/* a right size, the structure runs into the guard */
		*(__u32 *)(edge + PSZ - 8) = cmds[i].size;
		HOSTILE(-EFAULT, cmds[i].cmd, edge + PSZ - 8);
	}
}

/* ---- unknown commands ------------------------------------------------------ */

/*
 * GET_PARAMS, SET_PARAMS and STATS under the number of an older (or newer)
 * ioctl.h: the same command whatever the size in the number, from the
 * first version's up (selftests/version.c older_command_numbers).
 */
static bool grown_command(unsigned long cmd)
{
	static const struct {
		unsigned long	cmd;
		unsigned int	size_ver0;
	} grown[] = {
		{ VMASHADOW_IOC_GET_PARAMS, VMASHADOW_PARAMS_SIZE_VER0 },
		{ VMASHADOW_IOC_SET_PARAMS, VMASHADOW_PARAMS_SIZE_VER0 },
		{ VMASHADOW_IOC_STATS, VMASHADOW_STATS_SIZE_VER0 },
	};
	const unsigned long size_bits = (unsigned long)_IOC_SIZEMASK <<
					_IOC_SIZESHIFT;
	unsigned int i;

	for (i = 0; i < sizeof(grown) / sizeof(grown[0]); i++)
		if ((cmd & ~size_bits) == (grown[i].cmd & ~size_bits) &&
		    _IOC_SIZE(cmd) >= grown[i].size_ver0)
			return true;
	return false;
}

TEST(unknown_commands)
{
	static char buf[8192];
	unsigned int nr, dir, k;
	const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
				      _IOC_READ | _IOC_WRITE };
	const unsigned int sizes[] = { 0, 8, sizeof(struct vmashadow_op),
				       sizeof(struct vmashadow_op) + 8, 0x3fff };
	unsigned long tried = 0;

	HOSTILE_SETUP();
	for (nr = 0; nr < 256; nr++) {
		for (dir = 0; dir < 4; dir++) {
			for (k = 0; k < 5; k++) {
				unsigned long cmd = _IOC(dirs[dir], VMASHADOW_IOC_MAGIC,
							 nr, sizes[k]);
				unsigned int i;
				bool known = false;

				for (i = 0; i < NCMDS; i++)
					known |= cmds[i].cmd == cmd;
				if (known || grown_command(cmd))
					continue;
				memset(buf, 0, sizeof(buf));
				*(__u32 *)buf = sizes[k];
				ASSERT_EQ(-ENOTTY, vms_ioctl(vms_fd, cmd, buf))
					TH_LOG("cmd %#lx", cmd);
				tried++;
			}
		}
	}
	/* Other magics, and the terminal ioctls busybox would try. */
	ASSERT_EQ(-ENOTTY, vms_ioctl(vms_fd, TCGETS, buf));
	ASSERT_EQ(-ENOTTY, vms_ioctl(vms_fd, _IOWR('x', 0x10, struct vmashadow_op), buf));
	/* FIONREAD etc. are the VFS's, not ours: whatever they say, no change. */
	VMS_UNCHANGED(vms_fd, &before, "unknown commands");
	TH_LOG("%lu unknown command numbers refused", tried);
}

/* ---- operations: flags and fields ------------------------------------------ */

TEST(op_unknown_flags_and_fields)
{
	struct vmashadow_op op;
	unsigned int i, bit;

	HOSTILE_SETUP();
	for (i = 0; i < NOPS; i++) {
		/* every op_flags bit the interface does not define */
		for (bit = 4; bit < 32; bit++) {
			if (op_nums[i] == VMASHADOW_OP_MAP_VDSO &&
			    1u << bit == VMASHADOW_OPF_EXEC)
				continue;
			if (op_nums[i] == VMASHADOW_OP_MBIND &&
			    1u << bit == VMASHADOW_OPF_NODEMASK)
				continue;
			valid_op(&op, i);
			op.op_flags = 1u << bit;
			HOSTILE(-EINVAL, op_cmds[i], &op);
		}
		/* MAP-only op_flags on the other operations */
		if (op_nums[i] != VMASHADOW_OP_MAP) {
			for (bit = 0; bit < 3; bit++) {
				valid_op(&op, i);
				op.op_flags = 1u << bit;
				HOSTILE(-EINVAL, op_cmds[i], &op);
			}
		}
		/* ->op naming another operation, or an unknown one */
		for (bit = 1; bit <= 0x100; bit <<= 1) {
			valid_op(&op, i);
			op.op = bit == 0x100 ? 0xffffffffu : bit;
			if (op.op == op_nums[i])
				continue;
			HOSTILE(-EINVAL, op_cmds[i], &op);
		}
		/*
		 * new_addr: REMAP's alone; new_len: REMAP's, MAP_VDSO's and
		 * MBIND's (maxnode)
		 */
		if (op_nums[i] != VMASHADOW_OP_REMAP) {
			valid_op(&op, i);
			op.new_addr = PG(30);
			HOSTILE(-EINVAL, op_cmds[i], &op);
		}
		if (op_nums[i] != VMASHADOW_OP_REMAP &&
		    op_nums[i] != VMASHADOW_OP_MAP_VDSO &&
		    op_nums[i] != VMASHADOW_OP_MBIND) {
			valid_op(&op, i);
			op.new_len = PGS(1);
			HOSTILE(-EINVAL, op_cmds[i], &op);
		}
		/*
		 * offset: MAP's, MBIND's node mask, HOME_NODE's node, the
		 * userfaultfd context, and MAP_VDSO's at exec
		 */
		if (op_nums[i] != VMASHADOW_OP_MAP &&
		    op_nums[i] != VMASHADOW_OP_MBIND &&
		    op_nums[i] != VMASHADOW_OP_HOME_NODE &&
		    !is_uffd_op(op_nums[i])) {
			valid_op(&op, i);
			op.offset = PSZ;
			HOSTILE(-EINVAL, op_cmds[i], &op);
		}
		/* prot: MAP and PROTECT (and MBIND's mode) */
		if (op_nums[i] != VMASHADOW_OP_MAP &&
		    op_nums[i] != VMASHADOW_OP_PROTECT &&
		    op_nums[i] != VMASHADOW_OP_MBIND) {
			valid_op(&op, i);
			op.prot = PROT_READ;
			HOSTILE(-EINVAL, op_cmds[i], &op);
		}
		/*
		 * flags: none for PROTECT, UNMAP, TOUCH, BRK, MUNLOCK(ALL),
		 * HOME_NODE, UFFD_UNREGISTER and UFFD_CLOSE
		 */
		if (op_nums[i] == VMASHADOW_OP_UFFD_UNREGISTER ||
		    op_nums[i] == VMASHADOW_OP_UFFD_CLOSE ||
		    op_nums[i] == VMASHADOW_OP_PROTECT ||
		    op_nums[i] == VMASHADOW_OP_UNMAP ||
		    op_nums[i] == VMASHADOW_OP_TOUCH ||
		    op_nums[i] == VMASHADOW_OP_BRK ||
		    op_nums[i] == VMASHADOW_OP_MUNLOCK ||
		    op_nums[i] == VMASHADOW_OP_MUNLOCKALL ||
		    op_nums[i] == VMASHADOW_OP_HOME_NODE) {
			valid_op(&op, i);
			op.flags = 1;
			HOSTILE(-EINVAL, op_cmds[i], &op);
		}
		/* len: not for TOUCH, BRK, MLOCKALL, MUNLOCKALL, UFFD_API, _CLOSE */
		if (op_nums[i] == VMASHADOW_OP_UFFD_API ||
		    op_nums[i] == VMASHADOW_OP_UFFD_CLOSE ||
		    op_nums[i] == VMASHADOW_OP_TOUCH ||
		    op_nums[i] == VMASHADOW_OP_BRK ||
		    op_nums[i] == VMASHADOW_OP_MLOCKALL ||
		    op_nums[i] == VMASHADOW_OP_MUNLOCKALL) {
			valid_op(&op, i);
			op.len = PSZ;
			HOSTILE(-EINVAL, op_cmds[i], &op);
		}
		/* addr: not for MLOCKALL, MUNLOCKALL, UFFD_API, UFFD_CLOSE */
		if (op_nums[i] == VMASHADOW_OP_UFFD_API ||
		    op_nums[i] == VMASHADOW_OP_UFFD_CLOSE ||
		    op_nums[i] == VMASHADOW_OP_MLOCKALL ||
		    op_nums[i] == VMASHADOW_OP_MUNLOCKALL) {
			valid_op(&op, i);
			op.addr = PG(0);
			HOSTILE(-EINVAL, op_cmds[i], &op);
		}
	}
	/* VDSO and VVAR at once */
	valid_op(&op, 0);
	op.op_flags = VMASHADOW_OPF_VDSO | VMASHADOW_OPF_VVAR;
	HOSTILE(-EINVAL, VMASHADOW_IOC_MAP, &op);
	/* The valid ops themselves still work after all that (sanity). */
	valid_op(&op, 0);
	op.op_flags = VMASHADOW_OPF_DRY_RUN;
	HOSTILE(0, VMASHADOW_IOC_MAP, &op);
}

/* Unknown bits of each system call's own flags: the call's errno. */
TEST(syscall_unknown_flags)
{
	struct vmashadow_op op;
	unsigned int bit;

	HOSTILE_SETUP();
	/* mprotect: PROT_ bits beyond READ|WRITE|EXEC|SEM|GROWSDOWN|GROWSUP */
	for (bit = 4; bit < 32; bit++) {
		unsigned int prot = 1u << bit;

		if (prot == PROT_GROWSDOWN || prot == PROT_GROWSUP)
			continue;
		valid_op(&op, 2);
		op.prot = prot;
		HOSTILE(-EINVAL, VMASHADOW_IOC_PROTECT, &op);
		EXPECT_EQ(-EINVAL, mprotect((void *)PG(0), PSZ, prot) ? -errno : 0);
	}
	/* mremap: flags beyond MAYMOVE|FIXED|DONTUNMAP */
	for (bit = 3; bit < 32; bit++) {
		valid_op(&op, 4);
		op.flags = 1u << bit;
		HOSTILE(-EINVAL, VMASHADOW_IOC_REMAP, &op);
	}
	/* mremap: FIXED without MAYMOVE; DONTUNMAP without MAYMOVE */
	valid_op(&op, 4);
	op.flags = MREMAP_FIXED;
	op.new_addr = PG(40);
	HOSTILE(-EINVAL, VMASHADOW_IOC_REMAP, &op);
	valid_op(&op, 4);
	op.flags = MREMAP_DONTUNMAP;
	HOSTILE(-EINVAL, VMASHADOW_IOC_REMAP, &op);
	/* madvise: advice values that do not exist */
	{
		const unsigned int advice[] = { 5, 6, 7, 200, 0x7fffffff,
						0xffffffffu };
		unsigned int k;

		for (k = 0; k < sizeof(advice) / sizeof(advice[0]); k++) {
			valid_op(&op, 6);
			op.flags = advice[k];
			HOSTILE(-EINVAL, VMASHADOW_IOC_MADVISE, &op);
			EXPECT_EQ(-EINVAL, madvise((void *)PG(0), PSZ, advice[k]) ? -errno : 0);
		}
	}
	/* mlock2: flags beyond MLOCK_ONFAULT; mlockall: beyond MCL_* */
	for (bit = 1; bit < 32; bit++) {
		valid_op(&op, 9);
		op.flags = 1u << bit;
		HOSTILE(-EINVAL, VMASHADOW_IOC_MLOCK, &op);
		EXPECT_EQ(-EINVAL, syscall(SYS_mlock2, PG(0), PSZ, 1u << bit) ?
			  -errno : 0);
	}
	for (bit = 3; bit < 32; bit++) {
		valid_op(&op, 11);
		op.flags = MCL_CURRENT | 1u << bit;
		HOSTILE(-EINVAL, VMASHADOW_IOC_MLOCKALL, &op);
	}
	/* mlockall: no flags, or MCL_ONFAULT alone */
	valid_op(&op, 11);
	op.flags = 0;
	HOSTILE(-EINVAL, VMASHADOW_IOC_MLOCKALL, &op);
	EXPECT_EQ(-EINVAL, mlockall(0) ? -errno : 0);
	op.flags = MCL_ONFAULT;
	HOSTILE(-EINVAL, VMASHADOW_IOC_MLOCKALL, &op);
	EXPECT_EQ(-EINVAL, mlockall(MCL_ONFAULT) ? -errno : 0);
	/* mseal: any flag is -EINVAL under 6.12 rules; 6.1 has no mseal: -ENOSYS */
	for (bit = 0; bit < 32; bit++) {
		struct vmashadow_params p;

		ASSERT_EQ(0, vms_get_params(vms_fd, &p));
		valid_op(&op, 7);
		op.flags = 1u << bit;
		HOSTILE(p.rules == VMASHADOW_RULES_6_12 ? -EINVAL : -ENOSYS,
			VMASHADOW_IOC_SEAL, &op);
	}
	/* mmap: neither PRIVATE nor SHARED; both; an unknown type */
	{
		const unsigned int bad[] = { MAP_ANONYMOUS | MAP_FIXED,
			MAP_ANONYMOUS | MAP_FIXED | 0x0f };
		unsigned int k;

		for (k = 0; k < 2; k++) {
			valid_op(&op, 0);
			op.flags = bad[k];
			HOSTILE(-EINVAL, VMASHADOW_IOC_MAP, &op);
			EXPECT_EQ(-EINVAL, vms_real_map_raw(PG(20), PSZ, RW, bad[k],
							    -1, 0, NULL));
		}
	}
}

/* ---- ranges ------------------------------------------------------------------ */

/*
 * The address-space calls with ranges that are unaligned, empty, wrapping
 * or above TASK_SIZE.  Each is also made for real where that is harmless
 * (it fails, or touches only the window), and the errnos must agree.
 */
struct range_case {
	unsigned int op;
	unsigned long addr, len, new_len, new_addr;
	unsigned int flags;
	long expect;
	bool real;	/* safe to make for real */
};

static long real_call(const struct range_case *c)
{
	long r;

	switch (c->op) {
	case VMASHADOW_OP_MAP:
		return vms_real_map_raw(c->addr, c->len, RW, c->flags, -1, 0, NULL);
	case VMASHADOW_OP_UNMAP:
		r = syscall(SYS_munmap, c->addr, c->len);
		break;
	case VMASHADOW_OP_PROTECT:
		r = syscall(SYS_mprotect, c->addr, c->len, PROT_READ);
		break;
	case VMASHADOW_OP_MADVISE:
		r = syscall(SYS_madvise, c->addr, c->len, c->flags);
		break;
	case VMASHADOW_OP_REMAP:
		r = syscall(SYS_mremap, c->addr, c->len, c->new_len, c->flags,
			    c->new_addr);
		break;
	case VMASHADOW_OP_MLOCK:
		r = syscall(SYS_mlock2, c->addr, c->len, c->flags);
		break;
	case VMASHADOW_OP_MUNLOCK:
		r = syscall(SYS_munlock, c->addr, c->len);
		break;
	default:
		return -ENOSYS;
	}
	return r == -1 ? -errno : 0;
}

TEST(bad_ranges)
{
	const unsigned long W = PG(0), HUGE = ~0UL & ~(PSZ - 1);
	const struct range_case cases[] = {
		/*
		 * mlock2, munlock: the start is rounded down and the length
		 * up, which may wrap to nothing (0) or to a range that ends
		 * below its start (-EINVAL); nothing mapped at the start is
		 * -ENOMEM
		 */
		{ VMASHADOW_OP_MLOCK, W, ~0UL, 0, 0, 0, 0, true },
		{ VMASHADOW_OP_MLOCK, W + 1, ~0UL, 0, 0, 0, 0, true },
		{ VMASHADOW_OP_MLOCK, W, HUGE - PSZ, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_MLOCK, W, PSZ, 0, 0, 2, -EINVAL, true },
		{ VMASHADOW_OP_MLOCK, TASK_SZ, PSZ, 0, 0, 0, -ENOMEM, true },
		{ VMASHADOW_OP_MLOCK, KPTR, PSZ, 0, 0, 0, -ENOMEM, true },
		{ VMASHADOW_OP_MLOCK, W + PGS(5), PSZ, 0, 0, 0, -ENOMEM, true },
		{ VMASHADOW_OP_MUNLOCK, W + 1, ~0UL, 0, 0, 0, 0, true },
		{ VMASHADOW_OP_MUNLOCK, W, HUGE - PSZ, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_MUNLOCK, KPTR, PSZ, 0, 0, 0, -ENOMEM, true },
		{ VMASHADOW_OP_MUNLOCK, W + PGS(5), PSZ, 0, 0, 0, -ENOMEM, true },
		/* munmap */
		{ VMASHADOW_OP_UNMAP, W + 1, PSZ, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_UNMAP, W, 0, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_UNMAP, W, HUGE, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_UNMAP, W, ~0UL, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_UNMAP, W, TASK_SZ, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_UNMAP, TASK_SZ, PSZ, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_UNMAP, KPTR, PSZ, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_UNMAP, ~0UL - PSZ + 1, PSZ, 0, 0, 0, -EINVAL, true },
		/* mmap MAP_FIXED */
		{ VMASHADOW_OP_MAP, W + 1, PSZ, 0, 0, ANON | MAP_FIXED, -EINVAL, true },
		{ VMASHADOW_OP_MAP, W, 0, 0, 0, ANON | MAP_FIXED, -EINVAL, true },
		{ VMASHADOW_OP_MAP, W, HUGE, 0, 0, ANON | MAP_FIXED, -ENOMEM, true },
		{ VMASHADOW_OP_MAP, W, ~0UL, 0, 0, ANON | MAP_FIXED, -ENOMEM, true },
		{ VMASHADOW_OP_MAP, TASK_SZ, PSZ, 0, 0, ANON | MAP_FIXED, -ENOMEM, true },
		{ VMASHADOW_OP_MAP, TASK_SZ - PSZ, 2 * PSZ, 0, 0, ANON | MAP_FIXED, -ENOMEM, true },
		{ VMASHADOW_OP_MAP, KPTR, PSZ, 0, 0, ANON | MAP_FIXED, -ENOMEM, true },
		{ VMASHADOW_OP_MAP, W, TASK_SZ, 0, 0, ANON | MAP_FIXED, -ENOMEM, true },
		{ VMASHADOW_OP_MAP, W, HUGE, 0, 0, ANON | MAP_FIXED_NOREPLACE, -ENOMEM, true },
		/* mmap without MAP_FIXED, impossible lengths */
		{ VMASHADOW_OP_MAP, 0, HUGE, 0, 0, ANON, -ENOMEM, true },
		{ VMASHADOW_OP_MAP, 0, TASK_SZ, 0, 0, ANON, -ENOMEM, true },
		/* mprotect */
		{ VMASHADOW_OP_PROTECT, W + 1, PSZ, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_PROTECT, W, HUGE, 0, 0, 0, -ENOMEM, true },
		{ VMASHADOW_OP_PROTECT, W, ~0UL, 0, 0, 0, -ENOMEM, true },
		{ VMASHADOW_OP_PROTECT, TASK_SZ, PSZ, 0, 0, 0, -ENOMEM, true },
		{ VMASHADOW_OP_PROTECT, KPTR, PSZ, 0, 0, 0, -ENOMEM, true },
		{ VMASHADOW_OP_PROTECT, ~0UL - PSZ + 1, PSZ, 0, 0, 0, -ENOMEM, true },
		/* madvise */
		{ VMASHADOW_OP_MADVISE, W + 1, PSZ, 0, 0, MADV_DONTFORK, -EINVAL, true },
		{ VMASHADOW_OP_MADVISE, W, HUGE, 0, 0, MADV_DONTFORK, -EINVAL, true },
		{ VMASHADOW_OP_MADVISE, W, ~0UL, 0, 0, MADV_DONTFORK, -EINVAL, true },
		{ VMASHADOW_OP_MADVISE, TASK_SZ, PSZ, 0, 0, MADV_DONTFORK, -ENOMEM, true },
		{ VMASHADOW_OP_MADVISE, KPTR, PSZ, 0, 0, MADV_DONTFORK, -ENOMEM, true },
		/* mremap */
		{ VMASHADOW_OP_REMAP, W + 1, PSZ, PSZ, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_REMAP, W, PSZ, 0, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_REMAP, W, PSZ, HUGE, 0, 0, -ENOMEM, true },
		/* shrinking by more than TASK_SIZE: munmap's -EINVAL */
		{ VMASHADOW_OP_REMAP, W, HUGE, PSZ, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_REMAP, W, TASK_SZ, PSZ, 0, 0, -EINVAL, true },
		/* an old length that page-aligns to 0 on private memory */
		{ VMASHADOW_OP_REMAP, W, ~0UL, PSZ, 0, 0, -EINVAL, true },
		{ VMASHADOW_OP_REMAP, W, PSZ, 2 * PSZ, W + 1,
		  MREMAP_MAYMOVE | MREMAP_FIXED, -EINVAL, true },
		{ VMASHADOW_OP_REMAP, W, PSZ, PSZ, TASK_SZ,
		  MREMAP_MAYMOVE | MREMAP_FIXED, -EINVAL, true },
		{ VMASHADOW_OP_REMAP, W, PSZ, PSZ, KPTR,
		  MREMAP_MAYMOVE | MREMAP_FIXED, -EINVAL, true },
		{ VMASHADOW_OP_REMAP, W, 2 * PSZ, 2 * PSZ, W + PSZ,
		  MREMAP_MAYMOVE | MREMAP_FIXED, -EINVAL, true },
		{ VMASHADOW_OP_REMAP, TASK_SZ, PSZ, PSZ, 0, 0, -EFAULT, true },
		{ VMASHADOW_OP_REMAP, KPTR, PSZ, PSZ, 0, 0, -EFAULT, true },
		/* 64 TB that fit the address space but not the commit limit
		 * (security_vm_enough_memory: last, it may change the shadow) */
		{ VMASHADOW_OP_MAP, 0, 1UL << 46, 0, 0, ANON, -ENOMEM, true },
	};
	unsigned int i;

	HOSTILE_SETUP();
	/* the real window holds what the shadow holds (anonymous parts) */
	ASSERT_EQ(0, vms_real_map(PG(0), PGS(4), RW, ANON | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_map(PG(8), PGS(2), PROT_READ, ANON | MAP_FIXED, -1, 0, NULL));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct range_case *c = &cases[i];
		struct vmashadow_op op;
		unsigned long cmd = op_cmds[c->op - 1];
		long ret;

		op_init(&op, c->op);
		op.addr = c->addr;
		op.len = c->len;
		op.flags = c->flags;
		if (c->op == VMASHADOW_OP_MAP || c->op == VMASHADOW_OP_PROTECT)
			op.prot = c->op == VMASHADOW_OP_MAP ? RW : PROT_READ;
		op.new_len = c->new_len;
		op.new_addr = c->new_addr;
		ret = vms_ioctl(vms_fd, cmd, &op);
		EXPECT_EQ(c->expect, ret)
			TH_LOG("case %u: op %u addr %#lx len %#lx new_len %#lx new_addr %#lx flags %#x: %ld",
			       i, c->op, c->addr, c->len, c->new_len, c->new_addr,
			       c->flags, ret);
		if (c->real) {
			long r = real_call(c);

			EXPECT_EQ(r, ret)
				TH_LOG("case %u: real %ld, shadow %ld", i, r, ret);
		}
		VMS_UNCHANGED(vms_fd, &before, "range case");
	}
	/* Empty ranges succeed and change nothing, as the calls do. */
	{
		struct vmashadow_op op;

		op_init(&op, VMASHADOW_OP_PROTECT);
		op.addr = PG(0);
		HOSTILE(0, VMASHADOW_IOC_PROTECT, &op);
		op_init(&op, VMASHADOW_OP_MADVISE);
		op.addr = PG(0);
		op.flags = MADV_DONTFORK;
		HOSTILE(0, VMASHADOW_IOC_MADVISE, &op);
		/* TOUCH above TASK_SIZE, in a hole, or unaligned in a hole */
		op_init(&op, VMASHADOW_OP_TOUCH);
		op.addr = TASK_SZ;
		HOSTILE(-EFAULT, VMASHADOW_IOC_TOUCH, &op);
		op.addr = KPTR;
		HOSTILE(-EFAULT, VMASHADOW_IOC_TOUCH, &op);
		op.addr = PG(5) + 17;
		HOSTILE(-EFAULT, VMASHADOW_IOC_TOUCH, &op);
		op.addr = ~0UL;
		HOSTILE(-EFAULT, VMASHADOW_IOC_TOUCH, &op);
	}
	/* A bad file descriptor for a file MAP; offsets that wrap. */
	{
		struct vmashadow_op op;

		valid_op(&op, 0);
		op.flags = MAP_PRIVATE | MAP_FIXED;
		op.fd = -1;
		HOSTILE(-EBADF, VMASHADOW_IOC_MAP, &op);
		op.fd = 999;
		HOSTILE(-EBADF, VMASHADOW_IOC_MAP, &op);
		op.fd = 0x7fffffff;
		HOSTILE(-EBADF, VMASHADOW_IOC_MAP, &op);
		op.fd = vms_fd;	/* the shadow itself: no ->mmap */
		HOSTILE(-ENODEV, VMASHADOW_IOC_MAP, &op);
		op.fd = -1;
		op.flags = ANON | MAP_FIXED;
		op.offset = 123;
		HOSTILE(-EINVAL, VMASHADOW_IOC_MAP, &op);
	}
}

/*
 * brk to absurd addresses: the old break comes back, nothing changes.  (A
 * fresh shadow has start_brk 0, where brk(1) rightly maps page 0 for a
 * caller with CAP_SYS_RAWIO: the heap is put where a process has it.)
 */
TEST(bad_brk)
{
	const unsigned long addrs[] = { TASK_SZ, KPTR, ~0UL, NONCANON, 1,
					PG(599), TASK_SZ - PSZ };
	struct vmashadow_params p;
	struct vmashadow_op op;
	unsigned long old;
	unsigned int i;

	VMS_SETUP();
	memset(&p, 0, sizeof(p));
	p.start_brk = p.brk = PG(600);
	ASSERT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_BRK));
	ASSERT_EQ(0, vms_snap_take(vms_fd, &before));
	valid_op(&op, 5);
	ASSERT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_BRK, &op));
	old = op.result;
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		valid_op(&op, 5);
		op.addr = addrs[i];
		HOSTILE(0, VMASHADOW_IOC_BRK, &op);
		EXPECT_EQ(old, op.result);
	}
}

/* ---- the other commands' fields ---------------------------------------------- */

TEST(params_bad_values)
{
	struct vmashadow_params p;
	unsigned int bit;
	long max_regions = vms_read_long("/sys/module/vmashadow/parameters/max_regions");

	HOSTILE_SETUP();
	ASSERT_LT(0, max_regions);
#define SETP(expect, field, val, which) do {				\
	memset(&p, 0, sizeof(p));					\
	p.size = sizeof(p);						\
	p.set = which;							\
	p.field = val;							\
	HOSTILE(expect, VMASHADOW_IOC_SET_PARAMS, &p);			\
} while (0)
	SETP(-EINVAL, rules, 0, VMASHADOW_PARAM_RULES);
	SETP(-EINVAL, rules, 3, VMASHADOW_PARAM_RULES);
	SETP(-EINVAL, rules, 0xffffffffu, VMASHADOW_PARAM_RULES);
	SETP(-EINVAL, max_map_count, 0, VMASHADOW_PARAM_MAX_MAP_COUNT);
	SETP(-EINVAL, max_map_count, max_regions + 1, VMASHADOW_PARAM_MAX_MAP_COUNT);
	SETP(-EINVAL, max_map_count, 0xffffffffu, VMASHADOW_PARAM_MAX_MAP_COUNT);
	SETP(-EINVAL, start_stack, TASK_SZ + 1, VMASHADOW_PARAM_START_STACK);
	SETP(-EINVAL, start_stack, KPTR, VMASHADOW_PARAM_START_STACK);
	SETP(-EINVAL, arg_start, TASK_SZ + 1, VMASHADOW_PARAM_ARG_START);
	SETP(-EINVAL, arg_start, KPTR, VMASHADOW_PARAM_ARG_START);
	SETP(-EINVAL, mmap_base, PG(0) + 1, VMASHADOW_PARAM_MMAP_BASE);
	SETP(-EINVAL, mmap_base, TASK_SZ + PSZ, VMASHADOW_PARAM_MMAP_BASE);
	SETP(-EINVAL, mmap_base, KPTR, VMASHADOW_PARAM_MMAP_BASE);
	SETP(-EINVAL, mmap_min_addr, TASK_SZ + 1, VMASHADOW_PARAM_MMAP_MIN_ADDR);
	SETP(-EINVAL, mmap_min_addr, ~0UL, VMASHADOW_PARAM_MMAP_MIN_ADDR);
	SETP(-EINVAL, overcommit_memory, 3, VMASHADOW_PARAM_OVERCOMMIT);
	SETP(-EINVAL, overcommit_memory, 0xffffffffu, VMASHADOW_PARAM_OVERCOMMIT);
	SETP(-EINVAL, brk, TASK_SZ + 1, VMASHADOW_PARAM_BRK);
	/* start_brk above brk */
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.set = VMASHADOW_PARAM_BRK;
	p.start_brk = PG(10);
	p.brk = PG(9);
	HOSTILE(-EINVAL, VMASHADOW_IOC_SET_PARAMS, &p);
	/* nothing to set; unknown set bits; reserved */
	SETP(-EINVAL, rules, VMASHADOW_RULES_6_1, 0);
	for (bit = 0; bit < 32; bit++)
		if (!(VMASHADOW_PARAM_ALL & (1u << bit)))
			SETP(-EINVAL, rules, VMASHADOW_RULES_6_1,
			     VMASHADOW_PARAM_RULES | (1u << bit));
	SETP(-EINVAL, __reserved, 1, VMASHADOW_PARAM_RULES);
	/* one bad field among good ones: all refused, nothing applied */
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.set = VMASHADOW_PARAM_ALL;
	p.rules = VMASHADOW_RULES_6_12;
	p.max_map_count = 10;
	p.start_brk = p.brk = PG(100);
	p.start_stack = PG(200);
	p.mmap_base = PG(300);
	p.mmap_min_addr = 0x10000;
	p.overcommit_memory = 3;
	HOSTILE(-EINVAL, VMASHADOW_IOC_SET_PARAMS, &p);
	/* GET with SET's fields or reserved set */
	SETP(-EINVAL, rules, 0, VMASHADOW_PARAM_RULES);
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.set = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_GET_PARAMS, &p);
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.__reserved = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_GET_PARAMS, &p);
#undef SETP
}

TEST(out_fields_set_on_entry)
{
	struct vmashadow_version v;
	struct vmashadow_stats st;
	struct vmashadow_validate va;
	struct vmashadow_explain e;
	struct vmashadow_policy po;
	struct vmashadow_uffd uf;
	struct vmashadow_op op;
	struct vmashadow_fork f;
	struct vmashadow_import im;
	struct vmashadow_find fi;
	unsigned int i;

	HOSTILE_SETUP();
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.module[31] = 'x';
	HOSTILE(-EINVAL, VMASHADOW_IOC_VERSION, &v);
	v.module[31] = 0;
	v.rules = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_VERSION, &v);
	/* every 8-byte field of STATS but size */
	for (i = 8; i < sizeof(st); i += 8) {
		memset(&st, 0, sizeof(st));
		st.size = sizeof(st);
		((char *)&st)[i] = 1;
		HOSTILE(-EINVAL, VMASHADOW_IOC_STATS, &st);
	}
	memset(&va, 0, sizeof(va));
	va.size = sizeof(va);
	va.violation = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_VALIDATE, &va);
	memset(&va, 0, sizeof(va));
	va.size = sizeof(va);
	va.addr = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_VALIDATE, &va);
	/* EXPLAIN: each byte after mode and addr */
	for (i = offsetof(struct vmashadow_explain, end); i < sizeof(e); i++) {
		memset(&e, 0, sizeof(e));
		e.size = sizeof(e);
		((char *)&e)[i] = 1;
		HOSTILE(-EINVAL, VMASHADOW_IOC_EXPLAIN, &e);
	}
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.mode = 2;
	HOSTILE(-EINVAL, VMASHADOW_IOC_EXPLAIN, &e);
	e.mode = VMASHADOW_EXPLAIN_LAST;
	e.addr = PG(0);
	HOSTILE(-EINVAL, VMASHADOW_IOC_EXPLAIN, &e);
	/* GET_POLICY: each byte but size and addr; a hole */
	for (i = sizeof(po.size); i < sizeof(po); i++) {
		if (i >= offsetof(struct vmashadow_policy, addr) &&
		    i < offsetof(struct vmashadow_policy, mode))
			continue;
		memset(&po, 0, sizeof(po));
		po.size = sizeof(po);
		po.addr = PG(0);
		((char *)&po)[i] = 1;
		HOSTILE(-EINVAL, VMASHADOW_IOC_GET_POLICY, &po);
	}
	memset(&po, 0, sizeof(po));
	po.size = sizeof(po);
	po.addr = PG(4);
	HOSTILE(-EFAULT, VMASHADOW_IOC_GET_POLICY, &po);
	po.addr = PG(0);
	HOSTILE(0, VMASHADOW_IOC_GET_POLICY, &po);
	EXPECT_EQ(0, po.mode);
	EXPECT_EQ(-1, po.home_node);
	/* GET_UFFD: each byte but size and ctx; numbers out of range */
	/* a context of its own changes no region: before still holds */
	ASSERT_EQ(0, vms_op(vms_fd, VMASHADOW_IOC_UFFD_API,
			    vms_op_init(&op, 0, 0, 1, 0, 0)));
	for (i = offsetof(struct vmashadow_uffd, features); i < sizeof(uf); i++) {
		memset(&uf, 0, sizeof(uf));
		uf.size = sizeof(uf);
		uf.ctx = 1;
		((char *)&uf)[i] = 1;
		HOSTILE(-EINVAL, VMASHADOW_IOC_GET_UFFD, &uf);
	}
	memset(&uf, 0, sizeof(uf));
	uf.size = sizeof(uf);
	HOSTILE(-EINVAL, VMASHADOW_IOC_GET_UFFD, &uf);
	uf.ctx = VMASHADOW_UFFD_MAX + 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_GET_UFFD, &uf);
	uf.ctx = 2;
	HOSTILE(-EBADF, VMASHADOW_IOC_GET_UFFD, &uf);
	uf.ctx = 1;
	HOSTILE(0, VMASHADOW_IOC_GET_UFFD, &uf);
	EXPECT_EQ(0, uf.features);
	/* FORK */
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.flags = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_FORK, &f);
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.fd = 3;
	HOSTILE(-EINVAL, VMASHADOW_IOC_FORK, &f);
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.__reserved = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_FORK, &f);
	/* IMPORT */
	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.regions = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_IMPORT, &im);
	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.start = PG(10);
	im.end = PG(10);
	HOSTILE(-EINVAL, VMASHADOW_IOC_IMPORT, &im);
	im.end = PG(9);
	HOSTILE(-EINVAL, VMASHADOW_IOC_IMPORT, &im);
	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.pid = -1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_IMPORT, &im);
	im.pid = -0x7fffffff - 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_IMPORT, &im);
	im.pid = 0x3fffffff;
	HOSTILE(-ESRCH, VMASHADOW_IOC_IMPORT, &im);
	im.pid = 0x7fffffff;
	HOSTILE(-ESRCH, VMASHADOW_IOC_IMPORT, &im);
	/* FIND */
	memset(&fi, 0, sizeof(fi));
	fi.size = sizeof(fi);
	fi.found = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_FIND, &fi);
	for (i = 5; i < 40; i += 7) {
		memset(&fi, 0, sizeof(fi));
		fi.size = sizeof(fi);
		fi.mode = i;
		HOSTILE(-EINVAL, VMASHADOW_IOC_FIND, &fi);
	}
	memset(&fi, 0, sizeof(fi));
	fi.size = sizeof(fi);
	fi.mode = VMASHADOW_FIND_VMA;
	fi.end = PG(1);
	HOSTILE(-EINVAL, VMASHADOW_IOC_FIND, &fi);
	memset(&fi, 0, sizeof(fi));
	fi.size = sizeof(fi);
	fi.name_size = 4097 + 4096;
	fi.name_addr = (unsigned long)&v;
	HOSTILE(-EINVAL, VMASHADOW_IOC_FIND, &fi);
	fi.name_size = 0xffffffffu;
	HOSTILE(-EINVAL, VMASHADOW_IOC_FIND, &fi);
	fi.name_size = 16;
	fi.name_addr = 0;
	HOSTILE(-EINVAL, VMASHADOW_IOC_FIND, &fi);
	fi.name_size = 0;
	fi.name_addr = (unsigned long)&v;
	HOSTILE(-EINVAL, VMASHADOW_IOC_FIND, &fi);
}

/* Pointers inside the structures: name buffers, LIST arrays, batch arrays. */
TEST(inner_pointers)
{
	const unsigned long bad[] = { 0, (unsigned long)unmapped_addr(), KPTR,
				      KPTR_DIRECT, NONCANON, ~0UL - 15 };
	struct vmashadow_find fi;
	struct vmashadow_list l;
	unsigned int k;
	char *edge;

	HOSTILE_SETUP();
	edge = edge_page();
	ASSERT_NE(NULL, edge);
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		/* FIND's name buffer */
		memset(&fi, 0, sizeof(fi));
		fi.size = sizeof(fi);
		fi.mode = VMASHADOW_FIND_LOOKUP;
		fi.addr = PG(12);
		fi.name_addr = bad[k];
		fi.name_size = 64;
		if (bad[k])
			HOSTILE(-EFAULT, VMASHADOW_IOC_FIND, &fi);
		else
			HOSTILE(-EINVAL, VMASHADOW_IOC_FIND, &fi);
		/* LIST's array */
		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.region_size = sizeof(struct vmashadow_region);
		l.regions = bad[k];
		l.count = 4;
		HOSTILE(-EFAULT, VMASHADOW_IOC_LIST, &l);
	}
	/* a name buffer that runs into the guard page */
	memset(&fi, 0, sizeof(fi));
	fi.size = sizeof(fi);
	fi.mode = VMASHADOW_FIND_LOOKUP;
	fi.addr = PG(12);
	fi.name_addr = (unsigned long)edge + PSZ - 4;
	fi.name_size = 64;
	HOSTILE(-EFAULT, VMASHADOW_IOC_FIND, &fi);
	/* a LIST array whose second record is in the guard */
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.region_size = sizeof(struct vmashadow_region);
	l.regions = (unsigned long)edge + PSZ - sizeof(struct vmashadow_region);
	l.count = 4;
	HOSTILE(-EFAULT, VMASHADOW_IOC_LIST, &l);
	/* LIST: a wrong record size, no room, a cursor above TASK_SIZE */
	l.regions = (unsigned long)edge;
	l.region_size = sizeof(struct vmashadow_region) - 8;
	HOSTILE(-EINVAL, VMASHADOW_IOC_LIST, &l);
	l.region_size = sizeof(struct vmashadow_region) + 8;
	HOSTILE(-EINVAL, VMASHADOW_IOC_LIST, &l);
	l.region_size = sizeof(struct vmashadow_region);
	l.count = 0;
	HOSTILE(-EINVAL, VMASHADOW_IOC_LIST, &l);
	l.count = 0xffffffffu;	/* capped, not an allocation of 4G records */
	l.regions = (unsigned long)malloc(300 * sizeof(struct vmashadow_region));
	HOSTILE(0, VMASHADOW_IOC_LIST, &l);
	EXPECT_EQ(before.n, l.count);
	l.addr = TASK_SZ;
	l.count = 4;
	HOSTILE(0, VMASHADOW_IOC_LIST, &l);
	EXPECT_EQ(0, l.count);
	l.addr = ~0UL;
	l.count = 4;
	HOSTILE(0, VMASHADOW_IOC_LIST, &l);
	EXPECT_EQ(0, l.count);
}

/* ---- batches ------------------------------------------------------------------ */

static long batch(int fd, void *ops, unsigned int count, struct vmashadow_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->op_size = sizeof(struct vmashadow_op);
	b->ops = (unsigned long)ops;
	b->count = count;
	return vms_ioctl(fd, VMASHADOW_IOC_BATCH, b);
}

static void fill_maps(struct vmashadow_op *ops, unsigned int n, unsigned long pg)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		op_init(&ops[i], VMASHADOW_OP_MAP);
		ops[i].addr = PG(pg + 2 * i);
		ops[i].len = PGS(1);
		ops[i].prot = RW;
		ops[i].flags = ANON | MAP_FIXED;
	}
}

TEST(batch_bad)
{
	static struct vmashadow_op ops[4100];
	struct vmashadow_batch b;
	long max_batch = vms_read_long("/sys/module/vmashadow/parameters/max_batch");
	const unsigned long bad[] = { 0, (unsigned long)unmapped_addr(), KPTR,
				      KPTR_DIRECT, NONCANON, ~0UL - 63 };
	unsigned int k;

	HOSTILE_SETUP();
	ASSERT_LT(0, max_batch);
	fill_maps(ops, 4100, 100);
	/* counts past the cap */
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(-E2BIG, batch(vms_fd, ops, max_batch + 1, &b));
	VMS_UNCHANGED(vms_fd, &before, "count max_batch + 1");
	ASSERT_EQ(-E2BIG, batch(vms_fd, ops, 0xffffffffu, &b));
	VMS_UNCHANGED(vms_fd, &before, "count 2^32-1");
	ASSERT_EQ(-E2BIG, batch(vms_fd, ops, 0x80000000u, &b));
	VMS_UNCHANGED(vms_fd, &before, "count 2^31");
	/* bad array pointers */
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		ASSERT_EQ(-EFAULT, batch(vms_fd, (void *)bad[k], 1, &b));
		VMS_UNCHANGED(vms_fd, &before, "batch pointer");
		ASSERT_EQ(-EFAULT, batch(vms_fd, (void *)bad[k], 4096, &b));
		VMS_UNCHANGED(vms_fd, &before, "batch pointer, 4096");
	}
	/* op_size, reserved, out fields */
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.op_size = sizeof(struct vmashadow_op);
	b.ops = (unsigned long)ops;
	b.count = 1;
	b.__reserved = 1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_BATCH, &b);
	b.__reserved = 0;
	b.error = -1;
	HOSTILE(-EINVAL, VMASHADOW_IOC_BATCH, &b);
	b.error = 0;
	b.op_size = 0xffffffffu;
	HOSTILE(-EINVAL, VMASHADOW_IOC_BATCH, &b);
	/* a bad op first: nothing applied, reported in ->error */
	fill_maps(ops, 4, 100);
	ops[0].size = 0;
	ASSERT_EQ(0, batch(vms_fd, ops, 4, &b));
	EXPECT_EQ(0, b.done);
	EXPECT_EQ(-EINVAL, b.error);
	VMS_UNCHANGED(vms_fd, &before, "bad op size");
	fill_maps(ops, 4, 100);
	ops[0].size = sizeof(struct vmashadow_op) + 8;
	ASSERT_EQ(0, batch(vms_fd, ops, 4, &b));
	EXPECT_EQ(0, b.done);
	EXPECT_EQ(-EINVAL, b.error);
	VMS_UNCHANGED(vms_fd, &before, "large op size");
	fill_maps(ops, 4, 100);
	ops[0].op = 0;
	ASSERT_EQ(0, batch(vms_fd, ops, 4, &b));
	EXPECT_EQ(0, b.done);
	EXPECT_EQ(-EINVAL, b.error);
	VMS_UNCHANGED(vms_fd, &before, "op 0");
	fill_maps(ops, 4, 100);
	ops[0].op_flags = 0x80;
	ASSERT_EQ(0, batch(vms_fd, ops, 4, &b));
	EXPECT_EQ(0, b.done);
	EXPECT_EQ(-EINVAL, b.error);
	VMS_UNCHANGED(vms_fd, &before, "op_flags");
}

/*
 * An array whose tail is unmapped, all within the module's first chunk of
 * 64: nothing is read, nothing applied.
 */
TEST(batch_runs_into_unmapped_small)
{
	struct vmashadow_batch b;
	struct vmashadow_op *ops;
	char *edge;
	unsigned int fit;

	HOSTILE_SETUP();
	edge = edge_page();
	ASSERT_NE(NULL, edge);
	fit = PSZ / sizeof(struct vmashadow_op);
	ops = (struct vmashadow_op *)(edge + PSZ - fit * sizeof(*ops));
	fill_maps(ops, fit, 100);
	ASSERT_LT(fit, 64);
	ASSERT_EQ(-EFAULT, batch(vms_fd, ops, fit + 1, &b));
	VMS_UNCHANGED(vms_fd, &before, "batch into unmapped");
	/* the last op straddles into the guard */
	ops = (struct vmashadow_op *)(edge + PSZ - fit * sizeof(*ops) + 8);
	fill_maps(ops, fit - 1, 100);
	ASSERT_EQ(-EFAULT, batch(vms_fd, ops, fit, &b));
	VMS_UNCHANGED(vms_fd, &before, "batch straddling");
}

/*
 * A batch longer than one chunk whose array runs into unmapped memory after
 * the first chunk: the issue asks for "its errno and no change to the
 * shadow".  Either nothing is applied and the call fails, or what was
 * applied is reported (done, error).  The module applies the first 64
 * operations, then returns -EFAULT without writing ->done back: the caller
 * cannot tell what happened.
 */
TEST(batch_runs_into_unmapped_long)
{
	struct vmashadow_batch b;
	struct vmashadow_op *ops;
	unsigned int n = 100;
	char *p;
	long ret;

	HOSTILE_SETUP();
	p = mmap(NULL, 16 * PSZ, RW, ANON, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* ops 0..79 readable, the rest in an unmapped page */
	ops = (struct vmashadow_op *)(p + 8 * PSZ - 80 * sizeof(*ops));
	munmap(p + 8 * PSZ, 8 * PSZ);
	fill_maps(ops, 80, 100);
	ret = batch(vms_fd, ops, n, &b);
	if (ret == 0) {
		/* reported: what was applied is what done says */
		EXPECT_EQ(-EFAULT, b.error);
		TH_LOG("done %u error %d", b.done, b.error);
	} else {
		EXPECT_EQ(-EFAULT, ret);
		VMS_UNCHANGED(vms_fd, &before, "batch of 100 into unmapped memory");
	}
}

/*
 * A batch array in read-only memory: the operations can be read but their
 * results cannot be written back.  The same rule: an errno and no change,
 * or a change that is reported.
 */
TEST(batch_array_read_only)
{
	struct vmashadow_batch b;
	struct vmashadow_op *ops;
	long ret;

	HOSTILE_SETUP();
	ops = mmap(NULL, PSZ, RW, ANON, -1, 0);
	ASSERT_NE(MAP_FAILED, ops);
	fill_maps(ops, 4, 100);
	ASSERT_EQ(0, mprotect(ops, PSZ, PROT_READ));
	ret = batch(vms_fd, ops, 4, &b);
	if (ret == 0) {
		TH_LOG("done %u error %d", b.done, b.error);
	} else {
		EXPECT_EQ(-EFAULT, ret);
		VMS_UNCHANGED(vms_fd, &before, "batch array read-only");
	}
}

/* An op structure in read-only memory: its results cannot be written. */
TEST(op_struct_read_only)
{
	struct vmashadow_op *op;
	long ret;

	HOSTILE_SETUP();
	op = mmap(NULL, PSZ, RW, ANON, -1, 0);
	ASSERT_NE(MAP_FAILED, op);
	valid_op(op, 0);
	ASSERT_EQ(0, mprotect(op, PSZ, PROT_READ));
	ret = vms_ioctl(vms_fd, VMASHADOW_IOC_MAP, op);
	if (ret == -EFAULT) {
		struct vms_snap *now = malloc(sizeof(*now));

		ASSERT_EQ(0, vms_snap_take(vms_fd, now));
		/*
		 * Like a system call whose output cannot be written: the
		 * operation is done, the caller told -EFAULT.  Logged, not
		 * failed: the rule covers NULL/unmapped/kernel
		 * pointers, where nothing can be read at all.
		 */
		TH_LOG("MAP with a read-only op: -EFAULT, shadow %s",
		       vms_snap_diff(&before, now) ? "CHANGED" : "unchanged");
		free(now);
	} else {
		EXPECT_EQ(0, ret);
	}
}

/*
 * FORK whose structure is read-only: the child's descriptor number cannot
 * be written back, so no descriptor may be left installed (the caller could
 * never close it).
 */
TEST(fork_struct_read_only)
{
	struct vmashadow_fork *f;
	int probe;

	HOSTILE_SETUP();
	f = mmap(NULL, PSZ, RW, ANON, -1, 0);
	ASSERT_NE(MAP_FAILED, f);
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	ASSERT_EQ(0, mprotect(f, PSZ, PROT_READ));
	probe = dup(0);
	ASSERT_LE(0, probe);
	close(probe);		/* the number a new descriptor would get */
	EXPECT_EQ(-EFAULT, vms_ioctl(vms_fd, VMASHADOW_IOC_FORK, f));
	EXPECT_EQ(-EBADF, fcntl(probe, F_GETFD) < 0 ? -errno : 0)
		TH_LOG("fd %d left installed by a FORK that said -EFAULT", probe);
}

/* ---- the file operations ------------------------------------------------------- */

TEST(file_ops)
{
	char buf[64];
	void *volatile null = NULL;

	HOSTILE_SETUP();
	lseek(vms_fd, 0, SEEK_SET);
	EXPECT_EQ(-EFAULT, read(vms_fd, null, 64) < 0 ? -errno : 0);
	lseek(vms_fd, 0, SEEK_SET);
	EXPECT_EQ(-EFAULT, read(vms_fd, (void *)KPTR, 64) < 0 ? -errno : 0);
	lseek(vms_fd, 0, SEEK_SET);
	EXPECT_EQ(-EFAULT, read(vms_fd, unmapped_addr(), 64) < 0 ? -errno : 0);
	EXPECT_EQ(-EINVAL, write(vms_fd, "x", 1) < 0 ? -errno : 0);
	EXPECT_EQ(-EINVAL, lseek(vms_fd, -1, SEEK_SET) < 0 ? -errno : 0);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PSZ, PROT_READ, MAP_SHARED, vms_fd, 0));
	/* a read far beyond the end gives 0 bytes */
	EXPECT_EQ(0, pread(vms_fd, buf, sizeof(buf), 1L << 40));
	/* pos + count overflows: the VFS's -EINVAL */
	EXPECT_EQ(-EINVAL, pread(vms_fd, buf, sizeof(buf), 0x7fffffffffffffffL) < 0 ? -errno : 0);
	VMS_UNCHANGED(vms_fd, &before, "file ops");
}

TEST_HARNESS_MAIN
