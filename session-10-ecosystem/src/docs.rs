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
//! One thing the store does not allow: two writes at the same moment. PoloDB 4 checks
//! for conflicting sessions and fails the second writer with `SessionOutdated`. So the
//! database sits behind a `std::sync::RwLock`: writers take turns, readers share. A `std`
//! lock (not `tokio::sync`) is right here because it is only ever held on blocking threads,
//! never across an `.await`.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use polodb_core::Database;
use polodb_core::bson::doc;
use serde::{Deserialize, Serialize};

/// A typed document: `umongo`'s `class Book(Document)` becomes a serde struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Book {
    /// The book's title.
    pub title: String,
    /// Number of pages; the filter below looks at this field.
    pub pages: i64,
    /// Set to `true` by the `$set` update for long books.
    pub long_read: bool,
}

/// What to do: `tasks` tasks each insert `books_per_task` books, then all of them query.
#[derive(Debug, Clone)]
pub struct DocsOptions {
    /// How many tasks use the store at the same time.
    pub tasks: usize,
    /// How many books each task inserts.
    pub books_per_task: usize,
    /// Database file; `None` means a file in a temporary folder removed at the end.
    pub db_path: Option<PathBuf>,
}

/// Counts and timings of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct DocsReport {
    /// Documents in the collection after all inserts.
    pub inserted: u64,
    /// What each task's `find({"pages": {"$gt": 100}})` returned (all should agree).
    pub found_per_task: Vec<usize>,
    /// Documents changed by `update_many({"pages": {"$gt": 300}}, {"$set": {"long_read": true}})`.
    pub updated: u64,
    /// Documents with `long_read == true` found afterwards.
    pub long_reads: usize,
    /// Where the data lived.
    pub location: String,
    /// Wall time of the whole run.
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

/// The shared handle: the store behind a read/write lock (see the module docs for why).
type Store = Arc<RwLock<Database>>;

/// Runs `job` on tokio's blocking pool with the store's collection, read or write locked.
async fn with_store<T: Send + 'static>(
    store: &Store,
    write: bool,
    job: impl FnOnce(&Database) -> Result<T> + Send + 'static,
) -> Result<T> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || {
        // A poisoned lock means another task panicked mid-call: report it, do not panic too.
        if write {
            let db = store
                .write()
                .map_err(|_| anyhow!("the store lock was poisoned"))?;
            job(&db)
        } else {
            let db = store
                .read()
                .map_err(|_| anyhow!("the store lock was poisoned"))?;
            job(&db)
        }
    })
    .await
    .context("a store task panicked")?
}

/// Inserts, finds, updates and counts, with `options.tasks` tasks at once.
pub async fn run(options: &DocsOptions) -> Result<DocsReport> {
    let started = Instant::now();
    // Temporary folder unless --db-path: dropped (and deleted) when this function returns.
    let temp = tempfile::tempdir().context("could not create a temporary folder")?;
    let path = match &options.db_path {
        Some(path) => path.clone(),
        None => temp.path().join("books.db"),
    };
    let location = path.display().to_string();
    let open_path = path.clone();
    let db = tokio::task::spawn_blocking(move || Database::open_file(&open_path))
        .await
        .context("opening the store panicked")?
        .map_err(store_error)
        .with_context(|| format!("could not open the document store at {}", path.display()))?;
    let store: Store = Arc::new(RwLock::new(db));
    let collection = format!("books_{}", crate::run_tag());

    let result = steps(&store, &collection, options).await;
    // Leave nothing behind in a --db-path file either, also when a step failed.
    let name = collection.clone();
    let dropped = with_store(&store, true, move |db| {
        db.collection::<Book>(&name)
            .drop()
            .map_err(store_error)
            .context("dropping the collection failed")
    })
    .await;
    let (inserted, found_per_task, updated, long_reads) = match (result, dropped) {
        (Ok(counts), Ok(())) => counts,
        (Ok(_), Err(err)) => return Err(err),
        (Err(err), Ok(())) => return Err(err),
        (Err(err), Err(_)) => {
            return Err(err.context(format!("collection {collection} may be left in {location}")));
        }
    };
    Ok(DocsReport {
        inserted,
        found_per_task,
        updated,
        long_reads,
        location,
        elapsed: started.elapsed(),
    })
}

/// The steps of [`run`]: concurrent inserts, concurrent finds, one update, counts.
async fn steps(
    store: &Store,
    collection: &str,
    options: &DocsOptions,
) -> Result<(u64, Vec<usize>, u64, usize)> {
    // Each task inserts its own books; the write lock makes them take turns on the disk.
    let mut inserts = Vec::new();
    for task in 0..options.tasks {
        let books: Vec<Book> = (0..options.books_per_task)
            .map(|i| Book {
                title: format!("Book {task}-{i}"),
                pages: pages_of(task, i),
                long_read: false,
            })
            .collect();
        let name = collection.to_string();
        // collection.insert_many(books) in a thread -> spawn_blocking
        inserts.push(with_store(store, true, move |db| {
            db.collection::<Book>(&name)
                .insert_many(books)
                .map(|result| result.inserted_ids.len())
                .map_err(store_error)
                .context("insert_many failed")
        }));
    }
    futures::future::try_join_all(inserts).await?;

    // All tasks query at once; readers share the lock, so these really run side by side.
    let mut finds = Vec::new();
    for _ in 0..options.tasks {
        let name = collection.to_string();
        finds.push(with_store(store, false, move |db| {
            let cursor = db
                .collection::<Book>(&name)
                .find(doc! { "pages": { "$gt": 100 } })
                .map_err(store_error)
                .context("find failed")?;
            let books = cursor
                .collect::<Result<Vec<Book>, _>>()
                .map_err(store_error)
                .context("reading a found document failed")?;
            Ok(books.len())
        }));
    }
    let found_per_task = futures::future::try_join_all(finds).await?;

    let name = collection.to_string();
    let (updated, long_reads, inserted) = with_store(store, true, move |db| {
        let books = db.collection::<Book>(&name);
        let updated = books
            .update_many(
                doc! { "pages": { "$gt": 300 } },
                doc! { "$set": { "long_read": true } },
            )
            .map_err(store_error)
            .context("update_many failed")?
            .modified_count;
        let long_reads = books
            .find(doc! { "long_read": true })
            .map_err(store_error)
            .context("find failed")?
            .collect::<Result<Vec<Book>, _>>()
            .map_err(store_error)
            .context("reading a found document failed")?
            .len();
        let inserted = books
            .count_documents()
            .map_err(store_error)
            .context("count failed")?;
        Ok((updated, long_reads, inserted))
    })
    .await?;
    Ok((inserted, found_per_task, updated, long_reads))
}

impl DocsReport {
    /// Prints what the tasks saw.
    pub fn print(&self) {
        anstream::println!(
            "  {} tasks inserted {} books (store: {})",
            self.found_per_task.len(),
            self.inserted,
            self.location
        );
        anstream::println!(
            "  find {{\"pages\": {{\"$gt\": 100}}}} in each task: {:?}",
            self.found_per_task
        );
        anstream::println!(
            "  update_many {{\"pages\": {{\"$gt\": 300}}}} $set long_read: {} changed, {} found after",
            self.updated,
            self.long_reads
        );
        anstream::println!(
            "  every call ran in spawn_blocking; total {:.1} ms{}",
            self.elapsed.as_secs_f64() * 1e3,
            crate::build_note()
        );
    }
}
