//! Figure 6: STDP curves of the aSTDP rule, 2 x 3 panels.
//!
//! `cargo run --release --example stdp_curve [-- --config configs/toys/stdp_curve.json]`
//! Writes `plots/stdp_curve.svg` and `plots/stdp_curve.json`. The protocol is
//! deterministic (no fake targets, zero weights, states from 0), so it takes no seed.

use astdp::experiments::stdp::{StdpConfig, stdp_grid};
use astdp::plot::{Panel, Series, panels_svg};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(version, about = "STDP curves (figure 6): total dW of one synapse against the pre/post window offset")]
struct Args {
    /// Folder for the SVG and JSON [default: plots/ for the run with no other argument,
    /// whose figures are committed; else runs/stdp_curve/]
    #[arg(long)]
    out_dir: Option<std::path::PathBuf>,
    /// JSON file with any StdpConfig fields (the rest default).
    #[arg(long)]
    config: Option<std::path::PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = common::out_dir(args.out_dir.as_deref(), &[]);
    let (svg, json) = (dir.join("stdp_curve.svg"), dir.join("stdp_curve.json"));
    let inputs: Vec<(&str, &std::path::Path)> = args.config.iter().map(|c| ("--config", c.as_path())).collect();
    astdp::checkpoint::check_outputs(&[("--out-dir", &svg), ("--out-dir", &json)], &inputs)?;
    let cfg: StdpConfig = astdp::config::load_over_default(args.config.as_deref())?;
    let panels = stdp_grid(&cfg)?;
    let plots: Vec<Panel> = panels
        .iter()
        .map(|p| Panel {
            title: format!("window {} ticks, beta_s {} / beta_w {}", p.window, p.beta_strong, p.beta_weak),
            x_label: "dt = post start - pre start (ticks)".into(),
            y_label: "dW / alpha (far level removed)".into(),
            series: vec![
                Series::line("dW", p.dt.iter().map(|&d| d as f64).collect(), p.dw.clone(), 0),
                Series::line("", vec![-(cfg.dt_max as f64), cfg.dt_max as f64], vec![0.0, 0.0], 7),
            ],
        })
        .collect();
    panels_svg(&svg, "aSTDP: weight change against spike timing (fig. 6)", &plots, 3, (460, 330))?;
    #[derive(serde::Serialize)]
    struct Out<'a> {
        config: &'a StdpConfig,
        panels: &'a [astdp::experiments::stdp::StdpPanel],
    }
    astdp::checkpoint::write_json(&json, &Out { config: &cfg, panels: &panels })?;
    println!("window beta_s beta_w   ltp_peak (dt)    ltd_peak (dt)   asymmetry  ltp_width  zero_crossing");
    for p in &panels {
        println!(
            "{:>6} {:>6} {:>6}  {:>9.4} ({:>3})  {:>9.4} ({:>3})  {:>9.2}  {:>9}  {}",
            p.window,
            p.beta_strong,
            p.beta_weak,
            p.ltp_peak,
            p.ltp_dt,
            p.ltd_peak,
            p.ltd_dt,
            p.asymmetry,
            p.ltp_width,
            p.zero_crossing.map_or_else(|| "none".to_string(), |d| d.to_string())
        );
    }
    println!("wrote {} and {}", svg.display(), json.display());
    Ok(())
}
