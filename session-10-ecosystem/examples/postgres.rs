//! جلسه 10 (session 10): asyncpg (PostgreSQL) in Rust: tokio-postgres, every value a parameter.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md (session 10 names the
//!           packages; it has no code file of its own)
//! Run:      cargo run -p session-10-ecosystem --example postgres
//!
//! Needs PostgreSQL: DATABASE_URL, or postgres://root@127.0.0.1:5432/test. When it is not there
//! this says so in one line and exits with 1 (LAB.md says how to start it).
//! Watch: the values travel as $1, $2 (never pasted into the SQL text), and 100 queries sent
//! together on one connection finish much sooner than 100 sent one after another.
//!
//! Where Rust differs: the connection is a task of its own that you spawn; asyncpg hides it.

use std::time::{Duration, Instant};

use tokio_postgres::NoTls;

const BOOKS: [(&str, i32); 4] = [
    ("Fluent Python", 1014),
    ("Python Tricks", 302),
    ("Async in Practice", 188),
    ("The Rust Programming Language", 560),
];

#[tokio::main]
async fn main() -> Result<(), tokio_postgres::Error> {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string());
    // conn = await asyncpg.connect(dsn) -> connect, bounded so a silent server cannot hang us.
    let connecting = tokio_postgres::connect(&url, NoTls);
    let (client, connection) = match tokio::time::timeout(Duration::from_secs(5), connecting).await
    {
        Ok(Ok(pair)) => pair,
        // The error's own text is short ("error connecting to server"); its source says why.
        Ok(Err(err)) => match std::error::Error::source(&err) {
            Some(cause) => not_there(&format!("{err}: {cause}")),
            None => not_there(&err.to_string()),
        },
        Err(_) => not_there("no answer within 5 s"),
    };
    // The connection reads the server's replies and hands each to the query waiting for it.
    tokio::spawn(connection);

    // TEMPORARY: the server drops the table when we disconnect, even if we are killed.
    client
        .batch_execute("CREATE TEMPORARY TABLE books (title TEXT NOT NULL, pages INT4 NOT NULL)")
        .await?;
    // ANCHOR: parameters
    // await conn.execute("INSERT INTO books VALUES ($1, $2)", title, pages)
    for (title, pages) in BOOKS {
        client
            .execute("INSERT INTO books VALUES ($1, $2)", &[&title, &pages])
            .await?;
    }
    // rows = await conn.fetch("SELECT ... WHERE pages > $1", 300)
    let rows = client
        .query(
            "SELECT title, pages FROM books WHERE pages > $1 ORDER BY pages",
            &[&300i32],
        )
        .await?;
    // ANCHOR_END: parameters
    for row in &rows {
        let (title, pages): (&str, i32) = (row.get(0), row.get(1));
        println!("long read: {title} ({pages} pages)");
    }

    // 100 queries, one after another: each waits for its reply before the next is sent.
    let started = Instant::now();
    for n in 0..100i32 {
        client.query_one("SELECT $1::INT4 + 1", &[&n]).await?;
    }
    let one_by_one = started.elapsed();
    // The same 100 in flight together: asyncio.gather(...) -> join_all. (asyncpg refuses this
    // on one connection; tokio-postgres pipelines them.)
    let started = Instant::now();
    let client = &client; // each query borrows the one client
    let replies = futures::future::join_all(
        (0..100i32).map(|n| async move { client.query_one("SELECT $1::INT4 + 1", &[&n]).await }),
    )
    .await;
    let together = started.elapsed();
    let answered = replies.into_iter().collect::<Result<Vec<_>, _>>()?.len();
    println!("100 queries one by one: {one_by_one:.1?}; {answered} at once: {together:.1?}");

    client.batch_execute("DROP TABLE books").await?;
    println!("table dropped");
    Ok(())
}

/// The one line for a server that is not there, then exit 1.
fn not_there(why: &str) -> ! {
    eprintln!("PostgreSQL is not there ({why}): start it (see LAB.md) or set DATABASE_URL");
    std::process::exit(1);
}
