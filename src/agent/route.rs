//! The network the details page names: the default route's interface and
//! gateway, read from Linux's `/proc/net/route` (none elsewhere). The
//! parsing is pure; the page takes the result as plain data.

use crate::report::html::Network;

/// The default route's interface and gateway, where the platform says.
pub fn network() -> Option<Network> {
    #[cfg(target_os = "linux")]
    {
        const ROUTES: crate::util::Cap = crate::util::Cap {
            bytes: 1024 * 1024,
            what: "the routing table",
        };
        let text = crate::util::read_capped_string(std::path::Path::new("/proc/net/route"), ROUTES)
            .ok()?;
        from_proc_route(&text)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The default route in the text of Linux's `/proc/net/route`; `None` when
/// there is none (or the text is not such a table).
#[cfg(any(test, target_os = "linux"))]
pub fn from_proc_route(text: &str) -> Option<Network> {
    text.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (iface, dest, gateway, mask) =
            (cols.first()?, cols.get(1)?, cols.get(2)?, cols.get(7)?);
        if *dest != "00000000" || *mask != "00000000" {
            return None;
        }
        // The kernel prints the address's bytes as a native-endian number.
        let gateway = u32::from_str_radix(gateway, 16)
            .ok()
            .map(|n| std::net::Ipv4Addr::from(n.to_ne_bytes()))
            .filter(|ip| !ip.is_unspecified());
        Some(Network {
            interface: Some((*iface).to_string()),
            gateway,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn reads_the_default_route() {
        let table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                     wlan0\t0000A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0\n\
                     wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n";
        let net = from_proc_route(table).unwrap();
        assert_eq!(net.interface.as_deref(), Some("wlan0"));
        let expected = if cfg!(target_endian = "little") {
            Ipv4Addr::new(192, 168, 1, 1)
        } else {
            Ipv4Addr::new(1, 1, 168, 192)
        };
        assert_eq!(net.gateway, Some(expected));
        assert_eq!(from_proc_route("Iface\tDestination\n"), None);
        assert_eq!(from_proc_route("garbage"), None);
    }
}
