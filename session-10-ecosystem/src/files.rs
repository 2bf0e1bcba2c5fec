//! # `files`: aiofiles -> `tokio::fs`
//!
//! Python's `aiofiles` gives `async with aiofiles.open(...)`, but operating systems offer no
//! portable non-blocking file I/O, so aiofiles runs every read and write on a thread pool and
//! awaits the result. `tokio::fs` does exactly the same thing: each call is a hop to tokio's
//! blocking pool (`spawn_blocking`) and back.
//!
//! What that means for speed: for many small files, `tokio::fs` is usually *slower* than plain
//! `std::fs` in a loop, because every call pays for a thread hop, and the disk (or page cache)
//! does not get faster with more callers. What it buys is that the runtime's other tasks keep
//! running while a file call waits: use it inside async code so you never block the runtime,
//! not to make file I/O itself faster. This part writes N files concurrently with
//! `tokio::fs`, reads them back and counts the lines, then does the same with `std::fs`, and
//! prints both times.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::task::JoinSet;

/// What to write: `files` files of `lines` lines each, into `dir`.
#[derive(Debug, Clone)]
pub struct FilesOptions {
    /// How many files to write and read back.
    pub files: usize,
    /// Lines per file.
    pub lines: usize,
    /// Folder to write into; it must exist, and should be a fresh folder of this run's own
    /// (the binary makes one inside `--dir`). Files are named `async-NNNN.txt` /
    /// `std-NNNN.txt`, created with `create_new` (a file or symlink already there is an
    /// error, never overwritten or followed) and removed afterwards.
    pub dir: PathBuf,
}

/// The most lines one run writes (`files` x `lines`). Every `tokio::fs` file is in flight at
/// once, each holding its text, so this bounds the memory the part takes (about 45 MB).
pub const MAX_TOTAL_LINES: usize = 2_000_000;

/// Times and counts of one run, for both ways of doing it.
#[derive(Debug, Clone)]
pub struct FilesReport {
    /// Number of files written per way.
    pub files: usize,
    /// Lines counted when reading back the `tokio::fs` files.
    pub async_lines: usize,
    /// Lines counted when reading back the `std::fs` files.
    pub std_lines: usize,
    /// Wall time for writing + reading with `tokio::fs`, all files in flight at once.
    pub async_time: Duration,
    /// Wall time for writing + reading with `std::fs`, one file after another.
    pub std_time: Duration,
}

/// The text of file `index`: `lines` numbered lines.
fn file_text(index: usize, lines: usize) -> String {
    (0..lines)
        .map(|line| format!("file {index} line {line}\n"))
        .collect()
}

/// Writes one file with `tokio::fs`, reads it back and returns its line count.
// `async with aiofiles.open(path, "w") as f: await f.write(text)` -> `tokio::fs::write`
async fn write_and_count_async(path: PathBuf, text: String) -> Result<usize> {
    use tokio::io::AsyncWriteExt;
    // create_new: fail if anything (a file, a symlink) is already at `path`.
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .await
        .with_context(|| format!("could not create {}", path.display()))?;
    file.write_all(text.as_bytes())
        .await
        .with_context(|| format!("could not write {}", path.display()))?;
    file.flush()
        .await
        .with_context(|| format!("could not write {}", path.display()))?;
    drop(file);
    let back = tokio::fs::read_to_string(&path)
        .await
        .with_context(|| format!("could not read back {}", path.display()))?;
    tokio::fs::remove_file(&path)
        .await
        .with_context(|| format!("could not remove {}", path.display()))?;
    Ok(back.lines().count())
}

/// The same with `std::fs`: blocking calls, fine here because this function is not async.
fn write_and_count_std(path: &Path, text: &str) -> Result<usize> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("could not create {}", path.display()))?
        .write_all(text.as_bytes())
        .with_context(|| format!("could not write {}", path.display()))?;
    let back = std::fs::read_to_string(path)
        .with_context(|| format!("could not read back {}", path.display()))?;
    std::fs::remove_file(path).with_context(|| format!("could not remove {}", path.display()))?;
    Ok(back.lines().count())
}

/// Runs both ways and returns the counts and times.
///
/// The `std::fs` pass runs inside `spawn_blocking`: even the "plain" way must not block the
/// runtime, which is the lesson of [`crate::blocking`].
pub async fn run(options: &FilesOptions) -> Result<FilesReport> {
    let total = options.files.saturating_mul(options.lines);
    if total > MAX_TOTAL_LINES {
        bail!(
            "--files {} x --lines {} is {total} lines, more than {MAX_TOTAL_LINES}: every file \
             is in memory at once, so choose fewer files or shorter ones",
            options.files,
            options.lines
        );
    }
    if !options.dir.is_dir() {
        bail!(
            "{} is not an existing folder: create it or leave out --dir",
            options.dir.display()
        );
    }

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
