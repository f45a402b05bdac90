# Messages of the monitoring side: sanctioned interceptors in the text report.
detail-sanctioned = { $detail }, sanctioned: { $note }
sanctioned-line = Sanctioned: { $note }. This machine's administrator runs this interceptor on purpose, so pinwatch reports it but raises no alarm for it (exit code, Nagios state, Prometheus alert, desktop alert).
summary-sanctioned = { $n } sanctioned
