# SPDX-License-Identifier: LGPL-2.1-or-later
#
# e2e-check.sh: cmocka-style checks for the end-to-end shell tests,
# sourced. check NAME STATUS [DETAIL...] prints one line, prefixed with
# $check_prefix, and the details of a failure; $failures counts them.

failures=0
check() {
    local what=$1 ok=$2
    shift 2
    if [ "$ok" = 0 ]; then
        echo "[       OK ] ${check_prefix:-e2e}: $what"
    else
        echo "[  FAILED  ] ${check_prefix:-e2e}: $what"
        [ $# -eq 0 ] || printf '  | %s\n' "$@"
        failures=$((failures + 1))
    fi
}
