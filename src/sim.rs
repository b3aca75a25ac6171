//! The simulation layer: the model's events on the generic [`Scheduler`].
//!
//! Everything that happens is an [`Event`] at an integer tick: a [`Event::Tick`] is one
//! integration step of both nets followed by the learning update; targets (data,
//! labels, stimuli) are set and cleared by events; learning and fake targets are
//! switched by events; probes record by events. Within one tick, control events run
//! first (phase 0), then the step (phase 1), then probes (phase 2).

use std::ops::Range;
use std::path::Path;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::checkpoint;
use crate::config::{Config, FakeTargetConfig, ValidConfig};
use crate::error::{CheckpointError, ConfigError, SimError};
use crate::network::Network;
use crate::probe::{ProbeSpec, Recording};
use crate::scheduler::{EventId, Handler, Phased, Scheduler, Tick};
use crate::twin::{Clamp, Learning, Net, TwinState};

/// The random generator of a simulation: seedable, serialisable, stable across versions.
pub type SimRng = Xoshiro256PlusPlus;

/// A generator from a seed.
pub fn rng_from_seed(seed: u64) -> SimRng {
    SimRng::seed_from_u64(seed)
}

/// The model's events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// One step of both nets, then fake targets and learning; repeats every tick until
    /// (excluding) tick `until`.
    Tick {
        /// First tick not to run.
        until: Tick,
    },
    /// Sets targets on global neurons `neurons`: `values` holds one value per neuron
    /// (for every batch element) or `batch` rows of them (one per batch element);
    /// `modes` holds one clamp mode for all, one per neuron, or `batch` rows of them
    /// (`Free` entries leave a neuron without target, e.g. a masked image patch).
    SetTargets {
        /// Global neuron indices.
        neurons: Range<usize>,
        /// Target values.
        values: Vec<f32>,
        /// Clamp modes: 1, `neurons.len()` or `batch * neurons.len()` entries.
        modes: Vec<Clamp>,
    },
    /// Switches learning of the weights into layer `layer` (and its biases) on or off:
    /// freezes parts of the network.
    SetPlastic {
        /// Receiving layer.
        layer: usize,
        /// Plastic or frozen.
        on: bool,
    },
    /// Scales the learning rate of the weights into layer `layer` (and of its biases) by
    /// `scale` from now on (default 1): per-layer rates, as EP uses for deeper nets. Kept
    /// apart from [`Event::SetPlastic`], so freezing and unfreezing keep the scale.
    SetLayerRate {
        /// Receiving layer.
        layer: usize,
        /// Multiplier of `alpha` (finite, >= 0).
        scale: f32,
    },
    /// Scales the learning rate of the one block of weights from layer `pre` into layer
    /// `post` by `scale` from now on (default 1), on top of `post`'s layer rate; biases
    /// are not touched. Setting both directions of a pair alike gives per-pair rates,
    /// which EP's symmetric rule needs to keep `W_ij = W_ji` (a layer rate scales only
    /// the weights into a layer).
    SetBlockRate {
        /// Receiving layer.
        post: usize,
        /// Sending layer.
        pre: usize,
        /// Multiplier of `alpha` (finite, >= 0).
        scale: f32,
    },

    /// Removes targets from `neurons` in every batch element.
    ClearTargets {
        /// Global neuron indices.
        neurons: Range<usize>,
    },
    /// Switches learning on or off.
    SetLearning(bool),
    /// Sets the learning rate `alpha` from now on (a schedule is a series of these).
    SetAlpha(f32),
    /// Switches fake targets on or off (off also removes those in force).
    SetFakeTarget(bool),
    /// Records probe `probe` now and every `every` ticks until (excluding) `until`.
    Probe {
        /// Index returned by [`Simulation::add_probe`].
        probe: usize,
        /// First tick not to record.
        until: Tick,
    },
}

impl Phased for Event {
    fn phase(&self) -> u8 {
        match self {
            Event::Tick { .. } => 1,
            Event::Probe { .. } => 2,
            _ => 0,
        }
    }
}

/// Everything but the queue: network, states, generator and switches.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Model {
    config: ValidConfig,
    network: Network,
    twin: TwinState,
    rng: SimRng,
    learning: bool,
    alpha: f32,
    fake_target: bool,
    recordings: Vec<Recording>,
    /// Per layer: whether the weights into it and its biases learn.
    plastic: Vec<bool>,
    /// Per layer: the multiplier of `alpha` for the weights into it and its biases
    /// (empty in checkpoints written before it existed: read as all 1).
    #[serde(default)]
    layer_rate: Vec<f32>,
    /// Per block (in the network's block order): a further multiplier of `alpha` for its
    /// weights (empty in checkpoints written before it existed: read as all 1).
    #[serde(default)]
    block_rate: Vec<f32>,
    ticks_run: u64,

    fake_fired: u64,
    #[serde(skip, default = "yes")]
    parallel: bool,
    /// Whether updates of blocks from a held input are deferred ([`Simulation::set_deferred_updates`]).
    #[serde(skip, default = "yes")]
    defer: bool,
    /// Whether only the weak net is integrated when nothing reads the strong one
    /// ([`Simulation::set_weak_only`]).
    #[serde(skip)]
    weak_only: bool,
}

fn yes() -> bool {
    true
}

impl Model {
    /// Brings deferred updates into the weights.
    fn flush(&mut self) {
        self.twin.flush_deferred(&mut self.network, self.parallel);
    }

    fn tick(&mut self, now: Tick) -> Result<(), SimError> {
        let defer = self.defer && self.learning;
        let weak_only =
            self.weak_only && !self.learning && !self.fake_target && self.twin.weak_rows_alone_exact(&self.network);
        self.twin.prepare_tick(&mut self.network, defer, self.learning, weak_only, self.parallel);
        let cfg = &*self.config;
        let (bad_strong, bad_weak) = self.twin.integrate_both(&self.network, cfg, weak_only, self.parallel);
        for (bad, net) in [(bad_strong, Net::Strong), (bad_weak, Net::Weak)] {
            if let Some(b) = bad {
                return Err(SimError::NonFinite { tick: now, net: net.name(), batch: b.batch, neuron: b.neuron });
            }
        }
        self.twin.compute_dz(cfg);
        let learning = self.learning.then_some(Learning {
            alpha: self.alpha,
            plastic: &self.plastic,
            rate: &self.layer_rate,
            block_rate: &self.block_rate,
        });
        let (net, rng) = (&mut self.network, &mut self.rng);
        self.fake_fired +=
            self.twin.targets_and_learning(net, cfg, rng, self.fake_target, learning, self.parallel) as u64;
        self.ticks_run += 1;
        Ok(())
    }
}

impl Handler<Event> for Model {
    type Error = SimError;

    fn handle(&mut self, q: &mut Scheduler<Event>, now: Tick, event: Event) -> Result<(), SimError> {
        match event {
            Event::Tick { until } => {
                self.tick(now)?;
                if now + 1 < until {
                    q.continue_chain(now + 1, Event::Tick { until })?;
                }
            }
            Event::SetTargets { neurons, values, modes } => {
                self.twin.set_targets(&self.network, neurons, &values, &modes)
            }
            Event::SetPlastic { layer, on } => self.plastic[layer] = on,
            Event::SetLayerRate { layer, scale } => self.layer_rate[layer] = scale,
            Event::SetBlockRate { post, pre, scale } => {
                let k = self.network.block_index(post, pre).ok_or(SimError::NoBlock { post, pre })?;
                self.block_rate[k] = scale;
            }

            Event::ClearTargets { neurons } => self.twin.clear_targets(&self.network, neurons),
            Event::SetLearning(on) => self.learning = on,
            Event::SetAlpha(a) => self.alpha = a,
            Event::SetFakeTarget(on) => {
                self.fake_target = on;
                if !on {
                    self.twin.clear_hidden_targets(&self.network);
                }
            }
            Event::Probe { probe, until } => {
                let rec = &mut self.recordings[probe];
                rec.record(now, &self.twin);
                let next = now + rec.every;
                if next < until {
                    q.continue_chain(next, Event::Probe { probe, until })?;
                }
            }
        }
        Ok(())
    }
}

/// A network and its two nets driven by events. See the crate docs for an example.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Simulation {
    scheduler: Scheduler<Event>,
    model: Model,
}

impl Simulation {
    /// A simulation of `batch` state pairs on `network`. Both nets start from the same
    /// state drawn from `U(init_low, init_high)` with `rng`, which the simulation then
    /// owns for fake targets. Learning is on, fake targets as configured.
    pub fn new(network: Network, config: ValidConfig, batch: usize, mut rng: SimRng) -> Result<Simulation, SimError> {
        if batch == 0 {
            return Err(SimError::EmptyBatch);
        }
        let n = network.n_neurons();
        // each batch element holds, per neuron and for both nets, a state, a velocity, a
        // target and the rule's buffers: about 16 floats
        crate::config::fits_in_memory(
            || format!("the batch's states ({batch} x {n} neurons)"),
            64 * (batch * n) as u128,
        )?;
        let (lo, hi) = (config.init_low, config.init_high);
        let s0: Vec<f32> = (0..batch * n).map(|_| if hi > lo { rng.random_range(lo..hi) } else { lo }).collect();
        let twin = TwinState::new(&network, &config, batch, s0);
        let n_layers = network.topology.layers().len();
        let n_blocks = network.blocks.len();
        Ok(Simulation {
            scheduler: Scheduler::new(),
            model: Model {
                alpha: config.alpha,
                fake_target: config.fake_target.enabled,
                config,
                network,
                twin,
                rng,
                learning: true,
                recordings: Vec::new(),
                plastic: vec![true; n_layers],
                layer_rate: vec![1.0; n_layers],
                block_rate: vec![1.0; n_blocks],
                ticks_run: 0,

                fake_fired: 0,
                parallel: true,
                defer: true,
                weak_only: false,
            },
        })
    }

    fn check_layer(&self, layer: usize) -> Result<(), SimError> {
        let layers = self.model.network.topology.layers().len();
        if layer < layers { Ok(()) } else { Err(SimError::NoLayer { layer, layers }) }
    }

    /// Checks an event against the network and batch before it is queued.
    fn check(&self, event: &Event) -> Result<(), SimError> {
        let n = self.model.network.n_neurons();
        let batch = self.model.twin.batch();
        let range = |r: &Range<usize>| {
            if r.start < r.end && r.end <= n {
                Ok(())
            } else {
                Err(SimError::NeuronsOutOfRange { start: r.start, end: r.end, n })
            }
        };
        let rate = |what: &'static str, value: f32| {
            if value.is_finite() && value >= 0.0 { Ok(()) } else { Err(SimError::BadRate { what, value }) }
        };
        match event {
            Event::Tick { .. } | Event::SetLearning(_) | Event::SetFakeTarget(_) => Ok(()),
            Event::SetPlastic { layer, .. } => self.check_layer(*layer),
            Event::SetLayerRate { layer, scale } => {
                self.check_layer(*layer)?;
                rate("layer rate", *scale)
            }
            Event::SetBlockRate { post, pre, scale } => {
                self.check_layer(*post)?;
                self.check_layer(*pre)?;
                self.model.network.block_index(*post, *pre).ok_or(SimError::NoBlock { post: *post, pre: *pre })?;
                rate("block rate", *scale)
            }
            Event::SetTargets { neurons, values, modes } => {
                range(neurons)?;
                let len = neurons.len();
                let count = |what, given: usize, one: bool| {
                    if (one && given == 1) || given == len || given == len * batch {
                        Ok(())
                    } else {
                        Err(SimError::WrongCount { what, given, neurons: len, batch })
                    }
                };
                count("target values", values.len(), false)?;
                count("clamp modes", modes.len(), true)?;
                match values.iter().position(|v| !v.is_finite()) {
                    Some(index) => Err(SimError::NonFiniteTarget { index, value: values[index] }),
                    None => Ok(()),
                }
            }
            Event::ClearTargets { neurons } => range(neurons),
            Event::SetAlpha(a) => rate("alpha", *a),
            Event::Probe { probe, .. } => {
                if *probe < self.model.recordings.len() {
                    Ok(())
                } else {
                    Err(SimError::NoProbe(*probe))
                }
            }
        }
    }

    /// Queues `event` at tick `at` after checking it.
    pub fn schedule(&mut self, at: Tick, event: Event) -> Result<EventId, SimError> {
        self.check(&event)?;
        Ok(self.scheduler.schedule(at, event)?)
    }

    /// Checks and handles `event` immediately, at the current tick (e.g. switching
    /// learning off between runs), without queueing it.
    pub fn apply(&mut self, event: Event) -> Result<(), SimError> {
        self.check(&event)?;
        let now = self.scheduler.now();
        self.model.handle(&mut self.scheduler, now, event)
    }

    /// Cancels a queued event; `None` if it already ran.
    pub fn cancel(&mut self, id: EventId) -> Option<Event> {
        self.scheduler.cancel(id)
    }

    /// Queues `count` ticks starting at tick `from`: one event that reschedules itself
    /// each tick. [`Simulation::cancel`] with the id returned stops the rest of the train.
    pub fn schedule_ticks(&mut self, from: Tick, count: u64) -> Result<Option<EventId>, SimError> {
        if count == 0 {
            return Ok(None);
        }
        self.schedule(from, Event::Tick { until: from + count }).map(Some)
    }

    /// Queues data for layer `layer` at tick `at`: `values` holds `size` values (every
    /// batch element) or `batch * size` (one row each).
    pub fn present(&mut self, at: Tick, layer: usize, values: Vec<f32>, mode: Clamp) -> Result<EventId, SimError> {
        let l = self
            .model
            .network
            .topology
            .layers()
            .get(layer)
            .ok_or(SimError::NoLayer { layer, layers: self.model.network.topology.layers().len() })?;
        self.schedule(at, Event::SetTargets { neurons: l.range(), values, modes: vec![mode] })
    }

    /// Adds a probe that records from tick `from` until (excluding) `until`; returns its
    /// index for [`Simulation::recording`].
    pub fn add_probe(&mut self, spec: ProbeSpec, from: Tick, until: Tick) -> Result<usize, SimError> {
        let n = self.model.network.n_neurons();
        if spec.every == 0 || spec.batch >= self.model.twin.batch() || spec.neurons.iter().any(|&i| i >= n) {
            return Err(SimError::BadProbe {
                batch: self.model.twin.batch(),
                n,
                spec: format!("neurons {:?}, batch element {}, every {} ticks", spec.neurons, spec.batch, spec.every),
            });
        }
        let cap = (until.saturating_sub(from)).div_ceil(spec.every);
        // per sample and neuron: the strong and weak states, dz and the target
        crate::config::fits_in_memory(
            || format!("a recording of {cap} samples of {} neurons (ticks recorded)", spec.neurons.len()),
            16 * cap as u128 * (spec.neurons.len() as u128 + 1),
        )?;
        let cap = cap as usize;
        self.model.recordings.push(Recording::new(&spec, cap));
        let id = self.model.recordings.len() - 1;
        self.schedule(from, Event::Probe { probe: id, until })?;
        Ok(id)
    }

    /// Presents `samples` on layer `layer` one after another, `dwell` ticks each, from
    /// tick `from`, and queues the ticks to run them. Returns the tick after the last one.
    pub fn present_sequence(
        &mut self,
        from: Tick,
        layer: usize,
        samples: &[Vec<f32>],
        dwell: u64,
        mode: Clamp,
    ) -> Result<Tick, SimError> {
        for (k, x) in samples.iter().enumerate() {
            self.present(from + k as u64 * dwell, layer, x.clone(), mode)?;
        }
        let end = from + samples.len() as u64 * dwell;
        self.schedule_ticks(from, end - from)?;
        Ok(end)
    }

    /// Replaces the hyper-parameters from now on (e.g. test-time dynamics after training).
    /// The learning rate in force becomes the new config's `alpha`.
    pub fn set_config(&mut self, config: ValidConfig) {
        self.model.alpha = config.alpha;
        if config.activation != self.model.config.activation {
            self.model.twin.recompute_rho(config.activation);
        }
        self.model.config = config;
    }

    /// Replaces the fake-target settings from now on (switch, `k`, `t_c`, the readings);
    /// the rest of the config and the learning rate in force stay. Switching them off
    /// removes those in force. Invalid settings are refused and change nothing.
    pub fn set_fake_target_config(&mut self, f: FakeTargetConfig) -> Result<(), ConfigError> {
        self.model.config = Config { fake_target: f, ..*self.model.config }.validate()?;
        self.model.fake_target = f.enabled;
        if !f.enabled {
            self.model.twin.clear_hidden_targets(&self.model.network);
        }
        Ok(())
    }

    /// Draws new states for both nets (the same for both) from `U(init_low, init_high)`
    /// with the simulation's generator, and zeroes the velocities. Targets stay.
    pub fn randomize_states(&mut self) {
        let (lo, hi) = (self.model.config.init_low, self.model.config.init_high);
        self.randomize_states_in(lo, hi);
    }

    /// As [`Simulation::randomize_states`], from `U(lo, hi)` (`lo` when `hi <= lo`).
    pub fn randomize_states_in(&mut self, lo: f32, hi: f32) {
        let tw = &mut self.model.twin;
        for i in 0..tw.strong.s.len() {
            let x = if hi > lo { self.model.rng.random_range(lo..hi) } else { lo };
            tw.strong.s[i] = x;
            tw.weak.s[i] = x;
        }
        tw.strong.v.fill(0.0);
        tw.weak.v.fill(0.0);
        let act = self.model.config.activation;
        tw.refresh(&self.model.network, act);
    }

    /// Adds independent `N(0, sd²)` noise to the states of `neurons` in both nets (the
    /// same draw for both, every batch element), drawn with the simulation's generator
    /// (through rand_distr; the fake targets keep their own draws). A source of variety
    /// for recall; `sd` 0 does nothing.
    pub fn add_state_noise(&mut self, neurons: std::ops::Range<usize>, sd: f32) -> Result<(), SimError> {
        let n = self.model.network.n_neurons();
        if neurons.start >= neurons.end || neurons.end > n {
            return Err(SimError::NeuronsOutOfRange { start: neurons.start, end: neurons.end, n });
        }
        if !(sd.is_finite() && sd >= 0.0) {
            return Err(SimError::BadRate { what: "noise sd", value: sd });
        }
        if sd == 0.0 {
            return Ok(());
        }
        let normal = rand_distr::Normal::new(0.0f32, sd).expect("sd is finite and > 0");
        let tw = &mut self.model.twin;
        for b in 0..tw.batch() {
            for i in neurons.clone() {
                let x = rand_distr::Distribution::sample(&normal, &mut self.model.rng);
                tw.strong.s[b * n + i] += x;
                tw.weak.s[b * n + i] += x;
            }
        }
        let act = self.model.config.activation;
        tw.refresh(&self.model.network, act);
        Ok(())
    }

    /// Re-seeds the generator (e.g. independent repeats from one trained state).
    pub fn reseed(&mut self, seed: u64) {
        self.model.rng = rng_from_seed(seed);
    }

    /// Handles the next event; returns its tick, or `None` when the queue is empty.
    pub fn step(&mut self) -> Result<Option<Tick>, SimError> {
        let r = self.scheduler.step(&mut self.model);
        self.model.flush();
        r
    }

    /// Handles every event before tick `deadline`; afterwards `now() == deadline`.
    pub fn run_until(&mut self, deadline: Tick) -> Result<(), SimError> {
        let r = self.scheduler.run_until(deadline, &mut self.model);
        self.model.flush();
        r
    }

    /// Handles events until the queue is empty.
    pub fn run(&mut self) -> Result<(), SimError> {
        let r = self.scheduler.run(&mut self.model);
        self.model.flush();
        r
    }

    /// Whether the updates of a block from a layer hard clamped to the same input in both
    /// nets (the image, in MNIST) are deferred while the input is held: the same in real
    /// arithmetic, about twice as fast on MNIST, not the same bits (see
    /// `twin::deferred`). On by default; off gives the per-tick update bit for bit.
    /// Within a run of ticks only: the weights are up to date whenever a run returns.
    pub fn set_deferred_updates(&mut self, on: bool) {
        self.model.defer = on;
    }

    /// Whether a tick integrates the weak net alone while learning and fake targets are
    /// off: then nothing reads the strong net (the weight update and the fake targets
    /// read `dz`, the strong net's state; without them the weak net evolves on its own),
    /// and a test that reads the weak net skips the strong net's work with the same bits.
    /// Only for a batch of whole kernel tiles whose products keep their kernel when their
    /// rows halve; otherwise both nets run. The strong net's state is left where it was.
    /// Off by default: a caller that reads the strong net with learning off (rivalry, the
    /// toys) gets both nets.
    pub fn set_weak_only(&mut self, on: bool) {
        self.model.weak_only = on;
    }

    /// The current tick.
    pub fn now(&self) -> Tick {
        self.scheduler.now()
    }

    /// State pairs run side by side (the batch size).
    pub fn batch(&self) -> usize {
        self.model.twin.batch()
    }

    /// Pending events.
    pub fn pending(&self) -> usize {
        self.scheduler.len()
    }

    /// The shared weights.
    pub fn network(&self) -> &Network {
        &self.model.network
    }

    /// The shared weights, to edit between runs (e.g. freezing by copying back).
    pub fn network_mut(&mut self) -> &mut Network {
        self.model.twin.forget_held();
        &mut self.model.network
    }

    /// Both nets' states.
    pub fn twin(&self) -> &TwinState {
        &self.model.twin
    }

    /// One batch element's states in net `which`.
    pub fn state(&self, which: Net, batch: usize) -> &[f32] {
        let n = self.model.twin.n_neurons();
        &self.model.twin.net(which).s[batch * n..(batch + 1) * n]
    }

    /// The validated configuration.
    pub fn config(&self) -> &ValidConfig {
        &self.model.config
    }

    /// The current learning rate.
    pub fn alpha(&self) -> f32 {
        self.model.alpha
    }

    /// Whether learning is on.
    pub fn learning(&self) -> bool {
        self.model.learning
    }

    /// A recording by index.
    pub fn recording(&self, id: usize) -> Option<&Recording> {
        self.model.recordings.get(id)
    }

    /// Ticks run so far.
    pub fn ticks_run(&self) -> u64 {
        self.model.ticks_run
    }

    /// Fake-target firings so far, all hidden neurons and batch elements.
    pub fn fake_fired(&self) -> u64 {
        self.model.fake_fired
    }

    /// Whether large GEMMs and the two nets may use several threads (default: yes).
    /// Results are bit-identical either way.
    pub fn set_parallel(&mut self, on: bool) {
        self.model.parallel = on;
    }

    /// Mutable access to the generator (for drawing data order from the same seed).
    pub fn rng_mut(&mut self) -> &mut SimRng {
        &mut self.model.rng
    }

    /// Saves everything (network, states, generator, pending events, recordings)
    /// atomically; [`Simulation::load`] continues bit-identically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        checkpoint::save_json(path, self)
    }

    /// Loads a simulation saved by [`Simulation::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Simulation, CheckpointError> {
        let mut sim: Simulation = checkpoint::load_json(path.as_ref())?;
        sim.restore(path.as_ref())?;
        Ok(sim)
    }

    /// Checks the sizes of a deserialised simulation and rebuilds its derived buffers.
    pub(crate) fn restore(&mut self, path: &Path) -> Result<(), CheckpointError> {
        let (n, b) = (self.model.network.n_neurons(), self.model.twin.batch());
        let n_layers = self.model.network.topology.layers().len();
        if self.model.layer_rate.is_empty() {
            self.model.layer_rate = vec![1.0; n_layers];
        }
        if self.model.block_rate.is_empty() {
            self.model.block_rate = vec![1.0; self.model.network.blocks.len()];
        }
        let net = &self.model.network;
        let layers = net.topology.layers();
        let blocks_fit = net.bias.len() == n
            && net.blocks.len() == net.topology.connections().len()
            && net.blocks.iter().zip(net.topology.connections()).all(|(b, c)| {
                b.post == c.post
                    && b.pre == c.pre
                    && layers.get(c.post).zip(layers.get(c.pre)).is_some_and(|(po, pr)| b.w.len() == po.size * pr.size)
            });
        if !blocks_fit {
            return Err(CheckpointError::Mismatch {
                path: path.into(),
                what: "the weight blocks or biases do not match the topology".into(),
            });
        }
        let recordings_fit = self.model.recordings.iter().all(|r| {
            r.every > 0
                && r.batch < b
                && r.neurons.iter().all(|&i| i < n)
                && [r.s_strong.len(), r.s_weak.len(), r.dz.len(), r.target.len()].iter().all(|&l| l == r.neurons.len())
        });
        if !recordings_fit {
            return Err(CheckpointError::Mismatch {
                path: path.into(),
                what: "a recording does not fit the network".into(),
            });
        }
        let twin = &self.model.twin;
        let fits = twin.n_neurons() == n
            && [&twin.strong.s, &twin.strong.v, &twin.weak.s, &twin.weak.v, &twin.target, &twin.dz, &twin.dzm]
                .iter()
                .all(|v| v.len() == n * b)
            && twin.clamp.len() == n * b
            && self.model.network.blocks.len() == self.model.network.topology.connections().len()
            && self.model.plastic.len() == n_layers
            && self.model.layer_rate.len() == n_layers
            && self.model.block_rate.len() == self.model.network.blocks.len();
        if !fits {
            return Err(CheckpointError::Mismatch {
                path: path.into(),
                what: "state sizes do not match the network".into(),
            });
        }
        if let Some(e) = self.scheduler.pending().find_map(|e| self.check(e).err()) {
            return Err(CheckpointError::Mismatch {
                path: path.into(),
                what: format!("a queued event is invalid: {e}"),
            });
        }
        let act = self.model.config.activation;
        self.model.twin.refresh(&self.model.network, act);
        Ok(())
    }
}
