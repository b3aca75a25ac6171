//! The two nets (strongly and weakly clamped) sharing one [`Network`], batched, and one
//! tick of their dynamics (eq. 1-7, 19-20), the aSTDP rule (eq. 14-15), fake targets
//! (eq. 16-18) and the smoothing derivative (eq. 21-23).
//!
//! All per-neuron arrays are `batch x N`, row-major: element `(b, i)` is at `b * N + i`.
//!
//! - this module: the states ([`TwinState`], [`NetState`]), targets and the order of a
//!   tick's work;
//! - `step`: one integration step of a net (eq. 1, 5, 19-20) and the forward pass;
//! - `learning`: the weight updates, the aSTDP rule (eq. 14-15), EP's symmetric rule and
//!   the smoothing derivative (eq. 21-23);
//! - `fake`: fake targets (eq. 16-18).

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::config::{Config, Presynaptic, Rule};
use crate::network::Network;
use crate::topology::Role;

mod deferred;
mod fake;
mod held;
mod learning;
mod step;
#[cfg(test)]
mod tests;

use deferred::Deferred;
use fake::FakeTargets;
use held::{Held, Input};
pub(crate) use learning::Learning;
use learning::{Learner, NetMut};
use step::{Shortcuts, forward, shared_blocks, step};

/// Elementwise work runs on two threads only above this many units (`batch x N`): on
/// smaller problems a hand-off between threads costs more than it saves (the toy
/// net's tick takes under 1 us in all).
const PARALLEL_UNITS: usize = 1 << 14;

/// How a neuron is held to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Clamp {
    /// No target: the neuron runs free.
    #[default]
    Free,
    /// Soft clamping: the force gains `beta (t - s)` with the net's own beta (eq. 5).
    Soft,
    /// Hard clamping: the state is set to the target, during a tick's step, after that
    /// tick's net inputs were computed: the other neurons feel a new hard target from the
    /// next tick on. The jump itself is not part of `max_force`.
    Hard,
}

/// Which of the two nets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Net {
    /// The strongly clamped net (`beta_strong`, `eps_strong`).
    Strong,
    /// The weakly clamped net (`beta_weak`, `eps_weak`).
    Weak,
}

impl Net {
    /// `"strong"` or `"weak"`.
    pub fn name(self) -> &'static str {
        match self {
            Net::Strong => "strong",
            Net::Weak => "weak",
        }
    }
}

/// The state of one net: `s`, the momentum velocity `v`, and scratch buffers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetState {
    /// Internal states `s`, `batch x N`.
    pub(crate) s: Vec<f32>,
    /// Velocities `v` of momentum inference (eq. 19-20).
    pub(crate) v: Vec<f32>,
    /// Scratch: `ds_i * rho'(s_i)` for the smoothing derivative.
    #[serde(skip)]
    ds_rho_prime: Vec<f32>,
    /// Per batch element, the largest rate of change `|s_new - s| / eps` over the neurons
    /// not hard clamped, in the last tick (the paper's `max |ds|`; equals max |force|
    /// without clipping or momentum).
    #[serde(skip)]
    pub(crate) max_force: Vec<f32>,
    /// Per layer: hard clamped everywhere and already at its targets (`s = t`, `v = 0`,
    /// `a = rho(t)`), so the step skips it. Reset whenever targets change.
    #[serde(skip)]
    held: Vec<bool>,
}

impl NetState {
    /// Internal states `s`, `batch x N`.
    pub fn s(&self) -> &[f32] {
        &self.s
    }

    /// Velocities `v` of momentum inference (eq. 19-20), `batch x N`.
    pub fn v(&self) -> &[f32] {
        &self.v
    }

    /// Per batch element, the largest rate of change of the last tick (see the field).
    pub fn max_force(&self) -> &[f32] {
        &self.max_force
    }

    fn new(s: Vec<f32>, batch: usize) -> NetState {
        let n = s.len();
        NetState { v: vec![0.0; n], ds_rho_prime: vec![0.0; n], max_force: vec![0.0; batch], held: Vec::new(), s }
    }

    fn refresh(&mut self, batch: usize) {
        self.ds_rho_prime = vec![0.0; self.s.len()];
        self.max_force = vec![0.0; batch];
    }
}

/// Both nets' states, the shared targets, `dz` and the fake-target averages `dzm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwinState {
    batch: usize,
    n: usize,
    /// The strongly clamped net.
    pub(crate) strong: NetState,
    /// The weakly clamped net.
    pub(crate) weak: NetState,
    /// Targets `t`, `batch x N` (meaningful where `clamp` is not `Free`).
    pub(crate) target: Vec<f32>,
    /// Clamp mode per neuron and batch element.
    pub(crate) clamp: Vec<Clamp>,
    /// `dz` of the last tick (eq. 14).
    pub(crate) dz: Vec<f32>,
    /// Moving average of `|dz|` per neuron and batch element (eq. 16).
    pub(crate) dzm: Vec<f32>,
    /// Per layer: every neuron hard clamped in every batch element (skips its GEMMs).
    #[serde(skip)]
    layer_hard: Vec<bool>,
    /// `rho(s)` of both nets, `2 batch x N`: the strong net's rows, then the weak net's,
    /// kept in step with `s`. One forward GEMM serves both nets (they share W).
    #[serde(skip)]
    rho_both: Vec<f32>,
    /// Scratch: net inputs `sum_j W_ij rho_j + b_i`, laid out like `rho_both`.
    #[serde(skip)]
    net_in: Vec<f32>,
    /// `(rho(s_strong) + rho(s_weak)) / 2`, `batch x N`, filled before a weight update
    /// when the rule reads it ([`Presynaptic::Mean`]).
    #[serde(skip)]
    pre_mean: Vec<f32>,
    /// Per block: its product is the same for both nets ([`step::forward`]).
    #[serde(skip)]
    shared: Vec<bool>,
    /// Blocks whose updates are deferred while their input is held ([`deferred`]).
    #[serde(skip)]
    deferred: Vec<Deferred>,
    /// Net inputs through blocks whose input is held while nothing learns ([`held`]).
    #[serde(skip)]
    held: Vec<Held>,
}

/// The first state a step left NaN or infinite.
pub(crate) struct NonFinite {
    pub batch: usize,
    pub neuron: usize,
}

impl TwinState {
    /// Both nets start from the same state `s0` (`batch x N`); no targets.
    pub fn new(net: &Network, cfg: &Config, batch: usize, s0: Vec<f32>) -> TwinState {
        let n = net.n_neurons();
        assert_eq!(s0.len(), batch * n, "initial state must be batch x N");
        let mut t = TwinState {
            batch,
            n,
            strong: NetState::new(s0.clone(), batch),
            weak: NetState::new(s0, batch),
            target: vec![0.0; batch * n],
            clamp: vec![Clamp::Free; batch * n],
            dz: vec![0.0; batch * n],
            dzm: vec![cfg.fake_target.dzm_init; batch * n],
            layer_hard: Vec::new(),
            rho_both: Vec::new(),
            net_in: Vec::new(),
            pre_mean: Vec::new(),
            shared: Vec::new(),
            deferred: Vec::new(),
            held: Vec::new(),
        };
        t.refresh(net, cfg.activation);
        t
    }

    /// Rebuilds derived buffers (after deserialising or editing states by hand).
    pub fn refresh(&mut self, net: &Network, act: Activation) {
        self.strong.refresh(self.batch);
        self.weak.refresh(self.batch);
        self.rho_both.resize(self.strong.s.len() + self.weak.s.len(), 0.0);
        self.recompute_rho(act);
        self.net_in = vec![0.0; self.rho_both.len()];
        self.update_layer_hard(net);
    }

    /// Recomputes `rho(s)` of both nets with `act` (after a change of activation).
    pub(crate) fn recompute_rho(&mut self, act: Activation) {
        for (r, &x) in self.rho_both.iter_mut().zip(self.strong.s.iter().chain(&self.weak.s)) {
            *r = act.rho(x);
        }
    }

    /// `rho(s)` of one net, `batch x N`.
    pub fn rho(&self, which: Net) -> &[f32] {
        let bn = self.batch * self.n;
        match which {
            Net::Strong => &self.rho_both[..bn],
            Net::Weak => &self.rho_both[bn..],
        }
    }

    /// Targets, `batch x N` (meaningful where [`TwinState::clamp`] is not `Free`).
    pub fn target(&self) -> &[f32] {
        &self.target
    }

    /// Clamp mode per neuron and batch element, `batch x N`.
    pub fn clamp(&self) -> &[Clamp] {
        &self.clamp
    }

    /// `dz` of the last tick (eq. 14), `batch x N`.
    pub fn dz(&self) -> &[f32] {
        &self.dz
    }

    /// Moving average of `|dz|` (eq. 16), `batch x N`.
    pub fn dzm(&self) -> &[f32] {
        &self.dzm
    }

    /// Number of batch elements.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Number of neurons per net.
    pub fn n_neurons(&self) -> usize {
        self.n
    }

    /// One net's state.
    pub fn net(&self, which: Net) -> &NetState {
        match which {
            Net::Strong => &self.strong,
            Net::Weak => &self.weak,
        }
    }

    /// Sets targets on neurons `range` with `values` (one per neuron, the same for every
    /// batch element, or `batch` rows of them) and clamp mode `mode`.
    pub(crate) fn set_targets(
        &mut self,
        net: &Network,
        range: std::ops::Range<usize>,
        values: &[f32],
        modes: &[Clamp],
    ) {
        let len = range.len();
        for b in 0..self.batch {
            let row = if values.len() == len { values } else { &values[b * len..(b + 1) * len] };
            let base = b * self.n;
            self.target[base + range.start..base + range.end].copy_from_slice(row);
            let clamp = &mut self.clamp[base + range.start..base + range.end];
            match modes.len() {
                1 => clamp.fill(modes[0]),
                l if l == len => clamp.copy_from_slice(modes),
                _ => clamp.copy_from_slice(&modes[b * len..(b + 1) * len]),
            }
        }

        self.update_layer_hard(net);
    }

    pub(crate) fn clear_targets(&mut self, net: &Network, range: std::ops::Range<usize>) {
        for b in 0..self.batch {
            let base = b * self.n;
            self.clamp[base + range.start..base + range.end].fill(Clamp::Free);
        }
        self.update_layer_hard(net);
    }

    /// Removes the fake targets of hidden neurons.
    pub(crate) fn clear_hidden_targets(&mut self, net: &Network) {
        for layer in net.topology.layers().iter().filter(|l| l.role == Role::Hidden) {
            self.clear_targets(net, layer.range());
        }
    }

    fn update_layer_hard(&mut self, net: &Network) {
        self.layer_hard = net
            .topology
            .layers()
            .iter()
            .map(|l| {
                (0..self.batch).all(|b| self.clamp[b * self.n + l.offset..][..l.size].iter().all(|&c| c == Clamp::Hard))
            })
            .collect();
        for st in [&mut self.strong, &mut self.weak] {
            st.held.clear();
            st.held.resize(self.layer_hard.len(), false);
        }
    }

    /// One integration step of one net (eq. 1, 2, 5, 19-20). Returns the first
    /// non-finite state, if any. (The forward pass runs for both nets; only `which` steps.)
    #[cfg(test)]
    pub(crate) fn integrate(&mut self, net: &Network, cfg: &Config, which: Net, parallel: bool) -> Option<NonFinite> {
        let (batch, n) = (self.batch, self.n);
        shared_blocks(net, &self.rho_both, batch, &self.layer_hard, false, &mut self.shared);
        let sc = Shortcuts { shared: &self.shared, deferred: &[], held: &[], both: true };
        forward(net, &self.rho_both, &mut self.net_in, 2 * batch, &self.layer_hard, sc, parallel);
        self.shared.clear();
        let (rho_s, rho_w) = self.rho_both.split_at_mut(batch * n);
        let (in_s, in_w) = self.net_in.split_at(batch * n);
        let (st, a, h, beta, eps) = match which {
            Net::Strong => (&mut self.strong, rho_s, in_s, cfg.beta_strong, cfg.eps_strong),
            Net::Weak => (&mut self.weak, rho_w, in_w, cfg.beta_weak, cfg.eps_weak),
        };
        step(net, cfg, st, a, h, &self.target, &self.clamp, &self.layer_hard, batch, beta, eps)
    }

    /// Both nets: one forward GEMM per block for both (`2 batch` rows), then the
    /// elementwise steps one after the other, or side by side on two threads when
    /// `parallel` and the problem is large.
    pub(crate) fn integrate_both(
        &mut self,
        net: &Network,
        cfg: &Config,
        weak_only: bool,
        parallel: bool,
    ) -> (Option<NonFinite>, Option<NonFinite>) {
        let (batch, n) = (self.batch, self.n);
        if weak_only {
            debug_assert!(self.deferred.is_empty(), "learning is off: nothing is deferred");
            // the weak rows alone (each row's product is the same bits), held inputs copied
            let (rho_w, in_w) = (&mut self.rho_both[batch * n..], &mut self.net_in[batch * n..]);
            let sc = Shortcuts { shared: &self.shared, deferred: &[], held: &self.held, both: false };
            forward(net, rho_w, in_w, batch, &self.layer_hard, sc, parallel);
            let (target, clamp, hard, weak) = (&self.target, &self.clamp, &self.layer_hard, &mut self.weak);
            return (None, step(net, cfg, weak, rho_w, in_w, target, clamp, hard, batch, cfg.beta_weak, cfg.eps_weak));
        }
        let sc = Shortcuts { shared: &self.shared, deferred: &self.deferred, held: &self.held, both: true };
        forward(net, &self.rho_both, &mut self.net_in, 2 * batch, &self.layer_hard, sc, parallel);
        let (target, clamp, hard) = (&self.target, &self.clamp, &self.layer_hard);
        let (rho_s, rho_w) = self.rho_both.split_at_mut(batch * n);
        let (in_s, in_w) = self.net_in.split_at(batch * n);
        let strong = &mut self.strong;
        let weak = &mut self.weak;
        let mut run_s =
            move || step(net, cfg, strong, rho_s, in_s, target, clamp, hard, batch, cfg.beta_strong, cfg.eps_strong);
        let mut run_w =
            move || step(net, cfg, weak, rho_w, in_w, target, clamp, hard, batch, cfg.beta_weak, cfg.eps_weak);
        if parallel && batch * n > PARALLEL_UNITS { rayon::join(run_s, run_w) } else { (run_s(), run_w()) }
    }

    /// Whether the product over the weak net's rows alone gives them the bits of the
    /// product over both nets' rows: batches of whole kernel tiles ([`step::TILE_ROWS`]),
    /// and no block whose product would move between the scalar kernel and the GEMM
    /// kernel when its rows are halved.
    pub(crate) fn weak_rows_alone_exact(&self, net: &Network) -> bool {
        let layers = net.topology.layers();
        let small = |w: usize| w <= crate::linalg::SMALL;
        self.batch.is_multiple_of(step::TILE_ROWS)
            && net.blocks.iter().all(|b| {
                let w = self.batch * layers[b.pre].size * layers[b.post].size;
                small(w) == small(2 * w)
            })
    }

    /// Before a tick's forward pass: which blocks both nets share, and, when `defer`, the
    /// deferred updates of those blocks brought in line with their inputs (a block whose
    /// input changed has its weights brought up to date and starts again; see
    /// [`deferred`]).
    pub(crate) fn prepare_tick(
        &mut self,
        net: &mut Network,
        defer: bool,
        learning: bool,
        weak_only: bool,
        parallel: bool,
    ) {
        if !self.batch.is_multiple_of(step::TILE_ROWS) && self.deferred.is_empty() {
            // no block can be shared (the toys' batch of one): nothing to look at
            self.shared.resize(net.blocks.len(), false);
            self.held.clear();
            return;
        }
        shared_blocks(net, &self.rho_both, self.batch, &self.layer_hard, weak_only, &mut self.shared);
        self.hold_inputs(net, learning, parallel);
        if self.deferred.is_empty() && !(defer && self.shared.iter().any(|&s| s)) {
            return;
        }
        let (batch, n) = (self.batch, self.n);
        let layers = net.topology.layers();
        let mut kept = Vec::with_capacity(self.deferred.len());
        for d in self.deferred.drain(..) {
            let pr = &layers[net.blocks[d.block].pre];
            if defer && self.shared[d.block] && d.input.held_in(&self.rho_both, n, pr.offset) {
                kept.push(d);
            } else {
                let k = d.block;
                d.flush(&mut net.blocks[k], parallel);
            }
        }
        self.deferred = kept;
        if !defer {
            return;
        }
        for (k, blk) in net.blocks.iter().enumerate() {
            let (pr, po) = (&layers[blk.pre], &layers[blk.post]);
            // worth it when the Gram matrix is smaller than the weights it stands for
            if !self.shared[k] || 2 * batch > pr.size || self.deferred.iter().any(|d| d.block == k) {
                continue;
            }
            let input = Input::gather(&self.rho_both, batch, n, pr.offset, pr.size);
            self.deferred.push(Deferred::start(k, blk, input, batch, po.size, parallel));
        }
    }

    /// While nothing learns, the net inputs through shared blocks kept for as long as
    /// their input is held ([`held`]); learning drops them.
    fn hold_inputs(&mut self, net: &Network, learning: bool, parallel: bool) {
        if learning {
            self.held.clear();
            return;
        }
        // the weak net's rows: the same as the strong net's when both run, the only ones
        // read when the weak net runs alone
        let (batch, n, shared, rho) = (self.batch, self.n, &self.shared, &self.rho_both[self.batch * self.n..]);
        let layers = net.topology.layers();
        self.held.retain(|h| shared[h.block] && h.input.held_in(rho, n, layers[net.blocks[h.block].pre].offset));
        for (k, _) in shared.iter().enumerate().filter(|s| *s.1) {
            if !self.held.iter().any(|h| h.block == k) {
                self.held.push(Held::new(net, k, rho, batch, n, parallel));
            }
        }
    }

    /// Forgets the held net inputs (the weights or biases were changed from outside).
    pub(crate) fn forget_held(&mut self) {
        self.held.clear();
    }

    /// Brings every deferred update into the weights (before anything outside a run of
    /// ticks reads them).
    pub(crate) fn flush_deferred(&mut self, net: &mut Network, parallel: bool) {
        for d in self.deferred.drain(..) {
            let k = d.block;
            d.flush(&mut net.blocks[k], parallel);
        }
    }

    /// `dz = rho(s_strong) - rho(s_weak)` (or its negative, by `dz_sign`), eq. 14.
    pub(crate) fn compute_dz(&mut self, cfg: &Config) {
        let sign = cfg.dz_sign.sign();
        let (rho_s, rho_w) = self.rho_both.split_at(self.batch * self.n);
        for ((d, s), w) in self.dz.iter_mut().zip(rho_s).zip(rho_w) {
            *d = sign * (s - w);
        }
    }

    /// Fills `pre_mean` when the rule reads it (before a weight update only).
    fn prepare_rule(&mut self, cfg: &Config) {
        if cfg.rule == Rule::Astdp && cfg.presynaptic == Presynaptic::Mean {
            let (rho_s, rho_w) = self.rho_both.split_at(self.batch * self.n);
            self.pre_mean.clear();
            self.pre_mean.extend(rho_s.iter().zip(rho_w).map(|(s, w)| 0.5 * (s + w)));
        }
    }

    /// The fake targets of one tick alone (see [`FakeTargets::fire`]).
    #[cfg(test)]
    pub(crate) fn fake_targets(&mut self, net: &Network, cfg: &Config, rng: &mut impl RngExt) -> usize {
        self.split().0.fire(&net.topology, cfg, rng)
    }

    /// The weight update of one tick alone (see [`Learner::apply_rule`]).
    #[cfg(test)]
    pub(crate) fn apply_rule(&mut self, net: &mut Network, cfg: &Config, learning: Learning, parallel: bool) {
        self.prepare_rule(cfg);
        let (_, mut learner) = self.split();
        learner.apply_rule(
            &net.topology,
            NetMut { blocks: &mut net.blocks, bias: &mut net.bias },
            cfg,
            learning,
            parallel,
        );
    }

    /// The end of a tick, after [`TwinState::compute_dz`]: the fake targets (when
    /// `fake`), then, when `learning` is given, the weight updates: the rule when its
    /// `alpha > 0`, and the smoothing derivative when `cfg.smoothing > 0`. With
    /// `parallel` and a large batch, the targets are drawn on one thread while the
    /// updates start on the other (and take it back when it is done): the two touch
    /// disjoint state (targets and their averages; weights and biases) and neither
    /// reads what the other writes, so the result is the same bit for bit as one after
    /// the other. Returns how many fake targets fired.
    pub(crate) fn targets_and_learning(
        &mut self,
        net: &mut Network,
        cfg: &Config,
        rng: &mut (impl RngExt + Send),
        fake: bool,
        learning: Option<Learning>,
        parallel: bool,
    ) -> usize {
        let large = self.batch * self.n > PARALLEL_UNITS;
        let learning = learning.filter(|l| l.alpha > 0.0 || cfg.smoothing > 0.0);
        if learning.is_some_and(|l| l.alpha > 0.0) {
            self.prepare_rule(cfg);
        }
        let (mut targets, mut learner) = self.split();
        let Network { topology, blocks, bias } = net;
        let topology = &*topology;
        let mut fire = || if fake { targets.fire(topology, cfg, rng) } else { 0 };
        let mut learn = || {
            if let Some(learning) = learning {
                let mut parts = NetMut { blocks, bias };
                if learning.alpha > 0.0 {
                    learner.apply_rule(topology, parts.reborrow(), cfg, learning, parallel);
                }
                if cfg.smoothing > 0.0 {
                    learner.apply_smoothing(topology, parts, cfg, learning, parallel);
                }
            }
        };
        if parallel && fake && learning.is_some() && large {
            rayon::join(fire, learn).0
        } else {
            learn();
            fire()
        }
    }

    /// The state split for the end of a tick: what the fake targets write, and what the
    /// weight updates read.
    fn split(&mut self) -> (FakeTargets<'_>, Learner<'_>) {
        let (batch, n) = (self.batch, self.n);
        let targets = FakeTargets {
            batch,
            n,
            dz: &self.dz,
            s_strong: &self.strong.s,
            dzm: &mut self.dzm,
            target: &mut self.target,
            clamp: &mut self.clamp,
        };
        let learner = Learner {
            batch,
            n,
            layer_hard: &self.layer_hard,
            dz: &self.dz,
            rho_both: &self.rho_both,
            pre_mean: &self.pre_mean,
            g_weak: &self.weak.ds_rho_prime,
            deferred: &mut self.deferred,
        };
        (targets, learner)
    }
}
