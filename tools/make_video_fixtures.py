#!/usr/bin/env python3
"""Writes the video-feature fixtures of the trdetr.video / trdetr.features tests from the reference extractor (run once;
committed).

    git clone /path/to/jayleicn/moment_detr /tmp/moment_detr      # run_on_video/data_utils.py: the released recipe
    git clone /path/to/kkroening/ffmpeg-python /tmp/ffmpeg-python  # what that recipe builds its ffmpeg commands with
    git clone /path/to/openai/CLIP /tmp/openai-clip                # the model (as tools/make_clip_fixtures.py)
    /usr/bin/python3 tools/make_video_fixtures.py --moment-detr-repo /tmp/moment_detr \\
        --ffmpeg-python-repo /tmp/ffmpeg-python --clip-repo /tmp/openai-clip

Needs Debian's python3-torch and ffmpeg. Nothing of the three clones is copied here; their code is imported by path.
The released QVHighlights CLIP features were made by HERO_Video_Feature_Extractor's clip/video_loader.py, which
Moment-DETR copied into run_on_video/data_utils.py (VideoLoader, Preprocessing): that copy is what this script runs.
Its tokenizer module imports ftfy, which Debian lacks; a stub is installed for the import only (no text is tokenized
through it: the text here is tokenized by openai/CLIP's simple_tokenizer, with ftfy.fix_text as the identity, which
changes nothing for these ASCII queries).

Written to --out (src/test/resources/video):
  walk.mp4        H.264 + AAC, 160x90, 13 s: landscape, audio to ignore
  portrait.webm   VP9, 90x160, 7 s: portrait (the h >= w branch), a stream without nb_frames (duration unknown)
  bars.mkv        MPEG-4 part 2 in Matroska, 100x75, 5 s: sizes that do not divide evenly
  short.mp4       H.264, 64x48, 1.5 s: the reference's short-video rate, 2 / max(int(duration), 1) frames per second
  video_reference.npz
      frames32_{name} (T, 32, 32, 3) uint8: VideoLoader(framerate=1/2, size=32, centercrop=True)'s frames
      frames224_{walk,portrait} (T, 224, 224, 3) uint8: the same at ViT-B/32's 224 pixels
      pixels32_{name} (T, 3, 32, 32) float32: Preprocessing() of frames32_{name}
      norm_table (3, 256) float32: Preprocessing() of every byte value in every channel
      image_embeds_{f32,f64}_{name} (T, 32): encode_image of pixels32_{name} by the CLIP model of
          src/test/resources/clip (rebuilt by tools/make_clip_fixtures.py's code, checked against its model.safetensors)
      ids (Q, 77) int64, queries (uint8 JSON list), text_hidden_{f32,f64} (Q, 77, 64), text_embeds_{f32,f64} (Q, 32):
          the queries tokenized by simple_tokenizer with the small BPE below, and encode_text's outputs
      commands (uint8 JSON): the ffmpeg command lines ffmpeg-python built, per video and size
      meta (uint8 JSON): ffmpeg's version, torch's, the clones' commits
  ../clip/bpe_small.txt.gz, ../clip/vocab.json, ../clip/merges.txt: a small CLIP BPE (512 byte symbols, 100 merges
      learned from the queries below, the two special tokens: ids 0..613, end-of-text 613 the highest, as in CLIP's
      own) in OpenAI's and Hugging Face's layouts, so the fixture model's folder is a whole Hugging Face CLIP folder
"""
import argparse
import collections
import gzip
import importlib.util
import json
import os
import subprocess
import sys
import types

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from export_reference import json_bytes, write_npz  # noqa: E402
import make_clip_fixtures as mcf  # noqa: E402

OUT = os.path.join(HERE, "..", "src", "test", "resources", "video")
CLIP_DIR = os.path.join(HERE, "..", "src", "test", "resources", "clip")

VIDEOS = [
    ("walk.mp4", ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=13",
                  "-f", "lavfi", "-i", "sine=frequency=440:duration=13",
                  "-c:v", "libx264", "-preset", "medium", "-crf", "32", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k"]),
    ("portrait.webm", ["-f", "lavfi", "-i", "testsrc=size=90x160:rate=15:duration=7",
                       "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "45", "-pix_fmt", "yuv420p"]),
    ("bars.mkv", ["-f", "lavfi", "-i", "smptehdbars=size=100x75:rate=24:duration=5,hue=H=t",
                  "-c:v", "mpeg4", "-q:v", "6", "-pix_fmt", "yuv420p"]),
    ("short.mp4", ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=1.5",
                   "-c:v", "libx264", "-crf", "30", "-pix_fmt", "yuv420p"]),
]
SIZES_224 = ("walk", "portrait")
QUERIES = [
    "A man walks his dog along the beach at sunset.",
    "Someone opens the fridge and takes out a bottle of milk",
    "the camera pans across a crowded street market",
    "A woman in a red coat is talking to the camera!",
    "Kids play football on a muddy field, then it starts to rain.",
]
MERGES = 100


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_videos(out):
    for name, args in VIDEOS:
        path = os.path.join(out, name)
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args, "-fflags", "+bitexact",
                        "-flags:v", "+bitexact", "-map_metadata", "-1", path], check=True)


def reference_loader(mdetr_repo, ffmpeg_python_repo):
    """Moment-DETR's run_on_video.data_utils with ffmpeg-python from its clone and ftfy stubbed for the import."""
    sys.path.insert(0, ffmpeg_python_repo)
    sys.path.insert(0, mdetr_repo)
    sys.modules.setdefault("ftfy", types.SimpleNamespace(fix_text=lambda s: s))
    import ffmpeg  # noqa: F401  (from the clone)
    from run_on_video import data_utils
    return data_utils


def recorded_commands(data_utils):
    """The ffmpeg command lines the loader runs, recorded by wrapping ffmpeg-python's run (no behaviour changed)."""
    import ffmpeg
    commands = []
    original = ffmpeg.run

    def run(stream_spec, *a, **k):
        commands.append(ffmpeg.compile(stream_spec))
        return original(stream_spec, *a, **k)
    ffmpeg.run = run
    ffmpeg.nodes.OutputStream.run = run
    return commands


def learn_merges(bpe_module, texts, n):
    """A small byte-pair vocabulary learned from texts, in OpenAI's merges order (most frequent pair first)."""
    byte_encoder = bpe_module.bytes_to_unicode()
    words = collections.Counter()
    for t in texts:
        for w in bpe_module.whitespace_clean(t).lower().split():
            symbols = [byte_encoder[b] for b in w.encode("utf-8")]
            symbols[-1] += "</w>"
            words[tuple(symbols)] += 1
    merges = []
    for _ in range(n):
        pairs = collections.Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        merged = collections.Counter()
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] += c
        words = merged
    return merges


def write_small_bpe(clip_repo, clip_dir):
    tok = load("openai_simple_tokenizer", os.path.join(clip_repo, "clip", "simple_tokenizer.py"))
    merges = learn_merges(tok, QUERIES, MERGES)
    bpe_path = os.path.join(clip_dir, "bpe_small.txt.gz")
    lines = ["#version: small test vocabulary for trdetr"] + [f"{a} {b}" for a, b in merges]
    with open(bpe_path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    tokenizer = tok.SimpleTokenizer(bpe_path)
    with open(os.path.join(clip_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer.encoder, f, ensure_ascii=False)
    with open(os.path.join(clip_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return tokenizer


def token_rows(tokenizer, texts):
    sot, eot = tokenizer.encoder["<|startoftext|>"], tokenizer.encoder["<|endoftext|>"]
    rows = []
    for t in texts:
        ids = [sot] + tokenizer.encode(t) + [eot]
        assert len(ids) <= 77
        rows.append(ids + [0] * (77 - len(ids)))
    return torch.tensor(rows, dtype=torch.long)


def fixture_model(clip_repo, vocab):
    """The model of src/test/resources/clip, rebuilt as make_clip_fixtures builds it and checked against its file."""
    torch.manual_seed(16)
    m = mcf.load_openai_model(clip_repo)
    model = mcf.build(m)
    expected = mcf.hf_state_dict(model.state_dict())
    with open(os.path.join(CLIP_DIR, "model.safetensors"), "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    for name, a in expected.items():
        h = header[name]
        lo, hi = h["data_offsets"]
        stored = np.frombuffer(data[lo:hi], dtype=a.dtype).reshape(a.shape)
        assert np.array_equal(stored, a), f"{name} differs from the committed model.safetensors"
    assert vocab <= mcf.TEXT["vocab"]
    return m, model


def encode(m, model, ids, pixels):
    """(text hidden, text embeds, image embeds) in float32 and float64 (LayerNorm in the input dtype for float64)."""
    out32 = mcf.run(model, ids, pixels)
    import copy
    model64 = copy.deepcopy(model).double()
    saved = m.LayerNorm.forward
    m.LayerNorm.forward = nn.LayerNorm.forward
    try:
        out64 = mcf.run(model64, ids, pixels.double())
    finally:
        m.LayerNorm.forward = saved
    return out32, out64


def git_commit(repo):
    return mcf.git_commit(repo)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--moment-detr-repo", required=True)
    ap.add_argument("--ffmpeg-python-repo", required=True)
    ap.add_argument("--clip-repo", required=True)
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args(argv)
    sys.dont_write_bytecode = True
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    make_videos(args.out)

    data_utils = reference_loader(args.moment_detr_repo, args.ffmpeg_python_repo)
    commands = recorded_commands(data_utils)
    preprocess = data_utils.Preprocessing()
    tokenizer = write_small_bpe(args.clip_repo, CLIP_DIR)
    m, model = fixture_model(args.clip_repo, len(tokenizer.encoder))

    entries, all_pixels, names = [], [], []
    table = torch.arange(256, dtype=torch.float32).view(1, 1, 1, 256).expand(1, 3, 1, 256).contiguous()
    entries.append(("norm_table", preprocess(table)[0, :, 0, :].numpy()))
    command_log = {}
    for file, _ in VIDEOS:
        name = file.split(".")[0]
        path = os.path.join(args.out, file)
        for size in (32, 224) if name in SIZES_224 else (32,):
            before = len(commands)
            video = data_utils.VideoLoader(framerate=1 / 2, size=size, centercrop=True).read_video_from_file(path)
            command_log[f"{name}_{size}"] = [[file if a == path else a for a in c] for c in commands[before:]]
            entries.append((f"frames{size}_{name}", video.permute(0, 2, 3, 1).numpy().astype(np.uint8)))
            if size == 32:
                pixels = preprocess(video)
                entries.append((f"pixels32_{name}", pixels.numpy()))
                all_pixels.append(pixels)
                names.append((name, len(pixels)))

    ids = token_rows(tokenizer, QUERIES)
    out32, out64 = encode(m, model, ids, torch.cat(all_pixels))
    entries += [("ids", ids.numpy()), ("queries", json_bytes(QUERIES))]
    for suffix, outs in (("f32", out32), ("f64", out64)):
        entries += [(f"text_hidden_{suffix}", outs[0]), (f"text_embeds_{suffix}", outs[1])]
        at = 0
        for name, n in names:
            entries.append((f"image_embeds_{suffix}_{name}", outs[2][at:at + n]))
            at += n
    ffmpeg_version = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.splitlines()[0]
    meta = dict(ffmpeg=ffmpeg_version, torch_version=torch.__version__,
                moment_detr_commit=git_commit(args.moment_detr_repo),
                ffmpeg_python_commit=git_commit(args.ffmpeg_python_repo), clip_commit=git_commit(args.clip_repo))
    entries += [("commands", json_bytes(command_log)), ("meta", json_bytes(meta))]
    write_npz(os.path.join(args.out, "video_reference.npz"), entries, compress=True)
    for key, cmd in command_log.items():
        print(key, " ".join(cmd[0]) if cmd else "(no command)")
    for name, n in names:
        print(f"{name}: {n} frames")
    for f in sorted(os.listdir(args.out)):
        print(f"{f}: {os.path.getsize(os.path.join(args.out, f))} bytes")


if __name__ == "__main__":
    main()
