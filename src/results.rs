//! Results of training runs as typed data, and the index that says how to run each again.
//!
//! Every reported run has one JSON file under `results/` holding a [`RunReport`], and one
//! row of `results/index.csv` ([`IndexRow`]): the row says how to make the file (example,
//! config file, extra flags, seed, epochs, the row whose checkpoint it resumes from), the
//! file says what the run measured. Names map to paths one way: `NAME` is
//! `results/mnist/NAME.json`, `TOPIC/NAME` is `results/scans/TOPIC/NAME.json`; the
//! checkpoint a row saves is `runs/NAME.ckpt.json` (`/` written as `__`).
//!
//! `docs/results.md` is generated from the index and the files by [`render_markdown`]
//! (`cargo run --release --example results -- docs`), never edited by hand.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::FileError;
pub use crate::learners::EpochRecord;
use crate::learners::astdp::{GuardEvent, MnistConfig};
use crate::learners::mlp::MlpConfig;

/// The version of [`RunReport`] written by this crate. Version 1 files (no
/// `schema_version` field) parse with the same type.
pub const SCHEMA_VERSION: u32 = 2;

fn schema_v1() -> u32 {
    1
}

/// Whether a run's figures stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The run's figures stand.
    #[default]
    Current,
    /// A later row carries this run on (it resumed from its checkpoint); its epochs are in
    /// that row's history and its results file is not kept.
    Superseded,
    /// The run ended near chance (test accuracy below [`DIVERGED_BELOW`]): it ran away,
    /// collapsed, or (a smoke test) never learned.
    Diverged,
}

/// Below this test accuracy a run counts as diverged (chance is 10%).
pub const DIVERGED_BELOW: f64 = 0.2;

impl Status {
    /// The status of a run just finished: [`Status::Diverged`] below [`DIVERGED_BELOW`],
    /// else [`Status::Current`].
    pub fn judge(test_accuracy: f64) -> Status {
        if test_accuracy < DIVERGED_BELOW { Status::Diverged } else { Status::Current }
    }

    /// The name used in the index and the results files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Current => "current",
            Status::Superseded => "superseded",
            Status::Diverged => "diverged",
        }
    }
}

/// How `inference_steps_mean` was counted (see [`Evaluation::inference_steps_mean`](crate::learners::astdp::Evaluation::inference_steps_mean)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepCount {
    /// The first tick with max |ds| below tol, from the sample's first tick: for
    /// hard-clamped images mostly tick 1, before the image has reached the hidden layer,
    /// so wrong; read `settled_steps_mean` instead (CHANGELOG.md, the erratum).
    FirstTick,
    /// From the states' response to the new image (the paper's criterion).
    FromResponse,
}

/// What a run did, as its command line named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunMode {
    /// aSTDP, supervised (Algorithm 2).
    #[serde(rename = "supervised")]
    Supervised,
    /// aSTDP, unsupervised (Algorithm 1).
    #[serde(rename = "unsupervised")]
    Unsupervised,
    /// aSTDP, patch prediction then output-only training.
    #[serde(rename = "selfsupervised")]
    SelfSupervised,
    /// aSTDP, a trained net tested only.
    #[serde(rename = "test")]
    Test,
    /// Backprop MLP, mean squared error.
    #[serde(rename = "backprop-mse")]
    BackpropMse,
    /// Backprop MLP, cross-entropy.
    #[serde(rename = "backprop-crossentropy")]
    BackpropCrossEntropy,
}

impl RunMode {
    /// The name used in the results files.
    pub fn as_str(self) -> &'static str {
        match self {
            RunMode::Supervised => "supervised",
            RunMode::Unsupervised => "unsupervised",
            RunMode::SelfSupervised => "selfsupervised",
            RunMode::Test => "test",
            RunMode::BackpropMse => "backprop-mse",
            RunMode::BackpropCrossEntropy => "backprop-crossentropy",
        }
    }
}

/// The settings a run used: the aSTDP trainer's or the backprop MLP's.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RunConfig {
    /// A backprop baseline.
    Mlp(MlpConfig),
    /// An aSTDP net.
    Astdp(Box<MnistConfig>),
}

/// Where the wall time of a run on a budget went (time to accuracy, issue 45): the
/// training stops at the first batch that ends past the budget, mid-epoch or not, and
/// the net is tested once, on every test sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// The training budget, seconds.
    pub train_budget_s: f64,
    /// Training wall time, seconds (the budget and at most one batch more).
    pub train_s: f64,
    /// Wall time of the test of the live weights and of their average, seconds.
    pub test_s: f64,
    /// Training samples presented (epochs times the training set, the last one partial).
    pub samples_trained: u64,
}

/// The results of one run: one JSON file under `results/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// [`SCHEMA_VERSION`] when written; 1 for files from before the type existed.
    #[serde(default = "schema_v1")]
    pub schema_version: u32,
    /// Whether the figures stand.
    #[serde(default)]
    pub status: Status,
    /// How `inference_steps_mean` was counted (aSTDP runs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_count: Option<StepCount>,
    /// What the run did.
    pub mode: RunMode,
    /// Hidden layer sizes.
    pub hidden: Vec<usize>,
    /// Training samples per epoch.
    pub train_samples: usize,
    /// Test samples.
    pub test_samples: usize,
    /// Epochs completed in all (a resumed run counts those it resumed from).
    pub epochs: usize,
    /// The seed the run started from.
    pub seed: u64,
    /// Test accuracy at the end.
    pub test_accuracy: f64,
    /// Test accuracy of the moving average of the weights, when one is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_accuracy_averaged: Option<f64>,
    /// See [`Evaluation::inference_steps_mean`](crate::learners::astdp::Evaluation::inference_steps_mean); read with `step_count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference_steps_mean: Option<f64>,
    /// See [`Evaluation::converged`](crate::learners::astdp::Evaluation::converged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converged: Option<f64>,
    /// See [`Evaluation::settled_steps_mean`](crate::learners::astdp::Evaluation::settled_steps_mean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_steps_mean: Option<f64>,
    /// See [`Evaluation::decision_steps_mean`](crate::learners::astdp::Evaluation::decision_steps_mean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_steps_mean: Option<f64>,
    /// See [`Evaluation::accuracy_at`](crate::learners::astdp::Evaluation::accuracy_at).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accuracy_at: Vec<(u64, f64)>,
    /// See [`Evaluation::fake_rate_at`](crate::learners::astdp::Evaluation::fake_rate_at).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fake_rate_at: Vec<(u64, f64)>,
    /// Wall time of the whole command, seconds.
    pub wall_s: f64,
    /// Training samples per second of training wall time (aSTDP runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples_per_s: Option<f64>,
    /// A run on a wall-time budget ([`crate::experiments::mnist::timed`]): its figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
    /// `(samples_seen, corr(W_ij, W_ji))` over the whole training.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symmetry: Vec<(u64, f64)>,
    /// `(samples_seen, [(block, RMS weight)])` over the whole training.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weight_rms: Vec<(u64, Vec<(String, f64)>)>,
    /// The divergence guard's interventions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guard_events: Vec<GuardEvent>,
    /// One record per epoch, from the first epoch of the chain of checkpoints it resumed.
    pub history: Vec<EpochRecord>,
    /// The settings the run used.
    pub config: RunConfig,
    /// The command line that wrote the file.
    pub command: String,
}

impl RunReport {
    /// Reads a results file.
    pub fn load(path: impl AsRef<Path>) -> Result<RunReport, FileError> {
        crate::checkpoint::read_json(path)
    }

    /// One line of the headline figures, for a log.
    pub fn summary(&self) -> String {
        let at = |v: &[(u64, f64)]| v.iter().map(|(k, a)| format!("{k}: {}", pct(*a))).collect::<Vec<_>>().join(", ");
        let mut s = format!("test accuracy {:.4}", self.test_accuracy);
        if let Some(a) = self.test_accuracy_averaged {
            s += &format!(" (averaged weights {a:.4})");
        }
        if let (Some(i), Some(c)) = (self.inference_steps_mean, self.converged) {
            s += &format!(", inference steps {i:.1} ({} converged)", pct(c));
        }
        if let (Some(st), Some(d)) = (self.settled_steps_mean, self.decision_steps_mean) {
            s += &format!(", settled {st:.1}, decision {d:.1}");
        }
        if !self.accuracy_at.is_empty() {
            s += &format!("; accuracy after {}", at(&self.accuracy_at));
        }
        if !self.fake_rate_at.is_empty() {
            s += &format!("; hidden neurons given a fake target on tick {}", at(&self.fake_rate_at));
        }
        s
    }

    /// Writes a results file atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), FileError> {
        crate::checkpoint::write_json(path, self)
    }
}

/// One row of `results/index.csv`: how to run one results file again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexRow {
    /// `NAME` (results/mnist/NAME.json) or `TOPIC/NAME` (results/scans/TOPIC/NAME.json).
    pub name: String,
    /// The example that makes it (`mnist`, `mlp_baseline`).
    pub example: String,
    /// The config file (empty: the example's defaults, or the checkpoint's on resume).
    pub config: String,
    /// Further flags, space separated (`--train-samples 10000`, `--mode test`).
    pub flags: String,
    /// `--seed` (empty on resume: the checkpoint's).
    pub seed: Option<u64>,
    /// `--epochs`, counted in all (empty for a test of a trained net).
    pub epochs: Option<usize>,
    /// The row whose checkpoint this one resumes from (empty: from scratch).
    pub resume_from: String,
    /// Whether its figures stand.
    pub status: Status,
}

impl IndexRow {
    /// The results file, relative to the repository.
    pub fn results_path(&self) -> PathBuf {
        match self.name.split_once('/') {
            Some((topic, name)) => PathBuf::from(format!("results/scans/{topic}/{name}.json")),
            None => PathBuf::from(format!("results/mnist/{}.json", self.name)),
        }
    }

    /// Where running the row writes its results: its results file, or for a superseded
    /// row (whose epochs the rows resuming from it carry) a scratch file under `runs/`.
    pub fn output_path(&self) -> PathBuf {
        match self.status {
            Status::Superseded => PathBuf::from(format!("runs/{}.results.json", self.name.replace('/', "__"))),
            _ => self.results_path(),
        }
    }

    /// The checkpoint it saves, relative to the repository (checkpoints are not in git).
    pub fn checkpoint_path(&self) -> PathBuf {
        checkpoint_of(&self.name)
    }

    /// The arguments of its example, without the program: config, seed, epochs, resume,
    /// save (aSTDP rows), the flags, and `--out` its [`IndexRow::output_path`].
    pub fn args(&self) -> Vec<String> {
        self.args_to(&self.output_path())
    }

    /// Where a run made only to rebuild this row's checkpoint (for a row resuming from
    /// it) writes its report when the row's results file exists: that file is never
    /// written over.
    pub fn rebuild_path(&self) -> PathBuf {
        PathBuf::from(format!("runs/{}.rebuilt.results.json", self.name.replace('/', "__")))
    }

    /// [`IndexRow::args`] with the report written to `out`.
    pub fn args_to(&self, out: &Path) -> Vec<String> {
        let mut a = Vec::new();
        let mut push = |k: &str, v: String| {
            a.push(k.to_string());
            a.push(v);
        };
        if !self.config.is_empty() {
            push("--config", self.config.clone());
        }
        if let Some(s) = self.seed {
            push("--seed", s.to_string());
        }
        if let Some(e) = self.epochs {
            push("--epochs", e.to_string());
        }
        if !self.resume_from.is_empty() {
            push("--resume", checkpoint_of(&self.resume_from).display().to_string());
        }
        if self.example == "mnist" {
            push("--save", self.checkpoint_path().display().to_string());
        }
        a.extend(self.flags.split_whitespace().map(str::to_string));
        a.push("--out".into());
        a.push(out.display().to_string());
        a
    }
}

fn checkpoint_of(name: &str) -> PathBuf {
    PathBuf::from(format!("runs/{}.ckpt.json", name.replace('/', "__")))
}

/// Reads `results/index.csv` and checks it: names unique, every `resume_from` a row of
/// the index, every config file present under `root`.
pub fn read_index(root: &Path) -> Result<Vec<IndexRow>, FileError> {
    let path = root.join("results/index.csv");
    let bad = |what: String| FileError::Invalid { path: path.clone(), what };
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let mut rows: Vec<IndexRow> = Vec::new();
    for (k, row) in reader.deserialize().enumerate() {
        let row: IndexRow = row.map_err(|e| bad(e.to_string()))?;
        let line = k + 2;
        if rows.iter().any(|r| r.name == row.name) {
            return Err(bad(format!("line {line}: the name {} appears twice", row.name)));
        }
        if !row.config.is_empty() && !root.join(&row.config).is_file() {
            return Err(bad(format!("line {line}: config file {} not found", row.config)));
        }
        rows.push(row);
    }
    if let Some(row) = rows.iter().find(|r| !r.resume_from.is_empty() && !rows.iter().any(|p| p.name == r.resume_from))
    {
        return Err(bad(format!("{} resumes from {}, which is not a row of the index", row.name, row.resume_from)));
    }
    Ok(rows)
}

/// Loads the results file of every row that has one, keyed by name.
pub fn load_reports(root: &Path, rows: &[IndexRow]) -> Result<BTreeMap<String, RunReport>, FileError> {
    let mut out = BTreeMap::new();
    for row in rows {
        let path = root.join(row.results_path());
        if path.exists() {
            out.insert(row.name.clone(), RunReport::load(&path)?);
        }
    }
    Ok(out)
}

/// One row of `results/figures.csv`: a figure summary that an example of another system
/// writes beside its plot (`plots/NAME.json`), and the command that writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureRow {
    /// The JSON file, relative to the repository (`plots/NAME.json`).
    pub file: String,
    /// The example that writes it.
    pub example: String,
    /// Its flags, space separated (empty: the defaults). A run with flags writes into
    /// `runs/` unless told otherwise, so the flags name the file's folder as `--out-dir`.
    pub flags: String,
    /// The cargo features the example needs for it (space separated; empty: none).
    #[serde(default)]
    pub features: String,
    /// What it holds, in a few words.
    pub what: String,
}

impl FigureRow {
    /// Whether the command line `args` of example `example` is this figure's: the same
    /// flags in the same order, leaving out those that change no figure (`--mnist-dir`,
    /// `--memories`, `--threads`, with their values).
    pub fn made_by(&self, example: &str, args: &[String]) -> bool {
        let mut given = Vec::new();
        let mut rest = args.iter();
        while let Some(a) = rest.next() {
            let (name, inline) = a.split_once('=').map_or((a.as_str(), false), |(n, _)| (n, true));
            if ["--mnist-dir", "--memories", "--threads"].contains(&name) {
                if !inline {
                    rest.next();
                }
            } else {
                given.push(a.as_str());
            }
        }
        example == self.example && given == self.flags.split_whitespace().collect::<Vec<_>>()
    }

    /// The command that writes the file again: `cargo run --release [--features F]
    /// --example NAME [-- FLAGS]`, or for a script of `python/examples/` (an example
    /// named `*.py`, after `pip install ./python`) `python python/examples/NAME [FLAGS]`.
    pub fn command(&self) -> String {
        if self.example.ends_with(".py") {
            let flags = if self.flags.is_empty() { String::new() } else { format!(" {}", self.flags) };
            return format!("python python/examples/{}{flags}", self.example);
        }
        let flags = if self.flags.is_empty() { String::new() } else { format!(" -- {}", self.flags) };
        let features = if self.features.is_empty() { String::new() } else { format!(" --features {}", self.features) };
        format!("cargo run --release{features} --example {}{flags}", self.example)
    }
}

/// Reads `results/figures.csv` and checks it: files unique, each present and JSON.
pub fn read_figures(root: &Path) -> Result<Vec<FigureRow>, FileError> {
    let rows = figure_rows(root)?;
    for row in &rows {
        crate::checkpoint::read_json::<serde_json::Value>(root.join(&row.file))?;
    }
    Ok(rows)
}

/// The rows of `root/results/figures.csv`, checked for form (each file once, a command
/// with flags naming the file's folder), whether or not their files exist yet.
pub fn figure_rows(root: &Path) -> Result<Vec<FigureRow>, FileError> {
    let path = root.join("results/figures.csv");
    if !path.exists() {
        // a root of MNIST runs only (a study's, say) has no other figures
        return Ok(Vec::new());
    }
    let bad = |what: String| FileError::Invalid { path: path.clone(), what };
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let mut rows: Vec<FigureRow> = Vec::new();
    for (k, row) in reader.deserialize().enumerate() {
        let row: FigureRow = row.map_err(|e| bad(e.to_string()))?;
        if rows.iter().any(|r| r.file == row.file) {
            return Err(bad(format!("line {}: {} appears twice", k + 2, row.file)));
        }
        let folder = Path::new(&row.file).parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
        if !row.flags.is_empty() && !row.flags.contains(&format!("--out-dir {folder}")) {
            return Err(bad(format!(
                "line {}: the command has flags, so it writes into runs/: add --out-dir {folder} to write {}",
                k + 2,
                row.file
            )));
        }
        rows.push(row);
    }
    Ok(rows)
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

fn opt<T>(x: Option<T>, f: impl Fn(T) -> String) -> String {
    x.map_or_else(|| "-".into(), f)
}

/// The rows of one section of `docs/results.md`.
fn table(out: &mut String, rows: &[&IndexRow], reports: &BTreeMap<String, RunReport>) {
    out.push_str(
        "| run | status | mode | hidden | samples x epochs | test | averaged | steps | settled | test after each epoch | config |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for row in rows {
        let name = row.name.rsplit('/').next().unwrap_or(&row.name);
        let config = if row.config.is_empty() {
            if row.resume_from.is_empty() { "defaults".into() } else { format!("resumes `{}`", row.resume_from) }
        } else {
            format!(
                "[{}](../{})",
                Path::new(&row.config).file_stem().and_then(|s| s.to_str()).unwrap_or("?"),
                row.config
            )
        };
        let flags = if row.flags.is_empty() { String::new() } else { format!(" `{}`", row.flags) };
        let Some(r) = reports.get(&row.name) else {
            let why = match row.status {
                Status::Superseded => "carried on by the rows that resume from it".to_string(),
                _ => "not run yet".to_string(),
            };
            out.push_str(&format!("| {name} | {} | | | | | | | | {why} | {config}{flags} |\n", row.status.as_str()));
            continue;
        };
        let steps = match (r.inference_steps_mean, r.step_count) {
            (Some(s), Some(StepCount::FirstTick)) => format!("{s:.1} (first tick)"),
            (Some(s), _) => format!("{s:.1}"),
            (None, _) => "-".into(),
        };
        let epochs: Vec<String> =
            r.history.iter().filter_map(|h| h.accuracy()).map(|a| format!("{:.2}", 100.0 * a)).collect();
        let hidden: Vec<String> = r.hidden.iter().map(|h| h.to_string()).collect();
        out.push_str(&format!(
            "| [{name}](../{}) | {} | {} | {} | {} x {} | {} | {} | {steps} | {} | {} | {config}{flags} |\n",
            row.results_path().display(),
            r.status.as_str(),
            r.mode.as_str(),
            hidden.join("-"),
            r.train_samples,
            r.epochs,
            pct(r.test_accuracy),
            opt(r.test_accuracy_averaged, pct),
            opt(r.settled_steps_mean, |s| format!("{s:.1}")),
            epochs.join(" / "),
        ));
    }
}

/// `docs/results.md`: one table per section (MNIST runs, then each scan topic), one line
/// per index row, from the index and the results files only; then the figure summaries
/// of the other systems (`results/figures.csv`).
pub fn render_markdown(rows: &[IndexRow], reports: &BTreeMap<String, RunReport>, figures: &[FigureRow]) -> String {
    let mut out = String::from(
        "# Results\n\n\
         Generated by `cargo run --release --example results -- docs` from `results/index.csv` and\n\
         the files under `results/`; do not edit by hand. Run any row again with\n\
         `cargo run --release --example results -- run NAME` (it runs the rows it resumes from\n\
         first when their checkpoints are missing). Test accuracies are on the 10,000 test\n\
         images unless the flags say otherwise; \"steps\" is the paper's inference step count\n\
         (\"first tick\": counted the old, wrong way, read \"settled\" instead; see\n\
         [CHANGELOG.md](../CHANGELOG.md)); \"averaged\" tests the moving average of the weights.\n",
    );
    let mut sections: Vec<(String, Vec<&IndexRow>)> = Vec::new();
    for row in rows {
        let section = match row.name.split_once('/') {
            Some((topic, _)) => format!("Scan: {topic}"),
            None => "MNIST runs".to_string(),
        };
        match sections.iter_mut().find(|(s, _)| *s == section) {
            Some((_, v)) => v.push(row),
            None => sections.push((section, vec![row])),
        }
    }
    for (section, rows) in sections {
        out.push_str(&format!("\n## {section}\n\n"));
        table(&mut out, &rows, reports);
    }
    if !figures.is_empty() {
        out.push_str(
            "\n## Figures of the other systems\n\n\
             Listed in `results/figures.csv`: the JSON each example writes beside its plot,\n\
             and the command that writes it again.\n\n\
             | file | what | command |\n|---|---|---|\n",
        );
        for f in figures {
            out.push_str(&format!("| [{}](../{}) | {} | `{}` |\n", f.file, f.file, f.what, f.command()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> IndexRow {
        IndexRow {
            name: name.into(),
            example: "mnist".into(),
            config: "configs/mnist/ep/ep.json".into(),
            flags: "--mode test --fake-target true".into(),
            seed: None,
            epochs: None,
            resume_from: "x".into(),
            status: Status::Current,
        }
    }

    #[test]
    fn names_map_to_paths_one_way() {
        assert_eq!(row("deep2").results_path(), PathBuf::from("results/mnist/deep2.json"));
        assert_eq!(row("fake_k/one_5").results_path(), PathBuf::from("results/scans/fake_k/one_5.json"));
        assert_eq!(row("fake_k/one_5").checkpoint_path(), PathBuf::from("runs/fake_k__one_5.ckpt.json"));
        let superseded = IndexRow { status: Status::Superseded, ..row("deep2_2ep") };
        assert_eq!(superseded.output_path(), PathBuf::from("runs/deep2_2ep.results.json"));
        let a = row("fake_k/one_5").args();
        assert_eq!(
            a.join(" "),
            "--config configs/mnist/ep/ep.json --resume runs/x.ckpt.json --save runs/fake_k__one_5.ckpt.json \
             --mode test --fake-target true --out results/scans/fake_k/one_5.json"
        );
    }
}
