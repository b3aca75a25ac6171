//! Throughput of supervised aSTDP training on MNIST, 784-512-10, batch 128, 80 + 160
//! iterations (the paper's settings), on `--samples` real training images. Prints one
//! JSON line: samples/s, achieved GFLOP/s of the model's computed FLOPs, the GEMM
//! kernel's peak on this machine measured in the same run, and their ratio.
//!
//! `cargo run --release --example mnist_bench [-- --samples 512 --threads 2]`

use std::time::Instant;

use astdp::data::mnist::{load_split, resolve_dir};
use astdp::experiments::mnist::{MnistConfig, Mode, Trainer};
use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Training samples to time.
    #[arg(long, default_value_t = 512)]
    samples: usize,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// MNIST folder (else ASTDP_MNIST_DIR, else data/mnist).
    #[arg(long)]
    mnist_dir: Option<std::path::PathBuf>,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new().num_threads(t).build_global()?;
    }
    let dir = resolve_dir(args.mnist_dir.as_deref())?;
    let train = load_split(&dir, "train")?.take(args.samples);
    let cfg = MnistConfig::default();
    let (hidden, batch, free, clamped) = (cfg.hidden[0], cfg.batch, cfg.free_iters, cfg.clamped_iters);
    let mut t = Trainer::new(cfg, 784, args.seed)?;
    let ticks0 = t.sim.ticks_run();
    let start = Instant::now();
    t.train_epoch(&train, Mode::Supervised, &mut |_, _, _| {})?;
    let wall = start.elapsed().as_secs_f64();
    let ticks = t.sim.ticks_run() - ticks0;
    // input layer (0) is hard clamped: its forward and update are skipped
    let flops = ticks as f64 * t.flops_per_tick(&[0]);
    let gflops = flops / wall / 1e9;
    let peak = astdp::measure_sgemm_gflops(512, 784, 512, 5);
    println!(
        "{}",
        serde_json::json!({
            "samples_per_s": train.len() as f64 / wall,
            "gflops": gflops,
            "gemm_peak_gflops": peak,
            "efficiency": gflops / peak,
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
