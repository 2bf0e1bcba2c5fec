//! جلسه 10 (session 10): umongo (typed MongoDB documents) in Rust: a serde struct in an embedded store.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md (session 10 names the
//!           packages; it has no code file of its own)
//! Run:      cargo run -p session-10-ecosystem --example documents
//!
//! Watch: the same MongoDB queries umongo would send ({"pages": {"$gt": 300}}, "$set"), typed
//! documents going in and coming out, and no server to install.
//!
//! Where Rust differs: PoloDB, the store used here, is a *blocking* library, and no async one
//! fits. That is the course's own rule for this case: no async package for the job, so use
//! threads. Every store call runs in `tokio::task::spawn_blocking`.

use polodb_core::Database;
use polodb_core::bson::doc;
use serde::{Deserialize, Serialize};

// class Book(Document): title = fields.StrField(); pages = fields.IntField()
#[derive(Debug, Serialize, Deserialize)]
struct Book {
    title: String,
    pages: i64,
    long_read: bool,
}

fn book(title: &str, pages: i64) -> Book {
    let title = title.to_string();
    Book {
        title,
        pages,
        long_read: false,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // A new store file in a new folder of our own, removed at the end of main.
    let folder = tempfile::tempdir()?;
    let path = folder.path().join("library.db");

    // ANCHOR: spawn_blocking
    // loop.run_in_executor(None, work) / asyncio.to_thread(work) -> spawn_blocking(work)
    let long_reads = tokio::task::spawn_blocking(move || -> polodb_core::Result<Vec<Book>> {
        let db = Database::open_file(&path)?;
        let books = db.collection::<Book>("books");
        // await Book(title=..., pages=...).commit(), for each -> insert_many
        books.insert_many([
            book("Fluent Python", 1014),
            book("Python Tricks", 302),
            book("Async in Practice", 188),
            book("The Rust Programming Language", 560),
        ])?;
        // await Book.collection.update_many(filter, {"$set": ...})
        books.update_many(
            doc! { "pages": { "$gt": 300 } },
            doc! { "$set": { "long_read": true } },
        )?;
        // Book.find({"long_read": True}), read to the end
        books.find(doc! { "long_read": true })?.collect()
    })
    .await??;
    // ANCHOR_END: spawn_blocking

    for book in &long_reads {
        println!("long read: {} ({} pages)", book.title, book.pages);
    }
    println!("{} of 4 books have more than 300 pages", long_reads.len());
    Ok(())
}
