//! Knowledge bundles end to end: `pinwatch pins update` from files and
//! from real HTTP and HTTPS servers on 127.0.0.1 serving bundles the tests
//! made and signed with test keys (trusted through the config's
//! `trusted_keys`, as an administrator's own key); the check's verdicts and
//! `knowledge` object before and after; replays, bad signatures, unknown
//! keys, truncated and oversized downloads, newer formats; expired
//! knowledge; an intercepted update channel; `kill -9` and a full disk
//! during an update; the agent picking up a new bundle.

use std::time::Duration;

use crate::support::bundles::{
    BASE, Signer, body, header, http_server, https_server, stalling_server, zeros_server,
};
use crate::support::pki::Validity;
use crate::support::process::{require, unavailable};
use crate::support::server::Server;
use crate::support::{Report, World, has_reason};

/// The host the tests' update server pretends to be.
const UPDATES: &str = "updates.pinwatch.test";

/// `pinwatch check HOST` against `server` with the knowledge in use (no
/// `--pins`) and the test root as the public store.
fn check(world: &World, server: &Server) -> Report {
    world
        .bare_check(&world.path("system.pem"))
        .via(server)
        .arg("--public-roots")
        .arg(world.path("public-roots.pem").display())
        .json()
}

#[test]
fn a_newer_bundle_changes_the_verdict_and_a_replay_is_refused() {
    let world = World::new();
    let signer = Signer::new();
    world.trust(&signer);
    let genuine = world.genuine_server();
    let mismatch = world.bundle_tree("mismatch", &world.mismatching_pins());
    let pinned = world.bundle_tree("pinned", &world.pins());
    let older = signer.bundle(&mismatch, header(BASE, 1));
    let newer = signer.bundle(&pinned, header(BASE + 1, 0));
    let served = body(older.clone());
    let http = http_server(served.clone());
    let url = format!("{}/knowledge.bundle", http.url());

    let out = world.update(&url, &[]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(
        out.stdout.starts_with(&format!(
            "Knowledge updated: bundle {BASE} from {url} (signed by key {}",
            signer.id()
        )),
        "{out:#?}"
    );
    let report = check(&world, &genuine);
    report.expect("suspicious", &["pin_mismatch"], 1);
    assert_eq!(report.doc["knowledge"]["sequence"], BASE, "{report:?}");
    assert_eq!(
        report.doc["knowledge"]["source"],
        url.as_str(),
        "{report:?}"
    );
    assert_eq!(report.doc["knowledge"]["signer"], signer.id(), "{report:?}");
    assert_eq!(report.doc["knowledge"]["expired"], false, "{report:?}");

    // A pin added for the test service: the same chain is now ok.
    *served.lock().expect("body") = newer.clone();
    let out = world.update(&url, &[]);
    assert_eq!(out.code, 0, "{out:#?}");
    let report = check(&world, &genuine);
    report.expect("ok", &["pin_match"], 0);
    assert_eq!(report.doc["knowledge"]["sequence"], BASE + 1, "{report:?}");
    // Each JSON line carries the same `knowledge` object.
    let lines = world
        .bare_check(&world.path("system.pem"))
        .via(&genuine)
        .arg("--public-roots")
        .arg(world.path("public-roots.pem").display())
        .arg("--format")
        .arg("jsonl")
        .output();
    assert_eq!(lines.code, 0, "{lines:#?}");
    let line: serde_json::Value =
        serde_json::from_str(lines.stdout.trim_end()).expect("one JSON line");
    assert_eq!(line["schema"], "pinwatch.result/2", "{line:#}");
    assert_eq!(line["knowledge"], report.doc["knowledge"], "{line:#}");

    // The older bundle again (a replay, or a network rolling back): refused.
    *served.lock().expect("body") = older;
    let out = world.update(&url, &[]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert_eq!(
        out.stdout.trim_end(),
        format!(
            "{url}: refused: bundle {BASE} is older than bundle {}, already accepted from key {}: a replayed or rolled-back bundle is never installed. The knowledge in use is unchanged (bundle {}).",
            BASE + 1,
            signer.id(),
            BASE + 1
        ),
        "{out:#?}"
    );
    let zh = world.update(&url, &["--lang", "zh"]);
    assert_eq!(zh.code, 1, "{zh:#?}");
    assert_eq!(
        zh.stdout.trim_end(),
        format!(
            "{url}：已拒绝：知识包{BASE}比已从密钥{}接受的知识包{}更旧：重放或回滚的知识包永远不会被安装。正在使用的知识未改变（知识包{}）。",
            signer.id(),
            BASE + 1,
            BASE + 1
        ),
        "{zh:#?}"
    );
    assert_eq!(world.stored_bundle().as_deref(), Some(&newer[..]));
    check(&world, &genuine).expect("ok", &["pin_match"], 0);

    let list = world.run(&["pins", "list"]).output();
    assert!(
        list.stdout.starts_with(&format!(
            "Knowledge: bundle {} ({url}), issued {}, 0 days old, current until",
            BASE + 1,
            &header(0, 0).to_comment()["pinwatch-knowledge format=1 sequence=0 issued_at=".len()..]
                [..10]
        )),
        "{list:#?}"
    );

    // The same bundle once more: nothing to do.
    *served.lock().expect("body") = newer;
    let out = world.update(&url, &[]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(
        out.stdout.starts_with("Knowledge is up to date"),
        "{out:#?}"
    );
}

#[test]
fn broken_and_foreign_bundles_are_refused_and_change_nothing() {
    let world = World::new();
    let signer = Signer::new();
    world.trust(&signer);
    let tree = world.bundle_tree("tree", &world.pins());
    let good = signer.bundle(&tree, header(BASE, 0));
    let file = |name: &str, bytes: &[u8]| {
        let path = world.path(name);
        std::fs::write(&path, bytes).expect("write a bundle file");
        path.display().to_string()
    };
    let out = world.update(&file("good.bundle", &good), &[]);
    assert_eq!(out.code, 0, "{out:#?}");
    let before = world.knowledge_in_use();
    assert_eq!(before["sequence"], BASE);

    let mut changed = signer.bundle(&tree, header(BASE + 1, 0));
    let last = changed.len() - 10;
    changed[last] ^= 0x20;
    let stranger = Signer::new();
    let foreign = stranger.bundle(&tree, header(BASE + 1, 0));
    let cut = signer.bundle(&tree, header(BASE + 1, 0));
    let cut = &cut[..cut.len() / 2];
    let mut newer_format = header(BASE + 1, 0);
    newer_format.format = 2;
    let newer_format = signer.bundle(&tree, newer_format);
    let unsigned = pinwatch_knowledge::bundle::Payload::from_dir(&tree, header(BASE + 1, 0))
        .expect("a payload")
        .to_bytes();
    // Each refused with its reason, in English and in Chinese.
    let changed_zh = format!("密钥{}的签名与内容不符：文件被改动过或不完整", signer.id());
    let cases: [(&str, &[u8], String, String); 5] = [
        (
            "changed.bundle",
            &changed,
            format!(
                "the signature of key {} does not match its contents: the file was changed or cut short",
                signer.id()
            ),
            changed_zh.clone(),
        ),
        (
            "foreign.bundle",
            &foreign,
            format!(
                "signed with key {}, which this pinwatch does not trust",
                stranger.id()
            ),
            format!("由密钥{}签名，但这个 pinwatch 不信任该密钥", stranger.id()),
        ),
        (
            "cut.bundle",
            cut,
            format!(
                "the signature of key {} does not match its contents: the file was changed or cut short",
                signer.id()
            ),
            changed_zh,
        ),
        (
            "newer-format.bundle",
            &newer_format,
            "it is in format 2; this pinwatch reads format 1: update pinwatch first".into(),
            "它的格式是2，这个 pinwatch 只能读取格式1：请先更新 pinwatch".into(),
        ),
        (
            "unsigned.bundle",
            &unsigned,
            "not signed: a knowledge bundle starts with its minisign signature".into(),
            "没有签名：知识包以它的 minisign 签名开头".into(),
        ),
    ];
    for (name, bytes, why, why_zh) in cases {
        let path = file(name, bytes);
        let out = world.update(&path, &[]);
        assert_eq!(out.code, 1, "{name}: {out:#?}");
        assert_eq!(
            out.stdout.trim_end(),
            format!("{path}: refused: {why}. The knowledge in use is unchanged (bundle {BASE})."),
            "{name}"
        );
        let zh = world.update(&path, &["--lang", "zh"]);
        assert_eq!(zh.code, 1, "{name}: {zh:#?}");
        assert_eq!(
            zh.stdout.trim_end(),
            format!("{path}：已拒绝：{why_zh}。正在使用的知识未改变（知识包{BASE}）。"),
            "{name}"
        );
        assert_eq!(world.stored_bundle().as_deref(), Some(&good[..]), "{name}");
        assert_eq!(world.knowledge_in_use(), before, "{name}");
    }

    // 2 GB of zeros, streamed by the server: refused at 8 MiB, never held.
    let zeros = zeros_server(2 * 1024 * 1024 * 1024);
    let url = format!("{}/knowledge.bundle", zeros.url());
    let out = world.update(&url, &[]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert_eq!(
        out.stdout.trim_end(),
        format!(
            "{url}: refused: larger than 8 MiB: not a knowledge bundle. The knowledge in use is unchanged (bundle {BASE})."
        )
    );
    assert_eq!(world.stored_bundle().as_deref(), Some(&good[..]));
    // And a file of 2 GB (sparse): refused by its size, unread.
    let big = world.path("big.bundle");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(2 * 1024 * 1024 * 1024))
        .expect("a sparse file");
    let out = world.update(&big.display().to_string(), &[]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stdout.contains("refused: larger than 8 MiB"),
        "{out:#?}"
    );
    assert_eq!(world.knowledge_in_use(), before);
}

#[test]
fn expired_knowledge_warns_and_past_70_days_pin_mismatches_stop_alarming() {
    let world = World::new();
    let signer = Signer::new();
    world.trust(&signer);
    let tree = world.bundle_tree("mismatch", &world.mismatching_pins());
    let path = world.path("old.bundle");
    std::fs::write(&path, signer.bundle(&tree, header(BASE, 80))).expect("write");
    let out = world.update(&path.display().to_string(), &[]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(
        out.stdout.contains("It is already past its expiry date"),
        "{out:#?}"
    );

    let genuine = world.genuine_server();
    let report = check(&world, &genuine);
    let result = report.expect("ok", &["public_root"], 0);
    assert!(!has_reason(result, "pin_mismatch"), "{report:?}");
    let codes: Vec<&str> = result["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert!(codes.contains(&"pin_mismatch"), "{report:?}");
    assert!(codes.contains(&"knowledge_old"), "{report:?}");
    let knowledge = &report.doc["knowledge"];
    assert_eq!(
        (
            &knowledge["expired"],
            &knowledge["pins_relaxed"],
            &knowledge["age_days"]
        ),
        (
            &serde_json::json!(true),
            &serde_json::json!(true),
            &serde_json::json!(80)
        ),
        "{report:?}"
    );
    let warned = report.doc["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| {
            w.as_str().is_some_and(|w| {
                w.starts_with(&format!("pinwatch's knowledge (bundle {BASE}) expired on"))
                    && w.contains("80 days old")
            })
        });
    assert!(warned, "{report:?}");

    // A forged chain is judged the same at any age.
    let forged = Server::forging(world.evil.clone());
    check(&world, &forged).expect("intercepted", &["untrusted_root"], 2);

    // The text report says it too.
    let text = world
        .bare_check(&world.path("system.pem"))
        .via(&genuine)
        .arg("--public-roots")
        .arg(world.path("public-roots.pem").display())
        .arg("--format")
        .arg("text")
        .output();
    assert_eq!(text.code, 0, "{text:#?}");
    assert!(
        text.stdout
            .contains("past 70 days a pin mismatch alone no longer makes a result suspicious"),
        "{text:#?}"
    );
}

#[test]
fn an_intercepted_update_channel_is_reported_and_the_old_knowledge_kept() {
    let world = World::new();
    let signer = Signer::new();
    world.trust(&signer);
    let tree = world.bundle_tree("tree", &world.pins());
    let bytes = signer.bundle(&tree, header(BASE, 0));
    let url = format!("https://{UPDATES}/knowledge.bundle");

    // The genuine update server: judged ok, then fetched.
    let genuine = https_server(
        &world.leaf(&[UPDATES], Validity::Current),
        body(bytes.clone()),
    );
    let connect = format!("{UPDATES}:443:127.0.0.1:{}", genuine.addr().port());
    let out = world.update(&url, &["--connect-to", &connect]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(
        out.stdout
            .starts_with(&format!("Knowledge updated: bundle {BASE} from {url}")),
        "{out:#?}"
    );
    assert_eq!(genuine.seen(), ["GET /knowledge.bundle HTTP/1.1"]);

    // The same URL through an interceptor: reported, nothing fetched.
    let forging = Server::forging(world.evil.clone());
    let connect = format!("{UPDATES}:443:127.0.0.1:{}", forging.addr().port());
    let out = world.update(&url, &["--connect-to", &connect]);
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stdout.starts_with(&format!(
            "INTERCEPTED: pinwatch's own knowledge updates from {url} are intercepted. Nothing was fetched over that connection, and the knowledge in use is unchanged (bundle {BASE})."
        )),
        "{out:#?}"
    );
    // In the check's own words: the table and the incident's paragraph.
    assert!(
        out.stdout
            .contains(&format!("INTERCEPTED  {UPDATES}:443  pinwatch updates")),
        "{out:#?}"
    );
    assert!(
        out.stdout.contains("issuer: CN=Evil Corp Interception CA"),
        "{out:#?}"
    );
    assert_eq!(world.stored_bundle().as_deref(), Some(&bytes[..]));
    assert_eq!(world.knowledge_in_use()["sequence"], BASE);
}

#[test]
fn kill_9_during_an_update_leaves_the_old_bundle_whole() {
    let world = World::new();
    let signer = Signer::new();
    world.trust(&signer);
    let tree = world.bundle_tree("tree", &world.pins());
    let old = signer.bundle(&tree, header(BASE, 0));
    let path = world.path("old.bundle");
    std::fs::write(&path, &old).expect("write");
    assert_eq!(world.update(&path.display().to_string(), &[]).code, 0);

    let newer = signer.bundle(&tree, header(BASE + 1, 0));
    let half = newer.len() / 2;
    let stalling = stalling_server(newer, half);
    let url = format!("{}/knowledge.bundle", stalling.url());
    let mut child = world
        .run(&["pins", "update", "--from", &url, "--timeout", "60s"])
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start pinwatch pins update");
    let started = std::time::Instant::now();
    while !stalling.seen().iter().any(|l| l == "stalled") {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the update never fetched"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid")),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill -9");
    let status = child.wait().expect("wait");
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
    assert_eq!(world.stored_bundle().as_deref(), Some(&old[..]));
    assert_eq!(world.knowledge_in_use()["sequence"], BASE);
}

#[test]
fn a_full_disk_leaves_the_old_bundle_whole() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0");
    if !root {
        unavailable(
            "a_full_disk_leaves_the_old_bundle_whole",
            "mounting a small tmpfs needs root",
        );
        return;
    }
    if require("a full disk", &[("mount", "mount"), ("umount", "mount")]).is_none() {
        return;
    }
    let world = World::new();
    let state = world.path("xdg-state");
    std::fs::create_dir_all(&state).expect("create the state dir");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=600k", "pinwatch-full-disk"])
        .arg(&state)
        .status()
        .expect("run mount");
    assert!(mounted.success(), "mount a tmpfs at {}", state.display());
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(state.clone());

    let signer = Signer::new();
    world.trust(&signer);
    let tree = world.bundle_tree("tree", &world.pins());
    let old = signer.bundle(&tree, header(BASE, 0));
    let path = world.path("old.bundle");
    std::fs::write(&path, &old).expect("write");
    assert_eq!(world.update(&path.display().to_string(), &[]).code, 0);

    // A bundle that cannot fit beside the old one.
    let padding = format!("# {}\n", "x".repeat(500 * 1024));
    let authorities = tree.join("authorities.toml");
    let text = std::fs::read_to_string(&authorities).expect("read");
    std::fs::write(&authorities, format!("{padding}{text}")).expect("write");
    let big = world.path("big.bundle");
    std::fs::write(&big, signer.bundle(&tree, header(BASE + 1, 0))).expect("write");
    let out = world.update(&big.display().to_string(), &[]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stdout.contains("cannot save: No space left on device"),
        "{out:#?}"
    );
    assert_eq!(world.stored_bundle().as_deref(), Some(&old[..]));
    assert_eq!(world.knowledge_in_use()["sequence"], BASE);
}

#[test]
fn the_agent_fetches_after_a_network_change_and_uses_the_new_bundle_on_its_next_cycle() {
    use crate::support::agent::{CYCLE, toml_list};
    use crate::support::netns::NetNs;
    use crate::support::server::Switch;

    let world = World::new();
    let Some(mut ns) = NetNs::create() else {
        return;
    };
    let signer = Signer::new();
    let genuine = world.genuine_server();
    let mut switch = Switch::to(&genuine);
    let socket = world.path("switch.sock");
    switch.listen_unix(&socket);
    let _forward = ns.forward(8443, &socket);
    // The bundles come from a file the admin replaces (a file share).
    let source = world.path("share/knowledge.bundle");
    std::fs::create_dir_all(world.path("share")).expect("create the share");
    let mismatch = world.bundle_tree("mismatch", &world.mismatching_pins());
    let pinned = world.bundle_tree("pinned", &world.pins());
    std::fs::write(&source, signer.bundle(&mismatch, header(BASE, 1))).expect("write");
    let mut agent = world
        .agent()
        .via(8443)
        .unset("pins")
        .set("update_from", &toml_list(&[source.display().to_string()]))
        .set("trusted_keys", &toml_list(&[signer.public()]))
        .spawn_in(&ns);
    // Fetched at start: the first cycle judges with bundle BASE.
    agent.wait_log(&format!("Knowledge updated: bundle {BASE}"), CYCLE);
    agent.expect_cycle(1, "checked (start): 0 ok, 1 suspicious", None);

    // A newer bundle on the share, then a network change: fetched, and the
    // very next cycle judges with it, without a restart.
    std::fs::write(&source, signer.bundle(&pinned, header(BASE + 1, 0))).expect("write");
    ns.add_address();
    agent.wait_log(&format!("Knowledge updated: bundle {}", BASE + 1), CYCLE);
    agent.wait_log(
        &format!("now judging with knowledge bundle {}", BASE + 1),
        CYCLE,
    );
    let cycles = agent.wait_cycles(2);
    assert!(
        cycles[1].starts_with("pinwatch agent: checked (network): 1 ok"),
        "{}",
        agent.log()
    );
    assert_eq!(agent.stop(), 0);
}

/// What `pinwatch pins bundle` builds (the knowledge crate's builder,
/// which that command of the `maintainer` feature calls) from the shipped
/// `pins/`, signed with a key made by the reference tool (`minisign -G`):
/// `minisign -V` verifies it, its trusted comment carrying the header, and
/// refuses it changed; `pins update` installs it with that key trusted.
#[test]
fn a_bundle_from_the_builder_verifies_with_minisign_and_installs() {
    use pinwatch_knowledge::bundle::{Signed, build};
    if require("the reference minisign", &[("minisign", "minisign")]).is_none() {
        return;
    }
    let world = World::new();
    let (public, secret) = (world.path("test.pub"), world.path("test.key"));
    let made = std::process::Command::new("minisign")
        .args(["-G", "-W", "-p"])
        .arg(&public)
        .arg("-s")
        .arg(&secret)
        .output()
        .expect("minisign -G");
    assert!(made.status.success(), "{made:?}");
    let key_text = std::fs::read_to_string(&secret).expect("the secret key");
    let pins = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pins");
    let (bytes, payload) = build(&pins, header(BASE, 0), &key_text, None, false).expect("a bundle");
    let bundle = world.path("knowledge.bundle");
    std::fs::write(&bundle, &bytes).expect("write the bundle");

    // The bundle is a minisign signature followed by what it signs.
    let signed = Signed::split(&bytes).expect("a signed bundle");
    let (message, signature) = (
        world.path("payload.json"),
        world.path("payload.json.minisig"),
    );
    std::fs::write(&message, signed.payload).expect("write the payload");
    std::fs::write(&signature, signed.signature).expect("write the signature");
    let verify = || {
        std::process::Command::new("minisign")
            .args(["-V", "-p"])
            .arg(&public)
            .arg("-m")
            .arg(&message)
            .arg("-x")
            .arg(&signature)
            .output()
            .expect("minisign -V")
    };
    let checked = verify();
    let said = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "{checked:?}");
    assert!(
        said.contains("Signature and comment signature verified"),
        "{said}"
    );
    assert!(
        said.contains(&format!("Trusted comment: {}", payload.header.to_comment())),
        "{said}"
    );
    let mut changed = signed.payload.to_vec();
    let last = changed.len() - 2;
    changed[last] ^= 1;
    std::fs::write(&message, &changed).expect("write the changed payload");
    assert!(!verify().status.success(), "minisign refuses it changed");

    let public_key = std::fs::read_to_string(&public).expect("the public key");
    let public_key = public_key.lines().nth(1).expect("its key line");
    let dir = world.path("config/pinwatch");
    std::fs::create_dir_all(&dir).expect("create the config directory");
    crate::support::write_file(
        &dir.join("config.toml"),
        &format!("trusted_keys = [\"{public_key}\"]\n"),
    );
    let out = world.update(&bundle.display().to_string(), &[]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(world.knowledge_in_use()["sequence"], BASE);
    assert_eq!(world.stored_bundle().as_deref(), Some(&bytes[..]));
}
