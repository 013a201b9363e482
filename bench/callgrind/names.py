#!/usr/bin/env python3
# usage: names.py callgrind.out perf-<pid>.map > named.out
# Names the JIT frames of a callgrind profile (shown as bare addresses) from the map that
# `node --perf-basic-prof` writes, so that callgrind_annotate shows JavaScript functions.
import bisect, re, sys
out, mapf = sys.argv[1], sys.argv[2]
starts, ends, names = [], [], []
for line in open(mapf):
    parts = line.rstrip('\n').split(' ', 2)
    if len(parts) < 3: continue
    s, n, name = int(parts[0], 16), int(parts[1], 16), parts[2]
    starts.append(s); ends.append(s + n); names.append(name)
order = sorted(range(len(starts)), key=lambda i: starts[i])
starts = [starts[i] for i in order]; ends = [ends[i] for i in order]; names = [names[i] for i in order]
def name_of(addr):
    i = bisect.bisect_right(starts, addr) - 1
    if i >= 0 and addr < ends[i]: return names[i]
    return None
pat = re.compile(r'^(c?fn)=\((\d+)\)(?: (0x[0-9a-fA-F]+))?(.*)$')
for line in open(out, errors='replace'):
    m = pat.match(line)
    if m and m.group(3):
        n = name_of(int(m.group(3), 16))
        if n:
            n = re.sub(r'\s+', '_', n)
            line = f"{m.group(1)}=({m.group(2)}) {n}\n"
    sys.stdout.write(line)
