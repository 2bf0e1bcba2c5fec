//! # Session 10: the async ecosystem
//!
//! The Python course ends its tour of asyncio with the packages people actually use:
//! `aiofiles` for files, `umongo` for MongoDB documents, `asyncpg` for PostgreSQL and
//! `asyncio-redis` for Redis. Its rule of thumb is short:
//!
//! > If an async package exists for the job, use it with asyncio.
//! > If the only package blocks, run it on threads.
//!
//! This crate shows the same ecosystem in Rust, one module per part, each talking to the
//! real thing (real files, a real embedded store, real PostgreSQL and Redis servers):
//!
//! | part       | Python            | Rust                                     | module       |
//! |------------|-------------------|------------------------------------------|--------------|
//! | `files`    | `aiofiles`        | `tokio::fs` (a blocking pool underneath) | [`files`]    |
//! | `docs`     | `umongo`/`motor`  | `polodb_core` (blocking) in `spawn_blocking` | [`docs`] |
//! | `postgres` | `asyncpg`         | `tokio-postgres`                         | [`pg`]       |
//! | `redis`    | `asyncio-redis`   | `redis` with its tokio feature           | [`kv`]       |
//! | `blocking` | "use threads"     | inline blocking vs `spawn_blocking`, measured | [`blocking`] |
//!
//! Why the split between "async library" and "threads" matters is measured in [`blocking`]:
//! one blocking call made directly on the runtime stops every other task on that thread for
//! as long as it runs. That is the whole reason the rule exists, in Python and in Rust.
//!
//! The two server parts are written so that a learner can run them twice, or next to a
//! classmate on the same server: each run uses a table name / key prefix of its own
//! ([`run_tag`]) and removes it again, also when something fails half-way.

pub mod blocking;
pub mod docs;
pub mod files;
pub mod kv;
pub mod pg;

use std::time::Duration;

/// Default PostgreSQL URL when `DATABASE_URL` is not set: the local server, trust auth,
/// as the OS user `root` on the course machines (see README for a fresh machine).
pub const DEFAULT_DATABASE_URL: &str = "postgres://root@127.0.0.1:5432/test";

/// Default Redis URL when `REDIS_URL` is not set.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

/// How long we wait for a server to accept a connection before giving up with a clear error.
/// A server that is down refuses at once; this bound is for one that hangs.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The one line printed when PostgreSQL cannot be reached, saying how to start it.
pub const START_POSTGRES: &str = "is it running? start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` \
     or see README (\"Starting the servers\")";

/// The one line printed when Redis cannot be reached, saying how to start it.
pub const START_REDIS: &str = "is it running? start it with `redis-server --daemonize yes` or see README (\"Starting the servers\")";

/// A short tag unique to this run: the process id plus a random suffix.
///
/// Used for the PostgreSQL table name and the Redis key prefix, so two runs (or two
/// learners on one server) never touch each other's data, and clean-up deletes only ours.
pub fn run_tag() -> String {
    format!("{}_{:06x}", std::process::id(), fastrand::u32(..0x100_0000))
}

/// Hides a password in a connection URL before it goes into an error message.
///
/// `postgres://me:secret@host/db` becomes `postgres://me:***@host/db`. PostgreSQL also takes
/// the password as a parameter, in a URL (`...?password=secret`) or in its `key=value` form
/// (`host=h user=me password=secret`); those values become `***` too.
pub fn redact(url: &str) -> String {
    hide_password_params(&hide_userinfo_password(url))
}

/// `scheme://user:secret@host` -> `scheme://user:***@host`.
fn hide_userinfo_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// Every `password=VALUE` -> `password=***`; VALUE ends at `&` or a space, or at the closing
/// quote of a quoted `'value'` (the `key=value` form allows quotes).
fn hide_password_params(text: &str) -> String {
    const KEY: &str = "password=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let (before, after) = rest.split_at(at + KEY.len());
        out.push_str(before);
        out.push_str("***");
        let end = match after.strip_prefix('\'') {
            Some(quoted) => quoted.find('\'').map_or(after.len(), |i| i + 2),
            None => after.find(['&', ' ']).unwrap_or(after.len()),
        };
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Times one pass done one by one and one pass done all at once; shared by the PostgreSQL
/// and Redis parts and printed by `--json` as `{"ops":N,"sequential_s":..,"pipelined_s":..}`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct PipelineFigures {
    /// How many operations each pass made.
    pub ops: usize,
    /// Seconds for the pass that awaited each operation before sending the next.
    pub sequential_s: f64,
    /// Seconds for the pass that had every operation in flight at once.
    pub pipelined_s: f64,
}

impl PipelineFigures {
    /// How many times faster the pipelined pass was.
    pub fn speedup(&self) -> f64 {
        self.sequential_s / self.pipelined_s.max(f64::MIN_POSITIVE)
    }

    /// Prints the two times and the ratio, in the same words for both server parts.
    pub fn print(&self, what: &str) {
        let bold = anstyle::Style::new().bold();
        anstream::println!(
            "  {} {what} one by one:      {:>9.1} ms ({:.1} µs per op)",
            self.ops,
            self.sequential_s * 1e3,
            self.sequential_s * 1e6 / self.ops as f64
        );
        anstream::println!(
            "  {} {what} pipelined:       {:>9.1} ms ({:.1} µs per op)",
            self.ops,
            self.pipelined_s * 1e3,
            self.pipelined_s * 1e6 / self.ops as f64
        );
        anstream::println!(
            "  pipelining was {bold}{:.1}x{bold:#} faster",
            self.speedup()
        );
    }
}

/// A note printed next to every timing when the binary was built without optimisations.
pub fn build_note() -> &'static str {
    if cfg!(debug_assertions) {
        " (debug build: timings are not representative, use --release)"
    } else {
        ""
    }
}

/// Prints a part's heading, in bold when stdout is a terminal.
pub fn heading(title: &str) {
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Cyan.into()));
    anstream::println!("{style}== {title} =={style:#}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://me:secret@host:5432/db"),
            "postgres://me:***@host:5432/db"
        );
        assert_eq!(redact("postgres://me@host/db"), "postgres://me@host/db");
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
        assert_eq!(redact("not a url"), "not a url");
        // PostgreSQL's other two ways to pass a password.
        assert_eq!(
            redact("postgres://me@host/db?sslmode=disable&password=secret&x=1"),
            "postgres://me@host/db?sslmode=disable&password=***&x=1"
        );
        assert_eq!(
            redact("host=h user=me password=secret dbname=db"),
            "host=h user=me password=*** dbname=db"
        );
        assert_eq!(
            redact("host=h password='se cret' dbname=db"),
            "host=h password=*** dbname=db"
        );
    }

    #[test]
    fn run_tags_differ_between_calls() {
        let a = run_tag();
        let b = run_tag();
        assert!(a.starts_with(&format!("{}_", std::process::id())));
        // 24 random bits: a collision here is a 1 in 16 million event.
        assert_ne!(a, b);
    }
}
