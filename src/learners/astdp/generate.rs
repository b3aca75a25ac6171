//! Conditional generation: the label clamped, the image free (figure 2).

use super::{Trainer, one_hot_rows};
use serde::{Deserialize, Serialize};

use crate::config::FakeTargetConfig;
use crate::error::Error;
use crate::sim::Event;
use crate::twin::{Clamp, Net};

/// Sources of variety for recall with the label clamped: the model's own randomness,
/// not noise added to its output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Variety {
    /// Initial states drawn from `U(0, init_spread)`; `None`: the config's
    /// `U(init_low, init_high)`.
    pub init_spread: Option<f32>,
    /// Fake targets on during recall, with this scale `k` (`None`: as trained, which for
    /// the nets here means off or on as the config says).
    pub fake_k: Option<f32>,
    /// Noise on the hidden layers: `N(0, sd²)` added to every hidden state after each
    /// tick of the first `noise_share` of the ticks (0: none).
    #[serde(default)]
    pub hidden_noise: f32,
    /// The share of the ticks with hidden noise: 1 keeps it to the read-out, 0.5 lets the
    /// second half settle without it.
    #[serde(default = "one")]
    pub noise_share: f32,
}

fn one() -> f32 {
    1.0
}

impl Variety {
    /// No variety beyond the config's (the recall of figure 2).
    pub const NONE: Variety = Variety { init_spread: None, fake_k: None, hidden_noise: 0.0, noise_share: 1.0 };

    /// Checks every field: a start spread in [0, 1] (states live in [0, 1]), a fake
    /// target scale in (0, 1000], hidden noise in [0, 10], a noise share in [0, 1].
    pub fn validate(&self) -> Result<(), crate::error::ConfigError> {
        use crate::config::in_range;
        if let Some(s) = self.init_spread {
            in_range("init_spread", s, 0.0, 1.0, "[0, 1]: states are drawn from U(0, init_spread)")?;
        }
        if let Some(k) = self.fake_k {
            in_range("fake_k", k, f32::MIN_POSITIVE, 1000.0, "(0, 1000]")?;
        }
        in_range("hidden_noise", self.hidden_noise, 0.0, 10.0, "[0, 10]: the sd of the noise on hidden states")?;
        in_range("noise_share", self.noise_share, 0.0, 1.0, "[0, 1]: the share of the ticks with noise")?;
        Ok(())
    }
}

impl std::fmt::Display for Variety {
    /// `start U(0, 0.5), fake targets k 2, hidden noise 0.1 over 50% of the ticks`, or
    /// `none` for [`Variety::NONE`]: for logs and tables.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(s) = self.init_spread {
            parts.push(format!("start U(0, {s})"));
        }
        if let Some(k) = self.fake_k {
            parts.push(format!("fake targets k {k}"));
        }
        if self.hidden_noise > 0.0 {
            parts.push(format!("hidden noise {} over {}% of the ticks", self.hidden_noise, 100.0 * self.noise_share));
        }
        if parts.is_empty() { f.write_str("none") } else { f.write_str(&parts.join(", ")) }
    }
}

impl Trainer {
    /// Conditional generation (figure 2): clamp the label (hard), leave the image free
    /// from a fresh random state, run `test_iters` ticks with learning off, read the
    /// weak net's image neurons. One image per entry of `labels` (at most `batch`).
    pub fn generate(&self, labels: &[u8], seed: u64) -> Result<Vec<Vec<f32>>, Error> {
        self.generate_with(labels, seed, Variety::NONE)
    }

    /// [`Trainer::generate`] with `variety`: a wider initial state, fake targets during
    /// recall.
    pub fn generate_with(&self, labels: &[u8], seed: u64, variety: Variety) -> Result<Vec<Vec<f32>>, Error> {
        variety.validate()?;
        let mut g = self.clone();
        g.sim.reseed(seed);
        match variety.init_spread {
            Some(spread) => g.sim.randomize_states_in(0.0, spread),
            None => g.sim.randomize_states(),
        }
        if let Some(k) = variety.fake_k {
            let f = FakeTargetConfig { enabled: true, k, ..g.cfg.model.fake_target };
            g.sim.set_fake_target_config(f)?;
        }
        let labels: Vec<u8> = labels.iter().take(g.cfg.batch).copied().collect();
        let mut padded = labels.clone();
        padded.resize(g.cfg.batch, 0);
        let t0 = g.sim.now();
        let in_range = g.sim.network().topology.layers()[0].range();
        g.sim.apply(Event::SetLearning(false))?;
        g.sim.schedule(t0, Event::ClearTargets { neurons: in_range.clone() })?;
        g.sim.present(t0, 1, one_hot_rows(&padded), Clamp::Hard)?;
        g.sim.schedule_ticks(t0, g.cfg.test_iters)?;
        if variety.hidden_noise > 0.0 {
            // layers: 0 input, 1 output, 2.. hidden, stored one after another
            let layers = g.sim.network().topology.layers();
            let hidden = layers[2].offset..layers[layers.len() - 1].range().end;
            let noisy = (g.cfg.test_iters as f64 * variety.noise_share.clamp(0.0, 1.0) as f64).round() as u64;
            for t in 1..=noisy {
                g.sim.run_until(t0 + t)?;
                g.sim.add_state_noise(hidden.clone(), variety.hidden_noise)?;
            }
        }
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
