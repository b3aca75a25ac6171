//! The weight primitives of one feature (spec section 4): dispatch, recycle, renormalise,
//! and the three compound operations built from them, Create, Teach⁺ and Teach⁻.
//!
//! `w` is one feature's weight vector and `x` one cell input of the same length. Sums are
//! accumulated in f64 and weights stored in f32 (spec 11.1: any summation order).

use super::params::Rule;

/// `(Σ⁺w, Σ⁻w)`: the sums of the strictly positive and of the strictly negative entries.
pub fn signed_sums(w: &[f32]) -> (f64, f64) {
    let (mut p, mut n) = (0.0f64, 0.0f64);
    for &v in w {
        if v > 0.0 {
            p += v as f64;
        } else if v < 0.0 {
            n += v as f64;
        }
    }
    (p, n)
}

/// Dispatch(w, x, A): `w_i += A · x_i / Σx`; nothing when `Σx = 0`. Returns whether it
/// acted.
pub fn dispatch(w: &mut [f32], x: &[f32], amount: f32) -> bool {
    let sx: f64 = x.iter().map(|&v| v as f64).sum();
    if sx == 0.0 {
        return false;
    }
    let k = (amount as f64 / sx) as f32;
    for (wi, &xi) in w.iter_mut().zip(x) {
        *wi += k * xi;
    }
    true
}

/// Recycle⁺(w, ρ): every positive weight loses the share ρ; returns what it lost,
/// `ρ·Σ⁺w`.
pub fn recycle_positive(w: &mut [f32], rate: f32) -> f32 {
    let (p, _) = signed_sums(w);
    for v in w.iter_mut().filter(|v| **v > 0.0) {
        *v *= 1.0 - rate;
    }
    (rate as f64 * p) as f32
}

/// Recycle⁻(w, ρ): every negative weight loses the share ρ; returns `ρ·Σ⁻w` (≤ 0).
pub fn recycle_negative(w: &mut [f32], rate: f32) -> f32 {
    let (_, n) = signed_sums(w);
    for v in w.iter_mut().filter(|v| **v < 0.0) {
        *v *= 1.0 - rate;
    }
    (rate as f64 * n) as f32
}

/// Renorm⁺(w, T): the positive weights scaled so that they sum to `T`; nothing when
/// there are none (spec 11.6). Signs are read now, after any dispatch.
pub fn renorm_positive(w: &mut [f32], total: f32) {
    let (p, _) = signed_sums(w);
    if p > 0.0 {
        let k = (total as f64 / p) as f32;
        w.iter_mut().filter(|v| **v > 0.0).for_each(|v| *v *= k);
    }
}

/// Renorm⁻(w, T): the negative weights scaled so that they sum to `T` (≤ 0); nothing
/// when there are none.
pub fn renorm_negative(w: &mut [f32], total: f32) {
    let (_, n) = signed_sums(w);
    if n < 0.0 {
        let k = (total as f64 / n) as f32;
        w.iter_mut().filter(|v| **v < 0.0).for_each(|v| *v *= k);
    }
}

/// Why Create refused a cell input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The cell input is all zero.
    Blank,
    /// It has no more than the minimum number of positive entries.
    TooFewPositive(usize),
}

/// Create(f, x) on an all-zero `w` (the code's weight dispatch): `w_i = P·x_i/Σx` where
/// the stimulus is, and `v = −ratio·P/n⁺` on every entry still zero. Returns the
/// negative total `N_f = v·n⁰`, or why it refused (then `w` is untouched).
pub fn create(w: &mut [f32], x: &[f32], rule: &Rule, min_positive: usize) -> Result<f32, Refusal> {
    debug_assert!(w.iter().all(|&v| v == 0.0), "Create needs a free (all-zero) slot");
    let sx: f64 = x.iter().map(|&v| v as f64).sum();
    if sx == 0.0 {
        return Err(Refusal::Blank);
    }
    let n_pos = x.iter().filter(|&&v| v > 0.0).count();
    if n_pos <= min_positive {
        return Err(Refusal::TooFewPositive(n_pos));
    }
    dispatch(w, x, rule.positive_total);
    let v = -rule.negative_weight_ratio * rule.positive_total / n_pos as f32;
    let mut n_zero = 0usize;
    for wi in w.iter_mut().filter(|wi| **wi == 0.0) {
        *wi = v;
        n_zero += 1;
    }
    Ok(v * n_zero as f32)
}

/// Teach⁺(f, x), positive learning toward `x`: `R = Recycle⁺(w, ρ⁺)`, Dispatch(w, x, R),
/// then Renorm⁺(w, P) and Renorm⁻(w, N_f). Nothing when `Σx = 0`.
pub fn teach_positive(w: &mut [f32], x: &[f32], negative_total: f32, rule: &Rule) {
    teach(w, x, negative_total, rule, recycle_positive, rule.positive_recycle_rate);
}

/// Teach⁻(f, x), negative learning away from `x`: `R = Recycle⁻(w, ρ⁻)` (≤ 0),
/// Dispatch(w, x, R) removes weight where `x` is inked, then Renorm⁺(w, P) and
/// Renorm⁻(w, N_f). Nothing when `Σx = 0`.
pub fn teach_negative(w: &mut [f32], x: &[f32], negative_total: f32, rule: &Rule) {
    teach(w, x, negative_total, rule, recycle_negative, rule.negative_recycle_rate);
}

/// The two teachings differ only in which sign's weight is recycled and dispatched.
fn teach(w: &mut [f32], x: &[f32], negative_total: f32, rule: &Rule, recycle: fn(&mut [f32], f32) -> f32, rate: f32) {
    if x.iter().all(|&v| v == 0.0) {
        return;
    }
    let r = recycle(w, rate);
    dispatch(w, x, r);
    renorm_positive(w, rule.positive_total);
    renorm_negative(w, negative_total);
}

/// The cell's output `g(s)` (spec section 2): 0 up to `θmin`, the ceiling from `θmax`,
/// linear between.
pub fn cell_output(s: f32, theta_min: f32, theta_max: f32, output_max: f32) -> f32 {
    if s <= theta_min {
        0.0
    } else if s >= theta_max {
        output_max
    } else {
        let k = 1.0 / (theta_max - theta_min);
        k * s - k * theta_min
    }
}
