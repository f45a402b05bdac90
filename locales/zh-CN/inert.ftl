# Look-alike names (names compared as RFC 5280 compares them) and inert text.
ev-borrows-ca-organization = 它的证书颁发机构使用了公共证书颁发机构“{ $name }”的名称，但密钥不同：这条证书链并非该 CA 签发
who-borrower = 一个使用“{ $name }”名称的证书颁发机构
roots-borrows-organization = 使用了公共证书颁发机构“{ $name }”的名称，但密钥不属于它的任何公共根证书：可能是 pinwatch 尚不认识的该 CA 根证书，也可能是在假冒它。请查明是谁安装的。
