//! AI-Memory1's learning rule: convolutional features generated from one image,
//! competition between features, short- and long-term memory, accumulative learning
//! (Jiurl's AI-Memory1; the build spec is `../shared/docs/ai-memory1.md`, whose section
//! numbers the docs below cite).
//!
//! No gradients and no labels. A layer holds `F` feature slots. At every step:
//! 1. every slot's input sum at every cell, `s = w_f · x(y,x)`, and its output
//!    `g(s)`: 0 up to `θmin`, 1 from `θmax`, linear between (section 2);
//! 2. competition across features: the largest sum wins and silences every other active
//!    cell whose input rectangle overlaps its own by more than 0.2 (section 6.2);
//! 3. when the layer learns: Short losers on the winner's cell learn away from its input
//!    (negative learning), open patches that no feature covers become new Short features
//!    at once (Create, "weight dispatch", section 7), Short winners learn toward their
//!    inputs (positive learning), and the memory test forgets rarely active Short
//!    features and freezes often active ones as Long (section 8).
//!
//! Every teaching keeps `Σ⁺w = P = 1` and `Σ⁻w = N_f` (section 4). A learning run is a
//! schedule of events on the crate's [`Scheduler`]: one [`Event::Present`] per image
//! (tick = step), an [`Event::EndPhase`] that forgets the remaining Short features and
//! compacts the slots (section 9), optional [`Event::Save`]; so "learn 0, then 1" is two
//! schedules on the same network, and an [`Observer`] sees every step.
//!
//! Choices where the spec leaves room (its section 11): weights and outputs in f32, sums
//! of weights and inputs in f64 (11.1); ties go to the first entry in (feature, y, x)
//! order and conflicts use a strict `>` (11.2); refused picks are counted
//! ([`StepLog::refused`], 11.3); the new-feature gate is per layer, 15 by default (11.4);
//! a full layer is the typed error [`Memory1Error::NoFreeSlot`] (11.5); empty sign groups
//! are not renormalised (11.6); teachings run in the sequential order of 6.3a and 6.3c
//! (11.7); the unused switches (per-map competition, noisy competition, fixed negative
//! total) are left out (11.8); a checkpoint holds weights, states, `N_f` and counters
//! (11.9); compaction renumbers slots and a creation id is kept beside them (11.10);
//! "1" after "0" is a second [`learn`] on the same network with a fresh cursor (11.11);
//! the unpublished "4c9901" part is the no-op hook [`StepHook`] (11.12).

mod layer;
mod params;
mod primitives;
#[cfg(test)]
mod tests;

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use layer::{Counters, Forward, Group, Layer, Memory, StepLog};
pub use params::{LayerParams, Memory1Config, Rule, ValidMemory1Config};
pub use primitives::{
    Refusal, cell_output, create, dispatch, recycle_negative, recycle_positive, renorm_negative, renorm_positive,
    signed_sums, teach_negative, teach_positive,
};

use crate::error::{FileError, Memory1Error};
use crate::scheduler::{Handler, Phased, Scheduler, Tick};

/// A network of AI-Memory1 layers, each reading the previous one's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memory1 {
    /// Its settings.
    pub config: ValidMemory1Config,
    /// The layers, input first.
    pub layers: Vec<Layer>,
}

/// The hook for the unpublished "4c9901" part of the rule (write-up section 5; spec
/// 11.12), called after every learning step of a layer with the layer, its pass and
/// what the step changed. Its content is unknown; the default does nothing, and nothing
/// in this crate implements it.
pub trait StepHook {
    /// After the learning step of layer `layer` at `tick`.
    fn after_step(&mut self, _tick: Tick, _layer: usize, _state: &mut Layer, _fwd: &Forward, _log: &StepLog) {}
}

/// The no-op [`StepHook`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHook;
impl StepHook for NoHook {}

/// Watches a learning run: each step, each end of phase.
pub trait Observer {
    /// After the learning step of `layer` at `tick`; `net` is the network after it.
    fn step(&mut self, _tick: Tick, _layer: usize, _net: &Memory1, _fwd: &Forward, _log: &StepLog) {}
    /// After the end-of-phase trim of `layer`, which forgot `trimmed` Short features.
    fn end_phase(&mut self, _tick: Tick, _layer: usize, _net: &Memory1, _trimmed: usize) {}
}

/// An [`Observer`] that watches nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unobserved;
impl Observer for Unobserved {}

/// The events of a learning run.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Take the next image, run layers `0..=layer`, the last one learning.
    Present {
        /// The layer in its phase.
        layer: usize,
    },
    /// End of `layer`'s phase: forget its Short features and compact (section 9).
    EndPhase {
        /// The layer.
        layer: usize,
    },
    /// Save the network atomically.
    Save(PathBuf),
}

impl Phased for Event {
    fn phase(&self) -> u8 {
        match self {
            Event::Present { .. } => 0,
            Event::EndPhase { .. } => 1,
            Event::Save(_) => 2,
        }
    }
}

impl Memory1 {
    /// A network with every slot Free.
    pub fn new(config: ValidMemory1Config) -> Memory1 {
        let layers = config.layers.iter().map(|&p| Layer::new(p)).collect();
        Memory1 { config, layers }
    }

    /// Runs layers `0..=upto` on `image` (items 1, 2, 4 of section 6: no learning),
    /// each reading the previous one's output; returns every layer's pass.
    pub fn forward(&self, image: &[f32], upto: usize) -> Result<Vec<Forward>, Memory1Error> {
        if upto >= self.layers.len() {
            return Err(Memory1Error::NoLayer { layer: upto, layers: self.layers.len() });
        }
        let mut passes: Vec<Forward> = Vec::with_capacity(upto + 1);
        for l in 0..=upto {
            let input = if l == 0 { image } else { &passes[l - 1].output };
            let fwd = self.layers[l].forward(input, &self.config.rule)?;
            passes.push(fwd);
        }
        Ok(passes)
    }

    /// One step of `layer`'s phase on `image`: layers before it run, `layer` learns.
    pub fn step(
        &mut self,
        tick: Tick,
        image: &[f32],
        layer: usize,
        hook: &mut dyn StepHook,
    ) -> Result<(Forward, StepLog), Memory1Error> {
        let fwd = self.forward(image, layer)?.pop().expect("forward returns layer+1 passes");
        let log = self.layers[layer].learn(&fwd, &self.config.rule)?;
        hook.after_step(tick, layer, &mut self.layers[layer], &fwd, &log);
        Ok((fwd, log))
    }

    /// Saves the network atomically as JSON: settings, weights, states, negative totals,
    /// counters (a superset of the C++ code's conv1 file, spec 11.9).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Memory1Error> {
        Ok(crate::checkpoint::write_json(path, self)?)
    }

    /// Loads a network saved by [`Memory1::save`], checked: the settings validate, and
    /// every layer's slots have the sizes its settings give.
    pub fn load(path: impl AsRef<Path>) -> Result<Memory1, Memory1Error> {
        let path = path.as_ref();
        let net: Memory1 = crate::checkpoint::read_json(path)?;
        let bad = |what: String| Memory1Error::File(FileError::Invalid { path: path.into(), what });
        if net.layers.len() != net.config.layers.len() {
            return Err(bad(format!("{} layers but settings for {}", net.layers.len(), net.config.layers.len())));
        }
        for (k, (l, p)) in net.layers.iter().zip(&net.config.layers).enumerate() {
            let f = p.features;
            let sizes = [l.weights.len(), l.negative_total.len(), l.state.len(), l.counters.len(), l.creation_id.len()];
            if l.params != *p || sizes != [f * p.dim(), f, f, f, f] {
                return Err(bad(format!("layer {k}'s slots do not have the sizes its settings give")));
            }
            if l.weights.iter().any(|w| !w.is_finite()) || l.negative_total.iter().any(|n| !n.is_finite()) {
                return Err(bad(format!("layer {k} holds a NaN or infinite weight")));
            }
        }
        Ok(net)
    }

    /// Schedules a learning run on `queue` from tick `start`: for each layer in turn,
    /// its `steps` presentations and its end of phase, then `save` if given after each
    /// phase (as the C++ code writes conv1 after every phase). Returns the tick after
    /// the last event.
    pub fn schedule_learning(
        &self,
        queue: &mut Scheduler<Event>,
        start: Tick,
        save: Option<&Path>,
    ) -> Result<Tick, Memory1Error> {
        let mut t = start;
        for (layer, p) in self.config.layers.iter().enumerate() {
            for _ in 0..p.steps {
                queue.schedule(t, Event::Present { layer })?;
                t += 1;
            }
            let end = t.saturating_sub(1).max(start);
            queue.schedule(end, Event::EndPhase { layer })?;
            if let Some(path) = save {
                queue.schedule(end, Event::Save(path.to_path_buf()))?;
            }
        }
        Ok(t)
    }
}

/// Runs a learning schedule: takes images in turn from a cursor that starts at 0 and
/// wraps, shared by all phases (spec section 1, "Order").
#[derive(Debug)]
pub struct Learner<'a, O: Observer, H: StepHook> {
    /// The network that learns.
    pub net: &'a mut Memory1,
    /// The images, each `channels x H x W` of the first layer.
    pub images: &'a [&'a [f32]],
    /// The next image to take.
    pub cursor: usize,
    /// Sees every step.
    pub observer: &'a mut O,
    /// The "4c9901" hook.
    pub hook: &'a mut H,
}

impl<O: Observer, H: StepHook> Handler<Event> for Learner<'_, O, H> {
    type Error = Memory1Error;
    fn handle(&mut self, _: &mut Scheduler<Event>, now: Tick, event: Event) -> Result<(), Memory1Error> {
        match event {
            Event::Present { layer } => {
                if self.images.is_empty() {
                    return Err(Memory1Error::NoImages);
                }
                let image = self.images[self.cursor % self.images.len()];
                self.cursor = (self.cursor + 1) % self.images.len();
                let (fwd, log) = self.net.step(now, image, layer, self.hook)?;
                self.observer.step(now, layer, self.net, &fwd, &log);
            }
            Event::EndPhase { layer } => {
                let layers = self.net.layers.len();
                let n = self.net.layers.get_mut(layer).ok_or(Memory1Error::NoLayer { layer, layers })?;
                let trimmed = n.trim_and_compact();
                self.observer.end_phase(now, layer, self.net, trimmed);
            }
            Event::Save(path) => self.net.save(path)?,
        }
        Ok(())
    }
}

/// `Learn(dataset)` of spec section 9: every layer's phase in turn on `images` with a
/// fresh cursor, `observer` watching, `save` written after each phase if given. Call
/// it again on the same network to learn more ("1" after "0"). Returns the steps run.
pub fn learn(
    net: &mut Memory1,
    images: &[&[f32]],
    observer: &mut impl Observer,
    save: Option<&Path>,
) -> Result<Tick, Memory1Error> {
    learn_until(net, images, observer, save, &mut |_, _| ControlFlow::Continue(()))
}

/// [`learn`], with `until(tick, end)` after every event: `Break` stops the run there
/// (returning the tick reached), the network as that step left it.
pub fn learn_until(
    net: &mut Memory1,
    images: &[&[f32]],
    observer: &mut impl Observer,
    save: Option<&Path>,
    until: &mut dyn FnMut(Tick, Tick) -> ControlFlow<()>,
) -> Result<Tick, Memory1Error> {
    if images.is_empty() {
        return Err(Memory1Error::NoImages);
    }
    let mut queue = Scheduler::new();
    let end = net.schedule_learning(&mut queue, 0, save)?;
    let mut learner = Learner { net, images, cursor: 0, observer, hook: &mut NoHook };
    while let Some(t) = queue.step(&mut learner)? {
        if until(t, end).is_break() {
            return Ok(t);
        }
    }
    Ok(end)
}
