// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the core's operations, against the reference
 * model of model.h.  An input is a program: four bytes of set-up (the
 * rules, where the window lies, max_map_count, RLIMIT_AS, the overcommit
 * mode, the heap, RLIMIT_MEMLOCK, RLIMIT_DATA soft and hard with the
 * ignore_rlimit_data option, the data segment), then five bytes per
 * operation (kind, page, pages, two arguments) over a window of
 * WIN_PAGES pages: mmap (fixed, NOREPLACE, placed by hint or by search,
 * anonymous, shared, four files, special mappings), munmap, mprotect,
 * write faults, madvise, mremap (shrink, grow in place, MAYMOVE, FIXED,
 * DONTUNMAP), brk, mseal, mlock2, munlock, mlockall, munlockall, mbind,
 * fork, setrlimit(RLIMIT_DATA).  RLIMIT_MEMLOCK: none, 0 or six pages.
 * RLIMIT_DATA: none half the time, else a soft limit of 0 to 38 pages, a
 * page-unaligned one, or Valgrind's soft 0 under a hard limit;
 * setrlimit() moves the soft limit under the hard one, below what is
 * mapped already too.  The nodes a policy may use (mems_allowed) and
 * CAP_SYS_NICE (MPOL_MF_MOVE_ALL) come from set-up bits that already
 * decide other things, so that the inputs of older corpora keep their
 * meaning.
 *
 * Every operation goes through vms_run_op() as the module's ioctls do.
 * After every step the core must validate, return what the model returns,
 * and hold the model's regions: bounds, flags, page offsets, files,
 * anon_vmas (up to renaming), the fork state, the memory policies (as
 * __mpol_equal() sees them), the special kinds, the labels, the break,
 * the counts (regions, total_vm, locked and data pages).  A step may first be run as a dry run: same result, same region
 * count, nothing changed.  Allocation failures are injected: a call that
 * fails for one must change nothing (a failed populate is silent, as the
 * kernel's is).
 *
 * A disagreement prints the program and aborts, so libFuzzer saves the
 * input; replay with `fuzz <file>` (VMS_FUZZ_TRACE=1 prints every step).
 * Built with -DFUZZ_REPLAY_MAIN it is a plain program replaying files,
 * for the coverage build.
 */
#include <stdarg.h>
#include "../core/core.h"
#include "layout.h"
#include "model.h"
#include "glue.h"

#define WIN_PAGES	64
#define WIN_LOW		0x10000UL	/* at mmap_min_addr */
#define NFILES		4		/* model files 1..4 */
#define MAX_ANCESTORS	16

static bool trace;
static char prog[32768];
static size_t prog_len;
static unsigned long win;

#define WP(p)		(win + (unsigned long)(p) * PAGE_SIZE)

/* ---- the fuzzer's files ---------------------------------------------------- */

struct ffile {
	struct vms_file vf;
	const char *name;
};

static void ffile_release(struct vms_file *vf)
{
	abort();	/* the fuzzer holds a reference for ever */
}

static int ffile_name(const struct vms_file *vf, char *buf, size_t size)
{
	return scnprintf(buf, size, "%s",
			 container_of(vf, struct ffile, vf)->name);
}

static const struct vms_file_ops ffile_ops = {
	.release	= ffile_release,
	.name		= ffile_name,
};

/* 1: rw, 2: read-only, 3: rw with ->close, 4: rw placed for huge pages */
static struct ffile files[NFILES + 1];
static const struct {
	unsigned int core_mode, model_mode;
	bool close;
} file_kinds[NFILES + 1] = {
	[1] = { VMS_FMODE_READ | VMS_FMODE_WRITE, MM_READ | MM_WRITE, false },
	[2] = { VMS_FMODE_READ, MM_READ, false },
	[3] = { VMS_FMODE_READ | VMS_FMODE_WRITE, MM_READ | MM_WRITE, true },
	[4] = { VMS_FMODE_READ | VMS_FMODE_WRITE | VMS_FMODE_THP,
		MM_READ | MM_WRITE | MM_THP, false },
};

static void files_init(void)
{
	static const char *const names[] = { "", "/f1", "/f2-ro", "/f3-shm",
					     "/f4-thp" };
	int i;

	for (i = 1; i <= NFILES; i++) {
		files[i].vf.id = vms_file_new_id();
		refcount_set(&files[i].vf.ref, 1);
		files[i].vf.ino = 100 + i;
		files[i].vf.dev_major = 8;
		files[i].vf.mode = file_kinds[i].core_mode;
		files[i].vf.kind = VMASHADOW_KIND_FILE;
		files[i].vf.ops = &ffile_ops;
		files[i].name = names[i];
	}
}

/* ---- reports ------------------------------------------------------------------ */

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "vmashadow fuzz: %s\n%s\nprogram:\n%s", what,
		detail ? detail : "", prog);
	abort();
}

static void __attribute__((format(printf, 1, 2))) step(const char *fmt, ...)
{
	va_list ap;
	size_t start = prog_len;

	va_start(ap, fmt);
	if (prog_len < sizeof(prog))
		prog_len += vsnprintf(prog + prog_len, sizeof(prog) - prog_len,
				      fmt, ap);
	va_end(ap);
	if (prog_len >= sizeof(prog))
		prog_len = sizeof(prog) - 1;
	if (trace)
		fprintf(stderr, "%s", prog + start);
}

/*
 * A region in pages relative to the window (negative: below it); a policy
 * as /mode.flags:nodes:user.
 */
static int show_region(char *buf, size_t size, unsigned long s, unsigned long e,
		       unsigned long flags, unsigned long pgoff, int file,
		       long anon, bool forked, int kind, const struct mpol *pol)
{
	char p[64] = "";

	if (pol->mode)
		snprintf(p, sizeof(p), "/P%u.%x:%llx:%llx", pol->mode,
			 pol->flags, pol->nodes, pol->user);
	return snprintf(buf, size, " %ld-%ld:%c%c%c%c/%lx/f%d/a%ld%s%s%s%s",
			((long)s - (long)win) / (long)PAGE_SIZE,
			((long)e - (long)win) / (long)PAGE_SIZE,
			flags & MF_READ ? 'r' : '-', flags & MF_WRITE ? 'w' : '-',
			flags & MF_EXEC ? 'x' : '-',
			flags & MF_MAYSHARE ? 's' : 'p', flags, file, anon,
			forked ? "F" : "", kind == MK_VDSO ? "[vdso]" : "",
			kind == MK_VVAR ? "[vvar]" : "", p);
}

static const char *model_str(const struct model *m)
{
	static char buf[65536];
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < m->n && n < sizeof(buf) - 200; i++) {
		const struct mreg *r = &m->r[i];

		n += show_region(buf + n, sizeof(buf) - n, r->start, r->end,
				 r->flags, r->pgoff, r->file, r->anon, r->forked,
				 r->kind, &r->pol);
	}
	return buf;
}

static int core_kind(const struct vms_region *r)
{
	if (r->flags & VMS_KIND_VDSO)
		return MK_VDSO;
	if (r->flags & VMS_KIND_VVAR)
		return MK_VVAR;
	return MK_NONE;
}

/*
 * The policy of a region of the core, from its shadow's table, in the
 * model's terms; false if the slot is not a policy (or not the default's
 * NULL for slot 0).
 */
static bool core_policy(const struct vms_mm *mm, const struct vms_region *r,
			struct mpol *out)
{
	unsigned int slot = vms_policy_of(r->flags);
	const struct vms_policy *p;

	memset(out, 0, sizeof(*out));
	if (!slot)
		return true;
	if (!mm->policies)
		return false;
	p = &mm->policies[slot];
	out->mode = p->mode;
	out->flags = p->flags;
	out->nodes = p->nodes;
	out->user = p->user_nodes;
	out->home = p->home_node + 1;
	return p->mode;
}

static const char *core_str(struct vms_mm *mm)
{
	static char buf[65536];
	struct vms_region *r;
	struct mpol pol;
	size_t n = 0;

	buf[0] = '\0';
	for (r = vms_first(mm); r && n < sizeof(buf) - 200; r = vms_next(r)) {
		core_policy(mm, r, &pol);
		n += show_region(buf + n, sizeof(buf) - n, r->start, r->end,
				 r->flags & ~(VMS_INTERNAL_FLAGS |
					      VMS_POLICY_MASK), r->pgoff,
				 vms_file_of(r) ? (int)vms_file_of(r)->id : 0,
				 vms_anon_of(r) ? (long)vms_anon_of(r)->id : 0,
				 vms_anon_of(r) && (r->flags & VMS_ANON_FORKED),
				 core_kind(r), &pol);
	}
	return buf;
}

/* ---- comparing the core with the model ------------------------------------------- */

/* model file/anon number -> the core's id; renaming must be one to one */
#define NBIND_ANON	16384

static u64 bind_file[M_FILES], bind_anon[NBIND_ANON];

/* the bindings the last differs() made, to undo them */
static u64 *bind_log[2 * M_MAX];
static unsigned int bind_logged;

static bool bind(u64 *map, int n, int id, u64 core_id)
{
	int i;

	if (id <= 0 || id >= n)
		return false;
	if (map[id])
		return map[id] == core_id;
	for (i = 1; i < n; i++)
		if (map[i] == core_id)
			return false;
	map[id] = core_id;
	if (bind_logged < ARRAY_SIZE(bind_log))
		bind_log[bind_logged++] = &map[id];
	return true;
}

static void unbind_last(void)
{
	while (bind_logged)
		*bind_log[--bind_logged] = 0;
}

static void mismatch(struct vms_mm *mm, const struct model *m,
		     const char *what)
{
	static char msg[140000];

	snprintf(msg, sizeof(msg), "model:%s\ncore: %s", model_str(m),
		 core_str(mm));
	fail(what, msg);
}

/* NULL if the core holds the model's state, else what differs first. */
static const char *differs(struct vms_mm *mm, const struct model *m)
{
	static char msg[128];
	struct vms_region *r;
	unsigned long where;
	int bad = vms_validate(mm, &where), i = 0;
	char scratch[64];

	bind_logged = 0;
	if (bad) {
		snprintf(msg, sizeof(msg), "violation %d at %#lx", bad, where);
		return msg;
	}
	for (r = vms_first(mm); r; r = vms_next(r), i++) {
		const struct mreg *x = &m->r[i];
		const char *label;
		struct mpol pol;
		int want;

		if (i >= m->n)
			return "the core has more regions";
		if (r->start != x->start || r->end != x->end)
			return "bounds differ";
		if ((r->flags & ~(VMS_INTERNAL_FLAGS | VMS_POLICY_MASK)) !=
		    x->flags)
			return "flags differ";
		/* the table's entry, as mpol_equal() compares it */
		if (!core_policy(mm, r, &pol) || !m_pol_eq(&pol, &x->pol))
			return "policies differ";
		if (core_kind(r) != x->kind)
			return "special kinds differ";
		if (r->pgoff != x->pgoff)
			return "page offsets differ";
		if (!vms_file_of(r) != !x->file ||
		    (x->file && x->file <= NFILES && vms_file_of(r) != &files[x->file].vf) ||
		    (x->file > NFILES && !bind(bind_file, M_FILES, x->file, vms_file_of(r)->id)))
			return "files differ";
		if (!vms_anon_of(r) != !x->anon ||
		    (x->anon && !bind(bind_anon, NBIND_ANON, x->anon, vms_anon_of(r)->id)))
			return "anon_vmas differ";
		if (x->anon && !(r->flags & VMS_ANON_FORKED) != !x->forked)
			return "fork states differ";
		label = vms_region_label(mm, r, scratch, sizeof(scratch));
		want = model_label(m, x);
		if (want >= 0 &&
		    (want == 1 ? !label || strcmp(label, "[heap]") :
		     want == 2 ? !label || strcmp(label, "[stack]") : !!label))
			return "labels differ";
	}
	if (i != m->n)
		return "the model has more regions";
	if (mm->map_count != (unsigned long)m->n || mm->total_vm != mtotal(m))
		return "counts differ";
	if (mm->data_vm != m_data(m))
		return "data pages differ";
	if (mm->params.brk != m->brk)
		return "the breaks differ";
	if (mm->params.def_flags != m->def_flags)
		return "def_flags differ";
	if (vms_locked_pages(mm) != m_locked(m))
		return "locked pages differ";
	return NULL;
}

static void compare(struct vms_mm *mm, const struct model *m)
{
	const char *what = differs(mm, m);

	if (what)
		mismatch(mm, m, what);
}

/* ---- operations ---------------------------------------------------------------------- */

static const int advices[] = {
	MADV_DONTFORK, MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP, MADV_NORMAL,
	MADV_RANDOM, MADV_SEQUENTIAL, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
	MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_MERGEABLE, MADV_UNMERGEABLE,
	MADV_DONTNEED, MADV_FREE, MADV_WILLNEED, 20 /* COLD */, 21 /* PAGEOUT */,
	MADV_POPULATE_READ, MADV_POPULATE_WRITE, 12345 /* invalid */,
};

/*
 * One step decoded: the core's struct vmashadow_op, the file it maps, and
 * what the model does for it (a closure over @q).
 */
struct step {
	struct vmashadow_op op;
	struct vms_file *file;
	struct mmap_req q;		/* MAP */
	const char *name;
};

/* The model's side of @s: the result as vms_run_op reports it. */
static long model_step(struct model *m, const struct step *s,
		       unsigned long *result)
{
	const struct vmashadow_op *op = &s->op;
	long ret;

	*result = 0;
	switch (op->op) {
	case VMASHADOW_OP_MAP:
		return model_mmap(m, &s->q, result);
	case VMASHADOW_OP_UNMAP:
		return model_munmap(m, op->addr, op->len);
	case VMASHADOW_OP_PROTECT:
		return model_mprotect(m, op->addr, op->len, op->prot);
	case VMASHADOW_OP_TOUCH:
		return model_touch(m, op->addr);
	case VMASHADOW_OP_MADVISE:
		return model_madvise(m, op->addr, op->len, op->flags);
	case VMASHADOW_OP_SEAL:
		return model_mseal(m, op->addr, op->len, op->flags);
	case VMASHADOW_OP_BRK:
		*result = model_brk(m, op->addr);
		return 0;
	case VMASHADOW_OP_MLOCK:
		return model_mlock(m, op->addr, op->len, op->flags);
	case VMASHADOW_OP_MUNLOCK:
		return model_munlock(m, op->addr, op->len);
	case VMASHADOW_OP_MLOCKALL:
		return model_mlockall(m, op->flags);
	case VMASHADOW_OP_MUNLOCKALL:
		return model_munlockall(m);
	case VMASHADOW_OP_MBIND:
		return model_mbind(m, op->addr, op->len, op->prot, op->offset,
				   op->op_flags & VMASHADOW_OPF_NODEMASK,
				   op->new_len, op->flags);
	case VMASHADOW_OP_HOME_NODE:
		return model_home_node(m, op->addr, op->len, op->offset,
				       op->flags);
	case VMASHADOW_OP_REMAP:
		ret = model_mremap(m, op->addr, op->len, op->new_len, op->flags,
				   op->new_addr);
		if (ret < 0 && ret >= -4095)
			return ret;
		*result = ret;
		return 0;
	}
	return -EINVAL;
}

static long core_step(struct vms_mm *mm, struct step *s, bool dry,
		      unsigned long *result, unsigned long *map_count)
{
	struct vmashadow_op op = s->op;
	u32 which = op.op;
	long ret;

	op.op = 0;
	op.op_flags |= dry ? VMASHADOW_OPF_DRY_RUN : 0;
	ret = vms_op_check(&op, which);
	if (ret)
		fail("vms_op_check refused a well-formed operation", s->name);
	op.op = which;
	ret = vms_run_op(mm, &op, s->file);
	*result = op.result;
	*map_count = op.map_count;
	return ret;
}

/* The window's page @p, or a region's own start for p >= WIN_PAGES. */
static unsigned long pick_addr(const struct model *m, unsigned int b)
{
	if (b < 192 || !m->n)
		return WP(b % WIN_PAGES);
	return m->r[b % m->n].start;	/* anywhere, placed regions too */
}

/* node masks for mbind(2): nodes 0-1, 1 and 3, 2 and 63, 4-7, none */
static const u64 mbind_nodes[8] = {
	0x1, 0x2, 0x3, 0x5, 0xa, 0x8000000000000004ULL, 0xf0, 0,
};

/*
 * The @k-th of the ways an mbind(2) may be odd: refused by the kernel, or
 * taken in a way that is easy to get wrong.
 */
static void mbind_oddity(struct vmashadow_op *op, unsigned int k,
			 unsigned int n, unsigned int a3)
{
	switch (k) {
	case 0:
		op->new_len = PAGE_SIZE * 8 + 2;	/* more than a page */
		if (n & 1)	/* given, even where it names no node */
			op->op_flags |= VMASHADOW_OPF_NODEMASK;
		break;
	case 1:
		op->new_len = 0;		/* wraps: huge, unless no mask */
		if (n & 1)
			op->op_flags |= VMASHADOW_OPF_NODEMASK;
		break;
	case 2:
		op->new_len = a3 & 1 ? 1 : 2;	/* no nodes, or node 0 */
		break;
	case 3:
		op->new_len = PAGE_SIZE * 8 + 1;	/* the most allowed */
		break;
	case 4:
		op->flags |= MPOL_MF_MOVE_ALL;	/* CAP_SYS_NICE or -EPERM */
		break;
	case 5:
		op->flags |= MPOL_MF_LAZY;	/* not for mbind() */
		break;
	case 6:
		op->flags |= 0x10;		/* internal */
		break;
	case 7:
		op->addr += 0x10;		/* unaligned */
		break;
	case 8:
		op->len = 0;			/* nothing to do: 0 */
		break;
	case 9:
		op->len = -PGS(n);		/* ends below its start */
		break;
	case 10:
		op->len = ULONG_MAX;		/* PAGE_ALIGN() wraps to 0 */
		break;
	case 11:
		op->prot |= MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES;
		break;
	case 12:
		op->prot |= MPOL_F_NUMA_BALANCING;	/* any mode */
		break;
	case 13:
		op->offset = mbind_nodes[a3 >> 5];	/* DEFAULT, LOCAL too */
		break;
	case 14:
		op->offset = 1ULL << 63;	/* the last node alone */
		break;
	default:			/* no such mode */
		op->prot = a3 & 8 ? 7 : 0x800 | (op->prot & 7);
		break;
	}
}

/*
 * set_mempolicy_home_node(): nodes 0-3 mostly (the nodes online are one of
 * four sets), now and then node 64 or a flag, which are -EINVAL.
 */
static void decode_home_node(struct vmashadow_op *op, unsigned long addr,
			     unsigned int n, unsigned int a3, unsigned int a4)
{
	op->op = VMASHADOW_OP_HOME_NODE;
	op->addr = addr;
	op->len = PGS(n) - (a4 & 0x20 ? 123 : 0);	/* rounded up again */
	op->offset = (a3 & 0x1c) == 0x1c ? 64 : a3 & 3;
	op->flags = (a3 & 0xe0) == 0xe0;
}

/*
 * mbind(2) at @addr over @n pages, mostly with arguments the kernel takes.
 * @a3: the mode (bits 0-2; 6 only for 6.12, 7 for MPOL_BIND), its flag
 * (bits 3-4: none, MPOL_F_STATIC_NODES, _RELATIVE_NODES, _NUMA_BALANCING
 * where the mode allows it), the node mask (bits 5-7; none for
 * MPOL_DEFAULT and MPOL_LOCAL).  @a4 (bit 0 chose mbind): maxnode (bits
 * 1-2), the MPOL_MF_* flags (bits 3-4), a length that is not a multiple
 * of pages (bit 5).  With bits 6 and 7 set, two oddities on top, so that
 * the order of the kernel's refusals is tried too: one from @d2's bits 3-6
 * (which the page count leaves), one from @a4's bits 1-4.
 */
static void decode_mbind(struct vmashadow_op *op, unsigned long addr,
			 unsigned int n, unsigned int d2, unsigned int a3,
			 unsigned int a4)
{
	static const u32 mode_flags[4] = {
		0, MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES,
		MPOL_F_NUMA_BALANCING,
	};
	/* 65 and 64 take nodes 0-63 and 0-62, 3 nodes 0-1 */
	static const u64 maxnode[4] = { 65, 64, 65, 3 };
	static const u32 mf[4] = {
		0, MPOL_MF_STRICT, MPOL_MF_MOVE, MPOL_MF_STRICT | MPOL_MF_MOVE,
	};
	unsigned int mode = (a3 & 7) == 7 ? MPOL_BIND : a3 & 7;
	unsigned int flag = a3 >> 3 & 3;

	op->op = VMASHADOW_OP_MBIND;
	op->addr = addr;
	op->len = PGS(n) - (a4 & 0x20 ? 123 : 0);	/* rounded up again */
	if (flag == 3 && mode != MPOL_BIND && mode != MPOL_PREFERRED_MANY)
		flag = 0;
	op->prot = mode | mode_flags[flag];
	if (mode != MPOL_DEFAULT && mode != MPOL_LOCAL)
		op->offset = mbind_nodes[a3 >> 5];
	op->new_len = maxnode[a4 >> 1 & 3];
	op->flags = mf[a4 >> 3 & 3];
	if ((a4 & 0xc0) == 0xc0) {
		mbind_oddity(op, d2 >> 3 & 15, n, a3);
		mbind_oddity(op, a4 >> 1 & 15, n, a3);
	}
}

/* Decode five bytes into @s; false for a step that is no call (fork). */
static bool decode(struct model *m, const uint8_t *d, struct step *s)
{
	unsigned int kind = d[0] & 15, n = d[2] % 8 + 1, a3 = d[3], a4 = d[4];
	unsigned long addr = pick_addr(m, d[1]);
	struct vmashadow_op *op = &s->op;

	memset(s, 0, sizeof(*s));
	op->size = sizeof(*op);
	op->fd = -1;
	if (d[2] & 0x80)
		n += 8;
	switch (kind) {
	case 0:		/* mmap MAP_FIXED anonymous, private or droppable */
	case 1:		/* mmap MAP_FIXED anonymous shared */
	case 2:		/* mmap MAP_FIXED of a file */
	case 3:		/* mmap placed: a hint or none */
	case 13: {	/* [vdso] or [vvar] */
		struct mmap_req *q = &s->q;
		int f = 0;

		q->addr = addr;
		q->len = PGS(n);
		q->prot = a3 & 7;
		q->flags = kind == 3 ? 0 :
			   (a4 & 0x10) && kind != 13 ? MAP_FIXED_NOREPLACE :
			   MAP_FIXED;
		if (kind == 0 || kind == 13 || (kind == 3 && (a4 & 3) == 0)) {
			q->flags |= MAP_ANONYMOUS |
				    (a4 & 0x20 && kind != 13 ? M_MAP_DROPPABLE :
				     MAP_PRIVATE);
		} else if (kind == 1 || (kind == 3 && (a4 & 3) == 1)) {
			q->flags |= MAP_ANONYMOUS | MAP_SHARED;
		} else {
			f = (a4 >> 2) % NFILES + 1;
			q->flags |= a4 & 0x20 ? MAP_SHARED : MAP_PRIVATE;
			q->off = PGS((a3 >> 4) & 7);
		}
		if (kind != 13) {
			q->flags |= (a3 & 8 ? MAP_NORESERVE : 0) |
				    (a4 & 0x40 ? MAP_GROWSDOWN : 0) |
				    (a3 & 0x80 ? MAP_STACK : 0) |
				    (a4 & 0x80 ? MAP_POPULATE : 0) |
				    ((a3 & 0x70) == 0x70 ? MAP_LOCKED : 0);
		}
		if (kind == 3) {
			if (!(a3 & 0x40))
				q->addr = 0;
			if ((a4 & 0xc0) == 0xc0) {	/* 2 MiB or more */
				q->flags &= ~(MAP_GROWSDOWN | MAP_POPULATE);
				q->len = SZ_2M + (a3 & 1 ? PAGE_SIZE : 0);
			}
			if (a3 & 0x10)
				q->flags |= M_MAP_ABOVE4G;
			else if (a3 & 0x20)
				q->flags |= MAP_32BIT;
		}
		if (kind == 13) {
			q->special = a3 & 1 ? MK_VVAR : MK_VDSO;
			op->op_flags = q->special == MK_VVAR ?
				       VMASHADOW_OPF_VVAR : VMASHADOW_OPF_VDSO;
		}
		if (f == 3)
			op->op_flags |= VMASHADOW_OPF_CLOSE_OP;
		q->file = f;
		s->file = f ? &files[f].vf : NULL;
		op->op = VMASHADOW_OP_MAP;
		op->addr = q->addr;
		op->len = q->len;
		op->prot = q->prot;
		op->flags = q->flags;
		op->offset = q->off;
		op->fd = f ? 3 : -1;
		s->name = "map";
		return true;
	}
	case 4:
		op->op = VMASHADOW_OP_UNMAP;
		op->addr = addr;
		op->len = PGS(n);
		s->name = "unmap";
		return true;
	case 14:	/* mlock2 (on fault or not), munlock, (un)mlockall */
		switch (a3 & 7) {
		case 0: case 1: case 2:
			op->op = VMASHADOW_OP_MLOCK;
			op->addr = addr + (a4 & 0x10 ? 5 : 0);
			op->len = PGS(n);
			op->flags = a4 & 1 ? MLOCK_ONFAULT : 0;
			s->name = "mlock";
			break;
		case 3: case 4: case 5:
			op->op = VMASHADOW_OP_MUNLOCK;
			op->addr = addr;
			op->len = PGS(n);
			s->name = "munlock";
			break;
		case 6:
			op->op = VMASHADOW_OP_MLOCKALL;
			op->flags = a4 & 7;	/* 0 and ONFAULT alone: -EINVAL */
			s->name = "mlockall";
			break;
		default:
			op->op = VMASHADOW_OP_MUNLOCKALL;
			s->name = "munlockall";
			break;
		}
		return true;
	case 5:
		op->op = VMASHADOW_OP_PROTECT;
		op->addr = addr;
		op->len = PGS(n);
		op->prot = (a3 & 7) | ((a3 & 0x18) == 0x18 ? PROT_GROWSDOWN : 0);
		s->name = "protect";
		return true;
	case 6:
		op->op = VMASHADOW_OP_TOUCH;
		op->addr = addr;
		s->name = "touch";
		return true;
	case 7:
		op->op = VMASHADOW_OP_MADVISE;
		op->addr = addr;
		op->len = PGS(n);
		op->flags = advices[a3 % ARRAY_SIZE(advices)];
		s->name = "madvise";
		return true;
	case 8:		/* mremap: shrink or grow, in place or MAYMOVE */
	case 9:		/* mremap: FIXED or DONTUNMAP */
		op->op = VMASHADOW_OP_REMAP;
		op->addr = addr;
		op->len = PGS(n);
		op->new_len = PGS(a3 % 12 + 1);
		op->flags = a4 & 1 ? MREMAP_MAYMOVE : 0;
		if (kind == 9) {
			op->flags = MREMAP_MAYMOVE |
				    (a4 & 2 ? MREMAP_FIXED : 0) |
				    (a4 & 4 ? MREMAP_DONTUNMAP : 0);
			if (!(op->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)))
				op->flags |= MREMAP_FIXED;
			if (op->flags & MREMAP_DONTUNMAP)
				op->new_len = op->len;
			op->new_addr = a4 & 8 && !(op->flags & MREMAP_FIXED) ?
				       0 : WP((a4 >> 4) * 4 % WIN_PAGES);
		}
		if ((a3 & 0xf0) == 0xf0)
			op->len = 0;	/* duplicate a shared mapping */
		s->name = "remap";
		return true;
	case 10:
		op->op = VMASHADOW_OP_BRK;
		op->addr = WP(d[1] % WIN_PAGES) + (a3 & 1 ? 5 : 0);
		s->name = "brk";
		return true;
	case 11:
		op->op = VMASHADOW_OP_SEAL;
		op->addr = addr;
		op->len = PGS(n);
		s->name = "seal";
		return true;
	case 12:
		s->name = "fork";
		return false;
	default:	/* 15: touch and protect by region, anywhere; mbind */
		/*
		 * All sixteen kinds were taken: mbind has the half of
		 * kind 15 with bit 0 of a4 set, a byte kind 15 did not read
		 */
		if ((a4 & 0xc1) == 0x81) {
			decode_home_node(op, addr, n, a3, a4);
			s->name = "home_node";
			return true;
		}
		if (a4 & 1) {
			decode_mbind(op, addr, n, d[2], a3, a4);
			s->name = "mbind";
			return true;
		}
		op->op = a3 & 1 ? VMASHADOW_OP_TOUCH : VMASHADOW_OP_PROTECT;
		op->addr = m->n ? m->r[d[1] % m->n].start : addr;
		if (op->op == VMASHADOW_OP_PROTECT) {
			op->len = PGS(n);
			op->prot = a3 >> 1 & 7;
		}
		s->name = op->op == VMASHADOW_OP_TOUCH ? "touch" : "protect";
		return true;
	}
}

static void print_step(const struct step *s)
{
	const struct vmashadow_op *op = &s->op;

	if (op->op == VMASHADOW_OP_HOME_NODE) {
		step("home_node %ld+%#llx node %llu flags %#x opf %#x",
		     ((long)op->addr - (long)win) / (long)PAGE_SIZE,
		     (unsigned long long)op->len,
		     (unsigned long long)op->offset, op->flags, op->op_flags);
		return;
	}
	if (op->op == VMASHADOW_OP_MBIND) {
		step("mbind %ld(+%#lx)+%#llx mode %#x nodes %#llx maxnode %llu "
		     "flags %#x opf %#x", ((long)op->addr - (long)win) /
		     (long)PAGE_SIZE, (unsigned long)(op->addr & ~PAGE_MASK),
		     (unsigned long long)op->len, op->prot,
		     (unsigned long long)op->offset,
		     (unsigned long long)op->new_len, op->flags, op->op_flags);
		return;
	}
	step("%s %ld+%lu prot %u flags %#x off %#llx new %ld+%llu opf %#x file %d",
	     s->name, ((long)op->addr - (long)win) / (long)PAGE_SIZE,
	     (unsigned long)(op->len / PAGE_SIZE), op->prot, op->flags,
	     (unsigned long long)op->offset,
	     op->new_addr ? ((long)op->new_addr - (long)win) / (long)PAGE_SIZE : -1L,
	     (unsigned long long)(op->new_len / PAGE_SIZE), op->op_flags,
	     s->q.file);
}

/* ---- one program ------------------------------------------------------------------------ */

static struct vms_mm *mm_new(unsigned int rules)
{
	struct vms_mm *mm = calloc(1, sizeof(*mm));

	if (!mm)
		abort();
	vms_mm_init(mm, rules);
	return mm;
}

/*
 * RLIMIT_DATA from @d2 and @d3: none for kinds 0-3 of d2's low three
 * bits; 4: a soft limit of lim pages (0 to 38, from d2's high bits), no
 * hard one; 5: Valgrind's soft 0, the hard limit lim pages or (d3 bit 7)
 * none; 6: lim pages and 0x321 bytes, soft and hard; 7: lim pages, the
 * hard limit 8 pages more.  d3: ignore_rlimit_data when its low two bits
 * are 3; a data segment of 0-15 pages (bits 2-5), 0x123 bytes more with
 * bit 6, below the window.
 */
static void setup_data(struct vms_params *p, uint8_t d2, uint8_t d3)
{
	unsigned long lim = PGS((d2 >> 3) * 5 / 4);

	switch (d2 & 7) {
	case 4:
		p->rlimit_data = lim;
		p->rlimit_data_max = VMASHADOW_RLIM_INFINITY;
		break;
	case 5:
		p->rlimit_data = 0;
		p->rlimit_data_max = d3 & 0x80 ? VMASHADOW_RLIM_INFINITY : lim;
		break;
	case 6:
		p->rlimit_data = p->rlimit_data_max = lim + 0x321;
		break;
	case 7:
		p->rlimit_data = lim;
		p->rlimit_data_max = lim + PGS(8);
		break;
	default:
		p->rlimit_data = p->rlimit_data_max = VMASHADOW_RLIM_INFINITY;
		break;
	}
	p->ignore_rlimit_data = (d3 & 3) == 3;
	p->start_data = win - PGS(16);
	p->end_data = p->start_data + PGS(d3 >> 2 & 15) +
		      (d3 & 0x40 ? 0x123 : 0);
}

/*
 * setrlimit(RLIMIT_DATA) of a new soft limit from @b, the hard one kept:
 * the hard one itself (bit 7); with bit 6, what brk() counts now (heap
 * and data segment, in bytes) less 0 to 7 pages, for a limit the break is
 * above already, which no shrink but to below it may leave; else 0 to 39
 * pages.  At most the hard limit.  Lower than the heap and the data
 * already mapped, it leaves them be, as the kernel does.
 */
static void set_data_soft(struct vms_mm *mm, struct model *m, uint8_t b)
{
	unsigned long now = (m->brk - m->start_brk) +
			    (m->end_data - m->start_data);
	unsigned long cur = PGS((b & 0x3f) % 40);

	if (b & 0x40)
		cur = now - (PGS(b & 7) < now ? PGS(b & 7) : now);
	if ((b & 0x80) || cur > mm->params.rlimit_data_max)
		cur = mm->params.rlimit_data_max;
	mm->params.rlimit_data = cur;
	m->data_cur = cur;
}

static void setup(struct vms_mm *mm, struct model *m, const uint8_t *d)
{
	uint8_t d0 = d[0], d1 = d[1];
	static const unsigned int mmc[] = { 65530, 2, 5, 9 };
	static const unsigned long as[] = { 0, 24, 40, 72 };
	static const u64 mems[] = { 0x1, 0x3, 0xa, 0x17 };
	struct vms_params *p = &mm->params;

	win = d0 & 2 ? WIN_LOW : VMS_WIN;
	p->max_map_count = mmc[d0 >> 2 & 3];
	p->rlimit_as = as[d0 >> 4 & 3] * PAGE_SIZE;
	p->overcommit_memory = (d0 >> 6) == 2 ? 1 : (d0 >> 6) == 3 ? 2 : 0;
	p->ram_pages = d0 >> 6 ? 6 : 0;
	p->mmap_base = WP(WIN_PAGES);
	p->start_brk = p->brk = WP(32 + d1 % 32);
	p->start_stack = d1 & 0x80 ? WP(WIN_PAGES - 2) + 8 : 0;
	/* RLIMIT_MEMLOCK: none (CAP_IPC_LOCK) twice as often as 0 or 6 pages */
	p->rlimit_memlock = (d1 >> 5 & 3) == 2 ? 0 : (d1 >> 5 & 3) == 3 ?
			    6 * PAGE_SIZE : VMASHADOW_MEMLOCK_UNLIMITED;
	setup_data(p, d[2], d[3]);

	m->max_map_count = p->max_map_count;
	m->as_pages = as[d0 >> 4 & 3];
	m->overcommit = p->overcommit_memory;
	m->ram_pages = p->ram_pages;
	m->mmap_base = p->mmap_base;
	m->mmap_min_addr = p->mmap_min_addr;
	m->start_brk = m->brk = p->start_brk;
	m->start_stack = p->start_stack;
	m->memlock = p->rlimit_memlock;
	m->data_cur = p->rlimit_data;
	m->data_max = p->rlimit_data_max;
	m->ignore_data = p->ignore_rlimit_data;
	m->start_data = p->start_data;
	m->end_data = p->end_data;

	/*
	 * mbind(2): the nodes allowed and CAP_SYS_NICE, from bits that also
	 * choose the heap, the stack, RLIMIT_DATA and the data segment
	 */
	p->mems_allowed = mems[(d1 ^ d[2]) & 3];
	p->nodes_online = mems[(d[3] ^ d[2] >> 4) & 3] | p->mems_allowed;
	mm->may_move_all = (d1 ^ d[3]) >> 7;
	m->mems = p->mems_allowed;
	m->online = p->nodes_online;
	m->move_all = mm->may_move_all;
}

/*
 * An injected allocation failure hit: either the call failed for it and
 * changed nothing, or it was a populate's fault, which fails silently.
 * A TOUCH that failed for it is SIGSEGV, -EFAULT: a stack that could not
 * get its anon_vma does not grow, and the fault fails.  False when the
 * model cannot follow.
 */
static bool check_alloc_failure(struct vms_mm *mm, struct model *m,
				const struct model *old, const struct step *s,
				long ret, unsigned long result)
{
	static struct model alt;
	unsigned long want;
	long wret;
	int k;

	if ((s->op.op == VMASHADOW_OP_BRK ? result == old->brk :
	     ret == -ENOMEM ||
	     (ret == -EAGAIN && s->op.op == VMASHADOW_OP_MADVISE) ||
	     (ret == -EFAULT && s->op.op == VMASHADOW_OP_TOUCH)) &&
	    !differs(mm, old)) {
		*m = *old;
		return true;
	}
	/* the k-th populate needing an anon_vma was the one that failed */
	for (k = 1; k <= 8; k++) {
		unbind_last();
		alt = *old;
		alt.populate_fails = k;
		wret = model_step(&alt, s, &want);
		if (alt.populate_fails || wret != ret ||
		    (!ret && want != result) || differs(mm, &alt))
			continue;
		alt.populate_fails = 0;
		*m = alt;
		return true;
	}
	fail("allocation failure not reported, or the call changed things", s->name);
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool up;
	static struct model m, old, child;
	struct vms_mm *mm, *ancestors[MAX_ANCESTORS];
	unsigned int nanc = 0, rules;
	size_t i;

	if (!up) {
		if (vms_core_init())
			abort();
		files_init();
		trace = getenv("VMS_FUZZ_TRACE");
		up = true;
	}
	if (size < 4)
		return 0;
	prog_len = 0;
	prog[0] = '\0';
	memset(bind_file, 0, sizeof(bind_file));
	memset(bind_anon, 0, sizeof(bind_anon));
	rules = data[0] & 1 ? VMASHADOW_RULES_6_12 : VMASHADOW_RULES_6_1;
	mm = mm_new(rules);
	model_init(&m, data[0] & 1);
	for (i = 1; i <= NFILES; i++)
		model_new_file(&m, file_kinds[i].model_mode, file_kinds[i].close);
	setup(mm, &m, data);
	step("rules %s, window %#lx, max_map_count %u, rlimit_as %lu pages, "
	     "overcommit %u/%lu, heap at %lu, memlock %#lx, rlimit_data "
	     "%#lx/%#lx%s, data segment %#lx bytes, mems %#llx%s\n",
	     data[0] & 1 ? "6.12" : "6.1",
	     win, mm->params.max_map_count, m.as_pages,
	     mm->params.overcommit_memory, m.ram_pages,
	     (m.start_brk - win) / PAGE_SIZE, m.memlock, m.data_cur,
	     m.data_max, m.ignore_data ? " (ignored)" : "",
	     m.end_data - m.start_data, m.mems,
	     m.move_all ? ", CAP_SYS_NICE" : "");

	for (i = 4; i + 5 <= size; i += 5) {
		const uint8_t *d = data + i;
		bool dry = d[0] & 0x10, inject = d[0] & 0x80;
		unsigned long result, mresult, dres = 0, dcount = 0, count;
		long ret, want, dret = 0;
		struct step s;

		if (m.n > M_MAX - 16)
			break;		/* the model's array is full */
		old = m;
		if ((d[0] & 15) == 12 && (d[3] & 6) == 6) {
			/* a quarter of the forks: setrlimit(RLIMIT_DATA) */
			set_data_soft(mm, &m, d[4]);
			step("setrlimit data %#lx/%#lx\n", m.data_cur, m.data_max);
			compare(mm, &m);
			continue;
		}
		if (!decode(&m, d, &s)) {
			/* fork: the child must be the model's child */
			struct vms_mm *c = mm_new(rules);
			int err;

			if (inject)
				vms_host_fail_alloc = (d[0] >> 5 & 3) + 1;
			err = vms_mm_dup(c, mm, true);
			step("fork%s = %d\n", d[3] & 1 ? " and go on in the child" : "",
			     err);
			if (err) {
				if (!inject || vms_host_fail_alloc)
					fail("fork failed", NULL);
				vms_host_fail_alloc = 0;
				if (c->map_count)
					fail("a failed fork left regions", NULL);
				vms_mm_destroy(c);
				free(c);
				compare(mm, &m);
				continue;
			}
			vms_host_fail_alloc = 0;
			model_fork(&m, &child);
			m.next_anon = child.next_anon;	/* ids stay unique */
			compare(c, &child);
			compare(mm, &m);
			if ((d[3] & 1) && nanc < MAX_ANCESTORS) {
				ancestors[nanc++] = mm;	/* stays alive, untouched */
				mm = c;
				m = child;
			} else {
				vms_mm_destroy(c);
				free(c);
			}
			continue;
		}
		print_step(&s);
		if (dry) {
			dret = core_step(mm, &s, true, &dres, &dcount);
			compare(mm, &m);	/* nothing changed */
		}
		if (inject) {
			/* a full reserve would spare the call its allocations */
			vms_reserve_drain(mm);
			vms_host_fail_alloc = (d[0] >> 5 & 3) + 1;
		}
		ret = core_step(mm, &s, false, &result, &count);
		step(" = %ld (%#lx)\n", ret, result);
		if (inject && !vms_host_fail_alloc) {
			if (!check_alloc_failure(mm, &m, &old, &s, ret, result))
				break;
			continue;
		}
		vms_host_fail_alloc = 0;
		want = model_step(&m, &s, &mresult);
		if (ret != want || (!ret && result != mresult)) {
			char msg[256];

			snprintf(msg, sizeof(msg),
				 "core %ld (%#lx), model %ld (%#lx)\nmodel:%s",
				 ret, result, want, mresult, model_str(&m));
			fail("results differ", msg);
		}
		compare(mm, &m);
		if (dry && (dret != ret || dres != result || dcount != count)) {
			char msg[160];

			snprintf(msg, sizeof(msg),
				 "dry run %ld (%#lx, %lu regions), real %ld (%#lx, %lu)",
				 dret, dres, dcount, ret, result, count);
			fail("the dry run did not predict the call", msg);
		}
	}
	vms_host_fail_alloc = 0;
	vms_mm_destroy(mm);
	free(mm);
	while (nanc) {
		vms_mm_destroy(ancestors[--nanc]);
		free(ancestors[nanc]);
	}
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
/* Replay inputs without libFuzzer (coverage build). */
int main(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	return 0;
}
#endif
