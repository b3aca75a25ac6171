//! The divergence guard (see `MnistConfig::guard_rms_jump`).

use serde::{Deserialize, Serialize};

use super::Trainer;

/// How many snapshots of the weights (one per log of 10 batches) the divergence guard
/// keeps to restore from (see `MnistConfig::guard_rms_jump`): a runaway has begun a few
/// logs before a block's RMS jumps.
pub const GUARD_LOOKBACK: usize = 4;

/// One intervention of the divergence guard (see `MnistConfig::guard_rms_jump`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardEvent {
    /// Training samples seen when the jump was found.
    pub samples: u64,
    /// The block whose RMS moved most, and by what fraction of its previous value.
    pub block: String,
    /// See `block`.
    pub jump: f64,
    /// The weights restored are those logged after this many training samples.
    pub restored_from: u64,
    /// `Trainer::alpha_factor` from then on.
    pub alpha_factor: f32,
}

impl Trainer {
    /// The divergence guard (see `MnistConfig::guard_rms_jump`), before a log of
    /// `weight_rms`: compares each block's RMS now with the last log; on a jump restores
    /// the oldest snapshot and halves the learning rate (from the next batch on, through
    /// [`Trainer::scheduled_alpha`]), else keeps a snapshot of now.
    pub(super) fn guard(&mut self) {
        let Some(limit) = self.cfg.guard_rms_jump else { return };
        let now = self.sim.network().block_rms();
        let prev = self.weight_rms.last().map(|(_, r)| r.as_slice()).unwrap_or_default();
        let relative = |a: f64, b: f64| {
            let j = if a > 0.0 { (b - a).abs() / a } else { (b - a).abs() };
            if j.is_nan() { f64::INFINITY } else { j }
        };
        let worst = prev
            .iter()
            .zip(&now)
            .map(|((_, a), (name, b))| (name, relative(*a, *b)))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        match worst {
            Some((name, jump)) if jump > limit => {
                let (from, net) = self.guard_snapshots.pop_front().expect("train_epoch keeps a snapshot");
                self.guard_snapshots.clear();
                *self.sim.network_mut() = net.clone();
                self.guard_snapshots.push_back((from, net));
                self.alpha_factor *= 0.5;
                self.guard_events.push(GuardEvent {
                    samples: self.samples_seen,
                    block: name.clone(),
                    jump,
                    restored_from: from,
                    alpha_factor: self.alpha_factor,
                });
            }
            _ => {
                self.guard_snapshots.push_back((self.samples_seen, self.sim.network().clone()));
                while self.guard_snapshots.len() > GUARD_LOOKBACK {
                    self.guard_snapshots.pop_front();
                }
            }
        }
    }
}
