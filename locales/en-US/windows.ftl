# Windows: the proxy set on this device, the tray agent, the installer.

proxy-pac-not-run = This device's proxy settings name an automatic configuration script ({ $url }), which pinwatch does not run: browsers may go through a proxy the script picks. pinwatch checked { $route }. To check through that proxy, name it with --proxy.
proxy-route-direct = directly
proxy-route-proxy = through the proxy { $proxy } set on this device
