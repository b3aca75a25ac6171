//! Stand-ins for the conditional VAE's networks in a build without the cargo feature
//! `cvae`: the types exist so that configs naming a CVAE parse and are refused with
//! the command that builds them, but no value of them can be made.

use std::convert::Infallible;
use std::path::Path;

use super::CvaeConfig;
use crate::data::mnist::Dataset;
use crate::error::{CheckpointError, ConfigError, Error};
use crate::learners::{Learner, LearnerKind};
use crate::sim::SimRng;

fn missing(what: &str) -> ConfigError {
    ConfigError::FeatureMissing { what: what.into(), feature: "cvae" }
}

/// The conditional VAE (absent from this build: see the module docs).
#[derive(Debug)]
pub struct Cvae(Infallible);

impl Cvae {
    /// Refused: this build has no conditional VAE.
    pub fn new(cfg: CvaeConfig, _: usize, _: usize, _: &mut SimRng) -> Result<Cvae, Error> {
        Err(missing(&format!("a type {:?} conditional VAE", cfg.kind)).into())
    }
    /// Its settings.
    pub fn config(&self) -> &CvaeConfig {
        match self.0 {}
    }
    /// One Adam step on a batch.
    pub fn train_step(&mut self, _: &[&[f32]], _: &[usize], _: &mut SimRng) -> Result<f64, Error> {
        match self.0 {}
    }
    /// `n` new images of `label`.
    pub fn recall(&self, _: usize, _: usize, _: &mut SimRng) -> Result<Vec<Vec<f32>>, Error> {
        match self.0 {}
    }
    /// Type B's recognition.
    pub fn classify(&self, _: &[&[f32]]) -> Result<Vec<usize>, Error> {
        match self.0 {}
    }
    /// Saves the weights and settings.
    pub fn save(&self, _: impl AsRef<Path>) -> Result<(), Error> {
        match self.0 {}
    }
    /// Refused: this build has no conditional VAE.
    pub fn load(path: impl AsRef<Path>) -> Result<Cvae, CheckpointError> {
        Err(CheckpointError::Mismatch {
            path: path.as_ref().into(),
            what: missing("loading a conditional VAE").to_string(),
        })
    }
}

/// A conditional VAE learning as a long-term memory (absent from this build).
#[derive(Debug)]
pub struct CvaeLearner(Infallible);

impl CvaeLearner {
    /// Refused: this build has no conditional VAE.
    pub fn new(cfg: CvaeConfig, _: usize, _: usize, _: usize, _: u64) -> Result<CvaeLearner, Error> {
        Err(missing(&format!("a type {:?} conditional VAE", cfg.kind)).into())
    }

    /// Its memory's settings.
    pub fn config(&self) -> &CvaeConfig {
        match self.0 {}
    }

    /// Values per image and the number of classes.
    pub fn shape(&self) -> (usize, usize) {
        match self.0 {}
    }

    /// Refused: this build has no conditional VAE.
    pub fn load(path: &Path) -> Result<CvaeLearner, CheckpointError> {
        Err(CheckpointError::Mismatch { path: path.into(), what: missing("loading a conditional VAE").to_string() })
    }
}

impl Learner for CvaeLearner {
    fn kind(&self) -> LearnerKind {
        match self.0 {}
    }
    fn batch(&self) -> usize {
        match self.0 {}
    }
    fn learn(&mut self, _: &Dataset, _: &[usize]) -> Result<(), Error> {
        match self.0 {}
    }
    fn predict(&self, _: &Dataset) -> Result<Option<Vec<u8>>, Error> {
        match self.0 {}
    }
    fn save(&self, _: &Path) -> Result<(), Error> {
        match self.0 {}
    }
    fn describe(&self) -> String {
        match self.0 {}
    }
}
