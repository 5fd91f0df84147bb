-module(client).
-export([fetch/1]).

fetch(Url) ->
    httpc:request(get, {Url, []}, [{ssl, [{verify, verify_none}]}], []).

fetch2(Url) ->
    hackney:request(get, Url, [], <<>>, [insecure]).
