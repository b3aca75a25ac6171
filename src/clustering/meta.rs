//! Meta-clustering: `M` clusterers see the same input through soft masks that compete
//! for the inputs, so each clusterer comes to own a part of them.
//!
//! Masks `m_j` in `[0, 1]^D` with `sum_j m_j[d] = 1` for every input `d`, all `1 / M` at
//! the start. Clusterer `j` sees `m_j * x` (elementwise): its neurons compare it with
//! their centres seen through the same mask, so its competition (eq. C1 of [the
//! module](super)) runs on `||m_j * (x - c_k)||^2`, and its winner learns `x` (eq. C2):
//! centres are kept in input units. After each example, with `c` the centre of `j`'s
//! winner *before* it learns and `lambda_t` the mask rate at example `t`:
//!
//! ```text
//! e_j[d]  = (c[d] - x[d])^2                                       (M1) the winner's error
//! m'_j[d] = max(floor, m_j[d] - lambda_t e_j[d])                 (M2) lower it by the error
//! m_j[d]  = m'_j[d] / sum_i m'_i[d]                              (M3) inputs' masks sum to 1
//! lambda_t = lambda 0.5^(t / lambda_half_life)                    (M4) (lambda without one)
//! ```
//!
//! So at an input where every clusterer predicts without error nothing changes; where
//! one predicts worse than the others, mask mass moves from it to them. The error is in
//! input units: measured in the masked units, `(m_j (c - x))^2`, it shrinks with the mask,
//! so a clusterer that sees little of an input looks accurate there and the masks drift
//! back to equal (docs/clustering.md has the measurement). `floor = 0` is the
//! write-up's reading: a mask that reaches 0 stays there (that clusterer no longer sees
//! the input, so it never predicts it again). A floor in `(0, 1 / M]` keeps every
//! clusterer seeing a little of every input (masks stay `>= floor`), so an input can still
//! move to a clusterer that would predict it better; annealing `lambda` (M4) lets the
//! masks settle.
//!
//! Each clusterer starts from its own k-means++ draw on the masked data, so identical
//! clusterers are not needed; `p_explore` is still there for the write-up's symmetry
//! breaking.

use std::ops::ControlFlow;

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::{Clusterer, ClustererParams};
use crate::error::{ClusteringError, ConfigError};

/// Settings of a meta-clusterer, unchecked: [`MetaParams::check`] validates them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaParams {
    /// Clusterers `M >= 1`.
    pub clusterers: usize,
    /// The settings of every clusterer (its `dim` is the input dimension).
    pub clusterer: ClustererParams,
    /// Mask rate `lambda > 0` (eq. M2).
    pub lambda: f32,
    /// The lowest a mask goes before normalising (eq. M2), in `[0, 1 / M]`.
    pub floor: f32,
    /// Half-life of `lambda` in examples (eq. M4); `None`: constant.
    pub lambda_half_life: Option<f64>,
}

impl MetaParams {
    /// `m` clusterers of `k` neurons on `dim` inputs, `lambda` 1, no floor, constant
    /// `lambda`, `eta = 1 / n_w`, no exploration.
    pub fn new(m: usize, k: usize, dim: usize) -> MetaParams {
        MetaParams {
            clusterers: m,
            clusterer: ClustererParams::new(k, dim),
            lambda: 1.0,
            floor: 0.0,
            lambda_half_life: None,
        }
    }

    /// Validates into [`ValidMetaParams`].
    pub fn check(self) -> Result<ValidMetaParams, ConfigError> {
        self.clusterer.check()?;
        if self.clusterers == 0 {
            return Err(ConfigError::NonPositive { field: "clusterers", value: 0.0 });
        }
        if !(self.lambda.is_finite() && self.lambda > 0.0) {
            return Err(ConfigError::NonPositive { field: "lambda", value: self.lambda as f64 });
        }
        if !(0.0..=1.0 / self.clusterers as f32).contains(&self.floor) {
            return Err(ConfigError::OutOfRange {
                field: "floor",
                value: self.floor as f64,
                range: "[0, 1 / clusterers]",
            });
        }
        if let Some(h) = self.lambda_half_life
            && !(h.is_finite() && h > 0.0)
        {
            return Err(ConfigError::NonPositive { field: "lambda_half_life", value: h });
        }
        Ok(ValidMetaParams(self))
    }
}

crate::config::validated! {
    /// Checked [`MetaParams`].
    ValidMetaParams(MetaParams) = "MetaParams", checked by check, derives Copy, PartialEq
}

/// `M` clusterers and their masks (see the module docs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetaClusterer {
    params: ValidMetaParams,
    clusterers: Vec<Clusterer>,
    /// Masks, `M x D` row-major.
    pub(crate) masks: Vec<f32>,
    /// Examples presented.
    seen: u64,
}

impl MetaClusterer {
    /// Masks all `1 / M`; each clusterer's centres its own k-means++ draw from `data`
    /// (`n x D`).
    pub fn new(params: ValidMetaParams, data: &[f32], rng: &mut impl RngExt) -> Result<MetaClusterer, ClusteringError> {
        let (m, dim) = (params.clusterers, params.clusterer.dim);
        let clusterers = (0..m)
            .map(|_| Clusterer::from_data(params.clusterer.check()?, data, rng))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MetaClusterer { params, clusterers, masks: vec![1.0 / m as f32; m * dim], seen: 0 })
    }

    /// The settings.
    pub fn params(&self) -> &ValidMetaParams {
        &self.params
    }

    /// Masks, `M x D` row-major.
    pub fn masks(&self) -> &[f32] {
        &self.masks
    }

    /// Clusterer `j`'s mask.
    pub fn mask(&self, j: usize) -> &[f32] {
        let dim = self.params.clusterer.dim;
        &self.masks[j * dim..(j + 1) * dim]
    }

    /// The clusterers.
    pub fn clusterers(&self) -> &[Clusterer] {
        &self.clusterers
    }

    /// Examples presented so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Presents `x` to every clusterer through its mask (on the event path when `events`),
    /// the winners learn, then the masks update (eq. M1-M4). Returns the winners.
    pub fn present(&mut self, x: &[f32], rng: &mut impl RngExt, events: bool) -> Result<Vec<usize>, ClusteringError> {
        let (m, dim) = (self.params.clusterers, self.params.clusterer.dim);
        if x.len() != dim {
            return Err(ClusteringError::Dimension { what: "example", expected: dim, found: x.len() });
        }
        let mut errors = vec![0.0f32; m * dim];
        let mut winners = Vec::with_capacity(m);
        for j in 0..m {
            let weights = self.weights(j);
            let clusterer = &mut self.clusterers[j];
            let w = if events {
                clusterer.compete_events(x, Some(&weights), rng)?
            } else {
                clusterer.compete(x, Some(&weights), rng)?
            };
            for ((e, c), v) in errors[j * dim..(j + 1) * dim].iter_mut().zip(clusterer.centre(w)).zip(x) {
                *e = (c - v) * (c - v);
            }
            clusterer.learn(w, x);
            winners.push(w);
        }
        self.update_masks(&errors);
        self.seen += 1;
        Ok(winners)
    }

    /// One online pass over `data` (`n x D` row-major) in an order shuffled by `rng`,
    /// each example presented ([`MetaClusterer::present`]); `until(done, n)` after every
    /// example can stop the pass early (`Break`, returned).
    pub fn epoch(
        &mut self,
        data: &[f32],
        rng: &mut impl RngExt,
        events: bool,
        until: &mut dyn FnMut(usize, usize) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>, ClusteringError> {
        let dim = self.params.clusterer.dim;
        super::shuffled_pass(data, dim, rng, until, |x, rng| self.present(x, rng, events).map(drop))
    }

    /// The nearest neuron of every clusterer for `x`, each seeing it through its mask (no
    /// exploration, no learning).
    pub fn nearest(&self, x: &[f32]) -> Vec<usize> {
        (0..self.params.clusterers).map(|j| self.clusterers[j].nearest(x, Some(&self.weights(j)))).collect()
    }

    /// The weights of clusterer `j`'s distances: its mask squared, since it compares
    /// `m x` with `m c`.
    fn weights(&self, j: usize) -> Vec<f32> {
        self.mask(j).iter().map(|m| m * m).collect()
    }

    /// Eq. M2-M4 from the winners' errors `M x D`.
    pub(crate) fn update_masks(&mut self, errors: &[f32]) {
        let (m, dim) = (self.params.clusterers, self.params.clusterer.dim);
        let lambda = match self.params.lambda_half_life {
            Some(h) => self.params.lambda * 0.5f64.powf(self.seen as f64 / h) as f32,
            None => self.params.lambda,
        };
        for d in 0..dim {
            let mut sum = 0.0;
            for j in 0..m {
                let v = &mut self.masks[j * dim + d];
                *v = (*v - lambda * errors[j * dim + d]).max(self.params.floor);
                sum += *v;
            }
            for j in 0..m {
                let v = &mut self.masks[j * dim + d];
                *v = if sum > 0.0 { *v / sum } else { 1.0 / m as f32 };
            }
        }
    }

    /// The input as the clusterers predict it: per input, the mask-weighted sum over
    /// clusterers of the nearest neuron's centre (what each sees: no exploration, no
    /// learning), `sum_j m_j[d] c_j[d]`. Since the masks of an input sum to 1, a perfect
    /// prediction gives `x` back.
    pub fn reconstruct(&self, x: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; x.len()];
        for (j, c) in self.clusterers.iter().enumerate() {
            let w = c.nearest(x, Some(&self.weights(j)));
            for ((o, v), m) in out.iter_mut().zip(c.centre(w)).zip(self.mask(j)) {
                *o += m * v;
            }
        }
        out
    }
}
