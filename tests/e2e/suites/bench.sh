#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench: a timed guest workload on the 'share' 9p mount, for
# bench/guest-bench.py, which boots it over the proxy helpers and over
# QEMU's '-fsdev local' and compares the phases.
#
# Metadata: create a tree of small files, walk it twice (ls -lR, then
# find + stat), chmod -R, chown -R, rename every file, rm -rf. Data: write
# a file with dd (1 MiB blocks), then read it back. Each phase prints
#   PFS-INFO bench.PHASE SECONDS
# (elapsed guest time, from /proc/uptime: 10 ms resolution) and a
# PFS-RESULT line saying whether it did what it should. The suite removes
# everything it made from the export, even after a failed phase.
#
# Size, from the kernel command line (guest-init.sh ignores these; the
# suite reads them itself):
#   pfs.bench_files=N   files in the tree (default 2000)
#   pfs.bench_dirs=N    directories they are spread over (default N/50)
#   pfs.bench_mib=N     MiB written and read (default 64; 0: no data phases)
#   pfs.bench_dir=DIR   work in DIR instead of the share (e.g. /tmp, the
#                       guest's tmpfs: what the workload costs the guest
#                       itself, without 9p)
#
# Each phase is one process or a loop of shell builtins wherever busybox
# allows: under TCG a fork costs about as much as several 9p round trips,
# and the point is to time the file server, not the guest's fork.

. /suites/lib/pfs.sh

files=2000
dirs=
mib=64
where=
for word in $(cat /proc/cmdline); do
    case $word in
        pfs.bench_files=*) files=${word#*=} ;;
        pfs.bench_dirs=*) dirs=${word#*=} ;;
        pfs.bench_mib=*) mib=${word#*=} ;;
        pfs.bench_dir=*) where=${word#*=} ;;
    esac
done

if [ -n "$where" ]; then
    S=$where
    mkdir -p "$S" || exit 1
else
    pfs_share bench.mounted || exit 1
fi
# checked before any arithmetic: a bad number would end ash
for v in "$files" "${dirs:-1}" "$mib"; do
    case $v in
        '' | *[!0-9]*)
            pfs_fail bench.params "not a number: '$v'"
            exit 1
            ;;
    esac
done
if [ "$files" -lt 1 ]; then
    pfs_fail bench.params "pfs.bench_files must be at least 1"
    exit 1
fi
[ -n "$dirs" ] || dirs=$((files / 50))
[ "$dirs" -ge 1 ] || dirs=1
per=$(( (files + dirs - 1) / dirs ))
echo "PFS-INFO bench.params files=$files dirs=$dirs mib=$mib dir=$S"

T=$S/pfs-bench
F=$S/pfs-bench.dat

cleanup() {
    # whatever happened, leave the export as it was
    rm -rf "$T" "$F"
}
trap cleanup EXIT
cleanup

now_cs() {
    # the guest's uptime in centiseconds, without a fork; a leading zero
    # would make ash read the fraction as octal
    read -r _b_up _ < /proc/uptime
    _b_frac=${_b_up#*.}
    _b_frac=${_b_frac#0}
    echo $(( ${_b_up%.*} * 100 + _b_frac ))
}

phase_start() {
    sync
    echo 3 > /proc/sys/vm/drop_caches
    b_t0=$(now_cs)
}

phase_end() {
    # phase_end NAME STATUS DETAIL: print the time since phase_start
    _b_t1=$(now_cs)
    _b_cs=$((_b_t1 - b_t0))
    _b_s=$(printf '%d.%02d' $((_b_cs / 100)) $((_b_cs % 100)))
    echo "PFS-INFO bench.$1 $_b_s"
    if [ "$2" -eq 0 ]; then
        pfs_ok "bench.$1" "$_b_s s $3"
    else
        pfs_fail "bench.$1" "status $2 after $_b_s s $3"
        failed=1
    fi
}

count_files() {
    # count_files DIR: regular files below DIR (one process and a pipe)
    find "$1" -type f 2>/dev/null | wc -l
}

failed=0
umask 022

# --- metadata ----------------------------------------------------------------

phase_start
rc=0
mkdir "$T" || rc=1
made=0
d=0
while [ $rc -eq 0 ] && [ $d -lt "$dirs" ]; do
    mkdir "$T/d$d" || { rc=1; break; }
    f=0
    while [ $f -lt $per ] && [ $made -lt "$files" ]; do
        # a builtin: open(O_CREAT), write, close and nothing else
        echo "bench file $f of directory $d" > "$T/d$d/f$f" || { rc=1; break; }
        f=$((f + 1))
        made=$((made + 1))
    done
    d=$((d + 1))
done
phase_end create $rc "($made files in $dirs directories)"
n=$(count_files "$T")
[ "$n" -eq "$files" ] || pfs_fail bench.create-count "$n files, expected $files"
[ $rc -eq 0 ] || exit 1

phase_start
ls -lR "$T" > /dev/null
phase_end ls-lR $? ""

phase_start
find "$T" -exec stat -c '%n %s %a %u %g %Y' {} + > /dev/null
phase_end find-stat $? ""

phase_start
chmod -R 0750 "$T"
phase_end chmod-R $? ""

phase_start
chown -R 1000:1000 "$T"
phase_end chown-R $? ""
# spot checks: the first and the last file
last=$T/d$((dirs - 1))/f$(( (files - 1) % per ))
[ -f "$last" ] || last=$T/d0/f0
for p in "$T/d0/f0" "$last"; do
    pfs_expect_stat bench.owner-mode "$p" '1000 1000 0750'
done

# every file into a sibling directory: one mv (one process) per directory
phase_start
rc=0
d=0
while [ $d -lt "$dirs" ]; do
    if ! { mkdir "$T/r$d" && mv "$T/d$d/"* "$T/r$d/" && rmdir "$T/d$d"; }; then
        rc=1
        break
    fi
    d=$((d + 1))
done
phase_end rename $rc "($files files)"
n=$(count_files "$T")
[ "$n" -eq "$files" ] || pfs_fail bench.rename-count "$n files after the renames, expected $files"

phase_start
rm -rf "$T"
rc=$?
[ ! -e "$T" ] || rc=1
phase_end rm-rf $rc ""

# --- data --------------------------------------------------------------------

if [ "$mib" -gt 0 ]; then
    # 9p's default cache=none: every block goes to QEMU, which writes it to
    # the host file (directly on an fd, for the proxy too)
    phase_start
    dd if=/dev/zero of="$F" bs=1M count="$mib" 2>/dev/null
    phase_end write $? "($mib MiB, bs=1M)"
    size=$(stat -c %s "$F" 2>/dev/null)
    [ "$size" = $((mib * 1048576)) ] || pfs_fail bench.write-size "$size bytes, expected $((mib * 1048576))"

    # the guest drops its caches (phase_start); the host keeps the file in
    # its page cache: this times the transport, not the host's disk
    phase_start
    dd if="$F" of=/dev/null bs=1M 2> "$PFS_SCRATCH/dd.err"
    rc=$?
    # busybox's dd reports only the blocks: all of them, all full
    grep -q "^$mib+0 records in" "$PFS_SCRATCH/dd.err" || rc=1
    phase_end read $rc "($mib MiB, bs=1M)"
    rm -f "$F"
fi

cleanup
if [ -e "$T" ] || [ -e "$F" ]; then
    pfs_fail bench.cleanup "left $(ls -d "$T" "$F" 2>/dev/null)"
else
    pfs_ok bench.cleanup
fi
sync
exit $failed
