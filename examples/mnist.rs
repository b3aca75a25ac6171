//! Train and test aSTDP on MNIST, one run: `cargo run --release --example mnist --
//! --config configs/mnist/ep/ep.json --out results/mnist/NAME.json`. The config file
//! defines the net (hidden sizes, batch, iterations); the results driver (`--example
//! results`) runs the rows of `results/index.csv` this way. MNIST comes from
//! `--mnist-dir`, else `ASTDP_MNIST_DIR`, else `data/mnist`. Progress goes to stderr, the
//! results JSON (`astdp::results::RunReport`) to stdout and to `--out`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use astdp::data::mnist::load;
use astdp::experiments::mnist::{LogProgress, RunSpec, run};
use astdp::learners::astdp::{MnistConfig, RunOverrides, Trainer};
use astdp::results::RunMode;
use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CliMode {
    Supervised,
    Unsupervised,
    SelfSupervised,
    /// Only tests a trained net (--resume).
    Test,
}

#[derive(Parser, Debug)]
#[command(version, about = "Train and test aSTDP on MNIST")]
struct Args {
    #[arg(long, value_enum, default_value_t = CliMode::Supervised)]
    mode: CliMode,
    /// JSON config: any MnistConfig fields, the rest default (see configs/mnist/; default:
    /// MnistConfig::default()).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Epochs in all (a resumed run counts those of its checkpoint).
    #[arg(long, default_value_t = 1)]
    epochs: usize,
    /// Self-supervised: epochs of output-only training after the patch stage.
    #[arg(long, default_value_t = 1)]
    output_epochs: usize,
    /// Epochs of decoder training at the end (for mnist_generate).
    #[arg(long, default_value_t = 0)]
    decoder_epochs: usize,
    /// The first N training samples.
    #[arg(long, default_value_t = 60_000)]
    train_samples: usize,
    /// The first N test samples.
    #[arg(long, default_value_t = 10_000)]
    test_samples: usize,
    /// Seed of weights, states, data order, masks and fake targets (default 1; a resumed
    /// run goes on with its checkpoint's generator).
    #[arg(long)]
    seed: Option<u64>,
    /// Save a checkpoint here after every epoch (default: no checkpoint).
    #[arg(long)]
    save: Option<PathBuf>,
    /// Resume from a checkpoint, with its config (--config is then refused; default: a
    /// new run).
    #[arg(long)]
    resume: Option<PathBuf>,
    /// Write the results JSON here (default: none; the figures are printed).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The MNIST folder (default: $ASTDP_MNIST_DIR, else data/mnist).
    #[arg(long)]
    mnist_dir: Option<PathBuf>,
    /// Worker threads, 1 to 256 (default: all cores; results do not depend on it).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Fake targets on or off (default: as the config or the checkpoint says).
    #[arg(long)]
    fake_target: Option<bool>,
    /// The fake targets' scale k (default: as the config or the checkpoint says).
    #[arg(long)]
    fake_k: Option<f32>,
    /// Keep (and test) a moving average of the weights with this half-life in samples
    /// (default: off, or the checkpoint's).
    #[arg(long)]
    weight_average: Option<f64>,
    /// Divergence guard: restore earlier weights when a block's RMS moves by this fraction
    /// (default: off, or the checkpoint's).
    #[arg(long)]
    guard: Option<f64>,
    /// Update every block every tick, as before the deferred updates of the input block
    /// (the same in real arithmetic, slower; bit for bit the older figures).
    #[arg(long)]
    per_tick_updates: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new().num_threads(t as usize).build_global()?;
    }
    let outputs: Vec<(&str, &std::path::Path)> = [("--save", &args.save), ("--out", &args.out)]
        .into_iter()
        .filter_map(|(f, p)| Some((f, p.as_deref()?)))
        .collect();
    let mnist = astdp::data::mnist::input_files(args.mnist_dir.as_deref());
    let mut inputs: Vec<(&str, &std::path::Path)> =
        args.resume.as_deref().map(|p| ("--resume", p)).into_iter().collect();
    inputs.extend(args.config.as_deref().map(|p| ("--config", p)));
    inputs.extend(mnist.iter().map(|f| ("--mnist-dir", f.as_path())));
    astdp::checkpoint::check_outputs(&outputs, &inputs)?;
    let mode = match args.mode {
        CliMode::Supervised => RunMode::Supervised,
        CliMode::Unsupervised => RunMode::Unsupervised,
        CliMode::SelfSupervised => RunMode::SelfSupervised,
        CliMode::Test => RunMode::Test,
    };
    let mut trainer = match (&args.resume, &args.config) {
        (Some(_), Some(_)) => bail!("--resume runs with the checkpoint's config: drop --config"),
        (Some(_), None) if args.seed.is_some() => {
            bail!("--resume goes on with the checkpoint's generator: drop --seed")
        }
        (Some(p), None) => Trainer::load(p).with_context(|| format!("resuming from {}", p.display()))?,
        (None, _) if mode == RunMode::Test => bail!("--mode test needs a trained net: pass --resume CHECKPOINT"),
        (None, c) => Trainer::new(MnistConfig::load(c.as_deref())?.check()?, 784, args.seed.unwrap_or(1))?,
    };
    let o = RunOverrides {
        fake_target: args.fake_target,
        fake_k: args.fake_k,
        weight_average: args.weight_average,
        guard: args.guard,
    };
    trainer.apply(&o).context("--fake-target / --fake-k / --weight-average / --guard")?;
    trainer.sim.set_deferred_updates(!args.per_tick_updates);
    let (train, test) = load(args.mnist_dir.as_deref(), args.train_samples, args.test_samples)?;
    eprintln!("aSTDP {mode:?}, {} train / {} test samples: {}", train.len(), test.len(), trainer.describe());
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let (epochs, output_epochs, decoder_epochs, save) =
        (args.epochs, args.output_epochs, args.decoder_epochs, args.save);
    let spec = RunSpec { mode, epochs, output_epochs, decoder_epochs, save, command };
    let report = run(&mut trainer, &spec, &train, &test, &mut LogProgress::default())?;
    eprintln!("result: {}", report.summary());
    println!("{}", serde_json::to_string(&report)?);
    if let Some(p) = &args.out {
        report.save(p)?;
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
