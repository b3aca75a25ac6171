//! # astdp
//!
//! Leaky-integrator Hopfield networks that learn with aSTDP, the local,
//! spike-timing-dependent rule of "aSTDP: A More Biologically Plausible Learning"
//! (Shiyuan Li, arXiv 2206.14137), run inside a deterministic event-driven scheduler.
//!
//! A [`Network`] holds the shared weights `W` and biases `b`, one dense block per
//! connection of its [`Topology`]. A [`TwinState`] holds the two nets that share them:
//! the strongly clamped one (`beta_strong`) and the weakly clamped one (`beta_weak`), for
//! a batch of independent state pairs. Each [`Event::Tick`] of a [`Simulation`] moves
//! both nets one leaky-integrator step (eq. 1-7, optionally with momentum, eq. 19-20),
//! then computes `dz = rho(s_strong) - rho(s_weak)`, draws fake targets for the hidden
//! neurons (eq. 16-18) and applies the aSTDP update `W_ij += alpha dz_i rho(s_strong_j)`
//! (eq. 14-15). Data, targets, switches and recording are events too.
//!
//! ```
//! use astdp::{Clamp, Config, Event, Network, ProbeSpec, Simulation, Topology, rng_from_seed};
//!
//! // 4 visible + 8 hidden neurons, paper defaults, seed 1.
//! let mut rng = rng_from_seed(1);
//! let net = Network::random(Topology::toy(4, 8)?, &mut rng);
//! let config = astdp::Config { alpha: 0.05, ..Config::default() }.validate()?;
//! let mut sim = Simulation::new(net, config, 1, rng)?;
//!
//! // Show the pattern [1,0,0,0] on the visible neurons during ticks 0..100, then run free.
//! sim.present(0, 0, vec![1.0, 0.0, 0.0, 0.0], Clamp::Soft)?;
//! sim.schedule(100, Event::ClearTargets { neurons: 0..4 })?;
//! sim.schedule_ticks(0, 200)?;
//! let probe = sim.add_probe(ProbeSpec { neurons: vec![0, 1], batch: 0, every: 10 }, 0, 200)?;
//! sim.run()?;
//!
//! let rec = sim.recording(probe).unwrap();
//! assert_eq!(rec.ticks.len(), 20);
//! assert_eq!(sim.ticks_run(), 200);
//! // while clamped, visible neuron 0 sits above neuron 1
//! assert!(rec.s_strong[0][9] > rec.s_strong[1][9]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Modules
//!
//! - [`topology`], [`network`], [`activation`]: the model (section 1, eq. 2-3);
//! - [`twin`]: the strong/weak pair, dynamics, the aSTDP rule, fake targets, smoothing;
//! - [`scheduler`]: a generic, deterministic event queue; [`sim`]: the model's events;
//! - [`probe`]: recording; [`progress`]: progress of long runs on stderr;
//!   [`checkpoint`]: atomic JSON save and load;
//! - [`config`]: hyper-parameters and validation; [`error`]: typed errors per layer;
//! - [`data`]: the MNIST IDX reader; [`learners`]: the aSTDP trainer, the backprop MLP
//!   and the conditional VAEs behind one trait; [`experiments`]: the paper's experiments
//!   as functions returning data; [`plot`]: SVG plots;
//! - [`clustering`]: clustering neurons (online k-means as spike events) and
//!   meta-clustering;
//! - [`association`]: memory association: a short-term memory of per-class queues, the
//!   long-term memories;
//! - [`continual`]: learning without forgetting (class-incremental contexts under none,
//!   joint, replay or dream);
//! - [`memory1`]: AI-Memory1's rule (features from one image, competition, short- and
//!   long-term memory, accumulative learning);
//! - [`results`]: the typed results of a run ([`results::RunReport`]), the index of all
//!   reported runs and the generated `docs/results.md`.

#![warn(missing_docs, missing_debug_implementations)]

pub mod activation;
pub mod association;
pub mod checkpoint;
pub mod clustering;
pub mod config;
pub mod continual;
pub mod data;
pub mod error;
pub mod experiments;
pub mod learners;
pub(crate) mod linalg;
pub mod memory1;
pub mod network;
pub mod plot;
pub mod probe;
pub mod progress;
pub mod results;
pub mod scheduler;
pub mod sim;
pub mod topology;
pub mod twin;

/// The README's Rust example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use activation::Activation;
pub use config::{
    BatchReduction, Config, DzSign, FakeTargetConfig, FakeTargetLevel, FiringProbability, Presynaptic, Rule,
    ValidConfig,
};
pub use error::{ConfigError, Error, SimError};
pub use linalg::{SgemmRate, measure_sgemm_gflops};
pub use network::Network;
pub use probe::{ProbeSpec, Recording};
pub use sim::{Event, SimRng, Simulation, rng_from_seed};
pub use topology::{Role, Topology};
pub use twin::{Clamp, Net, TwinState};
