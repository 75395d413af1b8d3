#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py OUT.md OUT.svg LANE_OUTPUT...: BENCHMARKS.md and the scaling
plot from the "bench ..." lines that bench/vmsbench.c printed in each VM
(make bench).  Every figure is a ratio of two measurements from one VM run."""
import math
import re
import sys
import time

STD = re.compile(r'vmashadow ([\d.]+) (\S+), linux ([\d.]+) (\S+), ratio ([\d.]+)(.*)')
SCALE = re.compile(r'n (\d+) find ([\d.]+) map ([\d.]+) protect ([\d.]+) unmap ([\d.]+) ns/op')
GROWTH = re.compile(r'n1 (\d+) ([\d.]+) ns/op, n2 (\d+) ([\d.]+) ns/op, ratio ([\d.]+)')
LINE = re.compile(r'^(bench|info) (\S+) (\S+): (.*)$')
LINE_NOKEY = re.compile(r'^info (\S+): (.*)$')

# name -> (goal text, test on the ratio, why it misses, what would close it)
GOALS = {
    'find': ('>= 1.0', lambda r: r >= 1.0),
    'mutations': ('>= 10', lambda r: r >= 10),
    'batch': ('>= 30', lambda r: r >= 30),
    'memory': ('<= 80 B/region', None),
    'place-growth': ('<= 2.5', lambda r: r <= 2.5),
    'import': ('>= 5', lambda r: r >= 5),
}

WHY = {
    'find': (
        "Random lookups in a large layout miss the 4-slot cache (hit rate "
        "near 0 %) and walk the rbtree: one dependent load per level, about "
        "1.4 log2 n levels of 88-byte nodes scattered over the slab "
        "(`vms_tree_find()` in core/region.c), where the maple tree walks 3-5 "
        "levels of 256-byte nodes holding up to 16 pivots each, read in "
        "sequence.  Under TCG every load pays a softmmu TLB lookup, so the "
        "deeper, pointer-chasing walk loses by the factor shown.  What would "
        "close it: a B-tree-like node (pivots in one cache line, as the maple "
        "tree has) or an array index over the regions kept for lookups, or a "
        "bigger cache keyed by region rather than by page."),
    'mutations': (
        "One operation per ioctl pays the system call, the copy of a 96-byte "
        "`struct vmashadow_op` in and out, and the mutex; and the operation "
        "itself costs a good part of what the kernel's does: the shadow "
        "follows the kernel's steps (vma_merge/__split_vma equivalents in "
        "core/ops.c), allocating a region per split from the slab, "
        "relinking it with two augmented-gap propagations to the root "
        "(`vms_link()`/`vms_unlink()`/`vms_adjust()` in core/region.c), and "
        "emptying the lookup cache on every free.  The real calls do more "
        "(page tables, TLB flush, accounting, rmap) but not ten times more. "
        "What would close it: cheaper per-operation bookkeeping (reuse the "
        "region freed by a merge for the next split instead of a slab round "
        "trip; update the gap augmentation once per operation instead of per "
        "link/unlink/adjust); the system-call part only batching removes."),
    'batch': (
        "Batches remove the system call and the per-ioctl copies, but not the "
        "core's own per-operation cost (see mutations), which is what remains "
        "per operation in a batch of 64 or 1,024: the ratio is bounded by "
        "how much cheaper the core's split/merge is than the kernel's.  What "
        "would close it: the same core work as for mutations."),
    'memory': (
        "The region is 88 bytes (`struct vms_region`: rb_node 24, start, "
        "end, pgoff, flags, gap, subtree_gap, file, anon) and the slab puts 46 "
        "of them in a page (89 B each).  What would close it: drop `gap` "
        "(recompute it from the predecessor: it is `start - prev->end`) and "
        "pack `flags` and `pgoff` more tightly: 72-80 bytes."),
    'place-growth': (
        "Placement is an augmented-rbtree descent (`vms_unmapped_area_topdown()`)"
        " plus the map's insert, both O(log n); the growth left is cache and "
        "TLB misses at 1,000,000 regions (96 MB of regions)."),
    'import': (
        "`vms_import_mm()` (vmashadow.c) allocates each region on its own "
        "from the slab and inserts it with `vms_link()`: a descent from the "
        "root, an rbtree rebalance and two augmented-gap propagations per "
        "region, O(n log n) for an input that arrives sorted; generating and "
        "parsing the maps text costs about the same per line under TCG.  What "
        "would close it: a bulk build — allocate with kmem_cache_alloc_bulk(), "
        "link the sorted regions into a balanced tree directly (colour by "
        "depth) and compute gap/subtree_gap in one bottom-up pass, O(n)."),
}


def goal_key(name):
    if name.startswith('find-'):
        return 'find'
    if name.startswith('mutations-'):
        return 'mutations'
    if name.startswith('batch64-') or name.startswith('batch1024-'):
        return 'batch'
    if name.startswith('import-'):
        return 'import'
    if name == 'memory':
        return 'memory'
    if name == 'place-growth':
        return 'place-growth'
    return None


def parse(paths):
    figs = {}       # kernel -> list of (name, dict)
    scaling = {}    # kernel -> list of (n, find, map, protect, unmap)
    growth = {}
    infos = {}
    kernels = []
    for path in paths:
        for raw in open(path, errors='replace'):
            line = raw.strip()
            m = LINE.match(line)
            if not m:
                continue
            kind, name, kernel, rest = m.groups()
            if kernel.endswith(':'):    # "info 6.1: ..." has no name
                continue
            if kernel not in kernels:
                kernels.append(kernel)
            if kind == 'info':
                infos.setdefault(kernel, []).append(name + ': ' + rest)
                continue
            if name == 'scaling':
                s = SCALE.match(rest)
                if s:
                    scaling.setdefault(kernel, []).append(
                        tuple([int(s.group(1))] + [float(x) for x in s.groups()[1:]]))
                continue
            if name == 'place-growth':
                g = GROWTH.match(rest)
                if g:
                    growth[kernel] = (int(g.group(1)), float(g.group(2)),
                                      int(g.group(3)), float(g.group(4)),
                                      float(g.group(5)))
                continue
            s = STD.match(rest)
            if s:
                figs.setdefault(kernel, []).append((name, {
                    'v': float(s.group(1)), 'vu': s.group(2),
                    'l': float(s.group(3)), 'lu': s.group(4),
                    'r': float(s.group(5)), 'extra': s.group(6).strip(', ').strip('()')}))
    return kernels, figs, scaling, growth, infos


def fmt(v):
    if v >= 1000:
        return f'{v:,.0f}'
    if v >= 100:
        return f'{v:.0f}'
    return f'{v:.1f}'


def verdict(key, ratio, shadow=None):
    if key == 'memory':
        ok = shadow is not None and shadow <= 80
        return ok, (f'met' if ok else f'missed by {shadow - 80:.1f} B ({shadow / 80:.2f}x)')
    goal = GOALS[key]
    ok = goal[1](ratio)
    if ok:
        return True, 'met'
    if key == 'place-growth':
        return False, f'missed: {ratio:.2f} > 2.5 ({ratio / 2.5:.2f}x)'
    target = float(goal[0].split()[-1])
    return False, f'missed: {ratio:.2f}, {target / ratio:.1f}x short'


def svg(scaling, out):
    W, H, L, R, T, B = 720, 440, 70, 150, 30, 50
    pts = [p for k in scaling for p in scaling[k]]
    if not pts:
        open(out, 'w').write('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
        return
    xs = [p[0] for p in pts]
    ys = [v for p in pts for v in p[1:]]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs))
    y1 = max(ys) * 1.1
    if x1 == x0:
        x1 = x0 + 1

    def X(n):
        return L + (math.log10(n) - x0) / (x1 - x0) * (W - L - R)

    def Y(v):
        return T + (1 - v / y1) * (H - T - B)

    colours = {'find': '#1f77b4', 'map': '#d62728', 'protect': '#2ca02c', 'unmap': '#ff7f0e'}
    dashes = ['', '6,4', '2,3']
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{L}" y="18" font-size="14">vmashadow: cost per operation '
         f'against the number of regions (QEMU TCG; only the shape matters)</text>']
    # axes and grid
    o.append(f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/>')
    o.append(f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>')
    for e in range(int(math.floor(x0)), int(math.ceil(x1)) + 1):
        n = 10 ** e
        if min(xs) <= n <= max(xs):
            o.append(f'<line x1="{X(n):.1f}" y1="{T}" x2="{X(n):.1f}" y2="{H - B}" stroke="#ddd"/>')
            o.append(f'<text x="{X(n):.1f}" y="{H - B + 16}" text-anchor="middle">{n:,}</text>')
    step = 10 ** math.floor(math.log10(y1 / 5))
    for m in (1, 2, 5, 10):
        if y1 / (step * m) <= 8:
            step *= m
            break
    v = 0
    while v <= y1:
        o.append(f'<line x1="{L}" y1="{Y(v):.1f}" x2="{W - R}" y2="{Y(v):.1f}" stroke="#eee"/>')
        o.append(f'<text x="{L - 6}" y="{Y(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
        v += step
    o.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">regions (log scale)</text>')
    o.append(f'<text x="16" y="{(T + H - B) / 2}" transform="rotate(-90 16 {(T + H - B) / 2})" '
             f'text-anchor="middle">ns per operation</text>')
    ly = T + 10
    for ki, k in enumerate(sorted(scaling)):
        rows = sorted(scaling[k])
        for ci, name in enumerate(['find', 'map', 'protect', 'unmap']):
            path = ' '.join(f'{X(r[0]):.1f},{Y(r[ci + 1]):.1f}' for r in rows)
            d = dashes[ki % len(dashes)]
            o.append(f'<polyline points="{path}" fill="none" stroke="{colours[name]}" '
                     f'stroke-width="2"' + (f' stroke-dasharray="{d}"' if d else '') + '/>')
            for r in rows:
                o.append(f'<circle cx="{X(r[0]):.1f}" cy="{Y(r[ci + 1]):.1f}" r="2.5" '
                         f'fill="{colours[name]}"/>')
            o.append(f'<line x1="{W - R + 10}" y1="{ly}" x2="{W - R + 40}" y2="{ly}" '
                     f'stroke="{colours[name]}" stroke-width="2"' +
                     (f' stroke-dasharray="{d}"' if d else '') + '/>')
            o.append(f'<text x="{W - R + 46}" y="{ly + 4}">{name} {k}</text>')
            ly += 18
    o.append('</svg>')
    open(out, 'w').write('\n'.join(o) + '\n')


def main():
    md_out, svg_out, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    kernels, figs, scaling, growth, infos = parse(paths)
    svg(scaling, svg_out)
    misses = []
    o = ['# vmashadow benchmarks', '',
         'Reproduce with:', '', '```sh', 'make bench', '```', '',
         'which boots Debian\'s 6.1 and 6.12 kernels in QEMU (TCG, `-cpu qemu64`, '
         '2 vCPUs), runs `bench/vmsbench.c` in each with the module loaded, and '
         'writes this file and `bench/scaling.svg` (`bench/report.py`).  Under TCG '
         'absolute times mean nothing: every figure below is a ratio of two '
         'measurements taken in the same VM run, each the median of 7 repetitions '
         'with the variants interleaved.  The ns columns are only there to show '
         'what the ratio divides.  `ratio` is linux / vmashadow for times and '
         'vmashadow / linux for rates: above 1, the shadow is faster.  On a '
         'loaded host (other VMs on the same cores) single ratios moved by up to '
         'about 1.5x between runs; the verdicts below did not change.',
         '', f'Generated {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}.', '',
         'The layout: n regions of 4 pages, contiguous, alternating PROT_NONE and '
         'PROT_READ so none merge.  The real one is made with mmap and mprotect; '
         'the shadow imports it (VMASHADOW_IOC_IMPORT of the benchmark process), '
         'so both hold the same regions and the same mmap_base.', '']
    for k in kernels:
        o += [f'## Linux {k}', '',
              '| figure | vmashadow | linux | ratio | goal | verdict |',
              '|---|---|---|---|---|---|']
        for name, f in figs.get(k, []):
            key = goal_key(name)
            goal, verd = '', ''
            if key:
                ok, verd = verdict(key, f['r'], f['v'])
                goal = GOALS[key][0]
                if not ok:
                    misses.append((k, name, key, verd))
            extra = f' ({f["extra"]})' if f['extra'] else ''
            o.append(f'| {name}{extra} | {fmt(f["v"])} {f["vu"]} | {fmt(f["l"])} {f["lu"]} '
                     f'| {f["r"]:.2f} | {goal} | {verd} |')
        if k in growth:
            n1, a, n2, b, r = growth[k]
            ok, verd = verdict('place-growth', r)
            if not ok:
                misses.append((k, 'place-growth', 'place-growth', verd))
            o.append(f'| place-growth (shadow at {n2:,} / at {n1:,}) | {fmt(b)} ns/op | '
                     f'{fmt(a)} ns/op (shadow, n={n1:,}) | {r:.2f} | <= 2.5 | {verd} |')
        o.append('')
        if k in scaling:
            o += [f'Scaling on {k}: the shadow alone, ns per operation (find: in the '
                  'kernel, random addresses; map, protect, unmap: batches of 1,024 '
                  'at random regions, so the system call is not what grows).', '',
                  '| regions | find | map | protect | unmap |', '|---|---|---|---|---|']
            for r in sorted(scaling[k]):
                o.append(f'| {r[0]:,} | {fmt(r[1])} | {fmt(r[2])} | {fmt(r[3])} | {fmt(r[4])} |')
            rows = sorted(scaling[k])
            if len(rows) > 1:
                a, b = rows[0], rows[-1]
                o.append(f'| growth {a[0]:,} to {b[0]:,} | {b[1] / a[1]:.2f}x | '
                         f'{b[2] / a[2]:.2f}x | {b[3] / a[3]:.2f}x | {b[4] / a[4]:.2f}x |')
            o.append('')
        if infos.get(k):
            o += ['Details:', '']
            o += [f'- {i}' for i in infos[k]]
            o.append('')
    o += ['![cost per operation against regions](bench/scaling.svg)', '',
          'What each figure is:', '',
          '- **find-random-n / find-local-n**: `VMASHADOW_IOC_BENCH_FIND`: 65,536 '
          'addresses, 4 rounds, the shadow\'s `vms_find()` (its 4-slot cache '
          'included) against the kernel\'s `find_vma()` on the benchmark\'s own mm, '
          'both timed in the kernel.  Random: uniform over the layout; local: runs '
          'of 32 addresses within two neighbouring regions.  The hit rate is the '
          'shadow cache\'s.',
          '- **mutations-n**: 1,024 rounds of eight operations at a random region '
          '(a middle mprotect and its undo: 2 splits then a 3-way merge; a middle '
          'munmap and the mmap filling it: split, 3-way merge; a whole-region '
          'mprotect to the neighbours\' protection and back: 3-way merge, 2 splits; '
          'a whole-region munmap and mmap back), one ioctl each, against the same '
          'system calls; the region counts of both sides are checked to agree.',
          '- **batch64-n / batch1024-n**: the same operations in '
          '`VMASHADOW_IOC_BATCH` of 64 and 1,024, against the same real calls; '
          '**batch-gain-n**: one per ioctl against batches of 1,024.',
          '- **place-65000**: 1,024 `mmap(NULL, 8 KiB)` in a space of 65,000 '
          'one-page regions with one-page holes below mmap_base (no hole fits), '
          'against the same MAP ioctls (and in batches of 1,024) on the imported '
          'shadow, which must pick the same addresses.  **place-growth**: the '
          'shadow alone, batches of 1,024 placements, 1,000,000 against 1,000 '
          'regions.',
          '- **memory**: 65,000 regions made in a shadow, against 65,000 real VMAs: '
          'growth of the `objects` count of each slab cache '
          '(/sys/kernel/slab/<cache>/objects) times what one object costs in its '
          'slab (slab bytes / objects per slab), per region; the real side counts '
          '`vm_area_struct` and `maple_node`.  Neither side faults, so neither has '
          'an anon_vma; the faulted shadow\'s extra (one 16-byte anon_vma identity '
          'per region at worst) is in the details.',
          '- **import-65000**: `VMASHADOW_IOC_IMPORT` of a child with 65,000 VMAs '
          'into a fresh shadow against open, read and parse of its '
          '`/proc/PID/maps` (a hand-written parser of every field), regions per '
          'second.', '']
    o += ['## Goals', '']
    if not misses:
        o += ['Every goal is met.', '']
    else:
        o += ['| kernel | figure | verdict |', '|---|---|---|']
        o += [f'| {k} | {n} | {v} |' for k, n, _, v in misses]
        o += ['', 'Why, and what would close it:', '']
        for key in dict.fromkeys(m[2] for m in misses):
            o += [f'- **{key}**: {WHY[key]}', '']
    open(md_out, 'w').write('\n'.join(o))


if __name__ == '__main__':
    main()
