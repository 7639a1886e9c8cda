#!/bin/sh
# docs/findings/pack.sh STEP...: copy the result files of those steps of
# docs/findings/run.sh from $OUT (results/findings) to docs/results/,
# gzip -9 compressed: <step>/<experiment>/<set>/rep-N.json.gz. The raw lab
# directories (serial logs, the copies the sets were made from) stay out.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$top/results/findings}
dst=$top/docs/results
[ $# -gt 0 ] || { echo "usage: docs/findings/pack.sh STEP..." >&2; exit 2; }
for step in "$@"; do
	[ -d "$OUT/$step" ] || { echo "pack.sh: no $OUT/$step" >&2; exit 1; }
	n=0
	for f in "$OUT/$step"/*/*/rep-*.json; do
		rel=${f#"$OUT/"}
		mkdir -p "$dst/$(dirname "$rel")"
		gzip -9 -n -c "$f" >"$dst/$rel.gz"
		n=$((n + 1))
	done
	echo "pack.sh: $step: $n result files" >&2
done
