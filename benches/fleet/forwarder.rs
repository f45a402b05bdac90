//! The fleet benchmark's network: a user-space forwarder that moves every
//! IP packet between a TUN device in each of two network namespaces and
//! holds it a fixed delay on the way, as netem would (this kernel has no
//! `sch_netem`). For each direction a reader thread (reads a packet, stamps
//! when it is due) and a writer thread (sleeps until then, writes it to the
//! other device): a burst of a thousand handshakes costs a few
//! microseconds of CPU a packet.

use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tun_tap::{Iface, Mode};

/// Attaches to the TUN device `name` (made beforehand with `ip tuntap`),
/// in the network namespace of the calling thread.
pub fn open_tun(name: &str) -> std::io::Result<Iface> {
    Iface::without_packet_info(name, Mode::Tun)
}

/// The running forwarder. Its readers block in `read`: to stop, the TUN
/// devices are deleted (`stop`), which ends their reads with an error.
pub struct Forwarder {
    threads: Vec<JoinHandle<()>>,
}

impl Forwarder {
    /// Forwards between `a` and `b`, each packet held `delay`.
    pub fn start(a: Iface, b: Iface, delay: Duration) -> Forwarder {
        let (a, b) = (Arc::new(a), Arc::new(b));
        let mut threads = Vec::new();
        for (from, to) in [(a.clone(), b.clone()), (b, a)] {
            let (due_tx, due_rx) = mpsc::channel();
            threads.push(std::thread::spawn(move || read_loop(&from, &due_tx, delay)));
            threads.push(std::thread::spawn(move || write_loop(&to, &due_rx)));
        }
        Forwarder { threads }
    }

    /// Waits (at most two seconds) for the threads to end once the devices
    /// are gone; a thread still blocked after that is left to the process's
    /// exit.
    pub fn join(mut self) {
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline && self.threads.iter().any(|t| !t.is_finished()) {
            std::thread::sleep(Duration::from_millis(10));
        }
        for t in self.threads.drain(..).filter(JoinHandle::is_finished) {
            let _ = t.join();
        }
    }
}

/// Reads packets until the device goes, each stamped with when it is due.
fn read_loop(from: &Iface, due: &mpsc::Sender<(Instant, Vec<u8>)>, delay: Duration) {
    let mut buf = vec![0u8; 65536];
    loop {
        match from.recv(&mut buf) {
            Ok(n) if n > 0 => {
                if due
                    .send((Instant::now() + delay, buf[..n].to_vec()))
                    .is_err()
                {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            _ => return,
        }
    }
}

/// Writes each packet when it is due (in order: the delay is the same for
/// all); a packet the kernel refuses is dropped, as a full link would.
fn write_loop(to: &Iface, due: &mpsc::Receiver<(Instant, Vec<u8>)>) {
    for (at, packet) in due {
        let now = Instant::now();
        if at > now {
            std::thread::sleep(at - now);
        }
        let _ = to.send(&packet);
    }
}
