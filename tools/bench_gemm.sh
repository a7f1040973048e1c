#!/usr/bin/env bash
# GEMM benchmark: Java (JMH, bench/target/benchmarks.jar) against OpenBLAS (through PyTorch) on the model's shapes.
#
#   tools/bench_gemm.sh                       # 2 threads, the default `java`
#   THREADS=2 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java tools/bench_gemm.sh
#   SHAPES=nn_2400x2818x256,bmm_256x75x32x75 SCALAR=0 tools/bench_gemm.sh
#
# The machine is noisy (other jobs share the 2 cores), so each shape is measured back to back: PyTorch, then
# the JMH fork for the same shape, then PyTorch again. Java: median and best of the calls timed by JMH
# (SampleTime mode); OpenBLAS: median and best of its ~20 ms samples, over both PyTorch runs. The ratio is
# median/median (and best/best); only numbers from the same run are compared. The load column (1-min load
# average after each shape) shows when other jobs were competing for the cores.
# Env: THREADS (2), JAVA (java), SHAPES (all), SCALAR (1: also the scalar kernel on one shape), SKIP_BUILD (0),
# TORCH_SECONDS (4 per run), JMH_OPTS (extra JMH options, e.g. "-wi 3 -w 2 -i 5 -r 2"),
# NICE (e.g. -10: run both the Java and the PyTorch measurements at that niceness, in a session and scheduler
# autogroup of their own, so that other jobs on the machine disturb them less; negative values need root).
set -euo pipefail

cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
JAVA=${JAVA:-java}
PY=${PY:-/usr/bin/python3}
SCALAR=${SCALAR:-1}
TORCH_SECONDS=${TORCH_SECONDS:-4}
JMH_OPTS=${JMH_OPTS:-}
PRIO=()
if [[ -n "${NICE:-}" ]]; then
  PRIO=(nice -n "$NICE")
  # With scheduler autogroups, niceness only counts inside a session's group: run in a session of our own
  # and give that group the niceness too (it holds only this benchmark).
  if [[ -w /proc/self/autogroup && -z "${BENCH_GEMM_SESSION:-}" ]] && command -v setsid >/dev/null; then
    BENCH_GEMM_SESSION=1 exec setsid -w "$0" "$@"
  fi
  if [[ -n "${BENCH_GEMM_SESSION:-}" ]]; then
    echo "$NICE" > /proc/self/autogroup 2>/dev/null || echo "# could not set the autogroup niceness" >&2
  fi
fi
ALL_SHAPES="nn_2400x2818x256 nn_2400x256x1024 nn_2400x1024x256 nt_linear_2818to256 tn_wgrad_2818x2400x256 nt_dgrad_256to2818 bmm_256x75x32x75"
SHAPES=${SHAPES:-$ALL_SHAPES}
SHAPES=${SHAPES//,/ }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "# building target/trdetr.jar and bench/target/benchmarks.jar" >&2
  mvn -q -o package -DskipTests >&2                          # the benchmarks run the main jar's code
  mvn -q -o -f bench/pom.xml package >&2 2>/dev/null || mvn -q -f bench/pom.xml package >&2
fi

OUT=$(mktemp -d /tmp/bench_gemm.XXXXXX)
JVER=$("$JAVA" -version 2>&1 | head -1)
echo "# $JVER; threads=$THREADS; nice=${NICE:-0} ($(cat /proc/self/autogroup 2>/dev/null)); $(date -u +%FT%TZ); results in $OUT" >&2

run_torch() { # shape -> "median,best" GFLOP/s
  "${PRIO[@]}" "$PY" tools/bench_gemm_torch.py --threads "$THREADS" --seconds "$TORCH_SECONDS" --csv --only "$1" | cut -d, -f2,3
}

: > "$OUT/rows.csv"
for s in $SHAPES; do
  t1=$(run_torch "$s")
  # shellcheck disable=SC2086
  "${PRIO[@]}" "$JAVA" -jar bench/target/benchmarks.jar 'GemmBench.vector$' -p shape="$s" -p threads="$THREADS" \
      -jvm "$JAVA" -rf json -rff "$OUT/jmh_$s.json" $JMH_OPTS > "$OUT/jmh_$s.log" 2>&1 \
      || { echo "JMH failed for $s, see $OUT/jmh_$s.log" >&2; exit 1; }
  t2=$(run_torch "$s")
  load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$s,$t1,$t2,$load" >> "$OUT/rows.csv"
  echo "# $s done (torch median,best: $t1 / $t2 GFLOP/s)" >&2
done

if [[ "$SCALAR" == 1 ]]; then
  # shellcheck disable=SC2086
  "${PRIO[@]}" "$JAVA" -jar bench/target/benchmarks.jar 'GemmScalarBench.scalar$' -jvm "$JAVA" \
      -rf json -rff "$OUT/jmh_scalar.json" > "$OUT/jmh_scalar.log" 2>&1 \
      || echo "JMH scalar run failed, see $OUT/jmh_scalar.log" >&2
fi

grep -ho '# kernel.*' "$OUT"/jmh_*.log 2>/dev/null | sort -u >&2 || true

"$PY" - "$OUT" "$JVER" "$THREADS" <<'EOF'
import json, os, statistics, sys
out, jver, threads = sys.argv[1:4]
# name -> (batch, m, n, k)
shapes = {
    "nn_2400x2818x256": (1, 2400, 256, 2818),
    "nn_2400x256x1024": (1, 2400, 1024, 256),
    "nn_2400x1024x256": (1, 2400, 256, 1024),
    "nt_linear_2818to256": (1, 2400, 256, 2818),
    "tn_wgrad_2818x2400x256": (1, 2818, 256, 2400),
    "nt_dgrad_256to2818": (1, 2400, 2818, 256),
    "bmm_256x75x32x75": (256, 75, 75, 32),
}

def jmh(path):
    """(shape, median GFLOP/s, best GFLOP/s) from a JMH json result (ms/op; median and minimum over the
    recorded calls in SampleTime mode, over the iterations in AverageTime mode)."""
    r = json.load(open(path))[0]
    shape = r["params"]["shape"]
    b, m, n, k = shapes[shape]
    pct = r["primaryMetric"]["scorePercentiles"]
    f = lambda t: 2.0 * b * m * n * k / (t * 1e-3) / 1e9
    return shape, f(pct["50.0"]), f(pct["0.0"])

scalar = {}
if os.path.exists(os.path.join(out, "jmh_scalar.json")):
    s, med, best = jmh(os.path.join(out, "jmh_scalar.json"))
    scalar[s] = med

print(f"\nGEMM GFLOP/s, {jver.strip()}, {threads} threads. median (best); OpenBLAS over both PyTorch runs")
print(f"| {'shape':24s} | {'Java vector':>15s} | {'Java scalar':>11s} | {'OpenBLAS':>15s} | {'Java/OpenBLAS':>13s} | load |")
print(f"|{'-'*26}|{'-'*17}|{'-'*13}|{'-'*17}|{'-'*15}|------|")
for line in open(os.path.join(out, "rows.csv")):
    name, tm1, tb1, tm2, tb2, load = line.strip().split(",")
    _, jmed, jbest = jmh(os.path.join(out, f"jmh_{name}.json"))
    tmed = (float(tm1) + float(tm2)) / 2
    tbest = max(float(tb1), float(tb2))
    sc = f"{scalar[name]:.1f}" if name in scalar else ""
    print(f"| {name:24s} | {jmed:6.1f} ({jbest:6.1f}) | {sc:>11s} | {tmed:6.1f} ({tbest:6.1f}) | "
          f"{jmed / tmed:5.2f} ({jbest / tbest:4.2f}) | {float(load):4.1f} |")
if scalar:
    print("(Java scalar: ScalarSgemm, 1 thread, median)")
print(f"(load: 1-min load average after the shape; the benchmark itself accounts for about {threads}, "
      "more means other jobs shared the cores)")
EOF
