//! Unit tests of the twin state: hand-computed steps and updates.

use super::*;
use crate::config::{BatchReduction, DzSign};
use crate::topology::Topology;

/// A twin state of `strong.len() / N` batch elements at the given states, with `rho`
/// and `dz` computed.
fn twin_at(net: &Network, cfg: &Config, strong: Vec<f32>, weak: Vec<f32>) -> TwinState {
    let batch = strong.len() / net.n_neurons();
    let mut tw = TwinState::new(net, cfg, batch, strong);
    tw.weak.s = weak;
    tw.refresh(net, cfg.activation);
    tw.compute_dz(cfg);
    tw
}

/// 1 input + 1 output, W_10 = W_01 = 0.5, b = (0.1, -0.2).
fn pair() -> Network {
    let t = Topology::new(&[("in", 1, Role::Input), ("out", 1, Role::Output)], &[(1, 0), (0, 1)]).unwrap();
    let mut net = Network::zeros(t);
    net.set_weight(1, 0, 0.5).unwrap();
    net.set_weight(0, 1, 0.5).unwrap();
    net.bias = vec![0.1, -0.2];
    net
}

#[test]
fn one_euler_step_by_hand() {
    let net = pair();
    let cfg = Config { momentum: 1.0, ..Config::default() };
    let mut tw = TwinState::new(&net, &cfg, 1, vec![0.0, 0.25]);
    tw.set_targets(&net, 1..2, &[1.0], &[Clamp::Soft]);
    tw.integrate(&net, &cfg, Net::Strong, false);
    // R = (0.4655293, 0.0393224) (see network tests); force_0 = R_0 - 0 = 0.4655293
    // force_1 = 0.0393224 - 0.25 + 0.4 * (1 - 0.25) = 0.0893224
    // s <- s + 0.5 force
    assert!((tw.strong.s[0] - 0.232_764_6).abs() < 1e-6, "{}", tw.strong.s[0]);
    assert!((tw.strong.s[1] - 0.294_661_2).abs() < 1e-6, "{}", tw.strong.s[1]);
    assert!((tw.strong.max_force[0] - 0.465_529_3).abs() < 1e-6);
    // the weak net did not move
    assert_eq!(tw.weak.s, vec![0.0, 0.25]);
}

#[test]
fn momentum_step_by_hand() {
    let net = pair();
    let cfg = Config { momentum: 0.5, ..Config::default() };
    let mut tw = TwinState::new(&net, &cfg, 1, vec![0.0, 0.25]);
    tw.weak.v = vec![0.2, -0.1];
    tw.integrate(&net, &cfg, Net::Weak, false);
    // v = 0.5 force + 0.5 v_old; force = (0.4655293, 0.0393224 - 0.25)
    // v = (0.3327647, -0.1553388); s = s + 0.4 v
    assert!((tw.weak.v[0] - 0.332_764_6).abs() < 1e-6);
    assert!((tw.weak.v[1] + 0.155_338_8).abs() < 1e-6);
    assert!((tw.weak.s[0] - 0.133_105_9).abs() < 1e-6);
    assert!((tw.weak.s[1] - 0.187_864_5).abs() < 1e-6);
}

#[test]
fn hard_clamp_sets_state() {
    let net = pair();
    let cfg = Config::default();
    let mut tw = TwinState::new(&net, &cfg, 2, vec![0.0; 4]);
    tw.set_targets(&net, 0..1, &[0.3, 0.7], &[Clamp::Hard]);
    tw.integrate_both(&net, &cfg, false, false);
    assert_eq!((tw.strong.s[0], tw.strong.s[2]), (0.3, 0.7));
    assert_eq!((tw.weak.s[0], tw.weak.s[2]), (0.3, 0.7));
    // a held layer is skipped until its targets change, then takes the new ones
    tw.integrate_both(&net, &cfg, false, false);
    assert_eq!(tw.strong.s[0], 0.3);
    tw.set_targets(&net, 0..1, &[0.9, 0.1], &[Clamp::Hard]);
    tw.integrate_both(&net, &cfg, false, false);
    assert_eq!((tw.strong.s[0], tw.strong.s[2]), (0.9, 0.1));
    assert_eq!((tw.weak.s[0], tw.weak.s[2]), (0.9, 0.1));
    assert_eq!(tw.rho(Net::Strong)[0], cfg.activation.rho(0.9));
    assert_eq!(tw.rho(Net::Weak)[2], cfg.activation.rho(0.1));
}

/// Fake targets drawn beside the weight updates on two threads give the same bits
/// as one after the other (problem large enough for every parallel path).
#[test]
fn targets_and_learning_same_in_parallel() {
    let t = Topology::new(&[("v", 200, Role::Input), ("h", 300, Role::Hidden)], &[(1, 0), (0, 1), (1, 1)]).unwrap();
    let mut net = Network::zeros(t);
    for (k, blk) in net.blocks.iter_mut().enumerate() {
        for (i, w) in blk.w.iter_mut().enumerate() {
            *w = ((i * 7 + k * 3) % 13) as f32 * 0.01 - 0.06;
        }
    }
    let cfg = Config { smoothing: 0.01, ..Config::default() };
    let batch = 64;
    let s0: Vec<f32> = (0..batch * 500).map(|i| ((i * 11) % 17) as f32 * 0.05 - 0.4).collect();
    let mut tw = TwinState::new(&net, &cfg, batch, s0);
    tw.integrate_both(&net, &cfg, false, false);
    tw.compute_dz(&cfg);
    let (plastic, rate) = ([true, true], [1.0, 1.0]);
    let learning = Some(Learning { alpha: 0.05, plastic: &plastic, rate: &rate, block_rate: &[1.0, 1.0, 1.0] });
    let run = |parallel: bool| {
        let (mut tw, mut net) = (tw.clone(), net.clone());
        let mut rng = <rand_xoshiro::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(3);
        let fired = tw.targets_and_learning(&mut net, &cfg, &mut rng, true, learning, parallel);
        (fired, tw, net)
    };
    let (fired_serial, tw_serial, net_serial) = run(false);
    let (fired_parallel, tw_parallel, net_parallel) = run(true);
    assert!(fired_serial > 0);
    assert_eq!(fired_serial, fired_parallel);
    assert_eq!(tw_serial, tw_parallel);
    assert_eq!(net_serial, net_parallel);
    assert_ne!(net_serial, net, "the weights learned");
}

#[test]
fn rule_by_hand() {
    let net0 = pair();
    let cfg = Config { batch_reduction: BatchReduction::Sum, ..Config::default() };
    let mut tw = TwinState::new(&net0, &cfg, 1, vec![0.0, 0.0]);
    tw.strong.s = vec![0.25, 0.0];
    tw.weak.s = vec![0.0, 0.25];
    tw.refresh(&net0, cfg.activation);
    tw.compute_dz(&cfg);
    // rho_s = (0.7310586, 0.5), rho_w = (0.5, 0.7310586); dz = (0.2310586, -0.2310586)
    assert!((tw.dz[0] - 0.231_058_6).abs() < 1e-6);
    let mut net = net0.clone();
    tw.apply_rule(
        &mut net,
        &cfg,
        Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] },
        false,
    );
    // dW_10 = 0.1 * dz_1 * rho_s_0 = 0.1 * -0.2310586 * 0.7310586 = -0.0168916
    // dW_01 = 0.1 * dz_0 * rho_s_1 = 0.1 * 0.2310586 * 0.5 = 0.0115529
    assert!((net.weight(1, 0).unwrap() - (0.5 - 0.016_891_6)).abs() < 1e-6);
    assert!((net.weight(0, 1).unwrap() - (0.5 + 0.011_552_9)).abs() < 1e-6);
    assert!((net.bias[0] - (0.1 + 0.023_105_86)).abs() < 1e-6);
    // mean over a batch of 2 identical elements equals the sum over one
    let cfg_mean = Config { batch_reduction: BatchReduction::Mean, ..cfg };
    let mut tw2 = TwinState::new(&net0, &cfg_mean, 2, vec![0.0; 4]);
    tw2.strong.s = vec![0.25, 0.0, 0.25, 0.0];
    tw2.weak.s = vec![0.0, 0.25, 0.0, 0.25];
    tw2.refresh(&net0, cfg.activation);
    tw2.compute_dz(&cfg_mean);
    let mut net2 = net0.clone();
    tw2.apply_rule(
        &mut net2,
        &cfg_mean,
        Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] },
        false,
    );
    assert!((net2.weight(1, 0).unwrap() - net.weight(1, 0).unwrap()).abs() < 1e-7);
    // weight decay: W <- (1 - alpha * lambda) W + the rule's update; biases not decayed
    let wd = Config { weight_decay: 0.5, ..cfg };
    let mut net3 = net0.clone();
    tw.apply_rule(
        &mut net3,
        &wd,
        Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] },
        false,
    );
    assert!((net3.weight(1, 0).unwrap() - (0.5 * 0.95 - 0.016_891_6)).abs() < 1e-6);
    assert!((net3.weight(0, 1).unwrap() - (0.5 * 0.95 + 0.011_552_9)).abs() < 1e-6);
    assert!((net3.bias[0] - (0.1 + 0.023_105_86)).abs() < 1e-6);
    // per-layer rates (layer 0 = neuron 0, layer 1 = neuron 1): at rate 0.5 the weight
    // into neuron 1 and its bias move half as far, decay included
    let mut net5 = net0.clone();
    tw.apply_rule(
        &mut net5,
        &wd,
        Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 0.5], block_rate: &[1.0, 1.0] },
        false,
    );
    assert!((net5.weight(1, 0).unwrap() - (0.5 * 0.975 - 0.5 * 0.016_891_6)).abs() < 1e-6);
    assert!((net5.weight(0, 1).unwrap() - (0.5 * 0.95 + 0.011_552_9)).abs() < 1e-6);
    assert!((net5.bias[1] - (-0.2 - 0.5 * 0.023_105_86)).abs() < 1e-6);
    assert!((net5.bias[0] - (0.1 + 0.023_105_86)).abs() < 1e-6);
    // a block rate of 0.5 on the weights 0 -> 1 only: that weight moves half as far
    // (its decay too), the bias of neuron 1 and the weight 1 -> 0 as at rate 1
    let k10 = net0.block_index(1, 0).unwrap();
    let mut block_rate = [1.0; 2];
    block_rate[k10] = 0.5;
    let mut net6 = net0.clone();
    let half = Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &block_rate };
    tw.apply_rule(&mut net6, &wd, half, false);
    assert!((net6.weight(1, 0).unwrap() - (0.5 * 0.975 - 0.5 * 0.016_891_6)).abs() < 1e-6);
    assert!((net6.weight(0, 1).unwrap() - (0.5 * 0.95 + 0.011_552_9)).abs() < 1e-6);
    assert!((net6.bias[1] - (-0.2 - 0.023_105_86)).abs() < 1e-6);
    // EP's symmetric rule: rho_s = (0.7310586, 0.7310586), rho_w = (0.5, 0.5), so
    // dW_10 = dW_01 = 0.1 * (0.7310586^2 - 0.25) = 0.0284446, db = 0.1 * dz = 0.0231059
    let ep = Config { rule: Rule::SymmetricEp, ..cfg };
    let mut tw4 = twin_at(&net0, &ep, vec![0.25, 0.25], vec![0.0, 0.0]);
    let mut net4 = net0.clone();
    tw4.apply_rule(
        &mut net4,
        &ep,
        Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] },
        false,
    );
    assert!((net4.weight(1, 0).unwrap() - (0.5 + 0.028_444_6)).abs() < 1e-6);
    assert!((net4.weight(0, 1).unwrap() - (0.5 + 0.028_444_6)).abs() < 1e-6);
    assert!((net4.bias[1] - (-0.2 + 0.023_105_86)).abs() < 1e-6);
    // the other sign
    let neg = Config { dz_sign: DzSign::WeakMinusStrong, ..cfg };
    tw.compute_dz(&neg);
    assert!((tw.dz[0] + 0.231_058_6).abs() < 1e-6);
}

/// The presynaptic readings by hand on the pair, and on a random net the invariant
/// that names them: `dW_ij + dW_ji` is EP's update plus `dz_i dz_j` (strong), exactly
/// EP's (mean), or EP's minus `dz_i dz_j` (weak), batch-reduced like the rule; and
/// that `dW_ij - dW_ji` is `alpha (rho_s_i rho_w_j - rho_w_i rho_s_j)` for all three.
#[test]
fn presynaptic_readings() {
    let net0 = pair();
    let learning = Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] };
    // rho_s = (0.7310586, 0.5), rho_w = (0.5, 0.7310586); dz = (0.2310586, -0.2310586)
    let by_hand = |presynaptic: Presynaptic| {
        let cfg = Config { batch_reduction: BatchReduction::Sum, presynaptic, ..Config::default() };
        let mut tw = twin_at(&net0, &cfg, vec![0.25, 0.0], vec![0.0, 0.25]);
        let mut net = net0.clone();
        tw.apply_rule(&mut net, &cfg, learning, false);
        (net.weight(1, 0).unwrap() - 0.5, net.weight(0, 1).unwrap() - 0.5, net.bias[0] - 0.1)
    };
    // mean: pre = (0.6155293, 0.6155293); dW_10 = 0.1 * -0.2310586 * 0.6155293
    let (w10, w01, b0) = by_hand(Presynaptic::Mean);
    assert!((w10 + 0.014_222_3).abs() < 1e-6, "{w10}");
    assert!((w01 - 0.014_222_3).abs() < 1e-6, "{w01}");
    assert!((b0 - 0.023_105_86).abs() < 1e-6, "{b0}");
    // weak: dW_10 = 0.1 * -0.2310586 * 0.5, dW_01 = 0.1 * 0.2310586 * 0.7310586
    let (w10, w01, b0) = by_hand(Presynaptic::Weak);
    assert!((w10 + 0.011_552_9).abs() < 1e-6, "{w10}");
    assert!((w01 - 0.016_891_6).abs() < 1e-6, "{w01}");
    assert!((b0 - 0.023_105_86).abs() < 1e-6, "{b0}");

    let t = Topology::new(
        &[("v", 2, Role::Input), ("h", 3, Role::Hidden), ("o", 2, Role::Output)],
        &[(1, 0), (0, 1), (2, 1), (1, 2), (1, 1)],
    )
    .unwrap();
    let mut net = Network::zeros(t);
    for (k, blk) in net.blocks.iter_mut().enumerate() {
        for (i, w) in blk.w.iter_mut().enumerate() {
            *w = ((i * 5 + k * 3) % 11) as f32 * 0.03 - 0.15;
        }
    }
    let n = net.n_neurons();
    let batch = 3;
    let s_strong: Vec<f32> = (0..batch * n).map(|i| ((i * 7) % 13) as f32 * 0.04 - 0.2).collect();
    let s_weak: Vec<f32> = (0..batch * n).map(|i| ((i * 5) % 11) as f32 * 0.05 - 0.25).collect();
    let (plastic, rate) = ([true; 3], [1.0; 3]);
    let learning = Learning { alpha: 0.1, plastic: &plastic, rate: &rate, block_rate: &[1.0; 5] };
    let update = |cfg: &Config| {
        let mut tw = twin_at(&net, cfg, s_strong.clone(), s_weak.clone());
        let mut after = net.clone();
        tw.apply_rule(&mut after, cfg, learning, false);
        (after, tw.dz.clone())
    };
    let (ep, dz) = update(&Config { rule: Rule::SymmetricEp, ..Config::default() });
    let mut pairs = 0;
    for (presynaptic, dzdz) in [(Presynaptic::Strong, 1.0), (Presynaptic::Mean, 0.0), (Presynaptic::Weak, -1.0)] {
        let (astdp, _) = update(&Config { presynaptic, ..Config::default() });
        for i in 0..n {
            for j in 0..i {
                let (Some(w_ij), Some(w_ji)) = (net.weight(i, j), net.weight(j, i)) else { continue };
                let sym = astdp.weight(i, j).unwrap() - w_ij + astdp.weight(j, i).unwrap() - w_ji;
                let ep_ij = ep.weight(i, j).unwrap() - w_ij;
                let hebb: f32 = (0..batch).map(|b| dz[b * n + i] * dz[b * n + j]).sum::<f32>() * 0.1 / batch as f32;
                let want = ep_ij + dzdz * hebb;
                assert!((sym - want).abs() < 1e-6, "{presynaptic:?} ({i}, {j}): {sym} against {want}");
                // the antisymmetric part is the same for every reading
                let anti = astdp.weight(i, j).unwrap() - w_ij - (astdp.weight(j, i).unwrap() - w_ji);
                let act = Config::default().activation;
                let (r_s, r_w) = (|k: usize| act.rho(s_strong[k]), |k: usize| act.rho(s_weak[k]));
                let cross: f32 =
                    (0..batch).map(|b| r_s(b * n + i) * r_w(b * n + j) - r_w(b * n + i) * r_s(b * n + j)).sum();
                let want = cross * 0.1 / batch as f32;
                assert!((anti - want).abs() < 1e-6, "{presynaptic:?} ({i}, {j}): {anti} against {want}");
                if presynaptic == Presynaptic::Mean {
                    pairs += 1;
                }
            }
        }
    }
    assert!(pairs >= 10, "{pairs} connected pairs checked");
}

#[test]
fn fake_target_probability() {
    // one hidden neuron per batch element, 20000 elements with the same dz
    let t = Topology::new(&[("v", 1, Role::Input), ("h", 1, Role::Hidden)], &[(1, 0), (0, 1)]).unwrap();
    let net = Network::zeros(t);
    let mut cfg = Config::default();
    cfg.fake_target.k = 4.0;
    cfg.fake_target.m_avg = 0.5;
    cfg.fake_target.dzm_init = 0.1;
    let b = 20_000;
    let mut tw = TwinState::new(&net, &cfg, b, vec![0.0; 2 * b]);
    for i in 0..b {
        tw.dz[2 * i + 1] = -0.1;
    }
    let mut rng = <rand_xoshiro::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(7);
    let fired = tw.fake_targets(&net, &cfg, &mut rng);
    // dzm = 0.5 * 0.1 + 0.5 * 0.1 = 0.1; p = min(1, 0.1 / (4 * 0.1)) = 0.25
    assert!((tw.dzm[1] - 0.1).abs() < 1e-7);
    let p = fired as f64 / b as f64;
    assert!((p - 0.25).abs() < 0.015, "{p}");
    let i = (0..b).find(|&i| tw.clamp[2 * i + 1] == Clamp::Soft).unwrap();
    assert_eq!(tw.target[2 * i + 1], -0.25);
    // visible neurons never get fake targets
    assert!((0..b).all(|i| tw.clamp[2 * i] == Clamp::Free));
    // the relative reading: a jump of t_c from the strong state in the direction of dz
    let rel = Config {
        fake_target: crate::config::FakeTargetConfig {
            level: crate::config::FakeTargetLevel::FromState,
            k: 1.0,
            ..cfg.fake_target
        },
        ..cfg
    };
    for i in 0..b {
        tw.strong.s[2 * i + 1] = 0.6;
        tw.dz[2 * i + 1] = 10.0;
    }
    tw.fake_targets(&net, &rel, &mut rng);
    assert!((tw.target[1] - 0.85).abs() < 1e-6, "{}", tw.target[1]);
    // the literal reading of eq. 17: p = min(1, k |dz|) = 2.5 * 0.1 = 0.25, whatever dzm
    let lin = Config {
        fake_target: crate::config::FakeTargetConfig {
            probability: crate::config::FiringProbability::Linear,
            k: 2.5,
            ..cfg.fake_target
        },
        ..cfg
    };
    for i in 0..b {
        tw.dz[2 * i + 1] = -0.1;
        tw.dzm[2 * i + 1] = 1e-6;
    }
    let p = tw.fake_targets(&net, &lin, &mut rng) as f64 / b as f64;
    assert!((p - 0.25).abs() < 0.015, "{p}");
    // with k * m_avg <= 1 a jump in |dz| fires with probability 1
    cfg.fake_target.k = 1.0;
    for i in 0..b {
        tw.dz[2 * i + 1] = 10.0;
    }
    assert_eq!(tw.fake_targets(&net, &cfg, &mut rng), b);
}

/// The toys' training model (`experiments::toy_model`) steps past the strong net's Euler
/// limit: with `W = 0` a soft-clamped hard-sigmoid unit has `force = b - s + beta (t - s)`,
/// so its error from the fixed point `s* = (b + beta t) / (1 + beta)` is multiplied by
/// `1 - eps (1 + beta)` per tick: -1.5 at eps 0.5, beta 4 (it grows and alternates until
/// the bound holds it), -0.5 at beta 2 (it settles). Here `b = -0.25`, `t = 1`: `s* = 0.75`.
#[test]
fn strong_clamp_steps_past_the_euler_limit() {
    let t = Topology::new(&[("in", 1, Role::Input), ("out", 1, Role::Output)], &[(1, 0), (0, 1)]).unwrap();
    let mut net = Network::zeros(t);
    net.bias = vec![-0.25, -0.25];
    let cfg = crate::experiments::toy_model();
    let mut tw = TwinState::new(&net, &cfg, 1, vec![0.7, 0.7]);
    tw.weak.s = vec![0.7, 0.7];
    tw.refresh(&net, cfg.activation);
    tw.set_targets(&net, 0..2, &[1.0, 1.0], &[Clamp::Soft, Clamp::Soft]);
    let mut strong = Vec::new();
    let mut weak = Vec::new();
    for _ in 0..40 {
        tw.integrate(&net, &cfg, Net::Strong, false);
        tw.integrate(&net, &cfg, Net::Weak, false);
        strong.push(tw.strong.s[0]);
        weak.push(tw.weak.s[0]);
    }
    // the first step by hand: e = 0.7 - 0.75 = -0.05 -> -1.5 e = +0.075, s = 0.825
    assert!((strong[0] - 0.825).abs() < 1e-6, "{}", strong[0]);
    // in the end a 2-cycle between the upper bound and 1 + eps * force(1) = 1 - 0.625
    // (force(1) = b - 1 = -1.25), from which the step overshoots past 1 again
    let last = &strong[36..];
    let (hi, lo) = if last[0] == 1.0 { (0, 1) } else { (1, 0) };
    for k in 0..2 {
        assert_eq!(last[hi + 2 * k], 1.0, "{last:?}");
        assert!((last[lo + 2 * k] - 0.375).abs() < 1e-6, "{last:?}");
    }
    // the weak net (beta 2, factor -0.5) settles at its fixed point (b + 2) / 3
    assert!((weak[39] - 1.75 / 3.0).abs() < 1e-5, "{}", weak[39]);
}

/// Held net inputs ([`held`]) give the bits of the product they stand for: a tick of both
/// nets with the input held and learning off, against the same tick with nothing held
/// (the forward pass's own GEMM); and the held inputs are dropped when the input changes
/// or learning starts.
#[test]
fn held_net_inputs_are_the_products_bits() {
    let t = Topology::layered(64, &[24], 10, true).unwrap();
    let mut net = Network::zeros(t);
    let mut v = 0.37f32;
    for w in net.blocks.iter_mut().flat_map(|b| b.w.iter_mut()).chain(net.bias.iter_mut()) {
        v = (v * 3.7).fract();
        *w = v - 0.5;
    }
    let cfg = Config::default();
    let (batch, n) = (16, net.n_neurons());
    let mut tw = TwinState::new(&net, &cfg, batch, vec![0.1; batch * n]);
    let image = |seed: usize| (0..batch * 64).map(|i| ((i * 7919 + seed) % 101) as f32 / 100.0).collect::<Vec<f32>>();
    tw.set_targets(&net, 0..64, &image(0), &[Clamp::Hard]);
    tw.integrate_both(&net, &cfg, false, false);
    for tick in 0..3 {
        tw.prepare_tick(&mut net, false, false, false, false);
        assert_eq!(tw.held.len(), 1, "tick {tick}: the input block's net inputs are not held");
        let mut plain = tw.clone();
        plain.held.clear();
        tw.integrate_both(&net, &cfg, false, false);
        plain.integrate_both(&net, &cfg, false, false);
        assert_eq!(tw.net_in, plain.net_in, "tick {tick}");
        assert_eq!((&tw.strong.s, &tw.weak.s), (&plain.strong.s, &plain.weak.s), "tick {tick}");
    }
    let held = tw.held[0].clone();
    tw.set_targets(&net, 0..64, &image(5), &[Clamp::Hard]);
    tw.integrate_both(&net, &cfg, false, false);
    tw.prepare_tick(&mut net, false, false, false, false);
    assert_ne!(tw.held, vec![held], "a new input kept the old net inputs");
    tw.prepare_tick(&mut net, false, true, false, false);
    assert!(tw.held.is_empty(), "learning kept the held net inputs");
}
