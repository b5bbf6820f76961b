#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# guest-tests.sh [--keep] [--verbose] NAME=PROGRAM...: run test programs
# of the build tree as root inside a QEMU TCG guest booted with Debian 12's
# own kernel (Linux 6.1), where the helper takes the code paths that are
# production paths on Debian 12 and only emulated on a newer host
# (pfstestoldkernel).
#
# The guest is the e2e kit (build-guest.sh): its /init mounts the host's
# root filesystem, shared read-only over 9p, as the guest's root and
# switch_roots into guest-tests-init.sh, which mounts a tmpfs on a
# directory of the host's root that holds none of the programs, the build
# or the source tree (/run, else /mnt, /media, ...), and in it an ext4
# scratch disk (a sparse image made here with mkfs.ext4) for the exports
# and a writable control share, runs each PROGRAM with the environment this
# script got from meson (PFS_TEST_*, LC_ALL, CI, the sanitizers'
# options), and writes each one's output and exit status to the control
# share. This script then prints every program's output and status, and
# exits 0 only if the guest ran Debian 12's kernel and every program
# exited 0.
#
# Needs root (the suites test the helper's sandbox, which needs root),
# qemu-system-x86_64 and mkfs.ext4; skipped (status 77) with a message
# when one is missing, except under CI, where that is a failure.
#
# Environment: PFS_E2E_OUTDIR (the kit, default build/tests/e2e-guest),
# PFS_GUEST_TIMEOUT (seconds for the whole guest, default 360),
# PFS_GUEST_PROGRAM_TIMEOUT (seconds per program, default 180),
# PFS_GUEST_MEM (MiB, default 1536), PFS_GUEST_SMP (vCPUs, default 2).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
outdir=${PFS_E2E_OUTDIR:-$top/build/tests/e2e-guest}
total_timeout=${PFS_GUEST_TIMEOUT:-360}
program_timeout=${PFS_GUEST_PROGRAM_TIMEOUT:-180}
mem=${PFS_GUEST_MEM:-1536}
smp=${PFS_GUEST_SMP:-2}
keep=0
verbose=0

e2e_name=guest-tests
# shellcheck source=e2e-lib.sh
. "$here/e2e-lib.sh"

in_ci() {
    case ${CI:-} in
        '' | false | 0) return 1 ;;
    esac
    return 0
}
# a requirement that is missing: skipped for a developer, a failure under CI
skip() {
    if in_ci; then
        echo "[  FAILED  ] guest tests: $* (required under CI)"
        exit 1
    fi
    echo "[  SKIPPED ] guest tests: $*"
    exit 77
}
usage() {
    echo "usage: guest-tests.sh [--keep] [--verbose] NAME=PROGRAM..." >&2
    exit 2
}

jobs=()
while [ $# -gt 0 ]; do
    case $1 in
        --keep) keep=1 ;;
        --verbose) verbose=1 ;;
        -*) usage ;;
        *=/*)
            name=${1%%=*}
            program=${1#*=}
            case $name in
                '' | *[!A-Za-z0-9_.-]*) usage ;;
            esac
            # one line of CTL/jobs each, split at white space
            case $program in
                *[[:space:]]*) say "error: a program path with white space: $program"; exit 2 ;;
            esac
            [ -x "$program" ] || { say "error: $program is not an executable: build first"; exit 2; }
            jobs+=("$name $program")
            ;;
        *) usage ;;
    esac
    shift
done
[ ${#jobs[@]} -gt 0 ] || usage

[ "$(id -u)" -eq 0 ] || skip "needs root (the suites test the helper's sandbox)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is missing (package qemu-system-x86)"
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 is missing (package e2fsprogs)"
[ -x /bin/busybox ] || skip "/bin/busybox is missing (package busybox-static)"
# the guest finds its second init in the host's root by this path
case $here in
    *[[:space:],:]*) say "error: the guest cannot use a source path with white space, ',' or ':': $here"; exit 1 ;;
esac

t=$(now)
if ! "$here/build-guest.sh" "$outdir"; then
    skip "could not build the guest kit (build-guest.sh; Debian's archive unreachable?)"
fi
kit_s=$(since "$t" 1)
# shellcheck source=/dev/null
. "$outdir/kit.env"

# on the way out, our child (timeout, running QEMU) gets the default
# SIGTERM, which timeout passes on to QEMU (and follows with SIGKILL
# after -k 5): a SIGKILL would end timeout alone and leave QEMU to end,
# or not, on its own
cleanup_on_exit

tmp=$(mktemp -d /tmp/pfs-guest-tests.XXXXXX)
ctl=$tmp/ctl
mkdir -m 0700 "$ctl"
printf '%s\n' "${jobs[@]}" > "$ctl/jobs"
# meson's environment for the tests, minus what emulates an old kernel
: > "$ctl/env"
while IFS= read -r var; do
    case $var in
        PFS_TEST_HELPER_WRAPPER) continue ;;
        PFS_TEST_* | LC_ALL | CI | ASAN_OPTIONS | UBSAN_OPTIONS | LSAN_OPTIONS | MALLOC_PERTURB_) ;;
        *) continue ;;
    esac
    value=${!var}
    case $value in
        *$'\n'*) say "error: $var has a newline"; exit 1 ;;
    esac
    printf '%s=%s\n' "$var" "$value" >> "$ctl/env"
done < <(compgen -e | LC_ALL=C sort)

# the exports' file system: ext4 with user xattrs, as on a Debian host
# (a tmpfs has user.* xattrs only from Linux 6.6)
t=$(now)
truncate -s 2G "$tmp/scratch.img"
mkfs.ext4 -q -F -L pfs-scratch "$tmp/scratch.img"
mkfs_s=$(since "$t" 1)

# Where the guest mounts its own file systems: a directory of the host's
# root that is not, and does not hold, anything the programs need (a CI
# clone may well be under /tmp), since the mounts hide what is under them.
needed=("$top" "$here")
for job in "${jobs[@]}"; do needed+=("${job#* }"); done
while IFS='=' read -r _ value; do
    case $value in /*) needed+=("$value") ;; esac
done < "$ctl/env"
work=
for candidate in /run /mnt /media /srv /opt /var/tmp /tmp; do
    [ -d "$candidate" ] && [ ! -L "$candidate" ] || continue
    clash=0
    for p in "${needed[@]}"; do
        case $(realpath -m "$p")/ in "$candidate"/*) clash=1; break ;; esac
    done
    [ $clash = 1 ] || { work=$candidate; break; }
done
[ -n "$work" ] || { say "error: every place the guest could mount on holds the build"; exit 1; }

append="$PFS_E2E_APPEND pfs.disk=1 pfs.hostroot=root:$here/guest-tests-init.sh pfs.timeout=$program_timeout pfs.work=$work"
# shellcheck disable=SC2054 # commas inside QEMU's options
qemu=(qemu-system-x86_64 -machine pc -accel tcg -cpu max -m "$mem" -smp "$smp"
      -nodefaults -no-user-config -display none -monitor none -no-reboot
      -serial "file:$tmp/console.log"
      -kernel "$PFS_E2E_KERNEL" -initrd "$PFS_E2E_INITRD" -append "$append"
      # the host's root, read-only; remap: it spans several file systems,
      # whose inode numbers would collide in the guest's cache
      -fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
      -device virtio-9p-pci,fsdev=root,mount_tag=root
      -fsdev "local,id=ctl,path=$ctl,security_model=none"
      -device virtio-9p-pci,fsdev=ctl,mount_tag=ctl
      -drive "file=$tmp/scratch.img,format=raw,if=virtio,cache=unsafe"
      -sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny)
[ -z "$PFS_E2E_BIOS" ] || qemu+=(-bios "$PFS_E2E_BIOS")

say "kit ready in ${kit_s}s, scratch disk in ${mkfs_s}s; booting Linux $PFS_E2E_KVER (TCG, ${smp} vCPUs, ${mem} MiB) for: ${jobs[*]%% *}"
t=$(now)
# QEMU runs as root: it reads the build tree and the libraries as root
# does, wherever the clone is (a CI clone may be under /root); the guest
# runs only this tree's programs and gets the host's root read-only
timeout -k 5 "$total_timeout" "${qemu[@]}" > "$tmp/qemu.log" 2>&1 &
child=$!
qemu_rc=0
wait "$child" || qemu_rc=$?
child=
guest_s=$(since "$t" 1)

failures=()
console=$tmp/console.log
touch "$console"
if [ "$verbose" = 1 ]; then
    echo "---- console ----"
    cat -v "$console"
else
    # the protocol lines, and whatever the kernel said went wrong
    grep -aE 'PFS-|Kernel panic|BUG:|Oops|WARNING:|segfault|Out of memory' "$console" |
        sed 's/^.*\(PFS-\)/\1/' || true
fi
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
    failures+=("the guest did not finish within ${total_timeout}s")
elif [ "$qemu_rc" -ne 0 ]; then
    failures+=("QEMU exited with status $qemu_rc: $(tr '\n' ' ' < "$tmp/qemu.log")")
fi
kernel=$(sed -n 's/^.*PFS-INFO kernel \([^ ]*\).*$/\1/p' "$console" | tr -d '\r' | head -n 1)
[ "$kernel" = "$PFS_E2E_KVER" ] ||
    failures+=("the guest ran kernel '${kernel:-?}', not Debian 12's $PFS_E2E_KVER")
grep -aq 'PFS-DONE ok' "$console" || failures+=("the guest did not report PFS-DONE ok")

for job in "${jobs[@]}"; do
    name=${job%% *}
    echo "---- $name (in the guest) ----"
    [ ! -f "$ctl/$name.log" ] || cat "$ctl/$name.log"
    status=$(cat "$ctl/$name.status" 2>/dev/null || echo none)
    skipped=$(grep -c '^\[  SKIPPED \]' "$ctl/$name.log" 2>/dev/null || true)
    echo "---- $name: exit status $status, ${skipped:-0} skipped ----"
    [ "$status" = 0 ] || failures+=("$name: exit status $status")
done

say "kit ${kit_s}s, guest ${guest_s}s (boot to power-off)"
if [ ${#failures[@]} -ne 0 ]; then
    for f in "${failures[@]}"; do
        say "FAIL: $f"
    done
    [ "$verbose" = 1 ] || say "(--verbose or --keep for the whole console)"
    exit 1
fi
say "ok: ${#jobs[@]} programs passed on Linux $kernel"
