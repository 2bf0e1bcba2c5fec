//! جلسه 10 (session 10): asyncio-redis in Rust: the `redis` crate on tokio.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md (session 10 names the
//!           packages; it has no code file of its own)
//! Run:      cargo run -p session-10-ecosystem --example redis
//!
//! Needs Redis: REDIS_URL, or redis://127.0.0.1:6379. When it is not there this says so in one
//! line and exits with 1 (LAB.md says how to start it).
//! Watch: 1,000 SETs one by one pay 1,000 round trips; the same 1,000 in one pipeline pay one.
//! Every key starts with this run's own prefix and is deleted at the end. Each also expires by
//! itself after a minute (EX 60), so a run that is killed half-way leaves nothing for long.

use std::time::{Duration, Instant};

use redis::AsyncCommands;

const LIFE: u64 = 60; // seconds each key lives (SET ... EX 60), even if this run is killed

#[tokio::main]
async fn main() -> redis::RedisResult<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string());
    // connection = await asyncio_redis.Connection.create(host, port)
    let client = redis::Client::open(url)?;
    let connecting = client.get_multiplexed_async_connection();
    let mut con = match tokio::time::timeout(Duration::from_secs(5), connecting).await {
        Ok(Ok(con)) => con,
        Ok(Err(err)) => not_there(&err.to_string()),
        Err(_) => not_there("no answer within 5 s"),
    };
    // Our own keys only: a prefix no other run uses (never KEYS * or FLUSHDB on a shared server).
    let prefix = format!("session10:example:{}:", std::process::id());

    // await connection.set("greeting", "salaam"); await connection.get("greeting")
    let () = con
        .set_ex(format!("{prefix}greeting"), "salaam", LIFE)
        .await?;
    let greeting: String = con.get(format!("{prefix}greeting")).await?;
    let visits: i64 = con.incr(format!("{prefix}visits"), 1).await?;
    let _: bool = con.expire(format!("{prefix}visits"), LIFE as i64).await?;
    println!("GET greeting -> {greeting:?}; INCR visits -> {visits}");

    // ANCHOR: pipeline
    // for i in range(1000): await connection.set(f"n:{i}", i)  -- 1,000 round trips
    let started = Instant::now();
    for i in 0..1000 {
        let () = con.set_ex(format!("{prefix}n:{i}"), i, LIFE).await?;
    }
    let one_by_one = started.elapsed();

    // The same 1,000 SETs in one pipeline: one write, one round trip.
    let started = Instant::now();
    let mut pipe = redis::pipe();
    for i in 0..1000 {
        pipe.set_ex(format!("{prefix}n:{i}"), i, LIFE).ignore();
    }
    let () = pipe.query_async(&mut con).await?;
    let pipelined = started.elapsed();
    // ANCHOR_END: pipeline
    println!("1000 SETs one by one: {one_by_one:.1?}; in one pipeline: {pipelined:.1?}");

    // Clean up: delete exactly the keys we made.
    let mut keys: Vec<String> = (0..1000).map(|i| format!("{prefix}n:{i}")).collect();
    keys.extend([format!("{prefix}greeting"), format!("{prefix}visits")]);
    let deleted: usize = con.del(&keys).await?;
    println!("deleted {deleted} keys under {prefix}");
    Ok(())
}

/// The one line for a server that is not there, then exit 1.
fn not_there(why: &str) -> ! {
    eprintln!("Redis is not there ({why}): start it (see LAB.md) or set REDIS_URL");
    std::process::exit(1);
}
