/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vms.h - shared declarations of the vmashadow command-line tool.
 *
 * The tool is split by concern:
 *   main.c    command line (getopt_long), the sub-commands
 *   script.c  the script language: its parser (script.h: parsed commands)
 *   exec.c    the executor of parsed commands, the prompt
 *   format.c  maps parsing and the maps/pmap/json/svg formatters, diffs
 *   vmsdev.c  thin wrappers around the ioctls of /dev/vmashadow
 */
#ifndef VMS_H
#define VMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ioctl.h"

#define VMS_TOOL_VERSION "0.1.0"
#define VMS_DEFAULT_DEVICE "/dev/vmashadow"
#define VMS_PAGE_SIZE 4096ULL
#define VMS_TASK_SIZE 0x7ffffffff000ULL

/* Exit statuses. */
#define VMS_EXIT_OK 0
#define VMS_EXIT_FAIL 1
#define VMS_EXIT_USAGE 2

extern const char *vms_progname;
void vms_err(const char *what, int errnum);	/* "vmashadow: what: strerror" */
void vms_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* ---- regions and snapshots (format.c) ------------------------------------ */

/* What the last operation did to a region (derived by diffing snapshots). */
enum vms_change {
	VMS_CHG_NONE = 0,	/* unchanged */
	VMS_CHG_NEW,		/* created, joined nothing */
	VMS_CHG_MERGED,		/* joined at least one existing region */
	VMS_CHG_SPLIT,		/* a piece of a region that was split */
	VMS_CHG_TRUNCATED,	/* a region cut short at one end */
	VMS_CHG_CHANGED,	/* same range, new attributes */
};

struct vms_reg {
	uint64_t start, end;
	uint64_t offset;	/* as maps shows it (0 for anonymous) */
	char perms[5];		/* "rw-p" */
	unsigned int major, minor;
	uint64_t inode;
	char *name;		/* never NULL; "" when unnamed */
	int have_rec;		/* rec below came from VMASHADOW_IOC_LIST */
	struct vmashadow_region rec;
	/* pol below came from VMASHADOW_IOC_GET_POLICY (a policy of its own) */
	int have_pol;
	struct vmashadow_policy pol;
	enum vms_change change;
};

struct vms_snap {
	struct vms_reg *v;
	size_t n, cap;
};

struct vms_window {
	uint64_t start, end;	/* end == 0: automatic */
};

enum vms_format { VMS_FMT_MAPS, VMS_FMT_PMAP, VMS_FMT_JSON, VMS_FMT_SVG };

int vms_parse_format(const char *s, enum vms_format *f);
const char *vms_change_name(enum vms_change c);

void snap_init(struct vms_snap *s);
void snap_free(struct vms_snap *s);
struct vms_reg *snap_add(struct vms_snap *s);
void snap_copy(struct vms_snap *dst, const struct vms_snap *src);

/* Parse one maps line (no newline).  0, or -1 with a message in err. */
int maps_parse_line(const char *line, struct vms_reg *r, char *err, size_t errlen);
/* Parse a whole maps text; on error *errline is the 1-based bad line. */
int maps_parse_text(const char *text, struct vms_snap *s, int *errline,
		    char *err, size_t errlen);
/* Format one region as /proc/pid/maps does, newline included. */
void fmt_maps_line(FILE *f, const struct vms_reg *r);
int fmt_maps_line_buf(char *buf, size_t len, const struct vms_reg *r);

/* Derive the change marks of `after` by comparing it with `before`. */
void snap_diff(const struct vms_snap *before, struct vms_snap *after);

void fmt_snap(FILE *f, enum vms_format fmt, const struct vms_snap *s,
	      const struct vms_snap *before, const struct vms_window *w,
	      const char *title);

/* qsort() and bsearch() order of uint64_t values. */
int vms_cmp_u64(const void *a, const void *b);

/* Compare two maps (shadow and real); prints mismatches, returns their count. */
int maps_compare(FILE *f, const struct vms_snap *shadow, const struct vms_snap *real,
		 const struct vms_window *w);
/* The same, with the address of the first mismatch in *first (if any). */
int maps_compare_at(FILE *f, const struct vms_snap *shadow, const struct vms_snap *real,
		    const struct vms_window *w, uint64_t *first);

/* ---- /dev/vmashadow (vmsdev.c) ------------------------------------------- */

int vd_open(const char *path);	/* fd or -errno */
int vd_version(int fd, struct vmashadow_version *v);	/* 0 or errno */
int vd_get_params(int fd, struct vmashadow_params *p);
int vd_set_params(int fd, struct vmashadow_params *p);
int vd_op(int fd, unsigned int op, struct vmashadow_op *o);	/* 0 or errno */
int vd_batch(int fd, struct vmashadow_op *ops, unsigned int n,
	     struct vmashadow_batch *b);		/* 0 or errno of the ioctl */
int vd_fork(int fd, int *child);
int vd_import(int fd, struct vmashadow_import *im);
int vd_find(int fd, struct vmashadow_find *f, char *name, size_t namelen);
int vd_stats(int fd, struct vmashadow_stats *st);
int vd_validate(int fd, struct vmashadow_validate *v);
int vd_explain(int fd, struct vmashadow_explain *e);
/* why.c: every boundary of [lo, hi) (hi 0: all) kept apart, and why */
int vms_why(FILE *out, int fd, uint64_t lo, uint64_t hi);
/* The policy of the region holding addr: 0 or errno (EFAULT: no region). */
int vd_get_policy(int fd, uint64_t addr, struct vmashadow_policy *p);
/* GET_UFFD: the features of the shadow's userfaultfd context @ctx */
int vd_get_uffd(int fd, unsigned int ctx, uint64_t *features);
int vd_snapshot(int fd, struct vms_snap *s);	/* 0 or errno */
int vd_read_maps(int fd, char **text);		/* 0 or errno; malloc'd text */

int vd_op_has_addr(unsigned int op);
int vd_advice_modelled(unsigned long advice);
const char *vd_op_name(unsigned int op);
const char *vd_why_name(unsigned int why);
const char *vd_verdict_name(unsigned int v);
const char *vd_bad_name(unsigned int bad);
const char *vd_kind_name(unsigned int kind);
const char *vd_rules_name(unsigned int rules);
/* Append the names of VMASHADOW_VM_* bits to buf, comma separated. */
void vd_flag_names(uint64_t flags, char *buf, size_t len);
/* A node mask as the kernel prints one: 0,2-3 ("" for none). */
void vd_nodes_str(uint64_t mask, char *buf, size_t len);
const char *vd_mpol_mode_name(unsigned int mode);	/* NULL if unknown */
/* Append the names of MPOL_F_* mode flags to buf, '|' before each. */
void vd_mpol_flag_names(uint32_t flags, char *buf, size_t len);
/*
 * A policy as the tool writes it everywhere (list, explain, expect region
 * policy=, replay): MODE[|FLAG...][:NODES][,given=NODES][,home=N], e.g.
 * bind:0, bind|static_nodes:0,given=0-1, preferred_many:0,home=0; the
 * nodes in force, then the nodes as given where a mode flag keeps them and
 * they differ, then the home node if there is one.  MPOL_DEFAULT: default.
 */
void vd_policy_str(const struct vmashadow_policy *p, char *buf, size_t len);
/* Whether two GET_POLICY answers describe the same policy. */
int vd_policy_same(const struct vmashadow_policy *a, const struct vmashadow_policy *b);
/*
 * Why EXPLAIN's prev side (or with @next its next side) was refused for a
 * policy, from GET_POLICY of the two regions ("nopolicy" for one
 * without): " (prev policy=X, this policy=Y)" after the last operation,
 * " (prev policy=X, next policy=Y)" at a boundary; for a userfaultfd
 * context the same with the two registrations, from FIND of the two
 * regions (" (prev uffd=1:missing, this uffd=2:missing)", "nouffd" for
 * none); "" if the side was refused for neither, or the module cannot
 * tell.
 */
void vd_explain_policies(int fd, const struct vmashadow_explain *x, int next,
			 char *buf, size_t len);

/*
 * A region's registration as the tool writes it (explain, expect region
 * uffd=): N:MODE[|MODE...] with the modes of the VM_UFFD_* flags
 * it has (missing, wp, minor), e.g. 1:missing|wp; "" for none.
 */
void vd_uffd_str(const struct vmashadow_region *r, char *buf, size_t len);
/* The UFFDIO_REGISTER_MODE_* bits a region's VM_UFFD_* flags stand for. */
uint32_t vd_uffd_modes(uint64_t vm_flags);

/* ---- errno names (script.c) ---------------------------------------------- */
const char *vms_errno_name(int e);
int vms_errno_value(const char *name);

/* ---- memory policies (script.c) ------------------------------------------ */

/*
 * mbind(2)'s values, from <linux/mempolicy.h>, whose modes are an enum
 * that grows with the kernel (6.12 added MPOL_WEIGHTED_INTERLEAVE): named
 * here so that the tool builds against older headers.
 */
#define VMS_MPOL_DEFAULT		0
#define VMS_MPOL_PREFERRED		1
#define VMS_MPOL_BIND			2
#define VMS_MPOL_INTERLEAVE		3
#define VMS_MPOL_LOCAL			4
#define VMS_MPOL_PREFERRED_MANY		5
#define VMS_MPOL_WEIGHTED_INTERLEAVE	6
#define VMS_MPOL_F_NUMA_BALANCING	(1 << 13)
#define VMS_MPOL_F_RELATIVE_NODES	(1 << 14)
#define VMS_MPOL_F_STATIC_NODES		(1 << 15)
#define VMS_MPOL_MF_STRICT		(1 << 0)
#define VMS_MPOL_MF_MOVE		(1 << 1)
#define VMS_MPOL_MF_MOVE_ALL		(1 << 2)
/* maxnode for a mask of nodes 0-63: one more than the bits it covers */
#define VMS_MAXNODE			65

/*
 * A set of nodes as the kernel prints one (0,2-3: Mems_allowed_list,
 * /sys/devices/system/node/has_memory), or a 0x mask.  The shadow's masks
 * hold nodes 0-63: higher ones are left out, and *high says there were
 * some.  0, or -1 if @s is neither.
 */
int vms_parse_nodes(const char *s, uint64_t *mask, int *high);
/*
 * A policy as vd_policy_str() writes it (default for none) into @p's mode,
 * mode_flags, nodes, user_nodes and home_node.  0, or -1 with a message in
 * @err.
 */
int vms_parse_policy(const char *s, struct vmashadow_policy *p, char *err, size_t errlen);

/* ---- userfaultfd --------------------------------------------------------- */

/*
 * userfaultfd(2)'s values, from <linux/userfaultfd.h>, whose features grow
 * with the kernel (6.12 has WP_UNPOPULATED to MOVE): named here so that
 * the tool builds against older headers.
 */
#define VMS_UFFD_FEATURE_PAGEFAULT_FLAG_WP	(1 << 0)
#define VMS_UFFD_FEATURE_EVENT_FORK		(1 << 1)
#define VMS_UFFD_FEATURE_EVENT_REMAP		(1 << 2)
#define VMS_UFFD_FEATURE_EVENT_REMOVE		(1 << 3)
#define VMS_UFFD_FEATURE_MISSING_HUGETLBFS	(1 << 4)
#define VMS_UFFD_FEATURE_MISSING_SHMEM		(1 << 5)
#define VMS_UFFD_FEATURE_EVENT_UNMAP		(1 << 6)
#define VMS_UFFD_FEATURE_SIGBUS			(1 << 7)
#define VMS_UFFD_FEATURE_THREAD_ID		(1 << 8)
#define VMS_UFFD_FEATURE_MINOR_HUGETLBFS	(1 << 9)
#define VMS_UFFD_FEATURE_MINOR_SHMEM		(1 << 10)
#define VMS_UFFD_FEATURE_EXACT_ADDRESS		(1 << 11)
#define VMS_UFFD_FEATURE_WP_HUGETLBFS_SHMEM	(1 << 12)
#define VMS_UFFD_FEATURE_WP_UNPOPULATED		(1 << 13)
#define VMS_UFFD_FEATURE_POISON			(1 << 14)
#define VMS_UFFD_FEATURE_WP_ASYNC		(1 << 15)
#define VMS_UFFD_FEATURE_MOVE			(1 << 16)
#define VMS_UFFDIO_REGISTER_MODE_MISSING	(1 << 0)
#define VMS_UFFDIO_REGISTER_MODE_WP		(1 << 1)
#define VMS_UFFDIO_REGISTER_MODE_MINOR		(1 << 2)
/* The ioctls of a userfaultfd that change regions (x86-64's numbers). */
#define VMS_UFFDIO_REGISTER			0xc020aa00U
#define VMS_UFFDIO_UNREGISTER			0x8010aa01U

/*
 * The userfaultfd context of a region (0: none), from the state bits of
 * its record.
 */
static inline unsigned int vms_uffd_ctx(const struct vmashadow_region *r)
{
	return (r->state & VMASHADOW_STATE_UFFD_MASK) >> VMASHADOW_STATE_UFFD_SHIFT;
}

/* ---- scripts (script.c) -------------------------------------------------- */

struct vms_opts {
	const char *device;
	enum vms_format format;
	struct vms_window window;
	int rules;		/* 0: module default */
	int verbose;
	int parse_only;
	int interactive;
	FILE *out;		/* normal output */
	FILE *diag;		/* failures; stderr, or stdout with "# " in TAP */
	const char *diag_prefix;
	const char *diff_target;	/* after the script: diff with this */
	int why_after;		/* after the script: why (the window's) */
};

/* Outcome of one script. */
struct vms_result {
	int parse_errors;
	int runtime_error;	/* stopped early */
	int expect_total, expect_failed;
	int unsupported;	/* stopped at a command the module lacks */
	int mismatches;		/* diff: shadow and real maps differ */
};

/* Read a maps text: "self", a PID (/proc/PID/maps) or a file ("-": stdin). */
int vms_load_maps(const char *target, struct vms_snap *s, char *err, size_t errlen);

/* Run a script read from fp (name is used in messages). */
void vms_run_script(FILE *fp, const char *name, const struct vms_opts *o,
		    struct vms_result *res);
/* The same on the shadow of @fd, which stays open (trace --inject). */
void vms_run_script_on(int fd, FILE *fp, const char *name, const struct vms_opts *o,
		       struct vms_result *res);
/* Run the interactive prompt on stdin. */
void vms_run_interactive(const struct vms_opts *o, struct vms_result *res);
/* Open the device per the options: fd, or -1 after an error message. */
int vms_open_device(const struct vms_opts *o);

/* ---- trace, replay, shrink (trace.c, replay.c) ---------------------------- */

int vms_cmd_trace(int argc, char **argv, const struct vms_opts *o);
int vms_cmd_replay(int argc, char **argv, const struct vms_opts *o);
int vms_cmd_shrink(int argc, char **argv, const struct vms_opts *o);
/* Read maps text and drop what is no VMA ([vsyscall], the gate area). */
int vms_load_real_maps(int pid, struct vms_snap *s);

#endif /* VMS_H */
