# 代理检查（管理员批准的拦截者）在后台程序各处的说法（托盘、详情页），简体中文。
# 与 locales/en-US/leftovers.ftl 的键一一对应，顺序相同。

## agent: tray
tray-sanctioned = 你所在的机构会检查这些连接（{ $note }）：{ $services }

## agent: details page
details-banner-sanctioned = 你所在的机构会检查这些连接（{ $note }）：这是它有意运行的拦截设备。没有发现其他拦截。
details-sanctioned-title = 你所在的机构会检查这些连接
details-sanctioned-action = 你所在的机构（{ $note }）可以读取你通过这些连接发送的内容。这不需要处理；私人的事情请用你自己的设备和移动数据。

## pins update: why a bundle was refused (update::why)
refusal-too-large = 大于 8 MiB：不是知识包
refusal-unsigned = 没有签名：知识包以它的 minisign 签名开头
refusal-signature-encoding = 它的签名不是 minisign 签名
refusal-unknown-key = 由密钥{ $key }签名，但这个 pinwatch 不信任该密钥
refusal-revoked-key = 由密钥{ $key }签名，但该密钥已被备用密钥签名的知识包吊销
refusal-bad-signature = 密钥{ $key }的签名与内容不符：文件被改动过或不完整
refusal-newer-format = 它的格式是{ $format }，这个 pinwatch 只能读取格式{ $supported }：请先更新 pinwatch
refusal-newer-pinwatch = 它需要 pinwatch { $min } 或更新的版本（当前是 { $ours }）：请先更新 pinwatch
refusal-bad-header = 它签名的头信息无法读取：{ $detail }
refusal-payload = 它的内容不是知识包的内容：{ $detail }
refusal-replayed = 知识包{ $sequence }比已从密钥{ $key }接受的知识包{ $highest }更旧：重放或回滚的知识包永远不会被安装
refusal-not-newer = 知识包{ $sequence }并不比正在使用的知识（知识包{ $in_use }）更新
refusal-revocation-not-by-backup = 知识包{ $sequence }吊销了密钥，但只有备用密钥可以吊销密钥（它由密钥{ $key }签名）
refusal-cut-short = 传输在{ $got }字节后提前结束：不完整的知识包永远不会被使用
refusal-no-log-list = 它没有附带 CT 日志列表
refusal-log-list-signature = 它的 CT 日志列表与 Google 对它的签名不符（ct/log_list.sig）
refusal-contents = 它的内容无法加载：{ $detail }
refusal-store = 知识存储无法读写：{ $detail }
