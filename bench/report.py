#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py OUT.md OUT.svg LANE_OUTPUT...: BENCHMARKS.md and the scaling
plot from the "bench ..." lines that bench/vmsbench.c printed in each VM
(make bench).  Every figure is a ratio of two measurements from one VM run."""
import math
import re
import os
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
        "Random lookups at 65,000 regions miss the cache (hit rate 0 %) and "
        "walk the rbtree: about 16 levels of 72-byte regions, one dependent "
        "load each (`vms_tree_find()` in core/region.c), where the maple tree "
        "reads 3-4 nodes of 256 bytes and never touches a VMA.  Measured in "
        "the 6.1 VM with scratch builds of the bench ioctl (not kept): two "
        "identical `find_vma()` loops in the benchmark's two slots give 1.00, "
        "so the order of the loops is not what loses; the kernel's loop slows "
        "by 1.4-1.6x when it reads one field of each VMA it finds, so one cold "
        "cache line costs about half a maple-tree lookup, and the shadow's "
        "walk meets several below the levels that stay cached.  Moving the "
        "top 9 or 12 levels into consecutive objects after the import changed "
        "nothing measurable: the cost is in the bottom levels.  At 1,000 "
        "regions, and wherever lookups have locality (the cache), the shadow "
        "is 1.5-5x faster.  The ratio at 65,000 depends on the host's caches: "
        "the same code gave 0.92-0.96 on the machine of 2026-11-26 and "
        "0.62-0.79 on that of 2026-11-27, where the bench ioctl as it was on "
        "the 26th gives 0.62 as well, and 0.96-1.10 (6.1) and 0.73-1.06 "
        "(6.12) in three runs on that of 2026-11-28.  The lookup cache is about 24 of the "
        "200 instructions of a miss at 1,000,000 regions (`make bench-host` "
        "with and without it); keeping each slot's range in the mm, so that a "
        "miss reads no region, left the count as it was (not kept).\n\n"
        "  Other lookups timed in the same ioctl over the same random "
        "addresses at 65,000 regions (session 10, scratch builds in which a "
        "module parameter chose the shadow's loop; not kept), 6.1 / 6.12, "
        "two runs of each: the rbtree walk without the cache in front "
        "0.60-0.75 / 0.64-0.73, against 0.56-0.72 / 0.57-0.75 with it, so "
        "what the cache's four slots cost a random miss is within the runs' "
        "noise; a walk to the bottom that reads only `->end` (no "
        "stop at the holding region, one load and one branch a level) "
        "0.65-0.93 / 0.73-0.82 alone, but with the cache in front no better "
        "than today's walk (0.55-0.69 / 0.56-0.65); the same walk without "
        "branches (`cmov`) 0.64-0.68 / 0.64-0.66, faster at 1,000 regions "
        "(2.0 / 2.2) and slower at 65,000, perhaps because the host's CPU "
        "can no longer run ahead down the likely child.  Indexes built once "
        "from the tree, none kept up: binary search of a sorted array of the "
        "ends 1.91-1.94 / 2.03-2.07; blocks of 16 ends under a "
        "binary-searched array of the blocks' last ends 2.14 / 2.28-2.29; "
        "the ends in Eytzinger order 3.09-3.11 / 3.23-3.26.  Those loops are "
        "not in the tree, so what they left out cannot be checked now.\n\n"
        "  Session 14 built such an index into `vms_find()` itself (scratch "
        "builds, not kept; the diff is described here): behind the lookup "
        "cache, returning the region, built after map_count / 4 tree walks "
        "with no change between them and dropped by the next change, "
        "checked by VALIDATE and by host tests against a model.  A module "
        "parameter chose the variant, so each figure below sits beside "
        "today's walk in the same VM run (11 repetitions, find-random-65000, "
        "6.1 / 6.12, today's walk in brackets).  One entry a region in "
        "Eytzinger order, its end and its region side by side so that the "
        "answer is in a line the search has read and no region is read (16 "
        "bytes a region): 0.67-0.98 [0.50-0.72] / 0.92-1.06 [0.78-0.79].  The "
        "same with the ends and the regions in two arrays: 0.72 [0.64] / "
        "0.80 [0.77].  Blocks of 4 regions an entry (4 bytes a region, the "
        "only size that keeps the memory goal; the search then reads the "
        "block's first region and steps to its successors): 0.63-0.79 "
        "[0.50-0.72] / 0.84-0.87 [0.76-0.79]; blocks of 2 and 8 no better.  "
        "One 4 KiB page of 256 entries under a binary-searched array of the "
        "pages' last ends, so that a search meets one page it has not "
        "seen: 0.84-0.85 [0.65-0.66] / 0.90-0.93 [0.70-0.73] with an entry a "
        "region, 0.72 [0.65-0.66] / 0.72-0.80 [0.70-0.73] with blocks of 4.  "
        "No index, but each 5-level subtree's regions moved into "
        "consecutive slab objects at import (so a walk meets 3-4 pages "
        "where it met 16): 0.72-0.75 [0.68-0.69] / 0.78-0.80 [0.72-0.74].  "
        "The walk without the lookup cache in front: 0.79-0.81 [0.72-0.74] "
        "/ 0.68-0.69 [0.58-0.62].  At 1,000 regions the full index gives "
        "1.55-1.59 [1.22-1.25] / 1.74-1.75 [1.34-1.39], and blocks of 4 are "
        "slower than the walk (1.08-1.11 / 1.16-1.21).  So under TCG each "
        "layout gains 10-40 %, not 2-3x: at 1,000 regions, where everything "
        "is cached, an index lookup still costs 135 ns against the kernel's "
        "215, and from 1,000 to 65,000 regions it grows by 240-300 ns where "
        "the kernel's grows by 110-150.  "
        "The one variant that reaches 1.0 in some runs needs 16 bytes a "
        "region (88.9 in all, over the memory goal) and still misses in "
        "others.  What would close it: nothing measured within the memory "
        "goal; the goal and the memory goal cannot both be met by an index "
        "beside the rbtree on this emulator."),
    'mutations': (
        "One ioctl per operation pays the system call (with Debian's "
        "mitigations and the LSM's ioctl hook), two copies of a 96-byte "
        "`struct vmashadow_op` and the mutex; the rows below measure that "
        "cost as one-per-ioctl minus batched, and the ratio it would still "
        "leave if the operation itself cost nothing: close to the goal of 10 "
        "or under it.  Session 3 halved the operation (see batch), which "
        "only moves the ratio towards that ceiling.  syscall-floor times the "
        "part of that cost the module cannot touch, an ioctl it answers at "
        "once; the rest is its own (copying the operation in and out, "
        "checking it, the mutex).  The syscall floor is timed once, in the "
        "first layout, so the ceilings it gives below divide medians taken "
        "at different times of the run, not the back-to-back pairs of the "
        "table; op-floor, the cheapest whole operation, is timed in the "
        "mutations' own repetitions, and its ceiling is a median of their "
        "ratios, which the host's drift does not move.  Where that ceiling "
        "is under 10, an operation that changed nothing at all would still "
        "miss the goal.  In the 6.1 VM (scratch builds, not kept), the "
        "floor's cost above an ioctl the module answers at once (about "
        "3 us there, on a host where that ioctl took 2.5-3.5) was about half "
        "the copying of the operation in and out (`get_user()` of its size, "
        "then `copy_struct_from_user()`, then `copy_to_user()`) and about "
        "40 % the operation itself (its batch-floor cost); the mutex and the "
        "checks were within the runs' noise, and so was the zeroing of the "
        "operation on the stack (CONFIG_INIT_STACK_ALL_ZERO).  Since then an "
        "operation's own ioctl copies it in and out with one copy each of "
        "constant size (no get_user() first, no hardened-usercopy look at "
        "the stack), which took op-floor over that ioctl from 1.93-2.16 to "
        "1.74-1.77 times it, 300-500 ns less an operation.  What would "
        "close it: nothing within one ioctl per operation; batches are the "
        "answer."),
    'batch': (
        "In a batch what remains is the core's own work, for the two or three "
        "structural changes each operation makes, as the kernel's makes "
        "them, and the batch's own cost an operation (batch-floor: the "
        "operation read, checked, dispatched and written back, one lookup), "
        "13-22 % of the mix's cost.  perf in the 6.12 VM (batches of "
        "1,024): vms_unlink 8 %, vms_link 4 %, vms_find 3 %, vms_adjust 3 % "
        "of all samples (half the samples are the idle vCPU), the rest the "
        "merge and split logic and the batch loop; nothing in the allocator "
        "any more.  perf in the 6.1 VM on 2026-11-28, of the ioctl's samples: "
        "vms_set_gap 13 % (a hole that opens or closes changes the largest "
        "gap of every subtree above it, 10-16 levels, three loads a level), "
        "vms_unlink 8 %, vms_link 7 %, vms_find 7 %, the merge 5 %.  "
        "vms_set_gap has taken 9 % since it carries a larger gap up with "
        "one load a level and stops an unchanged one at once: a gain of "
        "about 4 % an operation, which perf's shares show and the figures "
        "above, moving more than that between runs, cannot.  Session 3 took "
        "the batched cost at 1,000 regions from 4.0 us (6.1) and 4.2 us (6.12), measured the "
        "same way at its start, to the figures above: a reserve of regions "
        "kept between calls and refilled by merges instead of two or three "
        "slab round trips per call, gaps set without walking to the "
        "predecessor, and a lookup cache that survives mutations and answers "
        "for holes.  30x would need 300-500 ns, a few hundred instructions "
        "for all of an operation's tree changes, which is what one augmented "
        "rbtree insertion or erasure costs by itself.  Session 12 made the "
        "region 72 bytes (gaps as 32-bit page counts, the file and the "
        "anon_vma in one word), which costs about 3 % more instructions a "
        "call (`make bench-host` at 1,000 regions: find, map, protect, unmap "
        "131, 1,227, 478, 589 before; 135, 1,262, 505, 611 after).  Both "
        "trees benched one after the other on 2026-11-27, 6.1 / 6.12: "
        "batch1024-1000 8.36 to 7.71 / 5.88 to 5.44, batch1024-65000 9.49 "
        "to 9.90 / 6.40 to 6.19, find-random-65000 0.56 to 0.67 / 0.57 to "
        "0.61, import-65000 2.04 to 2.08 / 1.94 to 2.20: within the runs' "
        "noise, a little slower at 1,000 regions and no slower at 65,000, "
        "where more regions fit a page.  What would close it: nothing short "
        "of a different structure."),
    'memory': (
        "The region is 72 bytes (`struct vms_region`: rb_node 24, start, end, "
        "gap and subtree_gap as 32-bit page counts, pgoff, flags, and one "
        "word for the file and the anon_vma) and the slab puts 56 in a page: "
        "73.1 B each, under the goal (it was 88 bytes, 89 B in the slab, "
        "until session 12).  A miss means the slab's share grew: the cache "
        "merged with another of its size, or a debug option padding each "
        "object.  The kernel's own cost is 176-196 B."),
    'place-growth': (
        "Placement is an augmented-rbtree descent (`vms_unmapped_area_topdown()`)"
        " plus the map's insert, both O(log n); the growth left is cache and "
        "TLB misses at 1,000,000 regions (72 MB of regions)."),
    'import': (
        "Import allocates its regions in bulk (`vms_region_bulk_next()`: "
        "`kmem_cache_alloc_bulk()`, 64 at a time) and builds the balanced "
        "tree in one pass (`vms_mm_build()`); session 3 took the ratio from "
        "1.2-1.3 to the figure above.  What remains per region: the maple-tree "
        "walk of the real VMAs, filling the region, and the slab growing by "
        "5.7 MB of new pages for 65,000 regions (allocate_slab() with its "
        "freelist shuffle: about a third of the import in perf).  Writing and "
        "parsing a maps line costs less than twice that.  perf in the 6.1 "
        "VM on 2026-11-28, of the import's samples: the slab about 47 % "
        "(with what ___slab_alloc() does with interrupts off, which perf "
        "books to the spin_unlock_irqrestore() after it), vms_mm_build() "
        "18 %, the loop filling the regions 16 %, the VMA iterator 15 %: "
        "with allocation free the ratio would still be about 4.5.  What "
        "would close it: not allocating at all, e.g. re-importing into the "
        "old shadow's regions in place, and a cheaper walk of the VMAs; not "
        "attempted."),
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
    """Every figure of every output, then each figure's median over the
    outputs that hold it: make bench BENCH_RUNS=N gives each kernel N
    outputs, one a boot, so that the host's drift between runs, which the
    repetitions of one run cannot cancel, moves the median less."""
    figs = {}       # kernel -> {name: [dict, one a run]}
    scaling = {}    # kernel -> {n: [(find, map, protect, unmap), one a run]}
    growth = {}     # kernel -> [(n1, a, n2, b, ratio), one a run]
    infos = {}      # kernel -> {name: [text, one a run]}
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
                infos.setdefault(kernel, {}).setdefault(name, []).append(rest)
                continue
            if name == 'scaling':
                s = SCALE.match(rest)
                if s:
                    scaling.setdefault(kernel, {}).setdefault(
                        int(s.group(1)), []).append(
                            tuple(float(x) for x in s.groups()[1:]))
                continue
            if name == 'place-growth':
                g = GROWTH.match(rest)
                if g:
                    growth.setdefault(kernel, []).append(
                        (int(g.group(1)), float(g.group(2)), int(g.group(3)),
                         float(g.group(4)), float(g.group(5))))
                continue
            s = STD.match(rest)
            if s:
                figs.setdefault(kernel, {}).setdefault(name, []).append({
                    'v': float(s.group(1)), 'vu': s.group(2),
                    'l': float(s.group(3)), 'lu': s.group(4),
                    'r': float(s.group(5)), 'extra': s.group(6).strip(', ').strip('()')})
    runs = {k: max((len(v) for v in figs.get(k, {}).values()), default=1)
            for k in kernels}
    return (kernels,
            {k: [(n, median_fig(v)) for n, v in f.items()] for k, f in figs.items()},
            {k: [(n,) + columns(v) for n, v in s.items()] for k, s in scaling.items()},
            {k: (g[0][0], median(x[1] for x in g), g[0][2],
                 median(x[3] for x in g), median(x[4] for x in g))
             for k, g in growth.items()},
            {k: [n + ': ' + median_info(n, v) for n, v in i.items()]
             for k, i in infos.items()},
            runs)


def median(xs):
    xs = sorted(xs)
    h = len(xs) // 2
    return xs[h] if len(xs) % 2 else (xs[h - 1] + xs[h]) / 2


def columns(rows):
    """Each column's median over the runs' rows."""
    return tuple(median(c) for c in zip(*rows))


def median_fig(runs):
    """A figure's medians over the runs: each side's and the ratio's, each
    on its own (the ratio is not the quotient of the sides' medians, as it
    is not within one run); the units and notes of the first run."""
    f = dict(runs[0])
    for key in ('v', 'l', 'r'):
        f[key] = median(x[key] for x in runs)
    return f


CEILING = re.compile(r'real mutations / op-floor ([\d.]+), '
                     r'real mutations / batch-floor ([\d.]+)')


def median_info(name, texts):
    """An info line over the runs: the ceilings' medians; anything else as
    the first run said it."""
    if len(texts) > 1 and name.startswith('ceiling-'):
        c = [CEILING.search(t) for t in texts]
        if all(c):
            op = median(float(m.group(1)) for m in c)
            batch = median(float(m.group(2)) for m in c)
            return (f'real mutations / op-floor {op:.1f}, '
                    f'real mutations / batch-floor {batch:.1f} '
                    f'(medians of {len(texts)} runs)')
    return texts[0]


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
    short = target / ratio
    return False, f'missed: {ratio:.2f}, {short:.{2 if short < 1.1 else 1}f}x short'


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


def sized(kernels, figs, prefix):
    """(kernel, its figures by name, n, name) of each figure prefix-n."""
    for k in kernels:
        f = dict(figs.get(k, []))
        for name in f:
            if name.startswith(prefix):
                yield k, f, name.split('-', 1)[1], name


def ioctl_ceiling(kernels, figs, infos):
    """What one ioctl per operation costs, and the ratio it leaves."""
    out = []
    for k, f, n, name in sized(kernels, figs, 'mutations-'):
        batch = f.get(f'batch1024-{n}')
        if not batch:
            continue
        one, real = f[name]['v'], f[name]['l']
        cost = one - batch['v']
        if cost <= 0:
            continue
        line = (f'  - {k}, {int(n):,} regions: an ioctl costs {fmt(cost)} ns '
                f'({fmt(one)} one per ioctl - {fmt(batch["v"])} batched); '
                f'with the operation free the ratio would be at most '
                f'{fmt(real)} / {fmt(cost)} = {real / cost:.1f}.')
        floor = f.get('syscall-floor')
        if floor:
            fv = floor['v']
            line += (f'  Of that, {fmt(fv)} ns is the system call itself '
                     f'(syscall-floor), which no work in the module removes: '
                     f'{fmt(real)} / {fmt(fv)} = {real / fv:.1f} is the ceiling '
                     f'for an operation and its copies that cost nothing, '
                     f'and the goal of 10 leaves the module '
                     f'{fmt(max(real / 10 - fv, 0))} ns an operation.')
        c = floor_ceiling(infos, k, n)
        if c:
            line += (f'  The cheapest operation there is, an mprotect() to '
                     f'the protection a region has (op-floor: the system '
                     f'call, the copies, the checks, the mutex and one '
                     f'lookup, and no change), leaves at most {c[0]:.1f} '
                     f'(real mutations / op-floor, median of the '
                     f'repetitions\' ratios): '
                     + ('the goal of 10 is out of reach of one ioctl per '
                        'operation here until that floor itself comes '
                        'down.'
                        if c[0] < 10 else
                        f'the goal of 10 leaves each operation '
                        f'{(c[0] / 10 - 1) * 100:.0f} % more than that '
                        f'floor.'))
        out.append(line)
    return out


def floor_ceiling(infos, kernel, n):
    """The (op-floor, batch-floor) ceilings measured at n regions, if any."""
    for i in infos.get(kernel, []):
        if i.startswith(f'ceiling-{n}:'):
            m = CEILING.search(i)
            if m:
                return float(m.group(1)), float(m.group(2))
    return None


def batch_ceiling(kernels, figs, infos):
    """What a batch costs an operation that changes nothing, and the ratio
    that leaves."""
    out = []
    for k, f, n, name in sized(kernels, figs, 'batch1024-'):
        c = floor_ceiling(infos, k, n)
        fl = f.get(f'batch-floor-{n}')
        if not c or not fl:
            continue
        op, real = f[name]['v'], f[name]['l']
        out.append(
            f'  - {k}, {int(n):,} regions: an operation that changes '
            f'nothing costs {fmt(fl["v"])} ns in a batch (batch-floor), '
            f'{fl["v"] / op * 100:.0f} % of the mix\'s {fmt(op)}; real '
            f'mutations / batch-floor = {c[1]:.1f} is the most batches could '
            f'reach if every operation cost no more than that'
            + (', under the goal of 30.' if c[1] < 30 else
               f', and the goal of 30 leaves an operation\'s own changes '
               f'{fmt(max(real / 30 - fl["v"], 0))} ns.'))
    return out


def bench_command(runs):
    n = max(runs.values(), default=1)
    return 'make bench' + (f' BENCH_RUNS={n}' if n > 1 else '')


def runs_said(runs):
    """How many runs each figure is the median of (BENCH_RUNS)."""
    n = sorted(set(runs.values()))
    if n == [1]:
        return ('One run of each kernel (`make bench BENCH_RUNS=3` boots each '
                'three times, alternating, and gives the median of the three).')
    return (f'Each figure is the median of {" or ".join(map(str, n))} runs of '
            f'each kernel, booted in turn (`make bench BENCH_RUNS=N`): each '
            f'side\'s and the ratio\'s on its own.')


def measured(paths):
    """When the newest of the VM outputs was written: when it was measured."""
    t = max(os.path.getmtime(p) for p in paths)
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t))


def main():
    md_out, svg_out, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    kernels, figs, scaling, growth, infos, runs = parse(paths)
    svg(scaling, svg_out)
    misses = []
    o = ['# vmashadow benchmarks', '',
         'Reproduce with:', '', '```sh', bench_command(runs), '```', '',
         'which boots Debian\'s 6.1 and 6.12 kernels in QEMU (TCG, `-cpu qemu64`, '
         '2 vCPUs), runs `bench/vmsbench.c` in each with the module loaded, and '
         'writes this file and `bench/scaling.svg` (`bench/report.py`).  Under TCG '
         'absolute times mean nothing: every figure below is a ratio of two '
         'measurements taken in the same VM run: 11 repetitions with the variants '
         'interleaved, and the ratio is the median of the 11 per-repetition '
         'ratios (the two sides of one repetition are timed back to back, so the '
         'host\'s load drifting between repetitions cancels out).  The ns columns '
         'are the medians of each side, only there to show what the ratio '
         'divides.  `ratio` is linux / vmashadow for times and vmashadow / linux '
         'for rates: above 1, the shadow is faster.  On this loaded 2-core host '
         'single ratios still move by 10-30 % between runs.',
         '', runs_said(runs), f'Measured {measured(paths)}, generated '
         f'{time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}.', '',
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
          '- **syscall-floor**: an ioctl the module answers at once (an unknown '
          'command: -ENOTTY), which is what any ioctl of the shadow costs before '
          'the module does anything (the system call, `fdget()`, the LSM\'s '
          'file_ioctl hook, the dispatch), against `getppid()`.',
          '- **op-floor-n / batch-floor-n**: 1,024 mprotect()s of a region to '
          'the protection it has, timed in the same repetitions as the mutations: '
          'one per ioctl and in batches of 1,024, against the same real calls.  '
          'Nothing changes on either side, and every operation does at least as '
          'much (the system call, the operation copied in, checked and copied '
          'out, the mutex, a lookup), so real mutations / floor, the ceiling '
          'in the details, is the most the mutations or batches could reach with '
          'a core whose operations cost nothing more.',
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
          'an anon_vma; the faulted shadow\'s extra (one 24-byte anon_vma identity '
          'per region at worst, measured from its own slab, `vmashadow_anon`) is '
          'in the details.',
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
            if key == 'mutations':
                o += ioctl_ceiling(kernels, figs, infos) + ['']
            if key == 'batch':
                o += batch_ceiling(kernels, figs, infos) + ['']
    open(md_out, 'w').write('\n'.join(o))


if __name__ == '__main__':
    main()
