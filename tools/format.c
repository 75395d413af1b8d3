// SPDX-License-Identifier: GPL-2.0
/*
 * format.c - /proc/pid/maps parsing, the maps/pmap/json/svg formatters, the
 * before/after classification of the last operation and the shadow/real
 * comparison behind `vmashadow diff`.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vms.h"

int vms_parse_format(const char *s, enum vms_format *f)
{
	static const struct { const char *name; enum vms_format f; } t[] = {
		{ "maps", VMS_FMT_MAPS }, { "pmap", VMS_FMT_PMAP },
		{ "json", VMS_FMT_JSON }, { "svg", VMS_FMT_SVG },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].name)) {
			*f = t[i].f;
			return 0;
		}
	return -1;
}

const char *vms_change_name(enum vms_change c)
{
	static const char *const n[] = {
		"none", "new", "merged", "split", "truncated", "changed",
	};
	return (unsigned int)c < sizeof(n) / sizeof(n[0]) ? n[c] : "?";
}

/* ---- snapshots ------------------------------------------------------------ */

void snap_init(struct vms_snap *s)
{
	memset(s, 0, sizeof(*s));
}

void snap_free(struct vms_snap *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	snap_init(s);
}

struct vms_reg *snap_add(struct vms_snap *s)
{
	struct vms_reg *r;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	r = &s->v[s->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

void snap_copy(struct vms_snap *dst, const struct vms_snap *src)
{
	size_t i;

	snap_init(dst);
	for (i = 0; i < src->n; i++) {
		struct vms_reg *r = snap_add(dst);

		*r = src->v[i];
		r->name = xstrdup(src->v[i].name);
	}
}

/* ---- maps lines ----------------------------------------------------------- */

static int parse_hex(const char **p, uint64_t *v, int min_digits)
{
	const char *s = *p;
	int n = 0;

	*v = 0;
	while (isxdigit((unsigned char)*s)) {
		int c = tolower((unsigned char)*s);

		if (n == 16)
			return -1;
		*v = *v << 4 | (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
		s++;
		n++;
	}
	if (n < min_digits)
		return -1;
	*p = s;
	return 0;
}

int maps_parse_line(const char *line, struct vms_reg *r, char *err, size_t errlen)
{
	const char *p = line;
	uint64_t maj, min;
	char *end;
	int i;

#define BAD(msg) do { snprintf(err, errlen, "%s", msg); return -1; } while (0)
	memset(r, 0, sizeof(*r));
	if (parse_hex(&p, &r->start, 1) || *p++ != '-')
		BAD("bad start address");
	if (parse_hex(&p, &r->end, 1) || *p++ != ' ')
		BAD("bad end address");
	if (r->end <= r->start)
		BAD("end not above start");
	for (i = 0; i < 4; i++) {
		static const char ok[4][3] = { "r-", "w-", "x-", "ps" };

		if (!*p || !strchr(ok[i], *p))
			BAD("bad permissions");
		r->perms[i] = *p++;
	}
	if (*p++ != ' ' || parse_hex(&p, &r->offset, 1) || *p++ != ' ')
		BAD("bad offset");
	if (parse_hex(&p, &maj, 1) || *p++ != ':' || parse_hex(&p, &min, 1) ||
	    *p++ != ' ')
		BAD("bad device");
	r->major = (unsigned int)maj;
	r->minor = (unsigned int)min;
	if (!isdigit((unsigned char)*p))
		BAD("bad inode");
	errno = 0;
	r->inode = strtoull(p, &end, 10);
	if (errno)
		BAD("bad inode");
	p = end;
	if (*p && *p != ' ')
		BAD("bad inode");
	while (*p == ' ')
		p++;
	r->name = xstrdup(p);
	return 0;
#undef BAD
}

int maps_parse_text(const char *text, struct vms_snap *s, int *errline,
		    char *err, size_t errlen)
{
	const char *p = text;
	int lineno = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xmalloc(len + 1);
		struct vms_reg r;

		memcpy(line, p, len);
		line[len] = 0;
		lineno++;
		p += len + (nl ? 1 : 0);
		if (!len) {
			free(line);
			continue;
		}
		if (maps_parse_line(line, &r, err, errlen)) {
			free(line);
			*errline = lineno;
			return -1;
		}
		free(line);
		*snap_add(s) = r;
	}
	return 0;
}

int fmt_maps_line_buf(char *buf, size_t len, const struct vms_reg *r)
{
	int n = snprintf(buf, len, "%08" PRIx64 "-%08" PRIx64 " %.4s %08" PRIx64
			 " %02x:%02x %" PRIu64 " ", r->start, r->end, r->perms,
			 r->offset, r->major, r->minor, r->inode);

	if (n < 0 || (size_t)n >= len)
		return n;
	if (r->name[0]) {
		/* seq_setwidth(25 + 6 * sizeof(void *) - 1), then seq_pad(' '). */
		int pad = 72 - n;

		n += snprintf(buf + n, len - n, "%*s %s", pad > 0 ? pad : 0, "",
			      r->name);
	}
	return n;
}

void fmt_maps_line(FILE *f, const struct vms_reg *r)
{
	char buf[4352];

	fmt_maps_line_buf(buf, sizeof(buf), r);
	fprintf(f, "%s\n", buf);
}

/* ---- the last operation's effect ------------------------------------------ */

static int same_attrs(const struct vms_reg *a, const struct vms_reg *b)
{
	if (memcmp(a->perms, b->perms, 4) || a->offset != b->offset ||
	    a->major != b->major || a->minor != b->minor || a->inode != b->inode ||
	    strcmp(a->name, b->name))
		return 0;
	if (a->have_rec && b->have_rec &&
	    (a->rec.vm_flags != b->rec.vm_flags || a->rec.pgoff != b->rec.pgoff ||
	     a->rec.file_id != b->rec.file_id || a->rec.anon_id != b->rec.anon_id ||
	     a->rec.state != b->rec.state || a->rec.kind != b->rec.kind))
		return 0;
	/* another policy, or a home node given: changed, as EXPLAIN would say */
	if (a->have_pol && b->have_pol && !vd_policy_same(&a->pol, &b->pol))
		return 0;
	return 1;
}

void snap_diff(const struct vms_snap *before, struct vms_snap *after)
{
	size_t i, j = 0, k, a;

	for (i = 0; i < after->n; i++) {
		struct vms_reg *r = &after->v[i];
		const struct vms_reg *b;
		size_t count = 0, inside = 0;

		while (j < before->n && before->v[j].end <= r->start)
			j++;
		for (k = j; k < before->n && before->v[k].start < r->end; k++)
			count++;
		if (count == 0) {
			r->change = VMS_CHG_NEW;
			continue;
		}
		if (count > 1) {
			r->change = VMS_CHG_MERGED;
			continue;
		}
		b = &before->v[j];
		if (r->start < b->start || r->end > b->end) {
			r->change = VMS_CHG_MERGED;
			continue;
		}
		if (r->start == b->start && r->end == b->end) {
			r->change = same_attrs(r, b) ? VMS_CHG_NONE : VMS_CHG_CHANGED;
			continue;
		}
		/* A piece of b: split if other pieces of b survive, else truncated. */
		for (a = 0; a < after->n; a++)
			if (after->v[a].start >= b->start && after->v[a].end <= b->end)
				inside++;
		r->change = inside > 1 ? VMS_CHG_SPLIT : VMS_CHG_TRUNCATED;
	}
}

/* ---- small helpers -------------------------------------------------------- */

static const char *reg_kind(const struct vms_reg *r)
{
	if (r->have_rec)
		return vd_kind_name(r->rec.kind);
	if (!strcmp(r->name, "[vdso]"))
		return "vdso";
	if (!strcmp(r->name, "[vvar]"))
		return "vvar";
	if (!strcmp(r->name, "/dev/zero (deleted)") || !strncmp(r->name, "/SYSV", 5))
		return "shmem";
	if (r->inode || r->major || r->minor)
		return "file";
	return "anon";
}

static int reg_is_file(const struct vms_reg *r)
{
	return r->inode || r->major || r->minor;
}

/* 16K, 2M; sizes that are not a whole unit get one decimal: 1.5G. */
static void human_size(char *buf, size_t len, uint64_t n)
{
	static const char suf[] = "KMGTPE";
	uint64_t unit = 1024;
	int i = 0;

	if (n < 1024 || n % 1024) {
		snprintf(buf, len, "%" PRIu64, n);
		return;
	}
	while (i < 5 && n / unit >= 1024) {
		unit <<= 10;
		i++;
	}
	if (n % unit == 0)
		snprintf(buf, len, "%" PRIu64 "%c", n / unit, suf[i]);
	else
		snprintf(buf, len, "%.1f%c", (double)n / (double)unit, suf[i]);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
			else
				fputc('?', f);
		}
	}
}

/* ---- pmap ----------------------------------------------------------------- */

/*
 * A data mapping, what VmData counts and RLIMIT_DATA bounds: private,
 * writable, not a stack.  From a maps text alone, [stack] stands for
 * VM_GROWSDOWN.
 */
static int reg_is_data(const struct vms_reg *r)
{
	if (r->have_rec)
		return (r->rec.vm_flags & (VMASHADOW_VM_WRITE | VMASHADOW_VM_SHARED |
					   VMASHADOW_VM_GROWSDOWN)) == VMASHADOW_VM_WRITE;
	return r->perms[1] == 'w' && r->perms[3] == 'p' && strcmp(r->name, "[stack]");
}

static void fmt_pmap(FILE *f, const struct vms_snap *s, int marks)
{
	uint64_t total = 0, anon = 0, file = 0, shared = 0, locked = 0, data = 0;
	char cnt[64];
	size_t i;

	fprintf(f, "%-16s %-16s %9s %-4s %-16s %-6s %10s %-9s %s\n", "Start", "End",
		"Kbytes", "Perm", "Offset", "Device", "Inode", marks ? "Change" : "",
		"Mapping");
	for (i = 0; i < s->n; i++) {
		const struct vms_reg *r = &s->v[i];
		uint64_t kb = (r->end - r->start) / 1024;
		char dev[16];

		snprintf(dev, sizeof(dev), "%02x:%02x", r->major, r->minor);
		fprintf(f, "%016" PRIx64 " %016" PRIx64 " %9" PRIu64 " %.4s %016" PRIx64
			" %-6s %10" PRIu64 " %-9s %s\n", r->start, r->end, kb, r->perms,
			r->offset, dev, r->inode,
			marks && r->change ? vms_change_name(r->change) : "",
			r->name[0] ? r->name : "[ anon ]");
		total += kb;
		if (r->perms[3] == 's')
			shared += kb;
		else if (reg_is_file(r))
			file += kb;
		else
			anon += kb;
		if (r->have_rec && (r->rec.vm_flags & VMASHADOW_VM_LOCKED))
			locked += kb;
		if (reg_is_data(r))
			data += kb;
	}
	fprintf(f, "%-33s ---------\n", "");
	snprintf(cnt, sizeof(cnt), "total (%zu region%s)", s->n, s->n == 1 ? "" : "s");
	fprintf(f, "%-33s %9" PRIu64 "  private anon %" PRIu64 "K, private file %"
		PRIu64 "K, shared %" PRIu64 "K, locked %" PRIu64 "K, data %" PRIu64
		"K\n", cnt, total, anon, file, shared, locked, data);
}

/* ---- json ----------------------------------------------------------------- */

/*
 * "mempolicy": which policy a region with one has (GET_POLICY), beside
 * "policy", which says whether it has one: {"mode":"bind","flags":
 * ["static_nodes"],"nodes":"0","user_nodes":"0-1","home_node":0}, the
 * node sets as lists like "0,2-3", user_nodes "" unless a mode flag keeps
 * them, home_node null for none; null for no policy, or where the module
 * cannot tell.
 */
static void json_policy(FILE *f, const struct vms_reg *r)
{
	const struct vmashadow_policy *p = &r->pol;
	const char *mode = vd_mpol_mode_name(p->mode);
	char fl[128] = "", nodes[256], *t, *save = NULL;
	int first = 1;

	if (!r->have_rec || !(r->rec.state & VMASHADOW_STATE_POLICY) || !r->have_pol) {
		fputs(",\"mempolicy\":null", f);
		return;
	}
	if (mode)
		fprintf(f, ",\"mempolicy\":{\"mode\":\"%s\",\"flags\":[", mode);
	else
		fprintf(f, ",\"mempolicy\":{\"mode\":%u,\"flags\":[", p->mode);
	vd_mpol_flag_names(p->mode_flags, fl, sizeof(fl));
	for (t = strtok_r(fl, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		fprintf(f, "%s\"%s\"", first ? "" : ",", t);
		first = 0;
	}
	vd_nodes_str(p->nodes, nodes, sizeof(nodes));
	fprintf(f, "],\"nodes\":\"%s\"", nodes);
	vd_nodes_str(p->user_nodes, nodes, sizeof(nodes));
	fprintf(f, ",\"user_nodes\":\"%s\",\"home_node\":", nodes);
	if (p->home_node >= 0)
		fprintf(f, "%d}", p->home_node);
	else
		fputs("null}", f);
}

static void fmt_json(FILE *f, const struct vms_snap *s, int marks)
{
	size_t i;

	fputs("[\n", f);
	for (i = 0; i < s->n; i++) {
		const struct vms_reg *r = &s->v[i];
		char flags[512];

		fprintf(f, "  {\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64
			"\",\"size\":%" PRIu64 ",\"perms\":\"%.4s\",\"offset\":%" PRIu64
			",\"dev\":\"%02x:%02x\",\"inode\":%" PRIu64 ",\"name\":",
			r->start, r->end, r->end - r->start, r->perms, r->offset,
			r->major, r->minor, r->inode);
		json_str(f, r->name);
		fprintf(f, ",\"kind\":\"%s\"", reg_kind(r));
		if (r->have_rec) {
			vd_flag_names(r->rec.vm_flags, flags, sizeof(flags));
			fprintf(f, ",\"vm_flags\":\"0x%llx\",\"flags\":",
				(unsigned long long)r->rec.vm_flags);
			json_str(f, flags);
			fprintf(f, ",\"pgoff\":%llu,\"file_id\":%llu,\"anon_id\":%llu"
				",\"faulted\":%s,\"forked\":%s,\"policy\":%s",
				(unsigned long long)r->rec.pgoff,
				(unsigned long long)r->rec.file_id,
				(unsigned long long)r->rec.anon_id,
				r->rec.anon_id ? "true" : "false",
				r->rec.state & VMASHADOW_STATE_ANON_FORKED ? "true" : "false",
				r->rec.state & VMASHADOW_STATE_POLICY ? "true" : "false");
		} else {
			fputs(",\"vm_flags\":null,\"flags\":null,\"pgoff\":null"
			      ",\"file_id\":null,\"anon_id\":null,\"faulted\":null"
			      ",\"forked\":null,\"policy\":null", f);
		}
		json_policy(f, r);
		/* the userfaultfd context (its modes are among the flags), 0: none */
		if (r->have_rec)
			fprintf(f, ",\"uffd\":%u", vms_uffd_ctx(&r->rec));
		else
			fputs(",\"uffd\":null", f);
		if (marks)
			fprintf(f, ",\"change\":\"%s\"", vms_change_name(r->change));
		else
			fputs(",\"change\":null", f);
		fprintf(f, "}%s\n", i + 1 < s->n ? "," : "");
	}
	fputs("]\n", f);
}

/* ---- svg ------------------------------------------------------------------ */

#define SVG_W 1000.0
#define SVG_M 20.0		/* side margin */

static const char *prot_colour(const char *perms)
{
	int rd = perms[0] == 'r', wr = perms[1] == 'w', ex = perms[2] == 'x';

	if (!rd && !wr && !ex)
		return "#bdbdbd";
	if (wr && ex)
		return "#e06666";
	if (ex)
		return "#f0a35e";
	if (wr)
		return "#7fb2e5";
	if (rd)
		return "#8fd18f";
	return "#c9a0dc";
}

static const char *change_colour(enum vms_change c)
{
	switch (c) {
	case VMS_CHG_NEW: return "#1f77b4";
	case VMS_CHG_MERGED: return "#2ca02c";
	case VMS_CHG_SPLIT: return "#ff7f0e";
	case VMS_CHG_TRUNCATED: return "#d62728";
	case VMS_CHG_CHANGED: return "#9467bd";
	default: return "#333333";
	}
}

static void svg_title(FILE *f, const struct vms_reg *r)
{
	char sz[32];

	human_size(sz, sizeof(sz), r->end - r->start);
	fprintf(f, "<title>%016" PRIx64 "-%016" PRIx64 " %s %.4s %s ", r->start,
		r->end, sz, r->perms, reg_kind(r));
	xml_str(f, r->name);
	if (r->change)
		fprintf(f, " (%s)", vms_change_name(r->change));
	fputs("</title>", f);
}

/* Attributes shared by region rectangles in both views. */
static void svg_rect(FILE *f, double x, double y, double w, double h,
		     const struct vms_reg *r)
{
	const char *kind = reg_kind(r);
	int file = !strcmp(kind, "file"), special = !strcmp(kind, "vdso") ||
		   !strcmp(kind, "vvar");

	fprintf(f, "<g class=\"region %s\">", kind);
	fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
		"fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"%s>",
		x, y, w > 0.5 ? w : 0.5, h, prot_colour(r->perms),
		r->change ? change_colour(r->change) : special ? "#6a3d9a" : "#333333",
		r->change ? "3" : "1",
		file ? " stroke-dasharray=\"5 2\"" : "");
	svg_title(f, r);
	fputs("</rect>", f);
	if (r->perms[3] == 's')
		fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			"fill=\"url(#shared)\" stroke=\"none\"/>", x, y,
			w > 0.5 ? w : 0.5, h);
	fputs("</g>\n", f);
}

static double seg_weight(uint64_t len, int gap)
{
	double pages = (double)(len / VMS_PAGE_SIZE) + 1.0;

	return gap ? 0.6 + 0.15 * log2(pages) : 1.0 + 0.5 * log2(pages);
}

static void svg_overview(FILE *f, const struct vms_snap *s, double y, double h,
			 uint64_t ws, uint64_t we)
{
	double total = 0, x = SVG_M, scale, wx0 = -1, wx1 = -1;
	uint64_t pos = 0;
	size_t i;
	int pass;

	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"h\">whole address space "
		"(compressed: widths grow with the log of the size)</text>\n",
		SVG_M, y - 6);
	for (pass = 0; pass < 2; pass++) {
		pos = 0;
		x = SVG_M;
		scale = pass ? (SVG_W - 2 * SVG_M) / total : 0;
		for (i = 0; i <= s->n; i++) {
			uint64_t gs = pos, ge = i < s->n ? s->v[i].start : VMS_TASK_SIZE;

			if (ge > gs) {
				double w = seg_weight(ge - gs, 1);

				if (pass) {
					char sz[32];

					human_size(sz, sizeof(sz), ge - gs);
					fprintf(f, "<rect class=\"gap\" x=\"%.2f\" y=\"%.2f\" "
						"width=\"%.2f\" height=\"%.2f\" fill=\"url(#gap)\" "
						"stroke=\"#999999\"><title>gap %016" PRIx64 "-%016"
						PRIx64 " %s</title></rect>\n", x, y, w * scale, h,
						gs, ge, sz);
					if (ws < ge && we > gs && wx0 < 0)
						wx0 = x;
					if (ws < ge && we > gs)
						wx1 = x + w * scale;
					x += w * scale;
				} else {
					total += w;
				}
			}
			if (i == s->n)
				break;
			if (pass) {
				double w = seg_weight(s->v[i].end - s->v[i].start, 0) * scale;

				svg_rect(f, x, y, w, h, &s->v[i]);
				if (ws < s->v[i].end && we > s->v[i].start) {
					if (wx0 < 0)
						wx0 = x;
					wx1 = x + w;
				}
				x += w;
			} else {
				total += seg_weight(s->v[i].end - s->v[i].start, 0);
			}
			pos = s->v[i].end;
		}
	}
	if (wx0 >= 0)
		fprintf(f, "<rect class=\"window\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
			"height=\"%.2f\" fill=\"none\" stroke=\"#000000\" "
			"stroke-width=\"1.5\" stroke-dasharray=\"3 3\"/>\n",
			wx0 - 2, y - 3, wx1 - wx0 + 4, h + 6);
}

static void svg_label(FILE *f, double x, double y, uint64_t addr)
{
	fprintf(f, "<text class=\"addr\" x=\"%.2f\" y=\"%.2f\" "
		"transform=\"rotate(40 %.2f %.2f)\">%" PRIx64 "</text>\n",
		x, y, x, y, addr);
}

static void auto_window(const struct vms_snap *s, const struct vms_snap *before,
			uint64_t *ws, uint64_t *we)
{
	size_t i, lo = s->n, hi = 0;
	uint64_t a = UINT64_MAX, b = 0, pad;

	for (i = 0; i < s->n; i++)
		if (s->v[i].change) {
			if (lo == s->n)
				lo = i;
			hi = i;
		}
	if (lo < s->n) {
		a = s->v[lo].start;
		b = s->v[hi].end;
	} else if (s->n) {
		a = s->v[0].start;
		b = s->v[s->n - 1].end;
	}
	/* Include what the last operation unmapped. */
	if (before)
		for (i = 0; i < before->n; i++) {
			const struct vms_reg *r = &before->v[i];
			size_t k;
			int covered = 0;

			for (k = 0; k < s->n; k++)
				if (s->v[k].start <= r->start && s->v[k].end >= r->end)
					covered = 1;
			if (!covered) {
				a = r->start < a ? r->start : a;
				b = r->end > b ? r->end : b;
			}
		}
	if (a >= b) {
		*ws = 0;
		*we = 0x100000;
		return;
	}
	pad = ((b - a) / 4 + VMS_PAGE_SIZE - 1) & ~(VMS_PAGE_SIZE - 1);
	*ws = a > pad ? a - pad : 0;
	*we = b + pad;
}

static void fmt_svg(FILE *f, const struct vms_snap *s, const struct vms_snap *before,
		    const struct vms_window *win, const char *title)
{
	const double oy = 50, oh = 26, wy = 130, wh = 70;
	double H = 330, scale, lastlabel = -1e9;
	uint64_t ws, we, pos;
	size_t i;

	if (win && win->end > win->start) {
		ws = win->start;
		we = win->end;
	} else {
		auto_window(s, before, &ws, &we);
	}
	scale = (SVG_W - 2 * SVG_M) / (double)(we - ws);

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\" font-size=\"10\">\n",
		SVG_W, H, SVG_W, H);
	fputs("<defs>\n"
	      "<pattern id=\"gap\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/>"
	      "<path d=\"M0,6 L6,0\" stroke=\"#cccccc\" stroke-width=\"1\"/></pattern>\n"
	      "<pattern id=\"shared\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
	      "<path d=\"M0,0 L6,6\" stroke=\"#000000\" stroke-opacity=\"0.35\" "
	      "stroke-width=\"1\"/></pattern>\n"
	      "<style>.h{font-weight:bold} .addr{font-size:8px}</style>\n"
	      "</defs>\n", f);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	fprintf(f, "<text x=\"%.0f\" y=\"20\" class=\"h\" font-size=\"13\">", SVG_M);
	xml_str(f, title && *title ? title : "vmashadow");
	fprintf(f, " - %zu region%s</text>\n", s->n, s->n == 1 ? "" : "s");

	svg_overview(f, s, oy, oh, ws, we);

	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"h\">window %016" PRIx64
		"-%016" PRIx64 " (to scale)</text>\n", SVG_M, wy - 28, ws, we);
	/* Gaps inside the window. */
	pos = ws;
	for (i = 0; i <= s->n; i++) {
		uint64_t gs = pos, ge = i < s->n ? s->v[i].start : we;

		if (ge > we)
			ge = we;
		if (gs < ws)
			gs = ws;
		if (ge > gs) {
			char sz[32];
			double x = SVG_M + (double)(gs - ws) * scale;
			double w = (double)(ge - gs) * scale;

			human_size(sz, sizeof(sz), ge - gs);
			fprintf(f, "<rect class=\"gap\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				"height=\"%.2f\" fill=\"url(#gap)\" stroke=\"none\">"
				"<title>gap %" PRIx64 "-%" PRIx64 " %s</title></rect>\n",
				x, wy, w, wh, gs, ge, sz);
			if (w > 40)
				fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
					"fill=\"#888888\">gap %s</text>\n", x + w / 2,
					wy + wh / 2 + 3, sz);
		}
		if (i == s->n)
			break;
		pos = s->v[i].end;
	}
	/* What the last operation removed: dashed outlines. */
	if (before)
		for (i = 0; i < before->n; i++) {
			const struct vms_reg *r = &before->v[i];
			uint64_t p = r->start;
			size_t k;

			for (k = 0; k <= s->n && p < r->end; k++) {
				uint64_t cs = k < s->n ? s->v[k].start : r->end;
				uint64_t ce = k < s->n ? s->v[k].end : r->end;

				if (ce <= p)
					continue;
				if (cs > p) {
					uint64_t e = cs < r->end ? cs : r->end;
					uint64_t a = p > ws ? p : ws, b = e < we ? e : we;

					if (b > a)
						fprintf(f, "<rect class=\"removed\" x=\"%.2f\" "
							"y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
							"fill=\"none\" stroke=\"#d62728\" "
							"stroke-width=\"2\" stroke-dasharray=\"4 3\">"
							"<title>unmapped %" PRIx64 "-%" PRIx64
							"</title></rect>\n",
							SVG_M + (double)(a - ws) * scale, wy + 2,
							(double)(b - a) * scale, wh - 4, p, e);
				}
				p = ce > p ? ce : p;
			}
		}
	/* Regions. */
	for (i = 0; i < s->n; i++) {
		const struct vms_reg *r = &s->v[i];
		uint64_t a = r->start > ws ? r->start : ws;
		uint64_t b = r->end < we ? r->end : we;
		double x, w;

		if (b <= a)
			continue;
		x = SVG_M + (double)(a - ws) * scale;
		w = (double)(b - a) * scale;
		svg_rect(f, x, wy, w, wh, r);
		if (w > 36) {
			char sz[32];

			human_size(sz, sizeof(sz), r->end - r->start);
			fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%.4s"
				" %s</text>\n", x + w / 2, wy + 16, r->perms, sz);
			if (w > 70 && r->name[0]) {
				fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">",
					x + w / 2, wy + 30);
				xml_str(f, strrchr(r->name, '/') && r->name[0] == '/' ?
					strrchr(r->name, '/') + 1 : r->name);
				fputs("</text>\n", f);
			}
		}
		if (r->change && w > 8)
			fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
				"fill=\"%s\" class=\"h\">%s</text>\n", x + w / 2, wy - 6,
				change_colour(r->change), vms_change_name(r->change));
		/* Where the regions it merged met: dotted lines. */
		if (r->change == VMS_CHG_MERGED && before) {
			size_t k;

			for (k = 0; k < before->n; k++) {
				uint64_t e = before->v[k].end;

				if (e > a && e < b)
					fprintf(f, "<line class=\"seam\" x1=\"%.2f\" y1=\"%.2f\" "
						"x2=\"%.2f\" y2=\"%.2f\" stroke=\"#2ca02c\" "
						"stroke-dasharray=\"2 2\"/>\n",
						SVG_M + (double)(e - ws) * scale, wy,
						SVG_M + (double)(e - ws) * scale, wy + wh);
			}
		}
		/* Boundary labels below the window. */
		if (r->start >= ws && x - lastlabel > 28) {
			svg_label(f, x, wy + wh + 10, r->start);
			lastlabel = x;
		}
		if (r->end <= we && x + w - lastlabel > 28) {
			svg_label(f, x + w, wy + wh + 10, r->end);
			lastlabel = x + w;
		}
	}
	/* Legend. */
	{
		static const struct { const char *perms, *label; } prot[] = {
			{ "---p", "---" }, { "r--p", "r--" }, { "rw-p", "rw-" },
			{ "r-xp", "r-x" }, { "rwxp", "rwx" },
		};
		static const enum vms_change chg[] = {
			VMS_CHG_NEW, VMS_CHG_MERGED, VMS_CHG_SPLIT, VMS_CHG_TRUNCATED,
			VMS_CHG_CHANGED,
		};
		double x = SVG_M, y = H - 50;
		size_t k;

		for (k = 0; k < sizeof(prot) / sizeof(prot[0]); k++, x += 60)
			fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"10\" "
				"fill=\"%s\" stroke=\"#333333\"/><text x=\"%.0f\" y=\"%.0f\">"
				"%s</text>\n", x, y, prot_colour(prot[k].perms), x + 18,
				y + 9, prot[k].label);
		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">dashed border: file; hatched: "
			"shared; grey hatch: gap</text>\n", x + 10, y + 9);
		x = SVG_M;
		y += 22;
		for (k = 0; k < sizeof(chg) / sizeof(chg[0]); k++, x += 90)
			fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"10\" "
				"fill=\"none\" stroke=\"%s\" stroke-width=\"3\"/>"
				"<text x=\"%.0f\" y=\"%.0f\">%s</text>\n", x, y,
				change_colour(chg[k]), x + 18, y + 9, vms_change_name(chg[k]));
		fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"10\" "
			"fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" "
			"stroke-dasharray=\"4 3\"/><text x=\"%.0f\" y=\"%.0f\">unmapped"
			"</text>\n", x, y, x + 18, y + 9);
	}
	fputs("</svg>\n", f);
}

void fmt_snap(FILE *f, enum vms_format fmt, const struct vms_snap *s,
	      const struct vms_snap *before, const struct vms_window *w,
	      const char *title)
{
	size_t i;

	switch (fmt) {
	case VMS_FMT_MAPS:
		for (i = 0; i < s->n; i++)
			fmt_maps_line(f, &s->v[i]);
		break;
	case VMS_FMT_PMAP:
		fmt_pmap(f, s, before != NULL);
		break;
	case VMS_FMT_JSON:
		fmt_json(f, s, before != NULL);
		break;
	case VMS_FMT_SVG:
		fmt_svg(f, s, before, w, title);
		break;
	}
}

/* ---- shadow versus real ----------------------------------------------------- */

int vms_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The region of s holding addr, or NULL. */
static const struct vms_reg *holding(const struct vms_snap *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo].start <= addr ? &s->v[lo] : NULL;
}

static int is_boundary(const struct vms_snap *s, uint64_t addr)
{
	const struct vms_reg *r = holding(s, addr);

	return r && r->start == addr;
}

/*
 * Shared anonymous memory: the shadow says so (KIND_SHMEM), a maps text
 * only by the name shmem_zero_setup()'s file has.
 */
static int reg_is_shared_anon(const struct vms_reg *r)
{
	if (r->have_rec)
		return r->rec.kind == VMASHADOW_KIND_SHMEM;
	return !strcmp(r->name, "/dev/zero (deleted)");
}

/*
 * Whether the inodes of a and b are to be compared.  Not between two
 * shared anonymous mappings: each is a new shmem inode whose number the
 * kernel takes from a system-wide counter (get_next_ino()), which no
 * shadow can predict (the selftests' vms_filter() masks it the same way).
 * Everything else on the line still counts, and a file's inode always.
 */
static int inode_compared(const struct vms_reg *a, const struct vms_reg *b)
{
	return !reg_is_shared_anon(a) || !reg_is_shared_anon(b);
}

/* Attribute difference of a and b over an interval starting at addr. */
static int attr_diff(const struct vms_reg *a, const struct vms_reg *b, uint64_t addr,
		     char *buf, size_t len)
{
	uint64_t oa = a->offset + (reg_is_file(a) ? addr - a->start : 0);
	uint64_t ob = b->offset + (reg_is_file(b) ? addr - b->start : 0);
	size_t n = 0;

	buf[0] = 0;
	if (memcmp(a->perms, b->perms, 4))
		n += snprintf(buf + n, len - n, " perms %.4s/%.4s", a->perms, b->perms);
	if (oa != ob && n < len)
		n += snprintf(buf + n, len - n, " offset %" PRIx64 "/%" PRIx64, oa, ob);
	if ((a->major != b->major || a->minor != b->minor) && n < len)
		n += snprintf(buf + n, len - n, " dev %02x:%02x/%02x:%02x", a->major,
			      a->minor, b->major, b->minor);
	if (a->inode != b->inode && inode_compared(a, b) && n < len)
		n += snprintf(buf + n, len - n, " inode %" PRIu64 "/%" PRIu64,
			      a->inode, b->inode);
	if (strcmp(a->name, b->name) && n < len)
		snprintf(buf + n, len - n, " name \"%s\"/\"%s\"", a->name, b->name);
	return buf[0] != 0;
}

static void reg_desc(char *buf, size_t len, const struct vms_reg *r)
{
	if (!r)
		snprintf(buf, len, "nothing");
	else
		snprintf(buf, len, "%.4s %s", r->perms, r->name[0] ? r->name : "anon");
}

struct report {
	uint64_t addr;
	char *text;
};

struct reports {
	struct report *v;
	size_t n;
};

static void report(struct reports *r, uint64_t addr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct reports *r, uint64_t addr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n].addr = addr;
	r->v[r->n++].text = xstrdup(buf);
}

static int cmp_report(const void *a, const void *b)
{
	const struct report *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int maps_compare_at(FILE *f, const struct vms_snap *sh, const struct vms_snap *re,
		    const struct vms_window *w, uint64_t *first)
{
	struct reports reps = { NULL, 0 };
	uint64_t lo = 0, hi = UINT64_MAX, *pts;
	size_t n = 0, i, np;
	int mismatches = 0;
	/* The pending report, so that adjacent intervals with the same story join. */
	char pend[512] = "", cur[512];
	const char *pclass = NULL;
	uint64_t pstart = 0, pend_end = 0;

	if (w && w->end > w->start) {
		lo = w->start;
		hi = w->end;
	}
	pts = xmalloc((2 * (sh->n + re->n) + 2) * sizeof(*pts));
	pts[n++] = lo;
	pts[n++] = hi;
	for (i = 0; i < sh->n; i++) {
		pts[n++] = sh->v[i].start;
		pts[n++] = sh->v[i].end;
	}
	for (i = 0; i < re->n; i++) {
		pts[n++] = re->v[i].start;
		pts[n++] = re->v[i].end;
	}
	qsort(pts, n, sizeof(*pts), vms_cmp_u64);
	for (i = np = 0; i < n; i++)
		if ((!np || pts[np - 1] != pts[i]) && pts[i] >= lo && pts[i] <= hi)
			pts[np++] = pts[i];

	for (i = 0; i + 1 < np; i++) {
		uint64_t a = pts[i], b = pts[i + 1];
		const struct vms_reg *x = holding(sh, a), *y = holding(re, a);
		const char *cls = NULL;
		char da[128], db[128], ad[384];

		cur[0] = 0;
		if (!x && !y)
			cls = NULL;
		else if (!x || !y) {
			cls = "coverage";
			reg_desc(da, sizeof(da), x);
			reg_desc(db, sizeof(db), y);
			snprintf(cur, sizeof(cur), "shadow has %s, real has %s", da, db);
		} else if (attr_diff(x, y, a, ad, sizeof(ad))) {
			cls = "attribute";
			snprintf(cur, sizeof(cur), "shadow/real:%s", ad);
		}
		if (pclass && (cls != pclass || strcmp(cur, pend) || a != pend_end)) {
			report(&reps, pstart, "%-9s %016" PRIx64 "-%016" PRIx64 " %s",
			       pclass, pstart, pend_end, pend);
			mismatches++;
			pclass = NULL;
		}
		if (cls && !pclass) {
			pclass = cls;
			pstart = a;
			snprintf(pend, sizeof(pend), "%s", cur);
		}
		if (cls)
			pend_end = b;
	}
	if (pclass) {
		report(&reps, pstart, "%-9s %016" PRIx64 "-%016" PRIx64 " %s", pclass,
		       pstart, pend_end, pend);
		mismatches++;
	}
	/*
	 * Boundary-only: a split point on one side only, where both sides cover
	 * both neighbouring intervals with the same attributes.
	 */
	for (i = 1; i + 1 < np; i++) {
		uint64_t p = pts[i];
		const struct vms_reg *xl = holding(sh, p - 1), *xr = holding(sh, p);
		const struct vms_reg *yl = holding(re, p - 1), *yr = holding(re, p);
		char ad[384];
		int bs, br;

		if (!xl || !xr || !yl || !yr)
			continue;
		if (attr_diff(xl, yl, p - 1, ad, sizeof(ad)) ||
		    attr_diff(xr, yr, p, ad, sizeof(ad)))
			continue;
		bs = is_boundary(sh, p);
		br = is_boundary(re, p);
		if (bs == br)
			continue;
		report(&reps, p, "%-9s %016" PRIx64 " split in the %s only (same "
		       "coverage and attributes on both sides)", "boundary", p,
			bs ? "shadow" : "real maps");
		mismatches++;
	}
	free(pts);
	qsort(reps.v, reps.n, sizeof(*reps.v), cmp_report);
	if (first && reps.n)
		*first = reps.v[0].addr;
	for (i = 0; i < reps.n; i++) {
		fprintf(f, "%s\n", reps.v[i].text);
		free(reps.v[i].text);
	}
	free(reps.v);
	return mismatches;
}

int maps_compare(FILE *f, const struct vms_snap *sh, const struct vms_snap *re,
		 const struct vms_window *w)
{
	return maps_compare_at(f, sh, re, w, NULL);
}
