// SPDX-License-Identifier: GPL-2.0
/*
 * vmashadow: /dev/vmashadow, a shadow address space per open file.
 *
 * This file is the device glue: it registers the misc device, gives each
 * open file a struct vms_mm under a mutex, copies ioctl arguments in and
 * out, turns file descriptors into struct vms_file, and prints the shadow
 * through seq_file.  The rules themselves live in core/, which never sees
 * a user pointer or a struct file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/dcache.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/sched/signal.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/magic.h>
#include <linux/major.h>
#include <linux/mempolicy.h>
#include <linux/nodemask.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>
#include <linux/utsname.h>

#include "vmashadow.h"

static unsigned int max_regions = 1U << 20;
module_param(max_regions, uint, 0644);
MODULE_PARM_DESC(max_regions,
		 "Most regions one shadow may hold (bounds max_map_count)");

/* Lines of /proc/pid/maps: the prefix, padding and a path. */
#define VMS_LINE_SIZE	(128 + PATH_MAX * 4)

/* One open file of /dev/vmashadow. */
struct vms_ctx {
	struct mutex		lock;		/* serialises all use of the shadow */
	struct vms_mm		mm;
	char			*line;		/* read(): one line */
	char			*name;		/* read(): a file's path */
};

/*
 * A struct file some shadow maps, as the core sees it.  There is one per
 * struct file for all shadows, so that a mapping keeps its identity across
 * fork and import, as vm_file does.
 */
struct vms_gfile {
	struct vms_file		vf;
	struct file		*file;
	struct hlist_node	node;		/* in vms_files */
};

static DEFINE_HASHTABLE(vms_files, 8);
static DEFINE_SPINLOCK(vms_files_lock);

/*
 * The rules of the running kernel: 6.12's from 6.12 on, else 6.1's.  Asked
 * of the release string at run time, not at build time, because the shadow
 * models the kernel it runs on.
 */
static unsigned int vms_default_rules(void)
{
	unsigned int major = 0, minor = 0;

	if (sscanf(init_utsname()->release, "%u.%u", &major, &minor) == 2 &&
	    (major > 6 || (major == 6 && minor >= 12)))
		return VMASHADOW_RULES_6_12;
	return VMASHADOW_RULES_6_1;
}

/* ---- files ----------------------------------------------------------------- */

static void vms_gfile_release(struct vms_file *vf)
{
	struct vms_gfile *gf = container_of(vf, struct vms_gfile, vf);

	spin_lock(&vms_files_lock);
	hash_del(&gf->node);
	spin_unlock(&vms_files_lock);
	fput(gf->file);
	kfree(gf);
}

static int vms_gfile_name(const struct vms_file *vf, char *buf, size_t size)
{
	const struct vms_gfile *gf = container_of(vf, struct vms_gfile, vf);
	char *path = d_path(&gf->file->f_path, buf, size);
	size_t len;

	if (IS_ERR(path))
		return PTR_ERR(path);
	len = strlen(path);
	memmove(buf, path, len + 1);
	return len;
}

/*
 * filemap_fault() and shmem_fault(): a page at or past the end of a
 * regular file or a block device is SIGBUS.  Other files (devices) fault
 * as their drivers please: no end the shadow knows.
 */
static unsigned long vms_gfile_size(const struct vms_file *vf)
{
	const struct vms_gfile *gf = container_of(vf, struct vms_gfile, vf);
	umode_t mode = file_inode(gf->file)->i_mode;

	if (!S_ISREG(mode) && !S_ISBLK(mode))
		return ULONG_MAX;
	/* a block device's pages are its bdev inode's */
	return DIV_ROUND_UP(i_size_read(gf->file->f_mapping->host), PAGE_SIZE);
}

static const struct vms_file_ops vms_gfile_ops = {
	.release	= vms_gfile_release,
	.name		= vms_gfile_name,
	.size		= vms_gfile_size,
};

/* path_noexec(), which modules cannot call. */
static bool vms_path_noexec(const struct path *path)
{
	return (path->mnt->mnt_flags & MNT_NOEXEC) ||
	       (path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC);
}

/* The vms_file of @file if a shadow maps it already, with a reference. */
static struct vms_file *vms_gfile_find(struct file *file)
{
	struct vms_gfile *gf;
	struct vms_file *vf = NULL;

	spin_lock(&vms_files_lock);
	hash_for_each_possible(vms_files, gf, node, (unsigned long)file) {
		if (gf->file == file && refcount_inc_not_zero(&gf->vf.ref)) {
			vf = &gf->vf;
			break;
		}
	}
	spin_unlock(&vms_files_lock);
	return vf;
}

/* file_mmap_size_max(): "we do even unsigned file positions" (/dev/mem) */
static bool vms_unsigned_offsets(const struct file *file)
{
#ifdef FOP_UNSIGNED_OFFSET
	return file->f_op->fop_flags & FOP_UNSIGNED_OFFSET;	/* 6.12 */
#else
	return file->f_mode & FMODE_UNSIGNED_OFFSET;
#endif
}

/*
 * shmem_zero_setup()'s object, what a shared anonymous mapping maps: a
 * kernel-internal (S_PRIVATE) file named "dev/zero".  (shmem_mapping()
 * is not exported to modules on 6.1.)
 */
static bool vms_is_shared_anon(const struct file *file)
{
	return IS_PRIVATE(file_inode(file)) &&
	       !strcmp(file->f_path.dentry->d_name.name, "dev/zero");
}

/*
 * The memfd seals a mapping meets (memfd_file_seals()), read again at
 * every MAP: a seal is never taken away, so a bit once set stays right.
 * Shadows read ->mode under their own locks; the update takes the files'
 * lock so that two of them do not lose each other's bit.
 */
static void vms_gfile_seals(struct vms_file *vf, struct file *file)
{
	struct inode *inode = file_inode(file);
	unsigned int seals, mode = 0;

	if (inode->i_sb->s_magic != TMPFS_MAGIC || !S_ISREG(inode->i_mode))
		return;
	seals = READ_ONCE(SHMEM_I(inode)->seals);
	if (seals & F_SEAL_WRITE)
		mode |= VMS_FMODE_SEAL_WRITE;
	if (seals & F_SEAL_FUTURE_WRITE)
		mode |= VMS_FMODE_SEAL_FUTURE_WRITE;
	if ((READ_ONCE(vf->mode) & mode) == mode)
		return;
	spin_lock(&vms_files_lock);
	WRITE_ONCE(vf->mode, vf->mode | mode);
	spin_unlock(&vms_files_lock);
}

/*
 * The vms_file for @file: one per struct file, so that mapping twice
 * through one open gives one identity and two opens give two.  Takes its
 * own reference on @file; returns the vms_file with a reference the caller
 * drops with vms_file_put().
 */
static struct vms_file *vms_gfile_get(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct vms_gfile *gf;
	struct vms_file *vf = vms_gfile_find(file);

	if (vf) {
		vms_gfile_seals(vf, file);
		return vf;
	}
	gf = kzalloc(sizeof(*gf), GFP_KERNEL_ACCOUNT);
	if (!gf)
		return ERR_PTR(-ENOMEM);
	refcount_set(&gf->vf.ref, 1);
	gf->vf.id = vms_file_new_id();
	gf->vf.ino = inode->i_ino;
	gf->vf.dev_major = MAJOR(inode->i_sb->s_dev);
	gf->vf.dev_minor = MINOR(inode->i_sb->s_dev);
	/* as the shadow's own: shared anonymous memory is charged as such */
	gf->vf.kind = vms_is_shared_anon(file) ? VMASHADOW_KIND_SHMEM :
						 VMASHADOW_KIND_FILE;
	gf->vf.ops = &vms_gfile_ops;
	if (file->f_mode & FMODE_READ)
		gf->vf.mode |= VMS_FMODE_READ;
	if (file->f_mode & FMODE_WRITE)
		gf->vf.mode |= VMS_FMODE_WRITE;
	if (vms_path_noexec(&file->f_path))
		gf->vf.mode |= VMS_FMODE_NOEXEC;
	if (IS_APPEND(inode))
		gf->vf.mode |= VMS_FMODE_APPEND;
	if (!file->f_op->mmap)
		gf->vf.mode |= VMS_FMODE_NOMMAP;
	if (file->f_op->get_unmapped_area == thp_get_unmapped_area)
		gf->vf.mode |= VMS_FMODE_THP;
	else if (!file->f_op->get_unmapped_area)
		gf->vf.mode |= VMS_FMODE_NOAREA;
	if (!file->f_op->fallocate)
		gf->vf.mode |= VMS_FMODE_NOPUNCH;
	/* devtmpfs is tmpfs too: its device nodes are not shmem's files */
	if (inode->i_sb->s_magic == TMPFS_MAGIC && S_ISREG(inode->i_mode))
		gf->vf.mode |= VMS_FMODE_SHMEM;
	if (S_ISCHR(inode->i_mode) && imajor(inode) == MEM_MAJOR &&
	    iminor(inode) == 5)
		gf->vf.mode |= VMS_FMODE_ZERO;
	vms_gfile_seals(&gf->vf, file);
	if (S_ISREG(inode->i_mode) || S_ISBLK(inode->i_mode) ||
	    S_ISSOCK(inode->i_mode))
		gf->vf.mode |= VMS_FMODE_LFS;
	else if (vms_unsigned_offsets(file))
		gf->vf.mode |= VMS_FMODE_UNSIGNED;
	gf->file = get_file(file);

	/* two callers may race to add one file: keep the first */
	spin_lock(&vms_files_lock);
	vf = NULL;
	{
		struct vms_gfile *old;

		hash_for_each_possible(vms_files, old, node, (unsigned long)file) {
			if (old->file == file &&
			    refcount_inc_not_zero(&old->vf.ref)) {
				vf = &old->vf;
				break;
			}
		}
	}
	if (!vf)
		hash_add(vms_files, &gf->node, (unsigned long)file);
	spin_unlock(&vms_files_lock);
	if (vf) {
		fput(gf->file);
		kfree(gf);
		return vf;
	}
	return &gf->vf;
}

/* The vms_file for the file descriptor @fd, as mmap(2) takes it. */
static struct vms_file *vms_file_get(int fd)
{
	struct file *file = fget(fd);
	struct vms_file *vf;

	if (!file)
		return ERR_PTR(-EBADF);
	vf = vms_gfile_get(file);
	fput(file);
	return vf;
}

/* ---- argument copying ------------------------------------------------------ */

/*
 * Read an extensible structure whose first field is its __u32 size, as
 * openat2() and PROCMAP_QUERY do: smaller than its first version is
 * -EINVAL, smaller than this version is zero-extended, larger is accepted
 * when the bytes we do not know are zero (else -E2BIG).  The size field
 * then holds what both sides know, which is what vms_copy_out() writes
 * back: an older caller never gets more bytes than it gave.
 */
static int vms_copy_in_ver(void *karg, size_t ksize, size_t size_ver0,
			   void __user *uarg)
{
	u32 usize;
	int err;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < size_ver0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(karg, ksize, uarg, usize);
	if (err)
		return err;
	*(u32 *)karg = min_t(size_t, usize, ksize);
	return 0;
}

/* A structure that has had one version so far. */
static int vms_copy_in(void *karg, size_t ksize, void __user *uarg)
{
	return vms_copy_in_ver(karg, ksize, ksize, uarg);
}

/* Write back as much of @karg as its size field says the caller knows. */
static int vms_copy_out(void __user *uarg, const void *karg, size_t ksize)
{
	size_t size = min_t(size_t, *(const u32 *)karg, ksize);

	return copy_to_user(uarg, karg, size) ? -EFAULT : 0;
}

static struct vms_ctx *vms_ctx_of(struct file *file)
{
	return ((struct seq_file *)file->private_data)->private;
}

/* ---- ioctls ------------------------------------------------------------------ */

static long vms_ioctl_version(void __user *uarg)
{
	struct vmashadow_version v;
	int err = vms_copy_in(&v, sizeof(v), uarg);

	if (err)
		return err;
	if (v.api_major || v.api_minor || v.rules || memchr_inv(v.module, 0, sizeof(v.module)))
		return -EINVAL;
	v.api_major = VMASHADOW_API_MAJOR;
	v.api_minor = VMASHADOW_API_MINOR;
	v.rules = vms_default_rules();
	strscpy(v.module, VMS_VERSION, sizeof(v.module));
	return vms_copy_out(uarg, &v, sizeof(v));
}

static void vms_params_export(const struct vms_params *p,
			      struct vmashadow_params *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->rules = p->rules;
	out->max_map_count = p->max_map_count;
	out->start_brk = p->start_brk;
	out->brk = p->brk;
	out->start_stack = p->start_stack;
	out->mmap_base = p->mmap_base;
	out->mmap_min_addr = p->mmap_min_addr;
	out->overcommit_memory = p->overcommit_memory;
	out->rlimit_as = p->rlimit_as;
	out->commit_limit = (u64)p->commit_limit << PAGE_SHIFT;
	out->commit_other = (u64)p->commit_other << PAGE_SHIFT;
	out->commit_admin_reserve = (u64)p->commit_admin_reserve << PAGE_SHIFT;
	out->commit_user_reserve = (u64)p->commit_user_reserve << PAGE_SHIFT;
	out->mdwe = p->mdwe;
	out->def_flags = p->def_flags;
	out->rlimit_memlock = p->rlimit_memlock;
	out->rlimit_data = p->rlimit_data;
	out->rlimit_data_max = p->rlimit_data_max;
	out->ignore_rlimit_data = p->ignore_rlimit_data;
	out->start_data = p->start_data;
	out->end_data = p->end_data;
	out->rlimit_stack = p->rlimit_stack;
	out->mems_allowed = p->mems_allowed;
	out->nodes_online = p->nodes_online;
	out->arg_start = p->arg_start;
}

static long vms_ioctl_get_params(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_params p;
	int err = vms_copy_in_ver(&p, sizeof(p), VMASHADOW_PARAMS_SIZE_VER0,
				  uarg);
	u32 size = p.size;

	if (err)
		return err;
	if (p.set || p.__reserved || p.__reserved2 || p.__reserved3)
		return -EINVAL;
	mutex_lock(&ctx->lock);
	vms_params_export(&ctx->mm.params, &p);
	mutex_unlock(&ctx->lock);
	p.size = size;
	return vms_copy_out(uarg, &p, sizeof(p));
}

static int vms_params_check(const struct vmashadow_params *p)
{
	if (!p->set || (p->set & ~VMASHADOW_PARAM_ALL) || p->__reserved ||
	    p->__reserved2 || p->__reserved3)
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_RULES) &&
	    p->rules != VMASHADOW_RULES_6_1 && p->rules != VMASHADOW_RULES_6_12)
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_MAX_MAP_COUNT) &&
	    (!p->max_map_count || p->max_map_count > max_regions))
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_BRK) &&
	    (p->start_brk > p->brk || p->brk > VMS_TASK_SIZE))
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_START_STACK) &&
	    p->start_stack > VMS_TASK_SIZE)
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_ARG_START) &&
	    p->arg_start > VMS_TASK_SIZE)
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_MMAP_BASE) &&
	    (p->mmap_base > VMS_TASK_SIZE || (p->mmap_base & ~PAGE_MASK)))
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_MMAP_MIN_ADDR) &&
	    p->mmap_min_addr > VMS_TASK_SIZE)
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_OVERCOMMIT) && p->overcommit_memory > 2)
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_MDWE) && p->mdwe > 1)
		return -EINVAL;
	/* a soft limit above the hard one is setrlimit()'s -EINVAL */
	if ((p->set & VMASHADOW_PARAM_RLIMIT_DATA) &&
	    (p->rlimit_data > p->rlimit_data_max || p->ignore_rlimit_data > 1))
		return -EINVAL;
	/* a process may always take memory from one node at least */
	if ((p->set & VMASHADOW_PARAM_MEMS_ALLOWED) && !p->mems_allowed)
		return -EINVAL;
	/* and the node that booted is online */
	if ((p->set & VMASHADOW_PARAM_NODES_ONLINE) && !p->nodes_online)
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_DATA_SEGMENT) &&
	    (p->start_data > p->end_data || p->end_data > VMS_TASK_SIZE))
		return -EINVAL;
	/* what mlockall() can leave: LOCKONFAULT only with LOCKED */
	if ((p->set & VMASHADOW_PARAM_DEF_FLAGS) && p->def_flags &&
	    p->def_flags != VMASHADOW_VM_LOCKED &&
	    p->def_flags != (VMASHADOW_VM_LOCKED | VMASHADOW_VM_LOCKONFAULT))
		return -EINVAL;
	return 0;
}

static long vms_ioctl_set_params(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_params p;
	struct vms_params *mp = &ctx->mm.params;
	int err = vms_copy_in_ver(&p, sizeof(p), VMASHADOW_PARAMS_SIZE_VER0,
				  uarg);

	if (err)
		return err;
	err = vms_params_check(&p);
	if (err)
		return err;
	if (mutex_lock_killable(&ctx->lock))
		return -EINTR;
	if (p.set & VMASHADOW_PARAM_RULES)
		mp->rules = p.rules;
	if (p.set & VMASHADOW_PARAM_MAX_MAP_COUNT)
		mp->max_map_count = p.max_map_count;
	if (p.set & VMASHADOW_PARAM_BRK) {
		mp->start_brk = p.start_brk;
		mp->brk = p.brk;
	}
	if (p.set & VMASHADOW_PARAM_START_STACK)
		mp->start_stack = p.start_stack;
	if (p.set & VMASHADOW_PARAM_ARG_START)
		mp->arg_start = p.arg_start;
	if (p.set & VMASHADOW_PARAM_MMAP_BASE)
		mp->mmap_base = p.mmap_base;
	if (p.set & VMASHADOW_PARAM_MMAP_MIN_ADDR)
		mp->mmap_min_addr = p.mmap_min_addr;
	if (p.set & VMASHADOW_PARAM_OVERCOMMIT)
		mp->overcommit_memory = p.overcommit_memory;
	if (p.set & VMASHADOW_PARAM_RLIMIT_AS)
		mp->rlimit_as = p.rlimit_as;
	if (p.set & VMASHADOW_PARAM_COMMIT) {
		mp->commit_limit = p.commit_limit >> PAGE_SHIFT;
		mp->commit_other = p.commit_other >> PAGE_SHIFT;
		mp->commit_admin_reserve = p.commit_admin_reserve >> PAGE_SHIFT;
		mp->commit_user_reserve = p.commit_user_reserve >> PAGE_SHIFT;
	}
	if (p.set & VMASHADOW_PARAM_MDWE)
		mp->mdwe = p.mdwe;
	if (p.set & VMASHADOW_PARAM_DEF_FLAGS)
		mp->def_flags = p.def_flags;
	if (p.set & VMASHADOW_PARAM_MEMLOCK)
		mp->rlimit_memlock = p.rlimit_memlock;
	if (p.set & VMASHADOW_PARAM_RLIMIT_DATA) {
		mp->rlimit_data = p.rlimit_data;
		mp->rlimit_data_max = p.rlimit_data_max;
		mp->ignore_rlimit_data = p.ignore_rlimit_data;
	}
	if (p.set & VMASHADOW_PARAM_DATA_SEGMENT) {
		mp->start_data = p.start_data;
		mp->end_data = p.end_data;
	}
	if (p.set & VMASHADOW_PARAM_RLIMIT_STACK)
		mp->rlimit_stack = p.rlimit_stack;
	if (p.set & VMASHADOW_PARAM_MEMS_ALLOWED)
		mp->mems_allowed = p.mems_allowed;
	if (p.set & VMASHADOW_PARAM_NODES_ONLINE)
		mp->nodes_online = p.nodes_online;
	mutex_unlock(&ctx->lock);
	return 0;
}

/*
 * The file a MAP of a file names, looked up as mmap(2) does it: after the
 * offset check (which the core repeats), else -EBADF.  NULL for
 * everything that maps no file.
 */
static struct vms_file *vms_op_file(const struct vmashadow_op *op)
{
	if (op->op != VMASHADOW_OP_MAP || (op->flags & MAP_ANONYMOUS) ||
	    (op->op_flags & (VMASHADOW_OPF_VDSO | VMASHADOW_OPF_VVAR)) ||
	    (op->offset & ~PAGE_MASK))
		return NULL;
	return vms_file_get(op->fd);
}

/* One operation on the shadow, with the file it maps looked up first. */
static int vms_ctx_run_op(struct vms_ctx *ctx, struct vmashadow_op *op)
{
	struct vms_file *file = vms_op_file(op);
	int err;

	if (IS_ERR(file))
		return PTR_ERR(file);
	err = vms_run_op(&ctx->mm, op, file);
	vms_file_put(file);
	return err;
}

/*
 * An operation's own ioctl: the whole structure in one copy when the
 * caller's is this size, as nearly every one is, else vms_copy_in()
 * again from the start (its answer stands: a larger structure with a
 * tail of zeros, or -EINVAL, -E2BIG, -EFAULT).  A copy of constant size
 * also skips hardened usercopy's look at the stack: one operation per
 * ioctl is the one place where those copies are a measurable share
 * (bench's op-floor).
 */
static int vms_op_copy_in(struct vmashadow_op *op, void __user *uarg)
{
	if (!copy_from_user(op, uarg, sizeof(*op)) && op->size == sizeof(*op))
		return 0;
	return vms_copy_in(op, sizeof(*op), uarg);
}

static long vms_ioctl_op(struct vms_ctx *ctx, void __user *uarg, u32 which)
{
	struct vmashadow_op op;
	int err = vms_op_copy_in(&op, uarg);

	if (err)
		return err;
	err = vms_op_check(&op, which);
	if (err)
		return err;
	op.op = which;
	if (mutex_lock_killable(&ctx->lock))
		return -EINTR;
	err = vms_ctx_run_op(ctx, &op);
	mutex_unlock(&ctx->lock);
	/* a dry run reports its outcome, failure included */
	if (err && !(op.op_flags & VMASHADOW_OPF_DRY_RUN))
		return err;
	/* the structure has one version: ->size is sizeof(op) here */
	if (copy_to_user(uarg, &op, sizeof(op)))
		return -EFAULT;
	return err;
}

/* ---- batches --------------------------------------------------------------- */

static unsigned int max_batch = 4096;
module_param(max_batch, uint, 0644);
MODULE_PARM_DESC(max_batch, "Most operations one VMASHADOW_IOC_BATCH may carry");

/* Operations are read and written back this many at a time. */
#define VMS_BATCH_CHUNK	64

static long vms_ioctl_batch(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_batch b;
	struct vmashadow_op *ops;
	struct vmashadow_op __user *uops;
	u32 i, n;
	int err = vms_copy_in(&b, sizeof(b), uarg);

	if (err)
		return err;
	if (b.op_size != sizeof(*ops) || b.done || b.error || b.__reserved)
		return -EINVAL;
	if (b.count > max_batch)
		return -E2BIG;
	uops = u64_to_user_ptr(b.ops);
	ops = kmalloc_array(VMS_BATCH_CHUNK, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	if (mutex_lock_killable(&ctx->lock)) {
		kfree(ops);
		return -EINTR;
	}
	for (i = 0; i < b.count && !b.error; i += n) {
		u32 j;

		n = min_t(u32, b.count - i, VMS_BATCH_CHUNK);
		/*
		 * An array that runs into unmapped memory stops the batch
		 * there.  If operations before were applied, that is reported
		 * like any failing operation, with ->done; if nothing was,
		 * the batch could not be read: -EFAULT.
		 */
		if (copy_from_user(ops, uops + i, n * sizeof(*ops))) {
			if (i)
				b.error = -EFAULT;
			else
				err = -EFAULT;	/* nothing applied */
			break;
		}
		for (j = 0; j < n; j++) {
			struct vmashadow_op *op = &ops[j];
			u32 which = op->op;

			if (fatal_signal_pending(current)) {
				b.error = -EINTR;
				break;
			}
			if (op->size != sizeof(*op) || !which ||
			    which > VMASHADOW_OP_MAX)
				b.error = -EINVAL;
			else
				b.error = vms_op_check(op, which);
			if (!b.error)
				b.error = vms_ctx_run_op(ctx, op);
			if (b.error)
				break;
			b.done++;
			cond_resched();
		}
		/* results that cannot be written back: -EFAULT after them */
		if (copy_to_user(uops + i, ops, min(n, j + !!b.error) * sizeof(*ops)) &&
		    !b.error)
			b.error = -EFAULT;
	}
	mutex_unlock(&ctx->lock);
	kfree(ops);
	return err ? err : vms_copy_out(uarg, &b, sizeof(b));
}

static long vms_ioctl_get_uffd(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_uffd u;
	u64 features;
	int err = vms_copy_in(&u, sizeof(u), uarg);

	if (err)
		return err;
	if (u.features || u.__reserved)
		return -EINVAL;
	mutex_lock(&ctx->lock);
	err = vms_uffd_features(&ctx->mm, u.ctx, &features);
	mutex_unlock(&ctx->lock);
	if (err)
		return err;
	u.features = features;
	return vms_copy_out(uarg, &u, sizeof(u));
}

/* A region's name for FIND, as read() prints it; returns length + 1. */
static int vms_region_name(struct vms_ctx *ctx, const struct vms_region *r,
			   char *buf, size_t size)
{
	const char *name = vms_region_label(&ctx->mm, r, ctx->name, PATH_MAX);

	if (IS_ERR(name))
		return PTR_ERR(name);
	if (strscpy(buf, name ? name : "", size) < 0)
		return -ENAMETOOLONG;
	return strlen(buf) + 1;
}

static long vms_ioctl_get_policy(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_policy p;
	int err = vms_copy_in(&p, sizeof(p), uarg);

	if (err)
		return err;
	/* the out fields too, so that they may become in fields one day */
	if (p.flags || p.mode || p.mode_flags || p.nodes || p.user_nodes ||
	    p.home_node || p.__reserved)
		return -EINVAL;
	if (mutex_lock_killable(&ctx->lock))
		return -EINTR;
	err = vms_get_policy(&ctx->mm, p.addr, &p);
	mutex_unlock(&ctx->lock);
	if (err)
		return err;
	return vms_copy_out(uarg, &p, sizeof(p));
}

static long vms_ioctl_find(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_find f;
	struct vms_region *r, *prev = NULL;
	char *name = NULL;
	int err = vms_copy_in(&f, sizeof(f), uarg);

	if (err)
		return err;
	if (f.found || (f.mode != VMASHADOW_FIND_INTERSECT &&
			f.mode != VMASHADOW_FIND_EXACT && f.end))
		return -EINVAL;
	if (f.name_size > PATH_MAX || (f.name_size && !f.name_addr) ||
	    (!f.name_size && f.name_addr))
		return -EINVAL;
	if (f.name_size) {
		name = kmalloc(f.name_size, GFP_KERNEL);
		if (!name)
			return -ENOMEM;
	}
	if (mutex_lock_killable(&ctx->lock)) {
		kfree(name);
		return -EINTR;
	}
	r = vms_find_mode(&ctx->mm, f.mode, f.addr, f.end, &prev);
	if (IS_ERR(r)) {
		err = PTR_ERR(r);
		goto unlock;
	}
	memset(&f.region, 0, sizeof(f.region));
	memset(&f.prev, 0, sizeof(f.prev));
	if (r) {
		f.found |= VMASHADOW_FOUND_REGION;
		vms_export(r, &f.region);
		if (name) {
			err = vms_region_name(ctx, r, name, f.name_size);
			if (err < 0)
				goto unlock;
			f.name_size = err;
			err = 0;
		}
	}
	if (prev) {
		f.found |= VMASHADOW_FOUND_PREV;
		vms_export(prev, &f.prev);
	}
	if (!f.found)
		err = -ENOENT;
unlock:
	mutex_unlock(&ctx->lock);
	if (!err && name && r && copy_to_user(u64_to_user_ptr(f.name_addr),
					      name, f.name_size))
		err = -EFAULT;
	kfree(name);
	return err ? err : vms_copy_out(uarg, &f, sizeof(f));
}

/* LIST copies through a bounce buffer: no user access under the lock. */
#define VMS_LIST_BATCH	256

static long vms_ioctl_list(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_list l;
	struct vmashadow_region *buf;
	struct vms_region *r;
	u32 n = 0, want;
	int err = vms_copy_in(&l, sizeof(l), uarg);

	if (err)
		return err;
	if (l.__reserved || l.region_size != sizeof(*buf))
		return -EINVAL;
	want = min_t(u32, l.count, VMS_LIST_BATCH);
	if (!want)
		return -EINVAL;
	buf = kvmalloc_array(want, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (mutex_lock_killable(&ctx->lock)) {
		kvfree(buf);
		return -EINTR;
	}
	for (r = vms_find(&ctx->mm, l.addr); r && n < want; r = vms_next(r))
		vms_export(r, &buf[n++]);
	mutex_unlock(&ctx->lock);

	if (n && copy_to_user(u64_to_user_ptr(l.regions), buf,
			      n * sizeof(*buf)))
		err = -EFAULT;
	if (n)
		l.addr = buf[n - 1].end;
	l.count = n;
	kvfree(buf);
	return err ? err : vms_copy_out(uarg, &l, sizeof(l));
}

static long vms_ioctl_stats(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_stats s;
	const struct vms_counters *c = &ctx->mm.count;
	int err = vms_copy_in_ver(&s, sizeof(s), VMASHADOW_STATS_SIZE_VER0,
				  uarg);
	u32 size = s.size;

	if (err)
		return err;
	if (memchr_inv((char *)&s + sizeof(s.size), 0, sizeof(s) - sizeof(s.size)))
		return -EINVAL;
	if (mutex_lock_killable(&ctx->lock))
		return -EINTR;
	s.regions = ctx->mm.map_count;
	s.peak_regions = c->peak_regions;
	s.merges = c->merges;
	s.splits = c->splits;
	s.truncations = c->truncations;
	s.removals = c->removals;
	s.lookups = c->lookups;
	s.cache_hits = c->cache_hits;
	s.cache_misses = c->cache_misses;
	s.anon_vmas = c->anon_vmas;
	s.tree_height = vms_tree_height(&ctx->mm);
	s.locked_pages = vms_locked_pages(&ctx->mm);
	s.data_pages = ctx->mm.data_vm;
	mutex_unlock(&ctx->lock);
	s.size = size;
	return vms_copy_out(uarg, &s, sizeof(s));
}

static long vms_ioctl_validate(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_validate v;
	unsigned long where;
	int err = vms_copy_in(&v, sizeof(v), uarg);

	if (err)
		return err;
	if (v.violation || v.addr)
		return -EINVAL;
	if (mutex_lock_killable(&ctx->lock))
		return -EINTR;
	v.violation = vms_validate(&ctx->mm, &where);
	mutex_unlock(&ctx->lock);
	v.addr = where;
	err = vms_copy_out(uarg, &v, sizeof(v));
	return err ? err : (v.violation ? -EUCLEAN : 0);
}

#define VMS_BENCH_MAX_COUNT	BIT(20)
#define VMS_BENCH_MAX_LOOKUPS	BIT_ULL(26)
/* lookups between two looks for a fatal signal and a chance to reschedule */
#define VMS_BENCH_CHUNK		4096U

static u64 vms_bench_shadow_chunk(struct vms_mm *mm, const u64 *addrs,
				  u32 count)
{
	u64 found = 0;
	u32 i;

	for (i = 0; i < count; i++)
		found += !!vms_find(mm, addrs[i]);
	return found;
}

static u64 vms_bench_kernel_chunk(struct mm_struct *mm, const u64 *addrs,
				  u32 count)
{
	u64 found = 0;
	u32 i;

	for (i = 0; i < count; i++)
		found += !!find_vma(mm, addrs[i]);
	return found;
}

/*
 * @rounds passes over the @count addresses at @addrs, with the shadow's
 * find on @shadow or else the kernel's find_vma() on @mm; returns how many
 * found a region.  A round may take seconds on the debug kernel, holding
 * the shadow's mutex or mmap_lock: a fatal signal ends the loops within
 * VMS_BENCH_CHUNK lookups, and the ioctl then says -EINTR.
 */
static u64 vms_bench_loop(struct vms_mm *shadow, struct mm_struct *mm,
			  const u64 *addrs, u32 count, u32 rounds)
{
	u64 found = 0;
	u32 n, i, len;

	for (n = 0; n < rounds; n++) {
		for (i = 0; i < count; i += len) {
			len = min(count - i, VMS_BENCH_CHUNK);
			found += shadow ?
				 vms_bench_shadow_chunk(shadow, addrs + i, len) :
				 vms_bench_kernel_chunk(mm, addrs + i, len);
			if (fatal_signal_pending(current))
				return found;
			cond_resched();
		}
	}
	return found;
}

static long vms_ioctl_bench_find(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_bench b;
	struct mm_struct *mm = current->mm;
	u64 *addrs, t0, hits;
	int err = vms_copy_in(&b, sizeof(b), uarg);

	if (err)
		return err;
	if (b.flags || b.shadow_ns || b.kernel_ns || b.shadow_found ||
	    b.kernel_found || b.cache_hits)
		return -EINVAL;
	/* bounded, so that no caller holds a CPU for long */
	if (!b.count || b.count > VMS_BENCH_MAX_COUNT || !b.rounds ||
	    (u64)b.count * b.rounds > VMS_BENCH_MAX_LOOKUPS)
		return -EINVAL;
	addrs = kvmalloc_array(b.count, sizeof(*addrs), GFP_KERNEL);
	if (!addrs)
		return -ENOMEM;
	if (copy_from_user(addrs, u64_to_user_ptr(b.addrs),
			   b.count * sizeof(*addrs))) {
		err = -EFAULT;
		goto out;
	}
	err = -EINTR;
	if (mutex_lock_killable(&ctx->lock))
		goto out;
	hits = ctx->mm.count.cache_hits;
	t0 = ktime_get_ns();
	b.shadow_found = vms_bench_loop(&ctx->mm, NULL, addrs, b.count,
					b.rounds);
	b.shadow_ns = ktime_get_ns() - t0;
	b.cache_hits = ctx->mm.count.cache_hits - hits;
	mutex_unlock(&ctx->lock);

	if (mmap_read_lock_killable(mm))
		goto out;
	t0 = ktime_get_ns();
	b.kernel_found = vms_bench_loop(NULL, mm, addrs, b.count, b.rounds);
	b.kernel_ns = ktime_get_ns() - t0;
	mmap_read_unlock(mm);
	if (fatal_signal_pending(current))
		goto out;
	err = vms_copy_out(uarg, &b, sizeof(b));
out:
	kvfree(addrs);
	return err;
}

static long vms_ioctl_explain(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_explain e;
	u64 addr;
	int err = vms_copy_in(&e, sizeof(e), uarg);
	u32 size = e.size;

	if (err)
		return err;
	if (e.mode > VMASHADOW_EXPLAIN_AT ||
	    (e.mode == VMASHADOW_EXPLAIN_LAST && e.addr) || e.end || e.op ||
	    e.merge_case || memchr_inv(&e.prev, 0, sizeof(e.prev)) ||
	    memchr_inv(&e.next, 0, sizeof(e.next)))
		return -EINVAL;
	addr = e.addr;
	if (mutex_lock_killable(&ctx->lock))
		return -EINTR;
	if (e.mode == VMASHADOW_EXPLAIN_LAST)
		e = ctx->mm.last;
	else
		vms_explain_at(&ctx->mm, addr, &e);
	mutex_unlock(&ctx->lock);
	e.size = size;
	return vms_copy_out(uarg, &e, sizeof(e));
}

/* ---- read(): the shadow as /proc/pid/maps ------------------------------------ */

/*
 * The seq_file position is the page number to resume at, so a read split
 * over several calls continues after the last line printed even if the
 * shadow changed in between, as /proc/pid/maps does.
 */
static void *vms_seq_start(struct seq_file *m, loff_t *pos)
{
	struct vms_ctx *ctx = m->private;

	if (mutex_lock_killable(&ctx->lock))
		return ERR_PTR(-EINTR);
	if (*pos < 0 || *pos > (VMS_TASK_SIZE >> PAGE_SHIFT))
		return NULL;
	return vms_find(&ctx->mm, (unsigned long)*pos << PAGE_SHIFT);
}

static void *vms_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vms_region *r = v;

	*pos = r->end >> PAGE_SHIFT;
	return vms_next(r);
}

static void vms_seq_stop(struct seq_file *m, void *v)
{
	struct vms_ctx *ctx = m->private;

	if (!IS_ERR(v))
		mutex_unlock(&ctx->lock);
}

static int vms_seq_show(struct seq_file *m, void *v)
{
	struct vms_ctx *ctx = m->private;
	int len = vms_show_region(&ctx->mm, v, ctx->line, VMS_LINE_SIZE,
				  ctx->name, PATH_MAX);

	if (len < 0)
		return len;
	seq_write(m, ctx->line, len);
	return 0;
}

static const struct seq_operations vms_seq_ops = {
	.start	= vms_seq_start,
	.next	= vms_seq_next,
	.stop	= vms_seq_stop,
	.show	= vms_seq_show,
};

/* ---- open and release ------------------------------------------------------------ */

/*
 * A number from a sysctl file, or @def where it cannot be read: the
 * kernel does not export vm.max_map_count and its kin to modules.
 */
static unsigned long vms_sysctl(const char *path, unsigned long def)
{
	struct file *file = filp_open(path, O_RDONLY, 0);
	char buf[24] = "";
	unsigned long val;
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(file))
		return def;
	n = kernel_read(file, buf, sizeof(buf) - 1, &pos);
	fput(file);
	if (n <= 0 || kstrtoul(strim(buf), 10, &val))
		return def;
	return val;
}

/*
 * "Key:  N kB" lines of /proc/meminfo, in pages, read in one pass; a key
 * that is not found reads 0.
 */
static void vms_meminfo_pages(const char *const keys[], unsigned long pages[],
			      unsigned int nr)
{
	struct file *file = filp_open("/proc/meminfo", O_RDONLY, 0);
	unsigned long kb;
	unsigned int i;
	loff_t pos = 0;
	char *buf, *p;
	ssize_t n = -ENOMEM;

	memset(pages, 0, nr * sizeof(*pages));
	if (IS_ERR(file))
		return;
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (buf)
		n = kernel_read(file, buf, PAGE_SIZE - 1, &pos);
	fput(file);
	for (i = 0; n > 0 && i < nr; i++) {
		buf[n] = '\0';
		p = strstr(buf, keys[i]);
		if (p && sscanf(p + strlen(keys[i]), " %lu", &kb) == 1)
			pages[i] = kb >> (PAGE_SHIFT - 10);
	}
	kfree(buf);
}

/* A sysctl in kilobytes, in pages. */
static unsigned long vms_sysctl_kb_pages(const char *path)
{
	return vms_sysctl(path, 0) >> (PAGE_SHIFT - 10);
}

/*
 * A new shadow starts with the settings of the running kernel.  The
 * opener's CAP_SYS_ADMIN decides the admin reserve, as the caller's does
 * in __vm_enough_memory().  Under overcommit 0 and 1 the commit figures
 * stay 0 (no limit) until SET_PARAMS gives them.
 */
static void vms_params_from_sysctl(struct vms_params *p)
{
	static const char *const keys[] = { "SwapTotal:", "CommitLimit:" };
	unsigned long meminfo[ARRAY_SIZE(keys)];
	struct sysinfo si;

	/* the heuristic overcommit's bound: totalram_pages + total_swap_pages */
	si_meminfo(&si);
	vms_meminfo_pages(keys, meminfo, ARRAY_SIZE(keys));
	p->ram_pages = si.totalram + meminfo[0];
	p->max_map_count = min_t(unsigned long, max_regions,
				 vms_sysctl("/proc/sys/vm/max_map_count",
					    p->max_map_count));
	p->mmap_min_addr = vms_sysctl("/proc/sys/vm/mmap_min_addr",
				      p->mmap_min_addr);
	p->rlimit_memlock = ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK) ?
			    VMASHADOW_MEMLOCK_UNLIMITED :
			    rlimit(RLIMIT_MEMLOCK);
	p->rlimit_data = rlimit(RLIMIT_DATA);
	p->rlimit_data_max = rlimit_max(RLIMIT_DATA);
	p->rlimit_stack = rlimit(RLIMIT_STACK);
	p->overcommit_memory = min(2UL,
				   vms_sysctl("/proc/sys/vm/overcommit_memory",
					      p->overcommit_memory));
	/* strict accounting's figures only where it is on: opens stay cheap */
	if (p->overcommit_memory != 2)
		return;
	p->commit_limit = meminfo[1];
	p->commit_other = vm_memory_committed();
	p->commit_user_reserve =
		vms_sysctl_kb_pages("/proc/sys/vm/user_reserve_kbytes");
	p->commit_admin_reserve =
		ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN) ? 0 :
		vms_sysctl_kb_pages("/proc/sys/vm/admin_reserve_kbytes");
}

/*
 * The nodes @task may take memory from, as mbind() masks a policy's nodes
 * with them: cpuset_current_mems_allowed less the nodes without memory.
 */
static u64 vms_task_mems(struct task_struct *task)
{
	nodemask_t mems = node_states[N_MEMORY];

#ifdef CONFIG_CPUSETS
	task_lock(task);
	nodes_and(mems, mems, task->mems_allowed);
	task_unlock(task);
#endif
	return nodes_addr(mems)[0];
}

/* The nodes online, which set_mempolicy_home_node() takes as home nodes. */
static u64 vms_nodes_online(void)
{
	return nodes_addr(node_states[N_ONLINE])[0];
}

static void vms_ctx_free(struct vms_ctx *ctx)
{
	vms_mm_destroy(&ctx->mm);
	mutex_destroy(&ctx->lock);
	kvfree(ctx->name);
	kvfree(ctx->line);
	kfree(ctx);
}

static struct vms_ctx *vms_ctx_alloc(struct file *file)
{
	struct vms_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);

	if (!ctx)
		return NULL;
	ctx->line = kvmalloc(VMS_LINE_SIZE, GFP_KERNEL_ACCOUNT);
	ctx->name = kvmalloc(PATH_MAX, GFP_KERNEL_ACCOUNT);
	mutex_init(&ctx->lock);
	vms_mm_init(&ctx->mm, vms_default_rules());
	if (!ctx->line || !ctx->name) {
		vms_ctx_free(ctx);
		return NULL;
	}
	vms_params_from_sysctl(&ctx->mm.params);
	/* security_mmap_addr(): mapping below mmap_min_addr needs RAWIO */
	ctx->mm.may_map_low = file_ns_capable(file, &init_user_ns,
					      CAP_SYS_RAWIO);
	/* do_mbind(): moving others' pages (MPOL_MF_MOVE_ALL) needs NICE */
	ctx->mm.may_move_all = file_ns_capable(file, &init_user_ns,
					       CAP_SYS_NICE);
	/* userfaultfd_api(): the fork event needs PTRACE */
	ctx->mm.may_ptrace = file_ns_capable(file, &init_user_ns,
					     CAP_SYS_PTRACE);
	ctx->mm.params.mems_allowed = vms_task_mems(current);
	ctx->mm.params.nodes_online = vms_nodes_online();
	return ctx;
}

/* Give @file its seq_file, which carries @ctx to read() and ioctl(). */
static int vms_attach(struct file *file, struct vms_ctx *ctx)
{
	int err;

	/* misc_open() left the miscdevice here; seq_open() wants it empty */
	file->private_data = NULL;
	err = seq_open(file, &vms_seq_ops);
	if (err)
		return err;
	((struct seq_file *)file->private_data)->private = ctx;
	return 0;
}

static int vms_open(struct inode *inode, struct file *file)
{
	struct vms_ctx *ctx = vms_ctx_alloc(file);
	int err;

	if (!ctx)
		return -ENOMEM;
	err = vms_attach(file, ctx);
	if (err)
		vms_ctx_free(ctx);
	return err;
}

static int vms_release(struct inode *inode, struct file *file)
{
	if (!file->private_data)	/* a fork that failed half-way */
		return 0;
	vms_ctx_free(vms_ctx_of(file));
	return seq_release(inode, file);
}

/* ---- fork and import ------------------------------------------------------------- */

static const struct file_operations vms_fops;

/*
 * A new file for a shadow that already exists (fork's child) and the
 * descriptor number it is to have.  The caller installs it with
 * fd_install() once nothing can fail any more, or drops both.
 */
static struct file *vms_new_file(struct vms_ctx *ctx, int *fdp)
{
	struct file *file;
	int fd, err;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return ERR_PTR(fd);
	file = anon_inode_getfile("[vmashadow]", &vms_fops, NULL, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return file;
	}
	err = vms_attach(file, ctx);
	if (err) {
		fput(file);	/* ->release is not called without a seq_file */
		put_unused_fd(fd);
		return ERR_PTR(err);
	}
	*fdp = fd;
	return file;
}

static long vms_ioctl_fork(struct vms_ctx *ctx, struct file *file,
			   void __user *uarg)
{
	struct vmashadow_fork f;
	struct vms_ctx *child;
	struct file *child_file;
	int err = vms_copy_in(&f, sizeof(f), uarg);

	if (err)
		return err;
	if (f.flags || f.fd || f.__reserved)
		return -EINVAL;
	child = vms_ctx_alloc(file);
	if (!child)
		return -ENOMEM;
	if (mutex_lock_killable(&ctx->lock)) {
		vms_ctx_free(child);
		return -EINTR;
	}
	err = vms_mm_dup(&child->mm, &ctx->mm, true);
	mutex_unlock(&ctx->lock);
	if (err) {
		vms_ctx_free(child);
		return err;
	}
	child_file = vms_new_file(child, &f.fd);
	if (IS_ERR(child_file)) {
		vms_ctx_free(child);
		return PTR_ERR(child_file);
	}
	/* a number the caller never learns must not stay a descriptor */
	err = vms_copy_out(uarg, &f, sizeof(f));
	if (err) {
		fput(child_file);	/* ->release frees the child */
		put_unused_fd(f.fd);
		return err;
	}
	fd_install(f.fd, child_file);
	return 0;
}

/*
 * The vm_flags a shadow keeps, as the kernel numbers them: all that decide
 * merges.  VM_SOFTDIRTY never does; the arch bits (6.12's VM_SHADOW_STACK
 * among them) are not modelled.
 */
#define VMS_IMPORT_FLAGS	(VM_READ | VM_WRITE | VM_EXEC | VM_SHARED | \
				 VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | \
				 VM_MAYSHARE | VM_GROWSDOWN | VM_PFNMAP | \
				 VM_LOCKED | VM_IO | VM_SEQ_READ | \
				 VM_RAND_READ | VM_DONTCOPY | VM_DONTEXPAND | \
				 VM_LOCKONFAULT | VM_ACCOUNT | VM_NORESERVE | \
				 VM_HUGETLB | VM_WIPEONFORK | VM_DONTDUMP | \
				 VM_MIXEDMAP | VM_HUGEPAGE | VM_NOHUGEPAGE | \
				 VM_MERGEABLE | VM_UFFD_MISSING | VM_UFFD_WP)

/* The special mappings a process can have, by the name they give. */
static const struct {
	const char	*name;
	unsigned long	kind;
} vms_special_names[] = {
	{ "[vdso]",		VMS_KIND_VDSO },
	{ "[vvar]",		VMS_KIND_VVAR },
	{ "[vvar_vclock]",	VMS_KIND_VCLOCK },
	{ "[uprobes]",		VMS_KIND_UPROBES },
};

/* A real VMA's flags in the shadow's terms. */
static unsigned long vms_import_flags(struct vm_area_struct *vma)
{
	unsigned long flags = vma->vm_flags & VMS_IMPORT_FLAGS;
	unsigned int i;

#if defined(VM_SEALED) && VM_SEALED
	if (vma->vm_flags & VM_SEALED)
		flags |= VMASHADOW_VM_SEALED;
#endif
#if defined(VM_DROPPABLE_BIT)
	if (vma->vm_flags & VM_DROPPABLE)
		flags |= VMASHADOW_VM_DROPPABLE;
#endif
#if defined(VM_UFFD_MINOR_BIT)
	if (vma->vm_flags & VM_UFFD_MINOR)
		flags |= VMASHADOW_VM_UFFD_MINOR;
#endif
	if (vma->vm_ops && vma->vm_ops->close)
		flags |= VMASHADOW_VM_CLOSE_OP;
	if (!vma->vm_file && vma->vm_ops && vma->vm_ops->name) {
		const char *name = vma->vm_ops->name(vma);

		for (i = 0; name && i < ARRAY_SIZE(vms_special_names); i++)
			if (!strcmp(name, vms_special_names[i].name))
				flags |= vms_special_names[i].kind;
	}
	return flags;
}

/*
 * Real anon_vmas met during one import, each with its shadow identity, and
 * the real userfaultfd contexts, by the number each gets in the shadow.
 */
struct vms_anon_map {
	DECLARE_HASHTABLE(table, 8);
	const void		*uffd[VMS_UFFD_SLOTS];
};

struct vms_anon_map_entry {
	struct hlist_node	node;
	const void		*key;
	struct vms_anon		*anon;
};

/*
 * The shadow's anon_vma for @key, made on first sight; NULL on -ENOMEM.
 * A shadow's anon_vma names the one file its regions map (struct
 * vms_anon): should a real one serve VMAs of two files, each file gets
 * an identity of its own.
 */
static struct vms_anon *vms_anon_for(struct vms_anon_map *map,
				     struct vms_mm *dst, const void *key,
				     struct vms_file *file)
{
	struct vms_anon_map_entry *e;

	hash_for_each_possible(map->table, e, node, (unsigned long)key) {
		if (e->key == key && e->anon->file == file) {
			e->anon->refs++;
			return e->anon;
		}
	}
	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return NULL;
	e->anon = vms_anon_new(dst, file);
	if (!e->anon) {
		kfree(e);
		return NULL;
	}
	e->key = key;
	hash_add(map->table, &e->node, (unsigned long)key);
	return e->anon;
}

static void vms_anon_map_free(struct vms_anon_map *map)
{
	struct vms_anon_map_entry *e;
	struct hlist_node *tmp;
	unsigned int bkt;

	hash_for_each_safe(map->table, bkt, tmp, e, node)
		kfree(e);
	kfree(map);
}

#ifdef CONFIG_NUMA
/*
 * The slot of @dst's policy table for a real VMA's policy: -EOVERFLOW if
 * it names a node above 63, which the shadow's node masks do not hold.
 */
static int vms_import_policy(struct vms_mm *dst, struct mempolicy *pol)
{
	struct vms_policy p = {
		.mode		= pol->mode,
		.flags		= pol->flags,
		.home_node	= pol->home_node,
	};

	/* MPOL_LOCAL never sets its nodes: mpol_set_nodemask() skips it */
	if (pol->mode != MPOL_LOCAL) {
		p.nodes = nodes_addr(pol->nodes)[0];
		if (nodes_weight(pol->nodes) != hweight64(p.nodes))
			return -EOVERFLOW;
	}
	if (pol->flags & MPOL_MODE_FLAGS) {
		p.user_nodes = nodes_addr(pol->w.user_nodemask)[0];
		if (nodes_weight(pol->w.user_nodemask) != hweight64(p.user_nodes))
			return -EOVERFLOW;
	}
	return vms_policy_intern(dst, &p, false);
}
#endif

#ifdef CONFIG_USERFAULTFD
/*
 * The head of struct userfaultfd_ctx up to ->features, the same from 5.x
 * to 6.12.  6.1 keeps the structure in fs/userfaultfd.c; 6.8 moved it to
 * <linux/userfaultfd_k.h> with UFFDIO_MOVE, and there the build checks
 * the copy against it.
 */
struct vms_uffd_ctx_head {
	wait_queue_head_t	fault_pending_wqh;
	wait_queue_head_t	fault_wqh;
	wait_queue_head_t	fd_wqh;
	wait_queue_head_t	event_wqh;
	seqcount_spinlock_t	refile_seq;
	refcount_t		refcount;
	unsigned int		flags;
	unsigned int		features;
};

#ifdef UFFD_FEATURE_MOVE
static_assert(offsetof(struct userfaultfd_ctx, features) ==
	      offsetof(struct vms_uffd_ctx_head, features));
#endif

/* UFFD_FEATURE_INITIALIZED, the kernel's own bit of ->features */
#define VMS_UFFD_INITIALIZED	BIT(31)

/*
 * The shadow's number for the real context @key, given in order of first
 * sight with the context's features; -EOVERFLOW past VMASHADOW_UFFD_MAX.
 */
static int vms_import_uffd(struct vms_mm *dst, struct vms_anon_map *map,
			   const struct userfaultfd_ctx *key)
{
	const struct vms_uffd_ctx_head *head = (const void *)key;
	unsigned int n;

	for (n = 1; n <= VMASHADOW_UFFD_MAX && map->uffd[n]; n++)
		if (map->uffd[n] == key)
			return n;
	if (n > VMASHADOW_UFFD_MAX)
		return -EOVERFLOW;
	map->uffd[n] = key;
	dst->uffd[n] = VMS_UFFD_OPEN |
		       (READ_ONCE(head->features) & ~VMS_UFFD_INITIALIZED);
	return n;
}
#endif

/*
 * One real VMA as the new region @r of @dst, not yet linked.  On -ENOMEM
 * @r holds what it got so far, for vms_region_free().
 */
static int vms_import_vma(struct vms_mm *dst, struct vms_anon_map *map,
			  struct vm_area_struct *vma, struct vms_region *r)
{
	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->pgoff = vma->vm_pgoff;
	r->flags = vms_import_flags(vma);
	if (vma->vm_file) {
		struct vms_file *file = vms_gfile_get(vma->vm_file);

		if (IS_ERR(file))
			return -ENOMEM;
		vms_set_file(r, file);
	}
	if (vma->anon_vma) {
		struct vms_anon *anon = vms_anon_for(map, dst, vma->anon_vma,
						     vms_file_of(r));

		if (!anon)
			return -ENOMEM;
		vms_set_anon(r, anon);
		if (!list_is_singular(&vma->anon_vma_chain))
			r->flags |= VMS_ANON_FORKED;
	}
#ifdef CONFIG_NUMA
	if (vma->vm_policy) {
		int slot = vms_import_policy(dst, vma->vm_policy);

		if (slot < 0)
			return slot;
		r->flags |= (unsigned long)slot << VMS_POLICY_SHIFT;
	}
#endif
#ifdef CONFIG_USERFAULTFD
	if (vma->vm_userfaultfd_ctx.ctx) {
		int n = vms_import_uffd(dst, map, vma->vm_userfaultfd_ctx.ctx);

		if (n < 0)
			return n;
		r->flags |= (unsigned long)n << VMS_UFFD_SHIFT;
	}
#endif
	return 0;
}

/*
 * Read @mm's VMAs meeting [start, end) into the empty @dst, with the
 * process's heap, stack and mmap_base as its params.
 */
static int vms_import_mm(struct vms_mm *dst, struct mm_struct *mm,
			 unsigned long start, unsigned long end)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vms_anon_map *map = kmalloc(sizeof(*map), GFP_KERNEL);
	struct vms_region **regions = NULL, *r;
	struct vm_area_struct *vma;
	unsigned long n = 0, filled = 0, max;
	int err = 0;

	if (!map)
		return -ENOMEM;
	hash_init(map->table);
	memset(map->uffd, 0, sizeof(map->uffd));
	if (mmap_read_lock_killable(mm)) {
		kfree(map);
		return -EINTR;
	}
	/* no more than any shadow may hold */
	max = min_t(unsigned long, mm->map_count, max_regions);
	if (max) {
		regions = kvmalloc_array(max, sizeof(*regions), GFP_KERNEL);
		if (!regions) {
			err = -ENOMEM;
			goto unlock;
		}
	}
	/* prctl(PR_SET_MM_MAP) rewrites these under arg_lock, not mmap_lock */
	spin_lock(&mm->arg_lock);
	dst->params.start_brk = mm->start_brk;
	dst->params.brk = mm->brk;
	dst->params.start_data = mm->start_data;
	dst->params.end_data = mm->end_data;
	dst->params.start_stack = mm->start_stack;
	dst->params.arg_start = mm->arg_start;
	spin_unlock(&mm->arg_lock);
	dst->params.mmap_base = mm->mmap_base;
	dst->params.def_flags = mm->def_flags & (VM_LOCKED | VM_LOCKONFAULT);
#ifdef MMF_HAS_MDWE
	dst->params.mdwe = test_bit(MMF_HAS_MDWE, &mm->flags);
#else
	dst->params.mdwe = false;	/* no PR_SET_MDWE before 6.3 */
#endif
	for_each_vma(vmi, vma) {
		if (vma->vm_start >= end)
			break;
		/* past max as well: -ENOMEM */
		r = vms_region_bulk_next(regions, n, &filled, max);
		if (!r) {
			err = -ENOMEM;
			break;
		}
		n++;	/* on error too: vms_region_free() takes what it holds */
		err = vms_import_vma(dst, map, vma, r);
		if (err)
			break;
		if (!(n & 1023) && fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
	}
unlock:
	mmap_read_unlock(mm);
	vms_region_bulk_end(regions, n, filled);
	if (err) {
		while (n)
			vms_region_free(dst, regions[--n]);
	} else {
		/* in address order already: build the tree in one pass */
		vms_mm_build(dst, regions, n);
	}
	kvfree(regions);
	vms_anon_map_free(map);
	return err;
}

/*
 * Is @file really /proc/@nr/maps of the caller's own pid namespace?  The
 * path was resolved in the caller's mount namespace, where a user of a
 * user namespace can mount anything over /proc: only a procfs instance of
 * the caller's pid namespace, and the maps file of the directory named
 * @nr at its root, has had proc's own access check.
 */
static bool vms_is_proc_maps(struct file *file, pid_t nr)
{
	struct dentry *maps = file->f_path.dentry, *dir = maps->d_parent;
	struct super_block *sb = maps->d_sb;
	char name[16];

	if (sb->s_magic != PROC_SUPER_MAGIC ||
	    proc_sb_info(sb)->pid_ns != task_active_pid_ns(current))
		return false;
	snprintf(name, sizeof(name), "%d", nr);
	return dir->d_parent == sb->s_root &&
	       !strcmp(maps->d_name.name, "maps") &&
	       !strcmp(dir->d_name.name, name);
}

/*
 * The system's charges less those of the imported process, which are the
 * shadow's own from now on (Committed_AS counts every process).
 */
static unsigned long vms_commit_other(const struct vms_mm *mm)
{
	unsigned long all = vm_memory_committed();

	return all - min(all, vms_committed_pages(mm));
}

/*
 * The limits of @task that a shadow of it keeps: RLIMIT_AS (0: none),
 * RLIMIT_MEMLOCK, none with CAP_IPC_LOCK, RLIMIT_DATA and RLIMIT_STACK;
 * and the nodes it may use.
 */
static void vms_task_limits(struct task_struct *task, struct vms_params *p)
{
	unsigned long as = task_rlimit(task, RLIMIT_AS);

	p->rlimit_as = as == RLIM_INFINITY ? 0 : as;
	p->rlimit_data = task_rlimit(task, RLIMIT_DATA);
	p->rlimit_data_max = task_rlimit_max(task, RLIMIT_DATA);
	p->rlimit_stack = task_rlimit(task, RLIMIT_STACK);
	p->rlimit_memlock = has_capability_noaudit(task, CAP_IPC_LOCK) ?
			    VMASHADOW_MEMLOCK_UNLIMITED :
			    task_rlimit(task, RLIMIT_MEMLOCK);
	p->mems_allowed = vms_task_mems(task);
}

/*
 * The mm of process @nr (0: the caller), if the caller may read its
 * /proc/PID/maps.  The rule is exactly that file's (PTRACE_MODE_READ with
 * the caller's filesystem credentials), asked of the file itself, because
 * the kernel exports neither mm_access() nor ptrace_may_access() to
 * modules; vms_is_proc_maps() makes sure it was the real file.
 */
static struct mm_struct *vms_target_mm(pid_t nr, struct vms_params *limits)
{
	struct task_struct *task, *again;
	struct mm_struct *mm;
	struct file *maps;
	struct pid *pid;
	char path[32];

	if (!nr) {
		vms_task_limits(current, limits);
		return get_task_mm(current) ?: ERR_PTR(-ESRCH);
	}
	if (nr < 0)
		return ERR_PTR(-EINVAL);
	pid = find_get_pid(nr);
	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task) {
		put_pid(pid);
		return ERR_PTR(-ESRCH);
	}
	mm = get_task_mm(task);
	if (!mm) {
		mm = ERR_PTR(-ESRCH);
		goto out;
	}
	vms_task_limits(task, limits);
	snprintf(path, sizeof(path), "/proc/%d/maps", nr);
	maps = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(maps)) {
		mmput(mm);
		mm = ERR_CAST(maps);
		goto out;
	}
	if (!vms_is_proc_maps(maps, nr)) {
		fput(maps);
		mmput(mm);
		mm = ERR_PTR(-EACCES);
		goto out;
	}
	fput(maps);
	/* the pid must still name the task that was checked */
	again = get_pid_task(pid, PIDTYPE_PID);
	if (again != task) {
		mmput(mm);
		mm = ERR_PTR(-ESRCH);
	}
	if (again)
		put_task_struct(again);
out:
	put_task_struct(task);
	put_pid(pid);
	return mm;
}

static long vms_ioctl_import(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_import im;
	struct vms_params limits;
	struct mm_struct *mm;
	struct vms_mm *new;
	unsigned long start, end;
	int err = vms_copy_in(&im, sizeof(im), uarg);

	if (err)
		return err;
	if (im.regions || (im.start && im.start >= im.end))
		return -EINVAL;
	start = im.start;
	end = im.end ? im.end : ULONG_MAX;
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	mm = vms_target_mm(im.pid, &limits);
	if (IS_ERR(mm)) {
		kfree(new);
		return PTR_ERR(mm);
	}
	if (mutex_lock_killable(&ctx->lock)) {
		mmput(mm);
		kfree(new);
		return -EINTR;
	}
	vms_mm_init(new, ctx->mm.params.rules);
	new->params = ctx->mm.params;
	new->params.rlimit_as = limits.rlimit_as;
	new->params.rlimit_memlock = limits.rlimit_memlock;
	new->params.rlimit_data = limits.rlimit_data;
	new->params.rlimit_data_max = limits.rlimit_data_max;
	new->params.rlimit_stack = limits.rlimit_stack;
	new->params.mems_allowed = limits.mems_allowed;
	new->params.nodes_online = vms_nodes_online();
	new->may_map_low = ctx->mm.may_map_low;
	new->may_move_all = ctx->mm.may_move_all;
	new->may_ptrace = ctx->mm.may_ptrace;
	err = vms_import_mm(new, mm, start, end);
	mmput(mm);
	if (!err && new->params.commit_limit)
		new->params.commit_other = vms_commit_other(new);
	if (err) {
		vms_mm_destroy(new);
	} else {
		vms_mm_destroy(&ctx->mm);
		ctx->mm = *new;		/* its lookup cache is empty */
		im.regions = ctx->mm.map_count;
	}
	mutex_unlock(&ctx->lock);
	kfree(new);
	return err ? err : vms_copy_out(uarg, &im, sizeof(im));
}

/*
 * _IOWR() puts the size of a command's structure in its number, so a
 * program built against an older ioctl.h sends another number for a
 * command whose structure has since grown.  Those commands are known here
 * by everything but the size; the structure's own ->size field then says
 * which version came (Documentation/process/botching-up-ioctls.rst: plan
 * for new fields at the end).
 */
static unsigned int vms_ioctl_cmd(unsigned int cmd)
{
	static const struct {
		unsigned int	cmd;
		unsigned int	size_ver0;
	} grown[] = {
		{ VMASHADOW_IOC_GET_PARAMS,	VMASHADOW_PARAMS_SIZE_VER0 },
		{ VMASHADOW_IOC_SET_PARAMS,	VMASHADOW_PARAMS_SIZE_VER0 },
		{ VMASHADOW_IOC_STATS,		VMASHADOW_STATS_SIZE_VER0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(grown); i++)
		if ((cmd & ~IOCSIZE_MASK) == (grown[i].cmd & ~IOCSIZE_MASK) &&
		    _IOC_SIZE(cmd) >= grown[i].size_ver0)
			return grown[i].cmd;
	return cmd;
}

static long vms_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vms_ctx *ctx = vms_ctx_of(file);
	void __user *uarg = (void __user *)arg;

	switch (vms_ioctl_cmd(cmd)) {
	case VMASHADOW_IOC_VERSION:
		return vms_ioctl_version(uarg);
	case VMASHADOW_IOC_GET_PARAMS:
		return vms_ioctl_get_params(ctx, uarg);
	case VMASHADOW_IOC_SET_PARAMS:
		return vms_ioctl_set_params(ctx, uarg);
	case VMASHADOW_IOC_MAP:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_MAP);
	case VMASHADOW_IOC_UNMAP:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_UNMAP);
	case VMASHADOW_IOC_PROTECT:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_PROTECT);
	case VMASHADOW_IOC_TOUCH:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_TOUCH);
	case VMASHADOW_IOC_REMAP:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_REMAP);
	case VMASHADOW_IOC_BRK:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_BRK);
	case VMASHADOW_IOC_MADVISE:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_MADVISE);
	case VMASHADOW_IOC_SEAL:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_SEAL);
	case VMASHADOW_IOC_MAP_VDSO:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_MAP_VDSO);
	case VMASHADOW_IOC_MLOCK:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_MLOCK);
	case VMASHADOW_IOC_MUNLOCK:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_MUNLOCK);
	case VMASHADOW_IOC_MLOCKALL:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_MLOCKALL);
	case VMASHADOW_IOC_MUNLOCKALL:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_MUNLOCKALL);
	case VMASHADOW_IOC_MBIND:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_MBIND);
	case VMASHADOW_IOC_HOME_NODE:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_HOME_NODE);
	case VMASHADOW_IOC_UFFD_API:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_UFFD_API);
	case VMASHADOW_IOC_UFFD_REGISTER:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_UFFD_REGISTER);
	case VMASHADOW_IOC_UFFD_UNREGISTER:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_UFFD_UNREGISTER);
	case VMASHADOW_IOC_UFFD_CLOSE:
		return vms_ioctl_op(ctx, uarg, VMASHADOW_OP_UFFD_CLOSE);
	case VMASHADOW_IOC_BATCH:
		return vms_ioctl_batch(ctx, uarg);
	case VMASHADOW_IOC_FORK:
		return vms_ioctl_fork(ctx, file, uarg);
	case VMASHADOW_IOC_IMPORT:
		return vms_ioctl_import(ctx, uarg);
	case VMASHADOW_IOC_FIND:
		return vms_ioctl_find(ctx, uarg);
	case VMASHADOW_IOC_GET_POLICY:
		return vms_ioctl_get_policy(ctx, uarg);
	case VMASHADOW_IOC_GET_UFFD:
		return vms_ioctl_get_uffd(ctx, uarg);
	case VMASHADOW_IOC_LIST:
		return vms_ioctl_list(ctx, uarg);
	case VMASHADOW_IOC_STATS:
		return vms_ioctl_stats(ctx, uarg);
	case VMASHADOW_IOC_VALIDATE:
		return vms_ioctl_validate(ctx, uarg);
	case VMASHADOW_IOC_EXPLAIN:
		return vms_ioctl_explain(ctx, uarg);
	case VMASHADOW_IOC_BENCH_FIND:
		return vms_ioctl_bench_find(ctx, uarg);
	}
	return -ENOTTY;
}

static const struct file_operations vms_fops = {
	.owner		= THIS_MODULE,
	.open		= vms_open,
	.release	= vms_release,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.unlocked_ioctl	= vms_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice vms_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmashadow",
	.fops	= &vms_fops,
	/* a shadow is private to its descriptor: anyone may have one */
	.mode	= 0666,
};

static int __init vms_init(void)
{
	int err = vms_core_init();

	if (err)
		return err;
	err = misc_register(&vms_misc);
	if (err)
		vms_core_exit();
	return err;
}

static void __exit vms_exit(void)
{
	misc_deregister(&vms_misc);
	vms_core_exit();
}

module_init(vms_init);
module_exit(vms_exit);

MODULE_DESCRIPTION("Shadow address spaces that follow the kernel's VMA rules");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMS_VERSION);
