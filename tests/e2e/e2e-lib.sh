# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# e2e-lib.sh: what the host sides of the guest tests share (try-boot.sh,
# guest-tests.sh, and the libvirt tests through libvirt-e2e-lib.sh);
# sourced. Progress lines are prefixed with $e2e_name; the temporary
# directory $tmp is removed on every way out; prepare_world plants what
# the guest must not reach.

say() { printf '%s: %s\n' "$e2e_name" "$*"; }
now() { date +%s.%N; }
# since T [DIGITS]: seconds from T (a now) to now, with DIGITS (2) decimals
since() { awk -v a="$1" -v b="$(now)" -v d="${2:-2}" 'BEGIN { printf "%." d "f", b - a }'; }

# The run's temporary directory, removed or, with keep=1, kept (and said
# so), on every way out once cleanup_on_exit armed it; before that,
# $child, the one process the script waits for, gets $child_signal and is
# waited for, if it still runs.
tmp=
child=
child_signal=TERM

remove_tmp() {
    if [ -n "$tmp" ] && [ -d "$tmp" ]; then
        if [ "${keep:-0}" = 1 ]; then
            say "kept $tmp"
        else
            rm -rf "$tmp"
        fi
    fi
    tmp=
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
        kill -"$child_signal" "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    remove_tmp
    exit "$rc"
}

# a signal ends the script through its EXIT trap, with the shell's status
cleanup_on_exit() {
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

# The guest's world: the sentinel outside the export, decoys, symlinks
# out of the export, the control share's params; sets token and before.
# Expects $host, $export, $sentinel, $ctl, $qemu_user.
prepare_world() {
    # the sentinel: what the guest must never read, with a fresh secret
    token=PFS-SENTINEL-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    printf '%s host secret\n' "$token" > "$sentinel"
    chmod 0644 "$sentinel"
    before=$(stat -c '%F %a %u %g %s %Y' "$sentinel"; sha256sum < "$sentinel")
    # decoys where a helper that resolves inside the export would land
    printf 'PFS-DECOY relative\n' > "$export/sentinel.txt"
    mkdir -p "$export$host"
    printf 'PFS-DECOY absolute\n' > "$export$sentinel"
    # symlinks out of the export, planted by the host
    mkdir "$export/hostlinks"
    ln -s "$sentinel" "$export/hostlinks/abs"
    ln -s ../../sentinel.txt "$export/hostlinks/rel"
    ln -s "$host" "$export/hostlinks/dir"
    printf 'sentinel_path=%s\nagent=1\n' "$sentinel" > "$ctl/params"
    chown "$qemu_user:" "$ctl/params"
}
