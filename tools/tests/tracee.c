// SPDX-License-Identifier: GPL-2.0
/*
 * tracee.c - programs for vmashadow-trace.sh to trace (static; the VM's
 * /bin/vmashadow-tracee):
 *
 *   vmashadow-tracee work       mixed mmap/munmap/mprotect/mremap/brk/madvise
 *                               with write faults between them, a file mapped
 *   vmashadow-tracee threads N  N threads mapping, faulting and unmapping
 *   vmashadow-tracee forkexec   fork; the child works, then execs `work`
 *   vmashadow-tracee maxmap     split regions until max_map_count says ENOMEM
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

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

static void *thread_fn(void *arg)
{
	long i, id = (long)arg;

	for (i = 0; i < 20; i++) {
		char *p = mmap(NULL, (size_t)(i % 4 + 1) * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return NULL;
		p[0] = (char)id;
		if (i % 3 == 0)
			mprotect(p, PG, PROT_READ);
		if (i % 2)
			munmap(p, (size_t)(i % 4 + 1) * PG);
	}
	return NULL;
}

static int threads(int n)
{
	pthread_t t[16];
	int i;

	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, thread_fn, (void *)(long)i);
	thread_fn((void *)99L);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
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

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "work")) {
		work();
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "threads"))
		return threads(argc > 2 ? atoi(argv[2]) : 4);
	if (argc > 1 && !strcmp(argv[1], "forkexec"))
		return forkexec(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "maxmap"))
		return maxmap();
	fprintf(stderr, "usage: %s work|threads N|forkexec|maxmap\n", argv[0]);
	return 2;
}
