#!/bin/sh
# bench.sh BENCH OUTDIR: callgrind instruction counts per operation of
# host/bench.c at 1,000 and 1,000,000 regions.  Exact and repeatable.
set -e
bench=$1 out=$2 ops=100
mkdir -p "$out"
printf '%-10s %10s %10s %10s %10s\n' regions find map protect unmap
for n in 1000 1000000; do
	f=$out/callgrind.$n
	valgrind --tool=callgrind --callgrind-out-file="$f" --collect-atstart=no \
		--toggle-collect=bench_find --toggle-collect=bench_map \
		--toggle-collect=bench_protect --toggle-collect=bench_unmap \
		"$bench" "$n" >/dev/null 2>"$f.log"
	callgrind_annotate --inclusive=yes "$f" 2>/dev/null | awk -v n="$n" -v ops="$ops" '
		/bench_(find|map|protect|unmap) / {
			gsub(",", "", $1)
			for (i = 2; i <= NF; i++) if ($i ~ /bench_/) {
				split($i, a, ":"); name = a[2]; sub(/ .*/, "", name)
			}
			ir[name] = int($1 / ops)
		}
		END { printf "%-10s %10d %10d %10d %10d\n", n, ir["bench_find"],
			ir["bench_map"], ir["bench_protect"], ir["bench_unmap"] }'
done
echo "(instructions per call, callgrind; $ops calls each)"
