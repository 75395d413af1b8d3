// SPDX-License-Identifier: GPL-2.0
/*
 * find: the FIND modes (find_vma, find_vma_prev, find_vma_intersection,
 * vma_lookup, find_exact_vma) on a known layout, the lookup statistics,
 * and LIST walking everything with a cursor.
 *
 *   0123456789ab
 *    AA  BBB  C      A r--, B rw-, C r-x (file)
 */
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define RX	(PROT_READ | PROT_EXEC)

static char path[64];

static void layout(struct __test_metadata *_metadata)
{
	int f;

	VMS_SETUP();
	ASSERT_LE(0, f = vms_make_file(path, sizeof(path), "find", 4));
	MAP(0, 1, 2, R, 0);
	MAP(0, 5, 3, RW, 0);
	MAPF(0, 10, 1, RX, MAP_PRIVATE, f, 2);
	close(f);
	CHECK_LAYOUT("1-3:r--p 5-8:rw-p 10-11:r-xp");
}

#define EXPECT_REGION(r, s, e) do {					\
	EXPECT_EQ(PG(s), (r).start);					\
	EXPECT_EQ(PG(e), (r).end);					\
} while (0)

TEST(find_vma)
{
	struct vmashadow_find f;

	layout(_metadata);
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_VMA, PG(0), 0, &f));
	EXPECT_EQ(VMASHADOW_FOUND_REGION, f.found & VMASHADOW_FOUND_REGION);
	EXPECT_REGION(f.region, 1, 3);
	/* The end is exclusive: the next region. */
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_VMA, PG(3), 0, &f));
	EXPECT_REGION(f.region, 5, 8);
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_VMA, PG(7) + 5, 0, &f));
	EXPECT_REGION(f.region, 5, 8);
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_VMA, PG(8), 0, &f));
	EXPECT_REGION(f.region, 10, 11);
	EXPECT_EQ(VMASHADOW_KIND_FILE, f.region.kind);
	EXPECT_EQ(2, f.region.pgoff);
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_VMA, PG(11), 0, &f));
}

TEST(find_vma_prev)
{
	struct vmashadow_find f;

	layout(_metadata);
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_PREV, PG(4), 0, &f));
	EXPECT_EQ(VMASHADOW_FOUND_REGION | VMASHADOW_FOUND_PREV, f.found);
	EXPECT_REGION(f.region, 5, 8);
	EXPECT_REGION(f.prev, 1, 3);
	/* Inside B: the prev is still A. */
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_PREV, PG(6), 0, &f));
	EXPECT_REGION(f.region, 5, 8);
	EXPECT_REGION(f.prev, 1, 3);
	/* The first region has no prev. */
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_PREV, PG(1), 0, &f));
	EXPECT_EQ(VMASHADOW_FOUND_REGION, f.found);
	EXPECT_REGION(f.region, 1, 3);
	/* Above everything: no region, but a prev (find_vma_prev's rule). */
	vms_find(vms_fd, VMASHADOW_FIND_PREV, PG(12), 0, &f);
	EXPECT_EQ(VMASHADOW_FOUND_PREV, f.found);
	EXPECT_REGION(f.prev, 10, 11);
}

TEST(find_intersection)
{
	struct vmashadow_find f;

	layout(_metadata);
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_INTERSECT, PG(3), PG(5), &f));
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_INTERSECT, PG(3), PG(6), &f));
	EXPECT_REGION(f.region, 5, 8);
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_INTERSECT, PG(0), PG(12), &f));
	EXPECT_REGION(f.region, 1, 3);
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_INTERSECT, PG(2), PG(3), &f));
	EXPECT_REGION(f.region, 1, 3);
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_INTERSECT, PG(8), PG(10), &f));
}

TEST(lookup)
{
	struct vmashadow_find f;
	char name[128];

	layout(_metadata);
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, PG(4), 0, &f));
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, PG(3), 0, &f));
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, PG(7) + 0xfff, 0, &f));
	EXPECT_REGION(f.region, 5, 8);
	EXPECT_TRUE(f.region.vm_flags & VMASHADOW_VM_WRITE);
	EXPECT_EQ(VMASHADOW_KIND_ANON, f.region.kind);
	EXPECT_EQ(0, f.region.file_id);

	/* With a name buffer: the file's path. */
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.mode = VMASHADOW_FIND_LOOKUP;
	f.addr = PG(10);
	f.name_addr = (unsigned long)name;
	f.name_size = sizeof(name);
	ASSERT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_FIND, &f));
	EXPECT_STREQ(path, name);
	EXPECT_EQ(strlen(path) + 1, f.name_size);
	EXPECT_NE(0, f.region.file_id);
	unlink(path);
}

TEST(exact)
{
	struct vmashadow_find f;

	layout(_metadata);
	ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_EXACT, PG(5), PG(8), &f));
	EXPECT_REGION(f.region, 5, 8);
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_EXACT, PG(5), PG(7), &f));
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_EXACT, PG(6), PG(8), &f));
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_EXACT, PG(4), PG(8), &f));
}

TEST(empty_shadow)
{
	struct vmashadow_find f;

	ASSERT_LE(0, vms_open());
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_VMA, 0, 0, &f));
	EXPECT_EQ(-ENOENT, vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, PG(1), 0, &f));
}

/* Repeated lookups of one address hit the cache. */
TEST(stats_cache)
{
	struct vmashadow_stats a, b;
	struct vmashadow_find f;
	int i;

	layout(_metadata);
	ASSERT_EQ(0, vms_stats(vms_fd, &a));
	EXPECT_EQ(3, a.regions);
	EXPECT_LE(3, a.peak_regions);
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, PG(6), 0, &f));
	ASSERT_EQ(0, vms_stats(vms_fd, &b));
	EXPECT_LE(a.lookups + 10, b.lookups);
	EXPECT_LE(a.cache_hits + 9, b.cache_hits);
	EXPECT_EQ(b.lookups, b.cache_hits + b.cache_misses);
	EXPECT_LE(1, b.tree_height);
}

/* LIST with capacity 1 and 2: every region once, in order, then count 0. */
TEST(list_cursor)
{
	struct vmashadow_region r[2];
	struct vmashadow_list l;
	unsigned long want[3][2] = { { 1, 3 }, { 5, 8 }, { 10, 11 } };
	unsigned int cap, i, n;

	layout(_metadata);
	for (cap = 1; cap <= 2; cap++) {
		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.region_size = sizeof(r[0]);
		l.regions = (unsigned long)r;
		l.addr = 0;
		n = 0;
		for (;;) {
			l.count = cap;
			ASSERT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_LIST, &l));
			if (!l.count)
				break;
			ASSERT_GE(cap, l.count);
			for (i = 0; i < l.count; i++, n++) {
				ASSERT_GT(3, n);
				EXPECT_EQ(PG(want[n][0]), r[i].start);
				EXPECT_EQ(PG(want[n][1]), r[i].end);
			}
			EXPECT_EQ(r[l.count - 1].end, l.addr);
		}
		EXPECT_EQ(3, n);
	}
	/* Starting in the middle of B: B is the first (it ends above). */
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.region_size = sizeof(r[0]);
	l.regions = (unsigned long)r;
	l.addr = PG(6);
	l.count = 1;
	ASSERT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_LIST, &l));
	ASSERT_EQ(1, l.count);
	EXPECT_EQ(PG(5), r[0].start);
}

TEST_HARNESS_MAIN
