#!/usr/bin/env bash
# CLIP speed, ours against OpenAI's PyTorch CLIP on this CPU (issue #16): image frames/s and text queries/s of
# ViT-B/32 with random weights, every thread configuration of both sides, one after another, then a table.
#
#   tools/bench_clip_compare.sh --clip-repo /tmp/openai-clip [--max-threads 2] [--frames 16] [--samples 5] [--rounds 3]
#
# Every configuration runs once per round, rounds in rotated order; each figure is the median over rounds of a run's
# median (the machines here are shared and noisy: compare figures of one run only).
# Ours: java -jar target/trdetr.jar bench clip --device cpu --threads T. PyTorch: OPENBLAS_NUM_THREADS=B
# tools/bench_clip_torch.py --threads T (Debian's python3-torch). Build the jar first (mvn -q package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
clip_repo="" max_threads=$(nproc) frames=16 samples=5 queries=32 tokens=20 rounds=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clip-repo) clip_repo=$2; shift 2 ;;
    --max-threads) max_threads=$2; shift 2 ;;
    --frames) frames=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n "$clip_repo" ]] || { echo "--clip-repo CLONE (github.com/openai/CLIP) is required" >&2; exit 2; }
common=(--frames "$frames" --queries "$queries" --tokens "$tokens" --samples "$samples" --warmup 1)
configs=()
for t in $(seq 1 "$max_threads"); do
  configs+=("java $t 0")
  for b in $(seq 1 "$max_threads"); do configs+=("torch $t $b"); done
done
results=$(mktemp)
trap 'rm -f "$results"' EXIT
n=${#configs[@]}
for r in $(seq 0 $((rounds - 1))); do
  for i in $(seq 0 $((n - 1))); do
    read -r side t b <<<"${configs[$(((i + r) % n))]}"
    if [[ $side == java ]]; then
      name="trdetr-java --threads $t"
      j=$(java -jar target/trdetr.jar bench clip --device cpu --threads "$t" "${common[@]}" 2>/dev/null | tail -1)
    else
      name="PyTorch OPENBLAS_NUM_THREADS=$b, torch threads $t"
      j=$(OPENBLAS_NUM_THREADS=$b /usr/bin/python3 tools/bench_clip_torch.py --clip-repo "$clip_repo" --threads "$t" "${common[@]}" | tail -1)
    fi
    echo "$name|$j" >>"$results"
  done
done
echo "CLIP ViT-B/32, random weights, float32: $frames frames of 224 px per image batch, $queries queries of $tokens tokens per text batch"
echo "(OpenAI's text tower runs all 77 positions; ours stops at the batch's longest query); each run's median of $samples"
echo "batches, median over $rounds rounds."
echo
python3 - "$results" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, j = line.rstrip("\n").split("|", 1)
    runs.setdefault(name, []).append(json.loads(j))
med = {k: (statistics.median(r["frames_per_s"] for r in v), statistics.median(r["queries_per_s"] for r in v)) for k, v in runs.items()}
java = {k: v for k, v in med.items() if k.startswith("trdetr")}
torch = {k: v for k, v in med.items() if k.startswith("PyTorch")}
print("| configuration | image frames/s | text queries/s |")
print("|---|---|---|")
for k, (f, q) in med.items():
    print(f"| {k} | {f:.2f} | {q:.1f} |")
print()
print("| comparison | trdetr-java | PyTorch | ratio (java / torch, above 1: ours faster) |")
print("|---|---|---|---|")
for col, label in ((0, "images, best against best"), (1, "text, best against best")):
    jb = max(java, key=lambda k: java[k][col]); tb = max(torch, key=lambda k: torch[k][col])
    print(f"| {label} | {java[jb][col]:.2f} ({jb}) | {torch[tb][col]:.2f} ({tb}) | {java[jb][col] / torch[tb][col]:.2f}x |")
j1, t1 = "trdetr-java --threads 1", "PyTorch OPENBLAS_NUM_THREADS=1, torch threads 1"
for col, label in ((0, "images, one thread each"), (1, "text, one thread each")):
    print(f"| {label} | {java[j1][col]:.2f} | {torch[t1][col]:.2f} | {java[j1][col] / torch[t1][col]:.2f}x |")
PY
echo
echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; OpenBLAS core: $(OPENBLAS_VERBOSE=2 /usr/bin/python3 -c 'import torch; (torch.randn(64,64)@torch.randn(64,64))' 2>&1 | sed -n 's/^Core: //p'); Java $(java -version 2>&1 | head -1 | cut -d'"' -f2); torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)')."
