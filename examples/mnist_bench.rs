//! Throughput of supervised aSTDP training on MNIST, 784-512-10, batch 128, 80 + 160
//! iterations (the paper's settings), on `--samples` real training images. Prints one
//! JSON line: samples/s, achieved GFLOP/s of the model's computed FLOPs, the GEMM
//! kernel's peak on this machine measured in the same run, and their ratio.
//!
//! The peak is the kernel's *sustained* rate on a 512 x 784 x 512 product, measured for
//! `--peak-seconds` just before and just after training (their mean), because the
//! model's rate is an average over seconds too: on a CPU whose clock drops under
//! sustained vector load, a millisecond burst would overstate the peak. The burst rate
//! (fastest single product) and the efficiency against it are printed as well.
//!
//! `cargo run --release --example mnist_bench [-- --samples 1024 --threads 2]`

use std::time::Instant;

use astdp::data::mnist::load;
use astdp::learners::{MnistConfig, Mode, Trainer};
use clap::Parser;

#[derive(Parser)]
#[command(version, about = "Time supervised aSTDP training on MNIST against the GEMM peak; prints JSON")]
struct Args {
    /// Training samples to time.
    #[arg(long, default_value_t = 1024)]
    samples: usize,
    /// Seconds of GEMM timing before and after training, each.
    #[arg(long, default_value_t = 2.0)]
    peak_seconds: f64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// MNIST folder (else ASTDP_MNIST_DIR, else data/mnist).
    #[arg(long)]
    mnist_dir: Option<std::path::PathBuf>,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Update every block every tick (the engine before the deferred input updates).
    #[arg(long)]
    per_tick_updates: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new().num_threads(t).build_global()?;
    }
    let (train, _) = load(args.mnist_dir.as_deref(), args.samples, 0)?;
    let cfg = MnistConfig::default();
    let (hidden, batch, free, clamped) = (cfg.hidden[0], cfg.batch, cfg.free_iters, cfg.clamped_iters);
    let mut t = Trainer::new(cfg.check()?, 784, args.seed)?;
    t.sim.set_deferred_updates(!args.per_tick_updates);
    let ticks0 = t.sim.ticks_run();
    let (m, k, n) = (512, 784, 512);
    let before = astdp::measure_sgemm_gflops(m, k, n, args.peak_seconds);
    let start = Instant::now();
    t.train_epoch(&train, Mode::Supervised, &mut |_, _, _| {})?;
    let wall = start.elapsed().as_secs_f64();
    let ticks = t.sim.ticks_run() - ticks0;
    // input layer (0) is hard clamped: its forward and update are skipped
    let flops = ticks as f64 * t.flops_per_tick(&[0]);
    let gflops = flops / wall / 1e9;
    // the work the engine does: the input block's product shared, its updates deferred
    let done = t.flops_per_sample(0, !args.per_tick_updates);
    let done_gflops = done * train.len() as f64 / wall / 1e9;
    let after = astdp::measure_sgemm_gflops(m, k, n, args.peak_seconds);
    let peak = 0.5 * (before.sustained_gflops + after.sustained_gflops);
    let burst = before.burst_gflops.max(after.burst_gflops);
    println!(
        "{}",
        serde_json::json!({
            "samples_per_s": train.len() as f64 / wall,
            "gflops": gflops,
            "gemm_peak_gflops": peak,
            "efficiency": gflops / peak,
            "model_flops_per_sample": flops / train.len() as f64,
            "engine_flops_per_sample": done,
            "engine_gflops": done_gflops,
            "engine_efficiency": done_gflops / peak,
            "deferred_updates": !args.per_tick_updates,
            "gemm_peak_before_after_gflops": [before.sustained_gflops, after.sustained_gflops],
            "gemm_burst_gflops": burst,
            "efficiency_vs_burst": gflops / burst,
            "hidden": hidden,
            "batch": batch,
            "free_iters": free,
            "clamped_iters": clamped,
            "samples": train.len(),
            "threads": rayon::current_num_threads(),
            "wall_s": wall,
            "projected_60000_samples_min": 60000.0 / (train.len() as f64 / wall) / 60.0,
        })
    );
    Ok(())
}
