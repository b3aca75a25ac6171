//! Typed errors, one enum per layer, joined in [`Error`].

use std::path::PathBuf;

/// An invalid hyper-parameter or topology. Raised by validation, before anything runs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A value that must be a finite number is NaN or infinite.
    #[error("config field `{field}` is {}, it must be a finite number", short(*value))]
    NonFinite {
        /// Name of the field, as in the JSON config.
        field: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A value that must be strictly positive is zero or negative.
    #[error("config field `{field}` is {}, it must be > 0", short(*value))]
    NonPositive {
        /// Name of the field.
        field: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A value outside its allowed range.
    #[error("config field `{field}` is {}, it must lie in {range}", short(*value))]
    OutOfRange {
        /// Name of the field.
        field: &'static str,
        /// The offending value.
        value: f64,
        /// The allowed range, written out.
        range: &'static str,
    },
    /// The strongly clamped net must be clamped more strongly than the weak one.
    #[error(
        "beta_strong ({}) must be greater than beta_weak ({}); swap them or raise beta_strong",
        short(*strong),
        short(*weak)
    )]
    BetaOrder {
        /// `beta_strong` as given.
        strong: f64,
        /// `beta_weak` as given.
        weak: f64,
    },
    /// A topology that cannot be built.
    #[error("invalid topology: {0}")]
    Topology(String),
    /// Settings whose buffers would not fit in this machine's memory, found before any
    /// is allocated.
    #[error(
        "{what} would need about {needed_mb} MB of memory, more than the {available_mb} MB this machine has free: make it smaller"
    )]
    TooLarge {
        /// What would be allocated, naming the fields that size it.
        what: String,
        /// Its size in MB.
        needed_mb: u64,
        /// The memory available, in MB.
        available_mb: u64,
    },
    /// A list that must hold at least one entry is empty.
    #[error("config field `{field}` is empty: give at least one {what}")]
    Empty {
        /// Name of the field.
        field: &'static str,
        /// What an entry is.
        what: &'static str,
    },
    /// A value that does not fit with the rest of the config, with why and what to give.
    #[error("config field `{field}`: {reason}")]
    Invalid {
        /// Name of the field.
        field: &'static str,
        /// Why it does not fit, and what to give instead.
        reason: String,
    },
    /// A setting needs a part of the crate that this build left out.
    #[error("{what} needs the cargo feature `{feature}`: build with `--features {feature}`")]
    FeatureMissing {
        /// What was asked for.
        what: String,
        /// The feature.
        feature: &'static str,
    },
    /// An error in a config derived from the one given (for instance a test phase's
    /// overrides), with what that config is.
    #[error("{context}: {source}")]
    In {
        /// Which derived config, and which fields make it.
        context: &'static str,
        /// What is wrong with it.
        source: Box<ConfigError>,
    },
}

/// `v` written as briefly as it reads back: a value that came from an `f32` (as config
/// fields do) prints as that `f32` (0.4, not 0.4000000059604645).
fn short(v: f64) -> String {
    let f = v as f32;
    if f as f64 == v { format!("{f}") } else { format!("{v}") }
}

/// An error of the generic event queue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// An event or deadline lies before the current tick.
    #[error("tick {requested} is in the past: the scheduler is already at tick {now}")]
    InPast {
        /// The tick asked for.
        requested: u64,
        /// The current tick.
        now: u64,
    },
}

/// An error while the simulation runs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// A state became NaN or infinite: the step size is too large for the weights, or
    /// the weights diverged. Lower `eps_*`, `alpha` or raise `momentum` towards 1.
    #[error(
        "non-finite state at tick {tick} in the {net} net (batch element {batch}, neuron {neuron}): lower eps_strong/eps_weak or alpha"
    )]
    NonFinite {
        /// The tick whose step produced it.
        tick: u64,
        /// `"strong"` or `"weak"`.
        net: &'static str,
        /// Batch element.
        batch: usize,
        /// Global neuron index.
        neuron: usize,
    },
    /// See [`ScheduleError`].
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// A block of weights turned NaN or infinite, or its RMS passed
    /// [`crate::network::WEIGHT_RMS_LIMIT`]: learning ran away (lower alpha).
    #[error(
        "the weights {block} diverged (RMS {}): lower alpha or weight_decay (or raise the batch) and start again",
        short(*rms)
    )]
    WeightsDiverged {
        /// The block, as `post<-pre`.
        block: String,
        /// Its RMS weight.
        rms: f64,
    },
    /// A simulation of zero batch elements.
    #[error("batch size must be at least 1")]
    EmptyBatch,
    /// A setting out of range (here: a batch whose states do not fit in memory).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An event names a layer that does not exist.
    #[error("no layer {layer} (the network has {layers})")]
    NoLayer {
        /// The layer named.
        layer: usize,
        /// Layers in the network.
        layers: usize,
    },
    /// An event names a block of weights the topology does not have.
    #[error("no weights from layer {pre} into layer {post}: the topology has no such connection")]
    NoBlock {
        /// Receiving layer.
        post: usize,
        /// Sending layer.
        pre: usize,
    },
    /// A learning rate or rate multiplier that is negative or not finite.
    #[error("{what} is {value}: give a finite value >= 0")]
    BadRate {
        /// `"alpha"`, `"layer rate"`, `"block rate"` or `"noise sd"`.
        what: &'static str,
        /// The value given.
        value: f32,
    },
    /// Neurons outside the network (or an empty range).
    #[error("neurons {start}..{end} outside 0..{n} (or empty)")]
    NeuronsOutOfRange {
        /// First neuron named.
        start: usize,
        /// One past the last.
        end: usize,
        /// Neurons in the network.
        n: usize,
    },
    /// A number of target values or clamp modes that fits neither one per neuron (for
    /// every batch element) nor one per neuron and batch element.
    #[error("{given} {what} for {neurons} neurons and batch {batch}: give {}{neurons} or {}", if *what == "clamp modes" { "1, " } else { "" }, neurons * batch)]
    WrongCount {
        /// `"target values"` or `"clamp modes"`.
        what: &'static str,
        /// How many were given.
        given: usize,
        /// Neurons the event names.
        neurons: usize,
        /// Batch elements.
        batch: usize,
    },
    /// A target value that is NaN or infinite.
    #[error("target value {index} is {value}: give finite targets")]
    NonFiniteTarget {
        /// Its index in the event's values.
        index: usize,
        /// The value.
        value: f32,
    },
    /// A probe event names a probe that was never added.
    #[error("no probe {0}: add it with add_probe first")]
    NoProbe(usize),
    /// A probe that cannot record: `every` 0, or a batch element or neuron that does not
    /// exist.
    #[error("probe needs every >= 1, batch < {batch}, neurons < {n}: got {spec}")]
    BadProbe {
        /// Batch elements.
        batch: usize,
        /// Neurons.
        n: usize,
        /// The probe as given.
        spec: String,
    },
}

/// An error reading a data set.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not an IDX file of the expected kind.
    #[error("{path}: bad magic number {found:#010x}, expected {expected:#010x} (is this the right MNIST file?)")]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// Magic number read.
        found: u32,
        /// Magic number expected.
        expected: u32,
    },
    /// The file ends before the data its header announces.
    #[error(
        "{path}: truncated, header announces {expected} bytes of data but only {found} are there; download it again"
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes announced.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// Image and label files disagree.
    #[error("{images} holds {n_images} images but {labels} holds {n_labels} labels")]
    CountMismatch {
        /// Image file.
        images: PathBuf,
        /// Number of images.
        n_images: usize,
        /// Label file.
        labels: PathBuf,
        /// Number of labels.
        n_labels: usize,
    },
    /// A header or value that makes no sense (wrong dimensions, label > 9).
    #[error("{path}: {what}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// No MNIST folder was found.
    #[error("{0}")]
    NotFound(String),
    /// A sample index past the end of a data set.
    #[error("sample {index} asked of a data set of {len}")]
    NoSample {
        /// The index.
        index: usize,
        /// The data set's size.
        len: usize,
    },
    /// Images of another size than the model reads.
    #[error("the images have {found} pixels but the model reads {expected}")]
    WrongSize {
        /// Pixels per image the model reads.
        expected: usize,
        /// Pixels per image of the data.
        found: usize,
    },
}

/// An error reading or writing a file that is not a checkpoint: a results file, the
/// results index, a config file, a plot.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading or writing failed.
    #[error("cannot read or write {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not JSON of the expected shape.
    #[error("{path} is not valid JSON of the expected shape")]
    Format {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// The file parsed but its content is wrong (an index row naming a missing file, a
    /// plot with nothing to draw).
    #[error("{path}: {what}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
}

/// An error saving or loading a checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// Reading or writing failed.
    #[error("cannot read or write the checkpoint {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid checkpoint.
    #[error("checkpoint {path} is not valid JSON of the expected shape")]
    Format {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// The checkpoint loaded but does not fit what it is loaded into.
    #[error("checkpoint {path} does not fit: {what}")]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        what: String,
    },
}

impl From<FileError> for CheckpointError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::Io { path, source } => CheckpointError::Io { path, source },
            FileError::Format { path, source } => CheckpointError::Format { path, source },
            FileError::Invalid { path, what } => CheckpointError::Mismatch { path, what },
        }
    }
}

/// An error of the clustering system ([`crate::clustering`]).
#[derive(Debug, thiserror::Error)]
pub enum ClusteringError {
    /// Invalid settings.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Data of the wrong size.
    #[error("{what}: {found} where {expected} was expected")]
    Dimension {
        /// What was wrong.
        what: &'static str,
        /// The size expected.
        expected: usize,
        /// The size found.
        found: usize,
    },
    /// A NaN or infinite value.
    #[error("{what} holds a NaN or infinite value")]
    NonFinite {
        /// Where.
        what: &'static str,
    },
    /// No data where some is needed.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// See [`ScheduleError`].
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// Saving or loading.
    #[error(transparent)]
    File(#[from] FileError),
}

/// An error of AI-Memory1 ([`crate::memory1`]).
#[derive(Debug, thiserror::Error)]
pub enum Memory1Error {
    /// Invalid settings.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// New-feature generation found no Free slot (the C++ code aborts here).
    #[error("no free feature slot: all {features} slots hold features; give the layer more `features`")]
    NoFreeSlot {
        /// The layer's slot count.
        features: usize,
    },
    /// An input of the wrong length.
    #[error("the input has {found} values but the layer reads {expected}")]
    InputSize {
        /// Values the layer reads (channels x height x width).
        expected: usize,
        /// Values given.
        found: usize,
    },
    /// A NaN or infinite input value.
    #[error("input value {index} is NaN or infinite")]
    NonFinite {
        /// Its index.
        index: usize,
    },
    /// A layer index the network does not have.
    #[error("no layer {layer} (the network has {layers})")]
    NoLayer {
        /// The index asked for.
        layer: usize,
        /// Layers in the network.
        layers: usize,
    },
    /// A learning run with no images.
    #[error("no images to learn from")]
    NoImages,
    /// See [`ScheduleError`].
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// Saving or loading.
    #[error(transparent)]
    File(#[from] FileError),
}

/// An error of memory association ([`crate::association`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssociationError {
    /// A memory without room.
    #[error(
        "a short-term memory needs at least one class and a capacity of at least 1 (got {classes} classes, capacity {capacity})"
    )]
    EmptyMemory {
        /// Classes asked for.
        classes: usize,
        /// Capacity asked for.
        capacity: usize,
    },
    /// A label outside the memory's classes.
    #[error("label {label} outside the memory's {classes} classes")]
    NoClass {
        /// The label.
        label: usize,
        /// The classes.
        classes: usize,
    },
    /// Sampling from an empty memory.
    #[error("the short-term memory holds nothing to sample yet: push samples first")]
    NothingStored,
    /// Invalid settings of a long-term memory, or data of the wrong size.
    #[error("{0}")]
    Settings(String),
    /// A tensor operation failed (shapes), or the loss became NaN.
    #[error("long-term memory: {0}")]
    Tensor(String),
}

/// Any error of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// See [`ConfigError`].
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// See [`SimError`].
    #[error(transparent)]
    Sim(#[from] SimError),
    /// See [`DataError`].
    #[error(transparent)]
    Data(#[from] DataError),
    /// See [`CheckpointError`].
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// See [`FileError`].
    #[error(transparent)]
    File(#[from] FileError),
    /// See [`ClusteringError`].
    #[error(transparent)]
    Clustering(#[from] ClusteringError),
    /// See [`Memory1Error`].
    #[error(transparent)]
    Memory1(#[from] Memory1Error),
    /// See [`AssociationError`].
    #[error(transparent)]
    Association(#[from] AssociationError),
    /// See [`LearnerError`].
    #[error(transparent)]
    Learner(#[from] LearnerError),
    /// The caller asked the run to stop (Ctrl-C from Python, say); every file it wrote
    /// is whole.
    #[error("stopped on request before the run finished (every file written so far is whole)")]
    Interrupted,
}

/// A learner asked for something it cannot do (see [`crate::learners::Learner`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LearnerError {
    /// Training made the loss or the weights non-finite.
    #[error("the {learner} diverged ({what}): lower its lr and start again")]
    Diverged {
        /// The learner's name.
        learner: &'static str,
        /// What became non-finite, and when.
        what: String,
    },
    /// Recall by label from a learner that cannot recall.
    #[error(
        "the {learner} learner cannot recall images by label: dream from a memory that can (astdp, cvae_a, cvae_b)"
    )]
    CannotRecall {
        /// The learner's name.
        learner: &'static str,
    },
    /// A run that dreams from recorded dreams has none for a context.
    #[error("the recorded dreams have none for context {context}: record them from the memory's own run")]
    NoRecordedDreams {
        /// The context, counted from 1.
        context: usize,
    },
    /// The dream strategy names one memory but the dreams come from another.
    #[error(
        "the strategy dreams from {memory} but {learner} {how}: a learner dreams its own dreams only when it is the memory named"
    )]
    DreamSource {
        /// The memory the strategy names.
        memory: &'static str,
        /// The learner run.
        learner: &'static str,
        /// Where the dreams were to come from.
        how: &'static str,
    },
}

impl From<ScheduleError> for Error {
    fn from(e: ScheduleError) -> Error {
        Error::Sim(SimError::Schedule(e))
    }
}

/// `e` and its causes on one line, `outer: inner: ...`: the form for a log line. (The
/// `Display` of an error of this crate leaves its cause out, as the Rust API
/// guidelines ask, so that reporters such as `anyhow` print each cause once.)
pub fn report(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
