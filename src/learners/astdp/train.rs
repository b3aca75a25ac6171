//! Training: one epoch over the data, one function per training mode for a batch.
//!
//! Every batch is a schedule of events on the simulation: the targets of each phase and
//! a tick train per phase, starting at the batch's first tick `t0`.

use std::ops::ControlFlow;

use rand::RngExt;

use super::{Mode, Trainer, one_hot_rows};
use crate::data::mnist::Dataset;
use crate::error::Error;
use crate::sim::Event;
use crate::twin::{Clamp, Net};

/// What the batches of an epoch measured so far, for the epoch's metric.
#[derive(Debug, Default)]
struct Tally {
    /// Samples whose free-phase output argmax was the label.
    correct: usize,
    /// Squared error of the predicted pixels, summed.
    sq_err: f64,
    /// Pixels in `sq_err`.
    masked: usize,
}

impl Tally {
    /// The metric of [`Trainer::train_epoch`] after `seen` samples.
    fn metric(&self, mode: Mode, seen: usize) -> f64 {
        match mode {
            Mode::Supervised | Mode::OutputOnly => self.correct as f64 / seen.max(1) as f64,
            Mode::SelfSupervised | Mode::Decoder => self.sq_err / self.masked.max(1) as f64,
            Mode::Unsupervised => f64::NAN,
        }
    }
}

/// The layers of an MNIST net (see the module docs).
const INPUT: usize = 0;
const OUTPUT: usize = 1;

impl Trainer {
    /// One epoch over `data` in shuffled order. `progress(done, total, metric)` is called
    /// after each batch. The metric, also returned for the epoch: free-phase accuracy
    /// (supervised, output-only), mean squared error of the predicted patch pixels
    /// (self-supervised) or of the whole image generated from the label (decoder) at the
    /// end of the free phase, NaN (unsupervised).
    pub fn train_epoch(
        &mut self,
        data: &Dataset,
        mode: Mode,
        progress: &mut dyn FnMut(usize, usize, f64),
    ) -> Result<f64, Error> {
        let mut go_on = |done, total, metric| {
            progress(done, total, metric);
            ControlFlow::Continue(())
        };
        Ok(self.train_epoch_until(data, mode, &mut go_on)?.expect("an epoch that is never stopped ends"))
    }

    /// [`Trainer::train_epoch`] that `progress` can stop after any batch (by returning
    /// `Break`, say on Ctrl-C): then `None`, with the batches done so far learned and the
    /// epoch not counted; the same weights, batch for batch, as an epoch run through.
    pub fn train_epoch_until(
        &mut self,
        data: &Dataset,
        mode: Mode,
        progress: &mut dyn FnMut(usize, usize, f64) -> ControlFlow<()>,
    ) -> Result<Option<f64>, Error> {
        let batches = self.shuffled_batches(data.len());
        self.train_batches(data, &batches, mode, true, progress)
    }

    /// As [`Trainer::train_epoch`], but over the samples `order` of `data` in that order
    /// (consecutive batches, no shuffle): for a stream whose order matters, or batches
    /// drawn one at a time from a memory. Counts as an epoch.
    pub fn train_order(
        &mut self,
        data: &Dataset,
        order: &[usize],
        mode: Mode,
        progress: &mut dyn FnMut(usize, usize, f64),
    ) -> Result<f64, Error> {
        if let Some(&index) = order.iter().find(|&&i| i >= data.len()) {
            return Err(crate::error::DataError::NoSample { index, len: data.len() }.into());
        }
        let batches: Vec<Vec<usize>> = order.chunks(self.cfg.batch).map(|c| c.to_vec()).collect();
        let mut go_on = |done, total, metric| {
            progress(done, total, metric);
            ControlFlow::Continue(())
        };
        Ok(self.train_batches(data, &batches, mode, true, &mut go_on)?.expect("never stopped"))
    }

    /// One training batch of the samples `batch` of `data` (at most `cfg.batch` of
    /// them): an event among others of a longer schedule, so it does not count as an
    /// epoch. Returns the batch's metric as [`Trainer::train_epoch`] does.
    pub fn train_batch(&mut self, data: &Dataset, batch: &[usize], mode: Mode) -> Result<f64, Error> {
        if let Some(&index) = batch.iter().find(|&&i| i >= data.len()) {
            return Err(crate::error::DataError::NoSample { index, len: data.len() }.into());
        }
        let batches: Vec<Vec<usize>> = batch.chunks(self.cfg.batch).map(|c| c.to_vec()).collect();
        Ok(self
            .train_batches(data, &batches, mode, false, &mut |_, _, _| ControlFlow::Continue(()))?
            .expect("never stopped"))
    }

    fn train_batches(
        &mut self,
        data: &Dataset,
        batches: &[Vec<usize>],
        mode: Mode,
        epoch: bool,
        progress: &mut dyn FnMut(usize, usize, f64) -> ControlFlow<()>,
    ) -> Result<Option<f64>, Error> {
        data.expect_pixels(self.sim.network().topology.layers()[0].size)?;
        self.restrict_plasticity(mode, false)?;
        self.guard_snapshots.clear();
        if self.cfg.guard_rms_jump.is_some() {
            self.guard_snapshots.push_back((self.samples_seen, self.sim.network().clone()));
        }
        let mut tally = Tally::default();
        let mut seen = 0usize;
        let total: usize = batches.iter().map(|b| b.len()).sum();
        for idx in batches {
            let (x, y, real) = self.gather(data, idx);
            if let Some(alpha) = self.scheduled_alpha() {
                self.sim.schedule(self.sim.now(), Event::SetAlpha(alpha))?;
            }
            match mode {
                Mode::Supervised | Mode::OutputOnly => self.supervised_batch(x, &y, real, &mut tally)?,
                Mode::Unsupervised => self.unsupervised_batch(x, &y)?,
                Mode::Decoder => self.decoder_batch(data, x, &y, real, &mut tally)?,
                Mode::SelfSupervised => self.self_supervised_batch(data, x, real, &mut tally)?,
            }
            seen += real;
            self.samples_seen += real as u64;
            self.update_average(real)?;
            // every 10 batches and at the end of an epoch; single batches of a longer
            // schedule (`train_batch`) by the trainer's own count of batches
            let log = if epoch {
                (seen / self.cfg.batch).is_multiple_of(10) || seen == total
            } else {
                (self.samples_seen / self.cfg.batch as u64).is_multiple_of(10)
            };
            if log {
                self.guard();
                self.sim.network().check_weights()?;
                let sym = self.sim.network().symmetry_correlation().unwrap_or(f64::NAN);
                self.symmetry.push((self.samples_seen, sym));
                self.weight_rms.push((self.samples_seen, self.sim.network().block_rms()));
            }
            if progress(seen, total, tally.metric(mode, seen)).is_break() {
                self.restrict_plasticity(mode, true)?;
                return Ok(None);
            }
        }
        self.restrict_plasticity(mode, true)?;
        if epoch {
            self.epochs_done += 1;
        }
        Ok(Some(tally.metric(mode, seen)))
    }

    /// Switches off (`restore` false) or back on the learning of every layer but the one
    /// `mode` trains alone, if it trains one alone.
    fn restrict_plasticity(&mut self, mode: Mode, restore: bool) -> Result<(), Error> {
        if let Some(keep) = mode.only_plastic() {
            let n_layers = self.sim.network().topology.layers().len();
            for layer in (0..n_layers).filter(|&l| l != keep) {
                self.sim.apply(Event::SetPlastic { layer, on: restore })?;
            }
        }
        Ok(())
    }

    /// Algorithm 2 (and output-only training): the image alone for `free_iters`, the
    /// free-phase answer counted, then the label softly clamped for `clamped_iters`.
    fn supervised_batch(&mut self, x: Vec<f32>, y: &[u8], real: usize, tally: &mut Tally) -> Result<(), Error> {
        let (t0, free, clamped) = (self.sim.now(), self.cfg.free_iters, self.cfg.clamped_iters);
        let out_range = self.sim.network().topology.layers()[OUTPUT].range();
        self.sim.present(t0, INPUT, x, self.cfg.input_clamp)?;
        self.sim.schedule(t0, Event::ClearTargets { neurons: out_range })?;
        self.sim.schedule_ticks(t0, free)?;
        self.sim.run_until(t0 + free)?;
        tally.correct += (0..real).filter(|&b| self.output_argmax(b) == y[b] as usize).count();
        self.sim.present(t0 + free, OUTPUT, one_hot_rows(y), Clamp::Soft)?;
        self.sim.schedule_ticks(t0 + free, clamped)?;
        self.sim.run_until(t0 + free + clamped)?;
        Ok(())
    }

    /// Algorithm 1: image and label together for `free_iters + clamped_iters`.
    fn unsupervised_batch(&mut self, x: Vec<f32>, y: &[u8]) -> Result<(), Error> {
        let (t0, ticks) = (self.sim.now(), self.cfg.free_iters + self.cfg.clamped_iters);
        self.sim.present(t0, INPUT, x, self.cfg.input_clamp)?;
        self.sim.present(t0, OUTPUT, one_hot_rows(y), Clamp::Soft)?;
        self.sim.schedule_ticks(t0, ticks)?;
        self.sim.run_until(t0 + ticks)?;
        Ok(())
    }

    /// Decoder training: the label hard clamped, the image free for `free_iters` (its
    /// error against the true image counted), then softly clamped to it.
    fn decoder_batch(
        &mut self,
        data: &Dataset,
        x: Vec<f32>,
        y: &[u8],
        real: usize,
        tally: &mut Tally,
    ) -> Result<(), Error> {
        let (t0, free, clamped) = (self.sim.now(), self.cfg.free_iters, self.cfg.clamped_iters);
        let in_range = self.sim.network().topology.layers()[INPUT].range();
        let act = self.cfg.model.activation;
        self.sim.present(t0, OUTPUT, one_hot_rows(y), Clamp::Hard)?;
        self.sim.schedule(t0, Event::ClearTargets { neurons: in_range.clone() })?;
        self.sim.schedule_ticks(t0, free)?;
        self.sim.run_until(t0 + free)?;
        let px = data.pixels();
        for b in 0..real {
            let img = &self.sim.state(Net::Weak, b)[in_range.clone()];
            tally.sq_err +=
                img.iter().zip(&x[b * px..(b + 1) * px]).map(|(&s, &p)| ((act.rho(s) - p) as f64).powi(2)).sum::<f64>();
        }
        tally.masked += real * px;
        self.sim.present(t0 + free, INPUT, x, Clamp::Soft)?;
        self.sim.schedule_ticks(t0 + free, clamped)?;
        self.sim.run_until(t0 + free + clamped)?;
        Ok(())
    }

    /// Self-supervised pre-training: a 10x10 patch at a random place per sample left
    /// free (its prediction error counted), then softly clamped; the rest of the image
    /// clamped throughout, the label free.
    fn self_supervised_batch(
        &mut self,
        data: &Dataset,
        x: Vec<f32>,
        real: usize,
        tally: &mut Tally,
    ) -> Result<(), Error> {
        let (t0, free, clamped) = (self.sim.now(), self.cfg.free_iters, self.cfg.clamped_iters);
        let out_range = self.sim.network().topology.layers()[OUTPUT].range();
        let in_range = self.sim.network().topology.layers()[INPUT].range();
        let (rows, cols, px) = (data.rows, data.cols, data.pixels());
        let side = 10.min(rows).min(cols);
        let mut free_modes = vec![self.cfg.input_clamp; self.cfg.batch * px];
        let mut patch = Vec::with_capacity(self.cfg.batch * side * side);
        for b in 0..self.cfg.batch {
            let r0 = self.sim.rng_mut().random_range(0..=rows - side);
            let c0 = self.sim.rng_mut().random_range(0..=cols - side);
            for r in r0..r0 + side {
                for c in c0..c0 + side {
                    free_modes[b * px + r * cols + c] = Clamp::Free;
                    patch.push((b, r * cols + c));
                }
            }
        }
        let clamped_modes: Vec<Clamp> =
            free_modes.iter().map(|&m| if m == Clamp::Free { Clamp::Soft } else { m }).collect();
        self.sim.schedule(t0, Event::ClearTargets { neurons: out_range })?;
        self.sim.schedule(t0, Event::SetTargets { neurons: in_range.clone(), values: x.clone(), modes: free_modes })?;
        self.sim.schedule_ticks(t0, free)?;
        self.sim.run_until(t0 + free)?;
        let act = self.cfg.model.activation;
        for &(b, i) in patch.iter().filter(|(b, _)| *b < real) {
            let pred = act.rho(self.sim.state(Net::Weak, b)[in_range.start + i]);
            tally.sq_err += ((pred - x[b * px + i]) as f64).powi(2);
            tally.masked += 1;
        }
        self.sim.schedule(t0 + free, Event::SetTargets { neurons: in_range, values: x, modes: clamped_modes })?;
        self.sim.schedule_ticks(t0 + free, clamped)?;
        self.sim.run_until(t0 + free + clamped)?;
        Ok(())
    }
}
