// SPDX-License-Identifier: GPL-2.0
/*
 * why: why the regions of a shadow that touch are not one.
 *
 * For someone chasing max_map_count or fragmentation, a process that
 * holds many regions where few would do: /proc/PID/maps shows two lines
 * where it could show one, but not why.  The shadow holds the hidden
 * state that decides (anon_vma identity and fork history, the page
 * offsets of anonymous memory, memory policies, userfaultfd contexts,
 * the flags maps leaves out), and EXPLAIN AT says which rule keeps a pair apart.  This walks
 * every boundary where one region ends and the next begins, asks, prints
 * a line for each pair kept apart and counts them by reason.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vms.h"

#define WHY_MAX		(VMASHADOW_WHY_UFFD + 1)
#define FLAG_BITS	64

struct why_counts {
	unsigned long why[WHY_MAX];
	unsigned long flag[FLAG_BITS];	/* WHY_FLAGS: each bit that differed */
	unsigned long touching;		/* boundaries where two regions meet */
	unsigned long mergeable;	/* of them, pairs no rule keeps apart */
};

/* The side of a boundary's EXPLAIN that has a verdict: prev, else next. */
static const struct vmashadow_explain_side *
why_side(const struct vmashadow_explain *x, int *next)
{
	*next = x->prev.verdict == VMASHADOW_VERDICT_NONE;
	return *next ? &x->next : &x->prev;
}

/* One boundary: its line, and what it adds to @c.  0 or an errno. */
static int why_boundary(FILE *out, int fd, uint64_t addr, struct why_counts *c)
{
	const struct vmashadow_explain_side *sd;
	struct vmashadow_explain x;
	char detail[1400];
	unsigned int bit;
	int next, e;

	memset(&x, 0, sizeof(x));
	x.mode = VMASHADOW_EXPLAIN_AT;
	x.addr = addr;
	e = vd_explain(fd, &x);
	if (e)
		return e;
	c->touching++;
	sd = why_side(&x, &next);
	if (sd->verdict != VMASHADOW_VERDICT_REFUSED) {
		/* the kernel left them apart where its rules would not */
		c->mergeable++;
		fprintf(out, "%016llx could be one\n", (unsigned long long)addr);
		return 0;
	}
	if (sd->why < WHY_MAX)
		c->why[sd->why]++;
	fprintf(out, "%016llx %s", (unsigned long long)addr,
		vd_why_name(sd->why));
	if (sd->why == VMASHADOW_WHY_FLAGS) {
		for (bit = 0; bit < FLAG_BITS; bit++)
			if (sd->flags_diff >> bit & 1)
				c->flag[bit]++;
		vd_flag_names(sd->flags_diff, detail, sizeof(detail));
		fprintf(out, ": %s", detail);
	}
	vd_explain_policies(fd, &x, next, detail, sizeof(detail));
	fprintf(out, "%s\n", detail);
	return 0;
}

/* "flags 12 (write 8, exec 4), anon_vma 3": the reasons, most first. */
static void why_summary(FILE *out, const struct why_counts *c)
{
	unsigned long done[WHY_MAX] = { 0 }, best;
	unsigned int i, k, pick, bit;
	char name[64];
	int first = 1;

	for (k = 0; k < WHY_MAX; k++) {
		best = 0;
		pick = WHY_MAX;
		for (i = 0; i < WHY_MAX; i++)
			if (!done[i] && c->why[i] > best) {
				best = c->why[i];
				pick = i;
			}
		if (pick == WHY_MAX)
			break;
		done[pick] = 1;
		fprintf(out, "%s %s %lu", first ? ":" : ",", vd_why_name(pick),
			best);
		first = 0;
		if (pick != VMASHADOW_WHY_FLAGS)
			continue;
		fputs(" (", out);
		for (bit = 0, i = 0; bit < FLAG_BITS; bit++) {
			if (!c->flag[bit])
				continue;
			vd_flag_names(1ULL << bit, name, sizeof(name));
			fprintf(out, "%s%s %lu", i++ ? ", " : "", name,
				c->flag[bit]);
		}
		fputc(')', out);
	}
}

/*
 * Every boundary of @fd's shadow in [lo, hi) (hi 0: no end) where two
 * regions meet: a line each for those kept apart, with the rule, then a
 * summary.  0 or an errno.
 */
int vms_why(FILE *out, int fd, uint64_t lo, uint64_t hi)
{
	unsigned long kept, regions = 0;
	struct why_counts c;
	struct vms_snap s;
	size_t i;
	int e;

	memset(&c, 0, sizeof(c));
	snap_init(&s);
	e = vd_snapshot(fd, &s);
	for (i = 0; !e && i < s.n; i++)
		regions += s.v[i].end > lo && (!hi || s.v[i].start < hi);
	for (i = 1; !e && i < s.n; i++) {
		uint64_t b = s.v[i].start;

		if (s.v[i - 1].end != b || b < lo || (hi && b >= hi))
			continue;
		e = why_boundary(out, fd, b, &c);
	}
	if (!e) {
		kept = c.touching - c.mergeable;
		fprintf(out, "why: %lu regions, %lu boundaries where two meet, "
			"%lu kept apart", regions, c.touching, kept);
		why_summary(out, &c);
		if (c.mergeable)
			fprintf(out, "; %lu could be one", c.mergeable);
		fputc('\n', out);
	}
	snap_free(&s);
	return e;
}
