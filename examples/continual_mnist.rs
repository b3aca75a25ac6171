//! Class-incremental split MNIST (van de Ven & Tolias 2019): digits {0,1}, {2,3}, {4,5},
//! {6,7}, {8,9} learned one after the other, tested after each context on every digit
//! seen, by the supervised aSTDP net and the backprop MLP under four strategies: none,
//! joint (the upper bound), replay of B real samples per class, and dreams recalled from
//! a long-term memory (a type B conditional VAE, or the aSTDP net's own recall). Every
//! strategy makes the same number of weight updates per context.
//!
//! `cargo run --release --example continual_mnist [-- --config configs/continual/split_mnist.json]`
//! The trade-off of dreams per real sample and a longer budget:
//! `--config configs/continual/dream_share.json --name continual_share --out-dir plots`,
//! `--config configs/continual/long_budget.json --name continual_long --out-dir plots`.
//! `--memories runs/memories` keeps each memory's run (the CVAE's training is most of the
//! default run's time) and reads it back in later runs with the same settings. Needs
//! the cargo feature `cvae` for the runs that name a CVAE: `cargo run --release
//! --features cvae --example continual_mnist`.
//! Writes `plots/continual_mnist.svg` (dreams of the last context; accuracy on the digits
//! seen against contexts; per-digit accuracy at the end) and `.json`.

use astdp::experiments::continual::{ContinualConfig, run_continual};
use astdp::plot::{Figure, Panel, Series, Tile};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(
    version,
    about = "Class-incremental split MNIST: aSTDP and an MLP with no memory, joint training, replay and dreams"
)]
struct Args {
    #[command(flatten)]
    data: common::DataArgs,
    /// Name of the outputs (NAME.svg, NAME.json in the out folder), for a scan beside the
    /// main run
    #[arg(long, default_value = "continual_mnist")]
    name: String,
    /// Folder where the run of each memory that dreams its own dreams is kept (per
    /// memory and seed: its records and its learner at each dream phase); a later run
    /// with the same settings reads it instead of training the memory again
    #[arg(long)]
    memories: Option<std::path::PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (cfg, svg, json): (ContinualConfig, _, _) = args.data.start(&args.name, &[], &[])?;
    cfg.validate()?;
    let (train, test) = args.data.mnist()?;
    let result = run_continual(&cfg, &train, &test, args.memories.as_deref())?;

    let names: Vec<String> = cfg
        .runs
        .iter()
        .map(|spec| format!("{} {}", spec.learner, astdp::experiments::continual::describe(spec)))
        .collect();
    let contexts: Vec<f64> = (1..=cfg.plan.contexts.len()).map(|k| k as f64).collect();
    let digits: Vec<f64> = (0..10).map(|c| c as f64).collect();
    let (mut over_time, mut at_end) = (Vec::new(), Vec::new());
    for (k, (r, name)) in result.runs.iter().zip(&names).enumerate().filter(|(_, (r, _))| r.final_mean.is_finite()) {
        let mean: Vec<f64> = (0..contexts.len())
            .map(|c| r.accuracy_after_context.iter().map(|a| a[c]).sum::<f64>() / r.seeds.len() as f64)
            .collect();
        let label = format!("{name} ({:.1}%)", 100.0 * r.final_mean);
        over_time.push(Series::line(label, contexts.clone(), mean, k));
        at_end.push(Series::line(name.clone(), digits.clone(), r.final_per_class.clone(), k));
    }
    let panels = [
        Panel {
            title: format!("accuracy on all digits seen (mean of seeds {:?})", cfg.seeds),
            x_label: "contexts learned".into(),
            y_label: "test accuracy".into(),
            series: over_time,
        },
        Panel {
            title: "per digit, after the last context".into(),
            x_label: "digit".into(),
            y_label: "test accuracy".into(),
            series: at_end,
        },
    ];
    let tiles: Vec<Tile> = result
        .dream_samples
        .iter()
        .flat_map(|(memory, images)| {
            images.iter().step_by(2).map(move |(c, im)| Tile::grey(format!("{memory} {c}"), im.clone(), 28, 28))
        })
        .collect();
    let title = format!(
        "Class-incremental split MNIST, {} updates of {} per context (dreams of the last context above)",
        cfg.plan.updates, cfg.astdp.batch
    );
    Figure {
        title: &title,
        tiles: &tiles,
        tile_cols: 16,
        scale: 2,
        panels: &panels,
        panel_cols: 2,
        panel_size: (620, 420),
    }
    .write(&svg)?;
    astdp::checkpoint::write_json(&json, &result)?;

    println!("learner strategy        final (mean +- sd)   after each context (seed {})", cfg.seeds[0]);
    for (r, name) in result.runs.iter().zip(&names) {
        let first: Vec<String> = r.accuracy_after_context[0].iter().map(|a| format!("{a:.3}")).collect();
        println!("{:<24} {:>6.2}% +- {:>5.2}   {}", name, 100.0 * r.final_mean, 100.0 * r.final_sd, first.join(" "));
    }
    println!("wrote {} and {}", svg.display(), json.display());
    Ok(())
}
