//! The weight updates of a tick: the aSTDP rule (eq. 14-15) in its three presynaptic
//! readings, EP's symmetric rule, weight decay, per-layer and per-block rates, and the
//! smoothing derivative (eq. 21-23).

use crate::config::{Config, Presynaptic, Rule};
use crate::linalg::{View, ViewMut, gemm};
use crate::network::Block;
use crate::topology::Topology;

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
pub(super) struct NetMut<'a> {
    pub(super) blocks: &'a mut [Block],
    pub(super) bias: &'a mut [f32],
}

impl NetMut<'_> {
    pub(super) fn reborrow(&mut self) -> NetMut<'_> {
        NetMut { blocks: self.blocks, bias: self.bias }
    }
}

/// What the weight updates read.
pub(super) struct Learner<'a> {
    pub(super) batch: usize,
    pub(super) n: usize,
    pub(super) layer_hard: &'a [bool],
    pub(super) dz: &'a [f32],
    /// `rho(s)` of both nets, `2 batch x N`.
    pub(super) rho_both: &'a [f32],
    /// Their mean, `batch x N` (empty unless the rule reads it).
    pub(super) pre_mean: &'a [f32],
    pub(super) g_weak: &'a [f32],
    /// The blocks whose updates are deferred ([`super::deferred`]).
    pub(super) deferred: &'a mut Vec<super::deferred::Deferred>,
}

impl<'a> Learner<'a> {
    /// The aSTDP rule (eq. 15): `W_ij += alpha' sum_b dz_i rho(s_strong_j)`,
    /// `b_i += alpha' sum_b dz_i`, with `alpha' = alpha` (sum) or `alpha / batch` (mean).
    /// Layers with `plastic[l] == false` keep their incoming weights and biases; the
    /// weights into layer `l` and its biases learn at `rate[l]` times `alpha` (weight
    /// decay included). With `cfg.rule == SymmetricEp`, EP's symmetric rule instead (see
    /// [`Rule`]).
    pub(super) fn apply_rule(
        &mut self,
        topology: &Topology,
        net: NetMut,
        cfg: &Config,
        learning: Learning,
        parallel: bool,
    ) {
        let scale = cfg.batch_reduction.scale(learning.alpha, self.batch);
        let decay = learning.alpha * cfg.weight_decay;
        let (rho_both, dz, pre_mean): (&'a [f32], &'a [f32], &'a [f32]) = (self.rho_both, self.dz, self.pre_mean);
        let (rho_s, rho_w) = rho_both.split_at(self.batch * self.n);
        match cfg.rule {
            Rule::Astdp => {
                let pre = match cfg.presynaptic {
                    Presynaptic::Strong => rho_s,
                    Presynaptic::Weak => rho_w,
                    Presynaptic::Mean => {
                        debug_assert_eq!(pre_mean.len(), rho_s.len(), "prepare_rule fills pre_mean");
                        pre_mean
                    }
                };
                self.outer_update(topology, net, dz, pre, scale, decay, learning, parallel)
            }
            Rule::SymmetricEp => {
                let sign = cfg.dz_sign.sign();
                let mut net = net;
                self.outer_update(topology, net.reborrow(), rho_s, rho_s, sign * scale, decay, learning, parallel);
                self.outer_update(topology, net, rho_w, rho_w, -sign * scale, 0.0, learning, parallel);
            }
        }
    }

    /// The smoothing derivative (eq. 21-23) on the weak net:
    /// `W_ij -= gamma sum_b ds_i rho'(s_i) rho(s_j)`, `b_i -= gamma sum_b ds_i rho'(s_i)`,
    /// with `ds = R - s` of the last step, batch-reduced like the rule.
    pub(super) fn apply_smoothing(
        &mut self,
        topology: &Topology,
        net: NetMut,
        cfg: &Config,
        learning: Learning,
        parallel: bool,
    ) {
        let scale = cfg.batch_reduction.scale(-cfg.smoothing, self.batch);
        let (rho_both, g_weak): (&'a [f32], &'a [f32]) = (self.rho_both, self.g_weak);
        let rho_w = &rho_both[self.batch * self.n..];
        self.outer_update(topology, net, g_weak, rho_w, scale, 0.0, learning, parallel);
    }

    /// `W_ij <- (1 - r decay) W_ij + r scale sum_b post[b,i] pre[b,j]` on every block, with
    /// `r` the receiving layer's rate times the block's; `b_i += r scale sum_b post[b,i]`,
    /// with `r` the layer's rate. Layers hard clamped everywhere have `post = 0` and are
    /// skipped (with no decay either), as are frozen ones (`alpha` of `learning` is not
    /// used here).
    #[allow(clippy::too_many_arguments)]
    fn outer_update(
        &mut self,
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
        let layer_hard: &'a [bool] = self.layer_hard;
        let skip = |l: usize| layer_hard[l] || !plastic[l];
        let NetMut { blocks, bias } = net;
        let layers = topology.layers();
        for (k, (blk, &br)) in blocks.iter_mut().zip(block_rate).enumerate() {
            if skip(blk.post) {
                continue;
            }
            let (po, pr) = (&layers[blk.post], &layers[blk.pre]);
            let r = rate[blk.post] * br;
            // a deferred block records the update while it reads the same input; an
            // update from another input brings the weights up to date first
            if let Some(i) = self.deferred.iter().position(|d| d.block == k) {
                if self.deferred[i].input.held_in(pre, n, pr.offset) {
                    self.deferred[i].record(post, n, po.offset, 1.0 - decay * r, scale * r);
                    continue;
                }
                self.deferred.swap_remove(i).flush(blk, parallel);
            }
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
