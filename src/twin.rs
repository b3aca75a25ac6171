//! The two nets (strongly and weakly clamped) sharing one [`Network`], batched, and one
//! tick of their dynamics (eq. 1-7, 19-20), the aSTDP rule (eq. 14-15), fake targets
//! (eq. 16-18) and the smoothing derivative (eq. 21-23).
//!
//! All per-neuron arrays are `batch x N`, row-major: element `(b, i)` is at `b * N + i`.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::config::{BatchReduction, Config, DzSign, Presynaptic, Rule};
use crate::linalg::{View, ViewMut, gemm};
use crate::network::{Block, Network};
use crate::topology::{Role, Topology};

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
    pub s: Vec<f32>,
    /// Velocities `v` of momentum inference (eq. 19-20).
    pub v: Vec<f32>,
    /// Scratch: `ds_i * rho'(s_i)` for the smoothing derivative.
    #[serde(skip)]
    g: Vec<f32>,
    /// Per batch element, the largest rate of change `|s_new - s| / eps` over the neurons
    /// not hard clamped, in the last tick (the paper's `max |ds|`; equals max |force|
    /// without clipping or momentum).
    #[serde(skip)]
    pub max_force: Vec<f32>,
    /// Per layer: hard clamped everywhere and already at its targets (`s = t`, `v = 0`,
    /// `a = rho(t)`), so the step skips it. Reset whenever targets change.
    #[serde(skip)]
    held: Vec<bool>,
}

impl NetState {
    fn new(s: Vec<f32>, batch: usize) -> NetState {
        let n = s.len();
        NetState { v: vec![0.0; n], g: vec![0.0; n], max_force: vec![0.0; batch], held: Vec::new(), s }
    }

    fn refresh(&mut self, batch: usize) {
        self.g = vec![0.0; self.s.len()];
        self.max_force = vec![0.0; batch];
    }
}

/// Both nets' states, the shared targets, `dz` and the fake-target averages `dzm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwinState {
    batch: usize,
    n: usize,
    /// The strongly clamped net.
    pub strong: NetState,
    /// The weakly clamped net.
    pub weak: NetState,
    /// Targets `t`, `batch x N` (meaningful where `clamp` is not `Free`).
    pub target: Vec<f32>,
    /// Clamp mode per neuron and batch element.
    pub clamp: Vec<Clamp>,
    /// `dz` of the last tick (eq. 14).
    pub dz: Vec<f32>,
    /// Moving average of `|dz|` per neuron and batch element (eq. 16).
    pub dzm: Vec<f32>,
    /// Per layer: every neuron hard clamped in every batch element (skips its GEMMs).
    #[serde(skip)]
    layer_hard: Vec<bool>,
    /// `rho(s)` of both nets, `2 batch x N`: the strong net's rows, then the weak net's,
    /// kept in step with `s`. One forward GEMM serves both nets (they share W).
    #[serde(skip)]
    a: Vec<f32>,
    /// Scratch: net inputs `sum_j W_ij rho_j + b_i`, laid out like `a`.
    #[serde(skip)]
    h: Vec<f32>,
    /// `(rho(s_strong) + rho(s_weak)) / 2`, `batch x N`, filled before a weight update
    /// when the rule reads it ([`Presynaptic::Mean`]).
    #[serde(skip)]
    pre_mean: Vec<f32>,
}

/// Per tick results of one net.
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
            a: Vec::new(),
            h: Vec::new(),
            pre_mean: Vec::new(),
        };
        t.refresh(net, cfg.activation);
        t
    }

    /// Rebuilds derived buffers (after deserialising or editing states by hand).
    pub fn refresh(&mut self, net: &Network, act: Activation) {
        self.strong.refresh(self.batch);
        self.weak.refresh(self.batch);
        self.a.resize(self.strong.s.len() + self.weak.s.len(), 0.0);
        self.recompute_rho(act);
        self.h = vec![0.0; self.a.len()];
        self.update_layer_hard(net);
    }

    /// Recomputes `rho(s)` of both nets with `act` (after a change of activation).
    pub(crate) fn recompute_rho(&mut self, act: Activation) {
        for (a, &x) in self.a.iter_mut().zip(self.strong.s.iter().chain(&self.weak.s)) {
            *a = act.rho(x);
        }
    }

    /// `rho(s)` of one net, `batch x N`.
    pub fn rho(&self, which: Net) -> &[f32] {
        let bn = self.batch * self.n;
        match which {
            Net::Strong => &self.a[..bn],
            Net::Weak => &self.a[bn..],
        }
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
        forward(net, &self.a, &mut self.h, 2 * batch, &self.layer_hard, parallel);
        let (a_s, a_w) = self.a.split_at_mut(batch * n);
        let (h_s, h_w) = self.h.split_at(batch * n);
        let (st, a, h, beta, eps) = match which {
            Net::Strong => (&mut self.strong, a_s, h_s, cfg.beta_strong, cfg.eps_strong),
            Net::Weak => (&mut self.weak, a_w, h_w, cfg.beta_weak, cfg.eps_weak),
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
        parallel: bool,
    ) -> (Option<NonFinite>, Option<NonFinite>) {
        let (batch, n) = (self.batch, self.n);
        forward(net, &self.a, &mut self.h, 2 * batch, &self.layer_hard, parallel);
        let (target, clamp, hard) = (&self.target, &self.clamp, &self.layer_hard);
        let (a_s, a_w) = self.a.split_at_mut(batch * n);
        let (h_s, h_w) = self.h.split_at(batch * n);
        let strong = &mut self.strong;
        let weak = &mut self.weak;
        let mut run_s =
            move || step(net, cfg, strong, a_s, h_s, target, clamp, hard, batch, cfg.beta_strong, cfg.eps_strong);
        let mut run_w = move || step(net, cfg, weak, a_w, h_w, target, clamp, hard, batch, cfg.beta_weak, cfg.eps_weak);
        if parallel && batch * n > PARALLEL_UNITS { rayon::join(run_s, run_w) } else { (run_s(), run_w()) }
    }

    /// `dz = rho(s_strong) - rho(s_weak)` (or its negative, by `dz_sign`), eq. 14.
    pub(crate) fn compute_dz(&mut self, cfg: &Config) {
        let sign = match cfg.dz_sign {
            DzSign::StrongMinusWeak => 1.0,
            DzSign::WeakMinusStrong => -1.0,
        };
        let (a_s, a_w) = self.a.split_at(self.batch * self.n);
        for ((d, s), w) in self.dz.iter_mut().zip(a_s).zip(a_w) {
            *d = sign * (s - w);
        }
    }

    /// Fills `pre_mean` when the rule reads it (before a weight update only).
    fn prepare_rule(&mut self, cfg: &Config) {
        if cfg.rule == Rule::Astdp && cfg.presynaptic == Presynaptic::Mean {
            let (a_s, a_w) = self.a.split_at(self.batch * self.n);
            self.pre_mean.clear();
            self.pre_mean.extend(a_s.iter().zip(a_w).map(|(s, w)| 0.5 * (s + w)));
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
        let (_, learner) = self.split();
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
        let (mut targets, learner) = self.split();
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
            a: &self.a,
            pre_mean: &self.pre_mean,
            g_weak: &self.weak.g,
        };
        (targets, learner)
    }
}

/// How the weights learn in a tick: the rate `alpha`, per layer whether the weights into
/// it learn (`plastic`) and at what multiple of `alpha` (`rate`), and per block a further
/// multiple for its weights (`block_rate`, in the network's block order).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Learning<'a> {
    pub alpha: f32,
    pub plastic: &'a [bool],
    pub rate: &'a [f32],
    pub block_rate: &'a [f32],
}

/// The weights and biases of a [`Network`], borrowed apart from its topology.
struct NetMut<'a> {
    blocks: &'a mut [Block],
    bias: &'a mut [f32],
}

impl NetMut<'_> {
    fn reborrow(&mut self) -> NetMut<'_> {
        NetMut { blocks: self.blocks, bias: self.bias }
    }
}

/// What the fake targets read and write.
struct FakeTargets<'a> {
    batch: usize,
    n: usize,
    dz: &'a [f32],
    s_strong: &'a [f32],
    dzm: &'a mut [f32],
    target: &'a mut [f32],
    clamp: &'a mut [Clamp],
}

impl FakeTargets<'_> {
    /// Fake targets (eq. 16-18) for every hidden neuron of every batch element: update
    /// `dzm`, fire with probability `min(1, |dz| / (k dzm))`, set target `sign(dz) t_c`
    /// (soft) or remove it. Returns how many fired.
    fn fire(&mut self, topology: &Topology, cfg: &Config, rng: &mut impl RngExt) -> usize {
        let f = cfg.fake_target;
        let mut fired = 0;
        for layer in topology.layers().iter().filter(|l| l.role == Role::Hidden) {
            for b in 0..self.batch {
                for idx in b * self.n + layer.offset..b * self.n + layer.offset + layer.size {
                    let d = self.dz[idx];
                    let m = f.m_avg * d.abs() + (1.0 - f.m_avg) * self.dzm[idx];
                    self.dzm[idx] = m;
                    let u: f32 = rng.random();
                    let fire = if f.linear { u < f.k * d.abs() } else { d.abs() > u * f.k * m };
                    if fire {
                        let base = if f.relative { self.s_strong[idx] } else { 0.0 };
                        self.target[idx] = base + d.signum() * f.t_c;
                        self.clamp[idx] = Clamp::Soft;
                        fired += 1;
                    } else {
                        self.clamp[idx] = Clamp::Free;
                    }
                }
            }
        }
        fired
    }
}

/// What the weight updates read.
struct Learner<'a> {
    batch: usize,
    n: usize,
    layer_hard: &'a [bool],
    dz: &'a [f32],
    /// `rho(s)` of both nets, `2 batch x N`.
    a: &'a [f32],
    /// Their mean, `batch x N` (empty unless the rule reads it).
    pre_mean: &'a [f32],
    g_weak: &'a [f32],
}

impl Learner<'_> {
    /// The aSTDP rule (eq. 15): `W_ij += alpha' sum_b dz_i rho(s_strong_j)`,
    /// `b_i += alpha' sum_b dz_i`, with `alpha' = alpha` (sum) or `alpha / batch` (mean).
    /// Layers with `plastic[l] == false` keep their incoming weights and biases; the
    /// weights into layer `l` and its biases learn at `rate[l]` times `alpha` (weight
    /// decay included). With `cfg.rule == SymmetricEp`, EP's symmetric rule instead (see
    /// [`Rule`]).
    fn apply_rule(&self, topology: &Topology, net: NetMut, cfg: &Config, learning: Learning, parallel: bool) {
        let scale = match cfg.batch_reduction {
            BatchReduction::Sum => learning.alpha,
            BatchReduction::Mean => learning.alpha / self.batch as f32,
        };
        let decay = learning.alpha * cfg.weight_decay;
        let (a_s, a_w) = self.a.split_at(self.batch * self.n);
        match cfg.rule {
            Rule::Astdp => match cfg.presynaptic {
                Presynaptic::Strong => self.outer_update(topology, net, self.dz, a_s, scale, decay, learning, parallel),
                Presynaptic::Weak => self.outer_update(topology, net, self.dz, a_w, scale, decay, learning, parallel),
                Presynaptic::Mean => {
                    debug_assert_eq!(self.pre_mean.len(), a_s.len(), "prepare_rule fills pre_mean");
                    self.outer_update(topology, net, self.dz, self.pre_mean, scale, decay, learning, parallel)
                }
            },
            Rule::SymmetricEp => {
                let sign = match cfg.dz_sign {
                    DzSign::StrongMinusWeak => 1.0,
                    DzSign::WeakMinusStrong => -1.0,
                };
                let mut net = net;
                self.outer_update(topology, net.reborrow(), a_s, a_s, sign * scale, decay, learning, parallel);
                self.outer_update(topology, net, a_w, a_w, -sign * scale, 0.0, learning, parallel);
            }
        }
    }

    /// The smoothing derivative (eq. 21-23) on the weak net:
    /// `W_ij -= gamma sum_b ds_i rho'(s_i) rho(s_j)`, `b_i -= gamma sum_b ds_i rho'(s_i)`,
    /// with `ds = R - s` of the last step, batch-reduced like the rule.
    fn apply_smoothing(&self, topology: &Topology, net: NetMut, cfg: &Config, learning: Learning, parallel: bool) {
        let scale = match cfg.batch_reduction {
            BatchReduction::Sum => -cfg.smoothing,
            BatchReduction::Mean => -cfg.smoothing / self.batch as f32,
        };
        let a_w = &self.a[self.batch * self.n..];
        self.outer_update(topology, net, self.g_weak, a_w, scale, 0.0, learning, parallel);
    }

    /// `W_ij <- (1 - r decay) W_ij + r scale sum_b post[b,i] pre[b,j]` on every block, with
    /// `r` the receiving layer's rate times the block's; `b_i += r scale sum_b post[b,i]`,
    /// with `r` the layer's rate. Layers hard clamped everywhere have `post = 0` and are
    /// skipped (with no decay either), as are frozen ones (`alpha` of `learning` is not
    /// used here).
    #[allow(clippy::too_many_arguments)]
    fn outer_update(
        &self,
        topology: &Topology,
        net: NetMut,
        post: &[f32],
        pre: &[f32],
        scale: f32,
        decay: f32,
        learning: Learning,
        parallel: bool,
    ) {
        let n = self.n;
        let Learning { plastic, rate, block_rate, .. } = learning;
        debug_assert_eq!(block_rate.len(), net.blocks.len(), "one block rate per block");
        let skip = |l: usize| self.layer_hard[l] || !plastic[l];
        let NetMut { blocks, bias } = net;
        let layers = topology.layers();
        for (blk, &br) in blocks.iter_mut().zip(block_rate) {
            if skip(blk.post) {
                continue;
            }
            let (po, pr) = (&layers[blk.post], &layers[blk.pre]);
            let r = rate[blk.post] * br;
            gemm(
                po.size,
                self.batch,
                pr.size,
                scale * r,
                View { data: post, off: po.offset, rs: 1, cs: n },
                View { data: pre, off: pr.offset, rs: n, cs: 1 },
                1.0 - decay * r,
                ViewMut { data: &mut blk.w, off: 0, rs: pr.size, cs: 1 },
                parallel,
            );
            if blk.post == blk.pre {
                for i in 0..po.size {
                    blk.w[i * po.size + i] = 0.0;
                }
            }
        }
        for (l, layer) in layers.iter().enumerate() {
            if skip(l) {
                continue;
            }
            let s = scale * rate[l];
            for b in 0..self.batch {
                let row = &post[b * n + layer.offset..b * n + layer.offset + layer.size];
                for (bi, p) in bias[layer.range()].iter_mut().zip(row) {
                    *bi += s * p;
                }
            }
        }
    }
}

/// `h = b + sum_blocks rho(s_pre) W^T` for `rows` rows of `a` (both nets' batches), on
/// layers that are not hard clamped everywhere.
fn forward(net: &Network, a: &[f32], h: &mut [f32], rows: usize, layer_hard: &[bool], parallel: bool) {
    let n = net.n_neurons();
    let layers = net.topology.layers();
    for (l, layer) in layers.iter().enumerate() {
        if layer_hard[l] {
            continue;
        }
        for r in 0..rows {
            h[r * n + layer.offset..r * n + layer.offset + layer.size].copy_from_slice(&net.bias[layer.range()]);
        }
    }
    for blk in &net.blocks {
        if layer_hard[blk.post] {
            continue;
        }
        let (po, pr) = (&layers[blk.post], &layers[blk.pre]);
        gemm(
            rows,
            pr.size,
            po.size,
            1.0,
            View { data: a, off: pr.offset, rs: n, cs: 1 },
            View { data: &blk.w, off: 0, rs: 1, cs: pr.size },
            1.0,
            ViewMut { data: h, off: po.offset, rs: n, cs: 1 },
            parallel,
        );
    }
}

/// A hard-clamped unit: `s = t`, `v = 0`, `a = rho(t)`. Since `a = rho(s)` is kept in
/// step with `s`, a unit already there bit for bit is left alone (no exponential). A
/// layer hard clamped everywhere is visited once after its targets change, then skipped
/// (`NetState::held`) until they change again.
#[inline]
fn hold(s: &mut f32, v: &mut f32, a: &mut f32, t: f32, act: Activation) {
    if s.to_bits() != t.to_bits() || v.to_bits() != 0 {
        *s = t;
        *v = 0.0;
        *a = act.rho(t);
    }
}

/// One row of one layer (not hard clamped everywhere) of one net, for [`step_units`].
struct Units<'a> {
    s: &'a mut [f32],
    v: &'a mut [f32],
    a: &'a mut [f32],
    /// Empty unless the smoothing derivative is on.
    g: &'a mut [f32],
    h: &'a [f32],
    target: &'a [f32],
    clamp: &'a [Clamp],
}

/// What every unit of one net's step shares.
#[derive(Clone, Copy)]
struct StepParams {
    act: Activation,
    m: f32,
    beta: f32,
    eps: f32,
}

/// The elementwise step on `units` (eq. 1, 5, 19-20), with `rho'` from `(s, rho(s))`;
/// writes `g = ds rho'` when `SMOOTH`. Returns the largest `|s_new - s|` and whether
/// every new state is finite. Monomorphised per activation and smoothing, with no
/// bounds checks and no NaN test in the running maximum, so that the loop runs at the
/// speed of its memory traffic.
#[inline(always)]
fn step_units<const SMOOTH: bool>(u: Units, p: StepParams, rho_prime: impl Fn(f32, f32) -> f32) -> (f32, bool) {
    let len = u.s.len();
    let (v, a, h, target, clamp) = (&mut u.v[..len], &mut u.a[..len], &u.h[..len], &u.target[..len], &u.clamp[..len]);
    let g = if SMOOTH { &mut u.g[..len] } else { &mut [][..] };
    let (mut maxf, mut finite) = (0.0f32, true);
    for i in 0..len {
        let t = target[i];
        let mode = clamp[i];
        let s = u.s[i];
        if mode == Clamp::Hard {
            hold(&mut u.s[i], &mut v[i], &mut a[i], t, p.act);
            continue;
        }
        let rp = rho_prime(s, a[i]);
        let ds = rp * h[i] - s;
        let force = if mode == Clamp::Soft { ds + p.beta * (t - s) } else { ds };
        let vi = p.m * force + (1.0 - p.m) * v[i];
        let s_new = p.act.clip_state(s + p.eps * vi);
        v[i] = vi;
        u.s[i] = s_new;
        a[i] = p.act.rho(s_new);
        if SMOOTH {
            g[i] = ds * rp;
        }
        // the actual rate of change |ds| = |s_new - s| / eps: equals |force| without
        // clipping or momentum, and is 0 for a unit held at a bound (divided by eps once
        // per row by the caller: division is monotonic). A comparison, not `f32::max`:
        // the same result (NaN ignored either way) without a NaN test in the chain.
        let change = (s_new - s).abs();
        if change > maxf {
            maxf = change;
        }
        finite &= s_new.is_finite();
    }
    (maxf, finite)
}

/// The fused elementwise step of one net (eq. 1, 5, 19-20) from its net inputs `h`;
/// updates `s`, `v`, `a = rho(s)`, `g` and `max_force`. Returns the first non-finite state.
#[allow(clippy::too_many_arguments)]
fn step(
    net: &Network,
    cfg: &Config,
    st: &mut NetState,
    a: &mut [f32],
    h: &[f32],
    target: &[f32],
    clamp: &[Clamp],
    layer_hard: &[bool],
    batch: usize,
    beta: f32,
    eps: f32,
) -> Option<NonFinite> {
    let n = net.n_neurons();
    let layers = net.topology.layers();
    let act = cfg.activation;
    // 2. fused elementwise step.
    let smoothing = cfg.smoothing > 0.0;
    let p = StepParams { act, m: cfg.momentum, beta, eps };
    let mut bad = None;
    for b in 0..batch {
        let mut maxf = 0.0f32;
        for (l, layer) in layers.iter().enumerate() {
            let r = b * n + layer.offset..b * n + layer.offset + layer.size;
            if layer_hard[l] {
                if !st.held[l] {
                    for idx in r {
                        hold(&mut st.s[idx], &mut st.v[idx], &mut a[idx], target[idx], act);
                    }
                }
                continue;
            }
            let units = Units {
                s: &mut st.s[r.clone()],
                v: &mut st.v[r.clone()],
                a: &mut a[r.clone()],
                g: if smoothing { &mut st.g[r.clone()] } else { &mut [] },
                h: &h[r.clone()],
                target: &target[r.clone()],
                clamp: &clamp[r.clone()],
            };
            // rho'(s) from (s, rho(s)): the sigmoid's from rho alone (no exponential)
            let sigmoid_prime = |_: f32, a: f32| 4.0 * a * (1.0 - a);
            let hard_prime = |s: f32, _: f32| act.rho_prime(s);
            let (change, finite) = match (act, smoothing) {
                (Activation::Sigmoid4, false) => step_units::<false>(units, p, sigmoid_prime),
                (Activation::Sigmoid4, true) => step_units::<true>(units, p, sigmoid_prime),
                (Activation::HardSigmoid, false) => step_units::<false>(units, p, hard_prime),
                (Activation::HardSigmoid, true) => step_units::<true>(units, p, hard_prime),
            };
            maxf = maxf.max(change);
            if !finite && bad.is_none() {
                let first = st.s[r.clone()]
                    .iter()
                    .zip(&clamp[r.clone()])
                    .position(|(x, &c)| c != Clamp::Hard && !x.is_finite());
                bad = first.map(|i| NonFinite { batch: b, neuron: layer.offset + i });
            }
        }
        st.max_force[b] = maxf / eps;
    }
    st.held.copy_from_slice(layer_hard);
    bad
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::Topology;

    /// A twin state of `strong.len() / N` batch elements at the given states, with `rho`
    /// and `dz` computed.
    fn twin_at(net: &Network, cfg: &Config, strong: Vec<f32>, weak: Vec<f32>) -> TwinState {
        let batch = strong.len() / net.n_neurons();
        let mut tw = TwinState::new(net, cfg, batch, strong);
        tw.weak.s = weak;
        tw.refresh(net, cfg.activation);
        tw.compute_dz(cfg);
        tw
    }

    /// 1 input + 1 output, W_10 = W_01 = 0.5, b = (0.1, -0.2).
    fn pair() -> Network {
        let t = Topology::new(&[("in", 1, Role::Input), ("out", 1, Role::Output)], &[(1, 0), (0, 1)]).unwrap();
        let mut net = Network::zeros(t);
        net.set_weight(1, 0, 0.5).unwrap();
        net.set_weight(0, 1, 0.5).unwrap();
        net.bias = vec![0.1, -0.2];
        net
    }

    #[test]
    fn one_euler_step_by_hand() {
        let net = pair();
        let cfg = Config { momentum: 1.0, ..Config::default() };
        let mut tw = TwinState::new(&net, &cfg, 1, vec![0.0, 0.25]);
        tw.set_targets(&net, 1..2, &[1.0], &[Clamp::Soft]);
        tw.integrate(&net, &cfg, Net::Strong, false);
        // R = (0.4655293, 0.0393224) (see network tests); force_0 = R_0 - 0 = 0.4655293
        // force_1 = 0.0393224 - 0.25 + 0.4 * (1 - 0.25) = 0.0893224
        // s <- s + 0.5 force
        assert!((tw.strong.s[0] - 0.232_764_6).abs() < 1e-6, "{}", tw.strong.s[0]);
        assert!((tw.strong.s[1] - 0.294_661_2).abs() < 1e-6, "{}", tw.strong.s[1]);
        assert!((tw.strong.max_force[0] - 0.465_529_3).abs() < 1e-6);
        // the weak net did not move
        assert_eq!(tw.weak.s, vec![0.0, 0.25]);
    }

    #[test]
    fn momentum_step_by_hand() {
        let net = pair();
        let cfg = Config { momentum: 0.5, ..Config::default() };
        let mut tw = TwinState::new(&net, &cfg, 1, vec![0.0, 0.25]);
        tw.weak.v = vec![0.2, -0.1];
        tw.integrate(&net, &cfg, Net::Weak, false);
        // v = 0.5 force + 0.5 v_old; force = (0.4655293, 0.0393224 - 0.25)
        // v = (0.3327647, -0.1553388); s = s + 0.4 v
        assert!((tw.weak.v[0] - 0.332_764_6).abs() < 1e-6);
        assert!((tw.weak.v[1] + 0.155_338_8).abs() < 1e-6);
        assert!((tw.weak.s[0] - 0.133_105_9).abs() < 1e-6);
        assert!((tw.weak.s[1] - 0.187_864_5).abs() < 1e-6);
    }

    #[test]
    fn hard_clamp_sets_state() {
        let net = pair();
        let cfg = Config::default();
        let mut tw = TwinState::new(&net, &cfg, 2, vec![0.0; 4]);
        tw.set_targets(&net, 0..1, &[0.3, 0.7], &[Clamp::Hard]);
        tw.integrate_both(&net, &cfg, false);
        assert_eq!((tw.strong.s[0], tw.strong.s[2]), (0.3, 0.7));
        assert_eq!((tw.weak.s[0], tw.weak.s[2]), (0.3, 0.7));
        // a held layer is skipped until its targets change, then takes the new ones
        tw.integrate_both(&net, &cfg, false);
        assert_eq!(tw.strong.s[0], 0.3);
        tw.set_targets(&net, 0..1, &[0.9, 0.1], &[Clamp::Hard]);
        tw.integrate_both(&net, &cfg, false);
        assert_eq!((tw.strong.s[0], tw.strong.s[2]), (0.9, 0.1));
        assert_eq!((tw.weak.s[0], tw.weak.s[2]), (0.9, 0.1));
        assert_eq!(tw.rho(Net::Strong)[0], cfg.activation.rho(0.9));
        assert_eq!(tw.rho(Net::Weak)[2], cfg.activation.rho(0.1));
    }

    /// Fake targets drawn beside the weight updates on two threads give the same bits
    /// as one after the other (problem large enough for every parallel path).
    #[test]
    fn targets_and_learning_same_in_parallel() {
        let t = Topology::new(&[("v", 200, Role::Input), ("h", 300, Role::Hidden)], &[(1, 0), (0, 1), (1, 1)]).unwrap();
        let mut net = Network::zeros(t);
        for (k, blk) in net.blocks.iter_mut().enumerate() {
            for (i, w) in blk.w.iter_mut().enumerate() {
                *w = ((i * 7 + k * 3) % 13) as f32 * 0.01 - 0.06;
            }
        }
        let cfg = Config { smoothing: 0.01, ..Config::default() };
        let batch = 64;
        let s0: Vec<f32> = (0..batch * 500).map(|i| ((i * 11) % 17) as f32 * 0.05 - 0.4).collect();
        let mut tw = TwinState::new(&net, &cfg, batch, s0);
        tw.integrate_both(&net, &cfg, false);
        tw.compute_dz(&cfg);
        let (plastic, rate) = ([true, true], [1.0, 1.0]);
        let learning = Some(Learning { alpha: 0.05, plastic: &plastic, rate: &rate, block_rate: &[1.0, 1.0, 1.0] });
        let run = |parallel: bool| {
            let (mut tw, mut net) = (tw.clone(), net.clone());
            let mut rng = <rand_xoshiro::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(3);
            let fired = tw.targets_and_learning(&mut net, &cfg, &mut rng, true, learning, parallel);
            (fired, tw, net)
        };
        let (fired_serial, tw_serial, net_serial) = run(false);
        let (fired_parallel, tw_parallel, net_parallel) = run(true);
        assert!(fired_serial > 0);
        assert_eq!(fired_serial, fired_parallel);
        assert_eq!(tw_serial, tw_parallel);
        assert_eq!(net_serial, net_parallel);
        assert_ne!(net_serial, net, "the weights learned");
    }

    #[test]
    fn rule_by_hand() {
        let net0 = pair();
        let cfg = Config { batch_reduction: BatchReduction::Sum, ..Config::default() };
        let mut tw = TwinState::new(&net0, &cfg, 1, vec![0.0, 0.0]);
        tw.strong.s = vec![0.25, 0.0];
        tw.weak.s = vec![0.0, 0.25];
        tw.refresh(&net0, cfg.activation);
        tw.compute_dz(&cfg);
        // rho_s = (0.7310586, 0.5), rho_w = (0.5, 0.7310586); dz = (0.2310586, -0.2310586)
        assert!((tw.dz[0] - 0.231_058_6).abs() < 1e-6);
        let mut net = net0.clone();
        tw.apply_rule(
            &mut net,
            &cfg,
            Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] },
            false,
        );
        // dW_10 = 0.1 * dz_1 * rho_s_0 = 0.1 * -0.2310586 * 0.7310586 = -0.0168916
        // dW_01 = 0.1 * dz_0 * rho_s_1 = 0.1 * 0.2310586 * 0.5 = 0.0115529
        assert!((net.weight(1, 0).unwrap() - (0.5 - 0.016_891_6)).abs() < 1e-6);
        assert!((net.weight(0, 1).unwrap() - (0.5 + 0.011_552_9)).abs() < 1e-6);
        assert!((net.bias[0] - (0.1 + 0.023_105_86)).abs() < 1e-6);
        // mean over a batch of 2 identical elements equals the sum over one
        let cfg_mean = Config { batch_reduction: BatchReduction::Mean, ..cfg };
        let mut tw2 = TwinState::new(&net0, &cfg_mean, 2, vec![0.0; 4]);
        tw2.strong.s = vec![0.25, 0.0, 0.25, 0.0];
        tw2.weak.s = vec![0.0, 0.25, 0.0, 0.25];
        tw2.refresh(&net0, cfg.activation);
        tw2.compute_dz(&cfg_mean);
        let mut net2 = net0.clone();
        tw2.apply_rule(
            &mut net2,
            &cfg_mean,
            Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] },
            false,
        );
        assert!((net2.weight(1, 0).unwrap() - net.weight(1, 0).unwrap()).abs() < 1e-7);
        // weight decay: W <- (1 - alpha * lambda) W + the rule's update; biases not decayed
        let wd = Config { weight_decay: 0.5, ..cfg };
        let mut net3 = net0.clone();
        tw.apply_rule(
            &mut net3,
            &wd,
            Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] },
            false,
        );
        assert!((net3.weight(1, 0).unwrap() - (0.5 * 0.95 - 0.016_891_6)).abs() < 1e-6);
        assert!((net3.weight(0, 1).unwrap() - (0.5 * 0.95 + 0.011_552_9)).abs() < 1e-6);
        assert!((net3.bias[0] - (0.1 + 0.023_105_86)).abs() < 1e-6);
        // per-layer rates (layer 0 = neuron 0, layer 1 = neuron 1): at rate 0.5 the weight
        // into neuron 1 and its bias move half as far, decay included
        let mut net5 = net0.clone();
        tw.apply_rule(
            &mut net5,
            &wd,
            Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 0.5], block_rate: &[1.0, 1.0] },
            false,
        );
        assert!((net5.weight(1, 0).unwrap() - (0.5 * 0.975 - 0.5 * 0.016_891_6)).abs() < 1e-6);
        assert!((net5.weight(0, 1).unwrap() - (0.5 * 0.95 + 0.011_552_9)).abs() < 1e-6);
        assert!((net5.bias[1] - (-0.2 - 0.5 * 0.023_105_86)).abs() < 1e-6);
        assert!((net5.bias[0] - (0.1 + 0.023_105_86)).abs() < 1e-6);
        // a block rate of 0.5 on the weights 0 -> 1 only: that weight moves half as far
        // (its decay too), the bias of neuron 1 and the weight 1 -> 0 as at rate 1
        let k10 = net0.block_index(1, 0).unwrap();
        let mut block_rate = [1.0; 2];
        block_rate[k10] = 0.5;
        let mut net6 = net0.clone();
        let half = Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &block_rate };
        tw.apply_rule(&mut net6, &wd, half, false);
        assert!((net6.weight(1, 0).unwrap() - (0.5 * 0.975 - 0.5 * 0.016_891_6)).abs() < 1e-6);
        assert!((net6.weight(0, 1).unwrap() - (0.5 * 0.95 + 0.011_552_9)).abs() < 1e-6);
        assert!((net6.bias[1] - (-0.2 - 0.023_105_86)).abs() < 1e-6);
        // EP's symmetric rule: rho_s = (0.7310586, 0.7310586), rho_w = (0.5, 0.5), so
        // dW_10 = dW_01 = 0.1 * (0.7310586^2 - 0.25) = 0.0284446, db = 0.1 * dz = 0.0231059
        let ep = Config { rule: Rule::SymmetricEp, ..cfg };
        let mut tw4 = twin_at(&net0, &ep, vec![0.25, 0.25], vec![0.0, 0.0]);
        let mut net4 = net0.clone();
        tw4.apply_rule(
            &mut net4,
            &ep,
            Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] },
            false,
        );
        assert!((net4.weight(1, 0).unwrap() - (0.5 + 0.028_444_6)).abs() < 1e-6);
        assert!((net4.weight(0, 1).unwrap() - (0.5 + 0.028_444_6)).abs() < 1e-6);
        assert!((net4.bias[1] - (-0.2 + 0.023_105_86)).abs() < 1e-6);
        // the other sign
        let neg = Config { dz_sign: DzSign::WeakMinusStrong, ..cfg };
        tw.compute_dz(&neg);
        assert!((tw.dz[0] + 0.231_058_6).abs() < 1e-6);
    }

    /// The presynaptic readings by hand on the pair, and on a random net the invariant
    /// that names them: `dW_ij + dW_ji` is EP's update plus `dz_i dz_j` (strong), exactly
    /// EP's (mean), or EP's minus `dz_i dz_j` (weak), batch-reduced like the rule; and
    /// that `dW_ij - dW_ji` is `alpha (rho_s_i rho_w_j - rho_w_i rho_s_j)` for all three.
    #[test]
    fn presynaptic_readings() {
        let net0 = pair();
        let learning = Learning { alpha: 0.1, plastic: &[true, true], rate: &[1.0, 1.0], block_rate: &[1.0, 1.0] };
        // rho_s = (0.7310586, 0.5), rho_w = (0.5, 0.7310586); dz = (0.2310586, -0.2310586)
        let by_hand = |presynaptic: Presynaptic| {
            let cfg = Config { batch_reduction: BatchReduction::Sum, presynaptic, ..Config::default() };
            let mut tw = twin_at(&net0, &cfg, vec![0.25, 0.0], vec![0.0, 0.25]);
            let mut net = net0.clone();
            tw.apply_rule(&mut net, &cfg, learning, false);
            (net.weight(1, 0).unwrap() - 0.5, net.weight(0, 1).unwrap() - 0.5, net.bias[0] - 0.1)
        };
        // mean: pre = (0.6155293, 0.6155293); dW_10 = 0.1 * -0.2310586 * 0.6155293
        let (w10, w01, b0) = by_hand(Presynaptic::Mean);
        assert!((w10 + 0.014_222_3).abs() < 1e-6, "{w10}");
        assert!((w01 - 0.014_222_3).abs() < 1e-6, "{w01}");
        assert!((b0 - 0.023_105_86).abs() < 1e-6, "{b0}");
        // weak: dW_10 = 0.1 * -0.2310586 * 0.5, dW_01 = 0.1 * 0.2310586 * 0.7310586
        let (w10, w01, b0) = by_hand(Presynaptic::Weak);
        assert!((w10 + 0.011_552_9).abs() < 1e-6, "{w10}");
        assert!((w01 - 0.016_891_6).abs() < 1e-6, "{w01}");
        assert!((b0 - 0.023_105_86).abs() < 1e-6, "{b0}");

        let t = Topology::new(
            &[("v", 2, Role::Input), ("h", 3, Role::Hidden), ("o", 2, Role::Output)],
            &[(1, 0), (0, 1), (2, 1), (1, 2), (1, 1)],
        )
        .unwrap();
        let mut net = Network::zeros(t);
        for (k, blk) in net.blocks.iter_mut().enumerate() {
            for (i, w) in blk.w.iter_mut().enumerate() {
                *w = ((i * 5 + k * 3) % 11) as f32 * 0.03 - 0.15;
            }
        }
        let n = net.n_neurons();
        let batch = 3;
        let s_strong: Vec<f32> = (0..batch * n).map(|i| ((i * 7) % 13) as f32 * 0.04 - 0.2).collect();
        let s_weak: Vec<f32> = (0..batch * n).map(|i| ((i * 5) % 11) as f32 * 0.05 - 0.25).collect();
        let (plastic, rate) = ([true; 3], [1.0; 3]);
        let learning = Learning { alpha: 0.1, plastic: &plastic, rate: &rate, block_rate: &[1.0; 5] };
        let update = |cfg: &Config| {
            let mut tw = twin_at(&net, cfg, s_strong.clone(), s_weak.clone());
            let mut after = net.clone();
            tw.apply_rule(&mut after, cfg, learning, false);
            (after, tw.dz.clone())
        };
        let (ep, dz) = update(&Config { rule: Rule::SymmetricEp, ..Config::default() });
        let mut pairs = 0;
        for (presynaptic, dzdz) in [(Presynaptic::Strong, 1.0), (Presynaptic::Mean, 0.0), (Presynaptic::Weak, -1.0)] {
            let (astdp, _) = update(&Config { presynaptic, ..Config::default() });
            for i in 0..n {
                for j in 0..i {
                    let (Some(w_ij), Some(w_ji)) = (net.weight(i, j), net.weight(j, i)) else { continue };
                    let sym = astdp.weight(i, j).unwrap() - w_ij + astdp.weight(j, i).unwrap() - w_ji;
                    let ep_ij = ep.weight(i, j).unwrap() - w_ij;
                    let hebb: f32 = (0..batch).map(|b| dz[b * n + i] * dz[b * n + j]).sum::<f32>() * 0.1 / batch as f32;
                    let want = ep_ij + dzdz * hebb;
                    assert!((sym - want).abs() < 1e-6, "{presynaptic:?} ({i}, {j}): {sym} against {want}");
                    // the antisymmetric part is the same for every reading
                    let anti = astdp.weight(i, j).unwrap() - w_ij - (astdp.weight(j, i).unwrap() - w_ji);
                    let act = Config::default().activation;
                    let (r_s, r_w) = (|k: usize| act.rho(s_strong[k]), |k: usize| act.rho(s_weak[k]));
                    let cross: f32 =
                        (0..batch).map(|b| r_s(b * n + i) * r_w(b * n + j) - r_w(b * n + i) * r_s(b * n + j)).sum();
                    let want = cross * 0.1 / batch as f32;
                    assert!((anti - want).abs() < 1e-6, "{presynaptic:?} ({i}, {j}): {anti} against {want}");
                    if presynaptic == Presynaptic::Mean {
                        pairs += 1;
                    }
                }
            }
        }
        assert!(pairs >= 10, "{pairs} connected pairs checked");
    }

    #[test]
    fn fake_target_probability() {
        // one hidden neuron per batch element, 20000 elements with the same dz
        let t = Topology::new(&[("v", 1, Role::Input), ("h", 1, Role::Hidden)], &[(1, 0), (0, 1)]).unwrap();
        let net = Network::zeros(t);
        let mut cfg = Config::default();
        cfg.fake_target.k = 4.0;
        cfg.fake_target.m_avg = 0.5;
        cfg.fake_target.dzm_init = 0.1;
        let b = 20_000;
        let mut tw = TwinState::new(&net, &cfg, b, vec![0.0; 2 * b]);
        for i in 0..b {
            tw.dz[2 * i + 1] = -0.1;
        }
        let mut rng = <rand_xoshiro::Xoshiro256PlusPlus as rand::SeedableRng>::seed_from_u64(7);
        let fired = tw.fake_targets(&net, &cfg, &mut rng);
        // dzm = 0.5 * 0.1 + 0.5 * 0.1 = 0.1; p = min(1, 0.1 / (4 * 0.1)) = 0.25
        assert!((tw.dzm[1] - 0.1).abs() < 1e-7);
        let p = fired as f64 / b as f64;
        assert!((p - 0.25).abs() < 0.015, "{p}");
        let i = (0..b).find(|&i| tw.clamp[2 * i + 1] == Clamp::Soft).unwrap();
        assert_eq!(tw.target[2 * i + 1], -0.25);
        // visible neurons never get fake targets
        assert!((0..b).all(|i| tw.clamp[2 * i] == Clamp::Free));
        // the relative reading: a jump of t_c from the strong state in the direction of dz
        let rel = Config {
            fake_target: crate::config::FakeTargetConfig { relative: true, k: 1.0, ..cfg.fake_target },
            ..cfg
        };
        for i in 0..b {
            tw.strong.s[2 * i + 1] = 0.6;
            tw.dz[2 * i + 1] = 10.0;
        }
        tw.fake_targets(&net, &rel, &mut rng);
        assert!((tw.target[1] - 0.85).abs() < 1e-6, "{}", tw.target[1]);
        // the literal reading of eq. 17: p = min(1, k |dz|) = 2.5 * 0.1 = 0.25, whatever dzm
        let lin =
            Config { fake_target: crate::config::FakeTargetConfig { linear: true, k: 2.5, ..cfg.fake_target }, ..cfg };
        for i in 0..b {
            tw.dz[2 * i + 1] = -0.1;
            tw.dzm[2 * i + 1] = 1e-6;
        }
        let p = tw.fake_targets(&net, &lin, &mut rng) as f64 / b as f64;
        assert!((p - 0.25).abs() < 0.015, "{p}");
        // with k * m_avg <= 1 a jump in |dz| fires with probability 1
        cfg.fake_target.k = 1.0;
        for i in 0..b {
            tw.dz[2 * i + 1] = 10.0;
        }
        assert_eq!(tw.fake_targets(&net, &cfg, &mut rng), b);
    }
}
