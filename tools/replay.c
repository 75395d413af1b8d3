// SPDX-License-Identifier: GPL-2.0
/*
 * replay.c - `vmashadow replay FILE` and `vmashadow shrink FILE`.
 *
 * A trace log (vmashadow trace --log) is plain text, one record a line,
 * each beginning with the pid it belongs to:
 *
 *   vmashadow-log 3                        (1: before anon=, which a log 1
 *                                          never has; 2: before forked)
 *   PID exec PATH                          a new address space ...
 *   PID params START_BRK BRK START_STACK MMAP_BASE MAX_MAP_COUNT RULES
 *              [DEF_FLAGS MEMLOCK          (MEMLOCK, DATA: bytes or unlimited)
 *               [DATA DATA_MAX IGNORE START_DATA END_DATA [MEMS [ONLINE
 *               [ARG_START]]]]]            (RLIMIT_DATA soft and hard, the
 *                                          ignore_rlimit_data boot option,
 *                                          the data segment, the nodes a
 *                                          policy may name and the nodes
 *                                          online: 0x masks; where exec
 *                                          put argv)
 *   PID file KEY PATH                      ... an opened file (KEY: fN) ...
 *   PID uffd CTX FEATURES                  ... a userfaultfd context its
 *                                          regions are registered with
 *                                          (the shadow's number, the
 *                                          UFFD_FEATURE_* bits) ...
 *   PID region START END PERMS KIND KEY PGOFF VM_FLAGS FAULTED
 *              [anon=ID] [mpol=MODE,NODES,GIVEN,HOME] [uffd=CTX] [forked]
 *                                          ... and its regions (a memory
 *                                          policy: mbind's mode with its
 *                                          flags, the nodes in force and
 *                                          as given, 0x masks, and the
 *                                          home node, -1 for none; logs
 *                                          before GET_POLICY give only
 *                                          mpol=MODE,NODES, from numa_maps;
 *                                          the context it is registered
 *                                          with, in the modes of VM_FLAGS;
 *                                          the anon_vma it shares with
 *                                          another region of the state;
 *                                          forked: its anon_vma a fork's,
 *                                          see bear_forked())
 *   PID resync WHY                         the shadow was re-imported: the
 *                                          params and region lines follow
 *   PID touch ADDR                         a write fault learned
 *   PID memlock BYTES|unlimited            RLIMIT_MEMLOCK changed (or
 *                                          CAP_IPC_LOCK: unlimited)
 *   PID rlimit_data SOFT HARD              RLIMIT_DATA changed (each in
 *                                          bytes or unlimited)
 *   PID mems_allowed MASK                  the nodes a policy may name
 *                                          changed (a 0x mask)
 *   PID nodes_online MASK                  the nodes online, the home nodes
 *                                          a policy may have, changed
 *   PID fork CHILD | PID clone-vm CHILD
 *   PID mmap ADDR LEN PROT FLAGS KEY OFFSET = RESULT [n=REGIONS]
 *   PID munmap ADDR LEN = ...              mprotect ADDR LEN PROT
 *   PID mremap ADDR OLD_LEN NEW_LEN FLAGS NEW_ADDR    brk ADDR
 *   PID madvise ADDR LEN ADVICE            mseal ADDR LEN FLAGS
 *   PID mlock ADDR LEN   mlock2 ADDR LEN FLAGS   munlock ADDR LEN
 *   PID mlockall FLAGS   munlockall
 *   PID mbind ADDR LEN MODE NODES MAXNODE FLAGS
 *                                          (MODE with its MPOL_F_* bits,
 *                                          NODES a 0x mask of nodes 0-63)
 *   PID set_mempolicy_home_node ADDR LEN NODE FLAGS
 *                                          (NODE in decimal)
 *
 * RESULT is what the kernel returned (an address, 0, or -ERRNO); n= the
 * kernel's region count after the call.  Replay applies the records to
 * fresh shadows and reports every call whose result or region count
 * differs.  It also reads `strace -f -e trace=memory` output (-y adds the
 * file names); strace gives no starting state, so those calls are applied
 * where the kernel placed them and failed calls are skipped.
 *
 * A region record's hidden vm_flags are rebuilt too: the madvise() ones
 * (give_hidden_flags()), MAP_DROPPABLE, a userfaultfd registration (the
 * context opened with the features its uffd record gives), and a seal
 * once the policies are given; then each region's vm_flags, page offset
 * and fault are checked against its record, and in a log 2 which regions
 * share an anon_vma (seal_and_check(), check_sharing()), in a log 3
 * which are forked, a warning where they differ.
 *
 * A region record's policy is rebuilt exactly (set_policies()): mbind()
 * with the nodes as given, then the home node, and checked with
 * GET_POLICY, a warning where it came out otherwise.  An old record,
 * mpol=MODE,NODES, has neither the nodes as given nor the home node: the
 * region is rebuilt with the nodes in force as given and without one.
 *
 * A fresh shadow starts with no RLIMIT_DATA, not the replayer's own: a
 * log's starting state is rebuilt under none and its limit set after.
 * Logs from before the data limit, and strace output, say none and get
 * none, as the modules of their time had it.
 *
 * Shrink is ddmin (Zeller) over the call and touch records before the
 * first divergence; a candidate "still diverges" when the same record
 * diverges with the same shadow outcome (result and region-count change).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vms.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#define VMS_MAP_DROPPABLE 0x08	/* 6.12's map type, which glibc may not have */

/* A region's policy as its record gives it, for set_policies(). */
struct rpol {
	uint64_t start, end;
	long line;		/* the region record's */
	uint32_t mode;		/* with its MPOL_F_* bits */
	uint64_t nodes;		/* in force */
	uint64_t user_nodes;	/* as given, if exact */
	int home_node;		/* -1: none */
	int exact;		/* GET_POLICY's (else numa_maps') */
};

/*
 * A log's policy of a region: mpol=MODE,NODES,USER_NODES,HOME_NODE as
 * GET_POLICY gave it, or from logs before it (and modules without it)
 * mpol=MODE,NODES as numa_maps shows it, which leaves out the nodes as
 * given and the home node.  0, or -1 if none.
 */
static int parse_mpol(const char *w, struct rpol *p)
{
	char *end;
	long h;

	if (strncmp(w, "mpol=", 5))
		return -1;
	p->mode = (uint32_t)strtoul(w + 5, &end, 0);
	if (*end != ',')
		return -1;
	p->nodes = strtoull(end + 1, &end, 0);
	p->user_nodes = 0;
	p->home_node = -1;
	p->exact = 0;
	if (!*end)
		return 0;
	if (*end != ',')
		return -1;
	p->user_nodes = strtoull(end + 1, &end, 0);
	if (*end != ',')
		return -1;
	h = strtol(end + 1, &end, 10);
	if (*end || h < -1 || h > INT_MAX)
		return -1;
	p->home_node = (int)h;
	p->exact = 1;
	return 0;
}

struct rline {
	char *text;
	int pid;
	char verb[32];
	int unit;		/* a call or touch: shrink may drop it */
	long rec_delta;		/* recorded change of the region count */
	int has_n;
	long n;
};

/* A region record as a look ahead reads it (state_ahead()). */
struct rrec {
	uint64_t start, end, pgoff;
	char kind[16], key[24];
	uint64_t anon;		/* anon=: the anon_vma it shares; 0: none */
	long line;		/* where in the log */
	uint64_t vm_flags;
	int forked;		/* its anon_vma a fork's (log 3) */
};

/*
 * A forked region born before the state's fork and parked until its
 * record's turn (bear_forked()): the one record at @line, or the pieces
 * of the group that shares anon= @anon, whose offsets begin at @lo.
 */
struct rpark {
	uint64_t anon;		/* 0: the record at @line alone */
	long line;
	uint64_t at, len, lo;
	int used;
};

/* A region record, for seal_and_check(). */
struct rreg {
	uint64_t start, end, vm_flags, pgoff;
	uint64_t anon;		/* anon=, 0: shares none */
	uint64_t got;		/* the rebuilt region's anon_id */
	int faulted;
	long line;
	int forked;
};

struct rmm {
	int pid;
	int fd;
	int *refs;
	long expect_regions;	/* after region lines: how many */
	int built;
	/*
	 * params for after the region lines (def_flags would lock them, a
	 * data limit could refuse them)
	 */
	uint32_t set_after;
	uint64_t def_flags, memlock;
	uint64_t data, data_max, start_data, end_data;
	uint32_t ignore_data;
	/* the policies of the region lines, for after them all */
	struct rpol *pols;
	size_t npols;
	/* the region lines, to seal and check after them all */
	struct rreg *regs;
	size_t nregs;
	struct rfence *fences;		/* until the state is whole */
	size_t nfences;
	struct rpark *parks;		/* forked regions, until placed */
	size_t nparks;
	int forks_born;			/* bear_forked() has seen the state */
	/*
	 * The region records of the state being built, parsed once for the
	 * look aheads (state_ahead()), and which of them, by line, were put
	 * in place ahead with an earlier record of their object: a state of
	 * n records with a group in every pair would cost n * n otherwise.
	 */
	struct rrec *ahead;
	size_t nahead;
	long ahead_end;			/* the line after them; 0: none */
	unsigned char *placed;		/* s->nv of them, or NULL */
	/* the region record built last: its end and anon= */
	uint64_t last_end, last_anon;
	uint64_t start_brk, brk;	/* the params record's: the heap */
	/* userfaultfd contexts: features as the uffd records give them */
	uint64_t uffd_features[VMASHADOW_UFFD_MAX + 1];
	unsigned char uffd[VMASHADOW_UFFD_MAX + 1];	/* UF_* */
	int alive;
};

/* rmm.uffd[]: what is known of a context */
enum { UF_NONE, UF_LOGGED, UF_OPEN };

struct rfile {
	char *key;
	int fd;
};

struct rstate {
	const struct vms_opts *o;
	struct rmm *m;
	size_t nm;
	struct rfile *f;
	size_t nf;
	FILE *rep;		/* reports, or NULL */
	int shrink_mode;	/* compare region-count changes, not counts */
	long div_line;		/* first divergence */
	char div_sig[256];
	long ndiv;
	long npolwarn;		/* policies rebuilt otherwise than logged */
	long nflagwarn;		/* regions rebuilt otherwise than logged */
	long nuffdwarn;		/* contexts opened without logged features */
	/* the header's version: 2 and up give every shared anon_vma (anon=) */
	int log_version;
	/* the lines being run, for a look ahead at a starting state */
	struct rline *v;
	size_t nv;
	const char *keep;
	long applied;
};

static struct rmm *rm_find(struct rstate *s, int pid)
{
	size_t i;

	for (i = 0; i < s->nm; i++)
		if (s->m[i].pid == pid && s->m[i].alive)
			return &s->m[i];
	return NULL;
}

/*
 * A fresh shadow starts with the opener's RLIMIT_DATA: lift it (a module
 * before the limit has none to lift).
 */
static void no_data_limit(int fd)
{
	struct vmashadow_params p;

	if (vd_get_params(fd, &p))
		return;
	p.set = VMASHADOW_PARAM_RLIMIT_DATA;
	p.rlimit_data = p.rlimit_data_max = VMASHADOW_RLIM_INFINITY;
	p.ignore_rlimit_data = 0;
	vd_set_params(fd, &p);
}

static struct rmm *rm_new(struct rstate *s, int pid, int fd, int *refs)
{
	struct rmm *old = rm_find(s, pid), *m;

	if (old) {
		old->alive = 0;
		free(old->pols);
		old->pols = NULL;
		free(old->regs);
		old->regs = NULL;
		free(old->placed);
		old->placed = NULL;
		free(old->ahead);
		old->ahead = NULL;
		free(old->fences);
		old->fences = NULL;
		free(old->parks);
		old->parks = NULL;
		if (--*old->refs == 0) {
			close(old->fd);
			free(old->refs);
		}
	}
	s->m = xrealloc(s->m, (s->nm + 1) * sizeof(*s->m));
	m = &s->m[s->nm++];
	memset(m, 0, sizeof(*m));
	m->pid = pid;
	m->alive = 1;
	if (fd < 0) {
		fd = vms_open_device(s->o);
		if (fd < 0)
			exit(VMS_EXIT_FAIL);
		no_data_limit(fd);
	}
	m->fd = fd;
	if (!refs) {
		refs = xmalloc(sizeof(*refs));
		*refs = 0;
	}
	m->refs = refs;
	++*refs;
	return m;
}

static void rs_free(struct rstate *s)
{
	size_t i;

	for (i = 0; i < s->nm; i++) {
		free(s->m[i].pols);
		free(s->m[i].regs);
		free(s->m[i].placed);
		free(s->m[i].ahead);
		free(s->m[i].fences);
		free(s->m[i].parks);
		if (s->m[i].alive && --*s->m[i].refs == 0) {
			close(s->m[i].fd);
			free(s->m[i].refs);
		}
	}
	free(s->m);
	for (i = 0; i < s->nf; i++) {
		if (s->f[i].fd >= 0)
			close(s->f[i].fd);
		free(s->f[i].key);
	}
	free(s->f);
}

static int file_fd(struct rstate *s, const char *key, const char *path)
{
	size_t i;
	int fd;

	for (i = 0; i < s->nf; i++)
		if (!strcmp(s->f[i].key, key))
			return s->f[i].fd;
	fd = -1;
	if (path) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		/* Not here (or strace gave no name): a stand-in file. */
		fd = memfd_create(key, MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, 1L << 40) < 0) {
			close(fd);
			fd = -1;
		}
	}
	s->f = xrealloc(s->f, (s->nf + 1) * sizeof(*s->f));
	s->f[s->nf].key = xstrdup(key);
	s->f[s->nf++].fd = fd;
	return fd;
}

static long regions_of(int fd)
{
	struct vmashadow_stats st;

	return vd_stats(fd, &st) ? -1 : (long)st.regions;
}

static int parse_res(const char *s, long *v)
{
	if (*s == '-' && isalpha((unsigned char)s[1])) {
		int e = vms_errno_value(s + 1);

		if (e < 0)
			return -1;
		*v = -e;
		return 0;
	}
	*v = (long)strtoull(s, NULL, 0);
	return 0;
}

static void report(struct rstate *s, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct rstate *s, long line, const char *fmt, ...)
{
	va_list ap;

	if (!s->rep)
		return;
	fprintf(s->rep, "line %ld: ", line + 1);
	va_start(ap, fmt);
	vfprintf(s->rep, fmt, ap);
	va_end(ap);
	fputc('\n', s->rep);
}

/*
 * The vm_flags that madvise() gives, each with its advice: hidden state
 * that a region record carries and its map does not give it.
 */
static const struct {
	uint64_t flag;
	unsigned int advice;
} advised[] = {
	{ VMASHADOW_VM_SEQ_READ, MADV_SEQUENTIAL },
	{ VMASHADOW_VM_RAND_READ, MADV_RANDOM },
	{ VMASHADOW_VM_DONTCOPY, MADV_DONTFORK },
	{ VMASHADOW_VM_WIPEONFORK, MADV_WIPEONFORK },
	{ VMASHADOW_VM_DONTDUMP, MADV_DONTDUMP },
	{ VMASHADOW_VM_HUGEPAGE, MADV_HUGEPAGE },
	{ VMASHADOW_VM_NOHUGEPAGE, MADV_NOHUGEPAGE },
	{ VMASHADOW_VM_MERGEABLE, MADV_MERGEABLE },
};

/* The region of @fd holding @addr in *@r: 0, or -1 if there is none. */
static int region_at(int fd, uint64_t addr, struct vmashadow_region *r)
{
	struct vmashadow_find f;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.mode = VMASHADOW_FIND_LOOKUP;
	f.addr = addr;
	if (vd_find(fd, &f, NULL, 0) || !(f.found & VMASHADOW_FOUND_REGION))
		return -1;
	*r = f.region;
	return 0;
}

/* The vm_flags of the region of @fd at @addr, 0 if there is none. */
static uint64_t flags_at(int fd, uint64_t addr)
{
	struct vmashadow_region r;

	return region_at(fd, addr, &r) ? 0 : r.vm_flags;
}

/* madvise(@start, @end - @start, @advice) on the shadow of @m: 0 or errno. */
static int advise(struct rmm *m, uint64_t start, uint64_t end, unsigned int advice)
{
	struct vmashadow_op op = { .addr = start, .len = end - start, .flags = advice };

	return vd_op(m->fd, VMASHADOW_OP_MADVISE, &op);
}

/*
 * Give the region [@start, @end) of @m the flags of @vmf that madvise()
 * sets and the map did not (a special mapping has VM_DONTDUMP of its
 * own).
 */
static void give_hidden_flags(struct rmm *m, uint64_t start, uint64_t end, uint64_t vmf)
{
	uint64_t have = flags_at(m->fd, start);
	size_t i;

	for (i = 0; i < sizeof(advised) / sizeof(advised[0]); i++)
		if ((vmf & advised[i].flag) && !(have & advised[i].flag))
			advise(m, start, end, advised[i].advice);
}

/*
 * Register [@start, @end) of @m with the context @ctx, in the modes its
 * vm_flags @vmf give, opening the context first with the features its
 * uffd record gave (a log from before GET_UFFD has none: opened without,
 * and a warning, as a later fork or mremap may then diverge).
 */
static void register_uffd(struct rstate *s, struct rmm *m, unsigned int ctx,
			  uint64_t start, uint64_t end, uint64_t vmf, long line)
{
	struct vmashadow_op op;

	if (!ctx || ctx > VMASHADOW_UFFD_MAX)
		return;
	if (m->uffd[ctx] != UF_OPEN) {
		if (m->uffd[ctx] != UF_LOGGED) {
			s->nuffdwarn++;
			report(s, line, "warning: userfaultfd context %u has no uffd record: "
			       "opened without features", ctx);
		}
		memset(&op, 0, sizeof(op));
		op.fd = -1;
		op.offset = ctx;
		op.flags = (__u32)m->uffd_features[ctx];
		vd_op(m->fd, VMASHADOW_OP_UFFD_API, &op);
		m->uffd[ctx] = UF_OPEN;
	}
	memset(&op, 0, sizeof(op));
	op.fd = -1;
	op.addr = start;
	op.len = end - start;
	op.offset = ctx;
	op.flags = vd_uffd_modes(vmf);
	vd_op(m->fd, VMASHADOW_OP_UFFD_REGISTER, &op);
}

/* Whether [@lo, @hi) of @fd holds no region. */
static int range_free(int fd, uint64_t lo, uint64_t hi)
{
	struct vmashadow_find f;

	if (lo >= hi)
		return 1;
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.mode = VMASHADOW_FIND_INTERSECT;
	f.addr = lo;
	f.end = hi;
	return vd_find(fd, &f, NULL, 0) == ENOENT;	/* nothing there */
}

/*
 * Where to map an anonymous private region first, so that it gets the
 * page offset its record gives: an anonymous region's offset is the
 * address it was first mapped at, which mremap() keeps, and the kernel
 * merges only neighbours whose offsets follow on.  The region is mapped
 * and faulted there, then moved into place, as the kernel did it (by
 * way of a scratch mapping where the two meet); 0: map it in place (a
 * stack, which cannot have moved).
 */
static uint64_t birthplace(const char *kind, const char *perms, uint64_t start,
			   uint64_t end, uint64_t pgoff, uint64_t vmf)
{
	uint64_t at = pgoff * VMS_PAGE_SIZE, len = end - start;

	if (strcmp(kind, "anon") || perms[3] != 'p' || (vmf & VMASHADOW_VM_GROWSDOWN) ||
	    at == start || pgoff > VMS_TASK_SIZE / VMS_PAGE_SIZE ||
	    len > VMS_TASK_SIZE - at)
		return 0;
	return at;
}

/* Whether the record @text has the word @word among its tokens. */
static int has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(text, word); p; p = strstr(p + 1, word))
		if (p > text && p[-1] == ' ' && (!p[n] || isspace((unsigned char)p[n])))
			return 1;
	return 0;
}

/* A region record's text into @r, all but its line: 0, or -1. */
static int parse_region(const char *text, struct rrec *r)
{
	const char *a = strstr(text, " anon=");

	r->anon = a ? strtoull(a + 6, NULL, 10) : 0;
	r->forked = has_word(text, "forked");
	return sscanf(text, "%*d region %" SCNx64 " %" SCNx64 " %*s %15s %23s %" SCNx64
		      " %" SCNx64, &r->start, &r->end, r->kind, r->key, &r->pgoff,
		      &r->vm_flags) == 6 ? 0 : -1;
}

/*
 * The region records of the starting state after line @line (the run of
 * region, file and uffd records of its pid), for a look ahead: parsed at
 * the first look ahead into the state, then a tail of those.
 */
static size_t state_ahead(const struct rstate *s, struct rmm *m, long line,
			  const struct rrec **out)
{
	size_t lo = 0, hi = m->nahead, cap = 0, j;
	struct rrec r;

	if (!m->ahead_end || line >= m->ahead_end ||
	    (m->nahead && line + 1 < m->ahead[0].line)) {
		m->nahead = 0;
		for (j = (size_t)line + 1; j < s->nv; j++) {
			const struct rline *L = &s->v[j];

			if (s->keep && !s->keep[j])
				continue;
			if (L->pid != m->pid || (strcmp(L->verb, "region") &&
						 strcmp(L->verb, "file") && strcmp(L->verb, "uffd")))
				break;
			if (strcmp(L->verb, "region") || parse_region(L->text, &r))
				continue;
			r.line = (long)j;
			if (m->nahead == cap) {
				cap = cap ? 2 * cap : 64;
				m->ahead = xrealloc(m->ahead, cap * sizeof(*m->ahead));
			}
			m->ahead[m->nahead++] = r;
		}
		m->ahead_end = (long)j;
	}
	/* the first record after @line */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ahead[mid].line <= line)
			lo = mid + 1;
		else
			hi = mid;
	}
	*out = m->ahead + lo;
	return m->nahead - lo;
}

/* Whether [@lo, @hi) meets one of the @n records @v. */
static int meets_any(const struct rrec *v, size_t n, uint64_t lo, uint64_t hi)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].start < hi && lo < v[i].end)
			return 1;
	return 0;
}

static int rrec_by_start(const void *a, const void *b)
{
	const struct rrec *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int rrec_by_pgoff_down(const void *a, const void *b)
{
	const struct rrec *x = a, *y = b;

	return x->pgoff > y->pgoff ? -1 : x->pgoff < y->pgoff;
}

/* Whether the record of line @line was put in place with an earlier one. */
static int placed_ahead(const struct rmm *m, long line)
{
	return m->placed && m->placed[line];
}

static void place_ahead(const struct rstate *s, struct rmm *m, long line)
{
	if (!m->placed) {
		m->placed = xmalloc(s->nv);
		memset(m->placed, 0, s->nv);
	}
	m->placed[line] = 1;
}

/* The record at @line is in place: 1 if it is @self's, the caller's. */
static int mark_placed(const struct rstate *s, struct rmm *m, long line, long self)
{
	if (line == self)
		return 1;
	place_ahead(s, m, line);
	return 0;
}

/*
 * Shared anonymous memory split in pieces: the pieces of one object share
 * its pages, and the kernel merges neighbours only within one object,
 * offsets following on.  At the first piece of the object the log calls
 * @key (the record [@start, @end) at page @pgoff), the object is made
 * whole somewhere free of every region of the state, each of its pieces
 * in the state (this one and those ahead) is a new mapping of it, moved
 * into place (mremap() with an old size of 0, as shared memory allows),
 * and the whole is unmapped.  @map is the mmap() of a new object.
 * Returns whether [@start, @end) is in place, with the protection of the
 * object's first mapping; 0: the caller maps a new object (and the check
 * warns).
 */
static int map_shmem_object(struct rstate *s, struct rmm *m, const char *key, uint64_t start,
			    uint64_t end, uint64_t pgoff, long line,
			    const struct vmashadow_op *map)
{
	static const uint64_t tries[] = { VMS_TASK_SIZE, 1ULL << 44, 1ULL << 32 };
	const struct rrec *ahead;
	struct rrec *mine = NULL;
	uint64_t span = pgoff + (end - start) / VMS_PAGE_SIZE, at = 0, len;
	struct vmashadow_op op;
	size_t n, i, nmine = 0;
	int placed = 0;

	if (placed_ahead(m, line))
		return 1;
	n = state_ahead(s, m, line, &ahead);
	mine = xmalloc((n + 1) * sizeof(*mine));
	mine[nmine++] = (struct rrec){ .start = start, .end = end, .pgoff = pgoff,
				       .kind = "shmem", .line = line };
	for (i = 0; i < n; i++) {
		if (strcmp(ahead[i].kind, "shmem") || strcmp(ahead[i].key, key))
			continue;
		mine[nmine++] = ahead[i];
		if (ahead[i].pgoff + (ahead[i].end - ahead[i].start) / VMS_PAGE_SIZE > span)
			span = ahead[i].pgoff + (ahead[i].end - ahead[i].start) / VMS_PAGE_SIZE;
	}
	len = span * VMS_PAGE_SIZE;
	/* a place for the whole: free now, and of every record ahead */
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]) && !at; i++) {
		uint64_t lo = (tries[i] - len) & ~(VMS_PAGE_SIZE - 1);

		if (len < tries[i] && range_free(m->fd, lo, lo + len) &&
		    !meets_any(ahead, n, lo, lo + len) && !(lo < end && start < lo + len))
			at = lo;
	}
	op = *map;
	op.addr = at;
	op.len = len;
	op.prot = PROT_READ | PROT_WRITE;
	if (at && !vd_op(m->fd, VMASHADOW_OP_MAP, &op)) {
		for (i = 0; i < nmine; i++) {
			struct vmashadow_op r = {
				.addr = at + mine[i].pgoff * VMS_PAGE_SIZE,
				.new_len = mine[i].end - mine[i].start,
				.new_addr = mine[i].start,
				.flags = MREMAP_MAYMOVE | MREMAP_FIXED,
			};

			if (vd_op(m->fd, VMASHADOW_OP_REMAP, &r))
				continue;
			if (!i)
				placed = 1;
			else
				place_ahead(s, m, mine[i].line);
		}
		memset(&op, 0, sizeof(op));
		op.addr = at;
		op.len = len;
		vd_op(m->fd, VMASHADOW_OP_UNMAP, &op);
	}
	free(mine);
	return placed;
}

/*
 * A region mapped right beside another would merge with it as it is
 * mapped: a new region takes its neighbour's anon_vma, and an unfaulted
 * neighbour is faulted with the new one.  In the kernel they are apart,
 * by an anon_vma each, by flags a later record gives (a piece's own
 * protection) or by a policy that set_policies() gives only once every
 * region is there.  The neighbour is the region below, or above where a
 * group's piece was put in place ahead (map_anon_group()).  A fence: the
 * neighbour gets a flag it lacks (VM_DONTCOPY, else VM_DONTDUMP) while
 * the new one is mapped and faulted, which keeps them apart.  unfence()
 * takes the flags away again once the state is whole and its policies
 * given, then gives each record its own flags again, where it had one
 * that a fence took.
 */
struct rfence {
	uint64_t start, end;
	unsigned int undo;	/* the advice that takes it away */
};

/*
 * The region right below [@start, @end) (@above 0) or right above it, in
 * *@b: 0, or -1 if none touches it there.
 */
static int touching(int fd, uint64_t start, uint64_t end, int above,
		    struct vmashadow_region *b)
{
	if (above)
		return !region_at(fd, end, b) && b->start == end ? 0 : -1;
	return start && !region_at(fd, start - 1, b) && b->end == start ? 0 : -1;
}

static int like_any(const uint64_t *near, int nnear, uint64_t vmf)
{
	int i;

	for (i = 0; i < nnear; i++)
		if (near[i] == vmf)
			return 1;
	return 0;
}

/*
 * Give [@start, @end), whose flags are @vmf, a fence flag it lacks and
 * that makes it like no neighbour but the one at @moving (whose fence
 * comes over to it: fence_over()): the advice that takes it away again,
 * 0 if none could be given.  A fence must not make its region like one
 * fenced before: mapping U fenced the faulted P below it; the next
 * region mapped, W, fences U, which with P's flag would be like P and
 * join it.
 *
 *   P faulted, fenced +DONTCOPY | U unfaulted | W new
 *   fence U +DONTCOPY: U is like P and joins it (wrong)
 *   fence U +DONTDUMP: U stays apart from P and W (right)
 */
static unsigned int fence_flag(struct rmm *m, uint64_t start, uint64_t end, uint64_t vmf,
			       uint64_t moving)
{
	struct vmashadow_region b;
	uint64_t near[2];
	int nnear = 0, above;

	for (above = 0; above < 2; above++)
		if (!touching(m->fd, start, end, above, &b) && b.start != moving)
			near[nnear++] = b.vm_flags;
	if (!(vmf & VMASHADOW_VM_DONTCOPY) &&
	    !like_any(near, nnear, vmf | VMASHADOW_VM_DONTCOPY) &&
	    !advise(m, start, end, MADV_DONTFORK))
		return MADV_DOFORK;
	if (!(vmf & VMASHADOW_VM_DONTDUMP) &&
	    !like_any(near, nnear, vmf | VMASHADOW_VM_DONTDUMP) &&
	    !advise(m, start, end, MADV_DONTDUMP))
		return MADV_DODUMP;
	return 0;
}

static void fence_one(struct rmm *m, const struct vmashadow_region *b)
{
	unsigned int undo = fence_flag(m, b->start, b->end, b->vm_flags, UINT64_MAX);

	if (!undo)
		return;
	m->fences = xrealloc(m->fences, (m->nfences + 1) * sizeof(*m->fences));
	m->fences[m->nfences++] = (struct rfence){ b->start, b->end, undo };
}

/*
 * Fences from @first on were put around [@start, @end), now mapped and
 * faulted, with flags @vmf.  One on an unfaulted neighbour goes over to
 * the new region.  Taken away, a flag makes its region try to merge
 * again: an unfaulted region joins a faulted neighbour (it takes the
 * neighbour's anon_vma), but a faulted one cannot join an unfaulted
 * neighbour (is_mergeable_anon_vma() wants the neighbour's anon_vma_chain
 * singular, and it is empty).  The kernel keeps such a pair apart after
 * the faulted one changed without merging (a userfaultfd unregistered,
 * say); only the fence on the faulted side leaves them so.
 *
 *   b unfaulted | new faulted     fenced:  b+F | new     moved:  b | new+F
 *   unfence b: b joins new (wrong)          unfence new: merge refused (right)
 */
static void fence_over(struct rmm *m, size_t first, uint64_t start, uint64_t end,
		       uint64_t vmf)
{
	struct vmashadow_region b;
	unsigned int undo;
	size_t i;

	for (i = first; i < m->nfences; i++) {
		struct rfence *f = &m->fences[i];

		if (region_at(m->fd, f->start, &b) || b.anon_id ||
		    (b.end != start && b.start != end))
			continue;
		undo = fence_flag(m, start, end, vmf, f->start);
		if (!undo)
			return;
		advise(m, f->start, f->end, f->undo);
		*f = (struct rfence){ start, end, undo };
		return;		/* one flag on the new region serves both sides */
	}
}

/*
 * A group's pieces are made in [@lo, @hi), where its region was born:
 * the fences from @first on, which bear_group() put on the birth's
 * unfaulted neighbours, go over to the faulted pieces now beside them
 * (fence_over()).  On 6.1 a region grown in place by mremap() up to a
 * faulted one stays apart from it, unfaulted, and so must the rebuild.
 */
static void fence_over_ends(struct rmm *m, size_t first, uint64_t lo, uint64_t hi)
{
	struct vmashadow_region r;

	if (!region_at(m->fd, lo, &r) && r.start == lo && r.anon_id)
		fence_over(m, first, r.start, r.end, r.vm_flags);
	if (!region_at(m->fd, hi - 1, &r) && r.end == hi && r.anon_id)
		fence_over(m, first, r.start, r.end, r.vm_flags);
}

static void fence_around(struct rmm *m, uint64_t start, uint64_t end)
{
	struct vmashadow_region b;
	int above;

	for (above = 0; above < 2; above++)
		if (!touching(m->fd, start, end, above, &b))
			fence_one(m, &b);
}

static void unfence(struct rmm *m)
{
	size_t i;

	for (i = m->nfences; i--; )
		advise(m, m->fences[i].start, m->fences[i].end, m->fences[i].undo);
	if (m->nfences)
		for (i = 0; i < m->nregs; i++)
			give_hidden_flags(m, m->regs[i].start, m->regs[i].end,
					  m->regs[i].vm_flags);
	free(m->fences);
	m->fences = NULL;
	m->nfences = 0;
}

static void unmap_range(struct rmm *m, uint64_t addr, uint64_t len)
{
	struct vmashadow_op un = { .addr = addr, .len = len };

	vd_op(m->fd, VMASHADOW_OP_UNMAP, &un);
}

/*
 * A scratch mapping to park a region of @len bytes in, a page in: shared
 * anonymous memory, which merges with nothing, and a page more on each
 * side, clear of [@lo, @hi), the range being cleared, and of the places
 * of the @navoid records @avoid, which are being made: where the kernel's
 * placement puts it, else in the first room from 8 TiB up, far from
 * where programs map.  Its address, or 0 (no place).
 */
static uint64_t map_scratch(struct rmm *m, uint64_t len, uint64_t lo, uint64_t hi,
			    const struct rrec *avoid, size_t navoid)
{
	struct vmashadow_op map = { .prot = PROT_NONE, .fd = -1,
				    .flags = MAP_SHARED | MAP_ANONYMOUS,
				    .len = len + 2 * VMS_PAGE_SIZE };
	uint64_t at = 1ULL << 43;
	int tries;

	if (vd_op(m->fd, VMASHADOW_OP_MAP, &map))
		return 0;
	if (!(map.result < hi && lo < map.result + map.len) &&
	    !meets_any(avoid, navoid, map.result, map.result + map.len))
		return map.result;
	unmap_range(m, map.result, map.len);
	for (tries = 0; tries < 256 && at + map.len <= VMS_TASK_SIZE; tries++) {
		struct vmashadow_find f = { .size = sizeof(f), .mode = VMASHADOW_FIND_INTERSECT,
					    .addr = at, .end = at + map.len };
		int e = vd_find(m->fd, &f, NULL, 0);

		if (e == ENOENT && !meets_any(avoid, navoid, at, at + map.len)) {
			map.addr = at;
			map.flags |= MAP_FIXED;
			return vd_op(m->fd, VMASHADOW_OP_MAP, &map) ? 0 : map.result;
		}
		if (e && e != ENOENT)
			return 0;
		/* past what is there, or past the records it met */
		at = (e ? at + map.len : f.region.end) + VMS_PAGE_SIZE;
	}
	return 0;
}

/*
 * A birthplace that regions rebuilt before have taken since, as the
 * program's later mappings took it after the mremap(): they wait aside
 * while the region is born there, each in the middle of a scratch mapping
 * of shared anonymous memory (which merges with nothing), and come back
 * fenced from their neighbours.
 *
 *   before     [ taken ]      ...      [ scratch | taken | scratch ]
 *   born       [ new   ]  ->  moved into place
 *   after      [ taken ]  (back, fenced)
 */
#define MAX_ASIDE	64
struct raside {
	uint64_t start, end;	/* where it was and goes back to */
	uint64_t scratch;	/* the scratch mapping; it waits a page in */
};

static void put_back(struct rmm *m, struct raside *a, int n)
{
	while (n-- > 0) {
		uint64_t len = a[n].end - a[n].start;
		struct vmashadow_op mv = {
			.addr = a[n].scratch + VMS_PAGE_SIZE, .len = len, .new_len = len,
			.new_addr = a[n].start, .flags = MREMAP_MAYMOVE | MREMAP_FIXED,
		};

		fence_around(m, a[n].start, a[n].end);
		/* (if it cannot come back, the records' check says so) */
		if (!vd_op(m->fd, VMASHADOW_OP_REMAP, &mv))
			unmap_range(m, a[n].scratch, len + 2 * VMS_PAGE_SIZE);
	}
}

/*
 * A group's piece in place that has only its first @r->len bytes of the
 * group's region: the rest, which pieces above took away, it gets as
 * mremap() grew it, in place.  0, or an errno: not made so.
 */
static int grow_in_place(struct rmm *m, const struct vmashadow_op *r)
{
	struct vmashadow_op grow = { .addr = r->addr, .len = r->len, .new_len = r->new_len };

	if (r->len == r->new_len)
		return 0;
	if (!r->len)
		return EINVAL;
	/* what is left of the region there */
	unmap_range(m, r->addr + r->len, r->new_len - r->len);
	return vd_op(m->fd, VMASHADOW_OP_REMAP, &grow);
}

/*
 * Whether the group's piece @i of @mine (@n, by offset, highest first)
 * lands where a piece whose pages are not yet @gone takes pages of the
 * region at @at
 * (offsets from @lo; piece j takes @have[j] pages from its own offset).
 * Those pages lie in order of offset, highest first, as the pieces do:
 * found by a binary search.
 */
static int lands_on_another(const struct rrec *mine, const uint64_t *have, size_t n,
			    const char *gone, size_t i, uint64_t at, uint64_t lo)
{
	size_t a = 0, b = n, j;

	/* the first piece whose pages begin below where @i ends */
	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (at + (mine[mid].pgoff - lo) * VMS_PAGE_SIZE < mine[i].end)
			b = mid;
		else
			a = mid + 1;
	}
	for (j = a; j < n; j++) {
		uint64_t from = at + (mine[j].pgoff - lo) * VMS_PAGE_SIZE;

		/* and so do all below it, but for pieces of the same offset */
		if (from + have[j] * VMS_PAGE_SIZE <= mine[i].start &&
		    (j + 1 == n || mine[j + 1].pgoff != mine[j].pgoff))
			break;
		if (j != i && !gone[j] && have[j] &&
		    from + have[j] * VMS_PAGE_SIZE > mine[i].start)
			return 1;
	}
	return 0;
}

/*
 * Of the group's pieces @mine (@n, by offset, highest first) that share
 * an offset, those in place (where the region at @at, offsets from @lo,
 * has them) last: the one before takes the pages, the others refill()
 * them, and a piece in place refilled after another moved away is made
 * where it is.
 */
static void in_place_last(struct rrec *mine, size_t n, uint64_t at, uint64_t lo)
{
	size_t i, j, k;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && mine[j].pgoff == mine[i].pgoff; j++)
			;
		for (k = i; k + 1 < j; k++) {
			struct rrec t = mine[k];

			if (t.start != at + (t.pgoff - lo) * VMS_PAGE_SIZE)
				continue;
			memmove(&mine[k], &mine[k + 1], (j - k - 1) * sizeof(*mine));
			mine[j - 1] = t;
			break;	/* two pieces cannot both be in place */
		}
	}
}

/*
 * The steps by which the group's pieces @mine (@n, by offset, highest
 * first) are made, into @step: each piece moved into place, by offset,
 * but a piece that lands where another still to move takes its pages
 * waits for that one.  realloc() moves a block into the room another
 * left, then the kernel grew it there: B moves away first, though its
 * offsets are lower.
 *
 *   offsets      35b ................ 387 .... 39d 3a4
 *   B            [------ B takes -----]                moved away
 *   G                                          [-G-]   lands at 35c
 *
 * Where each waits for another (D lands on J's pages and J on D's: the
 * kernel moved them one after the other, by way of places since taken),
 * the first is moved aside to a scratch mapping (DETOUR), and into place
 * from there later.  A piece that @refills the pages of the one before it
 * (of the same offset) waits for that one too, and then the lowest
 * offsets go first: what the piece above took is still there for the
 * refilled pages to join.  How many steps (at most 2 * @n).
 */
#define DETOUR	((size_t)1 << (sizeof(size_t) * 8 - 1))

static size_t order_pieces(const struct rrec *mine, const uint64_t *have, const char *refills,
			   int lowest_first, size_t n, uint64_t at, uint64_t lo, size_t *step)
{
	char *gone = xmalloc(n + 1);	/* its pages no longer in the region */
	char *done = xmalloc(n + 1);
	size_t k = 0, ndone = 0, i = 0, t, first = 0;

	memset(gone, 0, n + 1);
	memset(done, 0, n + 1);
	while (ndone < n) {
		for (t = first; t < n; t++) {
			i = lowest_first ? n - 1 - (t - first) : t;
			if (!done[i] && (!refills[i] || gone[i - 1]) &&
			    !lands_on_another(mine, have, n, gone, i, at, lo))
				break;
		}
		if (t < n) {
			gone[i] = done[i] = 1;
			ndone++;
			step[k++] = i;
			while (first < n && done[first])
				first++;
			continue;
		}
		/* each waits for another: the first whose pages can go, aside */
		for (i = first; i < n && (gone[i] || done[i] || refills[i] || !have[i]); i++)
			;
		if (i == n)
			break;
		gone[i] = 1;
		step[k++] = i | DETOUR;
	}
	free(gone);
	free(done);
	return k;
}

/*
 * A group's piece moved from @r->addr to @r->new_addr, growing as mremap()
 * grew it.  mremap() refuses a move onto the range it moves from; the
 * kernel got there in more than one call, and so does this, by way of a
 * scratch mapping outside the group's region [@at, @at + @len).  0, or an
 * errno: not made so (and nothing left of it).
 */
static int move_piece(struct rmm *m, const struct vmashadow_op *r, uint64_t at, uint64_t len)
{
	struct vmashadow_op there = *r, back = *r;
	uint64_t scratch;
	int err;

	if (!(r->new_addr < r->addr + r->len && r->addr < r->new_addr + r->new_len))
		return vd_op(m->fd, VMASHADOW_OP_REMAP, &there);
	/* clear of the group's range and of the piece's place, which meet */
	scratch = map_scratch(m, r->new_len, at < r->new_addr ? at : r->new_addr,
			      at + len > r->new_addr + r->new_len ? at + len :
			      r->new_addr + r->new_len, NULL, 0);
	if (!scratch)
		return ENOMEM;
	there.new_addr = scratch + VMS_PAGE_SIZE;
	err = vd_op(m->fd, VMASHADOW_OP_REMAP, &there);
	back.addr = there.new_addr;
	back.len = r->new_len;
	if (!err)
		err = vd_op(m->fd, VMASHADOW_OP_REMAP, &back);
	/* the scratch, and the piece if it is stuck there */
	unmap_range(m, scratch, r->new_len + 2 * VMS_PAGE_SIZE);
	return err;
}

/*
 * The @len bytes at @addr moved aside to a scratch mapping (map_scratch(),
 * clear of [@lo, @hi) and of the places of the @navoid records @avoid),
 * to wait there: a region in the way of a birth (move_aside()), or a
 * group's piece (order_pieces()).  The scratch mapping's address (what
 * waits there lies a page in), or 0: not moved.
 */
static uint64_t to_scratch(struct rmm *m, uint64_t addr, uint64_t len, uint64_t lo,
			   uint64_t hi, const struct rrec *avoid, size_t navoid)
{
	uint64_t scratch = map_scratch(m, len, lo, hi, avoid, navoid);
	struct vmashadow_op mv = { .addr = addr, .len = len, .new_len = len,
				   .new_addr = scratch + VMS_PAGE_SIZE,
				   .flags = MREMAP_MAYMOVE | MREMAP_FIXED };

	if (!scratch)
		return 0;
	if (!vd_op(m->fd, VMASHADOW_OP_REMAP, &mv))
		return scratch;
	unmap_range(m, scratch, len + 2 * VMS_PAGE_SIZE);
	return 0;
}

/*
 * Move what lies in [@lo, @hi) aside, clear of the places of the @navoid
 * records @avoid: how many regions (0: the range is free), or -1 (none
 * moved).
 */
static int move_aside(struct rmm *m, uint64_t lo, uint64_t hi, const struct rrec *avoid,
		      size_t navoid, struct raside *a)
{
	int n = 0;

	for (;;) {
		struct vmashadow_find f = { .size = sizeof(f), .mode = VMASHADOW_FIND_INTERSECT,
					    .addr = lo, .end = hi };
		int e = vd_find(m->fd, &f, NULL, 0);
		uint64_t scratch;

		if (e == ENOENT)
			return n;	/* nothing (more) there */
		if (e || n == MAX_ASIDE || !(f.found & VMASHADOW_FOUND_REGION))
			goto fail;
		scratch = to_scratch(m, f.region.start, f.region.end - f.region.start, lo, hi,
				     avoid, navoid);
		if (!scratch)
			goto fail;
		a[n].start = f.region.start;
		a[n].end = f.region.end;
		a[n++].scratch = scratch;
	}
fail:
	put_back(m, a, n);
	return -1;
}

/*
 * The region the @n pieces of a group @mine came from, born at @at (@len
 * bytes, offsets from @lo) with @map and faulted, what regions rebuilt
 * before had taken of the range put aside meanwhile (into @aside, @naside
 * of them), clear of where the pieces go.  Whether it was.
 */
static int bear_group(struct rmm *m, const struct rrec *mine, size_t n, uint64_t at,
		      uint64_t len, uint64_t lo, const struct vmashadow_op *map,
		      struct raside *aside, int *naside)
{
	struct vmashadow_op op;

	/* regions rebuilt before, where the region began: aside meanwhile */
	*naside = move_aside(m, at, at + len, mine, n, aside);
	if (*naside < 0) {
		*naside = 0;
		return 0;
	}
	op = *map;
	op.addr = at;
	op.len = len;
	op.prot = PROT_READ | PROT_WRITE;
	if (!strcmp(mine[0].kind, "file"))
		op.offset = lo * VMS_PAGE_SIZE;
	fence_around(m, at, at + len);
	if (vd_op(m->fd, VMASHADOW_OP_MAP, &op))
		return 0;
	memset(&op, 0, sizeof(op));
	op.addr = at;
	vd_op(m->fd, VMASHADOW_OP_TOUCH, &op);
	return 1;
}

/*
 * Pieces of one offset: the kernel gave a later mapping the offsets of
 * an earlier one (an anonymous mapping's are its address, which a piece
 * born there once had too), and it took the anon_vma of the neighbour it
 * joined.  So as soon as the piece before it has taken the pages at
 * @addr (@len bytes, from offset @pgoff), they are mapped again with
 * @map, unfaulted: they join what is left of the region beside them,
 * and its anon_vma, and the piece is made from them at its turn.  (A
 * forked region cannot be joined: such pieces are rebuilt apart, and
 * the check says so.)
 *
 *   offsets   028 029 02a ...
 *   region    [ Q1  .   Q2 ... ]    Q1 takes 028 and moves away
 *   refilled  [ 028' .  Q2 ... ]    one region again, the same anon_vma
 *   Q5        [ 028' grown ... ]    in place, once Q2 has moved
 */
static void refill(struct rmm *m, const struct vmashadow_op *map, uint64_t addr, uint64_t len,
		   uint64_t pgoff)
{
	struct vmashadow_op op = *map;

	if (!len || !range_free(m->fd, addr, addr + len))
		return;
	op.addr = addr;
	op.len = len;
	op.prot = PROT_READ | PROT_WRITE;
	if (op.fd >= 0)
		op.offset = pgoff * VMS_PAGE_SIZE;
	vd_op(m->fd, VMASHADOW_OP_MAP, &op);
}

/* m->parks' order: by group, the records alone (0) by line. */
static int park_order(const void *a, const void *b)
{
	const struct rpark *x = a, *y = b;

	if (x->anon != y->anon)
		return x->anon < y->anon ? -1 : 1;
	return x->anon ? 0 : (x->line > y->line) - (x->line < y->line);
}

/* The parked birth of the group sharing @anon, or of the record at @line. */
static struct rpark *park_of(struct rmm *m, uint64_t anon, long line)
{
	struct rpark key = { .anon = anon, .line = line }, *p;

	if (!m->nparks)
		return NULL;
	p = bsearch(&key, m->parks, m->nparks, sizeof(*p), park_order);
	return p && !p->used ? p : NULL;
}

/*
 * Whether the record @r is the heap, [start_brk, brk) of the params
 * record, which brk() made: it joins no region below start_brk (sys_brk()
 * looks for one to grow from start_brk up), though it may share the
 * anon_vma of the one right below (its fault found that one compatible).
 * A forked heap is parked and placed as any forked region.
 */
static int is_heap(const struct rmm *m, const struct rrec *r)
{
	return !r->forked && !strcmp(r->kind, "anon") && !(r->vm_flags & VMASHADOW_VM_SHARED) &&
	       m->brk > m->start_brk && r->start == m->start_brk &&
	       r->end == ((m->brk + VMS_PAGE_SIZE - 1) & ~(VMS_PAGE_SIZE - 1));
}

/*
 * The heap, made as the program made it: the break set back to start_brk,
 * then brk() to where it was, and faulted if it was.  Whether it was.
 */
static int make_heap(struct rmm *m, int faulted)
{
	struct vmashadow_params p;
	struct vmashadow_op op = { .addr = m->brk };

	if (vd_get_params(m->fd, &p))
		return 0;
	p.set = VMASHADOW_PARAM_BRK;
	p.brk = p.start_brk;
	if (vd_set_params(m->fd, &p) || vd_op(m->fd, VMASHADOW_OP_BRK, &op) ||
	    op.result != m->brk)
		return 0;
	memset(&op, 0, sizeof(op));
	op.addr = m->start_brk;
	if (faulted)
		vd_op(m->fd, VMASHADOW_OP_TOUCH, &op);
	return 1;
}

/*
 * A record made as part of the piece below it (join_runs()), and the
 * hole between them, unmapped once the piece is in place.
 */
struct rjoin {
	long lead, line;	/* the piece's record, and the one joined */
	uint64_t hole, hole_end;
};

/*
 * Pieces whose offsets follow on from their places alike were one region
 * that a change of protection or of a flag split, or munmap() punched:
 * each run of them is made as one piece, then punched again and split
 * at each record's turn (build_region() gives each its protection and
 * flags), as the kernel made them.  This also makes whole a piece that
 * begins at another's first offset because mremap() grew the piece below
 * it over those offsets as it moved it:
 *
 *   offsets   e4  e5  e6  e7  e8  e9  ea  eb
 *   log       [--- A1 ---][A2][---- A3 ----]    A3 and B both begin at e8
 *             B: [e8] where the region began
 *   made      [------------ A --------------]   A1 moved and grown, then
 *                                               split by its protections
 *
 * Pieces are joined across a hole only where nothing of @m lies now.
 * @mine (@n pieces) is left in address order; the pieces joined to the
 * one before them go into @joined.  How many pieces are left.
 */
static size_t join_runs(const struct rmm *m, struct rrec *mine, size_t n, struct rjoin *joined,
			size_t *njoined)
{
	size_t i, j;

	qsort(mine, n, sizeof(*mine), rrec_by_start);
	for (i = 1, j = 0; i < n; i++) {
		struct rrec *below = &mine[j];

		if (mine[i].start - mine[i].pgoff * VMS_PAGE_SIZE ==
		    below->start - below->pgoff * VMS_PAGE_SIZE && mine[i].start >= below->end &&
		    (mine[i].start == below->end || range_free(m->fd, below->end, mine[i].start))) {
			joined[*njoined] = (struct rjoin){ below->line, mine[i].line,
							   below->end, mine[i].start };
			(*njoined)++;
			below->end = mine[i].end;
		} else {
			mine[++j] = mine[i];
		}
	}
	return n ? j + 1 : 0;
}

static int line_order(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/*
 * The records join_runs() joined to the pieces that were made (@made,
 * of the @n in @mine) are in place too, and the holes between them are
 * unmapped, now that every piece has its pages.  1 if @self's record is
 * one of them.
 */
static int place_joined(const struct rstate *s, struct rmm *m, const struct rrec *mine,
			const char *made, size_t n, const struct rjoin *joined, size_t njoined,
			long self)
{
	long *leads = xmalloc((n + 1) * sizeof(*leads));
	size_t i, nleads = 0;
	int placed = 0;

	for (i = 0; i < n; i++)
		if (made[i])
			leads[nleads++] = mine[i].line;
	qsort(leads, nleads, sizeof(*leads), line_order);
	for (i = 0; i < njoined; i++) {
		const struct rjoin *j = &joined[i];

		if (!bsearch(&j->lead, leads, nleads, sizeof(*leads), line_order))
			continue;
		placed |= mark_placed(s, m, j->line, self);
		if (j->hole_end > j->hole)
			unmap_range(m, j->hole, j->hole_end - j->hole);
	}
	free(leads);
	return placed;
}

/*
 * Faulted private regions that share one anon_vma (anon=N): the pieces
 * of a region that mprotect() split or munmap() punched, some perhaps
 * moved by mremap() since, their page offsets those of the one region.
 * The kernel merges a region between two of them into one, and two that
 * do not share only with one of them.  At the first piece @rec, the
 * region they came from is mapped where its offsets say it began (an
 * anonymous one's offsets are addresses; a file's, the lowest piece's
 * place) if that is free, faulted once, each piece not at its own place
 * moved there, and the rest unmapped: the pieces share its anon_vma, as
 * in the kernel.  The records of the state that lie between them are
 * rebuilt in those holes later, fenced from the pieces on both sides.
 * Returns whether @rec is in place (with read and write access); 0: the
 * caller maps and faults it alone.
 */
static int map_anon_group(struct rstate *s, struct rmm *m, const struct rrec *rec, long line,
			  const struct vmashadow_op *map)
{
	uint64_t start = rec->start, end = rec->end, pgoff = rec->pgoff, anon = rec->anon;
	uint64_t lo = pgoff, hi = pgoff + (end - start) / VMS_PAGE_SIZE, at, len, cur;
	uint64_t free_below;
	struct raside aside[MAX_ASIDE];
	int file = !strcmp(rec->kind, "file"), naside = 0;
	char *kept = NULL;	/* made within the region's range */
	char *made = NULL;	/* made at all */
	const struct rrec *ahead;
	struct rrec *mine = NULL;
	struct rpark *park;
	struct vmashadow_op op;
	size_t n, i, j, k, lead, nsteps, nmine = 0, *order = NULL;
	uint64_t *detour = NULL;	/* where a piece waits (order_pieces()) */
	uint64_t *have = NULL, guard = 0;	/* a page above the region: refill() */
	uint64_t from;
	int err;
	char *refills = NULL;	/* pieces that refill() */
	struct rjoin *joined = NULL;	/* records made with the piece below */
	size_t njoined = 0, fenced;
	int placed = 0;

	if (placed_ahead(m, line))
		return 1;
	n = state_ahead(s, m, line, &ahead);
	mine = xmalloc((n + 1) * sizeof(*mine));
	mine[nmine++] = *rec;
	for (i = 0; i < n; i++) {
		if (ahead[i].anon != anon || strcmp(ahead[i].kind, rec->kind) ||
		    (file && strcmp(ahead[i].key, rec->key)) || is_heap(m, &ahead[i]))
			continue;
		mine[nmine++] = ahead[i];
		if (ahead[i].pgoff < lo)
			lo = ahead[i].pgoff;
		if (ahead[i].pgoff + (ahead[i].end - ahead[i].start) / VMS_PAGE_SIZE > hi)
			hi = ahead[i].pgoff + (ahead[i].end - ahead[i].start) / VMS_PAGE_SIZE;
	}
	/*
	 * Where the region began: an anonymous region's offsets are its
	 * addresses; a file's are the file's, and this piece, the lowest,
	 * is taken to be where it was mapped.  A forked one was born before
	 * the fork and waits where bear_forked() parked it.
	 */
	len = (hi - lo) * VMS_PAGE_SIZE;
	park = rec->forked ? park_of(m, anon, line) : NULL;
	if (park) {
		if (park->lo != lo || park->len != len)
			goto out;
		at = park->at;
	} else {
		at = lo * VMS_PAGE_SIZE;
		if (file && start < (pgoff - lo) * VMS_PAGE_SIZE)
			goto out;
		if (file)
			at = start - (pgoff - lo) * VMS_PAGE_SIZE;
	}
	if (nmine < 2 || at + len > VMS_TASK_SIZE || at + len < at)
		goto out;
	/*
	 * Pieces may share offsets: mremap() growing a piece as it moves
	 * gives it the offsets that follow, which another piece may hold.
	 * The kernel made it from the offsets it had before growing, so it
	 * is made here the same way: the pieces go from the highest offset
	 * down, each taking what the ones above left it and growing by the
	 * rest (in place, for one that stayed where it began: mremap() grew
	 * it into the room the others left as they moved).
	 *
	 *   offsets     lo  430 431 432 433 434 435  hi
	 *   C           .   .   .   [---- C ----]    moved first, whole
	 *   A           .   [A  A]  (grown:  432 433 as well)
	 *
	 * A piece moved within the region's range waits for those whose
	 * pages it lands on (order_pieces()).
	 */
	joined = xmalloc(nmine * sizeof(*joined));
	nmine = join_runs(m, mine, nmine, joined, &njoined);
	qsort(mine, nmine, sizeof(*mine), rrec_by_pgoff_down);
	have = xmalloc(nmine * sizeof(*have));
	order = xmalloc(2 * nmine * sizeof(*order));
	detour = xmalloc(nmine * sizeof(*detour));
	memset(detour, 0, nmine * sizeof(*detour));
	refills = xmalloc(nmine);
	memset(refills, 0, nmine);
	in_place_last(mine, nmine, at, lo);
	for (free_below = hi, lead = 0, i = 0; i < nmine; i++) {
		uint64_t pages = (mine[i].end - mine[i].start) / VMS_PAGE_SIZE;

		have[i] = pages < free_below - mine[i].pgoff ? pages : free_below - mine[i].pgoff;
		if (!i || mine[i - 1].pgoff != mine[i].pgoff)
			lead = i;
		/* of the offset of one before it: refilled (refill()) */
		if (!have[i] && lead != i && !park) {
			have[i] = pages < have[lead] ? pages : have[lead];
			refills[i] = 1;
			guard = VMS_PAGE_SIZE;
		}
		free_below = mine[i].pgoff;
	}
	nsteps = order_pieces(mine, have, refills, !!guard, nmine, at, lo, order);
	if (nsteps < nmine || at + len + guard > VMS_TASK_SIZE)
		goto out;
	if (park)
		park->used = 1;
	fenced = m->nfences;
	if (!park && !bear_group(m, mine, nmine, at, len + guard, lo, map, aside, &naside))
		goto out;
	kept = xmalloc(nmine);
	memset(kept, 0, nmine);
	made = xmalloc(nmine);
	memset(made, 0, nmine);
	for (k = 0; k < nsteps; k++) {
		struct vmashadow_op r = { .flags = MREMAP_MAYMOVE | MREMAP_FIXED };

		i = order[k] & ~DETOUR;
		r.addr = at + (mine[i].pgoff - lo) * VMS_PAGE_SIZE;
		r.len = have[i] * VMS_PAGE_SIZE;
		if (order[k] & DETOUR) {
			/* 1: not moved aside, and so not made (its pages lost) */
			detour[i] = to_scratch(m, r.addr, r.len, at, at + len + guard, mine, nmine);
			if (!detour[i])
				detour[i] = 1;
			else if (i + 1 < nmine && refills[i + 1])
				refill(m, map, r.addr, r.len, mine[i].pgoff);
			continue;
		}
		if (detour[i] == 1)
			continue;
		from = r.addr;
		r.new_len = mine[i].end - mine[i].start;
		r.new_addr = mine[i].start;
		/*
		 * A piece landing above where it began, on the pages it
		 * leaves, whose next of its offset refills them (and so lies
		 * where it began): those must be mapped before it lands,
		 * while the region above is there to join (it then cuts
		 * them where it lands).  So it waits aside meanwhile.
		 *
		 *   address   f6f f70 f71 f72 ... f7e f7f
		 *   region    [ R ............. R ][ rest ...   R: offsets f6f..
		 *   R aside   [ refilled, joins the rest ......
		 *   R lands   [ f6f f70 f71 ][ R ........ ][ rest ...
		 */
		if (!detour[i] && i + 1 < nmine && refills[i + 1] &&
		    r.addr < r.new_addr && r.new_addr < r.addr + r.len) {
			detour[i] = to_scratch(m, r.addr, r.len, at, at + len + guard, mine, nmine);
			if (detour[i])
				refill(m, map, r.addr, r.len, mine[i].pgoff);
		}
		if (detour[i])
			r.addr = detour[i] + VMS_PAGE_SIZE;
		err = r.addr == r.new_addr ? grow_in_place(m, &r) : move_piece(m, &r, at, len);
		if (detour[i])		/* what is left of the scratch mapping */
			unmap_range(m, detour[i], r.len + 2 * VMS_PAGE_SIZE);
		/*
		 * The pages it took, for the next of its offset, at once: what
		 * is beside them now may move before that one does.
		 */
		if (!err && !detour[i] && from != mine[i].start && i + 1 < nmine &&
		    refills[i + 1])
			refill(m, map, from, r.len, mine[i].pgoff);
		if (err)
			continue;
		kept[i] = mine[i].start < at + len && at < mine[i].end;
		placed |= mark_placed(s, m, mine[i].line, line);
		made[i] = 1;
	}
	placed |= place_joined(s, m, mine, made, nmine, joined, njoined, line);
	/*
	 * What is left of the region, between the pieces made within its
	 * range, in address order: one pass, for groups of thousands.
	 */
	for (i = j = 0; i < nmine; i++)
		if (kept[i])
			mine[j++] = mine[i];
	qsort(mine, j, sizeof(*mine), rrec_by_start);
	for (cur = at, i = 0; i <= j; i++) {
		uint64_t stop = i < j ? mine[i].start : at + len + guard;

		if (stop > cur) {
			memset(&op, 0, sizeof(op));
			op.addr = cur;
			op.len = stop - cur;
			vd_op(m->fd, VMASHADOW_OP_UNMAP, &op);
		}
		if (i < j && mine[i].end > cur)
			cur = mine[i].end;
	}
	fence_over_ends(m, fenced, at, at + len + guard);
out:
	put_back(m, aside, naside);
	free(order);
	free(detour);
	free(have);
	free(refills);
	free(joined);
	free(made);
	free(kept);
	free(mine);
	return placed;
}

static int rrec_by_anon(const void *a, const void *b)
{
	const struct rrec *x = a, *y = b;

	if (x->anon != y->anon)
		return x->anon < y->anon ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/*
 * The file records of the state from @line on, up to where state_ahead()
 * found it ends, opened now: a region is born before the record of its
 * file comes (bear_forked()).
 */
static void open_files_ahead(struct rstate *s, struct rmm *m, long line)
{
	char key[24];
	long j;
	int at;

	for (j = line; j < m->ahead_end; j++) {
		const struct rline *L = &s->v[j];

		if (s->keep && !s->keep[j])
			continue;
		at = 0;
		if (!strcmp(L->verb, "file") &&
		    sscanf(L->text, "%*d file %23s %n", key, &at) == 1 && at)
			file_fd(s, key, L->text + at);
	}
}

/*
 * Bear and park the forked region of records @f[0..@n) (by anon=, then
 * line: one group, or one record alone) at @slot, in the shadow before
 * its fork.  An anonymous region is born where its offsets say and moved
 * to @slot; a file's or a stack's is born there.  Whether it was.
 */
static int bear_one(struct rstate *s, struct rmm *m, const struct rrec *f, size_t n,
		    uint64_t slot, uint64_t lo, uint64_t len)
{
	struct vmashadow_op op = { .addr = slot, .len = len, .fd = -1,
				   .prot = PROT_READ | PROT_WRITE,
				   .flags = MAP_FIXED | MAP_PRIVATE };
	int file = !strcmp(f->kind, "file");
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].kind, f->kind) || strcmp(f[i].key, f->key) ||
		    (n > 1 && (f[i].vm_flags & VMASHADOW_VM_GROWSDOWN)))
			return 0;	/* not a group map_anon_group() makes */
	if ((!file && strcmp(f->kind, "anon")) || (f->vm_flags & VMASHADOW_VM_SHARED))
		return 0;
	if (f->vm_flags & VMASHADOW_VM_NORESERVE)
		op.flags |= MAP_NORESERVE;
	if (f->vm_flags & VMASHADOW_VM_GROWSDOWN)
		op.flags |= MAP_GROWSDOWN;
	if (file) {
		op.fd = file_fd(s, f->key, NULL);
		op.offset = lo * VMS_PAGE_SIZE;
	} else {
		op.flags |= MAP_ANONYMOUS;
		if (!(f->vm_flags & VMASHADOW_VM_GROWSDOWN))
			op.addr = lo * VMS_PAGE_SIZE;
	}
	if (vd_op(m->fd, VMASHADOW_OP_MAP, &op))
		return 0;
	memset(&op, 0, sizeof(op));
	op.addr = file || (f->vm_flags & VMASHADOW_VM_GROWSDOWN) ? slot : lo * VMS_PAGE_SIZE;
	vd_op(m->fd, VMASHADOW_OP_TOUCH, &op);
	if (op.addr != slot) {
		struct vmashadow_op mv = { .addr = op.addr, .len = len, .new_len = len,
					   .new_addr = slot,
					   .flags = MREMAP_MAYMOVE | MREMAP_FIXED };

		if (vd_op(m->fd, VMASHADOW_OP_REMAP, &mv)) {
			unmap_range(m, op.addr, len);
			return 0;
		}
	}
	return 1;
}

/* The parked regions no record took (bear_forked()): gone. */
static void unpark(struct rmm *m)
{
	size_t i;

	for (i = 0; i < m->nparks; i++)
		if (!m->parks[i].used)
			unmap_range(m, m->parks[i].at, m->parks[i].len);
	free(m->parks);
	m->parks = NULL;
	m->nparks = 0;
}

/*
 * A child's regions that came faulted through fork() have an anon_vma of
 * their own chained to the parent's (forked, in a log 3), and the kernel
 * merges such a region with no neighbour that lacks an anon_vma:
 * is_mergeable_anon_vma() wants the chain singular.  A shadow gets that
 * state only by FORK.  So before the first record of a state with forked
 * records is built (@line), each forked region is born and faulted (for
 * a group of pieces that share an anon_vma, the region they came from)
 * and parked clear of every record of the state; then the shadow is
 * forked and its child takes its place.  At its first record's turn a
 * parked region is moved into place (place_forked(), or piece by piece
 * by map_anon_group()).
 *
 *   before FORK   born [ A ] -> parked ....... [ A ] [ B ]
 *   FORK          each parked region forked, an anon_vma of its own
 *   A's turn      [A1]  [A2]  <-  [ A ]    (what is left: unmapped)
 */
static void bear_forked(struct rstate *s, struct rmm *m, long line)
{
	static const uint64_t tries[] = { 1ULL << 44, 3ULL << 44, 1ULL << 40, 1ULL << 32 };
	const struct rrec *all;
	struct rrec *f;
	size_t n, nf = 0, nu = 0, i, j, t, *first;
	uint64_t base = 0, total = 0, slot;
	int fd;

	m->forks_born = 1;
	if (s->log_version < 3 || *m->refs != 1)
		return;
	n = state_ahead(s, m, line - 1, &all);
	f = xmalloc((n + 1) * sizeof(*f));
	first = xmalloc((n + 1) * sizeof(*first));
	for (i = 0; i < n; i++)
		if (all[i].forked)
			f[nf++] = all[i];
	if (!nf)
		goto out;
	/* the regions: a group's span, or a record alone, in park_order() */
	qsort(f, nf, sizeof(*f), rrec_by_anon);
	m->parks = xmalloc(nf * sizeof(*m->parks));
	for (i = 0; i < nf; i = j) {
		uint64_t lo = f[i].pgoff, hi = lo + (f[i].end - f[i].start) / VMS_PAGE_SIZE;

		for (j = i + 1; f[i].anon && j < nf && f[j].anon == f[i].anon; j++) {
			if (f[j].pgoff < lo)
				lo = f[j].pgoff;
			if (f[j].pgoff + (f[j].end - f[j].start) / VMS_PAGE_SIZE > hi)
				hi = f[j].pgoff + (f[j].end - f[j].start) / VMS_PAGE_SIZE;
		}
		first[nu] = i;
		m->parks[nu++] = (struct rpark){ f[i].anon, f[i].line, 0,
						 (hi - lo) * VMS_PAGE_SIZE, lo, 0 };
		total += (hi - lo + 1) * VMS_PAGE_SIZE;
	}
	/* a place for them all, clear of every record and every birthplace */
	for (t = 0; t < sizeof(tries) / sizeof(tries[0]) && !base; t++) {
		uint64_t lo = (tries[t] - total) & ~(VMS_PAGE_SIZE - 1);

		if (total >= tries[t] || !range_free(m->fd, lo, lo + total) ||
		    meets_any(all, n, lo, lo + total))
			continue;
		for (i = 0; i < nu; i++)
			if (m->parks[i].lo * VMS_PAGE_SIZE < lo + total &&
			    lo < m->parks[i].lo * VMS_PAGE_SIZE + m->parks[i].len)
				break;
		if (i == nu)
			base = lo;
	}
	open_files_ahead(s, m, line);
	for (slot = base, i = 0; base && i < nu; i++) {
		struct rpark p = m->parks[i];

		p.at = slot;
		slot += p.len + VMS_PAGE_SIZE;
		j = i + 1 < nu ? first[i + 1] : nf;
		if (bear_one(s, m, &f[first[i]], j - first[i], p.at, p.lo, p.len))
			m->parks[m->nparks++] = p;
	}
	if (m->nparks && !vd_fork(m->fd, &fd)) {
		close(m->fd);
		m->fd = fd;
	} else {
		unpark(m);
	}
out:
	free(first);
	free(f);
}

/* A forked region alone, parked by bear_forked(): moved into place. */
static int place_forked(struct rmm *m, uint64_t start, uint64_t end, uint64_t pgoff,
			uint64_t anon, long line)
{
	struct rpark *p = park_of(m, anon, line);
	struct vmashadow_op mv = { .len = end - start, .new_len = end - start,
				   .new_addr = start, .flags = MREMAP_MAYMOVE | MREMAP_FIXED };

	if (!p || p->len != end - start || p->lo != pgoff)
		return 0;
	p->used = 1;
	mv.addr = p->at;
	if (!vd_op(m->fd, VMASHADOW_OP_REMAP, &mv))
		return 1;
	unmap_range(m, p->at, p->len);
	return 0;
}

/* Rebuild one region of a log's starting state (the record at @line). */
static void build_region(struct rstate *s, struct rmm *m, char **w, int nw, long line)
{
	struct vmashadow_op op;
	uint64_t start, end, pgoff, vmf, born, anon = 0;
	int faulted, prot, fd = -1, i, piece = 0, naside = 0, forked = 0;
	struct raside aside[MAX_ASIDE];
	struct rrec rec;
	struct rpol pol;
	const char *perms, *kind, *key;
	size_t fenced;

	if (nw < 10)
		return;
	start = strtoull(w[2], NULL, 0);
	end = strtoull(w[3], NULL, 0);
	perms = w[4];
	kind = w[5];
	key = w[6];
	pgoff = strtoull(w[7], NULL, 0);
	vmf = strtoull(w[8], NULL, 0);
	faulted = atoi(w[9]);
	prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
	memset(&op, 0, sizeof(op));
	op.addr = start;
	op.len = end - start;
	op.fd = -1;
	op.flags = MAP_FIXED | (perms[3] == 's' ? MAP_SHARED : MAP_PRIVATE);
	if (vmf & VMASHADOW_VM_DROPPABLE)
		op.flags = MAP_FIXED | VMS_MAP_DROPPABLE;
	if (vmf & VMASHADOW_VM_GROWSDOWN)
		op.flags |= MAP_GROWSDOWN;
	if (vmf & VMASHADOW_VM_NORESERVE)
		op.flags |= MAP_NORESERVE;
	/* SysV shm, whose vm_ops have ->close */
	if (vmf & VMASHADOW_VM_CLOSE_OP)
		op.op_flags = VMASHADOW_OPF_CLOSE_OP;
	if (!strcmp(kind, "file")) {
		fd = file_fd(s, key, NULL);
		op.fd = fd;
		op.offset = pgoff * VMS_PAGE_SIZE;
	} else if (!strcmp(kind, "vdso")) {
		op.flags |= MAP_ANONYMOUS;
		op.op_flags = VMASHADOW_OPF_VDSO;
	} else if (!strcmp(kind, "vvar") || !strcmp(kind, "vclock")) {
		op.flags |= MAP_ANONYMOUS;
		op.op_flags = VMASHADOW_OPF_VVAR;
	} else {
		op.flags |= MAP_ANONYMOUS;
	}
	/* Write access first where the region was writable once (VM_ACCOUNT)
	 * or faulted, then the final protection. */
	op.prot = (__u32)prot;
	if (perms[3] == 'p' && !(prot & PROT_WRITE) &&
	    ((vmf & VMASHADOW_VM_ACCOUNT) || faulted) &&
	    !(op.op_flags & (VMASHADOW_OPF_VDSO | VMASHADOW_OPF_VVAR)))
		op.prot |= PROT_WRITE;
	for (i = 10; i < nw; i++) {
		if (!strncmp(w[i], "anon=", 5))
			anon = strtoull(w[i] + 5, NULL, 10);
		forked |= !strcmp(w[i], "forked");
	}
	if (!m->forks_born)
		bear_forked(s, m, line);
	rec = (struct rrec){ start, end, pgoff, "", "", anon, line, vmf, forked };
	snprintf(rec.kind, sizeof(rec.kind), "%s", kind);
	snprintf(rec.key, sizeof(rec.key), "%s", key);
	if (!strcmp(kind, "shmem"))
		piece = map_shmem_object(s, m, key, start, end, pgoff, line, &op);
	else if (is_heap(m, &rec))
		piece = make_heap(m, faulted);
	else if (anon && faulted && (!strcmp(kind, "anon") || !strcmp(kind, "file")) &&
		 perms[3] == 'p' && !(vmf & VMASHADOW_VM_GROWSDOWN))
		piece = map_anon_group(s, m, &rec, line, &op);
	if (!piece && forked)
		piece = place_forked(m, start, end, pgoff, anon, line);
	born = piece ? 0 : birthplace(kind, perms, start, end, pgoff, vmf);
	if (born) {
		struct rrec self = { .start = start, .end = end };

		naside = move_aside(m, born, born + (end - start), &self, 1, aside);
		if (naside < 0) {
			born = 0;
			naside = 0;
		}
	}
	if (born) {
		/* apart from the neighbours there, which it would join */
		fence_around(m, born, born + (end - start));
		op.addr = born;
		if (vd_op(m->fd, VMASHADOW_OP_MAP, &op)) {
			op.addr = start;	/* below mmap_min_addr, say */
			born = 0;
		}
	}
	/*
	 * A region of its own, apart from its neighbours: one of a group of
	 * its own, or none, not the anon_vma below, and unfaulted beside a
	 * piece of a group put in place ahead, not faulted with it.  A file's
	 * private pages too: a fault takes the anon_vma of the piece of the
	 * file below, and after a fork each piece has its own.  A log before
	 * anon= (version 1) does not say: there the region shares the
	 * anon_vma below as the merge gives it, as the pieces of a split do.
	 */
	fenced = m->nfences;
	if (!born && !piece && (!strcmp(kind, "anon") || !strcmp(kind, "file")) &&
	    perms[3] == 'p' && s->log_version >= 2 &&
	    (!anon || m->last_end != start || m->last_anon != anon))
		fence_around(m, start, end);
	if (!born && !piece)
		vd_op(m->fd, VMASHADOW_OP_MAP, &op);
	if (faulted && !piece) {
		struct vmashadow_op t = { .addr = born ? born : start };

		vd_op(m->fd, VMASHADOW_OP_TOUCH, &t);
		fence_over(m, fenced, start, end, vmf);
	}
	m->last_end = end;
	m->last_anon = anon;
	if (born) {
		struct vmashadow_op r = { .addr = born, .len = end - start,
					  .new_len = end - start, .new_addr = start,
					  .flags = MREMAP_MAYMOVE | MREMAP_FIXED };

		move_piece(m, &r, born, end - start);
	}
	put_back(m, aside, naside);
	if (piece || op.prot != (__u32)prot) {
		struct vmashadow_op p = { .addr = start, .len = end - start,
					  .prot = (__u32)prot };

		vd_op(m->fd, VMASHADOW_OP_PROTECT, &p);
	}
	if (vmf & VMASHADOW_VM_LOCKED) {
		struct vmashadow_op l = { .addr = start, .len = end - start };

		if (vmf & VMASHADOW_VM_LOCKONFAULT)
			l.flags = MLOCK_ONFAULT;
		vd_op(m->fd, VMASHADOW_OP_MLOCK, &l);
	}
	give_hidden_flags(m, start, end, vmf);
	for (i = 10; i < nw; i++)
		if (!strncmp(w[i], "uffd=", 5))
			register_uffd(s, m, (unsigned int)strtoul(w[i] + 5, NULL, 10),
				      start, end, vmf, line);
	m->regs = xrealloc(m->regs, (m->nregs + 1) * sizeof(*m->regs));
	m->regs[m->nregs++] = (struct rreg){ start, end, vmf, pgoff, anon, 0, faulted, line,
					     forked };
	/* The policy once every region is there: see set_policies(). */
	for (i = 10; i < nw; i++) {
		if (parse_mpol(w[i], &pol))
			continue;
		pol.start = start;
		pol.end = end;
		pol.line = line;
		m->pols = xrealloc(m->pols, (m->npols + 1) * sizeof(*m->pols));
		m->pols[m->npols++] = pol;
	}
	m->expect_regions++;
}

/* A resource limit as the log writes it: bytes, or unlimited. */
static uint64_t parse_limit(const char *s)
{
	return strcmp(s, "unlimited") ? strtoull(s, NULL, 0) : VMASHADOW_RLIM_INFINITY;
}

static void set_memlock(struct rmm *m, const char *s)
{
	struct vmashadow_params p;

	if (vd_get_params(m->fd, &p))
		return;
	p.set = VMASHADOW_PARAM_MEMLOCK;
	p.rlimit_memlock = parse_limit(s);
	vd_set_params(m->fd, &p);
}

/* The nodes a policy may name: a params field, a mems_allowed record. */
static void set_mems(struct rmm *m, const char *mask)
{
	struct vmashadow_params p;

	if (vd_get_params(m->fd, &p))
		return;
	p.set = VMASHADOW_PARAM_MEMS_ALLOWED;
	p.mems_allowed = strtoull(mask, NULL, 0);
	vd_set_params(m->fd, &p);
}

/*
 * The nodes online, the home nodes set_mempolicy_home_node() accepts: a
 * params field, a nodes_online record.  The module refuses none (0, a
 * module before home nodes): left as it is.
 */
static void set_online(struct rmm *m, const char *mask)
{
	struct vmashadow_params p;
	uint64_t v = strtoull(mask, NULL, 0);

	if (!v || vd_get_params(m->fd, &p))
		return;
	p.set = VMASHADOW_PARAM_NODES_ONLINE;
	p.nodes_online = v;
	vd_set_params(m->fd, &p);
}

/* An rlimit_data record: the boot option stays as the params gave it. */
static void set_rlimit_data(struct rmm *m, const char *soft, const char *hard)
{
	struct vmashadow_params p;

	if (vd_get_params(m->fd, &p))
		return;
	p.set = VMASHADOW_PARAM_RLIMIT_DATA;
	p.rlimit_data = parse_limit(soft);
	p.rlimit_data_max = parse_limit(hard);
	vd_set_params(m->fd, &p);
}

static void set_params(struct rmm *m, char **w, int nw)
{
	struct vmashadow_params p;

	if (nw < 8 || vd_get_params(m->fd, &p))
		return;
	p.set = VMASHADOW_PARAM_BRK;
	p.start_brk = m->start_brk = strtoull(w[2], NULL, 0);
	p.brk = m->brk = strtoull(w[3], NULL, 0);
	if (strtoull(w[4], NULL, 0)) {
		p.set |= VMASHADOW_PARAM_START_STACK;
		p.start_stack = strtoull(w[4], NULL, 0);
	}
	if (strtoull(w[5], NULL, 0)) {
		p.set |= VMASHADOW_PARAM_MMAP_BASE;
		p.mmap_base = strtoull(w[5], NULL, 0);
	}
	if (strtoul(w[6], NULL, 0)) {
		p.set |= VMASHADOW_PARAM_MAX_MAP_COUNT;
		p.max_map_count = (__u32)strtoul(w[6], NULL, 0);
	}
	vd_set_params(m->fd, &p);
	/* logs since arg_start, on their own: a module before 1.7 says EINVAL */
	if (nw >= 18) {
		p.set = VMASHADOW_PARAM_ARG_START;
		p.arg_start = strtoull(w[17], NULL, 0);
		vd_set_params(m->fd, &p);
	}
	/* Logs since mlock: applied once the regions are rebuilt. */
	if (nw >= 10) {
		m->set_after = VMASHADOW_PARAM_DEF_FLAGS | VMASHADOW_PARAM_MEMLOCK;
		m->def_flags = strtoull(w[8], NULL, 0);
		m->memlock = parse_limit(w[9]);
	}
	/* ... and since RLIMIT_DATA: the limit, the option, the segment. */
	if (nw >= 15) {
		m->set_after |= VMASHADOW_PARAM_RLIMIT_DATA |
				VMASHADOW_PARAM_DATA_SEGMENT;
		m->data = parse_limit(w[10]);
		m->data_max = parse_limit(w[11]);
		m->ignore_data = (uint32_t)strtoul(w[12], NULL, 0);
		m->start_data = strtoull(w[13], NULL, 0);
		m->end_data = strtoull(w[14], NULL, 0);
	}
	/* ... and since mbind: now, for the policies of the regions. */
	if (nw >= 16)
		set_mems(m, w[15]);
	/* ... and since home nodes: the nodes online. */
	if (nw >= 17)
		set_online(m, w[16]);
}

/*
 * Give a region its logged policy: mbind() with the mode and its flags
 * and the nodes as given where a mode flag keeps them (the kernel maps
 * them onto the nodes allowed again: STATIC_NODES masks them,
 * RELATIVE_NODES folds them), else the nodes in force; then the home
 * node.  An old record (numa_maps') has only the nodes in force, which
 * stand for those given.  0 or the errno of the call that failed.
 */
static int set_policy(int fd, const struct rpol *p)
{
	const uint32_t flags = VMS_MPOL_F_STATIC_NODES | VMS_MPOL_F_RELATIVE_NODES |
			       VMS_MPOL_F_NUMA_BALANCING;
	uint64_t mask = p->exact && (p->mode & flags) ? p->user_nodes : p->nodes;
	struct vmashadow_op b = {
		.addr = p->start, .len = p->end - p->start, .prot = p->mode,
		.offset = mask, .new_len = mask ? VMS_MAXNODE : 0,
	};
	int e = vd_op(fd, VMASHADOW_OP_MBIND, &b);

	/*
	 * The nodes as given that the nodes allowed no longer admit: those in
	 * force, which the kernel's rebind left, as near as the shadow gets.
	 */
	if (e && mask != p->nodes) {
		b.offset = p->nodes;
		b.new_len = p->nodes ? VMS_MAXNODE : 0;
		e = vd_op(fd, VMASHADOW_OP_MBIND, &b);
	}
	if (!e && p->home_node >= 0) {
		struct vmashadow_op h = {
			.addr = p->start, .len = p->end - p->start,
			.offset = (uint64_t)p->home_node,
		};

		e = vd_op(fd, VMASHADOW_OP_HOME_NODE, &h);
	}
	return e;
}

/*
 * Whether the region of @p has the policy its record gives (GET_POLICY;
 * of an old record, what numa_maps showed: the mode, its flags and the
 * nodes in force).  1 if so or if the module cannot say, else 0 with
 * what it has in @got.
 */
static int policy_as_logged(int fd, const struct rpol *p, struct vmashadow_policy *got)
{
	const uint32_t flags = VMS_MPOL_F_STATIC_NODES | VMS_MPOL_F_RELATIVE_NODES |
			       VMS_MPOL_F_NUMA_BALANCING;

	if (vd_get_policy(fd, p->start, got) == ENOTTY)
		return 1;
	if (got->mode != (p->mode & ~flags) || got->mode_flags != (p->mode & flags) ||
	    got->nodes != p->nodes)
		return 0;
	return !p->exact || (got->user_nodes == p->user_nodes &&
			     got->home_node == p->home_node);
}

/*
 * The policies of the region lines, after them all: regions that a policy
 * alone kept apart are then built as one, with one anon_vma, and split by
 * their policies, as mbind() split them; were each given its policy as
 * it is built, the next would fault in an anon_vma of its own (a
 * neighbour with another policy has none to share).  Each is checked
 * after: a policy the rebuild could not give as logged (nodes as given
 * that the nodes allowed no longer admit, RELATIVE_NODES folded onto other
 * nodes than the kernel's) is said, as a warning, since what follows may
 * then diverge in the replay where the trace did not.
 */
static void set_policies(struct rstate *s, struct rmm *m)
{
	const uint32_t flags = VMS_MPOL_F_STATIC_NODES | VMS_MPOL_F_RELATIVE_NODES |
			       VMS_MPOL_F_NUMA_BALANCING;
	struct vmashadow_policy got, want;
	char a[480], b[480];
	size_t i;
	int e;

	for (i = 0; i < m->npols; i++) {
		const struct rpol *p = &m->pols[i];

		e = set_policy(m->fd, p);
		if (policy_as_logged(m->fd, p, &got) && !e)
			continue;
		s->npolwarn++;
		memset(&want, 0, sizeof(want));
		want.mode = p->mode & ~flags;
		want.mode_flags = p->mode & flags;
		want.nodes = p->nodes;
		want.user_nodes = p->exact ? p->user_nodes : got.user_nodes;
		want.home_node = p->exact ? p->home_node : got.home_node;
		vd_policy_str(&want, b, sizeof(b));
		if (e) {
			report(s, p->line, "warning: %llx-%llx: the logged policy=%s not "
			       "rebuilt (%s)", (unsigned long long)p->start,
			       (unsigned long long)p->end, b,
			       vms_errno_name(e) ? vms_errno_name(e) : strerror(e));
			continue;
		}
		vd_policy_str(&got, a, sizeof(a));
		report(s, p->line, "warning: %llx-%llx rebuilt with policy=%s, not the "
		       "logged policy=%s", (unsigned long long)p->start,
		       (unsigned long long)p->end, a, b);
	}
	free(m->pols);
	m->pols = NULL;
	m->npols = 0;
}

static int by_got(const void *a, const void *b)
{
	const struct rreg *x = *(const struct rreg * const *)a, *y = *(const struct rreg * const *)b;

	return x->got < y->got ? -1 : x->got > y->got;
}

static int by_anon(const void *a, const void *b)
{
	const struct rreg *x = *(const struct rreg * const *)a, *y = *(const struct rreg * const *)b;

	return x->anon < y->anon ? -1 : x->anon > y->anon;
}

static void sharing_differs(struct rstate *s, const struct rreg *a, const struct rreg *b,
			    const char *where)
{
	s->nflagwarn++;
	report(s, b->line, "warning: %llx-%llx and %llx-%llx share an anon_vma in %s only",
	       (unsigned long long)a->start, (unsigned long long)a->end,
	       (unsigned long long)b->start, (unsigned long long)b->end, where);
}

/*
 * The anon_vmas of the rebuilt state against the log's anon=: two faulted
 * regions share one there exactly when their records name the same.
 * Sorted by the rebuilt identity, equal neighbours must name one group;
 * sorted by the group, equal neighbours must have one identity.  A log
 * before anon= (version 1) does not say.
 */
static void check_sharing(struct rstate *s, struct rmm *m)
{
	const struct rreg **v = xmalloc((m->nregs + 1) * sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < m->nregs; i++)
		if (m->regs[i].faulted && m->regs[i].got)
			v[n++] = &m->regs[i];
	qsort(v, n, sizeof(*v), by_got);
	for (i = 1; i < n; i++)
		if (v[i]->got == v[i - 1]->got && (!v[i]->anon || v[i]->anon != v[i - 1]->anon))
			sharing_differs(s, v[i - 1], v[i], "the rebuilt state");
	qsort(v, n, sizeof(*v), by_anon);
	for (i = 1; i < n; i++)
		if (v[i]->anon && v[i]->anon == v[i - 1]->anon && v[i]->got != v[i - 1]->got)
			sharing_differs(s, v[i - 1], v[i], "the log");
	free(v);
}

/*
 * After the policies: seal what was sealed (a seal refuses some of what
 * comes before it), then check that each region came out with the
 * vm_flags, the page offset and the fault its record gives, and the
 * anon_vmas shared as the records say, and say where not: anything the
 * rebuild missed.  A stack keeps the offset exec gave it, which a region
 * mapped in place cannot have: not compared.
 */
static void seal_and_check(struct rstate *s, struct rmm *m)
{
	struct vmashadow_region got;
	char names[512];
	size_t i;

	for (i = 0; i < m->nregs; i++) {
		const struct rreg *r = &m->regs[i];
		struct vmashadow_op z = { .addr = r->start, .len = r->end - r->start };

		if (r->vm_flags & VMASHADOW_VM_SEALED)
			vd_op(m->fd, VMASHADOW_OP_SEAL, &z);
	}
	for (i = 0; i < m->nregs; i++) {
		struct rreg *r = &m->regs[i];

		if (region_at(m->fd, r->start, &got)) {
			s->nflagwarn++;
			report(s, r->line, "warning: %llx-%llx not rebuilt",
			       (unsigned long long)r->start, (unsigned long long)r->end);
			continue;
		}
		if (got.vm_flags != r->vm_flags) {
			s->nflagwarn++;
			vd_flag_names(got.vm_flags ^ r->vm_flags, names, sizeof(names));
			report(s, r->line, "warning: %llx-%llx rebuilt with vm_flags 0x%llx, "
			       "not the logged 0x%llx (%s)", (unsigned long long)r->start,
			       (unsigned long long)r->end, (unsigned long long)got.vm_flags,
			       (unsigned long long)r->vm_flags, names);
		} else if (got.pgoff != r->pgoff && !(r->vm_flags & VMASHADOW_VM_GROWSDOWN)) {
			s->nflagwarn++;
			report(s, r->line, "warning: %llx-%llx rebuilt with page offset 0x%llx, "
			       "not the logged 0x%llx", (unsigned long long)r->start,
			       (unsigned long long)r->end, (unsigned long long)got.pgoff,
			       (unsigned long long)r->pgoff);
		}
		r->got = got.anon_id;
		if (!r->faulted != !got.anon_id) {
			s->nflagwarn++;
			report(s, r->line, "warning: %llx-%llx rebuilt %s, not %s as logged",
			       (unsigned long long)r->start, (unsigned long long)r->end,
			       got.anon_id ? "faulted" : "unfaulted",
			       r->faulted ? "faulted" : "unfaulted");
		} else if (s->log_version >= 3 &&
			   !r->forked != !(got.state & VMASHADOW_STATE_ANON_FORKED)) {
			s->nflagwarn++;
			report(s, r->line, "warning: %llx-%llx rebuilt %s, not %s as logged",
			       (unsigned long long)r->start, (unsigned long long)r->end,
			       r->forked ? "unforked" : "forked", r->forked ? "forked" : "unforked");
		}
	}
	if (s->log_version >= 2)
		check_sharing(s, m);
	free(m->regs);
	m->regs = NULL;
	m->nregs = 0;
}

/* The params a log gives for after its region lines. */
static void set_after(struct rmm *m)
{
	struct vmashadow_params p;

	if (!m->set_after || vd_get_params(m->fd, &p))
		return;
	p.set = m->set_after;
	p.def_flags = m->def_flags;
	p.rlimit_memlock = m->memlock;
	p.rlimit_data = m->data;
	p.rlimit_data_max = m->data_max;
	p.ignore_rlimit_data = m->ignore_data;
	p.start_data = m->start_data;
	p.end_data = m->end_data;
	vd_set_params(m->fd, &p);
	m->set_after = 0;
}

static int split_words(char *t, char **w, int max)
{
	int n = 0;

	while (*t && n < max) {
		while (*t == ' ' || *t == '\t' || *t == '\n')
			*t++ = 0;
		if (!*t)
			break;
		w[n++] = t;
		while (*t && *t != ' ' && *t != '\t' && *t != '\n')
			t++;
	}
	return n;
}

/* Apply one log line; i is its index (for reports). */
static void apply(struct rstate *s, struct rline *L, long i)
{
	char *copy = xstrdup(L->text), *w[24];
	int nw = split_words(copy, w, 24), e;
	struct vmashadow_op op;
	struct rmm *m;
	long want = 0, before, after, eq;

	if (nw < 2 || !isdigit((unsigned char)w[0][0]))
		goto out;
	m = rm_find(s, L->pid);
	if (!strcmp(w[1], "exec") || (!m && strcmp(w[1], "file"))) {
		m = rm_new(s, L->pid, -1, NULL);
		if (!strcmp(w[1], "exec"))
			goto out;
	}
	if (!strcmp(w[1], "resync")) {
		m = rm_new(s, L->pid, -1, NULL);
		goto out;
	}
	if (!strcmp(w[1], "params")) {
		set_params(m, w, nw);
		goto out;
	}
	if (!strcmp(w[1], "file")) {
		if (nw >= 4)
			file_fd(s, w[2], L->text + (w[3] - copy));
		goto out;
	}
	if (!strcmp(w[1], "uffd")) {
		unsigned int ctx = nw >= 4 ? (unsigned int)strtoul(w[2], NULL, 10) : 0;

		if (ctx && ctx <= VMASHADOW_UFFD_MAX) {
			m->uffd[ctx] = UF_LOGGED;
			m->uffd_features[ctx] = strtoull(w[3], NULL, 0);
		}
		goto out;
	}
	if (!strcmp(w[1], "region")) {
		build_region(s, m, w, nw, i);
		m->built = 0;
		goto out;
	}
	if (!m->built) {
		m->built = 1;
		unpark(m);
		m->forks_born = 0;
		set_policies(s, m);
		unfence(m);
		seal_and_check(s, m);
		set_after(m);
		if (m->expect_regions && regions_of(m->fd) != m->expect_regions) {
			report(s, i, "the starting state rebuilt with %ld regions, not %ld",
			       regions_of(m->fd), m->expect_regions);
			s->ndiv++;
			if (s->div_line < 0) {
				s->div_line = i;
				snprintf(s->div_sig, sizeof(s->div_sig), "rebuild");
			}
		}
	}
	if (!strcmp(w[1], "memlock") && nw >= 3) {
		set_memlock(m, w[2]);
		goto out;
	}
	if (!strcmp(w[1], "rlimit_data") && nw >= 4) {
		set_rlimit_data(m, w[2], w[3]);
		goto out;
	}
	if (!strcmp(w[1], "mems_allowed") && nw >= 3) {
		set_mems(m, w[2]);
		goto out;
	}
	if (!strcmp(w[1], "nodes_online") && nw >= 3) {
		set_online(m, w[2]);
		goto out;
	}
	if (!strcmp(w[1], "fork") && nw >= 3) {
		int fd;

		if (!vd_fork(m->fd, &fd))
			rm_new(s, atoi(w[2]), fd, NULL);
		goto out;
	}
	if (!strcmp(w[1], "clone-vm") && nw >= 3) {
		rm_new(s, atoi(w[2]), m->fd, m->refs);
		goto out;
	}
	if (!strcmp(w[1], "touch") && nw >= 3) {
		memset(&op, 0, sizeof(op));
		op.addr = strtoull(w[2], NULL, 0);
		vd_op(m->fd, VMASHADOW_OP_TOUCH, &op);
		goto out;
	}
	memset(&op, 0, sizeof(op));
	op.fd = -1;
	for (eq = 2; eq < nw && strcmp(w[eq], "="); eq++)
		;
	if (eq + 1 >= nw || parse_res(w[eq + 1], &want))
		goto out;
#define A(k) strtoull(w[k], NULL, 0)
	if (!strcmp(w[1], "mmap") && eq >= 8) {
		op.op = VMASHADOW_OP_MAP;
		op.addr = A(2); op.len = A(3); op.prot = (__u32)A(4); op.flags = (__u32)A(5);
		op.offset = A(7);
		if (strcmp(w[6], "-"))
			op.fd = file_fd(s, w[6], NULL);
		else if (eq > 8)
			op.fd = file_fd(s, "fd", NULL);	/* an unknown file */
	} else if (!strcmp(w[1], "munmap") && eq >= 4) {
		op.op = VMASHADOW_OP_UNMAP; op.addr = A(2); op.len = A(3);
	} else if (!strcmp(w[1], "mprotect") && eq >= 5) {
		op.op = VMASHADOW_OP_PROTECT; op.addr = A(2); op.len = A(3);
		op.prot = (__u32)A(4);
	} else if (!strcmp(w[1], "mremap") && eq >= 7) {
		op.op = VMASHADOW_OP_REMAP; op.addr = A(2); op.len = A(3); op.new_len = A(4);
		op.flags = (__u32)A(5); op.new_addr = A(6);
	} else if (!strcmp(w[1], "brk") && eq >= 3) {
		op.op = VMASHADOW_OP_BRK; op.addr = A(2);
	} else if (!strcmp(w[1], "madvise") && eq >= 5) {
		op.op = VMASHADOW_OP_MADVISE; op.addr = A(2); op.len = A(3);
		op.flags = (__u32)A(4);
	} else if (!strcmp(w[1], "mseal") && eq >= 5) {
		op.op = VMASHADOW_OP_SEAL; op.addr = A(2); op.len = A(3);
		op.flags = (__u32)A(4);
	} else if ((!strcmp(w[1], "mlock") && eq >= 4) ||
		   (!strcmp(w[1], "mlock2") && eq >= 5)) {
		op.op = VMASHADOW_OP_MLOCK; op.addr = A(2); op.len = A(3);
		if (eq >= 5)
			op.flags = (__u32)A(4);
	} else if (!strcmp(w[1], "munlock") && eq >= 4) {
		op.op = VMASHADOW_OP_MUNLOCK; op.addr = A(2); op.len = A(3);
	} else if (!strcmp(w[1], "mlockall") && eq >= 3) {
		op.op = VMASHADOW_OP_MLOCKALL; op.flags = (__u32)A(2);
	} else if (!strcmp(w[1], "munlockall")) {
		op.op = VMASHADOW_OP_MUNLOCKALL;
	} else if (!strcmp(w[1], "mbind") && eq >= 8) {
		op.op = VMASHADOW_OP_MBIND; op.addr = A(2); op.len = A(3);
		op.prot = (__u32)A(4); op.offset = A(5); op.new_len = A(6);
		op.flags = (__u32)A(7);
	} else if (!strcmp(w[1], "set_mempolicy_home_node") && eq >= 6) {
		op.op = VMASHADOW_OP_HOME_NODE; op.addr = A(2); op.len = A(3);
		op.offset = A(4);
		/* flags beyond 32 bits stay flags (EINVAL) */
		op.flags = A(5) > UINT32_MAX ? UINT32_MAX : (__u32)A(5);
	} else {
		goto out;
	}
#undef A
	before = regions_of(m->fd);
	e = vd_op(m->fd, op.op, &op);
	after = regions_of(m->fd);
	s->applied++;
	{
		long got = e ? -e : (op.op == VMASHADOW_OP_MAP || op.op == VMASHADOW_OP_REMAP ||
				     op.op == VMASHADOW_OP_BRK) ? (long)op.result : 0;
		int bad = got != want;
		char why[160] = "";

		if (bad)
			snprintf(why, sizeof(why), "the kernel returned %s%lx, the shadow %s%lx",
				 want < 0 ? "-" : "0x", want < 0 ? -want : want,
				 got < 0 ? "-" : "0x", got < 0 ? -got : got);
		else if (L->has_n && !s->shrink_mode && after != L->n) {
			bad = 1;
			snprintf(why, sizeof(why), "the kernel has %ld regions after it, the "
				 "shadow %ld", L->n, after);
		} else if (L->has_n && s->shrink_mode && L->rec_delta != LONG_MIN &&
			   after - before != L->rec_delta) {
			bad = 1;
			snprintf(why, sizeof(why), "the kernel's region count changed by %ld, "
				 "the shadow's by %ld", L->rec_delta, after - before);
		}
		if (bad) {
			s->ndiv++;
			report(s, i, "%s: %s", L->text, why);
			if (s->div_line < 0) {
				s->div_line = i;
				snprintf(s->div_sig, sizeof(s->div_sig), "%ld %ld", got,
					 after - before);
			}
		}
	}
out:
	free(copy);
}

/* ---- reading logs ---------------------------------------------------------- */

static struct rline *read_lines(FILE *fp, size_t *n)
{
	struct rline *v = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*n = 0;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		struct rline *L;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		L = &v[(*n)++];
		memset(L, 0, sizeof(*L));
		L->text = xstrdup(line);
		L->rec_delta = LONG_MIN;
	}
	free(line);
	return v;
}

static void annotate(struct rline *v, size_t n)
{
	struct { int pid; long n; } last[256];
	size_t nl = 0, i, k;

	for (i = 0; i < n; i++) {
		struct rline *L = &v[i];
		char *p;

		if (!isdigit((unsigned char)L->text[0]))
			continue;
		L->pid = atoi(L->text);
		p = strchr(L->text, ' ');
		if (!p)
			continue;
		sscanf(p + 1, "%31s", L->verb);
		L->unit = strcmp(L->verb, "exec") && strcmp(L->verb, "params") &&
			  strcmp(L->verb, "file") && strcmp(L->verb, "region") &&
			  strcmp(L->verb, "uffd") &&
			  strcmp(L->verb, "resync") && strcmp(L->verb, "fork") &&
			  strcmp(L->verb, "clone-vm") && strcmp(L->verb, "memlock") &&
			  strcmp(L->verb, "rlimit_data") && strcmp(L->verb, "mems_allowed") &&
			  strcmp(L->verb, "nodes_online");
		for (k = 0; k < nl && last[k].pid != L->pid; k++)
			;
		if (k == nl && nl < 256) {
			last[nl].pid = L->pid;
			last[nl++].n = -1;
		}
		if (k == 256)
			continue;
		if (!strcmp(L->verb, "exec") || !strcmp(L->verb, "resync"))
			last[k].n = 0;
		else if (!strcmp(L->verb, "region"))
			last[k].n++;
		p = strstr(L->text, " n=");
		if (p) {
			L->has_n = 1;
			L->n = atol(p + 3);
			if (last[k].n >= 0)
				L->rec_delta = L->n - last[k].n;
			last[k].n = L->n;
		}
		if (!strcmp(L->verb, "fork") || !strcmp(L->verb, "clone-vm")) {
			int c = atoi(p = strrchr(L->text, ' ') + 1);

			if (nl < 256) {
				last[nl].pid = c;
				last[nl++].n = last[k].n;
			}
		}
	}
}

/* Run the kept lines; fills s->div_line / div_sig. */
static void run_lines(struct rstate *s, struct rline *v, size_t n, const char *keep)
{
	size_t i;

	s->div_line = -1;
	s->div_sig[0] = 0;
	s->v = v;
	s->nv = n;
	s->keep = keep;
	s->log_version = n && !strncmp(v[0].text, "vmashadow-log ", 14) ?
			 atoi(v[0].text + 14) : 0;
	for (i = 0; i < n; i++)
		if (!keep || keep[i])
			apply(s, &v[i], (long)i);
}

/* ---- strace -e trace=memory ------------------------------------------------------ */

static const struct { const char *n; unsigned long v; } names[] = {
	{ "NULL", 0 }, { "PROT_NONE", 0 }, { "PROT_READ", PROT_READ },
	{ "PROT_WRITE", PROT_WRITE }, { "PROT_EXEC", PROT_EXEC },
	{ "PROT_GROWSDOWN", PROT_GROWSDOWN }, { "PROT_GROWSUP", PROT_GROWSUP },
	{ "MAP_SHARED", MAP_SHARED }, { "MAP_PRIVATE", MAP_PRIVATE },
	{ "MAP_SHARED_VALIDATE", 3 }, { "MAP_FIXED", MAP_FIXED },
	{ "MAP_ANONYMOUS", MAP_ANONYMOUS }, { "MAP_ANON", MAP_ANONYMOUS },
	{ "MAP_GROWSDOWN", MAP_GROWSDOWN }, { "MAP_DENYWRITE", MAP_DENYWRITE },
	{ "MAP_EXECUTABLE", MAP_EXECUTABLE }, { "MAP_LOCKED", MAP_LOCKED },
	{ "MAP_NORESERVE", MAP_NORESERVE }, { "MAP_POPULATE", MAP_POPULATE },
	{ "MAP_NONBLOCK", MAP_NONBLOCK }, { "MAP_STACK", MAP_STACK },
	{ "MAP_HUGETLB", MAP_HUGETLB }, { "MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE },
	{ "MAP_32BIT", 0x40 }, { "MAP_DROPPABLE", 0x08 },
	{ "MREMAP_MAYMOVE", 1 }, { "MREMAP_FIXED", 2 }, { "MREMAP_DONTUNMAP", 4 },
	{ "MADV_NORMAL", 0 }, { "MADV_RANDOM", 1 }, { "MADV_SEQUENTIAL", 2 },
	{ "MADV_WILLNEED", 3 }, { "MADV_DONTNEED", 4 }, { "MADV_FREE", 8 },
	{ "MADV_REMOVE", 9 }, { "MADV_DONTFORK", 10 }, { "MADV_DOFORK", 11 },
	{ "MADV_MERGEABLE", 12 }, { "MADV_UNMERGEABLE", 13 }, { "MADV_HUGEPAGE", 14 },
	{ "MADV_NOHUGEPAGE", 15 }, { "MADV_DONTDUMP", 16 }, { "MADV_DODUMP", 17 },
	{ "MADV_WIPEONFORK", 18 }, { "MADV_KEEPONFORK", 19 }, { "MADV_COLD", 20 },
	{ "MADV_PAGEOUT", 21 }, { "MADV_POPULATE_READ", 22 },
	{ "MADV_POPULATE_WRITE", 23 }, { "MADV_DONTNEED_LOCKED", 24 },
	{ "MADV_COLLAPSE", 25 }, { "MADV_HWPOISON", 100 },
	{ "MLOCK_ONFAULT", MLOCK_ONFAULT }, { "MCL_CURRENT", MCL_CURRENT },
	{ "MCL_FUTURE", MCL_FUTURE }, { "MCL_ONFAULT", MCL_ONFAULT },
	{ "MPOL_DEFAULT", VMS_MPOL_DEFAULT }, { "MPOL_PREFERRED", VMS_MPOL_PREFERRED },
	{ "MPOL_BIND", VMS_MPOL_BIND }, { "MPOL_INTERLEAVE", VMS_MPOL_INTERLEAVE },
	{ "MPOL_LOCAL", VMS_MPOL_LOCAL },
	{ "MPOL_PREFERRED_MANY", VMS_MPOL_PREFERRED_MANY },
	{ "MPOL_WEIGHTED_INTERLEAVE", VMS_MPOL_WEIGHTED_INTERLEAVE },
	{ "MPOL_F_STATIC_NODES", VMS_MPOL_F_STATIC_NODES },
	{ "MPOL_F_RELATIVE_NODES", VMS_MPOL_F_RELATIVE_NODES },
	{ "MPOL_F_NUMA_BALANCING", VMS_MPOL_F_NUMA_BALANCING },
	{ "MPOL_MF_STRICT", VMS_MPOL_MF_STRICT }, { "MPOL_MF_MOVE", VMS_MPOL_MF_MOVE },
	{ "MPOL_MF_MOVE_ALL", VMS_MPOL_MF_MOVE_ALL },
};

static unsigned long st_value(const char *s)
{
	unsigned long v = 0;
	char *copy = xstrdup(s), *tok, *save = NULL;

	for (tok = strtok_r(copy, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		size_t i;

		while (*tok == ' ')
			tok++;
		if (isdigit((unsigned char)*tok) || *tok == '-') {
			v |= strtoul(tok, NULL, 0);
			continue;
		}
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].n))
				v |= names[i].v;
	}
	free(copy);
	return v;
}

/* Turn strace output into log lines (calls at the kernel's addresses). */
static struct rline *from_strace(struct rline *in, size_t n, size_t *nout)
{
	struct { int pid; char *part; } pend[64];
	size_t np = 0, i, k;
	struct rline *v = NULL;

	*nout = 0;
	for (i = 0; i < n; i++) {
		char *t = in[i].text, *call = NULL, *args, *rp, *eqp, line[8192];
		char *a[8];
		int pid = 0, na = 0, depth = 0;
		long ret;

		if (!strncmp(t, "[pid", 4)) {
			pid = atoi(t + 4);
			t = strchr(t, ']') ? strchr(t, ']') + 1 : t;
		} else if (isdigit((unsigned char)*t)) {
			pid = atoi(t);
			while (isdigit((unsigned char)*t))
				t++;
		}
		while (*t == ' ')
			t++;
		for (k = 0; k < np && pend[k].pid != pid; k++)
			;
		if (strstr(t, "<unfinished ...>")) {
			*strstr(t, "<unfinished ...>") = 0;
			if (k == np && np < 64)
				np++;
			if (k < 64) {
				pend[k].pid = pid;
				pend[k].part = xstrdup(t);
			}
			continue;
		}
		if (!strncmp(t, "<... ", 5)) {
			char *r = strstr(t, "resumed>");

			if (k == np || !r)
				continue;
			snprintf(line, sizeof(line), "%s%s", pend[k].part, r + 8);
			free(pend[k].part);
			pend[k] = pend[--np];
		} else {
			snprintf(line, sizeof(line), "%s", t);
		}
		call = line;
		args = strchr(call, '(');
		rp = strrchr(call, ')');
		eqp = rp ? strstr(rp, "= ") : NULL;
		if (!args || !rp || !eqp)
			continue;
		*args++ = 0;
		*rp = 0;
		ret = strtol(eqp + 2, NULL, 0);
		if (ret == -1 && strcmp(call, "brk"))
			continue;	/* failed: the state it failed on is unknown */
		for (a[na++] = args; *args && na < 8; args++) {
			if (*args == '<' || *args == '{' || *args == '[')
				depth++;
			else if (*args == '>' || *args == '}' || *args == ']')
				depth--;
			else if (*args == ',' && !depth) {
				*args = 0;
				a[na++] = args + 2;
			}
		}
		{
			char out[8400];
			unsigned long A[8] = { 0 };
			int j;

			for (j = 0; j < na; j++)
				A[j] = st_value(a[j]);
			out[0] = 0;
			if (!strcmp(call, "mmap") && na == 6) {
				char key[4200] = "-";
				char *lt = strchr(a[4], '<');

				if (!(A[3] & MAP_ANONYMOUS) && (long)A[4] >= 0) {
					if (lt) {
						char *gt = strrchr(lt, '>');

						if (gt)
							*gt = 0;
						snprintf(key, sizeof(key), "%s", lt + 1);
					} else {
						snprintf(key, sizeof(key), "fd%d.%lu", pid, A[4]);
					}
					v = xrealloc(v, (*nout + 1) * sizeof(*v));
					memset(&v[*nout], 0, sizeof(*v));
					snprintf(out, sizeof(out), "%d file %s %s", pid, key,
						 lt ? key : "(unknown)");
					v[(*nout)++].text = xstrdup(out);
				}
				snprintf(out, sizeof(out), "%d mmap 0x%lx 0x%lx 0x%lx 0x%lx %s 0x%lx = 0x%lx",
					 pid, (unsigned long)ret, A[1], A[2],
					 (A[3] & ~(unsigned long)MAP_FIXED_NOREPLACE) | MAP_FIXED,
					 key, A[5], (unsigned long)ret);
			} else if (!strcmp(call, "munmap") && na == 2) {
				snprintf(out, sizeof(out), "%d munmap 0x%lx 0x%lx = 0", pid, A[0], A[1]);
			} else if ((!strcmp(call, "mprotect") || !strcmp(call, "pkey_mprotect")) &&
				   na >= 3) {
				snprintf(out, sizeof(out), "%d mprotect 0x%lx 0x%lx 0x%lx = 0", pid,
					 A[0], A[1], A[2]);
			} else if (!strcmp(call, "mremap") && na >= 4) {
				unsigned long fl = A[3];

				if ((unsigned long)ret != A[0])
					fl |= 3;	/* MAYMOVE|FIXED: where it went */
				snprintf(out, sizeof(out), "%d mremap 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx = 0x%lx",
					 pid, A[0], A[1], A[2], fl,
					 (unsigned long)ret != A[0] ? (unsigned long)ret : 0,
					 (unsigned long)ret);
			} else if (!strcmp(call, "brk") && na == 1) {
				if (!A[0]) {
					/* The first query names the heap's start. */
					snprintf(out, sizeof(out), "%d params 0x%lx 0x%lx 0 0 0 -",
						 pid, (unsigned long)ret, (unsigned long)ret);
				} else {
					snprintf(out, sizeof(out), "%d brk 0x%lx = 0x%lx", pid, A[0],
						 (unsigned long)ret);
				}
			} else if (!strcmp(call, "madvise") && na == 3 &&
				   vd_advice_modelled(A[2])) {
				snprintf(out, sizeof(out), "%d madvise 0x%lx 0x%lx %lu = 0", pid,
					 A[0], A[1], A[2]);
			} else if (!strcmp(call, "mseal") && na == 3) {
				snprintf(out, sizeof(out), "%d mseal 0x%lx 0x%lx 0x%lx = 0", pid,
					 A[0], A[1], A[2]);
			} else if ((!strcmp(call, "mlock") || !strcmp(call, "munlock")) &&
				   na == 2) {
				snprintf(out, sizeof(out), "%d %s 0x%lx 0x%lx = 0", pid, call,
					 A[0], A[1]);
			} else if (!strcmp(call, "mlock2") && na == 3) {
				snprintf(out, sizeof(out), "%d mlock2 0x%lx 0x%lx 0x%lx = 0", pid,
					 A[0], A[1], A[2]);
			} else if (!strcmp(call, "mlockall") && na == 1) {
				snprintf(out, sizeof(out), "%d mlockall 0x%lx = 0", pid, A[0]);
			} else if (!strcmp(call, "munlockall") && na == 1 && !*a[0]) {
				snprintf(out, sizeof(out), "%d munlockall = 0", pid);
			} else if (!strcmp(call, "mbind") && na == 6) {
				/* the mask as an array of words: the first holds
				 * nodes 0-63 ([0x1, 0x0]); NULL, or an address
				 * strace could not read */
				unsigned long nodes = *a[3] == '[' ?
						      strtoul(a[3] + 1, NULL, 0) : 0;

				snprintf(out, sizeof(out), "%d mbind 0x%lx 0x%lx 0x%lx 0x%lx "
					 "%lu 0x%lx = 0", pid, A[0], A[1], A[2], nodes,
					 nodes ? A[4] : 0, A[5]);
			} else if (!strcmp(call, "set_mempolicy_home_node") && na == 4) {
				snprintf(out, sizeof(out), "%d set_mempolicy_home_node 0x%lx "
					 "0x%lx %lu 0x%lx = 0", pid, A[0], A[1], A[2], A[3]);
			}
			if (out[0]) {
				v = xrealloc(v, (*nout + 1) * sizeof(*v));
				memset(&v[*nout], 0, sizeof(*v));
				v[*nout].rec_delta = LONG_MIN;
				v[(*nout)++].text = xstrdup(out);
			}
		}
	}
	for (k = 0; k < np; k++)
		free(pend[k].part);
	return v;
}

static void free_lines(struct rline *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

static struct rline *load(const char *path, size_t *n, int *is_strace)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct rline *v, *w;
	size_t nw;

	if (!fp) {
		vms_err(path, errno);
		return NULL;
	}
	v = read_lines(fp, n);
	if (fp != stdin)
		fclose(fp);
	*is_strace = !*n || strncmp(v[0].text, "vmashadow-log", 13);
	if (*is_strace) {
		w = from_strace(v, *n, &nw);
		free_lines(v, *n);
		v = w;
		*n = nw;
	}
	annotate(v, *n);
	return v;
}

static void print_final(struct rstate *s)
{
	size_t i, live = 0;

	for (i = 0; i < s->nm; i++)
		live += s->m[i].alive;
	for (i = 0; i < s->nm; i++) {
		char *text = NULL;

		if (!s->m[i].alive)
			continue;
		if (live > 1)
			printf("# pid %d\n", s->m[i].pid);
		if (!vd_read_maps(s->m[i].fd, &text))
			fputs(text, stdout);
		free(text);
	}
}

int vms_cmd_replay(int argc, char **argv, const struct vms_opts *o)
{
	struct rstate s;
	struct rline *v;
	size_t n;
	int is_strace;

	if (argc != 2) {
		vms_errx("replay: expects one log file (or strace output)");
		return VMS_EXIT_USAGE;
	}
	v = load(argv[1], &n, &is_strace);
	if (!v && n)
		return VMS_EXIT_FAIL;
	memset(&s, 0, sizeof(s));
	s.o = o;
	s.rep = stderr;
	run_lines(&s, v, n, NULL);
	print_final(&s);
	fprintf(stderr, "vmashadow replay: %ld calls, %ld %s", s.applied, s.ndiv,
		is_strace ? "disagreements with strace's results (no starting state: "
		"addresses as the kernel chose them)" : "divergences");
	if (s.npolwarn)
		fprintf(stderr, "; %ld polic%s not rebuilt as logged", s.npolwarn,
			s.npolwarn == 1 ? "y" : "ies");
	if (s.nflagwarn)
		fprintf(stderr, "; %ld region%s not rebuilt as logged",
			s.nflagwarn, s.nflagwarn == 1 ? "" : "s");
	if (s.nuffdwarn)
		fprintf(stderr, "; %ld userfaultfd context%s opened without features",
			s.nuffdwarn, s.nuffdwarn == 1 ? "" : "s");
	fputc('\n', stderr);
	rs_free(&s);
	free_lines(v, n);
	return !is_strace && s.ndiv ? VMS_EXIT_FAIL : VMS_EXIT_OK;
}

/* ---- shrink ----------------------------------------------------------------- */

struct shrinker {
	const struct vms_opts *o;
	struct rline *v;
	size_t n;
	long target;
	char sig[256];
	long tests;
};

/* Does the log with these lines kept still diverge the same way? */
static int still(struct shrinker *k, const char *keep)
{
	struct rstate s;
	int r;

	memset(&s, 0, sizeof(s));
	s.o = k->o;
	s.shrink_mode = 1;
	run_lines(&s, k->v, k->n, keep);
	r = s.div_line == k->target && !strcmp(s.div_sig, k->sig);
	rs_free(&s);
	k->tests++;
	return r;
}

int vms_cmd_shrink(int argc, char **argv, const struct vms_opts *o)
{
	struct shrinker k;
	struct rstate s;
	size_t *units = NULL, nu = 0, i, gran = 2;
	char *keep;
	int is_strace;

	if (argc != 2) {
		vms_errx("shrink: expects one log file");
		return VMS_EXIT_USAGE;
	}
	memset(&k, 0, sizeof(k));
	k.o = o;
	k.v = load(argv[1], &k.n, &is_strace);
	if (!k.v)
		return VMS_EXIT_FAIL;
	memset(&s, 0, sizeof(s));
	s.o = o;
	s.shrink_mode = 1;
	run_lines(&s, k.v, k.n, NULL);
	rs_free(&s);
	if (s.div_line < 0) {
		vms_errx("shrink: %s does not diverge", argv[1]);
		return VMS_EXIT_FAIL;
	}
	k.target = s.div_line;
	snprintf(k.sig, sizeof(k.sig), "%s", s.div_sig);
	keep = xmalloc(k.n);
	for (i = 0; i < k.n; i++) {
		keep[i] = i <= (size_t)k.target && (i == 0 || k.v[i].pid || k.v[i].verb[0]);
		if (keep[i] && k.v[i].unit && i != (size_t)k.target) {
			units = xrealloc(units, (nu + 1) * sizeof(*units));
			units[nu++] = i;
		}
	}
	/* ddmin: try dropping each of gran chunks; refine when none can go. */
	while (nu >= 1) {
		size_t chunk = (nu + gran - 1) / gran, c;
		int progress = 0;

		for (c = 0; c * chunk < nu; c++) {
			size_t a = c * chunk, b = a + chunk < nu ? a + chunk : nu, j;

			for (j = a; j < b; j++)
				keep[units[j]] = 0;
			if (still(&k, keep)) {
				memmove(units + a, units + b, (nu - b) * sizeof(*units));
				nu -= b - a;
				progress = 1;
				if (gran > 2)
					gran--;
				break;
			}
			for (j = a; j < b; j++)
				keep[units[j]] = 1;
		}
		if (!progress) {
			if (gran >= nu)
				break;
			gran = gran * 2 < nu ? gran * 2 : nu;
		}
	}
	{
		size_t m = 0;

		for (i = 0; i < k.n; i++)
			if (keep[i]) {
				printf("%s\n", k.v[i].text);
				m++;
			}
		fprintf(stderr, "vmashadow shrink: %zu of %zu lines kept (%zu calls), %ld "
			"replays; the divergence stays at: %s\n", m, k.n, nu + 1, k.tests,
			k.v[k.target].text);
	}
	free(keep);
	free(units);
	free_lines(k.v, k.n);
	return VMS_EXIT_OK;
}
