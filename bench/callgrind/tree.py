#!/usr/bin/env python3
# usage: tree.py named.out requests substring...
# Callers (<) and callees (>) of the functions whose names hold a substring, inclusive, per request.
import subprocess, sys, re
path, n, pats = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
out = subprocess.run(['callgrind_annotate', '--tree=both', '--inclusive=yes', '--threshold=100', path], capture_output=True, text=True).stdout
blocks = re.split(r'\n\s*\n', out)
for b in blocks:
    lines = [l for l in b.splitlines() if l.strip()]
    star = [l for l in lines if re.match(r'^\s*[\d,]+\s+\([^)]*\)\s+\*', l)]
    if not star or not any(p in star[0] for p in pats): continue
    for l in lines:
        m = re.match(r'^\s*([\d,]+)\s+(\([^)]*\))\s+([<>*])\s+(.*)$', l)
        if not m: continue
        v = int(m.group(1).replace(',', '')) / n
        if v < 20: continue
        name = re.sub(r' \[.*$', '', m.group(4))[:150]
        print(f"{m.group(3)} {v:8.0f}  {name}")
    print('-' * 40)
