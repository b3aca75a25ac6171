//! Recording chosen neurons over time into preallocated buffers.

use serde::{Deserialize, Serialize};

use crate::twin::{Clamp, TwinState};

/// What to record: `neurons` (global indices) of batch element `batch`, every `every` ticks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeSpec {
    /// Global neuron indices.
    pub neurons: Vec<usize>,
    /// Batch element.
    pub batch: usize,
    /// Record every this many ticks (>= 1).
    pub every: u64,
}

/// Recorded traces, one row per neuron (in the order of `neurons`), one column per sample
/// time in `ticks`. A probe at tick t records the state after that tick's step; `target`
/// holds the target in force for the next step (`None`: free), so on hidden neurons a
/// `Some` marks a fake-target firing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    /// The neurons recorded.
    pub neurons: Vec<usize>,
    /// The batch element recorded.
    pub batch: usize,
    /// Sampling interval in ticks.
    pub every: u64,
    /// Tick of each sample.
    pub ticks: Vec<u64>,
    /// `s` of the strongly clamped net.
    pub s_strong: Vec<Vec<f32>>,
    /// `s` of the weakly clamped net.
    pub s_weak: Vec<Vec<f32>>,
    /// `dz` (eq. 14).
    pub dz: Vec<Vec<f32>>,
    /// Target in force, `None` where the neuron is free.
    pub target: Vec<Vec<Option<f32>>>,
}

impl Recording {
    pub(crate) fn new(spec: &ProbeSpec, capacity: usize) -> Recording {
        let rows = || (0..spec.neurons.len()).map(|_| Vec::with_capacity(capacity)).collect::<Vec<_>>();
        Recording {
            neurons: spec.neurons.clone(),
            batch: spec.batch,
            every: spec.every,
            ticks: Vec::with_capacity(capacity),
            s_strong: rows(),
            s_weak: rows(),
            dz: rows(),
            target: (0..spec.neurons.len()).map(|_| Vec::with_capacity(capacity)).collect(),
        }
    }

    pub(crate) fn record(&mut self, tick: u64, twin: &TwinState) {
        let base = self.batch * twin.n_neurons();
        self.ticks.push(tick);
        for (k, &i) in self.neurons.iter().enumerate() {
            let idx = base + i;
            self.s_strong[k].push(twin.strong.s[idx]);
            self.s_weak[k].push(twin.weak.s[idx]);
            self.dz[k].push(twin.dz[idx]);
            self.target[k].push((twin.clamp[idx] != Clamp::Free).then_some(twin.target[idx]));
        }
    }

    /// Row of neuron `neuron` (global index), if recorded.
    pub fn row(&self, neuron: usize) -> Option<usize> {
        self.neurons.iter().position(|&n| n == neuron)
    }
}
