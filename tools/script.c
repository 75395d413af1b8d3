// SPDX-License-Identifier: GPL-2.0
/*
 * script.c - the vmashadow script language: one command per line, mirroring
 * the system calls with symbolic arguments, plus `expect` lines so that a
 * script doubles as a test.  vmashadow.8 documents the language; the
 * grammar in brief:
 *
 *   map ADDR LEN PROT FLAGS [file=F] [offset=N] [fd=N] [as=NAME]
 *   unmap ADDR LEN | protect ADDR LEN PROT | touch ADDR
 *   open NAME PATH [ro|rw] [create=SIZE] | close NAME | let NAME EXPR
 *   find [vma|prev|lookup] ADDR | find intersect|exact START END
 *   list | maps [FORMAT] [window START END] [to PATH] | stats | validate
 *   explain [last | at ADDR] | set PARAM VALUE... | reset | echo TEXT
 *   diff PID [START END]
 *   expect ok | errno E | addr A | regions N | region S E [...] | free S E
 *   expect maps ... end | valid | case N | explain [at A] prev|next V [WHY]
 *   expect stats NAME=N... | change S E KIND | result NAME=N...
 *   remap OLD OLDLEN NEWLEN [FLAGS] [NEWADDR] | brk ADDR | madvise A L ADVICE
 *   seal ADDR LEN | vdso HINT LEN VVARLEN | vdso exec LEN VVARLEN [PAGE]
 *   mlock ADDR LEN [onfault] | munlock ADDR LEN
 *   mlockall current|future|onfault,... | munlockall
 *   mbind ADDR LEN MODE[|static_nodes...] [NODES [FLAGS]] [maxnode=N]
 *   home_node ADDR LEN NODE [FLAGS]
 *   uffd_open CTX [FEATURES] | uffd_close CTX
 *   uffd_register ADDR LEN CTX MODE | uffd_unregister ADDR LEN CTX
 *   fork | import PID|self [START END] | dry-run OP... | batch ... end
 *   (a module answering ENOTTY to one: "not supported by this module")
 *
 * Scripts are parsed whole before anything runs, so every syntax error is
 * reported (as FILE:LINE: message) and a broken script changes nothing;
 * exec.c runs the parsed commands.
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

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_CURRENT
#define MCL_CURRENT 1
#endif
#ifndef MCL_FUTURE
#define MCL_FUTURE 2
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

/* ---- errno names ---------------------------------------------------------- */

static const struct { int e; const char *name; } errnos[] = {
	{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
	{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENFILE, "ENFILE" },
	{ EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" }, { ETXTBSY, "ETXTBSY" },
	{ EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" },
	{ EROFS, "EROFS" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
	{ EOVERFLOW, "EOVERFLOW" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ EUCLEAN, "EUCLEAN" }, { EBADMSG, "EBADMSG" },
};

const char *vms_errno_name(int e)
{
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].e == e)
			return errnos[i].name;
	return NULL;
}

int vms_errno_value(const char *name)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, name))
			return errnos[i].e;
	v = strtol(name, &end, 10);
	if (*name && !*end && v >= 0 && v < 4096)
		return (int)v;
	return -1;
}

/* "EEXIST (File exists)" */
const char *errno_str(int e, char *buf, size_t len)
{
	const char *n = vms_errno_name(e);

	if (!e)
		snprintf(buf, len, "success");
	else if (n)
		snprintf(buf, len, "%s (%s)", n, strerror(e));
	else
		snprintf(buf, len, "errno %d (%s)", e, strerror(e));
	return buf;
}

/* ---- node lists ----------------------------------------------------------- */

/*
 * 0,2-3 as the kernel's %*pbl prints it (Mems_allowed_list), or a 0x mask:
 * the nodes 0-63 in *mask, *high set if it names a higher one.  An empty
 * string is no node.
 */
int vms_parse_nodes(const char *s, uint64_t *mask, int *high)
{
	const char *p = s;

	*mask = 0;
	*high = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		char *end;

		errno = 0;
		*mask = strtoull(s + 2, &end, 16);
		return errno || end == s + 2 || *end ? -1 : 0;
	}
	while (*p) {
		unsigned long a, b, n;
		char *end;

		if (!isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (!isdigit((unsigned char)*p))
				return -1;
			b = strtoul(p, &end, 10);
		}
		if (errno || b < a)
			return -1;
		for (n = a; n <= b && n < 64; n++)
			*mask |= 1ULL << n;
		if (b >= 64)
			*high = 1;
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

/* ---- expressions ---------------------------------------------------------- */

static int parse_number(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0, mul = 1;
	int base = 10;
	size_t i = 0;

	if (len > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else {
		switch (s[len - 1]) {
		case 'k': case 'K': mul = 1ULL << 10; len--; break;
		case 'm': case 'M': mul = 1ULL << 20; len--; break;
		case 'g': case 'G': mul = 1ULL << 30; len--; break;
		case 't': case 'T': mul = 1ULL << 40; len--; break;
		}
	}
	if (i >= len)
		return -1;
	for (; i < len; i++) {
		int c = tolower((unsigned char)s[i]), d;

		if (isdigit(c))
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		x = x * (uint64_t)base + (uint64_t)d;
	}
	if (x > UINT64_MAX / mul)
		return -1;
	*v = x * mul;
	return 0;
}

static int is_name_start(int c)
{
	return isalpha(c) || c == '_';
}

/* ---- commands --------------------------------------------------------------- */

void cmd_free(struct cmd *c)
{
	size_t i;

	free(c->file);
	free(c->name);
	free(c->text);
	free(c->text2);
	free(c->outpath);
	for (i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	free(c->lines);
	for (i = 0; i < c->nsub; i++)
		cmd_free(&c->sub[i]);
	free(c->sub);
}

/* ---- the parser --------------------------------------------------------------- */

static void perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(p->diag, "%s%s:%d: ", p->prefix, p->file, p->line);
	va_start(ap, fmt);
	vfprintf(p->diag, fmt, ap);
	va_end(ap);
	fputc('\n', p->diag);
	p->errors++;
}

static int name_defined(struct parser *p, const char *n)
{
	size_t i;

	for (i = 0; i < p->nnames; i++)
		if (!strcmp(p->names[i], n))
			return 1;
	return 0;
}

static void define_name(struct parser *p, const char *n)
{
	if (name_defined(p, n))
		return;
	p->names = xrealloc(p->names, (p->nnames + 1) * sizeof(*p->names));
	p->names[p->nnames++] = xstrdup(n);
}

static int valid_name(const char *s)
{
	if (!is_name_start((unsigned char)*s) || strlen(s) >= MAX_NAME)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int parse_expr(struct parser *p, const char *what, const char *s,
		      struct expr *e)
{
	const char *q = s;
	int neg = 0;

	memset(e, 0, sizeof(*e));
	if (!strcmp(s, "-") || !strcmp(s, "null")) {	/* NULL hint */
		e->n = 1;
		return 0;
	}
	for (;;) {
		size_t len = 0;

		while (q[len] && q[len] != '+' && q[len] != '-')
			len++;
		if (!len || e->n == MAX_TERMS) {
			perr(p, "%s: bad expression '%s'", what, s);
			return -1;
		}
		e->t[e->n].neg = neg;
		if (is_name_start((unsigned char)*q) &&
		    !(len > 1 && q[0] == '0')) {
			if (len >= MAX_NAME) {
				perr(p, "%s: name too long in '%s'", what, s);
				return -1;
			}
			memcpy(e->t[e->n].name, q, len);
			e->t[e->n].name[len] = 0;
			if (!valid_name(e->t[e->n].name)) {
				perr(p, "%s: bad name '%s'", what, e->t[e->n].name);
				return -1;
			}
			if (!name_defined(p, e->t[e->n].name)) {
				perr(p, "%s: undefined name '%s' (define it with let or as=)",
				     what, e->t[e->n].name);
				return -1;
			}
		} else if (parse_number(q, len, &e->t[e->n].val)) {
			perr(p, "%s: bad number '%.*s' (use 0x hex, decimal, or K/M/G)",
			     what, (int)len, q);
			return -1;
		}
		e->n++;
		q += len;
		if (!*q)
			return 0;
		neg = *q == '-';
		q++;
	}
}

static int parse_prot(struct parser *p, const char *what, const char *s, uint32_t *prot)
{
	if (strlen(s) != 3 || !strchr("r-", s[0]) || !strchr("w-", s[1]) ||
	    !strchr("x-", s[2])) {
		perr(p, "%s: bad protection '%s' (like rw-, r-x, ---)", what, s);
		return -1;
	}
	*prot = (s[0] == 'r' ? PROT_READ : 0) | (s[1] == 'w' ? PROT_WRITE : 0) |
		(s[2] == 'x' ? PROT_EXEC : 0);
	return 0;
}

static const struct { const char *name; uint32_t flag; int opflag; } map_flags[] = {
	{ "private", MAP_PRIVATE, 0 }, { "shared", MAP_SHARED, 0 },
	{ "shared_validate", MAP_SHARED_VALIDATE, 0 },
	{ "anon", MAP_ANONYMOUS, 0 }, { "anonymous", MAP_ANONYMOUS, 0 },
	{ "fixed", MAP_FIXED, 0 }, { "fixed_noreplace", MAP_FIXED_NOREPLACE, 0 },
	{ "noreserve", MAP_NORESERVE, 0 }, { "growsdown", MAP_GROWSDOWN, 0 },
	{ "locked", MAP_LOCKED, 0 }, { "populate", MAP_POPULATE, 0 },
	{ "nonblock", MAP_NONBLOCK, 0 }, { "stack", MAP_STACK, 0 },
	{ "hugetlb", MAP_HUGETLB, 0 }, { "sync", MAP_SYNC, 0 },
	{ "denywrite", MAP_DENYWRITE, 0 }, { "executable", MAP_EXECUTABLE, 0 },
	{ "droppable", MAP_DROPPABLE, 0 },
	/* vmashadow's own: how the mapping's vm_ops behave */
	{ "close_op", 0, VMASHADOW_OPF_CLOSE_OP }, { "vdso", 0, VMASHADOW_OPF_VDSO },
	{ "vvar", 0, VMASHADOW_OPF_VVAR },
};

static int parse_flags(struct parser *p, const char *s, struct cmd *c)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	int rc = 0;

	for (tok = strtok_r(copy, ",|", &save); tok; tok = strtok_r(NULL, ",|", &save)) {
		size_t i;
		uint64_t v;

		for (i = 0; i < sizeof(map_flags) / sizeof(map_flags[0]); i++)
			if (!strcmp(tok, map_flags[i].name))
				break;
		if (i < sizeof(map_flags) / sizeof(map_flags[0])) {
			c->flags |= map_flags[i].flag;
			c->opflags |= (uint32_t)map_flags[i].opflag;
		} else if (!parse_number(tok, strlen(tok), &v) && v <= UINT32_MAX) {
			c->flags |= (uint32_t)v;	/* raw bits, for EINVAL tests */
		} else {
			perr(p, "map: unknown flag '%s'", tok);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

struct flag_word {
	const char *name;
	uint64_t bits;
};

static const struct flag_word mlock_words[] = { { "onfault", MLOCK_ONFAULT } };

static const struct flag_word mlockall_words[] = {
	{ "current", MCL_CURRENT }, { "future", MCL_FUTURE }, { "onfault", MCL_ONFAULT },
};

/* mbind's MODE: one of the modes, with the mode flags */
static const struct flag_word mpol_mode_words[] = {
	{ "default", VMS_MPOL_DEFAULT }, { "preferred", VMS_MPOL_PREFERRED },
	{ "bind", VMS_MPOL_BIND }, { "interleave", VMS_MPOL_INTERLEAVE },
	{ "local", VMS_MPOL_LOCAL }, { "preferred_many", VMS_MPOL_PREFERRED_MANY },
	{ "weighted_interleave", VMS_MPOL_WEIGHTED_INTERLEAVE },
};

static const struct flag_word mpol_flag_words[] = {
	{ "static_nodes", VMS_MPOL_F_STATIC_NODES },
	{ "relative_nodes", VMS_MPOL_F_RELATIVE_NODES },
	{ "numa_balancing", VMS_MPOL_F_NUMA_BALANCING },
};

static const struct flag_word mbind_words[] = {
	{ "strict", VMS_MPOL_MF_STRICT }, { "move", VMS_MPOL_MF_MOVE },
	{ "move_all", VMS_MPOL_MF_MOVE_ALL },
};

/* userfaultfd's UFFDIO_API features (uffd_open) */
static const struct flag_word uffd_feature_words[] = {
	{ "pagefault_flag_wp", VMS_UFFD_FEATURE_PAGEFAULT_FLAG_WP },
	{ "event_fork", VMS_UFFD_FEATURE_EVENT_FORK },
	{ "event_remap", VMS_UFFD_FEATURE_EVENT_REMAP },
	{ "event_remove", VMS_UFFD_FEATURE_EVENT_REMOVE },
	{ "missing_hugetlbfs", VMS_UFFD_FEATURE_MISSING_HUGETLBFS },
	{ "missing_shmem", VMS_UFFD_FEATURE_MISSING_SHMEM },
	{ "event_unmap", VMS_UFFD_FEATURE_EVENT_UNMAP },
	{ "sigbus", VMS_UFFD_FEATURE_SIGBUS },
	{ "thread_id", VMS_UFFD_FEATURE_THREAD_ID },
	{ "minor_hugetlbfs", VMS_UFFD_FEATURE_MINOR_HUGETLBFS },
	{ "minor_shmem", VMS_UFFD_FEATURE_MINOR_SHMEM },
	{ "exact_address", VMS_UFFD_FEATURE_EXACT_ADDRESS },
	{ "wp_hugetlbfs_shmem", VMS_UFFD_FEATURE_WP_HUGETLBFS_SHMEM },
	{ "wp_unpopulated", VMS_UFFD_FEATURE_WP_UNPOPULATED },
	{ "poison", VMS_UFFD_FEATURE_POISON },
	{ "wp_async", VMS_UFFD_FEATURE_WP_ASYNC },
	{ "move", VMS_UFFD_FEATURE_MOVE },
};

/* UFFDIO_REGISTER's modes (uffd_register, expect region uffd=N:MODE) */
static const struct flag_word uffd_mode_words[] = {
	{ "missing", VMS_UFFDIO_REGISTER_MODE_MISSING },
	{ "wp", VMS_UFFDIO_REGISTER_MODE_WP },
	{ "minor", VMS_UFFDIO_REGISTER_MODE_MINOR },
};

static const struct flag_word def_flags_words[] = {
	{ "none", 0 }, { "locked", VMASHADOW_VM_LOCKED },
	{ "lockonfault", VMASHADOW_VM_LOCKONFAULT },
};

/*
 * Flag words joined with ',' or '|' (numbers for raw bits, for EINVAL
 * tests), as the flags of map.  0 ok, -1 error (reported).
 */
static int parse_flag_words(struct parser *p, const char *what, const char *s,
			    const struct flag_word *tab, size_t n, uint64_t max,
			    uint64_t *out)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	int rc = 0;

	*out = 0;
	for (tok = strtok_r(copy, ",|", &save); tok; tok = strtok_r(NULL, ",|", &save)) {
		size_t i;
		uint64_t v;

		for (i = 0; i < n; i++)
			if (!strcmp(tok, tab[i].name))
				break;
		if (i < n) {
			*out |= tab[i].bits;
		} else if (!parse_number(tok, strlen(tok), &v) && v <= max) {
			*out |= v;
		} else {
			perr(p, "%s: unknown flag '%s'", what, tok);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}
#define FLAG_WORDS(p, what, s, tab, max, out) \
	parse_flag_words(p, what, s, tab, sizeof(tab) / sizeof(tab[0]), max, out)

/* Split a line into words; "..." quotes; # starts a comment at a word start. */
static int split_words(struct parser *p, char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			return n;
		if (n == max) {
			perr(p, "too many words");
			return -1;
		}
		if (*s == '"') {
			char *o = ++s;

			w[n++] = o;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1])
					s++;
				*o++ = *s++;
			}
			if (*s != '"') {
				perr(p, "unterminated quote");
				return -1;
			}
			s++;
			*o = 0;
			if (*s && !isspace((unsigned char)*s)) {
				perr(p, "junk after quoted word");
				return -1;
			}
			if (*s)
				s++;
			continue;
		}
		w[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = 0;
	}
}

/* "key=value" → value, if the word starts with key=. */
static const char *kv(const char *word, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(word, key, n) && word[n] == '=' ? word + n + 1 : NULL;
}

static int nargs(struct parser *p, const char *what, int n, int min, int max)
{
	if (n < min || n > max) {
		if (min == max)
			perr(p, "%s: expects %d argument%s, got %d", what, min,
			     min == 1 ? "" : "s", n);
		else
			perr(p, "%s: expects %d to %d arguments, got %d", what, min,
			     max, n);
		return -1;
	}
	return 0;
}

const char *const stat_names[NSTATS] = {
	"regions", "peak_regions", "merges", "splits", "truncations", "removals",
	"lookups", "cache_hits", "cache_misses", "tree_height", "anon_vmas",
	"locked_pages", "data_pages",
};

const char *const set_names[NSET] = {
	"rules", "max_map_count", "brk", "stack", "mmap_base", "mmap_min_addr",
	"overcommit", "rlimit_as", "commit", "def_flags", "rlimit_memlock",
	"rlimit_data", "ignore_rlimit_data", "data_segment", "rlimit_stack",
	"mems_allowed", "nodes_online", "arg_start",
};
const uint32_t set_bits[NSET] = {
	VMASHADOW_PARAM_RULES, VMASHADOW_PARAM_MAX_MAP_COUNT, VMASHADOW_PARAM_BRK,
	VMASHADOW_PARAM_START_STACK, VMASHADOW_PARAM_MMAP_BASE,
	VMASHADOW_PARAM_MMAP_MIN_ADDR, VMASHADOW_PARAM_OVERCOMMIT,
	VMASHADOW_PARAM_RLIMIT_AS, VMASHADOW_PARAM_COMMIT, VMASHADOW_PARAM_DEF_FLAGS,
	VMASHADOW_PARAM_MEMLOCK, VMASHADOW_PARAM_RLIMIT_DATA,
	VMASHADOW_PARAM_RLIMIT_DATA, VMASHADOW_PARAM_DATA_SEGMENT,
	VMASHADOW_PARAM_RLIMIT_STACK, VMASHADOW_PARAM_MEMS_ALLOWED,
	VMASHADOW_PARAM_NODES_ONLINE, VMASHADOW_PARAM_ARG_START,
};

static const char *const madv_names[] = {
	"normal", "random", "sequential", "willneed", "dontneed", "free",
	"remove", "dontfork", "dofork", "mergeable", "unmergeable", "hugepage",
	"nohugepage", "dontdump", "dodump", "wipeonfork", "keeponfork", "cold",
	"pageout", "populate_read", "populate_write", "collapse",
};

static const int madv_values[] = {
	0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
	23, 25,
};

const char *const result_names[NRESULT] = {
	"map_count", "merges", "splits", "truncations", "removals",
};

static int lookup(const char *const *tab, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(tab[i], s))
			return (int)i;
	return -1;
}
#define LOOKUP(tab, s) lookup(tab, sizeof(tab) / sizeof(tab[0]), s)

/* A resource limit: an expression in bytes, or unlimited (RLIM_INFINITY). */
static int parse_limit(struct parser *p, const char *what, const char *s,
		       struct expr *e)
{
	if (strcmp(s, "unlimited"))
		return parse_expr(p, what, s, e);
	memset(e, 0, sizeof(*e));
	e->n = 1;
	e->t[0].val = VMASHADOW_RLIM_INFINITY;
	return 0;
}

static int parse_window(struct parser *p, struct cmd *c, char **w, int i)
{
	if (parse_expr(p, "window", w[i + 1], &c->e[0]) ||
	    parse_expr(p, "window", w[i + 2], &c->e[1]))
		return -1;
	c->ne = 2;
	c->has_window = 1;
	return 0;
}

/*
 * mbind's MODE: a mode's name (or none: MPOL_DEFAULT) with the mode flags,
 * joined by '|' or ',', as bind|static_nodes; numbers add raw bits, for
 * EINVAL tests.  0 ok, -1 error (reported).
 */
static int parse_mpol_mode(struct parser *p, const char *s, uint32_t *out)
{
	const size_t nmodes = sizeof(mpol_mode_words) / sizeof(mpol_mode_words[0]);
	const size_t nflags = sizeof(mpol_flag_words) / sizeof(mpol_flag_words[0]);
	char *copy = xstrdup(s), *tok, *save = NULL;
	const char *mode = NULL;
	int rc = 0;

	*out = 0;
	for (tok = strtok_r(copy, ",|", &save); tok && !rc;
	     tok = strtok_r(NULL, ",|", &save)) {
		size_t m, f;
		uint64_t v;

		for (m = 0; m < nmodes && strcmp(tok, mpol_mode_words[m].name); m++)
			;
		for (f = 0; f < nflags && strcmp(tok, mpol_flag_words[f].name); f++)
			;
		if (m < nmodes && mode) {
			perr(p, "mbind: two modes, '%s' and '%s'", mode, tok);
			rc = -1;
		} else if (m < nmodes) {
			mode = mpol_mode_words[m].name;
			*out |= (uint32_t)mpol_mode_words[m].bits;
		} else if (f < nflags) {
			*out |= (uint32_t)mpol_flag_words[f].bits;
		} else if (!parse_number(tok, strlen(tok), &v) && v <= UINT32_MAX) {
			*out |= (uint32_t)v;
		} else {
			perr(p, "mbind: unknown mode '%s' (default, preferred, bind, "
			     "interleave, local, preferred_many, weighted_interleave; "
			     "|static_nodes, |relative_nodes, |numa_balancing)", tok);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

/* One node list of a policy's text: 0, or -1 with a message in @err. */
static int policy_nodes(const char *s, size_t n, __u64 *out, char *err, size_t errlen)
{
	char list[256];
	uint64_t mask;
	int high;

	if (!n || n >= sizeof(list)) {
		snprintf(err, errlen, "bad node list '%.*s'", (int)n, s);
		return -1;
	}
	memcpy(list, s, n);
	list[n] = 0;
	if (vms_parse_nodes(list, &mask, &high) || high) {
		snprintf(err, errlen, "bad node list '%s' (nodes 0-63, like 0,2-3)", list);
		return -1;
	}
	*out = mask;
	return 0;
}

/* Where a ,given= or ,home= begins in @s, or NULL. */
static const char *policy_key(const char *s)
{
	for (s = strchr(s, ','); s; s = strchr(s + 1, ','))
		if (!strncmp(s, ",given=", 7) || !strncmp(s, ",home=", 6))
			return s;
	return NULL;
}

int vms_parse_policy(const char *s, struct vmashadow_policy *p, char *err, size_t errlen)
{
	const size_t nflags = sizeof(mpol_flag_words) / sizeof(mpol_flag_words[0]);
	const char *keys = policy_key(s), *k;
	char head[256], *tok, *save = NULL, *colon;
	int have_given = 0;
	size_t n, f;
	uint64_t v;

	p->mode = 0;
	p->mode_flags = 0;
	p->nodes = 0;
	p->user_nodes = 0;
	p->home_node = -1;
	/* MODE[|FLAG...][:NODES], up to the first key (node lists have commas) */
	n = keys ? (size_t)(keys - s) : strlen(s);
	if (n >= sizeof(head))
		goto bad;
	memcpy(head, s, n);
	head[n] = 0;
	colon = strchr(head, ':');
	if (colon) {
		*colon = 0;
		if (policy_nodes(colon + 1, strlen(colon + 1), &p->nodes, err, errlen))
			return -1;
	}
	for (tok = strtok_r(head, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		unsigned int m;

		if (tok == head) {
			for (m = 0; vd_mpol_mode_name(m) && strcmp(tok, vd_mpol_mode_name(m)); m++)
				;
			if (vd_mpol_mode_name(m))
				p->mode = m;
			else if (!parse_number(tok, strlen(tok), &v) && v <= UINT32_MAX)
				p->mode = (uint32_t)v;
			else
				goto bad;
			continue;
		}
		for (f = 0; f < nflags && strcmp(tok, mpol_flag_words[f].name); f++)
			;
		if (f < nflags)
			p->mode_flags |= (uint32_t)mpol_flag_words[f].bits;
		else if (!parse_number(tok, strlen(tok), &v) && v <= UINT32_MAX)
			p->mode_flags |= (uint32_t)v;
		else
			goto bad;
	}
	if (!head[0] || head[0] == '|')
		goto bad;
	/* ,given=NODES and ,home=N, each running on to the next key */
	for (k = keys; k; k = policy_key(k + 1)) {
		const char *val = strchr(k, '=') + 1, *next = policy_key(val);

		n = next ? (size_t)(next - val) : strlen(val);
		if (k[1] == 'g') {
			if (policy_nodes(val, n, &p->user_nodes, err, errlen))
				return -1;
			have_given = 1;
		} else {
			char *end;
			long h;

			errno = 0;
			h = strtol(val, &end, 10);
			if (errno || !n || end != val + n || h < 0 || h > INT32_MAX) {
				snprintf(err, errlen, "bad home node '%.*s'", (int)n, val);
				return -1;
			}
			p->home_node = (int32_t)h;
		}
	}
	/* the nodes as given are kept (and shown) only with a mode flag */
	if (have_given && !p->mode_flags) {
		snprintf(err, errlen, "given= needs a mode flag (static_nodes, "
			 "relative_nodes, numa_balancing): the kernel keeps the nodes "
			 "as given only then");
		return -1;
	}
	if (!have_given && p->mode_flags)
		p->user_nodes = p->nodes;
	return 0;
bad:
	snprintf(err, errlen, "bad policy '%s' (MODE[|FLAG...][:NODES][,given=NODES]"
		 "[,home=N], like bind:0 or bind|static_nodes:0,given=0-1)", s);
	return -1;
}

/*
 * A node mask into @e, as a constant: a list (0,2-3), a 0x mask, or
 * none (also - and null: mbind's NULL pointer).  Nodes 0-63.
 */
static int parse_node_word(struct parser *p, const char *what, const char *s,
			   struct expr *e)
{
	uint64_t mask = 0;
	int high = 0;

	memset(e, 0, sizeof(*e));
	e->n = 1;
	if (!strcmp(s, "none") || !strcmp(s, "-") || !strcmp(s, "null"))
		return 0;
	if (!*s || vms_parse_nodes(s, &mask, &high)) {
		perr(p, "%s: bad node list '%s' (like 0,2-3, or a 0x mask)", what, s);
		return -1;
	}
	if (high) {
		perr(p, "%s: '%s' names a node above 63, which the shadow does not "
		     "hold", what, s);
		return -1;
	}
	e->t[0].val = mask;
	return 0;
}

/*
 * expect region uffd=N[:MODE]: the context, 1 to VMASHADOW_UFFD_MAX, and
 * the modes its registration has, exactly (without them, any).  0 ok, -1
 * error (reported).
 */
static int parse_uffd(struct parser *p, const char *s, struct cmd *c)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	uint64_t v;

	if (!n || parse_number(s, n, &v) || !v || v > VMASHADOW_UFFD_MAX) {
		perr(p, "expect region: bad userfaultfd context '%.*s' (1 to %d)",
		     (int)n, s, VMASHADOW_UFFD_MAX);
		return -1;
	}
	c->xuffd = (unsigned int)v;
	c->xuffd_modes = -1;
	if (!colon)
		return 0;
	if (!colon[1] || FLAG_WORDS(p, "expect region uffd", colon + 1, uffd_mode_words,
				    7, &v)) {
		if (!colon[1])
			perr(p, "expect region: uffd=%s: no mode after ':' (missing, wp, "
			     "minor)", s);
		return -1;
	}
	c->xuffd_modes = (int)v;
	return 0;
}

static int parse_words(struct parser *p, char **w, int n, struct cmd *c);

static int parse_op_only(struct parser *p, char **w, int n, struct cmd *c,
			 const char *ctx)
{
	if (parse_words(p, w, n, c))
		return -1;
	if (c->kind > C_TOUCH && c->kind != C_REMAP && c->kind != C_BRK &&
	    c->kind != C_MADVISE && c->kind != C_SEAL && c->kind != C_VDSO &&
	    c->kind != C_MLOCK && c->kind != C_MUNLOCK && c->kind != C_MLOCKALL &&
	    c->kind != C_MUNLOCKALL && c->kind != C_MBIND && c->kind != C_HOME_NODE &&
	    c->kind != C_UFFD_OPEN && c->kind != C_UFFD_REGISTER &&
	    c->kind != C_UFFD_UNREGISTER && c->kind != C_UFFD_CLOSE) {
		perr(p, "%s: only an operation may follow (map, unmap, protect, "
		     "touch, remap, brk, madvise, seal, vdso, mlock, munlock, "
		     "mlockall, munlockall, mbind, home_node, uffd_open, "
		     "uffd_register, uffd_unregister, uffd_close)", ctx);
		cmd_free(c);
		return -1;
	}
	return 0;
}

/* Parse one command from its words.  0 ok, -1 error (reported). */
static int parse_words(struct parser *p, char **w, int n, struct cmd *c)
{
	const char *v = w[0];
	int i, a = n - 1;

	memset(c, 0, sizeof(*c));
	c->line = p->line;
	c->fd = -1;
	if (!strcmp(v, "map")) {
		int pos = 0;

		c->kind = C_MAP;
		for (i = 1; i < n; i++) {
			const char *x;

			if ((x = kv(w[i], "file"))) {
				if (!*x) {
					perr(p, "map: empty file=");
					return -1;
				}
				c->file = xstrdup(x);
				if (!strchr(x, '/') && !name_defined(p, x)) {
					perr(p, "map: file=%s: no such open name (use open "
					     "NAME PATH, or a path with a /)", x);
					return -1;
				}
			} else if ((x = kv(w[i], "offset")) || (x = kv(w[i], "off"))) {
				if (parse_expr(p, "map offset", x, &c->e[3]))
					return -1;
			} else if ((x = kv(w[i], "fd"))) {
				char *end;

				c->fd = (int)strtol(x, &end, 10);
				if (!*x || *end) {
					perr(p, "map: bad fd '%s'", x);
					return -1;
				}
				c->have_fd = 1;
			} else if ((x = kv(w[i], "as"))) {
				if (!valid_name(x)) {
					perr(p, "map: bad name '%s'", x);
					return -1;
				}
				c->name = xstrdup(x);
			} else if (pos == 0 || pos == 1) {
				if (parse_expr(p, pos ? "map length" : "map address",
					       w[i], &c->e[pos]))
					return -1;
				pos++;
			} else if (pos == 2) {
				if (parse_prot(p, "map", w[i], &c->prot))
					return -1;
				pos++;
			} else if (pos == 3) {
				if (parse_flags(p, w[i], c))
					return -1;
				pos++;
			} else {
				perr(p, "map: unexpected '%s'", w[i]);
				return -1;
			}
		}
		if (pos != 4) {
			perr(p, "map: usage: map ADDR LEN PROT FLAGS [file=F] [offset=N] "
			     "[as=NAME]");
			return -1;
		}
		if (!c->file && !c->have_fd && !(c->flags & MAP_ANONYMOUS) &&
		    !(c->opflags & (VMASHADOW_OPF_VDSO | VMASHADOW_OPF_VVAR))) {
			perr(p, "map: neither anon nor file= given");
			return -1;
		}
		if (c->name)
			define_name(p, c->name);
		c->ne = 4;
		return 0;
	}
	if (!strcmp(v, "unmap") || !strcmp(v, "munmap")) {
		c->kind = C_UNMAP;
		if (nargs(p, v, a, 2, 2) || parse_expr(p, v, w[1], &c->e[0]) ||
		    parse_expr(p, v, w[2], &c->e[1]))
			return -1;
		return 0;
	}
	if (!strcmp(v, "protect") || !strcmp(v, "mprotect")) {
		c->kind = C_PROTECT;
		if (nargs(p, v, a, 3, 3) || parse_expr(p, v, w[1], &c->e[0]) ||
		    parse_expr(p, v, w[2], &c->e[1]) || parse_prot(p, v, w[3], &c->prot))
			return -1;
		return 0;
	}
	if (!strcmp(v, "touch")) {
		c->kind = C_TOUCH;
		if (nargs(p, v, a, 1, 1) || parse_expr(p, v, w[1], &c->e[0]))
			return -1;
		return 0;
	}
	if (!strcmp(v, "find")) {
		static const char *const modes[] = { "vma", "prev", "intersect",
						     "lookup", "exact" };
		int m = a >= 1 ? LOOKUP(modes, w[1]) : -1, first = 2;

		c->kind = C_FIND;
		if (m < 0) {
			m = VMASHADOW_FIND_VMA;
			first = 1;
		}
		c->mode = m;
		i = (m == VMASHADOW_FIND_INTERSECT || m == VMASHADOW_FIND_EXACT) ? 2 : 1;
		if (nargs(p, "find", n - first, i, i) ||
		    parse_expr(p, "find", w[first], &c->e[0]) ||
		    (i == 2 && parse_expr(p, "find", w[first + 1], &c->e[1])))
			return -1;
		return 0;
	}
	if (!strcmp(v, "list") || !strcmp(v, "stats") || !strcmp(v, "validate") ||
	    !strcmp(v, "reset") || !strcmp(v, "fork")) {
		c->kind = !strcmp(v, "list") ? C_LIST : !strcmp(v, "stats") ? C_STATS :
			  !strcmp(v, "validate") ? C_VALIDATE : !strcmp(v, "reset") ?
			  C_RESET : C_FORK;
		return nargs(p, v, a, 0, 0);
	}
	if (!strcmp(v, "maps") || !strcmp(v, "show")) {
		c->kind = C_MAPS;
		c->fmt = p->deffmt;
		for (i = 1; i < n; i++) {
			if (!vms_parse_format(w[i], &c->fmt)) {
				c->has_fmt = 1;
			} else if (!strcmp(w[i], "window")) {
				if (i + 2 >= n) {
					perr(p, "maps: window needs START END");
					return -1;
				}
				if (parse_window(p, c, w, i))
					return -1;
				i += 2;
			} else if (!strcmp(w[i], "to")) {
				if (i + 1 >= n) {
					perr(p, "maps: to needs a PATH");
					return -1;
				}
				c->outpath = xstrdup(w[++i]);
			} else {
				perr(p, "maps: unexpected '%s' (formats: maps pmap json svg)",
				     w[i]);
				return -1;
			}
		}
		if (c->fmt != VMS_FMT_MAPS)
			p->need_diff = 1;
		return 0;
	}
	if (!strcmp(v, "why")) {
		/* why [START END]: the boundaries kept apart, and why */
		c->kind = C_WHY;
		c->ne = a;
		if (a != 0 && a != 2) {
			perr(p, "why: usage: why [START END]");
			return -1;
		}
		return a ? parse_expr(p, "why", w[1], &c->e[0]) ||
			   parse_expr(p, "why", w[2], &c->e[1]) : 0;
	}
	if (!strcmp(v, "explain")) {
		c->kind = C_EXPLAIN;
		c->mode = VMASHADOW_EXPLAIN_LAST;
		if (a == 0 || (a == 1 && !strcmp(w[1], "last")))
			return 0;
		if (a == 2 && !strcmp(w[1], "at")) {
			c->mode = VMASHADOW_EXPLAIN_AT;
			return parse_expr(p, "explain", w[2], &c->e[0]);
		}
		perr(p, "explain: usage: explain [last | at ADDR]");
		return -1;
	}
	if (!strcmp(v, "set")) {
		int k = a >= 1 ? LOOKUP(set_names, w[1]) : -1;

		c->kind = C_SET;
		if (k < 0) {
			char known[512];
			size_t i, n = 0;

			/* the names, from the table that knows them */
			for (i = 0; i < NSET && n < sizeof(known); i++)
				n += snprintf(known + n, sizeof(known) - n, "%s%s",
					      i ? ", " : "", set_names[i]);
			perr(p, "set: unknown parameter '%s' (%s)",
			     a >= 1 ? w[1] : "", known);
			return -1;
		}
		c->mode = k;
		if (set_bits[k] == VMASHADOW_PARAM_RULES) {
			if (nargs(p, "set rules", a - 1, 1, 1))
				return -1;
			if (!strcmp(w[2], "6.1"))
				c->u = VMASHADOW_RULES_6_1;
			else if (!strcmp(w[2], "6.12"))
				c->u = VMASHADOW_RULES_6_12;
			else {
				perr(p, "set rules: '%s' is not 6.1 or 6.12", w[2]);
				return -1;
			}
			return 0;
		}
		if (set_bits[k] == VMASHADOW_PARAM_BRK) {
			if (nargs(p, "set brk", a - 1, 1, 2) ||
			    parse_expr(p, "set brk", w[2], &c->e[0]))
				return -1;
			c->e[1] = c->e[0];	/* brk defaults to start_brk */
			return a == 3 ? parse_expr(p, "set brk", w[3], &c->e[1]) : 0;
		}
		if (set_bits[k] == VMASHADOW_PARAM_DEF_FLAGS) {
			/* as mlockall(MCL_FUTURE) leaves it: locked[,lockonfault] */
			uint64_t v = 0;

			if (nargs(p, "set def_flags", a - 1, 1, 1) ||
			    FLAG_WORDS(p, "set def_flags", w[2], def_flags_words,
				       UINT64_MAX, &v))
				return -1;
			c->e[0].n = 1;
			c->e[0].t[0].val = v;
			return 0;
		}
		if (set_bits[k] == VMASHADOW_PARAM_MEMS_ALLOWED ||
		    set_bits[k] == VMASHADOW_PARAM_NODES_ONLINE) {
			char what[32];

			snprintf(what, sizeof(what), "set %s", w[1]);
			return nargs(p, what, a - 1, 1, 1) ||
			       parse_node_word(p, what, w[2], &c->e[0]) ? -1 : 0;
		}
		if (set_bits[k] == VMASHADOW_PARAM_MEMLOCK ||
		    set_bits[k] == VMASHADOW_PARAM_RLIMIT_STACK)
			return nargs(p, w[1], a - 1, 1, 1) ||
			       parse_limit(p, w[1], w[2], &c->e[0]) ? -1 : 0;
		if (!strcmp(w[1], "rlimit_data")) {
			/* SOFT [HARD]; c->flag: HARD given */
			c->flag = a == 3;
			return nargs(p, w[1], a - 1, 1, 2) ||
			       parse_limit(p, w[1], w[2], &c->e[0]) ||
			       (c->flag && parse_limit(p, w[1], w[3], &c->e[1])) ? -1 : 0;
		}
		if (!strcmp(w[1], "ignore_rlimit_data")) {
			/* the boot option: a switch, not an expression */
			if (nargs(p, w[1], a - 1, 1, 1))
				return -1;
			if (strcmp(w[2], "0") && strcmp(w[2], "1")) {
				perr(p, "set ignore_rlimit_data: '%s' is not 0 or 1", w[2]);
				return -1;
			}
			c->e[0].n = 1;
			c->e[0].t[0].val = w[2][0] == '1';
			return 0;
		}
		if (set_bits[k] == VMASHADOW_PARAM_DATA_SEGMENT)
			return nargs(p, "set data_segment", a - 1, 2, 2) ||
			       parse_expr(p, "set data_segment", w[2], &c->e[0]) ||
			       parse_expr(p, "set data_segment", w[3], &c->e[1]) ? -1 : 0;
		if (set_bits[k] == VMASHADOW_PARAM_COMMIT)
			return nargs(p, "set commit", a - 1, 2, 2) ||
			       parse_expr(p, "set commit", w[2], &c->e[0]) ||
			       parse_expr(p, "set commit", w[3], &c->e[1]) ? -1 : 0;
		if (nargs(p, w[1], a - 1, 1, 1) || parse_expr(p, w[1], w[2], &c->e[0]))
			return -1;
		return 0;
	}
	if (!strcmp(v, "open")) {
		c->kind = C_OPEN;
		c->mode = -1;
		if (a < 2) {
			perr(p, "open: usage: open NAME PATH [ro|rw] [create=SIZE]");
			return -1;
		}
		if (!valid_name(w[1])) {
			perr(p, "open: bad name '%s'", w[1]);
			return -1;
		}
		c->name = xstrdup(w[1]);
		c->file = xstrdup(w[2]);
		for (i = 3; i < n; i++) {
			const char *x;

			if (!strcmp(w[i], "ro"))
				c->mode = O_RDONLY;
			else if (!strcmp(w[i], "rw"))
				c->mode = O_RDWR;
			else if ((x = kv(w[i], "create"))) {
				if (parse_expr(p, "open create", x, &c->e[0]))
					return -1;
				c->flag = 1;
			} else {
				perr(p, "open: unexpected '%s'", w[i]);
				return -1;
			}
		}
		define_name(p, c->name);
		return 0;
	}
	if (!strcmp(v, "close")) {
		c->kind = C_CLOSE;
		if (nargs(p, v, a, 1, 1))
			return -1;
		if (!name_defined(p, w[1])) {
			perr(p, "close: no such open name '%s'", w[1]);
			return -1;
		}
		c->name = xstrdup(w[1]);
		return 0;
	}
	if (!strcmp(v, "let")) {
		c->kind = C_LET;
		if (nargs(p, v, a, 2, 2))
			return -1;
		if (!valid_name(w[1])) {
			perr(p, "let: bad name '%s'", w[1]);
			return -1;
		}
		if (parse_expr(p, "let", w[2], &c->e[0]))
			return -1;
		c->name = xstrdup(w[1]);
		define_name(p, c->name);
		return 0;
	}
	if (!strcmp(v, "diff")) {
		c->kind = C_DIFF;
		if (nargs(p, v, a, 1, 3) || a == 2) {
			if (a == 2)
				perr(p, "diff: usage: diff PID|self [START END]");
			return -1;
		}
		c->file = xstrdup(w[1]);
		if (a == 3 && (parse_expr(p, v, w[2], &c->e[0]) ||
			       parse_expr(p, v, w[3], &c->e[1])))
			return -1;
		c->has_window = a == 3;
		return 0;
	}
	if (!strcmp(v, "expect"))
		goto expect;
	/* Operations the module does not offer yet: full syntax, refused at run. */
	if (!strcmp(v, "remap") || !strcmp(v, "mremap")) {
		c->kind = C_REMAP;
		if (nargs(p, v, a, 3, 5) || parse_expr(p, v, w[1], &c->e[0]) ||
		    parse_expr(p, v, w[2], &c->e[1]) || parse_expr(p, v, w[3], &c->e[2]))
			return -1;
		for (i = 4; i < n; i++) {
			char *copy = xstrdup(w[i]), *tok, *save = NULL;
			uint32_t fl = 0;
			int bad = 0;

			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (!strcmp(tok, "maymove"))
					fl |= 1;	/* MREMAP_MAYMOVE */
				else if (!strcmp(tok, "fixed"))
					fl |= 2;	/* MREMAP_FIXED */
				else if (!strcmp(tok, "dontunmap"))
					fl |= 4;	/* MREMAP_DONTUNMAP */
				else
					bad = 1;
			}
			free(copy);
			if (!bad && i == 4)
				c->flags = fl;
			else if (parse_expr(p, "remap new address", w[i], &c->e[3]))
				return -1;
		}
		return 0;
	}
	if (!strcmp(v, "brk")) {
		c->kind = C_BRK;
		return nargs(p, v, a, 1, 1) || parse_expr(p, v, w[1], &c->e[0]);
	}
	if (!strcmp(v, "madvise")) {
		c->kind = C_MADVISE;
		if (nargs(p, v, a, 3, 3) || parse_expr(p, v, w[1], &c->e[0]) ||
		    parse_expr(p, v, w[2], &c->e[1]))
			return -1;
		i = LOOKUP(madv_names, w[3]);
		if (i < 0) {
			perr(p, "madvise: unknown advice '%s'", w[3]);
			return -1;
		}
		c->flags = (uint32_t)madv_values[i];
		return 0;
	}
	if (!strcmp(v, "seal")) {
		c->kind = C_SEAL;
		return nargs(p, v, a, 2, 2) || parse_expr(p, v, w[1], &c->e[0]) ||
		       parse_expr(p, v, w[2], &c->e[1]) ? -1 : 0;
	}
	if (!strcmp(v, "mlock") || !strcmp(v, "mlock2")) {
		uint64_t fl = 0;

		c->kind = C_MLOCK;
		if (nargs(p, v, a, 2, 3) || parse_expr(p, v, w[1], &c->e[0]) ||
		    parse_expr(p, v, w[2], &c->e[1]) ||
		    (a == 3 && FLAG_WORDS(p, v, w[3], mlock_words, UINT32_MAX, &fl)))
			return -1;
		c->flags = (uint32_t)fl;	/* MLOCK_ONFAULT */
		return 0;
	}
	if (!strcmp(v, "munlock")) {
		c->kind = C_MUNLOCK;
		return nargs(p, v, a, 2, 2) || parse_expr(p, v, w[1], &c->e[0]) ||
		       parse_expr(p, v, w[2], &c->e[1]) ? -1 : 0;
	}
	if (!strcmp(v, "mlockall")) {
		uint64_t fl = 0;

		c->kind = C_MLOCKALL;
		if (nargs(p, v, a, 1, 1) ||
		    FLAG_WORDS(p, v, w[1], mlockall_words, UINT32_MAX, &fl))
			return -1;
		c->flags = (uint32_t)fl;	/* MCL_* */
		return 0;
	}
	if (!strcmp(v, "munlockall")) {
		c->kind = C_MUNLOCKALL;
		return nargs(p, v, a, 0, 0);
	}
	if (!strcmp(v, "mbind")) {
		/* ADDR LEN MODE [NODES [FLAGS]] [maxnode=N], in e[0-3] */
		int pos = 0, maxnode = 0;
		uint64_t fl = 0;

		c->kind = C_MBIND;
		c->e[2].n = 1;		/* no nodes: NULL */
		for (i = 1; i < n; i++) {
			const char *x = kv(w[i], "maxnode");

			if (x) {
				if (parse_expr(p, "mbind maxnode", x, &c->e[3]))
					return -1;
				maxnode = 1;
			} else if (pos == 0 || pos == 1) {
				if (parse_expr(p, v, w[i], &c->e[pos]))
					return -1;
				pos++;
			} else if (pos == 2) {
				if (parse_mpol_mode(p, w[i], &c->prot))
					return -1;
				pos++;
			} else if (pos == 3 && !strcmp(w[i], "empty")) {
				/* a mask given that names no node */
				c->opflags |= VMASHADOW_OPF_NODEMASK;
				pos++;
			} else if (pos == 3) {
				if (parse_node_word(p, v, w[i], &c->e[2]))
					return -1;
				pos++;
			} else if (pos == 4) {
				if (FLAG_WORDS(p, v, w[i], mbind_words, UINT32_MAX, &fl))
					return -1;
				c->flags = (uint32_t)fl;	/* MPOL_MF_* */
				pos++;
			} else {
				perr(p, "mbind: unexpected '%s'", w[i]);
				return -1;
			}
		}
		if (pos < 3) {
			perr(p, "mbind: usage: mbind ADDR LEN MODE [NODES [FLAGS]] "
			     "[maxnode=N]");
			return -1;
		}
		/* nodes 0-63 take 64 bits; a NULL mask, none */
		if (!maxnode) {
			c->e[3].n = 1;
			c->e[3].t[0].val = (c->e[2].t[0].val ||
					    (c->opflags & VMASHADOW_OPF_NODEMASK)) ?
					   VMS_MAXNODE : 0;
		}
		c->ne = 4;
		return 0;
	}
	if (!strcmp(v, "home_node") || !strcmp(v, "set_mempolicy_home_node")) {
		/*
		 * ADDR LEN NODE [FLAGS], in e[0-3]: the node a number, not a
		 * list (the call names one); the flags a number, as the
		 * kernel defines none to name.
		 */
		c->kind = C_HOME_NODE;
		if (nargs(p, v, a, 3, 4) || parse_expr(p, v, w[1], &c->e[0]) ||
		    parse_expr(p, v, w[2], &c->e[1]) || parse_expr(p, v, w[3], &c->e[2]) ||
		    (a == 4 && parse_expr(p, v, w[4], &c->e[3])))
			return -1;
		c->ne = 4;
		return 0;
	}
	if (!strcmp(v, "uffd_open") || !strcmp(v, "uffd_close")) {
		/*
		 * CTX [FEATURES], CTX: the context, a number of the script's
		 * choosing, in e[2] as for the other two; the UFFDIO_API
		 * features joined by '|' or ',', numbers for raw bits.
		 */
		uint64_t fl = 0;

		c->kind = !strcmp(v, "uffd_open") ? C_UFFD_OPEN : C_UFFD_CLOSE;
		if (nargs(p, v, a, 1, c->kind == C_UFFD_OPEN ? 2 : 1) ||
		    parse_expr(p, v, w[1], &c->e[2]) ||
		    (a == 2 && FLAG_WORDS(p, v, w[2], uffd_feature_words, UINT32_MAX, &fl)))
			return -1;
		c->flags = (uint32_t)fl;	/* UFFD_FEATURE_* */
		c->ne = 3;
		return 0;
	}
	if (!strcmp(v, "uffd_register") || !strcmp(v, "uffd_unregister")) {
		/* ADDR LEN CTX, and register's MODE, in e[0-2] and ->flags */
		uint64_t fl = 0;

		c->kind = !strcmp(v, "uffd_register") ? C_UFFD_REGISTER :
			  C_UFFD_UNREGISTER;
		i = c->kind == C_UFFD_REGISTER ? 4 : 3;
		if (nargs(p, v, a, i, i) || parse_expr(p, v, w[1], &c->e[0]) ||
		    parse_expr(p, v, w[2], &c->e[1]) || parse_expr(p, v, w[3], &c->e[2]) ||
		    (a == 4 && FLAG_WORDS(p, v, w[4], uffd_mode_words, UINT32_MAX, &fl)))
			return -1;
		c->flags = (uint32_t)fl;	/* UFFDIO_REGISTER_MODE_* */
		c->ne = 3;
		return 0;
	}
	if (!strcmp(v, "vdso")) {
		/* vdso HINT LEN VVARLEN | vdso exec LEN VVARLEN [PAGE] */
		c->kind = C_VDSO;
		c->flag = a >= 1 && !strcmp(w[1], "exec");
		if (nargs(p, v, a, 3, c->flag ? 4 : 3))
			return -1;
		if ((!c->flag && parse_expr(p, v, w[1], &c->e[0])) ||
		    parse_expr(p, v, w[2], &c->e[1]) ||
		    parse_expr(p, v, w[3], &c->e[2]) ||
		    (a == 4 && parse_expr(p, v, w[4], &c->e[3])))
			return -1;
		return 0;
	}
	if (!strcmp(v, "import")) {
		c->kind = C_IMPORT;
		if (nargs(p, v, a, 1, 3) || a == 2) {
			if (a == 2)
				perr(p, "import: usage: import PID|self [START END]");
			return -1;
		}
		if (strcmp(w[1], "self") && strspn(w[1], "0123456789") != strlen(w[1])) {
			perr(p, "import: '%s' is not a PID or self", w[1]);
			return -1;
		}
		c->file = xstrdup(w[1]);
		c->has_window = a == 3;
		return a == 3 && (parse_expr(p, v, w[2], &c->e[0]) ||
				  parse_expr(p, v, w[3], &c->e[1]));
	}
	if (!strcmp(v, "dry-run")) {
		c->kind = C_DRYRUN;
		if (a < 1) {
			perr(p, "dry-run: usage: dry-run OPERATION...");
			return -1;
		}
		c->sub = xmalloc(sizeof(*c->sub));
		if (parse_op_only(p, w + 1, n - 1, c->sub, "dry-run"))
			return -1;
		c->nsub = 1;
		return 0;
	}
	if (!strcmp(v, "batch")) {
		c->kind = C_BATCH;
		if (nargs(p, v, a, 0, 0))
			return -1;
		return 0;	/* the block follows */
	}
	if (!strcmp(v, "echo")) {
		c->kind = C_ECHO;
		return 0;	/* text set by the caller */
	}
	if (!strcmp(v, "end")) {
		perr(p, "'end' without 'expect maps' or 'batch'");
		return -1;
	}
	perr(p, "unknown command '%s'", v);
	return -1;

expect:
	if (a < 1) {
		perr(p, "expect: what? (ok, errno, addr, regions, region, free, maps, "
		     "valid, case, explain, stats, change)");
		return -1;
	}
	v = w[1];
	a--;
	if (!strcmp(v, "ok")) {
		c->kind = C_X_ERRNO;
		c->mode = 0;
		return nargs(p, "expect ok", a, 0, 0);
	}
	if (!strcmp(v, "errno")) {
		c->kind = C_X_ERRNO;
		if (nargs(p, "expect errno", a, 1, 1))
			return -1;
		c->mode = vms_errno_value(w[2]);
		if (c->mode < 0) {
			perr(p, "expect errno: unknown errno '%s'", w[2]);
			return -1;
		}
		return 0;
	}
	if (!strcmp(v, "addr")) {
		c->kind = C_X_ADDR;
		return nargs(p, "expect addr", a, 1, 1) ||
		       parse_expr(p, "expect addr", w[2], &c->e[0]);
	}
	if (!strcmp(v, "regions")) {
		c->kind = C_X_REGIONS;
		return nargs(p, "expect regions", a, 1, 1) ||
		       parse_expr(p, "expect regions", w[2], &c->e[0]);
	}
	if (!strcmp(v, "free")) {
		c->kind = C_X_FREE;
		return nargs(p, "expect free", a, 2, 2) ||
		       parse_expr(p, "expect free", w[2], &c->e[0]) ||
		       parse_expr(p, "expect free", w[3], &c->e[1]);
	}
	if (!strcmp(v, "region")) {
		c->kind = C_X_REGION;
		if (a < 2) {
			perr(p, "expect region: usage: expect region START END [PERMS] "
			     "[name=NAME] [offset=N] [faulted|unfaulted] [kind=KIND] "
			     "[locked|lockonfault|unlocked] [policy|nopolicy|policy=POLICY] "
			     "[uffd|nouffd|uffd=N[:MODE]]");
			return -1;
		}
		if (parse_expr(p, "expect region", w[2], &c->e[0]) ||
		    parse_expr(p, "expect region", w[3], &c->e[1]))
			return -1;
		c->ne = 2;
		for (i = 4; i < n; i++) {
			const char *x;

			if (strlen(w[i]) == 4 && strchr("r-", w[i][0]) &&
			    strchr("w-", w[i][1]) && strchr("x-", w[i][2]) &&
			    strchr("ps", w[i][3]))
				c->text = xstrdup(w[i]);
			else if ((x = kv(w[i], "name")))
				c->text2 = xstrdup(x);
			else if ((x = kv(w[i], "offset"))) {
				if (parse_expr(p, "expect region offset", x, &c->e[2]))
					return -1;
				c->ne = 3;
			} else if (!strcmp(w[i], "faulted"))
				c->flag = 1;
			else if (!strcmp(w[i], "unfaulted"))
				c->flag = 2;
			else if (!strcmp(w[i], "locked"))
				c->lock = X_LOCKED;
			else if (!strcmp(w[i], "lockonfault"))
				c->lock = X_LOCKONFAULT;
			else if (!strcmp(w[i], "unlocked"))
				c->lock = X_UNLOCKED;
			else if (!strcmp(w[i], "policy"))
				c->policy = X_POLICY;
			else if (!strcmp(w[i], "nopolicy"))
				c->policy = X_NOPOLICY;
			else if ((x = kv(w[i], "policy"))) {
				char err[256];

				if (vms_parse_policy(x, &c->xpol, err, sizeof(err))) {
					perr(p, "expect region: %s", err);
					return -1;
				}
				c->policy = X_POLICY_IS;
			}
			else if (!strcmp(w[i], "uffd"))
				c->uffd = X_UFFD;
			else if (!strcmp(w[i], "nouffd"))
				c->uffd = X_NOUFFD;
			else if ((x = kv(w[i], "uffd"))) {
				if (parse_uffd(p, x, c))
					return -1;
				c->uffd = X_UFFD_IS;
			}
			else if ((x = kv(w[i], "kind"))) {
				static const char *const kinds[] = { "anon", "file", "shmem",
								     "vdso", "vvar" };
				int k = LOOKUP(kinds, x);

				if (k < 0) {
					perr(p, "expect region: unknown kind '%s'", x);
					return -1;
				}
				c->mode = k + 1;
			} else {
				perr(p, "expect region: unexpected '%s' (perms are 4 "
				     "characters, like rw-p)", w[i]);
				return -1;
			}
		}
		return 0;
	}
	if (!strcmp(v, "maps")) {
		c->kind = C_X_MAPS;
		return nargs(p, "expect maps", a, 0, 0);	/* lines follow */
	}
	if (!strcmp(v, "valid")) {
		c->kind = C_X_VALID;
		return nargs(p, "expect valid", a, 0, 0);
	}
	if (!strcmp(v, "case")) {
		c->kind = C_X_CASE;
		if (nargs(p, "expect case", a, 1, 1) ||
		    parse_expr(p, "expect case", w[2], &c->e[0]))
			return -1;
		if (c->e[0].n != 1 || c->e[0].t[0].name[0] || c->e[0].t[0].val > 8) {
			perr(p, "expect case: want 0 (no vma_merge case) to 8");
			return -1;
		}
		return 0;
	}
	if (!strcmp(v, "explain")) {
		int k = 2;

		c->kind = C_X_EXPLAIN;
		c->mode = VMASHADOW_EXPLAIN_LAST;
		if (a >= 2 && !strcmp(w[2], "at")) {
			if (parse_expr(p, "expect explain", w[3], &c->e[0]))
				return -1;
			c->mode = VMASHADOW_EXPLAIN_AT;
			k = 4;
		}
		if (n - k < 2 || n - k > 3 || (strcmp(w[k], "prev") && strcmp(w[k], "next"))) {
			perr(p, "expect explain: usage: expect explain [at ADDR] prev|next "
			     "none|merged|refused [WHY]");
			return -1;
		}
		c->flag = !strcmp(w[k], "next");
		for (i = 0; i < 3; i++)
			if (!strcmp(w[k + 1], vd_verdict_name((unsigned int)i)))
				break;
		if (i == 3) {
			perr(p, "expect explain: verdict '%s' is not none, merged or "
			     "refused", w[k + 1]);
			return -1;
		}
		c->u = (uint64_t)i;
		c->why = -1;
		if (n - k == 3) {
			for (i = 0; i <= VMASHADOW_WHY_UFFD; i++)
				if (!strcmp(w[k + 2], vd_why_name((unsigned int)i)))
					break;
			if (i > VMASHADOW_WHY_UFFD) {
				perr(p, "expect explain: unknown reason '%s'", w[k + 2]);
				return -1;
			}
			c->why = i;
		}
		return 0;
	}
	if (!strcmp(v, "stats")) {
		c->kind = C_X_STATS;
		if (a < 1 || a > MAX_ARGS) {
			perr(p, "expect stats: usage: expect stats NAME=N...");
			return -1;
		}
		for (i = 2; i < n; i++) {
			char *eq = strchr(w[i], '=');
			int k;

			if (eq)
				*eq = 0;
			k = LOOKUP(stat_names, w[i]);
			if (!eq || k < 0) {
				perr(p, "expect stats: '%s' is not NAME=N with a NAME of the "
				     "stats command", w[i]);
				return -1;
			}
			if (parse_expr(p, "expect stats", eq + 1, &c->e[i - 2]))
				return -1;
			c->which[i - 2] = k;
		}
		c->ne = n - 2;
		return 0;
	}
	if (!strcmp(v, "result")) {
		c->kind = C_X_RESULT;
		if (a < 1 || a > MAX_ARGS) {
			perr(p, "expect result: usage: expect result NAME=N...");
			return -1;
		}
		for (i = 2; i < n; i++) {
			char *eq = strchr(w[i], '=');
			int k;

			if (eq)
				*eq = 0;
			k = LOOKUP(result_names, w[i]);
			if (!eq || k < 0) {
				perr(p, "expect result: '%s' is not NAME=N with a NAME of map_count, "
				     "merges, splits, truncations, removals", w[i]);
				return -1;
			}
			if (parse_expr(p, "expect result", eq + 1, &c->e[i - 2]))
				return -1;
			c->which[i - 2] = k;
		}
		c->ne = n - 2;
		return 0;
	}
	if (!strcmp(v, "change")) {
		int k;

		c->kind = C_X_CHANGE;
		if (nargs(p, "expect change", a, 3, 3) ||
		    parse_expr(p, "expect change", w[2], &c->e[0]) ||
		    parse_expr(p, "expect change", w[3], &c->e[1]))
			return -1;
		for (k = VMS_CHG_NONE; k <= VMS_CHG_CHANGED; k++)
			if (!strcmp(w[4], vms_change_name((enum vms_change)k)))
				break;
		if (k > VMS_CHG_CHANGED) {
			perr(p, "expect change: '%s' is not none, new, merged, split, "
			     "truncated or changed", w[4]);
			return -1;
		}
		c->mode = k;
		p->need_diff = 1;
		return 0;
	}
	perr(p, "expect: unknown expectation '%s'", v);
	return -1;
}

/*
 * Feed one line.  Returns 1 when *out holds a finished command, 0 when the
 * line added nothing or opened/continued a block, -1 on an error (reported).
 */
int parse_line(struct parser *p, const char *text, struct cmd *out)
{
	char *buf = xstrdup(text), *w[64];
	int n, rc;

	buf[strcspn(buf, "\r\n")] = 0;
	if (p->block) {
		struct cmd *b = p->block;
		char *s = buf;

		while (isspace((unsigned char)*s))
			s++;
		if (!strncmp(s, "end", 3) && (!s[3] || isspace((unsigned char)s[3]) ||
					      s[3] == '#')) {
			*out = *b;
			free(b);
			p->block = NULL;
			free(buf);
			return 1;
		}
		if (b->kind == C_X_MAPS) {
			if (*s && *s != '#') {
				b->lines = xrealloc(b->lines,
						    (b->nlines + 1) * sizeof(*b->lines));
				b->lines[b->nlines++] = xstrdup(s);
			}
		} else {	/* batch */
			n = split_words(p, buf, w, 64);
			if (n > 0) {
				b->sub = xrealloc(b->sub, (b->nsub + 1) * sizeof(*b->sub));
				if (!parse_op_only(p, w, n, &b->sub[b->nsub], "batch"))
					b->nsub++;
			}
		}
		free(buf);
		return 0;
	}
	n = split_words(p, buf, w, 64);
	if (n <= 0) {
		free(buf);
		return n < 0 ? -1 : 0;
	}
	rc = parse_words(p, w, n, out);
	if (rc) {
		free(buf);
		return -1;
	}
	if (out->kind == C_ECHO) {
		const char *s = text + strspn(text, " \t");

		s += 4;
		s += strspn(s, " \t");
		out->text = xstrdup(s);
		out->text[strcspn(out->text, "\r\n")] = 0;
	}
	free(buf);
	if (out->kind == C_X_MAPS || out->kind == C_BATCH) {
		p->block = xmalloc(sizeof(*p->block));
		*p->block = *out;
		p->block_line = p->line;
		return 0;
	}
	return 1;
}

void parser_init(struct parser *p, const char *file, const struct vms_opts *o)
{
	memset(p, 0, sizeof(*p));
	p->file = file;
	p->diag = o->diag;
	p->prefix = o->diag_prefix;
	p->deffmt = o->format;
}

void parser_free(struct parser *p)
{
	size_t i;

	for (i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->names);
	if (p->block) {
		cmd_free(p->block);
		free(p->block);
	}
}

/* At the end of the input: a block still open is an error. */
void parse_finish(struct parser *p)
{
	if (p->block) {
		p->line = p->block_line;
		perr(p, "%s without 'end'", p->block->kind == C_BATCH ? "batch" :
		     "expect maps");
	}
}
