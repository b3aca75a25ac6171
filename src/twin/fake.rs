//! Fake targets (eq. 16-18): hidden neurons jump towards `sign(dz) t_c` at random.

use rand::RngExt;

use super::Clamp;
use crate::config::{Config, FakeTargetLevel, FiringProbability};
use crate::topology::{Role, Topology};

/// What the fake targets read and write.
pub(super) struct FakeTargets<'a> {
    pub(super) batch: usize,
    pub(super) n: usize,
    pub(super) dz: &'a [f32],
    pub(super) s_strong: &'a [f32],
    pub(super) dzm: &'a mut [f32],
    pub(super) target: &'a mut [f32],
    pub(super) clamp: &'a mut [Clamp],
}

impl FakeTargets<'_> {
    /// Fake targets (eq. 16-18) for every hidden neuron of every batch element: update
    /// `dzm`, fire with probability `min(1, |dz| / (k dzm))`, set target `sign(dz) t_c`
    /// (soft) or remove it. Returns how many fired.
    pub(super) fn fire(&mut self, topology: &Topology, cfg: &Config, rng: &mut impl RngExt) -> usize {
        let f = cfg.fake_target;
        let mut fired = 0;
        for layer in topology.layers().iter().filter(|l| l.role == Role::Hidden) {
            for b in 0..self.batch {
                for idx in b * self.n + layer.offset..b * self.n + layer.offset + layer.size {
                    let d = self.dz[idx];
                    let m = f.m_avg * d.abs() + (1.0 - f.m_avg) * self.dzm[idx];
                    self.dzm[idx] = m;
                    let u: f32 = rng.random();
                    let fire = match f.probability {
                        FiringProbability::Linear => u < f.k * d.abs(),
                        FiringProbability::RelativeToRecent => d.abs() > u * f.k * m,
                    };
                    if fire {
                        let base = match f.level {
                            FakeTargetLevel::FromState => self.s_strong[idx],
                            FakeTargetLevel::Absolute => 0.0,
                        };
                        self.target[idx] = base + d.signum() * f.t_c;
                        self.clamp[idx] = Clamp::Soft;
                        fired += 1;
                    } else {
                        self.clamp[idx] = Clamp::Free;
                    }
                }
            }
        }
        fired
    }
}
