//! The learners: the aSTDP trainer, the MLP and the conditional VAEs, each one epoch at a
//! time (the Python estimators loop over epochs).

use std::path::PathBuf;

use astdp::data::mnist::Dataset;
use astdp::learners::{
    CvaeConfig, CvaeLearner, Learner, MlpLearner, MnistConfig, Mode, Trainer as RustTrainer, Variety,
};
use astdp::sim::SimRng;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::{Guard, dataset, images_only, json, rows, settings, to_py};

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
    let mut guard = Guard::new();
    let result = py.detach(|| {
        t.train_epoch_until(data, mode, &mut |done, total, metric| {
            guard.check(|py| callback.map_or(Ok(()), |cb| cb.call1(py, (epoch, done, total, metric)).map(drop)))
        })
    });
    guard.finish(result)?.ok_or_else(|| PyRuntimeError::new_err("the epoch stopped without a cause"))
}

/// A training mode by its name in the crate's configs.
fn parse_mode(mode: &str) -> PyResult<Mode> {
    serde_json::from_value(serde_json::Value::String(mode.into())).map_err(|_| {
        PyValueError::new_err(format!(
            "mode {mode:?}: give \"supervised\", \"unsupervised\", \"self-supervised\", \"output-only\" or \"decoder\""
        ))
    })
}

/// A block of weights for Python: `(receiving layer, sending layer, post x pre array)`.
type Block<'py> = (usize, usize, Bound<'py, PyArray2<f32>>);

/// The aSTDP trainer (the crate's `learners::astdp::Trainer`): a layered net of
/// `pixels - hidden - 10` trained by supervised aSTDP.
#[pyclass(module = "astdp._astdp")]
pub(crate) struct Trainer {
    inner: RustTrainer,
}

#[pymethods]
impl Trainer {
    /// A new net for images of `pixels` values: `config` is JSON text of any fields of
    /// the crate's `MnistConfig` (merged over its defaults), weights from `seed`.
    #[new]
    fn new(config: &str, pixels: usize, seed: u64) -> PyResult<Self> {
        let cfg = settings::<MnistConfig>(config)?.check().map_err(to_py)?;
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
        let mode = parse_mode(mode)?;
        epoch_with_signals(py, &mut self.inner, &data, mode, callback.as_ref())
    }

    /// One epoch as the crate's `mnist` example runs it: training (as `train_epoch`),
    /// then the test on (test_images, test_labels) and of the weight average if kept; the
    /// epoch's record goes into the trainer's history (kept by `save`) and is returned as
    /// JSON text.
    #[pyo3(signature = (images, labels, test_images, test_labels, mode = "supervised", callback = None))]
    #[allow(clippy::too_many_arguments)]
    fn tested_epoch(
        &mut self,
        py: Python<'_>,
        images: PyReadonlyArray2<'_, f32>,
        labels: PyReadonlyArray1<'_, u8>,
        test_images: PyReadonlyArray2<'_, f32>,
        test_labels: PyReadonlyArray1<'_, u8>,
        mode: &str,
        callback: Option<Py<PyAny>>,
    ) -> PyResult<String> {
        let (data, test) = (dataset(&images, &labels)?, dataset(&test_images, &test_labels)?);
        let mode = parse_mode(mode)?;
        let epoch = self.inner.epochs_done + 1;
        let mut guard = Guard::new();
        let t = &mut self.inner;
        let result = py.detach(|| {
            astdp::experiments::mnist::tested_epoch(t, mode, &data, &test, &mut |done, total, metric| {
                guard.check(|py| {
                    callback.as_ref().map_or(Ok(()), |cb| cb.call1(py, (epoch, done, total, metric)).map(drop))
                })
            })
        });
        let record =
            guard.finish(result)?.ok_or_else(|| PyRuntimeError::new_err("the epoch stopped without a cause"))?;
        let text = json(&record)?;
        self.inner.history.push(record);
        Ok(text)
    }

    /// The crate's results report (the schema of `results/`) of the run so far: the last
    /// tested epoch's figures, the history, the settings; `run_mode` "supervised",
    /// "unsupervised" or "selfsupervised" (the report's names); `wall_s` the run's time in all.
    fn report(
        &self,
        run_mode: &str,
        train_samples: usize,
        test_samples: usize,
        wall_s: f64,
        command: String,
    ) -> PyResult<String> {
        let run_mode: astdp::results::RunMode = serde_json::from_value(serde_json::Value::String(run_mode.into()))
            .map_err(|e| PyValueError::new_err(format!("run mode {run_mode:?}: {e}")))?;
        let h = &self.inner.history;
        let last = h.iter().rev().find_map(|r| r.test.clone().map(|ev| (ev, r.test_averaged.clone())));
        let last = last.ok_or_else(|| PyValueError::new_err("no tested epoch yet: train with tested_epoch first"))?;
        let walls: f64 = h.iter().filter_map(|r| r.train_wall_s).sum();
        let speed = if walls > 0.0 { (train_samples * h.len()) as f64 / walls } else { 0.0 };
        let r = astdp::experiments::mnist::report(
            &self.inner,
            run_mode,
            (train_samples, test_samples),
            last,
            wall_s,
            speed,
            command,
        );
        json(&r)
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
        json(&ev)
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
        json(self.inner.config())
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
pub(crate) struct Mlp {
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
        let inner = MlpLearner::new(settings(config)?, pixels, classes, seed).map_err(to_py)?;
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
        json(&self.inner.cfg)
    }
}

/// Labels 0-9 as a vector, refusing any other.
fn labels_0_9(labels: &PyReadonlyArray1<'_, u8>, classes: usize) -> PyResult<Vec<u8>> {
    let labels = labels.as_slice().map_err(|e| PyValueError::new_err(format!("labels: {e}")))?.to_vec();
    if let Some(&l) = labels.iter().find(|&&l| l as usize >= classes) {
        return Err(PyValueError::new_err(format!("label {l}: give labels 0-{}", classes - 1)));
    }
    Ok(labels)
}

/// A conditional VAE of memory association (the crate's `learners::cvae`): type "a"
/// (the label in encoder and decoder: it recalls, it does not classify) or "b" (its
/// encoder classifies).
#[pyclass(module = "astdp._astdp")]
pub(crate) struct Cvae {
    inner: CvaeLearner,
    /// The order of the epochs.
    rng: SimRng,
    classes: usize,
}

#[pymethods]
impl Cvae {
    /// A new `pixels - hidden - latent - hidden - pixels` net: `config` is JSON text of
    /// any fields of the crate's `CvaeConfig` (its `kind` "a" or "b"), `batch` samples
    /// per Adam step, weights and noise from `seed`, the epochs' order from `seed + 1`.
    #[new]
    fn new(config: &str, batch: usize, pixels: usize, classes: usize, seed: u64) -> PyResult<Self> {
        let cfg: CvaeConfig = settings(config)?;
        let inner = CvaeLearner::new(cfg, batch, pixels, classes, seed).map_err(to_py)?;
        Ok(Cvae { inner, rng: astdp::rng_from_seed(seed.wrapping_add(1)), classes })
    }

    /// Reads what `save` wrote (`seed` orders the later epochs).
    #[staticmethod]
    fn load(path: PathBuf, seed: u64) -> PyResult<Self> {
        let inner = CvaeLearner::load(&path).map_err(to_py)?;
        let classes = inner.shape().1;
        Ok(Cvae { inner, rng: astdp::rng_from_seed(seed.wrapping_add(1)), classes })
    }

    /// Saves atomically.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        self.inner.save(&path).map_err(to_py)
    }

    /// One epoch of Adam steps over the samples in a shuffled order, with the GIL
    /// released; `callback(done, total)` after every batch; Ctrl-C stops it.
    #[pyo3(signature = (images, labels, callback = None))]
    fn train_epoch(
        &mut self,
        py: Python<'_>,
        images: PyReadonlyArray2<'_, f32>,
        labels: PyReadonlyArray1<'_, u8>,
        callback: Option<Py<PyAny>>,
    ) -> PyResult<()> {
        let data = dataset(&images, &labels)?;
        labels_0_9(&labels, self.classes)?;
        let mut guard = Guard::new();
        let (inner, rng) = (&mut self.inner, &mut self.rng);
        let result = py.detach(|| {
            astdp::learners::train_epoch(inner, &data, rng, &mut |done, total| {
                guard.check(|py| callback.as_ref().map_or(Ok(()), |cb| cb.call1(py, (done, total)).map(drop)))
            })
        });
        guard.finish(result).map(drop)
    }

    /// The class of each image (type B's encoder); type A cannot classify.
    fn predict<'py>(&self, py: Python<'py>, images: PyReadonlyArray2<'_, f32>) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let data = images_only(&images)?;
        match py.detach(|| self.inner.predict(&data)).map_err(to_py)? {
            Some(p) => Ok(p.into_pyarray(py)),
            None => Err(PyValueError::new_err(
                "a type A CVAE does not classify (its encoder needs the label): use kind \"b\"",
            )),
        }
    }

    /// One image per label, recalled by the decoder from the prior of its class, the
    /// noise from `seed` (the same seed, the same images).
    #[pyo3(signature = (labels, seed = 0))]
    fn generate<'py>(
        &self,
        py: Python<'py>,
        labels: PyReadonlyArray1<'_, u8>,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let labels = labels_0_9(&labels, self.classes)?;
        let pixels = self.pixels();
        let images = py
            .detach(|| -> Result<Vec<f32>, astdp::error::Error> {
                let mut out = vec![0.0; labels.len() * pixels];
                for c in 0..self.classes as u8 {
                    let at: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
                    if at.is_empty() {
                        continue;
                    }
                    let drawn = self.inner.recall(c, at.len(), seed.wrapping_add(c as u64), Variety::NONE)?;
                    for (i, image) in at.into_iter().zip(drawn) {
                        out[i * pixels..(i + 1) * pixels].copy_from_slice(&image);
                    }
                }
                Ok(out)
            })
            .map_err(to_py)?;
        rows(py, images, pixels)
    }

    /// Values per image.
    #[getter]
    fn pixels(&self) -> usize {
        self.inner.shape().0
    }

    /// The settings, as JSON text.
    fn config(&self) -> PyResult<String> {
        json(self.inner.config())
    }
}
