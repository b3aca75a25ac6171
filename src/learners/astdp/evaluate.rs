//! Testing a trained net: accuracy, the paper's inference step count and the decision time.

use serde::{Deserialize, Serialize};

use super::{Trainer, argmax};
use crate::data::mnist::Dataset;
use crate::error::Error;
use crate::sim::Event;
use crate::twin::Net;

/// Result of a test pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Samples tested.
    pub samples: usize,
    /// Fraction whose output argmax equals the label.
    pub accuracy: f64,
    /// Mean ticks until max |ds| < tol, the paper's criterion, counted from the states'
    /// response to the new image (samples that never converged count as `test_iters`).
    /// (Results files whose `step_count` is `first_tick` counted otherwise: see
    /// [`StepCount`](crate::results::StepCount).)
    pub inference_steps_mean: f64,
    /// Fraction of samples that converged within `test_iters`.
    pub converged: f64,
    /// Mean ticks until max |ds| < tol *for the rest of the test window* (one more than
    /// the last tick at or above tol; `test_iters` for a sample still moving at the end).
    /// Stricter than `inference_steps_mean`, which a momentary lull can end early.
    #[serde(default)]
    pub settled_steps_mean: f64,
    /// Mean decision time: ticks until the output argmax stops changing (the first tick
    /// from which it stays at its final value). Not the paper's criterion: it asks when the
    /// answer is there, not when the states stop moving.
    #[serde(default)]
    pub decision_steps_mean: f64,
    /// `(k, accuracy)`: the output argmax read after k = 10, 20, 40, ... and
    /// `test_iters` iterations of the same test pass.
    #[serde(default)]
    pub accuracy_at: Vec<(u64, f64)>,
    /// `(k, rate)`: the fraction of hidden neurons (over all batch rows) that got a fake
    /// target on tick k, at the same k as `accuracy_at`; all zero with fake targets off.
    /// Shows whether fake targets die out as the states converge.
    #[serde(default)]
    pub fake_rate_at: Vec<(u64, f64)>,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Decision {
    label: Option<usize>,
    pub(super) since: u64,
}

impl Decision {
    pub(super) fn observe(&mut self, tick: u64, argmax: usize) {
        if self.label != Some(argmax) {
            self.label = Some(argmax);
            self.since = tick;
        }
    }
}

/// Tracks one test sample's max |ds| over ticks, for the paper's step count and the
/// stricter settled count.
///
/// A hard-clamped image reaches the hidden layer one tick after it changes: the step that
/// holds the new pixels computes the hidden net inputs from the old ones. On the first
/// tick the states therefore still move as at the end of the previous sample, and a net
/// that had settled there shows max |ds| ~ 0 before it has seen the new image. So the
/// paper's criterion is the first tick below tol *after the states responded* (max |ds|
/// at or above tol at least once); states that never moved count 1.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Settling {
    responded: bool,
    reached: Option<u64>,
    last_moving: u64,
}

impl Settling {
    pub(super) fn observe(&mut self, tick: u64, max_ds: f32, tol: f32) {
        if max_ds >= tol {
            self.responded = true;
            self.last_moving = tick;
        } else if self.responded && self.reached.is_none() {
            self.reached = Some(tick);
        }
    }

    /// The paper's count: `None` when the states responded and never got below tol.
    pub(super) fn steps(&self) -> Option<u64> {
        if self.responded { self.reached } else { Some(1) }
    }

    /// One more than the last tick at or above tol, at most `cap`.
    pub(super) fn settled(&self, cap: u64) -> u64 {
        (self.last_moving + 1).min(cap)
    }
}

/// The ticks at which a test reads the output: 10, 20, 40, ... below `test_iters`, then
/// `test_iters` (doubling without overflow, so any `test_iters` gives a short list).
pub(super) fn readout_ticks(test_iters: u64) -> Vec<u64> {
    std::iter::successors(Some(10u64), |k| k.checked_mul(2))
        .take_while(|&k| k < test_iters)
        .chain([test_iters])
        .collect()
}

impl Trainer {
    /// Tests on `data` with learning off: clamp the image, free output, `test_iters`
    /// ticks, argmax of the weak net's output. The pass runs on a copy of the simulation
    /// (its states, its queue and a copy of its random stream, which fake targets draw
    /// from), so testing never changes the training that follows: a run that tests after
    /// every epoch trains exactly as one that does not.
    pub fn evaluate(&self, data: &Dataset) -> Result<Evaluation, Error> {
        self.test_pass(data).map(|(ev, _)| ev)
    }

    /// The class the net gives each sample of `data` (the test of [`Trainer::evaluate`]).
    pub fn predict(&self, data: &Dataset) -> Result<Vec<u8>, Error> {
        self.test_pass(data).map(|(_, p)| p)
    }

    fn test_pass(&self, data: &Dataset) -> Result<(Evaluation, Vec<u8>), Error> {
        data.expect_pixels(self.sim.network().topology.layers()[0].size)?;
        let mut sim = self.sim.clone();
        sim.apply(Event::SetLearning(false))?;
        // only the weak net is read: without fake targets, the strong net need not run
        sim.set_weak_only(true);
        let checkpoints = readout_ticks(self.cfg.test_iters);
        let mut correct_at = vec![0usize; checkpoints.len()];
        let mut fired_at = vec![0u64; checkpoints.len()];
        let order: Vec<usize> = (0..data.len()).collect();
        let batches: Vec<&[usize]> = order.chunks(self.cfg.batch).collect();
        // hidden-neuron slots ticked per checkpoint tick over the whole pass
        let slots = (batches.len().max(1) * self.cfg.batch * self.cfg.hidden.iter().sum::<usize>()) as f64;
        let out_range = sim.network().topology.layers()[1].range();
        let argmax_of = |sim: &crate::sim::Simulation, b: usize| argmax(&sim.state(Net::Weak, b)[out_range.clone()]);
        let (mut steps_sum, mut conv, mut settled_sum) = (0u64, 0usize, 0u64);
        let mut decision_sum = 0u64;
        let mut predicted = Vec::with_capacity(data.len());
        for idx in batches {
            let (x, y, real) = self.gather(data, idx);
            let t0 = sim.now();
            sim.present(t0, 0, x, self.cfg.input_clamp)?;
            sim.schedule(t0, Event::ClearTargets { neurons: out_range.clone() })?;
            sim.schedule_ticks(t0, self.cfg.test_iters)?;
            let mut settling = vec![Settling::default(); real];
            let mut decisions = vec![Decision::default(); real];
            for k in 1..=self.cfg.test_iters {
                let fired_before = sim.fake_fired();
                sim.run_until(t0 + k)?;
                for (b, d) in decisions.iter_mut().enumerate() {
                    d.observe(k, argmax_of(&sim, b));
                }
                let mf = &sim.twin().weak.max_force;
                for (s, &m) in settling.iter_mut().zip(mf) {
                    s.observe(k, m, self.cfg.inference_tol);
                }
                if let Some(c) = checkpoints.iter().position(|&p| p == k) {
                    fired_at[c] += sim.fake_fired() - fired_before;
                    correct_at[c] += (0..real).filter(|&b| argmax_of(&sim, b) == y[b] as usize).count();
                }
            }
            predicted.extend((0..real).map(|b| argmax_of(&sim, b) as u8));
            steps_sum += settling.iter().map(|s| s.steps().unwrap_or(self.cfg.test_iters)).sum::<u64>();
            conv += settling.iter().filter(|s| s.steps().is_some()).count();
            settled_sum += settling.iter().map(|s| s.settled(self.cfg.test_iters)).sum::<u64>();
            decision_sum += decisions.iter().map(|d| d.since).sum::<u64>();
        }
        let correct = predicted.iter().zip(&data.labels).filter(|(p, l)| p == l).count();
        let n = data.len().max(1) as f64;
        let ev = Evaluation {
            samples: data.len(),
            accuracy: correct as f64 / n,
            inference_steps_mean: steps_sum as f64 / n,
            converged: conv as f64 / n,
            settled_steps_mean: settled_sum as f64 / n,
            decision_steps_mean: decision_sum as f64 / n,
            accuracy_at: checkpoints.iter().zip(&correct_at).map(|(&k, &c)| (k, c as f64 / n)).collect(),
            fake_rate_at: checkpoints.iter().zip(&fired_at).map(|(&k, &f)| (k, f as f64 / slots)).collect(),
        };
        Ok((ev, predicted))
    }
}
