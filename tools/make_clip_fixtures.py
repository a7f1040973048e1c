#!/usr/bin/env python3
"""Writes the CLIP encoder fixture of the trdetr.clip tests from OpenAI's own CLIP code (run once; committed).

    git clone /path/to/openai/CLIP /tmp/openai-clip          # github.com/openai/CLIP
    /usr/bin/python3 tools/make_clip_fixtures.py --clip-repo /tmp/openai-clip [--out src/test/resources/clip]

OpenAI's `clip/model.py` is imported from the clone by path (only that file: the package's `__init__` pulls in the
tokenizer, torchvision and PIL, which the model does not need); nothing of it is copied here. Its classes build a
small, randomly initialised CLIP ViT: text width 64, 2 layers, 4 heads, context 77, vocabulary 1000; vision width
48, 3 layers, 3 heads, 32×32 images in 8×8 patches (16 patches + the class token); projection to 32. The text and
vision towers differ in width, depth and heads on purpose, so that a mix-up between them cannot pass. On top of
CLIP's own initialisation every layer-norm weight becomes 1 + 0.1·N(0, 1) and every bias (layer norms, the packed
q/k/v bias, out_proj, c_fc, c_proj) 0.1·N(0, 1), so that a misplaced bias or norm shows.

The vocabulary is cut to 1000 tokens (the full 49408 × 64 embedding would be 12 MB) with the real one's structure:
start-of-text 998 and end-of-text 999 are the two highest ids, as 49406 and 49407 are, so OpenAI's pooling at
`text.argmax(-1)` picks the end-of-text token exactly as it does with the real vocabulary. Each row of the token
ids is [SOT, words in 1..997, EOT] padded with zeros to 77, as `clip.tokenize` pads; one row is an empty query
(SOT, EOT) and one fills all 77 positions.

Written to --out:
  config.json        the Hugging Face CLIPConfig of the model (text_config / vision_config / projection_dim), with
                     text_config.eos_token_id 2 as in openai/clip-vit-base-patch32's own config.json
  model.safetensors  the weights under the Hugging Face CLIPModel names, float32, converted from OpenAI's
                     state_dict as transformers' convert_clip_original_pytorch_to_hf.py does (in_proj split into
                     q/k/v, text_projection and visual.proj transposed into Linear weights), plus the
                     position_ids buffers that older Hugging Face files carry
  reference.npz      inputs and OpenAI's outputs, each in float64 and float32 (the float32 model's own run):
                       ids (B, 77) int64; pixels (N, 3, 32, 32) float32 (already preprocessed)
                       text_hidden_f64/_f32 (B, 77, 64): ln_final's output inside encode_text (the per-token states)
                       text_embeds_f64/_f32 (B, 32): encode_text (EOT state @ text_projection)
                       image_embeds_f64/_f32 (N, 32): encode_image (ln_post(class token) @ proj)
                       meta (uint8 JSON): torch version, seed, the CLIP commit when --clip-repo is a git clone

The float64 run is the float32 model converted with .double() (its weights are float32 numbers). OpenAI's
LayerNorm subclass computes in float32 whatever the input (`x.type(torch.float32)`); for the float64 run its
forward is swapped, at run time and never in the clone, for torch.nn.LayerNorm's, which computes in the input's
dtype. Nothing else is changed. Reruns give byte-identical files (fixed seed, one torch thread, fixed zip times).
"""
import argparse
import copy
import importlib.util
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_reference import FIXED_ZIP_TIME, json_bytes, write_npz  # noqa: E402  (the deterministic npz writer)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "clip")

TEXT = dict(width=64, layers=2, heads=4, context=77, vocab=1000)
VISION = dict(width=48, layers=3, heads=3, resolution=32, patch=8)
EMBED = 32
SOT, EOT = TEXT["vocab"] - 2, TEXT["vocab"] - 1
WORDS = [5, 0, 12, 75, 20]     # words per query: 75 + SOT + EOT fills the context
IMAGES = 3


def load_openai_model(repo):
    spec = importlib.util.spec_from_file_location("openai_clip_model", os.path.join(repo, "clip", "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(m):
    # CLIP's constructor gives a ViT width // 64 heads (0 at width 48): it builds a one-layer placeholder tower,
    # replaced by OpenAI's VisionTransformer with the heads asked for.
    model = m.CLIP(EMBED, VISION["resolution"], 1, 64, VISION["patch"],
                   TEXT["context"], TEXT["vocab"], TEXT["width"], TEXT["heads"], TEXT["layers"])
    model.visual = m.VisionTransformer(VISION["resolution"], VISION["patch"], VISION["width"], VISION["layers"],
                                       VISION["heads"], EMBED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".ln_" in name or name.startswith("ln_") or "ln_final" in name:
                if name.endswith("weight"):
                    p.copy_(1 + 0.1 * torch.randn_like(p))
                else:
                    p.copy_(0.1 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
    return model.eval()


def token_ids(gen):
    rows = []
    for n in WORDS:
        words = torch.randint(1, SOT, (n,), generator=gen).tolist()
        row = [SOT] + words + [EOT]
        rows.append(row + [0] * (TEXT["context"] - len(row)))
    return torch.tensor(rows, dtype=torch.long)


def run(model, ids, pixels):
    """(per-token states after ln_final, encode_text, encode_image) of one model, as numpy arrays."""
    states = []
    hook = model.ln_final.register_forward_hook(lambda mod, inp, out: states.append(out.detach().clone()))
    with torch.no_grad():
        text = model.encode_text(ids)
        image = model.encode_image(pixels)
    hook.remove()
    assert len(states) == 1
    return [t.numpy() for t in (states[0], text, image)]


def hf_state_dict(sd):
    """OpenAI's state_dict under the Hugging Face CLIPModel names (float32 numpy arrays, HF's order)."""
    out = OrderedDict()

    def put(name, t):
        out[name] = t.detach().float().contiguous().numpy()

    def layers(src, dst, n):
        for i in range(n):
            s, d = f"{src}.{i}", f"{dst}.{i}"
            for part, t in zip(("q", "k", "v"), sd[f"{s}.attn.in_proj_weight"].chunk(3, dim=0)):
                put(f"{d}.self_attn.{part}_proj.weight", t)
            for part, t in zip(("q", "k", "v"), sd[f"{s}.attn.in_proj_bias"].chunk(3, dim=0)):
                put(f"{d}.self_attn.{part}_proj.bias", t)
            for a, b in (("attn.out_proj", "self_attn.out_proj"), ("ln_1", "layer_norm1"), ("mlp.c_fc", "mlp.fc1"),
                         ("mlp.c_proj", "mlp.fc2"), ("ln_2", "layer_norm2")):
                put(f"{d}.{b}.weight", sd[f"{s}.{a}.weight"])
                put(f"{d}.{b}.bias", sd[f"{s}.{a}.bias"])

    put("text_model.embeddings.token_embedding.weight", sd["token_embedding.weight"])
    put("text_model.embeddings.position_embedding.weight", sd["positional_embedding"])
    layers("transformer.resblocks", "text_model.encoder.layers", TEXT["layers"])
    put("text_model.final_layer_norm.weight", sd["ln_final.weight"])
    put("text_model.final_layer_norm.bias", sd["ln_final.bias"])
    put("vision_model.embeddings.class_embedding", sd["visual.class_embedding"])
    put("vision_model.embeddings.patch_embedding.weight", sd["visual.conv1.weight"])
    put("vision_model.embeddings.position_embedding.weight", sd["visual.positional_embedding"])
    put("vision_model.pre_layrnorm.weight", sd["visual.ln_pre.weight"])
    put("vision_model.pre_layrnorm.bias", sd["visual.ln_pre.bias"])
    layers("visual.transformer.resblocks", "vision_model.encoder.layers", VISION["layers"])
    put("vision_model.post_layernorm.weight", sd["visual.ln_post.weight"])
    put("vision_model.post_layernorm.bias", sd["visual.ln_post.bias"])
    put("visual_projection.weight", sd["visual.proj"].t())
    put("text_projection.weight", sd["text_projection"].t())
    put("logit_scale", sd["logit_scale"])
    out["text_model.embeddings.position_ids"] = np.arange(TEXT["context"], dtype=np.int64)[None]
    out["vision_model.embeddings.position_ids"] = np.arange((VISION["resolution"] // VISION["patch"]) ** 2 + 1,
                                                            dtype=np.int64)[None]
    return out


def write_safetensors(path, arrays):
    names = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}
    header, data = OrderedDict(), b""
    header["__metadata__"] = {"format": "pt"}
    for name, a in arrays.items():
        raw = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": names[a.dtype], "shape": list(a.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb + data)


def hf_config():
    return OrderedDict(
        architectures=["CLIPModel"], model_type="clip", projection_dim=EMBED, logit_scale_init_value=2.6592,
        text_config=OrderedDict(
            model_type="clip_text_model", vocab_size=TEXT["vocab"], hidden_size=TEXT["width"],
            intermediate_size=4 * TEXT["width"], num_hidden_layers=TEXT["layers"],
            num_attention_heads=TEXT["heads"], max_position_embeddings=TEXT["context"], hidden_act="quick_gelu",
            layer_norm_eps=1e-5, projection_dim=EMBED, bos_token_id=0, eos_token_id=2, pad_token_id=1),
        vision_config=OrderedDict(
            model_type="clip_vision_model", hidden_size=VISION["width"], intermediate_size=4 * VISION["width"],
            num_hidden_layers=VISION["layers"], num_attention_heads=VISION["heads"], num_channels=3,
            image_size=VISION["resolution"], patch_size=VISION["patch"], hidden_act="quick_gelu",
            layer_norm_eps=1e-5, projection_dim=EMBED),
        torch_dtype="float32")


def write_openai_archive(path, model, ids, pixels):
    """The model as OpenAI publishes its weights: a traced TorchScript archive (torch.jit.save). The archive's debug
    records (source positions, which name this machine's paths) are left out and the zip is rewritten with fixed
    timestamps, so reruns give the same bytes; torch.jit.load reads it as it is."""
    with torch.no_grad():
        traced = torch.jit.trace(model, (pixels[:1], ids[:1]), check_trace=False)
    buf = io.BytesIO()
    torch.jit.save(traced, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            if info.filename.endswith(".debug_pkl"):
                continue
            name = "openai/" + info.filename.split("/", 1)[1]
            zi = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_STORED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    # clip.load(..., jit=False) rebuilds the model from the archive's state_dict: it must be the model's
    reloaded, original = torch.jit.load(path).state_dict(), model.state_dict()
    assert reloaded.keys() == original.keys() and all(torch.equal(reloaded[k], original[k]) for k in original)


def git_commit(repo):
    try:
        return subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clip-repo", required=True, help="a clone of github.com/openai/CLIP")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args(argv)
    sys.dont_write_bytecode = True
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    m = load_openai_model(args.clip_repo)
    model32 = build(m)
    gen = torch.Generator().manual_seed(args.seed)
    ids = token_ids(gen)
    pixels = torch.randn(IMAGES, 3, VISION["resolution"], VISION["resolution"], generator=gen)
    out32 = run(model32, ids, pixels)

    model64 = copy.deepcopy(model32).double()
    float32_forward = m.LayerNorm.forward
    m.LayerNorm.forward = nn.LayerNorm.forward          # computes in the input's dtype (see the module docstring)
    try:
        out64 = run(model64, ids, pixels.double())
    finally:
        m.LayerNorm.forward = float32_forward

    os.makedirs(args.out, exist_ok=True)
    write_safetensors(os.path.join(args.out, "model.safetensors"), hf_state_dict(model32.state_dict()))
    write_openai_archive(os.path.join(args.out, "openai.pt"), model32, ids, pixels)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(hf_config(), f, indent=2)
        f.write("\n")
    meta = dict(torch_version=torch.__version__, seed=args.seed, clip_commit=git_commit(args.clip_repo),
                sot=SOT, eot=EOT, words=WORDS, text=TEXT, vision=VISION, embed=EMBED)
    entries = [("meta", json_bytes(meta)), ("ids", ids.numpy()), ("pixels", pixels.numpy())]
    for suffix, outs in (("f64", out64), ("f32", out32)):
        entries += [(f"text_hidden_{suffix}", outs[0]), (f"text_embeds_{suffix}", outs[1]),
                    (f"image_embeds_{suffix}", outs[2])]
    write_npz(os.path.join(args.out, "reference.npz"), entries, compress=True)
    for name, a, b in zip(("text_hidden", "text_embeds", "image_embeds"), out32, out64):
        err = np.linalg.norm(a.astype(np.float64) - b) / np.linalg.norm(b)
        print(f"{name:13s} {str(b.shape):14s} float32 run against float64: {err:.2e}")
    for f in sorted(os.listdir(args.out)):
        print(f"{f}: {os.path.getsize(os.path.join(args.out, f))} bytes")


if __name__ == "__main__":
    main()
