#!/usr/bin/env python3
"""Writes a checkpoint in Lighthouse's format (github.com/line/lighthouse, its CLIP-only TR-DETR for QVHighlights), with
the official TR-DETR model's random weights, so that our loader can be tested on that format without its download.

    /usr/bin/python3 tools/make_lighthouse_checkpoint.py --official-repo /path/to/TR-DETR --out /tmp/clip_tr_detr_qvhighlight.ckpt
    /usr/bin/python3 tools/make_lighthouse_checkpoint.py --tiny --out src/test/resources/io/lighthouse_format.ckpt

What Lighthouse saves (lighthouse/common/utils/basic_utils.py, training/evaluate.py): torch.save of {"model":
state_dict, "optimizer": AdamW state, "lr_scheduler": StepLR state, "epoch": int, "opt": opt}, where opt is an
easydict.EasyDict merged from its yml configs (configs/base.yml, feature/clip.yml, model/tr_detr.yml,
dataset/qvhighlight.yml): v_feat_dim 514 (TEF included), t_feat_dim 512, clip_length 2, 2 encoder and 2 decoder layers,
dset_name "qvhighlight". Its TR-DETR is the official code's, so the state_dict keys are the official ones.

easydict is not a Debian package: a module of that name is stubbed here whose EasyDict pickles as the real one does (a
dict subclass whose keys are also attributes, nested dicts made EasyDicts): the pickle names easydict.EasyDict.
--tiny writes a small file with the same layout but a two-tensor state_dict (for the reader's unit test); without it,
the official model is built from --official-repo with Lighthouse's options (a full-size file, about 40 MB).
"""
import argparse
import os
import sys
import types
from collections import OrderedDict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


class EasyDict(dict):
    """easydict 1.x's EasyDict, restated: setting a key sets the attribute and the item."""

    def __init__(self, d=None, **kwargs):
        d = dict(d or {}, **kwargs)
        for k, v in d.items():
            setattr(self, k, v)

    def __setattr__(self, name, value):
        if isinstance(value, (list, tuple)):
            value = type(value)(EasyDict(x) if isinstance(x, dict) else x for x in value)
        elif isinstance(value, dict) and not isinstance(value, EasyDict):
            value = EasyDict(value)
        super().__setattr__(name, value)
        super().__setitem__(name, value)

    __setitem__ = __setattr__


easydict = types.ModuleType("easydict")
easydict.EasyDict = EasyDict
EasyDict.__module__ = "easydict"
sys.modules["easydict"] = easydict

LIGHTHOUSE_OPT = dict(
    dset_name="qvhighlight", ctx_mode="video_tef", v_feat_dim=514, t_feat_dim=512, a_feat_dim=None,
    v_feat_types="clip", t_feat_type="clip", clip_length=2, max_v_l=75, max_q_l=32, hidden_dim=256,
    enc_layers=2, dec_layers=2, dim_feedforward=1024, nheads=8, num_queries=10, n_input_proj=2,
    input_dropout=0.5, dropout=0.1, aux_loss=True, model_ema=False, lr=1e-4, wd=1e-4, lr_drop=400, n_epoch=200,
    bsz=32, eval_bsz=100, seed=2018, max_windows=5, span_loss_type="l1", lw_saliency=1.0,
    model_name="tr_detr", results_dir="results/tr_detr/qvhighlight/clip",
    data_paths={"train": "data/qvhighlight/highlight_train_release.jsonl", "val": "data/qvhighlight/highlight_val_release.jsonl"})


def official_model(repo):
    sys.path.insert(0, HERE)
    import export_reference as er
    off = er.import_official(repo)
    bo = off.BaseOptions()
    bo.initialize()
    opt = bo.parser.parse_args(["--dset_name", "hl"])
    for k in ("enc_layers", "dec_layers", "dim_feedforward", "nheads", "num_queries", "n_input_proj", "input_dropout",
              "dropout", "aux_loss", "max_v_l", "max_q_l", "hidden_dim", "clip_length"):
        setattr(opt, k, LIGHTHOUSE_OPT[k])
    opt.v_feat_dim, opt.t_feat_dim, opt.a_feat_dim, opt.a_feat_dir = 514, 512, None, None
    opt.device = torch.device("cpu")
    model, _ = off.build_model(opt)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--official-repo")
    ap.add_argument("--out", required=True)
    ap.add_argument("--tiny", action="store_true")
    args = ap.parse_args()
    torch.manual_seed(0)
    if args.tiny:
        sd = OrderedDict([("input_vid_proj.0.LayerNorm.weight", torch.ones(514)),
                          ("input_txt_proj.0.LayerNorm.weight", torch.ones(512))])
        params = [torch.nn.Parameter(torch.zeros(2))]
    else:
        if not args.official_repo:
            sys.exit("error: --official-repo is required without --tiny")
        model = official_model(args.official_repo)
        sd, params = model.state_dict(), list(model.parameters())
    optimizer = torch.optim.AdamW(params, lr=1e-4, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 400)
    ckpt = {"model": sd, "optimizer": optimizer.state_dict(), "lr_scheduler": scheduler.state_dict(), "epoch": 199,
            "opt": EasyDict(LIGHTHOUSE_OPT)}
    torch.save(ckpt, args.out)
    back = torch.load(args.out)
    assert type(back["opt"]).__module__ == "easydict" and back["opt"].v_feat_dim == 514
    print(f"{args.out}: {os.path.getsize(args.out)} bytes, {len(sd)} state_dict entries")


if __name__ == "__main__":
    main()
