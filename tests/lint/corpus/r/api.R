library(httr)
httr::set_config(httr::config(ssl_verifypeer = 0L))
res <- httr::GET(url, httr::config(ssl.verifypeer = FALSE, ssl.verifyhost = FALSE))
page <- httr::GET(url = url, config = httr::config(ssl_verifypeer = F))
