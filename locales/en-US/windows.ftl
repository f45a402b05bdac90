# Windows: the proxy set on this device, the tray agent, the installer.

proxy-pac-not-run = This device's proxy settings name an automatic configuration script ({ $url }), which pinwatch does not run: browsers may go through a proxy the script picks. pinwatch checked { $route }. To check through that proxy, name it with --proxy.
proxy-route-direct = directly
proxy-route-proxy = through the proxy { $proxy } set on this device

# The details page: removing the interceptor's root on Windows. $stores
# names the stores it sits in (CurrentUser\Root, LocalMachine\Root, ...);
# the dialog and folder names are Windows' own.
details-remove-windows-user = Windows trusts it from your own certificate store ({ $stores }). To remove it, open "Manage user certificates" (press Windows+R and run certmgr.msc), then Trusted Root Certification Authorities, Certificates; select "{ $issuer }" and delete it.
details-remove-windows-machine = Windows trusts it from this computer's store ({ $stores }), which only an administrator can change: in "Manage computer certificates" (certlm.msc, run as administrator; on Windows 7, mmc with the Certificates snap-in for the computer account), open Trusted Root Certification Authorities, Certificates; select "{ $issuer }" and delete it.
details-remove-windows-policy = Group Policy put it there (a company's domain, or a café's management software), and puts it back until the policy changes.
details-remove-windows-cafe = On a café's computer, that administrator is the café, which installed it to read its customers' traffic: do not try to remove it, and use your phone on mobile data for chats and logins instead.
details-remove-windows-unknown = Windows trusts it (pinwatch roots names the store it sits in). In your own store, remove it in "Manage user certificates" (certmgr.msc); in this computer's store only an administrator can, in "Manage computer certificates" (certlm.msc). In either, open Trusted Root Certification Authorities, Certificates; select "{ $issuer }" and delete it.
