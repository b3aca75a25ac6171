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

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{Linear, Module, Optimizer};
use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::error::{AssociationError, ConfigError};
use crate::sim::SimRng;

/// Which long-term memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CvaeKind {
    /// The label enters encoder and decoder; prior N(0, I).
    A,
    /// No label in the networks; prior N(λ₁ [onehot(i), 0], I).
    B,
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
            return Err(ConfigError::Topology("a CVAE needs hidden and latent sizes of at least 1".into()));
        }
        if self.kind == CvaeKind::B && self.latent < classes {
            return Err(ConfigError::Topology(format!(
                "type B needs a latent of at least {classes} (one direction per class), got {}",
                self.latent
            )));
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
}

/// A conditional VAE (see the module docs).
#[derive(Debug)]
pub struct Cvae {
    cfg: CvaeConfig,
    pixels: usize,
    classes: usize,
    enc: Linear,
    enc_mu: Linear,
    enc_logvar: Linear,
    dec: Linear,
    dec_out: Linear,
    opt: candle_nn::AdamW,
}

fn candle(e: candle_core::Error) -> AssociationError {
    AssociationError::Tensor(e.to_string())
}

/// A linear layer with weights from `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`, zero bias.
fn layer(fan_in: usize, fan_out: usize, rng: &mut SimRng, vars: &mut Vec<Var>) -> Result<Linear, AssociationError> {
    let bound = 1.0 / (fan_in as f32).sqrt();
    let w: Vec<f32> = (0..fan_in * fan_out).map(|_| rng.random_range(-bound..bound)).collect();
    let w = Var::from_vec(w, (fan_out, fan_in), &Device::Cpu).map_err(candle)?;
    let b = Var::zeros(fan_out, DType::F32, &Device::Cpu).map_err(candle)?;
    let lin = Linear::new(w.as_tensor().clone(), Some(b.as_tensor().clone()));
    vars.push(w);
    vars.push(b);
    Ok(lin)
}

fn normals(n: usize, rng: &mut SimRng) -> Vec<f32> {
    let d = rand_distr::StandardNormal;
    (0..n).map(|_| rand_distr::Distribution::<f32>::sample(&d, rng)).collect()
}

impl Cvae {
    /// A new memory for images of `pixels` values and `classes` labels, weights from `rng`.
    pub fn new(cfg: CvaeConfig, pixels: usize, classes: usize, rng: &mut SimRng) -> Result<Cvae, AssociationError> {
        cfg.validate(classes).map_err(|e| AssociationError::Settings(e.to_string()))?;
        let cond = if cfg.kind == CvaeKind::A { classes } else { 0 };
        let mut vars = Vec::new();
        let enc = layer(pixels + cond, cfg.hidden, rng, &mut vars)?;
        let enc_mu = layer(cfg.hidden, cfg.latent, rng, &mut vars)?;
        let enc_logvar = layer(cfg.hidden, cfg.latent, rng, &mut vars)?;
        let dec = layer(cfg.latent + cond, cfg.hidden, rng, &mut vars)?;
        let dec_out = layer(cfg.hidden, pixels, rng, &mut vars)?;
        let params = candle_nn::ParamsAdamW { lr: cfg.lr, weight_decay: 0.0, ..Default::default() };
        let opt = candle_nn::AdamW::new(vars, params).map_err(candle)?;
        Ok(Cvae { cfg, pixels, classes, enc, enc_mu, enc_logvar, dec, dec_out, opt })
    }

    /// Its settings.
    pub fn config(&self) -> &CvaeConfig {
        &self.cfg
    }

    fn one_hot(&self, labels: &[usize], scale: f32, width: usize) -> Result<Tensor, AssociationError> {
        let mut v = vec![0.0f32; labels.len() * width];
        for (r, &l) in labels.iter().enumerate() {
            v[r * width + l] = scale;
        }
        Tensor::from_vec(v, (labels.len(), width), &Device::Cpu).map_err(candle)
    }

    fn with_label(&self, t: &Tensor, labels: &[usize]) -> Result<Tensor, AssociationError> {
        if self.cfg.kind == CvaeKind::B {
            return Ok(t.clone());
        }
        Tensor::cat(&[t, &self.one_hot(labels, 1.0, self.classes)?], 1).map_err(candle)
    }

    /// The encoder's mean and log-variance for a batch.
    fn encode(&self, x: &Tensor, labels: &[usize]) -> Result<(Tensor, Tensor), AssociationError> {
        let h = self.enc.forward(&self.with_label(x, labels)?).and_then(|h| h.relu()).map_err(candle)?;
        Ok((self.enc_mu.forward(&h).map_err(candle)?, self.enc_logvar.forward(&h).map_err(candle)?))
    }

    /// The decoder's logits for a batch of latent codes.
    fn decode(&self, z: &Tensor, labels: &[usize]) -> Result<Tensor, AssociationError> {
        let h = self.dec.forward(&self.with_label(z, labels)?).and_then(|h| h.relu()).map_err(candle)?;
        self.dec_out.forward(&h).map_err(candle)
    }

    /// The prior's means for `labels`: zero (type A) or λ₁ [onehot, 0] (type B).
    fn prior_mean(&self, labels: &[usize]) -> Result<Tensor, AssociationError> {
        match self.cfg.kind {
            CvaeKind::A => Tensor::zeros((labels.len(), self.cfg.latent), DType::F32, &Device::Cpu).map_err(candle),
            CvaeKind::B => self.one_hot(labels, self.cfg.lambda_prior, self.cfg.latent),
        }
    }

    fn batch(&self, images: &[&[f32]]) -> Result<Tensor, AssociationError> {
        if let Some(bad) = images.iter().find(|i| i.len() != self.pixels) {
            return Err(AssociationError::Settings(format!(
                "an image of {} values for a memory of {} pixels",
                bad.len(),
                self.pixels
            )));
        }
        Tensor::from_vec(images.concat(), (images.len(), self.pixels), &Device::Cpu).map_err(candle)
    }

    /// One Adam step on a batch; returns the loss (KL + reconstruction + λ MSE, means
    /// over the batch).
    pub fn train_step(
        &mut self,
        images: &[&[f32]],
        labels: &[usize],
        rng: &mut SimRng,
    ) -> Result<f64, AssociationError> {
        if let Some(&l) = labels.iter().find(|&&l| l >= self.classes) {
            return Err(AssociationError::NoClass { label: l, classes: self.classes });
        }
        let x = self.batch(images)?;
        let n = images.len();
        let (mu, logvar) = self.encode(&x, labels)?;
        let eps =
            Tensor::from_vec(normals(n * self.cfg.latent, rng), (n, self.cfg.latent), &Device::Cpu).map_err(candle)?;
        let loss = (|| -> candle_core::Result<Tensor> {
            let z = (&mu + (logvar.affine(0.5, 0.0)?.exp()? * &eps)?)?;
            let logits = self.decode(&z, labels).map_err(|e| candle_core::Error::Msg(e.to_string()))?;
            // binary cross-entropy with logits, summed over pixels
            let bce = (logits.relu()? - (&logits * &x)? + (logits.abs()?.neg()?.exp()? + 1.0)?.log()?)?;
            let recon = (bce.sum_all()? / n as f64)?;
            let m = self.prior_mean(labels).map_err(|e| candle_core::Error::Msg(e.to_string()))?;
            let kl = (((logvar.exp()? + (&mu - &m)?.sqr()?)? - 1.0)? - &logvar)?;
            let kl = (kl.sum_all()? * (0.5 / n as f64))?;
            let mse = ((candle_nn::ops::sigmoid(&logits)? - &x)?.sqr()?.sum_all()?
                * (self.cfg.lambda_mse as f64 / n as f64))?;
            (kl + recon)? + mse
        })()
        .map_err(candle)?;
        self.opt.backward_step(&loss).map_err(candle)?;
        let v = loss.to_scalar::<f32>().map_err(candle)? as f64;
        if !v.is_finite() {
            return Err(AssociationError::Tensor(format!("the loss is {v}: lower lr")));
        }
        Ok(v)
    }

    /// `n` new images of `label`: latent codes drawn from the label's prior, decoded
    /// (pixel probabilities in [0, 1]).
    pub fn recall(&self, label: usize, n: usize, rng: &mut SimRng) -> Result<Vec<Vec<f32>>, AssociationError> {
        if label >= self.classes {
            return Err(AssociationError::NoClass { label, classes: self.classes });
        }
        let labels = vec![label; n];
        let eps =
            Tensor::from_vec(normals(n * self.cfg.latent, rng), (n, self.cfg.latent), &Device::Cpu).map_err(candle)?;
        let z = (eps + self.prior_mean(&labels)?).map_err(candle)?;
        let p = self.decode(&z, &labels).and_then(|l| candle_nn::ops::sigmoid(&l).map_err(candle))?;
        p.to_vec2::<f32>().map_err(candle)
    }

    /// Type B's recognition: the class whose centre λ₁ onehot(i) is nearest to the
    /// encoder's mean, for each image. An error for type A, whose encoder needs the label.
    pub fn classify(&self, images: &[&[f32]]) -> Result<Vec<usize>, AssociationError> {
        if self.cfg.kind != CvaeKind::B {
            return Err(AssociationError::Settings("only type B's encoder is a classifier".into()));
        }
        let (mu, _) = self.encode(&self.batch(images)?, &[])?;
        let mu = mu.to_vec2::<f32>().map_err(candle)?;
        Ok(mu
            .iter()
            .map(|m| {
                // |m - λ e_i|² = |m|² - 2 λ m_i + λ²: the nearest centre has the largest m_i
                (0..self.classes).max_by(|&a, &b| m[a].total_cmp(&m[b])).unwrap_or(0)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng_from_seed;

    /// Two classes of 4-pixel images, each a fixed pattern.
    fn patterns() -> (Vec<Vec<f32>>, Vec<usize>) {
        let imgs: Vec<Vec<f32>> =
            (0..32).map(|i| if i % 2 == 0 { vec![1.0, 1.0, 0.0, 0.0] } else { vec![0.0, 0.0, 1.0, 1.0] }).collect();
        (imgs, (0..32).map(|i| i % 2).collect())
    }

    #[test]
    fn both_types_learn_to_recall_their_classes_and_b_recognises() {
        let (imgs, labels) = patterns();
        let views: Vec<&[f32]> = imgs.iter().map(|v| v.as_slice()).collect();
        for (kind, latent) in [(CvaeKind::A, 1), (CvaeKind::A, 4), (CvaeKind::B, 2)] {
            let cfg = CvaeConfig { kind, hidden: 16, latent, lr: 1e-2, ..CvaeConfig::default() };
            let mut rng = rng_from_seed(1);
            let mut m = Cvae::new(cfg, 4, 2, &mut rng).unwrap();
            let first = m.train_step(&views, &labels, &mut rng).unwrap();
            let mut last = first;
            for _ in 0..300 {
                last = m.train_step(&views, &labels, &mut rng).unwrap();
            }
            assert!(last < first, "{kind:?}: loss {first} -> {last}");
            for c in 0..2 {
                for img in m.recall(c, 5, &mut rng).unwrap() {
                    let (left, right) = (img[0] + img[1], img[2] + img[3]);
                    assert_eq!(left > right, c == 0, "{kind:?} recalled {img:?} for class {c}");
                }
            }
            if kind == CvaeKind::B {
                assert_eq!(m.classify(&views).unwrap(), labels);
            } else {
                assert!(m.classify(&views).is_err());
            }
        }
    }

    #[test]
    fn bad_settings_and_input_are_typed_errors() {
        let mut rng = rng_from_seed(1);
        let b = CvaeConfig { kind: CvaeKind::B, latent: 5, ..CvaeConfig::default() };
        assert!(Cvae::new(b, 4, 10, &mut rng).is_err(), "type B needs a latent of at least 10");
        assert!(Cvae::new(CvaeConfig { lr: f64::NAN, ..CvaeConfig::default() }, 4, 2, &mut rng).is_err());
        let mut m = Cvae::new(CvaeConfig { hidden: 4, latent: 2, ..CvaeConfig::default() }, 4, 2, &mut rng).unwrap();
        assert!(m.train_step(&[&[0.0; 3]], &[0], &mut rng).is_err());
        assert!(m.train_step(&[&[0.0; 4]], &[2], &mut rng).is_err());
        assert!(m.recall(2, 1, &mut rng).is_err());
    }
}
