//! The compiled half of the Python package `astdp`: a thin translation layer over the
//! crate. Arrays come in as contiguous `float32` rows (one image or example each) and
//! `uint8` labels (the pure-Python half converts or refuses anything else, naming it)
//! and go out as numpy arrays that own the Rust data; settings come in as JSON text
//! merged over the crate's defaults, results go out as JSON text; long calls release the
//! GIL, check for Ctrl-C as they go and report progress through a callback; a Rust error
//! becomes the Python exception of its kind with the crate's message.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use astdp::data::mnist::Dataset;
use astdp::error::{CheckpointError, DataError, Error, FileError};
use numpy::{IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyFileNotFoundError, PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

mod clustering;
mod learners;
mod memory;
mod runs;

/// The Python exception for a crate error: missing files are `FileNotFoundError`, other
/// reading and writing `OSError`, bad settings or data `ValueError`, a run that diverged
/// `RuntimeError`, a run stopped on request `KeyboardInterrupt`; the message is the
/// crate's, with its causes.
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
        Error::Interrupted => PyKeyboardInterrupt::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}

/// Settings of type `T`: `text` (JSON of any of its fields) merged over its defaults.
fn settings<T: Default + serde::Serialize + serde::de::DeserializeOwned>(text: &str) -> PyResult<T> {
    astdp::config::from_json_over(&T::default(), text).map_err(|e| PyValueError::new_err(format!("config: {e}")))
}

/// `value` as JSON text.
fn json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// The rows of a checked array as one slice (`n x width` row-major).
fn flat<'a>(a: &'a PyReadonlyArray2<'_, f32>, name: &str) -> PyResult<&'a [f32]> {
    a.as_slice().map_err(|e| PyValueError::new_err(format!("{name}: {e}")))
}

/// Refuses rows of the wrong width, naming what was expected.
fn expect_width(a: &PyReadonlyArray2<'_, f32>, width: usize, name: &str) -> PyResult<()> {
    let found = a.shape()[1];
    if found != width {
        return Err(PyValueError::new_err(format!("{name} has rows of {found} values: this model takes {width}")));
    }
    Ok(())
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
    let images = flat(images, "images")?.to_vec();
    Ok(Dataset { images, labels, rows: side, cols: side })
}

/// Images (n x pixels) and their labels, for Python.
type Split<'py> = (Bound<'py, PyArray2<f32>>, Bound<'py, numpy::PyArray1<u8>>);

/// Rows of `width` values as an (n, width) numpy array that owns them.
fn rows<T: numpy::Element>(py: Python<'_>, flat: Vec<T>, width: usize) -> PyResult<Bound<'_, PyArray2<T>>> {
    let n = flat.len().checked_div(width).unwrap_or(0);
    flat.into_pyarray(py).reshape([n, width])
}

/// Lets a Rust loop run with the GIL released while Python is still heard: at each
/// check it takes the GIL, asks for pending signals (Ctrl-C) and runs the progress
/// report; the first Python error stops the loop (`Break`) and is raised by `finish`.
struct Guard {
    stopped: Option<PyErr>,
    last: Instant,
}

impl Guard {
    fn new() -> Guard {
        Guard { stopped: None, last: Instant::now() }
    }

    /// Checks now.
    fn check(&mut self, report: impl FnOnce(Python<'_>) -> PyResult<()>) -> ControlFlow<()> {
        self.last = Instant::now();
        Python::attach(|py| match py.check_signals().and_then(|()| report(py)) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.stopped = Some(e);
                ControlFlow::Break(())
            }
        })
    }

    /// Checks at most ten times a second (for loops whose steps take microseconds),
    /// and always at the last step.
    fn every(&mut self, done: usize, total: usize, callback: Option<&Py<PyAny>>) -> ControlFlow<()> {
        if done < total && self.last.elapsed() < Duration::from_millis(100) {
            return ControlFlow::Continue(());
        }
        self.check(|py| callback.map_or(Ok(()), |cb| cb.call1(py, (done, total)).map(drop)))
    }

    /// The loop's result, or the Python error that stopped it.
    fn finish<T, E: Into<Error>>(self, result: Result<T, E>) -> PyResult<T> {
        match self.stopped {
            Some(e) => Err(e),
            None => result.map_err(to_py),
        }
    }
}

/// The compiled module `astdp._astdp`.
#[pymodule]
fn _astdp(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<learners::Trainer>()?;
    m.add_class::<learners::Mlp>()?;
    m.add_class::<learners::Cvae>()?;
    m.add_class::<clustering::Clusterer>()?;
    m.add_class::<clustering::MetaClusterer>()?;
    m.add_class::<memory::Memory1>()?;
    m.add_class::<memory::ShortTermMemory>()?;
    m.add_function(wrap_pyfunction!(runs::load_mnist, m)?)?;
    m.add_function(wrap_pyfunction!(runs::toy, m)?)?;
    m.add_function(wrap_pyfunction!(runs::continual, m)?)?;
    m.add_function(wrap_pyfunction!(runs::full_config, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
