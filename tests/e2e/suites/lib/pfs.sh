# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Functions for the guest suites in /suites/*.sh; sourced, not run.
#
# Results: 'PFS-RESULT NAME ok|fail DETAIL' on stdout (the serial console)
# and in $PFS_RESULTS, which /init counts.
#
# Manifest: what a suite created, for tests/e2e/check-host.py to verify on
# the host; one object per line, 'KIND PATH KEY=VALUE...', PATH relative to
# the export root (see check-host.py for the kinds and keys).

PFS_TOOL=/bin/pfs-guest-tool
PFS_RESULTS=${PFS_RESULTS:-/run/pfs-results}
PFS_SCRATCH=/tmp/pfs-suite
mkdir -p "$PFS_SCRATCH"

pfs_result() {
    # pfs_result NAME ok|fail DETAIL...
    _pfs_name=$1
    _pfs_status=$2
    shift 2
    _pfs_line="PFS-RESULT $_pfs_name $_pfs_status $(printf '%s' "$*" | tr '\n\t' '  ' | cut -c1-300)"
    echo "$_pfs_line"
    echo "$_pfs_line" >> "$PFS_RESULTS"
}

pfs_info() {
    # pfs_info KEY: the guest's uptime, for timings
    read -r _pfs_up _ < /proc/uptime
    echo "PFS-INFO $1 $_pfs_up"
}

pfs_ok() {
    _pfs_n=$1
    shift
    pfs_result "$_pfs_n" ok "$@"
}

pfs_fail() {
    _pfs_n=$1
    shift
    pfs_result "$_pfs_n" fail "$@"
}

pfs_errno() {
    # The errno name in a command's output: pfs-guest-tool prints
    # 'errno=ENAME', busybox prints strerror() texts.
    case $1 in
        *errno=*) printf '%s\n' "$1" | sed -n 's/.*errno=\([A-Z0-9]*\).*/\1/p' | head -n 1 ;;
        *"Operation not permitted"*) echo EPERM ;;
        *"Permission denied"*) echo EACCES ;;
        *"No such file or directory"*) echo ENOENT ;;
        *"File exists"*) echo EEXIST ;;
        *"Directory not empty"*) echo ENOTEMPTY ;;
        *"Read-only file system"*) echo EROFS ;;
        *"No data available"*) echo ENODATA ;;
        *"Not a directory"*) echo ENOTDIR ;;
        *"Is a directory"*) echo EISDIR ;;
        *"Too many levels of symbolic links"*) echo ELOOP ;;
        *"File name too long"*) echo ENAMETOOLONG ;;
        *"Not supported"* | *"Operation not supported"*) echo EOPNOTSUPP ;;
        *"No such device or address"*) echo ENXIO ;;
        *"Input/output error"*) echo EIO ;;
        *) echo unknown ;;
    esac
}

pfs_run() {
    # pfs_run CMD...: output (stdout and stderr) in PFS_OUT, status in
    # PFS_RC. No command substitution: under TCG every fork counts.
    "$@" > "$PFS_SCRATCH/out" 2>&1
    PFS_RC=$?
    PFS_OUT=
    while IFS= read -r _pfs_l || [ -n "$_pfs_l" ]; do
        PFS_OUT="${PFS_OUT:+$PFS_OUT
}$_pfs_l"
    done < "$PFS_SCRATCH/out"
}

pfs_as() {
    # pfs_as UID GID[,GID...] CMD...: run CMD as that user
    _pfs_uid=$1
    _pfs_gids=$2
    shift 2
    "$PFS_TOOL" runas "$_pfs_uid" "$_pfs_gids" "$@"
}

pfs_expect() {
    # pfs_expect NAME WANT CMD...
    # WANT: ok (status 0), fail (any failure) or an errno name (failure
    # with that error)
    _pfs_n=$1
    _pfs_want=$2
    shift 2
    pfs_run "$@"
    case $_pfs_want in
        ok)
            if [ $PFS_RC -eq 0 ]; then
                pfs_ok "$_pfs_n"
            else
                pfs_fail "$_pfs_n" "status $PFS_RC: $PFS_OUT"
            fi
            ;;
        fail)
            if [ $PFS_RC -ne 0 ]; then
                pfs_ok "$_pfs_n" "refused: $PFS_OUT"
            else
                pfs_fail "$_pfs_n" "succeeded, expected a failure"
            fi
            ;;
        *)
            _pfs_got=$(pfs_errno "$PFS_OUT")
            if [ $PFS_RC -eq 0 ]; then
                pfs_fail "$_pfs_n" "succeeded, expected $_pfs_want"
            elif [ "$_pfs_got" = "$_pfs_want" ]; then
                pfs_ok "$_pfs_n" "$_pfs_want"
            else
                pfs_fail "$_pfs_n" "expected $_pfs_want, got $_pfs_got: $(echo "$PFS_OUT" | tail -c 200)"
            fi
            ;;
    esac
    [ "$_pfs_want" = ok ] && return $PFS_RC
    return 0
}

pfs_expect_output() {
    # pfs_expect_output NAME EXPECTED CMD...: status 0 and exactly that
    # output (without trailing newlines)
    _pfs_n=$1
    _pfs_exp=$2
    shift 2
    pfs_run "$@"
    if [ $PFS_RC -ne 0 ]; then
        pfs_fail "$_pfs_n" "status $PFS_RC: $PFS_OUT"
    elif [ "$PFS_OUT" != "$_pfs_exp" ]; then
        pfs_fail "$_pfs_n" "got '$PFS_OUT', expected '$_pfs_exp'"
    else
        pfs_ok "$_pfs_n"
    fi
}

pfs_expect_same() {
    # pfs_expect_same NAME EXPECTED-FILE CMD...: CMD's stdout is
    # byte-for-byte the expected file
    _pfs_n=$1
    _pfs_expf=$2
    shift 2
    "$@" > "$PFS_SCRATCH/got" 2> "$PFS_SCRATCH/err"
    _pfs_rc=$?
    if [ $_pfs_rc -ne 0 ]; then
        pfs_fail "$_pfs_n" "status $_pfs_rc: $(cat "$PFS_SCRATCH/err")"
    elif ! cmp -s "$PFS_SCRATCH/got" "$_pfs_expf"; then
        pfs_fail "$_pfs_n" "content differs: $(wc -c < "$PFS_SCRATCH/got") bytes read, $(wc -c < "$_pfs_expf") expected"
    else
        pfs_ok "$_pfs_n" "$(wc -c < "$_pfs_expf") bytes"
    fi
}

pfs_expect_stat() {
    # pfs_expect_stat NAME PATH 'UID GID MODE': lstat as the guest sees it
    # (MODE in octal, with the set-id and sticky bits)
    _pfs_n=$1
    _pfs_p=$2
    _pfs_exp=$3
    pfs_run stat -c '%u %g %a' "$_pfs_p"
    if [ $PFS_RC -ne 0 ]; then
        pfs_fail "$_pfs_n" "stat: $PFS_OUT"
        return
    fi
    # busybox prints the mode without leading zeros
    set -- $PFS_OUT
    _pfs_got="$1 $2 $(printf '%04o' "0$3")"
    set -- $_pfs_exp
    _pfs_want="$1 $2 $(printf '%04o' "0$3")"
    if [ "$_pfs_got" = "$_pfs_want" ]; then
        pfs_ok "$_pfs_n" "$_pfs_got"
    else
        pfs_fail "$_pfs_n" "got '$_pfs_got', expected '$_pfs_want'"
    fi
}

pfs_share() {
    # pfs_share NAME: the 'share' mount in S; a failed result NAME, and
    # status 1, when no 9p file system is mounted there
    S=${PFS_MNT_share:-/mnt/share}
    grep -q " $S 9p " /proc/mounts && return 0
    pfs_fail "$1" "the share is not mounted on $S"
    return 1
}

pfs_manifest_start() {
    # pfs_manifest_start: PFS_MANIFEST, emptied; in the control share, or
    # at the root of the share ($S) without one
    if [ -n "${PFS_CTL:-}" ]; then
        PFS_MANIFEST=$PFS_CTL/manifest.txt
    else
        PFS_MANIFEST=$S/pfs-e2e-manifest.txt
    fi
    true > "$PFS_MANIFEST"
}

pfs_manifest() {
    # pfs_manifest KIND PATH KEY=VALUE...
    echo "$*" >> "$PFS_MANIFEST"
}

pfs_manifest_file() {
    # pfs_manifest_file PATH UID GID MODE EXPECTED-CONTENT-FILE
    # one command substitution: 'SHA256  FILE' and the size
    _pfs_f=$5
    set -- "$1" "$2" "$3" "$4" $(sha256sum "$_pfs_f"; wc -c < "$_pfs_f")
    pfs_manifest file "$1" "uid=$2" "gid=$3" "mode=$4" "size=$7" "sha256=$5"
}

pfs_expected() {
    # pfs_expected NAME TEXT: write TEXT (printf %b) to a scratch file
    # whose path is left in PFS_EXP
    PFS_EXP=$PFS_SCRATCH/exp.$1
    printf '%b' "$2" > "$PFS_EXP"
}

pfs_param() {
    # pfs_param KEY: a value the host put in the control share's 'params'
    [ -n "${PFS_CTL:-}" ] && [ -f "$PFS_CTL/params" ] || return 0
    sed -n "s/^$1=//p" "$PFS_CTL/params" | head -n 1
}
