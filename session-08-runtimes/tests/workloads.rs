//! The workloads give the same, exact counts on every runtime.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use session_08_runtimes::bench::{self, BenchConfig, Measurement};
use session_08_runtimes::echo::{EchoConfig, EchoJob};
use session_08_runtimes::queue::QueueJob;
use session_08_runtimes::runtimes::run_on;
use session_08_runtimes::{Runtime, Spawn, Workload, yield_now};

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
    for runtime in Runtime::ALL {
        let outcome = run_on(runtime, QueueJob { items: 1_000 }).unwrap().unwrap();
        assert_eq!(outcome.processed, 2_000, "on {}", runtime.name());
    }
}

#[test]
fn every_runtime_echoes_every_byte_it_sent() {
    let config = small_echo();
    let bytes = 4 * 50 * 300;
    for runtime in Runtime::ALL {
        let outcome = run_on(runtime, EchoJob(config)).unwrap().unwrap();
        let name = runtime.name();
        assert_eq!(outcome.round_trips, 200, "on {name}");
        assert_eq!(outcome.bytes_sent, bytes, "on {name}");
        assert_eq!(outcome.bytes_echoed, bytes, "on {name}");
        assert_eq!(outcome.bytes_served, bytes, "on {name}");
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
    let outcome = run_on(Runtime::TokioMt, EchoJob(config)).unwrap().unwrap();
    assert_eq!(outcome.bytes_echoed, 2 * 3 * 200 * 1024);
}

/// Two tasks that record each step and yield after it must take turns: a yield that did not
/// hand control back to the executor would let the first task finish all its steps first.
#[test]
fn yield_now_lets_the_other_task_run() {
    struct Job;
    impl session_08_runtimes::Job for Job {
        type Output = Vec<&'static str>;
        async fn run<S: Spawn, N: session_08_runtimes::echo::Net>(
            self,
            spawner: &S,
        ) -> Self::Output {
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
    }
    // The single-threaded runtimes give a deterministic order.
    for runtime in [Runtime::TokioCt, Runtime::Smol, Runtime::Futures] {
        let steps = run_on(runtime, Job).unwrap();
        assert_eq!(
            steps,
            ["a", "b", "a", "b", "a", "b"],
            "on {}",
            runtime.name()
        );
    }
}

#[test]
fn measure_repeats_and_checks_the_count() {
    let config = BenchConfig {
        items: 300,
        repeat: 3,
        echo: small_echo(),
    };
    let mut announced = Vec::new();
    let m = bench::measure(Runtime::SmolMt, Workload::Queue, &config, |run| {
        announced.push(run)
    })
    .unwrap();
    assert_eq!(announced, [1, 2, 3]);
    assert_eq!(m.runs.len(), 3);
    assert_eq!(m.processed, 600);

    let m = bench::measure(Runtime::AsyncStd, Workload::Echo, &config, |_| {}).unwrap();
    assert_eq!(m.processed, 200);
}

#[test]
fn median_and_rate() {
    let ms = |v: u64| Duration::from_millis(v);
    let mut m = Measurement {
        runtime: Runtime::TokioCt,
        workload: Workload::Queue,
        runs: vec![ms(300), ms(100), ms(900)],
        processed: 500,
    };
    assert_eq!(m.median(), ms(300));
    // 500 items = 1000 actions (a put and a get each) in 0.3 s.
    assert!((m.rate_per_s() - 1000.0 / 0.3).abs() < 1e-6);
    m.runs.push(ms(500));
    assert_eq!(m.median(), ms(400));
    m.workload = Workload::Echo;
    assert!((m.rate_per_s() - 500.0 / 0.4).abs() < 1e-6);
}

#[test]
fn table_names_every_runtime_and_marks_the_fastest_as_1x() {
    let measurements: Vec<_> = Runtime::ALL
        .iter()
        .enumerate()
        .map(|(i, &runtime)| Measurement {
            runtime,
            workload: Workload::Queue,
            runs: vec![Duration::from_millis(100 * (i as u64 + 1))],
            processed: 1000,
        })
        .collect();
    let table = anstream::adapter::strip_str(&bench::render(&measurements)).to_string();
    for runtime in Runtime::ALL {
        assert!(table.contains(runtime.name()), "{table}");
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
        let err = run_on(runtime, EchoJob(config)).unwrap().unwrap_err();
        assert!(
            err.to_string().contains("did not finish within 0 s"),
            "on {}: {err:#}",
            runtime.name()
        );
    }
}
