#!/usr/bin/env python3
"""Regenerates the fixtures of src/test/resources/eval with the official TR-DETR code.

    python3 tools/make_eval_fixtures.py /path/to/TR-DETR-clone [--out src/test/resources/eval]

The official evaluator (standalone_eval/eval.py), post-processor (tr_detr/postprocessing_tr_detr.py) and NMS
(utils/temporal_nms.py) are imported from the clone, never copied. Everything is drawn from fixed seeds, so a rerun
with the same NumPy / scikit-learn / PyTorch writes the same files (they were made with NumPy 1.24.2, scikit-learn
1.2.1, PyTorch 1.13 on CPU).

Written:
  cases/<name>/{gt.jsonl, submission.jsonl, expected.json}
      synthetic QVHighlights-style inputs and the official eval_submission output (json.dumps(indent=4)), built to
      hit the evaluator's corners: tied scores and IoUs, zero-length windows (NaN IoU), more and fewer than 10
      windows, more than 17 ground-truth windows (NumPy's quicksort ties), saliency shorter/longer than the clip
      count, fp16 ties, all-0 / all-1 label columns, argmax beyond the video, repeated qids, 7 vs 7.0 qids;
  numerics.json
      NumPy argsort orders, NumPy sums/means, get_ap values, float16 roundings, Python float reprs;
  postprocess.json
      model outputs and the official submission line built from them; temporal_nms inputs and results.
"""
import argparse
import contextlib
import io
import json
import math
import os
import random
import struct
import sys
import types

import numpy as np


def import_official(clone):
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.abspath(clone))
    # The post-processor module imports tqdm, and utils.basic_utils imports pandas, neither of which the code we
    # call needs: stand-ins keep the generator runnable where they are not installed.
    if "tqdm" not in sys.modules:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            stub = types.ModuleType("tqdm")
            stub.tqdm = lambda it=None, *a, **k: it
            stub.trange = lambda *a, **k: range(*a)
            sys.modules["tqdm"] = stub
    try:
        import pandas  # noqa: F401
    except ImportError:
        sys.modules["pandas"] = types.ModuleType("pandas")
    from standalone_eval import eval as official_eval
    from standalone_eval import utils as official_utils
    return official_eval, official_utils


def f32(x):
    return float(np.float32(x))


def write_jsonl(path, rows):
    with open(path, "w") as f:
        f.write("\n".join(json.dumps(r) for r in rows))


def fp16(x):
    return float(np.float16(np.float32(x)))


# ------------------------------------------------------------------------------------------------ evaluator cases

def gt_entry(qid, duration, windows, rng, clip_rows=None):
    """A QVHighlights-style annotation line; relevant clips cover the windows unless clip_rows is given."""
    n = int(duration / 2)
    if clip_rows is None:
        ids = sorted({c for (s, e) in windows for c in range(int(s // 2), int(math.ceil(e / 2))) if 0 <= c < n})
        if not ids:
            ids = [rng.randrange(n)]
        clip_rows = [(c, [rng.randint(0, 4) for _ in range(3)]) for c in ids]
    return {"qid": qid, "query": f"query {qid}", "duration": duration, "vid": f"vid{qid}",
            "relevant_clip_ids": [c for c, _ in clip_rows], "saliency_scores": [r for _, r in clip_rows],
            "relevant_windows": [list(w) for w in windows]}


def pred_entry(qid, windows, saliency):
    d = {"qid": qid, "query": f"query {qid}", "vid": f"vid{qid}"}
    if windows is not None:
        d["pred_relevant_windows"] = [list(w) for w in windows]
    if saliency is not None:
        d["pred_saliency_scores"] = saliency
    return d


def split_cover(rng, qid0):
    """Three queries that make sure every length split has ground truth."""
    out = []
    for k, (lo, hi) in enumerate([(2, 10), (12, 30), (32, 150)]):
        length = rng.randrange(lo, hi + 1, 2)
        start = rng.randrange(0, 150 - length + 1, 2)
        out.append((qid0 + k, 150, [(start, start + length)]))
    return out


def random_preds(rng, duration, gt_windows, count, tie_scores=False, grid=False):
    preds = []
    for _ in range(count):
        if gt_windows and rng.random() < 0.6:
            s, e = rng.choice(gt_windows)
            js, je = rng.uniform(-6, 6), rng.uniform(-6, 6)
            st, ed = s + js, e + je
        else:
            st = rng.uniform(-5, duration)
            ed = st + rng.uniform(0, duration / 2)
        if grid:
            st, ed = 2 * round(st / 2), 2 * round(ed / 2)
        score = round(rng.random(), 1) if tie_scores else round(rng.random(), 4)
        preds.append([round(st, 4), round(ed, 4), score])
    return preds


def saliency_row(rng, n, mode):
    if mode == "ties":
        return [fp16(round(rng.gauss(0, 1) * 4) / 4) for _ in range(n)]
    if mode == "fp16":
        return [fp16(rng.gauss(0, 0.5)) for _ in range(n)]
    return [rng.gauss(0, 1) for _ in range(n)]


def case_mixed(rng):
    gts, preds = [], []
    qid = 100
    for q, dur, wins in split_cover(rng, 1):
        gts.append(gt_entry(q, dur, wins, rng))
        preds.append(pred_entry(q, random_preds(rng, dur, wins, 10), saliency_row(rng, int(dur / 2), "fp16")))
    durations = [150, 126, 75, 20.5, 10, 149.9, 33]
    for i in range(40):
        dur = rng.choice(durations)
        nwin = rng.choice([1, 1, 2, 3, 5])
        wins = []
        for _ in range(nwin):
            length = rng.choice([2, 4, 6, 8, 10, 12, 20, 30, 40, 60])
            length = min(length, int(dur) // 2 * 2)
            start = rng.randrange(0, max(1, int(dur) - length + 1), 2)
            wins.append((start, start + length))
        if i % 7 == 0:  # a zero-length ground-truth window (counts only in "full")
            z = rng.randrange(0, int(dur), 2)
            wins.append((z, z))
        if i % 5 == 0:  # float endpoints
            wins = [(s + 0.5, e + 0.5) for s, e in wins]
        gts.append(gt_entry(qid, dur, wins, rng))
        count = rng.choice([10, 10, 10, 3, 1, 15])
        p = random_preds(rng, dur, wins, count, tie_scores=(i % 3 == 0), grid=(i % 2 == 0))
        if i % 7 == 0:  # zero-length predictions, one on the zero-length ground truth: NaN IoU, a match
            z = wins[-1][0]
            p[0] = [z, z, 0.99]
            p.append([z + 2, z + 2, 0.5])
        if i % 11 == 0:  # a window ending before it starts
            p[-1] = [p[-1][1], p[-1][0], p[-1][2]]
        n = int(dur / 2)
        mode = ["ties", "fp16", "plain"][i % 3]
        length = [n, max(1, n - 3), n + 5, 1][i % 4]
        sal = saliency_row(rng, length, mode)
        if i % 9 == 4:
            sal = sal[:n] + [99.0] * 4  # the best clip lies beyond the video
        preds.append(pred_entry(qid, p, sal))
        qid += 1
    # every clip relevant with top scores: all-1 label columns
    gts.append(gt_entry(qid, 20, [(0, 20)], rng, clip_rows=[(c, [4, 4, 4]) for c in range(10)]))
    preds.append(pred_entry(qid, [[0, 20, 0.9], [2, 10, 0.5]], saliency_row(rng, 10, "ties")))
    qid += 1
    # no clip reaches VeryGood: all-0 columns at that level
    gts.append(gt_entry(qid, 30, [(4, 12)], rng, clip_rows=[(2, [1, 2, 3]), (3, [2, 3, 3]), (4, [0, 1, 2])]))
    preds.append(pred_entry(qid, [[4, 12, 0.7]], [0.0] * 15))
    qid += 1
    # a negative clip id (counts from the end, as NumPy indexing does) and a repeated one (the last row wins)
    gts.append(gt_entry(qid, 40, [(36, 40)], rng, clip_rows=[(-1, [4, 3, 2]), (18, [1, 1, 1]), (18, [3, 4, 2])]))
    preds.append(pred_entry(qid, [[36, 40, 0.8], [30, 40, 0.8], [36, 38, 0.8]], saliency_row(rng, 20, "ties")))
    return gts, preds


def case_many_gt_windows(rng):
    """More than 17 ground-truth windows per query on a 2 s grid: tied IoUs sorted by NumPy's quicksort."""
    gts, preds = [], []
    for q, dur, wins in split_cover(rng, 1):
        gts.append(gt_entry(q, dur, wins, rng))
        preds.append(pred_entry(q, random_preds(rng, dur, wins, 10, grid=True), None))
    for i in range(120):
        qid = 1000 + i
        n = rng.randrange(15, 31)
        center = rng.randrange(30, 120, 2)
        wins = []
        for _ in range(n):
            half = rng.choice([2, 4, 6, 8, 10, 14, 20])
            shift = rng.choice([-4, -2, 0, 2, 4])
            wins.append((center + shift - half, center + shift + half))
        gts.append(gt_entry(qid, 150, wins, rng))
        p = []
        for _ in range(10):
            half = rng.choice([2, 4, 6, 8, 10, 14, 20])
            shift = rng.choice([-4, -2, 0, 2, 4])
            p.append([center + shift - half, center + shift + half, round(rng.random(), 1)])
        preds.append(pred_entry(qid, p, None))
    return gts, preds


def case_hl_only(rng):
    gts, preds = [], []
    for i in range(30):
        dur = rng.choice([150, 150, 88, 12, 3])
        n = int(dur / 2)
        ids = sorted(rng.sample(range(n), rng.randint(1, n)))
        rows = [(c, [rng.randint(0, 4) for _ in range(3)]) for c in ids]
        gts.append(gt_entry(i, dur, [(0, 2)], rng, clip_rows=rows))
        length = [n, n + 2, max(1, n // 2)][i % 3]
        preds.append(pred_entry(i, None, saliency_row(rng, length, ["ties", "fp16"][i % 2])))
    return gts, preds


def case_repeated_qids(rng):
    """A qid submitted twice (windows pooled for mAP, the last line for R1 and HL), and 7.0 matching 7."""
    gts, preds = [], []
    for q, dur, wins in split_cover(rng, 1):
        gts.append(gt_entry(q, dur, wins, rng))
        preds.append(pred_entry(q, random_preds(rng, dur, wins, 10), saliency_row(rng, 75, "ties")))
    for i in range(10):
        qid = 10 + i
        wins = [(20, 40), (60, 64)]
        gts.append(gt_entry(qid, 150, wins, rng))
        preds.append(pred_entry(qid, random_preds(rng, 150, wins, 10, tie_scores=True), saliency_row(rng, 75, "ties")))
    preds.append(pred_entry(12, [[20, 40, 0.3], [60, 64, 0.2]], saliency_row(rng, 75, "ties")))
    preds.append(pred_entry(15, random_preds(rng, 150, [(20, 40)], 12), saliency_row(rng, 70, "fp16")))
    gts.append(gt_entry(7, 150, [(100, 110)], rng))
    preds.append(pred_entry(7.0, [[100, 110, 0.9], [98, 110, 0.8]], saliency_row(rng, 75, "fp16")))
    return gts, preds


def case_random(rng):
    gts, preds = [], []
    for i in range(150):
        dur = rng.choice([150, 150, 150, 140, 126, 90, 60])
        wins = []
        for _ in range(rng.choice([1, 1, 2, 3, 4])):
            length = rng.uniform(1, min(dur, 100))
            start = rng.uniform(0, dur - length)
            wins.append((round(start, 1), round(start + length, 1)))
        wins = [(2 * round(s / 2), 2 * round(e / 2)) if i % 2 else (s, e) for s, e in wins]
        wins = [(s, e) if e > s else (s, s + 2) for s, e in wins]
        gts.append(gt_entry(i, dur, wins, rng))
        preds.append(pred_entry(i, random_preds(rng, dur, wins, 10), saliency_row(rng, int(dur / 2), "ties" if i % 2 else "fp16")))
    return gts, preds


CASES = {
    "mixed": case_mixed,
    "many_gt_windows": case_many_gt_windows,
    "hl_only": case_hl_only,
    "repeated_qids": case_repeated_qids,
    "random": case_random,
}


def run_official(official_eval, preds, gts):
    with contextlib.redirect_stdout(io.StringIO()):
        return official_eval.eval_submission(preds, gts, verbose=False)


def make_cases(official_eval, out):
    for name, build in CASES.items():
        rng = random.Random("trdetr-eval-" + name)
        gts, preds = build(rng)
        d = os.path.join(out, "cases", name)
        os.makedirs(d, exist_ok=True)
        write_jsonl(os.path.join(d, "gt.jsonl"), gts)
        write_jsonl(os.path.join(d, "submission.jsonl"), preds)
        # Evaluate what was written, as read back (the official load_jsonl).
        from standalone_eval.utils import load_jsonl
        metrics = run_official(official_eval, load_jsonl(os.path.join(d, "submission.jsonl")),
                               load_jsonl(os.path.join(d, "gt.jsonl")))
        with open(os.path.join(d, "expected.json"), "w") as f:
            f.write(json.dumps(metrics, indent=4))
        print(f"cases/{name}: {len(preds)} predictions, brief {dict(metrics['brief'])}")


# ------------------------------------------------------------------------------------------------ numerics

def bits(x):
    return struct.unpack("<q", struct.pack("<d", x))[0]


def make_numerics(official_utils, out):
    rng = np.random.RandomState(20240601)
    res = {}
    argsorts = []
    for n in list(range(1, 41)) + [60, 100]:
        for levels in (2, 3, 5, 1000):
            v = rng.randint(0, levels, size=n).astype(float) / 4
            if n > 3 and levels == 3:
                v[rng.randint(0, n)] = np.nan
                v[rng.randint(0, n)] = np.nan
            argsorts.append({"values": v.tolist(), "order": np.argsort(v).tolist()})
    res["argsort"] = argsorts

    sums = []
    for n in [0, 1, 2, 7, 8, 9, 15, 16, 17, 100, 127, 128, 129, 255, 256, 257, 1000]:
        v = rng.standard_normal(n) * 10.0 ** rng.randint(-3, 4, size=n)
        m2 = v[: (n // 3) * 3].reshape(-1, 3)
        sums.append({"values": v.tolist(), "sum": float(np.sum(v)), "mean": float(np.mean(v)) if n else None,
                     "mean_rows3": float(np.mean(m2)) if m2.size else None,
                     "col_means_rows3": m2.mean(0).tolist() if m2.size else None})
    res["sums"] = sums

    aps = []
    for k in range(160):
        n = rng.randint(1, 80)
        y = (rng.rand(n) < rng.rand()).astype(float)
        levels = [2, 4, 16, 1 << 20][k % 4]
        s = (rng.randint(0, levels, size=n) / levels).astype(float)
        ap = official_utils.get_ap(y, s)
        aps.append({"y_true": y.tolist(), "y_score": s.tolist(), "ap": float(ap)})
    res["get_ap"] = aps

    halves = []
    special = [0.0, -0.0, 65504.0, 65519.99, 65520.0, -70000.0, 6.1e-05, 5.96e-08, 2.98e-08, 2.99e-08, 1e-10,
               1.0009765625, 1.00048828125, 1.00146484375, float("inf"), float("nan"), 3.4e38]
    vals = special + list(rng.standard_normal(400).astype(np.float32)) + \
        list((rng.standard_normal(200) * 10.0 ** rng.randint(-9, 6, size=200)).astype(np.float32))
    for x in vals:
        x32 = np.float32(x)
        h = float(np.float16(x32))
        halves.append({"f32_bits": int(struct.unpack("<i", struct.pack("<f", x32))[0]),
                       "f16_bits": bits(h) if not math.isnan(h) else None})
    res["float16"] = halves

    reprs = []
    pool = [0.0, -0.0, 1e-05, 0.0001, 0.00011, 1e16, 1e15, 9999999999999998.0, 123456789012345678.0, 5e-324,
            2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 0.2 + 0.1, 100.0, 53.94, 2.0 ** 60, 2.0 ** -20,
            1 / 3, -2.5e-07, 9.5367431640625e-07, 1e22, 1e23, float(np.float16(0.0001)), 5.960464477539063e-08]
    pool += [float(x) for x in rng.standard_normal(300) * 10.0 ** rng.randint(-12, 20, size=300)]
    pool += [float(np.float16(x)) for x in rng.standard_normal(200) * 10.0 ** rng.randint(-7, 4, size=200)]
    pool += [float(np.float32(x)) for x in rng.standard_normal(100)]
    pool += [struct.unpack("<d", struct.pack("<q", int(b)))[0] for b in rng.randint(1, 2 ** 62, size=100, dtype=np.int64)]
    pool += [2.0 ** int(e) for e in rng.randint(-1074, 1024, size=60)]
    for x in pool:
        reprs.append({"bits": bits(x), "repr": repr(x), "f2": format(x, ".2f") if abs(x) < 1e30 else None,
                      "f4": format(x, ".4f") if abs(x) < 1e30 else None})
    res["repr"] = reprs
    with open(os.path.join(out, "numerics.json"), "w") as f:
        json.dump(res, f, allow_nan=True)
    print(f"numerics.json: {len(argsorts)} argsorts, {len(sums)} sums, {len(aps)} APs, {len(halves)} fp16, {len(reprs)} reprs")


# ------------------------------------------------------------------------------------------------ post-processing

def make_postprocess(out):
    import torch
    from tr_detr.postprocessing_tr_detr import PostProcessorDETR
    from tr_detr.span_utils import span_cxw_to_xx
    from utils.temporal_nms import temporal_nms

    rng = np.random.RandomState(7)
    lines = []
    for k in range(60):
        nq = 10
        duration = [150, 150, 126, 37.5, 10, 149.98, 60][k % 7]
        logits = torch.tensor(rng.standard_normal((nq, 2)) * 3, dtype=torch.float32)
        fg = torch.softmax(logits, -1)[:, 0]
        if k % 4 == 0:
            fg[3] = fg[5]  # tied scores keep query order
            fg[7] = 1e-6
        cx = rng.uniform(-0.1, 1.1, nq)
        w = rng.uniform(0, 0.6, nq)
        if k % 5 == 0:
            w[1] = 0.0
            w[2] = 1e-6
            cx[4] = -0.2e-6 / duration  # a start rounding to -0.0
            w[4] = 0.0
        if k % 6 == 0:  # endpoints that land on odd seconds: half-to-even rounding
            cx[:4] = np.array([3.0, 5.0, 7.0, 1.0]) / duration
            w[:4] = 0.0
        spans = torch.tensor(np.stack([cx, w], 1), dtype=torch.float32)
        L = [75, 64, 63, 19, 5, 75, 30][k % 7]
        valid = L - (k % 3)
        sal = torch.tensor(rng.standard_normal(L) * [1, 0.01, 30][k % 3], dtype=torch.float32)
        if k % 10 == 0:
            sal[0] = 70000.0
            sal[1] = 3e-8
            sal[2] = -1e-9
            sal[3] = 1.00048828125  # exactly between two fp16 values
        xx = span_cxw_to_xx(spans) * duration
        rows = torch.cat([xx, fg[:, None]], dim=1).tolist()
        rows = sorted(rows, key=lambda r: r[2], reverse=True)
        rows = [[float(f"{e:.4f}") for e in r] for r in rows]
        qid = 5000 + k if k % 9 else f"q{k}"
        query = "query \u00e9\u4e2d \"quoted\" \\ tab\t" if k == 3 else f"query {k}"
        line = {"qid": qid, "query": query, "vid": f"vid_{k}", "pred_relevant_windows": rows,
                "pred_saliency_scores": sal.half()[:valid].tolist()}
        post = PostProcessorDETR(clip_length=2, min_ts_val=0, max_ts_val=150, min_w_l=2, max_w_l=150,
                                 move_window_method="left", process_func_names=("clip_ts", "round_multiple"))
        line = post([line])[0]
        lines.append({"qid": qid, "query": query, "vid": f"vid_{k}", "duration": duration,
                      "foreground": fg.tolist(), "spans": spans.tolist(), "saliency": sal.tolist(),
                      "valid_length": valid, "line": json.dumps(line)})

    nms = []
    for k in range(60):
        n = rng.randint(0, 14)
        wins = []
        for _ in range(n):
            s = float(2 * rng.randint(0, 60))
            e = s + float(2 * rng.randint(0, 20))
            wins.append([s, e, float(rng.randint(0, 6) / 5)])
        thd = [0.3, 0.5, 0.7, 0.0][k % 4]
        mb, ma = [(10, 10), (5, 3), (14, 2), (3, 10)][k % 4]
        kept = temporal_nms(wins[:mb], nms_thd=thd, max_after_nms=ma)
        nms.append({"windows": wins, "threshold": thd, "max_before": mb, "max_after": ma, "expected": kept})
    with open(os.path.join(out, "postprocess.json"), "w") as f:
        json.dump({"lines": lines, "nms": nms}, f, allow_nan=True)
    print(f"postprocess.json: {len(lines)} lines, {len(nms)} NMS cases")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("official_repo", help="a clone of mingyao1120/TR-DETR")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "eval"))
    args = ap.parse_args()
    official_eval, official_utils = import_official(args.official_repo)
    os.makedirs(args.out, exist_ok=True)
    make_cases(official_eval, args.out)
    make_numerics(official_utils, args.out)
    make_postprocess(args.out)


if __name__ == "__main__":
    main()
