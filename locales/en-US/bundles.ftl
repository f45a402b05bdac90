## Knowledge bundles: the knowledge in use, its age, updates.

ev-knowledge-old = pinwatch's knowledge is { $days } days old: past 70 days a pin mismatch alone is not held against a chain (run `pinwatch pins update`)
knowledge-expired = pinwatch's knowledge (bundle { $sequence }) expired on { $expired } and is { $days } days old: run `pinwatch pins update`
knowledge-expired-pins-relaxed = pinwatch's knowledge (bundle { $sequence }) expired on { $expired } and is { $days } days old: past 70 days a pin mismatch alone no longer makes a result suspicious (forged chains and known interception keys still do); run `pinwatch pins update`
update-installed = Knowledge updated: bundle { $sequence } from { $source } (signed by key { $key }, issued { $issued }).
update-installed-expired = Knowledge updated: bundle { $sequence } from { $source } (signed by key { $key }, issued { $issued }). It is already past its expiry date: look for a newer one.
update-current = Knowledge is up to date: { $source } holds bundle { $sequence }, the one in use.
update-refused = { $source }: refused: { $why }. The knowledge in use is unchanged (bundle { $sequence }).
update-failed = { $source }: nothing could be fetched: { $why }. The knowledge in use is unchanged (bundle { $sequence }).
update-intercepted = INTERCEPTED: pinwatch's own knowledge updates from { $source } are intercepted. Nothing was fetched over that connection, and the knowledge in use is unchanged (bundle { $sequence }).
update-untrusted = { $source }: its certificate chain is not trusted (verdict { $verdict }), so nothing was fetched over it. The knowledge in use is unchanged (bundle { $sequence }).
update-no-source = No update source: set update_from in { $file }, or pass --from FILE|URL.
update-channel = pinwatch updates
update-channel-exposes = the knowledge pinwatch judges with: an interceptor could hold back newer knowledge or try to pass off its own (it cannot sign it)
knowledge-line = Knowledge: bundle { $sequence } ({ $source }), issued { $issued }, { $days } days old, current until { $expires }
knowledge-line-expired = Knowledge: bundle { $sequence } ({ $source }), issued { $issued }, { $days } days old, EXPIRED on { $expires }: run `pinwatch pins update`
knowledge-line-directory = Knowledge: the pins directory { $source }
knowledge-source-built-in = built-in
