// .danger_accept_invalid_certs(true) is forbidden here
fn client<'a>(pem: &'a [u8], insecure: bool) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem)?)
        .danger_accept_invalid_certs(false)
        .danger_accept_invalid_certs(insecure && cfg!(test))
        .build()
}
