//! The workloads give the same, exact counts on every runtime.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::ValueEnum as _;
use session_08_runtimes::bench::{self, Measurement};
use session_08_runtimes::echo::{EchoConfig, Net};
use session_08_runtimes::runtimes::{Task, TokioNet, TokioSpawner, run_on};
use session_08_runtimes::{JoinHandle, Runtime, Spawn, Workload, yield_now};

fn small_echo() -> EchoConfig {
    EchoConfig {
        clients: 4,
        messages: 50,
        message_size: 300,
        time_limit: Duration::from_secs(30),
    }
}

#[test]
fn every_runtime_processes_two_times_items() {
    for &runtime in Runtime::value_variants() {
        let outcome = run_on(runtime, Workload::Queue { items: 1_000 }).unwrap();
        assert_eq!(outcome.processed, 2_000, "on {}", runtime.name());
    }
}

/// The workload itself checks that every byte sent came back and was served once; a wrong byte
/// count would be an error here.
#[test]
fn every_runtime_echoes_every_byte_it_sent() {
    for &runtime in Runtime::value_variants() {
        let outcome = run_on(runtime, Workload::Echo(small_echo())).unwrap();
        assert_eq!(outcome.processed, 4 * 50, "on {}", runtime.name());
    }
}

#[test]
fn echo_handles_messages_larger_than_one_read() {
    // 200 KiB messages do not fit one socket read, so replies arrive in pieces.
    let config = EchoConfig {
        clients: 2,
        messages: 3,
        message_size: 200 * 1024,
        ..small_echo()
    };
    let outcome = run_on(Runtime::TokioMt, Workload::Echo(config)).unwrap();
    assert_eq!(outcome.processed, 2 * 3);
}

/// tokio's sockets, except that every connect fails, as it does when the machine runs out of
/// ports or a firewall refuses the connection.
struct RefusingNet;

impl Net for RefusingNet {
    type Listener = <TokioNet as Net>::Listener;
    type Stream = <TokioNet as Net>::Stream;

    async fn bind(addr: SocketAddr) -> io::Result<(Self::Listener, SocketAddr)> {
        TokioNet::bind(addr).await
    }
    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream> {
        TokioNet::accept(listener).await
    }
    async fn connect(_: SocketAddr) -> io::Result<Self::Stream> {
        Err(io::ErrorKind::ConnectionRefused.into())
    }
    async fn read(stream: &mut Self::Stream, buf: &mut [u8]) -> io::Result<usize> {
        TokioNet::read(stream, buf).await
    }
    async fn read_exact(stream: &mut Self::Stream, buf: &mut [u8]) -> io::Result<()> {
        TokioNet::read_exact(stream, buf).await
    }
    async fn write_all(stream: &mut Self::Stream, buf: &[u8]) -> io::Result<()> {
        TokioNet::write_all(stream, buf).await
    }
    async fn sleep(duration: Duration) {
        TokioNet::sleep(duration).await
    }
}

/// tokio's spawner, with [`RefusingNet`] as its sockets.
struct RefusingTokio;

impl Spawn for RefusingTokio {
    type Net = RefusingNet;

    fn spawn<T: Send + 'static>(&self, task: impl Task<T>) -> JoinHandle<T> {
        TokioSpawner.spawn(task)
    }
}

/// The server used to wait for one connection per client before it looked at the clients, so
/// one client that could not connect cost the whole time limit (60 s in the lab).
#[test]
fn a_client_that_cannot_connect_ends_the_echo_run_at_once() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = EchoConfig {
        time_limit: Duration::from_secs(20),
        ..small_echo()
    };
    let start = Instant::now();
    let err = runtime
        .block_on(Workload::Echo(config).run(&RefusingTokio))
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("could not connect"), "{message}");
    assert!(!message.contains("time limit"), "{message}");
    // Nothing in the run waits: it ends as soon as the first client's error arrives.
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

/// Two tasks that record each step and yield after it must take turns: a yield that did not
/// hand control back to the executor would let the first task finish all its steps first.
#[test]
fn yield_now_lets_the_other_task_run() {
    async fn take_turns<S: Spawn>(spawner: &S) -> Vec<&'static str> {
        let log = Arc::new(Mutex::new(Vec::new()));
        let task = |name: &'static str| {
            let log = Arc::clone(&log);
            async move {
                for _ in 0..3 {
                    log.lock().unwrap().push(name);
                    yield_now().await;
                }
            }
        };
        let a = spawner.spawn(task("a"));
        let b = spawner.spawn(task("b"));
        a.await.unwrap();
        b.await.unwrap();
        log.lock().unwrap().clone()
    }
    // The single-threaded runtimes give a deterministic order.
    let tokio_ct = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(take_turns(&TokioSpawner));
    let executor = smol::Executor::new();
    let smol = smol::block_on(executor.run(take_turns(&executor)));
    let mut pool = futures::executor::LocalPool::new();
    let spawner = pool.spawner();
    let local_pool = pool.run_until(take_turns(&spawner));
    for (name, steps) in [
        ("tokio-ct", tokio_ct),
        ("smol", smol),
        ("futures", local_pool),
    ] {
        assert_eq!(steps, ["a", "b", "a", "b", "a", "b"], "on {name}");
    }
}

#[test]
fn measure_repeats_and_checks_the_count() {
    let m = bench::measure(Runtime::SmolMt, Workload::Queue { items: 300 }, 3).unwrap();
    assert_eq!(m.runs.len(), 3);

    let m = bench::measure(Runtime::AsyncStd, Workload::Echo(small_echo()), 1).unwrap();
    assert_eq!(m.runs.len(), 1);
}

#[test]
fn median_of_odd_and_even_counts() {
    let ms = |v: u64| Duration::from_millis(v);
    let mut m = Measurement {
        runtime: Runtime::TokioCt,
        workload: Workload::Queue { items: 250 },
        runs: vec![ms(300), ms(100), ms(900)],
    };
    assert_eq!(m.median(), ms(300));
    m.runs.push(ms(500));
    assert_eq!(m.median(), ms(400));
}

#[test]
fn table_names_every_runtime_and_marks_the_fastest_as_1x() {
    let measurements: Vec<_> = Runtime::value_variants()
        .iter()
        .enumerate()
        .map(|(i, &runtime)| Measurement {
            runtime,
            workload: Workload::Queue { items: 250 },
            runs: vec![Duration::from_millis(100 * (i as u64 + 1))],
        })
        .collect();
    let table = anstream::adapter::strip_str(&bench::render(&measurements)).to_string();
    for &runtime in Runtime::value_variants() {
        assert!(table.contains(&runtime.name()), "{table}");
    }
    let first_row = table.lines().nth(1).unwrap();
    assert!(
        first_row.starts_with("tokio-ct") && first_row.ends_with("1.00x"),
        "{table}"
    );
    let last_row = table.lines().nth(6).unwrap();
    assert!(last_row.ends_with("6.00x"), "{table}");
}

#[test]
fn an_echo_run_past_its_time_limit_is_an_error_not_a_hang() {
    let config = EchoConfig {
        time_limit: Duration::ZERO,
        ..small_echo()
    };
    for runtime in [Runtime::TokioCt, Runtime::Smol, Runtime::Futures] {
        let err = run_on(runtime, Workload::Echo(config)).unwrap_err();
        // It says what happened (the run was too long), and does not guess at a blocked network.
        assert_eq!(
            err.to_string(),
            "the echo run was still going at its 0 s time limit, so it was stopped: \
             lower --clients or --messages",
            "on {}",
            runtime.name()
        );
    }
}
