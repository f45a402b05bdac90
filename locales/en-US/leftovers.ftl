# Sanctioned interceptors on the agent's surfaces (tray, details page),
# English. Keys match locales/zh-CN/leftovers.ftl one to one, in order.

## agent: tray
tray-sanctioned = Your organisation inspects these connections ({ $note }): { $services }

## agent: details page
details-banner-sanctioned = Your organisation inspects these connections ({ $note }): it runs this interceptor on purpose. No other interception was found.
details-sanctioned-title = Your organisation inspects these connections
details-sanctioned-action = Your organisation ({ $note }) can read what you send over these connections. Nothing needs fixing; for anything private, use a device of your own on mobile data.

## pins update: why a bundle was refused (update::why)
refusal-too-large = larger than 8 MiB: not a knowledge bundle
refusal-unsigned = not signed: a knowledge bundle starts with its minisign signature
refusal-signature-encoding = its signature is not a minisign signature
refusal-unknown-key = signed with key { $key }, which this pinwatch does not trust
refusal-revoked-key = signed with key { $key }, which a bundle of the backup key revoked
refusal-bad-signature = the signature of key { $key } does not match its contents: the file was changed or cut short
refusal-newer-format = it is in format { $format }; this pinwatch reads format { $supported }: update pinwatch first
refusal-newer-pinwatch = it needs pinwatch { $min } or later (this is { $ours }): update pinwatch first
refusal-bad-header = { $detail }
refusal-payload = its contents are not a knowledge bundle's: { $detail }
refusal-replayed = bundle { $sequence } is older than bundle { $highest }, already accepted from key { $key }: a replayed or rolled-back bundle is never installed
refusal-not-newer = bundle { $sequence } is not newer than the knowledge in use (bundle { $in_use })
refusal-revocation-not-by-backup = bundle { $sequence } revokes keys, but only the backup key may revoke one (signed by { $key })
refusal-cut-short = the transfer ended early, after { $got } bytes: a truncated bundle is never used
refusal-no-log-list = it carries no CT log list
refusal-log-list-signature = its CT log list does not match Google's signature over it (ct/log_list.sig)
refusal-contents = { $detail }
refusal-store = { $detail }
