#!/usr/bin/env bash
# The short scan that chose the input-hidden pair's rate factor (`pair_alpha_scale`) for
# EP's rule and for aSTDP: 8,192 training samples, the first 1,000 test images, seed 1.
# Writes plots/pair_scan/<config>.json. About 3 min (EP) and 10 min (aSTDP) on 2 cores.
# Arguments: config names under configs/scans to run (default: all of the scan).
# Needs ASTDP_MNIST_DIR (or data/mnist).
# The committed files were made by the same commands with these configs still under /tmp
# (their "command" field says so; their "config" field holds the full config, the same as
# configs/scans/<name>.json), the EP ones on 2 threads, the aSTDP ones on 1 (results do
# not depend on the thread count).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --examples
mkdir -p plots/pair_scan
all=(ep_pair_1_1 ep_pair_4_1 ep_pair_8_1 ep_pair_16_1 ep_pair_32_1
     astdp_pair_1_1 astdp_pair_8_1 astdp_pair_32_1 astdp_pair_128_1)
for c in "${@:-${all[@]}}"; do
  target/release/examples/mnist --train-samples 8192 --test-samples 1000 --seed 1 \
    --config "configs/scans/$c.json" --out "plots/pair_scan/$c.json" 2>&1 | grep "test accuracy" | sed "s/^/$c: /"
done
