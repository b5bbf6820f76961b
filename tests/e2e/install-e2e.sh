#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# install-e2e.sh [BUILDDIR [DEBSDIR]]: install and remove virt-proxyfs
# the two ways README.rst documents, and check that each installs what it
# should and that its removal leaves nothing behind:
#
#   1. the Debian package of DEBSDIR (default BUILDDIR/debs, from
#      './run debs') with 'apt-get install ./virt-proxyfs_*.deb' and
#      'apt-get purge virt-proxyfs', on a system where the users
#      virt-proxyfs and virt-proxyfs-qemu exist already (they stay);
#   2. 'meson install' of BUILDDIR (default build/), then 'ninja
#      uninstall', 'userdel' and 'rm -rf' of the run-time directories;
#   3. the Debian package again where the users do not exist: postinst
#      creates them and the purge removes them; the purge is refused while
#      a domain runs.
#
# All of it happens in a private root, never on the host: in new mount
# and PID namespaces, an overlay whose lower layer is a read-only,
# non-recursive bind of / and whose upper layer is a tmpfs, with a fresh
# /proc and /run, /dev and /sys bound in, entered with chroot. Whatever
# the installs and removals write lands in the upper layer, so comparing
# it with a snapshot taken before (tests/e2e/overlay-changes.py) finds
# every file, directory, user or group left behind, removed or changed.
# The host's /etc/passwd, /etc/group and their shadows are compared
# before and after. Needs root (exit 77, skipped, otherwise; an error
# under CI=true). .ci/run runs it after './run debs'.
# No 'set -e': every step is a check that reports and carries on.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sweep=$top/tests/e2e/overlay-changes.py
users=(virt-proxyfs virt-proxyfs-qemu)

check_prefix=install
# shellcheck source=e2e-check.sh
. "$top/tests/e2e/e2e-check.sh"
die() { echo "install-e2e: $*" >&2; exit 1; }

outer() {
    local build=${1:-$top/build} debs
    build=$(realpath "$build")
    debs=$(realpath "${2:-$build/debs}")
    if [ "$(id -u)" -ne 0 ]; then
        [ "${CI:-}" != true ] || die "needs root (CI runs as root)"
        echo "install-e2e: skipped: needs root (it installs packages in a private root)"
        exit 77
    fi
    grep -qw overlay /proc/filesystems || die "the kernel has no overlayfs"
    for prog in unshare chroot python3 apt-get dpkg-deb meson ninja; do
        command -v "$prog" >/dev/null || die "$prog is missing"
    done
    [ -f "$build/build.ninja" ] || die "$build is not a configured build directory (meson setup)"
    local -a found=("$debs"/virt-proxyfs_*.deb)
    [ ${#found[@]} -eq 1 ] && [ -f "${found[0]}" ] ||
        die "expected one virt-proxyfs_*.deb in $debs (./run debs)"

    local before after state rc=0
    before=$(sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow)
    state=$(mktemp -d /tmp/pfs-install-e2e.XXXXXX)
    unshare --mount --propagation private --pid --fork --kill-child \
        "$BASH" "${BASH_SOURCE[0]}" --inner "$state" "$build" "${found[0]}" || rc=$?
    rmdir "$state"
    after=$(sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow)
    if [ "$before" != "$after" ]; then
        echo "[  FAILED  ] install: the host's users and groups are unchanged"
        rc=1
    else
        echo "[       OK ] install: the host's users and groups are unchanged"
    fi
    exit $rc
}

# --- inside the namespaces ---------------------------------------------

in_root() {
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# An overlay of the mount that holds DIR at the same place in the root,
# unless / holds it (then the root's overlay has it already) or it is
# there already.
overlay_of() {
    local mnt n
    mnt=$(findmnt -n -o TARGET -T "$1")
    [ "$mnt" != / ] || return 0
    n=$state/$(printf '%s' "$mnt" | tr / _)
    [ ! -d "$n" ] || return 0
    mkdir -p "$n/lower" "$n/upper" "$n/work"
    mount --bind "$mnt" "$n/lower"
    mount -o remount,bind,ro "$n/lower"
    mount -t overlay overlay -o "lowerdir=$n/lower,upperdir=$n/upper,workdir=$n/work" "$root$mnt"
}

make_root() {
    mount -t tmpfs -o mode=0700 tmpfs "$state"
    lower=$state/lower
    upper=$state/upper
    root=$state/root
    mkdir "$lower" "$upper" "$state/work" "$root"
    mount --bind / "$lower"
    mount -o remount,bind,ro "$lower"
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$state/work" "$root"
    overlay_of "$top"
    overlay_of "$build"
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --bind /sys "$root/sys"
    mount -o remount,bind,ro "$root/sys"
    mount -t tmpfs -o mode=0755 tmpfs "$root/run"
    mkdir -m 1777 "$root/run/lock"
    # the package, where no snapshot looks
    mkdir -p "$root/tmp/pfs-install-e2e"
    mount -t tmpfs -o mode=0755 tmpfs "$root/tmp/pfs-install-e2e"
    cp "$deb" "$root/tmp/pfs-install-e2e/"
    deb_in_root=/tmp/pfs-install-e2e/$(basename "$deb")
}

check_isolated() {
    local canary=etc/pfs-install-e2e-canary.$$ errs=()
    [ "$(stat -f -c %T "$root/etc")" = overlayfs ] || errs+=("the root is no overlay")
    if touch "$lower/$canary" 2>/dev/null; then
        rm -f "$lower/$canary"
        errs+=("the lower layer is writable")
    fi
    echo x > "$root/$canary"
    [ -e "/$canary" ] && errs+=("a file written in the root appeared on the host")
    [ -e "$upper/$canary" ] || errs+=("a file written in the root is not in the upper layer")
    rm -f "$root/$canary"
    [ "$$" = 1 ] || errs+=("not in a new PID namespace (pid $$)")
    [ "$(ls "$root/run")" = lock ] || errs+=("/run is not private")
    check "the root is isolated from the host" ${#errs[@]} "${errs[@]+"${errs[@]}"}"
    [ ${#errs[@]} -eq 0 ] || exit 1
}

baseline() {
    python3 "$sweep" snapshot "$upper" "$root" "$state/baseline.json"
}

# Paths the package managers change by design. The package's own records
# (/var/lib/dpkg/info/virt-proxyfs.*) are not among them.
allowed=(
    # dpkg's and apt's databases, logs and caches
    /var/lib/dpkg/status /var/lib/dpkg/status-old /var/lib/dpkg/lock*
    '/var/lib/dpkg/triggers/*' /var/lib/dpkg/triggers
    /var/log/dpkg.log '/var/log/apt/*' /var/log/apt
    /var/lib/apt/extended_states '/var/cache/apt/*.bin'
    /var/cache/debconf/config.dat* /var/cache/debconf/templates.dat*
    # man-db's index, rebuilt by its trigger at install and purge
    '/var/cache/man/*'
    # shadow's copies of the previous /etc/passwd, group and shadows
    /etc/passwd- /etc/group- /etc/shadow- /etc/gshadow-
)

# sweep WHAT [GLOB...]: nothing differs from the baseline but the allowed
sweep() {
    local what=$1 out rc=0
    shift
    out=$(python3 "$sweep" compare "$upper" "$lower" "$root" "$state/baseline.json" \
        "${allowed[@]}" "$@") || rc=$?
    local -a lines=()
    [ -z "$out" ] || mapfile -t lines <<<"$out"
    if [ -n "${PFS_INSTALL_E2E_VERBOSE:-}" ]; then
        echo "  (changes the package managers make by design, allowed:)"
        python3 "$sweep" compare "$upper" "$lower" "$root" "$state/baseline.json" "$@" | shown
    fi
    check "$what leaves nothing behind" $rc "${lines[@]+"${lines[@]}"}"
}

# users_are present|absent
users_are() {
    local u errs=()
    for u in "${users[@]}"; do
        if [ "$1" = present ]; then
            in_root getent passwd "$u" >/dev/null || errs+=("no user $u")
            in_root getent group "$u" >/dev/null || errs+=("no group $u")
        else
            in_root getent passwd "$u" >/dev/null && errs+=("the user $u is left")
            in_root getent group "$u" >/dev/null && errs+=("the group $u is left")
        fi
    done
    check "the users and groups ${users[*]} are $1" ${#errs[@]} "${errs[@]+"${errs[@]}"}"
}

# show what a user sees of a command, indented
shown() { sed 's/^/  > /'; }

# What the package must have put in place, and that it works from there.
check_package_installed() {
    local errs=() f version out
    version=$(dpkg-deb -f "$deb" Version)
    for f in /usr/bin/virt-proxyfs /usr/lib/libvirt/virt-proxyfs-helper \
             /etc/libvirt/hooks/qemu.d/virt-proxyfs; do
        [ -f "$root$f" ] && [ ! -L "$root$f" ] && [ -x "$root$f" ] || errs+=("$f: not an executable file")
    done
    for f in /usr/share/virt-proxyfs/schemas/domain-proxyfs.rng \
             /usr/share/man/man1/virt-proxyfs.1.gz \
             /usr/share/man/man8/virt-proxyfs-helper.8.gz \
             /usr/share/doc/virt-proxyfs/README.rst.gz \
             /usr/share/doc/virt-proxyfs/libvirt-integration.rst.gz \
             /usr/share/doc/virt-proxyfs/copyright \
             /usr/share/doc/virt-proxyfs/examples/proxyfs-guest.xml \
             /usr/share/locale/de/LC_MESSAGES/virt-proxyfs.mo \
             /usr/lib/sysusers.d/virt-proxyfs.conf \
             /etc/virt-proxyfs/qemu.conf; do
        [ -f "$root$f" ] || errs+=("$f: missing")
    done
    check "the programs, hook, schema, manual page and documentation are in place" \
        ${#errs[@]} "${errs[@]+"${errs[@]}"}"

    out=$(in_root dpkg-query -W -f '${Conffiles}\n' virt-proxyfs | awk 'NF { print $1 }' | sort | tr '\n' ' ')
    [ "$out" = "/etc/libvirt/hooks/qemu.d/virt-proxyfs /etc/virt-proxyfs/qemu.conf " ]
    check "the configuration and the hook are conffiles" $? "conffiles: $out"

    out=$(in_root virt-proxyfs --version 2>&1; in_root /usr/lib/libvirt/virt-proxyfs-helper --version 2>&1)
    [ "$out" = "virt-proxyfs $version"$'\n'"virt-proxyfs-helper $version" ]
    check "virt-proxyfs --version and virt-proxyfs-helper --version say $version" $? "$out"

    out=$(in_root virt-proxyfs validate /usr/share/doc/virt-proxyfs/examples/proxyfs-guest.xml 2>&1) &&
        grep -q 'proxyfs-guest.xml validates' <<<"$out"
    check "virt-proxyfs validate the example against the installed schema" $? "$out"
    out=$(in_root virt-proxyfs domxml-to-native /usr/share/doc/virt-proxyfs/examples/proxyfs-guest.xml 2>&1) &&
        grep -q -- '-fsdev proxy,id=fsdev-fs0,sock_fd=' <<<"$out"
    check "virt-proxyfs domxml-to-native the example" $? "$out"

    # the default helper of virt-proxyfs and the hook is the installed one
    f=$(sed -n 's/^#helper = "\(.*\)"$/\1/p' "$root/etc/virt-proxyfs/qemu.conf")
    [ "$f" = /usr/lib/libvirt/virt-proxyfs-helper ] &&
        grep -q "$f" "$root/usr/bin/virt-proxyfs" && grep -q "$f" "$root/etc/libvirt/hooks/qemu.d/virt-proxyfs"
    check "the default helper is /usr/lib/libvirt/virt-proxyfs-helper, where the patched libvirt looks" $? \
        "qemu.conf: $f"

    if [ -x "$root/usr/bin/man" ]; then
        out=$(in_root man -w virt-proxyfs virt-proxyfs-helper 2>&1)
        [ "$out" = /usr/share/man/man1/virt-proxyfs.1.gz$'\n'/usr/share/man/man8/virt-proxyfs-helper.8.gz ]
        check "man finds virt-proxyfs(1) and virt-proxyfs-helper(8)" $? "$out"
    else
        # no man-db here: the pages are at least manual pages
        out=$(zcat "$root/usr/share/man/man1/virt-proxyfs.1.gz" \
            "$root/usr/share/man/man8/virt-proxyfs-helper.8.gz" | grep -c '^\.TH ')
        [ "$out" = 2 ]
        check "virt-proxyfs(1) and virt-proxyfs-helper(8) are manual pages (man-db is not installed)" $? "$out"
    fi

    # libvirt runs the hook for every domain: one without proxy shares
    out=$(echo "<domain type='kvm'><name>plain</name></domain>" |
        in_root /etc/libvirt/hooks/qemu.d/virt-proxyfs plain prepare begin - 2>&1) &&
        [ ! -e "$root/run/virt-proxyfs" ]
    check "the hook lets a domain without proxy shares start, touching nothing" $? "$out"
    hook_starts_helper
}

# The hook as libvirt runs it around a domain with a proxy share (as
# 'virt-proxyfs define' writes it): at 'prepare' a confined helper from
# the installed path listens on the share's socket; at 'release' it is
# stopped and its directory gone. The sockets go to virt-proxyfs-qemu
# (libvirt's libvirt-qemu may not exist here). The hook insists on the
# socket path under its localstatedir, /var/run.
hook_starts_helper() {
    local conf=$root/etc/virt-proxyfs/qemu.conf dir=/run/virt-proxyfs/libvirt/pfstest out errs=()
    local xml="<domain type='kvm'><name>pfstest</name><metadata><pfs:proxyfs xmlns:pfs='https://virt-proxyfs.org/xmlns/libvirt/1'><pfs:share alias='fs0' source='/tmp/pfs-install-e2e' target='share' readonly='no' socket='/var$dir/fs0.sock'/></pfs:proxyfs></metadata></domain>"
    cp "$conf" "$state/qemu.conf"
    printf 'libvirt_user = "virt-proxyfs-qemu"\nlibvirt_group = "virt-proxyfs-qemu"\n' >> "$conf"
    out=$(in_root /etc/libvirt/hooks/qemu.d/virt-proxyfs pfstest prepare begin - <<<"$xml" 2>&1) ||
        errs+=("prepare: $out")
    [ -S "$root$dir/fs0.sock" ] || errs+=("no socket $dir/fs0.sock")
    in_root pgrep -x -f "/usr/lib/libvirt/virt-proxyfs-helper .*/var$dir/fs0.sock.*" >/dev/null ||
        errs+=("no helper from /usr/lib/libvirt runs: $(in_root pgrep -a virt-proxyfs)")
    out=$(in_root /etc/libvirt/hooks/qemu.d/virt-proxyfs pfstest release end - </dev/null 2>&1) ||
        errs+=("release: $out")
    [ ! -e "$root$dir" ] || errs+=("$dir is left")
    in_root pgrep virt-proxyfs >/dev/null && errs+=("a helper still runs: $(in_root pgrep -a virt-proxyfs)")
    cp "$state/qemu.conf" "$conf"
    check "the hook starts the installed helper for a proxy share, and stops it" \
        ${#errs[@]} "${errs[@]+"${errs[@]}"}"
}

# What the programs create when they run (docs/qemu-driver.rst,
# docs/libvirt-integration.rst), for the purge to remove.
simulate_runtime() {
    mkdir -p -m 0700 "$root/var/log/virt-proxyfs/qemu" "$root/var/log/virt-proxyfs/libvirt" \
        "$root/run/virt-proxyfs/qemu"
    mkdir -p -m 0755 "$root/run/virt-proxyfs/libvirt"
    echo "QEMU's output" > "$root/var/log/virt-proxyfs/qemu/guest.log"
    echo "the helper's output" > "$root/var/log/virt-proxyfs/libvirt/guest-fs0.log"
    in_root install -d -m 0755 /var/lib/virt-proxyfs/qemu
    in_root install -d -m 0700 -o virt-proxyfs-qemu -g virt-proxyfs-qemu \
        /var/lib/virt-proxyfs/qemu/domain-guest
}

# purge_package: 'apt-get purge', then nothing of the package is left
purge_package() {
    local out errs=() f
    out=$(in_root apt-get purge -y -q virt-proxyfs 2>&1)
    check "apt-get purge virt-proxyfs" $? "$out"
    f=$(in_root dpkg-query -W -f '${db:Status-Status}' virt-proxyfs 2>/dev/null)
    [ -z "$f" ] || [ "$f" = not-installed ] || errs+=("dpkg says the package is $f")
    # every path of the package: gone, unless it was there before
    while read -r f; do
        if [ -e "$root$f" ] || [ -L "$root$f" ]; then
            grep -qxF "$f" "$state/existed" || errs+=("$f is left")
        fi
    done < "$state/contents"
    for f in /var/lib/virt-proxyfs /var/log/virt-proxyfs /run/virt-proxyfs; do
        [ ! -e "$root$f" ] || errs+=("$f is left")
    done
    compgen -G "$root/var/lib/dpkg/info/virt-proxyfs.*" >/dev/null && errs+=("dpkg's records of the package are left")
    check "no path of the package and no run-time directory is left" ${#errs[@]} "${errs[@]+"${errs[@]}"}"
}

# The package's paths, and which of them exist before it is installed.
list_contents() {
    dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\./|/|' -e 's|/$||' | grep -v '^\.\?$' \
        > "$state/contents"
    : > "$state/existed"
    while read -r f; do
        if [ -e "$root$f" ] || [ -L "$root$f" ]; then echo "$f" >> "$state/existed"; fi
    done < "$state/contents"
}

install_package() {
    local out
    list_contents
    out=$(in_root apt-get install -y -q "$deb_in_root" 2>&1)
    check "apt-get install ./$(basename "$deb")" $? "$out"
}

# 1: the package where the users exist already
package_with_users() {
    echo "--- the Debian package, the users existing already"
    baseline
    install_package
    check_package_installed
    [ ! -s "$root/var/lib/virt-proxyfs/package-users" ]
    check "postinst took the existing users as they are" $? \
        "$(cat "$root/var/lib/virt-proxyfs/package-users" 2>&1)"
    simulate_runtime
    purge_package
    users_are present
    sweep "the purge"
}

# 2: meson install, and the removal README.rst describes
meson_way() {
    echo "--- meson install and ninja uninstall ($build)"
    local prefix localstatedir out
    prefix=$(meson introspect --buildoptions "$build" |
        python3 -c 'import json,sys; o={x["name"]: x["value"] for x in json.load(sys.stdin)}; print(o["prefix"]); print(o["localstatedir"])')
    localstatedir=$(sed -n 2p <<<"$prefix")
    prefix=$(sed -n 1p <<<"$prefix")
    case $localstatedir in /*) ;; *) localstatedir=$prefix/$localstatedir ;; esac
    baseline
    out=$(in_root meson install -C "$build" --no-rebuild 2>&1)
    check "meson install -C $build" $? "$(tail -n 20 <<<"$out")"
    [ -x "$root$prefix/bin/virt-proxyfs" ] && [ -x "$root/etc/libvirt/hooks/qemu.d/virt-proxyfs" ]
    check "meson install put virt-proxyfs and the hook in place" $?
    users_are present
    out=$(in_root ninja -C "$build" uninstall 2>&1) &&
        in_root userdel virt-proxyfs && in_root userdel virt-proxyfs-qemu &&
        in_root rm -rf "$localstatedir/run/virt-proxyfs" "$localstatedir/log/virt-proxyfs" \
            "$localstatedir/lib/virt-proxyfs"
    check "ninja uninstall, userdel and rm -rf of the run-time directories" $? "$(tail -n 20 <<<"$out")"
    users_are absent
    # ninja and meson keep their records in the build directory
    sweep "the uninstallation" "$build/*"
}

# 3: the package creates the users, and its purge removes them
package_without_users() {
    echo "--- the Debian package, without the users"
    local out u
    baseline
    install_package
    check_package_installed
    users_are present
    local errs=()
    for u in "${users[@]}"; do
        out=$(in_root getent passwd "$u")
        IFS=: read -r _ _ uid _ _ home shell <<<"$out"
        [ "$uid" -lt 1000 ] && [ "$home" = /nonexistent ] && [ "$shell" = /usr/sbin/nologin ] ||
            errs+=("$out")
    done
    check "postinst made them system users without home or shell" ${#errs[@]} "${errs[@]+"${errs[@]}"}"
    out=$(cat "$root/var/lib/virt-proxyfs/package-users")
    [ "$(sort <<<"$out" | tr '\n' ' ')" = "group virt-proxyfs group virt-proxyfs-qemu user virt-proxyfs user virt-proxyfs-qemu " ]
    check "postinst recorded the users and groups it created" $? "$out"
    local owned=$out
    out=$(in_root dpkg-reconfigure virt-proxyfs 2>&1) &&
        [ "$(cat "$root/var/lib/virt-proxyfs/package-users")" = "$owned" ] &&
        in_root getent passwd "${users[@]}" >/dev/null
    check "configuring the package again changes nothing" $? "$out"
    simulate_runtime
    # a domain runs: the removal must be refused, the package left whole
    mkdir -p "$root/run/virt-proxyfs/qemu/guest"
    out=$(in_root apt-get purge -y -q virt-proxyfs 2>&1)
    local rc=$?
    [ $rc -ne 0 ] && grep -q "domains with proxy shares still run" <<<"$out" &&
        in_root dpkg-query -W -f '${db:Status-Abbrev}' virt-proxyfs | grep -q '^ii' &&
        [ -x "$root/usr/lib/libvirt/virt-proxyfs-helper" ]
    check "the purge is refused while a domain runs, naming it" $? "exit status $rc" "$out"
    grep -E 'virt-proxyfs|guest' <<<"$out" | shown
    rmdir "$root/run/virt-proxyfs/qemu/guest"
    purge_package
    users_are absent
    sweep "the purge"
}

inner() {
    state=$1
    build=$2
    deb=$3
    set -e
    make_root
    set +e
    check_isolated
    # normally there already, from ./run
    in_root "$top/build-aux/create-user.sh" >/dev/null
    package_with_users
    # the host's users are in the lower layer: remove them in the root
    in_root userdel virt-proxyfs
    in_root userdel virt-proxyfs-qemu
    users_are absent
    meson_way
    package_without_users
    echo "install-e2e: $failures failed"
    [ "$failures" -eq 0 ]
}

if [ "${1:-}" = --inner ]; then
    shift
    inner "$@"
else
    outer "$@"
fi
