//! The memory-association experiments as functions returning data: a class-imbalanced
//! stream learned straight and through the short-term memory.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::association::ShortTermMemory;
use crate::data::mnist::Dataset;
use crate::error::{ConfigError, Error};
use crate::learners::{CvaeConfig, CvaeKind, LearnerKind, Mlp, MlpConfig};
use crate::learners::{MnistConfig, Mode, Trainer};
use crate::progress::Progress;
use crate::sim::{SimRng, rng_from_seed};

/// Settings of the imbalance experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImbalanceConfig {
    /// Samples in the stream (one MNIST epoch).
    pub samples: usize,
    /// Class `i` appears with probability proportional to `decay^i`.
    pub decay: f64,
    /// The short-term memory's queue size per class.
    pub capacity: usize,
    /// Test images (balanced accuracy is the mean of the per-class recalls over them).
    pub test_samples: usize,
    /// The aSTDP net (supervised).
    pub astdp: MnistConfig,
    /// The backprop MLP.
    pub mlp: MlpConfig,
    /// The learners run: `"astdp"`, `"mlp"`.
    pub learners: Vec<LearnerKind>,
    /// Seed of the stream, the memory's draws and the nets.
    pub seed: u64,
}

impl Default for ImbalanceConfig {
    /// The stream of the issue (0.5^i, 60,000 samples), queues of 1000, the README's
    /// quick aSTDP net (784-128-10, batch 16, 20 + 40 iterations, alpha 0.05) and a
    /// 784-128-10 cross-entropy MLP with the same batch.
    fn default() -> Self {
        let astdp = MnistConfig::small();
        ImbalanceConfig {
            samples: 60_000,
            decay: 0.5,
            capacity: 1000,
            test_samples: 10_000,
            astdp,
            mlp: MlpConfig::small(),
            learners: vec![LearnerKind::Astdp, LearnerKind::Mlp],
            seed: 1,
        }
    }
}

impl ImbalanceConfig {
    /// Checks the settings that the learners' own checks do not cover.
    pub fn validate(&self) -> Result<(), crate::error::ConfigError> {
        use crate::error::ConfigError;
        if !(self.decay.is_finite() && self.decay > 0.0) {
            return Err(ConfigError::OutOfRange { field: "decay", value: self.decay, range: "(0, inf)" });
        }
        for (field, v) in [("samples", self.samples), ("test_samples", self.test_samples), ("capacity", self.capacity)]
        {
            if v == 0 {
                return Err(ConfigError::NonPositive { field, value: 0.0 });
            }
        }
        if self.learners.is_empty() {
            return Err(ConfigError::Empty { field: "learners", what: "learner (\"astdp\" or \"mlp\")" });
        }
        if let Some(other) = self.learners.iter().find(|l| !matches!(l, LearnerKind::Astdp | LearnerKind::Mlp)) {
            return Err(ConfigError::Invalid {
                field: "learners",
                reason: format!("{other} is not run on the stream: give \"astdp\" or \"mlp\""),
            });
        }
        self.mlp.validate()?;
        const PIXELS: usize = crate::data::mnist::SIDE * crate::data::mnist::SIDE;
        self.mlp.fits(PIXELS, 10)?;
        // the short-term memory's queues, full, as floats; the stream's sample indices
        crate::config::fits_in_memory(
            || "the short-term memory (capacity)".into(),
            40 * PIXELS as u128 * self.capacity as u128,
        )?;
        crate::config::fits_in_memory(|| "the stream (samples)".into(), 16 * self.samples as u128)
    }
}

/// One learner on one way of feeding it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImbalanceRun {
    /// The learner.
    pub learner: LearnerKind,
    /// `"none"` (straight on the stream) or `"short_term"` (balanced batches from the
    /// short-term memory, one per batch of the stream).
    pub memory: String,
    /// The mean of the per-class recalls on the test images.
    pub balanced_accuracy: f64,
    /// Recall of each class 0-9.
    pub per_class_recall: Vec<f64>,
    /// Samples trained on (the same for both ways of feeding).
    pub updates: usize,
    /// How often each class was trained on.
    pub trained_per_class: Vec<usize>,
}

/// What the imbalance experiment gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImbalanceResult {
    /// The settings.
    pub config: ImbalanceConfig,
    /// How often each class appears in the stream.
    pub stream_per_class: Vec<usize>,
    /// The runs.
    pub runs: Vec<ImbalanceRun>,
}

/// A stream of `n` training-set indices: a class drawn with probability proportional to
/// `decay^class`, then one of its images uniformly.
pub fn imbalanced_stream(train: &Dataset, n: usize, decay: f64, rng: &mut SimRng) -> Vec<usize> {
    let by_class: Vec<Vec<usize>> = (0..10u8).map(|c| train.indices_of(c)).collect();
    let weights: Vec<f64> = (0..10).map(|c| if by_class[c].is_empty() { 0.0 } else { decay.powi(c as i32) }).collect();
    let total: f64 = weights.iter().sum();
    (0..n)
        .map(|_| {
            let mut u = rng.random::<f64>() * total;
            let mut c = 0;
            while c < 9 && (u >= weights[c] || weights[c] == 0.0) {
                u -= weights[c];
                c += 1;
            }
            let pool = &by_class[c];
            pool[rng.random_range(0..pool.len())]
        })
        .collect()
}

/// The order a learner sees when fed through the short-term memory: after each batch of
/// the stream is pushed, one batch of the same size drawn balanced from the memory.
pub fn through_short_term_memory(
    train: &Dataset,
    stream: &[usize],
    batch: usize,
    capacity: usize,
    rng: &mut SimRng,
) -> Result<Vec<usize>, Error> {
    let mut stm = ShortTermMemory::new(10, capacity)?;
    let mut order = Vec::with_capacity(stream.len());
    for chunk in stream.chunks(batch.max(1)) {
        for &i in chunk {
            stm.push(train.labels[i] as usize, i)?;
        }
        order.extend(stm.sample_balanced(chunk.len(), rng)?.into_iter().map(|(_, &i)| i));
    }
    Ok(order)
}

fn per_class(train: &Dataset, order: &[usize]) -> Vec<usize> {
    let mut n = vec![0; 10];
    for &i in order {
        n[train.labels[i] as usize] += 1;
    }
    n
}

/// Recall of each class on `test`, from `accuracy(subset of one class)`.
fn recalls(test: &Dataset, mut accuracy: impl FnMut(&Dataset) -> Result<f64, Error>) -> Result<Vec<f64>, Error> {
    (0..10u8).map(|c| accuracy(&test.select(&test.indices_of(c)))).collect()
}

/// Trains each learner of `cfg` straight on one imbalanced stream and through the
/// short-term memory, and measures per-class recall on `test`.
pub fn run_imbalance(cfg: &ImbalanceConfig, train: &Dataset, test: &Dataset) -> Result<ImbalanceResult, Error> {
    cfg.validate()?;
    let astdp = cfg.astdp.clone().check()?;
    if train.is_empty() {
        return Err(ConfigError::NonPositive { field: "training images", value: 0.0 }.into());
    }
    // a recall per class needs test images of every class: none would read as 0% recall
    let test = test.take(cfg.test_samples);
    if let Some(c) = (0..10u8).find(|&c| test.indices_of(c).is_empty()) {
        return Err(ConfigError::Invalid {
            field: "test_samples",
            reason: format!("the first {} test images hold no {c}: give more test images", test.len()),
        }
        .into());
    }
    let mut rng = rng_from_seed(cfg.seed);
    let stream = imbalanced_stream(train, cfg.samples, cfg.decay, &mut rng);
    let mut runs = Vec::new();
    for learner in &cfg.learners {
        let batch = match learner {
            LearnerKind::Astdp => cfg.astdp.batch,
            _ => cfg.mlp.batch,
        };
        let mut memory_rng = rng_from_seed(cfg.seed.wrapping_add(1));
        let replayed = through_short_term_memory(train, &stream, batch, cfg.capacity, &mut memory_rng)?;
        for (memory, order) in [("none", &stream), ("short_term", &replayed)] {
            let label = format!("{learner}, memory {memory}");
            let recall = match learner {
                LearnerKind::Astdp => {
                    let mut t = Trainer::new(astdp.clone(), train.pixels(), cfg.seed)?;
                    let mut bar = Progress::new(label, order.len());
                    t.train_order(train, order, Mode::Supervised, &mut |done, _, acc| {
                        bar.update(done, &format!("train acc {acc:.3}"))
                    })?;
                    bar.finish();
                    recalls(&test, |d| Ok(t.evaluate(d)?.accuracy))?
                }
                _ => {
                    let mut m = Mlp::new(train.pixels(), cfg.mlp.hidden, 10, &mut rng_from_seed(cfg.seed));
                    m.train_order(train, order, &cfg.mlp)?;
                    recalls(&test, |d| Ok(m.accuracy(d)?))?
                }
            };
            let balanced = recall.iter().sum::<f64>() / recall.len() as f64;
            eprintln!("{learner}, memory {memory}: balanced accuracy {balanced:.4}");
            runs.push(ImbalanceRun {
                learner: *learner,
                memory: memory.into(),
                balanced_accuracy: balanced,
                per_class_recall: recall,
                updates: order.len(),
                trained_per_class: per_class(train, order),
            });
        }
    }
    Ok(ImbalanceResult { config: cfg.clone(), stream_per_class: per_class(train, &stream), runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 100 images per class 0-9, 2x2 pixels.
    fn data() -> Dataset {
        let labels: Vec<u8> = (0..1000).map(|i| (i % 10) as u8).collect();
        Dataset { images: vec![0.5; 4000], labels, rows: 2, cols: 2 }
    }

    #[test]
    fn the_stream_halves_from_class_to_class() {
        let d = data();
        let s = imbalanced_stream(&d, 100_000, 0.5, &mut rng_from_seed(1));
        let n = per_class(&d, &s);
        // expected share of class i: 0.5^i / (2 - 2^-9)
        for (i, &c) in n.iter().enumerate().take(6) {
            let expected = 100_000.0 * 0.5f64.powi(i as i32) / (2.0 - 0.5f64.powi(9));
            assert!((c as f64 - expected).abs() < 5.0 * expected.sqrt() + 1.0, "class {i}: {c} vs {expected}");
        }
        assert!(n[9] > 0 && n[9] < 200, "{n:?}");
    }

    #[test]
    fn the_memory_feeds_the_same_number_of_samples_balanced() {
        let d = data();
        let s = imbalanced_stream(&d, 20_000, 0.5, &mut rng_from_seed(2));
        let order = through_short_term_memory(&d, &s, 16, 50, &mut rng_from_seed(3)).unwrap();
        assert_eq!(order.len(), s.len());
        let n = per_class(&d, &order);
        // once every class has arrived, each gets about a tenth; class 9 arrives late
        assert!(n[..9].iter().all(|&c| c > 1500), "{n:?}");
        assert!(n[9] > 500, "{n:?}");
        assert!(per_class(&d, &s)[9] < 50);
    }
}

/// Settings of recall with variety from a trained aSTDP net.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecallConfig {
    /// Recalled images per label and setting.
    pub per_label: usize,
    /// Real test images per label for the variety's denominator.
    pub real_per_label: usize,
    /// The classifier that judges recognisability (trained on all training images).
    pub classifier: MlpConfig,
    /// Its epochs.
    pub classifier_epochs: usize,
    /// Training images it learns from (the first this many).
    pub classifier_samples: usize,
    /// The settings tried, in order of growing variety.
    pub settings: Vec<crate::learners::Variety>,
    /// The long-term memories (conditional VAEs) recalled beside the aSTDP net.
    pub long_term: Vec<crate::learners::CvaeConfig>,
    /// Their training: passes over the training images' worth of balanced batches
    /// drawn from the short-term memory.
    pub long_term_epochs: usize,
    /// Their batch size.
    pub long_term_batch: usize,
    /// The short-term memory they learn from: samples per class (6000 keeps all of MNIST
    /// but the first-pushed 742 ones, 131 threes and 265 sevens).
    pub long_term_capacity: usize,
    /// Training images pushed into that memory (the first this many, in a random order).
    pub long_term_samples: usize,
    /// Seed of the recalls and the classifier.
    pub seed: u64,
}

impl RecallConfig {
    /// Checks every setting before any training: the classifier and each long-term
    /// memory (their ranges, and that they fit in memory on MNIST's 784 pixels and 10
    /// labels), every recall setting (a spread of inf made the states non-finite, found
    /// only at its turn), the counts, and the recalled images' memory.
    pub fn validate(&self) -> Result<(), ConfigError> {
        const PIXELS: usize = crate::data::mnist::SIDE * crate::data::mnist::SIDE;
        self.classifier.validate()?;
        self.classifier.fits(PIXELS, 10)?;
        for (k, v) in self.settings.iter().enumerate() {
            v.validate()
                .map_err(|e| ConfigError::Invalid { field: "settings", reason: format!("setting {k}: {e}") })?;
        }
        if self.settings.is_empty() {
            return Err(ConfigError::Empty { field: "settings", what: "recall setting" });
        }
        if self.per_label < 2 || self.real_per_label < 2 {
            return Err(ConfigError::OutOfRange {
                field: "per_label",
                value: self.per_label.min(self.real_per_label) as f64,
                range: "[2, inf) (variety compares pairs), for per_label and real_per_label",
            });
        }
        let counts = [("classifier_epochs", self.classifier_epochs), ("classifier_samples", self.classifier_samples)];
        let long_term = [
            ("long_term_epochs", self.long_term_epochs),
            ("long_term_batch", self.long_term_batch),
            ("long_term_capacity", self.long_term_capacity),
            ("long_term_samples", self.long_term_samples),
        ];
        let needed = if self.long_term.is_empty() { &long_term[..0] } else { &long_term[..] };
        for &(field, v) in counts.iter().chain(needed) {
            crate::config::at_least(field, v as u64, 1, "[1, inf)")?;
        }
        for lt in &self.long_term {
            lt.validate(10)?;
            lt.fits(PIXELS, 10, self.long_term_batch)?;
            crate::learners::cvae::require(|| {
                format!("the long-term memory of type {} (config field long_term)", lt.kind)
            })?;
        }
        // every setting's recalls and the real images they are compared with, as floats
        let images = (self.per_label as u128 * (self.settings.len() + self.long_term.len()) as u128
            + self.real_per_label as u128)
            * 10;
        crate::config::fits_in_memory(
            || "the recalled images (per_label, real_per_label, settings)".into(),
            4 * PIXELS as u128 * images,
        )
    }
}

impl Default for RecallConfig {
    fn default() -> Self {
        use crate::learners::Variety;
        let mut settings = vec![Variety::NONE];
        for spread in [0.5f32, 1.0] {
            settings.push(Variety { init_spread: Some(spread), ..Variety::NONE });
        }
        for k in [10.0f32, 50.0] {
            settings.push(Variety { init_spread: Some(1.0), fake_k: Some(k), ..Variety::NONE });
        }
        // noise that the second half of the ticks lets settle
        settings.push(Variety { init_spread: Some(1.0), hidden_noise: 0.5, noise_share: 0.5, ..Variety::NONE });
        // noise to the read-out, growing: the trade-off curve
        for sd in [0.005f32, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5] {
            settings.push(Variety { init_spread: Some(1.0), hidden_noise: sd, ..Variety::NONE });
        }
        RecallConfig {
            per_label: 20,
            real_per_label: 200,
            classifier: MlpConfig::small(),
            classifier_epochs: 2,
            classifier_samples: 60_000,
            settings,
            // type A with the shared latent of 16 and with 4: with 16 its decoder learns
            // to draw the digit from z and leaves the label aside
            long_term: vec![
                CvaeConfig { kind: CvaeKind::A, ..Default::default() },
                CvaeConfig { kind: CvaeKind::A, latent: 4, ..Default::default() },
                CvaeConfig { kind: CvaeKind::B, ..Default::default() },
            ],
            long_term_epochs: 5,
            long_term_batch: 64,
            long_term_capacity: 6000,
            long_term_samples: 60_000,
            seed: 1,
        }
    }
}

/// One setting's recall, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecallPoint {
    /// The setting.
    pub variety: crate::learners::Variety,
    /// Share of the recalled images the classifier assigns to their label (all labels).
    pub recognisability: f64,
    /// Mean over labels of the variety ratio.
    pub variety_ratio: f64,
    /// Per label 0-9: (recognisability, variety ratio).
    pub per_label: Vec<(f64, f64)>,
}

/// One long-term memory's recall, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LongTermRecall {
    /// Its settings.
    pub config: crate::learners::CvaeConfig,
    /// The mean loss of its last training epoch.
    pub final_loss: f64,
    /// Share of the recalled images the classifier assigns to their label.
    pub recognisability: f64,
    /// Mean over labels of the variety ratio.
    pub variety_ratio: f64,
    /// Per label 0-9: (recognisability, variety ratio).
    pub per_label: Vec<(f64, f64)>,
    /// Type B: the test accuracy of its encoder's mean as a classifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classifier_accuracy: Option<f64>,
    /// Training steps per second.
    pub steps_per_s: f64,
}

/// What recall with variety gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecallResult {
    /// The settings.
    pub config: RecallConfig,
    /// The classifier's test accuracy on real images.
    pub classifier_accuracy: f64,
    /// One point per setting.
    pub points: Vec<RecallPoint>,
    /// The recalled images of each setting, `per_label` per label, label-major.
    #[serde(skip)]
    pub images: Vec<Vec<Vec<f32>>>,
    /// The long-term memories, in the order of the config.
    pub long_term: Vec<LongTermRecall>,
    /// Their recalled images, as `images`.
    #[serde(skip)]
    pub long_term_images: Vec<Vec<Vec<f32>>>,
}

/// Recalls `per_label` images of each label from `net` under each setting of `cfg` and
/// measures their recognisability (by an MLP trained on `train`) and variety (against
/// `test` images of the same label); the same for each long-term memory of `cfg`. With
/// `memories`, each long-term memory is kept in that folder once trained
/// (`long_term_K.json` and its `.meta.json`) and read back, instead of trained again,
/// by a later call with the same settings.
pub fn recall_with_variety(
    net: &Trainer,
    cfg: &RecallConfig,
    train: &Dataset,
    test: &Dataset,
    memories: Option<&std::path::Path>,
) -> Result<RecallResult, Error> {
    use crate::association::measures::{recognisability, variety};
    cfg.validate()?;
    let pixels = train.pixels();
    let mut rng = rng_from_seed(cfg.seed);
    let mut classifier = Mlp::new(pixels, cfg.classifier.hidden, 10, &mut rng);
    let labelled = train.take(cfg.classifier_samples);
    for _ in 0..cfg.classifier_epochs {
        classifier.train_epoch(&labelled, &cfg.classifier, &mut rng)?;
    }
    let classifier_accuracy = classifier.accuracy(test)?;
    let real: Vec<Vec<f32>> = (0..10u8)
        .map(|c| {
            test.select(&test.indices_of(c)[..].iter().take(cfg.real_per_label).copied().collect::<Vec<_>>()).images
        })
        .collect();
    // per label 0-9: (recognisability, variety) of label-major recalled images
    let measure = |recalled: &[Vec<f32>]| -> Result<Vec<(f64, f64)>, Error> {
        (0..10usize)
            .map(|c| {
                let mine: Vec<f32> = recalled[c * cfg.per_label..(c + 1) * cfg.per_label].concat();
                Ok((recognisability(&mine, c, &classifier)?, variety(&mine, &real[c], pixels)))
            })
            .collect()
    };
    let batch = net.cfg.batch;
    let (mut points, mut images) = (Vec::new(), Vec::new());
    for (k, &v) in cfg.settings.iter().enumerate() {
        let labels: Vec<u8> = (0..10u8).flat_map(|c| std::iter::repeat_n(c, cfg.per_label)).collect();
        let mut recalled: Vec<Vec<f32>> = Vec::with_capacity(labels.len());
        for (j, chunk) in labels.chunks(batch).enumerate() {
            let seed = cfg.seed.wrapping_mul(1_000_003).wrapping_add((k * 10_007 + j) as u64);
            recalled.extend(net.generate_with(chunk, seed, v)?);
        }
        let per_label = measure(&recalled)?;
        let point = RecallPoint {
            variety: v,
            recognisability: per_label.iter().map(|p| p.0).sum::<f64>() / 10.0,
            variety_ratio: per_label.iter().map(|p| p.1).sum::<f64>() / 10.0,
            per_label,
        };
        eprintln!("recall {v}: recognisability {:.3}, variety {:.3}", point.recognisability, point.variety_ratio);
        points.push(point);
        images.push(recalled);
    }
    let (mut long_term, mut long_term_images) = (Vec::new(), Vec::new());
    for (k, lt) in cfg.long_term.iter().enumerate() {
        let (memory, final_loss, steps_per_s) = match memories {
            Some(dir) => kept_long_term(dir, k, lt, cfg, train)?,
            None => train_long_term(lt, cfg, train)?,
        };
        let mut rng = rng_from_seed(cfg.seed.wrapping_add(7));
        let mut recalled = Vec::new();
        for c in 0..10 {
            recalled.extend(memory.recall(c, cfg.per_label, &mut rng)?);
        }
        let per_label = measure(&recalled)?;
        let classifier_accuracy = if lt.kind == crate::learners::CvaeKind::B {
            let imgs: Vec<&[f32]> = (0..test.len()).map(|i| test.image(i)).collect();
            let predicted = memory.classify(&imgs)?;
            let hits = predicted.iter().zip(&test.labels).filter(|(p, l)| **p == **l as usize).count();
            Some(hits as f64 / test.len().max(1) as f64)
        } else {
            None
        };
        let r = LongTermRecall {
            config: *lt,
            final_loss,
            recognisability: per_label.iter().map(|p| p.0).sum::<f64>() / 10.0,
            variety_ratio: per_label.iter().map(|p| p.1).sum::<f64>() / 10.0,
            per_label,
            classifier_accuracy,
            steps_per_s,
        };
        let classifier = r.classifier_accuracy.map(|a| format!(", classifier {a:.3}")).unwrap_or_default();
        eprintln!(
            "long-term {}: recognisability {:.3}, variety {:.3}{classifier}",
            lt.kind, r.recognisability, r.variety_ratio
        );
        long_term.push(r);
        long_term_images.push(recalled);
    }
    Ok(RecallResult { config: cfg.clone(), classifier_accuracy, points, images, long_term, long_term_images })
}

/// What [`kept_long_term`] keeps beside a memory: the settings that made it, and what
/// its training measured.
#[derive(Debug, Serialize, Deserialize)]
struct KeptMemory {
    made_by: serde_json::Value,
    final_loss: f64,
    steps_per_s: f64,
}

/// Long-term memory `k` of `cfg` from `dir` if it was kept there with the same
/// settings, else trained by [`train_long_term`] and kept.
fn kept_long_term(
    dir: &std::path::Path,
    k: usize,
    lt: &CvaeConfig,
    cfg: &RecallConfig,
    train: &Dataset,
) -> Result<(crate::learners::cvae::Cvae, f64, f64), Error> {
    let (weights, meta) = (dir.join(format!("long_term_{k}.json")), dir.join(format!("long_term_{k}.meta.json")));
    let made_by = serde_json::json!({
        "long_term": lt, "seed": cfg.seed, "epochs": cfg.long_term_epochs, "batch": cfg.long_term_batch,
        "capacity": cfg.long_term_capacity, "samples": cfg.long_term_samples, "train_images": train.len(),
    });
    if meta.exists() {
        let kept: KeptMemory = crate::checkpoint::read_json(&meta)?;
        if kept.made_by == made_by {
            eprintln!("long-term {:?}: read from {}", lt.kind, weights.display());
            return Ok((crate::learners::cvae::Cvae::load(&weights)?, kept.final_loss, kept.steps_per_s));
        }
        return Err(crate::error::CheckpointError::Mismatch {
            path: meta,
            what: "this memory was trained with other settings: remove it, or give another --memories folder".into(),
        }
        .into());
    }
    let (memory, final_loss, steps_per_s) = train_long_term(lt, cfg, train)?;
    memory.save(&weights)?;
    crate::checkpoint::write_json(&meta, &KeptMemory { made_by, final_loss, steps_per_s })?;
    Ok((memory, final_loss, steps_per_s))
}

/// Trains a long-term memory from the short-term memory: the first
/// `long_term_samples` training images pushed in a random order, then
/// `long_term_epochs` passes' worth of balanced batches. Returns it with the mean loss of
/// the last pass and the steps per second.
pub fn train_long_term(
    lt: &crate::learners::CvaeConfig,
    cfg: &RecallConfig,
    train: &Dataset,
) -> Result<(crate::learners::cvae::Cvae, f64, f64), Error> {
    use rand::seq::SliceRandom;
    let mut rng = rng_from_seed(cfg.seed.wrapping_add(3));
    let mut memory = crate::learners::cvae::Cvae::new(*lt, train.pixels(), 10, &mut rng)?;
    let mut stm = ShortTermMemory::new(10, cfg.long_term_capacity)?;
    let mut order: Vec<usize> = (0..train.len().min(cfg.long_term_samples)).collect();
    order.shuffle(&mut rng);
    for &i in &order {
        stm.push(train.labels[i] as usize, i)?;
    }
    let batch = cfg.long_term_batch.max(1);
    let steps = order.len().div_ceil(batch);
    let start = std::time::Instant::now();
    let mut last = 0.0;
    for epoch in 1..=cfg.long_term_epochs {
        let mut bar = Progress::new(format!("long-term {:?} epoch {epoch}", lt.kind), steps);
        let mut total = 0.0;
        for s in 0..steps {
            let drawn = stm.sample_balanced(batch, &mut rng)?;
            let labels: Vec<usize> = drawn.iter().map(|d| d.0).collect();
            let images: Vec<&[f32]> = drawn.iter().map(|d| train.image(*d.1)).collect();
            total += memory.train_step(&images, &labels, &mut rng)?;
            if s % 50 == 49 {
                bar.update(s + 1, &format!("loss {:.1}", total / (s + 1) as f64));
            }
        }
        bar.finish();
        last = total / steps.max(1) as f64;
    }
    let steps_per_s = (steps * cfg.long_term_epochs) as f64 / start.elapsed().as_secs_f64();
    Ok((memory, last, steps_per_s))
}
