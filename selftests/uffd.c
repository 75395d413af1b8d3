// SPDX-License-Identifier: GPL-2.0
/*
 * uffd: userfaultfd(2) against fs/userfaultfd.c of 6.1 and
 * mm/userfaultfd.c of 6.12, as the regions see it.
 *
 * UFFDIO_REGISTER and UFFDIO_UNREGISTER split and merge like mprotect,
 * with the modes as flags (VM_UFFD_MISSING, _WP, _MINOR) and the context
 * as hidden state a merge compares; the last close of the descriptor
 * unregisters the context everywhere; fork and mremap drop or keep the
 * registrations by the context's features (EVENT_FORK, EVENT_REMAP).
 * Where the two kernels differ (a range with no region above it, the page
 * offset 6.1 asks a tail merge with, WP_ASYNC, VM_SPECIAL), each kernel's
 * own result is expected.
 *
 * Every call is made for real, on a userfaultfd of this process, and on
 * the shadow as VMASHADOW_IOC_UFFD_*, the shadow's context number n
 * standing for the real descriptor real_uffd[n]: both must give the same
 * errno and the same maps.  The modes are invisible in maps: the real side
 * is read from the "VmFlags:" of /proc/self/smaps (um, uw, ui), and the
 * context from an IMPORT of the real range into a scratch descriptor
 * (which regions share one; the numbers are each shadow's own).  The
 * expected modes are written "-" (none) or "m", "w", "i" and their
 * combinations, region by region; the contexts one letter a region, "-"
 * none, "A" the first met, "B" the second...
 *
 * One mapping of numbers to the real world is not one to one: a
 * userfaultfd before UFFDIO_API refuses everything but the handshake with
 * -EINVAL, while the shadow has no such state (UFFD_API is userfaultfd()
 * and UFFDIO_API in one): a number never opened is -EBADF there, as a
 * closed descriptor is for real.
 *
 * A page registered for missing faults must never be touched: nothing
 * here reads the uffd for faults, and the fault would wait forever.  The
 * heap is registered for write protection only, which without
 * UFFD_FEATURE_WP_UNPOPULATED traps nothing.  With EVENT_FORK or
 * EVENT_REMAP, fork() and mremap() wait until the event is read: a reader
 * thread reads it.
 *
 * Nothing between a real call and the reading of the maps may allocate:
 * no stdio, no malloc.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <linux/mempolicy.h>
#include <linux/userfaultfd.h>

#include "vms_test.h"

#ifndef __NR_userfaultfd
#define __NR_userfaultfd	323
#endif
#ifndef __NR_mseal
#define __NR_mseal		462
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY	1
#endif
#ifndef UFFDIO_REGISTER_MODE_MINOR
#define UFFDIO_REGISTER_MODE_MINOR	((__u64)1 << 2)
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		0x01
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE		0x08
#endif
#ifndef CAP_SYS_PTRACE
#define CAP_SYS_PTRACE		19
#endif

#define N	PROT_NONE
#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)

/* UFFDIO_REGISTER's modes */
#define UM	UFFDIO_REGISTER_MODE_MISSING
#define UW	UFFDIO_REGISTER_MODE_WP
#define UI	UFFDIO_REGISTER_MODE_MINOR

/* UFFDIO_API's features (6.12's numbers for the ones 6.1 lacks) */
#define F_FORK		UFFD_FEATURE_EVENT_FORK
#define F_REMAP		UFFD_FEATURE_EVENT_REMAP
#define F_WP_UNPOPULATED	0x2000U
#define F_WP_ASYNC	0x8000U
#define F_MOVE		0x10000U
#define F_ALL_6_1	0x1fffU
#define F_ALL_6_12	0x1ffffU

#define FIXED		(MREMAP_MAYMOVE | MREMAP_FIXED)
#define DONTUNMAP	(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)

#define UFFD_BITS	(VMASHADOW_VM_UFFD_MISSING | VMASHADOW_VM_UFFD_WP | \
			 VMASHADOW_VM_UFFD_MINOR)

/* ---- the real side --------------------------------------------------------- */

/* The real userfaultfd standing for the shadow's context n; -1: none. */
static int real_uffd[VMASHADOW_UFFD_MAX + 2];

static long real_uffd_new(int n, int flags)
{
	int fd = syscall(__NR_userfaultfd, flags);

	if (fd < 0)
		return -errno;
	real_uffd[n] = fd;
	return 0;
}

/* userfaultfd() unless n has one already (a second handshake), then API. */
static long real_api(int n, __u64 features)
{
	struct uffdio_api api;
	long ret;

	if (real_uffd[n] < 0) {
		ret = real_uffd_new(n, O_CLOEXEC | O_NONBLOCK);
		if (ret)
			return ret;
	}
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	api.features = features;
	return ioctl(real_uffd[n], UFFDIO_API, &api) ? -errno : 0;
}

static long real_register(int n, unsigned long addr, unsigned long len,
			  __u64 mode)
{
	struct uffdio_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.range.start = addr;
	reg.range.len = len;
	reg.mode = mode;
	return ioctl(real_uffd[n], UFFDIO_REGISTER, &reg) ? -errno : 0;
}

static long real_unregister(int n, unsigned long addr, unsigned long len)
{
	struct uffdio_range range;

	range.start = addr;
	range.len = len;
	return ioctl(real_uffd[n], UFFDIO_UNREGISTER, &range) ? -errno : 0;
}

/* The last close: afterwards n has no descriptor (calls on it: -EBADF). */
static long real_close(int n)
{
	int fd = real_uffd[n];

	real_uffd[n] = -1;
	return close(fd) ? -errno : 0;
}

/* ---- the shadow's side ------------------------------------------------------ */

/* The last UFFD_* operation done on the shadow, with its out fields. */
static struct vmashadow_op last;

static long shadow_uffd(unsigned long cmd, int n, unsigned long addr,
			unsigned long len, __u32 flags, __u32 op_flags)
{
	return vms_op(vms_fd, cmd,
		      vms_op_init(&last, addr, len, n, flags, op_flags));
}

static struct vms_res both_api(int n, __u32 features)
{
	struct vms_res r = { 0 };

	r.real = real_api(n, features);
	r.shadow = shadow_uffd(VMASHADOW_IOC_UFFD_API, n, 0, 0, features, 0);
	return r;
}

static struct vms_res both_register(int n, unsigned long addr,
				    unsigned long len, __u32 mode)
{
	struct vms_res r = { 0 };

	r.real = real_register(n, addr, len, mode);
	r.shadow = shadow_uffd(VMASHADOW_IOC_UFFD_REGISTER, n, addr, len,
			       mode, 0);
	return r;
}

static struct vms_res both_unregister(int n, unsigned long addr,
				      unsigned long len)
{
	struct vms_res r = { 0 };

	r.real = real_unregister(n, addr, len);
	r.shadow = shadow_uffd(VMASHADOW_IOC_UFFD_UNREGISTER, n, addr, len,
			       0, 0);
	return r;
}

static struct vms_res both_close(int n)
{
	struct vms_res r = { 0 };

	r.real = real_close(n);
	r.shadow = shadow_uffd(VMASHADOW_IOC_UFFD_CLOSE, n, 0, 0, 0, 0);
	return r;
}

#define API(expect, n, features)					\
	VMS_CHECK_RES(expect, both_api(n, features))
#define REG(expect, n, pg, npg, mode)					\
	VMS_CHECK_RES(expect, both_register(n, PG(pg), PGS(npg), mode))
#define UNREG(expect, n, pg, npg)					\
	VMS_CHECK_RES(expect, both_unregister(n, PG(pg), PGS(npg)))
#define UCLOSE(n)	VMS_CHECK_RES(0, both_close(n))

/* The out fields of the last UFFD_* call: regions after it, merges, splits. */
#define CHECK_COUNTS(count, m, s)	VMS_CHECK_COUNTS(last, count, m, s)

/* ---- what the real kernel says ----------------------------------------------- */

/* "m", "w", "i" of the uffd flags, "-" for none, and a space before. */
static size_t modes_token(char *out, size_t size, int m, int w, int i)
{
	size_t n = 0;

	if (size < 6)
		return 0;
	out[n++] = ' ';
	if (m)
		out[n++] = 'm';
	if (w)
		out[n++] = 'w';
	if (i)
		out[n++] = 'i';
	if (n == 1)
		out[n++] = '-';
	out[n] = '\0';
	return n;
}

static char real_uf[4096], shadow_uf[4096];
static char real_ctx[512], shadow_ctx[512];

/*
 * The uffd modes of every real VMA starting in [lo, hi), from smaps'
 * VmFlags, into real_uf.  A VMA without a VmFlags line gives "?".
 */
static long real_modes(unsigned long lo, unsigned long hi)
{
	const char *line = vms_smaps;
	size_t n = 0;
	int in = 0, open_vma = 0;
	long ret = vms_read_smaps();

	if (ret < 0)
		return ret;
	real_uf[0] = '\0';
	while (*line && n + 8 < sizeof(real_uf)) {
		const char *eol = strchr(line, '\n');
		const char *p = line, *q;
		unsigned long s;

		s = vms_hex(&p);
		q = p;
		if (p != line && *p == '-' && (q++, vms_hex(&q), *q == ' ')) {
			if (open_vma && in)
				n += snprintf(real_uf + n, sizeof(real_uf) - n,
					      " ?");
			in = s >= lo && s < hi;
			open_vma = 1;
		} else if (!strncmp(line, "VmFlags:", 8)) {
			const char *f = line + 8;

			if (in && open_vma)
				n += modes_token(real_uf + n,
						 sizeof(real_uf) - n,
						 vms_vmflags_has(f, "um"),
						 vms_vmflags_has(f, "uw"),
						 vms_vmflags_has(f, "ui"));
			open_vma = 0;
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	if (open_vma && in)
		n += snprintf(real_uf + n, sizeof(real_uf) - n, " ?");
	return 0;
}

/* The shadow's modes of the regions starting in [lo, hi), as real_modes(). */
static void shadow_modes(const struct vmashadow_region *r, long nr,
			 unsigned long lo, unsigned long hi, char *out,
			 size_t size)
{
	size_t n = 0;
	long k;

	out[0] = '\0';
	for (k = 0; k < nr && n + 8 < size; k++) {
		if (r[k].start < lo || r[k].start >= hi)
			continue;
		n += modes_token(out + n, size - n,
				 !!(r[k].vm_flags & VMASHADOW_VM_UFFD_MISSING),
				 !!(r[k].vm_flags & VMASHADOW_VM_UFFD_WP),
				 !!(r[k].vm_flags & VMASHADOW_VM_UFFD_MINOR));
	}
}

/*
 * Which regions starting in [lo, hi) share a context: "-" none, "A" the
 * first context met, "B" the second...
 */
static void ctx_groups(const struct vmashadow_region *r, long nr,
		       unsigned long lo, unsigned long hi, char *out,
		       size_t size)
{
	unsigned int seen[VMASHADOW_UFFD_MAX + 1];
	unsigned int nseen = 0, c, j;
	size_t n = 0;
	long k;

	for (k = 0; k < nr && n + 1 < size; k++) {
		if (r[k].start < lo || r[k].start >= hi)
			continue;
		c = VMS_UFFD_CTX(r[k]);
		if (!c) {
			out[n++] = '-';
			continue;
		}
		for (j = 0; j < nseen && seen[j] != c; j++)
			;
		if (j == nseen && nseen <= VMASHADOW_UFFD_MAX)
			seen[nseen++] = c;
		out[n++] = 'A' + j;
	}
	out[n] = '\0';
}

/*
 * Everything about the regions meeting [lo, hi), the shadow's against an
 * IMPORT of the real range: the uffd modes (smaps), the contexts (which
 * regions share one), and the hidden state (vm_flags, page offsets,
 * backing, anon_vmas; the context bits of ->state compared as groups).
 * The [stack] (the region holding @stack, 0: none) may have grown: its
 * bounds are left out.  NULL if equal, else what differs; the strings
 * real_uf, shadow_uf, real_ctx and shadow_ctx are left for the caller.
 */
static const char *uffd_diff(unsigned long lo, unsigned long hi,
			     unsigned long stack)
{
	const char *d;

	if (real_modes(lo, hi))
		return "read /proc/self/smaps";
	d = vms_state_take(lo, hi);
	if (d)
		return d;
	if (vms_nreg_s < 0)
		return "FIND";
	shadow_modes(vms_reg_s, vms_nreg_s, lo, hi, shadow_uf,
		     sizeof(shadow_uf));
	ctx_groups(vms_reg_r, vms_nreg_r, lo, hi, real_ctx, sizeof(real_ctx));
	ctx_groups(vms_reg_s, vms_nreg_s, lo, hi, shadow_ctx,
		   sizeof(shadow_ctx));
	return vms_state_cmp(stack, VMS_STATE_UFFD);
}

/*
 * The modes and contexts of the regions starting in [lo, hi): the real
 * ones are @uf and @ctxs (NULL: not checked), the shadow's the same, and
 * the hidden state equal.
 */
#define CHECK_UFFD_RANGE(lo, hi, stack, uf, ctxs) do {			\
	const char *__d = uffd_diff(lo, hi, stack);			\
	const char *__uf = (uf), *__cx = (ctxs);			\
	if (__uf)							\
		EXPECT_STREQ(__uf, real_uf + (real_uf[0] == ' '))	\
			TH_LOG("real uffd modes (smaps) of %s",		\
			       vms_real_layout);			\
	ASSERT_STREQ(real_uf, shadow_uf)				\
		TH_LOG("uffd modes of %s: real%s, shadow%s",		\
		       vms_real_layout, real_uf, shadow_uf);		\
	if (__cx)							\
		EXPECT_STREQ(__cx, real_ctx)				\
			TH_LOG("real contexts of %s", vms_real_layout);	\
	ASSERT_STREQ(real_ctx, shadow_ctx)				\
		TH_LOG("contexts of %s: real %s, shadow %s",		\
		       vms_real_layout, real_ctx, shadow_ctx);		\
	ASSERT_EQ(NULL, __d) TH_LOG("%s", __d);				\
} while (0)

/*
 * The window holds @layout on both sides, with the uffd modes @uf and the
 * contexts @ctxs, real and shadow alike.
 */
#define CHECK(layout, uf, ctxs) do {					\
	CHECK_LAYOUT(layout);						\
	CHECK_UFFD_RANGE(VMS_WIN, PG(VMS_WIN_PAGES), 0, uf, ctxs);	\
} while (0)

/*
 * The regions meeting at page @pg stay apart for their userfaultfd
 * state: EXPLAIN_AT names different contexts, or the flags (the modes)
 * when only one side is registered; @modes are the VMASHADOW_VM_UFFD_*
 * that differ (0: do not check).
 */
#define CHECK_WHY_AT(pg, modes) do {					\
	struct vmashadow_explain __e;					\
	const struct vmashadow_explain_side *__s;			\
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_AT, PG(pg), &__e)); \
	__s = __e.prev.verdict == VMASHADOW_VERDICT_REFUSED ?		\
	      &__e.prev : &__e.next;					\
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, __s->verdict);		\
	EXPECT_EQ(PG(pg), __e.prev.end);				\
	EXPECT_EQ(PG(pg), __e.next.start);				\
	CHECK_WHY_SIDE(__s, pg, modes);					\
} while (0)

#define CHECK_WHY_SIDE(s, pg, modes) do {				\
	if ((modes) && (s)->why == VMASHADOW_WHY_FLAGS) {		\
		EXPECT_EQ((__u64)(modes), (s)->flags_diff & UFFD_BITS)	\
			TH_LOG("page %d: flags_diff 0x%llx", (int)(pg),	\
			       (unsigned long long)(s)->flags_diff);	\
	} else {							\
		EXPECT_EQ(VMASHADOW_WHY_UFFD, (s)->why)			\
			TH_LOG("page %d: why %u", (int)(pg), (s)->why);	\
	}								\
} while (0)

/* ---- setup ------------------------------------------------------------------ */

#define SETUP() do {							\
	int __i;							\
	for (__i = 0; __i < VMASHADOW_UFFD_MAX + 2; __i++)		\
		real_uffd[__i] = -1;					\
	VMS_SETUP();							\
} while (0)

/* A test whose outcome is known for 6.1 and 6.12 only. */
#define KERNEL_OR_SKIP(k) do {						\
	(k) = vms_kernel();						\
	if ((k) != 61 && (k) != 612)					\
		SKIP(return, "the outcome is known for 6.1 and 6.12 only"); \
} while (0)

#define PAGE_UP(a)	(((a) + VMS_PS - 1) & ~(VMS_PS - 1))

/* ---- files ------------------------------------------------------------------ */

/* @fd opened again through /proc, with @flags (O_RDONLY...). */
static long reopen(int fd, int flags)
{
	char path[64];
	int f;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	f = open(path, flags | O_CLOEXEC);
	return f < 0 ? -errno : f;
}

/*
 * A regular file that is not shmem: on a ramfs mounted in a mount
 * namespace of the test's own (the VM's / and /tmp are tmpfs, whose
 * files are shmem and take registrations).  -errno if it cannot be had.
 */
static long regular_file(char *path, size_t size, const char *tag,
			 unsigned long pages, int flags)
{
	static char dir[64];
	int fd;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/vms-ramfs-%d", getpid());
		if (unshare(CLONE_NEWNS))
			return -errno;
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		if (mount("vms", dir, "ramfs", 0, NULL))
			return -errno;
	}
	snprintf(path, size, "%s/%s", dir, tag);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, PGS(pages))) {
		close(fd);
		return -errno;
	}
	if ((flags & O_ACCMODE) != O_RDWR) {
		close(fd);
		fd = open(path, flags | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	return fd;
}

/* ---- a thread that reads the events fork() and mremap() wait for ---------- */

struct reader {
	int fds[4];
	int nfds;
	int want;
	int got;
	struct uffd_msg msg[4];
	pthread_t thread;
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;

	while (rd->got < rd->want) {
		struct pollfd p[4];
		int i, n;

		for (i = 0; i < rd->nfds; i++) {
			p[i].fd = rd->fds[i];
			p[i].events = POLLIN;
			p[i].revents = 0;
		}
		n = poll(p, rd->nfds, 20000);
		if (n <= 0)
			break;
		for (i = 0; i < rd->nfds && rd->got < rd->want; i++) {
			ssize_t k;

			if (!(p[i].revents & POLLIN))
				continue;
			k = read(p[i].fd, &rd->msg[rd->got], sizeof(rd->msg[0]));
			if (k == sizeof(rd->msg[0]))
				rd->got++;
			else if (k < 0 && errno != EAGAIN)
				return NULL;
		}
	}
	return NULL;
}

/* Reads @want events from the real uffds of contexts @a and @b (0: none). */
static int reader_start(struct reader *rd, int want, int a, int b)
{
	memset(rd, 0, sizeof(*rd));
	rd->want = want;
	rd->fds[rd->nfds++] = real_uffd[a];
	if (b)
		rd->fds[rd->nfds++] = real_uffd[b];
	return pthread_create(&rd->thread, NULL, reader_main, rd);
}

static int reader_join(struct reader *rd)
{
	return pthread_join(rd->thread, NULL);
}

/* ---- register: splits and merges ---------------------------------------------- */

/*
 *   0123456789
 *    AAAAAA        rw-
 *      mm          the middle: two splits, three regions (a dry run first)
 *    AAAAAA        unregistered again: both neighbours join
 *    AAAAAA        the whole region: no split
 */
TEST(register_middle)
{
	long n0;

	SETUP();
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	n0 = vms_shadow_map_count(vms_fd);
	ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_REGISTER, 1, PG(3),
				 PGS(2), UM, VMASHADOW_OPF_DRY_RUN));
	CHECK_COUNTS(n0 + 2, 0, 2);
	CHECK("1-7:rw-p", "-", "-");

	REG(0, 1, 3, 2, UM);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "- m -", "-A-");
	CHECK_COUNTS(n0 + 2, 0, 2);
	CHECK_WHY_AT(3, VMASHADOW_VM_UFFD_MISSING);
	CHECK_WHY_AT(5, VMASHADOW_VM_UFFD_MISSING);
	/* the same again: a skip, nothing changes */
	REG(0, 1, 3, 2, UM);
	CHECK_COUNTS(n0 + 2, 0, 0);

	UNREG(0, 1, 3, 2);
	CHECK("1-7:rw-p", "-", "-");
	CHECK_COUNTS(n0, 2, 0);

	REG(0, 1, 1, 6, UM | UW);
	CHECK("1-7:rw-p", "mw", "A");
	UNREG(0, 1, 1, 6);
	CHECK("1-7:rw-p", "-", "-");
}

/*
 *   0123456789
 *    AAAAAA        rw-
 *    mm            the head: one split
 *    mmmm          the next head: the registered neighbour grows
 *          mm      the tail
 *    mmmmmmmm      ...and the middle region whole joins both neighbours
 */
TEST(register_head_and_whole)
{
	SETUP();
	MAP(0, 1, 8, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 1, 2, UM);
	CHECK("1-3:rw-p 3-9:rw-p", "m -", "A-");
	REG(0, 1, 3, 2, UM);
	CHECK("1-5:rw-p 5-9:rw-p", "m -", "A-");
	REG(0, 1, 7, 2, UM);
	CHECK("1-5:rw-p 5-7:rw-p 7-9:rw-p", "m - m", "A-A");
	REG(0, 1, 5, 2, UM);
	CHECK("1-9:rw-p", "m", "A");
	/* unregister the middle and the rest: one region */
	UNREG(0, 1, 4, 2);
	CHECK("1-4:rw-p 4-6:rw-p 6-9:rw-p", "m - m", "A-A");
	UNREG(0, 1, 1, 8);
	CHECK("1-9:rw-p", "-", "-");
}

/*
 * The tail of a region, next to a registered neighbour.  6.12 lets the
 * neighbour absorb it; 6.1 asks vma_merge() with the region's own page
 * offset (not the offset at the range's start), which does not run on
 * into the neighbour's: it splits, and leaves two regions that could be
 * one (an mprotect, whose offset is right, joins them).
 *
 *   0123456789
 *    AAAAAA
 *        mm        the tail: a split
 *      mm          the tail again, beside it: 6.12 AAmmmm, 6.1 AAmm|mm
 */
TEST(register_tail_pgoff)
{
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 5, 2, UM);
	CHECK("1-5:rw-p 5-7:rw-p", "- m", "-A");
	REG(0, 1, 3, 2, UM);
	if (k == 61)
		CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "- m m", "-AA");
	else
		CHECK("1-3:rw-p 3-7:rw-p", "- m", "-A");
	/* mprotect computes the offset right: both pieces join */
	PROTECT(0, 3, 4, R);
	CHECK("1-3:rw-p 3-7:r--p", "- m", "-A");
	PROTECT(0, 3, 4, RW);
	CHECK("1-3:rw-p 3-7:rw-p", "- m", "-A");

	/* shared anonymous memory: a file's linear offsets, the same */
	MAPS(0, 11, 6, RW);
	REG(0, 1, 15, 2, UW);
	REG(0, 1, 13, 2, UW);
	if (k == 61)
		CHECK("1-3:rw-p 3-7:rw-p 11-13:rw-s 13-15:rw-s 15-17:rw-s",
		      "- m - w w", "-A-AA");
	else
		CHECK("1-3:rw-p 3-7:rw-p 11-13:rw-s 13-17:rw-s",
		      "- m - w", "-A-A");
}

/*
 * When the offsets happen to match, 6.1 merges with the wrong one: one
 * memfd mapped at 1-5 (file pages 0-3) and at 5-7 (file pages 2-3), 5-7
 * registered; registering 3-5 (file pages 2-3) asks with page offset 0,
 * and 0 + 2 is 5-7's 2: the neighbour grows down over 3-5 with offset 0,
 * mapping file pages 0-1 there.  6.12 asks with 2: no merge.
 *
 *   0123456789
 *    FFFFGG        F: pages 0-3, G: pages 2-3 of one memfd
 *      mm          6.1: FF|mmmm (offset 0); 6.12: FF|mm|mm (2, 2)
 */
TEST(register_tail_pgoff_coincidence)
{
	long f;
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	f = vms_memfd("vms-uffd-coincidence", 0, 0, 4);
	ASSERT_LE(0, f);
	MAPF(0, 1, 4, RW, MAP_SHARED, f, 0);
	MAPF(0, 5, 2, RW, MAP_SHARED, f, 2);
	API(0, 1, 0);
	REG(0, 1, 5, 2, UM);
	CHECK("1-5:rw-s 5-7:rw-s", "- m", "-A");
	REG(0, 1, 3, 2, UM);
	if (k == 61)
		CHECK("1-3:rw-s 3-7:rw-s", "- m", "-A");
	else
		CHECK("1-3:rw-s 3-5:rw-s 5-7:rw-s", "- m m", "-AA");
	/* the offsets, for real and in the shadow */
	ASSERT_LE(0, vms_snapshot());
	EXPECT_NE(NULL, strstr(vms_real_win, k == 61 ?
			       "200000003000-200000007000 rw-s 00000000 " :
			       "200000003000-200000005000 rw-s 00002000 "))
		TH_LOG("real:\n%s", vms_real_win);
	UCLOSE(1);
	close(f);
}

/*
 * The same in UFFDIO_UNREGISTER, and an unregistered region is passed
 * over without even a merge.
 *
 *   0123456789
 *    mmmmmm
 *        --        the tail: a split
 *      --          the tail again: 6.12 mm----, 6.1 mm--|--
 *      ----        unregister both: nothing to do, 6.1 stays in three
 */
TEST(unregister_tail_pgoff)
{
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 1, 6, UM);
	UNREG(0, 1, 5, 2);
	CHECK("1-5:rw-p 5-7:rw-p", "m -", "A-");
	UNREG(0, 1, 3, 2);
	if (k == 61)
		CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "m - -", "A--");
	else
		CHECK("1-3:rw-p 3-7:rw-p", "m -", "A-");
	UNREG(0, 1, 3, 4);
	if (k == 61)
		CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "m - -", "A--");
	else
		CHECK("1-3:rw-p 3-7:rw-p", "m -", "A-");
	UNREG(0, 1, 1, 6);
	if (k == 61)
		CHECK("1-5:rw-p 5-7:rw-p", "- -", "--");
	else
		CHECK("1-7:rw-p", "-", "-");
}

/*
 * Holes in the range are allowed (for register and unregister alike);
 * the range may begin in one.
 *
 *   0123456789
 *    AA  BBBB      holes at 0, 3-5
 *   mmmmmm         1-3 whole, 5-6 split off
 *   ----------     unregister over all of it, holes and all
 */
TEST(register_across_holes)
{
	SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 4, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 0, 6, UM);
	CHECK("1-3:rw-p 5-6:rw-p 6-9:rw-p", "m m -", "AA-");
	REG(0, 1, 1, 8, UW);
	CHECK("1-3:rw-p 5-9:rw-p", "w w", "AA");
	UNREG(0, 1, 0, 10);
	CHECK("1-3:rw-p 5-9:rw-p", "- -", "--");
}

/*
 * A second registration replaces the modes, unless the region has them
 * all already (with the same context): then it is passed over, modes,
 * bounds and all.
 *
 *   0123456789
 *    mmmmmm        MISSING
 *      ww          WP in the middle: MISSING dropped there
 *      MW          MISSING|WP
 *    m MW m        MISSING over all: every region has it, nothing changes
 *    w MW w        WP over all: the outer two become WP, the middle is
 *                  passed over (it has WP), and so nothing joins
 */
TEST(register_replaces_modes)
{
	SETUP();
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 1, 6, UM);
	REG(0, 1, 3, 2, UW);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "m w m", "AAA");
	CHECK_WHY_AT(3, VMASHADOW_VM_UFFD_MISSING | VMASHADOW_VM_UFFD_WP);
	REG(0, 1, 3, 2, UM | UW);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "m mw m", "AAA");
	REG(0, 1, 1, 6, UM);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "m mw m", "AAA");
	CHECK_COUNTS(3, 0, 0);
	REG(0, 1, 1, 6, UW);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "w mw w", "AAA");
	REG(0, 1, 3, 2, UW);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "w mw w", "AAA");
	/* cleared, then given the neighbours' modes: all three join */
	UNREG(0, 1, 3, 2);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "w - w", "A-A");
	REG(0, 1, 3, 2, UW);
	CHECK("1-7:rw-p", "w", "A");
}

/*
 * A subset of the modes a region has: passed over, even when the range
 * covers only a part of it (no split).
 */
TEST(register_subset_is_skipped)
{
	SETUP();
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 1, 6, UM | UW);
	CHECK("1-7:rw-p", "mw", "A");
	REG(0, 1, 3, 2, UM);
	CHECK("1-7:rw-p", "mw", "A");
	CHECK_COUNTS(1, 0, 0);
	REG(0, 1, 1, 1, UW);
	CHECK("1-7:rw-p", "mw", "A");
	/* not a subset: MINOR on anonymous memory is refused first */
	REG(-EINVAL, 1, 3, 2, UM | UI);
	CHECK("1-7:rw-p", "mw", "A");
}

/* ---- register: errors -------------------------------------------------------- */

/* Pass 0: register [addr, addr + len) for missing faults; 1: unregister. */
static struct vms_res range_call(int pass, unsigned long addr,
				 unsigned long len)
{
	return pass ? both_unregister(1, addr, len) :
		      both_register(1, addr, len, UM);
}

/*
 * The arguments, in the kernel's order, and a range without a region
 * (with one above it): -EINVAL, nothing changed.
 *
 *   0123456789
 *    AA  BB
 */
TEST(register_bad_arguments)
{
	unsigned long top = 0x7ffffffff000UL;	/* TASK_SIZE, 4-level paging */
	int pass;

	SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 5, 2, UM);
	/* the modes */
	REG(-EINVAL, 1, 1, 2, 0);
	REG(-EINVAL, 1, 1, 2, 8);
	REG(-EINVAL, 1, 1, 2, UM | 8);
	REG(-EINVAL, 1, 1, 2, 0x80000000U);
	for (pass = 0; pass < 2; pass++) {
#define RANGE(expect, addr, len)					\
	VMS_CHECK_RES(expect, range_call(pass, addr, len))
		RANGE(-EINVAL, PG(1) + 1, PGS(1));
		RANGE(-EINVAL, PG(1), PGS(1) + 1);
		RANGE(-EINVAL, PG(1), 0);
		RANGE(-EINVAL, PG(1), -PGS(1));
		RANGE(-EINVAL, top, PGS(1));
		RANGE(-EINVAL, top - PGS(1), PGS(2));
		RANGE(-EINVAL, -PGS(1), PGS(1));
		/* no region in the range, one above: -EINVAL on both kernels */
		RANGE(-EINVAL, PG(3), PGS(2));
		RANGE(-EINVAL, PG(4), PGS(1));
		/* below mmap_min_addr: not checked, just nothing there */
		RANGE(-EINVAL, 0, PGS(1));
#undef RANGE
	}
	CHECK("1-3:rw-p 5-7:rw-p", "- m", "-A");
}

/*
 * No region ends above the range's start: 6.1's mas_find() says -ENOMEM,
 * 6.12's vma_find() -EINVAL.  Above every region of the process: the
 * shadow holds the whole process (IMPORT).
 */
TEST(register_nothing_above)
{
	unsigned long top = 0, s, e;
	const char *line;
	long expect;
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	expect = k == 61 ? -ENOMEM : -EINVAL;
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	ASSERT_LE(0, vms_read_real_maps());
	for (line = vms_real_maps; *line; ) {
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 &&
		    e <= 0x800000000000UL && e > top)
			top = e;
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	ASSERT_NE(0, top);
	if (top + PGS(2) > 0x7ffffffff000UL)
		SKIP(return, "a region ends at the top of the address space");
	API(0, 1, 0);
	VMS_CHECK_RES(expect, both_register(1, top, PGS(1), UM));
	VMS_CHECK_RES(expect, both_register(1, top + PGS(1), PGS(1), UW));
	VMS_CHECK_RES(expect, both_unregister(1, top, PGS(1)));
	/* the checks of the arguments come first */
	VMS_CHECK_RES(-EINVAL, both_register(1, top, PGS(1), 0));
	VMS_CHECK_RES(-EINVAL, both_unregister(1, top + 1, PGS(1)));
	CHECK_RANGE(VMS_WIN, PG(VMS_WIN_PAGES));
}

/*
 * Which regions take which modes (vma_can_userfault()) and VM_MAYWRITE:
 * anonymous memory all but MINOR, shmem (tmpfs and memfd files, private
 * mappings of them too, and shared anonymous memory) every mode, a
 * regular file none (-EINVAL), and a shared mapping that may never be
 * written (a descriptor opened read-only, a memfd sealed against writes)
 * -EPERM.
 */
enum backing {
	ANON, ANON_NONE, SHARED_ANON, MEMFD_SHARED, MEMFD_PRIVATE,
	MEMFD_RDONLY, MEMFD_SEAL_WRITE, MEMFD_SEAL_FUTURE, MEMFD_SEAL_PRIVATE,
	TMPFS_PRIVATE, TMPFS_SHARED, TMPFS_RDONLY, REGULAR_PRIVATE,
	REGULAR_SHARED, REGULAR_RDONLY, DEVZERO_PRIVATE, DEVZERO_SHARED,
	DEVZERO_RDONLY,
};

FIXTURE(kinds) {
	int fd;
	char path[128];
};

FIXTURE_VARIANT(kinds) {
	enum backing backing;
	__u32 mode;
	long err;
	const char *perms;
};

FIXTURE_SETUP(kinds)
{
	self->fd = -1;
	self->path[0] = '\0';
	SETUP();
}

FIXTURE_TEARDOWN(kinds)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->path[0])
		unlink(self->path);
}

FIXTURE_VARIANT_ADD(kinds, anon_missing) {
	.backing = ANON, .mode = UM, .err = 0, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, anon_wp) {
	.backing = ANON, .mode = UW, .err = 0, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, anon_missing_wp) {
	.backing = ANON, .mode = UM | UW, .err = 0, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, anon_minor) {
	.backing = ANON, .mode = UI, .err = -EINVAL, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, anon_missing_minor) {
	.backing = ANON, .mode = UM | UI, .err = -EINVAL, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, anon_prot_none) {
	.backing = ANON_NONE, .mode = UM | UW, .err = 0, .perms = "---p",
};
FIXTURE_VARIANT_ADD(kinds, shared_anon_minor) {
	.backing = SHARED_ANON, .mode = UI, .err = 0, .perms = "rw-s",
};
FIXTURE_VARIANT_ADD(kinds, shared_anon_all) {
	.backing = SHARED_ANON, .mode = UM | UW | UI, .err = 0, .perms = "rw-s",
};
FIXTURE_VARIANT_ADD(kinds, memfd_shared_minor) {
	.backing = MEMFD_SHARED, .mode = UI, .err = 0, .perms = "rw-s",
};
FIXTURE_VARIANT_ADD(kinds, memfd_shared_missing_wp) {
	.backing = MEMFD_SHARED, .mode = UM | UW, .err = 0, .perms = "rw-s",
};
FIXTURE_VARIANT_ADD(kinds, memfd_private_minor) {
	.backing = MEMFD_PRIVATE, .mode = UI, .err = 0, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, memfd_rdonly_missing) {
	.backing = MEMFD_RDONLY, .mode = UM, .err = -EPERM, .perms = "r--s",
};
FIXTURE_VARIANT_ADD(kinds, memfd_seal_write_missing) {
	.backing = MEMFD_SEAL_WRITE, .mode = UM, .err = -EPERM, .perms = "r--s",
};
FIXTURE_VARIANT_ADD(kinds, memfd_seal_write_minor) {
	.backing = MEMFD_SEAL_WRITE, .mode = UI, .err = -EPERM, .perms = "r--s",
};
FIXTURE_VARIANT_ADD(kinds, memfd_seal_future_write) {
	.backing = MEMFD_SEAL_FUTURE, .mode = UM, .err = -EPERM, .perms = "r--s",
};
FIXTURE_VARIANT_ADD(kinds, memfd_seal_future_wp) {
	.backing = MEMFD_SEAL_FUTURE, .mode = UW, .err = -EPERM, .perms = "r--s",
};
FIXTURE_VARIANT_ADD(kinds, memfd_sealed_private) {
	.backing = MEMFD_SEAL_PRIVATE, .mode = UM | UI, .err = 0, .perms = "r--p",
};
FIXTURE_VARIANT_ADD(kinds, tmpfs_private_minor) {
	.backing = TMPFS_PRIVATE, .mode = UI, .err = 0, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, tmpfs_private_missing) {
	.backing = TMPFS_PRIVATE, .mode = UM, .err = 0, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, tmpfs_shared_wp) {
	.backing = TMPFS_SHARED, .mode = UW, .err = 0, .perms = "rw-s",
};
FIXTURE_VARIANT_ADD(kinds, tmpfs_rdonly_missing) {
	.backing = TMPFS_RDONLY, .mode = UM, .err = -EPERM, .perms = "r--s",
};
FIXTURE_VARIANT_ADD(kinds, regular_private_missing) {
	.backing = REGULAR_PRIVATE, .mode = UM, .err = -EINVAL, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, regular_private_wp) {
	.backing = REGULAR_PRIVATE, .mode = UW, .err = -EINVAL, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, regular_shared_minor) {
	.backing = REGULAR_SHARED, .mode = UI, .err = -EINVAL, .perms = "rw-s",
};
FIXTURE_VARIANT_ADD(kinds, regular_rdonly_missing) {
	.backing = REGULAR_RDONLY, .mode = UM, .err = -EINVAL, .perms = "r--s",
};
FIXTURE_VARIANT_ADD(kinds, devzero_private_missing) {
	.backing = DEVZERO_PRIVATE, .mode = UM, .err = 0, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, devzero_shared_minor) {
	.backing = DEVZERO_SHARED, .mode = UI, .err = 0, .perms = "rw-s",
};
/*
 * /dev/zero lives on devtmpfs, which is tmpfs, yet mapped privately, or
 * shared through a read-only open (not VM_SHARED), it is anonymous
 * memory (mmap_zero()'s vma_set_anonymous()), not shmem: no minor faults.
 */
FIXTURE_VARIANT_ADD(kinds, devzero_private_minor) {
	.backing = DEVZERO_PRIVATE, .mode = UI, .err = -EINVAL, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(kinds, devzero_rdonly_minor) {
	.backing = DEVZERO_RDONLY, .mode = UI, .err = -EINVAL, .perms = "r--s",
};
FIXTURE_VARIANT_ADD(kinds, devzero_rdonly_wp) {
	.backing = DEVZERO_RDONLY, .mode = UW, .err = -EPERM, .perms = "r--s",
};

TEST_F(kinds, register)
{
	int prot = RW, flags = MAP_SHARED, fd = -1, tmp;
	char layout[32], modes[8];
	bool regular = false;
	long ret;

	switch (variant->backing) {
	case ANON:
	case ANON_NONE:
		MAP(0, 1, 2, variant->backing == ANON ? RW : N, 0);
		break;
	case SHARED_ANON:
		MAPS(0, 1, 2, RW);
		break;
	case MEMFD_SHARED:
	case MEMFD_PRIVATE:
	case MEMFD_RDONLY:
		ret = vms_memfd("vms-uffd", 0, 0, 4);
		ASSERT_LE(0, ret);
		self->fd = ret;
		if (variant->backing == MEMFD_PRIVATE)
			flags = MAP_PRIVATE;
		if (variant->backing == MEMFD_RDONLY) {
			ret = reopen(self->fd, O_RDONLY);
			ASSERT_LE(0, ret);
			close(self->fd);
			self->fd = ret;
			prot = R;
		}
		break;
	case MEMFD_SEAL_WRITE:
	case MEMFD_SEAL_FUTURE:
	case MEMFD_SEAL_PRIVATE:
		ret = vms_memfd("vms-uffd-sealed", MFD_ALLOW_SEALING, 0, 4);
		ASSERT_LE(0, ret);
		self->fd = ret;
		ASSERT_EQ(0, fcntl(self->fd, F_ADD_SEALS,
				   variant->backing == MEMFD_SEAL_FUTURE ?
				   F_SEAL_FUTURE_WRITE : F_SEAL_WRITE))
			TH_LOG("F_ADD_SEALS: %s", strerror(errno));
		prot = R;
		if (variant->backing == MEMFD_SEAL_PRIVATE)
			flags = MAP_PRIVATE;
		break;
	case TMPFS_PRIVATE:
	case TMPFS_SHARED:
	case TMPFS_RDONLY:
		ret = vms_make_file(self->path, sizeof(self->path), "uffd", 4);
		ASSERT_LE(0, ret);
		self->fd = ret;
		if (variant->backing == TMPFS_PRIVATE)
			flags = MAP_PRIVATE;
		if (variant->backing == TMPFS_RDONLY) {
			tmp = open(self->path, O_RDONLY | O_CLOEXEC);
			ASSERT_LE(0, tmp);
			close(self->fd);
			self->fd = tmp;
			prot = R;
		}
		break;
	case REGULAR_PRIVATE:
	case REGULAR_SHARED:
	case REGULAR_RDONLY:
		ret = regular_file(self->path, sizeof(self->path), "uffd", 4,
				   variant->backing == REGULAR_RDONLY ?
				   O_RDONLY : O_RDWR);
		if (ret < 0)
			SKIP(return, "no ramfs of our own: %s",
			     strerror((int)-ret));
		self->fd = ret;
		regular = true;
		if (variant->backing == REGULAR_PRIVATE)
			flags = MAP_PRIVATE;
		if (variant->backing == REGULAR_RDONLY)
			prot = R;
		break;
	case DEVZERO_PRIVATE:
	case DEVZERO_SHARED:
	case DEVZERO_RDONLY:
		self->fd = open("/dev/zero", (variant->backing == DEVZERO_RDONLY ?
					      O_RDONLY : O_RDWR) | O_CLOEXEC);
		ASSERT_LE(0, self->fd);
		if (variant->backing == DEVZERO_PRIVATE)
			flags = MAP_PRIVATE;
		if (variant->backing == DEVZERO_RDONLY)
			prot = R;
		break;
	}
	fd = self->fd;
	if (fd >= 0)
		MAPF(0, 1, 2, prot, flags, fd, 0);
	snprintf(layout, sizeof(layout), "1-3:%s", variant->perms);
	CHECK_LAYOUT(layout);
	API(0, 1, 0);
	REG(variant->err, 1, 1, 2, variant->mode);
	if (variant->err) {
		CHECK(layout, "-", "-");
		/* nor for a part of it */
		REG(variant->err, 1, 2, 1, variant->mode);
		CHECK(layout, "-", "-");
		/* unregister refuses what no mode could register */
		UNREG(regular ? -EINVAL : 0, 1, 1, 2);
		CHECK(layout, "-", "-");
		return;
	}
	modes_token(modes, sizeof(modes), !!(variant->mode & UM),
		    !!(variant->mode & UW), !!(variant->mode & UI));
	CHECK(layout, modes + 1, "A");
	/* a part: the other piece keeps the registration */
	UNREG(0, 1, 2, 1);
	snprintf(layout, sizeof(layout), "1-2:%s 2-3:%s", variant->perms,
		 variant->perms);
	CHECK(layout, NULL, "A-");
	UCLOSE(1);
	snprintf(layout, sizeof(layout), "1-3:%s", variant->perms);
	CHECK(layout, "-", "-");
}

/*
 * The first region in the range that fails decides, and for it the first
 * check that fails: the type (-EINVAL), then VM_MAYWRITE (-EPERM), then
 * another context (-EBUSY).  Nothing is changed by any of them.
 *
 *   0123456789
 *    FFSSBBAA      F a regular file, S a memfd opened read-only (shared,
 *                  no VM_MAYWRITE; the seals are the kinds test's), B
 *                  anonymous registered with context 2, A anonymous
 */
TEST(register_check_order)
{
	char path[128];
	long f, m, s;

	SETUP();
	f = regular_file(path, sizeof(path), "order", 4, O_RDWR);
	if (f < 0)
		SKIP(return, "no ramfs of our own: %s", strerror((int)-f));
	m = vms_memfd("vms-uffd-order", 0, 0, 4);
	ASSERT_LE(0, m);
	s = reopen(m, O_RDONLY);
	ASSERT_LE(0, s);
	close(m);
	MAPF(0, 1, 2, R, MAP_PRIVATE, f, 0);
	MAPF(0, 3, 2, R, MAP_SHARED, s, 0);
	MAP(0, 5, 2, RW, 0);
	MAP(0, 7, 2, RW, 0);
	API(0, 1, 0);
	API(0, 2, 0);
	REG(0, 2, 5, 2, UM);
	CHECK("1-3:r--p 3-5:r--s 5-7:rw-p 7-9:rw-p", "- - m -", "--A-");
	REG(-EINVAL, 1, 1, 8, UM);
	REG(-EPERM, 1, 3, 6, UM);
	REG(-EPERM, 1, 3, 6, UI);	/* shmem takes MINOR: VM_MAYWRITE decides */
	REG(-EBUSY, 1, 5, 4, UM);
	REG(-EINVAL, 1, 5, 4, UI);	/* the type is asked before the context */
	REG(-EBUSY, 1, 6, 1, UW);
	/* the other context may: it replaces the modes */
	REG(0, 2, 5, 2, UW);
	CHECK("1-3:r--p 3-5:r--s 5-7:rw-p 7-9:rw-p", "- - w -", "--A-");
	/* the failures above changed nothing: the last region is free */
	REG(0, 1, 7, 2, UW);
	CHECK("1-3:r--p 3-5:r--s 5-7:rw-p 7-9:rw-p", "- - w w", "--AB");
	CHECK_WHY_AT(7, 0);
	close(f);
	close(s);
	unlink(path);
}

/* ---- the handshake and the context numbers ------------------------------------ */

/*
 * UFFDIO_API once (-EINVAL again), with features the kernel knows; a
 * failed handshake leaves the descriptor (and the number) to try again.
 * A number never opened, or closed, is -EBADF on the shadow as a closed
 * descriptor is for real; before its handshake a real userfaultfd says
 * -EINVAL instead (the shadow has no such state).
 */
TEST(handshake_and_numbers)
{
	struct vmashadow_op op;
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);

	/* real: created, no handshake yet */
	ASSERT_EQ(0, real_uffd_new(1, O_CLOEXEC | O_NONBLOCK));
	EXPECT_EQ(-EINVAL, real_register(1, PG(1), PGS(2), UM));
	EXPECT_EQ(-EINVAL, real_unregister(1, PG(1), PGS(2)));
	/* the shadow: never opened */
	EXPECT_EQ(-EBADF, shadow_uffd(VMASHADOW_IOC_UFFD_REGISTER, 1, PG(1),
				      PGS(2), UM, 0));
	EXPECT_EQ(-EBADF, shadow_uffd(VMASHADOW_IOC_UFFD_UNREGISTER, 1, PG(1),
				      PGS(2), 0, 0));
	EXPECT_EQ(-EBADF, shadow_uffd(VMASHADOW_IOC_UFFD_CLOSE, 1, 0, 0, 0, 0));

	API(0, 1, 0);
	API(-EINVAL, 1, 0);
	API(-EINVAL, 1, F_REMAP);

	/* unknown features; those of 6.12 on 6.1 */
	API(-EINVAL, 2, 1U << 20);
	API(-EINVAL, 2, 1U << 31);
	API(k == 61 ? -EINVAL : 0, 2, F_WP_ASYNC);
	API(k == 61 ? -EINVAL : 0, 3, F_MOVE);
	API(0, 4, k == 61 ? F_ALL_6_1 : F_ALL_6_12);
	API(-EINVAL, 5, F_ALL_6_12 + 1);
	API(k == 61 ? -EINVAL : 0, 6, F_ALL_6_12);
	/* a failed handshake: the same descriptor, and number, try again */
	API(0, 5, F_FORK | F_REMAP);

	REG(0, 1, 1, 2, UM);
	REG(-EBUSY, 5, 1, 2, UM);
	CHECK("1-3:rw-p 5-7:rw-p", "m -", "A-");
	UCLOSE(1);
	CHECK("1-3:rw-p 5-7:rw-p", "- -", "--");
	/* closed: -EBADF on both sides, and the number may be opened again */
	REG(-EBADF, 1, 1, 2, UM);
	UNREG(-EBADF, 1, 1, 2);
	VMS_CHECK_RES(-EBADF, both_close(1));
	API(0, 1, 0);
	REG(0, 1, 5, 2, UW);
	CHECK("1-3:rw-p 5-7:rw-p", "- w", "-A");

	/* numbers out of range are never open (the shadow's own interface) */
	EXPECT_EQ(-EBADF, shadow_uffd(VMASHADOW_IOC_UFFD_REGISTER, 0, PG(1),
				      PGS(2), UM, 0));
	EXPECT_EQ(-EBADF, shadow_uffd(VMASHADOW_IOC_UFFD_REGISTER,
				      VMASHADOW_UFFD_MAX + 1, PG(1), PGS(2),
				      UM, 0));
	EXPECT_NE(0, shadow_uffd(VMASHADOW_IOC_UFFD_API, 0, 0, 0, 0, 0));
	EXPECT_NE(0, shadow_uffd(VMASHADOW_IOC_UFFD_API,
				 VMASHADOW_UFFD_MAX + 1, 0, 0, 0, 0));
	EXPECT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_API, VMASHADOW_UFFD_MAX,
				 0, 0, 0, 0));
	EXPECT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_CLOSE, VMASHADOW_UFFD_MAX,
				 0, 0, 0, 0));
	/* and the fields a call does not use must be zero */
	memset(&op, 0, sizeof(op));
	op.addr = PG(1);
	op.len = PGS(2);
	op.offset = 1;
	op.flags = UM;
	op.prot = PROT_READ;
	EXPECT_EQ(-EINVAL, vms_op(vms_fd, VMASHADOW_IOC_UFFD_REGISTER, &op));
	memset(&op, 0, sizeof(op));
	op.offset = 7;
	op.addr = PG(1);
	EXPECT_EQ(-EINVAL, vms_op(vms_fd, VMASHADOW_IOC_UFFD_API, &op));
	CHECK("1-3:rw-p 5-7:rw-p", "- w", "-A");
}

/*
 * EVENT_FORK needs CAP_SYS_PTRACE (-EPERM).  Without it userfaultfd()
 * itself needs UFFD_USER_MODE_ONLY (unless vm.unprivileged_userfaultfd),
 * which changes nothing the regions see: the shadow's UFFD_API is held to
 * that descriptor's answers.
 */
TEST(event_fork_needs_ptrace)
{
	pid_t pid;

	SETUP();
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long ret;

		ASSERT_EQ(0, vms_drop_cap(CAP_SYS_PTRACE));
		close(vms_fd);
		ASSERT_LE(0, vms_open());
		ret = real_uffd_new(1, O_CLOEXEC | O_NONBLOCK);
		TH_LOG("userfaultfd() without CAP_SYS_PTRACE: %ld", ret);
		if (!ret)
			close(real_uffd[1]);
		real_uffd[1] = -1;
		ASSERT_EQ(0, real_uffd_new(1, O_CLOEXEC | O_NONBLOCK |
					   UFFD_USER_MODE_ONLY));
		API(-EPERM, 1, F_FORK);
		API(-EPERM, 1, F_FORK | F_REMAP);
		/* the permission is asked before the features are */
		API(-EPERM, 1, F_FORK | (1U << 20));
		API(0, 1, F_REMAP);
		MAP(0, 1, 2, RW, 0);
		REG(0, 1, 1, 2, UM);
		CHECK("1-3:rw-p", "m", "A");
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

/* ---- unregister ---------------------------------------------------------------- */

/*
 * UFFDIO_UNREGISTER clears any context's registration, not only its own.
 *
 *   0123456789
 *    111111        context 1
 *      --          context 2 unregisters the middle
 *      22          context 2 registers it: three regions, two contexts
 *    ------        context 1 unregisters all: one region
 */
TEST(unregister_any_context)
{
	SETUP();
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	API(0, 2, 0);
	REG(0, 1, 1, 6, UM);
	UNREG(0, 2, 3, 2);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "m - m", "A-A");
	REG(0, 2, 3, 2, UM);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "m m m", "ABA");
	CHECK_WHY_AT(3, 0);
	CHECK_WHY_AT(5, 0);
	REG(-EBUSY, 1, 1, 6, UM);
	UNREG(0, 1, 1, 6);
	CHECK("1-7:rw-p", "-", "-");
	/* a context that registers nothing may still unregister */
	API(0, 3, 0);
	REG(0, 1, 1, 6, UW);
	UNREG(0, 3, 2, 5);
	CHECK("1-2:rw-p 2-7:rw-p", "w -", "A-");
}

/*
 * A range holding a region that cannot be registered is refused whole,
 * registered or not, before anything is changed.
 *
 *   0123456789
 *    mmFF  mm      F a regular file, never registered
 */
TEST(unregister_refuses_files)
{
	char path[128];
	long f;

	SETUP();
	f = regular_file(path, sizeof(path), "unreg", 4, O_RDWR);
	if (f < 0)
		SKIP(return, "no ramfs of our own: %s", strerror((int)-f));
	MAP(0, 1, 2, RW, 0);
	MAPF(0, 3, 2, RW, MAP_PRIVATE, f, 0);
	MAP(0, 7, 2, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 1, 2, UM);
	REG(0, 1, 7, 2, UM);
	UNREG(-EINVAL, 1, 1, 8);
	UNREG(-EINVAL, 1, 2, 2);
	UNREG(-EINVAL, 1, 4, 4);
	CHECK("1-3:rw-p 3-5:rw-p 7-9:rw-p", "m - m", "A-A");
	UNREG(0, 1, 5, 4);
	UNREG(0, 1, 0, 3);
	CHECK("1-3:rw-p 3-5:rw-p 7-9:rw-p", "- - -", "---");
	close(f);
}

/* ---- close ------------------------------------------------------------------------ */

/*
 * The last close unregisters every region of its context, whole, and each
 * joins what it can; the other context's regions stay.
 *
 *   0         1
 *   0123456789012
 *    AA11A22A11AA      1, 2: contexts
 *    AAAAA22AAAAA      close 1
 *    AAAAAAAAAAAA      close 2
 */
TEST(close_unregisters)
{
	SETUP();
	MAP(0, 1, 12, RW, 0);
	API(0, 1, 0);
	API(0, 2, 0);
	REG(0, 1, 3, 2, UM);
	REG(0, 2, 6, 2, UM);
	REG(0, 1, 9, 2, UM | UW);
	CHECK("1-3:rw-p 3-5:rw-p 5-6:rw-p 6-8:rw-p 8-9:rw-p 9-11:rw-p 11-13:rw-p",
	      "- m - m - mw -", "-A-B-A-");
	UCLOSE(1);
	CHECK("1-6:rw-p 6-8:rw-p 8-13:rw-p", "- m -", "-A-");
	REG(0, 2, 1, 1, UM);
	UCLOSE(2);
	CHECK("1-13:rw-p", "-", "-");
}

/*
 * A close of a context whose regions touch each other: each joins the
 * previous one once that is cleared (the next still has the context).
 *
 *   0123456789
 *    mmwwMM        one context, three modes (MM: MISSING|WP)
 *    AAAAAA        close: one region
 */
TEST(close_adjacent)
{
	SETUP();
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 1, 2, UM);
	REG(0, 1, 3, 2, UW);
	REG(0, 1, 5, 2, UM | UW);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "m w mw", "AAA");
	UCLOSE(1);
	CHECK("1-7:rw-p", "-", "-");
}

/* ---- merges that the registration refuses -------------------------------------- */

/*
 * A new mapping beside a registered region has no context: no merge, for
 * the flags (the modes) differ.  Two contexts with the same modes do not
 * merge either: the context itself.
 *
 *   0123456789
 *    mm            registered
 *      AA          mapped beside: apart (EXPLAIN_LAST)
 *          mm      registered, then 7-9 mapped between: joins 3-5 only
 *    11222         1, 2: two contexts, same mode: apart (EXPLAIN_AT)
 */
TEST(no_merge_beside)
{
	struct vmashadow_explain e;

	SETUP();
	API(0, 1, 0);
	API(0, 2, 0);
	MAP(0, 1, 2, RW, 0);
	REG(0, 1, 1, 2, UM);
	MAP(0, 3, 2, RW, 0);
	CHECK("1-3:rw-p 3-5:rw-p", "m -", "A-");
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &e));
	EXPECT_EQ(VMASHADOW_OP_MAP, e.op);
	EXPECT_EQ(PG(1), e.prev.start);
	EXPECT_EQ(PG(3), e.prev.end);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.prev.verdict);
	CHECK_WHY_SIDE(&e.prev, 3, VMASHADOW_VM_UFFD_MISSING);

	MAP(0, 7, 2, RW, 0);
	REG(0, 1, 7, 2, UW);
	MAP(0, 5, 2, RW, 0);
	CHECK("1-3:rw-p 3-7:rw-p 7-9:rw-p", "m - w", "A-A");
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &e));
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.next.verdict);
	CHECK_WHY_SIDE(&e.next, 7, VMASHADOW_VM_UFFD_WP);
	CHECK_WHY_AT(7, VMASHADOW_VM_UFFD_WP);

	/* two contexts, one mode */
	UNREG(0, 1, 1, 8);
	CHECK("1-9:rw-p", "-", "-");
	REG(0, 1, 1, 2, UM);
	REG(0, 2, 3, 3, UM);
	CHECK("1-3:rw-p 3-6:rw-p 6-9:rw-p", "m m -", "AB-");
	CHECK_WHY_AT(3, 0);
	/* nor does an mprotect that makes them alike otherwise */
	PROTECT(0, 1, 5, R);
	CHECK("1-3:r--p 3-6:r--p 6-9:rw-p", "m m -", "AB-");
	CHECK_WHY_AT(3, 0);
	/* the same context and modes: they join */
	UNREG(0, 2, 3, 3);
	REG(0, 1, 3, 3, UM);
	CHECK("1-6:r--p 6-9:rw-p", "m -", "A-");
}

/* ---- other calls keep the registration --------------------------------------------- */

/*
 * mprotect, munmap and MAP_FIXED over a part of a registered region: the
 * pieces keep the context and the modes, and join again when alike.
 *
 *   0123456789
 *    mmmmmm
 *      rr          mprotect: three pieces, all registered
 *      ww          back: one region
 *        xx        munmap: the pieces keep it
 *    AA            MAP_FIXED over the head: a new region, unregistered
 */
TEST(other_calls_keep)
{
	SETUP();
	MAP(0, 1, 8, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 1, 6, UM);
	CHECK("1-7:rw-p 7-9:rw-p", "m -", "A-");
	PROTECT(0, 3, 2, R);
	CHECK("1-3:rw-p 3-5:r--p 5-7:rw-p 7-9:rw-p", "m m m -", "AAA-");
	PROTECT(0, 3, 2, RW);
	CHECK("1-7:rw-p 7-9:rw-p", "m -", "A-");
	/* mprotect over the edge: the unregistered part stays apart */
	PROTECT(0, 5, 4, R);
	CHECK("1-5:rw-p 5-7:r--p 7-9:r--p", "m m -", "AA-");
	PROTECT(0, 5, 4, RW);
	CHECK("1-7:rw-p 7-9:rw-p", "m -", "A-");
	UNMAP(0, 4, 1);
	CHECK("1-4:rw-p 5-7:rw-p 7-9:rw-p", "m m -", "AA-");
	MAP(0, 1, 1, RW, 0);
	CHECK("1-2:rw-p 2-4:rw-p 5-7:rw-p 7-9:rw-p", "- m m -", "-AA-");
	MADVISE(0, 2, 2, MADV_DONTNEED);
	MADVISE(0, 2, 2, MADV_DONTFORK);
	CHECK("1-2:rw-p 2-4:rw-p 5-7:rw-p 7-9:rw-p", "- m m -", "-AA-");
	UCLOSE(1);
	CHECK("1-2:rw-p 2-4:rw-p 5-9:rw-p", "- - -", "---");
}

/* mbind(2) of nodes 0-63 (maxnode 65) on both sides. */
static struct vms_res both_mbind(unsigned long addr, unsigned long len,
				 int mode, __u64 mask)
{
	struct vmashadow_op op;

	return vms_both_mbind(&op, addr, len, mode, mask, mask ? 65 : 0, 0);
}

/*
 * mlock (on fault: nothing populated) and mbind split and merge a
 * registered region as mprotect does: the pieces keep the context.  WP
 * only: a populate would fault MISSING.
 *
 *   0123456789
 *    wwwwww
 *      LL          mlock2(MLOCK_ONFAULT), then munlock
 *      BB          mbind(MPOL_BIND), then MPOL_DEFAULT
 */
TEST(mlock_and_mbind_keep)
{
	SETUP();
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 1, 6, UW);
	MLOCK2(0, 3, 2, MLOCK_ONFAULT);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "w w w", "AAA");
	MUNLOCK(0, 3, 2);
	CHECK("1-7:rw-p", "w", "A");
	if (syscall(SYS_mbind, 0UL, 0UL, 0UL, NULL, 0UL, 0UL))
		SKIP(return, "no mbind(2): a kernel without NUMA");
	VMS_CHECK_RES(0, both_mbind(PG(3), PGS(2), MPOL_BIND, 1));
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "w w w", "AAA");
	VMS_CHECK_RES(0, both_mbind(PG(1), PGS(6), MPOL_DEFAULT, 0));
	CHECK("1-7:rw-p", "w", "A");
	/* a policy alike beside, another context: apart */
	MAP(0, 7, 2, RW, 0);
	API(0, 2, 0);
	REG(0, 2, 7, 2, UW);
	VMS_CHECK_RES(0, both_mbind(PG(1), PGS(8), MPOL_BIND, 1));
	CHECK("1-7:rw-p 7-9:rw-p", "w w", "AB");
	CHECK_WHY_AT(7, 0);
}

/* ---- fork ------------------------------------------------------------------------ */

/*
 * Without UFFD_FEATURE_EVENT_FORK the child's regions lose their
 * registration and stay as they were split: fork merges nothing.  An
 * mprotect in the child shows they could be one.  The parent keeps its.
 *
 *   0123456789
 *    AAmmAAAA      parent
 *    AA--AAAA      child: three regions still
 */
TEST(fork_drops)
{
	long cfd;
	pid_t pid;

	SETUP();
	MAP(0, 1, 8, RW, 0);
	API(0, 1, F_REMAP);
	REG(0, 1, 3, 2, UM);
	CHECK("1-3:rw-p 3-5:rw-p 5-9:rw-p", "- m -", "-A-");
	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		vms_fd = cfd;
		CHECK("1-3:rw-p 3-5:rw-p 5-9:rw-p", "- - -", "---");
		MAP(0, 9, 1, RW, 0);
		CHECK("1-3:rw-p 3-5:rw-p 5-10:rw-p", "- - -", "---");
		PROTECT(0, 1, 9, R);
		CHECK("1-10:r--p", "-", "-");
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
	close(cfd);
	CHECK("1-3:rw-p 3-5:rw-p 5-9:rw-p", "- m -", "-A-");
	MAP(0, 9, 1, RW, 0);
	CHECK("1-3:rw-p 3-5:rw-p 5-10:rw-p", "- m -", "-A-");
}

/*
 * With EVENT_FORK the child keeps the registrations of that context under
 * a new context of its own, one for each of the parent's, shared by the
 * regions that shared one; a context without it is dropped.  fork() waits
 * until each UFFD_EVENT_FORK is read, and the reader gets a descriptor of
 * the child's context: its last close, in the parent, unregisters the
 * child's regions (the context's mm is the child's), which the child's
 * shadow sees as the UFFD_CLOSE of the numbers its regions carry.
 *
 *   0         1
 *   0123456789012345
 *    AA11AA22AA33AA    1, 3: EVENT_FORK; 2: not; 1 also at 13-15
 *   child:
 *    AA11AA--AA33AA
 *    AAAAAAAAAAAAAAA   after the parent closed the two new descriptors
 *                      (6.1: AAAAAAAAAAAAAA|A, for VM_ACCOUNT)
 */
TEST(fork_keeps_with_event_fork)
{
	int ready[2], go[2], i, k;
	struct reader rd;
	char c = 0;
	long cfd;
	pid_t pid;

	SETUP();
	KERNEL_OR_SKIP(k);
	MAP(0, 1, 15, RW, 0);
	API(0, 1, F_FORK);
	API(0, 2, F_REMAP);
	API(0, 3, F_FORK);
	REG(0, 1, 3, 2, UM);
	REG(0, 2, 7, 2, UM);
	REG(0, 3, 11, 2, UM);
	REG(0, 1, 14, 2, UW);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p 7-9:rw-p 9-11:rw-p 11-13:rw-p "
	      "13-14:rw-p 14-16:rw-p", "- m - m - m - w", "-A-B-C-A");
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, reader_start(&rd, 2, 1, 3));
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned int a, b;

		close(ready[0]);
		close(go[1]);
		vms_fd = cfd;
		CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p 7-9:rw-p 9-11:rw-p "
		      "11-13:rw-p 13-14:rw-p 14-16:rw-p",
		      "- m - - - m - w", "-A---B-A");
		/* the dropped one joins on a change; the kept ones do not */
		PROTECT(0, 1, 15, R);
		CHECK("1-3:r--p 3-5:r--p 5-11:r--p 11-13:r--p 13-14:r--p "
		      "14-16:r--p", "- m - m - w", "-A-B-A");
		MAP(0, 16, 1, R, 0);
		CHECK("1-3:r--p 3-5:r--p 5-11:r--p 11-13:r--p 13-14:r--p "
		      "14-16:r--p 16-17:r--p", "- m - m - w -", "-A-B-A-");
		CHECK_WHY_AT(16, VMASHADOW_VM_UFFD_WP);
		/* the parent closes the child's contexts */
		a = VMS_UFFD_CTX(vms_region_at(3));
		b = VMS_UFFD_CTX(vms_region_at(11));
		ASSERT_NE(0, a);
		ASSERT_NE(0, b);
		ASSERT_NE(a, b);
		ASSERT_EQ(1, write(ready[1], &c, 1));
		ASSERT_EQ(1, read(go[0], &c, 1));
		ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_CLOSE, a, 0, 0, 0, 0));
		ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_CLOSE, b, 0, 0, 0, 0));
		/*
		 * 6.1's mprotect left VM_ACCOUNT on 1-16 (the new 16-17
		 * has none); 6.12's cleared it
		 */
		if (k == 61)
			CHECK("1-16:r--p 16-17:r--p", "- -", "--");
		else
			CHECK("1-17:r--p", "-", "-");
		VMS_CHILD_EXIT();
	}
	close(ready[1]);
	close(go[0]);
	ASSERT_EQ(0, reader_join(&rd));
	EXPECT_EQ(2, rd.got);
	for (i = 0; i < rd.got; i++)
		EXPECT_EQ(UFFD_EVENT_FORK, rd.msg[i].event);
	/* once the child has checked what it inherited */
	if (read(ready[0], &c, 1) == 1) {
		for (i = 0; i < rd.got; i++)
			if (rd.msg[i].event == UFFD_EVENT_FORK)
				close((int)rd.msg[i].arg.fork.ufd);
		EXPECT_EQ(1, write(go[1], &c, 1));
	}
	VMS_WAIT_CHILD(pid);
	close(ready[0]);
	close(go[1]);
	close(cfd);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p 7-9:rw-p 9-11:rw-p 11-13:rw-p "
	      "13-14:rw-p 14-16:rw-p", "- m - m - m - w", "-A-B-C-A");
}

/* ---- mremap ------------------------------------------------------------------------ */

/*
 * Without EVENT_REMAP a moved region loses its registration, after
 * copy_vma() has tried to merge it with the source's modes and context:
 * it never joins an unregistered neighbour at the destination, and a
 * neighbour registered alike is absorbed and then cleared with it.  Growth
 * in place keeps the registration (and may meet a neighbour registered
 * alike); MREMAP_DONTUNMAP leaves the source registered.
 *
 *   0         1         2         3         4
 *   0123456789012345678901234567890123456789012345678
 *    mm       AA       mm                  (1-3 moved to 12, then 22)
 *             AA--     mm--                one region 20-24, cleared
 *                                mm  mm    30-32 grows into 34-36
 *                                          40-42 DONTUNMAP to 45
 */
TEST(remap_without_event)
{
	SETUP();
	API(0, 1, 0);
	MAP(0, 1, 2, RW, 0);
	MAP(0, 10, 2, RW, 0);
	REG(0, 1, 1, 2, UM);
	CHECK("1-3:rw-p 10-12:rw-p", "m -", "A-");
	REMAP(0, 1, 2, 2, FIXED, 12, 12);
	CHECK("10-12:rw-p 12-14:rw-p", "- -", "--");

	/* the neighbour wipe */
	MAP(0, 1, 2, RW, 0);
	MAP(0, 20, 2, RW, 0);
	REG(0, 1, 1, 2, UM);
	REG(0, 1, 20, 2, UM);
	CHECK("1-3:rw-p 10-12:rw-p 12-14:rw-p 20-22:rw-p", "m - - m", "A--A");
	REMAP(0, 1, 2, 2, FIXED, 22, 22);
	CHECK("10-12:rw-p 12-14:rw-p 20-24:rw-p", "- - -", "---");

	/* another mode at the destination: no merge, cleared */
	MAP(0, 1, 2, RW, 0);
	REG(0, 1, 1, 2, UM);
	REG(0, 1, 20, 4, UW);
	REMAP(0, 1, 2, 2, FIXED, 24, 24);
	CHECK("10-12:rw-p 12-14:rw-p 20-24:rw-p 24-26:rw-p", "- - w -",
	      "--A-");

	/* growth in place */
	MAP(0, 30, 2, RW, 0);
	MAP(0, 34, 2, RW, 0);
	REG(0, 1, 30, 2, UM);
	REG(0, 1, 34, 2, UM);
	REMAP(0, 30, 2, 3, 0, -1, 30);
	CHECK("10-12:rw-p 12-14:rw-p 20-24:rw-p 24-26:rw-p 30-33:rw-p "
	      "34-36:rw-p", "- - w - m m", "--A-AA");
	REMAP(0, 30, 3, 4, 0, -1, 30);
	CHECK("10-12:rw-p 12-14:rw-p 20-24:rw-p 24-26:rw-p 30-36:rw-p",
	      "- - w - m", "--A-A");

	/* DONTUNMAP: the source stays registered */
	MAP(0, 40, 2, RW, 0);
	REG(0, 1, 40, 2, UM);
	REMAP(0, 40, 2, 2, DONTUNMAP, 45, 45);
	CHECK("10-12:rw-p 12-14:rw-p 20-24:rw-p 24-26:rw-p 30-36:rw-p "
	      "40-42:rw-p 45-47:rw-p", "- - w - m m -", "--A-AA-");
	/* close: 10-12 and 12-14, never registered, are not even looked at */
	UCLOSE(1);
	CHECK("10-12:rw-p 12-14:rw-p 20-26:rw-p 30-36:rw-p 40-42:rw-p "
	      "45-47:rw-p", "- - - - - -", "------");
}

/*
 * With EVENT_REMAP the moved region stays registered: apart from an
 * unregistered neighbour at the destination, joined with one registered
 * alike.  mremap() waits until UFFD_EVENT_REMAP is read.
 *
 *   0123456789012345678
 *    mm       AA            1-3 moved to 12-14: registered
 *    mm       AAmm          1-3 moved to 14-16: joins 12-14
 *    ww       AAmmmm        1-3 (WP) moved to 16-18: apart
 */
TEST(remap_with_event)
{
	struct reader rd;
	int i;
	static const int to[3] = { 12, 14, 16 };

	SETUP();
	API(0, 1, F_REMAP);
	MAP(0, 10, 2, RW, 0);
	for (i = 0; i < 3; i++) {
		MAP(0, 1, 2, RW, 0);
		REG(0, 1, 1, 2, i == 2 ? UW : UM);
		ASSERT_EQ(0, reader_start(&rd, 1, 1, 0));
		REMAP(0, 1, 2, 2, FIXED, to[i], to[i]);
		ASSERT_EQ(0, reader_join(&rd));
		ASSERT_EQ(1, rd.got);
		EXPECT_EQ(UFFD_EVENT_REMAP, rd.msg[0].event);
		EXPECT_EQ(PG(1), rd.msg[0].arg.remap.from);
		EXPECT_EQ(PG(to[i]), rd.msg[0].arg.remap.to);
		EXPECT_EQ(PGS(2), rd.msg[0].arg.remap.len);
		switch (i) {
		case 0:
			CHECK("10-12:rw-p 12-14:rw-p", "- m", "-A");
			break;
		case 1:
			CHECK("10-12:rw-p 12-16:rw-p", "- m", "-A");
			break;
		case 2:
			CHECK("10-12:rw-p 12-16:rw-p 16-18:rw-p", "- m w",
			      "-AA");
			break;
		}
	}
	UCLOSE(1);
	CHECK("10-18:rw-p", "-", "-");
}

/*
 * A part of a registered region moved: the pieces left behind keep the
 * registration, the part moved keeps it only with EVENT_REMAP; a
 * DONTUNMAP source keeps it too.
 *
 *   0         1         2         3
 *   0123456789012345678901234567890
 *    mmmmmm     wwwwww   1-7: context 1 (2-4 moved to 20, 4-5
 *                        DONTUNMAP to 30); 11-17: context 2, with
 *                        EVENT_REMAP (12-14 moved to 24, 14-15 DONTUNMAP
 *                        to 28)
 */
TEST(remap_part)
{
	struct reader rd;

	SETUP();
	MAP(0, 1, 6, RW, 0);
	MAP(0, 11, 6, RW, 0);
	API(0, 1, 0);
	API(0, 2, F_REMAP);
	REG(0, 1, 1, 6, UM);
	REG(0, 2, 11, 6, UW);
	REMAP(0, 2, 2, 2, FIXED, 20, 20);
	CHECK("1-2:rw-p 4-7:rw-p 11-17:rw-p 20-22:rw-p", "m m w -", "AAB-");
	ASSERT_EQ(0, reader_start(&rd, 1, 2, 0));
	REMAP(0, 12, 2, 2, FIXED, 24, 24);
	ASSERT_EQ(0, reader_join(&rd));
	EXPECT_EQ(1, rd.got);
	EXPECT_EQ(UFFD_EVENT_REMAP, rd.msg[0].event);
	CHECK("1-2:rw-p 4-7:rw-p 11-12:rw-p 14-17:rw-p 20-22:rw-p 24-26:rw-p",
	      "m m w w - w", "AABB-B");
	/* DONTUNMAP moves the pages, not the region: no split behind */
	REMAP(0, 4, 1, 1, DONTUNMAP, 30, 30);
	CHECK("1-2:rw-p 4-7:rw-p 11-12:rw-p 14-17:rw-p 20-22:rw-p 24-26:rw-p "
	      "30-31:rw-p", "m m w w - w -", "AABB-B-");
	ASSERT_EQ(0, reader_start(&rd, 1, 2, 0));
	REMAP(0, 14, 1, 1, DONTUNMAP, 28, 28);
	ASSERT_EQ(0, reader_join(&rd));
	EXPECT_EQ(1, rd.got);
	EXPECT_EQ(UFFD_EVENT_REMAP, rd.msg[0].event);
	CHECK("1-2:rw-p 4-7:rw-p 11-12:rw-p 14-17:rw-p 20-22:rw-p 24-26:rw-p "
	      "28-29:rw-p 30-31:rw-p", "m m w w - w w -", "AABB-BB-");
	UCLOSE(2);
	UCLOSE(1);
	CHECK("1-2:rw-p 4-7:rw-p 11-12:rw-p 14-17:rw-p 20-22:rw-p 24-26:rw-p "
	      "28-29:rw-p 30-31:rw-p", "- - - - - - - -", "--------");
}

/* ---- brk -------------------------------------------------------------------------- */

/*
 * brk() does not stretch a registered heap: the new part is a region of
 * its own.  The heap is registered for write protection only, which traps
 * nothing (the process keeps using its heap); the shadow holds the whole
 * process.
 */
TEST(brk_beside_registered_heap)
{
	unsigned long b0, a, lo, s, e;
	struct vmashadow_find f;
	char want[64];

	SETUP();
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	b0 = vms_real_brk(0);
	a = PAGE_UP(b0);
	BRK(a + PGS(2), a + PGS(2));
	ASSERT_LE(0, vms_read_real_maps());
	lo = vms_find_line(vms_real_maps, "[heap]", &s, &e) ? a : s;
	API(0, 1, 0);
	VMS_CHECK_RES(0, both_register(1, a, PGS(2), UW));
	BRK(a + PGS(4), a + PGS(4));
	CHECK_RANGE(lo, a + PGS(4));
	/* the growth is a region of its own, for real */
	snprintf(want, sizeof(want), "%08lx-%08lx ", a + PGS(2),
		 a + PGS(4));
	EXPECT_NE(NULL, strstr(vms_real_rng, want))
		TH_LOG("no region %s in\n%s", want, vms_real_rng);
	CHECK_UFFD_RANGE(lo, a + PGS(4), 0, NULL, NULL);
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, a, 0, &f));
	EXPECT_EQ(VMASHADOW_VM_UFFD_WP, f.region.vm_flags & UFFD_BITS);
	UCLOSE(1);
	CHECK_RANGE(lo, a + PGS(4));
	CHECK_UFFD_RANGE(lo, a + PGS(4), 0, NULL, NULL);
	BRK(b0, b0);
	CHECK_RANGE(lo, a + PGS(4));
}

/* ---- what 6.12 alone has ----------------------------------------------------------- */

/*
 * UFFD_FEATURE_WP_ASYNC (6.12): WP alone may register any region that is
 * not special, a regular file too, and then unregister it; a context
 * without the feature may not unregister that file, nor may any an
 * unregistered one.  6.1 does not know the feature.
 *
 *   0123456789
 *    FFAAGG        F, G: a regular file (two mappings), A anonymous
 */
TEST(wp_async)
{
	char path[128];
	long f;
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	if (k == 61) {
		API(-EINVAL, 1, F_WP_ASYNC);
		API(-EINVAL, 1, F_WP_ASYNC | F_FORK);
		API(0, 1, 0);
		return;
	}
	f = regular_file(path, sizeof(path), "async", 4, O_RDWR);
	if (f < 0)
		SKIP(return, "no ramfs of our own: %s", strerror((int)-f));
	MAPF(0, 1, 2, R, MAP_PRIVATE, f, 0);
	MAP(0, 3, 2, RW, 0);
	MAPF(0, 5, 2, R, MAP_SHARED, f, 2);
	API(0, 1, F_WP_ASYNC);
	API(0, 2, 0);
	REG(-EINVAL, 1, 1, 2, UM);
	REG(-EINVAL, 1, 1, 2, UM | UW);
	REG(-EINVAL, 1, 1, 2, UI);
	REG(-EINVAL, 2, 1, 2, UW);
	REG(0, 1, 1, 2, UW);
	REG(0, 1, 3, 2, UW);
	CHECK("1-3:r--p 3-5:rw-p 5-7:r--s", "w w -", "AA-");
	UNREG(-EINVAL, 2, 1, 2);
	UNREG(-EINVAL, 1, 1, 6);	/* G is not registered */
	CHECK("1-3:r--p 3-5:rw-p 5-7:r--s", "w w -", "AA-");
	REG(0, 1, 5, 2, UW);
	CHECK("1-3:r--p 3-5:rw-p 5-7:r--s", "w w w", "AAA");
	UNREG(0, 1, 1, 3);
	CHECK("1-3:r--p 3-4:rw-p 4-5:rw-p 5-7:r--s", "- - w w", "--AA");
	UCLOSE(1);
	CHECK("1-3:r--p 3-5:rw-p 5-7:r--s", "- - -", "---");
	close(f);
}

/*
 * 6.12: MAP_DROPPABLE memory is anonymous, and its VM_DROPPABLE check in
 * vma_can_userfault() looks at the modes asked for, not the region: it
 * takes a registration.  mseal() does not stop one either, splits and
 * all.  6.1 has neither.
 */
TEST(droppable_and_sealed)
{
	struct vmashadow_op op;
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	if (k == 61)
		SKIP(return, "6.1 has no MAP_DROPPABLE and no mseal()");
	VMS_CHECK_RES(0, vms_both_map(PG(1), PGS(2), RW, MAP_DROPPABLE |
				      MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	MAP(0, 4, 6, RW, 0);
	API(0, 1, 0);
	REG(0, 1, 1, 2, UM | UW);
	CHECK("1-3:rw-p 4-10:rw-p", "mw -", "A-");
	ASSERT_EQ(0, syscall(__NR_mseal, PG(4), PGS(6), 0UL));
	memset(&op, 0, sizeof(op));
	op.addr = PG(4);
	op.len = PGS(6);
	ASSERT_EQ(0, vms_op(vms_fd, VMASHADOW_IOC_SEAL, &op));
	REG(0, 1, 6, 2, UM);
	CHECK("1-3:rw-p 4-6:rw-p 6-8:rw-p 8-10:rw-p", "mw - m -", "A-A-");
	UNREG(0, 1, 1, 9);
	CHECK("1-3:rw-p 4-10:rw-p", "- -", "--");
}

/* ---- regions that never take one -------------------------------------------------- */

/*
 * SysV shared memory is not shmem by vma_is_shmem() (its vm_ops are
 * shm's): -EINVAL, for register and for an unregister over it.
 */
TEST(sysv_shm)
{
	void *p;
	int id;

	SETUP();
	id = shmget(IPC_PRIVATE, PGS(2), IPC_CREAT | 0600);
	if (id < 0)
		SKIP(return, "no SysV shm: %s", strerror(errno));
	p = shmat(id, (void *)PG(1), 0);
	shmctl(id, IPC_RMID, NULL);
	ASSERT_EQ((void *)PG(1), p);
	ASSERT_EQ(0, vms_real_map(PG(3), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(0), PG(VMS_WIN_PAGES), NULL));
	API(0, 1, 0);
	REG(-EINVAL, 1, 1, 2, UM);
	REG(-EINVAL, 1, 1, 4, UW);
	REG(-EINVAL, 1, 2, 1, UI);
	REG(0, 1, 3, 2, UM);
	UNREG(-EINVAL, 1, 1, 4);
	CHECK("1-3:rw-s 3-5:rw-p", "- m", "-A");
	UNREG(0, 1, 3, 2);
	CHECK("1-3:rw-s 3-5:rw-p", "- -", "--");
	shmdt(p);
}

/*
 * [vvar] and [vdso] (special mappings, with vm_ops, VM_SPECIAL on 6.12):
 * -EINVAL, even for WP alone with WP_ASYNC on 6.12.
 */
TEST(special_mappings)
{
	struct vms_vdso_at v;
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	ASSERT_LE(0, vms_read_real_maps());
	if (vms_find_vdso(vms_real_maps, &v))
		SKIP(return, "no [vvar] right below [vdso]");
	ASSERT_EQ(0, vms_import(vms_fd, 0, v.vvar, v.end, NULL));
	API(0, 1, 0);
	VMS_CHECK_RES(-EINVAL, both_register(1, v.vdso, v.end - v.vdso, UM));
	VMS_CHECK_RES(-EINVAL, both_register(1, v.vdso, v.end - v.vdso, UW));
	VMS_CHECK_RES(-EINVAL, both_register(1, v.vvar, v.vdso - v.vvar, UW));
	VMS_CHECK_RES(-EINVAL, both_unregister(1, v.vvar, v.end - v.vvar));
	if (k == 612) {
		API(0, 2, F_WP_ASYNC);
		VMS_CHECK_RES(-EINVAL, both_register(2, v.vdso,
						     v.end - v.vdso, UW));
		VMS_CHECK_RES(-EINVAL, both_register(2, v.vvar,
						     v.vdso - v.vvar, UW));
	}
	CHECK_RANGE(v.vvar, v.end);
	CHECK_UFFD_RANGE(v.vvar, v.end, 0, NULL, NULL);
}

/* ---- vm.max_map_count -------------------------------------------------------------- */

/*
 * A split needs map_count < max_map_count; a merge needs nothing.  A
 * registration that cannot split returns -ENOMEM and keeps what it did
 * before: the regions before in the range stay registered, a first split
 * of the failing region stays (with the old modes), nothing after is
 * touched.  The sysctl is global: the fixture puts the real process at the
 * same distance from it as the shadow from its own limit.
 */
VMS_MMC_FIXTURE(mmc)

/*
 *   0123456789
 *    AAAAAA        count == limit
 *      mm          middle, head, tail: -ENOMEM
 *    mmmmmm        whole: fine; unregister of a part: -ENOMEM; close: fine
 */
TEST_F(mmc, at_limit)
{
	int __i;

	for (__i = 0; __i < VMASHADOW_UFFD_MAX + 2; __i++)
		real_uffd[__i] = -1;
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	VMS_AT_DISTANCE(0);
	REG(-ENOMEM, 1, 3, 2, UM);
	REG(-ENOMEM, 1, 1, 2, UM);
	REG(-ENOMEM, 1, 5, 2, UM);
	CHECK("1-7:rw-p", "-", "-");
	REG(0, 1, 1, 6, UM);
	CHECK("1-7:rw-p", "m", "A");
	UNREG(-ENOMEM, 1, 3, 2);
	UNREG(-ENOMEM, 1, 1, 2);
	CHECK("1-7:rw-p", "m", "A");
	UCLOSE(1);
	CHECK("1-7:rw-p", "-", "-");
}

/*
 *   0123456789
 *    AA BBBBBB     count == limit
 *    mmmmmm        A whole is registered, B's split fails: -ENOMEM
 */
TEST_F(mmc, earlier_regions_stay)
{
	int __i;

	for (__i = 0; __i < VMASHADOW_UFFD_MAX + 2; __i++)
		real_uffd[__i] = -1;
	MAP(0, 1, 2, RW, 0);
	MAP(0, 4, 6, RW, 0);
	API(0, 1, 0);
	VMS_AT_DISTANCE(0);
	REG(-ENOMEM, 1, 1, 7, UM);
	CHECK("1-3:rw-p 4-10:rw-p", "m -", "A-");
	/* an unregistered region is passed over: no split, no failure */
	UNREG(0, 1, 1, 7);
	CHECK("1-3:rw-p 4-10:rw-p", "- -", "--");
}

/*
 *   0123456789
 *    AAAAAA        room for one split
 *      mm          the split at 3 works, the one at 5 not: -ENOMEM,
 *    AA|AAAA       two regions, neither registered
 */
TEST_F(mmc, second_split)
{
	int __i;

	for (__i = 0; __i < VMASHADOW_UFFD_MAX + 2; __i++)
		real_uffd[__i] = -1;
	MAP(0, 1, 6, RW, 0);
	API(0, 1, 0);
	VMS_AT_DISTANCE(1);
	REG(-ENOMEM, 1, 3, 2, UM);
	CHECK("1-3:rw-p 3-7:rw-p", "- -", "--");
	REG(0, 1, 3, 4, UM);
	CHECK("1-3:rw-p 3-7:rw-p", "- m", "-A");
}

/* ---- IMPORT ------------------------------------------------------------------------- */

/*
 * Registrations made for real only come in with IMPORT: the modes, and
 * one context number for each real context.  Mirrored calls go on
 * matching: a map beside is refused, and the close of a real context is
 * the UFFD_CLOSE of the number the shadow gave it.
 *
 *   0123456789
 *    AA1122AA11    1, 2: two userfaultfds
 */
TEST(import_window)
{
	struct vms_res r = { 0 };
	unsigned int n1;

	SETUP();
	ASSERT_EQ(0, vms_real_map(PG(1), PGS(10), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, real_api(1, 0));
	ASSERT_EQ(0, real_api(2, 0));
	ASSERT_EQ(0, real_register(1, PG(3), PGS(2), UM));
	ASSERT_EQ(0, real_register(2, PG(5), PGS(2), UM));
	ASSERT_EQ(0, real_register(1, PG(9), PGS(2), UM | UW));
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(0), PG(VMS_WIN_PAGES), NULL));
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p 7-9:rw-p 9-11:rw-p",
	      "- m m - mw", "-AB-A");
	CHECK_WHY_AT(5, 0);
	MAP(0, 11, 1, RW, 0);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p 7-9:rw-p 9-11:rw-p 11-12:rw-p",
	      "- m m - mw -", "-AB-A-");
	n1 = VMS_UFFD_CTX(vms_region_at(3));
	ASSERT_NE(0, n1);
	EXPECT_EQ(n1, VMS_UFFD_CTX(vms_region_at(9)));
	EXPECT_NE(n1, VMS_UFFD_CTX(vms_region_at(5)));
	r.real = close(real_uffd[1]) ? -errno : 0;
	real_uffd[1] = -1;
	r.shadow = shadow_uffd(VMASHADOW_IOC_UFFD_CLOSE, n1, 0, 0, 0, 0);
	VMS_CHECK_RES(0, r);
	CHECK("1-5:rw-p 5-7:rw-p 7-12:rw-p", "- m -", "-A-");
	/* a number the import did not take is free for a context of ours */
	API(0, 9, 0);
	REG(-EBUSY, 9, 5, 2, UM);
}

/*
 * IMPORT takes each context's features: a FORK of the imported shadow
 * keeps the registrations of an EVENT_FORK context and drops the others,
 * as the real fork does; on 6.12 a WP_ASYNC context may unregister the
 * regular file it registered (another may not).
 *
 *   0123456789
 *    11 22 FF      1: EVENT_FORK, 2: not; F: a regular file, WP with
 *                  WP_ASYNC (6.12, context 3)
 */
TEST(import_features)
{
	unsigned int n3 = 0;
	struct reader rd;
	char path[128];
	long cfd, f = -1;
	pid_t pid;
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	ASSERT_EQ(0, vms_real_map(PG(1), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_map(PG(4), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, real_api(1, F_FORK));
	ASSERT_EQ(0, real_api(2, F_REMAP));
	ASSERT_EQ(0, real_register(1, PG(1), PGS(2), UM));
	ASSERT_EQ(0, real_register(2, PG(4), PGS(2), UM));
	if (k == 612) {
		f = regular_file(path, sizeof(path), "import", 4, O_RDWR);
		if (f < 0)
			SKIP(return, "no ramfs of our own: %s",
			     strerror((int)-f));
		ASSERT_EQ(0, vms_real_map(PG(7), PGS(2), R, MAP_PRIVATE |
					  MAP_FIXED, f, 0, NULL));
		ASSERT_EQ(0, real_api(3, F_WP_ASYNC));
		ASSERT_EQ(0, real_register(3, PG(7), PGS(2), UW));
	}
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(0), PG(VMS_WIN_PAGES), NULL));
	if (k == 612) {
		CHECK("1-3:rw-p 4-6:rw-p 7-9:r--p", "m m w", "ABC");
		n3 = VMS_UFFD_CTX(vms_region_at(7));
	} else {
		CHECK("1-3:rw-p 4-6:rw-p", "m m", "AB");
	}

	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, reader_start(&rd, 1, 1, 0));
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		vms_fd = cfd;
		if (k == 612)
			CHECK("1-3:rw-p 4-6:rw-p 7-9:r--p", "m - -", "A--");
		else
			CHECK("1-3:rw-p 4-6:rw-p", "m -", "A-");
		VMS_CHILD_EXIT();
	}
	ASSERT_EQ(0, reader_join(&rd));
	EXPECT_EQ(1, rd.got);
	VMS_WAIT_CHILD(pid);
	if (rd.got)
		close((int)rd.msg[0].arg.fork.ufd);
	close(cfd);
	if (k == 612) {
		struct vms_res r = { 0 };
		unsigned int n2 = VMS_UFFD_CTX(vms_region_at(4));

		/* context 2 has no WP_ASYNC: the file is refused */
		r.real = real_unregister(2, PG(7), PGS(2));
		r.shadow = shadow_uffd(VMASHADOW_IOC_UFFD_UNREGISTER, n2, PG(7),
				       PGS(2), 0, 0);
		VMS_CHECK_RES(-EINVAL, r);
		r.real = real_unregister(3, PG(7), PGS(2));
		r.shadow = shadow_uffd(VMASHADOW_IOC_UFFD_UNREGISTER, n3, PG(7),
				       PGS(2), 0, 0);
		VMS_CHECK_RES(0, r);
		CHECK("1-3:rw-p 4-6:rw-p 7-9:r--p", "m m -", "AB-");
		close(f);
	}
}

/* GET_UFFD: a context's features. */
static long get_uffd(unsigned int n, __u64 *features)
{
	struct vmashadow_uffd u;
	long ret;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.ctx = n;
	ret = vms_ioctl(vms_fd, VMASHADOW_IOC_GET_UFFD, &u);
	*features = u.features;
	return ret;
}

/*
 * GET_UFFD gives each context's features: those UFFD_API gave it (6.12's
 * WP_ASYNC with the WP_UNPOPULATED it implies), those IMPORT read from
 * the kernel's context; -EBADF once it is closed, and for a number never
 * opened; -EINVAL out of range.
 */
TEST(get_uffd_features)
{
	__u64 f = 1;
	int k;

	SETUP();
	KERNEL_OR_SKIP(k);
	EXPECT_EQ(-EBADF, get_uffd(1, &f));
	EXPECT_EQ(-EINVAL, get_uffd(0, &f));
	EXPECT_EQ(-EINVAL, get_uffd(VMASHADOW_UFFD_MAX + 1, &f));
	ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_API, 1, 0, 0, F_FORK | F_REMAP, 0));
	ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_API, 2, 0, 0, 0, 0));
	EXPECT_EQ(0, get_uffd(1, &f));
	EXPECT_EQ(F_FORK | F_REMAP, f);
	EXPECT_EQ(0, get_uffd(2, &f));
	EXPECT_EQ(0, f);
	if (k == 612) {
		ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_API, 3, 0, 0, F_WP_ASYNC, 0));
		EXPECT_EQ(0, get_uffd(3, &f));
		EXPECT_EQ(F_WP_ASYNC | F_WP_UNPOPULATED, f);
	}
	ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_CLOSE, 1, 0, 0, 0, 0));
	EXPECT_EQ(-EBADF, get_uffd(1, &f));

	/* imported: the real contexts' features, by the shadow's numbers */
	ASSERT_LE(0, vms_open());
	ASSERT_EQ(0, vms_real_map(PG(1), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_map(PG(4), PGS(2), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, real_api(1, F_REMAP));
	ASSERT_EQ(0, real_api(2, 0));
	ASSERT_EQ(0, real_register(1, PG(1), PGS(2), UM));
	ASSERT_EQ(0, real_register(2, PG(4), PGS(2), UW));
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(0), PG(VMS_WIN_PAGES), NULL));
	EXPECT_EQ(0, get_uffd(VMS_UFFD_CTX(vms_region_at(1)), &f));
	EXPECT_EQ(F_REMAP, f);
	EXPECT_EQ(0, get_uffd(VMS_UFFD_CTX(vms_region_at(4)), &f));
	EXPECT_EQ(0, f);
	EXPECT_NE(VMS_UFFD_CTX(vms_region_at(1)), VMS_UFFD_CTX(vms_region_at(4)));
}

/*
 * The whole process: the window's registrations, everything else without
 * one, as smaps says.
 */
TEST(import_whole)
{
	struct vmashadow_params p;

	SETUP();
	ASSERT_EQ(0, vms_real_map(PG(1), PGS(6), RW, MAP_PRIVATE |
				  MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, real_api(1, F_FORK));
	ASSERT_EQ(0, real_api(2, 0));
	ASSERT_EQ(0, real_register(1, PG(1), PGS(2), UM));
	ASSERT_EQ(0, real_register(2, PG(5), PGS(2), UW));
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	CHECK_RANGE(0, ~0UL);
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	CHECK_UFFD_RANGE(0, ~0UL, p.start_stack, NULL, NULL);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "m - w", "A-B");
}

/* ---- BATCH -------------------------------------------------------------------------- */

static void op_uffd(struct vmashadow_op *op, unsigned int kind, int n,
		    unsigned long pg, unsigned long npg, __u32 flags)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->op = kind;
	op->offset = n;
	op->addr = npg ? PG(pg) : 0;
	op->len = PGS(npg);
	op->flags = flags;
	op->fd = -1;
}

/*
 * The UFFD_* operations in a BATCH do what they do one by one, and the
 * batch stops at the first that fails, as the real calls do.
 *
 *   0123456789
 *    AAAAAA        API 1, 2; 1 registers 3-5, 2 then fails on it (-EBUSY)
 *    AA11AA        then a second batch: unregister 3-5, close 1, register
 *                  1-7 with 2
 */
TEST(batch)
{
	struct vmashadow_op ops[5];
	struct vmashadow_batch b;

	SETUP();
	MAP(0, 1, 6, RW, 0);
	op_uffd(&ops[0], VMASHADOW_OP_UFFD_API, 1, 0, 0, 0);
	op_uffd(&ops[1], VMASHADOW_OP_UFFD_API, 2, 0, 0, F_REMAP);
	op_uffd(&ops[2], VMASHADOW_OP_UFFD_REGISTER, 1, 3, 2, UM);
	op_uffd(&ops[3], VMASHADOW_OP_UFFD_REGISTER, 2, 3, 2, UW);
	op_uffd(&ops[4], VMASHADOW_OP_UFFD_REGISTER, 2, 1, 1, UW);
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.op_size = sizeof(ops[0]);
	b.ops = (unsigned long)ops;
	b.count = 5;
	ASSERT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_BATCH, &b));
	ASSERT_EQ(0, real_api(1, 0));
	ASSERT_EQ(0, real_api(2, F_REMAP));
	ASSERT_EQ(0, real_register(1, PG(3), PGS(2), UM));
	EXPECT_EQ(real_register(2, PG(3), PGS(2), UW), b.error);
	EXPECT_EQ(3, b.done);
	EXPECT_EQ(vms_shadow_map_count(vms_fd), ops[2].map_count);
	EXPECT_EQ(2, ops[2].splits);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "- m -", "-A-");

	op_uffd(&ops[0], VMASHADOW_OP_UFFD_UNREGISTER, 2, 3, 2, 0);
	op_uffd(&ops[1], VMASHADOW_OP_UFFD_CLOSE, 1, 0, 0, 0);
	op_uffd(&ops[2], VMASHADOW_OP_UFFD_REGISTER, 2, 1, 6, UW);
	b.count = 3;
	b.done = 0;
	b.error = 0;
	ASSERT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_BATCH, &b));
	EXPECT_EQ(3, b.done);
	EXPECT_EQ(0, b.error);
	ASSERT_EQ(0, real_unregister(2, PG(3), PGS(2)));
	ASSERT_EQ(0, real_close(1));
	ASSERT_EQ(0, real_register(2, PG(1), PGS(6), UW));
	CHECK("1-7:rw-p", "w", "A");
}

/* ---- the other kernel's rules -------------------------------------------------------- */

/*
 * The shadow follows its rules parameter, not the running kernel: each
 * result here is the one the tests above check against the real kernel
 * on the other lane (register_nothing_above, register_tail_pgoff,
 * handshake_and_numbers).
 */
TEST(rules_decide)
{
	unsigned int rules;

	for (rules = VMASHADOW_RULES_6_1; rules <= VMASHADOW_RULES_6_12;
	     rules++) {
		bool r61 = rules == VMASHADOW_RULES_6_1;

		ASSERT_LE(0, vms_open());
		ASSERT_EQ(0, vms_set_rules(vms_fd, rules));
		EXPECT_EQ(r61 ? -EINVAL : 0,
			  shadow_uffd(VMASHADOW_IOC_UFFD_API, 2, 0, 0,
				      F_WP_ASYNC, 0));
		ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_API, 1, 0, 0, 0, 0));
		ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(1), PGS(6), RW,
					    MAP_PRIVATE | MAP_ANONYMOUS |
					    MAP_FIXED, -1, 0, NULL));
		/* nothing above page 7 in this shadow */
		EXPECT_EQ(r61 ? -ENOMEM : -EINVAL,
			  shadow_uffd(VMASHADOW_IOC_UFFD_REGISTER, 1, PG(8),
				      PGS(1), UM, 0));
		EXPECT_EQ(r61 ? -ENOMEM : -EINVAL,
			  shadow_uffd(VMASHADOW_IOC_UFFD_UNREGISTER, 1, PG(8),
				      PGS(1), 0, 0));
		/* the tail beside a registered neighbour */
		ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_REGISTER, 1, PG(5),
					 PGS(2), UM, 0));
		ASSERT_EQ(0, shadow_uffd(VMASHADOW_IOC_UFFD_REGISTER, 1, PG(3),
					 PGS(2), UM, 0));
		EXPECT_EQ(r61 ? 3 : 2, vms_shadow_map_count(vms_fd));
		EXPECT_EQ(0, vms_validate(vms_fd, NULL));
		close(vms_fd);
	}
}

TEST_HARNESS_MAIN
