//! # `docs`: umongo -> an embedded Mongo-like store behind `spawn_blocking`
//!
//! The course uses `umongo` to map Python classes onto MongoDB documents. The Rust side here
//! uses [PoloDB](https://github.com/PoloDB/PoloDB) (`polodb_core` 4.x): an embedded document
//! store, written in Rust, with MongoDB's query language (`{"pages": {"$gt": 100}}`,
//! `{"$set": {...}}`) and typed documents through serde. No server to install.
//!
//! PoloDB's API is **blocking**: `insert_many` writes to disk and returns when it is done.
//! That is the course's second rule: *when the only library blocks, use threads*. Every call
//! below goes through `tokio::task::spawn_blocking`, so the runtime's threads stay free while
//! the store works, and several tasks use the store at once.
//!
//! PoloDB 4 fails a second concurrent writer (`SessionOutdated`), so the store sits behind a
//! `std::sync::RwLock`: writers take turns, readers share. A `std` lock is right here: it is
//! only ever held on blocking threads, never across an `.await`.
//!
//! The store lives in a fresh folder that the binary makes and removes: PoloDB creates and
//! deletes a `<file>.wal` beside its file, which must never be a user's file.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use polodb_core::bson::doc;
use polodb_core::{Collection, Database};
use serde::{Deserialize, Serialize};

/// A typed document: `umongo`'s `class Book(Document)` becomes a serde struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Book {
    pub title: String,
    pub pages: i64,
    /// Set to `true` by the `$set` update for long books.
    pub long_read: bool,
}

/// The most books one run inserts (`tasks` x `books`).
///
/// Past this `polodb_core` 4.4.2 misbehaves (see LAB.md): one `insert_many` of 50,000 books
/// left `update_many` changing a single document, and 32 tasks x 2,000 books ran for minutes.
pub const MAX_TOTAL_BOOKS: usize = 40_000;

/// What to do: `tasks` tasks each insert `books` books, then all of them query. The
/// store is `books.db` in `dir`, a fresh, empty folder of the run's own.
#[derive(Debug, Clone)]
pub struct DocsOptions {
    pub tasks: usize,
    pub books: usize,
    pub dir: PathBuf,
}

/// Counts and timings of one run: documents after the inserts, what each task's
/// `find({"pages": {"$gt": 100}})` returned (all should agree), documents changed by the
/// `update_many` of `$gt: 300`, `long_read` documents found after it, the store's path.
#[derive(Debug, Clone, PartialEq)]
pub struct DocsReport {
    pub inserted: u64,
    pub found_per_task: Vec<usize>,
    pub updated: u64,
    pub long_reads: usize,
    pub location: String,
    pub elapsed: Duration,
}

/// The pages of book `i` of task `t`: spread over 1..=500 so the filters pick a known share.
pub fn pages_of(task: usize, i: usize) -> i64 {
    ((task * 7919 + i * 104_729) % 500 + 1) as i64
}

/// PoloDB's error messages end in ", backtrace: ..." (a multi-line backtrace when
/// `RUST_BACKTRACE` is set); a learner needs the one line before it.
fn store_error(err: polodb_core::Error) -> anyhow::Error {
    let text = err.to_string();
    let first = text.split(", backtrace:").next().unwrap_or(&text);
    anyhow!("{}", first.trim_end_matches([',', ' ']))
}

/// The store behind a read/write lock (see the module docs for why).
type Store = Arc<RwLock<Database>>;

/// Runs `job` on tokio's blocking pool with the `books` collection, the store read or write
/// locked. A poisoned lock (another task panicked mid-call) is an error, not a second panic.
async fn with_store<T: Send + 'static>(
    store: &Store,
    write: bool,
    job: impl FnOnce(Collection<Book>) -> polodb_core::Result<T> + Send + 'static,
) -> Result<T> {
    let store = Arc::clone(store);
    let poisoned = || anyhow!("the store lock was poisoned");
    tokio::task::spawn_blocking(move || {
        let result = if write {
            job(store.write().map_err(|_| poisoned())?.collection("books"))
        } else {
            job(store.read().map_err(|_| poisoned())?.collection("books"))
        };
        result.map_err(store_error)
    })
    .await
    .context("a store task panicked")?
}

/// Inserts, finds, updates and counts, with `options.tasks` tasks at once.
pub async fn run(options: &DocsOptions) -> Result<DocsReport> {
    let path = options.dir.join("books.db");
    // PoloDB panics on a path that is not UTF-8; say so in one line instead.
    if path.to_str().is_none() {
        bail!("the store's folder {path:?} is not UTF-8: choose another --dir or TMPDIR");
    }
    let started = Instant::now();
    let location = path.display().to_string();
    let db = tokio::task::spawn_blocking(move || Database::open_file(&path))
        .await
        .context("opening the store panicked")?
        .map_err(store_error)
        .context("could not open the document store")?;
    let store: Store = Arc::new(RwLock::new(db));

    // Each task inserts its own books; the write lock makes them take turns on the disk.
    let inserts = (0..options.tasks).map(|task| {
        let books: Vec<Book> = (0..options.books)
            .map(|i| Book {
                title: format!("Book {task}-{i}"),
                pages: pages_of(task, i),
                long_read: false,
            })
            .collect();
        // collection.insert_many(books) in a thread -> spawn_blocking
        with_store(&store, true, move |books_in: Collection<Book>| {
            books_in.insert_many(books).map(|_| ())
        })
    });
    futures::future::try_join_all(inserts).await?;

    // All tasks query at once; readers share the lock, so these really run side by side.
    let finds = (0..options.tasks).map(|_| {
        with_store(&store, false, |books: Collection<Book>| {
            // Count without keeping the documents: tasks x books of them would pile up.
            books
                .find(doc! { "pages": { "$gt": 100 } })?
                .try_fold(0, |n, book| book.map(|_| n + 1))
        })
    });
    let found_per_task = futures::future::try_join_all(finds).await?;

    let (updated, long_reads, inserted) = with_store(&store, true, |books: Collection<Book>| {
        let updated = books.update_many(
            doc! { "pages": { "$gt": 300 } },
            doc! { "$set": { "long_read": true } },
        )?;
        let long_reads = books
            .find(doc! { "long_read": true })?
            .try_fold(0, |n, book| book.map(|_| n + 1))?;
        Ok((updated.modified_count, long_reads, books.count_documents()?))
    })
    .await?;
    Ok(DocsReport {
        inserted,
        found_per_task,
        updated,
        long_reads,
        location,
        elapsed: started.elapsed(),
    })
}

impl DocsReport {
    /// Writes what the tasks saw.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(
            out,
            "  {} tasks inserted {} books (store: {})",
            self.found_per_task.len(),
            self.inserted,
            self.location
        )?;
        writeln!(
            out,
            "  find {{\"pages\": {{\"$gt\": 100}}}} in each task: {:?}",
            self.found_per_task
        )?;
        writeln!(
            out,
            "  update_many {{\"pages\": {{\"$gt\": 300}}}} $set long_read: {} changed, {} found after",
            self.updated, self.long_reads
        )?;
        writeln!(
            out,
            "  every call ran in spawn_blocking; total {:.1} ms{}",
            self.elapsed.as_secs_f64() * 1e3,
            crate::build_note()
        )
    }
}
