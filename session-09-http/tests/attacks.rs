//! What a hostile site or a hostile environment does to the scraper, and what must hold:
//! an endless body costs bounded memory and time, a body cut short or without a length is an
//! error or a title (never "no course"), control characters from a page never reach the output,
//! no part of the base URL but its host and port is ever printed, a page of 200,000 nested
//! `<div>`s is read within the timeout, a site that never answers is given up on, and a full
//! disk is one line and exit 1.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::Url;
use session_09_http::{
    ClientKind, FetchError, HttpClient, Mode, Outcome, Page, Run, Settings, clean_text,
    extract_title, scrape_data,
};

/// A site on 127.0.0.1 that reads each request's head and answers it with `answer(stream)`,
/// one thread per connection. Returns the base URL (`http://127.0.0.1:PORT/c`).
fn raw_site(answer: fn(&mut TcpStream)) -> Url {
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
    base.parse().unwrap()
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
fn scrape(kind: ClientKind, base: &Url, ids: std::ops::RangeInclusive<u32>) -> Run {
    let settings = settings();
    let scrape = async {
        let client = HttpClient::new(kind, &settings).unwrap();
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
        assert_eq!(run.tally().2, 1, "{kind}: {run:?}");
        if kind == ClientKind::Surf {
            assert_eq!(
                run.pages[0].error_line().unwrap(),
                "page 6100: the connection closed after 62 of the 100000 bytes the server announced"
            );
        }
    }
}

/// A page whose end is the connection's close: HTTP/1.1, no Content-Length, not chunked.
fn close_delimited(stream: &mut TcpStream) {
    let _ = stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n\
          <html><body><div class=\"right-side\"><h1>Closed at the end</h1></div></body></html>",
    );
}

/// The same, endless: the body never ends (until the client goes away).
fn endless_close_delimited(stream: &mut TcpStream) {
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<div class=\"right-side\"><h1>Endless</h1></div>");
    while stream.write_all(&[b' '; 0x10000]).is_ok() {}
}

#[test]
fn a_body_without_a_length_gives_the_title_or_an_error_never_no_course() {
    // surf's HTTP/1 client reads such a body as empty: "There is no course" with exit 0,
    // where reqwest reads the title.
    let base = raw_site(close_delimited);
    let run = scrape(ClientKind::Reqwest, &base, 6100..=6100);
    assert_eq!(
        run.pages[0].outcome,
        Outcome::Title("Closed at the end".into())
    );
    let run = scrape(ClientKind::Surf, &base, 6100..=6100);
    assert_eq!(
        run.pages[0].outcome,
        Outcome::Failed(FetchError::CloseDelimited)
    );
    let endless = raw_site(endless_close_delimited);
    let run = scrape(ClientKind::Reqwest, &endless, 6100..=6100);
    assert_eq!(
        run.pages[0].outcome,
        Outcome::Failed(FetchError::TooBig(1024 * 1024))
    );
    let run = scrape(ClientKind::Surf, &endless, 6100..=6100);
    assert_eq!(
        run.pages[0].outcome,
        Outcome::Failed(FetchError::CloseDelimited)
    );
    // The binary says so and exits 1: no page could be fetched.
    let output = bin(&[
        "--client",
        "surf",
        "--base-url",
        base.as_str(),
        "--pages",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("page 6100: the answer has no length"),
        "{stderr}"
    );
    assert!(!text(&output.stdout).contains("There is no course"));
}

#[test]
fn a_connection_reset_in_the_middle_of_the_body_is_reported_as_such() {
    // The server never reads the request, so closing the socket with it unread sends a reset
    // (RST) instead of an orderly close: after the head and half the body.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base: Url = format!("http://{}/c", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::sleep(Duration::from_millis(100)); // the request arrives, unread
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>",
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    for kind in [ClientKind::Reqwest, ClientKind::Surf] {
        let run = scrape(kind, &base, 6100..=6100);
        let line = run.pages[0].error_line().unwrap();
        assert!(
            line.starts_with("page 6100: the connection broke during the answer: "),
            "{kind}: {line}"
        );
    }
}

/// A title full of terminal escapes and bidi controls: clear screen, set the window title, a
/// C1 CSI, a bidi override, a bell, marks, isolates, a zero-width space and a BOM.
fn hostile_title(stream: &mut TcpStream) {
    let page = "<html><body><div class=\"right-side\"><h1>\u{1b}[2J\u{1b}]0;owned\u{7}Clean\
                \u{202e}title\u{9b}31m\u{200e}\u{200f}\u{61c}\u{2066}\u{2069}\u{200b}\u{feff}!</h1>\
                </div></body></html>";
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
fn clean_text_drops_controls_and_bidi_marks_but_keeps_the_persian_non_joiner() {
    for c in [
        '\u{1b}', '\u{7}', '\u{9b}', '\u{200b}', '\u{200e}', '\u{200f}', '\u{61c}', '\u{feff}',
        '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}',
    ] {
        assert_eq!(clean_text(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
    }
    assert_eq!(clean_text("برنامه\u{200c}نویسی"), "برنامه\u{200c}نویسی");
}

#[test]
fn control_characters_in_a_title_never_reach_the_output() {
    let title = "[2J]0;ownedCleantitle31m!";
    for kind in [ClientKind::Reqwest, ClientKind::Surf] {
        let run = scrape(kind, &raw_site(hostile_title), 6100..=6100);
        assert_eq!(run.pages[0].outcome, Outcome::Title(title.into()), "{kind}");
    }
    let base = raw_site(hostile_title);
    for client in ["reqwest", "surf"] {
        let args = [
            "--client",
            client,
            "--base-url",
            base.as_str(),
            "--pages",
            "1",
        ];
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
        title("<div class=\"right-side\"><h1>\u{1b}\u{7}</h1></div>"),
        None
    );
}

#[test]
fn no_part_of_the_base_url_but_host_and_port_is_ever_printed() {
    // Port 1: never handed out as a free port (those are 32768 and up), so nothing listens.
    let live = raw_site(hostile_title);
    let live_port = live.port().unwrap();
    let mut forms: Vec<String> = [
        ";", " ", "\t", "(", ",", "'", "\"", "<", "`", "/", "#", "?", "%20", "", "\n",
    ]
    .iter()
    .map(|c| format!("http://u:pa{c}SECRET@127.0.0.1:1/c"))
    .collect();
    forms.extend(
        [
            "http://SECRET@127.0.0.1:1/c",
            "http://SECRET:@127.0.0.1:1/c",
            "http://:SECRET@127.0.0.1:1/c",
            "http://127.0.0.1:1/c?password=SECRET",
            "http://127.0.0.1:1/c?token=SECRET",
            "http://127.0.0.1:1/SECRET/c",
            "http://127.0.0.1:1/c#SECRET",
            "https://u:SECRET@127.0.0.1:1/c",
            "ftp://u:SECRET@127.0.0.1:1/c",
            "u:SECRET@127.0.0.1:1/c",
            "SECRET",
            "http://u:SECRET@[::1/c",
            "http://u:SECRET@127.0.0.1:99999/c",
            "http://u:SECRET@/c",
        ]
        .map(String::from),
    );
    forms.push(format!("http://127.0.0.1:{live_port}/c?token=SECRET"));
    forms.push(format!("http://127.0.0.1:{live_port}/SECRET/c"));
    for form in &forms {
        for extra in [
            &[][..],
            &["--json"][..],
            &["--client", "surf"][..],
            &["--latency-ms", "5"][..],
        ] {
            let output = bin(&[&["--base-url", form.as_str(), "--pages", "4"][..], extra].concat());
            let all = text(&output.stdout) + &text(&output.stderr);
            // "ECRET" also catches a percent-encoded S.
            assert!(!all.contains("ECRET"), "{form:?} {extra:?}: {all}");
            assert!(
                output.status.code().is_some_and(|code| code > 0)
                    || form.contains(&live_port.to_string()),
                "{form:?}: {all}"
            );
        }
    }
    // What is printed: host and port.
    let output = bin(&[
        "--base-url",
        &format!("http://127.0.0.1:{live_port}/c?token=SECRET"),
        "--pages",
        "1",
    ]);
    assert!(
        text(&output.stdout).starts_with(&format!("Scraping the site at 127.0.0.1:{live_port}\n"))
    );
}

#[test]
fn a_dead_site_is_three_lines_and_one_summary() {
    let base = "http://127.0.0.1:1/c";
    for client in ["reqwest", "surf"] {
        // Both modes (the default): after three pages that could not connect the run stops, and
        // the concurrent run is not tried.
        let output = bin(&["--client", client, "--base-url", base]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = text(&output.stderr);
        let lines: Vec<_> = stderr.lines().collect();
        assert_eq!(lines.len(), 4, "{client}: {stderr}");
        assert_eq!(
            lines[2],
            "page 6102: could not connect: Connection refused (os error 111)"
        );
        assert_eq!(
            lines[3],
            "error: gave up on 127.0.0.1:1: 3 pages in a row could not reach it, so the run \
             stopped after 3 of 41 pages (the last: page 6102: could not connect: Connection \
             refused (os error 111)): is the site up and the URL right?"
        );
    }
}

#[test]
fn a_site_that_accepts_and_never_answers_is_given_up_on_after_three_timeouts() {
    // Connections are accepted and held, and no request is ever read or answered.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    let base = format!("http://127.0.0.1:{port}/c");
    for client in ["reqwest", "surf"] {
        let started = Instant::now();
        let output = bin(&[
            "--client",
            client,
            "--base-url",
            &base,
            "--timeout-ms",
            "200",
        ]);
        let took = started.elapsed();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        let lines: Vec<_> = stderr.lines().collect();
        assert_eq!(lines.len(), 4, "{client}: {stderr}");
        assert_eq!(lines[0], "page 6100: timed out after 200 ms (3 attempts)");
        assert!(
            lines[3].starts_with(&format!(
                "error: gave up on 127.0.0.1:{port}: 3 pages in a row could not reach it, so the \
                 run stopped after 3 of 41 pages (the last: page 6102: timed out after 200 ms"
            )),
            "{stderr}"
        );
        // 3 pages x 3 attempts x 200 ms, plus backoffs of 100 and 200 ms: 2.7 s, not the
        // 41 x 0.8 s = 33 s of every page, twice.
        assert!(took < Duration::from_secs(10), "{client}: {took:?}");
    }
}

#[test]
fn a_page_of_200000_nested_divs_is_read_within_the_timeout() {
    fn deep(stream: &mut TcpStream) {
        let n = 200_000;
        let page = format!(
            "<div class=\"right-side\"><h1>Deep{}title{}</h1></div>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
            page.len()
        );
    }
    let base = raw_site(deep);
    let started = Instant::now();
    let output = bin(&[
        "--base-url",
        base.as_str(),
        "--pages",
        "1",
        "--timeout-ms",
        "1000",
        "--retries",
        "0",
        "--mode",
        "concurrent",
    ]);
    let took = started.elapsed();
    // A release build reads the title; a debug build may run out of time reading: either way,
    // within the 1 s timeout (and the program's start), not the minutes of a tree builder.
    let all = text(&output.stdout) + &text(&output.stderr);
    assert!(
        all.contains("  6100  Deeptitle\n")
            || all.contains("page 6100: the page took longer than 1000 ms to fetch and read"),
        "{all}"
    );
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[test]
fn page_buffers_over_1_gib_are_refused_before_any_work() {
    let output = bin(&["--max-body-kib", "65536", "--concurrency", "1000"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(
            "error: --max-body-kib 65536 x --concurrency 1000 is 65536000 KiB of page buffers; \
             the product must be at most 1048576 KiB (1 GiB)"
        ),
        "{stderr}"
    );
    // At the bound, it runs.
    let output = bin(&[
        "--max-body-kib",
        "4096",
        "--concurrency",
        "256",
        "--pages",
        "1",
        "--latency-ms",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_line_and_exit_1_in_every_mode() {
    for args in [
        &["--pages", "3", "--latency-ms", "1"][..],
        &["--pages", "3", "--latency-ms", "1", "--json"][..],
        &["serve", "--port", "0"][..],
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

/// The title of `html`, read with no deadline.
fn title(html: &str) -> Option<String> {
    extract_title(html, None).unwrap()
}
