//! # `redis`: asyncio-redis -> the `redis` crate on tokio
//!
//! `asyncio-redis` (today `redis.asyncio`) gives Python an async Redis client. In Rust the
//! `redis` crate does both blocking and async; with its `tokio-comp` feature it runs on tokio.
//!
//! Watch two things:
//!
//! 1. **A multiplexed connection** is one TCP connection that many tasks can share (it is
//!    `Clone`); commands are written in order and replies handed back in order.
//! 2. **One round trip per command** is the cost of `await`ing each `SET` before sending the
//!    next. **A pipeline** (`redis::pipe()`) sends all the commands in one write and reads all
//!    the replies back: one round trip for the lot.
//!
//! Every key lives under a per-run prefix ([`prefix`]) and is written with a
//! [`TTL_SECS`] expiry *in the same command* (`SET key value EX 60`; `INCR` is followed by
//! `EXPIRE` in the same `MULTI`). So there is no clean-up pass: whatever happens to the run,
//! Redis removes its keys within a minute, and no other key on the server is ever touched.

use std::time::Instant;

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncCommands, ConnectionInfo, IntoConnectionInfo};
use anyhow::{Context, Result, anyhow};

use crate::report::{CONNECT_TIMEOUT, PipelineFigures, Unreachable, clean};

/// `REDIS_URL` when it is not set.
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

/// How long every key the run writes lives, in seconds.
pub const TTL_SECS: u64 = 60;

/// The key prefix of one run: `session10:<pid>_<random>:`, so two runs on one server (or two
/// learners) never share a key.
pub fn prefix() -> String {
    let tag = fastrand::u32(..0x100_0000);
    format!("session10:{}_{tag:06x}:", std::process::id())
}

/// Parses `REDIS_URL`. The error quotes no part of it: a password may be anywhere in a
/// string that does not parse.
pub fn config(url: &str) -> Result<ConnectionInfo, Unreachable> {
    url.into_connection_info()
        .map_err(|_| Unreachable("REDIS_URL does not parse (expected redis://HOST:PORT/DB)".into()))
}

/// Where `info` points, for printing: host, port, user and database, never the password.
pub fn describe(info: &ConnectionInfo) -> String {
    let settings = info.redis_settings();
    let user = settings.username().unwrap_or("default");
    let (addr, db) = (info.addr(), settings.db());
    clean(&format!("{addr} as {user}, database {db}"))
}

/// Connects and checks the connection with `PING`, with one clear line (an [`Unreachable`])
/// for a refused connection, a silent server, wrong credentials, or a server that is not Redis.
pub async fn connect(info: &ConnectionInfo) -> Result<MultiplexedConnection> {
    let at = describe(info);
    let fail = |why| {
        anyhow!(Unreachable(format!(
            "could not connect to Redis at {at}: {why}"
        )))
    };
    let client =
        ::redis::Client::open(info.clone()).map_err(|err| fail(clean(&err.to_string())))?;
    // asyncio_redis.Connection.create(...) -> Client::get_multiplexed_async_connection.
    // No per-reply limit (a pipeline of 100,000 SETs takes longer than the default 500 ms);
    // the binary bounds the whole part instead.
    let config = ::redis::AsyncConnectionConfig::new().set_response_timeout(None);
    let connecting = async {
        let mut conn = client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        ::redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await?;
        Ok::<_, ::redis::RedisError>(conn)
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(err)) => {
            let hint = if err.kind() == ::redis::ErrorKind::AuthenticationFailed {
                "check the user and password in REDIS_URL"
            } else if err.is_connection_refusal() {
                "is it running? start it with `redis-server --daemonize yes` or see LAB.md"
            } else {
                "check the host, port and database in REDIS_URL, and that Redis listens there"
            };
            Err(fail(format!("{} ({hint})", clean(&err.to_string()))))
        }
        Err(_) => Err(fail(format!(
            "no answer within {CONNECT_TIMEOUT:?} (is the host right?)"
        ))),
    }
}

/// Everything the `redis` part found: the value GET read back, the counter after INCR, the
/// SETs one by one vs pipelined, and how many keys the run wrote (each with its expiry).
#[derive(Debug, Clone)]
pub struct RedisReport {
    pub prefix: String,
    pub greeting: String,
    pub counter: i64,
    pub figures: PipelineFigures,
    pub keys: usize,
}

/// The whole part under `prefix`: SET/GET/INCR, `ops` SETs one by one and `ops` in one
/// pipeline. Every key expires after [`TTL_SECS`].
pub async fn run(
    conn: &mut MultiplexedConnection,
    prefix: &str,
    ops: usize,
) -> Result<RedisReport> {
    let key = format!("{prefix}greeting");
    let () = conn
        .set_ex(&key, "salaam", TTL_SECS)
        .await
        .context("SET failed")?;
    let greeting: String = conn.get(&key).await.context("GET failed")?;
    // INCR and its EXPIRE in one MULTI: the key never exists without its expiry.
    let (counter,): (i64,) = ::redis::pipe()
        .atomic()
        .incr(format!("{prefix}counter"), 1)
        .expire(format!("{prefix}counter"), TTL_SECS as i64)
        .ignore()
        .query_async(conn)
        .await
        .context("INCR failed")?;

    // for i in range(n): await redis.set(f"k{i}", i, expire=60)
    let started = Instant::now();
    for i in 0..ops {
        let () = conn
            .set_ex(format!("{prefix}seq:{i}"), i, TTL_SECS)
            .await
            .context("SET failed")?;
    }
    let sequential_s = started.elapsed().as_secs_f64();
    // async with redis.pipeline() as p: ... await p.execute() -> redis::pipe()
    let started = Instant::now();
    let mut pipe = ::redis::pipe();
    for i in 0..ops {
        pipe.set_ex(format!("{prefix}pipe:{i}"), i, TTL_SECS)
            .ignore();
    }
    let () = pipe
        .query_async(conn)
        .await
        .context("the pipelined SETs failed")?;
    let pipelined_s = started.elapsed().as_secs_f64();

    Ok(RedisReport {
        prefix: prefix.to_string(),
        greeting,
        counter,
        figures: PipelineFigures {
            ops,
            sequential_s,
            pipelined_s,
        },
        keys: 2 * ops + 2,
    })
}

impl RedisReport {
    /// Writes what happened, step by step.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(
            out,
            "  SET/GET: {:?}; INCR: {}",
            self.greeting, self.counter
        )?;
        self.figures.write_to(out, "SETs")?;
        writeln!(
            out,
            "  {} keys under {} expire by themselves within {TTL_SECS} s",
            self.keys, self.prefix
        )
    }
}
