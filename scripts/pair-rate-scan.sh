#!/usr/bin/env bash
# Short scans on 8,192 training samples and the first 1,000 test images, seed 1; each
# config under configs/scans writes plots/pair_scan/<config>.json.
# 1. The scan that chose the input-hidden pair's rate factor (`pair_alpha_scale`) for EP's
#    rule and for aSTDP (ep_pair_*, astdp_pair_*). About 3 min (EP) and 10 min (aSTDP)
#    on 2 cores.
# 2. The aSTDP rule with EP's knobs, one change at a time from the EP run that reached
#    97.47% (astdp_ep_knobs_*, astdp_betas_*, astdp_fast_*), and two hidden layers
#    (deep2_*; their configs set "hidden"). About 1 min each (one layer) and 1-3 min
#    (two layers) on one thread.
# 3. The rule's presynaptic rate (`model.presynaptic`: the mean of both nets' rates, whose
#    symmetric part is exactly EP's update, or the weak net's) against the strong net's of
#    the same configs above (*_mean_pre_*, *_weak_pre_*), and EP's rule at two layers
#    (deep2_ep_rule_*). About 1 min (one layer) and 3-5 min (two layers) each on one
#    thread.
# Arguments: config names under configs/scans to run (default: all of them above).
# Needs ASTDP_MNIST_DIR (or data/mnist).
# The committed files of scan 1 were made by the same commands with these configs still
# under /tmp (their "command" field says so; their "config" field holds the full config,
# the same as configs/scans/<name>.json), the EP ones on 2 threads, the aSTDP ones on 1;
# those of scans 2 and 3 by this script's command (results do not depend on the thread
# count).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --examples
mkdir -p plots/pair_scan
all=(ep_pair_1_1 ep_pair_4_1 ep_pair_8_1 ep_pair_16_1 ep_pair_32_1
     astdp_pair_1_1 astdp_pair_8_1 astdp_pair_32_1 astdp_pair_128_1
     astdp_ep_knobs_pair_32_1 astdp_ep_knobs_pair_1_1 astdp_ep_knobs_random_init_pair_32_1
     astdp_ep_knobs_fake_pair_32_1 astdp_betas_0.4_0.25_fast_pair_32_1 astdp_fast_pair_32_1
     astdp_fast_relative_pair_32_1
     deep2_astdp_ep_knobs_pair_32_8_1 deep2_astdp_ep_knobs_alpha_0.005_pair_16_4_1
     deep2_astdp_ep_knobs_alpha_0.005_pair_4_2_1 deep2_astdp_ep_knobs_alpha_0.005_pair_2_1_1
     deep2_astdp_ep_knobs_alpha_0.005_pair_1_1_1 deep2_astdp_fast_no_fake_alpha_0.005_pair_16_4_1
     deep2_no_fake_alpha_0.005_decay_20k_pair_16_4_1
     astdp_ep_knobs_mean_pre_pair_32_1 astdp_ep_knobs_weak_pre_pair_32_1
     astdp_ep_knobs_fake_mean_pre_pair_32_1 astdp_fast_mean_pre_pair_32_1
     deep2_no_fake_alpha_0.005_decay_20k_mean_pre_pair_16_4_1
     deep2_no_fake_alpha_0.005_decay_20k_symmetric_init_mean_pre_pair_16_4_1
     deep2_no_fake_alpha_0.005_decay_20k_betas_1_0_mean_pre_pair_16_4_1
     deep2_astdp_ep_knobs_mean_pre_pair_32_8_1 deep2_astdp_ep_knobs_alpha_0.005_mean_pre_pair_16_4_1
     deep2_astdp_ep_knobs_alpha_0.005_mean_pre_pair_4_2_1
     deep2_astdp_ep_knobs_alpha_0.005_free_100_mean_pre_pair_16_4_1
     deep2_ep_rule_ep_knobs_alpha_0.005_pair_4_2_1)
for c in "${@:-${all[@]}}"; do
  target/release/examples/mnist --train-samples 8192 --test-samples 1000 --seed 1 --threads 1 \
    --config "configs/scans/$c.json" --out "plots/pair_scan/$c.json" 2>&1 | grep "test accuracy" | sed "s/^/$c: /"
done
