//! Activation functions `rho` (section 1 of the model).

use serde::{Deserialize, Serialize};

/// The activation `rho` applied to a neuron's internal state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `1 / (1 + exp(-4 s))`: rho(0) = 0.5, rho'(0) = 1. The paper's choice.
    #[default]
    Sigmoid4,
    /// `clip(s, 0, 1)`, with states clipped to `[0, 1]` after each step (as in EP).
    HardSigmoid,
}

impl Activation {
    /// `rho(s)`.
    #[inline]
    pub fn rho(self, s: f32) -> f32 {
        match self {
            Activation::Sigmoid4 => 1.0 / (1.0 + (-4.0 * s).exp()),
            Activation::HardSigmoid => s.clamp(0.0, 1.0),
        }
    }

    /// `rho'(s)` given `r = rho(s)`: `4 r (1 - r)` for the sigmoid (no exponential), 1 on
    /// `[0, 1]` and 0 outside for the hard sigmoid. The one formula of `rho'`: the step
    /// keeps `rho(s)` beside `s`, so it never recomputes it.
    #[inline]
    pub fn rho_prime_at(self, s: f32, r: f32) -> f32 {
        match self {
            Activation::Sigmoid4 => 4.0 * r * (1.0 - r),
            Activation::HardSigmoid => {
                if (0.0..=1.0).contains(&s) {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// `rho'(s)`.
    #[inline]
    pub fn rho_prime(self, s: f32) -> f32 {
        self.rho_prime_at(s, self.rho(s))
    }

    /// `(rho(s), rho'(s))` with one exponential.
    #[inline]
    pub fn rho_and_prime(self, s: f32) -> (f32, f32) {
        let r = self.rho(s);
        (r, self.rho_prime_at(s, r))
    }

    /// Projects a state onto the activation's domain (clipping for the hard sigmoid).
    #[inline]
    pub fn clip_state(self, s: f32) -> f32 {
        match self {
            Activation::Sigmoid4 => s,
            Activation::HardSigmoid => s.clamp(0.0, 1.0),
        }
    }

    /// Upper bound of `|rho''|`, used to bound the Lipschitz constant of the energy
    /// gradient (the stable step size of the property tests).
    pub fn max_abs_rho_second(self) -> f32 {
        match self {
            // rho'' = 16 r (1-r)(1-2r), maximal |.| = 16 * sqrt(3)/18 ~ 1.5396
            Activation::Sigmoid4 => 1.54,
            Activation::HardSigmoid => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid4_hand_values() {
        let a = Activation::Sigmoid4;
        assert_eq!(a.rho(0.0), 0.5);
        assert_eq!(a.rho_prime(0.0), 1.0);
        // rho(0.25) = 1/(1+e^-1) = 0.7310586
        assert!((a.rho(0.25) - 0.731_058_6).abs() < 1e-6);
        // rho'(0.25) = 4 * 0.7310586 * 0.2689414 = 0.7864477
        assert!((a.rho_prime(0.25) - 0.786_447_7).abs() < 1e-6);
    }

    #[test]
    fn hard_sigmoid_clips() {
        let a = Activation::HardSigmoid;
        assert_eq!(a.rho(-0.5), 0.0);
        assert_eq!(a.rho(0.3), 0.3);
        assert_eq!(a.rho(1.7), 1.0);
        assert_eq!(a.rho_prime(0.3), 1.0);
        assert_eq!(a.rho_prime(1.5), 0.0);
        assert_eq!(a.clip_state(-2.0), 0.0);
    }

    #[test]
    fn sigmoid4_second_derivative_bound_holds() {
        let a = Activation::Sigmoid4;
        let h = 1e-3f64;
        let mut worst = 0.0f64;
        for i in -4000..4000 {
            let s = i as f64 * 1e-3;
            let d2 = (a.rho_prime((s + h) as f32) as f64 - a.rho_prime((s - h) as f32) as f64) / (2.0 * h);
            worst = worst.max(d2.abs());
        }
        assert!(worst <= a.max_abs_rho_second() as f64, "{worst}");
        assert!(worst > 1.4, "{worst}");
    }
}
