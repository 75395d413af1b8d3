// SPDX-License-Identifier: GPL-2.0
/*
 * security: what one user can do with /dev/vmashadow (issue 8).
 *
 * - the device is 0666, and any user may open it;
 * - IMPORT of another process follows exactly the rule of opening its
 *   /proc/PID/maps: the same success or errno, for root, for a second user
 *   (uid 1000) towards root's init, towards its own processes (dumpable or
 *   not) and towards a third user's;
 * - that rule cannot be dodged by a /proc of the caller's own making (a
 *   tmpfs mounted on /proc in an unprivileged user and mount namespace);
 * - one descriptor never sees or changes another's shadow;
 * - no output field of any ioctl, and nothing read(), carries a kernel
 *   address;
 * - the per-descriptor region cap (max_map_count, bounded by the module's
 *   max_regions) stops mmap with -ENOMEM, as the kernel does;
 * - in a memory cgroup with a small memory.max, what a shadow makes the
 *   kernel allocate is charged there and stops at the limit, with the
 *   kernel and the shadow intact, and it is all given back on close.
 */
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "vms_snap.h"

#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define PSZ		4096UL
#define KADDR		0xffff800000000000ULL

static int drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -errno;
	/* a changed identity makes us non-dumpable: undo, as exec would */
	prctl(PR_SET_DUMPABLE, 1);
	return 0;
}

/* A process of @uid that waits to be killed; @dumpable as asked. */
static pid_t target(uid_t uid, int dumpable)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (uid && drop_to(uid))
			_exit(1);
		prctl(PR_SET_DUMPABLE, dumpable);
		write(p[1], "x", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		pid = -1;
	close(p[0]);
	return pid;
}

static long try_import(pid_t pid)
{
	struct vmashadow_import im;
	int fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	long ret;

	if (fd < 0)
		return -1000 - errno;
	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	im.pid = pid;
	ret = vms_ioctl(fd, VMASHADOW_IOC_IMPORT, &im);
	if (!ret && !im.regions)
		ret = -2000;	/* an empty import is no import */
	close(fd);
	return ret;
}

static long try_maps(pid_t pid)
{
	char path[64], buf[256];
	int fd;
	long n;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid ? pid : getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n < 0 ? -errno : 0;
}

TEST(device_mode)
{
	struct stat s;

	ASSERT_EQ(0, stat("/dev/vmashadow", &s));
	EXPECT_TRUE(S_ISCHR(s.st_mode));
	EXPECT_EQ(0666, s.st_mode & 07777);
}

/* Results from the unprivileged side, in shared memory. */
struct verdicts {
	long imp[8], maps[8];
	long open_dev;
	long fake_proc;		/* import of pid 1 through a fake /proc */
	long fake_setup;
};

TEST(import_follows_proc_maps)
{
	struct verdicts *v;
	pid_t t_user, t_user_nd, t_other, t_root, prober;
	pid_t pids[8];
	const char *names[8] = { "init (root)", "a root process", "own uid, dumpable",
				 "own uid, not dumpable", "another user",
				 "itself (pid 0)", "no such pid", "kthreadd (no mm)" };
	int status, i, n = 8;

	if (geteuid()) {
		SKIP(return, "needs root to play the second user");
	}
	v = mmap(NULL, PSZ, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, v);
	t_root = target(0, 1);
	t_user = target(1000, 1);
	t_user_nd = target(1000, 0);
	t_other = target(1001, 1);
	ASSERT_LT(0, t_root);
	ASSERT_LT(0, t_user);
	ASSERT_LT(0, t_user_nd);
	ASSERT_LT(0, t_other);
	pids[0] = 1;
	pids[1] = t_root;
	pids[2] = t_user;
	pids[3] = t_user_nd;
	pids[4] = t_other;
	pids[5] = 0;
	pids[6] = 0x3ffffff0;
	pids[7] = 2;

	/* root: everything it may read */
	for (i = 0; i < n; i++) {
		long imp = try_import(pids[i]), maps = try_maps(pids[i]);

		TH_LOG("root -> %-22s import %5ld, /proc/PID/maps %5ld", names[i], imp, maps);
		if (i < 6)
			EXPECT_EQ(maps, imp) TH_LOG("root -> %s", names[i]);
	}
	EXPECT_EQ(-ESRCH, try_import(pids[6]));
	/* uid 1000 */
	prober = fork();
	ASSERT_LE(0, prober);
	if (!prober) {
		if (drop_to(1000))
			_exit(3);
		v->open_dev = open("/dev/vmashadow", O_RDWR) < 0 ? -errno : 0;
		for (i = 0; i < n; i++) {
			v->imp[i] = try_import(pids[i]);
			v->maps[i] = try_maps(pids[i]);
		}
		_exit(0);
	}
	ASSERT_EQ(prober, waitpid(prober, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_EQ(0, v->open_dev) TH_LOG("uid 1000 cannot open /dev/vmashadow");
	for (i = 0; i < n; i++) {
		TH_LOG("uid 1000 -> %-18s import %5ld, /proc/PID/maps %5ld",
		       names[i], v->imp[i], v->maps[i]);
		if (i < 6)
			EXPECT_EQ(v->maps[i], v->imp[i]) TH_LOG("uid 1000 -> %s", names[i]);
	}
	/* and the rule is the one expected of it */
	EXPECT_EQ(-EACCES, v->imp[0]);
	EXPECT_EQ(-EACCES, v->imp[1]);
	EXPECT_EQ(0, v->imp[2]);
	EXPECT_EQ(-EACCES, v->imp[3]);
	EXPECT_EQ(-EACCES, v->imp[4]);
	EXPECT_EQ(0, v->imp[5]);
	EXPECT_EQ(-ESRCH, v->imp[6]);
	EXPECT_NE(0, v->imp[7]);
	kill(t_root, SIGKILL);
	kill(t_user, SIGKILL);
	kill(t_user_nd, SIGKILL);
	kill(t_other, SIGKILL);
	while (wait(NULL) > 0)
		;
}

/*
 * The module checks access by opening "/proc/PID/maps" by path, as the
 * caller: a caller who can put its own /proc there (an unprivileged user
 * namespace with its own mount namespace) must still not import a process
 * it could not read.
 */
TEST(import_through_fake_proc)
{
	struct verdicts *v;
	pid_t prober, victim;
	int status;

	if (geteuid()) {
		SKIP(return, "needs root to play the second user");
	}
	v = mmap(NULL, PSZ, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, v);
	victim = target(0, 1);
	ASSERT_LT(0, victim);
	prober = fork();
	ASSERT_LE(0, prober);
	if (!prober) {
		char path[64];
		int fd;

		if (drop_to(1000))
			_exit(3);
		v->fake_setup = 0;
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS)) {
			v->fake_setup = -errno;
			_exit(0);
		}
		/* root of the new namespace, so that it may create files */
		vms_write_file("/proc/self/setgroups", "deny");
		vms_write_file("/proc/self/uid_map", "0 1000 1");
		vms_write_file("/proc/self/gid_map", "0 1000 1");
		if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("none", "/proc", "tmpfs", 0, NULL)) {
			v->fake_setup = -1000 - errno;
			_exit(0);
		}
		snprintf(path, sizeof(path), "/proc/%d", victim);
		mkdir(path, 0755);
		strcat(path, "/maps");
		fd = open(path, O_CREAT | O_RDWR, 0644);
		close(fd);
		mkdir("/proc/1", 0755);
		fd = open("/proc/1/maps", O_CREAT | O_RDWR, 0644);
		close(fd);
		v->maps[0] = try_maps(victim);
		v->imp[0] = try_import(victim);
		v->imp[1] = try_import(1);
		_exit(0);
	}
	ASSERT_EQ(prober, waitpid(prober, &status, 0));
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	if (v->fake_setup) {
		SKIP(return, "no unprivileged user/mount namespace here (%ld)", v->fake_setup);
	}
	TH_LOG("uid 1000 with its own /proc: fake maps open %ld, import of a root process %ld, of init %ld",
	       v->maps[0], v->imp[0], v->imp[1]);
	EXPECT_EQ(-EACCES, v->imp[0]) TH_LOG("the access check went through the caller's /proc");
	EXPECT_EQ(-EACCES, v->imp[1]) TH_LOG("the access check went through the caller's /proc");
}

TEST(descriptors_are_isolated)
{
	static struct vmashadow_region r[16];
	struct vmashadow_fork f = { .size = sizeof(f) };
	struct vmashadow_find fi;
	struct vmashadow_stats st;
	char buf[256];
	int a, b;
	pid_t pid;
	int status;

	a = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	b = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, vms_shadow_map(a, PG(1), PGS(2), RW, ANON | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_shadow_touch(a, PG(1)));
	/* b sees nothing of a, by any way of looking */
	EXPECT_EQ(0, vms_list_all(b, r, 16));
	EXPECT_EQ(-ENOENT, vms_find(b, VMASHADOW_FIND_LOOKUP, PG(1), 0, &fi));
	ASSERT_EQ(0, vms_stats(b, &st));
	EXPECT_EQ(0, st.regions);
	EXPECT_EQ(0, st.anon_vmas);
	lseek(b, 0, SEEK_SET);
	EXPECT_EQ(0, read(b, buf, sizeof(buf)));
	/* b's operations do not reach a */
	ASSERT_EQ(0, vms_shadow_unmap(b, PG(0), PGS(100)));
	EXPECT_EQ(1, vms_list_all(a, r, 16));
	/* a fork is a copy, not a view */
	ASSERT_EQ(0, vms_ioctl(a, VMASHADOW_IOC_FORK, &f));
	ASSERT_EQ(0, vms_shadow_unmap(f.fd, PG(1), PGS(1)));
	ASSERT_EQ(0, vms_shadow_map(a, PG(10), PGS(1), RW, ANON | MAP_FIXED, -1, 0, NULL));
	EXPECT_EQ(2, vms_list_all(a, r, 16));
	EXPECT_EQ(PG(1), r[0].start);
	EXPECT_EQ(PG(3), r[0].end);
	EXPECT_EQ(1, vms_list_all(f.fd, r, 16));
	EXPECT_EQ(PG(2), r[0].start);
	/* another process's own open is its own, whatever it does */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int c = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
		struct vmashadow_import im = { .size = sizeof(im) };

		if (c < 0 || vms_list_all(c, r, 16) != 0)
			_exit(1);
		vms_ioctl(c, VMASHADOW_IOC_IMPORT, &im);
		vms_shadow_unmap(c, 0x10000, 0x7ffffffff000UL - 0x10000);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	EXPECT_EQ(2, vms_list_all(a, r, 16));
	EXPECT_EQ(0, vms_validate(a, NULL));
	EXPECT_EQ(0, vms_validate(b, NULL));
	close(f.fd);
	close(a);
	close(b);
}

/* ---- kernel addresses ---------------------------------------------------------------------- */

static unsigned long fields_seen, kaddr_found;

static void scan(struct __test_metadata *_metadata, const void *p, size_t size,
		 const char *what)
{
	const unsigned char *c = p;
	size_t i;

	/* every 8-byte field (all structures are 8-byte aligned arrays of them) */
	for (i = 0; i + 8 <= size; i += 8) {
		unsigned long long v;

		memcpy(&v, c + i, 8);
		fields_seen++;
		if (v >= KADDR && v != ~0ULL) {
			kaddr_found++;
			TH_LOG("%s: offset %zu holds %#llx", what, i, v);
		}
	}
}

/* Text: no 16-digit hex number at or above KADDR. */
static void scan_text(struct __test_metadata *_metadata, const char *s)
{
	while (*s) {
		const char *t = s;
		unsigned long long v = vms_hex(&t);

		if (t == s) {
			s++;
			continue;
		}
		if (v >= KADDR && t - s >= 16) {
			kaddr_found++;
			TH_LOG("read(): %.*s", (int)(t - s), s);
		}
		s = t;
	}
}

TEST(no_kernel_addresses)
{
	static struct vmashadow_region r[512];
	static char maps[VMS_SNAP_MAPS];
	struct vmashadow_version ver;
	struct vmashadow_params p;
	struct vmashadow_stats st;
	struct vmashadow_validate va;
	struct vmashadow_explain e;
	struct vmashadow_find f;
	struct vmashadow_import im;
	struct vmashadow_fork fk;
	struct vmashadow_op op;
	struct vmashadow_batch b;
	char path[64], name[512];
	long n, i;
	int fd, file;

	fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	file = vms_make_file(path, sizeof(path), "security", 4);
	ASSERT_LE(0, file);
	/* a file, shared memory, anonymous memory faulted, a vdso, a fork */
	memset(&op, 0, sizeof(op));
	op.size = sizeof(op);
	op.addr = PG(0);
	op.len = PGS(2);
	op.prot = PROT_READ;
	op.flags = MAP_SHARED | MAP_FIXED;
	op.fd = file;
	ASSERT_EQ(0, vms_ioctl(fd, VMASHADOW_IOC_MAP, &op));
	scan(_metadata, &op, sizeof(op), "MAP");
	ASSERT_EQ(0, vms_shadow_map(fd, PG(4), PGS(2), RW, MAP_SHARED | MAP_ANONYMOUS |
				    MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_shadow_map(fd, PG(8), PGS(2), RW, ANON | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_shadow_touch(fd, PG(8)));
	memset(&op, 0, sizeof(op));
	op.size = sizeof(op);
	op.addr = PG(12);
	op.len = PGS(2);
	op.prot = PROT_READ | PROT_EXEC;
	op.flags = MAP_PRIVATE | MAP_FIXED;
	op.fd = -1;
	op.op_flags = VMASHADOW_OPF_VDSO;
	EXPECT_EQ(0, vms_ioctl(fd, VMASHADOW_IOC_MAP, &op));
	op.op_flags = VMASHADOW_OPF_DRY_RUN;
	op.addr = PG(20);
	op.flags = ANON | MAP_FIXED;
	EXPECT_EQ(0, vms_ioctl(fd, VMASHADOW_IOC_MAP, &op));
	scan(_metadata, &op, sizeof(op), "MAP dry run");
	/* every query */
	n = vms_list_all(fd, r, 512);
	ASSERT_LT(3, n);
	scan(_metadata, r, n * sizeof(r[0]), "LIST");
	for (i = 0; i < 5; i++) {
		memset(&f, 0, sizeof(f));
		f.size = sizeof(f);
		f.mode = i;
		f.addr = PG(8);
		f.end = (i == 2 || i == 4) ? PG(10) : 0;
		f.name_addr = (unsigned long)name;
		f.name_size = sizeof(name);
		memset(name, 0, sizeof(name));
		vms_ioctl(fd, VMASHADOW_IOC_FIND, &f);
		scan(_metadata, &f, sizeof(f), "FIND");
		scan(_metadata, name, sizeof(name), "FIND name");
	}
	for (i = 0; i < 16; i++) {
		vms_explain(fd, i ? VMASHADOW_EXPLAIN_AT : VMASHADOW_EXPLAIN_LAST,
			    i ? PG(i) : 0, &e);
		scan(_metadata, &e, sizeof(e), "EXPLAIN");
	}
	ASSERT_EQ(0, vms_stats(fd, &st));
	scan(_metadata, &st, sizeof(st), "STATS");
	ASSERT_EQ(0, vms_get_params(fd, &p));
	scan(_metadata, &p, sizeof(p), "GET_PARAMS");
	memset(&ver, 0, sizeof(ver));
	ver.size = sizeof(ver);
	ASSERT_EQ(0, vms_ioctl(fd, VMASHADOW_IOC_VERSION, &ver));
	scan(_metadata, &ver, sizeof(ver), "VERSION");
	ASSERT_EQ(0, vms_validate(fd, &va));
	scan(_metadata, &va, sizeof(va), "VALIDATE");
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.op_size = sizeof(op);
	b.ops = (unsigned long)&op;
	b.count = 1;
	op.op_flags = 0;
	op.op = VMASHADOW_OP_MAP;
	EXPECT_EQ(0, vms_ioctl(fd, VMASHADOW_IOC_BATCH, &b));
	scan(_metadata, &b, sizeof(b), "BATCH");
	scan(_metadata, &op, sizeof(op), "BATCH op");
	memset(&fk, 0, sizeof(fk));
	fk.size = sizeof(fk);
	ASSERT_EQ(0, vms_ioctl(fd, VMASHADOW_IOC_FORK, &fk));
	scan(_metadata, &fk, sizeof(fk), "FORK");
	n = vms_list_all(fk.fd, r, 512);
	scan(_metadata, r, n * sizeof(r[0]), "LIST of the fork");
	/* the import of this process: its files, vdso, stack */
	memset(&im, 0, sizeof(im));
	im.size = sizeof(im);
	ASSERT_EQ(0, vms_ioctl(fk.fd, VMASHADOW_IOC_IMPORT, &im));
	scan(_metadata, &im, sizeof(im), "IMPORT");
	n = vms_list_all(fk.fd, r, 512);
	ASSERT_LT(5, n);
	scan(_metadata, r, n * sizeof(r[0]), "LIST of the import");
	for (i = 0; i < n; i++) {
		EXPECT_LT(r[i].file_id, 1ULL << 40);
		EXPECT_LT(r[i].anon_id, 1ULL << 40);
	}
	/* read(): no 16-digit hex number beginning with f */
	lseek(fk.fd, 0, SEEK_SET);
	ASSERT_LT(0, vms_read_all(fk.fd, maps, sizeof(maps)));
	scan_text(_metadata, maps);
	TH_LOG("%lu fields checked", fields_seen);
	EXPECT_EQ(0, kaddr_found);
	close(fk.fd);
	close(fd);
	close(file);
	unlink(path);
}

/* ---- what one user can make the kernel allocate ----------------------------------------------- */

TEST(region_cap)
{
	long max_regions = vms_read_long("/sys/module/vmashadow/parameters/max_regions");
	long mmc = vms_mmc_read();
	struct vmashadow_params p;
	struct vmashadow_stats st;
	unsigned long i;
	long ret = 0;
	int fd;

	ASSERT_LT(0, max_regions);
	fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* the default cap: vm.max_map_count, never above max_regions */
	ASSERT_EQ(0, vms_get_params(fd, &p));
	EXPECT_EQ(mmc < max_regions ? mmc : max_regions, p.max_map_count);
	EXPECT_EQ(-EINVAL, vms_set_max_map_count(fd, max_regions + 1));
	/*
	 * Hit the cap.  do_mmap() refuses when map_count > max_map_count,
	 * before it looks at merges: the kernel lets a process reach
	 * max_map_count + 1 regions by mmap, and the shadow does the same.
	 */
	ASSERT_EQ(0, vms_set_max_map_count(fd, 300));
	for (i = 0; i < 1000; i++) {
		ret = vms_shadow_map(fd, PG(2 * i), PGS(1), RW, ANON | MAP_FIXED, -1, 0, NULL);
		if (ret)
			break;
	}
	EXPECT_EQ(-ENOMEM, ret);
	EXPECT_EQ(301, i);
	ASSERT_EQ(0, vms_stats(fd, &st));
	EXPECT_EQ(301, st.regions);
	EXPECT_EQ(0, vms_validate(fd, NULL));
	/* at the cap even a merging mmap is refused, as do_mmap() does */
	EXPECT_EQ(-ENOMEM, vms_shadow_map(fd, PG(1), PGS(1), RW, ANON | MAP_FIXED, -1, 0, NULL));
	/* below it, filling a hole merges three into one */
	EXPECT_EQ(0, vms_shadow_unmap(fd, PG(600), PGS(1)));
	EXPECT_EQ(0, vms_shadow_map(fd, PG(1), PGS(1), RW, ANON | MAP_FIXED, -1, 0, NULL));
	ASSERT_EQ(0, vms_stats(fd, &st));
	EXPECT_GE(299, st.regions);	/* merged with one side at least */
	EXPECT_EQ(0, vms_validate(fd, NULL));
	close(fd);
	/* a lower max_regions caps new descriptors (root only: the parameter is 0644) */
	if (geteuid() == 0) {
		char old[32];

		snprintf(old, sizeof(old), "%ld", max_regions);
		ASSERT_EQ(0, vms_write_file("/sys/module/vmashadow/parameters/max_regions", "1000"));
		fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
		vms_get_params(fd, &p);
		EXPECT_EQ(-EINVAL, vms_set_max_map_count(fd, 1001));
		EXPECT_EQ(0, vms_set_max_map_count(fd, 1000));
		vms_write_file("/sys/module/vmashadow/parameters/max_regions", old);
		EXPECT_GE(1000, p.max_map_count);
		close(fd);
	}
}

/*
 * A memory cgroup with memory.max of a few MB: a child in it maps regions
 * on a shadow it shares with us until the kernel refuses (or the cgroup's
 * OOM killer ends it).  The charge stays within the limit, the shadow
 * validates, and closing the last descriptor gives it all back.
 */
#define CG	"/sys/fs/cgroup"
#define CGT	CG "/vms-test"

FIXTURE(cg) {
	int dummy;
};

FIXTURE_SETUP(cg)
{
}

FIXTURE_TEARDOWN(cg)
{
	rmdir(CGT);
}

TEST_F_TIMEOUT(cg, memcg_bounds_allocation, 600)
{
	long limit = (vms_debug_kernel() ? 3L : 8L) << 20, current, peak_regions, events_oom = -1;
	struct vmashadow_stats st;
	int fd, status, pfd[2];
	pid_t pid;
	char buf[64];
	long max_regions = vms_read_long("/sys/module/vmashadow/parameters/max_regions");

	if (geteuid()) {
		SKIP(return, "needs root");
	}
	if (access(CG "/cgroup.controllers", F_OK))
		mount("none", CG, "cgroup2", 0, NULL);
	if (access(CG "/cgroup.controllers", F_OK)) {
		SKIP(return, "no cgroup2 here");
	}
	vms_write_file(CG "/cgroup.subtree_control", "+memory");
	rmdir(CGT);
	if (mkdir(CGT, 0755) || access(CGT "/memory.max", F_OK)) {
		SKIP(return, "no memory controller here");
	}
	snprintf(buf, sizeof(buf), "%ld", limit);
	ASSERT_EQ(0, vms_write_file(CGT "/memory.max", buf));
	vms_write_file(CGT "/memory.swap.max", "0");
	fd = open("/dev/vmashadow", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* the cap out of the way: the cgroup must be what stops it */
	ASSERT_EQ(0, vms_set_max_map_count(fd, max_regions));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned long i;
		long ret = 0;
		char c;

		close(pfd[1]);
		read(pfd[0], &c, 1);	/* moved into the cgroup */
		static struct vmashadow_op ops[256];
		struct vmashadow_batch b;
		unsigned int j;

		/* batches of 256 one-page maps, every other page */
		for (i = 0; i < (unsigned long)max_regions; i += 256) {
			for (j = 0; j < 256; j++) {
				memset(&ops[j], 0, sizeof(ops[j]));
				ops[j].size = sizeof(ops[j]);
				ops[j].op = VMASHADOW_OP_MAP;
				ops[j].addr = 0x100000000000UL + 2 * PSZ * (i + j);
				ops[j].len = PSZ;
				ops[j].prot = RW;
				ops[j].flags = ANON | MAP_FIXED;
				ops[j].fd = -1;
			}
			memset(&b, 0, sizeof(b));
			b.size = sizeof(b);
			b.op_size = sizeof(ops[0]);
			b.ops = (unsigned long)ops;
			b.count = 256;
			ret = vms_ioctl(fd, VMASHADOW_IOC_BATCH, &b);
			if (!ret)
				ret = b.error;
			if (ret)
				break;
		}
		_exit(ret == -ENOMEM ? 0 : 10);
	}
	close(pfd[0]);
	snprintf(buf, sizeof(buf), "%d", pid);
	ASSERT_EQ(0, vms_write_file(CGT "/cgroup.procs", buf));
	write(pfd[1], "g", 1);
	close(pfd[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* stopped by -ENOMEM, or by the cgroup's OOM killer */
	ASSERT_TRUE((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
		    (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
		TH_LOG("child status %#x", status);
	{
		FILE *f = fopen(CGT "/memory.events", "r");
		char line[128];

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "oom_kill ", 9))
				events_oom = strtol(line + 9, NULL, 10);
		if (f)
			fclose(f);
	}
	ASSERT_EQ(0, vms_stats(fd, &st));
	peak_regions = st.regions;
	current = vms_read_long(CGT "/memory.current");
	TH_LOG("memory.max %ld: %s after %ld regions; memory.current %ld while open; oom_kill %ld",
	       limit, WIFEXITED(status) ? "-ENOMEM" : "OOM-killed", peak_regions,
	       current, events_oom);
	EXPECT_LT(100, peak_regions);
	EXPECT_GT(max_regions, peak_regions);
	EXPECT_GE(limit, current);
	/* the kernel is fine and so is the shadow; we can still use it */
	EXPECT_EQ(0, vms_validate(fd, NULL));
	EXPECT_EQ(0, vms_shadow_unmap(fd, 0x100000000000UL, PSZ));
	close(fd);
	usleep(300000);
	current = vms_read_long(CGT "/memory.current");
	TH_LOG("memory.current after close: %ld", current);
	EXPECT_GT(limit / 4, current) TH_LOG("the shadow's memory was not given back");
	rmdir(CGT);
}

TEST_HARNESS_MAIN
