//! Unit tests of the MNIST trainer on tiny hand-made data.

use super::evaluate::{Decision, Settling};
use super::*;
use crate::config::{Config, FakeTargetConfig};
use crate::data::mnist::Dataset;
use crate::error::{CheckpointError, ConfigError, DataError};

/// 6 random 4x4 "images" with labels.
fn tiny() -> Dataset {
    let images = (0..6 * 16).map(|i| ((i * 37) % 11) as f32 / 10.0).collect();
    Dataset { images, labels: vec![0, 1, 2, 3, 4, 5], rows: 4, cols: 4 }
}

/// A net for [`tiny`]: 5 hidden, batch 2, `iters` ticks per phase and per test.
fn tiny_cfg(iters: u64) -> MnistConfig {
    MnistConfig {
        hidden: vec![5],
        batch: 2,
        free_iters: iters,
        clamped_iters: iters,
        test_iters: iters,
        ..MnistConfig::default()
    }
}

#[test]
fn fake_targets_can_be_switched_off_for_testing() {
    let mut cfg = tiny_cfg(20);
    // k = 0.5: a neuron fires whenever |dz| is near its running mean, so some fire
    // in testing too, where dz is small
    cfg.model.fake_target.k = 0.5;
    let mut t = Trainer::new(cfg.check().unwrap(), 16, 5).unwrap();
    assert!(t.cfg.model.fake_target.enabled);
    t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
    let fired = t.sim.fake_fired();
    assert!(fired > 0, "no fake target fired in training");
    let mut off = t.clone();
    let with = t.evaluate(&tiny()).unwrap();
    // the test ran on a copy: the trained net's own count is untouched
    assert_eq!(t.sim.fake_fired(), fired, "the test changed the trained simulation");
    off.set_fake_target(false).unwrap();
    assert!(!off.cfg.model.fake_target.enabled);
    let without = off.evaluate(&tiny()).unwrap();
    assert_eq!((with.samples, without.samples), (6, 6));
    // the per-tick rates: at the accuracy checkpoints, within [0, 1], some fake
    // targets on with them, none without
    let ticks = |e: &Evaluation| e.fake_rate_at.iter().map(|&(k, _)| k).collect::<Vec<_>>();
    assert_eq!(ticks(&with), vec![10, 20]);
    assert_eq!(ticks(&without), vec![10, 20]);
    assert!(with.fake_rate_at.iter().all(|&(_, r)| (0.0..=1.0).contains(&r)));
    assert!(with.fake_rate_at.iter().any(|&(_, r)| r > 0.0), "{:?}", with.fake_rate_at);
    assert!(without.fake_rate_at.iter().all(|&(_, r)| r == 0.0));
}

#[test]
fn fake_target_settings_can_be_changed_on_a_trained_net() {
    let mut cfg = tiny_cfg(20);
    cfg.model.fake_target.k = 0.5;
    let mut t = Trainer::new(cfg.check().unwrap(), 16, 5).unwrap();
    t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
    let mut raised = t.clone();
    let k = |t: &Trainer| (t.cfg.model.fake_target.k, t.sim.config().fake_target.k);
    // invalid settings are refused and change nothing
    let bad = FakeTargetConfig { k: -1.0, ..t.cfg.model.fake_target };
    assert!(matches!(raised.set_fake_target_config(bad), Err(Error::Config(_))));
    assert_eq!(k(&raised), (0.5, 0.5));
    // k a millionfold larger: (almost) no fake target fires while testing
    let f = FakeTargetConfig { k: 5e5, ..raised.cfg.model.fake_target };
    raised.set_fake_target_config(f).unwrap();
    assert_eq!(k(&raised), (5e5, 5e5));
    assert_eq!(raised.sim.alpha(), t.sim.alpha());
    let rate = |e: Evaluation| e.fake_rate_at.iter().map(|&(_, r)| r).sum::<f64>();
    let (base, few) = (rate(t.evaluate(&tiny()).unwrap()), rate(raised.evaluate(&tiny()).unwrap()));
    assert!(base > 0.01 && few * 10.0 < base, "k 0.5: {base} fired, k 5e5: {few}");
}

#[test]
fn pair_alpha_scale_keeps_ep_weights_symmetric() {
    let mut base = tiny_cfg(3);
    base.symmetric_init = true;
    base.model.rule = crate::config::Rule::SymmetricEp;
    base.model.beta_weak = 0.0;
    base.model.fake_target.enabled = false;
    let one = MnistConfig { pair_alpha_scale: vec![2.0], ..base.clone() };
    assert!(matches!(one.validate(), Err(ConfigError::Topology(_))));
    let nan = MnistConfig { pair_alpha_scale: vec![f32::NAN, 1.0], ..base.clone() };
    assert!(matches!(nan.validate(), Err(ConfigError::OutOfRange { field: "pair_alpha_scale", .. })));
    let trained = |cfg: MnistConfig| {
        let mut t = Trainer::new(cfg.check().unwrap(), 16, 3).unwrap();
        let before = t.sim.network().clone();
        t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
        (before, t.sim.network().clone())
    };
    let w = |net: &Network, post, pre| net.blocks[net.block_index(post, pre).unwrap()].w.clone();
    // max |W_oh - W_ho^T| over the output (1) - hidden (2) pair: 10 x 5 and 5 x 10
    let asym = |net: &Network| {
        let (oh, ho) = (w(net, 1, 2), w(net, 2, 1));
        let pairs = (0..10).flat_map(|o| (0..5).map(move |h| (o, h)));
        pairs.map(|(o, h)| (oh[o * 5 + h] - ho[h * 10 + o]).abs()).fold(0.0f32, f32::max)
    };
    // how far the weights into the output moved
    let moved = |(before, after): &(Network, Network)| {
        w(after, 1, 2).iter().zip(w(before, 1, 2)).map(|(a, b)| (a - b).powi(2)).sum::<f32>().sqrt()
    };
    // the pair hidden - output at rate 3, both directions: W_ho = W_oh^T still
    let pair = trained(MnistConfig { pair_alpha_scale: vec![1.0, 3.0], ..base.clone() });
    let layer = trained(MnistConfig { hidden_alpha_scale: vec![3.0], ..base.clone() });
    let plain = trained(base);
    assert!(asym(&plain.0) < 1e-7);
    assert!(asym(&pair.1) < 1e-6, "pair rates broke the symmetry: {}", asym(&pair.1));
    assert!(asym(&layer.1) > 1e-4, "a layer rate scales one direction only: {}", asym(&layer.1));
    assert!(moved(&pair) > 2.0 * moved(&plain), "{} against {}", moved(&pair), moved(&plain));
}

#[test]
fn hidden_alpha_scale_is_validated_and_applied() {
    let base = tiny_cfg(3);
    let two = MnistConfig { hidden_alpha_scale: vec![1.0, 2.0], ..base.clone() };
    assert!(matches!(two.validate(), Err(ConfigError::Topology(_))));
    let neg = MnistConfig { hidden_alpha_scale: vec![-1.0], ..base.clone() };
    assert!(matches!(neg.validate(), Err(ConfigError::OutOfRange { field: "hidden_alpha_scale", .. })));
    // rate 0 on the hidden layer (2): the weights into it stay, those into the output move
    let frozen = MnistConfig { hidden_alpha_scale: vec![0.0], ..base };
    let mut t = Trainer::new(frozen.check().unwrap(), 16, 3).unwrap();
    let before = t.sim.network().clone();
    t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
    let after = t.sim.network();
    for (b0, b1) in before.blocks.iter().zip(&after.blocks) {
        match b0.post {
            2 => assert_eq!(b0.w, b1.w, "weights into the hidden layer moved"),
            1 => assert_ne!(b0.w, b1.w, "weights into the output did not learn"),
            _ => {}
        }
    }
}

#[test]
fn decision_time_is_the_tick_the_final_answer_appeared() {
    let mut d = Decision::default();
    // argmax over ticks 1..=6: 3 3 7 3 3 3 -> the final answer 3 holds from tick 4
    for (k, a) in [3, 3, 7, 3, 3, 3].into_iter().enumerate() {
        d.observe(k as u64 + 1, a);
    }
    assert_eq!(d.since, 4);
    // an answer that never changes was there from the first tick
    let mut e = Decision::default();
    for k in 1..=5 {
        e.observe(k, 2);
    }
    assert_eq!(e.since, 1);
}

#[test]
fn steps_count_from_the_response_to_the_new_image() {
    let tol = 1e-3;
    let run = |trace: &[f32]| {
        let mut s = Settling::default();
        for (k, &m) in trace.iter().enumerate() {
            s.observe(k as u64 + 1, m, tol);
        }
        (s.steps(), s.settled(trace.len() as u64))
    };
    // tick 1 still shows the previous sample's settled states (1e-6): not counted;
    // below tol again from tick 4, a lull there, settled from tick 6
    assert_eq!(run(&[1e-6, 0.5, 0.1, 5e-4, 2e-3, 1e-4, 1e-5]), (Some(4), 6));
    // still moving at the end: never reached, settled at the cap
    assert_eq!(run(&[1e-6, 0.5, 0.1, 0.05]), (None, 4));
    // states that never move met the criterion on the first tick
    assert_eq!(run(&[1e-6, 1e-7, 0.0]), (Some(1), 1));
    // moving from tick 1 (a soft clamp feels the new target at once)
    assert_eq!(run(&[0.3, 0.01, 9e-4]), (Some(3), 3));
}

#[test]
fn alpha_schedule_halves_every_half_life() {
    let cfg = MnistConfig { alpha_half_life: Some(4.0), ..tiny_cfg(2) };
    let mut t = Trainer::new(cfg.clone().check().unwrap(), 16, 1).unwrap();
    assert_eq!(t.scheduled_alpha(), Some(0.02));
    t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
    // the last batch started after 4 samples: 0.02 * 0.5^(4/4)
    assert_eq!(t.sim.alpha(), 0.01);
    // after 6 samples the next batch would use 0.02 * 0.5^1.5
    assert!((t.scheduled_alpha().unwrap() - 0.02 * 0.5f32.powf(1.5)).abs() < 1e-9);
    let constant = MnistConfig { alpha_half_life: None, ..cfg.clone() };
    let mut t = Trainer::new(constant.check().unwrap(), 16, 1).unwrap();
    t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
    assert_eq!(t.sim.alpha(), 0.02);
    let bad = MnistConfig { alpha_half_life: Some(0.0), ..cfg };
    assert!(matches!(bad.validate(), Err(ConfigError::NonPositive { field: "alpha_half_life", .. })));
}

#[test]
fn divergence_guard_restores_earlier_weights_and_halves_the_rate() {
    // 200 4x4 samples, batch 2: a log every 20 samples, ten per epoch
    let images = (0..200 * 16).map(|i| ((i * 37 + i / 16 * 5) % 11) as f32 / 10.0).collect();
    let labels = (0..200).map(|i| (i % 10) as u8).collect();
    let data = Dataset { images, labels, rows: 4, cols: 4 };
    let train = |alpha: f32, guard: Option<f64>| {
        let model = Config { alpha, ..tiny_cfg(3).model };
        let cfg = MnistConfig { model, guard_rms_jump: guard, ..tiny_cfg(3) };
        let mut t = Trainer::new(cfg.check().unwrap(), 16, 5).unwrap();
        t.train_epoch(&data, Mode::Supervised, &mut |_, _, _| {}).unwrap();
        t
    };
    let max_jump = |t: &Trainer| {
        t.weight_rms
            .windows(2)
            .flat_map(|w| w[0].1.iter().zip(&w[1].1).map(|((_, a), (_, b))| (b - a).abs() / a))
            .fold(0.0, f64::max)
    };
    // a rate far too high: blocks' RMS jump by more than 5% between logs
    let wild = train(5.0, None);
    assert!(max_jump(&wild) > 0.05, "no jump to guard against: {}", max_jump(&wild));
    let guarded = train(5.0, Some(0.05));
    let n = guarded.guard_events.len();
    assert!(n > 0, "the guard never acted");
    assert_eq!(guarded.alpha_factor, 0.5f32.powi(n as i32));
    assert_eq!(guarded.sim.alpha(), 5.0 * guarded.alpha_factor);
    for (k, e) in guarded.guard_events.iter().enumerate() {
        assert!(e.jump > 0.05 && e.restored_from < e.samples, "{e:?}");
        assert_eq!(e.alpha_factor, 0.5f32.powi(k as i32 + 1));
        // the log after the intervention is of the weights logged at `restored_from`
        let at = |s: u64| guarded.weight_rms.iter().find(|(x, _)| *x == s).map(|(_, r)| r);
        assert_eq!(at(e.samples), at(e.restored_from), "{e:?}");
    }
    // between interventions no logged jump exceeds the limit
    let restored: Vec<u64> = guarded.guard_events.iter().map(|e| e.samples).collect();
    for w in guarded.weight_rms.windows(2).filter(|w| !restored.contains(&w[1].0)) {
        for ((_, a), (_, b)) in w[0].1.iter().zip(&w[1].1) {
            assert!((b - a).abs() / a <= 0.05, "unguarded jump {a} -> {b} at {}", w[1].0);
        }
    }
    // where it does not act, the guard changes nothing
    let calm = train(0.002, Some(0.05));
    assert!(calm.guard_events.is_empty() && max_jump(&calm) <= 0.05);
    let plain = train(0.002, None);
    assert_eq!(calm.sim.network(), plain.sim.network());
    assert_eq!(calm.sim.twin(), plain.sim.twin());
    // a jump after calm logs goes back GUARD_LOOKBACK logs: to the weights after 140
    // samples when the last logs were at 140, 160, 180, 200
    let mut t = calm;
    let back: Vec<u64> = t.guard_snapshots.iter().map(|(s, _)| *s).collect();
    assert_eq!(back, [140, 160, 180, 200]);
    let at_140 = t.guard_snapshots[0].1.clone();
    t.sim.network_mut().blocks[0].w.iter_mut().for_each(|w| *w *= 1.5);
    t.guard();
    assert_eq!(t.sim.network(), &at_140);
    assert_eq!(t.guard_events.len(), 1);
    assert_eq!((t.guard_events[0].samples, t.guard_events[0].restored_from), (200, 140));
    assert!((t.guard_events[0].jump - 0.5).abs() < 1e-6);
    let bad = MnistConfig { guard_rms_jump: Some(0.0), ..tiny_cfg(3) };
    assert!(matches!(bad.validate(), Err(ConfigError::NonPositive { field: "guard_rms_jump", .. })));
}

#[test]
fn weight_average_is_a_moving_average_that_training_never_sees() {
    // one batch (2 samples) per epoch; half-life 2 samples: the average moves half-way
    let data = tiny().take(2);
    let base = tiny_cfg(3);
    let cfg = MnistConfig { weight_average_half_life: Some(2.0), ..base.clone() };
    let (mut on, mut off) =
        (Trainer::new(cfg.check().unwrap(), 16, 3).unwrap(), Trainer::new(base.check().unwrap(), 16, 3).unwrap());
    assert_eq!(on.evaluate_averaged(&data).unwrap(), None);
    let mut live = Vec::new();
    for _ in 0..3 {
        for t in [&mut on, &mut off] {
            t.train_epoch(&data, Mode::Supervised, &mut |_, _, _| {}).unwrap();
        }
        live.push(on.sim.network().clone());
        let before = (on.sim.now(), on.sim.twin().clone());
        on.evaluate_averaged(&data).unwrap().unwrap();
        assert_eq!((on.sim.now(), on.sim.twin().clone()), before, "testing the average moved the trainer");
    }
    assert_eq!(on.sim.network(), off.sim.network(), "averaging changed training");
    assert_eq!(on.sim.twin(), off.sim.twin());
    assert!(off.averaged.is_none());
    // after batches 1, 2, 3: W1, then (W1 + W2) / 2, then W1 / 4 + W2 / 4 + W3 / 2
    let avg = on.averaged.as_ref().unwrap();
    let expect = |k: usize, x: usize| {
        0.25 * live[0].blocks[k].w[x] + 0.25 * live[1].blocks[k].w[x] + 0.5 * live[2].blocks[k].w[x]
    };
    assert!(live[0] != live[2], "the weights did not learn");
    for (k, blk) in avg.blocks.iter().enumerate() {
        for (x, &w) in blk.w.iter().enumerate() {
            assert!((w - expect(k, x)).abs() < 1e-6, "block {k} weight {x}: {w} vs {}", expect(k, x));
        }
    }
    // the averaged test is a test of those weights
    let mut swapped = on.clone();
    *swapped.sim.network_mut() = avg.clone();
    assert_eq!(on.evaluate_averaged(&data).unwrap(), Some(swapped.evaluate(&data).unwrap()));
    // a checkpoint whose average does not fit its network is refused
    let dir = std::env::temp_dir().join(format!("astdp-avg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.json");
    on.save(&path).unwrap();
    assert_eq!(Trainer::load(&path).unwrap().averaged.as_ref(), Some(avg));
    on.averaged = Some(Network::zeros(Topology::layered(16, &[4], 10, true).unwrap()));
    on.save(&path).unwrap();
    assert!(matches!(Trainer::load(&path), Err(CheckpointError::Mismatch { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
    let bad = MnistConfig { weight_average_half_life: Some(-1.0), ..tiny_cfg(3) };
    assert!(matches!(bad.validate(), Err(ConfigError::NonPositive { field: "weight_average_half_life", .. })));
}

#[test]
fn decoder_stage_trains_only_the_weights_into_the_image() {
    let cfg = MnistConfig { hidden: vec![5], batch: 3, free_iters: 3, clamped_iters: 4, ..MnistConfig::default() };
    let mut t = Trainer::new(cfg.check().unwrap(), 16, 2).unwrap();
    let before = t.sim.network().clone();
    let mse = t.train_epoch(&tiny(), Mode::Decoder, &mut |_, _, _| {}).unwrap();
    assert!(mse.is_finite() && mse > 0.0, "{mse}");
    let after = t.sim.network().clone();
    for (b0, b1) in before.blocks.iter().zip(&after.blocks) {
        assert_eq!(b0.w != b1.w, b0.post == 0, "block {} <- {}", b0.post, b0.pre);
    }
    let image = after.topology.layers()[0].range();
    let changed: Vec<usize> = (0..before.bias.len()).filter(|&i| before.bias[i] != after.bias[i]).collect();
    // (an image neuron held at 0 in both nets by the hard sigmoid's clip has dz = 0)
    assert!(changed.len() > image.len() / 2 && changed.iter().all(|i| image.contains(i)), "{changed:?}");
    // every layer learns again afterwards
    t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
    let hidden_block = t.sim.network().blocks.iter().position(|b| b.post == 2).unwrap();
    assert_ne!(t.sim.network().blocks[hidden_block].w, after.blocks[hidden_block].w);
}

#[test]
fn a_checkpoint_with_an_invalid_config_is_refused() {
    let t = Trainer::new(tiny_cfg(3).check().unwrap(), 16, 1).unwrap();
    let path = std::env::temp_dir().join(format!("astdp-invalid-cfg-{}.json", std::process::id()));
    t.save(&path).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["cfg"]["test_iters"] = 0.into();
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    let err = Trainer::load(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(err, CheckpointError::Format { .. }), "{err}");
    assert!(crate::error::report(&err).contains("test_iters"), "{err}");
}

#[test]
fn readout_ticks_double_and_end_at_test_iters_for_any_count() {
    use super::evaluate::readout_ticks;
    assert_eq!(readout_ticks(160), vec![10, 20, 40, 80, 160]);
    assert_eq!(readout_ticks(5), vec![5]);
    let huge = readout_ticks(u64::MAX);
    // 10 * 2^k for k = 0..=60 (the next one overflows), then test_iters
    assert_eq!((huge.len(), huge.last()), (62, Some(&u64::MAX)), "the list ends (it used to wrap and never end)");
}

#[test]
fn settings_that_make_no_sense_are_refused() {
    let tol = MnistConfig { inference_tol: -1.0, ..tiny_cfg(3) };
    assert!(matches!(tol.check(), Err(ConfigError::OutOfRange { field: "inference_tol", .. })));
    let tol = MnistConfig { inference_tol: f32::INFINITY, ..tiny_cfg(3) };
    assert!(tol.check().is_err());
}

#[test]
fn images_of_the_wrong_size_are_a_typed_error() {
    let mut t = Trainer::new(tiny_cfg(3).check().unwrap(), 9, 1).unwrap();
    let err = t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap_err();
    assert!(matches!(err, Error::Data(DataError::WrongSize { expected: 9, found: 16 })), "{err}");
    let err = t.evaluate(&tiny()).unwrap_err();
    assert!(matches!(err, Error::Data(DataError::WrongSize { expected: 9, found: 16 })), "{err}");
}

#[test]
fn a_checkpoint_whose_config_does_not_describe_its_network_is_refused() {
    let t = Trainer::new(tiny_cfg(3).check().unwrap(), 16, 1).unwrap();
    let path = std::env::temp_dir().join(format!("astdp-cfg-net-{}.json", std::process::id()));
    t.save(&path).unwrap();
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for (field, value) in [("hidden", serde_json::json!([7])), ("lateral", false.into()), ("batch", 3.into())] {
        let mut v = saved.clone();
        v["cfg"][field] = value;
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        let err = Trainer::load(&path).unwrap_err();
        assert!(matches!(err, CheckpointError::Mismatch { .. }), "{field}: {err}");
    }
    std::fs::write(&path, serde_json::to_vec(&saved).unwrap()).unwrap();
    assert!(Trainer::load(&path).is_ok());
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn an_epoch_stopped_after_two_batches_counts_two_batches_and_no_epoch() {
    use std::ops::ControlFlow;
    let mut t = Trainer::new(tiny_cfg(3).check().unwrap(), 16, 1).unwrap();
    let mut calls = 0;
    let r = t
        .train_epoch_until(&tiny(), Mode::Supervised, &mut |done, total, _| {
            calls += 1;
            assert_eq!(total, 6);
            if done >= 4 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        })
        .unwrap();
    assert_eq!((r, calls, t.epochs_done, t.samples_seen), (None, 2, 0, 4));
    // run through, it counts the epoch and returns its metric
    let m = t.train_epoch_until(&tiny(), Mode::Supervised, &mut |_, _, _| ControlFlow::Continue(())).unwrap();
    assert!(m.is_some() && t.epochs_done == 1 && t.samples_seen == 10);
}

/// The deferred updates of the input block (`twin::deferred`) give the per-tick weights
/// in real arithmetic: one epoch of 32 random 8x8 images in batches of 16 (two inputs
/// per phase, two phases per batch), with weight decay and a rate per layer, fake targets
/// off (a Bernoulli draw would turn rounding into different trajectories), ends within
/// float rounding of the per-tick run, on every block.
#[test]
fn deferred_input_updates_match_per_tick_updates() {
    let images = (0..32 * 64).map(|i| ((i * 7919) % 101) as f32 / 100.0).collect();
    let data = Dataset { images, labels: (0..32).map(|i| (i % 10) as u8).collect(), rows: 8, cols: 8 };
    let mut cfg =
        MnistConfig { hidden: vec![24], batch: 16, free_iters: 12, clamped_iters: 24, ..MnistConfig::default() };
    cfg.model.fake_target.enabled = false;
    cfg.model.weight_decay = 0.5;
    cfg.model.alpha = 0.05;
    let run = |defer: bool| {
        let mut t = Trainer::new(cfg.clone().check().unwrap(), 64, 3).unwrap();
        t.sim.set_deferred_updates(defer);
        t.train_epoch(&data, Mode::Supervised, &mut |_, _, _| {}).unwrap();
        t.sim.network().clone()
    };
    let (per_tick, deferred) = (run(false), run(true));
    let start = Trainer::new(cfg.clone().check().unwrap(), 64, 3).unwrap().sim.network().clone();
    // the deferred path ran: its sums run in another order (measured: 1.8e-7 of the move)
    assert_ne!(per_tick.blocks[0].w, deferred.blocks[0].w, "the input block was not deferred");
    for ((a, b), w0) in per_tick.blocks.iter().zip(&deferred.blocks).zip(&start.blocks) {
        let moved = a.w.iter().zip(&w0.w).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
        let diff = a.w.iter().zip(&b.w).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
        // (the blocks into the hard-clamped input layer do not learn)
        assert!(a.post == 0 || moved > 1e-3, "block {}<-{} did not learn ({moved})", a.post, a.pre);
        assert!(diff <= 1e-4 * moved, "block {}<-{}: deferred off by {diff}, the weights moved {moved}", a.post, a.pre);
    }
}

/// A test's ticks on the weak net alone ([`crate::Simulation::set_weak_only`]) give it the
/// bits of ticks on both nets, learning and fake targets off; the strong net is left
/// where it was (so the short path did run); with a batch that is not of whole kernel
/// tiles, or with fake targets on, both nets run.
#[test]
fn weak_only_ticks_give_the_weak_net_the_same_bits() {
    let images = (0..32 * 64).map(|i| ((i * 7919) % 101) as f32 / 100.0).collect();
    let data = Dataset { images, labels: (0..32).map(|i| (i % 10) as u8).collect(), rows: 8, cols: 8 };
    for (batch, fake, short) in [(16, false, true), (6, false, false), (16, true, false)] {
        let mut cfg =
            MnistConfig { hidden: vec![24], batch, free_iters: 12, clamped_iters: 24, ..MnistConfig::default() };
        cfg.model.fake_target.enabled = fake;
        let mut t = Trainer::new(cfg.clone().check().unwrap(), 64, 3).unwrap();
        t.train_epoch(&data, Mode::Supervised, &mut |_, _, _| {}).unwrap();
        let idx: Vec<usize> = (0..batch).collect();
        let (x, _, _) = t.gather(&data, &idx);
        let run = |weak_only: bool| {
            let mut sim = t.sim.clone();
            sim.apply(Event::SetLearning(false)).unwrap();
            sim.set_weak_only(weak_only);
            let t0 = sim.now();
            sim.present(t0, 0, x.clone(), cfg.input_clamp).unwrap();
            sim.schedule_ticks(t0, 30).unwrap();
            sim.run().unwrap();
            let states = |net| (0..batch).flat_map(|b| sim.state(net, b).to_vec()).collect::<Vec<f32>>();
            (states(Net::Weak), states(Net::Strong))
        };
        let ((weak_both, strong_both), (weak_alone, strong_left)) = (run(false), run(true));
        assert_eq!(weak_both, weak_alone, "batch {batch}, fake targets {fake}: the weak net's bits moved");
        assert_eq!(strong_both != strong_left, short, "batch {batch}, fake targets {fake}: the strong net");
    }
}
