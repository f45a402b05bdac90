# pinwatch user-facing text of the agent and of an incident's words on every
# surface (notification, tray, details page, status, history), English.
# Keys match locales/zh-CN/agent.ftl one to one, in the same order.

## An incident in a few words (report::incident)
names-and-more = { $names } and { $n } more
title-proxy = A proxy set on this device is intercepting your encrypted connections
title-this-device = Software on this device is intercepting your encrypted connections
title-local-network = This network is intercepting your encrypted connections
title-upstream = Someone beyond this network is intercepting your encrypted connections
title-unknown = Someone is intercepting your encrypted connections
action-proxy = Turn off the proxy setting ({ $proxy }) in this device's network settings, and remove any root certificate it asked you to install.
more-proxy = Until then, do not log in or chat.
action-this-device-product = Turn off or remove { $product } on this device: it reads your encrypted connections.
action-this-device = Software on this device is intercepting the connection: turn it off or remove it, with its root certificate.
more-this-device = Look for antivirus HTTPS scanning, a proxy or a monitoring tool.
action-local-network = Do not log in or chat on this network. Use mobile data or another network you trust, and tell the venue.
action-upstream = Do not log in or chat over this connection; use mobile data or a VPN you trust.
more-upstream = The interception happens beyond this network, at the internet provider or further.
group-everything = Readable in full: messages, files and logins
group-logins-and-files = Messages stay encrypted, but logins and files can be read
group-metadata = Messages stay private: only which servers you use can be seen
group-line-everything = Readable in full: { $services }
group-line-logins-and-files = Logins and files readable: { $services }
group-line-metadata = Only connections visible: { $services }

## agent: notifications
alert-suspicious-summary = Unexpected certificate: { $services }
alert-suspicious-body = The certificate is not quite what was expected; this is not proof of interception. Avoid entering passwords until a check on another network agrees.
alert-clock-summary = This computer's clock looks wrong
alert-portal-summary = Log in to the network first
alert-portal-body = This network shows a login page instead of { $services }. Open a web page and log in; pinwatch checks again when the network changes.
alert-resolved-summary = Resolved: { $services }
alert-resolved-body = The certificate is the genuine one again.
alert-show-details = Show details
notify-test-title = Test: { $title }
notify-test-note = This is only a test: nothing is wrong.
notify-test-no-session = cannot show a notification: notifications need a desktop session with a notification service ({ $error }). Without one, run a single check with pinwatch agent --once (it writes the journal and report.html) or pinwatch check, and read the exit code; or set notifications = false in the agent's config.toml.

## agent: tray
tray-title = pinwatch
tray-all-clear = All clear: chat connections use the genuine certificates
tray-suspicious = Suspicious certificate: { $services }
tray-checking = Checking…
tray-offline = Offline: no service could be reached
tray-portal = Log in to the network first
tray-paused-state = Alerts paused: pinwatch keeps checking
tray-paused = Alerts paused until { $time }
tray-last-check = Last check: { $time }
menu-check-now = Check now
menu-details = Show details
menu-pause = Pause alerts for 1 hour
menu-resume = Resume alerts
menu-quit = Quit

## agent: details page
details-title = pinwatch: connection report
details-checked-at = Checked at { $time }
details-chain = Certificate chain
details-banner-ok = All clear: the chat services answered with their genuine certificates.
details-banner-intercepted = Interception detected: someone can read and change what you send to the services below.
details-banner-suspicious = Suspicious certificate: not proof of interception, but be careful with what you send.
details-banner-captive-portal = This network wants you to log in first (a captive portal): open a web page and log in.
details-banner-unreachable = No service could be checked: none answered.
details-network = Network: { $interface }, gateway { $gateway }
details-network-interface = Network: { $interface }, gateway unknown
details-network-unknown = Network: unknown
details-copy-hint = You can select and copy the text of this page to send it to someone who can help.
details-found = What was found
details-hosts = Hosts and certificate chains ({ $n })
details-recent = Recent incidents (last 7 days)
details-recent-none = No incident in the last 7 days.
details-recent-started = Started
details-recent-ended = Ended
details-recent-kind = What
details-recent-services = Services
details-recent-ongoing = not resolved yet
details-kind-interception = Interception
details-kind-suspicious = Suspicious certificate
details-kind-captive-portal = Captive portal
details-exposed = What an interceptor can read
details-remove-root = Remove the interceptor's root certificate
details-remove-system = This computer's system store trusts it: it is installed at { $files }. On Debian, Ubuntu and their derivatives, delete its file from /usr/local/share/ca-certificates/ (or untick it in sudo dpkg-reconfigure ca-certificates), then run:
details-remove-system-unknown = This computer's system store trusts it. On Debian, Ubuntu and their derivatives, delete its file from /usr/local/share/ca-certificates/ (or untick it in sudo dpkg-reconfigure ca-certificates; pinwatch roots shows where it is), then run:
details-remove-firefox = Firefox keeps a store of its own: in Settings, Privacy & Security, Certificates, View Certificates, Authorities, select "{ $issuer }" and choose Delete or Distrust.
details-not-yours = If this computer is not yours
details-not-yours-text = If it belongs to the café, a library or your work, do not use it for chat or logins at all: whoever runs it decides what it trusts. Use your phone on mobile data instead.
details-evidence = Technical evidence

## agent: start (stderr)
agent-disabled = turned off by enabled = false in { $file }; not starting. To start it, remove that line (or set enabled = true in your own config.toml).
agent-already-running = another pinwatch agent is already running ({ $lock }); this one exits.
agent-config-missing = { $error } (the file given with --config must exist; without --config, the defaults apply when there is no config file)
agent-no-tray-title = pinwatch runs without a tray icon
agent-no-tray = This desktop shows no tray icons (no StatusNotifierItem host, as on stock GNOME). pinwatch keeps checking: alerts come as notifications, and pinwatch status shows the state. On GNOME, the AppIndicator extension shows the icon.
agent-no-notifications = No notification service answers ({ $error }): pinwatch keeps checking but cannot show alerts; the tray icon, pinwatch status and the details page show the state.
agent-bad-config-title = pinwatch is not protecting you
agent-bad-config = It did not start: { $error }. Fix the file, then start it again (pinwatch agent, or log in again).

## history and status
status-none = { $agent }; no check has been recorded yet. Start the agent (pinwatch agent) or run pinwatch agent --once.
status-summary = { $agent }; last check { $time } ({ $trigger }): { $verdicts }
status-agent-running = Agent running (pid { $pid })
status-agent-running-nopid = Agent running
status-agent-stopped = No agent running
status-agent-unknown = Agent state unknown
status-intercepted-by = INTERCEPTED by { $who }: { $services }
status-verbose-hint = (pinwatch status --verbose lists every host)
status-root-trusted = this machine trusts its root
status-root-not-trusted = its root is not trusted here (apps that check show errors)
history-skipped = { $n } damaged record(s) skipped (a torn last line after a crash is normal).
history-none = Nothing has been recorded yet: there is no journal at { $journal }. Start the agent (pinwatch agent) or run pinwatch agent --once.
history-cycle = cycle
history-check = check
history-alert = alert
history-day = day
history-notice = notice
history-trigger = { $trigger ->
    [start] start
    [schedule] schedule
    [network] network
    [user] user
   *[other] { $trigger }
}
history-kind = { $kind ->
    [interception] interception
    [suspicious] suspicious
    [captive_portal] captive_portal
    [resolved] resolved
   *[other] { $kind }
}
history-not-shown = {" "}(not shown)
history-day-text = { $date }: { $cycles } cycle(s), { $n } check(s), worst { $worst } (older checks, compacted)
col-time = TIME
col-event = EVENT
