// SPDX-License-Identifier: GPL-2.0
/*
 * bench: VMASHADOW_IOC_BENCH_FIND, which make bench times (issue 9).  Its
 * figures are only ratios, but what it counts must be exact: the shadow's
 * loop finds what the shadow's find_vma() finds, the kernel's loop what
 * find_vma() finds in the caller's own address space, and the two agree
 * on a shadow imported from it.  Bad arguments are refused before any
 * lookup, and a fatal signal ends a long call between two rounds.
 *
 * The tests compare the shadow with the live address space, so nothing
 * may map or unmap between the IMPORT and the BENCH_FIND: the address
 * arrays are static, and no stdio runs in between.
 */
#include <time.h>

#include "vms_test.h"

#define NADDR		4096
#define MAX_COUNT	(1U << 20)	/* VMS_BENCH_MAX_COUNT */
#define MAX_LOOKUPS	(1ULL << 26)	/* VMS_BENCH_MAX_LOOKUPS */
/* above the stack, [vvar] and [vdso], below TASK_SIZE: no VMA ends there */
#define ABOVE_ALL	0x7fffffff0000UL

static __u64 addrs[MAX_COUNT];

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
	struct vmashadow_bench b, before;
	struct vmashadow_stats st0, st1;
	void *hole;

	ASSERT_LE(0, vms_open());
	addrs[0] = PG(0);
	ASSERT_EQ(0, vms_stats(vms_fd, &st0));

	bench_init(&b, addrs, 1, 1);
	b.flags = 1;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND, &b));
	/* the out fields must come in zero */
	bench_init(&b, addrs, 1, 1);
	b.shadow_ns = 1;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND, &b));
	bench_init(&b, addrs, 1, 1);
	b.kernel_ns = 1;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND, &b));
	bench_init(&b, addrs, 1, 1);
	b.shadow_found = 1;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND, &b));
	bench_init(&b, addrs, 1, 1);
	b.kernel_found = 1;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND, &b));
	bench_init(&b, addrs, 1, 1);
	b.cache_hits = 1;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_BENCH_FIND, &b));
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
	unsigned long i;

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
	for (i = 0; i < 64; i++)
		addrs[i] = ABOVE_ALL + i * VMS_PS;
	ASSERT_EQ(0, bench(vms_fd, addrs, 64, 2, &b));
	EXPECT_EQ(0, b.shadow_found);
	EXPECT_EQ(0, b.kernel_found);
}

/*
 * On a shadow imported from the caller, both loops agree address for
 * address: each side counts the same random addresses over the whole
 * user address space, and the shadow's count is what its FIND ioctl
 * says of each of them.
 */
TEST(bench_import_agrees)
{
	struct vmashadow_bench b;
	struct vmashadow_find f;
	unsigned long seed = 9, i, found = 0, regions;
	long ret;

	ASSERT_LE(0, vms_open());
	/* a few hundred regions of the caller's own, in the window */
	for (i = 0; i < 256; i++)
		ASSERT_EQ(0, vms_real_map(PG(2 * i), VMS_PS,
					  i & 1 ? PROT_READ : PROT_NONE,
					  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					  -1, 0, NULL));
	/* half over the window, a quarter anywhere, a quarter above all */
	for (i = 0; i < NADDR; i++) {
		unsigned long r = next_random(&seed);

		switch (i & 3) {
		case 0:
			addrs[i] = r % ABOVE_ALL;
			break;
		case 3:
			addrs[i] = ABOVE_ALL + r % PGS(16);
			break;
		default:
			addrs[i] = PG(0) + r % PGS(520);
		}
	}
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &regions));
	ASSERT_LT(256, regions);
	ASSERT_EQ(0, bench(vms_fd, addrs, NADDR, 2, &b));
	EXPECT_EQ(b.kernel_found, b.shadow_found);
	for (i = 0; i < NADDR; i++) {
		ret = vms_find(vms_fd, VMASHADOW_FIND_VMA, addrs[i], 0, &f);
		ASSERT_TRUE(ret == 0 || ret == -ENOENT);
		found += !ret;
	}
	EXPECT_EQ(2 * found, b.shadow_found);
	/* a quarter lies above every VMA; nearly all the rest below one */
	EXPECT_LT(NADDR / 2, found);
	EXPECT_GE(NADDR * 3 / 4, found);
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

/*
 * A fatal signal ends the call between two rounds: a call of 64 rounds
 * dies in about the time of one, not of 64.
 */
TEST(bench_killable)
{
	struct vmashadow_bench b;
	double t, one, died;
	unsigned long i;
	int status;
	pid_t pid;

	ASSERT_LE(0, vms_open());
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	for (i = 0; i < MAX_COUNT; i++)
		addrs[i] = (i * 7919 * VMS_PS) % ABOVE_ALL;
	t = now();
	ASSERT_EQ(0, bench(vms_fd, addrs, MAX_COUNT, 1, &b));
	one = now() - t;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(bench(vms_fd, addrs, MAX_COUNT, 64, &b) ? 1 : 0);
	usleep(200 * 1000);
	t = now();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	died = now() - t;
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	TH_LOG("one round %.3f s; killed in %.3f s", one, died);
	/* 64 rounds take 64 * one: dying takes at most a round or two */
	EXPECT_GT(16 * one + 0.5, died);
}

TEST_HARNESS_MAIN
