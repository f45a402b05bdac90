## 知识包：正在使用的知识、它的时间、更新。

ev-knowledge-old = pinwatch 的知识已有{ $days }天：超过 70 天后，仅凭固定密钥不匹配不再判定链可疑（请运行 `pinwatch pins update`）
knowledge-expired = pinwatch 的知识（知识包{ $sequence }）已于{ $expired }过期，已有{ $days }天：请运行 `pinwatch pins update`
knowledge-expired-pins-relaxed = pinwatch 的知识（知识包{ $sequence }）已于{ $expired }过期，已有{ $days }天：超过 70 天后，仅凭固定密钥不匹配不再判定为可疑（伪造的证书链和已知的拦截密钥仍会被判定）；请运行 `pinwatch pins update`
update-installed = 知识已更新：来自{ $source }的知识包{ $sequence }（密钥{ $key }签名，发布于{ $issued }）。
update-installed-expired = 知识已更新：来自{ $source }的知识包{ $sequence }（密钥{ $key }签名，发布于{ $issued }）。它已过期：请寻找更新的知识包。
update-current = 知识已是最新：{ $source }提供的知识包{ $sequence }就是正在使用的。
update-refused = { $source }：已拒绝：{ $why }。正在使用的知识未改变（知识包{ $sequence }）。
update-failed = { $source }：无法获取：{ $why }。正在使用的知识未改变（知识包{ $sequence }）。
update-intercepted = 被拦截：pinwatch 从{ $source }获取知识更新的连接被拦截。没有通过该连接获取任何内容，正在使用的知识未改变（知识包{ $sequence }）。
update-untrusted = { $source }：它的证书链不可信（结论 { $verdict }），没有通过该连接获取任何内容。正在使用的知识未改变（知识包{ $sequence }）。
update-no-source = 没有更新来源：请在{ $file }中设置 update_from，或使用 --from 文件|URL。
update-channel = pinwatch 更新
update-channel-exposes = pinwatch 用来判断的知识：拦截者可以扣住更新的知识，或试图冒充自己的知识（它无法为其签名）
knowledge-line = 知识：知识包{ $sequence }（{ $source }），发布于{ $issued }，已有{ $days }天，有效期至{ $expires }
knowledge-line-expired = 知识：知识包{ $sequence }（{ $source }），发布于{ $issued }，已有{ $days }天，已于{ $expires }过期：请运行 `pinwatch pins update`
knowledge-line-directory = 知识：固定密钥目录{ $source }
knowledge-source-built-in = 内置
