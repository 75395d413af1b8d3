// SPDX-License-Identifier: GPL-2.0
/*
 * ioctlfuzz: a seeded, time-bounded ioctl fuzzer (issue 8).
 *
 * Mostly valid operations on a pool of 64 pages (mmap, munmap, mprotect,
 * mremap, madvise, a write fault, batches, dry runs, fork, find), mixed
 * with garbage: unknown commands, random sizes and bytes, mutated valid
 * structures, NULL, unmapped and kernel pointers.  After every step the
 * shadow must validate and its pool must match a reference model kept
 * here: which pages are mapped and with what protection.  A garbage call
 * refused with -EINVAL, -ENOTTY or -E2BIG, or whose argument could not be
 * read at all, must have changed nothing; other garbage outcomes re-sync
 * the model from the shadow (and are counted).
 *
 *   ioctlfuzz [--seconds N] [--seed S]
 *
 * Defaults: 20 seconds (VMS_SOAK_SECONDS overrides, for make soak), a seed
 * from the clock (VMS_FUZZ_SEED overrides); the seed is printed so that a
 * failure can be replayed.
 */
#include <stdlib.h>
#include <time.h>
#include <sys/syscall.h>
#include "vms_snap.h"

#define NPG		64
#define POOL		PG(0)
#define POOL_END	PG(NPG)
#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define KPTR		0xffffffff81000000UL
#define PSZ		4096UL

static unsigned long fuzz_seconds = 20;
static unsigned long long seed;

/* the model: -1 unmapped, else the protection (R 1, W 2, X 4) */
static signed char model[NPG];
static signed char shadow_pg[NPG];

static unsigned long long rng_state;

static unsigned long long rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static unsigned long rn(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static struct {
	unsigned long steps, valid, garbage, dry, batches, forks, finds;
	unsigned long uffd, uffd_ok;
	unsigned long resyncs, strict, ok, fail;
} st;

/* The shadow's pool, page by page; also checks nothing else overlaps it. */
static int read_pool_ex(int fd, __u64 exclude)
{
	static struct vmashadow_region r[NPG + 2];
	struct vmashadow_list l;
	unsigned int i, p;
	long ret;

	memset(shadow_pg, -1, sizeof(shadow_pg));
	memset(&l, 0, sizeof(l));
	l.addr = POOL;
	for (;;) {
		l.size = sizeof(l);
		l.region_size = sizeof(r[0]);
		l.regions = (unsigned long)r;
		l.count = NPG + 2;
		ret = vms_ioctl(fd, VMASHADOW_IOC_LIST, &l);
		if (ret)
			return ret;
		if (!l.count)
			return 0;
		for (i = 0; i < l.count; i++) {
			if (r[i].start >= POOL_END)
				return 0;
			if (r[i].start & (PSZ - 1) || r[i].end & (PSZ - 1) ||
			    r[i].start >= r[i].end)
				return -EUCLEAN;
			for (p = 0; p < NPG; p++) {
				unsigned long a = PG(p);

				if (a >= r[i].start && a < r[i].end) {
					if (shadow_pg[p] != -1)
						return -EUCLEAN;
					if (!(r[i].vm_flags & exclude))
						shadow_pg[p] = r[i].vm_flags & 7;
				}
			}
		}
	}
}

static int read_pool(int fd)
{
	return read_pool_ex(fd, 0);
}

static void dump_pool(const signed char *m, char *out)
{
	unsigned int p;

	for (p = 0; p < NPG; p++)
		out[p] = m[p] < 0 ? '.' : "0123456789"[m[p]];
	out[NPG] = 0;
}

/* ---- the model's operations ------------------------------------------------------- */

static void m_map(signed char *m, unsigned int a, unsigned int n, int prot)
{
	memset(m + a, prot & 7, n);
}

static void m_unmap(signed char *m, unsigned int a, unsigned int n)
{
	memset(m + a, -1, n);
}

/* mprotect: from a, page by page, until a hole; -ENOMEM if one is met. */
static long m_protect(signed char *m, unsigned int a, unsigned int n, int prot)
{
	unsigned int p;

	if (m[a] < 0)
		return -ENOMEM;
	for (p = a; p < a + n; p++) {
		if (m[p] < 0)
			return -ENOMEM;
		m[p] = prot & 7;
	}
	return 0;
}

static bool all_unmapped(const signed char *m, unsigned int a, unsigned int n)
{
	unsigned int p;

	for (p = a; p < a + n; p++)
		if (m[p] >= 0)
			return false;
	return true;
}

/* ---- one valid operation ------------------------------------------------------------- */

static const int prots[] = { PROT_NONE, PROT_READ, RW, PROT_READ | PROT_EXEC,
			     RW | PROT_EXEC };
static const int advices[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL,
			       MADV_WILLNEED, MADV_DONTNEED, MADV_DONTFORK,
			       MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP,
			       MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_WIPEONFORK,
			       MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_FREE };

static void range(unsigned int *a, unsigned int *n)
{
	*a = rn(NPG);
	*n = 1 + (rn(4) ? rn(8) : rn(NPG));
	if (*a + *n > NPG)
		*n = NPG - *a;
}

static void op_init(struct vmashadow_op *op, unsigned int which)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->op = which;
	op->fd = -1;
}

static const unsigned long op_cmd[] = {
	0, VMASHADOW_IOC_MAP, VMASHADOW_IOC_UNMAP, VMASHADOW_IOC_PROTECT,
	VMASHADOW_IOC_TOUCH, VMASHADOW_IOC_REMAP, VMASHADOW_IOC_BRK,
	VMASHADOW_IOC_MADVISE, VMASHADOW_IOC_SEAL,
	[VMASHADOW_OP_UFFD_API] = VMASHADOW_IOC_UFFD_API,
	[VMASHADOW_OP_UFFD_REGISTER] = VMASHADOW_IOC_UFFD_REGISTER,
	[VMASHADOW_OP_UFFD_UNREGISTER] = VMASHADOW_IOC_UFFD_UNREGISTER,
	[VMASHADOW_OP_UFFD_CLOSE] = VMASHADOW_IOC_UFFD_CLOSE,
};

/*
 * A simple op (MAP, UNMAP, PROTECT) whose outcome the model predicts
 * exactly: builds it, returns the predicted result, leaves the predicted
 * state in @next.
 */
static long simple_op(struct vmashadow_op *op, signed char *next)
{
	unsigned int a, n;
	int prot = prots[rn(5)];

	range(&a, &n);
	switch (rn(4)) {
	case 0:
	case 1:
		op_init(op, VMASHADOW_OP_MAP);
		op->addr = PG(a);
		op->len = PGS(n);
		op->prot = prot;
		op->flags = (rn(4) ? ANON : MAP_SHARED | MAP_ANONYMOUS) |
			    (rn(5) ? MAP_FIXED : MAP_FIXED_NOREPLACE);
		if ((op->flags & MAP_FIXED_NOREPLACE) && !all_unmapped(next, a, n))
			return -EEXIST;
		m_map(next, a, n, prot);
		return 0;
	case 2:
		op_init(op, VMASHADOW_OP_UNMAP);
		op->addr = PG(a);
		op->len = PGS(n);
		m_unmap(next, a, n);
		return 0;
	default:
		op_init(op, VMASHADOW_OP_PROTECT);
		op->addr = PG(a);
		op->len = PGS(n);
		op->prot = prot;
		return m_protect(next, a, n, prot);
	}
}

#define NCAND 4

struct outcome {
	signed char cand[NCAND][NPG];
	unsigned int ncand;
	long expect;		/* the predicted result, or 1: any */
};

static void cand_add(struct outcome *o, const signed char *m)
{
	memcpy(o->cand[o->ncand++], m, NPG);
}

/*
 * A valid operation of any kind: fills @op and the acceptable outcomes
 * given what the call returned (called again with the result for mremap).
 */
static void remap_outcome(const struct vmashadow_op *op, long ret,
			  struct outcome *o)
{
	unsigned int a = (op->addr - POOL) / PSZ, old = op->len / PSZ;
	unsigned int new = op->new_len / PSZ;
	signed char m[NPG];
	int prot = model[a];

	o->ncand = 0;
	o->expect = 1;
	memcpy(m, model, NPG);
	if (ret == 0) {
		unsigned long res = op->result;

		if (op->flags & MREMAP_FIXED) {
			unsigned int b = (op->new_addr - POOL) / PSZ;

			m_unmap(m, a, old);
			m_map(m, b, new, prot);
		} else if (res == op->addr) {
			if (new < old)
				m_unmap(m, a + new, old - new);
			else if (new > old)
				m_map(m, a + old, new - old, prot);
		} else {
			m_unmap(m, a, old);
			if (res >= POOL && res < POOL_END)
				m_map(m, (res - POOL) / PSZ, new, prot);
		}
		cand_add(o, m);
		return;
	}
	/* failed: unchanged, or (FIXED) the destination and tail unmapped first */
	cand_add(o, m);
	if (op->flags & MREMAP_FIXED) {
		unsigned int b = (op->new_addr - POOL) / PSZ;

		m_unmap(m, b, new);
		cand_add(o, m);
		if (old > new) {
			m_unmap(m, a + new, old - new);
			cand_add(o, m);
		}
	}
}

static bool pool_is(const signed char *m)
{
	return !memcmp(m, shadow_pg, NPG);
}

static int check_outcome(int fd, struct outcome *o, long ret, const char *what,
			 const struct vmashadow_op *op)
{
	unsigned int i;
	long err = read_pool(fd);
	char a[NPG + 1], b[NPG + 1];

	if (err) {
		printf("# step %lu (%s): LIST: %ld\n", st.steps, what, err);
		return -1;
	}
	if (o->expect != 1 && ret != o->expect) {
		printf("# step %lu (%s): returned %ld, model says %ld\n",
		       st.steps, what, ret, o->expect);
		goto bad;
	}
	for (i = 0; i < o->ncand; i++) {
		if (pool_is(o->cand[i])) {
			memcpy(model, o->cand[i], NPG);
			return 0;
		}
	}
	printf("# step %lu (%s): shadow does not match the model (ret %ld)\n",
	       st.steps, what, ret);
bad:
	dump_pool(model, a);
	dump_pool(shadow_pg, b);
	printf("#   before %s\n#   shadow %s\n", a, b);
	for (i = 0; i < o->ncand; i++) {
		dump_pool(o->cand[i], a);
		printf("#   model  %s\n", a);
	}
	if (op)
		printf("#   op %u addr %#llx len %#llx prot %#x flags %#x new_addr %#llx new_len %#llx op_flags %#x result %#llx\n",
		       op->op, op->addr, op->len, op->prot, op->flags,
		       op->new_addr, op->new_len, op->op_flags, op->result);
	return -1;
}

/* ---- userfaultfd ----------------------------------------------------------------------- */

#define UFFD_MODES	(VMASHADOW_VM_UFFD_MISSING | VMASHADOW_VM_UFFD_WP | \
			 VMASHADOW_VM_UFFD_MINOR)
#define CTX_OF(r)	(((r).state & VMASHADOW_STATE_UFFD_MASK) >> \
			 VMASHADOW_STATE_UFFD_SHIFT)
/* UFFD_FEATURE_EVENT_FORK, and all the features 6.1 knows */
#define F_FORK		(1U << 1)
#define F_KNOWN_6_1	0x1fffU

/* A context number: mostly 1-3, else 0, 127, 128 or far beyond. */
static __u64 rnd_ctx(void)
{
	switch (rn(12)) {
	case 0:
		return 0;
	case 1:
		return VMASHADOW_UFFD_MAX;
	case 2:
		return VMASHADOW_UFFD_MAX + 1;
	case 3:
		return rn(2) ? 1ULL << (8 + rn(56)) : ~0ULL - rn(2);
	case 4:
		return 4 + rn(VMASHADOW_UFFD_MAX - 4);
	default:
		return 1 + rn(3);
	}
}

static __u32 rnd_features(void)
{
	switch (rn(6)) {
	case 0:
		return 0;
	case 1:
		return 1U << rn(18);
	case 2:
		return rnd() & F_KNOWN_6_1 & ~F_FORK;
	case 3:
		return rnd() & 0x1ffff;
	default:
		return rnd();
	}
}

/* Is context @ctx open?  A dry-run CLOSE says so and changes nothing. */
static long uffd_is_open(int fd, __u64 ctx)
{
	struct vmashadow_op op;
	long ret;

	op_init(&op, VMASHADOW_OP_UFFD_CLOSE);
	op.offset = ctx;
	op.op_flags = VMASHADOW_OPF_DRY_RUN;
	ret = vms_ioctl(fd, VMASHADOW_IOC_UFFD_CLOSE, &op);
	return ret == 0 ? 1 : ret == -EBADF ? 0 : ret;
}

/*
 * After a successful REGISTER or UNREGISTER of [addr, addr + len), or a
 * CLOSE (@len 0): every region meeting the range (every region, for
 * CLOSE) carries what the call leaves.
 */
static int uffd_check_regions(int fd, const struct vmashadow_op *op)
{
	static struct vmashadow_region r[4096];
	long n = vms_list_all(fd, r, 4096), i;
	__u64 want = 0;

	if (n < 0)
		return n;
	if (op->op == VMASHADOW_OP_UFFD_REGISTER) {
		if (op->flags & 1)
			want |= VMASHADOW_VM_UFFD_MISSING;
		if (op->flags & 2)
			want |= VMASHADOW_VM_UFFD_WP;
		if (op->flags & 4)
			want |= VMASHADOW_VM_UFFD_MINOR;
	}
	for (i = 0; i < n; i++) {
		bool in = op->op == VMASHADOW_OP_UFFD_CLOSE ? CTX_OF(r[i]) == op->offset :
			  r[i].end > op->addr && r[i].start < op->addr + op->len;
		unsigned int ctx = CTX_OF(r[i]);
		bool bad = false;

		if (!!(r[i].vm_flags & UFFD_MODES) != !!ctx)
			bad = true;	/* modes without a context or the reverse */
		if (!in)
			;
		else if (op->op == VMASHADOW_OP_UFFD_REGISTER)
			bad |= ctx != op->offset || (r[i].vm_flags & want) != want;
		else
			bad |= ctx || (r[i].vm_flags & UFFD_MODES);
		if (bad) {
			printf("# step %lu: op %u ctx %llu [%#llx, +%#llx) flags %#x: region [%#llx, %#llx) flags %#llx context %u\n",
			       st.steps, op->op, op->offset, op->addr, op->len,
			       op->flags, r[i].start, r[i].end, r[i].vm_flags, ctx);
			return -1;
		}
	}
	return 0;
}

/*
 * One userfaultfd call with random and edge arguments.  Coverage and
 * protection never change; the result is predicted where the arguments
 * decide it (a context out of range, a context not open, a bad mode or
 * range), else it must be one the call can give; and what a success left
 * is checked.  Sometimes a dry run first, which must change nothing and
 * say what the call then says.
 */
static int uffd_step(int fd)
{
	static struct vms_snap snap_a, snap_b;
	struct vmashadow_op op, dry;
	struct outcome o;
	/* API 3 in 10, REGISTER 7 in 20, UNREGISTER 1 in 4, CLOSE 1 in 10 */
	unsigned int a, n, k = rn(20), which =
		k < 6 ? VMASHADOW_OP_UFFD_API : k < 13 ? VMASHADOW_OP_UFFD_REGISTER :
		k < 18 ? VMASHADOW_OP_UFFD_UNREGISTER : VMASHADOW_OP_UFFD_CLOSE;
	bool in_range, bad_range = false, dry_run = rn(8) == 0;
	long open, ret, dret = 0, expect = 1;
	const long *allowed;
	static const long api_ok[] = { 0, -EINVAL, -EPERM, 1 };
	static const long reg_ok[] = { 0, -EBADF, -EINVAL, -EPERM, -EBUSY, -ENOMEM, 1 };
	static const long unreg_ok[] = { 0, -EBADF, -EINVAL, -ENOMEM, 1 };
	static const long close_ok[] = { 0, -EBADF, 1 };

	st.uffd++;
	op_init(&op, which);
	op.offset = rnd_ctx();
	in_range = op.offset >= 1 && op.offset <= VMASHADOW_UFFD_MAX;
	if (which == VMASHADOW_OP_UFFD_REGISTER || which == VMASHADOW_OP_UFFD_UNREGISTER) {
		range(&a, &n);
		op.addr = PG(a);
		op.len = PGS(n);
		switch (rn(16)) {
		case 0:
			op.len = 0;
			bad_range = true;
			break;
		case 1:
			op.addr += 1 + rn(PSZ - 1);
			bad_range = true;
			break;
		case 2:
			op.len -= 1 + rn(PSZ - 1);
			bad_range = true;
			break;
		case 3:
			op.len = -PSZ;	/* wraps */
			bad_range = true;
			break;
		case 4:
			op.addr = 0x800000000000UL;	/* TASK_SIZE of 4 levels */
			bad_range = true;
			break;
		case 5:
			op.addr = 0;	/* below the pool: a hole, then the pool */
			op.len = PGS(1 + rn(NPG));
			break;
		}
	}
	if (which == VMASHADOW_OP_UFFD_API)
		op.flags = rnd_features();
	if (which == VMASHADOW_OP_UFFD_REGISTER)
		op.flags = rn(4) ? 1 + rn(3) : rn(9);	/* modes 0-8, mostly valid */
	open = in_range ? uffd_is_open(fd, op.offset) : 0;
	if (open < 0) {
		printf("# step %lu: dry-run CLOSE of %llu: %ld\n", st.steps, op.offset, open);
		return -1;
	}

	switch (which) {
	case VMASHADOW_OP_UFFD_API:
		allowed = api_ok;
		if (!in_range)
			expect = -EBADF;
		else if (open && !(op.flags & F_FORK))
			expect = -EINVAL;	/* a second handshake */
		else if (open)
			;	/* -EINVAL, or -EPERM checked first */
		else if (!(op.flags & ~F_KNOWN_6_1) && !(op.flags & F_FORK))
			expect = 0;
		break;
	case VMASHADOW_OP_UFFD_REGISTER:
		allowed = reg_ok;
		if (!open)
			expect = -EBADF;
		else if (!op.flags || op.flags > 7 || bad_range)
			expect = -EINVAL;
		break;
	case VMASHADOW_OP_UFFD_UNREGISTER:
		allowed = unreg_ok;
		if (!open)
			expect = -EBADF;
		else if (bad_range)
			expect = -EINVAL;
		break;
	default:
		allowed = close_ok;
		expect = open ? 0 : -EBADF;
		break;
	}

	if (dry_run) {
		st.dry++;
		dry = op;
		dry.op_flags = VMASHADOW_OPF_DRY_RUN;
		if (vms_snap_take(fd, &snap_a))
			return -1;
		dret = vms_ioctl(fd, op_cmd[which], &dry);
		if (vms_snap_take(fd, &snap_b))
			return -1;
		if (vms_snap_diff(&snap_a, &snap_b) ||
		    (in_range && uffd_is_open(fd, op.offset) != open)) {
			printf("# step %lu: a dry run of uffd op %u (ctx %llu) gave %ld and changed the shadow (%s)\n",
			       st.steps, which, op.offset, dret,
			       vms_snap_diff(&snap_a, &snap_b) ?: "contexts");
			return -1;
		}
	}
	ret = vms_ioctl(fd, op_cmd[which], &op);
	if (dry_run && (dret != ret || (!ret && dry.map_count != op.map_count))) {
		printf("# step %lu: uffd op %u (ctx %llu flags %#x [%#llx, +%#llx)): dry run %ld (%llu regions), op %ld (%llu regions)\n",
		       st.steps, which, op.offset, op.flags, op.addr, op.len,
		       dret, dry.map_count, ret, op.map_count);
		return -1;
	}
	if (expect != 1 && ret != expect) {
		printf("# step %lu: uffd op %u (ctx %llu flags %#x [%#llx, +%#llx), open %ld): %ld, expected %ld\n",
		       st.steps, which, op.offset, op.flags, op.addr, op.len,
		       open, ret, expect);
		return -1;
	}
	for (; expect == 1 && *allowed != 1 && *allowed != ret; allowed++)
		;
	if (expect == 1 && *allowed == 1) {
		printf("# step %lu: uffd op %u (ctx %llu flags %#x [%#llx, +%#llx)): %ld is not one it gives\n",
		       st.steps, which, op.offset, op.flags, op.addr, op.len, ret);
		return -1;
	}
	if (ret == -EBADF && open) {
		printf("# step %lu: uffd op %u: -EBADF for the open context %llu\n",
		       st.steps, which, op.offset);
		return -1;
	}
	if (!ret) {
		st.uffd_ok++;
		/* API opens, CLOSE closes, the others leave it open */
		if (uffd_is_open(fd, op.offset) != (which != VMASHADOW_OP_UFFD_CLOSE)) {
			printf("# step %lu: uffd op %u: context %llu open: %ld\n",
			       st.steps, which, op.offset, uffd_is_open(fd, op.offset));
			return -1;
		}
		if (which != VMASHADOW_OP_UFFD_API && uffd_check_regions(fd, &op))
			return -1;
	}
	o.ncand = 0;
	o.expect = 1;
	cand_add(&o, model);
	return check_outcome(fd, &o, ret, "uffd", &op);
}

static int valid_step(int fd)
{
	struct vmashadow_op op;
	struct outcome o;
	signed char next[NPG];
	long ret;
	unsigned int a, n, k = rn(100);

	st.valid++;
	/* userfaultfd: one step in 12, the others' shares as they were */
	if (rn(12) == 0)
		return uffd_step(fd);
	memcpy(next, model, NPG);
	o.ncand = 0;
	if (k < 55) {
		/* MAP, UNMAP, PROTECT; sometimes a dry run first */
		o.expect = simple_op(&op, next);
		cand_add(&o, next);
		if (rn(8) == 0) {
			struct vmashadow_op dry = op;
			struct outcome same = { .ncand = 1, .expect = o.expect };
			long dret;

			st.dry++;
			memcpy(same.cand[0], model, NPG);
			dry.op_flags = VMASHADOW_OPF_DRY_RUN;
			dret = vms_ioctl(fd, op_cmd[op.op], &dry);
			if (check_outcome(fd, &same, dret, "dry run", &dry))
				return -1;
			ret = vms_ioctl(fd, op_cmd[op.op], &op);
			if (!ret && !dret && dry.map_count != op.map_count) {
				printf("# step %lu: dry run said %llu regions, the op made %llu\n",
				       st.steps, dry.map_count, op.map_count);
				return -1;
			}
		} else {
			ret = vms_ioctl(fd, op_cmd[op.op], &op);
		}
		return check_outcome(fd, &o, ret, "op", &op);
	}
	if (k < 65) {
		/* TOUCH, MADVISE: no change of coverage or protection */
		range(&a, &n);
		if (rn(2)) {
			op_init(&op, VMASHADOW_OP_TOUCH);
			op.addr = PG(a) + rn(PSZ);
		} else {
			op_init(&op, VMASHADOW_OP_MADVISE);
			op.addr = PG(a);
			op.len = PGS(n);
			op.flags = advices[rn(sizeof(advices) / sizeof(advices[0]))];
		}
		ret = vms_ioctl(fd, op_cmd[op.op], &op);
		o.expect = 1;
		cand_add(&o, model);
		return check_outcome(fd, &o, ret, "touch/madvise", &op);
	}
	if (k < 80) {
		/* mremap: shrink, grow in place, move anywhere, move to a fixed place */
		unsigned int b, m;

		range(&a, &n);
		op_init(&op, VMASHADOW_OP_REMAP);
		op.addr = PG(a);
		op.len = PGS(n);
		switch (rn(4)) {
		case 0:
			m = 1 + rn(n);
			op.new_len = PGS(m);
			break;
		case 1:
			m = n + 1 + rn(4);
			if (a + m > NPG)
				m = NPG - a;
			op.new_len = PGS(m);
			break;
		case 2:
			m = 1 + rn(8);
			op.new_len = PGS(m);
			op.flags = MREMAP_MAYMOVE;
			break;
		default:
			m = 1 + rn(8);
			b = rn(NPG - m + 1);
			op.new_len = PGS(m);
			op.new_addr = PG(b);
			op.flags = MREMAP_MAYMOVE | MREMAP_FIXED;
			break;
		}
		ret = vms_ioctl(fd, VMASHADOW_IOC_REMAP, &op);
		/* a grow in place must stay in the pool */
		remap_outcome(&op, ret, &o);
		return check_outcome(fd, &o, ret, "mremap", &op);
	}
	if (k < 90) {
		/* a batch of simple ops: applied up to the first failure */
		static struct vmashadow_op ops[8];
		static signed char after[9][NPG];
		long pred[8];
		struct vmashadow_batch bt;
		unsigned int i, cnt = 1 + rn(8), stop = cnt;

		st.batches++;
		memcpy(after[0], model, NPG);
		for (i = 0; i < cnt; i++) {
			memcpy(after[i + 1], after[i], NPG);
			pred[i] = simple_op(&ops[i], after[i + 1]);
			if (pred[i] && stop == cnt)
				stop = i;
		}
		memset(&bt, 0, sizeof(bt));
		bt.size = sizeof(bt);
		bt.op_size = sizeof(ops[0]);
		bt.ops = (unsigned long)ops;
		bt.count = cnt;
		ret = vms_ioctl(fd, VMASHADOW_IOC_BATCH, &bt);
		if (ret || bt.done != stop ||
		    bt.error != (stop < cnt ? pred[stop] : 0)) {
			printf("# step %lu: batch of %u: ret %ld done %u error %d, model: done %u error %ld\n",
			       st.steps, cnt, ret, bt.done, bt.error, stop,
			       stop < cnt ? pred[stop] : 0);
			return -1;
		}
		o.expect = 1;
		/* mprotect over a hole changes what it met first */
		cand_add(&o, after[stop < cnt && ops[stop].op == VMASHADOW_OP_PROTECT ?
				   stop + 1 : stop]);
		return check_outcome(fd, &o, 0, "batch", NULL);
	}
	if (k < 93) {
		/* fork: the child's pool is ours */
		struct vmashadow_fork f;

		st.forks++;
		memset(&f, 0, sizeof(f));
		f.size = sizeof(f);
		ret = vms_ioctl(fd, VMASHADOW_IOC_FORK, &f);
		if (ret) {
			printf("# step %lu: FORK %ld\n", st.steps, ret);
			return -1;
		}
		/* the child is the parent without its VM_DONTCOPY regions */
		if (read_pool_ex(fd, VMASHADOW_VM_DONTCOPY)) {
			close(f.fd);
			return -1;
		}
		o.expect = 1;
		cand_add(&o, shadow_pg);
		memcpy(next, model, NPG);
		ret = check_outcome(f.fd, &o, 0, "fork child", NULL);
		memcpy(model, next, NPG);
		if (!ret && vms_validate(f.fd, NULL)) {
			printf("# step %lu: the fork's child does not validate\n", st.steps);
			ret = -1;
		}
		close(f.fd);
		return ret;
	}
	{
		/* find_vma and friends against the model */
		struct vmashadow_find f;
		unsigned int p = rn(NPG);

		st.finds++;
		ret = vms_find(fd, VMASHADOW_FIND_LOOKUP, PG(p) + rn(PSZ), 0, &f);
		if ((model[p] >= 0) != (ret == 0) ||
		    (!ret && (f.region.vm_flags & 7) != (unsigned)model[p])) {
			printf("# step %lu: LOOKUP page %u: %ld flags %#llx, model %d\n",
			       st.steps, p, ret, f.region.vm_flags, model[p]);
			return -1;
		}
		return 0;
	}
}

/* ---- garbage ------------------------------------------------------------------------------ */

static const unsigned long cmds[] = {
	VMASHADOW_IOC_VERSION, VMASHADOW_IOC_GET_PARAMS, VMASHADOW_IOC_SET_PARAMS,
	VMASHADOW_IOC_MAP, VMASHADOW_IOC_UNMAP, VMASHADOW_IOC_PROTECT,
	VMASHADOW_IOC_TOUCH, VMASHADOW_IOC_REMAP, VMASHADOW_IOC_BRK,
	VMASHADOW_IOC_MADVISE, VMASHADOW_IOC_SEAL, VMASHADOW_IOC_MAP_VDSO,
	VMASHADOW_IOC_MLOCK, VMASHADOW_IOC_MUNLOCK, VMASHADOW_IOC_MLOCKALL,
	VMASHADOW_IOC_MUNLOCKALL, VMASHADOW_IOC_BATCH,
	VMASHADOW_IOC_UFFD_API, VMASHADOW_IOC_UFFD_REGISTER,
	VMASHADOW_IOC_UFFD_UNREGISTER, VMASHADOW_IOC_UFFD_CLOSE,
	VMASHADOW_IOC_FORK, VMASHADOW_IOC_IMPORT, VMASHADOW_IOC_FIND,
	VMASHADOW_IOC_LIST, VMASHADOW_IOC_STATS, VMASHADOW_IOC_VALIDATE,
	VMASHADOW_IOC_EXPLAIN,
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static char *edge;		/* a page followed by an unmapped one */
static char *gbuf;		/* garbage structures */
static char *garray;		/* arrays for LIST, BATCH, names */
static void *unmapped;
static struct vmashadow_params base_params;

static unsigned long rnd_value(void)
{
	switch (rn(10)) {
	case 0:
		return 0;
	case 1:
		return ~0UL;
	case 2:
		return KPTR;
	case 3:
		return PG(rn(NPG)) + (rn(4) ? 0 : rn(PSZ));
	case 4:
		return PGS(rn(NPG));
	case 5:
		return 1UL << rn(64);
	case 6:
		return (unsigned long)garray + rn(4096);
	case 7:
		return rn(16);
	default:
		return rnd();
	}
}

static void *rnd_pointer(bool *unreadable)
{
	*unreadable = true;
	switch (rn(6)) {
	case 0:
		return NULL;
	case 1:
		return (void *)KPTR;
	case 2:
		return unmapped;
	case 3:
		return (void *)0x0000800000000000UL;
	case 4:
		return (void *)(0xffff888000000000UL + rn(1UL << 30));
	default:
		*unreadable = false;
		return edge + PSZ - 1 - rn(256);	/* may or may not fit */
	}
}

/* The fds this process had before: everything else a FORK left is closed. */
static int known_max;

static void close_strays(void)
{
	int f;

	for (f = known_max + 1; f < known_max + 256; f++)
		close(f);
}

static int garbage_step(int fd)
{
	unsigned long cmd;
	void *arg = gbuf;
	bool unreadable = false;
	long ret;
	unsigned int i, k = rn(100);
	struct vms_snap *before = NULL;

	st.garbage++;
	if (k < 70) {
		cmd = cmds[rn(NCMDS)];
	} else if (k < 90) {
		cmd = _IOC(rn(4), VMASHADOW_IOC_MAGIC, rn(256), rn(1 << 14));
	} else {
		cmd = (unsigned int)rnd();
	}
	/* the argument */
	k = rn(100);
	if (k < 45) {
		/* a valid-looking structure with a few fields mutated */
		unsigned int size = _IOC_SIZE(cmd) ? _IOC_SIZE(cmd) : 64;

		memset(gbuf, 0, 8192);
		if (size > 4096)
			size = 4096;
		*(__u32 *)gbuf = size;
		if (cmd == VMASHADOW_IOC_BATCH) {
			((struct vmashadow_batch *)gbuf)->op_size = sizeof(struct vmashadow_op);
			((struct vmashadow_batch *)gbuf)->ops = (unsigned long)garray;
			((struct vmashadow_batch *)gbuf)->count = rn(8);
		}
		if (cmd == VMASHADOW_IOC_LIST) {
			((struct vmashadow_list *)gbuf)->region_size = sizeof(struct vmashadow_region);
			((struct vmashadow_list *)gbuf)->regions = (unsigned long)garray;
			((struct vmashadow_list *)gbuf)->count = rn(16);
		}
		for (i = rn(4); i > 0; i--) {
			unsigned int off = rn(size > 8 ? size / 8 : 1) * 8;

			if (rn(3))
				*(unsigned long *)(gbuf + off) = rnd_value();
			else
				gbuf[rn(size + 64)] = rnd();
		}
		if (rn(4) == 0)
			*(__u32 *)gbuf = rn(3) ? rn(8192) : (__u32)rnd();
	} else if (k < 65) {
		/* random bytes, a plausible size */
		for (i = 0; i < 512; i++)
			gbuf[i] = rnd();
		memset(gbuf + 512, 0, 8192 - 512);
		*(__u32 *)gbuf = _IOC_SIZE(cmd);
	} else {
		arg = rnd_pointer(&unreadable);
		if (!unreadable)
			memset(edge, 0, PSZ);
	}
	/* random ops and records in the arrays */
	if (rn(2))
		for (i = 0; i < 4096; i += 8)
			*(unsigned long *)(garray + i) = rn(3) ? 0 : rnd_value();

	if (cmd != VMASHADOW_IOC_IMPORT || rn(20) == 0) {
		/* IMPORT of a real process is rare: it replaces everything */
	} else {
		cmd = VMASHADOW_IOC_STATS;
	}
	if (cmd == VMASHADOW_IOC_SEAL || cmd == VMASHADOW_IOC_MAP_VDSO ||
	    cmd == VMASHADOW_IOC_MLOCK || cmd == VMASHADOW_IOC_MUNLOCK ||
	    cmd == VMASHADOW_IOC_MLOCKALL || cmd == VMASHADOW_IOC_MUNLOCKALL) {
		/*
		 * A seal that took would forbid the model's later operations,
		 * a vdso would be regions it does not know, a lock flags it
		 * does not know: garbage seals, vdsos and locks go to a fork
		 * of the shadow.
		 */
		struct vmashadow_fork f = { .size = sizeof(f) };

		if (vms_ioctl(fd, VMASHADOW_IOC_FORK, &f))
			return -1;
		ret = vms_ioctl(f.fd, cmd, arg);
		if (vms_validate(f.fd, NULL)) {
			printf("# step %lu: garbage SEAL left a shadow that does not validate\n",
			       st.steps);
			return -1;
		}
		close(f.fd);
		return 0;
	}
	before = malloc(sizeof(*before));
	if (!before || vms_snap_take(fd, before))
		return -1;
	ret = vms_ioctl(fd, cmd, arg);
	if (cmd == VMASHADOW_IOC_FORK)
		close_strays();
	if ((unreadable && ret != -EFAULT && ret != -ENOTTY)) {
		printf("# step %lu: cmd %#lx with an unreadable argument gave %ld\n",
		       st.steps, cmd, ret);
		free(before);
		return -1;
	}
	if (((ret == -EINVAL || ret == -ENOTTY || ret == -E2BIG) &&
	     cmd != VMASHADOW_IOC_REMAP && cmd != VMASHADOW_IOC_BATCH) || unreadable) {
		struct vms_snap *now = malloc(sizeof(*now));
		const char *d;

		st.strict++;
		if (!now || vms_snap_take(fd, now)) {
			free(before);
			free(now);
			return -1;
		}
		d = vms_snap_diff(before, now);
		if (d) {
			printf("# step %lu: cmd %#lx returned %ld and changed the shadow (%s)\n",
			       st.steps, cmd, ret, d);
			printf("# before:\n%s# after:\n%s", before->maps, now->maps);
			free(before);
			free(now);
			return -1;
		}
		free(now);
	} else {
		struct vmashadow_params p;

		/* whatever it did, take it as the new truth */
		st.resyncs++;
		if (vms_get_params(fd, &p) == 0 &&
		    memcmp(&p, &base_params, sizeof(p)))
			vms_set_params(fd, &base_params, VMASHADOW_PARAM_ALL);
		if (read_pool(fd)) {
			printf("# step %lu: LIST after garbage failed\n", st.steps);
			free(before);
			return -1;
		}
		memcpy(model, shadow_pg, NPG);
	}
	free(before);
	return 0;
}

/* ---- the run --------------------------------------------------------------------------------- */

FIXTURE(fuzz) {
	int dummy;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, run, 100000)
{
	struct timespec t0, t;
	struct vmashadow_op op;
	long ret;
	int fd;

	fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	known_max = fd;
	edge = mmap(NULL, 2 * PSZ, RW, ANON, -1, 0);
	ASSERT_NE(MAP_FAILED, edge);
	munmap(edge + PSZ, PSZ);
	gbuf = mmap(NULL, 3 * PSZ, RW, ANON, -1, 0);
	garray = mmap(NULL, 2 * PSZ, RW, ANON, -1, 0);
	unmapped = mmap(NULL, PSZ, RW, ANON, -1, 0);
	munmap(unmapped, PSZ);
	ASSERT_EQ(0, vms_get_params(fd, &base_params));
	base_params.set = 0;
	memset(model, -1, sizeof(model));
	rng_state = seed ? seed : 1;
	TH_LOG("seed %llu, %lu seconds", seed, fuzz_seconds);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		st.steps++;
		if (rn(100) < 80)
			ret = valid_step(fd);
		else
			ret = garbage_step(fd);
		ASSERT_EQ(0, ret) TH_LOG("seed %llu, step %lu", seed, st.steps);
		ASSERT_EQ(0, vms_validate(fd, NULL))
			TH_LOG("seed %llu, step %lu: VALIDATE", seed, st.steps);
		if (!(st.steps & 255)) {
			/* keep what garbage left outside the pool from piling up */
			op_init(&op, VMASHADOW_OP_UNMAP);
			op.addr = POOL_END;
			op.len = 0x7ffffffff000UL - POOL_END;
			vms_ioctl(fd, VMASHADOW_IOC_UNMAP, &op);
			op.addr = 0x10000;
			op.len = POOL - 0x10000;
			vms_ioctl(fd, VMASHADOW_IOC_UNMAP, &op);
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((unsigned long)(t.tv_sec - t0.tv_sec) >= fuzz_seconds)
				break;
		}
	}
	TH_LOG("seed %llu: %lu steps in %lu s: %lu valid (%lu dry runs, %lu batches, %lu forks, %lu finds, %lu userfaultfd of which %lu succeeded), %lu garbage (%lu checked unchanged, %lu re-synced)",
	       seed, st.steps, fuzz_seconds, st.valid, st.dry, st.batches,
	       st.forks, st.finds, st.uffd, st.uffd_ok, st.garbage, st.strict,
	       st.resyncs);
	close(fd);
}

int main(int argc, char **argv)
{
	const char *env;
	int i;

	env = getenv("VMS_SOAK_SECONDS");
	if (env && *env)
		fuzz_seconds = strtoul(env, NULL, 0);
	env = getenv("VMS_FUZZ_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	else
		seed = (unsigned long long)time(NULL) * 2654435761ULL ^ getpid();
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			fuzz_seconds = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
	}
	return test_harness_run(argc, argv);
}
