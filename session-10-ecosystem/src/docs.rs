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
//!
//! Every run writes a **new store file** and never opens one that exists. Two reasons, both
//! found the hard way with `polodb_core` 4.4: dropping a large collection
//! (`drop_collection_internal`) can loop forever, and reopening a file whose collection was
//! dropped can overflow the stack. A fresh file per run, deleted as a file when it is
//! temporary, uses neither code path.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
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

/// The most books one run inserts (`tasks` x `books`).
///
/// Measured with `polodb_core` 4.4.2: 40,000 books with 16 tasks finish in about 15 s in a
/// debug build (each task's `find` reads the whole collection, so the time grows with tasks x
/// books). Past that the store misbehaves: one `insert_many` of 50,000 books left
/// `update_many` changing a single document, and 32 tasks x 2,000 books ran for minutes.
/// So the flags stop at 16 tasks and 10,000 books per task, and this bounds their product.
pub const MAX_TOTAL_BOOKS: usize = 40_000;

/// What to do: `tasks` tasks each insert `books_per_task` books, then all of them query.
#[derive(Debug, Clone)]
pub struct DocsOptions {
    /// How many tasks use the store at the same time.
    pub tasks: usize,
    /// How many books each task inserts.
    pub books_per_task: usize,
    /// The store file to create. It must not exist yet: the run refuses to open or replace
    /// a file it did not make. The caller removes it afterwards (or keeps it).
    pub db_path: PathBuf,
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

/// Runs `job` on tokio's blocking pool with the store, read or write locked.
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

/// Creates the store file `path`, refusing one that exists (a file, a folder, or a symlink,
/// even a dangling one: `create_new` never follows it), then opens it as a new store.
fn create_store(path: &Path) -> Result<Database> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{} already exists: each run writes a new store file and never opens or replaces \
             one it did not make; give a path that does not exist yet, or leave out --db-path",
            path.display()
        ),
        Err(err) => {
            return Err(err).with_context(|| format!("could not create {}", path.display()));
        }
    }
    // PoloDB treats an empty file as a new store.
    Database::open_file(path)
        .map_err(store_error)
        .with_context(|| format!("could not open the document store at {}", path.display()))
}

/// Inserts, finds, updates and counts, with `options.tasks` tasks at once.
pub async fn run(options: &DocsOptions) -> Result<DocsReport> {
    let total = options.tasks.saturating_mul(options.books_per_task);
    if total > MAX_TOTAL_BOOKS {
        bail!(
            "--tasks {} x --books {} is {total} books, more than {MAX_TOTAL_BOOKS} (beyond that this \
             version of the store gets slow and wrong): choose fewer",
            options.tasks,
            options.books_per_task
        );
    }
    let started = Instant::now();
    let path = options.db_path.clone();
    let db = tokio::task::spawn_blocking(move || create_store(&path))
        .await
        .context("opening the store panicked")??;
    let store: Store = Arc::new(RwLock::new(db));
    let report = steps(&store, options).await?;
    Ok(DocsReport {
        location: options.db_path.display().to_string(),
        elapsed: started.elapsed(),
        ..report
    })
}

/// Counts what a cursor yields without keeping the documents: with many tasks reading at
/// once, collecting them all would hold tasks x books documents in memory.
fn count_books(
    cursor: impl Iterator<Item = polodb_core::Result<Book>>,
    what: &str,
) -> Result<usize> {
    let mut count = 0;
    for book in cursor {
        book.map_err(store_error)
            .with_context(|| format!("reading a document found by {what} failed"))?;
        count += 1;
    }
    Ok(count)
}

/// The steps of [`run`]: concurrent inserts, concurrent finds, one update, counts
/// (`location` and `elapsed` are left for [`run`] to fill in).
async fn steps(store: &Store, options: &DocsOptions) -> Result<DocsReport> {
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
        // collection.insert_many(books) in a thread -> spawn_blocking
        inserts.push(with_store(store, true, move |db| {
            db.collection::<Book>("books")
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
        finds.push(with_store(store, false, move |db| {
            let cursor = db
                .collection::<Book>("books")
                .find(doc! { "pages": { "$gt": 100 } })
                .map_err(store_error)
                .context("find failed")?;
            count_books(cursor, "find")
        }));
    }
    let found_per_task = futures::future::try_join_all(finds).await?;

    let (updated, long_reads, inserted) = with_store(store, true, move |db| {
        let books = db.collection::<Book>("books");
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
            .context("find failed")?;
        let long_reads = count_books(long_reads, "find")?;
        let inserted = books
            .count_documents()
            .map_err(store_error)
            .context("count failed")?;
        Ok((updated, long_reads, inserted))
    })
    .await?;
    Ok(DocsReport {
        inserted,
        found_per_task,
        updated,
        long_reads,
        location: String::new(),
        elapsed: Duration::ZERO,
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
