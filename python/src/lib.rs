//! The compiled half of the Python package `astdp`: a thin translation layer over the
//! crate. Arrays come in as contiguous `float32` images (one row each) and `uint8`
//! labels (the pure-Python half converts or refuses anything else, naming it) and go
//! out as numpy arrays that own the Rust data; settings come in as JSON text merged
//! over the crate's defaults, results go out as JSON text; long calls release the GIL,
//! check for Ctrl-C after every batch and report progress through a callback; a Rust
//! error becomes the Python exception of its kind with the crate's message.

use std::ops::ControlFlow;
use std::path::PathBuf;

use astdp::data::mnist::Dataset;
use astdp::error::{CheckpointError, DataError, Error, FileError};
use astdp::learners::{Learner, MlpConfig, MlpLearner, MnistConfig, Mode, Trainer as RustTrainer, Variety};
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// The Python exception for a crate error: missing files are `FileNotFoundError`, other
/// reading and writing `OSError`, bad settings or data `ValueError`, a run that diverged
/// `RuntimeError`; the message is the crate's, with its causes.
fn to_py(e: impl Into<Error>) -> PyErr {
    let e: Error = e.into();
    let msg = astdp::error::report(&e);
    let io_kind = |s: &std::io::Error| s.kind();
    match &e {
        Error::Data(DataError::NotFound(_)) => PyFileNotFoundError::new_err(msg),
        Error::Data(DataError::Io { source, .. })
        | Error::File(FileError::Io { source, .. })
        | Error::Checkpoint(CheckpointError::Io { source, .. }) => {
            if io_kind(source) == std::io::ErrorKind::NotFound {
                PyFileNotFoundError::new_err(msg)
            } else {
                PyOSError::new_err(msg)
            }
        }
        Error::Sim(_) => PyRuntimeError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}

/// A dataset from checked arrays: `images` (n, pixels) float32, `labels` (n,) uint8;
/// square images (MNIST's 28 x 28, or any side).
fn dataset(images: &PyReadonlyArray2<'_, f32>, labels: &PyReadonlyArray1<'_, u8>) -> PyResult<Dataset> {
    let labels = labels.as_slice().map_err(|e| PyValueError::new_err(format!("labels: {e}")))?.to_vec();
    with_labels(images, labels)
}

/// Images without labels (for predicting): labels 0, never read.
fn images_only(images: &PyReadonlyArray2<'_, f32>) -> PyResult<Dataset> {
    with_labels(images, vec![0; images.shape()[0]])
}

fn with_labels(images: &PyReadonlyArray2<'_, f32>, labels: Vec<u8>) -> PyResult<Dataset> {
    let (n, pixels) = (images.shape()[0], images.shape()[1]);
    if labels.len() != n {
        return Err(PyValueError::new_err(format!("{n} images but {} labels: give one label per image", labels.len())));
    }
    let side = (pixels as f64).sqrt().round() as usize;
    if side * side != pixels {
        return Err(PyValueError::new_err(format!("images of {pixels} pixels are not square: give n x 784 for MNIST")));
    }
    let images = images.as_slice().map_err(|e| PyValueError::new_err(format!("images: {e}")))?.to_vec();
    Ok(Dataset { images, labels, rows: side, cols: side })
}

/// Rows of `pixels` floats as an (n, pixels) numpy array that owns them.
fn rows<'py>(py: Python<'py>, flat: Vec<f32>, pixels: usize) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let n = flat.len().checked_div(pixels).unwrap_or(0);
    flat.into_pyarray(py).reshape([n, pixels])
}

/// Trains one epoch with the GIL released, checking for Ctrl-C and calling
/// `callback(epoch, done, total, metric)` after every batch (with the GIL). Returns the
/// epoch's metric, or the Python error that stopped it.
fn epoch_with_signals(
    py: Python<'_>,
    t: &mut RustTrainer,
    data: &Dataset,
    mode: Mode,
    callback: Option<&Py<PyAny>>,
) -> PyResult<f64> {
    let epoch = t.epochs_done + 1;
    let mut stopped: Option<PyErr> = None;
    let result = py.detach(|| {
        t.train_epoch_until(data, mode, &mut |done, total, metric| {
            Python::attach(|py| {
                let outcome = py.check_signals().and_then(|()| {
                    callback.map_or(Ok(()), |cb| cb.call1(py, (epoch, done, total, metric)).map(|_| ()))
                });
                match outcome {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(e) => {
                        stopped = Some(e);
                        ControlFlow::Break(())
                    }
                }
            })
        })
    });
    if let Some(e) = stopped {
        return Err(e);
    }
    result.map_err(to_py)?.ok_or_else(|| PyRuntimeError::new_err("the epoch stopped without a cause"))
}

/// A block of weights for Python: `(receiving layer, sending layer, post x pre array)`.
type Block<'py> = (usize, usize, Bound<'py, PyArray2<f32>>);

/// The aSTDP trainer (the crate's `learners::astdp::Trainer`): a layered net of
/// `pixels - hidden - 10` trained by supervised aSTDP.
#[pyclass(module = "astdp._astdp")]
struct Trainer {
    inner: RustTrainer,
}

#[pymethods]
impl Trainer {
    /// A new net for images of `pixels` values: `config` is JSON text of any fields of
    /// the crate's `MnistConfig` (merged over its defaults), weights from `seed`.
    #[new]
    fn new(config: &str, pixels: usize, seed: u64) -> PyResult<Self> {
        let cfg: MnistConfig = astdp::config::from_json_over(&MnistConfig::default(), config)
            .map_err(|e| PyValueError::new_err(format!("config: {e}")))?;
        let cfg = cfg.check().map_err(to_py)?;
        Ok(Trainer { inner: RustTrainer::new(cfg, pixels, seed).map_err(to_py)? })
    }

    /// Reads a checkpoint written by `save` (or by the crate's `mnist --save`).
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        Ok(Trainer { inner: RustTrainer::load(&path).map_err(to_py)? })
    }

    /// Saves atomically: a crash or Ctrl-C leaves the file as it was or whole.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        self.inner.save(&path).map_err(to_py)
    }

    /// One epoch over the samples in the trainer's shuffled order (Algorithm 2, or the
    /// `mode` given: "supervised", "unsupervised", "self-supervised", "output-only",
    /// "decoder"); returns the epoch's metric.
    #[pyo3(signature = (images, labels, mode = "supervised", callback = None))]
    fn train_epoch(
        &mut self,
        py: Python<'_>,
        images: PyReadonlyArray2<'_, f32>,
        labels: PyReadonlyArray1<'_, u8>,
        mode: &str,
        callback: Option<Py<PyAny>>,
    ) -> PyResult<f64> {
        let data = dataset(&images, &labels)?;
        let mode: Mode = serde_json::from_value(serde_json::Value::String(mode.into())).map_err(|_| {
            PyValueError::new_err(format!(
                "mode {mode:?}: give \"supervised\", \"unsupervised\", \"self-supervised\", \"output-only\" or \"decoder\""
            ))
        })?;
        epoch_with_signals(py, &mut self.inner, &data, mode, callback.as_ref())
    }

    /// The class of each image (the test pass: it never changes the trainer).
    fn predict<'py>(&self, py: Python<'py>, images: PyReadonlyArray2<'_, f32>) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let data = images_only(&images)?;
        let p = py.detach(|| self.inner.predict(&data)).map_err(to_py)?;
        Ok(p.into_pyarray(py))
    }

    /// The test pass's figures (accuracy, the step counts, accuracy at each read-out
    /// tick) as JSON text.
    fn evaluate(
        &self,
        py: Python<'_>,
        images: PyReadonlyArray2<'_, f32>,
        labels: PyReadonlyArray1<'_, u8>,
    ) -> PyResult<String> {
        let data = dataset(&images, &labels)?;
        let ev = py.detach(|| self.inner.evaluate(&data)).map_err(to_py)?;
        serde_json::to_string(&ev).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// `len(labels)` images recalled with each label clamped (figure 2), from `seed`;
    /// `variety` is JSON text of the crate's `Variety` (empty: none).
    #[pyo3(signature = (labels, seed = 0, variety = ""))]
    fn generate<'py>(
        &self,
        py: Python<'py>,
        labels: PyReadonlyArray1<'_, u8>,
        seed: u64,
        variety: &str,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let variety: Variety = if variety.is_empty() {
            Variety::NONE
        } else {
            serde_json::from_str(variety).map_err(|e| PyValueError::new_err(format!("variety: {e}")))?
        };
        let labels = labels.as_slice().map_err(|e| PyValueError::new_err(format!("labels: {e}")))?.to_vec();
        if let Some(&l) = labels.iter().find(|&&l| l >= 10) {
            return Err(PyValueError::new_err(format!("label {l}: give labels 0-9")));
        }
        let pixels = self.inner.sim.network().topology.layers()[0].size;
        let images = py.detach(|| self.inner.generate_many(&labels, seed, variety)).map_err(to_py)?;
        let images = images.concat();
        rows(py, images, pixels)
    }

    /// The settings, as JSON text.
    fn config(&self) -> PyResult<String> {
        serde_json::to_string(self.inner.config()).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Epochs completed.
    #[getter]
    fn epochs_done(&self) -> usize {
        self.inner.epochs_done
    }

    /// Training samples seen so far.
    #[getter]
    fn samples_seen(&self) -> u64 {
        self.inner.samples_seen
    }

    /// The seed the net was made from.
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// The weights of each block as `(post layer, pre layer, array post x pre)`.
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Vec<Block<'py>>> {
        let net = self.inner.sim.network();
        let layers = net.topology.layers();
        net.blocks.iter().map(|b| Ok((b.post, b.pre, rows(py, b.w.clone(), layers[b.pre].size)?))).collect()
    }
}

/// The backprop MLP (the crate's `learners::mlp`), the same shape as the trainer.
#[pyclass(module = "astdp._astdp")]
struct Mlp {
    inner: MlpLearner,
    rng: astdp::SimRng,
}

#[pymethods]
impl Mlp {
    /// A new `pixels - hidden - classes` net: `config` is JSON text of any fields of the
    /// crate's `MlpConfig`, weights from `seed`; epochs shuffle with a generator seeded
    /// by `seed` too.
    #[new]
    fn new(config: &str, pixels: usize, classes: usize, seed: u64) -> PyResult<Self> {
        let cfg: MlpConfig = astdp::config::from_json_over(&MlpConfig::default(), config)
            .map_err(|e| PyValueError::new_err(format!("config: {e}")))?;
        let inner = MlpLearner::new(cfg, pixels, classes, seed).map_err(to_py)?;
        Ok(Mlp { inner, rng: astdp::rng_from_seed(seed.wrapping_add(1)) })
    }

    /// Reads what `save` wrote.
    #[staticmethod]
    fn load(path: PathBuf, seed: u64) -> PyResult<Self> {
        let inner = MlpLearner::load(&path).map_err(to_py)?;
        Ok(Mlp { inner, rng: astdp::rng_from_seed(seed.wrapping_add(1)) })
    }

    /// Saves atomically.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        self.inner.save(&path).map_err(to_py)
    }

    /// One epoch of minibatch SGD in a shuffled order; returns the mean loss.
    fn train_epoch(
        &mut self,
        py: Python<'_>,
        images: PyReadonlyArray2<'_, f32>,
        labels: PyReadonlyArray1<'_, u8>,
    ) -> PyResult<f64> {
        let data = dataset(&images, &labels)?;
        let (mlp, cfg, rng) = (&mut self.inner.mlp, &self.inner.cfg, &mut self.rng);
        let loss = py.detach(|| mlp.train_epoch(&data, cfg, rng)).map_err(to_py)?;
        py.check_signals()?;
        Ok(loss)
    }

    /// The class of each image.
    fn predict<'py>(&self, py: Python<'py>, images: PyReadonlyArray2<'_, f32>) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let data = images_only(&images)?;
        let p = py.detach(|| self.inner.predict(&data)).map_err(to_py)?.unwrap_or_default();
        Ok(p.into_pyarray(py))
    }

    /// The settings, as JSON text.
    fn config(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner.cfg).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }
}

/// One split for Python: images (n x pixels) and labels.
type Split<'py> = (Bound<'py, PyArray2<f32>>, Bound<'py, PyArray1<u8>>);

/// The MNIST files of `path` (or `$ASTDP_MNIST_DIR`, else `data/mnist`): the first
/// `train` and `test` samples of each split as (images float32 n x 784 in [0, 1],
/// labels uint8) pairs, read with the GIL released.
#[pyfunction]
#[pyo3(signature = (path = None, train = usize::MAX, test = usize::MAX))]
fn load_mnist<'py>(
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
fn toy(py: Python<'_>, name: &str, config: &str, seed: u64) -> PyResult<String> {
    use astdp::experiments::{adaptation, relationships, rivalry, stdp};
    fn over<T: Default + serde::Serialize + serde::de::DeserializeOwned>(text: &str) -> PyResult<T> {
        astdp::config::from_json_over(&T::default(), text).map_err(|e| PyValueError::new_err(format!("config: {e}")))
    }
    fn text<T: serde::Serialize>(r: Result<T, Error>) -> PyResult<String> {
        serde_json::to_string(&r.map_err(to_py)?).map_err(|e| PyRuntimeError::new_err(e.to_string()))
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

/// The compiled module `astdp._astdp`.
#[pymodule]
fn _astdp(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Trainer>()?;
    m.add_class::<Mlp>()?;
    m.add_function(wrap_pyfunction!(load_mnist, m)?)?;
    m.add_function(wrap_pyfunction!(toy, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
