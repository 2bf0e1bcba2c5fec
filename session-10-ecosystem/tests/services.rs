//! The server parts. Tests against the real PostgreSQL and Redis (no mocks) are ignored by
//! default; run them with `cargo test -p session-10-ecosystem -- --include-ignored` and
//! DATABASE_URL / REDIS_URL set, or the local defaults (see LAB.md). The error paths (a
//! closed port, a silent or hostile server on 127.0.0.1, URLs holding passwords) always run.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use ::redis::AsyncCommands;
use session_10_ecosystem::{postgres, redis as redis_part};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_session-10-ecosystem"));
    command.env("NO_COLOR", "1").stdin(Stdio::null());
    command
}

/// Runs the binary: (exit code, stdout, stderr).
fn run(command: &mut Command) -> (Option<i32>, String, String) {
    let out = command.output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    (out.status.code(), text(out.stdout), text(out.stderr))
}

/// A local TCP port with nothing listening on it.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server on 127.0.0.1 that answers every read with `reply(what was read)`, and keeps the
/// connection open (a reply of nothing: a server that never answers).
fn fake_server(reply: fn(&[u8]) -> Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                while let Ok(n @ 1..) = stream.read(&mut request) {
                    let _ = stream.write_all(&reply(&request[..n]));
                }
            });
        }
    });
    port
}

const HOSTILE: &str = "owned\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31m\u{202E}desrever\u{200F}";

/// PostgreSQL's ErrorResponse: 'E', its length, fields (S, V, C, M) and a final 0.
fn hostile_postgres(_: &[u8]) -> Vec<u8> {
    let mut fields = Vec::new();
    for (code, value) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', "28000"),
        (b'M', HOSTILE),
    ] {
        fields.push(code);
        fields.extend_from_slice(value.as_bytes());
        fields.push(0);
    }
    fields.push(0);
    let mut reply = vec![b'E'];
    reply.extend_from_slice(&(fields.len() as u32 + 4).to_be_bytes());
    reply.extend_from_slice(&fields);
    reply
}

/// One Redis error reply for every command read (each starts with `*`).
fn hostile_redis(read: &[u8]) -> Vec<u8> {
    let commands = read.iter().filter(|&&b| b == b'*').count();
    format!("-ERR {HOSTILE}\r\n").repeat(commands).into_bytes()
}

#[test]
fn refused_connections_are_one_line_with_the_start_hint() {
    let port = closed_port();
    for (part, variable, url, hint) in [
        (
            "postgres",
            "DATABASE_URL",
            format!("postgres://root@127.0.0.1:{port}/test"),
            "pg_ctlcluster",
        ),
        (
            "redis",
            "REDIS_URL",
            format!("redis://127.0.0.1:{port}"),
            "redis-server",
        ),
    ] {
        let (code, stdout, stderr) = run(bin().arg(part).env(variable, url));
        assert_eq!(code, Some(1), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("error: could not connect to"),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("127.0.0.1:{port}")) && stderr.contains(hint),
            "{stderr}"
        );
        // It said where it was going first, from the parsed config.
        assert!(
            stdout.contains(&format!("at 127.0.0.1:{port} as ")),
            "{stdout}"
        );
    }
}

#[test]
fn the_full_run_skips_unreachable_servers_unless_they_are_required() {
    let port = closed_port();
    let mut command = bin();
    command
        .env(
            "DATABASE_URL",
            format!("postgres://root@127.0.0.1:{port}/test"),
        )
        .env("REDIS_URL", format!("redis://127.0.0.1:{port}"));
    let (code, stdout, _) = run(&mut command);
    assert_eq!(code, Some(0), "{stdout}");
    let skipped: Vec<&str> = stdout.lines().filter(|l| l.contains("skipped:")).collect();
    assert_eq!(skipped.len(), 2, "{stdout}");
    assert!(stdout.contains("spawn_blocking"), "{stdout}");
    let (code, _, stderr) = run(command.arg("--require-services"));
    assert_eq!(code, Some(1));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

/// Issue 20, item 3: passwords with a space, `/`, `#`, `?`, a tab or a newline, or escaped
/// in conninfo, reached the output (error lines, `skipped:` lines, `--json`). Now only host,
/// port, user and database of the parsed config are printed, and nothing of a URL that does
/// not parse.
#[test]
fn no_password_reaches_the_output_in_any_form() {
    let port = closed_port();
    let passwords = [
        "SECRET",
        "pa SECRET",
        "pa/SECRET",
        "pa#SECRET",
        "pa?SECRET",
        "pa\tSECRET",
        "pa\nSECRET",
        "pa@SECRET",
        "pa:SECRET",
        "pa%20SECRET",
        "pa'SECRET",
        "pa\"SECRET",
        "pa;SECRET",
        "pa&SECRET",
        "pa=SECRET",
        "pa\\SECRET",
        "pa\u{1b}[2JSECRET",
    ];
    let (mut urls, host) = (Vec::new(), "127.0.0.1");
    for password in passwords {
        urls.push((
            "DATABASE_URL",
            format!("postgres://root:{password}@{host}:{port}/test"),
        ));
        urls.push((
            "DATABASE_URL",
            format!("postgresql://{host}:{port}/test?password={password}"),
        ));
        urls.push(("REDIS_URL", format!("redis://:{password}@{host}:{port}/0")));
        urls.push((
            "REDIS_URL",
            format!("redis://user:{password}@{host}:{port}"),
        ));
        let escaped = password
            .replace('\\', "\\\\")
            .replace(' ', "\\ ")
            .replace('\'', "\\'");
        for conninfo in [
            format!("host=127.0.0.1 port={port} user=root password={escaped}"),
            format!("host=127.0.0.1 port={port} password='{escaped}' dbname=test"),
            format!("password = {escaped} host=127.0.0.1 port={port}"),
        ] {
            urls.push(("DATABASE_URL", conninfo));
        }
    }
    urls.push(("DATABASE_URL", "host=h password=pa\\ SECRET".into()));
    urls.push(("REDIS_URL", "unix:///no/such.sock?pass=SECRET".into()));
    urls.push(("REDIS_URL", "SECRET".into()));
    urls.push(("DATABASE_URL", "SECRET".into()));
    for (variable, url) in urls {
        let part = if variable == "REDIS_URL" {
            "redis"
        } else {
            "postgres"
        };
        let other = if variable == "REDIS_URL" {
            "DATABASE_URL"
        } else {
            "REDIS_URL"
        };
        let closed = format!("redis://127.0.0.1:{port}");
        // The full run (its `skipped:` lines) for a few forms: it takes a second or two.
        let full = url.contains("pa SECRET") && !url.contains('\'');
        let mut runs = vec![vec![part], vec![part, "--json"]];
        if full {
            runs.extend([vec!["--require-services"], vec![]]);
        }
        for args in runs {
            let (code, stdout, stderr) =
                run(bin().args(&args).env(variable, &url).env(other, &closed));
            assert!(!stdout.contains("SECRET"), "{url:?} {args:?}: {stdout}");
            assert!(!stderr.contains("SECRET"), "{url:?} {args:?}: {stderr}");
            assert!(
                code == Some(1) || args.is_empty(),
                "{url:?} {args:?}: {stderr}"
            );
        }
    }
}

/// Issue 20, item 4: a server's error text reached the terminal raw. A fake PostgreSQL and a
/// fake Redis on 127.0.0.1 answer with escape codes, BEL and a right-to-left override.
#[test]
fn a_hostile_servers_error_text_is_printed_without_control_characters() {
    for (part, variable, url) in [
        (
            "postgres",
            "DATABASE_URL",
            format!(
                "postgres://root@127.0.0.1:{}/test",
                fake_server(hostile_postgres)
            ),
        ),
        (
            "redis",
            "REDIS_URL",
            format!("redis://127.0.0.1:{}", fake_server(hostile_redis)),
        ),
    ] {
        let (code, stdout, stderr) = run(bin().arg(part).env(variable, url));
        assert_eq!(code, Some(1), "{stderr}");
        assert!(
            stderr.contains("owned") && stderr.contains("desrever"),
            "{stderr:?}"
        );
        for text in [&stdout, &stderr] {
            let bad: Vec<char> = text
                .chars()
                .filter(|&c| {
                    (c.is_control() && c != '\n') || ('\u{200B}'..='\u{206F}').contains(&c)
                })
                .collect();
            assert!(bad.is_empty(), "{bad:?} in {text:?}");
        }
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr:?}");
    }
}

#[test]
fn a_server_that_never_answers_is_a_one_line_timeout() {
    let port = fake_server(|_| Vec::new());
    let started = std::time::Instant::now();
    for (part, variable, url) in [
        (
            "postgres",
            "DATABASE_URL",
            format!("postgres://root@127.0.0.1:{port}/test"),
        ),
        ("redis", "REDIS_URL", format!("redis://127.0.0.1:{port}")),
    ] {
        let (code, _, stderr) = run(bin().arg(part).env(variable, url));
        assert_eq!(code, Some(1), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("could not connect to"), "{stderr}");
    }
    assert!(started.elapsed() < Duration::from_secs(30));
}

// ---------- with the real servers ----------

#[tokio::test]
#[ignore = "needs PostgreSQL; see README"]
async fn postgres_counts_and_pipelines_on_a_temporary_table() {
    let url = env_or("DATABASE_URL", postgres::DEFAULT_URL);
    let config = postgres::config(&url).unwrap();
    let client = postgres::connect(&config).await.unwrap();
    let report = postgres::run(&client, 300).await.unwrap();
    let long = (0..postgres::BOOKS)
        .filter(|id| (id * 37) % 500 + 1 > 100)
        .count();
    assert_eq!(report.long_books, long as i64);
    assert_eq!((report.simple.ops, report.lookup.ops), (300, 300));
    // The table is this connection's alone: another connection does not see it.
    let other = postgres::connect(&config).await.unwrap();
    let seen: Option<String> = other
        .query_one("SELECT to_regclass('books')::text", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(seen, None);
}

/// `--json`: one object with the three fields, nothing else on stdout.
fn json_has_the_three_fields(part: &str) {
    let (code, stdout, stderr) = run(bin().args([part, "--ops", "50", "--json"]));
    assert_eq!(code, Some(0), "{stderr}");
    let value: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(value["ops"], 50, "{stdout}");
    assert!(value["sequential_s"].as_f64().unwrap() > 0.0, "{stdout}");
    assert!(value["pipelined_s"].as_f64().unwrap() > 0.0, "{stdout}");
}

#[test]
#[ignore = "needs PostgreSQL; see README"]
fn postgres_json_has_the_three_fields() {
    json_has_the_three_fields("postgres");
}

#[test]
#[ignore = "needs Redis; see README"]
fn redis_json_has_the_three_fields() {
    json_has_the_three_fields("redis");
}

async fn redis_connection() -> ::redis::aio::MultiplexedConnection {
    let info = redis_part::config(&env_or("REDIS_URL", redis_part::DEFAULT_URL)).unwrap();
    redis_part::connect(&info).await.unwrap()
}

/// Every key under `pattern`, with its TTL in seconds (-1: none, -2: gone).
async fn keys_and_ttls(pattern: &str) -> Vec<(String, i64)> {
    let mut conn = redis_connection().await;
    let keys: Vec<String> = {
        let mut iter = conn.scan_match::<_, String>(pattern).await.unwrap();
        let mut keys = Vec::new();
        while let Some(key) = iter.next_item().await {
            keys.push(key.unwrap());
        }
        keys
    };
    let mut out = Vec::new();
    for key in keys {
        let ttl: i64 = conn.ttl(&key).await.unwrap();
        out.push((key, ttl));
    }
    out
}

/// Issue 20, item 10: every key the run writes expires by itself, at most 120 s on.
#[tokio::test]
#[ignore = "needs Redis; see README"]
async fn every_key_the_redis_part_writes_has_a_short_ttl() {
    let mut conn = redis_connection().await;
    let prefix = redis_part::prefix();
    let report = redis_part::run(&mut conn, &prefix, 200).await.unwrap();
    assert_eq!((report.greeting.as_str(), report.counter), ("salaam", 1));
    let keys = keys_and_ttls(&format!("{prefix}*")).await;
    assert_eq!(keys.len(), report.keys);
    assert_eq!(keys.len(), 2 * 200 + 2);
    for (key, ttl) in keys {
        assert!((1..=120).contains(&ttl), "{key}: TTL {ttl}");
    }
}

/// Issue 20, item 10: a run killed with `kill -9` in the middle of `--json` (no prefix printed
/// anywhere) leaves only keys that expire by themselves.
#[cfg(unix)]
#[tokio::test]
#[ignore = "needs Redis; see README"]
async fn a_run_killed_half_way_leaves_only_expiring_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = bin()
        .args(["redis", "--ops", "100000", "--json"])
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Every key of that run starts with its pid.
    let pattern = format!("session10:{}_*", child.id());
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        if keys_and_ttls(&pattern).await.len() > 100 {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let keys = keys_and_ttls(&pattern).await;
    assert!(keys.len() > 100, "{}", keys.len());
    // A server part makes no folder, so not even an empty one is left.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    for (key, ttl) in keys {
        assert!((1..=120).contains(&ttl) || ttl == -2, "{key}: TTL {ttl}");
    }
}

/// Ctrl-C during a server part: one line and 130; nothing to undo (TEMPORARY table, TTLs).
#[cfg(unix)]
#[test]
#[ignore = "needs PostgreSQL and Redis; see README"]
fn ctrl_c_during_a_server_part_is_one_line_and_130() {
    for part in ["postgres", "redis"] {
        let child = bin()
            .args([part, "--ops", "100000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{part}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
}

#[cfg(unix)]
#[test]
#[ignore = "needs PostgreSQL and Redis; see README"]
fn server_parts_into_a_full_disk_or_a_closed_pipe() {
    for args in [["postgres", "--ops", "20"], ["redis", "--ops", "20"]] {
        for json in [false, true] {
            let mut args = args.to_vec();
            if json {
                args.push("--json");
            }
            let full = std::fs::File::create("/dev/full").unwrap();
            let (code, _, stderr) = run(bin().args(&args).stdout(full));
            assert_eq!(code, Some(1), "{args:?}: {stderr}");
            assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
            assert!(stderr.contains("could not write to stdout"), "{stderr}");
            let mut child = bin()
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            drop(child.stdout.take());
            let out = child.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
            assert!(out.stderr.is_empty(), "{out:?}");
        }
    }
}
