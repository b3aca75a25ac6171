//! The net inputs through a block whose input is held while nothing learns (a test: the
//! image on the hard-clamped input layer for every tick of a sample, the weights fixed):
//! `b + X W^T` is the same every tick, so it is computed once and copied while the input
//! and the weights stay as they are. Bit for bit the forward pass's own sum: the block
//! is the first into its layer (the layer's net inputs hold only the bias before it,
//! [`super::step::shared_blocks`]), and the product runs through the same GEMM with the
//! same shapes.

use crate::linalg::{View, ViewMut, gemm};
use crate::network::Network;

/// One block's net inputs for one held input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Held {
    /// The block (index into the network's blocks).
    pub block: usize,
    /// The input `X`, `batch x pre`.
    x: Vec<f32>,
    /// `b + X W^T`, `batch x post`: the post layer's net inputs after this block.
    net_in: Vec<f32>,
    pre: usize,
    post: usize,
}

impl Held {
    /// The net inputs of block `block` of `net` for `batch` rows of `rho` (row stride
    /// `n`), computed as [`super::step::forward`] does: the bias, then the product added.
    pub fn new(net: &Network, block: usize, rho: &[f32], batch: usize, n: usize, parallel: bool) -> Held {
        let layers = net.topology.layers();
        let blk = &net.blocks[block];
        let (pr, po) = (&layers[blk.pre], &layers[blk.post]);
        let x: Vec<f32> = (0..batch).flat_map(|r| rho[r * n + pr.offset..][..pr.size].iter().copied()).collect();
        let mut net_in: Vec<f32> = (0..batch).flat_map(|_| net.bias[po.range()].iter().copied()).collect();
        gemm(
            batch,
            pr.size,
            po.size,
            1.0,
            View { data: &x, off: 0, rs: pr.size, cs: 1 },
            View { data: &blk.w, off: 0, rs: 1, cs: pr.size },
            1.0,
            ViewMut { data: &mut net_in, off: 0, rs: po.size, cs: 1 },
            parallel,
        );
        Held { block, x, net_in, pre: pr.size, post: po.size }
    }

    /// Whether `rows` (row stride `n`, from column `off`) hold this input, bit for bit.
    pub fn holds(&self, rows: &[f32], n: usize, off: usize) -> bool {
        self.x.chunks(self.pre).enumerate().all(|(r, x)| {
            let row = &rows[r * n + off..][..self.pre];
            row.iter().zip(x).all(|(a, b)| a.to_bits() == b.to_bits())
        })
    }

    /// Writes the net inputs into `out` (rows of stride `n`, from column `off`).
    pub fn write(&self, out: &mut [f32], n: usize, off: usize) {
        for (r, src) in self.net_in.chunks(self.post).enumerate() {
            out[r * n + off..][..self.post].copy_from_slice(src);
        }
    }
}
