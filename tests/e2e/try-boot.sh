#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# try-boot.sh [--runs N] [--keep] [--quiet] [--oldkernel]: a stand-in for
# 'virt-proxyfs start' until it exists. As root: builds the guest kit
# (tests/e2e/build-guest.sh), prepares an export with a sentinel file
# outside it, boots a QEMU 7.2 TCG guest (as an unprivileged user) whose
# 'share' is served by virt-proxyfs-helper over a socketpair, runs the
# 'fileops' suite in it, then checks on the host:
#   - the guest printed 'PFS-DONE ok' and no failed result;
#   - tests/e2e/check-host.py: owners, modes, contents, link targets and
#     xattrs are what the suite's manifest says;
#   - the sentinel outside the export is unchanged, its secret appears
#     nowhere (console, control share, export), nothing new appeared next
#     to the export;
#   - the helper served confined (not uid 0, empty bounding set,
#     no_new_privs, seccomp) and QEMU ran without capabilities.
# Exits 0 only if everything passed, for every run. Cleans up its
# processes and temporary directory on every path (--keep keeps the
# directory for inspection). --oldkernel runs the helper through
# build/tests/pfstestoldkernel, as on Debian 12's Linux 6.1 (no
# fchmodat2).
#
# Environment: PFS_E2E_OUTDIR (the kit, default build/e2e-guest),
# PFS_HELPER (default build/src/proxyfs/virt-proxyfs-helper; QEMU's
# /usr/lib/qemu/virtfs-proxy-helper works too, as a comparison, and is
# expected to fail the checks where the two differ), PFS_E2E_QEMU_USER
# (default pfs-e2e-qemu, created if missing), PFS_E2E_TIMEOUT (seconds per
# boot, default 300), PFS_E2E_SUITE (default fileops), PFS_E2E_MOUNTOPTS
# (extra 9p mount options for the share, '+' separated, e.g. cache=loose),
# PYTHON (python3).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
outdir=${PFS_E2E_OUTDIR:-$top/build/e2e-guest}
helper=${PFS_HELPER:-$top/build/src/proxyfs/virt-proxyfs-helper}
qemu_user=${PFS_E2E_QEMU_USER:-pfs-e2e-qemu}
timeout=${PFS_E2E_TIMEOUT:-300}
python=${PYTHON:-python3}
runs=1
keep=0
quiet=
wrapper=
suite=${PFS_E2E_SUITE:-fileops}
mountopts=${PFS_E2E_MOUNTOPTS:-}
kill_helper=

e2e_name=try-boot
# shellcheck source=e2e-lib.sh
. "$here/e2e-lib.sh"
die() { printf 'try-boot: error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --quiet) quiet=--quiet; shift ;;
        --helper-death) suite=helperdeath; kill_helper=1; shift ;;
        --oldkernel) wrapper=${PFS_OLDKERNEL_WRAPPER:-$top/build/tests/pfstestoldkernel}; shift ;;
        *) echo "usage: try-boot.sh [--runs N] [--keep] [--quiet] [--oldkernel] [--helper-death]" >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    # as a test: skipped for a developer, a failure under CI (root there)
    if [ "${CI:-}" = true ]; then
        echo "[  FAILED  ] e2e: needs root (required under CI)"
        exit 1
    fi
    [ -z "${MESON_TEST_ITERATION:-}${PFS_E2E_AS_TEST:-}" ] ||
        { echo "[  SKIPPED ] e2e: needs root"; exit 77; }
    die "run as root: the helper confines itself only when started as root"
fi
[ -x "$helper" ] || die "no helper at $helper: build first (meson compile -C build)"
[ -z "$wrapper" ] || [ -x "$wrapper" ] || die "no $wrapper: build first (meson compile -C build)"
launch_opts=()
[ -z "$wrapper" ] || launch_opts+=(--helper-wrapper "$wrapper")
# QEMU's own helper has no --ready-fd
[ "$(basename "$helper")" != virtfs-proxy-helper ] || launch_opts+=(--no-ready-fd)
# the QEMU driver (virt-proxyfs start) runs the guest; QEMU's own helper,
# which the driver does not start, goes through the stand-alone launcher
tool=${PFS_TOOL:-$top/build/tools/virt-proxyfs}
launcher_kind=${PFS_E2E_LAUNCHER:-driver}
[ "$(basename "$helper")" != virtfs-proxy-helper ] || launcher_kind=direct
[ "$launcher_kind" = direct ] || [ -x "$tool" ] || die "no $tool: build first (meson compile -C build)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (package qemu-system-x86)"

# the helper's system user, and an unprivileged user for QEMU
getent passwd virt-proxyfs >/dev/null || "$top/build-aux/create-user.sh"
if ! getent passwd "$qemu_user" >/dev/null; then
    say "creating the user $qemu_user for QEMU"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin --comment "virt-proxyfs e2e QEMU" "$qemu_user"
fi

t=$(now)
"$here/build-guest.sh" "$outdir"
build_s=$(since "$t")
# shellcheck source=/dev/null
. "$outdir/kit.env"

# the launcher, our child, stops QEMU and the helper on SIGTERM
child_signal=TERM
cleanup_on_exit

failures=0
fail() { say "FAIL: $*"; run_failed=1; }

one_run() {
    local n=$1
    run_failed=0
    tmp=$(mktemp -d /tmp/pfs-e2e.XXXXXX)
    chmod 0711 "$tmp"
    local host=$tmp/host run=$tmp/run
    local export=$host/export ctl=$run/ctl sentinel=$host/sentinel.txt
    mkdir -m 0755 "$host" "$export" "$run"
    mkdir -m 0700 "$ctl"
    chown "$qemu_user:" "$ctl"

    local token before
    prepare_world

    say "run $n: booting (export $export)"
    local append="$PFS_E2E_APPEND pfs.mounts=share:/mnt/share${mountopts:+:$mountopts},ctl:/mnt/ctl pfs.suite=$suite"
    local rc=0
    if [ "$launcher_kind" = driver ]; then
        local driver_helper=$helper
        if [ -n "$wrapper" ]; then
            driver_helper=$run/helper-oldkernel
            printf '#!/bin/sh\nexec %s %s "$@"\n' "$wrapper" "$helper" > "$driver_helper"
            chmod 0755 "$driver_helper"
        fi
        "$python" "$here/pfs-e2e-driver.py" $quiet \
            --tool "$tool" --helper "$driver_helper" --export "$export" --ctl "$ctl" \
            --kernel "$PFS_E2E_KERNEL" --initrd "$PFS_E2E_INITRD" \
            --append "$append" --qemu-user "$qemu_user" --rundir "$run/driver" \
            --console "$run/console.log" --summary "$run/summary.json" \
            --timeout "$timeout" --agent "$sentinel" \
            ${kill_helper:+--kill-helper} &
    else
    "$python" "$here/pfs-e2e-launch.py" $quiet "${launch_opts[@]}" \
        --helper "$helper" --export "$export" --ctl "$ctl" \
        --kernel "$PFS_E2E_KERNEL" --initrd "$PFS_E2E_INITRD" \
        --bios "$PFS_E2E_BIOS" --append "$append" --qemu-user "$qemu_user" \
        --console "$run/console.log" --helper-log "$run/helper.log" \
        --qemu-log "$run/qemu.log" --summary "$run/summary.json" \
        --timeout "$timeout" --agent "$sentinel" &
    fi
    child=$!
    wait "$child" || rc=$?
    child=
    [ $rc -eq 0 ] || fail "the launcher reports a failure (status $rc)"

    # the guest's own verdict
    local results=0 failed=
    if [ -f "$run/console.log" ]; then
        results=$(grep -ac 'PFS-RESULT ' "$run/console.log" || true)
        failed=$(grep -a 'PFS-RESULT [^ ]* fail' "$run/console.log" | sed 's/^.*PFS-RESULT/PFS-RESULT/' || true)
    fi
    if grep -aq 'PFS-DONE ok' "$run/console.log" 2>/dev/null; then
        :
    elif grep -aq 'PFS-DONE' "$run/console.log" 2>/dev/null; then
        fail "the guest reports failures:"
        printf '%s\n' "$failed" | sed 's/^/  | /'
    else
        fail "no 'PFS-DONE' line on the console"
        if [ -f "$run/console.log" ]; then
            say "last console lines:"
            tail -n 20 "$run/console.log" | sed 's/^/  | /'
        fi
    fi
    [ -s "$run/helper.log" ] && { say "helper log:"; sed 's/^/  | /' "$run/helper.log" | tail -n 20; }
    [ -s "$run/qemu.log" ] && { say "QEMU stderr:"; sed 's/^/  | /' "$run/qemu.log" | tail -n 20; }

    # what the guest did, seen from the host
    if [ -f "$ctl/manifest.txt" ]; then
        if ! "$python" "$here/check-host.py" --quiet "$export" "$ctl/manifest.txt"; then
            fail "check-host.py found differences"
        fi
    else
        fail "the guest left no manifest"
    fi

    # containment
    local after
    after=$(stat -c '%F %a %u %g %s %Y' "$sentinel" 2>&1; sha256sum < "$sentinel" 2>&1)
    [ "$before" = "$after" ] || fail "the sentinel changed: '$before' -> '$after'"
    # the guest powered off: nothing of this run may still be running
    if pgrep -f "$tmp" >/dev/null 2>&1; then
        fail "processes left after the run: $(pgrep -af "$tmp" | tr '\n' ';')"
    fi
    local leaks
    leaks=$(grep -rlaF -D skip "$token" "$run" "$export" 2>/dev/null || true)
    [ -z "$leaks" ] || fail "the sentinel's secret leaked into: $leaks"
    local extra
    extra=$(cd "$host" && find . -mindepth 1 -maxdepth 1 ! -name export ! -name sentinel.txt)
    [ -z "$extra" ] || fail "new entries next to the export: $extra"

    # the processes' identities, from the launcher's summary
    if ! "$python" - "$run/summary.json" "$(id -u "$qemu_user")" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
h = s.get("helper_status", {})
q = s.get("qemu_status", {})
bad = []
if not h:
    bad.append("no helper status")
else:
    if h.get("Uid", "0").split()[0] == "0":
        bad.append("helper uid 0")
    for key, want in (("CapBnd", "0000000000000000"), ("CapInh", "0000000000000000"),
                      ("CapAmb", "0000000000000000"), ("NoNewPrivs", "1"),
                      ("Seccomp", "2"), ("Groups", "")):
        if h.get(key) != want:
            bad.append("helper %s=%r" % (key, h.get(key)))
if not q:
    bad.append("no QEMU status")
else:
    if q.get("Uid", "").split()[:1] != [sys.argv[2]]:
        bad.append("QEMU uid %r" % q.get("Uid"))
    if q.get("CapEff") != "0000000000000000":
        bad.append("QEMU CapEff=%r" % q.get("CapEff"))
    if s.get("driver"):
        # what virt-proxyfs start promises on top
        for key, want in (("CapPrm", "0000000000000000"), ("CapBnd", "0000000000000000"),
                          ("CapAmb", "0000000000000000"), ("NoNewPrivs", "1"),
                          ("Groups", "")):
            if q.get(key) != want:
                bad.append("QEMU %s=%r" % (key, q.get(key)))
if bad:
    print("try-boot: identity problems: " + ", ".join(bad))
    sys.exit(1)
print("try-boot: helper uid %s CapEff %s CapBnd %s Seccomp %s; QEMU uid %s CapEff %s"
      % (h["Uid"].split()[0], h.get("CapEff"), h.get("CapBnd"), h.get("Seccomp"),
         q["Uid"].split()[0], q.get("CapEff")))
EOF
    then
        fail "the helper or QEMU did not run with the expected identity"
    fi

    local wall uptime
    wall=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("qemu_wall_s"))' "$run/summary.json" 2>/dev/null || echo '?')
    uptime=$(sed -n 's/.*PFS-DONE .*uptime=\([0-9.]*\).*/\1/p' "$run/console.log" 2>/dev/null | head -n 1 || true)
    if [ "$run_failed" = 0 ]; then
        say "run $n: PASS: $results guest results ok, host checks ok; boot+suite ${wall} s wall (guest uptime ${uptime:-?} s)"
        # cmocka's format, which build-aux/test-summary.py counts
        echo "[       OK ] e2e $suite run $n ($launcher_kind${wrapper:+, as on Linux 6.1})"
    else
        say "run $n: FAILED (boot+suite ${wall} s wall)"
        echo "[  FAILED  ] e2e $suite run $n ($launcher_kind${wrapper:+, as on Linux 6.1})"
        failures=$((failures + 1))
    fi
    timings+=("$wall")

    remove_tmp
}

timings=()
for ((i = 1; i <= runs; i++)); do
    one_run "$i"
done
say "kit build ${build_s} s; boot+suite per run: ${timings[*]} s"
if [ $failures -ne 0 ]; then
    say "$failures of $runs runs FAILED"
    exit 1
fi
say "all $runs runs passed"
