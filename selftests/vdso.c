// SPDX-License-Identifier: GPL-2.0
/*
 * vdso: VMASHADOW_IOC_MAP_VDSO against the kernel's map_vdso(), both ways
 * it is reached: arch_prctl(ARCH_MAP_VDSO_64, addr), which CRIU uses to put
 * a vdso back, and exec, which is row 7 of the README's table: with
 * address randomisation on, 6.1 puts [vvar][vdso] on a random page in the
 * 2 MiB above the stack, 6.12 first fit under mmap_base.
 *
 * The exec test runs a dynamically linked program (perl, which the VM
 * carries for the trace tests) with randomisation on, imports it (which
 * takes its random mmap_base and stack), takes its vdso out of the shadow
 * and asks the shadow to place it as exec would.  6.12's answer follows
 * from the imported state alone; 6.1's needs the kernel's random draw,
 * which the test reads back from where the vdso went and the shadow
 * checks is one the kernel can make.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include "vms_test.h"
#include "vms_snap.h"

#ifndef ARCH_MAP_VDSO_64
#define ARCH_MAP_VDSO_64	0x2003
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define PERL		"/usr/bin/perl"
#define ASLR		"/proc/sys/kernel/randomize_va_space"
#define EXEC_RUNS	12
#define TASK_SZ		0x7ffffffff000UL

static long shadow_map_vdso(int fd, unsigned long hint,
			    const struct vms_vdso_at *v, unsigned int op_flags,
			    unsigned long page, unsigned long *out)
{
	struct vmashadow_op op;
	long ret;

	memset(&op, 0, sizeof(op));
	op.addr = hint;
	op.len = v->end - v->vdso;
	op.new_len = v->vdso - v->vvar;
	op.offset = page;
	op.op_flags = op_flags;
	op.fd = -1;
	ret = vms_op(fd, VMASHADOW_IOC_MAP_VDSO, &op);
	*out = ret ? 0 : op.result;
	return ret;
}

/* The real arch_prctl(ARCH_MAP_VDSO_64): the vdso's size, or -errno. */
static long real_map_vdso(unsigned long hint)
{
	long ret = syscall(SYS_arch_prctl, ARCH_MAP_VDSO_64, hint);

	return ret < 0 ? -errno : ret;
}

/*
 * Both sides put the vdso back with @hint: the same errno, and on success
 * the same place and the same lines everywhere.
 */
#define BOTH_MAP_VDSO(expect, hint, v) do {				\
	unsigned long __h = (hint), __s;				\
	long __r = real_map_vdso(__h);					\
	long __sh = shadow_map_vdso(vms_fd, __h, v, 0, 0, &__s);	\
	struct vms_vdso_at __now;						\
	if (__r > 0)							\
		__r = 0;						\
	ASSERT_EQ((long)(expect), __r);					\
	ASSERT_EQ(__r, __sh);						\
	if (!__r) {							\
		ASSERT_LE(0, vms_read_real_maps());			\
		ASSERT_EQ(0, vms_find_vdso(vms_real_maps, &__now));		\
		ASSERT_EQ(__now.vdso, __s);				\
	}								\
	CHECK_RANGE(0, ~0UL);						\
} while (0)

/* Take the vdso away on both sides. */
#define BOTH_UNMAP_VDSO(v) do {						\
	struct vms_vdso_at *__v = (v);					\
	ASSERT_LE(0, vms_read_real_maps());				\
	ASSERT_EQ(0, vms_find_vdso(vms_real_maps, __v));			\
	VMS_CHECK_RES(0, vms_both_unmap(__v->vvar, __v->end - __v->vvar)); \
} while (0)

/*
 * arch_prctl(ARCH_MAP_VDSO_64): refused while a vdso is mapped; after
 * munmap, placed top-down with no hint, at a free hint, and top-down again
 * when the hint's range is taken.  Nothing between the calls may use the
 * vdso (no clock_gettime()).
 */
TEST(arch_prctl)
{
	struct vms_vdso_at v;
	unsigned long n;

	VMS_SETUP();
	if (real_map_vdso(0) == -EINVAL)
		SKIP(return, "no ARCH_MAP_VDSO_64 (CONFIG_CHECKPOINT_RESTORE)");
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, &n));
	ASSERT_LE(0, vms_read_real_maps());
	ASSERT_EQ(0, vms_find_vdso(vms_real_maps, &v));
	BOTH_MAP_VDSO(-EEXIST, 0, &v);

	BOTH_UNMAP_VDSO(&v);
	BOTH_MAP_VDSO(0, 0, &v);

	BOTH_UNMAP_VDSO(&v);
	BOTH_MAP_VDSO(0, PG(100), &v);
	ASSERT_LE(0, vms_read_real_maps());
	ASSERT_EQ(0, vms_find_vdso(vms_real_maps, &v));
	ASSERT_EQ(PG(100), v.vvar);

	/* a hint whose range is partly mapped: the search, as with no hint */
	BOTH_UNMAP_VDSO(&v);
	MAP(0, 200, 10, RW, 0);
	BOTH_MAP_VDSO(0, PG(205), &v);
	ASSERT_LE(0, vms_read_real_maps());
	ASSERT_EQ(0, vms_find_vdso(vms_real_maps, &v));
	ASSERT_NE(PG(205), v.vvar);
}

/* Bad requests change nothing: the errno the module owes them. */
TEST(bad_requests)
{
	struct vms_vdso_at v = { PG(10), PG(14), PG(16) };
	struct vmashadow_params p;
	unsigned long out;

	VMS_SETUP();
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	/* zero or unaligned sizes */
	v.end = v.vdso;
	EXPECT_EQ(-EINVAL, shadow_map_vdso(vms_fd, 0, &v, 0, 0, &out));
	v.end = v.vdso + 100;
	EXPECT_EQ(-EINVAL, shadow_map_vdso(vms_fd, 0, &v, 0, 0, &out));
	v.end = PG(16);
	/* a draw without exec; 6.12 takes none; 6.1's beyond the 2 MiB */
	EXPECT_EQ(-EINVAL, shadow_map_vdso(vms_fd, 0, &v, 0, 1, &out));
	EXPECT_EQ(-EINVAL, shadow_map_vdso(vms_fd, 0, &v, VMASHADOW_OPF_EXEC,
					   p.rules == VMASHADOW_RULES_6_12 ?
					   1 : 513, &out));
	CHECK_LAYOUT("");
	/* then one that works, and the second is refused */
	EXPECT_EQ(0, shadow_map_vdso(vms_fd, PG(10), &v, 0, 0, &out));
	EXPECT_EQ(PG(14), out);
	EXPECT_EQ(-EEXIST, shadow_map_vdso(vms_fd, PG(20), &v, 0, 0, &out));
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));
}

/* A perl that has finished starting and waits on stdin; its pid. */
static pid_t start_perl(int *in)
{
	int up[2], down[2];
	char c;
	pid_t pid;

	/* close-on-exec: perl must see EOF once the test closes its end */
	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC))
		return -1;
	pid = vms_raw_fork();
	if (pid == 0) {
		dup2(down[0], 0);
		dup2(up[1], 1);
		execl(PERL, PERL, "-e", "$| = 1; print \"r\"; <STDIN>;",
		      (char *)NULL);
		_exit(127);
	}
	close(up[1]);
	close(down[0]);
	if (pid < 0 || read(up[0], &c, 1) != 1) {
		close(up[0]);
		close(down[1]);
		return -1;
	}
	close(up[0]);
	*in = down[1];
	return pid;
}

/*
 * 6.1's vdso_addr() from @start, the arg_start that IMPORT read rounded
 * up to a page: the last place it may draw for a pair of @len bytes, the
 * first place being @start itself.
 */
static unsigned long draw_end_61(unsigned long start, unsigned long len)
{
	unsigned long end = (start + len + (2UL << 20) - 1) & ~((2UL << 20) - 1);

	if (end > TASK_SZ)
		end = TASK_SZ;
	end -= len;
	return end > start ? end : start;
}

/*
 * 6.1: the real [vvar] lies in the range of draws the module computes
 * from arg_start (a check of that formula against the kernel), and the
 * shadow refuses the draws just outside it.  Returns the page to give
 * MAP_VDSO: the real draw when the vdso cleared the stack, else the
 * first draw, which lies on the stack as the kernel's did (the stack
 * region holds arg_start), so that the placement falls back alike.
 */
static unsigned long exec_draw_61(struct __test_metadata *_metadata,
				  const struct vmashadow_params *p,
				  const struct vms_vdso_at *v, int run)
{
	unsigned long base = (p->start_stack + VMS_PS - 1) & ~(VMS_PS - 1);
	unsigned long first = (p->arg_start + VMS_PS - 1) & ~(VMS_PS - 1);
	unsigned long last = draw_end_61(first, v->end - v->vvar), out;
	const unsigned int dry = VMASHADOW_OPF_EXEC | VMASHADOW_OPF_DRY_RUN;

	EXPECT_LE(base, first);
	if (v->vvar >= base) {
		EXPECT_TRUE(v->vvar >= first && v->vvar <= last)
			TH_LOG("run %d: real [vvar] %#lx outside the draws %#lx-%#lx",
			       run, v->vvar, first, last);
	}
	if (first > base)
		EXPECT_EQ(-EINVAL, shadow_map_vdso(vms_fd, 0, v, dry,
						   (first - base) / VMS_PS - 1,
						   &out));
	EXPECT_EQ(-EINVAL, shadow_map_vdso(vms_fd, 0, v, dry,
					   (last - base) / VMS_PS + 1, &out));
	return ((v->vvar >= base ? v->vvar : first) - base) / VMS_PS;
}

/*
 * Row 7, exec with randomisation on, several times: the shadow given the
 * process without its vdso places the vdso where exec did.  6.1 says
 * "above the stack" (when the random page clears the stack; else the
 * search), 6.12 "first fit under mmap_base".
 */
TEST(exec_placement)
{
	static char maps[VMS_MAPS_SIZE];
	int i, above = 0, runs = 0, in;
	long aslr = vms_read_long(ASLR);
	struct vmashadow_params p;

	if (access(PERL, X_OK))
		SKIP(return, "no %s in this VM", PERL);
	ASSERT_LE(0, aslr);
	ASSERT_EQ(0, vms_write_file(ASLR, "2"));
	VMS_SETUP();
	for (i = 0; i < EXEC_RUNS; i++) {
		unsigned long n, start, page = 0, out;
		struct vms_vdso_at v;
		char path[32];
		pid_t pid = start_perl(&in);
		int fd;

		ASSERT_LT(0, pid);
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_LT(0, vms_read_all(fd, maps, sizeof(maps)));
		close(fd);
		ASSERT_EQ(0, vms_import(vms_fd, pid, 0, 0, &n));
		close(in);
		VMS_WAIT_CHILD(pid);
		ASSERT_EQ(0, vms_find_vdso(maps, &v));
		ASSERT_EQ(0, vms_shadow_unmap(vms_fd, v.vvar, v.end - v.vvar));
		ASSERT_EQ(0, vms_get_params(vms_fd, &p));
		start = (p.start_stack + VMS_PS - 1) & ~(VMS_PS - 1);
		above += v.vvar >= start;
		/* 6.1's draw: exactly one the kernel could make */
		if (p.rules == VMASHADOW_RULES_6_1)
			page = exec_draw_61(_metadata, &p, &v, i);
		EXPECT_EQ(0, shadow_map_vdso(vms_fd, 0, &v, VMASHADOW_OPF_EXEC,
					     page, &out))
			TH_LOG("run %d: start_stack %#llx mmap_base %#llx page %lu; real [vvar] %#lx [vdso] %#lx-%#lx",
			       i, p.start_stack, p.mmap_base, page, v.vvar,
			       v.vdso, v.end);
		EXPECT_EQ(v.vdso, out)
			TH_LOG("run %d: real %#lx, shadow %#lx; stack %#llx base %#llx",
			       i, v.vdso, out, p.start_stack, p.mmap_base);
		runs++;
	}
	vms_write_file(ASLR, aslr == 2 ? "2" : aslr == 1 ? "1" : "0");
	TH_LOG("%d runs, %d with the vdso above the stack", runs, above);
	/* 6.1's random page clears the stack nearly always; 6.12 has none */
	EXPECT_TRUE(p.rules == VMASHADOW_RULES_6_1 ? above > EXEC_RUNS / 2 :
		    above == 0);
}

TEST_HARNESS_MAIN
