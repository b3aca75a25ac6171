//! The clustering experiments of the write-up, as functions returning data: clustering
//! neurons against Lloyd's k-means on 2-D points and on MNIST, and meta-clustering scenes
//! (MNIST, double digits, grouped one-hot codes).

use std::time::Instant;

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::clustering::kmeans::{adjusted_rand_index, assign, kmeans_pp, lloyd, purity, quantisation_error};
use crate::clustering::{Clusterer, ClustererParams, Eta, MetaClusterer, MetaParams};
use crate::data::mnist::Dataset;
use crate::error::Error;
use crate::progress::Progress;
use crate::sim::{SimRng, rng_from_seed};

/// How one method did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Mean squared distance to the nearest centre (on the test data where there is one).
    pub quantisation_error: f64,
    /// Test accuracy when each cluster votes its majority training label (MNIST).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purity: Option<f64>,
    /// Examples processed per second (Lloyd: rows times rounds).
    pub samples_per_s: f64,
}

/// `n` draws from `N(0, 1)` by the Box-Muller transform.
fn normals(n: usize, rng: &mut SimRng) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let (u, v): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
            ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
        })
        .collect()
}

/// Online passes of a clusterer over `data` in a fresh random order each
/// ([`Clusterer::epoch`]); returns the examples per second.
fn train_online(c: &mut Clusterer, data: &[f32], epochs: usize, rng: &mut SimRng, label: &str) -> Result<f64, Error> {
    let n = data.len() / c.params().dim;
    let start = Instant::now();
    for epoch in 1..=epochs {
        let mut progress = Progress::new(format!("{label} epoch {epoch}"), n);
        let _always_continues = c.epoch(data, rng, false, &mut |done, _| {
            if done % 1000 == 0 {
                progress.update(done, "");
            }
            std::ops::ControlFlow::Continue(())
        })?;
        progress.finish();
    }
    Ok((n * epochs) as f64 / start.elapsed().as_secs_f64())
}

/// Lloyd's k-means from `centres`; returns the rows times rounds per second.
fn train_lloyd(data: &[f32], dim: usize, centres: &mut [f32], max_iter: usize) -> Result<f64, Error> {
    let start = Instant::now();
    let rounds = lloyd(data, dim, centres, max_iter)?.max(1);
    Ok((data.len() / dim * rounds) as f64 / start.elapsed().as_secs_f64())
}

/// Settings of the 2-D points experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PointsConfig {
    /// Gaussians in the mixture; their means are uniform in the unit square.
    pub mixtures: usize,
    /// Their standard deviation.
    pub spread: f32,
    /// Points drawn.
    pub points: usize,
    /// Clusters of both methods.
    pub k: usize,
    /// Online passes of the clustering neurons (`eta = 1 / n_w`).
    pub epochs: usize,
    /// Lloyd's rounds at most.
    pub lloyd_rounds: usize,
}

impl Default for PointsConfig {
    fn default() -> Self {
        PointsConfig { mixtures: 8, spread: 0.06, points: 4000, k: 8, epochs: 5, lloyd_rounds: 100 }
    }
}

impl PointsConfig {
    /// Checks every field: at least one mixture and cluster, as many points as clusters,
    /// a finite spread, at least one pass and one round.
    pub fn validate(&self) -> Result<(), crate::error::ConfigError> {
        use crate::config::{at_least, in_range};
        at_least("mixtures", self.mixtures as u64, 1, "[1, inf): the points are drawn from the mixtures")?;
        at_least("k", self.k as u64, 1, "[1, inf)")?;
        at_least("points", self.points as u64, self.k as u64, "[k, inf): k-means++ starts from k distinct points")?;
        in_range("spread", self.spread, 0.0, 1e3, "[0, 1000]")?;
        at_least("epochs", self.epochs as u64, 1, "[1, inf): the neurons learn in passes")?;
        at_least("lloyd_rounds", self.lloyd_rounds as u64, 1, "[1, inf)")?;
        // the points, their noise and their assignments; the mixture means
        let bytes = 4 * (5 * self.points as u128 + 2 * self.mixtures as u128 + 2 * self.k as u128);
        crate::config::fits_in_memory(|| "the points experiment (points, mixtures, k)".into(), bytes)
    }
}

/// One seed of the points experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PointsRun {
    /// Seed of the data, the start and the order.
    pub seed: u64,
    /// The clustering neurons.
    pub neurons: Score,
    /// Lloyd's k-means from the same k-means++ start.
    pub lloyd: Score,
    /// `neurons.quantisation_error / lloyd.quantisation_error`.
    pub ratio: f64,
    /// The points, `n x 2`.
    pub points: Vec<f32>,
    /// The neurons' centres, `k x 2`.
    pub neuron_centres: Vec<f32>,
    /// Lloyd's centres, `k x 2`.
    pub lloyd_centres: Vec<f32>,
}

/// Points from a mixture of Gaussians; clustering neurons and Lloyd's k-means from one
/// k-means++ start.
pub fn points(cfg: &PointsConfig, seed: u64) -> Result<PointsRun, Error> {
    cfg.validate()?;
    let mut rng = rng_from_seed(seed);
    let means: Vec<f32> = (0..cfg.mixtures * 2).map(|_| rng.random()).collect();
    let noise = normals(cfg.points * 2, &mut rng);
    let points: Vec<f32> = (0..cfg.points)
        .flat_map(|i| {
            let g = rng.random_range(0..cfg.mixtures.max(1));
            [means[2 * g] + cfg.spread * noise[2 * i], means[2 * g + 1] + cfg.spread * noise[2 * i + 1]]
        })
        .collect();
    let params = ClustererParams::new(cfg.k, 2).check()?;
    let start = kmeans_pp(&points, 2, cfg.k, &mut rng)?;
    let mut neurons = Clusterer::new(params, start.clone())?;
    let neuron_speed = train_online(&mut neurons, &points, cfg.epochs, &mut rng, "points")?;
    let mut lloyd_centres = start;
    let lloyd_speed = train_lloyd(&points, 2, &mut lloyd_centres, cfg.lloyd_rounds)?;
    let qe_n = quantisation_error(&points, 2, neurons.centres())?;
    let qe_l = quantisation_error(&points, 2, &lloyd_centres)?;
    Ok(PointsRun {
        seed,
        neurons: Score { quantisation_error: qe_n, purity: None, samples_per_s: neuron_speed },
        lloyd: Score { quantisation_error: qe_l, purity: None, samples_per_s: lloyd_speed },
        ratio: qe_n / qe_l,
        points,
        neuron_centres: neurons.centres().to_vec(),
        lloyd_centres,
    })
}

/// Settings of the MNIST clustering experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MnistClusteringConfig {
    /// Cluster counts, one run each.
    pub ks: Vec<usize>,
    /// Online passes of the clustering neurons (`eta = 1 / n_w`).
    pub epochs: usize,
    /// Lloyd's rounds at most.
    pub lloyd_rounds: usize,
}

impl Default for MnistClusteringConfig {
    fn default() -> Self {
        MnistClusteringConfig { ks: vec![10, 100], epochs: 2, lloyd_rounds: 100 }
    }
}

impl MnistClusteringConfig {
    /// Checks every field: at least one cluster count, each at least 1, at least one
    /// pass and one round. (That `k` does not exceed the training images is checked
    /// against the data.)
    pub fn validate(&self) -> Result<(), crate::error::ConfigError> {
        use crate::config::at_least;
        if self.ks.is_empty() {
            return Err(crate::error::ConfigError::Empty { field: "ks", what: "cluster count" });
        }
        for &k in &self.ks {
            at_least("ks", k as u64, 1, "[1, inf)")?;
        }
        at_least("epochs", self.epochs as u64, 1, "[1, inf): the neurons learn in passes")?;
        at_least("lloyd_rounds", self.lloyd_rounds as u64, 1, "[1, inf)")
    }
}

/// One cluster count on MNIST.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MnistClusteringRun {
    /// Clusters.
    pub k: usize,
    /// The clustering neurons (scores on the test set).
    pub neurons: Score,
    /// Lloyd's k-means from the same start.
    pub lloyd: Score,
    /// The clustering neurons as trained (centres `k x 784`, wins).
    pub neurons_trained: Clusterer,
}

/// Clustering neurons and Lloyd's k-means on MNIST training images, from one k-means++
/// start per `k`; quantisation error and purity on the test images.
pub fn mnist(
    cfg: &MnistClusteringConfig,
    train: &Dataset,
    test: &Dataset,
    seed: u64,
) -> Result<Vec<MnistClusteringRun>, Error> {
    cfg.validate()?;
    if test.is_empty() {
        return Err(crate::error::ConfigError::NonPositive { field: "test samples", value: 0.0 }.into());
    }
    if let Some(&k) = cfg.ks.iter().find(|&&k| k > train.len()) {
        return Err(crate::error::ConfigError::OutOfRange {
            field: "ks",
            value: k as f64,
            range: "[1, training images]: give more training images or fewer clusters",
        }
        .into());
    }
    let dim = train.pixels();
    let mut runs = Vec::new();
    for &k in &cfg.ks {
        let mut rng = rng_from_seed(seed);
        let start = kmeans_pp(&train.images, dim, k, &mut rng)?;
        let mut neurons = Clusterer::new(ClustererParams::new(k, dim).check()?, start.clone())?;
        let neuron_speed = train_online(&mut neurons, &train.images, cfg.epochs, &mut rng, &format!("k {k}"))?;
        let mut lloyd_centres = start;
        let lloyd_speed = train_lloyd(&train.images, dim, &mut lloyd_centres, cfg.lloyd_rounds)?;
        let score = |centres: &[f32], speed: f64| -> Result<Score, Error> {
            let (train_c, _) = assign(&train.images, dim, centres)?;
            let (test_c, d) = assign(&test.images, dim, centres)?;
            Ok(Score {
                quantisation_error: d.iter().map(|&v| v as f64).sum::<f64>() / d.len() as f64,
                purity: Some(purity(&train_c, &train.labels, &test_c, &test.labels, k)),
                samples_per_s: speed,
            })
        };
        runs.push(MnistClusteringRun {
            k,
            neurons: score(neurons.centres(), neuron_speed)?,
            lloyd: score(&lloyd_centres, lloyd_speed)?,
            neurons_trained: neurons,
        });
    }
    Ok(runs)
}

/// A meta-clustering scene: its data and how its masks are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scene {
    /// MNIST images, 2 clusterers: the masks split the pixels into regions.
    #[serde(rename = "mnist_2")]
    Mnist2,
    /// Two MNIST digits side by side (28 x 56), 2 clusterers: the masks should split at
    /// the middle (`split_purity`).
    DoubleDigits,
    /// 5 groups of 5 inputs, one hot per group, 5 clusterers (`mask_ari`).
    #[serde(rename = "onehot_5x5")]
    Onehot5x5,
    /// 10 groups of 10, 10 clusterers of 10 clusters, against one group of 100 clusters.
    #[serde(rename = "onehot_10x10")]
    Onehot10x10,
}

impl Scene {
    /// Clusterers of the scene.
    pub fn clusterers(self) -> usize {
        match self {
            Scene::Mnist2 | Scene::DoubleDigits => 2,
            Scene::Onehot5x5 => 5,
            Scene::Onehot10x10 => 10,
        }
    }
}

/// Settings of a meta-clustering scene.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SceneConfig {
    /// Examples presented (fresh draws for the one-hot scenes).
    pub examples: usize,
    /// Neurons per clusterer.
    pub k: usize,
    /// Mask rate, floor and half-life (see [`MetaParams`]).
    pub lambda: f32,
    /// See [`MetaParams::floor`].
    pub floor: f32,
    /// See [`MetaParams::lambda_half_life`].
    pub lambda_half_life: Option<f64>,
    /// Exploration of every clusterer.
    pub p_explore: f32,
    /// Constant learning rate of the centres (`None`: `1 / n_w`).
    pub eta: Option<f32>,
    /// Held-out examples for the reconstruction error.
    pub test_examples: usize,
}

impl SceneConfig {
    /// The settings used for `scene` unless a config file says otherwise.
    pub fn default_for(scene: Scene) -> SceneConfig {
        // found by the scans of docs/clustering.md
        let base = SceneConfig {
            examples: 40_000,
            k: 10,
            lambda: 1.0,
            floor: 0.02,
            lambda_half_life: None,
            p_explore: 0.0,
            eta: Some(0.05),
            test_examples: 1000,
        };
        match scene {
            Scene::Mnist2 => SceneConfig { examples: 20_000, floor: 0.0, ..base },
            Scene::DoubleDigits => SceneConfig { examples: 60_000, k: 200, floor: 0.0, eta: None, ..base },
            Scene::Onehot5x5 => SceneConfig { k: 5, ..base },
            Scene::Onehot10x10 => SceneConfig { examples: 1_000_000, floor: 0.005, ..base },
        }
    }
}

impl SceneConfig {
    /// The meta-clusterer's settings for `scene`, every field checked: at least one
    /// example and one held-out example (the reconstruction error is their mean), at
    /// most 1000 neurons per clusterer (the start draws 1000 examples), and the mask
    /// and clusterer settings ([`MetaParams::check`]).
    pub fn params(&self, scene: Scene) -> Result<crate::clustering::ValidMetaParams, crate::error::ConfigError> {
        use crate::config::at_least;
        at_least("examples", self.examples as u64, 1, "[1, inf)")?;
        at_least("test_examples", self.test_examples as u64, 1, "[1, inf): the reconstruction error is their mean")?;
        if self.k > 1000 {
            let range = "[1, 1000]: each clusterer starts from a k-means++ draw of 1000 examples";
            return Err(crate::error::ConfigError::OutOfRange { field: "k", value: self.k as f64, range });
        }
        let dim = match scene {
            Scene::Mnist2 => 784,
            Scene::DoubleDigits => 2 * 784,
            Scene::Onehot5x5 => 25,
            Scene::Onehot10x10 => 100,
        };
        // the held-out examples, kept for the reconstruction error
        crate::config::fits_in_memory(
            || "the held-out examples (test_examples)".into(),
            4 * (dim as u128 + 6) * self.test_examples as u128,
        )?;
        let clusterer = ClustererParams {
            eta: self.eta.map_or(Eta::InverseCount, Eta::Constant),
            p_explore: self.p_explore,
            ..ClustererParams::new(self.k, dim)
        };
        MetaParams {
            clusterers: scene.clusterers(),
            clusterer,
            lambda: self.lambda,
            floor: self.floor,
            lambda_half_life: self.lambda_half_life,
        }
        .check()
    }
}

impl Default for SceneConfig {
    fn default() -> Self {
        SceneConfig::default_for(Scene::Onehot5x5)
    }
}

/// The settings of every scene (a config file changes any field of any scene).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetaClusteringConfig {
    /// [`Scene::Mnist2`].
    pub mnist_2: SceneConfig,
    /// [`Scene::DoubleDigits`].
    pub double_digits: SceneConfig,
    /// [`Scene::Onehot5x5`].
    pub onehot_5x5: SceneConfig,
    /// [`Scene::Onehot10x10`].
    pub onehot_10x10: SceneConfig,
}

impl Default for MetaClusteringConfig {
    fn default() -> Self {
        MetaClusteringConfig {
            mnist_2: SceneConfig::default_for(Scene::Mnist2),
            double_digits: SceneConfig::default_for(Scene::DoubleDigits),
            onehot_5x5: SceneConfig::default_for(Scene::Onehot5x5),
            onehot_10x10: SceneConfig::default_for(Scene::Onehot10x10),
        }
    }
}

impl MetaClusteringConfig {
    /// The settings of `scene`.
    pub fn scene(&self, scene: Scene) -> &SceneConfig {
        match scene {
            Scene::Mnist2 => &self.mnist_2,
            Scene::DoubleDigits => &self.double_digits,
            Scene::Onehot5x5 => &self.onehot_5x5,
            Scene::Onehot10x10 => &self.onehot_10x10,
        }
    }
}

/// One seed of a scene.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SceneRun {
    /// The seed.
    pub seed: u64,
    /// Double digits: the masks' share of the half each clusterer should own (see
    /// [`split_purity`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_purity: Option<f64>,
    /// One-hot scenes: adjusted Rand index between each input's strongest mask and its group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask_ari: Option<f64>,
    /// Mean squared error per input of the reconstruction on held-out examples.
    pub reconstruction_error: f64,
    /// 10 x 10: the same error for one clusterer of 100 neurons on the same examples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub single_group_error: Option<f64>,
    /// The masks, `M x D`.
    pub masks: Vec<f32>,
    /// Inputs per row of an image (0: not an image).
    pub width: usize,
}

/// `groups` one-hot groups of `size`: one 1 at a random place in each.
fn onehot(groups: usize, size: usize, rng: &mut SimRng) -> Vec<f32> {
    let mut x = vec![0.0; groups * size];
    for g in 0..groups {
        x[g * size + rng.random_range(0..size)] = 1.0;
    }
    x
}

/// Two training images side by side, `rows x 2 cols`.
fn double_digit(data: &Dataset, rng: &mut SimRng) -> Vec<f32> {
    let (a, b) = (data.image(rng.random_range(0..data.len())), data.image(rng.random_range(0..data.len())));
    (0..data.rows)
        .flat_map(|r| {
            a[r * data.cols..(r + 1) * data.cols].iter().chain(&b[r * data.cols..(r + 1) * data.cols]).copied()
        })
        .collect()
}

/// Double digits: with clusterer A given the left half and B the right (the better of the
/// two assignments), the mean of A's share of the left half's mask mass and B's of the
/// right's, each pixel weighted by its variance over `samples` (pixels that never change
/// carry no information, and their masks never move).
pub fn split_purity(masks: &[f32], samples: &[f32], rows: usize, cols: usize) -> f64 {
    let dim = rows * cols;
    let n = samples.len() / dim;
    let var: Vec<f64> = (0..dim)
        .map(|d| {
            let mean = (0..n).map(|i| samples[i * dim + d] as f64).sum::<f64>() / n as f64;
            (0..n).map(|i| (samples[i * dim + d] as f64 - mean).powi(2)).sum::<f64>() / n as f64
        })
        .collect();
    let share = |j: usize, left: bool| {
        let (mut num, mut den) = (0.0, 0.0);
        for d in (0..dim).filter(|d| ((d % cols) < cols / 2) == left) {
            num += var[d] * masks[j * dim + d] as f64;
            den += var[d];
        }
        num / den.max(f64::MIN_POSITIVE)
    };
    (0.5 * (share(0, true) + share(1, false))).max(0.5 * (share(1, true) + share(0, false)))
}

/// Runs `scene` for `seed`. `mnist` is needed by the MNIST scenes.
pub fn scene(scene: Scene, cfg: &SceneConfig, mnist: Option<&Dataset>, seed: u64) -> Result<SceneRun, Error> {
    let mut rng = rng_from_seed(seed);
    let need = || mnist.filter(|d| !d.is_empty()).ok_or(crate::error::ClusteringError::Empty("MNIST for this scene"));
    let m = scene.clusterers();
    // inputs, image width (0: not an image), one-hot groups (0: none)
    let (dim, width, groups): (usize, usize, usize) = match scene {
        Scene::Mnist2 => (784, 28, 0),
        Scene::DoubleDigits => (2 * 784, 56, 0),
        Scene::Onehot5x5 => (25, 0, 5),
        Scene::Onehot10x10 => (100, 0, 10),
    };
    let draw = |rng: &mut SimRng| -> Result<Vec<f32>, Error> {
        Ok(match scene {
            Scene::Mnist2 => {
                let d = need()?;
                d.image(rng.random_range(0..d.len())).to_vec()
            }
            Scene::DoubleDigits => double_digit(need()?, rng),
            Scene::Onehot5x5 | Scene::Onehot10x10 => onehot(groups, groups, rng),
        })
    };
    let start: Vec<f32> = (0..1000).map(|_| draw(&mut rng)).collect::<Result<Vec<_>, _>>()?.concat();
    let params = cfg.params(scene)?;
    let clusterer = params.clusterer;
    let mut meta = MetaClusterer::new(params, &start, &mut rng)?;
    let mut progress = Progress::new(format!("{scene:?} seed {seed}"), cfg.examples);
    for t in 0..cfg.examples {
        let x = draw(&mut rng)?;
        meta.present(&x, &mut rng, false)?;
        if t % 1000 == 999 {
            progress.update(t + 1, "");
        }
    }
    progress.finish();
    let test: Vec<Vec<f32>> = (0..cfg.test_examples).map(|_| draw(&mut rng)).collect::<Result<_, _>>()?;
    let error = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(a, b)| ((a - b) as f64).powi(2)).sum::<f64>() / dim as f64;
    let reconstruction_error =
        test.iter().map(|x| error(x, &meta.reconstruct(x))).sum::<f64>() / test.len().max(1) as f64;
    let mask_ari = (groups > 0).then(|| {
        let strongest: Vec<usize> = (0..dim)
            .map(|d| (0..m).max_by(|&a, &b| meta.mask(a)[d].total_cmp(&meta.mask(b)[d])).unwrap_or(0))
            .collect();
        let truth: Vec<usize> = (0..dim).map(|d| d / groups).collect();
        adjusted_rand_index(&strongest, &truth)
    });
    let single_group_error = match scene {
        Scene::Onehot10x10 => {
            let params = ClustererParams { eta: clusterer.eta, ..ClustererParams::new(m * cfg.k, dim) }.check()?;
            let mut single = Clusterer::from_data(params, &start, &mut rng)?;
            for _ in 0..cfg.examples {
                let x = draw(&mut rng)?;
                single.present(&x, &mut rng, false)?;
            }
            Some(
                test.iter().map(|x| error(x, single.centre(single.nearest(x, None)))).sum::<f64>()
                    / test.len().max(1) as f64,
            )
        }
        _ => None,
    };
    let split = match scene {
        Scene::DoubleDigits => Some(split_purity(meta.masks(), &start, 28, 56)),
        _ => None,
    };
    Ok(SceneRun {
        seed,
        split_purity: split,
        mask_ari,
        reconstruction_error,
        single_group_error,
        masks: meta.masks().to_vec(),
        width,
    })
}
