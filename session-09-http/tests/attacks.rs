//! What a hostile site or a hostile environment does to the scraper, and what must hold:
//! an endless body costs bounded memory and time, a body cut short is an error for both clients,
//! control characters from a page never reach the output, a password in the base URL is never
//! printed, a dead site is a few lines and a summary, and a full disk is one line and exit 1.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use session_09_http::{
    ClientKind, FetchError, HttpClient, Mode, Outcome, Page, Run, Settings, clean_text,
    extract_title, redact, scrape_data,
};

/// A site on 127.0.0.1 that answers every request with `answer(stream)`, one thread per
/// connection. Returns the base URL (`http://127.0.0.1:PORT/c`).
fn raw_site(answer: fn(&mut TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/c", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                // Read the request head, so that closing does not reset the connection.
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    line.clear();
                }
                answer(&mut stream);
            });
        }
    });
    base
}

fn settings() -> Settings {
    Settings {
        retries: 0,
        timeout: Duration::from_secs(60),
        max_body: 1024 * 1024,
        ..Settings::default()
    }
}

/// Scrapes `ids` from `base` with `kind`, on that client's own runtime.
fn scrape(kind: ClientKind, base: &str, ids: std::ops::RangeInclusive<u32>) -> Run {
    let settings = settings();
    let scrape = async {
        let client = HttpClient::new(kind, &settings, base).unwrap();
        scrape_data(&client, base, ids, Mode::Sequential, &settings, |_| {}).await
    };
    match kind {
        ClientKind::Reqwest => tokio::runtime::Runtime::new().unwrap().block_on(scrape),
        ClientKind::Surf => async_std::task::block_on(scrape),
    }
}

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_session-09-http"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn an_endless_body_stops_at_the_cap_in_bounded_time_and_memory() {
    // The server writes 64 KiB blocks until the client stops reading (or 256 MiB have gone),
    // then reports how many bytes it got out: the client cannot have held more than that.
    static SENT: std::sync::Mutex<Option<mpsc::Sender<usize>>> = std::sync::Mutex::new(None);
    for kind in [ClientKind::Reqwest, ClientKind::Surf] {
        let (tx, rx) = mpsc::channel();
        *SENT.lock().unwrap() = Some(tx);
        let base = raw_site(|stream| {
            // Chunked, the way an endless stream is sent: 64 KiB chunks that never end.
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            let mut block = b"10000\r\n".to_vec();
            block.extend_from_slice(&[b'a'; 0x10000]);
            block.extend_from_slice(b"\r\n");
            let mut sent = 0;
            while sent < 256 << 20 && stream.write_all(&block).is_ok() {
                sent += block.len();
            }
            let _ = SENT.lock().unwrap().as_ref().unwrap().send(sent);
        });
        let started = Instant::now();
        let run = scrape(kind, &base, 6100..=6100);
        let took = started.elapsed();
        assert_eq!(
            run.pages[0].outcome,
            Outcome::Failed(FetchError::TooBig(1024 * 1024)),
            "{kind}"
        );
        assert_eq!(
            run.pages[0].error_line().unwrap(),
            "page 6100: page is larger than 1024 KiB; stopped reading there (see --max-body-kib)"
        );
        // Far below the 60 s timeout: reading stopped at 1 MiB.
        assert!(took < Duration::from_secs(20), "{kind}: {took:?}");
        // The cap plus what the kernel's socket buffers took in, nowhere near 256 MiB.
        let sent = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        assert!(sent < 48 << 20, "{kind}: the server got {sent} bytes out");
    }
}

#[test]
fn a_body_shorter_than_its_content_length_is_an_error_for_both_clients() {
    let base = raw_site(|stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n\
              <html><body><div class=\"right-side\"><h1>Half a page</h1></div>",
        );
        // Close without sending the rest.
    });
    for kind in [ClientKind::Reqwest, ClientKind::Surf] {
        let run = scrape(kind, &base, 6100..=6100);
        assert_eq!(run.errors(), 1, "{kind}: {run:?}");
        if kind == ClientKind::Surf {
            assert_eq!(
                run.pages[0].error_line().unwrap(),
                "page 6100: the connection closed after 62 of the 100000 bytes the server announced"
            );
        }
    }
}

/// A title full of terminal escapes: clear screen, set the window title, a C1 CSI, a bidi
/// override, a bell.
fn hostile_title(stream: &mut TcpStream) {
    let page = "<html><body><div class=\"right-side\"><h1>\u{1b}[2J\u{1b}]0;owned\u{7}Clean\
                \u{202e}title\u{9b}31m</h1></div></body></html>";
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
}

fn assert_no_control_characters(output: &str) {
    let bad: Vec<char> = output
        .chars()
        .filter(|&c| c != '\n' && clean_text(&c.to_string()).is_empty())
        .collect();
    assert!(bad.is_empty(), "control characters {bad:?} in {output:?}");
}

#[test]
fn control_characters_in_a_title_never_reach_the_output() {
    let title = "[2J]0;ownedCleantitle31m";
    for kind in [ClientKind::Reqwest, ClientKind::Surf] {
        let run = scrape(kind, &raw_site(hostile_title), 6100..=6100);
        assert_eq!(run.pages[0].outcome, Outcome::Title(title.into()), "{kind}");
    }
    let base = raw_site(hostile_title);
    for client in ["reqwest", "surf"] {
        let args = ["--client", client, "--base-url", &base, "--ids", "6100"];
        let human = bin(&args);
        assert_eq!(human.status.code(), Some(0), "{}", text(&human.stderr));
        let stdout = text(&human.stdout);
        assert!(stdout.contains(&format!("  6100  {title}\n")), "{stdout}");
        assert_no_control_characters(&stdout);
        // JSON escapes a control character as \u001b, which a reader decodes back: check the
        // decoded title, not only the bytes.
        let json = bin(&[&args[..], &["--json"]].concat());
        assert_no_control_characters(&text(&json.stdout));
        let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(value["titles"]["6100"], title);
    }
}

#[test]
fn control_characters_in_an_error_never_reach_the_error_line() {
    let page = Page {
        id: 6100,
        outcome: Outcome::Failed(FetchError::Other("bad \u{1b}[2Jheader\u{7}".into())),
        attempts: 1,
    };
    assert_eq!(page.error_line().unwrap(), "page 6100: bad [2Jheader");
    assert_eq!(
        extract_title("<div class=\"right-side\"><h1>\u{1b}\u{7}</h1></div>"),
        None
    );
}

#[test]
fn redact_masks_every_user_password_form() {
    for (input, masked) in [
        (
            "http://user:secret@127.0.0.1:8/c",
            "http://user:***@127.0.0.1:8/c",
        ),
        (
            "from 'https://u:p@ss@host/c/6100' (os error)",
            "from 'https://u:***@host/c/6100' (os error)",
        ),
        ("user:secret@host/c", "user:***@host/c"),
        ("redis://:secret@host", "redis://:***@host"),
        (
            "http://user@host/c mail me@example.com",
            "http://user@host/c mail me@example.com",
        ),
    ] {
        assert_eq!(redact(input), masked);
    }
}

#[test]
fn a_password_in_the_base_url_is_never_printed() {
    // Port 1: never handed out as a free port (those are 32768 and up), so nothing listens
    // there, and no other test's server can take it in the meantime.
    let closed = 1;
    let live = raw_site(hostile_title).replace("http://", "http://user:secret@");
    for args in [
        // A page answers: the "Scraping" line shows the URL.
        vec!["--base-url", &live, "--ids", "6100"],
        vec!["--base-url", &live, "--ids", "6100", "--client", "surf"],
        // Nothing answers: error lines and the summary show it.
        vec![
            "--base-url",
            &format!("http://user:secret@127.0.0.1:{closed}/c"),
        ],
        vec![
            "--base-url",
            "https://user:secret@127.0.0.1:9/c",
            "--client",
            "surf",
        ],
        // Bad values: clap echoes them.
        vec!["--base-url", "ftp://user:secret@example.com/c"],
        vec!["--base-url", "user:secret@example.com/c"],
    ]
    .iter()
    .map(|args| args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    {
        let output = bin(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let all = text(&output.stdout) + &text(&output.stderr);
        assert!(!all.contains("secret"), "{args:?}: {all}");
        assert!(all.contains("user:***@"), "{args:?}: {all}");
    }
}

#[test]
fn a_dead_site_is_three_example_lines_and_one_summary() {
    // Port 1: never handed out as a free port (those are 32768 and up), so nothing listens
    // there, and no other test's server can take it in the meantime.
    let port = 1;
    let base = format!("http://127.0.0.1:{port}/c");
    for client in ["reqwest", "surf"] {
        // Both modes (the default): after three pages that could not connect the run stops, and
        // the concurrent run is not tried.
        let output = bin(&["--client", client, "--base-url", &base]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = text(&output.stderr);
        let lines: Vec<_> = stderr.lines().collect();
        assert_eq!(lines.len(), 4, "{client}: {stderr}");
        assert_eq!(lines[2], "page 6102: could not connect: connection refused");
        assert_eq!(
            lines[3],
            format!(
                "error: could not reach {base}: the first 3 of 41 pages failed \
                 (3 x could not connect: connection refused), so the run stopped there: \
                 is the site up and the URL right?"
            )
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_line_and_exit_1_in_every_mode() {
    for args in [
        &["--ids", "6100..=6102", "--latency-ms", "1"][..],
        &["--ids", "6100..=6102", "--latency-ms", "1", "--json"][..],
        &["serve", "--port", "0"][..],
        &["--help"][..],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_session-09-http"))
            .args(args)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(
            stderr,
            "error: could not write to standard output: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}
