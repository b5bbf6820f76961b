#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build-guest.sh OUTDIR: build the end-to-end test guest.
#
#   OUTDIR/vmlinux          Debian 12's generic kernel as an ELF image, which
#                           QEMU boots directly (PVH), saving the guest the
#                           slow xz decompression of the bzImage under TCG
#   OUTDIR/initramfs.cpio   busybox-static, the virtio and 9p modules,
#                           pfs-guest-tool, /init and the suites; also the
#                           virtio-blk and ext4 modules, which /init loads
#                           only for a guest with a scratch disk
#                           (pfs.disk=1, see guest-init.sh)
#   OUTDIR/kit.env          the paths and the kernel command line, as shell
#                           variables for a launcher
#   OUTDIR/cache/           the kernel .deb and what was extracted from it
#
# Idempotent: a second run reuses the .deb, the extracted kernel and
# modules, and rebuilds the initramfs only when one of its inputs changed.
# The kernel is the versioned package 'linux-image-amd64' depends on (never
# the cloud flavour, which lacks 9p); it is fetched with 'apt-get download',
# never installed. Set PFS_E2E_KERNEL_PKG to choose another package.
#
# Needs (build-aux/debian-packages.txt): apt, dpkg, tar, xz-utils,
# busybox-static, cpio, gcc and libc6-dev.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# modules the guest needs; their dependencies come from modules.dep
wanted_modules=(virtio_pci 9pnet_virtio 9p)
# loaded only with pfs.disk=1: an ext4 scratch disk (ext4's checksums ask
# the crypto API for crc32c, a soft dependency that modules.dep leaves
# out; the generic one, since TCG's default CPU has no SSE 4.2)
disk_modules=(virtio_blk crc32c_generic ext4)
kernel_cmdline='console=ttyS0 quiet panic=-1 mitigations=off rodata=off nokaslr tsc=reliable no_timer_check'

say() { printf 'build-guest: %s\n' "$*"; }
die() { printf 'build-guest: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# temporary files and directories, removed on every exit
cleanup_paths=()
trap 'rm -rf "${cleanup_paths[@]}"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ $# -eq 1 ] || { echo "usage: build-guest.sh OUTDIR" >&2; exit 2; }
mkdir -p "$1"
outdir=$(cd "$1" && pwd)
cache=$outdir/cache
mkdir -p "$cache"
start=$(now)

missing=()
for tool in apt-get apt-cache dpkg-deb tar xz gcc readelf cpio sha256sum flock od; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
busybox=/bin/busybox
if ! [ -x "$busybox" ] || ! grep -qx insmod <<< "$("$busybox" --list 2>/dev/null)"; then
    missing+=(busybox-static)
fi
[ ${#missing[@]} -eq 0 ] ||
    die "missing ${missing[*]}: install the packages of build-aux/debian-packages.txt"
# the guest has no shared libraries: the busybox of busybox-static is needed
if LC_ALL=C readelf -l "$busybox" 2>/dev/null | grep -q 'program interpreter'; then
    die "$busybox is dynamically linked: install busybox-static, not busybox"
fi

# one build at a time per OUTDIR
exec 9> "$outdir/.lock"
flock 9

# --- the kernel package ------------------------------------------------------

# prints 'PACKAGE VERSION' (one apt-cache call: each takes about 1 s here)
resolve_kernel_pkg() {
    local meta=linux-image-amd64 show name= version=
    if [ -n "${PFS_E2E_KERNEL_PKG:-}" ]; then
        meta=$PFS_E2E_KERNEL_PKG
    fi
    show=$(apt-cache show --no-all-versions "$meta" 2>/dev/null) || return 0
    if [ "$meta" = linux-image-amd64 ]; then
        # the metapackage depends on exactly one versioned kernel package
        read -r name version < <(sed -n \
            's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\) (= \([^)]*\)).*/\1 \2/p' \
            <<< "$show"; echo)
    else
        name=$meta
        version=$(sed -n 's/^Version: //p' <<< "$show" | head -n 1)
    fi
    [ -z "$name" ] || [ -z "$version" ] || echo "$name $version"
}

read -r pkg version < <(resolve_kernel_pkg; echo)
deb=
if [ -n "$pkg" ]; then
    case $pkg in
        *cloud*) die "$pkg is the cloud kernel, which has no 9p" ;;
    esac
    # apt's file name: the epoch's colon is written %3a
    deb=$cache/${pkg}_${version//:/%3a}_amd64.deb
    if [ -f "$deb" ]; then
        say "kernel package $pkg $version: cached"
    else
        say "downloading $pkg $version with apt-get download"
        t=$(now)
        dl=$(mktemp -d "$cache/download.XXXXXX")
        cleanup_paths+=("$dl")
        # let apt's unprivileged download user write there (no warning)
        if [ "$(id -u)" -eq 0 ] && getent passwd _apt >/dev/null; then
            chown _apt "$dl"
        fi
        if ! (cd "$dl" && apt-get download "$pkg=$version"); then
            rm -rf "$dl"
            die "apt-get download $pkg failed"
        fi
        got=$(find "$dl" -maxdepth 1 -name '*.deb' | head -n 1)
        [ -n "$got" ] || { rm -rf "$dl"; die "apt-get download left no .deb"; }
        mv "$got" "$deb"
        rm -rf "$dl"
        say "downloaded $(stat -c %s "$deb" | awk '{ printf "%.1f", $1 / 1e6 }') MB in $(elapsed "$t")"
    fi
elif [ -n "${PFS_E2E_KERNEL_PKG:-}" ]; then
    die "apt-cache knows no package $PFS_E2E_KERNEL_PKG"
else
    # no apt lists (offline): the newest cached generic kernel, if any
    deb=$(find "$cache" -maxdepth 1 -name 'linux-image-[0-9]*-amd64_*.deb' \
              ! -name '*cloud*' | sort -V | tail -n 1)
    [ -n "$deb" ] || die "apt-cache cannot resolve linux-image-amd64 (run apt-get update)"
    say "apt cannot resolve linux-image-amd64; using the cached $(basename "$deb")"
fi

# --- kernel and modules, extracted once per .deb ----------------------------

kdir=$cache/$(basename "$deb" .deb)
# a kit extracted for another list of modules is extracted again
modules_key="${wanted_modules[*]} / ${disk_modules[*]}"
if [ -f "$kdir/.complete" ] && [ "$(cat "$kdir/modules.key" 2>/dev/null)" = "$modules_key" ]; then
    say "kernel and modules: cached in $kdir"
else
    t=$(now)
    say "extracting $(basename "$deb")"
    rm -rf "$kdir"
    stage=$(mktemp -d "$cache/extract.XXXXXX")
    cleanup_paths+=("$stage")
    dpkg-deb --fsys-tarfile "$deb" |
        tar -x -C "$stage" --wildcards './boot/vmlinuz-*' './boot/config-*' './lib/modules/*'
    kvers=$(ls "$stage/lib/modules")
    [ "$(echo "$kvers" | wc -l)" -eq 1 ] || die "expected one kernel in $deb, found: $kvers"
    kver=$kvers
    vmlinuz=$stage/boot/vmlinuz-$kver
    config=$stage/boot/config-$kver
    for opt in CONFIG_NET_9P CONFIG_NET_9P_VIRTIO CONFIG_9P_FS CONFIG_VIRTIO_PCI; do
        grep -Eq "^$opt=[ym]" "$config" || die "$kver lacks $opt"
    done

    mkdir -p "$stage/out"
    # The ELF vmlinux inside the bzImage: the payload starts after the
    # real-mode setup ((setup_sects + 1) * 512 bytes, setup_sects at 0x1f1)
    # at payload_offset (0x248), and is payload_length (0x24c) long.
    if grep -q '^CONFIG_PVH=y' "$config"; then
        say "extracting the ELF vmlinux for a PVH boot"
        setup_sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$vmlinuz" | tr -d ' ')
        read -r payload_offset payload_length < <(od -An -tu4 -j $((0x248)) -N8 "$vmlinuz")
        offset=$(( (setup_sects + 1) * 512 + payload_offset ))
        magic=$(od -An -tx1 -j "$offset" -N4 "$vmlinuz" | tr -d ' ')
        case $magic in
            fd377a58) decompress=(xz -dc --single-stream) ;;
            1f8b*) decompress=(gzip -dc) ;;
            28b52ffd) decompress=(zstd -dcq) ;;
            *) die "unknown kernel payload compression (magic $magic)" ;;
        esac
        tail -c +$((offset + 1)) "$vmlinuz" | head -c "$payload_length" |
            "${decompress[@]}" > "$stage/out/vmlinux" 2>/dev/null || true
        [ "$(od -An -c -N4 "$stage/out/vmlinux" | tr -d ' ')" = '177ELF' ] ||
            die "could not extract vmlinux from $vmlinuz"
    else
        say "the kernel has no PVH entry: using the compressed bzImage (slower boot)"
        cp "$vmlinuz" "$stage/out/vmlinux"
    fi

    say "computing module dependencies (depmod)"
    moddir=$stage/lib/modules/$kver
    if [ ! -f "$moddir/modules.dep" ]; then
        # the package leaves this to its postinst; busybox's depmod writes it
        "$busybox" depmod -b "$stage" "$kver"
    fi
    # the load order: every module after the modules it depends on
    order=()
    declare -A seen=()
    add_module() {
        local rel=$1 dep
        [ -z "${seen[$rel]:-}" ] || return 0
        seen[$rel]=1
        for dep in $(sed -n "s|^$rel:||p" "$moddir/modules.dep"); do
            add_module "$dep"
        done
        order+=("$rel")
    }
    # add_modules LIST-FILE NAME...: NAME and what it needs, unless
    # already listed, copied to out/modules and listed in LIST-FILE
    add_modules() {
        local list=$1 name rel
        shift
        order=()
        for name in "$@"; do
            rel=$(sed -n "s|^\(\([^:]*/\)\?${name}\.ko\(\.[a-z]*\)\?\):.*|\1|p" "$moddir/modules.dep" | head -n 1)
            if [ -z "$rel" ]; then
                if grep -q "/${name}\.ko" "$moddir/modules.builtin" 2>/dev/null; then
                    continue
                fi
                die "module $name is missing from $kver"
            fi
            add_module "$rel"
        done
        mkdir -p "$stage/out/modules"
        : > "$stage/out/$list"
        for rel in "${order[@]}"; do
            case $rel in
                *.ko) ;;
                *) die "$rel: compressed modules are not supported" ;;
            esac
            mkdir -p "$stage/out/modules/$(dirname "$rel")"
            cp "$moddir/$rel" "$stage/out/modules/$rel"
            echo "$kver/$rel" >> "$stage/out/$list"
        done
        nmodules=$((nmodules + ${#order[@]}))
    }
    nmodules=0
    add_modules load-order "${wanted_modules[@]}"
    add_modules load-order-disk "${disk_modules[@]}"
    echo "$kver" > "$stage/out/kver"
    cp "$config" "$stage/out/config"
    echo "$modules_key" > "$stage/out/modules.key"
    mv "$stage/out" "$kdir"
    rm -rf "$stage"
    touch "$kdir/.complete"
    say "kernel $kver: vmlinux and $nmodules modules in $(elapsed "$t")"
fi
kver=$(cat "$kdir/kver")

# --- the guest tool ----------------------------------------------------------

tool_src=$here/pfs-guest-tool.c
tool_key=$( { sha256sum < "$tool_src"; gcc --version | head -n 1; } | sha256sum | cut -c1-16)
tool=$cache/pfs-guest-tool-$tool_key
if [ -x "$tool" ]; then
    say "pfs-guest-tool: up to date"
else
    say "compiling pfs-guest-tool (gcc -static)"
    rm -f "$cache"/pfs-guest-tool-*
    cleanup_paths+=("$tool.tmp")
    gcc -static -O2 -Wall -Wextra -Werror -o "$tool.tmp" "$tool_src"
    strip "$tool.tmp" 2>/dev/null || true
    mv "$tool.tmp" "$tool"
fi

# --- the initramfs -----------------------------------------------------------

# Everything the initramfs is made of, so that any change rebuilds it
inputs=$(
    {
        echo "kernel $(basename "$kdir") $modules_key"
        echo "busybox $(sha256sum < "$busybox")"
        echo "tool $tool_key"
        sha256sum < "${BASH_SOURCE[0]}"
        sha256sum < "$here/guest-init.sh"
        (cd "$here" && find suites -type f | LC_ALL=C sort | xargs sha256sum)
    } | sha256sum | cut -c1-64
)
initramfs=$outdir/initramfs.cpio
if [ -f "$initramfs" ] && [ "$(cat "$outdir/.initramfs.inputs" 2>/dev/null)" = "$inputs" ]; then
    say "initramfs: up to date"
else
    t=$(now)
    say "building the initramfs"
    root=$(mktemp -d "$cache/initramfs.XXXXXX")
    cleanup_paths+=("$root" "$initramfs.tmp")
    mkdir -p "$root"/{bin,dev,etc,lib/modules,mnt,proc,run,sys,tmp,suites}
    chmod 1777 "$root/tmp"
    cp "$busybox" "$root/bin/busybox"
    for applet in $("$busybox" --list); do
        # the list names busybox itself: a link would replace the binary
        [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
    done
    cp "$tool" "$root/bin/pfs-guest-tool"
    cp "$here/guest-init.sh" "$root/init"
    chmod 0755 "$root/init" "$root/bin/pfs-guest-tool"
    cp -R "$here/suites/." "$root/suites/"
    mkdir -p "$root/lib/modules/$kver"
    cp -R "$kdir/modules/." "$root/lib/modules/$kver/"
    cp "$kdir/load-order" "$root/etc/pfs-modules"
    cp "$kdir/load-order-disk" "$root/etc/pfs-modules-disk"
    # a console for /init before it mounts devtmpfs (only root can make it;
    # /init reopens /dev/console after mounting devtmpfs anyway)
    mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true
    # busybox's ls, chown and stat read these; keep them in passwd format
    cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
pfsa:x:1000:1000:test user a:/tmp:/bin/sh
pfsb:x:1001:1001:test user b:/tmp:/bin/sh
EOF
    cat > "$root/etc/group" <<'EOF'
root:x:0:
pfsa:x:1000:
pfsb:x:1001:
pfsshared:x:1500:pfsa
EOF
    echo pfs-e2e-guest > "$root/etc/hostname"
    (cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
        cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) \
        > "$initramfs.tmp"
    mv "$initramfs.tmp" "$initramfs"
    echo "$inputs" > "$outdir/.initramfs.inputs"
    rm -rf "$root"
    say "initramfs: $(du -k "$initramfs" | cut -f1) KiB in $(elapsed "$t")"
fi

# --- the kit -------------------------------------------------------------------

if ! [ "$outdir/vmlinux" -ef "$kdir/vmlinux" ]; then
    ln -f "$kdir/vmlinux" "$outdir/vmlinux" 2>/dev/null || cp "$kdir/vmlinux" "$outdir/vmlinux"
fi
bios=/usr/share/qemu/qboot.rom
[ -f "$bios" ] || bios=
cleanup_paths+=("$outdir/kit.env.tmp")
cat > "$outdir/kit.env.tmp" <<EOF
# written by tests/e2e/build-guest.sh; source it from a launcher
PFS_E2E_KERNEL='$outdir/vmlinux'
PFS_E2E_INITRD='$initramfs'
PFS_E2E_KVER='$kver'
PFS_E2E_APPEND='$kernel_cmdline'
PFS_E2E_BIOS='$bios'
EOF
mv "$outdir/kit.env.tmp" "$outdir/kit.env"
say "ready in $(elapsed "$start"): $outdir/vmlinux ($kver), $initramfs"
