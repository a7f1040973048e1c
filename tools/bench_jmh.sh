#!/usr/bin/env bash
# The JMH suite (bench/): GEMM on the model's shapes, attention, softmax, layer norm, the GRU, a full forward pass and
# a full training step of the released model, on the CPU and/or on CUDA. Builds target/trdetr.jar and
# bench/target/benchmarks.jar, runs the suite and writes JMH's JSON results (-rf json) to jmh-result.json.
#
#   tools/bench_jmh.sh            # all: the CPU, and CUDA when a usable GPU is present (else said, and skipped)
#   tools/bench_jmh.sh cpu        # the CPU only (about 5 minutes with 2 cores)
#   tools/bench_jmh.sh cuda       # CUDA only; exits 2 with the reason when there is no usable GPU
#   THREADS=2 tools/bench_jmh.sh cpu -p shape=nn_proj_2400x2818x256    # further arguments go to JMH
#   QUICK=1 tools/bench_jmh.sh cuda                                    # 1 warm-up and 2 measured iterations of 0.5 s each
#
# Env: THREADS (CPU worker threads, default all cores), OUT (results file, default jmh-result.json), JAVA (java),
# SKIP_BUILD=1 (use the jars as they are, e.g. carried to a GPU machine without Maven), BENCH_JAR
# (bench/target/benchmarks.jar; it finds target/trdetr.jar, or a trdetr.jar beside it, through its manifest),
# BENCH (the benchmarks, a JMH regular expression; default the suite below), QUICK=1, NICE (e.g. 10).
# Per-benchmark warm-up and iteration counts are in the classes (short; fewer for ModelBench); JMH's own options
# (-wi, -w, -i, -r, -f) given as arguments override them. GemmBench (CPU kernels against OpenBLAS) has its own
# script, tools/bench_gemm.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:-all}
[[ $# -gt 0 ]] && shift
case "$which" in cpu|cuda|all) ;; *) echo "usage: tools/bench_jmh.sh [cpu|cuda|all] [JMH options...]" >&2; exit 2 ;; esac
JAVA=${JAVA:-java}
OUT=${OUT:-jmh-result.json}
BENCH_JAR=${BENCH_JAR:-bench/target/benchmarks.jar}
BENCH=${BENCH:-'trdetr\.jmh\.(Matmul|Attention|Softmax|LayerNorm|Gru|Model)Bench\.'}
PRIO=()
[[ -n "${NICE:-}" ]] && PRIO=(nice -n "$NICE")

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "# building target/trdetr.jar and $BENCH_JAR" >&2
  mvn -q -o package -DskipTests >&2
  # JMH may not be in the local repository yet: then the first build needs Maven Central.
  mvn -q -o -f bench/pom.xml package >&2 2>/dev/null || mvn -q -f bench/pom.xml package >&2
fi

gpu=$("$JAVA" -cp "$BENCH_JAR" trdetr.jmh.DeviceProbe) && has_gpu=1 || has_gpu=0
case "$which" in
  cpu) devices=cpu ;;
  cuda) [[ $has_gpu == 1 ]] || { echo "error: $gpu" >&2; exit 2; }; devices=cuda ;;
  all) if [[ $has_gpu == 1 ]]; then devices=cpu,cuda; else devices=cpu; echo "# skipping the CUDA benchmarks: $gpu" >&2; fi ;;
esac
[[ $has_gpu == 1 ]] && echo "# $gpu" >&2

args=(-p device="$devices" -rf json -rff "$OUT")
[[ -n "${THREADS:-}" ]] && args+=(-p threads="$THREADS")
[[ "${QUICK:-0}" == 1 ]] && args+=(-wi 1 -w 500ms -i 2 -r 500ms)
echo "# $("$JAVA" -version 2>&1 | head -1); devices=$devices; threads=${THREADS:-all}; $(date -u +%FT%TZ)" >&2
"${PRIO[@]}" "$JAVA" -jar "$BENCH_JAR" "$BENCH" "${args[@]}" "$@"

# One line per benchmark: the median and the best call (SampleTime's p0.50 and p0.00).
if command -v python3 >/dev/null; then
  python3 - "$OUT" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
print(f"{'benchmark':<34} {'params':<58} {'median':>11} {'best':>11}  unit")
for r in rows:
    p = r.get("params", {})
    params = " ".join(f"{k}={v}" for k, v in p.items() if k != "threads" and not (k == "cudaGemm" and v == "default"))
    m = r["primaryMetric"]; pct = m.get("scorePercentiles", {})
    print(f"{r['benchmark'].replace('trdetr.jmh.', ''):<34} {params:<58} {pct.get('50.0', m['score']):>11.3f} {pct.get('0.0', float('nan')):>11.3f}  {m['scoreUnit']}")
PY
fi
echo "# results: $OUT" >&2
