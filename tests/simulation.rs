//! Integration tests of the simulation layer: protocols as events, errors, NaN detection.

use astdp::error::ScheduleError;
use astdp::{Clamp, Config, Event, Net, Network, ProbeSpec, SimError, Simulation, Topology, rng_from_seed};

fn pair_sim(batch: usize) -> Simulation {
    let t =
        Topology::new(&[("in", 1, astdp::Role::Input), ("out", 1, astdp::Role::Output)], &[(1, 0), (0, 1)]).unwrap();
    let mut cfg = Config { init_high: 0.0, ..Config::default() };
    cfg.fake_target.enabled = false;
    Simulation::new(Network::zeros(t), cfg.validate().unwrap(), batch, rng_from_seed(0)).unwrap()
}

#[test]
fn target_window_is_applied_exactly_during_its_ticks() {
    // target t=1 on neuron 0 during ticks 40..50, scheduled as events
    let mut sim = pair_sim(1);
    sim.schedule(40, Event::SetTargets { neurons: 0..1, values: vec![1.0], modes: vec![Clamp::Soft] }).unwrap();
    sim.schedule(50, Event::ClearTargets { neurons: 0..1 }).unwrap();
    sim.schedule_ticks(0, 100).unwrap();
    let p = sim.add_probe(ProbeSpec { neurons: vec![0], batch: 0, every: 1 }, 0, 100).unwrap();
    sim.run().unwrap();
    let rec = sim.recording(p).unwrap();
    assert_eq!(rec.ticks.len(), 100);
    // W = b = 0, s0 = 0: nothing moves before tick 40
    assert!(rec.s_strong[0][..40].iter().all(|&s| s == 0.0));
    // first clamped step: s = 0.5 * 0.4 * (1 - 0) = 0.2 (strong), 0.4 * 0.25 = 0.1 (weak)
    assert!((rec.s_strong[0][40] - 0.2).abs() < 1e-7);
    assert!((rec.s_weak[0][40] - 0.1).abs() < 1e-7);
    assert_eq!(rec.target[0][45], Some(1.0));
    assert_eq!(rec.target[0][50], None);
    // after the window the state decays back towards 0
    assert!(rec.s_strong[0][99] < 0.01 && rec.s_strong[0][99] > 0.0);
}

#[test]
fn control_events_run_before_the_tick_of_the_same_time() {
    let mut sim = pair_sim(1);
    sim.schedule_ticks(0, 10).unwrap();
    sim.run_until(5).unwrap();
    // the tick at 5 was queued before this event, but control events run first
    sim.schedule(5, Event::SetTargets { neurons: 0..1, values: vec![1.0], modes: vec![Clamp::Hard] }).unwrap();
    sim.run_until(6).unwrap();
    assert_eq!(sim.state(Net::Strong, 0)[0], 1.0);
}

#[test]
fn per_sample_targets_and_hard_clamping() {
    let mut sim = pair_sim(3);
    sim.present(0, 0, vec![0.1, 0.2, 0.3], Clamp::Hard).unwrap();
    sim.schedule_ticks(0, 1).unwrap();
    sim.run().unwrap();
    for b in 0..3 {
        assert_eq!(sim.state(Net::Weak, b)[0], 0.1 * (b + 1) as f32);
    }
}

#[test]
fn bad_events_are_typed_errors() {
    let mut sim = pair_sim(2);
    assert!(matches!(
        sim.schedule(0, Event::SetTargets { neurons: 0..3, values: vec![1.0; 3], modes: vec![Clamp::Soft] }),
        Err(SimError::NeuronsOutOfRange { start: 0, end: 3, n: 2 })
    ));
    assert!(matches!(
        sim.schedule(0, Event::SetTargets { neurons: 0..1, values: vec![1.0; 3], modes: vec![Clamp::Soft] }),
        Err(SimError::WrongCount { what: "target values", given: 3, neurons: 1, batch: 2 })
    ));
    assert!(matches!(
        sim.schedule(0, Event::SetTargets { neurons: 0..1, values: vec![f32::NAN], modes: vec![Clamp::Soft] }),
        Err(SimError::NonFiniteTarget { index: 0, .. })
    ));
    assert!(matches!(sim.schedule(0, Event::SetAlpha(-1.0)), Err(SimError::BadRate { what: "alpha", .. })));
    assert!(matches!(
        sim.schedule(0, Event::SetLayerRate { layer: 5, scale: 1.0 }),
        Err(SimError::NoLayer { layer: 5, layers: 2 })
    ));
    assert!(matches!(
        sim.schedule(0, Event::SetLayerRate { layer: 0, scale: f32::NAN }),
        Err(SimError::BadRate { what: "layer rate", .. })
    ));
    assert!(matches!(
        sim.schedule(0, Event::SetLayerRate { layer: 0, scale: -0.5 }),
        Err(SimError::BadRate { what: "layer rate", .. })
    ));
    assert!(sim.schedule(0, Event::SetLayerRate { layer: 0, scale: 2.0 }).is_ok());
    let block_rate = |post, pre, scale| sim.clone().schedule(0, Event::SetBlockRate { post, pre, scale });
    assert!(matches!(block_rate(1, 1, 2.0), Err(SimError::NoBlock { post: 1, pre: 1 })), "no lateral block");
    assert!(matches!(block_rate(1, 5, 2.0), Err(SimError::NoLayer { layer: 5, .. })));
    assert!(matches!(block_rate(1, 0, f32::INFINITY), Err(SimError::BadRate { what: "block rate", .. })));
    assert!(block_rate(1, 0, 2.0).is_ok());
    assert!(matches!(
        sim.add_probe(ProbeSpec { neurons: vec![0], batch: 2, every: 1 }, 0, 5),
        Err(SimError::BadProbe { batch: 2, .. })
    ));
    sim.run_until(10).unwrap();
    assert_eq!(
        sim.schedule(3, Event::SetLearning(false)),
        Err(SimError::Schedule(ScheduleError::InPast { requested: 3, now: 10 }))
    );
    assert_eq!(sim.run_until(9), Err(SimError::Schedule(ScheduleError::InPast { requested: 9, now: 10 })));
}

#[test]
fn non_finite_state_is_reported_with_tick_and_neuron() {
    let mut rng = rng_from_seed(1);
    let mut net = Network::random(Topology::toy(4, 8).unwrap(), &mut rng);
    for b in &mut net.blocks {
        for w in &mut b.w {
            *w = f32::MAX;
        }
    }
    net.zero_lateral_diagonals();
    let mut sim = Simulation::new(net, Config::default().validate().unwrap(), 1, rng).unwrap();
    sim.schedule_ticks(3, 10).unwrap();
    match sim.run() {
        Err(SimError::NonFinite { tick: 3, net: "strong", batch: 0, neuron }) => assert!(neuron < 12),
        other => panic!("expected NonFinite at tick 3, got {other:?}"),
    }
}

#[test]
fn cancelled_ticks_do_not_run() {
    let mut sim = pair_sim(1);
    let id = sim.schedule_ticks(0, 50).unwrap().unwrap();
    sim.run_until(10).unwrap();
    let later = sim.schedule(20, Event::SetLearning(false)).unwrap();
    assert!(sim.cancel(later).is_some());
    // the train's first event fired long ago; its id still names the whole train
    assert!(sim.cancel(id).is_some());
    sim.run().unwrap();
    assert_eq!(sim.ticks_run(), 10);
    assert!(sim.learning());
}

#[test]
fn fake_target_switch_and_learning_switch() {
    let mut rng = rng_from_seed(2);
    let net = Network::random(Topology::toy(4, 8).unwrap(), &mut rng);
    let cfg = Config { alpha: 0.05, ..Config::default() }.validate().unwrap();
    let mut sim = Simulation::new(net, cfg, 1, rng).unwrap();
    sim.present(0, 0, vec![1.0, 0.0, 0.0, 0.0], Clamp::Soft).unwrap();
    sim.schedule(100, Event::SetFakeTarget(false)).unwrap();
    sim.schedule(100, Event::SetLearning(false)).unwrap();
    sim.schedule_ticks(0, 200).unwrap();
    sim.run_until(100).unwrap();
    let fired = sim.fake_fired();
    assert!(fired > 0);
    let w = sim.network().clone();
    sim.run().unwrap();
    assert_eq!(sim.fake_fired(), fired);
    assert_eq!(sim.network(), &w);
    assert!(sim.twin().clamp()[4..].iter().all(|&c| c == Clamp::Free));
}

/// Splitting GEMMs and running the two nets on two threads must not change a bit.
#[test]
fn parallel_and_serial_runs_are_bit_identical() {
    let run = |parallel: bool| {
        let mut rng = rng_from_seed(5);
        let net = Network::random(Topology::hopfield(300, 200, 10, true).unwrap(), &mut rng);
        let cfg = Config { alpha: 0.01, ..Config::default() }.validate().unwrap();
        let mut sim = Simulation::new(net, cfg, 32, rng).unwrap();
        sim.set_parallel(parallel);
        let x: Vec<f32> = (0..32 * 300).map(|i| ((i * 37) % 101) as f32 / 100.0).collect();
        sim.present(0, 0, x, Clamp::Hard).unwrap();
        sim.schedule_ticks(0, 5).unwrap();
        sim.run().unwrap();
        let bits: Vec<u32> = sim
            .twin()
            .net(Net::Weak)
            .s()
            .iter()
            .chain(sim.network().blocks.iter().flat_map(|b| b.w.iter()))
            .map(|x| x.to_bits())
            .collect();
        bits
    };
    assert_eq!(run(true), run(false));
}

#[test]
fn loading_a_corrupt_checkpoint_is_an_error() {
    let dir = std::env::temp_dir().join(format!("astdp-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("bad.json");
    std::fs::write(&p, b"{\"scheduler\": 3}").unwrap();
    assert!(matches!(Simulation::load(&p), Err(astdp::error::CheckpointError::Format { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn checkpoints_keep_block_rates_and_older_ones_load() {
    let dir = std::env::temp_dir().join(format!("astdp-rates-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("sim.json");
    // a block rate of 0 freezes the weight 0 -> 1; after save and load it still does
    let mut sim = pair_sim(1);
    sim.apply(Event::SetBlockRate { post: 1, pre: 0, scale: 0.0 }).unwrap();
    sim.save(&p).unwrap();
    let mut loaded = Simulation::load(&p).unwrap();
    loaded.schedule(0, Event::SetTargets { neurons: 0..2, values: vec![1.0, 0.5], modes: vec![Clamp::Soft] }).unwrap();
    loaded.schedule_ticks(0, 5).unwrap();
    loaded.run().unwrap();
    assert_eq!(loaded.network().weight(1, 0), Some(0.0));
    assert_ne!(loaded.network().weight(0, 1), Some(0.0), "the other direction learns");
    // a checkpoint written before per-layer and per-block rates existed: all rates 1
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    let model = json["model"].as_object_mut().unwrap();
    assert!(model.remove("block_rate").is_some() && model.remove("layer_rate").is_some());
    std::fs::write(&p, serde_json::to_vec(&json).unwrap()).unwrap();
    let mut old = Simulation::load(&p).unwrap();
    old.schedule(0, Event::SetTargets { neurons: 0..2, values: vec![1.0, 0.5], modes: vec![Clamp::Soft] }).unwrap();
    old.schedule_ticks(0, 5).unwrap();
    old.run().unwrap();
    assert_ne!(old.network().weight(1, 0), Some(0.0));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn per_element_clamp_modes() {
    // batch 2: element 0 hard clamps neuron 0, element 1 leaves it free
    let mut sim = pair_sim(2);
    sim.schedule(0, Event::SetTargets { neurons: 0..1, values: vec![0.7, 0.7], modes: vec![Clamp::Hard, Clamp::Free] })
        .unwrap();
    sim.schedule_ticks(0, 3).unwrap();
    sim.run().unwrap();
    assert_eq!(sim.state(Net::Weak, 0)[0], 0.7);
    assert_eq!(sim.state(Net::Weak, 1)[0], 0.0);
    assert!(matches!(
        sim.schedule(5, Event::SetTargets { neurons: 0..1, values: vec![1.0], modes: vec![Clamp::Soft; 3] }),
        Err(SimError::WrongCount { what: "clamp modes", given: 3, .. })
    ));
}

#[test]
fn frozen_layers_keep_their_weights() {
    let mut rng = rng_from_seed(4);
    let net = Network::random(Topology::hopfield(6, 5, 3, true).unwrap(), &mut rng);
    let cfg = Config { alpha: 0.1, ..Config::default() }.validate().unwrap();
    let mut sim = Simulation::new(net, cfg, 2, rng).unwrap();
    for layer in [0, 2] {
        sim.schedule(0, Event::SetPlastic { layer, on: false }).unwrap();
    }
    assert!(matches!(
        sim.schedule(0, Event::SetPlastic { layer: 3, on: false }),
        Err(SimError::NoLayer { layer: 3, .. })
    ));
    sim.present(0, 0, vec![1.0, 0.0, 1.0, 0.0, 1.0, 0.0], Clamp::Soft).unwrap();
    sim.present(0, 1, vec![1.0, 0.0, 0.0], Clamp::Soft).unwrap();
    let before = sim.network().clone();
    sim.schedule_ticks(0, 20).unwrap();
    sim.run().unwrap();
    let after = sim.network();
    for (b0, b1) in before.blocks.iter().zip(&after.blocks) {
        if b0.post == 1 {
            assert_ne!(b0.w, b1.w, "output layer learns");
        } else {
            assert_eq!(b0.w, b1.w, "block into layer {} is frozen", b0.post);
        }
    }
    assert_eq!(before.bias[..6], after.bias[..6]);
    assert_ne!(before.bias[6..9], after.bias[6..9]);
    assert_eq!(before.bias[9..], after.bias[9..]);
}

/// Largest |W_ij - W_ji| over connected pairs of the 4 + 8 toy net.
fn max_asymmetry(net: &Network) -> f32 {
    let n = net.n_neurons();
    let mut worst = 0.0f32;
    for i in 0..n {
        for j in 0..n {
            if let (Some(a), Some(b)) = (net.weight(i, j), net.weight(j, i)) {
                worst = worst.max((a - b).abs());
            }
        }
    }
    worst
}

#[test]
fn ep_rule_keeps_symmetric_weights_symmetric_and_astdp_does_not() {
    let run = |rule: astdp::Rule| {
        let mut rng = rng_from_seed(4);
        let mut net = Network::random(Topology::toy(4, 8).unwrap(), &mut rng);
        net.symmetrize();
        assert!(max_asymmetry(&net) < 1e-7);
        let mut cfg = Config { alpha: 0.05, rule, ..Config::default() };
        cfg.fake_target.enabled = false;
        let mut sim = Simulation::new(net, cfg.validate().unwrap(), 2, rng).unwrap();
        for k in 0..8u64 {
            let mut x = vec![0.0; 8];
            x[(k % 4) as usize] = 1.0;
            x[4 + ((k + 1) % 4) as usize] = 1.0;
            sim.present(k * 50, 0, x, Clamp::Soft).unwrap();
        }
        sim.schedule_ticks(0, 400).unwrap();
        sim.run().unwrap();
        max_asymmetry(sim.network())
    };
    let (ep, astdp) = (run(astdp::Rule::SymmetricEp), run(astdp::Rule::Astdp));
    // the two halves of each update differ only by float rounding
    assert!(ep < 1e-5, "EP asymmetry {ep}");
    assert!(astdp > 1e-3, "aSTDP asymmetry {astdp}");
}

#[test]
fn a_tick_train_is_cancelled_by_the_id_schedule_ticks_returned() {
    let mut sim = pair_sim(1);
    let train = sim.schedule_ticks(0, 100).unwrap().expect("a train of 100 ticks");
    let probe = sim.add_probe(ProbeSpec { neurons: vec![0], batch: 0, every: 5 }, 0, 100).unwrap();
    sim.run_until(10).unwrap();
    assert_eq!(sim.ticks_run(), 10);
    // through a checkpoint: the chain survives save and load
    let path = std::env::temp_dir().join(format!("astdp-train-{}.json", std::process::id()));
    sim.save(&path).unwrap();
    let mut sim = Simulation::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(sim.cancel(train), Some(Event::Tick { until: 100 }));
    assert_eq!(sim.cancel(train), None, "a cancelled train is gone");
    sim.run_until(50).unwrap();
    assert_eq!(sim.ticks_run(), 10, "no tick ran after the cancel");
    // the probe's own chain kept recording every 5 ticks until 50
    assert_eq!(sim.recording(probe).unwrap().ticks, (0..50).step_by(5).collect::<Vec<u64>>());
    sim.run().unwrap();
    assert_eq!(sim.ticks_run(), 10);
    assert_eq!(sim.recording(probe).unwrap().ticks.len(), 20);
}

#[test]
fn state_noise_is_seeded_and_checked() {
    let noisy = |seed: u64| {
        let mut sim = pair_sim(2);
        sim.reseed(seed);
        sim.add_state_noise(1..2, 0.1).unwrap();
        (sim.state(Net::Strong, 0).to_vec(), sim.state(Net::Weak, 1).to_vec())
    };
    let base = pair_sim(2);
    let (a, b) = noisy(5);
    assert_eq!((a.clone(), b.clone()), noisy(5), "the same seed, the same noise");
    assert_ne!(a, noisy(6).0);
    // only the named neurons move, in both nets alike
    assert_eq!(a[0], base.state(Net::Strong, 0)[0]);
    assert_ne!(a[1], base.state(Net::Strong, 0)[1]);
    let mut sim = pair_sim(1);
    assert!(sim.add_state_noise(0..0, 0.1).is_err());
    assert!(sim.add_state_noise(0..100, 0.1).is_err());
    assert!(sim.add_state_noise(0..2, f32::NAN).is_err());
    let before = sim.state(Net::Weak, 0).to_vec();
    sim.add_state_noise(0..2, 0.0).unwrap();
    assert_eq!(sim.state(Net::Weak, 0), &before[..]);
}
