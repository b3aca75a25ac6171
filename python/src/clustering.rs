//! Clustering neurons and meta-clustering (the crate's `clustering`): one online pass
//! at a time, the generator of the draws and the order kept with the model.

use std::ops::ControlFlow;

use astdp::clustering::{Clusterer as RustClusterer, ClustererParams, Eta, MetaClusterer as RustMeta, MetaParams};
use astdp::error::ClusteringError;
use astdp::sim::SimRng;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use crate::{Guard, expect_width, flat, json, rows, to_py};

/// The settings of one clusterer: `k` neurons on `dim` inputs, `eta` constant or (None)
/// `1 / n_w`, exploring with probability `p_explore`.
fn clusterer_params(k: usize, dim: usize, eta: Option<f32>, p_explore: f32) -> ClustererParams {
    ClustererParams { eta: eta.map_or(Eta::InverseCount, Eta::Constant), p_explore, ..ClustererParams::new(k, dim) }
}

/// The stoppable pass a model is in, as the crate's `epoch` methods take it.
type Until<'a> = &'a mut dyn FnMut(usize, usize) -> ControlFlow<()>;

/// One online pass (`pass`, given the rows and the stop check) over `data` of width
/// `dim`, with the GIL released, Ctrl-C heard and `callback(done, total)` ten times a
/// second.
fn online_pass(
    py: Python<'_>,
    data: &PyReadonlyArray2<'_, f32>,
    dim: usize,
    callback: Option<Py<PyAny>>,
    pass: impl FnOnce(&[f32], Until<'_>) -> Result<ControlFlow<()>, ClusteringError> + Send,
) -> PyResult<()> {
    expect_width(data, dim, "X")?;
    let x = flat(data, "X")?;
    let mut guard = Guard::new();
    let result = py.detach(|| pass(x, &mut |done, n| guard.every(done, n, callback.as_ref())));
    guard.finish(result).map(drop)
}

/// A group of `k` clustering neurons doing online k-means (eq. C1-C2).
#[pyclass(module = "astdp._astdp")]
pub(crate) struct Clusterer {
    inner: RustClusterer,
    rng: SimRng,
}

#[pymethods]
impl Clusterer {
    /// `k` neurons on the width of `data`, their centres a k-means++ draw from `data`;
    /// the draws (start, order, exploration) from one generator seeded by `seed`, as the
    /// crate's clustering experiments do.
    #[new]
    #[pyo3(signature = (k, data, seed, eta = None, p_explore = 0.0))]
    fn new(
        py: Python<'_>,
        k: usize,
        data: PyReadonlyArray2<'_, f32>,
        seed: u64,
        eta: Option<f32>,
        p_explore: f32,
    ) -> PyResult<Self> {
        let params = clusterer_params(k, data.shape()[1], eta, p_explore).check().map_err(to_py)?;
        let x = flat(&data, "X")?;
        let mut rng = astdp::rng_from_seed(seed);
        let inner = py.detach(|| RustClusterer::from_data(params, x, &mut rng)).map_err(to_py)?;
        Ok(Clusterer { inner, rng })
    }

    /// Reads what `save` wrote; later passes draw from `seed`.
    #[staticmethod]
    fn load(path: std::path::PathBuf, seed: u64) -> PyResult<Self> {
        Ok(Clusterer { inner: RustClusterer::load(&path).map_err(to_py)?, rng: astdp::rng_from_seed(seed) })
    }

    /// Saves atomically (centres, wins, settings).
    fn save(&self, path: std::path::PathBuf) -> PyResult<()> {
        self.inner.save(&path).map_err(to_py)
    }

    /// One online pass over `data` in a shuffled order, each example presented (as spike
    /// events on the scheduler when `events`); `callback(done, total)` ten times a
    /// second; the GIL released, Ctrl-C heard.
    #[pyo3(signature = (data, events = false, callback = None))]
    fn epoch(
        &mut self,
        py: Python<'_>,
        data: PyReadonlyArray2<'_, f32>,
        events: bool,
        callback: Option<Py<PyAny>>,
    ) -> PyResult<()> {
        let (inner, rng) = (&mut self.inner, &mut self.rng);
        online_pass(py, &data, inner.params().dim, callback, |x, until| inner.epoch(x, rng, events, until))
    }

    /// The nearest neuron of each row (the first to fire; no exploration, no learning).
    fn nearest<'py>(&self, py: Python<'py>, data: PyReadonlyArray2<'_, f32>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let dim = self.inner.params().dim;
        expect_width(&data, dim, "X")?;
        let x = flat(&data, "X")?;
        let out: Vec<i64> = py.detach(|| x.chunks_exact(dim).map(|r| self.inner.nearest(r, None) as i64).collect());
        Ok(out.into_pyarray(py))
    }

    /// Squared distances of each row to every centre, `(n, k)`.
    fn sq_distances<'py>(
        &self,
        py: Python<'py>,
        data: PyReadonlyArray2<'_, f32>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let (dim, k) = (self.inner.params().dim, self.inner.params().k);
        expect_width(&data, dim, "X")?;
        let x = flat(&data, "X")?;
        let out: Vec<f32> = py.detach(|| x.chunks_exact(dim).flat_map(|r| self.inner.sq_distances(r, None)).collect());
        rows(py, out, k)
    }

    /// The centres, `(k, dim)` (a copy).
    fn centres<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        rows(py, self.inner.centres().to_vec(), self.inner.params().dim)
    }

    /// Examples won per neuron.
    fn wins<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        self.inner.wins().to_vec().into_pyarray(py)
    }

    /// The settings, as JSON text.
    fn config(&self) -> PyResult<String> {
        json(self.inner.params())
    }
}

/// `m` clusterers seeing the input through masks that compete for it (eq. M1-M4).
#[pyclass(module = "astdp._astdp")]
pub(crate) struct MetaClusterer {
    inner: RustMeta,
    rng: SimRng,
}

#[pymethods]
impl MetaClusterer {
    /// `m` clusterers of `k` neurons on the width of `data`, masks all `1 / m`, each
    /// clusterer's centres its own k-means++ draw from `data`; `lam`, `floor` and
    /// `lam_half_life` are eq. M2-M4's; every draw from one generator seeded by `seed`.
    #[new]
    #[pyo3(signature = (m, k, data, seed, eta = None, p_explore = 0.0, lam = 1.0, floor = 0.0, lam_half_life = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        m: usize,
        k: usize,
        data: PyReadonlyArray2<'_, f32>,
        seed: u64,
        eta: Option<f32>,
        p_explore: f32,
        lam: f32,
        floor: f32,
        lam_half_life: Option<f64>,
    ) -> PyResult<Self> {
        let params = MetaParams {
            clusterers: m,
            clusterer: clusterer_params(k, data.shape()[1], eta, p_explore),
            lambda: lam,
            floor,
            lambda_half_life: lam_half_life,
        }
        .check()
        .map_err(to_py)?;
        let x = flat(&data, "X")?;
        let mut rng = astdp::rng_from_seed(seed);
        let inner = py.detach(|| RustMeta::new(params, x, &mut rng)).map_err(to_py)?;
        Ok(MetaClusterer { inner, rng })
    }

    /// One online pass over `data` in a shuffled order: every clusterer competes through
    /// its mask, the winners learn, the masks move; as `Clusterer.epoch`.
    #[pyo3(signature = (data, events = false, callback = None))]
    fn epoch(
        &mut self,
        py: Python<'_>,
        data: PyReadonlyArray2<'_, f32>,
        events: bool,
        callback: Option<Py<PyAny>>,
    ) -> PyResult<()> {
        let dim = self.dim();
        let (inner, rng) = (&mut self.inner, &mut self.rng);
        online_pass(py, &data, dim, callback, |x, until| inner.epoch(x, rng, events, until))
    }

    /// Each clusterer's nearest neuron for each row, `(n, m)`.
    fn nearest<'py>(&self, py: Python<'py>, data: PyReadonlyArray2<'_, f32>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        let dim = self.dim();
        expect_width(&data, dim, "X")?;
        let x = flat(&data, "X")?;
        let out: Vec<i64> =
            py.detach(|| x.chunks_exact(dim).flat_map(|r| self.inner.nearest(r)).map(|w| w as i64).collect());
        rows(py, out, self.inner.params().clusterers)
    }

    /// Each row as the clusterers predict it, `sum_j m_j c_j`, `(n, dim)`.
    fn reconstruct<'py>(
        &self,
        py: Python<'py>,
        data: PyReadonlyArray2<'_, f32>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let dim = self.dim();
        expect_width(&data, dim, "X")?;
        let x = flat(&data, "X")?;
        let out: Vec<f32> = py.detach(|| x.chunks_exact(dim).flat_map(|r| self.inner.reconstruct(r)).collect());
        rows(py, out, dim)
    }

    /// The masks, `(m, dim)`.
    fn masks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        rows(py, self.inner.masks().to_vec(), self.dim())
    }

    /// Every clusterer's centres, `(m * k, dim)`, clusterer by clusterer.
    fn centres<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let all: Vec<f32> = self.inner.clusterers().iter().flat_map(|c| c.centres().iter().copied()).collect();
        rows(py, all, self.dim())
    }

    /// Examples presented so far.
    #[getter]
    fn seen(&self) -> u64 {
        self.inner.seen()
    }

    /// Input width.
    #[getter]
    fn dim(&self) -> usize {
        self.inner.params().clusterer.dim
    }
}
