defmodule ClientOk do
  @moduledoc """
  Never pass ssl: [verify: :verify_none] or hackney: [:insecure].
  """

  # HTTPoison.get(url, [], ssl: [verify: :verify_none])
  def fetch(url) do
    HTTPoison.get(url, [], ssl: [verify: :verify_peer, cacertfile: "/etc/ssl/company-bundle.pem"])
  end

  def message, do: "verify: :verify_none is not a fix"
  def pool, do: [pool: :default, insecure_basic_auth: false]
end
