#!/usr/bin/env python3
"""Times OpenAI's CLIP ViT-B/32 on the CPU (or a GPU, --device cuda) as `trdetr bench clip` times ours: image frames per second and text queries
per second, same batch sizes, random weights, one JSON line at the end.

    git clone /path/to/openai/CLIP /tmp/openai-clip
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench_clip_torch.py --clip-repo /tmp/openai-clip --threads 1

OpenAI's clip/model.py is imported from the clone by path (nothing of it is copied here) and built with ViT-B/32's
arguments (clip.model.build_model's for ViT-B-32.pt); weights are its own random initialisation, in float32, eval
mode, under torch.no_grad() (as Moment-DETR's extractor runs it). encode_image gets random preprocessed frames;
encode_text gets rows of --tokens ids (start, random words, end) zero-padded to 77, as clip.tokenize gives them:
OpenAI's text tower always runs all 77 positions (ours stops at the longest query's end token).
"""
import argparse
import importlib.util
import json
import os
import statistics
import time

import torch


def load_model_module(repo):
    spec = importlib.util.spec_from_file_location("openai_clip_model", os.path.join(repo, "clip", "model.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def median_seconds(work, warmup, samples):
    for _ in range(warmup):
        work()
    t = []
    for _ in range(samples):
        start = time.perf_counter()
        work()
        t.append(time.perf_counter() - start)
    return statistics.median(t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clip-repo", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--frames", type=int, default=32)
    ap.add_argument("--queries", type=int, default=32)
    ap.add_argument("--tokens", type=int, default=20)
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--skip", choices=["image", "text"])
    ap.add_argument("--device", default="cpu", help="cpu or cuda (then each batch is synchronised before its time is taken)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    m = load_model_module(args.clip_repo)
    # ViT-B/32: embed 512, image 224, 12 vision layers of width 768, patch 32; context 77, vocab 49408, text width 512, 8 heads, 12 layers
    model = m.CLIP(512, 224, 12, 768, 32, 77, 49408, 512, 8, 12).float().eval().to(args.device)
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)
    out = dict(device=args.device, threads=args.threads, torch=torch.__version__,
               openblas_threads=os.environ.get("OPENBLAS_NUM_THREADS"), dtype="float32")
    with torch.no_grad():
        if args.skip != "image":
            pixels = torch.randn(args.frames, 3, 224, 224).to(args.device)
            s = median_seconds(lambda: (model.encode_image(pixels), sync()), args.warmup, args.samples)
            print(f"image: {args.frames} frames of 224 px per batch, median {s:.3f} s: {args.frames / s:.2f} frames/s")
            out.update(image_batch=args.frames, image_batch_s=s, frames_per_s=args.frames / s)
        if args.skip != "text":
            g = torch.Generator().manual_seed(2)
            ids = torch.zeros(args.queries, 77, dtype=torch.long)
            ids[:, 0] = 49406
            ids[:, 1:args.tokens - 1] = torch.randint(1, 49405, (args.queries, args.tokens - 2), generator=g)
            ids[:, args.tokens - 1] = 49407
            ids = ids.to(args.device)
            s = median_seconds(lambda: (model.encode_text(ids), sync()), args.warmup, args.samples)
            print(f"text: {args.queries} queries of {args.tokens} tokens per batch, median {s:.3f} s: {args.queries / s:.1f} queries/s")
            out.update(text_batch=args.queries, tokens=args.tokens, text_batch_s=s, queries_per_s=args.queries / s)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
