# pinwatch 后台程序的文字，以及一个事件在各处（通知、托盘、详情页、status、
# history）的说法，简体中文。键与 locales/en-US/agent.ftl 一一对应，顺序相同。

## 用几个字说一个事件（report::incident）
names-and-more = { $names }及另外{ $n }个
title-proxy = 本机设置的代理正在拦截你的加密连接
title-this-device = 这台设备上的软件正在拦截你的加密连接
title-local-network = 这个网络正在拦截你的加密连接
title-upstream = 这个网络之外有人在拦截你的加密连接
title-unknown = 有人正在拦截你的加密连接
action-proxy = 请在本机的网络设置中关闭代理设置（{ $proxy }），并删除它要求你安装的根证书。
more-proxy = 在此之前，不要登录或聊天。
action-this-device-product = 关闭或卸载这台设备上的{ $product }：它在读取你的加密连接。
action-this-device = 这台设备上有软件在拦截连接：请关闭或卸载它，并删除它的根证书。
more-this-device = 可以检查杀毒软件的 HTTPS 扫描、代理或监控工具。
action-local-network = 不要在这个网络上登录或聊天。请改用手机流量或其他你信任的网络，并告知场所的管理者。
action-upstream = 不要通过这个连接登录或聊天；请改用手机流量或你信任的 VPN。
more-upstream = 拦截发生在这个网络之外，在网络运营商或更远处。
group-everything = 可被完整读取：消息、文件和登录
group-logins-and-files = 消息仍然加密，但登录和文件可被读取
group-metadata = 消息仍然安全：只能看到你连接了哪些服务器
group-line-everything = 可被完整读取：{ $services }
group-line-logins-and-files = 登录和文件可被读取：{ $services }
group-line-metadata = 只暴露连接信息：{ $services }

## agent: notifications
alert-suspicious-summary = 证书异常：{ $services }
alert-suspicious-body = 证书与预期不完全一致，但这不能证明连接被拦截。在换一个网络检查得到相同结果之前，先不要输入密码。
alert-clock-summary = 这台电脑的时钟看起来不对
alert-portal-summary = 请先登录网络
alert-portal-body = 这个网络显示的是登录页面，而不是{ $services }。请打开任意网页并登录；网络变化后 pinwatch 会再次检查。
alert-resolved-summary = 已恢复正常：{ $services }
alert-resolved-body = 证书已恢复为真实证书。
alert-show-details = 查看详情
notify-test-title = 测试：{ $title }
notify-test-note = 这只是测试，一切正常。
notify-test-no-session = 无法显示通知：通知需要带通知服务的桌面会话（{ $error }）。没有桌面会话时，可以用pinwatch agent --once（会写入日志和report.html）或pinwatch check做一次检查，并查看退出码；也可以在agent的config.toml中设置notifications = false。

## agent: tray
tray-title = pinwatch
tray-all-clear = 一切正常：聊天连接使用的是真实证书
tray-suspicious = 证书可疑：{ $services }
tray-checking = 正在检查…
tray-offline = 离线：无法连接任何服务
tray-portal = 请先登录网络
tray-paused-state = 提醒已暂停：pinwatch 仍在检查
tray-paused = 提醒已暂停，直到{ $time }
tray-last-check = 上次检查：{ $time }
menu-check-now = 立即检查
menu-details = 查看详情
menu-pause = 暂停提醒 1 小时
menu-resume = 恢复提醒
menu-quit = 退出

## agent: details page
details-title = pinwatch：连接检查报告
details-checked-at = 检查时间：{ $time }
details-chain = 证书链
details-banner-ok = 一切正常：各聊天服务都使用了真实的证书。
details-banner-intercepted = 检测到拦截：有人能读取和篡改你发给下列服务的内容。
details-banner-suspicious = 证书可疑：这不能证明被拦截，但请谨慎发送内容。
details-banner-captive-portal = 这个网络要求先登录（认证页面）：请打开一个网页并登录。
details-banner-unreachable = 无法检查任何服务：没有服务响应。
details-network = 网络：{ $interface }，网关{ $gateway }
details-network-interface = 网络：{ $interface }，网关未知
details-network-unknown = 网络：未知
details-copy-hint = 可以选中并复制本页文字，发给能帮忙的人。
details-found = 发现的问题
details-hosts = 主机和证书链（{ $n }个）
details-recent = 最近的事件（过去7天）
details-recent-none = 过去7天没有事件。
details-recent-started = 开始
details-recent-ended = 结束
details-recent-kind = 类型
details-recent-services = 服务
details-recent-ongoing = 尚未解决
details-kind-interception = 拦截
details-kind-suspicious = 可疑证书
details-kind-captive-portal = 认证页面
details-exposed = 拦截者能读取什么
details-remove-root = 删除拦截者的根证书
details-remove-system = 这台电脑的系统证书库信任它：它安装在{ $files }。在 Debian、Ubuntu 及其衍生系统上，从 /usr/local/share/ca-certificates/ 中删除它的文件（或在 sudo dpkg-reconfigure ca-certificates 中取消勾选），然后运行：
details-remove-system-unknown = 这台电脑的系统证书库信任它。在 Debian、Ubuntu 及其衍生系统上，从 /usr/local/share/ca-certificates/ 中删除它的文件（或在 sudo dpkg-reconfigure ca-certificates 中取消勾选；pinwatch roots 可以显示它的位置），然后运行：
details-remove-firefox = Firefox 有自己的证书库：在“设置”→“隐私与安全”→“证书”→“查看证书”→“证书颁发机构”中选中“{ $issuer }”，然后选择“删除或不信任”。
details-not-yours = 如果这台电脑不是你的
details-not-yours-text = 如果它属于网吧、图书馆或你的单位，就完全不要用它聊天或登录：它信任什么由管理它的人决定。请改用手机的移动数据。
details-evidence = 技术证据

## agent: start (stderr)
agent-disabled = 已被 { $file } 中的 enabled = false 关闭，不启动。要启动它，请删除这一行（或在你自己的 config.toml 中设置 enabled = true）。
agent-already-running = 另一个 pinwatch agent 已在运行（{ $lock }），本进程退出。
agent-config-missing = { $error }（--config 指定的文件必须存在；不加 --config 时，没有配置文件就使用默认设置）
agent-no-tray-title = pinwatch 在没有托盘图标的情况下运行
agent-no-tray = 这个桌面不显示托盘图标（没有 StatusNotifierItem 宿主，原版 GNOME 就是这样）。pinwatch 仍在检查：提醒会以通知显示，pinwatch status 会显示当前状态。在 GNOME 上，安装 AppIndicator 扩展后就能看到图标。
agent-no-notifications = 没有通知服务响应（{ $error }）：pinwatch 仍在检查，但无法显示提醒；托盘图标、pinwatch status 和详情页会显示当前状态。
agent-bad-config-title = pinwatch 没有在保护你
agent-bad-config = 它没有启动：{ $error }。请修改这个文件，然后重新启动（运行 pinwatch agent，或重新登录）。

## history and status
status-none = { $agent }；还没有检查记录。请启动后台程序（pinwatch agent）或运行 pinwatch agent --once。
status-summary = { $agent }；上次检查：{ $time }（{ $trigger }）：{ $verdicts }
status-agent-running = 后台程序正在运行（pid { $pid }）
status-agent-running-nopid = 后台程序正在运行
status-agent-stopped = 后台程序没有运行
status-agent-unknown = 无法确定后台程序是否在运行
status-intercepted-by = 被{ $who }拦截：{ $services }
status-verbose-hint = （pinwatch status --verbose 会列出每个主机）
status-root-trusted = 本机信任它的根证书
status-root-not-trusted = 本机不信任它的根证书（会校验证书的应用程序会报错）
history-skipped = 跳过了{ $n }条损坏的记录（崩溃后最后一行不完整属于正常情况）。
history-none = 还没有任何记录：{ $journal }处没有日志。请启动agent（pinwatch agent）或运行pinwatch agent --once。
history-cycle = 检查
history-check = 结果
history-alert = 提醒
history-day = 汇总
history-notice = 提示
history-trigger = { $trigger ->
    [start] 启动时
    [schedule] 定时
    [network] 网络变化
    [user] 手动
   *[other] { $trigger }
}
history-kind = { $kind ->
    [interception] 拦截
    [suspicious] 可疑证书
    [captive_portal] 需登录网络
    [resolved] 已恢复
   *[other] { $kind }
}
history-not-shown = （未显示）
history-day-text = { $date }：{ $cycles }次检查，{ $n }个结果，最差为{ $worst }（较早的记录已汇总）
col-time = 时间
col-event = 事件
