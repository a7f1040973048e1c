#!/usr/bin/python3
"""Runs the official TR-DETR training (tr_detr.train from a clone of mingyao1120/TR-DETR) unchanged, on the GPU or
on the CPU, so that our training curves can be compared with the reference implementation's on the same data
(for example the built-in demo dataset: `java -jar target/trdetr.jar train` writes it to ~/.cache/trdetr/demo-v2).

    python3 tools/train_official.py --official-repo PATH [--cpu] -- OFFICIAL_ARGS...

OFFICIAL_ARGS are the official options (snake_case), e.g. for the demo dataset:
    --dset_name hl --ctx_mode video_tef --train_path D/train.jsonl --eval_path D/val.jsonl
    --v_feat_dirs D/video_features --t_feat_dir D/text_features --v_feat_dim 64 --t_feat_dim 32
    --bsz 8 --lr 1e-3 --n_epoch 30 --results_root R --exp_id demo

Nothing of the official code is copied or edited; two things are patched at run time, only where needed:
  - --cpu: the official code calls .cuda() unconditionally (Transformer.forward and the training loop), so
    Tensor.cuda and Module.cuda become no-ops and `--device -1` is passed.
  - missing tensorboard, tqdm or pandas packages: the training loop imports them but needs none of them for its
    results; no-op stand-ins are used.
The official loop evaluates every 5 epochs (hard-coded) and logs to RESULTS_ROOT/<dset>-<ctx>-<exp_id>-*/.
"""
import argparse
import os
import sys
import types


def stub_tensorboard():
    try:
        from torch.utils.tensorboard import SummaryWriter  # noqa: F401
    except Exception:
        class SummaryWriter:  # the official code only adds scalars and text and closes it
            def __init__(self, *a, **k): pass
            def __getattr__(self, name): return lambda *a, **k: None
        mod = types.ModuleType("torch.utils.tensorboard")
        mod.SummaryWriter = SummaryWriter
        sys.modules["torch.utils.tensorboard"] = mod
        print("train_official: tensorboard not installed, its writer is a no-op", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--official-repo", required=True)
    p.add_argument("--cpu", action="store_true", help="run on the CPU (patches the official .cuda() calls)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    a, rest = p.parse_known_args()
    if rest and rest[0] == "--":
        rest = rest[1:]
    repo = os.path.abspath(a.official_repo)
    if not os.path.isfile(os.path.join(repo, "tr_detr", "train.py")):
        sys.exit(f"error: {repo} does not look like a TR-DETR clone (no tr_detr/train.py)")
    sys.dont_write_bytecode = True
    sys.path.insert(0, repo)
    import torch
    if a.threads:
        torch.set_num_threads(a.threads)
    if a.cpu:
        torch.Tensor.cuda = lambda self, *x, **k: self
        torch.nn.Module.cuda = lambda self, *x, **k: self
        rest += ["--device", "-1"]
    stub_tensorboard()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import export_reference
    stubbed = export_reference.stub_missing_modules()
    if stubbed:
        print(f"train_official: {', '.join(stubbed)} not installed, no-op stand-ins used", file=sys.stderr)
    from tr_detr import train
    # The official code reads its own files relative to the working directory (it copies tr_detr/model.py into
    # the results), so it runs from the clone; paths given relative to the caller's directory are made absolute.
    path_options = {"--train_path", "--eval_path", "--v_feat_dirs", "--t_feat_dir", "--a_feat_dir", "--results_root",
                    "--resume"}
    current = None
    for i, arg in enumerate(rest):
        if arg.startswith("--"):
            current = arg
        elif current in path_options:
            rest[i] = os.path.abspath(arg)
    os.chdir(repo)
    sys.argv = ["tr_detr/train.py"] + rest
    train.start_training()


if __name__ == "__main__":
    main()
