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
    if find(&dir, "train", "images", 3).is_some() {
        Ok(dir)
    } else {
        Err(DataError::NotFound(format!(
            "{} ({how} points to {}, which has no training images)",
            DOWNLOAD_HELP,
            dir.display()
        )))
    }
}

fn find(dir: &Path, split: &str, kind: &str, dims: u8) -> Option<PathBuf> {
    let base = [format!("{split}-{kind}-idx{dims}-ubyte"), format!("{split}-{kind}.idx{dims}-ubyte")];
    for b in &base {
        for ext in ["", ".gz"] {
            let p = dir.join(format!("{b}{ext}"));
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, DataError> {
    let io = |e| DataError::Io { path: path.into(), source: e };
    let raw = std::fs::read(path).map_err(io)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).map_err(|e| DataError::Corrupt {
            path: path.into(),
            what: format!("gzip stream is damaged ({e}); download the file again"),
        })?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn header(path: &Path, bytes: &[u8], magic: u32, dims: usize) -> Result<Vec<usize>, DataError> {
    if bytes.len() < 4 + 4 * dims {
        return Err(DataError::Truncated { path: path.into(), expected: 4 + 4 * dims, found: bytes.len() });
    }
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let found = be(0);
    if found != magic {
        return Err(DataError::BadMagic { path: path.into(), found, expected: magic });
    }
    let d: Vec<usize> = (0..dims).map(|k| be(4 + 4 * k) as usize).collect();
    let need: usize = d.iter().product();
    let have = bytes.len() - 4 - 4 * dims;
    if have < need {
        return Err(DataError::Truncated { path: path.into(), expected: need, found: have });
    }
    if have > need {
        return Err(DataError::Corrupt {
            path: path.into(),
            what: format!("{} bytes after the announced data", have - need),
        });
    }
    Ok(d)
}

/// Reads an IDX3 image file (magic 0x00000803).
pub fn read_images(path: &Path) -> Result<(Vec<f32>, usize, usize, usize), DataError> {
    let bytes = read_bytes(path)?;
    let d = header(path, &bytes, 0x0803, 3)?;
    if d[1] == 0 || d[2] == 0 {
        return Err(DataError::Corrupt { path: path.into(), what: format!("image size {}x{}", d[1], d[2]) });
    }
    let px = bytes[16..].iter().map(|&b| b as f32 / 255.0).collect();
    Ok((px, d[0], d[1], d[2]))
}

/// Reads an IDX1 label file (magic 0x00000801); labels must be 0..=9.
pub fn read_labels(path: &Path) -> Result<Vec<u8>, DataError> {
    let bytes = read_bytes(path)?;
    header(path, &bytes, 0x0801, 1)?;
    let labels = bytes[8..].to_vec();
    if let Some(i) = labels.iter().position(|&l| l > 9) {
        return Err(DataError::Corrupt {
            path: path.into(),
            what: format!("label {} at index {i} is not a digit", labels[i]),
        });
    }
    Ok(labels)
}

/// Loads one split (`"train"` or `"t10k"`) from `dir`.
pub fn load_split(dir: &Path, split: &str) -> Result<Dataset, DataError> {
    let missing =
        |kind: &str| DataError::NotFound(format!("{DOWNLOAD_HELP} (no {split} {kind} file in {})", dir.display()));
    let ip = find(dir, split, "images", 3).ok_or_else(|| missing("images"))?;
    let lp = find(dir, split, "labels", 1).ok_or_else(|| missing("labels"))?;
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
        let d = load_split(&dir, "train").unwrap();
        assert_eq!((d.len(), d.rows, d.cols), (2, 2, 3));
        assert_eq!(d.image(0)[1], 1.0);
        assert_eq!(d.image(0)[2], 0.2);
        assert_eq!(d.labels, vec![7, 1]);
        assert_eq!(resolve_dir(Some(&dir)).unwrap(), dir);

        // mismatched counts
        std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(0x801, &[3], &[7, 1, 2])).unwrap();
        assert!(matches!(load_split(&dir, "train"), Err(DataError::CountMismatch { n_images: 2, n_labels: 3, .. })));
        // wrong magic
        std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(0x803, &[2], &[7, 1])).unwrap();
        assert!(matches!(load_split(&dir, "train"), Err(DataError::BadMagic { found: 0x803, expected: 0x801, .. })));
        // truncated
        std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(0x801, &[5], &[7, 1])).unwrap();
        assert!(matches!(load_split(&dir, "train"), Err(DataError::Truncated { expected: 5, found: 2, .. })));
        // bad label
        std::fs::write(dir.join("train-labels-idx1-ubyte"), idx(0x801, &[2], &[7, 11])).unwrap();
        assert!(matches!(load_split(&dir, "train"), Err(DataError::Corrupt { .. })));
        // damaged gzip
        std::fs::write(dir.join("train-images.idx3-ubyte.gz"), &gz(&[1, 2, 3, 4, 5, 6, 7, 8, 9])[..12]).unwrap();
        assert!(matches!(read_images(&dir.join("train-images.idx3-ubyte.gz")), Err(DataError::Corrupt { .. })));
        // missing folder
        let err = resolve_dir(Some(&dir.join("nope"))).unwrap_err();
        assert!(err.to_string().contains("--mnist-dir"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
