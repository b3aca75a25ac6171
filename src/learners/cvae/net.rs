//! The conditional VAE's networks, on candle (the cargo feature `cvae`).

use std::path::Path;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{Linear, Module, Optimizer};
use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::{CvaeConfig, CvaeKind};
use crate::checkpoint;
use crate::data::mnist::Dataset;
use crate::error::{AssociationError, CheckpointError, Error};
use crate::learners::{Learner, LearnerKind, Variety};
use crate::sim::{SimRng, rng_from_seed};

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

/// A linear layer of `fan_in -> fan_out` with weights `w` (`fan_out x fan_in`, row
/// major) and bias `b`, its variables added to `vars`.
fn linear(w: Vec<f32>, b: Vec<f32>, fan_in: usize, vars: &mut Vec<Var>) -> Result<Linear, AssociationError> {
    let fan_out = b.len();
    let w = Var::from_vec(w, (fan_out, fan_in), &Device::Cpu).map_err(candle)?;
    let b = Var::from_vec(b, fan_out, &Device::Cpu).map_err(candle)?;
    let lin = Linear::new(w.as_tensor().clone(), Some(b.as_tensor().clone()));
    vars.push(w);
    vars.push(b);
    Ok(lin)
}

/// Weights from `U(-1/sqrt(fan_in), 1/sqrt(fan_in))` and a zero bias.
fn init(fan_in: usize, fan_out: usize, rng: &mut SimRng) -> (Vec<f32>, Vec<f32>) {
    let bound = 1.0 / (fan_in as f32).sqrt();
    ((0..fan_in * fan_out).map(|_| rng.random_range(-bound..bound)).collect(), vec![0.0; fan_out])
}

/// A memory's weights as plain numbers: what [`Cvae::save`] writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Weights {
    cfg: CvaeConfig,
    pixels: usize,
    classes: usize,
    /// `(weights, bias)` of the encoder, its mean and log-variance heads, the decoder and
    /// its output, in that order.
    layers: Vec<(Vec<f32>, Vec<f32>)>,
}

fn normals(n: usize, rng: &mut SimRng) -> Vec<f32> {
    let d = rand_distr::StandardNormal;
    (0..n).map(|_| rand_distr::Distribution::<f32>::sample(&d, rng)).collect()
}

impl Cvae {
    /// A new memory for images of `pixels` values and `classes` labels, weights from `rng`.
    pub fn new(cfg: CvaeConfig, pixels: usize, classes: usize, rng: &mut SimRng) -> Result<Cvae, AssociationError> {
        cfg.validate(classes).map_err(|e| AssociationError::Settings(e.to_string()))?;
        let layers = Self::fan(&cfg, pixels, classes).iter().map(|&(i, o)| init(i, o, rng)).collect();
        Self::assemble(Weights { cfg, pixels, classes, layers })
    }

    /// `(fan_in, fan_out)` of each layer, in the order of [`Weights::layers`].
    fn fan(cfg: &CvaeConfig, pixels: usize, classes: usize) -> [(usize, usize); 5] {
        let cond = if cfg.kind == CvaeKind::A { classes } else { 0 };
        [
            (pixels + cond, cfg.hidden),
            (cfg.hidden, cfg.latent),
            (cfg.hidden, cfg.latent),
            (cfg.latent + cond, cfg.hidden),
            (cfg.hidden, pixels),
        ]
    }

    fn assemble(w: Weights) -> Result<Cvae, AssociationError> {
        let fan = Self::fan(&w.cfg, w.pixels, w.classes);
        let fits = w.layers.len() == 5
            && w.layers.iter().zip(&fan).all(|((wt, b), &(i, o))| wt.len() == i * o && b.len() == o);
        if !fits {
            return Err(AssociationError::Settings("the weights do not match the memory's sizes".into()));
        }
        let mut vars = Vec::new();
        let mut lin = w.layers.into_iter().zip(fan).map(|((wt, b), (i, _))| linear(wt, b, i, &mut vars));
        let mut next = || lin.next().expect("five layers");
        let (enc, enc_mu, enc_logvar, dec, dec_out) = (next()?, next()?, next()?, next()?, next()?);
        let params = candle_nn::ParamsAdamW { lr: w.cfg.lr, weight_decay: 0.0, ..Default::default() };
        let opt = candle_nn::AdamW::new(vars, params).map_err(candle)?;
        Ok(Cvae { cfg: w.cfg, pixels: w.pixels, classes: w.classes, enc, enc_mu, enc_logvar, dec, dec_out, opt })
    }

    fn weights(&self) -> Result<Weights, AssociationError> {
        let flat = |l: &Linear| -> Result<(Vec<f32>, Vec<f32>), AssociationError> {
            let w = l.weight().flatten_all().and_then(|t| t.to_vec1::<f32>()).map_err(candle)?;
            let b = l.bias().map_or(Ok(Vec::new()), |b| b.to_vec1::<f32>()).map_err(candle)?;
            Ok((w, b))
        };
        let layers = [&self.enc, &self.enc_mu, &self.enc_logvar, &self.dec, &self.dec_out]
            .into_iter()
            .map(flat)
            .collect::<Result<_, _>>()?;
        Ok(Weights { cfg: self.cfg, pixels: self.pixels, classes: self.classes, layers })
    }

    /// Saves the weights and settings atomically (the crate's JSON checkpoint). Adam's
    /// moments are not kept: a loaded memory recalls and classifies exactly as the saved
    /// one, and training it goes on with fresh moments.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        Ok(checkpoint::save_json(path, &self.weights()?)?)
    }

    /// Reads back what [`Cvae::save`] wrote, its settings and sizes checked.
    pub fn load(path: impl AsRef<Path>) -> Result<Cvae, CheckpointError> {
        let path = path.as_ref();
        let w: Weights = checkpoint::load_json(path)?;
        let mismatch = |what: String| CheckpointError::Mismatch { path: path.into(), what };
        w.cfg.validate(w.classes).map_err(|e| mismatch(e.to_string()))?;
        Self::assemble(w).map_err(|e| mismatch(e.to_string()))
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

/// A conditional VAE learning as a long-term memory: its own generator for the
/// reparameterisation noise, its batch size.
#[derive(Debug)]
pub struct CvaeLearner {
    /// The memory.
    pub cvae: Cvae,
    /// Samples per Adam step.
    pub batch: usize,
    /// Its noise.
    pub rng: SimRng,
}

/// What [`CvaeLearner`] saves beside the memory's weights.
#[derive(Debug, Serialize, Deserialize)]
struct SavedLearner {
    batch: usize,
    rng: SimRng,
    memory: Weights,
}

impl CvaeLearner {
    /// A new memory of `cfg` with `batch` samples per step, its weights and then its
    /// noise drawn from `seed + 3`.
    pub fn new(cfg: CvaeConfig, batch: usize, pixels: usize, classes: usize, seed: u64) -> Result<CvaeLearner, Error> {
        if batch == 0 {
            return Err(crate::error::ConfigError::NonPositive { field: "long_term_batch", value: 0.0 }.into());
        }
        let mut rng = rng_from_seed(seed.wrapping_add(3));
        let cvae = Cvae::new(cfg, pixels, classes, &mut rng)?;
        Ok(CvaeLearner { cvae, batch, rng })
    }

    /// Its memory's settings.
    pub fn config(&self) -> &CvaeConfig {
        self.cvae.config()
    }

    /// Values per image and the number of classes: `(pixels, classes)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.cvae.pixels, self.cvae.classes)
    }

    /// Reads back what [`Learner::save`] wrote.
    pub fn load(path: &Path) -> Result<CvaeLearner, CheckpointError> {
        let s: SavedLearner = checkpoint::load_json(path)?;
        let mismatch = |what: String| CheckpointError::Mismatch { path: path.into(), what };
        s.memory.cfg.validate(s.memory.classes).map_err(|e| mismatch(e.to_string()))?;
        if s.batch == 0 {
            return Err(mismatch("its batch is 0".into()));
        }
        let cvae = Cvae::assemble(s.memory).map_err(|e| mismatch(e.to_string()))?;
        Ok(CvaeLearner { cvae, batch: s.batch, rng: s.rng })
    }
}

impl Learner for CvaeLearner {
    fn kind(&self) -> LearnerKind {
        match self.cvae.config().kind {
            CvaeKind::A => LearnerKind::CvaeA,
            CvaeKind::B => LearnerKind::CvaeB,
        }
    }
    fn batch(&self) -> usize {
        self.batch
    }
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error> {
        let images: Vec<&[f32]> = batch.iter().map(|&i| data.image(i)).collect();
        let labels: Vec<usize> = batch.iter().map(|&i| data.labels[i] as usize).collect();
        self.cvae.train_step(&images, &labels, &mut self.rng)?;
        Ok(())
    }
    /// Type B's encoder as a classifier; `None` for type A.
    fn predict(&self, data: &Dataset) -> Result<Option<Vec<u8>>, Error> {
        if self.cvae.config().kind != CvaeKind::B {
            return Ok(None);
        }
        if data.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let images: Vec<&[f32]> = (0..data.len()).map(|i| data.image(i)).collect();
        Ok(Some(self.cvae.classify(&images)?.into_iter().map(|c| c as u8).collect()))
    }
    fn recall(&self, label: u8, n: usize, seed: u64, _: Variety) -> Result<Vec<Vec<f32>>, Error> {
        Ok(self.cvae.recall(label as usize, n, &mut rng_from_seed(seed))?)
    }
    fn save(&self, path: &Path) -> Result<(), Error> {
        let s = SavedLearner { batch: self.batch, rng: self.rng.clone(), memory: self.cvae.weights()? };
        Ok(checkpoint::save_json(path, &s)?)
    }
    fn describe(&self) -> String {
        let c = self.cvae.config();
        format!(
            "{} {}-{}-{}-{}-{}, batch {}, lr {}",
            self.kind(),
            self.cvae.pixels,
            c.hidden,
            c.latent,
            c.hidden,
            self.cvae.pixels,
            self.batch,
            c.lr
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
