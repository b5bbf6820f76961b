#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# qemuprocesstest.sh TOOL HELPER SRCDIR: 'virt-proxyfs start/list/stop'
# with a real QEMU 7.2 (TCG, no guest OS): QEMU runs unprivileged with no
# capabilities, each proxy helper confined; stop and every failure leave
# no process, pid file or socket behind. Needs root (as CI runs it).
# Cases are reported in cmocka's format, which build-aux/test-summary.py
# counts.
set -u

tool=$1
helper=$2
data=$3/tests/qemuxml2argvdata
failed=0

ok() { echo "[       OK ] $1"; }
fail() { echo "[  FAILED  ] $1: $2"; failed=$((failed + 1)); }

if [ "$(id -u)" -ne 0 ] || ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    why="needs root and qemu-system-x86_64"
    if [ "${CI:-}" = true ]; then
        fail "qemuprocess" "$why (required under CI)"
        exit 1
    fi
    echo "[  SKIPPED ] qemuprocess: $why"
    exit 77
fi

mkdir -p "${TMPDIR:-/tmp}"
top=$(mktemp -d "${TMPDIR:-/tmp}/qemuprocesstest-XXXXXX")
cleanup() {
    # whatever a failed case left running
    for f in "$top"/run/*/*.pid; do
        [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
    done
    rm -rf "$top"
}
trap cleanup EXIT

mkdir -p "$top/share" "$top/emptydir"
conf=$top/qemu.conf
cat > "$conf" <<CONF
helper = "$helper"
state_dir = "$top/run"
log_dir = "$top/log"
lib_dir = "$top/lib"
shutdown_timeout = 2
CONF
sed "s|/srv/share|$top/share|" "$data/fs-proxy-accessmode-default.xml" > "$top/guest.xml"
name=QEMUGuest1

field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

nothing_left() {
    # nothing_left CASE: no process of the domain, no state directory
    if [ -e "$top/run/$name" ]; then
        fail "$1" "state directory left: $(ls -A "$top/run/$name" | tr '\n' ' ')"
        return 1
    fi
    if pgrep -f "$top/share" >/dev/null 2>&1 || pgrep -f "guest=$name" >/dev/null 2>&1; then
        fail "$1" "processes left: $(pgrep -af "$top" | tr '\n' ';')"
        return 1
    fi
    return 0
}

# -- start in the background, inspect, stop --
out=$("$tool" --config "$conf" --daemon start "$top/guest.xml" 2>&1)
if [ $? -ne 0 ] || ! printf '%s' "$out" | grep -q "Domain '$name' started"; then
    fail "start --daemon" "$out"
    exit 1
fi
ok "start --daemon"

if "$tool" --config "$conf" list | grep -q "^ $name  *running"; then
    ok "list"
else
    fail "list" "$("$tool" --config "$conf" list 2>&1)"
fi

qemu=$(cat "$top/run/$name/qemu.pid")
fs0=$(cat "$top/run/$name/fs0.pid")
quid=$(id -u virt-proxyfs-qemu)
huid=$(id -u virt-proxyfs)
got="$(field "$qemu" Uid) $(field "$qemu" CapEff) $(field "$qemu" CapPrm) $(field "$qemu" CapBnd) $(field "$qemu" CapAmb) $(field "$qemu" NoNewPrivs)"
want="$quid 0000000000000000 0000000000000000 0000000000000000 0000000000000000 1"
if [ "$got" = "$want" ] && [ -z "$(awk '$1 == "Groups:" { print $2 }' "/proc/$qemu/status")" ]; then
    ok "QEMU runs unprivileged"
else
    fail "QEMU runs unprivileged" "got '$got', want '$want'"
fi
got="$(field "$fs0" Uid) $(field "$fs0" CapEff) $(field "$fs0" CapBnd) $(field "$fs0" NoNewPrivs) $(field "$fs0" Seccomp)"
want="$huid 000000000000001b 0000000000000000 1 2"
if [ "$got" = "$want" ]; then
    ok "the helper is confined"
else
    fail "the helper is confined" "got '$got', want '$want'"
fi
out=$("$tool" --config "$conf" stop "$name" 2>&1)
if [ $? -eq 0 ] && nothing_left "stop"; then
    ok "stop"
fi
out=$("$tool" --config "$conf" stop "$name" 2>&1)
if [ $? -eq 1 ] && printf '%s' "$out" | grep -q "domain '$name' is not running"; then
    ok "stop a stopped domain"
else
    fail "stop a stopped domain" "$out"
fi

# -- QEMU killed: the helper sees the end of its connection at once
#    (the driver kept no copy of QEMU's end), and the driver cleans up --
"$tool" --config "$conf" --daemon start "$top/guest.xml" >/dev/null 2>&1
qemu=$(cat "$top/run/$name/qemu.pid" 2>/dev/null)
fs0=$(cat "$top/run/$name/fs0.pid" 2>/dev/null)
before=$(grep -c "client disconnected" "$top/log/$name-fs0.log")
kill -9 "$qemu"
i=0
while kill -0 "$fs0" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$fs0" 2>/dev/null; then
    fail "QEMU killed" "the helper still runs 2 s after QEMU died"
elif [ "$(grep -c "client disconnected" "$top/log/$name-fs0.log")" -ne $((before + 1)) ]; then
    fail "QEMU killed" "the helper did not exit by itself: $(cat "$top/log/$name-fs0.log")"
else
    i=0
    while [ -e "$top/run/$name" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    nothing_left "QEMU killed" && ok "QEMU killed"
fi

# -- the supervisor killed: QEMU and the helper run on; a new start
#    refuses (it used to remove their state and start a second QEMU),
#    list shows the domain, stop ends what is left --
"$tool" --config "$conf" --daemon start "$top/guest.xml" >/dev/null 2>&1
qemu=$(cat "$top/run/$name/qemu.pid" 2>/dev/null)
fs0=$(cat "$top/run/$name/fs0.pid" 2>/dev/null)
kill -9 "$(cat "$top/run/$name/supervisor.pid")"
sleep 0.2
out=$("$tool" --config "$conf" start "$top/guest.xml" 2>&1)
rc=$?
if [ $rc -eq 1 ] && printf '%s' "$out" | grep -qF "domain '$name' still runs without its supervisor, which ended abruptly: QEMU (pid $qemu), the proxy helper of filesystem 'fs0' (pid $fs0); stop it with 'virt-proxyfs stop $name'" &&
   [ "$(pgrep -fc "guest=$name,")" -eq 1 ] && kill -0 "$qemu" && [ -f "$top/run/$name/qemu.pid" ]; then
    ok "supervisor killed: start refuses"
else
    fail "supervisor killed: start refuses" "rc=$rc: $out; $(pgrep -af "guest=$name," | tr '\n' ';')"
fi
if "$tool" --config "$conf" list | grep -q "^ $name  *orphaned  *-$"; then
    ok "supervisor killed: list"
else
    fail "supervisor killed: list" "$("$tool" --config "$conf" list 2>&1)"
fi
# a pid file naming another process (recycled pid): not signalled; the
# helper ends by itself once QEMU is gone
sleep 300 &
decoy=$!
echo "$decoy" > "$top/run/$name/fs0.pid"
out=$("$tool" --config "$conf" stop "$name" 2>&1)
rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -qxF "Domain '$name' stopped: its supervisor had ended abruptly; stopped QEMU (pid $qemu)" &&
   kill -0 "$decoy" && nothing_left "supervisor killed: stop"; then
    ok "supervisor killed: stop"
else
    fail "supervisor killed: stop" "rc=$rc: $out"
fi
kill "$decoy"

# -- failures before QEMU starts: clear errors, nothing left --
expect_start_error() {
    # expect_start_error CASE PATTERN XML [CONF]
    out=$("$tool" --config "${4:-$conf}" start "$3" 2>&1)
    if [ $? -ne 1 ] || ! printf '%s' "$out" | grep -qF -- "$2"; then
        fail "$1" "$out"
    elif nothing_left "$1"; then
        ok "$1"
    fi
}

sed "s|/srv/share|$top/missing|" "$data/fs-proxy-accessmode-default.xml" > "$top/missing.xml"
expect_start_error "export missing" \
    "the proxy helper of filesystem 'share' could not start: cannot open export path '$top/missing'" \
    "$top/missing.xml"

sed "s|^helper = .*|helper = \"$top/no-such-helper\"|" "$conf" > "$top/nohelper.conf"
expect_start_error "helper missing" "cannot execute '$top/no-such-helper'" \
    "$top/guest.xml" "$top/nohelper.conf"

{ cat "$conf"; echo 'user = "pfs-no-such-user"'; } > "$top/nouser.conf"
expect_start_error "QEMU user missing" "pfs-no-such-user" "$top/guest.xml" "$top/nouser.conf"

# -- QEMU refuses what it was given: its own reason, whole, not the
#    monitor's "connection reset" nor a command line cut short --
chmod 0711 "$top"
mkdir -m 0755 "$top/images"
head -c 65536 /dev/zero > "$top/images/not-qcow2.img"
chmod 0644 "$top/images/not-qcow2.img"
sed "s|<memballoon|<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$top/images/not-qcow2.img'/><target dev='vda' bus='virtio'/><readonly/></disk>\n<memballoon|" \
    "$top/guest.xml" > "$top/badimage.xml"
out=$("$tool" --config "$conf" start "$top/badimage.xml" 2>&1)
rc=$?
if [ $rc -ne 1 ] || ! printf '%s' "$out" | grep -q "^error: QEMU did not start: it exited with status 1" ||
   ! printf '%s' "$out" | grep -q "^[-0-9T:.Z]* qemu-system-x86_64: -blockdev {.*\"backing\":null}: Image is not in qcow2 format\$" ||
   printf '%s' "$out" | grep -q "monitor"; then
    fail "QEMU's reason shown" "rc=$rc: $out"
elif nothing_left "QEMU's reason shown"; then
    ok "QEMU's reason shown"
fi

# -- files QEMU opens: a serial file is created or given to QEMU's user
#    for the run and given back; a path QEMU's user cannot open is
#    refused up front, naming it; nothing is chowned where another user
#    could swap the file --
mkdir -m 0755 "$top/logs"
mkdir -m 0700 "$top/private"
mkdir -m 1777 "$top/public"
: > "$top/logs/existing.log"
chown 65534:65534 "$top/logs/existing.log"
chmod 0600 "$top/logs/existing.log"
with_xml() {
    # with_xml OUT ELEMENTS: the guest with ELEMENTS before <memballoon>
    sed "s|<memballoon|$2\n<memballoon|" "$top/guest.xml" > "$1"
}
serial() { echo "<serial type='file'><source path='$1'/><target port='$2'/></serial>"; }
with_xml "$top/serials.xml" "$(serial "$top/logs/new.log" 0)$(serial "$top/logs/existing.log" 1)"
out=$("$tool" --config "$conf" --daemon start "$top/serials.xml" 2>&1)
during="$(stat -c '%U %a' "$top/logs/new.log" 2>&1) $(stat -c '%U %a' "$top/logs/existing.log")"
"$tool" --config "$conf" stop "$name" >/dev/null 2>&1
after="$(stat -c '%u:%g %a' "$top/logs/new.log" 2>&1) $(stat -c '%u:%g %a' "$top/logs/existing.log")"
if [ "$during" = "virt-proxyfs-qemu 600 virt-proxyfs-qemu 600" ] &&
   [ "$after" = "0:0 600 65534:65534 600" ] && nothing_left "serial files given and given back"; then
    ok "serial files given and given back"
else
    fail "serial files given and given back" "$out; during: $during; after: $after"
fi

with_xml "$top/private-serial.xml" "$(serial "$top/private/console.log" 0)"
expect_start_error "serial file QEMU cannot reach" \
    "error: QEMU's user 'virt-proxyfs-qemu' cannot write to '$top/private/console.log' (serial port 'serial0'): Permission denied" \
    "$top/private-serial.xml"
if [ -e "$top/private/console.log" ]; then
    fail "serial file QEMU cannot reach: removed" "$(ls -l "$top/private")"
fi

: > "$top/decoy"
chmod 0600 "$top/decoy"
ln -s "$top/decoy" "$top/public/console.log"
with_xml "$top/public-serial.xml" "$(serial "$top/public/console.log" 0)"
expect_start_error "serial file in a directory others write to: not chowned" \
    "error: QEMU's user 'virt-proxyfs-qemu' cannot write to '$top/public/console.log' (serial port 'serial0'): Permission denied" \
    "$top/public-serial.xml"
[ "$(stat -c %u "$top/decoy")" = 0 ] || fail "serial file in a directory others write to" "the decoy was chowned"

head -c 1024 /dev/zero > "$top/private/vmlinuz"
sed "s|<boot dev='hd'/>|<kernel>$top/private/vmlinuz</kernel>|" "$top/guest.xml" > "$top/kernel.xml"
expect_start_error "kernel QEMU cannot read" \
    "error: QEMU's user 'virt-proxyfs-qemu' cannot read '$top/private/vmlinuz' (the kernel): Permission denied" \
    "$top/kernel.xml"

# -- a helper killed while the domain runs: noticed, torn down --
"$tool" --config "$conf" start "$top/guest.xml" > "$top/fg.out" 2>&1 &
fg=$!
i=0
while [ ! -f "$top/run/$name/fs0.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
kill -9 "$(cat "$top/run/$name/fs0.pid")"
wait "$fg"
rc=$?
if [ $rc -eq 1 ] && grep -q "the proxy helper of filesystem 'fs0' of domain '$name' killed by signal 9" "$top/fg.out" &&
   nothing_left "helper killed mid-run"; then
    ok "helper killed mid-run"
else
    [ $rc -eq 1 ] || fail "helper killed mid-run" "rc=$rc: $(cat "$top/fg.out")"
fi

[ $failed -eq 0 ]
