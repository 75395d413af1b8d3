// SPDX-License-Identifier: GPL-2.0
/*
 * vmsbench: the benchmarks of make bench (issue 9), run inside a test VM
 * as root with the module loaded.
 *
 * Under QEMU TCG absolute times mean nothing, so every figure is a ratio
 * of two measurements taken in this one run: the shadow against the real
 * kernel doing the same thing on the same layout, or the shadow against
 * itself at another size.  Each measurement is the median of REPS
 * repetitions, the variants of one figure interleaved within a repetition.
 *
 * Output: one line per figure,
 *   bench <name> <kernel>: vmashadow <v> <unit>, linux <v> <unit>, ratio <linux/vmashadow>
 * and, for the shadow-only figures,
 *   bench scaling <kernel>: n <n> find <v> map <v> protect <v> unmap <v> ns/op
 *   bench place-growth <kernel>: n1 <n> <v> ns/op, n2 <n> <v> ns/op, ratio <v2/v1>
 * then a kselftest "# Totals:" line so that scripts/vm-run.sh counts it.
 *
 *   vmsbench          the full run (a few minutes under TCG)
 *   vmsbench --quick  tiny sizes: a smoke test of the program itself
 *                     (also when run under the name vmsbench-quick)
 *
 * The layout: n regions of RPAGES pages each, contiguous from BASE, with
 * alternating protections (PROT_NONE, PROT_READ) so that none merge.  The
 * real one is made with one mmap and an mprotect of every other region;
 * the shadow gets it by importing the process (same layout, same
 * mmap_base), or, for the shadow-only figures, by a batch of MAP_FIXED.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "../ioctl.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define PS		4096UL
#define RPAGES		4UL
#define RSIZE		(RPAGES * PS)
#define BASE		0x200000000000UL
#define MAX_BATCH	4096	/* the module's default max_batch */
#define MAXN		1000000UL

static int quick;
static int reps = 11;
static char kernel[80];
static int failures;

/* ---- small helpers ------------------------------------------------------ */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stdout, "vmsbench: error: ");
	vfprintf(stdout, fmt, ap);
	fprintf(stdout, "\n# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n");
	va_end(ap);
	fflush(stdout);
	exit(1);
}

static void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("info %s: warning: ", kernel);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	failures++;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v. */
static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The median of num[r] / den[r]: each repetition's two sides were timed
 * back to back, so their ratio is immune to the host's load drifting
 * between repetitions, which the ratio of two medians is not.  Call it
 * before median() sorts either array.
 */
static double ratio_median(const double *num, const double *den, int n)
{
	double q[16];
	int r;

	for (r = 0; r < n; r++)
		q[r] = num[r] / den[r];
	return median(q, n);
}

static void write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		warn("cannot write %s to %s: %s", val, path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static long read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static int prot_of(unsigned long i)
{
	return (i & 1) ? PROT_READ : PROT_NONE;
}

static unsigned long region_addr(unsigned long i)
{
	return BASE + i * RSIZE;
}

/* ---- the shadow ---------------------------------------------------------- */

static int vms_open(unsigned int max_map_count)
{
	struct vmashadow_params p;
	int fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/vmashadow: %s", strerror(errno));
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.set = VMASHADOW_PARAM_MAX_MAP_COUNT;
	p.max_map_count = max_map_count;
	if (ioctl(fd, VMASHADOW_IOC_SET_PARAMS, &p))
		die("SET_PARAMS max_map_count %u: %s", max_map_count, strerror(errno));
	return fd;
}

static void vms_stats(int fd, struct vmashadow_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	if (ioctl(fd, VMASHADOW_IOC_STATS, s))
		die("STATS: %s", strerror(errno));
}

static unsigned long vms_import(int fd, pid_t pid)
{
	struct vmashadow_import im;

	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.pid = pid;
	if (ioctl(fd, VMASHADOW_IOC_IMPORT, &im))
		die("IMPORT pid %d: %s", pid, strerror(errno));
	return im.regions;
}

static void mkop(struct vmashadow_op *o, unsigned int op, unsigned long addr,
		 unsigned long len, int prot, int flags)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->op = op;
	o->addr = addr;
	o->len = len;
	o->prot = prot;
	o->flags = flags;
	o->fd = -1;
}

static unsigned long op_cmd(unsigned int op)
{
	switch (op) {
	case VMASHADOW_OP_MAP:
		return VMASHADOW_IOC_MAP;
	case VMASHADOW_OP_UNMAP:
		return VMASHADOW_IOC_UNMAP;
	case VMASHADOW_OP_PROTECT:
		return VMASHADOW_IOC_PROTECT;
	case VMASHADOW_OP_TOUCH:
		return VMASHADOW_IOC_TOUCH;
	}
	die("op %u", op);
	return 0;
}

/* Apply @n ops, @per at a time in BATCH (0: one ioctl each). */
static void vms_run(int fd, struct vmashadow_op *ops, unsigned long n,
		    unsigned long per)
{
	unsigned long i, k;

	if (!per) {
		for (i = 0; i < n; i++)
			if (ioctl(fd, op_cmd(ops[i].op), &ops[i]))
				die("op %u at %#lx: %s", ops[i].op,
				    (unsigned long)ops[i].addr, strerror(errno));
		return;
	}
	for (i = 0; i < n; i += k) {
		struct vmashadow_batch b;

		k = n - i < per ? n - i : per;
		memset(&b, 0, sizeof(b));
		b.size = sizeof(b);
		b.op_size = sizeof(*ops);
		b.ops = (uintptr_t)(ops + i);
		b.count = k;
		if (ioctl(fd, VMASHADOW_IOC_BATCH, &b))
			die("BATCH: %s", strerror(errno));
		if (b.done != k)
			die("BATCH stopped at %u of %lu: op %u at %#lx: %s", b.done, k,
			    ops[i + b.done].op,
			    (unsigned long)ops[i + b.done].addr, strerror(-b.error));
	}
}

/* The same ops as the real system calls. */
static void real_run(const struct vmashadow_op *ops, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		const struct vmashadow_op *o = &ops[i];
		void *p;

		switch (o->op) {
		case VMASHADOW_OP_MAP:
			p = mmap((void *)(uintptr_t)o->addr, o->len, o->prot,
				 o->flags, -1, 0);
			if (p == MAP_FAILED)
				die("mmap %#lx: %s", (unsigned long)o->addr, strerror(errno));
			break;
		case VMASHADOW_OP_UNMAP:
			if (munmap((void *)(uintptr_t)o->addr, o->len))
				die("munmap %#lx: %s", (unsigned long)o->addr, strerror(errno));
			break;
		case VMASHADOW_OP_PROTECT:
			if (mprotect((void *)(uintptr_t)o->addr, o->len, o->prot))
				die("mprotect %#lx: %s", (unsigned long)o->addr, strerror(errno));
			break;
		default:
			die("real op %u", o->op);
		}
	}
}

/* The layout of @n regions in the shadow @fd alone. */
static void vms_build(int fd, unsigned long n)
{
	static struct vmashadow_op ops[MAX_BATCH];
	unsigned long i, k = 0;

	for (i = 0; i < n; i++) {
		mkop(&ops[k++], VMASHADOW_OP_MAP, region_addr(i), RSIZE, prot_of(i),
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
		if (k == MAX_BATCH || i == n - 1) {
			vms_run(fd, ops, k, MAX_BATCH);
			k = 0;
		}
	}
}

/* ---- the real address space --------------------------------------------- */

static void real_build(unsigned long n)
{
	unsigned long i;
	void *p = mmap((void *)BASE, n * RSIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)BASE)
		die("mmap of the layout: %s", strerror(errno));
	for (i = 1; i < n; i += 2)
		if (mprotect((void *)region_addr(i), RSIZE, PROT_READ))
			die("mprotect %lu of %lu: %s (vm.max_map_count?)", i, n,
			    strerror(errno));
}

static void real_teardown(unsigned long n)
{
	munmap((void *)BASE, n * RSIZE);
}

static unsigned long real_count(void)
{
	static char buf[1 << 16];
	unsigned long lines = 0;
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n, i;

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

/* ---- 1. find ------------------------------------------------------------- */

static uint64_t *addrs;
#define NADDRS_MAX	(1UL << 16)

static void make_addrs(unsigned long n, unsigned long count, int local)
{
	unsigned long i, span = n * RSIZE;

	for (i = 0; i < count; ) {
		if (!local) {
			addrs[i++] = BASE + (rnd() % span & ~7UL);
		} else {
			/* a run of 32 lookups within two neighbouring regions */
			unsigned long j = rnd() % (n - 1), k;

			for (k = 0; k < 32 && i < count; k++)
				addrs[i++] = region_addr(j) + (rnd() % (2 * RSIZE) & ~7UL);
		}
	}
}

struct find_result {
	double shadow, kernel, hits;	/* ns per lookup, hit fraction */
	double ratio;			/* kernel / shadow */
};

/* One BENCH_FIND call over the first @count of addrs[]. */
static struct find_result bench_find_1(int fd, unsigned long count,
				       unsigned int rounds, int want_kernel)
{
	struct vmashadow_bench b;
	struct find_result res;
	double total = (double)count * rounds;

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.addrs = (uintptr_t)addrs;
	b.count = count;
	b.rounds = rounds;
	if (ioctl(fd, VMASHADOW_IOC_BENCH_FIND, &b))
		die("BENCH_FIND: %s", strerror(errno));
	if (want_kernel && b.shadow_found != b.kernel_found)
		warn("find: shadow found %llu, kernel %llu",
		     (unsigned long long)b.shadow_found,
		     (unsigned long long)b.kernel_found);
	res.shadow = b.shadow_ns / total;
	res.kernel = b.kernel_ns / total;
	res.hits = b.cache_hits / total;
	return res;
}

static struct find_result bench_find(int fd, unsigned long count,
				     unsigned int rounds, int want_kernel)
{
	double s[16], k[16], h[16];
	struct find_result res;
	int r;

	for (r = 0; r < reps; r++) {
		res = bench_find_1(fd, count, rounds, want_kernel);
		s[r] = res.shadow;
		k[r] = res.kernel;
		h[r] = res.hits;
	}
	res.ratio = ratio_median(k, s, reps);
	res.shadow = median(s, reps);
	res.kernel = median(k, reps);
	res.hits = median(h, reps);
	return res;
}

static void fig_find(unsigned long n, int fd)
{
	unsigned long count = quick ? 4096 : NADDRS_MAX;
	unsigned int rounds = quick ? 1 : 4;
	int local;

	for (local = 0; local < 2; local++) {
		struct find_result f;

		make_addrs(n, count, local);
		f = bench_find(fd, count, rounds, 1);
		printf("bench find-%s-%lu %s: vmashadow %.1f ns/lookup, linux %.1f ns/lookup, ratio %.2f, cache hits %.1f %%\n",
		       local ? "local" : "random", n, kernel, f.shadow, f.kernel,
		       f.ratio, 100 * f.hits);
		fflush(stdout);
	}
}

/* ---- 2. the floor under one operation per ioctl ---------------------- */

/*
 * What any ioctl of the shadow costs before the module does anything:
 * the system call, fdget(), the LSM's file_ioctl hook and the dispatch,
 * timed with a command the module answers -ENOTTY at once, against the
 * cheapest system call there is.  The mutation figures divide the real
 * calls by one operation per ioctl: this is the part of the divisor no
 * work in the module can remove.
 */
#define VMS_IOC_NONE	_IO(VMASHADOW_IOC_MAGIC, 0x7f)

static void fig_syscall_floor(int fd)
{
	const unsigned long iters = quick ? 2000 : 20000;
	double sh[16], re[16], q;
	unsigned long i;
	uint64_t t0;
	int r;

	if (ioctl(fd, VMS_IOC_NONE, 0) != -1 || errno != ENOTTY)
		warn("floor: an unknown ioctl did not say ENOTTY");
	for (r = 0; r < reps; r++) {
		t0 = now_ns();
		for (i = 0; i < iters; i++)
			ioctl(fd, VMS_IOC_NONE, 0);
		sh[r] = (double)(now_ns() - t0) / iters;
		t0 = now_ns();
		for (i = 0; i < iters; i++)
			syscall(SYS_getppid);
		re[r] = (double)(now_ns() - t0) / iters;
	}
	q = ratio_median(re, sh, reps);
	printf("bench syscall-floor %s: vmashadow %.0f ns/ioctl, linux %.0f ns/getppid, ratio %.2f\n",
	       kernel, median(sh, reps), median(re, reps), q);
	fflush(stdout);
}

/* ---- 2, 3. mutations and batches -------------------------------------- */

/*
 * Eight operations at region @i (not the first nor the last), each pair
 * splitting then merging again, so the layout is the same after them:
 * a middle protect (2 splits, then a 3-way merge), a middle unmap and the
 * map that fills it (split; 3-way merge), a whole-region protect to the
 * neighbours' protection (3-way merge; 2 splits), an unmap of the whole
 * region and its map back (removal; a map that merges with neither).
 */
static struct vmashadow_op *mix;

static unsigned long make_mix(unsigned long n, unsigned long iters)
{
	unsigned long it, k = 0;
	const int fl = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

	for (it = 0; it < iters; it++) {
		unsigned long i = 1 + rnd() % (n - 2), a = region_addr(i);
		int p = prot_of(i), q = prot_of(i + 1);

		mkop(&mix[k++], VMASHADOW_OP_PROTECT, a + PS, 2 * PS, p | PROT_EXEC, 0);
		mkop(&mix[k++], VMASHADOW_OP_PROTECT, a + PS, 2 * PS, p, 0);
		mkop(&mix[k++], VMASHADOW_OP_UNMAP, a + PS, PS, 0, 0);
		mkop(&mix[k++], VMASHADOW_OP_MAP, a + PS, PS, p, fl);
		mkop(&mix[k++], VMASHADOW_OP_PROTECT, a, RSIZE, q, 0);
		mkop(&mix[k++], VMASHADOW_OP_PROTECT, a, RSIZE, p, 0);
		mkop(&mix[k++], VMASHADOW_OP_UNMAP, a, RSIZE, 0, 0);
		mkop(&mix[k++], VMASHADOW_OP_MAP, a, RSIZE, p, fl);
	}
	return k;
}

/* The time an operation of @ops takes, run as real system calls. */
static double real_ns_per_op(const struct vmashadow_op *ops, unsigned long n)
{
	uint64_t t0 = now_ns();

	real_run(ops, n);
	return (double)(now_ns() - t0) / n;
}

/* The same on the shadow, @per to a batch (0: one ioctl each). */
static double vms_ns_per_op(int fd, struct vmashadow_op *ops, unsigned long n,
			    unsigned long per)
{
	uint64_t t0 = now_ns();

	vms_run(fd, ops, n, per);
	return (double)(now_ns() - t0) / n;
}

/*
 * The floor under every operation: mprotect() of a region to the
 * protection it has.  It changes nothing on either side, and every
 * operation's path holds all of its: the system call, the operation
 * copied in, checked and copied out, the mutex, one lookup.  Real
 * mutations / this floor is the most that one ioctl per operation
 * (op-floor) or batches (batch-floor) could reach with a core whose
 * operations cost nothing more.
 */
#define FLOOR_OPS	1024

static struct vmashadow_op *floor_ops(void)
{
	static struct vmashadow_op ops[FLOOR_OPS];
	int i;

	for (i = 0; i < FLOOR_OPS; i++)
		mkop(&ops[i], VMASHADOW_OP_PROTECT, region_addr(1), RSIZE,
		     prot_of(1), 0);
	return ops;
}

static void fig_mutations(unsigned long n, int fd)
{
	unsigned long iters = quick ? 64 : 1024, nops, before, after;
	double real[16], one[16], b64[16], b1k[16], t, q_one, q64, q1k, gain;
	double same_real[16], f_one[16], f_1k[16];
	struct vmashadow_op *same = floor_ops();
	struct vmashadow_stats st;
	int r;

	nops = make_mix(n, iters);
	/* one pass on both sides, checking they agree on the region count */
	before = real_count();
	real_run(mix, 8);
	vms_run(fd, mix, 8, 0);
	vms_stats(fd, &st);
	after = real_count();
	if (after != before || st.regions != after)
		warn("mutations at %lu: real %lu -> %lu regions, shadow %llu", n,
		     before, after, (unsigned long long)st.regions);
	{
		/* and in the middle of the mix: after a split */
		real_run(mix, 1);
		vms_run(fd, mix, 1, 0);
		vms_stats(fd, &st);
		if (real_count() != st.regions)
			warn("mutations at %lu: after a split real %lu, shadow %llu",
			     n, real_count(), (unsigned long long)st.regions);
		real_run(mix + 1, 7);
		vms_run(fd, mix + 1, 7, 0);
	}

	for (r = 0; r < reps; r++) {
		real[r] = real_ns_per_op(mix, nops);
		one[r] = vms_ns_per_op(fd, mix, nops, 0);
		b64[r] = vms_ns_per_op(fd, mix, nops, 64);
		b1k[r] = vms_ns_per_op(fd, mix, nops, 1024);
		same_real[r] = real_ns_per_op(same, FLOOR_OPS);
		f_one[r] = vms_ns_per_op(fd, same, FLOOR_OPS, 0);
		f_1k[r] = vms_ns_per_op(fd, same, FLOOR_OPS, 1024);
	}
	vms_stats(fd, &st);
	if (st.regions != real_count())
		warn("mutations at %lu: after the runs real %lu, shadow %llu", n,
		     real_count(), (unsigned long long)st.regions);
	q_one = ratio_median(real, one, reps);
	q64 = ratio_median(real, b64, reps);
	q1k = ratio_median(real, b1k, reps);
	gain = ratio_median(one, b1k, reps);
	t = median(real, reps);
	printf("bench mutations-%lu %s: vmashadow %.0f ns/op, linux %.0f ns/op, ratio %.2f\n",
	       n, kernel, median(one, reps), t, q_one);
	printf("bench batch64-%lu %s: vmashadow %.0f ns/op, linux %.0f ns/op, ratio %.2f\n",
	       n, kernel, median(b64, reps), t, q64);
	printf("bench batch1024-%lu %s: vmashadow %.0f ns/op, linux %.0f ns/op, ratio %.2f\n",
	       n, kernel, median(b1k, reps), t, q1k);
	printf("bench batch-gain-%lu %s: vmashadow %.0f ns/op, linux %.0f ns/op, ratio %.2f (one op per ioctl / batches of 1024)\n",
	       n, kernel, median(b1k, reps), median(one, reps), gain);
	printf("bench op-floor-%lu %s: vmashadow %.0f ns/op, linux %.0f ns/op, ratio %.2f (mprotect to the same protection)\n",
	       n, kernel, median(f_one, reps), median(same_real, reps),
	       ratio_median(same_real, f_one, reps));
	printf("bench batch-floor-%lu %s: vmashadow %.0f ns/op, linux %.0f ns/op, ratio %.2f (mprotect to the same protection, batches of 1024)\n",
	       n, kernel, median(f_1k, reps), median(same_real, reps),
	       ratio_median(same_real, f_1k, reps));
	printf("info ceiling-%lu %s: real mutations / op-floor %.1f, real mutations / batch-floor %.1f\n",
	       n, kernel, ratio_median(real, f_one, reps),
	       ratio_median(real, f_1k, reps));
	fflush(stdout);
}

/* ---- 4. placement ------------------------------------------------------ */

#define PLACE_LEN	(2 * PS)

/*
 * The real side at @n: @n one-page regions with one-page holes, placed
 * by mmap(NULL) itself (so just below mmap_base); then @k placements of
 * two pages, which fit in none of the holes.
 */
static void fig_place_real(unsigned long n)
{
	unsigned long k = quick ? 64 : 1024, i, lo, size = 2 * n * PS;
	double real[16], one[16], b1k[16], t, q_one, q1k;
	struct vmashadow_op *ops = mix;
	unsigned long first_real = 0;
	char *p;
	int fd, r;

	p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("placement layout: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (munmap(p + (2 * i + 1) * PS, PS))
			die("placement layout munmap: %s", strerror(errno));
	for (i = 0; i < k; i++)
		mkop(&ops[i], VMASHADOW_OP_MAP, 0, PLACE_LEN, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS);
	fd = vms_open(2000000);
	vms_import(fd, 0);

	for (r = 0; r < reps; r++) {
		struct vmashadow_op un;
		uint64_t t0 = now_ns();
		char *q = NULL;

		for (i = 0; i < k; i++) {
			q = mmap(NULL, PLACE_LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (q == MAP_FAILED)
				die("placement mmap: %s", strerror(errno));
			if (!i && !r)
				first_real = (unsigned long)q;
		}
		real[r] = (double)(now_ns() - t0) / k;
		lo = (unsigned long)q;
		munmap(q, k * PLACE_LEN);

		t0 = now_ns();
		vms_run(fd, ops, k, 0);
		one[r] = (double)(now_ns() - t0) / k;
		if (!r && ops[0].result != first_real)
			warn("placement at %lu: real mmap(NULL) gave %#lx, shadow %#llx",
			     n, first_real, (unsigned long long)ops[0].result);
		if (ops[k - 1].result != lo)
			warn("placement at %lu: real lowest %#lx, shadow %#llx", n,
			     lo, (unsigned long long)ops[k - 1].result);
		mkop(&un, VMASHADOW_OP_UNMAP, ops[k - 1].result, k * PLACE_LEN, 0, 0);
		vms_run(fd, &un, 1, 0);

		t0 = now_ns();
		vms_run(fd, ops, k, 1024);
		b1k[r] = (double)(now_ns() - t0) / k;
		mkop(&un, VMASHADOW_OP_UNMAP, ops[k - 1].result, k * PLACE_LEN, 0, 0);
		vms_run(fd, &un, 1, 0);
	}
	close(fd);
	munmap(p, size);
	q_one = ratio_median(real, one, reps);
	q1k = ratio_median(real, b1k, reps);
	t = median(real, reps);
	printf("bench place-%lu %s: vmashadow %.0f ns/op, linux %.0f ns/op, ratio %.2f\n",
	       n, kernel, median(one, reps), t, q_one);
	printf("bench place-batch1024-%lu %s: vmashadow %.0f ns/op, linux %.0f ns/op, ratio %.2f\n",
	       n, kernel, median(b1k, reps), t, q1k);
	fflush(stdout);
}

/* A shadow of @n one-page regions with one-page holes below mmap_base. */
static int place_shadow_build(unsigned long n, unsigned long *lo)
{
	static struct vmashadow_op ops[MAX_BATCH];
	unsigned long i, j = 0;
	struct vmashadow_params p;
	int fd = vms_open(n + 2 * 1024 + 16);

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	if (ioctl(fd, VMASHADOW_IOC_GET_PARAMS, &p))
		die("GET_PARAMS: %s", strerror(errno));
	*lo = p.mmap_base - 2 * n * PS;
	for (i = 0; i < n; i++) {
		mkop(&ops[j++], VMASHADOW_OP_MAP, *lo + 2 * i * PS, PS, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
		if (j == MAX_BATCH || i == n - 1) {
			vms_run(fd, ops, j, MAX_BATCH);
			j = 0;
		}
	}
	return fd;
}

/* One measurement: @k placements in a batch, then unmapped again. */
static double place_shadow_1(int fd, unsigned long n, unsigned long lo)
{
	static struct vmashadow_op ops[1024];
	unsigned long k = quick ? 64 : 1024, i;
	struct vmashadow_op un;
	uint64_t t0;
	double t;

	for (i = 0; i < k; i++)
		mkop(&ops[i], VMASHADOW_OP_MAP, 0, PLACE_LEN, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS);
	t0 = now_ns();
	vms_run(fd, ops, k, 1024);
	t = (double)(now_ns() - t0) / k;
	if (ops[0].result != lo - PLACE_LEN)
		warn("placement at %lu: first at %#llx, not %#lx", n,
		     (unsigned long long)ops[0].result, lo - PLACE_LEN);
	mkop(&un, VMASHADOW_OP_UNMAP, ops[k - 1].result, k * PLACE_LEN, 0, 0);
	vms_run(fd, &un, 1, 0);
	return t;
}

/* The shadow alone at 1,000 and 1,000,000 regions, measured in turns. */
static void fig_place_growth(void)
{
	unsigned long n1 = quick ? 100 : 1000, n2 = quick ? 10000 : MAXN, lo1, lo2;
	int fd1 = place_shadow_build(n1, &lo1), fd2 = place_shadow_build(n2, &lo2);
	double a[16], b[16], q;
	int r;

	for (r = 0; r < reps; r++) {
		a[r] = place_shadow_1(fd1, n1, lo1);
		b[r] = place_shadow_1(fd2, n2, lo2);
	}
	close(fd1);
	close(fd2);
	q = ratio_median(b, a, reps);
	printf("bench place-growth %s: n1 %lu %.0f ns/op, n2 %lu %.0f ns/op, ratio %.2f\n",
	       kernel, n1, median(a, reps), n2, median(b, reps), q);
	fflush(stdout);
}

/* ---- 5. scaling -------------------------------------------------------- */

/* One measurement of each operation on the shadow @fd of @n regions. */
static void scaling_1(int fd, unsigned long n, double *t)
{
	unsigned long k = quick ? 256 : 1024, i, count = quick ? 4096 : NADDRS_MAX;
	struct vmashadow_op *un = mix, *mp = mix + k, *pr = mix + 2 * k;
	uint64_t t0;

	for (i = 0; i < k; i++) {
		unsigned long j = rnd() % n, a = region_addr(j);
		int p = prot_of(j);

		mkop(&un[i], VMASHADOW_OP_UNMAP, a + PS, PS, 0, 0);
		mkop(&mp[i], VMASHADOW_OP_MAP, a + PS, PS, p,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
		mkop(&pr[2 * i], VMASHADOW_OP_PROTECT, a + PS, 2 * PS, p | PROT_EXEC, 0);
		mkop(&pr[2 * i + 1], VMASHADOW_OP_PROTECT, a + PS, 2 * PS, p, 0);
	}
	make_addrs(n, count, 0);
	t[0] = bench_find_1(fd, count, 1, 0).shadow;
	t0 = now_ns();
	vms_run(fd, un, k, 1024);
	t[3] = (double)(now_ns() - t0) / k;
	t0 = now_ns();
	vms_run(fd, mp, k, 1024);
	t[1] = (double)(now_ns() - t0) / k;
	t0 = now_ns();
	vms_run(fd, pr, 2 * k, 1024);
	t[2] = (double)(now_ns() - t0) / (2 * k);
}

/* All sizes built first, then measured in turns, so noise hits all alike. */
static void fig_scaling(const unsigned long *sizes, int nsizes)
{
	double t[8][4][16];
	int fds[8], s, r, o;

	for (s = 0; s < nsizes; s++) {
		fds[s] = vms_open(sizes[s] + 2 * 1024 + 16);
		vms_build(fds[s], sizes[s]);
	}
	for (r = 0; r < reps; r++)
		for (s = 0; s < nsizes; s++) {
			double one[4];

			scaling_1(fds[s], sizes[s], one);
			for (o = 0; o < 4; o++)
				t[s][o][r] = one[o];
		}
	for (s = 0; s < nsizes; s++) {
		close(fds[s]);
		printf("bench scaling %s: n %lu find %.0f map %.0f protect %.0f unmap %.0f ns/op\n",
		       kernel, sizes[s], median(t[s][0], reps), median(t[s][1], reps),
		       median(t[s][2], reps), median(t[s][3], reps));
	}
	fflush(stdout);
}

/* ---- 6. memory ---------------------------------------------------------- */

/*
 * A slab cache as SLUB shows it: objects allocated, and the bytes each
 * costs, the slab's pages shared by the objects it holds.  Merged caches
 * are followed through their /sys/kernel/slab symlink.
 */
struct slab {
	long objects;
	double footprint;
	long object_size;
};

static int slab_read(const char *name, struct slab *s)
{
	char path[256], buf[128];
	long order, per;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/objects", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	s->objects = strtol(buf, NULL, 10);
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/order", name);
	order = read_long(path);
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/objs_per_slab", name);
	per = read_long(path);
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/object_size", name);
	s->object_size = read_long(path);
	if (order < 0 || per <= 0)
		return -1;
	s->footprint = (double)(PS << order) / per;
	return 0;
}

static double slab_bytes(const char *name, const struct slab *before,
			 unsigned long n)
{
	struct slab after;

	if (slab_read(name, &after))
		return -1;
	return (after.objects - before->objects) * after.footprint / n;
}

static void fig_memory(void)
{
	unsigned long n = quick ? 2000 : 65000, i;
	struct slab r0, v0, m0, rg, a0;
	struct vmashadow_stats st;
	double shadow, real, anon;
	int fd, ok;

	/* the shadow: n unfaulted regions (no anon_vma, as the real side) */
	ok = !slab_read("vmashadow_region", &r0);
	fd = vms_open(n + 16);
	vms_build(fd, n);
	vms_stats(fd, &st);
	shadow = ok ? slab_bytes("vmashadow_region", &r0, st.regions) : -1;
	slab_read("vmashadow_region", &rg);
	close(fd);
	if (shadow < 0)
		warn("no /sys/kernel/slab/vmashadow_region/objects");

	/* the real kernel: n VMAs, vm_area_struct and maple nodes */
	/* maple nodes are freed after an RCU grace period: let them go */
	sleep(2);
	ok = !slab_read("vm_area_struct", &v0) && !slab_read("maple_node", &m0);
	real_build(n);
	sleep(2);
	real = ok ? slab_bytes("vm_area_struct", &v0, n) +
		    slab_bytes("maple_node", &m0, n) : -1;
	if (ok)
		printf("info memory %s: vm_area_struct %.1f B/VMA (object %ld), maple_node %.1f B/VMA; vmashadow_region object %ld B, %.1f B in its slab\n",
		       kernel, slab_bytes("vm_area_struct", &v0, n),
		       v0.object_size, slab_bytes("maple_node", &m0, n),
		       rg.object_size, rg.footprint);
	real_teardown(n);

	/*
	 * Faulted: each region written to.  With a page of hole between
	 * regions no neighbour's anon_vma can be reused, so each region
	 * holds its own: the worst case.
	 */
	ok = !slab_read("vmashadow_anon", &a0);
	fd = vms_open(n + 16);
	for (i = 0; i < n; i += MAX_BATCH) {
		static struct vmashadow_op ops[MAX_BATCH];
		unsigned long j, k = n - i < MAX_BATCH ? n - i : MAX_BATCH;

		for (j = 0; j < k; j++)
			mkop(&ops[j], VMASHADOW_OP_MAP, region_addr(i + j), RSIZE - PS,
			     PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
		vms_run(fd, ops, k, MAX_BATCH);
		for (j = 0; j < k; j++) {
			memset(&ops[j], 0, sizeof(ops[j]));
			ops[j].size = sizeof(ops[j]);
			ops[j].op = VMASHADOW_OP_TOUCH;
			ops[j].addr = region_addr(i + j);
			ops[j].fd = -1;
		}
		vms_run(fd, ops, k, MAX_BATCH);
	}
	vms_stats(fd, &st);
	anon = ok ? slab_bytes("vmashadow_anon", &a0, n) : -1;
	close(fd);
	printf("bench memory %s: vmashadow %.1f B/region, linux %.1f B/region, ratio %.2f\n",
	       kernel, shadow, real, real / shadow);
	printf("info memory-faulted %s: %llu anon_vma identities for %lu regions: %.1f B/region more (vmashadow_anon), %.1f B/region in all\n",
	       kernel, (unsigned long long)st.anon_vmas, n, anon, shadow + anon);
	fflush(stdout);
}

/* ---- 7. import ----------------------------------------------------------- */

struct maps_line {
	unsigned long start, end, pgoff, ino;
	unsigned int maj, min, prot;
	const char *name;
};

static unsigned long hexnum(const char **p)
{
	unsigned long v = 0;
	const char *s = *p;

	for (;; s++) {
		unsigned int c = *s;

		if (c - '0' < 10)
			v = v * 16 + c - '0';
		else if ((c | 32) - 'a' < 6)
			v = v * 16 + (c | 32) - 'a' + 10;
		else
			break;
	}
	*p = s;
	return v;
}

/* Read and parse /proc/@pid/maps into @out; returns the lines. */
static unsigned long parse_maps(pid_t pid, char *buf, size_t size,
				struct maps_line *out, unsigned long max)
{
	char path[64];
	size_t len = 0;
	ssize_t n;
	unsigned long k = 0;
	const char *p, *end;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	for (p = buf, end = buf + len; p < end && k < max; k++) {
		struct maps_line *l = &out[k];

		l->start = hexnum(&p);
		p++;
		l->end = hexnum(&p);
		p++;
		l->prot = (p[0] == 'r') | (p[1] == 'w') << 1 | (p[2] == 'x') << 2 |
			  (p[3] == 's') << 3;
		p += 5;
		l->pgoff = hexnum(&p);
		p++;
		l->maj = hexnum(&p);
		p++;
		l->min = hexnum(&p);
		p++;
		l->ino = strtoul(p, (char **)&p, 10);
		while (*p == ' ')
			p++;
		l->name = *p == '\n' ? NULL : p;
		while (*p != '\n' && p < end)
			p++;
		p++;
	}
	return k;
}

static void fig_import(void)
{
	unsigned long n = quick ? 2000 : 65000, lines = 0, regions = 0;
	size_t bufsize = 32UL << 20;
	char *buf = malloc(bufsize);
	struct maps_line *out = malloc((n + 256) * sizeof(*out));
	double ti[16], tp[16], a, b, q;
	int go[2], ready[2], r, fd, status;
	pid_t pid;
	char c;

	if (!buf || !out || pipe(go) || pipe(ready))
		die("import: setting up");
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		close(go[1]);
		close(ready[0]);
		real_build(n);
		c = 1;
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		/* until the parent is done */
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		die("import: the child did not build its layout");
	for (r = 0; r < reps; r++) {
		/* a fresh shadow each time: no old one is freed in the timing */
		uint64_t t0;

		fd = vms_open(2000000);
		t0 = now_ns();
		regions = vms_import(fd, pid);
		ti[r] = (double)(now_ns() - t0) / regions;
		close(fd);
		t0 = now_ns();
		lines = parse_maps(pid, buf, bufsize, out, n + 256);
		tp[r] = (double)(now_ns() - t0) / lines;
	}
	close(go[1]);
	waitpid(pid, &status, 0);
	if (lines != regions)
		warn("import: %lu regions imported, %lu lines in /proc/%d/maps",
		     regions, lines, pid);
	q = ratio_median(tp, ti, reps);
	a = 1e9 / median(ti, reps);
	b = 1e9 / median(tp, reps);
	printf("bench import-%lu %s: vmashadow %.0f regions/s, linux %.0f regions/s, ratio %.2f\n",
	       n, kernel, a, b, q);
	fflush(stdout);
	free(buf);
	free(out);
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const unsigned long scale[] = { 1000, 16000, 65000, 262000, 1000000 };
	static const unsigned long qscale[] = { 1000, 4000 };
	unsigned long i, nfind[2] = { 1000, 65000 };
	struct utsname u;
	char *dot;
	int fd;

	if ((argc > 1 && !strcmp(argv[1], "--quick")) ||
	    strstr(argv[0], "vmsbench-quick")) {
		quick = 1;
		reps = 3;
		nfind[1] = 4000;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s", u.release);
	/* "6.1.0-56-amd64" -> "6.1" */
	dot = strchr(kernel, '.');
	if (dot && (dot = strchr(dot + 1, '.')))
		*dot = 0;
	if ((dot = strchr(kernel, '-')))
		*dot = 0;
	printf("info %s: %s, %d repetitions, median\n", kernel, u.release, reps);

	/* room for the real layouts and for the shadow's 1,000,000 */
	write_file("/proc/sys/vm/max_map_count", "2000000");
	if (read_long("/sys/module/vmashadow/parameters/max_regions") < 2000000)
		write_file("/sys/module/vmashadow/parameters/max_regions", "2097152");

	addrs = malloc(NADDRS_MAX * sizeof(*addrs));
	mix = malloc(8 * 1024 * sizeof(*mix));
	if (!addrs || !mix)
		die("malloc");

	/* 1-3: the real layout, imported */
	for (i = 0; i < 2; i++) {
		unsigned long n = nfind[i];

		real_build(n);
		fd = vms_open(2000000);
		vms_import(fd, 0);
		{
			struct vmashadow_stats st;

			vms_stats(fd, &st);
			printf("info layout-%lu %s: %llu regions, rbtree height %llu\n",
			       n, kernel, (unsigned long long)st.regions,
			       (unsigned long long)st.tree_height);
		}
		fig_find(n, fd);
		if (!i)
			fig_syscall_floor(fd);
		fig_mutations(n, fd);
		close(fd);
		real_teardown(n);
	}
	/* 4 */
	fig_place_real(quick ? 4000 : 65000);
	fig_place_growth();
	/* 5 */
	if (quick)
		fig_scaling(qscale, 2);
	else
		fig_scaling(scale, 5);
	/* 6, 7 */
	fig_memory();
	fig_import();

	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       !failures, !!failures);
	return failures ? 1 : 0;
}
