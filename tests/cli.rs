//! The example binaries on bad input, as a careless user would give it (issue 31): each
//! case exits with a message that names what is wrong, never a panic, never exit 0 with
//! a wrong figure.
//!
//! The binaries are the ones `cargo test` builds beside this test
//! (`target/<profile>/examples/`); run the whole `cargo test`, not `--test cli` alone,
//! so that they are current.

mod common;

use common::*;
use std::path::Path;

/// Every example binary.
const EXAMPLES: [&str; 20] = [
    "ai_memory1",
    "ai_memory1_accumulate",
    "binocular_rivalry",
    "clustering_mnist",
    "clustering_points",
    "continual_mnist",
    "imbalanced_stream",
    "memory_recall",
    "meta_clustering",
    "mlp_baseline",
    "mnist",
    "mnist_bench",
    "mnist_curves",
    "mnist_generate",
    "mnist_time",
    "neural_adaptation",
    "results",
    "state_relationships",
    "stdp_curve",
    "tick_bench",
];

fn quick_config() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/mnist/one_layer/quick.json").display().to_string()
}

#[test]
fn every_binary_has_help_with_defaults_and_a_version() {
    let d = scratch("help");
    for name in EXAMPLES {
        let help = ok(&run(&d, name, &["--help"]));
        let first = help.lines().next().unwrap_or("");
        assert!(!first.starts_with("Usage") && first.len() > 10, "{name} --help has no description: {help}");
        if name != "results" {
            // (results has subcommands, whose flags show their defaults in `results run --help`)
            assert!(help.contains("[default") || help.contains("(default"), "{name} --help shows no default: {help}");
        }
        let version = ok(&run(&d, name, &["--version"]));
        assert!(version.starts_with("astdp ") || version.contains(env!("CARGO_PKG_VERSION")), "{name}: {version}");
    }
}

#[test]
fn mnist_refuses_outputs_that_overwrite_each_other_or_cannot_be_written() {
    let d = scratch("outputs");
    // --out and --save the same file: results would replace the checkpoint
    refused(&run(&d, "mnist", &["--out", "x.json", "--save", "./x.json"]), "name the same file");
    // --out over the checkpoint being resumed
    refused(&run(&d, "mnist", &["--resume", "ck.json", "--out", "ck.json"]), "name the same file");
    // an output that cannot be written is found before the data is even read (a missing
    // MNIST folder would be the error otherwise)
    let out = run(&d, "mnist", &["--save", "/proc/no/such/ck.json", "--mnist-dir", "nowhere"]);
    refused(&out, "/proc/no/such/ck.json");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("MNIST not found"));
    let out = run(&d, "mlp_baseline", &["--out", "/proc/no/such/r.json", "--mnist-dir", "nowhere"]);
    refused(&out, "/proc/no/such/r.json");
}

#[test]
fn mnist_on_bad_data_and_bad_settings() {
    let d = scratch("mnist");
    let small = fake_mnist(&d, 10, 20);
    let m28 = fake_mnist(&d, 28, 20);
    let (small, m28) = (small.to_str().unwrap(), m28.to_str().unwrap());
    let quick = quick_config();
    // images of another size than the net's 784 inputs
    for name in ["mnist", "mlp_baseline", "mnist_bench", "clustering_mnist"] {
        refused(&run(&d, name, &["--mnist-dir", small]), "images are 10x10; MNIST's are 28x28");
    }
    // a folder where a data file should be
    let odd = d.join("odd");
    std::fs::create_dir_all(odd.join("train-images-idx3-ubyte")).unwrap();
    refused(&run(&d, "mnist", &["--mnist-dir", odd.to_str().unwrap()]), "is not a file");
    // no test (or training) samples: no "test accuracy 0.0000"
    refused(&run(&d, "mnist", &["--mnist-dir", m28, "--config", &quick, "--test-samples", "0"]), "test");
    refused(&run(&d, "mnist", &["--mnist-dir", m28, "--config", &quick, "--train-samples", "0"]), "train");
    refused(&run(&d, "mlp_baseline", &["--mnist-dir", m28, "--test-samples", "0"]), "--test-samples");
    // threads out of range: refused by the parser, not "all cores" or a stall
    refused(&run(&d, "mnist", &["--threads", "0"]), "--threads");
    refused(&run(&d, "mnist", &["--threads", "10000"]), "--threads");
    // MLP settings that train NaN
    for (bad, field) in [("--batch=0", "batch"), ("--lr=nan", "lr"), ("--hidden=0", "hidden"), ("--lr=-1", "lr")] {
        refused(&run(&d, "mlp_baseline", &[bad, "--mnist-dir", m28]), field);
    }
    // runaway learning stops the run, naming the block, instead of reporting chance
    std::fs::write(d.join("hot.json"), r#"{"hidden": [16], "batch": 4, "free_iters": 5, "clamped_iters": 5, "test_iters": 5, "model": {"alpha": 1e6}}"#).unwrap();
    refused(&run(&d, "mnist", &["--mnist-dir", m28, "--config", "hot.json"]), "diverged");
}

#[test]
fn mnist_configs_and_checkpoints_that_do_not_fit() {
    let d = scratch("ckpt");
    let m28 = fake_mnist(&d, 28, 20);
    let m28 = m28.to_str().unwrap();
    let quick = quick_config();
    // not JSON: named as a config file (not "checkpoint"), the parser's cause printed once
    std::fs::write(d.join("bad.json"), r#"{"hidden": [64"#).unwrap();
    let out = run(&d, "mnist", &["--config", "bad.json"]);
    refused(&out, "bad.json is not valid JSON");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("checkpoint"), "{err}");
    assert_eq!(err.matches("EOF while parsing").count(), 1, "the cause printed more than once: {err}");
    // JSON of the wrong shape, and values out of range (written as given, no f32 noise)
    std::fs::write(d.join("list.json"), "[]").unwrap();
    refused(&run(&d, "mnist", &["--config", "list.json"]), "list.json");
    std::fs::write(d.join("tol.json"), r#"{"inference_tol": -1}"#).unwrap();
    refused(&run(&d, "mnist", &["--config", "tol.json"]), "inference_tol");
    std::fs::write(d.join("mom.json"), r#"{"model": {"momentum": 1.4}}"#).unwrap();
    refused(&run(&d, "mnist", &["--config", "mom.json"]), "`momentum` is 1.4,");
    std::fs::write(d.join("decay.json"), r#"{"model": {"alpha": 0.5, "weight_decay": 3}}"#).unwrap();
    refused(&run(&d, "mnist", &["--config", "decay.json"]), "weight_decay");
    // a good checkpoint to damage
    ok(&run(&d, "mnist", &["--mnist-dir", m28, "--config", &quick, "--save", "ck.json"]));
    // flags that a resumed run cannot apply are refused, not ignored
    refused(&run(&d, "mnist", &["--mnist-dir", m28, "--resume", "ck.json", "--seed", "3"]), "--seed");
    refused(&run(&d, "mnist", &["--mnist-dir", m28, "--resume", "ck.json", "--config", &quick]), "--config");
    // a truncated checkpoint, and one whose config disagrees with its network
    let text = std::fs::read_to_string(d.join("ck.json")).unwrap();
    std::fs::write(d.join("cut.json"), &text[..text.len() / 2]).unwrap();
    refused(&run(&d, "mnist", &["--mnist-dir", m28, "--resume", "cut.json", "--epochs", "2"]), "cut.json");
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["cfg"]["hidden"] = serde_json::json!([64]);
    std::fs::write(d.join("edited.json"), v.to_string()).unwrap();
    refused(&run(&d, "mnist", &["--mnist-dir", m28, "--resume", "edited.json", "--epochs", "2"]), "edited.json");
    // the checkpoint survived all of this
    assert_eq!(std::fs::read_to_string(d.join("ck.json")).unwrap(), text);
    refused(&run(&d, "mnist_generate", &["--resume", "cut.json", "--out", "g.svg"]), "cut.json");
    refused(&run(&d, "memory_recall", &["--resume", "cut.json", "--out-dir", "o"]), "cut.json");
    refused(&run(&d, "memory_recall", &["--resume", "missing.json", "--out-dir", "o"]), "missing.json");
    std::fs::write(d.join("one.json"), r#"{"per_label": 1}"#).unwrap();
    refused(
        &run(
            &d,
            "memory_recall",
            &["--resume", "ck.json", "--config", "one.json", "--mnist-dir", m28, "--out-dir", "o"],
        ),
        "per_label",
    );
}

#[test]
fn toys_and_benches_refuse_bad_settings_before_working() {
    let d = scratch("toys");
    for name in ["binocular_rivalry", "neural_adaptation", "state_relationships", "clustering_points"] {
        // a seed range that overflows
        refused(&run(&d, name, &["--seed", "18446744073709551615", "--seeds", "2", "--out-dir", "o"]), "overflows");
        // an output folder that cannot be written: named, and found before the experiment
        // runs (nothing printed on stdout)
        let out = run(&d, name, &["--out-dir", "/proc/no/such"]);
        refused(&out, "/proc/no/such/");
        assert!(out.stdout.is_empty(), "{name} ran before checking its outputs");
    }
    refused(&run(&d, "stdp_curve", &["--out-dir", "/proc/no/such"]), "/proc/no/such/stdp_curve");
    // --out-dir over the --config file
    std::fs::create_dir_all(d.join("o")).unwrap();
    std::fs::write(d.join("o/stdp_curve.json"), "{}").unwrap();
    refused(&run(&d, "stdp_curve", &["--out-dir", "o", "--config", "o/stdp_curve.json"]), "name the same file");
    assert_eq!(std::fs::read_to_string(d.join("o/stdp_curve.json")).unwrap(), "{}");
    // learning that runs away stops the toy, instead of printing NaN durations
    std::fs::write(d.join("hot.json"), r#"{"model": {"alpha": 1e6}}"#).unwrap();
    refused(&run(&d, "binocular_rivalry", &["--config", "hot.json", "--seeds", "1", "--out-dir", "o"]), "diverged");
    // a held phase clamped more weakly in the strong net than in the weak one, refused
    // before training
    std::fs::write(d.join("betas.json"), r#"{"test_beta_strong": 0.1, "test_beta_weak": 0.2}"#).unwrap();
    refused(
        &run(&d, "binocular_rivalry", &["--config", "betas.json", "--seeds", "1", "--out-dir", "o"]),
        "while the ambiguous input is held (model with the test_* fields): beta_strong (0.1) must be greater",
    );
    // a field that would be overridden is refused, not ignored
    std::fs::write(d.join("tf.json"), r#"{"test_fake_target": {"enabled": false}}"#).unwrap();
    refused(
        &run(&d, "binocular_rivalry", &["--config", "tf.json", "--seeds", "1", "--out-dir", "o"]),
        "config field `test_fake_target.enabled`",
    );
    // adaptation without repeats to average or with phases too short to measure
    std::fs::write(d.join("r0.json"), r#"{"repeats": 0}"#).unwrap();
    refused(
        &run(&d, "neural_adaptation", &["--config", "r0.json", "--seeds", "1", "--out-dir", "o"]),
        "`repeats` is 0",
    );
    std::fs::write(d.join("p3.json"), r#"{"phase_ticks": 3}"#).unwrap();
    refused(
        &run(&d, "neural_adaptation", &["--config", "p3.json", "--seeds", "1", "--out-dir", "o"]),
        "`phase_ticks` is 3",
    );
    // a config's test_ticks is used when --test-ticks is not given
    std::fs::write(d.join("short.json"), r#"{"test_ticks": 1234}"#).unwrap();
    ok(&run(&d, "binocular_rivalry", &["--config", "short.json", "--seeds", "1", "--out-dir", "o"]));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("o/binocular_rivalry.json")).unwrap()).unwrap();
    assert_eq!(json["config"]["test_ticks"], 1234);
    // tick counts that are empty or would not fit in memory
    refused(&run(&d, "tick_bench", &["--ticks", "0"]), "--ticks");
    refused(&run(&d, "tick_bench", &["--ticks", "18446744073709551615"]), "--ticks");
    // a clustering config with no clusters
    std::fs::write(d.join("k0.json"), r#"{"k": 0}"#).unwrap();
    refused(&run(&d, "clustering_points", &["--config", "k0.json", "--out-dir", "o"]), "`k` is 0");
}

#[test]
fn results_and_curves_name_what_is_missing() {
    // in the repository, where results/index.csv is; nothing is written
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let d = scratch("results");
    let svg = d.join("c.svg");
    refused(&run(root, "mnist_curves", &["--runs", "no_such_row", "--out", svg.to_str().unwrap()]), "no_such_row");
    assert!(!svg.exists());
    refused(&run(root, "results", &["run", "no_such_row"]), "no_such_row");
    // away from it, the missing index is named
    refused(&run(&d, "results", &["run", "quick"]), "index.csv");
}

#[test]
fn ai_memory1_refuses_bad_settings_and_data() {
    let d = scratch("memory1");
    let small = fake_mnist(&d, 10, 20);
    let m28 = fake_mnist(&d, 28, 20);
    let (small, m28) = (small.to_str().unwrap(), m28.to_str().unwrap());
    for name in ["ai_memory1", "ai_memory1_accumulate"] {
        // outputs checked before the data is read
        let out = run(&d, name, &["--out-dir", "/proc/no/such", "--mnist-dir", "nowhere"]);
        refused(&out, "/proc/no/such/");
        refused(&run(&d, name, &["--mnist-dir", small, "--out-dir", "o"]), "images are 10x10");
        // a layer that does not read the one before it, and an unknown field
        std::fs::write(d.join("chain.json"), r#"{"network": {"layers": [{"channels": 1, "input": [28, 28], "kernel": 7, "stride": 2, "features": 30, "min_activation_ratio": 0.78, "max_activation_ratio": 0.9, "new_feature_min_positive": 15, "steps": 5}, {"channels": 3, "input": [11, 11], "kernel": 11, "stride": 1, "features": 5, "min_activation_ratio": 0.6, "max_activation_ratio": 0.9, "new_feature_min_positive": 15, "steps": 5}]}}"#).unwrap();
        refused(
            &run(&d, name, &["--config", "chain.json", "--mnist-dir", m28, "--out-dir", "o"]),
            "layer 1: reads 3 channels",
        );
        std::fs::write(d.join("typo.json"), r#"{"imagez": 5}"#).unwrap();
        refused(&run(&d, name, &["--config", "typo.json", "--mnist-dir", m28, "--out-dir", "o"]), "imagez");
    }
    // too few slots: a typed error that says what to raise, not the C++ code's abort
    std::fs::write(d.join("tiny.json"), r#"{"network": {"layers": [{"channels": 1, "input": [28, 28], "kernel": 7, "stride": 2, "features": 3, "min_activation_ratio": 0.78, "max_activation_ratio": 0.9, "new_feature_min_positive": 15, "steps": 5}]}}"#).unwrap();
    refused(
        &run(&d, "ai_memory1", &["--config", "tiny.json", "--mnist-dir", m28, "--out-dir", "o"]),
        "give the layer more `features`",
    );
    // --save over the output JSON
    refused(&run(&d, "ai_memory1", &["--save", "o/ai_memory1.json", "--out-dir", "o"]), "name the same file");
}

#[test]
fn imbalanced_stream_refuses_bad_settings_and_data() {
    let d = scratch("imbalance");
    let small = fake_mnist(&d, 10, 20);
    let m28 = fake_mnist(&d, 28, 40);
    let (small, m28) = (small.to_str().unwrap(), m28.to_str().unwrap());
    let name = "imbalanced_stream";
    let out = run(&d, name, &["--out-dir", "/proc/no/such", "--mnist-dir", "nowhere"]);
    refused(&out, "/proc/no/such/");
    refused(&run(&d, name, &["--mnist-dir", small, "--out-dir", "o"]), "images are 10x10");
    for (cfg, needle) in [
        (r#"{"capacity": 0}"#, "`capacity` is 0"),
        (r#"{"decay": -1}"#, "`decay` is -1"),
        (r#"{"learners": ["svm"]}"#, "unknown variant `svm`"),
        (r#"{"learners": ["cvae_b"]}"#, "cvae_b is not run on the stream"),
        (r#"{"learners": []}"#, "`learners` is empty"),
        (r#"{"mlp": {"hidden": 8, "loss": "cross-entropy", "lr": -1, "batch": 4}}"#, "lr"),
        (r#"{"astdp": {"batch": 0}}"#, "batch"),
        (r#"{"decay": 0.5, "sampels": 10}"#, "sampels"),
    ] {
        std::fs::write(d.join("bad.json"), cfg).unwrap();
        refused(&run(&d, name, &["--config", "bad.json", "--mnist-dir", m28, "--out-dir", "o"]), needle);
    }
}

#[test]
fn continual_mnist_refuses_bad_settings_and_data() {
    let d = scratch("continual");
    let small = fake_mnist(&d, 10, 20);
    let m28 = fake_mnist(&d, 28, 40);
    let (small, m28) = (small.to_str().unwrap(), m28.to_str().unwrap());
    let name = "continual_mnist";
    refused(&run(&d, name, &["--out-dir", "/proc/no/such", "--mnist-dir", "nowhere"]), "/proc/no/such/");
    // the default config dreams from a CVAE: a build without the feature says how to get it
    let default_needle = if cfg!(feature = "cvae") { "images are 10x10" } else { "--features cvae" };
    refused(&run(&d, name, &["--mnist-dir", small, "--out-dir", "o"]), default_needle);
    std::fs::write(d.join("mlp.json"), r#"{"runs": [{"learner": "mlp", "strategy": "none"}]}"#).unwrap();
    refused(&run(&d, name, &["--config", "mlp.json", "--mnist-dir", small, "--out-dir", "o"]), "images are 10x10");
    for (cfg, needle) in [
        (r#"{"plan": {"updates": 0}}"#, "`updates` is 0"),
        (r#"{"plan": {"contexts": [[0, 1], [1, 2]]}}"#, "class 1 appears twice"),
        (r#"{"plan": {"contexts": [[0, 12]]}}"#, "class 12 is not among the data's 10 classes"),
        (r#"{"plan": {"contexts": []}}"#, "`contexts` is empty"),
        (r#"{"plan": {"memory_share": 1.0}}"#, "memory_share"),
        (r#"{"plan": {"dream_phases": 0}}"#, "dream_phases"),
        (r#"{"runs": [{"learner": "mlp", "strategy": "replay"}]}"#, "give per_class"),
        (r#"{"runs": [{"learner": "mlp", "strategy": "dream", "memory": "lstm"}]}"#, "lstm"),
        (r#"{"runs": [{"learner": "mlp", "strategy": "dream", "memory": "mlp"}]}"#, "mlp cannot recall"),
        (r#"{"runs": [{"learner": "svm", "strategy": "none"}]}"#, "unknown variant `svm`"),
        (r#"{"runs": [{"learner": "cvae_a", "strategy": "dream", "memory": "cvae_b"}]}"#, "cvae_a does not classify"),
        (r#"{"runs": [{"learner": "mlp", "strategy": "none", "per_clas": 3}]}"#, "per_clas"),
        (r#"{"seeds": []}"#, "at least one seed"),
        (r#"{"long_term": {"kind": "b", "latent": 4}}"#, "latent of at least 10"),
        (r#"{"astdp": {"batch": 0}}"#, "batch"),
        (r#"{"mlp": {"hidden": 8, "loss": "cross-entropy", "lr": -1, "batch": 4}}"#, "lr"),
        (r#"{"mlp": {"hiden": 8}}"#, "hiden"),
        (r#"{"seedz": [1]}"#, "seedz"),
    ] {
        std::fs::write(d.join("bad.json"), cfg).unwrap();
        // refused before any data is read ("nowhere" would fail later)
        refused(&run(&d, name, &["--config", "bad.json", "--mnist-dir", "nowhere", "--out-dir", "o"]), needle);
    }
    // a tiny run on the fake 28x28 files goes end to end, dreaming from a memory this
    // build has; run again with --memories, the memory is read back, not trained
    let memory = if cfg!(feature = "cvae") { "cvae_b" } else { "astdp" };
    std::fs::write(
        d.join("tiny.json"),
        format!(
            r#"{{"plan": {{"updates": 2, "dreams_per_class": 2}}, "long_term_updates": 2, "seeds": [1], "runs": [{{"learner": "mlp", "strategy": "dream", "memory": "{memory}"}}]}}"#
        ),
    )
    .unwrap();
    ok(&run(&d, name, &["--config", "tiny.json", "--mnist-dir", m28, "--out-dir", "o"]));
    assert!(d.join("o/continual_mnist.svg").exists() && d.join("o/continual_mnist.json").exists());
    let args = ["--config", "tiny.json", "--mnist-dir", m28, "--out-dir", "m", "--memories", "mem"];
    ok(&run(&d, name, &args));
    assert!(d.join(format!("mem/{memory}_seed1/memory.json")).exists());
    let again = run(&d, name, &args);
    ok(&again);
    assert!(String::from_utf8_lossy(&again.stderr).contains("read from"), "the memory was trained again");
    let json = |dir: &str| std::fs::read_to_string(d.join(dir).join("continual_mnist.json")).unwrap();
    let first: serde_json::Value = serde_json::from_str(&json("o")).unwrap();
    let reread: serde_json::Value = serde_json::from_str(&json("m")).unwrap();
    assert_eq!(first["runs"][0]["accuracy_after_context"], reread["runs"][0]["accuracy_after_context"]);
    assert!(d.join("o/continual_mnist.svg").exists() && d.join("o/continual_mnist.json").exists());
}

/// Hardening round 2 (issue 42): the probes that panicked, aborted, wrote over data or
/// printed a figure that means nothing, each now a clear refusal before any work.
#[test]
fn round_two_probes_are_refused_before_any_work() {
    let d = scratch("round2");
    let cfg = |name: &str, text: &str| {
        std::fs::write(d.join(name), text).unwrap();
        name.to_string()
    };
    // values that panicked
    let c = cfg("mix0.json", r#"{"mixtures": 0}"#);
    refused(&run(&d, "clustering_points", &["--config", &c, "--out-dir", "o"]), "`mixtures` is 0");
    let c = cfg("dt.json", r#"{"dt_max": -5}"#);
    refused(&run(&d, "stdp_curve", &["--config", &c, "--out-dir", "o"]), "`dt_max` is -5");
    let c = cfg("win.json", r#"{"windows": []}"#);
    refused(&run(&d, "stdp_curve", &["--config", &c, "--out-dir", "o"]), "`windows` is empty");
    // an untrained rivalry net would "recall" its patterns
    let c = cfg("tr0.json", r#"{"train_rounds": 0}"#);
    refused(&run(&d, "binocular_rivalry", &["--config", &c, "--seeds", "1", "--out-dir", "o"]), "`train_rounds` is 0");
    // an MNIST folder of valid files holding no image
    let zero = fake_mnist(&d, 28, 0);
    let dir = zero.to_str().unwrap();
    for (name, args) in [
        ("meta_clustering", vec!["--seeds", "1", "--scenes", "mnist_2", "--out-dir", "o"]),
        ("imbalanced_stream", vec!["--out-dir", "o"]),
        ("clustering_mnist", vec!["--out-dir", "o"]),
    ] {
        let mut a = args.clone();
        a.extend(["--mnist-dir", dir]);
        refused(&run(&d, name, &a), "no images (its count is 0)");
    }
    // a bad later scene is found before the first one runs (nothing printed)
    let c = cfg("scene.json", r#"{"onehot_10x10": {"test_examples": 0}}"#);
    let out = run(&d, "meta_clustering", &["--config", &c, "--seeds", "1", "--scenes", "onehot_5x5,onehot_10x10"]);
    refused(&out, "scene onehot_10x10: config field `test_examples` is 0");
    assert!(out.stdout.is_empty(), "a scene ran before the bad one was found");
    // sizes that pass the shape checks but not the machine's memory
    let c = cfg("huge.json", r#"{"hidden": [2000000, 2000000]}"#);
    let out = run(
        &d,
        "mnist",
        &["--config", &c, "--mnist-dir", fake_mnist(&d, 28, 20).to_str().unwrap(), "--out", "o/m.json"],
    );
    refused(&out, "the aSTDP net (hidden, batch) would need about");
    // continual runs whose figure would mean nothing
    let c = cfg("cva.json", r#"{"runs": [{"learner": "cvae_a", "strategy": "none"}]}"#);
    refused(&run(&d, "continual_mnist", &["--config", &c, "--out-dir", "o"]), "cvae_a does not classify");
    let c = cfg("share.json", r#"{"runs": [{"learner": "mlp", "strategy": "joint", "memory_share": 0.5}]}"#);
    refused(&run(&d, "continual_mnist", &["--config", &c, "--out-dir", "o"]), "joint: takes no memory_share");
    let c = cfg("seeds.json", r#"{"seeds": [1, 1], "runs": [{"learner": "mlp", "strategy": "none"}]}"#);
    refused(&run(&d, "continual_mnist", &["--config", &c, "--out-dir", "o"]), "seed 1 is given twice");
}

/// Hardening round 2 (issue 42): no output of any binary may be one of its inputs (the
/// MNIST files, a checkpoint, a config, a results file it reads), compared by canonical
/// path, nor a committed figure unless the command is the figure's own.
#[test]
fn outputs_onto_inputs_or_committed_figures_are_refused() {
    let d = scratch("onto");
    let data = fake_mnist(&d, 28, 40);
    let dir = data.to_str().unwrap();
    let images = data.join("train-images-idx3-ubyte");
    let before = std::fs::read(&images).unwrap();
    // the same file by another spelling (a `.` in the path)
    let onto = format!("{dir}/./train-images-idx3-ubyte");
    for (name, args) in [
        ("mlp_baseline", vec!["--out", &onto]),
        ("clustering_mnist", vec!["--save", &onto, "--out-dir", "o"]),
        ("ai_memory1", vec!["--save", &onto, "--out-dir", "o"]),
        ("mnist", vec!["--save", &onto]),
        ("mnist", vec!["--out", &onto]),
    ] {
        let mut a = args.clone();
        a.extend(["--mnist-dir", dir]);
        refused(&run(&d, name, &a), "--mnist-dir name the same file");
    }
    // the outputs named after a flag's value: continual_mnist's --name onto its config
    std::fs::write(d.join("c.json"), "{}").unwrap();
    refused(
        &run(&d, "continual_mnist", &["--config", "c.json", "--name", "c", "--out-dir", ".", "--mnist-dir", dir]),
        "--out-dir and --config name the same file",
    );
    // a checkpoint read and written
    let ckpt = d.join("ckpt.json");
    ok(&run(
        &d,
        "mnist",
        &[
            "--config",
            &quick_config(),
            "--mnist-dir",
            dir,
            "--train-samples",
            "16",
            "--test-samples",
            "8",
            "--save",
            ckpt.to_str().unwrap(),
        ],
    ));
    let saved = std::fs::read(&ckpt).unwrap();
    refused(&run(&d, "mnist_generate", &["--resume", "ckpt.json", "--out", "./ckpt.json"]), "--out and --resume");
    std::fs::copy(&ckpt, d.join("memory_recall.json")).unwrap();
    refused(
        &run(&d, "memory_recall", &["--resume", "memory_recall.json", "--out-dir", ".", "--mnist-dir", dir]),
        "--out-dir and --resume name the same file",
    );
    assert_eq!(std::fs::read(d.join("memory_recall.json")).unwrap(), saved, "the checkpoint was written over");
    assert_eq!(std::fs::read(&ckpt).unwrap(), saved, "the checkpoint was written over");
    assert_eq!(std::fs::read(&images).unwrap(), before, "the MNIST file was written over");

    // a committed figure: only its own command writes it
    std::fs::create_dir_all(d.join("results")).unwrap();
    std::fs::write(
        d.join("results/figures.csv"),
        "file,example,flags,features,what\nplots/stdp_curve.json,stdp_curve,,,\"STDP\"\n",
    )
    .unwrap();
    std::fs::write(d.join("s.json"), "{}").unwrap();
    let out = run(&d, "stdp_curve", &["--config", "s.json", "--out-dir", "plots"]);
    refused(&out, "names a committed figure, which only `cargo run --release --example stdp_curve` writes");
    assert!(!d.join("plots/stdp_curve.json").exists());
    ok(&run(&d, "stdp_curve", &[]));
    assert!(d.join("plots/stdp_curve.json").exists(), "the figure's own command wrote nothing");
}

/// Sizes, steps and rates that pass the shape checks but not the machine or the dynamics
/// (issue 42): refused with the field named, before any output.
#[test]
fn sizes_and_rates_beyond_the_machine_or_the_dynamics_are_refused() {
    let d = scratch("sizes");
    let data = fake_mnist(&d, 28, 40);
    let dir = data.to_str().unwrap();
    let out = run(&d, "binocular_rivalry", &["--test-ticks", "1099511627776", "--seeds", "1", "--out-dir", "o"]);
    refused(&out, "the test's recording (test_ticks) would need about");
    assert!(out.stdout.is_empty(), "the table began before the check");
    refused(&run(&d, "mlp_baseline", &["--hidden", "1099511627776", "--mnist-dir", dir]), "the MLP (hidden, batch)");
    let out = run(&d, "mlp_baseline", &["--lr", "1e38", "--hidden", "8", "--epochs", "1", "--mnist-dir", dir]);
    refused(&out, "the MLP diverged");
    for (name, text, needle) in [
        ("continual_mnist", r#"{"mlp": {"batch": 1099511627776}}"#, "the MLP (hidden, batch)"),
        ("continual_mnist", r#"{"plan": {"dreams_per_class": 1099511627776}}"#, "plan.dreams_per_class"),
        ("imbalanced_stream", r#"{"mlp": {"hidden": 1099511627776}}"#, "the MLP (hidden, batch)"),
        ("imbalanced_stream", r#"{"samples": 1099511627776}"#, "the stream (samples)"),
        ("meta_clustering", r#"{"onehot_5x5": {"test_examples": 1099511627776}}"#, "test_examples"),
    ] {
        std::fs::write(d.join("c.json"), text).unwrap();
        let mut a = vec!["--config", "c.json", "--out-dir", "o", "--mnist-dir", dir];
        if name == "meta_clustering" {
            a.extend(["--scenes", "onehot_5x5", "--seeds", "1"]);
        }
        refused(&run(&d, name, &a), needle);
    }
    assert!(!d.join("o").exists(), "a refused run wrote something");
}
