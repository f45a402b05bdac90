## Chain shapes meant to hide a forgery (analysis::rules, probe::fallback)
ev-chain-oversized = 证书链{ $bytes ->
    [unknown] 超过 64 KiB
   *[other] 有 { $bytes } 字节
}{ $count ->
    [0] {""}
   *[other] （{ $count } 个证书{ $capped ->
        [yes] {"，"}超出 pinwatch 读取的上限：只判断了开头部分
       *[no] {""}
    }）
}，远大于任何真实的证书链，也超过了 TLS 库接受的 64 KiB：这种形状是为了让检查工具放弃
ev-fallback-read = TLS 库拒绝了这次握手，pinwatch 自己读取了证书链（{ $version }，明文）：已按其内容判断，但无法证明服务器持有该证书的私钥
ev-fallback-failed = TLS 库拒绝了这次握手，pinwatch 自己读取证书链也没有得到：{ $detail }

## A wrong clock (analysis::rules, report::text)
todo-clock = 请先把本机的日期和时间调对（下面的证据写明了它现在显示的时间），然后再检查；在此之前，证书检查的结果无论好坏都不可信。
ev-clock-suspect = 本机时钟似乎不对：它显示 { $now }{ $built ->
    [none] {""}
   *[other] ，早于这个 pinwatch 的构建时间（{ $built }）
}{ $chain ->
    [valid_then] { $direction ->
        [behind] ，而这条本来有效的证书链中所有过期的证书要到以后才生效
       *[ahead] ，而这条本来有效的证书链中所有过期的证书在那之前就已经过期
    }。请把日期和时间调对后再检查：这并不说明服务器有问题
   *[none] 。请把日期和时间调对后再检查
}

## Missing intermediates (analysis::rules, probe::aia)
ev-chain-incomplete = 证书链在一个证书处中断：服务器没有发送它的签发者（"{ $issuer }"），pinwatch 也不认识{ $url ->
    [none] {""}，而且证书没有给出获取它的网址
   *[other] {""}；从 { $url } 获取{ $fetch ->
        [none] 未尝试
       *[other] 没有得到可用的内容：{ $fetch }
    }
}。服务器漏发中间证书时是这样，单独发送的伪造证书也是这样：这里没有其他迹象表明它是伪造的
ev-issuer-fetched = 服务器没有发送它的中间证书；pinwatch 像浏览器一样从证书给出的地址（{ $url }）获取了它并检查了签名
