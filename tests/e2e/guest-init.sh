#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# /init of the end-to-end guest (installed by tests/e2e/build-guest.sh).
#
# Kernel command line:
#   pfs.mounts=TAG:DIR[:OPT+OPT...][,TAG:DIR...]
#                                    9p shares to mount (virtio transport,
#                                    9p2000.L, msize 256 KiB), each with
#                                    extra mount options if given, '+'
#                                    separated (e.g. cache=loose); the share
#                                    tagged 'ctl', if any, is the control
#                                    share
#   pfs.suite=NAME                   run /suites/NAME.sh (none: only mount)
#   pfs.timeout=SECONDS              the suite's time limit (default 240)
#   pfs.disk=1                       load the virtio-blk and ext4 modules too
#   pfs.hostroot=TAG:PROGRAM         instead of a suite: mount the 9p share
#                                    TAG read-only as the new root, move
#                                    /dev, /proc and /sys into it and
#                                    switch_root to PROGRAM (an absolute
#                                    path in that root), which then owns
#                                    the console protocol and the poweroff
#                                    (guest-tests-init.sh)
#
# Console protocol, one line each:
#   PFS-RESULT NAME ok|fail DETAIL   written by the suite (and here)
#   PFS-INFO KEY VALUE               timings and facts, for humans
#   PFS-DONE ok|fail passed=N failed=M
# The results are also copied to CTL/results.txt. Then the guest powers off.
# This script must never exit: the kernel would panic.

PATH=/bin
TZ=UTC
export PATH TZ
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mkdir -p /tmp /run
mount -t tmpfs -o mode=1777 tmpfs /tmp

PFS_RESULTS=/run/pfs-results
export PFS_RESULTS
: > "$PFS_RESULTS"

pfs_uptime() {
    read -r up _ < /proc/uptime
    echo "$up"
}

pfs_result() {
    # pfs_result NAME ok|fail DETAIL...
    _name=$1
    _status=$2
    shift 2
    _line="PFS-RESULT $_name $_status $(echo "$*" | tr '\n\t' '  ')"
    echo "$_line"
    echo "$_line" >> "$PFS_RESULTS"
}

pfs_poweroff() {
    sync
    for _dir in $pfs_mounted; do
        umount "$_dir" 2>/dev/null
    done
    poweroff -f
    # not reached unless poweroff failed
    echo o > /proc/sysrq-trigger
    while :; do sleep 60; done
}

echo "PFS-INFO init-start $(pfs_uptime)"

suite=
mounts=
timeout=240
disk=
hostroot=
for word in $(cat /proc/cmdline); do
    case $word in
        pfs.suite=*) suite=${word#pfs.suite=} ;;
        pfs.disk=*) disk=${word#pfs.disk=} ;;
        pfs.hostroot=*) hostroot=${word#pfs.hostroot=} ;;
        pfs.mounts=*) mounts=${word#pfs.mounts=} ;;
        pfs.timeout=*) timeout=${word#pfs.timeout=} ;;
    esac
done

# the modules, in the order build-guest.sh computed from modules.dep
modlists=/etc/pfs-modules
[ "$disk" != 1 ] || modlists="$modlists /etc/pfs-modules-disk"
for list in $modlists; do
    while read -r mod; do
        [ -n "$mod" ] || continue
        if ! out=$(insmod "/lib/modules/$mod" 2>&1); then
            pfs_result "insmod:$(basename "$mod" .ko)" fail "$out"
        fi
    done < "$list"
done
echo "PFS-INFO modules-loaded $(pfs_uptime)"

pfs_mounted=
PFS_CTL=
for entry in $(echo "$mounts" | tr ',' ' '); do
    tag=${entry%%:*}
    dir=${entry#*:}
    extra=
    case $dir in
        *:*) extra=$(echo "${dir#*:}" | tr '+' ','); dir=${dir%%:*} ;;
    esac
    if [ -z "$tag" ] || [ "$tag" = "$entry" ] || [ -z "$dir" ]; then
        pfs_result "mount:$entry" fail "expected TAG:DIR[:OPTIONS]"
        continue
    fi
    opts="trans=virtio,version=9p2000.L,msize=262144${extra:+,$extra}"
    mkdir -p "$dir"
    tries=0
    while ! out=$(mount -t 9p -o "$opts" "$tag" "$dir" 2>&1); do
        tries=$((tries + 1))
        if [ $tries -ge 20 ]; then
            break
        fi
        sleep 0.1
    done
    if grep -q " $dir 9p " /proc/mounts; then
        pfs_mounted="$dir $pfs_mounted"
        # PFS_MNT_<tag> for the suites, e.g. PFS_MNT_share=/mnt/share
        var=PFS_MNT_$(echo "$tag" | tr -c 'A-Za-z0-9_\n' '_')
        eval "$var=\$dir"
        export "$var"
        [ "$tag" != ctl ] || PFS_CTL=$dir
    else
        pfs_result "mount:$tag" fail "$out"
    fi
done
export PFS_CTL
echo "PFS-INFO mounted $(pfs_uptime)"

if [ -n "$hostroot" ]; then
    # switch_root deletes the initramfs and never comes back: check
    # everything first, so that a mistake ends in PFS-DONE fail, not in
    # a kernel panic
    tag=${hostroot%%:*}
    program=${hostroot#*:}
    mkdir -p /newroot
    if [ -z "$tag" ] || [ "$tag" = "$hostroot" ] || [ "${program#/}" = "$program" ]; then
        pfs_result hostroot fail "expected pfs.hostroot=TAG:/PROGRAM"
    elif ! out=$(mount -t 9p -o "ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose" \
                     "$tag" /newroot 2>&1); then
        pfs_result hostroot fail "mount $tag: $out"
    elif ! [ -f "/newroot$program" ] || ! [ -x /newroot/bin/sh ]; then
        pfs_result hostroot fail "no $program or /bin/sh in the share $tag"
        umount /newroot
    else
        for dir in $pfs_mounted /tmp; do
            umount "$dir" 2>/dev/null
        done
        for dir in /dev /proc /sys; do
            mount -o move "$dir" "/newroot$dir"
        done
        echo "PFS-INFO switch-root $(cut -d' ' -f1 /newroot/proc/uptime)"
        exec switch_root /newroot /bin/sh "$program"
    fi
fi

suite_rc=0
if [ -n "$suite" ]; then
    case $suite in
        */* | .*) suite_rc=2 ; pfs_result "suite:$suite" fail "bad suite name" ;;
    esac
    if [ $suite_rc -eq 0 ] && [ ! -f "/suites/$suite.sh" ]; then
        suite_rc=2
        pfs_result "suite:$suite" fail "no /suites/$suite.sh in the initramfs"
    fi
    if [ $suite_rc -eq 0 ]; then
        echo "PFS-INFO suite-start $(pfs_uptime)"
        # a child shell: a fatal error in the suite must not end /init
        timeout -s KILL "$timeout" sh "/suites/$suite.sh"
        suite_rc=$?
        echo "PFS-INFO suite-end $(pfs_uptime)"
        if [ $suite_rc -ne 0 ]; then
            pfs_result "suite:$suite" fail "exit status $suite_rc"
        fi
    fi
fi

failed=$(grep -c '^PFS-RESULT [^ ]* fail' "$PFS_RESULTS")
passed=$(grep -c '^PFS-RESULT [^ ]* ok' "$PFS_RESULTS")
status=ok
if [ "$failed" -ne 0 ] || [ $suite_rc -ne 0 ]; then
    status=fail
fi
if [ -n "$suite" ] && [ "$passed" -eq 0 ]; then
    status=fail
fi
if [ -n "$PFS_CTL" ]; then
    cp "$PFS_RESULTS" "$PFS_CTL/results.txt" 2>/dev/null
    echo "$status" > "$PFS_CTL/done"
fi
echo "PFS-DONE $status passed=$passed failed=$failed uptime=$(pfs_uptime)"
pfs_poweroff
