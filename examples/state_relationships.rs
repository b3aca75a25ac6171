//! Tables 3 and 4: relationships between states. Two nets, trained on the orders
//! i -> i+1 and i -> i+3 (mod 8), each tested on both orders at several iteration counts.
//!
//! `cargo run --release --example state_relationships [-- --seed 1 --seeds 6 --out-dir plots]`

use astdp::experiments::relationships::{RelationsConfig, RelationsResult, run};
use astdp::plot::{Panel, Series, panels_svg};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(version, about = "Relationships between states (tables 3, 4): nets trained on i -> i+1 and i -> i+3")]
struct Args {
    #[command(flatten)]
    common: common::ToyArgs,
    /// Number of seeds; the tables show each seed and the mean.
    #[arg(long, default_value_t = 6)]
    seeds: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cfg: RelationsConfig = args.common.start(&["state_relationships.svg", "state_relationships.json"])?;
    let results: Vec<RelationsResult> =
        (args.common.seeds(args.seeds)?).map(|s| run(&cfg, s)).collect::<Result<_, _>>()?;
    let nets: Vec<String> = cfg.orders.iter().map(|k| format!("+{k}")).collect();
    let mut mean = astdp::experiments::relationships::AccuracyTable::new();
    for r in &results {
        for (it, by_net) in &r.accuracy {
            for (net, row) in by_net {
                for (order, acc) in row {
                    *mean.entry(*it).or_default().entry(net.clone()).or_default().entry(order.clone()).or_default() +=
                        acc / results.len() as f64;
                }
            }
        }
    }
    for &it in &cfg.test_iters {
        println!(
            "\n{} iterations per test sample (mean of seeds {}..{}; per seed in brackets)",
            it,
            args.common.seed,
            args.common.seeds(args.seeds)?.end - 1
        );
        println!(
            "{:<10} {}",
            "network",
            nets.iter().map(|o| format!("{:<40}", format!("data order {o}"))).collect::<String>()
        );
        for net in &nets {
            let cells: String = nets
                .iter()
                .map(|o| {
                    let per: Vec<String> = results.iter().map(|r| format!("{:.2}", r.accuracy[&it][net][o])).collect();
                    format!("{:<40}", format!("{:>5.1}% [{}]", 100.0 * mean[&it][net][o], per.join(" ")))
                })
                .collect();
            println!("{:<10} {}", format!("net{net}"), cells);
        }
    }
    // plot: accuracy (mean over seeds) against test iterations, one panel per net
    let mut iters = cfg.test_iters.clone();
    iters.sort();
    let panels: Vec<Panel> = nets
        .iter()
        .map(|net| Panel {
            title: format!("net trained on order {net}"),
            x_label: "iterations per test sample".into(),
            y_label: "accuracy (mean over seeds)".into(),
            series: nets
                .iter()
                .enumerate()
                .map(|(c, o)| {
                    Series::line(
                        format!("tested on order {o}"),
                        iters.iter().map(|&i| i as f64).collect(),
                        iters.iter().map(|i| mean[i][net][o]).collect(),
                        c,
                    )
                })
                .collect(),
        })
        .collect();
    panels_svg(
        args.common.out("state_relationships.svg"),
        "Relationships between states (tables 3, 4)",
        &panels,
        2,
        (520, 340),
    )?;
    #[derive(serde::Serialize)]
    struct Out<'a> {
        config: &'a RelationsConfig,
        accuracy: &'a astdp::experiments::relationships::AccuracyTable,
        runs: &'a [RelationsResult],
    }
    astdp::checkpoint::write_json(
        args.common.out("state_relationships.json"),
        &Out { config: &cfg, accuracy: &mean, runs: &results },
    )?;
    println!(
        "\nwrote {} and {}",
        args.common.out("state_relationships.svg").display(),
        args.common.out("state_relationships.json").display()
    );
    Ok(())
}
