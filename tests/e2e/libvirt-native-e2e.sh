#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libvirt-native-e2e.sh [--keep] [--quiet]: a proxy share run by libvirt
# itself, with our patch series (libvirt/patches, built by ./run libvirt).
#
# As root, in a private mount and PID namespace (nothing of the host's
# /etc, /run or /var changes; whatever is left running dies with the
# namespace), it starts the patched libvirtd from its build tree without
# systemd on private /etc/libvirt, /run/libvirt and
# /var/{lib,log,cache}/libvirt, with QEMU as virt-proxyfs-qemu and our
# helper as qemu.conf's proxyfs_helper. Then, with plain virsh:
#   - 'virsh define' of the e2e guest (tests/e2e/build-guest.sh) whose
#     'share' has <driver type='proxy'/>; 'virsh dumpxml' keeps it;
#     'virsh domxml-to-native' shows its -fsdev with sock_fd=-1;
#   - 'virsh start', libvirtd restarted while the guest works (the helper
#     stays tracked), the guest's fileops suite, check-host.py, the
#     sentinel, QEMU's identity, the helper's confinement and log, and no
#     helper left once the guest powered off;
#   - 'virsh destroy' of a running guest leaves no helper;
#   - the helper killed while the guest works (suite helperdeath): the
#     guest gets I/O errors, the domain's log says why, and the domain is
#     destroyed cleanly;
#   - a share without source: 'virsh start' fails with the helper's
#     reason and leaves nothing behind;
#   - libvirtd stops and nothing is left running.
# Each check prints a cmocka-style line. Exits 0 only if every check
# passed; 77 when not root or libvirt was not built, unless CI=true.
# Without the user libvirt-qemu on the host, the namespace gets a private
# /etc/passwd naming it (libvirt 9.0 insists on it).
#
# Environment: PFS_BUILDDIR (default build/), PFS_LIBVIRT_BUILDDIR
# (default build/libvirt, where ./run libvirt builds), PFS_HELPER, PFS_E2E_OUTDIR (the kit,
# default build/e2e-guest), PFS_E2E_QEMU_USER (default
# virt-proxyfs-qemu), PFS_E2E_TIMEOUT (seconds per guest, default 300),
# PYTHON (python3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
lvbuild=${PFS_LIBVIRT_BUILDDIR:-$top/build/libvirt}
e2e_name=libvirt-native-e2e
check_prefix=libvirt-native
libvirtd_cmd=("$lvbuild/run" "$lvbuild/src/libvirtd")
# shellcheck source=libvirt-e2e-lib.sh
. "$here/libvirt-e2e-lib.sh"
name=pfs-native-e2e
killname=pfs-native-e2e-kill
badname=pfs-native-e2e-nosource

# -- outside the namespace ---------------------------------------------

outer() {
    [ "$(id -u)" -eq 0 ] || skip "needs root"
    local prog
    for prog in virsh qemu-system-x86_64 unshare "$python"; do
        command -v "$prog" >/dev/null ||
            skip "$prog missing (packages: libvirt-clients qemu-system-x86)"
    done
    [ -x "$lvbuild/src/libvirtd" ] && [ -x "$lvbuild/run" ] ||
        skip "no patched libvirtd in $lvbuild: run ./run libvirt first"
    [ -e "$lvbuild/src/libvirt_driver_qemu.so" ] ||
        skip "no QEMU driver in $lvbuild"
    [ -x "$helper" ] || { echo "libvirt-native-e2e: no $helper: build first" >&2; exit 1; }
    getent passwd virt-proxyfs >/dev/null || "$top/build-aux/create-user.sh"
    getent passwd "$qemu_user" >/dev/null || "$top/build-aux/create-user.sh"

    run_namespace pfs-native-e2e no
}

# -- inside the namespace (we are its init) -----------------------------

# the pid file the patched libvirtd writes for the helper of 'fs0' (its
# name starts with the domain's id)
helper_pidfile() {
    printf '/run/libvirt/qemu/*-%s-fs0-proxyfs.pid' "$1"
}

# no helper process of domain $1's share and no pid file
no_helper_left() {
    local f
    for f in $(helper_pidfile "$1"); do
        [ -e "$f" ] && return 1
    done
    ! pgrep -f "virt-proxyfs-helper.*--path" >/dev/null
}

inner() {
    local quiet=$PFS_E2E_QUIET
    inner_dirs
    private_libvirt
    libvirt_qemu_conf "proxyfs_helper = \"$helper\""

    prepare_world

    # shellcheck source=/dev/null
    . "$outdir/kit.env"
    local base_append=$PFS_E2E_APPEND
    append="$base_append pfs.mounts=share:/mnt/share,ctl:/mnt/ctl pfs.suite=fileops"
    domain_xml "$name" "$export" yes > "$run/$name.xml"
    domain_xml "$badname" "$host/no-such-dir" no > "$run/$badname.xml"
    append="$base_append pfs.mounts=share:/mnt/share,ctl:/mnt/ctl pfs.suite=helperdeath"
    domain_xml "$killname" "$export" yes > "$run/$killname.xml"
    local d
    for d in "$name" "$killname"; do
        : > "$run/console-$d.log"
        chown "$qemu_user:" "$run/console-$d.log"
    done

    check_libvirtd_start "the patched libvirtd starts" || return 1
    local ok out

    # plain virsh define, and the driver survives in the stored domain
    ok=0
    out=$(virsh -c "$uri" define "$run/$name.xml" 2>&1) || ok=1
    local xml=''
    [ $ok = 0 ] && xml=$(virsh -c "$uri" dumpxml "$name" 2>&1)
    grep -q "<driver type='proxy'/>" <<< "$xml" || ok=1
    check "virsh define; virsh dumpxml shows <driver type='proxy'/>" $ok "$out" \
        "$(grep -A4 '<filesystem' <<< "$xml")"
    [ $ok = 0 ] || return 1

    # no helper is started for it: -1 stands for the socket
    ok=0
    out=$(virsh -c "$uri" domxml-to-native qemu-argv "$run/$name.xml" 2>&1) || ok=1
    grep -q -- "-fsdev proxy,id=fsdev-fs0,sock_fd=-1 " <<< "$out" || ok=1
    check "virsh domxml-to-native: -fsdev proxy,id=fsdev-fs0,sock_fd=-1" $ok "$out"

    local watcher
    # shellcheck disable=SC2119 # no options: no socket in a socketpair
    start_watcher

    local t_start start_s
    t_start=$(now)
    ok=0
    out=$(virsh -c "$uri" start "$name" 2>&1) || ok=1
    start_s=$(since "$t_start")
    check "virsh start ($start_s s)" $ok "$out" \
        "$(tail -n 5 "/var/log/libvirt/qemu/$name.log" 2>/dev/null)"

    local console=$run/console-$name.log
    if [ $ok = 0 ]; then
        check_libvirtd_restart "still tracked"
    fi

    local st wall
    wait_guest $ok "$t_start"

    check_guest_run fileops "$st" "$wall"

    check_guest_effects no

    check_helper_served "/var/log/libvirt/qemu/$name-fs0-proxyfs.log" yes

    ok=1
    for _ in $(seq 100); do
        if no_helper_left "$name"; then ok=0; break; fi
        sleep 0.1
    done
    check "guest powered off: no helper, no pid file left" $ok \
        "$(ls /run/libvirt/qemu/)" "$(pgrep -af virt-proxyfs-helper)"
    if grep -q "exited while the domain runs" "/var/log/libvirt/qemu/$name.log" 2>/dev/null; then
        check "a normal power-off logs no helper failure" 1 \
            "$(grep "exited while the domain runs" "/var/log/libvirt/qemu/$name.log")"
    else
        check "a normal power-off logs no helper failure" 0
    fi

    # virsh destroy of a running guest, after a refused hotplug
    ok=0
    : > "$console"
    out=$(virsh -c "$uri" start "$name" 2>&1) || ok=1
    if [ $ok = 0 ]; then
        wait_console "$console" 'PFS-INFO section-root' 60 || ok=1
        local dpid hot hotok=1
        dpid=$(helper_pid "$name")
        [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null || ok=1
        cat > "$run/hotplug.xml" <<EOF
<filesystem type='mount' accessmode='passthrough'>
  <driver type='proxy'/>
  <source dir='$export'/>
  <target dir='hot'/>
</filesystem>
EOF
        if ! hot=$(virsh -c "$uri" attach-device "$name" "$run/hotplug.xml" --live 2>&1); then
            case $hot in
                *"filesystems with the proxy driver cannot be hotplugged"*) hotok=0 ;;
            esac
        fi
        check "hotplug of a proxy filesystem is refused" $hotok "$hot"
        out+=$(virsh -c "$uri" destroy "$name" 2>&1) || ok=1
        no_helper_left "$name" || ok=1
    fi
    check "virsh destroy of the running guest: no helper, no pid file left" $ok \
        "$out" "$(ls /run/libvirt/qemu/)" "$(pgrep -af virt-proxyfs-helper)"

    # the helper killed while the guest works
    ok=0
    rm -rf "$ctl/sync"
    out=$(virsh -c "$uri" define "$run/$killname.xml" 2>&1) || ok=1
    local kpid=''
    if [ $ok = 0 ]; then
        (
            for _ in $(seq $((timeout * 10))); do
                if [ -e "$ctl/sync/helper.kill" ]; then
                    p=$(helper_pid "$killname")
                    [ -n "$p" ] && kill -KILL "$p"
                    touch "$ctl/sync/helper.killed"
                    echo "$p" > "$run/killed-pid"
                    exit 0
                fi
                sleep 0.1
            done
        ) &
        local killer=$!
        out+=$(virsh -c "$uri" start "$killname" 2>&1) || ok=1
        wait_state "$killname" "shut off" "$timeout" || true
        kill "$killer" 2>/dev/null || true
        wait "$killer" 2>/dev/null || true
        kpid=$(cat "$run/killed-pid" 2>/dev/null || true)
        [ -n "$kpid" ] || ok=1
    fi
    local kconsole=$run/console-$killname.log
    grep -aq 'PFS-DONE ok' "$kconsole" || ok=1
    check "helper $kpid killed while the guest works: the guest gets I/O errors" $ok "$out" \
        "$(grep -a 'PFS-RESULT' "$kconsole" | sed 's/^.*PFS-RESULT/PFS-RESULT/')"
    local klog=/var/log/libvirt/qemu/$killname.log line
    line=$(grep "proxy helper .* exited while the domain runs" "$klog" 2>/dev/null || true)
    check "the domain's log says why: ${line#*: }" "$([ -n "$line" ] && echo 0 || echo 1)" \
        "$(tail -n 5 "$klog" 2>/dev/null)"
    ok=0
    if [ "$(virsh -c "$uri" domstate "$killname" 2>/dev/null | head -n 1)" != "shut off" ]; then
        virsh -c "$uri" destroy "$killname" >/dev/null 2>&1 || ok=1
    fi
    no_helper_left "$killname" || ok=1
    check "the domain with the dead helper is shut off cleanly, nothing left" $ok \
        "$(ls /run/libvirt/qemu/)" "$(pgrep -af 'virt-proxyfs-helper|qemu-system')"

    # a share whose source does not exist
    ok=0
    out=$(virsh -c "$uri" define "$run/$badname.xml" 2>&1) || ok=1
    local err=
    if [ $ok = 0 ]; then
        start_fails "$badname" "*filesystem 'share' failed to start*$host/no-such-dir*" || ok=1
    fi
    no_helper_left "$badname" || ok=1
    check "a share without source: virsh start fails with the helper's reason, nothing left" $ok \
        "$out" "virsh start: $err" "$(pgrep -af virt-proxyfs-helper)"
    say "virsh start of $badname said: $err"

    check_libvirtd_stopped

    say "virsh start ${start_s} s; start to shut off ${wall} s"
    [ "$failures" = 0 ]
}

e2e_main libvirt-native-e2e.sh "$@"
