#!/bin/sh
# run-host-tests.sh - host-side tests of the vmashadow tool; no module needed.
#
# usage: tools/tests/run-host-tests.sh PATH/TO/vmashadow
#
# Prints kselftest-style TAP and exits non-zero if anything failed.  Covers
# the script parser (every syntax error, with FILE:LINE), the examples'
# syntax, the maps formatter (byte-for-byte round trips, including this
# machine's own /proc/self/maps), pmap and JSON (golden files, JSON
# validity), SVG (well-formed XML, change marks), the shadow/real
# classifier of `diff`, and the command line (exit statuses, messages,
# TAP output when the device is missing).
set -u
V=${1:?usage: $0 PATH/TO/vmashadow}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/data
EXAMPLES=$HERE/../../examples
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
NODEV=$TMP/no-such-device
n=0 pass=0 fail=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }
# check NAME COMMAND...: the command must succeed.
check() {
	name=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then ok "$name"; else notok "$name"; sed 's/^/# /' "$TMP/out"; fi
}
# status NAME WANT COMMAND...: the command's exit status must be WANT.
status() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" = "$want" ]; then ok "$name"; else
		notok "$name"
		echo "# exit status $got, wanted $want"
		sed 's/^/# /' "$TMP/out" "$TMP/err"
	fi
}
# same NAME FILE1 FILE2: identical files.
same() {
	if cmp -s "$2" "$3"; then ok "$1"; else notok "$1"; diff -u "$2" "$3" | sed 's/^/# /'; fi
}
xml_ok() {
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$1"
	else
		python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1"
	fi
}

echo "TAP version 13"

# ---- the parser ----
(cd "$DATA" && "$V" check parse-errors.vms) >"$TMP/out" 2>"$TMP/err"
[ $? = 2 ] && ok "parse errors: exit status 2" || notok "parse errors: exit status 2"
same "parse errors: every message with file:line" "$DATA/parse-errors.err" "$TMP/err"
[ -s "$TMP/out" ] && notok "parse errors: nothing on stdout" || ok "parse errors: nothing on stdout"
status "examples parse" 0 "$V" check "$EXAMPLES"/*.vms
# mbind's every form: modes with flags, node lists and masks, NULL,
# flags, maxnode=; set mems_allowed; the policy in expectations.
cat >"$TMP/mbind.vms" <<'S'
let B 0x10000000
mbind B 16K bind 0
mbind B 16K bind|static_nodes 0,2-3 strict,move
mbind B 16K interleave,relative_nodes 0x3 move_all maxnode=1025
mbind B 16K default
mbind B 16K local none strict
mbind B 16K preferred - 0
mbind B 16K 7
mbind B 16K preferred_many|numa_balancing 63 0x8
mbind B 16K weighted_interleave|0x100 1 maxnode=B
set mems_allowed 0-1
set mems_allowed 0x3
dry-run mbind B 4K bind 0
batch
mbind B 4K bind 0
end
expect region B B+4K policy
expect region B B+4K rw-p nopolicy locked
expect explain at B prev refused policy
expect region B B+4K policy=bind:0
expect region B B+4K rw-p policy=bind|static_nodes:0,given=0-1,home=3 locked
expect region B B+4K policy=preferred_many|numa_balancing:0-2,5,home=0
expect region B B+4K policy=interleave|relative_nodes:0x3,given=1,4-5
expect region B B+4K policy=local
expect region B B+4K policy=default
expect region B B+4K policy=7|0x100:63
S
status "mbind and mems_allowed parse" 0 "$V" check "$TMP/mbind.vms"
# set_mempolicy_home_node's every form: the verb and its long name, the
# node and the flags as expressions; set nodes_online.
cat >"$TMP/home.vms" <<'S'
let B 0x10000000
home_node B 16K 0
home_node B 16K 1 0
set_mempolicy_home_node B+4K 4K 63 1
home_node B 4K B-B+2 0x100000000
set nodes_online 0-1
set nodes_online 0x5
dry-run home_node B 4K 0
batch
mbind B 4K bind 0
home_node B 4K 0
end
S
status "home_node and nodes_online parse" 0 "$V" check "$TMP/home.vms"
# userfaultfd's every form: features and modes by name, joined by | or
# ',', or as numbers; contexts as expressions; in dry runs and batches;
# the registration and the reason in expectations.
cat >"$TMP/uffd.vms" <<'S'
let B 0x10000000
let U 3
uffd_open 1
uffd_open 2 event_fork|event_remap|wp_async
uffd_open U pagefault_flag_wp,event_remove,missing_hugetlbfs,missing_shmem,event_unmap
uffd_open 4 sigbus|thread_id|minor_hugetlbfs|minor_shmem|exact_address|wp_hugetlbfs_shmem
uffd_open 5 wp_unpopulated|poison|move|0x80000000
uffd_open 6 0
uffd_open 300
uffd_register B 16K 1 missing
uffd_register B+4K 4K U missing|wp|minor
uffd_register B 4K 2 wp,minor
uffd_register B 4K 1 0x8
uffd_register B 4K 1 0
uffd_unregister B+4K 4K 1
uffd_unregister B-B 0 U+1
uffd_close 1
uffd_close U
dry-run uffd_register B 4K 1 missing
dry-run uffd_close 1
batch
uffd_open 7 event_fork
uffd_register B 4K 7 wp
uffd_unregister B 4K 7
uffd_close 7
end
expect region B B+4K uffd
expect region B B+4K rw-p nouffd nopolicy
expect region B B+4K uffd=1
expect region B B+4K uffd=0x7f:missing|wp
expect region B B+4K uffd=2:minor,wp locked
expect region B B+4K uffd=1:5
expect explain at B prev refused uffd
expect explain next refused flags
S
status "userfaultfd commands parse" 0 "$V" check "$TMP/uffd.vms"
status "-e with a syntax error: exit 2" 2 "$V" -d "$NODEV" -e 'map 1 2'
grep -q '^-e:1: map: usage' "$TMP/err" && ok "-e errors name -e:LINE" || notok "-e errors name -e:LINE"
printf 'map 0x1000 4K rw- private,anon,fixed\nbogus\n' >"$TMP/in.vms"
status "syntax error: nothing runs (no device needed)" 2 "$V" -d "$NODEV" "$TMP/in.vms"
grep -q "in.vms:2: unknown command 'bogus'" "$TMP/err" && ok "script error message" || notok "script error message"
status "stdin script" 2 sh -c "printf 'expect regions x\n' | '$V' -d '$NODEV'"
grep -q "^<stdin>:1: expect regions: undefined name 'x'" "$TMP/err" && ok "stdin error message" ||
	notok "stdin error message"

# ---- maps: byte for byte ----
for f in "$DATA"/before.maps "$DATA"/after.maps "$DATA"/diff-shadow.maps; do
	"$V" format "$f" >"$TMP/rt" 2>&1
	same "maps round trip $(basename "$f")" "$f" "$TMP/rt"
done
cat /proc/self/maps >"$TMP/self.maps"
"$V" format "$TMP/self.maps" >"$TMP/rt" 2>&1
same "maps round trip of this host's /proc/self/maps" "$TMP/self.maps" "$TMP/rt"
"$V" format <"$TMP/self.maps" >"$TMP/rt" 2>&1
same "maps round trip from stdin" "$TMP/self.maps" "$TMP/rt"
printf '10000000-10001000 rw-p 00000000 00:00 0 \nnot a maps line\n' >"$TMP/bad.maps"
status "format: a bad maps line fails" 1 "$V" format "$TMP/bad.maps"
grep -q 'bad.maps:2: bad start address' "$TMP/err" && ok "format: bad line named" || notok "format: bad line named"

# ---- pmap, json ----
"$V" format -f pmap --before "$DATA/before.maps" "$DATA/after.maps" >"$TMP/pmap" 2>&1
same "pmap with changes" "$DATA/after.pmap" "$TMP/pmap"
"$V" format -f json --before "$DATA/before.maps" "$DATA/after.maps" >"$TMP/json" 2>&1
same "json with changes" "$DATA/after.json" "$TMP/json"
"$V" format -f json "$TMP/self.maps" >"$TMP/json2" 2>&1
if python3 - "$TMP/json2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keys = [list(o) for o in d]
assert d and all(k == keys[0] for k in keys), "keys differ"
assert keys[0][:8] == ["start", "end", "size", "perms", "offset", "dev", "inode", "name"]
PY
then ok "json is valid with stable keys"; else notok "json is valid with stable keys"; fi

# ---- svg ----
"$V" format -f svg --before "$DATA/before.maps" "$DATA/after.maps" >"$TMP/a.svg" 2>&1
check "svg with changes is well-formed XML" xml_ok "$TMP/a.svg"
for mark in merged split truncated new; do
	grep -q "(${mark})</title>" "$TMP/a.svg" && ok "svg marks a $mark region" ||
		notok "svg marks a $mark region"
done
grep -q 'class="removed"' "$TMP/a.svg" && ok "svg outlines unmapped ranges" || notok "svg outlines unmapped ranges"
"$V" format -f svg -w 10000000-10010000 "$TMP/self.maps" >"$TMP/b.svg" 2>&1
check "svg of this host's maps with a window is well-formed" xml_ok "$TMP/b.svg"
printf '10000000-10001000 rw-p 00000000 fe:00 7                          /tmp/a<b>&"c\n' >"$TMP/esc.maps"
"$V" format -f svg "$TMP/esc.maps" >"$TMP/c.svg" 2>&1
check "svg escapes names" xml_ok "$TMP/c.svg"
: >"$TMP/empty.maps"
"$V" format -f svg "$TMP/empty.maps" >"$TMP/d.svg" 2>&1
check "svg of an empty space is well-formed" xml_ok "$TMP/d.svg"

# ---- diff ----
(cd "$DATA" && "$V" diff --shadow-maps diff-shadow.maps diff-real.maps) >"$TMP/diff" 2>&1
[ $? = 1 ] && ok "diff: mismatches give exit 1" || notok "diff: mismatches give exit 1"
same "diff: classified mismatches" "$DATA/diff.out" "$TMP/diff"
status "diff: equal maps give exit 0" 0 "$V" diff --shadow-maps "$DATA/diff-real.maps" "$DATA/diff-real.maps"
status "diff: window" 1 "$V" diff -w 10000000-20000000 --shadow-maps "$DATA/diff-shadow.maps" "$DATA/diff-real.maps"
grep -q '^1 mismatch$' "$TMP/out" && ok "diff: the window limits the comparison" ||
	notok "diff: the window limits the comparison"
# Shared anonymous memory: its inode (a system-wide counter's) is not
# compared, its offset is; a file's inode is.
cat >"$TMP/shm-shadow.maps" <<'M'
70000000-70002000 rw-s 00000000 00:01 1                                  /dev/zero (deleted)
70002000-70004000 rw-s 00000000 00:01 2                                  /dev/zero (deleted)
80000000-80001000 rw-s 00000000 fe:00 14                                 /lib/z
M
cat >"$TMP/shm-real.maps" <<'M'
70000000-70002000 rw-s 00000000 00:01 1027                               /dev/zero (deleted)
70002000-70004000 rw-s 00001000 00:01 1028                               /dev/zero (deleted)
80000000-80001000 rw-s 00000000 fe:00 15                                 /lib/z
M
cat >"$TMP/shm.out" <<'M'
attribute 0000000070002000-0000000070004000 shadow/real: offset 0/1000
attribute 0000000080000000-0000000080001000 shadow/real: inode 14/15
2 mismatches
M
"$V" diff --shadow-maps "$TMP/shm-shadow.maps" "$TMP/shm-real.maps" >"$TMP/diff" 2>&1
same "diff: the inode of shared anonymous memory is not compared, a file's is" \
	"$TMP/shm.out" "$TMP/diff"

# ---- the command line ----
status "--help" 0 "$V" --help
grep -q '^Usage: vmashadow' "$TMP/out" && ok "--help on stdout" || notok "--help on stdout"
status "--version without a device" 0 "$V" -d "$NODEV" --version
# the interface this tree's ioctl.h declares
api=$(awk '$2 == "VMASHADOW_API_MAJOR" { M = $3 } $2 == "VMASHADOW_API_MINOR" { m = $3 }
	END { print M "." m }' "$HERE/../../ioctl.h")
grep -qx "interface $api" "$TMP/out" && ok "--version names the interface ($api)" ||
	notok "--version names the interface ($api)"
status "unknown option: exit 2" 2 "$V" --frobnicate
status "unknown format: exit 2" 2 "$V" -f png
status "bad window: exit 2" 2 "$V" -w 2000-1000 format "$DATA/before.maps"
printf 'map 0x10000000 4K rw- private,anon,fixed\n' >"$TMP/ok.vms"
status "missing device: exit 1" 1 "$V" -d "$NODEV" "$TMP/ok.vms"
grep -q "^vmashadow: $NODEV: No such file or directory$" "$TMP/err" && ok "missing device message" ||
	notok "missing device message"
status "run --tap without a device: exit 1" 1 "$V" run --tap -d "$NODEV" "$TMP/ok.vms" "$TMP/in.vms"
grep -q '^not ok 1 ok.vms$' "$TMP/out" && grep -q '^not ok 2 in.vms$' "$TMP/out" &&
	grep -q '^1\.\.2$' "$TMP/out" &&
	grep -q '^# Totals: pass:0 fail:2 xfail:0 xpass:0 skip:0 error:0$' "$TMP/out" &&
	ok "run --tap output" || { notok "run --tap output"; sed 's/^/# /' "$TMP/out"; }
grep -q '^# .*in.vms:2: unknown command' "$TMP/out" && ok "run --tap: diagnostics as # lines" ||
	notok "run --tap: diagnostics as # lines"

# A device that answers ENOTTY to everything (/dev/null) stands for a
# module without a command.
printf 'map 0x10000000 4K rw- private,anon,fixed\nremap 0x10000000 4K 8K maymove\n' >"$TMP/remap.vms"
status "ENOTTY: not supported" 1 "$V" -d /dev/null "$TMP/remap.vms"
grep -q "remap.vms:1: map: not supported by this module" "$TMP/err" && ok "... says so, with file:line" ||
	notok "... says so, with file:line"
status "run --tap: an unsupported script is a SKIP (exit 4)" 4 "$V" run --tap -d /dev/null "$TMP/remap.vms"
grep -q '^ok 1 remap.vms # SKIP' "$TMP/out" &&
	grep -q '^# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0$' "$TMP/out" &&
	ok "... as ok # SKIP, counted as skip" || { notok "... as ok # SKIP, counted as skip"; sed 's/^/# /' "$TMP/out"; }
for cmd in 'fork' 'import self' 'brk 0x20000000' 'madvise 0x1000 4K dontfork' 'dry-run unmap 0x1000 4K' \
	'mlock 0x1000 4K onfault' 'munlock 0x1000 4K' 'mlockall current,future' 'munlockall' \
	'mbind 0x1000 4K bind|static_nodes 0,2-3 strict' 'home_node 0x1000 4K 0' \
	'set_mempolicy_home_node 0x1000 4K 0 0' 'uffd_open 1 event_fork' \
	'uffd_register 0x1000 4K 1 missing' 'uffd_unregister 0x1000 4K 1' 'uffd_close 1'; do
	status "$cmd: not supported" 1 "$V" -d /dev/null -e "$cmd"
	grep -q "not supported by this module" "$TMP/err" || notok "$cmd: message"
done
# An older module refuses a mask of no nodes with EINVAL, which a script
# may expect of mbind(2) itself: the tool asks the interface first.
status "mbind with an empty mask: not supported" 1 "$V" -d /dev/null -e 'mbind 0x1000 4K default empty'
grep -q "mbind with an empty mask: not supported by this module (it needs interface 1\.9)" "$TMP/err" &&
	ok "... says which interface it needs" || { notok "... says which interface it needs"; sed 's/^/# /' "$TMP/err"; }
printf 'batch\nmap 0x10000000 4K rw- private,anon,fixed\nunmap 0x10000000 4K\nend\n' >"$TMP/batch.vms"
status "batch: not supported" 1 "$V" -d /dev/null "$TMP/batch.vms"
grep -q "batch.vms:1: batch: not supported by this module" "$TMP/err" && ok "... batch says so" ||
	notok "... batch says so"

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
