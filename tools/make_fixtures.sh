#!/usr/bin/env bash
# Regenerate the reference fixtures of src/test/reference/ from a clone of the official TR-DETR repository.
#
#   tools/make_fixtures.sh /path/to/TR-DETR [all|committed|parity|float32]      (default: all)
#
# Clone (the mirror's snapshot lacks two blobs, so check out everything but them):
#   git clone --no-checkout <url-or-mirror> /tmp/trdetr-official && cd /tmp/trdetr-official &&
#   git restore --source=HEAD -- ':(exclude)checkpoint/*/model_best.ckpt' ':(exclude)data/subs_train.jsonl' .
# Needs PyTorch 1.13, numpy, scipy, torchvision at $PYTHON (default /usr/bin/python3).
# "committed" writes every committed file: the float64 parity fixtures ("parity") and the float32 ones with the
# official checkpoint ("float32"); "all" also writes reference_released_arch.npz, too big to commit (see
# src/test/reference/.gitignore). Every run on one machine gives the same files, byte for byte.
set -euo pipefail

WHICH=${2:-all}
if [[ $# -lt 1 || ! $WHICH =~ ^(all|committed|parity|float32)$ ]]; then
  echo "usage: $0 /path/to/TR-DETR [all|committed|parity|float32]" >&2
  exit 2
fi
REPO=$1
PYTHON=${PYTHON:-/usr/bin/python3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/src/test/reference
EXPORT=("$PYTHON" "$ROOT/tools/export_reference.py" --official-repo "$REPO")
mkdir -p "$OUT"

# The float64 parity fixtures (committed, 0.9 to 2.6 MB each): the official code in float64 and in float32 on the
#    same weights and inputs (--dtype both). Small because the weights are named, not carried
#    (--hash-weights: trdetr regenerates them from a counter hash) and only 256 entries of each output, activation and
#    gradient are kept (--sample 256, with the exact gradient norms). They run in CI with verify's float64 bound.
if [[ $WHICH != float32 ]]; then
  COMPACT=(--dtype both --sample 256 --compress)
  # the audio configuration's real widths: SlowFast 2304 | CLIP 512 | TEF 2 + PANN 2048 + TEF 2 = 4868 in-features
  "${EXPORT[@]}" "${COMPACT[@]}" --hash-weights 14 --out "$OUT/parity_w4868_audio.npz" \
    --seed 14 --v-feat-dim 2816 --v-dir-dims 2304,512 --a-feat-dim 2050 --t-feat-dim 512 \
    --v-lens 12,5,9,1 --t-lens 4,12,1,7 --VTC-loss-coef 0.3 --CTC-loss-coef 0.5
  # one decoder layer (no aux outputs), one input projection layer, 4 heads, 3 queries, truncation by max_v_l/max_q_l
  "${EXPORT[@]}" "${COMPACT[@]}" --hash-weights 15 --out "$OUT/parity_dec1_h4_q3.npz" \
    --seed 15 --enc-layers 1 --dec-layers 1 --n-input-proj 1 --nheads 4 --num-queries 3 --dim-feedforward 64 \
    --max-v-l 8 --max-q-l 6 --v-feat-dim 512 --t-feat-dim 512 --v-lens 11,1,5,8,3 --t-lens 3,9,1,6,2
  # three layers each, no aux loss
  "${EXPORT[@]}" "${COMPACT[@]}" --hash-weights 16 --out "$OUT/parity_layers3_noaux.npz" \
    --seed 16 --enc-layers 3 --dec-layers 3 --no-aux-loss --dim-feedforward 128 --v-feat-dim 48 --v-dir-dims 32,16 \
    --t-feat-dim 32 --v-lens 20,14,3,20 --t-lens 9,2,16,5 --VTC-loss-coef 0.3 --CTC-loss-coef 0.5
  # a batch of one (no padding), four layers each
  "${EXPORT[@]}" "${COMPACT[@]}" --hash-weights 17 --out "$OUT/parity_b1_layers4.npz" \
    --seed 17 --enc-layers 4 --dec-layers 4 --dim-feedforward 96 --v-feat-dim 64 --t-feat-dim 32 \
    --v-lens 30 --t-lens 11
fi

# The float32 fixtures (committed, 2.3 to 3.2 MB each): the official code as trained, in float32, with hashed weights
# (not carried) and 256 entries of each gradient (--sample-kinds grad: every output and activation whole).
COMPACT32=(--sample 256 --sample-kinds grad --compress)
if [[ $WHICH != parity ]]; then
  # 1. reference_small: one T2V/encoder layer, two decoder layers (aux loss), dim_feedforward 100, raw video 32+16
  #    (two feature dirs, +2 TEF = 50), text 32, B = 3 with padding in video and text, released loss coefficients
  #    (VTC 0.3, CTC 0.5). Also saved as an official train.py checkpoint, which must carry the weights: hashed
  #    weights rounded to 4 bits (17 values per tensor) compress to a fifth in git. Hash seed 2054, the first from
  #    2020 on with which MR2HD slices a negative start (empty Python slice) for one sample and an end beyond Lv for
  #    another, the aux matching differs from the main one, and no floor() in MR2HD is within 0.05 of an integer.
  "${EXPORT[@]}" "${COMPACT32[@]}" --hash-weights 2054 --hash-bits 4 \
    --out "$OUT/reference_small.npz" --save-ckpt "$OUT/reference_small.ckpt" --exp-id reference_small \
    --seed 2020 --enc-layers 1 --dec-layers 2 --dim-feedforward 100 \
    --v-feat-dim 48 --v-dir-dims 32,16 --t-feat-dim 32 --v-lens 10,4,7 --t-lens 5,2,8 \
    --VTC-loss-coef 0.3 --CTC-loss-coef 0.5

  # 2. reference_audio: audio input (a_feat_dim 18 = 16 raw + 2 TEF, concatenated to the 50 video columns -> 68
  #    in-features), train_audio.sh coefficients (VTC 0.3, CTC 0.3), B = 2.
  "${EXPORT[@]}" "${COMPACT32[@]}" --hash-weights 3 --out "$OUT/reference_audio.npz" \
    --seed 3 --enc-layers 1 --dec-layers 2 --dim-feedforward 128 \
    --v-feat-dim 48 --t-feat-dim 24 --a-feat-dim 18 --v-lens 6,9 --t-lens 7,3 \
    --VTC-loss-coef 0.3 --CTC-loss-coef 0.3

  # 3. reference_dec1: 2 encoder layers, ONE decoder layer (no aux outputs/losses), n_input_proj 1 (no ReLU),
  #    4 heads, 5 queries, dim_feedforward 64; max_v_l 8 / max_q_l 6 truncate the longest sample; a 1-clip video and
  #    a 1-token text; B = 5; config-default coefficients (VTC 1, CTC 1).
  "${EXPORT[@]}" "${COMPACT32[@]}" --hash-weights 5 --out "$OUT/reference_dec1.npz" \
    --seed 5 --enc-layers 2 --dec-layers 1 --dim-feedforward 64 --n-input-proj 1 --nheads 4 --num-queries 5 \
    --max-v-l 8 --max-q-l 6 --v-feat-dim 40 --t-feat-dim 16 --v-lens 11,1,5,8,3 --t-lens 3,9,1,6,2
fi
[[ $WHICH != all ]] && exit 0

# 4. reference_released_arch (not committed, ~70 MB): the released architecture exactly (2+2 layers,
#    dim_feedforward 1024, SlowFast 2304 | CLIP 512 | TEF 2 = 2818 in-features, CLIP text 512), seed 2017,
#    B = 4 with two full-length samples; exact (unrounded) official initialisation, every entry kept.
"${EXPORT[@]}" --out "$OUT/reference_released_arch.npz" \
  --seed 2017 --v-feat-dim 2816 --v-dir-dims 2304,512 --t-feat-dim 512 \
  --v-lens 12,3,8,12 --t-lens 4,9,2,9 --VTC-loss-coef 0.3 --CTC-loss-coef 0.5 --compress
