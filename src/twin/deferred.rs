//! Deferred updates of a block whose presynaptic layer holds one input for many ticks
//! (the image on the hard-clamped input layer, the same in both nets).
//!
//! Each tick the rule changes such a block by `W <- c W + s P^T X` (eq. 15, with the
//! weight decay in `c`; the smoothing derivative has the same form), where `X` is the
//! batch's input, `batch x pre`, fixed while the image is held, and `P` is `batch x post`.
//! So after any number of ticks `W = f W0 + A^T X`, with `f` the product of the `c` and
//! `A <- c A + s P`, and the block's product for the next tick is
//! `X W^T = f (X W0^T) + (X X^T) A`: a `batch x batch` Gram matrix times `A` instead of a
//! product and an update over the `pre x post` weights every tick. The weights are
//! brought up to date (`W <- f W + A^T X`) when the input changes, before anything else
//! reads them (the end of [`crate::Simulation::run_until`]), or when an update reads
//! another presynaptic rate. The same in real arithmetic as updating every tick; not the
//! same bits (the sums run in another order), so it is an option of the simulation
//! ([`crate::Simulation::set_deferred_updates`]).

use super::held::Input;
use crate::linalg::{View, ViewMut, affine_rows, gemm};
use crate::network::Block;

/// One block's accumulated updates since its input was last seen to change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Deferred {
    /// The block (index into the network's blocks).
    pub block: usize,
    /// The input `X`, `batch x pre`.
    pub input: Input,
    /// `X X^T`, `batch x batch`.
    gram: Vec<f32>,
    /// `X W0^T`, `batch x post`: the product when the input was first seen.
    c0: Vec<f32>,
    /// `A`, `batch x post`.
    a: Vec<f32>,
    /// `f`, the product of the decay factors since `W0`.
    f: f32,
    /// Whether any update has come (else `A = 0` and `f = 1`).
    updated: bool,
    batch: usize,
    pre: usize,
    post: usize,
}

impl Deferred {
    /// Starts deferring `blk` (index `block`) for `input` (`batch` rows): computes
    /// `X W^T` and `X X^T`.
    pub fn start(block: usize, blk: &Block, input: Input, batch: usize, post: usize, par: bool) -> Deferred {
        let pre = input.pre;
        let c0 = affine_rows(&input.x, batch, &blk.w, (pre, post), None, par);
        let gram = affine_rows(&input.x, batch, &input.x, (pre, batch), None, par);
        Deferred { block, input, gram, c0, a: vec![0.0; batch * post], f: 1.0, updated: false, batch, pre, post }
    }

    /// Adds the block's product `f X W0^T + (X X^T) A` to `out` (`batch` rows of stride
    /// `n`, from column `off`).
    pub fn add_product(&self, out: &mut [f32], n: usize, off: usize, par: bool) {
        for r in 0..self.batch {
            let (o, c) = (&mut out[r * n + off..][..self.post], &self.c0[r * self.post..][..self.post]);
            o.iter_mut().zip(c).for_each(|(o, c)| *o += self.f * c);
        }
        if self.updated {
            gemm(
                self.batch,
                self.batch,
                self.post,
                1.0,
                View { data: &self.gram, off: 0, rs: self.batch, cs: 1 },
                View { data: &self.a, off: 0, rs: self.post, cs: 1 },
                1.0,
                ViewMut { data: out, off, rs: n, cs: 1 },
                par,
            );
        }
    }

    /// Records the update `W <- c W + s P^T X`, `P` the `batch` rows of `post` (stride
    /// `n`, from column `off`).
    pub fn record(&mut self, post: &[f32], n: usize, off: usize, c: f32, s: f32) {
        for r in 0..self.batch {
            let (a, p) = (&mut self.a[r * self.post..][..self.post], &post[r * n + off..][..self.post]);
            a.iter_mut().zip(p).for_each(|(a, p)| *a = c * *a + s * p);
        }
        self.f *= c;
        self.updated = true;
    }

    /// Brings the weights up to date: `W <- f W + A^T X`.
    pub fn flush(self, blk: &mut Block, par: bool) {
        if !self.updated {
            return;
        }
        gemm(
            self.post,
            self.batch,
            self.pre,
            1.0,
            View { data: &self.a, off: 0, rs: 1, cs: self.post },
            View { data: &self.input.x, off: 0, rs: self.pre, cs: 1 },
            self.f,
            ViewMut { data: &mut blk.w, off: 0, rs: self.pre, cs: 1 },
            par,
        );
    }
}
