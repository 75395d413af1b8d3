// SPDX-License-Identifier: GPL-2.0
/*
 * A region as a line of /proc/pid/maps, byte for byte as show_map_vma()
 * prints it: hex widths, the `s` of VM_MAYSHARE, the name padded to start
 * at column 74, and the trailing space of a line without a name.
 */
#include "core.h"

/* 25 + 6 * sizeof(void *) - 1: where seq_pad() pads the prefix to. */
#define VMS_MAPS_NAME_COLUMN	72

/* The [heap] test: 6.1 counts a region touching the heap, 6.12 overlap. */
static bool vms_is_heap(const struct vms_mm *mm, const struct vms_region *r)
{
	const struct vms_params *p = &mm->params;

	if (!p->start_brk && !p->brk)
		return false;
	if (vms_rules_6_12(mm))
		return r->start < p->brk && r->end > p->start_brk;
	return r->start <= p->brk && r->end >= p->start_brk;
}

static bool vms_is_stack(const struct vms_mm *mm, const struct vms_region *r)
{
	unsigned long sp = mm->params.start_stack;

	return sp && r->start <= sp && r->end >= sp;
}

/* seq_file_path() escapes a newline in a name as \012. */
static int vms_put_name(char *buf, size_t size, size_t pos, const char *name)
{
	for (; *name; name++) {
		if (*name == '\n')
			pos += scnprintf(buf + pos, size - pos, "\\012");
		else if (pos + 1 < size)
			buf[pos++] = *name;
	}
	buf[pos] = '\0';
	return pos;
}

/*
 * The name column of @r: a file's path (written into @scratch), a special
 * mapping's name, [heap], [stack], or NULL for none.
 */
const char *vms_region_label(const struct vms_mm *mm,
			     const struct vms_region *r,
			     char *scratch, size_t scratch_size)
{
	struct vms_file *file = vms_file_of(r);

	if (file) {
		int err = file->ops->name(file, scratch, scratch_size);

		return err < 0 ? ERR_PTR(err) : scratch;
	}
	if (r->flags & VMS_KIND_VDSO)
		return "[vdso]";
	if (r->flags & VMS_KIND_VVAR)
		return "[vvar]";
	if (r->flags & VMS_KIND_VCLOCK)
		return "[vvar_vclock]";
	if (r->flags & VMS_KIND_UPROBES)
		return "[uprobes]";
	if (vms_is_heap(mm, r))
		return "[heap]";
	if (vms_is_stack(mm, r))
		return "[stack]";
	return NULL;
}

/*
 * Format @r into @buf as one line with its newline; @scratch holds a file's
 * name on the way.  Returns the length, or -ENAMETOOLONG when @buf is too
 * small.
 */
int vms_show_region(const struct vms_mm *mm, const struct vms_region *r,
		    char *buf, size_t size, char *scratch, size_t scratch_size)
{
	const char *name = vms_region_label(mm, r, scratch, scratch_size);
	const struct vms_file *file = vms_file_of(r);
	unsigned long long offset = 0;
	u32 major = 0, minor = 0;
	unsigned long ino = 0;
	int len, pad;

	if (IS_ERR(name))
		return PTR_ERR(name);
	if (file) {
		offset = (unsigned long long)r->pgoff << PAGE_SHIFT;
		major = file->dev_major;
		minor = file->dev_minor;
		ino = file->ino;
	}
	len = scnprintf(buf, size, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ",
			r->start, r->end,
			r->flags & VMASHADOW_VM_READ ? 'r' : '-',
			r->flags & VMASHADOW_VM_WRITE ? 'w' : '-',
			r->flags & VMASHADOW_VM_EXEC ? 'x' : '-',
			r->flags & VMASHADOW_VM_MAYSHARE ? 's' : 'p',
			offset, major, minor, ino);
	if (name) {
		/* seq_pad(m, ' '): pad to the column, then one space */
		pad = len < VMS_MAPS_NAME_COLUMN ? VMS_MAPS_NAME_COLUMN - len : 0;
		if (len + pad + 1 >= size)
			return -ENAMETOOLONG;
		memset(buf + len, ' ', pad + 1);
		len = vms_put_name(buf, size - 1, len + pad + 1, name);
	}
	if (len + 2 > size)
		return -ENAMETOOLONG;
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}
