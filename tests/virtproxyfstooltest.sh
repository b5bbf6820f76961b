#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# virtproxyfstooltest.sh TOOL SRCDIR SCHEMA: the virt-proxyfs verbs,
# their output and their exit codes.
set -u

tool=$1
data=$2/tests/qemuxml2argvdata
schema=$3
failed=0
passed=0

check() {
    # check NAME EXPECTED-RC PATTERN COMMAND...
    name=$1 want=$2 pattern=$3
    shift 3
    out=$(LC_ALL=C "$@" 2>&1)
    rc=$?
    if [ "$rc" -ne "$want" ] || ! printf '%s\n' "$out" | grep -qF -- "$pattern"; then
        echo "FAIL $name: rc=$rc (want $want), output:"
        printf '%s\n' "$out"
        failed=$((failed + 1))
    else
        echo "ok   $name"
        passed=$((passed + 1))
    fi
}

check "validate a proxy domain" 0 "fs-proxy.xml validates" \
    "$tool" --schema "$schema" validate "$data/fs-proxy.xml"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/virtproxyfstooltest-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# the model accepts a relative <emulator>; libvirt's schema does not
sed "s|<emulator>/usr/bin/qemu-system-x86_64</emulator>|<emulator>qemu-system-x86_64</emulator>|" \
    "$data/fs-proxy.xml" > "$tmp/relative-emulator.xml"
check "validate: schema error" 1 "failed to validate against schema" \
    "$tool" --schema "$schema" validate "$tmp/relative-emulator.xml"
# the driver's own checks come first: they say what is wrong, where the
# schema says "Extra element devices in interleave"
check "validate: missing target" 1 "error: missing target information for device /srv/share" \
    "$tool" --schema "$schema" validate "$data/fs-proxy-no-target.xml"
check "validate: queue" 1 \
    "error: unsupported configuration: attribute 'queue' of element 'driver' is only supported with driver type 'virtiofs'" \
    "$tool" --schema "$schema" validate "$data/fs-proxy-queue.xml"
# a missing source directory: valid, but the start would fail
mkdir "$tmp/share"
sed "s|/srv/share|$tmp/share|" "$data/fs-proxy.xml" > "$tmp/present.xml"
sed "s|/srv/share|$tmp/missing|" "$data/fs-proxy.xml" > "$tmp/missing.xml"
check "validate: source missing" 0 \
    "warning: the source directory '$tmp/missing' of filesystem 'share': No such file or directory; the domain cannot start until it exists" \
    "$tool" --schema "$schema" validate "$tmp/missing.xml"
if "$tool" --schema "$schema" validate "$tmp/present.xml" 2>&1 | grep -q warning; then
    echo "FAIL validate: source present: warned"
    failed=$((failed + 1))
else
    echo "ok   validate: source present"
    passed=$((passed + 1))
fi
check "validate: semantic error" 1 \
    "error: unsupported configuration: filesystem driver 'proxy' only supports passthrough accessmode" \
    "$tool" --schema "$schema" validate "$data/fs-proxy-accessmode-mapped.xml"
check "validate: missing file" 1 "error: XML error:" \
    "$tool" --schema "$schema" validate "$data/does-not-exist.xml"
check "domxml-to-native" 0 "-fsdev proxy,id=fsdev-fs0,sock_fd=11 \\" \
    "$tool" --fd-base 10 domxml-to-native "$data/fs-proxy.xml"
check "domxml-to-native --one-line" 0 "-fsdev proxy,id=fsdev-fs0,sock_fd=4 -device '{\"driver\":\"virtio-9p-pci\"" \
    "$tool" --one-line domxml-to-native "$data/fs-proxy.xml"
check "domxml-to-native: error" 1 "error: unsupported configuration: only supports mount filesystem type" \
    "$tool" domxml-to-native "$data/fs-proxy-type-file.xml"
check "unknown command" 1 "error: unknown command 'frobnicate'" \
    "$tool" frobnicate "$data/fs-proxy.xml"
check "bad --fd-base" 1 "error: --fd-base must be at least 3" \
    "$tool" --fd-base 1 domxml-to-native "$data/fs-proxy.xml"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
