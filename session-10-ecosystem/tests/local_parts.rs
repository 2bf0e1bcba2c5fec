//! Tests of the parts that need no server: files, docs, blocking, and the binary's errors.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use session_10_ecosystem::blocking::{self, BlockingOptions, Mode};
use session_10_ecosystem::docs::{self, DocsOptions, pages_of};
use session_10_ecosystem::files::{self, FilesOptions};

/// Tests that load the machine and the timing tests take this lock, so a timing bound is
/// never measured while this binary's other heavy tests hog the CPU.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_session-10-ecosystem"));
    command.env("NO_COLOR", "1").stdin(Stdio::null());
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn files_counts_every_line_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let options = FilesOptions {
        files: 25,
        lines: 40,
        dir: dir.path().to_path_buf(),
    };
    let report = files::run(&options).await.unwrap();
    assert_eq!((report.async_lines, report.std_lines), (1000, 1000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_finds_updates_and_counts_with_several_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let (tasks, books) = (4, 60);
    let options = DocsOptions {
        tasks,
        books,
        dir: dir.path().to_path_buf(),
    };
    let report = docs::run(&options).await.unwrap();
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

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
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
            (path.file_name().unwrap().to_string_lossy().into(), what)
        })
        .collect();
    entries.sort();
    entries
}

/// A folder holding what a user might have where the parts work: a store and its write-ahead
/// log, files named like the part's, and symlinks (one dangling) to places outside.
#[cfg(unix)]
fn users_folder() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("target"), "outside, must stay\n").unwrap();
    std::fs::write(dir.path().join("books.db"), "the user's store\n").unwrap();
    std::fs::write(dir.path().join("books.db.wal"), "the user's log\n").unwrap();
    std::fs::write(dir.path().join("async-0000.txt"), "user file\n").unwrap();
    symlink(
        &outside.path().join("target"),
        &dir.path().join("async-0001.txt"),
    );
    symlink(
        &outside.path().join("target"),
        &dir.path().join("mine.db.wal"),
    );
    symlink(
        &outside.path().join("nowhere"),
        &dir.path().join("dangling.db.wal"),
    );
    (dir, outside)
}

/// Issue 20, item 1: `docs --db-path` put PoloDB's `<db>.wal` beside the user's files (it
/// deleted a user's own `books.db.wal`, wrote through a symlink, created a file through a
/// dangling one). The flag is gone: the store lives only in a fresh folder the run makes.
#[cfg(unix)]
#[test]
fn docs_and_files_touch_nothing_they_did_not_make() {
    let (dir, outside) = users_folder();
    let before = (snapshot(dir.path()), snapshot(outside.path()));
    for db_path in ["books.db", "mine.db", "dangling.db"] {
        let out = bin()
            .args(["docs", "--db-path"])
            .arg(dir.path().join(db_path))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
    }
    for args in [&["docs"][..], &["files", "--files", "5", "--lines", "3"]] {
        // Once with --dir, once through TMPDIR.
        let out = bin()
            .args(args)
            .arg("--dir")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let out = bin().args(args).env("TMPDIR", dir.path()).output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    assert_eq!((snapshot(dir.path()), snapshot(outside.path())), before);
}

/// Issue 20, item 1: a store path that is not UTF-8 made PoloDB panic before the error line.
#[cfg(unix)]
#[test]
fn a_folder_that_is_not_utf8_is_one_line_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir(&odd).unwrap();
    let out = bin().args(["docs", "--dir"]).arg(&odd).output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("is not UTF-8"), "{stderr}");
    assert_eq!(std::fs::read_dir(&odd).unwrap().count(), 0);
}

#[test]
fn a_missing_dir_is_one_line() {
    let out = bin()
        .args(["files", "--dir", "/no/such/folder"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("give a writable --dir"), "{stderr}");
}

#[test]
fn bad_flags_and_over_budget_products_are_usage_errors() {
    for (args, says) in [
        (&["postgres", "--ops", "0"][..], "--ops"),
        (&["redis", "--nope"][..], "--nope"),
        (
            &["files", "--files", "10000", "--lines", "100000"],
            "over the bound of 2000000",
        ),
        (
            &["docs", "--tasks", "16", "--books", "10000"],
            "over the bound of 40000",
        ),
    ] {
        let out = bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with("error:") && stderr.contains(says),
            "{stderr}"
        );
        // Even with no stderr to say it on: still 2, never a panic's 101.
        let full = std::fs::File::create("/dev/full").unwrap();
        let out = bin().args(args).stderr(full).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

// Timing tests: real blocking on real threads, so tokio's paused clock cannot stand in. The
// bounds follow from the inputs: inline, no tick can run during the call, so the gap between
// two ticks is at least `BLOCK` by construction; with spawn_blocking, the OS would have to
// starve the ticker for over half of a 300 ms call for the assertion to fail.
const PERIOD: Duration = Duration::from_millis(10);
const BLOCK: Duration = Duration::from_millis(300);

#[test]
fn inline_blocking_holds_up_the_ticker_for_the_whole_call() {
    let _heavy = heavy();
    let options = BlockingOptions {
        period: PERIOD,
        block: BLOCK,
    };
    let report = blocking::measure(Mode::Inline, options).unwrap();
    assert!(report.longest_gap >= BLOCK, "{report:?}");
    assert!(report.max_late >= BLOCK - PERIOD, "{report:?}");
}

#[test]
fn spawn_blocking_keeps_the_ticker_on_time() {
    let _heavy = heavy();
    let options = BlockingOptions {
        period: PERIOD,
        block: BLOCK,
    };
    let report = blocking::measure(Mode::SpawnBlocking, options).unwrap();
    assert!(report.max_late < BLOCK / 2, "{report:?}");
    assert!(report.longest_gap < BLOCK / 2, "{report:?}");
    assert_eq!(report.ticks, 36, "{report:?}"); // 300 / 10 + 6
}

#[test]
fn the_blocking_lines_line_up() {
    let out = bin()
        .args(["blocking", "--block-ms", "50"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("  inline "), "{stdout}");
    assert!(lines[1].starts_with("  spawn_blocking "), "{stdout}");
    for column in ["max late", "median late", "longest gap", "ticks)"] {
        assert_eq!(lines[0].find(column), lines[1].find(column), "{stdout}");
    }
}

// ---------- Ctrl-C, and output that cannot be written ----------

#[cfg(unix)]
fn interrupt(child: &std::process::Child) {
    // SAFETY: kill(2) on our own child's pid; no memory is involved.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
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

/// Whether some folder inside `dir` holds something already.
fn run_has_started(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|entry| {
        std::fs::read_dir(entry.path()).is_ok_and(|mut inside| inside.next().is_some())
    })
}

/// Ctrl-C in the middle of `files` or `docs`: one line, exit 130, and the run's folder gone.
#[cfg(unix)]
#[test]
fn ctrl_c_leaves_nothing_behind() {
    let _heavy = heavy();
    for args in [
        &["files", "--files", "10000", "--lines", "200"][..],
        &["docs", "--tasks", "4", "--books", "10000"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let child = bin()
            .args(args)
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_until("the run's files", || run_has_started(dir.path()));
        interrupt(&child);
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("interrupted: "), "{stderr}");
        assert_eq!(snapshot(dir.path()), [], "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn every_local_part_into_a_full_disk_is_one_line_and_leaves_nothing() {
    for args in [
        &[][..], // the full run: its first heading already fails
        &["files", "--files", "3", "--lines", "2"],
        &["docs", "--tasks", "1", "--books", "3"],
        &["blocking", "--block-ms", "20"],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let full = std::fs::File::create("/dev/full").unwrap();
        let out: Output = bin()
            .args(args)
            .env("TMPDIR", tmp.path())
            .stdout(full)
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("could not write to stdout"), "{stderr}");
        assert_eq!(snapshot(tmp.path()), [], "{args:?}");
    }
}

#[test]
fn every_local_part_into_a_closed_pipe_is_quiet() {
    for args in [
        &["files", "--files", "3", "--lines", "2"][..],
        &["docs", "--tasks", "1", "--books", "3"],
        &["blocking", "--block-ms", "20"],
    ] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // `| true`
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{stderr}");
    }
}
