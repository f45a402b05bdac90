# pinwatch 面向用户的文字，简体中文。键与 en-US/main.ftl 一一对应。

## check: table
col-verdict = 结论
col-target = 目标
col-service = 服务
col-detail = 说明
verdict-ok = 正常
verdict-suspicious = 可疑
verdict-intercepted = 被拦截
verdict-captive-portal = 需登录网络
verdict-unreachable = 无法连接
detail-no-certificate = 没有收到证书
detail-by = 拦截者：{ $product }（{ $category }）
detail-issuer = 签发者{ $issuer }

## check: explanations
headline-intercepted = 被{ $who }拦截。
headline-whoever = 控制“{ $issuer }”的人
headline-suspicious = 可疑：证书与预期不完全一致，但这不能证明连接被拦截。
headline-captive-portal = 这个网络需要先登录（认证页面）。
headline-unreachable = 无法连接；这是屏蔽或故障，不是拦截。
label-what-to-do = 怎么办：
label-what-it-exposes = 会泄露什么：
todo-intercepted = 不要在这台电脑或这个网络上登录或聊天。换用你信任的设备和网络（例如用手机的移动数据）。
todo-captive-portal = 打开任意网页，先登录这个网络，然后再检查一次。
todo-suspicious = 在换一个网络检查得到相同结果之前，先不要输入密码；下面的证据说明了哪里不一样。
warning = 警告：
summary = 共检查{ $total }个：{ $parts }
summary-intercepted = { $n }个被拦截
summary-suspicious = { $n }个可疑
summary-captive-portal = { $n }个需登录网络
summary-ok = { $n }个正常
summary-unreachable = { $n }个无法连接

## evidence
ev-issuer = 签发者：{ $issuer }
ev-no-certificate = 没有收到证书（{ $stage }：{ $detail }）
ev-handshake-failed = 收到的是真实证书，但握手失败：{ $detail }
ev-known-key = 证书链中有已知拦截产品{ $product }的密钥：{ $matched }
ev-malformed = 服务器证书格式错误：{ $error }
ev-system-root = 本机信任签发它的根证书（已安装在系统证书库中）：应用程序会不加任何提示地接受这个证书
ev-no-root = 本机也不信任签发它的根证书：会校验证书的应用程序会报错
ev-wrong-name = 这个证书属于{ $names }，而不是{ $host }
ev-wrong-name-not-public = 而且它不能追溯到公共根证书（{ $store }）
ev-portal-key = 这是已知的网络认证页面的密钥：{ $label }
ev-portal-check = { $detail }
ev-pin-mismatch = 证书受公共信任，但链中没有任何密钥在{ $service }的固定密钥集中（共{ $count }个，复核期限{ $review }）：可能是有问题的公共 CA，也可能是服务更换了 CA
ev-pinset-stale = 这个固定密钥集应在{ $review }复核，现在已是{ $today }：服务可能只是更换了 CA

## interceptor categories
cat-antivirus = 杀毒软件
cat-corporate_gateway = 企业网关
cat-parental_control = 家长控制或网吧管理
cat-debugging_proxy = 调试代理
cat-adware_malware = 广告软件或恶意软件
cat-government = 政府
cat-compromised_ca = 失信的证书机构

## roots
roots-none-extra = 没有额外的根证书：本机信任的每个根证书都在 Mozilla 的公共证书库中{ $skew }。
roots-skew-suffix = （或者是操作系统证书包制作之后 Mozilla 才移除的根证书：版本差异）
roots-extra = 本机信任{ $n }个不在 Mozilla 公共证书库中的额外根证书：
roots-class-extra = 额外
roots-class-skew = 版本差异
roots-class-public = 公共
roots-known = 已知：{ $name }（{ $category }）
roots-found-in = 位置：{ $where }
roots-expired = 已过期
roots-skew-count = 操作系统证书包中有{ $n }个根证书已被 Mozilla 移除（版本差异，不计入结果；--all 可列出）。
roots-sources = 已读取的证书库：{ $list }
roots-problems = 无法读取：
roots-advice-extra = 额外的根证书让持有其私钥的人可以在这台电脑上冒充任何网站。如果不是你有意安装的，请删除它（并查明是谁安装的）。
roots-class-not-ca = 不是 CA 证书（只对它自己的名称有效）
roots-not-ca-listed = 另外列出{ $n }个不是CA的受信任证书（只对它们自己的名称有效，不能冒充其他网站）。
ev-system-root-at = 这个根证书安装在{ $location }
roots-class-platform = 本平台根证书计划中的根证书（不在 Mozilla 证书库中）
ev-legacy-root = 证书链追溯到{ $label }：Mozilla 因年限已将其移出，但这个服务仍在使用且在固定密钥集中：这是真实 CA 的密钥，不是拦截

## 关于证书链路径的证据（analysis::rules）
ev-forged = 这是{ $host }的证书，但没有任何公共或已知 CA 的密钥为它签名（{ $store }；签名者：{ $signer ->
    [system] 只有本机信任的根证书
   *[other] 一个公众不知道的密钥
}）
ev-chain-rule-broken = 证书链的签名可以一直追溯到公共或已知 CA 的密钥，但违反了一条规则：{ $rule }；这是服务器配置错误，不是伪造
ev-cert-out-of-date = { $which }“{ $subject }”的有效期为{ $from }至{ $to }
ev-known-ca-not-trusted = 证书链由{ $label }签名：pinwatch 认识这个 CA 的密钥，但公共证书库已不再信任它，这个服务也没有固定它
ev-unverifiable = 证书链路径上有一个签名无法校验（{ $detail }），因此既不能证明也不能排除伪造
ev-appended-known-key = 服务器还附带发送了一个带有{ $product }已知密钥的证书（第{ $position }位：{ $matched }），但路径中没有任何证书由它签名：只是附带发送，并未使用
rule-expired = 有证书已过期
rule-not_yet_valid = 有证书尚未生效
rule-constraint = 有证书签发了它无权签发的证书（CA 标志、路径长度或名称约束）
rule-usage = 这个证书不允许用于 TLS 服务器（扩展密钥用法）
rule-too_long = 路径长度超过了校验程序愿意追溯的范围
rule-unknown_issuer = 签发者不在证书库中
rule-other = 路径校验失败
cert-leaf = 服务器证书
cert-nth = 证书链中的第{ $n }个证书
cert-known = 已知的中间证书
ev-impersonates = 它的证书颁发机构冒用了“{ $name }”这个名称，但密钥不同：它在假冒这家公共 CA，证书并非该 CA 签发
ev-no-subject-alt-name = 这个证书的 subjectAltName 中没有任何主机名（其主题为{ $subject }）；浏览器和应用程序不看主题，因此它对{ $host }无效

## 事件：一个拦截者就是一个事件，无论涉及多少主机（report::incident）
incident-head = { $services }（{ $n }个连接）{ $where }被{ $who }拦截。
who-impersonator = 一个假冒“{ $name }”的证书颁发机构
where-proxy = 通过本机设置的代理{ $proxy }
where-this-device = 在这台设备上
where-local-network = 在这个网络的路由器上（{ $hops }跳之外）
where-upstream = 在这个网络之外（{ $hops }跳之外：网络运营商或更远处）
incident-trusted-here = 本机信任它的根证书：应用程序不会有任何提示，连接内容可以被读取和篡改。
incident-not-trusted-here = 本机不信任它的根证书：会校验证书的应用程序会报错。忽略证书错误的应用程序，或点击越过警告的人，其连接内容仍可被读取和篡改。
advice-tool-used = （所用工具为{ $product }。）
label-exposes-each = 各服务暴露的内容：
offline = 本机似乎没有联网：{ $why }。
offline-no-dns = 没有任何域名能解析
offline-no-route = 无法建立任何连接
unreachable-group = 无法连接{ $targets }：这是屏蔽或故障，不是拦截。
label-per-host = 各个连接：
roots-impersonates = 假冒“{ $name }”：它冒用了这个公共根证书的名称，但密钥不同。它并非该公共 CA 制作；安装它的人可以对本机冒充任何网站。
ev-ct = 证书透明度：{ $status ->
    [ct_missing] 这个证书没有任何签名证书时间戳（SCT）；2018 年以来签发的所有公共信任证书都有
    [ct_invalid] 它的 SCT 不符合浏览器的 CT 策略，且有的明显是伪造或损坏的（{ $detail }）
   *[other] 它的 SCT 都无法验证（{ $detail }）
}{ $stale ->
    [yes] （pinwatch 的 CT 日志列表已过复核期限）
   *[no] {""}
}
