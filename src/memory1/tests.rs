//! Unit tests of AI-Memory1's primitives and layer against hand-computed values.

use super::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// The write-up's worked example: a 7x7 patch with 27 inked and 22 blank pixels.
fn patch_27_22() -> Vec<f32> {
    (0..49).map(|i| if i < 27 { 0.5 + (i % 5) as f32 * 0.1 } else { 0.0 }).collect()
}

#[test]
fn create_gives_the_worked_example() {
    let x = patch_27_22();
    let sx: f32 = x.iter().sum();
    let mut w = vec![0.0f32; 49];
    let n = create(&mut w, &x, &Rule::default(), 15).unwrap();
    // positive where the stimulus is, x_i / Σx
    for i in 0..27 {
        assert!(close(w[i] as f64, (x[i] / sx) as f64, 1e-7), "{i}");
    }
    // −0.6 · P / n⁺ on every blank input, and N_f = −0.6 · 22 / 27
    for &v in &w[27..] {
        assert!(close(v as f64, -0.6 / 27.0, 1e-7));
    }
    assert!(close(n as f64, -0.488_888_9, 1e-6), "{n}");
    let (p, neg) = signed_sums(&w);
    assert!(close(p, 1.0, 1e-6) && close(neg, n as f64, 1e-6));
    // a 19-pixel patch gives −0.03158 per blank input and N ≈ −0.9474
    let x19: Vec<f32> = (0..49).map(|i| if i < 19 { 1.0 } else { 0.0 }).collect();
    let mut w = vec![0.0f32; 49];
    let n = create(&mut w, &x19, &Rule::default(), 15).unwrap();
    assert!(close(w[48] as f64, -0.031_578_95, 1e-7) && close(n as f64, -0.947_368_4, 1e-6));
}

#[test]
fn create_refuses_blank_and_sparse_patches() {
    let rule = Rule::default();
    let mut w = vec![0.0f32; 49];
    assert_eq!(create(&mut w, &[0.0; 49], &rule, 15), Err(Refusal::Blank));
    // 15 inked inputs is not more than 15
    let x: Vec<f32> = (0..49).map(|i| if i < 15 { 1.0 } else { 0.0 }).collect();
    assert_eq!(create(&mut w, &x, &rule, 15), Err(Refusal::TooFewPositive(15)));
    assert!(w.iter().all(|&v| v == 0.0), "a refusal leaves the slot untouched");
    let x: Vec<f32> = (0..49).map(|i| if i < 16 { 1.0 } else { 0.0 }).collect();
    assert!(create(&mut w, &x, &rule, 15).is_ok());
}

#[test]
fn teaching_restores_both_totals() {
    let rule = Rule::default();
    let x = patch_27_22();
    let mut w = vec![0.0f32; 49];
    let n = create(&mut w, &x, &rule, 15).unwrap();
    // Fig. 4-4: recycling takes 0.02 of the positive total
    let mut r = w.clone();
    let moved = recycle_positive(&mut r, 0.02);
    assert!(close(moved as f64, 0.02, 1e-7) && close(signed_sums(&r).0, 0.98, 1e-6));
    // a shifted input: part of the recycled weight lands on negative connections
    let y: Vec<f32> = (0..49).map(|i| if (5..33).contains(&i) { 0.8 } else { 0.0 }).collect();
    teach_positive(&mut w, &y, n, &rule);
    let (p, neg) = signed_sums(&w);
    assert!(close(p, 1.0, 1e-6) && close(neg, n as f64, 1e-6), "{p} {neg}");
    // negative learning removes weight where the input is inked, then renormalises
    let before = w.clone();
    teach_negative(&mut w, &y, n, &rule);
    let (p, neg) = signed_sums(&w);
    assert!(close(p, 1.0, 1e-6) && close(neg, n as f64, 1e-6), "{p} {neg}");
    assert!(w[40] == before[40] || w[40] < 0.0, "a blank, untouched negative weight stays negative");
    // an all-zero input teaches nothing
    let keep = w.clone();
    teach_positive(&mut w, &[0.0; 49], n, &rule);
    teach_negative(&mut w, &[0.0; 49], n, &rule);
    assert_eq!(w, keep);
}

#[test]
fn primitives_by_hand() {
    let mut w = vec![0.5f32, -0.25, 0.0, 0.5];
    assert!(dispatch(&mut w, &[1.0, 0.0, 1.0, 2.0], 0.4));
    assert_eq!(w, vec![0.6, -0.25, 0.1, 0.7]);
    assert!(!dispatch(&mut w, &[0.0; 4], 1.0));
    assert_eq!(recycle_negative(&mut w, 0.5), -0.125);
    assert_eq!(w[1], -0.125);
    renorm_positive(&mut w, 1.0);
    assert!(close(signed_sums(&w).0, 1.0, 1e-7));
    renorm_negative(&mut w, -0.5);
    assert_eq!(w[1], -0.5);
    // no negative weights: nothing to renormalise (no division by zero)
    let mut p = vec![0.2f32, 0.0];
    renorm_negative(&mut p, -1.0);
    assert_eq!(p, vec![0.2, 0.0]);
    // the cell: conv1's thresholds 0.78 / 0.9
    assert_eq!(cell_output(0.78, 0.78, 0.9, 1.0), 0.0);
    assert_eq!(cell_output(0.95, 0.78, 0.9, 1.0), 1.0);
    assert!(close(cell_output(0.84, 0.78, 0.9, 1.0) as f64, 0.5, 1e-5));
}

fn conv1() -> Layer {
    Layer::new(Memory1Config::default().layers[0])
}

#[test]
fn conv1_conflicts_are_the_21_offsets() {
    let l = conv1();
    let centre = 5 * 11 + 5;
    let mut offsets = Vec::new();
    for c in 0..121 {
        if l.conflict(centre, c, 0.2) {
            offsets.push(((c / 11) as i64 - 5, (c % 11) as i64 - 5));
        }
    }
    assert_eq!(offsets.len(), 21);
    assert!(offsets.iter().all(|&(dy, dx)| dy.abs() <= 2 && dx.abs() <= 2 && !(dy.abs() == 2 && dx.abs() == 2)));
    // the one cell of conv2 conflicts with itself: winner takes all
    let conv2 = Layer::new(Memory1Config::default().layers[1]);
    assert!(conv2.conflict(0, 0, 0.2));
}

/// A 28x28 image with one inked 7x7 square at cell (y, x) of conv1.
fn square(y: usize, x: usize, value: f32) -> Vec<f32> {
    let mut img = vec![0.0f32; 784];
    for r in 0..7 {
        for c in 0..7 {
            img[(2 * y + r) * 28 + 2 * x + c] = value;
        }
    }
    img
}

#[test]
fn one_image_makes_features_then_recognises_them() {
    let rule = Rule::default();
    let mut l = conv1();
    let img = square(4, 4, 1.0);
    let fwd = l.forward(&img, &rule).unwrap();
    assert!(fwd.groups.is_empty());
    let log = l.learn(&fwd, &rule).unwrap();
    // the scan picks cells on rows and columns {0, 3, 6, 9}; only (3,3)..(6,6) see ink,
    // and only those with more than 15 inked inputs become features
    assert!(log.selected.iter().all(|&c| [0, 3, 6, 9].contains(&(c / 11)) && [0, 3, 6, 9].contains(&(c % 11))));
    assert_eq!(log.selected.len(), 16);
    assert!(!log.created.is_empty());
    assert_eq!(l.count(Memory::Short), log.created.len());
    // the same image again: the new features fire where they were made, and nothing new
    // is created near them
    let fwd = l.forward(&img, &rule).unwrap();
    assert!(!fwd.groups.is_empty());
    let winners: Vec<usize> = fwd.winners().map(|(_, c)| c).collect();
    assert!(winners.contains(&(3 * 11 + 3)), "{winners:?}");
    // every teaching kept the totals
    let log = l.learn(&fwd, &rule).unwrap();
    assert!(log.created.is_empty(), "{log:?}");
    for f in 0..l.params.features {
        if l.state[f] != Memory::Free {
            let (p, n) = signed_sums(l.feature(f));
            assert!(close(p, 1.0, 1e-5) && close(n, l.negative_total[f] as f64, 1e-5));
        }
    }
}

#[test]
fn ties_go_to_the_first_feature_and_same_cell_losers_learn_negatively() {
    let rule = Rule::default();
    let mut l = conv1();
    // 5x5 of ink inside cell (4,4)'s 7x7 rectangle: 25 inked inputs and 24 blank ones,
    // so the features have negative weights to teach
    let mut img = vec![0.0f32; 784];
    for r in 8..13 {
        img[r * 28 + 8..r * 28 + 13].fill(1.0);
    }
    // two identical features on the same patch: equal sums, slot 0 wins
    let fwd = l.forward(&img, &rule).unwrap();
    let patch = fwd.patches[(4 * 11 + 4) * 49..(4 * 11 + 5) * 49].to_vec();
    for f in 0..2 {
        let d = l.params.dim();
        let n = create(&mut l.weights[f * d..(f + 1) * d], &patch, &rule, 15).unwrap();
        l.negative_total[f] = n;
        l.state[f] = Memory::Short;
    }
    let fwd = l.forward(&img, &rule).unwrap();
    let g = fwd.groups.iter().find(|g| g[0].1 == 4 * 11 + 4).expect("a group at the square's cell");
    assert_eq!(g[0], (0, 4 * 11 + 4));
    assert!(g.contains(&(1, 4 * 11 + 4)));
    // Teach⁻ with a feature's own source patch changes nothing (the dispatch is
    // proportional to its positive weights); make slot 1 from a patch one pixel off
    let mut other = patch.clone();
    let (on, off) = (other.iter().position(|&v| v > 0.0).unwrap(), other.iter().position(|&v| v == 0.0).unwrap());
    other.swap(on, off);
    let d = l.params.dim();
    l.weights[d..2 * d].fill(0.0);
    l.negative_total[1] = create(&mut l.weights[d..2 * d], &other, &rule, 15).unwrap();
    let fwd = l.forward(&img, &rule).unwrap();
    let g = fwd.groups.iter().find(|g| g[0].1 == 4 * 11 + 4).unwrap();
    assert_eq!(g[0], (0, 4 * 11 + 4));
    assert!(g.contains(&(1, 4 * 11 + 4)), "{g:?}");
    let before = l.feature(1).to_vec();
    let log = l.learn(&fwd, &rule).unwrap();
    assert!(log.negative.contains(&(0, 1, 4 * 11 + 4)));
    // the loser's weight on the winner's inked inputs went down, relative to the rest
    let x = &fwd.patches[(4 * 11 + 4) * d..(4 * 11 + 5) * d];
    let on_ink = |w: &[f32]| w.iter().zip(x).filter(|(_, x)| **x > 0.0).map(|(w, _)| *w as f64).sum::<f64>();
    assert!(on_ink(l.feature(1)) < on_ink(&before) - 1e-3, "{} -> {}", on_ink(&before), on_ink(l.feature(1)));
    assert_eq!(l.counters[1].taught_negative, 1);
    // a Long loser is not taught
    l.state[1] = Memory::Long;
    let frozen = l.feature(1).to_vec();
    let fwd = l.forward(&img, &rule).unwrap();
    l.learn(&fwd, &rule).unwrap();
    assert_eq!(l.feature(1), &frozen[..]);
}

#[test]
fn memory_transitions_and_compaction() {
    let rule = Rule::default();
    let mut l = conv1();
    let d = l.params.dim();
    let x: Vec<f32> = (0..49).map(|i| if i < 30 { 1.0 } else { 0.0 }).collect();
    for f in [1, 3, 5] {
        l.negative_total[f] = create(&mut l.weights[f * d..(f + 1) * d], &x, &rule, 15).unwrap();
        l.state[f] = Memory::Short;
    }
    // slot 1: 99 steps, 5 active cells; slot 3: 499 steps, 60 cells; slot 5: 5 cells
    l.counters[1] = Counters { active_cells: 5, steps: 99, ..Counters::default() };
    l.counters[3] = Counters { active_cells: 60, steps: 499, ..Counters::default() };
    l.counters[5] = Counters { active_cells: 5, steps: 99, ..Counters::default() };
    l.state[5] = Memory::Long;
    let blank = vec![0.0f32; 784];
    let fwd = l.forward(&blank, &rule).unwrap();
    let log = l.learn(&fwd, &rule).unwrap();
    // slot 1: t = 100, rate 0.05 < 0.06, forgotten; slot 3: t = 500, rate 0.12 > 0.10, Long
    assert_eq!(log.forgotten.iter().map(|m| m.0).collect::<Vec<_>>(), vec![1]);
    assert_eq!(log.promoted.iter().map(|m| (m.0, m.1.steps, m.1.active_cells)).collect::<Vec<_>>(), vec![(3, 500, 60)]);
    assert_eq!(l.state[1], Memory::Free);
    assert!(l.feature(1).iter().all(|&v| v == 0.0));
    // slot 5 is Long: its counters no longer move
    assert_eq!(l.counters[5].steps, 99);
    // end of phase: a new Short slot is trimmed, the Long ones move down in order
    l.state[7] = Memory::Short;
    let (w3, w5) = (l.feature(3).to_vec(), l.feature(5).to_vec());
    assert_eq!(l.trim_and_compact(), 1);
    assert_eq!(&l.state[..3], &[Memory::Long, Memory::Long, Memory::Free]);
    assert_eq!((l.feature(0), l.feature(1)), (&w3[..], &w5[..]));
    assert!(l.weights[2 * d..].iter().all(|&v| v == 0.0));
}

#[test]
fn a_full_layer_and_bad_input_are_typed_errors() {
    let rule = Rule::default();
    let p = LayerParams { features: 2, ..Memory1Config::default().layers[0] };
    let mut l = Layer::new(p);
    let img: Vec<f32> = (0..784).map(|i| ((i * 7) % 10) as f32 / 10.0).collect();
    let fwd = l.forward(&img, &rule).unwrap();
    assert!(matches!(l.learn(&fwd, &rule), Err(crate::error::Memory1Error::NoFreeSlot { features: 2 })));
    assert!(matches!(l.forward(&img[..100], &rule), Err(crate::error::Memory1Error::InputSize { .. })));
    let mut nan = img.clone();
    nan[5] = f32::NAN;
    assert!(matches!(l.forward(&nan, &rule), Err(crate::error::Memory1Error::NonFinite { index: 5 })));
}

#[test]
fn settings_are_checked() {
    assert!(Memory1Config::default().validate().is_ok());
    let mut c = Memory1Config::default();
    c.layers[1].channels = 10;
    assert!(c.validate().is_err(), "conv2 must read conv1's 300 channels");
    let mut c = Memory1Config::default();
    c.layers[0].max_activation_ratio = 0.5;
    assert!(c.validate().is_err());
    let mut c = Memory1Config::default();
    c.rule.positive_recycle_rate = f32::NAN;
    assert!(c.validate().is_err());
    let mut c = Memory1Config::default();
    c.layers[0].kernel = 40;
    assert!(c.validate().is_err());
    let c: Result<ValidMemory1Config, _> = serde_json::from_str(r#"{"layers": []}"#);
    assert!(c.is_err());
}

#[test]
fn save_and_load_round_trip_and_refuse_damage() {
    let mut net = Memory1::new(Memory1Config::default().validate().unwrap());
    let img = square(4, 4, 0.9);
    learn(&mut net, &[&img], &mut Unobserved, None).unwrap_err_or_steps();
    let path = std::env::temp_dir().join(format!("astdp-memory1-{}.json", std::process::id()));
    net.save(&path).unwrap();
    assert_eq!(Memory1::load(&path).unwrap(), net);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["layers"][0]["state"].as_array_mut().unwrap().pop();
    std::fs::write(&path, v.to_string()).unwrap();
    assert!(Memory1::load(&path).is_err());
    std::fs::remove_file(&path).unwrap();
}

trait StepsOk {
    fn unwrap_err_or_steps(self);
}
impl StepsOk for Result<crate::scheduler::Tick, crate::error::Memory1Error> {
    fn unwrap_err_or_steps(self) {
        assert_eq!(self.unwrap(), 2500);
    }
}

#[test]
fn learning_stops_where_asked_and_goes_to_the_end_otherwise() {
    let layer = conv1().params;
    let cfg = Memory1Config { layers: vec![LayerParams { steps: 10, ..layer }], ..Memory1Config::default() };
    let img = square(4, 4, 1.0);
    let images: Vec<&[f32]> = vec![&img];
    let mut net = Memory1::new(cfg.clone().validate().unwrap());
    let mut ticks = Vec::new();
    let stopped_at = learn_until(&mut net, &images, &mut Unobserved, None, &mut |t, end| {
        ticks.push((t, end));
        if t == 3 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    })
    .unwrap();
    assert_eq!(stopped_at, 3);
    assert_eq!(ticks, (0..=3).map(|t| (t, 10)).collect::<Vec<_>>());
    // four steps learned, no end of phase yet: the new features are still Short
    assert!(net.layers[0].count(Memory::Short) > 0);
    let mut full = Memory1::new(cfg.validate().unwrap());
    assert_eq!(learn(&mut full, &images, &mut Unobserved, None).unwrap(), 10);
    assert_eq!(full.layers[0].count(Memory::Short), 0, "the end of phase trims Short features");
}
