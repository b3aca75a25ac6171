//! Command-line arguments shared by the toy examples.

use std::ops::Range;
use std::path::PathBuf;

// `--seed`, `--config` and `--out-dir`, flattened into each toy example's arguments
// (a plain comment: a doc comment would become the examples' --help text).
#[derive(clap::Args, Debug)]
#[allow(dead_code)] // not every example that shares this module is a toy
pub struct ToyArgs {
    /// First seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Optional JSON file with the experiment's config (any field; the rest default).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Folder for the SVG and JSON [default: plots/ for the run with no other argument,
    /// whose figures are committed; else runs/EXAMPLE/]
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
}

/// The output folder of this example's run (see [`astdp::checkpoint::out_dir`]): arguments
/// in `neutral` (with their values) leave a run the default one.
#[allow(dead_code)]
pub fn out_dir(explicit: Option<&std::path::Path>, neutral: &[&str]) -> PathBuf {
    let args: Vec<String> = std::env::args().skip(1).collect();
    astdp::checkpoint::out_dir(env!("CARGO_CRATE_NAME"), explicit, &args, neutral)
}

#[allow(dead_code)] // not every example that shares this module uses every method
impl ToyArgs {
    /// The seeds `seed, seed + 1, ...`, `count` of them (at least one).
    pub fn seeds(&self, count: u64) -> anyhow::Result<Range<u64>> {
        let end = self.seed.checked_add(count.max(1));
        end.map(|end| self.seed..end).ok_or_else(|| anyhow::anyhow!("--seed {} + --seeds {count} overflows", self.seed))
    }

    /// Before any work: the experiment's config (`--config` merged over its defaults, or
    /// the defaults), after checking that each of `outputs` (names in `--out-dir`) can be
    /// written and none of them is the `--config` file.
    pub fn start<T: Default + serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        outputs: &[&str],
    ) -> anyhow::Result<T> {
        self.start_with(outputs, &[], &[])
    }

    /// [`ToyArgs::start`] with `extra` outputs (other flags' files) and other `inputs`.
    pub fn start_with<T: Default + serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        outputs: &[&str],
        extra: &[(&str, &std::path::Path)],
        inputs: &[(&str, &std::path::Path)],
    ) -> anyhow::Result<T> {
        let paths: Vec<PathBuf> = outputs.iter().map(|n| self.out(n)).collect();
        let mut outs: Vec<(&str, &std::path::Path)> = paths.iter().map(|p| ("--out-dir", p.as_path())).collect();
        outs.extend_from_slice(extra);
        let mut ins: Vec<(&str, &std::path::Path)> = self.config.iter().map(|c| ("--config", c.as_path())).collect();
        ins.extend_from_slice(inputs);
        astdp::checkpoint::check_outputs(&outs, &ins)?;
        Ok(astdp::config::load_over_default(self.config.as_deref())?)
    }

    /// The path of `name` in the output folder.
    pub fn out(&self, name: &str) -> PathBuf {
        out_dir(self.out_dir.as_deref(), &[]).join(name)
    }
}

// `--config`, `--mnist-dir` and `--out-dir` of the examples that read MNIST and write a
// figure and its JSON (a plain comment, as above).
#[derive(clap::Args, Debug)]
#[allow(dead_code)] // not every example that shares this module reads MNIST
pub struct DataArgs {
    /// JSON file with any of the experiment's config fields, the rest default.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The MNIST folder (default: $ASTDP_MNIST_DIR, else data/mnist).
    #[arg(long)]
    pub mnist_dir: Option<PathBuf>,
    /// Folder for the SVG and JSON [default: plots/ for the run with no other argument
    /// than --mnist-dir or --memories, whose figures are committed; else runs/EXAMPLE/]
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
}

#[allow(dead_code)]
impl DataArgs {
    /// The output folder (see [`out_dir`]).
    pub fn out_dir(&self) -> PathBuf {
        out_dir(self.out_dir.as_deref(), &["--mnist-dir", "--memories"])
    }

    /// Before any work: checks that `NAME.svg` and `NAME.json` in `--out-dir` (and
    /// `extra` outputs) can be written and overwrite none of the inputs (`--config` and
    /// `inputs`), then loads the config. Returns it with the two paths.
    pub fn start<T: Default + serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        name: &str,
        extra: &[(&str, &std::path::Path)],
        inputs: &[(&str, &std::path::Path)],
    ) -> anyhow::Result<(T, PathBuf, PathBuf)> {
        let dir = self.out_dir();
        let (svg, json) = (dir.join(format!("{name}.svg")), dir.join(format!("{name}.json")));
        let mut outs: Vec<(&str, &std::path::Path)> = vec![("--out-dir", &svg), ("--out-dir", &json)];
        outs.extend_from_slice(extra);
        let mnist = astdp::data::mnist::input_files(self.mnist_dir.as_deref());
        let mut ins: Vec<(&str, &std::path::Path)> = inputs.to_vec();
        ins.extend(self.config.iter().map(|c| ("--config", c.as_path())));
        ins.extend(mnist.iter().map(|f| ("--mnist-dir", f.as_path())));
        astdp::checkpoint::check_outputs(&outs, &ins)?;
        Ok((astdp::config::load_over_default(self.config.as_deref())?, svg, json))
    }

    /// Both MNIST splits, all samples.
    pub fn mnist(&self) -> anyhow::Result<(astdp::data::mnist::Dataset, astdp::data::mnist::Dataset)> {
        Ok(astdp::data::mnist::load(self.mnist_dir.as_deref(), usize::MAX, usize::MAX)?)
    }
}
