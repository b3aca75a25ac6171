//! The aSTDP trainer (section 3.1, Algorithms 1 and 2): batched training and testing of
//! a layered net on the same scheduler and events as the toys (one `Tick` per step for
//! the whole batch).
//!
//! Layers: 0 = input (pixels), 1 = output (10 labels), 2.. = hidden.
//!
//! - [`config`]: [`MnistConfig`], the settings of a run, and their validation;
//! - [`train`](Trainer::train_epoch): one epoch, one function per [`Mode`] for a batch;
//! - [`evaluate`](Trainer::evaluate): accuracy, the paper's step count ([`Evaluation`]);
//! - the divergence guard ([`GuardEvent`]), weight averaging
//!   ([`Trainer::evaluate_averaged`]) and generation ([`Trainer::generate`]);
//!
//! A whole command (its training stages in order, into a
//! [`RunReport`](crate::results::RunReport)) is [`crate::experiments::mnist::run`].

use serde::{Deserialize, Serialize};

use super::EpochRecord;
use crate::checkpoint;
use crate::config::FakeTargetConfig;
use crate::data::mnist::Dataset;
use crate::error::{CheckpointError, Error};
use crate::network::Network;
use crate::sim::{Event, Simulation, rng_from_seed};
use crate::topology::Topology;
use crate::twin::Net;

mod average;
pub mod config;
mod evaluate;
mod generate;
mod guard;
mod learner;
mod train;

pub use config::{MnistConfig, RunOverrides, ValidMnistConfig};
pub use evaluate::Evaluation;
pub use generate::Variety;
pub use guard::{GUARD_LOOKBACK, GuardEvent};
pub use learner::DrawingTrainer;

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

    /// What [`Trainer::train_epoch`] measures in this mode.
    pub fn metric_name(self) -> &'static str {
        match self {
            Mode::SelfSupervised => "patch mse",
            Mode::Decoder => "generated-image mse",
            Mode::Unsupervised => "-",
            Mode::Supervised | Mode::OutputOnly => "free-phase acc",
        }
    }
}

/// A network being trained on MNIST, with everything needed to resume.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trainer {
    /// Settings, changed only through methods that check them ([`Trainer::apply`]).
    pub(crate) cfg: ValidMnistConfig,
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
    /// One record per completed epoch, carried through checkpoints so that a resumed run
    /// reports the epochs it resumed from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<EpochRecord>,
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

impl Trainer {
    /// A new network of `784 - hidden - 10` with Xavier init from `seed`.
    pub fn new(cfg: ValidMnistConfig, pixels: usize, seed: u64) -> Result<Trainer, Error> {
        // weights both ways between neighbours (and a copy for the weight average, and
        // the rule's buffers), and each of the batch's two nets' states, velocities and
        // targets: checked against the free memory before anything is allocated
        let sizes: Vec<u128> =
            std::iter::once(pixels).chain(cfg.hidden.iter().copied()).chain([10]).map(|n| n as u128).collect();
        let weights: u128 = sizes.windows(2).map(|p| 2 * p[0] * p[1]).sum();
        let lateral: u128 = if cfg.lateral { sizes.iter().map(|n| n * n).sum() } else { 0 };
        let states = cfg.batch as u128 * sizes.iter().sum::<u128>();
        crate::config::fits_in_memory(
            || "the aSTDP net (hidden, batch)".into(),
            4 * (4 * (weights + lateral) + 8 * states),
        )?;
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
            history: Vec::new(),
            guard_snapshots: Default::default(),
        })
    }

    /// Samples `0..n` in an order shuffled by the simulation's generator, in batches.
    fn shuffled_batches(&mut self, n: usize) -> Vec<Vec<usize>> {
        use rand::seq::SliceRandom;
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(self.sim.rng_mut());
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
        let mut cfg = MnistConfig::from(self.cfg.clone());
        cfg.model.fake_target = f;
        let cfg = cfg.check()?;
        self.sim.set_fake_target_config(f)?;
        self.cfg = cfg;
        Ok(())
    }

    /// Applies the settings of `o` that are given, each validated: the config is left
    /// unchanged when any is invalid.
    pub fn apply(&mut self, o: &RunOverrides) -> Result<(), Error> {
        let mut cfg = MnistConfig::from(self.cfg.clone());
        cfg.weight_average_half_life = o.weight_average.or(cfg.weight_average_half_life);
        cfg.guard_rms_jump = o.guard.or(cfg.guard_rms_jump);
        cfg.model.fake_target.enabled = o.fake_target.unwrap_or(cfg.model.fake_target.enabled);
        cfg.model.fake_target.k = o.fake_k.unwrap_or(cfg.model.fake_target.k);
        let cfg = cfg.check()?;
        if o.fake_target.is_some() || o.fake_k.is_some() {
            self.sim.set_fake_target_config(cfg.model.fake_target)?;
        }
        self.cfg = cfg;
        Ok(())
    }

    /// One line for a log: shape, batch, iterations, seed.
    pub fn describe(&self) -> String {
        let c = &self.cfg;
        format!(
            "784-{:?}-10, batch {}, {}+{} iters, test {} iters, seed {}",
            c.hidden, c.batch, c.free_iters, c.clamped_iters, c.test_iters, self.seed
        )
    }

    /// The settings of the run.
    pub fn config(&self) -> &MnistConfig {
        &self.cfg
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

    /// Saves atomically (see [`checkpoint::save_json`]).
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<(), CheckpointError> {
        checkpoint::save_json(path, self)
    }

    /// Loads a trainer saved by [`Trainer::save`] (its config is checked as it is read).
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Trainer, CheckpointError> {
        let path = path.as_ref();
        let mut t: Trainer = checkpoint::load_json(path)?;
        t.sim.restore(path)?;
        let mismatch = |what: String| CheckpointError::Mismatch { path: path.into(), what };
        // the config is what reports and resumed runs read: it must describe this network
        let net = t.sim.network();
        let pixels = net.topology.layers()[0].size;
        let built = Topology::layered(pixels, &t.cfg.hidden, 10, t.cfg.lateral).map_err(|e| mismatch(e.to_string()))?;
        if built != net.topology {
            let sizes: Vec<usize> = net.topology.layers().iter().map(|l| l.size).collect();
            return Err(mismatch(format!(
                "its config (hidden {:?}, lateral {}) does not describe its network (layer sizes {sizes:?})",
                t.cfg.hidden, t.cfg.lateral
            )));
        }
        if t.sim.batch() != t.cfg.batch {
            return Err(mismatch(format!(
                "its config says batch {} but its simulation runs batch {}",
                t.cfg.batch,
                t.sim.batch()
            )));
        }
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

    /// Multiply-adds x 2 per tick of the per-tick engine (forward of both nets on blocks
    /// whose receiving layer is not hard clamped, plus the rank-batch weight update), for
    /// a given set of hard-clamped layers: the work as the model states it.
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

    /// Multiply-adds x 2 per training sample the engine computes, with the blocks from
    /// the hard-clamped `input` layer shared by both nets (one forward product) and,
    /// when `deferred`, their updates deferred (per tick the Gram matrix times the
    /// accumulated updates; per phase the product `X W^T`, the Gram matrix and one update
    /// of the weights; see `twin::deferred`). Two phases per sample, free and clamped.
    pub fn flops_per_sample(&self, input: usize, deferred: bool) -> f64 {
        let net = self.sim.network();
        let layers = net.topology.layers();
        let b = self.cfg.batch as f64;
        let ticks = (self.cfg.free_iters + self.cfg.clamped_iters) as f64;
        let per_batch: f64 = net
            .blocks
            .iter()
            .filter(|blk| blk.post != input)
            .map(|blk| {
                let (pre, post) = (layers[blk.pre].size as f64, layers[blk.post].size as f64);
                match (blk.pre == input, deferred && 2.0 * b <= pre) {
                    (false, _) => ticks * 3.0 * 2.0 * b * pre * post,
                    (true, false) => ticks * 2.0 * 2.0 * b * pre * post,
                    (true, true) => ticks * 2.0 * b * b * post + 2.0 * (2.0 * 2.0 * b * pre * post + 2.0 * b * b * pre),
                }
            })
            .sum();
        per_batch / b
    }
}

#[cfg(test)]
mod tests;
