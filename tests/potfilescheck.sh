#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# potfilescheck.sh SRCDIR: every tracked src/ or tools/ .c file with a
# translatable message (_("...") or N_("...")) must be listed in
# po/POTFILES.in, or its messages never reach the translators; and
# every listed file must exist.
set -u

srcdir=${1:?usage: potfilescheck.sh SRCDIR}
cd "$srcdir" || exit 1

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files 'src/*.c' 'tools/*.c')
else
    # a release tarball has no git: every file is "tracked"
    files=$(find src tools -name '*.c' | sort)
fi

rc=0
checked=0
for f in $files; do
    grep -q '_("' "$f" || continue
    checked=$((checked + 1))
    if ! grep -qxF "$f" po/POTFILES.in; then
        echo "missing from po/POTFILES.in: $f"
        rc=1
    fi
done

while read -r listed; do
    case $listed in ''|'#'*) continue ;; esac
    if [ ! -f "$listed" ]; then
        echo "listed in po/POTFILES.in but missing: $listed"
        rc=1
    fi
done < po/POTFILES.in

if [ $rc -eq 0 ]; then
    echo "$checked files with messages, all in po/POTFILES.in"
fi
exit $rc
