//! Backprop MLP baselines of Table 1 (784-512-10, MSE or cross-entropy), on the same
//! MNIST files as the aSTDP runs.
//!
//! `cargo run --release --example mlp_baseline -- --loss cross-entropy --epochs 10 --out results/mnist/mlp_ce.json`

use std::time::Instant;

use astdp::data::mnist::load;
use astdp::learners::mlp::{Loss, Mlp, MlpConfig};
use astdp::results::{EpochRecord, RunConfig, RunMode, RunReport, SCHEMA_VERSION, Status};
use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CliLoss {
    Mse,
    CrossEntropy,
}

#[derive(Parser)]
#[command(version, about = "Backprop MLP baselines of Table 1 (784-512-10, MSE or cross-entropy) on MNIST")]
struct Args {
    /// Loss of the output layer.
    #[arg(long, value_enum, default_value_t = CliLoss::CrossEntropy)]
    loss: CliLoss,
    /// Epochs.
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Learning rate (default: the loss's, 0.5 for cross-entropy, 1.0 for MSE).
    #[arg(long)]
    lr: Option<f32>,
    /// Minibatch size.
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// Hidden units.
    #[arg(long, default_value_t = 512)]
    hidden: usize,
    /// Training samples.
    #[arg(long, default_value_t = 60_000)]
    train_samples: usize,
    /// Test samples.
    #[arg(long, default_value_t = 10_000)]
    test_samples: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// MNIST folder (default: $ASTDP_MNIST_DIR, else data/mnist).
    #[arg(long)]
    mnist_dir: Option<std::path::PathBuf>,
    /// Results JSON (default: none; the figures are printed).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let loss = match args.loss {
        CliLoss::Mse => Loss::Mse,
        CliLoss::CrossEntropy => Loss::CrossEntropy,
    };
    let cfg = MlpConfig { hidden: args.hidden, loss, lr: args.lr.unwrap_or(loss.default_lr()), batch: args.batch };
    cfg.validate()?;
    cfg.fits(astdp::data::mnist::SIDE * astdp::data::mnist::SIDE, 10)?;
    let mnist = astdp::data::mnist::input_files(args.mnist_dir.as_deref());
    let inputs: Vec<(&str, &std::path::Path)> = mnist.iter().map(|f| ("--mnist-dir", f.as_path())).collect();
    let outputs: Vec<(&str, &std::path::Path)> = args.out.iter().map(|p| ("--out", p.as_path())).collect();
    astdp::checkpoint::check_outputs(&outputs, &inputs)?;
    let (train, test) = load(args.mnist_dir.as_deref(), args.train_samples, args.test_samples)?;
    if train.is_empty() || test.is_empty() {
        anyhow::bail!("--train-samples and --test-samples must be at least 1");
    }
    let mut rng = astdp::rng_from_seed(args.seed);
    let mut mlp = Mlp::new(784, cfg.hidden, 10, &mut rng);
    let start = Instant::now();
    let mut history = Vec::new();
    for epoch in 1..=args.epochs {
        let l = mlp.train_epoch(&train, &cfg, &mut rng)?;
        let acc = mlp.accuracy(&test)?;
        eprintln!("epoch {epoch}: train loss {l:.4}, test accuracy {acc:.4}");
        history.push(EpochRecord { epoch, train_loss: Some(l), test_accuracy: Some(acc), ..EpochRecord::default() });
    }
    let acc = mlp.accuracy(&test)?;
    let report = RunReport {
        schema_version: SCHEMA_VERSION,
        status: Status::judge(acc),
        step_count: None,
        mode: match loss {
            Loss::Mse => RunMode::BackpropMse,
            Loss::CrossEntropy => RunMode::BackpropCrossEntropy,
        },
        hidden: vec![cfg.hidden],
        train_samples: train.len(),
        test_samples: test.len(),
        epochs: args.epochs,
        seed: args.seed,
        test_accuracy: acc,
        test_accuracy_averaged: None,
        inference_steps_mean: None,
        converged: None,
        settled_steps_mean: None,
        decision_steps_mean: None,
        accuracy_at: Vec::new(),
        fake_rate_at: Vec::new(),
        wall_s: start.elapsed().as_secs_f64(),
        samples_per_s: None,
        timing: None,
        symmetry: Vec::new(),
        weight_rms: Vec::new(),
        guard_events: Vec::new(),
        history,
        config: RunConfig::Mlp(cfg),
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    println!("{}", serde_json::to_string(&report)?);
    if let Some(p) = &args.out {
        report.save(p)?;
    }
    Ok(())
}
