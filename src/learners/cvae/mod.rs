//! The long-term memory (paper sections 3.2-3.3): a conditional variational autoencoder
//! that stores each class as a distribution and recalls a new, varied sample for a
//! requested label. Tensors and gradients: candle.
//!
//! - **Type A** (eq. 2-9): the label enters encoder and decoder; the prior is N(0, I);
//!   loss = KL(Q || P) + reconstruction + λ MSE(x, x̂).
//! - **Type B** (eq. 10-14, "recognition + memorisation"): encoder and decoder see no
//!   label; the prior of class i is N(λ₁ [onehot(i), 0], I), the λ₁-hot vector padded
//!   with zeros to the latent size, so the encoder's mean is a classifier too (the
//!   nearest class centre).
//!
//! Reconstruction is the binary cross-entropy of the decoder's logits against the pixels
//! (summed over pixels); every loss term is a mean over the batch. Weights are drawn from
//! the caller's seeded generator (candle's CPU generator cannot be seeded), and so is the
//! reparameterisation noise, so a run is reproducible on one machine.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

#[cfg(feature = "cvae")]
mod net;
#[cfg(feature = "cvae")]
pub use net::{Cvae, CvaeLearner};
#[cfg(not(feature = "cvae"))]
mod absent;
#[cfg(not(feature = "cvae"))]
pub use absent::{Cvae, CvaeLearner};

/// Refuses a CVAE in a build without the feature `cvae`, naming `what` asks for it.
pub fn require(what: impl FnOnce() -> String) -> Result<(), ConfigError> {
    if cfg!(feature = "cvae") { Ok(()) } else { Err(ConfigError::FeatureMissing { what: what(), feature: "cvae" }) }
}

/// Which long-term memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CvaeKind {
    /// The label enters encoder and decoder; prior N(0, I).
    A,
    /// No label in the networks; prior N(λ₁ [onehot(i), 0], I).
    B,
}

impl std::fmt::Display for CvaeKind {
    /// `A` or `B`, as the paper names them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CvaeKind::A => "A",
            CvaeKind::B => "B",
        })
    }
}

/// Settings of a long-term memory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CvaeConfig {
    /// Type A or B.
    pub kind: CvaeKind,
    /// Hidden units of the encoder and of the decoder (one layer each).
    pub hidden: usize,
    /// Latent size (type B needs at least the number of classes).
    pub latent: usize,
    /// λ₁ of type B: the distance of the class centres (>= 6 so that they do not
    /// overlap, section 3.3).
    pub lambda_prior: f32,
    /// λ of the MSE term (eq. 9, 14).
    pub lambda_mse: f32,
    /// Adam's learning rate.
    pub lr: f64,
}

impl Default for CvaeConfig {
    /// 784 - 256 - 16 - 256 - 784: a latent of 16 holds type B's ten class directions
    /// and six free ones; one hidden layer of 256 keeps an epoch of MNIST near ten
    /// seconds on 2 cores.
    fn default() -> Self {
        CvaeConfig { kind: CvaeKind::A, hidden: 256, latent: 16, lambda_prior: 6.0, lambda_mse: 1.0, lr: 1e-3 }
    }
}

impl CvaeConfig {
    /// Checks the settings for `classes` classes.
    pub fn validate(&self, classes: usize) -> Result<(), ConfigError> {
        if self.hidden == 0 || self.latent == 0 {
            let field = if self.hidden == 0 { "hidden" } else { "latent" };
            return Err(ConfigError::NonPositive { field, value: 0.0 });
        }
        if self.kind == CvaeKind::B && self.latent < classes {
            return Err(ConfigError::Invalid {
                field: "latent",
                reason: format!(
                    "type B needs a latent of at least {classes} (one direction per class), got {}",
                    self.latent
                ),
            });
        }
        for (field, v) in [("lambda_prior", self.lambda_prior), ("lambda_mse", self.lambda_mse)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ConfigError::OutOfRange { field, value: v as f64, range: "[0, inf)" });
            }
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(ConfigError::NonPositive { field: "lr", value: self.lr });
        }
        Ok(())
    }

    /// Checks that a memory of these settings for `pixels` inputs, `classes` classes and
    /// batches of `batch` fits in the free memory: encoder and decoder weights with Adam's
    /// two moments and the gradients, and a batch's activations through both (a few
    /// copies each for autodiff).
    pub fn fits(&self, pixels: usize, classes: usize, batch: usize) -> Result<(), ConfigError> {
        let (p, c, h, l, b) =
            (pixels as u128, classes as u128, self.hidden as u128, self.latent as u128, batch as u128);
        let params = (p + c) * h + h * 2 * l + (l + c) * h + h * p;
        let activations = b * (2 * p + 2 * c + 2 * h + 4 * l);
        crate::config::fits_in_memory(
            || "the conditional VAE (long_term hidden, latent, batch)".into(),
            4 * (4 * params + 8 * activations),
        )
    }
}
