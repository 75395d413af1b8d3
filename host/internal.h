/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam, userspace side: what the region core borrows from the kernel,
 * for the host build (issue 10).  Passed with -include before any core
 * file; it takes the include guard of core/internal.h, so the core's own
 * #include "internal.h" becomes a no-op and the sources build unchanged.
 *
 * The rbtree is the kernel's own: tools/lib/rbtree.c and
 * tools/include/linux/rbtree*.h from Debian's linux-source package
 * (-I$(VMS_LINUX_SRC)/tools/include).  The rest is a few lines each.
 */
#ifndef _VMASHADOW_CORE_INTERNAL_H
#define _VMASHADOW_CORE_INTERNAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/mman.h>		/* MAP_UNINITIALIZED, MAP_SHARED_VALIDATE... */
#include <linux/mempolicy.h>	/* MPOL_* */

#include <linux/kernel.h>	/* tools/include: min, max, scnprintf, ... */
#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/rbtree_augmented.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/bits.h>
#include <linux/bitmap.h>	/* DECLARE_BITMAP, __test_and_set_bit */

#ifndef PAGE_SHIFT
#define PAGE_SHIFT		12
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#endif
#ifndef PAGE_MASK
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#endif
#ifndef PAGE_ALIGN
#define PAGE_ALIGN(addr)	(((addr) + PAGE_SIZE - 1) & PAGE_MASK)
#endif
#ifndef IS_ALIGNED
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#endif
#ifndef U32_MAX
#define U32_MAX			((u32)~0U)
#endif
#ifndef fallthrough
#define fallthrough		__attribute__((__fallthrough__))
#endif
#ifndef IS_ERR_VALUE
#define IS_ERR_VALUE(x)		((unsigned long)(void *)(x) >= (unsigned long)-4095)
#endif

/* mmap constants glibc or this kernel's uapi may lack */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif

/* ---- allocation: fault injection for the fuzzer and the tests ---------- */

#define GFP_KERNEL		0u
#define GFP_KERNEL_ACCOUNT	0u
#define SLAB_ACCOUNT		0u

/*
 * vms_host_fail_alloc: when non-zero, counts down one per allocation and
 * the allocation that brings it to zero fails (then it stays off).
 */
extern unsigned long vms_host_fail_alloc;
extern unsigned long vms_host_allocs;

static inline bool vms_host_should_fail(void)
{
	vms_host_allocs++;
	if (vms_host_fail_alloc && !--vms_host_fail_alloc)
		return true;
	return false;
}

struct kmem_cache {
	size_t size;
};

static inline struct kmem_cache *kmem_cache_create(const char *name,
						   unsigned int size,
						   unsigned int align,
						   unsigned int flags,
						   void (*ctor)(void *))
{
	struct kmem_cache *c = vms_host_should_fail() ? NULL :
			       calloc(1, sizeof(*c));

	(void)name; (void)align; (void)flags; (void)ctor;
	if (c)
		c->size = size;
	return c;
}

static inline void kmem_cache_destroy(struct kmem_cache *c)
{
	free(c);
}

static inline void *kmem_cache_zalloc(struct kmem_cache *c, unsigned int gfp)
{
	(void)gfp;
	return vms_host_should_fail() ? NULL : calloc(1, c->size);
}

static inline void kmem_cache_free(struct kmem_cache *c, void *p)
{
	(void)c;
	free(p);
}

#define __GFP_ZERO		0u

/* The slab's: all @n zeroed (returns @n) or none (0), one failure point. */
static inline int kmem_cache_alloc_bulk(struct kmem_cache *c, unsigned int gfp,
					size_t n, void **p)
{
	size_t i;

	(void)gfp;
	if (vms_host_should_fail())
		return 0;
	for (i = 0; i < n; i++) {
		p[i] = calloc(1, c->size);
		if (!p[i]) {
			while (i)
				free(p[--i]);
			return 0;
		}
	}
	return n;
}

static inline void kmem_cache_free_bulk(struct kmem_cache *c, size_t n,
					void **p)
{
	(void)c;
	while (n)
		free(p[--n]);
}

static inline void *kzalloc(size_t size, unsigned int gfp)
{
	(void)gfp;
	return vms_host_should_fail() ? NULL : calloc(1, size);
}

static inline void *kmalloc(size_t size, unsigned int gfp)
{
	(void)gfp;
	return vms_host_should_fail() ? NULL : malloc(size);
}

static inline void *kmalloc_array(size_t n, size_t size, unsigned int gfp)
{
	(void)gfp;
	return vms_host_should_fail() || (size && n > SIZE_MAX / size) ?
	       NULL : malloc(n * size);
}

static inline void *kcalloc(size_t n, size_t size, unsigned int gfp)
{
	(void)gfp;
	return vms_host_should_fail() ? NULL : calloc(n, size);
}

static inline void *kvmalloc_array(size_t n, size_t size, unsigned int gfp)
{
	(void)gfp;
	return vms_host_should_fail() || (size && n > SIZE_MAX / size) ?
	       NULL : malloc(n * size);
}

#define kvfree(p)	free((void *)(p))

static inline void kfree(const void *p)
{
	free((void *)p);
}

/* ---- counters ------------------------------------------------------------ */

typedef struct {
	unsigned int refs;
} refcount_t;

static inline void refcount_set(refcount_t *r, unsigned int n)
{
	r->refs = n;
}

static inline void refcount_inc(refcount_t *r)
{
	if (!r->refs)
		abort();	/* increment on 0: use after free */
	r->refs++;
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	if (!r->refs)
		abort();	/* underflow */
	return --r->refs == 0;
}

typedef struct {
	long long counter;
} atomic64_t;

#define ATOMIC64_INIT(i)	{ (i) }

static inline long long atomic64_inc_return(atomic64_t *v)
{
	return __atomic_add_fetch(&v->counter, 1, __ATOMIC_RELAXED);
}

/* ---- the rest ------------------------------------------------------------ */

/* A WARN is a bug in the core: the host build makes it fatal. */
#define WARN_ON_ONCE(cond) ({						\
	bool __c = !!(cond);						\
	if (__c) {							\
		fprintf(stderr, "WARN_ON_ONCE(%s) at %s:%d\n", #cond,	\
			__FILE__, __LINE__);				\
		abort();						\
	}								\
	__c;								\
})

static inline void cond_resched(void)
{
}

#endif /* _VMASHADOW_CORE_INTERNAL_H */
