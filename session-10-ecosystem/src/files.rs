//! # `files`: aiofiles -> `tokio::fs`
//!
//! Operating systems offer no portable non-blocking file I/O, so `aiofiles` runs every read
//! and write on a thread pool, and `tokio::fs` does the same (`spawn_blocking` inside).
//!
//! So `tokio::fs` is no faster than plain `std::fs` (usually slower: every call pays for a
//! thread hop). What it buys is that the runtime's other tasks keep running while a file call
//! waits. This part times both: N files at once with `tokio::fs`, then one after another with
//! `std::fs`, each written, read back and its lines counted.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::task::JoinSet;

/// What to write: `files` files of `lines` lines each, into `dir`, a fresh, empty folder of
/// the run's own (the binary makes one and removes it).
#[derive(Debug, Clone)]
pub struct FilesOptions {
    pub files: usize,
    pub lines: usize,
    pub dir: PathBuf,
}

/// The most lines one run writes (`files` x `lines`; the binary refuses more). Every file
/// is in flight at once with its text, so this bounds the memory (about 45 MB).
pub const MAX_TOTAL_LINES: usize = 2_000_000;

/// Files written each way, lines counted back, and wall times: `tokio::fs` with all files in
/// flight at once, `std::fs` one file after another.
#[derive(Debug, Clone)]
pub struct FilesReport {
    pub files: usize,
    pub async_lines: usize,
    pub std_lines: usize,
    pub async_time: Duration,
    pub std_time: Duration,
}

/// The text of file `index`: `lines` numbered lines.
fn file_text(index: usize, lines: usize) -> String {
    (0..lines)
        .map(|line| format!("file {index} line {line}\n"))
        .collect()
}

/// Writes one file with `tokio::fs`, reads it back and returns its line count.
async fn write_and_count_async(path: PathBuf, text: String) -> Result<usize> {
    // async with aiofiles.open(path, "w") as f: await f.write(text) -> tokio::fs::write
    tokio::fs::write(&path, text)
        .await
        .with_context(|| format!("could not write {}", path.display()))?;
    let back = tokio::fs::read_to_string(&path)
        .await
        .with_context(|| format!("could not read back {}", path.display()))?;
    Ok(back.lines().count())
}

/// The same with `std::fs`: blocking calls, fine here because this function is not async.
fn write_and_count_std(path: &Path, text: &str) -> Result<usize> {
    std::fs::write(path, text).with_context(|| format!("could not write {}", path.display()))?;
    let back = std::fs::read_to_string(path)
        .with_context(|| format!("could not read back {}", path.display()))?;
    Ok(back.lines().count())
}

/// Runs both ways and returns the counts and times.
///
/// The `std::fs` pass runs inside `spawn_blocking`: even the "plain" way must not block the
/// runtime, which is the lesson of [`crate::blocking`].
pub async fn run(options: &FilesOptions) -> Result<FilesReport> {
    // asyncio.gather(*(write_and_count(i) for i in range(n))) -> JoinSet
    let started = Instant::now();
    let mut set = JoinSet::new();
    for index in 0..options.files {
        let path = options.dir.join(format!("async-{index:04}.txt"));
        set.spawn(write_and_count_async(path, file_text(index, options.lines)));
    }
    let mut async_lines = 0;
    while let Some(joined) = set.join_next().await {
        async_lines += joined.context("a file task panicked")??;
    }
    let async_time = started.elapsed();

    let dir = options.dir.clone();
    let (files, lines) = (options.files, options.lines);
    let (std_lines, std_time) = tokio::task::spawn_blocking(move || -> Result<_> {
        let started = Instant::now();
        let mut total = 0;
        for index in 0..files {
            let path = dir.join(format!("std-{index:04}.txt"));
            total += write_and_count_std(&path, &file_text(index, lines))?;
        }
        Ok((total, started.elapsed()))
    })
    .await
    .context("the std::fs pass panicked")??;

    Ok(FilesReport {
        files: options.files,
        async_lines,
        std_lines,
        async_time,
        std_time,
    })
}

impl FilesReport {
    /// Writes both passes with their times.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(
            out,
            "  tokio::fs, {:>4} files at once:  {:>7} lines counted in {:>7.1} ms",
            self.files,
            self.async_lines,
            self.async_time.as_secs_f64() * 1e3
        )?;
        writeln!(
            out,
            "  std::fs, one file at a time:   {:>7} lines counted in {:>7.1} ms{}",
            self.std_lines,
            self.std_time.as_secs_f64() * 1e3,
            crate::build_note()
        )?;
        writeln!(
            out,
            "  (tokio::fs hands every call to a blocking thread pool, as aiofiles does: it keeps \
             the runtime free, it does not make the disk faster)"
        )
    }
}
