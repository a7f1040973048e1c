#!/usr/bin/env python3
"""Runs the official TR-DETR dataset code on a tiny synthetic dataset and records what it produces, for
src/test/java/trdetr/data/OfficialDatasetComparisonTest.java.

    python3 tools/make_data_fixtures.py --official-repo /path/to/TR-DETR \
        --out src/test/resources/data/official_dataset.json

Inputs are small and fully described by the output file: the annotation lines are stored verbatim, and every
feature value is a function of (file id, row, column) that the Java test recomputes (`feature_value` below; exact in
float16/32/64). The features are written in the official layout to a temporary directory, loaded with the official
StartEndDataset / StartEndDataset_audio, and the deterministic parts of each item are stored: features, TEF,
pos_mask, span labels (when no shuffle is involved), saliency_all_labels, hard positive/negative; for the random
parts (easy positive/negative, shuffled spans, sub-as-query samples) the drawn values are stored so that the test
can check they come from the right pools. A collated batch records shapes, masks and padding.
"""
import argparse
import json
import os
import random
import sys
import tempfile
import types

import numpy as np


def feature_value(k, r, c):
    """The synthetic feature value for file id k, row r, column c: a multiple of 1/4 in [-2, 2]."""
    return ((r * 7 + c * 13 + k * 5) % 17 - 8) / 4.0


def feature(k, rows, cols, dtype):
    a = np.array([[feature_value(k, r, c) for c in range(cols)] for r in range(rows)], dtype=np.float64)
    return a.astype(dtype)


def rounding_value(k, r, c):
    """A float32 value whose squares and sums round (unlike feature_value): exact division in float64, then float32."""
    return np.float32(((r * 7919 + c * 104729 + k * 31) % 1000) / 997.0 - 0.5)


NORM_WIDTHS = [9, 100, 129, 300, 2304]  # every branch of NumPy's pairwise summation


def stub_modules():
    # The dataset modules import tqdm (unused) and utils.basic_utils imports pandas (unused by the code we call).
    for name in ("tqdm", "pandas"):
        if name not in sys.modules:
            try:
                __import__(name)
            except ImportError:
                m = types.ModuleType(name)
                m.tqdm = lambda x, *a, **k: x
                sys.modules[name] = m


def to_list(x):
    if hasattr(x, "tolist"):
        return x.tolist()
    return list(x)


# ---------------------------------------------------------------------------------------------------- inputs

MAX_V_L = 10
MAX_Q_L = 5
CLIP_LEN = 2

# Video files: vid -> list of (file id, rows, cols, dtype) per directory (dir A then dir B).
VIDEOS = {
    "vidA_0.0_16.0": [(1, 8, 5, "float32"), (2, 9, 3, "float32")],    # dirs disagree by a row: ctx_l 8
    "vidB_0.0_30.0": [(3, 14, 5, "float64"), (4, 14, 3, "float16")],  # longer than max_v_l: ctx_l 10; f64/f16 input
    "vidC_0.0_12.0": [(5, 6, 5, "float32"), (6, 6, 3, "float32")],    # ctx_l 6
}
AUDIO = {  # file id, rows, cols
    "vidA_0.0_16.0": (21, 7, 4),   # shorter than the video: ctx_l 7
    "vidB_0.0_30.0": (22, 12, 4),  # truncated to max_v_l
    "vidC_0.0_12.0": (23, 9, 4),   # longer than the video: cut to 6
}
TEXTS = {1: (11, 3, 4), 2: (12, 7, 4), 3: (13, 5, 4), 4: (14, 4, 4), 5: (15, 2, 4)}  # qid -> file id, rows, cols

QVH = [
    {"qid": 1, "query": "two windows", "duration": 16, "vid": "vidA_0.0_16.0",
     "relevant_clip_ids": [1, 2, 5, 6], "saliency_scores": [[1, 2, 1], [4, 4, 3], [0, 1, 0], [2, 2, 2]],
     "relevant_windows": [[2, 6], [10, 14]]},
    {"qid": 2, "query": "seven windows", "duration": 30, "vid": "vidB_0.0_30.0",
     "relevant_clip_ids": [0, 2, 3, 5, 6, 7, 9], "saliency_scores": [[1, 1, 1], [2, 2, 2], [1, 1, 1], [3, 3, 3], [2, 2, 2], [0, 0, 1], [2, 2, 2]],
     "relevant_windows": [[0, 2], [4, 6], [6, 8], [10, 12], [12, 14], [14, 16], [18, 20]]},
    {"qid": 3, "query": "clip id equal to ctx_l", "duration": 14, "vid": "vidC_0.0_12.0",
     "relevant_clip_ids": [4, 5, 6], "saliency_scores": [[2, 2, 2], [3, 3, 3], [1, 1, 1]],
     "relevant_windows": [[8, 14]]},
    {"qid": 4, "query": "every clip relevant, ties", "duration": 16, "vid": "vidA_0.0_16.0",
     "relevant_clip_ids": [0, 1, 2, 3, 4, 5, 6, 7], "saliency_scores": [[2, 2, 2], [3, 2, 1], [4, 4, 4], [1, 2, 3], [4, 4, 4], [0, 0, 0], [1, 1, 4], [0, 0, 0]],
     "relevant_windows": [[0, 16]]},
]
SUBS = [
    {"qid": 5, "query": "subtitle line", "duration": 30, "vid": "vidB_0.0_30.0", "relevant_clip_ids": [3, 4, 5], "relevant_windows": [[6.5, 11.9]]},
    {"qid": 1, "query": "subtitle at the end", "duration": 16, "vid": "vidA_0.0_16.0", "relevant_clip_ids": [7], "relevant_windows": [[14.2, 19.0]]},
]
TVSUM_VIDEOS = {"tvA": [(31, 9, 3, "float32"), (32, 9, 2, "float32")], "tvB": [(33, 12, 3, "float32"), (34, 12, 2, "float32")]}
TVSUM_TEXTS = {"tvA": (41, 6, 4), "tvB": (42, 3, 4)}


def tvsum_label(seed, rows):
    rng = np.random.RandomState(seed)
    return (rng.randint(1, 6, size=(rows, 20))).astype(float).tolist()


TVSUM = [
    {"qid": "tvA", "query": "title a", "duration": 9, "vid": "tvA", "relevant_clip_ids": None, "relevant_windows": None,
     "label": tvsum_label(0, 9), "domain": "BK"},
    {"qid": "tvB", "query": "title b", "duration": 14, "vid": "tvB", "relevant_clip_ids": None, "relevant_windows": None,
     "label": tvsum_label(1, 14), "domain": "BK"},  # more label rows than features: cut to ctx_l 10
]


def write_inputs(root):
    d = {name: os.path.join(root, name) for name in ("vA", "vB", "txt", "aud", "tv", "tvtxt")}
    for p in d.values():
        os.makedirs(p)
    for vid, files in VIDEOS.items():
        for dirname, (k, rows, cols, dtype) in zip(("vA", "vB"), files):
            np.savez(os.path.join(d[dirname], vid + ".npz"), features=feature(k, rows, cols, dtype))
    for vid, (k, rows, cols) in AUDIO.items():
        np.save(os.path.join(d["aud"], vid + ".npy"), feature(k, rows, cols, "float32"))
    for qid, (k, rows, cols) in TEXTS.items():
        np.savez(os.path.join(d["txt"], "qid%d.npz" % qid), last_hidden_state=feature(k, rows, cols, "float32"),
                 pooler_output=feature(k + 100, 1, cols, "float32")[0])
    for vid, ((k1, r1, c1, t1), (k2, r2, c2, t2)) in TVSUM_VIDEOS.items():
        np.save(os.path.join(d["tv"], vid + "_rgb.npy"), feature(k1, r1, c1, t1))
        np.save(os.path.join(d["tv"], vid + "_opt.npy"), feature(k2, r2, c2, t2))
    for qid, (k, rows, cols) in TVSUM_TEXTS.items():
        np.savez(os.path.join(d["tvtxt"], qid + ".npz"), token=feature(k, rows, cols, "float32"))
    files = {}
    for name, rows in (("highlight_train_fixture.jsonl", QVH), ("subs_train_fixture.jsonl", SUBS), ("tvsum_fixture.jsonl", TVSUM)):
        files[name] = os.path.join(root, name)
        with open(files[name], "w") as f:
            f.write("\n".join(json.dumps(r) for r in rows))
    return d, files


def record(item):
    mi = item["model_inputs"]
    out = {"qid": item["meta"]["qid"]}
    for k in ("query_feat", "video_feat", "audio_feat", "pos_mask", "saliency_all_labels", "saliency_pos_labels", "saliency_neg_labels"):
        if k in mi:
            out[k] = to_list(mi[k])
    if "span_labels" in mi:
        out["span_labels"] = to_list(mi["span_labels"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--official-repo", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    stub_modules()
    sys.path.insert(0, os.path.abspath(args.official_repo))
    from tr_detr.start_end_dataset import StartEndDataset, start_end_collate, prepare_batch_inputs
    from tr_detr.start_end_dataset_audio import StartEndDataset_audio
    from utils.basic_utils import l2_normalize_np_array
    random.seed(0)

    # Row normalisation on wider rows: record the denominator (norm + eps) of each row; the Java test checks that
    # its normalised rows equal x / denominator exactly. Also check here that the official function is x / denom.
    norm_cases = []
    for k, width in enumerate(NORM_WIDTHS):
        x = np.array([[rounding_value(k, r, c) for c in range(width)] for r in range(3)], dtype=np.float32)
        y = l2_normalize_np_array(x)
        denom = (np.linalg.norm(x, axis=-1, keepdims=True) + 1e-5).astype(np.float32)
        assert y.dtype == np.float32 and (y == x / denom).all()
        norm_cases.append({"k": k, "width": width, "rows": 3, "denominators": [float(v) for v in denom[:, 0]]})

    with tempfile.TemporaryDirectory() as root:
        d, files = write_inputs(root)
        common = dict(q_feat_type="last_hidden_state", max_q_l=MAX_Q_L, max_v_l=MAX_V_L, ctx_mode="video_tef",
                      clip_len=CLIP_LEN, max_windows=5, span_loss_type="l1", txt_drop_ratio=0)
        result = {"normalize": norm_cases, "max_v_l": MAX_V_L, "max_q_l": MAX_Q_L, "clip_len": CLIP_LEN,
                  "videos": {k: [list(f) for f in v] for k, v in VIDEOS.items()},
                  "audio": {k: list(v) for k, v in AUDIO.items()},
                  "texts": {str(k): list(v) for k, v in TEXTS.items()},
                  "tvsum_videos": {k: [list(f) for f in v] for k, v in TVSUM_VIDEOS.items()},
                  "tvsum_texts": {k: list(v) for k, v in TVSUM_TEXTS.items()},
                  "jsonl": {name: open(path).read() for name, path in files.items()}}

        qvh = StartEndDataset("hl", files["highlight_train_fixture.jsonl"], [d["vA"], d["vB"]], d["txt"], **common)
        items = [qvh[i] for i in range(len(qvh))]
        result["qvh"] = [record(it) for it in items]
        # Collate all four: shapes, masks and padded labels.
        meta, batched = start_end_collate(items)
        inputs, targets = prepare_batch_inputs(batched, "cpu")
        result["qvh_batch"] = {
            "src_txt_shape": list(inputs["src_txt"].shape), "src_txt_mask": to_list(inputs["src_txt_mask"]),
            "src_vid_shape": list(inputs["src_vid"].shape), "src_vid_mask": to_list(inputs["src_vid_mask"]),
            "src_vid_sum": float(inputs["src_vid"].double().sum()),
            "saliency_all_labels": to_list(targets["saliency_all_labels"]), "src_pos_mask": to_list(targets["src_pos_mask"]),
            "pos_dtype": str(targets["saliency_pos_labels"].dtype),
        }

        nonorm = StartEndDataset("hl", files["highlight_train_fixture.jsonl"], [d["vA"], d["vB"]], d["txt"],
                                 normalize_v=False, normalize_t=False, **dict(common, ctx_mode="video"))
        result["qvh_no_norm_no_tef"] = [record(nonorm[i]) for i in range(len(nonorm))][:2]

        audio = StartEndDataset_audio("hl", files["highlight_train_fixture.jsonl"], [d["vA"], d["vB"]], d["txt"], a_feat_dir=d["aud"], **common)
        result["qvh_audio"] = [record(audio[i]) for i in range(len(audio))]

        subs = StartEndDataset("hl", files["subs_train_fixture.jsonl"], [d["vA"], d["vB"]], d["txt"], **common)
        result["subs"] = [record(subs[i]) for i in range(len(subs))]

        tv = StartEndDataset("tvsum", files["tvsum_fixture.jsonl"], [d["tv"]], d["tvtxt"], dset_domain="BK", **common)
        result["tvsum"] = [record(tv[i]) for i in range(len(tv))]

    text = json.dumps(result, indent=None, separators=(",", ":"), default=lambda o: o.item()) + "\n"
    with open(args.out + ".tmp", "w") as f:
        f.write(text)
    os.replace(args.out + ".tmp", args.out)
    print("wrote", args.out, os.path.getsize(args.out), "bytes")


if __name__ == "__main__":
    main()
