//! MNIST in IDX format, gzipped or raw, under either common file name.
//!
//! Where the files are: `--mnist-dir DIR` (passed as `Some(dir)`), else the
//! `ASTDP_MNIST_DIR` environment variable, else `data/mnist` in the working directory.
//! See [`DOWNLOAD_HELP`] for how to get them.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::DataError;

/// What to do when the files are missing.
pub const DOWNLOAD_HELP: &str = "MNIST not found. Put the four files \
(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, \
t10k-labels-idx1-ubyte.gz; gzipped or not) in one folder and pass it with --mnist-dir DIR \
or set ASTDP_MNIST_DIR=DIR; the default folder is data/mnist. With internet access: \
`bash scripts/get-mnist.sh` downloads them into data/mnist.";

/// Images (`n x rows x cols`, scaled to [0, 1]) and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Pixel values in [0, 1], row-major, one image after another.
    pub images: Vec<f32>,
    /// Labels 0..=9.
    pub labels: Vec<u8>,
    /// Image height.
    pub rows: usize,
    /// Image width.
    pub cols: usize,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    /// No samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    /// Pixels per image.
    pub fn pixels(&self) -> usize {
        self.rows * self.cols
    }
    /// Checks that the images have `pixels` pixels, the input size of the model about to
    /// read them.
    pub fn expect_pixels(&self, pixels: usize) -> Result<(), DataError> {
        if self.pixels() == pixels || self.is_empty() {
            Ok(())
        } else {
            Err(DataError::WrongSize { expected: pixels, found: self.pixels() })
        }
    }
    /// Image `i`.
    pub fn image(&self, i: usize) -> &[f32] {
        &self.images[i * self.pixels()..(i + 1) * self.pixels()]
    }
    /// The first `n` samples (all if fewer).
    pub fn take(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        Dataset {
            images: self.images[..n * self.pixels()].to_vec(),
            labels: self.labels[..n].to_vec(),
            rows: self.rows,
            cols: self.cols,
        }
    }
    /// The samples `indices`, in that order (indices past the end are left out).
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let keep: Vec<usize> = indices.iter().copied().filter(|&i| i < self.len()).collect();
        Dataset {
            images: keep.iter().flat_map(|&i| self.image(i).iter().copied()).collect(),
            labels: keep.iter().map(|&i| self.labels[i]).collect(),
            rows: self.rows,
            cols: self.cols,
        }
    }
    /// The number of classes the labels name: one more than the largest label (0 for no
    /// samples).
    pub fn classes(&self) -> usize {
        self.labels.iter().max().map_or(0, |&l| l as usize + 1)
    }
    /// The indices of the samples labelled `label`, in order.
    pub fn indices_of(&self, label: u8) -> Vec<usize> {
        (0..self.len()).filter(|&i| self.labels[i] == label).collect()
    }
    /// Samples `from..to`.
    pub fn slice(&self, from: usize, to: usize) -> Dataset {
        let to = to.min(self.len());
        let from = from.min(to);
        Dataset {
            images: self.images[from * self.pixels()..to * self.pixels()].to_vec(),
            labels: self.labels[from..to].to_vec(),
            rows: self.rows,
            cols: self.cols,
        }
    }
}

/// The MNIST folder: `flag`, else `$ASTDP_MNIST_DIR`, else `data/mnist`. An error with
/// [`DOWNLOAD_HELP`] when the chosen folder does not hold the training images.
pub fn resolve_dir(flag: Option<&Path>) -> Result<PathBuf, DataError> {
    let (dir, how) = match (flag, std::env::var_os("ASTDP_MNIST_DIR")) {
        (Some(d), _) => (d.to_path_buf(), "--mnist-dir"),
        (None, Some(d)) => (PathBuf::from(d), "ASTDP_MNIST_DIR"),
        (None, None) => (PathBuf::from("data/mnist"), "the default folder"),
    };
    if find(&dir, "train", "images", 3)?.is_some() {
        Ok(dir)
    } else {
        Err(DataError::NotFound(format!(
            "{} ({how} points to {}, which has no training images)",
            DOWNLOAD_HELP,
            dir.display()
        )))
    }
}

/// Every name an MNIST file may have in the folder [`resolve_dir`] picks for `flag`
/// (whether or not it exists): the inputs no output of a run may overwrite.
pub fn input_files(flag: Option<&Path>) -> Vec<PathBuf> {
    let dir = resolve_dir(flag).unwrap_or_else(|_| flag.map_or_else(|| PathBuf::from("data/mnist"), Path::to_path_buf));
    let mut out = Vec::new();
    for split in ["train", "t10k"] {
        for (kind, dims) in [("images", 3), ("labels", 1)] {
            for name in [format!("{split}-{kind}-idx{dims}-ubyte"), format!("{split}-{kind}.idx{dims}-ubyte")] {
                out.push(dir.join(&name));
                out.push(dir.join(format!("{name}.gz")));
            }
        }
    }
    out
}

/// The file of `split` and `kind` in `dir`, gzipped or not; `None` when there is none,
/// an error when something that is not a file (a folder) has its name.
fn find(dir: &Path, split: &str, kind: &str, dims: u8) -> Result<Option<PathBuf>, DataError> {
    let base = [format!("{split}-{kind}-idx{dims}-ubyte"), format!("{split}-{kind}.idx{dims}-ubyte")];
    for b in &base {
        for ext in ["", ".gz"] {
            let p = dir.join(format!("{b}{ext}"));
            if p.is_file() {
                return Ok(Some(p));
            }
            if p.exists() {
                return Err(DataError::Corrupt {
                    path: p,
                    what: "is not a file (a folder?): put the MNIST file itself there".into(),
                });
            }
        }
    }
    Ok(None)
}

/// Reads as much of `buf` as the stream holds; returns how many bytes that was.
fn read_full(path: &Path, r: &mut dyn Read, buf: &mut [u8]) -> Result<usize, DataError> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(stream_error(path, e)),
        }
    }
    Ok(n)
}

fn stream_error(path: &Path, e: std::io::Error) -> DataError {
    match e.kind() {
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput | std::io::ErrorKind::UnexpectedEof => {
            DataError::Corrupt {
                path: path.into(),
                what: format!("gzip stream is damaged ({e}); download the file again"),
            }
        }
        _ => DataError::Io { path: path.into(), source: e },
    }
}

/// Reads an IDX file (gzipped, in one or more members, or raw) as a stream: the header
/// first, then exactly the bytes its dimensions announce, so that a header that announces
/// more than there is, a stream that holds more than announced (a gzip bomb) or dimensions
/// whose product overflows are errors before anything large is read or allocated.
fn read_idx(path: &Path, magic: u32, dims: usize) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let io = |e| DataError::Io { path: path.into(), source: e };
    let mut file = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    let gzipped = std::io::BufRead::fill_buf(&mut file).map_err(io)?.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn Read> =
        if gzipped { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { Box::new(file) };
    let mut head = vec![0u8; 4 + 4 * dims];
    let got = read_full(path, &mut reader, &mut head)?;
    if got < head.len() {
        return Err(DataError::Truncated { path: path.into(), expected: head.len(), found: got });
    }
    let be = |i: usize| u32::from_be_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let found = be(0);
    if found != magic {
        return Err(DataError::BadMagic { path: path.into(), found, expected: magic });
    }
    let d: Vec<usize> = (0..dims).map(|k| be(4 + 4 * k) as usize).collect();
    let need = d.iter().try_fold(1usize, |a, &b| a.checked_mul(b)).ok_or_else(|| DataError::Corrupt {
        path: path.into(),
        what: format!("header dimensions {d:?} do not fit in memory"),
    })?;
    let mut data = Vec::new();
    reader.by_ref().take(need as u64).read_to_end(&mut data).map_err(|e| stream_error(path, e))?;
    if data.len() < need {
        return Err(DataError::Truncated { path: path.into(), expected: need, found: data.len() });
    }
    if read_full(path, &mut reader, &mut [0u8; 1])? > 0 {
        return Err(DataError::Corrupt { path: path.into(), what: "bytes after the announced data".into() });
    }
    Ok((d, data))
}

/// Reads an IDX3 image file (magic 0x00000803).
pub fn read_images(path: &Path) -> Result<(Vec<f32>, usize, usize, usize), DataError> {
    let (d, bytes) = read_idx(path, 0x0803, 3)?;
    if d[1] == 0 || d[2] == 0 {
        return Err(DataError::Corrupt { path: path.into(), what: format!("image size {}x{}", d[1], d[2]) });
    }
    if d[0] == 0 {
        // every run needs images: an empty file is a damaged download, not a dataset
        return Err(DataError::Corrupt {
            path: path.into(),
            what: "no images (its count is 0): a damaged or wrong file, download MNIST again".into(),
        });
    }
    let px = bytes.iter().map(|&b| b as f32 / 255.0).collect();
    Ok((px, d[0], d[1], d[2]))
}

/// Reads an IDX1 label file (magic 0x00000801); labels must be 0..=9.
pub fn read_labels(path: &Path) -> Result<Vec<u8>, DataError> {
    let (_, labels) = read_idx(path, 0x0801, 1)?;
    if let Some(i) = labels.iter().position(|&l| l > 9) {
        return Err(DataError::Corrupt {
            path: path.into(),
            what: format!("label {} at index {i} is not a digit", labels[i]),
        });
    }
    Ok(labels)
}

/// The side of an MNIST image: the models of this crate that read MNIST have
/// `SIDE * SIDE` = 784 inputs.
pub const SIDE: usize = 28;

/// Loads one split (`"train"` or `"t10k"`) of MNIST from `dir`; images that are not
/// [`SIDE`] x [`SIDE`] are an error (no model here could read them).
pub fn load_split(dir: &Path, split: &str) -> Result<Dataset, DataError> {
    let d = read_split(dir, split)?;
    if (d.rows, d.cols) != (SIDE, SIDE) {
        let path = find(dir, split, "images", 3)?.unwrap_or_else(|| dir.to_path_buf());
        return Err(DataError::Corrupt {
            path,
            what: format!(
                "images are {}x{}; MNIST's are {SIDE}x{SIDE} and the models here have {} inputs",
                d.rows,
                d.cols,
                SIDE * SIDE
            ),
        });
    }
    Ok(d)
}

/// Both MNIST splits from the folder [`resolve_dir`] picks for `flag`: the first
/// `train` training and `test` test samples, [`SIDE`] x [`SIDE`] each.
pub fn load(flag: Option<&Path>, train: usize, test: usize) -> Result<(Dataset, Dataset), DataError> {
    let dir = resolve_dir(flag)?;
    Ok((load_split(&dir, "train")?.take(train), load_split(&dir, "t10k")?.take(test)))
}

/// Loads one split (`"train"` or `"t10k"`) from `dir`: IDX images of any size and
/// their labels.
pub fn read_split(dir: &Path, split: &str) -> Result<Dataset, DataError> {
    let missing =
        |kind: &str| DataError::NotFound(format!("{DOWNLOAD_HELP} (no {split} {kind} file in {})", dir.display()));
    let ip = find(dir, split, "images", 3)?.ok_or_else(|| missing("images"))?;
    let lp = find(dir, split, "labels", 1)?.ok_or_else(|| missing("labels"))?;
    let (images, n, rows, cols) = read_images(&ip)?;
    let labels = read_labels(&lp)?;
    if labels.len() != n {
        return Err(DataError::CountMismatch { images: ip, n_images: n, labels: lp, n_labels: labels.len() });
    }
    Ok(Dataset { images, labels, rows, cols })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut v = magic.to_be_bytes().to_vec();
        for d in dims {
            v.extend(d.to_be_bytes());
        }
        v.extend(data);
        v
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn good_bad_and_mismatched_files() {
        let dir = std::env::temp_dir().join(format!("astdp-idx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // 2 images of 2x3, gzipped, under the dotted name; raw labels under the dashed name
        std::fs::write(
            dir.join("train-images.idx3-ubyte.gz"),
            gz(&idx(0x803, &[2, 2, 3], &[0, 255, 51, 0, 0, 0, 1, 2, 3, 4, 5, 6])),
        )
        .unwrap();
        std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(0x801, &[2], &[7, 1])).unwrap();
        let d = read_split(&dir, "train").unwrap();
        assert_eq!((d.len(), d.rows, d.cols), (2, 2, 3));
        assert_eq!(d.image(0)[1], 1.0);
        assert_eq!(d.image(0)[2], 0.2);
        assert_eq!(d.labels, vec![7, 1]);
        assert_eq!(resolve_dir(Some(&dir)).unwrap(), dir);
        // as MNIST, 2x3 images are refused: no model here has 6 inputs
        let err = load_split(&dir, "train").unwrap_err();
        assert!(err.to_string().contains("images are 2x3; MNIST's are 28x28"), "{err}");

        // a file of no images (valid header, count 0)
        std::fs::write(dir.join("empty-images-idx3-ubyte"), idx(0x803, &[0, 28, 28], &[])).unwrap();
        let err = read_images(&dir.join("empty-images-idx3-ubyte")).unwrap_err();
        assert!(err.to_string().contains("no images"), "{err}");

        // mismatched counts
        std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(0x801, &[3], &[7, 1, 2])).unwrap();
        assert!(matches!(read_split(&dir, "train"), Err(DataError::CountMismatch { n_images: 2, n_labels: 3, .. })));
        // wrong magic
        std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(0x803, &[2], &[7, 1])).unwrap();
        assert!(matches!(read_split(&dir, "train"), Err(DataError::BadMagic { found: 0x803, expected: 0x801, .. })));
        // truncated
        std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(0x801, &[5], &[7, 1])).unwrap();
        assert!(matches!(read_split(&dir, "train"), Err(DataError::Truncated { expected: 5, found: 2, .. })));
        // bad label
        std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(0x801, &[2], &[7, 11])).unwrap();
        assert!(matches!(read_split(&dir, "train"), Err(DataError::Corrupt { .. })));
        // damaged gzip
        std::fs::write(dir.join("train-images.idx3-ubyte.gz"), &gz(&[1, 2, 3, 4, 5, 6, 7, 8, 9])[..12]).unwrap();
        assert!(matches!(read_images(&dir.join("train-images.idx3-ubyte.gz")), Err(DataError::Corrupt { .. })));
        // dimensions whose product overflows: an error, not a panic or a huge allocation
        std::fs::write(dir.join("big-images-idx3-ubyte"), idx(0x803, &[4, 1 << 31, 1 << 31], &[0; 16])).unwrap();
        let big = read_images(&dir.join("big-images-idx3-ubyte"));
        assert!(matches!(big, Err(DataError::Corrupt { .. }) | Err(DataError::Truncated { .. })), "{big:?}");
        // a gzip stream longer than its header announces (a bomb) stops at the announced size
        let bomb = gz(&idx(0x801, &[2], &vec![1u8; 4 << 20]));
        std::fs::write(dir.join("bomb-labels-idx1-ubyte.gz"), &bomb).unwrap();
        assert!(matches!(read_labels(&dir.join("bomb-labels-idx1-ubyte.gz")), Err(DataError::Corrupt { .. })));
        // two gzip members, as zcat reads them, are one file
        let whole = idx(0x801, &[4], &[1, 2, 3, 4]);
        let two = [gz(&whole[..6]), gz(&whole[6..])].concat();
        std::fs::write(dir.join("two-labels-idx1-ubyte.gz"), two).unwrap();
        assert_eq!(read_labels(&dir.join("two-labels-idx1-ubyte.gz")).unwrap(), vec![1, 2, 3, 4]);
        // missing folder
        let err = resolve_dir(Some(&dir.join("nope"))).unwrap_err();
        assert!(err.to_string().contains("--mnist-dir"));
        // a folder with a data file's name is named as such, not "MNIST not found"
        let odd = dir.join("odd");
        std::fs::create_dir_all(odd.join("train-images-idx3-ubyte")).unwrap();
        let err = resolve_dir(Some(&odd)).unwrap_err();
        assert!(matches!(&err, DataError::Corrupt { path, .. } if path.ends_with("train-images-idx3-ubyte")), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
