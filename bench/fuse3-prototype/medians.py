import csv, statistics, collections, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
d = collections.defaultdict(list)
for r in rows:
    if r['round'] == 'round': continue
    d[(r['workload'], r['system'])].append(float(r['seconds']))
systems = ['fuse2', 'fuse3', 'fov']
wl = ['find-warm', 'ls-l-warm', 'openclose', 'getxattr', 'untar']
print('| workload | libfuse2 adapter (today) | libfuse3 adapter | fuse-overlayfs | fuse3/fuse2 | fuse3/fov |')
print('|---|---|---|---|---|---|')
for w in wl:
    m = {s: statistics.median(d[(w, s)]) for s in systems if d[(w, s)]}
    n = {s: len(d[(w, s)]) for s in systems}
    cell = lambda s: f"{m[s]:.3f} (n={n[s]}, {min(d[(w,s)]):.2f}-{max(d[(w,s)]):.2f})" if s in m else '-'
    print(f"| {w} | {cell('fuse2')} | {cell('fuse3')} | {cell('fov')} | {m['fuse3']/m['fuse2']:.2f} | {m['fuse3']/m['fov']:.2f} |")
