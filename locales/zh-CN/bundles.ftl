## 知识包：正在使用的知识、它的时间、更新。

ev-knowledge-old = pinwatch 的知识已有{ $days }天：超过 70 天后，仅凭固定密钥不匹配不再判定链可疑（请运行 `pinwatch pins update`）
