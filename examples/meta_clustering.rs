//! Meta-clustering: clusterers whose input masks compete for the inputs. Four scenes, seeds
//! 1-5 each: MNIST with 2 clusterers, two digits side by side, and grouped one-hot codes
//! (5 groups of 5, 10 groups of 10).
//!
//! `cargo run --release --example meta_clustering [-- --scenes onehot_5x5 --seeds 5]`
//! writes `plots/meta_clustering_<scene>.svg` (the masks of seed 1; images for the MNIST
//! scenes, else rows = clusterers, columns = inputs) and `plots/meta_clustering.json`.

use astdp::data::mnist::load;
use astdp::experiments::clustering::{MetaClusteringConfig, Scene, SceneRun, scene};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(version, about = "Meta-clustering: masks that compete for the inputs")]
struct Args {
    #[command(flatten)]
    common: common::ToyArgs,
    /// Number of seeds per scene.
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// Scenes to run (mnist_2, double_digits, onehot_5x5, onehot_10x10).
    #[arg(long, value_delimiter = ',', default_value = "mnist_2,double_digits,onehot_5x5,onehot_10x10")]
    scenes: Vec<String>,
    /// The MNIST folder, for the MNIST scenes (default: $ASTDP_MNIST_DIR, else data/mnist).
    #[arg(long)]
    mnist_dir: Option<std::path::PathBuf>,
}

#[derive(serde::Serialize)]
struct Summary {
    scene: Scene,
    runs: Vec<SceneRun>,
    mean: Mean,
}

/// The mean over seeds of each measure the scene has.
#[derive(serde::Serialize)]
struct Mean {
    #[serde(skip_serializing_if = "Option::is_none")]
    split_purity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mask_ari: Option<f64>,
    reconstruction_error: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    single_group_error: Option<f64>,
}

/// A measure the scene may lack, for the table ("-" when it does).
fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"))
}

/// The scene's name in configs and on the command line.
fn scene_name(sc: Scene) -> String {
    serde_json::to_value(sc).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

fn mean_of(runs: &[SceneRun], f: impl Fn(&SceneRun) -> Option<f64>) -> Option<f64> {
    let v: Vec<f64> = runs.iter().filter_map(f).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cfg: MetaClusteringConfig = args.common.start(&["meta_clustering.json"])?;
    let scenes: Vec<Scene> = args
        .scenes
        .iter()
        .map(|s| serde_json::from_value(serde_json::Value::String(s.clone())))
        .collect::<Result<_, _>>()?;
    // every scene's settings checked before any scene runs
    for &sc in &scenes {
        cfg.scene(sc).params(sc).map_err(|e| anyhow::anyhow!("scene {}: {e}", scene_name(sc)))?;
    }
    let needs_mnist = scenes.iter().any(|s| matches!(s, Scene::Mnist2 | Scene::DoubleDigits));
    let mnist = if needs_mnist { Some(load(args.mnist_dir.as_deref(), usize::MAX, 0)?.0) } else { None };
    let mut out = Vec::new();
    for &sc in &scenes {
        let runs: Vec<SceneRun> = args
            .common
            .seeds(args.seeds)?
            .map(|seed| scene(sc, cfg.scene(sc), mnist.as_ref(), seed))
            .collect::<Result<_, _>>()?;
        for r in &runs {
            println!(
                "{} seed {}: split purity {}, mask ARI {}, reconstruction error {:.5}, single group {}",
                scene_name(sc),
                r.seed,
                opt(r.split_purity),
                opt(r.mask_ari),
                r.reconstruction_error,
                opt(r.single_group_error)
            );
        }
        let mean = Mean {
            split_purity: mean_of(&runs, |r| r.split_purity),
            mask_ari: mean_of(&runs, |r| r.mask_ari),
            reconstruction_error: runs.iter().map(|r| r.reconstruction_error).sum::<f64>() / runs.len() as f64,
            single_group_error: mean_of(&runs, |r| r.single_group_error),
        };
        println!(
            "{} mean of {} seeds: split purity {}, mask ARI {}, reconstruction error {:.5}, single group {}",
            scene_name(sc),
            runs.len(),
            opt(mean.split_purity),
            opt(mean.mask_ari),
            mean.reconstruction_error,
            opt(mean.single_group_error)
        );
        let first = &runs[0];
        let name = serde_json::to_value(sc)?.as_str().unwrap_or("scene").to_string();
        let svg = args.common.out(&format!("meta_clustering_{name}.svg"));
        let title = format!("{name}, seed {}: masks (dark: seen)", first.seed);
        let rows = sc.clusterers();
        let dim = first.masks.len() / rows;
        if first.width > 0 {
            let cells: Vec<(String, Vec<f32>)> = first
                .masks
                .chunks_exact(dim)
                .enumerate()
                .map(|(j, mk)| (format!("clusterer {j}"), mk.to_vec()))
                .collect();
            astdp::plot::image_grid_svg(&svg, &title, &cells, first.width, dim / first.width, 2)?;
        } else {
            // the write-up's matrix: a row per clusterer, a column per input, blown up
            let (sx, sy) = ((200 / dim).max(1), 8);
            let big: Vec<f32> = (0..rows * sy)
                .flat_map(|r| (0..dim * sx).map(move |c| (r / sy, c / sx)))
                .map(|(j, d)| first.masks[j * dim + d])
                .collect();
            let cells = vec![("rows: clusterers, columns: inputs".to_string(), big)];
            astdp::plot::image_grid_svg(&svg, &title, &cells, dim * sx, rows * sy, 1)?;
        }
        out.push(Summary { scene: sc, runs, mean });
    }
    #[derive(serde::Serialize)]
    struct Out<'a> {
        config: &'a MetaClusteringConfig,
        scenes: Vec<Summary>,
    }
    astdp::checkpoint::write_json(args.common.out("meta_clustering.json"), &Out { config: &cfg, scenes: out })?;
    Ok(())
}
