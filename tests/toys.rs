//! Qualitative facts of the toy experiments, on small fast versions.

use astdp::experiments::stdp::{StdpConfig, stdp_curve};

/// STDP: potentiation peak at dt >= 0, depression trough at dt < 0, narrower curve for
/// window 5 than 15, asymmetry growing with beta_s / beta_w.
#[test]
fn stdp_curve_shape() {
    let cfg = StdpConfig { dt_max: 30, ..StdpConfig::default() };
    let w5 = stdp_curve(&cfg, 5, 0.5, 0.4).unwrap();
    let w15 = stdp_curve(&cfg, 15, 0.5, 0.4).unwrap();
    for p in [&w5, &w15] {
        let (imax, _) = p.dw.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
        let (imin, _) = p.dw.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).unwrap();
        assert!(p.dt[imax] >= 0, "peak at {}", p.dt[imax]);
        assert!(p.dt[imin] < 0, "trough at {}", p.dt[imin]);
        assert!(p.ltp_peak > 0.0 && p.ltd_peak < 0.0);
        // far away the curve returns to ~0
        assert!(p.dw[0].abs() < 0.05 * p.ltp_peak && p.dw.last().unwrap().abs() < 0.05 * p.ltp_peak);
    }
    assert!(w5.ltp_width < w15.ltp_width, "{} vs {}", w5.ltp_width, w15.ltp_width);
    let a: Vec<f64> = [0.5f32, 0.6, 0.7].iter().map(|&bs| stdp_curve(&cfg, 10, bs, 0.4).unwrap().asymmetry).collect();
    assert!(a[0] < a[1] && a[1] < a[2], "{a:?}");
}

/// The adaptation runs of seeds 1..=10 under the default config, made once for the
/// tests that read them.
fn adaptation_seeds() -> &'static [astdp::experiments::adaptation::AdaptationResult] {
    use astdp::experiments::adaptation::{AdaptationConfig, run};
    static RUNS: std::sync::OnceLock<Vec<astdp::experiments::adaptation::AdaptationResult>> =
        std::sync::OnceLock::new();
    RUNS.get_or_init(|| (1..=10).map(|seed| run(&AdaptationConfig::default(), seed).unwrap()).collect())
}

/// Adaptation, the overshoot at onset: with the fake target (and momentum) it exceeds
/// the overshoot without the fake target (momentum only) and with neither, by 0.005, in
/// at least 4 of seeds 1..=10 (measured when written: 6 of 10, seeds 1, 4, 5, 8, 9,
/// 10). Momentum is not what makes it: the fake target alone overshoots about as much
/// (docs/toys.md), so the test asks for the fake target only.
#[test]
fn adaptation_overshoot_needs_the_fake_target() {
    let mut wins = Vec::new();
    for r in adaptation_seeds() {
        let o = |name: &str| r.variants.iter().find(|v| v.name == name).unwrap().overshoot;
        assert!(o("neither") >= 0.0);
        if o("fake target + momentum") > o("momentum only") + 0.005
            && o("fake target + momentum") > o("neither") + 0.005
        {
            wins.push(r.seed);
        }
    }
    assert!(wins.len() >= 4, "only seeds {wins:?} of 1..=10");
}

/// Adaptation, the undershoot at offset (issue 32): with fake targets and momentum the
/// measured neuron dips at least 0.01 beyond its rest level, more than the average's own
/// fluctuation at rest, and more than with either alone or with neither, in at least 4
/// of seeds 1..=10 (measured when written: 6 of 10, seeds 1-4, 6, 8; in seeds 5, 7, 9,
/// 10 the neuron rests at or near the hard sigmoid's lower bound, where nothing dips).
#[test]
fn adaptation_undershoot_needs_fake_target_and_momentum() {
    let mut meets = Vec::new();
    for r in adaptation_seeds() {
        let v = |name: &str| r.variants.iter().find(|v| v.name == name).unwrap().clone();
        let both = v("fake target + momentum");
        let alone = [v("fake target only"), v("momentum only"), v("neither")];
        if both.undershoot >= 0.01
            && both.undershoot > both.noise
            && alone.iter().all(|a| both.undershoot > a.undershoot)
        {
            meets.push(r.seed);
        }
    }
    assert!(meets.len() >= 4, "only seeds {meets:?} of 1..=10");
}

/// State relationships under the default reading (the paper's sigmoid4 and fake
/// targets, 300 passes): with 80 and 160 test iterations each net is right on its own
/// order at least 93% of the time, mean of seeds 1-6, and no seed is near chance (the
/// paper: 100%). Measured when written: 99.5% / 97.9% (net+1), 97.9% / 95.3% (net+3).
#[test]
fn relationships_each_net_learns_its_own_order() {
    use astdp::experiments::relationships::{RelationsConfig, run};
    let cfg = RelationsConfig { test_iters: vec![80, 160], ..RelationsConfig::default() };
    let results: Vec<_> = (1..=6).map(|seed| run(&cfg, seed).unwrap()).collect();
    for iters in [80, 160] {
        for net in ["+1", "+3"] {
            let own: Vec<f64> = results.iter().map(|r| r.accuracy[&iters][net][net]).collect();
            let mean = own.iter().sum::<f64>() / 6.0;
            assert!(mean >= 0.93, "{iters} iterations, net{net}: own order {own:?}");
            assert!(own.iter().all(|&a| a > 0.5), "{iters} iterations, net{net}: a seed near chance {own:?}");
        }
    }
}

/// State relationships under the earlier reading (hard sigmoid, no fake targets, 600
/// passes; `configs/scans/relationships/hard_sigmoid_no_fake.json`): with 80 test
/// iterations each net is more accurate on its own order than on the other, summed over
/// seeds 1-6 (the paper's preference, which the default reading loses for net+3).
#[test]
fn relationships_each_net_prefers_its_own_order() {
    use astdp::experiments::relationships::{RelationsConfig, run};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/scans/relationships/hard_sigmoid_no_fake.json");
    let cfg: RelationsConfig = astdp::config::load_over_default(Some(&path)).unwrap();
    let cfg = RelationsConfig { test_iters: vec![80], ..cfg };
    let (mut own1, mut other1, mut own3, mut other3) = (0.0, 0.0, 0.0, 0.0);
    for seed in 1..=6 {
        let a = &run(&cfg, seed).unwrap().accuracy[&80];
        own1 += a["+1"]["+1"];
        other1 += a["+1"]["+3"];
        own3 += a["+3"]["+3"];
        other3 += a["+3"]["+1"];
    }
    assert!(own1 > other1, "net+1: own {own1} other {other1}");
    assert!(own3 > other3, "net+3: own {own3} other {other3}");
}

/// Rivalry (issue 32): the trained net reproduces its four patterns in every seed of
/// 1..=12 (recall margins 0.87-0.97 against 0), and with the fake targets the visible
/// neurons swing between the two percepts (`sd(A - B)` at least 0.25, at least 3
/// switches) while without them the perceived pattern never switches, in at least 7 of
/// the twelve seeds (measured when written: 9 of 12; seed 6's control switches once,
/// seed 8's 9 times, seed 11 swings 0.18).
#[test]
fn rivalry_switches_between_percepts_with_the_fake_target() {
    use astdp::experiments::rivalry::{RivalryConfig, run};
    let cfg = RivalryConfig::default();
    let mut meets = Vec::new();
    for seed in 1..=12 {
        let s = run(&cfg, seed).unwrap().summary;
        assert_eq!(s.patterns_recalled, 4, "seed {seed}: the trained net does not reproduce its patterns");
        if s.ab_sd >= 0.25 && s.switches >= 3 && s.control_switches == 0 {
            meets.push(seed);
        }
    }
    assert!(meets.len() >= 7, "only seeds {meets:?} of 1..=12");
}

/// `configs/toys/NAME.json` is the default config of each toy example (and
/// `configs/memory1/` of the AI-Memory1 examples), written out so a user can copy and
/// edit it: it must not drift from the code's defaults.
#[test]
fn toy_config_files_are_the_defaults() {
    use astdp::experiments::{adaptation::AdaptationConfig, relationships::RelationsConfig};
    use astdp::experiments::{rivalry::RivalryConfig, stdp::StdpConfig};
    fn check<T: Default + serde::Serialize + serde::de::DeserializeOwned>(name: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs").join(name);
        let file: T = astdp::config::load_over_default(Some(&path)).unwrap();
        let (file, default) = (serde_json::to_value(file).unwrap(), serde_json::to_value(T::default()).unwrap());
        assert_eq!(file, default, "{} differs from the defaults", path.display());
        fn keys(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
            if let Some(m) = v.as_object() {
                for (k, x) in m {
                    out.push(format!("{at}.{k}"));
                    keys(x, &format!("{at}.{k}"), out);
                }
            }
        }
        let text: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        keys(&text, "", &mut a);
        keys(&default, "", &mut b);
        assert_eq!(a, b, "{} does not spell out every field", path.display());
    }
    check::<StdpConfig>("toys/stdp_curve.json");
    check::<RivalryConfig>("toys/binocular_rivalry.json");
    check::<AdaptationConfig>("toys/neural_adaptation.json");
    check::<RelationsConfig>("toys/state_relationships.json");
    // and AI-Memory1's two experiments
    check::<astdp::experiments::memory1::ZeroConfig>("memory1/zero.json");
    check::<astdp::experiments::memory1::AccumulateConfig>("memory1/accumulate.json");
    check::<astdp::experiments::association::ImbalanceConfig>("association/imbalance.json");
    check::<astdp::experiments::continual::ContinualConfig>("continual/split_mnist.json");
}
