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
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "vmashadow.h"

static unsigned int max_regions = 1U << 20;
module_param(max_regions, uint, 0644);
MODULE_PARM_DESC(max_regions,
		 "Most regions one shadow may hold (bounds max_map_count)");

/* Lines of /proc/pid/maps: the prefix, padding and a path. */
#define VMS_LINE_SIZE	(128 + PATH_MAX * 4)

/* One open file of /dev/vmashadow. */
struct vms_ctx {
	struct mutex		lock;
	struct vms_mm		mm;
	/* the opened files the shadow maps, each once (struct vms_gfile) */
	struct list_head	files;
	char			*line;		/* read(): one line */
	char			*name;		/* read(): a file's path */
};

/* A struct file the shadow maps, as the core sees it. */
struct vms_gfile {
	struct vms_file		vf;
	struct file		*file;
	struct list_head	node;		/* in vms_ctx.files */
};

static atomic64_t vms_next_file_id = ATOMIC64_INIT(0);

static unsigned int vms_default_rules(void)
{
	if (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))
		return VMASHADOW_RULES_6_12;
	return VMASHADOW_RULES_6_1;
}

/* ---- files ----------------------------------------------------------------- */

static void vms_gfile_release(struct vms_file *vf)
{
	struct vms_gfile *gf = container_of(vf, struct vms_gfile, vf);

	list_del(&gf->node);
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

static const struct vms_file_ops vms_gfile_ops = {
	.release	= vms_gfile_release,
	.name		= vms_gfile_name,
};

/* path_noexec(), which modules cannot call. */
static bool vms_path_noexec(const struct path *path)
{
	return (path->mnt->mnt_flags & MNT_NOEXEC) ||
	       (path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC);
}

/*
 * The vms_file for @fd: one per struct file, so that mapping twice through
 * one open gives one identity and two opens give two.  Returns it with a
 * reference the caller drops with vms_file_put().
 */
static struct vms_file *vms_file_get(struct vms_ctx *ctx, int fd)
{
	struct file *file = fget(fd);
	struct vms_gfile *gf;
	struct inode *inode;

	if (!file)
		return ERR_PTR(-EBADF);
	list_for_each_entry(gf, &ctx->files, node) {
		if (gf->file == file) {
			fput(file);
			refcount_inc(&gf->vf.ref);
			return &gf->vf;
		}
	}
	gf = kzalloc(sizeof(*gf), GFP_KERNEL_ACCOUNT);
	if (!gf) {
		fput(file);
		return ERR_PTR(-ENOMEM);
	}
	inode = file_inode(file);
	refcount_set(&gf->vf.ref, 1);
	gf->vf.id = atomic64_inc_return(&vms_next_file_id);
	gf->vf.ino = inode->i_ino;
	gf->vf.dev_major = MAJOR(inode->i_sb->s_dev);
	gf->vf.dev_minor = MINOR(inode->i_sb->s_dev);
	gf->vf.kind = VMASHADOW_KIND_FILE;
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
	gf->file = file;
	list_add(&gf->node, &ctx->files);
	return &gf->vf;
}

/* ---- argument copying ------------------------------------------------------ */

/*
 * Read an extensible structure whose first field is its __u32 size, as
 * openat2() and PROCMAP_QUERY do: smaller than we know is -EINVAL, larger
 * is accepted when the bytes we do not know are zero (else -E2BIG).
 */
static int vms_copy_in(void *karg, size_t ksize, void __user *uarg)
{
	u32 usize;
	int err;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < ksize)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(karg, ksize, uarg, usize);
	if (err)
		return err;
	*(u32 *)karg = ksize;
	return 0;
}

static int vms_copy_out(void __user *uarg, const void *karg, size_t ksize)
{
	return copy_to_user(uarg, karg, ksize) ? -EFAULT : 0;
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
}

static long vms_ioctl_get_params(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_params p;
	int err = vms_copy_in(&p, sizeof(p), uarg);

	if (err)
		return err;
	if (p.set || p.__reserved)
		return -EINVAL;
	mutex_lock(&ctx->lock);
	vms_params_export(&ctx->mm.params, &p);
	mutex_unlock(&ctx->lock);
	return vms_copy_out(uarg, &p, sizeof(p));
}

static int vms_params_check(const struct vmashadow_params *p)
{
	if (!p->set || (p->set & ~VMASHADOW_PARAM_ALL) || p->__reserved)
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
	if ((p->set & VMASHADOW_PARAM_MMAP_BASE) &&
	    (p->mmap_base > VMS_TASK_SIZE || (p->mmap_base & ~PAGE_MASK)))
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_MMAP_MIN_ADDR) &&
	    p->mmap_min_addr > VMS_TASK_SIZE)
		return -EINVAL;
	if ((p->set & VMASHADOW_PARAM_OVERCOMMIT) && p->overcommit_memory > 2)
		return -EINVAL;
	return 0;
}

static long vms_ioctl_set_params(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_params p;
	struct vms_params *mp = &ctx->mm.params;
	int err = vms_copy_in(&p, sizeof(p), uarg);

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
	if (p.set & VMASHADOW_PARAM_MMAP_BASE)
		mp->mmap_base = p.mmap_base;
	if (p.set & VMASHADOW_PARAM_MMAP_MIN_ADDR)
		mp->mmap_min_addr = p.mmap_min_addr;
	if (p.set & VMASHADOW_PARAM_OVERCOMMIT)
		mp->overcommit_memory = p.overcommit_memory;
	mutex_unlock(&ctx->lock);
	return 0;
}

/* The fields an operation does not use must be zero. */
static int vms_op_check(const struct vmashadow_op *op, u32 want)
{
	if (op->op && op->op != want)
		return -EINVAL;
	switch (want) {
	case VMASHADOW_OP_MAP:
		if (op->op_flags & ~VMASHADOW_OPF_ALL)
			return -EINVAL;
		if (hweight32(op->op_flags &
			      (VMASHADOW_OPF_VDSO | VMASHADOW_OPF_VVAR)) > 1)
			return -EINVAL;
		return 0;
	case VMASHADOW_OP_UNMAP:
		return op->prot || op->flags || op->offset || op->op_flags ?
		       -EINVAL : 0;
	case VMASHADOW_OP_PROTECT:
		return op->flags || op->offset || op->op_flags ? -EINVAL : 0;
	case VMASHADOW_OP_TOUCH:
		return op->len || op->prot || op->flags || op->offset ||
		       op->op_flags ? -EINVAL : 0;
	}
	return -EINVAL;
}

static int vms_do_map(struct vms_ctx *ctx, struct vmashadow_op *op)
{
	struct vms_map_req req = {
		.addr		= op->addr,
		.len		= op->len,
		.prot		= op->prot,
		.flags		= op->flags,
		.offset		= op->offset,
		.op_flags	= op->op_flags,
	};
	unsigned long addr;
	int err;

	/* sys_mmap() checks the offset before it looks at the file */
	if (op->offset & ~PAGE_MASK)
		return -EINVAL;
	if (capable(CAP_SYS_RAWIO))
		req.op_flags |= VMS_OPF_MAY_MAP_LOW;
	if (!(op->flags & MAP_ANONYMOUS)) {
		req.file = vms_file_get(ctx, op->fd);
		if (IS_ERR(req.file))
			return PTR_ERR(req.file);
	}
	err = vms_map(&ctx->mm, &req, &addr);
	vms_file_put(req.file);
	if (!err)
		op->addr = addr;
	return err;
}

static long vms_ioctl_op(struct vms_ctx *ctx, void __user *uarg, u32 which)
{
	struct vmashadow_op op;
	int err = vms_copy_in(&op, sizeof(op), uarg);

	if (err)
		return err;
	err = vms_op_check(&op, which);
	if (err)
		return err;
	if (mutex_lock_killable(&ctx->lock))
		return -EINTR;
	switch (which) {
	case VMASHADOW_OP_MAP:
		err = vms_do_map(ctx, &op);
		break;
	case VMASHADOW_OP_UNMAP:
		err = vms_unmap(&ctx->mm, op.addr, op.len);
		break;
	case VMASHADOW_OP_PROTECT:
		err = vms_protect(&ctx->mm, op.addr, op.len, op.prot);
		break;
	case VMASHADOW_OP_TOUCH:
		err = vms_touch(&ctx->mm, op.addr);
		break;
	}
	mutex_unlock(&ctx->lock);
	if (err)
		return err;
	op.op = which;
	return vms_copy_out(uarg, &op, sizeof(op));
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
	switch (f.mode) {
	case VMASHADOW_FIND_VMA:
		r = vms_find(&ctx->mm, f.addr);
		break;
	case VMASHADOW_FIND_PREV:
		r = vms_find_prev(&ctx->mm, f.addr, &prev);
		break;
	case VMASHADOW_FIND_INTERSECT:
		r = f.end > f.addr ?
		    vms_find_intersection(&ctx->mm, f.addr, f.end) : NULL;
		break;
	case VMASHADOW_FIND_LOOKUP:
		r = vms_lookup(&ctx->mm, f.addr);
		break;
	case VMASHADOW_FIND_EXACT:
		r = vms_lookup(&ctx->mm, f.addr);
		if (r && (r->start != f.addr || r->end != f.end))
			r = NULL;
		break;
	default:
		err = -EINVAL;
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
	int err = vms_copy_in(&s, sizeof(s), uarg);

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
	mutex_unlock(&ctx->lock);
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

static long vms_ioctl_explain(struct vms_ctx *ctx, void __user *uarg)
{
	struct vmashadow_explain e;
	u64 addr;
	int err = vms_copy_in(&e, sizeof(e), uarg);

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
	e.size = sizeof(e);
	return vms_copy_out(uarg, &e, sizeof(e));
}

static long vms_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vms_ctx *ctx = vms_ctx_of(file);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
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
	case VMASHADOW_IOC_FIND:
		return vms_ioctl_find(ctx, uarg);
	case VMASHADOW_IOC_LIST:
		return vms_ioctl_list(ctx, uarg);
	case VMASHADOW_IOC_STATS:
		return vms_ioctl_stats(ctx, uarg);
	case VMASHADOW_IOC_VALIDATE:
		return vms_ioctl_validate(ctx, uarg);
	case VMASHADOW_IOC_EXPLAIN:
		return vms_ioctl_explain(ctx, uarg);
	}
	return -ENOTTY;
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

static int vms_open(struct inode *inode, struct file *file)
{
	struct vms_ctx *ctx;
	int err;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	ctx->line = kvmalloc(VMS_LINE_SIZE, GFP_KERNEL_ACCOUNT);
	ctx->name = kvmalloc(PATH_MAX, GFP_KERNEL_ACCOUNT);
	if (!ctx->line || !ctx->name) {
		err = -ENOMEM;
		goto fail;
	}
	mutex_init(&ctx->lock);
	INIT_LIST_HEAD(&ctx->files);
	vms_mm_init(&ctx->mm, vms_default_rules());
	if (ctx->mm.params.max_map_count > max_regions)
		ctx->mm.params.max_map_count = max_regions;

	/* misc_open() left the miscdevice here; seq_open() wants it empty */
	file->private_data = NULL;
	err = seq_open(file, &vms_seq_ops);
	if (err)
		goto fail;
	((struct seq_file *)file->private_data)->private = ctx;
	return 0;
fail:
	kvfree(ctx->name);
	kvfree(ctx->line);
	kfree(ctx);
	return err;
}

static int vms_release(struct inode *inode, struct file *file)
{
	struct vms_ctx *ctx = vms_ctx_of(file);

	vms_mm_destroy(&ctx->mm);
	WARN_ON(!list_empty(&ctx->files));
	mutex_destroy(&ctx->lock);
	kvfree(ctx->name);
	kvfree(ctx->line);
	kfree(ctx);
	return seq_release(inode, file);
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
