//! The front door and the docs point at files that exist: every relative link, and every
//! path in backticks under a folder of the repository, in README.md, CHANGELOG.md and
//! docs/*.md. The README stays a front door (at most 300 lines, 30 KB).

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The paths a markdown text names: link targets `](x)` and backticked `dir/...` paths.
fn named_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in text.split("](").skip(1) {
        let target = part.split(')').next().unwrap_or("");
        let target = target.split('#').next().unwrap_or("");
        if !target.is_empty() && !target.contains("://") {
            out.push(target.to_string());
        }
    }
    for (k, part) in text.split('`').enumerate() {
        let dirs = ["results/", "configs/", "plots/", "src/", "examples/", "scripts/", "docs/", "tests/"];
        if k % 2 == 1 && dirs.iter().any(|d| part.starts_with(d)) && !part.contains([' ', '*', '<', '{']) {
            out.push(part.trim_end_matches('/').to_string());
        }
    }
    out
}

#[test]
fn every_named_path_exists() {
    let mut docs = vec![root().join("README.md"), root().join("CHANGELOG.md")];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        docs.push(e.unwrap().path());
    }
    let mut missing = Vec::new();
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap_or_else(|e| panic!("{}: {e}", doc.display()));
        let base = doc.parent().unwrap();
        for p in named_paths(&text) {
            // links are relative to the file; backticked paths to the repository
            if !(base.join(&p).exists() || root().join(&p).exists()) {
                missing.push(format!("{}: {p}", doc.strip_prefix(root()).unwrap().display()));
            }
        }
    }
    assert!(missing.is_empty(), "paths that do not exist:\n{}", missing.join("\n"));
}

#[test]
fn readme_is_a_front_door() {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(text.lines().count() <= 300, "README.md has {} lines", text.lines().count());
    assert!(text.len() <= 30_000, "README.md has {} bytes", text.len());
}
