//! MNIST with aSTDP (section 3.1, Algorithms 1 and 2): batched training and testing on
//! the same scheduler and events as the toys (one `Tick` per step for the whole batch).
//!
//! Layers: 0 = input (pixels), 1 = output (10 labels), 2.. = hidden.

use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::checkpoint;
use crate::config::{Config, FakeTargetConfig};
use crate::data::mnist::Dataset;
use crate::error::{CheckpointError, ConfigError, Error};
use crate::network::Network;
use crate::sim::{Event, Simulation, rng_from_seed};
use crate::topology::Topology;
use crate::twin::{Clamp, Net};

/// Training algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Algorithm 2: input only (free phase), then input and label (clamped phase).
    Supervised,
    /// Algorithm 1: input and label from the start, for `free_iters + clamped_iters`.
    Unsupervised,
    /// Self-supervised pre-training: a 10x10 patch at a random place in each image is
    /// left free (free phase), then softly clamped to the true pixels (clamped phase);
    /// the rest of the image is clamped throughout; labels are free.
    SelfSupervised,
    /// Supervised training of the weights into the output layer only (everything else
    /// frozen): the second stage of self-supervised learning.
    OutputOnly,
    /// Training of the weights into the image layer only (everything else frozen), for
    /// generation: the label is hard clamped throughout; the image runs free (as in
    /// [`Trainer::generate`]), then is softly clamped to the true pixels. Needed after
    /// training with hard-clamped images, which never changes the weights into them.
    Decoder,
}

impl Mode {
    /// The only layer whose incoming weights learn in this mode, if it is restricted.
    fn only_plastic(self) -> Option<usize> {
        match self {
            Mode::OutputOnly => Some(1),
            Mode::Decoder => Some(0),
            _ => None,
        }
    }
}

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
    /// Start from symmetric weights (`W_ij = W_ji`, see [`Network::symmetrize`]); with
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
    /// Training never sees it: [`Trainer::evaluate_averaged`] tests it. `None`: off.
    pub weight_average_half_life: Option<f64>,
    /// Divergence guard (not in the paper): when set, at every log of `symmetry` and
    /// `weight_rms` (every 10 training batches) the trainer compares each weight block's
    /// RMS with the previous log; if any moved by more than this fraction of it (or is not
    /// finite), the weights and biases go back to the oldest of the trainer's last
    /// [`GUARD_LOOKBACK`] snapshots (one is kept at each log that passes the check and at
    /// the start of each epoch, and the restored weights count as one), the learning rate
    /// is halved from then on ([`Trainer::alpha_factor`]) and the event is kept in
    /// [`Trainer::guard_events`]. Training is bit-identical with the guard until it acts
    /// (test `divergence_guard_restores_earlier_weights_and_halves_the_rate`). Learning
    /// moves a block's RMS by well
    /// under 1% between two logs; the runaways described in the README move it by 5-15%
    /// at their onset, so 0.05 separates them. `None`: off.
    pub guard_rms_jump: Option<f64>,
}

/// How many snapshots of the weights (one per log of 10 batches) the divergence guard
/// keeps to restore from (see `MnistConfig::guard_rms_jump`): a runaway has begun a few
/// logs before a block's RMS jumps.
pub const GUARD_LOOKBACK: usize = 4;

/// One intervention of the divergence guard (see `MnistConfig::guard_rms_jump`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardEvent {
    /// Training samples seen when the jump was found.
    pub samples: u64,
    /// The block whose RMS moved most, and by what fraction of its previous value.
    pub block: String,
    /// See `block`.
    pub jump: f64,
    /// The weights restored are those logged after this many training samples.
    pub restored_from: u64,
    /// `Trainer::alpha_factor` from then on.
    pub alpha_factor: f32,
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

impl MnistConfig {
    /// Checks the settings that the model config does not cover.
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
        if self.input_clamp == Clamp::Free {
            return Err(ConfigError::OutOfRange { field: "input_clamp", value: 0.0, range: "hard or soft" });
        }
        Ok(())
    }
}

/// Result of a test pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Samples tested.
    pub samples: usize,
    /// Fraction whose output argmax equals the label.
    pub accuracy: f64,
    /// Mean ticks until max |ds| < tol, the paper's criterion, counted from the states'
    /// response to the new image (samples that never converged count as `test_iters`).
    /// Results files written before this was fixed (see the README) counted the first
    /// tick below tol, which for hard-clamped images was mostly tick 1, before the image
    /// had reached the hidden layer.
    pub inference_steps_mean: f64,
    /// Fraction of samples that converged within `test_iters`.
    pub converged: f64,
    /// Mean ticks until max |ds| < tol *for the rest of the test window* (one more than
    /// the last tick at or above tol; `test_iters` for a sample still moving at the end).
    /// Stricter than `inference_steps_mean`, which a momentary lull can end early.
    #[serde(default)]
    pub settled_steps_mean: f64,
    /// Mean decision time: ticks until the output argmax stops changing (the first tick
    /// from which it stays at its final value). Not the paper's criterion: it asks when the
    /// answer is there, not when the states stop moving.
    #[serde(default)]
    pub decision_steps_mean: f64,
    /// `(k, accuracy)`: the output argmax read after k = 10, 20, 40, ... and
    /// `test_iters` iterations of the same test pass.
    pub accuracy_at: Vec<(u64, f64)>,
    /// `(k, rate)`: the fraction of hidden neurons (over all batch rows) that got a fake
    /// target on tick k, at the same k as `accuracy_at`; all zero with fake targets off.
    /// Shows whether fake targets die out as the states converge.
    #[serde(default)]
    pub fake_rate_at: Vec<(u64, f64)>,
}

/// A network being trained on MNIST, with everything needed to resume.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trainer {
    /// Settings.
    pub cfg: MnistConfig,
    /// The simulation (network, states, generator, queue).
    pub sim: Simulation,
    /// Completed epochs.
    pub epochs_done: usize,
    /// Seed the run started from.
    pub seed: u64,
    /// Training samples seen so far (all epochs).
    pub samples_seen: u64,
    /// `(samples_seen, corr(W_ij, W_ji))` logged every 10 batches (section 4.2).
    pub symmetry: Vec<(u64, f64)>,
    /// `(samples_seen, [(block, RMS weight)])` logged with `symmetry` (see
    /// [`Network::block_rms`]).
    #[serde(default)]
    pub weight_rms: Vec<(u64, Vec<(String, f64)>)>,
    /// The moving average of the weights and biases, once training with
    /// `cfg.weight_average_half_life` set has begun.
    #[serde(default)]
    pub averaged: Option<Network>,
    /// The multiplier of the learning rate set by the divergence guard (1 until it acts;
    /// halved at each of its interventions).
    #[serde(default = "one")]
    pub alpha_factor: f32,
    /// The divergence guard's interventions (see `MnistConfig::guard_rms_jump`).
    #[serde(default)]
    pub guard_events: Vec<GuardEvent>,
    /// The guard's snapshots `(samples_seen, network)` at the last logs, oldest first;
    /// not saved in checkpoints (a resumed run's first is of the weights it resumes with).
    #[serde(skip)]
    guard_snapshots: std::collections::VecDeque<(u64, Network)>,
}

fn one() -> f32 {
    1.0
}

fn one_hot_rows(labels: &[u8]) -> Vec<f32> {
    let mut y = vec![0.0; labels.len() * 10];
    for (b, &l) in labels.iter().enumerate() {
        y[b * 10 + l as usize] = 1.0;
    }
    y
}

fn argmax(x: &[f32]) -> usize {
    x.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i)
}

/// Tracks one test sample's output argmax over ticks: `since` is the first tick from
/// which it has kept its current value (the decision time, once the pass ends).
#[derive(Debug, Clone, Copy, Default)]
struct Decision {
    label: Option<usize>,
    since: u64,
}

impl Decision {
    fn observe(&mut self, tick: u64, argmax: usize) {
        if self.label != Some(argmax) {
            self.label = Some(argmax);
            self.since = tick;
        }
    }
}

/// Tracks one test sample's max |ds| over ticks, for the paper's step count and the
/// stricter settled count.
///
/// A hard-clamped image reaches the hidden layer one tick after it changes: the step that
/// holds the new pixels computes the hidden net inputs from the old ones. On the first
/// tick the states therefore still move as at the end of the previous sample, and a net
/// that had settled there shows max |ds| ~ 0 before it has seen the new image. So the
/// paper's criterion is the first tick below tol *after the states responded* (max |ds|
/// at or above tol at least once); states that never moved count 1.
#[derive(Debug, Clone, Copy, Default)]
struct Settling {
    responded: bool,
    reached: Option<u64>,
    last_moving: u64,
}

impl Settling {
    fn observe(&mut self, tick: u64, max_ds: f32, tol: f32) {
        if max_ds >= tol {
            self.responded = true;
            self.last_moving = tick;
        } else if self.responded && self.reached.is_none() {
            self.reached = Some(tick);
        }
    }

    /// The paper's count: `None` when the states responded and never got below tol.
    fn steps(&self) -> Option<u64> {
        if self.responded { self.reached } else { Some(1) }
    }

    /// One more than the last tick at or above tol, at most `cap`.
    fn settled(&self, cap: u64) -> u64 {
        (self.last_moving + 1).min(cap)
    }
}

impl Trainer {
    /// A new network of `784 - hidden - 10` with Xavier init from `seed`.
    pub fn new(cfg: MnistConfig, pixels: usize, seed: u64) -> Result<Trainer, Error> {
        cfg.validate()?;
        let topo = Topology::layered(pixels, &cfg.hidden, 10, cfg.lateral)?;
        let mut rng = rng_from_seed(seed);
        let mut net = Network::random(topo, &mut rng);
        if cfg.symmetric_init {
            net.symmetrize();
        }
        let mut sim = Simulation::new(net, cfg.model.validate()?, cfg.batch, rng)?;
        // layers: 0 input, 1 output, 2.. hidden
        for (k, &scale) in cfg.hidden_alpha_scale.iter().enumerate() {
            sim.apply(Event::SetLayerRate { layer: 2 + k, scale })?;
        }
        let chain: Vec<usize> = std::iter::once(0).chain(2..2 + cfg.hidden.len()).chain(std::iter::once(1)).collect();
        for (pair, &scale) in chain.windows(2).zip(&cfg.pair_alpha_scale) {
            for (post, pre) in [(pair[1], pair[0]), (pair[0], pair[1])] {
                if sim.network().block_index(post, pre).is_some() {
                    sim.apply(Event::SetBlockRate { post, pre, scale })?;
                }
            }
        }
        let sym = sim.network().symmetry_correlation().unwrap_or(f64::NAN);
        let weight_rms = vec![(0, sim.network().block_rms())];
        Ok(Trainer {
            cfg,
            sim,
            epochs_done: 0,
            seed,
            samples_seen: 0,
            symmetry: vec![(0, sym)],
            weight_rms,
            averaged: None,
            alpha_factor: 1.0,
            guard_events: Vec::new(),
            guard_snapshots: Default::default(),
        })
    }

    fn batches(&mut self, n: usize, shuffle: bool) -> Vec<Vec<usize>> {
        use rand::seq::SliceRandom;
        let mut order: Vec<usize> = (0..n).collect();
        if shuffle {
            order.shuffle(self.sim.rng_mut());
        }
        order.chunks(self.cfg.batch).map(|c| c.to_vec()).collect()
    }

    /// Fills a batch from `idx`, repeating samples to pad a short last batch; returns
    /// (pixels, labels, number of real samples).
    fn gather(&self, data: &Dataset, idx: &[usize]) -> (Vec<f32>, Vec<u8>, usize) {
        let b = self.cfg.batch;
        let mut x = Vec::with_capacity(b * data.pixels());
        let mut y = Vec::with_capacity(b);
        for k in 0..b {
            let i = idx[k % idx.len()];
            x.extend_from_slice(data.image(i));
            y.push(data.labels[i]);
        }
        (x, y, idx.len())
    }

    fn output_argmax(&self, b: usize) -> usize {
        let layer = &self.sim.network().topology.layers()[1];
        argmax(&self.sim.state(Net::Weak, b)[layer.range()])
    }

    /// One epoch over `data` in shuffled order. `progress(done, total, metric)` is called
    /// after each batch. The metric, also returned for the epoch: free-phase accuracy
    /// (supervised, output-only), mean squared error of the predicted patch pixels
    /// (self-supervised) or of the whole image generated from the label (decoder) at the
    /// end of the free phase, NaN (unsupervised).
    pub fn train_epoch(
        &mut self,
        data: &Dataset,
        mode: Mode,
        progress: &mut dyn FnMut(usize, usize, f64),
    ) -> Result<f64, Error> {
        use rand::RngExt;
        let (input, output) = (0, 1);
        let out_range = self.sim.network().topology.layers()[output].range();
        let in_range = self.sim.network().topology.layers()[input].range();
        let n_layers = self.sim.network().topology.layers().len();
        if let Some(keep) = mode.only_plastic() {
            for layer in (0..n_layers).filter(|&l| l != keep) {
                self.sim.apply(Event::SetPlastic { layer, on: false })?;
            }
        }
        let batches = self.batches(data.len(), true);
        self.guard_snapshots.clear();
        if self.cfg.guard_rms_jump.is_some() {
            self.guard_snapshots.push_back((self.samples_seen, self.sim.network().clone()));
        }
        let (mut seen, mut correct, mut sq_err, mut masked) = (0usize, 0usize, 0f64, 0usize);
        let free = self.cfg.free_iters;
        let clamped = self.cfg.clamped_iters;
        for idx in &batches {
            let (x, y, real) = self.gather(data, idx);
            let t0 = self.sim.now();
            if let Some(alpha) = self.scheduled_alpha() {
                self.sim.schedule(t0, Event::SetAlpha(alpha))?;
            }
            match mode {
                Mode::Supervised | Mode::OutputOnly => {
                    self.sim.present(t0, input, x, self.cfg.input_clamp)?;
                    self.sim.schedule(t0, Event::ClearTargets { neurons: out_range.clone() })?;
                    self.sim.schedule_ticks(t0, free)?;
                    self.sim.run_until(t0 + free)?;
                    correct += (0..real).filter(|&b| self.output_argmax(b) == y[b] as usize).count();
                    self.sim.present(t0 + free, output, one_hot_rows(&y), Clamp::Soft)?;
                    self.sim.schedule_ticks(t0 + free, clamped)?;
                    self.sim.run_until(t0 + free + clamped)?;
                }
                Mode::Unsupervised => {
                    self.sim.present(t0, input, x, self.cfg.input_clamp)?;
                    self.sim.present(t0, output, one_hot_rows(&y), Clamp::Soft)?;
                    self.sim.schedule_ticks(t0, free + clamped)?;
                    self.sim.run_until(t0 + free + clamped)?;
                }
                Mode::Decoder => {
                    let act = self.cfg.model.activation;
                    self.sim.present(t0, output, one_hot_rows(&y), Clamp::Hard)?;
                    self.sim.schedule(t0, Event::ClearTargets { neurons: in_range.clone() })?;
                    self.sim.schedule_ticks(t0, free)?;
                    self.sim.run_until(t0 + free)?;
                    let px = data.pixels();
                    for b in 0..real {
                        let img = &self.sim.state(Net::Weak, b)[in_range.clone()];
                        sq_err += img
                            .iter()
                            .zip(&x[b * px..(b + 1) * px])
                            .map(|(&s, &p)| ((act.rho(s) - p) as f64).powi(2))
                            .sum::<f64>();
                    }
                    masked += real * px;
                    self.sim.present(t0 + free, input, x, Clamp::Soft)?;
                    self.sim.schedule_ticks(t0 + free, clamped)?;
                    self.sim.run_until(t0 + free + clamped)?;
                }
                Mode::SelfSupervised => {
                    // a 10x10 patch at a random place per sample: free, then softly clamped
                    let (rows, cols, px) = (data.rows, data.cols, data.pixels());
                    let side = 10.min(rows).min(cols);
                    let mut free_modes = vec![self.cfg.input_clamp; self.cfg.batch * px];
                    let mut patch = Vec::with_capacity(self.cfg.batch * side * side);
                    for b in 0..self.cfg.batch {
                        let r0 = self.sim.rng_mut().random_range(0..=rows - side);
                        let c0 = self.sim.rng_mut().random_range(0..=cols - side);
                        for r in r0..r0 + side {
                            for c in c0..c0 + side {
                                free_modes[b * px + r * cols + c] = Clamp::Free;
                                patch.push((b, r * cols + c));
                            }
                        }
                    }
                    let clamped_modes: Vec<Clamp> =
                        free_modes.iter().map(|&m| if m == Clamp::Free { Clamp::Soft } else { m }).collect();
                    self.sim.schedule(t0, Event::ClearTargets { neurons: out_range.clone() })?;
                    self.sim.schedule(
                        t0,
                        Event::SetTargets { neurons: in_range.clone(), values: x.clone(), modes: free_modes },
                    )?;
                    self.sim.schedule_ticks(t0, free)?;
                    self.sim.run_until(t0 + free)?;
                    let act = self.cfg.model.activation;
                    for &(b, i) in patch.iter().filter(|(b, _)| *b < real) {
                        let pred = act.rho(self.sim.state(Net::Weak, b)[in_range.start + i]);
                        sq_err += ((pred - x[b * px + i]) as f64).powi(2);
                        masked += 1;
                    }
                    self.sim.schedule(
                        t0 + free,
                        Event::SetTargets { neurons: in_range.clone(), values: x, modes: clamped_modes },
                    )?;
                    self.sim.schedule_ticks(t0 + free, clamped)?;
                    self.sim.run_until(t0 + free + clamped)?;
                }
            }
            seen += real;
            self.samples_seen += real as u64;
            self.update_average(real)?;
            if (seen / self.cfg.batch).is_multiple_of(10) || seen == data.len() {
                self.guard();
                let sym = self.sim.network().symmetry_correlation().unwrap_or(f64::NAN);
                self.symmetry.push((self.samples_seen, sym));
                self.weight_rms.push((self.samples_seen, self.sim.network().block_rms()));
            }
            let metric = match mode {
                Mode::Supervised | Mode::OutputOnly => correct as f64 / seen as f64,
                Mode::SelfSupervised | Mode::Decoder => sq_err / masked.max(1) as f64,
                Mode::Unsupervised => f64::NAN,
            };
            progress(seen, data.len(), metric);
        }
        if let Some(keep) = mode.only_plastic() {
            for layer in (0..n_layers).filter(|&l| l != keep) {
                self.sim.apply(Event::SetPlastic { layer, on: true })?;
            }
        }
        self.epochs_done += 1;
        Ok(match mode {
            Mode::Supervised | Mode::OutputOnly => correct as f64 / seen.max(1) as f64,
            Mode::SelfSupervised | Mode::Decoder => sq_err / masked.max(1) as f64,
            Mode::Unsupervised => f64::NAN,
        })
    }

    /// The divergence guard (see `MnistConfig::guard_rms_jump`), before a log of
    /// `weight_rms`: compares each block's RMS now with the last log; on a jump restores
    /// the oldest snapshot and halves the learning rate (from the next batch on, through
    /// [`Trainer::scheduled_alpha`]), else keeps a snapshot of now.
    fn guard(&mut self) {
        let Some(limit) = self.cfg.guard_rms_jump else { return };
        let now = self.sim.network().block_rms();
        let prev = self.weight_rms.last().map(|(_, r)| r.as_slice()).unwrap_or_default();
        let relative = |a: f64, b: f64| {
            let j = if a > 0.0 { (b - a).abs() / a } else { (b - a).abs() };
            if j.is_nan() { f64::INFINITY } else { j }
        };
        let worst = prev
            .iter()
            .zip(&now)
            .map(|((_, a), (name, b))| (name, relative(*a, *b)))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        match worst {
            Some((name, jump)) if jump > limit => {
                let (from, net) = self.guard_snapshots.pop_front().expect("train_epoch keeps a snapshot");
                self.guard_snapshots.clear();
                *self.sim.network_mut() = net.clone();
                self.guard_snapshots.push_back((from, net));
                self.alpha_factor *= 0.5;
                self.guard_events.push(GuardEvent {
                    samples: self.samples_seen,
                    block: name.clone(),
                    jump,
                    restored_from: from,
                    alpha_factor: self.alpha_factor,
                });
            }
            _ => {
                self.guard_snapshots.push_back((self.samples_seen, self.sim.network().clone()));
                while self.guard_snapshots.len() > GUARD_LOOKBACK {
                    self.guard_snapshots.pop_front();
                }
            }
        }
    }

    /// One step of the weight average (see `MnistConfig::weight_average_half_life`)
    /// after a batch of `n` samples; starts it from the live weights if there is none.
    fn update_average(&mut self, n: usize) -> Result<(), Error> {
        let Some(h) = self.cfg.weight_average_half_life else { return Ok(()) };
        let live = self.sim.network();
        match &mut self.averaged {
            Some(avg) => avg.blend_towards(live, (1.0 - 0.5f64.powf(n as f64 / h)) as f32)?,
            None => self.averaged = Some(live.clone()),
        }
        Ok(())
    }

    /// Switches fake targets on or off from now on, for training and testing, and records
    /// the switch in `cfg` (so results and checkpoints say which way the net ran). With
    /// it, a net trained with fake targets can be tested without them, which separates
    /// what fake targets do to the weights from what they do to inference.
    pub fn set_fake_target(&mut self, on: bool) -> Result<(), Error> {
        self.set_fake_target_config(FakeTargetConfig { enabled: on, ..self.sim.config().fake_target })
    }

    /// Replaces the fake-target settings (on or off, `k`, `t_c`, `m_avg`, the readings)
    /// from now on, for training and testing, and records them in `cfg`; e.g. a scan of
    /// `k` at test time on a trained net (`mnist --mode test --resume X --fake-k K`).
    /// Invalid settings are refused and change nothing. The learning rate in force stays.
    pub fn set_fake_target_config(&mut self, f: FakeTargetConfig) -> Result<(), Error> {
        let model = Config { fake_target: f, ..**self.sim.config() }.validate()?;
        let alpha = self.sim.alpha();
        self.sim.set_config(model);
        self.sim.apply(Event::SetAlpha(alpha))?;
        self.sim.apply(Event::SetFakeTarget(f.enabled))?;
        self.cfg.model.fake_target = f;
        Ok(())
    }

    /// The learning rate for the next training batch, if it is not simply `model.alpha`:
    /// what the schedule gives after `samples_seen` training samples, times
    /// `alpha_factor` (which the divergence guard lowers).
    pub fn scheduled_alpha(&self) -> Option<f32> {
        let alpha = self.cfg.model.alpha as f64;
        let scheduled = match self.cfg.alpha_half_life {
            Some(h) => alpha * 0.5f64.powf(self.samples_seen as f64 / h),
            None if self.alpha_factor != 1.0 => alpha,
            None => return None,
        };
        Some((scheduled * self.alpha_factor as f64) as f32)
    }

    /// Tests the moving average of the weights (see
    /// `MnistConfig::weight_average_half_life`) as [`Trainer::evaluate`] tests the live
    /// ones, on a copy of the trainer, so that training goes on exactly as without it.
    /// `None` before there is an average.
    pub fn evaluate_averaged(&self, data: &Dataset) -> Result<Option<Evaluation>, Error> {
        if self.averaged.is_none() {
            return Ok(None);
        }
        let mut copy = self.clone();
        if let Some(avg) = copy.averaged.take() {
            *copy.sim.network_mut() = avg;
        }
        copy.evaluate(data).map(Some)
    }

    /// Tests on `data` with learning off: clamp the image, free output, `test_iters`
    /// ticks, argmax of the weak net's output. Weights are not changed.
    pub fn evaluate(&mut self, data: &Dataset) -> Result<Evaluation, Error> {
        let was_learning = self.sim.learning();
        self.sim.apply(Event::SetLearning(false))?;
        let checkpoints: Vec<u64> =
            (0..).map(|i| 10u64 << i).take_while(|&k| k < self.cfg.test_iters).chain([self.cfg.test_iters]).collect();
        let mut correct_at = vec![0usize; checkpoints.len()];
        let mut fired_at = vec![0u64; checkpoints.len()];
        let batches = self.batches(data.len(), false);
        // hidden-neuron slots ticked per checkpoint tick over the whole pass
        let slots = (batches.len().max(1) * self.cfg.batch * self.cfg.hidden.iter().sum::<usize>()) as f64;
        let out_range = self.sim.network().topology.layers()[1].range();
        let (mut correct, mut steps_sum, mut conv, mut settled_sum) = (0usize, 0u64, 0usize, 0u64);
        let mut decision_sum = 0u64;
        for idx in batches {
            let (x, y, real) = self.gather(data, &idx);
            let t0 = self.sim.now();
            self.sim.present(t0, 0, x, self.cfg.input_clamp)?;
            self.sim.schedule(t0, Event::ClearTargets { neurons: out_range.clone() })?;
            self.sim.schedule_ticks(t0, self.cfg.test_iters)?;
            let mut settling = vec![Settling::default(); real];
            let mut decisions = vec![Decision::default(); real];
            for k in 1..=self.cfg.test_iters {
                let fired_before = self.sim.fake_fired();
                self.sim.run_until(t0 + k)?;
                for (b, d) in decisions.iter_mut().enumerate() {
                    d.observe(k, self.output_argmax(b));
                }
                let mf = &self.sim.twin().weak.max_force;
                for (s, &m) in settling.iter_mut().zip(mf) {
                    s.observe(k, m, self.cfg.inference_tol);
                }
                if let Some(c) = checkpoints.iter().position(|&p| p == k) {
                    fired_at[c] += self.sim.fake_fired() - fired_before;
                    correct_at[c] += (0..real).filter(|&b| self.output_argmax(b) == y[b] as usize).count();
                }
            }
            correct += (0..real).filter(|&b| self.output_argmax(b) == y[b] as usize).count();
            steps_sum += settling.iter().map(|s| s.steps().unwrap_or(self.cfg.test_iters)).sum::<u64>();
            conv += settling.iter().filter(|s| s.steps().is_some()).count();
            settled_sum += settling.iter().map(|s| s.settled(self.cfg.test_iters)).sum::<u64>();
            decision_sum += decisions.iter().map(|d| d.since).sum::<u64>();
        }
        self.sim.apply(Event::SetLearning(was_learning))?;
        let n = data.len().max(1) as f64;
        Ok(Evaluation {
            samples: data.len(),
            accuracy: correct as f64 / n,
            inference_steps_mean: steps_sum as f64 / n,
            converged: conv as f64 / n,
            settled_steps_mean: settled_sum as f64 / n,
            decision_steps_mean: decision_sum as f64 / n,
            accuracy_at: checkpoints.iter().zip(&correct_at).map(|(&k, &c)| (k, c as f64 / n)).collect(),
            fake_rate_at: checkpoints.iter().zip(&fired_at).map(|(&k, &f)| (k, f as f64 / slots)).collect(),
        })
    }

    /// Conditional generation (figure 2): clamp the label (hard), leave the image free
    /// from a fresh random state, run `test_iters` ticks with learning off, read the
    /// weak net's image neurons. One image per entry of `labels` (at most `batch`).
    pub fn generate(&self, labels: &[u8], seed: u64) -> Result<Vec<Vec<f32>>, Error> {
        let mut g = self.clone();
        g.sim.reseed(seed);
        g.sim.randomize_states();
        let labels: Vec<u8> = labels.iter().take(g.cfg.batch).copied().collect();
        let mut padded = labels.clone();
        padded.resize(g.cfg.batch, 0);
        let t0 = g.sim.now();
        let in_range = g.sim.network().topology.layers()[0].range();
        g.sim.apply(Event::SetLearning(false))?;
        g.sim.schedule(t0, Event::ClearTargets { neurons: in_range.clone() })?;
        g.sim.present(t0, 1, one_hot_rows(&padded), Clamp::Hard)?;
        g.sim.schedule_ticks(t0, g.cfg.test_iters)?;
        g.sim.run_until(t0 + g.cfg.test_iters)?;
        let act = g.cfg.model.activation;
        Ok((0..labels.len())
            .map(|b| g.sim.state(Net::Weak, b)[in_range.clone()].iter().map(|&s| act.rho(s)).collect())
            .collect())
    }

    /// Saves atomically (see [`checkpoint::save_json`]).
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<(), CheckpointError> {
        checkpoint::save_json(path, self)
    }

    /// Loads a trainer saved by [`Trainer::save`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Trainer, CheckpointError> {
        let path = path.as_ref();
        let mut t: Trainer = checkpoint::load_json(path)?;
        t.sim.restore(path)?;
        if let Some(avg) = &t.averaged
            && !avg.same_shape(t.sim.network())
        {
            return Err(CheckpointError::Mismatch {
                path: path.into(),
                what: "the averaged weights do not match the network".into(),
            });
        }
        Ok(t)
    }

    /// Multiply-adds x 2 per tick actually computed (forward of both nets on blocks whose
    /// receiving layer is not hard clamped, plus the rank-batch weight update), for a
    /// given set of hard-clamped layers.
    pub fn flops_per_tick(&self, hard_layers: &[usize]) -> f64 {
        let net = self.sim.network();
        let layers = net.topology.layers();
        let b = self.cfg.batch as f64;
        net.blocks
            .iter()
            .filter(|blk| !hard_layers.contains(&blk.post))
            .map(|blk| 3.0 * 2.0 * b * (layers[blk.post].size * layers[blk.pre].size) as f64)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 6 random 4x4 "images" with labels.
    fn tiny() -> Dataset {
        let images = (0..6 * 16).map(|i| ((i * 37) % 11) as f32 / 10.0).collect();
        Dataset { images, labels: vec![0, 1, 2, 3, 4, 5], rows: 4, cols: 4 }
    }

    /// A net for [`tiny`]: 5 hidden, batch 2, `iters` ticks per phase and per test.
    fn tiny_cfg(iters: u64) -> MnistConfig {
        MnistConfig {
            hidden: vec![5],
            batch: 2,
            free_iters: iters,
            clamped_iters: iters,
            test_iters: iters,
            ..MnistConfig::default()
        }
    }

    #[test]
    fn fake_targets_can_be_switched_off_for_testing() {
        let mut cfg = tiny_cfg(20);
        // k = 0.5: a neuron fires whenever |dz| is near its running mean, so some fire
        // in testing too, where dz is small
        cfg.model.fake_target.k = 0.5;
        let mut t = Trainer::new(cfg, 16, 5).unwrap();
        assert!(t.cfg.model.fake_target.enabled);
        t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
        let fired = t.sim.fake_fired();
        assert!(fired > 0, "no fake target fired in training");
        let mut off = t.clone();
        let with = t.evaluate(&tiny()).unwrap();
        assert!(t.sim.fake_fired() > fired, "no fake target fired while testing");
        off.set_fake_target(false).unwrap();
        assert!(!off.cfg.model.fake_target.enabled);
        let without = off.evaluate(&tiny()).unwrap();
        assert_eq!(off.sim.fake_fired(), fired, "fake targets fired after being switched off");
        assert_eq!((with.samples, without.samples), (6, 6));
        // the per-tick rates: at the accuracy checkpoints, within [0, 1], some fake
        // targets on with them, none without
        let ticks = |e: &Evaluation| e.fake_rate_at.iter().map(|&(k, _)| k).collect::<Vec<_>>();
        assert_eq!(ticks(&with), vec![10, 20]);
        assert_eq!(ticks(&without), vec![10, 20]);
        assert!(with.fake_rate_at.iter().all(|&(_, r)| (0.0..=1.0).contains(&r)));
        assert!(with.fake_rate_at.iter().any(|&(_, r)| r > 0.0), "{:?}", with.fake_rate_at);
        assert!(without.fake_rate_at.iter().all(|&(_, r)| r == 0.0));
    }

    #[test]
    fn fake_target_settings_can_be_changed_on_a_trained_net() {
        let mut cfg = tiny_cfg(20);
        cfg.model.fake_target.k = 0.5;
        let mut t = Trainer::new(cfg, 16, 5).unwrap();
        t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
        let fired = t.sim.fake_fired();
        let mut raised = t.clone();
        let k = |t: &Trainer| (t.cfg.model.fake_target.k, t.sim.config().fake_target.k);
        // invalid settings are refused and change nothing
        let bad = FakeTargetConfig { k: -1.0, ..t.cfg.model.fake_target };
        assert!(matches!(raised.set_fake_target_config(bad), Err(Error::Config(_))));
        assert_eq!(k(&raised), (0.5, 0.5));
        // k a millionfold larger: (almost) no fake target fires while testing
        let f = FakeTargetConfig { k: 5e5, ..raised.cfg.model.fake_target };
        raised.set_fake_target_config(f).unwrap();
        assert_eq!(k(&raised), (5e5, 5e5));
        assert_eq!(raised.sim.alpha(), t.sim.alpha());
        t.evaluate(&tiny()).unwrap();
        raised.evaluate(&tiny()).unwrap();
        let (base, few) = (t.sim.fake_fired() - fired, raised.sim.fake_fired() - fired);
        assert!(base > 10 && few * 10 < base, "k 0.5: {base} fired, k 5e5: {few}");
    }

    #[test]
    fn pair_alpha_scale_keeps_ep_weights_symmetric() {
        let mut base = tiny_cfg(3);
        base.symmetric_init = true;
        base.model.rule = crate::config::Rule::SymmetricEp;
        base.model.beta_weak = 0.0;
        base.model.fake_target.enabled = false;
        let one = MnistConfig { pair_alpha_scale: vec![2.0], ..base.clone() };
        assert!(matches!(one.validate(), Err(ConfigError::Topology(_))));
        let nan = MnistConfig { pair_alpha_scale: vec![f32::NAN, 1.0], ..base.clone() };
        assert!(matches!(nan.validate(), Err(ConfigError::OutOfRange { field: "pair_alpha_scale", .. })));
        let trained = |cfg: MnistConfig| {
            let mut t = Trainer::new(cfg, 16, 3).unwrap();
            let before = t.sim.network().clone();
            t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
            (before, t.sim.network().clone())
        };
        let w = |net: &Network, post, pre| net.blocks[net.block_index(post, pre).unwrap()].w.clone();
        // max |W_oh - W_ho^T| over the output (1) - hidden (2) pair: 10 x 5 and 5 x 10
        let asym = |net: &Network| {
            let (oh, ho) = (w(net, 1, 2), w(net, 2, 1));
            let pairs = (0..10).flat_map(|o| (0..5).map(move |h| (o, h)));
            pairs.map(|(o, h)| (oh[o * 5 + h] - ho[h * 10 + o]).abs()).fold(0.0f32, f32::max)
        };
        // how far the weights into the output moved
        let moved = |(before, after): &(Network, Network)| {
            w(after, 1, 2).iter().zip(w(before, 1, 2)).map(|(a, b)| (a - b).powi(2)).sum::<f32>().sqrt()
        };
        // the pair hidden - output at rate 3, both directions: W_ho = W_oh^T still
        let pair = trained(MnistConfig { pair_alpha_scale: vec![1.0, 3.0], ..base.clone() });
        let layer = trained(MnistConfig { hidden_alpha_scale: vec![3.0], ..base.clone() });
        let plain = trained(base);
        assert!(asym(&plain.0) < 1e-7);
        assert!(asym(&pair.1) < 1e-6, "pair rates broke the symmetry: {}", asym(&pair.1));
        assert!(asym(&layer.1) > 1e-4, "a layer rate scales one direction only: {}", asym(&layer.1));
        assert!(moved(&pair) > 2.0 * moved(&plain), "{} against {}", moved(&pair), moved(&plain));
    }

    #[test]
    fn hidden_alpha_scale_is_validated_and_applied() {
        let base = tiny_cfg(3);
        let two = MnistConfig { hidden_alpha_scale: vec![1.0, 2.0], ..base.clone() };
        assert!(matches!(two.validate(), Err(ConfigError::Topology(_))));
        let neg = MnistConfig { hidden_alpha_scale: vec![-1.0], ..base.clone() };
        assert!(matches!(neg.validate(), Err(ConfigError::OutOfRange { field: "hidden_alpha_scale", .. })));
        // rate 0 on the hidden layer (2): the weights into it stay, those into the output move
        let frozen = MnistConfig { hidden_alpha_scale: vec![0.0], ..base };
        let mut t = Trainer::new(frozen, 16, 3).unwrap();
        let before = t.sim.network().clone();
        t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
        let after = t.sim.network();
        for (b0, b1) in before.blocks.iter().zip(&after.blocks) {
            match b0.post {
                2 => assert_eq!(b0.w, b1.w, "weights into the hidden layer moved"),
                1 => assert_ne!(b0.w, b1.w, "weights into the output did not learn"),
                _ => {}
            }
        }
    }

    #[test]
    fn decision_time_is_the_tick_the_final_answer_appeared() {
        let mut d = Decision::default();
        // argmax over ticks 1..=6: 3 3 7 3 3 3 -> the final answer 3 holds from tick 4
        for (k, a) in [3, 3, 7, 3, 3, 3].into_iter().enumerate() {
            d.observe(k as u64 + 1, a);
        }
        assert_eq!(d.since, 4);
        // an answer that never changes was there from the first tick
        let mut e = Decision::default();
        for k in 1..=5 {
            e.observe(k, 2);
        }
        assert_eq!(e.since, 1);
    }

    #[test]
    fn steps_count_from_the_response_to_the_new_image() {
        let tol = 1e-3;
        let run = |trace: &[f32]| {
            let mut s = Settling::default();
            for (k, &m) in trace.iter().enumerate() {
                s.observe(k as u64 + 1, m, tol);
            }
            (s.steps(), s.settled(trace.len() as u64))
        };
        // tick 1 still shows the previous sample's settled states (1e-6): not counted;
        // below tol again from tick 4, a lull there, settled from tick 6
        assert_eq!(run(&[1e-6, 0.5, 0.1, 5e-4, 2e-3, 1e-4, 1e-5]), (Some(4), 6));
        // still moving at the end: never reached, settled at the cap
        assert_eq!(run(&[1e-6, 0.5, 0.1, 0.05]), (None, 4));
        // states that never move met the criterion on the first tick
        assert_eq!(run(&[1e-6, 1e-7, 0.0]), (Some(1), 1));
        // moving from tick 1 (a soft clamp feels the new target at once)
        assert_eq!(run(&[0.3, 0.01, 9e-4]), (Some(3), 3));
    }

    #[test]
    fn alpha_schedule_halves_every_half_life() {
        let cfg = MnistConfig { alpha_half_life: Some(4.0), ..tiny_cfg(2) };
        let mut t = Trainer::new(cfg.clone(), 16, 1).unwrap();
        assert_eq!(t.scheduled_alpha(), Some(0.02));
        t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
        // the last batch started after 4 samples: 0.02 * 0.5^(4/4)
        assert_eq!(t.sim.alpha(), 0.01);
        // after 6 samples the next batch would use 0.02 * 0.5^1.5
        assert!((t.scheduled_alpha().unwrap() - 0.02 * 0.5f32.powf(1.5)).abs() < 1e-9);
        let constant = MnistConfig { alpha_half_life: None, ..cfg.clone() };
        let mut t = Trainer::new(constant, 16, 1).unwrap();
        t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
        assert_eq!(t.sim.alpha(), 0.02);
        let bad = MnistConfig { alpha_half_life: Some(0.0), ..cfg };
        assert!(matches!(bad.validate(), Err(ConfigError::NonPositive { field: "alpha_half_life", .. })));
    }

    #[test]
    fn divergence_guard_restores_earlier_weights_and_halves_the_rate() {
        // 200 4x4 samples, batch 2: a log every 20 samples, ten per epoch
        let images = (0..200 * 16).map(|i| ((i * 37 + i / 16 * 5) % 11) as f32 / 10.0).collect();
        let labels = (0..200).map(|i| (i % 10) as u8).collect();
        let data = Dataset { images, labels, rows: 4, cols: 4 };
        let train = |alpha: f32, guard: Option<f64>| {
            let model = Config { alpha, ..tiny_cfg(3).model };
            let cfg = MnistConfig { model, guard_rms_jump: guard, ..tiny_cfg(3) };
            let mut t = Trainer::new(cfg, 16, 5).unwrap();
            t.train_epoch(&data, Mode::Supervised, &mut |_, _, _| {}).unwrap();
            t
        };
        let max_jump = |t: &Trainer| {
            t.weight_rms
                .windows(2)
                .flat_map(|w| w[0].1.iter().zip(&w[1].1).map(|((_, a), (_, b))| (b - a).abs() / a))
                .fold(0.0, f64::max)
        };
        // a rate far too high: blocks' RMS jump by more than 5% between logs
        let wild = train(5.0, None);
        assert!(max_jump(&wild) > 0.05, "no jump to guard against: {}", max_jump(&wild));
        let guarded = train(5.0, Some(0.05));
        let n = guarded.guard_events.len();
        assert!(n > 0, "the guard never acted");
        assert_eq!(guarded.alpha_factor, 0.5f32.powi(n as i32));
        assert_eq!(guarded.sim.alpha(), 5.0 * guarded.alpha_factor);
        for (k, e) in guarded.guard_events.iter().enumerate() {
            assert!(e.jump > 0.05 && e.restored_from < e.samples, "{e:?}");
            assert_eq!(e.alpha_factor, 0.5f32.powi(k as i32 + 1));
            // the log after the intervention is of the weights logged at `restored_from`
            let at = |s: u64| guarded.weight_rms.iter().find(|(x, _)| *x == s).map(|(_, r)| r);
            assert_eq!(at(e.samples), at(e.restored_from), "{e:?}");
        }
        // between interventions no logged jump exceeds the limit
        let restored: Vec<u64> = guarded.guard_events.iter().map(|e| e.samples).collect();
        for w in guarded.weight_rms.windows(2).filter(|w| !restored.contains(&w[1].0)) {
            for ((_, a), (_, b)) in w[0].1.iter().zip(&w[1].1) {
                assert!((b - a).abs() / a <= 0.05, "unguarded jump {a} -> {b} at {}", w[1].0);
            }
        }
        // where it does not act, the guard changes nothing
        let calm = train(0.002, Some(0.05));
        assert!(calm.guard_events.is_empty() && max_jump(&calm) <= 0.05);
        let plain = train(0.002, None);
        assert_eq!(calm.sim.network(), plain.sim.network());
        assert_eq!(calm.sim.twin(), plain.sim.twin());
        // a jump after calm logs goes back GUARD_LOOKBACK logs: to the weights after 140
        // samples when the last logs were at 140, 160, 180, 200
        let mut t = calm;
        let back: Vec<u64> = t.guard_snapshots.iter().map(|(s, _)| *s).collect();
        assert_eq!(back, [140, 160, 180, 200]);
        let at_140 = t.guard_snapshots[0].1.clone();
        t.sim.network_mut().blocks[0].w.iter_mut().for_each(|w| *w *= 1.5);
        t.guard();
        assert_eq!(t.sim.network(), &at_140);
        assert_eq!(t.guard_events.len(), 1);
        assert_eq!((t.guard_events[0].samples, t.guard_events[0].restored_from), (200, 140));
        assert!((t.guard_events[0].jump - 0.5).abs() < 1e-6);
        let bad = MnistConfig { guard_rms_jump: Some(0.0), ..tiny_cfg(3) };
        assert!(matches!(bad.validate(), Err(ConfigError::NonPositive { field: "guard_rms_jump", .. })));
    }

    #[test]
    fn weight_average_is_a_moving_average_that_training_never_sees() {
        // one batch (2 samples) per epoch; half-life 2 samples: the average moves half-way
        let data = tiny().take(2);
        let base = tiny_cfg(3);
        let cfg = MnistConfig { weight_average_half_life: Some(2.0), ..base.clone() };
        let (mut on, mut off) = (Trainer::new(cfg, 16, 3).unwrap(), Trainer::new(base, 16, 3).unwrap());
        assert_eq!(on.evaluate_averaged(&data).unwrap(), None);
        let mut live = Vec::new();
        for _ in 0..3 {
            for t in [&mut on, &mut off] {
                t.train_epoch(&data, Mode::Supervised, &mut |_, _, _| {}).unwrap();
            }
            live.push(on.sim.network().clone());
            let before = (on.sim.now(), on.sim.twin().clone());
            on.evaluate_averaged(&data).unwrap().unwrap();
            assert_eq!((on.sim.now(), on.sim.twin().clone()), before, "testing the average moved the trainer");
        }
        assert_eq!(on.sim.network(), off.sim.network(), "averaging changed training");
        assert_eq!(on.sim.twin(), off.sim.twin());
        assert!(off.averaged.is_none());
        // after batches 1, 2, 3: W1, then (W1 + W2) / 2, then W1 / 4 + W2 / 4 + W3 / 2
        let avg = on.averaged.as_ref().unwrap();
        let expect = |k: usize, x: usize| {
            0.25 * live[0].blocks[k].w[x] + 0.25 * live[1].blocks[k].w[x] + 0.5 * live[2].blocks[k].w[x]
        };
        assert!(live[0] != live[2], "the weights did not learn");
        for (k, blk) in avg.blocks.iter().enumerate() {
            for (x, &w) in blk.w.iter().enumerate() {
                assert!((w - expect(k, x)).abs() < 1e-6, "block {k} weight {x}: {w} vs {}", expect(k, x));
            }
        }
        // the averaged test is a test of those weights
        let mut swapped = on.clone();
        *swapped.sim.network_mut() = avg.clone();
        assert_eq!(on.evaluate_averaged(&data).unwrap(), Some(swapped.evaluate(&data).unwrap()));
        // a checkpoint whose average does not fit its network is refused
        let dir = std::env::temp_dir().join(format!("astdp-avg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.json");
        on.save(&path).unwrap();
        assert_eq!(Trainer::load(&path).unwrap().averaged.as_ref(), Some(avg));
        on.averaged = Some(Network::zeros(Topology::layered(16, &[4], 10, true).unwrap()));
        on.save(&path).unwrap();
        assert!(matches!(Trainer::load(&path), Err(CheckpointError::Mismatch { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
        let bad = MnistConfig { weight_average_half_life: Some(-1.0), ..tiny_cfg(3) };
        assert!(matches!(bad.validate(), Err(ConfigError::NonPositive { field: "weight_average_half_life", .. })));
    }

    #[test]
    fn decoder_stage_trains_only_the_weights_into_the_image() {
        let cfg = MnistConfig { hidden: vec![5], batch: 3, free_iters: 3, clamped_iters: 4, ..MnistConfig::default() };
        let mut t = Trainer::new(cfg, 16, 2).unwrap();
        let before = t.sim.network().clone();
        let mse = t.train_epoch(&tiny(), Mode::Decoder, &mut |_, _, _| {}).unwrap();
        assert!(mse.is_finite() && mse > 0.0, "{mse}");
        let after = t.sim.network().clone();
        for (b0, b1) in before.blocks.iter().zip(&after.blocks) {
            assert_eq!(b0.w != b1.w, b0.post == 0, "block {} <- {}", b0.post, b0.pre);
        }
        let image = after.topology.layers()[0].range();
        let changed: Vec<usize> = (0..before.bias.len()).filter(|&i| before.bias[i] != after.bias[i]).collect();
        // (an image neuron held at 0 in both nets by the hard sigmoid's clip has dz = 0)
        assert!(changed.len() > image.len() / 2 && changed.iter().all(|i| image.contains(i)), "{changed:?}");
        // every layer learns again afterwards
        t.train_epoch(&tiny(), Mode::Supervised, &mut |_, _, _| {}).unwrap();
        let hidden_block = t.sim.network().blocks.iter().position(|b| b.post == 2).unwrap();
        assert_ne!(t.sim.network().blocks[hidden_block].w, after.blocks[hidden_block].w);
    }
}
