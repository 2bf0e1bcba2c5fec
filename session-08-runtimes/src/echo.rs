//! uvloop's own benchmark: an echo server on loopback and clients waiting for every reply.
//!
//! The queue workload measures only task switching. Real servers spend their time waiting on
//! sockets, so this workload brings in the runtime's other half, the **reactor**: every round trip
//! is a write, a wake-up when the reply is readable, and a read, on both sides of the connection.
//!
//! Sockets, unlike channels, belong to a runtime: tokio's `TcpStream` only works inside a tokio
//! runtime, smol's and async-std's only with their reactor. So the workload asks for them through
//! the small [`Net`] trait, implemented once per runtime in [`crate::runtimes`]. Each runtime runs
//! its own server and its own clients with its own socket types.
//!
//! The run is bounded in count (`clients` x `messages` round trips) and in time
//! ([`EchoConfig::time_limit`], measured with the runtime's own timer).

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::future::{Either, select};

use crate::{Job, Spawn};

/// Sockets and a timer, as one runtime provides them.
///
/// Every method returns a `Send` future so the workload's tasks can move between threads on a
/// multi-threaded runtime.
pub trait Net: 'static {
    /// A bound TCP listener.
    type Listener;
    /// A connected TCP stream.
    type Stream: Send + 'static;

    /// Bind a listener to `addr` (port 0 lets the OS choose a free port).
    fn bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send;
    /// The address a listener is bound to, to tell the clients where to connect.
    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr>;
    /// Accept one connection.
    fn accept(listener: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>>;
    /// Connect to `addr`.
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    /// Read what is available into `buf`; 0 means the peer closed the connection.
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    /// Write all of `buf`.
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    /// Wait for `duration` without blocking the thread: `asyncio.sleep(duration)`.
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;
}

/// How much echo traffic one run makes.
#[derive(Debug, Clone, Copy)]
pub struct EchoConfig {
    /// Clients connected at the same time.
    pub clients: u64,
    /// Messages each client sends, one at a time, waiting for each reply.
    pub messages: u64,
    /// Bytes per message.
    pub message_size: usize,
    /// Give up, with an error, when a run takes longer than this.
    pub time_limit: Duration,
}

/// What one run of the echo workload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoOutcome {
    /// Replies received that matched their message byte for byte.
    pub round_trips: u64,
    /// Bytes the clients sent.
    pub bytes_sent: u64,
    /// Bytes the clients got back, each reply checked equal to its message.
    pub bytes_echoed: u64,
    /// Bytes the server read and wrote back.
    pub bytes_served: u64,
    /// Wall-clock time from binding the server to the last reply.
    pub elapsed: Duration,
}

/// The echo workload as a [`Job`].
#[derive(Debug, Clone, Copy)]
pub struct EchoJob(pub EchoConfig);

impl Job for EchoJob {
    type Output = anyhow::Result<EchoOutcome>;

    fn run<S: Spawn, N: Net>(self, spawner: &S) -> impl Future<Output = Self::Output> {
        echo_workload::<S, N>(spawner, self.0)
    }
}

/// Run the echo workload once, within `config.time_limit`.
pub async fn echo_workload<S: Spawn, N: Net>(
    spawner: &S,
    config: EchoConfig,
) -> anyhow::Result<EchoOutcome> {
    let work = pin!(echo_round::<S, N>(spawner, config));
    let deadline = pin!(N::sleep(config.time_limit));
    // asyncio.wait_for(work, timeout) -> race the work against the runtime's timer
    match select(work, deadline).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => bail!(
            "the echo run did not finish within {} s: is loopback (127.0.0.1) blocked?",
            config.time_limit.as_secs_f64()
        ),
    }
}

/// Start the server, the clients, and collect what they did.
async fn echo_round<S: Spawn, N: Net>(
    spawner: &S,
    config: EchoConfig,
) -> anyhow::Result<EchoOutcome> {
    let start = Instant::now();
    let listener = N::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .context("could not listen on 127.0.0.1")?;
    let addr = N::local_addr(&listener).context("could not read the server's address")?;

    let clients: Vec<_> = (0..config.clients)
        .map(|id| spawner.spawn(echo_client::<N>(addr, id, config)))
        .collect();

    // The server: accept exactly one connection per client, one task per connection.
    let mut connections = Vec::new();
    for _ in 0..config.clients {
        let stream = N::accept(&listener)
            .await
            .context("the echo server could not accept a connection")?;
        connections.push(spawner.spawn(echo_connection::<N>(stream)));
    }

    let mut outcome = EchoOutcome {
        round_trips: 0,
        bytes_sent: 0,
        bytes_echoed: 0,
        bytes_served: 0,
        elapsed: Duration::ZERO,
    };
    for client in clients {
        let done = client.await??;
        outcome.round_trips += done.round_trips;
        outcome.bytes_sent += done.bytes_sent;
        outcome.bytes_echoed += done.bytes_echoed;
    }
    // Every client has closed its stream, so every connection task sees end-of-file and returns.
    for connection in connections {
        outcome.bytes_served += connection.await??;
    }
    outcome.elapsed = start.elapsed();
    Ok(outcome)
}

/// Serve one connection: send back whatever arrives until the client closes. Returns the bytes
/// received, which are the bytes the client sent.
async fn echo_connection<N: Net>(mut stream: N::Stream) -> anyhow::Result<u64> {
    let mut buf = vec![0; 64 * 1024];
    let mut received = 0;
    loop {
        let n = N::read(&mut stream, &mut buf)
            .await
            .context("the echo server could not read")?;
        if n == 0 {
            return Ok(received);
        }
        received += n as u64;
        N::write_all(&mut stream, &buf[..n])
            .await
            .context("the echo server could not write")?;
    }
}

/// One client: send `messages` messages, wait for each reply and check it byte for byte.
async fn echo_client<N: Net>(
    addr: SocketAddr,
    id: u64,
    config: EchoConfig,
) -> anyhow::Result<ClientTotals> {
    let mut stream = N::connect(addr)
        .await
        .with_context(|| format!("client {id} could not connect to {addr}"))?;
    let mut message = vec![0; config.message_size];
    let mut reply = vec![0; config.message_size];
    let mut totals = ClientTotals::default();
    for number in 0..config.messages {
        fill_message(&mut message, id, number);
        N::write_all(&mut stream, &message)
            .await
            .with_context(|| format!("client {id} could not send"))?;
        totals.bytes_sent += message.len() as u64;
        read_exact::<N>(&mut stream, &mut reply)
            .await
            .with_context(|| format!("client {id} did not get reply {number}"))?;
        if reply != message {
            bail!("client {id}: reply {number} differs from the message it sent");
        }
        totals.bytes_echoed += reply.len() as u64;
        totals.round_trips += 1;
    }
    Ok(totals)
}

/// What one client counted.
#[derive(Debug, Default)]
struct ClientTotals {
    round_trips: u64,
    bytes_sent: u64,
    bytes_echoed: u64,
}

/// Read until `buf` is full; a connection closed early is an error.
async fn read_exact<N: Net>(stream: &mut N::Stream, buf: &mut [u8]) -> io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = N::read(stream, &mut buf[filled..]).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        filled += n;
    }
    Ok(())
}

/// Message bytes that differ per client and per message, so a reply sent to the wrong client or
/// out of order would not pass the check.
fn fill_message(message: &mut [u8], client: u64, number: u64) {
    for (i, byte) in message.iter_mut().enumerate() {
        *byte = (client as usize * 31 + number as usize * 7 + i) as u8;
    }
}
