//! Property tests on the invariants: energy descent, event order, determinism, resume.

use astdp::error::ScheduleError;
use astdp::scheduler::{Handler, Phased, Scheduler, Tick};
use astdp::{Activation, Clamp, Config, Net, Network, Simulation, Topology, rng_from_seed};
use proptest::prelude::*;

/// Upper bound of the Lipschitz constant of grad F = grad E + beta grad C, for symmetric W:
/// L <= 1 + beta + max|rho''| * max_i (sum_j |W_ij| + |b_i|) + max_i sum_j |W_ij|
/// (the Hessian of E is I - diag(rho'' (W rho + b)) - diag(rho') W diag(rho'), |rho| <= 1,
/// |rho'| <= 1, and ||W||_2 <= ||W||_inf for symmetric W). Gradient descent with step
/// eps <= 1/L never increases F (descent lemma).
fn lipschitz_bound(net: &Network, act: Activation, beta: f32) -> f32 {
    let n = net.n_neurons();
    let row_abs: Vec<f32> = (0..n).map(|i| (0..n).filter_map(|j| net.weight(i, j)).map(f32::abs).sum()).collect();
    let w_inf = row_abs.iter().cloned().fold(0.0, f32::max);
    let wb = row_abs.iter().zip(&net.bias).map(|(r, b)| r + b.abs()).fold(0.0, f32::max);
    1.0 + beta + act.max_abs_rho_second() * wb + w_inf
}

fn act_strategy() -> impl Strategy<Value = Activation> {
    prop_oneof![Just(Activation::Sigmoid4), Just(Activation::HardSigmoid)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// (a) With symmetric W, no momentum, no fake target and no learning, E never
    /// increases for eps = 1/L; with soft targets on the visible neurons, F = E + beta C
    /// never increases in either net.
    #[test]
    fn energy_and_free_energy_descend(seed in 0u64..10_000, visible in 1usize..6, hidden in 2usize..10,
                                      act in act_strategy(), with_targets in any::<bool>(), wscale in 0.1f32..3.0) {
        let mut rng = rng_from_seed(seed);
        let mut net = Network::random(Topology::toy(visible, hidden).unwrap(), &mut rng);
        for b in &mut net.blocks { for w in &mut b.w { *w *= wscale; } }
        net.symmetrize();
        let (beta_s, beta_w) = (0.4f32, 0.25f32);
        let eps = 1.0 / lipschitz_bound(&net, act, beta_s);
        let mut cfg = Config { activation: act, alpha: 0.0, momentum: 1.0, eps_strong: eps, eps_weak: eps,
                               beta_strong: beta_s, beta_weak: beta_w, init_low: 0.0, init_high: 1.0, ..Config::default() };
        cfg.fake_target.enabled = false;
        let mut sim = Simulation::new(net.clone(), cfg.validate().unwrap(), 1, rng).unwrap();
        let targets: Vec<f32> = (0..visible).map(|i| (i % 2) as f32).collect();
        let t_opt: Vec<Option<f32>> = (0..visible + hidden).map(|i| if with_targets && i < visible { Some(targets[i]) } else { None }).collect();
        if with_targets {
            sim.present(0, 0, targets.clone(), Clamp::Soft).unwrap();
        }
        let f = |sim: &Simulation, which: Net, beta: f32| {
            let s = sim.state(which, 0);
            net.energy(s, act) + beta as f64 * astdp::network::cost(s, &t_opt)
        };
        let mut prev = (f(&sim, Net::Strong, beta_s), f(&sim, Net::Weak, beta_w));
        sim.schedule_ticks(0, 60).unwrap();
        for t in 1..=60 {
            sim.run_until(t).unwrap();
            let now = (f(&sim, Net::Strong, beta_s), f(&sim, Net::Weak, beta_w));
            let tol = 1e-5 * (1.0 + prev.0.abs());
            prop_assert!(now.0 <= prev.0 + tol, "strong F rose at tick {}: {} -> {}", t, prev.0, now.0);
            prop_assert!(now.1 <= prev.1 + tol, "weak F rose at tick {}: {} -> {}", t, prev.1, now.1);
            prev = now;
        }
    }

    /// (b) The queue pops in (tick, phase, insertion) order; cancelled events never fire.
    #[test]
    fn queue_order_and_cancellation(ops in prop::collection::vec((0u64..20, 0u8..3, any::<bool>()), 1..80)) {
        #[derive(Clone, Debug)]
        struct E { phase: u8, seq: usize }
        impl Phased for E { fn phase(&self) -> u8 { self.phase } }
        struct Log(Vec<(Tick, u8, usize)>);
        impl Handler<E> for Log {
            type Error = ScheduleError;
            fn handle(&mut self, _: &mut Scheduler<E>, now: Tick, e: E) -> Result<(), ScheduleError> {
                self.0.push((now, e.phase, e.seq));
                Ok(())
            }
        }
        let mut q = Scheduler::new();
        let mut expected = Vec::new();
        for (seq, &(tick, phase, cancel)) in ops.iter().enumerate() {
            let id = q.schedule(tick, E { phase, seq }).unwrap();
            if cancel {
                prop_assert!(q.cancel(id).is_some());
                prop_assert!(q.cancel(id).is_none());
            } else {
                expected.push((tick, phase, seq));
            }
        }
        expected.sort();
        let mut log = Log(Vec::new());
        q.run(&mut log).unwrap();
        prop_assert_eq!(log.0, expected);
    }

    /// (c) The same seed gives bit-identical trajectories and weights (fake targets and
    /// learning on, momentum on).
    #[test]
    fn same_seed_is_bit_identical(seed in 0u64..1000) {
        let a = toy_run(seed, 0, 300);
        let b = toy_run(seed, 0, 300);
        prop_assert_eq!(bits(&a), bits(&b));
        prop_assert!(a.fake_fired() > 0);
    }

    /// (d) Save -> load -> continue equals never having stopped, bit for bit.
    #[test]
    fn save_load_continue_is_bit_identical(seed in 0u64..1000, split in 1u64..299) {
        let straight = toy_run(seed, 0, 300);
        let mut first = toy_sim(seed);
        first.run_until(split).unwrap();
        let path = std::env::temp_dir().join(format!("astdp-prop-{}-{seed}-{split}.json", std::process::id()));
        first.save(&path).unwrap();
        let mut resumed = Simulation::load(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        resumed.run_until(300).unwrap();
        prop_assert_eq!(bits(&straight), bits(&resumed));
        prop_assert_eq!(straight.recording(0), resumed.recording(0));
    }
}

/// The toy rivalry set-up: 4 visible + 8 hidden, learning, fake targets, momentum,
/// four patterns in turn, a probe.
fn toy_sim(seed: u64) -> Simulation {
    let mut rng = rng_from_seed(seed);
    let net = Network::random(Topology::toy(4, 8).unwrap(), &mut rng);
    let cfg = Config { alpha: 0.05, momentum: 0.7, ..Config::default() }.validate().unwrap();
    let mut sim = Simulation::new(net, cfg, 1, rng).unwrap();
    for k in 0..4u64 {
        let mut x = vec![0.0; 4];
        x[k as usize] = 1.0;
        sim.present(k * 75, 0, x, Clamp::Soft).unwrap();
    }
    sim.schedule_ticks(0, 300).unwrap();
    sim.add_probe(astdp::ProbeSpec { neurons: vec![0, 5], batch: 0, every: 7 }, 3, 300).unwrap();
    sim
}

fn toy_run(seed: u64, from: u64, to: u64) -> Simulation {
    let mut sim = toy_sim(seed);
    sim.run_until(from).unwrap();
    sim.run_until(to).unwrap();
    sim
}

fn bits(sim: &Simulation) -> Vec<u32> {
    let tw = sim.twin();
    let net = sim.network();
    tw.net(Net::Strong)
        .s()
        .iter()
        .chain(tw.net(Net::Weak).s())
        .chain(tw.net(Net::Strong).v())
        .chain(tw.dzm())
        .chain(&net.bias)
        .chain(net.blocks.iter().flat_map(|b| b.w.iter()))
        .map(|x| x.to_bits())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Clustering neurons: the spike events on the queue and the fast path pick the same
    /// winner for every example, exploration included, and end with the same centres.
    #[test]
    fn clustering_event_path_equals_fast_path(
        seed in 0u64..1000, k in 1usize..8, dim in 1usize..6, n in 1usize..60, p_explore in 0.0f32..0.5,
    ) {
        use astdp::clustering::{Clusterer, ClustererParams, kmeans::kmeans_pp};
        use rand::RngExt;
        let mut rng = rng_from_seed(seed);
        // a few repeated rows, so that ties happen
        let data: Vec<f32> = (0..(n + k) * dim).map(|_| (rng.random_range(0..5) as f32) * 0.25).collect();
        let params = ClustererParams { p_explore, ..ClustererParams::new(k, dim) }.check().unwrap();
        let start = kmeans_pp(&data, dim, k, &mut rng).unwrap();
        let (mut a, mut b) = (Clusterer::new(params, start.clone()).unwrap(), Clusterer::new(params, start).unwrap());
        let (mut ra, mut rb) = (rng_from_seed(seed + 1), rng_from_seed(seed + 1));
        for x in data.chunks_exact(dim) {
            prop_assert_eq!(a.present(x, &mut ra, true).unwrap(), b.present(x, &mut rb, false).unwrap());
        }
        prop_assert_eq!(a.centres(), b.centres());
    }

    /// Meta-clustering masks stay in [floor, 1] and sum to 1 per input, whatever the data.
    #[test]
    fn meta_clustering_masks_stay_normalised(
        seed in 0u64..1000, m in 1usize..5, dim in 1usize..8, lambda in 0.01f32..20.0, floor_frac in 0.0f32..1.0,
    ) {
        use astdp::clustering::{MetaClusterer, MetaParams};
        use rand::RngExt;
        let mut rng = rng_from_seed(seed);
        let data: Vec<f32> = (0..40 * dim).map(|_| rng.random::<f32>() * 3.0 - 1.0).collect();
        let floor = floor_frac / m as f32;
        let params = MetaParams { lambda, floor, ..MetaParams::new(m, 3, dim) }.check().unwrap();
        let mut meta = MetaClusterer::new(params, &data, &mut rng).unwrap();
        for x in data.chunks_exact(dim) {
            meta.present(x, &mut rng, false).unwrap();
        }
        for d in 0..dim {
            let col: Vec<f32> = (0..m).map(|j| meta.mask(j)[d]).collect();
            prop_assert!(col.iter().all(|&v| v >= floor * 0.9999 && v <= 1.0 + 1e-6), "{:?}", col);
            prop_assert!((col.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{:?}", col);
        }
    }
}
