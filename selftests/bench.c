// SPDX-License-Identifier: GPL-2.0
/*
 * bench: VMASHADOW_IOC_BENCH_FIND, which make bench times (issue 9).  Its
 * figures are only ratios, but what it counts must be exact: the shadow's
 * loop finds what the shadow's find_vma() finds, the kernel's loop what
 * find_vma() finds in the caller's own address space.  On a shadow
 * imported from the caller, the shadow's FIND answers every address as
 * the real maps do.  Bad arguments are refused before any lookup, and a
 * fatal signal ends a long call in either loop.
 *
 * find_vma() finds a VMA for every address below the highest VMA's end,
 * so a count tells which side a loop ran on only with addresses above
 * that end (there are none with randomisation off: those checks skip).
 * The tests compare the shadow with the live address space, so nothing
 * may map or unmap between the IMPORT and the checks: the arrays are
 * static, and no stdio runs in between.
 */
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <sys/wait.h>

#include "vms_test.h"

#define NADDR		4096
#define MAX_COUNT	(1U << 20)	/* VMS_BENCH_MAX_COUNT */
#define MAX_LOOKUPS	(1ULL << 26)	/* VMS_BENCH_MAX_LOOKUPS */
#define TASK_SIZE_47	0x7ffffffff000UL
#define MAX_VMAS	4096

static __u64 addrs[MAX_COUNT];
/* the real VMAs, in order, as /proc/self/maps gives them */
static unsigned long vma_start[MAX_VMAS], vma_end[MAX_VMAS];
static int nvma;

/*
 * Read the real VMAs; [vsyscall], above TASK_SIZE, is no VMA of the tree.
 * Returns the highest end, 0 on failure.
 */
static unsigned long read_vmas(void)
{
	char *p = vms_real_maps;

	nvma = 0;
	if (vms_read_real_maps() <= 0)
		return 0;
	while (*p && nvma < MAX_VMAS) {
		unsigned long start = strtoul(p, &p, 16);
		unsigned long end = strtoul(p + 1, &p, 16);

		if (start < TASK_SIZE_47) {
			vma_start[nvma] = start;
			vma_end[nvma++] = end;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return nvma ? vma_end[nvma - 1] : 0;
}

/* find_vma() over the real VMAs: the first ending above @addr, or -1. */
static int real_find(unsigned long addr)
{
	int lo = 0, hi = nvma;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (vma_end[mid] > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < nvma ? lo : -1;
}

static void bench_init(struct vmashadow_bench *b, const __u64 *a, __u32 count,
		       __u32 rounds)
{
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->addrs = (unsigned long)a;
	b->count = count;
	b->rounds = rounds;
}

static long bench(int fd, const __u64 *a, __u32 count, __u32 rounds,
		  struct vmashadow_bench *b)
{
	bench_init(b, a, count, rounds);
	return vms_ioctl(fd, VMASHADOW_IOC_BENCH_FIND, b);
}

static unsigned long next_random(unsigned long *seed)
{
	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	return *seed >> 17;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every argument check says -EINVAL (or -EFAULT) and counts nothing. */
TEST(bench_bad_arguments)
{
	static const size_t must_be_zero[] = {
		offsetof(struct vmashadow_bench, flags),
		offsetof(struct vmashadow_bench, shadow_ns),
		offsetof(struct vmashadow_bench, kernel_ns),
		offsetof(struct vmashadow_bench, shadow_found),
		offsetof(struct vmashadow_bench, kernel_found),
		offsetof(struct vmashadow_bench, cache_hits),
	};
	struct vmashadow_bench b, before;
	struct vmashadow_stats st0, st1;
	size_t i;
	void *hole;

	ASSERT_LE(0, vms_open());
	addrs[0] = PG(0);
	ASSERT_EQ(0, vms_stats(vms_fd, &st0));

	/* the flags, and every out field, must come in zero */
	for (i = 0; i < sizeof(must_be_zero) / sizeof(must_be_zero[0]); i++) {
		bench_init(&b, addrs, 1, 1);
		((char *)&b)[must_be_zero[i]] = 1;
		EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND, &b))
			TH_LOG("the field at offset %zu", must_be_zero[i]);
	}
	/* a size below the structure's */
	bench_init(&b, addrs, 1, 1);
	b.size = 8;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND, &b));

	/* the bounds: no call holds the CPU for long */
	EXPECT_EQ(-EINVAL, bench(vms_fd, addrs, 0, 1, &b));
	EXPECT_EQ(-EINVAL, bench(vms_fd, addrs, 1, 0, &b));
	EXPECT_EQ(-EINVAL, bench(vms_fd, addrs, MAX_COUNT + 1, 1, &b));
	EXPECT_EQ(-EINVAL, bench(vms_fd, addrs, MAX_COUNT, 65, &b));
	EXPECT_EQ(-EINVAL, bench(vms_fd, addrs, 2, 1U << 31, &b));
	/* the product, not each factor, is bounded */
	EXPECT_EQ(-EINVAL, bench(vms_fd, addrs, 1 << 13, (1 << 13) + 1, &b));

	/* addresses the caller cannot read */
	EXPECT_EQ(-EFAULT, bench(vms_fd, NULL, 1, 1, &b));
	hole = mmap(NULL, 2 * VMS_PS, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap((char *)hole + VMS_PS, VMS_PS));
	/* the array runs one entry into the unmapped page */
	EXPECT_EQ(-EFAULT, bench(vms_fd, (__u64 *)((char *)hole + VMS_PS) - 1,
				 2, 1, &b));
	/* the structure itself */
	EXPECT_EQ(-EFAULT, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND,
				     (char *)hole + VMS_PS));

	/* nothing ran, and a refused call writes nothing back */
	bench_init(&before, addrs, 0, 1);
	bench_init(&b, addrs, 0, 1);
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND, &b));
	EXPECT_EQ(0, memcmp(&before, &b, sizeof(b)));
	ASSERT_EQ(0, vms_stats(vms_fd, &st1));
	EXPECT_EQ(st0.lookups, st1.lookups);
	munmap(hole, VMS_PS);
}

/*
 * The shadow's loop counts what the shadow finds, the kernel's what the
 * caller's address space holds: an empty shadow finds nothing, while
 * find_vma() finds a VMA above every address below the stack.
 */
TEST(bench_two_sides)
{
	struct vmashadow_bench b;
	unsigned long i, top;

	VMS_SETUP();
	MAP(0, 4, 4, PROT_READ, 0);
	for (i = 0; i < 64; i++)
		addrs[i] = PG(i % 16);		/* the window: pages 0-15 */
	ASSERT_EQ(0, bench(vms_fd, addrs, 64, 3, &b));
	/* the shadow holds pages 4-7: find_vma() answers for pages 0-7 */
	EXPECT_EQ(3 * 32, b.shadow_found);
	/* the real window holds the same, and the stack lies above it */
	EXPECT_EQ(3 * 64, b.kernel_found);
	EXPECT_GT(b.shadow_ns, 0);
	EXPECT_GT(b.kernel_ns, 0);

	/* above every VMA both find nothing */
	top = read_vmas();
	ASSERT_NE(0, top);
	if (top > TASK_SIZE_47 - 16 * VMS_PS)
		SKIP(return, "no room above the stack (randomisation off?)");
	for (i = 0; i < 64; i++)
		addrs[i] = top + (i % 16) * VMS_PS;
	ASSERT_EQ(0, bench(vms_fd, addrs, 64, 2, &b));
	EXPECT_EQ(0, b.shadow_found);
	EXPECT_EQ(0, b.kernel_found);
}

/*
 * On a shadow imported from the caller, the shadow's FIND answers each
 * address with the VMA the real maps say find_vma() finds (or none), and
 * each loop counts exactly those: a half of the addresses over a window
 * of a few hundred regions, a quarter anywhere below the highest VMA,
 * and a quarter above it.
 */
TEST(bench_import_agrees)
{
	struct vmashadow_bench b;
	struct vmashadow_find f;
	unsigned long seed = 9, i, expect = 0, regions, top;
	long ret;
	int k;

	ASSERT_LE(0, vms_open());
	for (i = 0; i < 256; i++)
		ASSERT_EQ(0, vms_real_map(PG(2 * i), VMS_PS,
					  i & 1 ? PROT_READ : PROT_NONE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					  -1, 0, NULL));
	top = read_vmas();
	ASSERT_NE(0, top);
	for (i = 0; i < NADDR; i++) {
		unsigned long r = next_random(&seed);

		switch (i & 3) {
		case 0:
			addrs[i] = r % top;
			break;
		case 3:
			if (top <= TASK_SIZE_47 - 16 * VMS_PS) {
				addrs[i] = top + r % (16 * VMS_PS);
				break;
			}
			/* no room above: below it */
			addrs[i] = r % top;
			break;
		default:
			addrs[i] = PG(0) + r % PGS(520);
		}
	}
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &regions));
	ASSERT_LT(256, regions);
	/* the maps once more: nothing may have changed since */
	ASSERT_EQ(top, read_vmas());
	ASSERT_EQ(regions, nvma);
	for (i = 0; i < NADDR; i++) {
		k = real_find(addrs[i]);
		ret = vms_find(vms_fd, VMASHADOW_FIND_VMA, addrs[i], 0, &f);
		if (k < 0) {
			ASSERT_EQ(-ENOENT, ret)
				TH_LOG("%#llx: the shadow finds a region, the maps none",
				       addrs[i]);
			continue;
		}
		expect++;
		ASSERT_EQ(0, ret) TH_LOG("%#llx: no region in the shadow", addrs[i]);
		ASSERT_EQ(vma_start[k], f.region.start) TH_LOG("%#llx", addrs[i]);
		ASSERT_EQ(vma_end[k], f.region.end) TH_LOG("%#llx", addrs[i]);
	}
	ASSERT_EQ(0, bench(vms_fd, addrs, NADDR, 2, &b));
	EXPECT_EQ(2 * expect, b.shadow_found);
	EXPECT_EQ(2 * expect, b.kernel_found);
	/* the window's addresses hit one of its regions or a hole below one */
	EXPECT_LE(NADDR / 2, expect);
	if (top <= TASK_SIZE_47 - 16 * VMS_PS)
		EXPECT_GE(NADDR * 3 / 4, expect);
	EXPECT_EQ(0, vms_real_unmap(PG(0), PGS(512)));
}

/*
 * The lookup cache answers every lookup after the first of one address,
 * and the hits the call reports are the ones STATS counts.
 */
TEST(bench_cache_hits)
{
	struct vmashadow_stats st0, st1;
	struct vmashadow_bench b;
	unsigned long i;

	VMS_SETUP();
	MAP(0, 4, 4, PROT_READ, 0);
	MAP(0, 10, 2, PROT_READ | PROT_WRITE, 0);
	for (i = 0; i < 1000; i++)
		addrs[i] = PG(5);
	ASSERT_EQ(0, vms_stats(vms_fd, &st0));
	ASSERT_EQ(0, bench(vms_fd, addrs, 1000, 2, &b));
	EXPECT_EQ(2000, b.shadow_found);
	EXPECT_LE(1999, b.cache_hits);
	EXPECT_GE(2000, b.cache_hits);
	ASSERT_EQ(0, vms_stats(vms_fd, &st1));
	EXPECT_EQ(2000, st1.lookups - st0.lookups);
	EXPECT_EQ(b.cache_hits, st1.cache_hits - st0.cache_hits);

	/*
	 * An address above every region finds nothing, so nothing is cached
	 * for it: it misses every time, while the region at page 4 stays
	 * cached from the loop above.
	 */
	for (i = 0; i < 1000; i++)
		addrs[i] = i & 1 ? PG(4) : PG(4 + 4 * 1024);
	ASSERT_EQ(0, bench(vms_fd, addrs, 1000, 1, &b));
	EXPECT_EQ(500, b.shadow_found);
	EXPECT_EQ(500, b.cache_hits);
}

FIXTURE(slow) {
	int dummy;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

/*
 * Start a call of @rounds rounds over @count addresses in a child, kill
 * it after @delay seconds, and return how long it took to die, or a
 * negative number if it did not die of the SIGKILL.
 */
static double kill_during(__u32 count, __u32 rounds, double delay)
{
	struct vmashadow_bench b;
	double t;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid)
		_exit(bench(vms_fd, addrs, count, rounds, &b) ? 1 : 0);
	usleep((useconds_t)(delay * 1e6));
	t = now();
	if (kill(pid, SIGKILL) || waitpid(pid, &status, 0) != pid)
		return -1;
	t = now() - t;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? t : -1;
}

/*
 * A fatal signal ends the call within a few thousand lookups: a call of
 * 64 rounds killed in its shadow loop dies in a small part of one round,
 * not in the 63 left.
 */
TEST_F_TIMEOUT(slow, bench_killable_shadow, 120)
{
	struct vmashadow_bench b;
	double one, died;
	unsigned long i;

	ASSERT_LE(0, vms_open());
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	for (i = 0; i < MAX_COUNT; i++)
		addrs[i] = (i * 7919 * VMS_PS) % TASK_SIZE_47;
	ASSERT_EQ(0, bench(vms_fd, addrs, MAX_COUNT, 1, &b));
	one = b.shadow_ns / 1e9;
	died = kill_during(MAX_COUNT, 64, one * 2 + 0.1);
	ASSERT_LE(0, died);
	TH_LOG("a shadow round %.3f s; killed in %.3f s", one, died);
	EXPECT_GT(8 * one + 0.5, died);
}

/*
 * The same in the kernel's loop: with an empty shadow the shadow's loop
 * is short, and the kill lands a few rounds into the kernel's (128 rounds
 * of 65,536 lookups), which takes no more than a round or two to end.
 * The shadow's loop runs all its rounds first: on the debug kernel an
 * empty shadow's round takes 24 ms, so 1,024 rounds kept the test waiting
 * 40 s for its kill.
 */
TEST_F_TIMEOUT(slow, bench_killable_kernel, 120)
{
	const __u32 count = 1 << 16, rounds = 128;
	struct vmashadow_bench b;
	double shadow, kernel, died;
	unsigned long i;

	ASSERT_LE(0, vms_open());
	for (i = 0; i < count; i++)
		addrs[i] = (i * 7919 * VMS_PS) % TASK_SIZE_47;
	ASSERT_EQ(0, bench(vms_fd, addrs, count, 1, &b));
	shadow = b.shadow_ns / 1e9;
	kernel = b.kernel_ns / 1e9;
	died = kill_during(count, rounds, rounds * shadow * 1.5 + 8 * kernel);
	ASSERT_LE(0, died);
	TH_LOG("rounds of %.4f s (shadow) and %.4f s (kernel); killed in %.3f s",
	       shadow, kernel, died);
	EXPECT_GT(16 * kernel + 0.5, died);
}

TEST_HARNESS_MAIN
