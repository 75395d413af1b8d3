/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vms_snap.h: the whole visible state of one shadow, to show that a call
 * changed nothing.  Used by the reliability and security tests (issue 8):
 * hostile, ioctlfuzz, faults, concurrency, lifetime, security.
 *
 * A snapshot is the read() dump, every LIST record (anon and file ids, page
 * offsets and state included), the params and the structural counters of
 * STATS (not lookups or cache hits, which queries move).
 */
#ifndef _VMS_SNAP_H
#define _VMS_SNAP_H

#include <stdlib.h>
#include "vms_test.h"

#define VMS_SNAP_REGIONS	4096
#define VMS_SNAP_MAPS		(128 * 1024)

struct vms_snap {
	long maps_len;
	char maps[VMS_SNAP_MAPS];
	unsigned int n;
	struct vmashadow_region r[VMS_SNAP_REGIONS];
	struct vmashadow_params p;
	__u64 regions, merges, splits, truncations, removals, anon_vmas;
	long validate;
};

/* LIST every region of @fd into @out (at most @max); -errno or the count. */
static inline long vms_list_all(int fd, struct vmashadow_region *out,
				unsigned int max)
{
	struct vmashadow_list l;
	unsigned int n = 0;
	long ret;

	memset(&l, 0, sizeof(l));
	for (;;) {
		l.size = sizeof(l);
		l.region_size = sizeof(struct vmashadow_region);
		l.regions = (unsigned long)(out + n);
		l.count = max - n;
		l.__reserved = 0;
		if (!l.count)
			return -ENOSPC;
		ret = vms_ioctl(fd, VMASHADOW_IOC_LIST, &l);
		if (ret)
			return ret;
		if (!l.count)
			return n;
		n += l.count;
	}
}

static inline long vms_snap_take(int fd, struct vms_snap *s)
{
	struct vmashadow_stats st;
	long ret;

	memset(s, 0, sizeof(*s));
	s->validate = vms_validate(fd, NULL);
	lseek(fd, 0, SEEK_SET);
	s->maps_len = vms_read_all(fd, s->maps, sizeof(s->maps));
	if (s->maps_len < 0)
		return s->maps_len;
	ret = vms_list_all(fd, s->r, VMS_SNAP_REGIONS);
	if (ret < 0)
		return ret;
	s->n = ret;
	ret = vms_get_params(fd, &s->p);
	if (ret)
		return ret;
	ret = vms_stats(fd, &st);
	if (ret)
		return ret;
	s->regions = st.regions;
	s->merges = st.merges;
	s->splits = st.splits;
	s->truncations = st.truncations;
	s->removals = st.removals;
	s->anon_vmas = st.anon_vmas;
	return 0;
}

/* NULL if equal, else what differs (a static string). */
static inline const char *vms_snap_diff(const struct vms_snap *a,
					const struct vms_snap *b)
{
	if (a->validate || b->validate)
		return "validate fails";
	if (a->maps_len != b->maps_len || memcmp(a->maps, b->maps, a->maps_len))
		return "read() dump";
	if (a->n != b->n)
		return "region count (LIST)";
	if (memcmp(a->r, b->r, a->n * sizeof(a->r[0])))
		return "region records (LIST)";
	if (memcmp(&a->p, &b->p, sizeof(a->p)))
		return "params";
	if (a->regions != b->regions)
		return "stats.regions";
	if (a->anon_vmas != b->anon_vmas)
		return "stats.anon_vmas";
	if (a->merges != b->merges || a->splits != b->splits ||
	    a->truncations != b->truncations || a->removals != b->removals)
		return "stats counters (merges/splits/truncations/removals)";
	return NULL;
}

/* The state of @fd is still @before (a heap snapshot), else the test fails. */
#define VMS_UNCHANGED(fd, before, what) do {				\
	struct vms_snap *__now = malloc(sizeof(*__now));		\
	const char *__d;						\
	ASSERT_NE(NULL, __now);						\
	ASSERT_EQ(0, vms_snap_take(fd, __now));				\
	__d = vms_snap_diff(before, __now);				\
	if (__d)							\
		TH_LOG("%s: shadow changed (%s); before:\n%s\nafter:\n%s", \
		       what, __d, (before)->maps, __now->maps);	\
	free(__now);							\
	ASSERT_EQ(NULL, __d);						\
} while (0)

/* Is the kernel one of our debug lane (fault injection, KASAN...)? */
static inline int vms_debug_kernel(void)
{
	struct utsname u;

	return !uname(&u) && strstr(u.release, "vmsdebug") != NULL;
}

/* Write a string to a file: 0 or -errno. */
static inline int vms_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	ssize_t n = strlen(s);

	if (fd < 0)
		return -errno;
	if (write(fd, s, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read a number from a file: -errno on failure. */
static inline long vms_read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	return strtol(buf, NULL, 0);
}

#endif /* _VMS_SNAP_H */
