//! Clustering neurons and meta-clustering, from the write-up "clustering neurons and
//! meta-clustering" (`../shared/seeds/clustering-neurons.txt`).
//!
//! **A clusterer is a group of neurons doing online k-means** ([`Clusterer`]). Neuron `k`'s
//! dendrites hold a centre `c_k` in `R^D`. An example `x` is presented as spike events on
//! the crate's [`Scheduler`]: neuron `k`'s spike is scheduled
//! at a latency that grows with its distance to the example,
//!
//! ```text
//! latency_k = 1 + bits(||x - c_k||^2)                                  (C1)
//! ```
//!
//! where `bits(v)` is the IEEE-754 bit pattern of the non-negative `f32` `v` read as an
//! integer: a map that keeps order exactly, so the first spike is the nearest centre's,
//! and equal distances fire at the same tick in index order (the queue's first-in,
//! first-out order within a tick). The first spike handled wins and its handler cancels
//! the other neurons' pending spikes (lateral inhibition: one active neuron per group).
//! With probability `p_explore` the winner is a neuron drawn uniformly instead (the
//! write-up's "small random error"), which breaks the symmetry between identical
//! clusterers. The winner `w` learns at once:
//!
//! ```text
//! c_w <- c_w + eta (x - c_w)                                          (C2)
//! ```
//!
//! with `eta` constant ([`Eta::Constant`]) or `eta = 1 / n_w`, `n_w` the examples `w` has
//! won so far ([`Eta::InverseCount`], MacQueen's sequential k-means: `c_w` is then the
//! running mean of the examples it won, from its starting value as the first).
//!
//! [`Clusterer::compete`] is the fast path: the same distances, the winner by (latency,
//! index), the same random draws, no events. [`Clusterer::compete_events`] is the
//! reference; tests check that both pick the same winners.
//!
//! **Meta-clustering** ([`MetaClusterer`]): see [`meta`].
//!
//! Batch k-means (Lloyd's algorithm with k-means++ starts) and the measures (quantisation
//! error, purity, adjusted Rand index) are in [`kmeans`], for the comparisons.

use std::ops::ControlFlow;

use rand::RngExt;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::error::{ClusteringError, ConfigError};
use crate::scheduler::{EventId, Handler, Phased, Scheduler, Tick};

pub mod kmeans;
pub mod meta;

pub use meta::{MetaClusterer, MetaParams, ValidMetaParams};

/// The learning rate of the winner's centre (eq. C2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eta {
    /// A constant rate in `(0, 1]`: the centre follows recent examples.
    Constant(f32),
    /// `1 / n_w`: the centre is the running mean of the examples it won.
    InverseCount,
}

/// Settings of a clusterer, unchecked: [`ClustererParams::check`] validates them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClustererParams {
    /// Neurons (clusters), `K >= 1`.
    pub k: usize,
    /// Input dimension `D >= 1`.
    pub dim: usize,
    /// The winner's learning rate (eq. C2).
    pub eta: Eta,
    /// Probability in `[0, 1]` that the winner is a uniformly drawn neuron instead.
    pub p_explore: f32,
}

impl ClustererParams {
    /// `k` neurons on `dim` inputs, `eta = 1 / n_w`, no exploration.
    pub fn new(k: usize, dim: usize) -> ClustererParams {
        ClustererParams { k, dim, eta: Eta::InverseCount, p_explore: 0.0 }
    }

    /// Validates into [`ClustererValidParams`].
    pub fn check(self) -> Result<ClustererValidParams, ConfigError> {
        if self.k == 0 {
            return Err(ConfigError::NonPositive { field: "k", value: 0.0 });
        }
        if self.dim == 0 {
            return Err(ConfigError::NonPositive { field: "dim", value: 0.0 });
        }
        if let Eta::Constant(eta) = self.eta
            && !(eta > 0.0 && eta <= 1.0)
        {
            return Err(ConfigError::OutOfRange { field: "eta", value: eta as f64, range: "(0, 1]" });
        }
        if !(0.0..=1.0).contains(&self.p_explore) {
            return Err(ConfigError::OutOfRange { field: "p_explore", value: self.p_explore as f64, range: "[0, 1]" });
        }
        Ok(ClustererValidParams(self))
    }
}

crate::config::validated! {
    /// Checked [`ClustererParams`]: the only kind a [`Clusterer`] takes.
    ClustererValidParams(ClustererParams) = "ClustererParams", checked by check, derives Copy, PartialEq
}

/// A neuron's spike, the only event of a competition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spike {
    /// The neuron that fires.
    pub neuron: usize,
}

impl Phased for Spike {}

/// One competition on the queue: the pending spikes, and the first one handled.
#[derive(Debug, Default)]
struct Competition {
    pending: Vec<EventId>,
    first: Option<usize>,
}

impl Handler<Spike> for Competition {
    type Error = crate::error::ScheduleError;

    /// The first spike wins and inhibits the group: every other pending spike is cancelled.
    fn handle(&mut self, q: &mut Scheduler<Spike>, _now: Tick, spike: Spike) -> Result<(), Self::Error> {
        if self.first.is_none() {
            self.first = Some(spike.neuron);
            for &id in &self.pending {
                q.cancel(id);
            }
        }
        Ok(())
    }
}

/// The latency of eq. C1 for a squared distance.
pub fn latency(sq_distance: f32) -> Tick {
    1 + sq_distance.to_bits() as Tick
}

/// A group of `K` neurons doing online k-means (see the module docs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Clusterer {
    params: ClustererValidParams,
    /// Centres, `K x D` row-major.
    centres: Vec<f32>,
    /// Examples won per neuron.
    wins: Vec<u64>,
    /// The queue of the event path; its clock runs on across presentations.
    #[serde(skip)]
    queue: Scheduler<Spike>,
}

impl Clusterer {
    /// A clusterer starting from `centres` (`K x D`).
    pub fn new(params: ClustererValidParams, centres: Vec<f32>) -> Result<Clusterer, ClusteringError> {
        if centres.len() != params.k * params.dim {
            return Err(ClusteringError::Dimension {
                what: "centres",
                expected: params.k * params.dim,
                found: centres.len(),
            });
        }
        if centres.iter().any(|c| !c.is_finite()) {
            return Err(ClusteringError::NonFinite { what: "centres" });
        }
        Ok(Clusterer { params, centres, wins: vec![0; params.k], queue: Scheduler::new() })
    }

    /// A clusterer whose centres are `K` distinct examples of `data` (`n x D`) drawn with
    /// k-means++ ([`kmeans::kmeans_pp`]).
    pub fn from_data(
        params: ClustererValidParams,
        data: &[f32],
        rng: &mut impl RngExt,
    ) -> Result<Clusterer, ClusteringError> {
        let centres = kmeans::kmeans_pp(data, params.dim, params.k, rng)?;
        Clusterer::new(params, centres)
    }

    /// The settings.
    pub fn params(&self) -> &ClustererValidParams {
        &self.params
    }

    /// Centres, `K x D` row-major.
    pub fn centres(&self) -> &[f32] {
        &self.centres
    }

    /// Centre of neuron `k`.
    pub fn centre(&self, k: usize) -> &[f32] {
        &self.centres[k * self.params.dim..(k + 1) * self.params.dim]
    }

    /// Examples won per neuron.
    pub fn wins(&self) -> &[u64] {
        &self.wins
    }

    /// `||x - c_k||^2` for every neuron, or with `weights` `sum_d w_d (x_d - c_k,d)^2`
    /// (a neuron that sees its input through a mask `m` compares `m x` with `m c`: weights
    /// `m^2`).
    pub fn sq_distances(&self, x: &[f32], weights: Option<&[f32]>) -> Vec<f32> {
        let rows = self.centres.chunks_exact(self.params.dim);
        match weights {
            None => rows.map(|c| sq_distance(x, c)).collect(),
            Some(w) => rows.map(|c| x.iter().zip(c).zip(w).map(|((a, b), w)| w * (a - b) * (a - b)).sum()).collect(),
        }
    }

    /// The nearest neuron (the first to fire, eq. C1), no exploration, no learning.
    pub fn nearest(&self, x: &[f32], weights: Option<&[f32]>) -> usize {
        first_to_fire(&self.sq_distances(x, weights))
    }

    fn check_input(&self, x: &[f32]) -> Result<(), ClusteringError> {
        if x.len() != self.params.dim {
            return Err(ClusteringError::Dimension { what: "example", expected: self.params.dim, found: x.len() });
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(ClusteringError::NonFinite { what: "example" });
        }
        Ok(())
    }

    /// The winner after exploration: one uniform draw always (so both paths consume the
    /// same random numbers), a second to pick the neuron when it explores.
    fn explore(&self, first: usize, rng: &mut impl RngExt) -> usize {
        let u: f32 = rng.random();
        if u < self.params.p_explore { rng.random_range(0..self.params.k) } else { first }
    }

    /// Moves the winner's centre toward `x` (eq. C2) and counts its win.
    pub fn learn(&mut self, w: usize, x: &[f32]) {
        self.wins[w] += 1;
        let eta = match self.params.eta {
            Eta::Constant(eta) => eta,
            Eta::InverseCount => 1.0 / self.wins[w] as f32,
        };
        let dim = self.params.dim;
        for (c, &v) in self.centres[w * dim..(w + 1) * dim].iter_mut().zip(x) {
            *c += eta * (v - *c);
        }
    }

    /// The competition for `x` computed directly: the first to fire by (latency, index),
    /// then exploration. Returns the winner; nothing learns. The fast path of
    /// [`Clusterer::compete_events`].
    pub fn compete(&self, x: &[f32], weights: Option<&[f32]>, rng: &mut impl RngExt) -> Result<usize, ClusteringError> {
        self.check_input(x)?;
        Ok(self.explore(self.nearest(x, weights), rng))
    }

    /// The competition for `x` as spike events: one spike per neuron at its latency (eq.
    /// C1); the first handled wins and cancels the others; then exploration. Returns the
    /// winner; nothing learns. The reference for [`Clusterer::compete`].
    pub fn compete_events(
        &mut self,
        x: &[f32],
        weights: Option<&[f32]>,
        rng: &mut impl RngExt,
    ) -> Result<usize, ClusteringError> {
        self.check_input(x)?;
        let t0 = self.queue.now();
        let mut competition = Competition::default();
        for (neuron, d) in self.sq_distances(x, weights).into_iter().enumerate() {
            let id = self.queue.schedule(t0 + latency(d), Spike { neuron })?;
            competition.pending.push(id);
        }
        self.queue.run(&mut competition)?;
        let first = competition.first.expect("K >= 1 spikes were scheduled");
        Ok(self.explore(first, rng))
    }

    /// Presents `x`: the competition ([`Clusterer::compete_events`] when `events`, else
    /// [`Clusterer::compete`]), then the winner learns. Returns the winner.
    pub fn present(&mut self, x: &[f32], rng: &mut impl RngExt, events: bool) -> Result<usize, ClusteringError> {
        let w = if events { self.compete_events(x, None, rng)? } else { self.compete(x, None, rng)? };
        self.learn(w, x);
        Ok(w)
    }

    /// One online pass over `data` (`n x D` row-major): the examples in an order shuffled
    /// by `rng`, each presented ([`Clusterer::present`]: eq. C1, then C2); `until(done,
    /// n)` after every example can stop the pass early (`Break`, returned).
    pub fn epoch(
        &mut self,
        data: &[f32],
        rng: &mut impl RngExt,
        events: bool,
        until: &mut dyn FnMut(usize, usize) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>, ClusteringError> {
        shuffled_pass(data, self.params.dim, rng, until, |x, rng| self.present(x, rng, events).map(drop))
    }

    /// Saves atomically.
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<(), crate::error::FileError> {
        crate::checkpoint::write_json(path, self)
    }

    /// Loads a clusterer saved by [`Clusterer::save`], checking its sizes.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Clusterer, ClusteringError> {
        let c: Clusterer = crate::checkpoint::read_json(path)?;
        let mut fresh = Clusterer::new(c.params, c.centres)?;
        if c.wins.len() != fresh.params.k {
            return Err(ClusteringError::Dimension { what: "wins", expected: fresh.params.k, found: c.wins.len() });
        }
        fresh.wins = c.wins;
        Ok(fresh)
    }
}

/// The examples of `data` (`n x dim`) in an order shuffled by `rng`, each given to
/// `present`, `until(done, n)` after each: the online pass of a clusterer and of a
/// meta-clusterer.
fn shuffled_pass<R: RngExt>(
    data: &[f32],
    dim: usize,
    rng: &mut R,
    until: &mut dyn FnMut(usize, usize) -> ControlFlow<()>,
    mut present: impl FnMut(&[f32], &mut R) -> Result<(), ClusteringError>,
) -> Result<ControlFlow<()>, ClusteringError> {
    if !data.len().is_multiple_of(dim) {
        return Err(ClusteringError::Dimension {
            what: "data (a whole number of rows)",
            expected: dim,
            found: data.len() % dim,
        });
    }
    let n = data.len() / dim;
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    for (done, &i) in order.iter().enumerate() {
        present(&data[i * dim..(i + 1) * dim], rng)?;
        if until(done + 1, n).is_break() {
            return Ok(ControlFlow::Break(()));
        }
    }
    Ok(ControlFlow::Continue(()))
}

/// `||a - b||^2`.
pub fn sq_distance(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// The index of the smallest latency (eq. C1), the lowest index on ties.
pub fn first_to_fire(sq_distances: &[f32]) -> usize {
    sq_distances.iter().enumerate().min_by_key(|&(k, d)| (latency(*d), k)).map_or(0, |(k, _)| k)
}

#[cfg(test)]
mod tests;
