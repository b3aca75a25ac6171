//! Weights and biases shared by the two nets, and the energy of a state (eq. 2-3, 6-7).

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::error::ConfigError;
use crate::topology::Topology;

/// One dense weight block `W[post][pre]`, row-major (`post` rows, `pre` columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    /// Receiving layer.
    pub post: usize,
    /// Sending layer.
    pub pre: usize,
    /// `post_size * pre_size` weights; a lateral block has a zero diagonal.
    pub w: Vec<f32>,
}

/// The RMS weight of a block beyond which learning counts as run away
/// ([`Network::check_weights`]): learned weights stay of order 1 (RMS 0.05-1.5 in every run
/// of docs/mnist.md, runaways included); a rate far too high drives them to 1e30 and more.
pub const WEIGHT_RMS_LIMIT: f64 = 100.0;

/// Weights `W` (one block per connection) and biases `b` (one per neuron).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Layers and connections.
    pub topology: Topology,
    /// One block per connection, in the topology's order.
    pub blocks: Vec<Block>,
    /// One bias per neuron, by global index.
    pub bias: Vec<f32>,
}

impl Network {
    /// All weights and biases zero.
    pub fn zeros(topology: Topology) -> Network {
        let blocks = topology
            .connections()
            .iter()
            .map(|c| Block {
                post: c.post,
                pre: c.pre,
                w: vec![0.0; topology.layers()[c.post].size * topology.layers()[c.pre].size],
            })
            .collect();
        let bias = vec![0.0; topology.n_neurons()];
        Network { topology, blocks, bias }
    }

    /// Xavier-style init (section 1): `W_ij` and `b_i` ~ U(-x, x), `x = sqrt(6 / n)` with
    /// `n` the fan-in of neuron i. Not symmetric. A neuron with no fan-in gets b = 0.
    pub fn random(topology: Topology, rng: &mut impl RngExt) -> Network {
        let mut net = Network::zeros(topology);
        let scale: Vec<f32> = (0..net.topology.layers().len())
            .map(|l| {
                let n = net.topology.fan_in(l);
                if n == 0 { 0.0 } else { (6.0 / n as f32).sqrt() }
            })
            .collect();
        for blk in &mut net.blocks {
            let x = scale[blk.post];
            for w in &mut blk.w {
                *w = rng.random_range(-x..=x);
            }
        }
        for (l, layer) in net.topology.layers().iter().enumerate() {
            let x = scale[l];
            for b in &mut net.bias[layer.range()] {
                *b = if x > 0.0 { rng.random_range(-x..=x) } else { 0.0 };
            }
        }
        net.zero_lateral_diagonals();
        net
    }

    /// Number of neurons.
    pub fn n_neurons(&self) -> usize {
        self.bias.len()
    }

    /// Sets the diagonal of lateral blocks to zero (no self connections).
    pub fn zero_lateral_diagonals(&mut self) {
        for blk in &mut self.blocks {
            if blk.post == blk.pre {
                let n = self.topology.layers()[blk.post].size;
                for i in 0..n {
                    blk.w[i * n + i] = 0.0;
                }
            }
        }
    }

    fn locate(&self, i: usize, j: usize) -> Option<(usize, usize)> {
        let li = self.topology.layer_of(i)?;
        let lj = self.topology.layer_of(j)?;
        if i == j {
            return None;
        }
        let k = self.block_index(li, lj)?;
        let layers = self.topology.layers();
        let (r, c) = (i - layers[li].offset, j - layers[lj].offset);
        Some((k, r * layers[lj].size + c))
    }

    /// The index in `blocks` of the weights from layer `pre` into layer `post`, `None`
    /// where the topology has no such connection.
    pub fn block_index(&self, post: usize, pre: usize) -> Option<usize> {
        self.blocks.iter().position(|b| b.post == post && b.pre == pre)
    }

    /// `W_ij` (from global neuron j to global neuron i), `None` where no connection exists.
    pub fn weight(&self, i: usize, j: usize) -> Option<f32> {
        self.locate(i, j).map(|(k, x)| self.blocks[k].w[x])
    }

    /// Sets `W_ij`; an error if i and j are not connected.
    pub fn set_weight(&mut self, i: usize, j: usize, value: f32) -> Result<(), ConfigError> {
        let (k, x) = self
            .locate(i, j)
            .ok_or_else(|| ConfigError::Topology(format!("no connection from neuron {j} to neuron {i}")))?;
        self.blocks[k].w[x] = value;
        Ok(())
    }

    /// Makes W symmetric where both directions exist: `W_ij = W_ji = (W_ij + W_ji) / 2`.
    pub fn symmetrize(&mut self) {
        let n = self.blocks.len();
        for k in 0..n {
            let (post, pre) = (self.blocks[k].post, self.blocks[k].pre);
            let Some(t) = self.blocks.iter().position(|b| b.post == pre && b.pre == post) else {
                continue;
            };
            if t < k {
                continue;
            }
            let (rows, cols) = (self.topology.layers()[post].size, self.topology.layers()[pre].size);
            for r in 0..rows {
                for c in 0..cols {
                    let avg = 0.5 * (self.blocks[k].w[r * cols + c] + self.blocks[t].w[c * rows + r]);
                    self.blocks[k].w[r * cols + c] = avg;
                    self.blocks[t].w[c * rows + r] = avg;
                }
            }
        }
    }

    /// Whether `other` has the same blocks (receiving and sending layer, size) and number
    /// of biases.
    pub fn same_shape(&self, other: &Network) -> bool {
        self.bias.len() == other.bias.len()
            && self.blocks.len() == other.blocks.len()
            && self
                .blocks
                .iter()
                .zip(&other.blocks)
                .all(|(a, b)| (a.post, a.pre, a.w.len()) == (b.post, b.pre, b.w.len()))
    }

    /// Moves every weight and bias a fraction `t` of the way towards `other`'s:
    /// `x <- x + t (x_other - x)` (one step of an exponential moving average). An error,
    /// changing nothing, when the two networks do not have the same shape.
    pub fn blend_towards(&mut self, other: &Network, t: f32) -> Result<(), ConfigError> {
        if !self.same_shape(other) {
            return Err(ConfigError::Topology("cannot blend networks of different shapes".into()));
        }
        let pairs = self.blocks.iter_mut().map(|b| &mut b.w).chain([&mut self.bias]);
        for (mine, theirs) in pairs.zip(other.blocks.iter().map(|b| &b.w).chain([&other.bias])) {
            for (x, &y) in mine.iter_mut().zip(theirs) {
                *x += t * (y - *x);
            }
        }
        Ok(())
    }

    /// Pearson correlation of `W_ij` with `W_ji` over all connected pairs i != j (the
    /// weight-symmetry measure of section 4.2); `None` when there are no such pairs.
    pub fn symmetry_correlation(&self) -> Option<f64> {
        let (mut n, mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0f64, 0f64, 0f64, 0f64, 0f64, 0f64);
        for blk in &self.blocks {
            let Some(t) = self.blocks.iter().find(|b| b.post == blk.pre && b.pre == blk.post) else {
                continue;
            };
            let (rows, cols) = (self.topology.layers()[blk.post].size, self.topology.layers()[blk.pre].size);
            for r in 0..rows {
                for c in 0..cols {
                    if blk.post == blk.pre && r == c {
                        continue;
                    }
                    let (x, y) = (blk.w[r * cols + c] as f64, t.w[c * rows + r] as f64);
                    n += 1.0;
                    sx += x;
                    sy += y;
                    sxx += x * x;
                    syy += y * y;
                    sxy += x * y;
                }
            }
        }
        if n < 2.0 {
            return None;
        }
        let cov = sxy / n - sx * sy / n / n;
        let vx = sxx / n - sx * sx / n / n;
        let vy = syy / n - sy * sy / n / n;
        Some(cov / (vx * vy).sqrt().max(1e-30))
    }

    /// Root-mean-square weight of each connection block, labelled `"post<-pre"` by layer
    /// names (a lateral block's zero diagonal is left out). Logged during MNIST training:
    /// a block whose RMS grows without bound shows a runaway before accuracy falls.
    pub fn block_rms(&self) -> Vec<(String, f64)> {
        self.block_rms_inner()
    }

    /// Checks that learning has not run away: every block's RMS weight finite and at most
    /// [`WEIGHT_RMS_LIMIT`]; the error names the first block that is not.
    pub fn check_weights(&self) -> Result<(), crate::error::SimError> {
        match self.block_rms_inner().into_iter().find(|(_, r)| !(r.is_finite() && *r <= WEIGHT_RMS_LIMIT)) {
            Some((block, rms)) => Err(crate::error::SimError::WeightsDiverged { block, rms }),
            None => Ok(()),
        }
    }

    fn block_rms_inner(&self) -> Vec<(String, f64)> {
        let layers = self.topology.layers();
        self.blocks
            .iter()
            .map(|blk| {
                let sq: f64 = blk.w.iter().map(|&w| (w as f64) * (w as f64)).sum();
                let (po, pr) = (&layers[blk.post], &layers[blk.pre]);
                let n = po.size * pr.size - if blk.post == blk.pre { po.size } else { 0 };
                (format!("{}<-{}", po.name, pr.name), (sq / n.max(1) as f64).sqrt())
            })
            .collect()
    }

    /// `sum_j W_ij rho_j + b_i` for one state (not batched; for tests and analysis).
    pub fn input(&self, rho: &[f32]) -> Vec<f32> {
        let mut h = self.bias.clone();
        let layers = self.topology.layers();
        for blk in &self.blocks {
            let (po, pr) = (&layers[blk.post], &layers[blk.pre]);
            for r in 0..po.size {
                let row = &blk.w[r * pr.size..(r + 1) * pr.size];
                h[po.offset + r] += row.iter().zip(&rho[pr.range()]).map(|(w, x)| w * x).sum::<f32>();
            }
        }
        h
    }

    /// `R_i(s) = rho'(s_i) (sum_j W_ij rho(s_j) + b_i)` (eq. 2), one state.
    pub fn r(&self, s: &[f32], act: Activation) -> Vec<f32> {
        let rho: Vec<f32> = s.iter().map(|&x| act.rho(x)).collect();
        let h = self.input(&rho);
        s.iter().zip(h).map(|(&x, h)| act.rho_prime(x) * h).collect()
    }

    /// Energy `E(s)` of eq. 3, in f64: `1/2 sum s^2 - 1/2 sum_{i!=j} W_ij rho_i rho_j - sum b_i rho_i`.
    pub fn energy(&self, s: &[f32], act: Activation) -> f64 {
        let rho: Vec<f64> = s.iter().map(|&x| act.rho(x) as f64).collect();
        let mut e: f64 = s.iter().map(|&x| 0.5 * (x as f64) * (x as f64)).sum();
        e -= self.bias.iter().zip(&rho).map(|(&b, r)| b as f64 * r).sum::<f64>();
        let layers = self.topology.layers();
        for blk in &self.blocks {
            let (po, pr) = (&layers[blk.post], &layers[blk.pre]);
            for r in 0..po.size {
                for c in 0..pr.size {
                    e -= 0.5 * blk.w[r * pr.size + c] as f64 * rho[po.offset + r] * rho[pr.offset + c];
                }
            }
        }
        e
    }
}

/// Cost `C(s) = 1/2 sum_{i clamped} (t_i - s_i)^2` (eq. 6) over the neurons that have a
/// target (`Some`).
pub fn cost(s: &[f32], targets: &[Option<f32>]) -> f64 {
    s.iter().zip(targets).filter_map(|(&x, t)| t.map(|t| 0.5 * (t as f64 - x as f64).powi(2))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::Role;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn blend_moves_weights_and_biases_part_way() {
        let t = Topology::toy(2, 3).unwrap();
        let mut a = Network::random(t.clone(), &mut Xoshiro256PlusPlus::seed_from_u64(1));
        let b = Network::random(t, &mut Xoshiro256PlusPlus::seed_from_u64(2));
        let before = a.clone();
        a.blend_towards(&b, 0.25).unwrap();
        for (k, blk) in a.blocks.iter().enumerate() {
            for (x, (&x0, &y)) in blk.w.iter().zip(before.blocks[k].w.iter().zip(&b.blocks[k].w)) {
                assert!((x - (0.75 * x0 + 0.25 * y)).abs() < 1e-6);
            }
        }
        for (x, (&x0, &y)) in a.bias.iter().zip(before.bias.iter().zip(&b.bias)) {
            assert!((x - (0.75 * x0 + 0.25 * y)).abs() < 1e-6);
        }
        // other shapes are refused and change nothing
        let other = Network::zeros(Topology::toy(3, 3).unwrap());
        let kept = a.clone();
        assert!(matches!(a.blend_towards(&other, 0.5), Err(ConfigError::Topology(_))));
        assert_eq!(a, kept);
    }

    #[test]
    fn init_bounds_and_zero_diagonal() {
        let t = Topology::toy(4, 8).unwrap();
        let net = Network::random(t, &mut Xoshiro256PlusPlus::seed_from_u64(1));
        // hidden fan-in 4 + 7 = 11, visible fan-in 8
        let xh = (6.0f32 / 11.0).sqrt();
        let xv = (6.0f32 / 8.0).sqrt();
        for i in 4..12 {
            assert_eq!(net.weight(i, i), None);
            for j in 0..12 {
                if let Some(w) = net.weight(i, j) {
                    assert!(w.abs() <= xh);
                }
            }
        }
        assert!(net.bias[..4].iter().all(|b| b.abs() <= xv));
        assert!(net.blocks[2].w[0] == 0.0 && net.blocks[2].w[9] == 0.0);
        // not symmetric
        assert_ne!(net.weight(5, 0), net.weight(0, 5));
    }

    #[test]
    fn block_rms_by_hand() {
        // a 2-neuron hidden layer with lateral weights and one input: the lateral block
        // [0, 3; -4, 0] has RMS sqrt((9 + 16) / 2) (diagonal left out), the input block
        // [1; 1] RMS 1
        let t = Topology::new(&[("in", 1, Role::Input), ("h", 2, Role::Hidden)], &[(1, 0), (1, 1)]).unwrap();
        let mut net = Network::zeros(t);
        for (i, j, w) in [(1, 0, 1.0), (2, 0, 1.0), (1, 2, 3.0), (2, 1, -4.0)] {
            net.set_weight(i, j, w).unwrap();
        }
        let rms = net.block_rms();
        assert_eq!(rms.len(), 2);
        let get = |label: &str| rms.iter().find(|(l, _)| l == label).unwrap().1;
        assert!((get("h<-in") - 1.0).abs() < 1e-12);
        assert!((get("h<-h") - 12.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn diverged_weights_are_a_typed_error_naming_the_block() {
        let t = Topology::new(&[("in", 1, Role::Input), ("h", 2, Role::Hidden)], &[(1, 0), (1, 1)]).unwrap();
        let mut net = Network::zeros(t);
        assert!(net.check_weights().is_ok());
        net.set_weight(1, 2, f32::NAN).unwrap();
        match net.check_weights() {
            Err(crate::error::SimError::WeightsDiverged { block, .. }) => assert_eq!(block, "h<-h"),
            other => panic!("{other:?}"),
        }
        net.set_weight(1, 2, 0.0).unwrap();
        net.set_weight(1, 0, 300.0).unwrap();
        assert!(matches!(net.check_weights(), Err(crate::error::SimError::WeightsDiverged { rms, .. }) if rms > 100.0));
    }

    #[test]
    fn r_and_energy_by_hand() {
        // 1 input + 1 output, W_10 = 0.5, W_01 = 0.5, b = (0.1, -0.2), sigmoid4
        let t = Topology::new(
            &[("in", 1, crate::topology::Role::Input), ("out", 1, crate::topology::Role::Output)],
            &[(1, 0), (0, 1)],
        )
        .unwrap();
        let mut net = Network::zeros(t);
        net.set_weight(1, 0, 0.5).unwrap();
        net.set_weight(0, 1, 0.5).unwrap();
        net.bias = vec![0.1, -0.2];
        let s = [0.0f32, 0.25];
        // rho = (0.5, 0.7310586); rho' = (1, 0.7864477)
        // R_0 = 1 * (0.5 * 0.7310586 + 0.1) = 0.4655293
        // R_1 = 0.7864477 * (0.5 * 0.5 - 0.2) = 0.0393224
        let r = net.r(&s, Activation::Sigmoid4);
        assert!((r[0] - 0.465_529_3).abs() < 1e-6, "{}", r[0]);
        assert!((r[1] - 0.039_322_4).abs() < 1e-6, "{}", r[1]);
        // E = 0.5 * 0.0625 - 0.5 * 2 * 0.5 * 0.5 * 0.7310586 - (0.1 * 0.5 - 0.2 * 0.7310586)
        let want = 0.03125 - 0.182_764_65 - (0.05 - 0.146_211_72);
        assert!((net.energy(&s, Activation::Sigmoid4) - want).abs() < 1e-6);
        assert_eq!(cost(&s, &[Some(1.0), None]), 0.5);
    }

    #[test]
    fn symmetry_measures() {
        let t = Topology::toy(3, 5).unwrap();
        let mut net = Network::random(t, &mut Xoshiro256PlusPlus::seed_from_u64(3));
        assert!(net.symmetry_correlation().unwrap() < 0.9);
        net.symmetrize();
        assert!((net.symmetry_correlation().unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(net.weight(4, 1), net.weight(1, 4));
        assert_eq!(net.weight(4, 6), net.weight(6, 4));
    }
}
