//! The paper's experiments as library functions: each takes a config and a seed and
//! returns recorded data plus a summary (serde). Examples only parse arguments, call,
//! plot and print.

pub mod adaptation;
pub mod association;
pub mod clustering;
pub mod continual;
pub mod memory1;
pub mod mnist;
pub mod relationships;
pub mod rivalry;
pub mod stdp;

use crate::config::Config;
use crate::error::{Error, SimError};
use crate::network::Network;
use crate::sim::{Simulation, rng_from_seed};
use crate::topology::Topology;
use crate::twin::Clamp;

/// The one-hot vector `e_i` of length `n`.
pub fn one_hot(i: usize, n: usize) -> Vec<f32> {
    let mut x = vec![0.0; n];
    x[i] = 1.0;
    x
}

/// Unsupervised training on `data` (all visible neurons of layer `layer` get soft
/// targets): `rounds` passes over the data in random order (from the simulation's own
/// generator), `dwell` ticks per sample. Runs the simulation to the end.
pub fn train_unsupervised(
    sim: &mut Simulation,
    layer: usize,
    data: &[Vec<f32>],
    rounds: usize,
    dwell: u64,
) -> Result<(), SimError> {
    use rand::seq::SliceRandom;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut t = sim.now();
    for _ in 0..rounds {
        order.shuffle(sim.rng_mut());
        let samples: Vec<Vec<f32>> = order.iter().map(|&i| data[i].clone()).collect();
        t = sim.present_sequence(t, layer, &samples, dwell, Clamp::Soft)?;
        sim.run_until(t)?;
        sim.network().check_weights()?;
    }
    Ok(())
}

/// Mean and population standard deviation.
pub fn mean_std(x: &[f64]) -> (f64, f64) {
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let m = x.iter().sum::<f64>() / x.len() as f64;
    let v = x.iter().map(|a| (a - m).powi(2)).sum::<f64>() / x.len() as f64;
    (m, v.sqrt())
}

/// A toy net of `visible + hidden` neurons ([`Topology::toy`]) from `seed`, trained
/// unsupervised on the `visible` one-hot patterns (`rounds` passes, `dwell` ticks each).
pub fn train_toy(
    model: &Config,
    visible: usize,
    hidden: usize,
    rounds: usize,
    dwell: u64,
    seed: u64,
) -> Result<Simulation, Error> {
    let mut rng = rng_from_seed(seed);
    let net = Network::random(Topology::toy(visible, hidden)?, &mut rng);
    let mut sim = Simulation::new(net, model.validate()?, 1, rng)?;
    let data: Vec<Vec<f32>> = (0..visible).map(|i| one_hot(i, visible)).collect();
    train_unsupervised(&mut sim, 0, &data, rounds, dwell)?;
    Ok(sim)
}
