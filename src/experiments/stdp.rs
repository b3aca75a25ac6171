//! STDP curves (figure 6): one input and one output neuron with `W = b = 0`; a target
//! `t = 1` during a window on the input (pre) and a window of the same size on the
//! output (post) shifted by `dt`; the rule's accumulated `dW` on the synapse
//! input -> output as a function of `dt`.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::Error;
use crate::network::Network;
use crate::sim::{Event, Simulation, rng_from_seed};
use crate::topology::{Role, Topology};
use crate::twin::Clamp;

/// Settings of the STDP protocol.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StdpConfig {
    /// Window sizes of the top row (ticks).
    pub windows: Vec<u64>,
    /// `(beta_strong, beta_weak)` of the top row.
    pub top_betas: (f32, f32),
    /// `beta_strong` values of the bottom row.
    pub bottom_beta_strong: Vec<f32>,
    /// `beta_weak` of the bottom row.
    pub bottom_beta_weak: f32,
    /// Window size of the bottom row.
    pub bottom_window: u64,
    /// `dt` runs over `-dt_max..=dt_max`.
    pub dt_max: i64,
    /// Step sizes.
    pub eps_strong: f32,
    /// See `eps_strong`.
    pub eps_weak: f32,
    /// Learning rate; results are reported as `dW / alpha`, so it only needs to be
    /// small enough that the weight change does not feed back into the dynamics.
    pub alpha: f32,
}

impl Default for StdpConfig {
    fn default() -> Self {
        StdpConfig {
            windows: vec![5, 10, 15],
            top_betas: (0.5, 0.4),
            bottom_beta_strong: vec![0.5, 0.6, 0.7],
            bottom_beta_weak: 0.4,
            bottom_window: 10,
            dt_max: 40,
            eps_strong: 0.5,
            eps_weak: 0.4,
            alpha: 1e-4,
        }
    }
}

impl StdpConfig {
    /// Checks every field before any curve is drawn: windows and the `dt` range at least
    /// one tick (and `dt_max` at most 10,000: each `dt` is a run of its own), at least
    /// one window and one bottom `beta_strong`; the model of every panel (betas in order,
    /// steps, rate) through [`Config::validate`].
    pub fn validate(&self) -> Result<(), crate::error::ConfigError> {
        use crate::config::at_least;
        use crate::error::ConfigError;
        if !(1..=10_000).contains(&self.dt_max) {
            let range = "[1, 10000]: dt runs over -dt_max..=dt_max, one run each";
            return Err(ConfigError::OutOfRange { field: "dt_max", value: self.dt_max as f64, range });
        }
        if self.windows.is_empty() {
            return Err(ConfigError::Empty { field: "windows", what: "window size (ticks)" });
        }
        if self.bottom_beta_strong.is_empty() {
            return Err(ConfigError::Empty { field: "bottom_beta_strong", what: "beta_strong value" });
        }
        for &w in self.windows.iter().chain([&self.bottom_window]) {
            at_least("windows", w, 1, "[1, 1000000]: a window lasts at least one tick")?;
            if w > 1_000_000 {
                return Err(ConfigError::OutOfRange { field: "windows", value: w as f64, range: "[1, 1000000]" });
            }
        }
        let pairs =
            std::iter::once(self.top_betas).chain(self.bottom_beta_strong.iter().map(|&b| (b, self.bottom_beta_weak)));
        for (strong, weak) in pairs {
            let model = Config {
                alpha: self.alpha,
                beta_strong: strong,
                beta_weak: weak,
                eps_strong: self.eps_strong,
                eps_weak: self.eps_weak,
                ..Config::default()
            };
            model.validate()?;
        }
        if self.alpha <= 0.0 {
            return Err(ConfigError::NonPositive { field: "alpha", value: self.alpha as f64 });
        }
        Ok(())
    }
}

/// One STDP curve with its summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StdpPanel {
    /// Window size (ticks).
    pub window: u64,
    /// `beta_strong`.
    pub beta_strong: f32,
    /// `beta_weak`.
    pub beta_weak: f32,
    /// Start of the post window minus start of the pre window (ticks).
    pub dt: Vec<i64>,
    /// `dW / alpha` on input -> output, far-away level subtracted.
    pub dw: Vec<f64>,
    /// The far-away level that was subtracted (mean of the two ends).
    pub far_level: f64,
    /// max dW over dt > 0.
    pub ltp_peak: f64,
    /// dt of `ltp_peak`.
    pub ltp_dt: i64,
    /// min dW over dt < 0.
    pub ltd_peak: f64,
    /// dt of `ltd_peak`.
    pub ltd_dt: i64,
    /// |ltp_peak| / |ltd_peak|.
    pub asymmetry: f64,
    /// Number of dt values where dW > ltp_peak / 2 (width of the potentiation lobe).
    pub ltp_width: usize,
    /// The dt where dW first turns from <= 0 to > 0 (going right), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_crossing: Option<i64>,
}

/// `dW / alpha` of input -> output for one `dt`.
pub fn stdp_dw(cfg: &StdpConfig, window: u64, beta_strong: f32, beta_weak: f32, dt: i64) -> Result<f64, Error> {
    let topo = Topology::new(&[("pre", 1, Role::Input), ("post", 1, Role::Output)], &[(1, 0), (0, 1)])?;
    let mut model = Config {
        alpha: cfg.alpha,
        beta_strong,
        beta_weak,
        eps_strong: cfg.eps_strong,
        eps_weak: cfg.eps_weak,
        momentum: 1.0,
        init_low: 0.0,
        init_high: 0.0,
        batch_reduction: crate::config::BatchReduction::Sum,
        ..Config::default()
    };
    model.fake_target.enabled = false;
    let mut sim = Simulation::new(Network::zeros(topo), model.validate()?, 1, rng_from_seed(0))?;
    let pre = (cfg.dt_max + 30) as u64;
    let post = (pre as i64 + dt) as u64;
    let end = pre + cfg.dt_max as u64 + window + 60;
    sim.schedule(pre, Event::SetTargets { neurons: 0..1, values: vec![1.0], modes: vec![Clamp::Soft] })?;
    sim.schedule(pre + window, Event::ClearTargets { neurons: 0..1 })?;
    sim.schedule(post, Event::SetTargets { neurons: 1..2, values: vec![1.0], modes: vec![Clamp::Soft] })?;
    sim.schedule(post + window, Event::ClearTargets { neurons: 1..2 })?;
    sim.schedule_ticks(0, end)?;
    sim.run()?;
    Ok(sim.network().weight(1, 0).expect("connected") as f64 / cfg.alpha as f64)
}

/// One curve over `dt = -dt_max..=dt_max`.
pub fn stdp_curve(cfg: &StdpConfig, window: u64, beta_strong: f32, beta_weak: f32) -> Result<StdpPanel, Error> {
    cfg.validate()?;
    let dt: Vec<i64> = (-cfg.dt_max..=cfg.dt_max).collect();
    let raw: Vec<f64> =
        dt.iter().map(|&d| stdp_dw(cfg, window, beta_strong, beta_weak, d)).collect::<Result<_, _>>()?;
    let far_level = 0.5 * (raw[0] + raw[raw.len() - 1]);
    let dw: Vec<f64> = raw.iter().map(|x| x - far_level).collect();
    let (mut ltp_peak, mut ltp_dt, mut ltd_peak, mut ltd_dt) = (f64::MIN, 0, f64::MAX, 0);
    for (&d, &w) in dt.iter().zip(&dw) {
        if d > 0 && w > ltp_peak {
            (ltp_peak, ltp_dt) = (w, d);
        }
        if d < 0 && w < ltd_peak {
            (ltd_peak, ltd_dt) = (w, d);
        }
    }
    let ltp_width = dw.iter().filter(|&&w| w > ltp_peak / 2.0).count();
    let zero_crossing = dt.windows(2).zip(dw.windows(2)).find(|(_, w)| w[0] <= 0.0 && w[1] > 0.0).map(|(d, _)| d[1]);
    Ok(StdpPanel {
        window,
        beta_strong,
        beta_weak,
        asymmetry: ltp_peak.abs() / ltd_peak.abs().max(1e-12),
        dt,
        dw,
        far_level,
        ltp_peak,
        ltp_dt,
        ltd_peak,
        ltd_dt,
        ltp_width,
        zero_crossing,
    })
}

/// The figure-6 grid: top row the windows at `top_betas`, bottom row the
/// `bottom_beta_strong` values at `bottom_beta_weak` and `bottom_window`.
pub fn stdp_grid(cfg: &StdpConfig) -> Result<Vec<StdpPanel>, Error> {
    let mut out = Vec::new();
    for &w in &cfg.windows {
        out.push(stdp_curve(cfg, w, cfg.top_betas.0, cfg.top_betas.1)?);
    }
    for &bs in &cfg.bottom_beta_strong {
        out.push(stdp_curve(cfg, cfg.bottom_window, bs, cfg.bottom_beta_weak)?);
    }
    Ok(out)
}
