#!/usr/bin/env bash
# The CPU training-step race, honestly: `trdetr bench step` against the official PyTorch code (tools/bench_pytorch.py)
# on the same shapes, each side in every thread configuration this machine offers, interleaved in one run; then
# every configuration, best against best and thread for thread. Rewrites BENCHMARKS.md's race section, followed by
# the results measured elsewhere that bench/results/*.md record (the GPU runs of tools/gpu_checks.sh).
#
#   tools/bench_compare.sh --official-repo PATH [--max-threads N] [--steps 6] [--rounds 2] [--no-write]
#
# PyTorch: OPENBLAS_NUM_THREADS x torch.set_num_threads, each 1..N (Debian's torch runs a pthreads OpenBLAS with its
# own pool, so the two multiply: two of each is usually its worst configuration, one intra-op thread over a
# two-thread BLAS its best). Ours: --threads 1..N. N defaults to the number of cores. Every configuration runs once
# per round, the rounds in rotated order, so slow drifts of this shared machine spread over all of them; a
# configuration's figure is the median over rounds of its runs' medians.
#
# Needs target/trdetr.jar (mvn -q package -DskipTests) and /usr/bin/python3 with torch (Debian python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="" max_threads=$(nproc) steps=6 rounds=2 write=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --official-repo) repo=$2; shift 2 ;;
    --max-threads) max_threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --no-write) write=0; shift ;;
    *) echo "bench_compare: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$repo" ]] || { echo "bench_compare: --official-repo PATH is required" >&2; exit 2; }
[[ -d "$repo/tr_detr" ]] || { echo "bench_compare: $repo has no tr_detr/: not a TR-DETR clone" >&2; exit 2; }
[[ -f target/trdetr.jar ]] || mvn -q -B package -DskipTests
exec /usr/bin/python3 - "$repo" "$max_threads" "$steps" "$rounds" "$write" <<'PY'
import datetime, glob, json, os, statistics, subprocess, sys

repo, max_threads, steps, rounds, write = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
threads = range(1, max_threads + 1)
configs = [("trdetr-java", t, None) for t in threads] + [("PyTorch", t, b) for b in threads for t in threads]


def label(c):
    impl, t, blas = c
    return f"trdetr-java --threads {t}" if blas is None else f"PyTorch OPENBLAS_NUM_THREADS={blas}, torch threads {t}"


def run(c):
    impl, t, blas = c
    if blas is None:
        cmd = ["java", "-jar", "target/trdetr.jar", "bench", "step", "--device", "cpu", "--threads", str(t),
               "--steps", str(steps), "--forwards", str(steps)]
        env = dict(os.environ)
    else:
        cmd = ["/usr/bin/python3", "tools/bench_pytorch.py", "--official-repo", repo, "--threads", str(t),
               "--steps", str(steps), "--forwards", str(steps)]
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(blas))
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"bench_compare: {' '.join(cmd)} failed: {(p.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


load_before = open("/proc/loadavg").read().split()[:3]
results = {c: [] for c in configs}
for r in range(rounds):
    order = configs[r % len(configs):] + configs[:r % len(configs)]
    for c in order:
        res = run(c)
        results[c].append(res)
        print(f"round {r + 1}/{rounds}  {label(c):<48} step {res['median_step_s']:.3f} s  forward "
              f"{res['median_forward_s']:.3f} s  peak RSS {res['peak_rss_mb']:.0f} MiB", flush=True)
load_after = open("/proc/loadavg").read().split()[:3]


def summary(c):
    rs = results[c]
    return dict(step=statistics.median(x["median_step_s"] for x in rs),
                forward=statistics.median(x["median_forward_s"] for x in rs),
                rss=max(x["peak_rss_mb"] for x in rs), first=rs[0])


s = {c: summary(c) for c in configs}
ours = [c for c in configs if c[2] is None]
theirs = [c for c in configs if c[2] is not None]
rows = ["| configuration | training step, median s | forward, median s | peak RSS, MiB |", "|---|---|---|---|"]
for c in configs:
    rows.append(f"| {label(c)} | {s[c]['step']:.3f} | {s[c]['forward']:.3f} | {s[c]['rss']:.0f} |")


def best(cs, key):
    return min(cs, key=lambda c: s[c][key])


def line(name, a, b, key, unit_fmt="{:.3f}"):
    return (f"| {name} | {unit_fmt.format(s[a][key])} ({label(a)}) | {unit_fmt.format(s[b][key])} ({label(b)}) | "
            f"{s[a][key] / s[b][key]:.2f}x |")


one_ours = next(c for c in ours if c[1] == 1)
one_theirs = next(c for c in theirs if c[1] == 1 and c[2] == 1)
bs_ours, bs_theirs = best(ours, "step"), best(theirs, "step")
cmp = ["| comparison | trdetr-java | official PyTorch | ratio (java / torch) |", "|---|---|---|---|",
       line("best against best: training step", bs_ours, bs_theirs, "step"),
       line("best against best: forward", best(ours, "forward"), best(theirs, "forward"), "forward"),
       line("thread for thread (1 and 1): training step", one_ours, one_theirs, "step"),
       line("thread for thread (1 and 1): forward", one_ours, one_theirs, "forward"),
       line("peak RSS of the best-step configurations, MiB", bs_ours, bs_theirs, "rss", "{:.0f}")]
table, comparison = "\n".join(rows), "\n".join(cmp)
print(table + "\n\n" + comparison)
if not write:
    sys.exit(0)
java, torch = s[ours[0]]["first"], s[theirs[0]]["first"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
coretype = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
doc = f"""# Benchmarks

Generated by `tools/bench_compare.sh --official-repo PATH --max-threads {max_threads} --steps {steps} --rounds {rounds}`
on {datetime.date.today()} (rerun it to refresh this section).

The race: one full training step (forward, the official total loss with CTC and VTC, backward, gradient clipping at
0.1, AdamW) and one forward pass (eval mode, no autograd) of the released TR-DETR configuration, on a random batch
of the official shapes (B = {java['bsz']}, Lv = 75, Lt = 32, video 2818 = 2816 + TEF, text 512, random valid lengths
with padding), after warm-up; {steps} timed repetitions per run. trdetr-java: `java -jar target/trdetr.jar bench step
--device cpu --threads T`; official: `OPENBLAS_NUM_THREADS=B tools/bench_pytorch.py --threads T`
(torch.set_num_threads). Every configuration of both sides ran once per round, {rounds} rounds in rotated order; each
figure is the median over rounds of a run's median, but peak RSS, the largest over rounds. A user tunes the threads
once and keeps the best, so the comparison that counts is best against best; thread for thread is both at one thread
(and one BLAS thread). Peak RSS is what running the command holds at its peak: for trdetr-java, the worker JVM's peak
plus the private memory of the `java -jar` launcher that started it and waits for it (its anonymous resident pages,
about 24 MiB; its file-backed pages are the JVM's own files, which the worker maps too; races before the evening of
2026-12-07 counted the worker alone); for PyTorch, its one process.

{comparison}

Every configuration:

{table}

Machine: {cpu}, {os.cpu_count()} cores; load average before {' '.join(load_before)}, after {' '.join(load_after)}.
Versions: Java {java['java']}; torch {torch['torch']} with {torch['blas']}{', ' + ', '.join(f'{k}={v}' for k, v in coretype.items()) + ' (as this machine sets them)' if coretype else ''}; official commit {torch.get('official_commit')}.
Ratios below 1 mean trdetr-java is faster. Numbers from different runs are not comparable: this machine is shared
and noisy, and more --rounds steady the figures. Races before 2026-12-04's last one ran trdetr-java under G1, whose
concurrent cycles made its steps vary by 2-3x (see "the garbage collector" below).
"""
for extra in sorted(glob.glob("bench/results/*.md")):           # results from other machines (the GPU runs), kept
    doc += "\n" + open(extra).read()
open("BENCHMARKS.md", "w").write(doc)
print("wrote BENCHMARKS.md")
PY
