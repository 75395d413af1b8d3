// SPDX-License-Identifier: GPL-2.0
/*
 * mbind: mbind(2) against mm/mempolicy.c of 6.1 and 6.12.
 *
 * A memory policy decides where pages come from, which the shadow does
 * not model; what it models is what a policy does to the regions.
 * mbind_range() splits a region at the range's edges and merges it with
 * a neighbour whose policy is equal (mpol_equal()), and afterwards the
 * policy is hidden state that keeps regions apart: an mmap() beside a
 * region with a policy, an mprotect() that makes it like its neighbour,
 * an mremap() that moves it next to one, all leave two lines in
 * /proc/self/maps where nothing visible tells them apart.
 *
 * Every call is made for real in the window and as VMASHADOW_IOC_MBIND on
 * the shadow: both must give the same errno and the same maps.  The
 * policies themselves are invisible in maps: the real side is read with
 * get_mempolicy(MPOL_F_ADDR) at the start of each region, and the shadow
 * must report VMASHADOW_STATE_POLICY for exactly the regions that have
 * one.  The modes are checked against the expected letters: '-' none,
 * 'B' bind, 'I' interleave, 'P' preferred, 'L' local, 'M' preferred
 * many, 'W' weighted interleave.
 *
 * The test VMs have one NUMA node, node 0 (6.1 and 6.12 are built with
 * CONFIG_NUMA).  A kernel without NUMA has no mbind(2) at all (-ENOSYS):
 * every test skips there.  Where 6.1 and 6.12 differ (6.12 knows
 * MPOL_WEIGHTED_INTERLEAVE and takes MPOL_F_NUMA_BALANCING with
 * MPOL_PREFERRED_MANY), the rules VERSION reports decide what to expect.
 *
 * set_mempolicy_home_node(2) gives the policies of a range a home node,
 * through the same loop as mbind(): the home node is invisible too (not
 * in get_mempolicy(), not in numa_maps), and the tests see it in the
 * regions it keeps apart or lets join.  Node 0 is the only node online.
 *
 * Nothing between a real call and the reading of the maps may allocate:
 * no stdio, no malloc.
 */
#include <linux/mempolicy.h>

#include "vms_test.h"
#include "vms_snap.h"

#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE	6	/* 6.9 and later */
#endif
#ifndef SYS_get_mempolicy
#define SYS_get_mempolicy	239
#endif
#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node	450
#endif
#ifndef CAP_SYS_NICE
#define CAP_SYS_NICE		23
#endif

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)

#define BIND	MPOL_BIND
#define ILV	MPOL_INTERLEAVE
#define PREF	MPOL_PREFERRED
#define LOCAL	MPOL_LOCAL
#define MANY	MPOL_PREFERRED_MANY
#define WILV	MPOL_WEIGHTED_INTERLEAVE
#define STATIC	MPOL_F_STATIC_NODES
#define RELATIVE MPOL_F_RELATIVE_NODES
#define BALANCE	MPOL_F_NUMA_BALANCING

/* Node masks: node 0 is the VM's only node, node 1 does not exist. */
#define N0	0x1ULL
#define N1	0x2ULL
#define N01	0x3ULL
/* maxnode for nodes 0-63: one more than the bits it covers */
#define MAXN	65UL
/* get_nodes(): at most a page of bits */
#define MAXN_PAGE	(VMS_PS * 8 + 1)

/* ---- the real side ------------------------------------------------------- */

/*
 * The mode (with its MPOL_F_* bits) of the VMA holding @addr, or -errno;
 * and in @mask (if not NULL) the first word of its node mask, as
 * get_mempolicy(MPOL_F_ADDR) gives it.
 */
static unsigned long real_mask[1024 / 64];

static long real_policy_mask(unsigned long addr, __u64 *mask)
{
	int mode = -1;

	memset(real_mask, 0, sizeof(real_mask));
	if (syscall(SYS_get_mempolicy, &mode, mask ? real_mask : NULL,
		    mask ? 1024UL : 0UL, addr, MPOL_F_ADDR))
		return -errno;
	if (mask)
		*mask = real_mask[0];
	return mode;
}

static long real_policy(unsigned long addr)
{
	return real_policy_mask(addr, NULL);
}

/* ---- the shadow's side --------------------------------------------------- */

/* The last MBIND done on the shadow, with its out fields. */
static struct vmashadow_op last;

/* MBIND on the shadow, made in last. */
static long shadow_mbind(int fd, unsigned long addr, unsigned long len,
			 unsigned int mode, __u64 mask, unsigned long maxnode,
			 unsigned int flags, unsigned int op_flags)
{
	return vms_shadow_mbind(fd, &last, addr, len, mode, mask, maxnode,
				flags, op_flags);
}

/* mbind(2) on both sides, the shadow's op in last. */
#define both_mbind(...)	vms_both_mbind(&last, __VA_ARGS__)

#define MBINDF(expect, pg, npg, mode, mask, maxnode, flags)		\
	VMS_CHECK_RES(expect, both_mbind(PG(pg), PGS(npg), mode, mask,	\
					 maxnode, flags))
#define MBIND(expect, pg, npg, mode, mask, maxnode)			\
	MBINDF(expect, pg, npg, mode, mask, maxnode, 0)
/* The policy most tests use: MPOL_BIND to node 0. */
#define BIND0(expect, pg, npg)	MBIND(expect, pg, npg, BIND, N0, MAXN)
#define DEFAULT(expect, pg, npg) MBIND(expect, pg, npg, MPOL_DEFAULT, 0, 0)

/* The out fields of the last MBIND: regions after it, merges, splits. */
#define CHECK_COUNTS(count, m, s)	VMS_CHECK_COUNTS(last, count, m, s)

/* ---- set_mempolicy_home_node(2), both sides ------------------------------ */

static long shadow_home(int fd, unsigned long addr, unsigned long len,
			unsigned long node, unsigned int flags,
			unsigned int op_flags)
{
	return vms_op(fd, VMASHADOW_IOC_HOME_NODE,
		      vms_op_init(&last, addr, len, node, flags, op_flags));
}

static struct vms_res both_home(unsigned long addr, unsigned long len,
				unsigned long node, unsigned int flags)
{
	struct vms_res r = { 0 };

	r.real = vms_sys(syscall(SYS_set_mempolicy_home_node, addr, len,
				 node, (unsigned long)flags));
	r.shadow = shadow_home(vms_fd, addr, len, node, flags, 0);
	return r;
}

#define HOMEF(expect, pg, npg, node, flags)				\
	VMS_CHECK_RES(expect, both_home(PG(pg), PGS(npg), node, flags))
#define HOME(expect, pg, npg, node)	HOMEF(expect, pg, npg, node, 0)

/* A node list of sysfs ("0", "0-1,3") as a mask of nodes 0-63; 0 if none. */
static __u64 sysfs_nodes(const char *path)
{
	char buf[256], *p = buf;
	unsigned long lo, hi;
	__u64 mask = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	while (*p >= '0' && *p <= '9') {
		lo = hi = strtoul(p, &p, 10);
		if (*p == '-')
			hi = strtoul(p + 1, &p, 10);
		for (; lo <= hi && lo < 64; lo++)
			mask |= 1ULL << lo;
		if (*p == ',')
			p++;
	}
	return mask;
}

/* ---- policies, region by region ------------------------------------------ */

static struct vmashadow_region regions[VMS_SNAP_REGIONS];
static char real_pols[256], real_has[256], shadow_has[256];
/* "mode/mask" of each region, real and as the shadow's GET_POLICY says */
static char real_full[4096], shadow_full[4096];

static long shadow_policy(int fd, unsigned long addr,
			  struct vmashadow_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->addr = addr;
	return vms_ioctl(fd, VMASHADOW_IOC_GET_POLICY, p);
}

/*
 * What get_mempolicy(MPOL_F_ADDR) would say of the shadow's region at
 * @addr: the mode with its flags, and the nodes as given where a mode
 * flag keeps them (mpol_store_user_nodemask(): MPOL_F_NUMA_BALANCING as
 * well), else the nodes in force.
 */
static int shadow_full_at(unsigned long addr, char *out, size_t size)
{
	struct vmashadow_policy p;
	long err = shadow_policy(vms_fd, addr, &p);

	if (err)
		return snprintf(out, size, " err%ld", err);
	return snprintf(out, size, " %u/%llx", p.mode | p.mode_flags,
			(unsigned long long)(p.mode_flags ? p.user_nodes :
							    p.nodes));
}

static char letter(long mode)
{
	if (mode < 0)
		return '?';
	switch (mode & ~MPOL_MODE_FLAGS) {
	case MPOL_DEFAULT:
		return '-';
	case MPOL_PREFERRED:
		return 'P';
	case MPOL_BIND:
		return 'B';
	case MPOL_INTERLEAVE:
		return 'I';
	case MPOL_LOCAL:
		return 'L';
	case MPOL_PREFERRED_MANY:
		return 'M';
	case MPOL_WEIGHTED_INTERLEAVE:
		return 'W';
	}
	return '?';
}

/*
 * One character per region of the window: the real VMA's policy
 * (real_pols), whether it has one (real_has: '+' or '-'), and whether
 * the shadow's region says it has (shadow_has).  The real regions are
 * the lines of the last snapshot, the shadow's those LIST gives.
 */
static long take_policies(void)
{
	const char *line = vms_real_win;
	size_t i = 0, rf = 0, sf = 0;
	long n, k, mode;
	__u64 mask;

	while (*line && i + 1 < sizeof(real_pols) &&
	       rf + 64 < sizeof(real_full) && sf + 64 < sizeof(shadow_full)) {
		const char *p = line;
		unsigned long start = vms_hex(&p);

		mode = real_policy_mask(start, &mask);
		real_pols[i] = letter(mode);
		real_has[i] = real_pols[i] == '-' ? '-' : '+';
		rf += snprintf(real_full + rf, sizeof(real_full) - rf,
			       " %ld/%llx", mode, (unsigned long long)mask);
		sf += shadow_full_at(start, shadow_full + sf,
				     sizeof(shadow_full) - sf);
		i++;
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	real_pols[i] = real_has[i] = '\0';
	real_full[rf] = shadow_full[sf] = '\0';

	n = vms_list_all(vms_fd, regions, VMS_SNAP_REGIONS);
	if (n < 0)
		return n;
	for (i = 0, k = 0; k < n && i + 1 < sizeof(shadow_has); k++) {
		if (regions[k].start < VMS_WIN ||
		    regions[k].start >= PG(VMS_WIN_PAGES))
			continue;
		shadow_has[i++] = regions[k].state & VMASHADOW_STATE_POLICY ?
				  '+' : '-';
	}
	shadow_has[i] = '\0';
	return 0;
}

/*
 * The window holds @layout on both sides, the real regions have the
 * policies @pols, and the shadow marks the same regions as having one.
 */
#define CHECK(layout, pols) do {					\
	CHECK_LAYOUT(layout);						\
	ASSERT_EQ(0, take_policies());					\
	EXPECT_STREQ(pols, real_pols)					\
		TH_LOG("real policies of %s", vms_real_layout);		\
	ASSERT_STREQ(real_has, shadow_has)				\
		TH_LOG("STATE_POLICY of %s (real %s)", vms_real_layout,	\
		       real_pols);					\
	ASSERT_STREQ(real_full, shadow_full)				\
		TH_LOG("policies (mode/nodes) of %s", vms_real_layout);	\
} while (0)

/*
 * The regions meeting at page @pg could be one but for their policies:
 * EXPLAIN_AT names the policy.
 */
#define CHECK_WHY_POLICY(pg) do {					\
	struct vmashadow_explain __e;					\
	const struct vmashadow_explain_side *__s;			\
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_AT, PG(pg), &__e)); \
	__s = __e.prev.verdict == VMASHADOW_VERDICT_REFUSED ?		\
	      &__e.prev : &__e.next;					\
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, __s->verdict);		\
	EXPECT_EQ(VMASHADOW_WHY_POLICY, __s->why)			\
		TH_LOG("EXPLAIN_AT page %d: why %u", (int)(pg), __s->why); \
	EXPECT_EQ(PG(pg), __e.prev.end);				\
	EXPECT_EQ(PG(pg), __e.next.start);				\
} while (0)

/* ---- setup --------------------------------------------------------------- */

/* The rules of the running kernel, as VERSION reports them. */
static unsigned int kernel_rules(void)
{
	struct vmashadow_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	if (vms_ioctl(vms_fd, VMASHADOW_IOC_VERSION, &v))
		return 0;
	return v.rules;
}

/*
 * A length of 0 succeeds wherever mbind(2) exists; a kernel without NUMA
 * has none.  What the shadow answers there is logged.
 */
#define SETUP() do {							\
	VMS_SETUP();							\
	if (syscall(SYS_mbind, 0UL, 0UL, 0UL, NULL, 0UL, 0UL)) {	\
		ASSERT_EQ(ENOSYS, errno);				\
		SKIP(return, "no mbind(2): a kernel without NUMA "	\
		     "(the shadow's MBIND of nothing gives %ld)",	\
		     shadow_mbind(vms_fd, 0, 0, 0, 0, 0, 0, 0));	\
	}								\
} while (0)

/* ---- splits and merges --------------------------------------------------- */

/*
 *   0123456789
 *    AAAAAA        rw-
 *      BB          bind the middle: two splits, three regions
 *    AAAAAA        MPOL_DEFAULT over it: both neighbours join (case 6)
 *      BB          the same once the region has an anon_vma: its pieces
 *    AAAAAA        share it and still join
 *
 * A dry run of the split predicts its counts and changes nothing.
 */
TEST(split_and_merge_back)
{
	struct vmashadow_explain e;
	struct vmashadow_op dry;
	long n0;

	SETUP();
	MAP(0, 1, 6, RW, 0);
	n0 = vms_shadow_map_count(vms_fd);

	ASSERT_EQ(0, shadow_mbind(vms_fd, PG(3), PGS(2), BIND, N0, MAXN, 0,
				  VMASHADOW_OPF_DRY_RUN));
	dry = last;
	EXPECT_EQ(n0 + 2, dry.map_count);
	EXPECT_EQ(0, dry.merges);
	EXPECT_EQ(2, dry.splits);
	CHECK("1-7:rw-p", "-");

	BIND0(0, 3, 2);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "-B-");
	CHECK_COUNTS(n0 + 2, 0, 2);
	EXPECT_EQ(dry.map_count, last.map_count);
	EXPECT_TRUE(vms_region_at(3).state & VMASHADOW_STATE_POLICY);
	EXPECT_FALSE(vms_region_at(1).state & VMASHADOW_STATE_POLICY);
	/* the policy is not a flag: the three have the same vm_flags */
	EXPECT_EQ(FLAGS(1), FLAGS(3));
	EXPECT_EQ(FLAGS(5), FLAGS(3));
	CHECK_WHY_POLICY(3);
	CHECK_WHY_POLICY(5);

	/* the same policy again changes nothing, not even the counters */
	BIND0(0, 3, 2);
	CHECK_COUNTS(n0 + 2, 0, 0);
	BIND0(0, 3, 1);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "-B-");

	DEFAULT(0, 3, 2);
	CHECK("1-7:rw-p", "-");
	CHECK_COUNTS(n0, 2, 0);
	CHECK_CASE(6);
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &e));
	EXPECT_EQ(VMASHADOW_OP_MBIND, e.op);
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_VERDICT_MERGED, e.next.verdict);

	TOUCH(1);
	MBIND(0, 3, 2, ILV, N0, MAXN);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "-I-");
	EXPECT_EQ(vms_region_at(1).anon_id, vms_region_at(3).anon_id);
	DEFAULT(0, 1, 6);
	CHECK("1-7:rw-p", "-");
	CHECK_COUNTS(n0, 2, 0);
}

/*
 * A range over several regions and their edges: each piece gets the
 * policy, the outer two split, and a neighbour with the same flags and
 * policy joins.
 *
 *   0123456789
 *    AAABBB        A rw-, B r--
 *     xxxx         bind 2-6: four pieces
 *    AxxxxB        bind 1-7 (A rw, B r): A's pieces join, B's too
 */
TEST(across_regions)
{
	SETUP();
	MAP(0, 1, 3, RW, 0);
	MAP(0, 4, 3, R, 0);
	BIND0(0, 2, 4);
	CHECK("1-2:rw-p 2-4:rw-p 4-6:r--p 6-7:r--p", "-BB-");
	EXPECT_EQ(2, last.splits);
	BIND0(0, 1, 6);
	CHECK("1-4:rw-p 4-7:r--p", "BB");
	EXPECT_EQ(2, last.merges);
	/* and away again: two regions, they differ in their flags */
	DEFAULT(0, 1, 6);
	CHECK("1-4:rw-p 4-7:r--p", "--");
}

/*
 * An mmap beside a region with a policy does not join it; the same mmap
 * beside one without does.
 *
 *   0         1
 *   0123456789012345
 *    AABB                B mapped next to A: one region
 *          PPPP          bind P whole: no split, still one region
 *        xx    yy        x and y mapped beside it: three regions
 *              yy        y bound too: joins P
 */
TEST(mmap_beside_policy)
{
	struct vmashadow_explain e;

	SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 3, 2, RW, 0);
	CHECK("1-5:rw-p", "-");

	MAP(0, 8, 4, RW, 0);
	BIND0(0, 8, 4);
	CHECK("1-5:rw-p 8-12:rw-p", "-B");
	EXPECT_EQ(0, last.splits);
	EXPECT_TRUE(vms_region_at(8).state & VMASHADOW_STATE_POLICY);

	MAP(0, 12, 2, RW, 0);
	CHECK("1-5:rw-p 8-12:rw-p 12-14:rw-p", "-B-");
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &e));
	EXPECT_EQ(VMASHADOW_OP_MAP, e.op);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_WHY_POLICY, e.prev.why);
	CHECK_CASE(0);
	MAP(0, 6, 2, RW, 0);
	CHECK("1-5:rw-p 6-8:rw-p 8-12:rw-p 12-14:rw-p", "--B-");
	CHECK_WHY_POLICY(8);
	CHECK_WHY_POLICY(12);
	EXPECT_FALSE(vms_region_at(12).state & VMASHADOW_STATE_POLICY);
	EXPECT_FALSE(vms_region_at(6).state & VMASHADOW_STATE_POLICY);
	EXPECT_EQ(FLAGS(6), FLAGS(8));
	EXPECT_EQ(FLAGS(12), FLAGS(8));

	BIND0(0, 12, 2);
	CHECK("1-5:rw-p 6-8:rw-p 8-14:rw-p", "--B");
	EXPECT_EQ(1, last.merges);
	/* the same over the lower one: all three join */
	BIND0(0, 6, 2);
	CHECK("1-5:rw-p 6-14:rw-p", "-B");
}

/*
 * mprotect() that makes a region with a policy like its neighbour leaves
 * two regions; without the policy the same calls merge them back.
 *
 *   0         1
 *   0123456789012345
 *    AABB      CCDD      B bound; D not
 *      rr        rr      both read-only, then rw- again
 *    AABB      CCCC      only C and D join
 */
TEST(mprotect_keeps_apart)
{
	struct vmashadow_explain e;

	SETUP();
	MAP(0, 1, 4, RW, 0);
	MAP(0, 11, 4, RW, 0);
	BIND0(0, 3, 2);
	PROTECT(0, 3, 2, R);
	PROTECT(0, 13, 2, R);
	CHECK("1-3:rw-p 3-5:r--p 11-13:rw-p 13-15:r--p", "-B--");
	PROTECT(0, 3, 2, RW);
	ASSERT_EQ(0, vms_explain(vms_fd, VMASHADOW_EXPLAIN_LAST, 0, &e));
	EXPECT_EQ(VMASHADOW_OP_PROTECT, e.op);
	EXPECT_EQ(VMASHADOW_VERDICT_REFUSED, e.prev.verdict);
	EXPECT_EQ(VMASHADOW_WHY_POLICY, e.prev.why);
	PROTECT(0, 13, 2, RW);
	CHECK("1-3:rw-p 3-5:rw-p 11-15:rw-p", "-B-");
	CHECK_WHY_POLICY(3);
	/* the whole range in one call: still two */
	PROTECT(0, 1, 4, R);
	PROTECT(0, 11, 4, R);
	CHECK("1-3:r--p 3-5:r--p 11-15:r--p", "-B-");
	CHECK_WHY_POLICY(3);
}

/* ---- which policies are equal -------------------------------------------- */

struct pol {
	unsigned int mode;	/* with its MPOL_F_* bits */
	__u64 mask;
	unsigned long maxnode;
	char letter;		/* what get_mempolicy() then reports */
};

FIXTURE(pair) {
	unsigned int rules;
};

/*
 * Two policies given to the two halves of a region: @same says whether
 * mpol_equal() takes them for one.  @need_6_12: a mode or flag 6.1 does
 * not know.
 */
FIXTURE_VARIANT(pair) {
	struct pol a, b;
	int same;
	int need_6_12;
};

/* different modes */
FIXTURE_VARIANT_ADD(pair, bind_interleave) {
	.a = { BIND, N0, MAXN, 'B' }, .b = { ILV, N0, MAXN, 'I' },
};
FIXTURE_VARIANT_ADD(pair, bind_preferred) {
	.a = { BIND, N0, MAXN, 'B' }, .b = { PREF, N0, MAXN, 'P' },
};
FIXTURE_VARIANT_ADD(pair, bind_preferred_many) {
	.a = { BIND, N0, MAXN, 'B' }, .b = { MANY, N0, MAXN, 'M' },
};
FIXTURE_VARIANT_ADD(pair, preferred_local) {
	.a = { PREF, N0, MAXN, 'P' }, .b = { LOCAL, 0, 0, 'L' },
};
FIXTURE_VARIANT_ADD(pair, interleave_weighted) {
	.a = { ILV, N0, MAXN, 'I' }, .b = { WILV, N0, MAXN, 'W' },
	.need_6_12 = 1,
};
/* different mode flags */
FIXTURE_VARIANT_ADD(pair, bind_static) {
	.a = { BIND, N0, MAXN, 'B' }, .b = { BIND | STATIC, N0, MAXN, 'B' },
};
FIXTURE_VARIANT_ADD(pair, static_relative) {
	.a = { BIND | STATIC, N0, MAXN, 'B' },
	.b = { BIND | RELATIVE, N0, MAXN, 'B' },
};
FIXTURE_VARIANT_ADD(pair, bind_balancing) {
	.a = { BIND, N0, MAXN, 'B' }, .b = { BIND | BALANCE, N0, MAXN, 'B' },
};
FIXTURE_VARIANT_ADD(pair, many_balancing) {
	.a = { MANY, N0, MAXN, 'M' }, .b = { MANY | BALANCE, N0, MAXN, 'M' },
	.need_6_12 = 1,
};
/*
 * The nodes as the caller gave them count where a mode flag keeps them
 * (mpol_store_user_nodemask()), though both come to node 0.
 */
FIXTURE_VARIANT_ADD(pair, static_masks) {
	.a = { BIND | STATIC, N0, MAXN, 'B' },
	.b = { BIND | STATIC, N01, MAXN, 'B' },
};
FIXTURE_VARIANT_ADD(pair, relative_masks) {
	.a = { BIND | RELATIVE, N0, MAXN, 'B' },
	.b = { BIND | RELATIVE, N1, MAXN, 'B' },
};
FIXTURE_VARIANT_ADD(pair, balancing_masks) {
	.a = { BIND | BALANCE, N0, MAXN, 'B' },
	.b = { BIND | BALANCE, N01, MAXN, 'B' },
};
/* equal: the same nodes once the absent ones are gone */
FIXTURE_VARIANT_ADD(pair, bind_same) {
	.a = { BIND, N0, MAXN, 'B' }, .b = { BIND, N0, 2, 'B' }, .same = 1,
};
FIXTURE_VARIANT_ADD(pair, bind_absent_node) {
	.a = { BIND, N0, MAXN, 'B' }, .b = { BIND, N01, 3, 'B' }, .same = 1,
};
/* maxnode cuts the nodes the caller gave: node 40 is not kept, or is */
FIXTURE_VARIANT_ADD(pair, static_cut_by_maxnode) {
	.a = { BIND | STATIC, N0, MAXN, 'B' },
	.b = { BIND | STATIC, N0 | (1ULL << 40), 30, 'B' }, .same = 1,
};
FIXTURE_VARIANT_ADD(pair, static_kept_by_maxnode) {
	.a = { BIND | STATIC, N0, MAXN, 'B' },
	.b = { BIND | STATIC, N0 | (1ULL << 40), 42, 'B' },
};
FIXTURE_VARIANT_ADD(pair, interleave_same) {
	.a = { ILV, N0, MAXN, 'I' }, .b = { ILV, N01, MAXN, 'I' }, .same = 1,
};
FIXTURE_VARIANT_ADD(pair, preferred_first_node) {
	.a = { PREF, N0, MAXN, 'P' }, .b = { PREF, N01, MAXN, 'P' },
	.same = 1,
};
FIXTURE_VARIANT_ADD(pair, static_same) {
	.a = { BIND | STATIC, N01, MAXN, 'B' },
	.b = { BIND | STATIC, N01, 3, 'B' }, .same = 1,
};
FIXTURE_VARIANT_ADD(pair, relative_same) {
	.a = { BIND | RELATIVE, N1, MAXN, 'B' },
	.b = { BIND | RELATIVE, N1, 3, 'B' }, .same = 1,
};
FIXTURE_VARIANT_ADD(pair, weighted_same) {
	.a = { WILV, N0, MAXN, 'W' }, .b = { WILV, N01, 3, 'W' }, .same = 1,
	.need_6_12 = 1,
};
/* MPOL_PREFERRED of no node is MPOL_LOCAL, either way round */
FIXTURE_VARIANT_ADD(pair, preferred_empty_local) {
	.a = { PREF, 0, MAXN, 'L' }, .b = { LOCAL, 0, 0, 'L' }, .same = 1,
};
FIXTURE_VARIANT_ADD(pair, local_preferred_empty) {
	.a = { LOCAL, 0, MAXN, 'L' }, .b = { PREF, 0, 0, 'L' }, .same = 1,
};
FIXTURE_VARIANT_ADD(pair, preferred_masked_local) {
	.a = { LOCAL, 0, 0, 'L' }, .b = { PREF, N0, 1, 'L' }, .same = 1,
};

FIXTURE_SETUP(pair)
{
	VMS_SETUP();
	self->rules = kernel_rules();
	ASSERT_NE(0, self->rules);
}

FIXTURE_TEARDOWN(pair)
{
}

/*
 *   0123456
 *    aabb          a and b to the halves of one region
 *    aaaa          if equal, one region
 *    aabb          else two, and EXPLAIN_AT names the policy;
 *    bbbb          then b over the whole joins them
 */
TEST_F(pair, halves)
{
	const struct pol *a = &variant->a, *b = &variant->b;
	char pols[4];

	if (syscall(SYS_mbind, 0UL, 0UL, 0UL, NULL, 0UL, 0UL))
		SKIP(return, "no mbind(2): a kernel without NUMA");
	MAP(0, 1, 4, RW, 0);
	if (variant->need_6_12 && self->rules != VMASHADOW_RULES_6_12) {
		/* 6.1 knows neither the mode nor the flag here */
		MBIND(-EINVAL, 3, 2, b->mode, b->mask, b->maxnode);
		CHECK("1-5:rw-p", "-");
		return;
	}
	MBIND(0, 1, 2, a->mode, a->mask, a->maxnode);
	pols[0] = a->letter;
	pols[1] = '-';
	pols[2] = '\0';
	CHECK("1-3:rw-p 3-5:rw-p", pols);
	MBIND(0, 3, 2, b->mode, b->mask, b->maxnode);
	if (variant->same) {
		pols[1] = '\0';
		CHECK("1-5:rw-p", pols);
		EXPECT_EQ(1, last.merges);
	} else {
		pols[1] = b->letter;
		CHECK("1-3:rw-p 3-5:rw-p", pols);
		EXPECT_EQ(0, last.merges);
		CHECK_WHY_POLICY(3);
	}
	MBIND(0, 1, 4, b->mode, b->mask, b->maxnode);
	pols[0] = b->letter;
	pols[1] = '\0';
	CHECK("1-5:rw-p", pols);
}

/* ---- errors -------------------------------------------------------------- */

static struct vms_snap before;

/*
 * The layout and policies every error below leaves in place:
 *
 *   0         1
 *   0123456789012
 *    AA  BB CBCC       A, B, C rw-; page 9 bound
 */
#define E_LAYOUT	"1-3:rw-p 5-7:rw-p 8-9:rw-p 9-10:rw-p 10-12:rw-p"
#define E_POLS		"---B-"

/* A call, @res, that gives @expect on both sides and changes nothing. */
#define UNCHANGED_BY(expect, res) do {					\
	ASSERT_EQ(0, vms_snap_take(vms_fd, &before));			\
	VMS_CHECK_RES(expect, res);					\
	VMS_UNCHANGED(vms_fd, &before, "mbind");			\
	CHECK(E_LAYOUT, E_POLS);					\
} while (0)

#define UNCHANGED(expect, addr, len, mode, mask, maxnode, flags)	\
	UNCHANGED_BY(expect, both_mbind(addr, len, mode, mask, maxnode, flags))

/* The same in window pages. */
#define UNCHANGED_PG(expect, pg, npg, mode, mask, maxnode, flags)	\
	UNCHANGED(expect, PG(pg), PGS(npg), mode, mask, maxnode, flags)

/*
 * mbind(2) on both sides with a mask that names no node but is given, not
 * NULL: VMASHADOW_OPF_NODEMASK on the shadow's side (interface 1.9).
 */
static struct vms_res both_mbind_empty(unsigned long addr, unsigned long len,
				       unsigned int mode, unsigned long maxnode)
{
	struct vms_res r = { 0 };

	memset(vms_real_nodes, 0, sizeof(vms_real_nodes));
	r.real = vms_sys(syscall(SYS_mbind, addr, len, (unsigned long)mode,
				 vms_real_nodes, maxnode, 0UL));
	r.shadow = shadow_mbind(vms_fd, addr, len, mode, 0, maxnode, 0,
				VMASHADOW_OPF_NODEMASK);
	return r;
}

#define EMPTY_UNCHANGED_PG(expect, pg, npg, mode, maxnode)		\
	UNCHANGED_BY(expect, both_mbind_empty(PG(pg), PGS(npg), mode, maxnode))

/*
 * queue_pages_range(): the range must be mapped without a hole, else
 * -EFAULT before anything changes; for MPOL_DEFAULT one region meeting it
 * is enough.
 */
TEST(holes)
{
	SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	MAP(0, 8, 4, RW, 0);
	BIND0(0, 9, 1);
	CHECK(E_LAYOUT, E_POLS);

	/* a hole at the head, in the middle, at the tail */
	UNCHANGED_PG(-EFAULT, 0, 3, BIND, N0, MAXN, 0);
	UNCHANGED_PG(-EFAULT, 1, 6, BIND, N0, MAXN, 0);
	UNCHANGED_PG(-EFAULT, 5, 4, BIND, N0, MAXN, 0);
	UNCHANGED_PG(-EFAULT, 8, 5, BIND, N0, MAXN, 0);
	UNCHANGED_PG(-EFAULT, 1, 12, MPOL_LOCAL, 0, 0, 0);
	/* nothing mapped at all: -EFAULT, even for the default */
	UNCHANGED_PG(-EFAULT, 3, 2, BIND, N0, MAXN, 0);
	UNCHANGED_PG(-EFAULT, 3, 2, MPOL_DEFAULT, 0, 0, 0);
	UNCHANGED_PG(-EFAULT, 13, 20, MPOL_DEFAULT, 0, 0, 0);
	UNCHANGED_PG(-EFAULT, 7, 1, MPOL_DEFAULT, 0, 0, MPOL_MF_STRICT);
	/* the default over holes and regions without a policy: done */
	UNCHANGED_PG(0, 0, 4, MPOL_DEFAULT, 0, 0, 0);
	UNCHANGED_PG(0, 0, 9, MPOL_DEFAULT, 0, 0, MPOL_MF_STRICT);
	/* and over the bound page too: it joins both neighbours */
	DEFAULT(0, 0, 20);
	CHECK("1-3:rw-p 5-7:rw-p 8-12:rw-p", "---");
	EXPECT_EQ(2, last.merges);
}

/*
 * The argument checks, in kernel_mbind()'s and do_mbind()'s order: the
 * mode, the node mask, the MPOL_MF flags, the start, the length, then
 * mpol_new() and the nodes allowed, and only then the range.
 */
TEST(bad_arguments)
{
	unsigned int rules;
	long on_6_12;

	SETUP();
	rules = kernel_rules();
	ASSERT_NE(0, rules);
	/* what 6.12 takes and 6.1 refuses gets to the range check there */
	on_6_12 = rules == VMASHADOW_RULES_6_12 ? -EFAULT : -EINVAL;
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 2, RW, 0);
	MAP(0, 8, 4, RW, 0);
	BIND0(0, 9, 1);
	CHECK(E_LAYOUT, E_POLS);

	/* the start must be page aligned, even for nothing at all */
	UNCHANGED(-EINVAL, PG(1) + 1, PGS(1), BIND, N0, MAXN, 0);
	UNCHANGED(-EINVAL, PG(3) + 8, PGS(1), BIND, N0, MAXN, 0);
	UNCHANGED(-EINVAL, PG(1) + 1, 0, BIND, N0, MAXN, 0);
	/* the length rounds up; a range that wraps is invalid */
	UNCHANGED(-EFAULT, PG(9), PGS(3) + 1, BIND, N0, MAXN, 0);
	UNCHANGED(0, PG(9), 1, BIND, N0, MAXN, 0);
	UNCHANGED(-EINVAL, PG(1), -PG(1), BIND, N0, MAXN, 0);
	/* a length of 0, or one that rounds up to 0: nothing to do */
	UNCHANGED_PG(0, 3, 0, BIND, N0, MAXN, 0);
	UNCHANGED_PG(0, 1, 0, BIND, 0, 0, 0);
	UNCHANGED(0, PG(1), ~0UL, BIND, N0, MAXN, 0);

	/* modes: 6 is MPOL_WEIGHTED_INTERLEAVE, which 6.1 does not know */
	UNCHANGED_PG(-EINVAL, 1, 2, 7, N0, MAXN, 0);
	UNCHANGED_PG(on_6_12, 3, 2, WILV, N0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, 0x10000 | BIND, N0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, 0x80000000u | BIND, N0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 0, 7, N0, MAXN, 0);
	/* mode flags */
	UNCHANGED_PG(-EINVAL, 1, 2, BIND | STATIC | RELATIVE, N0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, MPOL_DEFAULT | STATIC | RELATIVE, 0, 0, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, ILV | BALANCE, N0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, PREF | BALANCE, N0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, LOCAL | BALANCE, 0, 0, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, MPOL_DEFAULT | BALANCE, 0, 0, 0);
	UNCHANGED_PG(on_6_12, 3, 2, MANY | BALANCE, N0, MAXN, 0);
	/* MPOL_MF flags: STRICT, MOVE and MOVE_ALL only (not LAZY) */
	UNCHANGED_PG(-EINVAL, 1, 2, BIND, N0, MAXN, MPOL_MF_LAZY);
	UNCHANGED_PG(-EINVAL, 1, 2, BIND, N0, MAXN, 0x10);
	UNCHANGED_PG(-EINVAL, 1, 2, BIND, N0, MAXN, 0x80000000u);
	UNCHANGED_PG(-EINVAL, 3, 2, BIND, N0, MAXN, MPOL_MF_LAZY);
	UNCHANGED_PG(0, 9, 1, BIND, N0, MAXN, MPOL_MF_STRICT | MPOL_MF_MOVE);

	/* node masks: maxnode is one more than the bits, at most a page */
	UNCHANGED_PG(-EINVAL, 1, 2, BIND, N0, 0, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, BIND, N0, MAXN_PAGE + 1, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, MPOL_DEFAULT, N0, MAXN_PAGE + 1, 0);
	UNCHANGED_PG(0, 9, 1, BIND, N0, MAXN_PAGE, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, BIND, N0, 1, 0);
	/* a NULL mask is read as no nodes, whatever maxnode says */
	UNCHANGED_PG(0, 1, 2, MPOL_DEFAULT, 0, MAXN_PAGE + 1, 0);
	UNCHANGED_PG(0, 1, 2, MPOL_DEFAULT, 0, 0, 0);
	/* a mask given is not, even one naming no node: 0 wraps */
	EMPTY_UNCHANGED_PG(-EINVAL, 1, 2, MPOL_DEFAULT, 0);
	EMPTY_UNCHANGED_PG(-EINVAL, 1, 2, MPOL_DEFAULT, MAXN_PAGE + 1);
	EMPTY_UNCHANGED_PG(-EINVAL, 3, 0, MPOL_DEFAULT, 0);
	EMPTY_UNCHANGED_PG(0, 1, 2, MPOL_DEFAULT, MAXN_PAGE);
	EMPTY_UNCHANGED_PG(0, 1, 2, MPOL_DEFAULT, 1);
	EMPTY_UNCHANGED_PG(-EINVAL, 1, 2, BIND, MAXN);
	/* MPOL_DEFAULT takes no nodes; maxnode 1 means none, 2 node 0 only */
	UNCHANGED_PG(-EINVAL, 1, 2, MPOL_DEFAULT, N0, MAXN, 0);
	UNCHANGED_PG(0, 1, 2, MPOL_DEFAULT, N0, 1, 0);
	UNCHANGED_PG(0, 1, 2, MPOL_DEFAULT, N1, 2, 0);
	/* the other modes need nodes, and MPOL_LOCAL none */
	UNCHANGED_PG(-EINVAL, 1, 2, BIND, 0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, ILV, 0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, MANY, 0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, LOCAL, N0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, LOCAL | STATIC, 0, 0, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, PREF | STATIC, 0, 0, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, PREF | RELATIVE, 0, MAXN, 0);
	/* node 1 is not there: nothing is left of the mask */
	UNCHANGED_PG(-EINVAL, 1, 2, BIND, N1, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, BIND, N1, 2, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, ILV, N1, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, PREF, N1, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, MANY, N1, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 1, 2, BIND | STATIC, N1, MAXN, 0);
	/* the nodes are checked before the range */
	UNCHANGED_PG(-EINVAL, 3, 2, BIND, 0, MAXN, 0);
	UNCHANGED_PG(-EINVAL, 3, 2, BIND, N1, MAXN, 0);

	/* the same as the bound page has already: nothing changes */
	UNCHANGED_PG(0, 9, 1, BIND, N01, MAXN, 0);
}

/*
 * MPOL_F_RELATIVE_NODES maps the nodes asked for onto those allowed:
 * node 1 becomes node 0, and the policy is set.
 */
TEST(relative_nodes)
{
	SETUP();
	MAP(0, 1, 4, RW, 0);
	MBIND(0, 1, 2, BIND | RELATIVE, N1, MAXN);
	MBIND(0, 3, 2, ILV | RELATIVE, 1ULL << 63, MAXN);
	CHECK("1-3:rw-p 3-5:rw-p", "BI");
	MBIND(0, 1, 4, PREF | RELATIVE, N01 << 4, MAXN);
	CHECK("1-5:rw-p", "P");
}

/*
 * MPOL_MF_MOVE_ALL needs CAP_SYS_NICE, which the shadow takes from its
 * opener: -EPERM after the flags are checked, before the start is.
 */
TEST(move_all)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	int nice;

	SETUP();
	MAP(0, 1, 4, RW, 0);
	ASSERT_EQ(0, syscall(SYS_capget, &h, d));
	nice = !!(d[0].effective & (1u << CAP_SYS_NICE));
	if (nice) {
		MBINDF(0, 1, 2, BIND, N0, MAXN, MPOL_MF_MOVE_ALL);
		VMS_CHECK_RES(-EINVAL, both_mbind(PG(1) + 1, PGS(1), BIND, N0,
						  MAXN, MPOL_MF_MOVE_ALL));
		CHECK("1-3:rw-p 3-5:rw-p", "B-");
		ASSERT_EQ(0, vms_drop_cap(CAP_SYS_NICE));
	}
	/* a shadow opened without it */
	close(vms_fd);
	ASSERT_LE(0, vms_open());
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(0), PG(VMS_WIN_PAGES), NULL));
	MBINDF(-EPERM, 3, 2, BIND, N0, MAXN, MPOL_MF_MOVE_ALL);
	VMS_CHECK_RES(-EPERM, both_mbind(PG(3) + 1, PGS(1), BIND, N0, MAXN,
					 MPOL_MF_MOVE_ALL));
	MBINDF(-EINVAL, 3, 2, BIND, N0, MAXN, MPOL_MF_MOVE_ALL | MPOL_MF_LAZY);
	MBINDF(-EINVAL, 3, 2, 7, N0, MAXN, MPOL_MF_MOVE_ALL);
	MBINDF(0, 3, 2, BIND, N0, MAXN, MPOL_MF_MOVE);
	if (nice)
		CHECK("1-5:rw-p", "B");
	else
		CHECK("1-3:rw-p 3-5:rw-p", "-B");
}

/* ---- other mappings ------------------------------------------------------ */

/*
 * Shared anonymous memory and files (tmpfs: shmem's ->set_policy keeps
 * the policy in the object too): the regions split and join as private
 * anonymous ones do.
 */
TEST(shared_and_file)
{
	char path[64];
	int f;

	SETUP();
	ASSERT_LE(0, f = vms_make_file(path, sizeof(path), "mbind", 16));
	MAPS(0, 1, 6, RW);
	MAPF(0, 10, 6, R, MAP_PRIVATE, f, 0);
	MAPF(0, 20, 6, RW, MAP_SHARED, f, 8);
	BIND0(0, 3, 2);
	MBIND(0, 12, 2, ILV, N0, MAXN);
	MBIND(0, 22, 2, PREF, N0, MAXN);
	CHECK("1-3:rw-s 3-5:rw-s 5-7:rw-s 10-12:r--p 12-14:r--p 14-16:r--p "
	      "20-22:rw-s 22-24:rw-s 24-26:rw-s", "-B--I--P-");
	CHECK_WHY_POLICY(3);
	CHECK_WHY_POLICY(14);
	DEFAULT(0, 3, 2);
	DEFAULT(0, 10, 16);
	CHECK("1-7:rw-s 10-16:r--p 20-26:rw-s", "---");
	close(f);
	unlink(path);
}

/*
 * mremap() carries the policy along (vma_dup_policy()): a region moved
 * beside one without a policy stays apart from it, beside one with the
 * same policy joins it; and one grown in place up to a neighbour without
 * it does not take the neighbour in.
 *
 *   0         1         2         3         4
 *   0123456789012345678901234567890123456789012345
 *    AA        NN                                  control: A moved beside
 *              NNAA                                N joins it
 *    BB                  NN        PP              B and P bound
 *                        NNBB                      B moved beside N: apart
 *                                  PPBB            and beside P: joins
 *                                  PPPPPP  GG      grown up to G: apart
 */
TEST(mremap_keeps_policy)
{
	const int fixed = MREMAP_MAYMOVE | MREMAP_FIXED;

	SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 10, 2, RW, 0);
	REMAP(0, 1, 2, 2, fixed, 12, 12);
	CHECK("10-14:rw-p", "-");

	MAP(0, 1, 2, RW, 0);
	BIND0(0, 1, 2);
	MAP(0, 20, 2, RW, 0);
	MAP(0, 30, 2, RW, 0);
	BIND0(0, 30, 2);
	REMAP(0, 1, 2, 2, fixed, 22, 22);
	CHECK("10-14:rw-p 20-22:rw-p 22-24:rw-p 30-32:rw-p", "--BB");
	CHECK_WHY_POLICY(22);
	REMAP(0, 22, 2, 2, fixed, 32, 32);
	CHECK("10-14:rw-p 20-22:rw-p 30-34:rw-p", "--B");

	MAP(0, 36, 2, RW, 0);
	REMAP(0, 30, 4, 6, 0, -1, 30);
	CHECK("10-14:rw-p 20-22:rw-p 30-36:rw-p 36-38:rw-p", "--B-");
	CHECK_WHY_POLICY(36);
}

/*
 * A batch stops at the first mbind that fails, as the same calls made one
 * by one do.
 */
TEST(batch)
{
	struct vmashadow_batch b;
	struct vmashadow_op ops[3];
	int i;

	SETUP();
	MAP(0, 1, 6, RW, 0);
	memset(ops, 0, sizeof(ops));
	for (i = 0; i < 3; i++) {
		ops[i].size = sizeof(ops[i]);
		ops[i].op = VMASHADOW_OP_MBIND;
		ops[i].fd = -1;
		ops[i].prot = BIND;
		ops[i].offset = N0;
		ops[i].new_len = MAXN;
		ops[i].len = PGS(2);
	}
	ops[0].addr = PG(3);
	ops[1].addr = PG(6);		/* runs past the region: -EFAULT */
	ops[2].addr = PG(1);
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.op_size = sizeof(ops[0]);
	b.ops = (unsigned long)ops;
	b.count = 3;
	ASSERT_EQ(0, vms_ioctl(vms_fd, VMASHADOW_IOC_BATCH, &b));
	ASSERT_EQ(0, vms_real_mbind(PG(3), PGS(2), BIND, N0, MAXN, 0));
	EXPECT_EQ(vms_real_mbind(PG(6), PGS(2), BIND, N0, MAXN, 0), b.error);
	EXPECT_EQ(1, b.done);
	EXPECT_EQ(2, ops[0].splits);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "-B-");
}

/* ---- import and fork ----------------------------------------------------- */

/*
 * The process's own policies, set for real only, come in with IMPORT:
 * the splits, STATE_POLICY, and policies equal to those mbind() makes.
 * A FORK of the shadow keeps them, as a real fork does.
 *
 *   0         1         2
 *   0123456789012345678901234
 *    AABBAA    IIJJ      SSLL    B bind, I interleave, S bind static
 *                                {0,1}, L preferred of no node (local)
 *   child:
 *    AABBAAxx  IIJJxx            x mapped beside: A's and J's join them,
 *    AAAAAAAA  IIIIII            then the policies undone or matched
 *   parent:
 *    BBBBBB              SSSS    the same policies made anew: equal
 */
TEST(import_and_fork)
{
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	const char *layout = "1-3:rw-p 3-5:rw-p 5-7:rw-p 10-12:rw-p "
			     "12-14:rw-p 20-22:rw-p 22-24:rw-p";
	unsigned long n = 0;
	long cfd;
	pid_t pid;

	SETUP();
	ASSERT_EQ(0, vms_real_map(PG(1), PGS(6), RW, anon, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_map(PG(10), PGS(4), RW, anon, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_map(PG(20), PGS(4), RW, anon, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_mbind(PG(3), PGS(2), BIND, N0, MAXN, 0));
	ASSERT_EQ(0, vms_real_mbind(PG(10), PGS(2), ILV, N0, MAXN, 0));
	ASSERT_EQ(0, vms_real_mbind(PG(20), PGS(2), BIND | STATIC, N01, MAXN,
				    0));
	ASSERT_EQ(0, vms_real_mbind(PG(22), PGS(2), PREF, 0, 0, 0));
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(0), PG(VMS_WIN_PAGES), &n));
	EXPECT_EQ(7, n);
	CHECK(layout, "-B-I-BL");
	CHECK_WHY_POLICY(3);
	CHECK_WHY_POLICY(5);
	CHECK_WHY_POLICY(12);
	CHECK_WHY_POLICY(22);

	cfd = vms_fork_shadow(vms_fd);
	ASSERT_LE(0, cfd);
	pid = vms_raw_fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		vms_fd = cfd;
		CHECK(layout, "-B-I-BL");
		MAP(0, 7, 2, RW, 0);
		MAP(0, 14, 2, RW, 0);
		CHECK("1-3:rw-p 3-5:rw-p 5-9:rw-p 10-12:rw-p 12-16:rw-p "
		      "20-22:rw-p 22-24:rw-p", "-B-I-BL");
		DEFAULT(0, 3, 2);
		MBIND(0, 12, 4, ILV, N0, MAXN);
		CHECK("1-9:rw-p 10-16:rw-p 20-22:rw-p 22-24:rw-p", "-IBL");
		VMS_CHILD_EXIT();
	}
	VMS_WAIT_CHILD(pid);
	close(cfd);

	/* the parent's shadow and maps are as they were */
	CHECK(layout, "-B-I-BL");
	BIND0(0, 1, 6);
	MBIND(0, 22, 2, BIND | STATIC, N01, 3);
	CHECK("1-7:rw-p 10-12:rw-p 12-14:rw-p 20-24:rw-p", "BI-B");
}

/*
 * The whole process: its regions have no policy outside the window,
 * and the shadow says so of each, as get_mempolicy() does of the real
 * one.  The nodes allowed come from the process as well.
 */
TEST(import_whole)
{
	unsigned long allowed[2] = { 0, 0 };
	struct vmashadow_params p;
	long n, k, mode;
	int m;

	SETUP();
	MAP(0, 1, 4, RW, 0);
	BIND0(0, 3, 1);
	ASSERT_EQ(0, vms_import(vms_fd, 0, 0, 0, NULL));
	CHECK_RANGE(0, ~0UL);
	n = vms_list_all(vms_fd, regions, VMS_SNAP_REGIONS);
	ASSERT_LT(0, n);
	for (k = 0; k < n; k++) {
		mode = real_policy(regions[k].start);
		ASSERT_LE(0, mode);
		EXPECT_EQ(mode != MPOL_DEFAULT,
			  !!(regions[k].state & VMASHADOW_STATE_POLICY))
			TH_LOG("region 0x%llx-0x%llx: real mode %ld",
			       regions[k].start, regions[k].end, mode);
	}
	ASSERT_EQ(0, syscall(SYS_get_mempolicy, &m, allowed, 128UL, 0UL,
			     MPOL_F_MEMS_ALLOWED));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	/* every allowed node of the VM has memory */
	EXPECT_EQ(allowed[0], p.mems_allowed);
	BIND0(0, 4, 1);
	CHECK("1-3:rw-p 3-5:rw-p", "-B");
}

/*
 * The nodes a policy may name are a parameter, the opener's by default;
 * with more nodes than the VM has, or none, the shadow decides as a
 * kernel with those nodes would, which no real call here can show.
 */
TEST(mems_allowed_param)
{
	unsigned long allowed[2] = { 0, 0 };
	struct vmashadow_params p;
	int m;

	SETUP();
	ASSERT_EQ(0, syscall(SYS_get_mempolicy, &m, allowed, 128UL, 0UL,
			     MPOL_F_MEMS_ALLOWED));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(allowed[0], p.mems_allowed);
	MAP(0, 1, 4, RW, 0);

	/* nodes 0 and 1: {0,1} and {0} are different policies now */
	memset(&p, 0, sizeof(p));
	p.mems_allowed = N01;
	ASSERT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_MEMS_ALLOWED));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(N01, p.mems_allowed);
	EXPECT_EQ(0, shadow_mbind(vms_fd, PG(1), PGS(2), BIND, N0, MAXN, 0, 0));
	EXPECT_EQ(0, shadow_mbind(vms_fd, PG(3), PGS(2), BIND, N01, MAXN,
				  0, 0));
	EXPECT_EQ(2, vms_shadow_map_count(vms_fd));
	EXPECT_EQ(0, shadow_mbind(vms_fd, PG(3), PGS(2), BIND, N1, MAXN, 0, 0));
	/* never none: a process may always use one node */
	p.mems_allowed = 0;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_MEMS_ALLOWED));
	/* node 1 alone: node 0 is refused, relative node 0 is node 1 */
	p.mems_allowed = N1;
	ASSERT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_MEMS_ALLOWED));
	EXPECT_EQ(-EINVAL, shadow_mbind(vms_fd, PG(1), PGS(4), BIND, N0, MAXN,
					0, 0));
	EXPECT_EQ(0, shadow_mbind(vms_fd, PG(1), PGS(4), BIND | RELATIVE, N0,
				  MAXN, 0, 0));
	EXPECT_EQ(1, vms_shadow_map_count(vms_fd));
	EXPECT_EQ(0, shadow_mbind(vms_fd, PG(1), PGS(4), PREF, 0, 0, 0, 0));
	EXPECT_EQ(1, vms_shadow_map_count(vms_fd));
	EXPECT_EQ(0, vms_validate(vms_fd, NULL));
}

/*
 * The shadow follows its rules parameter, not the running kernel: 6.12
 * knows MPOL_WEIGHTED_INTERLEAVE and MPOL_PREFERRED_MANY with
 * MPOL_F_NUMA_BALANCING, and so reaches the range check (a hole here).
 */
TEST(rules_decide)
{
	SETUP();
	ASSERT_EQ(0, vms_set_rules(vms_fd, VMASHADOW_RULES_6_1));
	EXPECT_EQ(-EINVAL, shadow_mbind(vms_fd, PG(1), PGS(1), WILV, N0, MAXN,
					0, 0));
	EXPECT_EQ(-EINVAL, shadow_mbind(vms_fd, PG(1), PGS(1), MANY | BALANCE,
					N0, MAXN, 0, 0));
	ASSERT_EQ(0, vms_set_rules(vms_fd, VMASHADOW_RULES_6_12));
	EXPECT_EQ(-EFAULT, shadow_mbind(vms_fd, PG(1), PGS(1), WILV, N0, MAXN,
					0, 0));
	EXPECT_EQ(-EFAULT, shadow_mbind(vms_fd, PG(1), PGS(1), MANY | BALANCE,
					N0, MAXN, 0, 0));
	EXPECT_EQ(-EINVAL, shadow_mbind(vms_fd, PG(1), PGS(1), 7, N0, MAXN,
					0, 0));
}

/* ---- set_mempolicy_home_node(2) ------------------------------------------ */

/*
 * The home node is part of the policy (__mpol_equal() compares it) but
 * not of what get_mempolicy() or numa_maps show: the tests see it in the
 * regions it keeps apart or lets join.
 *
 *   0123456789
 *    BBBBBB        bound to node 0
 *      hh          home node 0 for the middle: split in three
 *    hhhhhh        for the rest: the three join again
 *      BB          mbind() again, no home node: split again
 */
TEST(home_node_split_and_merge)
{
	long n0;

	SETUP();
	MAP(0, 1, 6, RW, 0);
	BIND0(0, 1, 6);
	n0 = vms_shadow_map_count(vms_fd);
	HOME(0, 3, 2, 0);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "BBB");
	CHECK_COUNTS(n0 + 2, 0, 2);
	CHECK_WHY_POLICY(3);
	CHECK_WHY_POLICY(5);
	/* the same node again: nothing to do */
	HOME(0, 3, 2, 0);
	CHECK_COUNTS(n0 + 2, 0, 0);
	HOME(0, 1, 2, 0);
	HOME(0, 5, 2, 0);
	CHECK("1-7:rw-p", "B");
	BIND0(0, 3, 2);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "BBB");
	CHECK_WHY_POLICY(3);
}

/*
 * Only a region with a policy takes part: the others, and holes, are
 * passed over; a range with no policy at all is -ENOENT.
 * MPOL_PREFERRED_MANY takes a home node like MPOL_BIND.
 *
 *   0123456789012
 *    --  BBB  MM      none, bound, preferred many (holes between)
 *    hhhhhhhhhhh      home node 0 over all of it
 */
TEST(home_node_passes_over)
{
	SETUP();
	MAP(0, 1, 2, RW, 0);
	MAP(0, 5, 3, RW, 0);
	MAP(0, 10, 2, RW, 0);
	BIND0(0, 5, 3);
	MBIND(0, 10, 2, MANY, N0, MAXN);
	HOME(-ENOENT, 1, 2, 0);
	HOME(-ENOENT, 3, 2, 0);		/* a hole */
	HOME(-ENOENT, 0, 5, 0);
	HOME(0, 1, 11, 0);
	/* seen by the neighbours that no longer join them */
	MAP(0, 4, 1, RW, 0);
	BIND0(0, 4, 1);
	MAP(0, 12, 1, RW, 0);
	MBIND(0, 12, 1, MANY, N0, MAXN);
	CHECK("1-3:rw-p 4-5:rw-p 5-8:rw-p 10-12:rw-p 12-13:rw-p", "-BBMM");
	CHECK_WHY_POLICY(5);
	CHECK_WHY_POLICY(12);
	/* the last region met has none: still a success */
	HOME(0, 10, 5, 0);
	CHECK("1-3:rw-p 4-5:rw-p 5-8:rw-p 10-13:rw-p", "-BBM");
}

/*
 * A policy of another mode stops the call with -EOPNOTSUPP, and what was
 * done before it stays done, as the kernel's comment says.
 *
 *   0123456789
 *    BB-BIB        bound, none, bound, interleave, bound
 *     hhhhhh       -EOPNOTSUPP at I: 1-2 split off, 2-3 and 4-5 changed
 *       B          then 3-4 bound (no home node) joins neither side
 */
TEST(home_node_stops_at_other_modes)
{
	SETUP();
	MAP(0, 1, 6, RW, 0);
	BIND0(0, 1, 6);
	DEFAULT(0, 3, 1);
	MBIND(0, 5, 1, ILV, N0, MAXN);
	CHECK("1-3:rw-p 3-4:rw-p 4-5:rw-p 5-6:rw-p 6-7:rw-p", "B-BIB");
	/* a dry run reports the failure with what was done before it */
	EXPECT_EQ(-EOPNOTSUPP, shadow_home(vms_fd, PG(2), PGS(6), 0, 0,
					   VMASHADOW_OPF_DRY_RUN));
	CHECK_COUNTS(vms_shadow_map_count(vms_fd) + 1, 0, 1);
	HOME(-EOPNOTSUPP, 2, 6, 0);
	CHECK("1-2:rw-p 2-3:rw-p 3-4:rw-p 4-5:rw-p 5-6:rw-p 6-7:rw-p",
	      "BB-BIB");
	BIND0(0, 3, 1);
	CHECK("1-2:rw-p 2-3:rw-p 3-4:rw-p 4-5:rw-p 5-6:rw-p 6-7:rw-p",
	      "BBBBIB");
	HOME(0, 3, 1, 0);
	CHECK("1-2:rw-p 2-5:rw-p 5-6:rw-p 6-7:rw-p", "BBIB");
	/* the first policy met is another mode: nothing is done */
	MBIND(0, 1, 1, PREF, N0, MAXN);
	HOME(-EOPNOTSUPP, 1, 2, 0);
	MBIND(0, 1, 1, LOCAL, 0, 0);
	HOME(-EOPNOTSUPP, 1, 6, 0);
	CHECK("1-2:rw-p 2-5:rw-p 5-6:rw-p 6-7:rw-p", "LBIB");
}

/* The arguments, in the kernel's order; none changes anything. */
TEST(home_node_bad_arguments)
{
	SETUP();
	MAP(0, 1, 4, RW, 0);
	BIND0(0, 1, 4);
	VMS_CHECK_RES(-EINVAL, both_home(PG(1) + 1, PGS(1), 0, 0));
	HOMEF(-EINVAL, 1, 1, 0, 1);
	HOMEF(-EINVAL, 1, 1, 1, 1);
	HOME(-EINVAL, 1, 1, 1);		/* node 1 is not online */
	HOME(-EINVAL, 1, 1, 64);
	HOME(-EINVAL, 1, 1, 1UL << 32);
	HOME(-EINVAL, 1, 1, -1UL);
	VMS_CHECK_RES(-EINVAL, both_home(PG(2), -VMS_PS * 4, 0, 0));
	VMS_CHECK_RES(0, both_home(PG(2), 0, 0, 0));
	VMS_CHECK_RES(0, both_home(PG(2), -VMS_PS + 1, 0, 0));
	/* the node is checked before the range */
	VMS_CHECK_RES(-EINVAL, both_home(PG(2), 0, 1, 0));
	CHECK("1-5:rw-p", "B");
}

/*
 * IMPORT takes the home node with the policy: the regions the call split
 * join again when the rest of the range gets it, on both sides (without
 * it, the shadow's middle region would stay apart).  A dry run says so
 * first and changes nothing.
 */
TEST(home_node_import)
{
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

	SETUP();
	ASSERT_EQ(0, vms_real_map(PG(1), PGS(6), RW, anon, -1, 0, NULL));
	ASSERT_EQ(0, vms_real_mbind(PG(1), PGS(6), BIND, N0, MAXN, 0));
	ASSERT_EQ(0, vms_sys(syscall(SYS_set_mempolicy_home_node, PG(3),
				     PGS(2), 0UL, 0UL)));
	ASSERT_EQ(0, vms_import(vms_fd, 0, PG(0), PG(VMS_WIN_PAGES), NULL));
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "BBB");
	CHECK_WHY_POLICY(3);

	ASSERT_EQ(0, shadow_home(vms_fd, PG(1), PGS(6), 0, 0,
				 VMASHADOW_OPF_DRY_RUN));
	EXPECT_EQ(2, last.merges);
	EXPECT_EQ(0, last.splits);
	CHECK("1-3:rw-p 3-5:rw-p 5-7:rw-p", "BBB");

	HOME(0, 1, 2, 0);
	HOME(0, 5, 2, 0);
	CHECK("1-7:rw-p", "B");
}

/*
 * The home nodes accepted are the nodes online, a parameter: the
 * system's, which no call can make 0; with more, the shadow decides as a
 * kernel with those nodes would.
 */
TEST(nodes_online_param)
{
	struct vmashadow_params p;

	SETUP();
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(sysfs_nodes("/sys/devices/system/node/online"),
		  p.nodes_online);
	p.nodes_online = 0;
	EXPECT_EQ(-EINVAL, vms_set_params(vms_fd, &p,
					  VMASHADOW_PARAM_NODES_ONLINE));
	MAP(0, 1, 4, RW, 0);
	BIND0(0, 1, 4);
	EXPECT_EQ(-EINVAL, shadow_home(vms_fd, PG(1), PGS(1), 1, 0, 0));
	p.nodes_online = N01;
	ASSERT_EQ(0, vms_set_params(vms_fd, &p, VMASHADOW_PARAM_NODES_ONLINE));
	EXPECT_EQ(0, shadow_home(vms_fd, PG(1), PGS(1), 1, 0, 0));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	EXPECT_EQ(N01, p.nodes_online);
	/* mems_allowed is another mask: node 1 is still not allowed */
	EXPECT_EQ(-EINVAL, shadow_mbind(vms_fd, PG(2), PGS(1), BIND, N1,
					MAXN, 0, 0));
}

/* ---- vm.max_map_count ---------------------------------------------------- */

/*
 * split_vma() refuses at map_count >= max_map_count, and mbind_range()
 * splits one edge and then the other: with room for one split only, the
 * first stays and the policy is not set.  A merge needs no room.
 *
 * The sysctl is global: the fixture puts the real process at the same
 * distance from it as the shadow from its own limit (as limits.c does),
 * and restores it in the teardown, also after a failed assertion.
 */
VMS_MMC_FIXTURE(limit)

/*
 *   0         1
 *   012345678901234
 *    AAAAAA   PPQQ     P bound, Q mapped beside it; count == limit
 *      xx              the middle, the head, the tail: -ENOMEM
 *    BBBBBB            the whole region: no split needed
 *             PPPQ     Q's first page bound: joins P, no split
 *    xx                the default over a part: -ENOMEM
 */
TEST_F(limit, at_limit)
{
	if (syscall(SYS_mbind, 0UL, 0UL, 0UL, NULL, 0UL, 0UL))
		SKIP(return, "no mbind(2): a kernel without NUMA");
	MAP(0, 1, 6, RW, 0);
	MAP(0, 10, 2, RW, 0);
	BIND0(0, 10, 2);
	MAP(0, 12, 2, RW, 0);
	VMS_AT_DISTANCE(0);
	BIND0(-ENOMEM, 3, 2);
	BIND0(-ENOMEM, 1, 2);
	BIND0(-ENOMEM, 5, 2);
	MBIND(-ENOMEM, 2, 4, ILV, N0, MAXN);
	CHECK("1-7:rw-p 10-12:rw-p 12-14:rw-p", "-B-");
	BIND0(0, 1, 6);
	BIND0(0, 12, 1);
	CHECK("1-7:rw-p 10-13:rw-p 13-14:rw-p", "BB-");
	DEFAULT(-ENOMEM, 1, 2);
	DEFAULT(0, 1, 6);
	CHECK("1-7:rw-p 10-13:rw-p 13-14:rw-p", "-B-");
}

/*
 *   012345678
 *    AAAAAA        room for one split
 *      xx          the head splits off, the tail cannot: -ENOMEM,
 *    AABBBB        two regions, no policy set
 */
TEST_F(limit, second_split)
{
	if (syscall(SYS_mbind, 0UL, 0UL, 0UL, NULL, 0UL, 0UL))
		SKIP(return, "no mbind(2): a kernel without NUMA");
	MAP(0, 1, 6, RW, 0);
	VMS_AT_DISTANCE(1);
	BIND0(-ENOMEM, 3, 2);
	CHECK("1-3:rw-p 3-7:rw-p", "--");
	/* the count is at the limit now: a region whole is still fine */
	BIND0(0, 3, 4);
	CHECK("1-3:rw-p 3-7:rw-p", "-B");
}

/*
 * set_mempolicy_home_node() runs mbind_range() too, and stops where it
 * does, with what came before kept:
 *
 *   012345678
 *    BBBBBB        bound, room for one split
 *      hh          the head splits off, the tail cannot: -ENOMEM,
 *    BBBBBB        two regions, neither with the home node (the head
 *    hh            given it alone does not join the tail)
 */
TEST_F(limit, home_node_second_split)
{
	if (syscall(SYS_mbind, 0UL, 0UL, 0UL, NULL, 0UL, 0UL))
		SKIP(return, "no mbind(2): a kernel without NUMA");
	MAP(0, 1, 6, RW, 0);
	BIND0(0, 1, 6);
	VMS_AT_DISTANCE(1);
	HOME(-ENOMEM, 3, 2, 0);
	CHECK("1-3:rw-p 3-7:rw-p", "BB");
	HOME(0, 1, 2, 0);
	CHECK("1-3:rw-p 3-7:rw-p", "BB");
	/* the tail whole needs no split: it joins the head */
	HOME(0, 3, 4, 0);
	CHECK("1-7:rw-p", "B");
}

TEST_HARNESS_MAIN
