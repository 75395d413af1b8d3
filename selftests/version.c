// SPDX-License-Identifier: GPL-2.0
/*
 * version: the VERSION ioctl and the interface rules every extensible
 * structure follows (ioctl.h): size, reserved fields, flag bits, commands.
 */
#include "vms_test.h"

TEST(version)
{
	struct vmashadow_version v;

	ASSERT_LE(0, vms_open());
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	ASSERT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_VERSION, &v));
	EXPECT_EQ(VMASHADOW_API_MAJOR, v.api_major);
	EXPECT_EQ(VMASHADOW_API_MINOR, v.api_minor);
	/* The default rules are the running kernel's. */
	EXPECT_EQ(vms_rules_of_kernel(), v.rules);
	/* The module version is a NUL-terminated, non-empty string. */
	EXPECT_NE(NULL, memchr(v.module, '\0', sizeof(v.module)));
	EXPECT_NE('\0', v.module[0]);
	TH_LOG("module %.32s api %u.%u rules %u", v.module, v.api_major,
	       v.api_minor, v.rules);
}

TEST(unknown_command)
{
	char buf[256] = { 0 };

	ASSERT_LE(0, vms_open());
	/* A number the interface does not define, in our magic. */
	EXPECT_EQ(-ENOTTY, vms_ioctl(vms_fd, _IOWR(VMASHADOW_IOC_MAGIC, 0x7f,
					      struct vmashadow_version), buf));
	/* Another magic altogether. */
	EXPECT_EQ(-ENOTTY, vms_ioctl(vms_fd, _IOWR('x', 0x00,
					      struct vmashadow_version), buf));
	/* A known number with a wrong size or direction encoded. */
	EXPECT_EQ(-ENOTTY, vms_ioctl(vms_fd, _IO(VMASHADOW_IOC_MAGIC, 0x7e), buf));
}

TEST(size_too_small)
{
	struct vmashadow_version v;
	struct vmashadow_stats st;

	ASSERT_LE(0, vms_open());
	memset(&v, 0, sizeof(v));
	v.size = 0;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_VERSION, &v));
	/* Too small even for the size field and the first output. */
	v.size = 4;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_VERSION, &v));
	memset(&st, 0, sizeof(st));
	st.size = 3;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_STATS, &st));
}

/*
 * A caller compiled with a newer, larger structure: accepted when the tail
 * the module does not know is zero, -E2BIG otherwise.  The ioctl number
 * still encodes the size the module knows, as a newer header would if the
 * struct grew; the size field is what counts.
 */
struct big_stats {
	struct vmashadow_stats st;
	__u64 tail[4];
};

TEST(size_larger)
{
	struct vmashadow_params p;
	struct big_stats b;
	struct {
		struct vmashadow_params p;
		__u64 tail[2];
	} bp;

	ASSERT_LE(0, vms_open());
	memset(&b, 0, sizeof(b));
	b.st.size = sizeof(b);
	EXPECT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_STATS, &b));
	EXPECT_EQ(0, b.st.regions);

	memset(&b, 0, sizeof(b));
	b.st.size = sizeof(b);
	b.tail[3] = 1;
	EXPECT_EQ(-E2BIG, vms_ioctl(vms_fd, VMASHADOW_IOC_STATS, &b));

	/* The same for an input structure. */
	memset(&bp, 0, sizeof(bp));
	bp.p.size = sizeof(bp);
	bp.p.set = VMASHADOW_PARAM_MAX_MAP_COUNT;
	bp.p.max_map_count = 1000;
	EXPECT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_SET_PARAMS, &bp));
	bp.tail[0] = 0x100;
	EXPECT_EQ(-E2BIG, vms_ioctl(vms_fd, VMASHADOW_IOC_SET_PARAMS, &bp));
	/* The refused call changed nothing. */
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(1000, p.max_map_count);
}

/* What older_version() last had back. */
static union {
	struct vmashadow_params	p;
	struct vmashadow_stats	st;
	unsigned char		bytes[512];
} old;

/*
 * @cmd with its structure in an older version of @size bytes (the
 * current one has @full): 0 if it was answered, ->size kept, and not a
 * byte written past @size; else which of those failed (1, 2, 3).
 */
static int older_version(unsigned long cmd, size_t size, size_t full)
{
	size_t i;

	memset(&old, 0xff, sizeof(old));
	memset(&old, 0, size);
	old.p.size = size;
	if (vms_ioctl(vms_fd, cmd, &old))
		return 1;
	if (old.p.size != size)
		return 2;
	for (i = size; i < full; i++)
		if (old.bytes[i] != 0xff)
			return 3;
	return 0;
}

TEST(reserved_and_flags)
{
	struct vmashadow_params p;
	struct vmashadow_stats st;
	struct vmashadow_list l;
	struct vmashadow_explain e;
	struct vmashadow_find f;
	struct vmashadow_op op;

	ASSERT_LE(0, vms_open());

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.__reserved = 1;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_STATS, &st));

	memset(&p, 0, sizeof(p));
	p.__reserved = 1;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_RULES));
	/* Unknown ->set bits. */
	memset(&p, 0, sizeof(p));
	p.rules = vms_rules_of_kernel();
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_ALL + 1));
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_RULES | 0x80000000));
	/*
	 * Every older version of the structures is still read (zero-
	 * extended) and written back no further than it goes: params 0
	 * without rlimit_as, 3 without def_flags and rlimit_memlock, 4
	 * without the data limit and segment, 5 without rlimit_stack, 6
	 * without mems_allowed, 7 without nodes_online, 8 without
	 * arg_start; STATS
	 * 0 without locked_pages, 1 without data_pages.
	 */
	EXPECT_EQ(0, older_version(VMASHADOW_IOC_GET_PARAMS,
				   VMASHADOW_PARAMS_SIZE_VER0, sizeof(p)));
	EXPECT_EQ(vms_rules_of_kernel(), old.p.rules);
	EXPECT_EQ(0, older_version(VMASHADOW_IOC_GET_PARAMS,
				   VMASHADOW_PARAMS_SIZE_VER3, sizeof(p)));
	EXPECT_EQ(0, older_version(VMASHADOW_IOC_GET_PARAMS,
				   VMASHADOW_PARAMS_SIZE_VER4, sizeof(p)));
	EXPECT_EQ(0, older_version(VMASHADOW_IOC_GET_PARAMS,
				   VMASHADOW_PARAMS_SIZE_VER5, sizeof(p)));
	EXPECT_EQ(0, older_version(VMASHADOW_IOC_GET_PARAMS,
				   VMASHADOW_PARAMS_SIZE_VER6, sizeof(p)));
	EXPECT_EQ(0, older_version(VMASHADOW_IOC_GET_PARAMS,
				   VMASHADOW_PARAMS_SIZE_VER7, sizeof(p)));
	EXPECT_EQ(0, older_version(VMASHADOW_IOC_GET_PARAMS,
				   VMASHADOW_PARAMS_SIZE_VER8, sizeof(p)));
	EXPECT_EQ(0, older_version(VMASHADOW_IOC_STATS,
				   VMASHADOW_STATS_SIZE_VER0,
				   sizeof(struct vmashadow_stats)));
	EXPECT_EQ(0, older_version(VMASHADOW_IOC_STATS,
				   VMASHADOW_STATS_SIZE_VER1,
				   sizeof(struct vmashadow_stats)));
	EXPECT_EQ(0, old.st.locked_pages);
	/* RLIMIT_DATA: no soft limit above the hard one, the option 0 or 1 */
	memset(&p, 0, sizeof(p));
	p.rlimit_data = PGS(2);
	p.rlimit_data_max = PGS(1);
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_RLIMIT_DATA));
	p.rlimit_data_max = VMASHADOW_RLIM_INFINITY;
	p.ignore_rlimit_data = 2;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_RLIMIT_DATA));
	p.ignore_rlimit_data = 1;
	p.__reserved3 = 1;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_RLIMIT_DATA));
	p.__reserved3 = 0;
	EXPECT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_RLIMIT_DATA));
	/* the data segment: in order, below TASK_SIZE */
	p.start_data = PG(2);
	p.end_data = PG(1);
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_DATA_SEGMENT));
	p.start_data = 0;
	p.end_data = 0x800000000000UL;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_DATA_SEGMENT));
	p.end_data = PG(1);
	EXPECT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_DATA_SEGMENT));
	/* the nodes allowed: never none */
	p.mems_allowed = 0;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_MEMS_ALLOWED));
	p.mems_allowed = 0x5;
	EXPECT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_MEMS_ALLOWED));
	/* the nodes online: never none either */
	p.nodes_online = 0;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_NODES_ONLINE));
	p.nodes_online = 0x7;
	EXPECT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_NODES_ONLINE));
	/* arg_start: below TASK_SIZE; 0 (not known) is the default */
	p.arg_start = 0x7ffffffff001UL;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_ARG_START));
	p.arg_start = PG(3) + 0x10;
	EXPECT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_ARG_START));
	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(PGS(2), p.rlimit_data);
	EXPECT_EQ(VMASHADOW_RLIM_INFINITY, p.rlimit_data_max);
	EXPECT_EQ(1, p.ignore_rlimit_data);
	EXPECT_EQ(0, p.start_data);
	EXPECT_EQ(PG(1), p.end_data);
	EXPECT_EQ(0x5, p.mems_allowed);
	EXPECT_EQ(0x7, p.nodes_online);
	EXPECT_EQ(PG(3) + 0x10, p.arg_start);
	/* RLIMIT_STACK: any value */
	p.rlimit_stack = PGS(3);
	EXPECT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_RLIMIT_STACK));
	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(PGS(3), p.rlimit_stack);
	/* def_flags: what mlockall() can leave, nothing else */
	memset(&p, 0, sizeof(p));
	p.def_flags = VMASHADOW_VM_LOCKONFAULT;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_DEF_FLAGS));
	p.def_flags = VMASHADOW_VM_LOCKED | VMASHADOW_VM_READ;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_DEF_FLAGS));
	p.def_flags = VMASHADOW_VM_LOCKED | VMASHADOW_VM_LOCKONFAULT;
	EXPECT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_DEF_FLAGS));
	p.def_flags = 0;
	EXPECT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_DEF_FLAGS));
	/* An unknown rule set. */
	p.rules = 99;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_RULES));

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.region_size = sizeof(struct vmashadow_region);
	l.__reserved = 1;
	EXPECT_EQ(-EINVAL, vms_ioctl(vms_fd, VMASHADOW_IOC_LIST, &l));

	/* Unknown op_flags bits on MAP: nothing is mapped. */
	memset(&op, 0, sizeof(op));
	op.addr = PG(1);
	op.len = PGS(1);
	op.prot = PROT_READ;
	op.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	op.fd = -1;
	op.op_flags = 0x100;
	EXPECT_EQ(-EINVAL, vms_op(vms_fd, VMASHADOW_IOC_MAP, &op));
	/* ->op must be zero or match the command. */
	op.op_flags = 0;
	op.op = VMASHADOW_OP_UNMAP;
	EXPECT_EQ(-EINVAL, vms_op(vms_fd, VMASHADOW_IOC_MAP, &op));
	CHECK_LAYOUT("");

	/* Unknown FIND mode, EXPLAIN mode. */
	EXPECT_EQ(-EINVAL, vms_find(vms_fd, 77, PG(0), 0, &f));
	EXPECT_EQ(-EINVAL, vms_explain(vms_fd, 77, PG(0), &e));

	/* A correct op after all this works: the errors changed nothing. */
	op.op = VMASHADOW_OP_MAP;
	EXPECT_EQ(0, vms_op(vms_fd, VMASHADOW_IOC_MAP, &op));
	EXPECT_EQ(0, vms_validate(vms_fd, NULL));
}

/* Every descriptor is its own shadow. */
/*
 * A program built against an older ioctl.h: its GET_PARAMS, SET_PARAMS
 * and STATS carry the older structure's size in their numbers, and must
 * still be answered.  Before the module knew them by all but the size,
 * they got -ENOTTY.
 */
TEST(older_command_numbers)
{
	const unsigned long get_v0 = _IOWR(VMASHADOW_IOC_MAGIC, 0x01,
					   char[VMASHADOW_PARAMS_SIZE_VER0]);
	const unsigned long set_v3 = _IOW(VMASHADOW_IOC_MAGIC, 0x02,
					  char[VMASHADOW_PARAMS_SIZE_VER3]);
	const unsigned long stats_v0 = _IOWR(VMASHADOW_IOC_MAGIC, 0x22,
					     char[VMASHADOW_STATS_SIZE_VER0]);
	struct vmashadow_params p;
	struct vmashadow_stats st;

	ASSERT_LE(0, vms_open());
	memset(&p, 0, sizeof(p));
	p.size = VMASHADOW_PARAMS_SIZE_VER0;
	EXPECT_EQ(0, vms_ioctl(vms_fd, get_v0, &p));
	EXPECT_EQ(vms_rules_of_kernel(), p.rules);

	memset(&p, 0, sizeof(p));
	p.size = VMASHADOW_PARAMS_SIZE_VER3;
	p.set = VMASHADOW_PARAM_MAX_MAP_COUNT;
	p.max_map_count = 77;
	EXPECT_EQ(0, vms_ioctl(vms_fd, set_v3, &p));
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	EXPECT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_GET_PARAMS, &p));
	EXPECT_EQ(77, p.max_map_count);

	memset(&st, 0, sizeof(st));
	st.size = VMASHADOW_STATS_SIZE_VER0;
	EXPECT_EQ(0, vms_ioctl(vms_fd, stats_v0, &st));
	EXPECT_EQ(VMASHADOW_STATS_SIZE_VER0, st.size);

	/* a number smaller than any version stays unknown */
	EXPECT_EQ(-ENOTTY, vms_ioctl(vms_fd, _IOWR(VMASHADOW_IOC_MAGIC, 0x22,
						   char[8]), &st));
	/* and so does another direction */
	EXPECT_EQ(-ENOTTY, vms_ioctl(vms_fd, _IOR(VMASHADOW_IOC_MAGIC, 0x02,
						  struct vmashadow_params), &p));
}

TEST(two_opens_are_independent)
{
	struct vmashadow_stats st;
	int a, b;

	ASSERT_LE(0, a = vms_open());
	ASSERT_LE(0, b = vms_open());
	ASSERT_EQ(0, vms_shadow_map(a, PG(1), PGS(2), PROT_READ,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0,
				    NULL));
	ASSERT_EQ(0, vms_stats(a, &st));
	EXPECT_EQ(1, st.regions);
	ASSERT_EQ(0, vms_stats(b, &st));
	EXPECT_EQ(0, st.regions);
	close(a);
	close(b);
}

TEST_HARNESS_MAIN
