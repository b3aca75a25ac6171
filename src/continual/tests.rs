use super::*;
use crate::learners::{Mlp, MlpConfig, MlpLearner};
use crate::sim::rng_from_seed;

/// 30 images per class 0-9, 2x2 pixels, each pixel the label / 10 (so an image names its
/// class) and the second pixel the index within the class / 100.
fn data() -> Dataset {
    let mut d = Dataset { images: Vec::new(), labels: Vec::new(), rows: 2, cols: 2 };
    for i in 0..300 {
        let c = (i % 10) as u8;
        d.images.extend([c as f32 / 10.0, (i / 10) as f32 / 100.0, 0.0, 1.0]);
        d.labels.push(c);
    }
    d
}

/// Records every batch; recalls images that name their class with pixel 3 = -1 (not
/// found in the real data) and their dream phase in pixel 1; classifies by pixel 0 if it
/// has trained on that class.
#[derive(Debug, Default)]
struct Recorder {
    batches: Vec<Vec<(u8, [f32; 4])>>,
    known: Vec<u8>,
}

impl Learner for Recorder {
    fn kind(&self) -> LearnerKind {
        LearnerKind::Astdp
    }
    fn batch(&self) -> usize {
        10
    }
    fn learn(&mut self, data: &Dataset, batch: &[usize]) -> Result<(), Error> {
        let b: Vec<(u8, [f32; 4])> =
            batch.iter().map(|&i| (data.labels[i], data.image(i).try_into().unwrap())).collect();
        for (l, _) in &b {
            if !self.known.contains(l) {
                self.known.push(*l);
            }
        }
        self.batches.push(b);
        Ok(())
    }
    fn predict(&self, data: &Dataset) -> Result<Option<Vec<u8>>, Error> {
        let name = |i: usize| (data.image(i)[0] * 10.0).round() as u8;
        Ok(Some((0..data.len()).map(|i| if self.known.contains(&name(i)) { name(i) } else { 255 }).collect()))
    }
    fn recall(&self, label: u8, n: usize, seed: u64, _: Variety) -> Result<Vec<Vec<f32>>, Error> {
        Ok(vec![vec![label as f32 / 10.0, (seed >> 32) as f32, 0.0, -1.0]; n])
    }
    fn save(&self, _: &std::path::Path) -> Result<(), Error> {
        Ok(())
    }
    fn describe(&self) -> String {
        "recorder".into()
    }
}

fn plan() -> Plan {
    Plan { updates: 20, dreams_per_class: 5, ..Plan::default() }
}

fn run_with(strategy: Strategy) -> (Recorder, Vec<ContextRecord>) {
    let d = data();
    let mut r = Recorder::default();
    let records = run(&mut r, &plan(), strategy, DreamSource::Own, &d, &d, 3, &mut ()).unwrap();
    (r, records)
}

#[test]
fn the_default_share_gives_each_class_seen_an_equal_part() {
    let p = Plan::default();
    let shares: Vec<f64> = (0..5).map(|k| p.share(k)).collect();
    assert_eq!(shares, vec![0.0, 0.5, 2.0 / 3.0, 0.75, 0.8]);
    assert_eq!(Plan { memory_share: Some(0.25), ..p.clone() }.share(0), 0.0);
    assert_eq!(Plan { memory_share: Some(0.25), ..p }.share(3), 0.25);
}

#[test]
fn every_strategy_makes_the_same_updates_of_the_same_size() {
    for s in [
        Strategy::None,
        Strategy::Joint,
        Strategy::Replay { per_class: 3 },
        Strategy::Dream { memory: LearnerKind::Astdp },
    ] {
        let (r, records) = run_with(s);
        assert_eq!(r.batches.len(), 5 * 20, "{s:?}");
        assert!(r.batches.iter().all(|b| b.len() == 10), "{s:?}");
        assert_eq!(records.len(), 5);
        for rec in &records {
            assert_eq!(rec.trained_per_class.iter().sum::<usize>(), 200, "{s:?}");
        }
    }
}

#[test]
fn none_trains_on_the_context_alone_and_joint_on_all_seen() {
    let (r, _) = run_with(Strategy::None);
    for (u, b) in r.batches.iter().enumerate() {
        let k = (u / 20) as u8;
        assert!(b.iter().all(|(l, _)| *l / 2 == k), "update {u}: {b:?}");
    }
    let (r, rec) = run_with(Strategy::Joint);
    for (u, b) in r.batches.iter().enumerate() {
        assert!(b.iter().all(|(l, _)| *l / 2 <= (u / 20) as u8));
    }
    // the last context of joint trains on all ten classes
    assert!(rec[4].trained_per_class.iter().all(|&n| n > 0), "{:?}", rec[4].trained_per_class);
}

#[test]
fn replay_mixes_the_share_from_at_most_b_kept_samples_per_old_class() {
    let (r, records) = run_with(Strategy::Replay { per_class: 3 });
    for (k, record) in records.iter().enumerate() {
        let from_old: Vec<&(u8, [f32; 4])> =
            r.batches[k * 20..(k + 1) * 20].iter().flatten().filter(|(l, _)| (*l / 2) < k as u8).collect();
        // round(10 * share) per batch
        let expected = 20 * (10.0 * plan().share(k)).round() as usize;
        assert_eq!(from_old.len(), expected, "context {}", k + 1);
        for c in 0..2 * k as u8 {
            let mut distinct: Vec<[u32; 4]> =
                from_old.iter().filter(|(l, _)| *l == c).map(|(_, x)| x.map(f32::to_bits)).collect();
            distinct.sort_unstable();
            distinct.dedup();
            assert!((1..=3).contains(&distinct.len()), "class {c} in context {}: {}", k + 1, distinct.len());
        }
        assert_eq!(record.memory_share, (10.0 * plan().share(k)).round() / 10.0);
    }
}

#[test]
fn dreams_are_recalled_not_stored_and_labelled_by_their_recall() {
    let (r, records) = run_with(Strategy::Dream { memory: LearnerKind::Astdp });
    assert!(records[0].dreams.is_none());
    for (k, record) in records.iter().enumerate().skip(1) {
        let dreams = record.dreams.as_ref().unwrap();
        assert_eq!(dreams.len(), 2 * k * 5);
        let old: Vec<&(u8, [f32; 4])> =
            r.batches[k * 20..(k + 1) * 20].iter().flatten().filter(|(l, _)| (*l / 2) < k as u8).collect();
        assert!(!old.is_empty());
        // every old-class sample is a dream: pixel 3 is -1 and pixel 0 names the label
        assert!(old.iter().all(|(l, x)| x[3] == -1.0 && (x[0] * 10.0).round() as u8 == *l));
        let new = r.batches[k * 20..(k + 1) * 20].iter().flatten().filter(|(l, _)| (*l / 2) == k as u8);
        assert!(new.clone().all(|(_, x)| x[3] == 1.0) && new.count() > 0);
    }
}

#[test]
fn recorded_dreams_feed_another_learner() {
    let (_, records) = run_with(Strategy::Dream { memory: LearnerKind::Astdp });
    let sets: Vec<Option<Dataset>> = records.iter().map(|r| r.dreams.clone()).collect();
    let d = data();
    let mut r = Recorder::default();
    let strategy = Strategy::Dream { memory: LearnerKind::CvaeB };
    run(&mut r, &plan(), strategy, DreamSource::Recorded(&sets), &d, &d, 3, &mut ()).unwrap();
    let dreamt = r.batches.iter().flatten().filter(|(_, x)| x[3] == -1.0).count();
    assert!(dreamt > 0);
    // a learner that cannot recall is told so
    let mut m = MlpLearner {
        mlp: Mlp::new(4, 3, 10, &mut rng_from_seed(1)),
        cfg: MlpConfig { hidden: 3, batch: 10, ..MlpConfig::default() },
    };
    let mlp = Strategy::Dream { memory: LearnerKind::Mlp };
    let e = run(&mut m, &plan(), mlp, DreamSource::Own, &d, &d, 3, &mut ()).unwrap_err();
    assert!(matches!(e, Error::Config(ConfigError::Invalid { field: "memory", .. })), "{e}");
    assert!(e.to_string().contains("cannot recall"), "{e}");
}

#[test]
fn the_dreams_come_from_the_memory_the_strategy_names() {
    let d = data();
    // a learner that is not the memory named cannot dream its own dreams ...
    let mut r = Recorder::default();
    let other = Strategy::Dream { memory: LearnerKind::CvaeB };
    let e = run(&mut r, &plan(), other, DreamSource::Own, &d, &d, 3, &mut ()).unwrap_err();
    assert!(matches!(e, Error::Learner(LearnerError::DreamSource { memory: "cvae_b", learner: "astdp", .. })), "{e}");
    // ... and the memory named is not given another's dreams
    let own = Strategy::Dream { memory: LearnerKind::Astdp };
    let e = run(&mut r, &plan(), own, DreamSource::Recorded(&[]), &d, &d, 3, &mut ()).unwrap_err();
    assert!(matches!(e, Error::Learner(LearnerError::DreamSource { .. })), "{e}");
    assert!(r.batches.is_empty(), "refused before any update");
}

#[test]
fn dream_phases_are_events_spread_over_the_context() {
    let d = data();
    let mut r = Recorder::default();
    let p = Plan { dream_phases: 2, ..plan() };
    let records =
        run(&mut r, &p, Strategy::Dream { memory: LearnerKind::Astdp }, DreamSource::Own, &d, &d, 3, &mut ()).unwrap();
    for (k, record) in records.iter().enumerate().skip(1) {
        // 5 dreams per class in two phases: 3, then 2
        assert_eq!(record.dreams.as_ref().unwrap().len(), 2 * k * 5);
        let phase = |u: std::ops::Range<usize>| -> Vec<f32> {
            r.batches[k * 20 + u.start..k * 20 + u.end]
                .iter()
                .flatten()
                .filter(|(_, x)| x[3] == -1.0)
                .map(|(_, x)| x[1])
                .collect()
        };
        // the first half of the updates draws only from the first phase's dreams
        let first = phase(0..10);
        assert!(!first.is_empty() && first.iter().all(|&j| j == 0.0), "context {}: {first:?}", k + 1);
        assert!(phase(10..20).contains(&1.0), "context {}: the second phase is drawn from", k + 1);
    }
    assert_eq!(p.dream_phase(0), (0, 3));
    assert_eq!(p.dream_phase(1), (10, 2));
}

#[test]
fn the_observer_sees_every_dream_phase_of_a_memory_dreaming_its_own_dreams() {
    #[derive(Default)]
    struct Seen(Vec<(usize, usize)>, usize);
    impl Observer for Seen {
        fn progress(&mut self, done: usize, _: usize) {
            self.1 = done;
        }
        fn dreaming(&mut self, k: usize, j: usize, l: &dyn Learner) -> Result<(), Error> {
            assert_eq!(l.describe(), "recorder");
            self.0.push((k, j));
            Ok(())
        }
    }
    let d = data();
    let mut seen = Seen::default();
    let p = Plan { dream_phases: 2, ..plan() };
    run(
        &mut Recorder::default(),
        &p,
        Strategy::Dream { memory: LearnerKind::Astdp },
        DreamSource::Own,
        &d,
        &d,
        3,
        &mut seen,
    )
    .unwrap();
    // context 1 has no old class to dream of
    assert_eq!(seen.0, vec![(1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1), (4, 0), (4, 1)]);
    assert_eq!(seen.1, 5 * 20);
}

#[test]
fn the_test_after_each_context_covers_the_classes_seen() {
    let (_, records) = run_with(Strategy::None);
    for (k, rec) in records.iter().enumerate() {
        assert_eq!(rec.seen.len(), 2 * (k + 1));
        for c in 0..10 {
            assert_eq!(rec.per_class[c].is_some(), c < 2 * (k + 1), "context {}, class {c}", k + 1);
        }
    }
    // the recorder knows every class it trained on: all right
    assert_eq!(records[4].accuracy, Some(1.0));
}

#[test]
fn bad_plans_are_refused() {
    let d = data();
    let mut r = Recorder::default();
    let bad = [
        Plan { contexts: vec![], ..plan() },
        Plan { contexts: vec![vec![0, 1], vec![1, 2]], ..plan() },
        Plan { contexts: vec![vec![0, 10]], ..plan() },
        Plan { updates: 0, ..plan() },
        Plan { memory_share: Some(1.0), ..plan() },
        Plan { memory_share: Some(f64::NAN), ..plan() },
        Plan { dream_phases: 0, ..plan() },
        Plan { dream_phases: 21, ..plan() },
        Plan { dream_phases: 6, ..plan() },
    ];
    for p in bad {
        assert!(run(&mut r, &p, Strategy::None, DreamSource::Own, &d, &d, 1, &mut ()).is_err(), "{p:?}");
    }
    let e = run(&mut r, &plan(), Strategy::Replay { per_class: 0 }, DreamSource::Own, &d, &d, 1, &mut ());
    assert!(e.is_err());
}

#[test]
fn a_context_whose_class_has_no_training_sample_is_an_error_not_a_panic() {
    let d = data();
    let few = d.take(5); // classes 0-4 only
    let mut r = Recorder::default();
    let e = run(&mut r, &plan(), Strategy::None, DreamSource::Own, &few, &d, 1, &mut ()).unwrap_err();
    assert!(r.batches.is_empty(), "refused before any update");
    assert!(matches!(e, Error::Config(ConfigError::Invalid { field: "contexts", .. })), "{e}");
    assert!(e.to_string().contains("class 5"), "{e}");
}

#[test]
fn a_share_near_one_still_leaves_the_context_a_sample() {
    let d = data();
    let mut r = Recorder::default();
    let p = Plan { memory_share: Some(0.99), ..plan() };
    let records = run(&mut r, &p, Strategy::Replay { per_class: 3 }, DreamSource::Own, &d, &d, 1, &mut ()).unwrap();
    assert_eq!(records[4].memory_share, 0.9);
    for (u, b) in r.batches.iter().enumerate() {
        assert!(b.iter().any(|(l, _)| (*l / 2) as usize == u / 20), "update {u}");
    }
}
