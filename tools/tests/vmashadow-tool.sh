#!/bin/sh
# vmashadow-tool.sh - tests of the vmashadow tool against the loaded module
# (kselftest-style TAP, "# Totals:" line at the end).  Runs in the VM, where
# the rig puts the tool in /bin; VMASHADOW=path overrides.
V=${VMASHADOW:-vmashadow}
T=${TMPDIR:-/tmp}/vmashadow-tool.$$
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT
n=0 pass=0 fail=0 skip=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
skip() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; sed 's/^/# /' "$T/out" "$T/err" 2>/dev/null; }
# run WANT NAME ARGS...: vmashadow ARGS must exit with WANT.
run() {
	want=$1 name=$2
	shift 2
	"$V" "$@" >"$T/out" 2>"$T/err" </dev/null
	got=$?
	if [ "$got" = "$want" ]; then ok "$name"; else echo "# exit $got, wanted $want"; notok "$name"; fi
}
has() { if grep -q -- "$2" "$T/$3"; then ok "$1"; else echo "# no '$2' in $3"; notok "$1"; fi; }

echo "TAP version 13"
[ -c /dev/vmashadow ] || { echo "1..0 # SKIP no /dev/vmashadow"; exit 4; }

run 0 "--version" --version
has "--version reports the module" '^module .*interface 1\.' out

# Files: one open mapped twice merges; two opens of one path never do.
cat >"$T/files.vms" <<'S'
let B 0x10000000
open f /tmp/vms-f rw create=64K
open g /tmp/vms-f
map B 16K r-- private file=f
map B+16K 16K r-- private file=f offset=16K
expect region B B+32K r--p name=/tmp/vms-f offset=0
map B+32K 16K r-- private file=g offset=32K
expect regions 2
expect explain prev refused file
map B+64K 8K r-- shared file=/tmp/vms-f
map B+72K 8K r-- shared file=/tmp/vms-f offset=8K
expect region B+64K B+80K r--s name=/tmp/vms-f
map B+96K 4K rw- private file=f offset=1
expect errno EINVAL
S
run 0 "file mappings: open names and file=PATH" "$T/files.vms"

# Errors the kernel gives, expected and unexpected.
printf 'map 0x10000000 4K rw- private,anon,fixed\nmap 0x10000000 4K rw- private,anon,fixed_noreplace\n' >"$T/unexp.vms"
run 1 "an unexpected errno fails the script" "$T/unexp.vms"
has "... naming the errno and the fix" "unexp.vms:2: map failed: EEXIST (File exists); add 'expect errno EEXIST'" err
printf 'map 0x10000000 4K rw- private,anon,fixed\nexpect errno ENOMEM\nexpect regions 2\n' >"$T/wrong.vms"
run 1 "failed expectations fail the script" "$T/wrong.vms"
has "... with file:line" "wrong.vms:2: expected ENOMEM" err
has "... all of them" "wrong.vms:3: expect regions: 1, not 2" err

# Output formats and inspection commands.
B='map 0x10000000 16K rw- private,anon,fixed'
run 0 "maps is the device's read(2)" -e "$B" -e maps
printf '10000000-10004000 rw-p 00000000 00:00 0 \n' >"$T/want"
if cmp -s "$T/out" "$T/want"; then ok "... byte for byte"; else notok "... byte for byte"; fi
run 0 "json" -f json -e "$B" -e maps
has "... one object per region" '^  {"start":"0x10000000","end":"0x10004000",.*"kind":"anon"' out
run 0 "pmap" -e "$B" -e 'maps pmap'
has "... with a total" '^total (1 region)' out
run 0 "svg to a file" -e "$B" -e "map 0x10004000 4K rw- private,anon,fixed" -e "maps svg to $T/a.svg"
has "... an SVG" '^<svg ' a.svg
has "... marking the merge" '(merged)</title>' a.svg
run 0 "list" -e "$B" -e touch\ 0x10000000 -e list
has "... shows the anon_vma" 'anon=[1-9]' out
run 0 "find" -e "$B" -e 'find 0x1000' -e 'find lookup 0x1000'
has "... find_vma finds the region above" '^10000000-10004000 rw-p' out
has "... vma_lookup does not" '^not found' out
run 0 "stats, validate" -e "$B" -e stats -e validate
has "... stats" '^regions *1$' out
has "... validate" '^valid$' out
run 0 "explain" -e "$B" -e 'map 0x10004000 4K r-- private,anon,fixed' -e explain
has "... names the refusal" 'refused: flags' out
run 0 "verbose shows each result" -v -e "$B" -e 'unmap 0x10001000 4K'
has "... the split" '^  split ' out
run 0 "set rules, max_map_count" -e 'set rules 6.12' -e 'set max_map_count 1' -e "$B" \
	-e 'unmap 0x10001000 4K' -e 'expect errno ENOMEM'
run 0 "dry-run changes nothing" -e "$B" -e 'dry-run unmap 0x10001000 4K' -e 'expect ok' \
	-e 'expect result map_count=2' -e 'expect regions 1'
has "... and reports the outcome" '^dry-run unmap: result .*regions 2' out
cat >"$T/batch.vms" <<'S'
batch
map 0x10000000 16K rw- private,anon,fixed
unmap 0x10001000 4K
map 0x10000000 4K rw- private,anon,fixed_noreplace
unmap 0x10000000 16K
end
expect errno EEXIST
expect regions 2
S
run 0 "batch stops at the failing operation" "$T/batch.vms"
run 0 "madvise" -e "$B" -e 'madvise 0x10001000 4K dontfork' -e 'expect regions 3' \
	-e 'madvise 0x10001000 4K dofork' -e 'expect regions 1'
# The mlock family: splits and merges on VM_LOCKED and VM_LOCKONFAULT,
# VmLck, mlockall's now and future, the errors.  Faulted first: every
# piece shares the one anon_vma, so unlocking merges them all back (mlock
# faults in what it locks, and an unfaulted neighbour would not merge).
cat >"$T/mlock.vms" <<'S'
let B 0x10000000
map B 16K rw- private,anon,fixed
touch B
mlock B+4K 4K
expect regions 3
expect region B+4K B+8K rw-p locked
expect region B B+4K unlocked
expect stats locked_pages=1
mlock B+8K 4K onfault
expect regions 4
expect region B+8K B+12K lockonfault
expect stats locked_pages=2
mlock2 B+4K 8K
expect region B+4K B+12K locked
expect stats locked_pages=2
munlock B 16K
expect regions 1
expect region B B+16K unlocked
expect stats locked_pages=0
mlock B+32K 4K
expect errno ENOMEM
mlock B 4K 2
expect errno EINVAL
mlockall onfault
expect errno EINVAL
mlockall 0
expect errno EINVAL
mlockall current,future
expect region B B+16K locked
expect change B B+16K changed
expect stats locked_pages=4
map B+64K 4K rw- private,anon,fixed
expect region B+64K B+68K locked
expect stats locked_pages=5
munlockall
expect region B B+16K unlocked
expect region B+64K B+68K unlocked
expect stats locked_pages=0
map B+128K 4K rw- private,anon,fixed
expect region B+128K B+132K unlocked
mlockall future|onfault
expect region B B+16K unlocked
map B+256K 4K rw- private,anon,fixed
expect region B+256K B+260K lockonfault
munlockall
map B+512K 4K rw- private,anon,fixed
expect region B+512K B+516K unlocked
S
run 0 "mlock, munlock, mlockall, munlockall" "$T/mlock.vms"
# RLIMIT_MEMLOCK as a process without CAP_IPC_LOCK has it.
cat >"$T/memlock.vms" <<'S'
let B 0x10000000
set rlimit_memlock 8K
map B 16K rw- private,anon,fixed
mlock B 8K
expect ok
mlock B+8K 4K
expect errno ENOMEM
map B+64K 4K rw- private,anon,fixed,locked
expect errno EAGAIN
mlockall current
expect errno ENOMEM
munlock B 8K
set rlimit_memlock 0
mlock B 4K
expect errno EPERM
set rlimit_memlock unlimited
mlock B 16K
expect ok
expect stats locked_pages=4
S
run 0 "mlock under rlimit_memlock" "$T/memlock.vms"
cat >"$T/defflags.vms" <<'S'
let B 0x10000000
set def_flags locked
map B 4K rw- private,anon,fixed
expect region B B+4K locked
set def_flags locked,lockonfault
map B+64K 4K rw- private,anon,fixed
expect region B+64K B+68K lockonfault
set def_flags none
map B+128K 4K rw- private,anon,fixed
expect region B+128K B+132K unlocked
S
run 0 "set def_flags: what mlockall(MCL_FUTURE) leaves" "$T/defflags.vms"
cat >"$T/mlockbatch.vms" <<'S'
let B 0x10000000
map B 16K rw- private,anon,fixed
touch B
dry-run mlock B 4K onfault
expect ok
expect result map_count=2
expect region B B+16K unlocked
batch
mlock B 4K
munlock B 4K
mlockall current
munlockall
mlock B+4K 4K
end
expect ok
expect regions 3
expect region B+4K B+8K locked
batch
munlock B 16K
mlock B+32K 4K
mlockall current
end
expect errno ENOMEM
expect regions 1
expect region B B+16K unlocked
S
run 0 "mlock family in dry-run and batch" "$T/mlockbatch.vms"
run 0 "stats, list and pmap show the lock" -e "$B" -e 'mlock 0x10001000 4K' -e stats -e list \
	-e 'maps pmap'
has "... locked_pages" '^locked_pages *1$' out
has "... the flag" '^0000000010001000-0000000010002000 .*flags=.*locked' out
has "... the locked total" 'locked 4K, data 16K$' out
run 0 "verbose mlock shows the split" -v -e "$B" -e 'mlock 0x10001000 4K onfault'
has "... the split" '^  split .*0000000010001000-0000000010002000' out
run 1 "an expect region lock state can fail" -e "$B" -e 'mlock 0x10000000 16K' \
	-e 'expect region 0x10000000 0x10004000 lockonfault'
has "... naming what it is" 'expect region: it is locked' err
# RLIMIT_DATA: mmap, mprotect and mremap (growing, MREMAP_DONTUNMAP) may
# not take the data pages (private, writable, not a stack: VmData) past it;
# read-only, shared and stack mappings do not count.
cat >"$T/data.vms" <<'S'
let B 0x10000000
set rlimit_data 16K
map B 16K rw- private,anon,fixed
expect ok
expect stats data_pages=4
map B+64K 4K rw- private,anon,fixed
expect errno ENOMEM
dry-run map B+64K 4K rw- private,anon,fixed
expect errno ENOMEM
map B+64K 16K r-- private,anon,fixed
expect ok
map B+128K 16K rw- shared,anon,fixed
expect ok
map B+192K 16K rw- private,anon,fixed,growsdown
expect ok
expect stats data_pages=4
protect B+64K 4K rw-
expect errno ENOMEM
expect region B+64K B+80K r--p
protect B 4K r--
expect stats data_pages=3
protect B+64K 4K rw-
expect ok
expect stats data_pages=4
remap B+4K 12K 16K maymove
expect errno ENOMEM
remap B+4K 12K 12K maymove,dontunmap
expect errno ENOMEM
remap B+68K 12K 32K maymove
expect ok
expect region B+68K B+100K r--p
remap B+4K 12K 8K
expect ok
expect stats data_pages=3
S
run 0 "mmap, mprotect, mremap under rlimit_data" "$T/data.vms"
# MAP_FIXED at the limit: what it replaces lowers its request, data or not
# (may_expand_vm() is asked again less every page in the range).
cat >"$T/datafixed.vms" <<'S'
let B 0x10000000
set rlimit_data 16K
map B 16K rw- private,anon,fixed
map B+64K 16K r-- private,anon,fixed
map B 4K rw- private,anon,fixed
expect ok
map B+64K 4K rw- private,anon,fixed
expect ok
expect stats data_pages=5
map B+128K 4K rw- private,anon,fixed
expect errno ENOMEM
S
run 0 "MAP_FIXED under rlimit_data counts what it replaces" "$T/datafixed.vms"
# touch below a region that grows down stretches it, within RLIMIT_STACK
# (the region's whole size); a refused growth is the fault's EFAULT, and a
# read-only stack grows before the write fails.
cat >"$T/stack.vms" <<'S'
let B 0x10000000
set rlimit_stack 32K
map B+64K 8K rw- private,anon,fixed,growsdown
touch B+60K
expect ok
expect region B+60K B+72K rw-p
touch B+40K
expect ok
touch B+36K
expect errno EFAULT
expect region B+40K B+72K rw-p
map B+128K 4K r-- private,anon,fixed,growsdown
touch B+124K
expect errno EFAULT
expect region B+124K B+132K r--p
S
run 0 "touch grows a stack within rlimit_stack" "$T/stack.vms"
# brk(): the heap and the data segment together against the soft limit,
# before anything else (a shrink fails too), then the data pages as mmap.
cat >"$T/databrk.vms" <<'S'
let H 0x20000000
set brk H
set data_segment 0x1f000000 0x1f002000
set rlimit_data 16K
brk H+8K
expect addr H+8K
expect stats data_pages=2
brk H+12K
expect addr H+8K
set rlimit_data 8K
brk H+4K
expect addr H+8K
set data_segment 0 0
brk H+4K
expect addr H+4K
map 0x10000000 4K rw- private,anon,fixed
brk H+8K
expect addr H+4K
expect stats data_pages=2
set rlimit_data unlimited
set data_segment 0x1f000000 0x1f400000
brk H+1M
expect addr H+1M
S
run 0 "brk under rlimit_data, with the data segment" "$T/databrk.vms"
# A soft limit of 0 lets mappings up to the hard one (the kernel's
# workaround for Valgrind), but not brk(); a soft limit above the hard one
# raises it, naming the soft one alone keeps it.
cat >"$T/datazero.vms" <<'S'
let B 0x10000000
let H 0x20000000
set brk H
set rlimit_data 8K 8K
set rlimit_data 16K
set rlimit_data 0
map B 16K rw- private,anon,fixed
expect ok
map B+64K 4K rw- private,anon,fixed
expect errno ENOMEM
brk H+4K
expect addr H
set rlimit_data 0 0
map B+64K 4K r-- private,anon,fixed
expect ok
protect B+64K 4K rw-
expect errno ENOMEM
S
run 0 "rlimit_data 0: the hard limit counts, brk fails" "$T/datazero.vms"
# ignore_rlimit_data=Y: mappings only warn; brk() still meets the limit.
cat >"$T/dataignore.vms" <<'S'
let H 0x20000000
set brk H
set rlimit_data 4K
set ignore_rlimit_data 1
map 0x10000000 16K rw- private,anon,fixed
expect ok
brk H+8K
expect addr H
set ignore_rlimit_data 0
map 0x10010000 4K rw- private,anon,fixed
expect errno ENOMEM
S
run 0 "ignore_rlimit_data" "$T/dataignore.vms"
run 1 "a soft rlimit_data above the hard one is refused" -e 'set rlimit_data 16K 8K'
has "... as setrlimit refuses it" 'set rlimit_data: Invalid argument' err
run 1 "a data segment ending below its start is refused" -e 'set data_segment 0x2000 0x1000'
has "... naming the parameter" 'set data_segment: Invalid argument' err
run 0 "stats and pmap show the data pages" -e "$B" -e 'map 0x10010000 8K r-- private,anon,fixed' \
	-e stats -e 'maps pmap'
has "... data_pages" '^data_pages *4$' out
has "... the data total" 'locked 0K, data 16K$' out
# mbind(2): a policy splits a region and merges it back; it is hidden
# state that keeps apart what the maps show alike, until the same policy
# joins them.  The nodes allowed are the shadow's mems_allowed.
cat >"$T/mbind.vms" <<'S'
let B 0x10000000
set mems_allowed 0
map B 16K rw- private,anon,fixed
touch B
mbind B+4K 4K bind 0
expect ok
expect result splits=2
expect regions 3
expect region B+4K B+8K rw-p policy
expect region B B+4K rw-p nopolicy
expect explain at B+4K prev refused policy
expect explain at B+8K next refused policy
mbind B+8K 4K bind 0x1 strict,move
expect regions 3
expect region B+4K B+12K policy
mbind B+4K 8K default
expect regions 1
expect region B B+16K nopolicy
mbind B 4K interleave 0
protect B+4K 4K r--
protect B+4K 4K rw-
expect regions 2
expect explain prev refused policy
map B+16K 4K rw- private,anon,fixed
expect region B+4K B+20K nopolicy
mbind B+4K 16K interleave 0
expect regions 1
expect region B B+20K policy
mbind B+16K 4K preferred none
mbind B 16K local
expect regions 1
set mems_allowed 0-1
mbind B 4K bind|static_nodes 0-2
mbind B+4K 4K bind|static_nodes 0-1
expect regions 3
mbind B+4K 4K bind|static_nodes 0,1-2
expect regions 2
expect region B B+8K policy
mbind B+8K 4K bind|relative_nodes 3
expect ok
mbind B 4K 7 0
expect errno EINVAL
mbind B 4K bind
expect errno EINVAL
mbind B 4K bind 2
expect errno EINVAL
mbind B 4K local 0
expect errno EINVAL
mbind B 4K default 0
expect errno EINVAL
mbind B 4K bind|static_nodes|relative_nodes 0
expect errno EINVAL
mbind B 4K bind 0 8
expect errno EINVAL
mbind B+1 4K bind 0
expect errno EINVAL
mbind B 4K bind 0 maxnode=40000
expect errno EINVAL
mbind B+16K 64K bind 0
expect errno EFAULT
mbind B+1M 4K default
expect errno EFAULT
mbind B 4M default
expect ok
expect regions 1
expect region B B+20K nopolicy
mbind B 4K bind 0 maxnode=1
expect errno EINVAL
mbind B 0 bind 0
expect ok
mbind B 4K default none maxnode=0
expect ok
mbind B 4K default empty maxnode=0
expect errno EINVAL
mbind B 4K default empty maxnode=32770
expect errno EINVAL
mbind B 4K default empty maxnode=32769
expect ok
mbind B 4K default empty
expect ok
mbind B 4K bind empty
expect errno EINVAL
expect valid
S
run 0 "mbind: policies split, merge and keep apart" "$T/mbind.vms"
# The modes each kernel knows: MPOL_WEIGHTED_INTERLEAVE, and NUMA
# balancing with preferred_many, are 6.12's.
cat >"$T/mbindrules.vms" <<'S'
let B 0x10000000
set mems_allowed 0
set rules 6.1
map B 16K rw- private,anon,fixed
mbind B 4K weighted_interleave 0
expect errno EINVAL
mbind B 4K preferred_many|numa_balancing 0
expect errno EINVAL
mbind B 4K bind|numa_balancing 0
expect ok
reset
set mems_allowed 0
set rules 6.12
map B 16K rw- private,anon,fixed
mbind B 4K weighted_interleave 0
expect ok
mbind B+4K 4K preferred_many|numa_balancing 0
expect ok
expect regions 3
S
run 0 "mbind: the modes of 6.1 and 6.12" "$T/mbindrules.vms"
# dry-run, batch, fork; list, json and verbose show the policy.
cat >"$T/mbindmore.vms" <<'S'
let B 0x10000000
set mems_allowed 0
map B 16K rw- private,anon,fixed
dry-run mbind B+4K 4K bind 0
expect ok
expect result map_count=3 splits=2
expect regions 1
batch
mbind B 4K bind 0
mbind B+8K 4K bind 0
mbind B 4K bind 2
mbind B+12K 4K bind 0
end
expect errno EINVAL
expect regions 4
fork
expect region B B+4K policy
expect region B+8K B+12K policy
mbind B 16K bind 0
expect regions 1
S
run 0 "mbind in dry-run, batch and a fork" "$T/mbindmore.vms"
run 0 "list, json and verbose show a policy" -e 'set mems_allowed 0' -e "$B" \
	-e 'mbind 0x10001000 4K bind 0' -e list -e 'maps json' -v -e 'mbind 0x10002000 4K bind 0'
has "... list: which policy" '^0000000010001000-0000000010002000 .* policy=bind:0 flags=' out
has "... json: which policy" '"start":"0x10001000".*"policy":true,"mempolicy":{"mode":"bind","flags":\[\],"nodes":"0","user_nodes":"","home_node":null},' out
has "... json, none" '"start":"0x10000000".*"policy":false,"mempolicy":null,' out
has "... verbose: the merge, with its policy" '^  merged .*0000000010001000-0000000010003000 rw-p policy=bind:0$' out
run 1 "an expect region policy can fail" -e 'set mems_allowed 0' -e "$B" \
	-e 'mbind 0x10000000 16K bind 0' -e 'expect region 0x10000000 0x10004000 nopolicy'
has "... naming what it has" 'expect region: it has a memory policy of its own' err
run 0 "explain names the policy" -e 'set mems_allowed 0' -e "$B" -e 'mbind 0x10001000 4K bind 0' \
	-e 'explain at 0x10001000'
has "... different memory policies" 'refused: policy' out
has "... and which: none against bind to node 0" \
	'^  prev 0000000010000000-0000000010001000 refused: policy (prev nopolicy, next policy=bind:0)$' out
has "... on both sides of the boundary" \
	'^  next 0000000010001000-0000000010002000 refused: policy (prev nopolicy, next policy=bind:0)$' out
# Which policy: the mode, its flags, the nodes in force, the nodes as
# given where a flag keeps them and they differ, the home node.
cat >"$T/polexact.vms" <<'S'
let B 0x10000000
set mems_allowed 0
set nodes_online 0
map B 40K rw- private,anon,fixed
mbind B 4K bind|static_nodes 0-1
expect region B B+4K rw-p policy=bind|static_nodes:0,given=0-1
mbind B+4K 4K bind|relative_nodes 1
expect region B+4K B+8K policy=bind|relative_nodes:0,given=1
mbind B+8K 4K bind 0
home_node B+8K 4K 0
expect region B+8K B+12K policy=bind:0,home=0
mbind B+12K 4K bind|numa_balancing 0
expect region B+12K B+16K policy=bind|numa_balancing:0
mbind B+16K 4K local
expect region B+16K B+20K policy=local
mbind B+20K 4K preferred|static_nodes 0-1
expect region B+20K B+24K policy=preferred|static_nodes:0,given=0-1
mbind B+24K 4K interleave 0x1
expect region B+24K B+28K policy=interleave:0
expect region B+28K B+40K policy=default
expect region B+28K B+40K nopolicy
mbind B+28K 4K bind|static_nodes 0
expect region B+28K B+32K policy=bind|static_nodes:0
S
run 0 "expect region policy=: the exact policy" "$T/polexact.vms"
run 1 "an expect region policy= can fail: another policy" -e 'set mems_allowed 0' \
	-e 'set nodes_online 0' -e "$B" -e 'mbind 0x10000000 16K bind 0' \
	-e 'home_node 0x10000000 16K 0' -e 'expect region 0x10000000 0x10004000 policy=bind:0'
has "... naming both" \
	'expect region: its policy is policy=bind:0,home=0, not policy=bind:0$' err
run 1 "... the nodes as given" -e 'set mems_allowed 0' -e "$B" \
	-e 'mbind 0x10000000 16K bind|static_nodes 0-1' \
	-e 'expect region 0x10000000 0x10004000 policy=bind|static_nodes:0'
has "... naming both" \
	'its policy is policy=bind|static_nodes:0,given=0-1, not policy=bind|static_nodes:0$' err
run 1 "... none" -e "$B" -e 'expect region 0x10000000 0x10004000 policy=bind:0'
has "... saying it has none" 'it has no memory policy of its own, not policy=bind:0$' err
# A home node given to a whole region changes it; explain says which
# policies kept a home node's piece apart, after an mprotect there and
# back, and at a boundary.
run 0 "verbose and explain show home nodes" -v -e 'set mems_allowed 0' -e 'set nodes_online 0' \
	-e "$B" -e 'mbind 0x10000000 16K bind 0' -e 'home_node 0x10000000 16K 0' \
	-e 'expect change 0x10000000 0x10004000 changed' -e 'mbind 0x10000000 16K bind 0' \
	-e 'home_node 0x10001000 4K 0' -e 'protect 0x10001000 4K r--' \
	-e 'protect 0x10001000 4K rw-' -e explain -e 'explain at 0x10002000'
has "... the change" '^  changed   0000000010000000-0000000010004000 rw-p policy=bind:0,home=0$' out
has "... the last call's prev" \
	'^  prev 0000000010000000-0000000010001000 refused: policy (prev policy=bind:0, this policy=bind:0,home=0)$' out
has "... its next" \
	'^  next 0000000010002000-0000000010004000 refused: policy (next policy=bind:0, this policy=bind:0,home=0)$' out
has "... at a boundary" \
	'^  prev 0000000010001000-0000000010002000 refused: policy (prev policy=bind:0,home=0, next policy=bind:0)$' out
# set_mempolicy_home_node(2): the policies of a range get a home node,
# splitting and merging as mbind does; a region without a policy is passed
# over, and a range with none is ENOENT; a policy other than bind or
# preferred_many stops it with EOPNOTSUPP, what came before it changed; a
# node not online (the shadow's nodes_online) is EINVAL.
cat >"$T/home.vms" <<'S'
let B 0x10000000
set mems_allowed 0
set nodes_online 0
map B 16K rw- private,anon,fixed
touch B
mbind B 16K bind 0
expect regions 1
home_node B+4K 4K 0
expect ok
expect result splits=2
expect regions 3
expect region B+4K B+8K rw-p policy
expect explain at B+4K prev refused policy
expect explain at B+8K next refused policy
home_node B+8K 4K 0
expect ok
expect regions 3
expect region B+4K B+12K policy
home_node B 16K 0
expect ok
expect regions 1
expect region B B+16K policy
mbind B+4K 4K bind 0
expect regions 3
map B+64K 8K rw- private,anon,fixed
home_node B+64K 8K 0
expect errno ENOENT
home_node B+32K 16K 0
expect errno ENOENT
home_node B+4K 68K 0
expect ok
expect regions 2
expect region B B+16K policy
expect region B+64K B+72K nopolicy
mbind B+64K 4K preferred_many 0
home_node B+64K 8K 0
expect ok
expect regions 3
expect region B+64K B+68K policy
mbind B+68K 4K preferred_many 0
expect regions 3
expect explain at B+68K prev refused policy
map B+128K 16K rw- private,anon,fixed
mbind B+128K 8K bind 0
mbind B+136K 8K interleave 0
home_node B+132K 12K 0
expect errno EOPNOTSUPP
expect regions 6
expect region B+128K B+132K policy
expect region B+132K B+136K policy
expect region B+136K B+144K policy
expect explain at B+132K prev refused policy
home_node B 4K 1
expect errno EINVAL
home_node B 4K 64
expect errno EINVAL
home_node B+1 4K 0
expect errno EINVAL
home_node B 4K 0 1
expect errno EINVAL
home_node B 4K 0 0x100000000
expect errno EINVAL
home_node B 0xfffffffffffff000 0
expect errno EINVAL
home_node B 0 0
expect ok
set nodes_online 0-1
home_node B 4K 1
expect ok
expect regions 7
expect region B B+4K policy
expect explain at B+4K prev refused policy
expect valid
S
run 0 "home_node: home nodes split, merge, and the kernel's errors" "$T/home.vms"
# dry-run, batch, fork; explain names the call.
cat >"$T/homemore.vms" <<'S'
let B 0x10000000
set mems_allowed 0
set nodes_online 0
map B 16K rw- private,anon,fixed
mbind B 16K bind 0
dry-run home_node B+4K 4K 0
expect ok
expect result map_count=3 splits=2
expect regions 1
batch
home_node B 4K 0
home_node B+8K 4K 0
home_node B 4K 1
home_node B+12K 4K 0
end
expect errno EINVAL
expect regions 4
fork
expect region B B+4K policy
expect region B+4K B+8K policy
expect explain at B+4K prev refused policy
home_node B 16K 0
expect regions 1
S
run 0 "home_node in dry-run, batch and a fork" "$T/homemore.vms"
run 0 "explain names the last home_node" -e 'set mems_allowed 0' -e "$B" \
	-e 'mbind 0x10000000 16K bind 0' -e 'home_node 0x10001000 4K 0' -e explain
has "... home_node" '^home_node 0000000010001000-0000000010002000' out
run 0 "nodes_online: node 0 online by default" -e 'set mems_allowed 0' -e "$B" \
	-e 'mbind 0x10000000 16K bind 0' -e 'home_node 0x10000000 4K 0' -e 'expect ok'
run 1 "nodes_online may not be empty" -e 'set nodes_online none'
has "... naming the parameter" 'set nodes_online: Invalid argument' err
# userfaultfd(2): a registration splits a region and merges it back with
# a neighbour registered alike; modes replace modes, unless the region has
# them all with the context already; a region of another context is
# EBUSY, and the same modes with another context stay apart (uffd).
# UFFDIO_UNREGISTER clears any context; the last close every region of
# its own, whole, merging them.
cat >"$T/uffd.vms" <<'S'
let B 0x10000000
map B 16K rw- private,anon,fixed
uffd_register B 4K 1 missing
expect errno EBADF
uffd_open 1
expect ok
uffd_open 1
expect errno EINVAL
uffd_register B+4K 4K 1 missing
expect ok
expect result splits=2
expect regions 3
expect region B B+4K rw-p nouffd
expect region B+4K B+8K rw-p uffd=1:missing
expect region B+8K B+16K rw-p nouffd
expect explain at B+4K prev refused flags
expect explain at B+8K next refused flags
uffd_register B+8K 4K 1 missing
expect regions 3
expect region B+4K B+12K uffd=1:missing
uffd_register B+12K 4K 1 missing
expect regions 2
expect region B+4K B+16K uffd=1:missing
uffd_register B+4K 4K 1 wp
expect regions 3
expect region B+4K B+8K uffd=1:wp
expect region B+8K B+16K uffd=1:missing
uffd_register B+4K 12K 1 wp
expect regions 2
expect region B+4K B+16K uffd=1:wp
uffd_register B+4K 12K 1 missing|wp
expect region B+4K B+16K uffd=1:missing|wp
uffd_register B+8K 4K 1 missing
expect regions 2
expect region B+4K B+16K uffd=1:missing|wp
uffd_open 2
uffd_register B+4K 4K 2 missing|wp
expect errno EBUSY
uffd_register B 8K 2 missing
expect errno EBUSY
expect regions 2
expect region B B+4K nouffd
uffd_register B 4K 2 missing|wp
expect ok
expect regions 2
expect region B B+4K uffd=2:missing|wp
expect explain at B+4K prev refused uffd
uffd_unregister B 16K 1
expect ok
expect regions 1
expect region B B+16K nouffd
uffd_register B+4K 4K 1 missing
uffd_register B+12K 4K 2 missing
expect regions 4
uffd_close 1
expect ok
expect regions 2
expect region B B+12K nouffd
expect region B+12K B+16K uffd=2:missing
uffd_close 1
expect errno EBADF
uffd_register B 4K 1 missing
expect errno EBADF
uffd_unregister B 4K 1
expect errno EBADF
uffd_close 2
expect regions 1
expect valid
S
run 0 "userfaultfd: registrations split, merge and keep apart" "$T/uffd.vms"
# What may be registered: anonymous and shmem memory (a file on the VM's
# tmpfs /tmp), minor faults on shmem alone, VM_MAYWRITE; not the vdso; a
# range meeting no region; bad modes and ranges.
cat >"$T/uffderr.vms" <<'S'
let B 0x10000000
open w /tmp/vms-uffd rw create=64K
open r /tmp/vms-uffd ro
uffd_open 1
map B 16K rw- private,anon,fixed
map B+64K 16K rw- shared,anon,fixed
map B+128K 16K rw- shared file=w
map B+192K 16K r-- shared file=r
vdso B+256K 8K 16K
uffd_register B 4K 1 minor
expect errno EINVAL
uffd_register B+64K 4K 1 minor
expect ok
expect region B+64K B+68K rw-s uffd=1:minor
uffd_register B+128K 16K 1 missing|minor
expect ok
expect region B+128K B+144K rw-s uffd=1:missing|minor
uffd_register B+192K 4K 1 missing
expect errno EPERM
uffd_register B+256K 4K 1 missing
expect errno EINVAL
uffd_register B+192K 88K 1 missing
expect errno EPERM
uffd_register B+248K 32K 1 missing
expect errno EINVAL
expect region B+256K B+272K nouffd
uffd_register B 4K 1 0
expect errno EINVAL
uffd_register B 4K 1 8
expect errno EINVAL
uffd_register B+1 4K 1 missing
expect errno EINVAL
uffd_register B 1 1 missing
expect errno EINVAL
uffd_register B 0 1 missing
expect errno EINVAL
uffd_register 0x1000 4K 1 missing
expect errno EINVAL
uffd_register B+20K 8K 1 missing
expect errno EINVAL
uffd_register B+12K 56K 1 wp
expect ok
expect region B+12K B+16K uffd=1:wp
expect region B+64K B+68K uffd=1:wp
expect region B+68K B+80K nouffd
uffd_unregister B+64K 16K 1
expect ok
expect regions 7
expect region B+64K B+80K nouffd
uffd_unregister B+128K 160K 1
expect errno EINVAL
expect region B+128K B+144K uffd=1:missing|minor
uffd_unregister B 8K 1
expect ok
uffd_open 0
expect errno EBADF
uffd_open 128
expect errno EBADF
expect valid
S
run 0 "userfaultfd: what may be registered, and the errors" "$T/uffderr.vms"
# The rules: 6.1 finds no region above the range ENOMEM, 6.12 EINVAL; 6.1
# asks the merge of a region's tail with the region's own page offset and
# splits it from the next one registered alike, 6.12 merges; the features
# each kernel knows.
cat >"$T/uffdrules.vms" <<'S'
let B 0x10000000
set rules 6.1
uffd_open 1
uffd_register 0x7ff000000000 4K 1 missing
expect errno ENOMEM
map B 20K rw- private,anon,fixed
uffd_register B+16K 4K 1 missing
uffd_register B+8K 8K 1 missing
expect ok
expect regions 3
expect region B+8K B+16K uffd=1:missing
expect region B+16K B+20K uffd=1:missing
uffd_unregister B+8K 12K 1
expect regions 1
uffd_open 2 wp_async
expect errno EINVAL
uffd_open 2 move
expect errno EINVAL
uffd_open 2 event_fork|event_remap|wp_hugetlbfs_shmem
expect ok
reset
set rules 6.12
uffd_open 1
uffd_register 0x7ff000000000 4K 1 missing
expect errno EINVAL
map B 20K rw- private,anon,fixed
uffd_register B+16K 4K 1 missing
uffd_register B+8K 8K 1 missing
expect ok
expect regions 2
expect region B+8K B+20K uffd=1:missing
uffd_open 2 wp_async|move|poison|wp_unpopulated
expect ok
S
run 0 "userfaultfd: the rules of 6.1 and 6.12" "$T/uffdrules.vms"
# fork keeps the registrations of a context with event_fork, and clears
# the others' without merging; a move by remap keeps them with
# event_remap, else drops them, the pieces left behind keeping theirs.
# dry-run and batch.
cat >"$T/uffdmore.vms" <<'S'
let B 0x10000000
map B 16K rw- private,anon,fixed
uffd_open 1
uffd_open 2 event_fork|event_remap
uffd_register B 4K 1 missing
uffd_register B+8K 4K 2 wp
expect regions 4
dry-run uffd_register B+12K 4K 2 wp
expect ok
expect result map_count=3 merges=1
expect regions 4
fork
expect regions 4
expect region B B+4K nouffd
expect region B+8K B+12K uffd=2:wp
reset
map B 16K rw- private,anon,fixed
map B+1M 16K rw- private,anon,fixed
uffd_open 1
uffd_open 2 event_remap
uffd_register B 16K 1 missing
remap B 4K 4K maymove,fixed B+64K
expect ok
expect region B+64K B+68K nouffd
expect region B+4K B+16K uffd=1:missing
uffd_register B+1M 16K 2 wp
remap B+1M 4K 4K maymove,fixed B+128K
expect ok
expect region B+128K B+132K uffd=2:wp
expect region B+1M+4K B+1M+16K uffd=2:wp
batch
uffd_register B+1M+4K 4K 2 missing
uffd_unregister B+1M+8K 4K 2
uffd_register B+1M+12K 4K 3 missing
uffd_close 2
end
expect errno EBADF
expect regions 6
expect region B+1M+4K B+1M+8K uffd=2:missing
expect region B+1M+8K B+1M+12K nouffd
expect region B+1M+12K B+1M+16K uffd=2:wp
expect valid
S
run 0 "userfaultfd: fork, remap, dry-run and batch" "$T/uffdmore.vms"
run 0 "list, json and verbose show a registration" -e "$B" -e 'uffd_open 1' \
	-e 'uffd_register 0x10001000 4K 1 missing|wp' -e list -e 'maps json' -v \
	-e 'uffd_register 0x10002000 4K 1 missing|wp'
has "... list: the context, the flags" \
	'^0000000010001000-0000000010002000 .* uffd=1 flags=.*uffd_missing,uffd_wp' out
has "... list, none" '^0000000010000000-0000000010001000 .*anon=0 flags=' out
has "... json: the context" '"start":"0x10001000".*"flags":"[^"]*uffd_missing,uffd_wp[^"]*".*"uffd":1,"change":' out
has "... json, none" '"start":"0x10000000".*"uffd":0,"change":' out
has "... verbose: the merge, with its context" \
	'^  merged .*0000000010001000-0000000010003000 rw-p uffd=1$' out
run 1 "an expect region uffd= can fail: another context" -e "$B" -e 'uffd_open 1' \
	-e 'uffd_register 0x10000000 4K 1 missing' -e 'expect region 0x10000000 0x10001000 uffd=2'
has "... naming both" 'expect region: it is registered with uffd=1:missing, not uffd=2$' err
run 1 "... other modes" -e "$B" -e 'uffd_open 1' -e 'uffd_register 0x10000000 4K 1 missing' \
	-e 'expect region 0x10000000 0x10001000 uffd=1:wp'
has "... naming both" 'it is registered with uffd=1:missing, not uffd=1:wp$' err
run 1 "... none" -e "$B" -e 'expect region 0x10000000 0x10004000 uffd'
has "... saying it has none" 'expect region: it has no userfaultfd context$' err
run 0 "explain names the contexts" -e "$B" -e 'uffd_open 1' -e 'uffd_open 2' \
	-e 'uffd_register 0x10001000 4K 2 missing' -e 'uffd_register 0x10000000 4K 1 missing' \
	-e explain -e 'explain at 0x10001000'
has "... the last call" '^uffd_register 0000000010000000-0000000010001000' out
has "... another context" \
	'^  next 0000000010001000-0000000010002000 refused: uffd (next uffd=2:missing, this uffd=1:missing)$' out
has "... at a boundary, below" \
	'^  prev 0000000010000000-0000000010001000 refused: uffd (prev uffd=1:missing, next uffd=2:missing)$' out
has "... and above" \
	'^  next 0000000010001000-0000000010002000 refused: uffd (prev uffd=1:missing, next uffd=2:missing)$' out
run 0 "why names the contexts" -e "$B" -e 'uffd_open 1' -e 'uffd_open 2' \
	-e 'uffd_register 0x10001000 4K 2 missing' -e 'uffd_register 0x10000000 4K 1 missing' -e why
has "... a context" '^0000000010001000 uffd (prev uffd=1:missing, next uffd=2:missing)$' out
has "... a mode" '^0000000010002000 flags: uffd_missing$' out
has "... the counts" \
	'^why: 3 regions, 2 boundaries where two meet, 2 kept apart: flags 1 (uffd_missing 1), uffd 1$' out
# why: each boundary where two regions meet and stay apart, with the rule
# that keeps them apart, then the counts, most first.  Under 6.12's rules
# the page made read-only, never faulted, also gives up VM_ACCOUNT, which
# maps does not show.
cat >"$T/why.vms" <<'S'
let B 0x10000000
set mems_allowed 0
map B 16K rw- private,anon,fixed
protect B+4K 4K r--
map B+16K 8K rw- private,anon,fixed
mbind B+16K 4K bind 0
map B+64K 4K rw- private,anon,fixed
S
run 0 "why -s: the boundaries kept apart (6.1)" why -r 6.1 -s "$T/why.vms"
has "... a protection" '^0000000010001000 flags: write$' out
has "... the protection back" '^0000000010002000 flags: write$' out
has "... a policy, both policies named" \
	'^0000000010004000 policy (prev nopolicy, next policy=bind:0)$' out
has "... and back" '^0000000010005000 policy (prev policy=bind:0, next nopolicy)$' out
has "... the counts, most first" \
	'^why: 6 regions, 4 boundaries where two meet, 4 kept apart: flags 2 (write 2), policy 2$' out
[ "$(wc -l <"$T/out")" = 5 ] && ok "... nothing else (no hole is a boundary)" ||
	notok "... nothing else (no hole is a boundary)"
run 0 "why -s (6.12)" why -r 6.12 -s "$T/why.vms"
has "... the account the read-only page gave up" \
	'^0000000010001000 flags: write,account$' out
has "... counted by flag" \
	'^why: 6 regions, 4 boundaries where two meet, 4 kept apart: flags 2 (write 2, account 2), policy 2$' out
run 0 "why -w: a window" why -r 6.1 -w 10003000-10030000 -s "$T/why.vms"
has "... only its boundaries" \
	'^why: 4 regions, 2 boundaries where two meet, 2 kept apart: policy 2$' out
run 0 "why in a script, with a range" -r 6.1 -e "$(cat "$T/why.vms")" -e 'why B B+12K'
has "... the range's boundaries" \
	'^why: 3 regions, 2 boundaries where two meet, 2 kept apart: flags 2 (write 2)$' out
run 2 "why: START and END, or nothing" -e 'why 0x10000000'
run 1 "why: an empty range" -e 'why 0x2000 0x1000'
run 2 "why: one PID, or a script" why -s "$T/why.vms" 1
run 0 "why self: a real process" why self
has "... its segments differ in protection" ' flags: ' out
has "... and a summary" '^why: [1-9][0-9]* regions, ' out
run 0 "import self" -e 'import self' -e maps
has "... shows the tool's own stack" '\[stack\]$' out
printf 'map 0x10000000 4K rw- private,anon,fixed\nexpect regions 1\n' | "$V" >"$T/out" 2>"$T/err"
[ $? = 0 ] && ok "a script piped in" || notok "a script piped in"
run 1 "diff self: the shadow is not this process" -e "$B" -e 'diff self'
has "... coverage mismatches" '^coverage ' out

# vmashadow import PID: a process that is not running prints exactly its
# /proc/PID/maps.
sleep 60 &
sp=$!
i=0
while ! grep -q sleep "/proc/$sp/cmdline" 2>/dev/null && [ $i -lt 50 ]; do
	i=$((i + 1))
	usleep 100000 2>/dev/null || sleep 1
done
"$V" import "$sp" >"$T/out" 2>"$T/err" && cat "/proc/$sp/maps" >"$T/real" &&
	cmp -s "$T/out" "$T/real" && ok "import PID prints its maps byte for byte" ||
	{ diff "$T/real" "$T/out" >"$T/err"; notok "import PID prints its maps byte for byte"; }
kill "$sp" 2>/dev/null
"$V" import 1 2 >"$T/out" 2>"$T/err"
[ $? = 2 ] && ok "import with two PIDs: usage error" || notok "import with two PIDs: usage error"

# why PID: a pair no rule keeps apart.  vmashadow-tracee uffdfork maps 16
# pages at 0x10000000, registers the middle 8 for write protection (three
# regions: VM_UFFD_WP keeps them apart) and forks; the child's copies lose
# the registration (no UFFD_FEATURE_EVENT_FORK) and nothing merges them:
# three regions alike in the child, which why calls "could be one", and
# /proc/CHILD/maps shows as three lines.  Nothing faults in the region.
TRACEE=${VMASHADOW_TRACEE:-vmashadow-tracee}
up=
if command -v "$TRACEE" >/dev/null 2>&1; then
	"$TRACEE" uffdfork >"$T/uf" 2>&1 &
	up=$!
	i=0
	while ! grep -q '^uffdfork ' "$T/uf" && kill -0 "$up" 2>/dev/null && [ $i -lt 50 ]; do
		i=$((i + 1))
		usleep 100000 2>/dev/null || sleep 1
	done
	read -r _ upar uchild _ <"$T/uf" 2>/dev/null
fi
if ! command -v "$TRACEE" >/dev/null 2>&1; then
	skip "why PID: a fork's copies of a registration, alike" "no $TRACEE"
elif grep -q 'userfaultfd: Function not implemented' "$T/uf"; then
	skip "why PID: a fork's copies of a registration, alike" "no userfaultfd"
	kill "$up" 2>/dev/null
elif [ "$upar" != "$up" ] || [ -z "$uchild" ] || ! [ -d "/proc/$uchild" ]; then
	cp "$T/uf" "$T/out"
	notok "vmashadow-tracee uffdfork: the parent and child pids"
	kill "$up" 2>/dev/null
else
	grep '^1000[0-9a-f]\{4\}-' "/proc/$uchild/maps" >"$T/out"
	printf '%s\n' '10000000-10004000 rw-p 00000000 00:00 0 ' \
		'10004000-1000c000 rw-p 00000000 00:00 0 ' \
		'1000c000-10010000 rw-p 00000000 00:00 0 ' >"$T/want"
	cmp -s "$T/out" "$T/want" && ok "uffdfork: the child's maps show three regions alike" ||
		notok "uffdfork: the child's maps show three regions alike"
	run 0 "why CHILD: exits 0" why "$uchild"
	has "... could be one, below the copy of the registration" '^0000000010004000 could be one$' out
	has "... and above it" '^000000001000c000 could be one$' out
	has "... counted" '^why: .*; 2 could be one$' out
	run 0 "why -w the region of CHILD" why -w 10000000-10010000 "$uchild"
	has "... three regions, two boundaries, none kept apart" \
		'^why: 3 regions, 2 boundaries where two meet, 0 kept apart; 2 could be one$' out
	run 0 "why PARENT: exits 0" why "$upar"
	has "... the registration keeps the regions apart: below" '^0000000010004000 flags: uffd_wp$' out
	has "... and above" '^000000001000c000 flags: uffd_wp$' out
	if grep -q '^00000000100[0-9a-f]\{5\} could be one$' "$T/out"; then
		notok "... none of its pairs there could be one"
	else
		ok "... none of its pairs there could be one"
	fi
	run 0 "why -w the region of PARENT" why -w 10000000-10010000 "$upar"
	has "... both kept apart by uffd_wp" \
		'^why: 3 regions, 2 boundaries where two meet, 2 kept apart: flags 2 (uffd_wp 2)$' out
	kill "$uchild" "$upar" 2>/dev/null
fi
[ -n "$up" ] && wait "$up" 2>/dev/null

echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
