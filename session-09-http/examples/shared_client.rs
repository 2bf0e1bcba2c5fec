//! جلسه 9 (session 9): async_scrap.rs improved: one shared client, at most 10 pages in flight.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/async_scrap.py
//! Run:      cargo run -p session-09-http --example shared_client
//! Compare:  diff session-09-http/examples/async_scrap.rs session-09-http/examples/shared_client.rs
//! Needs:    examples/demo_site/mod.rs beside it (copy the folder along with this file)
//!
//! What to watch: the same 41 lines as async_scrap, then the seconds: about 5 x 0.1 s, since
//! ten pages at a time need ceil(41 / 10) = 5 rounds. One client is built once and its pool
//! of connections reused; #[tokio::main] replaces the Runtime and block_on.

use std::error::Error;
use std::sync::Arc;
use std::time::Instant;

use scraper::{Html, Selector};
use tokio::sync::Semaphore;

mod demo_site; // the demo course site on 127.0.0.1 (examples/demo_site/mod.rs): not the lesson

const CONCURRENCY: usize = 10; // most pages in flight at once

// ANCHOR: get_html_text
// async def get_html_text(course_id) -> async fn; aiohttp -> reqwest
async fn get_html_text(
    session: reqwest::Client,
    limit: Arc<Semaphore>,
    site: String,
    course_id: u32,
) -> reqwest::Result<String> {
    let url = format!("{site}/c/{course_id}");
    // async with limit: -- asyncio.Semaphore -> tokio::sync::Semaphore; freed when dropped
    let _permit = limit.acquire().await.expect("never closed");
    // async with session.get(url) as response: return await response.text()
    let response = session.get(url).send().await?;
    response.text().await
}
// ANCHOR_END: get_html_text

// BeautifulSoup(html, 'html.parser').select_one('.right-side h1') -> scraper
fn get_title_from_html_text(html: &str) -> String {
    let soup = Html::parse_document(html);
    let selector = Selector::parse(".right-side h1").expect("a valid CSS selector");
    match soup.select(&selector).next() {
        Some(header) => header.text().collect::<String>().trim().to_string(),
        None => "There is no course".to_string(),
    }
}

async fn get_titles_from_site(site: &str) -> Result<(), Box<dyn Error>> {
    // One ClientSession for the whole program: built once, its connections reused.
    let session = reqwest::Client::new();
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = Vec::new();
    for n in 6100..=6140 {
        // asyncio.create_task -> tokio::spawn: the task starts now, in the background.
        // Unlike Python, a task must own its data: cloning a Client or an Arc shares the same one.
        let task = get_html_text(session.clone(), limit.clone(), site.to_string(), n);
        tasks.push((n, tokio::spawn(task)));
    }
    for (_n, t) in tasks {
        // The first `?`: the task itself failed (it panicked). The second: the request failed.
        let html = t.await??;
        let title = get_title_from_html_text(&html);
        println!("{title}");
    }
    Ok(())
}

// ANCHOR: main
// asyncio.run(main()) -> #[tokio::main]: it builds the Runtime and calls block_on for you.
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let site = demo_site::start_demo_site(); // <- the demo course site, on 127.0.0.1
    let t1 = Instant::now();
    get_titles_from_site(&site).await?;
    println!("{} seconds", t1.elapsed().as_secs_f64());
    Ok(())
}
// ANCHOR_END: main
