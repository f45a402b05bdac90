# Windows：本机设置的代理、托盘代理程序、安装程序。

proxy-pac-not-run = 本机的代理设置指定了自动配置脚本（{ $url }），pinwatch 不运行这个脚本：浏览器可能经由脚本选择的代理上网。pinwatch 这次{ $route }检查。要经由那个代理检查，请用 --proxy 指定它。
proxy-route-direct = 直接连接
proxy-route-proxy = 经由本机设置的代理{ $proxy }
