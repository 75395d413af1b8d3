// SPDX-License-Identifier: GPL-2.0
/*
 * exec.c - runs parsed script commands (script.h) against one shadow: the
 * operations, the inspection commands and the expectations, and the two
 * ways in: a whole script (vms_run_script) or the prompt
 * (vms_run_interactive).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vms.h"

#include "script.h"

/* ---- execution ---------------------------------------------------------------- */

struct var {
	char name[MAX_NAME];
	uint64_t val;
};

struct ofile {
	char *name;		/* open NAME, or the path for file=PATH */
	int fd;
};

struct state {
	const struct vms_opts *o;
	const char *file;
	struct vms_result *res;
	int fd;
	struct var *vars;
	size_t nvars;
	struct ofile *files;
	size_t nfiles;
	/* the last operation */
	int have_op;
	int op_errno;
	int op_line;
	int op_checked;
	const char *op_name;
	uint64_t last_addr;
	struct vmashadow_op last;	/* its outcome fields */
	int api_minor;			/* the module's; -1 until asked */
	int *parents;			/* fork: the parents' shadows */
	size_t nparents;
	/* snapshots around the last operation */
	int track;
	int have_before;
	struct vms_snap before, cur;
	int have_cur;
};

static void fail(struct state *st, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct state *st, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(st->o->diag, "%s%s:%d: ", st->o->diag_prefix, st->file, line);
	va_start(ap, fmt);
	vfprintf(st->o->diag, fmt, ap);
	va_end(ap);
	fputc('\n', st->o->diag);
}

static int var_get(struct state *st, const char *n, uint64_t *v)
{
	size_t i;

	for (i = 0; i < st->nvars; i++)
		if (!strcmp(st->vars[i].name, n)) {
			*v = st->vars[i].val;
			return 0;
		}
	return -1;
}

static void var_set(struct state *st, const char *n, uint64_t v)
{
	size_t i;

	for (i = 0; i < st->nvars; i++)
		if (!strcmp(st->vars[i].name, n)) {
			st->vars[i].val = v;
			return;
		}
	st->vars = xrealloc(st->vars, (st->nvars + 1) * sizeof(*st->vars));
	snprintf(st->vars[st->nvars].name, MAX_NAME, "%s", n);
	st->vars[st->nvars++].val = v;
}

/* Evaluate; names bound at run time (as=) may be unset: -1 after a message. */
static int eval(struct state *st, int line, const struct expr *e, uint64_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < e->n; i++) {
		uint64_t t = e->t[i].val;

		if (e->t[i].name[0] && var_get(st, e->t[i].name, &t)) {
			fail(st, line, "'%s' has no value (its map failed?)", e->t[i].name);
			return -1;
		}
		*v = e->t[i].neg ? *v - t : *v + t;
	}
	return 0;
}

/* eval() into a __u64 of the uapi structures. */
static int EVAL(struct state *st, int line, const struct expr *e, __u64 *v)
{
	uint64_t t;

	if (eval(st, line, e, &t))
		return -1;
	*v = t;
	return 0;
}

static int get_snap(struct state *st, struct vms_snap *s, int line)
{
	int e;

	snap_init(s);
	e = vd_snapshot(st->fd, s);
	if (e) {
		fail(st, line, "reading the shadow: %s", strerror(e));
		snap_free(s);
		st->res->runtime_error = 1;
		return -1;
	}
	return 0;
}

/* The current state, cached between operations. */
static struct vms_snap *current(struct state *st, int line)
{
	if (!st->have_cur) {
		if (get_snap(st, &st->cur, line))
			return NULL;
		st->have_cur = 1;
	}
	return &st->cur;
}

static void invalidate(struct state *st)
{
	if (st->have_cur)
		snap_free(&st->cur);
	st->have_cur = 0;
}

static int file_fd(struct state *st, const struct cmd *c)
{
	size_t i;
	int fd;

	for (i = 0; i < st->nfiles; i++)
		if (!strcmp(st->files[i].name, c->file))
			return st->files[i].fd;
	/* file=PATH: opened the first time, that open reused afterwards. */
	fd = open(c->file, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EISDIR))
		fd = open(c->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(st, c->line, "%s: %s", c->file, strerror(errno));
		st->res->runtime_error = 1;
		return -2;
	}
	st->files = xrealloc(st->files, (st->nfiles + 1) * sizeof(*st->files));
	st->files[st->nfiles].name = xstrdup(c->file);
	st->files[st->nfiles++].fd = fd;
	return fd;
}

/*
 * A region's policy as list and verbose output show it: " policy=TEXT"
 * (vd_policy_str()), " policy" where the module cannot say which (before
 * GET_POLICY), "" for none.
 */
static void reg_policy(const struct vms_reg *r, char *buf, size_t len)
{
	char s[480];

	buf[0] = 0;
	if (!r->have_rec || !(r->rec.state & VMASHADOW_STATE_POLICY))
		return;
	if (!r->have_pol) {
		snprintf(buf, len, " policy");
		return;
	}
	vd_policy_str(&r->pol, s, sizeof(s));
	snprintf(buf, len, " policy=%s", s);
}

/*
 * A region's userfaultfd context as list and verbose output show it:
 * " uffd=N" (the modes are among the flags), "" for none.
 */
static void reg_uffd(const struct vms_reg *r, char *buf, size_t len)
{
	buf[0] = 0;
	if (r->have_rec && vms_uffd_ctx(&r->rec))
		snprintf(buf, len, " uffd=%u", vms_uffd_ctx(&r->rec));
}

static void print_changes(struct state *st)
{
	size_t i;

	for (i = 0; i < st->cur.n; i++) {
		const struct vms_reg *r = &st->cur.v[i];

		char pol[512], uf[32];

		if (!r->change)
			continue;
		reg_policy(r, pol, sizeof(pol));
		reg_uffd(r, uf, sizeof(uf));
		fprintf(st->o->out, "  %-9s %016" PRIx64 "-%016" PRIx64 " %.4s%s%s%s%s\n",
			vms_change_name(r->change), r->start, r->end, r->perms,
			r->name[0] ? " " : "", r->name, pol, uf);
	}
}

/* The command fails as one the module does not offer, and says why. */
static int unsupported_because(struct state *st, const struct cmd *c, const char *what,
			       const char *why)
{
	fail(st, c->line, "%s: not supported by this module (%s)", what, why);
	st->res->unsupported = 1;
	return -1;
}

static int unsupported(struct state *st, const struct cmd *c, const char *what)
{
	return unsupported_because(st, c, what, "it answers ENOTTY");
}

/*
 * Whether the module has interface 1.@minor, which @what needs.  An older
 * module refuses what it does not know with EINVAL, the errno a script may
 * well expect of the real call: such a script would pass for the wrong
 * reason, so the command fails as one the module does not support.
 */
static int needs_interface(struct state *st, const struct cmd *c, int minor,
			   const char *what)
{
	struct vmashadow_version v;
	char why[64];
	int n;

	if (st->api_minor < 0)
		st->api_minor = vd_version(st->fd, &v) ? 0 : (int)v.api_minor;
	if (st->api_minor >= minor)
		return 0;
	n = snprintf(why, sizeof(why), "it needs interface 1.%d", minor);
	if (st->api_minor)	/* 0: it did not say */
		snprintf(why + n, sizeof(why) - n, "; it has 1.%d", st->api_minor);
	return unsupported_because(st, c, what, why);
}

/* Fill in the vmashadow_op of an operation command. */
static int build_op(struct state *st, const struct cmd *c, struct vmashadow_op *op,
		    unsigned int *kind, const char **name)
{
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->fd = -1;
	switch (c->kind) {
	case C_MAP:
		*kind = VMASHADOW_OP_MAP;
		if (EVAL(st, c->line, &c->e[0], &op->addr) ||
		    EVAL(st, c->line, &c->e[1], &op->len) ||
		    EVAL(st, c->line, &c->e[3], &op->offset))
			return -1;
		op->prot = c->prot;
		op->flags = c->flags;
		op->op_flags = c->opflags;
		if (c->have_fd)
			op->fd = c->fd;
		else if (c->file) {
			op->fd = file_fd(st, c);
			if (op->fd == -2)
				return -1;
		}
		break;
	case C_UNMAP:
	case C_PROTECT:
	case C_MADVISE:
		*kind = c->kind == C_UNMAP ? VMASHADOW_OP_UNMAP :
			c->kind == C_PROTECT ? VMASHADOW_OP_PROTECT : VMASHADOW_OP_MADVISE;
		if (EVAL(st, c->line, &c->e[0], &op->addr) ||
		    EVAL(st, c->line, &c->e[1], &op->len))
			return -1;
		op->prot = c->prot;
		op->flags = c->flags;	/* MADV_* */
		break;
	case C_REMAP:
		*kind = VMASHADOW_OP_REMAP;
		if (EVAL(st, c->line, &c->e[0], &op->addr) ||
		    EVAL(st, c->line, &c->e[1], &op->len) ||
		    EVAL(st, c->line, &c->e[2], &op->new_len) ||
		    EVAL(st, c->line, &c->e[3], &op->new_addr))
			return -1;
		op->flags = c->flags;	/* MREMAP_* */
		break;
	case C_BRK:
		*kind = VMASHADOW_OP_BRK;
		if (EVAL(st, c->line, &c->e[0], &op->addr))
			return -1;
		break;
	case C_SEAL:
	case C_MLOCK:
	case C_MUNLOCK:
		*kind = c->kind == C_SEAL ? VMASHADOW_OP_SEAL :
			c->kind == C_MLOCK ? VMASHADOW_OP_MLOCK : VMASHADOW_OP_MUNLOCK;
		if (EVAL(st, c->line, &c->e[0], &op->addr) ||
		    EVAL(st, c->line, &c->e[1], &op->len))
			return -1;
		op->flags = c->flags;	/* MLOCK_ONFAULT */
		break;
	case C_MLOCKALL:
		*kind = VMASHADOW_OP_MLOCKALL;
		op->flags = c->flags;	/* MCL_* */
		break;
	case C_MUNLOCKALL:
		*kind = VMASHADOW_OP_MUNLOCKALL;
		break;
	case C_MBIND:
		/* the mode in ->prot, the node mask in ->offset, maxnode */
		*kind = VMASHADOW_OP_MBIND;
		if (EVAL(st, c->line, &c->e[0], &op->addr) ||
		    EVAL(st, c->line, &c->e[1], &op->len) ||
		    EVAL(st, c->line, &c->e[2], &op->offset) ||
		    EVAL(st, c->line, &c->e[3], &op->new_len))
			return -1;
		op->prot = c->prot;
		op->flags = c->flags;	/* MPOL_MF_* */
		op->op_flags = c->opflags;	/* an empty mask given */
		if ((c->opflags & VMASHADOW_OPF_NODEMASK) &&
		    needs_interface(st, c, 9, "mbind with an empty mask"))
			return -1;
		break;
	case C_HOME_NODE: {
		/* the node in ->offset; the flags in ->flags */
		__u64 fl;

		*kind = VMASHADOW_OP_HOME_NODE;
		if (EVAL(st, c->line, &c->e[0], &op->addr) ||
		    EVAL(st, c->line, &c->e[1], &op->len) ||
		    EVAL(st, c->line, &c->e[2], &op->offset) ||
		    EVAL(st, c->line, &c->e[3], &fl))
			return -1;
		/*
		 * The call's flags are an unsigned long, ->flags 32 bits: a
		 * value beyond them stays one the kernel refuses.
		 */
		op->flags = fl > UINT32_MAX ? UINT32_MAX : (__u32)fl;
		break;
	}
	case C_UFFD_OPEN:
	case C_UFFD_REGISTER:
	case C_UFFD_UNREGISTER:
	case C_UFFD_CLOSE:
		/*
		 * The context in ->offset; UFFD_API's features and
		 * UFFD_REGISTER's mode in ->flags (the range: e[0-1], none
		 * for open and close)
		 */
		*kind = c->kind == C_UFFD_OPEN ? VMASHADOW_OP_UFFD_API :
			c->kind == C_UFFD_REGISTER ? VMASHADOW_OP_UFFD_REGISTER :
			c->kind == C_UFFD_UNREGISTER ? VMASHADOW_OP_UFFD_UNREGISTER :
			VMASHADOW_OP_UFFD_CLOSE;
		if (EVAL(st, c->line, &c->e[0], &op->addr) ||
		    EVAL(st, c->line, &c->e[1], &op->len) ||
		    EVAL(st, c->line, &c->e[2], &op->offset))
			return -1;
		op->flags = c->flags;
		break;
	case C_VDSO:
		/* [vvar] of e[2] bytes under [vdso] of e[1]; exec: e[3] page */
		*kind = VMASHADOW_OP_MAP_VDSO;
		if (EVAL(st, c->line, &c->e[0], &op->addr) ||
		    EVAL(st, c->line, &c->e[1], &op->len) ||
		    EVAL(st, c->line, &c->e[2], &op->new_len) ||
		    EVAL(st, c->line, &c->e[3], &op->offset))
			return -1;
		if (c->flag)
			op->op_flags = VMASHADOW_OPF_EXEC;
		break;
	default:
		*kind = VMASHADOW_OP_TOUCH;
		if (EVAL(st, c->line, &c->e[0], &op->addr))
			return -1;
		break;
	}
	op->op = *kind;
	*name = vd_op_name(*kind);
	return 0;
}

/* The outcome fields of an operation, on one line. */
static void print_outcome(struct state *st, const char *pre, const struct vmashadow_op *op,
			  int e)
{
	char eb[96];

	fprintf(st->o->out, "%s%s: ", pre, vd_op_name(op->op));
	if (e)
		fprintf(st->o->out, "%s\n", errno_str(e, eb, sizeof(eb)));
	else
		fprintf(st->o->out, "result 0x%llx, regions %llu, merges %u, splits %u, "
			"truncations %u, removals %u\n", (unsigned long long)op->result,
			(unsigned long long)op->map_count, op->merges, op->splits,
			op->truncations, op->removals);
}

/* After an operation (or a batch): remember its outcome for expect. */
static void note_op(struct state *st, const struct cmd *c, const char *name, int e,
		    const struct vmashadow_op *op)
{
	st->have_op = 1;
	st->op_errno = e;
	st->op_line = c->line;
	st->op_checked = 0;
	st->op_name = name;
	st->last = *op;
	if (!e && vd_op_has_addr(op->op)) {
		st->last_addr = op->result;
		if (!st->last_addr && op->op == VMASHADOW_OP_MAP)
			st->last_addr = op->addr;	/* modules before ->result */
		if (c->name)
			var_set(st, c->name, st->last_addr);
	}
}

static void before_change(struct state *st, int line)
{
	if (!st->track || !current(st, line))
		return;
	if (st->have_before)
		snap_free(&st->before);
	st->before = st->cur;	/* hand over */
	st->have_cur = 0;
	st->have_before = 1;
}

static void after_change(struct state *st, int line)
{
	invalidate(st);
	if (st->track && st->have_before && current(st, line))
		snap_diff(&st->before, &st->cur);
}

static int do_op(struct state *st, const struct cmd *c, int dry)
{
	struct vmashadow_op op;
	unsigned int kind;
	const char *name;
	char eb[96];
	int e;

	if (build_op(st, c, &op, &kind, &name))
		return -1;
	if (dry)
		op.op_flags |= VMASHADOW_OPF_DRY_RUN;
	else
		before_change(st, c->line);
	e = vd_op(st->fd, kind, &op);
	if (e == ENOTTY)
		return unsupported(st, c, dry ? "dry-run" : name);
	note_op(st, c, name, e, &op);
	if (dry) {
		print_outcome(st, "dry-run ", &op, e);
		return 0;
	}
	after_change(st, c->line);
	if (st->o->verbose || st->o->interactive) {
		if (e)
			fprintf(st->o->out, "%s: %s\n", name, errno_str(e, eb, sizeof(eb)));
		else if (vd_op_has_addr(kind))
			fprintf(st->o->out, "= 0x%llx\n", (unsigned long long)st->last_addr);
		else
			fprintf(st->o->out, "ok\n");
		if (st->have_cur)
			print_changes(st);
	}
	return 0;
}

static int do_batch(struct state *st, const struct cmd *c)
{
	struct vmashadow_op *ops = xmalloc((c->nsub ? c->nsub : 1) * sizeof(*ops));
	struct vmashadow_batch b;
	const char *name;
	unsigned int kind;
	size_t i;
	int e;

	for (i = 0; i < c->nsub; i++)
		if (build_op(st, &c->sub[i], &ops[i], &kind, &name)) {
			free(ops);
			return -1;
		}
	before_change(st, c->line);
	e = vd_batch(st->fd, ops, (unsigned int)c->nsub, &b);
	if (e) {
		free(ops);
		if (e == ENOTTY)
			return unsupported(st, c, "batch");
		fail(st, c->line, "batch: %s", strerror(e));
		st->res->runtime_error = 1;
		return -1;
	}
	/* The outcome of the batch is that of its last or failing operation. */
	i = b.done < c->nsub ? b.done : (c->nsub ? c->nsub - 1 : 0);
	note_op(st, c->nsub ? &c->sub[i] : c, "batch", -b.error,
		c->nsub ? &ops[i] : &ops[0]);
	st->op_line = c->line;
	after_change(st, c->line);
	if (st->o->verbose || st->o->interactive) {
		fprintf(st->o->out, "batch: %u of %zu applied\n", b.done, c->nsub);
		if (st->have_cur)
			print_changes(st);
	}
	free(ops);
	return 0;
}

static int do_fork(struct state *st, const struct cmd *c)
{
	int child, e = vd_fork(st->fd, &child);

	if (e == ENOTTY)
		return unsupported(st, c, "fork");
	if (e) {
		fail(st, c->line, "fork: %s", strerror(e));
		st->res->runtime_error = 1;
		return -1;
	}
	/* Continue in the child; the parent lives on, as a real one would. */
	st->parents = xrealloc(st->parents, (st->nparents + 1) * sizeof(*st->parents));
	st->parents[st->nparents++] = st->fd;
	st->fd = child;
	invalidate(st);
	return 0;
}

static int do_import(struct state *st, const struct cmd *c)
{
	struct vmashadow_import im;
	int e;

	memset(&im, 0, sizeof(im));
	im.pid = strcmp(c->file, "self") ? atoi(c->file) : 0;
	if (c->has_window && (EVAL(st, c->line, &c->e[0], &im.start) ||
			      EVAL(st, c->line, &c->e[1], &im.end)))
		return -1;
	e = vd_import(st->fd, &im);
	if (e == ENOTTY)
		return unsupported(st, c, "import");
	if (e) {
		fail(st, c->line, "import %s: %s", c->file, strerror(e));
		st->res->runtime_error = 1;
		return -1;
	}
	invalidate(st);
	if (st->have_before)
		snap_free(&st->before);
	st->have_before = 0;
	if (st->o->verbose || st->o->interactive)
		fprintf(st->o->out, "imported %llu regions\n", (unsigned long long)im.regions);
	return 0;
}

/* An operation failed and nobody said `expect errno`: that is a failure. */
static void check_unexpected(struct state *st)
{
	char eb[96];

	if (st->have_op && !st->op_checked && st->op_errno && !st->o->interactive) {
		st->res->expect_total++;
		st->res->expect_failed++;
		fail(st, st->op_line, "%s failed: %s; add 'expect errno %s' if that is "
		     "right", st->op_name, errno_str(st->op_errno, eb, sizeof(eb)),
		     vms_errno_name(st->op_errno) ? vms_errno_name(st->op_errno) : "N");
	}
	st->op_checked = 1;
}

static void expect_result(struct state *st, int ok)
{
	st->res->expect_total++;
	if (!ok)
		st->res->expect_failed++;
}

/* Normalise a maps line for `expect maps`: runs of blanks → one, no trailing. */
static void squeeze(const char *s, char *out, size_t len)
{
	size_t n = 0;
	int sp = 0;

	while (isspace((unsigned char)*s))
		s++;
	for (; *s && *s != '\n' && n + 2 < len; s++) {
		if (*s == ' ' || *s == '\t') {
			sp = 1;
			continue;
		}
		if (sp && n)
			out[n++] = ' ';
		sp = 0;
		out[n++] = *s;
	}
	out[n] = 0;
}

static int x_maps(struct state *st, const struct cmd *c)
{
	char *text = NULL, *p, a[4352], b[4352];
	size_t i = 0, ngot = 0;
	char **got = NULL;
	int e, ok = 1;

	e = vd_read_maps(st->fd, &text);
	if (e) {
		fail(st, c->line, "reading the shadow: %s", strerror(e));
		st->res->runtime_error = 1;
		return -1;
	}
	for (p = text; *p;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = 0;
		got = xrealloc(got, (ngot + 1) * sizeof(*got));
		got[ngot++] = p;
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (ngot != c->nlines)
		ok = 0;
	for (i = 0; ok && i < ngot; i++) {
		squeeze(got[i], a, sizeof(a));
		squeeze(c->lines[i], b, sizeof(b));
		if (strcmp(a, b))
			ok = 0;
	}
	expect_result(st, ok);
	if (!ok) {
		const char *pre = st->o->diag_prefix;

		fail(st, c->line, "expect maps: the shadow differs (- expected, + got)");
		for (i = 0; i < c->nlines || i < ngot; i++) {
			int same = 0;

			if (i < c->nlines && i < ngot) {
				squeeze(got[i], a, sizeof(a));
				squeeze(c->lines[i], b, sizeof(b));
				same = !strcmp(a, b);
			}
			if (same) {
				fprintf(st->o->diag, "%s  %s\n", pre, got[i]);
				continue;
			}
			if (i < c->nlines)
				fprintf(st->o->diag, "%s- %s\n", pre, c->lines[i]);
			if (i < ngot)
				fprintf(st->o->diag, "%s+ %s\n", pre, got[i]);
		}
	}
	free(got);
	free(text);
	return 0;
}

static const struct vms_reg *snap_find(const struct vms_snap *s, uint64_t a, uint64_t b)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].start == a && s->v[i].end == b)
			return &s->v[i];
	return NULL;
}

static void print_region_near(struct state *st, const struct vms_snap *s,
			      uint64_t a, uint64_t b)
{
	size_t i;
	char line[4352];

	for (i = 0; i < s->n; i++)
		if (s->v[i].end > a && s->v[i].start < b) {
			fmt_maps_line_buf(line, sizeof(line), &s->v[i]);
			fprintf(st->o->diag, "%s  have %s\n", st->o->diag_prefix, line);
		}
}

/* What VM_LOCKED and VM_LOCKONFAULT say: X_LOCKED, X_LOCKONFAULT, X_UNLOCKED. */
static int lock_state(uint64_t vm_flags)
{
	if (!(vm_flags & VMASHADOW_VM_LOCKED))
		return X_UNLOCKED;
	return vm_flags & VMASHADOW_VM_LOCKONFAULT ? X_LOCKONFAULT : X_LOCKED;
}

static const char *lock_name(int lock)
{
	return lock == X_LOCKED ? "locked" : lock == X_LOCKONFAULT ? "lockonfault" :
	       "unlocked";
}

/*
 * expect region uffd, nouffd, uffd=N[:MODE]: "" if @r's registration is
 * as @c wants, else what it has.
 */
static void x_uffd(const struct vms_reg *r, const struct cmd *c, char *why, size_t len)
{
	unsigned int ctx = vms_uffd_ctx(&r->rec);
	uint32_t modes = vd_uffd_modes(r->rec.vm_flags);
	char s[64];

	if (c->uffd == X_UFFD ? ctx != 0 : c->uffd == X_NOUFFD ? !ctx && !modes :
	    ctx == c->xuffd && (c->xuffd_modes < 0 || modes == (uint32_t)c->xuffd_modes))
		return;
	vd_uffd_str(&r->rec, s, sizeof(s));
	if (c->uffd == X_UFFD_IS) {
		struct vmashadow_region want = {
			.state = c->xuffd << VMASHADOW_STATE_UFFD_SHIFT,
			.vm_flags = c->xuffd_modes < 0 ? 0 :
				    (c->xuffd_modes & VMS_UFFDIO_REGISTER_MODE_MISSING ?
				     VMASHADOW_VM_UFFD_MISSING : 0) |
				    (c->xuffd_modes & VMS_UFFDIO_REGISTER_MODE_WP ?
				     VMASHADOW_VM_UFFD_WP : 0) |
				    (c->xuffd_modes & VMS_UFFDIO_REGISTER_MODE_MINOR ?
				     VMASHADOW_VM_UFFD_MINOR : 0),
		};
		char w[64];

		vd_uffd_str(&want, w, sizeof(w));
		if (s[0])
			snprintf(why, len, "it is registered with uffd=%s, not uffd=%s", s, w);
		else
			snprintf(why, len, "it has no userfaultfd context, not uffd=%s", w);
	} else if (s[0]) {
		snprintf(why, len, "it is registered with uffd=%s", s);
	} else {
		snprintf(why, len, "it has no userfaultfd context");
	}
}

/* expect region policy=TEXT: "" if @r has @want, else what it has. */
static void x_policy(const struct vms_reg *r, const struct vmashadow_policy *want,
		     char *why, size_t len)
{
	struct vmashadow_policy none = { .mode = VMS_MPOL_DEFAULT, .home_node = -1 };
	const struct vmashadow_policy *got = r->rec.state & VMASHADOW_STATE_POLICY ?
					     &r->pol : &none;
	char a[480], b[480];

	if (vd_policy_same(got, want))
		return;
	vd_policy_str(got, a, sizeof(a));
	vd_policy_str(want, b, sizeof(b));
	if (got->mode == VMS_MPOL_DEFAULT)
		snprintf(why, len, "it has no memory policy of its own, not policy=%s", b);
	else
		snprintf(why, len, "its policy is policy=%s, not policy=%s", a, b);
}

static int x_region(struct state *st, const struct cmd *c)
{
	const struct vms_snap *s = current(st, c->line);
	const struct vms_reg *r;
	uint64_t a, b, off = 0;
	char why[1024] = "";

	if (!s || eval(st, c->line, &c->e[0], &a) || eval(st, c->line, &c->e[1], &b) ||
	    (c->ne > 2 && eval(st, c->line, &c->e[2], &off)))
		return -1;
	r = snap_find(s, a, b);
	if (!r)
		snprintf(why, sizeof(why), "no region is exactly %" PRIx64 "-%" PRIx64, a, b);
	else if (c->text && memcmp(r->perms, c->text, 4))
		snprintf(why, sizeof(why), "perms are %.4s, not %s", r->perms, c->text);
	else if (c->text2 && strcmp(r->name, c->text2))
		snprintf(why, sizeof(why), "name is '%s', not '%s'", r->name, c->text2);
	else if (c->ne > 2 && r->offset != off)
		snprintf(why, sizeof(why), "offset is 0x%" PRIx64 ", not 0x%" PRIx64,
			 r->offset, off);
	else if (c->flag && r->have_rec && !!r->rec.anon_id != (c->flag == 1))
		snprintf(why, sizeof(why), "it is %s", r->rec.anon_id ? "faulted" :
			 "unfaulted");
	else if (c->mode && r->have_rec && r->rec.kind != (unsigned int)c->mode - 1)
		snprintf(why, sizeof(why), "kind is %s", vd_kind_name(r->rec.kind));
	else if (c->lock && r->have_rec && lock_state(r->rec.vm_flags) != c->lock)
		snprintf(why, sizeof(why), "it is %s",
			 lock_name(lock_state(r->rec.vm_flags)));
	else if ((c->policy == X_POLICY || c->policy == X_NOPOLICY) && r->have_rec &&
		 !(r->rec.state & VMASHADOW_STATE_POLICY) != (c->policy == X_NOPOLICY))
		snprintf(why, sizeof(why), "it has %s",
			 r->rec.state & VMASHADOW_STATE_POLICY ?
			 "a memory policy of its own" : "no memory policy of its own");
	else if (c->policy == X_POLICY_IS && r->have_rec &&
		 (r->rec.state & VMASHADOW_STATE_POLICY) && !r->have_pol)
		return unsupported(st, c, "expect region policy= (GET_POLICY)");
	else if (c->policy == X_POLICY_IS && r->have_rec)
		x_policy(r, &c->xpol, why, sizeof(why));
	if (!why[0] && r && c->uffd && r->have_rec)
		x_uffd(r, c, why, sizeof(why));
	expect_result(st, !why[0]);
	if (why[0]) {
		fail(st, c->line, "expect region: %s", why);
		print_region_near(st, s, a, b);
	}
	return 0;
}

static int x_change(struct state *st, const struct cmd *c)
{
	const struct vms_snap *s = current(st, c->line);
	const struct vms_reg *r;
	uint64_t a, b;

	if (!s || eval(st, c->line, &c->e[0], &a) || eval(st, c->line, &c->e[1], &b))
		return -1;
	if (!st->have_before) {
		fail(st, c->line, "expect change: no operation before it");
		expect_result(st, 0);
		return 0;
	}
	r = snap_find(s, a, b);
	expect_result(st, r && r->change == (enum vms_change)c->mode);
	if (!r) {
		fail(st, c->line, "expect change: no region is exactly %" PRIx64 "-%"
		     PRIx64, a, b);
		print_region_near(st, s, a, b);
	} else if (r->change != (enum vms_change)c->mode) {
		fail(st, c->line, "expect change: the last operation left it %s, not %s",
		     vms_change_name(r->change), vms_change_name((enum vms_change)c->mode));
	}
	return 0;
}

static void print_explain(struct state *st, const struct vmashadow_explain *x)
{
	const struct vmashadow_explain_side *sd[2] = { &x->prev, &x->next };
	int i;

	fprintf(st->o->out, "%s %016llx-%016llx", vd_op_name(x->op),
		(unsigned long long)x->addr, (unsigned long long)x->end);
	if (x->merge_case)
		fprintf(st->o->out, " vma_merge case %u", x->merge_case);
	fputc('\n', st->o->out);
	for (i = 0; i < 2; i++) {
		char fl[1400];

		fprintf(st->o->out, "  %s ", i ? "next" : "prev");
		if (!sd[i]->start && !sd[i]->end && sd[i]->verdict == VMASHADOW_VERDICT_NONE) {
			fprintf(st->o->out, "none\n");
			continue;
		}
		fprintf(st->o->out, "%016llx-%016llx %s", (unsigned long long)sd[i]->start,
			(unsigned long long)sd[i]->end, vd_verdict_name(sd[i]->verdict));
		if (sd[i]->why)
			fprintf(st->o->out, ": %s", vd_why_name(sd[i]->why));
		if (sd[i]->why == VMASHADOW_WHY_FLAGS) {
			vd_flag_names(sd[i]->flags_diff, fl, sizeof(fl));
			fprintf(st->o->out, " (%s)", fl);
		}
		/* which policies: the reason the user asked for */
		vd_explain_policies(st->fd, x, i, fl, sizeof(fl));
		fprintf(st->o->out, "%s\n", fl);
	}
}

static int do_explain(struct state *st, const struct cmd *c, struct vmashadow_explain *x)
{
	int e;

	memset(x, 0, sizeof(*x));
	x->mode = (__u32)c->mode;
	if (c->mode == VMASHADOW_EXPLAIN_AT && EVAL(st, c->line, &c->e[0], &x->addr))
		return -1;
	e = vd_explain(st->fd, x);
	if (e) {
		fail(st, c->line, "explain: %s", strerror(e));
		st->res->runtime_error = 1;
		return -1;
	}
	return 0;
}

/* The boundaries of [lo, hi) (hi 0: all) kept apart, and why. */
static int why_in(struct state *st, int line, uint64_t lo, uint64_t hi)
{
	int e = vms_why(st->o->out, st->fd, lo, hi);

	if (e) {
		fail(st, line, "why: %s", strerror(e));
		st->res->runtime_error = 1;
		return -1;
	}
	return 0;
}

static int do_why(struct state *st, const struct cmd *c)
{
	__u64 lo = 0, hi = 0;

	if (c->ne && (EVAL(st, c->line, &c->e[0], &lo) ||
		      EVAL(st, c->line, &c->e[1], &hi)))
		return -1;
	if (c->ne && hi <= lo) {
		fail(st, c->line, "why: the end 0x%llx is not above the start "
		     "0x%llx", (unsigned long long)hi, (unsigned long long)lo);
		st->res->runtime_error = 1;
		return -1;
	}
	return why_in(st, c->line, lo, hi);
}

static void print_stats(struct state *st, const struct vmashadow_stats *s)
{
	const __u64 *v = &s->regions;
	size_t i;

	for (i = 0; i < NSTATS; i++)
		fprintf(st->o->out, "%-13s %llu\n", stat_names[i], (unsigned long long)v[i]);
}

static int do_find(struct state *st, const struct cmd *c)
{
	struct vmashadow_find f;
	char name[4096], line[4352];
	struct vms_reg r;
	int e;

	memset(&f, 0, sizeof(f));
	f.mode = (__u32)c->mode;
	if (EVAL(st, c->line, &c->e[0], &f.addr) ||
	    ((c->mode == VMASHADOW_FIND_INTERSECT || c->mode == VMASHADOW_FIND_EXACT) &&
	     EVAL(st, c->line, &c->e[1], &f.end)))
		return -1;
	name[0] = 0;
	e = vd_find(st->fd, &f, name, sizeof(name));
	if (e && e != ENOENT) {	/* ENOENT: nothing there */
		fail(st, c->line, "find: %s", strerror(e));
		st->res->runtime_error = 1;
		return -1;
	}
	if (c->mode == VMASHADOW_FIND_PREV) {
		if (f.found & VMASHADOW_FOUND_PREV)
			fprintf(st->o->out, "prev %016llx-%016llx\n",
				(unsigned long long)f.prev.start,
				(unsigned long long)f.prev.end);
		else
			fprintf(st->o->out, "prev none\n");
	}
	if (!(f.found & VMASHADOW_FOUND_REGION)) {
		fprintf(st->o->out, "not found\n");
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.start = f.region.start;
	r.end = f.region.end;
	r.perms[0] = f.region.vm_flags & VMASHADOW_VM_READ ? 'r' : '-';
	r.perms[1] = f.region.vm_flags & VMASHADOW_VM_WRITE ? 'w' : '-';
	r.perms[2] = f.region.vm_flags & VMASHADOW_VM_EXEC ? 'x' : '-';
	r.perms[3] = f.region.vm_flags & VMASHADOW_VM_MAYSHARE ? 's' : 'p';
	r.offset = f.region.kind == VMASHADOW_KIND_ANON ? 0 : f.region.pgoff * VMS_PAGE_SIZE;
	r.major = f.region.dev_major;
	r.minor = f.region.dev_minor;
	r.inode = f.region.ino;
	name[sizeof(name) - 1] = 0;
	r.name = name;
	fmt_maps_line_buf(line, sizeof(line), &r);
	fprintf(st->o->out, "%s\n", line);
	return 0;
}

static void print_list(struct state *st, const struct vms_snap *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct vms_reg *r = &s->v[i];
		char fl[512];

		char pol[512], uf[32];

		vd_flag_names(r->rec.vm_flags, fl, sizeof(fl));
		reg_policy(r, pol, sizeof(pol));
		reg_uffd(r, uf, sizeof(uf));
		fprintf(st->o->out, "%016" PRIx64 "-%016" PRIx64 " %-5s pgoff=0x%llx "
			"file=%llu anon=%llu%s%s%s flags=%s\n", r->start, r->end,
			vd_kind_name(r->rec.kind), (unsigned long long)r->rec.pgoff,
			(unsigned long long)r->rec.file_id,
			(unsigned long long)r->rec.anon_id,
			r->rec.state & VMASHADOW_STATE_ANON_FORKED ? " forked" : "", pol, uf,
			fl);
	}
}

static int do_maps(struct state *st, const struct cmd *c)
{
	struct vms_window win = st->o->window;
	FILE *f = st->o->out;
	const struct vms_snap *s;
	int rc = 0;

	if (c->has_window && (eval(st, c->line, &c->e[0], &win.start) ||
			      eval(st, c->line, &c->e[1], &win.end)))
		return -1;
	if (c->outpath) {
		f = fopen(c->outpath, "w");
		if (!f) {
			fail(st, c->line, "%s: %s", c->outpath, strerror(errno));
			st->res->runtime_error = 1;
			return -1;
		}
	}
	if (c->fmt == VMS_FMT_MAPS) {
		/* The device's own rendering, byte for byte. */
		char *text;
		int e = vd_read_maps(st->fd, &text);

		if (e) {
			fail(st, c->line, "reading the shadow: %s", strerror(e));
			st->res->runtime_error = 1;
			rc = -1;
		} else {
			fputs(text, f);
			free(text);
		}
	} else if ((s = current(st, c->line))) {
		char title[256];

		snprintf(title, sizeof(title), "%s:%d%s%s", st->file, c->line,
			 st->have_before ? " after " : "", st->have_before ? st->op_name : "");
		fmt_snap(f, c->fmt, s, st->have_before ? &st->before : NULL, &win, title);
	} else {
		rc = -1;
	}
	if (f != st->o->out && fclose(f)) {
		fail(st, c->line, "%s: %s", c->outpath, strerror(errno));
		st->res->runtime_error = 1;
		rc = -1;
	}
	return rc;
}

int vms_load_maps(const char *target, struct vms_snap *s, char *err, size_t errlen)
{
	char path[4096], *text, perr_[128];
	size_t len = 0, cap = 65536, n;
	FILE *f;
	int line;

	if (!strcmp(target, "self") || (strspn(target, "0123456789") == strlen(target) &&
					*target))
		snprintf(path, sizeof(path), "/proc/%s/maps", target);
	else
		snprintf(path, sizeof(path), "%s", target);
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	text = xmalloc(cap);
	while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 4096)
			text = xrealloc(text, cap *= 2);
	}
	text[len] = 0;
	if (f != stdin)
		fclose(f);
	snap_init(s);
	if (maps_parse_text(text, s, &line, perr_, sizeof(perr_))) {
		snprintf(err, errlen, "%s:%d: %s", path, line, perr_);
		free(text);
		snap_free(s);
		return -1;
	}
	free(text);
	return 0;
}

static int diff_against(struct state *st, int line, const char *target,
			const struct vms_window *win)
{
	struct vms_snap real;
	const struct vms_snap *s;
	char err[4352];
	int mm;

	if (vms_load_maps(target, &real, err, sizeof(err))) {
		fail(st, line, "diff: %s", err);
		st->res->runtime_error = 1;
		return -1;
	}
	s = current(st, line);
	if (!s) {
		snap_free(&real);
		return -1;
	}
	mm = maps_compare(st->o->out, s, &real, win);
	fprintf(st->o->out, "%d mismatch%s\n", mm, mm == 1 ? "" : "es");
	st->res->mismatches += mm;
	snap_free(&real);
	return 0;
}

static int do_diff(struct state *st, const struct cmd *c)
{
	struct vms_window win = { 0, 0 };

	if (c->has_window && (eval(st, c->line, &c->e[0], &win.start) ||
			      eval(st, c->line, &c->e[1], &win.end)))
		return -1;
	return diff_against(st, c->line, c->file, &win);
}

/*
 * set rlimit_data SOFT [HARD] and set ignore_rlimit_data 0|1: one
 * parameter bit for the three fields, so each keeps what GET_PARAMS gave
 * unless named.  Without HARD the hard limit stays, but rises to SOFT when
 * SOFT is above it (setrlimit() would refuse a soft limit above the hard
 * one; a script that names only one limit means that one).
 */
static void set_data_limit(struct vmashadow_params *p, const struct cmd *c,
			   uint64_t a, uint64_t b)
{
	if (!strcmp(set_names[c->mode], "ignore_rlimit_data")) {
		p->ignore_rlimit_data = (__u32)a;
		return;
	}
	p->rlimit_data = a;
	if (c->flag)
		p->rlimit_data_max = b;
	else if (a > p->rlimit_data_max)
		p->rlimit_data_max = a;
}

static int do_set(struct state *st, const struct cmd *c)
{
	struct vmashadow_params p;
	uint64_t a = 0, b = 0;
	int e;

	e = vd_get_params(st->fd, &p);
	if (e) {
		fail(st, c->line, "set: reading the parameters: %s", strerror(e));
		st->res->runtime_error = 1;
		return -1;
	}
	if (set_bits[c->mode] == VMASHADOW_PARAM_RULES)
		a = c->u;
	else if (eval(st, c->line, &c->e[0], &a) ||
		 ((set_bits[c->mode] == VMASHADOW_PARAM_BRK ||
		   set_bits[c->mode] == VMASHADOW_PARAM_COMMIT ||
		   set_bits[c->mode] == VMASHADOW_PARAM_DATA_SEGMENT ||
		   (set_bits[c->mode] == VMASHADOW_PARAM_RLIMIT_DATA && c->flag)) &&
		  eval(st, c->line, &c->e[1], &b)))
		return -1;
	p.set = set_bits[c->mode];
	switch (p.set) {
	case VMASHADOW_PARAM_RULES: p.rules = (__u32)a; break;
	case VMASHADOW_PARAM_MAX_MAP_COUNT: p.max_map_count = (__u32)a; break;
	case VMASHADOW_PARAM_BRK: p.start_brk = a; p.brk = b; break;
	case VMASHADOW_PARAM_START_STACK: p.start_stack = a; break;
	case VMASHADOW_PARAM_MMAP_BASE: p.mmap_base = a; break;
	case VMASHADOW_PARAM_MMAP_MIN_ADDR: p.mmap_min_addr = a; break;
	case VMASHADOW_PARAM_OVERCOMMIT: p.overcommit_memory = (__u32)a; break;
	case VMASHADOW_PARAM_RLIMIT_AS: p.rlimit_as = a; break;
	/* the reserves keep the values GET_PARAMS gave */
	case VMASHADOW_PARAM_COMMIT: p.commit_limit = a; p.commit_other = b; break;
	case VMASHADOW_PARAM_DEF_FLAGS: p.def_flags = a; break;
	case VMASHADOW_PARAM_MEMLOCK: p.rlimit_memlock = a; break;
	case VMASHADOW_PARAM_RLIMIT_DATA: set_data_limit(&p, c, a, b); break;
	case VMASHADOW_PARAM_DATA_SEGMENT: p.start_data = a; p.end_data = b; break;
	case VMASHADOW_PARAM_RLIMIT_STACK: p.rlimit_stack = a; break;
	case VMASHADOW_PARAM_MEMS_ALLOWED: p.mems_allowed = a; break;
	case VMASHADOW_PARAM_NODES_ONLINE: p.nodes_online = a; break;
	case VMASHADOW_PARAM_ARG_START: p.arg_start = a; break;
	}
	e = vd_set_params(st->fd, &p);
	if (e) {
		fail(st, c->line, "set %s: %s", set_names[c->mode], strerror(e));
		st->res->runtime_error = 1;
		return -1;
	}
	invalidate(st);	/* [heap]/[stack] labels may change */
	return 0;
}

static int do_open(struct state *st, const struct cmd *c)
{
	uint64_t size = 0;
	int fd, flags = c->mode >= 0 ? c->mode : O_RDWR;
	size_t i;

	if (c->flag) {
		if (eval(st, c->line, &c->e[0], &size))
			return -1;
		flags = O_RDWR | O_CREAT;
	}
	fd = open(c->file, flags | O_CLOEXEC, 0600);
	if (fd < 0 && c->mode < 0 && !c->flag && (errno == EACCES || errno == EROFS))
		fd = open(c->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (c->flag && ftruncate(fd, (off_t)size))) {
		fail(st, c->line, "open %s: %s", c->file, strerror(errno));
		st->res->runtime_error = 1;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (i = 0; i < st->nfiles; i++)
		if (!strcmp(st->files[i].name, c->name)) {
			close(st->files[i].fd);	/* a new open replaces the name's */
			st->files[i].fd = fd;
			return 0;
		}
	st->files = xrealloc(st->files, (st->nfiles + 1) * sizeof(*st->files));
	st->files[st->nfiles].name = xstrdup(c->name);
	st->files[st->nfiles++].fd = fd;
	return 0;
}

static int exec_cmd(struct state *st, const struct cmd *c);

static int do_reset(struct state *st, const struct cmd *c)
{
	int fd = vms_open_device(st->o);

	if (fd < 0) {
		st->res->runtime_error = 1;
		(void)c;
		return -1;
	}
	close(st->fd);
	st->fd = fd;
	invalidate(st);
	if (st->have_before)
		snap_free(&st->before);
	st->have_before = 0;
	st->have_op = 0;
	return 0;
}

static int exec_cmd(struct state *st, const struct cmd *c)
{
	struct vmashadow_explain x;
	struct vmashadow_stats s;
	struct vmashadow_validate v;
	uint64_t a, b;
	int e;
	size_t i;

	if (c->kind != C_X_ERRNO)
		check_unexpected(st);
	switch (c->kind) {
	case C_MAP: case C_UNMAP: case C_PROTECT: case C_TOUCH:
	case C_REMAP: case C_BRK: case C_MADVISE: case C_SEAL: case C_VDSO:
	case C_MLOCK: case C_MUNLOCK: case C_MLOCKALL: case C_MUNLOCKALL:
	case C_MBIND: case C_HOME_NODE: case C_UFFD_OPEN: case C_UFFD_REGISTER:
	case C_UFFD_UNREGISTER: case C_UFFD_CLOSE:
		return do_op(st, c, 0);
	case C_FIND:
		return do_find(st, c);
	case C_LIST: {
		const struct vms_snap *sn = current(st, c->line);

		if (!sn)
			return -1;
		print_list(st, sn);
		return 0;
	}
	case C_MAPS:
		return do_maps(st, c);
	case C_STATS:
		e = vd_stats(st->fd, &s);
		if (e) {
			fail(st, c->line, "stats: %s", strerror(e));
			st->res->runtime_error = 1;
			return -1;
		}
		print_stats(st, &s);
		return 0;
	case C_VALIDATE:
		e = vd_validate(st->fd, &v);
		if (e && e != EUCLEAN) {
			fail(st, c->line, "validate: %s", strerror(e));
			st->res->runtime_error = 1;
			return -1;
		}
		if (e)
			fprintf(st->o->out, "invalid: %s at 0x%llx\n",
				vd_bad_name(v.violation), (unsigned long long)v.addr);
		else
			fprintf(st->o->out, "valid\n");
		return 0;
	case C_WHY:
		return do_why(st, c);
	case C_EXPLAIN:
		if (do_explain(st, c, &x))
			return -1;
		print_explain(st, &x);
		return 0;
	case C_SET:
		return do_set(st, c);
	case C_OPEN:
		return do_open(st, c);
	case C_CLOSE:
		for (i = 0; i < st->nfiles; i++)
			if (!strcmp(st->files[i].name, c->name) && st->files[i].fd >= 0) {
				close(st->files[i].fd);
				st->files[i].fd = -1;	/* maps with it now give EBADF */
			}
		return 0;
	case C_LET:
		if (eval(st, c->line, &c->e[0], &a))
			return -1;
		var_set(st, c->name, a);
		return 0;
	case C_ECHO:
		fprintf(st->o->out, "%s\n", c->text);
		return 0;
	case C_RESET:
		return do_reset(st, c);
	case C_DIFF:
		return do_diff(st, c);
	case C_X_ERRNO: {
		char e1[96], e2[96];

		if (!st->have_op) {
			fail(st, c->line, "expect %s: no operation before it",
			     c->mode ? "errno" : "ok");
			expect_result(st, 0);
			return 0;
		}
		expect_result(st, st->op_errno == c->mode);
		if (st->op_errno != c->mode)
			fail(st, c->line, "expected %s from %s (line %d), got %s",
			     errno_str(c->mode, e1, sizeof(e1)), st->op_name, st->op_line,
			     errno_str(st->op_errno, e2, sizeof(e2)));
		st->op_checked = 1;
		return 0;
	}
	case C_X_ADDR:
		if (eval(st, c->line, &c->e[0], &a))
			return -1;
		expect_result(st, st->have_op && !st->op_errno && st->last_addr == a);
		if (!st->have_op || st->op_errno || st->last_addr != a)
			fail(st, c->line, "expect addr: the last %s returned 0x%llx, not "
			     "0x%llx", st->op_name ? st->op_name : "operation", (unsigned long long)st->last_addr,
			     (unsigned long long)a);
		return 0;
	case C_X_REGIONS: {
		const struct vms_snap *sn = current(st, c->line);

		if (!sn || eval(st, c->line, &c->e[0], &a))
			return -1;
		expect_result(st, sn->n == a);
		if (sn->n != a)
			fail(st, c->line, "expect regions: %zu, not %llu", sn->n,
			     (unsigned long long)a);
		return 0;
	}
	case C_X_REGION:
		return x_region(st, c);
	case C_X_FREE: {
		const struct vms_snap *sn = current(st, c->line);

		if (!sn || eval(st, c->line, &c->e[0], &a) || eval(st, c->line, &c->e[1], &b))
			return -1;
		for (i = 0; i < sn->n; i++)
			if (sn->v[i].end > a && sn->v[i].start < b)
				break;
		expect_result(st, i == sn->n);
		if (i < sn->n) {
			fail(st, c->line, "expect free: %llx-%llx is not free",
			     (unsigned long long)a, (unsigned long long)b);
			print_region_near(st, sn, a, b);
		}
		return 0;
	}
	case C_X_MAPS:
		return x_maps(st, c);
	case C_X_VALID:
		e = vd_validate(st->fd, &v);
		expect_result(st, e == 0);
		if (e == EUCLEAN)
			fail(st, c->line, "expect valid: %s at 0x%llx", vd_bad_name(v.violation),
			     (unsigned long long)v.addr);
		else if (e)
			fail(st, c->line, "expect valid: validate: %s", strerror(e));
		return 0;
	case C_X_CASE: {
		struct cmd last = { .mode = VMASHADOW_EXPLAIN_LAST, .line = c->line };

		if (do_explain(st, &last, &x))
			return -1;
		expect_result(st, x.merge_case == c->e[0].t[0].val);
		if (x.merge_case != c->e[0].t[0].val)
			fail(st, c->line, "expect case: the last %s was vma_merge case %u, "
			     "not %llu", vd_op_name(x.op), x.merge_case,
			     (unsigned long long)c->e[0].t[0].val);
		return 0;
	}
	case C_X_EXPLAIN: {
		const struct vmashadow_explain_side *sd;
		struct cmd q = { .mode = c->mode, .line = c->line, .e = { c->e[0] } };
		int ok;

		if (do_explain(st, &q, &x))
			return -1;
		sd = c->flag ? &x.next : &x.prev;
		ok = sd->verdict == c->u && (c->why < 0 || sd->why == (__u32)c->why);
		expect_result(st, ok);
		if (!ok)
			fail(st, c->line, "expect explain: %s was %s%s%s", c->flag ? "next" :
			     "prev", vd_verdict_name(sd->verdict), sd->why ? ": " : "",
			     sd->why ? vd_why_name(sd->why) : "");
		return 0;
	}
	case C_X_STATS: {
		const __u64 *sv = &s.regions;
		int k;

		e = vd_stats(st->fd, &s);
		if (e) {
			fail(st, c->line, "stats: %s", strerror(e));
			st->res->runtime_error = 1;
			return -1;
		}
		for (k = 0; k < c->ne; k++) {
			int which = c->which[k];

			if (eval(st, c->line, &c->e[k], &a))
				return -1;
			expect_result(st, sv[which] == a);
			if (sv[which] != a)
				fail(st, c->line, "expect stats: %s is %llu, not %llu",
				     stat_names[which], (unsigned long long)sv[which],
				     (unsigned long long)a);
		}
		return 0;
	}
	case C_X_CHANGE:
		return x_change(st, c);
	case C_FORK:
		return do_fork(st, c);
	case C_IMPORT:
		return do_import(st, c);
	case C_DRYRUN:
		return do_op(st, &c->sub[0], 1);
	case C_BATCH:
		return do_batch(st, c);
	case C_X_RESULT: {
		const __u64 rv[] = { st->last.map_count, st->last.merges, st->last.splits,
				     st->last.truncations, st->last.removals };
		int k;

		if (!st->have_op) {
			fail(st, c->line, "expect result: no operation before it");
			expect_result(st, 0);
			return 0;
		}
		for (k = 0; k < c->ne; k++) {
			if (eval(st, c->line, &c->e[k], &a))
				return -1;
			expect_result(st, rv[c->which[k]] == a);
			if (rv[c->which[k]] != a)
				fail(st, c->line, "expect result: %s of %s (line %d) is %llu, "
				     "not %llu", result_names[c->which[k]], st->op_name,
				     st->op_line, (unsigned long long)rv[c->which[k]],
				     (unsigned long long)a);
		}
		return 0;
	}
	}
	return 0;
}

int vms_open_device(const struct vms_opts *o)
{
	int fd = vd_open(o->device);

	if (fd < 0) {
		vms_err(o->device, -fd);
		return -1;
	}
	if (o->rules) {
		struct vmashadow_params p;
		int e = vd_get_params(fd, &p);

		p.set = VMASHADOW_PARAM_RULES;
		p.rules = (__u32)o->rules;
		if (!e)
			e = vd_set_params(fd, &p);
		if (e) {
			vms_err("setting the rules", e);
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void state_init(struct state *st, const struct vms_opts *o, const char *file,
		       struct vms_result *res)
{
	memset(st, 0, sizeof(*st));
	st->o = o;
	st->file = file;
	st->res = res;
	st->fd = -1;
	st->api_minor = -1;
	st->op_checked = 1;
}

static void state_free(struct state *st)
{
	size_t i;

	for (i = 0; i < st->nfiles; i++) {
		if (st->files[i].fd >= 0)
			close(st->files[i].fd);
		free(st->files[i].name);
	}
	free(st->files);
	free(st->vars);
	for (i = 0; i < st->nparents; i++)
		close(st->parents[i]);
	free(st->parents);
	invalidate(st);
	if (st->have_before)
		snap_free(&st->before);
	if (st->fd >= 0)
		close(st->fd);
}

/*
 * Parse all of @fp, then run it on @fd, a descriptor of a shadow the
 * caller keeps (the script works on a dup() of it), or with @fd -1 on a
 * shadow of its own.
 */
static void run_script(FILE *fp, const char *name, const struct vms_opts *o,
		       struct vms_result *res, int fd)
{
	struct parser p;
	struct state st;
	struct cmd *cmds = NULL;
	size_t ncmds = 0, i;
	char *line = NULL;
	size_t cap = 0;

	memset(res, 0, sizeof(*res));
	parser_init(&p, name, o);
	while (getline(&line, &cap, fp) >= 0) {
		struct cmd c;

		p.line++;
		if (parse_line(&p, line, &c) == 1) {
			cmds = xrealloc(cmds, (ncmds + 1) * sizeof(*cmds));
			cmds[ncmds++] = c;
		}
	}
	free(line);
	parse_finish(&p);
	res->parse_errors = p.errors;
	if (p.errors || o->parse_only)
		goto out;

	state_init(&st, o, name, res);
	st.track = p.need_diff || o->verbose || o->format != VMS_FMT_MAPS;
	st.fd = fd < 0 ? vms_open_device(o) : fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (st.fd < 0) {
		if (fd >= 0)
			vms_err("dup", errno);
		res->runtime_error = 1;
		state_free(&st);
		goto out;
	}
	for (i = 0; i < ncmds; i++)
		if (exec_cmd(&st, &cmds[i])) {
			res->runtime_error = 1;
			break;
		}
	if (i == ncmds) {
		check_unexpected(&st);
		if (o->diff_target && diff_against(&st, p.line, o->diff_target, &o->window))
			res->runtime_error = 1;
		else if (o->why_after && why_in(&st, p.line, o->window.start,
						o->window.end))
			res->runtime_error = 1;
	}
	state_free(&st);
out:
	for (i = 0; i < ncmds; i++)
		cmd_free(&cmds[i]);
	free(cmds);
	parser_free(&p);
}

void vms_run_script(FILE *fp, const char *name, const struct vms_opts *o,
		    struct vms_result *res)
{
	run_script(fp, name, o, res, -1);
}

void vms_run_script_on(int fd, FILE *fp, const char *name, const struct vms_opts *o,
		       struct vms_result *res)
{
	run_script(fp, name, o, res, fd);
}

void vms_run_interactive(const struct vms_opts *o, struct vms_result *res)
{
	struct parser p;
	struct state st;
	char *line = NULL;
	size_t cap = 0;

	memset(res, 0, sizeof(*res));
	parser_init(&p, "<stdin>", o);
	state_init(&st, o, "<stdin>", res);
	st.track = 1;
	st.fd = vms_open_device(o);
	if (st.fd < 0) {
		state_free(&st);
		parser_free(&p);
		res->runtime_error = 1;
		return;
	}
	fprintf(o->out, "vmashadow %s: one command per line; 'help' lists them, "
		"end with Ctrl-D.\n", VMS_TOOL_VERSION);
	for (;;) {
		struct cmd c;
		int rc;

		fputs(p.block ? "...> " : "vmashadow> ", o->out);
		fflush(o->out);
		if (getline(&line, &cap, stdin) < 0)
			break;
		p.line++;
		if (!strncmp(line, "help", 4) && (!line[4] || isspace((unsigned char)line[4]))) {
			fputs("map ADDR LEN PROT FLAGS [file=F] [offset=N] [as=NAME]\n"
			      "unmap ADDR LEN   protect ADDR LEN PROT   touch ADDR\n"
			      "find [vma|prev|lookup] ADDR | find intersect|exact START END\n"
			      "list  maps [maps|pmap|json|svg] [window S E] [to PATH]\n"
			      "stats  validate  explain [last|at ADDR]  reset  diff PID\n"
			      "set rules|max_map_count|brk|stack|mmap_base|mmap_min_addr|"
			      "overcommit|rlimit_as VALUE\n"
			      "set commit LIMIT OTHER  set def_flags none|locked[,lockonfault]\n"
			      "set rlimit_memlock BYTES|unlimited  set ignore_rlimit_data 0|1\n"
			      "set rlimit_data SOFT|unlimited [HARD|unlimited]"
			      "  set data_segment START END\n"
			      "set rlimit_stack BYTES|unlimited  set mems_allowed NODES\n"
			      "set nodes_online NODES  set arg_start ADDR\n"
			      "open NAME PATH [ro|rw] [create=SIZE]  close NAME  let NAME EXPR\n"
			      "remap OLD OLDLEN NEWLEN [maymove,fixed,dontunmap] [NEWADDR]\n"
			      "brk ADDR  madvise ADDR LEN ADVICE  fork  import PID|self\n"
			      "seal ADDR LEN  vdso HINT LEN VVARLEN | vdso exec LEN VVARLEN [PAGE]\n"
			      "mlock ADDR LEN [onfault]  munlock ADDR LEN\n"
			      "mlockall current|future|onfault,...  munlockall\n"
			      "mbind ADDR LEN MODE[|static_nodes|relative_nodes] [NODES "
			      "[strict,move,move_all]] [maxnode=N]\n"
			      "home_node ADDR LEN NODE [FLAGS]\n"
			      "uffd_open CTX [event_fork|event_remap|wp_async|...]  "
			      "uffd_close CTX\n"
			      "uffd_register ADDR LEN CTX missing|wp|minor  "
			      "uffd_unregister ADDR LEN CTX\n"
			      "dry-run OPERATION...  batch (operations) end\n"
			      "expect ok|errno E|addr A|regions N|region S E ..|free S E|"
			      "maps..end|valid|case N|explain ..|stats K=V|result K=V|"
			      "change S E KIND\n"
			      "See vmashadow(8).\n", o->out);
			continue;
		}
		p.errors = 0;
		rc = parse_line(&p, line, &c);
		if (rc != 1)
			continue;
		if (exec_cmd(&st, &c) && (st.res->unsupported || st.res->runtime_error)) {
			/* Keep the prompt alive; remember that something failed. */
			st.res->unsupported = 0;
		}
		cmd_free(&c);
	}
	fputc('\n', o->out);
	free(line);
	state_free(&st);
	parser_free(&p);
	/* Errors at the prompt were shown there; they do not fail the session. */
	memset(res, 0, sizeof(*res));
}
