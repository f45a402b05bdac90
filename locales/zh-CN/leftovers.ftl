# 代理检查（管理员批准的拦截者）在后台程序各处的说法（托盘、详情页），简体中文。
# 与 locales/en-US/leftovers.ftl 的键一一对应，顺序相同。

## agent: tray
tray-sanctioned = 你所在的机构会检查这些连接（{ $note }）：{ $services }

## agent: details page
details-banner-sanctioned = 你所在的机构会检查这些连接（{ $note }）：这是它有意运行的拦截设备。没有发现其他拦截。
details-sanctioned-title = 你所在的机构会检查这些连接
details-sanctioned-action = 你所在的机构（{ $note }）可以读取你通过这些连接发送的内容。这不需要处理；私人的事情请用你自己的设备和移动数据。
