#!/usr/bin/env bash
# GEMM benchmark: Java (JMH, bench/target/benchmarks.jar) against OpenBLAS (through PyTorch) on the model's shapes.
#
#   tools/bench_gemm.sh                       # 2 threads, the default `java`
#   THREADS=2 JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java tools/bench_gemm.sh
#   SHAPES=nn_2400x2818x256,bmm_256x75x32x75 SCALAR=0 tools/bench_gemm.sh
#
# The machine is noisy, so each shape is measured back to back: PyTorch, then the JMH fork for the same shape,
# then PyTorch again; the ratio uses the mean of the two PyTorch runs, and only numbers from the same run are
# compared. Env: THREADS (2), JAVA (java), SHAPES (all), SCALAR (1: also the scalar kernel on one shape),
# SKIP_BUILD (0), TORCH_SECONDS (4), JMH_OPTS (extra JMH options, e.g. "-wi 3 -w 2 -i 5 -r 2").
set -euo pipefail

cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
JAVA=${JAVA:-java}
PY=${PY:-/usr/bin/python3}
SCALAR=${SCALAR:-1}
TORCH_SECONDS=${TORCH_SECONDS:-4}
JMH_OPTS=${JMH_OPTS:-}
ALL_SHAPES="nn_2400x2818x256 nn_2400x256x1024 nn_2400x1024x256 nt_linear_2818to256 tn_wgrad_2818x2400x256 nt_dgrad_256to2818 bmm_256x75x32x75"
SHAPES=${SHAPES:-$ALL_SHAPES}
SHAPES=${SHAPES//,/ }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "# building bench/target/benchmarks.jar" >&2
  mvn -q -f bench/pom.xml package -DskipTests >&2
fi

OUT=$(mktemp -d /tmp/bench_gemm.XXXXXX)
JVER=$("$JAVA" -version 2>&1 | head -1)
echo "# $JVER; threads=$THREADS; $(date -u +%FT%TZ); results in $OUT" >&2

run_torch() { # shape -> prints GFLOP/s
  "$PY" tools/bench_gemm_torch.py --threads "$THREADS" --seconds "$TORCH_SECONDS" --csv --only "$1" | cut -d, -f2
}

: > "$OUT/rows.csv"
for s in $SHAPES; do
  t1=$(run_torch "$s")
  # shellcheck disable=SC2086
  "$JAVA" -jar bench/target/benchmarks.jar 'GemmBench.vector$' -p shape="$s" -p threads="$THREADS" \
      -jvm "$JAVA" -rf csv -rff "$OUT/jmh_$s.csv" $JMH_OPTS > "$OUT/jmh_$s.log" 2>&1 \
      || { echo "JMH failed for $s, see $OUT/jmh_$s.log" >&2; exit 1; }
  t2=$(run_torch "$s")
  echo "$s,$(tail -1 "$OUT/jmh_$s.csv" | cut -d, -f5),$t1,$t2" >> "$OUT/rows.csv"
  echo "# $s done (torch $t1 / $t2 GFLOP/s)" >&2
done

SCALAR_MS=""
if [[ "$SCALAR" == 1 ]]; then
  # shellcheck disable=SC2086
  "$JAVA" -jar bench/target/benchmarks.jar 'GemmScalarBench.scalar$' -jvm "$JAVA" \
      -rf csv -rff "$OUT/jmh_scalar.csv" > "$OUT/jmh_scalar.log" 2>&1
  SCALAR_MS=$(tail -1 "$OUT/jmh_scalar.csv" | cut -d, -f5)
  SCALAR_SHAPE=$(tail -1 "$OUT/jmh_scalar.csv" | cut -d, -f8 | tr -d '"')
fi

grep -ho '# kernel.*' "$OUT"/jmh_*.log 2>/dev/null | sort -u | head -2 >&2 || true

"$PY" - "$OUT/rows.csv" "$JVER" "$THREADS" "${SCALAR_MS:-}" "${SCALAR_SHAPE:-}" <<'EOF'
import sys
rows_file, jver, threads, scalar_ms, scalar_shape = sys.argv[1:6]
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
def gflops(name, ms):
    b, m, n, k = shapes[name]
    return 2.0 * b * m * n * k / (float(ms) * 1e-3) / 1e9
print(f"\nGEMM GFLOP/s, {jver.strip()}, {threads} threads (OpenBLAS: PyTorch before / after the Java run)")
print(f"| {'shape':24s} | {'Java vector':>11s} | {'Java scalar':>11s} | {'OpenBLAS':>15s} | {'Java/OpenBLAS':>13s} |")
print(f"|{'-'*26}|{'-'*13}|{'-'*13}|{'-'*17}|{'-'*15}|")
for line in open(rows_file):
    name, ms, t1, t2 = line.strip().split(",")
    j = gflops(name, ms)
    t1, t2 = float(t1), float(t2)
    ref = (t1 + t2) / 2
    sc = f"{gflops(name, scalar_ms):.1f}" if scalar_ms and name == scalar_shape else ""
    print(f"| {name:24s} | {j:11.1f} | {sc:>11s} | {t1:6.1f} / {t2:6.1f} | {j / ref:13.2f} |")
if scalar_ms:
    print(f"(Java scalar: 1 thread, {scalar_shape})")
EOF
