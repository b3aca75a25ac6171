//! Unit and property tests of the short-term memory.

use proptest::prelude::*;

use super::*;
use crate::error::AssociationError;
use crate::sim::rng_from_seed;

#[test]
fn queues_are_bounded_fifo() {
    let mut m = ShortTermMemory::new(3, 2).unwrap();
    assert_eq!(m.push(1, "a").unwrap(), None);
    assert_eq!(m.push(1, "b").unwrap(), None);
    // full: the oldest goes first
    assert_eq!(m.push(1, "c").unwrap(), Some("a"));
    assert_eq!(m.queue(1).copied().collect::<Vec<_>>(), vec!["b", "c"]);
    assert_eq!(m.counts(), vec![0, 2, 0]);
    assert_eq!(m.pushed(), &[0, 3, 0]);
    assert_eq!(m.push(3, "x"), Err(AssociationError::NoClass { label: 3, classes: 3 }));
    assert!(ShortTermMemory::<u8>::new(0, 5).is_err());
    assert!(ShortTermMemory::<u8>::new(5, 0).is_err());
    let empty = ShortTermMemory::<u8>::new(2, 2).unwrap();
    assert_eq!(empty.sample_balanced(4, &mut rng_from_seed(1)), Err(AssociationError::NothingStored));
}

#[test]
fn save_and_load() {
    let mut m = ShortTermMemory::new(2, 3).unwrap();
    for i in 0..5u32 {
        m.push((i % 2) as usize, i).unwrap();
    }
    let back: ShortTermMemory<u32> = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back, m);
}

#[test]
fn sampling_is_balanced_over_the_classes_present() {
    // class 0 holds 1000 samples, class 2 one: each is drawn about half the time
    let mut m = ShortTermMemory::new(3, 1000).unwrap();
    for i in 0..1000 {
        m.push(0, i).unwrap();
    }
    m.push(2, 7).unwrap();
    let draws = m.sample_balanced(20_000, &mut rng_from_seed(3)).unwrap();
    let twos = draws.iter().filter(|d| d.0 == 2).count() as f64 / 20_000.0;
    // binomial sd at p = 0.5, n = 20000 is 0.0035: 5 sd
    assert!((twos - 0.5).abs() < 0.018, "{twos}");
    assert!(draws.iter().all(|d| d.0 != 1), "an empty class is never drawn");
    assert!(draws.iter().filter(|d| d.0 == 2).all(|d| *d.1 == 7));
}

proptest! {
    #[test]
    fn never_over_capacity_oldest_out_and_reproducible(
        pushes in prop::collection::vec((0usize..4, any::<u16>()), 1..300),
        capacity in 1usize..20,
        seed in 0u64..1000,
    ) {
        let mut m = ShortTermMemory::new(4, capacity).unwrap();
        let mut model: Vec<Vec<u16>> = vec![Vec::new(); 4];
        for &(label, v) in &pushes {
            let evicted = m.push(label, v).unwrap();
            model[label].push(v);
            let expected = if model[label].len() > capacity { Some(model[label].remove(0)) } else { None };
            prop_assert_eq!(evicted, expected);
            prop_assert!(m.counts().iter().all(|&c| c <= capacity));
        }
        for (label, q) in model.iter().enumerate() {
            prop_assert_eq!(m.queue(label).copied().collect::<Vec<_>>(), q.clone());
        }
        let a: Vec<(usize, u16)> = m.sample_balanced(50, &mut rng_from_seed(seed)).unwrap().into_iter().map(|(l, v)| (l, *v)).collect();
        let b: Vec<(usize, u16)> = m.sample_balanced(50, &mut rng_from_seed(seed)).unwrap().into_iter().map(|(l, v)| (l, *v)).collect();
        prop_assert_eq!(&a, &b);
        for (l, v) in a {
            prop_assert!(model[l].contains(&v));
        }
    }
}
