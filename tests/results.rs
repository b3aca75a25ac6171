//! The committed results: every file under `results/` is listed in the index, parses into
//! [`RunReport`] without losing a field, agrees with its row's status, and
//! `docs/results.md` is what the index and the files generate.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use astdp::results::{RunReport, SCHEMA_VERSION, Status, load_reports, read_figures, read_index, render_markdown};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// The first place where `orig` holds something that `back` lost or changed (numbers
/// compared as f64, or as f32 for the config's f32 fields, which older files wrote in
/// their f64 expansion; a null or an empty list may come back missing, as both read back as
/// the default).
fn lost(orig: &Value, back: &Value, at: &str) -> Option<String> {
    match (orig, back) {
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| match b.get(k) {
            Some(w) => lost(v, w, &format!("{at}.{k}")),
            None if v.is_null() || v.as_array().is_some_and(|a| a.is_empty()) => None,
            None => Some(format!("{at}.{k} dropped")),
        }),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (v, w))| lost(v, w, &format!("{at}[{i}]")))
        }
        (Value::Number(a), Value::Number(b))
            if a.as_f64() == b.as_f64() || a.as_f64().map(|x| x as f32) == b.as_f64().map(|x| x as f32) =>
        {
            None
        }
        (a, b) if a == b => None,
        _ => Some(format!("{at}: {orig} became {back}")),
    }
}

#[test]
fn every_results_file_is_indexed_and_parses_losslessly() {
    let rows = read_index(root()).unwrap();
    let listed: BTreeSet<PathBuf> = rows.iter().map(|r| root().join(r.results_path())).collect();
    let mut files = Vec::new();
    json_files(&root().join("results"), &mut files);
    assert!(files.len() > 100, "only {} results files", files.len());
    for f in &files {
        assert!(listed.contains(f), "{} is not listed in results/index.csv", f.display());
        let text = std::fs::read_to_string(f).unwrap();
        let orig: Value = serde_json::from_str(&text).unwrap();
        let report = RunReport::load(f).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.schema_version, SCHEMA_VERSION, "{}", f.display());
        // through text, as a file is written (to_value would widen f32 fields to f64)
        let back: Value = serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
        if let Some(what) = lost(&orig, &back, "") {
            panic!("{}: {what}", f.display());
        }
    }
    let reports = load_reports(root(), &rows).unwrap();
    for row in &rows {
        match reports.get(&row.name) {
            Some(r) => assert_eq!(r.status, row.status, "{}: status in the file and the index differ", row.name),
            // a row without a results file is there only to make a checkpoint others need
            None => assert!(
                rows.iter().any(|r| r.resume_from == row.name),
                "{} has no results file and no row resumes from it",
                row.name
            ),
        }
        if row.status == Status::Superseded {
            assert!(!reports.contains_key(&row.name), "{} is superseded but its file is kept", row.name);
            assert!(
                rows.iter().any(|r| r.resume_from == row.name),
                "{} is superseded but no row resumes from it",
                row.name
            );
        }
    }
}

#[test]
fn docs_results_md_is_generated_from_the_results() {
    let rows = read_index(root()).unwrap();
    let reports = load_reports(root(), &rows).unwrap();
    let committed = std::fs::read_to_string(root().join("docs/results.md")).unwrap_or_default();
    assert!(
        committed == render_markdown(&rows, &reports, &read_figures(root()).unwrap()),
        "docs/results.md is stale: run `cargo run --release --example results -- docs` and commit it"
    );
}

/// A row run again builds the net its file recorded: for every aSTDP row that starts from
/// scratch, its config file (with the flags that change settings) gives the config in its
/// results file, so editing a config file that a row uses is caught here.
#[test]
fn every_row_builds_the_config_its_file_recorded() {
    use astdp::learners::astdp::{MnistConfig, RunOverrides, Trainer};
    use astdp::results::RunConfig;
    let rows = read_index(root()).unwrap();
    let reports = load_reports(root(), &rows).unwrap();
    let mut checked = 0;
    for row in rows.iter().filter(|r| r.example == "mnist" && r.resume_from.is_empty()) {
        let Some(report) = reports.get(&row.name) else { continue };
        let RunConfig::Astdp(recorded) = &report.config else { panic!("{}: not an aSTDP config", row.name) };
        let path = (!row.config.is_empty()).then(|| root().join(&row.config));
        let cfg = MnistConfig::load(path.as_deref()).unwrap();
        let flags: Vec<&str> = row.flags.split_whitespace().collect();
        let value = |name: &str| flags.iter().position(|f| *f == name).map(|i| flags[i + 1]);
        let o = RunOverrides {
            fake_target: value("--fake-target").map(|v| v.parse().unwrap()),
            fake_k: value("--fake-k").map(|v| v.parse().unwrap()),
            weight_average: value("--weight-average").map(|v| v.parse().unwrap()),
            guard: value("--guard").map(|v| v.parse().unwrap()),
        };
        let mut t = Trainer::new(cfg.check().unwrap(), 4, 1).unwrap();
        t.apply(&o).unwrap();
        let built: Value = serde_json::from_str(&serde_json::to_string(t.config()).unwrap()).unwrap();
        let recorded: Value = serde_json::to_value(recorded).unwrap();
        if let Some(what) = lost(&recorded, &built, "config") {
            panic!("{}: {what}", row.name);
        }
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} rows checked");
}

/// Every figure summary in `plots/` is listed in `results/figures.csv` (which
/// `read_figures` checks: each listed file present and JSON), with an example that exists.
#[test]
fn every_figure_summary_is_listed() {
    let figures = read_figures(root()).unwrap();
    for e in std::fs::read_dir(root().join("plots")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            let file = format!("plots/{name}");
            assert!(figures.iter().any(|f| f.file == file), "{file} is not listed in results/figures.csv");
        }
    }
    for f in &figures {
        let script = if f.example.ends_with(".py") {
            root().join("python/examples").join(&f.example)
        } else {
            root().join("examples").join(format!("{}.rs", f.example))
        };
        assert!(script.is_file(), "{}: no example {}", f.file, f.example);
    }
}
