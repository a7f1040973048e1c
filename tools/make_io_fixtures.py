#!/usr/bin/env python3
"""Writes the binary fixtures of the trdetr.io tests into src/test/resources/io/ (run once; the files are committed).

Needs numpy and torch (written with torch 1.13 / numpy 1.24). Every file gets its expected contents in
expected.json, which the Java tests compare element by element:
  tensors/arrays  {"__tensor__": {"dtype": "float16", "shape": [..], "data": [..]}}  (data flattened in C order)
  dicts           {"__dict__": [[key, value], ...]}    tuples {"__tuple__": [...]}    lists [...]
  Namespace       {"__namespace__": {"attr": value}}   torch.device {"__device__": "cuda:0"}
Floats are written with repr (exact), so float16/bfloat16/float32 values compare exactly.

    /usr/bin/python3 tools/make_io_fixtures.py
"""
import argparse
import io
import json
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "io")
EXPECTED = {"npy": {}, "npz": {}, "safetensors": {}, "torch": {}}

NP_NAMES = {"float16": "float16", "float32": "float32", "float64": "float64", "int8": "int8", "uint8": "uint8",
            "int16": "int16", "int32": "int32", "int64": "int64", "bool": "bool"}


def arr(a):
    a = np.asarray(a)
    name = NP_NAMES[a.dtype.newbyteorder("=").name]
    flat = a.reshape(-1).tolist() if a.ndim else [a.item()]
    return {"__tensor__": {"dtype": name, "shape": list(a.shape), "data": [x for x in flat]}}


def enc(v):
    if isinstance(v, torch.Tensor):
        t = v.detach()
        name = str(t.dtype).replace("torch.", "")
        flat = t.reshape(-1).tolist() if t.dim() else [t.item()]
        return {"__tensor__": {"dtype": name, "shape": list(t.shape), "data": flat}}
    if isinstance(v, argparse.Namespace):
        return {"__namespace__": {k: enc(x) for k, x in vars(v).items()}}
    if isinstance(v, torch.device):
        return {"__device__": str(v)}
    if isinstance(v, dict):
        return {"__dict__": [[enc(k), enc(x)] for k, x in v.items()]}
    if isinstance(v, tuple):
        return {"__tuple__": [enc(x) for x in v]}
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def path(name):
    return os.path.join(OUT, name)


# ---------------------------------------------------------------- .npy
def npy_fixtures():
    cases = {
        "f16.npy": np.array([[0.0, -0.0, 1.0], [-2.5, 65504.0, 2.0 ** -24], [0.1, np.inf, -np.inf]], dtype=np.float16),
        "f32.npy": np.array([[1.5, -2.25, 3.0e-38], [1e30, -0.0, 0.1]], dtype=np.float32),
        "f64.npy": np.array([[np.pi, -1e-300], [1e300, 0.1]], dtype=np.float64),
        "i8.npy": np.array([-128, -1, 0, 127], dtype=np.int8),
        "u8.npy": np.array([[0, 1], [128, 255]], dtype=np.uint8),
        "i16.npy": np.array([-32768, 12345, 32767], dtype=np.int16),
        "i32.npy": np.array([[-2 ** 31, 0], [7, 2 ** 31 - 1]], dtype=np.int32),
        "i64.npy": np.array([-2 ** 63, 2 ** 40, 2 ** 63 - 1], dtype=np.int64),
        "bool.npy": np.array([[True, False, True], [False, False, True]]),
        "f32_be.npy": np.array([[1.5, -2.0], [3.25, 1e-3]], dtype=">f4"),
        "i64_be.npy": np.array([1, -2, 2 ** 50], dtype=">i8"),
        "f64_be.npy": np.array([0.1, -7.5], dtype=">f8"),
        "scalar0d.npy": np.array(3.5),
        "empty.npy": np.zeros((0, 3), dtype=np.float32),
        "text.npy": np.frombuffer("héllo wörld".encode("utf-8"), dtype=np.uint8),
    }
    for name, a in cases.items():
        np.save(path(name), a)
        EXPECTED["npy"][name] = arr(a)
    for version in [(2, 0), (3, 0)]:
        name = "v%d.npy" % version[0]
        a = np.arange(6, dtype=np.int32).reshape(2, 3)
        with open(path(name), "wb") as f:
            np.lib.format.write_array(f, a, version=version)
        EXPECTED["npy"][name] = arr(a)
    # must be rejected
    np.save(path("fortran.npy"), np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    np.save(path("object.npy"), np.array([1, "a"], dtype=object), allow_pickle=True)


# ---------------------------------------------------------------- .npz
def npz_fixtures():
    arrays = OrderedDict()
    arrays["w.weight"] = np.arange(12, dtype=np.float32).reshape(3, 4) / 8
    arrays["idx"] = np.array([3, 1, 2], dtype=np.int64)
    arrays["mask"] = np.array([True, False])
    arrays["meta.config"] = np.frombuffer(json.dumps({"hidden_dim": 256, "name": "trdetr"}).encode(), dtype=np.uint8)
    arrays["half"] = np.array([0.5, -1.0, 1000.0], dtype=np.float16)
    arrays["scalar"] = np.array(2.5)
    np.savez(path("stored.npz"), **arrays)
    np.savez_compressed(path("deflated.npz"), **arrays)
    for name in ["stored.npz", "deflated.npz"]:
        with zipfile.ZipFile(path(name)) as z:
            methods = {i.compress_type for i in z.infolist()}
        assert methods == ({zipfile.ZIP_STORED} if name == "stored.npz" else {zipfile.ZIP_DEFLATED}), methods
        EXPECTED["npz"][name] = {"__dict__": [[k, arr(v)] for k, v in arrays.items()]}


# ---------------------------------------------------------------- .safetensors (bytes written by hand)
def safetensors_fixtures():
    f32 = np.array([[1.0, -2.5, 0.1], [3.0, 1e-8, -0.0]], dtype=np.float32)
    bf16_values = np.array([1.5, -3.0, 0.1, 1e20], dtype=np.float32)
    bf16_bits = (bf16_values.view(np.uint32) >> 16).astype(np.uint16)  # truncation: exact bf16 numbers
    bf16_exact = (bf16_bits.astype(np.uint32) << 16).view(np.float32)
    tensors = OrderedDict()
    tensors["embed.weight"] = ("F32", f32.shape, f32.tobytes(), arr(f32))
    tensors["half"] = ("F16", (2, 2), np.array([[0.5, -1.0], [65504, 2 ** -14]], np.float16).tobytes(),
                       arr(np.array([[0.5, -1.0], [65504, 2 ** -14]], np.float16)))
    e = arr(bf16_exact.astype(np.float32))
    e["__tensor__"]["dtype"] = "bfloat16"
    tensors["bf"] = ("BF16", (4,), bf16_bits.astype("<u2").tobytes(), e)
    tensors["double"] = ("F64", (2,), np.array([np.e, -1e-200]).tobytes(), arr(np.array([np.e, -1e-200])))
    tensors["ids"] = ("I64", (3,), np.array([5, -6, 2 ** 60], np.int64).tobytes(), arr(np.array([5, -6, 2 ** 60], np.int64)))
    tensors["i32"] = ("I32", (2,), np.array([-7, 9], np.int32).tobytes(), arr(np.array([-7, 9], np.int32)))
    tensors["i16"] = ("I16", (1,), np.array([-300], np.int16).tobytes(), arr(np.array([-300], np.int16)))
    tensors["i8"] = ("I8", (2,), np.array([-5, 5], np.int8).tobytes(), arr(np.array([-5, 5], np.int8)))
    tensors["u8"] = ("U8", (2,), np.array([200, 1], np.uint8).tobytes(), arr(np.array([200, 1], np.uint8)))
    tensors["flags"] = ("BOOL", (3,), np.array([True, False, True]).tobytes(), arr(np.array([True, False, True])))
    tensors["scalar"] = ("F32", (), np.array(4.0, np.float32).tobytes(), arr(np.array(4.0, np.float32)))
    tensors["empty"] = ("F32", (0, 2), b"", arr(np.zeros((0, 2), np.float32)))
    header = OrderedDict()
    header["__metadata__"] = {"format": "pt", "source": "make_io_fixtures.py"}
    data = b""
    for name, (dtype, shape, raw, _) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path("tensors.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb + data)
    EXPECTED["safetensors"]["tensors.safetensors"] = {
        "metadata": header["__metadata__"],
        "tensors": {"__dict__": [[k, v[3]] for k, v in tensors.items()]},
    }


# ---------------------------------------------------------------- torch.save
def state_dict():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3.0
    d64 = torch.linspace(-1, 1, 10, dtype=torch.float64)
    ints = torch.tensor([[1, -2, 3], [2 ** 40, -2 ** 62, 0]])
    flags = torch.tensor([True, False, True, True, False])
    sd = OrderedDict()
    sd["enc.weight"] = base                      # the whole storage
    sd["enc.weight_t"] = base.t()                # transposed view of the same storage
    sd["enc.block"] = base[1:3, 2:5]             # offset and strided view of it
    sd["enc.row"] = base[2]                      # offset, contiguous
    sd["f64"] = d64[1::3]                        # offset, stride 3
    sd["i64"] = ints.t()                         # transposed int64
    sd["bool"] = flags[1:]                       # offset bool
    sd["f16"] = torch.tensor([0.5, -1.25, 65504, 2 ** -24, 0.1], dtype=torch.float16)
    sd["f16_view"] = sd["f16"][::2]
    sd["bf16"] = torch.tensor([1.5, -3.0, 0.1], dtype=torch.bfloat16)
    sd["i32"] = torch.tensor([1, -2, 3], dtype=torch.int32)
    sd["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["scalar"] = torch.tensor(7.25)
    sd["empty"] = torch.zeros(0, 3)
    sd["param"] = torch.nn.Parameter(torch.tensor([[1.0, 2.0]]))
    assert sd["enc.weight_t"].storage().data_ptr() == base.storage().data_ptr()
    return sd


def official_checkpoint():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=400, gamma=0.1)
    model(torch.ones(4, 3)).pow(2).sum().backward()
    optimizer.step()
    scheduler.step()
    opt = argparse.Namespace(
        dset_name="hl", eval_split_name="val", v_feat_dim=2816, t_feat_dim=512, ctx_mode="video_tef", lr=1e-4,
        lr_drop=400, wd=1e-4, n_epoch=200, max_v_l=75, max_q_l=32, bsz=32, seed=2018, dropout=0.1,
        use_txt_pos=False, no_norm_vfeat=False, resume=None, span_loss_type="l1",
        v_feat_dirs=["features/slowfast_features", "features/clip_features"], results_dir="results/hl",
        num_workers=4, device=torch.device("cuda", 0), np_float=np.float64(0.25), np_int=np.int64(7),
        np_f32=np.float32(1.5), np_bool=np.bool_(True), betas=(0.9, 0.999))
    return {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "lr_scheduler": scheduler.state_dict(), "epoch": 3, "opt": opt}


def torch_fixtures():
    sd = state_dict()
    ck = official_checkpoint()
    for name, obj in [("sd_zip.pt", sd), ("ckpt_zip.pth", ck)]:
        torch.save(obj, path(name))
        EXPECTED["torch"][name] = enc(obj)
    for name, obj in [("sd_legacy.pt", sd), ("ckpt_legacy.pth", ck)]:
        torch.save(obj, path(name), _use_new_zipfile_serialization=False)
        EXPECTED["torch"][name] = enc(obj)
    buf = io.BytesIO()  # saved to a buffer, the top folder is "archive/"
    torch.save(sd, buf)
    with open(path("sd_archive.pt"), "wb") as f:
        f.write(buf.getvalue())
    with zipfile.ZipFile(path("sd_archive.pt")) as z:
        assert z.namelist()[0].startswith("archive/"), z.namelist()
    EXPECTED["torch"]["sd_archive.pt"] = enc(sd)
    for name in EXPECTED["torch"]:  # what torch itself reads back must be what we expect
        assert json.dumps(enc(torch.load(path(name)))) == json.dumps(EXPECTED["torch"][name]), name

    # Malicious pickles: a global outside the allow-list (os.system). Never loaded here.
    evil = b"\x80\x02cos\nsystem\nq\x00X\x1e\x00\x00\x00touch /tmp/trdetr-io-pwned-zip\x85R."
    assert len("touch /tmp/trdetr-io-pwned-zip") == 0x1e
    with zipfile.ZipFile(path("evil_zip.pt"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", evil)
        z.writestr("archive/version", "3\n")
    legacy_evil = b"\x80\x02cos\nsystem\nq\x00X\x21\x00\x00\x00touch /tmp/trdetr-io-pwned-legacy\x85R."
    assert len("touch /tmp/trdetr-io-pwned-legacy") == 0x21
    with open(path("evil_legacy.pt"), "wb") as f:
        p = 2
        pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=p)
        pickle.dump(1001, f, protocol=p)
        pickle.dump(dict(protocol_version=1001, little_endian=True, type_sizes=dict(short=2, int=4, long=4)), f, protocol=p)
        f.write(legacy_evil)
        pickle.dump([], f, protocol=p)


def main():
    os.makedirs(OUT, exist_ok=True)
    npy_fixtures()
    npz_fixtures()
    safetensors_fixtures()
    torch_fixtures()
    with open(path("expected.json"), "w") as f:
        json.dump(EXPECTED, f, separators=(",", ":"))
        f.write("\n")
    total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
    print("wrote %d files, %d bytes, to %s" % (len(os.listdir(OUT)), total, os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
