# Windows：本机设置的代理、托盘代理程序、安装程序。

proxy-pac-not-run = 本机的代理设置指定了自动配置脚本（{ $url }），pinwatch 不运行这个脚本：浏览器可能经由脚本选择的代理上网。pinwatch 这次{ $route }检查。要经由那个代理检查，请用 --proxy 指定它。
proxy-route-direct = 直接连接
proxy-route-proxy = 经由本机设置的代理{ $proxy }

# 详情页：在 Windows 上删除拦截者的根证书。$stores 是它所在的证书存储。
details-remove-windows-user = Windows 信任它，因为它在你自己的证书存储里（{ $stores }）。删除方法：打开“管理用户证书”（按 Windows+R，运行 certmgr.msc），进入“受信任的根证书颁发机构”→“证书”，选中“{ $issuer }”并删除。
details-remove-windows-machine = Windows 信任它，因为它在这台电脑的证书存储里（{ $stores }），只有管理员才能修改：在“管理计算机证书”（以管理员身份运行 certlm.msc；Windows 7 上用 mmc 添加“证书”管理单元，选“计算机帐户”）中进入“受信任的根证书颁发机构”→“证书”，选中“{ $issuer }”并删除。
details-remove-windows-policy = 它是组策略放进去的（公司的域，或网吧的管理软件），策略不改，它还会回来。
details-remove-windows-cafe = 在网吧的电脑上，这个管理员就是网吧，是它装了这个证书来读取顾客的流量：不要试图删除它，聊天和登录请改用手机的移动数据。
details-remove-windows-unknown = Windows 信任它（pinwatch roots 会显示它所在的证书存储）。如果在你自己的存储里，在“管理用户证书”（certmgr.msc）中删除；如果在这台电脑的存储里，只有管理员才能在“管理计算机证书”（certlm.msc）中删除。两处都是进入“受信任的根证书颁发机构”→“证书”，选中“{ $issuer }”并删除。
