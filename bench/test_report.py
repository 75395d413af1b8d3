#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""test_report.py: bench/report.py against a made-up run of two kernels
(make check, on the host).  Each test writes the lines vmsbench would
print, runs report.py on them and reads BENCHMARKS.md and the plot back:
every figure in its table with its ratio, a verdict that follows the
goal, the misses and only they in the goals table, the ceilings of the
floors said as they fall either side of a goal, the medians of several
runs of a kernel, and a plot that parses."""
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.path.join(HERE, 'report.py')


def run_lines(kernel, find65=0.73, mut_floor=(8.0, 13.9), batch_floor=(39.0, 25.2)):
    """vmsbench's lines for one kernel; the arguments set what the tests
    turn on."""
    k = kernel
    out = [f'info {k}: {k}.0-1-amd64, 11 repetitions, median']
    for n, fr in ((1000, 2.06), (65000, find65)):
        out += [
            f'bench find-random-{n} {k}: vmashadow 382.0 ns/lookup, linux 816.0 ns/lookup, ratio {fr:.2f}, cache hits 0.4 %',
            f'bench find-local-{n} {k}: vmashadow 138.0 ns/lookup, linux 769.0 ns/lookup, ratio 5.62, cache hits 92.7 %',
        ]
        if n == 1000:
            out.append(f'bench syscall-floor {k}: vmashadow 3036 ns/ioctl, linux 1817 ns/getppid, ratio 0.61')
        i = 0 if n == 1000 else 1
        out += [
            f'info layout-{n} {k}: {n + 11} regions, rbtree height 10',
            f'bench mutations-{n} {k}: vmashadow 11663 ns/op, linux 47519 ns/op, ratio 4.09',
            f'bench batch64-{n} {k}: vmashadow 6527 ns/op, linux 47519 ns/op, ratio 7.22',
            f'bench batch1024-{n} {k}: vmashadow 1500 ns/op, linux 47519 ns/op, ratio 31.60',
            f'bench batch-gain-{n} {k}: vmashadow 1500 ns/op, linux 11663 ns/op, ratio 7.78 (one op per ioctl / batches of 1024)',
            f'bench op-floor-{n} {k}: vmashadow 5946 ns/op, linux 3998 ns/op, ratio 0.66 (mprotect to the same protection)',
            f'bench batch-floor-{n} {k}: vmashadow 1220 ns/op, linux 3998 ns/op, ratio 3.24 (mprotect to the same protection, batches of 1024)',
            f'info ceiling-{n} {k}: real mutations / op-floor {mut_floor[i]:.1f}, real mutations / batch-floor {batch_floor[i]:.1f}',
        ]
    out += [
        f'bench place-65000 {k}: vmashadow 8385 ns/op, linux 23321 ns/op, ratio 2.73',
        f'bench place-growth {k}: n1 1000 6593 ns/op, n2 1000000 11234 ns/op, ratio 1.71',
    ]
    for n, f in ((1000, 362), (16000, 1092), (1000000, 6798)):
        out.append(f'bench scaling {k}: n {n} find {f} map 8911 protect 5805 unmap 5708 ns/op')
    out += [
        f'bench memory {k}: vmashadow 72.9 B/region, linux 176.0 B/region, ratio 2.41',
        f'bench import-65000 {k}: vmashadow 782325 regions/s, linux 333826 regions/s, ratio 2.30',
        '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0',
    ]
    return out


class Report(unittest.TestCase):
    def render(self, runs):
        """BENCHMARKS.md and the plot's text for @runs: kernel -> lines, or
        kernel -> [lines, ...] for several runs of it (BENCH_RUNS)."""
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for k, outputs in runs.items():
                if isinstance(outputs[0], str):
                    outputs = [outputs]
                for i, lines in enumerate(outputs):
                    p = os.path.join(d, f'{k}.{i}.out')
                    with open(p, 'w') as f:
                        # as the serial log has them: CRs and other lines around
                        f.write('VMS-BEGIN vmsbench\r\n')
                        f.write(''.join(l + '\r\n' for l in lines))
                        f.write('VMS-END vmsbench rc=0\r\n')
                    paths.append(p)
            md, svg = os.path.join(d, 'B.md'), os.path.join(d, 'B.svg')
            subprocess.run([sys.executable, REPORT, md, svg] + paths, check=True)
            with open(md) as f, open(svg) as g:
                return f.read(), g.read()

    def row(self, md, kernel, name):
        """The table row of @name under kernel @kernel's heading."""
        part = md.split(f'## Linux {kernel}\n', 1)[1].split('\n## ', 1)[0]
        for line in part.splitlines():
            if line.startswith(f'| {name} ') or line.startswith(f'| {name} ('):
                return [c.strip() for c in line.strip('|').split('|')]
        self.fail(f'no row for {name} on {kernel}')

    def test_every_figure_has_its_row(self):
        md, _ = self.render({'6.1': run_lines('6.1')})
        for line in run_lines('6.1'):
            m = re.match(r'bench (\S+) 6\.1: .*ratio ([\d.]+)', line)
            if not m or m.group(1) in ('scaling', 'place-growth'):
                continue
            self.assertEqual(self.row(md, '6.1', m.group(1))[3], m.group(2))

    def test_verdicts_follow_the_goals(self):
        md, _ = self.render({'6.1': run_lines('6.1')})
        self.assertEqual(self.row(md, '6.1', 'find-random-1000')[5], 'met')
        self.assertEqual(self.row(md, '6.1', 'find-random-65000')[5],
                         'missed: 0.73, 1.4x short')
        self.assertEqual(self.row(md, '6.1', 'batch1024-1000')[5], 'met')
        self.assertEqual(self.row(md, '6.1', 'mutations-1000')[5],
                         'missed: 4.09, 2.4x short')
        self.assertEqual(self.row(md, '6.1', 'memory')[5], 'met')
        self.assertEqual(self.row(md, '6.1', 'import-65000')[5],
                         'missed: 2.30, 2.2x short')
        # the floors are there to divide by, with no goal of their own
        self.assertEqual(self.row(md, '6.1', 'op-floor-1000')[4:], ['', ''])
        # a miss within 10 %: two decimals
        md, _ = self.render({'6.1': run_lines('6.1', find65=0.96)})
        self.assertEqual(self.row(md, '6.1', 'find-random-65000')[5],
                         'missed: 0.96, 1.04x short')

    def test_goals_table_lists_the_misses_only(self):
        md, _ = self.render({'6.1': run_lines('6.1', find65=1.10),
                             '6.12': run_lines('6.12')})
        goals = md.split('## Goals\n', 1)[1].split('Why, and what', 1)[0]
        rows = {tuple(c.strip() for c in l.strip('|').split('|')[:2])
                for l in goals.splitlines() if l.startswith('| 6.')}
        self.assertIn(('6.12', 'find-random-65000'), rows)
        self.assertNotIn(('6.1', 'find-random-65000'), rows)
        self.assertNotIn(('6.1', 'batch1024-1000'), rows)
        self.assertIn(('6.1', 'batch64-1000'), rows)
        self.assertIn(('6.12', 'import-65000'), rows)
        # mutations and batch64 at both sizes, import; find on 6.12 alone
        self.assertEqual(len(rows), 2 * 5 + 1)

    def test_ceilings_either_side_of_the_goals(self):
        md, _ = self.render({'6.12': run_lines('6.12', mut_floor=(5.8, 13.9),
                                               batch_floor=(25.2, 38.3))})
        why = md.split('Why, and what would close it:', 1)[1]
        m1000 = re.search(r'6\.12, 1,000 regions: an ioctl costs.*', why).group(0)
        m65000 = re.search(r'6\.12, 65,000 regions: an ioctl costs.*', why).group(0)
        self.assertIn('leaves at most 5.8', m1000)
        self.assertIn('out of reach of one ioctl per operation', m1000)
        self.assertIn('leaves at most 13.9', m65000)
        self.assertIn('leaves each operation 39 % more than that floor', m65000)
        b1000 = re.search(r'6\.12, 1,000 regions: an operation that changes nothing.*', why)
        b65000 = re.search(r'6\.12, 65,000 regions: an operation that changes nothing.*', why)
        self.assertIn('= 25.2', b1000.group(0))
        self.assertIn('under the goal of 30', b1000.group(0))
        self.assertIn('= 38.3', b65000.group(0))
        self.assertIn("the goal of 30 leaves an operation's own changes", b65000.group(0))

    def test_runs_give_medians(self):
        one = run_lines('6.1')
        md, _ = self.render({'6.1': one})
        self.assertIn('One run of each kernel', md)
        self.assertIn('```sh\nmake bench\n```', md)
        md, _ = self.render({'6.1': [
            run_lines('6.1', find65=0.73, mut_floor=(8.0, 13.9)),
            run_lines('6.1', find65=1.10, mut_floor=(12.0, 15.0)),
            run_lines('6.1', find65=0.95, mut_floor=(9.0, 11.0))]})
        self.assertIn('Each figure is the median of 3 runs of each kernel', md)
        self.assertIn('```sh\nmake bench BENCH_RUNS=3\n```', md)
        # the ratio's median, and the verdict on it, not on any one run
        self.assertEqual(self.row(md, '6.1', 'find-random-65000')[3:6],
                         ['0.95', '>= 1.0', 'missed: 0.95, 1.05x short'])
        # the same figure in every run stays as it was
        self.assertEqual(self.row(md, '6.1', 'mutations-1000'),
                         self.row(self.render({'6.1': one})[0], '6.1',
                                  'mutations-1000'))
        # one row a figure, one line an info
        self.assertEqual(md.count('| find-random-65000 (cache hits'), 1)
        self.assertEqual(md.count('- ceiling-1000:'), 1)
        self.assertIn('- ceiling-1000: real mutations / op-floor 9.0, real '
                      'mutations / batch-floor 39.0 (medians of 3 runs)', md)
        self.assertIn('leaves at most 9.0', md)

    def test_scaling_table_and_plot(self):
        md, svg = self.render({'6.1': run_lines('6.1'), '6.12': run_lines('6.12')})
        self.assertIn('| 1,000,000 | 6,798 | 8,911 | 5,805 | 5,708 |', md)
        self.assertIn('| growth 1,000 to 1,000,000 | 18.78x |', md)
        root = ET.fromstring(svg)
        lines = [e for e in root.iter() if e.tag.endswith('polyline')]
        self.assertEqual(len(lines), 2 * 4)     # 2 kernels x 4 operations


if __name__ == '__main__':
    unittest.main()
