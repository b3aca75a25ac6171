//! Class-incremental split MNIST as a function returning data: each learner under each
//! strategy over several seeds (see [`crate::continual`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::checkpoint;
use crate::continual::{ContextRecord, DreamSource, Observer, Plan, Strategy, recall_dreams, run};
use crate::data::mnist::Dataset;
use crate::error::{CheckpointError, ConfigError, Error};
use crate::learners::{
    CvaeConfig, CvaeKind, Learner, LearnerKind, LearnerSettings, MlpConfig, MnistConfig, ValidMnistConfig,
};
use crate::progress::Progress;

/// One learner under one strategy. In a config, the strategy's settings stand beside
/// its name: `{"learner": "mlp", "strategy": "replay", "per_class": 10}`,
/// `{"learner": "mlp", "strategy": "dream", "memory": "cvae_b"}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RunSpecFields", into = "RunSpecFields")]
pub struct RunSpec {
    /// The learner.
    pub learner: LearnerKind,
    /// Where its batches come from.
    pub strategy: Strategy,
    /// The share of each batch taken from memory, if not the plan's.
    pub memory_share: Option<f64>,
}

/// The strategies by name, as a config writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StrategyName {
    None,
    Joint,
    Replay,
    Dream,
}

/// [`RunSpec`] as a config writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunSpecFields {
    learner: LearnerKind,
    strategy: StrategyName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    per_class: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    memory: Option<LearnerKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    memory_share: Option<f64>,
}

impl TryFrom<RunSpecFields> for RunSpec {
    type Error = ConfigError;
    fn try_from(f: RunSpecFields) -> Result<RunSpec, ConfigError> {
        let name = match f.strategy {
            StrategyName::None => "none",
            StrategyName::Joint => "joint",
            StrategyName::Replay => "replay",
            StrategyName::Dream => "dream",
        };
        let bad = |reason: &str| ConfigError::Invalid { field: "strategy", reason: format!("{name}: {reason}") };
        let strategy = match (f.strategy, f.per_class, f.memory) {
            (StrategyName::None, None, None) => Strategy::None,
            (StrategyName::Joint, None, None) => Strategy::Joint,
            (StrategyName::Replay, Some(per_class), None) => Strategy::Replay { per_class },
            (StrategyName::Dream, None, Some(memory)) => Strategy::Dream { memory },
            (StrategyName::Replay, ..) => return Err(bad("give per_class (and no memory)")),
            (StrategyName::Dream, ..) => {
                return Err(bad("give memory: \"astdp\", \"cvae_a\" or \"cvae_b\" (and no per_class)"));
            }
            (StrategyName::None | StrategyName::Joint, ..) => return Err(bad("takes neither per_class nor memory")),
        };
        if f.memory_share.is_some() && matches!(strategy, Strategy::None | Strategy::Joint) {
            return Err(bad("takes no memory_share: only replay and dream runs take batches from a memory"));
        }
        if !f.learner.classifies() {
            // its accuracy after each context, the run's figure, does not exist
            return Err(ConfigError::Invalid {
                field: "learner",
                reason: format!(
                    "{} does not classify (its encoder needs the label), so a run of it has no accuracy: \
                     make it the memory of another learner's run (learner mlp, strategy dream, memory {})",
                    f.learner, f.learner
                ),
            });
        }
        Ok(RunSpec { learner: f.learner, strategy, memory_share: f.memory_share })
    }
}

impl From<RunSpec> for RunSpecFields {
    fn from(r: RunSpec) -> RunSpecFields {
        let (strategy, per_class, memory) = match r.strategy {
            Strategy::None => (StrategyName::None, None, None),
            Strategy::Joint => (StrategyName::Joint, None, None),
            Strategy::Replay { per_class } => (StrategyName::Replay, Some(per_class), None),
            Strategy::Dream { memory } => (StrategyName::Dream, None, Some(memory)),
        };
        RunSpecFields { learner: r.learner, strategy, per_class, memory, memory_share: r.memory_share }
    }
}

impl RunSpec {
    /// A run of `learner` under `strategy`, at the plan's share.
    pub fn new(learner: LearnerKind, strategy: Strategy) -> RunSpec {
        RunSpec { learner, strategy, memory_share: None }
    }

    /// Whether this is a memory dreaming its own dreams (its run is made once per seed
    /// and its dreams feed the runs that name it).
    fn is_memory_run(&self) -> bool {
        self.strategy == Strategy::Dream { memory: self.learner }
    }

    /// Checks the run alone: its strategy's settings; a long-term memory (a CVAE)
    /// dreams only its own dreams; its share; then that this build has the learners it
    /// names.
    pub fn validate(&self, plan: &Plan) -> Result<(), ConfigError> {
        self.strategy.validate()?;
        if let Strategy::Dream { memory } = self.strategy
            && self.learner.cvae().is_some()
            && self.learner != memory
        {
            return Err(ConfigError::Invalid {
                field: "memory",
                reason: format!("a long-term memory dreams its own dreams: {} with memory {memory}", self.learner),
            });
        }
        if let Some(s) = self.memory_share {
            Plan { memory_share: Some(s), ..plan.clone() }.validate(10)?;
        }
        let memory = if let Strategy::Dream { memory } = self.strategy { Some(memory) } else { None };
        if [Some(self.learner), memory].into_iter().flatten().any(|k| k.cvae().is_some()) {
            crate::learners::cvae::require(|| format!("the run {} {}", self.learner, self.strategy.describe()))?;
        }
        Ok(())
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
        for learner in [LearnerKind::Astdp, LearnerKind::Mlp] {
            let mut add = |strategy| runs.push(RunSpec::new(learner, strategy));
            add(Strategy::None);
            add(Strategy::Joint);
            add(Strategy::Replay { per_class: 10 });
            add(Strategy::Replay { per_class: 100 });
            add(Strategy::Dream { memory: LearnerKind::CvaeB });
            add(Strategy::Dream { memory: LearnerKind::Astdp });
        }
        runs.push(RunSpec::new(LearnerKind::CvaeB, Strategy::Dream { memory: LearnerKind::CvaeB }));
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
        const PIXELS: usize = crate::data::mnist::SIDE * crate::data::mnist::SIDE;
        self.plan.validate(10)?;
        self.mlp.validate()?;
        self.mlp.fits(PIXELS, 10)?;
        self.long_term.validate(10)?;
        self.long_term.fits(PIXELS, 10, self.long_term_batch)?;
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
        if self.seeds.is_empty() {
            return Err(ConfigError::Empty { field: "seeds", what: "seed" }.into());
        }
        if let Some(s) = self.seeds.iter().enumerate().find_map(|(i, s)| self.seeds[..i].contains(s).then_some(s)) {
            return Err(ConfigError::Invalid {
                field: "seeds",
                reason: format!("seed {s} is given twice: its runs would count twice in the mean and spread"),
            }
            .into());
        }
        if self.runs.is_empty() {
            return Err(ConfigError::Empty { field: "runs", what: "run" }.into());
        }
        // the dreams of a context, and the largest replay memory, as floats
        let replay = self.runs.iter().filter_map(|r| match r.strategy {
            Strategy::Replay { per_class } => Some(per_class as u128),
            _ => None,
        });
        let per_class = replay.chain([self.plan.dreams_per_class as u128]).max().unwrap_or(0);
        crate::config::fits_in_memory(
            || "the dreams or replayed samples (plan.dreams_per_class, per_class)".into(),
            4 * 10 * (PIXELS as u128 + 1) * per_class,
        )?;
        let astdp = self.astdp.clone().check()?;
        // every run's own settings, then whether this build has the learners they name
        for r in &self.runs {
            r.validate(&self.plan)?;
        }
        Ok(astdp)
    }

    /// The settings every learner of a run is built from; the aSTDP net draws when it
    /// dreams its own dreams and `astdp_decoder` is set.
    fn settings<'a>(&'a self, astdp: &'a ValidMnistConfig, spec: &RunSpec) -> LearnerSettings<'a> {
        LearnerSettings {
            astdp,
            astdp_draws: self.astdp_decoder && spec.strategy == (Strategy::Dream { memory: LearnerKind::Astdp }),
            mlp: &self.mlp,
            cvae: &self.long_term,
            cvae_batch: self.long_term_batch,
        }
    }

    /// The weight updates per context of `learner`: a long-term memory trains on its
    /// own budget.
    fn updates(&self, learner: LearnerKind) -> usize {
        if learner.cvae().is_some() { self.long_term_updates } else { self.plan.updates }
    }
}

/// One run over the seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The learner.
    pub learner: LearnerKind,
    /// `"none"`, `"joint"`, `"replay"`, `"dream"`.
    pub strategy: String,
    /// Replay: real samples kept per class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_per_class: Option<usize>,
    /// Dream: the memory that recalls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<LearnerKind>,
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

/// A memory's run saved for reuse: what makes it (so that a store made with other
/// settings is refused) and its records; beside it, the learner at each dream phase
/// (`phase_K_J.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredMemory {
    /// The settings the memory's run depends on, as JSON.
    made_by: serde_json::Value,
    /// Its records (without the dreams, which the saved learners recall again).
    records: Vec<ContextRecord>,
    /// Its batch and the seconds its training took.
    batch: usize,
    seconds: f64,
}

/// Where the run of `memory` for `seed` is kept under `dir`.
fn store_dir(dir: &Path, memory: LearnerKind, seed: u64) -> PathBuf {
    dir.join(format!("{memory}_seed{seed}"))
}

fn phase_file(dir: &Path, k: usize, j: usize) -> PathBuf {
    dir.join(format!("phase_{k}_{j}.json"))
}

/// Saves the learner at every dream phase into a store's folder.
struct SaveAtDreams<'a> {
    dir: Option<&'a Path>,
    bar: &'a mut Progress,
    total: usize,
    stop: &'a AtomicBool,
}

impl Observer for SaveAtDreams<'_> {
    fn progress(&mut self, done: usize, _: usize) {
        if done.is_multiple_of(50) || done == self.total {
            self.bar.update(done, "");
        }
    }
    fn dreaming(&mut self, k: usize, j: usize, learner: &dyn Learner) -> Result<(), Error> {
        match self.dir {
            Some(d) if k > 0 => learner.save(&phase_file(d, k, j)),
            _ => Ok(()),
        }
    }
    fn stop(&mut self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Everything one seed needs: the data, the settings and the memories' runs so far.
struct Seeded<'a> {
    cfg: &'a ContinualConfig,
    astdp: &'a ValidMnistConfig,
    train: &'a Dataset,
    test: &'a Dataset,
    seed: u64,
    /// Where memories' runs are kept and looked for.
    memories_dir: Option<&'a Path>,
    /// The run of each memory as a learner dreaming its own dreams.
    memories: HashMap<LearnerKind, RunOutcome>,
    /// Set by the caller to stop every run.
    stop: &'a AtomicBool,
}

impl Seeded<'_> {
    /// Builds the learner of `spec` afresh for this seed and runs it under `plan` (a
    /// long-term memory on its own budget); returns its records and batch. With
    /// `store`, the learner is saved at each dream phase into that folder.
    fn learn(
        &self,
        spec: &RunSpec,
        plan: &Plan,
        source: DreamSource<'_>,
        store: Option<&Path>,
    ) -> Result<(Vec<ContextRecord>, usize), Error> {
        let mut learner =
            spec.learner.build(&self.cfg.settings(self.astdp, spec), self.train.pixels(), 10, self.seed)?;
        let plan = Plan { updates: self.cfg.updates(spec.learner), ..plan.clone() };
        let total = plan.contexts.len() * plan.updates;
        let mut bar = Progress::new(format!("seed {}: {} {}", self.seed, spec.learner, describe(spec)), total);
        let mut observer = SaveAtDreams { dir: store, bar: &mut bar, total, stop: self.stop };
        let records =
            run(&mut *learner, &plan, spec.strategy, source, self.train, self.test, self.seed, &mut observer)?;
        bar.finish();
        Ok((records, learner.batch()))
    }

    /// The settings a memory's run depends on, to tell a stored run made with others.
    fn made_by(&self, memory: LearnerKind) -> serde_json::Value {
        let astdp = MnistConfig::from(self.astdp.clone());
        serde_json::json!({
            "memory": memory, "seed": self.seed, "plan": self.cfg.plan, "train_samples": self.cfg.train_samples,
            "test_samples": self.cfg.test_samples, "updates": self.cfg.updates(memory),
            "learner": match memory {
                LearnerKind::Astdp => serde_json::json!({"astdp": astdp, "decoder": self.cfg.astdp_decoder}),
                LearnerKind::Mlp => serde_json::json!(self.cfg.mlp),
                _ => serde_json::json!({"long_term": self.cfg.long_term, "batch": self.cfg.long_term_batch}),
            },
        })
    }

    /// A memory's run from its store: the records, and the dreams recalled again by the
    /// learner saved at each dream phase. `None` when the store has none.
    fn load_memory(&self, memory: LearnerKind, dir: &Path) -> Result<Option<RunOutcome>, Error> {
        let index = dir.join("memory.json");
        if !index.exists() {
            return Ok(None);
        }
        let stored: StoredMemory = checkpoint::read_json(&index)?;
        if stored.made_by != self.made_by(memory) {
            return Err(CheckpointError::Mismatch {
                path: index,
                what: "this memory was trained with other settings (config, seed or data): remove its folder, or give another --memories folder".into(),
            }
            .into());
        }
        let mut records = stored.records;
        let shape = (self.train.rows, self.train.cols);
        for (k, record) in records.iter_mut().enumerate().skip(1) {
            let old: Vec<u8> = self.cfg.plan.contexts[..k].iter().flatten().copied().collect();
            let mut dreams = Dataset { images: Vec::new(), labels: Vec::new(), rows: shape.0, cols: shape.1 };
            for j in 0..self.cfg.plan.dream_phases {
                let learner = memory.load(&phase_file(dir, k, j))?;
                let d = recall_dreams(&*learner, &self.cfg.plan, k, j, &old, self.seed, shape)?;
                dreams.images.extend(d.images);
                dreams.labels.extend(d.labels);
            }
            record.dreams = Some(dreams);
        }
        Ok(Some((records, stored.batch, stored.seconds)))
    }

    /// The run of `memory` as a learner dreaming its own dreams, made once per seed (or
    /// read from the memories' folder): records, batch, seconds.
    fn memory(&mut self, memory: LearnerKind) -> Result<&RunOutcome, Error> {
        if !self.memories.contains_key(&memory) {
            let dir = self.memories_dir.map(|d| store_dir(d, memory, self.seed));
            let loaded = match &dir {
                Some(d) => self.load_memory(memory, d)?,
                None => None,
            };
            let outcome = match loaded {
                Some(o) => {
                    eprintln!(
                        "seed {}: memory {memory} read from {}",
                        self.seed,
                        dir.as_deref().unwrap_or(Path::new("")).display()
                    );
                    o
                }
                None => {
                    if let Some(d) = &dir {
                        std::fs::create_dir_all(d)
                            .map_err(|source| crate::error::FileError::Io { path: d.clone(), source })?;
                    }
                    let start = std::time::Instant::now();
                    let spec = RunSpec::new(memory, Strategy::Dream { memory });
                    let (records, batch) = self.learn(&spec, &self.cfg.plan, DreamSource::Own, dir.as_deref())?;
                    let seconds = start.elapsed().as_secs_f64();
                    if let Some(d) = &dir {
                        let stored =
                            StoredMemory { made_by: self.made_by(memory), records: records.clone(), batch, seconds };
                        checkpoint::write_json(d.join("memory.json"), &stored)?;
                    }
                    (records, batch, seconds)
                }
            };
            self.memories.insert(memory, outcome);
        }
        Ok(&self.memories[&memory])
    }

    /// The run of `spec` and its batch; the seconds it took (not counting the memory it
    /// dreams from, which is a run of its own).
    fn one(&mut self, spec: &RunSpec) -> Result<RunOutcome, Error> {
        // a memory's own run (and aSTDP dreaming its own dreams) is made once
        if spec.is_memory_run() && spec.memory_share.is_none() {
            return Ok(self.memory(spec.learner)?.clone());
        }
        let dreams: Option<Vec<Option<Dataset>>> = match spec.strategy {
            Strategy::Dream { memory } if spec.learner != memory => {
                Some(self.memory(memory)?.0.iter().map(|r| r.dreams.clone()).collect())
            }
            _ => None,
        };
        let source = dreams.as_deref().map_or(DreamSource::Own, DreamSource::Recorded);
        let plan = Plan { memory_share: spec.memory_share.or(self.cfg.plan.memory_share), ..self.cfg.plan.clone() };
        let start = std::time::Instant::now();
        let (records, batch) = self.learn(spec, &plan, source, None)?;
        Ok((records, batch, start.elapsed().as_secs_f64()))
    }
}

/// A run's strategy in words: `none`, `replay 10`, `dream cvae_b`, with its share.
pub fn describe(spec: &RunSpec) -> String {
    let s = spec.strategy.describe();
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
    memories_dir: Option<&Path>,
    stop: &AtomicBool,
) -> Result<SeedOutput, Error> {
    let mut s = Seeded { cfg, astdp, train, test, seed, memories_dir, memories: HashMap::new(), stop };
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
/// the first `test_samples` of `test`. With `memories`, the run of each memory that
/// dreams its own dreams is kept in that folder (`MEMORY_seedS/`: its records and its
/// learner at each dream phase) and, when a later call finds it there made with the
/// same settings, read instead of trained again: the dreams it gives are the same.
pub fn run_continual(
    cfg: &ContinualConfig,
    train: &Dataset,
    test: &Dataset,
    memories: Option<&Path>,
) -> Result<ContinualResult, Error> {
    run_continual_until(cfg, train, test, memories, &AtomicBool::new(false))
}

/// [`run_continual`], stopped with [`Error::Interrupted`] within one weight update of
/// `stop` being set (from another thread: a Python binding that saw Ctrl-C, say).
pub fn run_continual_until(
    cfg: &ContinualConfig,
    train: &Dataset,
    test: &Dataset,
    memories: Option<&Path>,
    stop: &AtomicBool,
) -> Result<ContinualResult, Error> {
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
                scope.spawn(move || one_seed(cfg, astdp, train, test, seed, memories, stop))
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
            let (budget_per_class, memory) = match spec.strategy {
                Strategy::Replay { per_class } => (Some(per_class), None),
                Strategy::Dream { memory } => (None, Some(memory)),
                _ => (None, None),
            };
            RunResult {
                learner: spec.learner,
                strategy: spec.strategy.name().into(),
                budget_per_class,
                memory,
                seeds: cfg.seeds.clone(),
                accuracy_after_context: acc,
                final_mean,
                final_sd,
                final_per_class,
                memory_share: first.iter().map(|r| r.memory_share).collect(),
                updates_per_context: cfg.updates(spec.learner),
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
    use crate::learners::Loss;
    use crate::sim::rng_from_seed;

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
    fn a_run_asked_to_stop_stops_with_interrupted() {
        let cfg = config(vec![RunSpec::new(LearnerKind::Mlp, Strategy::None)]);
        let stop = AtomicBool::new(true);
        let r = run_continual_until(&cfg, &data(1), &data(2), None, &stop);
        assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
    }

    #[test]
    fn none_forgets_what_joint_and_replay_keep() {
        let cfg = config(vec![
            RunSpec::new(LearnerKind::Mlp, Strategy::None),
            RunSpec::new(LearnerKind::Mlp, Strategy::Joint),
            RunSpec::new(LearnerKind::Mlp, Strategy::Replay { per_class: 10 }),
        ]);
        let r = run_continual(&cfg, &data(1), &data(2), None).unwrap();
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
        let mlp = LearnerKind::Mlp;
        let bad = [
            RunSpec::new(mlp, Strategy::Replay { per_class: 0 }),
            RunSpec::new(mlp, Strategy::Dream { memory: LearnerKind::Mlp }),
            RunSpec::new(LearnerKind::CvaeA, Strategy::Dream { memory: LearnerKind::CvaeB }),
            RunSpec { memory_share: Some(1.5), ..RunSpec::new(mlp, Strategy::Dream { memory: LearnerKind::Astdp }) },
        ];
        for spec in bad {
            assert!(matches!(config(vec![spec]).validate(), Err(Error::Config(_))), "{spec:?}");
        }
        let e = config(vec![]).validate().unwrap_err();
        assert!(matches!(e, Error::Config(ConfigError::Empty { field: "runs", .. })), "{e}");
        let e = config(vec![RunSpec::new(mlp, Strategy::Replay { per_class: 0 })]).validate().unwrap_err();
        assert!(matches!(e, Error::Config(ConfigError::NonPositive { field: "per_class", .. })), "{e}");
        // a config spelled in JSON reads back as written, and writes back the same
        let text = r#"{"learner":"mlp","strategy":"dream","memory":"cvae_b","memory_share":0.5}"#;
        let spec: RunSpec = serde_json::from_str(text).unwrap();
        assert_eq!(spec.strategy, Strategy::Dream { memory: LearnerKind::CvaeB });
        assert_eq!(serde_json::to_string(&spec).unwrap(), text);
        // what a config cannot say is refused as it is read, naming the field
        for (text, says) in [
            (r#"{"learner": "mlp", "strategy": "none", "typo": 1}"#, "typo"),
            (r#"{"learner": "mlp", "strategy": "replay"}"#, "give per_class"),
            (r#"{"learner": "mlp", "strategy": "none", "per_class": 3}"#, "takes neither"),
            (r#"{"learner": "mlp", "strategy": "dream"}"#, "give memory"),
            (r#"{"learner": "mlp", "strategy": "forget"}"#, "forget"),
            (r#"{"learner": "perceptron", "strategy": "none"}"#, "perceptron"),
            (r#"{"learner": "mlp", "strategy": "dream", "memory": "lstm"}"#, "lstm"),
        ] {
            let e = serde_json::from_str::<RunSpec>(text).unwrap_err().to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
    }

    #[test]
    fn a_cvae_is_refused_up_front_in_a_build_without_the_feature() {
        let spec = RunSpec::new(LearnerKind::Mlp, Strategy::Dream { memory: LearnerKind::CvaeB });
        let r = config(vec![spec]).validate();
        if cfg!(feature = "cvae") {
            assert!(r.is_ok(), "{r:?}");
        } else {
            let e = r.unwrap_err();
            assert!(matches!(e, Error::Config(ConfigError::FeatureMissing { feature: "cvae", .. })), "{e}");
            assert!(e.to_string().contains("--features cvae"), "{e}");
        }
    }
}
