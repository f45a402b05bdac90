//! The command line in Chinese, with the real binary: `--help` of every
//! command and clap's usage errors when the language is Chinese (from
//! `--lang zh` or the locale), with no English heading or clap word left.

use crate::support::World;

/// English words of clap's that must not be left in Chinese output.
const CLAP_ENGLISH: &[&str] = &[
    "Usage:",
    "Options:",
    "Arguments:",
    "Commands:",
    "Print help",
    "Print version",
    "[default:",
    "[possible values:",
    "error:",
    "For more information",
    "tip:",
];

fn assert_chinese(what: &str, text: &str) {
    for english in CLAP_ENGLISH {
        assert!(!text.contains(english), "{what}: {english:?} in\n{text}");
    }
}

#[test]
fn help_of_every_command_is_in_chinese() {
    let world = World::new();
    let commands: &[&[&str]] = &[
        &[],
        &["check"],
        &["agent"],
        &["status"],
        &["history"],
        &["roots"],
        &["notify-test"],
        &["pins"],
        &["pins", "list"],
        &["pins", "show"],
        &["pins", "verify"],
        &["pins", "capture"],
    ];
    for command in commands {
        let mut args: Vec<&str> = command.to_vec();
        args.extend(["--lang", "zh", "--help"]);
        let out = world.run_pinwatch(&args);
        let what = format!("pinwatch {}", args.join(" "));
        assert_eq!(out.code, 0, "{what}: {out:#?}");
        assert!(out.stdout.contains("用法："), "{what}: {}", out.stdout);
        assert_chinese(&what, &out.stdout);
    }
    // The locale alone is enough.
    let mut cmd = world.pinwatch(&["status", "--help"]);
    cmd.env("LANG", "zh_CN.UTF-8");
    let (status, stdout, _) =
        crate::support::process::run("pinwatch", cmd, std::time::Duration::from_secs(60));
    assert_eq!(status.code(), Some(0));
    assert!(
        stdout.starts_with("根据后台程序最近一次检查，打印当前状态。"),
        "{stdout}"
    );
    assert!(
        stdout.contains("在摘要行下列出最近一次检查的每个主机"),
        "{stdout}"
    );
}

#[test]
fn usage_errors_are_in_chinese_and_exit_3() {
    let world = World::new();
    let cases: &[(&[&str], &str)] = &[
        (&["check", "--frmat", "json"], "错误：未知的参数“--frmat”"),
        (&["chek"], "错误：未知的命令“chek”"),
        (
            &["check", "--format", "xml"],
            "错误：参数“--format <FORMAT>”的值“xml”无效；可选：",
        ),
        (
            &["check", "--timeout", "soon"],
            "错误：参数“--timeout <DURATION>”的值“soon”无效（",
        ),
        (
            &["check", "--proxy", "http://p:1", "--no-proxy"],
            "错误：参数“--proxy <URL>”不能与“--no-proxy”同时使用",
        ),
        (&[], "错误：需要指定一个命令"),
    ];
    for (args, expected) in cases {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--lang", "zh"]);
        let out = world.run_pinwatch(&all);
        let what = format!("pinwatch {}", all.join(" "));
        assert_eq!(out.code, 3, "{what}: {out:#?}");
        assert!(out.stderr.starts_with(expected), "{what}: {}", out.stderr);
        assert!(
            out.stderr
                .trim_end()
                .ends_with("运行 --help 查看更多信息。"),
            "{what}: {}",
            out.stderr
        );
        assert_chinese(&what, &out.stderr);
    }
}
