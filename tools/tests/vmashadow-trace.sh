#!/bin/sh
# vmashadow-trace.sh - `vmashadow trace`, `replay` and `shrink` on real
# programs in the VM (kselftest-style TAP, "# Totals:" at the end).  The rig
# puts the tool and vmashadow-tracee in /bin and the programs of
# tools/tests/trace-programs.txt (perl, xz, gzip, m4) with their libraries.
# Every trace checks after every call; a divergence fails the test.
# The test programs: tools/tests/tracee.c.
V=${VMASHADOW:-vmashadow}
T=${TMPDIR:-/tmp}/vmashadow-trace.$$
# a trace's wall-clock limit: the debug kernel (KASAN, lockdep) is slower
case $(uname -r) in *vmsdebug*) TMO=300 debug=1 ;; *) TMO=60 debug= ;; esac
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT
n=0 pass=0 fail=0 skip=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; sed 's/^/# /' "$T/out" | tail -n 60; }
skip() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n $1 # SKIP $2"; }
# the plan and the totals, and exit: 0 if nothing failed
totals() {
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ $fail = 0 ]
	exit
}
# trace NAME PROGRAM ARGS...: traced with a check after every call, logged
# to $T/NAME.log; passes when no divergence is found and the program
# exits with 0.  The summary lines go to the TAP output as comments.
trace() {
	name=$1
	shift
	timeout "$TMO" "$V" trace --check every --log "$T/$name.log" -- "$@" >"$T/out" 2>&1 </dev/null
	rc=$?
	grep -a -E '^(vmashadow trace:|  [a-z])' "$T/out" | sed 's/^/# /'
	if [ $rc = 0 ] && ! grep -a -q -e DIVERGENCE -e 'the program exited with status' "$T/out"; then
		ok "trace $name"
	else
		echo "# exit $rc"
		notok "trace $name"
	fi
}

# replays LOG: the log replays with no divergence and no warning (the
# summary ends there); the output is left in $T/out.  replay_report: what
# of it to show when not, the lines of the maps left out.
replays() {
	"$V" replay "$1" >"$T/out" 2>&1 && grep -q ' calls, 0 divergences$' "$T/out"
}
replay_report() {
	grep -v '^[0-9a-f]*-' "$T/out" | tail -n 20 | sed 's/^/# /'
}

echo "TAP version 13"
[ -c /dev/vmashadow ] || { echo "1..0 # SKIP no /dev/vmashadow"; exit 4; }

seq 1 20000 >"$T/data"
# First the cases the debug kernel (KASAN, lockdep, kmemleak) traces too:
# a fork mirrored and an exec re-imported, and userfaultfd's re-imports,
# paths the selftests reach least through real processes.  All of the
# suite would take it far past its lane's budget (its first 13 cases took
# 5.5 minutes on a slow machine).
trace forkexec vmashadow-tracee forkexec
if grep -q ' fork ' "$T/forkexec.log" && [ "$(grep -c ' exec ' "$T/forkexec.log")" -ge 2 ]; then
	ok "the forked child has its own shadow, exec resets it"
else
	notok "the forked child has its own shadow, exec resets it"
fi
# userfaultfd(2) is not mirrored: the calls that change regions, the
# register and unregister ioctls (a failing one too) and the close of a
# userfaultfd, are re-imported after, whatever the maps say (a whole
# region registered changes its flags alone); what it registered is then
# hidden state that mprotect, mremap and fork, mirrored, must follow.
trace uffd vmashadow-tracee uffd
log=$T/uffd.log
if grep -q 'unmirrored calls 7,' "$T/out" &&
	[ "$(grep -c ' resync userfaultfd$' "$log")" = 7 ] &&
	grep -q ' mprotect 0x[0-9a-f]* 0x2000 0x1 = 0x0' "$log" &&
	grep -q ' mremap 0x[0-9a-f]* 0x4000 0x4000 0x3 0x[0-9a-f]* = 0x' "$log"; then
	ok "userfaultfd: registrations re-imported, then followed"
else
	sed -n '/ exec .*tracee$/,$p' "$log" | grep -v -e ' region ' -e ' file ' |
		sed 's/^/# /' | tail -n 60
	notok "userfaultfd: registrations re-imported, then followed"
fi
# ... and the log replays: each re-imported state names the contexts its
# regions are registered with (uffd records, with their features) and each
# region's (uffd=N), and replay registers them again, every region with
# the vm_flags logged (no warning).
if grep -q ' uffd 1 0x0$' "$log" &&
	grep -q ' region .* 0x100273 1\( anon=[0-9]*\)\? uffd=1$' "$log" &&
	replays "$log"; then
	ok "userfaultfd: a log with registrations replays"
else
	replay_report
	notok "userfaultfd: a log with registrations replays"
fi

[ -z "$debug" ] || totals

# The Debian programs: thousands of checked calls each.
for p in perl xz gzip m4; do
	if ! command -v $p >/dev/null 2>&1 && [ ! -x /usr/bin/$p ]; then
		skip "trace $p" "not in the initramfs"
		continue
	fi
	case $p in
	perl) trace perl /usr/bin/perl -e 'my %h; $h{$_} = [1 .. ($_ % 50)] for 1 .. 20000; my @x = map { scalar @{$h{$_}} } sort { $a <=> $b } keys %h; print scalar(@x), "\n"' ;;
	xz) trace xz /usr/bin/xz -9 -k -c "$T/data" ;;
	gzip) trace gzip /usr/bin/gzip -9 -c "$T/data" ;;
	m4) printf 'define(`f'"'"', `ifelse($1, 0, 0, `$1 f(decr($1))'"'"')'"'"')dnl\nf(200)\n' >"$T/in.m4"
	    trace m4 /usr/bin/m4 "$T/in.m4" ;;
	esac
done
# busybox applets (static).
trace busybox-awk awk 'BEGIN { for (i = 0; i < 20000; i++) a[i] = i "x"; print length(a) }'
trace busybox-sort sort -n "$T/data"

# Test programs: threads, CLONE_VM children, fork + exec, max_map_count.
trace threads vmashadow-tracee threads 4
# One shadow for all the threads: a clone-vm record for each of the five,
# calls made by three of them at least, and the log up to its first
# re-import (shmat: replay rebuilds a re-imported state without its
# anon_vma sharing) replays into one shadow with the kernel's region count
# after every call.  After the re-import, the others share it again.
log=$T/threads.log
ncalls=$(grep -E '^[0-9]+ (mmap|munmap|mprotect|madvise) ' "$log" | cut -d' ' -f1 | sort -u | wc -l)
first=$(grep -n ' resync ' "$log" | head -n 1 | cut -d: -f1)
if [ -n "$first" ]; then head -n $((first - 1)) "$log" >"$T/prefix.log"; else cp "$log" "$T/prefix.log"; fi
rtid=$(sed -n "${first:-1}s/ .*//p" "$log")
after=$(sed -n "$((${first:-1} + 1)),\$p" "$log" | grep -c "^$rtid clone-vm ")
if [ "$(grep -c ' clone-vm ' "$log")" -ge 5 ] && [ "$ncalls" -ge 3 ] && [ -n "$first" ] &&
	[ "$after" -ge 1 ] && grep -q 'threads 5,' "$T/out" &&
	"$V" replay "$T/prefix.log" >"$T/out" 2>&1; then
	ok "threads share one shadow"
else
	echo "# clone-vm records: $(grep -c ' clone-vm ' "$log"), threads calling: $ncalls," \
		"first re-import at line ${first:-none}, shared again with $after"
	notok "threads share one shadow"
fi
# ... and the whole log replays: the re-imported states are rebuilt with
# the anon_vmas their regions share (anon=), a faulted region beside
# another with its own, and the records in a group's holes, so that the
# calls after merge as in the kernel.
if replays "$log"; then
	ok "the threads log replays whole, past its re-imports"
else
	replay_report
	notok "the threads log replays whole, past its re-imports"
fi
# A thread ends it all while the others map: exit_group (the leader a
# zombie, the others killed while their world is stopped), then execve
# from a thread (the tid changes to the leader's).
trace threadexit vmashadow-tracee threadexit
if grep -q 'exit checks 1, skipped 0' "$T/out"; then ok "exit_group from a thread: the final state is checked"; else notok "exit_group from a thread: the final state is checked"; fi
trace threadexec vmashadow-tracee threadexec
if [ "$(grep -c ' exec ' "$T/threadexec.log")" = 2 ]; then ok "a thread's exec starts a new shadow"; else notok "a thread's exec starts a new shadow"; fi
# Group-stopped (SIGSTOP, PTRACE_LISTEN) and continued while mapping.
trace stopcont vmashadow-tracee stopcont
# clone(CLONE_VM | SIGCHLD), vfork() and posix_spawn(): children of their
# own on the parent's mm, which map there; the parent unmaps it after.
trace clonevm vmashadow-tracee clonevm
if grep -q 'vm clones 3' "$T/out" && [ "$(grep -c ' clone-vm ' "$T/clonevm.log")" = 3 ] &&
	[ "$(grep -c ' exec ' "$T/clonevm.log")" = 3 ] && ! grep -q ' fork ' "$T/clonevm.log" &&
	"$V" replay "$T/clonevm.log" >"$T/out" 2>&1; then
	ok "CLONE_VM children share their parent's shadow"
else
	notok "CLONE_VM children share their parent's shadow"
fi
trace work vmashadow-tracee work
old=$(cat /proc/sys/vm/max_map_count)
echo 200 >/proc/sys/vm/max_map_count
trace maxmap vmashadow-tracee maxmap
echo "$old" >/proc/sys/vm/max_map_count
if grep -q 'closest approach to max_map_count (200): [0-2] regions' "$T/out" &&
	grep -q ' = -ENOMEM' "$T/maxmap.log"; then ok "maxmap reaches the limit (ENOMEM mirrored)"; else notok "maxmap reaches the limit"; fi
# The mlock family is mirrored, not re-imported: mlock, mlock2, munlock,
# mlockall (now, future, on fault) and munlockall, their EINVAL and ENOMEM,
# and, without CAP_IPC_LOCK under RLIMIT_MEMLOCK, ENOMEM, EAGAIN (a locked
# mmap) and EPERM, each equal to the kernel's; the limit goes to the log,
# which replays.
trace mlock vmashadow-tracee mlock
log=$T/mlock.log
if grep -q ', mlock [1-9][0-9]*, mlock2 [1-9][0-9]*, munlock [1-9][0-9]*, mlockall [1-9][0-9]*, munlockall [1-9]' "$T/out" &&
	grep -q 'unmirrored calls 0,' "$T/out" && ! grep -q ' resync ' "$log" &&
	grep -q ' mlock2 0x[0-9a-f]* 0x2000 0x1 = 0x0' "$log" &&
	grep -q ' mlockall 0x3 = 0x0' "$log" && grep -q ' munlockall = 0x0' "$log" &&
	grep -q ' mlock 0x0 0x1000 = -ENOMEM' "$log" && grep -q ' mlock2 .* 0x2 = -EINVAL' "$log" &&
	grep -q ' memlock 32768$' "$log" && grep -q ' mlock 0x[0-9a-f]* 0x8000 = -ENOMEM' "$log" &&
	grep -q ' mmap .* = -EAGAIN' "$log" && grep -q ' mlockall 0x1 = -ENOMEM' "$log" &&
	grep -q ' memlock 0$' "$log" && grep -q ' mlock .* = -EPERM' "$log" &&
	"$V" replay "$log" >"$T/out" 2>&1; then
	ok "the mlock family is mirrored, its errors too, and replays"
else
	sed -n '/ exec /,$p' "$log" | grep -v -e ' region ' -e ' file ' | sed 's/^/# /' | tail -n 60
	notok "the mlock family is mirrored, its errors too, and replays"
fi
# CAP_IPC_LOCK in a user namespace of the program's own (unshare -Ur): its
# effective set is full, but the kernel's capable() asks the initial
# namespace, so RLIMIT_MEMLOCK (ulimit -S -l 32: 8 pages) counts from the
# exec on, and mlock, a locked mmap and mlockall fail on it as in `mlock`.
# Without user namespaces, skipped.
if unshare -Ur true 2>/dev/null; then
	trace mlockns sh -c 'ulimit -S -l 32 && exec unshare -Ur vmashadow-tracee mlockns'
	log=$T/mlockns.log
	if grep -A1 ' exec .*/vmashadow-tracee$' "$log" | grep -q ' params .* 0x0 32768 ' &&
		grep -q 'unmirrored calls 0,' "$T/out" && ! grep -q ' resync ' "$log" &&
		grep -q ' mlock 0x[0-9a-f]* 0x8000 = -ENOMEM' "$log" &&
		grep -q ' mmap .* = -EAGAIN' "$log" && grep -q ' mlockall 0x1 = -ENOMEM' "$log" &&
		grep -q ' memlock 0$' "$log" && grep -q ' mlock .* = -EPERM' "$log" &&
		"$V" replay "$log" >"$T/out" 2>&1; then
		ok "CAP_IPC_LOCK in a child user namespace: RLIMIT_MEMLOCK counts, and replays"
	else
		sed -n '/ exec .*tracee$/,$p' "$log" | grep -v -e ' region ' -e ' file ' |
			sed 's/^/# /' | tail -n 60
		notok "CAP_IPC_LOCK in a child user namespace: RLIMIT_MEMLOCK counts, and replays"
	fi
else
	skip "trace mlockns" "no user namespaces"
	skip "CAP_IPC_LOCK in a child user namespace" "no user namespaces"
fi
# RLIMIT_DATA, moved by setrlimit() between the calls (which the tracer
# does not see): mmap, mprotect, mremap (growing, MREMAP_DONTUNMAP) and
# brk (growing, and shrinking above the limit) fail where the kernel's do;
# read-only, shared (anonymous and a file's) and stack mappings do not; a
# soft limit of 0 lets mappings up to the hard one.  Each limit goes to the
# log, which replays.
trace data vmashadow-tracee data
log=$T/data.log
if grep -q 'unmirrored calls 0,' "$T/out" && ! grep -q ' resync ' "$log" &&
	grep -q ' params .* unlimited unlimited 0 0x[0-9a-f]* 0x[0-9a-f]* 0x[0-9a-f]* 0x[0-9a-f]* 0x[1-9a-f][0-9a-f]*$' "$log" &&
	grep -q ' rlimit_data [1-9][0-9]* unlimited$' "$log" &&
	grep -q ' rlimit_data 4096 unlimited$' "$log" &&
	grep -q ' rlimit_data 0 [1-9][0-9]*$' "$log" &&
	[ "$(grep -c ' mmap 0x0 0x[48]000 0x3 0x22 -0 0x0 = -ENOMEM' "$log")" = 2 ] &&
	grep -q ' mmap 0x0 0x1000 0x3 0x22 -0 0x0 = -ENOMEM' "$log" &&
	grep -q ' mmap 0x0 0x8000 0x3 0x122 -0 0x0 = 0x' "$log" &&
	grep -q ' mmap 0x0 0x8000 0x3 0x21 -0 0x0 = 0x' "$log" &&
	grep -q ' mprotect 0x[0-9a-f]* 0x8000 0x3 = -ENOMEM' "$log" &&
	grep -q ' mremap 0x[0-9a-f]* 0x4000 0x8000 0x1 0x0 = -ENOMEM' "$log" &&
	grep -q ' mremap 0x[0-9a-f]* 0x4000 0x4000 0x5 0x0 = -ENOMEM' "$log" &&
	[ "$(awk '$2 == "brk" && $3 != "0x0" && $3 != $5' "$log" | wc -l)" = 3 ] &&
	"$V" replay "$log" >"$T/out" 2>&1; then
	ok "RLIMIT_DATA follows the program's, its errors are mirrored, and replays"
else
	sed -n '/ exec /,$p' "$log" | grep -v -e ' region ' -e ' file ' | sed 's/^/# /' | tail -n 60
	notok "RLIMIT_DATA follows the program's, its errors are mirrored, and replays"
fi
# Shared anonymous memory, its maps line "/dev/zero (deleted)" with a new
# shmem inode each (get_next_ino(): no shadow can predict it): compared
# but for that inode.  Three mappings, two side by side, one split and
# joined, partly unmapped, a piece grown (moved) and another moved into
# the hole; the log replays.
trace shmem vmashadow-tracee shmem
log=$T/shmem.log
if grep -q 'unmirrored calls 0,' "$T/out" && ! grep -q ' resync ' "$log" &&
	[ "$(grep -E -c ' mmap 0x0 0x[0-9a-f]+ 0x[13] 0x(40)?21 -0 0x0 = 0x' "$log")" = 3 ] &&
	[ "$(grep -c ' mremap .* = 0x' "$log")" = 2 ] &&
	grep -q ' munmap 0x[0-9a-f]* 0x2000 = 0x0' "$log" &&
	"$V" replay "$log" >"$T/out" 2>&1; then
	ok "shared anonymous memory: all but the inode compared, and replays"
else
	sed -n '/ exec /,$p' "$log" | grep -v -e ' region ' -e ' file ' | sed 's/^/# /' | tail -n 60
	notok "shared anonymous memory: all but the inode compared, and replays"
fi
# ... and split in pieces across a re-import, whose records replay makes
# one object again (each piece a new mapping of it), so that the pieces
# join when made alike, as in the kernel; no warning.
trace shmem-resync vmashadow-tracee shmem resync
log=$T/shmem-resync.log
if [ "$(grep -c ' resync syscall-' "$log")" = 2 ] &&
	grep -q ' region .* r--s shmem f[0-9]* 0x4 ' "$log" &&
	replays "$log"; then
	ok "shared anonymous memory: pieces of one object rebuilt as one"
else
	replay_report
	notok "shared anonymous memory: pieces of one object rebuilt as one"
fi
# mbind(2) is mirrored: a policy splits a region and merges it back, keeps
# apart what mprotect or a new mapping would join, until the same policy
# joins them; the modes and their flags, MPOL_F_STATIC_NODES compared as
# named; the errors, each equal to the kernel's; across a fork and an
# mremap.  What the shadow cannot hold is the kernel's: a mask naming node
# 100 (one re-import, whose regions carry their policies from numa_maps),
# an unreadable mask (EFAULT) and MPOL_MF_MOVE_ALL without CAP_SYS_NICE
# (EPERM) are left out, as comments.  The re-import's region records give
# each policy as the shadow's GET_POLICY has it: MPOL_F_STATIC_NODES with
# the nodes as given (0-1) beside those in force (0).  The log replays.  A
# kernel without NUMA has no mbind(): skipped.
if [ -e /proc/self/numa_maps ]; then
	trace mbind vmashadow-tracee mbind
	log=$T/mbind.log
	if grep -q ', mbind [1-9][0-9]*,' "$T/out" && grep -q 'unmirrored calls 1,' "$T/out" &&
		[ "$(grep -c ' resync ' "$log")" = 1 ] && grep -q ' resync mbind$' "$log" &&
		grep -A1 ' exec .*/vmashadow-tracee$' "$log" | grep -q ' params .* 0x1 0x[0-9a-f]* 0x[0-9a-f]*$' &&
		grep -q ' mbind 0x[0-9a-f]* 0x4000 0x2 0x1 65 0x0 = 0x0' "$log" &&
		grep -q ' mbind 0x[0-9a-f]* 0x4000 0x2 0x1 65 0x3 = 0x0' "$log" &&
		grep -q ' mbind 0x[0-9a-f]* 0x8000 0x0 0x0 0 0x0 = 0x0' "$log" &&
		grep -q ' mbind 0x[0-9a-f]* 0x1000 0x8002 0x3 65 0x0 = 0x0' "$log" &&
		grep -q ' mbind 0x[0-9a-f]* 0x1000 0x7 0x1 65 0x0 = -EINVAL' "$log" &&
		grep -q ' mbind 0x[0-9a-f]* 0x1000 0x2 0x1 40000 0x0 = -EINVAL' "$log" &&
		grep -q ' mbind 0x[0-9a-f]* 0x4000 0x2 0x1 65 0x0 = -EFAULT' "$log" &&
		grep -q ' mbind 0x[0-9a-f]* 0x1000 0x2 0x1 65 0x4 = 0x0' "$log" &&
		grep -q '^# [0-9]* mbind(.*) = -EFAULT: not mirrored (a mask the tracer cannot read)$' "$log" &&
		grep -q '^# [0-9]* mbind(.*) = 0x0: not mirrored (a node above 63), re-imported$' "$log" &&
		grep -q '^# [0-9]* mbind(.*) = -EPERM: not mirrored (MPOL_MF_MOVE_ALL without CAP_SYS_NICE)$' "$log" &&
		grep -q ' region .* mpol=0x2,0x1,0x0,-1$' "$log" &&
		grep -q ' region .* mpol=0x8002,0x1,0x3,-1$' "$log" &&
		replays "$log"; then
		ok "mbind is mirrored, its policies compared, and replays"
	else
		sed -n '/ exec .*tracee$/,$p' "$log" | grep -v -e ' region ' -e ' file ' |
			sed 's/^/# /' | tail -n 80
		notok "mbind is mirrored, its policies compared, and replays"
	fi
else
	skip "trace mbind" "no NUMA in this kernel"
	skip "mbind is mirrored, its policies compared, and replays" "no NUMA in this kernel"
fi
# set_mempolicy_home_node(2) is mirrored, not re-imported: a home node
# splits a policy and merges it back, keeps apart the same policy without
# it; ENOENT, EOPNOTSUPP after a part changed, the EINVALs (node 1 offline,
# node 100, flags beyond 32 bits), each equal to the kernel's; across a
# fork and an mremap.  The nodes online and arg_start end the params record; the log
# replays.  Without NUMA, skipped.
if [ -e /proc/self/numa_maps ]; then
	trace homenode vmashadow-tracee homenode
	log=$T/homenode.log
	if grep -q ', set_mempolicy_home_node [1-9][0-9]*)' "$T/out" &&
		grep -q 'unmirrored calls 0,' "$T/out" &&
		! grep -q ' resync ' "$log" && ! grep -q 'not mirrored' "$log" &&
		grep -A1 ' exec .*/vmashadow-tracee$' "$log" | grep -q ' params .* 0x1 0x1 0x[1-9a-f][0-9a-f]*$' &&
		grep -q ' set_mempolicy_home_node 0x[0-9a-f]* 0x4000 0 0x0 = 0x0' "$log" &&
		grep -q ' set_mempolicy_home_node 0x[0-9a-f]* 0x10000 0 0x0 = 0x0' "$log" &&
		grep -q ' set_mempolicy_home_node 0x[0-9a-f]* 0x8000 0 0x0 = -ENOENT' "$log" &&
		grep -q ' set_mempolicy_home_node 0x[0-9a-f]* 0x7000 0 0x0 = -EOPNOTSUPP' "$log" &&
		grep -q ' set_mempolicy_home_node 0x[0-9a-f]* 0x1000 1 0x0 = -EINVAL' "$log" &&
		grep -q ' set_mempolicy_home_node 0x[0-9a-f]* 0x1000 100 0x0 = -EINVAL' "$log" &&
		grep -q ' set_mempolicy_home_node 0x[0-9a-f]* 0x1000 0 0xffffffff = -EINVAL' "$log" &&
		"$V" replay "$log" >"$T/out" 2>&1 && grep -q ' calls, 0 divergences' "$T/out"; then
		ok "set_mempolicy_home_node is mirrored, not re-imported, and replays"
	else
		sed -n '/ exec .*tracee$/,$p' "$log" | grep -v -e ' region ' -e ' file ' |
			sed 's/^/# /' | tail -n 80
		notok "set_mempolicy_home_node is mirrored, not re-imported, and replays"
	fi
else
	skip "trace homenode" "no NUMA in this kernel"
	skip "set_mempolicy_home_node is mirrored, not re-imported, and replays" \
		"no NUMA in this kernel"
fi

# Calls that wait for a userfaultfd server thread of their own process: a
# populate whose faults it serves, a fork and two mremaps (to a place
# given, and growing to one the kernel picks) whose UFFD_EVENT_FORK and
# _REMAP it reads.
# The tracer holds the other threads during a call; it must see the call
# sleep and let them run (else the trace never ends), the server's own
# mmap() too (let through, not mirrored), re-import after each such call
# and the fork's copy, and go on checking the calls after.
trace uffdserve vmashadow-tracee uffdserve
log=$T/uffdserve.log
if grep -q 'calls that waited for another task 4, made meanwhile 1$' "$T/out" &&
	[ "$(grep -c ' resync waited$' "$log")" = 4 ] &&
	grep -q ' mprotect 0x[0-9a-f]* 0x2000 0x1 = 0x0' "$log"; then
	ok "userfaultfd server thread: the calls waiting for it complete"
else
	grep -v -e ' region ' -e ' file ' "$log" | sed 's/^/# /' | tail -n 40
	notok "userfaultfd server thread: the calls waiting for it complete"
fi
if replays "$log"; then
	ok "userfaultfd server thread: the log replays"
else
	replay_report
	notok "userfaultfd server thread: the log replays"
fi

# A program's own allocator: glibc's realloc() of large blocks (mmap, and
# mremap that moves them or grows them in place), threads, and re-imports
# now and then (shmat).  The calls are checked, and the whole log
# replays: the re-imported states hold groups of pieces whose page
# offsets overlap, and moved blocks whose first place others have taken.
trace realloc vmashadow-tracee realloc
if replays "$T/realloc.log"; then
	ok "glibc realloc(): the log replays"
else
	replay_report
	notok "glibc realloc(): the log replays"
fi

# Regions a child inherited faulted, re-imported in the child: each has
# an anon_vma of the fork's (forked, in the log), which merges with no
# neighbour that has none.  The calls are checked, and the whole log
# replays: the children's states are rebuilt forked, the pieces of one
# inherited region sharing one anon_vma.
trace forkresync vmashadow-tracee forkresync
log=$T/forkresync.log
if grep -q ' region 0x240000002000 0x240000004000 rw-p anon -0 0x240000002 0x100073 1 anon=[0-9]* forked$' "$log" &&
	replays "$log"; then
	ok "forked regions re-imported: the log replays"
else
	replay_report
	notok "forked regions re-imported: the log replays"
fi

# A tree of children 3 deep, each re-importing, that churn (mmap,
# mremap, mprotect, holes, mappings right beside others): the logs replay
# with no divergence and no warning.  Without ASLR (the tracee runs itself
# again without it), so the heap lies right above the bss and a seed
# makes the same pieces each run.
for seed in 3 7; do
	trace forkchurn-$seed vmashadow-tracee forkchurn $seed
	if replays "$T/forkchurn-$seed.log"; then
		ok "forkchurn $seed: the log replays"
	else
		replay_report
		notok "forkchurn $seed: the log replays"
	fi
done

# madvise(MADV_COLLAPSE), whose result depends on the pages (the module
# calls it invalid): not mirrored, the kernel's word taken; the calls
# after it are mirrored and checked as usual.
trace collapse vmashadow-tracee collapse
log=$T/collapse.log
if ! grep -q ' madvise 0x[0-9a-f]* 0x400000 25 ' "$log" &&
	[ "$(grep -c ' mprotect 0x[0-9a-f]* 0x1000 0x[13] = 0x0' "$log")" = 2 ]; then
	ok "MADV_COLLAPSE: not mirrored, the calls after it checked"
else
	grep -v -e ' region ' -e ' file ' "$log" | sed 's/^/# /' | tail -n 20
	notok "MADV_COLLAPSE: not mirrored, the calls after it checked"
fi

# A large re-imported state: 16,000 faulted regions, each split in two
# pieces that share its anon_vma (anon=), so 16,000 groups in 32,000
# records.  Replay looks ahead over the state at each group's first
# piece; it once parsed every record after it each time, and took 17 s
# for 2,000 groups on 6.1 under TCG, four times as long for twice as
# many: far past the timeout.  Now it reads the state once: 3 s.
case $(uname -r) in 6.12*) rules=6.12 ;; *) rules=6.1 ;; esac
awk -v G=16000 -v R="$rules" 'BEGIN {
	print "vmashadow-log 2"
	print "100 resync big"
	print "100 params 0x2f9b1000 0x2f9d3000 0x7ffc5281b050 0x7f835710a000 65530 " R \
		" 0x0 unlimited unlimited unlimited 0 0x4d5670 0x4db2f0 0x1 0x1 0x7ffc5281cf86"
	for (k = 0; k < G; k++) {
		p = 1048576 + 4 * k	# a page number: 0x100000000 on, 2 pages of 4
		printf "100 region 0x%x000 0x%x000 rw-p anon -0 0x%x 0x100073 1 anon=%d\n",
			p, p + 1, p, k + 1
		printf "100 region 0x%x000 0x%x000 r--p anon -0 0x%x 0x100071 1 anon=%d\n",
			p + 1, p + 2, p + 1, k + 1
	}
	printf "100 munmap 0x%x000 0x1000 = 0x0 n=%d\n", 1048576, 2 * G - 1
}' >"$T/big.log"
if timeout "$TMO" "$V" replay "$T/big.log" >"$T/out" 2>&1 &&
	grep -q ' 1 calls, 0 divergences$' "$T/out"; then
	ok "replay: a state of 16000 groups replays in time"
else
	replay_report
	notok "replay: a state of 16000 groups replays in time"
fi

# A re-import carries policies exactly: the region records of the state
# re-imported after the mbind of node 100 give MPOL_F_STATIC_NODES' nodes
# as given (0-1, node 0 in force), MPOL_F_RELATIVE_NODES' (node 1, folded
# onto node 0) and a home node, which numa_maps shows none of; the replay
# rebuilds them exactly (its GET_POLICY check warns of none), so that the
# calls after, which merge only with those exact policies, count the
# kernel's regions.  The same log with the records as numa_maps gave them
# (mpol=MODE,NODES, still read) rebuilds them otherwise and diverges.
if [ -e /proc/self/numa_maps ]; then
	trace mpolresync vmashadow-tracee mpolresync
	log=$T/mpolresync.log
	sed -n '/ resync mbind$/,$p' "$log" >"$T/after.log"
	if grep -q 'unmirrored calls 1,' "$T/out" && [ "$(grep -c ' resync ' "$log")" = 1 ] &&
		grep -q ' region .* mpol=0x8002,0x1,0x3,-1$' "$T/after.log" &&
		grep -q ' region .* mpol=0x4002,0x1,0x2,-1$' "$T/after.log" &&
		grep -q ' region .* mpol=0x2,0x1,0x0,0$' "$T/after.log" &&
		replays "$log" &&
		! grep -q 'warning' "$T/out"; then
		ok "a re-import logs policies exactly (nodes as given, home node), and replays"
	else
		sed -n '/ exec .*tracee$/,$p' "$log" | grep -v ' file ' | sed 's/^/# /' | tail -n 60
		notok "a re-import logs policies exactly (nodes as given, home node), and replays"
	fi
	sed 's/ \(mpol=0x[0-9a-f]*,0x[0-9a-f]*\),0x[0-9a-f]*,-\{0,1\}[0-9]*$/ \1/' "$log" >"$T/old.log"
	"$V" replay "$T/old.log" >"$T/out" 2>&1
	if [ $? = 1 ] && grep -q 'mbind .* n=[0-9]*: the kernel has [0-9]* regions after it' "$T/out" &&
		! grep -q ',-1$' "$T/old.log"; then
		ok "... which the old numa_maps form could not carry"
	else
		notok "... which the old numa_maps form could not carry"
	fi
else
	skip "trace mpolresync" "no NUMA in this kernel"
	skip "a re-import logs policies exactly (nodes as given, home node), and replays" \
		"no NUMA in this kernel"
	skip "... which the old numa_maps form could not carry" "no NUMA in this kernel"
fi

# --check exit.
"$V" trace --check exit -- vmashadow-tracee work >"$T/out" 2>&1 </dev/null
if [ $? = 0 ] && grep -q 'at exit' "$T/out"; then ok "--check exit"; else notok "--check exit"; fi
timeout "$TMO" "$V" trace --check exit -- vmashadow-tracee threads 8 >"$T/out" 2>&1 </dev/null
if [ $? = 0 ] && grep -q 'at exit' "$T/out" && ! grep -q DIVERGENCE "$T/out"; then ok "--check exit, threads"; else notok "--check exit, threads"; fi

# replay: the recorded log replays without divergence, prints the maps.
"$V" replay "$T/work.log" >"$T/out" 2>&1
if [ $? = 0 ] && grep -q 'rw-p' "$T/out"; then ok "replay of a recorded log"; else notok "replay of a recorded log"; fi
"$V" replay "$T/forkexec.log" >"$T/out" 2>&1
if [ $? = 0 ]; then ok "replay of a log with fork and exec"; else notok "replay of a log with fork and exec"; fi

# An injected divergence: the 8th mmap of `work` claims the kernel made one
# region more than it did.
cp "$T/forkexec.log" "$T/bad.log"
line=$(grep -n ' mmap .* n=' "$T/bad.log" | sed -n 8p | cut -d: -f1)
line=${line:-1}
cnt=$(sed -n "${line}p" "$T/bad.log" | sed -n 's/.* n=//p')
cnt=${cnt:-0}
sed -i "${line}s/ n=$cnt\$/ n=$((cnt + 1))/" "$T/bad.log"
"$V" replay "$T/bad.log" >"$T/out" 2>&1
if [ $? = 1 ] && grep -q "line $line: .*regions after it" "$T/out"; then ok "replay finds the injected divergence"; else notok "replay finds the injected divergence"; fi
"$V" shrink "$T/bad.log" >"$T/small.log" 2>"$T/out"
rc=$?
calls=$(grep -c ' = ' "$T/small.log")
total=$(grep -c ' = ' "$T/bad.log")
calls=${calls:-0} total=${total:-0}
echo "# shrink: $total calls -> $calls"
# How small depends on the layout of the run (10 to 12 calls of 75 seen):
# ask for a quarter at most.
if [ $rc = 0 ] && [ "$calls" -gt 0 ] && [ $((calls * 4)) -le "$total" ]; then ok "shrink reduces it"; else notok "shrink reduces it"; fi
"$V" replay "$T/small.log" >"$T/out" 2>&1
if [ $? = 1 ]; then ok "the shrunk log still diverges"; else notok "the shrunk log still diverges"; fi

# A re-imported state's hidden flags: regions kept apart by an madvise()
# flag, MAP_DROPPABLE or mseal() (6.12), written down by a re-import
# (shmat), are rebuilt by replay with those flags, so that the calls after
# merge as they did in the kernel, and the SysV segment with VM_CLOSE_OP;
# two pieces of one faulted region, and a region and its moved half, are
# rebuilt sharing an anon_vma (anon=N), so that mapping the hole again
# and moving the half back each join them, and two faulted neighbours
# with one each are rebuilt apart, as is a faulted region in the hole
# between two pieces (mapped again, the hole joins them), and a piece
# moved away growing, whose offsets overlap those of the piece that stayed
# (once not rebuilt), the same where that piece then grew in place, or
# where the moved piece grew in place back over where it began, and a
# region and a group's piece moved away from
# where they began, which a mapping has taken since (once rebuilt with
# the wrong offsets, or not sharing); replay checks each rebuilt region's vm_flags and
# page offset against its record (no warning).
trace hidden vmashadow-tracee hidden
log=$T/hidden.log
if grep -q ' resync syscall-' "$log" && grep -q ' region .* 0x120073 1 anon=[0-9]*$' "$log" &&
	grep -q ' region .* 0x80100073 1 anon=[0-9]*$' "$log" &&
	[ "$(grep -c ' region .* rw-p anon .* 0x100073 1 anon=[0-9]*$' "$log")" -ge 4 ] &&
	grep -q ' region .* rw-s file .* 0x10000000000fb 0$' "$log" &&
	replays "$log"; then
	ok "replay rebuilds the hidden flags of a re-imported state"
else
	sed -n '/ resync /,$p' "$log" | grep -v ' file ' | sed 's/^/# /' | tail -n 60
	notok "replay rebuilds the hidden flags of a re-imported state"
fi

# trace --inject: a script run on the shadow alone after the Nth call
# makes each kind of divergence the tracer reports fire, at the place the
# report names.  `vmashadow-tracee inject` maps at fixed addresses (A =
# 0x200000000000): calls 1-4 make A (faulted, split in two that share its
# anon_vma), B = A+64K and C = A+128K; `mbind` adds call 5, a policy on
# C; `uffd` adds calls 5 and 6, E = A+192K and E+8K, then registers both
# with one userfaultfd; then mmap and munmap of A+256K, ten times.
# The program's own calls come after those of libc's start-up: a clean
# trace's log numbers them (one "PID CALL ... = RESULT" line a call), and
# BASE is the number of the last before the program's first.
trace inject vmashadow-tracee inject
c=$(grep -E '^[0-9]+ [a-z_0-9]+ .* = ' "$T/inject.log" |
	grep -n ' mmap 0x200000020000 ' | head -n 1 | cut -d: -f1)
base=$((${c:-1000} - 4))
# injected NAME N VARIANT PATTERN...: injects after the program's Nth call;
# passes when the trace stops at a divergence (exit 1) whose report matches
# each PATTERN (grep -E).
injected() {
	name=$1 after=$((base + $2)) variant=$3
	shift 3
	timeout "$TMO" "$V" trace --inject "$after:$T/$name.vms" --log "$T/$name.log" -- \
		vmashadow-tracee inject $variant >"$T/out" 2>&1 </dev/null
	rc=$?
	good=1
	[ $rc = 1 ] || good=
	grep -q "^vmashadow trace: injected $T/$name.vms into the shadow of pid [0-9]* after call $after\$" \
		"$T/out" || good=
	grep -q "^# [0-9]* injected $T/$name.vms after call $after\$" "$T/$name.log" || good=
	grep -q '^vmashadow trace: DIVERGENCE in pid ' "$T/out" || good=
	for p in "$@"; do
		grep -q -E -e "$p" "$T/out" || { good=; echo "# no line matches: $p"; }
	done
	if [ -n "$good" ]; then ok "--inject: $name"; else echo "# exit $rc"; notok "--inject: $name"; fi
}
# Drift: a region gone from the shadow between two calls.
echo 'unmap 0x200000010000 8K' >"$T/drift.vms"
# The report shows the lines around it: A's top half and C on both sides,
# B in the kernel's only.
injected drift 4 "" \
	'^call: \(between calls: the maps changed outside any mirrored call\)$' \
	'^coverage +0*200000010000-0*200000012000 shadow has nothing, real has rw-p anon$'
if [ "$(grep -c '^  200000002000-200000004000 r--p ' "$T/out")" = 2 ] &&
	[ "$(grep -c '^  200000010000-200000012000 rw-p ' "$T/out")" = 1 ] &&
	[ "$(grep -c '^  200000020000-200000022000 rw-p ' "$T/out")" = 2 ] &&
	grep -A3 '^kernel:$' "$T/out" | grep -q '^  200000010000-200000012000 '; then
	ok "--inject: drift, the lines around it"
else
	notok "--inject: drift, the lines around it"
fi
# Hidden vm_flags: VM_DONTCOPY, which the maps do not show.
echo 'madvise 0x200000010000 8K dontfork' >"$T/flags.vms"
injected flags 4 "" \
	'^hidden +0*200000010000-0*200000012000 vm_flags differ: [a-z_|]*dontcopy' \
	'^call: \(hidden state before the call\)$' \
	'^hidden +the maps lines agree'
# A fault the kernel did not take.
echo 'touch 0x200000010000' >"$T/fault.vms"
injected fault 4 "" \
	'^hidden +0*200000010000-0*200000012000 the shadow says faulted, the kernel unfaulted$'
# Two neighbours that share an anon_vma in the kernel (a split) and not in
# the shadow: A's top half unmapped, mapped again, written and made
# read-only, with VM_DONTCOPY on the bottom half meanwhile so that neither
# the map merges nor the write takes the bottom half's anon_vma.
cat >"$T/anon.vms" <<'S'
madvise 0x200000000000 8K dontfork
unmap 0x200000002000 8K
map 0x200000002000 8K rw- private,anon,fixed
touch 0x200000002000
protect 0x200000002000 8K r--
madvise 0x200000000000 8K dofork
S
injected anon 4 "" \
	'^hidden +0*200000002000 the neighbours share an anon_vma in the kernel only$'
# A parameter the tracer sets only at exec: the next call's result differs.
echo 'set max_map_count 1' >"$T/result.vms"
injected result 4 "" \
	'^call: mmap\(0x200000040000, 0x1000, .*\) = 0x200000040000; the shadow returned -ENOMEM$'
# A policy the kernel's region has not, and one that differs.
if [ -e /proc/self/numa_maps ]; then
	echo 'mbind 0x200000010000 8K bind 0' >"$T/policy.vms"
	injected policy 4 "" \
		'^hidden +0*200000010000-0*200000012000 the shadow says policy=bind:0, the kernel no policy$'
	echo 'mbind 0x200000020000 8K bind 0' >"$T/mpol.vms"
	injected mpol 5 mbind \
		"^hidden +0*200000020000-0*200000022000 the memory policies differ: the shadow's policy=bind:0, the kernel's policy=preferred:0\$"
else
	skip "--inject: policy" "no NUMA in this kernel"
	skip "--inject: mpol" "no NUMA in this kernel"
fi
# Two neighbours registered with one userfaultfd in the kernel, with two
# in the shadow (the flags are the same).
cat >"$T/uffd.vms" <<'S'
uffd_open 100
uffd_unregister 0x200000032000 8K 100
uffd_register 0x200000032000 8K 100 missing
S
injected uffd 7 uffd \
	'^hidden +0*200000032000 the neighbours have the same userfaultfd context in the kernel only$'
# An injection that never comes, or whose script fails, is an error; a bad
# one, a usage error.
"$V" trace --inject "1000:$T/flags.vms" -- vmashadow-tracee inject >"$T/out" 2>&1 </dev/null
rc=$?
if [ $rc = 1 ] && grep -q "^vmashadow: --inject: $((base + 24)) calls mirrored, $T/flags.vms never ran\$" "$T/out" &&
	! grep -q DIVERGENCE "$T/out"; then
	ok "--inject past the last call"
else
	echo "# exit $rc"
	notok "--inject past the last call"
fi
echo 'unmap 0x200000001001 4K' >"$T/bad.vms"
"$V" trace --inject "$((base + 2)):$T/bad.vms" -- vmashadow-tracee inject >"$T/out" 2>&1 </dev/null
rc=$?
if [ $rc = 1 ] && grep -q "^vmashadow: --inject: $T/bad.vms failed on the shadow of pid [0-9]*\$" "$T/out"; then
	ok "--inject of a script that fails"
else
	echo "# exit $rc"
	notok "--inject of a script that fails"
fi
echo 'frobnicate' >"$T/syntax.vms"
"$V" trace --inject "1:$T/syntax.vms" -- true >"$T/out" 2>&1 </dev/null
rc1=$?
"$V" trace --inject "0:$T/flags.vms" -- true >"$T/out" 2>&1 </dev/null
rc2=$?
"$V" trace --inject "$T/flags.vms" -- true >"$T/out" 2>&1 </dev/null
rc3=$?
if [ $rc1 = 2 ] && [ $rc2 = 2 ] && [ $rc3 = 2 ]; then
	ok "--inject: a bad N or script is a usage error"
else
	echo "# exits $rc1 $rc2 $rc3"
	notok "--inject: a bad N or script is a usage error"
fi

# strace -f -e trace=memory output.
cat >"$T/strace.txt" <<'S'
1234  brk(NULL)                         = 0x555555559000
1234  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb0000
1234  mmap(0x7ffff7fb2000, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb2000
[pid  1235] mprotect(0x7ffff7fb0000, 4096, PROT_READ <unfinished ...>
1234  munmap(0x7ffff7fb1000, 4096 <unfinished ...>
[pid  1235] <... mprotect resumed>)     = 0
1234  <... munmap resumed>)             = 0
1234  brk(0x55555557a000)               = 0x55555557a000
1234  madvise(0x7ffff7fb2000, 4096, MADV_COLLAPSE) = 0
1234  mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3</bin/busybox>, 0) = 0x7ffff7fa0000
S
"$V" replay "$T/strace.txt" >"$T/out" 2>&1
# (MADV_COLLAPSE, which the module does not model, is left out: no report)
if [ $? = 0 ] && grep -q '^7ffff7fb2000-7ffff7fb3000 rw-p' "$T/out" && grep -q '\[heap\]' "$T/out" &&
	grep -q ' /bin/busybox$' "$T/out" && ! grep -q madvise "$T/out"; then
	ok "replay reads strace output"
else
	sed 's/^/# /' "$T/out"
	notok "replay reads strace output"
fi
# A starting state with a locked region and mlockall(MCL_FUTURE) in force
# (a log's params and region lines): rebuilt locked, so that munlocking a
# page splits it, with def_flags set after the rebuild, so that a new
# mapping beside it is locked too and merges.
cat >"$T/locked.log" <<'S'
vmashadow-log 1
1 exec /bin/vmashadow-tracee
1 params 0x555555559000 0x555555559000 0x0 0x0 0 6.1 0x2000 unlimited
1 region 0x10000000 0x10004000 rw-p anon - 0x10000 0x102073 1
1 munlock 0x10001000 0x1000 = 0x0 n=3
1 mmap 0x10004000 0x1000 0x3 0x32 - 0x0 = 0x10004000 n=3
1 memlock 4096
1 mlock 0x10001000 0x1000 = -ENOMEM n=3
S
"$V" replay "$T/locked.log" >"$T/out" 2>&1
if [ $? = 0 ] && grep -q '3 calls, 0 divergences' "$T/out"; then
	ok "replay rebuilds locked regions, def_flags and the limit"
else
	notok "replay rebuilds locked regions, def_flags and the limit"
fi
# log3 [START_BRK BRK] <RECORDS: a log 3 of the tracee, its params (6.1
# rules) and then the records given.
log3() {
	printf 'vmashadow-log 3\n1 exec /bin/vmashadow-tracee\n'
	printf '1 params %s %s 0x0 0x0 0 6.1 0x0 unlimited\n' "${1:-0x555555559000}" \
		"${2:-0x555555559000}"
	cat
}
# A starting state with forked regions (a log 3): one alone and a group
# of two pieces that share an anon_vma.  Rebuilt forked, a mapping right
# below and one right above stay apart from them, and the pieces join
# again when made alike; the same state rebuilt unforked (the word taken
# away) merges the two mappings, and the replay must say so.
log3 >"$T/forked.log" <<'S'
1 region 0x10000000 0x10004000 rw-p anon - 0x10000 0x100073 1 forked
1 region 0x20000000 0x20002000 rw-p anon - 0x20000 0x100073 1 anon=7 forked
1 region 0x20002000 0x20004000 r--p anon - 0x20002 0x100071 1 anon=7 forked
1 mmap 0xfffc000 0x4000 0x3 0x32 - 0x0 = 0xfffc000 n=4
1 mmap 0x10004000 0x4000 0x3 0x32 - 0x0 = 0x10004000 n=5
1 mprotect 0x20002000 0x2000 0x3 = 0x0 n=4
1 mmap 0x20004000 0x1000 0x3 0x32 - 0x0 = 0x20004000 n=5
S
sed 's/ forked$//' "$T/forked.log" >"$T/unforked.log"
forked=no
replays "$T/forked.log" && grep -q ' 4 calls, 0 divergences$' "$T/out" && forked=yes
"$V" replay "$T/unforked.log" >>"$T/out" 2>&1
rc=$?
if [ $forked = yes ] && [ $rc = 1 ] && grep -q ' 4 calls, 4 divergences$' "$T/out"; then
	ok "replay rebuilds forked regions, a group sharing one anon_vma"
else
	replay_report
	notok "replay rebuilds forked regions, a group sharing one anon_vma"
fi
# Starting states whose pieces the kernel made in an order replay must
# find.  order: B moved away, then G moved into the room B left (G's
# offsets are higher, but it must wait for B), then B moved back beside
# it joins it.  refill: L and F have one offset, the pages of a later
# mapping that joined the region; F, in place, joins H when made alike.
# overlap: a region that moved onto part of where it began keeps its
# offsets (born there, moved by way of a scratch mapping), and a mapping
# above it does not join it.  cycle: D lies where J's pages were and J
# where D's were; one waits aside while the other moves, and J moved
# back beside D joins it.  fenced: a region born right below an
# unfaulted one, whose offsets follow on, must not join and fault it.
# heap: the heap right above the bss (no ASLR gap), sharing its anon_vma,
# made by brk() as the program made it, apart from the bss; mapped, it
# would join it.  grown: U, grown in place by mremap() up to P (6.1
# keeps them apart), is fenced from P's group as it is made, and must not
# join P when the fence comes off.  between: U, unfaulted, between P,
# faulted, and W, mapped after it; fenced from W, U must not take the
# flag P was fenced with and join P (forkchurn 77 on 6.1: there P and U
# were read-only).  landing: B lands on the pages it leaves, and A, of
# B's offset, refills them: B waits aside while they are refilled
# (forkchurn 102 on 6.1).  Each rebuilt otherwise would diverge, or
# warn.
log3 >"$T/order.log" <<'S'
1 region 0x10001000 0x10005000 rw-p anon - 0x10008 0x100073 1 anon=5
1 region 0x20000000 0x20008000 rw-p anon - 0x10000 0x100073 1 anon=5
1 mremap 0x20000000 0x8000 0x8000 0x3 0xfff9000 = 0xfff9000 n=1
S
log3 >"$T/refill.log" <<'S'
1 region 0x30000000 0x30006000 rw-p anon - 0x30000 0x100073 1 anon=9
1 region 0x30006000 0x30008000 r--p anon - 0x30006 0x100071 1 anon=9
1 region 0x40000000 0x40001000 rw-p anon - 0x30000 0x100073 1 anon=9
1 mprotect 0x30006000 0x2000 0x3 = 0x0 n=2
S
log3 >"$T/overlap.log" <<'S'
1 region 0x50000000 0x50008000 rw-p anon - 0x50004 0x100073 1
1 mmap 0x50008000 0x4000 0x3 0x32 - 0x0 = 0x50008000 n=2
S
log3 >"$T/cycle.log" <<'S'
1 region 0x60000000 0x60004000 rw-p anon - 0x60008 0x100073 1 anon=3
1 region 0x60008000 0x60010000 rw-p anon - 0x60000 0x100073 1 anon=3
1 mremap 0x60000000 0x4000 0x4000 0x3 0x60010000 = 0x60010000 n=1
S
log3 >"$T/fenced.log" <<'S'
1 region 0x7000f000 0x70011000 rw-p anon - 0x7000f 0x100073 0
1 region 0x700a5000 0x700aa000 rw-p anon - 0x7000a 0x100073 1
1 mmap 0x700aa000 0x1000 0x3 0x32 - 0x0 = 0x700aa000 n=3
S
log3 0x4e5000 0x507000 >"$T/heap.log" <<'S'
1 region 0x4df000 0x4e5000 rw-p anon - 0x4df 0x100073 1 anon=2
1 region 0x4e5000 0x507000 rw-p anon - 0x4e5 0x100073 1 anon=2
1 brk 0x509000 = 0x509000 n=2
S
log3 >"$T/grown.log" <<'S'
1 region 0x90000000 0x90002000 rw-p anon - 0x90000 0x100073 0
1 region 0x90002000 0x90005000 rw-p anon - 0x90002 0x100073 1 anon=4
1 region 0x90006000 0x90007000 r--p anon - 0x90006 0x100071 1 anon=4
1 mprotect 0x90006000 0x1000 0x3 = 0x0 n=3
S
log3 >"$T/between.log" <<'S'
1 region 0xa0000000 0xa0002000 rw-p anon - 0xa0000 0x100073 1
1 region 0xa0002000 0xa0003000 rw-p anon - 0xa0002 0x100073 0
1 region 0xa0003000 0xa0005000 r--p anon - 0xa0003 0x71 0
1 mmap 0xb0000000 0x1000 0x3 0x32 - 0x0 = 0xb0000000 n=4
S
log3 >"$T/landing.log" <<'S'
1 region 0xb0000000 0xb0002000 rw-p anon - 0xb0000 0x100073 1 anon=6
1 region 0xb0002000 0xb0005000 rw-p anon - 0xb0000 0x100073 1 anon=6
1 region 0xb0008000 0xb0009000 rw-p anon - 0xb0008 0x100073 1 anon=6
1 munmap 0xb0008000 0x1000 = 0x0 n=2
S
for l in order refill overlap cycle fenced heap grown between landing; do
	if replays "$T/$l.log" && grep -q ' 1 calls, 0 divergences$' "$T/out"; then
		ok "replay rebuilds a starting state: $l"
	else
		replay_report
		notok "replay rebuilds a starting state: $l"
	fi
done
# Forked groups whose pieces A3 and B begin at one offset: the region
# was born at 0x800e4 as A and B, joined; then A moved away, grown over
# B's offsets (mremap()), and a page of it was made read-only.  A1, A2
# and A3 are made as one piece and split: made writable, they join
# again, and a mapping right above B, which is forked, stays apart.  In
# the second, a page was unmapped from A's middle: X and Y are made as
# one piece, and a mapping in the hole joins neither.  (6.1 forkchurn
# 16 and 38 with aslr left these; replay had rebuilt B apart.)
log3 >"$T/forkedtie.log" <<'S'
1 region 0x80000000 0x80003000 rw-p anon - 0x800e4 0x100073 1 anon=6 forked
1 region 0x80003000 0x80004000 r--p anon - 0x800e7 0x100071 1 anon=6 forked
1 region 0x80004000 0x80008000 rw-p anon - 0x800e8 0x100073 1 anon=6 forked
1 region 0x800e8000 0x800e9000 rw-p anon - 0x800e8 0x100073 1 anon=6 forked
1 region 0xa0000000 0xa0001000 rw-p anon - 0xa0633 0x100073 1 anon=8 forked
1 region 0xa0002000 0xa001b000 rw-p anon - 0xa0635 0x100073 1 anon=8 forked
1 region 0xa0635000 0xa0637000 rw-p anon - 0xa0635 0x100073 1 anon=8 forked
1 mprotect 0x80003000 0x1000 0x3 = 0x0 n=5
1 mmap 0x800e9000 0x1000 0x3 0x32 - 0x0 = 0x800e9000 n=6
1 mmap 0xa0001000 0x1000 0x3 0x32 - 0x0 = 0xa0001000 n=7
S
if replays "$T/forkedtie.log" && grep -q ' 3 calls, 0 divergences$' "$T/out"; then
	ok "replay rebuilds a starting state: forked pieces of one offset"
else
	replay_report
	notok "replay rebuilds a starting state: forked pieces of one offset"
fi
# A starting state over its data limit (a log's params line since
# RLIMIT_DATA): rebuilt under no limit, the log's limit and data segment
# set after, so that a private writable mmap fails, a read-only one does
# not, and a shrinking brk fails on the heap and the segment together;
# rlimit_data records change the limit, soft and hard.
cat >"$T/datalimit.log" <<'S'
vmashadow-log 1
1 exec /bin/vmashadow-tracee
1 params 0x20000000 0x20002000 0x0 0x0 0 6.1 0x0 unlimited 16384 unlimited 0 0x1f000000 0x1f004000
1 region 0x10000000 0x10008000 rw-p anon - 0x10000 0x100073 0
1 region 0x20000000 0x20002000 rw-p anon - 0x20000 0x100073 0
1 mmap 0x30000000 0x1000 0x3 0x32 - 0x0 = -ENOMEM n=2
1 mmap 0x30000000 0x1000 0x1 0x32 - 0x0 = 0x30000000 n=3
1 brk 0x20001000 = 0x20002000 n=3
1 rlimit_data 0 65536
1 mmap 0x30010000 0x4000 0x3 0x32 - 0x0 = 0x30010000 n=4
1 mmap 0x30020000 0x4000 0x3 0x32 - 0x0 = -ENOMEM n=4
1 rlimit_data unlimited unlimited
1 mmap 0x30020000 0x4000 0x3 0x32 - 0x0 = 0x30020000 n=5
S
"$V" replay "$T/datalimit.log" >"$T/out" 2>&1
if [ $? = 0 ] && grep -q '6 calls, 0 divergences' "$T/out"; then
	ok "replay rebuilds over the data limit, then sets it and the data segment"
else
	notok "replay rebuilds over the data limit, then sets it and the data segment"
fi
# ... with the mlock family: its lines are applied (9 calls), and the
# final split is mlock2's.
cat >"$T/strace-mlock.txt" <<'S'
1234  mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb0000
1234  mlock(0x7ffff7fb1000, 4096)       = 0
1234  mlock2(0x7ffff7fb3000, 4096, MLOCK_ONFAULT) = 0
1234  munlock(0x7ffff7fb1000, 4096)     = 0
1234  mlockall(MCL_CURRENT|MCL_FUTURE)  = 0
1234  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fa0000
1234  munlockall()                      = 0
1234  mlock2(0x7ffff7fb2000, 8192, MLOCK_ONFAULT) = 0
1234  mlock(0x7ffff7fb8000, 4096)       = 0
1234  mlock(0x10000, 4096)              = -1 ENOMEM (Cannot allocate memory)
S
"$V" replay "$T/strace-mlock.txt" >"$T/out" 2>&1
if [ $? = 0 ] && grep -q '9 calls, 0 disagreements' "$T/out" &&
	[ "$(grep -c '^7ffff7f' "$T/out")" = 6 ] &&
	grep -q '^7ffff7fb2000-7ffff7fb4000 rw-p' "$T/out" &&
	grep -q '^7ffff7fb8000-7ffff7fb9000 rw-p' "$T/out"; then
	ok "replay reads the mlock family from strace output"
else
	notok "replay reads the mlock family from strace output"
fi

# mbind records: a starting region with a policy (mpol=), the nodes
# allowed from the params record, then node 1 alone (a policy on node 0
# refused) and node 0 again (mems_allowed records); a new mapping beside a
# policy stays apart.
cat >"$T/mbind.log" <<'S'
vmashadow-log 1
1 exec /bin/vmashadow-tracee
1 params 0x555555559000 0x555555559000 0x0 0x0 0 6.1 0x0 unlimited unlimited unlimited 0 0x0 0x0 0x1
1 region 0x10000000 0x10004000 rw-p anon - 0x10000 0x100073 1 mpol=0x2,0x1
1 region 0x10004000 0x10008000 rw-p anon - 0x10004 0x100073 0
1 mbind 0x10004000 0x4000 0x2 0x1 65 0x0 = 0x0 n=1
1 mems_allowed 0x2
1 mbind 0x10000000 0x1000 0x3 0x1 65 0x0 = -EINVAL n=1
1 mems_allowed 0x1
1 mbind 0x10000000 0x1000 0x3 0x1 65 0x0 = 0x0 n=2
1 mmap 0x10008000 0x1000 0x3 0x32 - 0x0 = 0x10008000 n=3
S
"$V" replay "$T/mbind.log" >"$T/out" 2>&1
if [ $? = 0 ] && grep -q '4 calls, 0 divergences' "$T/out"; then
	ok "replay rebuilds a region's policy, follows the nodes allowed"
else
	notok "replay rebuilds a region's policy, follows the nodes allowed"
fi
# ... and mbind in strace output: the mask as an array of words, the
# failed call skipped.
cat >"$T/strace-mbind.txt" <<'S'
1234  mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb0000
1234  mbind(0x7ffff7fb4000, 16384, MPOL_BIND, [0x0000000000000001], 65, MPOL_MF_STRICT|MPOL_MF_MOVE) = 0
1234  mbind(0x7ffff7fb8000, 16384, MPOL_BIND, [0x1, 0], 129, 0) = 0
1234  mbind(0x7ffff7fbc000, 4096, MPOL_INTERLEAVE|MPOL_F_STATIC_NODES, [0x1], 65, 0) = 0
1234  mbind(0x7ffff7fb0000, 4096, MPOL_DEFAULT, NULL, 0, 0) = 0
1234  mbind(0x7ffff7fb0000, 4096, MPOL_LOCAL, [0x1], 65, 0) = -1 EINVAL (Invalid argument)
S
"$V" replay "$T/strace-mbind.txt" >"$T/out" 2>&1
if [ $? = 0 ] && grep -q '5 calls, 0 disagreements' "$T/out" &&
	[ "$(grep -c '^7ffff7f' "$T/out")" = 4 ] &&
	grep -q '^7ffff7fb4000-7ffff7fbc000 rw-p' "$T/out" &&
	grep -q '^7ffff7fbc000-7ffff7fbd000 rw-p' "$T/out"; then
	ok "replay reads mbind from strace output"
else
	notok "replay reads mbind from strace output"
fi
# set_mempolicy_home_node records: the nodes online from the params
# record (node 1 too, which the VM does not have), then node 0 alone and
# both again (nodes_online records); a home node splits a policy, joins
# it, and a new mapping beside it stays apart.
cat >"$T/homenode.log" <<'S'
vmashadow-log 1
1 exec /bin/vmashadow-tracee
1 params 0x555555559000 0x555555559000 0x0 0x0 0 6.1 0x0 unlimited unlimited unlimited 0 0x0 0x0 0x1 0x3
1 region 0x10000000 0x10004000 rw-p anon - 0x10000 0x100073 1 mpol=0x2,0x1
1 set_mempolicy_home_node 0x10001000 0x1000 1 0x0 = 0x0 n=3
1 nodes_online 0x1
1 set_mempolicy_home_node 0x10000000 0x1000 1 0x0 = -EINVAL n=3
1 set_mempolicy_home_node 0x10002000 0x2000 0 0x0 = 0x0 n=3
1 nodes_online 0x3
1 set_mempolicy_home_node 0x10000000 0x4000 1 0x0 = 0x0 n=1
1 mmap 0x10004000 0x1000 0x3 0x32 - 0x0 = 0x10004000 n=2
S
"$V" replay "$T/homenode.log" >"$T/out" 2>&1
if [ $? = 0 ] && grep -q '5 calls, 0 divergences' "$T/out"; then
	ok "replay follows home nodes and the nodes online"
else
	notok "replay follows home nodes and the nodes online"
fi
# Region records with exact policies (mpol=MODE,NODES,GIVEN,HOME): the
# nodes as given of MPOL_F_STATIC_NODES (0-1 where node 0 alone is
# allowed) and a home node rebuilt, so that the same policies beside them
# merge; then a record whose nodes in force no rebuild gives (relative
# node 1 onto node 0 is node 0, not node 1): the replay says so.
cat >"$T/mpol.log" <<'S'
vmashadow-log 1
1 exec /bin/vmashadow-tracee
1 params 0x555555559000 0x555555559000 0x0 0x0 0 6.1 0x0 unlimited unlimited unlimited 0 0x0 0x0 0x1 0x1
1 region 0x10000000 0x10004000 rw-p anon - 0x10000 0x100073 1 mpol=0x8002,0x1,0x3,-1
1 region 0x10004000 0x10008000 rw-p anon - 0x10004 0x100073 1
1 region 0x10008000 0x1000c000 rw-p anon - 0x10008 0x100073 1 mpol=0x2,0x1,0x0,0
1 region 0x1000c000 0x10010000 rw-p anon - 0x1000c 0x100073 1
1 mbind 0x10004000 0x4000 0x8002 0x3 65 0x0 = 0x0 n=3
1 mbind 0x1000c000 0x4000 0x2 0x1 65 0x0 = 0x0 n=3
1 set_mempolicy_home_node 0x1000c000 0x4000 0 0x0 = 0x0 n=2
S
"$V" replay "$T/mpol.log" >"$T/out" 2>&1
if [ $? = 0 ] && grep -q '3 calls, 0 divergences$' "$T/out" && ! grep -q warning "$T/out"; then
	ok "replay rebuilds policies exactly: the nodes as given, the home node"
else
	notok "replay rebuilds policies exactly: the nodes as given, the home node"
fi
sed 's/mpol=0x8002,0x1,0x3,-1/mpol=0x4002,0x2,0x2,-1/' "$T/mpol.log" >"$T/mpolbad.log"
"$V" replay "$T/mpolbad.log" >"$T/out" 2>&1
if grep -q '^line 4: warning: 10000000-10004000 rebuilt with policy=bind|relative_nodes:0,given=1, not the logged policy=bind|relative_nodes:1$' "$T/out" &&
	grep -q '; 1 policy not rebuilt as logged$' "$T/out"; then
	ok "replay checks each rebuilt policy, and says where it differs"
else
	notok "replay checks each rebuilt policy, and says where it differs"
fi
# ... and set_mempolicy_home_node in strace output, the failed call
# skipped.
cat >"$T/strace-homenode.txt" <<'S'
1234  mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb0000
1234  mbind(0x7ffff7fb0000, 65536, MPOL_BIND, [0x1], 65, 0) = 0
1234  set_mempolicy_home_node(0x7ffff7fb4000, 16384, 0, 0) = 0
1234  set_mempolicy_home_node(0x7ffff7fb8000, 4096, 0, 0) = 0
1234  set_mempolicy_home_node(0x7ffff7fbc000, 4096, 1, 0) = -1 EINVAL (Invalid argument)
S
"$V" replay "$T/strace-homenode.txt" >"$T/out" 2>&1
if [ $? = 0 ] && grep -q '4 calls, 0 disagreements' "$T/out" &&
	[ "$(grep -c '^7ffff7f' "$T/out")" = 3 ] &&
	grep -q '^7ffff7fb4000-7ffff7fb9000 rw-p' "$T/out"; then
	ok "replay reads set_mempolicy_home_node from strace output"
else
	notok "replay reads set_mempolicy_home_node from strace output"
fi

totals
