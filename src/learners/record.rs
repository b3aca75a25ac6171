//! What one epoch of a run measured: the record a trainer carries through its
//! checkpoints and a run's report lists, whichever learner wrote it.

use serde::{Deserialize, Serialize};

use super::astdp::{Evaluation, Mode};

/// One epoch of a run: what training measured and the test after it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epochs completed, counted over the whole run including what it resumed from.
    pub epoch: usize,
    /// The aSTDP training stage of this epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// The stage's running metric at the end of the epoch (see `Trainer::train_epoch`);
    /// `None` where there is none (unsupervised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_metric: Option<f64>,
    /// Wall time of the epoch's training, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_wall_s: Option<f64>,
    /// The test after the epoch (aSTDP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Evaluation>,
    /// The same test of the moving average of the weights, when one is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_averaged: Option<Evaluation>,
    /// Test accuracy after the epoch (backprop baselines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_accuracy: Option<f64>,
    /// Mean training loss of the epoch (backprop baselines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_loss: Option<f64>,
    /// Free-phase training accuracy (version 1 files; now `train_metric`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_accuracy: Option<f64>,
    /// corr(W_ij, W_ji) after the epoch (version 1 files; now in `RunReport::symmetry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symmetry: Option<f64>,
}

impl EpochRecord {
    /// The epoch's test accuracy, whichever learner wrote it.
    pub fn accuracy(&self) -> Option<f64> {
        self.test.as_ref().map(|t| t.accuracy).or(self.test_accuracy)
    }
}
