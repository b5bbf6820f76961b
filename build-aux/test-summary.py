#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Count the cmocka cases of a meson test run: meson's own summary counts
suites, a suite holds many cases. Prints one line:
    tests: N passed, N failed, N skipped
"""
import json
import re
import sys

passed = failed = skipped = 0
suites_failed = []
with open(sys.argv[1], encoding='utf-8') as log:
    for line in log:
        entry = json.loads(line)
        out = (entry.get('stdout') or '') + (entry.get('stderr') or '')
        ok = len(re.findall(r'^\[       OK \] ', out, re.M))
        fail = len(re.findall(r'^\[  FAILED  \] (?!\d+ test)', out, re.M))
        skip = len(re.findall(r'^\[  SKIPPED \] (?!\d+ test)', out, re.M))
        passed += ok
        failed += fail
        skipped += skip
        if entry.get('result') not in ('OK', 'SKIP', 'EXPECTEDFAIL') and fail == 0:
            # a suite that crashed or timed out without naming a case
            failed += 1
            suites_failed.append(entry.get('name'))
for name in suites_failed:
    print(f'suite {name} failed without a case result', file=sys.stderr)
print(f'tests: {passed} passed, {failed} failed, {skipped} skipped')
