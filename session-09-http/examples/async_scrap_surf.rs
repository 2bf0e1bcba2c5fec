//! جلسه 9 (session 9): the course's async_scrap.py in Rust, with surf on async-std.
//! Original: https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/async_scrap.py
//! Run:      cargo run -p session-09-http --example async_scrap_surf
//!
//! What to watch: the same 41 lines as async_scrap.rs, then the seconds, about 0.1 s: the 41 tasks
//! wait at the same time, and a surf client without TLS is cheap to build. Compare with
//! async_scrap.rs: only the client and the runtime change. surf and async-std are no longer
//! maintained; new code uses reqwest (tokio) or smol, async-std's successor.
//! The course scraped a real site; this file starts a small demo site (at the bottom) instead.

use std::error::Error;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

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
    // println! would panic on a closed stdout (`| head -3`); writeln! returns the error.
    let mut stdout = std::io::stdout();
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
        writeln!(stdout, "{title}")?;
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let site = start_demo_site()?; // <- the demo course site, on 127.0.0.1 (bottom of the file)
    let t1 = Instant::now();
    // loop = asyncio.get_event_loop(); loop.run_until_complete(...) -> async_std::task::block_on
    async_std::task::block_on(get_titles_from_site(&site))?;
    writeln!(std::io::stdout(), "{} seconds", t1.elapsed().as_secs_f64())?;
    Ok(())
}

// ---- The demo course site: not part of the lesson. Blocking threads on 127.0.0.1. ----
const TOPICS: &str = "آموزش پایتون|برنامه‌نویسی ناهمزمان|آموزش جنگو|آموزش داکر|آموزش Rust";

fn start_demo_site() -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let site = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve_pages(stream));
        }
    });
    Ok(site)
}

fn serve_pages(stream: TcpStream) -> std::io::Result<()> {
    let mut lines = BufReader::new(stream.try_clone()?).lines();
    // "GET /c/6100 HTTP/1.1", headers, an empty line; then the next request, if any.
    while let Some(request) = lines.next().transpose()? {
        while !lines.next().transpose()?.unwrap_or_default().is_empty() {}
        let path = request.split(' ').nth(1).unwrap_or("");
        let id: usize = path.trim_start_matches("/c/").parse().unwrap_or(0);
        let found = (6100..=6140).contains(&id) && !id.is_multiple_of(8); // none: 6104, 6112, ...
        let body = match found {
            true => format!(
                "<div class='right-side'><h1> {} {id} </h1></div>",
                TOPICS.split('|').nth(id % 5).unwrap_or("")
            ),
            false => "<p>No such course.</p>".to_string(),
        };
        std::thread::sleep(Duration::from_millis(100)); // every page takes 0.1 s
        let status = if found { "200 OK" } else { "404 Not Found" };
        let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
        let answer = format!("{head}Content-Type: text/html\r\n\r\n{body}"); // one write
        (&stream).write_all(answer.as_bytes())?;
    }
    Ok(())
}
