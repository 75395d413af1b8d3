// SPDX-License-Identifier: GPL-2.0
/*
 * vmsdev.c - wrappers around the ioctls of /dev/vmashadow.
 *
 * Every wrapper fills in the structure's size field and returns 0 or a
 * positive errno; the shadow's operations return the errno the real system
 * call would give, so "the ioctl failed" and "the modelled call failed" are
 * the same thing here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vms.h"

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

int vd_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vd_version(int fd, struct vmashadow_version *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return xioctl(fd, VMASHADOW_IOC_VERSION, v);
}

int vd_get_params(int fd, struct vmashadow_params *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	return xioctl(fd, VMASHADOW_IOC_GET_PARAMS, p);
}

int vd_set_params(int fd, struct vmashadow_params *p)
{
	p->size = sizeof(*p);
	return xioctl(fd, VMASHADOW_IOC_SET_PARAMS, p);
}

int vd_op(int fd, unsigned int op, struct vmashadow_op *o)
{
	unsigned long cmd;

	switch (op) {
	case VMASHADOW_OP_MAP: cmd = VMASHADOW_IOC_MAP; break;
	case VMASHADOW_OP_UNMAP: cmd = VMASHADOW_IOC_UNMAP; break;
	case VMASHADOW_OP_PROTECT: cmd = VMASHADOW_IOC_PROTECT; break;
	case VMASHADOW_OP_TOUCH: cmd = VMASHADOW_IOC_TOUCH; break;
	case VMASHADOW_OP_REMAP: cmd = VMASHADOW_IOC_REMAP; break;
	case VMASHADOW_OP_BRK: cmd = VMASHADOW_IOC_BRK; break;
	case VMASHADOW_OP_MADVISE: cmd = VMASHADOW_IOC_MADVISE; break;
	case VMASHADOW_OP_SEAL: cmd = VMASHADOW_IOC_SEAL; break;
	case VMASHADOW_OP_MAP_VDSO: cmd = VMASHADOW_IOC_MAP_VDSO; break;
	case VMASHADOW_OP_MLOCK: cmd = VMASHADOW_IOC_MLOCK; break;
	case VMASHADOW_OP_MUNLOCK: cmd = VMASHADOW_IOC_MUNLOCK; break;
	case VMASHADOW_OP_MLOCKALL: cmd = VMASHADOW_IOC_MLOCKALL; break;
	case VMASHADOW_OP_MUNLOCKALL: cmd = VMASHADOW_IOC_MUNLOCKALL; break;
	case VMASHADOW_OP_MBIND: cmd = VMASHADOW_IOC_MBIND; break;
	case VMASHADOW_OP_HOME_NODE: cmd = VMASHADOW_IOC_HOME_NODE; break;
	case VMASHADOW_OP_UFFD_API: cmd = VMASHADOW_IOC_UFFD_API; break;
	case VMASHADOW_OP_UFFD_REGISTER: cmd = VMASHADOW_IOC_UFFD_REGISTER; break;
	case VMASHADOW_OP_UFFD_UNREGISTER: cmd = VMASHADOW_IOC_UFFD_UNREGISTER; break;
	case VMASHADOW_OP_UFFD_CLOSE: cmd = VMASHADOW_IOC_UFFD_CLOSE; break;
	default: return EINVAL;
	}
	o->size = sizeof(*o);
	o->op = op;
	return xioctl(fd, cmd, o);
}

int vd_batch(int fd, struct vmashadow_op *ops, unsigned int n,
	     struct vmashadow_batch *b)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ops[i].size = sizeof(ops[i]);
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->op_size = sizeof(*ops);
	b->ops = (uintptr_t)ops;
	b->count = n;
	return xioctl(fd, VMASHADOW_IOC_BATCH, b);
}

int vd_fork(int fd, int *child)
{
	struct vmashadow_fork f;
	int e;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	e = xioctl(fd, VMASHADOW_IOC_FORK, &f);
	*child = f.fd;
	return e;
}

int vd_import(int fd, struct vmashadow_import *im)
{
	im->size = sizeof(*im);
	return xioctl(fd, VMASHADOW_IOC_IMPORT, im);
}

int vd_find(int fd, struct vmashadow_find *f, char *name, size_t namelen)
{
	f->size = sizeof(*f);
	f->name_addr = (uintptr_t)name;
	f->name_size = name ? (__u32)namelen : 0;
	return xioctl(fd, VMASHADOW_IOC_FIND, f);
}

int vd_stats(int fd, struct vmashadow_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return xioctl(fd, VMASHADOW_IOC_STATS, st);
}

int vd_validate(int fd, struct vmashadow_validate *v)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	return xioctl(fd, VMASHADOW_IOC_VALIDATE, v);
}

int vd_explain(int fd, struct vmashadow_explain *e)
{
	e->size = sizeof(*e);
	return xioctl(fd, VMASHADOW_IOC_EXPLAIN, e);
}

int vd_get_policy(int fd, uint64_t addr, struct vmashadow_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->addr = addr;
	return xioctl(fd, VMASHADOW_IOC_GET_POLICY, p);
}

int vd_get_uffd(int fd, unsigned int ctx, uint64_t *features)
{
	struct vmashadow_uffd u;
	int e;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.ctx = ctx;
	e = xioctl(fd, VMASHADOW_IOC_GET_UFFD, &u);
	*features = u.features;
	return e;
}

int vd_read_maps(int fd, char **text)
{
	size_t len = 0, cap = 65536;
	char *buf = xmalloc(cap);
	ssize_t n;

	/* Each read(2) from offset 0 renders the shadow afresh. */
	if (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE) {
		int e = errno;

		free(buf);
		return e;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	*text = buf;
	return 0;
}

/*
 * A snapshot: the records of VMASHADOW_IOC_LIST joined with the lines the
 * device's read(2) renders (for the names: [heap], [stack], paths).
 */
int vd_snapshot(int fd, struct vms_snap *s)
{
	struct vmashadow_region recs[256];
	struct vmashadow_list l;
	struct vms_snap text;
	char *maps = NULL, err[128];
	size_t t = 0;
	int e, line;

	snap_init(&text);
	e = vd_read_maps(fd, &maps);
	if (!e && maps_parse_text(maps, &text, &line, err, sizeof(err)))
		e = EBADMSG;	/* the device rendered something unparsable */
	free(maps);
	if (e) {
		snap_free(&text);
		return e;
	}
	memset(&l, 0, sizeof(l));
	for (;;) {
		__u32 i;

		l.size = sizeof(l);
		l.region_size = sizeof(recs[0]);
		l.regions = (uintptr_t)recs;
		l.count = sizeof(recs) / sizeof(recs[0]);
		e = xioctl(fd, VMASHADOW_IOC_LIST, &l);
		if (e)
			break;
		if (!l.count)
			break;
		for (i = 0; i < l.count; i++) {
			struct vms_reg *r = snap_add(s);

			while (t < text.n && text.v[t].end <= recs[i].start)
				t++;
			if (t < text.n && text.v[t].start == recs[i].start &&
			    text.v[t].end == recs[i].end) {
				*r = text.v[t];
				r->name = xstrdup(text.v[t].name);
			} else {
				/* Not in the text (should not happen): build the line. */
				r->start = recs[i].start;
				r->end = recs[i].end;
				r->perms[0] = recs[i].vm_flags & VMASHADOW_VM_READ ? 'r' : '-';
				r->perms[1] = recs[i].vm_flags & VMASHADOW_VM_WRITE ? 'w' : '-';
				r->perms[2] = recs[i].vm_flags & VMASHADOW_VM_EXEC ? 'x' : '-';
				r->perms[3] = recs[i].vm_flags & VMASHADOW_VM_MAYSHARE ? 's' : 'p';
				r->offset = recs[i].kind == VMASHADOW_KIND_ANON ? 0 :
					    recs[i].pgoff * VMS_PAGE_SIZE;
				r->major = recs[i].dev_major;
				r->minor = recs[i].dev_minor;
				r->inode = recs[i].ino;
				r->name = xstrdup("");
			}
			r->have_rec = 1;
			r->rec = recs[i];
			/*
			 * LIST says only that a region has a policy; which one,
			 * GET_POLICY (a module before it: ENOTTY, none shown).
			 */
			if (recs[i].state & VMASHADOW_STATE_POLICY)
				r->have_pol = !vd_get_policy(fd, recs[i].start, &r->pol);
		}
	}
	snap_free(&text);
	return e;
}

/* ---- names ---------------------------------------------------------------- */

/* Operations whose ->result is an address (expect addr, as=NAME). */
int vd_op_has_addr(unsigned int op)
{
	return op == VMASHADOW_OP_MAP || op == VMASHADOW_OP_REMAP ||
	       op == VMASHADOW_OP_BRK || op == VMASHADOW_OP_MAP_VDSO;
}

const char *vd_op_name(unsigned int op)
{
	static const char *const n[] = { "none", "map", "unmap", "protect", "touch",
					 "remap", "brk", "madvise", "seal", "vdso",
					 "mlock", "munlock", "mlockall", "munlockall",
					 "mbind", "home_node", "uffd_open",
					 "uffd_register", "uffd_unregister",
					 "uffd_close" };

	return op < sizeof(n) / sizeof(n[0]) ? n[op] : "?";
}

const char *vd_why_name(unsigned int why)
{
	static const char *const n[] = {
		"none", "special", "flags", "file", "close_op", "pgoff", "anon_vma",
		"anon_forked", "anon_unfaulted", "not_tried", "prev_next", "self",
		"policy", "uffd",
	};
	return why < sizeof(n) / sizeof(n[0]) ? n[why] : "?";
}

/*
 * Whether the module answers madvise(@advice) as the kernel would.  It
 * does not for advice the kernel takes that changes no region and whose
 * result depends on the pages: MADV_COLLAPSE (-EINVAL on an unwritten
 * region, or where a 2 MiB block of the range has no page; 0 where each
 * block has them all; measured on 6.1 and 6.12), and the memory-failure
 * injections MADV_HWPOISON and MADV_SOFT_OFFLINE.  The module calls them
 * invalid (-EINVAL); trace and replay take the kernel's word instead.
 */
int vd_advice_modelled(unsigned long advice)
{
	return advice != 25 &&		/* MADV_COLLAPSE */
	       advice != 100 &&		/* MADV_HWPOISON */
	       advice != 101;		/* MADV_SOFT_OFFLINE */
}

const char *vd_verdict_name(unsigned int v)
{
	static const char *const n[] = { "none", "merged", "refused" };

	return v < sizeof(n) / sizeof(n[0]) ? n[v] : "?";
}

const char *vd_bad_name(unsigned int bad)
{
	static const char *const n[] = {
		"none", "order", "overlap", "empty", "align", "count", "cache", "gap",
		"rbtree", "anon", "uffd",
	};
	return bad < sizeof(n) / sizeof(n[0]) ? n[bad] : "?";
}

const char *vd_kind_name(unsigned int kind)
{
	static const char *const n[] = { "anon", "file", "shmem", "vdso", "vvar" };

	return kind < sizeof(n) / sizeof(n[0]) ? n[kind] : "?";
}

const char *vd_rules_name(unsigned int rules)
{
	return rules == VMASHADOW_RULES_6_1 ? "6.1" :
	       rules == VMASHADOW_RULES_6_12 ? "6.12" : "?";
}

void vd_flag_names(uint64_t flags, char *buf, size_t len)
{
	static const struct { uint64_t bit; const char *name; } t[] = {
		{ VMASHADOW_VM_READ, "read" }, { VMASHADOW_VM_WRITE, "write" },
		{ VMASHADOW_VM_EXEC, "exec" }, { VMASHADOW_VM_SHARED, "shared" },
		{ VMASHADOW_VM_MAYREAD, "mayread" }, { VMASHADOW_VM_MAYWRITE, "maywrite" },
		{ VMASHADOW_VM_MAYEXEC, "mayexec" }, { VMASHADOW_VM_MAYSHARE, "mayshare" },
		{ VMASHADOW_VM_GROWSDOWN, "growsdown" },
		{ VMASHADOW_VM_UFFD_MISSING, "uffd_missing" },
		{ VMASHADOW_VM_PFNMAP, "pfnmap" }, { VMASHADOW_VM_UFFD_WP, "uffd_wp" },
		{ VMASHADOW_VM_LOCKED, "locked" }, { VMASHADOW_VM_IO, "io" },
		{ VMASHADOW_VM_SEQ_READ, "seq_read" }, { VMASHADOW_VM_RAND_READ, "rand_read" },
		{ VMASHADOW_VM_DONTCOPY, "dontcopy" }, { VMASHADOW_VM_DONTEXPAND, "dontexpand" },
		{ VMASHADOW_VM_LOCKONFAULT, "lockonfault" }, { VMASHADOW_VM_ACCOUNT, "account" },
		{ VMASHADOW_VM_NORESERVE, "noreserve" }, { VMASHADOW_VM_HUGETLB, "hugetlb" },
		{ VMASHADOW_VM_WIPEONFORK, "wipeonfork" }, { VMASHADOW_VM_DONTDUMP, "dontdump" },
		{ VMASHADOW_VM_MIXEDMAP, "mixedmap" }, { VMASHADOW_VM_HUGEPAGE, "hugepage" },
		{ VMASHADOW_VM_NOHUGEPAGE, "nohugepage" }, { VMASHADOW_VM_MERGEABLE, "mergeable" },
		{ VMASHADOW_VM_SEALED, "sealed" }, { VMASHADOW_VM_DROPPABLE, "droppable" },
		{ VMASHADOW_VM_UFFD_MINOR, "uffd_minor" }, { VMASHADOW_VM_CLOSE_OP, "close_op" },
	};
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if ((flags & t[i].bit) && n < len) {
			n += snprintf(buf + n, len - n, "%s%s", n ? "," : "", t[i].name);
			flags &= ~t[i].bit;
		}
	if (flags && n < len)
		snprintf(buf + n, len - n, "%s0x%llx", n ? "," : "",
			 (unsigned long long)flags);
}

void vd_nodes_str(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;
	int a, b;

	buf[0] = 0;
	for (a = 0; a < 64 && n < len; a = b + 1) {
		if (!(mask & (1ULL << a))) {
			b = a;
			continue;
		}
		for (b = a; b < 63 && (mask & (1ULL << (b + 1))); b++)
			;
		if (a == b)
			n += snprintf(buf + n, len - n, "%s%d", n ? "," : "", a);
		else
			n += snprintf(buf + n, len - n, "%s%d-%d", n ? "," : "", a, b);
	}
}

const char *vd_mpol_mode_name(unsigned int mode)
{
	/* the words of the script's mbind, in MPOL_* order */
	static const char *const n[] = {
		"default", "preferred", "bind", "interleave", "local", "preferred_many",
		"weighted_interleave",
	};
	return mode < sizeof(n) / sizeof(n[0]) ? n[mode] : NULL;
}

void vd_mpol_flag_names(uint32_t flags, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } t[] = {
		{ VMS_MPOL_F_STATIC_NODES, "static_nodes" },
		{ VMS_MPOL_F_RELATIVE_NODES, "relative_nodes" },
		{ VMS_MPOL_F_NUMA_BALANCING, "numa_balancing" },
	};
	size_t i, n = strlen(buf);

	for (i = 0; i < sizeof(t) / sizeof(t[0]) && n < len; i++)
		if (flags & t[i].bit) {
			n += snprintf(buf + n, len - n, "|%s", t[i].name);
			flags &= ~t[i].bit;
		}
	if (flags && n < len)
		snprintf(buf + n, len - n, "|0x%x", flags);
}

void vd_policy_str(const struct vmashadow_policy *p, char *buf, size_t len)
{
	const char *name = vd_mpol_mode_name(p->mode);
	char nodes[256];
	size_t n;

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", p->mode);
	vd_mpol_flag_names(p->mode_flags, buf, len);
	n = strlen(buf);
	if (p->nodes && n < len) {
		vd_nodes_str(p->nodes, nodes, sizeof(nodes));
		n += snprintf(buf + n, len - n, ":%s", nodes);
	}
	/*
	 * The nodes as given only where the kernel keeps them (a mode flag)
	 * and they are not those in force: STATIC_NODES naming a node not
	 * allowed, RELATIVE_NODES mapped onto others.
	 */
	if (p->mode_flags && p->user_nodes != p->nodes && n < len) {
		vd_nodes_str(p->user_nodes, nodes, sizeof(nodes));
		n += snprintf(buf + n, len - n, ",given=%s", nodes);
	}
	if (p->home_node >= 0 && n < len)
		snprintf(buf + n, len - n, ",home=%d", p->home_node);
}

int vd_policy_same(const struct vmashadow_policy *a, const struct vmashadow_policy *b)
{
	return a->mode == b->mode && a->mode_flags == b->mode_flags &&
	       a->nodes == b->nodes && a->user_nodes == b->user_nodes &&
	       a->home_node == b->home_node;
}

/* " policy=X" or " nopolicy" for the region of @fd holding @addr. */
static int policy_word(int fd, uint64_t addr, char *buf, size_t len)
{
	struct vmashadow_policy p;
	char s[512];

	if (vd_get_policy(fd, addr, &p))
		return -1;
	if (p.mode == VMS_MPOL_DEFAULT) {
		snprintf(buf, len, "nopolicy");
		return 0;
	}
	vd_policy_str(&p, s, sizeof(s));
	snprintf(buf, len, "policy=%s", s);
	return 0;
}

uint32_t vd_uffd_modes(uint64_t vm_flags)
{
	return (vm_flags & VMASHADOW_VM_UFFD_MISSING ? VMS_UFFDIO_REGISTER_MODE_MISSING : 0) |
	       (vm_flags & VMASHADOW_VM_UFFD_WP ? VMS_UFFDIO_REGISTER_MODE_WP : 0) |
	       (vm_flags & VMASHADOW_VM_UFFD_MINOR ? VMS_UFFDIO_REGISTER_MODE_MINOR : 0);
}

void vd_uffd_str(const struct vmashadow_region *r, char *buf, size_t len)
{
	static const char *const modes[] = { "missing", "wp", "minor" };
	uint32_t m = vd_uffd_modes(r->vm_flags);
	size_t i, n;

	buf[0] = 0;
	if (!vms_uffd_ctx(r) && !m)
		return;
	n = (size_t)snprintf(buf, len, "%u", vms_uffd_ctx(r));
	for (i = 0; i < 3 && n < len; i++)
		if (m & (1U << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      m & ((1U << i) - 1) ? "|" : ":", modes[i]);
}

/*
 * "uffd=N:MODE" or "nouffd" for the region of @fd holding @addr (FIND
 * LOOKUP: the context is in its record's state).
 */
static int uffd_word(int fd, uint64_t addr, char *buf, size_t len)
{
	struct vmashadow_find f;
	char s[64];

	memset(&f, 0, sizeof(f));
	f.mode = VMASHADOW_FIND_LOOKUP;
	f.addr = addr;
	if (vd_find(fd, &f, NULL, 0) || !(f.found & VMASHADOW_FOUND_REGION))
		return -1;
	vd_uffd_str(&f.region, s, sizeof(s));
	if (s[0])
		snprintf(buf, len, "uffd=%s", s);
	else
		snprintf(buf, len, "nouffd");
	return 0;
}

void vd_explain_policies(int fd, const struct vmashadow_explain *x, int next,
			 char *buf, size_t len)
{
	const struct vmashadow_explain_side *sd = next ? &x->next : &x->prev;
	char them[600], us[600];
	/* the side's region meets the other at its end (prev), its start (next) */
	uint64_t here = next ? sd->start - 1 : sd->end;
	int (*word)(int, uint64_t, char *, size_t) =
		sd->why == VMASHADOW_WHY_UFFD ? uffd_word : policy_word;

	buf[0] = 0;
	if ((sd->why != VMASHADOW_WHY_POLICY && sd->why != VMASHADOW_WHY_UFFD) ||
	    sd->end <= sd->start || word(fd, sd->start, them, sizeof(them)) ||
	    word(fd, here, us, sizeof(us)))
		return;
	/* at a boundary both sides are the two regions that meet there */
	if (x->mode == VMASHADOW_EXPLAIN_AT)
		snprintf(buf, len, " (prev %s, next %s)", next ? us : them, next ? them : us);
	else
		snprintf(buf, len, " (%s %s, this %s)", next ? "next" : "prev", them, us);
}
