//! جلسه 19: `concurrent.futures`, submit work to a pool, collect the results. The course's file:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/concurrent_futures.py
//! Run: cargo run -p session-11-threads --example concurrent_futures
//!
//! Watch: `Waiting ...` first; four workers (one process, four thread names) fetch seven pages
//! side by side; the titles come back in the order they were submitted.
//!
//! Where Rust differs: the course fetches real sites with a ProcessPoolExecutor. This serves slow
//! pages itself on 127.0.0.1 and uses threads (the course's commented-out ThreadPoolExecutor):
//! fetching is waiting, and Rust has no GIL. A process pool still matters for a library that can
//! crash or is not thread-safe; for many pages, async (session 9) is often better.

use std::io::{BufRead, BufReader, Read, Write};
use std::iter;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

type Job = Box<dyn FnOnce() + Send>;

// The course's seven sites, served here as seven local pages.
#[rustfmt::skip]
const URLS: [&str; 7] = ["toplearn.com", "ordookhani.com", "learnby.ir", "barnamenevisan.info",
                         "toplearn.com/c/6140", "divar.ir", "digikala.com"];

// ThreadPoolExecutor(max_workers=size) -> `size` threads taking jobs from one channel.
fn thread_pool(size: usize) -> (mpsc::Sender<Job>, Vec<thread::JoinHandle<()>>) {
    let (executor, jobs) = mpsc::channel::<Job>();
    let jobs = Arc::new(Mutex::new(jobs));
    let workers = (1..=size).map(|i| {
        let jobs = Arc::clone(&jobs);
        // Each worker runs jobs until the channel closes; it holds the lock only to take one.
        let next_job = move || jobs.lock().unwrap().recv().ok();
        let work = move || iter::from_fn(next_job).for_each(|job| job());
        let name = format!("worker-{i}");
        thread::Builder::new().name(name).spawn(work).unwrap()
    });
    (executor, workers.collect())
}

// executor.submit(f) -> send f as a job; its result comes back on a channel of its own,
// whose Receiver plays the Future.
fn submit<T: Send + 'static>(
    executor: &mpsc::Sender<Job>,
    f: impl FnOnce() -> T + Send + 'static,
) -> mpsc::Receiver<T> {
    let (tx, future) = mpsc::channel();
    executor.send(Box::new(move || drop(tx.send(f())))).unwrap();
    future
}

fn get_title(addr: SocketAddr, path: &str) -> std::io::Result<String> {
    let me = thread::current();
    let name = me.name().unwrap_or("?");
    println!("Process Id: {}, Thread Name: {name}", std::process::id());
    // requests.get(url) -> one HTTP/1.0 request by hand, bounded in time and size.
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET /{path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut html = String::new();
    stream.take(1 << 20).read_to_string(&mut html)?;
    if !html.starts_with("HTTP/1.0 200") {
        return Err(std::io::Error::other(format!("/{path}: not 200 OK"))); // raise_for_status()
    }
    // BeautifulSoup(html).select_one("title") -> the text between <title> and </title>
    let title = html
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"));
    Ok(title.map_or("None".to_string(), |(title, _)| title.trim().to_string()))
}

// Slow pages on 127.0.0.1: each request is answered by a thread of its own after 300 ms.
fn serve(listener: TcpListener) {
    for mut stream in listener.incoming().flatten() {
        thread::spawn(move || {
            let mut request = BufReader::new(&stream).lines().map_while(Result::ok);
            let first = request.next().unwrap_or_default();
            request.take_while(|line| !line.is_empty()).for_each(drop); // skip the headers
            let path = first.split(' ').nth(1).unwrap_or("/");
            thread::sleep(Duration::from_millis(300));
            let page = format!("<title> Page {path} </title>");
            let _ = write!(stream, "HTTP/1.0 200 OK\r\n\r\n{page}");
        });
    }
}

fn main() -> std::io::Result<()> {
    let t0 = Instant::now();
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    thread::spawn(move || serve(listener));
    // ANCHOR: main
    let mut tasks = Vec::new();
    let (executor, workers) = thread_pool(4); // with PoolExecutor() as executor:
    for url in URLS {
        tasks.push(submit(&executor, move || get_title(addr, url)));
    }
    println!("Waiting ...");
    // The end of the `with` block: no more jobs (drop the sender), wait for every worker.
    drop(executor);
    workers.into_iter().for_each(|w| w.join().unwrap());
    let t1 = t0.elapsed().as_secs_f64();
    println!("Tasks finished in {t1:.2} seconds");
    for task in tasks {
        println!("{}", task.recv().unwrap()?); // future.result()
    }
    // ANCHOR_END: main
    Ok(())
}
