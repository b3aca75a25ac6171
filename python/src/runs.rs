//! Whole runs: the MNIST files, the toy experiments, a continual-learning run.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use astdp::data::mnist::Dataset;
use astdp::error::Error;
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::{Split, dataset, json, rows, settings, to_py};

/// The MNIST files of `path` (or `$ASTDP_MNIST_DIR`, else `data/mnist`): the first
/// `train` and `test` samples of each split as (images float32 n x 784 in [0, 1],
/// labels uint8) pairs, read with the GIL released.
#[pyfunction]
#[pyo3(signature = (path = None, train = usize::MAX, test = usize::MAX))]
pub(crate) fn load_mnist<'py>(
    py: Python<'py>,
    path: Option<PathBuf>,
    train: usize,
    test: usize,
) -> PyResult<(Split<'py>, Split<'py>)> {
    let (tr, te) = py.detach(|| astdp::data::mnist::load(path.as_deref(), train, test)).map_err(to_py)?;
    let split = |d: Dataset| -> PyResult<_> {
        let pixels = d.pixels();
        Ok((rows(py, d.images, pixels)?, d.labels.into_pyarray(py)))
    };
    Ok((split(tr)?, split(te)?))
}

/// A toy experiment of section 3.2 by name ("stdp_curve", "binocular_rivalry",
/// "neural_adaptation", "state_relationships") with `config` (JSON text of any of its
/// fields, merged over its defaults) for `seed`; its result as JSON text.
#[pyfunction]
pub(crate) fn toy(py: Python<'_>, name: &str, config: &str, seed: u64) -> PyResult<String> {
    use astdp::experiments::{adaptation, relationships, rivalry, stdp};
    fn over<T: Default + serde::Serialize + serde::de::DeserializeOwned>(text: &str) -> PyResult<T> {
        settings(text)
    }
    fn text<T: serde::Serialize>(r: Result<T, Error>) -> PyResult<String> {
        json(&r.map_err(to_py)?)
    }
    match name {
        "stdp_curve" => {
            let cfg: stdp::StdpConfig = over(config)?;
            text(py.detach(|| stdp::stdp_grid(&cfg)))
        }
        "binocular_rivalry" => {
            let cfg: rivalry::RivalryConfig = over(config)?;
            text(py.detach(|| rivalry::run(&cfg, seed)))
        }
        "neural_adaptation" => {
            let cfg: adaptation::AdaptationConfig = over(config)?;
            text(py.detach(|| adaptation::run(&cfg, seed)))
        }
        "state_relationships" => {
            let cfg: relationships::RelationsConfig = over(config)?;
            text(py.detach(|| relationships::run(&cfg, seed)))
        }
        other => Err(PyValueError::new_err(format!(
            "no toy {other:?}: give \"stdp_curve\", \"binocular_rivalry\", \"neural_adaptation\" or \"state_relationships\""
        ))),
    }
}

/// The full settings of `system` ("mnist" for the aSTDP trainer, or a toy experiment's
/// name) from `config`, JSON text of any of its fields merged over the defaults, checked
/// as the crate checks them before a run; as JSON text. Sweeps check every setting of a
/// study with it before any trial starts.
#[pyfunction]
pub(crate) fn full_config(system: &str, config: &str) -> PyResult<String> {
    use astdp::experiments::{adaptation, relationships, rivalry, stdp};
    use astdp::learners::MnistConfig;
    match system {
        "mnist" => {
            let cfg = settings::<MnistConfig>(config)?;
            cfg.clone().check().map_err(to_py)?;
            json(&cfg)
        }
        "stdp_curve" => json(&settings::<stdp::StdpConfig>(config)?),
        "binocular_rivalry" => json(&settings::<rivalry::RivalryConfig>(config)?),
        "neural_adaptation" => json(&settings::<adaptation::AdaptationConfig>(config)?),
        "state_relationships" => json(&settings::<relationships::RelationsConfig>(config)?),
        other => Err(PyValueError::new_err(format!(
            "no system {other:?}: give \"mnist\", \"stdp_curve\", \"binocular_rivalry\", \"neural_adaptation\" or \"state_relationships\""
        ))),
    }
}

/// A continual-learning run (the crate's `experiments::continual`): `config` is JSON text
/// of any fields of its `ContinualConfig` (the schema of `configs/continual/`), on the
/// given splits, memories kept in and read from `memories` if given; its result as JSON
/// text. The run goes on in its own threads with the GIL released; Ctrl-C stops it
/// within one weight update with `KeyboardInterrupt`, every file it wrote whole.
#[pyfunction]
#[pyo3(signature = (config, train_images, train_labels, test_images, test_labels, memories = None))]
pub(crate) fn continual(
    py: Python<'_>,
    config: &str,
    train_images: PyReadonlyArray2<'_, f32>,
    train_labels: PyReadonlyArray1<'_, u8>,
    test_images: PyReadonlyArray2<'_, f32>,
    test_labels: PyReadonlyArray1<'_, u8>,
    memories: Option<PathBuf>,
) -> PyResult<String> {
    use astdp::experiments::continual::{ContinualConfig, run_continual_until};
    let cfg: ContinualConfig = settings(config)?;
    let (train, test) = (dataset(&train_images, &train_labels)?, dataset(&test_images, &test_labels)?);
    let stop = AtomicBool::new(false);
    let mut interrupted: Option<PyErr> = None;
    let result = py.detach(|| {
        std::thread::scope(|scope| {
            let run = scope.spawn(|| run_continual_until(&cfg, &train, &test, memories.as_deref(), &stop));
            while !run.is_finished() {
                std::thread::sleep(Duration::from_millis(50));
                if interrupted.is_none()
                    && let Err(e) = Python::attach(|py| py.check_signals())
                {
                    interrupted = Some(e);
                    stop.store(true, Ordering::Relaxed);
                }
            }
            run.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    });
    if let Some(e) = interrupted {
        return Err(e);
    }
    json(&result.map_err(to_py)?)
}
