#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The README's main command (./run demo) ends here: boot a small guest
# with 'virt-proxyfs start', from a built-in domain XML with a proxy share
# of a demo directory; the guest changes owners, modes and xattrs there,
# as root and as a user, and tries what it must not; then show what
# changed on the host and that QEMU ran unprivileged. Needs root.
#
#   demo.sh BUILDDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:?usage: demo.sh BUILDDIR}" && pwd)
tool=$build/tools/virt-proxyfs
helper=$build/src/proxyfs/virt-proxyfs-helper
demo=$build/demo
qemu_user=virt-proxyfs-qemu

say() { printf '\n==> %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root" >&2; exit 1; }

say "building the guest: Debian 12's kernel and a busybox initramfs (cached after the first run)"
"$here/build-guest.sh" "$build/e2e-guest"
. "$build/e2e-guest/kit.env"

rm -rf "$demo"
mkdir -p "$demo/share" "$demo/ctl" "$demo/run"
chmod 0755 "$demo" "$demo/share"
chown "$qemu_user:" "$demo/ctl"
printf 'hello from the host\n' > "$demo/share/from-host.txt"

say "starting the guest with 'virt-proxyfs start' (TCG, a few seconds)"
echo "    QEMU runs as '$qemu_user'; the share 'share' is served by virt-proxyfs-helper,"
echo "    which starts as root, confines itself to $demo/share and drops to 'virt-proxyfs'."
echo "    Each line 'guest: PFS-RESULT NAME ok DETAIL' is one operation the guest tried:"
python3 "$here/pfs-e2e-driver.py" --tool "$tool" --helper "$helper" \
    --export "$demo/share" --ctl "$demo/ctl" \
    --kernel "$PFS_E2E_KERNEL" --initrd "$PFS_E2E_INITRD" \
    --append "$PFS_E2E_APPEND pfs.mounts=share:/mnt/share,ctl:/mnt/ctl pfs.suite=smoke" \
    --qemu-user "$qemu_user" --rundir "$demo/run" --console "$demo/run/console.log" \
    --summary "$demo/run/summary.json" --timeout 300

say "what the guest did, seen on the host (numeric owners: the guest's chown really happened)"
(cd "$demo/share" && ls -lnR --time-style=+ . | sed 's/^/    /')
printf '    xattr user.pfs.smoke of smoke/hello.txt: '
getfattr --only-values -n user.pfs.smoke "$demo/share/smoke/hello.txt" 2>/dev/null || echo '(none)'
echo
echo "    smoke/hello.txt: the guest's root did 'chown 1234:2345' and 'chmod 2640'"
echo "    smoke/user.txt:  created by the guest's uid 1000, so owned by 1000 here"
echo "    the guest's 'mknod c 1 3' was refused (EPERM), its '../sentinel.txt' stayed inside"

say "who did it: identities while the guest ran (from /proc/PID/status)"
python3 - "$demo/run/summary.json" <<'PY'
import json, pwd, sys
s = json.load(open(sys.argv[1]))
for who, key in (("QEMU", "qemu_status"), ("virt-proxyfs-helper", "helper_status")):
    st = s.get(key) or {}
    uid = int(st.get("Uid", "-1").split()[0])
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = "?"
    print("    %-20s uid %d (%s), effective capabilities %s, bounding set %s, "
          "no_new_privs %s, seccomp %s" % (who, uid, name, st.get("CapEff"),
                                           st.get("CapBnd"), st.get("NoNewPrivs"),
                                           st.get("Seccomp")))
print("    (capabilities 1b = CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID)")
PY

say "the domain is gone: 'virt-proxyfs list' shows nothing running"
"$tool" --config "$demo/run/qemu.conf" list | sed 's/^/    /'
echo
echo "The share stays in $demo/share; the logs in $demo/run/log."
