#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libvirt-e2e.sh [--keep] [--quiet]: a proxy share through a stock
# libvirtd (Debian's libvirt 9.0), with libvirt's own tools.
#
# As root, in a private mount and PID namespace (nothing of the host's
# /etc, /run or /var changes, and whatever is left running dies with the
# namespace), it starts libvirtd without systemd on private
# /etc/libvirt, /run/libvirt and /var/{lib,log,cache}/libvirt, with
# QEMU as an unprivileged user and our hook in hooks/qemu.d/; our own
# configuration and the hook's run and log directories are private too
# (overlays). Then:
#   - 'virt-proxyfs define' a domain whose 'share' has
#     <driver type='proxy'/> (plus a 'squash' control share): a kernel
#     boot of the e2e kit (tests/e2e/build-guest.sh) running the fileops
#     suite, which powers the guest off;
#   - 'virsh start', wait for 'shut off', and the checks of try-boot.sh:
#     the guest's verdict, check-host.py, the sentinel and its secret,
#     QEMU's uid, the helper's confinement while it ran, that it served,
#     the socket directory (root's, 0710, QEMU's group), that the helper
#     removed the socket once QEMU connected, and that the hook removed
#     it at release;
#   - a domain whose share has no source directory: 'virsh start' fails
#     with the helper's reason and leaves nothing behind;
#   - a share with the target 'données' and a non-transitional model:
#     QEMU accepts the arguments the bridge wrote and runs;
#   - libvirtd stops and nothing is left running.
# Each check prints a cmocka-style line, counted by
# build-aux/test-summary.py. Exits 0 only if every check passed; 77 when
# not root (or libvirt is missing) unless CI=true.
#
# Environment: PFS_BUILDDIR (default build/), PFS_E2E_OUTDIR (the kit,
# default build/e2e-guest), PFS_E2E_QEMU_USER (default
# virt-proxyfs-qemu), PFS_E2E_TIMEOUT (seconds for the guest, default
# 300), PFS_E2E_SUITE (default fileops), PYTHON (python3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
e2e_name=libvirt-e2e
skip_prefix="libvirt e2e"
# shellcheck source=libvirt-e2e-lib.sh
. "$here/libvirt-e2e-lib.sh"
tool=${PFS_TOOL:-$build/tools/virt-proxyfs}
hook=${PFS_HOOK:-$build/tools/virt-proxyfs-hook}
suite=${PFS_E2E_SUITE:-fileops}
name=pfs-libvirt-e2e
badname=pfs-libvirt-e2e-nosource
utf8=pfs-libvirt-e2e-utf8
noqemu=pfs-libvirt-e2e-noqemu

# -- outside the namespace ---------------------------------------------

outer() {
    [ "$(id -u)" -eq 0 ] || skip "needs root"
    local prog
    for prog in libvirtd virsh qemu-system-x86_64 unshare "$python"; do
        command -v "$prog" >/dev/null ||
            skip "$prog missing (packages: libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86)"
    done
    [ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] ||
        skip "libvirt's QEMU driver missing (package libvirt-daemon-driver-qemu)"
    grep -qw overlay /proc/filesystems || skip "the kernel has no overlayfs"
    for prog in "$tool" "$hook" "$helper"; do
        [ -x "$prog" ] || { echo "libvirt-e2e: no $prog: build first (ninja -C build)" >&2; exit 1; }
    done
    grep -q '^  define FILE' <<< "$("$tool" --help 2>&1)" ||
        { echo "libvirt-e2e: $tool has no 'define'" >&2; exit 1; }

    # the project's own users only (the helper's, QEMU's); never one a
    # Debian package owns: libvirt-qemu, which libvirt 9.0 looks up even
    # when qemu.conf names another user (guest-e2e-recipe.md, pitfall
    # 15), is given to libvirtd in its namespace only
    # (private_libvirt_qemu)
    "$top/build-aux/create-user.sh" >/dev/null
    getent passwd "$qemu_user" >/dev/null || skip "no user $qemu_user (PFS_E2E_QEMU_USER)"

    run_namespace pfs-libvirt-e2e yes
}

# -- inside the namespace (we are its init) -----------------------------

# the hook's pid file of the helper of domain $1's share (once defined)
helper_pidfile() {
    printf '%s/%s/%s.pid' "$rundir" "$1" "$alias"
}

inner() {
    local quiet=$PFS_E2E_QUIET
    inner_dirs

    local sysconfdir localstatedir rundir logdir
    sysconfdir=$(config_value PFS_SYSCONFDIR)
    localstatedir=$(config_value PFS_LOCALSTATEDIR)
    rundir=$localstatedir/run/virt-proxyfs/libvirt
    logdir=$localstatedir/log/virt-proxyfs/libvirt

    # libvirt's directories, then ours (the hook creates what it needs)
    private_libvirt
    private_dirs overlay "$localstatedir/run/virt-proxyfs" "$localstatedir/log/virt-proxyfs" \
        "$sysconfdir/virt-proxyfs"
    mkdir -p "$sysconfdir/virt-proxyfs"
    cat > "$sysconfdir/virt-proxyfs/qemu.conf" <<EOF
# libvirt-e2e.sh: the helper of the build tree; QEMU's user comes from
# libvirt's qemu.conf
helper = "$helper"
EOF
    # shellcheck disable=SC2119 # no lines of ours
    libvirt_qemu_conf
    mkdir -p /etc/libvirt/hooks/qemu.d
    install -m 0755 "$hook" /etc/libvirt/hooks/qemu.d/virt-proxyfs

    prepare_world

    # shellcheck source=/dev/null
    . "$outdir/kit.env"
    append="$PFS_E2E_APPEND pfs.mounts=share:/mnt/share,ctl:/mnt/ctl pfs.suite=$suite"
    domain_xml "$name" "$export" yes > "$run/$name.xml"
    domain_xml "$badname" "$host/no-such-dir" no > "$run/$badname.xml"
    domain_xml "$noqemu" "$export" no -no-such-option > "$run/$noqemu.xml"
    domain_xml "$utf8" "$export" no |
        sed -e "s|<target dir='share'/>|<target dir='données'/>|" \
            -e "s|accessmode='passthrough'>|accessmode='passthrough' model='virtio-non-transitional'>|" \
            > "$run/$utf8.xml"
    : > "$run/console-$name.log"
    : > "$run/console-$utf8.log"
    chown "$qemu_user:" "$run/console-$name.log" "$run/console-$utf8.log"

    # libvirtd, without systemd
    check_libvirtd_start "libvirtd starts with the hook installed" || return 1

    # define, and what the hook will read
    local t ok out alias socket hint=
    t=$(now)
    ok=0
    out=$("$tool" define "$run/$name.xml" --connect "$uri" 2>&1) || ok=1
    local info=
    if [ $ok = 0 ]; then
        info=$(virsh -c "$uri" dumpxml "$name" | "$python" -c '
import sys, xml.etree.ElementTree as ET
ns = {"pfs": "https://virt-proxyfs.org/xmlns/libvirt/1"}
shares = ET.parse(sys.stdin).getroot().findall("./metadata/pfs:proxyfs/pfs:share", ns)
for s in shares:
    print(s.get("alias"), s.get("socket"), s.get("target"), s.get("readonly"))
') || ok=1
        read -r alias socket _ _ <<< "$info"
        [ "$(printf '%s\n' "$info" | wc -l)" = 1 ] || ok=1
        [ "${socket:-}" = "$rundir/$name/$alias.sock" ] || ok=1
        # libvirt keeps the hint for 'virsh edit'
        hint=$(virsh -c "$uri" dumpxml "$name" | sed -n '/<metadata>/,/<\/metadata>/p' | cut -c1-160)
        grep -qF "<!-- Proxy shares of virt-proxyfs. Change them with 'virt-proxyfs edit $name'" <<< "$hint" ||
            ok=1
    fi
    check "virt-proxyfs define ($(since "$t") s): one share, socket in the hook's directory, the hint for virsh edit" $ok \
        "$out" "metadata: $info" "expected socket $rundir/$name/${alias:-?}.sock" "$hint"
    [ $ok = 0 ] || return 1
    local sockdir=$rundir/$name

    # the run: the watcher records identities, answers swap requests
    local watcher
    start_watcher --socket-dir "$sockdir" --socket "$socket"

    local t_start start_s
    t_start=$(now)
    ok=0
    out=$(virsh -c "$uri" start "$name" 2>&1) || ok=1
    start_s=$(since "$t_start")
    check "virsh start ($start_s s)" $ok "$out"

    local console=$run/console-$name.log
    if [ $ok = 0 ]; then
        check_libvirtd_restart kept
    fi

    local st wall
    wait_guest $ok "$t_start"

    # the guest's verdict (through the restart), and what it did
    check_guest_run "$suite" "$st" "$wall"

    check_guest_effects yes

    check_helper_served "$logdir/$name-$alias.log" no

    # release: the hook removed the socket directory; no helper runs
    ok=1
    for _ in $(seq 100); do
        if [ ! -e "$sockdir" ] && ! pgrep -f "virt-proxyfs-helper.*$sockdir" >/dev/null; then
            ok=0
            break
        fi
        sleep 0.1
    done
    check "the hook removed $sockdir at release; no helper left" $ok \
        "$(ls -la "$sockdir" 2>&1)" "$(pgrep -af virt-proxyfs-helper)"

    # a share whose source does not exist: the start fails with the
    # helper's reason, and nothing is left behind
    ok=0
    out=$("$tool" define "$run/$badname.xml" --connect "$uri" 2>&1) || ok=1
    case $out in
        *"warning: the source directory '$host/no-such-dir' of filesystem 'share': No such file or directory"*) ;;
        *) ok=1 ;;
    esac
    local err=
    if [ $ok = 0 ]; then
        start_fails "$badname" "*filesystem 'share' could not start*$host/no-such-dir*" || ok=1
    fi
    [ ! -e "$rundir/$badname" ] || ok=1
    ! pgrep -f virt-proxyfs-helper >/dev/null || ok=1
    check "a share without source: virsh start fails with the helper's reason, nothing left" $ok \
        "$out" "virsh start: $err" "$(ls -la "$rundir" 2>&1)" "$(pgrep -af virt-proxyfs-helper)"
    say "virsh start of $badname said: $err"

    # QEMU that never connects (it refuses its command line): the start
    # fails after the hook, and at release the hook stops the helper
    # that still waits, which removes its socket
    ok=0
    out=$("$tool" define "$run/$noqemu.xml" --connect "$uri" 2>&1) || ok=1
    err=
    if [ $ok = 0 ]; then
        if err=$(virsh -c "$uri" start "$noqemu" 2>&1); then
            ok=1
        fi
        case $err in
            *no-such-option*) ;;
            *) ok=1 ;;
        esac
    fi
    local nlog=$logdir/$noqemu-$alias.log
    grep -q "waiting for a connection" "$nlog" 2>/dev/null || ok=1
    grep -q "stopped by signal 15 before a client connected" "$nlog" 2>/dev/null || ok=1
    [ ! -e "$rundir/$noqemu" ] || ok=1
    ! pgrep -f virt-proxyfs-helper >/dev/null || ok=1
    check "QEMU never connects: the start fails, the hook stops the waiting helper, nothing left" $ok \
        "$out" "virsh start: $err" "helper log: $(cat "$nlog" 2>&1)" "$(ls -la "$rundir" 2>&1)" \
        "$(pgrep -af virt-proxyfs-helper)"

    # letters beyond ASCII in the mount tag and a non-transitional model:
    # QEMU runs with the arguments the bridge wrote (it once wrote the
    # tag as invalid JSON, and dropped the model)
    ok=0
    out=$("$tool" define "$run/$utf8.xml" --connect "$uri" 2>&1) || ok=1
    err=
    local qpid args=
    if [ $ok = 0 ]; then
        err=$(virsh -c "$uri" start "$utf8" 2>&1) || ok=1
        qpid=$(pgrep -f "guest=$utf8," | head -n 1 || true)
        if [ -n "$qpid" ]; then
            args=$(tr '\0' '\n' < "/proc/$qpid/cmdline" 2>/dev/null || true)
        fi
        grep -qF '"mount_tag":"données"' <<<"$args" || ok=1
        grep -qF '"driver":"virtio-9p-pci-non-transitional"' <<<"$args" || ok=1
        # the guest may have powered off already
        virsh -c "$uri" destroy "$utf8" >/dev/null 2>&1 || true
        for _ in $(seq 100); do
            [ -e "$rundir/$utf8" ] || break
            sleep 0.1
        done
    fi
    [ ! -e "$rundir/$utf8" ] || ok=1
    ! pgrep -f virt-proxyfs-helper >/dev/null || ok=1
    check "target 'données', model virtio-non-transitional: QEMU runs with the bridge's arguments" $ok \
        "$out" "virsh start: $err" "QEMU's -device: $(grep -F mount_tag <<<"$args")" \
        "$(tail -n 3 "$state/libvirtd.log" 2>/dev/null)" "$(pgrep -af virt-proxyfs-helper)"

    check_libvirtd_stopped

    say "virsh start ${start_s} s; start to shut off ${wall} s"
    [ "$failures" = 0 ]
}

e2e_main libvirt-e2e.sh "$@"
