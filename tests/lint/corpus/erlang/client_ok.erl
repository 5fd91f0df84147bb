-module(client_ok).
-export([fetch/1]).

%% Never: [{ssl, [{verify, verify_none}]}] or hackney's [insecure]
fetch(Url) ->
    Opts = [{ssl, [{verify, verify_peer}, {cacerts, public_key:cacerts_get()}]}],
    io:format("~s~n", ["{verify, verify_none} is not a fix"]),
    httpc:request(get, {Url, []}, Opts, []).
