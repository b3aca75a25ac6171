//! Clustering neurons on 2-D points from a mixture of Gaussians, against Lloyd's k-means
//! from the same k-means++ start.
//!
//! `cargo run --release --example clustering_points [-- --seeds 5 --config FILE --out-dir plots]`
//! writes `plots/clustering_points.svg` (seed 1: points, both sets of centres) and `.json`.

use astdp::experiments::clustering::{PointsConfig, PointsRun, Score, points};
use astdp::plot::{Panel, Series, panels_svg};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(version, about = "Clustering neurons against Lloyd's k-means on 2-D points")]
struct Args {
    #[command(flatten)]
    common: common::ToyArgs,
    /// Number of seeds (the plot shows the first).
    #[arg(long, default_value_t = 5)]
    seeds: u64,
}

fn mean(runs: &[PointsRun], f: impl Fn(&PointsRun) -> Score) -> Score {
    let n = runs.len() as f64;
    Score {
        quantisation_error: runs.iter().map(|r| f(r).quantisation_error).sum::<f64>() / n,
        purity: None,
        samples_per_s: runs.iter().map(|r| f(r).samples_per_s).sum::<f64>() / n,
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cfg: PointsConfig = args.common.start(&["clustering_points.svg", "clustering_points.json"])?;
    let runs = args.common.seeds(args.seeds)?.map(|s| points(&cfg, s)).collect::<Result<Vec<_>, _>>()?;
    println!("seed  neurons_qe  lloyd_qe  ratio  neurons/s  lloyd rows/s");
    for r in &runs {
        println!(
            "{:>4}  {:>10.6}  {:>8.6}  {:>5.3}  {:>9.0}  {:>12.0}",
            r.seed,
            r.neurons.quantisation_error,
            r.lloyd.quantisation_error,
            r.ratio,
            r.neurons.samples_per_s,
            r.lloyd.samples_per_s
        );
    }
    let r = &runs[0];
    let xy = |v: &[f32]| -> (Vec<f64>, Vec<f64>) { v.chunks_exact(2).map(|p| (p[0] as f64, p[1] as f64)).unzip() };
    let (px, py) = xy(&r.points);
    let (nx, ny) = xy(&r.neuron_centres);
    let (lx, ly) = xy(&r.lloyd_centres);
    let panel = Panel {
        title: format!(
            "seed {}: quantisation error {:.5} (neurons) / {:.5} (Lloyd)",
            r.seed, r.neurons.quantisation_error, r.lloyd.quantisation_error
        ),
        x_label: "x".into(),
        y_label: "y".into(),
        series: vec![
            Series::dots("points", px, py, 7),
            Series::dots("Lloyd", lx, ly, 0),
            Series::dots("neurons", nx, ny, 1),
        ],
    };
    let svg = args.common.out("clustering_points.svg");
    panels_svg(&svg, "Clustering neurons (online, first spike wins) against Lloyd's k-means", &[panel], 1, (620, 560))?;
    #[derive(serde::Serialize)]
    struct Seed {
        seed: u64,
        neurons: Score,
        lloyd: Score,
        ratio: f64,
    }
    #[derive(serde::Serialize)]
    struct Out<'a> {
        config: &'a PointsConfig,
        runs: Vec<Seed>,
        neurons: Score,
        lloyd: Score,
        ratio: f64,
    }
    let out = Out {
        config: &cfg,
        runs: runs.iter().map(|r| Seed { seed: r.seed, neurons: r.neurons, lloyd: r.lloyd, ratio: r.ratio }).collect(),
        neurons: mean(&runs, |r| r.neurons),
        lloyd: mean(&runs, |r| r.lloyd),
        ratio: runs.iter().map(|r| r.ratio).sum::<f64>() / runs.len() as f64,
    };
    astdp::checkpoint::write_json(args.common.out("clustering_points.json"), &out)?;
    println!("mean ratio {:.4}; wrote {}", out.ratio, svg.display());
    Ok(())
}
