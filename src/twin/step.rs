//! One integration step of a net (eq. 1, 5, 19-20), fused and elementwise, and the
//! forward pass that computes the net inputs of both nets in one GEMM per block.

use super::deferred::Deferred;
use super::held::Held;
use super::{Clamp, NetState, NonFinite};
use crate::activation::Activation;
use crate::config::Config;
use crate::linalg::{View, ViewMut, gemm};
use crate::network::Network;

/// The net inputs `net_in = b + sum_blocks rho(s_pre) W^T` for `rows` rows of `rho`
/// (both nets' batches), on layers that are not hard clamped everywhere.
///
/// A block marked shared ([`shared_blocks`]) gives both nets the same product: it is
/// computed for the strong net's rows alone, or read from its held net inputs
/// ([`super::held`]) or its deferred updates ([`super::deferred`]), and copied to the
/// weak net's rows (with `sc.both`; otherwise `rho` holds one net's rows).
#[allow(clippy::too_many_arguments)]
pub(super) fn forward(
    net: &Network,
    rho: &[f32],
    net_in: &mut [f32],
    rows: usize,
    layer_hard: &[bool],
    sc: Shortcuts,
    parallel: bool,
) {
    let n = net.n_neurons();
    let layers = net.topology.layers();
    for (l, layer) in layers.iter().enumerate() {
        if layer_hard[l] {
            continue;
        }
        for r in 0..rows {
            net_in[r * n + layer.offset..r * n + layer.offset + layer.size].copy_from_slice(&net.bias[layer.range()]);
        }
    }
    for (k, blk) in net.blocks.iter().enumerate() {
        if layer_hard[blk.post] {
            continue;
        }
        let (po, pr) = (&layers[blk.post], &layers[blk.pre]);
        // (no flags, before `prepare_tick` has run: nothing shared)
        let is_shared = sc.shared.get(k).copied().unwrap_or(false);
        let halves = is_shared && sc.both;
        let m = if halves { rows / 2 } else { rows };
        if let Some(h) = sc.held.iter().find(|h| h.block == k).filter(|_| is_shared) {
            h.write(net_in, n, po.offset);
        } else if let Some(d) = sc.deferred.iter().find(|d| d.block == k).filter(|_| is_shared) {
            d.add_product(net_in, n, po.offset, parallel);
        } else {
            gemm(
                m,
                pr.size,
                po.size,
                1.0,
                View { data: rho, off: pr.offset, rs: n, cs: 1 },
                View { data: &blk.w, off: 0, rs: 1, cs: pr.size },
                1.0,
                ViewMut { data: net_in, off: po.offset, rs: n, cs: 1 },
                parallel,
            );
        }
        if halves {
            let (strong, weak) = net_in.split_at_mut(m * n);
            for r in 0..m {
                let at = r * n + po.offset..r * n + po.offset + po.size;
                weak[at.clone()].copy_from_slice(&strong[at]);
            }
        }
    }
}

/// What the forward pass may take instead of a block's product.
#[derive(Clone, Copy)]
pub(super) struct Shortcuts<'a> {
    /// Per block, whether both nets' products through it are the same ([`shared_blocks`];
    /// empty: none).
    pub shared: &'a [bool],
    /// Deferred updates of shared blocks.
    pub deferred: &'a [Deferred],
    /// Held net inputs of shared blocks.
    pub held: &'a [Held],
    /// Whether `rho` holds both nets' rows (the strong net's, then the weak net's) or one
    /// net's.
    pub both: bool,
}

/// Per block of `net`, whether both nets' products through it are the same and may be
/// computed once: the block is the first into its layer (so the net inputs hold only the
/// bias before it), its presynaptic layer is hard clamped everywhere and holds the same
/// bits in both nets (`rho`: `batch` strong rows, then `batch` weak ones), and the batch
/// is of whole kernel tiles ([`TILE_ROWS`]). The kernel computes each row of a full tile
/// alike whatever the rows beside it (an edge tile rounds otherwise), so the product over
/// the strong rows alone is the one over both nets' rows, bit for bit.
/// Fills `shared` (one flag per block; no allocation once it has its length).
/// With `weak_only` (only the weak net runs: its rows alone are read), the strong net's
/// rows are not compared.
pub(super) fn shared_blocks(
    net: &Network,
    rho: &[f32],
    batch: usize,
    layer_hard: &[bool],
    weak_only: bool,
    shared: &mut Vec<bool>,
) {
    let n = net.n_neurons();
    let layers = net.topology.layers();
    shared.clear();
    for (k, blk) in net.blocks.iter().enumerate() {
        let first = || net.blocks[..k].iter().all(|b| b.post != blk.post);
        shared.push(
            batch.is_multiple_of(TILE_ROWS)
                && layer_hard[blk.pre]
                && !layer_hard[blk.post]
                && first()
                && (weak_only || same_in_both(rho, batch, n, layers[blk.pre].range())),
        );
    }
}

/// Rows of the largest micro-kernel tile of `matrixmultiply` (16 on AVX-512, 8 on AVX2).
pub(super) const TILE_ROWS: usize = 16;

/// Whether the first `batch` rows of `rho` (the strong net) and the next `batch` (the
/// weak net) hold the same bits on the neurons `range`.
fn same_in_both(rho: &[f32], batch: usize, n: usize, range: std::ops::Range<usize>) -> bool {
    (0..batch).all(|r| {
        let (a, b) = (&rho[r * n..][range.clone()], &rho[(batch + r) * n..][range.clone()]);
        a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    })
}

/// A hard-clamped unit: `s = t`, `v = 0`, `rho = rho(t)`. Since `rho(s)` is kept in
/// step with `s`, a unit already there bit for bit is left alone (no exponential). A
/// layer hard clamped everywhere is visited once after its targets change, then skipped
/// (`NetState::held`) until they change again.
#[inline]
fn hold(s: &mut f32, v: &mut f32, rho: &mut f32, t: f32, act: Activation) {
    if s.to_bits() != t.to_bits() || v.to_bits() != 0 {
        *s = t;
        *v = 0.0;
        *rho = act.rho(t);
    }
}

/// One row of one layer (not hard clamped everywhere) of one net, for [`step_units`].
struct Units<'a> {
    s: &'a mut [f32],
    v: &'a mut [f32],
    rho: &'a mut [f32],
    /// `ds rho'(s)`; empty unless the smoothing derivative is on.
    ds_rho_prime: &'a mut [f32],
    net_in: &'a [f32],
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
/// writes `ds rho'` when `SMOOTH`. Returns the largest `|s_new - s|` and whether
/// every new state is finite. Monomorphised per activation and smoothing, with no
/// bounds checks and no NaN test in the running maximum, so that the loop runs at the
/// speed of its memory traffic.
#[inline(always)]
fn step_units<const SMOOTH: bool>(u: Units, p: StepParams, rho_prime: impl Fn(f32, f32) -> f32) -> (f32, bool) {
    let len = u.s.len();
    let (v, rho, net_in) = (&mut u.v[..len], &mut u.rho[..len], &u.net_in[..len]);
    let (target, clamp) = (&u.target[..len], &u.clamp[..len]);
    let ds_rho_prime = if SMOOTH { &mut u.ds_rho_prime[..len] } else { &mut [][..] };
    let (mut maxf, mut finite) = (0.0f32, true);
    for i in 0..len {
        let t = target[i];
        let mode = clamp[i];
        let s = u.s[i];
        if mode == Clamp::Hard {
            hold(&mut u.s[i], &mut v[i], &mut rho[i], t, p.act);
            continue;
        }
        let rp = rho_prime(s, rho[i]);
        let ds = rp * net_in[i] - s;
        let force = if mode == Clamp::Soft { ds + p.beta * (t - s) } else { ds };
        let vi = p.m * force + (1.0 - p.m) * v[i];
        let s_new = p.act.clip_state(s + p.eps * vi);
        v[i] = vi;
        u.s[i] = s_new;
        rho[i] = p.act.rho(s_new);
        if SMOOTH {
            ds_rho_prime[i] = ds * rp;
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

/// The fused elementwise step of one net (eq. 1, 5, 19-20) from its net inputs `net_in`;
/// updates `s`, `v`, `rho(s)`, `ds rho'(s)` and `max_force`. Returns the first non-finite state.
#[allow(clippy::too_many_arguments)]
pub(super) fn step(
    net: &Network,
    cfg: &Config,
    st: &mut NetState,
    rho: &mut [f32],
    net_in: &[f32],
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
                        hold(&mut st.s[idx], &mut st.v[idx], &mut rho[idx], target[idx], act);
                    }
                }
                continue;
            }
            let units = Units {
                s: &mut st.s[r.clone()],
                v: &mut st.v[r.clone()],
                rho: &mut rho[r.clone()],
                ds_rho_prime: if smoothing { &mut st.ds_rho_prime[r.clone()] } else { &mut [] },
                net_in: &net_in[r.clone()],
                target: &target[r.clone()],
                clamp: &clamp[r.clone()],
            };
            // one closure per activation, so that each monomorphised loop inlines its rho'
            let sigmoid_prime = |s: f32, r: f32| Activation::Sigmoid4.rho_prime_at(s, r);
            let hard_prime = |s: f32, r: f32| Activation::HardSigmoid.rho_prime_at(s, r);
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
