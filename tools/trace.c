// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - `vmashadow trace`: run a program under ptrace and mirror its
 * address-space calls into shadows of /dev/vmashadow, comparing the shadow
 * with the program's real maps after every call (or at exit).
 *
 * One shadow per real mm: threads (and vfork children, until they exec)
 * share one; fork gives the child VMASHADOW_IOC_FORK of its parent's;
 * exec starts a new one with VMASHADOW_IOC_IMPORT.
 *
 * The fault model (see vmashadow(8), FAULTS).  Write faults do not go
 * through a system call, yet they decide merges: a region gains an
 * anon_vma.  At the entry of every mirrored call, with every thread of the
 * mm stopped, the tracer imports the real address space into a scratch
 * shadow (the kernel's own vma->anon_vma, not a guess from page tables)
 * and TOUCHes, in address order, every shadow region that is faulted there
 * and not yet in the shadow.  It then checks that the shadow and the
 * kernel agree before the call (maps lines, vm_flags, faulted or not), so
 * each call is predicted from the state the kernel really had.  The only
 * other change without a system call, a stack growing down on a fault, is
 * not modelled: it is detected and the shadow re-imported (counted).
 *
 * Calls that change the address space but have no shadow operation (mlock
 * and friends, shmat, io_setup, ...) re-import after the call (counted).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vms.h"

#ifndef CLONE_VM
#define CLONE_VM 0x100
#endif
#ifndef CLONE_VFORK
#define CLONE_VFORK 0x4000
#endif
#ifndef CLONE_THREAD
#define CLONE_THREAD 0x10000
#endif
#ifndef SYS_mseal
#define SYS_mseal 462
#endif

enum call_kind { K_NONE, K_MIRROR, K_CLONE, K_RESYNC };

struct mmsh {
	int fd;			/* the shadow */
	int refs;		/* tasks using it */
	int id;
	int live;		/* tasks not yet exited */
	int checked_exit;
	int nthreads_seen;
};

struct task {
	pid_t tid, tgid;
	struct mmsh *mm;
	int stopped;		/* has a queued, unhandled stop */
	int gone;
	int interrupted;	/* PTRACE_INTERRUPT sent */
	int exiting;
};

struct ev {
	pid_t tid;
	int status;
};

struct tracer {
	const struct vms_opts *o;
	int check_every;
	FILE *log;
	int scratch;		/* scratch shadow for imports */
	struct task *t;
	size_t nt;
	struct ev *q;		/* stops received but not yet handled */
	size_t nq, qcap;
	int next_mm;
	pid_t child;
	int child_status;
	int diverged;
	/* summary */
	unsigned long calls, per[16], checks, merges, splits, touches, resyncs,
		      resync_stack, resync_unmirrored, resync_forced, unavoidable,
		      forks, threads, execs;
	unsigned long peak;
	long headroom;		/* min of max_map_count - regions */
	unsigned int max_map_count;
};

static struct tracer T;

static const char *const call_names[] = {
	"mmap", "munmap", "mprotect", "mremap", "brk", "madvise", "mseal",
	"pkey_mprotect",
};

static struct task *task_find(pid_t tid)
{
	size_t i;

	for (i = 0; i < T.nt; i++)
		if (T.t[i].tid == tid && !T.t[i].gone)
			return &T.t[i];
	return NULL;
}

static struct task *task_add(pid_t tid)
{
	struct task *t;

	T.t = xrealloc(T.t, (T.nt + 1) * sizeof(*T.t));
	t = &T.t[T.nt++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->tgid = tid;
	return t;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	if (!T.log)
		return;
	va_start(ap, fmt);
	vfprintf(T.log, fmt, ap);
	va_end(ap);
}

static struct mmsh *mm_new(void)
{
	struct mmsh *m = xmalloc(sizeof(*m));

	memset(m, 0, sizeof(*m));
	m->id = ++T.next_mm;
	m->fd = -1;
	return m;
}

static void mm_put(struct mmsh *m)
{
	if (m && --m->refs <= 0) {
		if (m->fd >= 0)
			close(m->fd);
		free(m);
	}
}

static void track_count(unsigned long n)
{
	if (n > T.peak)
		T.peak = n;
	if (T.max_map_count && (long)T.max_map_count - (long)n < T.headroom)
		T.headroom = (long)T.max_map_count - (long)n;
}

/* ---- real and shadow state -------------------------------------------------- */

int vms_load_real_maps(int pid, struct vms_snap *s)
{
	char path[64], err[4352];
	size_t i, j;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (vms_load_maps(path, s, err, sizeof(err)))
		return -1;
	for (i = j = 0; i < s->n; i++) {
		if (!strcmp(s->v[i].name, "[vsyscall]")) {
			free(s->v[i].name);
			continue;
		}
		s->v[j++] = s->v[i];
	}
	s->n = j;
	return 0;
}

static int list_recs(int fd, struct vmashadow_region **out, size_t *n)
{
	struct vmashadow_region recs[256];
	struct vmashadow_list l;
	int e;

	*out = NULL;
	*n = 0;
	memset(&l, 0, sizeof(l));
	for (;;) {
		l.size = sizeof(l);
		l.region_size = sizeof(recs[0]);
		l.regions = (uintptr_t)recs;
		l.count = 256;
		if (ioctl(fd, VMASHADOW_IOC_LIST, &l) < 0) {
			e = errno;
			free(*out);
			*out = NULL;
			return e;
		}
		if (!l.count)
			return 0;
		*out = xrealloc(*out, (*n + l.count) * sizeof(**out));
		memcpy(*out + *n, recs, l.count * sizeof(recs[0]));
		*n += l.count;
	}
}

static const char *kind_word(const struct vmashadow_region *r)
{
	switch (r->kind) {
	case VMASHADOW_KIND_FILE: return "file";
	case VMASHADOW_KIND_SHMEM: return "shmem";
	case VMASHADOW_KIND_VDSO: return "vdso";
	case VMASHADOW_KIND_VVAR: return "vvar";
	case VMASHADOW_KIND_VCLOCK: return "vclock";
	case VMASHADOW_KIND_UPROBES: return "uprobes";
	}
	return "anon";
}

/* Write the whole state of a shadow to the log (after exec or a resync). */
static void log_state(pid_t pid, int fd)
{
	struct vmashadow_params p;
	struct vms_snap s;
	size_t i;

	if (!T.log)
		return;
	if (!vd_get_params(fd, &p))
		logf_("%d params 0x%llx 0x%llx 0x%llx 0x%llx %u %s\n", pid,
		      (unsigned long long)p.start_brk, (unsigned long long)p.brk,
		      (unsigned long long)p.start_stack, (unsigned long long)p.mmap_base,
		      p.max_map_count, vd_rules_name(p.rules));
	snap_init(&s);
	if (vd_snapshot(fd, &s))
		return;
	for (i = 0; i < s.n; i++) {
		const struct vms_reg *r = &s.v[i];

		if (r->rec.kind == VMASHADOW_KIND_FILE)
			logf_("%d file f%llu %s\n", pid, (unsigned long long)r->rec.file_id,
			      r->name);
		logf_("%d region 0x%llx 0x%llx %.4s %s %s%llu 0x%llx 0x%llx %d\n", pid,
		      (unsigned long long)r->start, (unsigned long long)r->end, r->perms,
		      kind_word(&r->rec), r->rec.file_id ? "f" : "-",
		      (unsigned long long)r->rec.file_id,
		      (unsigned long long)r->rec.pgoff, (unsigned long long)r->rec.vm_flags,
		      r->rec.anon_id ? 1 : 0);
	}
	snap_free(&s);
}

static int import_into(int fd, pid_t pid)
{
	struct vmashadow_import im;

	memset(&im, 0, sizeof(im));
	im.pid = pid;
	return vd_import(fd, &im);
}

/* ---- stopping the world --------------------------------------------------------- */

static void q_push(pid_t tid, int status)
{
	if (T.nq == T.qcap) {
		T.qcap = T.qcap ? 2 * T.qcap : 16;
		T.q = xrealloc(T.q, T.qcap * sizeof(*T.q));
	}
	T.q[T.nq].tid = tid;
	T.q[T.nq++].status = status;
}

static int q_pop(struct ev *e)
{
	if (!T.nq)
		return 0;
	*e = T.q[0];
	memmove(T.q, T.q + 1, (--T.nq) * sizeof(*T.q));
	return 1;
}

/* Receive one stop and queue it; marks the task stopped. */
static int wait_queue(void)
{
	int st;
	pid_t tid = waitpid(-1, &st, __WALL);
	struct task *t;

	if (tid < 0)
		return -1;
	q_push(tid, st);
	t = task_find(tid);
	if (t)
		t->stopped = 1;
	return 0;
}

/* Stop every other task sharing @m (they stay stopped until handled). */
static void stop_world(struct mmsh *m, struct task *self)
{
	size_t i;
	int again;

	for (i = 0; i < T.nt; i++) {
		struct task *t = &T.t[i];

		if (t == self || t->gone || t->mm != m || t->stopped || t->interrupted)
			continue;
		if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) == 0)
			t->interrupted = 1;
	}
	do {
		again = 0;
		for (i = 0; i < T.nt; i++) {
			struct task *t = &T.t[i];

			if (t != self && !t->gone && t->mm == m && !t->stopped &&
			    t->interrupted)
				again = 1;
		}
		if (again && wait_queue())
			break;
	} while (again);
}

/* ---- one mirrored call ---------------------------------------------------------- */

struct call {
	long nr;
	unsigned long a[6];
	int which;		/* index in call_names */
	struct vmashadow_op op;
	uint64_t lo, hi;	/* the range it affects */
};

static int classify(long nr, const unsigned long *a)
{
	switch (nr) {
	case SYS_mmap: return 0;
	case SYS_munmap: return 1;
	case SYS_mprotect: return 2;
	case SYS_mremap: return 3;
	case SYS_brk: return 4;
	case SYS_madvise: return 5;
	case SYS_mseal: return 6;
	case SYS_pkey_mprotect: return (int)a[3] == -1 ? 7 : -2;
	case SYS_clone: case SYS_clone3: case SYS_fork: case SYS_vfork: return -3;
	case SYS_mlock: case SYS_mlock2: case SYS_munlock: case SYS_mlockall:
	case SYS_munlockall: case SYS_shmat: case SYS_shmdt:
	case SYS_remap_file_pages: case SYS_io_setup: case SYS_io_destroy:
	case SYS_mbind: case SYS_prctl: case SYS_process_madvise:
		return -2;
	}
	return -1;
}

static void print_lines(FILE *f, const char *who, const struct vms_snap *s, uint64_t lo,
			uint64_t hi)
{
	char line[4352];
	size_t i;
	int any = 0;

	fprintf(f, "%s:\n", who);
	for (i = 0; i < s->n; i++)
		if (s->v[i].end >= lo && s->v[i].start <= hi) {
			fmt_maps_line_buf(line, sizeof(line), &s->v[i]);
			fprintf(f, "  %s\n", line);
			any = 1;
		}
	if (!any)
		fprintf(f, "  (nothing)\n");
}

static void print_explain_side(FILE *f, const char *name,
			       const struct vmashadow_explain_side *sd)
{
	char fl[256];

	if (sd->verdict == VMASHADOW_VERDICT_NONE)
		return;
	fprintf(f, "  %s %llx-%llx: %s", name, (unsigned long long)sd->start,
		(unsigned long long)sd->end, vd_verdict_name(sd->verdict));
	if (sd->why) {
		fprintf(f, ": %s", vd_why_name(sd->why));
		if (sd->why == VMASHADOW_WHY_FLAGS) {
			vd_flag_names(sd->flags_diff, fl, sizeof(fl));
			fprintf(f, " (%s)", fl);
		}
	}
	fputc('\n', f);
}

static void print_explain(FILE *f, int fd, const struct vms_snap *sh, uint64_t lo,
			  uint64_t hi, int last)
{
	struct vmashadow_explain x;
	size_t i;

	if (last) {
		memset(&x, 0, sizeof(x));
		x.mode = VMASHADOW_EXPLAIN_LAST;
		if (!vd_explain(fd, &x) && (x.prev.verdict || x.next.verdict)) {
			fprintf(f, "explain (the shadow's last %s, %llx-%llx, vma_merge case %u):\n",
				vd_op_name(x.op), (unsigned long long)x.addr,
				(unsigned long long)x.end, x.merge_case);
			print_explain_side(f, "prev", &x.prev);
			print_explain_side(f, "next", &x.next);
		}
	}
	for (i = 1; i < sh->n; i++) {
		uint64_t b = sh->v[i].start;

		if (sh->v[i - 1].end != b || b < lo || b > hi)
			continue;
		memset(&x, 0, sizeof(x));
		x.mode = VMASHADOW_EXPLAIN_AT;
		x.addr = b;
		if (vd_explain(fd, &x))
			continue;
		fprintf(f, "explain at %llx (why the shadow keeps these apart):\n",
			(unsigned long long)b);
		print_explain_side(f, "prev", &x.prev);
		print_explain_side(f, "next", &x.next);
	}
}

static void kill_all(void)
{
	size_t i;

	for (i = 0; i < T.nt; i++)
		if (!T.t[i].gone)
			kill(T.t[i].tid, SIGKILL);
}

static void describe_call(char *buf, size_t len, const struct call *c, long ret)
{
	char eb[64];

	if (ret < 0 && ret > -4096)
		snprintf(eb, sizeof(eb), "-%s", vms_errno_name((int)-ret) ?
			 vms_errno_name((int)-ret) : "?");
	else
		snprintf(eb, sizeof(eb), "0x%lx", (unsigned long)ret);
	snprintf(buf, len, "%s(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx) = %s",
		 c->which >= 0 ? call_names[c->which] : "call", c->a[0], c->a[1], c->a[2],
		 c->a[3], c->a[4], c->a[5], eb);
}

/* The divergence report; the run stops after it. */
static void diverge(struct task *t, const char *when, const char *what,
		    const struct vms_snap *sh, const struct vms_snap *re, uint64_t lo,
		    uint64_t hi, int last)
{
	FILE *f = stdout;
	struct vms_window w = { 0, 0 };
	int mm;

	fprintf(f, "vmashadow trace: DIVERGENCE in pid %d %s\n", t->tid, when);
	fprintf(f, "call: %s\n", what);
	if (sh && re) {
		fprintf(f, "classification:\n");
		mm = maps_compare(f, sh, re, &w);
		if (!mm)
			fprintf(f, "hidden    the maps lines agree; the hidden state differs "
				"(see above)\n");
		if (lo > VMS_PAGE_SIZE)
			lo -= VMS_PAGE_SIZE;
		hi += VMS_PAGE_SIZE;
		print_lines(f, "shadow", sh, lo, hi);
		print_lines(f, "kernel", re, lo, hi);
		print_explain(f, t->mm->fd, sh, lo, hi, last);
	}
	logf_("# DIVERGENCE %s: %s\n", when, what);
	fflush(f);
	T.diverged = 1;
	kill_all();
}

/* Compare the shadow with the real maps: 0 if equal (snapshots returned). */
static int compare_now(struct task *t, struct vms_snap *sh, struct vms_snap *re)
{
	struct vms_window w = { 0, 0 };
	FILE *null;
	int mm;

	snap_init(sh);
	snap_init(re);
	if (vd_snapshot(t->mm->fd, sh) || vms_load_real_maps(t->tid, re))
		return -1;
	T.checks++;
	null = fopen("/dev/null", "w");
	mm = maps_compare(null, sh, re, &w);
	fclose(null);
	return mm;
}

static void free2(struct vms_snap *a, struct vms_snap *b)
{
	snap_free(a);
	snap_free(b);
}

/*
 * Before a call: learn the faults since the last one (import the real
 * state into the scratch shadow, TOUCH what it has faulted), then check
 * that shadow and kernel agree, vm_flags and anon_vma included.  -1 after
 * a divergence.
 */
static int sync_faults(struct task *t, const char *when)
{
	struct vmashadow_region *re = NULL, *sh = NULL;
	size_t nre, nsh, i, j;
	struct vms_snap a, b;
	char why[512] = "";
	int e, mm;

	if (import_into(T.scratch, t->tid) || list_recs(T.scratch, &re, &nre))
		return 0;	/* the task is going away */
	if (list_recs(t->mm->fd, &sh, &nsh)) {
		free(re);
		return 0;
	}
	for (i = j = 0; i < nre; i++) {
		while (j < nsh && sh[j].end <= re[i].start)
			j++;
		if (j == nsh)
			break;
		if (!re[i].anon_id || sh[j].anon_id || sh[j].start != re[i].start ||
		    sh[j].end != re[i].end)
			continue;
		e = vd_op(t->mm->fd, VMASHADOW_OP_TOUCH, &(struct vmashadow_op){
			.addr = re[i].start });
		if (e) {
			/* e.g. an anon_vma on a region that is not writable (a
			 * FOLL_FORCE write): no shadow operation makes one. */
			T.unavoidable++;
			logf_("# unavoidable: anon_vma on %llx-%llx that a write fault "
			      "cannot give (%s); re-imported\n",
			      (unsigned long long)re[i].start, (unsigned long long)re[i].end,
			      strerror(e));
			import_into(t->mm->fd, t->tid);
			T.resyncs++;
			T.resync_forced++;
			logf_("%d resync fault\n", t->tid);
			log_state(t->tid, t->mm->fd);
			free(re);
			free(sh);
			return 0;
		}
		T.touches++;
		logf_("%d touch 0x%llx\n", t->tid, (unsigned long long)re[i].start);
	}
	free(sh);
	/* Drift: anything the calls and faults above do not explain. */
	mm = compare_now(t, &a, &b);
	if (mm > 0) {
		/* A stack that grew on a fault: the one change not modelled. */
		int stack = 0;

		for (i = 0; i < a.n && i < b.n; i++)
			if (!strcmp(a.v[i].name, "[stack]") && !strcmp(b.v[i].name, "[stack]") &&
			    a.v[i].end == b.v[i].end && b.v[i].start < a.v[i].start)
				stack = 1;
		if (stack) {
			free2(&a, &b);
			free(re);
			import_into(t->mm->fd, t->tid);
			T.resyncs++;
			T.resync_stack++;
			logf_("%d resync stack\n", t->tid);
			log_state(t->tid, t->mm->fd);
			return 0;
		}
		diverge(t, when, "(between calls: the maps changed outside any mirrored "
			"call)", &a, &b, 0, 0, 0);
		free2(&a, &b);
		free(re);
		return -1;
	}
	if (mm < 0) {
		free2(&a, &b);
		free(re);
		return 0;
	}
	/* Hidden state, region by region: vm_flags and faulted-or-not. */
	for (i = 0; i < nre && i < a.n && !why[0]; i++) {
		const struct vmashadow_region *x = &a.v[i].rec;

		if (x->start != re[i].start || x->end != re[i].end)
			break;
		if (x->vm_flags != re[i].vm_flags) {
			char fl[256];

			vd_flag_names(x->vm_flags ^ re[i].vm_flags, fl, sizeof(fl));
			snprintf(why, sizeof(why), "hidden    %016llx-%016llx vm_flags "
				 "differ: %s (shadow 0x%llx, kernel 0x%llx)",
				 (unsigned long long)x->start, (unsigned long long)x->end, fl,
				 (unsigned long long)x->vm_flags,
				 (unsigned long long)re[i].vm_flags);
		} else if (!!x->anon_id != !!re[i].anon_id) {
			snprintf(why, sizeof(why), "hidden    %016llx-%016llx the shadow "
				 "says %s, the kernel %s", (unsigned long long)x->start,
				 (unsigned long long)x->end, x->anon_id ? "faulted" : "unfaulted",
				 re[i].anon_id ? "faulted" : "unfaulted");
		} else if (i && x->anon_id && re[i].anon_id && a.v[i - 1].rec.anon_id &&
			   re[i - 1].anon_id &&
			   (x->anon_id == a.v[i - 1].rec.anon_id) !=
			   (re[i].anon_id == re[i - 1].anon_id)) {
			snprintf(why, sizeof(why), "hidden    %016llx the neighbours share "
				 "an anon_vma in the %s only", (unsigned long long)x->start,
				 x->anon_id == a.v[i - 1].rec.anon_id ? "shadow" : "kernel");
		}
	}
	if (why[0]) {
		printf("%s\n", why);
		diverge(t, when, "(hidden state before the call)", &a, &b,
			a.v[i - 1].start, a.v[i - 1].end, 0);
		free2(&a, &b);
		free(re);
		return -1;
	}
	free2(&a, &b);
	free(re);
	return 0;
}

static int pidfd_of(pid_t tgid)
{
	return (int)syscall(SYS_pidfd_open, tgid, 0);
}

/* The tracee's file descriptor @fd, as a descriptor of ours: same struct file. */
static int grab_fd(pid_t tgid, int fd)
{
	int pfd = pidfd_of(tgid), r;

	if (pfd < 0)
		return -1;
	r = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	close(pfd);
	return r;
}

static void build_op(struct task *t, struct call *c, long ret)
{
	struct vmashadow_op *op = &c->op;
	unsigned long *a = c->a;

	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->fd = -1;
	c->lo = a[0];
	c->hi = a[0] + a[1];
	switch (c->which) {
	case 0:
		op->op = VMASHADOW_OP_MAP;
		op->addr = a[0];
		op->len = a[1];
		op->prot = (__u32)a[2];
		op->flags = (__u32)a[3];
		op->offset = a[5];
		if (!(a[3] & MAP_ANONYMOUS) && (int)a[4] >= 0)
			op->fd = grab_fd(t->tgid, (int)a[4]);
		if (ret > 0 || ret < -4095) {
			c->lo = (unsigned long)ret;
			c->hi = (unsigned long)ret + a[1];
		}
		break;
	case 1: op->op = VMASHADOW_OP_UNMAP; op->addr = a[0]; op->len = a[1]; break;
	case 2: case 7:
		op->op = VMASHADOW_OP_PROTECT; op->addr = a[0]; op->len = a[1];
		op->prot = (__u32)a[2];
		break;
	case 3:
		op->op = VMASHADOW_OP_REMAP; op->addr = a[0]; op->len = a[1];
		op->new_len = a[2]; op->flags = (__u32)a[3]; op->new_addr = a[4];
		if (ret > 0 || ret < -4095) {
			if ((unsigned long)ret < c->lo)
				c->lo = (unsigned long)ret;
			if ((unsigned long)ret + a[2] > c->hi)
				c->hi = (unsigned long)ret + a[2];
		}
		break;
	case 4:
		op->op = VMASHADOW_OP_BRK; op->addr = a[0];
		c->lo = a[0] < (unsigned long)ret ? a[0] : (unsigned long)ret;
		c->hi = a[0] > (unsigned long)ret ? a[0] : (unsigned long)ret;
		break;
	case 5:
		op->op = VMASHADOW_OP_MADVISE; op->addr = a[0]; op->len = a[1];
		op->flags = (__u32)a[2];
		break;
	case 6:
		op->op = VMASHADOW_OP_SEAL; op->addr = a[0]; op->len = a[1];
		op->flags = (__u32)a[2];
		break;
	}
}

static void log_call(struct task *t, const struct call *c, long ret, long nreal)
{
	const struct vmashadow_op *op = &c->op;
	char res[64];

	if (!T.log)
		return;
	if (ret < 0 && ret > -4096)
		snprintf(res, sizeof(res), "-%s", vms_errno_name((int)-ret) ?
			 vms_errno_name((int)-ret) : "EIO");
	else
		snprintf(res, sizeof(res), "0x%lx", (unsigned long)ret);
	logf_("%d ", t->tid);
	switch (op->op) {
	case VMASHADOW_OP_MAP: {
		struct vmashadow_find fi;
		char name[4096] = "";
		unsigned long long fid = 0;

		/* The file's identity: the shadow's region, after the call. */
		if (op->fd >= 0 && !(ret < 0 && ret > -4096)) {
			memset(&fi, 0, sizeof(fi));
			fi.mode = VMASHADOW_FIND_LOOKUP;
			fi.addr = (unsigned long)ret;
			if (!vd_find(t->mm->fd, &fi, name, sizeof(name)) &&
			    (fi.found & VMASHADOW_FOUND_REGION))
				fid = fi.region.file_id;
			if (fid)
				logf_("file f%llu %s\n%d ", fid, name, t->tid);
		}
		logf_("mmap 0x%llx 0x%llx 0x%x 0x%x %s%llu 0x%llx", (unsigned long long)op->addr,
		      (unsigned long long)op->len, op->prot, op->flags, fid ? "f" : "-",
		      fid, (unsigned long long)op->offset);
		if (op->fd >= 0 && !fid)
			logf_(" fd");
		break;
	}
	case VMASHADOW_OP_UNMAP:
		logf_("munmap 0x%llx 0x%llx", (unsigned long long)op->addr,
		      (unsigned long long)op->len);
		break;
	case VMASHADOW_OP_PROTECT:
		logf_("mprotect 0x%llx 0x%llx 0x%x", (unsigned long long)op->addr,
		      (unsigned long long)op->len, op->prot);
		break;
	case VMASHADOW_OP_REMAP:
		logf_("mremap 0x%llx 0x%llx 0x%llx 0x%x 0x%llx", (unsigned long long)op->addr,
		      (unsigned long long)op->len, (unsigned long long)op->new_len,
		      op->flags, (unsigned long long)op->new_addr);
		break;
	case VMASHADOW_OP_BRK:
		logf_("brk 0x%llx", (unsigned long long)op->addr);
		break;
	case VMASHADOW_OP_MADVISE:
		logf_("madvise 0x%llx 0x%llx %u", (unsigned long long)op->addr,
		      (unsigned long long)op->len, op->flags);
		break;
	case VMASHADOW_OP_SEAL:
		logf_("mseal 0x%llx 0x%llx 0x%x", (unsigned long long)op->addr,
		      (unsigned long long)op->len, op->flags);
		break;
	}
	logf_(" = %s", res);
	if (nreal >= 0)
		logf_(" n=%ld", nreal);
	logf_("\n");
}

static long count_real(pid_t tid)
{
	struct vms_snap s;
	long n;

	snap_init(&s);
	if (vms_load_real_maps(tid, &s))
		return -1;
	n = (long)s.n;
	snap_free(&s);
	return n;
}

/* After the call: apply it to the shadow, compare. */
static void mirror_exit(struct task *t, struct call *c, long ret)
{
	struct vms_snap a, b;
	char what[512], eb[64];
	long want_err = ret < 0 && ret > -4096 ? -ret : 0;
	unsigned long want_res = (unsigned long)ret;
	int e, bad = 0;

	build_op(t, c, ret);
	e = vd_op(t->mm->fd, c->op.op, &c->op);
	if (c->op.fd >= 0)
		close(c->op.fd);
	T.calls++;
	T.per[c->which]++;
	describe_call(what, sizeof(what), c, ret);
	if (!e) {
		T.merges += c->op.merges;
		T.splits += c->op.splits;
		track_count(c->op.map_count);
	}
	if (c->which == 4) {
		/* brk never fails: it returns the break, old or new. */
		if (e || c->op.result != want_res)
			bad = 1;
	} else if (e != want_err) {
		bad = 1;
	} else if (!e && (c->which == 0 || c->which == 3) && c->op.result != want_res) {
		bad = 1;
	}
	if (bad) {
		char b2[700];

		if (e)
			snprintf(eb, sizeof(eb), "-%s", vms_errno_name(e) ? vms_errno_name(e) :
				 "?");
		else
			snprintf(eb, sizeof(eb), "0x%llx", (unsigned long long)c->op.result);
		snprintf(b2, sizeof(b2), "%s; the shadow returned %s", what, eb);
		log_call(t, c, ret, -1);
		compare_now(t, &a, &b);
		diverge(t, "after the call", b2, &a, &b, c->lo, c->hi, 1);
		free2(&a, &b);
		return;
	}
	if (!T.check_every) {
		log_call(t, c, ret, T.log ? count_real(t->tid) : -1);
		return;
	}
	e = compare_now(t, &a, &b);
	log_call(t, c, ret, e >= 0 ? (long)b.n : -1);
	if (e > 0)
		diverge(t, "after the call", what, &a, &b, c->lo, c->hi, 1);
	free2(&a, &b);
}

/* ---- the event loop -------------------------------------------------------------- */

static void resume(struct task *t, int sig)
{
	t->stopped = 0;
	ptrace(PTRACE_SYSCALL, t->tid, 0, sig);
}

static void begin_mm(struct task *t, const char *why)
{
	struct vmashadow_params p;
	char exe[4096];
	char path[64];
	ssize_t n;

	mm_put(t->mm);
	t->mm = mm_new();
	t->mm->refs = 1;
	t->mm->fd = vms_open_device(T.o);
	if (t->mm->fd < 0)
		exit(VMS_EXIT_FAIL);
	if (import_into(t->mm->fd, t->tid))
		vms_err("import", errno);
	if (!vd_get_params(t->mm->fd, &p)) {
		/* The module cannot read vm.max_map_count (not exported to
		 * modules): its default is the kernel's default.  Give the
		 * shadow the sysctl's value. */
		FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
		unsigned int v;

		if (f && fscanf(f, "%u", &v) == 1 && v != p.max_map_count) {
			p.set = VMASHADOW_PARAM_MAX_MAP_COUNT;
			p.max_map_count = v;
			if (vd_set_params(t->mm->fd, &p))
				vms_err("setting max_map_count", errno);
			vd_get_params(t->mm->fd, &p);
		}
		if (f)
			fclose(f);
		T.max_map_count = p.max_map_count;
		track_count(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", t->tid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	logf_("%d exec %s\n", t->tid, exe);
	(void)why;
	log_state(t->tid, t->mm->fd);
	{
		struct vmashadow_stats st;

		if (!vd_stats(t->mm->fd, &st))
			track_count(st.regions);
	}
}

static unsigned long clone_flags(struct task *t, long nr, const unsigned long *a)
{
	switch (nr) {
	case SYS_fork: return 0;
	case SYS_vfork: return CLONE_VM | CLONE_VFORK;
	case SYS_clone: return a[0];
	case SYS_clone3: {
		errno = 0;
		long v = ptrace(PTRACE_PEEKDATA, t->tid, a[0], 0);

		return errno ? 0 : (unsigned long)v;
	}
	}
	return 0;
}

/* A new task appeared through fork/vfork/clone of @t. */
static void new_child(struct task *t, pid_t ctid, unsigned long flags)
{
	struct task *c = task_find(ctid);
	pid_t ptid = t->tid;
	int stopped = 0;

	if (c) {
		stopped = c->stopped;	/* its first stop came first */
	} else {
		c = task_add(ctid);
		c->stopped = 0;
	}
	t = task_find(ptid);	/* task_add may have moved the array */
	c->stopped = stopped;
	c->tgid = flags & CLONE_THREAD ? t->tgid : ctid;
	if (flags & CLONE_VM) {
		c->mm = t->mm;
		t->mm->refs++;
		T.threads++;
		logf_("%d clone-vm %d\n", t->tid, ctid);
	} else {
		int fd;

		if (vd_fork(t->mm->fd, &fd)) {
			vms_err("fork of the shadow", errno);
			fd = vms_open_device(T.o);
		}
		c->mm = mm_new();
		c->mm->refs = 1;
		c->mm->fd = fd;
		T.forks++;
		logf_("%d fork %d\n", t->tid, ctid);
	}
}

static void final_check(struct task *t)
{
	struct vms_snap a, b;
	int e;

	if (!t->mm || t->mm->checked_exit || T.diverged)
		return;
	t->mm->checked_exit = 1;
	if (sync_faults(t, "at exit"))
		return;
	e = compare_now(t, &a, &b);
	if (e > 0)
		diverge(t, "at exit", "(the final state)", &a, &b, 0, 0, 0);
	free2(&a, &b);
}

static int live_in_mm(struct mmsh *m)
{
	size_t i;
	int n = 0;

	for (i = 0; i < T.nt; i++)
		if (!T.t[i].gone && !T.t[i].exiting && T.t[i].mm == m)
			n++;
	return n;
}

static void handle(pid_t tid, int st);

/* Entry of a memory call of @t: stop the world, sync, run it, mirror it. */
static void memory_call(struct task *t, long nr, const unsigned long *args)
{
	struct call c;
	int kind = classify(nr, args), st;
	struct __ptrace_syscall_info si;
	pid_t tid = t->tid;
	unsigned long cflags = 0;

	memset(&c, 0, sizeof(c));
	c.nr = nr;
	memcpy(c.a, args, sizeof(c.a));
	c.which = kind;
	if (kind == -3) {
		cflags = clone_flags(t, nr, args);
		if (cflags & CLONE_VM && !(cflags & CLONE_VFORK)) {
			resume(t, 0);	/* a thread: nothing to copy */
			return;
		}
	}
	stop_world(t->mm, t);
	t = task_find(tid);
	if (sync_faults(t, "before the call"))
		return;
	t->stopped = 0;
	ptrace(PTRACE_SYSCALL, tid, 0, 0);
	for (;;) {
		if (waitpid(tid, &st, __WALL) < 0)
			return;
		t = task_find(tid);
		if (!t)
			return;
		if (WIFSTOPPED(st) && (st >> 16) && kind == -3) {
			int ev = st >> 16;
			unsigned long msg = 0;

			if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
			    ev == PTRACE_EVENT_CLONE) {
				ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
				new_child(t, (pid_t)msg, cflags);
				t = task_find(tid);
				resume(t, 0);	/* on to the syscall exit, in the loop */
				return;
			}
		}
		if (!WIFSTOPPED(st) || WSTOPSIG(st) != (SIGTRAP | 0x80)) {
			t->stopped = 1;
			q_push(tid, st);	/* not ours: handle it later */
			return;
		}
		if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(si), &si) <= 0 ||
		    si.op != PTRACE_SYSCALL_INFO_EXIT) {
			resume(t, 0);
			continue;
		}
		break;
	}
	if (kind >= 0) {
		mirror_exit(t, &c, (long)si.exit.rval);
	} else if (kind == -2) {
		/* No shadow operation for this call: take the kernel's word. */
		struct vms_snap a, b;

		if (compare_now(t, &a, &b) > 0) {
			import_into(t->mm->fd, t->tid);
			T.resyncs++;
			T.resync_unmirrored++;
			logf_("%d resync syscall-%ld\n", t->tid, nr);
			log_state(t->tid, t->mm->fd);
		}
		free2(&a, &b);
	}
	if (!T.diverged)
		resume(t, 0);
}

static void handle(pid_t tid, int st)
{
	struct task *t = task_find(tid);
	struct __ptrace_syscall_info si;
	int ev = st >> 16;

	if (!t) {
		/* A new child's first stop before its parent's event. */
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return;
		t = task_add(tid);
		t->stopped = 1;
		t->mm = NULL;
		q_push(tid, st);	/* handled once the parent's event names its mm */
		return;
	}
	t->stopped = 1;
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		if (tid == T.child)
			T.child_status = st;
		t->gone = 1;
		mm_put(t->mm);
		t->mm = NULL;
		return;
	}
	if (!WIFSTOPPED(st))
		return;
	if (!t->mm) {
		/* Not yet claimed by its parent's fork event: keep it stopped
		 * until then (see new_child()). */
		q_push(tid, st);
		return;
	}
	if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
		if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(si), &si) <= 0) {
			resume(t, 0);
			return;
		}
		if (si.op == PTRACE_SYSCALL_INFO_ENTRY && !T.diverged && t->mm->fd >= 0 &&
		    classify((long)si.entry.nr, (unsigned long *)si.entry.args) != -1) {
			unsigned long a[6];
			int i;

			for (i = 0; i < 6; i++)
				a[i] = (unsigned long)si.entry.args[i];
			memory_call(t, (long)si.entry.nr, a);
			return;
		}
		resume(t, 0);
		return;
	}
	switch (ev) {
	case PTRACE_EVENT_EXEC: {
		unsigned long former = 0;

		ptrace(PTRACE_GETEVENTMSG, tid, 0, &former);
		if ((pid_t)former != tid) {
			struct task *old = task_find((pid_t)former);

			if (old) {
				old->gone = 1;
				mm_put(old->mm);
				old->mm = NULL;
			}
			t = task_find(tid);
		}
		T.execs++;
		t->tgid = tid;
		begin_mm(t, "exec");
		resume(t, 0);
		return;
	}
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE: {
		/* clone of a thread (memory_call() handles the others) */
		unsigned long msg = 0;

		ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
		if (!task_find((pid_t)msg) || !task_find((pid_t)msg)->mm)
			new_child(t, (pid_t)msg, ev == PTRACE_EVENT_CLONE ?
				  CLONE_VM | CLONE_THREAD : 0);
		t = task_find(tid);
		resume(t, 0);
		return;
	}
	case PTRACE_EVENT_EXIT:
		t->exiting = 1;
		if (!live_in_mm(t->mm))
			final_check(t);
		t = task_find(tid);
		resume(t, 0);
		return;
	case PTRACE_EVENT_STOP:
		t->interrupted = 0;
		resume(t, 0);
		return;
	}
	if (ev) {
		resume(t, 0);
		return;
	}
	/* A signal for the program: deliver it. */
	resume(t, WSTOPSIG(st));
}

static void summary(FILE *f)
{
	size_t i;

	fprintf(f, "vmashadow trace: %lu calls mirrored (", T.calls);
	for (i = 0; i < sizeof(call_names) / sizeof(call_names[0]); i++)
		fprintf(f, "%s%s %lu", i ? ", " : "", call_names[i], T.per[i]);
	fprintf(f, ")\n");
	fprintf(f, "  checks %lu (%s), execs %lu, forks %lu, threads %lu\n", T.checks,
		T.check_every ? "after every call" : "at exit", T.execs, T.forks, T.threads);
	fprintf(f, "  regions at the peak %lu, merges %lu, splits %lu\n", T.peak, T.merges,
		T.splits);
	if (T.max_map_count)
		fprintf(f, "  closest approach to max_map_count (%u): %ld regions below it\n",
			T.max_map_count, T.headroom);
	fprintf(f, "  faults learned %lu; re-imports %lu (stack growth %lu, unmirrored "
		"calls %lu, unavoidable %lu)\n", T.touches, T.resyncs, T.resync_stack,
		T.resync_unmirrored, T.resync_forced);
	fprintf(f, "  divergences %d, unavoidable divergences %lu\n", T.diverged,
		T.unavoidable);
}

static void usage_trace(FILE *f)
{
	fprintf(f, "Usage: vmashadow trace [--check every|exit] [--log FILE] [-r RULES] "
		"-- PROGRAM [ARG]...\n");
}

int vms_cmd_trace(int argc, char **argv, const struct vms_opts *o)
{
	static const struct option lo[] = {
		{ "check", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, pipefd[2], st, rc;
	const char *logpath = NULL;
	pid_t pid;
	struct ev e;
	char x = 0;

	memset(&T, 0, sizeof(T));
	T.o = o;
	T.check_every = 1;
	T.headroom = 1L << 40;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+c:l:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!strcmp(optarg, "every"))
				T.check_every = 1;
			else if (!strcmp(optarg, "exit"))
				T.check_every = 0;
			else {
				vms_errx("--check: every or exit, not '%s'", optarg);
				return VMS_EXIT_USAGE;
			}
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'h':
			usage_trace(stdout);
			return VMS_EXIT_OK;
		default:
			usage_trace(stderr);
			return VMS_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc) {
		usage_trace(stderr);
		return VMS_EXIT_USAGE;
	}
	T.scratch = vms_open_device(o);
	if (T.scratch < 0)
		return VMS_EXIT_FAIL;
	if (logpath) {
		T.log = fopen(logpath, "w");
		if (!T.log) {
			vms_err(logpath, errno);
			return VMS_EXIT_FAIL;
		}
		setvbuf(T.log, NULL, _IOFBF, 1 << 16);
		fprintf(T.log, "vmashadow-log 1\n");
	}
	if (pipe(pipefd))
		return VMS_EXIT_FAIL;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		vms_err("fork", errno);
		return VMS_EXIT_FAIL;
	}
	if (!pid) {
		close(pipefd[1]);
		if (read(pipefd[0], &x, 1) != 1)
			_exit(127);
		close(pipefd[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "vmashadow: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[0]);
	T.child = pid;
	if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
		   PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC |
		   PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) {
		vms_err("ptrace(PTRACE_SEIZE)", errno);
		kill(pid, SIGKILL);
		return VMS_EXIT_FAIL;
	}
	task_add(pid)->mm = NULL;
	/* Let it run to the exec; the exec event gives it its shadow. */
	T.t[0].mm = mm_new();
	T.t[0].mm->refs = 1;
	T.t[0].mm->fd = -1;
	ptrace(PTRACE_INTERRUPT, pid, 0, 0);
	if (waitpid(pid, &st, __WALL) < 0)
		return VMS_EXIT_FAIL;
	ptrace(PTRACE_SYSCALL, pid, 0, 0);
	if (write(pipefd[1], &x, 1) != 1)
		return VMS_EXIT_FAIL;
	close(pipefd[1]);
	for (;;) {
		size_t i;
		int alive = 0;

		if (q_pop(&e)) {
			struct task *t = task_find(e.tid);

			if (t && !t->mm && WIFSTOPPED(e.status)) {
				/* still unclaimed: look at the rest first */
				int found = 0;

				for (i = 0; i < T.nq; i++) {
					struct task *u = task_find(T.q[i].tid);

					if (!u || u->mm || !WIFSTOPPED(T.q[i].status))
						found = 1;
				}
				q_push(e.tid, e.status);
				if (found)
					continue;
				if (wait_queue())
					break;
				continue;
			}
			handle(e.tid, e.status);
			continue;
		}
		for (i = 0; i < T.nt; i++)
			if (!T.t[i].gone)
				alive = 1;
		if (!alive)
			break;
		{
			pid_t tid = waitpid(-1, &st, __WALL);

			if (tid < 0)
				break;
			handle(tid, st);
		}
	}
	summary(stdout);
	if (T.log)
		fclose(T.log);
	if (T.diverged)
		return VMS_EXIT_FAIL;
	rc = WIFEXITED(T.child_status) ? WEXITSTATUS(T.child_status) : 128 +
	     WTERMSIG(T.child_status);
	if (rc)
		printf("vmashadow trace: the program exited with status %d\n", rc);
	return VMS_EXIT_OK;
}
