h <- curl::new_handle(ssl_verifypeer = FALSE)
req <- httr2::request(url) |> httr2::req_options(ssl_verifypeer = 0)
