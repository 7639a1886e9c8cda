#!/bin/sh
# docs/findings/plots.sh: the plots of docs/findings.md that are not
# kvmsqueeze compare's own, from the lab results under $OUT
# (results/findings, written by docs/findings/run.sh): the data as TSV
# and the plots as PNG and SVG, in docs/findings/.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$top/results/findings}
d=$top/docs/findings
sweep=$d/sweep.py

sets() {	# sets DIR SUFFIX: the alias sets of one make ab, in order; 4096
	# spaces from the 60 s shadow runs where they exist (whole passes)
	for n in 1 64 256 1024 2048 4096; do
		if [ "$n" = 4096 ] && [ -d "$OUT/alias4096-${1##*-}/alias-$n$2" ]; then
			printf '%s ' "$OUT/alias4096-${1##*-}/alias-$n$2"
		else
			printf '%s ' "$1/alias-$n$2"
		fi
	done
}
# shellcheck disable=SC2046
python3 "$sweep" --tsv alias $(sets "$OUT/alias-shadow" "") >"$d/alias-shadow-capped.tsv"
# shellcheck disable=SC2046
python3 "$sweep" --tsv alias $(sets "$OUT/alias-shadow" -uncapped) >"$d/alias-shadow-uncapped.tsv"
# shellcheck disable=SC2046
python3 "$sweep" --tsv alias $(sets "$OUT/alias-tdp" "") >"$d/alias-tdp.tsv"
gnuplot -e "dir='$d'" "$d/alias.gp"
echo "plots.sh: $d/alias.png, alias.svg and their data" >&2
