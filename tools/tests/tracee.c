// SPDX-License-Identifier: GPL-2.0
/*
 * tracee.c - programs for vmashadow-trace.sh to trace (static; the VM's
 * /bin/vmashadow-tracee):
 *
 *   vmashadow-tracee work       mixed mmap/munmap/mprotect/mremap/brk/madvise
 *                               with write faults between them, a file mapped
 *   vmashadow-tracee threads N  N threads mapping, faulting and unmapping
 *                               (one shmat()s once), one more asleep in
 *                               read() all along
 *   vmashadow-tracee threadexit threads mapping; one of them calls exit()
 *                               while the others are still at it
 *   vmashadow-tracee threadexec threads mapping; one of them execs `work`
 *   vmashadow-tracee stopcont   threads mapping while a forked child stops
 *                               and continues them (SIGSTOP, SIGCONT)
 *   vmashadow-tracee clonevm    clone(CLONE_VM | SIGCHLD), vfork() and
 *                               posix_spawn(): children that share the mm
 *                               map, and the parent unmaps what they mapped
 *   vmashadow-tracee forkexec   fork; the child works, then execs `work`
 *   vmashadow-tracee maxmap     split regions until max_map_count says ENOMEM
 *   vmashadow-tracee mlock      mlock, mlock2, munlock, mlockall, munlockall
 *                               and their errors; then without CAP_IPC_LOCK
 *                               under a small RLIMIT_MEMLOCK (ENOMEM, EAGAIN,
 *                               EPERM)
 *   vmashadow-tracee mlockns    run in a user namespace of its own
 *                               (unshare -Ur) under RLIMIT_MEMLOCK of 8
 *                               pages: CAP_IPC_LOCK in its effective set,
 *                               not in the initial namespace, so the limit
 *                               counts (ENOMEM, EAGAIN, EPERM)
 *   vmashadow-tracee data       mmap, mprotect, mremap and brk under
 *                               RLIMIT_DATA: what makes data beyond it fails
 *                               (ENOMEM, the old break), what is no data
 *                               does not; a shrinking brk above the limit;
 *                               a soft limit of 0 (the hard one counts)
 *   vmashadow-tracee shmem [resync]
 *                               shared anonymous memory: several mappings,
 *                               split, joined, grown, moved, partly unmapped
 *                               (resync: pieces of one object split across
 *                               a re-import, then joined)
 *   vmashadow-tracee mbind      memory policies: regions split by one and
 *                               merged back, kept apart by one, joined by
 *                               the same one; the modes and their flags,
 *                               the errors; a mask naming node 100, one
 *                               that cannot be read, MPOL_MF_MOVE_ALL
 *                               without CAP_SYS_NICE (needs NUMA)
 *   vmashadow-tracee homenode   set_mempolicy_home_node: home nodes split
 *                               bind and preferred_many policies and merge
 *                               them back; ENOENT, EOPNOTSUPP after a part
 *                               changed, the EINVALs; across a fork and an
 *                               mremap (needs NUMA, node 1 offline)
 *   vmashadow-tracee mpolresync policies whose nodes as given are not those
 *                               in force (static_nodes 0-1, relative_nodes
 *                               1) and a home node, then a re-import (a
 *                               mask naming node 100), then calls that
 *                               merge only with those exact policies
 *                               (needs NUMA, node 1 not allowed)
 *   vmashadow-tracee uffd       userfaultfd: regions registered (part of
 *                               one, whole others), split by mprotect,
 *                               partly unregistered, moved by mremap,
 *                               copied by fork; the EBUSY of another
 *                               context; closed, the registrations go
 *   vmashadow-tracee uffdfork  a region of 16 pages at 0x10000000, its 8 in
 *                               the middle registered for write protection
 *                               (no UFFD_FEATURE_EVENT_FORK), then a fork:
 *                               the child's three regions lose it and stay
 *                               three.  Prints "uffdfork PARENT CHILD", and
 *                               both wait to be killed; nothing faults in
 *                               the region
 *   vmashadow-tracee uffdserve  calls that wait for a userfaultfd server
 *                               thread of the same process: a populate
 *                               that faults, a fork and an mremap that
 *                               wait for their UFFD_EVENT_FORK and
 *                               _REMAP to be read; then calls that split
 *                               and merge the served region
 *   vmashadow-tracee realloc    glibc's realloc() of large blocks (mmap,
 *                               mremap, munmap), threads, and a SysV
 *                               segment now and then (re-imports)
 *   vmashadow-tracee forkresync regions two children inherit faulted (each
 *                               anon_vma a fork's), re-imported in the
 *                               children, then mapped beside, split,
 *                               joined and moved (fork_resync() below)
 *   vmashadow-tracee forkchurn SEED [aslr]
 *                               the same churn in a tree of children 3
 *                               deep, each re-importing (without ASLR
 *                               unless told: the same pieces each run)
 *   vmashadow-tracee collapse   madvise(MADV_COLLAPSE) of a written 4 MiB
 *                               region, which trace does not mirror; then
 *                               calls that split and merge it
 *   vmashadow-tracee hidden     regions kept apart by flags the maps do not
 *                               show (madvise, MAP_DROPPABLE, mseal), then
 *                               re-imported (hidden_flags() below)
 *   vmashadow-tracee inject [mbind|uffd]
 *                               a layout at fixed addresses for trace
 *                               --inject (inject_layout() below)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* <linux/mempolicy.h>, whose modes are an enum; glibc has no mbind() */
#define MPOL_DEFAULT_ 0
#define MPOL_PREFERRED_ 1
#define MPOL_BIND_ 2
#define MPOL_INTERLEAVE_ 3
#define MPOL_LOCAL_ 4
#define MPOL_PREFERRED_MANY_ 5
#define MPOL_WEIGHTED_INTERLEAVE_ 6
#define MPOL_F_NUMA_BALANCING_ (1 << 13)
#define MPOL_F_RELATIVE_NODES_ (1 << 14)
#define MPOL_F_STATIC_NODES_ (1 << 15)
#define MPOL_MF_STRICT_ 1
#define MPOL_MF_MOVE_ 2
#define MPOL_MF_MOVE_ALL_ 4
#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node 450
#endif

/* The scenario running, for the messages of fails() and good(). */
static const char *scenario = "tracee";

static void work(void)
{
	char *a, *b, *c, *d;
	void *brk0;
	int fd, i;

	a = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a[0] = 1;			/* fault: a gets an anon_vma */
	mprotect(a + 4 * PG, 4 * PG, PROT_READ);	/* split in three */
	mprotect(a + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE);	/* and back */
	b[5 * PG] = 2;
	munmap(b + 2 * PG, PG);
	c = mremap(a, 16 * PG, 32 * PG, MREMAP_MAYMOVE);
	if (c != MAP_FAILED)
		c[20 * PG] = 3;
	d = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(d, 4 * PG, PROT_NONE);
	madvise(b, 16 * PG, MADV_DONTNEED);
	madvise(b, 4 * PG, MADV_DONTFORK);
	madvise(b, 4 * PG, MADV_DOFORK);
	munmap(NULL, PG);		/* nothing there */
	mprotect((void *)PG, PG, PROT_READ);	/* ENOMEM */
	brk0 = sbrk(0);
	sbrk(64 * 1024);
	((char *)brk0)[100] = 4;
	sbrk(-32 * 1024);
	fd = open("/bin/busybox", O_RDONLY);
	if (fd >= 0) {
		char *f = mmap(NULL, 8 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
		char *g = mmap(NULL, 8 * PG, PROT_READ, MAP_PRIVATE, fd, 8 * PG);

		if (f != MAP_FAILED && g != MAP_FAILED) {
			volatile char x = f[0] + g[0];

			(void)x;
			munmap(f, 8 * PG);
			munmap(g, 8 * PG);
		}
		close(fd);
	}
	for (i = 0; i < 8; i++) {
		char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (i & 1)
			p[0] = 1;
	}
	if (c != MAP_FAILED)
		munmap(c, 32 * PG);
	munmap(b, 16 * PG);
}

/* threadexit, threadexec, stopcont: threads with ids below 90 go on mapping */
static volatile int keep_going;

/* shmat() and shmdt(): calls the tracer re-imports after. */
static void shm_once(void)
{
	int id = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	void *p;

	if (id < 0)
		return;
	p = shmat(id, NULL, 0);
	if (p != (void *)-1)
		shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

static void *thread_fn(void *arg)
{
	long i, id = (long)arg;

	for (i = 0; i < 20 || (keep_going && id < 90); i++) {
		char *p = mmap(NULL, (size_t)(i % 4 + 1) * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return NULL;
		p[0] = (char)id;
		if (id == 0 && i == 5)
			shm_once();	/* no shadow operation: re-imported */
		if (i % 3 == 0)
			mprotect(p, PG, PROT_READ);
		if (i % 2 || i >= 20)
			munmap(p, (size_t)(i % 4 + 1) * PG);
	}
	return NULL;
}

static int sleeper_fd[2];

/* Asleep in read() while the others map: interrupted in its syscall. */
static void *sleeper_fn(void *arg)
{
	char c;

	(void)arg;
	return read(sleeper_fd[0], &c, 1) == 1 ? NULL : arg;
}

static int threads(int n)
{
	pthread_t t[16], s;
	int i;

	if (n > 16)
		n = 16;
	if (pipe(sleeper_fd) || pthread_create(&s, NULL, sleeper_fn, NULL))
		return 1;
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, thread_fn, (void *)(long)i);
	thread_fn((void *)99L);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	if (write(sleeper_fd[1], "x", 1) != 1)
		return 1;
	pthread_join(s, NULL);
	return 0;
}

static const char *self_path;

/*
 * exit() or execl() from a thread, the others (ids < 90) still mapping.
 * Three rounds of its own calls first: the others are mid-call by then,
 * and every call is checked, which on the debug kernel costs about 0.1 s
 * (ten rounds made these two traces 3,400 calls and 5 minutes there).
 */
static void *ender_fn(void *arg)
{
	long how = (long)arg, i;

	for (i = 0; i < 3; i++)
		thread_fn((void *)(100 + i));
	if (how == 1)
		exit(0);
	execl("/proc/self/exe", self_path, "work", (char *)NULL);
	exit(127);
}

static int threadend(long how)
{
	pthread_t t[4], e;
	int i;

	keep_going = 1;
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, thread_fn, (void *)(long)i);
	pthread_create(&e, NULL, ender_fn, (void *)how);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);	/* never: the ender ends it all */
	return 1;
}

/* Group-stopped and continued by a child while the threads map. */
static int stopcont(void)
{
	pthread_t t[3];
	pid_t parent = getpid(), pid;
	int i, st, rc = 0;

	keep_going = 1;
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, thread_fn, (void *)(long)i);
	pid = fork();
	if (pid == 0) {
		usleep(20000);
		kill(parent, SIGSTOP);
		usleep(100000);
		kill(parent, SIGCONT);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = 1;
	thread_fn((void *)99L);
	keep_going = 0;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return rc;
}

static char *volatile vm_slot;

static int vm_child(void *arg)
{
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	(void)arg;
	if (p == MAP_FAILED)
		return 1;
	p[0] = 1;
	mprotect(p + PG, PG, PROT_READ);
	vm_slot = p;
	return 0;
}

/* vfork: the child maps in our mm, then execs; we unmap what it mapped. */
static __attribute__((noinline)) int vfork_case(const char *self)
{
	pid_t pid;
	char *p;
	int st;

	vm_slot = NULL;
	pid = vfork();
	if (pid == 0) {
		long q = syscall(SYS_mmap, 0, 2 * PG, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (q != -1)
			vm_slot = (char *)q;
		execl("/proc/self/exe", self, "work", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		return 1;
	p = vm_slot;
	if (!p || munmap(p, PG) || munmap(p + PG, PG))
		return 1;
	return waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st);
}

/* Children sharing the parent's mm without being its threads. */
static int clonevm(const char *self)
{
	char *argv[] = { (char *)self, "work", NULL };
	size_t ssz = 64 * 1024;
	char *stack, *p;
	int st, rc = 0;
	pid_t pid;

	/* clone(CLONE_VM | SIGCHLD): a process of its own, on our mm. */
	stack = mmap(NULL, ssz, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return 1;
	pid = clone(vm_child, stack + ssz, CLONE_VM | SIGCHLD, NULL);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	p = vm_slot;
	/* What it mapped is ours to change. */
	if (!p || mprotect(p + PG, PG, PROT_READ | PROT_WRITE) || munmap(p + 3 * PG, PG) ||
	    munmap(p, 3 * PG))
		rc = 1;
	munmap(stack, ssz);
	if (vfork_case(self))
		rc = 1;
	/* posix_spawn: glibc's clone(CLONE_VM | CLONE_VFORK) on a stack it maps. */
	if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, NULL) ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = 1;
	return rc;
}

static int forkexec(const char *self)
{
	char *p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	pid_t pid;
	int st;

	p[0] = 1;
	pid = fork();
	if (pid == 0) {
		p[PG] = 2;	/* the child's own anon_vma now */
		mprotect(p + 2 * PG, PG, PROT_READ);
		munmap(p + 6 * PG, 2 * PG);
		execl("/proc/self/exe", self, "work", (char *)NULL);
		_exit(127);
	}
	mprotect(p + 2 * PG, PG, PROT_READ);
	munmap(p + 4 * PG, PG);
	work();
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int maxmap(void)
{
	long n = 0, max = 0;
	char *base;
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");

	if (!f || fscanf(f, "%ld", &max) != 1)
		return 1;
	fclose(f);
	/* One reservation, then every other page made read-only: each
	 * mprotect adds two regions until the limit says no. */
	base = mmap(NULL, (size_t)(max + 8) * 2 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return 1;
	for (n = 0; n < max + 4; n++)
		if (mprotect(base + (2 * n + 1) * PG, PG, PROT_READ) && errno == ENOMEM)
			break;
	printf("maxmap: ENOMEM after %ld splits (max_map_count %ld)\n", n, max);
	/* At the limit, an unmap that would split fails too. */
	if (munmap(base + 2 * n * PG + PG / 2 * 0 + 2 * PG * 0, PG) == 0)
		printf("maxmap: munmap at the limit succeeded\n");
	munmap(base, (size_t)(max + 8) * 2 * PG);
	return n < max + 4 ? 0 : 1;
}

/* A call that must fail with @err; else the scenario fails. */
static int fails(long r, int err, const char *what)
{
	if (r != -1 || errno != err) {
		fprintf(stderr, "%s: %s gave %ld (%s), not %s\n", scenario, what, r,
			r == -1 ? strerror(errno) : "no error", strerror(err));
		return 1;
	}
	return 0;
}

static int good(long r, const char *what)
{
	if (r == -1) {
		fprintf(stderr, "%s: %s: %s\n", scenario, what, strerror(errno));
		return 1;
	}
	return 0;
}

/* Whether CAP_IPC_LOCK is in the effective set (of our user namespace). */
static int has_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 0;
	return !!(d[CAP_IPC_LOCK / 32].effective & (1U << (CAP_IPC_LOCK % 32)));
}

/*
 * Drop @cap from the effective set: without CAP_IPC_LOCK RLIMIT_MEMLOCK
 * counts, without CAP_SYS_NICE MPOL_MF_MOVE_ALL is refused.
 */
static void drop_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return;
	d[cap / 32].effective &= ~(1U << (cap % 32));
	syscall(SYS_capset, &h, d);
}

/*
 * Under a RLIMIT_MEMLOCK of 8 pages that counts (no CAP_IPC_LOCK the
 * kernel sees), with @a 16 unlocked pages: ENOMEM beyond the limit, EAGAIN
 * for a locked mmap, then EPERM under a limit of 0.
 */
static int over_limit(char *a)
{
	struct rlimit rl;
	int rc = 0;

	rc |= good(mlock(a, 4 * PG), "mlock within the limit");
	rc |= fails(mlock(a + 8 * PG, 8 * PG), ENOMEM, "mlock beyond the limit");
	rc |= fails((long)mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0),
		    EAGAIN, "mmap(MAP_LOCKED) beyond the limit");
	rc |= fails(mlockall(MCL_CURRENT), ENOMEM, "mlockall beyond the limit");
	rc |= good(munlock(a, 4 * PG), "munlock");
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 1;
	rc |= fails(mlock(a, PG), EPERM, "mlock with no limit left");
	return rc;
}

static int locks(void)
{
	struct rlimit rl;
	char *a, *b;
	int rc = 0;

	/* Unfaulted: mlock faults in what it locks, mlock2(MLOCK_ONFAULT) not. */
	a = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return 1;
	rc |= good(mlock(a + 4 * PG, 4 * PG), "mlock");
	rc |= good(syscall(SYS_mlock2, a + 8 * PG, 4 * PG, MLOCK_ONFAULT), "mlock2");
	rc |= good(syscall(SYS_mlock2, a + 4 * PG, 8 * PG, 0), "mlock2 0");
	rc |= good(munlock(a, 16 * PG), "munlock all of it");
	munmap(a, 16 * PG);
	/* Faulted first. */
	a = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return 1;
	a[0] = 1;
	rc |= good(mlock(a + 4 * PG, 4 * PG), "mlock");		/* split in three */
	rc |= good(syscall(SYS_mlock2, a + 10 * PG, 2 * PG, MLOCK_ONFAULT), "mlock2");
	rc |= good(munlock(a + 4 * PG, 2 * PG), "munlock");
	rc |= good(syscall(SYS_mlock2, a + 6 * PG, 6 * PG, 0), "mlock2 0"); /* joins */
	a[7 * PG] = 2;
	rc |= good(munlock(a, 16 * PG), "munlock all of it");	/* one region again */
	rc |= fails(mlock(NULL, PG), ENOMEM, "mlock of nothing");
	rc |= fails(syscall(SYS_mlock2, a, PG, 2), EINVAL, "mlock2 with a bad flag");
	rc |= fails(mlockall(0), EINVAL, "mlockall(0)");
	rc |= fails(mlockall(MCL_ONFAULT), EINVAL, "mlockall(MCL_ONFAULT)");
	/* Everything now, and what comes: mmap and brk. */
	rc |= good(mlockall(MCL_CURRENT | MCL_FUTURE), "mlockall");
	b = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return 1;
	munmap(b + PG, PG);
	sbrk(16 * 1024);
	sbrk(-8 * 1024);
	rc |= good(munlockall(), "munlockall");
	munmap(b, 4 * PG);
	/* What comes, on fault only. */
	rc |= good(mlockall(MCL_FUTURE | MCL_ONFAULT), "mlockall future,onfault");
	b = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return 1;
	mprotect(b, PG, PROT_READ);
	b[2 * PG] = 3;
	rc |= good(munlockall(), "munlockall");
	munmap(b, 4 * PG);
	/* Without CAP_IPC_LOCK, under a limit of 8 pages. */
	drop_cap(CAP_IPC_LOCK);
	rl.rlim_cur = rl.rlim_max = 8 * PG;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 1;
	rc |= over_limit(a);
	munmap(a, 16 * PG);
	return rc;
}

/*
 * Whether we are in a user namespace other than the initial one, whose
 * /proc/self/ns/user has a fixed inode (PROC_USER_INIT_INO).
 */
static int in_child_userns(void)
{
	struct stat st;

	return !stat("/proc/self/ns/user", &st) && st.st_ino != 0xEFFFFFFDU;
}

/*
 * In a user namespace of our own (unshare -Ur), CapEff is full, yet the
 * kernel asks capable(CAP_IPC_LOCK) of the initial namespace: the limit
 * the shell set (ulimit -S -l 32, 8 pages) counts all the same.  Whether
 * the setting is what it should be is checked first, so that the tracer
 * cannot pass for the wrong reason.
 */
static int locks_userns(void)
{
	struct rlimit rl;
	char *a;
	int rc;

	if (!in_child_userns() || !has_ipc_lock() || getrlimit(RLIMIT_MEMLOCK, &rl) ||
	    rl.rlim_cur != 8 * PG) {
		fprintf(stderr, "%s: wants a user namespace of its own, CAP_IPC_LOCK in "
			"it and RLIMIT_MEMLOCK of 8 pages\n", scenario);
		return 1;
	}
	a = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return 1;
	rc = over_limit(a);
	munmap(a, 16 * PG);
	return rc;
}

/*
 * VmData of this process in bytes, the kernel's data_vm: read with open()
 * and read(), as stdio's buffer would be data of its own.  0 if unknown.
 */
static unsigned long vm_data(void)
{
	char buf[4096], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strstr(buf, "\nVmData:");
	return p ? strtoul(p + 9, NULL, 10) * 1024 : 0;
}

static int data_limit(rlim_t soft, rlim_t hard)
{
	struct rlimit rl = { soft, hard };

	return setrlimit(RLIMIT_DATA, &rl);
}

static void *map(size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

/* Private anonymous memory at @addr exactly, or MAP_FAILED. */
static void *map_at(unsigned long addr, size_t len, int prot)
{
	void *p = mmap((void *)addr, len, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	return p == (void *)addr ? p : MAP_FAILED;
}

/*
 * brk(2) itself, which must (@moves) or must not move the break to @to: a
 * failed brk() returns the old break, and glibc's sbrk() takes a failed
 * shrink for a success.
 */
static int brk_to(char *to, int moves, const char *what)
{
	char *r = (char *)syscall(SYS_brk, to);

	if ((r == to) == moves)
		return 0;
	fprintf(stderr, "%s: %s left the break at %p, not %p\n", scenario, what,
		(void *)r, (void *)to);
	return 1;
}

/*
 * RLIMIT_DATA: every call that would take the data pages (private,
 * writable, not a stack) past it fails, whatever else it maps does not.
 * The limit moves between the calls (setrlimit(), which the tracer does
 * not see), so each failure here is a divergence unless the shadow has
 * the program's limit of the moment.
 */
static int datas(void)
{
	const int rw = PROT_READ | PROT_WRITE, priv = MAP_PRIVATE;
	unsigned long base = vm_data();
	char *a, *b, *brk0 = (char *)syscall(SYS_brk, 0);
	int rc = 0, fd;

	if (!base)
		return 1;
	/* Room for 8 more pages of data. */
	if (data_limit(base + 8 * PG, RLIM_INFINITY))
		return 1;
	a = map(4 * PG, rw, priv);
	rc |= good((long)a, "mmap of data within the limit");
	rc |= fails((long)map(8 * PG, rw, priv), ENOMEM, "mmap of data beyond the limit");
	b = map(8 * PG, PROT_READ, priv);
	rc |= good((long)b, "mmap of read-only memory");
	/* Shared memory, anonymous or a file's, is no data. */
	rc |= good((long)map(8 * PG, rw, MAP_SHARED), "mmap of shared anonymous memory");
	fd = memfd_create("vms-data", 0);
	if (fd < 0 || ftruncate(fd, 8 * PG))
		return 1;
	rc |= good((long)mmap(NULL, 8 * PG, rw, MAP_SHARED, fd, 0), "mmap of a shared file");
	close(fd);
	rc |= good((long)map(8 * PG, rw, priv | MAP_GROWSDOWN), "mmap of a stack");
	rc |= fails(mprotect(b, 8 * PG, rw), ENOMEM, "mprotect making data beyond the limit");
	rc |= good(mprotect(b, 2 * PG, rw), "mprotect making data within it");
	if (a == MAP_FAILED || b == MAP_FAILED)
		return 1;
	/* data: base + 6 pages */
	rc |= fails((long)mremap(a, 4 * PG, 8 * PG, MREMAP_MAYMOVE), ENOMEM,
		    "mremap growing data beyond the limit");
	rc |= fails(syscall(SYS_mremap, a, 4 * PG, 4 * PG,
			    MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), ENOMEM,
		    "mremap(MREMAP_DONTUNMAP) of data beyond the limit");
	rc |= good((long)mremap(b + 2 * PG, 6 * PG, 12 * PG, MREMAP_MAYMOVE),
		   "mremap growing read-only memory");
	rc |= brk_to(brk0 + 4 * PG, 0, "brk growing data beyond the limit");
	/*
	 * brk() also counts the heap and the data segment against the soft
	 * limit, before anything else: under one page even a shrink fails.
	 */
	if (data_limit(RLIM_INFINITY, RLIM_INFINITY))
		return 1;
	rc |= brk_to(brk0 + 8 * PG, 1, "brk without a limit");
	if (data_limit(PG, RLIM_INFINITY))
		return 1;
	rc |= brk_to(brk0 + 4 * PG, 0, "brk shrinking above the limit");
	rc |= fails((long)map(PG, rw, priv), ENOMEM, "mmap of data above the limit");
	rc |= good((long)map(PG, PROT_READ, priv), "mmap of read-only memory");
	if (data_limit(RLIM_INFINITY, RLIM_INFINITY))
		return 1;
	rc |= brk_to(brk0, 1, "brk shrinking without a limit");
	/* A soft limit of 0 lets mappings up to the hard one (Valgrind's). */
	base = vm_data();
	if (data_limit(0, base + 4 * PG))
		return 1;
	rc |= good((long)map(2 * PG, rw, priv), "mmap of data within the hard limit");
	rc |= fails((long)map(4 * PG, rw, priv), ENOMEM, "mmap of data beyond the hard limit");
	rc |= brk_to(brk0 + PG, 0, "brk under a soft limit of 0");
	return rc;
}

/*
 * Shared anonymous memory: every mapping a shmem object of its own, whose
 * inode the kernel numbers from a system-wide counter (the tracer compares
 * all of each maps line but that).  Two mappings side by side stay apart;
 * one is split and joined again (its pages run on), partly unmapped, a
 * piece of it grown (moved: the next mapping is in the way), and another
 * moved into the hole.
 */
/*
 * shmem [resync]: with resync, the middle of the second mapping is made
 * read-only and a SysV attach (re-imported) comes after the moves, then
 * the middle is made writable again, which joins the pieces back into
 * one region: they are one object, their offsets follow on.
 */
static int shmem(int resync)
{
	const int rw = PROT_READ | PROT_WRITE;
	char *a, *b, *c, *d;
	int rc = 0;

	a = map(8192, rw, MAP_SHARED);
	b = map(16 * PG, rw, MAP_SHARED);
	c = map(4 * PG, PROT_READ, MAP_SHARED | MAP_NORESERVE);
	if (a == MAP_FAILED || b == MAP_FAILED || c == MAP_FAILED)
		return 1;
	a[0] = 1;			/* faults: shared pages, no anon_vma */
	b[5 * PG] = 2;
	rc |= good(mprotect(b + 4 * PG, 4 * PG, PROT_READ), "mprotect splitting it");
	rc |= good(mprotect(b + 4 * PG, 4 * PG, rw), "mprotect joining it again");
	rc |= good(munmap(b + 10 * PG, 2 * PG), "munmap of a part of it");
	d = mremap(b + 12 * PG, 4 * PG, 8 * PG, MREMAP_MAYMOVE);
	rc |= good((long)d, "mremap growing a piece");
	rc |= good((long)mremap(a, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
				b + 10 * PG), "mremap moving one into the hole");
	if (resync) {
		rc |= good(mprotect(b + 4 * PG, 4 * PG, PROT_READ), "mprotect the middle");
		shm_once();
		rc |= good(mprotect(b + 4 * PG, 4 * PG, rw), "mprotect it back");
	}
	rc |= good(munmap(c + PG, PG), "munmap of a read-only page");
	rc |= good(munmap(b, 12 * PG), "munmap");
	if (d != MAP_FAILED)
		rc |= good(munmap(d, 8 * PG), "munmap");
	rc |= good(munmap(c, 4 * PG), "munmap");
	return rc;
}

static long mbind_(void *addr, unsigned long len, int mode, const unsigned long *nodes,
		   unsigned long maxnode, unsigned int flags)
{
	return syscall(SYS_mbind, addr, len, mode, nodes, maxnode, flags);
}

/*
 * mbind(2), on a kernel with NUMA (and node 0 of the VM's one node): a
 * policy splits a region and merges it back; it is hidden state that keeps
 * apart what the maps show alike (an mprotect back, a mapping beside it),
 * until the same policy joins them.  The modes, what their flags keep
 * (MPOL_F_STATIC_NODES: the nodes as named, compared), the errors.  What
 * the shadow cannot hold is re-imported or left to the kernel: node 100 in
 * a mask, a mask that cannot be read, MPOL_MF_MOVE_ALL without
 * CAP_SYS_NICE.  The results of the modes that differ between 6.1 and
 * 6.12 are the tracer's to compare, not checked here.
 */
static int policies(void)
{
	const int rw = PROT_READ | PROT_WRITE, priv = MAP_PRIVATE;
	unsigned long node0 = 1, node1 = 2, nodes01 = 3, high[2] = { 1, 1UL << 36 };
	char *a, *b, *c, *d, *e;
	int rc = 0, st;
	pid_t pid;

	if (mbind_(NULL, 0, MPOL_DEFAULT_, NULL, 0, 0) && errno == ENOSYS) {
		fprintf(stderr, "%s: no NUMA in this kernel\n", scenario);
		return 1;
	}
	/* Split in three by one policy, joined by the same, merged back. */
	a = map(16 * PG, rw, priv);
	if (a == MAP_FAILED)
		return 1;
	a[0] = 1;
	rc |= good(mbind_(a + 4 * PG, 4 * PG, MPOL_BIND_, &node0, 65, 0), "mbind splitting");
	rc |= good(mbind_(a + 8 * PG, 4 * PG, MPOL_BIND_, &node0, 65,
			  MPOL_MF_STRICT_ | MPOL_MF_MOVE_), "mbind joining");
	a[9 * PG] = 2;
	rc |= good(mbind_(a + 4 * PG, 8 * PG, MPOL_DEFAULT_, NULL, 0, 0),
		   "mbind back to the default");
	/* Kept apart: an mprotect and back, a mapping beside it. */
	b = map(12 * PG, rw, priv);
	if (b == MAP_FAILED)
		return 1;
	rc |= good(mbind_(b, 4 * PG, MPOL_INTERLEAVE_, &node0, 65, 0), "mbind interleave");
	rc |= good(mprotect(b + 4 * PG, 4 * PG, PROT_READ), "mprotect");
	rc |= good(mprotect(b + 4 * PG, 4 * PG, rw), "mprotect back");
	rc |= good(mbind_(b + 8 * PG, 4 * PG, MPOL_PREFERRED_, &node0, 65, 0),
		   "mbind preferred");
	rc |= good(munmap(b + 8 * PG, 4 * PG), "munmap");
	rc |= good((long)mmap(b + 8 * PG, 4 * PG, rw, priv | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		   "mmap beside a policy");
	/* The same policy joins them. */
	rc |= good(mbind_(b + 4 * PG, 4 * PG, MPOL_INTERLEAVE_, &node0, 65, 0),
		   "mbind the same policy");
	/* Preferred of no node is local. */
	c = map(8 * PG, rw, priv);
	if (c == MAP_FAILED)
		return 1;
	rc |= good(mbind_(c + PG, PG, MPOL_LOCAL_, NULL, 0, 0), "mbind local");
	rc |= good(mbind_(c + 2 * PG, PG, MPOL_PREFERRED_, NULL, 65, 0),
		   "mbind preferred of no node");
	rc |= good(mbind_(c + 3 * PG, PG, MPOL_PREFERRED_MANY_, &node0, 65, 0),
		   "mbind preferred_many");
	rc |= good(mbind_(c + 4 * PG, PG, MPOL_BIND_ | MPOL_F_NUMA_BALANCING_, &node0, 65, 0),
		   "mbind with MPOL_F_NUMA_BALANCING");
	/* 6.12 only: a mode, and NUMA balancing with preferred_many */
	mbind_(c + 5 * PG, PG, MPOL_WEIGHTED_INTERLEAVE_, &node0, 65, 0);
	mbind_(c + 6 * PG, PG, MPOL_PREFERRED_MANY_ | MPOL_F_NUMA_BALANCING_, &node0, 65, 0);
	/* Static nodes are compared as named, relative ones mapped. */
	d = map(8 * PG, rw, priv);
	if (d == MAP_FAILED)
		return 1;
	rc |= good(mbind_(d, PG, MPOL_BIND_ | MPOL_F_STATIC_NODES_, &nodes01, 65, 0),
		   "mbind static 0-1");
	rc |= good(mbind_(d + PG, PG, MPOL_BIND_ | MPOL_F_STATIC_NODES_, &node0, 65, 0),
		   "mbind static 0");
	rc |= good(mbind_(d + 2 * PG, PG, MPOL_BIND_ | MPOL_F_STATIC_NODES_, &nodes01, 65, 0),
		   "mbind static 0-1 again");
	rc |= good(mbind_(d + PG, PG, MPOL_BIND_ | MPOL_F_STATIC_NODES_, &nodes01, 65, 0),
		   "mbind static joining");
	rc |= good(mbind_(d + 4 * PG, PG, MPOL_BIND_ | MPOL_F_RELATIVE_NODES_, &node1, 65, 0),
		   "mbind relative 1");
	rc |= good(mbind_(d + 5 * PG, PG, MPOL_BIND_, &node0, 65, 0), "mbind bind");
	rc |= good(mbind_(d + 6 * PG, 0, MPOL_BIND_, &node0, 65, 0), "mbind of nothing");
	/* The errors. */
	rc |= fails(mbind_(a, PG, 7, &node0, 65, 0), EINVAL, "mbind of mode 7");
	rc |= fails(mbind_(a, PG, MPOL_BIND_, NULL, 0, 0), EINVAL, "mbind bind of no node");
	rc |= fails(mbind_(a, PG, MPOL_BIND_, &node1, 65, 0), EINVAL,
		    "mbind bind of a node not allowed");
	rc |= fails(mbind_(a, PG, MPOL_LOCAL_, &node0, 65, 0), EINVAL, "mbind local of a node");
	rc |= fails(mbind_(a, PG, MPOL_DEFAULT_, &node0, 65, 0), EINVAL,
		    "mbind default of a node");
	rc |= fails(mbind_(a, PG, MPOL_BIND_ | MPOL_F_STATIC_NODES_ | MPOL_F_RELATIVE_NODES_,
			   &node0, 65, 0), EINVAL, "mbind static and relative");
	rc |= fails(mbind_(a, PG, MPOL_BIND_, &node0, 65, 8), EINVAL, "mbind with flag 8");
	rc |= fails(mbind_(a + 1, PG, MPOL_BIND_, &node0, 65, 0), EINVAL, "mbind unaligned");
	rc |= fails(mbind_(a, PG, MPOL_BIND_, &node0, 40000, 0), EINVAL,
		    "mbind of more nodes than a page holds");
	e = map(4 * PG, rw, priv);
	if (e == MAP_FAILED || munmap(e + PG, PG))
		return 1;
	rc |= fails(mbind_(e, 4 * PG, MPOL_BIND_, &node0, 65, 0), EFAULT, "mbind over a hole");
	rc |= fails(mbind_((void *)(16 * PG), PG, MPOL_DEFAULT_, NULL, 0, 0), EFAULT,
		    "mbind default of nothing mapped");
	rc |= good(mbind_(e, 4 * PG, MPOL_DEFAULT_, NULL, 0, 0), "mbind default over a hole");
	/* A mask the tracer cannot read, nor the kernel: not mirrored. */
	rc |= fails(mbind_(a, PG, MPOL_BIND_, (unsigned long *)PG, 65, 0), EFAULT,
		    "mbind of an unreadable mask");
	/* Shared memory has policies too; a fork keeps them. */
	c = map(8 * PG, rw, MAP_SHARED);
	if (c == MAP_FAILED)
		return 1;
	rc |= good(mbind_(c + 2 * PG, 2 * PG, MPOL_BIND_, &node0, 65, 0), "mbind shared memory");
	pid = fork();
	if (pid == 0) {
		int r = mbind_(d, 8 * PG, MPOL_DEFAULT_, NULL, 0, 0) ||
			mbind_(a + PG, PG, MPOL_INTERLEAVE_, &node0, 65, 0) ||
			munmap(c, 8 * PG);

		_exit(r);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = 1;
	/* Moved, the policy goes along. */
	rc |= good((long)mremap(d + 4 * PG, PG, 2 * PG, MREMAP_MAYMOVE), "mremap of a policy");
	/*
	 * Node 100, which the shadow cannot hold: re-imported (a policy of a
	 * whole region, which the maps do not show).  The policy in force is
	 * node 0's: the same as a bind to node 0 merges with.
	 */
	e = map(4 * PG, rw, priv);
	if (e == MAP_FAILED)
		return 1;
	rc |= good(mbind_(e, 4 * PG, MPOL_BIND_, high, 129, 0), "mbind of node 100");
	rc |= good(mbind_(e + 2 * PG, 2 * PG, MPOL_PREFERRED_, &node0, 65, 0),
		   "mbind splitting it");
	rc |= good(mbind_(e + 2 * PG, 2 * PG, MPOL_BIND_, &node0, 65, 0),
		   "mbind joining it again");
	/* MPOL_MF_MOVE_ALL takes CAP_SYS_NICE. */
	rc |= good(mbind_(a, PG, MPOL_BIND_, &node0, 65, MPOL_MF_MOVE_ALL_), "mbind move all");
	drop_cap(CAP_SYS_NICE);
	rc |= fails(mbind_(a, PG, MPOL_BIND_, &node0, 65, MPOL_MF_MOVE_ALL_), EPERM,
		    "mbind move all without CAP_SYS_NICE");
	rc |= good(munmap(a, 16 * PG), "munmap");
	return rc;
}

static long home_node_(void *addr, unsigned long len, unsigned long node,
		       unsigned long flags)
{
	return syscall(SYS_set_mempolicy_home_node, addr, len, node, flags);
}

/*
 * set_mempolicy_home_node(2), on a kernel with NUMA (node 0 online, node
 * 1 not: the VM's one node): a home node splits a policy from the same
 * policy without one, and joins what has the same again; it keeps apart
 * what the maps show alike (an mprotect back).  A region without a policy
 * is passed over, a range without any is ENOENT; an interleave policy
 * stops the call with EOPNOTSUPP, the bind before it changed all the
 * same; the EINVALs (a node offline, or above 63, or beyond MAX_NUMNODES;
 * a flag, in the low 32 bits or above them; unaligned; wrapping).  A fork
 * keeps the home node, an mremap moves it along.  All of it mirrored, not
 * re-imported.
 */
static int home_nodes(void)
{
	const int rw = PROT_READ | PROT_WRITE, priv = MAP_PRIVATE;
	unsigned long node0 = 1;
	char *a, *b, *c;
	int rc = 0, st;
	pid_t pid;

	if (home_node_(NULL, 0, 0, 0) && errno == ENOSYS) {
		fprintf(stderr, "%s: no NUMA in this kernel\n", scenario);
		return 1;
	}
	/* Split by a home node, joined by the same, merged back whole. */
	a = map(16 * PG, rw, priv);
	if (a == MAP_FAILED)
		return 1;
	a[0] = 1;
	rc |= good(mbind_(a, 16 * PG, MPOL_BIND_, &node0, 65, 0), "mbind bind");
	rc |= good(home_node_(a + 4 * PG, 4 * PG, 0, 0), "home node splitting");
	rc |= good(home_node_(a + 8 * PG, 4 * PG, 0, 0), "home node joining");
	/* Kept apart from the same policy without it: an mprotect and back. */
	rc |= good(mprotect(a + 12 * PG, 4 * PG, PROT_READ), "mprotect");
	rc |= good(mprotect(a + 12 * PG, 4 * PG, rw), "mprotect back");
	rc |= good(home_node_(a, 16 * PG, 0, 0), "home node of it all");
	/* No policy: ENOENT; a hole and a region without one passed over. */
	b = map(8 * PG, rw, priv);
	if (b == MAP_FAILED || munmap(b + 2 * PG, 2 * PG))
		return 1;
	rc |= fails(home_node_(b, 8 * PG, 0, 0), ENOENT, "home node of no policy");
	rc |= good(mbind_(b + 4 * PG, 2 * PG, MPOL_PREFERRED_MANY_, &node0, 65, 0),
		   "mbind preferred_many");
	rc |= good(home_node_(b, 8 * PG, 0, 0), "home node over a hole");
	/* Interleave: EOPNOTSUPP, the bind before it changed all the same. */
	c = map(8 * PG, rw, priv);
	if (c == MAP_FAILED)
		return 1;
	rc |= good(mbind_(c, 4 * PG, MPOL_BIND_, &node0, 65, 0), "mbind bind");
	rc |= good(mbind_(c + 4 * PG, 4 * PG, MPOL_INTERLEAVE_, &node0, 65, 0),
		   "mbind interleave");
	rc |= fails(home_node_(c + PG, 7 * PG, 0, 0), EOPNOTSUPP,
		    "home node of an interleave policy");
	/* The errors. */
	rc |= fails(home_node_(a, PG, 1, 0), EINVAL, "home node 1, offline");
	rc |= fails(home_node_(a, PG, 100, 0), EINVAL, "home node 100");
	rc |= fails(home_node_(a, PG, -1UL, 0), EINVAL, "home node -1");
	rc |= fails(home_node_(a + 1, PG, 0, 0), EINVAL, "home node unaligned");
	rc |= fails(home_node_(a, PG, 0, 1), EINVAL, "home node with flag 1");
	rc |= fails(home_node_(a, PG, 0, 1UL << 32), EINVAL, "home node with flag 1 << 32");
	rc |= fails(home_node_(a, -(unsigned long)a, 0, 0), EINVAL, "home node wrapping");
	rc |= good(home_node_(a, 0, 0, 0), "home node of nothing");
	/* A fork keeps the home node: the same policy without it splits. */
	pid = fork();
	if (pid == 0)
		_exit(mbind_(a + 4 * PG, 4 * PG, MPOL_BIND_, &node0, 65, 0) ? 1 : 0);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = 1;
	/* Moved, the home node goes along. */
	rc |= good((long)mremap(c + PG, PG, 2 * PG, MREMAP_MAYMOVE), "mremap of a home node");
	rc |= good(munmap(a, 16 * PG), "munmap");
	return rc;
}

/*
 * What a re-import must carry exactly: policies whose nodes as given are
 * not those in force (MPOL_F_STATIC_NODES of nodes 0-1 where node 0 alone
 * is allowed; MPOL_F_RELATIVE_NODES of node 1, folded onto node 0) and a
 * home node, none of which numa_maps shows.  The mbind of node 100 makes
 * the tracer re-import the state, whose region records give the policies;
 * after it, each of the same policies given to a neighbour merges with it,
 * and the same bind without the home node does not, so a replay that
 * rebuilt one otherwise counts other regions.
 */
static int policy_resync(void)
{
	const int rw = PROT_READ | PROT_WRITE, priv = MAP_PRIVATE;
	unsigned long node0 = 1, node1 = 2, nodes01 = 3, high[2] = { 1, 1UL << 36 };
	char *a, *e;
	int rc = 0;

	if (mbind_(NULL, 0, MPOL_DEFAULT_, NULL, 0, 0) && errno == ENOSYS) {
		fprintf(stderr, "%s: no NUMA in this kernel\n", scenario);
		return 1;
	}
	a = map(24 * PG, rw, priv);
	e = map(4 * PG, rw, priv);
	if (a == MAP_FAILED || e == MAP_FAILED)
		return 1;
	a[0] = 1;
	rc |= good(mbind_(a, 4 * PG, MPOL_BIND_ | MPOL_F_STATIC_NODES_, &nodes01, 65, 0),
		   "mbind static 0-1");
	rc |= good(mbind_(a + 8 * PG, 4 * PG, MPOL_BIND_, &node0, 65, 0), "mbind bind");
	rc |= good(home_node_(a + 8 * PG, 4 * PG, 0, 0), "home node 0");
	rc |= good(mbind_(a + 16 * PG, 4 * PG, MPOL_BIND_ | MPOL_F_RELATIVE_NODES_, &node1,
			  65, 0), "mbind relative 1");
	/* re-imported: the shadow cannot hold node 100 */
	rc |= good(mbind_(e, 4 * PG, MPOL_BIND_, high, 129, 0), "mbind of node 100");
	/* each merges with its neighbour only if that kept its policy exactly */
	rc |= good(mbind_(a + 4 * PG, 4 * PG, MPOL_BIND_ | MPOL_F_STATIC_NODES_, &nodes01,
			  65, 0), "mbind static 0-1 beside it");
	rc |= good(mbind_(a + 12 * PG, 4 * PG, MPOL_BIND_, &node0, 65, 0),
		   "mbind bind beside the home node");
	rc |= good(home_node_(a + 12 * PG, 4 * PG, 0, 0), "home node 0 beside it");
	rc |= good(mbind_(a + 20 * PG, 4 * PG, MPOL_BIND_ | MPOL_F_RELATIVE_NODES_, &node1,
			  65, 0), "mbind relative 1 beside it");
	rc |= good(munmap(a, 24 * PG), "munmap");
	rc |= good(munmap(e, 4 * PG), "munmap");
	return rc;
}

/* userfaultfd(2) and UFFDIO_API: a descriptor, or -1. */
static int uffd_new(unsigned long long features)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0 || ioctl(fd, UFFDIO_API, &api)) {
		fprintf(stderr, "%s: userfaultfd: %s\n", scenario, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static long uffd_register(int fd, void *addr, unsigned long len, unsigned long long mode)
{
	struct uffdio_register r = {
		.range = { .start = (unsigned long)addr, .len = len }, .mode = mode,
	};

	return ioctl(fd, UFFDIO_REGISTER, &r);
}

static long uffd_unregister(int fd, void *addr, unsigned long len)
{
	struct uffdio_range r = { .start = (unsigned long)addr, .len = len };

	return ioctl(fd, UFFDIO_UNREGISTER, &r);
}

/*
 * userfaultfd(2) as the regions see it, no page ever faulted under a
 * registration (nothing serves the faults): a registration splits a
 * region and one of its whole neighbours changes only its flags, which
 * the maps do not show; mprotect splits what is registered, the pieces
 * keeping it; another context is EBUSY; part unregistered; a registered
 * region moved without UFFD_FEATURE_EVENT_REMAP loses its registration,
 * a fork's copies without UFFD_FEATURE_EVENT_FORK lose theirs and stay
 * apart; the last close unregisters what is left, merging it.  The
 * tracer re-imports after each register, unregister and close.
 */
static int uffds(void)
{
	const int rw = PROT_READ | PROT_WRITE, priv = MAP_PRIVATE;
	int u1, u2, rc = 0, st;
	char *a, *b, *d, *m;
	pid_t pid;

	a = map(16 * PG, rw, priv);
	b = map(8 * PG, rw, priv);
	d = map(4 * PG, PROT_NONE, priv);	/* where the move goes */
	if (a == MAP_FAILED || b == MAP_FAILED || d == MAP_FAILED)
		return 1;
	a[0] = 1;	/* faulted before any registration */
	u1 = uffd_new(0);
	u2 = uffd_new(0);
	if (u1 < 0 || u2 < 0)
		return 1;
	rc |= good(uffd_register(u1, a + 4 * PG, 4 * PG, UFFDIO_REGISTER_MODE_MISSING),
		   "register the middle");
	rc |= good(uffd_register(u1, b, 8 * PG, UFFDIO_REGISTER_MODE_WP), "register whole");
	rc |= good(mprotect(b + 2 * PG, 2 * PG, PROT_READ), "mprotect registered");
	rc |= good(mprotect(b + 2 * PG, 2 * PG, rw), "mprotect back");
	rc |= fails(uffd_register(u2, a, 8 * PG, UFFDIO_REGISTER_MODE_MISSING), EBUSY,
		    "register another context's");
	rc |= good(uffd_register(u1, a + 8 * PG, 4 * PG, UFFDIO_REGISTER_MODE_MISSING),
		   "register beside it");
	rc |= good(uffd_unregister(u2, a + 6 * PG, 2 * PG), "unregister part");
	m = mremap(b + 4 * PG, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, d);
	rc |= good(m == MAP_FAILED ? -1 : 0, "mremap registered");
	pid = fork();
	if (pid == 0)
		_exit(mprotect(a + 4 * PG, 2 * PG, PROT_READ) ? 1 : 0);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = 1;
	rc |= good(close(u2), "close the other");
	rc |= good(close(u1), "close");
	rc |= good(munmap(a, 16 * PG), "munmap");
	rc |= good(munmap(b, 4 * PG), "munmap");
	if (m != MAP_FAILED)
		rc |= good(munmap(m, 4 * PG), "munmap");
	return rc;
}

/*
 * uffdfork: three regions a fork leaves alike and apart, for `vmashadow
 * why`.  16 pages at UFFDFORK_ADDR, the middle 8 registered for write
 * protection with a context without UFFD_FEATURE_EVENT_FORK: three
 * regions in the parent (VM_UFFD_WP and the context keep them apart).
 * fork()'s dup_mmap() copies them one by one, and dup_userfaultfd()
 * clears the copies' flags and context: in the child, three regions that
 * no rule keeps apart, which nothing merges.  Neither process ever
 * touches the region: a fault would give a region an anon_vma, and the
 * child's copies anon_vmas of their own (forked), a reason after all.
 * The registration stays (the descriptor is kept open).  Prints
 * "uffdfork PARENT CHILD" once the child exists; both then wait to be
 * killed, the child also when the parent dies.
 */
#define UFFDFORK_ADDR 0x10000000UL

static int uffdfork(void)
{
	char *a;
	pid_t pid;
	int u;

	a = mmap((void *)UFFDFORK_ADDR, 16 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (a == MAP_FAILED || a != (char *)UFFDFORK_ADDR) {
		fprintf(stderr, "%s: mmap at %#lx: %s\n", scenario, UFFDFORK_ADDR,
			a == MAP_FAILED ? strerror(errno) : "elsewhere");
		return 1;
	}
	u = uffd_new(0);
	if (u < 0)
		return 1;
	if (good(uffd_register(u, a + 4 * PG, 8 * PG, UFFDIO_REGISTER_MODE_WP),
		 "register the middle for write protection"))
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return good(-1, "fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(0);
		for (;;)
			pause();
	}
	printf("uffdfork %d %d\n", (int)getpid(), (int)pid);
	fflush(stdout);
	for (;;)
		pause();
}

/*
 * uffdserve: calls that wait for another thread of their mm, which
 * `vmashadow trace` holds while a call runs (trace.c, loosen()).  A
 * thread serves a userfaultfd: each missing page gets a page of 'u'
 * (UFFDIO_COPY) from a page it maps at the first fault, a call of the mm
 * made while the faulting call waits; a fork's event is read and the
 * child's descriptor kept until the end.  madvise(MADV_POPULATE_WRITE)
 * of the 8 registered pages of a 12-page region waits for the server at
 * each page; so does a fork, at its UFFD_EVENT_FORK, and an mremap that
 * moves two of the pages, at its UFFD_EVENT_REMAP, to a place given and
 * then, growing two others, to one the kernel picks.  Then mprotect splits
 * the served pages and merges them back, calls the tracer mirrors and
 * checks as any other, and the server unmaps its page.
 */
static int serve_fd, serve_stop[2], serve_child_fd = -1;

static void *server_fn(void *arg)
{
	struct pollfd p[2] = {
		{ .fd = serve_fd, .events = POLLIN },
		{ .fd = serve_stop[0], .events = POLLIN },
	};
	struct uffdio_copy copy = { .len = PG };
	struct uffd_msg msg;
	char *page = NULL;

	(void)arg;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return (void *)1;
		}
		if (p[1].revents)
			return page && munmap(page, PG) ? (void *)1 : NULL;
		if (read(serve_fd, &msg, sizeof(msg)) != sizeof(msg)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return (void *)1;
		}
		if (msg.event == UFFD_EVENT_FORK) {
			serve_child_fd = (int)msg.arg.fork.ufd;
			continue;
		}
		if (msg.event == UFFD_EVENT_REMAP)
			continue;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			return (void *)1;
		if (!page) {
			page = map(PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
			if (page == MAP_FAILED)
				return (void *)1;
			memset(page, 'u', PG);
			copy.src = (unsigned long)page;
		}
		copy.dst = msg.arg.pagefault.address & ~(PG - 1);
		if (ioctl(serve_fd, UFFDIO_COPY, &copy) && errno != EEXIST)
			return (void *)1;
	}
}

static int uffdserve(void)
{
	const int rw = PROT_READ | PROT_WRITE;
	pthread_t server;
	void *served;
	int rc = 0, st;
	char *a, *d, *m, *g;
	pid_t pid;

	a = map(12 * PG, rw, MAP_PRIVATE);
	d = map(2 * PG, PROT_NONE, MAP_PRIVATE);	/* where the move goes */
	if (a == MAP_FAILED || d == MAP_FAILED || pipe(serve_stop))
		return good(-1, "setting up");
	serve_fd = uffd_new(UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP);
	/* a blocking userfaultfd polls as POLLERR, always */
	if (serve_fd < 0 || fcntl(serve_fd, F_SETFL, O_NONBLOCK))
		return 1;
	if (good(uffd_register(serve_fd, a + 2 * PG, 8 * PG, UFFDIO_REGISTER_MODE_MISSING),
		 "register 8 pages") ||
	    pthread_create(&server, NULL, server_fn, NULL))
		return 1;
	rc |= good(madvise(a + 2 * PG, 8 * PG, MADV_POPULATE_WRITE),
		   "populate the registered pages");
	if (a[2 * PG] != 'u' || a[9 * PG] != 'u')
		rc |= good(-1, "the server's pages");
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		rc |= good(-1, "fork");
	m = mremap(a + 8 * PG, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, d);
	rc |= good(m == MAP_FAILED ? -1 : 0, "mremap served pages");
	/* grown where a's next page is mapped: moved where the kernel likes */
	g = mremap(a + 2 * PG, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
	rc |= good(g == MAP_FAILED ? -1 : 0, "mremap served pages, growing");
	if (g != MAP_FAILED && (g == a + 2 * PG || g[0] != 'u' || g[PG] != 'u'))
		rc |= good(-1, "the grown pages");
	rc |= good(mprotect(a + 4 * PG, 2 * PG, PROT_READ), "mprotect served pages");
	rc |= good(mprotect(a + 4 * PG, 2 * PG, rw), "mprotect them back");
	if (write(serve_stop[1], "", 1) != 1 || pthread_join(server, &served) || served)
		rc |= good(-1, "the server");
	if (serve_child_fd < 0)
		rc |= good(-1, "the fork's event");
	else
		close(serve_child_fd);
	rc |= good(close(serve_fd), "close");
	rc |= good(munmap(a, 12 * PG), "munmap");
	rc |= good(munmap(d, 2 * PG), "munmap the moved pages");
	if (g != MAP_FAILED)
		rc |= good(munmap(g, 4 * PG), "munmap the grown pages");
	return rc;
}

/*
 * realloc: glibc's own allocator at work, as real programs use it: 240
 * rounds of realloc() (or free()) of one of 8 blocks of 128 KiB to 4 MiB,
 * above the mmap threshold, so each is an mmap, an mremap that moves or
 * grows in place, or a munmap; the block's new pages written.  Every 40
 * rounds a SysV segment attached and detached, which the tracer
 * re-imports, then a thread (its stack, perhaps an arena); every 60 a
 * page made read-only and writable again.  A fixed seed: the same calls
 * each run.
 */
static unsigned long realloc_seed = 12345;

static unsigned long realloc_rnd(void)
{
	realloc_seed = realloc_seed * 6364136223846793005UL + 1442695040888963407UL;
	return realloc_seed >> 33;
}

/* A thread that uses some of its stack. */
static void *realloc_thread(void *arg)
{
	volatile char buf[20000];
	size_t i;

	for (i = 0; i < sizeof(buf); i += 512)
		buf[i] = 1;
	return arg;
}

static int realloc_mode(void)
{
	char *p[8] = { NULL };
	size_t sz[8] = { 0 };
	int i, rc = 0;

	for (i = 0; i < 240; i++) {
		int k = (int)(realloc_rnd() % 8);
		size_t n = 128 * 1024 + realloc_rnd() % (4 << 20);
		char *q;

		if (realloc_rnd() % 5 == 0) {
			free(p[k]);
			p[k] = NULL;
			sz[k] = 0;
			continue;
		}
		q = realloc(p[k], n);
		if (!q)
			return good(-1, "realloc");
		p[k] = q;
		if (n > sz[k])
			memset(q + sz[k], i, n - sz[k] > 8192 ? 8192 : n - sz[k]);
		q[n - 1] = 1;
		sz[k] = n;
		if (i % 40 == 39) {
			pthread_t t;

			shm_once();	/* re-imported */
			if (pthread_create(&t, NULL, realloc_thread, NULL) ||
			    pthread_join(t, NULL))
				rc |= good(-1, "a thread");
		}
		if (i % 60 == 30) {
			/* the block's first page, which holds malloc's header */
			char *pg = (char *)((unsigned long)q & ~(PG - 1));

			rc |= good(mprotect(pg, PG, PROT_READ), "mprotect a block's page");
			rc |= good(mprotect(pg, PG, PROT_READ | PROT_WRITE), "mprotect it back");
		}
	}
	for (i = 0; i < 8; i++)
		free(p[i]);
	return rc;
}

/*
 * forkresync: a child's regions that it inherited faulted each have an
 * anon_vma of the fork's, which merges with no neighbour that has none
 * (is_mergeable_anon_vma()).  The tracer's shadow of a child comes from
 * FORK, exact; but once the child re-imports (a SysV segment attached),
 * the log holds that state only in its region records, and replay must
 * rebuild it forked.  The parent writes an anonymous region and a
 * private file mapping at fixed places; each of 2 children re-imports,
 * maps right below and above the anonymous one (apart: 3 regions, not
 * 1), makes a piece of it read-only, re-imports again (the pieces, one
 * anon_vma of the fork's, which the rebuild must share) and makes it
 * writable again (joined: the same anon_vma), then churns.
 *
 * forkchurn SEED: churn, then 2 children, each churning with 2 children
 * of its own, and so on 3 deep, each re-importing; run again without
 * address space randomisation first, so that a seed makes the same
 * pieces each run.
 *
 * The churn (seeded: the same calls each run): of 8 blocks, one mapped,
 * grown, shrunk or moved by mremap, written or not, a page made
 * read-only (and back, or not), or unmapped; a hole punched in one; a
 * mapping right below or above one, which offsets make join it or not;
 * a page of the file mapping made read-only or writable; a re-import.
 * Replay must rebuild the pieces these leave: moved into each other's
 * room, grown over each other's offsets, two of one offset.
 */
#define FORK_ADDR 0x240000000000UL
#define FORK_BLOCKS 8

static unsigned long fork_seed = 99;
static char *fork_file;		/* 16 pages, private */

static unsigned long fork_rnd(void)
{
	fork_seed = fork_seed * 6364136223846793005UL + 1442695040888963407UL;
	return fork_seed >> 33;
}

static void fork_churn_block(char **p, size_t *sz, int k)
{
	size_t n = (1 + fork_rnd() % 48) * PG, off;
	char *q = sz[k] ? mremap(p[k], sz[k], n, MREMAP_MAYMOVE) :
		  map(n, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	if (q == MAP_FAILED)
		return;
	p[k] = q;
	sz[k] = n;
	if (fork_rnd() % 2)
		q[0] = 1;
	off = (1 + fork_rnd() % (n / PG)) * PG;
	if (off < n && fork_rnd() % 3 == 0) {
		mprotect(q + off, PG, PROT_READ);
		if (fork_rnd() % 2)
			mprotect(q + off, PG, PROT_READ | PROT_WRITE);
	}
	if (fork_rnd() % 9 == 0) {
		munmap(p[k], sz[k]);
		sz[k] = 0;
	}
}

static void fork_churn(char **p, size_t *sz, int rounds)
{
	int i;

	for (i = 0; i < rounds; i++) {
		int k = (int)(fork_rnd() % FORK_BLOCKS);
		char *at;

		switch (fork_rnd() % 10) {
		case 0:
			shm_once();
			break;
		case 1:
			if (sz[k] > 2 * PG)
				munmap(p[k] + PG, PG);
			break;
		case 2:
			mprotect(fork_file + fork_rnd() % 16 * PG, PG,
				 fork_rnd() % 2 ? PROT_READ : PROT_READ | PROT_WRITE);
			(void)*(volatile char *)(fork_file + fork_rnd() % 16 * PG);
			break;
		case 3:
			if (!sz[k])
				break;
			at = fork_rnd() % 2 ? p[k] - 2 * PG : p[k] + sz[k];
			mmap(at, 2 * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			break;
		default:
			fork_churn_block(p, sz, k);
		}
	}
}

/* A file mapping for the churn to change: 0, or -1. */
static int fork_map_file(void)
{
	int fd = open("/proc/self/exe", O_RDONLY);

	fork_file = fd < 0 ? MAP_FAILED : mmap((void *)(FORK_ADDR + 32 * PG), 16 * PG,
					       PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
	if (fd >= 0)
		close(fd);
	if (fork_file == MAP_FAILED)
		return good(-1, "mmap the file");
	fork_file[0] = fork_file[8 * PG] = 1;
	return 0;
}

static int fork_child(char *a, char **p, size_t *sz)
{
	const int rw = PROT_READ | PROT_WRITE;
	int rc = 0;

	shm_once();
	rc |= good(map_at(FORK_ADDR, 2 * PG, rw) == MAP_FAILED ? -1 : 0, "mmap below");
	rc |= good(map_at(FORK_ADDR + 10 * PG, 2 * PG, rw) == MAP_FAILED ? -1 : 0,
		   "mmap above");
	rc |= good(mprotect(a + 2 * PG, 2 * PG, PROT_READ), "mprotect a piece");
	shm_once();
	rc |= good(mprotect(a + 2 * PG, 2 * PG, rw), "mprotect it back");
	fork_churn(p, sz, 40);
	shm_once();
	fork_churn(p, sz, 40);
	return rc;
}

/* Wait for the child @pid: 0, or 1 if it failed. */
static int fork_reap(pid_t pid)
{
	int st;

	if (pid < 0)
		return good(-1, "fork");
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return good(-1, "the child");
	return 0;
}

static int fork_resync(void)
{
	const int rw = PROT_READ | PROT_WRITE;
	char *p[FORK_BLOCKS] = { NULL }, *a;
	size_t sz[FORK_BLOCKS] = { 0 };
	int c, rc = 0;

	a = map_at(FORK_ADDR + 2 * PG, 8 * PG, rw);
	if (a == MAP_FAILED)
		return good(-1, "mmap");
	if (fork_map_file())
		return 1;
	memset(a, 1, 8 * PG);
	rc |= good(mprotect(fork_file + 4 * PG, 2 * PG, PROT_READ), "mprotect the file's pages");
	fork_churn(p, sz, 60);
	for (c = 0; c < 2; c++) {
		pid_t pid = fork();

		if (!pid)
			_exit(fork_child(a, p, sz));
		fork_churn(p, sz, 30);
		shm_once();
		rc |= fork_reap(pid);
	}
	rc |= good(munmap(fork_file, 16 * PG), "munmap the file");
	return rc | good(munmap(a, 8 * PG), "munmap");
}

/* forkchurn: 2 children at each level, 3 levels deep. */
static int fork_tree(char **p, size_t *sz, int depth)
{
	int c, rc = 0;

	for (c = 0; c < 2; c++) {
		pid_t pid = fork();

		if (!pid) {
			fork_churn(p, sz, 30);
			shm_once();
			if (depth < 2)
				rc = fork_tree(p, sz, depth + 1);
			fork_churn(p, sz, 30);
			_exit(rc);
		}
		fork_churn(p, sz, 20);
		rc |= fork_reap(pid);
	}
	return rc;
}

static int fork_churn_mode(char **argv)
{
	char *p[FORK_BLOCKS] = { NULL };
	size_t sz[FORK_BLOCKS] = { 0 };
	int pers = personality(0xffffffff);

	/* the same places each run, and so the same pieces: no ASLR */
	if ((!argv[2] || !argv[3] || strcmp(argv[3], "aslr")) &&
	    pers != -1 && !(pers & ADDR_NO_RANDOMIZE) &&
	    personality((unsigned long)pers | ADDR_NO_RANDOMIZE) != -1) {
		execv("/proc/self/exe", argv);
		return good(-1, "execv");
	}
	fork_seed = argv[2] ? strtoul(argv[2], NULL, 0) : 1;
	if (fork_map_file())
		return 1;
	fork_churn(p, sz, 60);
	return fork_tree(p, sz, 0);
}

/*
 * collapse: madvise(MADV_COLLAPSE), which the module has no answer for
 * (vd_advice_modelled()): a written 4 MiB region, 2 MiB aligned, is
 * collapsed; then a page of it is made read-only and writable again,
 * mirrored and checked as usual.
 */
static int collapse(void)
{
	const int rw = PROT_READ | PROT_WRITE;
	const unsigned long mb2 = 2UL << 20;
	int rc = 0;
	char *p, *a;

	p = map(4 * mb2, rw, MAP_PRIVATE);
	if (p == MAP_FAILED)
		return 1;
	a = (char *)(((unsigned long)p + mb2 - 1) & ~(mb2 - 1));
	memset(a, 1, 2 * mb2);
	madvise(a, 2 * mb2, 25);	/* MADV_COLLAPSE: 0, or not, as it may */
	rc |= good(mprotect(a + PG, PG, PROT_READ), "mprotect a page of it");
	rc |= good(mprotect(a + PG, PG, rw), "mprotect it back");
	return rc | good(munmap(p, 4 * mb2), "munmap");
}

/*
 * hidden: regions kept apart by vm_flags the maps do not show, across a
 * re-import.  Each of eight regions of 3 pages has one advice given to
 * its middle page (MADV_DONTFORK, DONTDUMP, WIPEONFORK, HUGEPAGE,
 * NOHUGEPAGE, MERGEABLE, SEQUENTIAL, RANDOM): three regions each, or one
 * where the kernel refuses the advice.  On 6.12 a MAP_DROPPABLE region
 * beside an ordinary one, and a sealed middle page.  Then a shmat() of
 * a SysV segment, which the shadow has no operation for: re-imported, so
 * the log gives the state as region records, the segment's with
 * VM_CLOSE_OP.  Then each middle page is made read-only and writable
 * again, which merges it back only with the neighbours its hidden flags
 * agree with; last, shmdt().  Besides, anon_vmas that regions share: two
 * pieces of a faulted region with a hole between, and a faulted region
 * whose top half was moved away; after the re-import the hole is mapped
 * again (one region of three: the pieces share their anon_vma) and the
 * half moved back (one region of two).  And the opposite: two neighbours
 * alike, offsets following on, each faulted with an anon_vma of its own
 * (VM_DONTCOPY on one while the other faulted): they stay two, and an
 * mprotect over both leaves them two.  And a region with an anon_vma of
 * its own in the hole between two pieces of another: after the re-import
 * it is unmapped and the hole mapped again, which joins the pieces.  And
 * two pieces of a written private file mapping around a hole, which
 * mapping the file's pages there again joins.  And an unfaulted region
 * in the hole of a group, beside a read-only piece.  And a faulted region
 * whose lower half was moved away growing, so that two pieces of one
 * anon_vma hold the same offsets, and the same where the half that
 * stayed grew in place, or where the half moved down grew in place back
 * over where it began, or a piece moved down into the hole in a
 * region's middle.  And two written pieces of a private file mapping
 * with an anon_vma each.  And a region, and a group's piece, moved away
 * from where they began, which a mapping has taken since.
 */
static int hidden_flags(void)
{
	static const int advice[] = {
		MADV_DONTFORK, MADV_DONTDUMP, MADV_WIPEONFORK, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, MADV_MERGEABLE, MADV_SEQUENTIAL, MADV_RANDOM,
	};
	const int rw = PROT_READ | PROT_WRITE;
	char *r[8], *c, *d, *e, *g, *h, *k, *o, *p, *q, *t, *u, *v, *w, *x, *y;
	unsigned int i;
	int rc = 0, id, fd;
	void *shm;

	for (i = 0; i < 8; i++) {
		r[i] = map(3 * PG, rw, MAP_PRIVATE);
		if (r[i] == MAP_FAILED)
			return 1;
		r[i][0] = 1;
		madvise(r[i] + PG, PG, advice[i]);	/* may be refused */
	}
	/* 6.12: MAP_DROPPABLE (0x08), mseal(2); 6.1 refuses both */
	d = mmap(NULL, 2 * PG, rw, 0x08 | MAP_ANONYMOUS, -1, 0);
	if (d != MAP_FAILED)
		mmap(d + 2 * PG, 2 * PG, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	syscall(462, r[0] + 2 * PG, PG, 0);	/* mseal */
	/* apart from the rest, whose anon_vma a fault beside it would take */
	q = map_at(0x310000000000UL, 4 * PG, rw);
	if (q == MAP_FAILED)
		return 1;
	madvise(q + 2 * PG, 2 * PG, MADV_DONTFORK);
	q[0] = 1;
	q[2 * PG] = 1;
	madvise(q + 2 * PG, 2 * PG, MADV_DOFORK);
	w = map_at(0x320000000000UL, 5 * PG, rw);
	if (w == MAP_FAILED)
		return 1;
	w[0] = 1;
	rc |= good(munmap(w + 2 * PG, PG), "munmap a faulted region's middle");
	/*
	 * Apart from both pieces as it is mapped (read-only) and written
	 * (VM_DONTCOPY, which find_mergeable_anon_vma() does not overlook
	 * as it does the access flags): an anon_vma of its own.
	 */
	rc |= good(mmap(w + 2 * PG, PG, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ?
		   -1 : 0, "mmap between the pieces");
	madvise(w + 2 * PG, PG, MADV_DONTFORK);
	rc |= good(mprotect(w + 2 * PG, PG, rw), "mprotect it writable");
	w[2 * PG] = 1;
	rc |= good(madvise(w + 2 * PG, PG, MADV_DOFORK), "make it like them");
	/*
	 * Pieces around a hole, one read-only, and an unfaulted region in
	 * the hole beside that one: [0,2) rw, hole, [3,4) rw unfaulted,
	 * [4,5) r--, [5,6) rw, the pieces sharing one anon_vma.
	 */
	y = map_at(0x340000000000UL, 6 * PG, rw);
	if (y == MAP_FAILED)
		return 1;
	y[0] = 1;
	rc |= good(mprotect(y + 4 * PG, PG, PROT_READ), "mprotect a written region's page");
	rc |= good(munmap(y + 2 * PG, 2 * PG), "munmap two pages below it");
	rc |= good(mmap(y + 3 * PG, PG, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		   MAP_FAILED ? -1 : 0, "mmap the upper one again");
	/* the same with a file: the program's own, written privately */
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd < 0)
		return good(-1, "open /proc/self/exe");
	x = mmap((void *)0x330000000000UL, 5 * PG, rw,
		 MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
	if (x == MAP_FAILED)
		return good(-1, "mmap a file privately");
	x[0] = 1;
	rc |= good(munmap(x + 2 * PG, PG), "munmap a written file region's middle");
	/*
	 * A faulted region whose lower half moves away growing to four
	 * pages: the grown piece's offsets run on into those of the half
	 * that stayed, both sharing one anon_vma.
	 */
	v = map_at(0x350000000000UL, 4 * PG, rw);
	if (v == MAP_FAILED)
		return 1;
	v[0] = 1;
	rc |= good(mremap(v, 2 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			  (void *)0x360000000000UL) == MAP_FAILED ? -1 : 0,
		   "mremap a faulted region's bottom away, growing");
	/*
	 * Where a moved region began, taken since: a region moved away whole
	 * (o), and a piece of a group of three moved away (p's lowest), each
	 * with a read-only page mapped where it was.
	 */
	o = map_at(0x370000000000UL, 4 * PG, rw);
	p = map_at(0x390000000000UL, 4 * PG, rw);
	if (o == MAP_FAILED || p == MAP_FAILED)
		return 1;
	o[0] = 1;
	p[0] = 1;
	rc |= good(mprotect(p + PG, PG, PROT_READ), "mprotect a group's page");
	rc |= good(mremap(o, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			  (void *)0x380000000000UL) == MAP_FAILED ? -1 : 0,
		   "mremap a faulted region away");
	rc |= good(mremap(p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			  (void *)0x3a0000000000UL) == MAP_FAILED ? -1 : 0,
		   "mremap a group's piece away");
	rc |= good(mmap(o, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		   MAP_FAILED ? -1 : 0, "mmap where the region was");
	rc |= good(mmap(p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		   MAP_FAILED ? -1 : 0, "mmap where the piece was");
	/*
	 * A faulted region's upper half moved away growing, and the lower
	 * half then grown in place into the room it left (glibc's realloc()
	 * does both): their offsets overlap, the one in place the lower.
	 */
	u = map_at(0x3b0000000000UL, 8 * PG, rw);
	if (u == MAP_FAILED)
		return 1;
	u[0] = 1;
	rc |= good(mremap(u + 4 * PG, 4 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			  (void *)0x3c0000000000UL) == MAP_FAILED ? -1 : 0,
		   "mremap a faulted region's top away, growing");
	rc |= good(mremap(u, 4 * PG, 6 * PG, 0) == MAP_FAILED ? -1 : 0,
		   "mremap its bottom larger in place");
	/*
	 * The other way round: the lower half moved down, growing, then
	 * grown in place back over where it began, so that it is made from
	 * pages of the region that its own place now covers.
	 */
	t = map_at(0x3d0000000000UL, 8 * PG, rw);
	if (t == MAP_FAILED)
		return 1;
	t[0] = 1;
	rc |= good(mremap(t, 4 * PG, 6 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, t - 6 * PG) ==
		   MAP_FAILED ? -1 : 0, "mremap a faulted region's bottom down, growing");
	rc |= good(mremap(t - 6 * PG, 6 * PG, 8 * PG, 0) == MAP_FAILED ? -1 : 0,
		   "mremap it larger in place, over where it was");
	/*
	 * Two written pieces of a private file mapping with an anon_vma each
	 * (VM_DONTCOPY on one while the other was written), as a fork leaves
	 * a child's: a fault beside the first would take its anon_vma.
	 */
	e = mmap((void *)0x3e0000000000UL, 2 * PG, rw, MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
	if (e == MAP_FAILED)
		return good(-1, "mmap a file privately, again");
	madvise(e + PG, PG, MADV_DONTFORK);
	e[0] = 1;
	e[PG] = 1;
	rc |= good(madvise(e + PG, PG, MADV_DOFORK), "make the file's pieces alike");
	/*
	 * A group whose top piece moved down into the hole in its middle,
	 * clear of what its bottom piece holds of the region.
	 */
	c = map_at(0x3f0000000000UL, 16 * PG, rw);
	if (c == MAP_FAILED)
		return 1;
	c[0] = 1;
	rc |= good(munmap(c + 4 * PG, 8 * PG), "munmap a faulted region's middle");
	rc |= good(mremap(c + 12 * PG, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			  c + 6 * PG) == MAP_FAILED ? -1 : 0, "mremap its top down into the hole");
	g = map(3 * PG, rw, MAP_PRIVATE);
	h = map(4 * PG, rw, MAP_PRIVATE);
	k = map(2 * PG, PROT_NONE, MAP_PRIVATE);	/* where h's top goes */
	if (g == MAP_FAILED || h == MAP_FAILED || k == MAP_FAILED)
		return 1;
	g[0] = 1;
	h[0] = 1;
	rc |= good(munmap(g + PG, PG), "munmap a faulted region's middle");
	rc |= good(mremap(h + 2 * PG, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, k) ==
		   MAP_FAILED ? -1 : 0, "mremap a faulted region's top away");
	id = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	if (id < 0)
		return good(-1, "shmget");
	/* far from the holes below, which shmat(NULL) could pick */
	shm = shmat(id, (void *)0x300000000000UL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (shm == (void *)-1)
		return good(-1, "shmat");
	for (i = 1; i < 8; i++) {
		rc |= good(mprotect(r[i] + PG, PG, PROT_READ), "mprotect the middle");
		rc |= good(mprotect(r[i] + PG, PG, rw), "mprotect it back");
	}
	rc |= good(mmap(g + PG, PG, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		   MAP_FAILED ? -1 : 0, "mmap the hole again");
	rc |= good(mremap(k, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, h + 2 * PG) ==
		   MAP_FAILED ? -1 : 0, "mremap the top back");
	rc |= good(mprotect(q, 4 * PG, PROT_READ), "mprotect two with an anon_vma each");
	rc |= good(munmap(w + 2 * PG, PG), "munmap the region between the pieces");
	rc |= good(mmap(w + 2 * PG, PG, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		   MAP_FAILED ? -1 : 0, "map it again");
	rc |= good(mmap(x + 2 * PG, PG, rw, MAP_PRIVATE | MAP_FIXED, fd, 2 * PG) ==
		   MAP_FAILED ? -1 : 0, "map the file's hole again");
	/* the moved region's offsets decide whether a neighbour joins it */
	rc |= good(map_at(0x380000000000UL + 4 * PG, 4 * PG, rw) == MAP_FAILED ? -1 : 0,
		   "mmap beside the moved region");
	rc |= good(mprotect((char *)0x380000000000UL + 2 * PG, 4 * PG, PROT_READ),
		   "mprotect across the two");
	rc |= good(mprotect((char *)0x380000000000UL + 2 * PG, 4 * PG, rw),
		   "mprotect them back");
	/* the piece back where it began: the group is one region again */
	rc |= good(munmap(p, PG), "munmap where the piece was");
	rc |= good(mremap((void *)0x3a0000000000UL, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, p) ==
		   MAP_FAILED ? -1 : 0, "mremap the piece back");
	rc |= good(mprotect(p + PG, PG, rw), "mprotect the group's page back");
	close(fd);
	return rc | good(shmdt(shm), "shmdt");
}

/*
 * inject [mbind|uffd]: a layout at fixed addresses for `vmashadow trace
 * --inject`, whose scripts name them.  The mirrored calls, in order (A is
 * INJECT_ADDR, P a page):
 *
 *	1  mmap A, 4P rw-; then a write to A: an anon_vma
 *	2  mprotect A+2P, 2P r--: two regions that share it
 *	3  mmap B = A+16P, 2P rw-, never written
 *	4  mmap C = A+32P, 2P rw-
 *	   mbind: 5  mbind C, MPOL_PREFERRED node 0
 *	   uffd:  5, 6  mmap E = A+48P, 2P rw- and E+2P, 2P r--, both
 *		  then registered with one userfaultfd (re-imported, not
 *		  counted)
 *	then ten rounds of mmap and munmap of D = A+64P, 1P
 */
#define INJECT_ADDR 0x200000000000UL

static int inject_layout(const char *variant)
{
	const int rw = PROT_READ | PROT_WRITE;
	unsigned long node0 = 1;
	char *a;
	int i, rc = 0, u;

	a = map_at(INJECT_ADDR, 4 * PG, rw);
	if (a == MAP_FAILED)
		return good(-1, "mmap A");
	a[0] = 1;
	rc |= good(mprotect(a + 2 * PG, 2 * PG, PROT_READ), "mprotect A+2P");
	rc |= good(map_at(INJECT_ADDR + 16 * PG, 2 * PG, rw) == MAP_FAILED ? -1 : 0,
		   "mmap B");
	rc |= good(map_at(INJECT_ADDR + 32 * PG, 2 * PG, rw) == MAP_FAILED ? -1 : 0,
		   "mmap C");
	if (variant && !strcmp(variant, "mbind"))
		rc |= good(mbind_(a + 32 * PG, 2 * PG, MPOL_PREFERRED_, &node0, 65, 0),
			   "mbind C");
	if (variant && !strcmp(variant, "uffd")) {
		rc |= good(map_at(INJECT_ADDR + 48 * PG, 2 * PG, rw) == MAP_FAILED ? -1 : 0,
			   "mmap E");
		rc |= good(map_at(INJECT_ADDR + 50 * PG, 2 * PG, PROT_READ) == MAP_FAILED ?
			   -1 : 0, "mmap E+2P");
		u = uffd_new(0);
		if (u < 0)
			return 1;
		rc |= good(uffd_register(u, a + 48 * PG, 4 * PG, UFFDIO_REGISTER_MODE_MISSING),
			   "register E");
	}
	for (i = 0; i < 10 && !rc; i++) {
		rc |= good(map_at(INJECT_ADDR + 64 * PG, PG, rw) == MAP_FAILED ? -1 : 0,
			   "mmap D");
		rc |= good(munmap(a + 64 * PG, PG), "munmap D");
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "work")) {
		work();
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "threads"))
		return threads(argc > 2 ? atoi(argv[2]) : 4);
	self_path = argv[0];
	if (argc > 1 && !strcmp(argv[1], "threadexit"))
		return threadend(1);
	if (argc > 1 && !strcmp(argv[1], "threadexec"))
		return threadend(2);
	if (argc > 1 && !strcmp(argv[1], "stopcont"))
		return stopcont();
	if (argc > 1 && !strcmp(argv[1], "clonevm"))
		return clonevm(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "forkexec"))
		return forkexec(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "maxmap"))
		return maxmap();
	if (argc > 1)
		scenario = argv[1];
	if (argc > 1 && !strcmp(argv[1], "mlock"))
		return locks();
	if (argc > 1 && !strcmp(argv[1], "mlockns"))
		return locks_userns();
	if (argc > 1 && !strcmp(argv[1], "data"))
		return datas();
	if (argc > 1 && !strcmp(argv[1], "shmem"))
		return shmem(argc > 2 && !strcmp(argv[2], "resync"));
	if (argc > 1 && !strcmp(argv[1], "mbind"))
		return policies();
	if (argc > 1 && !strcmp(argv[1], "homenode"))
		return home_nodes();
	if (argc > 1 && !strcmp(argv[1], "mpolresync"))
		return policy_resync();
	if (argc > 1 && !strcmp(argv[1], "uffd"))
		return uffds();
	if (argc > 1 && !strcmp(argv[1], "uffdfork"))
		return uffdfork();
	if (argc > 1 && !strcmp(argv[1], "uffdserve"))
		return uffdserve();
	if (argc > 1 && !strcmp(argv[1], "realloc"))
		return realloc_mode();
	if (argc > 1 && !strcmp(argv[1], "forkresync"))
		return fork_resync();
	if (argc > 1 && !strcmp(argv[1], "forkchurn"))
		return fork_churn_mode(argv);
	if (argc > 1 && !strcmp(argv[1], "collapse"))
		return collapse();
	if (argc > 1 && !strcmp(argv[1], "hidden"))
		return hidden_flags();
	if (argc > 1 && !strcmp(argv[1], "inject"))
		return inject_layout(argc > 2 ? argv[2] : NULL);
	fprintf(stderr, "usage: %s work|threads N|threadexit|threadexec|stopcont|clonevm|"
		"forkexec|maxmap|mlock|mlockns|data|shmem|mbind|homenode|mpolresync|uffd|"
		"uffdfork|uffdserve|realloc|forkresync|forkchurn SEED [aslr]|collapse|hidden|"
		"inject [mbind|uffd]\n",
		argv[0]);
	return 2;
}
