//! Recall by label with variety (memory association's long-term memory, issue 29): from
//! the aSTDP net (the label clamped, the image free, the model's own randomness as the
//! source of variety: a wider random initial state, fake targets during recall, hidden
//! noise), and from the paper's conditional VAEs, types A and B, trained from the
//! short-term memory. For each, the recognisability of the recalled digits (the share
//! that a backprop MLP trained on MNIST assigns to the requested label) and their variety
//! (mean pairwise distance over that of real test digits of the label); for type B, its
//! encoder's mean as a classifier.
//!
//! `cargo run --release --example memory_recall [-- --resume runs/recall_generator.ckpt.json]`
//! needs a net trained with a decoder stage: `cargo run --release --example results --
//! run recall_generator` makes that checkpoint (784-512-10, unsupervised, then a decoder epoch on 10,000 images).
//! Writes `plots/memory_recall.svg` and `.json`.

use std::path::PathBuf;

use astdp::experiments::association::{RecallConfig, recall_with_variety};
use astdp::learners::Trainer;
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
    /// Recalled digits drawn per label and model.
    #[arg(long, default_value_t = 5)]
    per_label: usize,
    /// Folder where the trained long-term memories are kept; a later run with the same
    /// settings reads them instead of training them again (the figure is the same)
    #[arg(long)]
    memories: Option<PathBuf>,
}

#[derive(serde::Serialize)]
struct Model {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    setting: Option<astdp::learners::Variety>,
    recognisability: f64,
    variety: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    classifier_accuracy: Option<f64>,
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
    let result = recall_with_variety(&net, &cfg, &train, &test, args.memories.as_deref())?;

    // the best setting: the one closest to both targets of the issue (recognisability
    // 0.9, variety 0.5), the largest min(recognisability / 0.9, variety / 0.5)
    let score = |k: usize| (result.points[k].recognisability / 0.9).min(result.points[k].variety_ratio / 0.5);
    let best = (0..result.points.len())
        .max_by(|&a, &b| score(a).total_cmp(&score(b)))
        .ok_or_else(|| anyhow::anyhow!("no recall settings in the config"))?;
    let p = &result.points[best];
    let shown = args.per_label.min(cfg.per_label);
    let mut tiles = Vec::new();
    let mut grids: Vec<(String, &Vec<Vec<f32>>)> = vec![("aSTDP".to_string(), &result.images[best])];
    for (lt, imgs) in result.long_term.iter().zip(&result.long_term_images) {
        grids.push((format!("type {} (latent {})", lt.config.kind, lt.config.latent), imgs));
    }
    // a row per label, a block of columns per model
    for c in 0..10 {
        for (name, imgs) in &grids {
            for j in 0..shown {
                let caption = if j == 0 { format!("{name}: {c}") } else { String::new() };
                tiles.push(Tile::grey(caption, imgs[c * cfg.per_label + j].clone(), 28, 28));
            }
        }
    }
    let tradeoff = Panel {
        title: "recall: recognisability against variety, one dot per setting".into(),
        x_label: "variety (recalled / real pairwise distance)".into(),
        y_label: "recognisability".into(),
        series: std::iter::once(Series::dots(
            "aSTDP, one per setting",
            result.points.iter().map(|p| p.variety_ratio).collect(),
            result.points.iter().map(|p| p.recognisability).collect(),
            0,
        ))
        .chain(result.long_term.iter().enumerate().map(|(k, lt)| {
            let name = format!("type {}, latent {}", lt.config.kind, lt.config.latent);
            Series::dots(name, vec![lt.variety_ratio], vec![lt.recognisability], k + 1)
        }))
        .collect(),
    };
    let v = &p.variety;
    let title = format!(
        "Recall by label: aSTDP (hidden noise {}, init spread {:?}), type A (latent 16, 4), type B",
        v.hidden_noise, v.init_spread
    );
    Figure {
        title: &title,
        tiles: &tiles,
        tile_cols: shown * grids.len(),
        scale: 2,
        panels: &[tradeoff],
        panel_cols: 1,
        panel_size: (760, 400),
    }
    .write(&svg)?;
    let mut models = vec![Model {
        name: "astdp".into(),
        setting: Some(p.variety),
        recognisability: p.recognisability,
        variety: p.variety_ratio,
        classifier_accuracy: None,
    }];
    for lt in &result.long_term {
        models.push(Model {
            name: format!("type_{:?}_latent_{}", lt.config.kind, lt.config.latent).to_lowercase(),
            setting: None,
            recognisability: lt.recognisability,
            variety: lt.variety_ratio,
            classifier_accuracy: lt.classifier_accuracy,
        });
    }
    astdp::checkpoint::write_json(
        &json,
        &Out { checkpoint: args.resume.display().to_string(), models, result: &result },
    )?;

    println!("classifier test accuracy {:.4}", result.classifier_accuracy);
    println!("setting                                              recognisability  variety");
    for q in &result.points {
        println!("{:<52} {:>15.3} {:>8.3}", q.variety.to_string(), q.recognisability, q.variety_ratio);
    }
    for lt in &result.long_term {
        println!(
            "long-term type {}, latent {}: recognisability {:.3}, variety {:.3}{}; final loss {:.1}, {:.0} steps/s",
            lt.config.kind,
            lt.config.latent,
            lt.recognisability,
            lt.variety_ratio,
            lt.classifier_accuracy
                .map_or(String::new(), |a| format!(", its encoder as a classifier {:.2}%", 100.0 * a)),
            lt.final_loss,
            lt.steps_per_s
        );
    }
    println!("aSTDP's best: {}; wrote {} and {}", p.variety, svg.display(), json.display());
    Ok(())
}
