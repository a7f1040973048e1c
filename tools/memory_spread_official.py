#!/usr/bin/python3
"""Measures, for a checkpoint of the official TR-DETR code, how much the encoder's memory differs from clip to clip
on the run's evaluation split: the number our trainer logs as `memory_spread` (trdetr.train.MemorySpread: the
mean over features of their standard deviation across all valid clips, divided by the memory's root mean square;
about 0.7 for a fresh model, below 0.01 when the encoder has collapsed and the decoder cannot read the video).

    python3 tools/memory_spread_official.py --official-repo PATH RUN_DIR [CHECKPOINT]

RUN_DIR is an official results directory (it holds opt.json); CHECKPOINT defaults to model_latest.ckpt in it, or
"init" for a freshly initialised model. Runs on the CPU; nothing of the official code is copied or edited: it is
imported as export_reference.py imports it (Tensor.cuda made a no-op at run time).
"""
import argparse
import json
import os
import sys


def spread(chunks):
    """chunks: arrays (clips, d) of valid clips. Same formula as MemorySpread.value(), in float64."""
    import numpy as np
    x = np.concatenate(chunks).astype(np.float64)
    rms = np.sqrt((x ** 2).mean())
    return 0.0 if rms == 0 else float(x.std(0).mean() / rms)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--official-repo", required=True)
    p.add_argument("run_dir")
    p.add_argument("checkpoint", nargs="?", default="model_latest.ckpt")
    a = p.parse_args()
    opt_file = os.path.join(a.run_dir, "opt.json")
    if not os.path.isfile(opt_file):
        sys.exit(f"error: {opt_file} not found (RUN_DIR must be an official results directory)")
    ckpt = None if a.checkpoint == "init" else (a.checkpoint if os.path.isfile(a.checkpoint) else os.path.join(a.run_dir, a.checkpoint))
    if ckpt is not None and not os.path.isfile(ckpt):
        sys.exit(f"error: checkpoint {ckpt} not found")

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import export_reference
    off = export_reference.import_official(a.official_repo)  # checks the clone, stubs tqdm/pandas, makes .cuda() a no-op
    import torch

    opt = argparse.Namespace(**json.load(open(opt_file)))
    opt.device = torch.device("cpu")
    if "tef" in opt.ctx_mode:
        opt.v_feat_dim += 2  # derived at run time, after opt.json was written (spec §1.3)
    torch.manual_seed(0)
    model, _ = off.build_model(opt)
    if ckpt is not None:
        model.load_state_dict(torch.load(ckpt, map_location="cpu")["model"])
    model.eval()
    data = off.ds.StartEndDataset(dset_name=opt.dset_name, data_path=opt.eval_path, v_feat_dirs=opt.v_feat_dirs, q_feat_dir=opt.t_feat_dir,
                                  q_feat_type="last_hidden_state", max_q_l=opt.max_q_l, max_v_l=opt.max_v_l, ctx_mode=opt.ctx_mode,
                                  data_ratio=1.0, normalize_v=not opt.no_norm_vfeat, normalize_t=not opt.no_norm_tfeat,
                                  clip_len=opt.clip_length, max_windows=opt.max_windows, load_labels=True, span_loss_type=opt.span_loss_type,
                                  txt_drop_ratio=0)
    # The encoder runs twice (before and after HD2MR); its last output is the memory the decoder reads.
    outputs = []
    model.transformer.encoder.register_forward_hook(lambda m, i, o: outputs.append(o.detach()))
    first, second = [], []
    with torch.no_grad():
        for start in range(0, len(data), opt.eval_bsz):
            batch = off.ds.start_end_collate([data[i] for i in range(start, min(len(data), start + opt.eval_bsz))])
            inputs, _ = off.ds.prepare_batch_inputs(batch[1], opt.device)
            outputs.clear()
            model(**inputs)
            lengths = inputs["src_vid_mask"].sum(1).long().tolist()
            for chunks, memory in ((first, outputs[0]), (second, outputs[-1])):
                m = memory.transpose(0, 1)  # (B, Lv, d)
                chunks.extend(m[b, :n].numpy() for b, n in enumerate(lengths))
    print(f"{len(data)} queries of {opt.eval_path}")
    print(f"memory spread after encoder pass 1  {spread(first):.3g}")
    print(f"memory spread after encoder pass 2  {spread(second):.3g}   (what the decoder reads; below 0.01: collapsed)")


if __name__ == "__main__":
    main()
