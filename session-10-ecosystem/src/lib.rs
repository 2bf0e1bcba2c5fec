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
//! | `postgres` | `asyncpg`         | `tokio-postgres`                         | [`postgres`] |
//! | `redis`    | `asyncio-redis`   | `redis` with its tokio feature           | [`redis`]    |
//! | `blocking` | "use threads"     | inline blocking vs `spawn_blocking`, measured | [`blocking`] |
//!
//! Why the split between "async library" and "threads" matters is measured in [`blocking`]:
//! one blocking call made directly on the runtime stops every other task on that thread for
//! as long as it runs. That is the whole reason the rule exists, in Python and in Rust.
//!
//! The two server parts are written so that a learner can run them twice, or next to a
//! classmate on the same server: each run uses a table name / key prefix of its own
//! ([`run_tag`]) and removes it again, also when something fails half-way. The binary adds
//! the rest (in `src/main.rs`): a fresh folder per run for `files`, a new store file per run
//! for `docs`, and on Ctrl-C, SIGTERM or `--timeout-secs` it removes what the run made.
//!
//! The module for the Redis part is called `redis`, like the crate it uses. Inside this crate
//! a path starting `redis::` would mean the module, so the crate is written `::redis::`.

pub mod blocking;
pub mod docs;
pub mod files;
pub mod lab;
pub mod postgres;
pub mod redis;

use std::io::{self, Write};
use std::time::Duration;

/// Default PostgreSQL URL when `DATABASE_URL` is not set: the local server, trust auth,
/// as the OS user `root` on the course machines (see LAB.md for a fresh machine).
pub const DEFAULT_DATABASE_URL: &str = "postgres://root@127.0.0.1:5432/test";

/// Default Redis URL when `REDIS_URL` is not set.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

/// How long we wait for a server to accept a connection before giving up with a clear error.
/// A server that is down refuses at once; this bound is for one that hangs.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The hint added when PostgreSQL refused the connection, saying how to start it.
pub const START_POSTGRES: &str = "is it running? start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` \
     or see LAB.md (\"Starting the servers\")";

/// The hint added when Redis refused the connection, saying how to start it.
pub const START_REDIS: &str = "is it running? start it with `redis-server --daemonize yes` or see LAB.md (\"Starting the servers\")";

/// A short tag unique to this run: the process id plus a random suffix.
///
/// Used for the PostgreSQL table name and the Redis key prefix, so two runs (or two
/// learners on one server) never touch each other's data, and clean-up deletes only ours.
pub fn run_tag() -> String {
    format!("{}_{:06x}", std::process::id(), fastrand::u32(..0x100_0000))
}

/// Whether `err`, or any error it was caused by, is a refused TCP connection: the one case
/// where "is the server running?" is the right hint.
pub fn is_refused(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<io::Error>()
            && io.kind() == io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        next = err.source();
    }
    false
}

/// An error and its causes on one line, for a learner: "could not X: because Y".
///
/// Libraries often repeat their cause in their own message (the `redis` crate prints
/// "refused" and has the same "refused" as its source), and some messages span several lines
/// (a reply the client could not parse); both are folded here. Passwords are hidden.
pub fn error_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() || parts.iter().any(|seen| seen.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    redact(&parts.join(": "))
}

/// Hides passwords in text that may hold a connection URL, before it is printed.
///
/// - `scheme://me:secret@host` becomes `scheme://me:***@host`, anywhere in the text;
/// - the value of any key that looks secret (`password`, `pass`, `pwd`, `secret`, `token`,
///   in any case) given as `key=value`, with or without spaces around `=`, quoted or not,
///   in a URL's query (`?password=...&`, `?pass=...`) or in PostgreSQL's `key=value` form,
///   becomes `***`.
pub fn redact(text: &str) -> String {
    hide_secret_values(&hide_userinfo_passwords(text))
}

/// Every `scheme://user:secret@host` -> `scheme://user:***@host`.
fn hide_userinfo_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // The authority ends at the first '/', '?', '#' or whitespace; userinfo ends at its
        // last '@' (a password may itself hold '@').
        let end = after
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _password)) => out.push_str(&format!("{user}:***@{host}")),
                None => out.push_str(authority),
            },
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Whether a key names a secret: `password`, `PASSWORD`, `pass`, `passwd`, `pwd`, `secret`...
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["pass", "pwd", "secret", "token"]
        .iter()
        .any(|word| key.contains(word))
}

/// Every `secretkey = value` -> `secretkey = ***`.
fn hide_secret_values(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0; // text[..copied] is in `out`
    let mut i = 0;
    while i < bytes.len() {
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        if !is_word(bytes[i]) || (i > 0 && is_word(bytes[i - 1])) {
            i += 1;
            continue;
        }
        // A word starts at i.
        let key_end = (i..bytes.len())
            .find(|&j| !is_word(bytes[j]))
            .unwrap_or(bytes.len());
        let mut j = key_end;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if j >= bytes.len() || bytes[j] != b'=' || !is_secret_key(&text[i..key_end]) {
            i = key_end;
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        // The value: 'quoted' (with \' inside), or up to a space, '&', ';', ',' or a quote.
        let value_end = if text[j..].starts_with("***") {
            j + 3 // already hidden (the text went through here before)
        } else if bytes.get(j) == Some(&b'\'') {
            let mut k = j + 1;
            while k < bytes.len() && bytes[k] != b'\'' {
                k += if bytes[k] == b'\\' { 2 } else { 1 };
            }
            (k + 1).min(bytes.len())
        } else {
            (j..bytes.len())
                .find(|&k| matches!(bytes[k], b' ' | b'&' | b';' | b',' | b'"' | b'\'' | b')'))
                .unwrap_or(bytes.len())
        };
        out.push_str(&text[copied..j]);
        out.push_str("***");
        copied = value_end;
        i = value_end.max(j + 1);
    }
    out.push_str(&text[copied.min(text.len())..]);
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

    /// Writes the two times and the ratio, in the same words for both server parts.
    pub fn write_to(&self, out: &mut impl Write, what: &str) -> io::Result<()> {
        let bold = anstyle::Style::new().bold();
        writeln!(
            out,
            "  {} {what} one by one:      {:>9.1} ms ({:.1} µs per op)",
            self.ops,
            self.sequential_s * 1e3,
            self.sequential_s * 1e6 / self.ops as f64
        )?;
        writeln!(
            out,
            "  {} {what} pipelined:       {:>9.1} ms ({:.1} µs per op)",
            self.ops,
            self.pipelined_s * 1e3,
            self.pipelined_s * 1e6 / self.ops as f64
        )?;
        writeln!(
            out,
            "  pipelining was {bold}{:.1}x{bold:#} faster",
            self.speedup()
        )
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

/// Writes a part's heading, in bold cyan (the stream drops the colour when it is not a
/// terminal or `NO_COLOR` is set).
pub fn heading(out: &mut impl Write, title: &str) -> io::Result<()> {
    let style = anstyle::Style::new()
        .bold()
        .fg_color(Some(anstyle::AnsiColor::Cyan.into()));
    writeln!(out, "{style}== {title} =={style:#}")
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
    fn redact_hides_every_form_an_attack_tried() {
        for (text, secret) in [
            // Spaces around '=' are allowed in PostgreSQL's key=value form.
            (
                "host=127.0.0.1 port=1 password = SECRETX user=root",
                "SECRETX",
            ),
            ("host=h password= 'a b\\' c' user=root", "a b"),
            // The redis crate reads the password of a unix socket URL from `pass=`.
            ("unix:///no/such.sock?pass=SECRETX", "SECRETX"),
            ("redis+unix:///s.sock?db=1&pass=SECRETX&x=1", "SECRETX"),
            // An invalid key is still a secret when it looks like one.
            ("PASSWORD=SECRETX", "SECRETX"),
            ("host=h Password=SECRETX", "SECRETX"),
            // userinfo anywhere in a longer line, a password holding '@'.
            ("bad url \"redis://me:p@ss@host:1/0\": nope", "p@ss"),
            ("could not connect to redis://:SECRETX@h:1", "SECRETX"),
        ] {
            let shown = redact(text);
            assert!(!shown.contains(secret), "{text:?} -> {shown:?}");
            assert!(shown.contains("***"), "{text:?} -> {shown:?}");
        }
        // Words that merely mention a password are left alone.
        let line = "password authentication failed for user \"root\"";
        assert_eq!(redact(line), line);
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
