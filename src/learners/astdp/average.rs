//! Weight averaging (see `MnistConfig::weight_average_half_life`).

use super::{Evaluation, Trainer};
use crate::data::mnist::Dataset;
use crate::error::Error;

impl Trainer {
    /// One step of the weight average (see `MnistConfig::weight_average_half_life`)
    /// after a batch of `n` samples; starts it from the live weights if there is none.
    pub(super) fn update_average(&mut self, n: usize) -> Result<(), Error> {
        let Some(h) = self.cfg.weight_average_half_life else { return Ok(()) };
        let live = self.sim.network();
        match &mut self.averaged {
            Some(avg) => avg.blend_towards(live, (1.0 - 0.5f64.powf(n as f64 / h)) as f32)?,
            None => self.averaged = Some(live.clone()),
        }
        Ok(())
    }

    /// Tests the moving average of the weights (see
    /// `MnistConfig::weight_average_half_life`) as [`Trainer::evaluate`] tests the live
    /// ones, on a copy of the trainer, so that training goes on exactly as without it.
    /// `None` before there is an average.
    pub fn evaluate_averaged(&self, data: &Dataset) -> Result<Option<Evaluation>, Error> {
        if self.averaged.is_none() {
            return Ok(None);
        }
        let mut copy = self.clone();
        if let Some(avg) = copy.averaged.take() {
            *copy.sim.network_mut() = avg;
        }
        copy.evaluate(data).map(Some)
    }
}
