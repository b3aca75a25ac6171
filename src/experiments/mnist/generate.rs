//! Conditional generation: the label clamped, the image free (figure 2).

use super::{Trainer, one_hot_rows};
use crate::error::Error;
use crate::sim::Event;
use crate::twin::{Clamp, Net};

impl Trainer {
    /// Conditional generation (figure 2): clamp the label (hard), leave the image free
    /// from a fresh random state, run `test_iters` ticks with learning off, read the
    /// weak net's image neurons. One image per entry of `labels` (at most `batch`).
    pub fn generate(&self, labels: &[u8], seed: u64) -> Result<Vec<Vec<f32>>, Error> {
        let mut g = self.clone();
        g.sim.reseed(seed);
        g.sim.randomize_states();
        let labels: Vec<u8> = labels.iter().take(g.cfg.batch).copied().collect();
        let mut padded = labels.clone();
        padded.resize(g.cfg.batch, 0);
        let t0 = g.sim.now();
        let in_range = g.sim.network().topology.layers()[0].range();
        g.sim.apply(Event::SetLearning(false))?;
        g.sim.schedule(t0, Event::ClearTargets { neurons: in_range.clone() })?;
        g.sim.present(t0, 1, one_hot_rows(&padded), Clamp::Hard)?;
        g.sim.schedule_ticks(t0, g.cfg.test_iters)?;
        g.sim.run_until(t0 + g.cfg.test_iters)?;
        let act = g.cfg.model.activation;
        Ok((0..labels.len())
            .map(|b| g.sim.state(Net::Weak, b)[in_range.clone()].iter().map(|&s| act.rho(s)).collect())
            .collect())
    }

    /// `per_label` generated images of each digit 0-9 (rounds of ten, one per label),
    /// captioned with their label, for [`crate::plot::image_grid_svg`].
    pub fn generate_digits(&self, per_label: usize, seed: u64) -> Result<Vec<(String, Vec<f32>)>, Error> {
        let labels: Vec<u8> = (0..per_label).flat_map(|_| 0..10u8).collect();
        let images = self.generate(&labels, seed)?;
        Ok(labels.iter().zip(images).map(|(l, i)| (l.to_string(), i)).collect())
    }
}
