//! Time to accuracy of aSTDP on MNIST (issue 45): trains a fresh net from `--config` for
//! `--train-seconds` of wall time, then tests it on every test image (the live weights
//! and, with `--weight-average`, their average). Prints one JSON line: seconds to load
//! the data, to train and to test, samples trained, accuracy live and averaged; `--out`
//! writes the whole report (`astdp::results::RunReport`, its `timing` field), as a row of
//! `results/index.csv` with example `mnist_time` does.
//!
//! `cargo run --release --example mnist_time -- --config configs/mnist/one_layer/astdp_ep_knobs_pair_32_1.json --weight-average 20000 --train-seconds 240 --threads 2`

use std::path::PathBuf;
use std::time::Instant;

use astdp::data::mnist::load;
use astdp::experiments::mnist::{LogProgress, timed};
use astdp::learners::astdp::{MnistConfig, Mode, RunOverrides, Trainer};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(version, about = "Train aSTDP on MNIST for a wall-time budget, test on every test image; prints JSON")]
struct Args {
    /// JSON config: any MnistConfig fields, the rest default (see configs/mnist/).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seconds of training wall time (training stops after the batch that passes it).
    #[arg(long, default_value_t = 240.0)]
    train_seconds: f64,
    /// Unsupervised training (the read-out learns from the labels) instead of supervised.
    #[arg(long)]
    unsupervised: bool,
    /// The first N training samples (default: all 60,000).
    #[arg(long, default_value_t = 60_000)]
    train_samples: usize,
    /// The first N test samples (default: all 10,000).
    #[arg(long, default_value_t = 10_000)]
    test_samples: usize,
    /// Seed of weights, data order, masks and fake targets.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep (and test) a moving average of the weights with this half-life in samples
    /// (default: as the config says).
    #[arg(long)]
    weight_average: Option<f64>,
    /// Worker threads, 1 to 256 (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// The MNIST folder (default: $ASTDP_MNIST_DIR, else data/mnist).
    #[arg(long)]
    mnist_dir: Option<PathBuf>,
    /// Write the whole report here (default: none).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    let args = Args::parse();
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new().num_threads(t as usize).build_global()?;
    }
    let outputs: Vec<(&str, &std::path::Path)> = args.out.iter().map(|p| ("--out", p.as_path())).collect();
    let mnist = astdp::data::mnist::input_files(args.mnist_dir.as_deref());
    let mut inputs: Vec<(&str, &std::path::Path)> = args.config.iter().map(|p| ("--config", p.as_path())).collect();
    inputs.extend(mnist.iter().map(|f| ("--mnist-dir", f.as_path())));
    astdp::checkpoint::check_outputs(&outputs, &inputs)?;
    let mut trainer = Trainer::new(MnistConfig::load(args.config.as_deref())?.check()?, 784, args.seed)?;
    trainer.apply(&RunOverrides { weight_average: args.weight_average, ..RunOverrides::default() })?;
    let (train, test) = load(args.mnist_dir.as_deref(), args.train_samples, args.test_samples)?;
    let load_s = start.elapsed().as_secs_f64();
    let mode = if args.unsupervised { Mode::Unsupervised } else { Mode::Supervised };
    eprintln!("aSTDP {mode:?} for {} s of training: {}", args.train_seconds, trainer.describe());
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let mut log = LogProgress::default();
    let report = timed(&mut trainer, mode, args.train_seconds, &train, &test, &mut log, command)?;
    let t = report.timing.as_ref().expect("a timed run reports its timing");
    let line = serde_json::json!({
        "config": args.config,
        "seed": args.seed,
        "threads": rayon::current_num_threads(),
        "train_budget_s": t.train_budget_s,
        "load_s": load_s,
        "train_s": t.train_s,
        "test_s": t.test_s,
        "total_s": load_s + t.train_s + t.test_s,
        "samples_trained": t.samples_trained,
        "epochs": t.samples_trained as f64 / train.len() as f64,
        "test_samples": test.len(),
        "test_accuracy": report.test_accuracy,
        "test_accuracy_averaged": report.test_accuracy_averaged,
    });
    println!("{line}");
    if let Some(p) = &args.out {
        report.save(p)?;
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
