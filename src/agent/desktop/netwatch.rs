//! Network change events (address added or removed, interface up or down)
//! from netwatcher: netlink on Linux, NotifyIpInterfaceChange on Windows.

use netwatcher::async_adapter::Tokio;

/// A running watch.
pub struct NetWatch {
    inner: netwatcher::AsyncWatch,
}

impl NetWatch {
    /// Starts watching; the initial snapshot is consumed here.
    pub async fn start() -> Result<NetWatch, String> {
        let mut inner = netwatcher::watch_interfaces_async::<Tokio>().map_err(|e| e.to_string())?;
        let _initial = inner.changed().await;
        Ok(NetWatch { inner })
    }

    /// Waits for the next change; returns a one-line description of it.
    pub async fn changed(&mut self) -> String {
        let update = self.inner.changed().await;
        let added: Vec<String> = update
            .addrs_added()
            .map(|(_, r)| r.ip.to_string())
            .collect();
        let removed: Vec<String> = update
            .addrs_removed()
            .map(|(_, r)| r.ip.to_string())
            .collect();
        format!(
            "interfaces +{} -{}, addresses +[{}] -[{}]",
            update.diff.added.len(),
            update.diff.removed.len(),
            added.join(" "),
            removed.join(" ")
        )
    }
}
