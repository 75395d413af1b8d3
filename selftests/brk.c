// SPDX-License-Identifier: GPL-2.0
/*
 * brk: brk(2) on the shadow against the real heap.  Growth extends the
 * region ending at the old break, shrinking unmaps, growth must leave a
 * page (and the stack guard gap before a GROWSDOWN region) below the next
 * region, and a forked child growing the inherited, faulted heap gets a
 * second [heap] region (do_brk_flags() only extends what can merge).
 *
 * The shadow learns the real heap by an import of the regions from just
 * below start_brk upwards (import also sets start_brk and brk).  The
 * comparison covers every line from there to 1 GiB above start_brk: the
 * heap of the static test binary, and nothing else this far up.
 * Only raw brk calls happen between the checks: no stdio, no malloc.
 */
#include "vms_test.h"

#define RW	(PROT_READ | PROT_WRITE)
#define HEAP_SPAN	(1UL << 30)

FIXTURE(heap) {
	unsigned long start_brk;
	unsigned long brk;	/* the break when the test began */
	unsigned long lo;	/* first line compared */
};

/* Both sides hold the same heap: the shadow imported it. */
#define CHECK_HEAP() CHECK_RANGE(self->lo, self->start_brk + HEAP_SPAN)

FIXTURE_SETUP(heap)
{
	struct vmashadow_params p;
	struct vmashadow_find f;

	ASSERT_LE(0, vms_open());
	self->start_brk = vms_stat_field(47);	/* start_brk */
	ASSERT_NE(0, self->start_brk);
	self->brk = vms_real_brk(0);
	ASSERT_LE(self->start_brk, self->brk);
	/*
	 * From the page below start_brk: the region before the heap (.bss)
	 * decides whether growth from an empty heap extends it.
	 */
	ASSERT_EQ(0, vms_import(vms_fd, 0, self->start_brk - VMS_PS,
				self->start_brk + HEAP_SPAN, NULL));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(self->start_brk, p.start_brk);
	EXPECT_EQ(self->brk, p.brk);
	self->lo = self->start_brk;
	if (!vms_find(vms_fd, VMASHADOW_FIND_VMA, self->start_brk - VMS_PS, 0,
		      &f) && (f.found & VMASHADOW_FOUND_REGION) &&
	    f.region.start < self->lo)
		self->lo = f.region.start;
	CHECK_HEAP();
}

FIXTURE_TEARDOWN(heap)
{
}

#define PAGE_UP(x)	(((x) + VMS_PS - 1) & ~(VMS_PS - 1))

/*
 *   heap: [start_brk, brk)
 *   HHHH            grow by 4 pages, by 4 more: the same region grows
 *   HHHHhhhhhhhh    and to an unaligned break: the region ends on a page
 */
TEST_F(heap, grow)
{
	unsigned long b = self->brk;

	BRK(b + PGS(4), b + PGS(4));
	CHECK_HEAP();
	BRK(b + PGS(8), b + PGS(8));
	CHECK_HEAP();
	BRK(b + PGS(9) + 100, b + PGS(9) + 100);
	CHECK_HEAP();
	/* brk(0) only asks. */
	BRK(0, b + PGS(9) + 100);
	CHECK_HEAP();
}

/*
 *   HHHHHHHH        grown by 8 pages
 *   HHHH            shrunk by 4: the tail is unmapped
 *                   below start_brk: refused, the break stays
 *                   back to the first break: the growth is gone
 */
TEST_F(heap, shrink)
{
	unsigned long b = self->brk;

	BRK(b + PGS(8), b + PGS(8));
	CHECK_HEAP();
	BRK(b + PGS(4), b + PGS(4));
	CHECK_HEAP();
	BRK(self->start_brk - VMS_PS, b + PGS(4));
	CHECK_HEAP();
	/*
	 * Back to where the test began (not to start_brk: the static
	 * binary's TLS lives in the heap).
	 */
	BRK(b, b);
	CHECK_HEAP();
}

/*
 * Growth must leave one page free below the next region.
 *
 *   HHHH....NN      N mapped 8 pages above the break's page
 *   HHHHhhh.NN      up to one page below N: works
 *   HHHHhhh.NN      one page further: refused, the break stays
 */
TEST_F(heap, refused_below_next)
{
	unsigned long top = PAGE_UP(self->brk), n = top + PGS(8);
	struct vms_res r;

	r = vms_both_map_res(n, PGS(2), RW, MAP_PRIVATE | MAP_ANONYMOUS |
			     MAP_FIXED, -1, 0);
	VMS_CHECK_ADDR(0, r, n);
	CHECK_HEAP();
	BRK(n, self->brk);
	CHECK_HEAP();
	BRK(n - VMS_PS + 1, self->brk);
	CHECK_HEAP();
	BRK(n - VMS_PS, n - VMS_PS);
	CHECK_HEAP();
}

/*
 * Below a MAP_GROWSDOWN region the stack guard gap (256 pages) counts too.
 *
 *   HHHH..........GG    G grows down, 300 pages above the break
 *   HHHHhh|<-1M->|GG    up to one page below the gap: works, beyond: no
 */
TEST_F(heap, refused_guard_gap)
{
	unsigned long top = PAGE_UP(self->brk), g = top + PGS(300);
	unsigned long gap = PGS(256);
	struct vms_res r;

	r = vms_both_map_res(g, PGS(2), RW, MAP_PRIVATE | MAP_ANONYMOUS |
			     MAP_FIXED | MAP_GROWSDOWN, -1, 0);
	VMS_CHECK_ADDR(0, r, g);
	CHECK_HEAP();
	BRK(g - gap - VMS_PS + 1, self->brk);
	CHECK_HEAP();
	BRK(g - gap - VMS_PS, g - gap - VMS_PS);
	CHECK_HEAP();
}

/* How many [heap] lines lie in the compared range (vms_real_rng). */
static int heap_lines(void)
{
	const char *p = vms_real_rng;
	int n = 0;

	while ((p = strstr(p, "[heap]"))) {
		n++;
		p++;
	}
	return n;
}

/*
 * A forked child's heap is faulted and inherited: its anon_vma chain is
 * not singular, so brk cannot extend it and makes a second [heap] region.
 * The parent's own growth still extends its heap.  (The test process is
 * itself a forked child of the harness: its first heap region may
 * already be such a one, which the growth below leaves alone.)
 *
 *   parent:  HHHH          grown, touched: a singular anon_vma
 *   child:   HHHH|hhhh     grown: one [heap] line more
 *   parent:  HHHHhhhh      grown: extends, no new line
 */
TEST_F(heap, forked_child_second_heap)
{
	unsigned long b = self->brk, top;
	int lines;
	long cfd;
	pid_t pid;

	BRK(b + PGS(4), b + PGS(4));
	top = PAGE_UP(b + PGS(4));
	/* The heap has an anon_vma: touch its last page on both sides. */
	vms_real_touch(top - VMS_PS);
	ASSERT_EQ(0, vms_shadow_touch(vms_fd, top - VMS_PS));
	CHECK_HEAP();
	lines = heap_lines();
	ASSERT_LT(0, lines);

	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		vms_fd = cfd;
		CHECK_HEAP();
		BRK(top + PGS(4), top + PGS(4));
		CHECK_HEAP();
		EXPECT_EQ(lines + 1, heap_lines())
			TH_LOG("expected a new [heap] line:\n%s", vms_real_rng);
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
	close(cfd);
	/* The parent is untouched by the child, and still extends. */
	CHECK_HEAP();
	BRK(top + PGS(4), top + PGS(4));
	CHECK_HEAP();
	EXPECT_EQ(lines, heap_lines())
		TH_LOG("expected no new [heap] line:\n%s", vms_real_rng);
}

/*
 * Without import: start_brk and brk set as params on an empty shadow.
 * Growth makes one [heap] region [old break's page, new break's page).
 */
TEST(params_only)
{
	struct vmashadow_params p;
	unsigned long b, top, s = 0;
	char want[128];

	ASSERT_LE(0, vms_open());
	b = vms_real_brk(0);
	memset(&p, 0, sizeof(p));
	p.start_brk = b;
	p.brk = b;
	ASSERT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_BRK));
	top = PAGE_UP(b);
	ASSERT_EQ(0, vms_shadow_brk(vms_fd, top + PGS(3), &s));
	EXPECT_EQ(top + PGS(3), s);
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(top + PGS(3), p.brk);
	EXPECT_EQ(b, p.start_brk);
	ASSERT_LT(0, vms_read_shadow_maps(vms_fd));
	snprintf(want, sizeof(want), "%08lx-%08lx rw-p ", top, top + PGS(3));
	EXPECT_EQ(0, strncmp(want, vms_shadow_maps, strlen(want)))
		TH_LOG("shadow:\n%s", vms_shadow_maps);
	EXPECT_NE(NULL, strstr(vms_shadow_maps, "[heap]"));
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));
}

TEST_HARNESS_MAIN
