// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - `vmashadow trace`: run a program under ptrace and mirror its
 * address-space calls into shadows of /dev/vmashadow, comparing the shadow
 * with the program's real maps after every call (or at exit).
 *
 * One shadow per real mm.  Whether a new task shares its parent's mm is
 * asked of the kernel, kcmp(KCMP_VM), when the parent's clone event comes
 * (the clone flags seen at the call's entry are the fallback): threads,
 * vfork children until they exec or exit, and any other clone(CLONE_VM)
 * child share the parent's shadow; any other child gets VMASHADOW_IOC_FORK
 * of its parent's; exec starts a new one with VMASHADOW_IOC_IMPORT.
 *
 * The world of an mm.  Every task is PTRACE_SEIZEd, with the clone, fork,
 * vfork, vfork-done, exec and exit events, and driven by one
 * waitpid(-1, __WALL) loop that keeps, per task, the stop it holds of it
 * (if any), whether it runs, and why a running task cannot touch its mm:
 * waiting in vfork for its child, group-stopped under PTRACE_LISTEN, past
 * its exit stop, a zombie.  A task's stop is handled only while no other
 * task owns its mm; otherwise it is held as it came.  At the entry of a
 * call that changes the mm (a mirrored one, one re-imported after, or a
 * fork, whose copy the shadow must fork at the same point) the task
 * becomes the owner of its mm, stays stopped, and every other task of the
 * mm that may run gets PTRACE_INTERRUPT.  When each of them has reported a
 * stop (whatever stop: the interrupt, a syscall exit, a signal, the entry
 * of a call of its own, which is then held) or is quiescent as above, the
 * faults since the last call are learned (below) and the owner alone goes
 * through its call.  At its syscall-exit stop (a fork: at its fork event)
 * the call is mirrored and, with --check every, the maps compared, every
 * other task of the mm still stopped; then ownership passes to a held
 * entry of the same mm if there is one, else the held stops are handled
 * in the order they came.  Calls are thus mirrored one at a time in the
 * kernel's own order, and no fault, call or exit of another thread falls
 * between a call and its check.  The price: while one thread of a traced
 * program is in such a call the others of its mm do not run.  A call
 * that sleeps waiting for one of them (a userfaultfd or FUSE server in
 * the same process) makes the world loose after CALL_WAIT seconds: the
 * others run, their own calls unmirrored, and the shadow is re-imported
 * after them, not predicted (loosen()).
 *
 * The exit stop of a task with no other live task in its mm checks the
 * final state the same way.  Tasks that die while the world is stopped
 * (the other threads of an exit_group or an exec, a killed owner) are
 * counted out when their death is reported; a thread-group leader that is
 * a zombie, whose death is reported only with its last thread's, is found
 * in /proc/PID/stat while waiting.  An owner killed inside its call leaves
 * the shadow re-imported (counted).
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
 * Calls that change the address space but have no shadow operation (shmat,
 * io_setup, ...) re-import after the call (counted).
 *
 * userfaultfd(2) is not mirrored: the shadow's contexts are numbers of its
 * own, and a program's descriptors are not.  What changes regions is
 * re-imported after instead (IMPORT takes each region's context from the
 * kernel): UFFDIO_REGISTER and UFFDIO_UNREGISTER, and the close() of a
 * userfaultfd, whose last one unregisters its regions, whatever the maps
 * say, as a registration that covers whole regions changes only their
 * flags; userfaultfd(2) itself only if the maps changed.  The other
 * ioctls of a userfaultfd (UFFDIO_COPY, ...) change no region: the
 * anon_vma they may give one is learned as a fault's.
 *
 * The mlock family is mirrored.  Whether it fails (EPERM, ENOMEM) and
 * whether a locked mmap, mremap or brk does (EAGAIN) depends on the
 * program's RLIMIT_MEMLOCK and CAP_IPC_LOCK, which no import carries: the
 * tracer gives them to the shadow (the rlimit_memlock parameter) at exec
 * and, read afresh from /proc/PID/limits and /proc/PID/status, before
 * every call that may consult them, logging each change (memlock records).
 * CAP_IPC_LOCK counts only in the initial user namespace, where the
 * kernel's capable() looks for it (/proc/PID/ns/user says which).
 *
 * RLIMIT_DATA the same way: whether an mmap, mprotect, mremap or brk fails
 * on it depends on the limit, soft and hard, as the program has it when
 * it calls, so the tracer reads /proc/PID/limits before each of those
 * calls and gives the shadow any change (rlimit_data records).  IMPORT
 * takes the limit and the data segment (brk() counts it) at exec; the
 * ignore_rlimit_data boot option, which no module can read, comes from
 * /sys/module/kernel/parameters at exec too.
 *
 * mbind(2) is mirrored.  Its node mask is read from the program's memory
 * (process_vm_readv(), which fails where the kernel's copy_from_user()
 * does), and the nodes a policy may name (the program's cpuset, less the
 * nodes without memory) from /proc/PID/status before each call, logged
 * when they change (mems_allowed records).  What the shadow cannot hold is
 * taken from the kernel instead, by a re-import when the call may have
 * changed something: a mask naming a node above 63, a mask the tracer
 * cannot read, and MPOL_MF_STRICT's EIO (a page on the wrong node: pages
 * are not modelled).  A region's policy is hidden state, checked before
 * every call with the rest (GET_POLICY of the shadow against that of the
 * scratch shadow IMPORT filled from the kernel's vm_policy).  The log gives
 * a re-imported region's policy exactly as IMPORT read it (GET_POLICY:
 * mode and flags, the nodes in force and as given, the home node), so that
 * a replay rebuilds it exactly; with a module before GET_POLICY, as
 * /proc/PID/numa_maps shows it, which leaves out the nodes as given and the
 * home node.
 *
 * set_mempolicy_home_node(2) is mirrored too (interface 1.5).  The home
 * nodes it accepts are the nodes online, which the shadow's nodes_online
 * holds: the system's by default, read again from
 * /sys/devices/system/node/online at exec and before each call, logged
 * when they change (nodes_online records; a node may be hot-added).  A
 * home node above 63, which the shadow cannot hold, is the kernel's to
 * answer: re-imported when the call may have changed a policy.  The home
 * node is hidden state like the rest of a policy (mpol_equal() compares
 * it), checked before every call, and the log's region records carry it
 * (above).
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
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
#ifndef SYS_mlock2
#define SYS_mlock2 325
#endif
#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node 450
#endif
#ifndef MAP_LOCKED
#define MAP_LOCKED 0x2000
#endif
#define CAP_IPC_LOCK_ 14
#define CAP_SYS_NICE_ 23
/* include/linux/proc_ns.h: the inode of the initial user namespace */
#define PROC_USER_INIT_INO_ 0xEFFFFFFDU
#ifndef KCMP_VM
#define KCMP_VM 1
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
/* include/linux/sched.h: in do_exit() */
#define PF_EXITING_ 0x4
#define PF_POSTCOREDUMP_ 0x8
/* The kernel's restart codes: the call will be made again. */
#define ERESTARTSYS_ 512
#define ERESTART_RESTARTBLOCK_ 516

/* A call of the program's (the kinds: see classify()). */
struct call {
	long nr;
	unsigned long a[6];
	/*
	 * index in call_names, or -2 (re-import if the maps changed), -3
	 * (fork), -4 (re-import: it may change what the maps do not show)
	 */
	int which;
	int nodes;		/* mbind: NODES_OK, _HIGH or _UNREADABLE */
	struct vmashadow_op op;
	uint64_t lo, hi;	/* the range it affects */
};

/* What read_nodes() found of an mbind()'s node mask. */
enum { NODES_OK, NODES_HIGH, NODES_UNREADABLE };

/* Why a task owns its mm, and where it is. */
enum own { OWN_CALL = 1, OWN_EXIT };
enum phase { PH_NONE, PH_STOPPING, PH_CALL };

struct task;

struct mmsh {
	int fd;			/* the shadow */
	int refs;		/* tasks using it */
	int id;
	int checked_exit;
	/* re-import at the next owner's turn, and why ("killed", "waited") */
	const char *stale;
	int locks;		/* it may lock: calls consult RLIMIT_MEMLOCK */
	struct task *owner;	/* holds the world of this mm, or NULL */
	enum own own;
	enum phase phase;	/* stopping the others, or in its call */
	unsigned int gen;	/* the owner's stop request (PTRACE_INTERRUPT) */
	struct timespec since;	/* when it was made */
	int warned;
	int loose;		/* the owner's call waits: the others run */
};

struct task {
	pid_t tid, tgid;
	struct mmsh *mm;	/* NULL: a child no event of its parent named yet */
	int status;		/* the stop held, when seq != 0 */
	unsigned long seq;	/* arrival order of the stop held; 0: none held */
	int held;		/* the owner of its mm, stopped, waiting for the world */
	int running;		/* resumed, no stop reported since */
	int vfork_wait;		/* in vfork() until PTRACE_EVENT_VFORK_DONE */
	int listening;		/* group-stopped, resumed with PTRACE_LISTEN */
	int exited;		/* past its exit stop, or a zombie */
	int in_exec;		/* resumed into execve(): its old mm is left alone */
	int loose_call;		/* in a call of its mm let through unmirrored */
	unsigned int intr_gen;	/* the stop request it was interrupted for */
	int cflags_ok;
	unsigned long cflags;	/* flags of its last clone, read at the entry */
	int si_ok;
	struct __ptrace_syscall_info si;	/* of the syscall stop held */
	struct call c;		/* the call it owns its mm for */
};

struct tracer {
	const struct vms_opts *o;
	int check_every;
	FILE *log;
	int scratch;		/* scratch shadow for imports */
	struct task **t;	/* the tasks not yet reaped */
	size_t nt;
	pid_t *unseen;		/* children reaped before their parent's event */
	size_t nunseen;
	unsigned long seq;	/* stops received */
	unsigned int gen;	/* stop requests made */
	int next_mm;
	pid_t child;
	int child_status;
	int diverged;
	/* --inject N:SCRIPT: SCRIPT runs on the shadow after the Nth call */
	const char *inject_script;
	unsigned long inject_after;
	int injected;		/* 1: it ran; -1: it failed */
	/* summary */
	unsigned long calls, per[16], checks, merges, splits, touches, resyncs,
		      resync_stack, resync_unmirrored, resync_forced, unavoidable,
		      forks, threads, vmclones, execs, worlds, interrupts, exit_checks,
		      exit_skipped, waited, loose_calls;
	unsigned long peak;
	long headroom;		/* min of max_map_count - regions */
	unsigned int max_map_count;
};

static struct tracer T;

static const char *const call_names[] = {
	"mmap", "munmap", "mprotect", "mremap", "brk", "madvise", "mseal",
	"pkey_mprotect", "mlock", "mlock2", "munlock", "mlockall", "munlockall",
	"mbind", "set_mempolicy_home_node",
};
#define MBIND 13	/* its index in call_names */
#define HOME_NODE 14	/* set_mempolicy_home_node's */

static struct task *task_find(pid_t tid)
{
	size_t i;

	for (i = 0; i < T.nt; i++)
		if (T.t[i]->tid == tid)
			return T.t[i];
	return NULL;
}

static struct task *task_add(pid_t tid)
{
	struct task *t = xmalloc(sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->tgid = tid;
	T.t = xrealloc(T.t, (T.nt + 1) * sizeof(*T.t));
	T.t[T.nt++] = t;
	return t;
}

/* Forget a task (its mm is the caller's business). */
static void task_del(struct task *t)
{
	size_t i;

	for (i = 0; i < T.nt; i++)
		if (T.t[i] == t) {
			T.t[i] = T.t[--T.nt];
			break;
		}
	free(t);
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

/* A resource limit as the log writes it: bytes, or unlimited. */
static const char *limit_word(uint64_t v, char *buf, size_t len)
{
	if (v == VMASHADOW_RLIM_INFINITY)
		return "unlimited";
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/*
 * A policy as mpol_to_str() writes it in /proc/PID/numa_maps
 * ("bind=static:0-1", "prefer (many):0", "local"), as mbind()'s mode with
 * its flags and the nodes.  numa_maps gives the nodes in force, not those
 * the call named, which MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES
 * keep: a policy with either is given what is in force.  The fallback of
 * a module without GET_POLICY.  0, or -1 if @s is no policy this tool
 * knows.
 */
static int parse_numa_policy(const char *s, uint32_t *mode, uint64_t *nodes)
{
	static const struct { const char *name; uint32_t mode; } modes[] = {
		{ "default", VMS_MPOL_DEFAULT }, { "prefer (many)", VMS_MPOL_PREFERRED_MANY },
		{ "prefer", VMS_MPOL_PREFERRED }, { "bind", VMS_MPOL_BIND },
		{ "interleave", VMS_MPOL_INTERLEAVE }, { "local", VMS_MPOL_LOCAL },
		{ "weighted interleave", VMS_MPOL_WEIGHTED_INTERLEAVE },
	};
	char list[512];
	size_t i, n;
	int high;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		n = strlen(modes[i].name);
		if (!strncmp(s, modes[i].name, n) &&
		    (!s[n] || s[n] == ' ' || s[n] == '=' || s[n] == ':'))
			break;
	}
	if (i == sizeof(modes) / sizeof(modes[0]))
		return -1;
	*mode = modes[i].mode;
	*nodes = 0;
	s += n;
	if (*s == '=') {
		/* static or relative, then |balancing (balancing alone too) */
		for (s++; *s && *s != ':' && *s != ' '; s += n) {
			n = strcspn(s, "|: ");
			if (n == 6 && !strncmp(s, "static", n))
				*mode |= VMS_MPOL_F_STATIC_NODES;
			else if (n == 8 && !strncmp(s, "relative", n))
				*mode |= VMS_MPOL_F_RELATIVE_NODES;
			else if (n == 9 && !strncmp(s, "balancing", n))
				*mode |= VMS_MPOL_F_NUMA_BALANCING;
			else if (n)
				return -1;
			if (s[n] == '|')
				n++;
		}
	}
	if (*s == ':') {
		n = strcspn(++s, " \n");
		if (n >= sizeof(list))
			return -1;
		memcpy(list, s, n);
		list[n] = 0;
		if (vms_parse_nodes(list, nodes, &high) || high)
			return -1;
	}
	return 0;
}

/*
 * The policy of @pid's VMA at @start, from its numa_maps (@f), as a region
 * record gives it: " mpol=MODE,NODES", or "" if it cannot be told (said
 * in the log).  Only for a module without GET_POLICY: mpol_to_str()
 * leaves out the home node and the nodes as given, so the replay rebuilds
 * such a region without them.
 */
static const char *numa_policy(FILE *f, pid_t pid, uint64_t start, char *buf,
			       size_t len)
{
	char line[1024];
	unsigned long long a;
	uint32_t mode;
	uint64_t nodes;
	int off;

	buf[0] = 0;
	if (f)
		rewind(f);
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %n", &a, &off) == 1 && a == start) {
			line[strcspn(line, "\n")] = 0;
			if (!parse_numa_policy(line + off, &mode, &nodes))
				snprintf(buf, len, " mpol=0x%x,0x%llx", mode,
					 (unsigned long long)nodes);
			break;
		}
	if (!buf[0])
		logf_("# %d the policy at 0x%llx: not in its numa_maps\n", pid,
		      (unsigned long long)start);
	return buf;
}

/* Write the whole state of a shadow to the log (after exec or a resync). */
/*
 * The userfaultfd contexts the regions of @s are registered with, each
 * once with its features (GET_UFFD: what FORK and REMAP do to its
 * registrations), so that a replay opens them again.  A module before
 * GET_UFFD: none, and the replay warns about the registrations.
 */
static void log_uffd_contexts(pid_t pid, int fd, const struct vms_snap *s)
{
	unsigned char seen[VMASHADOW_UFFD_MAX + 1] = { 0 };
	uint64_t features;
	unsigned int ctx;
	size_t i;

	for (i = 0; i < s->n; i++) {
		ctx = vms_uffd_ctx(&s->v[i].rec);
		if (!ctx || ctx > VMASHADOW_UFFD_MAX || seen[ctx])
			continue;
		seen[ctx] = 1;
		if (!vd_get_uffd(fd, ctx, &features))
			logf_("%d uffd %u 0x%llx\n", pid, ctx, (unsigned long long)features);
	}
}

/*
 * The anon_vma identities of @s, sorted (*@n of them), for anon_shared():
 * which anon_vmas two regions or more share.
 */
static uint64_t *anon_ids(const struct vms_snap *s, size_t *n)
{
	uint64_t *v = xmalloc((s->n + 1) * sizeof(*v));
	size_t i;

	for (i = *n = 0; i < s->n; i++)
		if (s->v[i].rec.anon_id)
			v[(*n)++] = s->v[i].rec.anon_id;
	qsort(v, *n, sizeof(*v), vms_cmp_u64);
	return v;
}

/* Whether @id is in the sorted @v twice or more. */
static int anon_shared(const uint64_t *v, size_t n, uint64_t id)
{
	const uint64_t *p = id ? bsearch(&id, v, n, sizeof(*v), vms_cmp_u64) : NULL;

	if (!p)
		return 0;
	return (p > v && p[-1] == id) || (p + 1 < v + n && p[1] == id);
}

static void log_state(pid_t pid, int fd)
{
	struct vmashadow_params p;
	struct vms_snap s;
	char ml[32], ds[32], dh[32], pol[96], path[64];
	FILE *numa = NULL;
	uint64_t *ids;
	size_t i, nids;

	if (!T.log)
		return;
	if (!vd_get_params(fd, &p))
		logf_("%d params 0x%llx 0x%llx 0x%llx 0x%llx %u %s 0x%llx %s %s %s %u "
		      "0x%llx 0x%llx 0x%llx 0x%llx 0x%llx\n", pid,
		      (unsigned long long)p.start_brk, (unsigned long long)p.brk,
		      (unsigned long long)p.start_stack, (unsigned long long)p.mmap_base,
		      p.max_map_count, vd_rules_name(p.rules),
		      (unsigned long long)p.def_flags,
		      limit_word(p.rlimit_memlock, ml, sizeof(ml)),
		      limit_word(p.rlimit_data, ds, sizeof(ds)),
		      limit_word(p.rlimit_data_max, dh, sizeof(dh)),
		      p.ignore_rlimit_data, (unsigned long long)p.start_data,
		      (unsigned long long)p.end_data, (unsigned long long)p.mems_allowed,
		      (unsigned long long)p.nodes_online,
		      (unsigned long long)p.arg_start);
	snap_init(&s);
	if (vd_snapshot(fd, &s))
		return;
	log_uffd_contexts(pid, fd, &s);
	ids = anon_ids(&s, &nids);
	for (i = 0; i < s.n; i++) {
		const struct vms_reg *r = &s.v[i];
		char uf[16] = "", av[32] = "";

		/*
		 * The policy as IMPORT read it from the kernel: GET_POLICY,
		 * exact, the nodes as given and the home node included.  A
		 * module before it says only that a region has one: then
		 * numa_maps, which shows neither.
		 */
		pol[0] = 0;
		if (r->have_pol) {
			snprintf(pol, sizeof(pol), " mpol=0x%x,0x%llx,0x%llx,%d",
				 r->pol.mode | r->pol.mode_flags,
				 (unsigned long long)r->pol.nodes,
				 (unsigned long long)r->pol.user_nodes, r->pol.home_node);
		} else if (r->rec.state & VMASHADOW_STATE_POLICY) {
			if (!numa) {
				snprintf(path, sizeof(path), "/proc/%d/numa_maps", pid);
				numa = fopen(path, "r");
			}
			numa_policy(numa, pid, r->start, pol, sizeof(pol));
		}
		if (vms_uffd_ctx(&r->rec))
			snprintf(uf, sizeof(uf), " uffd=%u", vms_uffd_ctx(&r->rec));
		/* an anon_vma another region shares: which, for replay */
		if (anon_shared(ids, nids, r->rec.anon_id))
			snprintf(av, sizeof(av), " anon=%llu", (unsigned long long)r->rec.anon_id);
		if (r->rec.kind == VMASHADOW_KIND_FILE)
			logf_("%d file f%llu %s\n", pid, (unsigned long long)r->rec.file_id,
			      r->name);
		logf_("%d region 0x%llx 0x%llx %.4s %s %s%llu 0x%llx 0x%llx %d%s%s%s%s\n", pid,
		      (unsigned long long)r->start, (unsigned long long)r->end, r->perms,
		      kind_word(&r->rec), r->rec.file_id ? "f" : "-",
		      (unsigned long long)r->rec.file_id,
		      (unsigned long long)r->rec.pgoff, (unsigned long long)r->rec.vm_flags,
		      r->rec.anon_id ? 1 : 0, av, pol, uf,
		      r->rec.state & VMASHADOW_STATE_ANON_FORKED ? " forked" : "");
	}
	if (numa)
		fclose(numa);
	free(ids);
	snap_free(&s);
}

/* A limit of /proc/PID/limits as the shadow holds it. */
static uint64_t limit_value(const char *s)
{
	return strcmp(s, "unlimited") ? strtoull(s, NULL, 10) : VMASHADOW_RLIM_INFINITY;
}

/*
 * The soft and hard limit on the line @name of @tid's /proc/PID/limits.
 * 0, or -1 if /proc does not say (the task is going away).
 */
static int proc_limit(pid_t tid, const char *name, uint64_t *soft, uint64_t *hard)
{
	char path[64], line[256], s[32], h[32];
	size_t n = strlen(name);
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, n) &&
			sscanf(line + n, "%31s %31s", s, h) == 2;
	fclose(f);
	if (!found)
		return -1;
	*soft = limit_value(s);
	*hard = limit_value(h);
	return 0;
}

/*
 * Whether @tid is in a user namespace other than the initial one: its
 * /proc/TID/ns/user is not the initial namespace's fixed inode.  0 when
 * that cannot be read (without CONFIG_USER_NS every task is in the initial
 * one; a task going away fails on /proc/TID/status anyway).
 */
static int in_child_userns(pid_t tid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", tid);
	return !stat(path, &st) && st.st_ino != PROC_USER_INIT_INO_;
}

/*
 * Whether the kernel's capable(@cap) holds for @tid: 1 or 0, or -1 if
 * /proc does not say (the task is going away).
 *
 * capable() asks of the initial user namespace, while CapEff holds the
 * capabilities in the task's own: inside a child namespace (unshare -Ur)
 * it is full, and counts for nothing there.
 */
static int has_cap(pid_t tid, int cap)
{
	char path[64], line[256];
	unsigned long long eff = 0;
	int have = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (!have && fgets(line, sizeof(line), f))
		have = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	if (!have)
		return -1;
	return ((eff >> cap) & 1) && !in_child_userns(tid);
}

/*
 * RLIMIT_MEMLOCK of @tid as the shadow's rlimit_memlock holds it:
 * VMASHADOW_MEMLOCK_UNLIMITED with CAP_IPC_LOCK or without a limit.  0, or
 * -1 if /proc does not say (the task is going away).
 */
static int memlock_of(pid_t tid, uint64_t *v)
{
	uint64_t hard;
	int cap = has_cap(tid, CAP_IPC_LOCK_);

	if (cap < 0)
		return -1;
	if (cap) {
		*v = VMASHADOW_MEMLOCK_UNLIMITED;
		return 0;
	}
	return proc_limit(tid, "Max locked memory", v, &hard);
}

/*
 * Give @t's shadow the program's RLIMIT_MEMLOCK, as it is now; a change
 * is logged (@log) as a memlock record.
 */
static void sync_memlock(struct task *t, int log)
{
	static int unsupported;
	struct vmashadow_params p;
	uint64_t v;
	char ml[32];
	int e;

	if (unsupported || memlock_of(t->tid, &v) || vd_get_params(t->mm->fd, &p) ||
	    p.rlimit_memlock == v)
		return;
	p.set = VMASHADOW_PARAM_MEMLOCK;
	p.rlimit_memlock = v;
	e = vd_set_params(t->mm->fd, &p);
	if (e) {
		/* EINVAL: a module before mlock (interface 1.0), which fails
		 * the calls with ENOTTY; anything else, say once. */
		if (e != EINVAL)
			vms_err("setting rlimit_memlock", e);
		unsupported = 1;
		return;
	}
	if (log)
		logf_("%d memlock %s\n", t->tid, limit_word(v, ml, sizeof(ml)));
}

/*
 * The kernel's ignore_rlimit_data boot option (Y: RLIMIT_DATA only warns),
 * which a module cannot read; it does not change while the system runs.
 */
static __u32 ignore_rlimit_data(void)
{
	static int v = -1;
	FILE *f;

	if (v < 0) {
		f = fopen("/sys/module/kernel/parameters/ignore_rlimit_data", "r");
		v = f && fgetc(f) == 'Y';
		if (f)
			fclose(f);
	}
	return (__u32)v;
}

/*
 * Give @t's shadow the program's RLIMIT_DATA, as it is now, and the boot
 * option; a change of the limit is logged (@log) as an rlimit_data
 * record.
 */
static void sync_data(struct task *t, int log)
{
	static int unsupported;
	struct vmashadow_params p;
	uint64_t soft, hard;
	char s[32], h[32];
	int e;

	if (unsupported || proc_limit(t->tid, "Max data size", &soft, &hard) ||
	    vd_get_params(t->mm->fd, &p) ||
	    (p.rlimit_data == soft && p.rlimit_data_max == hard &&
	     p.ignore_rlimit_data == ignore_rlimit_data()))
		return;
	p.set = VMASHADOW_PARAM_RLIMIT_DATA;
	p.rlimit_data = soft;
	p.rlimit_data_max = hard;
	p.ignore_rlimit_data = ignore_rlimit_data();
	e = vd_set_params(t->mm->fd, &p);
	if (e) {
		/* EINVAL: a module before RLIMIT_DATA (interface 1.1), which
		 * has no limit to give; anything else, say once. */
		if (e != EINVAL)
			vms_err("setting rlimit_data", e);
		unsupported = 1;
		return;
	}
	if (log)
		logf_("%d rlimit_data %s %s\n", t->tid, limit_word(soft, s, sizeof(s)),
		      limit_word(hard, h, sizeof(h)));
}

/*
 * A node list of the kernel's (0,2-3) in the first line of @path, or
 * after @key on one of its lines.  0, or -1 if it is not there.
 */
static int read_node_list(const char *path, const char *key, uint64_t *mask)
{
	char line[1024], *p = NULL;
	size_t n = key ? strlen(key) : 0;
	FILE *f = fopen(path, "r");
	uint64_t v;
	int high;

	if (!f)
		return -1;
	while (!p && fgets(line, sizeof(line), f))
		if (!key)
			p = line;
		else if (!strncmp(line, key, n))
			p = line + n + strspn(line + n, " \t");
	fclose(f);
	if (!p)
		return -1;
	p[strcspn(p, "\n")] = 0;
	if (vms_parse_nodes(p, &v, &high))
		return -1;
	*mask = v;
	return 0;
}

/*
 * The nodes @tid's policies may name, as mbind() masks them and the
 * shadow's mems_allowed holds them: its cpuset's (Mems_allowed_list of
 * /proc/PID/status; without cpusets, every node) less the nodes without
 * memory.  Nodes above 63 are left out: the shadow has no room for them.
 * 0, or -1 if /proc does not say (the task is going away).
 */
static int mems_of(pid_t tid, uint64_t *v)
{
	uint64_t cpuset = ~0ULL, memory = ~0ULL;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	if (access(path, R_OK))
		return -1;
	read_node_list(path, "Mems_allowed_list:", &cpuset);
	read_node_list("/sys/devices/system/node/has_memory", NULL, &memory);
	*v = cpuset & memory;
	return 0;
}

/*
 * Give @t's shadow the nodes its policies may name, as they are now (a
 * cpuset may have moved it); a change is logged (@log) as a mems_allowed
 * record.
 */
static void sync_mems(struct task *t, int log)
{
	static int unsupported;
	struct vmashadow_params p;
	uint64_t v;
	int e;

	if (unsupported || mems_of(t->tid, &v) || vd_get_params(t->mm->fd, &p) ||
	    p.mems_allowed == v)
		return;
	p.set = VMASHADOW_PARAM_MEMS_ALLOWED;
	p.mems_allowed = v;
	e = vd_set_params(t->mm->fd, &p);
	if (e) {
		/* EINVAL or E2BIG: a module before mbind (interface 1.3),
		 * which fails it with ENOTTY; anything else, say once. */
		if (e != EINVAL && e != E2BIG)
			vms_err("setting mems_allowed", e);
		unsupported = 1;
		return;
	}
	if (log)
		logf_("%d mems_allowed 0x%llx\n", t->tid, (unsigned long long)v);
}

/*
 * Give @t's shadow the nodes online, the home nodes
 * set_mempolicy_home_node() accepts (node_states[N_ONLINE], which
 * /sys/devices/system/node/online lists), as they are now: the module
 * takes them when it is opened and at IMPORT, and a node may come online
 * since.  Nodes above 63 are left out: the shadow has no room for them
 * (see home_node_unmirrored()).  A change is logged (@log) as a
 * nodes_online record.
 */
static void sync_online(struct task *t, int log)
{
	static int unsupported;
	struct vmashadow_params p;
	uint64_t v;
	int e;

	if (unsupported ||
	    read_node_list("/sys/devices/system/node/online", NULL, &v) || !v ||
	    vd_get_params(t->mm->fd, &p) || p.nodes_online == v)
		return;
	p.set = VMASHADOW_PARAM_NODES_ONLINE;
	p.nodes_online = v;
	e = vd_set_params(t->mm->fd, &p);
	if (e) {
		/* EINVAL or E2BIG: a module before home nodes (interface
		 * 1.4), which fails the call with ENOTTY; anything else, say
		 * once. */
		if (e != EINVAL && e != E2BIG)
			vms_err("setting nodes_online", e);
		unsupported = 1;
		return;
	}
	if (log)
		logf_("%d nodes_online 0x%llx\n", t->tid, (unsigned long long)v);
}

static int import_into(int fd, pid_t pid)
{
	struct vmashadow_import im;

	memset(&im, 0, sizeof(im));
	im.pid = pid;
	return vd_import(fd, &im);
}

/*
 * Re-import @m from @t, which is stopped; @why goes to the log.  A resync
 * record gives a new shadow to its pid alone: the log then names the other
 * tasks of the mm as sharing it again (clone-vm records).  Returns what
 * the import gave: 0, or an errno (EOVERFLOW: a policy names a node the
 * shadow cannot hold; the shadow is then as it was).
 */
static int resync(struct mmsh *m, struct task *t, const char *why)
{
	size_t i;
	int e;

	e = import_into(m->fd, t->tid);
	if (!e)
		m->stale = NULL;	/* what made it stale is in the import */
	/* IMPORT took the limits; a shadow opened for this lacks the option */
	sync_data(t, 0);
	T.resyncs++;
	logf_("%d resync %s\n", t->tid, why);
	log_state(t->tid, m->fd);
	for (i = 0; i < T.nt; i++)
		if (T.t[i]->mm == m && T.t[i] != t)
			logf_("%d clone-vm %d\n", t->tid, T.t[i]->tid);
	return e;
}

/* ---- one mirrored call ---------------------------------------------------------- */

static int classify(long nr, const unsigned long *a)
{
	switch (nr) {
	case SYS_mmap: return 0;
	case SYS_munmap: return 1;
	case SYS_mprotect: return 2;
	case SYS_mremap: return 3;
	case SYS_brk: return 4;
	case SYS_madvise: return vd_advice_modelled(a[2]) ? 5 : -2;
	case SYS_mseal: return 6;
	case SYS_pkey_mprotect: return (int)a[3] == -1 ? 7 : -2;
	case SYS_mlock: return 8;
	case SYS_mlock2: return 9;
	case SYS_munlock: return 10;
	case SYS_mlockall: return 11;
	case SYS_munlockall: return 12;
	case SYS_mbind: return MBIND;
	case SYS_set_mempolicy_home_node: return HOME_NODE;
	case SYS_clone: case SYS_clone3: case SYS_fork: case SYS_vfork: return -3;
	case SYS_shmat: case SYS_shmdt:
	case SYS_remap_file_pages: case SYS_io_setup: case SYS_io_destroy:
	case SYS_prctl: case SYS_process_madvise: case SYS_userfaultfd:
		return -2;
	case SYS_ioctl:
		return (unsigned int)a[1] == VMS_UFFDIO_REGISTER ||
		       (unsigned int)a[1] == VMS_UFFDIO_UNREGISTER ? -4 : -1;
	}
	return -1;
}

/*
 * Whether the close() of @t may release a userfaultfd: its descriptor is
 * one (/proc/TID/fd/FD: anon_inode:[userfaultfd]).  Whether it is the
 * last is not known: re-imported anyway.
 */
static int closes_uffd(const struct task *t, long nr, const unsigned long *a)
{
	char path[64], link[64];
	ssize_t n;

	if (nr != SYS_close)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", t->tid, (int)a[0]);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;
	link[n] = 0;
	return !strcmp(link, "anon_inode:[userfaultfd]");
}

/* classify() for a call of @t: a close() of a userfaultfd too. */
static int classify_task(const struct task *t, long nr, const unsigned long *a)
{
	int kind = classify(nr, a);

	return kind == -1 && closes_uffd(t, nr, a) ? -4 : kind;
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

static void print_explain_side(FILE *f, int fd, const struct vmashadow_explain *x,
			       int next)
{
	const struct vmashadow_explain_side *sd = next ? &x->next : &x->prev;
	const char *name = next ? "next" : "prev";
	char fl[1400];

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
		vd_explain_policies(fd, x, next, fl, sizeof(fl));
		fputs(fl, f);
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
			print_explain_side(f, fd, &x, 0);
			print_explain_side(f, fd, &x, 1);
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
		print_explain_side(f, fd, &x, 0);
		print_explain_side(f, fd, &x, 1);
	}
}

static void kill_all(void)
{
	size_t i;

	for (i = 0; i < T.nt; i++)
		kill(T.t[i]->tid, SIGKILL);
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

/*
 * Widen [*lo, *hi] to the regions of @s next to @addr: from the start of
 * the last one that ends at or below it to the start of the first one
 * above it.
 */
static void around(const struct vms_snap *s, uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	uint64_t below = addr;
	size_t i;

	for (i = 0; i < s->n && s->v[i].start <= addr; i++)
		if (s->v[i].end <= addr)
			below = s->v[i].start;
	if (below < *lo)
		*lo = below;
	if (i < s->n && s->v[i].start > *hi)
		*hi = s->v[i].start;
}

/*
 * The divergence report; the run stops after it.  [@lo, @hi] is the range
 * of the call whose lines to show; 0, 0 (drift between calls): those
 * around the first mismatch.
 */
static void diverge(struct task *t, const char *when, const char *what,
		    const struct vms_snap *sh, const struct vms_snap *re, uint64_t lo,
		    uint64_t hi, int last)
{
	FILE *f = stdout;
	struct vms_window w = { 0, 0 };
	uint64_t first = 0;
	int mm;

	fprintf(f, "vmashadow trace: DIVERGENCE in pid %d %s\n", t->tid, when);
	fprintf(f, "call: %s\n", what);
	if (sh && re) {
		fprintf(f, "classification:\n");
		mm = maps_compare_at(f, sh, re, &w, &first);
		if (!mm)
			fprintf(f, "hidden    the maps lines agree; the hidden state differs "
				"(see above)\n");
		if (!lo && !hi && mm) {
			lo = hi = first;
			around(sh, first, &lo, &hi);
			around(re, first, &lo, &hi);
		}
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
 * The policy of the region @r of @fd as a divergence names it: "policy=X"
 * (GET_POLICY), "a policy of its own" where the module cannot say which,
 * "no policy".
 */
static void policy_of(int fd, const struct vmashadow_region *r, char *buf, size_t len)
{
	struct vmashadow_policy p;
	char s[480];

	if (!(r->state & VMASHADOW_STATE_POLICY)) {
		snprintf(buf, len, "no policy");
	} else if (vd_get_policy(fd, r->start, &p)) {
		snprintf(buf, len, "a policy of its own");
	} else {
		vd_policy_str(&p, s, sizeof(s));
		snprintf(buf, len, "policy=%s", s);
	}
}

/*
 * Whether the two regions of @fd that meet at @addr have policies that
 * would let them merge (with a module before GET_POLICY, which tells
 * which policy each has, the records say only that each has one).
 */
static int same_policy(int fd, uint64_t addr)
{
	struct vmashadow_explain x;

	memset(&x, 0, sizeof(x));
	x.mode = VMASHADOW_EXPLAIN_AT;
	x.addr = addr;
	return vd_explain(fd, &x) || x.prev.why != VMASHADOW_WHY_POLICY;
}

/*
 * Before a call: learn the faults since the last one (import the real
 * state into the scratch shadow, TOUCH what it has faulted), then check
 * that shadow and kernel agree, vm_flags, anon_vma and memory policies
 * included.  -1 after a divergence.
 */
static int sync_faults(struct task *t, const char *when)
{
	struct vmashadow_region *re = NULL, *sh = NULL;
	struct vmashadow_policy kp;
	size_t nre, nsh, i, j;
	struct vms_snap a, b;
	char why[1280] = "";
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
			T.resync_forced++;
			resync(t->mm, t, "fault");
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
			T.resync_stack++;
			resync(t->mm, t, "stack");
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
	/*
	 * Hidden state, region by region: vm_flags, faulted-or-not, a
	 * policy or none, and for neighbours that have both, whether theirs
	 * are the same (IMPORT gives the kernel's); the same for userfaultfd
	 * contexts (whether one is there the flags say).
	 */
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
		} else if ((x->state ^ re[i].state) & VMASHADOW_STATE_POLICY) {
			char ps[512], pk[512];

			policy_of(t->mm->fd, x, ps, sizeof(ps));
			policy_of(T.scratch, &re[i], pk, sizeof(pk));
			snprintf(why, sizeof(why), "hidden    %016llx-%016llx the shadow "
				 "says %s, the kernel %s", (unsigned long long)x->start,
				 (unsigned long long)x->end, ps, pk);
		} else if ((x->state & VMASHADOW_STATE_POLICY) && a.v[i].have_pol &&
			   !vd_get_policy(T.scratch, x->start, &kp) &&
			   !vd_policy_same(&a.v[i].pol, &kp)) {
			char ps[512], pk[512];

			vd_policy_str(&a.v[i].pol, ps, sizeof(ps));
			vd_policy_str(&kp, pk, sizeof(pk));
			snprintf(why, sizeof(why), "hidden    %016llx-%016llx the memory "
				 "policies differ: the shadow's policy=%s, the kernel's "
				 "policy=%s", (unsigned long long)x->start,
				 (unsigned long long)x->end, ps, pk);
		} else if (i && (x->state & VMASHADOW_STATE_POLICY) &&
			   (a.v[i - 1].rec.state & VMASHADOW_STATE_POLICY) &&
			   a.v[i - 1].end == x->start &&
			   same_policy(t->mm->fd, x->start) !=
			   same_policy(T.scratch, x->start)) {
			snprintf(why, sizeof(why), "hidden    %016llx the neighbours have "
				 "the same memory policy in the %s only",
				 (unsigned long long)x->start,
				 same_policy(T.scratch, x->start) ? "kernel" : "shadow");
		} else if (i && vms_uffd_ctx(x) && vms_uffd_ctx(&a.v[i - 1].rec) &&
			   a.v[i - 1].end == x->start &&
			   (vms_uffd_ctx(x) == vms_uffd_ctx(&a.v[i - 1].rec)) !=
			   (vms_uffd_ctx(&re[i]) == vms_uffd_ctx(&re[i - 1]))) {
			/* the numbers are each shadow's own: only sameness counts */
			snprintf(why, sizeof(why), "hidden    %016llx the neighbours have "
				 "the same userfaultfd context in the %s only",
				 (unsigned long long)x->start,
				 vms_uffd_ctx(x) == vms_uffd_ctx(&a.v[i - 1].rec) ?
				 "shadow" : "kernel");
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

/*
 * The descriptor @fd of task @t, as a descriptor of ours: the same struct
 * file.  A thread's own table first (PIDFD_THREAD, 6.9), else its thread
 * group's.
 */
static int grab_fd(const struct task *t, int fd)
{
	int pfd = (int)syscall(SYS_pidfd_open, t->tid, PIDFD_THREAD), r;

	if (pfd < 0)
		pfd = (int)syscall(SYS_pidfd_open, t->tgid, 0);
	if (pfd < 0)
		return -1;
	r = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	close(pfd);
	return r;
}

/*
 * The node mask of an mbind() of @tid, read as get_nodes() reads it:
 * maxnode - 1 bits from @addr, nothing for a NULL mask or none.  NODES_OK
 * with the nodes 0-63 in *mask; NODES_HIGH if it names a higher node,
 * which the shadow cannot hold; NODES_UNREADABLE where the kernel's
 * copy_from_user() would fail (EFAULT): process_vm_readv() fails where it
 * does, without the FOLL_FORCE of PTRACE_PEEKDATA (kept for a kernel
 * that refuses the former).  A mask the kernel refuses before reading it
 * (more bits than a page holds) is given to the shadow as node 0, for the
 * same EINVAL.
 */
static int read_nodes(pid_t tid, unsigned long addr, unsigned long maxnode,
		      uint64_t *mask)
{
	unsigned long bits = maxnode - 1, words, i;
	struct iovec l, r;
	unsigned long *buf;
	int rc = NODES_OK;
	ssize_t n;

	*mask = 0;
	if (!bits || !addr)
		return NODES_OK;
	if (bits > VMS_PAGE_SIZE * 8) {
		*mask = 1;
		return NODES_OK;
	}
	words = (bits + 63) / 64;
	buf = xmalloc(words * sizeof(*buf));
	l.iov_base = buf;
	l.iov_len = words * sizeof(*buf);
	r.iov_base = (void *)addr;
	r.iov_len = l.iov_len;
	n = process_vm_readv(tid, &l, 1, &r, 1, 0);
	if (n < 0 && errno != EFAULT) {
		for (i = 0; i < words; i++) {
			errno = 0;
			buf[i] = (unsigned long)ptrace(PTRACE_PEEKDATA, tid,
						       addr + i * sizeof(*buf), 0);
			if (errno)
				break;
		}
		n = (ssize_t)(i * sizeof(*buf));
	}
	if (n != (ssize_t)l.iov_len) {
		free(buf);
		return NODES_UNREADABLE;
	}
	if (bits % 64)
		buf[words - 1] &= (1UL << (bits % 64)) - 1;
	*mask = buf[0];
	for (i = 1; i < words; i++)
		if (buf[i])
			rc = NODES_HIGH;
	free(buf);
	return rc;
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
			op->fd = grab_fd(t, (int)a[4]);
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
	case 8: case 9:		/* mlock is mlock2 with flags 0 */
		op->op = VMASHADOW_OP_MLOCK; op->addr = a[0]; op->len = a[1];
		op->flags = c->which == 9 ? (__u32)a[2] : 0;
		break;
	case 10: op->op = VMASHADOW_OP_MUNLOCK; op->addr = a[0]; op->len = a[1]; break;
	case 11: case 12:	/* the whole address space */
		op->op = c->which == 11 ? VMASHADOW_OP_MLOCKALL : VMASHADOW_OP_MUNLOCKALL;
		op->flags = c->which == 11 ? (__u32)a[0] : 0;
		c->lo = 0;
		c->hi = VMS_TASK_SIZE;
		break;
	case MBIND: {
		/* mbind(addr, len, mode, nodemask, maxnode, flags) */
		uint64_t nodes;

		op->op = VMASHADOW_OP_MBIND; op->addr = a[0]; op->len = a[1];
		op->prot = (__u32)a[2]; op->new_len = a[4]; op->flags = (__u32)a[5];
		c->nodes = read_nodes(t->tid, a[3], a[4], &nodes);
		op->offset = nodes;
		break;
	}
	case HOME_NODE:
		/*
		 * set_mempolicy_home_node(start, len, home_node, flags): flags
		 * is an unsigned long, ->flags 32 bits; flags beyond them stay
		 * flags, for the kernel's EINVAL.
		 */
		op->op = VMASHADOW_OP_HOME_NODE; op->addr = a[0]; op->len = a[1];
		op->offset = a[2];
		op->flags = a[3] > UINT32_MAX ? UINT32_MAX : (__u32)a[3];
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
	case VMASHADOW_OP_MLOCK:
	case VMASHADOW_OP_MUNLOCK:
		/* as called: mlock and munlock have no flags */
		logf_("%s 0x%llx 0x%llx", call_names[c->which], (unsigned long long)op->addr,
		      (unsigned long long)op->len);
		if (c->which == 9)
			logf_(" 0x%x", op->flags);
		break;
	case VMASHADOW_OP_MLOCKALL:
		logf_("mlockall 0x%x", op->flags);
		break;
	case VMASHADOW_OP_MUNLOCKALL:
		logf_("munlockall");
		break;
	case VMASHADOW_OP_MBIND:
		logf_("mbind 0x%llx 0x%llx 0x%x 0x%llx %llu 0x%x", (unsigned long long)op->addr,
		      (unsigned long long)op->len, op->prot, (unsigned long long)op->offset,
		      (unsigned long long)op->new_len, op->flags);
		break;
	case VMASHADOW_OP_HOME_NODE:
		logf_("set_mempolicy_home_node 0x%llx 0x%llx %llu 0x%x",
		      (unsigned long long)op->addr, (unsigned long long)op->len,
		      (unsigned long long)op->offset, op->flags);
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

/*
 * A call of @t that the shadow does not answer (@why): logged as a
 * comment, so that replay leaves it out, and with @reimport the shadow
 * re-imported, as the call may have changed something.
 */
static void unmirrored(struct task *t, struct call *c, long ret, const char *why,
		       int reimport)
{
	char what[512];

	describe_call(what, sizeof(what), c, ret);
	logf_("# %d %s: not mirrored (%s)%s\n", t->tid, what, why,
	      reimport ? ", re-imported" : "");
	if (!reimport)
		return;
	T.resync_unmirrored++;
	if (resync(t->mm, t, call_names[c->which]) == EOVERFLOW) {
		/* The policy is in force, and the shadow cannot hold it. */
		char b2[700];

		snprintf(b2, sizeof(b2), "%s; its policy names a node above 63, "
			 "which the shadow cannot hold", what);
		diverge(t, "after the call", b2, NULL, NULL, 0, 0, 0);
	}
}

/*
 * An mbind() that the shadow cannot answer as the kernel did: 1 if so,
 * with the kernel's word taken (logged as a comment, so that replay leaves
 * it out), 0 to mirror it.
 *
 * ENOSYS: a kernel without NUMA has no mbind(), and nothing changed.  A
 * node mask naming a node above 63, or one the tracer cannot read (the
 * kernel's EFAULT): an error changed nothing, a success is re-imported.
 * EIO: MPOL_MF_STRICT met a page on a node the policy does not allow, and
 * the shadow has no pages; 6.1 sets the policy first, 6.12 not: the
 * shadow is re-imported.  EPERM for MPOL_MF_MOVE_ALL: the shadow asks its
 * opener's CAP_SYS_NICE, the kernel the program's, which is asked here
 * (the check comes before anything changes).  EPERM without it, which
 * mbind() never gives: a seccomp filter refused the call (Docker's
 * default profile does, without CAP_SYS_NICE).
 */
static int mbind_unmirrored(struct task *t, struct call *c, long ret)
{
	const struct vmashadow_op *op = &c->op;
	const char *why = NULL;
	int reimport = 0;

	if (ret == -ENOSYS) {
		why = "no NUMA in this kernel";
	} else if (c->nodes != NODES_OK) {
		why = c->nodes == NODES_HIGH ? "a node above 63" : "a mask the tracer "
		      "cannot read";
		reimport = !ret;
	} else if (ret == -EIO) {
		why = "MPOL_MF_STRICT: a page on another node";
		reimport = 1;
	} else if (ret == -EPERM && (op->flags & VMS_MPOL_MF_MOVE_ALL) &&
		   has_cap(t->tid, CAP_SYS_NICE_) == 0) {
		why = "MPOL_MF_MOVE_ALL without CAP_SYS_NICE";
	} else if (ret == -EPERM && !(op->flags & VMS_MPOL_MF_MOVE_ALL)) {
		why = "refused before the call: a seccomp filter";
	}
	if (!why)
		return 0;
	unmirrored(t, c, ret, why, reimport);
	return 1;
}

/*
 * A set_mempolicy_home_node() that the shadow cannot answer as the kernel
 * did: 1 if so (see mbind_unmirrored()), 0 to mirror it.
 *
 * ENOSYS: a kernel without NUMA, nothing changed.  EPERM, which the call
 * never gives: a seccomp filter refused it.  A home node above 63, which
 * the shadow's nodes_online cannot hold, so that it answers EINVAL: if
 * the kernel did too, the call is mirrored; else the node is online there,
 * and what the call did is the kernel's to say (re-imported if it may have
 * changed a policy: a success, or EOPNOTSUPP after the regions before the
 * refused one).
 */
static int home_node_unmirrored(struct task *t, struct call *c, long ret)
{
	const char *why = NULL;
	int reimport = 0;

	if (ret == -ENOSYS) {
		why = "no NUMA in this kernel";
	} else if (ret == -EPERM) {
		why = "refused before the call: a seccomp filter";
	} else if (c->op.offset > 63 && ret != -EINVAL) {
		why = "a node above 63";
		reimport = !ret || ret == -EOPNOTSUPP;
	}
	if (!why)
		return 0;
	unmirrored(t, c, ret, why, reimport);
	return 1;
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
	/* Calls that lock, or may lock: they consult RLIMIT_MEMLOCK. */
	if (c->which == 8 || c->which == 9 || c->which == 11 ||
	    (c->which == 0 && (c->a[3] & MAP_LOCKED)))
		t->mm->locks = 1;
	if (t->mm->locks && (c->which == 0 || c->which == 3 || c->which == 4 ||
			     c->which == 8 || c->which == 9 || c->which == 11))
		sync_memlock(t, 1);
	/* Calls that may map or make data: they consult RLIMIT_DATA. */
	if (c->which == 0 || c->which == 2 || c->which == 3 || c->which == 4 ||
	    c->which == 7)
		sync_data(t, 1);
	if (c->which == MBIND) {
		if (mbind_unmirrored(t, c, ret))
			return;
		/* the nodes it may name: the program's cpuset may have moved */
		sync_mems(t, 1);
	}
	if (c->which == HOME_NODE) {
		if (home_node_unmirrored(t, c, ret))
			return;
		/* the home nodes it may name: a node may have come online */
		sync_online(t, 1);
	}
	e = vd_op(t->mm->fd, c->op.op, &c->op);
	if (c->op.fd >= 0)
		close(c->op.fd);
	if (e == ENOTTY && c->which >= 8) {
		/*
		 * A module without the call's operation (the mlock family,
		 * mbind, home nodes): re-import, as before it.  A home node
		 * changes policies, which the maps do not show: re-imported
		 * whenever it may have changed one.
		 */
		if (compare_now(t, &a, &b) > 0 ||
		    (c->which == HOME_NODE && (!ret || ret == -EOPNOTSUPP))) {
			snprintf(what, sizeof(what), "syscall-%ld", c->nr);
			T.resync_unmirrored++;
			resync(t->mm, t, what);
		}
		free2(&a, &b);
		return;
	}
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


/* ---- new address spaces ---------------------------------------------------------- */

static void begin_mm(struct task *t)
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
	sync_memlock(t, 0);	/* the params record below carries them */
	sync_data(t, 0);
	sync_online(t, 0);
	snprintf(path, sizeof(path), "/proc/%d/exe", t->tid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	logf_("%d exec %s\n", t->tid, exe);
	log_state(t->tid, t->mm->fd);
	{
		struct vmashadow_stats st;

		if (!vd_stats(t->mm->fd, &st))
			track_count(st.regions);
	}
}

/*
 * The owner of @m is gone from its call without a syscall-exit stop (a
 * fatal signal skips it): what the call did is the kernel's to say, at the
 * next owner's turn.
 */
static void killed_in_call(struct mmsh *m)
{
	if (m->owner && m->phase == PH_CALL && m->fd >= 0)
		m->stale = "killed";
}

/* The flags of a clone-like call at its entry; 0 if they cannot be read. */
static int clone_flags(struct task *t, long nr, const unsigned long *a,
		       unsigned long *flags)
{
	long v;

	switch (nr) {
	case SYS_fork:
		*flags = 0;
		return 1;
	case SYS_vfork:
		*flags = CLONE_VM | CLONE_VFORK;
		return 1;
	case SYS_clone:
		*flags = a[0];
		return 1;
	case SYS_clone3:
		/* struct clone_args begins with the flags */
		errno = 0;
		v = ptrace(PTRACE_PEEKDATA, t->tid, a[0], 0);
		if (errno)
			return 0;
		*flags = (unsigned long)v;
		return 1;
	}
	return 0;
}

/* The thread group of @tid, from /proc; 0 if it cannot be read. */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[256];
	pid_t tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* Does @child share the mm of @p?  The kernel says (kcmp); else the flags. */
static int same_mm(const struct task *p, pid_t child, int ev)
{
	long r = syscall(SYS_kcmp, p->tid, child, KCMP_VM, 0, 0);

	if (r >= 0)
		return r == 0;
	if (p->cflags_ok)
		return !!(p->cflags & CLONE_VM);
	return ev != PTRACE_EVENT_FORK;
}

static int unseen_take(pid_t tid)
{
	size_t i;

	for (i = 0; i < T.nunseen; i++)
		if (T.unseen[i] == tid) {
			T.unseen[i] = T.unseen[--T.nunseen];
			return 1;
		}
	return 0;
}

/*
 * The clone, fork or vfork event of @p: name the child's mm.  A child
 * sharing @p's mm joins its shadow.  Any other gets a fork of @p's shadow,
 * exact because @p owns its mm through the whole call (the copy was made
 * with every other task of the mm stopped); were it not so, the child's
 * own address space is imported (counted).
 */
static void clone_event(struct task *p, int ev)
{
	unsigned long msg = 0;
	struct task *c;
	pid_t ctid;
	int fd;

	if (!p->mm || ptrace(PTRACE_GETEVENTMSG, p->tid, 0, &msg))
		return;
	ctid = (pid_t)msg;
	if (unseen_take(ctid))
		return;		/* reaped already */
	c = task_find(ctid);
	if (!c)
		c = task_add(ctid);	/* its first stop is still to come */
	if (c->mm)
		return;
	c->tgid = tgid_of(ctid);
	if (!c->tgid)
		c->tgid = p->cflags_ok && (p->cflags & CLONE_THREAD) ? p->tgid : ctid;
	if (same_mm(p, ctid, ev)) {
		c->mm = p->mm;
		p->mm->refs++;
		if (c->tgid == p->tgid)
			T.threads++;
		else
			T.vmclones++;
		logf_("%d clone-vm %d\n", p->tid, ctid);
		return;
	}
	c->mm = mm_new();
	c->mm->refs = 1;
	T.forks++;
	if (p->mm->fd < 0)
		return;		/* before the first exec: nothing to mirror */
	logf_("%d fork %d\n", p->tid, ctid);
	if (p->mm->loose)
		p->mm->stale = "waited";	/* and the copy is imported */
	else if (p->mm->owner == p && p->mm->phase == PH_CALL &&
		 !vd_fork(p->mm->fd, &fd)) {
		c->mm->fd = fd;
		return;
	}
	c->mm->fd = vms_open_device(T.o);
	if (c->mm->fd < 0)
		exit(VMS_EXIT_FAIL);
	T.resync_forced++;
	resync(c->mm, c, "fork");
}

/* ---- the world of an mm ------------------------------------------------------------ */

/*
 * Cannot touch its mm before it reports a stop.  A task in execve()
 * reads its old mm at most, and may be waiting, unstoppable, for the
 * others to die (de_thread()); a vfork parent waits, as unstoppable, for
 * its child.
 */
static int quiescent(const struct task *u)
{
	return !u->running || u->listening || u->vfork_wait || u->exited || u->in_exec;
}

static void resume(struct task *t, int sig)
{
	t->seq = 0;
	t->held = 0;
	t->running = 1;
	/* ESRCH: killed meanwhile; its death is on its way. */
	ptrace(PTRACE_SYSCALL, t->tid, 0, sig);
}

/* A group-stop: stay stopped, and report SIGCONT (PTRACE_LISTEN). */
static void listen_(struct task *t)
{
	if (ptrace(PTRACE_LISTEN, t->tid, 0, 0)) {
		resume(t, 0);
		return;
	}
	t->seq = 0;
	t->running = 1;
	t->listening = 1;
}

static void release(struct mmsh *m)
{
	if (m->owner)
		m->owner->held = 0;
	m->owner = NULL;
	m->phase = PH_NONE;
	m->loose = 0;
}

static void take(struct task *t, enum own own)
{
	struct mmsh *m = t->mm;

	m->owner = t;
	m->own = own;
	m->phase = PH_STOPPING;
	m->gen = ++T.gen;
	m->warned = 0;
	clock_gettime(CLOCK_MONOTONIC, &m->since);
	t->seq = 0;
	t->held = 1;
	T.worlds++;
}

/*
 * Interrupt, once per request, every task of @m but its owner that may
 * run.  1 when none may: the world of @m is stopped.
 */
static int stop_others(struct mmsh *m)
{
	int all = 1;
	size_t i;

	for (i = 0; i < T.nt; i++) {
		struct task *u = T.t[i];

		if (u == m->owner || u->mm != m || quiescent(u))
			continue;
		all = 0;
		if (u->intr_gen != m->gen) {
			u->intr_gen = m->gen;
			T.interrupts++;
			ptrace(PTRACE_INTERRUPT, u->tid, 0, 0);
		}
	}
	return all;
}

/*
 * The state letter and the PF_* flags of task @tid from its
 * /proc/PID/stat: 0 if it has none (gone), '?' if they cannot be read.
 */
static char task_stat(pid_t tid, unsigned long *flags)
{
	char path[64], buf[1024], *p;
	size_t n;
	FILE *f;

	*flags = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT || errno == ESRCH ? 0 : '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return '?';
	/* state ppid pgrp session tty_nr tpgid flags */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %lu", flags) != 1)
		*flags = 0;
	return p[2];
}

/*
 * Leaving for good: dead (no /proc entry), a zombie, or in do_exit()
 * (PF_POSTCOREDUMP, set before the exit stop, or PF_EXITING).  A task
 * killed while we hold a stop of it is woken and goes on to exit: the stop
 * we hold is no longer where it is.
 */
static int is_leaving(pid_t tid)
{
	unsigned long flags;
	char state = task_stat(tid, &flags);

	if (!state || state == 'Z' || state == 'X' || state == 'x')
		return 1;
	return !!(flags & (PF_EXITING_ | PF_POSTCOREDUMP_));
}

static double elapsed(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) + (now.tv_nsec - since->tv_nsec) / 1e9;
}

/* SIGALRM's handler: only there to end a waitpid() with EINTR. */
static void on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM in @sec seconds; 0: none. */
static void alarm_in(unsigned int sec)
{
	struct itimerval v = { .it_value = { .tv_sec = sec } };

	setitimer(ITIMER_REAL, &v, NULL);
}

/*
 * While a world is being stopped and no stop comes: a task of it that is
 * dead but not reaped (a thread-group leader whose death is reported with
 * its last thread's) will never stop, nor need to.  An exit check waits
 * EXIT_WAIT seconds at most (then it is skipped, and counted: one second
 * was too short for threads killed by exit_group() on a loaded host under
 * TCG); a call waits as long as it takes, saying so after ten seconds.
 */
#define EXIT_WAIT	5
static void find_dead(void)
{
	size_t i, j;

	for (i = 0; i < T.nt; i++) {
		struct task *t = T.t[i];
		struct mmsh *m = t->mm;
		double waited;

		if (!t->held || !m || m->owner != t || m->phase != PH_STOPPING)
			continue;
		for (j = 0; j < T.nt; j++) {
			struct task *u = T.t[j];

			if (u->mm == m && u != t && !quiescent(u) && is_leaving(u->tid))
				u->exited = 1;
		}
		waited = elapsed(&m->since);
		if (m->own == OWN_EXIT && waited > EXIT_WAIT) {
			T.exit_skipped++;
			logf_("# %d exit check skipped: the others did not stop\n", t->tid);
			release(m);
			t->exited = 1;
			resume(t, 0);
		} else if (waited > 10 && !m->warned) {
			m->warned = 1;
			for (j = 0; j < T.nt; j++)
				if (T.t[j]->mm == m && T.t[j] != t && !quiescent(T.t[j]))
					vms_errx("trace: task %d waits for task %d to stop",
						 t->tid, T.t[j]->tid);
		}
	}
}

/*
 * A call can wait for another task of its mm: a fault inside it served by
 * a userfaultfd (or FUSE) server thread of the same process, a fork or
 * mremap waiting for that server to read UFFD_EVENT_FORK or _REMAP.  The
 * others are held, so it would wait for ever.  An owner that has slept
 * in its call (state S or D) for CALL_WAIT seconds makes its world loose:
 * the others run again, their own calls of the mm (and forks, and exits)
 * let through unmirrored (dispatch()), since the server may need one (its
 * first malloc() maps an arena).  What the others did meanwhile is not
 * the call's to predict, so the shadow takes the kernel's word after it:
 * a re-import (counted as unavoidable; the summary says how many calls
 * waited), and another at the next call's turn after any call let through
 * (receive()).  A call that keeps running, however long, is never made
 * loose.
 */
#define CALL_WAIT	2
static void loosen(void)
{
	unsigned long flags;
	size_t i;

	for (i = 0; i < T.nt; i++) {
		struct task *t = T.t[i];
		struct mmsh *m = t->mm;
		char state;

		if (!m || m->owner != t || m->phase != PH_CALL || m->loose ||
		    elapsed(&m->since) < CALL_WAIT)
			continue;
		state = task_stat(t->tid, &flags);
		if (state != 'S' && state != 'D')
			continue;
		m->loose = 1;
		T.waited++;
		logf_("# %d waits in its call for another task: the others run\n", t->tid);
	}
}

/* Another task of @m can still use it (one in execve() is leaving it). */
static struct task *other_live(struct mmsh *m, const struct task *self)
{
	size_t i;

	for (i = 0; i < T.nt; i++) {
		struct task *u = T.t[i];

		if (u == self || u->mm != m || u->exited || u->in_exec)
			continue;
		if (u->seq && WIFSTOPPED(u->status) &&
		    ((u->status >> 16) & 0xff) == PTRACE_EVENT_EXIT)
			continue;	/* at its exit stop */
		if (is_leaving(u->tid))
			continue;
		return u;
	}
	return NULL;
}

/* A task is reaped. */
static void task_gone(struct task *t)
{
	struct mmsh *m = t->mm;

	if (m && t->loose_call)
		m->stale = "waited";
	if (m && m->owner == t) {
		killed_in_call(m);
		release(m);
	}
	mm_put(m);
	task_del(t);
}

/* ---- one owned call -------------------------------------------------------------- */

static void final_check(struct task *t)
{
	struct vms_snap a, b;
	int e;

	if (!t->mm || t->mm->checked_exit || T.diverged)
		return;
	t->mm->checked_exit = 1;
	T.exit_checks++;
	if (sync_faults(t, "at exit"))
		return;
	e = compare_now(t, &a, &b);
	if (e > 0)
		diverge(t, "at exit", "(the final state)", &a, &b, 0, 0, 0);
	free2(&a, &b);
}

/* The entry of a syscall of @t: 1 if @t now owns its mm for it. */
static int call_entry(struct task *t)
{
	unsigned long a[6];
	long nr = (long)t->si.entry.nr;
	int i, kind;

	for (i = 0; i < 6; i++)
		a[i] = (unsigned long)t->si.entry.args[i];
	kind = classify_task(t, nr, a);
	if (kind == -1)
		return 0;
	if (kind == -3) {
		t->cflags_ok = clone_flags(t, nr, a, &t->cflags);
		/* A thread, a vfork, any CLONE_VM child: no copy of the mm. */
		if (t->cflags_ok && (t->cflags & CLONE_VM))
			return 0;
	}
	memset(&t->c, 0, sizeof(t->c));
	t->c.nr = nr;
	memcpy(t->c.a, a, sizeof(a));
	t->c.which = kind;
	take(t, OWN_CALL);
	return 1;
}

/* The world of @t's mm is stopped: the owner's turn. */
static void start(struct task *t)
{
	struct mmsh *m = t->mm;

	if (T.diverged) {
		release(m);
		resume(t, 0);
		return;
	}
	if (m->stale) {
		const char *why = m->stale;

		m->stale = NULL;
		T.resync_forced++;
		resync(m, t, why);
	}
	if (m->own == OWN_EXIT) {
		if (!other_live(m, t))
			final_check(t);
		release(m);
		t->exited = 1;
		resume(t, 0);
		return;
	}
	if (sync_faults(t, "before the call")) {
		release(m);	/* a divergence: everything is killed */
		resume(t, 0);
		return;
	}
	m->phase = PH_CALL;
	clock_gettime(CLOCK_MONOTONIC, &m->since);	/* for loosen() */
	resume(t, 0);
	t->held = 1;		/* still the owner, now in its call */
}

/*
 * --inject: once the Nth mirrored call has been checked, its script runs
 * on that call's shadow, and on it alone, so that the shadow and the
 * kernel part on purpose.  What the script changes the maps do not show
 * (a flag, a fault, a policy, a context) is found by the check before the
 * next call, as the hidden state it is; what they show, by the same check
 * as drift; a parameter such as max_map_count, by the next call's result.
 * The tests make each kind of divergence fire this way; a user can see
 * what a report looks like.
 */
static void inject(struct task *t)
{
	struct vms_result res;
	FILE *f;

	if (!T.inject_script || T.injected || T.diverged || T.calls != T.inject_after)
		return;
	T.injected = -1;
	f = fopen(T.inject_script, "r");
	if (!f) {
		vms_err(T.inject_script, errno);
		kill_all();
		return;
	}
	vms_run_script_on(t->mm->fd, f, T.inject_script, T.o, &res);
	fclose(f);
	if (res.parse_errors || res.runtime_error || res.expect_failed ||
	    res.unsupported) {
		vms_errx("--inject: %s failed on the shadow of pid %d", T.inject_script,
			 t->tid);
		kill_all();
		return;
	}
	T.injected = 1;
	printf("vmashadow trace: injected %s into the shadow of pid %d after call %lu\n",
	       T.inject_script, t->tid, T.calls);
	fflush(stdout);
	logf_("# %d injected %s after call %lu\n", t->tid, T.inject_script, T.calls);
}

/* The syscall-exit stop of the owner @t, every other task of its mm stopped. */
static void finish_call(struct task *t)
{
	struct call *c = &t->c;
	struct vms_snap a, b;
	long ret;

	if (!t->si_ok || t->si.op != PTRACE_SYSCALL_INFO_EXIT) {
		T.resync_forced++;
		resync(t->mm, t, "lost-exit");
		return;
	}
	if (t->mm->loose) {
		/* the others ran during it: see loosen() */
		T.resync_forced++;
		resync(t->mm, t, "waited");
		return;
	}
	ret = (long)t->si.exit.rval;
	if (ret <= -ERESTARTSYS_ && ret >= -ERESTART_RESTARTBLOCK_ && c->which != -3) {
		/*
		 * Interrupted, to be made again (a new entry): nothing to
		 * mirror, unless it did part of its work.
		 */
		if (compare_now(t, &a, &b) > 0) {
			T.resync_unmirrored++;
			resync(t->mm, t, "restart");
		}
		free2(&a, &b);
		return;
	}
	if (c->which >= 0) {
		mirror_exit(t, c, ret);
		inject(t);
	} else if (c->which == -2) {
		/* No shadow operation for this call: take the kernel's word. */
		if (compare_now(t, &a, &b) > 0) {
			char why[32];

			T.resync_unmirrored++;
			snprintf(why, sizeof(why), "syscall-%ld", c->nr);
			resync(t->mm, t, why);
		}
		free2(&a, &b);
	} else if (c->which == -4) {
		/* A userfaultfd's registrations: the kernel's word, always. */
		T.resync_unmirrored++;
		resync(t->mm, t, "userfaultfd");
	}
}

/* ---- the event loop -------------------------------------------------------------- */

/* An exec event: @t has a new mm (and, if a thread exec'd, the leader's tid). */
static void exec_event(struct task *t)
{
	unsigned long former = 0;
	struct task *old;

	ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &former);
	old = (pid_t)former != t->tid ? task_find((pid_t)former) : NULL;
	if (old) {
		/*
		 * ptrace(2): the exec'ing thread took the leader's tid; its
		 * own is heard of no more.
		 */
		if (old->mm && old->mm->owner == old) {
			killed_in_call(old->mm);
			release(old->mm);
		}
		mm_put(old->mm);
		task_del(old);
	}
	if (t->mm && t->mm->owner == t) {
		killed_in_call(t->mm);	/* the leader, zapped by the exec */
		release(t->mm);
	}
	t->tgid = t->tid;
	t->held = t->vfork_wait = t->exited = 0;
	T.execs++;
	begin_mm(t);
}

/* waitpid() said @st of @tid: book it, hold the stop. */
static void receive(pid_t tid, int st)
{
	struct task *t = task_find(tid);
	int ev;

	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		if (tid == T.child)
			T.child_status = st;
		if (t) {
			task_gone(t);
		} else {
			/* a new child, reaped before its parent's event */
			T.unseen = xrealloc(T.unseen, (T.nunseen + 1) * sizeof(*T.unseen));
			T.unseen[T.nunseen++] = tid;
		}
		return;
	}
	if (!WIFSTOPPED(st))
		return;
	if (!t)
		t = task_add(tid);	/* a new child before its parent's event */
	t->running = 0;
	t->listening = 0;
	t->in_exec = 0;
	if (t->loose_call && t->mm) {
		/* the call let through is over: re-import before the next */
		t->loose_call = 0;
		t->mm->stale = "waited";
	}
	t->status = st;
	t->seq = ++T.seq;
	t->si_ok = WSTOPSIG(st) == (SIGTRAP | 0x80) &&
		   ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(t->si), &t->si) > 0;
	ev = (st >> 16) & 0xff;
	/* What only names mms is done now, whoever owns them. */
	if (ev == PTRACE_EVENT_EXEC)
		exec_event(t);
	else if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
		 ev == PTRACE_EVENT_CLONE)
		clone_event(t, ev);
}

/* Would dispatch() make @t the owner of its mm?  (Preferred: no churn.) */
static int takes_world(const struct task *t)
{
	int kind;

	if (T.diverged || t->mm->fd < 0)
		return 0;
	if (t->si_ok && t->si.op == PTRACE_SYSCALL_INFO_ENTRY) {
		kind = classify_task(t, (long)t->si.entry.nr,
				     (const unsigned long *)t->si.entry.args);
		return kind >= 0 || kind == -2 || kind == -4;
	}
	return WIFSTOPPED(t->status) && ((t->status >> 16) & 0xff) == PTRACE_EVENT_EXIT &&
	       !t->mm->checked_exit;
}

/*
 * @t's stop while another task's call of its mm is loose (loosen()): the
 * entry of a call that would take the world goes through unmirrored, as
 * does a thread's exit, unchecked.  0 if the stop is handled as usual.
 */
static int run_loose(struct task *t)
{
	const unsigned long *a = (const unsigned long *)t->si.entry.args;
	long nr = (long)t->si.entry.nr;
	unsigned long flags;
	int kind;

	if (((t->status >> 16) & 0xff) == PTRACE_EVENT_EXIT) {
		if (!takes_world(t))
			return 0;
		t->exited = 1;
		resume(t, 0);
		return 1;
	}
	if (!t->si_ok || t->si.op != PTRACE_SYSCALL_INFO_ENTRY)
		return 0;
	kind = classify_task(t, nr, a);
	if (kind == -1 || (kind == -3 && clone_flags(t, nr, a, &flags) && (flags & CLONE_VM)))
		return 0;	/* takes no world */
	t->loose_call = 1;	/* receive() sees it end */
	T.loose_calls++;
	logf_("# %d makes syscall %ld while task %d waits: not mirrored\n", t->tid, nr,
	      t->mm->owner->tid);
	resume(t, 0);
	return 1;
}

/* Handle the stop held of @t; no other task owns its mm, or it is loose. */
static void dispatch(struct task *t)
{
	struct mmsh *m = t->mm;
	int st = t->status, ev = (st >> 16) & 0xff, sig = WSTOPSIG(st);

	if (m->owner && m->owner != t && run_loose(t))
		return;

	if (m->owner == t && m->phase == PH_CALL && sig != (SIGTRAP | 0x80) &&
	    !(t->c.which == -3 && (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
				   ev == PTRACE_EVENT_CLONE))) {
		/* Killed in its call: its exit stop, no syscall-exit stop. */
		killed_in_call(m);
		release(m);
	}
	if (sig == (SIGTRAP | 0x80)) {
		if (m->owner == t && m->phase == PH_CALL) {
			finish_call(t);
			release(m);
		} else if (t->si_ok && t->si.op == PTRACE_SYSCALL_INFO_ENTRY) {
			if (!T.diverged && m->fd >= 0 && call_entry(t))
				return;		/* owns its mm now */
			if (t->si.entry.nr == SYS_execve || t->si.entry.nr == SYS_execveat) {
				resume(t, 0);
				t->in_exec = 1;
				return;
			}
		}
		resume(t, 0);
		return;
	}
	switch (ev) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		/* the copy is taken (clone_event()): the world may go on */
		if (m->owner == t && m->phase == PH_CALL)
			release(m);
		if (ev == PTRACE_EVENT_VFORK)
			t->vfork_wait = 1;
		break;
	case PTRACE_EVENT_VFORK_DONE:
		t->vfork_wait = 0;
		break;
	case PTRACE_EVENT_EXIT:
		if (!T.diverged && m->fd >= 0 && !m->checked_exit) {
			take(t, OWN_EXIT);
			return;
		}
		t->exited = 1;
		break;
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			listen_(t);
			return;
		}
		break;		/* our interrupt, a new task's first stop, SIGCONT */
	case 0:
		resume(t, sig);	/* a signal for the program */
		return;
	}
	resume(t, 0);
}

/* Handle every stop that can be, start every owner whose world is stopped. */
static void progress(void)
{
	for (;;) {
		struct task *best = NULL, *own = NULL;
		size_t i;

		for (i = 0; i < T.nt; i++) {
			struct task *t = T.t[i];

			if (t->held && t->mm && t->mm->owner == t &&
			    t->mm->phase == PH_STOPPING && stop_others(t->mm)) {
				start(t);
				break;
			}
		}
		if (i < T.nt)
			continue;
		for (i = 0; i < T.nt; i++) {
			struct task *t = T.t[i];

			if (!t->seq || !t->mm ||
			    (t->mm->owner && t->mm->owner != t && !t->mm->loose))
				continue;
			if (takes_world(t)) {
				if (!own || t->seq < own->seq)
					own = t;
			} else if (!best || t->seq < best->seq) {
				best = t;
			}
		}
		if (own)
			best = own;
		if (!best)
			return;
		dispatch(best);
	}
}

/*
 * Nothing can report a stop, and a child is held whose parent's event
 * never came (the parent died before it): name its mm from the kernel.
 */
static int adopt(void)
{
	size_t i, j;

	for (i = 0; i < T.nt; i++) {
		struct task *c = T.t[i];

		if (c->running && !c->listening && !c->vfork_wait)
			return 0;
	}
	for (i = 0; i < T.nt; i++) {
		struct task *c = T.t[i];

		if (c->mm || !c->seq)
			continue;
		c->tgid = tgid_of(c->tid);
		if (!c->tgid)
			c->tgid = c->tid;
		for (j = 0; j < T.nt; j++) {
			struct task *u = T.t[j];

			if (u->mm && u->mm->fd >= 0 &&
			    syscall(SYS_kcmp, u->tid, c->tid, KCMP_VM, 0, 0) == 0) {
				c->mm = u->mm;
				u->mm->refs++;
				logf_("%d clone-vm %d\n", u->tid, c->tid);
				return 1;
			}
		}
		c->mm = mm_new();
		c->mm->refs = 1;
		c->mm->fd = vms_open_device(T.o);
		if (c->mm->fd < 0)
			exit(VMS_EXIT_FAIL);
		T.resync_forced++;
		resync(c->mm, c, "orphan");
		return 1;
	}
	return 0;
}

static void summary(FILE *f)
{
	size_t i;

	fprintf(f, "vmashadow trace: %lu calls mirrored (", T.calls);
	for (i = 0; i < sizeof(call_names) / sizeof(call_names[0]); i++)
		fprintf(f, "%s%s %lu", i ? ", " : "", call_names[i], T.per[i]);
	fprintf(f, ")\n");
	fprintf(f, "  checks %lu (%s), execs %lu, forks %lu, threads %lu, vm clones %lu\n",
		T.checks, T.check_every ? "after every call" : "at exit", T.execs, T.forks,
		T.threads, T.vmclones);
	fprintf(f, "  worlds stopped %lu (tasks interrupted %lu); exit checks %lu, skipped %lu; "
		"calls that waited for another task %lu, made meanwhile %lu\n", T.worlds,
		T.interrupts, T.exit_checks, T.exit_skipped, T.waited, T.loose_calls);
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
	fprintf(f, "Usage: vmashadow trace [--check every|exit] [--log FILE] "
		"[--inject N:SCRIPT] [-r RULES] -- PROGRAM [ARG]...\n");
}

/* --inject N:SCRIPT, N from 1, SCRIPT parsed now: any error is the user's. */
static int parse_inject(const char *arg, const struct vms_opts *o)
{
	struct vms_opts po = *o;
	struct vms_result res;
	char *end;
	FILE *f;

	errno = 0;
	T.inject_after = strtoul(arg, &end, 10);
	if (errno || end == arg || *end != ':' || !end[1] || !T.inject_after ||
	    *arg == '-') {
		vms_errx("--inject: N:SCRIPT with N from 1, not '%s'", arg);
		return -1;
	}
	T.inject_script = end + 1;
	f = fopen(T.inject_script, "r");
	if (!f) {
		vms_err(T.inject_script, errno);
		return -1;
	}
	po.parse_only = 1;
	vms_run_script(f, T.inject_script, &po, &res);
	fclose(f);
	return res.parse_errors ? -1 : 0;
}

int vms_cmd_trace(int argc, char **argv, const struct vms_opts *o)
{
	static const struct option lo[] = {
		{ "check", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "inject", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, pipefd[2], st, rc;
	useconds_t poll = 100;
	const char *logpath = NULL;
	struct sigaction sa = { 0 };
	struct task *t;
	pid_t pid;
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
		case 'i':
			if (parse_inject(optarg, o))
				return VMS_EXIT_USAGE;
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
		/*
		 * 2: region records name every anon_vma shared (anon=);
		 * 3: and say which regions a fork gave their anon_vma (forked)
		 */
		fprintf(T.log, "vmashadow-log 3\n");
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
	sa.sa_handler = on_alarm;	/* no SA_RESTART: see alarm_in() */
	sigaction(SIGALRM, &sa, NULL);
	if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
		   PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE |
		   PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) {
		vms_err("ptrace(PTRACE_SEIZE)", errno);
		kill(pid, SIGKILL);
		return VMS_EXIT_FAIL;
	}
	/* Let it run to the exec; the exec event gives it its shadow. */
	t = task_add(pid);
	t->mm = mm_new();
	t->mm->refs = 1;
	ptrace(PTRACE_INTERRUPT, pid, 0, 0);
	if (waitpid(pid, &st, __WALL) < 0)
		return VMS_EXIT_FAIL;
	resume(t, 0);
	if (write(pipefd[1], &x, 1) != 1)
		return VMS_EXIT_FAIL;
	close(pipefd[1]);
	for (;;) {
		size_t i;
		int stopping = 0, calling = 0;

		progress();
		if (adopt())
			continue;
		for (i = 0; i < T.nt; i++) {
			struct mmsh *m = T.t[i]->held ? T.t[i]->mm : NULL;

			if (m && m->phase == PH_STOPPING)
				stopping = 1;
			if (m && m->phase == PH_CALL && !m->loose)
				calling = 1;
		}
		/*
		 * While a world is being stopped, look out for the dead; while
		 * a call runs, wake up each second to see whether it waits
		 * (loosen(); SIGALRM ends the wait with EINTR).
		 */
		if (calling && !stopping)
			alarm_in(1);
		pid = waitpid(-1, &st, __WALL | (stopping ? WNOHANG : 0));
		if (calling && !stopping)
			alarm_in(0);
		if (pid < 0) {
			if (errno == EINTR) {
				loosen();
				continue;
			}
			break;		/* ECHILD: all gone */
		}
		if (!pid) {
			find_dead();
			loosen();
			usleep(poll);
			if (poll < 20000)
				poll *= 2;
			continue;
		}
		poll = 100;
		receive(pid, st);
	}
	summary(stdout);
	if (T.log)
		fclose(T.log);
	if (T.diverged)
		return VMS_EXIT_FAIL;
	if (T.inject_script && T.injected <= 0) {
		if (!T.injected)
			vms_errx("--inject: %lu calls mirrored, %s never ran", T.calls,
				 T.inject_script);
		return VMS_EXIT_FAIL;
	}
	rc = WIFEXITED(T.child_status) ? WEXITSTATUS(T.child_status) : 128 +
	     WTERMSIG(T.child_status);
	if (rc)
		printf("vmashadow trace: the program exited with status %d\n", rc);
	return VMS_EXIT_OK;
}
