/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's reference model: the window as a sorted array of pages,
 * each mapped or not with its protection, shared bit and VM_DONTCOPY,
 * and the syscalls' results by their plain definitions (mprotect stops
 * with -ENOMEM at the first hole and keeps what it changed; madvise goes
 * on over holes and reports -ENOMEM at the end; a write fault on a page
 * that is not writable is -EFAULT).  Page granularity makes it merge-
 * agnostic: the merge rule checked against the core is separate (two
 * touching unfaulted private anonymous regions with equal flags and
 * running page offsets must have been one).
 */
#ifndef _VMASHADOW_HOST_MODEL_H
#define _VMASHADOW_HOST_MODEL_H

#define MODEL_PAGES	48

struct model_page {
	unsigned char mapped, prot, shared, dontcopy;
};

struct model {
	struct model_page pg[MODEL_PAGES];
};

static inline void model_map(struct model *m, unsigned int a, unsigned int n,
			     unsigned int prot, bool shared)
{
	unsigned int i;

	for (i = a; i < a + n && i < MODEL_PAGES; i++) {
		m->pg[i].mapped = 1;
		m->pg[i].prot = prot;
		m->pg[i].shared = shared;
		m->pg[i].dontcopy = 0;
	}
}

static inline int model_unmap(struct model *m, unsigned int a, unsigned int n)
{
	unsigned int i;

	for (i = a; i < a + n && i < MODEL_PAGES; i++)
		memset(&m->pg[i], 0, sizeof(m->pg[i]));
	return 0;
}

static inline int model_protect(struct model *m, unsigned int a,
				unsigned int n, unsigned int prot)
{
	unsigned int i;

	for (i = a; i < a + n; i++) {
		if (i >= MODEL_PAGES || !m->pg[i].mapped)
			return -ENOMEM;
		m->pg[i].prot = prot;
	}
	return 0;
}

static inline int model_touch(struct model *m, unsigned int a)
{
	return a < MODEL_PAGES && m->pg[a].mapped &&
	       (m->pg[a].prot & PROT_WRITE) ? 0 : -EFAULT;
}

static inline int model_dontfork(struct model *m, unsigned int a,
				 unsigned int n, bool set)
{
	unsigned int i;
	int err = 0;

	for (i = a; i < a + n; i++) {
		if (i >= MODEL_PAGES || !m->pg[i].mapped)
			err = -ENOMEM;
		else
			m->pg[i].dontcopy = set;
	}
	return err;
}

#endif
