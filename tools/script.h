/* SPDX-License-Identifier: GPL-2.0 */
/*
 * script.h - what the parser of the script language (script.c) hands to
 * its executor (exec.c): parsed commands.
 */
#ifndef VMS_SCRIPT_H
#define VMS_SCRIPT_H

#include <stdint.h>
#include <stdio.h>

#include "vms.h"

#define MAX_TERMS 8
#define MAX_NAME 32

/* ADDR, LEN: terms joined by + and -: numbers (0x.., decimal, K/M/G) or names. */
struct expr {
	int n;
	struct {
		int neg;
		uint64_t val;
		char name[MAX_NAME];	/* "" for a number */
	} t[MAX_TERMS];
};

enum cmd_kind {
	C_MAP, C_UNMAP, C_PROTECT, C_TOUCH, C_FIND, C_LIST, C_MAPS, C_STATS,
	C_VALIDATE, C_EXPLAIN, C_SET, C_OPEN, C_CLOSE, C_LET, C_ECHO, C_RESET,
	C_DIFF, C_WHY,
	/* expectations */
	C_X_ERRNO, C_X_ADDR, C_X_REGIONS, C_X_REGION, C_X_FREE, C_X_MAPS,
	C_X_VALID, C_X_CASE, C_X_EXPLAIN, C_X_STATS, C_X_CHANGE, C_X_RESULT,
	/* more operations ("not supported" where the module answers ENOTTY) */
	C_REMAP, C_BRK, C_FORK, C_MADVISE, C_IMPORT, C_DRYRUN, C_BATCH,
	C_SEAL, C_VDSO, C_MLOCK, C_MUNLOCK, C_MLOCKALL, C_MUNLOCKALL, C_MBIND,
	C_HOME_NODE, C_UFFD_OPEN, C_UFFD_REGISTER, C_UFFD_UNREGISTER, C_UFFD_CLOSE,
};

#define MAX_ARGS 8

/* expect region: what it says of VM_LOCKED and VM_LOCKONFAULT */
enum { X_LOCKED = 1, X_LOCKONFAULT, X_UNLOCKED };
/*
 * expect region: whether the region has a memory policy of its own, or
 * which (policy=TEXT: struct cmd's xpol)
 */
enum { X_POLICY = 1, X_NOPOLICY, X_POLICY_IS };
/*
 * expect region: whether the region is registered with a userfaultfd
 * context, or with which (uffd=N[:MODE]: struct cmd's xuffd, xuffd_modes)
 */
enum { X_UFFD = 1, X_NOUFFD, X_UFFD_IS };

struct cmd {
	enum cmd_kind kind;
	int line;
	struct expr e[MAX_ARGS];	/* numeric arguments, per command */
	int ne;
	uint32_t prot, flags, opflags;
	int mode;			/* find/explain mode, param, errno, ... */
	int fd;				/* map fd=N */
	int have_fd;
	char *file;			/* map file=, open path, diff pid */
	char *name;			/* as=, open/close/let name, set name */
	char *text;			/* echo, expect region perms, ... */
	char *text2;			/* expect region name= */
	int has_fmt;
	enum vms_format fmt;
	char *outpath;
	int has_window;
	uint64_t u;			/* small integer operands */
	int flag;			/* misc switch */
	int why;			/* expect explain: reason, -1: any */
	int which[MAX_ARGS];		/* expect stats/result: which field */
	int lock;			/* expect region: X_LOCKED... or 0 */
	int policy;			/* expect region: X_POLICY... or 0 */
	struct vmashadow_policy xpol;	/* expect region policy=TEXT */
	int uffd;			/* expect region: X_UFFD... or 0 */
	unsigned int xuffd;		/* expect region uffd=N: the context */
	int xuffd_modes;		/* ... :MODE: UFFDIO_REGISTER_MODE_*, -1 any */
	char **lines;			/* expect maps: the expected lines */
	size_t nlines;
	struct cmd *sub;		/* dry-run, batch */
	size_t nsub;
};

struct parser {
	const char *file;
	int line;
	int errors;
	FILE *diag;
	const char *prefix;
	char **names;			/* defined by let / as= / open */
	size_t nnames;
	struct cmd *block;		/* inside expect maps / batch */
	int block_line;
	int need_diff;			/* the script looks at the last change */
	enum vms_format deffmt;
};

/* Names of the counters of `stats`, the parameters of `set`, the outcome
 * fields of `expect result`. */
#define NSTATS 13
#define NSET 18
#define NRESULT 5
extern const char *const stat_names[NSTATS];
extern const char *const set_names[NSET];
extern const uint32_t set_bits[NSET];
extern const char *const result_names[NRESULT];

/* "EEXIST (File exists)" */
const char *errno_str(int e, char *buf, size_t len);

void parser_init(struct parser *p, const char *file, const struct vms_opts *o);
void parser_free(struct parser *p);
/*
 * Feed one line.  Returns 1 when *out holds a finished command, 0 when the
 * line added nothing or opened/continued a block, -1 on an error (reported).
 */
int parse_line(struct parser *p, const char *text, struct cmd *out);
/* At the end of the input: a block still open is an error. */
void parse_finish(struct parser *p);
void cmd_free(struct cmd *c);

#endif /* VMS_SCRIPT_H */
