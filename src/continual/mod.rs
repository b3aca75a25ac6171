//! Learning without forgetting: class-incremental learning (the protocol of van de Ven &
//! Tolias, "Three scenarios for continual learning", arXiv 1904.07734). A learner meets
//! a sequence of contexts (split MNIST: digits {0,1}, then {2,3}, ...) one after the
//! other, with no context label at test, and is tested after each context on every class
//! seen so far.
//!
//! The driver runs one learner through the contexts under one [`Strategy`] on the
//! [`Scheduler`]: each context is a schedule of events, a dream phase that fills the
//! memory's part of the batches ([`Step::Dream`]), one [`Step::Batch`] per weight update,
//! a consolidation ([`Step::Consolidate`], where the short-term memory keeps what it
//! saw) and a test ([`Step::Test`]). Every strategy makes the same number of weight
//! updates of the same batch size per context (the budget); they differ only in where
//! the samples of a batch come from:
//!
//! - `none`: all from the current context;
//! - `joint`: from every class seen so far (the upper bound);
//! - `replay`: a share from a short-term memory of up to `per_class` real samples per
//!   old class ([`ShortTermMemory`], balanced over the classes), the rest from the context;
//! - `dream`: a share recalled from a long-term memory for old classes, labelled with
//!   the label they were recalled for, the rest from the context; no image is stored.
//!
//! The share of a batch taken from memory is by default the share of old classes among
//! the classes seen (so each class seen gets an equal part of every batch: 0, 1/2, 2/3,
//! 3/4, 4/5 of the batch in contexts 1-5), or a fixed `memory_share`.
//!
//! A [`Learner`] is anything that learns from batches and can be tested: the supervised
//! aSTDP net ([`Trainer`]), the backprop [`Mlp`] and a long-term memory ([`Cvae`]).
//! Learners that can recall (aSTDP with its label clamped, the CVAEs) make their own
//! dreams; the dreams of a memory run this way are recorded ([`ContextRecord::dreams`])
//! so that another learner can be trained on them.

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::association::{Cvae, ShortTermMemory};
use crate::baseline::{Mlp, MlpConfig};
use crate::data::mnist::Dataset;
use crate::error::{ConfigError, Error};
use crate::experiments::mnist::{Mode, Trainer, Variety};
use crate::scheduler::{Handler, Phased, Scheduler, Tick};
use crate::sim::{SimRng, rng_from_seed};

#[cfg(test)]
mod tests;

/// Where the samples of a batch come from (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "strategy")]
pub enum Strategy {
    /// Each context in turn, nothing kept.
    None,
    /// Every class seen so far (the upper bound).
    Joint,
    /// Up to `per_class` real samples kept per class, replayed.
    Replay {
        /// Samples kept per class.
        per_class: usize,
    },
    /// Samples recalled from a long-term memory; no image kept.
    Dream {
        /// The memory that recalls them.
        memory: DreamMemory,
    },
}

/// The long-term memory that makes the dreams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DreamMemory {
    /// The supervised aSTDP net's recall, its label clamped (figure 2 of the paper, with
    /// [`Variety`]).
    Astdp,
    /// The type A conditional VAE of memory association.
    CvaeA,
    /// The type B conditional VAE of memory association.
    CvaeB,
}

impl DreamMemory {
    /// The name used in configs and results.
    pub fn name(self) -> &'static str {
        match self {
            DreamMemory::Astdp => "astdp",
            DreamMemory::CvaeA => "cvae_a",
            DreamMemory::CvaeB => "cvae_b",
        }
    }
}

impl Strategy {
    /// `"none"`, `"joint"`, `"replay"` or `"dream"`.
    pub fn name(&self) -> &'static str {
        match self {
            Strategy::None => "none",
            Strategy::Joint => "joint",
            Strategy::Replay { .. } => "replay",
            Strategy::Dream { .. } => "dream",
        }
    }
}

/// The contexts and the budget, shared by every strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Plan {
    /// The classes of each context, in order.
    pub contexts: Vec<Vec<u8>>,
    /// Weight updates (batches) per context.
    pub updates: usize,
    /// Share of each batch taken from memory (replay, dream); `None`: the share of old
    /// classes among the classes seen.
    pub memory_share: Option<f64>,
    /// Dreams recalled per old class at each dream phase.
    pub dreams_per_class: usize,
    /// How the aSTDP net recalls (its label clamped).
    pub variety: Variety,
}

impl Default for Plan {
    /// Split MNIST: {0,1}, {2,3}, {4,5}, {6,7}, {8,9}; 750 updates per context (a batch
    /// of 16 then sees about one pass of the context's 12,000 images); 1000 dreams per
    /// class; aSTDP recall from `U(0, 1)` initial states.
    fn default() -> Self {
        Plan {
            contexts: (0..5u8).map(|c| vec![2 * c, 2 * c + 1]).collect(),
            updates: 750,
            memory_share: None,
            dreams_per_class: 1000,
            variety: Variety { init_spread: Some(1.0), ..Variety::NONE },
        }
    }
}

impl Plan {
    /// Checks the plan for labels below `classes`.
    pub fn validate(&self, classes: usize) -> Result<(), ConfigError> {
        if self.contexts.is_empty() || self.contexts.iter().any(|c| c.is_empty()) {
            return Err(ConfigError::Topology("contexts: give at least one context, each with a class".into()));
        }
        let mut seen = vec![false; classes];
        for &c in self.contexts.iter().flatten() {
            let Some(s) = seen.get_mut(c as usize) else {
                return Err(ConfigError::Topology(format!("contexts: class {c} is not below {classes}")));
            };
            if *s {
                return Err(ConfigError::Topology(format!("contexts: class {c} appears twice")));
            }
            *s = true;
        }
        if self.updates == 0 {
            return Err(ConfigError::NonPositive { field: "updates", value: 0.0 });
        }
        if self.dreams_per_class == 0 {
            return Err(ConfigError::NonPositive { field: "dreams_per_class", value: 0.0 });
        }
        if let Some(s) = self.memory_share
            && !(0.0..1.0).contains(&s)
        {
            return Err(ConfigError::OutOfRange { field: "memory_share", value: s, range: "[0, 1)" });
        }
        Ok(())
    }

    /// The share of a batch taken from memory in context `k` (0-based).
    pub fn share(&self, k: usize) -> f64 {
        let old: usize = self.contexts[..k].iter().map(Vec::len).sum();
        if old == 0 {
            return 0.0;
        }
        self.memory_share.unwrap_or(old as f64 / (old + self.contexts[k].len()) as f64)
    }
}

/// What a driver can train and test.
pub trait Learner {
    /// Samples per weight update.
    fn batch(&self) -> usize;
    /// One weight update on the samples `batch` of `data`.
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error>;
    /// Fraction of `data` classified right; `None` for a learner that does not classify.
    fn accuracy(&mut self, data: &Dataset) -> Result<Option<f64>, Error>;
    /// `n` samples recalled for `label`, if the learner can recall.
    fn recall(&self, _label: u8, _n: usize, _seed: u64, _variety: Variety) -> Option<Result<Vec<Vec<f32>>, Error>> {
        None
    }
}

impl Learner for Trainer {
    fn batch(&self) -> usize {
        self.cfg.batch
    }
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error> {
        self.train_batch(data, batch, Mode::Supervised).map(|_| ())
    }
    fn accuracy(&mut self, data: &Dataset) -> Result<Option<f64>, Error> {
        Ok(Some(self.evaluate(data)?.accuracy))
    }
    fn recall(&self, label: u8, n: usize, seed: u64, variety: Variety) -> Option<Result<Vec<Vec<f32>>, Error>> {
        let labels = vec![label; self.cfg.batch];
        let mut out = Vec::with_capacity(n);
        let mut round = 0u64;
        while out.len() < n {
            let s = seed.wrapping_mul(1_000_003).wrapping_add(round);
            match self.generate_with(&labels[..self.cfg.batch.min(n - out.len())], s, variety) {
                Ok(images) => out.extend(images),
                Err(e) => return Some(Err(e)),
            }
            round += 1;
        }
        Some(Ok(out))
    }
}

/// The supervised aSTDP net that also learns to draw what it learns: after each
/// supervised batch, a decoder batch on the same samples (label hard clamped, image free
/// then softly clamped; only the weights into the image layer learn, so the classifier's
/// weights see the supervised updates alone). Its recall is then the label-clamped
/// generation of figure 2 through a trained decoder; each update costs two batches.
#[derive(Debug, Clone)]
pub struct DrawingTrainer(pub Trainer);

impl Learner for DrawingTrainer {
    fn batch(&self) -> usize {
        self.0.batch()
    }
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error> {
        self.0.train_batch(data, batch, Mode::Supervised)?;
        self.0.train_batch(data, batch, Mode::Decoder).map(|_| ())
    }
    fn accuracy(&mut self, data: &Dataset) -> Result<Option<f64>, Error> {
        self.0.accuracy(data)
    }
    fn recall(&self, label: u8, n: usize, seed: u64, variety: Variety) -> Option<Result<Vec<Vec<f32>>, Error>> {
        self.0.recall(label, n, seed, variety)
    }
}

/// The backprop MLP with its training settings.
#[derive(Debug, Clone)]
pub struct MlpLearner {
    /// The net.
    pub mlp: Mlp,
    /// Its settings (batch, rate, loss).
    pub cfg: MlpConfig,
}

impl Learner for MlpLearner {
    fn batch(&self) -> usize {
        self.cfg.batch
    }
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error> {
        self.mlp.train_order(data, batch, &self.cfg)?;
        Ok(())
    }
    fn accuracy(&mut self, data: &Dataset) -> Result<Option<f64>, Error> {
        Ok(Some(self.mlp.accuracy(data)?))
    }
}

/// A conditional VAE learning as a long-term memory: its own generator for the
/// reparameterisation noise, its batch size.
#[derive(Debug)]
pub struct CvaeLearner {
    /// The memory.
    pub cvae: Cvae,
    /// Samples per Adam step.
    pub batch: usize,
    /// Its noise.
    pub rng: SimRng,
}

impl Learner for CvaeLearner {
    fn batch(&self) -> usize {
        self.batch
    }
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error> {
        let images: Vec<&[f32]> = batch.iter().map(|&i| data.image(i)).collect();
        let labels: Vec<usize> = batch.iter().map(|&i| data.labels[i] as usize).collect();
        self.cvae.train_step(&images, &labels, &mut self.rng)?;
        Ok(())
    }
    /// Type B's encoder as a classifier; `None` for type A.
    fn accuracy(&mut self, data: &Dataset) -> Result<Option<f64>, Error> {
        if self.cvae.config().kind != crate::association::CvaeKind::B || data.is_empty() {
            return Ok(None);
        }
        let images: Vec<&[f32]> = (0..data.len()).map(|i| data.image(i)).collect();
        let hits = self.cvae.classify(&images)?.iter().zip(&data.labels).filter(|(p, l)| **p == **l as usize).count();
        Ok(Some(hits as f64 / data.len() as f64))
    }
    fn recall(&self, label: u8, n: usize, seed: u64, _: Variety) -> Option<Result<Vec<Vec<f32>>, Error>> {
        Some(self.cvae.recall(label as usize, n, &mut rng_from_seed(seed)).map_err(Error::from))
    }
}

/// Where a dream strategy's dreams come from.
#[derive(Debug)]
pub enum DreamSource<'a> {
    /// The learner recalls them itself.
    Own,
    /// Recorded from another learner's run: the dream set of each context (see
    /// [`ContextRecord::dreams`]).
    Recorded(&'a [Option<Dataset>]),
}

/// The events of a run. Within a tick: dream, batch, consolidate, test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Recall the dreams of context `k`'s old classes and plan its batches.
    Dream(usize),
    /// Weight update `i` of context `k`.
    Batch(usize, usize),
    /// The short-term memory keeps context `k`'s samples.
    Consolidate(usize),
    /// Test on every class seen up to context `k`.
    Test(usize),
}

impl Phased for Step {
    fn phase(&self) -> u8 {
        match self {
            Step::Dream(_) => 0,
            Step::Batch(..) => 1,
            Step::Consolidate(_) => 2,
            Step::Test(_) => 3,
        }
    }
}

/// What one context gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContextRecord {
    /// Classes seen up to and with this context.
    pub seen: Vec<u8>,
    /// Test accuracy on the test samples of the classes seen (`None`: the learner does
    /// not classify).
    pub accuracy: Option<f64>,
    /// Test accuracy per class 0-9 (`None` for classes not seen yet).
    pub per_class: Vec<Option<f64>>,
    /// Share of the batches taken from memory.
    pub memory_share: f64,
    /// Samples of each class 0-9 trained on in this context.
    pub trained_per_class: Vec<usize>,
    /// The dreams recalled in this context's dream phase (dream strategy only; not
    /// saved).
    #[serde(skip)]
    pub dreams: Option<Dataset>,
}

/// An endless shuffled walk over a set of samples.
#[derive(Debug, Clone)]
struct Cycle {
    items: Vec<usize>,
    pos: usize,
}

impl Cycle {
    fn new(items: Vec<usize>) -> Cycle {
        Cycle { pos: items.len(), items }
    }
    fn next(&mut self, rng: &mut SimRng) -> usize {
        if self.pos == self.items.len() {
            self.items.shuffle(rng);
            self.pos = 0;
        }
        self.pos += 1;
        self.items[self.pos - 1]
    }
}

/// The state of a run, the scheduler's handler.
struct Driver<'a, L: Learner> {
    learner: &'a mut L,
    train: &'a Dataset,
    test: &'a Dataset,
    plan: &'a Plan,
    strategy: Strategy,
    source: DreamSource<'a>,
    rng: SimRng,
    seed: u64,
    /// Real samples kept (replay): train indices.
    stm: Option<ShortTermMemory<usize>>,
    /// The current context's samples: the dataset its batches index (train, or the
    /// context's samples followed by its dreams) and its planned batches.
    pool: Option<Dataset>,
    batches: Vec<Vec<usize>>,
    /// Train indices seen in the current context (pushed to the short-term memory at
    /// consolidation).
    seen_now: Vec<usize>,
    records: Vec<ContextRecord>,
    progress: &'a mut dyn FnMut(usize, usize),
}

fn classes_up_to(plan: &Plan, k: usize) -> Vec<u8> {
    let mut c: Vec<u8> = plan.contexts[..=k].iter().flatten().copied().collect();
    c.sort_unstable();
    c
}

impl<L: Learner> Driver<'_, L> {
    /// Plans context `k`: recalls its dreams and draws its batches.
    fn dream(&mut self, k: usize) -> Result<(), Error> {
        let plan = self.plan;
        let batch = self.learner.batch();
        let old: Vec<u8> = plan.contexts[..k].iter().flatten().copied().collect();
        let current: Vec<usize> = plan.contexts[k].iter().flat_map(|&c| self.train.indices_of(c)).collect::<Vec<_>>();
        // at least one sample of the context in every batch
        let n_mem = ((batch as f64 * plan.share(k)).round() as usize).min(batch - 1);
        let mut dreams = None;
        // the batches index the training set, or (dreams) a pool of the context's samples
        // and the dreams; the memory's sampler draws from it
        self.pool = None;
        let (mut now, mut memory): (Cycle, Option<ShortTermMemory<usize>>) = match self.strategy {
            Strategy::None => (Cycle::new(current), None),
            Strategy::Joint => {
                let all = classes_up_to(plan, k).iter().flat_map(|&c| self.train.indices_of(c)).collect();
                (Cycle::new(all), None)
            }
            Strategy::Replay { .. } => (Cycle::new(current), self.stm.clone()),
            Strategy::Dream { .. } => {
                let mut pool = self.train.select(&current);
                let mut stm = ShortTermMemory::new(10, plan.dreams_per_class)?;
                if !old.is_empty() {
                    let recalled = self.recall_dreams(k, &old)?;
                    for i in 0..recalled.len() {
                        stm.push(recalled.labels[i] as usize, pool.len() + i)?;
                    }
                    pool.images.extend_from_slice(&recalled.images);
                    pool.labels.extend_from_slice(&recalled.labels);
                    dreams = Some(recalled);
                }
                let n = current.len();
                self.pool = Some(pool);
                (Cycle::new((0..n).collect()), Some(stm))
            }
        };
        if memory.as_ref().is_some_and(|m| m.is_empty()) {
            memory = None;
        }
        let mut trained = vec![0usize; 10];
        self.batches.clear();
        self.seen_now.clear();
        for _ in 0..plan.updates {
            let from_memory = if memory.is_some() { n_mem } else { 0 };
            let mut b: Vec<usize> = (0..batch - from_memory).map(|_| now.next(&mut self.rng)).collect();
            if let Strategy::None | Strategy::Replay { .. } = self.strategy {
                self.seen_now.extend(&b);
            }
            if let Some(m) = &memory {
                b.extend(m.sample_balanced(from_memory, &mut self.rng)?.into_iter().map(|(_, &i)| i));
            }
            b.shuffle(&mut self.rng);
            let data = self.pool.as_ref().unwrap_or(self.train);
            for &i in &b {
                trained[data.labels[i] as usize] += 1;
            }
            self.batches.push(b);
        }
        let share = if memory.is_some() { n_mem as f64 / batch as f64 } else { 0.0 };
        self.records.push(ContextRecord {
            seen: classes_up_to(plan, k),
            accuracy: None,
            per_class: vec![None; 10],
            memory_share: share,
            trained_per_class: trained,
            dreams,
        });
        Ok(())
    }

    /// The dreams of context `k`: `dreams_per_class` of each old class.
    fn recall_dreams(&mut self, k: usize, old: &[u8]) -> Result<Dataset, Error> {
        let (rows, cols) = (self.train.rows, self.train.cols);
        match &self.source {
            DreamSource::Recorded(sets) => sets.get(k).cloned().flatten().ok_or_else(|| {
                ConfigError::Topology(format!("the recorded dreams have none for context {}", k + 1)).into()
            }),
            DreamSource::Own => {
                let mut d = Dataset { images: Vec::new(), labels: Vec::new(), rows, cols };
                for &c in old {
                    let seed = self.seed.wrapping_mul(7919).wrapping_add((k * 100 + c as usize) as u64);
                    let images =
                        self.learner.recall(c, self.plan.dreams_per_class, seed, self.plan.variety).ok_or_else(
                            || ConfigError::Topology("this learner cannot recall: dream from a memory".into()),
                        )??;
                    for im in images {
                        d.images.extend(im);
                        d.labels.push(c);
                    }
                }
                Ok(d)
            }
        }
    }

    fn test(&mut self, k: usize) -> Result<(), Error> {
        let seen = classes_up_to(self.plan, k);
        let (mut hits, mut n, mut any) = (0.0, 0usize, false);
        let record = self.records.last_mut().expect("a test follows its dream phase");
        for &c in &seen {
            let d = self.test.select(&self.test.indices_of(c));
            if let Some(a) = self.learner.accuracy(&d)? {
                any = true;
                hits += a * d.len() as f64;
                n += d.len();
                record.per_class[c as usize] = Some(a);
            }
        }
        record.accuracy = any.then(|| hits / n.max(1) as f64);
        Ok(())
    }
}

impl<L: Learner> Handler<Step> for Driver<'_, L> {
    type Error = Error;
    fn handle(&mut self, _: &mut Scheduler<Step>, _: Tick, step: Step) -> Result<(), Error> {
        match step {
            Step::Dream(k) => self.dream(k)?,
            Step::Batch(k, i) => {
                let data = self.pool.as_ref().unwrap_or(self.train);
                self.learner.learn(data, &self.batches[i])?;
                (self.progress)(k * self.plan.updates + i + 1, self.plan.contexts.len() * self.plan.updates);
            }
            Step::Consolidate(_) => {
                if let Some(stm) = &mut self.stm {
                    let mut seen = std::mem::take(&mut self.seen_now);
                    seen.shuffle(&mut self.rng);
                    for i in seen {
                        stm.push(self.train.labels[i] as usize, i)?;
                    }
                }
            }
            Step::Test(k) => self.test(k)?,
        }
        Ok(())
    }
}

/// Runs `learner` through the contexts of `plan` under `strategy`, training on `train`
/// and testing on `test` after each context; `progress(done, total)` after each update.
/// Dreams come from `source`. Seeded by `seed` (the batches' draws, the recall).
#[allow(clippy::too_many_arguments)]
pub fn run<L: Learner>(
    learner: &mut L,
    plan: &Plan,
    strategy: Strategy,
    source: DreamSource<'_>,
    train: &Dataset,
    test: &Dataset,
    seed: u64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<ContextRecord>, Error> {
    plan.validate(10)?;
    if learner.batch() == 0 {
        return Err(ConfigError::NonPositive { field: "batch", value: 0.0 }.into());
    }
    let stm = match strategy {
        Strategy::Replay { per_class: 0 } => {
            return Err(ConfigError::NonPositive { field: "per_class", value: 0.0 }.into());
        }
        Strategy::Replay { per_class } => Some(ShortTermMemory::new(10, per_class)?),
        _ => None,
    };
    let mut q: Scheduler<Step> = Scheduler::new();
    let span = plan.updates as Tick + 1;
    for k in 0..plan.contexts.len() {
        let t0 = k as Tick * span;
        q.schedule(t0, Step::Dream(k))?;
        for i in 0..plan.updates {
            q.schedule(t0 + i as Tick, Step::Batch(k, i))?;
        }
        q.schedule(t0 + span - 1, Step::Consolidate(k))?;
        q.schedule(t0 + span - 1, Step::Test(k))?;
    }
    let mut driver = Driver {
        learner,
        train,
        test,
        plan,
        strategy,
        source,
        rng: rng_from_seed(seed),
        seed,
        stm,
        pool: None,
        batches: Vec::new(),
        seen_now: Vec::new(),
        records: Vec::new(),
        progress,
    };
    q.run_until(plan.contexts.len() as Tick * span, &mut driver)?;
    Ok(driver.records)
}
