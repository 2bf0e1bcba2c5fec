//! The demo course site the three examples scrape: /c/6100 to /c/6140 on 127.0.0.1, each page
//! answered after 0.1 s, every eighth id (6104, 6112, ...) without a course. Not part of the
//! lesson: the course scraped a real site, and the examples must run offline. It is axum, on a
//! tokio runtime and a thread of its own, so that every example can use it (surf's too).
//! Each example includes it with `mod demo_site;` (a folder, so cargo does not take it for an
//! example of its own): copy this folder along with an example.

use std::time::Duration;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;

const TOPICS: [&str; 5] = [
    "آموزش پایتون",
    "برنامه\u{200c}نویسی ناهمزمان",
    "آموزش جنگو",
    "آموزش داکر",
    "آموزش Rust",
];

async fn course_page(Path(id): Path<u32>) -> (StatusCode, Html<String>) {
    tokio::time::sleep(Duration::from_millis(100)).await; // every page takes 0.1 s
    if (6100..=6140).contains(&id) && !id.is_multiple_of(8) {
        let title = TOPICS[id as usize % 5];
        let page = format!("<div class='right-side'><h1> {title} {id} </h1></div>");
        (StatusCode::OK, Html(page))
    } else {
        (
            StatusCode::NOT_FOUND,
            Html("<p>No such course.</p>".to_string()),
        )
    }
}

/// Starts the site and returns its address, e.g. `http://127.0.0.1:40123`.
pub fn start_demo_site() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1");
    let site = format!("http://{}", listener.local_addr().expect("a bound socket"));
    listener
        .set_nonblocking(true)
        .expect("a socket tokio can use");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime for the site");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio socket");
            let app = axum::Router::new().route("/c/{id}", get(course_page));
            axum::serve(listener, app)
                .await
                .expect("the demo site serves");
        });
    });
    site
}
