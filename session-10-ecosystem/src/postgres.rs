//! # `postgres`: asyncpg -> `tokio-postgres`
//!
//! `asyncpg` is Python's fast async PostgreSQL driver; `tokio-postgres` is Rust's. Watch:
//!
//! 1. **The connection is a task of its own.** `connect` returns a `Client` (what we call
//!    queries on) and a `Connection` (the socket), which must be spawned onto the runtime; it
//!    reads replies and hands each to the query waiting for it.
//! 2. **Pipelining comes free.** Because the connection matches replies to requests in order,
//!    many queries can be in flight on one connection: create the futures, then await them
//!    together (`try_join_all`, Python's `asyncio.gather`). The server sees a stream of
//!    requests instead of request / wait / request / wait. (asyncpg refuses this on one
//!    connection: "another operation is in progress".)
//!
//! Every value goes in as a parameter (`$1`), never into the SQL text. The table is
//! `TEMPORARY`: only this connection sees it, and the server drops it when the connection
//! ends, however the program ends. The connection is plain TCP (`NoTls`): fine on localhost.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls, Statement};

use crate::report::{CONNECT_TIMEOUT, PipelineFigures, Unreachable, clean};

/// `DATABASE_URL` when it is not set: the local server, trust auth, as `root`.
pub const DEFAULT_URL: &str = "postgres://root@127.0.0.1:5432/test";

/// How many books the table gets; the lookups read them back.
pub const BOOKS: i32 = 100;

/// Parses `DATABASE_URL` (a URL or `key=value` conninfo). The error quotes no part of it:
/// a password may be anywhere in a string that does not parse.
pub fn config(url: &str) -> Result<Config, Unreachable> {
    let bad = || {
        Unreachable("DATABASE_URL does not parse (expected postgres://USER@HOST:PORT/DB)".into())
    };
    // The parser ends `user:password` at the first '@' anywhere, so a second '@', or one
    // after the host, would make part of the password a host name: refuse those URLs.
    if let Some((_, rest)) = url.split_once("://") {
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if rest.matches('@').count() > 1 || rest[host_end..].contains('@') {
            return Err(bad());
        }
    }
    url.parse().map_err(|_| bad())
}

/// Where `config` points, for printing: host, port, user and database, never the password.
pub fn describe(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("(default user)");
    let db = config.get_dbname().unwrap_or(user);
    clean(&format!("{host}:{port} as {user}, database {db}"))
}

/// Connects and spawns the connection task, with one clear line (an [`Unreachable`]) for a
/// refused connection, a silent server, or an unknown user or database.
pub async fn connect(config: &Config) -> Result<Client> {
    let mut config = config.clone();
    config.connect_timeout(CONNECT_TIMEOUT);
    let at = describe(&config);
    // asyncpg.connect(dsn) -> Config::connect + spawn(connection)
    let connecting = tokio::time::timeout(CONNECT_TIMEOUT, config.connect(NoTls)).await;
    let (client, connection) = match connecting {
        Ok(Ok(pair)) => pair,
        Ok(Err(err)) => {
            let hint = if err.as_db_error().is_some() {
                "check the user and database in DATABASE_URL"
            } else if std::error::Error::source(&err)
                .and_then(|cause| cause.downcast_ref::<std::io::Error>())
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
            {
                "is it running? start it with `pg_ctlcluster --skip-systemctl-redirect \
                 $(ls /etc/postgresql) main start` or see LAB.md"
            } else {
                "check the host and port, and that a PostgreSQL without TLS listens there"
            };
            let cause = match err.as_db_error() {
                Some(db) => format!("{}: {}", db.severity(), db.message()),
                None => crate::error_line(&err.into()),
            };
            bail!(Unreachable(format!(
                "could not connect to PostgreSQL at {at}: {} ({hint})",
                clean(&cause)
            )));
        }
        Err(_) => bail!(Unreachable(format!(
            "could not connect to PostgreSQL at {at}: no answer within {CONNECT_TIMEOUT:?} (is the host right?)"
        ))),
    };
    // Ends when the server goes away; every query after that fails with "connection closed".
    tokio::spawn(connection);
    Ok(client)
}

/// Runs `statement` once per id, awaited one by one, then all in flight together on the one
/// connection. Both passes must add up to the same total.
async fn one_by_one_vs_pipelined(
    client: &Client,
    statement: &Statement,
    ids: &[i32],
) -> Result<PipelineFigures> {
    // for id in ids: await conn.fetchval(query, id)
    let started = Instant::now();
    let mut sequential_total: i64 = 0;
    for id in ids {
        let row = client.query_one(statement, &[id]).await?;
        sequential_total += i64::from(row.get::<_, i32>(0));
    }
    let sequential_s = started.elapsed().as_secs_f64();

    // asyncio.gather(*(conn.fetchval(query, id) for id in ids)) -> try_join_all: no future
    // is awaited until try_join_all polls them all, so every request is written first.
    let started = Instant::now();
    let rows = futures::future::try_join_all(
        ids.iter()
            .map(|id| async move { client.query_one(statement, &[id]).await }),
    )
    .await?;
    let pipelined_s = started.elapsed().as_secs_f64();
    let pipelined_total: i64 = rows.iter().map(|row| i64::from(row.get::<_, i32>(0))).sum();
    if sequential_total != pipelined_total {
        bail!("the two passes disagree: {sequential_total} vs {pipelined_total}");
    }
    Ok(PipelineFigures {
        ops: ids.len(),
        sequential_s,
        pipelined_s,
    })
}

/// Everything the `postgres` part found: the server's version (cleaned: the server sent it),
/// the books over 100 pages, and the pipelining figures for `SELECT $1::INT4 + 1` (`simple`,
/// almost no work for the server; `--json` prints it) and for an index lookup (`lookup`).
#[derive(Debug, Clone)]
pub struct PgReport {
    pub server: String,
    pub long_books: i64,
    pub simple: PipelineFigures,
    pub lookup: PipelineFigures,
}

/// The whole part: a TEMPORARY table of [`BOOKS`] books, a parameterised count, then `ops`
/// simple queries and `ops` lookups, each one by one and pipelined.
pub async fn run(client: &Client, ops: usize) -> Result<PgReport> {
    let server: String = client
        .query_one("SELECT version()", &[])
        .await
        .context("could not ask the server for its version")?
        .get(0);
    client
        .batch_execute(
            "CREATE TEMPORARY TABLE books (id INT4 PRIMARY KEY, title TEXT NOT NULL, pages INT4 NOT NULL)",
        )
        .await
        .context("could not create the TEMPORARY table books")?;
    let insert = client
        .prepare("INSERT INTO books (id, title, pages) VALUES ($1, $2, $3)")
        .await?;
    for id in 0..BOOKS {
        let pages = (id * 37) % 500 + 1;
        client
            .execute(&insert, &[&id, &format!("Book {id}"), &pages])
            .await
            .context("could not insert a book")?;
    }
    let long_books: i64 = client
        .query_one("SELECT count(*) FROM books WHERE pages > $1", &[&100i32])
        .await?
        .get(0);

    let ids: Vec<i32> = (0..ops).map(|i| (i % BOOKS as usize) as i32).collect();
    let simple = client.prepare("SELECT $1::INT4 + 1").await?;
    let simple = one_by_one_vs_pipelined(client, &simple, &ids).await?;
    let lookup = client
        .prepare("SELECT pages FROM books WHERE id = $1")
        .await?;
    let lookup = one_by_one_vs_pipelined(client, &lookup, &ids).await?;
    Ok(PgReport {
        server: clean(server.split(" on ").next().unwrap_or(&server)),
        long_books,
        simple,
        lookup,
    })
}

impl PgReport {
    /// Writes what happened, step by step.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(out, "  server: {}", self.server)?;
        writeln!(
            out,
            "  TEMPORARY table books: {BOOKS} books inserted, {} with more than 100 pages",
            self.long_books
        )?;
        writeln!(out, "  SELECT $1::INT4 + 1 (the round trip is the cost):")?;
        self.simple.write_to(out, "queries")?;
        writeln!(
            out,
            "  SELECT pages FROM books WHERE id = $1 (an index lookup):"
        )?;
        self.lookup.write_to(out, "queries")
    }
}
