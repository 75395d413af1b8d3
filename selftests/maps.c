// SPDX-License-Identifier: GPL-2.0
/*
 * maps: read() of the shadow prints /proc/pid/maps byte for byte: the
 * anonymous line with its trailing space, file lines (device, inode,
 * offset, the name at column 73), shared anonymous memory, and the [heap]
 * and [stack] labels (differences row 8).
 */
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define RX	(PROT_READ | PROT_EXEC)

/* The line of @win starting at @addr, without its newline, into @out. */
static const char *line_at(const char *win, unsigned long addr, char *out,
			   size_t size)
{
	const char *l = win;

	out[0] = '\0';
	while (*l) {
		const char *p = l, *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);

		if (vms_hex(&p) == addr) {
			if (len >= size)
				len = size - 1;
			memcpy(out, l, len);
			out[len] = '\0';
			return out;
		}
		if (!eol)
			break;
		l = eol + 1;
	}
	return NULL;
}

/*
 *   0123456
 *    AA BB       rw-p anonymous, r-xp anonymous
 */
TEST(anonymous_lines)
{
	char want[128], got[256];

	VMS_SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 4, 2, RX, 0);
	CHECK_LAYOUT("1-3:rw-p 4-6:r-xp");
	/* Explicitly: offset 0 (the hidden pgoff is not shown), a space at the end. */
	snprintf(want, sizeof(want), "%lx-%lx rw-p 00000000 00:00 0 ", PG(1), PG(3));
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(1), got, sizeof(got)));
	EXPECT_STREQ(want, got);
	snprintf(want, sizeof(want), "%lx-%lx r-xp 00000000 00:00 0 ", PG(4), PG(6));
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(4), got, sizeof(got)));
	EXPECT_STREQ(want, got);
}

/*
 *   0123456789
 *    FF GGG HH   file at offsets 0, 3 (shared) and 1 (private, rw)
 */
TEST(file_lines)
{
	char path[64], got[256];
	struct vmashadow_region r;
	struct stat st;
	const char *name;
	int f;

	VMS_SETUP();
	ASSERT_LE(0, f = vms_make_file(path, sizeof(path), "maps", 16));
	ASSERT_EQ(0, fstat(f, &st));
	MAPF(0, 1, 2, R, MAP_PRIVATE, f, 0);
	MAPF(0, 4, 3, RW, MAP_SHARED, f, 3);
	MAPF(0, 8, 2, RW, MAP_PRIVATE, f, 11);
	CHECK_LAYOUT("1-3:r--p 4-7:rw-s 8-10:rw-p");
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(4), got, sizeof(got)));
	/* The name starts at column 73 (index 73 of the line, 0-based). */
	name = strchr(got, '/');
	ASSERT_NE(NULL, name);
	EXPECT_EQ(73, name - got);
	EXPECT_STREQ(path, name);
	/* Offset in hex bytes, at least 8 digits. */
	EXPECT_NE(NULL, strstr(got, " 00003000 "));
	/* The shadow reports the inode and device of the file. */
	r = vms_region_at(4);
	EXPECT_EQ(st.st_ino, r.ino);
	EXPECT_EQ(major(st.st_dev), r.dev_major);
	EXPECT_EQ(minor(st.st_dev), r.dev_minor);
	EXPECT_EQ(VMASHADOW_KIND_FILE, r.kind);
	EXPECT_EQ(3, r.pgoff);
	EXPECT_NE(0, r.file_id);
	/* Unlinked: " (deleted)" on both sides. */
	ASSERT_EQ(0, unlink(path));
	CHECK_LAYOUT("1-3:r--p 4-7:rw-s 8-10:rw-p");
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(8), got, sizeof(got)));
	EXPECT_NE(NULL, strstr(got, " (deleted)"));
	close(f);
}

/* Shared anonymous: /dev/zero (deleted), compared with the inode masked. */
TEST(shared_anon_lines)
{
	char got[256];
	struct vmashadow_region r;

	VMS_SETUP();
	MAPS(0, 1, 2, RW);
	MAPS(0, 3, 1, R);
	CHECK_LAYOUT("1-3:rw-s 3-4:r--s");
	/* Unmasked: the name at column 73 whatever the inode's digits. */
	ASSERT_NE(NULL, line_at(vms_shadow_maps, PG(1), got, sizeof(got)));
	EXPECT_EQ(73, strstr(got, "/dev/zero (deleted)") - got);
	EXPECT_NE(NULL, strstr(got, " 00:01 "));
	r = vms_region_at(1);
	EXPECT_EQ(VMASHADOW_KIND_SHMEM, r.kind);
	/* Each shared anonymous mapping is its own file. */
	EXPECT_NE(r.file_id, vms_region_at(3).file_id);
	/* Split: the upper piece's offset advances. */
	MAPS(0, 6, 4, RW);
	PROTECT(0, 8, 1, R);
	CHECK_LAYOUT("1-3:rw-s 3-4:r--s 6-8:rw-s 8-9:r--s 9-10:rw-s");
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(9), got, sizeof(got)));
	EXPECT_NE(NULL, strstr(got, " 00003000 "));
}

/*
 * Row 8, on the shadow alone under both rule sets (the real heap is out of
 * the window): 6.1 labels any region with vm_start <= brk && vm_end >=
 * start_brk, touching counts; 6.12 needs an overlap.
 *
 *   0123456789abcdef
 *       HHH          [start_brk, brk) = [4, 7)
 *    BBB   CC        B ends at start_brk, C starts at brk: [heap] on 6.1 only
 *       DD           inside: [heap] on both
 *            EE      apart: never
 */
static void heap_labels(struct __test_metadata *_metadata, unsigned int rules)
{
	struct vmashadow_params p;
	char got[256];
	const char *want_touch = rules == VMASHADOW_RULES_6_1 ? "[heap]" : NULL;

	memset(&p, 0, sizeof(p));
	p.rules = rules;
	p.start_brk = PG(4);
	p.brk = PG(7);
	ASSERT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_RULES |
				    VMASHADOW_PARAM_BRK));
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(1), PGS(3), R,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(4), PGS(2), RW,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(7), PGS(2), RX,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(10), PGS(2), R,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_snapshot());
	ASSERT_STREQ("1-4:r--p 4-6:rw-p 7-9:r-xp 10-12:r--p", vms_shadow_layout);

	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(4), got, sizeof(got)));
	EXPECT_STREQ("[heap]", got + 73);
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(1), got, sizeof(got)));
	if (want_touch) {
		ASSERT_LE(73, strlen(got));
		EXPECT_STREQ(want_touch, got + 73);
	} else {
		EXPECT_EQ(NULL, strstr(got, "[heap]"));
	}
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(7), got, sizeof(got)));
	if (want_touch) {
		ASSERT_LE(73, strlen(got));
		EXPECT_STREQ(want_touch, got + 73);
	} else {
		EXPECT_EQ(NULL, strstr(got, "[heap]"));
	}
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(10), got, sizeof(got)));
	EXPECT_EQ(NULL, strstr(got, "[heap]"));
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));
}

TEST(heap_label_6_1)
{
	ASSERT_LE(0, vms_open());
	heap_labels(_metadata, VMASHADOW_RULES_6_1);
}

TEST(heap_label_6_12)
{
	ASSERT_LE(0, vms_open());
	heap_labels(_metadata, VMASHADOW_RULES_6_12);
}

/*
 * Row 8 against the real kernel: a region mapped right at the (page
 * aligned) break touches the heap.  6.1 labels it [heap], 6.12 does not.
 * The shadow gets the real start_brk and brk and maps the same region.
 */
TEST(heap_label_real)
{
	unsigned long brk0, start_brk = 0, lo;
	struct vmashadow_params p;
	char real[256], shadow[256];
	int k = vms_kernel(), fd, n, field;
	char *s;

	VMS_SETUP();
	/* start_brk: field 47 of /proc/self/stat (after the comm field). */
	fd = open("/proc/self/stat", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, vms_real_maps, sizeof(vms_real_maps) - 1);
	close(fd);
	ASSERT_LT(0, n);
	vms_real_maps[n] = '\0';
	s = strrchr(vms_real_maps, ')');
	ASSERT_NE(NULL, s);
	for (field = 2; *s && field < 47; s++)
		if (*s == ' ')
			field++;
	while (*s >= '0' && *s <= '9')
		start_brk = start_brk * 10 + *s++ - '0';
	ASSERT_NE(0, start_brk);

	/* Grow the heap by a page and make the break page aligned. */
	brk0 = syscall(SYS_brk, 0);
	lo = (brk0 + 2 * VMS_PS - 1) & ~(VMS_PS - 1);
	ASSERT_EQ(lo, (unsigned long)syscall(SYS_brk, lo));
	if (vms_real_map(lo, PGS(2), R, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE, -1, 0, NULL))
		SKIP(return, "cannot map at the break %lx", lo);

	memset(&p, 0, sizeof(p));
	p.start_brk = start_brk;
	p.brk = lo;
	ASSERT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_BRK));
	ASSERT_EQ(0, vms_shadow_map(vms_fd, lo, PGS(2), R,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				    -1, 0, NULL));
	ASSERT_LE(0, vms_read_real_maps());
	ASSERT_LE(0, vms_read_shadow_maps(vms_fd));
	ASSERT_NE(NULL, line_at(vms_real_maps, lo, real, sizeof(real)));
	ASSERT_NE(NULL, line_at(vms_shadow_maps, lo, shadow, sizeof(shadow)));
	if (k == 61) {
		EXPECT_NE(NULL, strstr(real, "[heap]")) TH_LOG("%s", real);
	} else if (k == 612) {
		EXPECT_EQ(NULL, strstr(real, "[heap]")) TH_LOG("%s", real);
	}
	EXPECT_STREQ(real, shadow);
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));
}

/*
 *   01234567
 *     SSS        start_stack inside: [stack]; the neighbour is not
 */
TEST(stack_label)
{
	struct vmashadow_params p;
	char got[256];

	ASSERT_LE(0, vms_open());
	memset(&p, 0, sizeof(p));
	p.start_stack = PG(3) + 0x123;
	ASSERT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_START_STACK));
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(2), PGS(3), RW,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(5), PGS(1), R,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_snapshot());
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(2), got, sizeof(got)));
	ASSERT_LE(73, strlen(got));
	EXPECT_STREQ("[stack]", got + 73);
	ASSERT_NE(NULL, line_at(vms_shadow_win, PG(5), got, sizeof(got)));
	EXPECT_EQ(NULL, strstr(got, "[stack]"));
	/* The real stack line, for comparison of the format. */
	ASSERT_NE(NULL, strstr(vms_real_maps, "[stack]"));
}

TEST_HARNESS_MAIN
