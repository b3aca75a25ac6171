//! AI-Memory1 learning digit after digit on one network (the spec's check C, then all
//! ten digits): the same schedule per digit (conv1 1500 steps, conv2 1000) on its first
//! 500 training images. After each stage: the long-term features added, whether every
//! earlier one is bit-for-bit unchanged, check B's coverage of each learned digit's
//! test images, and a readout that names the digit of a test image by the nearest
//! class mean of conv1's feature maps (beside the same on feature histograms and on raw
//! pixels, a baseline without a learning rule).
//!
//! `cargo run --release --example ai_memory1_accumulate [-- --config configs/memory1/accumulate.json]`
//! Writes `plots/ai_memory1_accumulate.svg` and `.json`. Deterministic: no seed.

use astdp::experiments::memory1::{AccumulateConfig, run_accumulate};
use astdp::memory1::Memory;
use astdp::plot::{Figure, Panel, Series, Shade, Tile};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(version, about = "AI-Memory1: learning digit after digit without changing what was learned (check C)")]
struct Args {
    #[command(flatten)]
    data: common::DataArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (cfg, svg, json): (AccumulateConfig, _, _) = args.data.start("ai_memory1_accumulate", &[], &[])?;
    let (train, test) = args.data.mnist()?;
    let (run, net) = run_accumulate(&cfg, &train, &test)?;

    // the long-term conv1 features, a row per stage
    let l0 = &net.layers[0];
    let k = l0.params.kernel;
    let mut tiles = Vec::new();
    let mut first = 0;
    for s in &run.stages {
        for f in first..first + s.long_added {
            debug_assert_eq!(l0.state[f], Memory::Long);
            let caption = if f == first { format!("\"{}\" #{f}", s.digit) } else { format!("#{f}") };
            let values = l0.feature(f)[..k * k].to_vec();
            tiles.push(Tile {
                caption,
                width: k,
                height: k,
                values,
                shade: Shade::Signed { full: 0.2 },
                frames: vec![],
            });
        }
        first += s.long_added;
    }
    let learned: Vec<f64> = (1..=run.stages.len()).map(|n| n as f64).collect();
    let several: Vec<(f64, &astdp::experiments::memory1::Stage)> =
        learned.iter().copied().zip(&run.stages).filter(|(_, s)| s.accuracy_after_stage.is_some()).collect();
    let line = |name: &str, f: &dyn Fn(&astdp::experiments::memory1::Stage) -> f64, color| {
        Series::line(name, several.iter().map(|p| p.0).collect(), several.iter().map(|p| f(p.1)).collect(), color)
    };
    // the coverage and per-digit columns follow the first digit learned
    let first = run.stages.first().map_or(0, |s| s.digit);
    let accuracy = Panel {
        title: "test accuracy on the digits learned so far".into(),
        x_label: "digits learned".into(),
        y_label: "accuracy".into(),
        series: vec![
            line("feature maps", &|s| s.accuracy_after_stage.unwrap_or(f64::NAN), 0),
            line("feature histograms", &|s| s.histogram_accuracy.unwrap_or(f64::NAN), 1),
            line("raw pixels (no learning rule)", &|s| s.pixel_baseline_accuracy.unwrap_or(f64::NAN), 7),
            line(
                &format!("digit {first} (feature maps)"),
                &|s| s.per_digit_accuracy.first().map_or(f64::NAN, |p| p.1),
                2,
            ),
        ],
    };
    let zero_cov: Vec<f64> = run.stages.iter().map(|s| s.coverage.first().map_or(f64::NAN, |c| c.1)).collect();
    let coverage = Panel {
        title: format!("check B coverage of the test {first}s (the first digit learned)"),
        x_label: "digits learned".into(),
        y_label: "covered fraction".into(),
        series: vec![Series::line(format!("test {first}s covered"), learned.clone(), zero_cov, 2)],
    };
    let features = Panel {
        title: "long-term conv1 features".into(),
        x_label: "digits learned".into(),
        y_label: "features".into(),
        series: vec![Series::line(
            "long-term",
            learned.clone(),
            run.stages.iter().map(|s| s.long_total as f64).collect(),
            1,
        )],
    };
    let order: Vec<String> = run.stages.iter().map(|s| s.digit.to_string()).collect();
    let title = format!("AI-Memory1, digits learned in order {}: long-term conv1 features by stage", order.join(", "));
    Figure {
        title: &title,
        tiles: &tiles,
        tile_cols: 20,
        scale: 5,
        panels: &[accuracy, coverage, features],
        panel_cols: 3,
        panel_size: (480, 340),
    }
    .write(&svg)?;
    astdp::checkpoint::write_json(&json, &run)?;

    println!("stage digit  long+  long  old unchanged  {first}s covered     maps    histograms  pixels  digit {first}");
    for (i, s) in run.stages.iter().enumerate() {
        let pct = |v: Option<f64>| v.map_or("   -  ".to_string(), |v| format!("{:5.1}%", 100.0 * v));
        println!(
            "{:>5} {:>5} {:>6} {:>5} {:>14} {:>14.4}  {}  {}      {}  {}",
            i + 1,
            s.digit,
            s.long_added,
            s.long_total,
            s.old_features_unchanged,
            s.coverage.first().map_or(f64::NAN, |c| c.1),
            pct(s.accuracy_after_stage),
            pct(s.histogram_accuracy),
            pct(s.pixel_baseline_accuracy),
            pct(s.per_digit_accuracy.first().map(|p| p.1)),
        );
    }
    println!("{:.0} steps/s; wrote {} and {}", run.steps_per_s, svg.display(), json.display());
    Ok(())
}
