#!/usr/bin/env bash
# Fake targets at test time on trained nets, their scale k scanned: can rarer fake targets
# let the states settle sooner than none (Table 2's "fewer steps with fake targets")?
# Test only, learning off, on the first N test images (default 2,000), seed 1, one thread:
# each net is tested with fake targets off, then on at k = 5, 50 (the paper's), 500, 5,000
# and 50,000. Writes plots/fake_k_scan/<net>_<k>.json and prints one line per run: 0.5-3.5
# min a run for 2,000 images (one layer / two layers).
#
# Nets (checkpoints are not in git):
# - one_layer, two_layers: the 96.52% and 95.39% nets of scripts/mnist-results.sh, trained
#   without fake targets; their committed results files predate the fix of the step count
#   (README, top of Results), so their "inference steps" are the first-tick count.
# - one_layer_1ep, two_layers_1ep: one epoch of the 96.30% one-layer config and of the 90k
#   two-layer config (no fake targets), trained here when missing (about 8 and 50 min on one
#   thread); the README's "Fewer steps with fake targets (Table 2), re-measured".
# - fake_trained_10k, no_fake_trained_10k: the default config (fake targets on, 80 + 160
#   ticks) and the same without fake targets, 10,000 training samples each (about 5 min
#   each): the paper's setting of Table 2, a net trained with fake targets.
# - two_layers_fake_trained_10k, two_layers_no_fake_trained_10k: the same pair with two
#   hidden layers (the configs of the 82.33% / 86.90% rows: alpha 0.005 on a 20k half-life,
#   no lateral connections), 10,000 training samples each (about 12 min each).
# - fake_trained_60k, no_fake_trained_60k: the one-layer pair over a full epoch (the 86.25%
#   and 80.17% rows: constant alpha; about 30 min each).
# Arguments: [N [NAME ...]]; without names, all ten (nets whose checkpoint is missing and
# has no recipe here are skipped). Needs ASTDP_MNIST_DIR (or data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
cargo build --release --example mnist
bin=${CARGO_TARGET_DIR:-target}/release/examples
mkdir -p plots/fake_k_scan runs
train=("$bin/mnist" --mode supervised --epochs 1 --seed 1 --threads 1)
# name -> checkpoint, and the training command that makes it (empty: made elsewhere)
checkpoint() {
  case $1 in
    one_layer) echo runs/astdp_betas_fast_10ep.ckpt ;;
    two_layers) echo runs/deep2_mean_60k_7ep.ckpt ;;
    one_layer_1ep) echo runs/astdp_betas_fast_1ep.ckpt ;;
    two_layers_1ep) echo runs/deep2_decay_90k_1ep_seed1.ckpt ;;
    fake_trained_10k) echo runs/infer_fake_10k.ckpt ;;
    no_fake_trained_10k) echo runs/infer_no_fake_10k.ckpt ;;
    two_layers_fake_trained_10k) echo runs/deep2_fake_10k.ckpt ;;
    two_layers_no_fake_trained_10k) echo runs/deep2_no_fake_10k.ckpt ;;
    fake_trained_60k) echo runs/supervised_60k.ckpt ;;
    no_fake_trained_60k) echo runs/no_fake_60k.ckpt ;;
    *) echo "unknown net $1" >&2; exit 2 ;;
  esac
}
make_net() {
  local ckpt cmd
  ckpt=$(checkpoint "$1")
  case $1 in
    one_layer_1ep) cmd=("${train[@]}" --config configs/astdp_betas_0.4_0.25_fast_pair_32_1.json) ;;
    two_layers_1ep) cmd=("${train[@]}" --hidden 512,512
                         --config configs/deep_no_fake_alpha_0.005_decay_90k_mean_pre_pair_16_2_1.json) ;;
    fake_trained_10k) cmd=("${train[@]}" --train-samples 10000) ;;
    no_fake_trained_10k) cmd=("${train[@]}" --train-samples 10000 --config configs/astdp_no_fake.json) ;;
    two_layers_fake_trained_10k) cmd=("${train[@]}" --train-samples 10000 --test-samples 2000 --hidden 512,512
                                      --config configs/deep_alpha_0.005_decay_20k.json) ;;
    two_layers_no_fake_trained_10k) cmd=("${train[@]}" --train-samples 10000 --test-samples 2000 --hidden 512,512
                                         --config configs/deep_no_fake_alpha_0.005_decay_20k.json) ;;
    fake_trained_60k) cmd=("${train[@]}") ;;
    no_fake_trained_60k) cmd=("${train[@]}" --config configs/astdp_no_fake.json) ;;
    *) return 1 ;;
  esac
  echo "training $1: ${cmd[*]} --save $ckpt"
  "${cmd[@]}" --save "$ckpt" --out "plots/fake_k_scan/$1_training.json" 2> "runs/fake_k_scan_$1_training.log" > /dev/null
  grep "^result" "runs/fake_k_scan_$1_training.log" | sed "s/^result/$1, trained/"
}
names=("${@:2}")
[ ${#names[@]} -gt 0 ] || names=(one_layer two_layers one_layer_1ep two_layers_1ep fake_trained_10k no_fake_trained_10k
  two_layers_fake_trained_10k two_layers_no_fake_trained_10k fake_trained_60k no_fake_trained_60k)
for name in "${names[@]}"; do
  ckpt=$(checkpoint "$name")
  if [ ! -f "$ckpt" ] && ! make_net "$name"; then
    echo "skip $name: $ckpt missing (made by scripts/mnist-results.sh)"
    continue
  fi
  for k in off 5 50 500 5000 50000; do
    if [ "$k" = off ]; then fake=(--fake-target false); else fake=(--fake-target true --fake-k "$k"); fi
    $bin/mnist --mode test --resume "$ckpt" "${fake[@]}" --test-samples "$n" \
      --threads 1 --out "plots/fake_k_scan/${name}_$k.json" 2>&1 | grep "^result" | sed "s/^result/$name, k $k/"
  done
done
