//! `pinwatch pins list|show|verify|capture` and the user's own services,
//! end to end.

use crate::support::server::Server;
use crate::support::{HOST, World, write_file};

#[test]
fn list_and_show_describe_a_pins_directory() {
    let world = World::new();
    let pins = world.path("pins");
    let list = world
        .run(&["pins", "list", "--format", "json", "--pins"])
        .arg(pins.display())
        .json();
    assert_eq!(list.out.code, 0, "{list:?}");
    let chat = &list.doc["services"][0];
    assert_eq!(
        (chat["name"].as_str(), chat["stale"].as_bool()),
        (Some("chat"), Some(false)),
        "{list:?}"
    );
    assert_eq!(chat["hosts"][0]["name"], HOST, "{list:?}");

    let show = world
        .run(&["pins", "show", "chat", "--pins"])
        .arg(pins.display())
        .output();
    assert_eq!(show.code, 0, "{show:?}");
    assert!(
        show.stdout
            .contains("Pinwatch Test Root [pinwatch-test-root]"),
        "{show:?}"
    );
    assert!(show.stdout.contains("your test messages"), "{show:?}");

    let unknown = world
        .run(&["pins", "show", "icq", "--pins"])
        .arg(pins.display())
        .output();
    unknown.expect_usage_error("unknown service `icq` (known: chat)");
}

#[test]
fn the_built_in_pins_list_every_chat_service() {
    let world = World::new();
    let list = world.run(&["pins", "list", "--format", "json"]).json();
    let names: Vec<&str> = list.doc["services"]
        .as_array()
        .expect("test fixture")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    for name in [
        "wechat", "qq", "chatgpt", "signal", "whatsapp", "telegram", "deepseek", "feishu",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let verify = world.run(&["pins", "verify"]).output();
    assert_eq!(verify.code, 0, "{verify:?}");
    assert!(verify.stdout.contains("0 error(s)"), "{verify:?}");
}

#[test]
fn verify_names_what_is_wrong_and_exits_1() {
    let world = World::new();
    let pins = world.path("pins");
    // No backup pin in the test service: an error.
    let out = world.run(&["pins", "verify"]).arg(pins.display()).output();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("service `chat` has no backup pin"),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("is marked root but its key"),
        "the test root is not in webpki-roots: {out:?}"
    );

    // A second service claiming the same host.
    let copy = std::fs::read_to_string(pins.join("services/chat.toml")).expect("test fixture");
    write_file(
        &pins.join("services/chat2.toml"),
        &copy.replace("name = \"chat\"", "name = \"chat2\""),
    );
    let out = world.run(&["pins", "verify"]).arg(pins.display()).output();
    assert!(
        out.stdout
            .contains(&format!("host `{HOST}` is in both `chat` and `chat2`")),
        "{out:?}"
    );

    // An unknown authority: the file, line and column.
    write_file(
        &pins.join("services/chat2.toml"),
        &copy.replace("authority = \"pinwatch-test-root\"", "authority = \"nope\""),
    );
    let out = world.run(&["pins", "verify"]).arg(pins.display()).output();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("chat2.toml:13:13: error: pin.authority: unknown authority `nope`"),
        "{out:?}"
    );
}

#[test]
fn capture_prints_pins_for_a_trusted_chain_only() {
    let world = World::new();
    let genuine = world.genuine_server();
    let connect = format!("{HOST}:443:127.0.0.1:{}", genuine.addr().port());
    let roots = world.path("public-roots.pem");
    let out = world
        .run(&[
            "pins",
            "capture",
            HOST,
            "--connect-to",
            &connect,
            "--public-roots",
        ])
        .arg(roots.display())
        .output();
    assert_eq!(out.code, 0, "{out:?}");
    let table: toml::Table =
        toml::from_str(&out.stdout).unwrap_or_else(|e| panic!("not TOML ({e}): {out:?}"));
    let pins = table["pin"].as_array().expect("test fixture");
    assert_eq!(pins.len(), 2, "leaf and intermediate: {out:?}");
    assert_eq!(
        pins[1]["spki_sha256"].as_str(),
        Some(world.intermediate.spki_sha256().as_str())
    );
    assert!(
        pins[1]["label"]
            .as_str()
            .expect("test fixture")
            .contains("Pinwatch Test Issuing CA"),
        "{out:?}"
    );

    let forging = Server::forging(world.evil.clone());
    let connect = format!("{HOST}:443:127.0.0.1:{}", forging.addr().port());
    let run = |extra: &[&str]| {
        let mut args = vec!["pins", "capture", HOST, "--connect-to", &connect];
        args.extend(extra);
        world
            .run(&args)
            .arg("--public-roots")
            .arg(roots.display())
            .output()
    };
    let refused = run(&[]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stdout.is_empty(),
        "no pins for a forged chain: {refused:?}"
    );
    assert!(
        refused.stderr.contains("not publicly trusted"),
        "{refused:?}"
    );
    let forced = run(&["--allow-untrusted"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert!(
        forced
            .stdout
            .contains("WARNING: this chain is NOT publicly trusted"),
        "{forced:?}"
    );
}

#[test]
fn a_users_own_service_is_used_without_rebuilding() {
    let world = World::new();
    // Pins a built-in authority (ISRG Root X1): the test chain will not match it.
    std::fs::create_dir_all(world.path("config/pinwatch/services")).expect("test fixture");
    write_file(
        &world.path("config/pinwatch/services/mychat.toml"),
        &format!(
            "name = \"mychat\"\ndisplay_name = \"My Chat\"\ndisplay_name_zh = \"我的聊天\"\nreview_by = 2099-01-01\n\
             source = \"mine\"\nexposes = \"my messages\"\nexposes_zh = \"我的消息\"\n\n[[host]]\nname = \"{HOST}\"\n\n\
             [[pin]]\nauthority = \"isrg-root-x1\"\nbackup = true\n"
        ),
    );
    let list = world.run(&["pins", "list"]).output();
    assert!(list.stdout.contains("mychat"), "{list:?}");
    let server = world.genuine_server();
    let report = world
        .bare_check(&world.path("system.pem"))
        .arg("--public-roots")
        .arg(world.path("public-roots.pem").display())
        .via(&server)
        .json();
    let r = report.expect("suspicious", &["public_root", "pin_mismatch"], 1);
    assert_eq!(r["service"], "mychat", "{report:?}");

    // A broken user file is a clear error, not a silent gap.
    write_file(
        &world.path("config/pinwatch/services/mychat.toml"),
        "name = \"mychat\"\nreview_by = soon\n",
    );
    let out = world.run(&["pins", "list"]).output();
    out.expect_usage_error("mychat.toml:2:");
}
