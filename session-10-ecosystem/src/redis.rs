//! # `redis`: asyncio-redis -> the `redis` crate on tokio
//!
//! `asyncio-redis` (and today `redis.asyncio`) gives Python an async Redis client. In Rust the
//! `redis` crate does both blocking and async; with its `tokio-comp` feature it runs on tokio.
//! (This module is called `redis` too; `::redis::` below, with the leading `::`, always means
//! the crate.)
//!
//! Watch three things:
//!
//! 1. **A multiplexed connection** is one TCP connection that many tasks can share (it is
//!    `Clone`); commands are written in order and replies handed back in order.
//! 2. **One round trip per command** is the cost of `await`ing each `SET` before sending the
//!    next: the client sits idle while the request travels and the reply comes back.
//!    **A pipeline** (`redis::pipe()`) sends all the commands in one write and reads all the
//!    replies back: one round trip for the lot. This is where the large speed-up comes from.
//! 3. **Publish/subscribe** needs a connection of its own: once a connection subscribes, it
//!    only receives messages.
//!
//! Every key lives under a per-run prefix (`session10:<pid>_<random>:`, see [`prefix`]) and is
//! deleted at the end with `SCAN` + `DEL`, also when a step fails. (Never `KEYS *` or
//! `FLUSHDB` on a server you share, nor a pattern that matches another run's keys.)

use std::time::Instant;

use ::redis::AsyncCommands;
use ::redis::aio::MultiplexedConnection;
use anyhow::{Context, Result, anyhow, bail};
use futures::StreamExt;

use crate::PipelineFigures;

/// A connected client: the client (to open the pub/sub connection) and a shared connection.
pub struct Redis {
    client: ::redis::Client,
    conn: MultiplexedConnection,
    url: String,
}

/// The key prefix for a run with this tag: `session10:<tag>:`. Its keys match the pattern
/// `session10:<tag>:*` and no other run's.
pub fn prefix(tag: &str) -> String {
    format!("session10:{tag}:")
}

/// The error's message on one line: a reply the client cannot parse (a server that is not
/// Redis, e.g. an HTTP server on that port) comes back as several lines, one per byte it
/// did not expect.
fn one_line(err: &::redis::RedisError) -> String {
    err.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Connects to Redis at `url` and checks the connection with `PING`.
///
/// Fails with one clear line for a malformed URL, a refused connection, a server that does
/// not answer within [`crate::CONNECT_TIMEOUT`], or wrong credentials.
pub async fn connect(url: &str) -> Result<Redis> {
    let shown = crate::redact(url);
    let client = ::redis::Client::open(url)
        .with_context(|| format!("bad REDIS_URL {shown:?}: expected redis://HOST:PORT"))?;
    // asyncio_redis.Connection.create(...) -> Client::get_multiplexed_async_connection
    // The redis crate gives up on any reply that takes over 500 ms by default; a pipeline of
    // a few hundred thousand SETs takes longer than that. The part as a whole is bounded by
    // --timeout-secs instead (and connecting by the crate's 1 s plus CONNECT_TIMEOUT).
    let config = ::redis::AsyncConnectionConfig::new().set_response_timeout(None);
    let connecting = client.get_multiplexed_async_connection_with_config(&config);
    let mut conn = match tokio::time::timeout(crate::CONNECT_TIMEOUT, connecting).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(err)) => {
            // The hint depends on what went wrong: the server answered and said no, or not.
            let hint = if err.kind() == ::redis::ErrorKind::AuthenticationFailed {
                "check the user and password in REDIS_URL"
            } else if err.is_timeout() {
                "the server did not answer: is the host right?"
            } else if err.is_connection_refusal() && !url.contains("unix:") {
                // (the crate also calls a missing unix socket a refusal; that is a wrong path)
                crate::START_REDIS
            } else if err.is_io_error() {
                "check the host and port (or socket path) in REDIS_URL"
            } else {
                // It answered, but not as Redis does (another server on that port, a database
                // number the server does not have).
                "the server answered, but not as expected: check the port and database in REDIS_URL"
            };
            bail!(
                "could not connect to Redis at {shown}: {} ({hint})",
                one_line(&err)
            );
        }
        Err(_) => bail!(
            "could not connect to Redis at {shown}: no answer within {:?} (the server did not answer: is the host right?)",
            crate::CONNECT_TIMEOUT
        ),
    };
    let ping_cmd = ::redis::cmd("PING");
    let ping = ping_cmd.query_async::<String>(&mut conn);
    match tokio::time::timeout(crate::CONNECT_TIMEOUT, ping).await {
        Ok(Ok(_pong)) => {}
        Ok(Err(err)) => bail!("Redis at {shown} did not answer PING: {}", one_line(&err)),
        Err(_) => bail!(
            "Redis at {shown} did not answer PING within {:?}",
            crate::CONNECT_TIMEOUT
        ),
    }
    Ok(Redis {
        client,
        conn,
        url: shown,
    })
}

/// Deletes every key under `prefix` (SCAN + DEL, a batch at a time) and returns how many.
pub async fn delete_prefix(conn: &mut MultiplexedConnection, prefix: &str) -> Result<usize> {
    let pattern = format!("{prefix}*");
    let keys: Vec<String> = {
        let mut iter = conn
            .scan_match::<_, String>(&pattern)
            .await
            .context("SCAN failed")?;
        let mut keys = Vec::new();
        while let Some(key) = iter.next_item().await {
            keys.push(key.context("SCAN failed")?);
        }
        keys
    };
    for batch in keys.chunks(1000) {
        let _: usize = conn.del(batch).await.context("DEL failed")?;
    }
    Ok(keys.len())
}

/// How many keys exist under `prefix`; the tests use it to check the clean-up.
pub async fn count_prefix(conn: &mut MultiplexedConnection, prefix: &str) -> Result<usize> {
    let mut iter = conn
        .scan_match::<_, String>(format!("{prefix}*"))
        .await
        .context("SCAN failed")?;
    let mut count = 0;
    while let Some(key) = iter.next_item().await {
        key.context("SCAN failed")?;
        count += 1;
    }
    Ok(count)
}

/// SET, GET and INCR, one round trip each.
pub async fn round_trips(conn: &mut MultiplexedConnection, prefix: &str) -> Result<(String, i64)> {
    let key = format!("{prefix}greeting");
    let () = conn.set(&key, "salaam").await.context("SET failed")?;
    let value: String = conn.get(&key).await.context("GET failed")?;
    let counter = format!("{prefix}counter");
    let mut last = 0;
    for _ in 0..3 {
        last = conn.incr(&counter, 1).await.context("INCR failed")?;
    }
    Ok((value, last))
}

/// `ops` SETs awaited one by one, then `ops` SETs in one pipeline; checks both landed.
pub async fn pipeline(
    conn: &mut MultiplexedConnection,
    prefix: &str,
    ops: usize,
) -> Result<PipelineFigures> {
    // for i in range(n): await redis.set(f"k{i}", i)
    let started = Instant::now();
    for i in 0..ops {
        let () = conn
            .set(format!("{prefix}seq:{i}"), i)
            .await
            .context("SET failed")?;
    }
    let sequential_s = started.elapsed().as_secs_f64();

    // async with redis.pipeline() as p: ... await p.execute() -> redis::pipe()
    let started = Instant::now();
    let mut pipe = ::redis::pipe();
    for i in 0..ops {
        pipe.set(format!("{prefix}pipe:{i}"), i).ignore();
    }
    let () = pipe
        .query_async(conn)
        .await
        .context("the pipelined SETs failed")?;
    let pipelined_s = started.elapsed().as_secs_f64();

    if ops > 0 {
        let last = ops - 1;
        let (a, b): (Option<usize>, Option<usize>) = ::redis::pipe()
            .get(format!("{prefix}seq:{last}"))
            .get(format!("{prefix}pipe:{last}"))
            .query_async(conn)
            .await
            .context("GET failed")?;
        if a != Some(last) || b != Some(last) {
            bail!("the last SETs did not land: got {a:?} and {b:?}, expected {last}");
        }
    }
    Ok(PipelineFigures {
        ops,
        sequential_s,
        pipelined_s,
    })
}

/// Subscribes on a connection of its own, publishes one message, and waits (bounded) for it.
pub async fn pubsub_round_trip(redis: &mut Redis, prefix: &str) -> Result<(String, f64)> {
    let channel = format!("{prefix}news");
    let mut pubsub = tokio::time::timeout(crate::CONNECT_TIMEOUT, redis.client.get_async_pubsub())
        .await
        .map_err(|_| anyhow!("no answer within {:?}", crate::CONNECT_TIMEOUT))
        .context("could not open a pub/sub connection")?
        .context("could not open a pub/sub connection")?;
    // await subscriber.subscribe([channel]) -> PubSub::subscribe
    pubsub
        .subscribe(&channel)
        .await
        .context("SUBSCRIBE failed")?;
    let started = Instant::now();
    let receivers: usize = redis
        .conn
        .publish(&channel, "new book: Fluent Python")
        .await
        .context("PUBLISH failed")?;
    if receivers == 0 {
        bail!("PUBLISH reached no subscriber");
    }
    let mut messages = pubsub.on_message();
    let message = tokio::time::timeout(crate::CONNECT_TIMEOUT, messages.next())
        .await
        .map_err(|_| {
            anyhow!(
                "the published message did not arrive within {:?}",
                crate::CONNECT_TIMEOUT
            )
        })?
        .ok_or_else(|| anyhow!("the pub/sub connection closed"))?;
    let elapsed = started.elapsed().as_secs_f64();
    let payload: String = message.get_payload().context("the message was not text")?;
    Ok((payload, elapsed))
}

/// Everything the `redis` part found.
#[derive(Debug, Clone)]
pub struct RedisReport {
    /// This run's key prefix (its keys are already deleted).
    pub prefix: String,
    /// The value read back by GET.
    pub greeting: String,
    /// The counter after three INCRs.
    pub counter: i64,
    /// One by one vs pipelined.
    pub figures: PipelineFigures,
    /// The message received over pub/sub.
    pub message: String,
    /// Seconds from PUBLISH to the message arriving.
    pub message_s: f64,
    /// Keys deleted at the end.
    pub deleted: usize,
}

/// The whole part under `prefix` (see [`prefix`]): round trips, pipeline, pub/sub, then
/// every key of the run deleted, also when a step failed.
pub async fn run(redis: &mut Redis, prefix: &str, ops: usize) -> Result<RedisReport> {
    let result = steps(redis, prefix, ops).await;
    let deleted = delete_prefix(&mut redis.conn, prefix).await;
    match (result, deleted) {
        (Ok(report), Ok(deleted)) => Ok(RedisReport { deleted, ..report }),
        (Ok(_), Err(err)) => Err(err.context(format!(
            "could not delete the keys under {prefix} on {}",
            redis.url
        ))),
        (Err(err), Ok(_)) => Err(err),
        (Err(err), Err(_)) => Err(err.context(format!("keys under {prefix} may be left behind"))),
    }
}

/// The steps of [`run`] between choosing the prefix and deleting it; `deleted` is still 0.
async fn steps(redis: &mut Redis, prefix: &str, ops: usize) -> Result<RedisReport> {
    let (greeting, counter) = round_trips(&mut redis.conn, prefix).await?;
    let figures = pipeline(&mut redis.conn, prefix, ops).await?;
    let (message, message_s) = pubsub_round_trip(redis, prefix).await?;
    Ok(RedisReport {
        prefix: prefix.to_string(),
        greeting,
        counter,
        figures,
        message,
        message_s,
        deleted: 0,
    })
}

impl Redis {
    /// The shared connection, for the tests' own checks.
    pub fn connection(&mut self) -> &mut MultiplexedConnection {
        &mut self.conn
    }
}

impl RedisReport {
    /// Writes what happened, step by step.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(
            out,
            "  SET/GET: {:?}; INCR three times: {}",
            self.greeting, self.counter
        )?;
        self.figures.write_to(out, "SETs")?;
        if !crate::build_note().is_empty() {
            writeln!(out, "  {}", crate::build_note().trim())?;
        }
        writeln!(
            out,
            "  pub/sub: received {:?} {:.2} ms after PUBLISH",
            self.message,
            self.message_s * 1e3
        )?;
        writeln!(out, "  deleted {} keys under {}", self.deleted, self.prefix)
    }
}
