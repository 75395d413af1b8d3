/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vms_test.h: helpers shared by the vmashadow selftests.
 *
 * Every test does an operation twice: for real in its own address space and
 * on the shadow of a fresh /dev/vmashadow descriptor.  It then compares the
 * real /proc/self/maps with the shadow's read() output, restricted to a
 * window far from everything else the process maps.  The shadow of a fresh
 * descriptor is empty, so it models exactly that window.
 *
 * No stdio and no malloc happen between the real calls and the reading of
 * /proc/self/maps: both could change the very maps being compared.  The
 * maps are read with open/read into static buffers.
 */
#ifndef _VMS_TEST_H
#define _VMS_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "ioctl.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define VMS_PS		4096UL
/* The window: far from the binary, the heap, mmap_base and the stack. */
#define VMS_WIN		0x200000000000UL
#define VMS_WIN_PAGES	1024UL
#define PG(n)		(VMS_WIN + (unsigned long)(n) * VMS_PS)
#define PGS(n)		((unsigned long)(n) * VMS_PS)

#define VMS_MAPS_SIZE	(256 * 1024)

static char vms_real_maps[VMS_MAPS_SIZE];
static char vms_shadow_maps[VMS_MAPS_SIZE];
static char vms_real_win[VMS_MAPS_SIZE];
static char vms_shadow_win[VMS_MAPS_SIZE];
static char vms_real_layout[16384];
static char vms_shadow_layout[16384];

/* The shadow descriptor of the running test (each test runs in a fork). */
static int vms_fd = -1;

static inline int vms_open(void)
{
	vms_fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	return vms_fd < 0 ? -errno : vms_fd;
}

static inline long vms_ioctl(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Which kernel runs: 61 for 6.1.y, 612 for 6.12.y, 0 for anything else. */
static inline int vms_kernel(void)
{
	struct utsname u;

	if (uname(&u))
		return 0;
	if (!strncmp(u.release, "6.1.", 4) || !strncmp(u.release, "6.1-", 4))
		return 61;
	if (!strncmp(u.release, "6.12.", 5) || !strncmp(u.release, "6.12-", 5))
		return 612;
	return 0;
}

static inline int vms_rules_of_kernel(void)
{
	switch (vms_kernel()) {
	case 61:
		return VMASHADOW_RULES_6_1;
	case 612:
		return VMASHADOW_RULES_6_12;
	}
	return 0;
}

#include "vms_shadow.h"

/* ---- the real side ------------------------------------------------------ */

static inline long vms_real_map(unsigned long addr, unsigned long len, int prot,
				int flags, int file, unsigned long off,
				unsigned long *out)
{
	void *p = mmap((void *)addr, len, prot, flags, file, off);

	if (p == MAP_FAILED)
		return -errno;
	if (out)
		*out = (unsigned long)p;
	return 0;
}

static inline long vms_real_unmap(unsigned long addr, unsigned long len)
{
	return munmap((void *)addr, len) ? -errno : 0;
}

static inline long vms_real_protect(unsigned long addr, unsigned long len, int prot)
{
	return mprotect((void *)addr, len, prot) ? -errno : 0;
}

static inline void vms_real_touch(unsigned long addr)
{
	*(volatile char *)addr = 1;
}

/* ---- both ---------------------------------------------------------------- */

struct vms_res {
	long real;
	long shadow;
	unsigned long raddr;	/* MAP: where the real mapping landed */
	unsigned long saddr;	/* MAP: where the shadow says it landed */
};

static inline struct vms_res vms_both_map(unsigned long addr, unsigned long len,
					  int prot, int flags, int file,
					  unsigned long off)
{
	struct vms_res r = { 0 };

	r.real = vms_real_map(addr, len, prot, flags, file, off, &r.raddr);
	r.shadow = vms_shadow_map(vms_fd, addr, len, prot, flags, file, off,
				  &r.saddr);
	return r;
}

static inline struct vms_res vms_both_unmap(unsigned long addr, unsigned long len)
{
	struct vms_res r = { 0 };

	r.real = vms_real_unmap(addr, len);
	r.shadow = vms_shadow_unmap(vms_fd, addr, len);
	return r;
}

static inline struct vms_res vms_both_protect(unsigned long addr,
					      unsigned long len, int prot)
{
	struct vms_res r = { 0 };

	r.real = vms_real_protect(addr, len, prot);
	r.shadow = vms_shadow_protect(vms_fd, addr, len, prot);
	return r;
}

static inline struct vms_res vms_both_touch(unsigned long addr)
{
	struct vms_res r = { 0 };

	vms_real_touch(addr);
	r.shadow = vms_shadow_touch(vms_fd, addr);
	return r;
}

/* ---- maps ------------------------------------------------------------------ */

/* Reads a whole file (or the shadow fd from offset 0) into @buf. */
static inline long vms_read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		if (n + 1 >= size)
			return -ENOSPC;
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	return n;
}

/* Reads the whole file at @path into @buf: its length or -errno. */
static inline long vms_read_path(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long ret;

	if (fd < 0)
		return -errno;
	ret = vms_read_all(fd, buf, size);
	close(fd);
	return ret;
}

static inline long vms_read_real_maps(void)
{
	return vms_read_path("/proc/self/maps", vms_real_maps,
			     sizeof(vms_real_maps));
}

/*
 * A "Key:   N kB" line of /proc/self/status, in kB (VmSize, VmData,
 * VmLck, ...), or a negative errno.
 */
static inline long vms_status_kb(const char *key)
{
	static char status[8192];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	char line[64];
	const char *p;
	long ret, kb = 0;

	if (fd < 0)
		return -errno;
	ret = vms_read_all(fd, status, sizeof(status));
	close(fd);
	if (ret < 0)
		return ret;
	/* never the first line, which is Name: */
	snprintf(line, sizeof(line), "\n%s:", key);
	p = strstr(status, line);
	if (!p)
		return -ENOENT;
	for (p += strlen(line); *p == ' ' || *p == '\t'; p++)
		;
	for (; *p >= '0' && *p <= '9'; p++)
		kb = kb * 10 + *p - '0';
	return kb;
}

/* The same in pages. */
static inline long vms_status_pages(const char *key)
{
	long kb = vms_status_kb(key);

	return kb < 0 ? kb : kb / (long)(VMS_PS / 1024);
}

/*
 * Field @n of /proc/self/stat, counted from 1 as in proc(5) (45
 * start_data, 46 end_data, 47 start_brk), or 0.
 */
static inline unsigned long vms_stat_field(int n)
{
	static char buf[4096];
	unsigned long v = 0;
	int fd, field = 2;
	long len;
	char *p;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = vms_read_all(fd, buf, sizeof(buf));
	close(fd);
	if (len <= 0)
		return 0;
	/* comm may hold spaces and parens: count from the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (p++; *p && field < n; p++)
		if (*p == ' ')
			field++;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + *p++ - '0';
	return v;
}

static inline long vms_read_shadow_maps(int fd)
{
	/* Every read starts from the top: the shadow is one seq file. */
	lseek(fd, 0, SEEK_SET);
	return vms_read_all(fd, vms_shadow_maps, sizeof(vms_shadow_maps));
}

/*
 * Copies the lines of @maps whose start lies in [lo, hi) to @out.  Shared
 * anonymous lines get their inode replaced by '#' and the padding after it
 * cut to one space: it is a new shmem inode per mapping, which the shadow
 * cannot predict.
 */
static inline void vms_filter(const char *maps, unsigned long lo,
			      unsigned long hi, char *out, size_t size)
{
	const char *line = maps;
	size_t n = 0;

	out[0] = '\0';
	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *p = line;
		size_t len = eol ? (size_t)(eol - line + 1) : strlen(line);
		unsigned long start = vms_hex(&p);

		if (start >= lo && start < hi && n + len + 1 < size) {
			const char *shm = strstr(line, "/dev/zero (deleted)");

			if (shm && shm < line + len) {
				/* start-end perms offset dev inode: 5th field */
				const char *f = line;
				int i;

				for (i = 0; i < 4; i++) {
					f = strchr(f, ' ');
					while (*f == ' ')
						f++;
				}
				memcpy(out + n, line, f - line);
				n += f - line;
				/*
				 * The padding to column 73 depends on the
				 * inode's digits: keep one space.
				 */
				out[n++] = '#';
				out[n++] = ' ';
				while (*f != ' ')
					f++;
				while (*f == ' ')
					f++;
				memcpy(out + n, f, line + len - f);
				n += line + len - f;
			} else {
				memcpy(out + n, line, len);
				n += len;
			}
			out[n] = '\0';
		}
		if (!eol)
			break;
		line = eol + 1;
	}
}

/*
 * Takes a snapshot of both sides: the real maps first (nothing happens
 * between the last real call and this read), then the shadow's.
 */
static inline long vms_snapshot(void)
{
	long ret = vms_read_real_maps();

	if (ret < 0)
		return ret;
	ret = vms_read_shadow_maps(vms_fd);
	if (ret < 0)
		return ret;
	vms_filter(vms_real_maps, VMS_WIN, PG(VMS_WIN_PAGES), vms_real_win,
		   sizeof(vms_real_win));
	vms_filter(vms_shadow_maps, VMS_WIN, PG(VMS_WIN_PAGES), vms_shadow_win,
		   sizeof(vms_shadow_win));
	vms_layout(vms_real_win, vms_real_layout, sizeof(vms_real_layout));
	vms_layout(vms_shadow_win, vms_shadow_layout, sizeof(vms_shadow_layout));
	return 0;
}

/* ---- assertions ------------------------------------------------------------ */

/*
 * One operation on both sides: both return @expect, and the shadow's
 * structure validates.
 */
#define VMS_CHECK_RES(expect, r) do {					\
	struct vms_res __r = (r);					\
	ASSERT_EQ((long)(expect), __r.real)				\
		TH_LOG("real call gave %ld, expected %ld",		\
		       __r.real, (long)(expect));			\
	ASSERT_EQ(__r.real, __r.shadow)					\
		TH_LOG("shadow gave %ld, real %ld", __r.shadow, __r.real); \
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

#define MAP(expect, pg, npg, prot, flags)				\
	VMS_CHECK_RES(expect, vms_both_map(PG(pg), PGS(npg), prot,	\
			(flags) | MAP_PRIVATE | MAP_ANONYMOUS |		\
			((flags) & MAP_FIXED_NOREPLACE ? 0 : MAP_FIXED), -1, 0))
#define MAPS(expect, pg, npg, prot)				\
	VMS_CHECK_RES(expect, vms_both_map(PG(pg), PGS(npg), prot,	\
			MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0))
#define MAPF(expect, pg, npg, prot, flags, file, offpg)		\
	VMS_CHECK_RES(expect, vms_both_map(PG(pg), PGS(npg), prot,	\
			(flags) | MAP_FIXED, file, PGS(offpg)))
#define UNMAP(expect, pg, npg)						\
	VMS_CHECK_RES(expect, vms_both_unmap(PG(pg), PGS(npg)))
#define PROTECT(expect, pg, npg, prot)					\
	VMS_CHECK_RES(expect, vms_both_protect(PG(pg), PGS(npg), prot))
#define TOUCH(pg) VMS_CHECK_RES(0, vms_both_touch(PG(pg)))

/*
 * The window holds exactly @want (real kernel), the shadow shows the same
 * layout, and its lines equal the real ones byte for byte.
 */
#define CHECK_LAYOUT(want) do {						\
	ASSERT_EQ(0, vms_snapshot());					\
	EXPECT_STREQ(want, vms_real_layout)				\
		TH_LOG("real maps:\n%s", vms_real_win);			\
	ASSERT_STREQ(want, vms_shadow_layout)				\
		TH_LOG("real:\n%sshadow:\n%s", vms_real_win, vms_shadow_win); \
	ASSERT_STREQ(vms_real_win, vms_shadow_win)			\
		TH_LOG("real:\n%sshadow:\n%s", vms_real_win, vms_shadow_win); \
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

/* Open the shadow and make sure it starts empty. */
#define VMS_SETUP() do {						\
	ASSERT_LE(0, vms_open())					\
		TH_LOG("open /dev/vmashadow: %s", strerror(errno));	\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
	CHECK_LAYOUT("");						\
} while (0)

/* ---- queries -------------------------------------------------------------- */

/*
 * The last MAP or PROTECT went through vma_merge()'s case @n of the 6.1
 * diagram (0: no merge).  The numbering is 6.1's: under 6.12 rules it is
 * only logged.
 */
#define CHECK_CASE(n) do {						\
	struct vmashadow_explain __e;					\
	struct vmashadow_params __p;					\
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &__e)); \
	ASSERT_EQ(0, vms_get_params(vms_fd, &__p));			\
	if (__p.rules == VMASHADOW_RULES_6_1) {				\
		EXPECT_EQ(n, __e.merge_case);				\
	} else if (__e.merge_case != (n)) {				\
		TH_LOG("6.12 rules: merge_case %u (6.1 numbering: %d)", \
		       __e.merge_case, n);				\
	}								\
} while (0)

/* ---- files ---------------------------------------------------------------- */

/* ==========================================================================
 * Helpers for remap, brk, fork, madvise, import, batch, dryrun and place.
 * Added after the helpers above, which they do not change.
 * ========================================================================== */
#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <sys/wait.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

/*
 * Give up capability @cap (CAP_*) for good: out of the effective, the
 * permitted and the inheritable sets of this process.  The shadow opened
 * (or imported) afterwards takes the limits the capability lifted.
 */
static inline int vms_drop_cap(unsigned int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	__u32 bit = 1u << (cap % 32);

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[cap / 32].effective &= ~bit;
	d[cap / 32].permitted &= ~bit;
	d[cap / 32].inheritable &= ~bit;
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/* A raw system call's result as 0/positive or -errno. */
static inline long vms_sys(long ret)
{
	return ret == -1 ? -errno : ret;
}

/* mmap as a raw system call: glibc's wrapper could do more. */
static inline long vms_real_map_raw(unsigned long addr, unsigned long len,
				    int prot, int flags, int file,
				    unsigned long off, unsigned long *out)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags, file, off);

	if (r == -1)
		return -errno;
	if (out)
		*out = r;
	return 0;
}

/* Both sides of a mmap whose address may be chosen by the kernel. */
static inline struct vms_res vms_both_map_res(unsigned long addr,
					      unsigned long len, int prot,
					      int flags, int file,
					      unsigned long off)
{
	struct vms_res r = { 0 };

	r.real = vms_real_map_raw(addr, len, prot, flags, file, off, &r.raddr);
	r.shadow = vms_shadow_map(vms_fd, addr, len, prot, flags, file,
			   off, &r.saddr);
	return r;
}

static inline long vms_real_remap(unsigned long addr, unsigned long old_len,
				  unsigned long new_len, unsigned int flags,
				  unsigned long new_addr, unsigned long *out)
{
	long r = syscall(SYS_mremap, addr, old_len, new_len, flags, new_addr);

	if (r == -1)
		return -errno;
	if (out)
		*out = r;
	return 0;
}

static inline struct vms_res vms_both_remap(unsigned long addr,
					    unsigned long old_len,
					    unsigned long new_len,
					    unsigned int flags,
					    unsigned long new_addr)
{
	struct vms_res r = { 0 };

	r.real = vms_real_remap(addr, old_len, new_len, flags, new_addr,
				&r.raddr);
	r.shadow = vms_shadow_remap(vms_fd, addr, old_len, new_len, flags,
				    new_addr, &r.saddr);
	return r;
}

static inline struct vms_res vms_both_madvise(unsigned long addr,
					      unsigned long len, int advice)
{
	struct vms_res r = { 0 };

	r.real = vms_sys(syscall(SYS_madvise, addr, len, advice));
	r.shadow = vms_shadow_madvise(vms_fd, addr, len, advice);
	return r;
}

#ifndef SYS_mlock2
#define SYS_mlock2	325
#endif

/* vms_both_mlock()'s flags: mlock(2) rather than mlock2(2). */
#define VMS_VIA_MLOCK	INT_MIN

static inline struct vms_res vms_both_mlock(unsigned long addr,
					    unsigned long len, int flags)
{
	struct vms_res r = { 0 };

	if (flags == VMS_VIA_MLOCK)
		r.real = vms_sys(syscall(SYS_mlock, addr, len));
	else
		r.real = vms_sys(syscall(SYS_mlock2, addr, len, flags));
	r.shadow = vms_shadow_lock(vms_fd, VMASHADOW_IOC_MLOCK, addr, len,
				   flags == VMS_VIA_MLOCK ? 0 : flags);
	return r;
}

static inline struct vms_res vms_both_munlock(unsigned long addr,
					      unsigned long len)
{
	struct vms_res r = { 0 };

	r.real = vms_sys(syscall(SYS_munlock, addr, len));
	r.shadow = vms_shadow_lock(vms_fd, VMASHADOW_IOC_MUNLOCK, addr, len, 0);
	return r;
}

static inline struct vms_res vms_both_mlockall(int flags)
{
	struct vms_res r = { 0 };

	r.real = vms_sys(syscall(SYS_mlockall, flags));
	r.shadow = vms_shadow_lock(vms_fd, VMASHADOW_IOC_MLOCKALL, 0, 0, flags);
	return r;
}

static inline struct vms_res vms_both_munlockall(void)
{
	struct vms_res r = { 0 };

	r.real = vms_sys(syscall(SYS_munlockall));
	r.shadow = vms_shadow_lock(vms_fd, VMASHADOW_IOC_MUNLOCKALL, 0, 0, 0);
	return r;
}

#define MLOCK(expect, pg, npg)						\
	VMS_CHECK_RES(expect, vms_both_mlock(PG(pg), PGS(npg), VMS_VIA_MLOCK))
#define MLOCK2(expect, pg, npg, flags)					\
	VMS_CHECK_RES(expect, vms_both_mlock(PG(pg), PGS(npg), flags))
#define MUNLOCK(expect, pg, npg)					\
	VMS_CHECK_RES(expect, vms_both_munlock(PG(pg), PGS(npg)))
#define MLOCKALL(expect, flags)						\
	VMS_CHECK_RES(expect, vms_both_mlockall(flags))
#define MUNLOCKALL()	VMS_CHECK_RES(0, vms_both_munlockall())

/* brk(2) on the shadow: the ioctl's result is the new (or old) break. */
static inline long vms_shadow_brk(int fd, unsigned long addr,
				  unsigned long *out)
{
	struct vmashadow_op op;
	long ret;

	memset(&op, 0, sizeof(op));
	op.addr = addr;
	ret = vms_op(fd, VMASHADOW_IOC_BRK, &op);
	if (out)
		*out = op.result;
	return ret;
}

/* The raw brk system call: returns the new break, or the old on failure. */
static inline unsigned long vms_real_brk(unsigned long addr)
{
	return syscall(SYS_brk, addr);
}

/* brk on both sides: both give @want_brk (the new or the old break). */
#define BRK(addr, want_brk) do {					\
	unsigned long __r = vms_real_brk(addr), __s = 0;		\
	ASSERT_EQ(0, vms_shadow_brk(vms_fd, addr, &__s));		\
	EXPECT_EQ((unsigned long)(want_brk), __r)			\
		TH_LOG("real brk 0x%lx, expected 0x%lx", __r,		\
		       (unsigned long)(want_brk));			\
	ASSERT_EQ(__r, __s)						\
		TH_LOG("shadow brk 0x%lx, real 0x%lx", __s, __r);	\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

static inline long vms_import(int fd, int pid, unsigned long start,
			      unsigned long end, unsigned long *regions)
{
	struct vmashadow_import im;
	long ret;

	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.pid = pid;
	im.start = start;
	im.end = end;
	ret = vms_ioctl(fd, VMASHADOW_IOC_IMPORT, &im);
	if (regions)
		*regions = im.regions;
	return ret;
}

/* A real fork without glibc's atfork handlers: nothing else may map. */
static inline pid_t vms_raw_fork(void)
{
	return syscall(SYS_fork);
}

/*
 * A child that has done its part ends with the harness's verdict: 0 if
 * every EXPECT held (a failed ASSERT ends it through the harness).
 */
#define VMS_CHILD_EXIT() _exit(_metadata->passed ? 0 : 1)

/* Waits for @pid and asserts that it exited with status 0. */
#define VMS_WAIT_CHILD(pid) do {					\
	int __st = 0;							\
	ASSERT_EQ((pid), waitpid((pid), &__st, 0));			\
	ASSERT_TRUE(WIFEXITED(__st))					\
		TH_LOG("child died: status 0x%x", __st);		\
	ASSERT_EQ(0, WEXITSTATUS(__st))					\
		TH_LOG("the child's checks failed (see above)");	\
} while (0)

/* ---- both sides restricted to any range of addresses ------------------- */

static char vms_real_rng[VMS_MAPS_SIZE];
static char vms_shadow_rng[VMS_MAPS_SIZE];

/* Lines starting in [lo, hi) of both sides; real maps read first. */
static inline long vms_snapshot_range(unsigned long lo, unsigned long hi)
{
	long ret = vms_read_real_maps();

	if (ret < 0)
		return ret;
	ret = vms_read_shadow_maps(vms_fd);
	if (ret < 0)
		return ret;
	vms_filter(vms_real_maps, lo, hi, vms_real_rng, sizeof(vms_real_rng));
	vms_filter(vms_shadow_maps, lo, hi, vms_shadow_rng,
		   sizeof(vms_shadow_rng));
	return 0;
}

/* The lines starting in [lo, hi) are the same on both sides, byte for byte. */
#define CHECK_RANGE(lo, hi) do {					\
	ASSERT_EQ(0, vms_snapshot_range(lo, hi));			\
	ASSERT_STREQ(vms_real_rng, vms_shadow_rng)			\
		TH_LOG("real:\n%sshadow:\n%s", vms_real_rng, vms_shadow_rng); \
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

/* One operation on both sides that yields an address: the same address. */
#define VMS_CHECK_ADDR(expect, r, want_addr) do {			\
	struct vms_res __a = (r);					\
	ASSERT_EQ((long)(expect), __a.real)				\
		TH_LOG("real call gave %ld, expected %ld",		\
		       __a.real, (long)(expect));			\
	ASSERT_EQ(__a.real, __a.shadow)					\
		TH_LOG("shadow gave %ld, real %ld", __a.shadow, __a.real); \
	if (!__a.real) {						\
		ASSERT_EQ(__a.raddr, __a.saddr)				\
			TH_LOG("real at 0x%lx, shadow at 0x%lx",	\
			       __a.raddr, __a.saddr);			\
		if ((unsigned long)(want_addr))				\
			ASSERT_EQ((unsigned long)(want_addr), __a.raddr); \
	}								\
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));			\
} while (0)

/* mremap in window pages; on success the result must be @res_pg's page. */
#define REMAP(expect, pg, npg, newnpg, flags, newpg, res_pg)		\
	VMS_CHECK_ADDR(expect, vms_both_remap(PG(pg), PGS(npg), PGS(newnpg), \
			flags, (newpg) < 0 ? 0 : PG(newpg)),		\
			(res_pg) < 0 ? 0 : PG(res_pg))
#define MADVISE(expect, pg, npg, advice)				\
	VMS_CHECK_RES(expect, vms_both_madvise(PG(pg), PGS(npg), advice))

/* The shadow's flags of the region holding page @pg (0: none). */
#define FLAGS(pg)	(vms_region_at(pg).vm_flags)

/* ---- vm.max_map_count, for the tests that run at the limit ------------- */

#define VMS_MMC_SYSCTL	"/proc/sys/vm/max_map_count"

static inline long vms_mmc_read(void)
{
	char buf[32];
	long v = 0;
	int fd, n, i;

	fd = open(VMS_MMC_SYSCTL, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + buf[i] - '0';
	return v;
}

static inline int vms_mmc_write(long v)
{
	char buf[32];
	int fd, n, ret = 0;

	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	fd = open(VMS_MMC_SYSCTL, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

/* The real map_count: the lines of /proc/self/maps ([vsyscall] is no VMA). */
static inline long vms_real_map_count(void)
{
	long n = 0;
	char *p;

	if (vms_read_real_maps() < 0)
		return -1;
	for (p = vms_real_maps; *p; p++)
		if (*p == '\n')
			n++;
	if (strstr(vms_real_maps, "[vsyscall]"))
		n--;
	return n;
}

/*
 * Puts both sides @dist regions below their limits (limit = count + dist).
 * Nothing may map or unmap between the count and the write.  The caller
 * restores the sysctl (a fixture teardown).
 */
#define VMS_AT_DISTANCE(dist) do {					\
	long __s = vms_shadow_map_count(vms_fd), __r = vms_real_map_count(); \
	ASSERT_LE(0, __s);						\
	ASSERT_LT(0, __r);						\
	ASSERT_EQ(0, vms_set_max_map_count(vms_fd, __s + (dist)));	\
	ASSERT_EQ(0, vms_mmc_write(__r + (dist)));			\
} while (0)

/*
 * A fixture @name for tests that move vm.max_map_count: it saves the
 * sysctl and puts it back in the teardown, also after a failed assertion.
 */
#define VMS_MMC_FIXTURE(name)						\
FIXTURE(name) {								\
	long saved;							\
};									\
FIXTURE_SETUP(name)							\
{									\
	self->saved = vms_mmc_read();					\
	ASSERT_LT(0, self->saved);					\
	VMS_SETUP();							\
}									\
FIXTURE_TEARDOWN(name)							\
{									\
	if (self->saved > 0)						\
		EXPECT_EQ(0, vms_mmc_write(self->saved));		\
}

/* ---- memfds, sealed or not ---------------------------------------------- */

#ifndef __NR_memfd_create
#define __NR_memfd_create	319
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING	0x0002U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS		1033
#endif
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE		0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010
#endif

/*
 * A memfd of @pages pages, open O_RDWR, made with @flags (MFD_*; always
 * close-on-exec), with @seals added (0: none): the descriptor or -errno.
 */
static inline int vms_memfd(const char *name, unsigned int flags,
			    unsigned int seals, unsigned long pages)
{
	int fd = syscall(__NR_memfd_create, name,
			 flags | 1U /* MFD_CLOEXEC */), err;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, PGS(pages)) ||
	    (seals && fcntl(fd, F_ADD_SEALS, seals))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* ---- smaps: what the real kernel holds and maps does not show --------- */

static char vms_smaps[1 << 20];

/* Reads /proc/self/smaps into vms_smaps: its length or -errno. */
static inline long vms_read_smaps(void)
{
	return vms_read_path("/proc/self/smaps", vms_smaps, sizeof(vms_smaps));
}

/*
 * Does the VmFlags line whose flags start at @p (right after "VmFlags:")
 * name the two-letter mnemonic @mn ("lo", "um", "mw"...)?
 */
static inline int vms_vmflags_has(const char *p, const char *mn)
{
	for (; *p && *p != '\n'; p++)
		if (p[-1] == ' ' && p[0] == mn[0] && p[1] == mn[1] &&
		    (p[2] == ' ' || p[2] == '\n' || !p[2]))
			return 1;
	return 0;
}

/* ---- hidden state: the shadow's regions against an IMPORT of the real ones */

#define VMS_REGIONS_MAX	1024

/* What vms_state_take() found: the shadow's regions and the real ones. */
static struct vmashadow_region vms_reg_s[VMS_REGIONS_MAX];
static struct vmashadow_region vms_reg_r[VMS_REGIONS_MAX];
static long vms_nreg_s, vms_nreg_r;
/* What differs, for the vms_state_*() that say so. */
static char vms_state_msg[1024];

/*
 * The regions of @fd meeting [lo, hi), in order, into @out (at most
 * VMS_REGIONS_MAX): how many, or -errno.
 */
static inline long vms_regions_of(int fd, unsigned long lo, unsigned long hi,
				  struct vmashadow_region *out)
{
	struct vmashadow_find f;
	unsigned long addr = lo;
	long n = 0, ret;

	while (n < VMS_REGIONS_MAX) {
		ret = vms_find(fd, VMASHADOW_FIND_VMA, addr, 0, &f);
		if (ret == -ENOENT)
			break;
		if (ret)
			return ret;
		if (!(f.found & VMASHADOW_FOUND_REGION) || f.region.start >= hi)
			break;
		out[n++] = f.region;
		if (!f.region.end)
			break;
		addr = f.region.end;
	}
	return n;
}

/* IMPORT names shared anonymous memory a file: it is one, in shmem. */
static inline unsigned int vms_file_kind(unsigned int kind)
{
	return kind == VMASHADOW_KIND_SHMEM ? VMASHADOW_KIND_FILE : kind;
}

/* The userfaultfd context number in a region's ->state (0: none). */
#define VMS_UFFD_CTX(r)	(((r).state & VMASHADOW_STATE_UFFD_MASK) >> \
			 VMASHADOW_STATE_UFFD_SHIFT)

/*
 * Both sides of [lo, hi), for vms_state_cmp(): an IMPORT of the real range
 * into a scratch descriptor, its regions in vms_reg_r (vms_nreg_r of
 * them), and the test shadow's regions in vms_reg_s (vms_nreg_s, or
 * -errno).  NULL, or what failed.
 */
static inline const char *vms_state_take(unsigned long lo, unsigned long hi)
{
	long ret;
	int fd;

	fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return "open /dev/vmashadow";
	ret = vms_import(fd, 0, lo, hi, NULL);
	vms_nreg_r = ret ? ret : vms_regions_of(fd, lo, hi, vms_reg_r);
	close(fd);
	if (vms_nreg_r < 0) {
		snprintf(vms_state_msg, sizeof(vms_state_msg), "import: %ld",
			 vms_nreg_r);
		return vms_state_msg;
	}
	vms_nreg_s = vms_regions_of(vms_fd, lo, hi, vms_reg_s);
	return NULL;
}

/* vms_state_cmp()'s @how: userfaultfd contexts compared as groups. */
#define VMS_STATE_UFFD	1

/*
 * The hidden state of the regions vms_state_take() found, the shadow's
 * against the real (the kernel's own vm_flags, page offsets, backing and
 * anon_vmas; which regions share an anon_vma).  With VMS_STATE_UFFD in
 * @how the userfaultfd context of ->state is compared as groups: whether
 * a region has one, and which regions share one (each shadow numbers its
 * own).  The [stack] (the region holding @stack, 0: none) may have grown:
 * its bounds are left out.  NULL if equal, else what differs.
 */
static inline const char *vms_state_cmp(unsigned long stack, unsigned int how)
{
	__u32 ignore = how & VMS_STATE_UFFD ? VMASHADOW_STATE_UFFD_MASK : 0;
	bool uffd = how & VMS_STATE_UFFD;
	long n = vms_nreg_s, i, j;

	if (n != vms_nreg_r) {
		snprintf(vms_state_msg, sizeof(vms_state_msg),
			 "%ld regions in the shadow, %ld real", n, vms_nreg_r);
		return vms_state_msg;
	}
	for (i = 0; i < n; i++) {
		const struct vmashadow_region *s = &vms_reg_s[i];
		const struct vmashadow_region *r = &vms_reg_r[i];
		bool stk = stack && s->start <= stack && stack < s->end;
		const char *what = NULL;

		if (!stk && (s->start != r->start || s->end != r->end))
			what = "bounds";
		else if (s->vm_flags != r->vm_flags)
			what = "vm_flags";
		else if (!stk && s->pgoff != r->pgoff)
			what = "pgoff";
		else if (vms_file_kind(s->kind) != vms_file_kind(r->kind) ||
			 !s->file_id != !r->file_id)
			what = "backing";
		else if ((s->state & ~ignore) != (r->state & ~ignore))
			what = "anon state";
		else if (!s->anon_id != !r->anon_id)
			what = "anon_vma or none";
		else if (uffd && !VMS_UFFD_CTX(*s) != !VMS_UFFD_CTX(*r))
			what = "a context or none";
		for (j = 0; !what && j < i; j++) {
			if (s->anon_id &&
			    (s->anon_id == vms_reg_s[j].anon_id) !=
			    (r->anon_id == vms_reg_r[j].anon_id))
				what = "anon_vma shared or not";
			else if (uffd && VMS_UFFD_CTX(*s) &&
				 (VMS_UFFD_CTX(*s) ==
				  VMS_UFFD_CTX(vms_reg_s[j])) !=
				 (VMS_UFFD_CTX(*r) ==
				  VMS_UFFD_CTX(vms_reg_r[j])))
				what = "context shared or not";
		}
		if (what) {
			snprintf(vms_state_msg, sizeof(vms_state_msg),
				 "%s: shadow 0x%llx-0x%llx flags 0x%llx pgoff 0x%llx kind %u file %llu anon %llu state 0x%x; real 0x%llx-0x%llx flags 0x%llx pgoff 0x%llx kind %u file %llu anon %llu state 0x%x",
				 what, (unsigned long long)s->start,
				 (unsigned long long)s->end,
				 (unsigned long long)s->vm_flags,
				 (unsigned long long)s->pgoff, s->kind,
				 (unsigned long long)s->file_id,
				 (unsigned long long)s->anon_id, s->state,
				 (unsigned long long)r->start,
				 (unsigned long long)r->end,
				 (unsigned long long)r->vm_flags,
				 (unsigned long long)r->pgoff, r->kind,
				 (unsigned long long)r->file_id,
				 (unsigned long long)r->anon_id, r->state);
			return vms_state_msg;
		}
	}
	return NULL;
}

/* vms_state_take() and vms_state_cmp() in one. */
static inline const char *vms_state_diff(unsigned long lo, unsigned long hi,
					 unsigned long stack, unsigned int how)
{
	const char *d = vms_state_take(lo, hi);

	return d ? d : vms_state_cmp(stack, how);
}

/* ---- mbind(2) and the operations that leave their counts to check ------- */

/*
 * The real node mask: as many words as the largest maxnode the kernel
 * reads (a page of bits), zero past the first, which the shadow takes as
 * zero too.
 */
static unsigned long vms_real_nodes[VMS_PS * 8 / 64 + 2];

/* mbind(2); a @mask of 0 is a NULL pointer, as on the shadow without OPF_NODEMASK. */
static inline long vms_real_mbind(unsigned long addr, unsigned long len,
				  unsigned int mode, __u64 mask,
				  unsigned long maxnode, unsigned int flags)
{
	vms_real_nodes[0] = mask;
	return vms_sys(syscall(SYS_mbind, addr, len, (unsigned long)mode,
			       mask ? vms_real_nodes : NULL, maxnode,
			       (unsigned long)flags));
}

/* mbind on both sides; the shadow's op, with its out fields, in @op. */
static inline struct vms_res vms_both_mbind(struct vmashadow_op *op,
					    unsigned long addr,
					    unsigned long len,
					    unsigned int mode, __u64 mask,
					    unsigned long maxnode,
					    unsigned int flags)
{
	struct vms_res r = { 0 };

	r.real = vms_real_mbind(addr, len, mode, mask, maxnode, flags);
	r.shadow = vms_shadow_mbind(vms_fd, op, addr, len, mode, mask, maxnode,
				    flags, 0);
	return r;
}

/* The out fields of the shadow's @op: regions after it, merges, splits. */
#define VMS_CHECK_COUNTS(op, count, m, s) do {				\
	EXPECT_EQ((__u64)(count), (op).map_count);			\
	EXPECT_EQ((__u32)(m), (op).merges);				\
	EXPECT_EQ((__u32)(s), (op).splits);				\
} while (0)

/* ==== end of the added helpers ============================================ */

#endif /* _VMS_TEST_H */
