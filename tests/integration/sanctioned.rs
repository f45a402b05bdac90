//! Sanctioned interceptors, with real forging servers on loopback: an
//! office's inspection gateway (its root in this machine's store, leaves
//! forged by an intermediate it signed) is listed with `--sanctioned ROOT
//! NOTE`. Its interception is still `intercepted`, marked sanctioned with
//! the note in text, JSON, Nagios and Prometheus, and exits 0; another
//! interceptor on the same run still exits 2 and alerts; a forger that
//! appends the office's root certificate to its chain gains nothing.

use std::process::Command;

use crate::fleet::PROMTOOL;
use crate::prometheus::{input_series, promtool_test, rules_test_head};
use crate::support::pins::SERVICE;
use crate::support::pki::{Ca, Validity};
use crate::support::process::require;
use crate::support::server::Server;
use crate::support::{HOST, Run, World};

const NOTE: &str = "Head office TLS gateway";
const OTHER: &str = "other.pinwatch.test";

struct Office {
    world: World,
    root: Ca,
    gateway: Server,
    evil: Server,
}

impl Office {
    fn new() -> Office {
        let world = World::new();
        let root = Ca::root("Head Office Root CA", "Head Office");
        let gateway_ca = root.intermediate("Head Office Inspection CA", "Head Office");
        world.set_system_store(&[&root]);
        let gateway = Server::forging(std::sync::Arc::new(gateway_ca));
        let evil = Server::forging(world.evil.clone());
        Office {
            world,
            root,
            gateway,
            evil,
        }
    }

    /// `check HOST` through the gateway, the root sanctioned.
    fn check(&self) -> Run {
        self.world
            .check()
            .arg(HOST)
            .connect_to(HOST, self.gateway.addr().port())
            .arg("--sanctioned")
            .arg(self.root.spki_sha256())
            .arg(NOTE)
    }

    /// [`Office::check`] plus [`OTHER`] through the other interceptor.
    fn check_both(&self) -> Run {
        self.check()
            .arg(OTHER)
            .connect_to(OTHER, self.evil.addr().port())
    }
}

#[test]
fn a_sanctioned_interception_is_reported_in_json_and_exits_0() {
    let office = Office::new();
    let report = office.check().json();
    let result = report.expect(
        "intercepted",
        &["untrusted_root", "system_root_installed"],
        0,
    );
    assert_eq!(
        result["sanctioned"]["key"],
        office.root.spki_sha256(),
        "{report:?}"
    );
    assert_eq!(result["sanctioned"]["note"], NOTE, "{report:?}");
    assert_eq!(report.doc["summary"]["intercepted"], 1, "{report:?}");
    assert_eq!(report.doc["summary"]["sanctioned"], 1, "{report:?}");
    assert_eq!(
        report.doc["incidents"][0]["sanctioned"]["note"], NOTE,
        "{report:?}"
    );

    let both = office.check_both().json();
    assert_eq!(
        both.out.code, 2,
        "another interceptor still alarms: {both:?}"
    );
    assert_eq!(both.doc["exit_code"], 2, "{both:?}");
    assert_eq!(both.result(HOST)["sanctioned"]["note"], NOTE, "{both:?}");
    assert!(both.result(OTHER)["sanctioned"].is_null(), "{both:?}");
    assert_eq!(both.doc["summary"]["intercepted"], 2, "{both:?}");
    assert_eq!(both.doc["summary"]["sanctioned"], 1, "{both:?}");

    // The key in hex, as some tools print it, works the same.
    let hex: String = base64_to_hex(&office.root.spki_sha256());
    let by_hex = office
        .world
        .check()
        .arg(HOST)
        .connect_to(HOST, office.gateway.addr().port())
        .arg("--sanctioned")
        .arg(&hex)
        .arg(NOTE)
        .json();
    assert_eq!(by_hex.out.code, 0, "{by_hex:?}");
}

fn base64_to_hex(b64: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "printf %s '{b64}' | base64 -d | od -An -tx1 | tr -d ' \\n'"
        ))
        .output()
        .expect("base64 and od");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A forger that knows the office's root certificate (it is public: any
/// machine of the office trusts it) and appends it to its own forged
/// chain: the root did not sign that chain, so nothing is sanctioned.
#[test]
fn appending_the_sanctioned_root_to_a_forged_chain_does_not_sanction_it() {
    let office = Office::new();
    let mut forged = office.world.evil.leaf(&[HOST], Validity::Current);
    forged.chain.push(office.world.evil.der().clone());
    forged.chain.push(office.root.der().clone());
    let server = Server::tls(&forged);
    let report = office
        .world
        .check()
        .via(&server)
        .arg("--sanctioned")
        .arg(office.root.spki_sha256())
        .arg(NOTE)
        .json();
    let result = report.expect("intercepted", &["untrusted_root"], 2);
    assert!(result["sanctioned"].is_null(), "{report:?}");
}

#[test]
fn a_sanctioned_interception_in_text_and_nagios() {
    let office = Office::new();
    let text = office.check().arg("--format").arg("text").output();
    assert_eq!(text.code, 0, "{text:#?}");
    assert!(
        text.stdout.contains(&format!(
            "Sanctioned: {NOTE}. This machine's administrator runs this interceptor on purpose"
        )),
        "{text:#?}"
    );
    let row = text
        .stdout
        .lines()
        .find(|l| l.starts_with("INTERCEPTED") && l.contains(HOST))
        .unwrap_or_else(|| panic!("a table row: {text:#?}"));
    assert!(row.ends_with(&format!(", sanctioned: {NOTE}")), "{row}");
    assert!(
        text.stdout
            .contains("1 checked: 1 intercepted (1 sanctioned)"),
        "{text:#?}"
    );
    let zh = office
        .check()
        .arg("--format")
        .arg("text")
        .arg("--lang")
        .arg("zh")
        .output();
    assert!(zh.stdout.contains(&format!("已批准：{NOTE}。")), "{zh:#?}");

    let nagios = office.check().arg("--format").arg("nagios").output();
    assert_eq!(nagios.code, 0, "{nagios:#?}");
    assert!(
        nagios.stdout.starts_with(&format!(
            "PINWATCH OK - 1 intercepted (Test Chat) by a sanctioned interceptor: {NOTE} | "
        )),
        "{nagios:#?}"
    );
    assert!(nagios.stdout.contains("'sanctioned'=1;;;0"), "{nagios:#?}");

    let both = office.check_both().arg("--format").arg("nagios").output();
    assert_eq!(both.code, 2, "{both:#?}");
    assert!(
        both.stdout.starts_with(&format!(
            "PINWATCH CRITICAL - 1 intercepted ({OTHER}) by unknown issuer Evil Corp Interception CA; 1 intercepted (Test Chat) by a sanctioned interceptor: {NOTE} | "
        )),
        "{both:#?}"
    );
}

/// Prometheus: the sanctioned interception is labelled sanctioned="true"
/// with its note; the shipped rules raise no alert for it, and one alert
/// for the other interceptor on the same machine (`promtool test rules`
/// on the real output).
#[test]
fn a_sanctioned_interception_in_prometheus_raises_no_alert_another_does() {
    let Some(()) = require("promtool test rules", PROMTOOL) else {
        return;
    };
    let office = Office::new();
    let out = office
        .check_both()
        .arg("--format")
        .arg("prometheus")
        .output();
    assert_eq!(out.code, 2, "{out:#?}");
    let key = office.world.evil.spki_sha256();
    let sanctioned = out
        .stdout
        .lines()
        .find(|l| {
            l.starts_with("pinwatch_interception_targets{") && l.contains("sanctioned=\"true\"")
        })
        .unwrap_or_else(|| panic!("a sanctioned series: {out:#?}"));
    assert!(
        sanctioned.contains(&format!(r#"note="{NOTE}",service="{SERVICE}"}} 1"#)),
        "{sanctioned}"
    );
    let test = format!(
        r#"{head}  - interval: 1m
    input_series:
{series}    alert_rule_test:
      - eval_time: 5m
        alertname: PinwatchInterception
        exp_alerts:
          - exp_labels:
              severity: critical
              instance: "cafe-01:9100"
              job: node
              issuer: Evil Corp Interception CA
              key: "{key}"
              location: this_device
            exp_annotations:
              summary: "cafe-01:9100: TLS intercepted by an unknown interceptor (1 targets)"
              services: "hosts of no known service"
              description: >-
                pinwatch on cafe-01:9100 was shown certificates that no
                public CA signed, issued by "Evil Corp Interception CA"
                (key {key}; where: this_device).
                Run `pinwatch check` there for the evidence and what to do.
"#,
        head = rules_test_head(),
        series = input_series(&out.stdout, "cafe-01:9100"),
    );
    promtool_test(office.world.dir(), &test);
}
