// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the core's operations.  Each input is a program:
 * byte 0 picks the rules (6.1 or 6.12), then 4 bytes per operation
 * (kind, page, pages, argument) over a window of MODEL_PAGES pages.  After
 * every step: vms_validate() must pass, the result must be the reference
 * model's (model.h), the pages the regions cover must be the model's with
 * the same protection, and no two touching unfaulted anonymous regions
 * that could be one may remain apart.  Allocation failures are injected:
 * a call that fails with -ENOMEM for it must leave the shadow unchanged.
 *
 * A disagreement prints the program and aborts, so libFuzzer saves the
 * input as a reproducer; replay with `fuzz <file>` (VMS_FUZZ_TRACE=1 to
 * print every step).  Built with -DFUZZ_REPLAY_MAIN it is a plain program
 * replaying files, for the coverage build.
 */
#include "../core/core.h"
#include "layout.h"
#include "model.h"
#include "glue.h"

static bool trace;
static char shadow_lay[4096], prog[16384];
static size_t prog_len;

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "vmashadow fuzz: %s\n%s\nprogram:\n%s", what,
		detail ? detail : "", prog);
	abort();
}

static void step(const char *fmt, unsigned long a, unsigned long b,
		 unsigned long c, long ret)
{
	prog_len += snprintf(prog + prog_len, sizeof(prog) - prog_len, fmt, a, b, c);
	prog_len += snprintf(prog + prog_len, sizeof(prog) - prog_len,
			     " = %ld\n", ret);
	if (prog_len >= sizeof(prog))
		prog_len = 0;
	if (trace)
		fprintf(stderr, "%s", prog);
}

/* The model's pages as the core should show them, in the diagram notation. */
static const char *model_layout(const struct model *m, char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < MODEL_PAGES; i++) {
		const struct model_page *p = &m->pg[i];

		if (!p->mapped)
			continue;
		n += snprintf(buf + n, size - n, "%s%u:%c%c%c%c%s", n ? " " : "", i,
			      p->prot & PROT_READ ? 'r' : '-',
			      p->prot & PROT_WRITE ? 'w' : '-',
			      p->prot & PROT_EXEC ? 'x' : '-',
			      p->shared ? 's' : 'p', p->dontcopy ? "D" : "");
	}
	return buf;
}

/* The same per page, from the core. */
static const char *core_pages(struct vms_mm *mm, char *buf, size_t size,
			      bool skip_dontcopy)
{
	struct vms_region *r;
	size_t n = 0;

	buf[0] = '\0';
	for (r = vms_first(mm); r; r = vms_next(r)) {
		unsigned long a;

		if (r->start < VMS_WIN || r->end > PG(MODEL_PAGES))
			fail("region outside the window", NULL);
		for (a = r->start; a < r->end; a += PAGE_SIZE) {
			bool dc = r->flags & VMASHADOW_VM_DONTCOPY;

			if (skip_dontcopy)
				dc = false;
			n += snprintf(buf + n, size - n, "%s%lu:%c%c%c%c%s",
				      n ? " " : "", (a - VMS_WIN) / PAGE_SIZE,
				      r->flags & VMASHADOW_VM_READ ? 'r' : '-',
				      r->flags & VMASHADOW_VM_WRITE ? 'w' : '-',
				      r->flags & VMASHADOW_VM_EXEC ? 'x' : '-',
				      r->flags & VMASHADOW_VM_MAYSHARE ? 's' : 'p',
				      dc ? "D" : "");
		}
	}
	return buf;
}

static void check(struct vms_mm *mm, const struct model *m)
{
	static char want[8192], got[8192], msg[20000];
	struct vms_region *r, *prev = NULL;
	unsigned long where;
	int bad = vms_validate(mm, &where);

	if (bad) {
		snprintf(msg, sizeof(msg), "violation %d at %#lx; layout %s", bad,
			 where, vms_layout_of(mm, shadow_lay, sizeof(shadow_lay)));
		fail("vms_validate failed", msg);
	}
	model_layout(m, want, sizeof(want));
	core_pages(mm, got, sizeof(got), false);
	if (strcmp(want, got)) {
		snprintf(msg, sizeof(msg), "model: %s\ncore:  %s\nlayout: %s", want,
			 got, vms_layout_of(mm, shadow_lay, sizeof(shadow_lay)));
		fail("core and model disagree", msg);
	}
	for (r = vms_first(mm); r; prev = r, r = vms_next(r)) {
		if (prev && prev->end == r->start && !prev->file && !r->file &&
		    !prev->anon && !r->anon && prev->flags == r->flags &&
		    !(r->flags & VMS_INTERNAL_FLAGS) &&
		    prev->pgoff + vms_pages(prev) == r->pgoff) {
			snprintf(msg, sizeof(msg), "at page %lu; layout %s",
				 (r->start - VMS_WIN) / PAGE_SIZE,
				 vms_layout_of(mm, shadow_lay, sizeof(shadow_lay)));
			fail("two unfaulted anonymous regions that should be one", msg);
		}
	}
}

static void check_same(struct vms_mm *mm, const char *before, const char *what)
{
	static char now[4096], msg[9000];

	vms_layout_of(mm, now, sizeof(now));
	if (strcmp(before, now)) {
		snprintf(msg, sizeof(msg), "before: %s\nafter:  %s", before, now);
		fail(what, msg);
	}
}

static void check_fork(struct vms_mm *mm, const struct model *m)
{
	static char want[8192], got[8192], msg[20000];
	struct vms_mm child;
	struct model cm = *m;
	unsigned long where;
	unsigned int i;

	for (i = 0; i < MODEL_PAGES; i++)
		if (cm.pg[i].dontcopy)
			memset(&cm.pg[i], 0, sizeof(cm.pg[i]));
	vms_mm_init(&child, mm->params.rules);
	if (vms_mm_dup(&child, mm, true))
		fail("fork failed", NULL);
	if (vms_validate(&child, &where))
		fail("forked child does not validate", NULL);
	model_layout(&cm, want, sizeof(want));
	core_pages(&child, got, sizeof(got), true);
	/* the child has no DONTCOPY pages, the model marks none either */
	for (i = 0; want[i]; i++)
		;
	if (strcmp(want, got)) {
		snprintf(msg, sizeof(msg), "model: %s\nchild: %s", want, got);
		fail("fork: child and model disagree", msg);
	}
	vms_mm_destroy(&child);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool up;
	static char before[4096];
	struct vms_mm mm;
	struct model m;
	size_t i;

	if (!up) {
		if (vms_core_init())
			abort();
		trace = getenv("VMS_FUZZ_TRACE");
		up = true;
	}
	if (size < 1)
		return 0;
	prog_len = 0;
	prog[0] = '\0';
	memset(&m, 0, sizeof(m));
	vms_mm_init(&mm, data[0] & 1 ? VMASHADOW_RULES_6_12 : VMASHADOW_RULES_6_1);
	step("rules %lu%lu%lu", 6, data[0] & 1 ? 12 : 1, 0, 0);

	for (i = 1; i + 4 <= size; i += 4) {
		unsigned int kind = data[i] % 10, a = data[i + 1] % MODEL_PAGES;
		unsigned int n = data[i + 2] % 8 + 1, arg = data[i + 3];
		unsigned int prot = arg & 7;
		struct model old = m;
		unsigned int fail_at = 0;
		long ret, want;

		if (arg & 0x80) {		/* inject an allocation failure */
			fail_at = (arg >> 4 & 3) + 1;
			vms_host_fail_alloc = fail_at;
			vms_layout_of(&mm, before, sizeof(before));
		}
		switch (kind) {
		case 0:
		case 1: {			/* mmap MAP_FIXED, private or shared */
			struct vms_map_req req = {
				.addr = PG(a), .len = PGS(n), .prot = prot,
				.flags = MAP_FIXED | MAP_ANONYMOUS |
					 (kind ? MAP_SHARED : MAP_PRIVATE) |
					 (arg & 8 ? MAP_NORESERVE : 0),
			};
			unsigned long addr;

			if (a + n > MODEL_PAGES)
				n = MODEL_PAGES - a;
			req.len = PGS(n);
			ret = vms_map(&mm, &req, &addr);
			step("map %lu+%lu prot %lu", a, n, arg, ret);
			model_map(&m, a, n, prot, kind);
			want = 0;
			break;
		}
		case 2:
		case 3:				/* munmap */
			if (a + n > MODEL_PAGES)
				n = MODEL_PAGES - a;
			ret = vms_unmap(&mm, PG(a), PGS(n));
			step("unmap %lu+%lu%.0lu", a, n, 0, ret);
			want = model_unmap(&m, a, n);
			break;
		case 4:
		case 5:				/* mprotect */
			ret = vms_protect(&mm, PG(a), PGS(n), prot);
			step("protect %lu+%lu prot %lu", a, n, prot, ret);
			want = model_protect(&m, a, n, prot);
			break;
		case 6:
		case 7:				/* write fault */
			ret = vms_touch(&mm, PG(a));
			step("touch %lu%.0lu%.0lu", a, 0, 0, ret);
			want = model_touch(&m, a);
			break;
		case 8:				/* madvise DONTFORK / DOFORK */
			ret = vms_madvise(&mm, PG(a), PGS(n),
					  arg & 1 ? MADV_DOFORK : MADV_DONTFORK);
			step("madvise %lu+%lu %lu", a, n, arg & 1, ret);
			want = model_dontfork(&m, a, n, !(arg & 1));
			break;
		default:			/* fork and compare */
			vms_host_fail_alloc = 0;
			fail_at = 0;
			check_fork(&mm, &m);
			step("fork%.0lu%.0lu%.0lu", 0, 0, 0, 0);
			continue;
		}
		if (fail_at && vms_host_fail_alloc == 0) {
			/* the injected failure hit: nothing may have changed */
			if (ret != -ENOMEM && ret != -EAGAIN)
				fail("allocation failure not reported", NULL);
			m = old;
			check_same(&mm, before, "allocation failure changed the shadow");
			continue;
		}
		vms_host_fail_alloc = 0;
		if (ret != want) {
			char msg[64];

			snprintf(msg, sizeof(msg), "core %ld, model %ld", ret, want);
			fail("results differ", msg);
		}
		check(&mm, &m);
	}
	vms_host_fail_alloc = 0;
	vms_mm_destroy(&mm);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
/* Replay inputs without libFuzzer (coverage build). */
int main(int argc, char **argv)
{
	static uint8_t buf[1 << 16];
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	return 0;
}
#endif
