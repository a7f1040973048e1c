#!/usr/bin/python3
"""Times the official TR-DETR (PyTorch, CPU) training step and forward pass on the shapes `trdetr bench step` uses.

    python3 tools/bench_pytorch.py --official-repo PATH [--threads 2] [--bsz 32] [--steps 10] [--warmup 3]

The official model is built from a clone of mingyao1120/TR-DETR with its default (released QVHighlights) options:
video features 2816 + 2 TEF columns, text 512, hidden 256, max_v_l 75, max_q_l 32. A batch of `--bsz` samples
with random lengths (video 20..75 clips, text 5..32 tokens, padded, seeded) goes through the official data
pipeline (tools/export_reference.py builds it). One training step is the body of the official train_epoch:
forward, criterion + CTC + VTC losses, zero_grad, backward, clip_grad_norm_(grad_clip), AdamW step. A forward
pass is model.eval() under torch.no_grad(). Prints one JSON line last with the same keys as `trdetr bench step`.
"""
import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_reference as ref  # noqa: E402  (builds the official model and batch)


def to_device(o, dev):
    """Tensors, and lists/dicts of them (the official targets), moved to dev."""
    import torch
    if isinstance(o, torch.Tensor):
        return o.to(dev)
    if isinstance(o, list):
        return [to_device(e, dev) for e in o]
    if isinstance(o, dict):
        return {k: to_device(v, dev) for k, v in o.items()}
    return o


def loaded_blas():
    """The BLAS library this process mapped (Debian's torch links libblas.so.3, an alternative: OpenBLAS here)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    real = sorted({os.path.realpath(x) for x in libs})
    return ",".join(os.path.basename(x) for x in real) or "unknown"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--official-repo", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bsz", type=int, default=32)
    p.add_argument("--steps", type=int, default=10, help="timed training steps (after warm-up)")
    p.add_argument("--forwards", type=int, default=10, help="timed forward passes (after warm-up)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                   help="cuda: the official model and batch on the GPU (FP32; TF32 off, as PyTorch's default)")
    p.add_argument("--profile", metavar="FILE",
                   help="also profile --steps training steps with torch.profiler and write its table of ops by self "
                        "CPU time to FILE (what to set our JFR profile against; the timings then include its overhead)")
    a = p.parse_args()

    rng = np.random.default_rng(a.seed)
    v_lens = ",".join(str(int(x)) for x in rng.integers(20, 76, size=a.bsz))
    t_lens = ",".join(str(int(x)) for x in rng.integers(5, 33, size=a.bsz))
    args = ref.parse_args(["--official-repo", a.official_repo, "--out", os.devnull, "--v-feat-dim", "2816",
                           "--t-feat-dim", "512", "--batch", str(a.bsz), "--v-lens", v_lens, "--t-lens", t_lens,
                           "--seed", str(a.seed), "--threads", str(a.threads)])
    import torch
    real_cuda = torch.Tensor.cuda
    off = ref.import_official(args.official_repo)      # patches Tensor.cuda away for CPU runs
    if a.device == "cuda":
        torch.Tensor.cuda = real_cuda
        torch.backends.cuda.matmul.allow_tf32 = False
    torch.set_num_threads(a.threads)
    opt = ref.build_opt(args, off, None)
    random.seed(opt.seed)
    np.random.seed(opt.seed)
    torch.manual_seed(opt.seed)
    model, criterion = off.build_model(opt)
    tmp = tempfile.mkdtemp(prefix="trdetr_bench_")
    try:
        inputs, targets, *_ = ref.build_batch(args, opt, off, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    dev = torch.device(a.device)
    if a.device == "cuda":
        model.to(dev)
        criterion.to(dev)
        opt.device = dev
        inputs = {k: to_device(v, dev) for k, v in inputs.items()}
        targets = {k: to_device(v, dev) for k, v in targets.items()}
    param_dicts = [{"params": [p for n, p in model.named_parameters() if p.requires_grad]}]
    optimizer = torch.optim.AdamW(param_dicts, lr=opt.lr, weight_decay=opt.wd)
    ctc, vtc = off.CTC_Loss(), off.VTCLoss()
    weights = criterion.weight_dict

    def train_step():
        outputs = model(**inputs)
        loss_dict = criterion(outputs, targets)
        losses = sum(loss_dict[k] * weights[k] for k in loss_dict.keys() if k in weights)
        losses = losses + opt.VTC_loss_coef * vtc(outputs["src_txt_cls_ed"], outputs["src_vid_cls_ed"]) \
            + opt.CTC_loss_coef * ctc(outputs["src_vid_ed"], outputs["src_txt_ed"], targets["src_pos_mask"],
                                      inputs["src_vid_mask"], inputs["src_txt_mask"])
        optimizer.zero_grad()
        losses.backward()
        if opt.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), opt.grad_clip)
        optimizer.step()
        return float(losses)

    def forward():
        with torch.no_grad():
            model(**inputs)

    def timed(fn, n):
        out = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            if a.device == "cuda":
                torch.cuda.synchronize()
            out.append(time.perf_counter() - t)
        return out

    model.train()
    criterion.train()
    timed(train_step, a.warmup)
    steps = timed(train_step, a.steps)
    if a.profile:
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], with_flops=True) as prof:
            timed(train_step, a.steps)
        with open(a.profile, "w") as f:
            f.write(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=60))
    model.eval()
    timed(forward, a.warmup)
    fwd = timed(forward, a.forwards)
    for i, s in enumerate(steps):
        print(f"step {i}: {s:.3f} s")
    result = dict(impl="pytorch-official", device=a.device, threads=a.threads, bsz=a.bsz, steps=a.steps,
                  median_step_s=statistics.median(steps), min_step_s=min(steps), max_step_s=max(steps),
                  median_forward_s=statistics.median(fwd), min_forward_s=min(fwd),
                  peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                  torch=torch.__version__, blas=loaded_blas(),
                  official_commit=off.commit)
    if a.device == "cuda":
        result["gpu"] = torch.cuda.get_device_name(0)
        result["peak_device_mb"] = torch.cuda.max_memory_allocated() / 1048576.0
    print(json.dumps(result))


if __name__ == "__main__":
    main()
