//! One convolution layer of AI-Memory1: feature slots with their memory state, the input
//! sums, competition across features (spec 6.2), new features (section 7), positive and
//! negative learning (6.3), memory transitions (section 8) and end-of-phase trim and
//! compaction (section 9).

use serde::{Deserialize, Serialize};

use super::params::{LayerParams, Rule};
use super::primitives::{Refusal, cell_output, create, teach_negative, teach_positive};
use crate::error::Memory1Error;
use crate::linalg::{View, ViewMut, gemm};

/// A slot's memory state (spec section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Memory {
    /// No feature: all-zero weights, reusable.
    #[default]
    Free,
    /// A new feature: it learns, and is forgotten if rarely active.
    Short,
    /// A frozen, permanent feature.
    Long,
}

/// A slot's counters (spec section 3), zeroed at creation and at forgetting; frozen once
/// the slot is Long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Counters {
    /// `a_f`: active cells, summed over steps.
    pub active_cells: u64,
    /// `t_f`: learning steps lived.
    pub steps: u64,
    /// `u_f`: steps with at least one active cell.
    pub active_steps: u64,
    /// `i_f`: times taught negatively.
    pub taught_negative: u64,
}

/// One competition group: the winner, then the entries it suppressed, each
/// `(feature, cell)`.
pub type Group = Vec<(usize, usize)>;

/// What one pass of a layer computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// Each cell's input, `C·K·K` values per cell, cells row-major (the im2col matrix).
    pub patches: Vec<f32>,
    /// Input sums `s[f·cells + cell]` for every slot (0 for Free slots).
    pub sums: Vec<f32>,
    /// `(feature, cell)` active before competition, in (feature, y, x) order.
    pub active_before: Vec<(usize, usize)>,
    /// The competition groups, in the order the winners were taken.
    pub groups: Vec<Group>,
    /// Output `g(s)` where the cell won, else 0, `[f·cells + cell]`.
    pub output: Vec<f32>,
}

impl Forward {
    /// The winners `(feature, cell)`: the cells active after competition.
    pub fn winners(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.groups.iter().map(|g| g[0])
    }
}

/// What one learning step changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepLog {
    /// Cells selected for new features, in scan order.
    pub selected: Vec<usize>,
    /// Slots that received a new feature.
    pub created: Vec<usize>,
    /// Selected cells that Create refused (blank, or too few inked inputs).
    pub refused: usize,
    /// Negative teachings `(winner, loser, cell)`.
    pub negative: Vec<(usize, usize, usize)>,
    /// Slots forgotten by the memory test, with their counters at that moment.
    pub forgotten: Vec<(usize, Counters)>,
    /// Slots that became Long, with their counters.
    pub promoted: Vec<(usize, Counters)>,
}

/// A convolution layer with its feature slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// Its settings.
    pub params: LayerParams,
    /// Slot weights, `features x dim`, channel-major then row then column.
    pub weights: Vec<f32>,
    /// `N_f`, each slot's negative total, fixed at creation.
    pub negative_total: Vec<f32>,
    /// Memory state per slot.
    pub state: Vec<Memory>,
    /// Counters per slot.
    pub counters: Vec<Counters>,
    /// Creation id per slot (a running count of features created by this layer), kept
    /// across compaction so that logs can be traced (spec 11.10).
    pub creation_id: Vec<u64>,
    /// Features created so far.
    pub created_total: u64,
    /// Features forgotten so far (by the memory test or the end-of-phase trim).
    pub forgotten_total: u64,
    /// Of those, the ones forgotten by the memory test (section 8).
    pub forgotten_by_test: u64,
    /// Cells selected for a new feature that Create refused.
    pub refused_total: u64,
}

impl Layer {
    /// An empty layer: every slot Free.
    pub fn new(params: LayerParams) -> Layer {
        let f = params.features;
        Layer {
            params,
            weights: vec![0.0; f * params.dim()],
            negative_total: vec![0.0; f],
            state: vec![Memory::Free; f],
            counters: vec![Counters::default(); f],
            creation_id: vec![0; f],
            created_total: 0,
            forgotten_total: 0,
            forgotten_by_test: 0,
            refused_total: 0,
        }
    }

    /// Cells of the output map.
    pub fn cells(&self) -> usize {
        let (h, w) = self.params.output();
        h * w
    }

    /// Slot `f`'s weights.
    pub fn feature(&self, f: usize) -> &[f32] {
        let d = self.params.dim();
        &self.weights[f * d..(f + 1) * d]
    }

    /// Slots in state `m`.
    pub fn count(&self, m: Memory) -> usize {
        self.state.iter().filter(|&&s| s == m).count()
    }

    /// `(θmin, θmax)` of spec section 2 (`rule`: the network's; the layer's own rule
    /// takes precedence).
    pub fn thresholds(&self, rule: &Rule) -> (f32, f32) {
        let rule = &self.params.rule_or(rule);
        let scale = rule.input_max * rule.positive_total;
        (self.params.min_activation_ratio * scale, self.params.max_activation_ratio * scale)
    }

    /// The input rectangle `(row, col)` of a cell's top-left corner.
    fn corner(&self, cell: usize) -> (usize, usize) {
        let (_, w) = self.params.output();
        ((cell / w) * self.params.stride, (cell % w) * self.params.stride)
    }

    /// Whether two cells' rectangles conflict: they share more than `threshold` of a
    /// rectangle's area (spec section 5; all rectangles have the same size).
    pub fn conflict(&self, a: usize, b: usize, threshold: f32) -> bool {
        let k = self.params.kernel;
        let ((ya, xa), (yb, xb)) = (self.corner(a), self.corner(b));
        let rows = k.saturating_sub(ya.abs_diff(yb));
        let cols = k.saturating_sub(xa.abs_diff(xb));
        (rows * cols) as f32 / (k * k) as f32 > threshold
    }

    /// The im2col matrix of `input` (`channels x H x W`): one row of `C·K·K` per cell.
    pub fn patches(&self, input: &[f32]) -> Result<Vec<f32>, Memory1Error> {
        let p = &self.params;
        let (h, w) = p.input;
        if input.len() != p.channels * h * w {
            return Err(Memory1Error::InputSize { expected: p.channels * h * w, found: input.len() });
        }
        if let Some(i) = input.iter().position(|v| !v.is_finite()) {
            return Err(Memory1Error::NonFinite { index: i });
        }
        let (k, d) = (p.kernel, p.dim());
        let mut out = vec![0.0f32; self.cells() * d];
        for cell in 0..self.cells() {
            let (y0, x0) = self.corner(cell);
            let row = &mut out[cell * d..(cell + 1) * d];
            for c in 0..p.channels {
                for ky in 0..k {
                    let src = c * h * w + (y0 + ky) * w + x0;
                    row[(c * k + ky) * k..(c * k + ky + 1) * k].copy_from_slice(&input[src..src + k]);
                }
            }
        }
        Ok(out)
    }

    /// Items 1, 2 and 4 of spec section 6: input sums of every slot at every cell (one
    /// product over the live slots and all cells), outputs, and competition across
    /// features. No weight changes.
    pub fn forward(&self, input: &[f32], rule: &Rule) -> Result<Forward, Memory1Error> {
        let rule = &self.params.rule_or(rule);
        let patches = self.patches(input)?;
        let (cells, d, f) = (self.cells(), self.params.dim(), self.params.features);
        let mut sums = vec![0.0f32; f * cells];
        // slots past the last live one are all zero: leave them out of the product
        let live = self.state.iter().rposition(|&s| s != Memory::Free).map_or(0, |i| i + 1);
        if live > 0 {
            gemm(
                live,
                d,
                cells,
                1.0,
                View { data: &self.weights, off: 0, rs: d, cs: 1 },
                View { data: &patches, off: 0, rs: 1, cs: d },
                0.0,
                ViewMut { data: &mut sums, off: 0, rs: cells, cs: 1 },
                false,
            );
        }
        let (lo, hi) = self.thresholds(rule);
        let active_before: Vec<(usize, usize)> = (0..live)
            .filter(|&fi| self.state[fi] != Memory::Free)
            .flat_map(|fi| (0..cells).map(move |c| (fi, c)))
            .filter(|&(fi, c)| cell_output(sums[fi * cells + c], lo, hi, rule.output_max) > 0.0)
            .collect();
        let groups = self.compete(&active_before, &sums, rule.overlap_threshold);
        let mut output = vec![0.0f32; f * cells];
        for g in &groups {
            let (fi, c) = g[0];
            output[fi * cells + c] = cell_output(sums[fi * cells + c], lo, hi, rule.output_max);
        }
        Ok(Forward { patches, sums, active_before, groups, output })
    }

    /// Competition (spec 6.2): repeatedly the largest sum wins (the first in
    /// (feature, y, x) order on ties) and suppresses every remaining entry whose
    /// rectangle conflicts with its own.
    fn compete(&self, active: &[(usize, usize)], sums: &[f32], threshold: f32) -> Vec<Group> {
        let cells = self.cells();
        let mut left: Vec<(usize, usize)> = active.to_vec();
        let mut groups = Vec::new();
        while !left.is_empty() {
            let mut best = 0;
            for (i, &(fi, c)) in left.iter().enumerate() {
                let (bf, bc) = left[best];
                if sums[fi * cells + c] > sums[bf * cells + bc] {
                    best = i;
                }
            }
            let winner = left.remove(best);
            let mut group = vec![winner];
            left.retain(|&(fi, c)| {
                if self.conflict(winner.1, c, threshold) {
                    group.push((fi, c));
                    false
                } else {
                    true
                }
            });
            groups.push(group);
        }
        groups
    }

    /// Cells that new-feature generation selects (spec 7.1-7.3), given the cells active
    /// after competition: open cells, row-major, whose rectangle conflicts with no active
    /// cell's nor an earlier selected one's.
    pub fn select_new(&self, active_cells: &[bool], threshold: f32) -> Vec<usize> {
        let mut forbidden: Vec<usize> = (0..self.cells()).filter(|&c| active_cells[c]).collect();
        let mut selected = Vec::new();
        for (c, &active) in active_cells.iter().enumerate().take(self.cells()) {
            if active || forbidden.iter().any(|&b| self.conflict(b, c, threshold)) {
                continue;
            }
            selected.push(c);
            forbidden.push(c);
        }
        selected
    }

    /// Cells where some feature won (after competition).
    pub fn active_cells(&self, fwd: &Forward) -> Vec<bool> {
        let mut a = vec![false; self.cells()];
        for (_, c) in fwd.winners() {
            a[c] = true;
        }
        a
    }

    fn forget(&mut self, f: usize) {
        let d = self.params.dim();
        self.weights[f * d..(f + 1) * d].fill(0.0);
        self.negative_total[f] = 0.0;
        self.state[f] = Memory::Free;
        self.counters[f] = Counters::default();
        self.forgotten_total += 1;
    }

    /// Item 3 of spec section 6, on the pass `fwd` of this layer: negative learning of
    /// Short losers on their winner's cell, new features, positive learning of Short
    /// winners, then the memory transitions. An error (and nothing half-done to the
    /// slots it has not reached) when a new feature finds no Free slot.
    pub fn learn(&mut self, fwd: &Forward, rule: &Rule) -> Result<StepLog, Memory1Error> {
        let rule = &self.params.rule_or(rule);
        let d = self.params.dim();
        let mut log = StepLog::default();
        // a. negative learning
        if rule.negative_learning {
            for g in &fwd.groups {
                let (wf, wc) = g[0];
                for &(lf, lc) in &g[1..] {
                    if lc == wc && self.state[lf] == Memory::Short {
                        let x = &fwd.patches[wc * d..(wc + 1) * d];
                        let n = self.negative_total[lf];
                        teach_negative(&mut self.weights[lf * d..(lf + 1) * d], x, n, rule);
                        self.counters[lf].taught_negative += 1;
                        log.negative.push((wf, lf, wc));
                    }
                }
            }
        }
        // b. new features
        let active = self.active_cells(fwd);
        log.selected = self.select_new(&active, rule.overlap_threshold);
        for &c in &log.selected {
            let x = &fwd.patches[c * d..(c + 1) * d];
            if x.iter().all(|&v| v == 0.0) {
                continue;
            }
            let Some(slot) = self.state.iter().position(|&s| s == Memory::Free) else {
                return Err(Memory1Error::NoFreeSlot { features: self.params.features });
            };
            match create(&mut self.weights[slot * d..(slot + 1) * d], x, rule, self.params.new_feature_min_positive) {
                Ok(n) => {
                    self.negative_total[slot] = n;
                    self.state[slot] = Memory::Short;
                    self.counters[slot] = Counters::default();
                    self.creation_id[slot] = self.created_total;
                    self.created_total += 1;
                    log.created.push(slot);
                }
                Err(Refusal::Blank | Refusal::TooFewPositive(_)) => {
                    log.refused += 1;
                    self.refused_total += 1;
                }
            }
        }
        // c. positive learning, slot by slot, each winning cell row-major
        let mut won: Vec<Vec<usize>> = vec![Vec::new(); self.params.features];
        for (f, c) in fwd.winners() {
            won[f].push(c);
        }
        for (f, cells) in won.iter_mut().enumerate() {
            if self.state[f] != Memory::Short {
                continue;
            }
            cells.sort_unstable();
            for &c in cells.iter() {
                let x = &fwd.patches[c * d..(c + 1) * d];
                let n = self.negative_total[f];
                teach_positive(&mut self.weights[f * d..(f + 1) * d], x, n, rule);
            }
            let k = &mut self.counters[f];
            k.active_cells += cells.len() as u64;
            k.active_steps += u64::from(!cells.is_empty());
            k.steps += 1;
        }
        // d. memory transitions
        for f in 0..self.params.features {
            if self.state[f] != Memory::Short {
                continue;
            }
            let k = self.counters[f];
            let rate = k.active_cells as f64 / k.steps.max(1) as f64;
            if k.steps >= rule.forget_steps && rate < rule.forget_rate {
                self.forget(f);
                self.forgotten_by_test += 1;
                log.forgotten.push((f, k));
            } else if k.steps >= rule.long_term_steps && rate > rule.long_term_rate {
                self.state[f] = Memory::Long;
                log.promoted.push((f, k));
            }
        }
        Ok(log)
    }

    /// End of a phase (spec section 9): forget every Short feature, then move the
    /// remaining ones down into the lowest slots, keeping their order. Returns how many
    /// were forgotten.
    pub fn trim_and_compact(&mut self) -> usize {
        let short: Vec<usize> = (0..self.params.features).filter(|&f| self.state[f] == Memory::Short).collect();
        for &f in &short {
            self.forget(f);
        }
        let d = self.params.dim();
        let mut next = 0;
        for j in 0..self.params.features {
            if self.state[j] == Memory::Free {
                continue;
            }
            if j != next {
                self.weights.copy_within(j * d..(j + 1) * d, next * d);
                self.weights[j * d..(j + 1) * d].fill(0.0);
                self.negative_total[next] = self.negative_total[j];
                self.state[next] = self.state[j];
                self.counters[next] = self.counters[j];
                self.creation_id[next] = self.creation_id[j];
                self.negative_total[j] = 0.0;
                self.state[j] = Memory::Free;
                self.counters[j] = Counters::default();
            }
            next += 1;
        }
        short.len()
    }
}
