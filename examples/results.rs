//! The results driver: runs rows of `results/index.csv` and regenerates `docs/results.md`.
//!
//! ```text
//! cargo run --release --example results -- list
//! cargo run --release --example results -- run supervised_60k ep     # skips rows whose file exists
//! cargo run --release --example results -- run --all                 # every row with no file yet
//! cargo run --release --example results -- docs                      # docs/results.md
//! ```
//! Run from the repository root, with `ASTDP_MNIST_DIR` set (or the files in
//! `data/mnist`). A row that resumes from another row's checkpoint runs that row first
//! when the checkpoint (under `runs/`, not in git) is missing. Each run's progress goes
//! to the terminal; full runs take 15 min to hours on 2 cores.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use astdp::results::{IndexRow, load_reports, read_figures, read_index, render_markdown};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(version, about = "Run rows of results/index.csv and regenerate docs/results.md")]
struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// One line per row: status, whether its results file exists, its command.
    List,
    /// Runs the named rows (or all rows without a results file), skipping rows whose
    /// results file exists.
    Run {
        /// Row names, as in the index.
        names: Vec<String>,
        /// Every row whose results file is missing (superseded rows only as needed).
        #[arg(long)]
        all: bool,
        /// Print the commands without running them.
        #[arg(long)]
        dry_run: bool,
    },
    /// Regenerates docs/results.md from the index and the results files.
    Docs,
}

fn example_bin(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("the results example has no folder")?;
    let bin = dir.join(name);
    if !bin.is_file() {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--example", name])
            .status()
            .context("building the example (is cargo on PATH?)")?;
        if !status.success() || !bin.is_file() {
            bail!("{} is missing: run `cargo build --release --examples`", bin.display());
        }
    }
    Ok(bin)
}

/// Runs `row` (after the row it resumes from, when that checkpoint is missing; that run
/// is only for the checkpoint, so when the row's results file exists it stays as it is
/// and the rebuilt report goes to `runs/`).
fn run(rows: &[IndexRow], row: &IndexRow, dry_run: bool, depth: usize) -> anyhow::Result<()> {
    run_to(rows, row, dry_run, depth, row.output_path())
}

fn run_to(rows: &[IndexRow], row: &IndexRow, dry_run: bool, depth: usize, out: PathBuf) -> anyhow::Result<()> {
    if depth > rows.len() {
        bail!("the resume chain of {} loops", row.name);
    }
    if !row.resume_from.is_empty() {
        let prev = rows.iter().find(|r| r.name == row.resume_from).context("resume_from names no row")?;
        if !prev.checkpoint_path().exists() {
            eprintln!(
                "{} needs {}, which is missing: running {} first",
                row.name,
                prev.checkpoint_path().display(),
                prev.name
            );
            let out = if prev.output_path().exists() { prev.rebuild_path() } else { prev.output_path() };
            run_to(rows, prev, dry_run, depth + 1, out)?;
        }
    }
    let bin = example_bin(&row.example)?;
    let args = row.args_to(&out);
    eprintln!("== {}: {} {}", row.name, bin.display(), args.join(" "));
    if dry_run {
        return Ok(());
    }
    let status = Command::new(&bin).args(&args).stdout(Stdio::null()).status()?;
    if !status.success() {
        bail!("{} failed ({status}); its results file was not written", row.name);
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let root = Path::new(".");
    if !root.join("results/index.csv").is_file() {
        bail!("results/index.csv not found: run this from the repository root");
    }
    let rows = read_index(root)?;
    match args.cmd {
        Cmd::List => {
            for row in &rows {
                let have = if row.output_path().exists() { "file" } else { "    " };
                println!("{:<10} {have} {} {} {}", row.status.as_str(), row.name, row.example, row.args().join(" "));
            }
        }
        Cmd::Run { names, all, dry_run } => {
            let todo: Vec<&IndexRow> = if all {
                rows.iter()
                    .filter(|r| r.status != astdp::results::Status::Superseded && !r.output_path().exists())
                    .collect()
            } else {
                if names.is_empty() {
                    bail!("name the rows to run (see `list`), or pass --all");
                }
                names
                    .iter()
                    .map(|n| {
                        rows.iter()
                            .find(|r| &r.name == n)
                            .with_context(|| format!("no row named {n} in results/index.csv"))
                    })
                    .collect::<anyhow::Result<_>>()?
            };
            for row in todo {
                if row.output_path().exists() {
                    eprintln!("skip {} ({} exists: delete it to run again)", row.name, row.output_path().display());
                    continue;
                }
                run(&rows, row, dry_run, 0)?;
            }
        }
        Cmd::Docs => {
            let reports = load_reports(root, &rows)?;
            let path = root.join("docs/results.md");
            let figures = read_figures(root)?;
            astdp::checkpoint::write_atomic(&path, render_markdown(&rows, &reports, &figures).as_bytes())?;
            eprintln!("wrote {} ({} rows, {} results files)", path.display(), rows.len(), reports.len());
        }
    }
    Ok(())
}
