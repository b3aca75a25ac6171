//! The short-term memory (paper section 3.1, eq. 1): `object_ij ∈ Queue_i`.

use std::collections::VecDeque;

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::error::AssociationError;
use crate::sim::SimRng;

/// One bounded FIFO queue per class: pushing into a full queue evicts its oldest sample.
/// Batches are drawn balanced over the classes present: each draw picks a class
/// uniformly among the non-empty queues, then a sample of it uniformly, so a class seen
/// 500 times less often is drawn as often as the others. Generic over the sample type
/// (an image, or an index into a data set); samples are stored once, in the queues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShortTermMemory<T> {
    capacity: usize,
    queues: Vec<VecDeque<T>>,
    pushed: Vec<u64>,
}

impl<T> ShortTermMemory<T> {
    /// A memory of `classes` queues of at most `capacity` samples each.
    pub fn new(classes: usize, capacity: usize) -> Result<ShortTermMemory<T>, AssociationError> {
        if classes == 0 || capacity == 0 {
            return Err(AssociationError::EmptyMemory { classes, capacity });
        }
        Ok(ShortTermMemory {
            capacity,
            queues: (0..classes).map(|_| VecDeque::with_capacity(capacity.min(1 << 16))).collect(),
            pushed: vec![0; classes],
        })
    }

    /// The most samples a queue holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The number of classes (queues).
    pub fn classes(&self) -> usize {
        self.queues.len()
    }

    /// Stores `sample` under `label`, evicting that queue's oldest sample when it is full;
    /// returns the evicted one.
    pub fn push(&mut self, label: usize, sample: T) -> Result<Option<T>, AssociationError> {
        let classes = self.queues.len();
        let q = self.queues.get_mut(label).ok_or(AssociationError::NoClass { label, classes })?;
        let evicted = if q.len() == self.capacity { q.pop_front() } else { None };
        q.push_back(sample);
        self.pushed[label] += 1;
        Ok(evicted)
    }

    /// Samples held per class.
    pub fn counts(&self) -> Vec<usize> {
        self.queues.iter().map(|q| q.len()).collect()
    }

    /// Samples ever pushed per class.
    pub fn pushed(&self) -> &[u64] {
        &self.pushed
    }

    /// The samples of class `label`, oldest first.
    pub fn queue(&self, label: usize) -> impl Iterator<Item = &T> {
        self.queues.get(label).into_iter().flatten()
    }

    /// No samples at all.
    pub fn is_empty(&self) -> bool {
        self.queues.iter().all(|q| q.is_empty())
    }

    /// `batch` draws `(label, sample)`, balanced over the classes present (see the type's
    /// doc), with replacement. An error when the memory is empty.
    pub fn sample_balanced(&self, batch: usize, rng: &mut SimRng) -> Result<Vec<(usize, &T)>, AssociationError> {
        let present: Vec<usize> = (0..self.queues.len()).filter(|&c| !self.queues[c].is_empty()).collect();
        if present.is_empty() {
            return Err(AssociationError::NothingStored);
        }
        Ok((0..batch)
            .map(|_| {
                let c = present[rng.random_range(0..present.len())];
                let q = &self.queues[c];
                (c, &q[rng.random_range(0..q.len())])
            })
            .collect())
    }
}
