#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# guest-tests-init.sh: PID 1 of the guest of guest-tests.sh, started by
# guest-init.sh's switch_root into the host's root filesystem (a read-only
# 9p share), with /dev, /proc and /sys already mounted.
#
# Mounts a tmpfs on WORK (pfs.work=WORK on the kernel command line, a
# directory that holds nothing the programs need; default /run), the
# control share (tag 'ctl') on WORK/pfs-ctl and the ext4 scratch disk
# (/dev/vda) on WORK/pfs-scratch; then runs, as root, each test program
# that CTL/jobs lists ('NAME PROGRAM' lines), one after the other, with
# the environment of CTL/env ('NAME=VALUE' lines) and
# TMPDIR=WORK/pfs-scratch/NAME, its output in CTL/NAME.log and its exit
# status in CTL/NAME.status. pfs.timeout=SECONDS limits each program
# (default 240). Prints the console protocol of guest-init.sh
# and powers off. Must never exit: the kernel would panic.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
export PATH HOME
umask 022
work=/run

uptime() {
    cut -d' ' -f1 /proc/uptime
}

poweroff_now() {
    sync
    umount "$scratch" 2>/dev/null
    umount "$ctl" 2>/dev/null
    # the host's poweroff is systemd's; busybox-static's powers off at once
    /bin/busybox poweroff -f
    echo o > /proc/sysrq-trigger
    while :; do sleep 60; done
}

finish() {
    # finish ok|fail PASSED FAILED
    [ ! -d "$ctl" ] || echo "$1" > "$ctl/done"
    echo "PFS-DONE $1 passed=$2 failed=$3 uptime=$(uptime)"
    poweroff_now
}

exec </dev/console >/dev/console 2>&1
echo "PFS-INFO host-root $(uptime)"
echo "PFS-INFO kernel $(uname -r)"

limit=240
for word in $(cat /proc/cmdline); do
    case $word in
        pfs.timeout=*) limit=${word#pfs.timeout=} ;;
        pfs.work=/*) work=${word#pfs.work=} ;;
    esac
done
ctl=$work/pfs-ctl
scratch=$work/pfs-scratch

if ! mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$work" ||
   ! mkdir -p "$ctl" "$scratch" ||
   ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 ctl "$ctl"; then
    echo "PFS-RESULT mount:ctl fail cannot mount the control share"
    finish fail 0 1
fi
# the scratch disk appears when virtio_blk has probed it
tries=0
while [ ! -b /dev/vda ] && [ $tries -lt 50 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
# noinit_itable: no background zeroing of inode tables to slow the tests
if ! out=$(mount -t ext4 -o noinit_itable /dev/vda "$scratch" 2>&1) || ! chmod 1777 "$scratch"; then
    echo "PFS-RESULT mount:scratch fail $out"
    finish fail 0 1
fi
echo "PFS-INFO mounted $(uptime)"

if ! [ -f "$ctl/env" ] || ! [ -f "$ctl/jobs" ]; then
    echo "PFS-RESULT jobs fail no env or jobs in the control share"
    finish fail 0 1
fi
while IFS= read -r line; do
    case $line in
        [A-Za-z_]*=*)
            # shellcheck disable=SC2163 # exports NAME=VALUE, as meant
            export "$line" ;;
        '') ;;
        *) echo "PFS-RESULT env fail bad line: $line"; finish fail 0 1 ;;
    esac
done < "$ctl/env"

passed=0
failed=0
while read -r name program; do
    [ -n "$name" ] || continue
    mkdir -p "$scratch/$name"
    start=$(uptime)
    echo "PFS-INFO start:$name $start"
    # stdin from /dev/null: the programs must not eat the job list
    TMPDIR=$scratch/$name timeout -s KILL "$limit" "$program" \
        < /dev/null > "$ctl/$name.log" 2>&1
    rc=$?
    echo "$rc" > "$ctl/$name.status"
    seconds=$(awk -v a="$start" -v b="$(uptime)" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        echo "PFS-RESULT $name ok ${seconds}s"
    else
        failed=$((failed + 1))
        [ $rc -ne 137 ] || echo "$name: killed after ${limit}s" >> "$ctl/$name.log"
        echo "PFS-RESULT $name fail exit status $rc after ${seconds}s"
    fi
    rm -rf "${scratch:?}/$name"
done < "$ctl/jobs"

if [ $failed -eq 0 ] && [ $passed -gt 0 ]; then
    finish ok $passed $failed
fi
finish fail $passed $failed
