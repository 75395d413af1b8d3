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
# In check mode scripts/vm-judge.sh then reads the log: it writes the
# lane's counts to OUTDIR/result as "PASS=n FAIL=n SKIP=n" for the Makefile
# to sum, and what failed (each "not ok" line with its test's name, and
# each problem of the lane) to OUTDIR/failures, which make check repeats at
# the end of its output; the exit status is 0 only if the lane passed
# completely.
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
exec "$REPO/scripts/vm-judge.sh" -q "$qrc" -t "$TIMEOUT" -T "$TEST_TIMEOUT" \
	-e "$elapsed" "$LANE" "$LOG" "$OUT" "${TESTS[@]}"
