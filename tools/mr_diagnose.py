#!/usr/bin/env python3
"""Why is moment retrieval at chance?  Splits MR-full-R1@0.5 into its two causes.

usage: tools/mr_diagnose.py PREDS.jsonl GT.jsonl

PREDS is a submission (``pred_relevant_windows`` = [start, end, score] rows, best first), for example the
``latest_val_preds.jsonl`` a training run writes; GT the split's annotations. Printed:

* top-1 R1@0.5: the official metric (the first window hits some ground-truth window with IoU >= 0.5);
* best-of-N R1@0.5: some predicted window hits. A large gap means the spans are there but the foreground
  scores do not rank them (DETR's classifier has not learned yet);
* how many distinct top scores there are: 1 means every query slot of every video gets the same score;
* the correlation of the top window's centre and width with the first ground-truth window's: about 0 means the
  decoder predicts a positional prior, the same windows for every video.

Standard library only, so that it runs wherever the predictions are.
"""
import json
import math
import sys


def iou(a, b):
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def correlation(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else 0.0


def main(preds_path, gt_path):
    gt = {}
    for line_no, line in enumerate(open(gt_path), 1):
        row = json.loads(line)
        if "relevant_windows" not in row:
            sys.exit(f"{gt_path}:{line_no}: no relevant_windows (moment retrieval needs them)")
        gt[row["qid"]] = row
    n = top1 = best_of_n = 0
    slots = 0
    top_scores = set()
    centre_pred, centre_gt, width_pred, width_gt = [], [], [], []
    for line_no, line in enumerate(open(preds_path), 1):
        row = json.loads(line)
        if row["qid"] not in gt:
            sys.exit(f"{preds_path}:{line_no}: qid {row['qid']} is not in {gt_path}")
        truth = gt[row["qid"]]
        windows = row["pred_relevant_windows"]
        if not windows:
            continue
        hits = [max(iou(w, g) for g in truth["relevant_windows"]) >= 0.5 for w in windows]
        n += 1
        slots = max(slots, len(windows))
        top1 += hits[0]
        best_of_n += any(hits)
        top_scores.add(round(windows[0][2], 4))
        d = truth["duration"]
        first = truth["relevant_windows"][0]
        centre_pred.append((windows[0][0] + windows[0][1]) / 2 / d)
        width_pred.append((windows[0][1] - windows[0][0]) / d)
        centre_gt.append((first[0] + first[1]) / 2 / d)
        width_gt.append((first[1] - first[0]) / d)
    if n == 0:
        sys.exit(f"{preds_path}: no predictions with windows")
    print(f"queries                        {n}")
    print(f"top-1 R1@0.5                   {100 * top1 / n:.2f}")
    print(f"{f'best-of-{slots} R1@0.5':<31}{100 * best_of_n / n:.2f}")
    print(f"distinct top-1 scores          {len(top_scores)}")
    print(f"corr(top-1 centre, GT centre)  {correlation(centre_pred, centre_gt):.3f}")
    print(f"corr(top-1 width, GT width)    {correlation(width_pred, width_gt):.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    try:
        main(sys.argv[1], sys.argv[2])
    except OSError as e:
        sys.exit(f"error: {e.filename}: {e.strerror}")
    except (json.JSONDecodeError, KeyError, TypeError, IndexError) as e:
        sys.exit(f"error: not a submission and annotation pair ({type(e).__name__}: {e})")
