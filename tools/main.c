// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - the command line of vmashadow(8).
 *
 *   vmashadow [OPTION]... [SCRIPT]...      run scripts (stdin; a prompt on a tty)
 *   vmashadow run [--tap] SCRIPT...        the same; --tap: kselftest TAP
 *   vmashadow check SCRIPT...              parse only
 *   vmashadow diff [-s SCRIPT] PID|MAPS    shadow versus real maps
 *   vmashadow format [--before MAPS] [MAPS]  render maps text as pmap/json/svg
 *   vmashadow trace [--check every|exit] [--log FILE] [--inject N:SCRIPT] --
 *                   PROGRAM [ARGS]
 *   vmashadow replay LOG, vmashadow shrink LOG   (replay.c)
 *   vmashadow version
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vms.h"

const char *vms_progname = "vmashadow";

void vms_err(const char *what, int errnum)
{
	fprintf(stderr, "%s: %s: %s\n", vms_progname, what, strerror(errnum));
}

void vms_errx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", vms_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		vms_err("malloc", ENOMEM);
		exit(VMS_EXIT_FAIL);
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		vms_err("realloc", ENOMEM);
		exit(VMS_EXIT_FAIL);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vmashadow [OPTION]... [SCRIPT]...\n"
"  or:  vmashadow run [--tap] [OPTION]... SCRIPT...\n"
"  or:  vmashadow check SCRIPT...\n"
"  or:  vmashadow diff [-s SCRIPT] [--shadow-maps FILE] [-w START-END] PID|MAPSFILE\n"
"  or:  vmashadow format [-f FORMAT] [--before MAPSFILE] [-w START-END] [MAPSFILE]\n"
"  or:  vmashadow import [-f FORMAT] [PID|self]\n"
"  or:  vmashadow why [-w START-END] [-s SCRIPT | PID|self]\n"
"  or:  vmashadow trace [--check every|exit] [--log FILE] [--inject N:SCRIPT]\n"
"                        -- PROGRAM [ARG]...\n"
"  or:  vmashadow replay LOG|STRACE-OUTPUT\n"
"  or:  vmashadow shrink LOG\n"
"Drive a shadow address space of /dev/vmashadow with a script: map, unmap,\n"
"protect, touch, ... and expect lines that make the script a test.\n"
"With no SCRIPT, or when SCRIPT is -, read standard input (with a prompt on a\n"
"terminal).\n"
"\n"
"  -d, --device=PATH      the device (default " VMS_DEFAULT_DEVICE
"; $VMASHADOW_DEVICE)\n"
"  -e, --execute=COMMAND  run COMMAND (may be repeated; runs before SCRIPTs)\n"
"  -f, --format=FORMAT    maps (default), pmap, json or svg, for 'maps'\n"
"  -w, --window=START-END the SVG window, or the range diff and why cover\n"
"  -r, --rules=VERSION    follow the rules of Linux 6.1 or 6.12\n"
"  -t, --tap              print kselftest-style TAP, one test per SCRIPT\n"
"  -n, --parse-only       check the scripts' syntax only (as 'check')\n"
"  -s, --script=SCRIPT    diff, why: run SCRIPT on the shadow first\n"
"      --shadow-maps=FILE diff: take the shadow from a maps FILE\n"
"      --before=FILE      format: the maps before the last operation\n"
"  -v, --verbose          print every operation's result and effect\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          output version information and exit\n"
"\n"
"Exit status: 0 ok, 1 runtime error, failed expectation or mismatch,\n"
"2 usage or script syntax error.  See vmashadow(8).\n");
}

static int version(const char *device)
{
	struct vmashadow_version v;
	int fd, e;

	printf("vmashadow %s\n", VMS_TOOL_VERSION);
	printf("interface %d.%d\n", VMASHADOW_API_MAJOR, VMASHADOW_API_MINOR);
	fd = vd_open(device);
	if (fd < 0) {
		printf("module: not available (%s: %s)\n", device, strerror(-fd));
		return VMS_EXIT_OK;
	}
	e = vd_version(fd, &v);
	close(fd);
	if (e) {
		vms_err("VMASHADOW_IOC_VERSION", e);
		return VMS_EXIT_FAIL;
	}
	v.module[sizeof(v.module) - 1] = 0;
	printf("module %s, interface %u.%u, rules %s\n", v.module, v.api_major,
	       v.api_minor, vd_rules_name(v.rules));
	if (v.api_major != VMASHADOW_API_MAJOR) {
		vms_errx("module interface %u.x is not this tool's %d.x", v.api_major,
			 VMASHADOW_API_MAJOR);
		return VMS_EXIT_FAIL;
	}
	return VMS_EXIT_OK;
}

static int parse_addr(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 16);
	return errno || end == s ? -1 : (int)(end - s);
}

static int parse_window(const char *s, struct vms_window *w)
{
	int n = parse_addr(s, &w->start);

	if (n < 0 || (s[n] != '-' && s[n] != ',') || parse_addr(s + n + 1, &w->end) < 0 ||
	    s[n + 1 + parse_addr(s + n + 1, &w->end)] || w->end <= w->start)
		return -1;
	return 0;
}

/* Status of one script result. */
static int result_status(const struct vms_result *r)
{
	if (r->parse_errors)
		return VMS_EXIT_USAGE;
	if (r->runtime_error || r->expect_failed || r->unsupported || r->mismatches)
		return VMS_EXIT_FAIL;
	return VMS_EXIT_OK;
}

static void run_one(const char *path, struct vms_opts *o, struct vms_result *res)
{
	FILE *fp;

	if (!strcmp(path, "-")) {
		vms_run_script(stdin, "<stdin>", o, res);
		return;
	}
	fp = fopen(path, "r");
	if (!fp) {
		memset(res, 0, sizeof(*res));
		vms_err(path, errno);
		res->runtime_error = 1;
		return;
	}
	vms_run_script(fp, path, o, res);
	fclose(fp);
}

/* kselftest TAP: one test per script; everything else as # lines. */
static int run_tap(char **files, int n, struct vms_opts *o)
{
	int pass = 0, fail = 0, skip = 0, i;

	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		const char *base = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 :
				   files[i];
		struct vms_result r;
		FILE *tmp = tmpfile();
		char *line = NULL;
		size_t cap = 0;

		if (!tmp) {
			vms_err("tmpfile", errno);
			return VMS_EXIT_FAIL;
		}
		o->out = o->diag = tmp;
		o->diag_prefix = "";
		run_one(files[i], o, &r);
		rewind(tmp);
		while (getline(&line, &cap, tmp) >= 0)
			printf("# %s", line);
		free(line);
		fclose(tmp);
		if (r.parse_errors || r.runtime_error || r.expect_failed || r.mismatches) {
			if (r.unsupported && !r.parse_errors && !r.expect_failed) {
				printf("ok %d %s # SKIP not supported by this module\n",
				       i + 1, base);
				skip++;
			} else {
				printf("not ok %d %s\n", i + 1, base);
				fail++;
			}
		} else {
			printf("ok %d %s\n", i + 1, base);
			pass++;
		}
		fflush(stdout);
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", pass,
	       fail, skip);
	if (fail)
		return VMS_EXIT_FAIL;
	return pass || !skip ? VMS_EXIT_OK : 4;	/* 4: KSFT_SKIP */
}

static int cmd_format(int argc, char **argv, struct vms_opts *o, const char *before)
{
	struct vms_snap s, b;
	char err[4352];
	int rc;

	if (argc > 1) {
		vms_errx("format: one maps file at most");
		usage(stderr);
		return VMS_EXIT_USAGE;
	}
	if (vms_load_maps(argc ? argv[0] : "-", &s, err, sizeof(err))) {
		vms_errx("%s", err);
		return VMS_EXIT_FAIL;
	}
	if (before) {
		if (vms_load_maps(before, &b, err, sizeof(err))) {
			vms_errx("%s", err);
			snap_free(&s);
			return VMS_EXIT_FAIL;
		}
		snap_diff(&b, &s);
	}
	fmt_snap(stdout, o->format, &s, before ? &b : NULL, &o->window,
		 argc ? argv[0] : "<stdin>");
	rc = fflush(stdout) ? VMS_EXIT_FAIL : VMS_EXIT_OK;
	if (before)
		snap_free(&b);
	snap_free(&s);
	return rc;
}

static int cmd_diff(int argc, char **argv, struct vms_opts *o, const char *script,
		    const char *shadow_maps)
{
	struct vms_result r;

	if (argc != 1) {
		vms_errx("diff: expects one PID or maps file");
		usage(stderr);
		return VMS_EXIT_USAGE;
	}
	if (shadow_maps) {
		struct vms_snap a, b;
		char err[4352];
		int mm;

		if (vms_load_maps(shadow_maps, &a, err, sizeof(err))) {
			vms_errx("%s", err);
			return VMS_EXIT_FAIL;
		}
		if (vms_load_maps(argv[0], &b, err, sizeof(err))) {
			vms_errx("%s", err);
			snap_free(&a);
			return VMS_EXIT_FAIL;
		}
		mm = maps_compare(stdout, &a, &b, &o->window);
		printf("%d mismatch%s\n", mm, mm == 1 ? "" : "es");
		snap_free(&a);
		snap_free(&b);
		return mm ? VMS_EXIT_FAIL : VMS_EXIT_OK;
	}
	o->diff_target = argv[0];
	if (script) {
		run_one(script, o, &r);
	} else {
		FILE *empty = fmemopen((char *)"\n", 1, "r");

		vms_run_script(empty, "<empty>", o, &r);
		fclose(empty);
	}
	return result_status(&r);
}

/* Whether @who names a process: "self" or a PID. */
static int is_process(const char *who)
{
	return !strcmp(who, "self") || strspn(who, "0123456789") == strlen(who);
}

/*
 * Import @who ("self" or a PID) into a shadow, then run @then (script
 * lines, may be ""), as a script named @name.
 */
static int import_then(const char *who, const char *then, const char *name,
		       struct vms_opts *o)
{
	struct vms_result r;
	char text[64];
	FILE *script;

	snprintf(text, sizeof(text), "import %s\n%s", who, then);
	script = fmemopen(text, strlen(text), "r");
	if (!script) {
		vms_err(name, errno);
		return VMS_EXIT_FAIL;
	}
	vms_run_script(script, name, o, &r);
	fclose(script);
	return result_status(&r);
}

/*
 * vmashadow import [PID|self]: load a process's address space (without a
 * PID, this command's own) into a shadow and print it in the chosen
 * format, as the script commands "import" and "maps" would.
 */
static int cmd_import(int argc, char **argv, struct vms_opts *o)
{
	const char *who = argc ? argv[0] : "self";

	if (argc > 1 || !is_process(who)) {
		vms_errx("import: expects one PID or self");
		usage(stderr);
		return VMS_EXIT_USAGE;
	}
	return import_then(who, "maps\n", "import", o);
}

/*
 * vmashadow why [-s SCRIPT | PID|self]: why the regions of a process (or
 * of the shadow SCRIPT builds) that touch are not one region, each
 * boundary with the rule that keeps it, then the counts: what to look at
 * when a program nears vm.max_map_count.
 */
static int cmd_why(int argc, char **argv, struct vms_opts *o, const char *script)
{
	const char *who = argc ? argv[0] : "self";
	struct vms_result r;

	if (argc > 1 || (argc && script) || !is_process(who)) {
		vms_errx("why: expects one PID or self, or -s SCRIPT");
		usage(stderr);
		return VMS_EXIT_USAGE;
	}
	o->why_after = 1;
	if (!script)
		return import_then(who, "", "why", o);
	run_one(script, o, &r);
	return result_status(&r);
}

int main(int argc, char **argv)
{
	enum { OPT_SHADOW_MAPS = 256, OPT_BEFORE };
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "execute", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ "window", required_argument, NULL, 'w' },
		{ "rules", required_argument, NULL, 'r' },
		{ "tap", no_argument, NULL, 't' },
		{ "parse-only", no_argument, NULL, 'n' },
		{ "script", required_argument, NULL, 's' },
		{ "shadow-maps", required_argument, NULL, OPT_SHADOW_MAPS },
		{ "before", required_argument, NULL, OPT_BEFORE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vms_opts o;
	const char *sub = "run", *script = NULL, *shadow_maps = NULL, *before = NULL;
	char *exec = NULL;
	size_t execlen = 0;
	int tap = 0, c, rc = VMS_EXIT_OK, i;

	memset(&o, 0, sizeof(o));
	o.device = getenv("VMASHADOW_DEVICE") ? getenv("VMASHADOW_DEVICE") :
		   VMS_DEFAULT_DEVICE;
	o.out = stdout;
	o.diag = stderr;
	o.diag_prefix = "";
	if (argc > 1 && (!strcmp(argv[1], "trace") || !strcmp(argv[1], "replay") ||
			 !strcmp(argv[1], "shrink"))) {
		/* Their own options; -d/-r/VMASHADOW_DEVICE as everywhere. */
		int k = 2;

		while (k + 1 < argc && (!strcmp(argv[k], "-d") || !strcmp(argv[k], "-r"))) {
			if (!strcmp(argv[k], "-d"))
				o.device = argv[k + 1];
			else if (!strcmp(argv[k + 1], "6.1"))
				o.rules = VMASHADOW_RULES_6_1;
			else if (!strcmp(argv[k + 1], "6.12"))
				o.rules = VMASHADOW_RULES_6_12;
			argv[k + 1] = argv[1];
			argv += 2;
			argc -= 2;
		}
		if (!strcmp(argv[1], "trace"))
			return vms_cmd_trace(argc - 1, argv + 1, &o);
		if (!strcmp(argv[1], "replay"))
			return vms_cmd_replay(argc - 1, argv + 1, &o);
		return vms_cmd_shrink(argc - 1, argv + 1, &o);
	}
	if (argc > 1 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "check") ||
			 !strcmp(argv[1], "diff") || !strcmp(argv[1], "format") ||
			 !strcmp(argv[1], "import") || !strcmp(argv[1], "why") ||
			 !strcmp(argv[1], "version"))) {
		sub = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "d:e:f:w:r:tns:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.device = optarg;
			break;
		case 'e': {
			size_t n = strlen(optarg);

			exec = xrealloc(exec, execlen + n + 2);
			memcpy(exec + execlen, optarg, n);
			execlen += n;
			exec[execlen++] = '\n';
			exec[execlen] = 0;
			break;
		}
		case 'f':
			if (vms_parse_format(optarg, &o.format)) {
				vms_errx("unknown format '%s' (maps, pmap, json, svg)", optarg);
				return VMS_EXIT_USAGE;
			}
			break;
		case 'w':
			if (parse_window(optarg, &o.window)) {
				vms_errx("bad window '%s' (hex START-END)", optarg);
				return VMS_EXIT_USAGE;
			}
			break;
		case 'r':
			if (!strcmp(optarg, "6.1"))
				o.rules = VMASHADOW_RULES_6_1;
			else if (!strcmp(optarg, "6.12"))
				o.rules = VMASHADOW_RULES_6_12;
			else {
				vms_errx("unknown rules '%s' (6.1 or 6.12)", optarg);
				return VMS_EXIT_USAGE;
			}
			break;
		case 't':
			tap = 1;
			break;
		case 'n':
			o.parse_only = 1;
			break;
		case 's':
			script = optarg;
			break;
		case OPT_SHADOW_MAPS:
			shadow_maps = optarg;
			break;
		case OPT_BEFORE:
			before = optarg;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return VMS_EXIT_OK;
		case 'V':
			return version(o.device);
		default:
			usage(stderr);
			return VMS_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (!strcmp(sub, "version"))
		return version(o.device);
	if (!strcmp(sub, "format"))
		return cmd_format(argc, argv, &o, before);
	if (!strcmp(sub, "diff"))
		return cmd_diff(argc, argv, &o, script, shadow_maps);
	if (!strcmp(sub, "import"))
		return cmd_import(argc, argv, &o);
	if (!strcmp(sub, "why"))
		return cmd_why(argc, argv, &o, script);
	if (!strcmp(sub, "check"))
		o.parse_only = 1;

	if (tap) {
		if (!argc) {
			vms_errx("--tap needs SCRIPT files");
			return VMS_EXIT_USAGE;
		}
		return run_tap(argv, argc, &o);
	}
	if (exec) {
		struct vms_result r;
		FILE *fp = fmemopen(exec, execlen, "r");

		if (!fp) {
			vms_err("fmemopen", errno);
			return VMS_EXIT_FAIL;
		}
		vms_run_script(fp, "-e", &o, &r);
		fclose(fp);
		rc = result_status(&r);
		free(exec);
		if (rc || !argc)
			return rc;
	}
	if (!argc) {
		struct vms_result r;

		if (isatty(STDIN_FILENO) && !o.parse_only) {
			o.interactive = 1;
			vms_run_interactive(&o, &r);
			return result_status(&r);
		}
		vms_run_script(stdin, "<stdin>", &o, &r);
		return result_status(&r);
	}
	for (i = 0; i < argc; i++) {
		struct vms_result r;
		int s;

		run_one(argv[i], &o, &r);
		s = result_status(&r);
		if (s > rc)
			rc = s;
	}
	return rc;
}
