# pins list 与 pins show（文本）
pins-col-service = 服务
pins-col-name = 名称
pins-col-hosts = 主机
pins-col-pins = 固定密钥
pins-col-review = 复核期限
pins-count = { $pins }（其中{ $backups }个备用）
pins-stale-mark = （已过复核期限）
pins-show-review = 复核期限：{ $value }
pins-show-stale = 已过复核期限：在固定密钥更新之前，不匹配只作提示
pins-show-origin = 定义于：{ $value }
pins-show-exposes = 暴露内容：{ $value }
pins-show-hosts = 主机：
pins-show-subdomains = （含子域名）
pins-show-pins = 固定密钥：
pins-role-primary = 主用
pins-role-backup = 备用
pins-show-source = 来源：
