/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between the region core and its surroundings.
 *
 * The core (core/ *.c) includes only this header for what it borrows from
 * the kernel: the augmented rbtree, slab caches, refcounts, error codes and
 * the mmap(2) constants.  A userspace build of the core provides its own
 * header under the same include guard, passed with -include, so that the
 * same sources build unchanged in both places (as tools/testing/vma does
 * for mm/vma.c with vma_internal.h).
 */
#ifndef _VMASHADOW_CORE_INTERNAL_H
#define _VMASHADOW_CORE_INTERNAL_H

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mman.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/rbtree_augmented.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#endif /* _VMASHADOW_CORE_INTERNAL_H */
