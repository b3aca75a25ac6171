//! AI-Memory1 (the crate's `memory1`) and the short-term memory of memory association
//! (`association::short_term`).

use astdp::association::ShortTermMemory as RustShortTerm;
use astdp::memory1::{Memory, Memory1 as RustMemory1, Memory1Config, Unobserved, learn_until};
use astdp::sim::SimRng;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::{Guard, Split, expect_width, flat, json, rows, settings, to_py};

/// An AI-Memory1 network: convolution layers whose features are made from one image,
/// compete, and pass from short- to long-term memory (no gradients, no labels).
#[pyclass(module = "astdp._astdp")]
pub(crate) struct Memory1 {
    inner: RustMemory1,
}

impl Memory1 {
    fn layer(&self, layer: usize) -> PyResult<&astdp::memory1::Layer> {
        let n = self.inner.layers.len();
        self.inner.layers.get(layer).ok_or_else(|| PyValueError::new_err(format!("layer {layer}: this net has {n}")))
    }

    /// Values of one input image (the first layer's channels x height x width).
    fn input_width(&self) -> usize {
        let p = &self.inner.config.layers[0];
        p.channels * p.input.0 * p.input.1
    }
}

#[pymethods]
impl Memory1 {
    /// Every slot free: `config` is JSON text of any fields of the crate's
    /// `Memory1Config` (default: the shipped conv1 + conv2 net on 28 x 28 images).
    #[new]
    fn new(config: &str) -> PyResult<Self> {
        let cfg: Memory1Config = settings(config)?;
        Ok(Memory1 { inner: RustMemory1::new(cfg.validate().map_err(to_py)?) })
    }

    /// Reads what `save` (or the crate's `ai_memory1 --save`) wrote.
    #[staticmethod]
    fn load(path: std::path::PathBuf) -> PyResult<Self> {
        Ok(Memory1 { inner: RustMemory1::load(&path).map_err(to_py)? })
    }

    /// Saves atomically: settings, weights, states, negative totals, counters.
    fn save(&self, path: std::path::PathBuf) -> PyResult<()> {
        self.inner.save(&path).map_err(to_py)
    }

    /// `Learn(dataset)` of the spec: every layer's phase in turn (its `steps` images,
    /// taken in order from `images` and wrapping), then its end-of-phase trim; the GIL
    /// released, `callback(step, steps)` ten times a second, Ctrl-C heard (the net is
    /// left as the last step made it). Returns the steps run.
    #[pyo3(signature = (images, callback = None))]
    fn learn(
        &mut self,
        py: Python<'_>,
        images: PyReadonlyArray2<'_, f32>,
        callback: Option<Py<PyAny>>,
    ) -> PyResult<u64> {
        let width = self.input_width();
        expect_width(&images, width, "images")?;
        let x = flat(&images, "images")?;
        let images: Vec<&[f32]> = x.chunks_exact(width).collect();
        let mut guard = Guard::new();
        let net = &mut self.inner;
        let result = py.detach(|| {
            learn_until(net, &images, &mut Unobserved, None, &mut |t, end| {
                guard.every(t as usize + 1, end as usize, callback.as_ref())
            })
        });
        guard.finish(result)
    }

    /// The output of `layer` for each image (layers before it run, nothing learns):
    /// `(n, features * height * width)`, a cell's output where its feature won, else 0.
    fn forward<'py>(
        &self,
        py: Python<'py>,
        images: PyReadonlyArray2<'_, f32>,
        layer: usize,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let width = self.input_width();
        expect_width(&images, width, "images")?;
        let l = self.layer(layer)?;
        let out_width = l.params.features * l.cells();
        let (x, n) = (flat(&images, "images")?, images.shape()[0]);
        let out = py
            .detach(|| -> Result<Vec<f32>, astdp::error::Memory1Error> {
                let mut out = Vec::with_capacity(n * out_width);
                for image in x.chunks_exact(width) {
                    out.extend(self.inner.forward(image, layer)?.pop().map(|f| f.output).unwrap_or_default());
                }
                Ok(out)
            })
            .map_err(to_py)?;
        rows(py, out, out_width)
    }

    /// `layer`'s feature weights, `(features, channels * kernel * kernel)`.
    fn features<'py>(&self, py: Python<'py>, layer: usize) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let l = self.layer(layer)?;
        rows(py, l.weights.clone(), l.params.dim())
    }

    /// `layer`'s slot states: 0 free, 1 short-term, 2 long-term.
    fn states<'py>(&self, py: Python<'py>, layer: usize) -> PyResult<Bound<'py, PyArray1<u8>>> {
        let s: Vec<u8> = self.layer(layer)?.state.iter().map(|m| *m as u8).collect();
        Ok(s.into_pyarray(py))
    }

    /// `layer`'s running totals as JSON text: created, forgotten (and by the memory
    /// test), refused, and its free/short/long slots now.
    fn totals(&self, layer: usize) -> PyResult<String> {
        let l = self.layer(layer)?;
        json(&serde_json::json!({
            "created": l.created_total, "forgotten": l.forgotten_total, "forgotten_by_test": l.forgotten_by_test,
            "refused": l.refused_total, "free": l.count(Memory::Free), "short": l.count(Memory::Short),
            "long": l.count(Memory::Long),
        }))
    }

    /// The settings, as JSON text.
    fn config(&self) -> PyResult<String> {
        json(&self.inner.config)
    }
}

/// One bounded first-in-first-out queue of images per class, drawn from balanced over
/// the classes present (paper section 3.1, eq. 1).
#[pyclass(module = "astdp._astdp")]
pub(crate) struct ShortTermMemory {
    inner: RustShortTerm<Vec<f32>>,
    width: Option<usize>,
    rng: SimRng,
}

#[pymethods]
impl ShortTermMemory {
    /// `classes` queues of at most `capacity` images; draws from `seed`.
    #[new]
    #[pyo3(signature = (classes, capacity, seed = 0))]
    fn new(classes: usize, capacity: usize, seed: u64) -> PyResult<Self> {
        let inner = RustShortTerm::new(classes, capacity).map_err(to_py)?;
        Ok(ShortTermMemory { inner, width: None, rng: astdp::rng_from_seed(seed) })
    }

    /// Stores each image under its label, in order, a full queue dropping its oldest;
    /// returns how many were dropped.
    fn push(&mut self, images: PyReadonlyArray2<'_, f32>, labels: PyReadonlyArray1<'_, u8>) -> PyResult<usize> {
        let width = *self.width.get_or_insert(images.shape()[1]);
        expect_width(&images, width, "images")?;
        let labels = labels.as_slice().map_err(|e| PyValueError::new_err(format!("labels: {e}")))?;
        if labels.len() != images.shape()[0] {
            return Err(PyValueError::new_err("give one label per image"));
        }
        let x = flat(&images, "images")?;
        let mut dropped = 0;
        for (image, &l) in x.chunks_exact(width).zip(labels) {
            dropped += usize::from(self.inner.push(l as usize, image.to_vec()).map_err(to_py)?.is_some());
        }
        Ok(dropped)
    }

    /// `batch` draws with replacement, balanced over the classes present: `(images,
    /// labels)`.
    fn sample<'py>(&mut self, py: Python<'py>, batch: usize) -> PyResult<Split<'py>> {
        let drawn = self.inner.sample_balanced(batch, &mut self.rng).map_err(to_py)?;
        let labels: Vec<u8> = drawn.iter().map(|(l, _)| *l as u8).collect();
        let images: Vec<f32> = drawn.iter().flat_map(|(_, x)| x.iter().copied()).collect();
        Ok((rows(py, images, self.width.unwrap_or(0))?, labels.into_pyarray(py)))
    }

    /// Images held per class.
    fn counts<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        let c: Vec<u64> = self.inner.counts().into_iter().map(|c| c as u64).collect();
        c.into_pyarray(py)
    }

    /// Images ever pushed per class.
    fn pushed<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        self.inner.pushed().to_vec().into_pyarray(py)
    }

    /// The most images a queue holds.
    #[getter]
    fn capacity(&self) -> usize {
        self.inner.capacity()
    }
}
