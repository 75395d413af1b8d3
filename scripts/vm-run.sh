#!/usr/bin/env bash
# vm-run.sh - boot one kernel lane in QEMU with the vmashadow module and
# run the selftests (check mode) or the demo / a shell (run mode).
#
# usage: scripts/vm-run.sh [-k VMLINUZ] [-o OUTDIR] LANE MODE KO [TEST...]
#
#   LANE     kernel lane name as recorded by scripts/deps.sh (6.1, 6.12, ...)
#   MODE     check  insmod, run each TEST, rmmod, judge the kernel log
#            run    insmod, run /demo.sh, then an interactive shell on the
#                   serial console if stdin is a terminal
#   KO       vmashadow.ko built for that lane's kernel
#   TEST     test binaries or scripts (kselftest style: each prints one or more
#            "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N" lines,
#            which are summed; no Totals line or a crash = one failure)
#   -k       kernel image to boot instead of the lane's cached one
#   -o       output directory (default: build/<LANE> in the repo)
#
# Environment: VMS_CACHE (default ~/.cache/vmashadow), VMS_TIMEOUT (wall
# clock seconds for the whole VM, default 1800; 3600 for the debug lane),
# VMS_TEST_TIMEOUT (seconds per test inside the VM, default 600; 1800 for
# the debug lane), VMS_SMP (vCPUs, default 2), VMS_MEM
# (default 1G), VMS_KVM=1 to use KVM instead of TCG (hangs on some hosts,
# hence opt-in).
#
# The guest's /init prints marker lines on the serial console, which the host
# parses after stripping the CRs of the serial line discipline:
#   VMS-BOOTED <release>      init started
#   VMS-INSMOD rc=N
#   VMS-BEGIN <test>          ... test output (TAP) ...
#   VMS-END <test> rc=N
#   VMS-KMEMLEAK-BEGIN <when> / VMS-KMEMLEAK-END around the contents of
#                             /sys/kernel/debug/kmemleak after a scan (kernels
#                             with kmemleak: the debug lane); any = failure
#   VMS-RMMOD rc=N
#   VMS-DMESG-BEGIN / VMS-DMESG-END around a dmesg dump
#   VMS-TAINT N
#   VMS-DONE
# and then reports its own verdict through the isa-debug-exit device (value v
# makes qemu exit with (v<<1)|1): 0 = all fine inside the guest, 1 = not.
#
# In check mode the lane's counts are written to OUTDIR/result as
# "PASS=n FAIL=n SKIP=n" for the Makefile to sum, and what failed (each
# "not ok" line with its test's name, and each problem of the lane) to
# OUTDIR/failures, which make check repeats at the end of its output; the
# exit status is 0 only if the lane passed completely.
#
# The timeouts catch a hang; they are not a speed test.  Under TCG a test's
# time follows the host: conform takes 95 s of a stock lane here, and CI's
# slower machine once lost exactly its two passes to one failure, which is
# what a test killed at the old 120 s limit counts as (which test it was,
# CI's output did not say; the failures file is why it now would).  The
# defaults leave a test about six times the slowest one's time here, and a
# VM more than three times its lane's whole time on CI's machine.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
VMS_CACHE=${VMS_CACHE:-$HOME/.cache/vmashadow}
TIMEOUT=${VMS_TIMEOUT:-1800}
TEST_TIMEOUT=${VMS_TEST_TIMEOUT:-600}
SMP=${VMS_SMP:-2}
MEM=${VMS_MEM:-1G}
BUSYBOX=/bin/busybox # from busybox-static

die() { printf 'vm-run: error: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '5,16s/^# \{0,1\}//p' "$0" >&2; exit 2; }

VMLINUZ='' OUT=''
while getopts k:o:h opt; do
	case $opt in
	k) VMLINUZ=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] || usage
LANE=$1 MODE=$2 KO=$3
shift 3
TESTS=("$@")
case $MODE in check | run) ;; *) usage ;; esac
[ -f "$KO" ] || die "module not found: $KO"
OUT=${OUT:-$REPO/build/$LANE}
# debug lane (issue 8): KASAN, kmemleak, lockdep and KCOV under TCG make
# everything several times slower.
if [ "$LANE" = debug ]; then
	TIMEOUT=${VMS_TIMEOUT:-3600}
	TEST_TIMEOUT=${VMS_TEST_TIMEOUT:-1800}
fi

# Value of a "NAME := value" line in kernels.mk (written by deps.sh) or
# debug-kernel.mk (scripts/debug-kernel.sh, the debug lane).
mkvar() {
	local f
	for f in "$VMS_CACHE/kernels.mk" "$VMS_CACHE/debug-kernel.mk"; do
		[ -f "$f" ] || continue
		awk -v k="$1" '$1 == k { sub(/^[^=]*= */, ""); print; exit }' "$f"
	done | head -n1
}
if [ -z "$VMLINUZ" ]; then
	VMLINUZ=$(mkvar "VMS_VMLINUZ_$LANE")
	[ -n "$VMLINUZ" ] || die "no kernel recorded for lane '$LANE' in $VMS_CACHE/kernels.mk (run scripts/deps.sh)"
	KREL=$(mkvar "VMS_KREL_$LANE")
else
	KREL=${VMLINUZ##*/vmlinuz-}
fi
[ -f "$VMLINUZ" ] || die "kernel image not found: $VMLINUZ"

INTERACTIVE=0
[ "$MODE" = run ] && [ -t 0 ] && [ -t 1 ] && INTERACTIVE=1

# ---- initramfs --------------------------------------------------------------
ROOT=$OUT/initramfs
INITRD=$OUT/initramfs.cpio
LOG=$OUT/serial.log
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,tests,etc/vms,proc,sys,dev,tmp,root}

cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$ROOT/bin/$applet"
done
cp "$KO" "$ROOT/vmashadow.ko"
[ -x "$REPO/build/tools/vmashadow" ] && cp "$REPO/build/tools/vmashadow" "$ROOT/bin/"
[ -d "$REPO/examples" ] && cp -r "$REPO/examples" "$ROOT/examples"
# ---- extra files for `vmashadow trace` (issue 6) ----
# The static test program, and the dynamically linked programs listed in
# tools/tests/trace-programs.txt with the libraries ldd resolves here.
[ -x "$REPO/build/tools/vmashadow-tracee" ] && cp "$REPO/build/tools/vmashadow-tracee" "$ROOT/bin/"
if [ -f "$REPO/tools/tests/trace-programs.txt" ]; then
	grep -v '^#' "$REPO/tools/tests/trace-programs.txt" | while read -r prog; do
		[ -n "$prog" ] && [ -x "$prog" ] || continue
		for f in "$prog" $(ldd "$prog" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -f "$f" ] && cp -L --parents "$f" "$ROOT"
		done
	done
fi
# ---- end of extra files ----
# ---- an ext4 filesystem for selftests/filealign (issue 4, row 6) ----
# The stock kernels have ext4 and loop as modules, which deps.sh does not
# unpack: take the six from the lane's unpacked tree if it has them, else
# from its cached linux-image deb (once per kernel release, decompressed,
# into $VMS_CACHE/ext4-modules/<release>), and mkfs.ext4 a small image
# without a journal.  /init loads the modules in this order (crc32c: ext4
# asks the crypto API for it at every mount) and mounts the image at
# /mnt/ext4.  Anything missing (the debug lane has no modules) leaves the
# guest without /mnt/ext4, and the test skips.
EXT4_MODS=(lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4
	drivers/block/loop)
ext4_modules() {
	local dir=$VMS_CACHE/ext4-modules/$KREL tree tmp deb m f pats=()
	[ -f "$dir/.done" ] && { echo "$dir"; return 0; }
	[ -n "$KREL" ] && mkdir -p "$VMS_CACHE/ext4-modules" || return 1
	tmp=$(mktemp -d "$VMS_CACHE/ext4-modules/.tmp.XXXXXX") &&
		chmod 755 "$tmp" || return 1
	tree=$(dirname "$(dirname "$VMLINUZ")")/lib/modules/$KREL/kernel
	if [ ! -e "$tree/fs/ext4/ext4.ko" ] && [ ! -e "$tree/fs/ext4/ext4.ko.xz" ]; then
		deb=$(find "$VMS_CACHE/debs" -maxdepth 1 \
			-name "linux-image-${KREL}_*.deb" -print -quit 2>/dev/null)
		for m in "${EXT4_MODS[@]}"; do
			pats+=("./lib/modules/$KREL/kernel/$m.ko*")
		done
		if [ -z "$deb" ] || ! dpkg-deb --fsys-tarfile "$deb" |
			tar -x -C "$tmp" --wildcards "${pats[@]}" 2>/dev/null; then
			rm -rf "$tmp"
			return 1
		fi
		tree=$tmp/lib/modules/$KREL/kernel
	fi
	for m in "${EXT4_MODS[@]}"; do
		f=$tree/$m.ko
		if [ -e "$f.xz" ]; then
			xz -dc "$f.xz" >"$tmp/${m##*/}.ko"
		else
			cp "$f" "$tmp/" 2>/dev/null
		fi || { rm -rf "$tmp"; return 1; }
	done
	rm -rf "${tmp:?}/lib"
	touch "$tmp/.done"
	# Another lane may have got there first: keep the first.
	mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	echo "$dir"
}
mkdir -p "$ROOT/lib/vms-ext4" "$ROOT/mnt"
: >"$ROOT/lib/vms-ext4/modules"
if moddir=$(ext4_modules); then
	for m in "${EXT4_MODS[@]}"; do
		cp "$moddir/${m##*/}.ko" "$ROOT/lib/vms-ext4/"
		printf '%s\n' "${m##*/}" >>"$ROOT/lib/vms-ext4/modules"
	done
fi
# Also without modules: a kernel may have ext4 and loop built in.  The
# test's files are sparse: a 1 MiB filesystem holds them.
if ! { [ -x /usr/sbin/mkfs.ext4 ] &&
	truncate -s 1M "$ROOT/lib/vms-ext4/ext4.img" &&
	/usr/sbin/mkfs.ext4 -q -F -b 4096 -m 0 -N 64 \
		-O ^has_journal,^metadata_csum "$ROOT/lib/vms-ext4/ext4.img"; }; then
	rm -f "$ROOT/lib/vms-ext4/ext4.img"
	echo "vm-run: note: no mkfs.ext4: selftests/filealign will skip"
fi
if [ -f "$REPO/scripts/demo.sh" ]; then
	cp "$REPO/scripts/demo.sh" "$ROOT/demo.sh"
else
	printf '#!/bin/sh\ncat /proc/self/maps\n' >"$ROOT/demo.sh"
fi
chmod +x "$ROOT/demo.sh"

: >"$ROOT/etc/vms/tests"
for t in "${TESTS[@]}"; do
	[ -f "$t" ] || die "test not found: $t"
	cp "$t" "$ROOT/tests/"
	chmod +x "$ROOT/tests/${t##*/}"
	printf '%s\n' "${t##*/}" >>"$ROOT/etc/vms/tests"
done
echo "$MODE" >"$ROOT/etc/vms/mode"
echo "$INTERACTIVE" >"$ROOT/etc/vms/interactive"
echo "$TEST_TIMEOUT" >"$ROOT/etc/vms/test_timeout"

cat >"$ROOT/init" <<'INIT'
#!/bin/sh
# PID 1 of the test VM, generated by scripts/vm-run.sh.
export PATH=/bin:/tests HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp
read -r mode </etc/vms/mode
read -r interactive </etc/vms/interactive
read -r test_timeout </etc/vms/test_timeout

# Hand verdict $1 to the host: isa-debug-exit at port 0xf4 (= 244) makes
# qemu exit with status ($1 << 1) | 1.
vms_exit() {
	printf "\\$(printf %03o "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f # only reached without the debug-exit device
}

echo "VMS-BOOTED $(uname -r)"
bad=0

# /mnt/ext4 for the filealign test, when the lane has ext4 and loop (the
# host packed their modules and an image).  Without it the test skips.
ext4_setup() {
	local m out dev
	[ -f /lib/vms-ext4/ext4.img ] || { echo "no image"; return 1; }
	while read -r m; do
		out=$(insmod "/lib/vms-ext4/$m.ko" 2>&1) ||
			{ echo "insmod $m: $out"; return 1; }
	done </lib/vms-ext4/modules
	grep -qw ext4 /proc/filesystems || { echo "no ext4 in this kernel"; return 1; }
	dev=$(losetup -f 2>&1) &&
		out=$(losetup "$dev" /lib/vms-ext4/ext4.img 2>&1) ||
		{ echo "losetup: $dev $out"; return 1; }
	mkdir -p /mnt/ext4
	out=$(mount -t ext4 "$dev" /mnt/ext4 2>&1) ||
		{ rmdir /mnt/ext4; echo "mount: $out"; return 1; }
	echo ok
}
read -r t0 _ </proc/uptime
why=$(ext4_setup)
echo "VMS-EXT4 $why ($(awk -v t0="$t0" '{ printf "%d", ($1 - t0) * 1000 }' /proc/uptime) ms)"

# Kernels with kmemleak (debug lane): forget what the boot itself leaves
# behind, so that the scans below report only what came later.
kmemleak=0
if [ -w /sys/kernel/debug/kmemleak ]; then
	kmemleak=1
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
fi
# Scan for leaks (twice, apart: objects in flight between two places are
# not leaks) and print the report between markers; non-empty = failure.
kmemleak_check() {
	[ $kmemleak = 1 ] || return 0
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo "VMS-KMEMLEAK-BEGIN $1"
	cat /sys/kernel/debug/kmemleak >/tmp/kmemleak
	cat /tmp/kmemleak
	echo VMS-KMEMLEAK-END
	[ -s /tmp/kmemleak ] && bad=1
	return 0
}

insmod /vmashadow.ko
rc=$?
echo "VMS-INSMOD rc=$rc"
[ $rc -eq 0 ] || bad=1

if [ "$mode" = run ]; then
	(cd /tmp && /demo.sh)
	rc=$?
	echo "VMS-DEMO rc=$rc"
	[ $rc -eq 0 ] || bad=1
	if [ "$interactive" = 1 ]; then
		echo "vmashadow VM: module loaded, tests in /tests; 'exit' powers off."
		setsid cttyhack sh -l
		poweroff -f
	fi
	vms_exit $bad
fi

if [ $bad -eq 0 ]; then
	while read -r t; do
		echo "VMS-BEGIN $t"
		read -r t0 _ </proc/uptime
		(cd /tmp && timeout "$test_timeout" "/tests/$t" </dev/null 2>&1)
		rc=$?
		# Leading newline: the test's last line may lack one.
		printf '\nVMS-END %s rc=%d\n' "$t" $rc
		echo "VMS-TIME $t $(awk -v t0="$t0" '{ printf "%d", $1 - t0 }' /proc/uptime)"
	done </etc/vms/tests
	# Before rmmod, while the module's symbols still resolve in the
	# backtraces.
	kmemleak_check before-rmmod
	rmmod vmashadow
	rc=$?
	echo "VMS-RMMOD rc=$rc"
	[ $rc -eq 0 ] || bad=1
fi

# And after: what the module's exit left unfreed.
kmemleak_check after-rmmod
echo VMS-DMESG-BEGIN
dmesg
echo VMS-DMESG-END
echo "VMS-TAINT $(cat /proc/sys/kernel/tainted)"
echo VMS-DONE
vms_exit $bad
INIT
chmod +x "$ROOT/init"

(cd "$ROOT" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$INITRD"

# ---- boot -------------------------------------------------------------------
if [ "${VMS_KVM:-0}" = 1 ]; then
	ACCEL=(-accel kvm -cpu host)
else
	ACCEL=(-accel tcg -cpu qemu64)
fi
# shellcheck disable=SC2054  # the commas belong to qemu options
QEMU=(qemu-system-x86_64 "${ACCEL[@]}" -smp "$SMP" -m "$MEM"
	-nographic -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-kernel "$VMLINUZ" -initrd "$INITRD"
	-append "console=ttyS0 panic=-1 quiet")

if [ "$MODE" = run ]; then
	rc=0
	if [ "$INTERACTIVE" = 1 ]; then
		# No timeout: the user is at the console (Ctrl-A X quits qemu).
		"${QEMU[@]}" | tee "$LOG" || rc=$?
	else
		timeout -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null | tee "$LOG" || rc=$?
	fi
	# 0: poweroff from the shell; 1: verdict 0 from the guest.
	case $rc in
	0 | 1) exit 0 ;;
	124) echo "vm-run: timeout after ${TIMEOUT}s; serial log: $LOG" >&2 ;;
	*) echo "vm-run: demo failed (qemu status $rc); serial log: $LOG" >&2 ;;
	esac
	exit 1
fi

echo "==== kernel $LANE ($KREL) ===="
start=$SECONDS
# A guest that died before /init said VMS-BOOTED never loaded the module,
# so it is booted again, twice at most (not after a timeout): under TCG
# with two vCPUs the stock 6.12 kernel once took an int3 Oops while
# patching its own text at boot (sched_clock_cpu, 3 s in), which no other
# boot of it repeated.  The failed boot's log is kept beside the log.
for boot in 1 2 3; do
	qrc=0
	timeout -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null >"$LOG" 2>&1 || qrc=$?
	if grep -aq 'VMS-BOOTED ' "$LOG" || [ $qrc = 124 ] || [ $boot = 3 ]; then
		break
	fi
	echo "vm-run: the kernel did not boot (attempt $boot); booting again" >&2
	cp "$LOG" "$LOG.boot$boot"
done
elapsed=$((SECONDS - start))

# ---- judge ------------------------------------------------------------------
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
