#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# libvirt-debs.sh DSC OUTDIR: Debian's libvirt packages with our patch
# series, called by 'build-aux/libvirt.sh debs' ('./run libvirt-debs').
#
# Unpacks the source package without applying its patches, adds
# libvirt/patches/*.patch as debian/patches/proxyfs/ at the end of
# debian/patches/series, adds a changelog entry for version
# VERSION+proxyfs1, installs the package's build dependencies with
# 'apt-get build-dep' on the unpacked tree, and builds the binary
# packages with dpkg-buildpackage (DEB_BUILD_OPTIONS="nocheck nodoc
# parallel=2", unsigned). The .deb files end up in OUTDIR; the tree and
# the build log in OUTDIR/src.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dsc=$1
outdir=$2
patches=$top/libvirt/patches
suffix=+proxyfs1

say() { printf '==> libvirt-debs: %s\n' "$*"; }

version=$(sed -n 's/^Version: //p' "$dsc")
newversion=$version$suffix
work=$outdir/src
tree=$work/libvirt

rm -rf "$work"
mkdir -p "$work"
rm -f "$outdir"/*.deb "$outdir"/*.ddeb "$outdir"/*.buildinfo "$outdir"/*.changes

# patches are applied by dpkg-buildpackage, Debian's and ours together
dpkg-source --skip-patches -x "$dsc" "$tree"

mkdir -p "$tree/debian/patches/proxyfs"
{
    echo
    echo "# virt-proxyfs: the 'proxy' filesystem driver (libvirt/README.rst)"
} >> "$tree/debian/patches/series"
for p in "$patches"/*.patch; do
    cp "$p" "$tree/debian/patches/proxyfs/"
    echo "proxyfs/$(basename "$p")" >> "$tree/debian/patches/series"
done

# the changelog entry, dated by the last change of the series
name=$(git -C "$top" log -1 --format=%an -- libvirt/patches 2>/dev/null || true)
mail=$(git -C "$top" log -1 --format=%ae -- libvirt/patches 2>/dev/null || true)
epoch=$(git -C "$top" log -1 --format=%ct -- libvirt/patches 2>/dev/null || date +%s)
{
    echo "libvirt ($newversion) bookworm; urgency=medium"
    echo
    echo "  * Add the 'proxy' filesystem driver to the QEMU driver (virt-proxyfs"
    echo "    patch series, debian/patches/proxyfs/):"
    for p in "$patches"/*.patch; do
        echo "    - $(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$p" | head -n 1)"
    done
    echo
    echo " -- ${name:-virt-proxyfs} <${mail:-virt-proxyfs@localhost}>  $(date -R -u -d "@$epoch")"
    echo
    cat "$tree/debian/changelog"
} > "$tree/debian/changelog.new"
mv "$tree/debian/changelog.new" "$tree/debian/changelog"
say "version $newversion with $(ls "$patches"/*.patch | wc -l) patches"

say "installing the build dependencies (apt-get build-dep)"
DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q --no-install-recommends "$tree"

say "building (log: $work/build.log)"
(cd "$tree" &&
    DEB_BUILD_OPTIONS="nocheck nodoc parallel=${PFS_LIBVIRT_JOBS:-2}" \
        nice -n 10 dpkg-buildpackage -b -uc -us) > "$work/build.log" 2>&1 || {
    tail -n 40 "$work/build.log" >&2
    echo "libvirt-debs: dpkg-buildpackage failed; see $work/build.log" >&2
    exit 1
}
mv "$work"/*.deb "$outdir"/
mv "$work"/*.buildinfo "$work"/*.changes "$outdir"/ 2>/dev/null || true
say "$(ls "$outdir"/*.deb | wc -l) packages in $outdir"
