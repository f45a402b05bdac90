# Sanctioned interceptors on the agent's surfaces (tray, details page),
# English. Keys match locales/zh-CN/leftovers.ftl one to one, in order.

## agent: tray
tray-sanctioned = Your organisation inspects these connections ({ $note }): { $services }

## agent: details page
details-banner-sanctioned = Your organisation inspects these connections ({ $note }): it runs this interceptor on purpose. No other interception was found.
details-sanctioned-title = Your organisation inspects these connections
details-sanctioned-action = Your organisation ({ $note }) can read what you send over these connections. Nothing needs fixing; for anything private, use a device of your own on mobile data.
