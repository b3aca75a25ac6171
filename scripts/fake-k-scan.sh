#!/usr/bin/env bash
# Fake targets at test time on trained nets, their scale k scanned: can rarer fake targets
# let the states settle sooner than none (Table 2's "fewer steps with fake targets")?
# Test only, learning off, on the first N test images (default 2,000), seed 1, one thread:
# each net trained without fake targets (checkpoints from scripts/mnist-results.sh) is
# tested with fake targets off, then on at k = 5, 50 (the paper's), 500, 5,000 and 50,000.
# Writes plots/fake_k_scan/<net>_<k>.json and prints one line per run: 2-3.5 min a run
# for 2,000 images here, with both cores busy with other work.
# Arguments: [N]. Needs ASTDP_MNIST_DIR (or data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
cargo build --release --example mnist
bin=${CARGO_TARGET_DIR:-target}/release/examples
mkdir -p plots/fake_k_scan
nets=(one_layer:runs/astdp_betas_fast_10ep.ckpt two_layers:runs/deep2_mean_60k_7ep.ckpt)
for entry in "${nets[@]}"; do
  name=${entry%%:*}; ckpt=${entry#*:}
  if [ ! -f "$ckpt" ]; then echo "skip $name: $ckpt missing (made by scripts/mnist-results.sh)"; continue; fi
  for k in off 5 50 500 5000 50000; do
    if [ "$k" = off ]; then fake=(--fake-target false); else fake=(--fake-target true --fake-k "$k"); fi
    $bin/mnist --mode test --resume "$ckpt" "${fake[@]}" --test-samples "$n" \
      --threads 1 --out "plots/fake_k_scan/${name}_$k.json" 2>&1 | grep "^result" | sed "s/^result/$name, k $k/"
  done
done
