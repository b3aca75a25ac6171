//! Neural adaptation (figure 4 left): a step input switched on, held, then off. With
//! fake targets and momentum the paper reports an overshoot after onset and an
//! undershoot after offset. The four combinations of fake target and momentum are run
//! from the same trained toy net, each averaged over independent repeats. The input off
//! is by default a clamp to zero, so that the offset changes the data as the onset does
//! and the two nets disagree again (`dz`, hence the fake targets of eq. 16-18, react to
//! it); docs/toys.md compares it with removing the targets at offset.

use serde::{Deserialize, Serialize};

use super::train_toy;
use crate::config::Config;
use crate::error::{ConfigError, Error};
use crate::probe::ProbeSpec;
use crate::sim::{Event, Simulation};
use crate::twin::Clamp;

/// Settings of the adaptation experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdaptationConfig {
    /// Model used for training the toy net (and, with the variants' changes, for the test).
    pub model: Config,
    /// Visible neurons of the toy net.
    pub visible: usize,
    /// Hidden neurons.
    pub hidden: usize,
    /// Training passes over the one-hot patterns.
    pub train_rounds: usize,
    /// Ticks per training pattern.
    pub dwell: u64,
    /// Momentum `m` of the "momentum" variants (1 = none).
    pub momentum: f32,
    /// Ticks before onset, with the input on, and after offset.
    pub phase_ticks: u64,
    /// Independent repeats averaged per variant.
    pub repeats: usize,
    /// What the input is when it is off (before onset and after offset).
    pub off_input: OffInput,
    /// Which neuron's trace is measured.
    pub measured: Measured,
}

/// What the input is when it is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffInput {
    /// No target on the visible neurons: at offset the targets are removed, and both
    /// nets' visible neurons then follow the same, unclamped, dynamics.
    Removed,
    /// The visible neurons are clamped (softly) to zero: the offset is a change of the
    /// data, like the onset, and the two nets disagree again until they settle.
    #[default]
    Zero,
}

/// Which neuron's trace is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measured {
    /// The hidden neuron with the largest settled response without fake targets or momentum.
    #[default]
    Hidden,
    /// Visible neuron 0, the one that gets the step (its target is drawn in the paper's figure).
    Input,
}

impl Default for AdaptationConfig {
    fn default() -> Self {
        AdaptationConfig {
            // the rivalry's trained net (the four patterns are attractors)
            model: super::toy_model(),
            visible: 4,
            hidden: 8,
            train_rounds: 200,
            dwell: 100,
            momentum: 0.5,
            phase_ticks: 150,
            // the more repeats, the smaller the average's fluctuation (`noise`: 0.002-0.023
            // with both fake targets and momentum at 200, seeds 1-5)
            repeats: 200,
            off_input: OffInput::Zero,
            measured: Measured::Hidden,
        }
    }
}

/// One variant's averaged trace and its measures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdaptationVariant {
    /// `"fake target + momentum"`, `"fake target only"`, `"momentum only"`, `"neither"`.
    pub name: String,
    /// Fake targets on.
    pub fake_target: bool,
    /// Momentum `m` used.
    pub momentum: f32,
    /// Mean state (weak net) of the measured neuron per tick, from onset - phase_ticks.
    pub trace: Vec<f64>,
    /// Fraction of repeats in which a fake target was set on the measured neuron, per tick
    /// (for a visible neuron, which never gets one: the mean over the hidden neurons).
    pub target_rate: Vec<f64>,
    /// Settled level before onset (mean of the last quarter of the rest phase).
    pub rest: f64,
    /// Settled level while on (mean of the last quarter of the on phase).
    pub settled: f64,
    /// Peak beyond the settled level after onset, in the direction of the change (>= 0).
    pub overshoot: f64,
    /// Dip beyond the rest level after offset, against the direction of the change (>= 0).
    pub undershoot: f64,
    /// Largest distance from the rest level in the second half of the rest phase, where
    /// the input does not change: the fluctuation of the average (fake targets are random)
    /// that an overshoot or undershoot must clear to count.
    #[serde(default)]
    pub noise: f64,
}

/// Result of the experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdaptationResult {
    /// Seed.
    pub seed: u64,
    /// The hidden neuron measured (largest settled response in the "neither" variant).
    pub neuron: usize,
    /// Tick of onset within the traces.
    pub onset: u64,
    /// Tick of offset within the traces.
    pub offset: u64,
    /// The four variants.
    pub variants: Vec<AdaptationVariant>,
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len().max(1) as f64
}

/// Per neuron: mean trace and fake-target rate per tick.
type Traces = (Vec<Vec<f64>>, Vec<Vec<f64>>);

fn average_traces(
    trained: &Simulation,
    cfg: &AdaptationConfig,
    fake: bool,
    momentum: f32,
    seed: u64,
) -> Result<Traces, Error> {
    let n = cfg.visible + cfg.hidden;
    let len = (3 * cfg.phase_ticks) as usize;
    let mut sum = vec![vec![0.0; len]; n];
    let mut fired = vec![vec![0.0; len]; n];
    let model = Config { momentum, ..cfg.model }.validate()?;
    for r in 0..cfg.repeats {
        let mut sim = trained.clone();
        sim.set_config(model);
        sim.reseed(seed.wrapping_mul(1000).wrapping_add(r as u64 + 1));
        let t0 = sim.now();
        let (on, off) = (t0 + cfg.phase_ticks, t0 + 2 * cfg.phase_ticks);
        sim.schedule(t0, Event::SetLearning(false))?;
        sim.schedule(t0, Event::SetFakeTarget(fake))?;
        let off_at = |sim: &mut Simulation, t| -> Result<(), Error> {
            match cfg.off_input {
                OffInput::Removed => sim.schedule(t, Event::ClearTargets { neurons: 0..cfg.visible })?,
                OffInput::Zero => sim.present(t, 0, vec![0.0; cfg.visible], Clamp::Soft)?,
            };
            Ok(())
        };
        off_at(&mut sim, t0)?;
        let mut x = vec![0.0; cfg.visible];
        x[0] = 1.0;
        sim.present(on, 0, x, Clamp::Soft)?;
        off_at(&mut sim, off)?;
        sim.schedule_ticks(t0, 3 * cfg.phase_ticks)?;
        let id =
            sim.add_probe(ProbeSpec { neurons: (0..n).collect(), batch: 0, every: 1 }, t0, t0 + 3 * cfg.phase_ticks)?;
        sim.run()?;
        let rec = sim.recording(id).expect("probe");
        for k in 0..n {
            for t in 0..len {
                sum[k][t] += rec.s_weak[k][t] as f64 / cfg.repeats as f64;
                if rec.target[k][t].is_some() && k >= cfg.visible {
                    fired[k][t] += 1.0 / cfg.repeats as f64;
                }
            }
        }
    }
    Ok((sum, fired))
}

/// The measures of one averaged trace (phases of `phase` ticks: rest, on, off).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Measures {
    rest: f64,
    settled: f64,
    overshoot: f64,
    undershoot: f64,
    noise: f64,
}

fn measure(trace: &[f64], phase: usize) -> Measures {
    let q = phase / 4;
    let rest = mean(&trace[phase - q..phase]);
    let settled = mean(&trace[2 * phase - q..2 * phase]);
    let rest_after = mean(&trace[3 * phase - q..3 * phase]);
    let dir = if settled >= rest { 1.0 } else { -1.0 };
    let overshoot = trace[phase..2 * phase].iter().map(|&s| (s - settled) * dir).fold(0.0, f64::max);
    let undershoot = trace[2 * phase..3 * phase].iter().map(|&s| (rest_after - s) * dir).fold(0.0, f64::max);
    // nothing changes in the second half of the rest phase: what the trace does there is
    // the fluctuation of the average, the floor an overshoot or undershoot must clear
    let noise = trace[phase / 2..phase].iter().map(|&s| (s - rest).abs()).fold(0.0, f64::max);
    Measures { rest, settled, overshoot, undershoot, noise }
}

/// Trains the toy net, then runs the four variants.
pub fn run(cfg: &AdaptationConfig, seed: u64) -> Result<AdaptationResult, Error> {
    // checked before training: no repeat to average, or phases too short to hold the
    // quarter each level is measured over, would give numbers that mean nothing
    if cfg.repeats == 0 {
        return Err(ConfigError::OutOfRange { field: "repeats", value: 0.0, range: "[1, inf)" }.into());
    }
    if cfg.phase_ticks < 4 {
        let range = "[4, inf): each level is the mean of a phase's last quarter";
        return Err(ConfigError::OutOfRange { field: "phase_ticks", value: cfg.phase_ticks as f64, range }.into());
    }
    let trained = train_toy(&cfg.model, cfg.visible, cfg.hidden, cfg.train_rounds, cfg.dwell, seed)?;
    let phase = cfg.phase_ticks as usize;
    let variants = [
        ("fake target + momentum", true, cfg.momentum),
        ("fake target only", true, 1.0),
        ("momentum only", false, cfg.momentum),
        ("neither", false, 1.0),
    ];
    let mut runs = Vec::new();
    for &(name, fake, m) in &variants {
        runs.push((name, fake, m, average_traces(&trained, cfg, fake, m, seed)?));
    }
    // the hidden neuron with the largest settled response without fake target or momentum
    let base = &runs[3].3.0;
    let neuron = match cfg.measured {
        Measured::Input => 0,
        Measured::Hidden => (cfg.visible..cfg.visible + cfg.hidden)
            .max_by(|&a, &b| {
                let d = |k: usize| {
                    let m = measure(&base[k], phase);
                    (m.settled - m.rest).abs()
                };
                d(a).total_cmp(&d(b))
            })
            .expect("hidden neurons"),
    };
    // the fake-target rate of the measured neuron, or of all hidden neurons for a visible one
    let rate = |fired: &Vec<Vec<f64>>| -> Vec<f64> {
        if neuron >= cfg.visible {
            fired[neuron].clone()
        } else {
            let hidden = &fired[cfg.visible..];
            (0..fired[0].len()).map(|t| hidden.iter().map(|f| f[t]).sum::<f64>() / hidden.len() as f64).collect()
        }
    };
    let variants = runs
        .into_iter()
        .map(|(name, fake, m, (traces, fired))| {
            let Measures { rest, settled, overshoot, undershoot, noise } = measure(&traces[neuron], phase);
            AdaptationVariant {
                name: name.into(),
                fake_target: fake,
                momentum: m,
                trace: traces[neuron].clone(),
                target_rate: rate(&fired),
                rest,
                settled,
                overshoot,
                undershoot,
                noise,
            }
        })
        .collect();
    Ok(AdaptationResult { seed, neuron, onset: cfg.phase_ticks, offset: 2 * cfg.phase_ticks, variants })
}

#[cfg(test)]
mod tests {
    use super::{Measures, measure};

    #[test]
    fn overshoot_and_undershoot_by_hand() {
        // rest 0 for 8 ticks, on: jumps to 2 then settles at 1, off: dips to -0.5 then 0
        let mut t = vec![0.0; 8];
        t.extend([2.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        t.extend([-0.5, -0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        t[5] = 0.25; // a fluctuation at rest
        let m = measure(&t, 8);
        assert_eq!(m, Measures { rest: 0.0, settled: 1.0, overshoot: 1.0, undershoot: 0.5, noise: 0.25 });
    }
}
