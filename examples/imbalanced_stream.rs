//! A class-imbalanced stream (class i with probability proportional to 0.5^i, one MNIST
//! epoch of samples, class 9 about 500 times rarer than class 0) learned by the
//! supervised aSTDP net and by the backprop MLP, (a) straight on the stream and (b)
//! through the short-term memory of memory association (one balanced batch drawn from
//! per-class queues for each batch of the stream: the same number of updates).
//!
//! `cargo run --release --example imbalanced_stream [-- --config configs/association/imbalance.json]`
//! Writes `plots/imbalanced_stream.svg` (per-class recall of the four runs) and `.json`.

use astdp::experiments::association::{ImbalanceConfig, run_imbalance};
use astdp::plot::{Panel, Series, panels_svg};
use clap::Parser;

mod common;

#[derive(Parser)]
#[command(
    version,
    about = "Class imbalance: aSTDP and an MLP straight on a 0.5^i stream and through the short-term memory"
)]
struct Args {
    #[command(flatten)]
    data: common::DataArgs,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (cfg, svg, json): (ImbalanceConfig, _, _) = args.data.start("imbalanced_stream", &[], &[])?;
    let (train, test) = args.data.mnist()?;
    let result = run_imbalance(&cfg, &train, &test)?;

    let classes: Vec<f64> = (0..10).map(|c| c as f64).collect();
    let series: Vec<Series> = result
        .runs
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let name = format!("{}, {} (balanced {:.1}%)", r.learner, r.memory, 100.0 * r.balanced_accuracy);
            Series::line(name, classes.clone(), r.per_class_recall.clone(), k)
        })
        .collect();
    let stream = Panel {
        title: "the stream: samples per class (log10)".into(),
        x_label: "class".into(),
        y_label: "log10 samples".into(),
        series: vec![Series::dots(
            "stream",
            classes.clone(),
            result.stream_per_class.iter().map(|&n| (n.max(1) as f64).log10()).collect(),
            7,
        )],
    };
    let recall =
        Panel { title: "test recall per class".into(), x_label: "class".into(), y_label: "recall".into(), series };
    panels_svg(
        &svg,
        "Class-imbalanced stream (0.5^i): straight, and through the short-term memory",
        &[recall, stream],
        2,
        (620, 400),
    )?;
    astdp::checkpoint::write_json(&json, &result)?;

    println!("stream per class: {:?}", result.stream_per_class);
    println!("learner  memory      balanced  recall per class 0-9");
    for r in &result.runs {
        let rec: Vec<String> = r.per_class_recall.iter().map(|x| format!("{:.2}", x)).collect();
        println!("{:<8} {:<11} {:>7.2}%  {}", r.learner, r.memory, 100.0 * r.balanced_accuracy, rec.join(" "));
    }
    println!("wrote {} and {}", svg.display(), json.display());
    Ok(())
}
