# pinwatch 命令行的中文：`pinwatch --help`、各命令的 --help 和用法错误。英文
# 来自 src/cli/mod.rs 中各定义的文档注释（手册页也用它们）；这里是它们的中文，
# 键为命令路径加参数 id（id 中的 _ 写作 -），例如 cli-check-target-files；
# cli-arg-<id> 由带有同一选项的各命令共用。src/cli/localize.rs 的测试检查每个
# 命令和参数都有中文。只有 zh-CN 有这个文件。

## 标题与内置项
cli-usage = 用法：
cli-heading-commands = 命令
cli-heading-arguments = 参数
cli-heading-options = 选项
cli-help-flag = 显示帮助
cli-version-flag = 显示版本
cli-help-subcommand = 显示本帮助，或指定命令的帮助
cli-default = 默认：{ $value }
cli-possible = 可选：{ $values }

## 用法错误
cli-error-unknown-argument = 错误：未知的参数“{ $arg }”
cli-error-unknown-command = 错误：未知的命令“{ $command }”
cli-error-invalid-value = 错误：参数“{ $arg }”的值“{ $value }”无效
cli-error-valid-values = ；可选：{ $values }
cli-error-missing-argument = 错误：缺少必需的参数：{ $arg }
cli-error-missing-command = 错误：需要指定一个命令
cli-error-conflict = 错误：参数“{ $arg }”不能与“{ $other }”同时使用
cli-error-number-of-values = 错误：参数“{ $arg }”的值的个数不对
cli-error-no-equals = 错误：参数“{ $arg }”的值需要用“=”连接
cli-error-suggestion = 提示：是不是想用“{ $suggestion }”？
cli-error-more = 运行 --help 查看更多信息。

## pinwatch
cli-about = pinwatch：有人在读你的聊天吗？检查网络为聊天服务出示的 TLS 证书是不是真实的证书。
cli-arg-lang = 文字输出的语言（默认：按 LANGUAGE、LC_ALL、LC_MESSAGES、LANG 决定）

## 共用的选项
cli-arg-format = 输出格式
cli-arg-journal = 日志文件（默认：平台状态目录中的 journal.jsonl）
cli-arg-pins = 用这个固定密钥目录代替内置的固定密钥和用户自己的服务
cli-arg-proxy = HTTP CONNECT 代理地址（默认：HTTPS_PROXY、https_proxy、ALL_PROXY；遵守 NO_PROXY）
cli-arg-no-proxy = 直接连接，忽略环境变量中的代理设置
cli-arg-connect-to = 连接 ADDR:PORT 而不是 HOST:PORT，SNI 和名称校验仍按 HOST（同 curl）
cli-arg-timeout = 每个目标允许的总时间（例如 10、2.5s、800ms）
cli-arg-public-roots = 代替公共证书库（webpki-roots）的 PEM 根证书文件
cli-arg-color = 文字输出的颜色（auto：标准输出是终端且未设置 NO_COLOR 或为空时才用颜色）

## check
cli-check-about = 检查各聊天服务出示的证书链，检查一次。
cli-check-after-help = 退出码：0 全部正常，1 可疑，2 被拦截，3 无法检查或出错（--format nagios 时：OK、WARNING、CRITICAL、UNKNOWN；设置 PINWATCH_EXIT_CODES=sysexits 时，出错的退出码改为 64 到 78，见 man pinwatch-check）。
cli-check-targets = HOST、HOST:PORT 或 https://HOST[:PORT]/...（默认：每个内置服务的每个主机）
cli-check-target-files = 同时检查 FILE 中列出的目标，每行一个；# 开始注释，- 表示读标准输入（可重复）
cli-check-services = 检查这个服务的主机（可重复）；pinwatch pins list 列出各服务
cli-check-prometheus-file = 同时把结果以 Prometheus 格式原子地写入 FILE（供 node_exporter 的 textfile 收集器）
cli-check-concurrency = 同时探测多少个目标（默认：打开文件数上限允许的全部）
cli-check-public-roots = 代替公共证书库（webpki-roots）的 PEM 根证书文件，用于测试和私有部署
cli-check-ct-logs = 代替内置列表的 CT 日志列表（v3 JSON，同 Google 的 all_logs_list.json），用于测试和私有部署
cli-check-portal-checks = 检测认证页面用的明文 HTTP 地址，应答应为 204（可重复；代替默认地址）
cli-check-no-portal-check = 不做认证页面的联网检测
cli-check-verbose = 文字输出：列出每个事件和每个无法连接的目标的逐个连接和证据
cli-check-prometheus-hosts = Prometheus 输出：另外为每个目标（主机、端口、服务）输出一组序列，而不只是按服务和拦截者（每个目标约 8 个序列，而每个服务约 5 个）
cli-check-sanctioned = 本机构有意运行的拦截者（如办公室的 TLS 检查网关）：它的密钥的 SPKI SHA-256（base64，与 pinwatch roots 和 JSON 的 issuer_key 一致；也可写 sha256/BASE64 或十六进制）和一句说明是谁的备注（可重复）。它伪造的证书链仍报告为被拦截，并标明“已认可”和备注，但不提高退出码、Nagios 状态或 Prometheus 告警；其他拦截者照常告警。
cli-check-no-locate = 不追踪拦截发生在哪里（默认：有拦截时，每个拦截者做一次 IP TTL 追踪，查出它在几跳之外；没有拦截时不发送任何数据）

## pins
cli-pins-about = 查看、校验和采集固定密钥。
cli-pins-list-about = 列出各服务及其主机、固定密钥数和复核期限。
cli-pins-show-about = 显示一个服务：主机、每个固定密钥及其名称、复核期限、来源。
cli-pins-show-service = 服务名（见 pinwatch pins list）
cli-pins-verify-about = 检查一个固定密钥目录（默认：内置的固定密钥）；有任何错误时退出码为 1。
cli-pins-verify-dir = 要检查的固定密钥目录（默认：内置的固定密钥）
cli-pins-verify-strict = 把警告（过期的固定密钥集、没有固定密钥的服务）当作错误
cli-pins-capture-about = 连接主机，为它出示的证书链打印一段可直接粘贴的固定密钥条目。
cli-pins-capture-targets = HOST、HOST:PORT 或 https://HOST[:PORT]/...
cli-pins-capture-allow-untrusted = 即使证书链不受公共信任也打印固定密钥（那是被拦截的证书链！）

## agent
cli-agent-about = 在后台运行：启动时、网络变化时和每 15 分钟检查一次；在桌面上提醒；显示托盘图标。
cli-agent-once = 做一轮检查（会发通知），然后以这次检查的退出码退出
cli-agent-config = 配置文件（默认：平台配置目录中的 config.toml），叠加在系统级的 /etc/pinwatch/config.toml（Windows：%ProgramData%\pinwatch\config.toml）之上

## notify-test, history, status, roots
cli-notify-test-about = 显示一个示例提醒，让你知道提醒是什么样子。
cli-history-about = 打印后台程序的检查和提醒历史。
cli-history-limit = 只显示最后 N 条记录
cli-status-about = 根据后台程序最近一次检查，打印当前状态。
cli-status-verbose = 文字输出：在摘要行下列出最近一次检查的每个主机
cli-roots-about = 审查本机（及其浏览器）信任的根证书：每个不在 Mozilla 公共证书库中的根证书、它在哪里、属于谁。
cli-roots-after-help = 退出码：0 没有额外的根证书，1 有额外的根证书，2 有已知的拦截用或被列入黑名单的根证书，3 出错。
cli-roots-all = 列出每个根证书，包括公共的，并标明公共、版本差异或额外
cli-roots-no-browsers = 不读取浏览器的 NSS 数据库（Firefox 配置目录、~/.pki/nssdb）
cli-roots-nss-dbs = 同时读取这个 NSS 数据库目录（可重复）

## pins update
cli-pins-update-about = 获取一个签名的知识包（文件，或 http:// 或 https:// 地址），如果它比正在使用的知识更新，从此就用它。
cli-pins-update-after-help = 退出码：0 已更新或已是最新，1 知识包被拒绝（签名错误或未知、版本更旧、不完整、过大、格式更新）或连接不可信，2 更新通道被拦截，3 什么都没能获取。
cli-pins-update-from = 从这个文件或 http(s):// 地址获取（可重复，依次尝试），代替配置中的 update_from
cli-pins-update-system = 安装到系统的知识库（/var/lib/pinwatch/knowledge，pinwatch-update 定时器用）而不是用户的；只读取系统级配置
cli-pins-update-config = 配置文件（默认：平台配置目录中的 config.toml），在 /etc/pinwatch/config.toml（Windows：%ProgramData%\pinwatch\config.toml）之上读取：update_from、trusted_keys、proxy
