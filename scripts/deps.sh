#!/usr/bin/env bash
# deps.sh - install host tools and fetch the pinned Debian kernels for the VM lanes.
#
# Idempotent.  Everything fetched goes under $VMS_CACHE (default
# ~/.cache/vmashadow), outside the clone, keyed by exact package version so
# that a kernel update in the Debian archive gives a new cache entry rather
# than silently reusing the old one.  Kernel packages are never installed with
# apt-get install (the 6.12 headers depend on the image, which would land in
# /boot): their debs are downloaded and unpacked into the cache instead.
#
# Output: $VMS_CACHE/kernels.mk, a make-includable file with, per lane L
# (6.1, 6.12): VMS_KDIR_L, VMS_VMLINUZ_L, VMS_KREL_L; plus VMS_KSFT_INC (dir
# holding kselftest_harness.h), VMS_CHECKPATCH and VMS_LINUX_SRC (the partial
# linux-source tree: scripts/, tools/).  vm-run.sh reads the same file.
#
# When nothing changed since the last run it exits in well under a second:
# the apt-cache look-ups (~0.5 s each) are skipped while the apt lists are
# unchanged and every recorded path still exists.
set -euo pipefail

VMS_CACHE=${VMS_CACHE:-$HOME/.cache/vmashadow}
OUT_MK=$VMS_CACHE/kernels.mk
STAMP=$VMS_CACHE/kernels.stamp

# lane name, headers meta package, image meta package
LANES=(
	"6.1 linux-headers-amd64 linux-image-amd64"
	"6.12 linux-headers-6.12-amd64 linux-image-6.12-amd64"
)
SRC_PKG=linux-source-6.1

HOST_PKGS=(qemu-system-x86 busybox-static cpio sparse mandoc xz-utils
	gcc gcc-12 make bc flex bison libelf-dev libssl-dev
	clang libclang-rt-14-dev valgrind gcovr	# this line: host/ (issue 10)
	dwarves	# pahole: the 6.12 headers ship vmlinux, so modules get BTF
	perl-base gzip m4 strace	# programs vmashadow trace runs in the VM (issue 6)
	python3)	# bench/report.py and its test

log() { printf 'deps: %s\n' "$*" >&2; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "not root and no sudo: install ${HOST_PKGS[*]} by hand"
	SUDO=sudo
fi

apt_updated=0
apt_update_once() {
	[ "$apt_updated" = 1 ] && return
	log "apt-get update"
	$SUDO apt-get update -qq
	apt_updated=1
}

# ---- host packages --------------------------------------------------------
missing_host_pkgs() {
	local p st
	for p in "${HOST_PKGS[@]}"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$st" = "install ok installed" ] || printf '%s\n' "$p"
	done
}

install_host_pkgs() {
	local missing
	mapfile -t missing < <(missing_host_pkgs)
	[ "${#missing[@]}" -eq 0 ] && return
	apt_update_once
	log "installing ${missing[*]}"
	$SUDO env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---- fast path ------------------------------------------------------------
# Fingerprint of the apt package lists (they change whenever apt-get update
# brings new indexes, the only way resolved versions can change) and of this
# script (a new lane must be fetched).
apt_fingerprint() {
	{
		# shellcheck disable=SC2012  # only names, sizes and mtimes are hashed
		ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null
		cat "$0"
	} | md5sum | cut -d' ' -f1
}

# All paths recorded in kernels.mk exist?
cache_complete() {
	[ -f "$OUT_MK" ] && [ -f "$STAMP" ] || return 1
	local key _op val
	while read -r key _op val; do
		case $key in
		VMS_KDIR_* | VMS_VMLINUZ_* | VMS_KSFT_INC | VMS_CHECKPATCH | VMS_LINUX_SRC)
			[ -e "$val" ] || return 1 ;;
		esac
	done <"$OUT_MK"
}

if [ -z "$(missing_host_pkgs)" ] && cache_complete &&
	[ "$(cat "$STAMP")" = "$(apt_fingerprint)" ]; then
	exit 0
fi

install_host_pkgs

# ---- package resolution ---------------------------------------------------
# First "Depends:" of PKG whose name matches the extended regex RE.
dep_of() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: //p' | grep -E -m1 "$2" || true
}

# Candidate version of PKG.
version_of() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n1
}

DEBS=$VMS_CACHE/debs
mkdir -p "$DEBS"

# Download PKG at version VER into the deb cache (unless already there);
# prints the .deb path.
fetch_deb() {
	local pkg=$1 ver=$2 f
	f=$(find "$DEBS" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" -print -quit)
	if [ -z "$f" ]; then
		log "downloading $pkg $ver"
		# Sandbox user root: avoids apt's "_apt cannot access" notice.
		(cd "$DEBS" && apt-get download -qq -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) ||
			die "apt-get download $pkg=$ver failed"
		f=$(find "$DEBS" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" -print -quit)
		[ -n "$f" ] || die "downloaded $pkg but cannot find its .deb in $DEBS"
	fi
	printf '%s\n' "$f"
}

# Make sure the meta packages are known (fresh machine: no lists yet).
if [ -z "$(version_of linux-headers-amd64)" ]; then
	apt_update_once
	[ -n "$(version_of linux-headers-amd64)" ] || die "apt does not know linux-headers-amd64"
fi

# ---- one kernel lane ------------------------------------------------------
# Unpacks headers, headers-common, kbuild and the image's /boot into
# $VMS_CACHE/kernels/<image-pkg>_<version>/root and appends its variables.
MK_BODY=
setup_lane() {
	local lane=$1 hmeta=$2 imeta=$3
	local hpkg ipkg cpkg kpkg hver iver cver kver key dir root
	hpkg=$(dep_of "$hmeta" '^linux-headers-.*-amd64$')
	ipkg=$(dep_of "$imeta" '^linux-image-.*-amd64$')
	[[ -n $hpkg && -n $ipkg ]] || die "cannot resolve $hmeta / $imeta"
	cpkg=$(dep_of "$hpkg" '^linux-headers-.*-common$')
	kpkg=$(dep_of "$hpkg" '^linux-kbuild-')
	[[ -n $cpkg && -n $kpkg ]] || die "cannot resolve dependencies of $hpkg"
	hver=$(version_of "$hpkg") iver=$(version_of "$ipkg")
	cver=$(version_of "$cpkg") kver=$(version_of "$kpkg")

	key="${ipkg}_${iver//:/_}"
	[ "$hver" = "$iver" ] || key="${key}+h${hver//:/_}"
	dir=$VMS_CACHE/kernels/$key
	root=$dir/root
	if [ ! -f "$dir/.done" ]; then
		local hdeb cdeb kdeb ideb d
		hdeb=$(fetch_deb "$hpkg" "$hver")
		cdeb=$(fetch_deb "$cpkg" "$cver")
		kdeb=$(fetch_deb "$kpkg" "$kver")
		ideb=$(fetch_deb "$ipkg" "$iver")
		log "unpacking $key"
		rm -rf "$dir"
		mkdir -p "$root"
		for d in "$hdeb" "$cdeb" "$kdeb"; do
			dpkg-deb -x "$d" "$root"
		done
		# From the image only the kernel itself is needed (not the modules).
		dpkg-deb --fsys-tarfile "$ideb" | tar -x -C "$root" --wildcards './boot/vmlinuz-*'
		# The headers' top Makefile includes the -common tree by absolute
		# path under /usr/src: point it into the cache instead.
		sed -i "s|^include /usr/src/|include $root/usr/src/|" \
			"$root/usr/src/$hpkg/Makefile"
		touch "$dir/.done"
	fi

	local kdir vmlinuz krel
	kdir=$root/usr/src/$hpkg
	vmlinuz=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' -print -quit)
	[[ -n $vmlinuz && -f $kdir/Makefile ]] || die "incomplete unpack in $dir (remove it and retry)"
	krel=${vmlinuz##*/vmlinuz-}
	MK_BODY+="VMS_KDIR_$lane := $kdir
VMS_VMLINUZ_$lane := $vmlinuz
VMS_KREL_$lane := $krel
"
}

for l in "${LANES[@]}"; do
	# shellcheck disable=SC2086  # intentional word splitting of the lane spec
	setup_lane $l
done

# ---- kselftest headers and checkpatch from linux-source ---------------------
src_ver=$(version_of "$SRC_PKG")
[ -n "$src_ver" ] || die "apt does not know $SRC_PKG"
SRC_DIR=$VMS_CACHE/${SRC_PKG}_${src_ver//:/_}
# host/ (issue 10) builds against tools/lib/rbtree.c and tools/include: a
# cache unpacked before they were on the list below is unpacked again.
[ -f "$SRC_DIR/tools/lib/rbtree.c" ] || rm -f "$SRC_DIR/.done"
if [ ! -f "$SRC_DIR/.done" ]; then
	sdeb=$(fetch_deb "$SRC_PKG" "$src_ver")
	log "extracting selftest headers and checkpatch from $SRC_PKG $src_ver"
	rm -rf "$SRC_DIR"
	mkdir -p "$SRC_DIR"
	# The deb holds one big tarball; stream it and pick out only what we use.
	dpkg-deb --fsys-tarfile "$sdeb" |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		xz -dc |
		tar -x -C "$SRC_DIR" --strip-components=1 --wildcards \
			'*/tools/testing/selftests/kselftest.h' \
			'*/tools/testing/selftests/kselftest_harness.h' \
			'*/scripts/checkpatch.pl' \
			'*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' \
			'*/tools/lib/rbtree.c' \
			'*/tools/include/*'
	[[ -f $SRC_DIR/tools/testing/selftests/kselftest_harness.h &&
		-f $SRC_DIR/scripts/checkpatch.pl ]] || die "extraction from $SRC_PKG incomplete"
	touch "$SRC_DIR/.done"
fi
MK_BODY+="VMS_LINUX_SRC := $SRC_DIR
VMS_KSFT_INC := $SRC_DIR/tools/testing/selftests
VMS_CHECKPATCH := $SRC_DIR/scripts/checkpatch.pl
"

# Write atomically so a concurrent reader never sees half a file.
{
	echo "# Generated by scripts/deps.sh - do not edit."
	printf '%s' "$MK_BODY"
} >"$OUT_MK.tmp"
mv "$OUT_MK.tmp" "$OUT_MK"
apt_fingerprint >"$STAMP"
log "ready: $OUT_MK"
