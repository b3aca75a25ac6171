//! Helpers shared by the tests that run the example binaries (cli, probes).
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The example binary `name` that `cargo test` built beside this test, checked to be newer
/// than every source it was built from.
pub fn example(name: &str) -> PathBuf {
    // target/<profile>/deps/cli-HASH -> target/<profile>/examples/NAME
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join("examples").join(name);
    let help = "run `cargo test` (which builds the examples) or `cargo build --examples` first";
    let built = std::fs::metadata(&bin).and_then(|m| m.modified());
    let built = built.unwrap_or_else(|_| panic!("{} is missing: {help}", bin.display()));
    // cargo's dep-info beside the binary lists every source file it was built from
    let deps = std::fs::read_to_string(bin.with_extension("d")).unwrap_or_default();
    let sources = deps.lines().next().and_then(|l| l.split_once(": ")).map_or("", |(_, s)| s);
    for src in sources.split_whitespace() {
        let changed = std::fs::metadata(src).and_then(|m| m.modified());
        assert!(changed.is_ok_and(|t| t <= built), "{} is older than {src}: {help}", bin.display());
    }
    bin
}

/// Runs example `name` with `args` in `dir` (MNIST from `ASTDP_MNIST_DIR` unset).
pub fn run(dir: &Path, name: &str, args: &[&str]) -> Output {
    Command::new(example(name))
        .args(args)
        .current_dir(dir)
        .env_remove("ASTDP_MNIST_DIR")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap()
}

/// Asserts `out` is a refusal (exit 1 for a typed error, 2 for a flag clap refused) whose
/// stderr holds `needle`, and no panic.
#[track_caller]
pub fn refused(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(matches!(out.status.code(), Some(1 | 2)), "exit {:?}, stderr: {err}", out.status.code());
    assert!(err.contains(needle), "stderr lacks {needle:?}: {err}");
}

#[track_caller]
pub fn ok(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}, stderr: {err}", out.status.code());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh scratch folder for one test.
pub fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("astdp-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// An MNIST folder of `n` images per split, 28 x 28, each a bar whose place and direction
/// follow its label (a little like digits: few, repeated shapes, unlike `fake_mnist`'s
/// noise, which gives every patch a feature of its own).
pub fn fake_digits(dir: &Path, n: u32) -> PathBuf {
    let m = fake_mnist(dir, 28, n);
    let m2 = dir.join("digits");
    std::fs::create_dir_all(&m2).unwrap();
    for split in ["train", "t10k"] {
        let mut images = Vec::with_capacity(28 * 28 * n as usize);
        for i in 0..n as usize {
            let label = i % 10;
            let at = 4 + 2 * label + i % 3; // column or row of the bar
            for r in 0..28 {
                for c in 0..28 {
                    let on = if label % 2 == 0 { c == at || c == at + 1 } else { r == at || r == at + 1 };
                    images.push(if on && (4..24).contains(&(if label % 2 == 0 { r } else { c })) { 255u8 } else { 0 });
                }
            }
        }
        let mut v = 0x803u32.to_be_bytes().to_vec();
        [n, 28, 28].iter().for_each(|d| v.extend(d.to_be_bytes()));
        v.extend(images);
        std::fs::write(m2.join(format!("{split}-images-idx3-ubyte")), v).unwrap();
        let labels = format!("{split}-labels-idx1-ubyte");
        std::fs::copy(m.join(&labels), m2.join(&labels)).unwrap();
    }
    m2
}

/// An MNIST folder of `n` images of `side` x `side` per split, raw IDX.
pub fn fake_mnist(dir: &Path, side: u32, n: u32) -> PathBuf {
    let m = dir.join(format!("mnist{side}"));
    std::fs::create_dir_all(&m).unwrap();
    let idx = |magic: u32, dims: &[u32], data: Vec<u8>| {
        let mut v = magic.to_be_bytes().to_vec();
        dims.iter().for_each(|d| v.extend(d.to_be_bytes()));
        v.extend(data);
        v
    };
    let pixels = (side * side * n) as usize;
    for split in ["train", "t10k"] {
        let images = (0..pixels).map(|i| ((i * 37) % 256) as u8).collect();
        std::fs::write(m.join(format!("{split}-images-idx3-ubyte")), idx(0x803, &[n, side, side], images)).unwrap();
        let labels = (0..n).map(|i| (i % 10) as u8).collect();
        std::fs::write(m.join(format!("{split}-labels-idx1-ubyte")), idx(0x801, &[n], labels)).unwrap();
    }
    m
}
