//! Fuzzing by property tests: the IDX reader, the config loader and the checkpoint loader
//! on arbitrary or damaged input return a value or a typed error, and never panic.
//! `ASTDP_FUZZ_CASES` sets the cases per test (default 200; CI runs more).

use astdp::config::from_json_over;
use astdp::learners::{MnistConfig, Trainer};
use astdp::{Clamp, Config, Network, Simulation, Topology, rng_from_seed};
use proptest::prelude::*;
use serde_json::Value;

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("astdp-fuzz-{}-{name}", std::process::id()))
}

/// A small simulation with a probe and pending events, saved as JSON.
fn saved_simulation() -> Value {
    let mut rng = rng_from_seed(3);
    let net = Network::random(Topology::toy(3, 4).unwrap(), &mut rng);
    let mut sim = Simulation::new(net, Config::default().validate().unwrap(), 2, rng).unwrap();
    sim.present(0, 0, vec![1.0, 0.0, 0.0], Clamp::Soft).unwrap();
    sim.add_probe(astdp::ProbeSpec { neurons: vec![0, 5], batch: 1, every: 2 }, 0, 20).unwrap();
    sim.schedule_ticks(0, 20).unwrap();
    sim.run_until(7).unwrap();
    serde_json::to_value(&sim).unwrap()
}

/// Every array and number in `v`, by a path of indices, for picking one to damage.
fn places(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Array(a) => {
            out.push(at.clone());
            for (i, x) in a.iter().enumerate() {
                let mut p = at.clone();
                p.push(i.to_string());
                places(x, p, out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                let mut p = at.clone();
                p.push(k.clone());
                places(x, p, out);
            }
        }
        Value::Number(_) => out.push(at),
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match v {
        Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
        other => &mut other[k.as_str()],
    })
}

/// Damages one place: an array loses its last element or gains a copy of it; a number
/// becomes large, negative or fractional.
fn damage(v: &mut Value, pick: usize, how: u8) {
    let mut all = Vec::new();
    places(v, Vec::new(), &mut all);
    let path = all[pick % all.len()].clone();
    match at_mut(v, &path) {
        Value::Array(a) if how.is_multiple_of(2) => {
            a.pop();
        }
        Value::Array(a) => {
            if let Some(x) = a.last().cloned() {
                a.push(x);
            }
        }
        n => {
            *n = match how % 4 {
                0 => Value::from(1u64 << 40),
                1 => Value::from(-3),
                2 => Value::from(0.5),
                _ => Value::from(0),
            }
        }
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("ASTDP_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    #[test]
    fn idx_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), magic in 0usize..2) {
        let path = temp("idx");
        let mut data = if magic == 1 { vec![0, 0, 8, 3] } else { vec![0, 0, 8, 1] };
        data.extend(&bytes);
        std::fs::write(&path, &data).unwrap();
        let _ = astdp::data::mnist::read_images(&path);
        let _ = astdp::data::mnist::read_labels(&path);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn config_loader_never_panics(text in ".{0,80}", nested in "[a-z_]{1,12}", value in any::<f64>()) {
        let _ = from_json_over(&MnistConfig::default(), &text);
        let patch = format!(r#"{{"model": {{"{nested}": {value}}}, "{nested}": [{value}]}}"#);
        if let Ok(c) = from_json_over(&MnistConfig::default(), &patch) {
            let _ = c.check();
        }
    }

    #[test]
    fn simulation_checkpoint_damaged_in_one_place_loads_or_is_refused(pick in 0usize..100_000, how in 0u8..8) {
        let mut v = saved_simulation();
        damage(&mut v, pick, how);
        let path = temp("sim.json");
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        if let Ok(mut sim) = Simulation::load(&path) {
            // whatever loaded must run (a while: a damaged tick count may be huge)
            let _ = sim.run_until(sim.now() + 30);
        }
        std::fs::remove_file(&path).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200) / 4))]

    #[test]
    fn trainer_checkpoint_damaged_in_one_place_loads_or_is_refused(pick in 0usize..100_000, how in 0u8..8) {
        let cfg = MnistConfig { hidden: vec![3], batch: 2, free_iters: 2, clamped_iters: 2, test_iters: 3, ..MnistConfig::default() };
        let t = Trainer::new(cfg.check().unwrap(), 4, 1).unwrap();
        let mut v = serde_json::to_value(&t).unwrap();
        damage(&mut v, pick, how);
        let path = temp("trainer.json");
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        let small = |t: &Trainer| {
            let c = t.config();
            c.free_iters + c.clamped_iters + c.test_iters < 100 && c.batch < 100 && c.hidden.iter().sum::<usize>() < 100
        };
        if let Ok(mut t) = Trainer::load(&path).map_err(|e| e.to_string())
            && small(&t)
        {
            let data = astdp::data::mnist::Dataset { images: vec![0.5; 3 * 4], labels: vec![1, 2, 3], rows: 2, cols: 2 };
            let _ = t.train_epoch(&data, astdp::learners::Mode::Supervised, &mut |_, _, _| {});
            let _ = t.evaluate(&data);
        }
        std::fs::remove_file(&path).unwrap();
    }
}
