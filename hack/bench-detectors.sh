#!/usr/bin/env bash
# Detector benchmarks, each against a baseline measured in the same run:
#   1. Google Benchmark throughput of every streaming detector (points/s per core), with the
#      ratio to a trivial running-mean loop; target >= 5 M points/s for zscore and ewma.
#   2. Isolation Forest against scikit-learn (PyPI, venv from hack/sklearn-venv.sh) on the
#      same data, trees and subsample size, one thread each: CPU time of fit+score, the
#      ratio, and ROC AUC of both (targets: >= 10x faster, AUC within 0.01).
#   3. NAB scores of the default detector on tests/data/nab (KUBEHEAL_NAB_DIR), all three profiles.
# Usage: hack/bench-detectors.sh [BUILD_DIR]   (default build-bench-detectors; a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-bench-detectors}
nab=${KUBEHEAL_NAB_DIR:-$PWD/tests/data/nab}
export JOBS=${JOBS:-2}

# Configure only the detectors (Release) and build just the three programs measured here.
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -S . -B "$dir" -G Ninja -DKUBEHEAL_COMPONENTS=detectors -DCMAKE_BUILD_TYPE=Release \
    >"$dir.configure.log" 2>&1 || { tail -n 30 "$dir.configure.log" >&2; exit 1; }
fi
cmake --build "$dir" --target detectors_throughput_bench isolation_forest_compare kubeheal-detect \
  -- -j "$JOBS" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== 1. streaming detector throughput (Google Benchmark, one thread) =="
"$dir/bench/detectors_throughput_bench" --benchmark_min_time=0.3 --benchmark_format=json \
  --benchmark_out="$tmp/throughput.json" --benchmark_out_format=json >/dev/null 2>"$tmp/bench.err" || {
  cat "$tmp/bench.err" >&2; exit 1; }
python3 - "$tmp/throughput.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
rate = {r["name"]: r["items_per_second"] for r in runs}
base = rate["BM_BaselineLoop"]
print(f"{'detector':<18}{'points/s':>14}{'vs baseline':>14}")
print(f"{'baseline loop':<18}{base/1e6:>12.1f} M{1.0:>13.3f}x")
for name, r in rate.items():
    if name == "BM_BaselineLoop":
        continue
    short = name.split("/", 1)[1]
    target = "  (target >= 5 M/s: %s)" % ("met" if r >= 5e6 else "MISSED") if short in ("zscore", "ewma") else ""
    unit = f"{r/1e6:>12.2f} M" if r >= 1e6 else f"{r/1e3:>12.1f} k"
    print(f"{short:<18}{unit}{r/base:>13.4f}x{target}")
PY

echo
echo "== 2. Isolation Forest vs scikit-learn (100 trees, 256 samples, 100000 x 4, 2% outliers) =="
python=$(hack/sklearn-venv.sh)
ours=$("$dir/bench/isolation_forest_compare" "$tmp/iforest.csv" 100000 4 5)
theirs=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
  "$python" detectors/bench/sklearn_isolation_forest.py "$tmp/iforest.csv" 3)
echo "$ours"
echo "$theirs"
python3 - "$ours" "$theirs" <<'PY'
import re, sys
def field(text, key):
    return float(re.search(key + r"=([0-9.]+)", text).group(1))
ours, theirs = sys.argv[1], sys.argv[2]
speed = field(theirs, "fit\\+score") / field(ours, "fit\\+score")
gap = field(ours, "auc") - field(theirs, "auc")
print(f"speed-up {speed:.1f}x (target >= 10x: {'met' if speed >= 10 else 'MISSED'}); "
      f"AUC difference {gap:+.4f} (target within 0.01: {'met' if abs(gap) <= 0.01 else 'MISSED'})")
PY

echo
echo "== 3. NAB scores of the default detector ($nab) =="
if [[ -d "$nab/data" ]]; then
  "$dir/bin/kubeheal-detect" nab --data "$nab" --detector default --results "$tmp/nab" 2>"$tmp/nab.log"
  tail -n 1 "$tmp/nab.log"
  "$dir/bin/kubeheal-detect" nab-score --data "$nab" --results "$tmp/nab" --detector default
else
  echo "NAB data not found at $nab; skipped"
fi
