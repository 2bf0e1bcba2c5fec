//! Tests of the parts that need no server: files, docs, blocking, and the binary's errors.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use session_10_ecosystem::blocking::{self, BlockingOptions, Mode, Work};
use session_10_ecosystem::docs::{self, DocsOptions, pages_of};
use session_10_ecosystem::files::{self, FilesOptions};

/// Tests that load the machine (several processes, big inputs) and the timing tests take
/// this lock, so a timing bound is never measured while this binary's other tests hog the CPU.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_session-10-ecosystem"));
    command.env("NO_COLOR", "1");
    command
}

#[tokio::test]
async fn files_counts_every_line_both_ways_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let report = files::run(&FilesOptions {
        files: 25,
        lines: 40,
        dir: dir.path().to_path_buf(),
    })
    .await
    .unwrap();
    assert_eq!(report.async_lines, 25 * 40);
    assert_eq!(report.std_lines, 25 * 40);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn files_rejects_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let out = bin()
        .args(["files", "--dir"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("is not an existing folder"), "{stderr}");
    assert!(!missing.exists());
}

#[tokio::test]
async fn files_never_overwrites_or_follows_what_is_already_there() {
    // Even called directly on a folder that holds a file and a symlink under the names it
    // wants, the lesson function refuses instead of writing through them.
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "outside").unwrap();
    std::fs::write(dir.path().join("async-0000.txt"), "mine").unwrap();
    symlink(outside.path(), &dir.path().join("async-0001.txt"));
    let err = files::run(&FilesOptions {
        files: 2,
        lines: 3,
        dir: dir.path().to_path_buf(),
    })
    .await
    .unwrap_err();
    assert!(format!("{err:#}").contains("could not create"), "{err:#}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("async-0000.txt")).unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read_to_string(outside.path()).unwrap(), "outside");
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) {
    std::os::windows::fs::symlink_file(target, link).unwrap();
}

/// Every entry under `dir`, with what it is: file contents, or a symlink's target.
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let meta = path.symlink_metadata().unwrap();
            let what = if meta.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&path).unwrap().display())
            } else if meta.is_dir() {
                "folder".to_string()
            } else {
                format!("{:?}", std::fs::read(&path).unwrap())
            };
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                what,
            )
        })
        .collect();
    entries.sort();
    entries
}

#[test]
fn files_dir_with_user_files_and_a_symlink_comes_out_unchanged() {
    // The attack: the folder already holds files named like the ones the part writes, and
    // one of those names is a symlink to a file outside the folder.
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "outside, must stay\n").unwrap();
    std::fs::write(dir.path().join("async-0000.txt"), "user file 1\n").unwrap();
    std::fs::write(dir.path().join("std-0001.txt"), "user file 2\n").unwrap();
    symlink(outside.path(), &dir.path().join("async-0002.txt"));
    let before = snapshot(dir.path());

    let out = bin()
        .args(["files", "--files", "5", "--lines", "3", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.matches("15 lines counted").count(), 2, "{stdout}");

    assert_eq!(snapshot(dir.path()), before);
    assert_eq!(
        std::fs::read_to_string(outside.path()).unwrap(),
        "outside, must stay\n"
    );
}

#[test]
fn three_files_runs_in_one_dir_all_succeed_and_leave_nothing() {
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "keep").unwrap();
    let before = snapshot(dir.path());
    let children: Vec<_> = (0..3)
        .map(|_| {
            bin()
                .args(["files", "--files", "300", "--lines", "20", "--dir"])
                .arg(dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(stdout.matches("6000 lines counted").count(), 2, "{stdout}");
    }
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn files_refuses_more_lines_than_fit_in_memory_at_once() {
    // 10,000 files of 100,000 lines would hold about 20 GB in flight: refused at once, in one
    // line, before anything is written.
    let out = bin()
        .args(["files", "--files", "10000", "--lines", "100000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("is 1000000000 lines, more than 2000000"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_finds_updates_and_counts_with_several_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let (tasks, books) = (4, 60);
    let report = docs::run(&DocsOptions {
        tasks,
        books_per_task: books,
        db_path: dir.path().join("books.db"),
    })
    .await
    .unwrap();
    // The expected answers, worked out from the same data without the store.
    let all: Vec<i64> = (0..tasks)
        .flat_map(|t| (0..books).map(move |i| pages_of(t, i)))
        .collect();
    let over_100 = all.iter().filter(|p| **p > 100).count();
    let over_300 = all.iter().filter(|p| **p > 300).count();
    assert!(over_100 > 0 && over_300 > 0 && over_300 < all.len());
    assert_eq!(report.inserted, (tasks * books) as u64);
    assert_eq!(report.found_per_task, vec![over_100; tasks]);
    assert_eq!(report.updated, over_300 as u64);
    assert_eq!(report.long_reads, over_300);
}

#[tokio::test]
async fn docs_refuses_a_store_file_that_exists_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.db");
    let options = DocsOptions {
        tasks: 2,
        books_per_task: 10,
        db_path: path.clone(),
    };
    let first = docs::run(&options).await.unwrap();
    assert_eq!(first.inserted, 20);
    let written = std::fs::read(&path).unwrap();
    let err = docs::run(&options).await.unwrap_err();
    assert!(format!("{err:#}").contains("already exists"), "{err:#}");
    assert_eq!(std::fs::read(&path).unwrap(), written);
    // A dangling symlink is refused too, not followed.
    let link = dir.path().join("link.db");
    symlink(&dir.path().join("nowhere.db"), &link);
    let err = docs::run(&DocsOptions {
        db_path: link,
        ..options
    })
    .await
    .unwrap_err();
    assert!(format!("{err:#}").contains("already exists"), "{err:#}");
    assert!(!dir.path().join("nowhere.db").exists());
}

#[test]
fn docs_reused_db_path_is_refused_in_one_line() {
    let _heavy = heavy();
    // The attack: the second run on the same file overflowed the stack (rc 134).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let out = bin()
        .args(["docs", "--tasks", "4", "--books", "2000", "--db-path"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = bin()
        .args(["docs", "--tasks", "1", "--books", "5", "--db-path"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
}

#[test]
fn docs_finishes_or_refuses_in_one_line_at_the_edges_of_its_flags() {
    let _heavy = heavy();
    // The attack: --books 40000 with one task, and --tasks 64 --books 2000, ran for ever.
    // The largest single batch the flags allow finishes with the right counts.
    let out = bin()
        .args(["docs", "--tasks", "1", "--books", "10000"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("1 tasks inserted 10000 books"), "{stdout}");
    assert!(
        stdout.contains("[8000]") && stdout.contains("4000 changed, 4000 found"),
        "{stdout}"
    );
    // Each flag's own range, then their product, refused in one line before any work.
    for (args, code, says) in [
        (["--tasks", "64", "--books", "2000"], 2, "--tasks"),
        (["--tasks", "1", "--books", "40000"], 2, "--books"),
        (["--tasks", "16", "--books", "10000"], 1, "more than 40000"),
    ] {
        let out = bin().arg("docs").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}

// Timing tests: these measure real blocking on real threads, so tokio's paused clock cannot
// stand in. The bounds follow from the inputs and hold however slow the machine is in the
// direction that matters: inline, no tick can run during the call, so the gap between two
// ticks is at least `block` by construction; with spawn_blocking, the ticker would have to be
// starved for over half of a 300 ms call by the OS for the assertion to fail.
const PERIOD: Duration = Duration::from_millis(10);
const BLOCK: Duration = Duration::from_millis(300);

#[test]
fn inline_blocking_holds_up_the_ticker_for_the_whole_call() {
    let _heavy = heavy();
    for work in [Work::Sleep, Work::Cpu] {
        let report = blocking::measure(
            Mode::Inline,
            BlockingOptions {
                period: PERIOD,
                block: BLOCK,
                work,
            },
        )
        .unwrap();
        assert!(report.longest_gap >= BLOCK, "{work:?}: {report:?}");
        assert!(report.max_late >= BLOCK - PERIOD, "{work:?}: {report:?}");
    }
}

#[test]
fn spawn_blocking_keeps_the_ticker_on_time() {
    let _heavy = heavy();
    let report = blocking::measure(
        Mode::SpawnBlocking,
        BlockingOptions {
            period: PERIOD,
            block: BLOCK,
            work: Work::Sleep,
        },
    )
    .unwrap();
    assert!(report.max_late < BLOCK / 2, "{report:?}");
    assert!(report.longest_gap < BLOCK / 2, "{report:?}");
    // The ticker kept running during the call: roughly BLOCK / PERIOD ticks, at least half.
    assert!(report.ticks as u32 >= BLOCK.as_millis() as u32 / PERIOD.as_millis() as u32 / 2);
}

#[test]
fn binary_runs_the_local_parts() {
    let out = bin()
        .args(["files", "--files", "10", "--lines", "7"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.matches("70 lines counted").count(), 2, "{stdout}");

    let out = bin()
        .args(["blocking", "--block-ms", "100"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("inline") && stdout.contains("spawn_blocking"),
        "{stdout}"
    );
}

#[test]
fn bad_flags_give_one_line_and_exit_2() {
    for args in [
        &["postgres", "--ops", "0"][..],
        &["blocking", "--work", "nap"][..],
        &["redis", "--nope"][..],
    ] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:"), "{stderr}");
    }
}

#[test]
fn a_bad_db_path_is_one_line_not_a_panic_and_makes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-folder").join("books.db");
    let out = bin()
        .args(["docs", "--db-path"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not create"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

// ---------- signals and output that cannot be written ----------

#[cfg(unix)]
fn signal(child: &std::process::Child, signal: i32) {
    // SAFETY: kill(2) on our own child's pid; no memory is involved.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
}

/// Waits (bounded, polling) until `done` holds.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("gave up waiting for {what}");
}

#[cfg(unix)]
#[test]
fn sigint_during_files_removes_the_runs_folder() {
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "keep").unwrap();
    let before = snapshot(dir.path());
    let child = bin()
        .args(["files", "--files", "10000", "--lines", "200", "--dir"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the run's folder holds some of its files.
    wait_until("the run's files", || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .any(|entry| {
                entry.path().is_dir()
                    && std::fs::read_dir(entry.path()).is_ok_and(|mut files| files.next().is_some())
            })
    });
    signal(&child, libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGINT: removed"),
        "{stderr}"
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[cfg(unix)]
#[test]
fn sigterm_during_docs_removes_the_store() {
    let _heavy = heavy();
    // The store goes into a new folder under TMPDIR: point TMPDIR at a folder we watch.
    let tmp = tempfile::tempdir().unwrap();
    let child = bin()
        .args(["docs", "--tasks", "4", "--books", "10000"])
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the store file", || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .any(|entry| entry.path().join("books.db").exists())
    });
    signal(&child, libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGTERM: removed"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[cfg(unix)]
#[test]
fn every_local_part_into_a_full_disk_is_one_line() {
    for args in [
        // The full run: its first heading already fails.
        &[][..],
        &["files", "--files", "3", "--lines", "2"][..],
        &["docs", "--tasks", "1", "--books", "3"][..],
        &["blocking", "--block-ms", "20"][..],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = bin()
            .args(args)
            .env("TMPDIR", tmp.path())
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("could not write to stdout"), "{stderr}");
        // Nothing left in the temporary folder either.
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "{args:?}"
        );
    }
}

#[test]
fn every_local_part_into_a_closed_pipe_is_quiet() {
    for args in [
        &["files", "--files", "3", "--lines", "2"][..],
        &["docs", "--tasks", "1", "--books", "3"][..],
        &["blocking", "--block-ms", "20"][..],
    ] {
        let mut child = bin()
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // `| true`
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{stderr}");
    }
}
