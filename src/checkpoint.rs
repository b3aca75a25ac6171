//! JSON files written atomically (temporary file in the same folder, then rename), and
//! read back with errors that name the file: [`save_json`] / [`load_json`] for
//! checkpoints ([`CheckpointError`]), [`write_json`] / [`read_json`] for every other file
//! (results, configs: [`FileError`]).

use std::io::Write;
use std::path::{Path, PathBuf};

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
    remove_stale_temporaries(dir, &name.to_string_lossy());
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

/// Removes the temporary files that crashed saves to `dir/name` left (`.name.PID.tmp`
/// of processes that are gone), so they do not pile up.
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let prefix = format!(".{name}.");
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = file.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".tmp")) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        let alive = pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists();
        if !alive {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Checks, before any long work, that `path` can be written: a probe file in the nearest
/// folder of its path that exists, then removed. Nothing is left behind.
pub fn check_writable(path: impl AsRef<Path>) -> Result<(), FileError> {
    let path = path.as_ref();
    let io = |e| FileError::Io { path: path.into(), source: e };
    if path.is_dir() {
        return Err(io(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder, not a file")));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // the nearest folder that exists: the folders below it are made at the write, so a
    // run refused later leaves no empty folder behind
    let mut existing = dir;
    while !existing.exists() {
        existing = match existing.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
    }
    if !existing.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is a file, not a folder", existing.display()),
        )));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let probe = existing.join(format!(".{name}.{}.probe", std::process::id()));
    std::fs::File::create(&probe).map_err(io)?;
    std::fs::remove_file(&probe).map_err(io)
}

/// Whether `a` and `b` name the same file (whether or not it exists yet): their folders
/// resolved, their names equal.
pub fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        (std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()), p.file_name().map(|n| n.to_owned()))
    };
    resolve(a) == resolve(b)
}

/// Checks a command's files before it starts work: every output (`(flag, path)`) can be
/// written, and no output is the same file as another output or as an input, which would
/// overwrite it (results written over the checkpoint they came from).
///
/// Nor may an output be a committed figure (a JSON file that `results/figures.csv` in the
/// working folder lists, or the SVG beside it) unless this command is the one the index
/// gives for that figure: a run with another config or seeds never rewrites it.
pub fn check_outputs(outputs: &[(&str, &Path)], inputs: &[(&str, &Path)]) -> Result<(), FileError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let example = std::env::current_exe().ok().and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()));
    let figures = crate::results::figure_rows(Path::new(".")).unwrap_or_default();
    for (k, &(flag, out)) in outputs.iter().enumerate() {
        check_writable(out)?;
        if let Some(row) = committed_figure(out, &figures)
            && !row.made_by(example.as_deref().unwrap_or(""), &args)
        {
            return Err(FileError::Invalid {
                path: out.into(),
                what: format!(
                    "{flag} names a committed figure, which only `{}` writes: give another --out-dir (runs/ say)",
                    row.command()
                ),
            });
        }
        let clash = outputs[..k].iter().chain(inputs).find(|(_, other)| same_file(out, other));
        if let Some((other_flag, _)) = clash {
            return Err(FileError::Invalid {
                path: out.into(),
                what: format!("{flag} and {other_flag} name the same file: give them different paths"),
            });
        }
    }
    Ok(())
}

/// The row of `figures` whose figure `out` is: the JSON file, or the SVG of the same name.
fn committed_figure<'a>(out: &Path, figures: &'a [crate::results::FigureRow]) -> Option<&'a crate::results::FigureRow> {
    figures.iter().find(|row| {
        let json = Path::new(&row.file);
        same_file(out, json) || same_file(out, &json.with_extension("svg"))
    })
}

/// The folder an example writes its figures to: `explicit` (its `--out-dir`) if given;
/// else `plots/`, where the committed figures live, for the default run (a command line
/// with no argument but those named in `neutral`, which change no figure, each with its
/// value); else `runs/EXAMPLE/`, so that a run with other seeds, scenes or config never
/// writes over a committed figure.
pub fn out_dir(example: &str, explicit: Option<&Path>, args: &[String], neutral: &[&str]) -> PathBuf {
    if let Some(d) = explicit {
        return d.to_path_buf();
    }
    let mut rest = args.iter();
    let mut default_run = true;
    while let Some(a) = rest.next() {
        let (name, inline) = a.split_once('=').map_or((a.as_str(), false), |(n, _)| (n, true));
        if neutral.contains(&name) {
            if !inline {
                rest.next();
            }
        } else {
            default_run = false;
        }
    }
    if default_run { PathBuf::from("plots") } else { Path::new("runs").join(example) }
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
    fn only_the_default_run_writes_to_the_committed_plots() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let neutral = ["--mnist-dir"];
        let dir = |a: &[&str]| out_dir("rivalry", None, &args(a), &neutral);
        assert_eq!(dir(&[]), PathBuf::from("plots"));
        assert_eq!(dir(&["--mnist-dir", "/data"]), PathBuf::from("plots"));
        assert_eq!(dir(&["--mnist-dir=/data"]), PathBuf::from("plots"));
        for other in
            [&["--seeds", "2"][..], &["--config", "c.json"], &["--mnist-dir", "/d", "--seed=3"], &["--name", "x"]]
        {
            assert_eq!(dir(other), PathBuf::from("runs/rivalry"), "{other:?}");
        }
        // an explicit folder is the user's choice, default run or not
        assert_eq!(
            out_dir("rivalry", Some(Path::new("out")), &args(&["--seeds", "2"]), &neutral),
            PathBuf::from("out")
        );
    }

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
        // a crashed save's temporary file (a process that is gone) goes with the next save
        let stale = dir.join("sub/.x.json.4294967294.tmp");
        std::fs::write(&stale, b"half").unwrap();
        save_json(&p, &vec![1.0f32]).unwrap();
        assert!(!stale.exists());
        assert_eq!(std::fs::read_dir(dir.join("sub")).unwrap().count(), 1);
        // writability is checked without touching the file or making folders; a folder
        // is refused, and so is a path through a file
        check_writable(dir.join("new/y.json")).unwrap();
        assert!(!dir.join("new").exists());
        assert!(check_writable(dir.join("sub")).is_err());
        assert!(check_writable(p.join("under_a_file.json")).is_err());
        assert!(same_file(&dir.join("sub/x.json"), &dir.join("sub/../sub/x.json")));
        assert!(!same_file(&dir.join("sub/x.json"), &dir.join("sub/y.json")));
        let (a, b) = (dir.join("a.json"), dir.join("b.json"));
        check_outputs(&[("--out", &a), ("--save", &b)], &[("--resume", &p)]).unwrap();
        let clash = check_outputs(&[("--out", &a), ("--save", &a)], &[]).unwrap_err();
        assert!(clash.to_string().contains("--save and --out"), "{clash}");
        assert!(check_outputs(&[("--out", &p)], &[("--resume", &p)]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
