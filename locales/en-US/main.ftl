# pinwatch user-facing text, English. Keys are grouped by where they appear.
# Variables are filled in by src/i18n.rs callers; keep their names.

## check: table
col-verdict = VERDICT
col-target = TARGET
col-service = SERVICE
col-detail = DETAIL
verdict-ok = ok
verdict-suspicious = SUSPICIOUS
verdict-intercepted = INTERCEPTED
verdict-captive-portal = captive-portal
verdict-unreachable = unreachable
detail-no-certificate = no certificate
detail-by = by { $product } ({ $category })
detail-issuer = issuer { $issuer }

## check: explanations
headline-intercepted = INTERCEPTED by { $who }.
headline-whoever = whoever controls "{ $issuer }"
headline-suspicious = suspicious: the certificate is not quite what was expected; this is not proof of interception.
headline-captive-portal = the network wants you to log in first (captive portal).
headline-unreachable = could not be reached; this is blocking or an outage, not interception.
label-what-to-do = What to do:
label-what-it-exposes = What it exposes:
todo-intercepted = Do not log in or chat on this machine or network. Use a device and network you trust (for example your phone on mobile data).
todo-captive-portal = Open a web page, log in to the network, then check again.
todo-suspicious = Avoid entering passwords until a check on another network agrees; the evidence below says what differs.
warning = warning:
summary = { $total } checked: { $parts }
summary-intercepted = { $n } intercepted
summary-suspicious = { $n } suspicious
summary-captive-portal = { $n } captive portal
summary-ok = { $n } ok
summary-unreachable = { $n } unreachable

## evidence (one fact per line; also the English text of the JSON "evidence" field)
ev-issuer = issuer: { $issuer }
ev-no-certificate = no certificate received ({ $stage }: { $detail })
ev-handshake-failed = the certificate was the genuine one, but the handshake failed: { $detail }
ev-known-key = the chain carries a known interception key of { $product }: { $matched }
ev-malformed = the leaf certificate is malformed: { $error }
ev-system-root = this machine trusts the issuing root (it is installed in the system store): apps accept this certificate without any warning
ev-no-root = this machine does not trust the issuing root either: apps that validate certificates show an error
ev-wrong-name = the certificate is for { $names }, not for { $host }
ev-wrong-name-not-public = and it does not lead to a public root ({ $store })
ev-portal-key = the key is a known captive portal's: { $label }
ev-portal-check = { $detail }
ev-pin-mismatch = publicly trusted, but no key of the chain is in the { $service } pinset ({ $count } keys, reviewed until { $review }): a rogue public CA, or the service changed CAs
ev-pinset-stale = the pinset was due for review on { $review } and it is now { $today }: the service may simply have changed CAs

## interceptor categories
cat-antivirus = antivirus
cat-corporate_gateway = corporate gateway
cat-parental_control = parental or café control
cat-debugging_proxy = debugging proxy
cat-adware_malware = adware or malware
cat-government = government
cat-compromised_ca = compromised certificate authority

## roots
roots-none-extra = No extra root: every root this machine trusts is in Mozilla's public store{ $skew }.
roots-skew-suffix = { " " }(or is one Mozilla removed after the OS bundle was made: version skew)
roots-extra = { $n } extra root(s) trusted by this machine, not in Mozilla's public store:
roots-class-extra = EXTRA
roots-class-skew = version skew
roots-class-public = public
roots-known = known: { $name } ({ $category })
roots-found-in = found in: { $where }
roots-expired = expired
roots-skew-count = { $n } root(s) of the OS bundle that Mozilla has since removed (version skew, not counted; --all lists them).
roots-sources = Stores read: { $list }
roots-problems = Could not read:
roots-advice-extra = An extra root lets whoever holds its key impersonate any website to this machine. If you did not install it on purpose, remove it (and find out who did).
roots-class-not-ca = not a CA (trusted only for its own names)
roots-not-ca-listed = Also listed: { $n } trusted certificate(s) that are not a CA (trusted only for their own names, they cannot impersonate other websites).
ev-system-root-at = the root is installed at { $location }
roots-class-platform = this platform's root program (not in Mozilla's store)
ev-legacy-root = the chain leads to { $label }, a root Mozilla retired for its age that this service still uses and its pinset names: a real CA key, not interception

## Evidence about the chain's path (analysis::rules)
ev-forged = a certificate for { $host } that no public or known CA key signed ({ $store }; signed by { $signer ->
    [system] a root only this machine trusts
   *[other] a key nobody publicly knows
})
ev-chain-rule-broken = the chain is signed all the way to a public or known CA key, but breaks a rule: { $rule }; a misconfigured server, not a forgery
ev-cert-out-of-date = { $which } "{ $subject }" is valid from { $from } to { $to }
ev-known-ca-not-trusted = the chain is signed by { $label }, a CA key pinwatch knows that the public store no longer trusts and this service does not pin
ev-unverifiable = a signature on the chain's path cannot be checked ({ $detail }), so forgery can be neither shown nor ruled out
ev-appended-known-key = the server also sent a certificate with a known key of { $product } (position { $position }: { $matched }), but nothing in the path is signed by it: sent along, not used
rule-expired = a certificate has expired
rule-not_yet_valid = a certificate is not valid yet
rule-constraint = a certificate signs what it may not (CA flag, path length or name constraints)
rule-usage = the certificate may not be used for TLS servers (extended key usage)
rule-too_long = the path is longer than validators follow
rule-unknown_issuer = the issuer is not in the store
rule-other = path validation failed
cert-leaf = the server's certificate
cert-nth = certificate #{ $n } of the chain
cert-known = the known intermediate
ev-impersonates = its certificate authority copies the name "{ $name }", but with another key: it pretends to be that public CA; that CA did not issue it
ev-no-subject-alt-name = the certificate names no host in its subjectAltName (its subject is { $subject }); browsers and apps ignore the subject, so it is not valid for { $host }

## Incidents: one interceptor, however many hosts (report::incident)
incident-head = { $services } ({ $n ->
    [one] 1 connection
   *[other] { $n } connections
}) { $count ->
    [one] is
   *[other] are
} intercepted by { $who }{ $where }.
who-impersonator = a certificate authority that pretends to be "{ $name }"
where-proxy = {" "}through the proxy { $proxy } set on this device
where-this-device = {" "}on this device
where-local-network = {" "}at this network's router ({ $hops ->
    [one] 1 hop away
   *[other] { $hops } hops away
})
where-upstream = {" "}beyond this network ({ $hops } hops away: the internet provider or further)
incident-trusted-here = This machine trusts its root certificate: apps accept the connection without any warning, and it can be read and changed.
incident-not-trusted-here = This machine does not trust its root certificate: apps that check certificates show an error. Apps that ignore certificate errors, or anyone who clicks through a warning, can still be read and changed.
advice-tool-used = ({ $product } is the tool used.)
label-exposes-each = What each exposes:
offline = This machine appears to be offline: { $why }.
offline-no-dns = no name could be resolved
offline-no-route = no connection could be made
unreachable-group = Could not reach { $targets }: blocking or an outage, not interception.
label-per-host = Per connection:
roots-impersonates = pretends to be "{ $name }": it copies that public root's name, with another key. The public CA did not make it; whoever installed it can impersonate any website to this machine.
ev-ct = Certificate Transparency: { $status ->
    [ct_missing] the certificate carries no signed certificate timestamps (SCTs); every publicly trusted certificate issued since 2018 does
    [ct_invalid] its SCTs do not meet the browsers' CT policy and some are provably bad ({ $detail })
   *[other] none of its SCTs could be verified ({ $detail })
}{ $stale ->
    [yes] {" "}(pinwatch's CT log list is past its review date)
   *[no] {""}
}
