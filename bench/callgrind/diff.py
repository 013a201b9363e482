#!/usr/bin/env python3
# usage: diff.py a.out requests-a b.out requests-b [inclusive]
# Cost per request by function, b minus a, largest differences first (self cost; inclusive if asked).
import subprocess, sys, re
def costs(path, n, inclusive):
    args = ['callgrind_annotate', '--threshold=100'] + (['--inclusive=yes'] if inclusive else []) + [path]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    d = {}
    for line in out.splitlines():
        m = re.match(r'^\s*([\d,]+)\s+\([^)]*\)\s+(?:\*\s+)?(.*)$', line)
        if not m: continue
        name = re.sub(r'\[.*\]$', '', m.group(2)).strip()
        name = re.sub(r"'\d+$", '', name)
        d[name] = d.get(name, 0) + int(m.group(1).replace(',', '')) / n
    return d
inc = len(sys.argv) > 5
a = costs(sys.argv[1], int(sys.argv[2]), inc); b = costs(sys.argv[3], int(sys.argv[4]), inc)
rows = sorted(((b.get(k, 0) - a.get(k, 0), a.get(k, 0), b.get(k, 0), k) for k in set(a) | set(b)), reverse=True)
for diff, x, y, k in rows[:60]: print(f"{diff:9.0f} {x:9.0f} {y:9.0f}  {k[:150]}")
