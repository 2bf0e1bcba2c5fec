//! جلسه 19: `concurrent.futures`, submit work to a pool, collect the results. The course's file:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/codes/concurrent_futures.py
//!
//!     cargo run -p session-11-threads --example concurrent_futures
//!
//! Watch: `Waiting ...` first; four workers (one process, four thread names) take the seven
//! jobs side by side; the titles come back in the order they were submitted.
//!
//! Where Rust differs: the course fetches seven real sites with `requests` in a
//! ProcessPoolExecutor. Here a 300 ms sleep stands in for each request (the lesson is the pool,
//! not HTTP; session 9 fetches real pages), and the workers are threads, the course's
//! commented-out ThreadPoolExecutor: waiting needs no process, and Rust has no GIL.

use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

type Job = Box<dyn FnOnce() + Send>;

const URLS: [&str; 7] = [
    "https://toplearn.com",
    "https://ordookhani.com",
    "https://learnby.ir",
    "https://barnamenevisan.info",
    "https://toplearn.com/c/6140",
    "https://divar.ir",
    "https://digikala.com",
];

// ThreadPoolExecutor(max_workers=size) -> `size` threads taking jobs from one channel.
fn thread_pool(size: usize) -> (mpsc::Sender<Job>, Vec<thread::JoinHandle<()>>) {
    let (executor, jobs) = mpsc::channel::<Job>();
    let jobs = Arc::new(Mutex::new(jobs));
    let workers = (1..=size).map(|i| {
        let jobs = Arc::clone(&jobs);
        // Take one job at a time until the channel closes. The guard dies at the end of the
        // `let` (a `while let` would keep it, and the lock, for the whole job).
        let work = move || loop {
            let Ok(job) = jobs.lock().expect("a worker panicked").recv() else {
                break;
            };
            job();
        };
        let name = format!("worker-{i}");
        thread::Builder::new()
            .name(name)
            .spawn(work)
            .expect("could not start a worker")
    });
    (executor, workers.collect())
}

// executor.submit(f) -> send f as a job; its result comes back on a channel of its own, whose
// Receiver plays the Future.
fn submit<T: Send + 'static>(
    executor: &mpsc::Sender<Job>,
    f: impl FnOnce() -> T + Send + 'static,
) -> mpsc::Receiver<T> {
    let (tx, future) = mpsc::channel();
    let job = move || tx.send(f()).expect("the future was dropped");
    executor
        .send(Box::new(job))
        .expect("the pool has shut down");
    future
}

fn get_title(url: &str) -> String {
    let me = thread::current();
    let name = me.name().unwrap_or("?");
    println!("Process Id: {}, Thread Name: {name}", std::process::id());
    // requests.get(url) and BeautifulSoup(...).select_one('title'): a sleep stands in for the
    // request, and the "title" is made from the URL.
    thread::sleep(Duration::from_millis(300));
    format!("title of {url}")
}

fn main() {
    let t0 = Instant::now();
    // ANCHOR: main
    let mut tasks = Vec::new();
    let (executor, workers) = thread_pool(4); // with PoolExecutor() as executor:
    for url in URLS {
        tasks.push(submit(&executor, move || get_title(url)));
    }
    println!("Waiting ...");
    // The end of the `with` block: no more jobs (drop the sender), wait for every worker.
    drop(executor);
    for worker in workers {
        worker.join().expect("a worker panicked");
    }
    let t1 = t0.elapsed().as_secs_f64();
    println!("Tasks finished in {t1:.2} seconds");
    for task in tasks {
        println!("{}", task.recv().expect("the job ran")); // future.result()
    }
    // ANCHOR_END: main
}
