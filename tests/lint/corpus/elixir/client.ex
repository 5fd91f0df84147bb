defmodule Client do
  def fetch(url) do
    HTTPoison.get(url, [], ssl: [verify: :verify_none])
  end

  def fetch_req(url) do
    Req.get!(url, connect_options: [transport_opts: [verify: :verify_none]])
  end

  def fetch_hackney(url) do
    HTTPoison.get(url, [], hackney: [:insecure])
  end
end
