//! The Windows build under Wine: `pinwatch.exe` (built by
//! `packaging/windows/build`, named by `PINWATCH_WINDOWS_EXE`, which
//! `scripts/test.sh` exports) run by Debian's wine64 in a Wine prefix of
//! the tests' own (`target/wine-prefix`, initialised once, `WINEDEBUG=-all`).
//!
//! The prefix is one machine: its registry (the proxy setting, the
//! CurrentUser Root store) is shared by every process in it. So a test
//! holds the prefix alone for its duration (an exclusive `flock` on
//! `target/wine-prefix.lock`, which serialises the Windows tests across
//! the runner's processes) and leaves the registry as it found it (its
//! changes are undone when its [`Registry`] guards drop).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use nix::fcntl::{Flock, FlockArg};

use super::process::{require, run, unavailable};

/// The environment variable naming the Windows binary.
pub const EXE_VAR: &str = "PINWATCH_WINDOWS_EXE";

/// The Wine prefix, held by this test until dropped.
pub struct Wine {
    exe: PathBuf,
    prefix: PathBuf,
    _lock: Flock<File>,
}

impl Wine {
    /// The Windows binary under Wine, with the prefix held; `None` (after
    /// [`unavailable`]) when wine64 or the binary is missing outside CI.
    pub fn start(test_part: &str) -> Option<Wine> {
        require(test_part, &[("wine", "wine64")])?;
        let Some(exe) = std::env::var_os(EXE_VAR).filter(|p| !p.is_empty()) else {
            unavailable(
                test_part,
                &format!(
                    "{EXE_VAR} is not set (scripts/test.sh builds pinwatch.exe with packaging/windows/build and sets it)"
                ),
            );
            return None;
        };
        let exe = PathBuf::from(exe);
        assert!(exe.is_file(), "{EXE_VAR}={} does not exist", exe.display());
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        let prefix = target.join("wine-prefix");
        let lock = File::create(target.join("wine-prefix.lock")).expect("create the prefix lock");
        let lock = Flock::lock(lock, FlockArg::LockExclusive)
            .map_err(|(_, e)| e)
            .expect("lock the Wine prefix");
        let wine = Wine {
            exe,
            prefix,
            _lock: lock,
        };
        if !wine.prefix.join("system.reg").is_file() {
            wine.wait("wineboot --init", wine.command("wineboot").arg("--init"));
        }
        Some(wine)
    }

    /// `program` (wine, wineboot, ...) with this prefix, no debug output,
    /// and none of the test machine's proxy or store variables.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No "install Mono/Gecko?" dialogs.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d");
        for key in super::LEAKY_ENV.iter().chain(&["SSL_CERT_FILE"]) {
            cmd.env_remove(key);
        }
        cmd
    }

    /// `wine pinwatch.exe` for [`super::Run::through`].
    pub fn outer(&self) -> super::Outer {
        super::Outer {
            program: "wine".into(),
            args: vec![self.exe.display().to_string()],
            envs: vec![
                ("WINEPREFIX".into(), self.prefix.display().to_string()),
                ("WINEDEBUG".into(), "-all".into()),
                (
                    "WINEDLLOVERRIDES".into(),
                    "mscoree,mshtml=;winemenubuilder.exe=d".into(),
                ),
            ],
        }
    }

    /// Runs `cmd` to completion (at most two minutes), asserting success;
    /// returns its stdout.
    pub fn wait(&self, what: &str, cmd: &mut Command) -> String {
        let taken = std::mem::replace(cmd, Command::new("true"));
        let (status, out, err) = run(what, taken, Duration::from_secs(120));
        assert!(status.success(), "{what}: {status}\n{out}\n{err}");
        out
    }

    /// Sets registry values from a `.reg` text (regedit's format, values
    /// only under `key`), undone when the guard drops.
    pub fn registry(&self, key: &str, values: &str) -> Registry<'_> {
        let guard = Registry {
            wine: self,
            key: key.to_string(),
        };
        guard.delete();
        let file = tempfile::Builder::new()
            .suffix(".reg")
            .tempfile()
            .expect("a .reg file");
        let text = format!("Windows Registry Editor Version 5.00\r\n\r\n[{key}]\r\n{values}\r\n");
        std::fs::write(file.path(), text).expect("write the .reg file");
        self.wait(
            "regedit /S",
            self.command("wine")
                .args(["regedit", "/S"])
                .arg(windows_path(file.path())),
        );
        guard
    }
}

/// A registry key a test set; deleted (with its values) when dropped.
pub struct Registry<'w> {
    wine: &'w Wine,
    key: String,
}

impl Registry<'_> {
    fn delete(&self) {
        // `reg delete` of a missing key fails; that is the state wanted.
        let mut cmd = self.wine.command("wine");
        cmd.args(["reg", "delete", &self.key, "/f"]);
        let _ = run("reg delete", cmd, Duration::from_secs(120));
    }
}

impl Drop for Registry<'_> {
    fn drop(&mut self) {
        self.delete();
    }
}

/// `path` as Windows programs under Wine see it (drive Z: is `/`).
pub fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// A `.reg` hex value: `hex:aa,bb,...`.
pub fn reg_hex(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("hex:{}", hex.join(","))
}

/// A serialized certificate store element holding `der` (property 32,
/// CERT_CERT_PROP_ID: the encoded certificate), as the registry-backed
/// stores keep each certificate in its `Blob` value.
pub fn store_blob(der: &[u8]) -> Vec<u8> {
    let len = u32::try_from(der.len()).expect("a certificate under 4 GiB");
    let mut out = Vec::with_capacity(12 + der.len());
    for word in [32u32, 1, len] {
        out.extend(word.to_le_bytes());
    }
    out.extend(der);
    out
}

/// The upper-case hex SHA-1 of `der`: a store's registry key name for it.
pub fn thumbprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der);
    digest.as_ref().iter().map(|b| format!("{b:02X}")).collect()
}

/// A screen for the prefix's windows: Xvfb at 1024x768 with Wine's virtual
/// desktop (`HKCU\Software\Wine\Explorer`: every program of the prefix on
/// the desktop `Default`, 1024x768), whose taskbar has a notification
/// area (drawn once an icon is in it). The prefix's processes
/// (`wineserver -k`), the registry values and Xvfb go when it drops.
pub struct WineDesktop<'w> {
    wine: &'w Wine,
    display: String,
    /// The desktop's own process (Wine's explorer, which draws it).
    _explorer_process: Option<super::process::Proc>,
    _xvfb: super::process::Proc,
    _explorer: Registry<'w>,
    _desktops: Registry<'w>,
}

/// The part of a screenshot a test looks at: (x, y, width, height).
pub type Area = (u32, u32, u32, u32);

/// The taskbar's notification area, bottom right of the 1024x768 desktop.
pub const TRAY_AREA: Area = (824, 742, 200, 26);

/// Above the notification area, where a balloon pointing at it is drawn.
pub const BALLOON_AREA: Area = (424, 440, 600, 300);

impl Wine {
    /// Starts Xvfb, puts the prefix's programs on a virtual desktop on it
    /// and waits until the desktop is drawn; `None` (after
    /// [`unavailable`]) without Xvfb or ImageMagick outside CI.
    pub fn desktop(&self, test_part: &str) -> Option<WineDesktop<'_>> {
        require(
            test_part,
            &[
                ("Xvfb", "xvfb"),
                ("import", "imagemagick"),
                ("convert", "imagemagick"),
            ],
        )?;
        // A desktop from an earlier display would stay on it.
        self.kill_all();
        let mut cmd = Command::new("Xvfb");
        cmd.args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1024x768x24",
            "-nolisten",
            "tcp",
        ]);
        let mut xvfb = super::process::Proc::spawn("Xvfb", cmd);
        let number =
            xvfb.wait_stdout_line(Duration::from_secs(30), |l| l.trim().parse::<u32>().is_ok());
        let explorer = self.registry(
            "HKEY_CURRENT_USER\\Software\\Wine\\Explorer",
            "\"Desktop\"=\"Default\"",
        );
        let desktops = self.registry(
            "HKEY_CURRENT_USER\\Software\\Wine\\Explorer\\Desktops",
            "\"Default\"=\"1024x768\"",
        );
        let mut desktop = WineDesktop {
            wine: self,
            display: format!(":{}", number.trim()),
            _explorer_process: None,
            _xvfb: xvfb,
            _explorer: explorer,
            _desktops: desktops,
        };
        let mut cmd = self.command("wine");
        cmd.args(["explorer", "/desktop=Default,1024x768"])
            .env("DISPLAY", &desktop.display);
        desktop._explorer_process = Some(super::process::Proc::spawn("explorer", cmd));
        // Drawn: Xvfb's black is gone. (Wine draws its taskbar once an
        // icon is in its notification area.)
        let drawn = super::process::poll(Duration::from_secs(60), || {
            let tray = colours(&desktop.screenshot("windows-desktop"), TRAY_AREA);
            (!tray.is_empty() && !tray.contains_key("#000000")).then_some(())
        });
        assert!(drawn.is_some(), "Wine's desktop is drawn");
        Some(desktop)
    }

    /// Ends every process of the prefix and waits for the server to go.
    fn kill_all(&self) {
        let mut cmd = self.command("wineserver");
        cmd.arg("-k");
        let _ = run("wineserver -k", cmd, Duration::from_secs(60));
        let mut cmd = self.command("wineserver");
        cmd.arg("-w");
        let _ = run("wineserver -w", cmd, Duration::from_secs(60));
    }
}

impl WineDesktop<'_> {
    /// `wine pinwatch.exe` on this desktop, for [`super::Run::through`].
    pub fn outer(&self) -> super::Outer {
        let mut outer = self.wine.outer();
        outer.envs.push(("DISPLAY".into(), self.display.clone()));
        outer
    }

    /// Saves the screen as `target/test-artifacts/<name>.png`.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
        std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
        let path = dir.join(format!("{name}.png"));
        let mut cmd = Command::new("import");
        cmd.args(["-display", &self.display, "-window", "root"])
            .arg(&path);
        let (status, _, err) = run("import", cmd, Duration::from_secs(60));
        assert!(status.success(), "screenshot {}: {err}", path.display());
        path
    }
}

impl Drop for WineDesktop<'_> {
    fn drop(&mut self) {
        self.wine.kill_all();
    }
}

/// How many pixels of `area` in the image at `path` have each colour
/// (`#RRGGBB`), from ImageMagick's histogram.
pub fn colours(path: &Path, area: Area) -> std::collections::HashMap<String, u64> {
    let (x, y, w, h) = area;
    let mut cmd = Command::new("convert");
    cmd.arg(path)
        .arg("-crop")
        .arg(format!("{w}x{h}+{x}+{y}"))
        .args([
            "+repage",
            "-depth",
            "8",
            "-format",
            "%c",
            "histogram:info:-",
        ]);
    let (status, out, err) = run("convert histogram", cmd, Duration::from_secs(60));
    assert!(status.success(), "histogram of {}: {err}", path.display());
    // "     15: (164, 14, 38) #A40E26 srgb(164,14,38)"
    out.lines()
        .filter_map(|l| {
            let (count, rest) = l.trim().split_once(':')?;
            let colour = rest.split_whitespace().find(|w| w.starts_with('#'))?;
            Some((colour.get(..7)?.to_uppercase(), count.trim().parse().ok()?))
        })
        .collect()
}
