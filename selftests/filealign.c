// SPDX-License-Identifier: GPL-2.0
/*
 * filealign: where mmap(NULL) puts a file whose filesystem places its
 * mappings for huge pages (ext4's file_operations use
 * thp_get_unmapped_area), with tmpfs (huge=never) as the control, where
 * nothing is aligned.  __thp_get_unmapped_area() searches for 2 MiB more
 * than asked, then moves the start up to where the file offset meets a
 * 2 MiB boundary.  When the padded range already starts there, 6.1 leaves
 * the 2 MiB of padding free above the mapping; 6.12 returns the range at
 * the top of the gap instead (row 6).  A hint is used if the padded range
 * fits there, whatever its alignment.
 *
 * Every test imports the whole real address space, finds the top T of the
 * highest free gap of 24 MiB below mmap_base, plugs every smaller hole
 * above it and maps an anchor from A = T rounded down to 2 MiB up to T, so
 * that the next mmap(NULL) searches down from a 2 MiB boundary.  It then
 * makes the same raw mmap calls on both sides and checks the layout below
 * A, in pages from A - 16 MiB (A is page 4096), against the kernel's own
 * expected one: the real maps and the shadow's must both show it, and be
 * the same byte for byte.
 *
 * The ext4 variant needs /mnt/ext4 (scripts/vm-run.sh mounts an image
 * there when the kernel has ext4 and loop); without it, it skips.
 */
#include <sys/statfs.h>
#include <linux/magic.h>

#include "vms_test.h"

#define MB		(1024 * 1024UL)
#define THP		(2 * MB)
#define PROBE		(24 * MB + VMS_PS)	/* no multiple of 2 MiB */
#define FILE_SIZE	(8 * MB)
#define ANON_PRIV	(MAP_PRIVATE | MAP_ANONYMOUS)

FIXTURE(filealign) {
	int fd;
	char path[64];
	char why[128];		/* why the test skips: no such filesystem */
	unsigned long top;	/* T: the top of the gap the maps go into */
	unsigned long a;	/* A: T rounded down to 2 MiB, the anchor */
	unsigned long lo;	/* A - 16 MiB: page 0 of the layouts */
};

FIXTURE_VARIANT(filealign) {
	const char *dir;
	long magic;
	bool thp;		/* the filesystem places for huge pages */
};

FIXTURE_VARIANT_ADD(filealign, ext4) {
	.dir = "/mnt/ext4",
	.magic = EXT4_SUPER_MAGIC,
	.thp = true,
};

FIXTURE_VARIANT_ADD(filealign, tmpfs) {
	.dir = "/tmp",
	.magic = TMPFS_MAGIC,
	.thp = false,
};

FIXTURE_SETUP(filealign)
{
	struct vmashadow_params p;
	struct statfs sf;
	unsigned long n = 0, s, e, prev, plugs[64][2];
	const char *line;
	struct vms_res r;
	int i, np = 0;

	self->fd = -1;
	if (statfs(variant->dir, &sf) || sf.f_type != variant->magic) {
		snprintf(self->why, sizeof(self->why),
			 "%s is not %s here (no ext4 or loop in this kernel?)",
			 variant->dir, variant->magic == TMPFS_MAGIC ?
			 "tmpfs" : "ext4");
		return;
	}
	snprintf(self->path, sizeof(self->path), "%s/vms-filealign-%d",
		 variant->dir, getpid());
	self->fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
			0600);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", self->path, strerror(errno));
	ASSERT_EQ(0, ftruncate(self->fd, FILE_SIZE));

	VMS_SETUP();
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
	ASSERT_LT(0, n);
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));

	/* T: where a 24 MiB map would end */
	r = vms_both_map_res(0, PROBE, PROT_NONE, ANON_PRIV | MAP_NORESERVE,
			     -1, 0);
	VMS_CHECK_ADDR(0, r, 0);
	self->top = r.raddr + PROBE;
	VMS_CHECK_RES(0, vms_both_unmap(r.raddr, PROBE));

	/*
	 * The holes between T and mmap_base, read first, then filled with
	 * PROT_NONE: no search may use them.
	 */
	ASSERT_LE(0, vms_read_real_maps());
	prev = self->top;
	for (line = vms_real_maps; *line; line = strchr(line, '\n') + 1) {
		const char *q = line;

		s = vms_hex(&q);
		q++;
		e = vms_hex(&q);
		if (s > prev && prev < p.mmap_base) {
			ASSERT_GT(64, np);
			plugs[np][0] = prev;
			plugs[np++][1] = s < p.mmap_base ? s : p.mmap_base;
		}
		if (e > prev)
			prev = e;
		if (!strchr(line, '\n'))
			break;
	}
	if (prev < p.mmap_base) {
		ASSERT_GT(64, np);
		plugs[np][0] = prev;
		plugs[np++][1] = p.mmap_base;
	}
	for (i = 0; i < np; i++) {
		s = plugs[i][0];
		r = vms_both_map_res(s, plugs[i][1] - s, PROT_NONE,
				     ANON_PRIV | MAP_NORESERVE |
				     MAP_FIXED_NOREPLACE, -1, 0);
		VMS_CHECK_ADDR(0, r, s);
	}

	/* the anchor: [A, T), read-only so that no test map merges with it */
	self->a = (self->top - 1) & ~(THP - 1);
	r = vms_both_map_res(self->a, self->top - self->a, PROT_READ,
			     ANON_PRIV | MAP_FIXED, -1, 0);
	VMS_CHECK_ADDR(0, r, self->a);
	self->lo = self->a - 16 * MB;
}

FIXTURE_TEARDOWN(filealign)
{
	if (self->fd >= 0) {
		close(self->fd);
		unlink(self->path);
	}
}

/*
 * mmap on both sides of @len bytes of the test file at @off, hint @hint
 * (0: none): the same address on both, which is returned.
 */
#define FMAP(hint, len, prot, flags, off) ({				\
	struct vms_res __m = vms_both_map_res(hint, len, prot, flags,	\
					      self->fd, off);		\
	VMS_CHECK_ADDR(0, __m, 0);					\
	__m.raddr;							\
})
#define FMAPS(len, off)	FMAP(0, len, PROT_READ, MAP_SHARED, off)

/*
 * The layout the kernel under test gives: @l61 for 6.1 and @l612 for 6.12
 * on a filesystem that aligns, @plain where nothing is aligned; NULL on an
 * unknown kernel (then only the two sides are compared).
 */
static const char *fa_want(bool thp, const char *l61, const char *l612,
			   const char *plain)
{
	if (!thp)
		return plain;
	switch (vms_kernel()) {
	case 61:
		return l61;
	case 612:
		return l612;
	}
	return NULL;
}

static char fa_real_layout[4096];
static char fa_shadow_layout[4096];

/*
 * The lines of @maps that start in [lo, end) as "s-e:perm ...", in pages
 * from @lo.
 */
static void fa_layout(const char *maps, unsigned long lo, unsigned long end,
		      char *out, size_t size)
{
	const char *line = maps;
	size_t n = 0;

	out[0] = '\0';
	while (*line && n < size) {
		const char *p = line;
		unsigned long s, e;

		s = vms_hex(&p);
		p++;
		e = vms_hex(&p);
		p++;
		if (s >= lo && s < end)
			n += snprintf(out + n, size - n, "%s%lu-%lu:%.4s",
				      n ? " " : "", (s - lo) / VMS_PS,
				      (e - lo) / VMS_PS, p);
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
}

/*
 * Below A the layout is @want (NULL: not checked) on both sides, and the
 * lines from A - 24 MiB up to T are the same byte for byte.
 */
#define CHECK_BELOW(want) do {						\
	const char *__w = (want);					\
	ASSERT_EQ(0, vms_snapshot_range(self->a - 24 * MB, self->top)); \
	fa_layout(vms_real_rng, self->lo, self->a, fa_real_layout,	\
		  sizeof(fa_real_layout));				\
	fa_layout(vms_shadow_rng, self->lo, self->a, fa_shadow_layout,	\
		  sizeof(fa_shadow_layout));				\
	if (__w) {							\
		EXPECT_STREQ(__w, fa_real_layout)			\
			TH_LOG("the real kernel:\n%s", vms_real_rng);	\
		ASSERT_STREQ(__w, fa_shadow_layout)			\
			TH_LOG("real:\n%sshadow:\n%s", vms_real_rng,	\
			       vms_shadow_rng);				\
	}								\
	ASSERT_STREQ(vms_real_rng, vms_shadow_rng)			\
		TH_LOG("real:\n%sshadow:\n%s", vms_real_rng, vms_shadow_rng); \
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)
#define CHECK(l61, l612, plain) CHECK_BELOW(fa_want(variant->thp, l61, l612, plain))

/*
 * Two 2 MiB maps at offset 0, then a page of anonymous memory.
 *
 *   6.1:    ..BB..AA..|      each a 2 MiB hole above it; the page (p)
 *           ..BB..AA.p|      fills the first hole's top
 *   6.12:   ....BBAA|        no holes: the page goes below B
 *   tmpfs:  ...pBBAA|        the same, unaligned
 */
TEST_F(filealign, aligned)
{
	struct vms_res r;

	if (self->why[0])
		SKIP(return, "%s", self->why);
	FMAPS(THP, 0);
	CHECK("3072-3584:r--s", "3584-4096:r--s", "3584-4096:r--s");
	FMAPS(THP, 0);
	CHECK("2048-2560:r--s 3072-3584:r--s",
	      "3072-3584:r--s 3584-4096:r--s",
	      "3072-3584:r--s 3584-4096:r--s");
	r = vms_both_map_res(0, VMS_PS, PROT_READ | PROT_WRITE, ANON_PRIV,
			     -1, 0);
	VMS_CHECK_ADDR(0, r, 0);
	CHECK("2048-2560:r--s 3072-3584:r--s 4095-4096:rw-p",
	      "3071-3072:rw-p 3072-3584:r--s 3584-4096:r--s",
	      "3071-3072:rw-p 3072-3584:r--s 3584-4096:r--s");
}

/*
 * Larger multiples of 2 MiB, shared and private, at offsets 0 and 2 MiB:
 * the same rule.
 */
TEST_F(filealign, multiple)
{
	if (self->why[0])
		SKIP(return, "%s", self->why);
	FMAPS(2 * THP, 0);
	CHECK("2560-3584:r--s", "3072-4096:r--s", "3072-4096:r--s");
	FMAP(0, 3 * THP, PROT_READ | PROT_WRITE, MAP_PRIVATE, THP);
	CHECK("512-2048:rw-p 2560-3584:r--s",
	      "1536-3072:rw-p 3072-4096:r--s",
	      "1536-3072:rw-p 3072-4096:r--s");
}

/*
 * Lengths that are no multiple of 2 MiB.  3 MiB: the padded range ends at
 * A, its start is 1 MiB off a boundary, so the map moves up by 1 MiB and
 * leaves 1 MiB free above it on both kernels, which a 1 MiB map (too
 * short to align) then fills.  2 MiB + 4 KiB: moved up by a page.
 */
TEST_F(filealign, unaligned_len)
{
	if (self->why[0])
		SKIP(return, "%s", self->why);
	FMAPS(3 * MB, 0);
	CHECK("3072-3840:r--s", "3072-3840:r--s", "3328-4096:r--s");
	FMAPS(MB, 0);
	CHECK("3072-3840:r--s 3840-4096:r--s",
	      "3072-3840:r--s 3840-4096:r--s",
	      "3072-3328:r--s 3328-4096:r--s");
	FMAPS(THP + VMS_PS, 0);
	CHECK("2048-2561:r--s 3072-3840:r--s 3840-4096:r--s",
	      "2048-2561:r--s 3072-3840:r--s 3840-4096:r--s",
	      "2559-3072:r--s 3072-3328:r--s 3328-4096:r--s");
}

/*
 * File offsets.  2 MiB at offset 2 MiB: as at offset 0 (row 6).  4 MiB
 * at offset 4 KiB: the address must be a page past a boundary, so the
 * map moves up a page from the padded start, on both kernels.  2 MiB at
 * offset 4 KiB holds no whole aligned 2 MiB of the file: placed as
 * anywhere else, into 6.1's hole.
 */
TEST_F(filealign, offset)
{
	if (self->why[0])
		SKIP(return, "%s", self->why);
	FMAPS(THP, THP);
	CHECK("3072-3584:r--s", "3584-4096:r--s", "3584-4096:r--s");
	FMAPS(2 * THP, VMS_PS);
	CHECK("1537-2561:r--s 3072-3584:r--s",
	      "2049-3073:r--s 3584-4096:r--s",
	      "2560-3584:r--s 3584-4096:r--s");
	FMAPS(THP, VMS_PS);
	CHECK("1537-2561:r--s 3072-3584:r--s 3584-4096:r--s",
	      "1537-2049:r--s 2049-3073:r--s 3584-4096:r--s",
	      "2048-2560:r--s 2560-3584:r--s 3584-4096:r--s");
}

/*
 * The file's second 2 MiB, then its first: on 6.12 (and tmpfs) the first
 * lands right below the second with a page offset that runs on, and the
 * two merge; 6.1's holes keep them apart.
 */
TEST_F(filealign, merge)
{
	if (self->why[0])
		SKIP(return, "%s", self->why);
	FMAPS(THP, THP);
	FMAPS(THP, 0);
	CHECK("2048-2560:r--s 3072-3584:r--s", "3072-4096:r--s",
	      "3072-4096:r--s");
}

/*
 * Hints.  A - 2 MiB fits 2 MiB but not the padded 4 MiB: ext4 ignores it
 * and aligns (which on 6.12 lands on the hint all the same), tmpfs uses
 * it.  A hint where the padded range fits is used as it is, aligned
 * (A - 12 MiB) or not (A - 10 MiB + 4 KiB).
 */
TEST_F(filealign, hint)
{
	unsigned long h1 = self->a - 12 * MB, h2 = self->a - 10 * MB + VMS_PS;

	if (self->why[0])
		SKIP(return, "%s", self->why);
	FMAP(self->a - THP, THP, PROT_READ, MAP_SHARED, 0);
	CHECK("3072-3584:r--s", "3584-4096:r--s", "3584-4096:r--s");
	EXPECT_EQ(h1, FMAP(h1, THP, PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(h2, FMAP(h2, THP, PROT_READ, MAP_SHARED, 0));
	CHECK("1024-1536:r--s 1537-2049:r--s 3072-3584:r--s",
	      "1024-1536:r--s 1537-2049:r--s 3584-4096:r--s",
	      "1024-1536:r--s 1537-2049:r--s 3584-4096:r--s");
}

/*
 * A file whose file_operations have no get_unmapped_area (a block device):
 * 6.12 places a multiple of 2 MiB of it as it places anonymous memory,
 * aligned to 2 MiB with the file offset; 6.1 takes the plain search.  A
 * page mapped first makes sure the top of the gap is not aligned.
 */
TEST(no_get_unmapped_area)
{
	unsigned long n = 0;
	struct vms_res r;
	int fd = open("/dev/loop0", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		SKIP(return, "no /dev/loop0: %s", strerror(errno));
	VMS_SETUP();
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
	r = vms_both_map_res(0, VMS_PS, PROT_READ, ANON_PRIV, -1, 0);
	VMS_CHECK_ADDR(0, r, 0);
	r = vms_both_map_res(0, THP, PROT_READ, MAP_SHARED, fd, 0);
	VMS_CHECK_ADDR(0, r, 0);
	if (vms_rules_of_kernel() == VMASHADOW_RULES_6_12)
		EXPECT_EQ(0, r.raddr & (THP - 1));
	r = vms_both_map_res(0, 2 * THP, PROT_READ, MAP_PRIVATE, fd, THP);
	VMS_CHECK_ADDR(0, r, 0);
	close(fd);
}

TEST_HARNESS_MAIN
