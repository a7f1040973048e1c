#!/usr/bin/python3
"""Times torch.mm / torch.bmm (OpenBLAS through Debian's PyTorch) on the GEMM shapes of bench/GemmBench.java.

Usage: /usr/bin/python3 tools/bench_gemm_torch.py [--threads N] [--seconds S] [--csv]

For each shape: warm-up, then repeated timings (each sample runs the product enough times to take >= ~20 ms);
prints the GFLOP/s (2*m*n*k*batch / time) of the median and of the best sample. The shape names match the JMH benchmark names so that
tools/bench_gemm.sh can join the two tables.
"""
import argparse
import os
import statistics
import sys
import time


def _threads_from_argv(default=2):
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return str(default)


# OpenBLAS has its own thread pool that torch.set_num_threads does not control: fix it before torch loads.
os.environ["OPENBLAS_NUM_THREADS"] = _threads_from_argv()
os.environ["OMP_NUM_THREADS"] = _threads_from_argv()

import torch  # noqa: E402

# name, batch, m, n, k, transA, transB  -- C = op(A) . op(B); op(A) is m x k, op(B) is k x n
SHAPES = [
    ("nn_2400x2818x256", 1, 2400, 256, 2818, False, False),
    ("nn_2400x256x1024", 1, 2400, 1024, 256, False, False),
    ("nn_2400x1024x256", 1, 2400, 256, 1024, False, False),
    ("nt_linear_2818to256", 1, 2400, 256, 2818, False, True),
    ("tn_wgrad_2818x2400x256", 1, 2818, 256, 2400, True, False),
    ("nt_dgrad_256to2818", 1, 2400, 2818, 256, False, True),
    ("bmm_256x75x32x75", 256, 75, 75, 32, False, False),
]


def operands(batch, m, n, k, ta, tb):
    g = torch.Generator().manual_seed(0)
    shape_a = (k, m) if ta else (m, k)
    shape_b = (n, k) if tb else (k, n)
    if batch > 1:
        a = torch.rand((batch,) + shape_a, generator=g) - 0.5
        b = torch.rand((batch,) + shape_b, generator=g) - 0.5
        if ta:
            a = a.transpose(1, 2)
        if tb:
            b = b.transpose(1, 2)
    else:
        a = torch.rand(shape_a, generator=g) - 0.5
        b = torch.rand(shape_b, generator=g) - 0.5
        if ta:
            a = a.t()  # a strided view: torch/BLAS gets the transposed flag, no copy
        if tb:
            b = b.t()
    return a, b


def bench(name, batch, m, n, k, ta, tb, seconds):
    a, b = operands(batch, m, n, k, ta, tb)
    if batch > 1:
        out = torch.empty(batch, m, n)
        f = lambda: torch.bmm(a, b, out=out)
    else:
        out = torch.empty(m, n)
        f = lambda: torch.mm(a, b, out=out)
    # warm-up (>= 1 s) and calibration
    t0 = time.perf_counter()
    reps = 0
    while time.perf_counter() - t0 < 1.0:
        f()
        reps += 1
    per_call = (time.perf_counter() - t0) / reps
    inner = max(1, int(0.02 / per_call))
    samples = []
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end or len(samples) < 5:
        t = time.perf_counter()
        for _ in range(inner):
            f()
        samples.append((time.perf_counter() - t) / inner)
    flops = 2.0 * batch * m * n * k
    return flops / statistics.median(samples) / 1e9, flops / min(samples) / 1e9, len(samples) * inner


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=5.0, help="measurement time per shape")
    ap.add_argument("--csv", action="store_true", help="print name,median_gflops,best_gflops lines only")
    ap.add_argument("--only", default=None, help="comma-separated shape names")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    only = set(args.only.split(",")) if args.only else None
    if not args.csv:
        print(f"# torch {torch.__version__}, threads={torch.get_num_threads()}, "
              f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
        print(f"{'shape':28s} {'median':>9s} {'best':>9s} {'calls':>7s}   (GFLOP/s)")
    for name, batch, m, n, k, ta, tb in SHAPES:
        if only and name not in only:
            continue
        med, best, calls = bench(name, batch, m, n, k, ta, tb, args.seconds)
        if args.csv:
            print(f"{name},{med:.2f},{best:.2f}")
        else:
            print(f"{name:28s} {med:9.1f} {best:9.1f} {calls:7d}")


if __name__ == "__main__":
    main()
