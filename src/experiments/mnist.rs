//! MNIST with aSTDP (section 3.1): a whole command, the training stages of a run in
//! order, a test and a checkpoint after every epoch, and the run's [`RunReport`]. The
//! trainer itself is [`crate::learners::astdp`].

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

use crate::data::mnist::Dataset;
use crate::error::{ConfigError, Error};
use crate::learners::astdp::{Evaluation, GuardEvent, MnistConfig, Mode, Trainer};
use crate::progress::Progress;
use crate::results::{EpochRecord, RunConfig, RunMode, RunReport, SCHEMA_VERSION, Status, StepCount, Timing};

/// A training stage: `mode` trained until the trainer has completed `until` epochs in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stage {
    /// What is trained.
    pub mode: Mode,
    /// Epochs completed in all (including those of the checkpoint resumed) at its end.
    pub until: usize,
}

/// What one run does, as the `mnist` example's command line says it.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Supervised, unsupervised, self-supervised, or test only (of a resumed net).
    pub mode: RunMode,
    /// Epochs of the main stage, counted in all (a resumed run counts those it resumes).
    pub epochs: usize,
    /// Self-supervised only: epochs of output-only training after the patch stage.
    pub output_epochs: usize,
    /// Epochs of decoder training after everything else (for generation).
    pub decoder_epochs: usize,
    /// Where to save a checkpoint after every epoch.
    pub save: Option<PathBuf>,
    /// The command line, recorded in the report.
    pub command: String,
}

impl RunSpec {
    /// The stages in order for a trainer that has completed `done` epochs. Self-supervised
    /// learning is two stages (patch prediction, then output-only); decoder epochs, if
    /// any, come last.
    pub fn stages(&self, done: usize) -> Vec<Stage> {
        let mut stages = match self.mode {
            RunMode::Supervised => vec![Stage { mode: Mode::Supervised, until: self.epochs }],
            RunMode::Unsupervised => vec![Stage { mode: Mode::Unsupervised, until: self.epochs }],
            RunMode::SelfSupervised => vec![
                Stage { mode: Mode::SelfSupervised, until: self.epochs },
                Stage { mode: Mode::OutputOnly, until: self.epochs + self.output_epochs },
            ],
            _ => Vec::new(),
        };
        if self.decoder_epochs > 0 {
            let reached = stages.iter().map(|s| s.until).fold(done, usize::max);
            stages.push(Stage { mode: Mode::Decoder, until: reached + self.decoder_epochs });
        }
        stages
    }
}

/// What a run tells its caller as it goes; every method does nothing by default, so `&mut
/// ()` runs silently.
pub trait RunObserver {
    /// After each training batch: the epoch, its mode, samples done of total, the running
    /// metric (see [`Trainer::train_epoch`]).
    fn batch(&mut self, _epoch: usize, _mode: Mode, _done: usize, _total: usize, _metric: f64) {}
    /// After each epoch's test: its record, the divergence guard's interventions during
    /// it, and the training speed in samples per second.
    fn epoch(&mut self, _record: &EpochRecord, _guard: &[GuardEvent], _samples_per_s: f64) {}
}

impl RunObserver for () {}

/// Progress on stderr (see [`crate::progress`]): a bar or lines during each epoch, then a
/// line with the epoch's test.
#[derive(Debug, Default)]
pub struct LogProgress {
    epoch: Option<Progress>,
}

impl RunObserver for LogProgress {
    fn batch(&mut self, epoch: usize, mode: Mode, done: usize, total: usize, metric: f64) {
        let p = self.epoch.get_or_insert_with(|| Progress::new(format!("epoch {epoch} ({mode:?})"), total));
        p.update(done, &format!("running {} {metric:.3}", mode.metric_name()));
    }

    fn epoch(&mut self, r: &EpochRecord, guard: &[GuardEvent], samples_per_s: f64) {
        if let Some(p) = self.epoch.take() {
            p.finish();
        }
        for e in guard {
            eprintln!(
                "epoch {}: divergence guard after {} samples: {} RMS moved by {:.1}%; weights restored from {} samples, learning rate now {} x its scheduled value",
                r.epoch,
                e.samples,
                e.block,
                100.0 * e.jump,
                e.restored_from,
                e.alpha_factor
            );
        }
        let mode = r.mode.unwrap_or(Mode::Supervised);
        let Some(t) = &r.test else { return };
        let avg = r.test_averaged.as_ref().map_or(String::new(), |a| format!(" (averaged weights {:.4})", a.accuracy));
        eprintln!(
            "epoch {} ({mode:?}): train {} {:.4}, test accuracy {:.4}{avg}, inference steps {:.1}, decision steps {:.1}, {samples_per_s:.1} samples/s",
            r.epoch,
            mode.metric_name(),
            r.train_metric.unwrap_or(f64::NAN),
            t.accuracy,
            t.inference_steps_mean,
            t.decision_steps_mean,
        );
    }
}

/// Runs `spec` on `trainer`: every stage's epochs, each followed by a test on `test` (and
/// of the weight average, if one is kept) and a checkpoint; then the report. A run with no
/// epoch left to train tests the net as it is.
pub fn run(
    trainer: &mut Trainer,
    spec: &RunSpec,
    train: &Dataset,
    test: &Dataset,
    observer: &mut dyn RunObserver,
) -> Result<RunReport, Error> {
    let stages = spec.stages(trainer.epochs_done);
    if test.is_empty() {
        return Err(ConfigError::NonPositive { field: "test samples", value: 0.0 }.into());
    }
    if train.is_empty() && stages.iter().any(|s| s.until > trainer.epochs_done) {
        return Err(ConfigError::NonPositive { field: "training samples", value: 0.0 }.into());
    }
    let start = Instant::now();
    let samples0 = trainer.samples_seen;
    let mut train_wall = 0.0;
    let mut last = None;
    for stage in stages {
        while trainer.epochs_done < stage.until {
            let epoch = trainer.epochs_done + 1;
            let guarded = trainer.guard_events.len();
            let mut go_on = |done, total, m| {
                observer.batch(epoch, stage.mode, done, total, m);
                ControlFlow::Continue(())
            };
            let record = tested_epoch(trainer, stage.mode, train, test, &mut go_on)?
                .expect("an epoch that is never stopped ends");
            let wall = record.train_wall_s.unwrap_or(0.0);
            train_wall += wall;
            observer.epoch(&record, &trainer.guard_events[guarded..], train.len() as f64 / wall);
            trainer.history.push(record);
            if let Some(p) = &spec.save {
                trainer.save(p)?;
            }
            last = trainer.history.last().and_then(|r| r.test.clone().map(|ev| (ev, r.test_averaged.clone())));
        }
    }
    let (ev, averaged) = match last {
        Some(l) => l,
        None => (trainer.evaluate(test)?, trainer.evaluate_averaged(test)?),
    };
    let trained = trainer.samples_seen - samples0;
    let speed = if train_wall > 0.0 { trained as f64 / train_wall } else { 0.0 };
    let sizes = (train.len(), test.len());
    Ok(report(trainer, spec.mode, sizes, (ev, averaged), start.elapsed().as_secs_f64(), speed, spec.command.clone()))
}

/// Time to accuracy: trains `mode` on `train` for `budget_s` seconds of wall time (epoch
/// after epoch, stopping after the first batch that ends past the budget), then tests
/// the live weights and their average, if one is kept, once on `test`. The report's
/// `timing` says where the time went; its history holds the completed epochs, untested.
pub fn timed(
    trainer: &mut Trainer,
    mode: Mode,
    budget_s: f64,
    train: &Dataset,
    test: &Dataset,
    observer: &mut dyn RunObserver,
    command: String,
) -> Result<RunReport, Error> {
    let run_mode = match mode {
        Mode::Supervised => RunMode::Supervised,
        Mode::Unsupervised => RunMode::Unsupervised,
        _ => {
            return Err(ConfigError::Invalid {
                field: "mode",
                reason: format!("{mode:?} is a stage of a longer run: time supervised or unsupervised training"),
            }
            .into());
        }
    };
    if !(budget_s.is_finite() && budget_s > 0.0) {
        return Err(ConfigError::NonPositive { field: "training budget (seconds)", value: budget_s }.into());
    }
    for (field, d) in [("training samples", train), ("test samples", test)] {
        if d.is_empty() {
            return Err(ConfigError::NonPositive { field, value: 0.0 }.into());
        }
    }
    let start = Instant::now();
    let samples0 = trainer.samples_seen;
    loop {
        let (epoch, guarded) = (trainer.epochs_done + 1, trainer.guard_events.len());
        let t0 = Instant::now();
        let mut until = |done, total, m| {
            observer.batch(epoch, mode, done, total, m);
            if start.elapsed().as_secs_f64() >= budget_s { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        };
        let Some(metric) = trainer.train_epoch_until(train, mode, &mut until)? else { break };
        let wall = t0.elapsed().as_secs_f64();
        let record = EpochRecord {
            epoch,
            mode: Some(mode),
            train_metric: Some(metric).filter(|m| !m.is_nan()),
            train_wall_s: Some(wall),
            ..EpochRecord::default()
        };
        observer.epoch(&record, &trainer.guard_events[guarded..], train.len() as f64 / wall);
        trainer.history.push(record);
        if start.elapsed().as_secs_f64() >= budget_s {
            break;
        }
    }
    let train_s = start.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let (ev, averaged) = (trainer.evaluate(test)?, trainer.evaluate_averaged(test)?);
    let test_s = t0.elapsed().as_secs_f64();
    let samples_trained = trainer.samples_seen - samples0;
    let speed = samples_trained as f64 / train_s;
    let sizes = (train.len(), test.len());
    let mut r = report(trainer, run_mode, sizes, (ev, averaged), start.elapsed().as_secs_f64(), speed, command);
    r.timing = Some(Timing { train_budget_s: budget_s, train_s, test_s, samples_trained });
    Ok(r)
}

/// One epoch of `mode` on `train` (`until(done, total, metric)` after every batch can
/// stop it: `None`), then the test on `test` and of the weight average if one is kept:
/// the epoch's record, not yet in the trainer's history. The step of [`run`], and of a
/// trial run from elsewhere (the Python package's sweeps).
pub fn tested_epoch(
    trainer: &mut Trainer,
    mode: Mode,
    train: &Dataset,
    test: &Dataset,
    until: &mut dyn FnMut(usize, usize, f64) -> ControlFlow<()>,
) -> Result<Option<EpochRecord>, Error> {
    let epoch = trainer.epochs_done + 1;
    let t0 = Instant::now();
    let Some(metric) = trainer.train_epoch_until(train, mode, until)? else { return Ok(None) };
    let wall = t0.elapsed().as_secs_f64();
    let averaged = trainer.evaluate_averaged(test)?;
    let ev = trainer.evaluate(test)?;
    Ok(Some(EpochRecord {
        epoch,
        mode: Some(mode),
        train_metric: Some(metric).filter(|m| !m.is_nan()),
        train_wall_s: Some(wall),
        test: Some(ev),
        test_averaged: averaged,
        ..EpochRecord::default()
    }))
}

/// The report of a run that left `trainer` as it is, its last test `(ev, averaged)`, on
/// `(train, test)` samples, taking `wall_s` in all and training at `samples_per_s`.
pub fn report(
    trainer: &Trainer,
    mode: RunMode,
    (train_samples, test_samples): (usize, usize),
    (ev, averaged): (Evaluation, Option<Evaluation>),
    wall_s: f64,
    samples_per_s: f64,
    command: String,
) -> RunReport {
    RunReport {
        schema_version: SCHEMA_VERSION,
        status: Status::judge(ev.accuracy),
        step_count: Some(StepCount::FromResponse),
        mode,
        hidden: trainer.cfg.hidden.clone(),
        train_samples,
        test_samples,
        epochs: trainer.epochs_done,
        seed: trainer.seed,
        test_accuracy: ev.accuracy,
        test_accuracy_averaged: averaged.map(|a| a.accuracy),
        inference_steps_mean: Some(ev.inference_steps_mean),
        converged: Some(ev.converged),
        settled_steps_mean: Some(ev.settled_steps_mean),
        decision_steps_mean: Some(ev.decision_steps_mean),
        accuracy_at: ev.accuracy_at,
        fake_rate_at: ev.fake_rate_at,
        wall_s,
        samples_per_s: Some(samples_per_s),
        timing: None,
        symmetry: trainer.symmetry.clone(),
        weight_rms: trainer.weight_rms.clone(),
        guard_events: trainer.guard_events.clone(),
        history: trainer.history.clone(),
        config: RunConfig::Astdp(Box::new(MnistConfig::from(trainer.cfg.clone()))),
        command,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(mode: RunMode, decoder_epochs: usize) -> RunSpec {
        RunSpec { mode, epochs: 3, output_epochs: 2, decoder_epochs, save: None, command: String::new() }
    }

    #[test]
    fn stages_follow_the_mode() {
        let s = |mode, until| Stage { mode, until };
        assert_eq!(spec(RunMode::Supervised, 0).stages(0), vec![s(Mode::Supervised, 3)]);
        assert_eq!(
            spec(RunMode::SelfSupervised, 0).stages(0),
            vec![s(Mode::SelfSupervised, 3), s(Mode::OutputOnly, 5)]
        );
        // decoder epochs come after what the other stages reach, or after the checkpoint's
        assert_eq!(spec(RunMode::Unsupervised, 1).stages(0), vec![s(Mode::Unsupervised, 3), s(Mode::Decoder, 4)]);
        assert_eq!(spec(RunMode::Unsupervised, 1).stages(7), vec![s(Mode::Unsupervised, 3), s(Mode::Decoder, 8)]);
        assert_eq!(spec(RunMode::Test, 0).stages(7), vec![]);
        assert_eq!(spec(RunMode::Test, 2).stages(7), vec![s(Mode::Decoder, 9)]);
    }

    #[test]
    fn a_run_with_nothing_to_test_or_train_on_stops_before_it_starts() {
        let cfg = MnistConfig {
            hidden: vec![4],
            batch: 2,
            free_iters: 2,
            clamped_iters: 2,
            test_iters: 3,
            ..MnistConfig::default()
        };
        let mut t = Trainer::new(cfg.check().unwrap(), 16, 1).unwrap();
        let data = Dataset { images: vec![0.5; 4 * 16], labels: vec![0, 1, 2, 3], rows: 4, cols: 4 };
        let empty = data.take(0);
        let spec = spec(RunMode::Supervised, 0);
        assert!(run(&mut t, &spec, &data, &empty, &mut ()).is_err());
        assert!(run(&mut t, &spec, &empty, &data, &mut ()).is_err());
        assert_eq!(t.epochs_done, 0);
    }
}
