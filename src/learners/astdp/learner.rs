//! The aSTDP trainer as a [`Learner`]: supervised batches (Algorithm 2), recall by its
//! label clamped (figure 2).

use std::path::Path;

use super::{Mode, Trainer, Variety};
use crate::data::mnist::Dataset;
use crate::error::Error;
use crate::learners::{Learner, LearnerKind};

impl Trainer {
    /// One image per entry of `labels`, any number of them, by [`Trainer::generate_with`]
    /// a batch at a time, the `r`-th batch seeded by `seed * 1_000_003 + r`.
    pub fn generate_many(&self, labels: &[u8], seed: u64, variety: Variety) -> Result<Vec<Vec<f32>>, Error> {
        let mut out = Vec::with_capacity(labels.len());
        for (r, chunk) in labels.chunks(self.cfg.batch.max(1)).enumerate() {
            out.extend(self.generate_with(chunk, seed.wrapping_mul(1_000_003).wrapping_add(r as u64), variety)?);
        }
        Ok(out)
    }

    /// `n` images recalled for `label` ([`Trainer::generate_many`]).
    pub fn recall(&self, label: u8, n: usize, seed: u64, variety: Variety) -> Result<Vec<Vec<f32>>, Error> {
        self.generate_many(&vec![label; n], seed, variety)
    }
}

impl Learner for Trainer {
    fn kind(&self) -> LearnerKind {
        LearnerKind::Astdp
    }
    fn batch(&self) -> usize {
        self.cfg.batch
    }
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error> {
        self.train_batch(data, batch, Mode::Supervised).map(|_| ())
    }
    fn predict(&self, data: &Dataset) -> Result<Option<Vec<u8>>, Error> {
        Trainer::predict(self, data).map(Some)
    }
    fn recall(&self, label: u8, n: usize, seed: u64, variety: Variety) -> Result<Vec<Vec<f32>>, Error> {
        Trainer::recall(self, label, n, seed, variety)
    }
    fn save(&self, path: &Path) -> Result<(), Error> {
        Ok(Trainer::save(self, path)?)
    }
    fn describe(&self) -> String {
        format!("astdp {}", Trainer::describe(self))
    }
}

/// The supervised aSTDP net that also learns to draw what it learns: after each
/// supervised batch, a decoder batch on the same samples (label hard clamped, image free
/// then softly clamped; only the weights into the image layer learn, so the classifier's
/// weights see the supervised updates alone). Its recall is then the label-clamped
/// generation of figure 2 through a trained decoder; each update costs two batches.
#[derive(Debug, Clone)]
pub struct DrawingTrainer(pub Trainer);

impl Learner for DrawingTrainer {
    fn kind(&self) -> LearnerKind {
        LearnerKind::Astdp
    }
    fn batch(&self) -> usize {
        self.0.cfg.batch
    }
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error> {
        self.0.train_batch(data, batch, Mode::Supervised)?;
        self.0.train_batch(data, batch, Mode::Decoder).map(|_| ())
    }
    fn predict(&self, data: &Dataset) -> Result<Option<Vec<u8>>, Error> {
        self.0.predict(data).map(Some)
    }
    fn recall(&self, label: u8, n: usize, seed: u64, variety: Variety) -> Result<Vec<Vec<f32>>, Error> {
        self.0.recall(label, n, seed, variety)
    }
    fn save(&self, path: &Path) -> Result<(), Error> {
        Ok(self.0.save(path)?)
    }
    fn describe(&self) -> String {
        format!("astdp (drawing) {}", self.0.describe())
    }
}
