#!/usr/bin/env python3
"""Write a reference file (.npz) from the OFFICIAL TR-DETR code, for `trdetr verify` to compare against.

    /usr/bin/python3 tools/export_reference.py --official-repo /path/to/TR-DETR [--checkpoint CKPT] \
        --out src/test/reference/reference_small.npz [--save-ckpt src/test/reference/reference_small.ckpt] [options]

The official repository (github.com/mingyao1120/TR-DETR, checked with commit fca43a9) is imported from the
given clone by path: nothing of it is copied here. Its classes do all the work:
`tr_detr.config.BaseOptions` (option parser and defaults), `tr_detr.model.build_model` (model + SetCriterion with
the Hungarian matcher), `tr_detr.start_end_dataset[_audio]` (feature normalisation, TEF, span/saliency labels,
pos_mask, collation), `tr_detr.loss_fun.{CTCLoss,VTCLoss}`. The loss total is combined exactly as
`tr_detr/train.py::train_epoch` does it.

What the script does
--------------------
1. Builds the official option Namespace: the official parser's defaults (dset_name "hl"), then the options of
   `--checkpoint`'s `opt` (if given), then the options given on this command line, then the official derived
   options (`use_tef`, `use_video`, `v_feat_dim += 2` for TEF, ...). Option names are the official ones in kebab
   case (`--enc-layers`, `--VTC-loss-coef` or `--vtc-loss-coef`, ...). `--v-feat-dim`, `--a-feat-dim` have the
   official meaning: v_feat_dim = raw video width WITHOUT the 2 TEF columns; a_feat_dim = the audio width as the
   model sees it (the official audio dataset appends TEF to audio too, so raw audio = a_feat_dim - 2).
2. Seeds `random`, `numpy`, `torch` with `--seed` (as train.py's set_seed) and builds the official model and
   criterion; with `--checkpoint` the weights are then loaded from its "model" entry.
3. Writes a synthetic QVHighlights-style data set into a temporary directory (random features saved as the
   official feature files: `{vid}.npz["features"]` per video dir, `qid{qid}.npz["last_hidden_state"]`,
   `{vid}.npy` for audio; a jsonl with relevant_windows / relevant_clip_ids / saliency_scores) and loads it with
   the official dataset class (L2 normalisation x/(|x|+1e-5), TEF, span labels, saliency pos/neg/all labels,
   pos_mask) and the official collate + prepare_batch_inputs. Video lengths `--v-lens`, text lengths `--t-lens`
   (one entry per sample, so the batch has padding). One sample's last window ends at its last clip.
4. model.eval() (dropout off, deterministic), one forward with forward hooks on every submodule, the official
   criterion + CTC + VTC, `total.backward()`.
5. Writes the .npz (own zip writer, fixed timestamps, so reruns give byte-identical files).

Patched at run time (never in the clone)
----------------------------------------
* `torch.Tensor.cuda` -> returns self (Transformer.forward allocates the decoder target with `.cuda()`).
* `opt.device` = torch.device("cpu") (build_model / criterion.to / prepare_batch_inputs take it from there).
* Modules `tqdm` and `pandas` are replaced by empty stubs if not installed (imported by the dataset module and
  utils/basic_utils.py but not used on this path).
* `sys.dont_write_bytecode` is set so the clone is left untouched; torch runs on `--threads` (default 1) threads.
* The criterion's matcher is wrapped to record its matchings (into meta.config "matching"); results unchanged.

File layout (all keys are zip entries "<key>.npy")
--------------------------------------------------
meta.config      uint8, UTF-8 JSON: official option names (hidden_dim, nheads, enc_layers, dec_layers,
                 dim_feedforward, num_queries, v_feat_dim, t_feat_dim, a_feat_dim, n_input_proj, clip_length, max_v_l,
                 max_q_l, costs, coefficients, ...). HERE v_feat_dim = the model's video in-features INCLUDING the 2 TEF
                 columns AND the audio width (= w.input_vid_proj.0.LayerNorm.weight length); v_feat_dim_raw is the
                 official (opt.json) value; a_feat_dim is null without audio. Also: batch, v_lens / t_lens (as
                 requested), v_valid_lens / t_valid_lens (after max_v_l / max_q_l), Lv, Lt, seed, weight_dict
                 (criterion weights), no_grad (parameters without gradient), matching (Hungarian pairs
                 [b, query, target] of the main output and of each aux output), mr2hd_slices (per sample: top query,
                 st/ed clip indices before and after floor, rows [start, stop) of the Python slice),
                 annotations (the synthetic jsonl rows), round_weights, act_convention, torch_version,
                 official_commit, checkpoint.
meta.act_order   uint8, UTF-8 JSON list of the act.* keys (without "act.") in the order they were produced.
w.<name>         float32, every key of model.state_dict().
in.vid (B,Lv,Dv) float32 video features incl. TEF (Dv = v_feat_dim_raw + 2); in.vmask (B,Lv) float32 (1 = valid);
in.txt (B,Lt,Dt), in.tmask (B,Lt) float32; in.aud (B,Lv,Da) float32 only with audio (Da = a_feat_dim, incl. TEF);
in.spans (N,2) float32 (center, width) normalised by ctx_l*clip_length, sample by sample; in.nspans (B) int64;
in.pos, in.neg (B,K) int64 (saliency_pos_labels / saliency_neg_labels, K = 2);
in.allsal (B,Lv) int64 (saliency_all_labels, sums of the 3 annotator scores, 0 at padding);
in.posmask (B,Lv) float32 (CTC pos_mask, padded with 0).
out.pred_logits (B,Q,2), out.pred_spans (B,Q,2), out.saliency_scores (B,Lv), out.src_vid_ed (B,Lv,256),
out.src_txt_ed (B,Lt,256), out.src_vid_cls_ed (B,256), out.src_txt_cls_ed (B,256),
out.aux<i>.pred_logits, out.aux<i>.pred_spans (i = 0 .. dec_layers-2), all float32.
loss.<name>      float64 0-d: every entry of the criterion's loss dict (loss_span, loss_giou, loss_label,
                 class_error, loss_saliency, loss_span_0, ...), loss.ctc, loss.vtc, loss.total (the official
                 weighted total that is back-propagated).
grad.<name>      float32 gradient of loss.total for every parameter whose .grad is not None (the others are listed
                 in meta.config "no_grad", e.g. txt_position_embed.* which the forward never uses).
act.<key>        float32 (other dtypes kept) output of every submodule call in the eval forward, see below.
With --dtype float64 the out/act/grad entries are float64 (the official run in float64); with --dtype both they are
float64 and the float32 run's are beside them as f32.out.*, f32.loss.*, f32.grad.*, f32.act.*. With --hash-weights
the hashed tensors have no w.* entry (meta.config hashed_weights names them); with --sample N a tensor larger than N
(of the kinds --sample-kinds names) keeps N entries, their flat indices in idx.<key> (int64) and its shape in
shape.<key>. The full layout: src/test/reference/README.md.

Activation key convention
-------------------------
key = <path>[#k][.j]
  <path>  the module's dotted name from model.named_modules() (the root model itself is not recorded);
  #k      present only if that module was called more than once in the forward: k = 0, 1, ... in call order
          (e.g. transformer.encoder.layers.0#0 (first pass), transformer.encoder.layers.0#1 (HD2MR pass),
          saliency_proj1#0 (HD2MR, inside the transformer), saliency_proj1#1 (MR2HD));
  .j      for tuple/list outputs: j = position of the element in the returned tuple/list; non-tensor elements
          (None) are skipped but keep their position; nested sequences add further .j levels.
  Example: transformer.encoder.layers.0#1 ; transformer.t2v_encoder.layers.0.self_attn.0 (attention output)
  and .1 (head-averaged attention weights) ; transformer.decoder.0 (hs) ; gru_extractor.gru.1 (h_n).
  Outputs are cloned when the module returns (before any in-place change by the caller, e.g. LinearLayer's
  in-place ReLU on net's output, or the decoder's `tmp[..., :2] += ...` on bbox_embed's output).
  Shapes are exactly the PyTorch ones (sequence-first inside the transformer: (L, B, 256)).
  Modules never called (txt_position_embed, attention out_proj modules whose weights are used functionally) have
  no key. The forward hook fires when a module returns, so children come before their parent in act_order.
"""
import argparse
import contextlib
import copy
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import types
import zipfile
import zlib

import numpy as np
import torch

# Official option names exposed on the command line (kebab case). (name, type)
OFFICIAL_VALUE_OPTIONS = [
    ("hidden_dim", int), ("nheads", int), ("enc_layers", int), ("dec_layers", int), ("dim_feedforward", int),
    ("num_queries", int), ("v_feat_dim", int), ("t_feat_dim", int), ("a_feat_dim", int), ("n_input_proj", int),
    ("clip_length", int), ("max_v_l", int), ("max_q_l", int), ("max_windows", int),
    ("set_cost_span", float), ("set_cost_giou", float), ("set_cost_class", float),
    ("span_loss_coef", float), ("giou_loss_coef", float), ("label_loss_coef", float),
    ("lw_saliency", float), ("saliency_margin", float), ("VTC_loss_coef", float), ("CTC_loss_coef", float),
    ("eos_coef", float), ("dropout", float), ("input_dropout", float), ("ctx_mode", str),
    ("position_embedding", str), ("span_loss_type", str), ("contrastive_hdim", int), ("temperature", float),
    ("contrastive_align_loss_coef", float), ("lr", float), ("wd", float), ("lr_drop", int), ("bsz", int),
    ("n_epoch", int), ("grad_clip", float), ("txt_drop_ratio", float),
]
# Official store_true / store_false flags: (official dest, our flag, value when given)
OFFICIAL_FLAGS = [
    ("pre_norm", "--pre-norm", True), ("use_txt_pos", "--use-txt-pos", True),
    ("contrastive_align_loss", "--contrastive-align-loss", True), ("aux_loss", "--no-aux-loss", False),
]
META_OPTION_KEYS = [
    "hidden_dim", "nheads", "enc_layers", "dec_layers", "dim_feedforward", "num_queries", "v_feat_dim", "t_feat_dim",
    "a_feat_dim", "n_input_proj", "clip_length", "max_v_l", "max_q_l", "max_windows", "set_cost_span", "set_cost_giou",
    "set_cost_class", "span_loss_coef", "giou_loss_coef", "label_loss_coef", "lw_saliency", "saliency_margin",
    "VTC_loss_coef", "CTC_loss_coef", "aux_loss", "dropout", "input_dropout", "eos_coef", "span_loss_type",
    "position_embedding", "pre_norm", "use_txt_pos", "contrastive_align_loss", "contrastive_align_loss_coef",
    "contrastive_hdim", "temperature", "ctx_mode", "dset_name", "lr", "wd", "lr_drop", "grad_clip",
]
ACT_CONVENTION = ("act.<path>[#k][.j]: path = dotted name from named_modules() (root not recorded); #k = call index, "
                  "only when the module is called more than once in the forward; .j = element index of a tuple/list "
                  "output (None elements skipped, index kept); outputs cloned when the module returns")
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--official-repo", required=True, help="path of a clone of mingyao1120/TR-DETR (put on sys.path)")
    p.add_argument("--checkpoint", help="official checkpoint (dict with 'model' and 'opt'); default: seeded init")
    p.add_argument("--out", required=True, help="output .npz")
    p.add_argument("--save-ckpt", help="also save the model in the official train.py checkpoint layout")
    p.add_argument("--ckpt-device", default="cuda", choices=["cuda", "cpu"],
                   help="device recorded in the saved checkpoint (opt.device and the tensors' storage location "
                        "tag); official runs train on cuda, so the default is cuda (load with map_location='cpu')")
    p.add_argument("--exp-id", default="reference", help="exp_id recorded in the saved checkpoint's opt")
    p.add_argument("--seed", type=int, default=2018, help="random seed (official default 2018)")
    p.add_argument("--batch", type=int, help="batch size B (default: number of --v-lens entries; lengths cycle)")
    p.add_argument("--v-lens", default="10,4,7", help="comma list: number of clips per sample (before max_v_l)")
    p.add_argument("--t-lens", default="5,2,8", help="comma list: number of text tokens per sample (before max_q_l)")
    p.add_argument("--v-dir-dims", help="comma list splitting the raw video width over feature dirs, each "
                   "L2-normalised separately like SlowFast|CLIP (e.g. 2304,512); default: one dir")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1 = reproducible across machines)")
    p.add_argument("--compress", action="store_true", help="deflate the npz entries (default: stored)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64", "both"],
                   help="precision of the official run that is recorded: float32 (as trained), float64 (the same "
                        "float32-representable weights and inputs, everything computed in float64: the exact answer "
                        "up to float64 rounding), or both (float64 as the reference, the float32 run beside it under "
                        "f32.*)")
    p.add_argument("--round-weights", type=int, metavar="BITS",
                   help="round every float weight to BITS mantissa bits (round-to-nearest-even; 7 = the bfloat16 "
                        "grid) before the forward, so the fixture compresses well; the rounded values are the "
                        "weights (w.*, checkpoint), everything is computed from them in float32")
    p.add_argument("--hash-weights", type=int, metavar="SEED",
                   help="replace every non-constant float tensor of the state_dict by uniform values from a counter "
                        "hash (SplitMix64 of SEED, the tensor's name and the element's index: 23-bit fractions of a "
                        "power-of-two bound near the initial tensor's largest magnitude) that trdetr's Reference "
                        "regenerates, so the file need not carry them (meta.config hashed_weights); constant tensors "
                        "(LayerNorm, zero biases, PReLU) stay and are written as w.*")
    p.add_argument("--hash-bits", type=int, default=23, metavar="B",
                   help="with --hash-weights: round the hashed values to multiples of bound/2^(B-1) (2^B + 1 values "
                        "per tensor, symmetric about 0; 23 = not rounded), so that a --save-ckpt checkpoint, which must "
                        "carry the weights, compresses (meta.config hashed_weights bits; absent = 23)")
    p.add_argument("--sample", type=int, metavar="N",
                   help="keep only N entries (a seeded random subset, the same for every run of the file) of each "
                        "out/act/grad tensor larger than that, with their flat indices in idx.<key>; the exact norms of "
                        "the full gradients go to meta.config grad_norms. For small CI fixtures: a deviation that spreads "
                        "over a tensor shows in any N of its entries")
    p.add_argument("--sample-kinds", default="out,act,grad", metavar="KINDS",
                   help="which entries --sample thins: a comma list of out, act, grad (default all three; 'grad' keeps "
                        "every output and activation whole)")
    p.add_argument("--keep-data", help="copy the synthetic data set (jsonl + feature files) to this directory")
    for name, typ in OFFICIAL_VALUE_OPTIONS:
        flags = ["--" + name.replace("_", "-")]
        if name.lower() != name:
            flags.append("--" + name.lower().replace("_", "-"))
        p.add_argument(*flags, dest=name, type=typ, default=None, help=f"official --{name}")
    for dest, flag, value in OFFICIAL_FLAGS:
        p.add_argument(flag, dest=dest, action="store_const", const=value, default=None, help="official --" + flag[2:].replace("-", "_"))
    return p.parse_args(argv)


# ----------------------------------------------------------------------------------------------------------------
# Official code: import by path, run-time patches
# ----------------------------------------------------------------------------------------------------------------

class _PlainTable:
    """Stands in for pandas.DataFrame(d, index=[0]).transpose().to_markdown(): one "key: value" line per option."""
    def __init__(self, d, *a, **k): self.d = d
    def transpose(self): return self
    def to_markdown(self): return "\n".join(f"{k}: {v}" for k, v in self.d.items())


def stub_missing_modules():
    """Progress-bar and table packages the official code imports but we never need: no-op stand-ins when missing."""
    stubbed = []
    for name in ("tqdm", "pandas"):
        try:
            __import__(name)
        except ImportError:
            mod = types.ModuleType(name)
            mod.tqdm = lambda it=None, *a, **k: it
            mod.trange = lambda *a, **k: range(*a)
            mod.DataFrame = _PlainTable  # utils.basic_utils.dict_to_markdown prints the options through pandas
            sys.modules[name] = mod
            stubbed.append(name)
    return stubbed


def import_official(repo):
    repo = os.path.abspath(repo)
    if not os.path.isfile(os.path.join(repo, "tr_detr", "model.py")):
        sys.exit(f"error: {repo} does not look like a TR-DETR clone (no tr_detr/model.py)")
    sys.dont_write_bytecode = True
    sys.path.insert(0, repo)
    stubbed = stub_missing_modules()
    import torch
    torch.Tensor.cuda = lambda self, *a, **k: self  # Transformer.forward: torch.zeros(...).cuda()
    from tr_detr.config import BaseOptions
    from tr_detr.model import build_model
    from tr_detr import start_end_dataset, start_end_dataset_audio
    from tr_detr.loss_fun.CTCLoss import CTC_Loss
    from tr_detr.loss_fun.VTCLoss import VTCLoss
    commit = None
    try:
        commit = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip() or None
    except Exception:
        pass
    return types.SimpleNamespace(BaseOptions=BaseOptions, build_model=build_model, ds=start_end_dataset,
                                 ds_audio=start_end_dataset_audio, CTC_Loss=CTC_Loss, VTCLoss=VTCLoss,
                                 stubbed=stubbed, commit=commit, repo=repo)


def build_opt(args, off, ckpt):
    """Official Namespace: parser defaults < checkpoint opt < command line; then the official derived options."""
    import torch
    bo = off.BaseOptions()
    bo.initialize()
    parser = bo.parser
    opt = parser.parse_args(["--dset_name", "hl"])
    known = set(vars(opt))
    state = None
    if ckpt is not None:
        copt = ckpt.get("opt")
        copt = vars(copt) if isinstance(copt, argparse.Namespace) else dict(copt or {})
        for k, v in copt.items():
            if k in known and k not in ("device", "resume", "resume_all", "start_epoch", "debug"):
                setattr(opt, k, v)
        state = ckpt["model"]
    for name, _ in OFFICIAL_VALUE_OPTIONS:
        v = getattr(args, name)
        if v is not None:
            setattr(opt, name, v)
    for dest, _, _ in OFFICIAL_FLAGS:
        v = getattr(args, dest)
        if v is not None:
            setattr(opt, dest, v)
    opt.seed = args.seed
    use_tef = "tef" in opt.ctx_mode
    use_video = "video" in opt.ctx_mode
    if args.a_feat_dim is None and ckpt is not None and copt.get("a_feat_dir") is None:
        opt.a_feat_dim = None
    if not opt.a_feat_dim:
        opt.a_feat_dim = None
    opt.a_feat_dir = "features/pann_features/" if opt.a_feat_dim else None  # build_model tests a_feat_dir
    a_dim = opt.a_feat_dim or 0
    if state is not None:
        # the checkpoint's opt.v_feat_dim already includes TEF in official checkpoints (the Namespace is mutated
        # after opt.json is written); the weight shape is the ground truth
        in_dim = int(state["input_vid_proj.0.LayerNorm.weight"].shape[0])
        opt.v_feat_dim = in_dim - a_dim - (2 if use_tef else 0)
        if args.v_feat_dim is not None and args.v_feat_dim != opt.v_feat_dim:
            sys.exit(f"error: --v-feat-dim {args.v_feat_dim} does not match the checkpoint ({opt.v_feat_dim} raw)")
        opt.t_feat_dim = int(state["input_txt_proj.0.LayerNorm.weight"].shape[0])
    if opt.v_feat_dim is None:
        opt.v_feat_dim = 48
    if opt.t_feat_dim is None:
        opt.t_feat_dim = 32
    if opt.hidden_dim != 256:
        sys.exit("error: hidden_dim must be 256 (the official decoder's sine embedding hard-codes 128 per coordinate)")
    if opt.dset_name != "hl":
        sys.exit("error: only dset_name hl is supported by this exporter")
    opt.v_feat_dim_raw = opt.v_feat_dim
    # official BaseOptions.parse() derived options (config.py), device forced to CPU
    opt.device = torch.device("cpu")
    opt.pin_memory = not opt.no_pin_memory
    opt.use_tef = use_tef
    opt.use_video = use_video
    if not opt.use_video:
        opt.v_feat_dim = 0
    if opt.use_tef:
        opt.v_feat_dim += 2
    return opt


def official_ckpt_opt(opt, args, v_dirs):
    """The Namespace official train.py stores under "opt": parse() output incl. derived fields, as after train()."""
    import torch
    o = argparse.Namespace(**{k: v for k, v in vars(opt).items() if k != "v_feat_dim_raw"})
    o.exp_id = args.exp_id
    o.v_feat_dirs = list(v_dirs)
    o.t_feat_dir = "features/clip_text_features/"
    o.a_feat_dir = "features/pann_features/" if opt.a_feat_dim else None
    o.train_path = "data/highlight_train_release.jsonl"
    o.eval_path = "data/highlight_val_release.jsonl"
    o.device = 0 if args.ckpt_device == "cuda" else -1
    ctx_str = o.ctx_mode
    o.results_dir = os.path.join(o.results_root, "-".join([o.dset_name, ctx_str, o.exp_id, "1970_01_01_00_00_00"]))
    o.ckpt_filepath = os.path.join(o.results_dir, "model.ckpt")
    o.train_log_filepath = os.path.join(o.results_dir, "train.log.txt")
    o.eval_log_filepath = os.path.join(o.results_dir, "eval.log.txt")
    o.tensorboard_log_dir = os.path.join(o.results_dir, "tensorboard_log")
    o.device = torch.device("cuda" if o.device >= 0 else "cpu")
    o.pin_memory = not o.no_pin_memory
    o.use_tef = "tef" in o.ctx_mode
    o.use_video = "video" in o.ctx_mode
    # v_feat_dim: the official Namespace has already been mutated (+2 for TEF) when train.py saves it
    o.v_feat_dim = opt.v_feat_dim
    o.train_log_txt_formatter = "{time_str} [Epoch] {epoch:03d} [Loss] {loss_str}\n"
    o.eval_log_txt_formatter = "{time_str} [Epoch] {epoch:03d} [Loss] {loss_str} [Metrics] {eval_metrics_str}\n"
    return o


def save_official_ckpt(path, model, opt, args, v_dirs):
    """torch.save({model, optimizer, lr_scheduler, epoch, opt}) as train.py (AdamW + StepLR of inference.setup_model)."""
    import torch
    import torch.serialization as ser
    param_dicts = [{"params": [p for n, p in model.named_parameters() if p.requires_grad]}]
    optimizer = torch.optim.AdamW(param_dicts, lr=opt.lr, weight_decay=opt.wd)
    lr_scheduler = torch.optim.lr_scheduler.StepLR(optimizer, opt.lr_drop)
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "lr_scheduler": lr_scheduler.state_dict(),
        "epoch": 0,
        "opt": official_ckpt_opt(opt, args, v_dirs),
    }
    saved_registry = list(ser._package_registry)
    try:
        if args.ckpt_device == "cuda":  # tag storages as a GPU-trained official checkpoint would ("cuda:0")
            ser._package_registry.insert(0, (0, lambda obj: "cuda:0", lambda obj, loc: None))
        torch.save(checkpoint, path)
    finally:
        ser._package_registry[:] = saved_registry


# ----------------------------------------------------------------------------------------------------------------
# Synthetic data set in the official on-disk layout, loaded by the official dataset code
# ----------------------------------------------------------------------------------------------------------------

def make_windows(rng, L, force_end):
    """Relevant clip ranges (inclusive) for a video of L clips: 1 or 2 disjoint, non-adjacent runs."""
    n_win = 1 if L < 6 else int(rng.integers(1, 3))
    bounds = np.linspace(0, L, n_win + 1).astype(int)
    runs = []
    for w in range(n_win):
        lo, hi = int(bounds[w]), int(bounds[w + 1]) - 1  # segment [lo, hi]
        if w > 0:
            lo = max(lo, runs[-1][1] + 2)
        if lo > hi:
            continue
        a = int(rng.integers(lo, hi + 1))
        b = int(rng.integers(a, hi + 1))
        runs.append([a, b])
    if force_end:
        a, _ = runs[-1]
        a = min(a, L - 1)
        runs[-1] = [max(a, L - max(1, L // 3)), L - 1]
        if len(runs) > 1 and runs[-2][1] >= runs[-1][0] - 1:
            runs.pop(-2)
    return runs


def build_batch(args, opt, off, tmp):
    import torch
    rng = np.random.default_rng(args.seed)
    v_lens = [int(x) for x in args.v_lens.split(",")]
    t_lens = [int(x) for x in args.t_lens.split(",")]
    B = args.batch or len(v_lens)
    v_lens = [v_lens[i % len(v_lens)] for i in range(B)]
    t_lens = [t_lens[i % len(t_lens)] for i in range(B)]
    if min(v_lens) < 1 or min(t_lens) < 1:
        sys.exit("error: lengths must be >= 1 (the official model aborts on an empty text)")
    raw_v = opt.v_feat_dim_raw if opt.use_video else 0
    if args.v_dir_dims:
        v_dims = [int(x) for x in args.v_dir_dims.split(",")]
        if sum(v_dims) != raw_v:
            sys.exit(f"error: --v-dir-dims sums to {sum(v_dims)}, v_feat_dim is {raw_v}")
    else:
        v_dims = [raw_v] if raw_v else []
    use_audio = bool(opt.a_feat_dim)
    raw_a = (opt.a_feat_dim - 2 if opt.use_tef else opt.a_feat_dim) if use_audio else 0
    v_dirs = [os.path.join(tmp, f"video_features_{i}") for i in range(len(v_dims))]
    t_dir = os.path.join(tmp, "text_features")
    a_dir = os.path.join(tmp, "audio_features") if use_audio else None
    for d in v_dirs + [t_dir] + ([a_dir] if a_dir else []):
        os.makedirs(d)
    if not v_dirs:  # official dataset needs a dir list even without video; never read then
        v_dirs = [os.path.join(tmp, "unused")]
    rows = []
    shortest = int(np.argmin(v_lens))
    for b in range(B):
        L = v_lens[b]
        vid = f"synth{b:03d}_0.0_{float(L * opt.clip_length):.1f}"
        qid = 1000 + b
        for d, dim in zip(v_dirs, v_dims):
            np.savez(os.path.join(d, f"{vid}.npz"), features=rng.standard_normal((L, dim)).astype(np.float32))
        np.savez(os.path.join(t_dir, f"qid{qid}.npz"),
                 last_hidden_state=rng.standard_normal((t_lens[b], opt.t_feat_dim)).astype(np.float32),
                 pooler_output=rng.standard_normal((opt.t_feat_dim,)).astype(np.float32))
        if use_audio:
            np.save(os.path.join(a_dir, f"{vid}.npy"), rng.standard_normal((L, raw_a)).astype(np.float32))
        ctx_l = min(L, opt.max_v_l)
        runs = make_windows(rng, ctx_l, force_end=(b == shortest))
        clip_ids = [c for a, e in runs for c in range(a, e + 1)]
        scores = rng.integers(0, 5, size=(len(clip_ids), 3)).tolist()
        rows.append(dict(qid=qid, query=f"synthetic query {b}", duration=L * opt.clip_length, vid=vid,
                         relevant_windows=[[a * opt.clip_length, (e + 1) * opt.clip_length] for a, e in runs],
                         relevant_clip_ids=clip_ids, saliency_scores=scores))
    data_path = os.path.join(tmp, "synthetic_train.jsonl")
    with open(data_path, "w") as f:
        f.write("\n".join(json.dumps(r) for r in rows))
    cfg = dict(dset_name=opt.dset_name, data_path=data_path, v_feat_dirs=v_dirs, q_feat_dir=t_dir,
               q_feat_type="last_hidden_state", max_q_l=opt.max_q_l, max_v_l=opt.max_v_l, ctx_mode=opt.ctx_mode,
               data_ratio=1.0, normalize_v=not opt.no_norm_vfeat, normalize_t=not opt.no_norm_tfeat,
               clip_len=opt.clip_length, max_windows=opt.max_windows, span_loss_type=opt.span_loss_type,
               txt_drop_ratio=opt.txt_drop_ratio, dset_domain=opt.dset_domain)
    if use_audio:
        dataset = off.ds_audio.StartEndDataset_audio(a_feat_dir=a_dir, **cfg)
        collate, prepare = off.ds_audio.start_end_collate_audio, off.ds_audio.prepare_batch_inputs_audio
    else:
        dataset = off.ds.StartEndDataset(**cfg)
        collate, prepare = off.ds.start_end_collate, off.ds.prepare_batch_inputs
    batch = collate([dataset[i] for i in range(B)])
    model_inputs, targets = prepare(batch[1], opt.device, non_blocking=False)
    if args.keep_data:
        if os.path.exists(args.keep_data):
            shutil.rmtree(args.keep_data)
        shutil.copytree(tmp, args.keep_data)
    return model_inputs, targets, rows, v_lens, t_lens, [f"features/synthetic_{i}" for i in range(len(v_dims))]


# ----------------------------------------------------------------------------------------------------------------
# Forward hooks
# ----------------------------------------------------------------------------------------------------------------

class ActRecorder:
    def __init__(self, model):
        self.events = []  # (path, call index, cloned output)
        self.calls = {}
        self.handles = []
        for path, m in model.named_modules():
            if path == "":
                continue
            self.handles.append(m.register_forward_hook(self._hook(path)))

    def _hook(self, path):
        def hook(module, inputs, output):
            k = self.calls.get(path, 0)
            self.calls[path] = k + 1
            self.events.append((path, k, _clone(output)))
        return hook

    def remove(self):
        for h in self.handles:
            h.remove()

    def items(self):
        """[(key, np.ndarray)] in production order."""
        out = []
        for path, k, o in self.events:
            base = f"{path}#{k}" if self.calls[path] > 1 else path
            _flatten(base, o, out)
        return out


def _clone(o):
    import torch
    if isinstance(o, torch.Tensor):
        return o.detach().clone()
    if isinstance(o, (tuple, list)):
        return [_clone(e) for e in o]
    return None


def _flatten(key, o, out):
    import torch
    if isinstance(o, torch.Tensor):
        out.append((key, to_np(o)))
    elif isinstance(o, list):
        for j, e in enumerate(o):
            _flatten(f"{key}.{j}", e, out)


def to_np(t):
    import torch
    t = t.detach().cpu()
    if t.dtype == torch.bool:
        return t.numpy().astype(np.uint8)
    if t.dtype == torch.float64:
        return t.numpy()
    if t.is_floating_point():
        return t.to(torch.float32).numpy()
    return t.numpy()


class RecordingMatcher(torch.nn.Module):
    """Wraps the criterion's matcher (an nn.Module attribute) and records its (query, target) pairs."""

    def __init__(self, matcher):
        super().__init__()
        self.matcher = matcher
        self.calls = []

    def forward(self, outputs, targets):
        indices = self.matcher(outputs, targets)
        self.calls.append([[b, int(q), int(g)] for b, (qs, gs) in enumerate(indices) for q, g in zip(qs, gs)])
        return indices


def round_weights_(model, bits):
    """Round float32 parameters/buffers in place to `bits` explicit mantissa bits (nearest, ties to even)."""
    if not 0 <= bits <= 23:
        sys.exit("error: --round-weights must be in 0..23")
    drop = 23 - bits
    if drop == 0:
        return
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.dtype != torch.float32:
                continue
            a = t.detach().cpu().numpy().astype(np.float32).view(np.uint32).astype(np.uint64)
            lsb = (a >> drop) & 1
            a = ((a + (1 << (drop - 1)) - 1 + lsb) >> drop) << drop
            r = torch.from_numpy(a.astype(np.uint32).view(np.float32).copy())
            assert torch.all(torch.isfinite(r))
            t.copy_(r)


MASK64 = (1 << 64) - 1


def splitmix64(z):
    """SplitMix64's finaliser on uint64 numpy arrays (wrapping arithmetic), as trdetr.tensor.CounterRng.mix."""
    z = z.astype(np.uint64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xbf58476d1ce4e5b9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94d049bb133111eb)
    return z ^ (z >> np.uint64(31))


def fnv1a64(text):
    h = 0xcbf29ce484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001b3) & MASK64
    return h


def hashed_values(seed, name, n, bound, bits=23):
    """n float32 values bound * c / 2^22, u = top 23 bits of mix(mix(seed ^ fnv1a64(name)) + i), c = u - 2^22; with
    bits < 23, c rounded (half to even) to a multiple of 2^(23-bits): 2^bits + 1 values, symmetric about 0. Exact in
    float32 because bound is a power of two (the same formula as trdetr.verify.HashedWeights)."""
    key = int(splitmix64(np.array([(seed ^ fnv1a64(name)) & MASK64], dtype=np.uint64))[0])
    with np.errstate(over="ignore"):
        u = splitmix64((np.arange(n, dtype=np.uint64) + np.uint64(key))) >> np.uint64(41)
    c = u.astype(np.float64) - 2.0 ** 22
    step = 2.0 ** (23 - bits)
    c = np.rint(c / step) * step
    return (np.float64(bound) * (c / 2.0 ** 22)).astype(np.float32)


def hash_weights_(model, seed, bits):
    """Replaces every non-constant float32 parameter/buffer by hashed_values; returns {name: {bound, shape}}."""
    done = {}
    with torch.no_grad():
        for name, t in model.state_dict(keep_vars=True).items():
            if t.dtype != torch.float32 or t.numel() == 0 or bool(torch.all(t == t.flatten()[0])):
                continue
            bound = 2.0 ** round(float(np.log2(float(t.abs().max()))))
            t.copy_(torch.from_numpy(hashed_values(seed, name, t.numel(), bound, bits)).reshape(t.shape))
            done[name] = dict(bound=bound, shape=list(t.shape))
    return done


def mr2hd_slices(outputs, Lv, clip_len):
    """The clip range MR2HD slices per sample (official arithmetic), for debugging the Java side."""
    with torch.no_grad():
        scores = torch.softmax(outputs["pred_logits"], -1)[..., 0]
        top = torch.sort(scores, dim=-1, descending=True)[1][:, 0]
        cw = outputs["pred_spans"]
        xx = torch.stack([cw[..., 0] - 0.5 * cw[..., 1], cw[..., 0] + 0.5 * cw[..., 1]], -1) * (Lv * clip_len)
        xx_raw = xx
        xx = torch.floor(xx / clip_len)
        res = []
        for b in range(cw.shape[0]):
            st, ed = int(xx[b, top[b], 0]), int(xx[b, top[b], 1])
            start, stop, _ = slice(st, ed + 1).indices(Lv)
            raw = [float(v) for v in (xx_raw[b, top[b]] / clip_len)]
            res.append(dict(query=int(top[b]), st=st, ed=ed, st_ed_before_floor=raw, rows=[start, max(start, stop)]))
        return res


# ----------------------------------------------------------------------------------------------------------------
# npz writer (deterministic bytes)
# ----------------------------------------------------------------------------------------------------------------

def write_npz(path, entries, compress):
    tmp_path = path + ".tmp"
    with zipfile.ZipFile(tmp_path, "w", allowZip64=True) as zf:
        for key, arr in entries:
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
            zi = zipfile.ZipInfo(key + ".npy", date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, buf.getvalue())
    os.replace(tmp_path, path)


def json_bytes(obj):
    return np.frombuffer(json.dumps(obj, indent=1, sort_keys=False).encode("utf-8"), dtype=np.uint8)


# ----------------------------------------------------------------------------------------------------------------
# One official training-step body (forward, criterion, CTC, VTC, backward), in float32 or float64
# ----------------------------------------------------------------------------------------------------------------

class OfficialRun(types.SimpleNamespace):
    """model (with .grad), outputs, loss_dict, ctc, vtc, total, acts [(key, array)], matcher (RecordingMatcher)."""

    def matching(self):
        return {("main" if i == 0 else f"aux_{i - 1}"): m for i, m in enumerate(self.matcher.calls)}

    def loss_values(self):
        values = {k: float(v) for k, v in self.loss_dict.items()}
        values.update(ctc=float(self.ctc), vtc=float(self.vtc), total=float(self.total))
        return values


def official_step(model, criterion, model_inputs, targets, opt, off):
    """The official train_epoch body minus the optimizer step, in eval mode (dropout off), with every module's
    output recorded."""
    model.eval()
    criterion.eval()
    recorder = ActRecorder(model)
    matcher = RecordingMatcher(criterion.matcher)
    criterion.matcher = matcher
    model.zero_grad(set_to_none=True)
    outputs = model(**model_inputs)
    recorder.remove()
    loss_dict = criterion(outputs, targets)
    weight_dict = criterion.weight_dict
    losses = sum(loss_dict[k] * weight_dict[k] for k in loss_dict.keys() if k in weight_dict)
    ctc = off.CTC_Loss()(outputs["src_vid_ed"], outputs["src_txt_ed"], targets["src_pos_mask"],
                         model_inputs["src_vid_mask"], model_inputs["src_txt_mask"])
    vtc = off.VTCLoss()(outputs["src_txt_cls_ed"], outputs["src_vid_cls_ed"])
    losses = losses + opt.VTC_loss_coef * vtc + opt.CTC_loss_coef * ctc
    losses.backward()
    criterion.matcher = matcher.matcher
    return OfficialRun(model=model, outputs=outputs, loss_dict=loss_dict, ctc=ctc, vtc=vtc, total=losses,
                       acts=recorder.items(), matcher=matcher)


def sample_entries(entries, n, seed, kinds=("out", "act", "grad")):
    """Every entry of `kinds` (f32.* too) with more than n values keeps n of them, at flat indices drawn once per key
    from a generator seeded by (seed, key) and shared by the key's float64 and float32 entries (idx.<key>, int64)."""
    out, indices = [], {}
    for key, arr in entries:
        base = key[4:] if key.startswith("f32.") else key
        if base.split(".")[0] not in kinds or arr.size <= n:
            out.append((key, arr))
            continue
        if base not in indices:
            rng = np.random.default_rng([seed, zlib.crc32(base.encode())])
            indices[base] = np.sort(rng.choice(arr.size, size=n, replace=False)).astype(np.int64)
            out.append(("idx." + base, indices[base]))
            out.append(("shape." + base, np.array(arr.shape, dtype=np.int64)))
        out.append((key, np.ascontiguousarray(arr).reshape(-1)[indices[base]]))
    return out


def run_entries(run):
    """out.*, loss.*, grad.*, act.* of one run (arrays in the run's precision; losses always float64)."""
    entries = []
    for k in ("pred_logits", "pred_spans", "saliency_scores", "src_vid_ed", "src_txt_ed", "src_vid_cls_ed",
              "src_txt_cls_ed"):
        entries.append(("out." + k, to_np(run.outputs[k])))
    for i, aux in enumerate(run.outputs.get("aux_outputs", [])):
        for k in ("pred_logits", "pred_spans"):
            entries.append((f"out.aux{i}.{k}", to_np(aux[k])))
    for k, v in run.loss_values().items():
        entries.append(("loss." + k, np.array(v, dtype=np.float64)))
    for n, p in run.model.named_parameters():
        if p.grad is not None:
            entries.append(("grad." + n, to_np(p.grad)))
    entries.extend(("act." + k, v) for k, v in run.acts)
    return entries


class _Float64Names(types.ModuleType):
    """Stands in for `torch` inside an official module: every name is torch's, except float32, which is float64."""

    def __init__(self):
        super().__init__("torch")

    def __getattr__(self, name):
        return torch.float64 if name in ("float32", "float") else getattr(torch, name)


# Official modules that name torch.float32: position encodings (cumsum, arange), the decoder's sine embedding, the
# mask in VSLFuser's mask_logits, the label loss (model.py). The .float() calls (span IoU, CTC, the T2V mask, the
# accuracy) are covered by the Tensor.float patch; span_utils and CTCLoss are listed for any future torch.float32.
FLOAT32_NAMING_MODULES = ("tr_detr.position_encoding", "tr_detr.transformer", "tr_detr.interaction.test_CQA",
                          "tr_detr.model", "tr_detr.span_utils", "tr_detr.loss_fun.CTCLoss")


@contextlib.contextmanager
def official_float64():
    """Runs the official code in float64 without touching the clone: new tensors default to float64 (the decoder's
    zero target), `torch.float32` names float64 inside the official modules, and Tensor.float() converts to float64.
    Everything is restored on exit."""
    modules = [sys.modules[m] for m in FLOAT32_NAMING_MODULES]
    saved_torch = [m.torch for m in modules]
    saved_float = torch.Tensor.float
    saved_default = torch.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)
        for m in modules:
            m.torch = _Float64Names()
        torch.Tensor.float = lambda self, *a, **k: self.to(torch.float64)
        yield
    finally:
        torch.Tensor.float = saved_float
        for m, t in zip(modules, saved_torch):
            m.torch = t
        torch.set_default_dtype(saved_default)


def to_float64(obj):
    """The batch (model inputs or targets) with every floating tensor in float64; values unchanged."""
    if isinstance(obj, torch.Tensor):
        return obj.double() if obj.is_floating_point() else obj
    if isinstance(obj, dict):
        return {k: to_float64(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_float64(v) for v in obj)
    return obj


# ----------------------------------------------------------------------------------------------------------------

def main(argv=None):
    args = parse_args(argv)
    if args.sample is not None and args.sample < 1:
        sys.exit("error: --sample must be at least 1")
    if args.hash_weights is not None and args.checkpoint:
        sys.exit("error: --hash-weights replaces the weights; it cannot be combined with --checkpoint")
    if args.hash_weights is not None and args.hash_weights < 0:
        sys.exit("error: --hash-weights must be a non-negative seed")
    if not 2 <= args.hash_bits <= 23:
        sys.exit("error: --hash-bits must be in 2..23")
    sample_kinds = tuple(args.sample_kinds.split(","))
    if not sample_kinds or not set(sample_kinds) <= {"out", "act", "grad"}:
        sys.exit("error: --sample-kinds must list some of out, act, grad")
    off = import_official(args.official_repo)
    import torch
    torch.set_num_threads(args.threads)
    ckpt = torch.load(args.checkpoint, map_location="cpu") if args.checkpoint else None
    opt = build_opt(args, off, ckpt)

    # official train.py: set_seed(opt.seed) before anything is built
    random.seed(opt.seed)
    np.random.seed(opt.seed)
    torch.manual_seed(opt.seed)
    model, criterion = off.build_model(opt)
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
    if args.round_weights is not None:
        round_weights_(model, args.round_weights)
    hashed = hash_weights_(model, args.hash_weights, args.hash_bits) if args.hash_weights is not None else {}
    model.to(opt.device)
    criterion.to(opt.device)

    tmp = tempfile.mkdtemp(prefix="trdetr_ref_")
    try:
        model_inputs, targets, rows, v_lens, t_lens, v_dir_names = build_batch(args, opt, off, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    runs = {}
    if args.dtype in ("float32", "both"):
        runs["float32"] = official_step(model, criterion, model_inputs, targets, opt, off)
    if args.dtype in ("float64", "both"):
        model64, criterion64 = copy.deepcopy(model).double(), copy.deepcopy(criterion).double()
        with official_float64():
            runs["float64"] = official_step(model64, criterion64, to_float64(model_inputs), to_float64(targets), opt, off)
    main_run = runs["float64"] if "float64" in runs else runs["float32"]
    main_entries = run_entries(main_run)
    not64 = [k for k, v in main_entries if v.dtype.kind == "f" and v.dtype != np.float64]
    if "float64" in runs and not64:  # a float32 value inside the float64 run: some official code path escaped the patches
        sys.exit(f"error: the float64 run produced float32 values: {', '.join(not64[:5])}")
    Lv = int(model_inputs["src_vid"].shape[1])

    entries = []
    no_grad = [n for n, p in main_run.model.named_parameters() if p.grad is None]
    config = {k: getattr(opt, k) for k in META_OPTION_KEYS}
    config["v_feat_dim"] = int(model.input_vid_proj[0].LayerNorm.weight.shape[0])  # incl. TEF and audio
    config["v_feat_dim_raw"] = opt.v_feat_dim_raw
    config["a_feat_dim"] = opt.a_feat_dim if opt.a_feat_dim else None
    config["use_tef"] = opt.use_tef
    config["v_dir_dims"] = [int(x) for x in args.v_dir_dims.split(",")] if args.v_dir_dims else [opt.v_feat_dim_raw]
    config.update(batch=len(v_lens), v_lens=v_lens, t_lens=t_lens, Lv=Lv,
                  Lt=int(model_inputs["src_txt"].shape[1]), seed=args.seed,
                  v_valid_lens=[int(x) for x in model_inputs["src_vid_mask"].sum(1)],
                  t_valid_lens=[int(x) for x in model_inputs["src_txt_mask"].sum(1)],
                  ctc_temperature=off.CTC_Loss().temperature, vtc_temperature=off.VTCLoss().temperature,
                  weight_dict=dict(criterion.weight_dict), no_grad=no_grad,
                  matching=main_run.matching(), num_params=sum(p.numel() for p in model.parameters()),
                  mr2hd_slices=mr2hd_slices(main_run.outputs, Lv, opt.clip_length),
                  round_weights=args.round_weights, dtype=args.dtype,
                  annotations=rows, act_convention=ACT_CONVENTION, eval_mode=True,
                  checkpoint=os.path.basename(args.checkpoint) if args.checkpoint else None,
                  torch_version=torch.__version__, numpy_version=np.__version__,
                  official_commit=off.commit, stubbed_modules=off.stubbed, threads=args.threads)
    if hashed:
        config["hashed_weights"] = dict(seed=args.hash_weights, tensors=hashed)
        if args.hash_bits != 23:
            config["hashed_weights"]["bits"] = args.hash_bits
    if args.sample:
        config["grad_norms"] = {n: float(torch.linalg.vector_norm(p.grad.double()))
                                for n, p in main_run.model.named_parameters() if p.grad is not None}
        config["sample"] = args.sample
        if sample_kinds != ("out", "act", "grad"):
            config["sample_kinds"] = list(sample_kinds)
    if args.dtype == "both":
        config.update(f32_matching=runs["float32"].matching(),
                      f32_mr2hd_slices=mr2hd_slices(runs["float32"].outputs, Lv, opt.clip_length))
    acts = main_run.acts
    entries.append(("meta.config", json_bytes(config)))
    entries.append(("meta.act_order", json_bytes([k for k, _ in acts])))
    for k, v in model.state_dict().items():
        if k not in hashed:
            entries.append(("w." + k, to_np(v)))
    entries.append(("in.vid", to_np(model_inputs["src_vid"])))
    entries.append(("in.vmask", to_np(model_inputs["src_vid_mask"])))
    entries.append(("in.txt", to_np(model_inputs["src_txt"])))
    entries.append(("in.tmask", to_np(model_inputs["src_txt_mask"])))
    if "src_aud" in model_inputs:
        entries.append(("in.aud", to_np(model_inputs["src_aud"])))
    spans = [t["spans"] for t in targets["span_labels"]]
    entries.append(("in.spans", to_np(torch.cat(spans, 0))))
    entries.append(("in.nspans", np.array([len(s) for s in spans], dtype=np.int64)))
    entries.append(("in.pos", to_np(targets["saliency_pos_labels"]).astype(np.int64)))
    entries.append(("in.neg", to_np(targets["saliency_neg_labels"]).astype(np.int64)))
    allsal = to_np(targets["saliency_all_labels"])
    assert np.all(allsal == np.round(allsal)), "saliency_all_labels are not integers"
    entries.append(("in.allsal", allsal.astype(np.int64)))
    entries.append(("in.posmask", to_np(targets["src_pos_mask"]).astype(np.float32)))
    entries.extend(main_entries)
    if args.dtype == "both":  # the official float32 run on the same weights and inputs, for its error against float64
        entries.extend(("f32." + k, v) for k, v in run_entries(runs["float32"]))
    if args.sample:
        entries = sample_entries(entries, args.sample, args.seed, sample_kinds)
    keys = [k for k, _ in entries]
    assert len(keys) == len(set(keys)), "duplicate keys"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    write_npz(args.out, entries, args.compress)

    if args.save_ckpt:
        save_official_ckpt(args.save_ckpt, model, opt, args, v_dir_names)

    grads = [p.grad for p in main_run.model.parameters() if p.grad is not None]
    print(f"wrote {args.out} ({args.dtype}): {len(entries)} arrays, {len(acts)} activations, B={len(v_lens)} "
          f"Lv={config['Lv']} Lt={config['Lt']}, params {config['num_params']}, "
          f"grads {len(grads)} ({sum(1 for g in grads if not torch.any(g != 0))} all-zero), no grad: {len(no_grad)}")
    for name, run in runs.items():
        print(f"losses ({name}): " + ", ".join(f"{k}={v:.6f}" for k, v in run.loss_values().items()))
    if args.save_ckpt:
        print(f"wrote {args.save_ckpt}")


if __name__ == "__main__":
    main()
