// SPDX-License-Identifier: GPL-2.0
/*
 * The host build's stand-in for the device glue (vmashadow.c): shadows
 * numbered like descriptors, the ioctls the selftests use, files taken
 * from real descriptors, and read() as /proc/pid/maps.  No argument
 * validation beyond what the core does: that is the glue's business and
 * is tested in the VM.
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "../core/core.h"
#include "glue.h"

#include <stdarg.h>

unsigned long vms_host_fail_alloc;
unsigned long vms_host_allocs;

/* tools/include declares it; tools/lib/vsprintf.c is not needed for one. */
int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	int i;

	va_start(args, fmt);
	i = vsnprintf(buf, size, fmt, args);
	va_end(args);
	if (i < (int)size)
		return i;
	return size ? size - 1 : 0;
}

#define HOST_SHADOWS	64
#define HOST_FD_BASE	1000

static struct vms_mm *shadows[HOST_SHADOWS];
static unsigned int host_rules = VMASHADOW_RULES_6_1;
static bool core_up;

void vms_host_set_rules(unsigned int rules)
{
	host_rules = rules;
}

unsigned int vms_host_rules(void)
{
	return host_rules;
}

/* ---- files ---------------------------------------------------------------- */

struct host_file {
	struct vms_file vf;
	int fd;
	dev_t dev;
	ino_t ino;
	char name[256];
	struct host_file *next;
};

static struct host_file *host_files;

static void host_file_release(struct vms_file *vf)
{
	struct host_file *hf = container_of(vf, struct host_file, vf), **p;

	for (p = &host_files; *p; p = &(*p)->next)
		if (*p == hf) {
			*p = hf->next;
			break;
		}
	free(hf);
}

static int host_file_name(const struct vms_file *vf, char *buf, size_t size)
{
	const struct host_file *hf = container_of(vf, struct host_file, vf);

	return scnprintf(buf, size, "%s", hf->name);
}

/* The file's size now, as the kernel's glue reads i_size. */
static unsigned long host_file_size(const struct vms_file *vf)
{
	const struct host_file *hf = container_of(vf, struct host_file, vf);
	struct stat st;

	if (fstat(hf->fd, &st) || st.st_ino != hf->ino ||
	    !S_ISREG(st.st_mode))
		return ULONG_MAX;	/* closed since, or no end */
	return DIV_ROUND_UP((unsigned long)st.st_size, PAGE_SIZE);
}

static const struct vms_file_ops host_file_ops = {
	.release	= host_file_release,
	.name		= host_file_name,
	.size		= host_file_size,
};

/*
 * One vms_file per open descriptor, as the glue keeps one per struct file;
 * a descriptor number reused for another file gets a new one.
 */
static struct vms_file *host_file_get(int fd)
{
	struct host_file *hf;
	struct stat st;
	char link[64];
	ssize_t n;
	int fl;

	if (fd < 0 || fstat(fd, &st) || (fl = fcntl(fd, F_GETFL)) < 0)
		return ERR_PTR(-EBADF);
	for (hf = host_files; hf; hf = hf->next) {
		if (hf->fd == fd && hf->dev == st.st_dev && hf->ino == st.st_ino) {
			refcount_inc(&hf->vf.ref);
			return &hf->vf;
		}
	}
	hf = calloc(1, sizeof(*hf));
	if (!hf)
		return ERR_PTR(-ENOMEM);
	refcount_set(&hf->vf.ref, 1);
	hf->vf.id = vms_file_new_id();
	hf->vf.ino = st.st_ino;
	hf->vf.dev_major = major(st.st_dev);
	hf->vf.dev_minor = minor(st.st_dev);
	hf->vf.kind = VMASHADOW_KIND_FILE;
	hf->vf.ops = &host_file_ops;
	if ((fl & O_ACCMODE) != O_WRONLY)
		hf->vf.mode |= VMS_FMODE_READ;
	if ((fl & O_ACCMODE) != O_RDONLY)
		hf->vf.mode |= VMS_FMODE_WRITE;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode))
		hf->vf.mode |= VMS_FMODE_LFS;
	hf->fd = fd;
	hf->dev = st.st_dev;
	hf->ino = st.st_ino;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, hf->name, sizeof(hf->name) - 1);
	hf->name[n > 0 ? n : 0] = '\0';
	hf->next = host_files;
	host_files = hf;
	return &hf->vf;
}

/* ---- shadows ---------------------------------------------------------------- */

static struct vms_mm *host_mm(int fd)
{
	fd -= HOST_FD_BASE;
	return fd >= 0 && fd < HOST_SHADOWS ? shadows[fd] : NULL;
}

static int host_new_fd(struct vms_mm *mm)
{
	int i;

	for (i = 0; i < HOST_SHADOWS; i++)
		if (!shadows[i]) {
			shadows[i] = mm;
			return HOST_FD_BASE + i;
		}
	return -EMFILE;
}

int vms_host_open(void)
{
	struct vms_mm *mm;
	int fd;

	if (!core_up) {
		if (vms_core_init())
			return -ENOMEM;
		core_up = true;
	}
	mm = calloc(1, sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	vms_mm_init(mm, host_rules);
	fd = host_new_fd(mm);
	if (fd < 0)
		free(mm);
	return fd;
}

void vms_host_close(int fd)
{
	struct vms_mm *mm = host_mm(fd);

	if (!mm)
		return;
	vms_mm_destroy(mm);
	free(mm);
	shadows[fd - HOST_FD_BASE] = NULL;
}

struct vms_mm *vms_host_mm(int fd)
{
	return host_mm(fd);
}

/* ---- operations -------------------------------------------------------------- */

/*
 * One operation through the core's own checks and dispatch
 * (core/apply.c), with the file a MAP of a file names looked up here as
 * the module looks it up.
 */
static int host_op(struct vms_mm *mm, struct vmashadow_op *op, u32 which)
{
	struct vms_file *file = NULL;
	int err = vms_op_check(op, which);

	if (err)
		return err;
	op->op = which;
	if (which == VMASHADOW_OP_MAP && !(op->flags & MAP_ANONYMOUS) &&
	    !(op->op_flags & (VMASHADOW_OPF_VDSO | VMASHADOW_OPF_VVAR)) &&
	    !(op->offset & ~PAGE_MASK)) {
		file = host_file_get(op->fd);
		if (IS_ERR(file))
			return PTR_ERR(file);
	}
	err = vms_run_op(mm, op, file);
	vms_file_put(file);
	return err;
}

static long host_find(struct vms_mm *mm, struct vmashadow_find *f)
{
	struct vms_region *r, *prev = NULL;
	char scratch[256];

	r = vms_find_mode(mm, f->mode, f->addr, f->end, &prev);
	if (IS_ERR(r))
		return PTR_ERR(r);
	memset(&f->region, 0, sizeof(f->region));
	memset(&f->prev, 0, sizeof(f->prev));
	f->found = 0;
	if (r) {
		f->found |= VMASHADOW_FOUND_REGION;
		vms_export(r, &f->region);
		if (f->name_size && f->name_addr) {
			const char *name = vms_region_label(mm, r, scratch,
							    sizeof(scratch));

			if (IS_ERR(name))
				return PTR_ERR(name);
			if (!name)
				name = "";
			if (strlen(name) + 1 > f->name_size)
				return -ENAMETOOLONG;
			strcpy((char *)(uintptr_t)f->name_addr, name);
			f->name_size = strlen(name) + 1;
		}
	}
	if (prev) {
		f->found |= VMASHADOW_FOUND_PREV;
		vms_export(prev, &f->prev);
	}
	return f->found ? 0 : -ENOENT;
}

long vms_host_ioctl(int fd, unsigned long cmd, void *arg)
{
	struct vms_mm *mm = host_mm(fd);

	if (!mm)
		return -EBADF;
	switch (cmd) {
	case VMASHADOW_IOC_MAP:
		return host_op(mm, arg, VMASHADOW_OP_MAP);
	case VMASHADOW_IOC_UNMAP:
		return host_op(mm, arg, VMASHADOW_OP_UNMAP);
	case VMASHADOW_IOC_PROTECT:
		return host_op(mm, arg, VMASHADOW_OP_PROTECT);
	case VMASHADOW_IOC_TOUCH:
		return host_op(mm, arg, VMASHADOW_OP_TOUCH);
	case VMASHADOW_IOC_REMAP:
		return host_op(mm, arg, VMASHADOW_OP_REMAP);
	case VMASHADOW_IOC_BRK:
		return host_op(mm, arg, VMASHADOW_OP_BRK);
	case VMASHADOW_IOC_MADVISE:
		return host_op(mm, arg, VMASHADOW_OP_MADVISE);
	case VMASHADOW_IOC_FIND:
		return host_find(mm, arg);
	case VMASHADOW_IOC_LIST: {
		struct vmashadow_list *l = arg;
		struct vmashadow_region *out = (void *)(uintptr_t)l->regions;
		struct vms_region *r;
		u32 n = 0;

		for (r = vms_find(mm, l->addr); r && n < l->count; r = vms_next(r))
			vms_export(r, &out[n++]);
		if (n)
			l->addr = out[n - 1].end;
		l->count = n;
		return 0;
	}
	case VMASHADOW_IOC_STATS: {
		struct vmashadow_stats *s = arg;
		const struct vms_counters *c = &mm->count;

		s->regions = mm->map_count;
		s->peak_regions = c->peak_regions;
		s->merges = c->merges;
		s->splits = c->splits;
		s->truncations = c->truncations;
		s->removals = c->removals;
		s->lookups = c->lookups;
		s->cache_hits = c->cache_hits;
		s->cache_misses = c->cache_misses;
		s->anon_vmas = c->anon_vmas;
		s->tree_height = vms_tree_height(mm);
		return 0;
	}
	case VMASHADOW_IOC_VALIDATE: {
		struct vmashadow_validate *v = arg;
		unsigned long where;

		v->violation = vms_validate(mm, &where);
		v->addr = where;
		return v->violation ? -EUCLEAN : 0;
	}
	case VMASHADOW_IOC_EXPLAIN: {
		struct vmashadow_explain *e = arg;

		if (e->mode == VMASHADOW_EXPLAIN_LAST)
			*e = mm->last;
		else
			vms_explain_at(mm, e->addr, e);
		e->size = sizeof(*e);
		return 0;
	}
	case VMASHADOW_IOC_GET_PARAMS: {
		struct vmashadow_params *p = arg;
		const struct vms_params *mp = &mm->params;

		p->rules = mp->rules;
		p->max_map_count = mp->max_map_count;
		p->start_brk = mp->start_brk;
		p->brk = mp->brk;
		p->start_stack = mp->start_stack;
		p->arg_start = mp->arg_start;
		p->mmap_base = mp->mmap_base;
		p->mmap_min_addr = mp->mmap_min_addr;
		p->overcommit_memory = mp->overcommit_memory;
		return 0;
	}
	case VMASHADOW_IOC_SET_PARAMS: {
		struct vmashadow_params *p = arg;
		struct vms_params *mp = &mm->params;

		if (p->set & VMASHADOW_PARAM_RULES)
			mp->rules = p->rules;
		if (p->set & VMASHADOW_PARAM_MAX_MAP_COUNT)
			mp->max_map_count = p->max_map_count;
		if (p->set & VMASHADOW_PARAM_BRK) {
			mp->start_brk = p->start_brk;
			mp->brk = p->brk;
		}
		if (p->set & VMASHADOW_PARAM_START_STACK)
			mp->start_stack = p->start_stack;
		if (p->set & VMASHADOW_PARAM_ARG_START)
			mp->arg_start = p->arg_start;
		if (p->set & VMASHADOW_PARAM_MMAP_BASE)
			mp->mmap_base = p->mmap_base;
		if (p->set & VMASHADOW_PARAM_MMAP_MIN_ADDR)
			mp->mmap_min_addr = p->mmap_min_addr;
		if (p->set & VMASHADOW_PARAM_OVERCOMMIT)
			mp->overcommit_memory = p->overcommit_memory;
		return 0;
	}
	case VMASHADOW_IOC_FORK: {
		struct vmashadow_fork *f = arg;
		struct vms_mm *child = calloc(1, sizeof(*child));
		int err;

		if (!child)
			return -ENOMEM;
		vms_mm_init(child, mm->params.rules);
		err = vms_mm_dup(child, mm, true);
		if (!err) {
			f->fd = host_new_fd(child);
			if (f->fd >= 0)
				return 0;
			err = f->fd;
			vms_mm_destroy(child);
		}
		free(child);
		return err;
	}
	}
	return -ENOTTY;
}

/* The shadow as /proc/pid/maps, into @buf; returns the length. */
long vms_host_read_maps(int fd, char *buf, size_t size)
{
	struct vms_mm *mm = host_mm(fd);
	struct vms_region *r;
	char scratch[256];
	size_t n = 0;

	if (!mm)
		return -EBADF;
	buf[0] = '\0';
	for (r = vms_first(mm); r; r = vms_next(r)) {
		int len = vms_show_region(mm, r, buf + n, size - n, scratch,
					  sizeof(scratch));

		if (len < 0)
			return len;
		n += len;
	}
	return n;
}
