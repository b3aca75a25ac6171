//! Strided single-precision GEMM: a scalar kernel for tiny problems (the toys), the
//! `matrixmultiply` kernel for large ones, split across rayon's threads by rows.

/// A read-only strided matrix view into a slice: element (r, c) is `data[off + r*rs + c*cs]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a> {
    pub data: &'a [f32],
    pub off: usize,
    pub rs: usize,
    pub cs: usize,
}

/// A mutable strided matrix view.
#[derive(Debug)]
pub(crate) struct ViewMut<'a> {
    pub data: &'a mut [f32],
    pub off: usize,
    pub rs: usize,
    pub cs: usize,
}

fn last_index(off: usize, rows: usize, cols: usize, rs: usize, cs: usize) -> usize {
    off + (rows - 1) * rs + (cols - 1) * cs
}

/// Problems with fewer multiply-adds than this use the scalar kernel.
pub(crate) const SMALL: usize = 8 * 1024;
/// Problems with more multiply-adds than this are split across threads.
const PARALLEL: usize = 1 << 20;

#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: the row chunks handed to different threads are disjoint.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

impl SendPtr {
    /// Taking `self` makes closures capture the whole wrapper (not the raw field).
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// `C[m x n] = beta * C + alpha * A[m x k] * B[k x n]`. Bounds are checked (panics on a
/// view too small: that is a bug in the caller, not bad input). With `parallel`, large
/// problems are split by rows of C across rayon's pool.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm(m: usize, k: usize, n: usize, alpha: f32, a: View, b: View, beta: f32, c: ViewMut, parallel: bool) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(last_index(c.off, m, n, c.rs, c.cs) < c.data.len(), "gemm: C view out of bounds");
    if k > 0 {
        assert!(last_index(a.off, m, k, a.rs, a.cs) < a.data.len(), "gemm: A view out of bounds");
        assert!(last_index(b.off, k, n, b.rs, b.cs) < b.data.len(), "gemm: B view out of bounds");
    }
    let work = m * n * k;
    if work <= SMALL || k == 0 {
        small(m, k, n, alpha, a, b, beta, c);
        return;
    }
    // Split the larger of C's two dimensions across threads: each part then packs only
    // its share of the operand along that dimension (the weights, in the forward pass).
    let split_cols = n > m;
    let len = if split_cols { n } else { m };
    let threads = if parallel && work > PARALLEL { rayon::current_num_threads().min(len.div_ceil(16)) } else { 1 };
    let cp = SendPtr(c.data.as_mut_ptr());
    let (ap, bp) = (a.data.as_ptr() as usize, b.data.as_ptr() as usize);
    let run = |lo: usize, hi: usize| {
        let (rows, cols, a_off, b_off, c_off) = if split_cols {
            (m, hi - lo, a.off, b.off + lo * b.cs, c.off + lo * c.cs)
        } else {
            (hi - lo, n, a.off + lo * a.rs, b.off, c.off + lo * c.rs)
        };
        // SAFETY: bounds checked above; the parts lo..hi of C are written by one call each.
        unsafe {
            matrixmultiply::sgemm(
                rows,
                k,
                cols,
                alpha,
                (ap as *const f32).add(a_off),
                a.rs as isize,
                a.cs as isize,
                (bp as *const f32).add(b_off),
                b.rs as isize,
                b.cs as isize,
                beta,
                cp.get().add(c_off),
                c.rs as isize,
                c.cs as isize,
            );
        }
    };
    split(&run, 0, len, threads);
}

/// `bias + X W^T` for `rows` rows of `x` (`rows x pre`, row-major) and the weights `w`
/// of a dense layer (`post x pre`, row-major: one row per unit): its net inputs, the bias
/// first and the product added onto it, as every forward pass of the crate sums them.
/// Without `bias`, the product alone.
pub(crate) fn affine_rows(
    x: &[f32],
    rows: usize,
    w: &[f32],
    (pre, post): (usize, usize),
    bias: Option<&[f32]>,
    parallel: bool,
) -> Vec<f32> {
    let (mut out, beta) = match bias {
        Some(b) => ((0..rows).flat_map(|_| b.iter().copied()).collect(), 1.0),
        None => (vec![0.0; rows * post], 0.0),
    };
    gemm(
        rows,
        pre,
        post,
        1.0,
        View { data: x, off: 0, rs: pre, cs: 1 },
        View { data: w, off: 0, rs: 1, cs: pre },
        beta,
        ViewMut { data: &mut out, off: 0, rs: post, cs: 1 },
        parallel,
    );
    out
}

/// Split points are multiples of this, itself a multiple of every `matrixmultiply`
/// micro-kernel's tile size (8 x 8 on AVX2, 16 x 16 on AVX-512). The kernel rounds a
/// partial edge tile differently from a full one (separate multiply and add instead of
/// a fused update), so a split that is not tile-aligned moves the edge tiles and
/// changes the last bits: parallel and serial runs would no longer be bit-identical
/// (this happened with splits on multiples of 8 on an AVX-512 machine).
const SPLIT_ALIGN: usize = 64;

/// Runs `f` on `parts` consecutive pieces of `lo..hi` (boundaries on multiples of
/// [`SPLIT_ALIGN`]), by recursive `rayon::join` (no heap allocation, unlike spawning
/// into a scope).
fn split<F: Fn(usize, usize) + Sync>(f: &F, lo: usize, hi: usize, parts: usize) {
    if parts <= 1 || hi - lo < 2 * SPLIT_ALIGN {
        f(lo, hi);
        return;
    }
    let left = parts / 2;
    // the nearest aligned point to an even share (rounding up would unbalance 784 columns
    // as 448 + 336 instead of 384 + 400)
    let share = (hi - lo) * left / parts;
    let mid = (lo + (share + SPLIT_ALIGN / 2) / SPLIT_ALIGN * SPLIT_ALIGN).clamp(lo + SPLIT_ALIGN, hi);
    rayon::join(|| split(f, lo, mid, left), || split(f, mid, hi, parts - left));
}

/// Scalar kernel for tiny problems, with contiguous fast paths for the two shapes the
/// engine uses: dot products (`A` rows and `B` columns contiguous: the forward pass) and
/// row updates (`B` and `C` rows contiguous: the rank-B weight update).
#[allow(clippy::too_many_arguments)]
fn small(m: usize, k: usize, n: usize, alpha: f32, a: View, b: View, beta: f32, c: ViewMut) {
    if beta != 1.0 {
        for i in 0..m {
            for j in 0..n {
                let ci = &mut c.data[c.off + i * c.rs + j * c.cs];
                *ci = if beta == 0.0 { 0.0 } else { beta * *ci };
            }
        }
    }
    if k == 0 {
        return;
    }
    if a.cs == 1 && b.rs == 1 {
        // four columns of C at a time: four independent accumulation chains (each dot
        // product still sums in order p = 0, 1, ..., so results equal the plain loop's)
        for i in 0..m {
            let ar = &a.data[a.off + i * a.rs..][..k];
            let col = |j: usize| &b.data[b.off + j * b.cs..][..k];
            let mut j = 0;
            while j + 4 <= n {
                let (b0, b1, b2, b3) = (col(j), col(j + 1), col(j + 2), col(j + 3));
                let mut d = [0.0f32; 4];
                for p in 0..k {
                    let x = ar[p];
                    d[0] += x * b0[p];
                    d[1] += x * b1[p];
                    d[2] += x * b2[p];
                    d[3] += x * b3[p];
                }
                for (q, dq) in d.iter().enumerate() {
                    c.data[c.off + i * c.rs + (j + q) * c.cs] += alpha * dq;
                }
                j += 4;
            }
            for j in j..n {
                let d: f32 = ar.iter().zip(col(j)).map(|(x, y)| x * y).sum();
                c.data[c.off + i * c.rs + j * c.cs] += alpha * d;
            }
        }
    } else if b.cs == 1 && c.cs == 1 {
        for i in 0..m {
            for p in 0..k {
                let x = alpha * a.data[a.off + i * a.rs + p * a.cs];
                let br = &b.data[b.off + p * b.rs..][..n];
                let cr = &mut c.data[c.off + i * c.rs..][..n];
                for (cv, bv) in cr.iter_mut().zip(br) {
                    *cv += x * bv;
                }
            }
        }
    } else {
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0.0f32;
                for p in 0..k {
                    acc += a.data[a.off + i * a.rs + p * a.cs] * b.data[b.off + p * b.rs + j * b.cs];
                }
                c.data[c.off + i * c.rs + j * c.cs] += alpha * acc;
            }
        }
    }
}

/// `C = beta C + alpha A B` on contiguous row-major `A` (`m x k`), `B` (`k x n`) and `C`.
#[allow(clippy::too_many_arguments)]
fn gemm_row_major(m: usize, k: usize, n: usize, alpha: f32, a: &[f32], b: &[f32], beta: f32, c: &mut [f32], par: bool) {
    gemm(
        m,
        k,
        n,
        alpha,
        View { data: a, off: 0, rs: k, cs: 1 },
        View { data: b, off: 0, rs: n, cs: 1 },
        beta,
        ViewMut { data: c, off: 0, rs: n, cs: 1 },
        par,
    );
}

/// The GEMM kernel's speed on an `m x k` by `k x n` f32 product on all of rayon's threads,
/// for benchmarks: the product is repeated for at least `min_seconds` (and at least
/// twice; the first, warm-up, repetition is not counted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgemmRate {
    /// Total FLOPs over total time: what the kernel sustains (clock speeds under sustained
    /// vector load included), comparable with a model's average over a run.
    pub sustained_gflops: f64,
    /// The fastest single repetition: a short burst, at the highest clock speed.
    pub burst_gflops: f64,
    /// Repetitions timed.
    pub reps: usize,
}

/// Measures [`SgemmRate`] (see there).
pub fn measure_sgemm_gflops(m: usize, k: usize, n: usize, min_seconds: f64) -> SgemmRate {
    let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
    let mut c = vec![0.0f32; m * n];
    let mut run = || {
        let t = std::time::Instant::now();
        gemm_row_major(m, k, n, 1.0, &a, &b, 0.0, &mut c, true);
        t.elapsed().as_secs_f64()
    };
    run();
    let (mut total, mut best, mut reps) = (0.0f64, f64::MAX, 0usize);
    while reps < 2 || total < min_seconds {
        let dt = run();
        total += dt;
        best = best.min(dt);
        reps += 1;
    }
    let flop = 2.0 * (m * k * n) as f64;
    SgemmRate { sustained_gflops: flop * reps as f64 / total / 1e9, burst_gflops: flop / best / 1e9, reps }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] as f64 * b[p * n + j] as f64).sum();
            }
        }
        c
    }

    #[test]
    fn small_and_large_kernels_agree_with_reference() {
        for &(m, k, n) in &[(1, 4, 8), (3, 5, 2), (64, 70, 90), (130, 257, 33)] {
            let a: Vec<f32> = (0..m * k).map(|i| ((i * 7 % 13) as f32 - 6.0) / 7.0).collect();
            let b: Vec<f32> = (0..k * n).map(|i| ((i * 5 % 11) as f32 - 5.0) / 5.0).collect();
            let want = reference(m, k, n, &a, &b);
            for par in [false, true] {
                let mut c = vec![1.0f32; m * n];
                gemm_row_major(m, k, n, 2.0, &a, &b, 0.5, &mut c, par);
                for (x, w) in c.iter().zip(&want) {
                    assert!((*x as f64 - (0.5 + 2.0 * w)).abs() < 1e-3, "{m}x{k}x{n}: {x} vs {w}");
                }
            }
        }
    }

    /// Regression: splits on multiples of 8 moved the AVX-512 kernel's 16-wide edge tiles,
    /// so the split product differed from the serial one in the last bits.
    #[test]
    fn split_products_are_bit_identical_to_serial_ones() {
        // column splits (n > m) and row splits (m > n), sizes that are not tile multiples,
        // all above the parallel threshold
        for &(m, k, n) in &[(64, 300, 200), (200, 32, 300), (300, 64, 100), (150, 100, 90)] {
            assert!(m * k * n > PARALLEL);
            let a: Vec<f32> = (0..m * k).map(|i| ((i * 37 % 101) as f32 - 50.0) / 37.0).collect();
            let b: Vec<f32> = (0..k * n).map(|i| ((i * 53 % 97) as f32 - 48.0) / 53.0).collect();
            let run = |par: bool| {
                let mut c: Vec<f32> = (0..m * n).map(|i| (i % 7) as f32 / 3.0).collect();
                gemm_row_major(m, k, n, 0.3, &a, &b, 0.9, &mut c, par);
                c.iter().map(|x| x.to_bits()).collect::<Vec<u32>>()
            };
            let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
            assert_eq!(pool.install(|| run(true)), run(false), "{m}x{k}x{n}");
        }
    }

    #[test]
    fn transposed_strides() {
        // C = A^T B with A stored 2x3 row-major, used as 3x2
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0, 0.0, 0.0, 1.0];
        let mut c = [0.0f32; 6];
        gemm(
            3,
            2,
            2,
            1.0,
            View { data: &a, off: 0, rs: 1, cs: 3 },
            View { data: &b, off: 0, rs: 2, cs: 1 },
            0.0,
            ViewMut { data: &mut c, off: 0, rs: 2, cs: 1 },
            false,
        );
        assert_eq!(c, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }
}
