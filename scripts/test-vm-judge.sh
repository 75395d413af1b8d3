#!/usr/bin/env bash
# test-vm-judge.sh - host tests of scripts/vm-judge.sh on made-up serial
# logs: what make check counts, and what it names at its end when a lane
# fails.  Run by make check (host-tests) before any VM boots.
#
# Each case writes a log as the guest's /init prints it (CRLF line ends,
# the firmware's escapes on the first line), judges it and checks the
# exit status, OUTDIR/result and OUTDIR/failures.
set -uo pipefail

JUDGE=$(cd "$(dirname "$0")" && pwd)/vm-judge.sh
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0 bad=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n $1"; shift; printf '#   %s\n' "$@"; }

# A test's stretch of the log: NAME RC LINE...
logtest() {
	local name=$1 rc=$2

	shift 2
	echo "VMS-BEGIN $name"
	printf '%s\n' "$@"
	echo "VMS-END $name rc=$rc"
	echo "VMS-TIME $name 3"
}
passing() { logtest "$1" 0 "TAP version 13" "1..2" "ok 1 a" "ok 2 b" \
	"# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0"; }
# The log around the tests: the boot before, rmmod and the verdict after.
frame() {
	printf '\033c\033[2JBooting from ROM..VMS-BOOTED 6.1.0-56-amd64\n'
	echo "VMS-INSMOD rc=0"
	cat
	echo "VMS-RMMOD rc=0"
	echo "VMS-DMESG-BEGIN"
	echo "[    0.000000] Linux version 6.1.0-56-amd64"
	echo "VMS-DMESG-END"
	echo "VMS-TAINT ${TAINT:-12288}"
	echo "VMS-DONE"
}

# judge NAME EXPECTED_STATUS EXPECTED_RESULT FAILURES_PATTERN [OPTIONS...]
# (the tests "a b", their log in $TMP/in, written by the case before; an
# empty pattern: no failures at all).
judge() {
	local name=$1 want_rc=$2 want_result=$3 want_fail=$4 dir=$TMP/$n rc=0

	shift 4
	mkdir -p "$dir"
	frame <"$TMP/in" | sed 's/$/\r/' >"$dir/log"
	"$JUDGE" -T 600 -t 1800 -e 9 "$@" lane "$dir/log" "$dir" a b >"$dir/out" 2>&1 || rc=$?
	local result failures
	result=$(cat "$dir/result" 2>/dev/null)
	failures=$(cat "$dir/failures" 2>/dev/null)
	if [ "$rc" != "$want_rc" ] || [ "$result" != "$want_result" ]; then
		notok "$name" "status $rc (want $want_rc), result '$result' (want '$want_result')"
	elif [ -z "$want_fail" ] && [ -n "$failures" ]; then
		notok "$name" "failures where none were: $failures"
	elif [ -n "$want_fail" ] && ! grep -q -- "$want_fail" <<<"$failures"; then
		notok "$name" "failures lack '$want_fail':" "$failures"
	else
		ok "$name"
	fi
}

echo "TAP version 13"
{ passing a; passing b; } >"$TMP/in"
judge "two clean tests: 4 passed, nothing failed" 0 "PASS=4 FAIL=0 SKIP=0" ""

{ passing a
  logtest b 1 "1..2" "ok 1 x" "not ok 2 y: wrong split point" \
	"# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0"; } >"$TMP/in"
judge "a not ok line is named with its test" 1 "PASS=3 FAIL=1 SKIP=0" \
	"^b: not ok 2 y: wrong split point$"

# conform on CI: killed by busybox timeout before its totals line.
{ passing a; logtest b 143 "1..2" "ok 1 first seeds"; } >"$TMP/in"
judge "a test killed by its timeout: one failure, said so" 1 \
	"PASS=2 FAIL=1 SKIP=0" "^b: no \"# Totals:\" line (killed after the 600 s test timeout)$"

{ passing a; logtest b 143 "1..1" "ok 1 x" \
	"# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"; } >"$TMP/in"
judge "killed after its totals: one more failure" 1 "PASS=3 FAIL=1 SKIP=0" \
	"^b: killed after the 600 s test timeout$"

{ passing a; logtest b 4 "1..1" "ok 1 # SKIP no NUMA" \
	"# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"; } >"$TMP/in"
judge "a skipped test (status 4) is no failure" 0 "PASS=2 FAIL=0 SKIP=1" ""

passing a >"$TMP/in"
judge "a test that never ran is a failure" 1 "PASS=2 FAIL=1 SKIP=0" "^b: did not run$"

{ passing a; passing b
  echo "[   12.345678] BUG: KASAN: slab-use-after-free in vms_unlink+0x42/0x80"; } >"$TMP/in"
judge "a kernel splat fails the lane though every test passed" 1 \
	"PASS=4 FAIL=1 SKIP=0" "BUG: KASAN: slab-use-after-free in vms_unlink"

{ passing a; passing b
  echo "VMS-KMEMLEAK-BEGIN before-rmmod"
  echo "unreferenced object 0xffff888003a1c000 (size 72):"
  echo "VMS-KMEMLEAK-END"; } >"$TMP/in"
judge "a kmemleak report fails the lane" 1 "PASS=4 FAIL=1 SKIP=0" \
	"^    before-rmmod: unreferenced object 0xffff888003a1c000"

{ passing a; passing b; } >"$TMP/in"
TAINT=12289 judge "a taint other than O and E fails the lane" 1 "PASS=4 FAIL=1 SKIP=0" \
	"^kernel tainted: 12289$"

{ passing a; passing b; } >"$TMP/in"
judge "the host's timeout of the VM fails the lane" 1 "PASS=4 FAIL=1 SKIP=0" \
	"^timeout: VM did not finish within 1800s$" -q 124

# -s: the end of make check's output.
mkdir -p "$TMP/s/6.1" "$TMP/s/6.12" "$TMP/s/debug"
echo "PASS=688 FAIL=0 SKIP=17" >"$TMP/s/6.1/result"
echo "PASS=696 FAIL=1 SKIP=7" >"$TMP/s/6.12/result"
echo 'conform: no "# Totals:" line (killed after the 600 s test timeout)' >"$TMP/s/6.12/failures"
rc=0
out=$("$JUDGE" -s "$TMP/s/6.1" "$TMP/s/6.12/" "$TMP/s/debug") || rc=$?
want='1384 passed, 2 failed, 24 skipped
6.12: conform: no "# Totals:" line (killed after the 600 s test timeout)
debug: no result (see its output above)'
if [ "$rc" = 1 ] && [ "$out" = "$want" ]; then
	ok "-s sums the lanes and names each failure by its lane"
else
	notok "-s sums the lanes and names each failure by its lane" "status $rc:" "$out"
fi
rc=0
out=$("$JUDGE" -s "$TMP/s/6.1") || rc=$?
if [ "$rc" = 0 ] && [ "$out" = "688 passed, 0 failed, 17 skipped" ]; then
	ok "-s of a clean lane: status 0"
else
	notok "-s of a clean lane: status 0" "status $rc:" "$out"
fi

echo "1..$n"
echo "# vm-judge: $((n - bad)) of $n passed"
[ $bad -eq 0 ]
