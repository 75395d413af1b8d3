// SPDX-License-Identifier: GPL-2.0
/*
 * faults: allocation failures injected into every operation (issue 8).
 *
 * The debug kernel has CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION: writing
 * N to /proc/thread-self/fail-nth makes the N-th fault-injection point this
 * thread passes fail (every slab allocation, once failslab's
 * ignore-gfp-wait is N), and reading it back afterwards says whether the
 * point was reached (0) or not.  So for each operation, N = 1, 2, ... until
 * the operation completes without meeting its N-th point: every allocation
 * site on its path fails once, in this task only.  Each time the operation
 * either completes (the allocation was one it could do without, or not its
 * own) or fails with -ENOMEM, and then the shadow is exactly as before:
 * read() dump, LIST records, params, counters, VALIDATE.
 *
 * The debug kernel also has fail_usercopy (CONFIG_FAULT_INJECTION_USERCOPY),
 * whose points fail-nth counts with the others: every copy from and to
 * the caller fails once too.  A copy in fails the call with -EFAULT before
 * anything changed; a copy out of the results comes after the operation,
 * which then stands, as a system call's effect stands when its out
 * argument cannot be written (wait4() and its rusage).  Kernels without
 * fail-nth (the stock Debian lanes) skip.
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <linux/mempolicy.h>
#include "vms_snap.h"

#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define FS		"/sys/kernel/debug/failslab/"
#define FU		"/sys/kernel/debug/fail_usercopy/"
#define MAX_NTH		2000
/* UFFDIO_REGISTER_MODE_* */
#define UM		1	/* MISSING */
#define UW		2	/* WP */
#ifndef UFFD_FEATURE_EVENT_FORK
#define UFFD_FEATURE_EVENT_FORK		(1 << 1)
#endif
#ifndef UFFD_FEATURE_EVENT_REMAP
#define UFFD_FEATURE_EVENT_REMAP	(1 << 2)
#endif

static int nth_fd = -1;
static unsigned long points_total, runs_total;
static int file_fd = -1;

static struct vms_snap snap_before, snap_after;

/* Arm: the n-th fault-injection point of this thread fails. */
static int arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -errno;
}

/* Disarm; true if the armed point was reached (a failure was injected). */
static bool disarm(void)
{
	char buf[16] = { 0 };
	bool hit;

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return false;
	hit = strtoul(buf, NULL, 0) == 0;
	pwrite(nth_fd, "0", 1, 0);
	return hit;
}

static int fi_setup(void)
{
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		return -errno;
	if (vms_write_file(FS "ignore-gfp-wait", "N") ||
	    vms_write_file(FS "verbose", "0"))
		return -ENOENT;
	vms_write_file(FS "probability", "0");
	/* no stack trace on the serial console for each injected copy fault */
	vms_write_file(FU "verbose", "0");
	return 0;
}

static void fi_teardown(void)
{
	vms_write_file(FU "verbose", "2");
	vms_write_file(FS "ignore-gfp-wait", "Y");
	vms_write_file(FS "verbose", "2");
}

#define FI_SETUP() do {							\
	int __e = fi_setup();						\
	if (__e)							\
		SKIP(return, "no fail-nth / failslab here (%d)", __e);	\
} while (0)

/* ---- operations ----------------------------------------------------------------- */

static void op_set(struct vmashadow_op *op, unsigned int which, unsigned long addr,
		   unsigned long len, unsigned int prot, unsigned int flags)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->op = which;
	op->addr = addr;
	op->len = len;
	op->prot = prot;
	op->flags = flags;
	op->fd = -1;
}

static const unsigned long op_cmd[] = {
	0, VMASHADOW_IOC_MAP, VMASHADOW_IOC_UNMAP, VMASHADOW_IOC_PROTECT,
	VMASHADOW_IOC_TOUCH, VMASHADOW_IOC_REMAP, VMASHADOW_IOC_BRK,
	VMASHADOW_IOC_MADVISE, VMASHADOW_IOC_SEAL, VMASHADOW_IOC_MAP_VDSO,
	VMASHADOW_IOC_MLOCK, VMASHADOW_IOC_MUNLOCK, VMASHADOW_IOC_MLOCKALL,
	VMASHADOW_IOC_MUNLOCKALL, VMASHADOW_IOC_MBIND, VMASHADOW_IOC_HOME_NODE,
	VMASHADOW_IOC_UFFD_API, VMASHADOW_IOC_UFFD_REGISTER,
	VMASHADOW_IOC_UFFD_UNREGISTER, VMASHADOW_IOC_UFFD_CLOSE,
};

static bool is_uffd_op(unsigned int which)
{
	return which >= VMASHADOW_OP_UFFD_API && which <= VMASHADOW_OP_UFFD_CLOSE;
}

/* a userfaultfd op: @ctx in ->offset, features or modes in ->flags */
static void op_uffd(struct vmashadow_op *op, unsigned int which, unsigned int ctx,
		    unsigned long addr, unsigned long len, unsigned int flags)
{
	op_set(op, which, addr, len, 0, flags);
	op->offset = ctx;
}

/*
 * Which of the contexts below are open: a dry-run UFFD_CLOSE says 0 for an
 * open one and -EBADF otherwise, and changes nothing.  -1: the probe failed.
 */
static const unsigned int probe_ctx[] = { 1, 2, 3, 4, 5, 127 };

static long uffd_open_mask(int fd)
{
	struct vmashadow_op op;
	unsigned int i;
	long mask = 0, ret;

	for (i = 0; i < sizeof(probe_ctx) / sizeof(probe_ctx[0]); i++) {
		op_uffd(&op, VMASHADOW_OP_UFFD_CLOSE, probe_ctx[i], 0, 0, 0);
		op.op_flags = VMASHADOW_OPF_DRY_RUN;
		ret = vms_ioctl(fd, VMASHADOW_IOC_UFFD_CLOSE, &op);
		if (ret == 0)
			mask |= 1L << i;
		else if (ret != -EBADF)
			return -1;
	}
	return mask;
}

/*
 * The regions as LIST has them, without the anon_vma and file identities
 * (numbers that differ from one shadow to the next): bounds, flags (the
 * userfaultfd modes among them) and state (the context among it).
 */
#define SIG_MAX		128

struct sig {
	unsigned int n;
	long ctx_mask;
	struct { __u64 start, end, vm_flags; __u32 state; } r[SIG_MAX];
};

static int sig_take(int fd, struct sig *g)
{
	static struct vmashadow_region regs[SIG_MAX];
	long n = vms_list_all(fd, regs, SIG_MAX);
	unsigned int i;

	memset(g, 0, sizeof(*g));
	if (n < 0)
		return n;
	g->n = n;
	for (i = 0; i < g->n; i++) {
		g->r[i].start = regs[i].start;
		g->r[i].end = regs[i].end;
		g->r[i].vm_flags = regs[i].vm_flags;
		g->r[i].state = regs[i].state;
	}
	g->ctx_mask = uffd_open_mask(fd);
	return g->ctx_mask < 0 ? -EIO : 0;
}

static bool sig_eq(const struct sig *a, const struct sig *b)
{
	return a->n == b->n && a->ctx_mask == b->ctx_mask &&
	       !memcmp(a->r, b->r, a->n * sizeof(a->r[0]));
}

/* mbind()'s node mask and maxnode: node 0, which every kernel has */
static void op_node0(struct vmashadow_op *op)
{
	op->offset = 1;
	op->new_len = 2;
}

/*
 * The state every scenario starts from:
 *
 *   0    4    8   12   16   20   24   28   32          400
 *   AAAAAAAA  BBBB  CCCC    FFFF    DDDD (D faulted, E touching D at 28)
 *   rw        r     rw(f)   file    rw   EEEE rw, faulted,   SS
 *             pol                        forked-looking      a stack
 *
 * (S grows down, far enough above E for the guard gap; B has a memory
 * policy, so that the shadow has a policy table to copy, and of the mode
 * set_mempolicy_home_node() takes.)
 */
static int base_step;

static int base_state(int fd, unsigned int rules)
{
	struct vmashadow_op op;
	struct vmashadow_params p;
	long err;

#define STEP(call) do { base_step = __LINE__; err = (call); if (err) return err; } while (0)
	memset(&p, 0, sizeof(p));
	p.rules = rules;
	p.start_brk = PG(600);
	p.brk = PG(604);
	STEP(vms_set_params(fd, &p, VMASHADOW_PARAM_RULES | VMASHADOW_PARAM_BRK));
	op_set(&op, VMASHADOW_OP_MAP, PG(0), PGS(8), RW, ANON | MAP_FIXED);
	STEP(vms_op(fd, VMASHADOW_IOC_MAP, &op));
	op_set(&op, VMASHADOW_OP_MAP, PG(10), PGS(4), PROT_READ, ANON | MAP_FIXED);
	STEP(vms_op(fd, VMASHADOW_IOC_MAP, &op));
	op_set(&op, VMASHADOW_OP_MBIND, PG(10), PGS(4), MPOL_BIND, 0);
	op_node0(&op);
	STEP(vms_op(fd, VMASHADOW_IOC_MBIND, &op));
	op_set(&op, VMASHADOW_OP_MAP, PG(16), PGS(4), RW, ANON | MAP_FIXED);
	STEP(vms_op(fd, VMASHADOW_IOC_MAP, &op));
	op_set(&op, VMASHADOW_OP_TOUCH, PG(17), 0, 0, 0);
	STEP(vms_op(fd, VMASHADOW_IOC_TOUCH, &op));
	op_set(&op, VMASHADOW_OP_MAP, PG(22), PGS(4), RW, MAP_PRIVATE | MAP_FIXED);
	op.fd = file_fd;
	STEP(vms_op(fd, VMASHADOW_IOC_MAP, &op));
	op_set(&op, VMASHADOW_OP_MAP, PG(28), PGS(4), RW, ANON | MAP_FIXED);
	STEP(vms_op(fd, VMASHADOW_IOC_MAP, &op));
	op_set(&op, VMASHADOW_OP_TOUCH, PG(29), 0, 0, 0);
	STEP(vms_op(fd, VMASHADOW_IOC_TOUCH, &op));
	op_set(&op, VMASHADOW_OP_MAP, PG(32), PGS(4), RW, ANON | MAP_FIXED);
	STEP(vms_op(fd, VMASHADOW_IOC_MAP, &op));
	op_set(&op, VMASHADOW_OP_TOUCH, PG(33), 0, 0, 0);
	STEP(vms_op(fd, VMASHADOW_IOC_TOUCH, &op));
	op_set(&op, VMASHADOW_OP_MAP, PG(400), PGS(2), RW,
	       ANON | MAP_FIXED | MAP_GROWSDOWN);
	STEP(vms_op(fd, VMASHADOW_IOC_MAP, &op));
#undef STEP
	return 0;
}

#define MAX_PRE		6

struct scenario {
	const char *name;
	struct vmashadow_op op;
	unsigned int rules;	/* 0: the running kernel's */
	/* set-up after the base state, not injected (userfaultfd contexts) */
	struct vmashadow_op pre[MAX_PRE];
	unsigned int npre;
	bool drain;		/* empty the region reserve last (drain()) */
};

static struct scenario scen[96];
static unsigned int nscen;

static void add(const char *name, unsigned int which, unsigned long addr,
		unsigned long len, unsigned int prot, unsigned int flags,
		unsigned long new_len, unsigned long new_addr,
		unsigned int op_flags, unsigned int rules)
{
	struct scenario *s;

	if (nscen >= sizeof(scen) / sizeof(scen[0]))
		abort();
	s = &scen[nscen++];

	s->name = name;
	op_set(&s->op, which, addr, len, prot, flags);
	s->op.new_len = new_len;
	s->op.new_addr = new_addr;
	s->op.op_flags = op_flags;
	s->rules = rules;
	s->npre = 0;
	/*
	 * A call would find its regions waiting in the reserve that the
	 * base state's calls left, and have no allocation to fail.
	 */
	s->drain = true;
}

/* A userfaultfd scenario: its op, then its set-up with pre_uffd(). */
static void add_uffd(const char *name, unsigned int which, unsigned int ctx,
		     unsigned long addr, unsigned long len, unsigned int flags,
		     unsigned int op_flags, unsigned int rules)
{
	add(name, which, addr, len, 0, flags, 0, 0, op_flags, rules);
	scen[nscen - 1].op.offset = ctx;
}

static void pre_uffd(unsigned int which, unsigned int ctx, unsigned long addr,
		     unsigned long len, unsigned int flags)
{
	struct scenario *s = &scen[nscen - 1];

	if (s->npre >= MAX_PRE)
		abort();
	op_uffd(&s->pre[s->npre++], which, ctx, addr, len, flags);
}

static void scenarios(void)
{
	const unsigned int D = VMASHADOW_OPF_DRY_RUN;
	const unsigned int R12 = VMASHADOW_RULES_6_12;
	unsigned int k;

	nscen = 0;
	for (k = 0; k < 2; k++) {
		unsigned int of = k ? D : 0;

		add("map middle (split twice)", VMASHADOW_OP_MAP, PG(2), PGS(2), PROT_READ,
		    ANON | MAP_FIXED, 0, 0, of, 0);
		add("map fill hole (merge)", VMASHADOW_OP_MAP, PG(8), PGS(2), RW,
		    ANON | MAP_FIXED, 0, 0, of, 0);
		add("map over many", VMASHADOW_OP_MAP, PG(4), PGS(30), PROT_READ,
		    ANON | MAP_FIXED, 0, 0, of, 0);
		add("map placed", VMASHADOW_OP_MAP, 0, PGS(3), RW, ANON, 0, 0, of, 0);
		add("unmap middle", VMASHADOW_OP_UNMAP, PG(3), PGS(2), 0, 0, 0, 0, of, 0);
		add("unmap many", VMASHADOW_OP_UNMAP, PG(6), PGS(25), 0, 0, 0, 0, of, 0);
		add("protect middle", VMASHADOW_OP_PROTECT, PG(3), PGS(2), PROT_READ, 0, 0, 0, of, 0);
		add("protect across hole", VMASHADOW_OP_PROTECT, PG(4), PGS(8), PROT_READ, 0, 0, 0, of, 0);
		add("protect merge", VMASHADOW_OP_PROTECT, PG(10), PGS(4), RW, 0, 0, 0, of, 0);
		add("touch (new anon_vma)", VMASHADOW_OP_TOUCH, PG(5), 0, 0, 0, 0, 0, of, 0);
		add("touch below a stack (it grows)", VMASHADOW_OP_TOUCH, PG(398),
		    0, 0, 0, 0, 0, of, 0);
		add("remap move", VMASHADOW_OP_REMAP, PG(16), PGS(4), 0,
		    MREMAP_MAYMOVE | MREMAP_FIXED, PGS(4), PG(40), of, 0);
		add("remap part, move", VMASHADOW_OP_REMAP, PG(17), PGS(2), 0,
		    MREMAP_MAYMOVE | MREMAP_FIXED, PGS(3), PG(40), of, 0);
		add("remap grow in place", VMASHADOW_OP_REMAP, PG(32), PGS(4), 0, 0,
		    PGS(6), 0, of, 0);
		add("remap grow, move", VMASHADOW_OP_REMAP, PG(10), PGS(4), 0,
		    MREMAP_MAYMOVE, PGS(8), 0, of, 0);
		add("remap shrink", VMASHADOW_OP_REMAP, PG(0), PGS(8), 0, 0,
		    PGS(3), 0, of, 0);
		add("remap dontunmap", VMASHADOW_OP_REMAP, PG(28), PGS(4), 0,
		    MREMAP_MAYMOVE | MREMAP_DONTUNMAP, PGS(4), 0, of, 0);
		add("remap file", VMASHADOW_OP_REMAP, PG(22), PGS(2), 0,
		    MREMAP_MAYMOVE | MREMAP_FIXED, PGS(2), PG(50), of, 0);
		add("brk grow", VMASHADOW_OP_BRK, PG(610), 0, 0, 0, 0, 0, of, 0);
		add("brk shrink", VMASHADOW_OP_BRK, PG(601), 0, 0, 0, 0, 0, of, 0);
		add("madvise dontfork middle", VMASHADOW_OP_MADVISE, PG(2), PGS(3), 0,
		    MADV_DONTFORK, 0, 0, of, 0);
		add("madvise across holes", VMASHADOW_OP_MADVISE, PG(0), PGS(36), 0,
		    MADV_WIPEONFORK, 0, 0, of, 0);
		add("seal middle (6.12)", VMASHADOW_OP_SEAL, PG(2), PGS(2), 0, 0, 0, 0, of, R12);
		add("mlock middle (faulted in)", VMASHADOW_OP_MLOCK, PG(2), PGS(3), 0, 0, 0, 0,
		    of, 0);
		add("mlock on fault, across hole", VMASHADOW_OP_MLOCK, PG(4), PGS(8), 0,
		    MLOCK_ONFAULT, 0, 0, of, 0);
		add("mlockall current", VMASHADOW_OP_MLOCKALL, 0, 0, 0, MCL_CURRENT, 0, 0,
		    of, 0);
		add("map file middle", VMASHADOW_OP_MAP, PG(1), PGS(2), RW,
		    MAP_SHARED | MAP_FIXED, 0, 0, of, 0);
		scen[nscen - 1].op.fd = file_fd;
		add("mbind middle (split)", VMASHADOW_OP_MBIND, PG(2), PGS(3),
		    MPOL_BIND, 0, 0, 0, of, 0);
		op_node0(&scen[nscen - 1].op);
		add("mbind across two (split, split)", VMASHADOW_OP_MBIND, PG(29),
		    PGS(5), MPOL_INTERLEAVE, 0, 0, 0, of, 0);
		op_node0(&scen[nscen - 1].op);
		/* node 0 (->offset 0), online everywhere */
		add("home node middle (split, split)", VMASHADOW_OP_HOME_NODE,
		    PG(11), PGS(2), 0, 0, 0, 0, of, 0);

		/* userfaultfd: contexts opened and regions registered first */
		add_uffd("uffd api", VMASHADOW_OP_UFFD_API, 5, 0, 0,
			 UFFD_FEATURE_EVENT_REMAP, of, 0);
		add_uffd("uffd register middle (split twice)",
			 VMASHADOW_OP_UFFD_REGISTER, 1, PG(2), PGS(2), UM, of, 0);
		pre_uffd(VMASHADOW_OP_UFFD_API, 1, 0, 0, 0);
		add_uffd("uffd register middle (6.12)",
			 VMASHADOW_OP_UFFD_REGISTER, 1, PG(2), PGS(2), UM | UW, of, R12);
		pre_uffd(VMASHADOW_OP_UFFD_API, 1, 0, 0, 0);
		/* [3,8) joins the registered [0,3), a hole, B split at 12 */
		add_uffd("uffd register 2 + hole (merge)",
			 VMASHADOW_OP_UFFD_REGISTER, 1, PG(2), PGS(10), UM, of, 0);
		pre_uffd(VMASHADOW_OP_UFFD_API, 1, 0, 0, 0);
		pre_uffd(VMASHADOW_OP_UFFD_REGISTER, 1, PG(0), PGS(3), UM);
		/* faulted D and E, split at 29 and 34 */
		add_uffd("uffd register faulted, WP", VMASHADOW_OP_UFFD_REGISTER,
			 2, PG(29), PGS(5), UW, of, 0);
		pre_uffd(VMASHADOW_OP_UFFD_API, 2, 0, 0, 0);
		add_uffd("uffd unregister (3-way merge)",
			 VMASHADOW_OP_UFFD_UNREGISTER, 1, PG(2), PGS(2), 0, of, 0);
		pre_uffd(VMASHADOW_OP_UFFD_API, 1, 0, 0, 0);
		pre_uffd(VMASHADOW_OP_UFFD_REGISTER, 1, PG(2), PGS(2), UM);
		add_uffd("uffd unregister middle (split twice)",
			 VMASHADOW_OP_UFFD_UNREGISTER, 1, PG(3), PGS(2), 0, of, 0);
		pre_uffd(VMASHADOW_OP_UFFD_API, 1, 0, 0, 0);
		pre_uffd(VMASHADOW_OP_UFFD_REGISTER, 1, PG(0), PGS(8), UM);
		/* another context's too, across a hole: A split at 6, B at 12 */
		add_uffd("uffd unregister 2 ctx + hole", VMASHADOW_OP_UFFD_UNREGISTER,
			 1, PG(6), PGS(6), 0, of, 0);
		pre_uffd(VMASHADOW_OP_UFFD_API, 1, 0, 0, 0);
		pre_uffd(VMASHADOW_OP_UFFD_API, 2, 0, 0, 0);
		pre_uffd(VMASHADOW_OP_UFFD_REGISTER, 1, PG(4), PGS(4), UM);
		pre_uffd(VMASHADOW_OP_UFFD_REGISTER, 2, PG(10), PGS(4), UM | UW);
		/* three registered middles merge back: A, B (policy), D */
		add_uffd("uffd close (3 merges)", VMASHADOW_OP_UFFD_CLOSE, 1,
			 0, 0, 0, of, 0);
		pre_uffd(VMASHADOW_OP_UFFD_API, 1, 0, 0, 0);
		pre_uffd(VMASHADOW_OP_UFFD_REGISTER, 1, PG(2), PGS(2), UM);
		pre_uffd(VMASHADOW_OP_UFFD_REGISTER, 1, PG(12), PGS(1), UM);
		pre_uffd(VMASHADOW_OP_UFFD_REGISTER, 1, PG(29), PGS(1), UM | UW);
	}
}

/*
 * A dry run copies the shadow (vms_mm_dup()) and runs the operation on the
 * copy, so its injection points are the copy's (16 after the base state,
 * a few more with userfaultfd contexts), then the operation's, those the
 * scenario meets without a dry run.  Each kind of operation keeps one dry
 * scenario, its first: the others would meet the same points again, about
 * 585 runs, a minute or more of the debug lane under KASAN.
 */
static bool is_dry(const struct scenario *s)
{
	return s->op.op_flags & VMASHADOW_OPF_DRY_RUN;
}

static void one_dry_run_per_op(void)
{
	unsigned int i, j, kept = 0;

	for (i = 0; i < nscen; i++) {
		bool again = false;

		for (j = 0; j < kept && is_dry(&scen[i]); j++)
			again |= is_dry(&scen[j]) && scen[j].op.op == scen[i].op.op;
		if (!again)
			scen[kept++] = scen[i];
	}
	nscen = kept;
}

static long base_err;

/* Set-up step that failed: 0 none, else its number from 1 */
static unsigned int pre_step;

/* A fresh shadow in the base state; -errno or the descriptor. */
static int fresh(unsigned int rules)
{
	int fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	base_err = base_state(fd, rules ? rules : (unsigned int)vms_rules_of_kernel());
	if (base_err) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/*
 * Empty the shadow's reserve of regions: every call tops it up to what it
 * may split (vms_prealloc()) and keeps what it did not use, so after the
 * base state a call that splits twice allocates nothing and its -ENOMEM is
 * never met.  A map and a protect of its middle, far from the rest, use
 * the reserve up: the next call allocates its regions again.
 */
static long drain(int fd)
{
	struct vmashadow_op op;
	long err;

	op_set(&op, VMASHADOW_OP_MAP, PG(500), PGS(3), RW, ANON | MAP_FIXED);
	err = vms_op(fd, VMASHADOW_IOC_MAP, &op);
	if (err)
		return err;
	op_set(&op, VMASHADOW_OP_PROTECT, PG(501), PGS(1), PROT_READ, 0);
	return vms_op(fd, VMASHADOW_IOC_PROTECT, &op);
}

/* fresh() and the scenario's set-up. */
static int fresh_scen(const struct scenario *s)
{
	struct vmashadow_op op;
	unsigned int i;
	int fd = fresh(s->rules);

	pre_step = 0;
	if (fd < 0)
		return fd;
	for (i = 0; i < s->npre; i++) {
		op = s->pre[i];
		base_err = vms_ioctl(fd, op_cmd[op.op], &op);
		if (base_err) {
			pre_step = i + 1;
			close(fd);
			return -EIO;
		}
	}
	if (s->drain) {
		base_err = drain(fd);
		if (base_err) {
			pre_step = s->npre + 1;
			close(fd);
			return -EIO;
		}
	}
	return fd;
}

/*
 * One scenario at every injection point.  The reference run (no injection)
 * gives the result and the final read() dump the operation must reach when
 * it completes.
 */
static void run_scenario(struct __test_metadata *_metadata,
			 const struct scenario *s, unsigned long *points)
{
	static char ref_maps[VMS_SNAP_MAPS];
	static struct sig ref_sig, sig_before, sig_after;
	bool uffd = is_uffd_op(s->op.op);
	struct vmashadow_op op;
	long ref_ret, ref_len, ret;
	__u64 ref_result;
	unsigned int n;
	int fd;

	fd = fresh_scen(s);
	ASSERT_LE(0, fd) TH_LOG("%s: the base state fails at line %d, set-up step %u: %ld",
				s->name, base_step, pre_step, base_err);
	op = s->op;
	ref_ret = vms_ioctl(fd, op_cmd[op.op], &op);
	ref_result = op.result;
	lseek(fd, 0, SEEK_SET);
	ref_len = vms_read_all(fd, ref_maps, sizeof(ref_maps));
	ASSERT_LE(0, ref_len);
	if (uffd) {
		/* the scenarios are meant to succeed: a failure tests little */
		ASSERT_EQ(0, ref_ret) TH_LOG("%s: the reference run fails", s->name);
		ASSERT_EQ(0, sig_take(fd, &ref_sig));
	}
	close(fd);

	for (n = 1; n < MAX_NTH; n++) {
		bool hit, as_ref;

		fd = fresh_scen(s);
		ASSERT_LE(0, fd) TH_LOG("%s, n=%u: the base state fails at line %d, set-up step %u: %ld",
					s->name, n, base_step, pre_step, base_err);
		ASSERT_EQ(0, vms_snap_take(fd, &snap_before));
		if (uffd)
			ASSERT_EQ(0, sig_take(fd, &sig_before));
		op = s->op;
		ASSERT_EQ(0, arm(n));
		ret = vms_ioctl(fd, op_cmd[op.op], &op);
		hit = disarm();
		runs_total++;
		/* brk(2) fails by returning the old break */
		if (op.op == VMASHADOW_OP_BRK && !ret && op.result != ref_result)
			ret = -ENOMEM;
		if (hit)
			(*points)++;
		ASSERT_EQ(0, vms_snap_take(fd, &snap_after));
		as_ref = snap_after.maps_len == ref_len &&
			 !memcmp(ref_maps, snap_after.maps, ref_len) &&
			 !snap_after.validate;
		if (uffd) {
			/*
			 * The dump does not show registrations, and API
			 * changes no region at all: the flags, the contexts
			 * of the regions and the open contexts too.
			 */
			ASSERT_EQ(0, sig_take(fd, &sig_after));
			as_ref = as_ref && sig_eq(&sig_after, &ref_sig);
		}
		if (ret == ref_ret && as_ref) {
			/* completed as it would have: the same final state */
		} else if (ret == -EFAULT && as_ref && hit) {
			/* completed; its results could not be copied out */
		} else if (op.op == VMASHADOW_OP_MLOCK && ret == -EAGAIN && hit &&
			   !snap_after.validate) {
			/*
			 * The fault-in's anon_vma could not be had: the
			 * kernel's mlock() says -EAGAIN then, the range
			 * locked all the same.
			 */
		} else {
			const char *d = vms_snap_diff(&snap_before, &snap_after);

			if (!d && uffd && !sig_eq(&sig_before, &sig_after))
				d = sig_before.ctx_mask != sig_after.ctx_mask ?
				    "open userfaultfd contexts" : "region signature";
			ASSERT_TRUE(hit)
				TH_LOG("%s, n=%u: %ld without an injected fault (ref %ld)\n%s\nref\n%s",
				       s->name, n, ret, ref_ret, snap_after.maps, ref_maps);
			ASSERT_TRUE(ret == -ENOMEM || ret == -EFAULT)
				TH_LOG("%s, n=%u: %ld (ref %ld)", s->name, n, ret, ref_ret);
			EXPECT_EQ(NULL, d)
				TH_LOG("%s, n=%u: %ld changed the shadow (%s):\nbefore\n%s\nafter\n%s",
				       s->name, n, ret, d, snap_before.maps, snap_after.maps);
			if (d) {
				close(fd);
				return;
			}
		}
		close(fd);
		if (!hit)
			break;
	}
	ASSERT_LT(n, MAX_NTH);
}

FIXTURE(inj) {
	int dummy;
};

FIXTURE_SETUP(inj)
{
	char path[64];

	file_fd = vms_make_file(path, sizeof(path), "faults", 8);
	ASSERT_LE(0, file_fd);
	unlink(path);
}

FIXTURE_TEARDOWN(inj)
{
	fi_teardown();
}

TEST_F_TIMEOUT(inj, every_operation, 800)
{
	unsigned int i;

	FI_SETUP();
	scenarios();
	one_dry_run_per_op();
	for (i = 0; i < nscen; i++) {
		unsigned long points = 0;

		run_scenario(_metadata, &scen[i], &points);
		TH_LOG("%-32s %s: %lu injection points", scen[i].name,
		       is_dry(&scen[i]) ? "dry" : "   ", points);
		points_total += points;
	}
	TH_LOG("%u scenarios, %lu injection points, %lu runs", nscen,
	       points_total, runs_total);
}

/*
 * A batch: it stops at the injected failure; what it did is what ->done
 * says.  The state after each prefix is known from runs without injection:
 * the dump, and the region signature (flags, contexts, open contexts),
 * which tells apart prefixes that differ only in registrations.
 */
#define BATCH_MAX	80

static struct vmashadow_op batch_ops[BATCH_MAX], batch_ref_ops[BATCH_MAX];
static char batch_ref_maps[BATCH_MAX + 1][4096];
static struct sig batch_ref_sig[BATCH_MAX + 1], batch_sig;

static bool batch_prefix_is(unsigned int i)
{
	return !strcmp(batch_ref_maps[i], vms_shadow_maps) &&
	       sig_eq(&batch_ref_sig[i], &batch_sig);
}

static void batch_set(struct vmashadow_batch *b, unsigned int count)
{
	memcpy(batch_ops, batch_ref_ops, sizeof(batch_ops));
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->op_size = sizeof(batch_ops[0]);
	b->ops = (unsigned long)batch_ops;
	b->count = count;
}

/* batch_ref_ops[0..@count) on the base state at every injection point */
static void batch_inject(struct __test_metadata *_metadata, unsigned int count,
			 const char *what)
{
	struct vmashadow_batch b;
	unsigned int n, i, points = 0;
	int fd;

	ASSERT_GE(BATCH_MAX, count);
	/* the state after each prefix */
	for (i = 0; i <= count; i++) {
		fd = fresh(0);
		ASSERT_LE(0, fd);
		batch_set(&b, i);
		ASSERT_EQ(0, vms_ioctl(fd, VMASHADOW_IOC_BATCH, &b));
		ASSERT_EQ(i, b.done) TH_LOG("%s: op %u fails: %d", what, b.done, b.error);
		lseek(fd, 0, SEEK_SET);
		ASSERT_LE(0, vms_read_all(fd, batch_ref_maps[i], sizeof(batch_ref_maps[i])));
		ASSERT_EQ(0, sig_take(fd, &batch_ref_sig[i]));
		close(fd);
	}
	for (n = 1; n < MAX_NTH; n++) {
		bool hit;
		long ret;

		fd = fresh(0);
		ASSERT_LE(0, fd);
		batch_set(&b, count);
		ASSERT_EQ(0, arm(n));
		ret = vms_ioctl(fd, VMASHADOW_IOC_BATCH, &b);
		hit = disarm();
		points += hit;
		ASSERT_EQ(0, vms_read_shadow_maps(fd) < 0);
		ASSERT_EQ(0, sig_take(fd, &batch_sig));
		if (ret == -EFAULT) {
			/*
			 * The header could not be read (nothing applied) or
			 * written back (->done lost): some prefix was applied.
			 */
			ASSERT_TRUE(hit);
			for (i = 0; i <= count; i++)
				if (batch_prefix_is(i))
					break;
			ASSERT_GE(count, i) TH_LOG("%s, n=%u: -EFAULT left no prefix",
						   what, n);
		} else if (ret) {
			/* the chunk buffer: nothing applied */
			ASSERT_EQ(-ENOMEM, ret);
			ASSERT_TRUE(hit);
			ASSERT_TRUE(batch_prefix_is(0)) TH_LOG("%s, n=%u", what, n);
		} else {
			ASSERT_TRUE(b.error == 0 || b.error == -ENOMEM ||
				    b.error == -EFAULT)
				TH_LOG("%s, n=%u: error %d at op %u", what, n,
				       b.error, b.done);
			if (b.error) {
				ASSERT_TRUE(hit);
			} else {
				ASSERT_EQ(count, b.done);
			}
			ASSERT_TRUE(batch_prefix_is(b.done))
				TH_LOG("%s, n=%u: done %u error %d\n%s", what, n,
				       b.done, b.error, vms_shadow_maps);
		}
		ASSERT_EQ(0, vms_validate(fd, NULL));
		close(fd);
		if (!hit)
			break;
	}
	ASSERT_LT(n, MAX_NTH);
	TH_LOG("%s: %u injection points", what, points);
}

/*
 * 70 ops, more than a chunk of the ioctl (64): map, touch, protect and
 * unmap in turn at the head (ops 0-7) and across the chunk's end (ops
 * 60-69), and between them munmap()s of a hole, which allocate nothing.
 * Each injection point replays the whole batch, so the ops that allocate
 * are kept to the places where the batch's own work changes (its first
 * chunk, the second one's copy-in); each kind of operation meets its
 * failures alone in every_operation.  Alternating all 70 ops made 114
 * points and over two minutes of the debug lane.
 */
static bool batch_op_allocates(unsigned int i)
{
	return i < 8 || i >= 60;
}

TEST_F_TIMEOUT(inj, batch, 300)
{
	unsigned int i, k = 0;

	FI_SETUP();
	for (i = 0; i < 70; i++) {
		unsigned long pg = 100 + 3 * (k / 4);

		if (!batch_op_allocates(i)) {
			op_set(&batch_ref_ops[i], VMASHADOW_OP_UNMAP, PG(80), PGS(4),
			       0, 0);
			continue;
		}
		switch (k++ % 4) {
		case 0:
			op_set(&batch_ref_ops[i], VMASHADOW_OP_MAP, PG(pg), PGS(3), RW,
			       ANON | MAP_FIXED);
			break;
		case 1:
			op_set(&batch_ref_ops[i], VMASHADOW_OP_TOUCH, PG(pg + 1), 0, 0, 0);
			break;
		case 2:
			op_set(&batch_ref_ops[i], VMASHADOW_OP_PROTECT, PG(pg + 1), PGS(1),
			       PROT_READ, 0);
			break;
		case 3:
			op_set(&batch_ref_ops[i], VMASHADOW_OP_UNMAP, PG(pg + 2), PGS(1), 0, 0);
			break;
		}
	}
	batch_inject(_metadata, 70, "batch of 70");
}

/*
 * userfaultfd in a batch: contexts opened and closed, registrations that
 * split, merge into a registered neighbour and merge back, a dry run.
 */
TEST_F_TIMEOUT(inj, uffd_batch, 300)
{
	struct vmashadow_op *o = batch_ref_ops;
	unsigned int i = 0;

	FI_SETUP();
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_API, 3, 0, 0, 0);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_REGISTER, 3, PG(2), PGS(2), UM);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_REGISTER, 3, PG(16), PGS(2), UW);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_API, 4, 0, 0, UFFD_FEATURE_EVENT_REMAP);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_REGISTER, 4, PG(30), PGS(4), UM);
	/* a dry run in the middle: nothing changes */
	op_uffd(&o[i], VMASHADOW_OP_UFFD_REGISTER, 3, PG(5), PGS(1), UM | UW);
	o[i++].op_flags = VMASHADOW_OPF_DRY_RUN;
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_UNREGISTER, 3, PG(3), PGS(1), 0);
	/* [3,8) joins the registered [2,3); B split at 12 */
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_REGISTER, 3, PG(2), PGS(10), UM);
	op_set(&o[i++], VMASHADOW_OP_MAP, PG(40), PGS(4), RW, ANON | MAP_FIXED);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_REGISTER, 4, PG(40), PGS(4), UM | UW);
	op_set(&o[i++], VMASHADOW_OP_MAP, PG(44), PGS(2), RW, ANON | MAP_FIXED);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_REGISTER, 4, PG(44), PGS(2), UM | UW);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_UNREGISTER, 4, PG(41), PGS(4), 0);
	op_set(&o[i++], VMASHADOW_OP_PROTECT, PG(42), PGS(1), PROT_READ, 0);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_CLOSE, 3, 0, 0, 0);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_REGISTER, 4, PG(28), PGS(8), UM);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_CLOSE, 4, 0, 0, 0);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_API, 3, 0, 0, 0);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_REGISTER, 3, PG(0), PGS(20), UM);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_UNREGISTER, 3, PG(1), PGS(18), 0);
	op_uffd(&o[i++], VMASHADOW_OP_UFFD_CLOSE, 3, 0, 0, 0);
	batch_inject(_metadata, i, "uffd batch");
}

/*
 * FORK: -ENOMEM or -EFAULT and no new descriptor, or a child equal to the
 * one a FORK without injection gives.  The descriptor is installed only
 * once its number is copied out.  @pre: set-up after the base state.
 */
static void fork_inject(struct __test_metadata *_metadata,
			const struct vmashadow_op *pre, unsigned int npre,
			const char *what)
{
	static char ref_maps[VMS_SNAP_MAPS];
	static struct sig ref_sig, child_sig;
	struct vmashadow_fork f;
	struct vmashadow_op op;
	unsigned int n, i, points = 0;
	long ret;
	int fd, probe;

	for (n = 0; n < MAX_NTH; n++) {
		bool hit;

		fd = fresh(0);
		ASSERT_LE(0, fd);
		for (i = 0; i < npre; i++) {
			op = pre[i];
			ASSERT_EQ(0, vms_ioctl(fd, op_cmd[op.op], &op))
				TH_LOG("%s: set-up step %u", what, i + 1);
		}
		ASSERT_EQ(0, vms_snap_take(fd, &snap_before));
		probe = dup(0);
		close(probe);	/* the number the next descriptor gets */
		memset(&f, 0, sizeof(f));
		f.size = sizeof(f);
		if (n == 0) {
			/* the reference child */
			ASSERT_EQ(0, vms_ioctl(fd, VMASHADOW_IOC_FORK, &f));
			ASSERT_EQ(0, vms_validate(f.fd, NULL));
			ASSERT_EQ(0, vms_read_shadow_maps(f.fd) < 0);
			strcpy(ref_maps, vms_shadow_maps);
			ASSERT_EQ(0, sig_take(f.fd, &ref_sig));
			close(f.fd);
			close(fd);
			continue;
		}
		ASSERT_EQ(0, arm(n));
		ret = vms_ioctl(fd, VMASHADOW_IOC_FORK, &f);
		hit = disarm();
		points += hit;
		VMS_UNCHANGED(fd, &snap_before, "fork's parent");
		if (ret) {
			ASSERT_TRUE(ret == -ENOMEM || ret == -EFAULT)
				TH_LOG("%s, n=%u: %ld", what, n, ret);
			ASSERT_TRUE(hit);
			/* no descriptor was left behind, not even on -EFAULT */
			ASSERT_EQ(-EBADF, fcntl(probe, F_GETFD) < 0 ? -errno : 0)
				TH_LOG("%s, n=%u: fd %d installed by a failed FORK",
				       what, n, probe);
		} else {
			ASSERT_LE(0, f.fd);
			ASSERT_EQ(0, vms_validate(f.fd, NULL));
			ASSERT_EQ(0, vms_read_shadow_maps(f.fd) < 0);
			ASSERT_STREQ(ref_maps, vms_shadow_maps) TH_LOG("%s, n=%u", what, n);
			ASSERT_EQ(0, sig_take(f.fd, &child_sig));
			ASSERT_TRUE(sig_eq(&ref_sig, &child_sig))
				TH_LOG("%s, n=%u: the child's flags or contexts differ",
				       what, n);
			close(f.fd);
		}
		close(fd);
		if (!hit)
			break;
	}
	ASSERT_LT(n, MAX_NTH);
	TH_LOG("%s: %u injection points", what, points);
}

TEST_F_TIMEOUT(inj, fork, 300)
{
	FI_SETUP();
	fork_inject(_metadata, NULL, 0, "fork");
}

/*
 * FORK of a shadow with registrations: context 1 with EVENT_FORK (when
 * the caller may ptrace; else without) keeps [2,4) registered in the
 * child, context 2 without it leaves the child [29,30) unregistered.
 */
TEST_F_TIMEOUT(inj, uffd_fork, 300)
{
	struct vmashadow_op pre[4], op;
	unsigned int feat = UFFD_FEATURE_EVENT_FORK;
	int fd;

	FI_SETUP();
	fd = fresh(0);
	ASSERT_LE(0, fd);
	op_uffd(&op, VMASHADOW_OP_UFFD_API, 1, 0, 0, feat);
	if (vms_ioctl(fd, VMASHADOW_IOC_UFFD_API, &op) == -EPERM)
		feat = 0;
	close(fd);
	op_uffd(&pre[0], VMASHADOW_OP_UFFD_API, 1, 0, 0, feat);
	op_uffd(&pre[1], VMASHADOW_OP_UFFD_REGISTER, 1, PG(2), PGS(2), UM);
	op_uffd(&pre[2], VMASHADOW_OP_UFFD_API, 2, 0, 0, 0);
	op_uffd(&pre[3], VMASHADOW_OP_UFFD_REGISTER, 2, PG(29), PGS(1), UM | UW);
	TH_LOG("context 1 %s EVENT_FORK", feat ? "with" : "without");
	fork_inject(_metadata, pre, 4, "uffd fork");
}

/*
 * IMPORT of this process: -ENOMEM or -EFAULT and the old shadow, or the
 * import (also when ->regions could not be copied out: -EFAULT).
 */
TEST_F_TIMEOUT(inj, import, 300)
{
	struct vmashadow_import im;
	unsigned int n, points = 0;
	long ret;
	int fd;

	FI_SETUP();
	for (n = 1; n < MAX_NTH; n++) {
		bool hit;

		fd = fresh(0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, vms_snap_take(fd, &snap_before));
		memset(&im, 0, sizeof(im));
		im.size = sizeof(im);
		im.pid = (n & 1) ? 0 : getpid();
		ASSERT_EQ(0, arm(n));
		ret = vms_ioctl(fd, VMASHADOW_IOC_IMPORT, &im);
		hit = disarm();
		points += hit;
		if (ret == -EFAULT && vms_snap_take(fd, &snap_after) == 0 &&
		    vms_snap_diff(&snap_before, &snap_after)) {
			/* imported; ->regions could not be copied out */
			ASSERT_TRUE(hit);
			ASSERT_EQ(0, vms_validate(fd, NULL));
			ASSERT_LT(5, vms_shadow_map_count(fd));
		} else if (ret) {
			/*
			 * Another process's import opens its /proc/PID/maps:
			 * procfs reports its own failed allocations as -ENOENT
			 * and -ENFILE.
			 */
			ASSERT_TRUE(ret == -ENOMEM || ret == -EFAULT ||
				    (hit && im.pid && (ret == -ENFILE ||
						       ret == -ENOENT)))
				TH_LOG("n=%u: %ld", n, ret);
			ASSERT_TRUE(hit);
			VMS_UNCHANGED(fd, &snap_before, "failed import");
		} else {
			ASSERT_LT(5, im.regions);
			ASSERT_EQ(0, vms_validate(fd, NULL));
		}
		close(fd);
		if (!hit)
			break;
	}
	ASSERT_LT(n, MAX_NTH);
	TH_LOG("import: %u injection points", points);
}

/* The queries and read(): -ENOMEM, -EFAULT or the answer, never a change. */
TEST_F_TIMEOUT(inj, queries_and_open, 300)
{
	static char buf[VMS_SNAP_MAPS];
	struct vmashadow_find f;
	struct vmashadow_list l;
	struct vmashadow_region regs[16];
	char name[256];
	unsigned int q, n, points = 0;
	long ret;
	int fd;

	FI_SETUP();
	fd = fresh(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vms_snap_take(fd, &snap_before));
	for (q = 0; q < 4; q++) {
		for (n = 1; n < MAX_NTH; n++) {
			bool hit;

			memset(&f, 0, sizeof(f));
			f.size = sizeof(f);
			f.mode = VMASHADOW_FIND_LOOKUP;
			f.addr = PG(23);
			f.name_addr = (unsigned long)name;
			f.name_size = sizeof(name);
			memset(&l, 0, sizeof(l));
			l.size = sizeof(l);
			l.region_size = sizeof(regs[0]);
			l.regions = (unsigned long)regs;
			l.count = 16;
			lseek(fd, 0, SEEK_SET);
			ASSERT_EQ(0, arm(n));
			switch (q) {
			case 0:
				ret = vms_ioctl(fd, VMASHADOW_IOC_FIND, &f);
				break;
			case 1:
				ret = vms_ioctl(fd, VMASHADOW_IOC_LIST, &l);
				break;
			case 2:
				ret = read(fd, buf, sizeof(buf));
				ret = ret < 0 ? -errno : 0;
				break;
			default:
				ret = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
				ret = ret < 0 ? -errno : (close(ret), 0);
				break;
			}
			hit = disarm();
			points += hit;
			ASSERT_TRUE(ret == 0 || (hit && (ret == -ENOMEM || ret == -ENFILE ||
							 ret == -EFAULT)))
				TH_LOG("query %u, n=%u: %ld", q, n, ret);
			VMS_UNCHANGED(fd, &snap_before, "query");
			if (!hit)
				break;
		}
		ASSERT_LT(n, MAX_NTH);
	}
	TH_LOG("queries, read() and open(): %u injection points", points);
}

TEST_HARNESS_MAIN
