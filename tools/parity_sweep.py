#!/usr/bin/env python3
"""Float64 and float32 parity with the official code over a sweep of configurations, one line per run.

    /usr/bin/python3 tools/parity_sweep.py --official-repo /path/to/TR-DETR [--seeds 1,2,3] [--only w4868] \
        [--jar target/trdetr.jar] [--keep DIR]

For every configuration and seed: tools/export_reference.py --dtype both writes a reference (the official code in
float64 and in float32 on the same float32-representable weights and inputs; the seed draws the initial weights, the
features and the lengths), then `trdetr verify` compares ours in float64 (every layer, output, loss term and gradient
to 1e-9 relative) and ours in float32 (each tensor's error against the float64 answer at most
max(10 x the official float32 error, 1e-5)). Lengths: uniform in 1..max per sample, one sample at the maximum and,
for batches of two or more, one below it (padding in every batch).

Prints a line per run and a last line "N passed, N failed"; exits 1 if any run failed. References are written to a
temporary directory and removed, except with --keep (the failing ones are always kept there when given).
The official repository is imported by path (see export_reference.py); nothing of it is copied here.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASED = ["--v-feat-dim", "2816", "--v-dir-dims", "2304,512", "--t-feat-dim", "512"]
AUDIO = ["--a-feat-dim", "2050"]  # PANN 2048 + its TEF: 2818 + 2050 = 4868 in-features
COEFS = ["--VTC-loss-coef", "0.3", "--CTC-loss-coef", "0.5"]

# name: (batch, max clips, max tokens, exporter options). Everything not named is the released configuration
# (2 T2V/encoder/decoder layers, 8 heads, dim_feedforward 1024, 10 queries, 2 input projection layers, aux loss).
CONFIGS = {
    "w514": (6, 75, 32, ["--v-feat-dim", "512", "--t-feat-dim", "512"]),
    "w2818-b32": (32, 75, 32, RELEASED),
    "w4868-audio-b8": (8, 40, 12, RELEASED + AUDIO),
    "w4868-audio-b32": (32, 75, 32, RELEASED + AUDIO),
    "w2818-b1": (1, 75, 32, RELEASED),
    "w514-short": (6, 3, 2, ["--v-feat-dim", "512", "--t-feat-dim", "512"]),
    "layers1-h4": (6, 20, 10, RELEASED + ["--enc-layers", "1", "--dec-layers", "1", "--nheads", "4"]),
    "layers3-q3": (6, 20, 10, RELEASED + ["--enc-layers", "3", "--dec-layers", "3", "--num-queries", "3"]),
    "layers4-proj1": (6, 20, 10, RELEASED + ["--enc-layers", "4", "--dec-layers", "4", "--n-input-proj", "1"]),
    "no-aux-audio": (6, 30, 16, ["--v-feat-dim", "512", "--t-feat-dim", "512", "--no-aux-loss"] + AUDIO),
}


def lengths(rng, batch, longest):
    ls = [rng.randint(1, longest) for _ in range(batch)]
    ls[rng.randrange(batch)] = longest
    if batch > 1 and longest > 1 and min(ls) == longest:
        ls[(ls.index(longest) + 1) % batch] = rng.randint(1, longest - 1)
    return ls


def parse_verify(text):
    """The numbers of `trdetr verify`'s summary lines."""
    def worst(label):
        m = re.search(r"^" + re.escape(label) + r":\s+\d+ compared, worst relative error (\S+)", text, re.M)
        return float(m.group(1)) if m else float("nan")
    f32 = re.search(r"^gradients/f32:.*worst ours (\S+), official float32 (\S+); closest to its bound at (\S+) of it",
                    text, re.M)
    ratios = [float(x) for x in re.findall(r"closest to its bound at (\S+) of it", text)]
    kinks = re.search(r"^kinks:\s+(\d+) float32 near-ties.* (\d+) took the other branch", text, re.M)
    mr2hd = re.search(r"^MR2HD:\s+(\d+) decisions, (\d+) as the reference, (\d+) near-ties", text, re.M)
    total = re.search(r"^(\d+) checked, (\d+) failed", text, re.M)
    return dict(act=worst("layers"), out=worst("outputs"), loss=worst("losses"), grad=worst("gradients"),
                g32=float(f32.group(1)) if f32 else float("nan"), g32off=float(f32.group(2)) if f32 else float("nan"),
                bound=max(ratios) if ratios else float("nan"),
                kinks=int(kinks.group(1)) if kinks else -1, mr2hd_ties=int(mr2hd.group(3)) if mr2hd else -1,
                checked=int(total.group(1)) if total else 0, failed=int(total.group(2)) if total else -1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--official-repo", required=True)
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--only", help="run the configurations whose name contains this")
    p.add_argument("--jar", default=os.path.join(ROOT, "target", "trdetr.jar"))
    p.add_argument("--java", default="java")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--keep", help="directory for the references (failing ones are kept there)")
    args = p.parse_args(argv)
    if not os.path.isfile(args.jar):
        sys.exit(f"error: {args.jar}: no such file (build it with mvn -q package -DskipTests)")
    seeds = [int(s) for s in args.seeds.split(",")]
    names = [n for n in CONFIGS if not args.only or args.only in n]
    if not names:
        sys.exit(f"error: no configuration matches --only {args.only}; they are: {', '.join(CONFIGS)}")
    work = args.keep or tempfile.mkdtemp(prefix="trdetr_sweep_")
    os.makedirs(work, exist_ok=True)
    passed = failed = 0
    print(f"{'configuration':<18} {'seed':>4} {'B':>3} {'Lv':>3} {'Lt':>3}  {'f64 act':>8} {'f64 out':>8} {'f64 loss':>8} "
          f"{'f64 grad':>8}  {'f32 grad':>8} {'official':>8} {'bound':>5} {'kinks':>5} {'ties':>4}  result")
    try:
        for name in names:
            batch, max_v, max_t, options = CONFIGS[name]
            for seed in seeds:
                rng = random.Random(f"{name}/{seed}")
                v_lens, t_lens = lengths(rng, batch, max_v), lengths(rng, batch, max_t)
                out = os.path.join(work, f"{name}_s{seed}.npz")
                cmd = [args.python, os.path.join(ROOT, "tools", "export_reference.py"), "--official-repo",
                       args.official_repo, "--dtype", "both", "--seed", str(seed), "--batch", str(batch),
                       "--v-lens", ",".join(map(str, v_lens)), "--t-lens", ",".join(map(str, t_lens)),
                       "--out", out] + COEFS + options
                started = time.time()
                exp = subprocess.run(cmd, capture_output=True, text=True)
                if exp.returncode != 0:
                    failed += 1
                    last = (exp.stderr.strip().splitlines() or ["(no output)"])[-1]
                    print(f"{name:<18} {seed:>4} {batch:>3} {max(v_lens):>3} {max(t_lens):>3}  export failed: {last}")
                    continue
                ver = subprocess.run([args.java, "-jar", args.jar, "verify", "--reference", out],
                                     capture_output=True, text=True)
                r = parse_verify(ver.stdout)
                ok = ver.returncode == 0 and r["failed"] == 0 and r["checked"] > 0
                passed += ok
                failed += not ok
                print(f"{name:<18} {seed:>4} {batch:>3} {max(v_lens):>3} {max(t_lens):>3}  {r['act']:8.1e} {r['out']:8.1e} "
                      f"{r['loss']:8.1e} {r['grad']:8.1e}  {r['g32']:8.1e} {r['g32off']:8.1e} {r['bound']:5.2f} "
                      f"{r['kinks']:>5} {r['mr2hd_ties']:>4}  {'ok' if ok else 'FAIL'} ({time.time() - started:.0f} s)",
                      flush=True)
                if not ok:
                    for line in ver.stdout.splitlines():
                        if line.startswith("FAIL"):
                            print("    " + line)
                    if ver.returncode != 0 and r["checked"] == 0:
                        print("    " + (ver.stderr.strip().splitlines() or ["(no output)"])[-1])
                elif not args.keep:
                    os.remove(out)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
