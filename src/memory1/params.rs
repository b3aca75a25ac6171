//! The constants of AI-Memory1 (spec section 1), validated before anything runs.

use serde::{Deserialize, Serialize};

use crate::config::{in_range, positive};
use crate::error::ConfigError;

/// The learning rule's constants, shared by every layer (spec section 1, second table).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rule {
    /// `P`: the sum of every live feature's positive weights.
    pub positive_total: f32,
    /// A new negative weight is this times the mean positive weight, negated.
    pub negative_weight_ratio: f32,
    /// Share of the positive weight moved by one positive teaching.
    pub positive_recycle_rate: f32,
    /// Share of the negative weight moved by one negative teaching.
    pub negative_recycle_rate: f32,
    /// Two cells' rectangles conflict when they share more than this share of a
    /// rectangle (competition and new-feature selection).
    pub overlap_threshold: f32,
    /// A Short feature is forgotten once it has lived this many steps ...
    pub forget_steps: u64,
    /// ... with fewer active cells per step than this.
    pub forget_rate: f64,
    /// A Short feature becomes Long once it has lived this many steps ...
    pub long_term_steps: u64,
    /// ... with more active cells per step than this.
    pub long_term_rate: f64,
    /// The output ceiling.
    pub output_max: f32,
    /// The assumed input ceiling (thresholds scale with it).
    pub input_max: f32,
    /// Losers on the winner's cell learn away from its input (spec 6.3a).
    pub negative_learning: bool,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            positive_total: 1.0,
            negative_weight_ratio: 0.6,
            positive_recycle_rate: 0.02,
            negative_recycle_rate: 0.03,
            overlap_threshold: 0.2,
            forget_steps: 100,
            forget_rate: 0.06,
            long_term_steps: 500,
            long_term_rate: 0.10,
            output_max: 1.0,
            input_max: 1.0,
            negative_learning: true,
        }
    }
}

/// One convolution layer (spec section 1, first table).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerParams {
    /// Input channels.
    pub channels: usize,
    /// Input height and width.
    pub input: (usize, usize),
    /// Kernel side `K`.
    pub kernel: usize,
    /// Stride.
    pub stride: usize,
    /// Feature slots `F`.
    pub features: usize,
    /// `θmin = min_activation_ratio · input_max · P`: below it a cell is silent.
    pub min_activation_ratio: f32,
    /// `θmax = max_activation_ratio · input_max · P`: above it a cell outputs the ceiling.
    pub max_activation_ratio: f32,
    /// A new feature needs more than this many positive inputs (spec 4, Create).
    pub new_feature_min_positive: usize,
    /// Learning steps of this layer's phase (spec 9).
    pub steps: u64,
    /// This layer's own rule instead of the network's (default: none; fields left out
    /// of it take [`Rule::default`]). An experiment beyond the spec, whose layers share
    /// one rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Rule>,
}

impl LayerParams {
    /// The rule this layer follows: its own, else the network's.
    pub fn rule_or(&self, network: &Rule) -> Rule {
        self.rule.unwrap_or(*network)
    }
}

impl LayerParams {
    /// The output map's height and width (valid convolution, no padding).
    pub fn output(&self) -> (usize, usize) {
        let side = |n: usize| if n >= self.kernel { (n - self.kernel) / self.stride + 1 } else { 0 };
        (side(self.input.0), side(self.input.1))
    }
    /// Length of one cell input, `C·K·K`.
    pub fn dim(&self) -> usize {
        self.channels * self.kernel * self.kernel
    }
}

/// A whole AI-Memory1 network: the rule and its layers, each reading the previous one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Memory1Config {
    /// The rule's constants.
    pub rule: Rule,
    /// The layers, input first.
    pub layers: Vec<LayerParams>,
}

impl Default for Memory1Config {
    /// The shipped network: conv1 (7/2, 300 features, 1500 steps, 0.78/0.9) reading a
    /// 28x28 image, conv2 (11/1, 100 features, 1000 steps, 0.6/0.9) reading conv1's
    /// 300x11x11 output.
    fn default() -> Self {
        let conv1 = LayerParams {
            channels: 1,
            input: (28, 28),
            kernel: 7,
            stride: 2,
            features: 300,
            min_activation_ratio: 0.78,
            max_activation_ratio: 0.9,
            new_feature_min_positive: 15,
            steps: 1500,
            rule: None,
        };
        let conv2 = LayerParams {
            channels: 300,
            input: (11, 11),
            kernel: 11,
            stride: 1,
            features: 100,
            min_activation_ratio: 0.6,
            max_activation_ratio: 0.9,
            new_feature_min_positive: 15,
            steps: 1000,
            rule: None,
        };
        Memory1Config { rule: Rule::default(), layers: vec![conv1, conv2] }
    }
}

fn check_rule(r: &Rule) -> Result<(), ConfigError> {
    positive("rule.positive_total", r.positive_total)?;
    in_range("rule.negative_weight_ratio", r.negative_weight_ratio, 0.0, f32::MAX, "[0, inf)")?;
    in_range("rule.positive_recycle_rate", r.positive_recycle_rate, 0.0, 1.0, "[0, 1]")?;
    in_range("rule.negative_recycle_rate", r.negative_recycle_rate, 0.0, 1.0, "[0, 1]")?;
    in_range("rule.overlap_threshold", r.overlap_threshold, 0.0, 1.0, "[0, 1]")?;
    for (field, v) in [("rule.forget_rate", r.forget_rate), ("rule.long_term_rate", r.long_term_rate)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(ConfigError::OutOfRange { field, value: v, range: "[0, inf)" });
        }
    }
    positive("rule.output_max", r.output_max)?;
    positive("rule.input_max", r.input_max)?;
    Ok(())
}

crate::config::validated! {
    /// A [`Memory1Config`] that passed [`Memory1Config::validate`].
    ValidMemory1Config(Memory1Config) = "Memory1Config", checked by validate, derives PartialEq
}

impl Memory1Config {
    /// Checks every field and that each layer reads the previous one's output.
    pub fn validate(self) -> Result<ValidMemory1Config, ConfigError> {
        check_rule(&self.rule)?;
        if self.layers.is_empty() {
            return Err(ConfigError::Topology("AI-Memory1 needs at least one layer".into()));
        }
        for (k, l) in self.layers.iter().enumerate() {
            let bad = |what: &str| Err(ConfigError::Topology(format!("layer {k}: {what}")));
            if l.channels == 0 || l.kernel == 0 || l.stride == 0 || l.features == 0 {
                return bad("channels, kernel, stride and features must be at least 1");
            }
            if l.kernel > l.input.0 || l.kernel > l.input.1 {
                return bad(&format!("kernel {} is larger than its input {:?}", l.kernel, l.input));
            }
            if l.dim().checked_mul(l.features).is_none_or(|n| n > 1 << 30) {
                return bad("features x channels x kernel² is too large (over 2^30 weights)");
            }
            if let Some(r) = &l.rule {
                check_rule(r)?;
            }
            positive("layers.min_activation_ratio", l.min_activation_ratio)?;
            positive("layers.max_activation_ratio", l.max_activation_ratio)?;
            if l.max_activation_ratio <= l.min_activation_ratio {
                return bad("max_activation_ratio must exceed min_activation_ratio");
            }
            if k > 0 {
                let prev = &self.layers[k - 1];
                if (l.channels, l.input) != (prev.features, prev.output()) {
                    return bad(&format!(
                        "reads {} channels of {:?} but layer {} puts out {} of {:?}",
                        l.channels,
                        l.input,
                        k - 1,
                        prev.features,
                        prev.output()
                    ));
                }
            }
        }
        // every layer's slots, and one pass's buffers (cell inputs, sums, outputs), in f32
        let bytes: u128 = self
            .layers
            .iter()
            .map(|l| {
                let (h, w) = l.output();
                let (f, d, cells) = (l.features as u128, l.dim() as u128, (h * w) as u128);
                4 * (f * d + cells * d + 2 * f * cells)
            })
            .sum();
        crate::config::fits_in_memory(|| "the AI-Memory1 net (layers.features x channels x kernel²)".into(), bytes)?;
        Ok(ValidMemory1Config(self))
    }
}
