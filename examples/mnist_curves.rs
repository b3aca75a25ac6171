//! Draws `plots/mnist_curves.svg` from the results files of `scripts/mnist-results.sh`:
//! test accuracy against inference iterations (read at 10, 20, 40, 80, 160 iterations of
//! the same test pass) and the weight-symmetry measure corr(W_ij, W_ji) over training.
//!
//! `cargo run --release --example mnist_curves [-- --dir plots]`

use astdp::plot::{Panel, Series, panels_svg};
use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Folder with the `mnist_*.json` results; the SVG is written there too.
    #[arg(long, default_value = "plots")]
    dir: std::path::PathBuf,
    /// Only these runs (names without `mnist_` and `.json`, comma separated); default all.
    #[arg(long, value_delimiter = ',')]
    runs: Option<Vec<String>>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(&args.dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("mnist_") && n.ends_with(".json"))
        })
        .collect();
    names.sort();
    if let Some(runs) = &args.runs {
        let stem = |p: &std::path::PathBuf| {
            p.file_stem().and_then(|s| s.to_str()).map(|s| s.trim_start_matches("mnist_").to_string())
        };
        for r in runs {
            if !names.iter().any(|p| stem(p).as_deref() == Some(r.as_str())) {
                anyhow::bail!("no results file {}/mnist_{r}.json", args.dir.display());
            }
        }
        names.retain(|p| stem(p).is_some_and(|s| runs.contains(&s)));
    }
    let (mut acc, mut sym) = (Vec::new(), Vec::new());
    for (k, path) in names.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let label = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?").trim_start_matches("mnist_").to_string();
        if let Some(points) = v["accuracy_at"].as_array() {
            let (x, y): (Vec<f64>, Vec<f64>) =
                points.iter().filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?))).unzip();
            acc.push(Series::line(label.clone(), x, y, k));
        }
        if let Some(points) = v["symmetry"].as_array() {
            let (x, y): (Vec<f64>, Vec<f64>) =
                points.iter().filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?))).unzip();
            sym.push(Series::line(label, x, y, k));
        }
    }
    if acc.is_empty() && sym.is_empty() {
        anyhow::bail!(
            "no results with accuracy_at or symmetry in {}: run scripts/mnist-results.sh first",
            args.dir.display()
        );
    }
    let panels = vec![
        Panel {
            title: "test accuracy against inference iterations".into(),
            x_label: "iterations per test sample".into(),
            y_label: "test accuracy".into(),
            series: acc,
        },
        Panel {
            title: "weight symmetry during training".into(),
            x_label: "training samples seen".into(),
            y_label: "corr(W_ij, W_ji)".into(),
            series: sym,
        },
    ];
    let out = args.dir.join("mnist_curves.svg");
    panels_svg(&out, "aSTDP on MNIST, beyond the paper", &panels, 2, (620, 420))?;
    println!("wrote {}", out.display());
    Ok(())
}
