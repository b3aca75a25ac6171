//! The learners: everything that learns from batches of labelled images, behind one
//! trait, below the experiments that drive them.
//!
//! - [`astdp`]: the aSTDP trainer (supervised, unsupervised, self-supervised and EP
//!   readings of section 3.1), and [`DrawingTrainer`], which also trains its decoder so
//!   that its recall by label draws digits;
//! - [`mlp`]: the backprop MLP baseline (Table 1);
//! - [`cvae`]: the conditional VAEs of memory association (types A and B, sections
//!   3.2-3.3 of the memory-association paper); the networks need the cargo feature
//!   `cvae` (candle), their settings do not.
//!
//! A [`Learner`] makes one weight update on a batch, predicts, recalls by label where it
//! can, saves itself and describes itself. Configs choose one by [`LearnerKind`] (serde:
//! `"astdp"`, `"mlp"`, `"cvae_a"`, `"cvae_b"`), and [`LearnerKind::build`] makes it from
//! [`LearnerSettings`]; [`LearnerKind::load`] reads back what [`Learner::save`] wrote.

use std::ops::ControlFlow;
use std::path::Path;

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::data::mnist::Dataset;
use crate::error::{Error, LearnerError};
use crate::sim::SimRng;

pub mod astdp;
pub mod cvae;
pub mod mlp;
mod record;

pub use astdp::{DrawingTrainer, MnistConfig, Mode, Trainer, ValidMnistConfig, Variety};
pub use cvae::{CvaeConfig, CvaeKind, CvaeLearner};
pub use mlp::{Loss, Mlp, MlpConfig, MlpLearner};
pub use record::EpochRecord;

/// What every learner does; the drivers (continual learning, the imbalance experiment)
/// know learners only through it.
pub trait Learner: std::fmt::Debug {
    /// Which learner this is.
    fn kind(&self) -> LearnerKind;
    /// Samples per weight update.
    fn batch(&self) -> usize;
    /// One weight update on the samples `batch` (indices) of `data`.
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error>;
    /// The class of each sample of `data`, or `None` for a learner that does not
    /// classify. Never changes the learner: a test uses its own state and random stream.
    fn predict(&self, data: &Dataset) -> Result<Option<Vec<u8>>, Error>;
    /// Fraction of `data` classified right (`None`: the learner does not classify; `0`
    /// for no data).
    fn accuracy(&self, data: &Dataset) -> Result<Option<f64>, Error> {
        Ok(self.predict(data)?.map(|p| {
            let hits = p.iter().zip(&data.labels).filter(|(a, b)| a == b).count();
            hits as f64 / data.len().max(1) as f64
        }))
    }
    /// `n` images recalled for `label`, seeded by `seed`; an error for a learner that
    /// cannot recall ([`LearnerKind::can_recall`]).
    fn recall(&self, _label: u8, _n: usize, _seed: u64, _variety: Variety) -> Result<Vec<Vec<f32>>, Error> {
        Err(LearnerError::CannotRecall { learner: self.kind().name() }.into())
    }
    /// Saves the learner atomically, for [`LearnerKind::load`].
    fn save(&self, path: &Path) -> Result<(), Error>;
    /// One line for a log: the learner, its shape and settings.
    fn describe(&self) -> String;
}

/// One pass of any learner over `data`: the samples in an order shuffled by `rng`, in
/// batches of [`Learner::batch`] (the last one shorter), one weight update each;
/// `until(done, total)` after every batch can stop the pass early (`Break`, returned).
pub fn train_epoch(
    learner: &mut dyn Learner,
    data: &Dataset,
    rng: &mut SimRng,
    until: &mut dyn FnMut(usize, usize) -> ControlFlow<()>,
) -> Result<ControlFlow<()>, Error> {
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.shuffle(rng);
    for (k, batch) in order.chunks(learner.batch().max(1)).enumerate() {
        learner.learn(data, batch)?;
        let done = (k * learner.batch().max(1) + batch.len()).min(data.len());
        if until(done, data.len()).is_break() {
            return Ok(ControlFlow::Break(()));
        }
    }
    Ok(ControlFlow::Continue(()))
}

/// The learners a config can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LearnerKind {
    /// The supervised aSTDP net ([`Trainer`]).
    Astdp,
    /// The backprop MLP ([`Mlp`]).
    Mlp,
    /// The type A conditional VAE (label in encoder and decoder; recalls, does not
    /// classify).
    CvaeA,
    /// The type B conditional VAE (recalls; its encoder classifies).
    CvaeB,
}

/// The settings from which [`LearnerKind::build`] makes any learner.
#[derive(Debug, Clone, Copy)]
pub struct LearnerSettings<'a> {
    /// The aSTDP net.
    pub astdp: &'a ValidMnistConfig,
    /// Whether the aSTDP net also trains its decoder ([`DrawingTrainer`]).
    pub astdp_draws: bool,
    /// The MLP.
    pub mlp: &'a MlpConfig,
    /// The conditional VAEs (the kind is the learner's).
    pub cvae: &'a CvaeConfig,
    /// Samples per Adam step of a conditional VAE.
    pub cvae_batch: usize,
}

impl LearnerKind {
    /// Every learner, in the order of the enum.
    pub const ALL: [LearnerKind; 4] = [LearnerKind::Astdp, LearnerKind::Mlp, LearnerKind::CvaeA, LearnerKind::CvaeB];

    /// The name used in configs and results.
    pub fn name(self) -> &'static str {
        match self {
            LearnerKind::Astdp => "astdp",
            LearnerKind::Mlp => "mlp",
            LearnerKind::CvaeA => "cvae_a",
            LearnerKind::CvaeB => "cvae_b",
        }
    }

    /// Whether it can recall images by label (aSTDP with its label clamped, the CVAEs).
    pub fn can_recall(self) -> bool {
        self != LearnerKind::Mlp
    }

    /// Whether it classifies (all but type A, whose encoder needs the label).
    pub fn classifies(self) -> bool {
        self != LearnerKind::CvaeA
    }

    /// A conditional VAE's kind, if it is one.
    pub fn cvae(self) -> Option<CvaeKind> {
        match self {
            LearnerKind::CvaeA => Some(CvaeKind::A),
            LearnerKind::CvaeB => Some(CvaeKind::B),
            _ => None,
        }
    }

    /// Samples per weight update under `s`.
    pub fn batch(self, s: &LearnerSettings<'_>) -> usize {
        match self {
            LearnerKind::Astdp => s.astdp.batch,
            LearnerKind::Mlp => s.mlp.batch,
            LearnerKind::CvaeA | LearnerKind::CvaeB => s.cvae_batch,
        }
    }

    /// A new learner of this kind for images of `pixels` values and `classes` labels,
    /// its weights (and a CVAE's noise) drawn from `seed`.
    pub fn build(
        self,
        s: &LearnerSettings<'_>,
        pixels: usize,
        classes: usize,
        seed: u64,
    ) -> Result<Box<dyn Learner + Send>, Error> {
        Ok(match self {
            LearnerKind::Astdp => {
                let t = Trainer::new(s.astdp.clone(), pixels, seed)?;
                if s.astdp_draws { Box::new(DrawingTrainer(t)) } else { Box::new(t) }
            }
            LearnerKind::Mlp => Box::new(MlpLearner::new(*s.mlp, pixels, classes, seed)?),
            LearnerKind::CvaeA | LearnerKind::CvaeB => {
                let kind = self.cvae().expect("a CVAE kind");
                Box::new(CvaeLearner::new(CvaeConfig { kind, ..*s.cvae }, s.cvae_batch, pixels, classes, seed)?)
            }
        })
    }

    /// Reads back a learner of this kind saved by [`Learner::save`] (an aSTDP net that
    /// draws comes back as a plain [`Trainer`]: its recall is the same).
    pub fn load(self, path: &Path) -> Result<Box<dyn Learner + Send>, Error> {
        Ok(match self {
            LearnerKind::Astdp => Box::new(Trainer::load(path)?),
            LearnerKind::Mlp => Box::new(MlpLearner::load(path)?),
            LearnerKind::CvaeA | LearnerKind::CvaeB => {
                let l = CvaeLearner::load(path)?;
                if Some(l.config().kind) != self.cvae() {
                    return Err(crate::error::CheckpointError::Mismatch {
                        path: path.into(),
                        what: format!("it holds a type {:?} memory, not {}", l.config().kind, self.name()),
                    }
                    .into());
                }
                Box::new(l)
            }
        })
    }
}

impl std::fmt::Display for LearnerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests;
