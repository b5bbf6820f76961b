#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libvirt-e2e-lib.sh: what the end-to-end tests through a libvirtd share,
# sourced by libvirt-e2e.sh (Debian's libvirtd and our hook) and
# libvirt-native-e2e.sh (libvirtd with our patch series): the run
# outside the namespace, cmocka-style checks, private directories in the
# test's mount namespace, the domain XML, starting and stopping libvirtd
# without systemd, the checks both make of the guest, the helper and
# libvirtd. Expects $here, $top and $e2e_name; sets build, outdir,
# helper, qemu_user, timeout, python and uri from the environment the
# scripts' headers describe. libvirtd_cmd (an array) is the daemon to
# run, default the system's libvirtd. The functions called from inner()
# see its variables: $name, the domain of the main run, $console, its
# console, $append, and those inner_dirs sets.

build=${PFS_BUILDDIR:-$top/build}
outdir=${PFS_E2E_OUTDIR:-$build/e2e-guest}
# shellcheck disable=SC2034 # the scripts use it
helper=${PFS_HELPER:-$build/src/proxyfs/virt-proxyfs-helper}
qemu_user=${PFS_E2E_QEMU_USER:-virt-proxyfs-qemu}
timeout=${PFS_E2E_TIMEOUT:-300}
python=${PYTHON:-python3}
uri=qemu:///system
if [ -z "${libvirtd_cmd+x}" ]; then
    libvirtd_cmd=(libvirtd)
fi

check_prefix=${check_prefix:-libvirt}
# shellcheck source=e2e-check.sh
. "$here/e2e-check.sh"
# shellcheck source=e2e-lib.sh
. "$here/e2e-lib.sh"

# A requirement that is missing: skipped for a developer, a failure
# under CI (as $skip_prefix, default $check_prefix)
skip() {
    if [ "${CI:-}" = true ]; then
        echo "[  FAILED  ] ${skip_prefix:-$check_prefix}: $* (required under CI)"
        exit 1
    fi
    echo "[  SKIPPED ] ${skip_prefix:-$check_prefix}: $*"
    exit 77
}

# Outside the namespace, once outer() found what the test needs: build
# the kit, run "$script --inner" in a private mount and PID namespace on
# a new $tmp (/tmp/PREFIX.XXXXXX), then check from the host that nothing
# of the run is left, and with CHECK_USERS=yes that the host's users and
# groups are unchanged: run_namespace PREFIX CHECK_USERS
run_namespace() {
    local prefix=$1 check_users=$2 t0 t rc=0 users=
    t0=$(now)
    "$here/build-guest.sh" "$outdir"
    say "kit ready in $(since "$t0") s"

    tmp=$(mktemp -d "/tmp/$prefix.XXXXXX")
    chmod 0711 "$tmp"
    cleanup_on_exit

    # --kill-child: whatever happens to us, the namespace's init (and so
    # everything in it) is killed
    [ "$check_users" != yes ] || users=$(cat /etc/passwd /etc/group | sha256sum)
    t=$(now)
    unshare --mount --propagation private --pid --fork --mount-proc --kill-child \
        env PFS_E2E_INNER_TMP="$tmp" PFS_E2E_QUIET="$quiet" \
        bash "$here/$script" --inner || rc=$?
    say "namespace done in $(since "$t") s (status $rc)"

    # seen from the host: nothing of this run may still be running
    if pgrep -f "$tmp" >/dev/null 2>&1 || pgrep -f "$name" >/dev/null 2>&1; then
        echo "[  FAILED  ] $check_prefix: nothing of the run is left on the host"
        pgrep -af "$tmp|$name" | sed 's/^/  | /'
        rc=1
    else
        echo "[       OK ] $check_prefix: nothing of the run is left on the host"
    fi
    if [ "$check_users" != yes ]; then
        :
    elif [ "$(cat /etc/passwd /etc/group | sha256sum)" = "$users" ]; then
        echo "[       OK ] $check_prefix: the host's users and groups unchanged"
    else
        echo "[  FAILED  ] $check_prefix: the host's users and groups unchanged"
        rc=1
    fi
    say "total $(since "$t0") s"
    return $rc
}

# Inside the namespace: the run's directories, in the $tmp of outside
inner_dirs() {
    tmp=$PFS_E2E_INNER_TMP
    state=$tmp/state
    host=$tmp/host
    run=$tmp/run
    export=$host/export
    sentinel=$host/sentinel.txt
    ctl=$run/ctl
    mkdir -m 0755 "$state" "$host" "$export" "$run"
    mkdir -m 0700 "$ctl"
    chown "$qemu_user:" "$ctl"
}

# A value from config.h: the paths the hook and 'define' were built with.
config_value() {
    sed -n "s/^#define $1 \"\\(.*\\)\"\$/\\1/p" "$build/config.h"
}

# Make each of the given directories private to this namespace, so that
# the host never sees what is created there. For one that does not
# exist, its nearest existing ancestor gets an overlay (shortest first,
# so that no overlay hides another mount). With "bind", every directory
# then gets an empty one of $state bound over it (kept with --keep);
# with "overlay", one that exists gets an empty tmpfs, and the missing
# ones are left for the hook to create.
private_dirs() {
    local how=$1 d a o
    shift
    local -a roots=()
    for d in "$@"; do
        [ -d "$d" ] && continue
        a=$d
        while [ ! -d "$a" ]; do a=$(dirname "$a"); done
        roots+=("$(realpath "$a")")
    done
    if [ ${#roots[@]} -gt 0 ]; then
        local -a done_roots=()
        while read -r a; do
            local covered=0
            for o in "${done_roots[@]+"${done_roots[@]}"}"; do
                case $a/ in "$o"/*) covered=1 ;; esac
            done
            [ $covered = 1 ] && continue
            o=$state/overlay$(printf '%s' "$a" | tr / _)
            mkdir -p "$o/upper" "$o/work"
            mount -t overlay overlay -o "lowerdir=$a,upperdir=$o/upper,workdir=$o/work" "$a"
            done_roots+=("$a")
        done < <(printf '%s\n' "${roots[@]}" | sort -u | awk '{ print length, $0 }' | sort -n | cut -d' ' -f2-)
    fi
    if [ "$how" = overlay ]; then
        for d in "$@"; do
            if [ -d "$d" ]; then
                mount -t tmpfs -o mode=0755 tmpfs "$d"
            fi
        done
        return 0
    fi
    for d in "$@"; do
        local priv
        priv=$state/mnt$(printf '%s' "$d" | tr / _)
        mkdir -m 0755 "$priv"
        mkdir -p "$d"
        mount --bind "$priv" "$d"
    done
}

# The kit's domain (pfs-e2e-domain.py), its console in $run:
# domain_xml NAME SOURCE WITH_CTL [QEMU-ARG]
domain_xml() {
    local dname=$1 source=$2 with_ctl=$3 qemuarg=${4:-}
    local -a opts=()
    [ "$with_ctl" != yes ] || opts+=(--ctl "$ctl")
    [ -z "$qemuarg" ] || opts+=("--qemu-arg=$qemuarg")
    "$python" "$here/pfs-e2e-domain.py" "$dname" --kernel "$PFS_E2E_KERNEL" \
        --initrd "$PFS_E2E_INITRD" --append "$append" --export "$source" \
        --console "$run/console-$dname.log" "${opts[@]}"
}

# Start libvirtd and wait until it answers; sets libvirtd_pid. Polls for
# its socket, not with virsh (recipe pitfall 17); 'domcapabilities' then
# waits for its probe of QEMU (cached after the first start), which
# would otherwise be counted in the first 'define'.
start_libvirtd() {
    rm -f /run/libvirt/libvirt-sock
    "${libvirtd_cmd[@]}" --pid-file "$state/libvirtd.pid" >> "$state/libvirtd.log" 2>&1 &
    libvirtd_pid=$!
    for _ in $(seq 600); do
        if [ -S /run/libvirt/libvirt-sock ]; then
            virsh -c "$uri" domcapabilities --virttype qemu --arch x86_64 --machine pc \
                --emulatorbin /usr/bin/qemu-system-x86_64 >/dev/null 2>&1
            return
        fi
        kill -0 "$libvirtd_pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}


stop_libvirtd() {
    kill -TERM "$libvirtd_pid" 2>/dev/null || true
    for _ in $(seq 150); do
        kill -0 "$libvirtd_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$libvirtd_pid" 2>/dev/null; then
        return 1
    fi
    wait "$libvirtd_pid" 2>/dev/null || true
}


# libvirt's directories, private to the namespace
private_libvirt() {
    private_dirs bind /etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
    private_libvirt_qemu
}

# libvirt's qemu.conf as the recipe has it, with the given lines after
# (the lists also exercise the hook's lenient reading of libvirt's
# file): libvirt_qemu_conf LINE...
libvirt_qemu_conf() {
    {
        cat <<EOF
user = "$qemu_user"
group = "$qemu_user"
security_driver = "none"
stdio_handler = "file"
namespaces = [ ]
cgroup_controllers = [ ]
remember_owner = 0
EOF
        [ $# -eq 0 ] || printf '%s\n' "$@"
    } > /etc/libvirt/qemu.conf
}

# libvirtd starts: check_libvirtd_start WHAT
check_libvirtd_start() {
    local t ok=1
    t=$(now)
    start_libvirtd && ok=0
    check "$1 ($(since "$t") s)" $ok "$(tail -n 5 "$state/libvirtd.log" 2>/dev/null)"
    return $ok
}

# libvirt 9.0 looks up its built-in QEMU user, libvirt-qemu, even when
# qemu.conf names another (guest-e2e-recipe.md, pitfall 15). Debian's
# libvirt-daemon-system creates it; we never do. Without it, this
# namespace alone gets copies of /etc/passwd and /etc/group naming it,
# with $qemu_user's ids.
private_libvirt_qemu() {
    getent passwd libvirt-qemu >/dev/null && return 0
    local uid gid
    uid=$(id -u "$qemu_user")
    gid=$(id -g "$qemu_user")
    cp /etc/passwd "$state/passwd"
    cp /etc/group "$state/group"
    echo "libvirt-qemu:x:$uid:$gid:libvirt-qemu of this test's namespace:/nonexistent:/usr/sbin/nologin" >> "$state/passwd"
    getent group libvirt-qemu >/dev/null ||
        echo "libvirt-qemu:x:$gid:" >> "$state/group"
    mount --bind "$state/passwd" /etc/passwd
    mount --bind "$state/group" /etc/group
    say "libvirt-qemu exists in this namespace only (uid $uid)"
}

# The pid in the pid file of the helper of domain NAME (helper_pidfile
# NAME, the script's, may be a pattern), if any: helper_pid NAME
helper_pid() {
    local f
    for f in $(helper_pidfile "$1"); do
        [ -f "$f" ] && cat "$f"
    done
    return 0
}

# wait_state NAME STATE SECONDS: whether virsh says NAME is in STATE
# within SECONDS; the last state it said in domstate
wait_state() {
    domstate=''
    for _ in $(seq $(($3 * 4))); do
        domstate=$(virsh -c "$uri" domstate "$1" 2>/dev/null | head -n 1 || true)
        [ "$domstate" = "$2" ] && return 0
        sleep 0.25
    done
    return 1
}

# wait_console FILE PATTERN SECONDS: whether PATTERN shows in FILE
wait_console() {
    for _ in $(seq $(($3 * 10))); do
        grep -aq "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# The watcher of $name (libvirt-e2e-watch.py), in the background; sets
# watcher: start_watcher [OPTION...]
start_watcher() {
    "$python" "$here/libvirt-e2e-watch.py" ${quiet:+--quiet} \
        --ctl "$ctl" --export "$export" --sentinel "$sentinel" \
        --console "$run/console-$name.log" \
        --qemu-pidfile "/run/libvirt/qemu/$name.pid" \
        --helper-pidfile "$(helper_pidfile "$name")" "$@" \
        --stop-file "$run/stop" --summary "$run/summary.json" &
    watcher=$!
}

# libvirtd goes away and comes back while the guest works: the helpers
# do not depend on it, and the share must keep working; the domain must
# still run, with the same helper: check_libvirtd_restart HOW (the
# helper was kept, or tracked)
check_libvirtd_restart() {
    local hpid1='' hpid2='' rst=1 rstate='' t
    wait_console "$console" 'PFS-INFO section-root' 60 || true
    t=$(now)
    hpid1=$(helper_pid "$name")
    if stop_libvirtd && start_libvirtd; then
        rstate=$(virsh -c "$uri" domstate "$name" 2>&1 | head -n 1 || true)
        hpid2=$(helper_pid "$name")
        if [ "$rstate" = running ] && [ -n "$hpid1" ] && [ "$hpid1" = "$hpid2" ] &&
            kill -0 "$hpid1" 2>/dev/null; then
            rst=0
        fi
    fi
    check "libvirtd restarted while the guest ran ($(since "$t") s): domain running, helper $hpid1 $1" \
        $rst "domain state '$rstate', helper pid before '$hpid1', after '$hpid2'" \
        "$(tail -n 5 "$state/libvirtd.log")"
}

# After 'virsh start' of $name (STARTED 0 when it succeeded): wait for the
# guest's power-off, destroy it if it does not come, stop the watcher;
# sets st, the domain's last state, and wall, the seconds since T_START:
# wait_guest STARTED T_START
wait_guest() {
    st=''
    if [ "$1" = 0 ]; then
        wait_state "$name" "shut off" "$timeout" || true
        st=$domstate
    fi
    wall=$(since "$2")
    if [ "$1" = 0 ] && [ "$st" != "shut off" ]; then
        virsh -c "$uri" destroy "$name" >/dev/null 2>&1 || true
    fi
    touch "$run/stop"
    wait "$watcher" || true
}


# The guest's verdict on its console (through restarts), then what it
# did to the export, seen from the host: check_guest_run SUITE STATE WALL
check_guest_run() {
    local suite=$1 st=$2 wall=$3 results ok=0 out=
    results=$(grep -ac 'PFS-RESULT ' "$console" || true)
    if grep -aq 'PFS-DONE ok' "$console"; then
        check "guest suite $suite: $results results ok, shut off after $wall s" 0
    else
        check "guest suite $suite (state '$st' after $wall s)" 1 \
            "$(grep -a 'PFS-RESULT [^ ]* fail' "$console" | sed 's/^.*PFS-RESULT/PFS-RESULT/')" \
            "$(tail -n 15 "$console")" \
            "$(tail -n 15 "/var/log/libvirt/qemu/$name.log" 2>/dev/null)"
    fi
    if [ -f "$ctl/manifest.txt" ]; then
        out=$("$python" "$here/check-host.py" --quiet "$export" "$ctl/manifest.txt" 2>&1) || ok=1
    else
        ok=1
        out="the guest left no manifest"
    fi
    check "check-host.py: owners, modes, contents as the guest set them" $ok "$out"
}

# The helper's own account in LOG: it served, and saw QEMU go; with
# SAY_LOG=yes, the check names LOG: check_helper_served LOG SAY_LOG
check_helper_served() {
    local hlog=$1 requests ok=0 where=
    [ "$2" != yes ] || where="logged to $hlog, "
    requests=$(sed -n 's/.*client disconnected after \([0-9]*\) requests.*/\1/p' "$hlog" 2>/dev/null | tail -n 1 || true)
    grep -q "serving '" "$hlog" 2>/dev/null || ok=1
    [ "${requests:-0}" -gt 0 ] || ok=1
    check "the helper ${where}served ${requests:-0} requests and exited when QEMU did" $ok \
        "$(tail -n 5 "$hlog" 2>/dev/null)"
}

# 'virsh start NAME' must fail saying TEXT (a pattern) and leave NAME shut
# off; what it said in err: start_fails NAME TEXT
start_fails() {
    local ok=0
    if err=$(virsh -c "$uri" start "$1" 2>&1); then
        ok=1
    fi
    # shellcheck disable=SC2254 # TEXT is a pattern
    case $err in
        $2) ;;
        *) ok=1 ;;
    esac
    [ "$(virsh -c "$uri" domstate "$1" 2>&1 | head -n 1)" = "shut off" ] || ok=1
    return $ok
}

# check_guest_effects WITH_SOCKET: containment (the sentinel, its secret,
# nothing next to the export) and the identities the watcher recorded in
# $run/summary.json (QEMU's, the helper's, and with WITH_SOCKET=yes the
# socket directory's).
check_guest_effects() {
    local with_socket=$1
    # containment
    local after leaks extra out line ok
    ok=0
    after=$(stat -c '%F %a %u %g %s %Y' "$sentinel" 2>&1; sha256sum < "$sentinel" 2>&1)
    [ "$before" = "$after" ] || ok=1
    leaks=$(grep -rlaF -D skip "$token" "$run" "$export" "/var/log/libvirt" 2>/dev/null || true)
    [ -z "$leaks" ] || ok=1
    extra=$(cd "$host" && find . -mindepth 1 -maxdepth 1 ! -name export ! -name sentinel.txt)
    [ -z "$extra" ] || ok=1
    check "containment: sentinel unchanged, its secret nowhere, nothing next to the export" $ok \
        "sentinel before: $before" "after: $after" "leaks: $leaks" "new: $extra"

    # identities, the socket directory, recorded while the guest ran
    out=$("$python" - "$run/summary.json" "$(id -u "$qemu_user")" "$(id -u virt-proxyfs)" \
        "$(id -g "$qemu_user")" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
qemu_uid, helper_uid, qemu_gid = sys.argv[2], sys.argv[3], sys.argv[4]
h = s.get("helper_status", {})
q = s.get("qemu_status", {})
d = s.get("socket_dir", {})
res = {"qemu": [], "helper": [], "socket": []}
if not q:
    res["qemu"].append("no QEMU status recorded")
else:
    if q.get("Uid", "").split() != [qemu_uid] * 4:
        res["qemu"].append("QEMU Uid %r" % q.get("Uid"))
    if q.get("CapEff") != "0000000000000000":
        res["qemu"].append("QEMU CapEff %r" % q.get("CapEff"))
if not h:
    res["helper"].append("no helper status recorded")
else:
    if h.get("Uid", "").split() != [helper_uid] * 4:
        res["helper"].append("helper Uid %r" % h.get("Uid"))
    for key, want in (("CapBnd", "0000000000000000"), ("CapInh", "0000000000000000"),
                      ("CapAmb", "0000000000000000"), ("NoNewPrivs", "1"),
                      ("Seccomp", "2"), ("Groups", "")):
        if h.get(key) != want:
            res["helper"].append("helper %s=%r" % (key, h.get(key)))
if not d:
    res["socket"].append("no socket directory recorded")
else:
    # root's: QEMU's user may reach the socket, never replace it
    if d.get("mode") != "0710" or d.get("uid") != 0 or str(d.get("gid")) != qemu_gid:
        res["socket"].append("socket directory %r" % d)
    if s.get("socket_left"):
        res["socket"].append("the socket path is still there: QEMU did not connect, "
                             "or the helper did not remove it")
for key in ("qemu", "helper", "socket"):
    print("%s %s" % (key, "; ".join(res[key]) or "ok"))
print("detail helper uid %s CapEff %s CapBnd %s Seccomp %s; QEMU uid %s CapEff %s"
      % (h.get("Uid", "?").split()[0], h.get("CapEff"), h.get("CapBnd"), h.get("Seccomp"),
         q.get("Uid", "?").split()[0], q.get("CapEff")))
EOF
) || out="qemu summary unreadable
helper summary unreadable
socket summary unreadable"
    line=$(sed -n 's/^qemu //p' <<< "$out")
    check "QEMU ran as $qemu_user without capabilities" "$([ "$line" = ok ] && echo 0 || echo 1)" "$line"
    line=$(sed -n 's/^helper //p' <<< "$out")
    check "the helper served confined (virt-proxyfs, no capability bound, no_new_privs, seccomp)" \
        "$([ "$line" = ok ] && echo 0 || echo 1)" "$line"
    if [ "$with_socket" = yes ]; then
        line=$(sed -n 's/^socket //p' <<< "$out")
        check "socket directory root's, 0710, $qemu_user's group; socket taken by QEMU and removed" \
            "$([ "$line" = ok ] && echo 0 || echo 1)" "$line"
    fi
    say "$(sed -n 's/^detail //p' <<< "$out")"
}

# libvirtd goes; then nothing but this script (the namespace's init, and
# the copies of it that $(...) makes) may run in the namespace
check_libvirtd_stopped() {
    local t ok=0 left
    t=$(now)
    stop_libvirtd || ok=1
    left=$(ps -eo pid=,args= | awk -v me="$script --inner" '$1 != 1 && $2 != "ps" && $2 != "awk" && index($0, me) == 0' || true)
    [ -z "$left" ] || ok=1
    check "libvirtd stopped ($(since "$t") s); no libvirtd, QEMU or helper left" $ok "$left"
}

# The entry point of a test script: SCRIPT --inner runs inner() (in the
# namespace); otherwise [--keep] [--quiet] (keep, quiet) run outer():
# e2e_main SCRIPT ARGS...
e2e_main() {
    script=$1
    shift
    if [ "${1:-}" = --inner ]; then
        inner
        exit $?
    fi
    keep=0
    quiet=
    while [ $# -gt 0 ]; do
        case $1 in
            --keep) keep=1; shift ;;
            --quiet) quiet=1; shift ;;
            *) echo "usage: $script [--keep] [--quiet]" >&2; exit 2 ;;
        esac
    done
    outer
}
