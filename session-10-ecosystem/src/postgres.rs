//! # `postgres`: asyncpg -> `tokio-postgres`
//!
//! `asyncpg` is the fast async PostgreSQL driver in Python; `tokio-postgres` is its Rust
//! counterpart from the same family as the blocking `postgres` crate (which is a thin wrapper
//! around it). Two things to watch:
//!
//! 1. **The connection is a task of its own.** `connect` returns a `Client` (what we call
//!    queries on) and a `Connection` (the socket). The connection must be spawned onto the
//!    runtime; it reads replies and hands them to whichever query is waiting for them.
//! 2. **Pipelining comes free.** Because the connection task matches replies to requests in
//!    order, many queries can be in flight on one connection at once: create the futures,
//!    then await them together (`try_join_all`, Python's `asyncio.gather`). The server sees a
//!    stream of requests instead of request / wait / request / wait. On localhost a round trip
//!    is short, so the gain is from saving the wait; over a network it is much larger.
//!    (asyncpg cannot do this on one connection: it raises "another operation is in progress"
//!    and wants a pool of connections instead.)
//!
//! Every value goes in as a parameter (`$1`), never formatted into the SQL text. The one name
//! formatted in is the table name, which the program makes itself from [`crate::run_tag`]
//! (SQL cannot take identifiers as parameters).
//!
//! The table is `TEMPORARY`: the server drops it by itself when the connection ends, so even
//! a run killed with `kill -9` leaves no table behind. The part still drops it when it is done.
//!
//! The connection is plain TCP without TLS (`NoTls`): right for a server on localhost, wrong
//! for a server across a network, where you would add `tokio-postgres-rustls` or
//! `postgres-native-tls`.

use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use tokio_postgres::{Client, NoTls, Statement};

use crate::PipelineFigures;

/// How many books the table gets; the pipelined queries read them back.
pub const BOOKS: i32 = 100;

/// Connects to PostgreSQL at `url` and spawns the connection task.
///
/// Fails with one clear line for a malformed URL, a refused connection, a server that does
/// not answer within [`crate::CONNECT_TIMEOUT`], an unknown user or database.
pub async fn connect(url: &str) -> Result<Client> {
    let shown = crate::redact(url);
    let mut config: tokio_postgres::Config = match url.parse() {
        Ok(config) => config,
        // The parser's message can quote a piece of the URL: redact it too.
        Err(err) => bail!(
            "bad DATABASE_URL {shown:?}: {} (expected postgres://USER@HOST:PORT/DATABASE)",
            crate::redact(&err.to_string())
        ),
    };
    config.connect_timeout(crate::CONNECT_TIMEOUT);
    // asyncpg.connect(dsn) -> tokio_postgres::Config::connect + spawn(connection)
    let connecting = config.connect(NoTls);
    let (client, connection) = match tokio::time::timeout(crate::CONNECT_TIMEOUT, connecting).await
    {
        Ok(Ok(pair)) => pair,
        Ok(Err(err)) => {
            // The hint depends on what went wrong: the server answered and said no
            // (unknown user or database, wrong password), nothing listens on the port, or
            // something else (no host, TLS asked for, a server that is not PostgreSQL).
            let hint = if err.as_db_error().is_some() {
                "check the user and database in DATABASE_URL"
            } else if crate::is_refused(&err) {
                crate::START_POSTGRES
            } else {
                "check DATABASE_URL: host, port, and that the server there is PostgreSQL (this \
                 lesson connects without TLS)"
            };
            let cause = err
                .as_db_error()
                .map(|db| format!("{}: {}", db.severity(), db.message()))
                .unwrap_or_else(|| format!("{:#}", anyhow::Error::from(err)));
            bail!("could not connect to PostgreSQL at {shown}: {cause} ({hint})");
        }
        Err(_) => bail!(
            "could not connect to PostgreSQL at {shown}: no answer within {:?} (the server did not answer: is the host right?)",
            crate::CONNECT_TIMEOUT
        ),
    };
    tokio::spawn(async move {
        // When the server goes away this ends with an error; every pending and later query
        // on the client then fails with "connection closed", which is what gets reported.
        let _ = connection.await;
    });
    Ok(client)
}

/// Creates the table `table` (this run's own, TEMPORARY), runs `body` with the client and
/// the table's name, and drops the table again whether `body` succeeded or not.
///
/// `body` gets `&mut Client` (a transaction needs it), so it is an async closure
/// (`AsyncFnOnce`): the borrow ends when it returns and the drop can use the client again.
/// If the drop itself fails (the server went away), the error names the table left behind.
pub async fn with_run_table<T>(
    client: &mut Client,
    table: &str,
    body: impl AsyncFnOnce(&mut Client, &str) -> Result<T>,
) -> Result<T> {
    client
        .batch_execute(&format!(
            "CREATE TEMPORARY TABLE {table} (
                 id    INT4 PRIMARY KEY,
                 title TEXT NOT NULL,
                 pages INT4 NOT NULL CHECK (pages > 0)
             )"
        ))
        .await
        .with_context(|| format!("could not create table {table}"))?;
    let result = body(client, table).await;
    let dropped = client
        .batch_execute(&format!("DROP TABLE IF EXISTS {table}"))
        .await;
    match (result, dropped) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(err)) => Err(anyhow!(err).context(format!(
            "could not drop table {table} (it is TEMPORARY: it goes when the connection does)"
        ))),
        (Err(err), Ok(())) => Err(err),
        (Err(err), Err(_)) => Err(err.context(format!(
            "table {table} was not dropped (it is TEMPORARY: it goes when the connection does)"
        ))),
    }
}

/// The table name for a run with this tag: `session10_books_<tag>`.
pub fn table_name(tag: &str) -> String {
    format!("session10_books_{tag}")
}

/// Whether a table called `table` exists in any session (a TEMPORARY table is visible by
/// name only to its own connection, so this looks in the catalogue); the tests use it to
/// check the clean-up.
pub async fn table_exists(client: &Client, table: &str) -> Result<bool> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = $1)",
            &[&table],
        )
        .await
        .context("could not look up the table")?;
    Ok(row.get(0))
}

/// Inserts [`BOOKS`] books with one prepared, parameterised statement.
pub async fn insert_books(client: &Client, table: &str) -> Result<()> {
    let insert = client
        .prepare(&format!(
            "INSERT INTO {table} (id, title, pages) VALUES ($1, $2, $3)"
        ))
        .await
        .context("could not prepare the insert")?;
    for id in 0..BOOKS {
        let title = format!("Book {id}");
        let pages = pages_of(id);
        client
            .execute(&insert, &[&id, &title, &pages])
            .await
            .with_context(|| format!("could not insert book {id}"))?;
    }
    Ok(())
}

/// The pages of book `id`: between 1 and 500.
pub fn pages_of(id: i32) -> i32 {
    (id * 37) % 500 + 1
}

/// What the rolled-back transaction left.
#[derive(Debug, Clone)]
pub struct RollbackReport {
    /// The error of the statement that failed inside the transaction.
    pub failure: String,
    /// Rows of the transaction's first (successful) insert still in the table afterwards:
    /// 0 when the rollback worked.
    pub rows_kept: i64,
    /// Rows in the table before and after the transaction: equal when the rollback worked.
    pub rows_before: i64,
    /// See `rows_before`.
    pub rows_after: i64,
}

/// A transaction that inserts one good book, then a book whose id already exists; the second
/// statement fails, so the whole transaction is rolled back, and we check that the good book
/// is not in the table.
pub async fn rollback_demo(client: &mut Client, table: &str) -> Result<RollbackReport> {
    let count = format!("SELECT count(*) FROM {table}");
    let rows_before: i64 = client.query_one(&count, &[]).await?.get(0);
    let good_id: i32 = 1_000_000;
    let duplicate_id: i32 = 0;
    let insert = format!("INSERT INTO {table} (id, title, pages) VALUES ($1, $2, $3)");

    // async with conn.transaction(): ... -> client.transaction() + commit/rollback
    let transaction = client
        .transaction()
        .await
        .context("could not start a transaction")?;
    transaction
        .execute(&insert, &[&good_id, &"Kept only if committed", &10i32])
        .await
        .context("the first insert of the transaction failed")?;
    let failure = match transaction
        .execute(&insert, &[&duplicate_id, &"Duplicate id", &10i32])
        .await
    {
        Ok(_) => bail!("the duplicate insert was accepted: is id still the primary key?"),
        Err(err) => err
            .as_db_error()
            .map(|db| db.message().to_string())
            .unwrap_or_else(|| err.to_string()),
    };
    transaction
        .rollback()
        .await
        .context("could not roll back")?;

    let rows_kept: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM {table} WHERE id = $1"),
            &[&good_id],
        )
        .await?
        .get(0);
    let rows_after: i64 = client.query_one(&count, &[]).await?.get(0);
    Ok(RollbackReport {
        failure,
        rows_kept,
        rows_before,
        rows_after,
    })
}

/// Runs `statement` once per id twice: awaited one by one, then all in flight together on
/// the one connection. Both passes must add up to the same total, or it is an error.
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

    // asyncio.gather(*(conn.fetchval(query, id) for id in ids)) -> try_join_all; asyncpg
    // itself refuses this on one connection ("another operation is in progress").
    // Each future borrows the client; none is awaited until try_join_all polls them all,
    // so every request is written before the first reply is read.
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

/// The two pipelining measurements of the part.
#[derive(Debug, Clone, Copy)]
pub struct PgFigures {
    /// `SELECT $1::INT4 + 1`: almost no work for the server, so the round trip is the cost.
    pub simple: PipelineFigures,
    /// `SELECT pages FROM <table> WHERE id = $1`: an index lookup per query.
    pub lookup: PipelineFigures,
}

/// `ops` simple queries and `ops` table lookups, each one by one and then pipelined.
pub async fn pipeline(client: &Client, table: &str, ops: usize) -> Result<PgFigures> {
    let ids: Vec<i32> = (0..ops).map(|i| (i % BOOKS as usize) as i32).collect();
    let simple = client
        .prepare("SELECT $1::INT4 + 1")
        .await
        .context("could not prepare the simple query")?;
    let simple = one_by_one_vs_pipelined(client, &simple, &ids).await?;
    let lookup = client
        .prepare(&format!("SELECT pages FROM {table} WHERE id = $1"))
        .await
        .context("could not prepare the lookup")?;
    let lookup = one_by_one_vs_pipelined(client, &lookup, &ids).await?;
    Ok(PgFigures { simple, lookup })
}

/// Everything the `postgres` part found.
#[derive(Debug, Clone)]
pub struct PgReport {
    /// The run's table (already dropped when this is returned).
    pub table: String,
    /// The server's version string.
    pub server: String,
    /// Books with more than 100 pages, read with a parameterised query.
    pub long_books: i64,
    /// The rollback check.
    pub rollback: RollbackReport,
    /// One by one vs pipelined (`--json` prints `figures.simple`).
    pub figures: PgFigures,
}

/// The whole part on an already connected client: table, round trips, rollback, pipelining,
/// and the table dropped again at the end.
pub async fn run(client: &mut Client, table: &str, ops: usize) -> Result<PgReport> {
    let server: String = client
        .query_one("SELECT version()", &[])
        .await
        .context("could not ask the server for its version")?
        .get(0);
    with_run_table(client, table, async |client: &mut Client, table: &str| {
        insert_books(client, table).await?;
        let long_books: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE pages > $1"),
                &[&100i32],
            )
            .await
            .context("could not count the long books")?
            .get(0);
        let rollback = rollback_demo(client, table).await?;
        let figures = pipeline(client, table, ops).await?;
        Ok(PgReport {
            table: table.to_string(),
            server,
            long_books,
            rollback,
            figures,
        })
    })
    .await
}

impl PgReport {
    /// Writes what happened, part by part.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let server = self.server.split(" on ").next().unwrap_or(&self.server);
        writeln!(out, "  connected: {server}")?;
        writeln!(
            out,
            "  table {}: {BOOKS} books inserted, {} with more than 100 pages",
            self.table, self.long_books
        )?;
        let r = &self.rollback;
        writeln!(out, "  transaction: second insert failed: {}", r.failure)?;
        writeln!(
            out,
            "  after rollback: {} of its rows kept, {} rows before, {} after",
            r.rows_kept, r.rows_before, r.rows_after
        )?;
        writeln!(out, "  SELECT $1::INT4 + 1 (the round trip is the cost):")?;
        self.figures.simple.write_to(out, "queries")?;
        writeln!(
            out,
            "  SELECT pages FROM {} WHERE id = $1 (an index lookup each):",
            self.table
        )?;
        self.figures.lookup.write_to(out, "queries")?;
        if !crate::build_note().is_empty() {
            writeln!(out, "  {}", crate::build_note().trim())?;
        }
        writeln!(out, "  table {} dropped", self.table)
    }
}
