# 监控相关的文字：文本报告中已批准的拦截设备。
detail-sanctioned = { $detail }，已批准：{ $note }
sanctioned-line = 已批准：{ $note }。这是本机管理员有意运行的拦截设备，pinwatch 会报告它，但不会为它报警（退出码、Nagios 状态、Prometheus 告警、桌面提醒）。
summary-sanctioned = 其中{ $n }个已批准
