//! Draws `plots/mnist_curves.svg` from results files: test accuracy against inference
//! iterations (read at 10, 20, 40, 80, 160 iterations of the same test pass) and the
//! weight-symmetry measure corr(W_ij, W_ji) over training.
//!
//! `cargo run --release --example mnist_curves [-- --runs NAME,NAME]` (names of
//! `results/index.csv` rows; the default is the set shown in the README).

use std::path::{Path, PathBuf};

use anyhow::Context;
use astdp::plot::{Panel, Series, panels_svg};
use astdp::results::{RunReport, read_index};
use clap::Parser;

const DEFAULT_RUNS: &str = "supervised_astdp_ep_knobs_pair_32_1_10ep,\
    deep2_no_fake_alpha_0.005_decay_60k_mean_pre_pair_16_4_1_7ep,\
    deep3_no_fake_alpha_0.005_decay_60k_mean_pre_pair_64_16_4_1_4ep,supervised_decay_20k_3ep,\
    supervised_symmetric_init_decay_20k_2ep,supervised_decay_30k_3ep,no_fake_decay_15k,unsupervised_decay_15k,\
    self_supervised,ep_symmetric_fast_pair_32_1_10ep,ep_symmetric_fast_10ep,\
    deep2_no_fake_alpha_0.005_decay_20k_pair_16_4_1,deep2_alpha_0.005_decay_20k,deep3_alpha_0.005_decay_20k,ep";

#[derive(Parser)]
#[command(version, about = "Draw accuracy against inference iterations and weight symmetry from MNIST results files")]
struct Args {
    /// Rows of results/index.csv to draw, comma separated.
    #[arg(long, value_delimiter = ',', default_value = DEFAULT_RUNS)]
    runs: Vec<String>,
    /// The SVG to write.
    #[arg(long, default_value = "plots/mnist_curves.svg")]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rows = read_index(Path::new("."))?;
    let reports: Vec<std::path::PathBuf> = rows.iter().map(|r| r.results_path()).collect();
    let inputs: Vec<(&str, &Path)> = reports.iter().map(|p| ("--runs", p.as_path())).collect();
    astdp::checkpoint::check_outputs(&[("--out", &args.out)], &inputs)?;
    let (mut acc, mut sym) = (Vec::new(), Vec::new());
    for (k, name) in args.runs.iter().map(|n| n.trim()).enumerate() {
        let row =
            rows.iter().find(|r| r.name == name).with_context(|| format!("no row {name} in results/index.csv"))?;
        let r = RunReport::load(row.results_path())
            .with_context(|| format!("run `cargo run --release --example results -- run {name}` first"))?;
        let (x, y): (Vec<f64>, Vec<f64>) = r.accuracy_at.iter().map(|&(i, a)| (i as f64, a)).unzip();
        acc.push(Series::line(name.to_string(), x, y, k));
        let (x, y): (Vec<f64>, Vec<f64>) = r.symmetry.iter().map(|&(n, s)| (n as f64, s)).unzip();
        sym.push(Series::line(name.to_string(), x, y, k));
    }
    let panel = |title: &str, x_label: &str, y_label: &str, series| Panel {
        title: title.into(),
        x_label: x_label.into(),
        y_label: y_label.into(),
        series,
    };
    let panels = vec![
        panel("test accuracy against inference iterations", "iterations per test sample", "test accuracy", acc),
        panel("weight symmetry during training", "training samples seen", "corr(W_ij, W_ji)", sym),
    ];
    panels_svg(&args.out, "aSTDP on MNIST, beyond the paper", &panels, 2, (620, 420))?;
    println!("wrote {}", args.out.display());
    Ok(())
}
