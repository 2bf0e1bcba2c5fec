//! The library against the in-process demo site: titles, missing courses, timing, and each kind
//! of failure. Latencies here are a few milliseconds, except where the timing itself is tested.

use std::time::Duration;

use session_09_http::site::{DemoSite, Fault, SiteConfig};
use session_09_http::{
    ClientKind, FetchError, HttpClient, Mode, Outcome, Run, Settings, extract_title, scrape_data,
};

/// The demo site's titles as a reader should see them: entities decoded, Persian intact.
/// Written out by hand, independently of the site's HTML, so a parser that leaves `&amp;` in
/// place or mangles the zero-width non-joiner fails here.
const DECODED: [&str; 8] = [
    "آموزش پایتون",
    "Python & Django",
    "برنامه\u{200c}نویسی ناهمزمان",
    "FastAPI \u{2013} a REST API",
    "Templates: from <div> to components",
    "Café & co",
    "\"Clean code\"",
    "آموزش داکر",
];

/// The title of page `id`, or `None` for every eighth id and for 6119 ("coming soon").
fn expected(id: u32) -> Option<String> {
    (!id.is_multiple_of(8) && id != 6119).then(|| format!("{} {id}", DECODED[id as usize % 8]))
}

fn fast_settings() -> Settings {
    Settings {
        concurrency: 10,
        retries: 2,
        timeout: Duration::from_secs(5),
        ..Settings::default()
    }
}

fn assert_every_title(run: &Run) {
    assert_eq!(run.pages.len(), 41);
    for (page, id) in run.pages.iter().zip(6100..=6140) {
        assert_eq!(page.id, id, "pages must come back in id order");
        let want = match expected(id) {
            Some(title) => Outcome::Title(title),
            None => Outcome::Missing,
        };
        assert_eq!(page.outcome, want, "page {id}");
    }
    assert_eq!(run.tally(), (35, 6, 0));
}

async fn scrape(
    site: &DemoSite,
    kind: ClientKind,
    ids: std::ops::RangeInclusive<u32>,
    mode: Mode,
    settings: &Settings,
) -> Run {
    let client = HttpClient::new(kind, settings).unwrap();
    scrape_data(&client, &site.base_url(), ids, mode, settings, |_| {}).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reqwest_gets_every_title_exactly_in_both_modes() {
    let site = DemoSite::start(SiteConfig::fixed(Duration::from_millis(2)), 0)
        .await
        .unwrap();
    for mode in [Mode::Sequential, Mode::Concurrent] {
        let run = scrape(
            &site,
            ClientKind::Reqwest,
            6100..=6140,
            mode,
            &fast_settings(),
        )
        .await;
        assert_eq!(run.mode, mode);
        assert_every_title(&run);
    }
}

#[test]
fn surf_on_async_std_gets_every_title_exactly_in_both_modes() {
    // The site runs on tokio's worker threads; surf runs on async-std's executor on this thread.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let site = runtime
        .block_on(DemoSite::start(
            SiteConfig::fixed(Duration::from_millis(2)),
            0,
        ))
        .unwrap();
    for mode in [Mode::Sequential, Mode::Concurrent] {
        let run = async_std::task::block_on(scrape(
            &site,
            ClientKind::Surf,
            6100..=6140,
            mode,
            &fast_settings(),
        ));
        assert_every_title(&run);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_total_is_below_a_fifth_of_sequential_at_the_same_latency() {
    let latency = Duration::from_millis(50);
    let site = DemoSite::start(SiteConfig::fixed(latency), 0)
        .await
        .unwrap();
    let settings = fast_settings(); // concurrency 10
    let sequential = scrape(
        &site,
        ClientKind::Reqwest,
        6100..=6140,
        Mode::Sequential,
        &settings,
    )
    .await;
    let concurrent = scrape(
        &site,
        ClientKind::Reqwest,
        6100..=6140,
        Mode::Concurrent,
        &settings,
    )
    .await;
    // One after another cannot beat the sum of the latencies.
    assert!(
        sequential.total >= latency * 41,
        "sequential {:?}",
        sequential.total
    );
    // Ten at a time needs at least ceil(41/10) = 5 rounds of one latency...
    assert!(
        concurrent.total >= latency * 5,
        "concurrent {:?}",
        concurrent.total
    );
    // ...and overlapping the waits must pay off: well under a fifth of the sequential total.
    assert!(
        concurrent.total * 5 < sequential.total,
        "concurrent {:?} vs sequential {:?}",
        concurrent.total,
        sequential.total
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_never_answers_ends_as_a_timeout_line_and_the_run_completes() {
    let site = DemoSite::start(
        SiteConfig::fixed(Duration::from_millis(1)).with_fault(6102, Fault::Hang),
        0,
    )
    .await
    .unwrap();
    let settings = Settings {
        timeout: Duration::from_millis(200),
        retries: 1,
        ..fast_settings()
    };
    let run = scrape(
        &site,
        ClientKind::Reqwest,
        6100..=6104,
        Mode::Concurrent,
        &settings,
    )
    .await;
    let hung = &run.pages[2];
    assert_eq!(
        hung.outcome,
        Outcome::Failed(FetchError::Timeout(Duration::from_millis(200)))
    );
    assert_eq!(hung.attempts, 2);
    assert_eq!(
        hung.error_line().unwrap(),
        "page 6102: timed out after 200 ms (2 attempts)"
    );
    assert_eq!(site.hits(6102), 2, "the timed-out page is asked once more");
    assert_eq!(run.tally(), (3, 1, 1));
    // Two timeouts plus one backoff, not forever.
    assert!(run.total >= Duration::from_millis(400), "{:?}", run.total);
    assert!(run.total < Duration::from_secs(3), "{:?}", run.total);
}

#[test]
fn surf_times_out_a_page_that_never_answers_and_the_next_pages_still_load() {
    // Sequential on purpose: the pages after the hung one must not wait behind it (with surf's
    // keep-alive pool they did, which is why the surf client turns keep-alive off).
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = SiteConfig::fixed(Duration::from_millis(1)).with_fault(6101, Fault::Hang);
    let site = runtime.block_on(DemoSite::start(config, 0)).unwrap();
    // Long enough that the healthy pages never time out on a busy machine; only 6101 does.
    let settings = Settings {
        timeout: Duration::from_millis(1000),
        retries: 0,
        ..fast_settings()
    };
    let run = async_std::task::block_on(scrape(
        &site,
        ClientKind::Surf,
        6100..=6103,
        Mode::Sequential,
        &settings,
    ));
    assert_eq!(
        run.pages[1].outcome,
        Outcome::Failed(FetchError::Timeout(Duration::from_millis(1000)))
    );
    assert_eq!(
        run.pages[1].error_line().unwrap(),
        "page 6101: timed out after 1000 ms"
    );
    assert_eq!(
        run.pages[2].outcome,
        Outcome::Title(expected(6102).unwrap())
    );
    assert_eq!(
        run.pages[3].outcome,
        Outcome::Title(expected(6103).unwrap())
    );
}

/// A demo site answering in 1 ms, where page `id` fails `times` times with `status` first.
async fn site_where_one_page_fails(id: u32, times: u32, status: u16) -> DemoSite {
    let fault = Fault::FailFirst { times, status };
    let config = SiteConfig::fixed(Duration::from_millis(1)).with_fault(id, fault);
    DemoSite::start(config, 0).await.unwrap()
}

/// Scrapes `ids` one page after another with reqwest.
async fn in_order(site: &DemoSite, ids: std::ops::RangeInclusive<u32>, settings: &Settings) -> Run {
    scrape(site, ClientKind::Reqwest, ids, Mode::Sequential, settings).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_answers_500_then_200_is_retried_and_succeeds() {
    let site = site_where_one_page_fails(6101, 1, 500).await;
    let run = in_order(&site, 6100..=6102, &fast_settings()).await;
    assert_eq!(
        run.pages[1].outcome,
        Outcome::Title(expected(6101).unwrap())
    );
    assert_eq!(run.pages[1].attempts, 2);
    assert_eq!(site.hits(6101), 2);
    assert_eq!(run.tally().2, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_retries_the_500_is_an_error_line() {
    let site = site_where_one_page_fails(6101, 1, 500).await;
    let settings = Settings {
        retries: 0,
        ..fast_settings()
    };
    let run = in_order(&site, 6101..=6101, &settings).await;
    assert_eq!(
        run.pages[0].error_line().unwrap(),
        "page 6101: HTTP 500 Internal Server Error"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_keeps_failing_gives_up_after_the_retries() {
    let site = site_where_one_page_fails(6101, 100, 503).await;
    let run = in_order(&site, 6101..=6101, &fast_settings()).await;
    assert_eq!(
        run.pages[0].error_line().unwrap(),
        "page 6101: HTTP 503 Service Unavailable (3 attempts)"
    );
    assert_eq!(site.hits(6101), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_and_non_utf8_pages_are_error_lines_and_not_retried() {
    let config = SiteConfig::fixed(Duration::from_millis(1))
        .with_fault(
            6100,
            Fault::FailFirst {
                times: u32::MAX,
                status: 403,
            },
        )
        .with_fault(6102, Fault::NotUtf8);
    let site = DemoSite::start(config, 0).await.unwrap();
    for kind in [ClientKind::Reqwest, ClientKind::Surf] {
        let run = scrape(&site, kind, 6100..=6103, Mode::Concurrent, &fast_settings()).await;
        let lines: Vec<_> = run
            .pages
            .iter()
            .filter_map(|page| page.error_line())
            .collect();
        assert_eq!(
            lines,
            [
                "page 6100: HTTP 403 Forbidden",
                "page 6102: page is not UTF-8 (invalid byte at offset 40)",
            ],
            "{kind}"
        );
        assert_eq!(
            run.pages[3].outcome,
            Outcome::Title(expected(6103).unwrap())
        );
    }
    // One request each per client: none of these is worth asking again.
    assert_eq!(
        (site.hits(6100), site.hits(6101), site.hits(6102)),
        (2, 2, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_is_a_connection_error_without_retries() {
    // Port 1: never handed out as a free port (those are 32768 and up), so nothing listens
    // there, and no other test's server can take it in the meantime.
    let port = 1;
    let base = format!("http://127.0.0.1:{port}/c").parse().unwrap();
    let settings = fast_settings();
    let client = HttpClient::new(ClientKind::Reqwest, &settings).unwrap();
    let run = scrape_data(
        &client,
        &base,
        6100..=6101,
        Mode::Concurrent,
        &settings,
        |_| {},
    )
    .await;
    assert_eq!(run.tally().2, 2);
    assert_eq!(
        run.pages[0].error_line().unwrap(),
        "page 6100: could not connect: Connection refused (os error 111)"
    );
    // Asking a closed port again cannot help: one attempt each, though retries is 2.
    assert!(run.pages.iter().all(|page| page.attempts == 1), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_page_sees_every_page_in_id_order_even_when_later_pages_answer_first() {
    // Seeded latencies differ per page, so answers arrive out of order; the callback must not.
    let site = DemoSite::start(SiteConfig::new(None), 0).await.unwrap();
    let settings = Settings {
        concurrency: 41,
        ..fast_settings()
    };
    let client = HttpClient::new(ClientKind::Reqwest, &settings).unwrap();
    let mut seen = Vec::new();
    let run = scrape_data(
        &client,
        &site.base_url(),
        6100..=6110,
        Mode::Concurrent,
        &settings,
        |page| seen.push(page.id),
    )
    .await;
    assert_eq!(seen, (6100..=6110).collect::<Vec<_>>());
    assert_eq!(run.pages.len(), 11);
}

#[test]
fn extract_title_uses_the_course_selector_and_ignores_other_headings() {
    let page = "<html><body><header><h1>Site name</h1></header>\
                <div class=\"right-side\"><h1>\n  Rust &amp; <b>async</b>\n</h1></div></body></html>";
    assert_eq!(title(page).as_deref(), Some("Rust & async"));
    assert_eq!(
        title("<h1>Site name</h1><div class=\"right-side\"><p>soon</p></div>"),
        None
    );
    assert_eq!(title("<div class=\"right-side\"><h1>   </h1></div>"), None);
    assert_eq!(title("not html at all"), None);
}

#[test]
fn extract_title_reads_nested_divs_in_linear_time() {
    // html5ever's tree builder is O(n^2) in the nesting depth: 200,000 nested divs took 94 s in
    // a release build. Four times the divs must take about four times as long, not sixteen.
    let time = |n: usize| {
        let page = format!(
            "<div class=\"right-side\"><h1>Deep{}title{}</h1></div>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let started = std::time::Instant::now();
        assert_eq!(title(&page).as_deref(), Some("Deeptitle"));
        started.elapsed()
    };
    let (small, large) = (time(20_000), time(80_000));
    assert!(large < small * 8, "{small:?} then {large:?}");
}

#[test]
fn reading_a_title_stops_at_its_deadline() {
    let page = format!(
        "<div class=\"right-side\"><h1>{}</h1></div>",
        "<div>".repeat(100_000)
    );
    let started = std::time::Instant::now();
    assert!(extract_title(&page, Some(started)).is_err());
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn extract_title_ignores_tags_inside_scripts_and_page_text_after_the_title() {
    let page = "<script>var s = '<div class=\"right-side\"><h1>fake</h1>';</script>\
                <div class=\"right-side\"><h1>Real</h1></div><h1>later</h1>";
    assert_eq!(title(page).as_deref(), Some("Real"));
}

/// The title of `html`, read with no deadline.
fn title(html: &str) -> Option<String> {
    extract_title(html, None).unwrap()
}
