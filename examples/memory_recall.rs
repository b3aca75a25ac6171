//! Recall by label with variety from the aSTDP net (memory association's long-term
//! memory, issue 29): the label clamped, the image free, and the model's own randomness
//! as the source of variety (a wider random initial state, fake targets left on during
//! recall). For each setting, the recognisability of the recalled digits (the share that
//! a backprop MLP trained on MNIST assigns to the requested label) and their variety
//! (mean pairwise distance over that of real test digits of the label).
//!
//! `cargo run --release --example memory_recall [-- --resume runs/recall_generator.ckpt.json]`
//! needs a net trained with a decoder stage: `cargo run --release --example results --
//! run recall_generator` makes that checkpoint (784-512-10, unsupervised, then a decoder epoch on 10,000 images).
//! Writes `plots/memory_recall.svg` and `.json`.

use std::path::PathBuf;

use astdp::experiments::association::{RecallConfig, recall_with_variety};
use astdp::experiments::mnist::Trainer;
use astdp::plot::{Figure, Panel, Series, Tile};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(version, about = "Recall by label with variety from a trained aSTDP net: recognisability against variety")]
struct Args {
    /// The trained net (a checkpoint of the mnist example with --decoder-epochs).
    #[arg(long, default_value = "runs/recall_generator.ckpt.json")]
    resume: PathBuf,
    #[command(flatten)]
    data: common::DataArgs,
    /// Recalled digits drawn per label.
    #[arg(long, default_value_t = 8)]
    per_label: usize,
}

#[derive(serde::Serialize)]
struct Model {
    name: &'static str,
    setting: astdp::experiments::mnist::Variety,
    recognisability: f64,
    variety: f64,
}

#[derive(serde::Serialize)]
struct Out<'a> {
    checkpoint: String,
    models: Vec<Model>,
    result: &'a astdp::experiments::association::RecallResult,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (cfg, svg, json): (RecallConfig, _, _) =
        args.data.start("memory_recall", &[], &[("--resume", &args.resume)])?;
    let net = Trainer::load(&args.resume)?;
    let (train, test) = args.data.mnist()?;
    let result = recall_with_variety(&net, &cfg, &train, &test)?;

    // the best setting: the one closest to both targets of the issue (recognisability
    // 0.9, variety 0.5), the largest min(recognisability / 0.9, variety / 0.5)
    let score = |k: usize| (result.points[k].recognisability / 0.9).min(result.points[k].variety_ratio / 0.5);
    let best = (0..result.points.len())
        .max_by(|&a, &b| score(a).total_cmp(&score(b)))
        .ok_or_else(|| anyhow::anyhow!("no recall settings in the config"))?;
    let p = &result.points[best];
    let shown = args.per_label.min(cfg.per_label);
    let mut tiles = Vec::new();
    for c in 0..10 {
        for j in 0..shown {
            let img = result.images[best][c * cfg.per_label + j].clone();
            tiles.push(Tile::grey(if j == 0 { c.to_string() } else { String::new() }, img, 28, 28));
        }
    }
    let tradeoff = Panel {
        title: "recall: recognisability against variety, one dot per setting".into(),
        x_label: "variety (recalled / real pairwise distance)".into(),
        y_label: "recognisability".into(),
        series: vec![Series::dots(
            "aSTDP",
            result.points.iter().map(|p| p.variety_ratio).collect(),
            result.points.iter().map(|p| p.recognisability).collect(),
            0,
        )],
    };
    let v = &p.variety;
    let title = format!(
        "aSTDP recall (hidden noise {}, init spread {:?}, fake k {:?}): recognisability {:.2}, variety {:.2}",
        v.hidden_noise, v.init_spread, v.fake_k, p.recognisability, p.variety_ratio
    );
    Figure {
        title: &title,
        tiles: &tiles,
        tile_cols: shown,
        scale: 3,
        panels: &[tradeoff],
        panel_cols: 1,
        panel_size: (560, 360),
    }
    .write(&svg)?;
    let models =
        vec![Model { name: "astdp", setting: p.variety, recognisability: p.recognisability, variety: p.variety_ratio }];
    astdp::checkpoint::write_json(
        &json,
        &Out { checkpoint: args.resume.display().to_string(), models, result: &result },
    )?;

    println!("classifier test accuracy {:.4}", result.classifier_accuracy);
    println!("setting                                              recognisability  variety");
    for q in &result.points {
        println!("{:<52} {:>15.3} {:>8.3}", format!("{:?}", q.variety), q.recognisability, q.variety_ratio);
    }
    println!("best: {:?}; wrote {} and {}", p.variety, svg.display(), json.display());
    Ok(())
}
