#!/usr/bin/env bash
# The collapse of deeper nets, small and fast (784-128-128-10, batch 32, 20 + 20
# iterations, 30,000 samples, one thread: about a minute a run). Each run writes
# plots/collapse/<name>.json with the test accuracy, the symmetry measure and the RMS
# weight of every block logged every 10 batches (`weight_rms`), so the runaway of the
# feedback blocks can be seen before accuracy falls. Needs ASTDP_MNIST_DIR (or data/mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --example mnist
bin=${CARGO_TARGET_DIR:-target}/release/examples
mkdir -p plots/collapse
for name in collapse_alpha_0.02 collapse_alpha_0.05 collapse_alpha_0.02_wd_0.001 collapse_alpha_0.02_wd_0.01; do
  $bin/mnist --mode supervised --hidden 128,128 --batch 32 --free-iters 20 --clamped-iters 20 \
    --test-iters 40 --train-samples 30000 --test-samples 1000 --threads 1 --seed 1 \
    --config configs/scans/$name.json --out plots/collapse/$name.json 2> /dev/null > /dev/null
  echo "$name: $(grep -o '"test_accuracy":[0-9.]*' plots/collapse/$name.json)"
done
