//! Unit tests of clustering neurons and meta-clustering.

use super::kmeans::{adjusted_rand_index, assign, kmeans_pp, lloyd, purity, quantisation_error};
use super::*;
use crate::sim::rng_from_seed;

/// `n` points in `dim` dimensions, uniform in `[0, 1)`, from `seed`.
fn uniform(n: usize, dim: usize, seed: u64) -> Vec<f32> {
    let mut rng = rng_from_seed(seed);
    (0..n * dim).map(|_| rng.random::<f32>()).collect()
}

#[test]
fn event_path_and_fast_path_pick_the_same_winners() {
    let data = uniform(400, 3, 1);
    for p_explore in [0.0, 0.2] {
        let params = ClustererParams { p_explore, ..ClustererParams::new(7, 3) }.check().unwrap();
        let mut rng = rng_from_seed(2);
        let start = kmeans_pp(&data, 3, 7, &mut rng).unwrap();
        let mut events = Clusterer::new(params, start.clone()).unwrap();
        let mut fast = Clusterer::new(params, start).unwrap();
        let (mut r1, mut r2) = (rng_from_seed(3), rng_from_seed(3));
        for x in data.chunks_exact(3) {
            assert_eq!(events.present(x, &mut r1, true).unwrap(), fast.present(x, &mut r2, false).unwrap());
        }
        assert_eq!(events.centres(), fast.centres());
    }
}

#[test]
fn ties_fire_in_index_order_on_both_paths() {
    // two identical centres: the lower index fires first
    let params = ClustererParams::new(3, 2).check().unwrap();
    let mut c = Clusterer::new(params, vec![5.0, 5.0, 1.0, 1.0, 1.0, 1.0]).unwrap();
    let mut rng = rng_from_seed(1);
    assert_eq!(c.compete_events(&[1.2, 0.9], None, &mut rng).unwrap(), 1);
    assert_eq!(c.compete(&[1.2, 0.9], None, &mut rng).unwrap(), 1);
}

#[test]
fn an_input_equal_to_a_centre_makes_that_neuron_fire_first() {
    let data = uniform(50, 4, 4);
    let params = ClustererParams::new(10, 4).check().unwrap();
    let c = Clusterer::from_data(params, &data, &mut rng_from_seed(5)).unwrap();
    let mut rng = rng_from_seed(6);
    let mut c2 = c.clone();
    for k in 0..10 {
        let x = c.centre(k).to_vec();
        assert_eq!(c.compete(&x, None, &mut rng).unwrap(), k);
        assert_eq!(c2.compete_events(&x, None, &mut rng).unwrap(), k);
    }
    // latency grows with distance (eq. C1)
    assert!(latency(0.0) < latency(1e-30) && latency(0.5) < latency(0.50001) && latency(2.0) < latency(f32::MAX));
}

#[test]
fn inverse_count_rate_gives_the_running_mean() {
    // one neuron, eta = 1/n: after n examples its centre is the mean of its start and them
    let params = ClustererParams::new(1, 2).check().unwrap();
    let mut c = Clusterer::new(params, vec![0.0, 0.0]).unwrap();
    let xs = [[1.0f32, 2.0], [3.0, -2.0], [5.0, 6.0], [-1.0, 0.5]];
    let mut rng = rng_from_seed(1);
    for (n, x) in xs.iter().enumerate() {
        c.present(x, &mut rng, false).unwrap();
        let mean: Vec<f32> = (0..2).map(|d| xs[..=n].iter().map(|x| x[d]).sum::<f32>() / (n + 1) as f32).collect();
        // the start counts as nothing: eta = 1 on the first win replaces it
        for d in 0..2 {
            assert!((c.centre(0)[d] - mean[d]).abs() < 1e-6, "{n}: {:?} vs {mean:?}", c.centre(0));
        }
    }
    assert_eq!(c.wins(), &[4]);
}

#[test]
fn constant_rate_step_by_hand() {
    let params = ClustererParams { eta: Eta::Constant(0.25), ..ClustererParams::new(2, 1) }.check().unwrap();
    let mut c = Clusterer::new(params, vec![0.0, 10.0]).unwrap();
    assert_eq!(c.present(&[2.0], &mut rng_from_seed(1), false).unwrap(), 0);
    assert_eq!(c.centres(), &[0.5, 10.0]);
}

#[test]
fn bad_params_and_inputs_are_typed_errors() {
    assert!(ClustererParams::new(0, 3).check().is_err());
    assert!(ClustererParams { eta: Eta::Constant(0.0), ..ClustererParams::new(2, 3) }.check().is_err());
    assert!(ClustererParams { p_explore: 1.5, ..ClustererParams::new(2, 3) }.check().is_err());
    let params = ClustererParams::new(2, 3).check().unwrap();
    assert!(matches!(Clusterer::new(params, vec![0.0; 5]), Err(ClusteringError::Dimension { .. })));
    let mut c = Clusterer::new(params, vec![0.0; 6]).unwrap();
    let mut rng = rng_from_seed(1);
    assert!(matches!(c.present(&[1.0, 2.0], &mut rng, false), Err(ClusteringError::Dimension { .. })));
    assert!(matches!(c.present(&[1.0, f32::NAN, 0.0], &mut rng, true), Err(ClusteringError::NonFinite { .. })));
    let meta = MetaParams { floor: 0.6, ..MetaParams::new(2, 3, 4) };
    assert!(meta.check().is_err(), "a floor above 1 / M cannot keep the masks summing to 1");
}

#[test]
fn save_and_load_round_trip() {
    let params = ClustererParams::new(3, 2).check().unwrap();
    let mut c = Clusterer::new(params, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    c.present(&[0.1, 0.9], &mut rng_from_seed(1), false).unwrap();
    let path = std::env::temp_dir().join(format!("astdp-clusterer-{}.json", std::process::id()));
    c.save(&path).unwrap();
    let back = Clusterer::load(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!((back.centres(), back.wins()), (c.centres(), c.wins()));
}

#[test]
fn masks_stay_in_the_unit_interval_and_sum_to_one() {
    let data = uniform(300, 6, 7);
    for floor in [0.0, 0.05] {
        let params = MetaParams { lambda: 5.0, floor, ..MetaParams::new(3, 4, 6) }.check().unwrap();
        let mut rng = rng_from_seed(8);
        let mut meta = MetaClusterer::new(params, &data, &mut rng).unwrap();
        for x in data.chunks_exact(6) {
            meta.present(x, &mut rng, false).unwrap();
            for d in 0..6 {
                let col: Vec<f32> = (0..3).map(|j| meta.mask(j)[d]).collect();
                assert!(col.iter().all(|&m| (floor..=1.0).contains(&m)), "{col:?}");
                assert!((col.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{col:?}");
            }
        }
    }
}

#[test]
fn a_zero_error_leaves_the_masks_unchanged() {
    let params = MetaParams { lambda: 2.0, floor: 0.1, ..MetaParams::new(2, 1, 3) }.check().unwrap();
    let mut meta = MetaClusterer::new(params, &[0.0, 0.0, 0.0], &mut rng_from_seed(1)).unwrap();
    meta.masks = vec![0.7, 0.5, 0.2, 0.3, 0.5, 0.8];
    // input 0: no error anywhere; input 1: only clusterer 0 errs; input 2: both, equally
    meta.update_masks(&[0.0, 0.1, 0.05, 0.0, 0.0, 0.05]);
    assert_eq!((meta.mask(0)[0], meta.mask(1)[0]), (0.7, 0.3));
    // input 1 by hand: m' = (max(0.1, 0.5 - 0.2), 0.5) = (0.3, 0.5), normalised (0.375, 0.625)
    assert!((meta.mask(0)[1] - 0.375).abs() < 1e-6 && (meta.mask(1)[1] - 0.625).abs() < 1e-6);
    // input 2: m' = (max(0.1, 0.2 - 0.1), 0.8 - 0.1) = (0.1, 0.7), normalised (0.125, 0.875)
    assert!((meta.mask(0)[2] - 0.125).abs() < 1e-6 && (meta.mask(1)[2] - 0.875).abs() < 1e-6);
}

#[test]
fn meta_event_path_matches_fast_path() {
    let data = uniform(200, 5, 9);
    let params = MetaParams {
        clusterer: ClustererParams { p_explore: 0.1, ..ClustererParams::new(3, 5) },
        ..MetaParams::new(2, 3, 5)
    };
    let params = params.check().unwrap();
    let mut a = MetaClusterer::new(params, &data, &mut rng_from_seed(1)).unwrap();
    let mut b = a.clone();
    let (mut r1, mut r2) = (rng_from_seed(2), rng_from_seed(2));
    for x in data.chunks_exact(5) {
        assert_eq!(a.present(x, &mut r1, true).unwrap(), b.present(x, &mut r2, false).unwrap());
    }
    assert_eq!(a.masks(), b.masks());
}

#[test]
fn lloyd_and_measures_by_hand() {
    // two clear groups on a line
    let data = [0.0f32, 0.2, 0.1, 10.0, 10.4, 10.2];
    let mut centres = vec![0.0, 10.0];
    lloyd(&data, 1, &mut centres, 20).unwrap();
    assert!((centres[0] - 0.1).abs() < 1e-6 && (centres[1] - 10.2).abs() < 1e-5, "{centres:?}");
    let (labels, _) = assign(&data, 1, &centres).unwrap();
    assert_eq!(labels, vec![0, 0, 0, 1, 1, 1]);
    let qe = quantisation_error(&data, 1, &centres).unwrap();
    assert!((qe - (0.01 + 0.01 + 0.0 + 0.04 + 0.04 + 0.0) / 6.0).abs() < 1e-5, "{qe}");
    assert!((adjusted_rand_index(&[0, 0, 1, 1], &[1, 1, 0, 0]) - 1.0).abs() < 1e-12);
    assert!(adjusted_rand_index(&[0, 0, 1, 1], &[0, 1, 0, 1]) < 0.0);
    // clusters vote their majority training label
    assert_eq!(purity(&[0, 0, 0, 1], &[3, 3, 4, 7], &[0, 1, 1], &[3, 7, 3], 2), 2.0 / 3.0);
}

#[test]
fn an_epoch_presents_every_example_once_and_stops_on_request() {
    let data = uniform(50, 2, 4);
    let params = ClustererParams::new(3, 2).check().unwrap();
    let mut c = Clusterer::from_data(params, &data, &mut rng_from_seed(1)).unwrap();
    let mut calls = Vec::new();
    let flow = c
        .epoch(&data, &mut rng_from_seed(2), false, &mut |done, n| {
            calls.push((done, n));
            ControlFlow::Continue(())
        })
        .unwrap();
    assert!(flow.is_continue() && c.wins().iter().sum::<u64>() == 50);
    assert_eq!(calls, (1..=50).map(|d| (d, 50)).collect::<Vec<_>>());
    // the same pass by hand: the order shuffled first, then each example with the rest of the stream
    let mut by_hand = Clusterer::from_data(params, &data, &mut rng_from_seed(1)).unwrap();
    let mut rng = rng_from_seed(2);
    let mut order: Vec<usize> = (0..50).collect();
    order.shuffle(&mut rng);
    for i in order {
        by_hand.present(&data[2 * i..2 * i + 2], &mut rng, false).unwrap();
    }
    assert_eq!(by_hand.centres(), c.centres());
    let flow = c.epoch(&data, &mut rng_from_seed(3), false, &mut |done, _| {
        if done == 7 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    });
    assert!(flow.unwrap().is_break() && c.wins().iter().sum::<u64>() == 57);
    assert!(matches!(
        c.epoch(&data[..5], &mut rng_from_seed(3), false, &mut |_, _| ControlFlow::Continue(())),
        Err(ClusteringError::Dimension { .. })
    ));
}
