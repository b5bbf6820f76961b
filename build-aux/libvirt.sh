#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libvirt.sh [STEP...]: Debian 12's libvirt 9.0 with our patch series
# (libvirt/patches/*.patch), called by './run libvirt'. Steps, in order
# (default: all but debs):
#   fetch      the source package libvirt=$LIBVIRT_VERSION with apt-get
#              source through a private apt configuration (deb-src lines
#              derived from the system's sources; nothing under /etc/apt
#              is written), cached in build/libvirt-dl/
#   source     dpkg-source -x (checks the .dsc's hashes, applies Debian's
#              patches), then our series; synced into build/libvirt-src/
#              so that only what a patch changed is rebuilt
#   configure  meson, QEMU driver only, Debian's paths, in build/libvirt/
#   build      ninja -j2
#   test       qemuxml2argvtest, qemuxml2xmltest, virschematest
#   debs       patched Debian packages into build/libvirt-debs/ (not in
#              'all': about 13 minutes on 2 cores)
# Each step prints its wall time. Environment: BUILDDIR (default build/).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${BUILDDIR:-$top/build}
version=9.0.0-4+deb12u2
upstream=9.0.0
dl=$builddir/libvirt-dl
aptdir=$builddir/libvirt-apt
srcdir=$builddir/libvirt-src
lvbuild=$builddir/libvirt
debsdir=$builddir/libvirt-debs
patches=$top/libvirt/patches
dsc=$dl/libvirt_$version.dsc

say() { printf '==> libvirt: %s\n' "$*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The private apt configuration: its own sources.list, lists and cache.
apt_private() {
    apt-get -q \
        -o Dir::Etc::SourceList="$aptdir/sources.list" \
        -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::State="$aptdir/state" \
        -o Dir::State::Lists="$aptdir/lists" \
        -o Dir::State::status=/var/lib/dpkg/status \
        -o Dir::Cache="$aptdir/cache" \
        "$@"
}

step_fetch() {
    if [ -f "$dsc" ] && [ -f "$dl/libvirt_$upstream.orig.tar.xz" ] &&
       [ -f "$dl/libvirt_$version.debian.tar.xz" ]; then
        say "source package $version already in $dl"
        return
    fi
    local codename
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || { echo "libvirt.sh: no VERSION_CODENAME in /etc/os-release" >&2; exit 1; }
    mkdir -p "$aptdir/state" "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$dl"
    python3 "$top/build-aux/libvirt-apt-sources.py" "$codename" > "$aptdir/sources.list"
    say "private apt sources ($aptdir/sources.list):"
    sed -e '/^#/d' -e 's/^/      /' "$aptdir/sources.list"
    apt_private update
    # apt checks each file against the signed Sources index; download into
    # a scratch directory so that a partial download never looks complete
    local tmp=$dl/.download
    rm -rf "$tmp"
    mkdir -p "$tmp"
    (cd "$tmp" && apt_private source --download-only "libvirt=$version")
    mv "$tmp"/libvirt_* "$dl"/
    rmdir "$tmp"
}

series_hash() {
    {
        echo "$version"
        cat "$patches"/*.patch 2>/dev/null || true
    } | sha256sum | cut -d' ' -f1
}

step_source() {
    local stamp=$srcdir/.pfs-series hash
    hash=$(series_hash)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
        say "$srcdir is up to date with the series"
        return
    fi
    local new=$builddir/libvirt-src.new p
    rm -rf "$new"
    # verifies the .dsc's checksums of every file (and its signature when
    # a Debian keyring is installed), applies debian/patches
    dpkg-source -x "$dsc" "$new"
    for p in "$patches"/*.patch; do
        [ -e "$p" ] || continue
        say "applying $(basename "$p")"
        patch -d "$new" -p1 --forward --batch --quiet --no-backup-if-mismatch < "$p"
    done
    python3 "$top/build-aux/sync-tree.py" "$new" "$srcdir"
    rm -rf "$new"
    echo "$hash" > "$stamp"
}

# Only the QEMU driver (with libvirtd, the remote driver and the test
# driver, without which virsh's tests fail), with Debian's paths, so that
# the daemon can stand in for Debian's.
configure_args=(
    --prefix=/usr --sysconfdir=/etc --localstatedir=/var
    --libexecdir=/usr/lib/libvirt -Drunstatedir=/run
    --buildtype=debugoptimized
    -Dqemu_user=libvirt-qemu -Dqemu_group=libvirt-qemu
    -Dqemu_moddir=/usr/lib/x86_64-linux-gnu/qemu -Dqemu_datadir=/usr/share/qemu
    -Ddocs=disabled -Dtests=enabled -Dexpensive_tests=disabled -Dnls=disabled
    -Ddriver_qemu=enabled -Ddriver_libvirtd=enabled -Ddriver_remote=enabled
    -Dremote_default_mode=legacy -Ddriver_test=enabled
    -Ddriver_bhyve=disabled -Ddriver_esx=disabled -Ddriver_hyperv=disabled
    -Ddriver_interface=disabled -Ddriver_libxl=disabled -Ddriver_lxc=disabled
    -Ddriver_ch=disabled -Ddriver_network=disabled -Ddriver_openvz=disabled
    -Ddriver_secrets=disabled -Ddriver_vbox=disabled -Ddriver_vmware=disabled
    -Ddriver_vz=disabled
    -Dstorage_dir=disabled -Dstorage_disk=disabled -Dstorage_fs=disabled
    -Dstorage_gluster=disabled -Dstorage_iscsi=disabled -Dstorage_iscsi_direct=disabled
    -Dstorage_lvm=disabled -Dstorage_mpath=disabled -Dstorage_rbd=disabled
    -Dstorage_scsi=disabled -Dstorage_vstorage=disabled -Dstorage_zfs=disabled
    -Dglusterfs=disabled -Dlibiscsi=disabled -Dnetcf=disabled -Dopenwsman=disabled
    -Dpolkit=disabled -Dsanlock=disabled -Dwireshark_dissector=disabled -Dnss=disabled
    -Dlogin_shell=disabled -Dfirewalld=disabled -Dfirewalld_zone=disabled
    -Ddtrace=disabled -Dnumad=disabled -Dhost_validate=disabled
    -Dbash_completion=disabled -Dlibssh=disabled -Dlibssh2=disabled -Dcurl=disabled
    -Dsasl=disabled -Dfuse=disabled -Dlibpcap=disabled -Dselinux=disabled
    -Dsecdriver_selinux=disabled -Dudev=disabled -Dpciaccess=disabled
    -Dapparmor_profiles=disabled -Dsysctl_config=disabled
    -Dapparmor=enabled -Dsecdriver_apparmor=enabled -Dcapng=enabled -Dyajl=enabled
    -Dinit_script=none
    # everything not named above is off, whatever this machine happens to
    # have installed: the build and its tests are the same on a fresh
    # Debian 12 with only libvirt/build-deps.txt as on a developer's
    -Dauto_features=disabled
)

step_configure() {
    local stamp=$lvbuild/.pfs-configure-args
    if [ -f "$lvbuild/build.ninja" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${configure_args[*]}" ]; then
        say "$lvbuild already configured"
        return
    fi
    # new, or configured with other arguments: from scratch
    [ ! -d "$lvbuild" ] || { say "configuring $lvbuild again (new arguments)"; rm -rf "$lvbuild"; }
    meson setup "$lvbuild" "$srcdir" "${configure_args[@]}"
    printf '%s' "${configure_args[*]}" > "$stamp"
}

step_build() {
    nice -n 10 ninja -C "$lvbuild" -j "${PFS_LIBVIRT_JOBS:-2}"
}

# the three the series adds cases to, and the capabilities it changes
libvirt_tests=(qemuxml2argvtest qemuxml2xmltest virschematest qemucapabilitiestest)

step_test() {
    [ -r /proc/self/status ] || { echo "libvirt.sh: libvirt's tests need /proc" >&2; exit 1; }
    meson test -C "$lvbuild" --no-rebuild --print-errorlogs "${libvirt_tests[@]}"
    # qemu.conf's augeas lens against its test, as libvirt's
    # check-augeas-libvirtd_qemu does (that one exists only when augparse
    # was there when the tree was configured)
    augparse -I "$srcdir/src/qemu" -I "$lvbuild/src/qemu" -I "$srcdir/src" -I "$lvbuild/src" \
        "$lvbuild/src/test_libvirtd_qemu.aug"
    say "augeas lens of qemu.conf: OK"
}

step_debs() {
    "$top/build-aux/libvirt-debs.sh" "$dsc" "$debsdir"
}

timed() {
    local t
    t=$(now)
    "step_$1"
    say "step $1: $(since "$t") s"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(fetch source configure build test)
for s in "${steps[@]}"; do
    case $s in
        fetch|source|configure|build|test) timed "$s" ;;
        debs) timed fetch; timed debs ;;
        *) echo "usage: libvirt.sh [fetch|source|configure|build|test|debs]..." >&2; exit 2 ;;
    esac
done
