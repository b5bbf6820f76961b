#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# syscalls-per-request.sh [OP...]: the system calls each helper makes per
# operation of proxyfsbench, counted from strace -f. Each helper is
# run twice, for N and 2N operations, and the difference divided by N,
# so that start-up (and QEMU's first T_LSTAT "/") cancels out. Run as
# root from the top of the tree, after ninja -C build; needs strace.
# PROXYFSBENCH=path overrides the benchmark, PFS_BENCH_N the count
# (default 1000; the mixed workload runs N/50 cycles of 301 requests).
# Calls are counted from the full trace, not from strace -c, whose
# summary leaves out the calls strace has no name for (Debian 12's strace
# 6.1 shows fchmodat2, Linux 6.6, as syscall_0x1c4).
set -eu

bench=${PROXYFSBENCH:-build/bench/proxyfsbench}
n=${PFS_BENCH_N:-1000}
ops=${*:-lstat open create mkdir symlink chmod chown truncate utime rename readlink statfs xattr-probe xattr-get xattr-set mixed}

if ! command -v strace >/dev/null 2>&1; then
    echo "syscalls-per-request: strace is needed" >&2
    exit 1
fi
if [ ! -x "$bench" ]; then
    echo "syscalls-per-request: no $bench; build first (ninja -C build)" >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

# count HELPER OP N: strace's summary of the helper serving N operations
count() {
    if ! "$bench" "--$1" --wrapper "strace -f -qq -o $tmp/$1-$2-$3" \
            --ops "$2" --count "$3" --reps 1 >/dev/null 2>"$tmp/err"; then
        cat "$tmp/err" >&2
        exit 1
    fi
}

printf '%-12s %-5s %7s  %s\n' operation helper "per op" "system calls per operation"
for op in $ops; do
    per=$n
    if [ "$op" = mixed ]; then
        # a cycle is 301 requests; report per request
        per=$((n / 50))
    fi
    for helper in ours qemu; do
        count "$helper" "$op" "$per"
        count "$helper" "$op" "$((per * 2))"
        divisor=$per
        if [ "$op" = mixed ]; then
            divisor=$((per * 301))
        fi
        # "PID name(args) = result", or "PID name(args <unfinished ...>"
        # and later "PID <... name resumed> ..." for the same call
        awk -v d="$divisor" -v op="$op" -v helper="$helper" '
            FNR == 1 { file++ }
            $2 !~ /^</ && $2 ~ /^[a-z_0-9]+\(/ {
                name = $2; sub(/\(.*/, "", name)
                if (name == "syscall_0x1c4") name = "fchmodat2"
                calls[file, name]++; names[name] = 1
            }
            END {
                total = 0; line = ""
                for (s in names) {
                    diff = calls[2, s] - calls[1, s]
                    if (diff <= 0) continue
                    per = diff / d
                    if (per < 0.005) continue
                    total += per
                    line = line sprintf(" %s %.2f", s, per)
                }
                printf "%-12s %-5s %7.2f  %s\n", op, helper, total, line
            }' "$tmp/$helper-$op-$per" "$tmp/$helper-$op-$((per * 2))"
    done
done
