//! Settings of an MNIST run, validated before anything runs.

use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::config::Config;
use crate::error::ConfigError;
use crate::twin::Clamp;

/// Settings of an MNIST run. Defaults: the paper's 784-512-10 shape, batch and
/// iteration counts, with the knobs found necessary to learn (inputs hard clamped, hard
/// sigmoid, learning rate 0.02 averaged over the batch, equal step sizes 0.5 / 0.5).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MnistConfig {
    /// Model hyper-parameters.
    pub model: Config,
    /// Hidden layer sizes: `[512]` is the paper's 784-512-10 (hidden lateral); more
    /// entries give a layered net.
    pub hidden: Vec<usize>,
    /// Lateral connections within hidden layers.
    pub lateral: bool,
    /// Independent state pairs per batch (sharing W).
    pub batch: usize,
    /// Free-phase ticks per sample (supervised).
    pub free_iters: u64,
    /// Clamped-phase ticks per sample.
    pub clamped_iters: u64,
    /// Ticks per test sample.
    pub test_iters: u64,
    /// How input pixels are clamped: `hard` (state = pixel) or `soft` (beta).
    pub input_clamp: Clamp,
    /// Inference has converged when max |ds| (the rate of change of the states) < this (paper: 0.001).
    pub inference_tol: f32,
    /// Learning-rate schedule (not in the paper): when set, each training batch starts
    /// with an `Event::SetAlpha(alpha * 0.5^(samples_seen / alpha_half_life))`, so the
    /// rate halves every `alpha_half_life` training samples. `None`: constant `alpha`.
    pub alpha_half_life: Option<f64>,
    /// Start from symmetric weights (`W_ij = W_ji`, see [`Network::symmetrize`](crate::network::Network::symmetrize)); with
    /// the EP rule they stay symmetric. Default off (aSTDP needs no symmetry).
    pub symmetric_init: bool,
    /// Per hidden layer (nearest the input first), the multiplier of `alpha` for the
    /// weights into it and its biases (not in the paper; EP uses rates that grow towards
    /// the input, as the learning signal weakens on its way down). Empty: all 1.
    pub hidden_alpha_scale: Vec<f32>,
    /// Per connection of the chain `input - hidden 1 - ... - output` (nearest the input
    /// first, one more entry than hidden layers), the multiplier of `alpha` for the
    /// weights of both directions (not in the paper). Unlike `hidden_alpha_scale`, which
    /// scales only the weights into a layer, this keeps `W_ij` and `W_ji` at one rate, as
    /// EP's per-layer rates do, so EP's symmetric rule keeps symmetric weights symmetric.
    /// Biases and lateral weights are left at rate 1. Empty: all 1.
    pub pair_alpha_scale: Vec<f32>,
    /// Weight averaging (Polyak averaging; not in the paper): when set, the trainer keeps
    /// an exponential moving average of the weights and biases: a copy of the live ones
    /// after the first training batch with this set, then after every batch of `n`
    /// samples moved a fraction `1 - 0.5^(n / weight_average_half_life)` towards them.
    /// Training never sees it: [`Trainer::evaluate_averaged`](super::Trainer::evaluate_averaged) tests it. `None`: off.
    pub weight_average_half_life: Option<f64>,
    /// Divergence guard (not in the paper): when set, at every log of `symmetry` and
    /// `weight_rms` (every 10 training batches) the trainer compares each weight block's
    /// RMS with the previous log; if any moved by more than this fraction of it (or is not
    /// finite), the weights and biases go back to the oldest of the trainer's last
    /// [`GUARD_LOOKBACK`](super::GUARD_LOOKBACK) snapshots (one is kept at each log that passes the check and at
    /// the start of each epoch, and the restored weights count as one), the learning rate
    /// is halved from then on ([`Trainer::alpha_factor`](super::Trainer::alpha_factor)) and the event is kept in
    /// [`Trainer::guard_events`](super::Trainer::guard_events). Training is bit-identical with the guard until it acts
    /// (test `divergence_guard_restores_earlier_weights_and_halves_the_rate`). Learning
    /// moves a block's RMS by well under 1% between two logs; the runaways of
    /// docs/mnist.md move it by 5-15% at their onset, so 0.05 separates them. `None`: off.
    pub guard_rms_jump: Option<f64>,
}

impl Default for MnistConfig {
    fn default() -> Self {
        MnistConfig {
            // eps_weak = eps_strong: with unequal steps the two nets' transients differ and
            // dz learns that difference instead of the target (measured: chance level).
            model: Config { activation: Activation::HardSigmoid, alpha: 0.02, eps_weak: 0.5, ..Config::default() },
            hidden: vec![512],
            lateral: true,
            batch: 128,
            free_iters: 80,
            clamped_iters: 160,
            test_iters: 160,
            input_clamp: Clamp::Hard,
            inference_tol: 1e-3,
            alpha_half_life: None,
            symmetric_init: false,
            hidden_alpha_scale: Vec::new(),
            pair_alpha_scale: Vec::new(),
            weight_average_half_life: None,
            guard_rms_jump: None,
        }
    }
}

crate::config::validated! {
    /// A [`MnistConfig`] that passed [`MnistConfig::check`]: the only kind a
    /// [`Trainer`](super::Trainer) takes or holds.
    ValidMnistConfig(MnistConfig) = "MnistConfig", checked by check, derives
}

impl MnistConfig {
    /// A small supervised net for experiments that train many of them: 784-128-10, batch
    /// 16, 20 free + 40 clamped iterations (40 to test), alpha 0.05, the rest default.
    pub fn small() -> MnistConfig {
        let mut cfg = MnistConfig {
            hidden: vec![128],
            batch: 16,
            free_iters: 20,
            clamped_iters: 40,
            test_iters: 40,
            ..MnistConfig::default()
        };
        cfg.model.alpha = 0.05;
        cfg
    }

    /// Validates the settings into a [`ValidMnistConfig`].
    pub fn check(self) -> Result<ValidMnistConfig, ConfigError> {
        self.validate()?;
        Ok(ValidMnistConfig(self))
    }

    /// Checks the settings, the model config's included.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.model.validate()?;
        let pos = |field: &'static str, v: u64| {
            if v == 0 { Err(ConfigError::NonPositive { field, value: 0.0 }) } else { Ok(()) }
        };
        pos("batch", self.batch as u64)?;
        pos("clamped_iters", self.clamped_iters)?;
        pos("test_iters", self.test_iters)?;
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(ConfigError::Topology("hidden needs one or more non-zero layer sizes".into()));
        }
        for (field, value) in [
            ("alpha_half_life", self.alpha_half_life),
            ("weight_average_half_life", self.weight_average_half_life),
            ("guard_rms_jump", self.guard_rms_jump),
        ] {
            if let Some(h) = value
                && !(h.is_finite() && h > 0.0)
            {
                return Err(ConfigError::NonPositive { field, value: h });
            }
        }
        if !self.hidden_alpha_scale.is_empty() && self.hidden_alpha_scale.len() != self.hidden.len() {
            return Err(ConfigError::Topology(format!(
                "hidden_alpha_scale has {} entries for {} hidden layers: give one per layer or none",
                self.hidden_alpha_scale.len(),
                self.hidden.len()
            )));
        }
        if let Some(&v) = self.hidden_alpha_scale.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(ConfigError::OutOfRange { field: "hidden_alpha_scale", value: v as f64, range: "[0, inf)" });
        }
        if !self.pair_alpha_scale.is_empty() && self.pair_alpha_scale.len() != self.hidden.len() + 1 {
            return Err(ConfigError::Topology(format!(
                "pair_alpha_scale has {} entries for {} connections (hidden layers + 1): give one per connection or none",
                self.pair_alpha_scale.len(),
                self.hidden.len() + 1
            )));
        }
        if let Some(&v) = self.pair_alpha_scale.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(ConfigError::OutOfRange { field: "pair_alpha_scale", value: v as f64, range: "[0, inf)" });
        }
        if !(self.inference_tol.is_finite() && self.inference_tol > 0.0 && self.inference_tol <= 1.0) {
            return Err(ConfigError::OutOfRange {
                field: "inference_tol",
                value: self.inference_tol as f64,
                range: "(0, 1]",
            });
        }
        if self.input_clamp == Clamp::Free {
            return Err(ConfigError::OutOfRange { field: "input_clamp", value: 0.0, range: "hard or soft" });
        }
        Ok(())
    }
}

impl MnistConfig {
    /// The config in `path` (JSON, any fields, merged over the defaults at every depth;
    /// see [`crate::config::from_json_over`]), or the defaults without a path.
    pub fn load(path: Option<&std::path::Path>) -> Result<MnistConfig, crate::error::FileError> {
        crate::config::load_over_default(path)
    }
}

/// Settings that may change between runs of one net (a new one or a resumed checkpoint),
/// given on a command line; each `Some` replaces the config's or the checkpoint's value.
#[derive(Debug, Clone, Default)]
pub struct RunOverrides {
    /// Fake targets on or off.
    pub fake_target: Option<bool>,
    /// The fake targets' scale `k`.
    pub fake_k: Option<f32>,
    /// `weight_average_half_life`.
    pub weight_average: Option<f64>,
    /// `guard_rms_jump`.
    pub guard: Option<f64>,
}
