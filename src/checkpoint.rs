//! JSON files written atomically (temporary file in the same folder, then rename), and
//! read back with errors that name the file: [`save_json`] / [`load_json`] for
//! checkpoints ([`CheckpointError`]), [`write_json`] / [`read_json`] for every other file
//! (results, configs: [`FileError`]).

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{CheckpointError, FileError};

/// Writes `value` as JSON to `path` atomically: a crash leaves either the old file or
/// the new one, never half of one. Creates the parent folder if needed.
pub fn write_json<T: Serialize + ?Sized>(path: impl AsRef<Path>, value: &T) -> Result<(), FileError> {
    let bytes = serde_json::to_vec(value).map_err(|e| FileError::Format { path: path.as_ref().into(), source: e })?;
    write_atomic(path, &bytes)
}

/// Writes `bytes` to `path` atomically (see [`write_json`]).
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<(), FileError> {
    let path = path.as_ref();
    let io = |e| FileError::Io { path: path.into(), source: e };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .ok_or_else(|| io(std::io::Error::new(std::io::ErrorKind::InvalidInput, "path has no file name")))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Reads JSON written by [`write_json`].
pub fn read_json<T: DeserializeOwned>(path: impl AsRef<Path>) -> Result<T, FileError> {
    let path = path.as_ref();
    let text = std::fs::read(path).map_err(|e| FileError::Io { path: path.into(), source: e })?;
    serde_json::from_slice(&text).map_err(|e| FileError::Format { path: path.into(), source: e })
}

/// Writes a checkpoint atomically (see [`write_json`]).
pub fn save_json<T: Serialize + ?Sized>(path: impl AsRef<Path>, value: &T) -> Result<(), CheckpointError> {
    Ok(write_json(path, value)?)
}

/// Reads a checkpoint written by [`save_json`].
pub fn load_json<T: DeserializeOwned>(path: impl AsRef<Path>) -> Result<T, CheckpointError> {
    Ok(read_json(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_errors() {
        let dir = std::env::temp_dir().join(format!("astdp-ckpt-{}", std::process::id()));
        let p = dir.join("sub/x.json");
        save_json(&p, &vec![1.5f32, f32::MIN_POSITIVE, 0.1]).unwrap();
        let back: Vec<f32> = load_json(&p).unwrap();
        assert_eq!(back, vec![1.5f32, f32::MIN_POSITIVE, 0.1]);
        // no temporary file left behind
        assert_eq!(std::fs::read_dir(dir.join("sub")).unwrap().count(), 1);
        std::fs::write(&p, b"{not json").unwrap();
        assert!(matches!(load_json::<Vec<f32>>(&p), Err(CheckpointError::Format { .. })));
        assert!(matches!(read_json::<Vec<f32>>(&p), Err(FileError::Format { .. })));
        assert!(matches!(load_json::<Vec<f32>>(dir.join("missing.json")), Err(CheckpointError::Io { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
