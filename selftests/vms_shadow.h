/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vms_shadow.h: the shadow's side of the selftests: one wrapper per
 * ioctl, returning 0 or -errno, and what reads the shadow's maps text.
 * Shared by vms_test.h (the tests in the VM) and host/vms_test_host.h (the
 * same tests against the core built in userspace), each of which first
 * defines vms_ioctl(), vms_fd and the window (VMS_WIN, PG()) for its world.
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

/* MLOCK (@flags: mlock2's), MUNLOCK, MLOCKALL (@flags: MCL_*), MUNLOCKALL. */
static inline long vms_shadow_lock(int fd, unsigned long cmd,
				   unsigned long addr, unsigned long len,
				   unsigned int flags)
{
	struct vmashadow_op op;

	memset(&op, 0, sizeof(op));
	op.addr = addr;
	op.len = len;
	op.flags = flags;
	op.fd = -1;
	return vms_op(fd, cmd, &op);
}

/*
 * @op cleared and given the fields most operations take, without a file
 * (UFFD_*: the context in @offset; HOME_NODE: the node).  The caller sets
 * any other field, makes it with vms_op() and reads its out fields.
 */
static inline struct vmashadow_op *vms_op_init(struct vmashadow_op *op,
					       unsigned long addr,
					       unsigned long len, __u64 offset,
					       unsigned int flags,
					       unsigned int op_flags)
{
	memset(op, 0, sizeof(*op));
	op->addr = addr;
	op->len = len;
	op->offset = offset;
	op->flags = flags;
	op->fd = -1;
	op->op_flags = op_flags;
	return op;
}

/* MBIND (@flags: MPOL_MF_*), made in @op for its out fields. */
static inline long vms_shadow_mbind(int fd, struct vmashadow_op *op,
				    unsigned long addr, unsigned long len,
				    unsigned int mode, __u64 mask,
				    unsigned long maxnode, unsigned int flags,
				    unsigned int op_flags)
{
	vms_op_init(op, addr, len, mask, flags, op_flags);
	op->prot = mode;
	op->new_len = maxnode;
	return vms_op(fd, VMASHADOW_IOC_MBIND, op);
}

static inline long vms_shadow_touch(int fd, unsigned long addr)
{
	struct vmashadow_op op;

	memset(&op, 0, sizeof(op));
	/* Only addr: the module wants every other field zero. */
	op.addr = addr;
	return vms_op(fd, VMASHADOW_IOC_TOUCH, &op);
}

static inline unsigned long vms_hex(const char **s)
{
	unsigned long v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			v = v * 16 + c - '0';
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + c - 'a' + 10;
		else
			return v;
	}
}

/*
 * The window's lines as "s-e:perm s-e:perm ..." in pages relative to
 * VMS_WIN: a layout short enough to compare with a diagram.
 */
static inline void vms_layout(const char *win, char *out, size_t size)
{
	const char *line = win;
	size_t n = 0;

	out[0] = '\0';
	while (*line) {
		const char *p = line;
		unsigned long s, e;
		const char *eol;

		s = vms_hex(&p);
		p++;
		e = vms_hex(&p);
		p++;
		n += snprintf(out + n, size - n, "%s%lu-%lu:%.4s", n ? " " : "",
			      (s - VMS_WIN) / VMS_PS, (e - VMS_WIN) / VMS_PS, p);
		if (n >= size)
			return;
		eol = strchr(line, '\n');
		if (!eol)
			break;
		line = eol + 1;
	}
}

static inline long vms_find(int fd, unsigned int mode, unsigned long addr,
			    unsigned long end, struct vmashadow_find *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	f->mode = mode;
	f->addr = addr;
	f->end = end;
	return vms_ioctl(fd, VMASHADOW_IOC_FIND, f);
}

/* The shadow region holding page @pg (vma_lookup), zeroed if none. */
static inline struct vmashadow_region vms_region_at(unsigned long pg)
{
	struct vmashadow_find f;

	if (vms_find(vms_fd, VMASHADOW_FIND_LOOKUP, PG(pg), 0, &f) ||
	    !(f.found & VMASHADOW_FOUND_REGION))
		memset(&f.region, 0, sizeof(f.region));
	return f.region;
}

static inline long vms_stats(int fd, struct vmashadow_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return vms_ioctl(fd, VMASHADOW_IOC_STATS, st);
}

static inline long vms_explain(int fd, unsigned int mode, unsigned long addr,
			       struct vmashadow_explain *e)
{
	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->mode = mode;
	e->addr = addr;
	return vms_ioctl(fd, VMASHADOW_IOC_EXPLAIN, e);
}

/* A file of @pages pages in /tmp (tmpfs in the VM). */
static inline int vms_make_file(char *path, size_t size, const char *tag,
				unsigned long pages)
{
	int fd;

	snprintf(path, size, "/tmp/vms-%s-%d", tag, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, PGS(pages))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static inline long vms_shadow_remap(int fd, unsigned long addr,
				    unsigned long old_len,
				    unsigned long new_len, unsigned int flags,
				    unsigned long new_addr, unsigned long *out)
{
	struct vmashadow_op op;
	long ret;

	memset(&op, 0, sizeof(op));
	op.addr = addr;
	op.len = old_len;
	op.new_len = new_len;
	op.flags = flags;
	op.new_addr = new_addr;
	op.fd = -1;
	ret = vms_op(fd, VMASHADOW_IOC_REMAP, &op);
	if (out)
		*out = ret ? 0 : op.result;
	return ret;
}

static inline long vms_shadow_madvise(int fd, unsigned long addr,
				      unsigned long len, int advice)
{
	struct vmashadow_op op;

	memset(&op, 0, sizeof(op));
	op.addr = addr;
	op.len = len;
	op.flags = advice;
	op.fd = -1;
	return vms_op(fd, VMASHADOW_IOC_MADVISE, &op);
}

/* A FORK of the shadow @fd: the child's descriptor or -errno. */
static inline long vms_fork_shadow(int fd)
{
	struct vmashadow_fork f;
	long ret;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	ret = vms_ioctl(fd, VMASHADOW_IOC_FORK, &f);
	return ret < 0 ? ret : f.fd;
}

static inline long vms_shadow_map_count(int fd)
{
	struct vmashadow_stats st;

	if (vms_stats(fd, &st))
		return -1;
	return st.regions;
}

/* [vvar] and [vdso] as a maps text shows them. */
struct vms_vdso_at {
	unsigned long vvar, vdso, end;	/* [vvar, vdso) and [vdso, end) */
};

/* The line of @maps naming @name: its start and end; -1 if none. */
static inline int vms_find_line(const char *maps, const char *name,
				unsigned long *s, unsigned long *e)
{
	const char *p = strstr(maps, name), *line;

	if (!p)
		return -1;
	for (line = p; line > maps && line[-1] != '\n'; line--)
		;
	return sscanf(line, "%lx-%lx", s, e) == 2 ? 0 : -1;
}

/* The [vvar] and, right above it, the [vdso] of @maps; -1 if not so. */
static inline int vms_find_vdso(const char *maps, struct vms_vdso_at *v)
{
	unsigned long e;

	if (vms_find_line(maps, "[vvar]", &v->vvar, &e) ||
	    vms_find_line(maps, "[vdso]", &v->vdso, &v->end) || e != v->vdso)
		return -1;
	return 0;
}

#endif /* _VMS_SHADOW_H */
