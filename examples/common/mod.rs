//! Command-line arguments shared by the toy examples.

use std::ops::Range;
use std::path::PathBuf;

// `--seed`, `--config` and `--out-dir`, flattened into each toy example's arguments
// (a plain comment: a doc comment would become the examples' --help text).
#[derive(clap::Args, Debug)]
pub struct ToyArgs {
    /// First seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Optional JSON file with the experiment's config (any field; the rest default).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Folder for the SVG and JSON.
    #[arg(long, default_value = "plots")]
    pub out_dir: PathBuf,
}

impl ToyArgs {
    /// The seeds `seed, seed + 1, ...`, `count` of them (at least one).
    #[allow(dead_code)] // not every example that shares this module runs several seeds
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
        let paths: Vec<PathBuf> = outputs.iter().map(|n| self.out_dir.join(n)).collect();
        let outs: Vec<(&str, &std::path::Path)> = paths.iter().map(|p| ("--out-dir", p.as_path())).collect();
        let inputs: Vec<(&str, &std::path::Path)> = self.config.iter().map(|c| ("--config", c.as_path())).collect();
        astdp::checkpoint::check_outputs(&outs, &inputs)?;
        Ok(astdp::config::load_over_default(self.config.as_deref())?)
    }

    /// The path of `name` in the output folder.
    pub fn out(&self, name: &str) -> PathBuf {
        self.out_dir.join(name)
    }
}
