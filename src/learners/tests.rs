use super::*;
use crate::error::{CheckpointError, ConfigError};

/// 12 images of 4x4 pixels, labels 0-5 twice, each image a pattern of its label.
fn data() -> Dataset {
    let images = (0..12 * 16).map(|i| (((i / 16) % 6 * 7 + i % 16) % 5) as f32 / 4.0).collect();
    Dataset { images, labels: (0..12).map(|i| (i % 6) as u8).collect(), rows: 4, cols: 4 }
}

fn settings<'a>(astdp: &'a ValidMnistConfig, mlp: &'a MlpConfig, cvae: &'a CvaeConfig) -> LearnerSettings<'a> {
    LearnerSettings { astdp, astdp_draws: false, mlp, cvae, cvae_batch: 4 }
}

fn tiny_astdp() -> ValidMnistConfig {
    MnistConfig { hidden: vec![5], batch: 3, free_iters: 3, clamped_iters: 3, test_iters: 3, ..MnistConfig::default() }
        .check()
        .unwrap()
}

#[test]
fn kinds_read_and_write_their_config_names() {
    for k in LearnerKind::ALL {
        let text = serde_json::to_string(&k).unwrap();
        assert_eq!(text, format!("\"{}\"", k.name()));
        assert_eq!(serde_json::from_str::<LearnerKind>(&text).unwrap(), k);
    }
    assert!(serde_json::from_str::<LearnerKind>("\"perceptron\"").is_err());
    assert!(LearnerKind::CvaeB.can_recall() && !LearnerKind::Mlp.can_recall());
    assert!(!LearnerKind::CvaeA.classifies() && LearnerKind::CvaeB.classifies());
}

/// Every learner this build has: built by kind, one update, saved, loaded back, and the
/// loaded one predicts (and recalls) exactly as the saved one.
#[test]
fn every_learner_saves_and_loads_to_the_same_predictions() {
    let (astdp, mlp, cvae) = (
        tiny_astdp(),
        MlpConfig { hidden: 6, batch: 3, ..MlpConfig::default() },
        CvaeConfig { hidden: 8, latent: 6, ..CvaeConfig::default() },
    );
    let d = data();
    let dir = std::env::temp_dir().join(format!("astdp-learners-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for kind in LearnerKind::ALL {
        let built = kind.build(&settings(&astdp, &mlp, &cvae), 16, 6, 7);
        if kind.cvae().is_some() && !cfg!(feature = "cvae") {
            let e = built.unwrap_err();
            assert!(matches!(e, Error::Config(ConfigError::FeatureMissing { .. })), "{kind}: {e}");
            continue;
        }
        let mut l = built.unwrap();
        assert_eq!(l.kind(), kind);
        assert!(l.describe().starts_with(kind.name()), "{}", l.describe());
        l.learn(&d, &[0, 1, 2, 3]).unwrap();
        let path = dir.join(format!("{kind}.json"));
        l.save(&path).unwrap();
        let back = kind.load(&path).unwrap();
        assert_eq!(back.predict(&d).unwrap(), l.predict(&d).unwrap(), "{kind}");
        assert_eq!(l.predict(&d).unwrap().is_some(), kind.classifies(), "{kind}");
        if kind.can_recall() {
            assert_eq!(back.recall(2, 3, 9, Variety::NONE).unwrap(), l.recall(2, 3, 9, Variety::NONE).unwrap());
        } else {
            assert!(matches!(l.recall(2, 3, 9, Variety::NONE), Err(Error::Learner(LearnerError::CannotRecall { .. }))));
        }
        // a file of another learner is refused, not misread
        let other = if kind == LearnerKind::Mlp { LearnerKind::Astdp } else { LearnerKind::Mlp };
        assert!(matches!(other.load(&path), Err(Error::Checkpoint(_))), "{kind} read as {other}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_damaged_learner_file_is_a_checkpoint_error() {
    let path = std::env::temp_dir().join(format!("astdp-learner-bad-{}.json", std::process::id()));
    std::fs::write(&path, b"{\"mlp\": ").unwrap();
    for kind in LearnerKind::ALL {
        let e = kind.load(&path).unwrap_err();
        assert!(
            matches!(e, Error::Checkpoint(CheckpointError::Format { .. } | CheckpointError::Mismatch { .. })),
            "{kind}: {e}"
        );
    }
    std::fs::remove_file(&path).unwrap();
}

/// A test pass runs on a copy of the simulation: training that tests after every batch
/// ends with the same weights, bit for bit, as training that never tests.
#[test]
fn testing_never_changes_training() {
    let d = data();
    let cfg = tiny_astdp();
    let mut quiet = Trainer::new(cfg.clone(), 16, 3).unwrap();
    let mut tested = Trainer::new(cfg, 16, 3).unwrap();
    assert!(tested.sim.config().fake_target.enabled, "the test draws fake targets");
    for b in [[0, 1, 2], [3, 4, 5], [6, 7, 8]] {
        Learner::learn(&mut quiet, &d, &b).unwrap();
        Learner::learn(&mut tested, &d, &b).unwrap();
        tested.evaluate(&d).unwrap();
        Learner::accuracy(&tested, &d).unwrap();
    }
    let bits = |t: &Trainer| -> Vec<u32> {
        t.sim.network().blocks.iter().flat_map(|b| b.w.iter().map(|w| w.to_bits())).collect()
    };
    assert_eq!(bits(&quiet), bits(&tested));
    assert_eq!(quiet.sim.now(), tested.sim.now());
}

/// A learner that records the batches it is given.
#[derive(Debug, Default)]
struct Recorder {
    batches: Vec<Vec<usize>>,
}

impl Learner for Recorder {
    fn kind(&self) -> LearnerKind {
        LearnerKind::Mlp
    }
    fn batch(&self) -> usize {
        5
    }
    fn learn(&mut self, _: &Dataset, batch: &[usize]) -> Result<(), Error> {
        self.batches.push(batch.to_vec());
        Ok(())
    }
    fn predict(&self, _: &Dataset) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }
    fn save(&self, _: &Path) -> Result<(), Error> {
        Ok(())
    }
    fn describe(&self) -> String {
        "recorder".into()
    }
}

#[test]
fn an_epoch_gives_every_sample_once_in_batches_and_stops_on_request() {
    let d = data();
    let mut r = Recorder::default();
    let mut done_seen = Vec::new();
    let flow = train_epoch(&mut r, &d, &mut crate::sim::rng_from_seed(1), &mut |done, total| {
        done_seen.push((done, total));
        ControlFlow::Continue(())
    })
    .unwrap();
    assert!(flow.is_continue());
    assert_eq!(r.batches.iter().map(Vec::len).collect::<Vec<_>>(), [5, 5, 2]);
    let mut all: Vec<usize> = r.batches.concat();
    assert_ne!(all, (0..12).collect::<Vec<_>>(), "the order is shuffled");
    all.sort_unstable();
    assert_eq!(all, (0..12).collect::<Vec<_>>());
    assert_eq!(done_seen, [(5, 12), (10, 12), (12, 12)]);
    let mut r = Recorder::default();
    let flow = train_epoch(&mut r, &d, &mut crate::sim::rng_from_seed(1), &mut |_, _| ControlFlow::Break(())).unwrap();
    assert!(flow.is_break() && r.batches.len() == 1);
}

#[test]
fn recall_settings_out_of_range_are_refused_before_recalling() {
    let t = Trainer::new(tiny_astdp(), 16, 1).unwrap();
    for bad in [
        Variety { init_spread: Some(f32::INFINITY), ..Variety::NONE },
        Variety { fake_k: Some(0.0), ..Variety::NONE },
        Variety { hidden_noise: f32::NAN, ..Variety::NONE },
        Variety { noise_share: 1.5, ..Variety::NONE },
    ] {
        let err = t.generate_with(&[1], 0, bad).unwrap_err().to_string();
        assert!(err.contains("config field"), "{err}");
    }
    assert!(t.generate_with(&[1], 0, Variety { init_spread: Some(0.5), ..Variety::NONE }).is_ok());
    assert_eq!(Variety::NONE.to_string(), "none");
}
