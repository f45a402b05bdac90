//! What a newcomer meets in the first minutes, with the exact words:
//! notify-test without a desktop session, `pins list`, `check --help`,
//! `history` before anything was recorded, and the README's list of
//! services against `pins/services/`.

use crate::support::World;

#[test]
fn notify_test_without_a_session_bus_says_what_to_do_instead() {
    let world = World::new();
    let bus = world.path("no-bus");
    let out = world
        .run(&["notify-test"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", bus.display()),
        )
        .output();
    assert_eq!(out.code, 3, "{out:?}");
    assert_eq!(out.stdout, "", "{out:?}");
    let stderr = out.stderr.trim_end();
    assert!(
        stderr.starts_with(
            "pinwatch: cannot show a notification: notifications need a desktop session with a notification service ("
        ),
        "{out:?}"
    );
    assert!(
        stderr.ends_with(
            "). Without one, run a single check with pinwatch agent --once (it writes the journal and report.html) or pinwatch check, and read the exit code; or set notifications = false in the agent's config.toml."
        ),
        "{out:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "{out:?}");
}

#[test]
fn pins_list_names_a_service_once_when_both_languages_agree() {
    let world = World::new();
    let out = world.run(&["pins", "list"]).output();
    assert_eq!(out.code, 0, "{out:?}");
    let line = |service: &str| {
        out.stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(service))
            .unwrap_or_else(|| panic!("no {service} line: {out:?}"))
            .to_string()
    };
    let chatgpt: Vec<String> = line("chatgpt")
        .split("  ")
        .filter(|c| !c.is_empty())
        .map(|c| c.trim().to_string())
        .collect();
    assert_eq!(chatgpt[1], "ChatGPT", "{out:?}");
    let wechat: Vec<String> = line("wechat")
        .split("  ")
        .filter(|c| !c.is_empty())
        .map(|c| c.trim().to_string())
        .collect();
    assert_eq!(wechat[1], "WeChat / 微信", "{out:?}");
    assert!(!out.stdout.contains("ChatGPT / ChatGPT"), "{out:?}");
}

#[test]
fn check_help_points_to_pins_list() {
    let world = World::new();
    let out = world.run(&["check", "--help"]).output();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains(
            "Check this service's hosts (repeatable); `pinwatch pins list` lists the services"
        ),
        "{out:?}"
    );
    assert!(!out.stdout.contains("pins/services"), "{out:?}");
}

#[test]
fn history_without_a_journal_says_nothing_was_recorded_and_where() {
    let world = World::new();
    let journal = world.path("state/journal.jsonl");
    let out = world
        .run(&["history", "--journal"])
        .arg(journal.display())
        .output();
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        format!(
            "Nothing has been recorded yet: there is no journal at {}. Start the agent (pinwatch agent) or run pinwatch agent --once.\n",
            journal.display()
        ),
        "{out:?}"
    );
    let out = world
        .run(&["history", "--lang", "zh", "--journal"])
        .arg(journal.display())
        .output();
    assert_eq!(
        out.stdout,
        format!(
            "还没有任何记录：{}处没有日志。请启动agent（pinwatch agent）或运行pinwatch agent --once。\n",
            journal.display()
        ),
        "{out:?}"
    );
}

/// Every service in pins/services is named in the README's list, and the
/// prose carries no count of them that could go stale.
#[test]
fn readme_lists_every_service_without_a_count() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root.join("pins/services")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let name = text
            .lines()
            .find_map(|l| l.strip_prefix("display_name = \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .expect("a display_name line")
            .replace(" / ", "/");
        names.push(name);
    }
    assert!(names.len() > 10, "{names:?}");
    for name in &names {
        assert!(flat.contains(name.as_str()), "README does not list {name}");
    }
    let pieces: Vec<&str> = flat.split(" chat services").collect();
    for before in &pieces[..pieces.len() - 1] {
        let word = before.rsplit(' ').next().unwrap_or("");
        assert!(
            word.is_empty() || !word.chars().all(|c| c.is_ascii_digit()),
            "a count of chat services in the README's prose: {word} chat services"
        );
    }
}
