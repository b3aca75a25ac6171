//! Micro-benchmark: nanoseconds per tick of the 12-neuron toy net (4 visible + 8 hidden,
//! batch 1) learning with fake targets on, driven through the scheduler (one Tick event
//! per step, data events every 100 ticks). Prints one JSON line.
//!
//! `cargo run --release --example tick_bench [-- --ticks N --seed S]`

use std::time::Instant;

use astdp::{Clamp, Config, Network, Simulation, Topology, rng_from_seed};
use clap::Parser;

#[derive(Parser)]
#[command(version, about = "Time one tick of the 12-neuron toy net through the scheduler; prints JSON")]
struct Args {
    /// Ticks to time (after a warm-up of a tenth of that), 1 to 10^10.
    #[arg(long, default_value_t = 2_000_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000_000))]
    ticks: u64,
    /// Seed of weights, states and fake targets.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut rng = rng_from_seed(args.seed);
    let net = Network::random(Topology::toy(4, 8)?, &mut rng);
    let cfg = Config { alpha: 0.01, momentum: 0.7, ..Config::default() }.validate()?;
    let mut sim = Simulation::new(net, cfg, 1, rng)?;
    let warm = args.ticks / 10;
    let total = warm + args.ticks;
    // a new one-hot pattern every 100 ticks, as events
    for k in 0..total.div_ceil(100) {
        let mut x = vec![0.0; 4];
        x[(k % 4) as usize] = 1.0;
        sim.present(k * 100, 0, x, Clamp::Soft)?;
    }
    sim.schedule_ticks(0, total)?;
    sim.run_until(warm)?;
    let t0 = Instant::now();
    sim.run_until(total)?;
    let dt = t0.elapsed();
    assert_eq!(sim.ticks_run(), total);
    println!(
        "{}",
        serde_json::json!({
            "ns_per_tick": dt.as_nanos() as f64 / args.ticks as f64,
            "ticks": args.ticks,
            "fake_target_firings": sim.fake_fired(),
            "seed": args.seed,
        })
    );
    Ok(())
}
