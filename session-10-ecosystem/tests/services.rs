//! Tests against the real PostgreSQL and Redis servers (no mocks). They are ignored by
//! default; run them with
//! `cargo test -p session-10-ecosystem -- --include-ignored`
//! and DATABASE_URL / REDIS_URL set, or the local defaults (see LAB.md).
//!
//! The error-path tests that point at a closed port need no server and always run.

use std::process::Command;

use anyhow::anyhow;
// The crate's `redis` module is imported as `redis_part`; `::redis::` is the redis crate.
use session_10_ecosystem::{
    DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, postgres, redis as redis_part, run_tag,
};

fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_string())
}

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_string())
}

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_session-10-ecosystem"));
    command.env("NO_COLOR", "1");
    command
}

/// A local TCP port with nothing listening on it: bind, read the port, close.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Runs the binary and returns (exit code, stdout, stderr).
fn run(command: &mut Command) -> (Option<i32>, String, String) {
    let out = command.output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

// ---------- no server needed ----------

#[test]
fn refused_connections_are_one_line_errors_when_a_part_is_asked_for() {
    let port = closed_port();
    let (code, _, stderr) = run(bin().args(["postgres", "--ops", "5"]).env(
        "DATABASE_URL",
        format!("postgres://root@127.0.0.1:{port}/test"),
    ));
    assert_eq!(code, Some(1));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("could not connect to PostgreSQL"),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("refused"), "{stderr}");

    let (code, _, stderr) = run(bin()
        .args(["redis", "--ops", "5"])
        .env("REDIS_URL", format!("redis://127.0.0.1:{port}")));
    assert_eq!(code, Some(1));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not connect to Redis"), "{stderr}");
    assert!(stderr.to_lowercase().contains("refused"), "{stderr}");
}

#[test]
fn bad_urls_are_one_line_errors() {
    let (code, _, stderr) = run(bin()
        .args(["postgres"])
        .env("DATABASE_URL", "postgres://root@127.0.0.1:notaport/test"));
    assert_eq!(code, Some(1));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("bad DATABASE_URL"), "{stderr}");

    let (code, _, stderr) = run(bin()
        .args(["redis"])
        .env("REDIS_URL", "http://127.0.0.1:6379"));
    assert_eq!(code, Some(1));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("bad REDIS_URL"), "{stderr}");
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
    assert!(skipped[0].contains("pg_ctlcluster") && skipped[1].contains("redis-server"));
    // The run went on to the last part.
    assert!(stdout.contains("spawn_blocking"), "{stdout}");

    let (code, stdout, stderr) = run(command.arg("--require-services"));
    assert_eq!(code, Some(1), "{stdout}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--require-services"), "{stderr}");
}

// ---------- PostgreSQL ----------

#[tokio::test]
#[ignore = "needs PostgreSQL; see LAB.md"]
async fn postgres_round_trip_rollback_pipeline_and_clean_up() {
    let mut client = postgres::connect(&database_url()).await.unwrap();
    let table = postgres::table_name(&run_tag());
    let report = postgres::run(&mut client, &table, 300).await.unwrap();
    assert_eq!(report.table, table);
    let expected_long = (0..postgres::BOOKS)
        .filter(|id| postgres::pages_of(*id) > 100)
        .count() as i64;
    assert_eq!(report.long_books, expected_long);
    // The rollback kept nothing of the transaction.
    assert!(
        report.rollback.failure.contains("duplicate key"),
        "{report:?}"
    );
    assert_eq!(report.rollback.rows_kept, 0);
    assert_eq!(report.rollback.rows_before, i64::from(postgres::BOOKS));
    assert_eq!(report.rollback.rows_after, i64::from(postgres::BOOKS));
    for figures in [report.figures.simple, report.figures.lookup] {
        assert_eq!(figures.ops, 300);
        assert!(figures.sequential_s > 0.0 && figures.pipelined_s > 0.0);
    }
    // The table is gone.
    assert!(
        !postgres::table_exists(&client, &report.table)
            .await
            .unwrap()
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL; see LAB.md"]
async fn postgres_drops_its_table_when_the_body_fails() {
    let mut client = postgres::connect(&database_url()).await.unwrap();
    let mut seen = String::new();
    let table = postgres::table_name(&run_tag());
    let err = postgres::with_run_table(
        &mut client,
        &table,
        async |client: &mut tokio_postgres::Client, table: &str| {
            seen = table.to_string();
            assert!(postgres::table_exists(client, table).await.unwrap());
            // A statement that fails half-way through the part.
            client
                .execute(
                    &format!("INSERT INTO {table} (id, title, pages) VALUES ($1, $2, $3)"),
                    &[&1i32, &"x", &0i32],
                )
                .await?;
            Err::<(), _>(anyhow!("not reached: the CHECK (pages > 0) must fail"))
        },
    )
    .await
    .unwrap_err();
    assert!(format!("{err:#}").contains("check constraint"), "{err:#}");
    assert!(!seen.is_empty());
    assert!(!postgres::table_exists(&client, &seen).await.unwrap());
}

#[tokio::test]
#[ignore = "needs PostgreSQL; see LAB.md"]
async fn postgres_wrong_user_is_a_clear_error() {
    let url = database_url();
    let (_, rest) = url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let bad = format!("postgres://no_such_user_session10@{host}");
    let (code, _, stderr) = run(bin()
        .args(["postgres", "--ops", "5"])
        .env("DATABASE_URL", &bad));
    assert_eq!(code, Some(1));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no_such_user_session10"), "{stderr}");
}

/// `PART --ops N --json` prints one object: `{"ops":N,"sequential_s":..,"pipelined_s":..}`.
fn assert_json_has_the_three_fields(part: &str, ops: u32) {
    let ops_text = ops.to_string();
    let (code, stdout, stderr) =
        run(bin().args(["--require-services", part, "--ops", &ops_text, "--json"]));
    assert_eq!(code, Some(0), "{stderr}");
    let value: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(value["ops"], ops);
    assert!(value["sequential_s"].as_f64().unwrap() > 0.0);
    assert!(value["pipelined_s"].as_f64().unwrap() > 0.0);
}

#[test]
#[ignore = "needs PostgreSQL; see LAB.md"]
fn postgres_json_has_the_three_fields() {
    assert_json_has_the_three_fields("postgres", 50);
}

// ---------- Redis ----------

#[tokio::test]
#[ignore = "needs Redis; see LAB.md"]
async fn redis_round_trip_pipeline_pubsub_and_clean_up() {
    let mut redis = redis_part::connect(&redis_url()).await.unwrap();
    let prefix = redis_part::prefix(&run_tag());
    let report = redis_part::run(&mut redis, &prefix, 500).await.unwrap();
    assert_eq!(report.greeting, "salaam");
    assert_eq!(report.counter, 3);
    assert_eq!(report.message, "new book: Fluent Python");
    // greeting + counter + 500 one by one + 500 pipelined.
    assert_eq!(report.deleted, 2 + 500 + 500);
    assert_eq!(
        redis_part::count_prefix(redis.connection(), &report.prefix)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
#[ignore = "needs Redis; see LAB.md"]
async fn a_reply_slower_than_half_a_second_is_not_an_error() {
    // A pipeline of hundreds of thousands of SETs (`redis --ops` allows a million) takes
    // longer than the redis crate's default response timeout of 500 ms. BLPOP on an empty list
    // with a 1 s timeout is a reply that takes 1 s, every time, without loading the server.
    let mut redis = redis_part::connect(&redis_url()).await.unwrap();
    let key = format!("session10test:{}:empty", run_tag());
    let reply: Option<(String, String)> = ::redis::cmd("BLPOP")
        .arg(&key)
        .arg(1)
        .query_async(redis.connection())
        .await
        .unwrap();
    assert_eq!(reply, None);
}

#[tokio::test]
#[ignore = "needs Redis; see LAB.md"]
async fn redis_delete_prefix_removes_only_that_prefix() {
    let mut redis = redis_part::connect(&redis_url()).await.unwrap();
    let tag = run_tag();
    let (mine, other) = (
        format!("session10test:{tag}:a:"),
        format!("session10test:{tag}:b:"),
    );
    let conn = redis.connection();
    for i in 0..30 {
        ::redis::cmd("SET")
            .arg(format!("{mine}{i}"))
            .arg(i)
            .query_async::<()>(&mut *conn)
            .await
            .unwrap();
    }
    ::redis::cmd("SET")
        .arg(format!("{other}0"))
        .arg(0)
        .query_async::<()>(&mut *conn)
        .await
        .unwrap();
    assert_eq!(redis_part::delete_prefix(conn, &mine).await.unwrap(), 30);
    assert_eq!(redis_part::count_prefix(conn, &mine).await.unwrap(), 0);
    assert_eq!(redis_part::count_prefix(conn, &other).await.unwrap(), 1);
    assert_eq!(redis_part::delete_prefix(conn, &other).await.unwrap(), 1);
}

#[tokio::test]
#[ignore = "needs Redis; see LAB.md"]
async fn redis_wrong_credentials_are_a_clear_error() {
    let url = redis_url();
    let (_, rest) = url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let bad = format!("redis://no_such_user:wrong@{host}");
    let (code, _, stderr) = run(bin().args(["redis", "--ops", "5"]).env("REDIS_URL", &bad));
    assert_eq!(code, Some(1));
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not connect to Redis"), "{stderr}");
    // The password never reaches the terminal.
    assert!(!stderr.contains("wrong@"), "{stderr}");
}

#[test]
#[ignore = "needs Redis; see LAB.md"]
fn redis_json_has_the_three_fields() {
    assert_json_has_the_three_fields("redis", 200);
}

// ---------- a server that goes away mid-run ----------
// We cannot stop the shared servers, so we do what a restart does to one client: the server
// closes our connection (pg_terminate_backend / CLIENT KILL) half-way through the part.

#[tokio::test]
#[ignore = "needs PostgreSQL; see LAB.md"]
async fn postgres_connection_lost_mid_run_is_one_line_naming_the_table() {
    let mut client = postgres::connect(&database_url()).await.unwrap();
    let admin = postgres::connect(&database_url()).await.unwrap();
    let pid: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let table = postgres::table_name(&run_tag());
    let err = postgres::with_run_table(
        &mut client,
        &table,
        async |client: &mut tokio_postgres::Client, table: &str| {
            postgres::insert_books(client, table).await?;
            assert!(postgres::table_exists(&admin, table).await.unwrap());
            admin
                .execute("SELECT pg_terminate_backend($1)", &[&pid])
                .await?;
            postgres::pipeline(client, table, 50).await
        },
    )
    .await
    .unwrap_err();
    let message = format!("{err:#}");
    assert!(!message.contains('\n'), "{message}");
    assert!(
        message.contains(&table) && message.contains("TEMPORARY"),
        "{message}"
    );
    // The table could not be dropped by us, but it was TEMPORARY: the server dropped it when
    // the connection ended (shortly after; wait for it, bounded).
    let mut gone = false;
    for _ in 0..100 {
        if !postgres::table_exists(&admin, &table).await.unwrap() {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(gone, "{table} is still there");
}

#[tokio::test]
#[ignore = "needs Redis; see LAB.md"]
async fn redis_connection_lost_mid_run_is_an_error_not_a_hang() {
    let mut redis = redis_part::connect(&redis_url()).await.unwrap();
    let mut admin = redis_part::connect(&redis_url()).await.unwrap();
    let id: i64 = ::redis::cmd("CLIENT")
        .arg("ID")
        .query_async(redis.connection())
        .await
        .unwrap();
    let killed: i64 = ::redis::cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(id)
        .query_async(admin.connection())
        .await
        .unwrap();
    assert_eq!(killed, 1);
    let prefix = redis_part::prefix(&run_tag());
    let err = redis_part::run(&mut redis, &prefix, 20).await.unwrap_err();
    let message = format!("{err:#}");
    assert!(!message.contains('\n'), "{message}");
    assert!(message.contains("SET failed"), "{message}");
}

// ---------- slow servers ----------

/// A TCP port that accepts connections and then never says a word: a server that hangs.
fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// A TCP port where a server that is not Redis answers every connection with an HTTP error.
fn http_server() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    port
}

#[test]
fn a_server_that_is_not_redis_is_a_one_line_error() {
    let port = http_server();
    let (code, _, stderr) = run(bin()
        .args(["redis", "--ops", "5"])
        .env("REDIS_URL", format!("redis://127.0.0.1:{port}")));
    assert_eq!(code, Some(1));
    // The redis crate's parse error spans one line per unexpected byte; ours does not.
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not connect to Redis"), "{stderr}");
    assert!(
        stderr.contains("check the port and database in REDIS_URL"),
        "{stderr}"
    );
}

#[test]
fn a_server_that_never_answers_is_a_one_line_timeout() {
    let port = silent_server();
    let started = std::time::Instant::now();
    let pg = bin()
        .args(["postgres"])
        .env(
            "DATABASE_URL",
            format!("postgres://root@127.0.0.1:{port}/test"),
        )
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let redis = bin()
        .args(["redis"])
        .env("REDIS_URL", format!("redis://127.0.0.1:{port}"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for (child, what) in [(pg, "PostgreSQL"), (redis, "Redis")] {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!("could not connect to {what}")),
            "{stderr}"
        );
        // tokio-postgres hits our 5 s bound; the redis crate has its own, shorter one.
        assert!(stderr.contains("the server did not answer"), "{stderr}");
    }
    // Both ran at once, each bounded by the 5 s connect timeout, not hanging.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[tokio::test]
#[ignore = "needs Redis; see LAB.md"]
async fn a_part_past_its_time_limit_names_its_prefix_and_deletes_it() {
    // A million SETs one by one take far longer than one second.
    let child = bin()
        .args(["redis", "--ops", "1000000", "--timeout-secs", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("the part did not finish within 1s (--timeout-secs"),
        "{stderr}"
    );
    // The exact prefix of this run, the one printed when it started.
    let stdout = String::from_utf8(out.stdout).unwrap();
    let prefix = stdout
        .split_whitespace()
        .find(|word| word.starts_with(&format!("session10:{pid}_")))
        .unwrap_or_else(|| panic!("no prefix in {stdout:?}"))
        .trim_end_matches(';');
    assert!(
        stderr.contains("deleted the ") && stderr.contains(&format!("keys under {prefix}")),
        "{stderr}"
    );
    let mut redis = redis_part::connect(&redis_url()).await.unwrap();
    let left = redis_part::count_prefix(redis.connection(), &format!("session10:{pid}_"))
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
#[ignore = "needs PostgreSQL; see LAB.md"]
async fn postgres_past_its_time_limit_names_its_table_and_drops_it() {
    let out = bin()
        .args(["postgres", "--ops", "1000000", "--timeout-secs", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let table = word_starting(&stdout, "session10_books_");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("the part did not finish within 1s")
            && stderr.contains(&format!("dropped table {table}")),
        "{stderr}"
    );
    let admin = postgres::connect(&database_url()).await.unwrap();
    assert!(!postgres::table_exists(&admin, &table).await.unwrap());
}

/// The first word of `text` that starts with `start`, without trailing punctuation.
fn word_starting(text: &str, start: &str) -> String {
    text.split_whitespace()
        .find(|word| word.starts_with(start))
        .unwrap_or_else(|| panic!("no {start}... in {text:?}"))
        .trim_end_matches([';', ':', ','])
        .to_string()
}

// ---------- Ctrl-C and SIGTERM ----------

/// Starts `args` with stdout piped and returns the child and its first line of output.
#[cfg(unix)]
fn start_and_read_first_line(args: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = bin()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

#[cfg(unix)]
fn signal(child: &std::process::Child, signal: i32) {
    // SAFETY: kill(2) on our own child's pid; no memory is involved.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
}

#[cfg(unix)]
#[tokio::test]
#[ignore = "needs PostgreSQL; see LAB.md"]
async fn sigint_during_postgres_drops_the_table_and_says_so() {
    let (child, first) = start_and_read_first_line(&["postgres", "--ops", "1000000"]);
    let table = word_starting(&first, "session10_books_");
    // Wait (bounded) until the run has made its table and is busy, then interrupt it.
    let admin = postgres::connect(&database_url()).await.unwrap();
    let mut made = false;
    for _ in 0..200 {
        if postgres::table_exists(&admin, &table).await.unwrap() {
            made = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(made, "{table} never appeared");
    signal(&child, libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("interrupted by SIGINT: dropped table {table}")),
        "{stderr}"
    );
    assert!(!postgres::table_exists(&admin, &table).await.unwrap());
}

#[cfg(unix)]
#[tokio::test]
#[ignore = "needs Redis; see LAB.md"]
async fn sigint_during_redis_deletes_the_runs_keys_and_says_so() {
    let (child, first) = start_and_read_first_line(&["redis", "--ops", "1000000"]);
    let prefix = word_starting(&first, "session10:");
    let prefix = format!("{prefix}:"); // word_starting trimmed the prefix's last ':'
    let mut redis = redis_part::connect(&redis_url()).await.unwrap();
    let mut made = false;
    for _ in 0..200 {
        if redis_part::count_prefix(redis.connection(), &prefix)
            .await
            .unwrap()
            > 10
        {
            made = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(made, "no keys under {prefix}");
    signal(&child, libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("interrupted by SIGINT: deleted the ")
            && stderr.contains(&format!("keys under {prefix}")),
        "{stderr}"
    );
    assert_eq!(
        redis_part::count_prefix(redis.connection(), &prefix)
            .await
            .unwrap(),
        0
    );
}

// ---------- output that cannot be written ----------

/// `PART --json` into a pipe whose reader has gone: exit 0, nothing on stderr, no panic.
fn json_into_a_closed_pipe(part: &str) {
    let mut child = bin()
        .args(["--require-services", part, "--ops", "50", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // `| true`: the reader closes at once
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
#[ignore = "needs PostgreSQL; see LAB.md"]
fn postgres_json_into_a_closed_pipe_is_quiet() {
    json_into_a_closed_pipe("postgres");
}

#[test]
#[ignore = "needs Redis; see LAB.md"]
fn redis_json_into_a_closed_pipe_is_quiet() {
    json_into_a_closed_pipe("redis");
}

/// `PART ... > /dev/full`: one line and exit 1.
#[cfg(unix)]
fn into_a_full_disk(args: &[&str]) {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = bin().args(args).stdout(full).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("could not write to stdout"), "{stderr}");
}

#[cfg(unix)]
#[test]
#[ignore = "needs PostgreSQL; see LAB.md"]
fn postgres_into_a_full_disk_is_one_line() {
    into_a_full_disk(&["postgres", "--ops", "20"]);
    into_a_full_disk(&["postgres", "--ops", "20", "--json"]);
}

#[cfg(unix)]
#[test]
#[ignore = "needs Redis; see LAB.md"]
fn redis_into_a_full_disk_is_one_line() {
    into_a_full_disk(&["redis", "--ops", "20"]);
    into_a_full_disk(&["redis", "--ops", "20", "--json"]);
}

// ---------- passwords and hints (no server needed) ----------

#[test]
fn no_password_reaches_the_output() {
    let port = closed_port();
    let cases = [
        (
            "DATABASE_URL",
            format!("host=127.0.0.1 port={port} password = SECRETX user=root"),
            "postgres",
        ),
        (
            "DATABASE_URL",
            "host=127.0.0.1 PASSWORD=SECRETX".to_string(),
            "postgres",
        ),
        (
            "DATABASE_URL",
            format!("postgres://root:SECRETX@127.0.0.1:{port}/test"),
            "postgres",
        ),
        (
            "REDIS_URL",
            "unix:///no/such.sock?pass=SECRETX".to_string(),
            "redis",
        ),
        (
            "REDIS_URL",
            format!("redis://:SECRETX@127.0.0.1:{port}"),
            "redis",
        ),
    ];
    for (variable, url, part) in cases {
        // The part alone (error line) and the full run (its `skipped:` line).
        let (code, stdout, stderr) = run(bin().arg(part).env(variable, &url));
        assert_eq!(code, Some(1), "{url}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            !stdout.contains("SECRETX") && !stderr.contains("SECRETX"),
            "{stderr}"
        );
        assert!(stderr.contains("***"), "{stderr}");
        let other = if variable == "DATABASE_URL" {
            "REDIS_URL"
        } else {
            "DATABASE_URL"
        };
        let (_, stdout, stderr) = run(bin()
            .env(variable, &url)
            .env(other, format!("redis://127.0.0.1:{port}")));
        assert!(stdout.contains("skipped:"), "{stdout}");
        assert!(
            !stdout.contains("SECRETX") && !stderr.contains("SECRETX"),
            "{stdout}"
        );
    }
}

#[test]
fn the_start_hint_comes_only_with_a_refused_connection() {
    let refused = format!("postgres://root@127.0.0.1:{}/test", closed_port());
    let (_, _, stderr) = run(bin().arg("postgres").env("DATABASE_URL", &refused));
    assert!(stderr.contains("pg_ctlcluster"), "{stderr}");
    let http = format!("postgres://root@127.0.0.1:{}/test", http_server());
    for url in [String::new(), format!("{http}?sslmode=require"), http] {
        let (code, _, stderr) = run(bin().arg("postgres").env("DATABASE_URL", &url));
        assert_eq!(code, Some(1), "{url:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(!stderr.contains("pg_ctlcluster"), "{url:?}: {stderr}");
    }
    let (_, _, stderr) = run(bin()
        .arg("redis")
        .env("REDIS_URL", format!("redis://127.0.0.1:{}", closed_port())));
    assert!(stderr.contains("redis-server"), "{stderr}");
    for url in [
        "unix:///no/such.sock".to_string(),
        format!("redis://127.0.0.1:{}", http_server()),
    ] {
        let (_, _, stderr) = run(bin().arg("redis").env("REDIS_URL", &url));
        assert!(!stderr.contains("redis-server"), "{url:?}: {stderr}");
    }
}
