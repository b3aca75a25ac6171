//! Binocular rivalry (figure 3): a 4 visible + 8 hidden net trained on the four one-hot
//! patterns, then shown the ambiguous input `[1, 1, 0, 0]` for a long window. The
//! perceived pattern (visible neuron 0 or 1 higher, with hysteresis) alternates between
//! the two percepts, driven by the fake targets (eq. 16-18) together with slow learning
//! while the input is held; without the fake targets it does not (in most seeds:
//! docs/toys.md has the figures).

use serde::{Deserialize, Serialize};

use super::{mean_std, train_toy};
use crate::config::{Config, FakeTargetConfig, FakeTargetLevel, FiringProbability, ValidConfig};
use crate::error::{ConfigError, Error};
use crate::probe::{ProbeSpec, Recording};
use crate::sim::{Event, Simulation};
use crate::twin::Clamp;

/// Settings of the rivalry experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RivalryConfig {
    /// Model hyper-parameters (training and test).
    pub model: Config,
    /// Hidden neurons.
    pub hidden: usize,
    /// Passes over the four patterns during training.
    pub train_rounds: usize,
    /// Ticks per training pattern.
    pub dwell: u64,
    /// Ticks the ambiguous input is held.
    pub test_ticks: u64,
    /// Perception switches from A to B only when `s_B - s_A > hysteresis` (weak net).
    pub hysteresis: f32,
    /// Ticks at the start of the hold left out of every summary figure, in both runs: the
    /// net is still settling from the last training pattern into its first percept, and
    /// a crossing there is not an alternation. Recorded and plotted all the same.
    pub settle_ticks: u64,
    /// Whether aSTDP keeps learning while the ambiguous input is held (as in the paper,
    /// where the rule runs at every step).
    pub learn_during_test: bool,
    /// Record every this many ticks (for the plot; perception uses every tick).
    pub record_every: u64,
    /// Fake-target settings while the ambiguous input is held, when they differ from
    /// training's (`None`: the same as `model.fake_target`). The run holds the input with
    /// them on and the control with them off, so `enabled` must be true (a config that
    /// says false is refused rather than silently overridden).
    pub test_fake_target: Option<FakeTargetConfig>,
    /// Learning rate while the ambiguous input is held, when it differs from training's
    /// (`None`: `model.alpha`). Only used with `learn_during_test`.
    pub test_alpha: Option<f32>,
    /// Clamp strength of the strong net while the ambiguous input is held, when it
    /// differs from training's (`None`: `model.beta_strong`).
    pub test_beta_strong: Option<f32>,
    /// Clamp strength of the weak net while the ambiguous input is held (`None`:
    /// `model.beta_weak`).
    pub test_beta_weak: Option<f32>,
}

impl Default for RivalryConfig {
    fn default() -> Self {
        RivalryConfig {
            // trained with a strong clamp, so that the four patterns are attractors of the
            // net ([`super::toy_model`]); the ambiguous input is then fed weakly (0.4 /
            // 0.2), so that the attractors, not the input, decide the visible state
            model: super::toy_model(),
            hidden: 8,
            train_rounds: 200,
            dwell: 100,
            test_ticks: 20_000,
            // the percepts lie about +-0.7 apart in A - B: a band of 0.3 counts a switch
            // between them, not a flicker around a tie
            hysteresis: 0.3,
            settle_ticks: 500,
            learn_during_test: true,
            record_every: 25,
            // the OCR's literal eq. 17, p = min(1, k |dz|), a jump from the current state
            // (t = s_strong + sign(dz) t_c) with t_c = 1, the width of a state's range,
            // and slow learning while the input is held (docs/toys.md has the scans)
            test_fake_target: Some(FakeTargetConfig {
                probability: FiringProbability::Linear,
                level: FakeTargetLevel::FromState,
                t_c: 1.0,
                ..FakeTargetConfig::default()
            }),
            test_alpha: Some(3e-4),
            test_beta_strong: Some(0.4),
            test_beta_weak: Some(0.2),
        }
    }
}

/// Result of one rivalry run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RivalryResult {
    /// The measures.
    #[serde(flatten)]
    pub summary: RivalrySummary,
    /// Traces of the run with fake targets (visible 0..4, hidden 4..8), every `record_every`.
    pub recording: Recording,
    /// Hidden neurons recorded.
    pub hidden_recorded: Vec<usize>,
    /// Hysteresis used.
    pub hysteresis: f32,
}

/// A run's measures, without its traces.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RivalrySummary {
    /// Seed used.
    pub seed: u64,
    /// Of the four patterns, how many the trained net reproduces (clamped to pattern `i`
    /// at the training clamp, visible neuron `i` is the highest; [`super::pattern_recall`]).
    #[serde(default)]
    pub patterns_recalled: usize,
    /// Their mean margin (`s_weak(i)` minus the highest other visible state).
    #[serde(default)]
    pub recall_margin: f64,
    /// Perception switches with fake targets.
    pub switches: usize,
    /// Completed dominance durations (ticks), first and last (censored) excluded.
    pub dominance_durations: Vec<u64>,
    /// Mean dominance duration (ticks); none without a completed duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_duration: Option<f64>,
    /// Coefficient of variation std/mean of the durations; none with fewer than two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cv: Option<f64>,
    /// Gamma shape estimate mean^2/var; none with fewer than two durations or all equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gamma_shape: Option<f64>,
    /// The 10th, 50th and 90th percentiles of the durations (ticks; nearest rank; empty
    /// without durations): the bulk of the distribution, which a few very long stays in
    /// one percept leave alone while they dominate the mean, CV and shape.
    #[serde(default)]
    pub duration_percentiles: Vec<u64>,
    /// Fraction of test ticks on which pattern A (neuron 0) was perceived.
    pub fraction_a: f64,
    /// Switches in the same run with fake targets off.
    pub control_switches: usize,
    /// Standard deviation of `s_weak(A) - s_weak(B)` over the held window: near 0 when
    /// the net sits at one fixed state (no competition to switch), large when it moves.
    #[serde(default)]
    pub ab_sd: f64,
    /// The same without fake targets.
    #[serde(default)]
    pub control_ab_sd: f64,
    /// Mean of `s_weak(A) - s_weak(B)` without fake targets: how far the net left alone
    /// settles from a tie (about +-1 at a clean percept, about 0 at a mixed state, where
    /// A and B are equally active and there is nothing to switch between).
    #[serde(default)]
    pub control_ab_mean: f64,
}

/// Perception over time from traces of neurons A and B: `true` while A dominates.
/// Starts with whichever is higher; switches only past the hysteresis band.
pub fn perception(a: &[f32], b: &[f32], hysteresis: f32) -> Vec<bool> {
    let mut out = Vec::with_capacity(a.len());
    let mut cur = a.first().zip(b.first()).is_none_or(|(x, y)| x >= y);
    for (&x, &y) in a.iter().zip(b) {
        if cur && y - x > hysteresis {
            cur = false;
        } else if !cur && x - y > hysteresis {
            cur = true;
        }
        out.push(cur);
    }
    out
}

/// Number of switches and the completed dominance durations (first and last periods
/// are censored and left out).
pub fn dominance(percept: &[bool]) -> (usize, Vec<u64>) {
    let mut switches = 0;
    let mut durations = Vec::new();
    let mut last_switch: Option<usize> = None;
    for t in 1..percept.len() {
        if percept[t] != percept[t - 1] {
            switches += 1;
            if let Some(s) = last_switch {
                durations.push((t - s) as u64);
            }
            last_switch = Some(t);
        }
    }
    (switches, durations)
}

/// The model while the ambiguous input is held: training's, with the test overrides.
fn test_model(cfg: &RivalryConfig) -> Config {
    let m = &cfg.model;
    Config {
        fake_target: cfg.test_fake_target.unwrap_or(m.fake_target),
        beta_strong: cfg.test_beta_strong.unwrap_or(m.beta_strong),
        beta_weak: cfg.test_beta_weak.unwrap_or(m.beta_weak),
        ..*m
    }
}

/// Nearest-rank percentiles `ps` (in (0, 1]) of `x`; empty when `x` is.
pub fn percentiles(x: &[u64], ps: &[f64]) -> Vec<u64> {
    if x.is_empty() {
        return Vec::new();
    }
    let mut v = x.to_vec();
    v.sort_unstable();
    ps.iter().map(|p| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1]).collect()
}

fn hold_ambiguous(
    sim: &mut Simulation,
    cfg: &RivalryConfig,
    held: ValidConfig,
    fake: bool,
    every: u64,
) -> Result<usize, Error> {
    let t0 = sim.now();
    let end = t0 + cfg.test_ticks;
    sim.set_config(held);
    sim.schedule(t0, Event::SetLearning(cfg.learn_during_test))?;
    if let Some(alpha) = cfg.test_alpha {
        sim.schedule(t0, Event::SetAlpha(alpha))?;
    }
    sim.schedule(t0, Event::SetFakeTarget(fake))?;
    sim.present(t0, 0, vec![1.0, 1.0, 0.0, 0.0], Clamp::Soft)?;
    sim.schedule_ticks(t0, cfg.test_ticks)?;
    let mut neurons: Vec<usize> = (0..4).collect();
    neurons.extend(4..4 + cfg.hidden.min(4));
    let id = sim.add_probe(ProbeSpec { neurons, batch: 0, every }, t0, end)?;
    sim.run_until(end)?;
    Ok(id)
}

impl RivalryConfig {
    /// Checks every field before any training: ranges, the held phase's model, and the
    /// memory of the test's recording (every tick of the visible and four hidden neurons,
    /// for the run and its control). Returns the held phase's model.
    pub fn validate(&self) -> Result<ValidConfig, Error> {
        use crate::config::at_least;
        let cfg = self;
        // an untrained net "recalls" nothing it learned: the recall figure would mean nothing
        at_least("train_rounds", cfg.train_rounds as u64, 1, "[1, inf): the net learns the four patterns in rounds")?;
        at_least("dwell", cfg.dwell, 1, "[1, inf): each training pattern is held at least one tick")?;
        at_least("hidden", cfg.hidden as u64, 1, "[1, inf)")?;
        at_least("record_every", cfg.record_every, 1, "[1, inf)")?;
        crate::config::in_range("hysteresis", cfg.hysteresis, 0.0, 1.0, "[0, 1]: a band on the state difference")?;
        if cfg.settle_ticks >= cfg.test_ticks {
            let range = "[0, test_ticks): lower it or hold the input longer";
            return Err(ConfigError::OutOfRange { field: "settle_ticks", value: cfg.settle_ticks as f64, range }.into());
        }
        if cfg.test_fake_target.is_some_and(|f| !f.enabled) {
            return Err(ConfigError::Invalid {
                field: "test_fake_target.enabled",
                reason: "the run holds the input with fake targets on and the control with them off: \
                         leave enabled at true (set test_fake_target to null for training's settings)"
                    .into(),
            }
            .into());
        }
        let neurons = 4 + cfg.hidden.min(4) as u128;
        crate::config::fits_in_memory(
            || "the test's recording (test_ticks)".into(),
            2 * 16 * (neurons + 1) * cfg.test_ticks as u128,
        )?;
        // the held phase's model, checked before any training
        Ok(test_model(cfg).validate().map_err(|e| ConfigError::In {
            context: "the model while the ambiguous input is held (model with the test_* fields)",
            source: Box::new(e),
        })?)
    }
}

/// Trains the net, then holds the ambiguous input with and without fake targets.
pub fn run(cfg: &RivalryConfig, seed: u64) -> Result<RivalryResult, Error> {
    let held = cfg.validate()?;
    let mut sim = train_toy(&cfg.model, 4, cfg.hidden, cfg.train_rounds, cfg.dwell, seed)?;
    let mut control = sim.clone();
    let (patterns_recalled, recall_margin) = super::pattern_recall(&sim, 4, 400)?;

    // perception from every tick
    let id = hold_ambiguous(&mut sim, cfg, held, true, 1)?;
    let full = sim.recording(id).expect("probe").clone();
    // every summary figure from the ticks after the settling period
    let k0 = cfg.settle_ticks as usize;
    let (a, b) = (&full.s_weak[0][k0..], &full.s_weak[1][k0..]);
    let p = perception(a, b, cfg.hysteresis);
    let (switches, durations) = dominance(&p);
    let fraction_a = p.iter().filter(|&&x| x).count() as f64 / p.len().max(1) as f64;

    let cid = hold_ambiguous(&mut control, cfg, held, false, 1)?;
    let crec = control.recording(cid).expect("probe");
    let (ca, cb) = (&crec.s_weak[0][k0..], &crec.s_weak[1][k0..]);
    let (control_switches, _) = dominance(&perception(ca, cb, cfg.hysteresis));
    let ab_stats = |a: &[f32], b: &[f32]| {
        let d: Vec<f64> = a.iter().zip(b).map(|(&x, &y)| (x - y) as f64).collect();
        mean_std(&d)
    };
    let ab = ab_stats(a, b).1;
    let (control_ab_mean, control_ab) = ab_stats(ca, cb);

    let d: Vec<f64> = durations.iter().map(|&x| x as f64).collect();
    let (mean, std) = mean_std(&d);
    // thin the recording for the plot
    let keep: Vec<usize> = (0..full.ticks.len()).step_by(cfg.record_every.max(1) as usize).collect();
    let thin = |rows: &Vec<Vec<f32>>| rows.iter().map(|r| keep.iter().map(|&k| r[k]).collect()).collect();
    let recording = Recording {
        neurons: full.neurons.clone(),
        batch: 0,
        every: cfg.record_every,
        ticks: keep.iter().map(|&k| full.ticks[k]).collect(),
        s_strong: thin(&full.s_strong),
        s_weak: thin(&full.s_weak),
        dz: thin(&full.dz),
        // keep every target firing: a firing anywhere in the thinning interval shows
        target: full
            .target
            .iter()
            .map(|r| {
                keep.iter()
                    .map(|&k| r[k..(k + cfg.record_every as usize).min(r.len())].iter().find_map(|t| *t))
                    .collect()
            })
            .collect(),
    };
    Ok(RivalryResult {
        summary: RivalrySummary {
            seed,
            patterns_recalled,
            recall_margin,
            switches,
            mean_duration: (!d.is_empty()).then_some(mean),
            cv: (d.len() >= 2).then_some(std / mean),
            gamma_shape: (d.len() >= 2 && std > 0.0).then(|| (mean * mean) / (std * std)),
            duration_percentiles: percentiles(&durations, &[0.1, 0.5, 0.9]),
            dominance_durations: durations,
            fraction_a,
            control_switches,
            ab_sd: ab,
            control_ab_sd: control_ab,
            control_ab_mean,
        },
        hidden_recorded: (4..4 + cfg.hidden.min(4)).collect(),
        recording,
        hysteresis: cfg.hysteresis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perception_and_dominance_by_hand() {
        let a = [0.9, 0.8, 0.5, 0.4, 0.45, 0.9, 0.9, 0.3];
        let b = [0.1, 0.82, 0.6, 0.6, 0.5, 0.1, 0.1, 0.9];
        let p = perception(&a, &b, 0.05);
        // tick 1: b - a = 0.02 < band, stays A; tick 2: 0.1 > band -> B; tick 5 -> A; tick 7 -> B
        assert_eq!(p, vec![true, true, false, false, false, true, true, false]);
        let (s, d) = dominance(&p);
        assert_eq!(s, 3);
        assert_eq!(d, vec![3, 2]);
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let x = [7, 1, 3, 9, 5, 2, 8, 4, 6, 10];
        assert_eq!(percentiles(&x, &[0.1, 0.5, 0.9, 1.0]), vec![1, 5, 9, 10]);
        assert_eq!(percentiles(&[4], &[0.1, 0.5]), vec![4, 4]);
        assert!(percentiles(&[], &[0.5]).is_empty());
    }

    #[test]
    fn settling_period_must_leave_ticks_to_measure() {
        let cfg = RivalryConfig { test_ticks: 400, settle_ticks: 400, train_rounds: 1, ..RivalryConfig::default() };
        let e = run(&cfg, 1).unwrap_err().to_string();
        assert!(e.contains("settle_ticks"), "{e}");
        let ok = RivalryConfig { settle_ticks: 399, ..cfg };
        assert!(run(&ok, 1).is_ok());
    }
}
