//! Train and test aSTDP on MNIST.
//!
//! ```text
//! cargo run --release --example mnist -- --mode supervised --train-samples 2000 \
//!     --test-samples 1000 --epochs 1 --out plots/mnist_supervised.json
//! ```
//! The MNIST folder comes from `--mnist-dir`, else `ASTDP_MNIST_DIR`, else `data/mnist`.
//! Progress goes to stderr (a bar on a terminal, a line every 30 s otherwise); the
//! results JSON goes to stdout and, with `--out`, to a file.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use astdp::data::mnist::{Dataset, load_split, resolve_dir};
use astdp::experiments::mnist::{Evaluation, MnistConfig, Mode, Trainer};
use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum CliMode {
    Supervised,
    Unsupervised,
    SelfSupervised,
    Generate,
    Test,
}

#[derive(Parser, Debug)]
#[command(about = "Train and test aSTDP on MNIST")]
struct Args {
    /// Training algorithm; `generate` draws digits and `test` only evaluates, both from a
    /// trained net (--resume).
    #[arg(long, value_enum, default_value_t = CliMode::Supervised)]
    mode: CliMode,
    /// Hidden layer sizes, e.g. 512 or 512,512.
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Passes over the training samples (self-supervised: of the patch-prediction stage).
    #[arg(long, default_value_t = 1)]
    epochs: usize,
    /// Self-supervised only: passes of output-only supervised training after pre-training.
    #[arg(long, default_value_t = 1)]
    output_epochs: usize,
    /// After training: passes of decoder training (only the weights into the image layer
    /// learn; label hard clamped, image free then softly clamped), for `--mode generate`.
    #[arg(long, default_value_t = 0)]
    decoder_epochs: usize,
    /// Training samples (the first N of the training set).
    #[arg(long, default_value_t = 60_000)]
    train_samples: usize,
    /// Test samples (the first N of the test set).
    #[arg(long, default_value_t = 10_000)]
    test_samples: usize,
    /// Batch size.
    #[arg(long)]
    batch: Option<usize>,
    /// Free-phase iterations per sample.
    #[arg(long)]
    free_iters: Option<u64>,
    /// Clamped-phase iterations per sample.
    #[arg(long)]
    clamped_iters: Option<u64>,
    /// Iterations per test sample.
    #[arg(long)]
    test_iters: Option<u64>,
    /// Seed of weights, states, data order, masks and fake targets.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// JSON file with any MnistConfig fields (model hyper-parameters under "model").
    #[arg(long)]
    config: Option<PathBuf>,
    /// Save a checkpoint here at the end of every epoch.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Resume from a checkpoint (its config is used; --epochs counts the total).
    #[arg(long)]
    resume: Option<PathBuf>,
    /// Write the results JSON here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// MNIST folder.
    #[arg(long)]
    mnist_dir: Option<PathBuf>,
    /// Fake targets on or off (`true` / `false`), overriding the config or the checkpoint;
    /// e.g. `--mode test --resume X --fake-target false` tests a net trained with fake
    /// targets without them.
    #[arg(long)]
    fake_target: Option<bool>,
    /// The fake targets' scale k (a neuron fires with probability min(1, |dz| / (k dzm))),
    /// overriding the config or the checkpoint; e.g. `--mode test --resume X --fake-target
    /// true --fake-k 500` tests a trained net with rarer fake targets.
    #[arg(long)]
    fake_k: Option<f32>,
    /// Keep a moving average of the weights with this half-life in training samples
    /// (e.g. 20000), overriding the config or the checkpoint, and test it too after each
    /// epoch (`test_averaged` in the results); training is unchanged by it.
    #[arg(long)]
    weight_average: Option<f64>,
    /// Divergence guard, overriding the config or the checkpoint: when a weight block's
    /// RMS moves by more than this fraction between two logs (every 10 batches), go back
    /// to the weights of a few logs earlier and halve the learning rate (e.g. 0.05; the
    /// interventions are in `guard_events` in the results).
    #[arg(long)]
    guard: Option<f64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// For --mode generate: the SVG to write.
    #[arg(long, default_value = "plots/mnist_generation.svg")]
    generation_svg: PathBuf,
}

fn build_trainer(args: &Args) -> anyhow::Result<Trainer> {
    if let Some(p) = &args.resume {
        return Trainer::load(p).with_context(|| format!("resuming from {}", p.display()));
    }
    let mut cfg: MnistConfig = match &args.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            astdp::config::from_json_over(&MnistConfig::default(), &text)
                .with_context(|| format!("parsing {}", p.display()))?
        }
        None => MnistConfig::default(),
    };
    if let Some(h) = &args.hidden {
        cfg.hidden = h.clone();
    }
    cfg.batch = args.batch.unwrap_or(cfg.batch);
    cfg.free_iters = args.free_iters.unwrap_or(cfg.free_iters);
    cfg.clamped_iters = args.clamped_iters.unwrap_or(cfg.clamped_iters);
    cfg.test_iters = args.test_iters.unwrap_or(cfg.test_iters);
    Ok(Trainer::new(cfg, 784, args.seed)?)
}

/// Per-epoch records and total training time.
#[derive(Default)]
struct RunLog {
    history: Vec<serde_json::Value>,
    train_wall: f64,
}

/// Runs epochs of `mode` until `trainer.epochs_done == until`, testing after each.
fn train_stage(
    trainer: &mut Trainer,
    args: &Args,
    train: &Dataset,
    test: &Dataset,
    mode: Mode,
    until: usize,
    log: &mut RunLog,
) -> anyhow::Result<()> {
    let tty = std::io::stderr().is_terminal();
    let metric_name = match mode {
        Mode::SelfSupervised => "patch mse",
        Mode::Decoder => "generated-image mse",
        Mode::Unsupervised => "-",
        _ => "free-phase acc",
    };
    while trainer.epochs_done < until {
        let epoch = trainer.epochs_done + 1;
        let bar = if tty { indicatif::ProgressBar::new(train.len() as u64) } else { indicatif::ProgressBar::hidden() };
        bar.set_style(indicatif::ProgressStyle::with_template(
            "epoch {prefix} [{bar:30}] {pos}/{len} samples, {per_sec}, eta {eta} {msg}",
        )?);
        bar.set_prefix(format!("{epoch} ({mode:?})"));
        let t0 = Instant::now();
        let mut last_print = Instant::now();
        let guarded = trainer.guard_events.len();
        let metric = trainer.train_epoch(train, mode, &mut |done, total, m| {
            bar.set_position(done as u64);
            bar.set_message(format!("{metric_name} {m:.3}"));
            if !tty && (last_print.elapsed().as_secs() >= 30 || done == total) {
                eprintln!(
                    "epoch {epoch} ({mode:?}): {done}/{total} samples, running {metric_name} {m:.3}, {:.1} samples/s",
                    done as f64 / t0.elapsed().as_secs_f64()
                );
                last_print = Instant::now();
            }
        })?;
        bar.finish_and_clear();
        for e in &trainer.guard_events[guarded..] {
            eprintln!(
                "epoch {epoch}: divergence guard after {} samples: {} RMS moved by {:.1}%; weights restored from {} samples, learning rate now {} x its scheduled value",
                e.samples,
                e.block,
                100.0 * e.jump,
                e.restored_from,
                e.alpha_factor
            );
        }
        let wall = t0.elapsed().as_secs_f64();
        log.train_wall += wall;
        let averaged = trainer.evaluate_averaged(test)?;
        let ev = trainer.evaluate(test)?;
        eprintln!(
            "epoch {epoch} ({mode:?}): train {metric_name} {metric:.4}, test accuracy {:.4}{}, inference steps {:.1}, decision steps {:.1}, {:.1} samples/s",
            ev.accuracy,
            averaged.as_ref().map_or(String::new(), |a| format!(" (averaged weights {:.4})", a.accuracy)),
            ev.inference_steps_mean,
            ev.decision_steps_mean,
            train.len() as f64 / wall
        );
        log.history.push(serde_json::json!({
            "epoch": epoch, "mode": mode, "train_metric": metric, "train_wall_s": wall, "test": ev,
            "test_averaged": averaged,
        }));
        if let Some(p) = &args.save {
            trainer.save(p)?;
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new().num_threads(t).build_global()?;
    }
    let mut trainer = build_trainer(&args)?;
    if args.fake_target.is_some() || args.fake_k.is_some() {
        let mut f = trainer.cfg.model.fake_target;
        f.enabled = args.fake_target.unwrap_or(f.enabled);
        f.k = args.fake_k.unwrap_or(f.k);
        trainer.set_fake_target_config(f).context("--fake-target / --fake-k")?;
    }
    if let Some(h) = args.weight_average {
        trainer.cfg.weight_average_half_life = Some(h);
        trainer.cfg.validate().context("--weight-average")?;
    }
    if let Some(g) = args.guard {
        trainer.cfg.guard_rms_jump = Some(g);
        trainer.cfg.validate().context("--guard")?;
    }
    if args.mode == CliMode::Generate {
        if args.resume.is_none() {
            bail!("--mode generate draws digits from a trained network: pass --resume CHECKPOINT (saved with --save)");
        }
        let labels: Vec<u8> = (0..8).flat_map(|_| 0..10u8).collect();
        let imgs = trainer.generate(&labels, args.seed)?;
        let cells: Vec<(String, Vec<f32>)> = labels.iter().zip(imgs).map(|(l, i)| (format!("{l}"), i)).collect();
        astdp::plot::image_grid_svg(
            &args.generation_svg,
            "Generated digits: label clamped, image free (weak net, rho(s))",
            &cells,
            28,
            28,
            10,
        )?;
        eprintln!("wrote {}", args.generation_svg.display());
        return Ok(());
    }
    let dir = resolve_dir(args.mnist_dir.as_deref())?;
    let train = load_split(&dir, "train")?.take(args.train_samples);
    let test = load_split(&dir, "t10k")?.take(args.test_samples);
    eprintln!(
        "aSTDP {:?} 784-{:?}-10, {} train / {} test samples, batch {}, {}+{} iters, test {} iters, seed {}",
        args.mode,
        trainer.cfg.hidden,
        train.len(),
        test.len(),
        trainer.cfg.batch,
        trainer.cfg.free_iters,
        trainer.cfg.clamped_iters,
        trainer.cfg.test_iters,
        trainer.seed
    );
    let start = Instant::now();
    let mut log = RunLog::default();
    let samples0 = trainer.samples_seen;
    match args.mode {
        CliMode::Supervised => {
            train_stage(&mut trainer, &args, &train, &test, Mode::Supervised, args.epochs, &mut log)?
        }
        CliMode::Unsupervised => {
            train_stage(&mut trainer, &args, &train, &test, Mode::Unsupervised, args.epochs, &mut log)?
        }
        CliMode::SelfSupervised => {
            let pre = args.epochs;
            train_stage(&mut trainer, &args, &train, &test, Mode::SelfSupervised, pre, &mut log)?;
            let total = pre + args.output_epochs;
            train_stage(&mut trainer, &args, &train, &test, Mode::OutputOnly, total, &mut log)?;
        }
        CliMode::Test => {
            if args.resume.is_none() {
                bail!("--mode test evaluates a trained network: pass --resume CHECKPOINT (saved with --save)");
            }
        }
        CliMode::Generate => unreachable!(),
    }
    if args.decoder_epochs > 0 {
        let total = trainer.epochs_done + args.decoder_epochs;
        train_stage(&mut trainer, &args, &train, &test, Mode::Decoder, total, &mut log)?;
    }
    let (ev, averaged): (Evaluation, Option<Evaluation>) = match log.history.last() {
        Some(h) => (serde_json::from_value(h["test"].clone())?, serde_json::from_value(h["test_averaged"].clone())?),
        None => (trainer.evaluate(&test)?, trainer.evaluate_averaged(&test)?),
    };
    let pct =
        |v: &[(u64, f64)]| v.iter().map(|(k, a)| format!("{k}: {:.2}%", 100.0 * a)).collect::<Vec<_>>().join(", ");
    eprintln!(
        "result: test accuracy {:.4}, inference steps {:.1} ({:.2}% of samples), settled {:.1}, decision {:.1}; accuracy after {}; hidden neurons given a fake target on tick {}",
        ev.accuracy,
        ev.inference_steps_mean,
        100.0 * ev.converged,
        ev.settled_steps_mean,
        ev.decision_steps_mean,
        pct(&ev.accuracy_at),
        pct(&ev.fake_rate_at)
    );
    if let Some(a) = &averaged {
        eprintln!(
            "result with the averaged weights: test accuracy {:.4}, accuracy after {}",
            a.accuracy,
            pct(&a.accuracy_at)
        );
    }
    let trained = trainer.samples_seen - samples0;
    let result = serde_json::json!({
        "mode": format!("{:?}", args.mode).to_lowercase(),
        "hidden": trainer.cfg.hidden,
        "train_samples": train.len(),
        "epochs": trainer.epochs_done,
        "seed": trainer.seed,
        "test_samples": test.len(),
        "test_accuracy": ev.accuracy,
        "test_accuracy_averaged": averaged.as_ref().map(|a| a.accuracy),
        "inference_steps_mean": ev.inference_steps_mean,
        "converged": ev.converged,
        "settled_steps_mean": ev.settled_steps_mean,
        "decision_steps_mean": ev.decision_steps_mean,
        "accuracy_at": ev.accuracy_at,
        "fake_rate_at": ev.fake_rate_at,
        "wall_s": start.elapsed().as_secs_f64(),
        "samples_per_s": if log.train_wall > 0.0 { trained as f64 / log.train_wall } else { 0.0 },
        "symmetry": trainer.symmetry,
        "weight_rms": trainer.weight_rms,
        "guard_events": trainer.guard_events,
        "history": log.history,
        "config": trainer.cfg,
        "command": std::env::args().collect::<Vec<_>>().join(" "),
    });
    println!("{}", serde_json::to_string(&result)?);
    if let Some(p) = &args.out {
        astdp::checkpoint::save_json(p, &result)?;
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
