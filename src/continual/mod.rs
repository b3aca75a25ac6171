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
//! A [`Learner`] is anything that learns from batches and can be tested
//! ([`crate::learners`]). Learners that can recall (aSTDP with its label clamped, the
//! CVAEs) make their own dreams; the dreams of a memory run this way are recorded
//! ([`ContextRecord::dreams`]) so that another learner can be trained on them, and its
//! learner can be saved at every dream phase ([`Observer::dreaming`]) so that a later
//! run recalls the same dreams without training the memory again ([`recall_dreams`]).
//!
//! The phases are events in time: a context opens ([`Step::Open`]), its dreams are
//! recalled in `dream_phases` scheduled phases spread over its updates ([`Step::Dream`];
//! a batch draws only from the dreams recalled so far), each batch is drawn when its
//! event fires ([`Step::Batch`]), then consolidation and the test. A test never changes
//! the learner ([`Learner::predict`]).

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::association::ShortTermMemory;
use crate::data::mnist::Dataset;
use crate::error::{ConfigError, Error, LearnerError};
use crate::learners::{Learner, LearnerKind, Variety};
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
        /// The memory that recalls them: a learner that can recall
        /// ([`LearnerKind::can_recall`]).
        memory: LearnerKind,
    },
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

    /// Checks the strategy's own settings: replay keeps at least one sample per class,
    /// dreams come from a learner that can recall.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match *self {
            Strategy::Replay { per_class: 0 } => Err(ConfigError::NonPositive { field: "per_class", value: 0.0 }),
            Strategy::Dream { memory } if !memory.can_recall() => Err(ConfigError::Invalid {
                field: "memory",
                reason: format!("{memory} cannot recall: give \"astdp\", \"cvae_a\" or \"cvae_b\""),
            }),
            _ => Ok(()),
        }
    }

    /// The strategy in words: `none`, `replay 10`, `dream cvae_b`.
    pub fn describe(&self) -> String {
        match self {
            Strategy::Replay { per_class } => format!("replay {per_class}"),
            Strategy::Dream { memory } => format!("dream {memory}"),
            _ => self.name().into(),
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
    /// Dream phases per context: the dreams of a context are recalled in this many
    /// events spread evenly over its updates (1: all before its first batch).
    pub dream_phases: usize,
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
            dream_phases: 1,
        }
    }
}

impl Plan {
    /// Checks the plan for labels below `classes`.
    pub fn validate(&self, classes: usize) -> Result<(), ConfigError> {
        if self.contexts.is_empty() {
            return Err(ConfigError::Empty { field: "contexts", what: "context (a list of classes)" });
        }
        if let Some(k) = self.contexts.iter().position(Vec::is_empty) {
            return Err(ConfigError::Invalid { field: "contexts", reason: format!("context {} has no class", k + 1) });
        }
        let mut seen = vec![false; classes];
        for &c in self.contexts.iter().flatten() {
            let Some(s) = seen.get_mut(c as usize) else {
                return Err(ConfigError::Invalid {
                    field: "contexts",
                    reason: format!("class {c} is not among the data's {classes} classes"),
                });
            };
            if *s {
                return Err(ConfigError::Invalid { field: "contexts", reason: format!("class {c} appears twice") });
            }
            *s = true;
        }
        for (field, v) in [
            ("updates", self.updates),
            ("dreams_per_class", self.dreams_per_class),
            ("dream_phases", self.dream_phases),
        ] {
            if v == 0 {
                return Err(ConfigError::NonPositive { field, value: 0.0 });
            }
        }
        for (limit, per) in [(self.updates, "update"), (self.dreams_per_class, "dream per class")] {
            if self.dream_phases > limit {
                return Err(ConfigError::Invalid {
                    field: "dream_phases",
                    reason: format!("{} phases for {limit}: give at most one phase per {per}", self.dream_phases),
                });
            }
        }
        if let Some(s) = self.memory_share
            && !(0.0..1.0).contains(&s)
        {
            return Err(ConfigError::OutOfRange { field: "memory_share", value: s, range: "[0, 1)" });
        }
        Ok(())
    }

    /// The update before which dream phase `j` of a context recalls, and how many dreams
    /// per class it recalls (the `dreams_per_class` split as evenly as they go, the
    /// larger parts first).
    pub fn dream_phase(&self, j: usize) -> (usize, usize) {
        let (q, r) = (self.dreams_per_class / self.dream_phases, self.dreams_per_class % self.dream_phases);
        (j * self.updates / self.dream_phases, q + usize::from(j < r))
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

/// Where a dream strategy's dreams come from.
#[derive(Debug)]
pub enum DreamSource<'a> {
    /// The learner recalls them itself.
    Own,
    /// Recorded from another learner's run: the dream set of each context (see
    /// [`ContextRecord::dreams`]).
    Recorded(&'a [Option<Dataset>]),
}

/// The events of a run. Within a tick: open, dream, batch, consolidate, test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Context `k` begins: its samples, its memory, its record.
    Open(usize),
    /// Dream phase `j` of context `k`: recall its share of the dreams of the old classes.
    Dream(usize, usize),
    /// Weight update `i` of context `k`: its batch is drawn now.
    Batch(usize, usize),
    /// The short-term memory keeps context `k`'s samples.
    Consolidate(usize),
    /// Test on every class seen up to context `k`.
    Test(usize),
}

impl Phased for Step {
    fn phase(&self) -> u8 {
        match self {
            Step::Open(_) => 0,
            Step::Dream(..) => 1,
            Step::Batch(..) => 2,
            Step::Consolidate(_) => 3,
            Step::Test(_) => 4,
        }
    }
}

/// What a run tells its caller as it goes; every method does nothing by default, so
/// `&mut ()` runs silently.
pub trait Observer {
    /// After each weight update: updates done of the run's total.
    fn progress(&mut self, _done: usize, _total: usize) {}
    /// Before dream phase `j` of context `k` of a learner that dreams its own dreams,
    /// with the learner as it recalls them (to save it, say).
    fn dreaming(&mut self, _k: usize, _j: usize, _learner: &dyn Learner) -> Result<(), Error> {
        Ok(())
    }
    /// Asked after each weight update: `true` stops the run with [`Error::Interrupted`].
    fn stop(&mut self) -> bool {
        false
    }
}

impl Observer for () {}

/// Progress only: `f(done, total)` after each update.
impl<F: FnMut(usize, usize)> Observer for F {
    fn progress(&mut self, done: usize, total: usize) {
        self(done, total)
    }
}

/// The dreams of dream phase `j` of context `k` of a run seeded by `seed`, recalled by
/// `learner`: `plan.dream_phase(j).1` of each class of `old`, class by class. The same
/// learner (weights) gives the same dreams: a saved memory recalls what it recalled in
/// its own run.
pub fn recall_dreams(
    learner: &dyn Learner,
    plan: &Plan,
    k: usize,
    j: usize,
    old: &[u8],
    seed: u64,
    shape: (usize, usize),
) -> Result<Dataset, Error> {
    let n = plan.dream_phase(j).1;
    let mut d = Dataset { images: Vec::new(), labels: Vec::new(), rows: shape.0, cols: shape.1 };
    for &c in old {
        let s = seed.wrapping_mul(7919).wrapping_add((k * 100 + c as usize) as u64).wrapping_add((j as u64) << 32);
        for im in learner.recall(c, n, s, plan.variety)? {
            d.images.extend(im);
            d.labels.push(c);
        }
    }
    Ok(d)
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
    /// The dreams recalled in this context's dream phases, phase by phase (dream
    /// strategy only; not saved).
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
struct Driver<'a> {
    learner: &'a mut dyn Learner,
    train: &'a Dataset,
    test: &'a Dataset,
    plan: &'a Plan,
    classes: usize,
    strategy: Strategy,
    source: DreamSource<'a>,
    rng: SimRng,
    seed: u64,
    /// Real samples kept (replay): train indices.
    stm: Option<ShortTermMemory<usize>>,
    /// The current context: its samples' walk, the memory its batches draw from (the
    /// replay memory, or the dreams recalled so far as indices into `pool`), the samples
    /// a batch takes from memory.
    now: Option<Cycle>,
    memory: Option<ShortTermMemory<usize>>,
    n_mem: usize,
    /// The dataset the current context's batches index: train, or (dream) the context's
    /// samples followed by the dreams recalled so far.
    pool: Option<Dataset>,
    /// Train indices seen in the current context (pushed to the short-term memory at
    /// consolidation).
    seen_now: Vec<usize>,
    records: Vec<ContextRecord>,
    observer: &'a mut dyn Observer,
}

fn classes_up_to(plan: &Plan, k: usize) -> Vec<u8> {
    let mut c: Vec<u8> = plan.contexts[..=k].iter().flatten().copied().collect();
    c.sort_unstable();
    c
}

impl Driver<'_> {
    /// Opens context `k`: the walk over its samples, its memory, its record.
    fn open(&mut self, k: usize) -> Result<(), Error> {
        let plan = self.plan;
        let batch = self.learner.batch();
        let current: Vec<usize> = plan.contexts[k].iter().flat_map(|&c| self.train.indices_of(c)).collect::<Vec<_>>();
        // at least one sample of the context in every batch
        self.n_mem = ((batch as f64 * plan.share(k)).round() as usize).min(batch - 1);
        self.pool = None;
        let (now, memory) = match self.strategy {
            Strategy::None => (Cycle::new(current), None),
            Strategy::Joint => {
                let all = classes_up_to(plan, k).iter().flat_map(|&c| self.train.indices_of(c)).collect();
                (Cycle::new(all), None)
            }
            Strategy::Replay { .. } => (Cycle::new(current), self.stm.clone()),
            Strategy::Dream { .. } => {
                let n = current.len();
                self.pool = Some(self.train.select(&current));
                (Cycle::new((0..n).collect()), Some(ShortTermMemory::new(self.classes, plan.dreams_per_class)?))
            }
        };
        self.now = Some(now);
        self.memory = memory;
        self.seen_now.clear();
        self.records.push(ContextRecord {
            seen: classes_up_to(plan, k),
            accuracy: None,
            per_class: vec![None; self.classes],
            memory_share: 0.0,
            trained_per_class: vec![0; self.classes],
            dreams: None,
        });
        Ok(())
    }

    /// Dream phase `j` of context `k`: recalls (or takes from the recorded dreams) this
    /// phase's dreams of every old class, into the pool and the memory.
    fn dream(&mut self, k: usize, j: usize) -> Result<(), Error> {
        let old: Vec<u8> = self.plan.contexts[..k].iter().flatten().copied().collect();
        if old.is_empty() {
            return Ok(());
        }
        let recalled = match &self.source {
            DreamSource::Recorded(sets) => {
                let set =
                    sets.get(k).and_then(Option::as_ref).ok_or(LearnerError::NoRecordedDreams { context: k + 1 })?;
                // phase j's dreams follow those of the phases before it
                let per: Vec<usize> = (0..=j).map(|i| self.plan.dream_phase(i).1 * old.len()).collect();
                let from: usize = per[..j].iter().sum();
                if set.len() < from + per[j] {
                    return Err(LearnerError::NoRecordedDreams { context: k + 1 }.into());
                }
                set.slice(from, from + per[j])
            }
            DreamSource::Own => {
                self.observer.dreaming(k, j, &*self.learner)?;
                let shape = (self.train.rows, self.train.cols);
                recall_dreams(&*self.learner, self.plan, k, j, &old, self.seed, shape)?
            }
        };
        let pool = self.pool.as_mut().expect("a dream context has a pool");
        let memory = self.memory.as_mut().expect("a dream context has a memory");
        for i in 0..recalled.len() {
            memory.push(recalled.labels[i] as usize, pool.len() + i)?;
        }
        pool.images.extend_from_slice(&recalled.images);
        pool.labels.extend_from_slice(&recalled.labels);
        let record = self.records.last_mut().expect("a dream phase follows its context's opening");
        match &mut record.dreams {
            Some(d) => {
                d.images.extend(recalled.images);
                d.labels.extend(recalled.labels);
            }
            None => record.dreams = Some(recalled),
        }
        Ok(())
    }

    /// Update `i` of context `k`: draws the batch (the context's part from its walk, the
    /// memory's part balanced over the memory's classes) and learns from it.
    fn batch(&mut self, k: usize, i: usize) -> Result<(), Error> {
        let batch = self.learner.batch();
        let memory = self.memory.as_ref().filter(|m| !m.is_empty());
        let from_memory = if memory.is_some() { self.n_mem } else { 0 };
        let now = self.now.as_mut().expect("a batch follows its context's opening");
        let mut b: Vec<usize> = (0..batch - from_memory).map(|_| now.next(&mut self.rng)).collect();
        if let Strategy::None | Strategy::Replay { .. } = self.strategy {
            self.seen_now.extend(&b);
        }
        if let Some(m) = memory {
            b.extend(m.sample_balanced(from_memory, &mut self.rng)?.into_iter().map(|(_, &i)| i));
        }
        b.shuffle(&mut self.rng);
        let data = self.pool.as_ref().unwrap_or(self.train);
        let record = self.records.last_mut().expect("a batch follows its context's opening");
        for &i in &b {
            record.trained_per_class[data.labels[i] as usize] += 1;
        }
        if memory.is_some() {
            record.memory_share = self.n_mem as f64 / batch as f64;
        }
        self.learner.learn(data, &b)?;
        self.observer.progress(k * self.plan.updates + i + 1, self.plan.contexts.len() * self.plan.updates);
        if self.observer.stop() {
            return Err(Error::Interrupted);
        }
        Ok(())
    }

    fn test(&mut self, k: usize) -> Result<(), Error> {
        let seen = classes_up_to(self.plan, k);
        let (mut hits, mut n, mut any) = (0.0, 0usize, false);
        let record = self.records.last_mut().expect("a test follows its context's opening");
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

impl Handler<Step> for Driver<'_> {
    type Error = Error;
    fn handle(&mut self, _: &mut Scheduler<Step>, _: Tick, step: Step) -> Result<(), Error> {
        match step {
            Step::Open(k) => self.open(k)?,
            Step::Dream(k, j) => self.dream(k, j)?,
            Step::Batch(k, i) => self.batch(k, i)?,
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
/// and testing on `test` after each context; the classes are those the data name. Dreams
/// come from `source`: the learner's own (it must be the memory the strategy names) or
/// recorded from that memory's run. Seeded by `seed` (the batches' draws, the recall).
#[allow(clippy::too_many_arguments)]
pub fn run(
    learner: &mut dyn Learner,
    plan: &Plan,
    strategy: Strategy,
    source: DreamSource<'_>,
    train: &Dataset,
    test: &Dataset,
    seed: u64,
    observer: &mut dyn Observer,
) -> Result<Vec<ContextRecord>, Error> {
    let classes = train.classes().max(test.classes());
    plan.validate(classes)?;
    strategy.validate()?;
    if learner.batch() == 0 {
        return Err(ConfigError::NonPositive { field: "batch", value: 0.0 }.into());
    }
    if let Strategy::Dream { memory } = strategy {
        let own = memory == learner.kind();
        let how = match (&source, own) {
            (DreamSource::Own, false) => Some("would dream its own dreams"),
            (DreamSource::Recorded(_), true) => Some("was given recorded dreams"),
            _ => None,
        };
        if let Some(how) = how {
            return Err(LearnerError::DreamSource { memory: memory.name(), learner: learner.kind().name(), how }.into());
        }
    }
    // every class of every context has training samples, checked before any update
    for (k, context) in plan.contexts.iter().enumerate() {
        if let Some(&c) = context.iter().find(|&&c| !train.labels.contains(&c)) {
            return Err(ConfigError::Invalid {
                field: "contexts",
                reason: format!(
                    "context {} names class {c}, which has no training sample: give more training samples or drop the class",
                    k + 1
                ),
            }
            .into());
        }
    }
    let stm = match strategy {
        Strategy::Replay { per_class } => Some(ShortTermMemory::new(classes, per_class)?),
        _ => None,
    };
    let mut q: Scheduler<Step> = Scheduler::new();
    let span = plan.updates as Tick + 1;
    for k in 0..plan.contexts.len() {
        let t0 = k as Tick * span;
        q.schedule(t0, Step::Open(k))?;
        if let Strategy::Dream { .. } = strategy {
            for j in 0..plan.dream_phases {
                q.schedule(t0 + plan.dream_phase(j).0 as Tick, Step::Dream(k, j))?;
            }
        }
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
        classes,
        strategy,
        source,
        rng: rng_from_seed(seed),
        seed,
        stm,
        now: None,
        memory: None,
        n_mem: 0,
        pool: None,
        seen_now: Vec::new(),
        records: Vec::new(),
        observer,
    };
    q.run_until(plan.contexts.len() as Tick * span, &mut driver)?;
    Ok(driver.records)
}
