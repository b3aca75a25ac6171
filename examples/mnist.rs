//! Train and test aSTDP on MNIST.
//!
//! ```text
//! cargo run --release --example mnist -- --mode supervised --train-samples 2000 \
//!     --test-samples 1000 --epochs 1 --out plots/mnist_supervised.json
//! ```
//! The MNIST folder comes from `--mnist-dir`, else `ASTDP_MNIST_DIR`, else `data/mnist`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use astdp::data::mnist::{load_split, resolve_dir};
use astdp::experiments::mnist::{MnistConfig, Mode, Trainer};
use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum CliMode {
    Supervised,
    Unsupervised,
    SelfSupervised,
    Generate,
}

#[derive(Parser, Debug)]
#[command(about = "Train and test aSTDP on MNIST")]
struct Args {
    /// Training algorithm, or `generate` (needs --resume).
    #[arg(long, value_enum, default_value_t = CliMode::Supervised)]
    mode: CliMode,
    /// Hidden layer sizes, e.g. 512 or 512,512.
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Passes over the training samples.
    #[arg(long, default_value_t = 1)]
    epochs: usize,
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
    /// Seed of weights, states, data order and fake targets.
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
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// For --mode generate: the SVG to write.
    #[arg(long, default_value = "plots/mnist_generation.svg")]
    generation_svg: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()?;
    }
    if args.mode == CliMode::SelfSupervised {
        anyhow::bail!("--mode self-supervised is not implemented yet (see issue: MNIST pipeline)");
    }
    let dir = resolve_dir(args.mnist_dir.as_deref())?;
    let mut trainer = match &args.resume {
        Some(p) => Trainer::load(p).with_context(|| format!("resuming from {}", p.display()))?,
        None => {
            let mut cfg: MnistConfig = match &args.config {
                Some(p) => serde_json::from_str(
                    &std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?,
                )
                .with_context(|| format!("parsing {}", p.display()))?,
                None => MnistConfig::default(),
            };
            if let Some(h) = &args.hidden {
                cfg.hidden = h.clone();
            }
            if let Some(b) = args.batch {
                cfg.batch = b;
            }
            if let Some(v) = args.free_iters {
                cfg.free_iters = v;
            }
            if let Some(v) = args.clamped_iters {
                cfg.clamped_iters = v;
            }
            if let Some(v) = args.test_iters {
                cfg.test_iters = v;
            }
            Trainer::new(cfg, 784, args.seed)?
        }
    };
    if args.mode == CliMode::Generate {
        let labels: Vec<u8> = (0..8).flat_map(|_| 0..10u8).collect();
        let imgs = trainer.generate(&labels, args.seed)?;
        let cells: Vec<(String, Vec<f32>)> = labels
            .iter()
            .zip(imgs)
            .map(|(l, i)| (format!("{l}"), i))
            .collect();
        astdp::plot::image_grid_svg(
            &args.generation_svg,
            "Generated digits: label clamped, image free",
            &cells,
            28,
            28,
            10,
        )?;
        println!("wrote {}", args.generation_svg.display());
        return Ok(());
    }
    let mode = if args.mode == CliMode::Unsupervised {
        Mode::Unsupervised
    } else {
        Mode::Supervised
    };
    let train = load_split(&dir, "train")?.take(args.train_samples);
    let test = load_split(&dir, "t10k")?.take(args.test_samples);
    eprintln!(
        "aSTDP {:?} 784-{:?}-10, {} train / {} test samples, batch {}, {}+{} iters, seed {}",
        mode,
        trainer.cfg.hidden,
        train.len(),
        test.len(),
        trainer.cfg.batch,
        trainer.cfg.free_iters,
        trainer.cfg.clamped_iters,
        trainer.seed
    );
    let tty = std::io::stderr().is_terminal();
    let start = Instant::now();
    let mut history = Vec::new();
    let mut trained = 0usize;
    let mut train_wall = 0.0;
    while trainer.epochs_done < args.epochs {
        let epoch = trainer.epochs_done + 1;
        let bar = if tty {
            indicatif::ProgressBar::new(train.len() as u64)
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(indicatif::ProgressStyle::with_template(
            "epoch {msg} [{bar:30}] {pos}/{len} {per_sec} eta {eta}",
        )?);
        let t0 = Instant::now();
        let mut last_print = Instant::now();
        let train_acc = trainer.train_epoch(&train, mode, &mut |done, total, acc| {
            bar.set_position(done as u64);
            bar.set_message(format!("{epoch} running acc {:.3}", acc));
            if !tty && (last_print.elapsed().as_secs() >= 30 || done == total) {
                eprintln!("epoch {epoch}: {done}/{total} samples, running free-phase accuracy {acc:.3}, {:.1} samples/s", done as f64 / t0.elapsed().as_secs_f64());
                last_print = Instant::now();
            }
        })?;
        bar.finish_and_clear();
        train_wall += t0.elapsed().as_secs_f64();
        trained += train.len();
        let ev = trainer.evaluate(&test)?;
        eprintln!(
            "epoch {epoch}: train free-phase acc {:.4}, test acc {:.4}, inference steps {:.1}, {:.1} samples/s",
            train_acc,
            ev.accuracy,
            ev.inference_steps_mean,
            train.len() as f64 / t0.elapsed().as_secs_f64()
        );
        history.push(serde_json::json!({"epoch": epoch, "train_accuracy": train_acc, "test": ev, "symmetry": trainer.sim.network().symmetry_correlation()}));
        if let Some(p) = &args.save {
            trainer.save(p)?;
        }
    }
    let ev = match history.last() {
        Some(_) => serde_json::from_value(history.last().unwrap()["test"].clone())?,
        None => trainer.evaluate(&test)?,
    };
    let result = serde_json::json!({
        "mode": format!("{:?}", args.mode).to_lowercase(),
        "hidden": trainer.cfg.hidden,
        "train_samples": train.len(),
        "epochs": trainer.epochs_done,
        "seed": trainer.seed,
        "test_samples": test.len(),
        "test_accuracy": ev.accuracy,
        "inference_steps_mean": ev.inference_steps_mean,
        "wall_s": start.elapsed().as_secs_f64(),
        "samples_per_s": if train_wall > 0.0 { trained as f64 / train_wall } else { 0.0 },
        "history": history,
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
