//! Turns parsed arguments into a [`Plan`]: targets and services resolved,
//! proxy chosen, portal checks parsed. Every mistake is a one-line error
//! naming the value that was wrong.

use super::targets::keep_first;

use thiserror::Error;

use super::CheckArgs;
use crate::check::{Plan, PlannedTarget};
use crate::knowledge::{Knowledge, Service};
use crate::probe::ProbeOptions;
use crate::probe::portal::PortalCheck;
use crate::probe::proxy::{Proxy, ProxyError, ProxyRoute, parse_no_proxy};
use crate::probe::system_proxy::SystemProxy;
use crate::target::{ConnectTo, Target, TargetError};

/// A usage error in the check arguments.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A target that cannot be parsed.
    #[error("target `{input}`: {reason}")]
    Target {
        /// What was typed.
        input: String,
        /// Why it is wrong.
        reason: TargetError,
    },
    /// A bad `--connect-to`.
    #[error("--connect-to `{input}`: {reason}")]
    ConnectTo {
        /// What was typed.
        input: String,
        /// Why it is wrong.
        reason: TargetError,
    },
    /// An unknown `--service`.
    #[error("unknown service `{name}` (known: {known})")]
    UnknownService {
        /// What was asked for.
        name: String,
        /// The services that exist.
        known: String,
    },
    /// A bad proxy URL.
    #[error("{origin}: {reason}")]
    Proxy {
        /// `--proxy` or the environment variable it came from.
        origin: String,
        /// Why it is wrong.
        reason: ProxyError,
    },
    /// A bad `--portal-check` URL.
    #[error("--portal-check: {0}")]
    Portal(String),
    /// A bad `--sanctioned` key or note.
    #[error("--sanctioned: {0}")]
    Sanctioned(#[from] crate::analysis::sanction::SanctionError),
    /// A `--targets` file that cannot be read or lists nothing.
    #[error("--targets {0}")]
    TargetList(String),
}

/// What a check is asked to do, from the CLI or the agent's config.
#[derive(Clone, Copy, Debug)]
pub struct PlanInput<'a> {
    /// Typed targets.
    pub targets: &'a [String],
    /// Targets from `--targets` lists, after the typed ones.
    pub listed: &'a [Target],
    /// Service names.
    pub services: &'a [String],
    /// `--connect-to` rules.
    pub connect_to: &'a [String],
    /// `--proxy`.
    pub proxy: Option<&'a str>,
    /// `--no-proxy`.
    pub no_proxy: bool,
    /// Per-target timeout.
    pub timeout: std::time::Duration,
    /// Probes at once; 0: all targets at once.
    pub concurrency: usize,
    /// `--portal-check` URLs (empty: the defaults).
    pub portal_checks: &'a [String],
    /// `--no-portal-check`.
    pub no_portal_check: bool,
    /// `--no-locate`: never trace where an interception happens.
    pub no_locate: bool,
}

/// Builds the plan for `pinwatch check`: the typed targets, then `listed`
/// (from `--targets` files). `env` reads environment variables. Without
/// `--concurrency`, every target may be probed at once (the command then
/// caps it by the open-file limit).
pub fn build_plan(
    args: &CheckArgs,
    listed: &[Target],
    knowledge: &Knowledge,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, ConfigError> {
    let input = PlanInput {
        targets: &args.targets,
        listed,
        services: &args.services,
        connect_to: &args.net.connect_to,
        proxy: args.net.proxy.as_deref(),
        no_proxy: args.net.no_proxy,
        timeout: args.net.timeout,
        concurrency: args.concurrency.map_or(0, usize::from),
        portal_checks: &args.portal_checks,
        no_portal_check: args.no_portal_check,
        no_locate: args.no_locate,
    };
    let mut plan = plan_from(&input, knowledge, env)?;
    plan.sanctioned = args
        .sanctioned
        .chunks(2)
        .map(|pair| {
            let word = |i: usize| pair.get(i).map_or("", String::as_str);
            crate::analysis::Sanction::new(word(0), word(1))
        })
        .collect::<Result<_, _>>()?;
    Ok(plan)
}

/// Builds a plan: the named services' hosts, then the typed targets; with
/// neither, every host of every service.
pub fn plan_from(
    input: &PlanInput<'_>,
    knowledge: &Knowledge,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, ConfigError> {
    let mut targets: Vec<PlannedTarget> = Vec::new();
    let mut push = |target: Target, service: Option<String>| {
        targets.push(PlannedTarget { target, service });
    };
    for name in input.services {
        let service = find_service(knowledge, name)?;
        for host in &service.hosts {
            let target = Target::new(&host.name, crate::target::HTTPS_PORT).map_err(|reason| {
                ConfigError::Target {
                    input: host.name.clone(),
                    reason,
                }
            })?;
            push(target, Some(service.name.clone()));
        }
    }
    for text in input.targets {
        let target: Target = text.parse().map_err(|reason| ConfigError::Target {
            input: text.clone(),
            reason,
        })?;
        push(target, None);
    }
    for target in input.listed {
        push(target.clone(), None);
    }
    if input.targets.is_empty() && input.listed.is_empty() && input.services.is_empty() {
        for service in &knowledge.services {
            for host in &service.hosts {
                if let Ok(target) = Target::new(&host.name, crate::target::HTTPS_PORT) {
                    push(target, Some(service.name.clone()));
                }
            }
        }
    }
    // Each target once, where it first appears.
    keep_first(&mut targets, |p| &p.target);
    let connect_to = input
        .connect_to
        .iter()
        .map(|s| {
            s.parse::<ConnectTo>()
                .map_err(|reason| ConfigError::ConnectTo {
                    input: s.clone(),
                    reason,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let portal_checks = if input.no_portal_check {
        Vec::new()
    } else if input.portal_checks.is_empty() {
        PortalCheck::defaults()
    } else {
        input
            .portal_checks
            .iter()
            .map(|u| PortalCheck::parse(u))
            .collect::<Result<_, _>>()
            .map_err(ConfigError::Portal)?
    };
    let concurrency = match input.concurrency {
        0 => targets.len(),
        n => n,
    };
    Ok(Plan {
        targets,
        concurrency: concurrency.max(1),
        probe: ProbeOptions {
            timeout: input.timeout,
            proxy: proxy_route(input.proxy, input.no_proxy, env)?,
            connect_to,
        },
        portal_checks,
        trace: !input.no_locate,
        sanctioned: Vec::new(),
    })
}

/// The service called `name`, or an error listing the services that exist.
pub fn find_service<'k>(knowledge: &'k Knowledge, name: &str) -> Result<&'k Service, ConfigError> {
    knowledge
        .service(name)
        .ok_or_else(|| ConfigError::UnknownService {
            name: name.to_string(),
            known: knowledge
                .services
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The proxy route from `--proxy`/`--no-proxy`, the environment, then
/// the proxy set in this device's settings (Windows).
pub fn proxy_route(
    flag: Option<&str>,
    no_proxy: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ProxyRoute, ConfigError> {
    proxy_route_with(flag, no_proxy, env, &crate::probe::system_proxy::read)
}

/// The warning for a proxy auto-configuration script set on this device,
/// which pinwatch does not run: it names the script and the way the
/// check went instead.
pub fn proxy_warning(route: &ProxyRoute, lang: crate::i18n::Lang) -> Option<String> {
    let url = route.unevaluated_pac.as_deref()?;
    let how = match &route.proxy {
        Some(p) => lang.tr_args("proxy-route-proxy", &[("proxy", p.url())]),
        None => lang.tr("proxy-route-direct"),
    };
    Some(lang.tr_args(
        "proxy-pac-not-run",
        &[
            ("url", crate::util::inert_capped(url, 200).into_owned()),
            ("route", how),
        ],
    ))
}

/// [`proxy_route`] with the device's settings read by `system`.
pub fn proxy_route_with(
    flag: Option<&str>,
    no_proxy: bool,
    env: &dyn Fn(&str) -> Option<String>,
    system: &dyn Fn() -> Option<SystemProxy>,
) -> Result<ProxyRoute, ConfigError> {
    if no_proxy {
        return Ok(ProxyRoute::default());
    }
    let (origin, url) = match flag {
        Some(url) => ("--proxy".to_string(), Some(url.to_string())),
        None => ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
            .iter()
            .find_map(|var| {
                env(var)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (var.to_string(), Some(v)))
            })
            .unwrap_or_default(),
    };
    let proxy = url
        .map(|u| {
            u.parse::<Proxy>()
                .map_err(|reason| ConfigError::Proxy { origin, reason })
        })
        .transpose()?;
    let no_proxy = env("NO_PROXY")
        .or_else(|| env("no_proxy"))
        .map(|v| parse_no_proxy(&v))
        .unwrap_or_default();
    if proxy.is_some() {
        return Ok(ProxyRoute {
            proxy,
            no_proxy,
            ..ProxyRoute::default()
        });
    }
    let Some(settings) = system() else {
        return Ok(ProxyRoute {
            no_proxy,
            ..ProxyRoute::default()
        });
    };
    let device = settings.resolve().map_err(|reason| ConfigError::Proxy {
        origin: "the proxy set on this device (Internet Options)".into(),
        reason,
    })?;
    Ok(ProxyRoute {
        system_bypass: device.proxy.is_some().then_some(device.bypass),
        proxy: device.proxy,
        no_proxy,
        unevaluated_pac: device.pac_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_comes_from_flag_then_environment() {
        let env = |k: &str| match k {
            "https_proxy" => Some("http://127.0.0.1:3128".to_string()),
            "NO_PROXY" => Some("qq.com".to_string()),
            _ => None,
        };
        let route = proxy_route(None, false, &env).unwrap();
        assert_eq!(route.proxy.as_ref().map(|p| p.port), Some(3128));
        assert_eq!(route.no_proxy, vec!["qq.com"]);
        let route = proxy_route(Some("http://10.0.0.1:8080"), false, &env).unwrap();
        assert_eq!(route.proxy.map(|p| p.port), Some(8080));
        assert!(proxy_route(None, true, &env).unwrap().proxy.is_none());
        let bad = |k: &str| (k == "ALL_PROXY").then(|| "socks5://h:1".to_string());
        let err = proxy_route(None, false, &bad).unwrap_err();
        assert!(
            err.to_string().starts_with("ALL_PROXY: unsupported proxy"),
            "{err}"
        );
    }

    #[test]
    fn the_devices_proxy_comes_after_flag_and_environment() {
        let device = || {
            Some(SystemProxy {
                enabled: true,
                server: Some("http=10.0.0.1:80;https=10.0.0.2:3128".into()),
                overrides: Some("<local>;*.qq.com".into()),
                pac_url: Some("http://wpad.lan/proxy.pac".into()),
            })
        };
        let none = |_: &str| None;
        let route = proxy_route_with(None, false, &none, &device).unwrap();
        assert_eq!(
            proxy_warning(&route, crate::i18n::Lang::En).as_deref(),
            Some(
                "This device's proxy settings name an automatic configuration script (http://wpad.lan/proxy.pac), which pinwatch does not run: browsers may go through a proxy the script picks. pinwatch checked through the proxy http://10.0.0.2:3128 set on this device. To check through that proxy, name it with --proxy."
            )
        );
        assert_eq!(
            route.proxy.as_ref().map(Proxy::url).as_deref(),
            Some("http://10.0.0.2:3128")
        );
        assert_eq!(
            route.system_bypass.as_deref(),
            Some(&["<local>".to_string(), "*.qq.com".into()][..])
        );
        assert_eq!(
            route.unevaluated_pac.as_deref(),
            Some("http://wpad.lan/proxy.pac")
        );
        let t = |s: &str| s.parse::<crate::target::Target>().unwrap();
        assert!(route.for_target(&t("wx.qq.com")).is_none());
        assert!(route.for_target(&t("chatgpt.com")).is_some());

        let env = |k: &str| (k == "HTTPS_PROXY").then(|| "127.0.0.1:3128".to_string());
        let route = proxy_route_with(None, false, &env, &device).unwrap();
        assert_eq!(route.proxy.map(|p| p.port), Some(3128));
        assert_eq!((route.system_bypass, route.unevaluated_pac), (None, None));
        let route = proxy_route_with(None, true, &none, &device).unwrap();
        assert!(route.proxy.is_none());

        let bad = || {
            Some(SystemProxy {
                enabled: true,
                server: Some("socks=10.0.0.1:1080;https=socks5://h:1".into()),
                ..SystemProxy::default()
            })
        };
        let err = proxy_route_with(None, false, &none, &bad).unwrap_err();
        assert!(
            err.to_string().starts_with("the proxy set on this device"),
            "{err}"
        );
    }
}
