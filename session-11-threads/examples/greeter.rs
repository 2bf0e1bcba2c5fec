//! جلسه 11: threads. The course's program is in its notes, not in a file:
//! https://github.com/MrMrProgrammer/async-python/blob/64745a69521ef1db766284e3cebe743d4766ec47/README.md
//!
//!     cargo run -p session-11-threads --example greeter
//!
//! Watch: `Task Done !` comes at once while the greeter goes on, a line a second; in part 2
//! Mohammad and Ali greet side by side after `Task Done !`; in part 3 `main` joins them first;
//! in part 4 the "daemon" greeter dies when `main` returns.
//!
//! Where Rust differs: a Python program waits for its non-daemon threads before it exits; a
//! Rust program ends when `main` returns and takes every thread with it. So there is no daemon
//! flag (every thread is one unless someone joins it), and part 1 joins at the end, which is what
//! Python does for you.

use std::thread;
use std::time::Duration;

// def greeter(name, count=10) -> a plain function; the thread runs it.
fn greeter(name: &str, count: u32) {
    for i in 0..count {
        println!("{} - Hello {name}", i + 1);
        // time.sleep(1) -> thread::sleep: blocks this thread only.
        thread::sleep(Duration::from_secs(1));
    }
}

fn main() {
    println!("== 1. one thread: main goes on at once ==");
    // ANCHOR: spawn
    // threading.Thread(target=greeter, args=("Mohammad",)); t.start() -> thread::spawn
    // `move` gives the thread what it uses: it may outlive the code that started it.
    let t = thread::spawn(move || greeter("Mohammad", 10));
    println!("Task Done !");
    // t.join() -> JoinHandle::join. Python joins a non-daemon thread for you at exit; Rust
    // does not, so without this line the process would end here, after one greeting.
    t.join().expect("the greeter panicked");
    // ANCHOR_END: spawn

    println!("== 2. two threads, no join: multi-threading ==");
    let t1 = thread::spawn(move || greeter("Mohammad", 10));
    let t2 = thread::spawn(move || greeter("Ali", 10));
    println!("Task Done !");
    // The course's snippet ends here, and Python waits for both threads at exit. Rust would
    // not: join them, or part 3 would start with these two still greeting.
    t1.join().expect("the greeter panicked");
    t2.join().expect("the greeter panicked");

    println!("== 3. a list of threads, joined before Task Done ==");
    // threads = [Thread(...), Thread(...)]; [t.start() ...] -> a Vec of JoinHandles
    let threads: Vec<_> = ["Mohammad", "Ali"]
        .into_iter()
        .map(|name| thread::spawn(move || greeter(name, 10)))
        .collect();
    // [t.join() for t in threads] -> join each handle
    for t in threads {
        t.join().expect("the greeter panicked");
    }
    println!("Task Done !");

    println!("== 4. a daemon thread: nobody waits for it ==");
    // Thread(..., daemon=True) -> spawn and drop the handle: the thread is detached.
    drop(thread::spawn(move || greeter("Mohammad", 10)));
    // main's own work, 2.5 s; then main returns and the greeter dies mid-way.
    thread::sleep(Duration::from_millis(2500));
    println!("Task Done !");
}
