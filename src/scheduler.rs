//! A generic, deterministic discrete-time event queue. It knows nothing about neurons.
//!
//! Events are ordered by `(tick, phase, insertion order)`: earlier ticks first; within a
//! tick, lower [`Phased::phase`] first; within a phase, first scheduled first out. Ties
//! are therefore resolved the same way on every run. Cancelled events are removed and
//! never fire.
//!
//! An event that reschedules itself (a train of ticks, a probe every k ticks) does so with
//! [`Scheduler::continue_chain`]: every link is a new queue entry, but the chain keeps the
//! id of its first event, so [`Scheduler::cancel`] with that id stops the whole chain.
//!
//! ```
//! use astdp::scheduler::{Handler, Phased, Scheduler, Tick};
//! use astdp::error::ScheduleError;
//!
//! #[derive(Clone, Debug)]
//! struct Ping(&'static str);
//! impl Phased for Ping {}
//!
//! struct Log(Vec<(Tick, &'static str)>);
//! impl Handler<Ping> for Log {
//!     type Error = ScheduleError;
//!     fn handle(&mut self, _: &mut Scheduler<Ping>, now: Tick, e: Ping) -> Result<(), ScheduleError> {
//!         self.0.push((now, e.0));
//!         Ok(())
//!     }
//! }
//!
//! let mut q = Scheduler::new();
//! q.schedule(5, Ping("b")).unwrap();
//! q.schedule(2, Ping("a")).unwrap();
//! let gone = q.schedule(3, Ping("cancelled")).unwrap();
//! q.cancel(gone);
//! let mut log = Log(vec![]);
//! q.run_until(10, &mut log).unwrap();
//! assert_eq!(log.0, vec![(2, "a"), (5, "b")]);
//! assert_eq!(q.now(), 10);
//! assert!(q.schedule(4, Ping("late")).is_err());
//! ```

use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use priority_queue::PriorityQueue;
use serde::{Deserialize, Serialize};

use crate::error::ScheduleError;

/// Simulation time: an integer count of ticks.
pub type Tick = u64;

/// An event's phase within a tick (lower runs first). Default 0.
pub trait Phased {
    /// The phase; events of one tick run in ascending phase.
    fn phase(&self) -> u8 {
        0
    }
}

/// Handle of a scheduled event, for [`Scheduler::cancel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventId(pub u64);

/// What runs the events.
pub trait Handler<E> {
    /// The handler's error; scheduling errors convert into it.
    type Error: From<ScheduleError>;
    /// Handles one event at tick `now`; may schedule more.
    fn handle(&mut self, scheduler: &mut Scheduler<E>, now: Tick, event: E) -> Result<(), Self::Error>;
}

type Key = (Tick, u8, u64);

/// Hasher for the queue's keys: unique sequence numbers, so a multiplicative mix is
/// enough and much cheaper than SipHash on the per-tick path.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SeqHasher(u64);

impl Hasher for SeqHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type SeqBuild = BuildHasherDefault<SeqHasher>;

/// A queued event: its body travels with its sequence number, which alone identifies it
/// (hash and equality), so cancelling by [`EventId`] looks it up without a second map.
#[derive(Debug, Clone)]
struct Entry<E> {
    seq: u64,
    body: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}

impl<E> Eq for Entry<E> {}

impl<E> Hash for Entry<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // the same as hashing the bare `u64` (required by `Borrow<u64>`)
        self.seq.hash(state);
    }
}

impl<E> Borrow<u64> for Entry<E> {
    fn borrow(&self) -> &u64 {
        &self.seq
    }
}

/// The event queue. See the module docs.
#[derive(Debug, Clone)]
pub struct Scheduler<E> {
    now: Tick,
    next_seq: u64,
    /// A binary max-heap on reversed keys: the smallest `(tick, phase, seq)` on top.
    queue: PriorityQueue<Entry<E>, Reverse<Key>, SeqBuild>,
    /// Chains of self-rescheduling events: the seq of a chain's first event (its id) ->
    /// the seq of its link now queued.
    chains: BTreeMap<u64, u64>,
    /// While an event is handled: the id of the chain it belongs to (its own seq if it
    /// starts one).
    handling: Option<u64>,
}

impl<E: Phased> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Phased> Scheduler<E> {
    /// An empty queue at tick 0.
    pub fn new() -> Self {
        Scheduler {
            now: 0,
            next_seq: 0,
            queue: PriorityQueue::with_default_hasher(),
            chains: BTreeMap::new(),
            handling: None,
        }
    }

    /// The current tick: that of the last event popped, or the last deadline reached.
    pub fn now(&self) -> Tick {
        self.now
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// No pending events.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Schedules `event` at tick `at` (`at >= now`).
    pub fn schedule(&mut self, at: Tick, event: E) -> Result<EventId, ScheduleError> {
        if at < self.now {
            return Err(ScheduleError::InPast { requested: at, now: self.now });
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let event_phase = event.phase();
        self.queue.push(Entry { seq, body: event }, Reverse((at, event_phase, seq)));
        Ok(EventId(seq))
    }

    /// Removes a pending event; returns it, or `None` if it already fired or was cancelled.
    pub fn cancel(&mut self, id: EventId) -> Option<E> {
        let seq = self.chains.remove(&id.0).unwrap_or(id.0);
        self.queue.remove(&seq).map(|(e, _)| e.body)
    }

    /// From inside [`Handler::handle`]: schedules the next link of the chain of the event
    /// being handled (see the module docs), so that cancelling the chain's id stops it.
    /// Outside a handler it is [`Scheduler::schedule`].
    pub fn continue_chain(&mut self, at: Tick, event: E) -> Result<EventId, ScheduleError> {
        let id = self.schedule(at, event)?;
        if let Some(root) = self.handling {
            self.chains.insert(root, id.0);
        }
        Ok(id)
    }

    /// The tick of the next event.
    pub fn peek_tick(&self) -> Option<Tick> {
        self.queue.peek().map(|(_, k)| k.0.0)
    }

    /// Pops the next event and advances `now` to its tick.
    pub fn pop(&mut self) -> Option<(Tick, E)> {
        self.pop_link().map(|(tick, _, e)| (tick, e))
    }

    /// Pops the next event, advances `now` and returns it with the id of its chain (its
    /// own id if it is no chain's link); the chain forgets the link.
    fn pop_link(&mut self) -> Option<(Tick, u64, E)> {
        let (e, Reverse((tick, _, seq))) = self.queue.pop()?;
        self.now = tick;
        let root = match self.chains.iter().find(|&(_, &link)| link == seq) {
            Some((&root, _)) => {
                self.chains.remove(&root);
                root
            }
            None => seq,
        };
        Some((tick, root, e.body))
    }

    /// The pending events, in no particular order.
    pub(crate) fn pending(&self) -> impl Iterator<Item = &E> {
        self.queue.iter().map(|(e, _)| &e.body)
    }

    /// Handles the next event, if any; returns its tick.
    pub fn step<H: Handler<E>>(&mut self, handler: &mut H) -> Result<Option<Tick>, H::Error> {
        let Some((tick, root, event)) = self.pop_link() else { return Ok(None) };
        self.handling = Some(root);
        let result = handler.handle(self, tick, event);
        self.handling = None;
        result.map(|()| Some(tick))
    }

    /// Handles every event strictly before `deadline`, then sets `now = deadline`.
    /// A deadline before `now` is an error.
    pub fn run_until<H: Handler<E>>(&mut self, deadline: Tick, handler: &mut H) -> Result<(), H::Error> {
        if deadline < self.now {
            return Err(ScheduleError::InPast { requested: deadline, now: self.now }.into());
        }
        while self.peek_tick().is_some_and(|t| t < deadline) {
            self.step(handler)?;
        }
        self.now = deadline;
        Ok(())
    }

    /// Handles events until none are left.
    pub fn run<H: Handler<E>>(&mut self, handler: &mut H) -> Result<(), H::Error> {
        while self.step(handler)?.is_some() {}
        Ok(())
    }
}

/// Serialised form: the pending events in firing order, and the chains as `(id, link)`
/// (absent when there are none).
#[derive(Serialize, Deserialize)]
struct Snapshot<E> {
    now: Tick,
    next_seq: u64,
    pending: Vec<(Tick, u64, E)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    chains: Vec<(u64, u64)>,
}

impl<E: Phased + Serialize + Clone> Serialize for Scheduler<E> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut keys: Vec<(&Entry<E>, Key)> = self.queue.iter().map(|(e, k)| (e, k.0)).collect();
        keys.sort_by_key(|(_, k)| *k);
        let pending = keys.into_iter().map(|(e, k)| (k.0, e.seq, e.body.clone())).collect();
        let chains = self.chains.iter().map(|(&root, &link)| (root, link)).collect();
        Snapshot { now: self.now, next_seq: self.next_seq, pending, chains }.serialize(ser)
    }
}

impl<'de, E: Phased + Deserialize<'de>> Deserialize<'de> for Scheduler<E> {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let snap = Snapshot::<E>::deserialize(de)?;
        let mut q = Scheduler::new();
        q.now = snap.now;
        q.next_seq = snap.next_seq;
        for (tick, seq, e) in snap.pending {
            if seq >= snap.next_seq || tick < snap.now {
                return Err(serde::de::Error::custom("scheduler snapshot: event out of order"));
            }
            let phase = e.phase();
            q.queue.push(Entry { seq, body: e }, Reverse((tick, phase, seq)));
        }
        for (root, link) in snap.chains {
            if root > link || q.queue.get(&link).is_none() {
                return Err(serde::de::Error::custom("scheduler snapshot: a chain's link is not pending"));
            }
            q.chains.insert(root, link);
        }
        Ok(q)
    }
}
