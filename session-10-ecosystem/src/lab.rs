//! # The lab's runner: every part, and what it leaves behind
//!
//! The lesson modules clean up after themselves when they finish or fail. What they cannot
//! handle is being stopped from outside: Ctrl-C (SIGINT), SIGTERM, or the binary's
//! `--timeout-secs`. In all three the part's future is dropped half-way, so its own clean-up
//! never runs. This module runs each part so that the names of what it makes (a folder, a
//! store file, a table, a key prefix) are chosen *before* it starts; when the part is
//! stopped, the runner removes exactly those, says so in one line, and returns
//! [`Interrupted`] (exit 130 for SIGINT, 143 for SIGTERM).
//!
//! Only `kill -9` cannot be handled. For that, each server part prints its exact table or
//! key prefix when it starts; the README's recipe removes that one run's leftovers.

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::sync::watch;

use crate::blocking::{self, BlockingOptions, TickReport};
use crate::docs::{self, DocsOptions, DocsReport};
use crate::files::{self, FilesOptions, FilesReport};
use crate::postgres::{self, PgReport};
use crate::redis::{self, RedisReport};

/// How long the clean-up after a stop may take before the runner gives up and says what is
/// left (a server that stopped answering would otherwise hang the exit too).
pub const CLEANUP_TIMEOUT: Duration = Duration::from_secs(10);

/// The run was stopped by a signal; what it made was removed (or the message says what is
/// left and how to remove it).
#[derive(Debug)]
pub struct Interrupted {
    /// `SIGINT` or `SIGTERM`.
    pub signal: &'static str,
    /// What the clean-up did, e.g. "removed /tmp/session10-files-Ab12".
    pub cleaned: String,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted by {}: {}", self.signal, self.cleaned)
    }
}

impl std::error::Error for Interrupted {}

impl Interrupted {
    /// The exit code a shell expects after this signal: 128 + its number.
    pub fn exit_code(&self) -> u8 {
        if self.signal == "SIGTERM" { 143 } else { 130 }
    }
}

/// Resolves when SIGINT or SIGTERM arrives, with the signal's name. Cloneable; every part
/// of a run listens on the same one.
#[derive(Clone)]
pub struct Stop(watch::Receiver<Option<&'static str>>);

impl Stop {
    /// Starts listening. Call it once, at the start of the run, inside the runtime: from then
    /// on the two signals no longer kill the process, they are delivered here.
    pub fn listen() -> Result<Stop> {
        let (tx, rx) = watch::channel(None);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut interrupt =
                signal(SignalKind::interrupt()).context("could not listen for SIGINT")?;
            let mut terminate =
                signal(SignalKind::terminate()).context("could not listen for SIGTERM")?;
            tokio::spawn(async move {
                let name = tokio::select! {
                    _ = interrupt.recv() => "SIGINT",
                    _ = terminate.recv() => "SIGTERM",
                };
                let _ = tx.send(Some(name));
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(Some("Ctrl-C"));
            }
        });
        Ok(Stop(rx))
    }

    /// Waits for the signal (forever if it never comes).
    async fn wait(&mut self) -> &'static str {
        match self.0.wait_for(Option::is_some).await {
            Ok(name) => name.unwrap_or("a signal"),
            // The listener is gone: no signal can come any more.
            Err(_) => std::future::pending().await,
        }
    }
}

/// How a raced part ended.
enum Ended<T> {
    Done(Result<T>),
    Stopped(&'static str),
    TimedOut(Duration),
}

/// Runs `part` until it ends, a signal comes, or `limit` passes; the part's future is dropped
/// before this returns, so the caller can use what the part borrowed for the clean-up.
async fn race<T>(
    part: impl Future<Output = Result<T>>,
    stop: &mut Stop,
    limit: Option<Duration>,
) -> Ended<T> {
    let deadline = async {
        match limit {
            Some(limit) => tokio::time::sleep(limit).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        biased;
        signal = stop.wait() => Ended::Stopped(signal),
        () = deadline => Ended::TimedOut(limit.unwrap_or_default()),
        result = part => Ended::Done(result),
    }
}

/// Removes a folder this run made. Tasks of a stopped part may still be finishing a file
/// call on a blocking thread (an aborted task cannot stop a call already running), so a
/// file can appear while the folder is being removed: try again, briefly.
///
/// Only a folder named `session10-...` is ever removed: a guard against a future edit passing
/// some other path (`--dir` itself, or the system's temp folder) by mistake.
async fn remove_folder(path: PathBuf) -> Result<()> {
    let ours = path
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with("session10-"));
    if !ours {
        bail!(
            "refusing to remove {}: not a folder this program made",
            path.display()
        );
    }
    tokio::task::spawn_blocking(move || {
        let mut attempt = 0;
        loop {
            match std::fs::remove_dir_all(&path) {
                Ok(()) => return Ok(()),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(_) if attempt < 50 => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(err) => {
                    return Err(err).with_context(|| {
                        format!("could not remove {}: rm -r it by hand", path.display())
                    });
                }
            }
        }
    })
    .await
    .context("removing a folder panicked")?
}

/// The `files` part in a fresh folder of its own, made inside `parent` (the system's temporary
/// folder when `None`) and removed afterwards; nothing else in `parent` is touched.
pub async fn files(
    files: usize,
    lines: usize,
    parent: Option<&Path>,
    out: &mut impl Write,
    stop: &mut Stop,
) -> Result<FilesReport> {
    let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
    if !parent.is_dir() {
        bail!(
            "{} is not an existing folder: create it or leave out --dir",
            parent.display()
        );
    }
    // A new folder with a random name (mkdtemp): never one that exists, never a symlink.
    let folder = tempfile::Builder::new()
        .prefix("session10-files-")
        .tempdir_in(&parent)
        .with_context(|| format!("could not create a folder in {}", parent.display()))?;
    // From here on the folder is removed by `remove_folder`, not by the guard's drop.
    let dir = folder.keep();
    let said = writeln!(out, "  writing into {} (removed at the end)", dir.display());
    if let Err(err) = said {
        remove_folder(dir).await?;
        return Err(err).context("could not write to stdout");
    }
    let options = FilesOptions {
        files,
        lines,
        dir: dir.clone(),
    };
    let ended = race(files::run(&options), stop, None).await;
    let removed = remove_folder(dir.clone()).await;
    match (ended, removed) {
        (Ended::Done(Ok(report)), removed) => removed.map(|()| report),
        (Ended::Done(Err(err)), Ok(())) => Err(err),
        (Ended::Done(Err(err)), Err(left)) => Err(err.context(format!("{left:#}"))),
        (Ended::Stopped(signal), removed) => Err(Interrupted {
            signal,
            cleaned: match removed {
                Ok(()) => format!("removed {}", dir.display()),
                Err(left) => format!("{left:#}"),
            },
        }
        .into()),
        (Ended::TimedOut(_), _) => unreachable!("files runs without a time limit"),
    }
}

/// The `docs` part in a new store file: `db_path`, which must not exist yet and is kept, or
/// a file in a new temporary folder, removed afterwards. A stopped run removes the file it
/// made in either case.
pub async fn docs(
    tasks: usize,
    books_per_task: usize,
    db_path: Option<&Path>,
    out: &mut impl Write,
    stop: &mut Stop,
) -> Result<DocsReport> {
    let (made, db_path) = match db_path {
        Some(path) => (None, path.to_path_buf()),
        None => {
            let folder = tempfile::Builder::new()
                .prefix("session10-docs-")
                .tempdir()
                .context("could not create a temporary folder")?
                .keep();
            let file = folder.join("books.db");
            (Some(folder), file)
        }
    };
    let existed = db_path.symlink_metadata().is_ok();
    let said = match &made {
        Some(folder) => writeln!(out, "  store in {} (removed at the end)", folder.display()),
        None => Ok(()),
    };
    if let Err(err) = said {
        if let Some(folder) = &made {
            remove_folder(folder.clone()).await?;
        }
        return Err(err).context("could not write to stdout");
    }
    let options = DocsOptions {
        tasks,
        books_per_task,
        db_path: db_path.clone(),
    };
    let ended = race(docs::run(&options), stop, None).await;
    // What this run made: the temporary folder, or the --db-path file if it is new.
    let remove = async |keep_db_path: bool| -> Result<String> {
        match &made {
            Some(folder) => remove_folder(folder.clone())
                .await
                .map(|()| format!("removed {}", folder.display())),
            None if existed || keep_db_path => Ok(String::new()),
            None => match std::fs::remove_file(&db_path) {
                Ok(()) => Ok(format!("removed {}", db_path.display())),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    Ok("nothing was written yet".to_string())
                }
                Err(err) => Err(err).with_context(|| {
                    format!("could not remove {}: rm it by hand", db_path.display())
                }),
            },
        }
    };
    match ended {
        Ended::Done(Ok(report)) => remove(true).await.map(|_| report),
        Ended::Done(Err(err)) => match remove(false).await {
            Ok(_) => Err(err),
            Err(left) => Err(err.context(format!("{left:#}"))),
        },
        Ended::Stopped(signal) => Err(Interrupted {
            signal,
            cleaned: match remove(false).await {
                Ok(done) => done,
                Err(left) => format!("{left:#}"),
            },
        }
        .into()),
        Ended::TimedOut(_) => unreachable!("docs runs without a time limit"),
    }
}

/// The `postgres` part: connects, prints its table's name (so a `kill -9` can be cleaned up
/// by hand), runs, and on a stop or the time limit drops the table itself.
pub async fn postgres(
    url: &str,
    ops: usize,
    limit: Duration,
    json: bool,
    out: &mut impl Write,
    stop: &mut Stop,
) -> Result<PgReport> {
    let mut client = match race(postgres::connect(url), stop, None).await {
        Ended::Done(client) => client?,
        Ended::Stopped(signal) => return Err(stopped_before_start(signal)),
        Ended::TimedOut(_) => unreachable!("connecting has its own time limit"),
    };
    let table = postgres::table_name(&crate::run_tag());
    if !json {
        writeln!(
            out,
            "  table {table} (TEMPORARY); running {ops} queries one by one, then pipelined ..."
        )
        .context("could not write to stdout")?;
    }
    let ended = race(postgres::run(&mut client, &table, ops), stop, Some(limit)).await;
    let drop_table = async || -> String {
        let sql = format!("DROP TABLE IF EXISTS {table}");
        let dropping = client.batch_execute(&sql);
        match tokio::time::timeout(CLEANUP_TIMEOUT, dropping).await {
            Ok(Ok(())) => format!("dropped table {table}"),
            _ => format!(
                "could not drop table {table}; it is TEMPORARY, so the server drops it when \
                 this process exits"
            ),
        }
    };
    match ended {
        Ended::Done(result) => result,
        Ended::Stopped(signal) => Err(Interrupted {
            signal,
            cleaned: drop_table().await,
        }
        .into()),
        Ended::TimedOut(limit) => bail!(
            "the part did not finish within {limit:?} (--timeout-secs; raise it for a large \
             --ops, or is the server overloaded?): {}",
            drop_table().await
        ),
    }
}

/// The `redis` part: connects, prints its key prefix (so a `kill -9` can be cleaned up by
/// hand), runs, and on a stop or the time limit deletes the prefix's keys itself.
pub async fn redis(
    url: &str,
    ops: usize,
    limit: Duration,
    json: bool,
    out: &mut impl Write,
    stop: &mut Stop,
) -> Result<RedisReport> {
    let mut redis = match race(redis::connect(url), stop, None).await {
        Ended::Done(redis) => redis?,
        Ended::Stopped(signal) => return Err(stopped_before_start(signal)),
        Ended::TimedOut(_) => unreachable!("connecting has its own time limit"),
    };
    let prefix = redis::prefix(&crate::run_tag());
    if !json {
        writeln!(
            out,
            "  keys under {prefix}; running {ops} SETs one by one, then in one pipeline ..."
        )
        .context("could not write to stdout")?;
    }
    let ended = race(redis::run(&mut redis, &prefix, ops), stop, Some(limit)).await;
    let mut delete_keys = async || -> String {
        let deleting = redis::delete_prefix(redis.connection(), &prefix);
        match tokio::time::timeout(CLEANUP_TIMEOUT, deleting).await {
            Ok(Ok(count)) => format!("deleted the {count} keys under {prefix}"),
            _ => format!(
                "could not delete the keys under {prefix}: redis-cli --scan --pattern \
                 '{prefix}*' | xargs -r redis-cli del"
            ),
        }
    };
    match ended {
        Ended::Done(result) => result,
        Ended::Stopped(signal) => Err(Interrupted {
            signal,
            cleaned: delete_keys().await,
        }
        .into()),
        Ended::TimedOut(limit) => bail!(
            "the part did not finish within {limit:?} (--timeout-secs; raise it for a large \
             --ops, or is the server overloaded?): {}",
            delete_keys().await
        ),
    }
}

/// The `blocking` part. It builds current-thread runtimes of its own (that is the
/// experiment), so it runs on a thread of its own; a stop ends the wait for it at once.
pub async fn blocking(options: BlockingOptions, stop: &mut Stop) -> Result<Vec<TickReport>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(blocking::run(options));
    });
    let measured = async { rx.await.context("the measuring thread panicked")? };
    match race(measured, stop, None).await {
        Ended::Done(result) => result,
        Ended::Stopped(signal) => Err(stopped_before_start(signal)),
        Ended::TimedOut(_) => unreachable!("blocking runs without a time limit"),
    }
}

/// A stop that came before the part made anything.
fn stopped_before_start(signal: &'static str) -> anyhow::Error {
    Interrupted {
        signal,
        cleaned: "nothing to remove".to_string(),
    }
    .into()
}
