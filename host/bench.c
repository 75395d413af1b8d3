// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction counts of the core's operations (make bench-host): builds a
 * shadow of N one-page regions with one-page holes between them, then
 * runs each operation OPS times inside its own bench_* function, which
 * callgrind counts alone (--toggle-collect).  bench.sh divides by OPS.
 */
#include "../core/core.h"
#include "glue.h"

#define OPS	100
#define BASE	0x100000000UL

static unsigned long nr;
static unsigned long seed = 1;

static unsigned long pick(void)
{
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (seed >> 33) % nr;
}

static int map1(struct vms_mm *mm, unsigned long addr, int prot)
{
	struct vms_map_req req = {
		.addr = addr, .len = PAGE_SIZE, .prot = prot,
		.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
	};
	unsigned long a;

	return vms_map(mm, &req, &a);
}

/* find_vma at a random region */
noinline void bench_find(struct vms_mm *mm)
{
	int i;

	for (i = 0; i < OPS; i++)
		if (!vms_find(mm, BASE + 2 * pick() * PAGE_SIZE))
			abort();
}

/* mmap MAP_FIXED into a random hole: a new region, no merge */
noinline void bench_map(struct vms_mm *mm, unsigned long *at)
{
	int i;

	for (i = 0; i < OPS; i++) {
		at[i] = BASE + (2 * pick() + 1) * PAGE_SIZE;
		if (map1(mm, at[i], PROT_READ))
			abort();
	}
}

/* mprotect a random whole region to another prot: no split, no merge */
noinline void bench_protect(struct vms_mm *mm)
{
	int i;

	for (i = 0; i < OPS; i++)
		if (vms_protect(mm, BASE + 2 * pick() * PAGE_SIZE, PAGE_SIZE,
				PROT_READ | PROT_EXEC) < 0)
			abort();
}

/* munmap the regions bench_map made */
noinline void bench_unmap(struct vms_mm *mm, unsigned long *at)
{
	int i;

	for (i = 0; i < OPS; i++)
		if (vms_unmap(mm, at[i], PAGE_SIZE))
			abort();
}

int main(int argc, char **argv)
{
	static unsigned long at[OPS];
	struct vms_mm mm;
	unsigned long i, w;

	nr = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
	if (vms_core_init())
		return 1;
	vms_mm_init(&mm, VMASHADOW_RULES_6_1);
	mm.params.max_map_count = 4 * nr + 1000;
	for (i = 0; i < nr; i++)
		if (map1(&mm, BASE + 2 * i * PAGE_SIZE, PROT_READ | PROT_WRITE))
			return 1;
	bench_find(&mm);
	bench_map(&mm, at);
	bench_protect(&mm);
	bench_unmap(&mm, at);
	if (vms_validate(&mm, &w))
		return 1;
	printf("%lu regions, %lu in the tree, height %u\n", nr, mm.map_count,
	       vms_tree_height(&mm));
	vms_mm_destroy(&mm);
	return 0;
}
