//! AI-Memory1's "0" schedule (the spec's checks A and B): conv1 learns 1500 steps and
//! conv2 1000 steps on the first 500 training zeros, then conv1 runs frozen on the test
//! zeros.
//!
//! `cargo run --release --example ai_memory1 [-- --config configs/memory1/zero.json]`
//! Writes `plots/ai_memory1.svg` (the long-term conv1 features, one image with its active
//! cells framed before and after competition, feature counts against steps) and
//! `plots/ai_memory1.json`. The rule is deterministic: no seed.

use std::path::PathBuf;

use astdp::experiments::memory1::{ZeroConfig, first_of_digit, run_zero};
use astdp::memory1::Memory;
use astdp::plot::{Figure, Frame, Panel, Series, Shade, Tile};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(
    version,
    about = "AI-Memory1: conv features from one image, competition, short- and long-term memory (checks A, B)"
)]
struct Args {
    #[command(flatten)]
    data: common::DataArgs,
    /// Name of the SVG and JSON files in --out-dir.
    #[arg(long, default_value = "ai_memory1")]
    name: String,
    /// Also save the trained network here (JSON: weights, states, negative totals,
    /// counters; default: not saved).
    #[arg(long)]
    save: Option<PathBuf>,
    /// The probed step drawn with its competition.
    #[arg(long, default_value_t = 2)]
    show_step: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let extra: Vec<(&str, &std::path::Path)> = args.save.iter().map(|s| ("--save", s.as_path())).collect();
    let (mut cfg, svg, json): (ZeroConfig, _, _) = args.data.start(&args.name, &extra, &[])?;
    if !cfg.probe_steps.contains(&args.show_step) {
        cfg.probe_steps.push(args.show_step);
    }
    let (train, test) = args.data.mnist()?;
    let (run, net) = run_zero(&cfg, &train, &test)?;
    if let Some(s) = &args.save {
        net.save(s)?;
    }

    // the long-term features of conv1, in slot order
    let l0 = &net.layers[0];
    let k = l0.params.kernel;
    let mut tiles: Vec<Tile> = (0..l0.params.features)
        .filter(|&f| l0.state[f] == Memory::Long)
        .map(|f| Tile {
            caption: format!("#{f}"),
            width: k,
            height: k,
            values: l0.feature(f)[..k * k].to_vec(),
            shade: Shade::Signed { full: 0.2 },
            frames: vec![],
        })
        .collect();
    // one image with its active cells before and after competition
    let images = first_of_digit(&train, cfg.digit, cfg.images);
    if let Some(p) = run.probes.iter().find(|p| p.step == args.show_step)
        && !images.is_empty()
    {
        let img = images[p.step as usize % images.len()].to_vec();
        let (_, ow) = l0.params.output();
        let s = l0.params.stride;
        let frame = |f: usize, c: usize, stroke| Frame {
            x: (c % ow) * s,
            y: (c / ow) * s,
            width: k,
            height: k,
            color: f,
            stroke,
        };
        let before = p.active_before.iter().map(|&(f, c, _)| frame(f, c, 1)).collect();
        let after = p.groups.iter().map(|g| frame(g[0].0, g[0].1, 2)).collect();
        let (h, w) = l0.params.input;
        for (caption, frames) in [
            (format!("step {}: {} active", p.step, p.active_before.len()), before),
            (format!("after competition: {}", p.groups.len()), after),
        ] {
            tiles.push(Tile { caption, width: w, height: h, values: img.clone(), shade: Shade::Grey, frames });
        }
    }
    // what the second layer's long-term features respond to (mean test image where each wins)
    for r in run.second_layer.iter().filter(|r| !r.mean_image.is_empty()) {
        let (h, w) = l0.params.input;
        let caption = format!("conv2 #{}: {:.0}%", r.slot, 100.0 * r.wins);
        tiles.push(Tile::grey(caption, r.mean_image.clone(), w, h));
    }
    let steps: Vec<f64> = run.counts.iter().map(|c| c.step as f64).collect();
    let series = |name: &str, f: &dyn Fn(&astdp::experiments::memory1::Counts) -> f64, color| {
        Series::line(name, steps.clone(), run.counts.iter().map(f).collect(), color)
    };
    let counts = Panel {
        title: "conv1 features against steps".into(),
        x_label: "step".into(),
        y_label: "features".into(),
        series: vec![
            series("short-term", &|c| c.short as f64, 0),
            series("long-term", &|c| c.long as f64, 1),
            series("forgotten (cumulative)", &|c| c.forgotten as f64, 2),
        ],
    };
    let created = Panel {
        title: "features created per step (steps 0-30)".into(),
        x_label: "step".into(),
        y_label: "created".into(),
        series: vec![Series::dots(
            "created",
            (0..run.created_per_step.len()).map(|s| s as f64).collect(),
            run.created_per_step.iter().map(|&c| c as f64).collect(),
            0,
        )],
    };
    let title = format!(
        "AI-Memory1, \"{}\": {} long-term conv1 features (pink +, blue -), test coverage {:.3}",
        cfg.digit, run.long_term_features, run.test_zero_coverage
    );
    Figure {
        title: &title,
        tiles: &tiles,
        tile_cols: 10,
        scale: 6,
        panels: &[counts, created],
        panel_cols: 2,
        panel_size: (520, 340),
    }
    .write(&svg)?;
    astdp::checkpoint::write_json(&json, &run)?;

    println!("created per step 0-30: {:?}", run.created_per_step);
    println!(
        "long-term conv1 features {} (after steps 499/599/999/1499: {:?}); created {}, forgotten {} ({} by the memory test, the rest at the end of the phase); peak live slots {}",
        run.long_term_features,
        run.long_at,
        run.created_total,
        run.forgotten_total,
        run.forgotten_by_test,
        run.peak_live_slots
    );
    println!(
        "features created per layer {:?}, refused picks per layer {:?}, long-term per layer {:?}",
        run.created_by_layer, run.refused_by_layer, run.long_by_layer
    );
    for r in &run.second_layer {
        println!("  conv2 #{} wins on {:.1}% of the test images", r.slot, 100.0 * r.wins);
    }
    let c = &run.test_coverage;
    println!(
        "check B on {} test images: covered {:.4}, new features per image {:.3}, images needing none {:.3}, ink inside active cells {:.3}",
        c.images, c.covered_fraction, c.new_features_per_image, c.images_needing_none, c.ink_share
    );
    println!("{:.0} steps/s; wrote {} and {}", run.steps_per_s, svg.display(), json.display());
    Ok(())
}
