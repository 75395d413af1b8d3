// SPDX-License-Identifier: GPL-2.0
/*
 * place: where mmap without MAP_FIXED puts a mapping.  A free hint is
 * used (rounded down to a page); a taken one is ignored for a full
 * top-down search below mmap_base, never "near the hint"; consecutive
 * NULL-hint maps land right below each other and merge; the search keeps
 * the 1 MiB stack guard gap below a MAP_GROWSDOWN region; 6.12 aligns
 * anonymous private NULL-hint maps of 2 MiB multiples (row 5).
 *
 * Every test imports the whole real address space first, so that the
 * shadow's search sees what the kernel's sees, then makes raw mmap calls
 * on both sides (nothing else may map in between) and compares the
 * addresses and the lines around them.
 */
#include "vms_test.h"

#define RW	(PROT_READ | PROT_WRITE)
#define ANON_PRIV	(MAP_PRIVATE | MAP_ANONYMOUS)
#define MB		(1UL << 20)
#define THP		(2 * MB)
#define GUARD		(256 * VMS_PS)

FIXTURE(place) {
};

FIXTURE_SETUP(place)
{
	unsigned long n = 0;

	VMS_SETUP();
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
	ASSERT_LT(0, n);
}

FIXTURE_TEARDOWN(place)
{
}

/* mmap on both sides; the same address; returns it. */
#define PLACE(hint, len, flags) ({					\
	struct vms_res __p = vms_both_map_res(hint, len, RW,		\
					      (flags) | ANON_PRIV, -1, 0); \
	VMS_CHECK_ADDR(0, __p, 0);					\
	__p.raddr;							\
})

/* The lines within 4 MiB of [a, a + len) are the same on both sides. */
#define CHECK_NEAR(a, len) CHECK_RANGE((a) - 4 * MB, (a) + (len) + 4 * MB)

/*
 *   window: 0123456789
 *             AA          hint page 2: used
 *                BB       hint page 5 + 100 bytes: page 5
 */
TEST_F(place, hint_honoured)
{
	EXPECT_EQ(PG(2), PLACE(PG(2), PGS(2), 0));
	EXPECT_EQ(PG(5), PLACE(PG(5) + 100, PGS(2), 0));
	CHECK_LAYOUT("2-4:rw-p 5-7:rw-p");
}

/*
 * A hint that does not fit is dropped: the search starts from the top
 * again, whatever the hint was.
 *
 *   window:  0123456789
 *                XX          mapped
 *               ^            hint page 3, 2 pages: overlaps X
 *   top:     ...........NN   placed under mmap_base, far away
 */
TEST_F(place, hint_refused)
{
	unsigned long a;

	MAP(0, 4, 2, RW, 0);
	a = PLACE(PG(3), PGS(2), 0);
	EXPECT_TRUE(a < VMS_WIN || a >= PG(VMS_WIN_PAGES))
		TH_LOG("placed at 0x%lx, near the hint", a);
	CHECK_NEAR(a, PGS(2));
	CHECK_LAYOUT("4-6:rw-p");
	/* A hint below mmap_min_addr is raised to it (a free range). */
	a = PLACE(VMS_PS, PGS(1), 0);
	CHECK_NEAR(a, PGS(1));
}

/*
 *   top:   ......CCCBBBAA      A, B, C: NULL-hint maps in turn, each
 *                              right below the last: one region
 */
TEST_F(place, consecutive_merge)
{
	unsigned long a, b, c;

	a = PLACE(0, PGS(2), 0);
	b = PLACE(0, PGS(3), 0);
	c = PLACE(0, PGS(1), 0);
	EXPECT_EQ(a - PGS(3), b);
	EXPECT_EQ(b - PGS(1), c);
	CHECK_NEAR(c, PGS(6));
	ASSERT_EQ(0, vms_snapshot_range(c, a + PGS(2)));
	EXPECT_EQ(NULL, strchr(strchr(vms_real_rng, '\n') + 1, '\n'))
		TH_LOG("expected one region:\n%s", vms_real_rng);
}

/*
 * The search leaves the stack guard gap (256 pages) below a GROWSDOWN
 * region; a hint inside the gap is refused.
 *
 *   top:   N .. |<- 1 MiB ->|G      G grows down where a NULL map went
 *          ^ the next NULL map: 1 MiB + a page below G
 */
TEST_F(place, guard_gap)
{
	unsigned long g, n, h;
	struct vms_res r;

	g = PLACE(0, PGS(1), 0);
	VMS_CHECK_RES(0, vms_both_unmap(g, PGS(1)));
	r = vms_both_map_res(g, PGS(1), RW, ANON_PRIV | MAP_FIXED |
			     MAP_GROWSDOWN, -1, 0);
	VMS_CHECK_ADDR(0, r, g);
	n = PLACE(0, PGS(1), 0);
	EXPECT_EQ(g - GUARD - PGS(1), n);
	/* A hint in the gap: refused, placed below n (and merged). */
	h = PLACE(g - PGS(1), PGS(1), 0);
	EXPECT_EQ(n - PGS(1), h);
	CHECK_NEAR(h, g + PGS(1) - h);
	/* MAP_FIXED ignores the gap. */
	r = vms_both_map_res(g - PGS(1), PGS(1), RW, ANON_PRIV | MAP_FIXED,
			     -1, 0);
	VMS_CHECK_ADDR(0, r, g - PGS(1));
	CHECK_NEAR(h, g + PGS(1) - h);
}

/*
 * Row 5: a NULL-hint anonymous private map of 2 MiB.  6.1 puts it right
 * below the last map; 6.12 aligns it to 2 MiB, and a later small map
 * fills the gap left above it.
 */
TEST_F(place, row5_thp_align)
{
	unsigned long a, b, c;
	int k = vms_kernel();

	a = PLACE(0, PGS(1), 0);
	b = PLACE(0, THP, 0);
	if (k == 61) {
		EXPECT_EQ(a - THP, b);
	} else if (k == 612) {
		EXPECT_EQ(0, b & (THP - 1));
	}
	CHECK_NEAR(b, a + PGS(1) - b);
	c = PLACE(0, PGS(1), 0);
	if (k == 61)
		EXPECT_EQ(b - PGS(1), c);
	CHECK_NEAR(b, a + PGS(1) - b);
	/* Not with a hint, even a free one: used as it is. */
	EXPECT_EQ(PG(1), PLACE(PG(1), THP, 0));
	CHECK_LAYOUT("1-513:rw-p");
	/* Also with MAP_NORESERVE; not a 2 MiB multiple: no alignment. */
	b = PLACE(0, 2 * THP, MAP_NORESERVE);
	if (k == 612)
		EXPECT_EQ(0, b & (THP - 1));
	CHECK_NEAR(b, 2 * THP);
	b = PLACE(0, THP + PGS(1), 0);
	CHECK_NEAR(b, THP + PGS(1));
}

TEST_HARNESS_MAIN
