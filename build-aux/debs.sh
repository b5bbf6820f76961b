#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# debs.sh OUTDIR: the Debian package of virt-proxyfs (debian/), called
# by './run debs', which installs the build dependencies first.
#
# Copies the source tree (git's tracked and untracked-but-not-ignored
# files, so never a build directory) to OUTDIR/src/virt-proxyfs-VERSION
# and builds the binary packages there with dpkg-buildpackage (unsigned,
# as the invoking user: the package needs no root to build). The .deb,
# .buildinfo and .changes files end up in OUTDIR, the build log in
# OUTDIR/build.log.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
outdir=$1

say() { printf '==> debs: %s\n' "$*"; }
die() { printf 'debs: %s\n' "$*" >&2; exit 1; }

# debian/changelog and meson.build must name the same version
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
project=$(sed -n "s/^  version: '\\(.*\\)',\$/\\1/p" "$top/meson.build" | head -n 1)
[ "$version" = "$project" ] ||
    die "debian/changelog is at version $version but meson.build at $project: add a changelog entry (dch -v $project)"

work=$outdir/src
tree=$work/virt-proxyfs-$version
rm -rf "$work"
mkdir -p "$tree"
rm -f "$outdir"/*.deb "$outdir"/*.buildinfo "$outdir"/*.changes "$outdir"/build.log

if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # the working tree as it is, committed or not; files deleted but
    # still in the index are left out
    (cd "$top" &&
        git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do
            if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
        done | tar --null --no-recursion -T - -cf -) | tar -xf - -C "$tree"
else
    # an unpacked tarball: everything but the build directories
    (cd "$top" &&
        find . -mindepth 1 -maxdepth 1 ! -name .git ! -name build \
            ! \( -name 'build-*' ! -name build-aux \) -print0 |
        tar --null -T - -cf -) | tar -xf - -C "$tree"
fi

say "building virt-proxyfs $version (log: $outdir/build.log)"
start=$(date +%s)
(cd "$tree" &&
    DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=${PFS_DEBS_JOBS:-2}} \
        nice -n 10 dpkg-buildpackage -b -uc -us) > "$outdir/build.log" 2>&1 || {
    tail -n 40 "$outdir/build.log" >&2
    die "dpkg-buildpackage failed; see $outdir/build.log"
}
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$outdir"/
say "built in $(($(date +%s) - start)) s:"
for f in "$outdir"/*.deb; do
    printf '    %s\n' "${f#"$top"/}"
done
