//! AI-Memory1 on the real MNIST files (via ASTDP_MNIST_DIR): the spec's acceptance
//! checks A (the early trace, exactly), B (held-out coverage) and C (accumulation
//! without interference), `../shared/docs/ai-memory1.md` section 12.

use astdp::data::mnist::{Dataset, load};
use astdp::experiments::memory1::{AccumulateConfig, ZeroConfig, ZeroRun, run_accumulate, run_zero};
use astdp::memory1::Memory1;

fn mnist() -> Option<(Dataset, Dataset)> {
    match load(None, usize::MAX, usize::MAX) {
        Ok(d) => Some(d),
        Err(e) => {
            assert!(std::env::var_os("ASTDP_REQUIRE_MNIST").is_none(), "ASTDP_REQUIRE_MNIST is set but: {e}");
            eprintln!("SKIPPED: MNIST files not found ({e}); set ASTDP_MNIST_DIR=../shared/data/mnist");
            None
        }
    }
}

fn zero_run(train: &Dataset, test: &Dataset) -> (ZeroRun, Memory1) {
    run_zero(&ZeroConfig { probe_steps: vec![1, 2, 25], ..ZeroConfig::default() }, train, test).unwrap()
}

/// `(feature, y, x)` of a conv1 cell, as the spec writes them.
fn fyx(f: usize, c: usize) -> (usize, usize, usize) {
    (f, c / 11, c % 11)
}

#[test]
fn check_a_the_early_trace_exactly_and_check_b() {
    let Some((train, test)) = mnist() else { return };
    let (run, net) = zero_run(&train, &test);
    // created per step, steps 0-30
    assert_eq!(
        run.created_per_step,
        vec![7, 3, 2, 4, 0, 1, 2, 6, 0, 2, 1, 2, 0, 6, 1, 5, 0, 0, 3, 1, 2, 1, 1, 6, 3, 0, 4, 4, 6, 1, 5]
    );
    // step 1: the winners and their input sums (spec section 10, write-up Fig. 3-5)
    let step1 = &run.probes[0];
    assert_eq!(step1.step, 1);
    let winners: Vec<((usize, usize, usize), f32)> = step1
        .groups
        .iter()
        .map(|g| (fyx(g[0].0, g[0].1), step1.active_before.iter().find(|a| (a.0, a.1) == g[0]).unwrap().2))
        .collect();
    for (at, sum) in [
        ((0, 1, 6), 0.842),
        ((0, 3, 3), 0.855),
        ((2, 2, 9), 0.808),
        ((3, 6, 3), 0.833),
        ((5, 9, 3), 0.823),
        ((6, 9, 6), 0.784),
    ] {
        let got =
            winners.iter().find(|w| w.0 == at).unwrap_or_else(|| panic!("{at:?} is not a step-1 winner: {winners:?}"));
        assert!((got.1 - sum).abs() <= 0.001, "{at:?}: {} vs {sum}", got.1);
    }
    // step 2: 18 active before competition, four groups
    let step2 = &run.probes[1];
    assert_eq!(step2.active_before.len(), 18);
    let groups: Vec<Vec<(usize, usize, usize)>> =
        step2.groups.iter().map(|g| g.iter().map(|&(f, c)| fyx(f, c)).collect()).collect();
    assert_eq!(
        groups,
        vec![
            vec![(0, 3, 4), (0, 2, 5), (0, 5, 3), (1, 3, 6), (3, 5, 5)],
            vec![(9, 10, 6), (1, 10, 5), (3, 8, 7), (5, 9, 4), (6, 9, 6), (7, 10, 4), (7, 10, 5), (9, 9, 7)],
            vec![(3, 7, 8), (3, 6, 8), (4, 6, 8), (9, 8, 8)],
            vec![(1, 3, 7)],
        ]
    );
    // step 25: cell (6,1) fires f38 0.920 (winner), f40 0.877, f50 0.859; f40 and f50
    // are taught negatively
    let step25 = &run.probes[2];
    let at61: Vec<(usize, f32)> =
        step25.active_before.iter().filter(|a| a.1 == 6 * 11 + 1).map(|a| (a.0, a.2)).collect();
    assert_eq!(at61.iter().map(|a| a.0).collect::<Vec<_>>(), vec![38, 40, 50]);
    for ((_, got), want) in at61.iter().zip([0.920, 0.877, 0.859]) {
        assert!((got - want).abs() <= 0.001, "{got} vs {want}");
    }
    let taught: Vec<(usize, usize, usize)> = step25.log.negative.iter().filter(|n| n.2 == 67).copied().collect();
    assert_eq!(taught, vec![(38, 40, 67), (38, 50, 67)]);
    // f7 forgotten at step 100; f105 Long at step 562 with 56 active cells in 500 steps
    let f7 = run.transitions.iter().find(|t| t.slot == 7).unwrap();
    assert_eq!((f7.step, f7.long), (100, false));
    let f105 = run.transitions.iter().find(|t| t.slot == 105 && t.long).unwrap();
    assert_eq!((f105.step, f105.active_cells, f105.steps), (562, 56, 500));
    // the end of conv1's phase
    assert_eq!(run.long_term_features, 50);
    assert!((0..50).all(|f| net.layers[0].state[f] == astdp::memory1::Memory::Long), "Long features in slots 0-49");
    assert_eq!(run.long_at, vec![(499, 1), (599, 19), (999, 40), (1499, 50)]);
    assert_eq!((run.created_total, run.forgotten_by_test, run.peak_live_slots), (975, 838, 153));
    // conv2 creates nothing with the shipped constants
    assert_eq!(run.created_by_layer.get(&1), Some(&0));
    // check B: held-out coverage of the 980 test zeros (reference 0.915 and 1.18)
    let b = &run.test_coverage;
    assert_eq!(b.images, 980);
    assert!(b.covered_fraction >= 0.88, "{b:?}");
    assert!(b.new_features_per_image <= 1.5, "{b:?}");
    // two runs are bit-identical
    let (again, net2) = zero_run(&train, &test);
    assert_eq!(net, net2);
    assert_eq!(run.counts, again.counts);
}

#[test]
fn check_c_one_after_zero_leaves_zero_untouched() {
    let Some((train, test)) = mnist() else { return };
    let cfg = AccumulateConfig {
        network: AccumulateConfig::network_with_slots(300),
        digits: vec![0, 1],
        ..AccumulateConfig::default()
    };
    let (run, _) = run_accumulate(&cfg, &train, &test).unwrap();
    let (zero, one) = (&run.stages[0], &run.stages[1]);
    assert_eq!(zero.long_total, 50);
    // the 50 "0" features bit for bit, still in slots 0-49, new Long features added
    assert!(one.old_features_unchanged);
    assert!(one.long_added > 0, "{one:?}");
    // coverage of the test zeros moves by at most 0.01 (reference 0.915 -> 0.918)
    let before = zero.coverage[0].1;
    let after = one.coverage.iter().find(|c| c.0 == 0).unwrap().1;
    assert!((after - before).abs() <= 0.01, "{before} -> {after}");
    assert_eq!(one.conv2_created, 0);
}

/// Schedules of no step are refused before any work, naming the field: no digit, a digit
/// past 9 or given twice, no image, a digit the training set lacks (a run of no step
/// printed a rate of NaN steps per second).
#[test]
fn schedules_of_no_step_are_refused() {
    let one = Dataset { images: vec![0.5; 28 * 28], labels: vec![3], rows: 28, cols: 28 };
    let message = |r: Result<(), astdp::Error>| r.unwrap_err().to_string();
    let zero = |c: ZeroConfig| message(run_zero(&c, &one, &one).map(|_| ()));
    let acc = |c: AccumulateConfig| message(run_accumulate(&c, &one, &one).map(|_| ()));
    assert!(zero(ZeroConfig { digit: 10, ..ZeroConfig::default() }).contains("`digit`"));
    assert!(zero(ZeroConfig { digit: 3, images: 0, ..ZeroConfig::default() }).contains("`images`"));
    assert!(zero(ZeroConfig { digit: 3, test_images: 0, ..ZeroConfig::default() }).contains("`test_images`"));
    assert!(zero(ZeroConfig { digit: 0, ..ZeroConfig::default() }).contains("no image of digit 0"));
    let digits = |digits: Vec<u8>| AccumulateConfig { digits, ..AccumulateConfig::default() };
    assert!(acc(digits(vec![])).contains("`digits` is empty"));
    assert!(acc(digits(vec![3, 3])).contains("digit 3 is given twice"));
    assert!(acc(digits(vec![3, 12])).contains("`digit`"));
    assert!(acc(AccumulateConfig { images_per_digit: 0, ..digits(vec![3]) }).contains("`images_per_digit`"));
    assert!(acc(digits(vec![3, 4])).contains("no image of digit 4"));
}
