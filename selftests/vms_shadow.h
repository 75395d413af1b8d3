/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vms_shadow.h: the shadow's side of the selftests: one wrapper per
 * ioctl, returning 0 or -errno.  Shared by vms_test.h (the tests in the
 * VM) and host/vms_test_host.h (the same tests against the core built in
 * userspace), each of which first defines vms_ioctl() for its world.
 */
#ifndef _VMS_SHADOW_H
#define _VMS_SHADOW_H

static inline long vms_validate(int fd, struct vmashadow_validate *v)
{
	struct vmashadow_validate tmp;

	if (!v)
		v = &tmp;
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return vms_ioctl(fd, VMASHADOW_IOC_VALIDATE, v);
}

static inline long vms_get_params(int fd, struct vmashadow_params *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	return vms_ioctl(fd, VMASHADOW_IOC_GET_PARAMS, p);
}

/* SET_PARAMS with only the fields in @set taken from @p. */
static inline long vms_set_params(int fd, struct vmashadow_params *p,
				  unsigned int set)
{
	p->size = sizeof(*p);
	p->set = set;
	return vms_ioctl(fd, VMASHADOW_IOC_SET_PARAMS, p);
}

static inline long vms_set_rules(int fd, unsigned int rules)
{
	struct vmashadow_params p;

	memset(&p, 0, sizeof(p));
	p.rules = rules;
	return vms_set_params(fd, &p, VMASHADOW_PARAM_RULES);
}

static inline long vms_set_max_map_count(int fd, unsigned int max)
{
	struct vmashadow_params p;

	memset(&p, 0, sizeof(p));
	p.max_map_count = max;
	return vms_set_params(fd, &p, VMASHADOW_PARAM_MAX_MAP_COUNT);
}

/* ---- the shadow's side of each operation ------------------------------ */

static inline long vms_op(int fd, unsigned long cmd, struct vmashadow_op *op)
{
	op->size = sizeof(*op);
	return vms_ioctl(fd, cmd, op);
}

static inline long vms_shadow_map(int fd, unsigned long addr, unsigned long len,
				  int prot, int flags, int file, unsigned long off,
				  unsigned long *out)
{
	struct vmashadow_op op;
	long ret;

	memset(&op, 0, sizeof(op));
	op.addr = addr;
	op.len = len;
	op.prot = prot;
	op.flags = flags;
	op.fd = file;
	op.offset = off;
	ret = vms_op(fd, VMASHADOW_IOC_MAP, &op);
	if (out)
		*out = ret ? 0 : op.result;	/* where the mapping went */
	return ret;
}

static inline long vms_shadow_unmap(int fd, unsigned long addr, unsigned long len)
{
	struct vmashadow_op op;

	memset(&op, 0, sizeof(op));
	op.addr = addr;
	op.len = len;
	op.fd = -1;
	return vms_op(fd, VMASHADOW_IOC_UNMAP, &op);
}

static inline long vms_shadow_protect(int fd, unsigned long addr,
				      unsigned long len, int prot)
{
	struct vmashadow_op op;

	memset(&op, 0, sizeof(op));
	op.addr = addr;
	op.len = len;
	op.prot = prot;
	op.fd = -1;
	return vms_op(fd, VMASHADOW_IOC_PROTECT, &op);
}

static inline long vms_shadow_touch(int fd, unsigned long addr)
{
	struct vmashadow_op op;

	memset(&op, 0, sizeof(op));
	/* Only addr: the module wants every other field zero. */
	op.addr = addr;
	return vms_op(fd, VMASHADOW_IOC_TOUCH, &op);
}

#endif /* _VMS_SHADOW_H */
