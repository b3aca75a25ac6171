//! The AI-Memory1 experiments (spec `../shared/docs/ai-memory1.md`, section 12) as
//! functions returning data: the "0" schedule with its early trace (check A) and held-out
//! coverage (check B), and accumulative learning digit after digit (check C and the
//! ten-digit run) with a readout that names the digit from the long-term features.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::data::mnist::Dataset;
use crate::error::{ConfigError, Error, Memory1Error};
use crate::memory1::{Forward, Layer, Memory, Memory1, Memory1Config, Observer, StepLog, learn};
use crate::progress::Progress;
use crate::scheduler::Tick;

/// The first `n` images of `digit` in `data`, in file order (spec section 1).
pub fn first_of_digit(data: &Dataset, digit: u8, n: usize) -> Vec<&[f32]> {
    (0..data.len()).filter(|&i| data.labels[i] == digit).take(n).map(|i| data.image(i)).collect()
}

/// [`first_of_digit`] on the training set, refusing a digit it holds no image of (a
/// schedule of no step has nothing to measure).
fn training_images(train: &Dataset, digit: u8, n: usize) -> Result<Vec<&[f32]>, ConfigError> {
    let images = first_of_digit(train, digit, n);
    if images.is_empty() {
        return Err(ConfigError::Invalid {
            field: "digit",
            reason: format!("the training set holds no image of digit {digit}: give a digit it holds"),
        });
    }
    Ok(images)
}

/// A digit label 0-9 and image counts of at least one, else the config error naming the
/// field.
fn check_digit_counts(digit: u8, counts: &[(&'static str, usize)]) -> Result<(), ConfigError> {
    if digit > 9 {
        return Err(ConfigError::OutOfRange { field: "digit", value: digit as f64, range: "0..=9" });
    }
    match counts.iter().find(|c| c.1 == 0) {
        Some(&(field, _)) => Err(ConfigError::NonPositive { field, value: 0.0 }),
        None => Ok(()),
    }
}

/// One recorded step's competition and new features, for the plots and check A.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepProbe {
    /// The step (tick).
    pub step: Tick,
    /// `(feature, cell, input sum)` of every cell active before competition.
    pub active_before: Vec<(usize, usize, f32)>,
    /// The competition groups `[winner, losers...]` as `(feature, cell)`.
    pub groups: Vec<Vec<(usize, usize)>>,
    /// What the step changed.
    pub log: StepLog,
}

/// Slot counts after one step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// The step.
    pub step: Tick,
    /// Short features.
    pub short: usize,
    /// Long features.
    pub long: usize,
    /// Features forgotten so far.
    pub forgotten: u64,
}

/// Records a learning run of layer 0: created per step, counts, probes.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Steps whose competition and new features are recorded in full.
    pub probe_steps: Vec<Tick>,
    /// Features created at each step of layer 0's phase.
    pub created_per_step: Vec<usize>,
    /// Counts after each step of layer 0's phase.
    pub counts: Vec<Counts>,
    /// The probes.
    pub probes: Vec<StepProbe>,
    /// The largest number of live (non-Free) slots of layer 0 after any step.
    pub peak_live_slots: usize,
    /// Features created per layer, over the whole run.
    pub created_by_layer: BTreeMap<usize, usize>,
    /// Selected cells refused by Create, per layer.
    pub refused_by_layer: BTreeMap<usize, usize>,
    /// Steps per layer.
    pub steps_by_layer: BTreeMap<usize, u64>,
    /// Layer 0's memory transitions in order.
    pub transitions: Vec<Transition>,
}

/// A slot of layer 0 forgotten by the memory test or made Long.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// The step.
    pub step: Tick,
    /// The slot (before end-of-phase compaction).
    pub slot: usize,
    /// `true`: became Long; `false`: forgotten.
    pub long: bool,
    /// Its active cells `a_f` at that moment.
    pub active_cells: u64,
    /// Its steps lived `t_f`.
    pub steps: u64,
}

impl Observer for Trace {
    fn step(&mut self, tick: Tick, layer: usize, net: &Memory1, fwd: &Forward, log: &StepLog) {
        *self.created_by_layer.entry(layer).or_default() += log.created.len();
        *self.refused_by_layer.entry(layer).or_default() += log.refused;
        *self.steps_by_layer.entry(layer).or_default() += 1;
        if layer != 0 {
            return;
        }
        let l = &net.layers[0];
        self.created_per_step.push(log.created.len());
        let moves = log.forgotten.iter().map(|m| (m, false)).chain(log.promoted.iter().map(|m| (m, true)));
        for (&(slot, k), long) in moves {
            self.transitions.push(Transition { step: tick, slot, long, active_cells: k.active_cells, steps: k.steps });
        }
        let (short, long) = (l.count(Memory::Short), l.count(Memory::Long));
        self.counts.push(Counts { step: tick, short, long, forgotten: l.forgotten_total });
        self.peak_live_slots = self.peak_live_slots.max(short + long);
        if self.probe_steps.contains(&tick) {
            let cells = l.cells();
            self.probes.push(StepProbe {
                step: tick,
                active_before: fwd.active_before.iter().map(|&(f, c)| (f, c, fwd.sums[f * cells + c])).collect(),
                groups: fwd.groups.clone(),
                log: log.clone(),
            });
        }
    }
}

/// Held-out coverage of a frozen layer 0 (check B of the spec).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Images measured.
    pub images: usize,
    /// Mean over images of the share of eligible cells (more inked inputs than the
    /// new-feature gate) that are active or conflict with an active cell.
    pub covered_fraction: f64,
    /// Mean number of cells the new-feature procedure would turn into features.
    pub new_features_per_image: f64,
    /// Share of images that would need no new feature.
    pub images_needing_none: f64,
    /// Mean share of the ink inside the active cells' rectangles.
    pub ink_share: f64,
}

/// Check B on `images`: layer 0 of `net` runs frozen, with competition.
pub fn coverage(net: &Memory1, images: &[&[f32]]) -> Result<Coverage, Memory1Error> {
    let layer = &net.layers[0];
    let rule = &layer.params.rule_or(&net.config.rule);
    let (d, cells, th) = (layer.params.dim(), layer.cells(), rule.overlap_threshold);
    let gate = layer.params.new_feature_min_positive;
    let (mut covered_sum, mut new_sum, mut none, mut ink_sum, mut counted) = (0.0, 0usize, 0usize, 0.0, 0usize);
    for image in images {
        let fwd = layer.forward(image, rule)?;
        let active = layer.active_cells(&fwd);
        let inked = |c: usize| fwd.patches[c * d..(c + 1) * d].iter().filter(|&&v| v > 0.0).count();
        let eligible: Vec<usize> = (0..cells).filter(|&c| inked(c) > gate).collect();
        let actives: Vec<usize> = (0..cells).filter(|&c| active[c]).collect();
        if !eligible.is_empty() {
            let covered = eligible.iter().filter(|&&c| active[c] || actives.iter().any(|&a| layer.conflict(a, c, th)));
            covered_sum += covered.count() as f64 / eligible.len() as f64;
            counted += 1;
        }
        let new = layer.select_new(&active, th).into_iter().filter(|&c| inked(c) > gate).count();
        new_sum += new;
        none += usize::from(new == 0);
        ink_sum += ink_inside(layer, image, &actives);
    }
    let n = images.len().max(1) as f64;
    Ok(Coverage {
        images: images.len(),
        covered_fraction: covered_sum / counted.max(1) as f64,
        new_features_per_image: new_sum as f64 / n,
        images_needing_none: none as f64 / n,
        ink_share: ink_sum / n,
    })
}

/// Share of the image's ink (sum of pixel values) inside the union of the cells'
/// rectangles (a one-channel layer).
fn ink_inside(layer: &Layer, image: &[f32], cells: &[usize]) -> f64 {
    let p = &layer.params;
    let (h, w) = p.input;
    let (_, ow) = p.output();
    let mut inside = vec![false; h * w];
    for &c in cells {
        let (y0, x0) = ((c / ow) * p.stride, (c % ow) * p.stride);
        for y in y0..y0 + p.kernel {
            inside[y * w + x0..y * w + x0 + p.kernel].fill(true);
        }
    }
    let total: f64 = image[..h * w].iter().map(|&v| v as f64).sum();
    let ink: f64 = image[..h * w].iter().zip(&inside).filter(|(_, i)| **i).map(|(&v, _)| v as f64).sum();
    if total > 0.0 { ink / total } else { 1.0 }
}

/// Settings of the "0" schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ZeroConfig {
    /// The network (default: the shipped one).
    pub network: Memory1Config,
    /// The digit learned.
    pub digit: u8,
    /// Training images: the first this many of the digit, in file order.
    pub images: usize,
    /// Test images of the digit for check B (all when larger than there are).
    pub test_images: usize,
    /// Steps whose competition is recorded in full.
    pub probe_steps: Vec<Tick>,
}

impl Default for ZeroConfig {
    fn default() -> Self {
        ZeroConfig {
            network: Memory1Config::default(),
            digit: 0,
            images: 500,
            test_images: 10_000,
            probe_steps: vec![1, 2, 25, 1499],
        }
    }
}

impl ZeroConfig {
    /// The digit a label (0-9), at least one training and one test image.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_digit_counts(self.digit, &[("images", self.images), ("test_images", self.test_images)])
    }
}

/// What the "0" schedule gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZeroRun {
    /// The settings.
    pub config: ZeroConfig,
    /// Features created at each of the first 31 steps (check A).
    pub created_per_step: Vec<usize>,
    /// Long features of layer 0 at the end.
    pub long_term_features: usize,
    /// Long features after steps 499, 599, 999 and 1499 (where the phase is that long).
    pub long_at: Vec<(Tick, usize)>,
    /// Features layer 0 created in all.
    pub created_total: u64,
    /// Features layer 0 forgot in all (memory test and end-of-phase trim).
    pub forgotten_total: u64,
    /// Of those, the ones the memory test forgot.
    pub forgotten_by_test: u64,
    /// Layer 0's memory transitions (forgotten, Long) in order.
    pub transitions: Vec<Transition>,
    /// The largest number of live slots of layer 0.
    pub peak_live_slots: usize,
    /// Features each layer created.
    pub created_by_layer: BTreeMap<usize, usize>,
    /// Refused picks per layer.
    pub refused_by_layer: BTreeMap<usize, usize>,
    /// Long features per layer at the end.
    pub long_by_layer: Vec<usize>,
    /// What each Long feature of the second layer responds to, on the test images.
    pub second_layer: Vec<Response>,
    /// Check B on the digit's test images.
    pub test_coverage: Coverage,
    /// Check B on the training images.
    pub train_coverage: Coverage,
    /// Check B's covered fraction on the learned digit's test images ("zero" after the
    /// default digit; the same as `test_coverage.covered_fraction`).
    pub test_zero_coverage: f64,
    /// Check B's new features per test image (`test_coverage.new_features_per_image`).
    pub test_zero_new_features_per_image: f64,
    /// Learning steps per second (all layers).
    pub steps_per_s: f64,
    /// Counts after every step of layer 0.
    pub counts: Vec<Counts>,
    /// The probed steps.
    pub probes: Vec<StepProbe>,
}

/// The "0" schedule of the spec on `train`, check B on `test`; returns the run and the
/// trained network.
pub fn run_zero(cfg: &ZeroConfig, train: &Dataset, test: &Dataset) -> Result<(ZeroRun, Memory1), Error> {
    cfg.validate()?;
    let mut net = Memory1::new(cfg.network.clone().validate()?);
    let images = training_images(train, cfg.digit, cfg.images)?;
    let mut trace = Trace { probe_steps: cfg.probe_steps.clone(), ..Trace::default() };
    let start = Instant::now();
    let steps = learn_with_progress(&mut net, &images, &mut trace, &format!("AI-Memory1 \"{}\"", cfg.digit))?;
    let steps_per_s = steps as f64 / start.elapsed().as_secs_f64();
    let tests = first_of_digit(test, cfg.digit, cfg.test_images);
    let test_coverage = coverage(&net, &tests)?;
    let train_coverage = coverage(&net, &images)?;
    let l0 = &net.layers[0];
    let long_at =
        [499, 599, 999, 1499].iter().filter_map(|&s| trace.counts.get(s as usize).map(|c| (s, c.long))).collect();
    Ok((
        ZeroRun {
            config: cfg.clone(),
            created_per_step: trace.created_per_step.iter().take(31).copied().collect(),
            long_term_features: l0.count(Memory::Long),
            long_at,
            created_total: l0.created_total,
            forgotten_total: l0.forgotten_total,
            forgotten_by_test: l0.forgotten_by_test,
            transitions: trace.transitions,
            peak_live_slots: trace.peak_live_slots,
            created_by_layer: trace.created_by_layer,
            long_by_layer: net.layers.iter().map(|l| l.count(Memory::Long)).collect(),
            second_layer: if net.layers.len() > 1 { responses(&net, 1, &tests)? } else { Vec::new() },
            refused_by_layer: trace.refused_by_layer,
            test_zero_coverage: test_coverage.covered_fraction,
            test_zero_new_features_per_image: test_coverage.new_features_per_image,
            test_coverage,
            train_coverage,
            steps_per_s,
            counts: trace.counts,
            probes: trace.probes,
        },
        net,
    ))
}

/// What a Long feature responds to: the images on which it wins somewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Its slot.
    pub slot: usize,
    /// The share of the images on which it wins at some cell.
    pub wins: f64,
    /// The mean of those images (empty when it never wins).
    pub mean_image: Vec<f32>,
}

/// For each Long feature of `layer`, the share of `images` on which it wins at some
/// cell and the mean of those images.
pub fn responses(net: &Memory1, layer: usize, images: &[&[f32]]) -> Result<Vec<Response>, Memory1Error> {
    let l = &net.layers[layer];
    let long: Vec<usize> = (0..l.params.features).filter(|&f| l.state[f] == Memory::Long).collect();
    let pixels = images.first().map_or(0, |i| i.len());
    let mut sums: BTreeMap<usize, (Vec<f64>, usize)> = long.iter().map(|&f| (f, (vec![0.0; pixels], 0))).collect();
    for img in images {
        let fwd = net.forward(img, layer)?.pop().expect("layer + 1 passes");
        let mut won: Vec<usize> = fwd.winners().map(|(f, _)| f).collect();
        won.sort_unstable();
        won.dedup();
        for f in won {
            if let Some((acc, n)) = sums.get_mut(&f) {
                acc.iter_mut().zip(img.iter()).for_each(|(a, &v)| *a += v as f64);
                *n += 1;
            }
        }
    }
    Ok(sums
        .into_iter()
        .map(|(slot, (acc, n))| Response {
            slot,
            wins: n as f64 / images.len().max(1) as f64,
            mean_image: if n == 0 { Vec::new() } else { acc.iter().map(|a| (a / n as f64) as f32).collect() },
        })
        .collect())
}

/// [`learn`] with a progress line per layer phase on stderr.
fn learn_with_progress(net: &mut Memory1, images: &[&[f32]], trace: &mut Trace, label: &str) -> Result<Tick, Error> {
    struct WithProgress<'a> {
        trace: &'a mut Trace,
        bar: Option<Progress>,
        label: String,
        phase_steps: Vec<u64>,
        done: u64,
    }
    impl Observer for WithProgress<'_> {
        fn step(&mut self, tick: Tick, layer: usize, net: &Memory1, fwd: &Forward, log: &StepLog) {
            self.trace.step(tick, layer, net, fwd, log);
            let total = self.phase_steps[layer] as usize;
            let bar = self.bar.get_or_insert_with(|| Progress::new(format!("{} layer {layer}", self.label), total));
            self.done += 1;
            if self.done.is_multiple_of(100) {
                let l = &net.layers[layer];
                bar.update(
                    self.done as usize,
                    &format!("{} short, {} long", l.count(Memory::Short), l.count(Memory::Long)),
                );
            }
        }
        fn end_phase(&mut self, _: Tick, _: usize, _: &Memory1, _: usize) {
            if let Some(bar) = self.bar.take() {
                bar.finish();
            }
            self.done = 0;
        }
    }
    let phase_steps = net.config.layers.iter().map(|l| l.steps).collect();
    let mut obs = WithProgress { trace, bar: None, label: label.into(), phase_steps, done: 0 };
    Ok(learn(net, images, &mut obs, None)?)
}

/// Settings of accumulative learning, digit after digit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccumulateConfig {
    /// The network. The default is the shipped one with 1000 conv1 slots (and conv2
    /// reading 1000 channels): ten digits need more than the 300 slots that one digit
    /// uses at most (peak 153 for "0"). With fewer digits the extra slots change
    /// nothing: a new feature takes the lowest Free slot either way.
    pub network: Memory1Config,
    /// The digits, learned in this order, one schedule each.
    pub digits: Vec<u8>,
    /// Training images per digit: the first this many in file order.
    pub images_per_digit: usize,
    /// Test images per digit for coverage and the readout (all when larger).
    pub test_per_digit: usize,
}

impl AccumulateConfig {
    /// At least one digit, each a label (0-9) given once (a digit's readout class is
    /// one class), at least one training and one test image per digit.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.digits.is_empty() {
            return Err(ConfigError::Empty { field: "digits", what: "digit (0-9)" });
        }
        for (k, &d) in self.digits.iter().enumerate() {
            check_digit_counts(
                d,
                &[("images_per_digit", self.images_per_digit), ("test_per_digit", self.test_per_digit)],
            )?;
            if self.digits[..k].contains(&d) {
                return Err(ConfigError::Invalid {
                    field: "digits",
                    reason: format!("digit {d} is given twice: give each digit once"),
                });
            }
        }
        Ok(())
    }

    /// The shipped network with `slots` conv1 feature slots.
    pub fn network_with_slots(slots: usize) -> Memory1Config {
        let mut n = Memory1Config::default();
        n.layers[0].features = slots;
        n.layers[1].channels = slots;
        n
    }
}

impl Default for AccumulateConfig {
    fn default() -> Self {
        AccumulateConfig {
            network: AccumulateConfig::network_with_slots(1000),
            digits: (0..10).collect(),
            images_per_digit: 500,
            test_per_digit: 10_000,
        }
    }
}

/// One digit's schedule in an accumulative run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// The digit learned.
    pub digit: u8,
    /// Long conv1 features this stage added.
    pub long_added: usize,
    /// Long conv1 features after it.
    pub long_total: usize,
    /// Whether every earlier Long feature kept its weights, state and slot bit for bit.
    pub old_features_unchanged: bool,
    /// Features conv2 created in this stage.
    pub conv2_created: usize,
    /// Selected conv2 cells refused by the new-feature gate in this stage.
    pub conv2_refused: usize,
    /// Check B's covered fraction on the test images of each digit learned so far.
    pub coverage: Vec<(u8, f64)>,
    /// The readout's accuracy on the test images of the digits learned so far (after
    /// the first stage, which has one class): the nearest class mean (cosine) of the
    /// feature maps after competition ([`activation_vector`] with maps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_after_stage: Option<f64>,
    /// The readout's recall per digit learned so far.
    pub per_digit_accuracy: Vec<(u8, f64)>,
    /// The same readout on feature histograms (how often each feature wins, blind to
    /// where).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram_accuracy: Option<f64>,
    /// The baseline without a learning rule: nearest class mean on raw pixels, the same
    /// training images, the same test images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pixel_baseline_accuracy: Option<f64>,
}

/// What accumulative learning gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccumulateRun {
    /// The settings.
    pub config: AccumulateConfig,
    /// One entry per digit, in order.
    pub stages: Vec<Stage>,
    /// The readout's accuracy on digit 0's test images after each stage from the
    /// second on.
    pub digit0_accuracy_after_stage: Vec<(u8, f64)>,
    /// Learning steps per second (all layers, all stages; the readouts not counted).
    pub steps_per_s: f64,
}

/// Layer 0's response to `image` as a vector for the readout: with `maps` false, how
/// many winning cells each slot has (a feature histogram, blind to position); with
/// `maps` true, the winners' outputs at their cells (`slots x cells`, the layer's
/// output after competition). Only slots up to the last live one count.
pub fn activation_vector(net: &Memory1, image: &[f32], maps: bool) -> Result<Vec<f64>, Memory1Error> {
    let l = &net.layers[0];
    let fwd = l.forward(image, &net.config.rule)?;
    // slots past the last live one are Free: leave them out
    let live = l.state.iter().rposition(|&m| m != Memory::Free).map_or(0, |i| i + 1);
    if maps {
        return Ok(fwd.output[..live * l.cells()].iter().map(|&v| v as f64).collect());
    }
    let mut h = vec![0.0; live];
    for (f, _) in fwd.winners() {
        h[f] += 1.0;
    }
    Ok(h)
}

/// A nearest-class-mean classifier, built one row at a time (rows are not kept): by
/// cosine (rows made unit length) or by Euclidean distance.
#[derive(Debug, Clone)]
struct ClassMeans {
    cosine: bool,
    sums: BTreeMap<u8, (Vec<f64>, usize)>,
}

fn unit(v: &mut [f64]) {
    let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

impl ClassMeans {
    fn new(cosine: bool) -> ClassMeans {
        ClassMeans { cosine, sums: BTreeMap::new() }
    }

    fn add(&mut self, label: u8, mut row: Vec<f64>) {
        if self.cosine {
            unit(&mut row);
        }
        let e = self.sums.entry(label).or_insert_with(|| (vec![0.0; row.len()], 0));
        e.0.iter_mut().zip(&row).for_each(|(m, x)| *m += x);
        e.1 += 1;
    }

    /// The means, unit length for cosine.
    fn finish(&mut self) {
        let cosine = self.cosine;
        for (m, n) in self.sums.values_mut() {
            m.iter_mut().for_each(|x| *x /= (*n).max(1) as f64);
            if cosine {
                unit(m);
            }
        }
    }

    fn predict(&self, row: &[f64]) -> Option<u8> {
        let score = |m: &[f64]| {
            if self.cosine {
                m.iter().zip(row).map(|(a, b)| a * b).sum::<f64>()
            } else {
                -m.iter().zip(row).map(|(a, b)| (a - b) * (a - b)).sum::<f64>()
            }
        };
        self.sums.iter().max_by(|a, b| score(&a.1.0).total_cmp(&score(&b.1.0))).map(|m| *m.0)
    }
}

/// Hits and totals per class.
#[derive(Debug, Default)]
struct Tally(BTreeMap<u8, (usize, usize)>);

impl Tally {
    fn add(&mut self, label: u8, predicted: Option<u8>) {
        let e = self.0.entry(label).or_default();
        e.0 += usize::from(predicted == Some(label));
        e.1 += 1;
    }
    fn accuracy(&self) -> f64 {
        let (c, n) = self.0.values().fold((0, 0), |acc, h| (acc.0 + h.0, acc.1 + h.1));
        c as f64 / n.max(1) as f64
    }
    fn per_class(&self) -> Vec<(u8, f64)> {
        self.0.iter().map(|(&l, &(c, n))| (l, c as f64 / n.max(1) as f64)).collect()
    }
}

/// The three readouts of the digits learned so far: nearest class mean of feature maps,
/// of feature histograms, and of raw pixels. Returns (maps tally, histogram accuracy,
/// pixel accuracy).
fn readouts(
    net: &Memory1,
    cfg: &AccumulateConfig,
    learned: &[u8],
    train: &Dataset,
    test: &Dataset,
) -> Result<(Tally, f64, f64), Error> {
    let (mut maps, mut hist, mut px) = (ClassMeans::new(true), ClassMeans::new(true), ClassMeans::new(false));
    let pixels = |img: &[f32]| img.iter().map(|&v| v as f64).collect::<Vec<f64>>();
    for &dg in learned {
        for img in first_of_digit(train, dg, cfg.images_per_digit) {
            maps.add(dg, activation_vector(net, img, true)?);
            hist.add(dg, activation_vector(net, img, false)?);
            px.add(dg, pixels(img));
        }
    }
    maps.finish();
    hist.finish();
    px.finish();
    let (mut t_maps, mut t_hist, mut t_px) = (Tally::default(), Tally::default(), Tally::default());
    for &dg in learned {
        for img in first_of_digit(test, dg, cfg.test_per_digit) {
            t_maps.add(dg, maps.predict(&activation_vector(net, img, true)?));
            t_hist.add(dg, hist.predict(&activation_vector(net, img, false)?));
            t_px.add(dg, px.predict(&pixels(img)));
        }
    }
    Ok((t_maps, t_hist.accuracy(), t_px.accuracy()))
}

/// Learns the digits of `cfg` one after the other on one network (the spec's check C
/// for "0" then "1", and beyond), measuring after each stage what earlier stages left.
pub fn run_accumulate(
    cfg: &AccumulateConfig,
    train: &Dataset,
    test: &Dataset,
) -> Result<(AccumulateRun, Memory1), Error> {
    cfg.validate()?;
    for &digit in &cfg.digits {
        training_images(train, digit, 1)?;
    }
    let mut net = Memory1::new(cfg.network.clone().validate()?);
    let mut stages = Vec::new();
    let mut digit0 = Vec::new();
    let (mut steps, mut learning) = (0u64, std::time::Duration::ZERO);
    for (k, &digit) in cfg.digits.iter().enumerate() {
        let images = first_of_digit(train, digit, cfg.images_per_digit);
        let l0 = &net.layers[0];
        let old_long = l0.count(Memory::Long);
        let d = l0.params.dim();
        let snapshot = (l0.weights[..old_long * d].to_vec(), l0.state[..old_long].to_vec());
        let mut trace = Trace::default();
        let start = Instant::now();
        let label = format!("AI-Memory1 stage {} \"{digit}\"", k + 1);
        steps += learn_with_progress(&mut net, &images, &mut trace, &label)?;
        learning += start.elapsed();
        let l0 = &net.layers[0];
        let unchanged = l0.weights[..old_long * d] == snapshot.0[..] && l0.state[..old_long] == snapshot.1[..];
        let learned = &cfg.digits[..=k];
        let mut coverage_by_digit = Vec::new();
        for &dg in learned {
            coverage_by_digit
                .push((dg, coverage(&net, &first_of_digit(test, dg, cfg.test_per_digit))?.covered_fraction));
        }
        let (maps, hist_acc, px_acc) = readouts(&net, cfg, learned, train, test)?;
        let (per_digit, acc) = (maps.per_class(), maps.accuracy());
        let several = learned.len() > 1;
        if several && let Some(&(_, a0)) = per_digit.iter().find(|p| p.0 == 0) {
            digit0.push((digit, a0));
        }
        let long_total = l0.count(Memory::Long);
        eprintln!(
            "stage {} \"{digit}\": +{} long ({long_total} in all), old unchanged {unchanged}, readout {}",
            k + 1,
            long_total - old_long,
            if several { format!("{acc:.3} (histograms {hist_acc:.3}, pixels {px_acc:.3})") } else { "-".into() }
        );
        stages.push(Stage {
            digit,
            long_added: long_total - old_long,
            long_total,
            old_features_unchanged: unchanged,
            conv2_created: trace.created_by_layer.get(&1).copied().unwrap_or(0),
            conv2_refused: trace.refused_by_layer.get(&1).copied().unwrap_or(0),
            coverage: coverage_by_digit,
            accuracy_after_stage: several.then_some(acc),
            per_digit_accuracy: if several { per_digit } else { Vec::new() },
            histogram_accuracy: several.then_some(hist_acc),
            pixel_baseline_accuracy: several.then_some(px_acc),
        });
    }
    let steps_per_s = steps as f64 / learning.as_secs_f64();
    Ok((AccumulateRun { config: cfg.clone(), stages, digit0_accuracy_after_stage: digit0, steps_per_s }, net))
}
