//! Progress of long runs on stderr: a bar on a terminal, a plain line every 30 seconds
//! otherwise (logs, CI), so that an hour-long run is never silent.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How often a line is printed when stderr is not a terminal.
const LINE_EVERY: Duration = Duration::from_secs(30);

/// One task's progress (an epoch, a scan): [`Progress::update`] after each unit of work,
/// [`Progress::finish`] at the end.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    label: String,
    total: usize,
    last_line: Instant,
}

impl Progress {
    /// Starts a task of `total` units, named `label` in the bar or the lines.
    pub fn new(label: impl Into<String>, total: usize) -> Progress {
        let label = label.into();
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len}, {per_sec}, eta {eta} {msg}")
            {
                bar.set_style(style);
            }
            bar.set_prefix(label.clone());
            bar
        });
        Progress { bar, label, total, last_line: Instant::now() }
    }

    /// `done` units of the total are done; `msg` says how it goes (a running metric).
    pub fn update(&mut self, done: usize, msg: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(done as u64);
                bar.set_message(msg.to_string());
            }
            None if self.last_line.elapsed() >= LINE_EVERY => {
                eprintln!("{}: {done}/{} {msg}", self.label, self.total);
                self.last_line = Instant::now();
            }
            None => {}
        }
    }

    /// Clears the bar (the caller prints the task's result).
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
