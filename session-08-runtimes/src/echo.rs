//! uvloop's own benchmark: an echo server on loopback and clients waiting for every reply.
//!
//! The queue workload measures only task switching. Real servers spend their time waiting on
//! sockets, so this workload brings in the runtime's other half, the **reactor**: every round trip
//! is a write, a wake-up when the reply is readable, and a read, on both sides of the connection.
//!
//! Sockets, unlike channels, belong to a runtime: tokio's `TcpStream` only works inside a tokio
//! runtime, smol's and async-std's only with their reactor. So the workload asks for them through
//! the small [`Net`] trait, implemented once per runtime in [`crate::runtimes`] and named by each
//! spawner ([`Spawn::Net`]). Each runtime runs its own server and its own clients with its own
//! socket types.
//!
//! The run is bounded in count (`clients` x `messages` round trips) and in time
//! ([`EchoConfig::time_limit`], measured with the runtime's own timer). The server runs
//! alongside the clients, so a client that fails (it could not connect, say) ends the run at once
//! with its error instead of leaving the server waiting for a connection that never comes.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use futures::future::{Either, select, try_join, try_join_all};

use crate::{Outcome, Spawn};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Run the echo workload once, within `config.time_limit`; `processed` is the round trips.
///
/// Every reply is checked byte for byte, and the bytes sent, echoed and served must all equal
/// `clients x messages x message_size`, or the run is an error.
pub async fn echo_workload<S: Spawn>(spawner: &S, config: EchoConfig) -> anyhow::Result<Outcome> {
    let work = pin!(echo_round(spawner, config));
    let deadline = pin!(S::Net::sleep(config.time_limit));
    // asyncio.wait_for(work, timeout) -> race the work against the runtime's timer
    match select(work, deadline).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => bail!(
            "the echo run did not finish within {} s: is loopback (127.0.0.1) blocked?",
            config.time_limit.as_secs_f64()
        ),
    }
}

/// Start the server and the clients, and check what they did.
async fn echo_round<S: Spawn>(spawner: &S, config: EchoConfig) -> anyhow::Result<Outcome> {
    let start = Instant::now();
    let listener = S::Net::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .context("could not listen on 127.0.0.1")?;
    let addr = S::Net::local_addr(&listener).context("could not read the server's address")?;

    // asyncio.gather(*clients): the first client to fail ends the wait with its error.
    let clients = try_join_all((0..config.clients).map(|id| {
        let client = spawner.spawn(echo_client::<S::Net>(addr, id, config));
        async move { client.await? }
    }));
    // The server: accept one connection per client, one task per connection. It runs alongside
    // the clients, so `try_join` stops it as soon as a client fails.
    let server = async {
        let mut connections = Vec::new();
        for _ in 0..config.clients {
            let stream = S::Net::accept(&listener)
                .await
                .map_err(too_many_files_hint)
                .context("the echo server could not accept a connection")?;
            connections.push(spawner.spawn(echo_connection::<S::Net>(stream)));
        }
        anyhow::Ok(connections)
    };
    let (clients, connections) = try_join(clients, server).await?;

    let mut round_trips = 0;
    let (mut sent, mut echoed, mut served) = (0, 0, 0);
    for client in clients {
        round_trips += client.round_trips;
        sent += client.bytes_sent;
        echoed += client.bytes_echoed;
    }
    // Every client has closed its stream, so every connection task sees end-of-file and returns.
    for connection in connections {
        served += connection.await??;
    }
    let expected = config.clients * config.messages;
    let bytes = expected * config.message_size as u64;
    ensure!(
        round_trips == expected && sent == bytes && echoed == bytes && served == bytes,
        "expected {expected} round trips of {bytes} bytes in all, got {round_trips} round trips, \
         {sent} bytes sent, {echoed} echoed, {served} served"
    );
    Ok(Outcome {
        processed: round_trips,
        elapsed: start.elapsed(),
    })
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
        .map_err(too_many_files_hint)
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

/// Every connection costs two file descriptors, one per side; a large `--clients` can pass the
/// process's limit. Say how to get past it instead of only "Too many open files".
fn too_many_files_hint(err: io::Error) -> anyhow::Error {
    // EMFILE is 24 on Linux and macOS.
    if cfg!(unix) && err.raw_os_error() == Some(24) {
        anyhow::Error::new(err).context(
            "each client needs two open files: lower --clients or raise the limit (ulimit -n)",
        )
    } else {
        err.into()
    }
}
