//! Class-incremental split MNIST as a function returning data: each learner under each
//! strategy over several seeds (see [`crate::continual`]).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::association::{Cvae, CvaeConfig, CvaeKind};
use crate::baseline::{Mlp, MlpConfig};
use crate::continual::{
    ContextRecord, CvaeLearner, DrawingTrainer, DreamMemory, DreamSource, Learner, MlpLearner, Plan, Strategy, run,
};
use crate::data::mnist::Dataset;
use crate::error::{ConfigError, Error};
use crate::experiments::mnist::{MnistConfig, Trainer, ValidMnistConfig};
use crate::progress::Progress;
use crate::sim::rng_from_seed;

/// One learner under one strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// `"astdp"`, `"mlp"`, `"cvae_a"` or `"cvae_b"` (a long-term memory run as a learner:
    /// type B's encoder classifies).
    pub learner: String,
    /// `"none"`, `"joint"`, `"replay"` (give `per_class`) or `"dream"` (give `memory`).
    pub strategy: String,
    /// Replay: real samples kept per class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_class: Option<usize>,
    /// Dream: the memory that recalls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<DreamMemory>,
    /// The share of each batch taken from memory, if not the plan's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_share: Option<f64>,
}

impl RunSpec {
    /// A run of `learner` under `strategy`.
    pub fn new(learner: &str, strategy: Strategy) -> RunSpec {
        let (per_class, memory) = match strategy {
            Strategy::Replay { per_class } => (Some(per_class), None),
            Strategy::Dream { memory } => (None, Some(memory)),
            _ => (None, None),
        };
        RunSpec { learner: learner.into(), strategy: strategy.name().into(), per_class, memory, memory_share: None }
    }

    /// The strategy, checked: replay needs `per_class` (at least 1), dream a `memory`.
    pub fn strategy(&self) -> Result<Strategy, ConfigError> {
        let bad = |msg: &str| Err(ConfigError::Topology(format!("run {} {}: {msg}", self.learner, self.strategy)));
        match (self.strategy.as_str(), self.per_class, self.memory) {
            ("none", None, None) => Ok(Strategy::None),
            ("joint", None, None) => Ok(Strategy::Joint),
            ("replay", Some(0), None) => bad("per_class must be at least 1"),
            ("replay", Some(per_class), None) => Ok(Strategy::Replay { per_class }),
            ("dream", None, Some(memory)) => Ok(Strategy::Dream { memory }),
            ("replay", _, _) => bad("give per_class (and no memory)"),
            ("dream", _, _) => bad("give memory: \"astdp\", \"cvae_a\" or \"cvae_b\" (and no per_class)"),
            ("none" | "joint", _, _) => bad("takes neither per_class nor memory"),
            _ => bad("unknown strategy: give \"none\", \"joint\", \"replay\" or \"dream\""),
        }
    }
}

/// Settings of the experiment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContinualConfig {
    /// Contexts, budget, share, dreams.
    pub plan: Plan,
    /// The supervised aSTDP net.
    pub astdp: MnistConfig,
    /// The backprop MLP.
    pub mlp: MlpConfig,
    /// The long-term memories' networks (the kind is set by the run).
    pub long_term: CvaeConfig,
    /// Adam steps of a long-term memory per context (its own budget: a generator needs
    /// more than a classifier).
    pub long_term_updates: usize,
    /// Its batch.
    pub long_term_batch: usize,
    /// Whether the aSTDP net that dreams also trains its decoder (a decoder batch after
    /// each supervised one, see [`DrawingTrainer`]); without it, its recall is noise.
    pub astdp_decoder: bool,
    /// The runs, in order.
    pub runs: Vec<RunSpec>,
    /// Seeds; each run is repeated once per seed.
    pub seeds: Vec<u64>,
    /// Training images (the first this many; every context draws from its classes among
    /// them).
    pub train_samples: usize,
    /// Test images (the first this many).
    pub test_samples: usize,
}

impl Default for ContinualConfig {
    /// The README's quick aSTDP net (784-128-10, batch 16, 20 + 40 iterations, alpha
    /// 0.05) and a 784-128-10 cross-entropy MLP with the same batch; type B with a latent
    /// of 16, 4000 steps of 64 per context; the runs of the issue over seeds 1-3.
    fn default() -> Self {
        let astdp = MnistConfig::small();
        let mut runs = Vec::new();
        for learner in ["astdp", "mlp"] {
            let mut add = |strategy| runs.push(RunSpec::new(learner, strategy));
            add(Strategy::None);
            add(Strategy::Joint);
            add(Strategy::Replay { per_class: 10 });
            add(Strategy::Replay { per_class: 100 });
            add(Strategy::Dream { memory: DreamMemory::CvaeB });
            add(Strategy::Dream { memory: DreamMemory::Astdp });
        }
        runs.push(RunSpec::new("cvae_b", Strategy::Dream { memory: DreamMemory::CvaeB }));
        ContinualConfig {
            plan: Plan::default(),
            astdp,
            mlp: MlpConfig::small(),
            long_term: CvaeConfig { kind: CvaeKind::B, ..CvaeConfig::default() },
            long_term_updates: 4000,
            long_term_batch: 64,
            astdp_decoder: true,
            runs,
            seeds: vec![1, 2, 3],
            train_samples: 60_000,
            test_samples: 10_000,
        }
    }
}

impl ContinualConfig {
    /// Checks everything before any training.
    pub fn validate(&self) -> Result<ValidMnistConfig, Error> {
        self.plan.validate(10)?;
        self.mlp.validate()?;
        self.long_term.validate(10)?;
        for (field, v) in [
            ("long_term_updates", self.long_term_updates),
            ("long_term_batch", self.long_term_batch),
            ("train_samples", self.train_samples),
            ("test_samples", self.test_samples),
        ] {
            if v == 0 {
                return Err(ConfigError::NonPositive { field, value: 0.0 }.into());
            }
        }
        if self.seeds.is_empty() || self.runs.is_empty() {
            return Err(ConfigError::Topology("give at least one seed and one run".into()).into());
        }
        for r in &self.runs {
            if !["astdp", "mlp", "cvae_a", "cvae_b"].contains(&r.learner.as_str()) {
                return Err(ConfigError::Topology(format!(
                    "unknown learner {:?}: give \"astdp\", \"mlp\", \"cvae_a\" or \"cvae_b\"",
                    r.learner
                ))
                .into());
            }
            if let Strategy::Dream { memory } = r.strategy()?
                && r.learner.starts_with("cvae")
                && r.learner != memory.name()
            {
                return Err(ConfigError::Topology(format!(
                    "a long-term memory dreams its own dreams: {} with memory {}",
                    r.learner,
                    memory.name()
                ))
                .into());
            }
            if let Some(s) = r.memory_share {
                Plan { memory_share: Some(s), ..self.plan.clone() }.validate(10)?;
            }
        }
        Ok(self.astdp.clone().check()?)
    }
}

/// One run over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// `"astdp"`, `"mlp"`, `"cvae_a"`, `"cvae_b"`.
    pub learner: String,
    /// `"none"`, `"joint"`, `"replay"`, `"dream"`.
    pub strategy: String,
    /// Replay: real samples kept per class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_per_class: Option<usize>,
    /// Dream: the memory that recalls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// The seeds.
    pub seeds: Vec<u64>,
    /// Per seed, the accuracy on all classes seen after each context.
    pub accuracy_after_context: Vec<Vec<f64>>,
    /// Mean over seeds of the accuracy after the last context.
    pub final_mean: f64,
    /// Its sample standard deviation over seeds (0 for one seed).
    pub final_sd: f64,
    /// Mean over seeds of the per-class accuracy after the last context.
    pub final_per_class: Vec<f64>,
    /// The share of each batch from memory in each context.
    pub memory_share: Vec<f64>,
    /// Weight updates per context and samples per update.
    pub updates_per_context: usize,
    /// Samples per update.
    pub batch: usize,
    /// Per seed and context, samples of each class trained on (the first seed only).
    pub trained_per_class: Vec<Vec<usize>>,
    /// Seconds summed over the seeds, which run at once, one thread each (a run that dreams from a memory does not count the
    /// memory's run, which is listed as a run of its own when the config asks for it).
    pub seconds: f64,
}

/// A memory's name and some of its dreams, `(label, image)`.
pub type DreamSamples = (String, Vec<(u8, Vec<f32>)>);

/// What the experiment gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContinualResult {
    /// The settings.
    pub config: ContinualConfig,
    /// One entry per run of the config.
    pub runs: Vec<RunResult>,
    /// Per memory and seed, dreams of the last context (label-major, the first few of
    /// each old class), for the figure; not saved.
    #[serde(skip)]
    pub dream_samples: Vec<DreamSamples>,
}

/// A run's records, batch and seconds.
type RunOutcome = (Vec<ContextRecord>, usize, f64);

/// Everything one seed needs: the data, the settings and the memories' runs so far.
struct Seeded<'a> {
    cfg: &'a ContinualConfig,
    astdp: &'a ValidMnistConfig,
    train: &'a Dataset,
    test: &'a Dataset,
    seed: u64,
    /// The run of each memory as a learner dreaming its own dreams.
    memories: HashMap<DreamMemory, RunOutcome>,
}

impl Seeded<'_> {
    fn go<L: Learner>(
        &self,
        learner: &mut L,
        plan: &Plan,
        strategy: Strategy,
        source: DreamSource<'_>,
        label: String,
    ) -> Result<Vec<ContextRecord>, Error> {
        let total = plan.contexts.len() * plan.updates;
        let mut bar = Progress::new(label, total);
        let records = run(learner, plan, strategy, source, self.train, self.test, self.seed, &mut |done, _| {
            if done % 50 == 0 || done == total {
                bar.update(done, "");
            }
        })?;
        bar.finish();
        Ok(records)
    }

    /// Builds `learner` afresh for this seed and runs it through `plan` under
    /// `strategy`; returns its records and batch. A long-term memory trains on its own
    /// budget (`long_term_updates` Adam steps of `long_term_batch` per context).
    fn learn(
        &self,
        learner: &str,
        plan: &Plan,
        strategy: Strategy,
        source: DreamSource<'_>,
        label: String,
    ) -> Result<(Vec<ContextRecord>, usize), Error> {
        match learner {
            "astdp" => {
                let t = Trainer::new(self.astdp.clone(), self.train.pixels(), self.seed)?;
                // dreaming its own dreams, it draws them through a decoder it trains
                let records = if strategy == (Strategy::Dream { memory: DreamMemory::Astdp }) && self.cfg.astdp_decoder
                {
                    self.go(&mut DrawingTrainer(t), plan, strategy, source, label)?
                } else {
                    self.go(&mut { t }, plan, strategy, source, label)?
                };
                Ok((records, self.astdp.batch))
            }
            "mlp" => {
                let mlp = Mlp::new(self.train.pixels(), self.cfg.mlp.hidden, 10, &mut rng_from_seed(self.seed));
                let mut m = MlpLearner { mlp, cfg: self.cfg.mlp };
                Ok((self.go(&mut m, plan, strategy, source, label)?, self.cfg.mlp.batch))
            }
            "cvae_a" | "cvae_b" => {
                let kind = if learner == "cvae_a" { CvaeKind::A } else { CvaeKind::B };
                let mut rng = rng_from_seed(self.seed.wrapping_add(3));
                let cvae = Cvae::new(CvaeConfig { kind, ..self.cfg.long_term }, self.train.pixels(), 10, &mut rng)?;
                let mut l = CvaeLearner { cvae, batch: self.cfg.long_term_batch, rng };
                let plan = Plan { updates: self.cfg.long_term_updates, ..plan.clone() };
                Ok((self.go(&mut l, &plan, strategy, source, label)?, self.cfg.long_term_batch))
            }
            other => Err(ConfigError::Topology(format!("unknown learner {other:?}")).into()),
        }
    }

    /// The run of `memory` as a learner dreaming its own dreams, made once per seed:
    /// records, batch, seconds.
    fn memory(&mut self, memory: DreamMemory) -> Result<&RunOutcome, Error> {
        if !self.memories.contains_key(&memory) {
            let start = std::time::Instant::now();
            let label = format!("seed {}: memory {}", self.seed, memory.name());
            let strategy = Strategy::Dream { memory };
            let (records, batch) = self.learn(memory.name(), &self.cfg.plan, strategy, DreamSource::Own, label)?;
            self.memories.insert(memory, (records, batch, start.elapsed().as_secs_f64()));
        }
        Ok(&self.memories[&memory])
    }

    /// The run of `spec` and its batch; the seconds it took (not counting the memory it
    /// dreams from, which is a run of its own).
    fn one(&mut self, spec: &RunSpec) -> Result<RunOutcome, Error> {
        let strategy = spec.strategy()?;
        // a memory's own run (and aSTDP dreaming its own dreams) is made once
        if let Strategy::Dream { memory } = strategy
            && spec.learner == memory.name()
            && spec.memory_share.is_none()
        {
            return Ok(self.memory(memory)?.clone());
        }
        let dreams: Option<Vec<Option<Dataset>>> = match strategy {
            Strategy::Dream { memory } if spec.learner != memory.name() => {
                Some(self.memory(memory)?.0.iter().map(|r| r.dreams.clone()).collect())
            }
            _ => None,
        };
        let source = dreams.as_deref().map_or(DreamSource::Own, DreamSource::Recorded);
        let plan = Plan { memory_share: spec.memory_share.or(self.cfg.plan.memory_share), ..self.cfg.plan.clone() };
        let label = format!("seed {}: {} {}", self.seed, spec.learner, describe(spec));
        let start = std::time::Instant::now();
        let (records, batch) = self.learn(&spec.learner, &plan, strategy, source, label)?;
        Ok((records, batch, start.elapsed().as_secs_f64()))
    }
}

/// A run's strategy in words: `none`, `replay 10`, `dream cvae_b`, with its share.
pub fn describe(spec: &RunSpec) -> String {
    let s = match (spec.per_class, spec.memory) {
        (Some(per_class), _) => format!("{} {per_class}", spec.strategy),
        (_, Some(memory)) => format!("{} {}", spec.strategy, memory.name()),
        _ => spec.strategy.clone(),
    };
    match spec.memory_share {
        Some(share) => format!("{s} (share {share})"),
        None => s,
    }
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let sd = if x.len() > 1 { (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
    (mean, sd)
}

/// What one seed gave: each run's records, batch and seconds; a few dreams per memory.
struct SeedOutput {
    runs: Vec<RunOutcome>,
    dream_samples: Vec<DreamSamples>,
}

fn one_seed(
    cfg: &ContinualConfig,
    astdp: &ValidMnistConfig,
    train: &Dataset,
    test: &Dataset,
    seed: u64,
) -> Result<SeedOutput, Error> {
    let mut s = Seeded { cfg, astdp, train, test, seed, memories: HashMap::new() };
    let mut runs = Vec::new();
    for spec in &cfg.runs {
        let (records, batch, secs) = s.one(spec)?;
        let accs: Vec<String> = records.iter().map(|r| r.accuracy.map_or("-".into(), |a| format!("{a:.3}"))).collect();
        eprintln!("seed {seed}: {} {}: {}", spec.learner, describe(spec), accs.join(" "));
        runs.push((records, batch, secs));
    }
    let mut dream_samples = Vec::new();
    for (memory, (records, _, _)) in &s.memories {
        if let Some(d) = records.last().and_then(|r| r.dreams.as_ref()) {
            let mut picked = Vec::new();
            for c in 0..10u8 {
                for i in d.indices_of(c).into_iter().take(4) {
                    picked.push((c, d.image(i).to_vec()));
                }
            }
            dream_samples.push((memory.name().to_string(), picked));
        }
    }
    dream_samples.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(SeedOutput { runs, dream_samples })
}

/// Runs every run of `cfg` for every seed on the first `train_samples` of `train` and
/// the first `test_samples` of `test`.
pub fn run_continual(cfg: &ContinualConfig, train: &Dataset, test: &Dataset) -> Result<ContinualResult, Error> {
    let astdp = cfg.validate()?;
    train.expect_pixels(784)?;
    let (train, test) = (train.take(cfg.train_samples), test.take(cfg.test_samples));
    // the seeds are independent: one thread each (so three seeds share two cores
    // rather than run two, then one)
    let per_seed: Vec<SeedOutput> = std::thread::scope(|scope| {
        let handles: Vec<_> = cfg
            .seeds
            .iter()
            .map(|&seed| {
                let (astdp, train, test) = (&astdp, &train, &test);
                scope.spawn(move || one_seed(cfg, astdp, train, test, seed))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect::<Vec<_>>()
    })
    .into_iter()
    .collect::<Result<Vec<_>, Error>>()?;
    let mut dream_samples = Vec::new();
    let mut per_run: Vec<Vec<(Vec<ContextRecord>, usize)>> = vec![Vec::new(); cfg.runs.len()];
    let mut seconds = vec![0.0; cfg.runs.len()];
    for (k, out) in per_seed.into_iter().enumerate() {
        for (i, (records, batch, secs)) in out.runs.into_iter().enumerate() {
            seconds[i] += secs;
            per_run[i].push((records, batch));
        }
        if k == 0 {
            dream_samples = out.dream_samples;
        }
    }
    let runs = cfg
        .runs
        .iter()
        .zip(per_run)
        .zip(seconds)
        .map(|((spec, seeds), seconds)| {
            let acc: Vec<Vec<f64>> =
                seeds.iter().map(|(r, _)| r.iter().map(|c| c.accuracy.unwrap_or(f64::NAN)).collect()).collect();
            let finals: Vec<f64> = acc.iter().map(|a| *a.last().unwrap_or(&f64::NAN)).collect();
            let (final_mean, final_sd) = mean_sd(&finals);
            let final_per_class = (0..10)
                .map(|c| {
                    let v: Vec<f64> = seeds.iter().filter_map(|(r, _)| r.last().and_then(|l| l.per_class[c])).collect();
                    if v.is_empty() { f64::NAN } else { mean_sd(&v).0 }
                })
                .collect();
            let first = &seeds[0].0;
            RunResult {
                learner: spec.learner.clone(),
                strategy: spec.strategy.clone(),
                budget_per_class: spec.per_class,
                memory: spec.memory.map(|m| m.name().into()),
                seeds: cfg.seeds.clone(),
                accuracy_after_context: acc,
                final_mean,
                final_sd,
                final_per_class,
                memory_share: first.iter().map(|r| r.memory_share).collect(),
                updates_per_context: if spec.learner.starts_with("cvae") {
                    cfg.long_term_updates
                } else {
                    cfg.plan.updates
                },
                batch: seeds[0].1,
                trained_per_class: first.iter().map(|r| r.trained_per_class.clone()).collect(),
                seconds,
            }
        })
        .collect();
    Ok(ContinualResult { config: cfg.clone(), runs, dream_samples })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::Loss;

    /// 40 images per class, 28x28: each class a random half of the pixels lit (the same
    /// for every seed, so classes overlap as digits do), with noise from `seed`.
    fn data(seed: u64) -> Dataset {
        use rand::RngExt;
        let mut shapes = rng_from_seed(99);
        let lit: Vec<Vec<bool>> = (0..10).map(|_| (0..784).map(|_| shapes.random::<bool>()).collect()).collect();
        let mut rng = rng_from_seed(seed);
        let mut d = Dataset { images: Vec::new(), labels: Vec::new(), rows: 28, cols: 28 };
        for i in 0..400 {
            let c = i % 10;
            d.images.extend(lit[c].iter().map(|&l| if l { 0.7 } else { 0.0 } + 0.3 * rng.random::<f32>()));
            d.labels.push(c as u8);
        }
        d
    }

    fn config(runs: Vec<RunSpec>) -> ContinualConfig {
        ContinualConfig {
            plan: Plan { updates: 60, dreams_per_class: 20, ..Plan::default() },
            mlp: MlpConfig { hidden: 16, loss: Loss::CrossEntropy, lr: 0.5, batch: 10 },
            runs,
            seeds: vec![1, 2],
            ..ContinualConfig::default()
        }
    }

    #[test]
    fn none_forgets_what_joint_and_replay_keep() {
        let cfg = config(vec![
            RunSpec::new("mlp", Strategy::None),
            RunSpec::new("mlp", Strategy::Joint),
            RunSpec::new("mlp", Strategy::Replay { per_class: 10 }),
        ]);
        let r = run_continual(&cfg, &data(1), &data(2)).unwrap();
        let [none, joint, replay] = &r.runs[..] else { panic!() };
        // after each context the naive learner knows its last two classes only
        for (k, &a) in none.accuracy_after_context[0].iter().enumerate() {
            assert!((a - 1.0 / (k + 1) as f64).abs() < 0.05, "context {}: {a}", k + 1);
        }
        assert!(none.final_per_class[..8].iter().all(|&a| a < 0.05), "{:?}", none.final_per_class);
        assert!(joint.final_mean > 0.95 && replay.final_mean > 0.9, "{} {}", joint.final_mean, replay.final_mean);
        assert_eq!(none.accuracy_after_context.len(), 2);
        let finals: Vec<f64> = none.accuracy_after_context.iter().map(|a| a[4]).collect();
        assert_eq!(none.final_mean, (finals[0] + finals[1]) / 2.0);
        assert!((none.final_sd - (finals[0] - finals[1]).abs() / 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(replay.memory_share, vec![0.0, 0.5, 0.7, 0.8, 0.8]);
        assert_eq!(replay.budget_per_class, Some(10));
        assert_eq!(r.config.runs, cfg.runs);
    }

    #[test]
    fn runs_are_checked_before_training() {
        let bad = [
            RunSpec { per_class: None, ..RunSpec::new("mlp", Strategy::Replay { per_class: 1 }) },
            RunSpec::new("mlp", Strategy::Replay { per_class: 0 }),
            RunSpec { memory: None, ..RunSpec::new("mlp", Strategy::Dream { memory: DreamMemory::CvaeB }) },
            RunSpec { per_class: Some(3), ..RunSpec::new("mlp", Strategy::None) },
            RunSpec { strategy: "forget".into(), ..RunSpec::new("mlp", Strategy::None) },
            RunSpec::new("perceptron", Strategy::None),
            RunSpec::new("cvae_a", Strategy::Dream { memory: DreamMemory::CvaeB }),
            RunSpec { memory_share: Some(1.5), ..RunSpec::new("mlp", Strategy::Dream { memory: DreamMemory::CvaeB }) },
        ];
        for spec in bad {
            let e = config(vec![spec.clone()]).validate().unwrap_err().to_string();
            assert!(!e.is_empty(), "{spec:?}");
        }
        assert!(config(vec![]).validate().is_err());
        let e = config(vec![RunSpec::new("mlp", Strategy::Replay { per_class: 0 })]).validate().unwrap_err();
        assert!(e.to_string().contains("per_class must be at least 1"), "{e}");
        // a config spelled in JSON reads back as written
        let text = r#"{"learner": "mlp", "strategy": "dream", "memory": "cvae_b", "memory_share": 0.5}"#;
        let spec: RunSpec = serde_json::from_str(text).unwrap();
        assert_eq!(spec.strategy().unwrap(), Strategy::Dream { memory: DreamMemory::CvaeB });
        assert!(serde_json::from_str::<RunSpec>(r#"{"learner": "mlp", "strategy": "none", "typo": 1}"#).is_err());
    }
}
