//! Conditional generation (figure 2) from a trained net: the label clamped, the image free.
//! `cargo run --release --example mnist_generate -- --resume CHECKPOINT` draws eight
//! digits of each label into `plots/mnist_generation.svg`. A net trained with hard-clamped
//! images needs decoder epochs first (`mnist --decoder-epochs 1`): see docs/mnist.md.

use std::path::PathBuf;

use anyhow::Context;
use astdp::learners::Trainer;
use clap::Parser;

#[derive(Parser, Debug)]
#[command(version, about = "Draw digits from a trained aSTDP net, its label clamped")]
struct Args {
    /// The trained net (a checkpoint saved by the mnist example with --save).
    #[arg(long)]
    resume: PathBuf,
    /// Seed of the initial states and fake targets.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Images per label.
    #[arg(long, default_value_t = 8)]
    per_label: usize,
    /// The SVG to write.
    #[arg(long, default_value = "plots/mnist_generation.svg")]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    astdp::checkpoint::check_outputs(&[("--out", &args.out)], &[("--resume", &args.resume)])?;
    let trainer = Trainer::load(&args.resume).with_context(|| format!("loading {}", args.resume.display()))?;
    let cells = trainer.generate_digits(args.per_label, args.seed)?;
    let title = "Generated digits: label clamped, image free (weak net, rho(s))";
    astdp::plot::image_grid_svg(&args.out, title, &cells, 28, 28, 10)?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}
