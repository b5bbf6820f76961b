#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A fuzz campaign against the helper's request decoder and dispatcher.
#
#   build-aux/fuzz.sh [RUNS] [JOBS]
#
# Builds tests/fuzz/proxyfsfuzz with clang-14, libFuzzer, ASan and UBSan
# in build-fuzz/, starts from the committed corpus plus fresh seeds, runs
# RUNS executions in all (default 10 million) split over JOBS parallel
# fuzzers (default 1; their logs are build-fuzz/fuzz-N.log), then
# minimises everything found into build-fuzz/corpus-min. To update the
# committed corpus: replace tests/fuzz/corpus with corpus-min.
# Needs the packages clang-14 and libfuzzer-14-dev (in
# build-aux/debian-packages.txt). Run as root to fuzz chown and mknod too.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build-fuzz
runs=${1:-10000000}
jobs=${2:-1}

if [ ! -f "$build/build.ninja" ]; then
    CC=clang-14 meson setup "$build" "$top" -Dfuzzing=true \
        -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
        -Dc_args=-fsanitize=fuzzer-no-link
fi
meson compile -C "$build" tests/fuzz/proxyfsfuzz tests/fuzz/proxyfsfuzzseeds

# The export lives under TMPDIR, on a filesystem with user xattrs. A
# tmpfs (Linux 6.6 has user xattrs there) is about three times faster
# than ext4, whose inode allocation dominates when files come and go.
mkdir -p "$build/tmp" "$build/corpus" "$build/seeds" "$build/findings"
fuzztmp=${FUZZ_TMPDIR:-}
if [ -z "$fuzztmp" ]; then
    fuzztmp=$build/tmp
    probe=$(mktemp /dev/shm/proxyfsfuzz-probe.XXXXXX 2>/dev/null) || probe=
    if [ -n "$probe" ]; then
        if setfattr -n user.probe -v 1 "$probe" 2>/dev/null; then
            fuzztmp=/dev/shm
        fi
        rm -f "$probe"
    fi
fi
echo "fuzz.sh: throwaway exports under $fuzztmp"
export TMPDIR="$fuzztmp"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
"$build/tests/fuzz/proxyfsfuzzseeds" "$build/seeds"

cd "$build"
rm -f fuzz-*.log
status=0
./tests/fuzz/proxyfsfuzz -jobs="$jobs" -workers="$jobs" -runs=$((runs / jobs)) \
    -max_len=8192 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build/findings/" \
    corpus "$top/tests/fuzz/corpus" seeds || status=$?
total=$(awk '/^stat::number_of_executed_units:/ { n += $2 } END { print n + 0 }' fuzz-*.log)
echo "fuzz.sh: $total executions in $jobs job(s), exit status $status"
if [ "$status" -ne 0 ] || [ -n "$(ls findings)" ]; then
    echo "fuzz.sh: findings in $build/findings; see fuzz-*.log" >&2
    exit 1
fi

rm -rf corpus-min
mkdir corpus-min
./tests/fuzz/proxyfsfuzz -merge=1 corpus-min corpus "$top/tests/fuzz/corpus" seeds
echo "fuzz.sh: $(ls corpus-min | wc -l) inputs in $build/corpus-min"
