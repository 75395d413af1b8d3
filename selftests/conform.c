// SPDX-License-Identifier: GPL-2.0
/*
 * conform: the randomized differential conformance tester (issue 7).
 *
 * Each sequence runs in a fresh child of the driver.  The child reserves a
 * window far from everything else (WIN_PAGES pages with a PROT_NONE guard
 * of GUARD_PAGES on each side), imports its whole address space into a new
 * shadow (IMPORT, pid 0: regions, anon_vma identities, brk, mmap_base), and
 * then performs a random sequence of real calls inside the window, each
 * mirrored on the shadow:
 *
 *   map     fixed, NOREPLACE and placed (a hint in the window: used when
 *           free, else a top-down search far outside, which is compared
 *           and unmapped again); anonymous private and shared, tmpfs files
 *           (two opens of one file, a read-only open, a second file) at
 *           offsets that run on or not; NORESERVE, GROWSDOWN, STACK,
 *           POPULATE, LOCKED; invalid arguments
 *   unmap, protect, madvise (every advice the shadow knows), mseal
 *   remap   shrink, grow in place, MAYMOVE, FIXED, DONTUNMAP, old_len 0
 *   brk     above the initial break (the real heap, outside the window)
 *   touch   a write fault (real write; TOUCH on the shadow), also in the
 *           hole below a region that grows down: the region grows, or
 *           the write is SIGSEGV (caught) and TOUCH must say -EFAULT
 *   mlock   mlock(2) and mlock2(2) with and without MLOCK_ONFAULT, munlock,
 *           now and then mlockall (MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT)
 *           and munlockall; invalid flags, unaligned starts and lengths
 *   fork    a raw fork: the child continues the sequence on the FORK of
 *           the shadow, the parent waits
 *   mbind   every policy mode on node 0, with and without its mode
 *           flags, over a region, part of one, or a span of them; now and
 *           then an invalid one.  Drawn from a stream of its own, so that
 *           the other operations of a seed stay what they were; not on a
 *           kernel without NUMA (ENOSYS)
 *   home    set_mempolicy_home_node(2) on node 0, from the same stream:
 *           over a region with a policy it takes (found with GET_POLICY),
 *           a part of one and then the whole, or a span of pages; now
 *           and then a node not online, a flag, an unaligned start
 *   uffd    userfaultfd(2) contexts 1 and 2 (features 0), in sequences
 *           of their own (a quarter more, seeds with bit 62; in a soak
 *           one in four): UFFDIO_API, also twice; UFFDIO_REGISTER in
 *           write-protect mode over a region, a part of one, or a span,
 *           then often its undo or the whole region; UFFDIO_UNREGISTER
 *           through either context; close().  Only WP registers: a
 *           missing or minor fault would wait for a handler that is not
 *           there, so MINOR is asked only where an anonymous region makes
 *           it -EINVAL, and MISSING never.  A forked child closes the
 *           inherited descriptors (they act on the parent's address
 *           space).  After each, the "VmFlags:" of /proc/self/smaps must
 *           have "uw" and "um" exactly where the shadow's flags have them.
 *
 * One sequence in eight runs under RLIMIT_DATA of what the child holds in
 * data mappings plus 0-63 pages, and one in eight with a soft limit of 0
 * and that as the hard one (Valgrind's); the IMPORT takes it.  The limit
 * comes from the seed, not the stream of operations, and a replay keeps
 * it.  At the end of every sequence VmData must equal the shadow's
 * STATS.data_pages.
 *
 * After every call the errno (and the address of a map, remap or brk) must
 * be the same, the shadow must VALIDATE, and /proc/self/maps must equal
 * the shadow's read() line for line -- the whole address space but the
 * [stack] line (the real stack grows as the program runs; nothing else may
 * change: no stdio and no malloc in the children, static buffers only).
 * Once a sequence has locked anything, VmLck of /proc/self/status must
 * equal the shadow's STATS.locked_pages (the [stack] left out) after
 * every mlock-family call, every call that changes the shadow's count, and
 * at the end; after mlockall, munlockall and at the end the "VmFlags:" of
 * /proc/self/smaps must have "lo" exactly where the shadow's regions have
 * VM_LOCKED.  (Reading them after every call would cost more than the
 * rest of the run; a lock put in the wrong place by mlock shows in the
 * split points and the count at once.)
 *
 * Nothing is generated from the real state: each operation is drawn from
 * the seeded PRNG and the shadow's state (which equals the real one up to
 * that point, or the sequence has already stopped), and recorded as a
 * concrete record in a shared page.  A failing sequence is replayed from
 * its records: the prefix up to the first mismatch, then greedily without
 * each earlier record while it still fails.  The reproducer is printed as
 * text, with the seed.
 *
 * Usage: conform [--seeds N] [--seed S] [--len L] [--seconds N] [-v]
 *   --seeds N    sequences with seeds S..S+N-1 (default: 300; 12 on the
 *                debug kernel, /sys/kernel/debug/kmemleak exists, where
 *                KASAN makes each take seconds and coverage is not held:
 *                the stock lanes hold it), then N/4 with userfaultfd,
 *                seeds S..S+N/4-1 | 1 << 62
 *   --seed S     first seed (default 1; with --seconds: from the time)
 *   --seconds N  run new seeds for N seconds (soak); VMS_SOAK_SECONDS or
 *                /tmp/vms-soak-seconds give it too
 *   --len L      operations per sequence (default 160)
 *   --no-cover   do not fail on coverage
 *
 * Output: TAP (two results: sequences, coverage), the coverage counts as
 * comment lines, and "# conformance <kernel>: S sequences, O operations,
 * M mismatches".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "ioctl.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef __NR_mseal
#define __NR_mseal		462
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK		18
#define MADV_KEEPONFORK		19
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT		4
#endif
#ifndef __NR_mlock2
#define __NR_mlock2		325
#endif

#define PS		4096UL
#define WIN		0x280000000000UL
#define WIN_PAGES	48UL
#define GUARD_PAGES	8UL
#define WPG(n)		(WIN + (unsigned long)(n) * PS)
#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node	450
#endif

#define LO		(WIN - GUARD_PAGES * PS)
#define HI		(WIN + (WIN_PAGES + GUARD_PAGES) * PS)
#define FILE_PAGES	4096UL
#define MAX_OPS		400
#define MAX_FORKS	3

enum kind {
	K_MAP, K_UNMAP, K_PROTECT, K_TOUCH, K_REMAP, K_MADVISE, K_BRK,
	K_SEAL, K_FORK, K_MLOCK, K_MUNLOCK, K_MLOCKALL, K_MUNLOCKALL, K_MBIND,
	K_HOME, K_UFFD, K_NR
};
static const char *const kname[K_NR] = {
	"map", "unmap", "protect", "touch", "remap", "madvise", "brk",
	"seal", "fork", "mlock", "munlock", "mlockall", "munlockall", "mbind",
	"home", "uffd",
};

/* K_UFFD's calls (rec.flags), on context rec.off (1 or 2) */
#define U_API		0
#define U_REGISTER	1
#define U_UNREGISTER	2
#define U_CLOSE		3

/* fd selectors of a map */
#define F_ANON	-1
#define F_A	0	/* file A, read-write */
#define F_A2	1	/* file A, another open */
#define F_ARO	2	/* file A, read-only */
#define F_B	3	/* file B */
#define F_NR	4
static const char *const fname[F_NR] = { "A", "A'", "Aro", "B" };

/* One concrete operation. */
struct rec {
	int kind;
	int fdsel;
	unsigned int prot;
	unsigned int flags;
	unsigned long addr;
	unsigned long len;
	/*
	 * MAP: offset; REMAP: new_len; MLOCK: 1 = mlock2; MBIND: node mask;
	 * HOME: the node; UFFD: the context (prot: the mode)
	 */
	unsigned long off;
	unsigned long naddr;	/* REMAP: new_addr; MBIND: maxnode */
};

#define NERR 140
#define NWHY 14
#define MSG_SIZE 16384

/* The page shared by the driver and every process of a sequence. */
struct shared {
	/* results of the sequence being run */
	int nrec;
	int failed_at;		/* index of the first mismatching record, -1 */
	int done;		/* the sequence ran to its end */
	/* RLIMIT_DATA of the sequence: 0 none, 1 soft = hard, 2 soft 0 */
	int data_mode;
	unsigned long data_pages;	/* hard limit: VmData + this */
	unsigned long ops;
	struct rec recs[MAX_OPS];
	char msg[MSG_SIZE];
	/* coverage, summed over every sequence (not replays) */
	int counting;
	unsigned long err[K_NR][NERR];
	unsigned long mcase[K_NR][9];
	unsigned long why[3][NWHY];	/* [verdict][why], both sides */
	unsigned long moved_out;	/* placements outside the window */
	unsigned long data_limited;	/* sequences under RLIMIT_DATA */
	unsigned long data_enomem[K_NR]; /* their -ENOMEM results */
	unsigned long skipped_touch;
	unsigned long sigbus_touch;
	unsigned long stack_grown;	/* touches below a GROWSDOWN region */
	unsigned long stack_refused;
};

static struct shared *sh;
static int files[F_NR];
static int kernel;		/* 61, 612 */
static int has_seal;
static int has_mbind;		/* a NUMA kernel: mbind(2) exists */
static int has_uffd;		/* userfaultfd(2) exists */
/*
 * The sequence has userfaultfd calls: seeds with this bit, run after the
 * others, a quarter as many, so that those run what they ran before these
 * existed, coverage and all.
 */
#define UFFD_SEED	(1ULL << 62)
static int uffd_seq;
static unsigned long seq_len = 160;
static int verbose;

/*
 * Operations left out (--avoid BITS, or -DCONFORM_AVOID=BITS at build
 * time): to look past a known mismatch while it is being fixed.
 */
#define AV_POPULATE	0x1	/* MAP_POPULATE */
#define AV_PAGEADV	0x2	/* DONTNEED/FREE/COLD/PAGEOUT/WILLNEED */
#define AV_DUP		0x4	/* mremap with old_len 0 */
#define AV_MLOCK	0x8	/* mlock, mlock2, munlock, MAP_LOCKED */
#define AV_MLOCKALL	0x10	/* mlockall, munlockall */
#ifndef CONFORM_AVOID
#define CONFORM_AVOID	0
#endif
static unsigned int avoid = CONFORM_AVOID;

/* ---- PRNG (splitmix64) ---------------------------------------------------- */

static uint64_t rng_state;
/* the touches aimed below a stack draw from their own stream */
static uint64_t aim_state;
/* and mbind()'s, which draws its operations on its own */
static uint64_t pol_state;
/* and userfaultfd's */
static uint64_t uffd_state;

static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return splitmix(&rng_state);
}

static unsigned long rn(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int pct)
{
	return rn(100) < pct;
}

/* ---- text ------------------------------------------------------------------ */

static const char *prot_str(unsigned int p, char *b)
{
	if (p & ~7U) {
		sprintf(b, "0x%x", p);
		return b;
	}
	b[0] = p & PROT_READ ? 'r' : '-';
	b[1] = p & PROT_WRITE ? 'w' : '-';
	b[2] = p & PROT_EXEC ? 'x' : '-';
	b[3] = 0;
	return b;
}

static const struct { unsigned int bit; const char *name; } mapflags[] = {
	{ MAP_SHARED, "SHARED" }, { MAP_PRIVATE, "PRIVATE" },
	{ MAP_FIXED, "FIXED" }, { MAP_ANONYMOUS, "ANON" },
	{ MAP_FIXED_NOREPLACE, "NOREPLACE" }, { MAP_NORESERVE, "NORESERVE" },
	{ MAP_GROWSDOWN, "GROWSDOWN" }, { MAP_STACK, "STACK" },
	{ MAP_POPULATE, "POPULATE" }, { MAP_LOCKED, "LOCKED" },
}, remapflags[] = {
	{ MREMAP_MAYMOVE, "MAYMOVE" }, { MREMAP_FIXED, "FIXED" },
	{ MREMAP_DONTUNMAP, "DONTUNMAP" },
};

static const char *flag_str(unsigned int f, int remap, char *b)
{
	unsigned int i, n = remap ? 3 : sizeof(mapflags) / sizeof(mapflags[0]);
	size_t l = 0;

	b[0] = 0;
	for (i = 0; i < n; i++) {
		const char *nm = remap ? remapflags[i].name : mapflags[i].name;
		unsigned int bit = remap ? remapflags[i].bit : mapflags[i].bit;

		if (f & bit) {
			l += sprintf(b + l, "%s%s", l ? "|" : "", nm);
			f &= ~bit;
		}
	}
	if (f || !l)
		sprintf(b + l, "%s0x%x", l ? "|" : "", f);
	return b;
}

/* An address as a window page ("p12"), or raw hex outside it. */
static const char *addr_str(unsigned long a, char *b)
{
	if (a >= LO && a < HI) {
		long pg = ((long)a - (long)WIN) / (long)PS;
		unsigned long rem = (a - LO) % PS;

		if (rem)
			sprintf(b, "p%ld+%lu", pg, rem);
		else
			sprintf(b, "p%ld", pg);
	} else {
		sprintf(b, "0x%lx", a);
	}
	return b;
}

static const char *len_str(unsigned long l, char *b)
{
	if (l % PS)
		sprintf(b, "%lu", l);
	else
		sprintf(b, "%lupg", l / PS);
	return b;
}

static const char *madv_name(int a)
{
	switch (a) {
	case MADV_NORMAL: return "NORMAL";
	case MADV_RANDOM: return "RANDOM";
	case MADV_SEQUENTIAL: return "SEQUENTIAL";
	case MADV_WILLNEED: return "WILLNEED";
	case MADV_DONTNEED: return "DONTNEED";
	case MADV_FREE: return "FREE";
	case MADV_DONTFORK: return "DONTFORK";
	case MADV_DOFORK: return "DOFORK";
	case MADV_MERGEABLE: return "MERGEABLE";
	case MADV_UNMERGEABLE: return "UNMERGEABLE";
	case MADV_HUGEPAGE: return "HUGEPAGE";
	case MADV_NOHUGEPAGE: return "NOHUGEPAGE";
	case MADV_DONTDUMP: return "DONTDUMP";
	case MADV_DODUMP: return "DODUMP";
	case MADV_WIPEONFORK: return "WIPEONFORK";
	case MADV_KEEPONFORK: return "KEEPONFORK";
	case MADV_COLD: return "COLD";
	case MADV_PAGEOUT: return "PAGEOUT";
	case MADV_POPULATE_READ: return "POPULATE_READ";
	case MADV_POPULATE_WRITE: return "POPULATE_WRITE";
	}
	return "?";
}

/* mlockall()'s flags: "CURRENT|FUTURE", an unknown rest in hex. */
static const char *mcl_str(unsigned int f, char *b)
{
	static const struct { unsigned int bit; const char *name; } mcl[] = {
		{ MCL_CURRENT, "CURRENT" }, { MCL_FUTURE, "FUTURE" },
		{ MCL_ONFAULT, "ONFAULT" },
	};
	unsigned int i;
	size_t l = 0;

	b[0] = 0;
	for (i = 0; i < sizeof(mcl) / sizeof(mcl[0]); i++) {
		if (f & mcl[i].bit) {
			l += sprintf(b + l, "%s%s", l ? "|" : "", mcl[i].name);
			f &= ~mcl[i].bit;
		}
	}
	if (f || !l)
		sprintf(b + l, "%s0x%x", l ? "|" : "", f);
	return b;
}

static int rec_str(const struct rec *r, char *out, size_t size)
{
	char a[40], b[40], c[40], d[40], e[120];

	switch (r->kind) {
	case K_MAP:
		return snprintf(out, size, "map(%s, %s, %s, %s, %s, off %s)",
				addr_str(r->addr, a), len_str(r->len, b),
				prot_str(r->prot, c), flag_str(r->flags, 0, e),
				r->fdsel < 0 ? "-1" : fname[r->fdsel],
				len_str(r->off, d));
	case K_UNMAP:
		return snprintf(out, size, "unmap(%s, %s)", addr_str(r->addr, a),
				len_str(r->len, b));
	case K_PROTECT:
		return snprintf(out, size, "protect(%s, %s, %s)",
				addr_str(r->addr, a), len_str(r->len, b),
				prot_str(r->prot, c));
	case K_TOUCH:
		return snprintf(out, size, "touch(%s)", addr_str(r->addr, a));
	case K_REMAP:
		return snprintf(out, size, "remap(%s, %s, %s, %s, %s)",
				addr_str(r->addr, a), len_str(r->len, b),
				len_str(r->off, c), flag_str(r->flags, 1, e),
				addr_str(r->naddr, d));
	case K_MADVISE:
		return snprintf(out, size, "madvise(%s, %s, %s%s)",
				addr_str(r->addr, a), len_str(r->len, b),
				madv_name(r->flags),
				strcmp(madv_name(r->flags), "?") ? "" :
				(sprintf(c, " %u", r->flags), c));
	case K_BRK:
		return snprintf(out, size, "brk(brk0 %+ld)", (long)r->addr);
	case K_SEAL:
		return snprintf(out, size, "mseal(%s, %s, %u)",
				addr_str(r->addr, a), len_str(r->len, b),
				r->flags);
	case K_FORK:
		return snprintf(out, size, "fork()");
	case K_MLOCK:
		if (!r->off)
			return snprintf(out, size, "mlock(%s, %s)",
					addr_str(r->addr, a), len_str(r->len, b));
		return snprintf(out, size, "mlock2(%s, %s, %s)",
				addr_str(r->addr, a), len_str(r->len, b),
				r->flags == MLOCK_ONFAULT ? "ONFAULT" :
				(sprintf(c, "0x%x", r->flags), c));
	case K_MUNLOCK:
		return snprintf(out, size, "munlock(%s, %s)",
				addr_str(r->addr, a), len_str(r->len, b));
	case K_MLOCKALL:
		return snprintf(out, size, "mlockall(%s)", mcl_str(r->flags, e));
	case K_MUNLOCKALL:
		return snprintf(out, size, "munlockall()");
	case K_MBIND:
		return snprintf(out, size, "mbind(%s, %s, 0x%x, mask 0x%lx, maxnode %lu, 0x%x)",
				addr_str(r->addr, a), len_str(r->len, b),
				r->prot, r->off, r->naddr, r->flags);
	case K_HOME:
		return snprintf(out, size, "set_mempolicy_home_node(%s, %s, %lu, 0x%x)",
				addr_str(r->addr, a), len_str(r->len, b),
				r->off, r->flags);
	case K_UFFD:
		switch (r->flags) {
		case U_API:
			return snprintf(out, size, "uffd%lu: UFFDIO_API", r->off);
		case U_REGISTER:
			return snprintf(out, size, "uffd%lu: UFFDIO_REGISTER(%s, %s, mode 0x%x)",
					r->off, addr_str(r->addr, a),
					len_str(r->len, b), r->prot);
		case U_UNREGISTER:
			return snprintf(out, size, "uffd%lu: UFFDIO_UNREGISTER(%s, %s)",
					r->off, addr_str(r->addr, a),
					len_str(r->len, b));
		}
		return snprintf(out, size, "uffd%lu: close()", r->off);
	}
	return snprintf(out, size, "?");
}

/* ---- the message buffer (static, no stdio in children) ------------------- */

static size_t msg_len;

static void msg(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (msg_len + 1 >= MSG_SIZE)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sh->msg + msg_len, MSG_SIZE - msg_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		msg_len += n;
	if (msg_len >= MSG_SIZE)
		msg_len = MSG_SIZE - 1;
}

/* Up to @n lines of @s into the message. */
static void msg_lines(const char *s, int n)
{
	while (*s && n-- > 0) {
		const char *e = strchr(s, '\n');
		int len = e ? (int)(e - s) : (int)strlen(s);

		msg("%.*s\n", len, s);
		if (!e)
			break;
		s = e + 1;
	}
}

/* ---- the two sides ---------------------------------------------------------- */

static int sfd = -1;		/* the shadow of the running process */
static unsigned long brk0;	/* the real break when the sequence began */
static unsigned long start_brk;

static long sys_ret(long r)
{
	return r == -1 ? -errno : r;
}

static long sh_op(unsigned long cmd, struct vmashadow_op *op)
{
	long r;

	op->size = sizeof(*op);
	r = ioctl(sfd, cmd, op);
	return r < 0 ? -errno : r;
}

static long sh_ioctl(unsigned long cmd, void *arg)
{
	long r = ioctl(sfd, cmd, arg);

	return r < 0 ? -errno : r;
}

/* The shadow's region FIND @mode gives for @addr: 1 found, 0 none. */
static int sh_find(unsigned int mode, unsigned long addr,
		   struct vmashadow_region *reg)
{
	struct vmashadow_find f;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.mode = mode;
	f.addr = addr;
	if (sh_ioctl(VMASHADOW_IOC_FIND, &f) ||
	    !(f.found & VMASHADOW_FOUND_REGION))
		return 0;
	*reg = f.region;
	return 1;
}

/* The shadow's region holding @addr: 1 found, 0 none. */
static int sh_lookup(unsigned long addr, struct vmashadow_region *reg)
{
	return sh_find(VMASHADOW_FIND_LOOKUP, addr, reg);
}

static char real_maps[65536], shadow_maps[65536];
static char real_f[65536], shadow_f[65536];

static long read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		if (n + 1 >= size)
			return -ENOSPC;
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!r)
			break;
		n += r;
	}
	buf[n] = 0;
	return n;
}

/*
 * Every line but [stack]; the inode of a shared anonymous mapping (a new
 * shmem inode each time, unpredictable) becomes '#'.
 */
static void filter(const char *in, char *out, size_t size)
{
	size_t n = 0;

	out[0] = 0;
	while (*in) {
		const char *eol = strchr(in, '\n');
		size_t len = eol ? (size_t)(eol - in + 1) : strlen(in);
		const char *shm = strstr(in, "/dev/zero (deleted)");
		const char *stk = strstr(in, "[stack]");

		if (n + len + 2 >= size)
			break;
		if (stk && stk < in + len) {
			/* skip */
		} else if (shm && shm < in + len) {
			const char *f = in;
			int i;

			for (i = 0; i < 4; i++) {
				f = strchr(f, ' ');
				while (*f == ' ')
					f++;
			}
			memcpy(out + n, in, f - in);
			n += f - in;
			out[n++] = '#';
			out[n++] = ' ';
			while (*f != ' ')
				f++;
			while (*f == ' ')
				f++;
			memcpy(out + n, f, in + len - f);
			n += in + len - f;
		} else {
			memcpy(out + n, in, len);
			n += len;
		}
		if (!eol)
			break;
		in = eol + 1;
	}
	out[n] = 0;
}

/* 0: equal; else a message with both sides' lines that differ. */
static int compare_maps(void)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	struct vmashadow_validate v;
	long r;

	if (fd < 0) {
		msg("open /proc/self/maps: %d\n", errno);
		return -1;
	}
	r = read_all(fd, real_maps, sizeof(real_maps));
	close(fd);
	if (r < 0) {
		msg("read /proc/self/maps: %ld\n", r);
		return -1;
	}
	lseek(sfd, 0, SEEK_SET);
	r = read_all(sfd, shadow_maps, sizeof(shadow_maps));
	if (r < 0) {
		msg("read shadow: %ld\n", r);
		return -1;
	}
	filter(real_maps, real_f, sizeof(real_f));
	filter(shadow_maps, shadow_f, sizeof(shadow_f));
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	r = sh_ioctl(VMASHADOW_IOC_VALIDATE, &v);
	if (r) {
		msg("VALIDATE: %ld, violation %u at 0x%llx\n", r, v.violation,
		    (unsigned long long)v.addr);
		return -1;
	}
	if (!strcmp(real_f, shadow_f))
		return 0;
	{
		/* Only the lines that differ, each side's. */
		const char *a = real_f, *b = shadow_f;

		while (*a && *b) {
			const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');

			if (!ea || !eb || ea - a != eb - b ||
			    memcmp(a, b, ea - a))
				break;
			a = ea + 1;
			b = eb + 1;
		}
		msg("maps differ (from the first differing line)\n--- real:\n");
		msg_lines(a, 10);
		msg("--- shadow:\n");
		msg_lines(b, 10);
	}
	return -1;
}

/* ---- locks: VmLck and VmFlags -------------------------------------------- */

static unsigned long start_stack;	/* the shadow's, for its [stack] */
static int locks_seen;		/* this sequence has locked something */
static int lock_future;		/* mlockall(MCL_FUTURE) is in force */
static char status_buf[8192], smaps_buf[262144];

static unsigned long parse_hex(const char **s)
{
	unsigned long v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			v = v * 16 + c - '0';
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + c - 'a' + 10;
		else
			return v;
	}
}

/* A whole /proc/self file into @buf: its length or -errno. */
static long read_proc(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long r;

	if (fd < 0)
		return -errno;
	r = read_all(fd, buf, size);
	close(fd);
	return r;
}

/* A "Key:  N kB" line of /proc/self/status in pages, or -1. */
static long status_pages(const char *key)
{
	const char *p;
	long kb = 0;

	if (read_proc("/proc/self/status", status_buf, sizeof(status_buf)) < 0)
		return -1;
	p = strstr(status_buf, key);
	if (!p)
		return -1;
	for (p += strlen(key); *p == ' ' || *p == '\t'; p++)
		;
	for (; *p >= '0' && *p <= '9'; p++)
		kb = kb * 10 + *p - '0';
	return kb / (PS / 1024);
}

/*
 * After an mbind() or a home node: each region of the window has the
 * policy get_mempolicy(MPOL_F_ADDR) reads of the real VMA (the mode with
 * its flags, and the nodes: as given where a mode flag keeps them, else
 * in force), by GET_POLICY.  A home node shows only in the maps, through
 * the merges it stops.  Only anonymous private regions: for a mapping of
 * a tmpfs file or shared anonymous memory, get_mempolicy() asks shmem for
 * the file's shared policy at that offset (->get_policy()), which an
 * mbind() of another mapping, long unmapped, may have set; the VMA's own
 * policy, which merges compare, it does not show.
 */
static int compare_policies(void)
{
	unsigned long addr = WIN, mask[1024 / 64];
	struct vmashadow_region reg;
	struct vmashadow_policy p;
	__u64 want;
	int mode;

	while (sh_find(VMASHADOW_FIND_VMA, addr, &reg) &&
	       reg.start < WPG(WIN_PAGES)) {
		addr = reg.end;
		if (reg.file_id)
			continue;
		memset(mask, 0, sizeof(mask));
		if (syscall(SYS_get_mempolicy, &mode, mask, 1024UL,
			    (unsigned long)reg.start, MPOL_F_ADDR)) {
			msg("get_mempolicy(0x%llx): errno %d\n", reg.start,
			    errno);
			return -1;
		}
		memset(&p, 0, sizeof(p));
		p.size = sizeof(p);
		p.addr = reg.start;
		if (sh_ioctl(VMASHADOW_IOC_GET_POLICY, &p)) {
			msg("GET_POLICY(0x%llx) failed\n", reg.start);
			return -1;
		}
		/* mpol_store_user_nodemask(): any mode flag */
		want = p.mode_flags ? p.user_nodes : p.nodes;
		if ((unsigned int)mode != (p.mode | p.mode_flags) ||
		    mask[0] != want) {
			msg("policy at 0x%llx: real mode 0x%x nodes 0x%lx, "
			    "shadow mode 0x%x nodes 0x%llx\n", reg.start, mode,
			    mask[0], p.mode | p.mode_flags,
			    (unsigned long long)want);
			return -1;
		}
	}
	return 0;
}

/*
 * VmLck of /proc/self/status against the shadow's locked_pages, the
 * [stack] left out of both when the shadow has it locked (the real one
 * grows as the program runs).  real_maps is the last compare_maps()'s.
 * Unless @must, only when the shadow's count is no longer @before:
 * reading the status costs more than the rest of the checks (a change the
 * shadow missed shows at the next call that must check, at the latest at
 * the end of the sequence).
 */
static long shadow_locked(void)
{
	struct vmashadow_stats st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	return sh_ioctl(VMASHADOW_IOC_STATS, &st) ? -1 : (long)st.locked_pages;
}

static int compare_locked(long before, int must)
{
	struct vmashadow_stats st;
	struct vmashadow_region reg;
	long real, shadow;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	if (sh_ioctl(VMASHADOW_IOC_STATS, &st)) {
		msg("STATS failed\n");
		return -1;
	}
	if (!must && (long)st.locked_pages == before)
		return 0;
	real = status_pages("\nVmLck:");
	if (real < 0) {
		msg("no VmLck in /proc/self/status\n");
		return -1;
	}
	shadow = st.locked_pages;
	if (sh_lookup(start_stack, &reg) &&
	    (reg.vm_flags & VMASHADOW_VM_LOCKED)) {
		const char *stk = strstr(real_maps, "[stack]"), *line;

		shadow -= (reg.end - reg.start) / PS;
		if (stk) {
			unsigned long s, e;

			for (line = stk; line > real_maps && line[-1] != '\n';
			     line--)
				;
			s = parse_hex(&line);
			line++;
			e = parse_hex(&line);
			real -= (e - s) / PS;
		}
	}
	if (real != shadow) {
		msg("locked pages but the stack: VmLck %ld, shadow %ld\n",
		    real, shadow);
		return -1;
	}
	return 0;
}

/* A "VmFlags:" mnemonic of /proc/PID/smaps and the shadow's flag. */
struct vmflag {
	char mn[3];
	__u64 flag;
};

/* Does the "VmFlags:" line at @line name @mn? */
static int has_mnemonic(const char *line, const char *mn)
{
	const char *p;

	for (p = line + 8; *p && *p != '\n'; p++)
		if (p[-1] == ' ' && p[0] == mn[0] && p[1] == mn[1] &&
		    (p[2] == ' ' || p[2] == '\n'))
			return 1;
	return 0;
}

/*
 * The "VmFlags:" of every region in /proc/self/smaps must have each of the
 * @n mnemonics of @fl exactly where the shadow's region has its flag (the
 * maps being equal, any address of a region finds it: its last, as the
 * [stack] grows down).
 */
static int compare_vmflags(const struct vmflag *fl, int n)
{
	const char *line = smaps_buf;
	unsigned long start = 0, end = 0;
	int in = 0, i;

	if (read_proc("/proc/self/smaps", smaps_buf, sizeof(smaps_buf)) < 0) {
		msg("read /proc/self/smaps failed\n");
		return -1;
	}
	while (*line) {
		const char *eol = strchr(line, '\n'), *p = line, *q;
		unsigned long s, e;

		s = parse_hex(&p);
		if (p != line && *p == '-') {
			q = ++p;
			e = parse_hex(&p);
			if (p != q && *p == ' ') {
				start = s;
				end = e;
				in = end <= 0x800000000000UL;	/* not [vsyscall] */
			}
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			struct vmashadow_region reg;

			if (!sh_lookup(end - 1, &reg)) {
				msg("smaps has 0x%lx-0x%lx, the shadow nothing there\n",
				    start, end);
				return -1;
			}
			for (i = 0; i < n; i++) {
				int real = has_mnemonic(line, fl[i].mn);

				if (real == !!(reg.vm_flags & fl[i].flag))
					continue;
				msg("0x%lx-0x%lx: VmFlags %s \"%s\", shadow flags 0x%llx\n",
				    start, end, real ? "with" : "without",
				    fl[i].mn, (unsigned long long)reg.vm_flags);
				return -1;
			}
			in = 0;
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return 0;
}

/* "lo": VM_LOCKED, which mlockall() and munlockall() change everywhere */
static int compare_lock_flags(void)
{
	static const struct vmflag lo[] = { { "lo", VMASHADOW_VM_LOCKED } };

	return compare_vmflags(lo, 1);
}

/* "um", "uw": the modes userfaultfd registered, which maps does not show */
static int compare_uffd_flags(void)
{
	static const struct vmflag uffd[] = {
		{ "um", VMASHADOW_VM_UFFD_MISSING },
		{ "uw", VMASHADOW_VM_UFFD_WP },
	};

	return compare_vmflags(uffd, 2);
}

/* A neighbour merged, or refused for a reason (whatever its verdict). */
static void count_side(const struct vmashadow_explain_side *side)
{
	if (side->verdict == VMASHADOW_VERDICT_MERGED)
		sh->why[VMASHADOW_VERDICT_MERGED][0]++;
	else if (side->why && side->why < NWHY)
		sh->why[VMASHADOW_VERDICT_REFUSED][side->why]++;
}

/*
 * Coverage: what EXPLAIN LAST says of the last MAP/PROTECT/REMAP/MADVISE,
 * or (@op not 0) of the last operation if it was @op.
 */
static void count_explain(int kind, unsigned int op)
{
	struct vmashadow_explain e;

	if (!sh->counting)
		return;
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.mode = VMASHADOW_EXPLAIN_LAST;
	if (sh_ioctl(VMASHADOW_IOC_EXPLAIN, &e) || (op && e.op != op))
		return;
	if (e.merge_case < 9)
		sh->mcase[kind][e.merge_case]++;
	count_side(&e.prev);
	count_side(&e.next);
}

static void count_err(int kind, long ret)
{
	long e = ret < 0 ? -ret : 0;

	if (sh->counting && e < NERR)
		sh->err[kind][e]++;
	if (sh->counting && sh->data_mode && e == ENOMEM)
		sh->data_enomem[kind]++;
}

static int fd_of(int sel)
{
	return sel < 0 ? -1 : files[sel];
}

static int in_window(unsigned long a)
{
	return a >= LO && a < HI;
}

/* Undo a placement outside the window on both sides (after comparing). */
static int unmap_outside(unsigned long a, unsigned long len)
{
	struct vmashadow_op op;
	long rr, sr;

	if (in_window(a))
		return 0;
	if (sh->counting)
		sh->moved_out++;
	len = (len + PS - 1) & ~(PS - 1);
	rr = sys_ret(syscall(SYS_munmap, a, len));
	memset(&op, 0, sizeof(op));
	op.addr = a;
	op.len = len;
	op.fd = -1;
	sr = sh_op(VMASHADOW_IOC_UNMAP, &op);
	if (rr || sr) {
		msg("unmapping the placement outside: real %ld shadow %ld\n",
		    rr, sr);
		return -1;
	}
	return compare_maps();
}

static sigjmp_buf bus_jmp;
static volatile int bus_armed;

/* SIGBUS, SIGSEGV: back to guarded_touch() if it expects this one. */
static void on_fault_signal(int sig)
{
	if (bus_armed == sig) {
		bus_armed = 0;
		siglongjmp(bus_jmp, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A write to @addr: 0, or 1 if it raised signal @sig (SIGBUS past a
 * shmem object, SIGSEGV where a stack may not grow); any other signal
 * kills the sequence's process.
 */
static __attribute__((noinline)) int guarded_touch(unsigned long addr, int sig)
{
	if (sigsetjmp(bus_jmp, 1))
		return 1;
	bus_armed = sig;
	*(volatile char *)addr = 1;
	bus_armed = 0;
	return 0;
}

/* The descriptors of userfaultfd contexts 1 and 2 of this process, or -1. */
static int ufd[3] = { -1, -1, -1 };
/* The contexts the sequence has set up, as far as the generator knows. */
static int uffd_opened[3];

/*
 * A K_UFFD record on the real side.  A context not open is descriptor -1:
 * -EBADF, as the shadow says of a number not open.
 */
static long uffd_real(const struct rec *r)
{
	int n = r->off, fd = ufd[n];
	struct uffdio_api api = { .api = UFFD_API, .features = r->prot };
	struct uffdio_register reg = {
		.range = { .start = r->addr, .len = r->len }, .mode = r->prot,
	};
	struct uffdio_range range = { .start = r->addr, .len = r->len };

	switch (r->flags) {
	case U_API:
		if (fd < 0) {
			fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
			if (fd < 0)
				return -errno;
			ufd[n] = fd;
		}
		return sys_ret(ioctl(fd, UFFDIO_API, &api));
	case U_REGISTER:
		return sys_ret(ioctl(fd, UFFDIO_REGISTER, &reg));
	case U_UNREGISTER:
		return sys_ret(ioctl(fd, UFFDIO_UNREGISTER, &range));
	}
	ufd[n] = -1;
	return sys_ret(close(fd));
}

static const unsigned long uffd_cmds[] = {
	VMASHADOW_IOC_UFFD_API, VMASHADOW_IOC_UFFD_REGISTER,
	VMASHADOW_IOC_UFFD_UNREGISTER, VMASHADOW_IOC_UFFD_CLOSE,
};

/*
 * Runs record @i on both sides and compares.  0: equal; 1: the process
 * forked and this is the parent (its part is over); -1: mismatch (message
 * in sh->msg).
 */
static int run_rec(int i)
{
	struct rec *r = &sh->recs[i];
	struct vmashadow_op op;
	long rr = 0, sr = 0;
	unsigned long raddr = 0, saddr = 0;
	char text[256];
	int explain = 0, lockop = 0;
	long locked_before = locks_seen ? shadow_locked() : 0;

	memset(&op, 0, sizeof(op));
	op.fd = -1;
	switch (r->kind) {
	case K_MAP:
		rr = sys_ret(syscall(SYS_mmap, r->addr, r->len, r->prot,
				     r->flags, fd_of(r->fdsel), r->off));
		op.addr = r->addr;
		op.len = r->len;
		op.prot = r->prot;
		op.flags = r->flags;
		op.fd = fd_of(r->fdsel);
		op.offset = r->off;
		sr = sh_op(VMASHADOW_IOC_MAP, &op);
		if (rr >= 0) {
			raddr = rr;
			rr = 0;
		}
		if (!sr)
			saddr = op.result;
		explain = 1;
		break;
	case K_UNMAP:
		rr = sys_ret(syscall(SYS_munmap, r->addr, r->len));
		op.addr = r->addr;
		op.len = r->len;
		sr = sh_op(VMASHADOW_IOC_UNMAP, &op);
		break;
	case K_PROTECT:
		rr = sys_ret(syscall(SYS_mprotect, r->addr, r->len, r->prot));
		op.addr = r->addr;
		op.len = r->len;
		op.prot = r->prot;
		sr = sh_op(VMASHADOW_IOC_PROTECT, &op);
		explain = 1;
		break;
	case K_MBIND:
		rr = sys_ret(syscall(SYS_mbind, r->addr, r->len, r->prot,
				     r->off ? &r->off : NULL, r->naddr,
				     r->flags));
		op.addr = r->addr;
		op.len = r->len;
		op.prot = r->prot;
		op.offset = r->off;
		op.new_len = r->naddr;
		op.flags = r->flags;
		sr = sh_op(VMASHADOW_IOC_MBIND, &op);
		explain = 1;
		break;
	case K_HOME:
		rr = sys_ret(syscall(SYS_set_mempolicy_home_node, r->addr,
				     r->len, r->off, (unsigned long)r->flags));
		op.addr = r->addr;
		op.len = r->len;
		op.offset = r->off;
		op.flags = r->flags;
		sr = sh_op(VMASHADOW_IOC_HOME_NODE, &op);
		explain = 1;
		break;
	case K_UFFD:
		rr = uffd_real(r);
		op.offset = r->off;
		if (r->flags == U_REGISTER || r->flags == U_UNREGISTER) {
			op.addr = r->addr;
			op.len = r->len;
		}
		if (r->flags == U_REGISTER || r->flags == U_API)
			op.flags = r->prot;
		sr = sh_op(uffd_cmds[r->flags], &op);
		explain = r->flags != U_API;
		break;
	case K_TOUCH: {
		struct vmashadow_region reg;

		/*
		 * The shadow equals the real maps here: it says what is safe.
		 * In the hole below a region that grows down, the real write
		 * grows it or is SIGSEGV (the guard gap, a limit, or a stack
		 * that may not be written), and TOUCH must agree.
		 */
		if (!sh_lookup(r->addr, &reg) &&
		    sh_find(VMASHADOW_FIND_VMA, r->addr, &reg) &&
		    (reg.vm_flags & VMASHADOW_VM_GROWSDOWN)) {
			rr = guarded_touch(r->addr, SIGSEGV) ? -EFAULT : 0;
			if (sh->counting)
				rr ? sh->stack_refused++ : sh->stack_grown++;
			memset(&op, 0, sizeof(op));
			op.addr = r->addr;
			sr = sh_op(VMASHADOW_IOC_TOUCH, &op);
			break;
		}
		if (!sh_lookup(r->addr, &reg) ||
		    !(reg.vm_flags & VMASHADOW_VM_WRITE)) {
			if (sh->counting)
				sh->skipped_touch++;
			return 0;
		}
		/*
		 * Shared anonymous memory grown by mremap ends past its
		 * shmem object: SIGBUS, and no fault that changes a region.
		 */
		if (guarded_touch(r->addr, SIGBUS)) {
			if (sh->counting)
				sh->sigbus_touch++;
			return 0;
		}
		memset(&op, 0, sizeof(op));
		op.addr = r->addr;
		sr = sh_op(VMASHADOW_IOC_TOUCH, &op);
		break;
	}
	case K_REMAP:
		rr = sys_ret(syscall(SYS_mremap, r->addr, r->len, r->off,
				     r->flags, r->naddr));
		op.addr = r->addr;
		op.len = r->len;
		op.new_len = r->off;
		op.flags = r->flags;
		op.new_addr = r->naddr;
		sr = sh_op(VMASHADOW_IOC_REMAP, &op);
		if (rr >= 0) {
			raddr = rr;
			rr = 0;
		}
		if (!sr)
			saddr = op.result;
		explain = 1;
		break;
	case K_MADVISE:
		rr = sys_ret(syscall(SYS_madvise, r->addr, r->len, r->flags));
		op.addr = r->addr;
		op.len = r->len;
		op.flags = r->flags;
		sr = sh_op(VMASHADOW_IOC_MADVISE, &op);
		explain = 1;
		break;
	case K_BRK:
		raddr = syscall(SYS_brk, brk0 + r->addr);
		op.addr = brk0 + r->addr;
		op.fd = 0;
		sr = sh_op(VMASHADOW_IOC_BRK, &op);
		saddr = op.result;
		break;
	case K_SEAL:
		rr = sys_ret(syscall(__NR_mseal, r->addr, r->len, r->flags));
		op.addr = r->addr;
		op.len = r->len;
		op.flags = r->flags;
		op.fd = 0;
		sr = sh_op(VMASHADOW_IOC_SEAL, &op);
		break;
	case K_FORK: {
		struct vmashadow_fork f;
		pid_t pid;
		int st = 0;

		memset(&f, 0, sizeof(f));
		f.size = sizeof(f);
		sr = sh_ioctl(VMASHADOW_IOC_FORK, &f);
		if (sr) {
			msg("FORK: %ld\n", sr);
			return -1;
		}
		pid = syscall(SYS_fork);
		if (pid < 0) {
			msg("fork: %d\n", errno);
			return -1;
		}
		if (pid) {
			close(f.fd);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				if (sh->failed_at < 0) {
					sh->failed_at = sh->nrec - 1;
					msg("a forked child died: status 0x%x\n", st);
				}
			}
			return 1;
		}
		close(sfd);
		sfd = f.fd;
		lock_future = 0;	/* mm_init(): def_flags not inherited */
		/* they act on the parent: the child's shadow has them no more */
		for (st = 1; st <= 2; st++) {
			if (ufd[st] >= 0)
				close(ufd[st]);
			ufd[st] = -1;
			uffd_opened[st] = 0;
		}
		break;
	}
	case K_MLOCK:
		if (r->off)
			rr = sys_ret(syscall(__NR_mlock2, r->addr, r->len,
					     r->flags));
		else
			rr = sys_ret(syscall(SYS_mlock, r->addr, r->len));
		op.addr = r->addr;
		op.len = r->len;
		op.flags = r->flags;
		sr = sh_op(VMASHADOW_IOC_MLOCK, &op);
		explain = 1;
		lockop = 1;
		break;
	case K_MUNLOCK:
		rr = sys_ret(syscall(SYS_munlock, r->addr, r->len));
		op.addr = r->addr;
		op.len = r->len;
		sr = sh_op(VMASHADOW_IOC_MUNLOCK, &op);
		explain = 1;
		lockop = 1;
		break;
	case K_MLOCKALL:
		rr = sys_ret(syscall(SYS_mlockall, r->flags));
		op.flags = r->flags;
		sr = sh_op(VMASHADOW_IOC_MLOCKALL, &op);
		if (!rr)
			lock_future = !!(r->flags & MCL_FUTURE);
		lockop = 1;
		break;
	case K_MUNLOCKALL:
		rr = sys_ret(syscall(SYS_munlockall));
		sr = sh_op(VMASHADOW_IOC_MUNLOCKALL, &op);
		lock_future = 0;
		lockop = 1;
		break;
	}
	sh->ops++;
	count_err(r->kind, rr);
	if (rr != sr) {
		rec_str(r, text, sizeof(text));
		msg("%s: real %ld (%s), shadow %ld (%s)\n", text, rr,
		    rr ? strerror(-rr) : "ok", sr, sr ? strerror(-sr) : "ok");
		compare_maps();
		return -1;
	}
	if ((r->kind == K_MAP || r->kind == K_REMAP || r->kind == K_BRK) &&
	    raddr != saddr) {
		rec_str(r, text, sizeof(text));
		msg("%s: real result 0x%lx, shadow 0x%lx\n", text, raddr, saddr);
		compare_maps();
		return -1;
	}
	if (explain && !rr)
		count_explain(r->kind, r->kind == K_MLOCK ? VMASHADOW_OP_MLOCK :
				       r->kind == K_MUNLOCK ?
				       VMASHADOW_OP_MUNLOCK :
				       r->kind == K_MBIND ?
				       VMASHADOW_OP_MBIND :
				       r->kind == K_HOME ?
				       VMASHADOW_OP_HOME_NODE :
				       r->kind == K_UFFD ?
				       VMASHADOW_OP_UFFD_API + r->flags : 0);
	if (compare_maps() ||
	    ((r->kind == K_MBIND || r->kind == K_HOME) && compare_policies()) ||
	    (r->kind == K_UFFD && compare_uffd_flags())) {
		rec_str(r, text, sizeof(text));
		msg("after %s\n", text);
		return -1;
	}
	locks_seen |= lockop || (r->kind == K_MAP && (r->flags & MAP_LOCKED));
	if (locks_seen &&
	    (compare_locked(locked_before, lockop || lock_future ||
			    (r->kind == K_MAP && (r->flags & MAP_LOCKED))) ||
	     ((r->kind == K_MLOCKALL || r->kind == K_MUNLOCKALL) &&
	      compare_lock_flags()))) {
		rec_str(r, text, sizeof(text));
		msg("after %s\n", text);
		return -1;
	}
	if (!rr && (r->kind == K_MAP || r->kind == K_REMAP))
		return unmap_outside(raddr, r->kind == K_MAP ? r->len : r->off);
	return 0;
}

/* ---- generation ---------------------------------------------------------------- */

static unsigned int rand_prot(void)
{
	static const unsigned int p[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ, PROT_NONE, PROT_READ | PROT_WRITE | PROT_EXEC,
		PROT_READ | PROT_EXEC,
	};

	return p[rn(sizeof(p) / sizeof(p[0]))];
}

static unsigned long rand_len(void)
{
	if (chance(70))
		return 1 + rn(4);
	return 1 + rn(12);
}

/* A page in the window where @npg pages fit. */
static unsigned long rand_page(unsigned long npg)
{
	if (npg >= WIN_PAGES)
		return 0;
	return rn(WIN_PAGES - npg + 1);
}

/* The start of an existing region in the window, or a random page. */
static unsigned long region_page(unsigned long *npg)
{
	struct vmashadow_region reg;
	unsigned long pg = rn(WIN_PAGES);

	if (sh_lookup(WPG(pg), &reg) && reg.start >= WIN &&
	    reg.end <= WPG(WIN_PAGES)) {
		if (chance(60)) {
			*npg = (reg.end - reg.start) / PS;
			return (reg.start - WIN) / PS;
		}
		*npg = (reg.end - WPG(pg)) / PS;
		return pg;
	}
	*npg = rand_len();
	if (pg + *npg > WIN_PAGES)
		*npg = WIN_PAGES - pg;
	return pg;
}

static const int advices[] = {
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
	MADV_DONTNEED, MADV_FREE, MADV_DONTFORK, MADV_DOFORK,
	MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
	MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK,
	MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
};

/*
 * mlock and friends: mostly mlock/mlock2/munlock of a region or part of
 * one, now and then mlockall/munlockall.  0 if they are left out.
 */
static int gen_lock(struct rec *r)
{
	static const unsigned int mcl[] = {
		MCL_CURRENT, MCL_CURRENT, MCL_FUTURE, MCL_CURRENT | MCL_FUTURE,
		MCL_CURRENT | MCL_ONFAULT, MCL_FUTURE | MCL_ONFAULT,
		MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT,
		0, MCL_ONFAULT, MCL_CURRENT | 8,	/* -EINVAL */
	};
	unsigned long y = rn(100), z, npg, pg;

	if (y < 82) {
		if (avoid & AV_MLOCK)
			return 0;
		r->kind = y < 46 ? K_MLOCK : K_MUNLOCK;
		pg = region_page(&npg);
		if (chance(30))
			npg = rand_len();
		if (pg + npg > WIN_PAGES)
			npg = WIN_PAGES - pg;
		r->addr = WPG(pg);
		r->len = npg * PS;
		if (r->kind == K_MLOCK) {
			z = rn(100);
			r->off = z >= 40;		/* mlock2() */
			if (z >= 55)
				r->flags = MLOCK_ONFAULT;
			if (z >= 97)
				r->flags |= 2UL << rn(4);
		}
		if (chance(5))
			r->addr += 1 + rn(PS - 1);
		else if (chance(3))
			r->len = 0;
		else if (chance(10))
			r->len -= rn(PS);	/* rounded up */
		return 1;
	}
	if (avoid & AV_MLOCKALL)
		return 0;
	if (y < 92) {
		r->kind = K_MLOCKALL;
		r->flags = mcl[rn(sizeof(mcl) / sizeof(mcl[0]))];
	} else {
		r->kind = K_MUNLOCKALL;
	}
	return 1;
}

/* A draw from mbind()'s own stream. */
static unsigned long pn(unsigned long n)
{
	return splitmix(&pol_state) % n;
}

/* The last two mbind() ranges of the sequence, the newer first. */
static struct rec last_mbind[2];
/*
 * What the last one was: 1 a whole region, 2 a part of the range before
 * it.  The next operation is then likely an mbind() again, the part of
 * the whole one, or the undo of the part, before other operations reshape
 * the region: a split and its undo, the 3-way merge.
 */
static int last_mbind_chain;
/* The last set_mempolicy_home_node() was a part of a region. */
static int last_home_part;

/*
 * Ranges that meet the last ones, for merges: equal policies on both sides
 * are what lets mbind() merge a region with its neighbours, and regions
 * that differ in nothing but their policies are what an earlier mbind()
 * leaves.  @how 0: the last range again with the policy before it (the
 * undo of a split: both neighbours join); 1: a part of the last range
 * (the split); 2: the range between the last two, or else the region just
 * above the last one, with the last policy.
 */
static int gen_mbind_again(struct rec *r, unsigned int how)
{
	const struct rec *a = &last_mbind[1], *b = &last_mbind[0];
	struct vmashadow_region reg;
	unsigned long npg = b->len / PS, o;

	if (!b->kind || b->addr & (PS - 1))
		return 0;
	*r = *b;
	if (how == 0) {
		if (!a->kind)
			return 0;
		r->prot = a->prot;
		r->off = a->off;
		r->naddr = a->naddr;
		return 1;
	}
	if (how == 1) {
		if (npg < 3)
			return 0;
		o = 1 + pn(npg - 2);
		r->addr += o * PS;
		r->len = (1 + pn(npg - o - 1)) * PS;
		r->prot = pn(2) ? MPOL_DEFAULT : MPOL_LOCAL;
		r->off = 0;
		r->naddr = 0;
		return 1;
	}
	if (a->kind && a->addr + a->len < b->addr) {
		r->addr = a->addr + a->len;
		r->len = b->addr - r->addr;
	} else if (a->kind && b->addr + b->len < a->addr) {
		r->addr = b->addr + b->len;
		r->len = a->addr - r->addr;
	} else if (sh_find(VMASHADOW_FIND_VMA, b->addr + b->len, &reg) &&
		   reg.end <= WPG(WIN_PAGES)) {
		r->addr = reg.start;
		r->len = reg.end - reg.start;
	} else {
		return 0;
	}
	return r->len <= WIN_PAGES * PS;
}

/* The region a part was taken from, for the home node of the whole. */
static unsigned long home_whole_addr, home_whole_len;

/*
 * A region of the window, from @addr on (then from the window's start),
 * with a policy that set_mempolicy_home_node() takes: MPOL_BIND or
 * MPOL_PREFERRED_MANY, as the shadow's GET_POLICY says.
 */
static int find_homeable(unsigned long addr, struct vmashadow_region *reg)
{
	struct vmashadow_policy p;
	int pass;

	for (pass = 0; pass < 2; pass++, addr = WIN) {
		while (sh_find(VMASHADOW_FIND_VMA, addr, reg) &&
		       reg->end <= WPG(WIN_PAGES)) {
			addr = reg->end;
			if (reg->start < WIN ||
			    !(reg->state & VMASHADOW_STATE_POLICY))
				continue;
			memset(&p, 0, sizeof(p));
			p.size = sizeof(p);
			p.addr = reg->start;
			if (!sh_ioctl(VMASHADOW_IOC_GET_POLICY, &p) &&
			    (p.mode == MPOL_BIND || p.mode == MPOL_PREFERRED_MANY))
				return 1;
		}
	}
	return 0;
}

/*
 * set_mempolicy_home_node() of node 0: most often over a region whose
 * policy it takes, whole or a part of it (one or two splits, never with a
 * wrong argument), and then at once over the whole again (the parts
 * join); else over a span of pages
 * across regions and holes, where the layout decides among success,
 * -ENOENT (no policy) and -EOPNOTSUPP (another mode first).  Now and then
 * the arguments are wrong (-EINVAL).
 */
static void gen_home(struct rec *r)
{
	unsigned long pg = pn(WIN_PAGES), npg = 1 + pn(12), x = pn(100), o, len;
	struct vmashadow_region reg;

	r->kind = K_HOME;
	if (last_home_part) {
		last_home_part = 0;
		r->addr = home_whole_addr;
		r->len = home_whole_len;
		return;
	}
	if (x < 60 && find_homeable(WPG(pg), &reg)) {
		pg = (reg.start - WIN) / PS;
		npg = (reg.end - reg.start) / PS;
		if (x < 40 && npg > 1) {
			home_whole_addr = reg.start;
			home_whole_len = reg.end - reg.start;
			o = pn(npg);
			len = 1 + pn(npg - o);
			if (!o && len == npg)
				len--;		/* a part, not all of it */
			last_home_part = 1;
			r->addr = WPG(pg + o);
			r->len = len * PS;
			return;
		}
	}
	if (pg + npg > WIN_PAGES)
		npg = WIN_PAGES - pg;
	r->addr = WPG(pg);
	r->len = npg * PS;
	switch (pn(20)) {
	case 0:
		r->off = 1;		/* node 1: not online here */
		break;
	case 1:
		r->flags = 1;
		break;
	case 2:
		r->addr += 1 + pn(PS - 1);
		break;
	case 3:
		r->len = 0;
		break;
	}
}

/*
 * mbind() on node 0, the one node of the test VM: a whole region (so that
 * it may merge with a neighbour of the same policy), part of one (a
 * split), or a span of pages that may cross regions and holes (-EFAULT
 * unless the policy is the default).  The modes come with their mode
 * flags now and then, which make policies differ that place pages alike.
 */
static void gen_mbind(struct rec *r)
{
	static const unsigned int modes[] = {
		MPOL_DEFAULT, MPOL_DEFAULT, MPOL_DEFAULT, MPOL_BIND, MPOL_BIND,
		MPOL_BIND, MPOL_INTERLEAVE, MPOL_PREFERRED, MPOL_LOCAL,
		MPOL_PREFERRED_MANY,
	};
	struct vmashadow_region reg;
	unsigned long pg = pn(WIN_PAGES), npg = 1 + pn(8), x = pn(100);
	int chain = last_mbind_chain;

	if (pn(100) < 25) {
		gen_home(r);
		return;
	}
	last_mbind_chain = 0;
	if (chain == 2 && x < 60 && gen_mbind_again(r, 0))
		goto out;
	if (chain == 1 && x < 60 && gen_mbind_again(r, 1)) {
		last_mbind_chain = 2;
		goto out;
	}
	if (x < 12 && gen_mbind_again(r, 2))
		goto out;
	r->kind = K_MBIND;
	if (x < 70 && sh_find(VMASHADOW_FIND_VMA, WPG(pg), &reg) &&
	    reg.start >= WIN && reg.end <= WPG(WIN_PAGES)) {
		pg = (reg.start - WIN) / PS;
		npg = (reg.end - reg.start) / PS;
		last_mbind_chain = x < 35;
		if (x >= 35 && npg > 1) {
			unsigned long o = pn(npg);

			pg += o;
			npg = 1 + pn(npg - o);
		}
	}
	if (pg + npg > WIN_PAGES)
		npg = WIN_PAGES - pg;
	r->addr = WPG(pg);
	r->len = npg * PS;
	r->prot = modes[pn(sizeof(modes) / sizeof(modes[0]))];
	if (r->prot != MPOL_DEFAULT && r->prot != MPOL_LOCAL) {
		r->off = 1;			/* node 0 */
		r->naddr = 2 + pn(64);
		if (r->prot == MPOL_PREFERRED && !pn(4))
			r->off = 0;		/* MPOL_LOCAL by another name */
		if (!pn(10))
			r->prot |= pn(2) ? MPOL_F_STATIC_NODES :
					   MPOL_F_RELATIVE_NODES;
	}
	if (!pn(8))
		r->flags = MPOL_MF_MOVE;
	/* oddities and errors */
	switch (pn(24)) {
	case 0:
		r->addr += 1 + pn(PS - 1);
		break;
	case 1:
		r->prot = 6 + pn(3);	/* 6.12 knows 6 */
		r->off = 1;
		r->naddr = 2;
		break;
	case 2:
		r->off = 2;		/* node 1: none here */
		r->naddr = 3;
		break;
	case 3:
		r->prot |= MPOL_F_NUMA_BALANCING;
		break;
	case 4:
		r->flags = 0x10 | pn(16);
		break;
	case 5:
		r->len = 0;
		break;
	}
out:
	last_mbind[1] = last_mbind[0];
	last_mbind[0] = *r;
}

/* A draw from userfaultfd's own stream. */
static unsigned long un(unsigned long n)
{
	return splitmix(&uffd_state) % n;
}

/* The last registration, and what comes next: 1 its undo, 2 the region above */
static struct rec last_uffd;
static int uffd_chain;

/* Does [addr, addr + len) meet a private anonymous region of the shadow? */
static int meets_anon(unsigned long addr, unsigned long len)
{
	struct vmashadow_region reg;
	unsigned long a = addr;

	while (a < addr + len && sh_find(VMASHADOW_FIND_VMA, a, &reg) &&
	       reg.start < addr + len) {
		if (reg.kind == VMASHADOW_KIND_ANON)
			return 1;
		a = reg.end;
	}
	return 0;
}

/*
 * A registration's undo (both neighbours join back), or the region just
 * above it registered alike (it joins the last one, when the context is
 * the same: it is drawn anew, so now and then it differs).
 */
static int gen_uffd_again(struct rec *r, int chain)
{
	const struct rec *last = &last_uffd;
	struct vmashadow_region reg;

	if (chain == 1) {
		*r = *last;
		r->flags = U_UNREGISTER;
		return 1;
	}
	if (!sh_find(VMASHADOW_FIND_VMA, last->addr + last->len, &reg) ||
	    reg.start < WIN || reg.end > WPG(WIN_PAGES))
		return 0;
	*r = *last;
	r->addr = reg.start;
	r->len = reg.end - reg.start;
	if (uffd_opened[3 - r->off] && un(100) < 75)
		r->off = 3 - r->off;	/* the context alone keeps them apart */
	return 1;
}

/*
 * userfaultfd: set up a context, register write protection over a region,
 * a part of one or a span of pages (holes allowed), unregister, close.
 * Now and then a mode or a range that is wrong.
 */
static void gen_uffd(struct rec *r)
{
	unsigned long pg = un(WIN_PAGES), npg = 1 + un(8), x = un(100), o;
	struct vmashadow_region reg;
	int chain = uffd_chain;

	uffd_chain = 0;
	if (chain && x < 70 && gen_uffd_again(r, chain))
		return;
	r->kind = K_UFFD;
	r->off = 1 + un(2);
	if (x < 12 || (!uffd_opened[1] && !uffd_opened[2])) {
		r->flags = U_API;
		if (uffd_opened[r->off] && !uffd_opened[3 - r->off] &&
		    un(100) < 85)
			r->off = 3 - r->off;	/* mostly a new one */
		uffd_opened[r->off] = 1;
		return;
	}
	if (!uffd_opened[r->off] && un(100) < 85)
		r->off = 3 - r->off;		/* mostly one that is open */
	if (x < 17) {
		r->flags = U_CLOSE;
		uffd_opened[r->off] = 0;
		return;
	}
	r->flags = x < 75 ? U_REGISTER : U_UNREGISTER;
	x = un(100);
	if (x < 70 && sh_find(VMASHADOW_FIND_VMA, WPG(pg), &reg) &&
	    reg.start >= WIN && reg.end <= WPG(WIN_PAGES)) {
		pg = (reg.start - WIN) / PS;
		npg = (reg.end - reg.start) / PS;
		if (x >= 35 && npg > 1) {
			o = un(npg);
			pg += o;
			npg = 1 + un(npg - o);
		}
	}
	if (pg + npg > WIN_PAGES)
		npg = WIN_PAGES - pg;
	r->addr = WPG(pg);
	r->len = npg * PS;
	if (r->flags == U_REGISTER) {
		r->prot = UFFDIO_REGISTER_MODE_WP;
		last_uffd = *r;
		uffd_chain = 1 + un(2);
		switch (un(20)) {
		case 0:
			r->prot = 0;
			break;
		case 1:
			r->prot = 8;
			break;
		case 2:
			/* never where it could succeed: see the top */
			if (meets_anon(r->addr, r->len))
				r->prot = UFFDIO_REGISTER_MODE_MINOR;
			break;
		}
	}
	switch (un(30)) {
	case 0:
		r->addr += 1 + un(PS - 1);
		break;
	case 1:
		r->len = 0;
		break;
	case 2:
		r->len -= 1 + un(PS - 1);
		break;
	}
}

static void gen(struct rec *r, int forks)
{
	unsigned long x, npg, pg;

	memset(r, 0, sizeof(*r));
	r->fdsel = F_ANON;
	/* a home node for a part is followed at once by one for the whole */
	if (has_mbind && last_home_part) {
		gen_home(r);
		return;
	}
	if (has_mbind && pn(1000) < (last_mbind_chain ? 500 : 50)) {
		gen_mbind(r);
		return;
	}
	if (uffd_seq && un(1000) < (uffd_chain ? 600 : 150)) {
		gen_uffd(r);
		return;
	}
	x = rn(1000);
	if (rn(1000) < 55 && gen_lock(r))
		return;
	if (x < 320) {
		unsigned long y = rn(100);

		r->kind = K_MAP;
		npg = rand_len();
		pg = rand_page(npg);
		r->addr = WPG(pg);
		r->len = npg * PS;
		r->prot = rand_prot();
		if (y < 40) {
			r->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
		} else if (y < 50) {
			r->flags = MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED;
		} else if (y < 75) {
			static const int sel[] = { F_A, F_A, F_A, F_A2, F_ARO, F_B };

			r->fdsel = sel[rn(6)];
			r->flags = (chance(50) ? MAP_SHARED : MAP_PRIVATE) |
				   MAP_FIXED;
			/* an offset that runs on with the window, or not */
			r->off = (chance(65) ? pg + 8 : rn(64)) * PS;
		} else if (y < 85) {
			r->flags = MAP_PRIVATE | MAP_ANONYMOUS |
				   (chance(50) ? MAP_FIXED_NOREPLACE : 0);
		} else if (y < 90) {
			r->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				   MAP_GROWSDOWN;
		} else {
			/* oddities and errors */
			switch (rn(8)) {
			case 0:
				r->len = 0;
				r->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
				break;
			case 1:
				r->addr += 1 + rn(PS - 1);
				r->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
				break;
			case 2:
				r->flags = MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS |
					   MAP_FIXED;
				break;
			case 3:
				r->fdsel = F_ARO;
				r->prot = PROT_READ | PROT_WRITE;
				r->flags = MAP_SHARED | MAP_FIXED;
				r->off = (pg + 8) * PS;
				break;
			case 4:
				r->fdsel = F_A;
				r->flags = MAP_PRIVATE | MAP_FIXED;
				r->off = PS * (pg + 8) + 1 + rn(PS - 1);
				break;
			case 5:
				r->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
					   MAP_STACK;
				break;
			case 6:
				r->flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
					   (avoid & AV_POPULATE ? 0 : MAP_POPULATE);
				break;
			case 7:
				r->flags = MAP_PRIVATE | MAP_ANONYMOUS |
					   MAP_FIXED | MAP_NORESERVE;
				r->len = (1UL << 47);
				break;
			}
		}
		if (chance(6))
			r->flags |= MAP_NORESERVE;
		if (!(avoid & AV_MLOCK) && chance(3))
			r->flags |= MAP_LOCKED;
	} else if (x < 420) {
		r->kind = K_UNMAP;
		pg = region_page(&npg);
		if (chance(40))
			npg = rand_len();
		if (pg + npg > WIN_PAGES)
			npg = WIN_PAGES - pg;
		r->addr = WPG(pg);
		r->len = npg * PS;
		if (chance(4))
			r->addr += 1 + rn(PS - 1);
		else if (chance(3))
			r->len = 0;
		else if (chance(30))
			r->len -= rn(PS);	/* rounded up */
	} else if (x < 580) {
		r->kind = K_PROTECT;
		pg = region_page(&npg);
		if (chance(50)) {
			unsigned long o = rn(npg);

			pg += o;
			npg = 1 + rn(npg - o);
		} else if (chance(30)) {
			npg = rand_len();
		}
		if (pg + npg > WIN_PAGES)
			npg = WIN_PAGES - pg;
		r->addr = WPG(pg);
		r->len = npg * PS;
		r->prot = rand_prot();
		if (chance(3))
			r->prot |= 0x40;
		else if (chance(3))
			r->addr += 1 + rn(PS - 1);
		else if (chance(3))
			r->prot |= PROT_GROWSDOWN;
	} else if (x < 720) {
		struct vmashadow_region reg;

		r->kind = K_TOUCH;
		pg = region_page(&npg);
		r->addr = WPG(pg + rn(npg ? npg : 1)) + rn(PS);
		/*
		 * Now and then just below a region that grows down, drawn from
		 * a stream of its own so that the operations' stream (and with
		 * it the coverage of the rest) stays as it was.
		 */
		if (splitmix(&aim_state) % 100 < 40 &&
		    sh_find(VMASHADOW_FIND_VMA,
			    WPG(splitmix(&aim_state) % WIN_PAGES), &reg) &&
		    (reg.vm_flags & VMASHADOW_VM_GROWSDOWN) &&
		    reg.start > WIN + PS * 4)
			r->addr = reg.start - PS * (1 + splitmix(&aim_state) % 4) +
				  splitmix(&aim_state) % PS;
	} else if (x < 850) {
		unsigned long y = rn(100), dpg;

		r->kind = K_REMAP;
		pg = region_page(&npg);
		if (npg > 1 && chance(40)) {
			unsigned long o = rn(npg);

			pg += o;
			npg = 1 + rn(npg - o);
		}
		r->addr = WPG(pg);
		r->len = npg * PS;
		if (y < 15) {
			/* shrink */
			r->off = npg > 1 ? (1 + rn(npg - 1)) * PS : PS;
		} else if (y < 35) {
			/* grow in place, maybe may move (top-down, outside) */
			r->off = (npg + 1 + rn(4)) * PS;
			if (chance(25))
				r->flags = MREMAP_MAYMOVE;
		} else if (y < 70) {
			/* FIXED to a page of the window */
			unsigned long nl = chance(60) ? npg : 1 + rn(8);

			dpg = rand_page(nl);
			r->off = nl * PS;
			r->flags = MREMAP_MAYMOVE | MREMAP_FIXED;
			r->naddr = WPG(dpg);
		} else if (y < 88) {
			/* DONTUNMAP, fixed or not */
			r->off = r->len;
			r->flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
			if (chance(80)) {
				r->flags |= MREMAP_FIXED;
				r->naddr = WPG(rand_page(npg));
				/* right after the source: 6.1's "self" refusal */
				if (chance(30) && pg + 2 * npg <= WIN_PAGES)
					r->naddr = WPG(pg + npg);
			}
		} else if (y < 93 && !(avoid & AV_DUP)) {
			/* old_len 0: a duplicate of a shared mapping */
			r->len = 0;
			r->off = (1 + rn(4)) * PS;
			r->flags = MREMAP_MAYMOVE | MREMAP_FIXED;
			r->naddr = WPG(rand_page(r->off / PS));
		} else {
			/* errors */
			r->off = r->len;
			switch (rn(6)) {
			case 0:
				r->flags = 8;
				break;
			case 1:
				r->flags = MREMAP_FIXED;
				r->naddr = WPG(rand_page(npg));
				break;
			case 2:
				r->flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
				r->off = r->len + PS;
				break;
			case 3:
				r->addr += 1 + rn(PS - 1);
				break;
			case 4:
				r->off = 0;
				break;
			case 5:
				/* overlapping source and destination */
				r->flags = MREMAP_MAYMOVE | MREMAP_FIXED;
				r->naddr = r->addr;
				break;
			}
		}
	} else if (x < 930) {
		r->kind = K_MADVISE;
		pg = region_page(&npg);
		if (chance(30))
			npg = rand_len();
		if (pg + npg > WIN_PAGES)
			npg = WIN_PAGES - pg;
		r->addr = WPG(pg);
		r->len = npg * PS;
		do {
			r->flags = advices[rn(sizeof(advices) / sizeof(advices[0]))];
		} while ((avoid & AV_PAGEADV) &&
			 (r->flags == MADV_DONTNEED || r->flags == MADV_FREE ||
			  r->flags == MADV_COLD || r->flags == MADV_PAGEOUT ||
			  r->flags == MADV_WILLNEED));
		if (chance(3))
			r->flags = 999;
		else if (chance(3))
			r->addr += 1 + rn(PS - 1);
	} else if (x < 970) {
		r->kind = K_BRK;
		switch (rn(5)) {
		case 0:
			r->addr = 0;
			break;
		case 1:
			r->addr = rn(40) * PS + (chance(30) ? rn(PS) : 0);
			break;
		case 2:
			/* below start_brk: refused, the break stays */
			r->addr = start_brk - PS - brk0;
			break;
		default:
			r->addr = rn(12) * PS;
			break;
		}
	} else if (x < 982) {
		r->kind = K_SEAL;
		pg = region_page(&npg);
		if (pg + npg > WIN_PAGES)
			npg = WIN_PAGES - pg;
		r->addr = WPG(pg);
		r->len = npg * PS;
		if (chance(5))
			r->flags = 1;
		else if (chance(5))
			r->addr += 1 + rn(PS - 1);
	} else {
		if (forks >= MAX_FORKS) {
			gen(r, forks);
			return;
		}
		r->kind = K_FORK;
	}
}

/* ---- one sequence, in a child ---------------------------------------------------- */

/* The sequence's RLIMIT_DATA, from its seed, not the operations' stream. */
static void draw_data_limit(uint64_t seed)
{
	uint64_t h = splitmix(&seed);

	sh->data_mode = h % 8 == 6 ? 1 : h % 8 == 7 ? 2 : 0;
	sh->data_pages = (h >> 8) % 64;
}

/* Puts the child under the sequence's RLIMIT_DATA, before the IMPORT. */
static int set_data_limit(void)
{
	struct rlimit rl;
	long base;

	if (!sh->data_mode)
		return 0;
	base = status_pages("\nVmData:");
	if (base < 0)
		return -1;
	rl.rlim_max = (base + sh->data_pages) * PS;
	rl.rlim_cur = sh->data_mode == 2 ? 0 : rl.rlim_max;
	return setrlimit(RLIMIT_DATA, &rl);
}

/* VmData against the shadow's data_pages. */
static int compare_data(void)
{
	struct vmashadow_stats st;
	long real = status_pages("\nVmData:");

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	if (sh_ioctl(VMASHADOW_IOC_STATS, &st) || real != (long)st.data_pages) {
		msg("VmData %ld pages, shadow %ld\n", real,
		    (long)st.data_pages);
		return -1;
	}
	return 0;
}

/*
 * Sets up the window (guards, nothing in between) and the shadow, then
 * runs: new records from @seed when @replay is 0, else sh->recs[0..nrec).
 * Exit status 0 always (the verdict is in sh).
 */
static void child(uint64_t seed, int replay)
{
	struct vmashadow_import im;
	long r;
	int i, n = replay ? sh->nrec : (int)seq_len, forks = 0;

	msg_len = 0;
	sh->msg[0] = 0;
	rng_state = seed * 0x100000001b3ULL + 12345;
	aim_state = ~rng_state;
	pol_state = rng_state ^ 0x9e3779b97f4a7c15ULL;
	uffd_state = rng_state ^ 0x5851f42d4c957f2dULL;
	uffd_seq = has_uffd && (seed & UFFD_SEED);
	syscall(SYS_munmap, LO, HI - LO);
	if (syscall(SYS_mmap, LO, GUARD_PAGES * PS, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		    -1, 0) == -1 ||
	    syscall(SYS_mmap, WPG(WIN_PAGES), GUARD_PAGES * PS, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		    -1, 0) == -1) {
		msg("guards: %d\n", errno);
		sh->failed_at = 0;
		_exit(0);
	}
	brk0 = syscall(SYS_brk, 0);
	if (set_data_limit()) {
		msg("RLIMIT_DATA: %d\n", errno);
		sh->failed_at = 0;
		_exit(0);
	}
	signal(SIGBUS, on_fault_signal);
	signal(SIGSEGV, on_fault_signal);
	sfd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	if (sfd < 0) {
		msg("open /dev/vmashadow: %d\n", errno);
		sh->failed_at = 0;
		_exit(0);
	}
	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	r = sh_ioctl(VMASHADOW_IOC_IMPORT, &im);
	if (r) {
		msg("IMPORT: %ld\n", r);
		sh->failed_at = 0;
		_exit(0);
	}
	{
		struct vmashadow_params p;

		memset(&p, 0, sizeof(p));
		p.size = sizeof(p);
		if (sh_ioctl(VMASHADOW_IOC_GET_PARAMS, &p) || p.brk != brk0) {
			msg("GET_PARAMS: brk 0x%llx, real 0x%lx\n",
			    (unsigned long long)p.brk, brk0);
			sh->failed_at = 0;
			_exit(0);
		}
		start_brk = p.start_brk;
		start_stack = p.start_stack;
	}
	if (compare_maps()) {
		msg("after the import\n");
		sh->failed_at = 0;
		_exit(0);
	}
	/*
	 * mbind()'s operations come on top of the others, so that a seed
	 * still runs all of the operations it ran before they existed.
	 */
	for (i = 0; i < n && i < MAX_OPS; i++) {
		if (!replay) {
			gen(&sh->recs[i], forks);
			sh->nrec = i + 1;
			if (sh->recs[i].kind == K_MBIND ||
			    sh->recs[i].kind == K_HOME)
				n++;
		}
		if (sh->recs[i].kind == K_FORK)
			forks++;
		r = run_rec(i);
		if (r == 1)
			_exit(0);	/* the child did the rest */
		if (r < 0) {
			sh->failed_at = i;
			_exit(0);
		}
	}
	if ((locks_seen && (compare_locked(0, 1) || compare_lock_flags())) ||
	    compare_data()) {
		msg("at the end of the sequence\n");
		sh->failed_at = i - 1;
		_exit(0);
	}
	sh->done = 1;
	_exit(0);
}

/* Runs one sequence (or a replay of sh->recs) in a child; 1 if it failed. */
static int run_child(uint64_t seed, int replay)
{
	pid_t pid;
	int st;

	sh->failed_at = -1;
	sh->done = 0;
	if (!replay) {
		sh->nrec = 0;
		draw_data_limit(seed);
		if (sh->counting && sh->data_mode)
			sh->data_limited++;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid)
		child(seed, replay);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		if (sh->failed_at < 0)
			sh->failed_at = sh->nrec ? sh->nrec - 1 : 0;
		snprintf(sh->msg + strlen(sh->msg), 200,
			 "the sequence's process died: status 0x%x\n", st);
		return 1;
	}
	return sh->failed_at >= 0;
}

/* ---- minimization ------------------------------------------------------------------ */

static struct rec saved[MAX_OPS], trial[MAX_OPS];

/* Replays @recs[0..n): 1 if it fails. */
static int replay(const struct rec *recs, int n)
{
	memcpy(sh->recs, recs, n * sizeof(*recs));
	sh->nrec = n;
	return run_child(0, 1);
}

static void print_recs(const struct rec *recs, int n)
{
	char t[256];
	int i;

	for (i = 0; i < n; i++) {
		rec_str(&recs[i], t, sizeof(t));
		printf("#   %3d %s\n", i, t);
	}
}

static void print_msg(void)
{
	char *p = sh->msg, *e;

	while (*p) {
		e = strchr(p, '\n');
		if (e)
			*e = 0;
		printf("#     | %s\n", p);
		if (!e)
			break;
		p = e + 1;
	}
}

/*
 * The failing prefix, then without each earlier record while it still
 * fails (and cut at the new first failure).  Prints the result.
 */
static void minimize(uint64_t seed, int budget)
{
	int n = sh->failed_at + 1, i, prefix = n;
	char t[256];

	memcpy(saved, sh->recs, n * sizeof(*saved));
	printf("# seed %llu: mismatch at operation %d of the sequence\n",
	       (unsigned long long)seed, n - 1);
	if (!budget) {
		/* Beyond the first few: the seed and the failing operation. */
		rec_str(&saved[n - 1], t, sizeof(t));
		printf("#   (not reduced: rerun with --seed %llu --seeds 1) %d %s\n",
		       (unsigned long long)seed, n - 1, t);
		return;
	}
	print_msg();
	printf("# seed %llu: the shortest failing prefix (%d operations):\n",
	       (unsigned long long)seed, prefix);
	print_recs(saved, n);
	for (i = n - 2; i >= 0; i--) {
		int j, m = 0;

		for (j = 0; j < n; j++)
			if (j != i)
				trial[m++] = saved[j];
		if (replay(trial, m)) {
			n = sh->failed_at + 1;
			if (n > m)
				n = m;
			memcpy(saved, trial, n * sizeof(*saved));
			if (i > n - 1)
				i = n - 1;
		}
	}
	/* The final run, for its message. */
	if (!replay(saved, n)) {
		printf("# seed %llu: the reduced sequence no longer fails (flaky?)\n",
		       (unsigned long long)seed);
		return;
	}
	n = sh->failed_at + 1;
	printf("# seed %llu: minimized reproducer (%d operations; window page pN = 0x%lx + N*4096, file A = 4096 pages, A' another open of it, Aro read-only, B another file; guards p-%lu..p-1 and p%lu..p%lu PROT_NONE):\n",
	       (unsigned long long)seed, n, WIN, GUARD_PAGES, WIN_PAGES,
	       WIN_PAGES + GUARD_PAGES - 1);
	if (sh->data_mode)
		printf("#   under RLIMIT_DATA: soft %s, hard VmData + %lu pages\n",
		       sh->data_mode == 2 ? "0" : "= hard", sh->data_pages);
	print_recs(saved, n);
	print_msg();
}

/* ---- driver ------------------------------------------------------------------------ */

static int open_files(void)
{
	static const char *const paths[2] = { "/tmp/conform-A", "/tmp/conform-B" };
	char p[64];
	int i;

	for (i = 0; i < 2; i++) {
		int fd;

		snprintf(p, sizeof(p), "%s-%d", paths[i], getpid());
		fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, FILE_PAGES * PS))
			return -1;
		if (i == 0) {
			files[F_A] = fd;
			files[F_A2] = open(p, O_RDWR | O_CLOEXEC);
			files[F_ARO] = open(p, O_RDONLY | O_CLOEXEC);
			if (files[F_A2] < 0 || files[F_ARO] < 0)
				return -1;
		} else {
			files[F_B] = fd;
		}
	}
	return 0;
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case EAGAIN: return "EAGAIN";
	case EBADF: return "EBADF";
	case ENODEV: return "ENODEV";
	case EOVERFLOW: return "EOVERFLOW";
	case ETXTBSY: return "ETXTBSY";
	case ENOENT: return "ENOENT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EBUSY: return "EBUSY";
	}
	return NULL;
}

static const char *const whyname[NWHY] = {
	"none", "special", "flags", "file", "close_op", "pgoff", "anon_vma",
	"anon_forked", "anon_unfaulted", "not_tried", "prev_next", "self",
	"policy", "uffd",
};

/*
 * What a make check run must reach: errnos per operation, vma_merge's
 * cases, refusal reasons.  A refusal that needs what this tester cannot
 * make (VM_IO and friends, a vm_ops->close) is not required.
 */
struct need { int kind; int err; };

static int coverage(int strict)
{
	static const struct need errs[] = {
		{ K_MAP, 0 }, { K_MAP, EINVAL }, { K_MAP, EEXIST },
		{ K_MAP, EACCES }, { K_MAP, ENOMEM },
		{ K_UNMAP, 0 }, { K_UNMAP, EINVAL },
		{ K_PROTECT, 0 }, { K_PROTECT, EINVAL }, { K_PROTECT, ENOMEM },
		{ K_PROTECT, EACCES },
		{ K_TOUCH, 0 },
		{ K_REMAP, 0 }, { K_REMAP, EINVAL }, { K_REMAP, ENOMEM },
		{ K_REMAP, EFAULT },
		{ K_MADVISE, 0 }, { K_MADVISE, EINVAL }, { K_MADVISE, ENOMEM },
		{ K_BRK, 0 }, { K_FORK, 0 },
	};
	static const struct need errs_lock[] = {
		{ K_MLOCK, 0 }, { K_MLOCK, ENOMEM }, { K_MLOCK, EINVAL },
		{ K_MUNLOCK, 0 }, { K_MUNLOCK, ENOMEM },
	}, errs_lockall[] = {
		{ K_MLOCKALL, 0 }, { K_MLOCKALL, EINVAL }, { K_MUNLOCKALL, 0 },
	};
	static const struct need errs_seal[] = {
		{ K_SEAL, 0 }, { K_SEAL, EINVAL }, { K_SEAL, ENOMEM },
		{ K_UNMAP, EPERM }, { K_PROTECT, EPERM }, { K_REMAP, EPERM },
		{ K_MAP, EPERM }, { K_MADVISE, EPERM },
	};
	static const struct need errs_mbind[] = {
		{ K_MBIND, 0 }, { K_MBIND, EINVAL }, { K_MBIND, EFAULT },
		{ K_HOME, 0 }, { K_HOME, EINVAL }, { K_HOME, ENOENT },
		{ K_HOME, EOPNOTSUPP },
	};
	static const struct need errs_uffd[] = {
		{ K_UFFD, 0 }, { K_UFFD, EINVAL }, { K_UFFD, EBADF },
		{ K_UFFD, EBUSY },
	};
	static const int data_kinds[] = { K_MAP, K_PROTECT, K_REMAP };
	static const int whys[] = {
		VMASHADOW_WHY_FLAGS, VMASHADOW_WHY_FILE, VMASHADOW_WHY_PGOFF,
		VMASHADOW_WHY_ANON_VMA, VMASHADOW_WHY_ANON_FORKED,
		VMASHADOW_WHY_ANON_UNFAULTED,
	};
	unsigned long tot;
	int k, e, c, missing = 0;
	unsigned int i;
	char line[1024];
	size_t l;

	printf("# coverage: errno per operation\n");
	for (k = 0; k < K_NR; k++) {
		l = snprintf(line, sizeof(line), "#   %-8s", kname[k]);
		for (e = 0; e < NERR; e++) {
			if (!sh->err[k][e])
				continue;
			if (errname(e))
				l += snprintf(line + l, sizeof(line) - l, " %s=%lu",
					      errname(e), sh->err[k][e]);
			else
				l += snprintf(line + l, sizeof(line) - l, " %d=%lu",
					      e, sh->err[k][e]);
		}
		printf("%s\n", line);
	}
	printf("# coverage: vma_merge case (EXPLAIN LAST; 0 = no merge) per operation\n");
	for (k = 0; k < K_NR; k++) {
		for (c = 0, tot = 0; c < 9; c++)
			tot += sh->mcase[k][c];
		if (!tot)
			continue;
		l = snprintf(line, sizeof(line), "#   %-8s", kname[k]);
		for (c = 0; c < 9; c++)
			l += snprintf(line + l, sizeof(line) - l, " %d=%lu", c,
				      sh->mcase[k][c]);
		printf("%s\n", line);
	}
	printf("# coverage: neighbour verdicts (merged / refused by reason)\n");
	printf("#   merged=%lu\n", sh->why[VMASHADOW_VERDICT_MERGED][0]);
	l = snprintf(line, sizeof(line), "#   refused:");
	for (i = 0; i < NWHY; i++)
		l += snprintf(line + l, sizeof(line) - l, " %s=%lu", whyname[i],
			      sh->why[VMASHADOW_VERDICT_REFUSED][i]);
	printf("%s\n", line);
	printf("#   placements outside the window: %lu, touches skipped (not writable): %lu, (SIGBUS past a shmem object): %lu\n",
	       sh->moved_out, sh->skipped_touch, sh->sigbus_touch);
	printf("#   touches below a region that grows down: grown %lu, refused (SIGSEGV) %lu\n",
	       sh->stack_grown, sh->stack_refused);
	if (!sh->stack_grown || !sh->stack_refused) {
		printf("# coverage: never reached: a stack %s by a touch\n",
		       sh->stack_grown ? "refused" : "grown");
		missing++;
	}
	printf("#   under RLIMIT_DATA: %lu sequences; ENOMEM from map %lu, protect %lu, remap %lu\n",
	       sh->data_limited, sh->data_enomem[K_MAP],
	       sh->data_enomem[K_PROTECT], sh->data_enomem[K_REMAP]);
	for (i = 0; i < sizeof(data_kinds) / sizeof(data_kinds[0]); i++)
		if (!sh->data_enomem[data_kinds[i]]) {
			printf("# coverage: never reached: %s ENOMEM under RLIMIT_DATA\n",
			       kname[data_kinds[i]]);
			missing++;
		}

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (!sh->err[errs[i].kind][errs[i].err]) {
			printf("# coverage: never reached: %s %s\n",
			       kname[errs[i].kind], errname(errs[i].err));
			missing++;
		}
	for (i = 0; i < sizeof(errs_lock) / sizeof(errs_lock[0]); i++)
		if (!(avoid & AV_MLOCK) &&
		    !sh->err[errs_lock[i].kind][errs_lock[i].err]) {
			printf("# coverage: never reached: %s %s\n",
			       kname[errs_lock[i].kind],
			       errname(errs_lock[i].err));
			missing++;
		}
	for (i = 0; i < sizeof(errs_lockall) / sizeof(errs_lockall[0]); i++)
		if (!(avoid & AV_MLOCKALL) &&
		    !sh->err[errs_lockall[i].kind][errs_lockall[i].err]) {
			printf("# coverage: never reached: %s %s\n",
			       kname[errs_lockall[i].kind],
			       errname(errs_lockall[i].err));
			missing++;
		}
	if (has_seal) {
		for (i = 0; i < sizeof(errs_seal) / sizeof(errs_seal[0]); i++)
			if (!sh->err[errs_seal[i].kind][errs_seal[i].err]) {
				printf("# coverage: never reached: %s %s\n",
				       kname[errs_seal[i].kind],
				       errname(errs_seal[i].err));
				missing++;
			}
	} else if (!sh->err[K_SEAL][ENOSYS]) {
		printf("# coverage: never reached: seal ENOSYS\n");
		missing++;
	}
	/* vma_merge's eight cases, counted over every operation */
	for (c = 1; c < 9; c++) {
		for (k = 0, tot = 0; k < K_NR; k++)
			tot += sh->mcase[k][c];
		if (!tot) {
			printf("# coverage: never reached: merge case %d\n", c);
			missing++;
		}
	}
	if (!sh->why[VMASHADOW_VERDICT_MERGED][0]) {
		printf("# coverage: never reached: a merged neighbour\n");
		missing++;
	}
	for (i = 0; i < sizeof(whys) / sizeof(whys[0]); i++)
		if (!sh->why[VMASHADOW_VERDICT_REFUSED][whys[i]]) {
			printf("# coverage: never reached: refusal %s\n",
			       whyname[whys[i]]);
			missing++;
		}
	for (i = 0; has_mbind && i < sizeof(errs_mbind) / sizeof(errs_mbind[0]); i++)
		if (!sh->err[errs_mbind[i].kind][errs_mbind[i].err]) {
			printf("# coverage: never reached: %s %s\n",
			       kname[errs_mbind[i].kind],
			       errname(errs_mbind[i].err));
			missing++;
		}
	if (has_mbind && !sh->why[VMASHADOW_VERDICT_REFUSED][VMASHADOW_WHY_POLICY]) {
		printf("# coverage: never reached: refusal policy\n");
		missing++;
	}
	if (has_mbind && !sh->mcase[K_MBIND][6]) {
		printf("# coverage: never reached: mbind merging both neighbours\n");
		missing++;
	}
	for (c = 1; c < 9 && !sh->mcase[K_HOME][c]; c++)
		;
	if (has_mbind && c == 9) {
		printf("# coverage: never reached: a merge by home_node\n");
		missing++;
	}
	for (i = 0; has_uffd && i < sizeof(errs_uffd) / sizeof(errs_uffd[0]); i++)
		if (!sh->err[errs_uffd[i].kind][errs_uffd[i].err]) {
			printf("# coverage: never reached: %s %s\n",
			       kname[errs_uffd[i].kind],
			       errname(errs_uffd[i].err));
			missing++;
		}
	for (c = 1; c < 9 && !sh->mcase[K_UFFD][c]; c++)
		;
	if (has_uffd && c == 9) {
		printf("# coverage: never reached: a merge by userfaultfd\n");
		missing++;
	}
	if (has_uffd && !sh->why[VMASHADOW_VERDICT_REFUSED][VMASHADOW_WHY_UFFD]) {
		printf("# coverage: never reached: refusal uffd\n");
		missing++;
	}
	if (kernel == 61 && !sh->why[VMASHADOW_VERDICT_REFUSED][VMASHADOW_WHY_SELF]) {
		printf("# coverage: never reached: refusal self (6.1)\n");
		missing++;
	}
	return strict ? missing : 0;
}

static int is_debug_kernel(void)
{
	return access("/sys/kernel/debug/kmemleak", F_OK) == 0;
}

int main(int argc, char **argv)
{
#ifndef CONFORM_SEEDS
#define CONFORM_SEEDS	300	/* build-time defaults, for a VM run of chosen seeds */
#endif
#ifndef CONFORM_SEED
#define CONFORM_SEED	1
#endif
	unsigned long seeds = CONFORM_SEEDS, seconds = 0, seqs = 0, mism = 0, minimized = 0;
	uint64_t seed = CONFORM_SEED, s, k;
	int seed_given = 0, seeds_given = CONFORM_SEEDS != 300, strict = 1, i, missing;
	struct utsname u;
	const char *env = getenv("VMS_SOAK_SECONDS");
	char lane[128];
	time_t t0 = time(NULL);

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
			seeds = strtoul(argv[++i], NULL, 0);
			seeds_given = 1;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
			seed_given = 1;
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--len") && i + 1 < argc) {
			seq_len = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--avoid") && i + 1 < argc) {
			avoid = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--no-cover")) {
			strict = 0;
		} else if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else {
			fprintf(stderr, "usage: %s [--seeds N] [--seed S] [--len L] [--seconds N] [--no-cover] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	if (!seconds && env)
		seconds = strtoul(env, NULL, 0);
	if (!seconds) {
		FILE *f = fopen("/tmp/vms-soak-seconds", "r");

		if (f) {
			if (fscanf(f, "%lu", &seconds) != 1)
				seconds = 0;
			fclose(f);
		}
	}
	if (seq_len > MAX_OPS)
		seq_len = MAX_OPS;
	if (seconds && !seed_given)
		seed = (uint64_t)time(NULL) * 1000003ULL + getpid();
	if (!seconds && !seeds_given && is_debug_kernel()) {
		seeds = 12;
		strict = 0;
	}

	uname(&u);
	kernel = !strncmp(u.release, "6.12", 4) ? 612 :
		 !strncmp(u.release, "6.1.", 4) || !strncmp(u.release, "6.1-", 4) ? 61 : 0;
	has_seal = kernel == 612;
	/* a length of 0 succeeds wherever the call exists */
	has_mbind = syscall(SYS_mbind, 0, 0, MPOL_DEFAULT, NULL, 0, 0) == 0;
	i = syscall(SYS_userfaultfd, O_CLOEXEC);
	has_uffd = i >= 0;
	if (has_uffd)
		close(i);
	snprintf(lane, sizeof(lane), "%s%s",
		 kernel == 612 ? "6.12" : kernel == 61 ? "6.1" : u.release,
		 is_debug_kernel() ? "-debug" : "");

	printf("TAP version 13\n1..2\n");
	printf("# conform: kernel %s, %s, first seed %llu, %lu operations per sequence, pid %d\n",
	       u.release, seconds ? "soak" : "check", (unsigned long long)seed,
	       seq_len, getpid());
	if (avoid)
		printf("# conform: leaving out 0x%x (--avoid)\n", avoid);
	if (seconds)
		printf("# soak for %lu seconds\n", seconds);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || open_files()) {
		printf("not ok 1 conform setup: %s\n# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n",
		       strerror(errno));
		return 1;
	}
	if (access("/dev/vmashadow", R_OK | W_OK)) {
		printf("ok 1 # SKIP /dev/vmashadow: %s\nok 2 # SKIP\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:2 error:0\n",
		       strerror(errno));
		return 4;
	}

	for (k = 0;; k++) {
		if (seconds ? (unsigned long)(time(NULL) - t0) >= seconds :
			      seqs >= seeds + (has_uffd ? seeds / 4 : 0))
			break;
		if (seconds)
			s = seed + k + (k % 4 == 3 && has_uffd ? UFFD_SEED : 0);
		else if (k < seeds)
			s = seed + k;
		else
			s = (seed + k - seeds) | UFFD_SEED;
		sh->counting = 1;
		if (run_child(s, 0)) {
			unsigned long before = sh->ops;

			sh->counting = 0;
			mism++;
			/* Reduce the first few fully; the rest: seed and prefix. */
			minimize(s, minimized++ < 8);
			sh->ops = before;
		} else if (!sh->done) {
			mism++;
			printf("# seed %llu: the sequence did not finish\n",
			       (unsigned long long)s);
		}
		seqs++;
		if (verbose)
			printf("# seed %llu: %lu ops so far\n", (unsigned long long)s,
			       sh->ops);
	}
	sh->counting = 0;

	printf("# conform: %lu sequences in %lds\n", seqs, (long)(time(NULL) - t0));
	missing = coverage(strict && !seconds);
	printf("# conformance %s: %lu sequences, %lu operations, %lu mismatches\n",
	       lane, seqs, sh->ops, mism);
	printf("%s 1 conform.sequences\n", mism ? "not ok" : "ok");
	printf("%s 2 conform.coverage%s\n", missing ? "not ok" : "ok",
	       missing ? " (cases never reached, see above)" : "");
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       !mism + !missing, !!mism + !!missing);
	for (i = 0; i < 2; i++) {
		char p[64];

		snprintf(p, sizeof(p), "/tmp/conform-%c-%d", 'A' + i, getpid());
		unlink(p);
	}
	return mism || missing ? 1 : 0;
}
