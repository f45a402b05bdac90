//! Locating an interceptor: how many hops away the TLS connection ends, the
//! way OONI's tlsmiddlebox experiment measures it. An ordinary TCP socket
//! gets a small IP TTL (IPv6 hop limit) before it connects, then sends its
//! ClientHello with that TTL; the smallest TTL at which the interceptor
//! answers is its distance. No raw sockets, no root: a SYN that runs out of
//! TTL at a router comes back as ICMP time exceeded, which fails the
//! connect at once.
//!
//! Traffic: one trace per distinct interceptor, only when something was
//! intercepted, at most [`MAX_HOPS`] connections (a silent hop nearer than
//! one that connected is sent its SYN again, twice at most, and the
//! fallback probe makes one or two at a hop whose chain rustls refuses),
//! bounded by a deadline.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls_pki_types::ServerName;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};

use super::client_config;
use crate::observation::{LocateMethod, Location, Place};

/// The farthest hop the trace tries.
pub const MAX_HOPS: u8 = 12;

/// Says whether the leaf (DER) a hop answered with is the interceptor's:
/// the engine above decides, by its key or by the key that signed it.
pub type IsForged = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

/// What to locate.
#[derive(Clone)]
pub struct TraceRequest {
    /// The address the intercepted connection went to (the proxy's when
    /// one was used).
    pub peer: SocketAddr,
    /// The host name to send as SNI.
    pub host: String,
    /// Whether `peer` is a configured proxy (then the proxy is located).
    pub via_proxy: bool,
    /// Whether a hop's leaf is the interceptor's: a TTL whose answer is
    /// reached the interceptor.
    pub is_forged: IsForged,
}

impl std::fmt::Debug for TraceRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceRequest")
            .field("peer", &self.peer)
            .field("host", &self.host)
            .field("via_proxy", &self.via_proxy)
            .finish_non_exhaustive()
    }
}

/// Whether `ip` is an address of this machine (loopback, or one it can
/// bind to).
pub fn is_local(ip: IpAddr) -> bool {
    ip.is_loopback() || ip.is_unspecified() || UdpSocket::bind((ip, 0)).is_ok()
}

/// Locates the interceptor of `request` within `budget`.
///
/// Every TTL from 1 to [`MAX_HOPS`] opens a TCP connection at once (a SYN
/// that runs out of TTL fails fast with ICMP time exceeded); the nearest
/// hop that accepted one, every nearer hop having failed, then gets the
/// ClientHello, and answers with the forged certificate if the interceptor
/// is there. A nearer hop still silent when a farther one has connected is
/// sent another SYN (its SYN or its ICMP answer was lost: an interceptor
/// with a short accept queue drops SYNs that arrive together). A nearer hop
/// that neither accepted nor failed by the deadline leaves the trace
/// inconclusive: `unknown` rather than a wrong distance.
pub async fn locate(request: &TraceRequest, budget: Duration) -> Location {
    if is_local(request.peer.ip()) {
        let method = if request.via_proxy {
            LocateMethod::ProxyOnThisDevice
        } else {
            LocateMethod::LocalAddress
        };
        return Location {
            place: Place::ThisDevice,
            hops: Some(0),
            method,
        };
    }
    let method = if request.via_proxy {
        LocateMethod::TtlTcpProxy
    } else {
        LocateMethod::TtlTls
    };
    let start = Instant::now();
    let deadline = start + budget;
    let mut connects = JoinSet::new();
    for ttl in 1..=MAX_HOPS {
        spawn_connect(&mut connects, request.peer, ttl, deadline);
    }
    let mut hops: Vec<Hop> = (0..MAX_HOPS).map(|_| Hop::Pending).collect();
    let mut retried = [0u8; MAX_HOPS as usize];
    // When silent nearer hops get their next SYN: set once a farther hop
    // has connected.
    let mut next_retry: Option<Instant> = None;
    let inconclusive = Location {
        place: Place::Unknown,
        hops: None,
        method: LocateMethod::Inconclusive,
    };
    loop {
        // The nearest hop not known to have failed.
        let Some(i) = hops.iter().position(|h| !matches!(h, Hop::Failed)) else {
            return inconclusive;
        };
        if let Hop::Connected(_) = hops[i] {
            let Hop::Connected(stream) = std::mem::replace(&mut hops[i], Hop::Failed) else {
                continue;
            };
            let ttl = u8::try_from(i + 1).unwrap_or(MAX_HOPS);
            let reached = request.via_proxy
                || timeout_at(deadline, forged_answer(stream, request, ttl))
                    .await
                    .unwrap_or(false);
            if reached {
                connects.abort_all();
                return Location {
                    place: Place::of_hops(ttl),
                    hops: Some(ttl),
                    method,
                };
            }
            if Instant::now() >= deadline {
                return inconclusive;
            }
            continue;
        }
        // Hop `i` is silent. If a farther hop has connected, its SYN went
        // out at the same moment and came back: hop `i`'s SYN or its ICMP
        // answer was probably lost (an interceptor's full accept queue
        // drops SYNs; an ICMP error that meets a busy socket only marks it)
        // and the kernel would resend it only after a second. Resend it
        // sooner, twice at most.
        let farther = hops[i..]
            .iter()
            .position(|h| matches!(h, Hop::Connected(_)));
        if let (Some(far), Some(at)) = (farther, next_retry)
            && Instant::now() >= at
        {
            let mut sent = false;
            for j in i..i + far {
                if matches!(hops[j], Hop::Pending) && retried[j] < RETRIES {
                    retried[j] += 1;
                    let ttl = u8::try_from(j + 1).unwrap_or(MAX_HOPS);
                    spawn_connect(&mut connects, request.peer, ttl, deadline);
                    sent = true;
                }
            }
            next_retry = sent.then(|| Instant::now() + retry_gap(start, at));
        }
        let wait_until = match next_retry {
            Some(at) if farther.is_some() => at.min(deadline),
            _ => deadline,
        };
        tokio::select! {
            joined = connects.join_next() => match joined {
                Some(Ok((ttl, outcome))) => {
                    let slot = &mut hops[usize::from(ttl - 1)];
                    // The first answer for a TTL counts; a retry's late
                    // twin is dropped.
                    if matches!(slot, Hop::Pending) {
                        if matches!(outcome, Hop::Connected(_)) && next_retry.is_none() {
                            next_retry = Some(Instant::now() + retry_gap(start, Instant::now()));
                        }
                        *slot = outcome;
                    }
                }
                Some(Err(_)) => {}
                // Every attempt reported, a nearer hop still silent, no
                // retry left: it timed out.
                None if farther.is_none() || next_retry.is_none() => return inconclusive,
                None => tokio::time::sleep_until(wait_until).await,
            },
            () = tokio::time::sleep_until(wait_until) => {
                if Instant::now() >= deadline {
                    return inconclusive;
                }
            }
        }
    }
}

/// How many times a silent hop is sent another SYN.
const RETRIES: u8 = 2;

/// How long to wait before resending the SYNs of silent hops, `then`
/// being when the first farther hop connected: as long as that took, at
/// least 100 ms.
fn retry_gap(start: Instant, then: Instant) -> Duration {
    then.saturating_duration_since(start)
        .max(Duration::from_millis(100))
}

fn spawn_connect(connects: &mut JoinSet<(u8, Hop)>, peer: SocketAddr, ttl: u8, deadline: Instant) {
    connects.spawn(async move {
        let outcome = match timeout_at(deadline, connect_with_ttl(peer, ttl)).await {
            Ok(Ok(stream)) => Hop::Connected(stream),
            Ok(Err(_)) => Hop::Failed,
            Err(_) => Hop::Pending,
        };
        (ttl, outcome)
    });
}

/// What one TTL's connection attempt came to.
enum Hop {
    /// Not known yet, or no answer by the deadline.
    Pending,
    /// Refused, unreachable, out of TTL, or answered by someone else.
    Failed,
    /// A TCP connection, not yet asked for a certificate.
    Connected(TcpStream),
}

async fn connect_with_ttl(peer: SocketAddr, ttl: u8) -> std::io::Result<TcpStream> {
    let socket = Socket::new(Domain::for_address(peer), Type::STREAM, Some(Protocol::TCP))?;
    if peer.is_ipv4() {
        socket.set_ttl_v4(u32::from(ttl))?;
    } else {
        socket.set_unicast_hops_v6(u32::from(ttl))?;
    }
    socket.set_nonblocking(true)?;
    let socket = TcpSocket::from_std_stream(std::net::TcpStream::from(socket));
    socket.connect(peer).await
}

/// Sends a ClientHello on `stream` (to `request.peer` with IP TTL `ttl`)
/// and says whether the leaf that came back is the interceptor's. A
/// chain rustls refuses (padded past 64 KiB) is read as the probe read it,
/// by the fallback over a fresh connection with the same TTL.
async fn forged_answer(mut stream: TcpStream, request: &TraceRequest, ttl: u8) -> bool {
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let host = request.host.as_str();
    let (Ok(config), Ok(name)) = (client_config(), ServerName::try_from(host.to_string())) else {
        return false;
    };
    let connector = tokio_rustls::TlsConnector::from(config);
    // The handshake may fail after the certificate (we accept anything, the
    // peer may not): what matters is the certificate it sent.
    let _ = super::danger::recording(recorded.clone(), connector.connect(name, &mut stream)).await;
    drop(stream);
    let mut leaf = recorded.lock().ok().and_then(|c| c.first().cloned());
    for offer in [super::fallback::Offer::Tls12, super::fallback::Offer::Tls13] {
        if leaf.is_some() {
            break;
        }
        let Ok(mut again) = connect_with_ttl(request.peer, ttl).await else {
            break;
        };
        leaf = super::fallback::read_chain(&mut again, host, offer)
            .await
            .ok()
            .and_then(|read| read.chain.into_iter().next());
    }
    leaf.is_some_and(|der| (request.is_forged)(&der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_this_device() {
        assert!(is_local("127.0.0.1".parse().unwrap()));
        assert!(is_local("::1".parse().unwrap()));
        // TEST-NET-3 is never an address of this machine.
        assert!(!is_local("203.0.113.7".parse().unwrap()));
    }

    #[test]
    fn hops_say_where() {
        assert_eq!(Place::of_hops(0), Place::ThisDevice);
        assert_eq!(Place::of_hops(1), Place::LocalNetwork);
        assert_eq!(Place::of_hops(3), Place::Upstream);
    }
}
