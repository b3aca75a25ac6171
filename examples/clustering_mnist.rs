//! Clustering neurons on MNIST training images (10 and 100 clusters) against Lloyd's
//! k-means from the same k-means++ start: quantisation error and purity on the test images.
//!
//! `cargo run --release --example clustering_mnist [-- --config FILE --train-samples N]`
//! writes `plots/clustering_mnist.svg` (the neurons' centres of the largest k) and `.json`.
//! MNIST comes from `--mnist-dir`, else `ASTDP_MNIST_DIR`, else `data/mnist`.

use astdp::data::mnist::load;
use astdp::experiments::clustering::{MnistClusteringConfig, mnist};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(version, about = "Clustering neurons against Lloyd's k-means on MNIST")]
struct Args {
    #[command(flatten)]
    common: common::ToyArgs,
    /// The first N training images.
    #[arg(long, default_value_t = 60_000)]
    train_samples: usize,
    /// The first N test images.
    #[arg(long, default_value_t = 10_000)]
    test_samples: usize,
    /// The MNIST folder (default: $ASTDP_MNIST_DIR, else data/mnist).
    #[arg(long)]
    mnist_dir: Option<std::path::PathBuf>,
    /// Also save the trained neurons of the last k here (JSON: settings, centres, wins;
    /// Python reads it with `astdp.ClusteringNeurons.load`; default: not saved).
    #[arg(long)]
    save: Option<std::path::PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let data_files = astdp::data::mnist::input_files(args.mnist_dir.as_deref());
    let inputs: Vec<(&str, &std::path::Path)> = data_files.iter().map(|f| ("--mnist-dir", f.as_path())).collect();
    let extra: Vec<(&str, &std::path::Path)> = args.save.iter().map(|s| ("--save", s.as_path())).collect();
    let cfg: MnistClusteringConfig =
        args.common.start_with(&["clustering_mnist.svg", "clustering_mnist.json"], &extra, &inputs)?;
    let (train, test) = load(args.mnist_dir.as_deref(), args.train_samples, args.test_samples)?;
    let runs = mnist(&cfg, &train, &test, args.common.seed)?;
    println!("    k  method   quantisation_error  purity  samples/s");
    for r in &runs {
        for (name, s) in [("neurons", r.neurons), ("lloyd", r.lloyd)] {
            println!(
                "{:>5}  {name:<7}  {:>18.3}  {:>6.4}  {:>9.0}",
                r.k,
                s.quantisation_error,
                s.purity.unwrap_or(f64::NAN),
                s.samples_per_s
            );
        }
    }
    let last = runs.last().ok_or_else(|| anyhow::anyhow!("no cluster count given (config field `ks`)"))?;
    if let Some(path) = &args.save {
        last.neurons_trained.save(path)?;
    }
    let cells: Vec<(String, Vec<f32>)> = last
        .neurons_trained
        .centres()
        .chunks_exact(train.pixels())
        .enumerate()
        .map(|(k, c)| (k.to_string(), c.to_vec()))
        .collect();
    let svg = args.common.out("clustering_mnist.svg");
    let title =
        format!("The {} clustering neurons' centres after {} passes (seed {})", last.k, cfg.epochs, args.common.seed);
    astdp::plot::image_grid_svg(&svg, &title, &cells, train.cols, train.rows, 10)?;
    #[derive(serde::Serialize)]
    struct Run {
        k: usize,
        neurons: astdp::experiments::clustering::Score,
        lloyd: astdp::experiments::clustering::Score,
    }
    #[derive(serde::Serialize)]
    struct Out<'a> {
        config: &'a MnistClusteringConfig,
        seed: u64,
        train_samples: usize,
        test_samples: usize,
        runs: Vec<Run>,
    }
    let out = Out {
        config: &cfg,
        seed: args.common.seed,
        train_samples: train.len(),
        test_samples: test.len(),
        runs: runs.iter().map(|r| Run { k: r.k, neurons: r.neurons, lloyd: r.lloyd }).collect(),
    };
    astdp::checkpoint::write_json(args.common.out("clustering_mnist.json"), &out)?;
    println!("wrote {}", svg.display());
    Ok(())
}
