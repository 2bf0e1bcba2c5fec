//! جلسه 9 (session 9): the course's async_scrap.py in Rust, with surf on async-std.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/async_scrap.py
//! Run:      cargo run -p session-09-http --example async_scrap_surf
//!
//! Needs:    examples/demo_site/mod.rs beside it (copy the folder along with this file)
//!
//! What to watch: the same 41 lines as async_scrap.rs, then the seconds, about 0.1 s: the 41 tasks
//! wait at the same time. Compare with async_scrap.rs: only the client and the runtime change.
//! surf and async-std are no longer maintained; new code uses reqwest (on tokio), or smol,
//! async-std's successor.
//! The course scraped a real site; this starts the demo site of examples/demo_site instead.

use std::error::Error;
use std::time::Instant;

use scraper::{Html, Selector};

mod demo_site; // the demo course site on 127.0.0.1 (examples/demo_site/mod.rs): not the lesson

// async def get_html_text(course_id) -> async fn; aiohttp -> surf
async fn get_html_text(site: String, course_id: u32) -> surf::Result<String> {
    let url = format!("{site}/c/{course_id}");
    // async with aiohttp.ClientSession() as session: a new client, with connections of its own
    let session = surf::Client::new();
    // async with session.get(url) as response: return await response.text()
    let mut response = session.get(url).await?;
    response.body_string().await
}

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
    let mut tasks = Vec::new();
    for n in 6100..=6140 {
        // asyncio.create_task -> async_std::task::spawn: the task starts now, in the background.
        // Unlike Python, a task must own its data, so it gets its own copy of `site`.
        tasks.push((
            n,
            async_std::task::spawn(get_html_text(site.to_string(), n)),
        ));
    }
    for (_n, t) in tasks {
        // async-std's JoinHandle gives the task's own result: one `?`, for the request.
        let html = t.await?;
        let title = get_title_from_html_text(&html);
        println!("{title}");
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let site = demo_site::start_demo_site(); // <- the demo course site, on 127.0.0.1
    let t1 = Instant::now();
    // loop = asyncio.get_event_loop(); loop.run_until_complete(...) -> async_std::task::block_on
    async_std::task::block_on(get_titles_from_site(&site))?;
    println!("{} seconds", t1.elapsed().as_secs_f64());
    Ok(())
}
