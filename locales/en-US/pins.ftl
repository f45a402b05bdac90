# pins list and pins show (text)
pins-col-service = SERVICE
pins-col-name = NAME
pins-col-hosts = HOSTS
pins-col-pins = PINS
pins-col-review = REVIEW BY
pins-count = { $pins } ({ $backups } backup)
pins-stale-mark = {" "}(STALE)
pins-show-review = review by: { $value }
pins-show-stale = STALE: a mismatch only warns until the pinset is refreshed
pins-show-origin = defined in: { $value }
pins-show-exposes = exposes: { $value }
pins-show-hosts = hosts:
pins-show-subdomains = {" "}(and subdomains)
pins-show-pins = pins:
pins-role-primary = primary
pins-role-backup = backup
pins-show-source = source:
