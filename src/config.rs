//! Hyper-parameters with the paper's defaults, validated before use.
//!
//! [`Config`] is plain data (serde, every field optional in JSON). [`Config::validate`]
//! turns it into a [`ValidConfig`]; only a `ValidConfig` reaches the engine.

use serde::{Deserialize, Serialize};

use crate::activation::Activation;
use crate::error::ConfigError;

/// Sign of `dz` in the aSTDP rule (eq. 14-15). See the model notes, section 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DzSign {
    /// `dz = rho(s_strong) - rho(s_weak)` (lowers the cost; the default).
    #[default]
    StrongMinusWeak,
    /// `dz = rho(s_weak) - rho(s_strong)` (the OCR's literal reading).
    WeakMinusStrong,
}

impl DzSign {
    /// `+1` or `-1`: `dz = sign (rho(s_strong) - rho(s_weak))`.
    pub fn sign(self) -> f32 {
        match self {
            DzSign::StrongMinusWeak => 1.0,
            DzSign::WeakMinusStrong => -1.0,
        }
    }
}

/// Which local learning rule updates the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// aSTDP (eq. 15): `dW_ij = alpha dz_i rho(s_strong_j)`, asymmetric.
    #[default]
    Astdp,
    /// Equilibrium propagation's symmetric rule, applied every tick like aSTDP:
    /// `dW_ij = alpha (rho(s_strong_i) rho(s_strong_j) - rho(s_weak_i) rho(s_weak_j))`
    /// (`dW_ij = dW_ji`), `db = alpha dz`. For the EP baseline.
    SymmetricEp,
}

/// Which presynaptic rate the aSTDP rule multiplies `dz_i` by. The paper's rule (eq. 15)
/// reads the strong net's; the other two are not in the paper (docs/mnist.md, deeper
/// nets, says why the mean matters). The readings differ only in the symmetric part
/// of the update: the antisymmetric part, `dW_ij - dW_ji = alpha (rho_s_i rho_w_j -
/// rho_w_i rho_s_j)`, is the same for all three (test `presynaptic_readings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Presynaptic {
    /// `rho(s_strong_j)`, eq. 15 (the default). The symmetric part of the update,
    /// `dW_ij + dW_ji`, is EP's `rho_s_i rho_s_j - rho_w_i rho_w_j` plus the Hebbian term
    /// `dz_i dz_j` on the two nets' differences.
    #[default]
    Strong,
    /// `(rho(s_strong_j) + rho(s_weak_j)) / 2`: `dW_ij + dW_ji` is exactly EP's update (no
    /// `dz_i dz_j` term); the antisymmetric part stays.
    Mean,
    /// `rho(s_weak_j)`: `dW_ij + dW_ji` is EP's update minus `dz_i dz_j`.
    Weak,
}

/// How the weight update of a batch is combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BatchReduction {
    /// Sum of the per-sample updates (the learning rate is per sample).
    Sum,
    /// Mean of the per-sample updates (the learning rate is per batch).
    #[default]
    Mean,
}

impl BatchReduction {
    /// The factor of a per-sample outer product summed over a batch of `batch`: `rate`
    /// (sum) or `rate / batch` (mean).
    pub fn scale(self, rate: f32, batch: usize) -> f32 {
        match self {
            BatchReduction::Sum => rate,
            BatchReduction::Mean => rate / batch as f32,
        }
    }
}

/// Fake-target settings (section 2.2.2, eq. 16-18).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FakeTargetConfig {
    /// Switch: when off, hidden neurons never get targets.
    pub enabled: bool,
    /// `k`: a neuron fires with probability `min(1, |dz| / (k * dzm))`. Paper: 50.
    pub k: f32,
    /// `t_c`: the fake target is `sign(dz) * t_c`. Paper: 0.25.
    pub t_c: f32,
    /// `m_avg`: weight of the newest `|dz|` in the moving average `dzm` (not in the paper).
    pub m_avg: f32,
    /// Start value of `dzm` (not in the paper; a tiny value makes nearly every hidden
    /// neuron fire in the first steps).
    pub dzm_init: f32,
    /// Where a fired neuron's target lies (eq. 18). In JSON the flag `relative`
    /// (`true`: [`FakeTargetLevel::FromState`]).
    #[serde(rename = "relative", with = "flag")]
    pub level: FakeTargetLevel,
    /// How likely a hidden neuron fires (eq. 17). In JSON the flag `linear` (`true`:
    /// [`FiringProbability::Linear`]).
    #[serde(rename = "linear", with = "flag")]
    pub probability: FiringProbability,
}

/// Where a fake target puts a neuron (eq. 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FakeTargetLevel {
    /// `sign(dz) t_c` (the model notes' reading of eq. 18).
    #[default]
    Absolute,
    /// A jump from the current state, `s_strong + sign(dz) t_c` (an alternative reading:
    /// the fake target pushes a neuron further in the direction it is moving).
    FromState,
}

/// How likely a hidden neuron is to get a fake target in a tick (eq. 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FiringProbability {
    /// `min(1, |dz| / (k dzm))`, relative to the neuron's recent `|dz|` (the model notes).
    #[default]
    RelativeToRecent,
    /// `min(1, k |dz|)`, the OCR's literal eq. 17 (`P = k dz`: a neuron whose `dz` stays
    /// large keeps firing; `dzm` is unused).
    Linear,
}

impl From<bool> for FakeTargetLevel {
    fn from(relative: bool) -> Self {
        if relative { FakeTargetLevel::FromState } else { FakeTargetLevel::Absolute }
    }
}

impl From<FakeTargetLevel> for bool {
    fn from(l: FakeTargetLevel) -> bool {
        l == FakeTargetLevel::FromState
    }
}

impl From<bool> for FiringProbability {
    fn from(linear: bool) -> Self {
        if linear { FiringProbability::Linear } else { FiringProbability::RelativeToRecent }
    }
}

impl From<FiringProbability> for bool {
    fn from(p: FiringProbability) -> bool {
        p == FiringProbability::Linear
    }
}

/// A two-way choice stored in JSON as a flag (`true` for the second variant): the format
/// of configs, checkpoints and results files.
mod flag {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<T: Copy + Into<bool>, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool((*v).into())
    }

    pub fn deserialize<'de, T: From<bool>, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        bool::deserialize(d).map(T::from)
    }
}

impl Default for FakeTargetConfig {
    fn default() -> Self {
        FakeTargetConfig {
            enabled: true,
            k: 50.0,
            t_c: 0.25,
            m_avg: 0.05,
            dzm_init: 0.05,
            level: FakeTargetLevel::Absolute,
            probability: FiringProbability::RelativeToRecent,
        }
    }
}

/// All model hyper-parameters. Defaults are the paper's MNIST settings where it gives
/// them; the others are named in the model notes as knobs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Activation `rho`. Paper: sigmoid4.
    pub activation: Activation,
    /// Learning rate `alpha` of the aSTDP rule. Paper: 1e-4.
    pub alpha: f32,
    /// `beta_s`, clamping strength of the strongly clamped net. Paper: 0.4.
    pub beta_strong: f32,
    /// `beta_w`, clamping strength of the weakly clamped net. Paper: 0.25. May be 0 (EP).
    pub beta_weak: f32,
    /// Step size of the strongly clamped net. Paper: 0.5.
    pub eps_strong: f32,
    /// Step size of the weakly clamped net. Paper: 0.4.
    pub eps_weak: f32,
    /// Momentum `m` of eq. 19-20: `v <- m * force + (1 - m) * v`. 1 = plain Euler.
    pub momentum: f32,
    /// Sign of `dz`.
    pub dz_sign: DzSign,
    /// Learning rule: aSTDP (default) or EP's symmetric rule.
    pub rule: Rule,
    /// The aSTDP rule's presynaptic rate: the strong net's (eq. 15, default), the mean
    /// of both nets', or the weak net's. Ignored by EP's symmetric rule.
    pub presynaptic: Presynaptic,
    /// Sum or mean over the batch.
    pub batch_reduction: BatchReduction,
    /// Fake targets on hidden neurons.
    pub fake_target: FakeTargetConfig,
    /// `gamma` of the smoothing derivative (eq. 21-23); 0 = off.
    pub smoothing: f32,
    /// `lambda`: weight decay applied with the rule, `W <- (1 - alpha lambda) W + dW`
    /// (not in the paper; biases are not decayed). 0 = off.
    pub weight_decay: f32,
    /// Initial states are drawn from `U(init_low, init_high)`, the same for both nets.
    pub init_low: f32,
    /// See `init_low`.
    pub init_high: f32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            activation: Activation::Sigmoid4,
            alpha: 1e-4,
            beta_strong: 0.4,
            beta_weak: 0.25,
            eps_strong: 0.5,
            eps_weak: 0.4,
            momentum: 1.0,
            dz_sign: DzSign::StrongMinusWeak,
            rule: Rule::Astdp,
            presynaptic: Presynaptic::Strong,
            batch_reduction: BatchReduction::Mean,
            fake_target: FakeTargetConfig::default(),
            smoothing: 0.0,
            weight_decay: 0.0,
            init_low: 0.0,
            init_high: 0.1,
        }
    }
}

/// Declares a checked settings type in the linfa style: `$valid`, a newtype of `$raw`
/// made only by `$raw::$check` (through `TryFrom`), read through `Deref`, serialised as
/// the plain settings and checked again when deserialised.
macro_rules! validated {
    ($(#[$doc:meta])* $valid:ident($raw:ident) = $raw_name:literal, checked by $check:ident, derives $($derive:ident),*) => {
        $(#[$doc])*
        #[derive(Debug, Clone, $($derive,)* serde::Serialize, serde::Deserialize)]
        #[serde(try_from = $raw_name, into = $raw_name)]
        pub struct $valid($raw);

        impl std::ops::Deref for $valid {
            type Target = $raw;
            fn deref(&self) -> &$raw {
                &self.0
            }
        }

        impl TryFrom<$raw> for $valid {
            type Error = crate::error::ConfigError;
            fn try_from(raw: $raw) -> Result<Self, crate::error::ConfigError> {
                raw.$check()
            }
        }

        impl From<$valid> for $raw {
            fn from(v: $valid) -> $raw {
                v.0
            }
        }
    };
}
pub(crate) use validated;

validated! {
    /// A [`Config`] that passed [`Config::validate`].
    ValidConfig(Config) = "Config", checked by validate, derives Copy, PartialEq
}

pub(crate) fn finite(field: &'static str, v: f32) -> Result<f32, ConfigError> {
    if v.is_finite() { Ok(v) } else { Err(ConfigError::NonFinite { field, value: v as f64 }) }
}

pub(crate) fn positive(field: &'static str, v: f32) -> Result<f32, ConfigError> {
    finite(field, v)?;
    if v > 0.0 { Ok(v) } else { Err(ConfigError::NonPositive { field, value: v as f64 }) }
}

/// The memory this machine has free, in bytes (Linux: `MemAvailable` of
/// `/proc/meminfo`; elsewhere, or unreadable: 64 GiB, so that only the absurd is
/// refused).
pub fn available_memory() -> u64 {
    let free = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            let line = t.lines().find(|l| l.starts_with("MemAvailable:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
        })
        .unwrap_or(64 << 30);
    // a container's limit (cgroup v2), less what it uses already
    let read = |f: &str| std::fs::read_to_string(f).ok().and_then(|t| t.trim().parse::<u64>().ok());
    match (read("/sys/fs/cgroup/memory.max"), read("/sys/fs/cgroup/memory.current")) {
        (Some(max), Some(used)) => free.min(max.saturating_sub(used)),
        _ => free,
    }
}

/// Refuses `what` (naming the fields that size it) when its `bytes` exceed the memory
/// this machine has free: a clear error up front instead of an abort mid-run.
pub fn fits_in_memory(what: impl FnOnce() -> String, bytes: u128) -> Result<(), ConfigError> {
    fits_in(what, bytes, available_memory())
}

/// [`fits_in_memory`] against `available` bytes.
pub fn fits_in(what: impl FnOnce() -> String, bytes: u128, available: u64) -> Result<(), ConfigError> {
    if bytes > available as u128 {
        return Err(ConfigError::TooLarge {
            what: what(),
            needed_mb: u64::try_from(bytes >> 20).unwrap_or(u64::MAX),
            available_mb: available >> 20,
        });
    }
    Ok(())
}

/// A count field that must be at least `least` (a size, a number of steps), with the
/// reason in the message's range.
pub(crate) fn at_least(field: &'static str, v: u64, least: u64, range: &'static str) -> Result<(), ConfigError> {
    if v >= least { Ok(()) } else { Err(ConfigError::OutOfRange { field, value: v as f64, range }) }
}

pub(crate) fn in_range(field: &'static str, v: f32, lo: f32, hi: f32, range: &'static str) -> Result<f32, ConfigError> {
    finite(field, v)?;
    if v >= lo && v <= hi { Ok(v) } else { Err(ConfigError::OutOfRange { field, value: v as f64, range }) }
}

impl Config {
    /// Checks every field; the error names the first bad one.
    pub fn validate(self) -> Result<ValidConfig, ConfigError> {
        in_range("alpha", self.alpha, 0.0, f32::MAX, "[0, inf)")?;
        in_range("beta_weak", self.beta_weak, 0.0, f32::MAX, "[0, inf)")?;
        positive("beta_strong", self.beta_strong)?;
        if self.beta_strong <= self.beta_weak {
            return Err(ConfigError::BetaOrder { strong: self.beta_strong as f64, weak: self.beta_weak as f64 });
        }
        positive("eps_strong", self.eps_strong)?;
        positive("eps_weak", self.eps_weak)?;
        in_range("eps_strong", self.eps_strong, 0.0, 2.0, "(0, 2]")?;
        in_range("eps_weak", self.eps_weak, 0.0, 2.0, "(0, 2]")?;
        positive("momentum", self.momentum)?;
        in_range("momentum", self.momentum, 0.0, 1.0, "(0, 1]")?;
        let f = self.fake_target;
        positive("fake_target.k", f.k)?;
        finite("fake_target.t_c", f.t_c)?;
        positive("fake_target.m_avg", f.m_avg)?;
        in_range("fake_target.m_avg", f.m_avg, 0.0, 1.0, "(0, 1]")?;
        positive("fake_target.dzm_init", f.dzm_init)?;
        in_range("smoothing", self.smoothing, 0.0, f32::MAX, "[0, inf)")?;
        in_range("weight_decay", self.weight_decay, 0.0, f32::MAX, "[0, inf)")?;
        // Each update scales a weight by 1 - alpha * weight_decay: past
        // 1 the weights flip sign every step and grow without bound.
        if self.alpha * self.weight_decay > 1.0 {
            return Err(ConfigError::OutOfRange {
                field: "weight_decay",
                value: self.weight_decay as f64,
                range: "[0, 1 / alpha] (alpha x weight_decay above 1 makes every update flip the weights' sign)",
            });
        }
        finite("init_low", self.init_low)?;
        finite("init_high", self.init_high)?;
        if self.init_high < self.init_low {
            return Err(ConfigError::OutOfRange {
                field: "init_high",
                value: self.init_high as f64,
                range: "[init_low, inf)",
            });
        }
        Ok(ValidConfig(self))
    }

    /// Reads a config from JSON; missing fields take their defaults, unknown ones are an error.
    pub fn from_json(text: &str) -> Result<Config, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_size_beyond_the_free_memory_is_refused_with_its_figure() {
        let err = fits_in(|| "the net (hidden)".into(), 3 << 30, 2 << 30).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("the net (hidden)") && text.contains("3072 MB") && text.contains("2048 MB"), "{text}");
        assert!(fits_in(|| unreachable!(), 1 << 30, 2 << 30).is_ok());
        assert!(available_memory() > 0);
    }

    use super::*;

    #[test]
    fn defaults_are_valid_and_the_papers() {
        let c = Config::default().validate().unwrap();
        assert_eq!((c.beta_strong, c.beta_weak, c.eps_strong, c.eps_weak), (0.4, 0.25, 0.5, 0.4));
        assert_eq!((c.fake_target.k, c.fake_target.t_c), (50.0, 0.25));
    }

    #[test]
    fn exact_error_variants() {
        let bad = Config { beta_strong: 0.2, beta_weak: 0.3, ..Config::default() };
        assert_eq!(bad.validate(), Err(ConfigError::BetaOrder { strong: 0.2f32 as f64, weak: 0.3f32 as f64 }));
        let bad = Config { eps_weak: 0.0, ..Config::default() };
        assert_eq!(bad.validate(), Err(ConfigError::NonPositive { field: "eps_weak", value: 0.0 }));
        let bad = Config { eps_strong: -1.0, ..Config::default() };
        assert_eq!(bad.validate(), Err(ConfigError::NonPositive { field: "eps_strong", value: -1.0 }));
        let bad = Config { alpha: f32::NAN, ..Config::default() };
        assert!(matches!(bad.validate(), Err(ConfigError::NonFinite { field: "alpha", .. })));
        let bad = Config { momentum: 1.5, ..Config::default() };
        assert_eq!(bad.validate(), Err(ConfigError::OutOfRange { field: "momentum", value: 1.5, range: "(0, 1]" }));
        let mut bad = Config::default();
        bad.fake_target.k = 0.0;
        assert_eq!(bad.validate(), Err(ConfigError::NonPositive { field: "fake_target.k", value: 0.0 }));
        // a decay factor 1 - alpha * weight_decay below 0 flips the weights every update
        let bad = Config { alpha: 0.5, weight_decay: 2.5, ..Config::default() };
        assert!(matches!(bad.validate(), Err(ConfigError::OutOfRange { field: "weight_decay", .. })));
        assert!(Config { alpha: 0.5, weight_decay: 2.0, ..Config::default() }.validate().is_ok());
    }

    #[test]
    fn messages_print_config_values_as_given() {
        let bad = Config { momentum: 1.4, ..Config::default() };
        let text = bad.validate().unwrap_err().to_string();
        assert!(text.contains("is 1.4,"), "{text}");
        let bad = Config { beta_strong: 0.2, beta_weak: 0.3, ..Config::default() };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .starts_with("beta_strong (0.2) must be greater than beta_weak (0.3)")
        );
    }

    #[test]
    fn json_partial_and_unknown_fields() {
        let c = Config::from_json(r#"{"alpha": 0.02, "fake_target": {"k": 10}}"#).unwrap();
        assert_eq!(c.alpha, 0.02);
        assert_eq!(c.fake_target.k, 10.0);
        assert_eq!(c.fake_target.t_c, 0.25);
        assert!(Config::from_json(r#"{"alpah": 0.02}"#).is_err());
        // a ValidConfig cannot be deserialized from an invalid config
        let r: Result<ValidConfig, _> = serde_json::from_str(r#"{"beta_strong": 0.1}"#);
        assert!(r.unwrap_err().to_string().contains("beta_strong"));
    }
}

/// Loads `path` with [`from_json_over`] onto `T::default()`, or returns the default
/// when there is no path. Errors name the file.
pub fn load_over_default<T: Default + Serialize + serde::de::DeserializeOwned>(
    path: Option<&std::path::Path>,
) -> Result<T, crate::error::FileError> {
    let Some(path) = path else { return Ok(T::default()) };
    let text =
        std::fs::read_to_string(path).map_err(|e| crate::error::FileError::Io { path: path.into(), source: e })?;
    from_json_over(&T::default(), &text).map_err(|e| crate::error::FileError::Format { path: path.into(), source: e })
}

/// Reads a JSON config as changes to `defaults`: objects are merged key by key at every
/// depth, so `{"model": {"alpha": 0.05}}` changes only `model.alpha` and keeps every
/// other default of `T` (not those of a nested type's own `Default`). Unknown keys are
/// an error naming them.
pub fn from_json_over<T: Serialize + serde::de::DeserializeOwned>(
    defaults: &T,
    text: &str,
) -> Result<T, serde_json::Error> {
    fn merge(base: &mut serde_json::Value, patch: serde_json::Value) -> Result<(), String> {
        match (base, patch) {
            (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
                for (k, v) in p {
                    match b.get_mut(&k) {
                        Some(slot) => merge(slot, v).map_err(|e| format!("{k}.{e}"))?,
                        None => return Err(format!("{k}: unknown field")),
                    }
                }
                Ok(())
            }
            (slot, v) => {
                *slot = v;
                Ok(())
            }
        }
    }
    let mut base = serde_json::to_value(defaults)?;
    let patch: serde_json::Value = serde_json::from_str(text)?;
    if !patch.is_object() {
        return Err(<serde_json::Error as serde::de::Error>::custom(
            "config: a config file holds one JSON object, {\"field\": value, ...}",
        ));
    }
    merge(&mut base, patch).map_err(|e| <serde_json::Error as serde::de::Error>::custom(format!("config: {e}")))?;
    serde_json::from_value(base)
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Outer {
        model: Config,
        n: usize,
    }

    #[test]
    fn partial_nested_config_keeps_the_outer_defaults() {
        let defaults =
            Outer { model: Config { activation: Activation::HardSigmoid, eps_weak: 0.5, ..Config::default() }, n: 3 };
        let c: Outer = from_json_over(&defaults, r#"{"model": {"alpha": 0.05, "fake_target": {"k": 5}}}"#).unwrap();
        assert_eq!(c.model.activation, Activation::HardSigmoid);
        assert_eq!(c.model.eps_weak, 0.5);
        assert_eq!(c.model.alpha, 0.05);
        assert_eq!(c.model.fake_target.k, 5.0);
        assert_eq!(c.model.fake_target.t_c, 0.25);
        assert_eq!(c.n, 3);
        let err = from_json_over(&defaults, r#"{"model": {"alpah": 1}}"#).unwrap_err();
        assert!(err.to_string().contains("model.alpah: unknown field"), "{err}");
        // a file that is not one JSON object is refused, not read as the defaults
        for text in ["[]", "3", "null", "\"x\""] {
            let err = from_json_over(&defaults, text).unwrap_err();
            assert!(err.to_string().contains("one JSON object"), "{text}: {err}");
        }
    }
}
