#!/usr/bin/env bash
# Every GPU check in one go, for a machine with an NVIDIA driver and no Java: build bundle/ here first
# ([OFFICIAL_REPO=...] tools/gpu_bundle.sh), carry it, and run this from the repository root there (the reference
# fixtures of src/test/reference travel with the tree; FIXTURE= picks the one `verify` runs). Each step's full output
# goes to ${OUT:-gpu-results}/<step>.txt; a failing step does not stop the others; the summary at the end lists each
# step's exit status.
set -uo pipefail
out=${OUT:-gpu-results}
mkdir -p "$out"
summary=()
step() {
  local name=$1 limit=$2; shift 2
  [[ -n "${ONLY:-}" && " $ONLY " != *" $name "* ]] && return 0     # ONLY="gradcheck junit": run just those steps
  echo "=== $name: $*"
  timeout "$limit" "$@" > "$out/$name.txt" 2>&1
  local rc=$?
  grep -v '^ok ' "$out/$name.txt" | tail -n "${TAIL:-25}"
  summary+=("$name rc=$rc")
}
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
echo "libcublas.so.12: $(ldconfig -p | grep -c 'libcublas.so.12') found; libcublas.so.13: $(ldconfig -p | grep -c 'libcublas.so.13') found"
fixture=${FIXTURE:-src/test/reference/reference_dec1.npz}

TRDETR_JAVA_OPTS=-Dtrdetr.cuda.sync=true step gradcheck 300 bundle/run.sh gradcheck --device cuda
# CudaClipModelTest: the CLIP encoders (issue #16) on the GPU against OpenAI's CLIP code (src/test/resources/clip);
# CudaClipFeatureExtractorTest: the features command's arithmetic (frames -> pixels -> CLIP) against the reference extractor.
step junit 400 bundle/run.sh junit --select-package trdetr.backend.cuda --select-class trdetr.verify.CudaVerifierTest \
    --select-class trdetr.train.CudaMemoryTest --select-class trdetr.clip.CudaClipModelTest \
    --select-class trdetr.features.CudaClipFeatureExtractorTest --details=tree
step verify 300 bundle/run.sh verify --reference "$fixture" --device cuda
# float64 parity on the GPU (issue #14): ours in float64 to 1e-9 of the official float64 answer, float32 within 10x the
# official float32 error.
for f in src/test/reference/parity_*.npz; do
  step "verify-f64-$(basename "$f" .npz)" 200 bundle/run.sh verify --reference "$f" --device cuda
done
step memory-check 300 bundle/run.sh memory-check --steps 1000
step bench-gemm 200 bundle/run.sh bench gemm --device cuda --mode all
# Each TF32 kernel variant (issue #4) in a process of its own, so that one that faults (a sticky CUDA error) cannot
# hide the others: its check lines (every case against the TF32 emulation), then its timings on the model's shapes
# with the error against the exact kernel. ONLY="gemm-variants" runs just these.
if [[ -z "${ONLY:-}" || " $ONLY " == *" gemm-variants "* ]]; then
  for v in $(bundle/run.sh bench gemm --list-tf32-variants); do
    ONLY= TRDETR_JAVA_OPTS=-Dtrdetr.cuda.sync=true step "gemm-check-$v" 120 bundle/run.sh gradcheck --device cuda --op "tf32=$v"
    ONLY= step "bench-gemm-$v" 120 bundle/run.sh bench gemm --device cuda --mode tf32 --tf32-variant "$v" --samples 7
  done
fi
step bench-step-cuda 300 bundle/run.sh bench step --device cuda --steps 20 --forwards 20
TRDETR_JAVA_OPTS=-Dtrdetr.cuda.gemm=tf32 step bench-step-cuda-tf32 300 bundle/run.sh bench step --device cuda --steps 20 --forwards 20
# The JMH suite on CUDA, short (about a minute; two of the GEMM shapes, bench-gemm has them all): JSON in $out.
[[ -f bundle/benchmarks.jar ]] && step jmh-cuda 180 bundle/run.sh jmh 'trdetr\.jmh\.(Matmul|Attention|Softmax|LayerNorm|Gru|Model)Bench\.' \
    -p device=cuda -p shape=nn_proj_2400x2818x256,bmm_nt_attn_256x75x75x32 -wi 1 -w 500ms -i 2 -r 500ms -rf json -rff "$out/jmh-result.json"
# CLIP ViT-B/32 frames/s and queries/s on the GPU (issue #16), ours and OpenAI's (when CLIP_REPO was bundled).
step bench-clip-cuda 200 bundle/run.sh bench clip --device cuda --frames 64 --queries 64 --samples 5
[[ -d bundle/openai-clip ]] && step torch-clip-cuda 200 python3 tools/bench_clip_torch.py --clip-repo bundle/openai-clip --device cuda --frames 64 --queries 64 --samples 5
[[ -d bundle/official ]] && step torch-step-cuda 300 python3 tools/bench_pytorch.py --official-repo bundle/official --device cuda --steps 20 --forwards 20
[[ -n "${CPU_RACE:-}" ]] && step bench-step-cpu16 300 bundle/run.sh bench step --device cpu --threads 16 --steps 3 --forwards 3 --warmup 1
[[ -n "${CPU_RACE:-}" && -d bundle/official ]] && step torch-step-cpu16 300 python3 tools/bench_pytorch.py --official-repo bundle/official --threads 16 --steps 3 --forwards 3 --warmup 1
printf '%s\n' "${summary[@]}" | tee "$out/summary.txt"
