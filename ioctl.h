/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmashadow: the user-space interface of /dev/vmashadow.
 *
 * Every open file descriptor of /dev/vmashadow owns a shadow address space:
 * a set of regions on which the ioctls below do what mmap(2), munmap(2),
 * mprotect(2), mremap(2), brk(2), madvise(2), mseal(2), mlock(2) and its
 * relatives, mbind(2), fork(2) and a write fault do to a real process.
 * The shadow ends in the state the real kernel would reach and fails with
 * the errno the real system call would give; that errno is the ioctl's
 * return value.
 *
 * The header stands alone, needing only the kernel's integer types and
 * ioctl number macros, and is C90.  Every structure has fixed-size fields
 * and explicit padding, so 32-bit callers see the same layout; pointers
 * travel in __u64.
 *
 * Extensible structures begin with a __u32 size that the caller sets to
 * sizeof() of the structure it was compiled with.  The module reads them
 * with copy_struct_from_user(): a smaller size is zero-extended, a larger
 * one is accepted only if every byte it does not know is zero (else
 * -E2BIG).  Unknown flag bits and non-zero reserved fields give -EINVAL;
 * unknown commands give -ENOTTY.
 */
#ifndef _UAPI_VMASHADOW_IOCTL_H
#define _UAPI_VMASHADOW_IOCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* 0xC5 is free in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define VMASHADOW_IOC_MAGIC	0xC5

/* Interface version: the major number changes only on incompatible changes. */
#define VMASHADOW_API_MAJOR	1
/*
 * 1: mlock and friends, def_flags; 2: RLIMIT_DATA, VmData; 3: stack growth;
 * 4: mbind(2) and memory policies; 5: set_mempolicy_home_node(2) and
 * GET_POLICY; 6: userfaultfd; 7: arg_start; 8: GET_UFFD; 9: OPF_NODEMASK
 */
#define VMASHADOW_API_MINOR	9

/* Which kernel's rules a shadow follows (the running kernel's by default). */
#define VMASHADOW_RULES_6_1	1	/* mm/mmap.c of Linux 6.1 */
#define VMASHADOW_RULES_6_12	2	/* mm/vma.c of Linux 6.12 */

/*
 * Region flags as userspace sees them.  The low 32 bits carry the values of
 * the kernel's VM_* flags of the same name; the rest are vmashadow's own.
 */
#define VMASHADOW_VM_READ	0x00000001ULL
#define VMASHADOW_VM_WRITE	0x00000002ULL
#define VMASHADOW_VM_EXEC	0x00000004ULL
#define VMASHADOW_VM_SHARED	0x00000008ULL
#define VMASHADOW_VM_MAYREAD	0x00000010ULL
#define VMASHADOW_VM_MAYWRITE	0x00000020ULL
#define VMASHADOW_VM_MAYEXEC	0x00000040ULL
#define VMASHADOW_VM_MAYSHARE	0x00000080ULL
#define VMASHADOW_VM_GROWSDOWN	0x00000100ULL
#define VMASHADOW_VM_UFFD_MISSING 0x00000200ULL	/* userfaultfd: missing pages */
#define VMASHADOW_VM_PFNMAP	0x00000400ULL
#define VMASHADOW_VM_UFFD_WP	0x00001000ULL	/* userfaultfd: write protect */
#define VMASHADOW_VM_LOCKED	0x00002000ULL
#define VMASHADOW_VM_IO		0x00004000ULL
#define VMASHADOW_VM_SEQ_READ	0x00008000ULL
#define VMASHADOW_VM_RAND_READ	0x00010000ULL
#define VMASHADOW_VM_DONTCOPY	0x00020000ULL
#define VMASHADOW_VM_DONTEXPAND	0x00040000ULL
#define VMASHADOW_VM_LOCKONFAULT 0x00080000ULL
#define VMASHADOW_VM_ACCOUNT	0x00100000ULL
#define VMASHADOW_VM_NORESERVE	0x00200000ULL
#define VMASHADOW_VM_HUGETLB	0x00400000ULL
#define VMASHADOW_VM_WIPEONFORK	0x02000000ULL
#define VMASHADOW_VM_DONTDUMP	0x04000000ULL
#define VMASHADOW_VM_MIXEDMAP	0x10000000ULL
#define VMASHADOW_VM_HUGEPAGE	0x20000000ULL
#define VMASHADOW_VM_NOHUGEPAGE	0x40000000ULL
#define VMASHADOW_VM_MERGEABLE	0x80000000ULL
#define VMASHADOW_VM_SEALED	0x10000000000ULL	/* 6.12 mseal(2) */
#define VMASHADOW_VM_DROPPABLE	0x20000000000ULL	/* 6.12 MAP_DROPPABLE */
/* userfaultfd: minor faults (the kernel's bit 37 on 6.1, 38 on 6.12) */
#define VMASHADOW_VM_UFFD_MINOR	0x40000000000ULL
/* The region's mappings carry a vm_ops->close (SysV shm, special mappings). */
#define VMASHADOW_VM_CLOSE_OP	0x1000000000000ULL

/* What backs a region. */
#define VMASHADOW_KIND_ANON	0	/* private anonymous */
#define VMASHADOW_KIND_FILE	1	/* a file, named by its path */
#define VMASHADOW_KIND_SHMEM	2	/* shared anonymous: /dev/zero (deleted) */
#define VMASHADOW_KIND_VDSO	3	/* [vdso] */
#define VMASHADOW_KIND_VVAR	4	/* [vvar] */
#define VMASHADOW_KIND_VCLOCK	5	/* [vvar_vclock] */
#define VMASHADOW_KIND_UPROBES	6	/* [uprobes] */

/* vmashadow_region.state */
#define VMASHADOW_STATE_ANON_FORKED	0x1	/* anon_vma chain not singular */
#define VMASHADOW_STATE_POLICY		0x2	/* a memory policy of its own */
/*
 * Bits 8-15: the userfaultfd context the region is registered with
 * (VMASHADOW_OP_UFFD_*), 1 to VMASHADOW_UFFD_MAX; 0: none.
 */
#define VMASHADOW_STATE_UFFD_SHIFT	8
#define VMASHADOW_STATE_UFFD_MASK	0xff00

/* One region, as FIND and LIST report it. */
struct vmashadow_region {
	__u64 start;
	__u64 end;
	__u64 pgoff;		/* page offset; hidden for anonymous regions */
	__u64 vm_flags;		/* VMASHADOW_VM_* */
	__u64 file_id;		/* identity of the opened file; 0: none */
	__u64 anon_id;		/* identity of the anon_vma; 0: none yet */
	__u64 ino;
	__u32 dev_major;
	__u32 dev_minor;
	__u32 kind;		/* VMASHADOW_KIND_* */
	__u32 state;		/* VMASHADOW_STATE_* */
};

/* VMASHADOW_IOC_VERSION */
struct vmashadow_version {
	__u32 size;
	__u32 api_major;	/* out: VMASHADOW_API_MAJOR */
	__u32 api_minor;	/* out */
	__u32 rules;		/* out: the running kernel's VMASHADOW_RULES_* */
	char module[32];	/* out: module version, NUL-terminated */
};

/*
 * VMASHADOW_IOC_GET_PARAMS, VMASHADOW_IOC_SET_PARAMS: the settings of one
 * shadow.  SET applies only the fields named in ->set (VMASHADOW_PARAM_*).
 */
#define VMASHADOW_PARAM_RULES		0x01
#define VMASHADOW_PARAM_MAX_MAP_COUNT	0x02
#define VMASHADOW_PARAM_BRK		0x04	/* start_brk and brk */
#define VMASHADOW_PARAM_START_STACK	0x08
#define VMASHADOW_PARAM_MMAP_BASE	0x10
#define VMASHADOW_PARAM_MMAP_MIN_ADDR	0x20
#define VMASHADOW_PARAM_OVERCOMMIT	0x40
#define VMASHADOW_PARAM_RLIMIT_AS	0x80
#define VMASHADOW_PARAM_COMMIT		0x100	/* the four commit_* fields */
#define VMASHADOW_PARAM_MDWE		0x200
#define VMASHADOW_PARAM_DEF_FLAGS	0x400
#define VMASHADOW_PARAM_MEMLOCK		0x800	/* rlimit_memlock */
/* rlimit_data, rlimit_data_max and ignore_rlimit_data */
#define VMASHADOW_PARAM_RLIMIT_DATA	0x1000
#define VMASHADOW_PARAM_DATA_SEGMENT	0x2000	/* start_data and end_data */
#define VMASHADOW_PARAM_RLIMIT_STACK	0x4000
#define VMASHADOW_PARAM_MEMS_ALLOWED	0x8000
#define VMASHADOW_PARAM_NODES_ONLINE	0x10000
#define VMASHADOW_PARAM_ARG_START	0x20000
#define VMASHADOW_PARAM_ALL		0x3ffff

/*
 * Older versions, still accepted: without rlimit_as; without commit_*;
 * without mdwe; without def_flags and rlimit_memlock; without the data
 * limit and segment; without rlimit_stack; without mems_allowed; without
 * nodes_online; without arg_start.
 */
#define VMASHADOW_PARAMS_SIZE_VER0	64
#define VMASHADOW_PARAMS_SIZE_VER1	72
#define VMASHADOW_PARAMS_SIZE_VER2	104
#define VMASHADOW_PARAMS_SIZE_VER3	112
#define VMASHADOW_PARAMS_SIZE_VER4	128
#define VMASHADOW_PARAMS_SIZE_VER5	168
#define VMASHADOW_PARAMS_SIZE_VER6	176
#define VMASHADOW_PARAMS_SIZE_VER7	184
#define VMASHADOW_PARAMS_SIZE_VER8	192

/* A resource limit that is not there: RLIM_INFINITY. */
#define VMASHADOW_RLIM_INFINITY		(~0ULL)
/* vmashadow_params.rlimit_memlock: no limit (RLIM_INFINITY, CAP_IPC_LOCK) */
#define VMASHADOW_MEMLOCK_UNLIMITED	VMASHADOW_RLIM_INFINITY

struct vmashadow_params {
	__u32 size;
	__u32 set;		/* SET: VMASHADOW_PARAM_* to apply */
	__u32 rules;		/* VMASHADOW_RULES_* */
	__u32 max_map_count;	/* default: vm.max_map_count */
	__u64 start_brk;	/* the heap: [start_brk, brk) labels [heap] */
	__u64 brk;
	__u64 start_stack;	/* the region holding it is [stack] */
	__u64 mmap_base;	/* top of the top-down placement search */
	__u64 mmap_min_addr;	/* default: vm.mmap_min_addr */
	__u32 overcommit_memory; /* 0, 1 or 2, as vm.overcommit_memory */
	__u32 __reserved;
	__u64 rlimit_as;	/* RLIMIT_AS in bytes; 0: unlimited */
	/*
	 * Strict overcommit (vm.overcommit_memory 2), in bytes.  The defaults
	 * are the kernel's when the descriptor is opened in that mode (else 0:
	 * no limit); IMPORT recounts commit_other as the system's charges
	 * less the imported process's.
	 */
	__u64 commit_limit;	/* CommitLimit of /proc/meminfo; 0: none */
	__u64 commit_other;	/* Committed_AS outside this shadow */
	__u64 commit_admin_reserve; /* vm.admin_reserve_kbytes; 0 if admin */
	__u64 commit_user_reserve;  /* vm.user_reserve_kbytes */
	/*
	 * 1: prctl(PR_SET_MDWE) is in force (6.12): no mapping may become
	 * writable and executable, nor executable when it was not.  IMPORT
	 * takes it from the process.
	 */
	__u32 mdwe;
	__u32 __reserved2;
	/*
	 * mm->def_flags: what every new mapping and brk() get, as
	 * mlockall(MCL_FUTURE) leaves it: 0, VMASHADOW_VM_LOCKED, or that and
	 * VMASHADOW_VM_LOCKONFAULT (MCL_ONFAULT).  IMPORT takes it from the
	 * process; a FORK child starts without it.
	 */
	__u64 def_flags;
	/*
	 * RLIMIT_MEMLOCK in bytes, VMASHADOW_MEMLOCK_UNLIMITED when there is
	 * no limit or the process has CAP_IPC_LOCK.  The default is the
	 * opener's; IMPORT takes the process's.
	 */
	__u64 rlimit_memlock;
	/*
	 * RLIMIT_DATA in bytes, soft and hard, VMASHADOW_RLIM_INFINITY for
	 * none: private writable mappings (VmData) and brk() meet it.  With
	 * ignore_rlimit_data 1 (the kernel's boot option) only brk() does.
	 * The defaults are the opener's, and 0 for the option, which a
	 * module cannot read (/sys/module/kernel/parameters/
	 * ignore_rlimit_data shows it); IMPORT takes the limits from the
	 * process.
	 */
	__u64 rlimit_data;
	__u64 rlimit_data_max;
	__u32 ignore_rlimit_data;
	__u32 __reserved3;
	/*
	 * The program's data segment, [start_data, end_data) of
	 * /proc/PID/stat: brk() counts its size against RLIMIT_DATA with the
	 * heap's.  0 and 0 by default; IMPORT takes them from the process.
	 */
	__u64 start_data;
	__u64 end_data;
	/*
	 * RLIMIT_STACK in bytes, VMASHADOW_RLIM_INFINITY for none: how far a
	 * fault (TOUCH) below a region that grows down may stretch it.  The
	 * opener's by default; IMPORT takes the process's.
	 */
	__u64 rlimit_stack;
	/*
	 * The nodes a memory policy may name, nodes 0-63 as bits: the
	 * process's cpuset_current_mems_allowed less the nodes without
	 * memory; not 0.  The opener's by default; IMPORT takes the
	 * process's.  Policies set before a change keep their nodes (the
	 * kernel rebinds them when a cpuset changes: not modelled).
	 */
	__u64 mems_allowed;
	/*
	 * The nodes online, nodes 0-63 as bits (node_states[N_ONLINE]): the
	 * home nodes set_mempolicy_home_node() accepts; not 0.  The
	 * system's by default and after IMPORT.
	 */
	__u64 nodes_online;
	/*
	 * mm->arg_start, where exec put argv: the stack pointer that exec's
	 * setup_arg_pages() left, from which 6.1 drew the [vdso]'s place
	 * (VMASHADOW_OP_MAP_VDSO with VMASHADOW_OPF_EXEC).  0, the default:
	 * not known.  IMPORT takes the process's.
	 */
	__u64 arg_start;
};

/*
 * VMASHADOW_IOC_MAP, _UNMAP, _PROTECT, _TOUCH, _REMAP, _BRK, _MADVISE,
 * _SEAL, _MLOCK, _MUNLOCK, _MLOCKALL, _MUNLOCKALL, _MBIND, _HOME_NODE and
 * _UFFD_*: one operation each, all described by struct vmashadow_op.  ->op
 * is filled in by the command (it must be zero or match).  The in fields
 * an operation does not use must be zero (->fd is ignored but by MAP of a
 * file); the out fields are overwritten whatever they held.  The ioctl
 * returns what the system call would: 0 or a negative errno.
 * VMASHADOW_IOC_BATCH applies an array of them.
 */
#define VMASHADOW_OP_MAP	1	/* mmap(addr, len, prot, flags, fd, offset) */
#define VMASHADOW_OP_UNMAP	2	/* munmap(addr, len) */
#define VMASHADOW_OP_PROTECT	3	/* mprotect(addr, len, prot) */
#define VMASHADOW_OP_TOUCH	4	/* a write fault at addr */
#define VMASHADOW_OP_REMAP	5	/* mremap(addr, len, new_len, flags, new_addr) */
#define VMASHADOW_OP_BRK	6	/* brk(addr) */
#define VMASHADOW_OP_MADVISE	7	/* madvise(addr, len, flags) */
#define VMASHADOW_OP_SEAL	8	/* mseal(addr, len, flags): 6.12 */
/*
 * arch_prctl(ARCH_MAP_VDSO_64, addr): [vvar] of new_len bytes and above it
 * [vdso] of len bytes, placed with addr as the hint; ->result is the
 * [vdso]'s address.  With VMASHADOW_OPF_EXEC, where exec places them
 * instead (row 7): 6.1 a random page in the 2 MiB above the stack, 6.12
 * first fit under mmap_base (->addr and ->offset 0).  On 6.1 ->offset is
 * the kernel's random draw, counted in pages from start_stack rounded up
 * to a page, and must be one the kernel could make: exec drew from
 * arg_start rounded up, before it moved start_stack down.  Without
 * arg_start (0 in the params), a draw is refused only if no start from
 * there to the top of the stack region could have given it.
 */
#define VMASHADOW_OP_MAP_VDSO	9
#define VMASHADOW_OP_MLOCK	10	/* mlock2(addr, len, flags) */
#define VMASHADOW_OP_MUNLOCK	11	/* munlock(addr, len) */
#define VMASHADOW_OP_MLOCKALL	12	/* mlockall(flags) */
#define VMASHADOW_OP_MUNLOCKALL	13	/* munlockall() */
/*
 * mbind(addr, len, mode, nodemask, maxnode, flags): ->prot is the mode
 * with its MPOL_F_* bits, ->offset the node mask (nodes 0-63; the bits
 * of higher nodes are taken as zero; a mask of none is NULL unless
 * VMASHADOW_OPF_NODEMASK says it was given), ->new_len maxnode and ->flags
 * the MPOL_MF_* flags.  The policy splits and merges regions as it does in
 * the kernel; the pages themselves are not modelled, so MPOL_MF_STRICT
 * never fails with -EIO and MPOL_MF_MOVE moves nothing.
 */
#define VMASHADOW_OP_MBIND	14
/*
 * set_mempolicy_home_node(addr, len, home_node, flags): ->offset is the
 * home node, ->flags the flags (none is defined: the kernel's -EINVAL).
 * It gives the policies of the range that one, splitting and merging as
 * mbind() does; a region with a policy other than MPOL_BIND or
 * MPOL_PREFERRED_MANY ends it with -EOPNOTSUPP, and what it did before
 * that region stays done, as in the kernel.
 */
#define VMASHADOW_OP_HOME_NODE	15
/*
 * userfaultfd(2).  The shadow names a userfaultfd context by a number from
 * 1 to VMASHADOW_UFFD_MAX that the caller picks, in ->offset; contexts are
 * the shadow's own, and two contexts are two identities that never merge.
 *
 * UFFD_API: userfaultfd() then UFFDIO_API with the UFFD_FEATURE_* bits in
 *   ->flags.  The number must be free (-EINVAL, as a second UFFDIO_API).
 *   UFFD_FEATURE_EVENT_FORK keeps registrations across FORK,
 *   _EVENT_REMAP across a moving REMAP, and on 6.12 _WP_ASYNC lets WP
 *   alone register any region.
 * UFFD_REGISTER: UFFDIO_REGISTER of [addr, addr + len) with the
 *   UFFDIO_REGISTER_MODE_* bits in ->flags.
 * UFFD_UNREGISTER: UFFDIO_UNREGISTER of [addr, addr + len) (it clears
 *   registrations of any context, as the kernel's does).
 * UFFD_CLOSE: the last close of the descriptor: userfaultfd_release()
 *   unregisters every region of the context, merging what it can.
 *
 * A number that was never opened, or was closed, is -EBADF.  Page faults,
 * UFFDIO_COPY and the events themselves are not modelled: only what the
 * calls do to regions.
 */
#define VMASHADOW_OP_UFFD_API		16
#define VMASHADOW_OP_UFFD_REGISTER	17
#define VMASHADOW_OP_UFFD_UNREGISTER	18
#define VMASHADOW_OP_UFFD_CLOSE		19
#define VMASHADOW_OP_MAX		19
#define VMASHADOW_UFFD_MAX		127

/*
 * VMASHADOW_IOC_GET_UFFD: the UFFD_FEATURE_* bits of the shadow's context
 * ->ctx, as UFFD_API gave them or IMPORT read them from the kernel's
 * (6.12's _WP_ASYNC with the _WP_UNPOPULATED it implies).  They decide what
 * FORK and REMAP do to its registrations: what opening it again (a replay
 * of an imported state) needs.  A number out of 1 to VMASHADOW_UFFD_MAX or
 * a nonzero field but ->size and ->ctx on the way in: -EINVAL; a context
 * that is not open: -EBADF, as the operations give.
 */
struct vmashadow_uffd {
	__u32 size;
	__u32 ctx;		/* in */
	__u64 features;		/* out */
	__u64 __reserved;	/* in and out: 0 */
};

/* vmashadow_op.op_flags */
#define VMASHADOW_OPF_CLOSE_OP	0x1	/* MAP: the file's mappings have ->close */
#define VMASHADOW_OPF_VDSO	0x2	/* MAP: install a [vdso] special mapping */
#define VMASHADOW_OPF_VVAR	0x4	/* MAP: install a [vvar] special mapping */
/*
 * any: report the outcome, change nothing.  The ioctl returns the errno the
 * operation would give and fills the out fields even when that is not 0.
 */
#define VMASHADOW_OPF_DRY_RUN	0x8
#define VMASHADOW_OPF_EXEC	0x10	/* MAP_VDSO: as exec places it */
/*
 * MBIND: mbind() was given a node mask, even if ->offset names no node.
 * Without it a mask of no nodes stands for a NULL one, which mbind()
 * takes with any maxnode; a mask given is refused (-EINVAL) with maxnode
 * 0 or with more bits than a page holds (interface 1.9).
 */
#define VMASHADOW_OPF_NODEMASK	0x20
#define VMASHADOW_OPF_ALL	0x3f

struct vmashadow_op {
	__u32 size;
	__u32 op;		/* VMASHADOW_OP_* */
	__u64 addr;		/* MAP: address or hint; BRK: the new break */
	__u64 len;		/* REMAP: the old length */
	/*
	 * MAP: file offset in bytes; MAP_VDSO: page; MBIND: node mask;
	 * HOME_NODE: the node; UFFD_*: the context
	 */
	__u64 offset;
	__u32 prot;		/* MAP, PROTECT: PROT_*; MBIND: the mode */
	/*
	 * MAP: MAP_*; REMAP: MREMAP_*; MADVISE: MADV_*; SEAL: mseal's;
	 * MLOCK: MLOCK_ONFAULT; MLOCKALL: MCL_*; MBIND: MPOL_MF_*;
	 * HOME_NODE: its flags; UFFD_API: features; UFFD_REGISTER: mode
	 */
	__u32 flags;
	__s32 fd;		/* MAP: an open file, or -1 */
	__u32 op_flags;		/* VMASHADOW_OPF_* */
	__u64 new_addr;		/* REMAP: MREMAP_FIXED's address */
	/* REMAP; MAP_VDSO: the [vvar]'s length; MBIND: maxnode */
	__u64 new_len;
	/* out */
	__u64 result;		/* MAP, REMAP: the address; BRK: the break */
	__u64 map_count;	/* regions after the operation */
	/*
	 * What the operation did (or would do), counted as the book counts:
	 * a neighbour joined is a merge; a region cut in two, by a punch or
	 * at a range edge, is a split; a region cut short at one end is a
	 * truncation; a region unmapped whole is a removal.
	 */
	__u32 merges;
	__u32 splits;
	__u32 truncations;
	__u32 removals;
};

/*
 * VMASHADOW_IOC_BATCH: apply ->count operations from the array at ->ops in
 * order, stopping at the first that fails.  ->done says how many were
 * applied and ->error is the failing one's errno (0 if none); the ioctl
 * itself returns 0 unless the batch could not be read.  The results of
 * each operation are written back into its array entry.  At most the
 * module parameter max_batch operations per call (-E2BIG beyond).
 */
struct vmashadow_batch {
	__u32 size;
	__u32 op_size;		/* sizeof(struct vmashadow_op) */
	__u64 ops;		/* pointer to the array */
	__u32 count;
	__u32 done;		/* out */
	__s32 error;		/* out: -errno of the operation that failed */
	__u32 __reserved;
};

/*
 * VMASHADOW_IOC_FORK: a new descriptor holding a copy of this shadow as
 * fork(2) would give a child: every anon_vma becomes the child's own and
 * marked inherited, regions with VM_DONTCOPY stay behind.
 */
struct vmashadow_fork {
	__u32 size;
	__u32 flags;		/* must be 0 */
	__s32 fd;		/* out: the child's descriptor (O_CLOEXEC) */
	__u32 __reserved;
};

/*
 * VMASHADOW_IOC_IMPORT: replace the shadow with a real process's address
 * space (pid 0: the caller's), with flags, backing, page offsets and
 * anon_vma identities as the kernel holds them, and the parameters the
 * process decides: the heap, the stack, mmap_base, def_flags, MDWE,
 * RLIMIT_AS, RLIMIT_MEMLOCK, RLIMIT_DATA, the data segment,
 * RLIMIT_STACK and the nodes allowed, and each region's memory policy.  The
 * caller needs the access /proc/PID/maps needs (PTRACE_MODE_READ).  With
 * ->start < ->end, only the regions meeting [start, end) are imported.
 */
struct vmashadow_import {
	__u32 size;
	__s32 pid;
	__u64 start;
	__u64 end;
	__u64 regions;		/* out: regions imported */
};

/*
 * VMASHADOW_IOC_BENCH_FIND: time lookups inside the kernel, where no
 * system call is counted: ->rounds passes over the ->count addresses at
 * ->addrs (an array of __u64), first with the shadow's find (lookup cache
 * included), then with the kernel's own find_vma() on the caller's
 * address space.  For make bench; the figures are only meaningful as a
 * ratio of the two.  A fatal signal ends the call within a few thousand
 * lookups (-EINTR).
 */
struct vmashadow_bench {
	__u32 size;
	__u32 flags;		/* must be 0 */
	__u64 addrs;
	__u32 count;		/* at most 1 << 20 */
	__u32 rounds;		/* count * rounds at most 1 << 26 */
	__u64 shadow_ns;	/* out */
	__u64 kernel_ns;	/* out */
	__u64 shadow_found;	/* out: lookups that found a region */
	__u64 kernel_found;	/* out */
	__u64 cache_hits;	/* out: the shadow's cache hits in its loop */
};

/*
 * VMASHADOW_IOC_GET_POLICY: the memory policy of the region holding
 * ->addr (vma_lookup(); none: -EFAULT), what get_mempolicy(MPOL_F_ADDR)
 * says of it and what it leaves out: the nodes in force beside the nodes
 * as given, and the home node.  These are what __mpol_equal() compares
 * when EXPLAIN says VMASHADOW_WHY_POLICY.  Every field but ->size and
 * ->addr must be zero on the way in.
 */
struct vmashadow_policy {
	__u32 size;
	__u32 flags;		/* in: 0 */
	__u64 addr;		/* in */
	__u32 mode;		/* out: MPOL_*; MPOL_DEFAULT: no policy */
	/* out: MPOL_F_STATIC_NODES, _RELATIVE_NODES, _NUMA_BALANCING */
	__u32 mode_flags;
	__u64 nodes;		/* out: the nodes in force, nodes 0-63 */
	/*
	 * out: the nodes as given, kept when a mode flag is set (else 0), which
	 * is what get_mempolicy() reports then
	 */
	__u64 user_nodes;
	__s32 home_node;	/* out: -1 if none */
	__u32 __reserved;	/* out: 0 */
};

/* VMASHADOW_IOC_FIND */
#define VMASHADOW_FIND_VMA	0	/* find_vma: first region ending above addr */
#define VMASHADOW_FIND_PREV	1	/* find_vma_prev: also the region below */
#define VMASHADOW_FIND_INTERSECT 2	/* first region meeting [addr, end) */
#define VMASHADOW_FIND_LOOKUP	3	/* vma_lookup: the region holding addr */
#define VMASHADOW_FIND_EXACT	4	/* a region that is exactly [addr, end) */

/* vmashadow_find.found */
#define VMASHADOW_FOUND_REGION	0x1
#define VMASHADOW_FOUND_PREV	0x2

struct vmashadow_find {
	__u32 size;
	__u32 mode;		/* VMASHADOW_FIND_* */
	__u64 addr;
	__u64 end;		/* INTERSECT, EXACT */
	__u64 name_addr;	/* optional: buffer for the region's name */
	__u32 name_size;	/* in: its size; out: the name's length + 1 */
	__u32 found;		/* out: VMASHADOW_FOUND_* */
	struct vmashadow_region region;	/* out */
	struct vmashadow_region prev;	/* out: FIND_PREV */
};

/*
 * VMASHADOW_IOC_LIST: walk the regions in address order.  Fills up to
 * ->count records with the regions ending above ->addr, then sets ->count
 * to the number filled and ->addr to the end of the last one, so that the
 * next call continues there.  ->count == 0 on return: no more regions.
 */
struct vmashadow_list {
	__u32 size;
	__u32 region_size;	/* sizeof(struct vmashadow_region) */
	__u64 addr;		/* in/out: cursor */
	__u64 regions;		/* pointer to an array of records */
	__u32 count;		/* in: capacity; out: records filled */
	__u32 __reserved;
};

/* VMASHADOW_IOC_STATS; older versions: without locked_pages; data_pages */
#define VMASHADOW_STATS_SIZE_VER0	96
#define VMASHADOW_STATS_SIZE_VER1	104

struct vmashadow_stats {
	__u32 size;
	__u32 __reserved;
	__u64 regions;		/* the map count */
	__u64 peak_regions;
	__u64 merges;		/* neighbours joined */
	__u64 splits;
	__u64 truncations;	/* a region cut short at one end */
	__u64 removals;		/* regions unmapped whole */
	__u64 lookups;
	__u64 cache_hits;
	__u64 cache_misses;
	__u64 tree_height;
	__u64 anon_vmas;	/* live anon_vma identities */
	__u64 locked_pages;	/* pages in VM_LOCKED regions: VmLck */
	__u64 data_pages;	/* private writable, not stack: VmData */
};

/* VMASHADOW_IOC_VALIDATE: 0, or -EUCLEAN with the first violation here. */
#define VMASHADOW_BAD_NONE		0
#define VMASHADOW_BAD_ORDER		1	/* regions out of order */
#define VMASHADOW_BAD_OVERLAP		2
#define VMASHADOW_BAD_EMPTY		3	/* start >= end */
#define VMASHADOW_BAD_ALIGN		4	/* not page aligned */
#define VMASHADOW_BAD_COUNT		5	/* map count, total, data or policy pages */
#define VMASHADOW_BAD_CACHE		6	/* lookup cache points astray */
#define VMASHADOW_BAD_GAP		7	/* augmented gap data wrong */
#define VMASHADOW_BAD_RBTREE		8	/* red-black properties */
#define VMASHADOW_BAD_ANON		9	/* anon_vma reference counts */
/* a userfaultfd context without a mode, or the other way, or not open */
#define VMASHADOW_BAD_UFFD		10

struct vmashadow_validate {
	__u32 size;
	__u32 violation;	/* out: VMASHADOW_BAD_* */
	__u64 addr;		/* out: start of the offending region */
};

/*
 * VMASHADOW_IOC_EXPLAIN: why neighbours merged or not.  With
 * VMASHADOW_EXPLAIN_LAST it reports what the last MAP or PROTECT decided
 * for its neighbours; with VMASHADOW_EXPLAIN_AT it asks, for the two
 * regions that meet at ->addr, whether they could be one region.
 */
#define VMASHADOW_EXPLAIN_LAST	0
#define VMASHADOW_EXPLAIN_AT	1

#define VMASHADOW_VERDICT_NONE		0	/* no adjacent neighbour */
#define VMASHADOW_VERDICT_MERGED	1
#define VMASHADOW_VERDICT_REFUSED	2

/* The first rule that refused a merge. */
#define VMASHADOW_WHY_NONE		0
#define VMASHADOW_WHY_SPECIAL		1	/* VM_IO/DONTEXPAND/PFNMAP/MIXEDMAP */
#define VMASHADOW_WHY_FLAGS		2	/* vm_flags differ: see flags_diff */
#define VMASHADOW_WHY_FILE		3	/* not the same opened file */
#define VMASHADOW_WHY_CLOSE_OP		4	/* a vm_ops->close forbids it */
#define VMASHADOW_WHY_PGOFF		5	/* page offsets not contiguous */
#define VMASHADOW_WHY_ANON_VMA		6	/* different anon_vmas */
#define VMASHADOW_WHY_ANON_FORKED	7	/* anon_vma chain not singular */
#define VMASHADOW_WHY_ANON_UNFAULTED	8	/* faulted range, unfaulted neighbour */
#define VMASHADOW_WHY_NOT_TRIED		9	/* the operation never tries it */
#define VMASHADOW_WHY_PREV_NEXT		10	/* both fit, not with each other */
#define VMASHADOW_WHY_SELF		11	/* 6.1: DONTUNMAP beside its source */
#define VMASHADOW_WHY_POLICY		12	/* different memory policies */
#define VMASHADOW_WHY_UFFD		13	/* different userfaultfd contexts */

struct vmashadow_explain_side {
	__u64 start;		/* the neighbour; 0, 0: none */
	__u64 end;
	__u64 flags_diff;	/* WHY_FLAGS: the VMASHADOW_VM_* bits that differ */
	__u32 verdict;		/* VMASHADOW_VERDICT_* */
	__u32 why;		/* VMASHADOW_WHY_* */
};

struct vmashadow_explain {
	__u32 size;
	__u32 mode;		/* VMASHADOW_EXPLAIN_* */
	__u64 addr;		/* EXPLAIN_AT: the boundary; out: the range */
	__u64 end;		/* out: end of the range explained */
	__u32 op;		/* out: the operation (VMASHADOW_OP_*) */
	__u32 merge_case;	/* out: vma_merge's case 1-8, or 0 */
	struct vmashadow_explain_side prev;
	struct vmashadow_explain_side next;
};

#define VMASHADOW_IOC_VERSION	_IOWR(VMASHADOW_IOC_MAGIC, 0x00, struct vmashadow_version)
#define VMASHADOW_IOC_GET_PARAMS _IOWR(VMASHADOW_IOC_MAGIC, 0x01, struct vmashadow_params)
#define VMASHADOW_IOC_SET_PARAMS _IOW(VMASHADOW_IOC_MAGIC, 0x02, struct vmashadow_params)
#define VMASHADOW_IOC_MAP	_IOWR(VMASHADOW_IOC_MAGIC, 0x10, struct vmashadow_op)
#define VMASHADOW_IOC_UNMAP	_IOWR(VMASHADOW_IOC_MAGIC, 0x11, struct vmashadow_op)
#define VMASHADOW_IOC_PROTECT	_IOWR(VMASHADOW_IOC_MAGIC, 0x12, struct vmashadow_op)
#define VMASHADOW_IOC_TOUCH	_IOWR(VMASHADOW_IOC_MAGIC, 0x13, struct vmashadow_op)
#define VMASHADOW_IOC_REMAP	_IOWR(VMASHADOW_IOC_MAGIC, 0x14, struct vmashadow_op)
#define VMASHADOW_IOC_BRK	_IOWR(VMASHADOW_IOC_MAGIC, 0x15, struct vmashadow_op)
#define VMASHADOW_IOC_MADVISE	_IOWR(VMASHADOW_IOC_MAGIC, 0x16, struct vmashadow_op)
#define VMASHADOW_IOC_SEAL	_IOWR(VMASHADOW_IOC_MAGIC, 0x18, struct vmashadow_op)
#define VMASHADOW_IOC_MAP_VDSO	_IOWR(VMASHADOW_IOC_MAGIC, 0x19, struct vmashadow_op)
#define VMASHADOW_IOC_MLOCK	_IOWR(VMASHADOW_IOC_MAGIC, 0x1a, struct vmashadow_op)
#define VMASHADOW_IOC_MUNLOCK	_IOWR(VMASHADOW_IOC_MAGIC, 0x1b, struct vmashadow_op)
#define VMASHADOW_IOC_MLOCKALL	_IOWR(VMASHADOW_IOC_MAGIC, 0x1c, struct vmashadow_op)
#define VMASHADOW_IOC_MUNLOCKALL _IOWR(VMASHADOW_IOC_MAGIC, 0x1d, struct vmashadow_op)
#define VMASHADOW_IOC_MBIND	_IOWR(VMASHADOW_IOC_MAGIC, 0x1e, struct vmashadow_op)
#define VMASHADOW_IOC_HOME_NODE	_IOWR(VMASHADOW_IOC_MAGIC, 0x1f, struct vmashadow_op)
#define VMASHADOW_IOC_UFFD_API	_IOWR(VMASHADOW_IOC_MAGIC, 0x27, struct vmashadow_op)
#define VMASHADOW_IOC_UFFD_REGISTER \
	_IOWR(VMASHADOW_IOC_MAGIC, 0x28, struct vmashadow_op)
#define VMASHADOW_IOC_UFFD_UNREGISTER \
	_IOWR(VMASHADOW_IOC_MAGIC, 0x29, struct vmashadow_op)
#define VMASHADOW_IOC_UFFD_CLOSE _IOWR(VMASHADOW_IOC_MAGIC, 0x2a, struct vmashadow_op)
#define VMASHADOW_IOC_BATCH	_IOWR(VMASHADOW_IOC_MAGIC, 0x17, struct vmashadow_batch)
#define VMASHADOW_IOC_GET_POLICY _IOWR(VMASHADOW_IOC_MAGIC, 0x26, struct vmashadow_policy)
#define VMASHADOW_IOC_GET_UFFD	_IOWR(VMASHADOW_IOC_MAGIC, 0x2b, struct vmashadow_uffd)
#define VMASHADOW_IOC_BENCH_FIND \
	_IOWR(VMASHADOW_IOC_MAGIC, 0x25, struct vmashadow_bench)
#define VMASHADOW_IOC_FORK	_IOWR(VMASHADOW_IOC_MAGIC, 0x30, struct vmashadow_fork)
#define VMASHADOW_IOC_IMPORT	_IOWR(VMASHADOW_IOC_MAGIC, 0x31, struct vmashadow_import)
#define VMASHADOW_IOC_FIND	_IOWR(VMASHADOW_IOC_MAGIC, 0x20, struct vmashadow_find)
#define VMASHADOW_IOC_LIST	_IOWR(VMASHADOW_IOC_MAGIC, 0x21, struct vmashadow_list)
#define VMASHADOW_IOC_STATS	_IOWR(VMASHADOW_IOC_MAGIC, 0x22, struct vmashadow_stats)
#define VMASHADOW_IOC_VALIDATE	_IOWR(VMASHADOW_IOC_MAGIC, 0x23, struct vmashadow_validate)
#define VMASHADOW_IOC_EXPLAIN	_IOWR(VMASHADOW_IOC_MAGIC, 0x24, struct vmashadow_explain)

#endif /* _UAPI_VMASHADOW_IOCTL_H */
