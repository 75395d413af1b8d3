#!/usr/bin/env bash
# vm-judge.sh - judge one check-mode VM run from its serial log.
#
# usage: scripts/vm-judge.sh [-q STATUS] [-t SECS] [-T SECS] [-e SECS]
#                            LANE LOG OUTDIR TEST...
#        scripts/vm-judge.sh -s OUTDIR...
#
#   LANE     the lane's name, for the summary line
#   LOG      the serial log (CRs are stripped here)
#   OUTDIR   where "result" and "failures" are written
#   TEST     the tests the VM was given (paths or names), in order
#   -q       qemu's exit status (default 1: the guest's verdict "fine";
#            124 or 137: the VM was killed by the host's timeout)
#   -t       the VM's timeout, -T a test's, for the problem lines
#   -e       the lane's wall-clock seconds, for the summary line
#   -s       sum the lanes judged into these OUTDIRs (named by their last
#            component): "N passed, N failed[, N skipped]", then each
#            failure a line, prefixed by its lane; a lane without a result
#            is one failure.  Exit status 0 only if nothing failed.
#
# scripts/vm-run.sh runs it after the boot; it is a script of its own so
# that scripts/test-vm-judge.sh can give it made-up logs on the host.
#
# Prints each test's output and every problem of the lane (kernel
# splats, kmemleak reports, a missing totals line, a test killed by its
# timeout, a bad taint, insmod or rmmod failing), the five slowest tests,
# and "---- kernel LANE: pass N, fail N, skip N (Ns) ----".  Writes
# OUTDIR/result, "PASS=n FAIL=n SKIP=n", for make check to sum, and
# OUTDIR/failures, each "not ok" line with its test's name and each
# problem, which make check repeats at the end of its output (CI shows
# only that end).  Exit status 0 only if the lane passed completely.
set -euo pipefail

# -s: make check's last lines.
sum_lanes() {
	local dir lane status=0

	for dir in "$@"; do
		if [ -f "$dir/result" ]; then
			cat "$dir/result"
		else
			echo "FAIL=1"
		fi
	done | awk '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); n[kv[1]] += kv[2] } }
		END {
			printf "%d passed, %d failed", n["PASS"], n["FAIL"]
			if (n["SKIP"]) printf ", %d skipped", n["SKIP"]
			print ""
		}'
	for dir in "$@"; do
		lane=${dir%/}
		lane=${lane##*/}
		if [ ! -f "$dir/result" ]; then
			echo "$lane: no result (see its output above)"
			status=1
		elif ! grep -q '^PASS=[0-9]* FAIL=0 ' "$dir/result"; then
			status=1
		fi
		[ ! -s "$dir/failures" ] || sed "s|^|$lane: |" "$dir/failures"
	done
	return $status
}

qrc=1 TIMEOUT='?' TEST_TIMEOUT='?' elapsed='?'
usage() { sed -n '4,20s/^# \{0,1\}//p' "$0" >&2; exit 2; }
if [ "${1:-}" = -s ]; then
	shift
	[ $# -ge 1 ] || usage
	sum_lanes "$@"
	exit
fi
while getopts q:t:T:e:h opt; do
	case $opt in
	q) qrc=$OPTARG ;;
	t) TIMEOUT=$OPTARG ;;
	T) TEST_TIMEOUT=$OPTARG ;;
	e) elapsed=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] || usage
LANE=$1 LOG=$2 OUT=$3
shift 3
TESTS=("$@")
[ -f "$LOG" ] || { echo "vm-judge: no log: $LOG" >&2; exit 2; }
mkdir -p "$OUT"

# Prints each test's output, any problems found, and finally one line
# "RESULT pass fail skip problems" for the code below.
parse_log() {
	tr -d '\r' <"$LOG" | awk -v tests="${TESTS[*]##*/}" -v qrc="$qrc" -v timeout="$TIMEOUT" \
		-v test_timeout="$TEST_TIMEOUT" -v failfile="$OUT/failures" '
	function problem(msg) { problems[++np] = msg }
	# How a test ended, for a problem line: busybox timeout kills with
	# SIGTERM, so a test past its time ends with status 143.
	function ended(x) {
		if (!(x in rc)) return "no end marker"
		if (rc[x] == 143) return "killed after the " test_timeout " s test timeout"
		return "exit status " rc[x]
	}
	# The firmware leaves terminal escapes (reset, clear) on the first line.
	{ gsub(/\033(\[[0-9;?]*[A-Za-z]|c)/, "") }
	# Kernel log lines that mean the run is not clean.
	function kernel_line(l) {
		if (l ~ /BUG:|WARNING:|Oops|KASAN|UBSAN|possible circular locking|INFO: |kmemleak|unreferenced object/ &&
		    l !~ /kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning thread)/ &&
		    !(l in splat_seen)) {
			splat_seen[l] = 1
			splats[++nsplat] = l
		}
	}
	# The firmware leaves "Booting from ROM.." without a newline.
	/VMS-BOOTED / { booted = 1; next }
	/^VMS-INSMOD rc=/ { insmod = substr($0, 15) + 0; have_insmod = 1; next }
	/^VMS-BEGIN / { cur = $2; in_test = 1; ran[cur] = 1; print "---- " cur " ----"; next }
	in_test && /VMS-END [^ ]+ rc=[0-9]+$/ {
		pre = $0; sub(/VMS-END [^ ]+ rc=[0-9]+$/, "", pre)
		if (pre != "") { for (; blanks > 0; blanks--) print ""; print pre }
		blanks = 0
		n = split($0, f, "rc="); rc[cur] = f[n] + 0
		in_test = 0; next
	}
	# Blank lines are held back so the one before VMS-END is dropped.
	in_test && $0 == "" { blanks++; next }
	in_test {
		for (; blanks > 0; blanks--) print ""
		print
		# Every kselftest "# Totals:" line counts (a runner script may
		# run several harness binaries, each printing its own).
		if ($0 ~ /^not ok /) notok[++nnotok] = cur ": " $0
		if ($0 ~ /^# Totals: /) {
			totals[cur] = 1
			for (i = 3; i <= NF; i++) { split($i, kv, ":"); t[cur, kv[1]] += kv[2] }
		}
		# Kernel messages interleaved with the test output carry a timestamp.
		if ($0 ~ /^\[ *[0-9]+\.[0-9]+\]/) kernel_line($0)
		next
	}
	# kmemleak report (debug lane): every line of it is a problem.
	/^VMS-KMEMLEAK-BEGIN/ { in_leak = 1; leak_when = $2; next }
	/^VMS-KMEMLEAK-END/ { in_leak = 0; next }
	in_leak {
		if ($0 != "" && nleak[leak_when]++ < 40) leaks[++nleaks] = leak_when ": " $0
		next
	}
	/^VMS-RMMOD rc=/ { rmmod = substr($0, 14) + 0; have_rmmod = 1; next }
	/^VMS-TAINT / { taint = $2 + 0; have_taint = 1; next }
	/^VMS-DONE/ { done = 1; next }
	/^VMS-TIME / { secs[$2] = $3 + 0; next }
	/^VMS-/ { next }
	/^(insmod|rmmod): / { problem($0) }
	{ kernel_line($0) }
	END {
		pass = fail = skip = 0
		ntests = split(tests, tl, " ")
		for (i = 1; i <= ntests; i++) {
			x = tl[i]
			if (!(x in ran)) { fail++; if (have_insmod && insmod == 0) problem(x ": did not run"); continue }
			if (!(x in totals)) {
				fail++
				problem(x ": no \"# Totals:\" line (" ended(x) ")")
				continue
			}
			p = t[x, "pass"] + t[x, "xfail"]
			fl = t[x, "fail"] + t[x, "xpass"] + t[x, "error"]
			pass += p; fail += fl; skip += t[x, "skip"]
			# 4 = KSFT_SKIP; anything else non-zero without a counted failure
			# (crash after the totals, timeout) is one more failure.
			if (rc[x] != 0 && rc[x] != 4 && fl == 0) { fail++; problem(x ": " ended(x)) }
		}
		if (qrc == 124 || qrc == 137) problem("timeout: VM did not finish within " timeout "s")
		if (!booted) problem("kernel did not boot (no VMS-BOOTED marker)")
		else if (!have_insmod) problem("init died before insmod")
		else if (insmod != 0) problem("insmod vmashadow.ko failed (rc=" insmod ")")
		else if (!have_rmmod && done) problem("rmmod was not reached")
		else if (have_rmmod && rmmod != 0) problem("rmmod vmashadow failed (rc=" rmmod ")")
		if (booted && !done) problem("no verdict: VM stopped before VMS-DONE (qemu status " qrc ")")
		else if (done && qrc != 1 && qrc != 3) problem("no verdict from isa-debug-exit (qemu status " qrc ")")
		# Allowed taints: O (4096, out-of-tree) and E (8192, unsigned).
		if (have_taint && (taint % 4096 != 0 || taint >= 16384)) problem("kernel tainted: " taint)
		if (nleaks > 0) {
			problem("kmemleak reports unreferenced objects:")
			for (i = 1; i <= nleaks; i++) problems[++np] = "    " leaks[i]
		}
		if (nsplat > 0) {
			problem("kernel log reports problems:")
			for (i = 1; i <= nsplat && i <= 20; i++) problems[++np] = "    " splats[i]
		}
		for (i = 1; i <= np; i++) print "vm-run: " problems[i]
		for (i = 1; i <= nnotok; i++) print notok[i] >failfile
		for (i = 1; i <= np; i++) print problems[i] >failfile
		# Where the lane spends its time: the five slowest tests.
		line = ""
		for (k = 0; k < 5; k++) {
			best = ""
			for (x in secs)
				if (!(x in shown) && (best == "" || secs[x] > secs[best]))
					best = x
			if (best == "")
				break
			shown[best] = 1
			line = line (line == "" ? "" : ", ") best " " secs[best] "s"
		}
		if (line != "") print "slowest: " line
		print "RESULT", pass, fail, skip, np + 0
	}'
}

rm -f "$OUT/failures"
result=$(parse_log)
printf '%s\n' "$result" | sed '$d'
read -r _ pass fail skip nproblems < <(printf '%s\n' "$result" | tail -n1)
# A lane-level problem (boot, insmod, rmmod, taint, splat) counts as one
# failure of its own, on top of the tests it kept from running.
lane_fail=$fail
[ "$nproblems" -gt 0 ] && [ "$fail" -eq 0 ] && lane_fail=1
echo "PASS=$pass FAIL=$lane_fail SKIP=$skip" >"$OUT/result"
echo "---- kernel $LANE: pass $pass, fail $lane_fail, skip $skip (${elapsed}s) ----"
if [ "$lane_fail" -ne 0 ] || [ "$nproblems" -ne 0 ]; then
	echo "vm-run: kernel $LANE FAILED; serial log: $LOG"
	exit 1
fi
