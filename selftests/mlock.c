// SPDX-License-Identifier: GPL-2.0
/*
 * mlock: mlock(2), mlock2(2), munlock(2), mlockall(2) and munlockall(2)
 * against mm/mlock.c of 6.1 and 6.12.
 *
 * mlock_fixup() splits and merges as mprotect does.  A hole in the range
 * gives -ENOMEM with the part before it already locked, and then nothing
 * is faulted in.  Otherwise __mm_populate() faults the range in: private
 * writable memory is written, which gives it an anon_vma (hidden state
 * that decides later merges), and the walk stops at the first region it
 * cannot fault (PROT_NONE: -EFAULT, which mlock reports as -ENOMEM, the
 * range staying locked).  MLOCK_ONFAULT faults nothing.  mlockall(2)
 * locks every region and MCL_FUTURE sets mm->def_flags; a fork child
 * inherits neither.
 *
 * VM_LOCKED is invisible in maps: the real side is read from the
 * "VmFlags:" lines of /proc/self/smaps ("lo") and from "VmLck:" of
 * /proc/self/status, which STATS.locked_pages must equal.  VM_LOCKONFAULT
 * and the anon_vmas show in the merges that follow, and in an IMPORT of
 * the real range into a second descriptor, compared region by region.
 *
 * The mlockall tests run in a child, which imports its whole address
 * space into a fresh shadow and compares all of /proc/self/maps but the
 * [stack] line.
 */
#include <limits.h>
#include <sys/resource.h>

#include "vms_test.h"

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT	0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT	4
#endif
#ifndef ARCH_MAP_VDSO_64
#define ARCH_MAP_VDSO_64	0x2003
#endif

#define R	PROT_READ
#define W	PROT_WRITE
#define X	PROT_EXEC
#define RW	(PROT_READ | PROT_WRITE)
#define N	PROT_NONE

#define LK	VMASHADOW_VM_LOCKED
#define OF	VMASHADOW_VM_LOCKONFAULT

#define ANON(pg)	(vms_region_at(pg).anon_id)

/* ---- what the real kernel says --------------------------------------- */

/*
 * In the last smaps read (vms_read_smaps()): 1 if the VMA holding @addr
 * has the VmFlags mnemonic @mn, 0 if not, -1 if no VMA holds @addr.
 */
static int smaps_flag(unsigned long addr, const char *mn)
{
	const char *line = vms_smaps;
	int in = 0;

	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *p = line;
		unsigned long s, e;

		s = vms_hex(&p);
		if (p != line && *p == '-') {
			const char *q = ++p;

			e = vms_hex(&p);
			if (p != q && *p == ' ') {
				if (in)
					return -1;	/* no VmFlags line */
				in = s <= addr && addr < e;
			}
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			return vms_vmflags_has(line + 8, mn);
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return -1;
}

/*
 * The real VMA holding @addr as IMPORT reads it (its vm_flags as the
 * kernel holds them, VM_LOCKONFAULT included), through a scratch shadow.
 */
static long real_region(unsigned long addr, struct vmashadow_region *reg)
{
	struct vmashadow_find f;
	int fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	long ret;

	if (fd < 0)
		return -errno;
	ret = vms_import(fd, 0, addr, addr + 1, NULL);
	if (!ret)
		ret = vms_find(fd, VMASHADOW_FIND_LOOKUP, addr, 0, &f);
	close(fd);
	if (ret)
		return ret;
	if (!(f.found & VMASHADOW_FOUND_REGION))
		return -ENOENT;
	*reg = f.region;
	return 0;
}

/* ---- comparisons -------------------------------------------------------- */

/* VmLck when the test began: the window's locks come on top of it. */
static long lck_base;

#define SETUP() do {							\
	VMS_SETUP();							\
	lck_base = vms_status_pages("VmLck");				\
	ASSERT_LE(0, lck_base);						\
} while (0)

/* Page @pg is (want 1) or is not (0) in a VM_LOCKED region, both sides. */
#define CHECK_LOCKED(pg, want) do {					\
	ASSERT_LE(0, vms_read_smaps());					\
	EXPECT_EQ(want, smaps_flag(PG(pg), "lo"))			\
		TH_LOG("real VmFlags of page %d", (int)(pg));		\
	ASSERT_EQ(want, !!(FLAGS(pg) & LK))				\
		TH_LOG("shadow flags of page %d: 0x%llx", (int)(pg),	\
		       (unsigned long long)FLAGS(pg));			\
} while (0)

/* Page @pg's region has (1) or has not (0) VM_LOCKONFAULT, both sides. */
#define CHECK_ONFAULT(pg, want) do {					\
	struct vmashadow_region __r;					\
	ASSERT_EQ(0, real_region(PG(pg), &__r));			\
	EXPECT_EQ(want, !!(__r.vm_flags & OF))				\
		TH_LOG("real flags of page %d: 0x%llx", (int)(pg),	\
		       (unsigned long long)__r.vm_flags);		\
	ASSERT_EQ(want, !!(FLAGS(pg) & OF))				\
		TH_LOG("shadow flags of page %d: 0x%llx", (int)(pg),	\
		       (unsigned long long)FLAGS(pg));			\
} while (0)

/* Page @pg's region has (1) or has not (0) an anon_vma, both sides. */
#define CHECK_ANON(pg, want) do {					\
	struct vmashadow_region __r;					\
	ASSERT_EQ(0, real_region(PG(pg), &__r));			\
	EXPECT_EQ(want, !!__r.anon_id)					\
		TH_LOG("real anon_vma of page %d", (int)(pg));		\
	ASSERT_EQ(want, !!ANON(pg))					\
		TH_LOG("shadow anon_vma of page %d", (int)(pg));	\
} while (0)

/* The window's locks: the shadow's locked pages are the rise of VmLck. */
#define CHECK_LOCKED_PAGES() do {					\
	struct vmashadow_stats __st;					\
	long __rp = vms_status_pages("VmLck");				\
	ASSERT_LE(0, __rp);						\
	ASSERT_EQ(0, vms_stats(vms_fd, &__st));				\
	ASSERT_EQ(__rp - lck_base, (long)__st.locked_pages)		\
		TH_LOG("VmLck %ld pages (%ld at the start), shadow %llu", \
		       __rp, lck_base,				\
		       (unsigned long long)__st.locked_pages);		\
} while (0)

/* The window's hidden state equals the real one. */
#define CHECK_STATE() do {						\
	const char *__d = vms_state_diff(VMS_WIN, PG(VMS_WIN_PAGES),	\
					 0, 0);				\
	ASSERT_EQ(NULL, __d) TH_LOG("%s", __d);				\
} while (0)

/*
 * VM_LOCKED of every shadow region in [lo, hi) equals the "lo" of the real
 * VMA at its start.
 */
static const char *locks_diff(unsigned long lo, unsigned long hi)
{
	long n, i;

	if (vms_read_smaps() < 0)
		return "read /proc/self/smaps";
	n = vms_regions_of(vms_fd, lo, hi, vms_reg_s);
	if (n < 0)
		return "FIND";
	for (i = 0; i < n; i++) {
		int real = smaps_flag(vms_reg_s[i].start, "lo");

		if (real != !!(vms_reg_s[i].vm_flags & LK)) {
			snprintf(vms_state_msg, sizeof(vms_state_msg),
				 "region 0x%llx-0x%llx: shadow flags 0x%llx, real VmFlags %s",
				 (unsigned long long)vms_reg_s[i].start,
				 (unsigned long long)vms_reg_s[i].end,
				 (unsigned long long)vms_reg_s[i].vm_flags,
				 real < 0 ? "missing" : real ? "lo" : "without lo");
			return vms_state_msg;
		}
	}
	return NULL;
}

#define CHECK_LOCKS(lo, hi) do {					\
	const char *__d = locks_diff(lo, hi);				\
	ASSERT_EQ(NULL, __d) TH_LOG("%s", __d);				\
} while (0)

/* ---- the whole address space (the mlockall tests) ----------------------- */

/* Drops the [stack] line: the real stack grows as the test runs. */
static void drop_stack(char *maps)
{
	char *p = strstr(maps, "[stack]"), *line, *eol;

	if (!p)
		return;
	for (line = p; line > maps && line[-1] != '\n'; line--)
		;
	eol = strchr(p, '\n');
	memmove(line, eol ? eol + 1 : p + strlen(p),
		strlen(eol ? eol + 1 : p + strlen(p)) + 1);
}

/* All of /proc/self/maps but [stack] equals the shadow's read(). */
#define CHECK_ALL() do {						\
	ASSERT_EQ(0, vms_snapshot_range(0, ~0UL));			\
	drop_stack(vms_real_rng);					\
	drop_stack(vms_shadow_rng);					\
	ASSERT_STREQ(vms_real_rng, vms_shadow_rng)			\
		TH_LOG("real:\n%sshadow:\n%s", vms_real_rng, vms_shadow_rng); \
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

/* The shadow's stack pointer region (start_stack), for vms_state_diff(). */
static unsigned long shadow_stack(void)
{
	struct vmashadow_params p;

	if (vms_get_params(vms_fd, &p))
		return 0;
	return p.start_stack;
}

/*
 * Everywhere: VM_LOCKED and the hidden state of every region, and
 * STATS.locked_pages against VmLck (the [stack] left out of both when it
 * is locked: the real one may have grown).
 */
#define CHECK_ALL_STATE() do {						\
	struct vmashadow_stats __st;					\
	struct vmashadow_find __f;					\
	unsigned long __ss = shadow_stack(), __s, __e;			\
	const char *__d;						\
	long __rp, __sp;						\
	CHECK_ALL();							\
	CHECK_LOCKS(0, ~0UL);						\
	__d = vms_state_diff(0, ~0UL, __ss, 0);				\
	ASSERT_EQ(NULL, __d) TH_LOG("%s", __d);				\
	__rp = vms_status_pages("VmLck");				\
	ASSERT_LE(0, __rp);						\
	ASSERT_EQ(0, vms_stats(vms_fd, &__st));				\
	__sp = __st.locked_pages;					\
	ASSERT_LE(0, vms_read_real_maps());				\
	ASSERT_EQ(0, vms_find_line(vms_real_maps, "[stack]", &__s, &__e)); \
	ASSERT_LE(0, vms_read_smaps());					\
	if (smaps_flag(__s, "lo") == 1)					\
		__rp -= (__e - __s) / VMS_PS;				\
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, __ss, 0, &__f)); \
	if ((__f.found & VMASHADOW_FOUND_REGION) &&			\
	    (__f.region.vm_flags & LK))					\
		__sp -= (__f.region.end - __f.region.start) / VMS_PS; \
	ASSERT_EQ(__rp, __sp)					\
		TH_LOG("locked pages but the stack: VmLck %ld, shadow %ld", \
		       __rp, __sp);				\
} while (0)

static __u64 def_flags(void)
{
	struct vmashadow_params p;

	if (vms_get_params(vms_fd, &p))
		return ~0ULL;
	return p.def_flags;
}

/*
 * In a child (mlockall() must not lock the test itself): a fresh shadow
 * holding the child's whole address space.
 */
#define CHILD_IMPORT() do {						\
	ASSERT_LE(0, vms_open());					\
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));		\
	lck_base = 0;							\
	CHECK_ALL_STATE();						\
} while (0)

/* ---- splits and merges ---------------------------------------------------- */

/*
 *   0123456789
 *    AAAAAA        rw-, touched: one anon_vma for all its pieces
 *      LL          mlock: three regions, VM_LOCKED in the middle only
 *      --          munlock: one region again
 *    LLLLLL        the whole region: no split
 *    AAAABBB       after munlock, 5-8 r--: mlock 2-7 over both
 */
TEST(split_and_merge)
{
	SETUP();
	MAP(0, 1, 6, RW, 0);
	TOUCH(1);
	MLOCK(0, 3, 2);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p");
	CHECK_LOCKED(1, 0);
	CHECK_LOCKED(3, 1);
	CHECK_LOCKED(5, 0);
	CHECK_ONFAULT(3, 0);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	/* Again: nothing changes. */
	MLOCK(0, 3, 2);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p");
	MUNLOCK(0, 3, 2);
	CHECK_LAYOUT("1-7:rw-p");
	CHECK_LOCKED(3, 0);
	CHECK_LOCKED_PAGES();
	MLOCK(0, 1, 6);
	CHECK_LAYOUT("1-7:rw-p");
	CHECK_LOCKED(1, 1);
	CHECK_LOCKED_PAGES();
	MUNLOCK(0, 1, 6);
	CHECK_LOCKED(1, 0);
	/* Two regions at once: each is cut where the range ends. */
	PROTECT(0, 5, 2, R);
	MAP(0, 7, 1, R, 0);
	CHECK_LAYOUT("1-5:rw-p 5-7:r--p 7-8:r--p");
	MLOCK(0, 2, 5);
	CHECK_LAYOUT("1-2:rw-p 2-5:rw-p 5-7:r--p 7-8:r--p");
	CHECK_LOCKED(1, 0);
	CHECK_LOCKED(2, 1);
	CHECK_LOCKED(5, 1);
	CHECK_LOCKED(7, 0);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	MUNLOCK(0, 1, 7);
	CHECK_LAYOUT("1-5:rw-p 5-7:r--p 7-8:r--p");
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
}

/*
 * What mlock's populate does to a region depends on what it is: private
 * memory that may be written is written (an anon_vma), anything else is
 * read, PROT_NONE fails (-ENOMEM, locked all the same), MLOCK_ONFAULT
 * faults nothing.  The anon_vma shows when the middle is unlocked again:
 * a faulted region cannot join unfaulted neighbours.
 *
 *   0123456789
 *    AAAAAA        unfaulted
 *      LL          mlock2(flags): three regions
 *      --          munlock: one region, or three if it was faulted
 */
FIXTURE(populate) {
	int file;
	char path[64];
};

FIXTURE_VARIANT(populate) {
	int prot;
	int flags;		/* MAP_*, with MAP_PRIVATE or MAP_SHARED */
	int use_file;
	int lock_flags;		/* mlock2's */
	long err;		/* mlock's result */
	int anon;		/* the middle gets an anon_vma */
	const char *perms;
};

FIXTURE_VARIANT_ADD(populate, anon_rw) {
	.prot = RW, .flags = MAP_PRIVATE | MAP_ANONYMOUS, .anon = 1,
	.perms = "rw-p",
};
FIXTURE_VARIANT_ADD(populate, anon_rw_onfault) {
	.prot = RW, .flags = MAP_PRIVATE | MAP_ANONYMOUS,
	.lock_flags = MLOCK_ONFAULT, .perms = "rw-p",
};
FIXTURE_VARIANT_ADD(populate, anon_w) {
	.prot = W, .flags = MAP_PRIVATE | MAP_ANONYMOUS, .anon = 1,
	.perms = "-w-p",
};
FIXTURE_VARIANT_ADD(populate, anon_r) {
	.prot = R, .flags = MAP_PRIVATE | MAP_ANONYMOUS, .perms = "r--p",
};
FIXTURE_VARIANT_ADD(populate, anon_x) {
	.prot = X, .flags = MAP_PRIVATE | MAP_ANONYMOUS, .perms = "--xp",
};
FIXTURE_VARIANT_ADD(populate, anon_none) {
	.prot = N, .flags = MAP_PRIVATE | MAP_ANONYMOUS, .err = -ENOMEM,
	.perms = "---p",
};
FIXTURE_VARIANT_ADD(populate, anon_none_onfault) {
	.prot = N, .flags = MAP_PRIVATE | MAP_ANONYMOUS,
	.lock_flags = MLOCK_ONFAULT, .perms = "---p",
};
FIXTURE_VARIANT_ADD(populate, shared_rw) {
	.prot = RW, .flags = MAP_SHARED | MAP_ANONYMOUS, .perms = "rw-s",
};
FIXTURE_VARIANT_ADD(populate, file_private_rw) {
	.prot = RW, .flags = MAP_PRIVATE, .use_file = 1, .anon = 1,
	.perms = "rw-p",
};
FIXTURE_VARIANT_ADD(populate, file_private_r) {
	.prot = R, .flags = MAP_PRIVATE, .use_file = 1, .perms = "r--p",
};
FIXTURE_VARIANT_ADD(populate, file_shared_rw) {
	.prot = RW, .flags = MAP_SHARED, .use_file = 1, .perms = "rw-s",
};

FIXTURE_SETUP(populate)
{
	self->file = -1;
	SETUP();
	if (variant->use_file) {
		self->file = vms_make_file(self->path, sizeof(self->path),
					   "mlock", 8);
		ASSERT_LE(0, self->file);
	}
}

FIXTURE_TEARDOWN(populate)
{
	if (self->file >= 0) {
		close(self->file);
		unlink(self->path);
	}
}

TEST_F(populate, middle)
{
	char split[128], whole[64];
	const char *p = variant->perms;

	snprintf(split, sizeof(split), "1-3:%s 3-5:%s 5-7:%s", p, p, p);
	snprintf(whole, sizeof(whole), "1-7:%s", p);
	if (variant->use_file)
		MAPF(0, 1, 6, variant->prot, variant->flags, self->file, 0);
	else
		VMS_CHECK_RES(0, vms_both_map(PG(1), PGS(6), variant->prot,
					      variant->flags | MAP_FIXED, -1, 0));
	CHECK_LAYOUT(whole);
	if (variant->lock_flags)
		MLOCK2(variant->err, 3, 2, variant->lock_flags);
	else
		MLOCK(variant->err, 3, 2);
	CHECK_LAYOUT(split);
	CHECK_LOCKED(1, 0);
	CHECK_LOCKED(3, 1);
	CHECK_LOCKED(5, 0);
	CHECK_ONFAULT(3, !!variant->lock_flags);
	CHECK_ANON(3, variant->anon);
	CHECK_ANON(1, 0);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	MUNLOCK(0, 3, 2);
	CHECK_LAYOUT(variant->anon ? split : whole);
	CHECK_LOCKED(3, 0);
	CHECK_ONFAULT(3, 0);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
}

/*
 * A hole: the part before it is locked, then -ENOMEM, and nothing is
 * faulted in (the populate never runs), so the locked part can merge back
 * when it is unlocked.
 *
 *   0123456789ab
 *    AAAA  BB      rw-, rw-, unfaulted
 *      LLLLLL      mlock 3-9: A's tail locked, -ENOMEM at the hole
 *      ------      munlock 3-9: A whole again, -ENOMEM at the hole
 *          LLLL    mlock 7-11: B locked, -ENOMEM after it
 */
TEST(hole)
{
	SETUP();
	MAP(0, 1, 4, RW, 0);
	MAP(0, 7, 2, RW, 0);
	MLOCK(-ENOMEM, 3, 6);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 7-9:rw-p");
	CHECK_LOCKED(1, 0);
	CHECK_LOCKED(3, 1);
	CHECK_LOCKED(7, 0);
	CHECK_ANON(3, 0);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	MUNLOCK(-ENOMEM, 3, 6);
	CHECK_LAYOUT("1-5:rw-p 7-9:rw-p");
	CHECK_LOCKED(3, 0);
	CHECK_LOCKED_PAGES();
	/* Starting in the hole: nothing at all happens. */
	MLOCK(-ENOMEM, 5, 3);
	MLOCK2(-ENOMEM, 5, 3, MLOCK_ONFAULT);
	MUNLOCK(-ENOMEM, 5, 3);
	CHECK_LAYOUT("1-5:rw-p 7-9:rw-p");
	CHECK_LOCKED(7, 0);
	/* Ending past everything: B is locked whole, no split. */
	MLOCK(-ENOMEM, 7, 4);
	CHECK_LAYOUT("1-5:rw-p 7-9:rw-p");
	CHECK_LOCKED(7, 1);
	CHECK_ANON(7, 0);
	CHECK_LOCKED_PAGES();
	/* Nothing mapped at all. */
	MLOCK(-ENOMEM, 20, 2);
	MUNLOCK(-ENOMEM, 20, 2);
	CHECK_LAYOUT("1-5:rw-p 7-9:rw-p");
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
}

/*
 * PROT_NONE stops the populate: -EFAULT, which mlock reports as -ENOMEM,
 * with the whole range locked.  What lies after it stays unfaulted.
 *
 *   0123456789
 *    AANNBB        rw-, ---, rw-, unfaulted
 *    LLLLLL        mlock: all locked, A written, -ENOMEM at N, B untouched
 *    ------        munlock: three regions still (prot differs)
 *      ++          N to rw-: joins A and B only if B has no anon_vma
 */
TEST(prot_none)
{
	SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, N, 0);
	MAP(0, 5, 2, RW, 0);
	MLOCK(-ENOMEM, 1, 6);
	CHECK_LAYOUT("1-3:rw-p 3-5:---p 5-7:rw-p");
	CHECK_LOCKED(1, 1);
	CHECK_LOCKED(3, 1);
	CHECK_LOCKED(5, 1);
	CHECK_ANON(1, 1);
	CHECK_ANON(3, 0);
	CHECK_ANON(5, 0);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	/* Already locked: no change, but the populate fails again. */
	MLOCK(-ENOMEM, 3, 2);
	/* MLOCK_ONFAULT does not populate: no error. */
	MLOCK2(0, 3, 2, MLOCK_ONFAULT);
	CHECK_LAYOUT("1-3:rw-p 3-5:---p 5-7:rw-p");
	CHECK_ONFAULT(3, 1);
	CHECK_LOCKED_PAGES();
	MUNLOCK(0, 1, 6);
	CHECK_LAYOUT("1-3:rw-p 3-5:---p 5-7:rw-p");
	CHECK_LOCKED(3, 0);
	CHECK_LOCKED_PAGES();
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-7:rw-p");
	CHECK_STATE();
}

/*
 * MLOCK_ONFAULT: VM_LOCKONFAULT besides VM_LOCKED, nothing faulted.  The
 * two kinds of lock differ in a flag, so they do not merge; mlock without
 * it on an ONFAULT region clears it and populates.
 *
 *   0123456789
 *    AAAAAAAA      rw-, unfaulted
 *      FF          mlock2 ONFAULT: split, no anon_vma
 *          LL      mlock: split, populated (an anon_vma of its own)
 *        FF        mlock2 ONFAULT: joins 3-5
 *      ----        munlock: back into A
 *          FF      mlock2 ONFAULT on L: the flag changes, nothing else
 *    FF            mlock2 ONFAULT, touched: an anon_vma of its own
 *    LLLLLLLL      mlock: 1-7 one region, 7-9 apart (two anon_vmas)
 *    FFFFFFFF      mlock2 ONFAULT, munlock 3-5, munlock all
 */
TEST(onfault)
{
	SETUP();
	MAP(0, 1, 8, RW, 0);
	MLOCK2(0, 3, 2, MLOCK_ONFAULT);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-9:rw-p");
	CHECK_LOCKED(3, 1);
	CHECK_ONFAULT(3, 1);
	CHECK_ANON(3, 0);
	MLOCK(0, 7, 2);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p 7-9:rw-p");
	CHECK_LOCKED(7, 1);
	CHECK_ONFAULT(7, 0);
	CHECK_ANON(7, 1);
	MLOCK2(0, 5, 2, MLOCK_ONFAULT);
	CHECK_LAYOUT("1-3:rw-p 3-7:rw-p 7-9:rw-p");
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	MUNLOCK(0, 3, 4);
	CHECK_LAYOUT("1-7:rw-p 7-9:rw-p");
	CHECK_LOCKED(3, 0);
	CHECK_ONFAULT(3, 0);
	CHECK_LOCKED_PAGES();
	/* Locked and populated to locked on fault: the flags change. */
	MLOCK2(0, 7, 2, MLOCK_ONFAULT);
	CHECK_ONFAULT(7, 1);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	/* A fault in an ONFAULT region gives it its anon_vma. */
	MLOCK2(0, 1, 2, MLOCK_ONFAULT);
	CHECK_LAYOUT("1-3:rw-p 3-7:rw-p 7-9:rw-p");
	TOUCH(2);
	CHECK_ANON(1, 1);
	CHECK_STATE();
	/* mlock without ONFAULT populates what ONFAULT left alone. */
	MLOCK(0, 1, 8);
	CHECK_ONFAULT(1, 0);
	CHECK_ONFAULT(7, 0);
	CHECK_ANON(3, 1);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	CHECK_LAYOUT("1-7:rw-p 7-9:rw-p");
	/* munlock of locked+onfault: splits, and merges back when all go. */
	MLOCK2(0, 1, 8, MLOCK_ONFAULT);
	MUNLOCK(0, 3, 2);
	CHECK_LOCKED(3, 0);
	CHECK_ONFAULT(3, 0);
	CHECK_ONFAULT(5, 1);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	MUNLOCK(0, 1, 8);
	CHECK_LAYOUT("1-7:rw-p 7-9:rw-p");
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
}

/*
 * mlock rounds the start down and the length up (len + the start's offset
 * in its page), as munlock does; a length of 0 at an aligned start does
 * nothing, at an unaligned one it is a page.  A length that wraps is
 * -EINVAL, one that rounds up to 0 is nothing at all.
 *
 *   0123456789
 *    AAAAAA        rw-, touched
 *      LL          mlock(p3 + 100, 4096)
 *       -          munlock(p4 + 1, 1): back to A's side
 *     L            mlock(p2 + 5, 0): page 2
 */
TEST(rounding)
{
	SETUP();
	MAP(0, 1, 6, RW, 0);
	TOUCH(1);
	VMS_CHECK_RES(0, vms_both_mlock(PG(3) + 100, VMS_PS, VMS_VIA_MLOCK));
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p");
	CHECK_LOCKED(4, 1);
	VMS_CHECK_RES(0, vms_both_munlock(PG(4) + 1, 1));
	CHECK_LAYOUT("1-3:rw-p 3-4:rw-p 4-7:rw-p");
	CHECK_LOCKED(3, 1);
	CHECK_LOCKED(4, 0);
	VMS_CHECK_RES(0, vms_both_mlock(PG(2) + 5, 0, MLOCK_ONFAULT));
	CHECK_LAYOUT("1-2:rw-p 2-3:rw-p 3-4:rw-p 4-7:rw-p");
	CHECK_ONFAULT(2, 1);
	VMS_CHECK_RES(0, vms_both_mlock(PG(2) + 5, 0, VMS_VIA_MLOCK));
	CHECK_LAYOUT("1-2:rw-p 2-4:rw-p 4-7:rw-p");
	CHECK_LOCKED_PAGES();
	/* Length 0 at an aligned start: nothing, even over a hole. */
	VMS_CHECK_RES(0, vms_both_mlock(PG(5), 0, VMS_VIA_MLOCK));
	VMS_CHECK_RES(0, vms_both_mlock(PG(20), 0, MLOCK_ONFAULT));
	VMS_CHECK_RES(0, vms_both_munlock(PG(20), 0));
	VMS_CHECK_RES(0, vms_both_munlock(PG(2), 0));
	/* Unaligned: one page, here a hole. */
	VMS_CHECK_RES(-ENOMEM, vms_both_mlock(PG(20) + 1, 0, VMS_VIA_MLOCK));
	VMS_CHECK_RES(-ENOMEM, vms_both_munlock(PG(20) + 1, 0));
	/* A length that wraps past the top: -EINVAL (not capped). */
	VMS_CHECK_RES(-EINVAL, vms_both_mlock(PG(1), -PG(1), VMS_VIA_MLOCK));
	VMS_CHECK_RES(-EINVAL, vms_both_mlock(PG(1), -VMS_PS, MLOCK_ONFAULT));
	VMS_CHECK_RES(-EINVAL, vms_both_munlock(PG(1), -VMS_PS));
	/* One that PAGE_ALIGN() wraps to 0: nothing. */
	VMS_CHECK_RES(0, vms_both_mlock(PG(1), ~0UL, VMS_VIA_MLOCK));
	VMS_CHECK_RES(0, vms_both_munlock(PG(2), ~0UL));
	CHECK_LAYOUT("1-2:rw-p 2-4:rw-p 4-7:rw-p");
	CHECK_LOCKED(2, 1);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	/*
	 * Nothing at all means no populate either: not of PROT_NONE memory
	 * (which would fail), not of unfaulted memory (which would get an
	 * anon_vma).  Found by selftests/conform.
	 */
	MAP(0, 10, 2, N, 0);
	MAP(0, 13, 2, RW, 0);
	VMS_CHECK_RES(0, vms_both_mlock(PG(13), 0, VMS_VIA_MLOCK));
	VMS_CHECK_RES(0, vms_both_mlock(PG(14), ~0UL, VMS_VIA_MLOCK));
	CHECK_ANON(13, 0);
	VMS_CHECK_RES(0, vms_both_mlock(PG(10), 0, VMS_VIA_MLOCK));
	VMS_CHECK_RES(0, vms_both_mlock(PG(10), ~0UL, VMS_VIA_MLOCK));
	CHECK_LAYOUT("1-2:rw-p 2-4:rw-p 4-7:rw-p 10-12:---p 13-15:rw-p");
	CHECK_STATE();
}

/*
 * Flags: mlock2 takes MLOCK_ONFAULT only, mlockall a non-empty mix of
 * MCL_CURRENT, MCL_FUTURE and MCL_ONFAULT that is not MCL_ONFAULT alone.
 * The checks come first: a hole or nothing at all makes no difference.
 */
TEST(bad_flags)
{
	SETUP();
	MAP(0, 1, 2, RW, 0);
	MLOCK2(-EINVAL, 1, 2, 2);
	MLOCK2(-EINVAL, 1, 2, MLOCK_ONFAULT | 0x100);
	MLOCK2(-EINVAL, 1, 2, -1);
	MLOCK2(-EINVAL, 5, 2, 2);
	MLOCKALL(-EINVAL, 0);
	MLOCKALL(-EINVAL, MCL_ONFAULT);
	MLOCKALL(-EINVAL, 8);
	MLOCKALL(-EINVAL, MCL_CURRENT | 8);
	MLOCKALL(-EINVAL, MCL_FUTURE | MCL_ONFAULT | 0x80);
	MLOCKALL(-EINVAL, -1);
	CHECK_LAYOUT("1-3:rw-p");
	CHECK_LOCKED(1, 0);
	EXPECT_EQ(0, def_flags());
	CHECK_LOCKED_PAGES();
	/* The ioctls' own rule: MUNLOCK, MUNLOCKALL take no flags. */
	EXPECT_EQ(-EINVAL, vms_shadow_lock(vms_fd, VMASHADOW_IOC_MUNLOCK,
					   PG(1), PGS(2), 1));
	EXPECT_EQ(-EINVAL, vms_shadow_lock(vms_fd, VMASHADOW_IOC_MUNLOCKALL,
					   0, 0, 1));
	CHECK_LAYOUT("1-3:rw-p");
}

/*
 * A fork child has no locks: VM_LOCKED and VM_LOCKONFAULT stay behind, so
 * pieces that differed only in them are alike but apart in the child,
 * and join at the next change that looks at them.
 *
 *   parent:
 *   0123456789
 *    AAAAAA        rw-, unfaulted
 *      FF          mlock2 ONFAULT
 *          LL      mlock 8-10 (a region of its own), populated
 *   child:
 *    AAFFAA LL     unlocked, still three regions; locked_pages 0
 *      rr          r-- and back to rw-: one region
 */
TEST(fork_unlocked)
{
	long cfd;
	pid_t pid;

	SETUP();
	MAP(0, 1, 6, RW, 0);
	MAP(0, 8, 2, RW, 0);
	MLOCK2(0, 3, 2, MLOCK_ONFAULT);
	MLOCK(0, 8, 2);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p 8-10:rw-p");
	CHECK_LOCKED_PAGES();
	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmashadow_stats st;

		vms_fd = cfd;
		CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p 8-10:rw-p");
		CHECK_LOCKS(0, ~0UL);
		CHECK_ONFAULT(3, 0);
		ASSERT_EQ(0, vms_stats(vms_fd, &st));
		EXPECT_EQ(0, st.locked_pages);
		EXPECT_EQ(0, vms_status_pages("VmLck"));
		EXPECT_EQ(0, def_flags());
		CHECK_STATE();
		PROTECT(0, 3, 2, R);
		PROTECT(0, 3, 2, RW);
		CHECK_LAYOUT("1-7:rw-p 8-10:rw-p");
		CHECK_STATE();
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
	close(cfd);
	CHECK_LOCKED(3, 1);
	CHECK_ONFAULT(3, 1);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
}

/*
 * mprotect() making locked private memory writable faults it in for a
 * write (mprotect_fixup()), which gives it an anon_vma; locked on fault,
 * it does not.
 *
 *   0123456789
 *    RRRR  FF      r-- locked (populated by reading: no anon_vma); F r--
 *                  locked on fault
 *      ++          rw-: written now; back to r--, it keeps VM_ACCOUNT
 *          ++      rw- and back: nothing faulted
 */
TEST(protect_locked)
{
	int k = vms_kernel();

	SETUP();
	MAP(0, 1, 4, R, 0);
	MAP(0, 7, 2, R, 0);
	MLOCK(0, 1, 4);
	MLOCK2(0, 7, 2, MLOCK_ONFAULT);
	CHECK_ANON(1, 0);
	PROTECT(0, 3, 2, RW);
	CHECK_LAYOUT("1-3:r--p 3-5:rw-p 7-9:r--p");
	CHECK_ANON(3, 1);
	CHECK_LOCKED(3, 1);
	PROTECT(0, 3, 2, R);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p 7-9:r--p");
	PROTECT(0, 7, 2, RW);
	CHECK_ANON(7, 0);
	CHECK_ONFAULT(7, 1);
	PROTECT(0, 7, 2, R);
	CHECK_LAYOUT("1-3:r--p 3-5:r--p 7-9:r--p");
	if (k == 61 || k == 612)
		EXPECT_EQ(k == 61, !!(FLAGS(7) & VMASHADOW_VM_ACCOUNT));
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
}

/*
 * mremap() of locked memory: growth in place is locked and faulted in
 * (unless locked on fault), a move takes the lock along, and
 * MREMAP_DONTUNMAP splits the source off first, leaves it unlocked and
 * without its anon_vma, the destination locked.  locked_vm follows.
 *
 *   0123456789abcdefghijklmnopqrstuvw
 *    LLLLLL                               rw-, locked, populated
 *      ->       DD                        DONTUNMAP 3-5 to 10-12
 *                 LGG                     14-15 locked, grown in place
 *                      FGG                20-21 locked on fault, grown
 *    ->                          MM       moved 1-3 to 30-32
 */
TEST(remap_locked)
{
	SETUP();
	MAP(0, 1, 6, RW, 0);
	MLOCK(0, 1, 6);
	REMAP(0, 3, 2, 2, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
	      10, 10);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p 10-12:rw-p");
	CHECK_LOCKED(1, 1);
	CHECK_LOCKED(3, 0);
	CHECK_LOCKED(10, 1);
	CHECK_ANON(3, 0);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	MAP(0, 14, 1, RW, 0);
	MLOCK(0, 14, 1);
	REMAP(0, 14, 1, 3, 0, -1, 14);
	CHECK_LOCKED(16, 1);
	MAP(0, 20, 1, RW, 0);
	MLOCK2(0, 20, 1, MLOCK_ONFAULT);
	REMAP(0, 20, 1, 3, 0, -1, 20);
	CHECK_ANON(20, 0);
	CHECK_ONFAULT(22, 1);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p 10-12:rw-p 14-17:rw-p 20-23:rw-p");
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	REMAP(0, 1, 2, 2, MREMAP_MAYMOVE | MREMAP_FIXED, 30, 30);
	REMAP(0, 5, 2, 4, MREMAP_MAYMOVE | MREMAP_FIXED, 40, 40);
	CHECK_LAYOUT("3-5:rw-p 10-12:rw-p 14-17:rw-p 20-23:rw-p 30-32:rw-p 40-44:rw-p");
	CHECK_LOCKED(30, 1);
	CHECK_LOCKED(43, 1);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
}

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif

/*
 * 6.12: droppable memory is never locked (vma_supports_mlock()), but the
 * populate after it runs over it all the same: it is written, and gets
 * an anon_vma.  6.1 knows no MAP_DROPPABLE.
 */
TEST(droppable)
{
	int k = vms_kernel();

	SETUP();
	if (k != 612) {
		VMS_CHECK_RES(-EINVAL, vms_both_map(PG(1), PGS(4), RW,
						    MAP_DROPPABLE | MAP_ANONYMOUS |
						    MAP_FIXED, -1, 0));
		SKIP(return, "no MAP_DROPPABLE before 6.11");
	}
	VMS_CHECK_RES(0, vms_both_map(PG(1), PGS(4), RW, MAP_DROPPABLE |
				      MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	MLOCK(0, 2, 2);
	CHECK_LAYOUT("1-5:rw-p");
	CHECK_LOCKED(2, 0);
	CHECK_ANON(1, 1);
	MLOCK2(0, 1, 4, MLOCK_ONFAULT);
	MUNLOCK(0, 1, 4);
	CHECK_LAYOUT("1-5:rw-p");
	CHECK_LOCKED(2, 0);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
}

#ifndef __NR_mseal
#define __NR_mseal	462
#endif

static struct vms_res both_seal(unsigned long addr, unsigned long len)
{
	struct vmashadow_op op = {
		.size = sizeof(op), .addr = addr, .len = len,
	};
	struct vms_res r = { 0 };

	r.real = vms_sys(syscall(__NR_mseal, addr, len, 0));
	r.shadow = vms_op(vms_fd, VMASHADOW_IOC_SEAL, &op);
	return r;
}

/*
 * 6.12: mseal() does not stop mlock: a sealed region is locked, split and
 * merged again like any other (mlock_fixup() asks no can_modify_vma()).
 *
 *   0123456789
 *    SSSSSS        rw-, sealed
 *      LL          mlock: three regions, all sealed
 *      --          munlock: one again
 */
TEST(sealed)
{
	SETUP();
	if (vms_kernel() != 612)
		SKIP(return, "mseal is 6.12's");
	MAP(0, 1, 6, RW, 0);
	TOUCH(1);
	VMS_CHECK_RES(0, both_seal(PG(1), PGS(6)));
	MLOCK(0, 3, 2);
	CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p");
	CHECK_LOCKED(3, 1);
	EXPECT_NE(0, FLAGS(3) & VMASHADOW_VM_SEALED);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	MLOCK2(0, 1, 6, MLOCK_ONFAULT);
	CHECK_LAYOUT("1-7:rw-p");
	MUNLOCK(0, 5, 2);
	CHECK_LAYOUT("1-5:rw-p 5-7:rw-p");
	CHECK_LOCKED(5, 0);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	/* Sealed all the same. */
	UNMAP(-EPERM, 1, 6);
	PROTECT(-EPERM, 3, 2, R);
}

/*
 * A file mapping longer than its file: the populate hits SIGBUS past the
 * end (-EFAULT, so -ENOMEM), having written what lies before it when the
 * mapping is private and writable.  The whole range stays locked.
 *
 *   0123456789abcdef
 *    PPPPPPPP          file of 4 pages, private rw-, 8 pages mapped
 *             SSSSSS   shared rw-, 6 pages
 */
TEST(past_eof)
{
	char path[64];
	int file;

	SETUP();
	file = vms_make_file(path, sizeof(path), "mleof", 4);
	ASSERT_LE(0, file);
	unlink(path);
	MAPF(0, 1, 8, RW, MAP_PRIVATE, file, 0);
	MAPF(0, 10, 6, RW, MAP_SHARED, file, 0);
	MLOCK(-ENOMEM, 1, 8);
	MLOCK(-ENOMEM, 10, 6);
	CHECK_LOCKED(1, 1);
	CHECK_LOCKED(10, 1);
	CHECK_ANON(1, 1);
	CHECK_ANON(10, 0);
	/* Within the file: fine. */
	MUNLOCK(0, 1, 8);
	MLOCK(0, 1, 4);
	MLOCK2(0, 5, 4, MLOCK_ONFAULT);
	CHECK_LAYOUT("1-5:rw-p 5-9:rw-p 10-16:rw-s");
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
	close(file);
}

/* ---- mlockall ----------------------------------------------------------------- */

/*
 * mlockall(MCL_CURRENT) locks every region but the special ones and
 * populates everything, ignoring errors; what is mapped afterwards is not
 * locked.  munlockall() undoes it and merges what differed only in the
 * lock.
 *
 *   0123456789abcdefghij
 *    AAAAAA RR NN SS UU     rw- touched, r--, ---, rw-s, rw- unfaulted
 *    (all locked; UU written)
 *      --                   munlock 3-5
 *                     VV    mapped after: not locked, apart from UU
 *    AAAAAA RR NN SS UUVV   munlockall: A whole again; U (faulted)
 *                           and V (not) stay apart
 */
TEST(mlockall_current)
{
	pid_t pid;

	SETUP();
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_IMPORT();
		MAP(0, 1, 6, RW, 0);
		TOUCH(1);
		MAP(0, 8, 2, R, 0);
		MAP(0, 11, 2, N, 0);
		MAPS(0, 14, 2, RW);
		MAP(0, 17, 2, RW, 0);
		CHECK_ALL_STATE();
		MLOCKALL(0, MCL_CURRENT);
		CHECK_LAYOUT("1-7:rw-p 8-10:r--p 11-13:---p 14-16:rw-s 17-19:rw-p");
		CHECK_LOCKED(1, 1);
		CHECK_LOCKED(11, 1);
		CHECK_LOCKED(14, 1);
		CHECK_ONFAULT(17, 0);
		CHECK_ANON(8, 0);
		CHECK_ANON(17, 1);
		EXPECT_EQ(0, def_flags());
		CHECK_ALL_STATE();
		MUNLOCK(0, 3, 2);
		MAP(0, 19, 2, RW, 0);
		CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p 8-10:r--p 11-13:---p 14-16:rw-s 17-19:rw-p 19-21:rw-p");
		CHECK_LOCKED(19, 0);
		CHECK_ALL_STATE();
		MUNLOCKALL();
		CHECK_LAYOUT("1-7:rw-p 8-10:r--p 11-13:---p 14-16:rw-s 17-19:rw-p 19-21:rw-p");
		CHECK_ALL_STATE();
		EXPECT_EQ(0, vms_status_pages("VmLck"));
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

/*
 * mlockall(MCL_CURRENT | MCL_ONFAULT) locks without faulting; a plain
 * MCL_CURRENT afterwards clears VM_LOCKONFAULT and populates.
 *
 *   0123456789ab
 *    AAAAAA BB     rw-, rw-, unfaulted
 *    FFFFFF FF     MCL_CURRENT | MCL_ONFAULT: nothing faulted
 *          +       mapped (unlocked): apart from both
 *          F       mlock2 ONFAULT: all three join
 *    LLLLLLLLL     MCL_CURRENT: populated
 *             +    mapped, unfaulted: stays apart after munlockall
 */
TEST(mlockall_onfault)
{
	pid_t pid;

	SETUP();
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_IMPORT();
		MAP(0, 1, 6, RW, 0);
		MAP(0, 8, 2, RW, 0);
		MLOCKALL(0, MCL_CURRENT | MCL_ONFAULT);
		CHECK_LAYOUT("1-7:rw-p 8-10:rw-p");
		CHECK_ONFAULT(1, 1);
		CHECK_ANON(1, 0);
		CHECK_ALL_STATE();
		MAP(0, 7, 1, RW, 0);
		CHECK_LAYOUT("1-7:rw-p 7-8:rw-p 8-10:rw-p");
		MLOCK2(0, 7, 1, MLOCK_ONFAULT);
		CHECK_LAYOUT("1-10:rw-p");
		CHECK_ALL_STATE();
		MLOCKALL(0, MCL_CURRENT);
		CHECK_ONFAULT(1, 0);
		CHECK_ANON(1, 1);
		CHECK_ALL_STATE();
		MAP(0, 10, 1, RW, 0);
		CHECK_LAYOUT("1-10:rw-p 10-11:rw-p");
		MUNLOCKALL();
		CHECK_LAYOUT("1-10:rw-p 10-11:rw-p");
		CHECK_ALL_STATE();
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

/*
 * MCL_FUTURE: def_flags.  Every later mmap and brk is locked, and
 * populated unless MCL_ONFAULT came with it; a fork child has none of it;
 * mlockall without MCL_FUTURE clears it.
 *
 *   0123456789abcd
 *    AABB              MCL_FUTURE: A, then B, one locked populated region
 *         NN           --- locked (the populate's failure is ignored)
 *        F             MCL_FUTURE | MCL_ONFAULT: apart from A+B
 *           FFF        two maps, one region
 *   child: nothing locked, def_flags 0, a new map not locked
 *   MCL_CURRENT: F at 5 joins A+B; def_flags 0 again
 */
TEST(mlockall_future)
{
	unsigned long brk0;
	long cfd;
	pid_t pid, pid2;
	int saved;

	SETUP();
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_IMPORT();
		MLOCKALL(0, MCL_FUTURE);
		EXPECT_EQ(LK, def_flags());
		CHECK_ALL_STATE();
		MAP(0, 1, 2, RW, 0);
		MAP(0, 3, 2, RW, 0);
		MAP(0, 6, 2, N, 0);
		CHECK_LAYOUT("1-5:rw-p 6-8:---p");
		CHECK_LOCKED(1, 1);
		CHECK_LOCKED(6, 1);
		CHECK_ANON(1, 1);
		CHECK_ALL_STATE();
		/* brk too: the new part of the heap is locked. */
		brk0 = vms_real_brk(0);
		BRK(0, brk0);
		BRK(brk0 + PGS(3), brk0 + PGS(3));
		CHECK_ALL_STATE();
		MLOCKALL(0, MCL_FUTURE | MCL_ONFAULT);
		EXPECT_EQ(LK | OF, def_flags());
		MAP(0, 5, 1, RW, 0);
		MAP(0, 9, 2, RW, 0);
		MAP(0, 11, 1, RW, 0);
		CHECK_LAYOUT("1-5:rw-p 5-6:rw-p 6-8:---p 9-12:rw-p");
		CHECK_ONFAULT(5, 1);
		CHECK_ANON(9, 0);
		BRK(brk0 + PGS(5), brk0 + PGS(5));
		CHECK_ALL_STATE();
		/* A fresh IMPORT takes the locks and def_flags as they are. */
		saved = vms_fd;
		ASSERT_LE(0, vms_open());
		ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
		EXPECT_EQ(LK | OF, def_flags());
		CHECK_ALL_STATE();
		close(vms_fd);
		vms_fd = saved;

		cfd = vms_fork_shadow(vms_fd);
		ASSERT_LE(0, cfd);
		pid2 = vms_raw_fork();
		ASSERT_LE(0, pid2);
		if (pid2 == 0) {
			struct vmashadow_stats st;

			vms_fd = cfd;
			CHECK_ALL_STATE();
			EXPECT_EQ(0, def_flags());
			ASSERT_EQ(0, vms_stats(vms_fd, &st));
			EXPECT_EQ(0, st.locked_pages);
			EXPECT_EQ(0, vms_status_pages("VmLck"));
			MAP(0, 13, 1, RW, 0);
			CHECK_LOCKED(13, 0);
			BRK(brk0 + PGS(6), brk0 + PGS(6));
			CHECK_ALL_STATE();
			VMS_CHILD_EXIT();
		}
		VMS_WAIT_CHILD(pid2);
		close(cfd);

		MLOCKALL(0, MCL_CURRENT);
		EXPECT_EQ(0, def_flags());
		CHECK_LAYOUT("1-6:rw-p 6-8:---p 9-12:rw-p");
		CHECK_ALL_STATE();
		MAP(0, 12, 1, RW, 0);
		CHECK_LOCKED(12, 0);
		CHECK_LAYOUT("1-6:rw-p 6-8:---p 9-12:rw-p 12-13:rw-p");
		/* Shrinking the locked heap unlocks what it gives back. */
		BRK(brk0 + PGS(1), brk0 + PGS(1));
		MUNLOCKALL();
		EXPECT_EQ(0, def_flags());
		CHECK_LAYOUT("1-6:rw-p 6-8:---p 9-12:rw-p 12-13:rw-p");
		CHECK_ALL_STATE();
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

/*
 * Memory locked on fault is not faulted in by whatever asks
 * populate_vma_page_range() to: MAP_POPULATE under mlockall(MCL_FUTURE |
 * MCL_ONFAULT) maps nothing in, nor does MAP_LOCKED (it takes the
 * ONFAULT of def_flags along).  MADV_POPULATE_WRITE faults it in all the
 * same.
 *
 *   0123456789
 *    PP FF       MAP_POPULATE, MAP_LOCKED | MAP_POPULATE: both ONFAULT,
 *                no anon_vma
 *    ++          MADV_POPULATE_WRITE: an anon_vma
 */
TEST(populate_onfault)
{
	pid_t pid;

	SETUP();
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_IMPORT();
		MLOCKALL(0, MCL_FUTURE | MCL_ONFAULT);
		MAP(0, 1, 2, RW, MAP_POPULATE);
		MAP(0, 4, 2, RW, MAP_LOCKED | MAP_POPULATE);
		CHECK_LAYOUT("1-3:rw-p 4-6:rw-p");
		CHECK_ONFAULT(1, 1);
		CHECK_ONFAULT(4, 1);
		CHECK_ANON(1, 0);
		CHECK_ANON(4, 0);
		MADVISE(0, 1, 2, MADV_POPULATE_WRITE);
		CHECK_ANON(1, 1);
		/* Faulted before unfaulted: all three join */
		MAP(0, 3, 1, RW, 0);
		CHECK_LAYOUT("1-6:rw-p");
		CHECK_ALL_STATE();
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

/*
 * munlockall() leaves alone what is not locked: it does not even try to
 * merge it.  On 6.1, mmap into a hole between an unfaulted and a faulted
 * region joins the faulted one only, leaving two regions that could be
 * one once the unfaulted one has the other's anon_vma.
 *
 *   0123456789
 *    PP  NN        N touched
 *      AA          6.1: PP|AANN   6.12: PPAANN
 *
 * Without a touch of P, mlockall cannot join them (faulted into
 * unfaulted), but its populate gives P the anon_vma of its neighbour
 * (find_mergeable_anon_vma()), and then munlockall merges them.
 */
static void two_regions(struct __test_metadata *_metadata, bool touch)
{
	int k = vms_kernel();
	const char *two = k == 61 ? "1-3:rw-p 3-7:rw-p" : "1-7:rw-p";

	CHILD_IMPORT();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	TOUCH(5);
	MAP(0, 3, 2, RW, 0);
	CHECK_LAYOUT(two);
	if (touch) {
		/* P shares N's anon_vma: still apart, mergeable */
		TOUCH(1);
		CHECK_LAYOUT(two);
		MUNLOCKALL();
		CHECK_LAYOUT(two);
		/* N is met with P locked already: they merge */
		MLOCKALL(0, MCL_CURRENT);
		CHECK_LAYOUT("1-7:rw-p");
	} else {
		MUNLOCKALL();
		CHECK_LAYOUT(two);
		MLOCKALL(0, MCL_CURRENT);
		CHECK_LAYOUT(two);
	}
	CHECK_ALL_STATE();
	MUNLOCKALL();
	CHECK_LAYOUT("1-7:rw-p");
	CHECK_ALL_STATE();
}

TEST(munlockall_merges)
{
	int k = vms_kernel();
	pid_t pid;

	SETUP();
	if (k != 61 && k != 612)
		SKIP(return, "the outcome is known for 6.1 and 6.12 only");
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		two_regions(_metadata, false);
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

/* The same with P touched first: munlockall does not merge them. */
TEST(munlockall_skips_unlocked)
{
	int k = vms_kernel();
	pid_t pid;

	SETUP();
	if (k != 61 && k != 612)
		SKIP(return, "the outcome is known for 6.1 and 6.12 only");
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		two_regions(_metadata, true);
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

/* ---- special mappings --------------------------------------------------- */

static long real_map_vdso(unsigned long hint)
{
	long ret = syscall(SYS_arch_prctl, ARCH_MAP_VDSO_64, hint);

	return ret < 0 ? -errno : 0;
}

/* The shadow's arch_prctl(ARCH_MAP_VDSO_64, hint) for the vdso @v. */
static long shadow_map_vdso(unsigned long hint, const struct vms_vdso_at *v)
{
	struct vmashadow_op op;

	memset(&op, 0, sizeof(op));
	op.addr = hint;
	op.len = v->end - v->vdso;
	op.new_len = v->vdso - v->vvar;
	op.fd = -1;
	return vms_op(vms_fd, VMASHADOW_IOC_MAP_VDSO, &op);
}

/*
 * [vvar] and [vdso] are VM_SPECIAL: mlock passes over them without a word
 * (and without counting them), and so does mlockall.  A vdso mapped again
 * after mlockall(MCL_FUTURE) is not locked either.  Nothing here may use
 * the vdso (no clock_gettime()).
 */
TEST(vdso)
{
	struct vms_vdso_at v;
	pid_t pid;

	SETUP();
	ASSERT_LE(0, vms_read_real_maps());
	if (vms_find_vdso(vms_real_maps, &v))
		SKIP(return, "no [vvar] right below [vdso]");
	ASSERT_EQ(0, vms_import(vms_fd, 0, v.vvar, v.end, NULL));
	CHECK_RANGE(v.vvar, v.end);
	VMS_CHECK_RES(0, vms_both_mlock(v.vvar, v.end - v.vvar, VMS_VIA_MLOCK));
	CHECK_RANGE(v.vvar, v.end);
	CHECK_LOCKS(v.vvar, v.end);
	CHECK_LOCKED_PAGES();
	VMS_CHECK_RES(0, vms_both_mlock(v.vdso, v.end - v.vdso, MLOCK_ONFAULT));
	CHECK_LOCKS(v.vvar, v.end);
	VMS_CHECK_RES(0, vms_both_munlock(v.vvar, v.end - v.vvar));
	CHECK_RANGE(v.vvar, v.end);
	CHECK_LOCKED_PAGES();
	{
		const char *d = vms_state_diff(v.vvar, v.end, 0, 0);

		ASSERT_EQ(NULL, d) TH_LOG("%s", d);
	}

	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_IMPORT();
		MLOCKALL(0, MCL_CURRENT | MCL_FUTURE);
		CHECK_ALL_STATE();
		if (real_map_vdso(0) != -EINVAL) {
			VMS_CHECK_RES(0, vms_both_unmap(v.vvar, v.end - v.vvar));
			ASSERT_EQ(0, real_map_vdso(v.vvar));
			ASSERT_EQ(0, shadow_map_vdso(v.vvar, &v));
			CHECK_ALL_STATE();
		}
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

/* ---- limits ---------------------------------------------------------------- */

static int set_memlock(unsigned long bytes)
{
	struct rlimit rl = { bytes, bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl) ? -errno : 0;
}

static long shadow_set_memlock(unsigned long bytes)
{
	struct vmashadow_params p;

	memset(&p, 0, sizeof(p));
	p.rlimit_memlock = bytes;
	return vms_set_params(vms_fd, &p, VMASHADOW_PARAM_MEMLOCK);
}

/*
 * Without CAP_IPC_LOCK, RLIMIT_MEMLOCK bounds mm->locked_vm: mlock counts
 * the range less what of it is locked already (-ENOMEM beyond), mlockall
 * (MCL_CURRENT) the whole address space (-ENOMEM), and once MCL_FUTURE is
 * set mmap, brk and mremap growth say -EAGAIN.  A limit of 0 is -EPERM
 * for mlock, mlockall and MAP_LOCKED, after the flag checks.  munlock is
 * always allowed.  A shadow opened under the limit takes it as default.
 */
TEST(memlock_limit)
{
	pid_t pid;

	SETUP();
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmashadow_params p;
		unsigned long brk0;

		ASSERT_EQ(0, vms_drop_cap(CAP_IPC_LOCK));
		ASSERT_EQ(0, set_memlock(PGS(4)));
		ASSERT_LE(0, vms_open());
		ASSERT_EQ(0, vms_get_params(vms_fd, &p));
		EXPECT_EQ(PGS(4), p.rlimit_memlock);
		ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
		ASSERT_EQ(0, vms_get_params(vms_fd, &p));
		EXPECT_EQ(PGS(4), p.rlimit_memlock);
		ASSERT_EQ(0, shadow_set_memlock(PGS(4)));
		CHECK_ALL_STATE();

		MAP(0, 1, 10, RW, 0);
		MLOCK(0, 1, 4);
		MLOCK(-ENOMEM, 5, 1);
		MLOCK(0, 1, 4);
		MLOCK(0, 2, 2);
		MLOCK(-ENOMEM, 3, 3);
		MLOCK2(-ENOMEM, 3, 3, MLOCK_ONFAULT);
		CHECK_LAYOUT("1-5:rw-p 5-11:rw-p");
		MUNLOCK(0, 1, 2);
		MLOCK2(0, 7, 2, MLOCK_ONFAULT);
		MLOCK2(-ENOMEM, 9, 1, MLOCK_ONFAULT);
		CHECK_LAYOUT("1-3:rw-p 3-5:rw-p 5-7:rw-p 7-9:rw-p 9-11:rw-p");
		CHECK_ALL_STATE();

		/* The whole address space is more than 4 pages. */
		MLOCKALL(-ENOMEM, MCL_CURRENT);
		MLOCKALL(-ENOMEM, MCL_CURRENT | MCL_FUTURE);
		EXPECT_EQ(0, def_flags());
		MLOCKALL(0, MCL_FUTURE);
		EXPECT_EQ(LK, def_flags());
		/* locked_vm is 4: nothing more may be locked. */
		MAP(-EAGAIN, 12, 1, RW, 0);
		brk0 = vms_real_brk(0);
		BRK(0, brk0);
		BRK(brk0 + PGS(1), brk0);
		MUNLOCK(0, 7, 2);
		/* 2 left: a map of 2 is locked, a growth past it -EAGAIN. */
		MAP(0, 12, 2, RW, 0);
		CHECK_LOCKED(12, 1);
		MUNLOCK(0, 3, 2);
		MAP(0, 20, 1, RW, 0);
		REMAP(0, 20, 1, 2, 0, -1, 20);
		REMAP(-EAGAIN, 20, 2, 3, 0, -1, -1);
		CHECK_ALL_STATE();
		MUNLOCKALL();
		CHECK_ALL_STATE();

		/* A limit of 0: -EPERM, but bad flags are still -EINVAL. */
		ASSERT_EQ(0, set_memlock(0));
		ASSERT_EQ(0, shadow_set_memlock(0));
		MLOCK(-EPERM, 1, 1);
		MLOCK2(-EPERM, 1, 1, MLOCK_ONFAULT);
		MLOCK2(-EINVAL, 1, 1, 2);
		MLOCKALL(-EPERM, MCL_FUTURE);
		MLOCKALL(-EINVAL, MCL_ONFAULT);
		MAP(-EPERM, 15, 1, RW, MAP_LOCKED);
		MUNLOCK(0, 1, 10);
		MUNLOCKALL();
		CHECK_ALL_STATE();
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
}

FIXTURE(lock_mmc) {
	long saved;
};

FIXTURE_SETUP(lock_mmc)
{
	self->saved = vms_mmc_read();
	ASSERT_LT(0, self->saved);
	SETUP();
}

FIXTURE_TEARDOWN(lock_mmc)
{
	if (self->saved > 0)
		EXPECT_EQ(0, vms_mmc_write(self->saved));
}

/*
 * A split needs map_count < max: mlock and munlock give -ENOMEM (not
 * madvise's -EAGAIN), keeping a first split that worked; a range that
 * needs no split, or only a merge, works at the limit.
 *
 *   012345678
 *    AAAAAA      count == limit: 3-5, 1-3 -ENOMEM; 1-7 locked
 *    AA|AAAA     one below: the first split works, the second fails
 *    LLAAAA      1-3 locked whole, then 3-4 joins it: no new region
 */
TEST_F(lock_mmc, split)
{
	MAP(0, 1, 6, RW, 0);
	VMS_AT_DISTANCE(0);
	MLOCK(-ENOMEM, 3, 2);
	MLOCK(-ENOMEM, 1, 2);
	MLOCK2(-ENOMEM, 5, 2, MLOCK_ONFAULT);
	CHECK_LAYOUT("1-7:rw-p");
	CHECK_LOCKED(1, 0);
	MLOCK(0, 1, 6);
	MUNLOCK(-ENOMEM, 3, 2);
	CHECK_LAYOUT("1-7:rw-p");
	CHECK_LOCKED(3, 1);
	MUNLOCK(0, 1, 6);
	CHECK_LAYOUT("1-7:rw-p");
	CHECK_LOCKED_PAGES();
	VMS_AT_DISTANCE(1);
	MLOCK2(-ENOMEM, 3, 2, MLOCK_ONFAULT);
	CHECK_LAYOUT("1-3:rw-p 3-7:rw-p");
	CHECK_LOCKED(3, 0);
	MLOCK(0, 1, 2);
	MLOCK(0, 3, 1);
	CHECK_LAYOUT("1-4:rw-p 4-7:rw-p");
	CHECK_LOCKED(3, 1);
	CHECK_LOCKED_PAGES();
	CHECK_STATE();
}

TEST_HARNESS_MAIN
