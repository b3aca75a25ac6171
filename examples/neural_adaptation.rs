//! Figure 4 (left): neural adaptation. A step input on visible neuron 0 of a trained toy
//! net is switched on, held and switched off; the most responsive hidden neuron's mean
//! trace is measured for fake target + momentum, fake target only, momentum only, neither.
//!
//! `cargo run --release --example neural_adaptation [-- --seed 1 --seeds 5 --out-dir plots]`

use astdp::experiments::adaptation::{AdaptationConfig, AdaptationResult, run};
use astdp::plot::{Panel, Series, panels_svg};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(
    version,
    about = "Neural adaptation (figure 4): overshoot and undershoot of a step input, four configurations"
)]
struct Args {
    #[command(flatten)]
    common: common::ToyArgs,
    /// Number of seeds (the plot shows the first).
    #[arg(long, default_value_t = 5)]
    seeds: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cfg: AdaptationConfig = args.common.start(&["neural_adaptation.svg", "neural_adaptation.json"])?;
    let mut results: Vec<AdaptationResult> = Vec::new();
    println!("seed neuron  variant                   overshoot  undershoot  noise    rest     settled");
    for seed in args.common.seeds(args.seeds)? {
        let r = run(&cfg, seed)?;
        for v in &r.variants {
            println!(
                "{:>4} {:>6}  {:<24}  {:>9.4}  {:>10.4}  {:>7.4}  {:>7.3}  {:>7.3}",
                seed, r.neuron, v.name, v.overshoot, v.undershoot, v.noise, v.rest, v.settled
            );
        }
        results.push(r);
    }
    let r = &results[0];
    let panels: Vec<Panel> = r
        .variants
        .iter()
        .map(|v| {
            let t: Vec<f64> = (0..v.trace.len()).map(|x| x as f64).collect();
            Panel {
                title: format!(
                    "{} (overshoot {:.3}, undershoot {:.3}, noise {:.3})",
                    v.name, v.overshoot, v.undershoot, v.noise
                ),
                x_label: format!("time (ticks); input on at {}, off at {}", r.onset, r.offset),
                y_label: format!(
                    "mean s_weak of {} neuron {}",
                    if r.neuron < cfg.visible { "visible" } else { "hidden" },
                    r.neuron
                ),
                series: vec![
                    Series::line("s (mean of repeats)", t.clone(), v.trace.clone(), 1),
                    Series::line(
                        "fake-target rate",
                        t,
                        v.target_rate.iter().map(|x| x * 0.1 + v.rest.min(v.settled) - 0.05).collect(),
                        3,
                    ),
                ],
            }
        })
        .collect();
    panels_svg(
        args.common.out("neural_adaptation.svg"),
        &format!("Neural adaptation, seed {} ({} repeats averaged; fake-target rate scaled x0.1)", r.seed, cfg.repeats),
        &panels,
        2,
        (560, 320),
    )?;
    #[derive(serde::Serialize)]
    struct Out<'a> {
        config: &'a AdaptationConfig,
        runs: &'a [AdaptationResult],
    }
    astdp::checkpoint::write_json(args.common.out("neural_adaptation.json"), &Out { config: &cfg, runs: &results })?;
    println!(
        "wrote {} and {}",
        args.common.out("neural_adaptation.svg").display(),
        args.common.out("neural_adaptation.json").display()
    );
    Ok(())
}
