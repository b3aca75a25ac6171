//! Figure 3: binocular rivalry. Trains a 4 visible + 8 hidden net on the four one-hot
//! patterns, holds the ambiguous input [1,1,0,0], and measures perception switches with
//! and without fake targets.
//!
//! `cargo run --release --example binocular_rivalry [-- --seed 1 --seeds 6 --out-dir plots]`
//! Writes `plots/binocular_rivalry.svg` (traces of the first seed) and
//! `plots/binocular_rivalry.json` (every seed's summary, the first seed's traces).

use astdp::experiments::rivalry::{RivalryConfig, run};
use astdp::plot::{Panel, Series, panels_svg};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(
    version,
    about = "Binocular rivalry (figure 3): train on 4 one-hot patterns, hold [1,1,0,0], count perception switches"
)]
struct Args {
    #[command(flatten)]
    common: common::ToyArgs,
    /// Number of seeds (seed, seed+1, ...).
    #[arg(long, default_value_t = 6)]
    seeds: u64,
    /// Ticks the ambiguous input is held (default: the config's, 20,000).
    #[arg(long)]
    test_ticks: Option<u64>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut cfg: RivalryConfig = args.common.start(&["binocular_rivalry.svg", "binocular_rivalry.json"])?;
    cfg.test_ticks = args.test_ticks.unwrap_or(cfg.test_ticks);
    cfg.validate()?;
    let mut results = Vec::new();
    println!(
        "seed  recalled  margin  switches  control_switches  mean_duration  cv     gamma_shape  durations_p10/50/90  fraction_A  sd(A-B)  control_sd(A-B)  control_mean(A-B)"
    );
    // a measure of the durations that needs more of them than the run saw: "-"
    let opt = |x: Option<f64>, places: usize| x.map_or_else(|| "-".to_string(), |v| format!("{v:.places$}"));
    for seed in args.common.seeds(args.seeds)? {
        let r = run(&cfg, seed)?;
        let s = &r.summary;
        println!(
            "{:>4}  {:>8}  {:>6.2}  {:>8}  {:>16}  {:>13}  {:>5}  {:>11}  {:>19}  {:>10.2}  {:>7.3}  {:>15.3}  {:>17.3}",
            seed,
            s.patterns_recalled,
            s.recall_margin,
            s.switches,
            s.control_switches,
            opt(s.mean_duration, 1),
            opt(s.cv, 2),
            opt(s.gamma_shape, 2),
            s.duration_percentiles.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("/"),
            s.fraction_a,
            s.ab_sd,
            s.control_ab_sd,
            s.control_ab_mean
        );
        results.push(r);
    }
    let first = &results[0];
    let rec = &first.recording;
    let t0 = rec.ticks.first().copied().unwrap_or(0);
    let t: Vec<f64> = rec.ticks.iter().map(|&x| (x - t0) as f64).collect();
    // the perception signal first: A - B against the hysteresis band
    let h = first.hysteresis as f64;
    let band = format!("{:.2}", first.hysteresis);
    let diff: Vec<f64> = rec.s_weak[0].iter().zip(&rec.s_weak[1]).map(|(&a, &b)| (a - b) as f64).collect();
    let mut panels = vec![Panel {
        title: format!("perception: s_weak(0) - s_weak(1), band +-{band}"),
        x_label: "time since ambiguous input (ticks)".into(),
        y_label: "state difference".into(),
        series: vec![
            Series::line("A - B", t.clone(), diff, 1),
            Series::line("+band", t.clone(), vec![h; t.len()], 7),
            Series::line("-band", t.clone(), vec![-h; t.len()], 7),
        ],
    }];
    for (k, &neuron) in rec.neurons.iter().enumerate() {
        let kind = if neuron < 4 { "visible" } else { "hidden" };
        let (tx, ty): (Vec<f64>, Vec<f64>) =
            rec.target[k].iter().zip(&t).filter_map(|(v, &x)| v.map(|v| (x, v as f64))).unzip();
        panels.push(Panel {
            title: format!("{kind} neuron {neuron}"),
            x_label: "time since ambiguous input (ticks)".into(),
            y_label: "state s, dz".into(),
            series: vec![
                Series::line("s_strong", t.clone(), rec.s_strong[k].iter().map(|&x| x as f64).collect(), 0),
                Series::line("s_weak", t.clone(), rec.s_weak[k].iter().map(|&x| x as f64).collect(), 1),
                Series::line("dz", t.clone(), rec.dz[k].iter().map(|&x| x as f64).collect(), 2),
                Series::dots("target", tx, ty, 7),
            ],
        });
    }
    panels_svg(
        args.common.out("binocular_rivalry.svg"),
        &format!(
            "Binocular rivalry, ambiguous input [1,1,0,0], seed {} ({} switches)",
            first.summary.seed, first.summary.switches
        ),
        &panels,
        3,
        (560, 280),
    )?;
    #[derive(serde::Serialize)]
    struct Out<'a> {
        config: &'a RivalryConfig,
        runs: Vec<astdp::experiments::rivalry::RivalrySummary>,
        first_seed_traces: &'a astdp::Recording,
    }
    let out = Out {
        config: &cfg,
        runs: results.iter().map(|r| r.summary.clone()).collect(),
        first_seed_traces: &first.recording,
    };
    astdp::checkpoint::write_json(args.common.out("binocular_rivalry.json"), &out)?;

    println!(
        "wrote {} and {}",
        args.common.out("binocular_rivalry.svg").display(),
        args.common.out("binocular_rivalry.json").display()
    );
    Ok(())
}
