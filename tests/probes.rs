//! Property tests of every binary on generated input (issue 42): each binary's config,
//! small enough to run in seconds, with one place changed to an extreme value, a wrong type
//! or an unknown field, or one of its flags set to an extreme value. Whatever the case, the
//! binary either refuses it (exit 1 or 2, a message, no panic) or runs it; a run that ends
//! with exit 0 prints and writes only finite figures; no run aborts or is killed by a
//! signal. A run still going after `ASTDP_PROBE_SECONDS` (default 20) is stopped and
//! counts as neither (a valid config can be long).
//!
//! `ASTDP_PROBE_CASES` sets the cases per binary (default 6; CI runs more). Run the whole
//! `cargo test` (which builds the examples), as for `tests/cli.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{example, scratch};
use proptest::prelude::*;
use serde_json::{Value, json};

fn cases() -> u32 {
    std::env::var("ASTDP_PROBE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(6)
}

fn limit() -> Duration {
    let s = std::env::var("ASTDP_PROBE_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(20.0);
    Duration::from_secs_f64(s)
}

/// `over` merged into `base`, object by object.
fn merged(mut base: Value, over: &Value) -> Value {
    if let (Value::Object(b), Value::Object(o)) = (&mut base, over) {
        for (k, v) in o {
            let old = b.remove(k).unwrap_or(Value::Null);
            b.insert(k.clone(), if v.is_object() && old.is_object() { merged(old, v) } else { v.clone() });
        }
        base
    } else {
        over.clone()
    }
}

/// Every place of `v` (a path of keys and indices), objects and arrays included.
fn places(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    let children: Vec<(String, &Value)> = match v {
        Value::Array(a) => a.iter().enumerate().map(|(i, x)| (i.to_string(), x)).collect(),
        Value::Object(m) => m.iter().map(|(k, x)| (k.clone(), x)).collect(),
        _ => Vec::new(),
    };
    for (k, x) in children {
        let mut p = at.clone();
        p.push(k);
        places(x, p, out);
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Value {
    path.iter().fold(v, |v, k| match v {
        Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
        other => &mut other[k.as_str()],
    })
}

/// The values a careless user types: extremes of each kind, wrong types.
fn extreme(how: u8) -> Value {
    match how % 14 {
        0 => json!(0),
        1 => json!(-1),
        2 => json!(1e38),
        3 => json!(1u64 << 40),
        4 => json!(0.5),
        5 => json!(1e-30),
        6 => json!(-1e38),
        7 => json!(u64::MAX),
        8 => json!(1.5),
        9 => json!("x"),
        10 => Value::Null,
        11 => json!([]),
        12 => json!(true),
        _ => json!({"unknown_field": 1}),
    }
}

/// `config` changed in one place: a value replaced by an extreme, an array emptied or
/// doubled, or an unknown field added to an object.
fn damaged(mut config: Value, pick: usize, how: u8) -> Value {
    let mut all = Vec::new();
    places(&config, Vec::new(), &mut all);
    let path = &all[pick % all.len()];
    match at_mut(&mut config, path) {
        Value::Object(m) if how.is_multiple_of(3) => {
            m.insert("no_such_field".into(), json!(1));
        }
        Value::Array(a) if how.is_multiple_of(3) => a.clear(),
        Value::Array(a) if how % 3 == 1 => {
            let copy = a.clone();
            a.extend(copy);
        }
        v => *v = extreme(how / 3),
    }
    config
}

/// A number a careless user types for a flag.
fn flag_value(how: u8) -> &'static str {
    ["0", "-1", "1e38", "1099511627776", "0.5", "NaN", "inf", "x", "", "18446744073709551615", "3"][how as usize % 11]
}

/// How a probe ended.
#[derive(Debug)]
enum End {
    Refused,
    Ran,
    TooLong,
}

/// Runs `bin` with `args` in `dir` for at most `limit`; stdout and stderr to files.
/// Returns the end, or what is wrong with it.
fn probe(dir: &Path, bin: &str, args: &[String], limit: Duration) -> Result<End, String> {
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = Command::new(example(bin))
        .args(args)
        .current_dir(dir)
        .env_remove("ASTDP_MNIST_DIR")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&out).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    let tell = |what: &str| format!("{bin} {}: {what}\nstdout: {stdout}\nstderr: {stderr}", args.join(" "));
    if stderr.contains("panicked") {
        return Err(tell("panic"));
    }
    if let Some(debug) = debug_output(&stderr).or_else(|| debug_output(&stdout)) {
        return Err(tell(&format!("Debug output reaches the user: {debug:?}")));
    }
    let Some(status) = status else { return Ok(End::TooLong) };
    match status.code() {
        None => Err(tell("killed by a signal (abort?)")),
        Some(1 | 2) if stderr.trim().is_empty() => Err(tell("refused without a message")),
        Some(1 | 2) => Ok(End::Refused),
        Some(0) => {
            if let Some(word) = non_finite_word(&stdout) {
                return Err(tell(&format!("exit 0 printing {word:?}")));
            }
            for file in json_outputs(dir) {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                let v: Value =
                    serde_json::from_str(&text).map_err(|e| tell(&format!("{}: not JSON: {e}", file.display())))?;
                if let Some(at) = null_figure(&v, "") {
                    return Err(tell(&format!("exit 0 with a null (non-finite) figure at {at} in {}", file.display())));
                }
            }
            Ok(End::Ran)
        }
        Some(c) => Err(tell(&format!("exit {c}"))),
    }
}

/// A piece of `text` that is Rust's Debug output: `Some(`, or `Name { field: `.
fn debug_output(text: &str) -> Option<&str> {
    if let Some(i) = text.find("Some(") {
        return Some(&text[i..(i + 20).min(text.len())]);
    }
    text.match_indices(" { ").find_map(|(i, _)| {
        let before = text[..i].rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
        let after = text[i + 3..].split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("");
        let is_field = text[i + 3 + after.len()..].starts_with(": ");
        (before.starts_with(|c: char| c.is_ascii_uppercase()) && !after.is_empty() && is_field)
            .then(|| &text[i - before.len()..(i + 30).min(text.len())])
    })
}

/// A word of `text` that spells a non-finite number.
fn non_finite_word(text: &str) -> Option<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '.'))
        .find(|w| matches!(w.trim_start_matches('-'), "NaN" | "nan" | "inf" | "Infinity" | "infinity"))
}

/// The figures' JSON files a run wrote in `dir`'s output folder `o/` (not the
/// checkpoints of its memories, in folders below).
fn json_outputs(dir: &Path) -> Vec<PathBuf> {
    let files = std::fs::read_dir(dir.join("o")).into_iter().flatten().flatten().map(|e| e.path());
    files.filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json")).collect()
}

/// Keys whose nulls mean "not set" or "none": configs (and the settings in results),
/// a rivalry trace's target (no firing on that tick), per-class accuracy of a class not
/// seen yet.
const OPTIONAL: [&str; 6] = ["config", "setting", "variety", "made_by", "target", "per_class"];

/// The path of a null in `v` outside its `config` parts (where null means "not set"):
/// serde_json writes a non-finite float as null.
fn null_figure(v: &Value, at: &str) -> Option<String> {
    match v {
        Value::Null => Some(at.to_string()),
        Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| null_figure(x, &format!("{at}[{i}]"))),
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !OPTIONAL.iter().any(|c| k.contains(c)))
            .find_map(|(k, x)| null_figure(x, &format!("{at}.{k}"))),
        _ => None,
    }
}

/// One binary under probe: its config (the type's defaults with `small` merged over them,
/// or none for a binary of flags only), the arguments of a small run, and its flags of
/// numbers.
struct Subject {
    bin: &'static str,
    config: Option<Value>,
    args: Vec<String>,
    flags: &'static [&'static str],
}

/// Shared inputs: small fake MNIST folders and a checkpoint, made once.
struct Inputs {
    mnist: PathBuf,
    checkpoint: PathBuf,
}

fn inputs() -> &'static Inputs {
    static INPUTS: OnceLock<Inputs> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let d = scratch("probe-inputs");
        let mnist = common::fake_digits(&d, 120);
        let checkpoint = d.join("ckpt.json");
        let cfg = d.join("tiny.json");
        let tiny = json!({"hidden": [16], "batch": 8, "free_iters": 4, "clamped_iters": 4, "test_iters": 8});
        std::fs::write(&cfg, tiny.to_string()).unwrap();
        let out = common::run(
            &d,
            "mnist",
            &[
                "--config",
                cfg.to_str().unwrap(),
                "--mnist-dir",
                mnist.to_str().unwrap(),
                "--train-samples",
                "64",
                "--test-samples",
                "32",
                "--save",
                checkpoint.to_str().unwrap(),
            ],
        );
        common::ok(&out);
        Inputs { mnist, checkpoint }
    })
}

fn config_of<T: Default + serde::Serialize>(small: Value) -> Option<Value> {
    Some(merged(serde_json::to_value(T::default()).unwrap(), &small))
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn subject(bin: &str) -> Subject {
    use astdp::experiments::*;
    let i = inputs();
    let mnist = i.mnist.to_str().unwrap();
    let ckpt = i.checkpoint.to_str().unwrap();
    let layers = json!([
        {"channels": 1, "input": [28, 28], "kernel": 7, "stride": 2, "features": 300,
         "min_activation_ratio": 0.78, "max_activation_ratio": 0.9, "new_feature_min_positive": 15, "steps": 100},
        {"channels": 300, "input": [11, 11], "kernel": 11, "stride": 1, "features": 100,
         "min_activation_ratio": 0.6, "max_activation_ratio": 0.9, "new_feature_min_positive": 15, "steps": 20}
    ]);
    let (bin, config, args, flags): (&'static str, _, _, &'static [&'static str]) = match bin {
        "stdp_curve" => ("stdp_curve", config_of::<stdp::StdpConfig>(json!({})), vec![], &[]),
        "binocular_rivalry" => (
            "binocular_rivalry",
            config_of::<rivalry::RivalryConfig>(json!({"train_rounds": 20})),
            args(&["--seeds", "1", "--test-ticks", "1000"]),
            &["--seeds", "--test-ticks", "--seed"],
        ),
        "neural_adaptation" => (
            "neural_adaptation",
            config_of::<adaptation::AdaptationConfig>(json!({})),
            args(&["--seeds", "1"]),
            &["--seeds", "--seed"],
        ),
        "state_relationships" => (
            "state_relationships",
            config_of::<relationships::RelationsConfig>(json!({})),
            args(&["--seeds", "1"]),
            &["--seeds"],
        ),
        "clustering_points" => (
            "clustering_points",
            config_of::<clustering::PointsConfig>(json!({})),
            args(&["--seeds", "1"]),
            &["--seeds"],
        ),
        "clustering_mnist" => (
            "clustering_mnist",
            config_of::<clustering::MnistClusteringConfig>(json!({"ks": [10], "epochs": 1, "lloyd_rounds": 5})),
            args(&["--mnist-dir", mnist, "--train-samples", "100", "--test-samples", "50"]),
            &["--train-samples", "--test-samples"],
        ),
        "meta_clustering" => (
            "meta_clustering",
            config_of::<clustering::MetaClusteringConfig>(json!({
                "mnist_2": {"examples": 100, "test_examples": 50},
                "double_digits": {"examples": 100, "test_examples": 50},
                "onehot_5x5": {"examples": 100, "test_examples": 50},
                "onehot_10x10": {"examples": 100, "test_examples": 50}
            })),
            args(&["--seeds", "1", "--mnist-dir", mnist]),
            &["--seeds"],
        ),
        "ai_memory1" => (
            "ai_memory1",
            config_of::<memory1::ZeroConfig>(json!({"images": 30, "test_images": 30, "network": {"layers": layers}})),
            args(&["--mnist-dir", mnist]),
            &[],
        ),
        "ai_memory1_accumulate" => (
            "ai_memory1_accumulate",
            config_of::<memory1::AccumulateConfig>(json!({
                "digits": [0, 1], "images_per_digit": 10, "test_per_digit": 10, "network": {"layers": layers}
            })),
            args(&["--mnist-dir", mnist]),
            &[],
        ),
        "imbalanced_stream" => (
            "imbalanced_stream",
            config_of::<association::ImbalanceConfig>(json!({"samples": 100, "test_samples": 50, "capacity": 20})),
            args(&["--mnist-dir", mnist]),
            &[],
        ),
        "continual_mnist" => (
            "continual_mnist",
            config_of::<continual::ContinualConfig>(json!({
                "plan": {"updates": 3, "dreams_per_class": 4}, "long_term_updates": 3, "seeds": [1],
                "train_samples": 120, "test_samples": 60,
                "runs": [
                    {"learner": "astdp", "strategy": "none"},
                    {"learner": "mlp", "strategy": "replay", "per_class": 4},
                    {"learner": "mlp", "strategy": "dream", "memory": "astdp", "memory_share": 0.5}
                ]
            })),
            args(&["--mnist-dir", mnist, "--memories", "o/memories"]),
            &[],
        ),
        "memory_recall" => (
            "memory_recall",
            config_of::<association::RecallConfig>(json!({
                "per_label": 2, "real_per_label": 4, "classifier_epochs": 1, "classifier_samples": 100,
                "settings": [{"init_spread": null, "fake_k": null}, {"init_spread": 1.0, "fake_k": 50.0, "hidden_noise": 0.05}],
                "long_term": [], "long_term_epochs": 1, "long_term_samples": 100
            })),
            args(&["--resume", ckpt, "--mnist-dir", mnist]),
            &[],
        ),
        "mnist" => (
            "mnist",
            config_of::<astdp::learners::MnistConfig>(json!({
                "hidden": [16], "batch": 8, "free_iters": 4, "clamped_iters": 4, "test_iters": 8
            })),
            args(&["--mnist-dir", mnist, "--train-samples", "64", "--test-samples", "32", "--out", "o/m.json"]),
            &[
                "--epochs",
                "--output-epochs",
                "--decoder-epochs",
                "--train-samples",
                "--seed",
                "--fake-k",
                "--weight-average",
                "--guard",
                "--threads",
            ],
        ),
        "mlp_baseline" => (
            "mlp_baseline",
            None,
            args(&[
                "--mnist-dir",
                mnist,
                "--epochs",
                "1",
                "--hidden",
                "16",
                "--train-samples",
                "100",
                "--test-samples",
                "50",
                "--out",
                "o/mlp.json",
            ]),
            &["--epochs", "--lr", "--batch", "--hidden", "--train-samples", "--test-samples"],
        ),
        "mnist_bench" => (
            "mnist_bench",
            None,
            args(&["--mnist-dir", mnist, "--samples", "32", "--peak-seconds", "0.1"]),
            &["--samples", "--peak-seconds", "--threads"],
        ),
        "mnist_time" => (
            "mnist_time",
            config_of::<astdp::learners::MnistConfig>(json!({
                "hidden": [16], "batch": 8, "free_iters": 4, "clamped_iters": 4, "test_iters": 8
            })),
            args(&["--mnist-dir", mnist, "--train-seconds", "0.5", "--test-samples", "32", "--out", "o/t.json"]),
            &["--train-seconds", "--train-samples", "--test-samples", "--seed", "--weight-average", "--threads"],
        ),
        "tick_bench" => ("tick_bench", None, args(&["--ticks", "1000"]), &["--ticks", "--seed"]),
        "mnist_generate" => {
            ("mnist_generate", None, args(&["--resume", ckpt, "--out", "o/gen.svg"]), &["--per-label", "--seed"])
        }
        other => panic!("no probe subject {other}"),
    };
    Subject { bin, config, args, flags }
}

/// Whether `bin` writes into `--out-dir` (the others write where `--out` says, or nothing).
fn writes_out_dir(bin: &str) -> bool {
    !["mnist", "mlp_baseline", "mnist_bench", "mnist_time", "tick_bench", "mnist_generate"].contains(&bin)
}

/// One generated case against `bin`: `pick` and `how` choose the place and the change.
fn case(bin: &str, pick: usize, how: u8, on_flag: bool) -> Result<End, String> {
    let s = subject(bin);
    let d = scratch(&format!("probe-{bin}-{pick}-{how}"));
    let mut a = s.args.clone();
    if writes_out_dir(bin) {
        a.extend(["--out-dir".to_string(), "o".to_string()]);
    }
    if on_flag || s.config.is_none() {
        if s.flags.is_empty() {
            return Ok(End::Refused);
        }
        a.push(s.flags[pick % s.flags.len()].to_string());
        a.push(flag_value(how).to_string());
    }
    if let Some(config) = s.config {
        let config = if on_flag { config } else { damaged(config, pick, how) };
        std::fs::write(d.join("probe.json"), serde_json::to_string_pretty(&config).unwrap()).unwrap();
        a.extend(["--config".to_string(), "probe.json".to_string()]);
    }
    let end = probe(&d, s.bin, &a, limit());
    if end.is_ok() {
        let _ = std::fs::remove_dir_all(&d);
    }
    end
}

macro_rules! probes {
    ($($test:ident => $bin:literal,)*) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 64, ..ProptestConfig::default() })]
            $(
                #[test]
                fn $test(pick in 0usize..100_000, how in 0u8..42, on_flag in proptest::bool::weighted(0.2)) {
                    if let Err(e) = case($bin, pick, how, on_flag) {
                        prop_assert!(false, "{}", e);
                    }
                }
            )*
        }
    };
}

probes! {
    stdp_curve_survives_generated_configs => "stdp_curve",
    binocular_rivalry_survives_generated_configs => "binocular_rivalry",
    neural_adaptation_survives_generated_configs => "neural_adaptation",
    state_relationships_survives_generated_configs => "state_relationships",
    clustering_points_survives_generated_configs => "clustering_points",
    clustering_mnist_survives_generated_configs => "clustering_mnist",
    meta_clustering_survives_generated_configs => "meta_clustering",
    ai_memory1_survives_generated_configs => "ai_memory1",
    ai_memory1_accumulate_survives_generated_configs => "ai_memory1_accumulate",
    imbalanced_stream_survives_generated_configs => "imbalanced_stream",
    continual_mnist_survives_generated_configs => "continual_mnist",
    memory_recall_survives_generated_configs => "memory_recall",
    mnist_survives_generated_configs => "mnist",
    mlp_baseline_survives_generated_flags => "mlp_baseline",
    mnist_bench_survives_generated_flags => "mnist_bench",
    mnist_time_survives_generated_configs => "mnist_time",
    tick_bench_survives_generated_flags => "tick_bench",
    mnist_generate_survives_generated_flags => "mnist_generate",
}

/// The small run of each subject, unchanged, is a run (not a refusal): the probes start
/// from configs that work, so a refusal is the change's doing.
#[test]
fn every_probe_subject_runs_unchanged() {
    let mut failed = Vec::new();
    for bin in [
        "stdp_curve",
        "binocular_rivalry",
        "neural_adaptation",
        "state_relationships",
        "clustering_points",
        "clustering_mnist",
        "meta_clustering",
        "ai_memory1",
        "ai_memory1_accumulate",
        "imbalanced_stream",
        "continual_mnist",
        "memory_recall",
        "mnist",
        "mlp_baseline",
        "mnist_bench",
        "mnist_time",
        "tick_bench",
        "mnist_generate",
    ] {
        let s = subject(bin);
        let d = scratch(&format!("probe-base-{bin}"));
        let mut a = s.args.clone();
        if writes_out_dir(bin) {
            a.extend(["--out-dir".to_string(), "o".to_string()]);
        }
        if let Some(c) = &s.config {
            std::fs::write(d.join("probe.json"), c.to_string()).unwrap();
            a.extend(["--config".to_string(), "probe.json".to_string()]);
        }
        let t = Instant::now();
        // a run that works must end: with time to spare on a busy machine
        match probe(&d, bin, &a, 6 * limit()) {
            Ok(End::Ran) => eprintln!("{bin}: ran in {:.1} s", t.elapsed().as_secs_f64()),
            other => failed
                .push(format!("{bin}: {other:?}\n{}", std::fs::read_to_string(d.join("stderr")).unwrap_or_default())),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
