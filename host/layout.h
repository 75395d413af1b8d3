/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' diagram notation, "1-3:rw-p 5-7:r--p" (pages relative to
 * a window base), for a struct vms_mm: shared by the host unit tests, the
 * fuzzer's reports and its reference model.
 */
#ifndef _VMASHADOW_HOST_LAYOUT_H
#define _VMASHADOW_HOST_LAYOUT_H

#define VMS_WIN		0x200000000000UL
#define PG(n)		(VMS_WIN + (unsigned long)(n) * PAGE_SIZE)
#define PGS(n)		((unsigned long)(n) * PAGE_SIZE)

static inline const char *vms_perm(unsigned long flags, char out[5])
{
	out[0] = flags & VMASHADOW_VM_READ ? 'r' : '-';
	out[1] = flags & VMASHADOW_VM_WRITE ? 'w' : '-';
	out[2] = flags & VMASHADOW_VM_EXEC ? 'x' : '-';
	out[3] = flags & VMASHADOW_VM_MAYSHARE ? 's' : 'p';
	out[4] = '\0';
	return out;
}

/* Every region of @mm, in the notation, relative to VMS_WIN. */
static inline const char *vms_layout_of(struct vms_mm *mm, char *buf,
					size_t size)
{
	struct vms_region *r;
	size_t n = 0;
	char p[5];

	buf[0] = '\0';
	for (r = vms_first(mm); r && n < size; r = vms_next(r))
		n += snprintf(buf + n, size - n, "%s%ld-%ld:%s", n ? " " : "",
			      (long)(r->start - VMS_WIN) / (long)PAGE_SIZE,
			      (long)(r->end - VMS_WIN) / (long)PAGE_SIZE,
			      vms_perm(r->flags, p));
	return buf;
}

#endif
