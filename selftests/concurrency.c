// SPDX-License-Identifier: GPL-2.0
/*
 * concurrency: one shadow used by many at once (issue 8).
 *
 * - threads sharing one descriptor, each with its own area of the window,
 *   while reader threads LIST, read(), FIND, STATS, VALIDATE, dry-run and
 *   FORK the same shadow;
 * - many descriptors at once, one per thread;
 * - processes sharing a descriptor across fork();
 * - close() while another thread is inside a long BATCH or a read();
 * - SIGKILL in the middle of a long batch.
 *
 * Nothing is lost: the final state equals the serial replay, on a fresh
 * descriptor, of the operations each thread reports done (areas are apart,
 * so the replay order between threads does not matter), with the same
 * result for every operation.  Lockdep and KASAN reports fail the lane.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/wait.h>
#include "vms_snap.h"

#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define PSZ		4096UL
#define AREA		96	/* pages per thread */
#define STRIDE		100	/* pages between areas: 4 pages apart */
#define MAXT		8

static unsigned int nops(void)
{
	/* TCG + KASAN + lockdep is an order of magnitude slower */
	return vms_debug_kernel() ? 1500 : 5000;
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

struct rec {
	struct vmashadow_op op;
	long ret;
};

static unsigned long long xs(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static const unsigned long op_cmd[] = {
	0, VMASHADOW_IOC_MAP, VMASHADOW_IOC_UNMAP, VMASHADOW_IOC_PROTECT,
	VMASHADOW_IOC_TOUCH, VMASHADOW_IOC_REMAP, VMASHADOW_IOC_BRK,
	VMASHADOW_IOC_MADVISE, VMASHADOW_IOC_SEAL, VMASHADOW_IOC_MAP_VDSO,
	VMASHADOW_IOC_MLOCK, VMASHADOW_IOC_MUNLOCK, VMASHADOW_IOC_MLOCKALL,
	VMASHADOW_IOC_MUNLOCKALL,
};

/* A random operation confined to area @t of the window. */
static void gen_op(unsigned long long *s, unsigned int t, struct vmashadow_op *op)
{
	unsigned long base = PG(t * STRIDE);
	unsigned int a = xs(s) % AREA, n = 1 + xs(s) % 8;
	static const int prots[] = { PROT_NONE, PROT_READ, RW };

	if (a + n > AREA)
		n = AREA - a;
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->fd = -1;
	op->addr = base + PGS(a);
	switch (xs(s) % 7) {
	case 0:
	case 1:
		op->op = VMASHADOW_OP_MAP;
		op->len = PGS(n);
		op->prot = prots[xs(s) % 3];
		op->flags = ANON | MAP_FIXED;
		break;
	case 2:
		op->op = VMASHADOW_OP_UNMAP;
		op->len = PGS(n);
		break;
	case 3:
		op->op = VMASHADOW_OP_PROTECT;
		op->len = PGS(n);
		op->prot = prots[xs(s) % 3];
		break;
	case 4:
		op->op = VMASHADOW_OP_TOUCH;
		break;
	case 5:
		/* flag changes: madvise, mlock (on fault or not), munlock */
		op->len = PGS(n);
		switch (xs(s) % 3) {
		case 0:
			op->op = VMASHADOW_OP_MADVISE;
			op->flags = (xs(s) & 1) ? MADV_DONTFORK : MADV_DOFORK;
			break;
		case 1:
			op->op = VMASHADOW_OP_MLOCK;
			op->flags = (xs(s) & 1) ? MLOCK_ONFAULT : 0;
			break;
		default:
			op->op = VMASHADOW_OP_MUNLOCK;
			break;
		}
		break;
	default: {
		unsigned int b = xs(s) % (AREA - 8);

		op->op = VMASHADOW_OP_REMAP;
		op->len = PGS(n);
		op->new_len = PGS(1 + xs(s) % 8);
		op->new_addr = base + PGS(b);
		op->flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		break;
	}
	}
}

/* Apply @n records to @fd in order: each must give its recorded result. */
static long replay(int fd, const struct rec *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct vmashadow_op op = r[i].op;
		long ret = vms_ioctl(fd, op_cmd[op.op], &op);

		if (ret != r[i].ret) {
			printf("# replay: op %u (%u at %#llx) gave %ld, concurrently %ld\n",
			       i, op.op, r[i].op.addr, ret, r[i].ret);
			return -1;
		}
	}
	return 0;
}

/* ---- threads sharing one descriptor ------------------------------------------------------ */

struct worker {
	pthread_t th;
	int fd;
	unsigned int t, n, done;
	unsigned long long seed;
	struct rec *log;
	long err;
};

static volatile int writers_left;
static volatile unsigned long reader_calls, reader_errors;

static void *writer(void *arg)
{
	struct worker *w = arg;
	unsigned long long s = w->seed;
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		struct vmashadow_op op;

		gen_op(&s, w->t, &op);
		w->log[i].op = op;
		w->log[i].ret = vms_ioctl(w->fd, op_cmd[op.op], &op);
		w->done = i + 1;
	}
	__sync_fetch_and_sub(&writers_left, 1);
	return NULL;
}

static void *reader(void *arg)
{
	struct worker *w = arg;
	static __thread char buf[65536];
	struct vmashadow_region regs[64];
	unsigned long long s = w->seed;
	unsigned long calls = 0, errors = 0;

	while (writers_left > 0) {
		struct vmashadow_find f;
		struct vmashadow_list l;
		struct vmashadow_stats stt;
		struct vmashadow_explain e;
		struct vmashadow_fork fk;
		struct vmashadow_op op;
		long ret = 0;

		switch (xs(&s) % 7) {
		case 0:
			ret = vms_validate(w->fd, NULL);
			break;
		case 1:
			ret = vms_find(w->fd, xs(&s) % 5, PG(xs(&s) % 800),
				       PG(xs(&s) % 800 + 1), &f);
			if (ret == -ENOENT || ret == -EINVAL)
				ret = 0;
			break;
		case 2:
			memset(&l, 0, sizeof(l));
			l.size = sizeof(l);
			l.region_size = sizeof(regs[0]);
			l.regions = (unsigned long)regs;
			l.count = 64;
			l.addr = PG(xs(&s) % 800);
			ret = vms_ioctl(w->fd, VMASHADOW_IOC_LIST, &l);
			break;
		case 3:
			/* pread: the descriptor's position is the writers' too */
			ret = pread(w->fd, buf, sizeof(buf), 0) < 0 ? -errno : 0;
			break;
		case 4:
			ret = vms_stats(w->fd, &stt);
			if (!ret)
				ret = vms_explain(w->fd, VMASHADOW_EXPLAIN_AT,
						  PG(xs(&s) % 800), &e);
			if (ret == -ENOENT)
				ret = 0;
			break;
		case 5:
			/* a dry run changes nothing the writers could see */
			gen_op(&s, xs(&s) % MAXT, &op);
			op.op_flags = VMASHADOW_OPF_DRY_RUN;
			vms_ioctl(w->fd, op_cmd[op.op], &op);
			break;
		default:
			memset(&fk, 0, sizeof(fk));
			fk.size = sizeof(fk);
			ret = vms_ioctl(w->fd, VMASHADOW_IOC_FORK, &fk);
			if (!ret) {
				ret = vms_validate(fk.fd, NULL);
				close(fk.fd);
			}
			break;
		}
		calls++;
		if (ret) {
			errors++;
			if (!w->err)
				w->err = ret;
		}
	}
	__sync_fetch_and_add(&reader_calls, calls);
	__sync_fetch_and_add(&reader_errors, errors);
	return NULL;
}

TEST_F_TIMEOUT(slow, threads_share_one_fd, 600)
{
	static char a[VMS_SNAP_MAPS], b[VMS_SNAP_MAPS];
	struct worker w[MAXT + 2];
	unsigned int t, nw = 6, nr = 2, n = nops();
	unsigned long total = 0;
	int fd, ref;
	struct timespec t0, t1;

	fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	writers_left = nw;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (t = 0; t < nw + nr; t++) {
		memset(&w[t], 0, sizeof(w[t]));
		w[t].fd = fd;
		w[t].t = t;
		w[t].n = n;
		w[t].seed = 0x9e3779b97f4a7c15ULL * (t + 1);
		w[t].log = calloc(n, sizeof(struct rec));
		ASSERT_NE(NULL, w[t].log);
		ASSERT_EQ(0, pthread_create(&w[t].th, NULL,
					    t < nw ? writer : reader, &w[t]));
	}
	for (t = 0; t < nw + nr; t++)
		pthread_join(w[t].th, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_EQ(0, vms_validate(fd, NULL));
	for (t = nw; t < nw + nr; t++)
		EXPECT_EQ(0, w[t].err) TH_LOG("reader %u: first error %ld", t, w[t].err);

	/* the serial replay */
	ref = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ref);
	for (t = 0; t < nw; t++) {
		ASSERT_EQ(n, w[t].done);
		ASSERT_EQ(0, replay(ref, w[t].log, w[t].done)) TH_LOG("thread %u", t);
		total += w[t].done;
	}
	lseek(fd, 0, SEEK_SET);
	ASSERT_LE(0, vms_read_all(fd, a, sizeof(a)));
	lseek(ref, 0, SEEK_SET);
	ASSERT_LE(0, vms_read_all(ref, b, sizeof(b)));
	ASSERT_STREQ(b, a);
	TH_LOG("%u writer threads x %u ops = %lu, %u readers made %lu calls, in %ld ms",
	       nw, n, total, nr, reader_calls,
	       (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	close(ref);
	close(fd);
}

/* ---- many descriptors at once ---------------------------------------------------------------- */

TEST_F_TIMEOUT(slow, many_descriptors, 600)
{
	static char a[VMS_SNAP_MAPS], b[VMS_SNAP_MAPS];
	struct worker w[MAXT];
	unsigned int t, nt = MAXT, n = nops() / 2;
	int fds[64], i;

	/* 64 descriptors open at once, each with something in it */
	for (i = 0; i < 64; i++) {
		fds[i] = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, vms_shadow_map(fds[i], PG(i), PGS(1), RW,
					    ANON | MAP_FIXED, -1, 0, NULL));
	}
	writers_left = nt;
	for (t = 0; t < nt; t++) {
		memset(&w[t], 0, sizeof(w[t]));
		w[t].fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, w[t].fd);
		w[t].t = t % 4;	/* the same areas in different shadows */
		w[t].n = n;
		w[t].seed = 12345 + t;
		w[t].log = calloc(n, sizeof(struct rec));
		ASSERT_EQ(0, pthread_create(&w[t].th, NULL, writer, &w[t]));
	}
	for (t = 0; t < nt; t++)
		pthread_join(w[t].th, NULL);
	for (t = 0; t < nt; t++) {
		int ref = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);

		ASSERT_LE(0, ref);
		ASSERT_EQ(0, vms_validate(w[t].fd, NULL));
		ASSERT_EQ(0, replay(ref, w[t].log, w[t].done));
		lseek(w[t].fd, 0, SEEK_SET);
		ASSERT_LE(0, vms_read_all(w[t].fd, a, sizeof(a)));
		lseek(ref, 0, SEEK_SET);
		ASSERT_LE(0, vms_read_all(ref, b, sizeof(b)));
		ASSERT_STREQ(b, a) TH_LOG("descriptor of thread %u", t);
		close(ref);
		close(w[t].fd);
	}
	/* the 64 are untouched by all that */
	for (i = 0; i < 64; i++) {
		struct vmashadow_stats stt;

		ASSERT_EQ(0, vms_stats(fds[i], &stt));
		ASSERT_EQ(1, stt.regions);
		ASSERT_EQ(0, vms_validate(fds[i], NULL));
		close(fds[i]);
	}
	TH_LOG("%u threads x %u ops on their own descriptors, 64 more open", nt, n);
}

/* ---- processes sharing a descriptor -------------------------------------------------------- */

TEST_F_TIMEOUT(slow, fork_shares_fd, 600)
{
	static char a[VMS_SNAP_MAPS], b[VMS_SNAP_MAPS];
	unsigned int np = 4, n = nops() / 2, p, i;
	struct rec *logs;
	unsigned int *done;
	int fd, ref, status;
	pid_t pids[8];

	fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	logs = mmap(NULL, np * n * sizeof(struct rec) + PSZ, RW,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, logs);
	done = (unsigned int *)(logs + np * n);
	for (p = 0; p < np; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (!pids[p]) {
			unsigned long long s = 777 + p;

			for (i = 0; i < n; i++) {
				struct vmashadow_op op;

				gen_op(&s, p, &op);
				logs[p * n + i].op = op;
				logs[p * n + i].ret = vms_ioctl(fd, op_cmd[op.op], &op);
				done[p] = i + 1;
			}
			_exit(0);
		}
	}
	for (p = 0; p < np; p++) {
		ASSERT_EQ(pids[p], waitpid(pids[p], &status, 0));
		ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	ASSERT_EQ(0, vms_validate(fd, NULL));
	ref = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ref);
	for (p = 0; p < np; p++) {
		ASSERT_EQ(n, done[p]);
		ASSERT_EQ(0, replay(ref, logs + p * n, done[p]));
	}
	lseek(fd, 0, SEEK_SET);
	ASSERT_LE(0, vms_read_all(fd, a, sizeof(a)));
	lseek(ref, 0, SEEK_SET);
	ASSERT_LE(0, vms_read_all(ref, b, sizeof(b)));
	ASSERT_STREQ(b, a);
	TH_LOG("%u processes x %u ops on one descriptor", np, n);
}

/* ---- close while another thread is inside ---------------------------------------------------- */

#define BIG	4096
#define BIGBASE	0x300000000000UL

static struct vmashadow_op *big_ops(bool unmap)
{
	struct vmashadow_op *ops = calloc(BIG, sizeof(*ops));
	unsigned int i;

	for (i = 0; ops && i < BIG; i++) {
		ops[i].size = sizeof(ops[i]);
		ops[i].op = unmap ? VMASHADOW_OP_UNMAP : VMASHADOW_OP_MAP;
		ops[i].fd = -1;
		ops[i].addr = BIGBASE + 2 * PSZ * i;
		ops[i].len = PSZ;
		if (!unmap) {
			ops[i].prot = RW;
			ops[i].flags = ANON | MAP_FIXED;
		}
	}
	return ops;
}

struct closer {
	int fd;
	volatile int started;
	volatile long last;
	unsigned long calls;
	struct vmashadow_op *map, *unmap;
	int mode;	/* 0: batches, 1: read() */
};

static void *busy(void *arg)
{
	struct closer *c = arg;
	static char buf[1 << 16];

	for (;;) {
		struct vmashadow_batch b;
		long ret;

		if (c->mode == 0) {
			memset(&b, 0, sizeof(b));
			b.size = sizeof(b);
			b.op_size = sizeof(struct vmashadow_op);
			b.ops = (unsigned long)((c->calls & 1) ? c->unmap : c->map);
			b.count = vms_debug_kernel() ? 512 : BIG;
			ret = vms_ioctl(c->fd, VMASHADOW_IOC_BATCH, &b);
		} else {
			ret = pread(c->fd, buf, sizeof(buf), 0) < 0 ? -errno : 0;
		}
		c->calls++;
		c->started = 1;
		c->last = ret;
		if (ret == -EBADF)
			return NULL;
	}
}

TEST_F_TIMEOUT(slow, close_during_ioctl, 600)
{
	struct closer c;
	pthread_t th;
	unsigned int round;

	for (round = 0; round < 6; round++) {
		memset(&c, 0, sizeof(c));
		c.mode = round & 1;
		c.map = big_ops(false);
		c.unmap = big_ops(true);
		ASSERT_NE(NULL, c.map);
		c.fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, c.fd);
		if (c.mode) {
			/* something to print */
			unsigned int i;

			for (i = 0; i < 500; i++)
				vms_shadow_map(c.fd, BIGBASE + 2 * PSZ * i, PSZ, RW,
					       ANON | MAP_FIXED, -1, 0, NULL);
		}
		ASSERT_EQ(0, pthread_create(&th, NULL, busy, &c));
		while (!c.started)
			usleep(1000);
		usleep(1000 * (1 + round * 7));
		/* the last reference goes while the other thread is inside */
		ASSERT_EQ(0, close(c.fd));
		pthread_join(th, NULL);
		EXPECT_EQ(-EBADF, c.last);
		free(c.map);
		free(c.unmap);
	}
}

/* ---- a fatal signal in the middle of a long batch --------------------------------------------- */

TEST_F_TIMEOUT(slow, sigkill_mid_batch, 600)
{
	struct vmashadow_op *map = big_ops(false), *unmap = big_ops(true);
	static struct vmashadow_region regs[BIG + 8];
	unsigned int round, prefix_maps = 0, suffix_maps = 0;

	ASSERT_NE(NULL, map);
	ASSERT_NE(NULL, unmap);
	for (round = 0; round < 8; round++) {
		int fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC), status;
		struct timespec t0, t1;
		long n, i, k;
		pid_t pid;

		ASSERT_LE(0, fd);
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			for (i = 0;; i++) {
				struct vmashadow_batch b;

				memset(&b, 0, sizeof(b));
				b.size = sizeof(b);
				b.op_size = sizeof(struct vmashadow_op);
				b.ops = (unsigned long)((i & 1) ? unmap : map);
				b.count = BIG;
				if (vms_ioctl(fd, VMASHADOW_IOC_BATCH, &b) ||
				    b.done != BIG)
					_exit(1);
			}
		}
		usleep(20000 + 37000 * round);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("child exit %d", WEXITSTATUS(status));
		ASSERT_EQ(0, vms_validate(fd, NULL));
		n = vms_list_all(fd, regs, BIG + 8);
		ASSERT_LE(0, n);
		/* regions are whole ops: a prefix of the maps, or a suffix left by the unmaps */
		if (n == 0 || regs[0].start == BIGBASE) {
			for (i = 0; i < n; i++)
				ASSERT_EQ(BIGBASE + 2 * PSZ * i, regs[i].start);
			prefix_maps++;
		} else {
			k = (regs[0].start - BIGBASE) / (2 * PSZ);
			ASSERT_EQ(BIG - k, n);
			for (i = 0; i < n; i++)
				ASSERT_EQ(BIGBASE + 2 * PSZ * (k + i), regs[i].start);
			suffix_maps++;
		}
		for (i = 0; i < n; i++)
			ASSERT_EQ(PSZ, regs[i].end - regs[i].start);
		TH_LOG("round %u: killed with %ld regions, died in %ld ms", round, n,
		       (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		close(fd);
	}
	TH_LOG("%u kills during maps, %u during unmaps", prefix_maps, suffix_maps);
}

TEST_HARNESS_MAIN
