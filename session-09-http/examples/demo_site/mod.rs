//! The demo course site the three examples scrape: 41 course pages on 127.0.0.1, each answered
//! after 0.1 s by a blocking thread of its own. Not part of the lesson: the course scraped a real
//! site, and these examples must run offline. Every eighth id (6104, 6112, ...) has no course.
//! Each example includes it with `mod demo_site;` (a folder, so cargo does not take it for an
//! example of its own).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const TOPICS: &str = "آموزش پایتون|برنامه‌نویسی ناهمزمان|آموزش جنگو|آموزش داکر|آموزش Rust";

pub fn start_demo_site() -> std::io::Result<String> {
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
