//! Inputs held for many ticks, and the net inputs through a block whose input is held
//! while nothing learns (a test: the image on the hard-clamped input layer for every tick
//! of a sample, the weights fixed): `b + X W^T` is the same every tick, so it is computed
//! once and copied while the input and the weights stay as they are. Bit for bit the
//! forward pass's own sum: the block is the first into its layer (the layer's net inputs
//! hold only the bias before it, [`super::step::shared_blocks`]), and the product runs
//! through the same GEMM with the same shapes ([`crate::linalg::affine_rows`]).

use crate::linalg::affine_rows;
use crate::network::Network;

/// A batch's input to a block, copied out of the states: `X`, `batch x pre`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Input {
    pub x: Vec<f32>,
    pub pre: usize,
}

impl Input {
    /// `batch` rows of `pre` values of `rows` (row stride `n`, from column `off`).
    pub fn gather(rows: &[f32], batch: usize, n: usize, off: usize, pre: usize) -> Input {
        Input { x: (0..batch).flat_map(|r| rows[r * n + off..][..pre].iter().copied()).collect(), pre }
    }

    /// Whether `rows` (row stride `n`, from column `off`) hold this input, bit for bit.
    pub fn held_in(&self, rows: &[f32], n: usize, off: usize) -> bool {
        self.x.chunks(self.pre).enumerate().all(|(r, x)| {
            let row = &rows[r * n + off..][..self.pre];
            row.iter().zip(x).all(|(a, b)| a.to_bits() == b.to_bits())
        })
    }
}

/// One block's net inputs for one held input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Held {
    /// The block (index into the network's blocks).
    pub block: usize,
    /// Its input.
    pub input: Input,
    /// `b + X W^T`, `batch x post`: the post layer's net inputs after this block.
    net_in: Vec<f32>,
    post: usize,
}

impl Held {
    /// The net inputs of block `block` of `net` for `batch` rows of `rho` (row stride
    /// `n`), computed as [`super::step::forward`] does: the bias, then the product added.
    pub fn new(net: &Network, block: usize, rho: &[f32], batch: usize, n: usize, parallel: bool) -> Held {
        let layers = net.topology.layers();
        let blk = &net.blocks[block];
        let (pr, po) = (&layers[blk.pre], &layers[blk.post]);
        let input = Input::gather(rho, batch, n, pr.offset, pr.size);
        let net_in = affine_rows(&input.x, batch, &blk.w, (pr.size, po.size), Some(&net.bias[po.range()]), parallel);
        Held { block, input, net_in, post: po.size }
    }

    /// Writes the net inputs into `out` (rows of stride `n`, from column `off`).
    pub fn write(&self, out: &mut [f32], n: usize, off: usize) {
        for (r, src) in self.net_in.chunks(self.post).enumerate() {
            out[r * n + off..][..self.post].copy_from_slice(src);
        }
    }
}
