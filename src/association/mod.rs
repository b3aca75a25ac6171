//! Memory association (Kim et al., "Memory Association Networks", the text is
//! `../shared/seeds/memory-association-networks.txt`): a short-term memory of one bounded
//! FIFO queue per class, from which training batches are drawn balanced over the classes
//! (section 3.1, the paper's answer to class imbalance); a long-term memory that recalls
//! varied samples of a requested label (the conditional VAEs of [`crate::learners::cvae`],
//! sections 3.2-3.3); and the
//! [`measures`] of recall.

pub mod measures;
mod short_term;
#[cfg(test)]
mod tests;

pub use short_term::ShortTermMemory;
