#!/usr/bin/env bash
# Builds kernels/*.cu into the PTX that ships in the jar (kernels/ptx/*.ptx, committed), so users need only
# the NVIDIA driver. `--check` rebuilds into a temporary folder and fails if the committed PTX differs.
#
# Why these settings:
#  - Virtual architecture compute_75 for the plain kernels (the oldest nvcc 13 accepts; they need nothing
#    newer), compute_80 for files that use TF32 tensor-core mma (gemm_tf32.cu). The driver JIT-compiles PTX
#    for the GPU it finds, so one PTX serves Turing through Blackwell.
#  - PTX ISA 8.0 (CUDA 12.0): nvcc 13 writes `.version 9.0`, which CUDA 12 drivers refuse to load. Our kernels
#    use no instruction newer than ISA 8.0, so the header is rewritten to 8.0 and ptxas then assembles the
#    result under ISA 8.0 rules for sm_75 and sm_90: a kernel that needed a newer ISA would fail here.
#  - -fmad=false for the memory-bound kernels: no a·b+c contraction, so float32 arithmetic rounds as Java does
#    and the CUDA backend matches the CPU backend to the last bit where the op allows. GEMM keeps FMA.
set -euo pipefail
cd "$(dirname "$0")/.."
out=kernels/ptx
check=0
if [[ "${1:-}" == "--check" ]]; then check=1; out=$(mktemp -d); fi
mkdir -p "$out"
command -v nvcc >/dev/null || { echo "build_ptx: nvcc not found" >&2; exit 1; }

for src in kernels/*.cu; do
  name=$(basename "$src" .cu)
  arch=compute_75; fmad=false
  case "$name" in
    gemm_tf32*) arch=compute_80; fmad=true ;;
    gemm) fmad=true ;;
  esac
  nvcc -ptx -arch="$arch" -fmad="$fmad" -O3 -std=c++17 -Ikernels "$src" -o "$out/$name.ptx.tmp"
  # Drop the compiler banner (it names the nvcc build) and pin the ISA version.
  grep -v '^//' "$out/$name.ptx.tmp" | sed 's/^\.version .*/.version 8.0/' > "$out/$name.ptx"
  rm "$out/$name.ptx.tmp"
  for sm in "${arch/compute_/sm_}" sm_90; do
    ptxas -arch="$sm" "$out/$name.ptx" -o /dev/null
  done
  echo "built $name.ptx ($arch, ISA 8.0)"
done

if [[ $check == 1 ]]; then
  if diff -r -q "$out" kernels/ptx >/dev/null; then echo "committed PTX matches the sources"
  else diff -r -q "$out" kernels/ptx; echo "build_ptx: committed PTX is stale: run tools/build_ptx.sh" >&2; exit 1; fi
fi
