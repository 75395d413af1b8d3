// SPDX-License-Identifier: GPL-2.0
/*
 * rules: SET_PARAMS rules= makes the shadow follow the other kernel's rules.
 * Rows 1-3 of the differences, on the shadow alone (the real kernel can
 * only show its own), under both rule sets whatever kernel runs.
 */
#include "vms_test.h"

#define R	PROT_READ
#define RW	(PROT_READ | PROT_WRITE)
#define SFLAGS	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static void smap(struct __test_metadata *_metadata, int pg, int npg, int prot)
{
	ASSERT_EQ(0, vms_shadow_map(vms_fd, PG(pg), PGS(npg), prot, SFLAGS, -1, 0,
				    NULL));
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));
}

static void stouch(struct __test_metadata *_metadata, int pg)
{
	ASSERT_EQ(0, vms_shadow_touch(vms_fd, PG(pg)));
}

static void sprotect(struct __test_metadata *_metadata, int pg, int npg, int prot)
{
	ASSERT_EQ(0, vms_shadow_protect(vms_fd, PG(pg), PGS(npg), prot));
	ASSERT_EQ(0, vms_validate(vms_fd, NULL));
}

static void use_rules(struct __test_metadata *_metadata, unsigned int rules)
{
	struct vmashadow_params p;

	ASSERT_LE(0, vms_open());
	ASSERT_EQ(0, vms_set_rules(vms_fd, rules));
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	ASSERT_EQ(rules, p.rules);
}

#define SHADOW_LAYOUT(want) do {					\
	ASSERT_EQ(0, vms_snapshot());					\
	EXPECT_STREQ(want, vms_shadow_layout)				\
		TH_LOG("shadow:\n%s", vms_shadow_win);			\
} while (0)

FIXTURE(rules) {
	int unused;
};

FIXTURE_VARIANT(rules) {
	unsigned int rules;
	const char *row1, *row2, *row3;
};

/* Row 1: P unfaulted, N faulted, fill the hole. */
/* Row 2: P and N faulted differently, fill the hole. */
/* Row 3: r-- region, middle made rw- and r-- again. */
FIXTURE_VARIANT_ADD(rules, rules_6_1) {
	.rules = VMASHADOW_RULES_6_1,
	.row1 = "1-3:rw-p 3-7:rw-p",
	.row2 = "1-3:rw-p 3-7:rw-p",
	.row3 = "1-3:r--p 3-5:r--p",
};

FIXTURE_VARIANT_ADD(rules, rules_6_12) {
	.rules = VMASHADOW_RULES_6_12,
	.row1 = "1-7:rw-p",
	.row2 = "1-5:rw-p 5-7:rw-p",
	.row3 = "1-5:r--p",
};

FIXTURE_SETUP(rules)
{
	use_rules(_metadata, variant->rules);
}

FIXTURE_TEARDOWN(rules)
{
}

/*
 *   012345678
 *    PP  NN      N touched
 *    PPAANN      6.1: PP|AAAA   6.12: one region
 */
TEST_F(rules, row1)
{
	smap(_metadata, 1, 2, RW);
	smap(_metadata, 5, 2, RW);
	stouch(_metadata, 5);
	smap(_metadata, 3, 2, RW);
	SHADOW_LAYOUT(variant->row1);
}

/*
 *   012345678
 *    PP  NN      both touched
 *    PPAANN      6.1: joins next   6.12: joins prev
 */
TEST_F(rules, row2)
{
	__u64 p, n;

	smap(_metadata, 1, 2, RW);
	stouch(_metadata, 1);
	smap(_metadata, 5, 2, RW);
	stouch(_metadata, 5);
	p = vms_region_at(1).anon_id;
	n = vms_region_at(5).anon_id;
	ASSERT_NE(p, n);
	smap(_metadata, 3, 2, RW);
	SHADOW_LAYOUT(variant->row2);
	EXPECT_EQ(variant->rules == VMASHADOW_RULES_6_1 ? n : p,
		  vms_region_at(3).anon_id);
}

/*
 *   012345678
 *    AAAA        r--
 *      BB        rw-, then r--: 6.1 keeps VM_ACCOUNT (two regions)
 */
TEST_F(rules, row3)
{
	smap(_metadata, 1, 4, R);
	sprotect(_metadata, 3, 2, RW);
	sprotect(_metadata, 3, 2, R);
	SHADOW_LAYOUT(variant->row3);
}

/* The default follows the running kernel; the real kernel agrees with it. */
TEST(default_rules)
{
	struct vmashadow_params p;

	ASSERT_LE(0, vms_open());
	ASSERT_EQ(0, vms_get_params(vms_fd, &p));
	if (!vms_rules_of_kernel())
		SKIP(return, "unknown kernel");
	EXPECT_EQ(vms_rules_of_kernel(), p.rules);
	EXPECT_LT(0, p.max_map_count);
}

/* The rules cannot change once regions exist?  Either way it must not crash
 * and the shadow must still validate.
 */
TEST(switch_with_regions)
{
	long ret;

	ASSERT_LE(0, vms_open());
	smap(_metadata, 1, 2, RW);
	ret = vms_set_rules(vms_fd, VMASHADOW_RULES_6_12);
	EXPECT_TRUE(ret == 0 || ret == -EBUSY) TH_LOG("ret %ld", ret);
	ret = vms_set_rules(vms_fd, VMASHADOW_RULES_6_1);
	EXPECT_TRUE(ret == 0 || ret == -EBUSY) TH_LOG("ret %ld", ret);
	EXPECT_EQ(0, vms_validate(vms_fd, NULL));
}

TEST_HARNESS_MAIN
